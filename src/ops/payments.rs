//! Payments and receivables: a payment settles the invoices named (or the customer's
//! oldest due first), what is left is the customer's credit and settles their next
//! invoices; balances, statements and ageing follow from the allocations.

use chrono::NaiveDate;
use rusqlite::OptionalExtension;

use super::Session;
use crate::db::invoices as repo;
use crate::domain::money::Money;
use crate::domain::payment::{Method, Standing, bucket, settle, standing};
use crate::error::{Error, Result};
use crate::i18n::tf;

/// What recording a payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub number: String,
    /// Invoice numbers and what each took.
    pub settled: Vec<(String, Money)>,
    /// Left over: the customer's credit now.
    pub credit: Money,
}

/// Records a payment from a customer (by code) and settles their invoices with it: those
/// named, in that order, else every open one oldest due first. One transaction.
pub fn record(
    session: &mut Session,
    customer: &str,
    method: Method,
    amount: Money,
    received_on: NaiveDate,
    reference: &str,
    invoices: &[String],
) -> Result<Receipt> {
    // Money going back out is a refund, approved first (ops::refunds), never a payment.
    if amount <= Money::ZERO {
        return Err(Error::BadArgument(tf("payment.not_positive", &[("amount", &amount)])));
    }
    let reference = crate::domain::fields::check_text(reference, false, 100, false)
        .map_err(|problem| Error::Invalid(vec![crate::domain::fields::FieldError { field: "reference", problem }]))?;
    session.write(|tx, ctx| {
        let customer = crate::db::customers::find_by_code(tx, customer)?
            .ok_or_else(|| Error::BadArgument(tf("payment.no_customer", &[("code", &customer)])))?;
        let mut open = repo::open_invoices(tx, customer.id.0)?;
        if !invoices.is_empty() {
            let mut chosen = Vec::new();
            for number in invoices {
                let at = open
                    .iter()
                    .position(|(inv, _)| inv.number.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(number)))
                    .ok_or_else(|| Error::Refused(tf("payment.not_open", &[("number", number)])))?;
                chosen.push(open.remove(at));
            }
            open = chosen;
        }
        let number = format!("PAY-{:06}", crate::db::meta::take_next(tx, "payment")?);
        let id = repo::insert_payment(
            tx,
            &number,
            customer.id.0,
            method.as_str(),
            amount,
            &received_on.to_string(),
            &reference,
            &ctx.now,
            &ctx.operator.name,
        )?;
        let owed: Vec<(i64, Money)> = open.iter().map(|(inv, left)| (inv.id, *left)).collect();
        let (taken, _) = settle(amount, &owed);
        let mut settled = Vec::new();
        for (invoice, take) in &taken {
            repo::allocate(tx, id, *invoice, *take, &ctx.now)?;
            let number = open.iter().find(|(inv, _)| inv.id == *invoice).and_then(|(inv, _)| inv.number.clone());
            settled.push((number.unwrap_or_default(), *take));
        }
        ctx.audit(tx, "record", "payment", Some(id), format!("{number} {amount} {}", method.as_str()))?;
        Ok(Receipt { number, settled, credit: repo::credit(tx, customer.id.0)? })
    })
}

/// Settles a customer's open invoices, oldest due first, with the credit they have.
pub fn use_credit(session: &mut Session, customer: &str) -> Result<Vec<(String, Money)>> {
    session.write(|tx, ctx| {
        let customer = crate::db::customers::find_by_code(tx, customer)?
            .ok_or_else(|| Error::BadArgument(tf("payment.no_customer", &[("code", &customer)])))?;
        let mut open: Vec<(i64, Money, String)> = repo::open_invoices(tx, customer.id.0)?
            .into_iter()
            .map(|(inv, left)| (inv.id, left, inv.number.unwrap_or_default()))
            .collect();
        let mut settled = Vec::new();
        // Payments' unallocated amounts, but never more than the credit there is: refunds
        // paid out (negative payments) have taken some of it already.
        let mut budget = repo::credit(tx, customer.id.0)?;
        for (payment, left) in repo::payments_with_credit(tx, customer.id.0)? {
            let left = left.min(budget);
            if left <= Money::ZERO {
                break;
            }
            let owed: Vec<(i64, Money)> = open.iter().map(|(id, left, _)| (*id, *left)).collect();
            let (taken, _) = settle(left, &owed);
            for (invoice, take) in taken {
                budget = budget - take;
                repo::allocate(tx, payment, invoice, take, &ctx.now)?;
                if let Some(entry) = open.iter_mut().find(|(id, _, _)| *id == invoice) {
                    entry.1 = entry.1 - take;
                    settled.push((entry.2.clone(), take));
                }
            }
            open.retain(|(_, left, _)| !left.is_zero());
        }
        ctx.audit(tx, "use-credit", "customer", Some(customer.id.0), format!("{} settled", settled.len()))?;
        Ok(settled)
    })
}

/// Where an issued invoice stands today, and what is paid of it.
pub fn standing_of(session: &Session, invoice: &repo::Invoice) -> Result<(Standing, Money)> {
    let paid = repo::paid(session.db.conn(), invoice.id)?;
    let credited = repo::credited(session.db.conn(), invoice.id)?;
    let today = session.clock.today().to_string();
    Ok((standing(invoice.gross, paid, credited, &invoice.due_date, &today), paid))
}

/// What is still owed on an invoice: gross less payments and credit notes.
pub fn owed(session: &Session, invoice_id: i64) -> Result<Money> {
    let minor: Option<i64> = session
        .db
        .conn()
        .prepare_cached("SELECT owed FROM invoice_open WHERE invoice_id = ?1")?
        .query_row([invoice_id], |r| r.get(0))
        .optional()?;
    Ok(Money::from_minor(minor.unwrap_or(0)))
}

/// What a customer owes: open invoice amounts less their credit.
pub fn balance(session: &Session, customer_id: i64) -> Result<Money> {
    let conn = session.db.conn();
    let open: Money = repo::open_invoices(conn, customer_id)?.iter().fold(Money::ZERO, |sum, (_, left)| sum + *left);
    Ok(open - repo::credit(conn, customer_id)?)
}

/// Receivables by customer and age: current, 1-30, 31-60, 61-90, over 90 days overdue.
pub fn ageing(session: &Session) -> Result<super::stock_reports::Report> {
    let columns: &[&str] = &["customer", "name", "current", "1-30", "31-60", "61-90", "over_90", "total"];
    let today = session.clock.today();
    let mut by_customer: Vec<(String, String, [Money; 5])> = Vec::new();
    // Where each customer's row is: a search of the rows for each invoice took seconds with
    // twenty thousand customers owing.
    let mut row_of: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    repo::for_each_open(session.db.conn(), |inv, open| {
        let due = NaiveDate::parse_from_str(&inv.due_date, "%Y-%m-%d").unwrap_or(today);
        let slot = bucket((today - due).num_days());
        let at = *row_of.entry(inv.customer_code.clone()).or_insert_with(|| {
            by_customer.push((inv.customer_code.clone(), inv.customer_name.clone(), [Money::ZERO; 5]));
            by_customer.len() - 1
        });
        let buckets = &mut by_customer[at].2;
        buckets[slot] = buckets[slot] + open;
        Ok(())
    })?;
    let rows = by_customer
        .into_iter()
        .map(|(code, name, b)| {
            let total = b.iter().fold(Money::ZERO, |sum, m| sum + *m);
            let mut row = vec![code, name];
            row.extend(b.iter().map(|m| m.to_string()));
            row.push(total.to_string());
            row
        })
        .collect();
    Ok((columns, rows))
}

/// A customer's statement from `from` to `to` (days): the balance brought forward, each
/// invoice, credit note, payment and refund with the running balance, and what they owe at
/// the end (negative: credit held for them).
pub fn statement(session: &Session, customer: &str, from: &str, to: &str) -> Result<super::stock_reports::Report> {
    let columns: &[&str] = &["date", "document", "kind", "amount", "balance"];
    let conn = session.db.conn();
    let c = crate::db::customers::find_by_code(conn, customer)?
        .ok_or_else(|| Error::BadArgument(tf("payment.no_customer", &[("code", &customer.trim())])))?;
    let mut balance = Money::ZERO;
    let mut rows = Vec::new();
    let mut opened = false;
    let open_row = |balance: Money, rows: &mut Vec<Vec<String>>| {
        let label = crate::i18n::t("payment.brought_forward").to_string();
        let day = if from == "0000-01-01" { String::new() } else { from.to_string() };
        rows.push(vec![day, String::new(), label, String::new(), balance.to_string()]);
    };
    for (day, document, kind, amount) in repo::account_entries(conn, c.id.0)? {
        if day.as_str() > to {
            break;
        }
        if day.as_str() >= from && !opened {
            open_row(balance, &mut rows);
            opened = true;
        }
        balance = balance + amount;
        if day.as_str() >= from {
            rows.push(vec![day, document, kind_label(&kind).to_string(), amount.to_string(), balance.to_string()]);
        }
    }
    if !opened {
        open_row(balance, &mut rows);
    }
    Ok((columns, rows))
}

fn kind_label(kind: &str) -> &'static str {
    use crate::i18n::t;
    match kind {
        "invoice" => t("payment.kind_invoice"),
        "credit_note" => t("payment.kind_credit_note"),
        "refund" => t("payment.kind_refund"),
        _ => t("payment.kind_payment"),
    }
}

/// Overpaid invoices, over-allocated payments, and open amounts kept apart from what the
/// payments and credit notes add up to: what `check` says about payments.
pub fn check(session: &Session) -> Result<Vec<String>> {
    let kept = repo::open_problems(session.db.conn())?.into_iter().map(|(number, kept, computed)| {
        tf("payment.check_open", &[("number", &number), ("kept", &kept), ("computed", &computed)])
    });
    Ok(repo::payment_problems(session.db.conn())?
        .into_iter()
        .map(|(number, kind)| {
            if kind == "invoice" {
                tf("payment.check_overpaid", &[("number", &number)])
            } else {
                tf("payment.check_overallocated", &[("number", &number)])
            }
        })
        .chain(kept)
        .collect())
}

/// A standing in the current language.
pub fn standing_label(s: Standing) -> &'static str {
    use crate::i18n::t;
    match s {
        Standing::Open => t("payment.standing_open"),
        Standing::PartlyPaid => t("payment.standing_partly"),
        Standing::Paid => t("payment.standing_paid"),
        Standing::Overdue => t("payment.standing_overdue"),
        Standing::Credited => t("payment.standing_credited"),
    }
}

/// "INV-2026-000001 7.14, INV-2026-000002 2.86", or that nothing was open.
pub fn describe_settled(settled: &[(String, Money)]) -> String {
    if settled.is_empty() {
        return crate::i18n::t("payment.settled_none").to_string();
    }
    settled.iter().map(|(number, amount)| format!("{number} {amount}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::invoices::{Basis, draft_from_orders, issue};

    /// Two issued invoices for Ana (7.14 and 8.54 with the fixtures of ops::invoices).
    fn two_invoices() -> (Session, String, String, String) {
        let (mut s, number) = crate::ops::invoices::tests_support::shipped_order();
        let one = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Shipped).unwrap();
        let one = issue(&mut s, one.invoice.id, one.invoice.version).unwrap();
        let two = draft_from_orders(&mut s, &[number], Basis::Ordered).unwrap();
        let two = issue(&mut s, two.invoice.id, two.invoice.version).unwrap();
        let code = one.invoice.customer_code.clone();
        (s, code, one.invoice.number.unwrap(), two.invoice.number.unwrap())
    }

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn a_payment_settles_oldest_first_and_the_rest_becomes_credit() {
        let (mut s, customer, first, second) = two_invoices();
        let total = balance(&s, 1).unwrap();
        let receipt = record(&mut s, &customer, Method::Card, m("10"), day(), "", &[]).unwrap();
        assert_eq!(receipt.settled[0], (first.clone(), m("7.14")));
        assert_eq!(receipt.settled[1].0, second);
        assert_eq!(balance(&s, 1).unwrap(), total - m("10"));
        // Overpaying the rest leaves credit, which settles nothing more until invoiced.
        let rest = balance(&s, 1).unwrap();
        let receipt = record(&mut s, &customer, Method::Cash, rest + m("5"), day(), "till", &[]).unwrap();
        assert_eq!(receipt.credit, m("5"));
        assert_eq!(balance(&s, 1).unwrap(), Money::ZERO - m("5"));
        assert!(check(&s).unwrap().is_empty());
        assert!(s.db.conn().execute("UPDATE payments SET amount = 1", []).is_err(), "append-only");
        // The credit is read from credited invoices only because no invoice is ever settled
        // past its total: the database refuses it whoever writes it.
        let conn = s.db.conn();
        let (payment, invoice): (i64, i64) = conn
            .query_row("SELECT a.payment_id, a.invoice_id FROM payment_allocations a ORDER BY a.id LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        let past_total = crate::db::invoices::allocate(conn, payment, invoice, m("0.01"), "2026-11-27T10:00:00Z");
        assert!(matches!(past_total, Err(Error::Sqlite(_))), "{past_total:?}");
    }

    #[test]
    fn a_payment_for_named_invoices_only_takes_those() {
        let (mut s, customer, _first, second) = two_invoices();
        let receipt =
            record(&mut s, &customer, Method::BankTransfer, m("100"), day(), "ref 42", std::slice::from_ref(&second))
                .unwrap();
        assert_eq!(receipt.settled.len(), 1);
        assert_eq!(receipt.settled[0].0, second);
        assert!(receipt.credit > Money::ZERO, "the rest is credit");
        let settled = use_credit(&mut s, &customer).unwrap();
        assert_eq!(settled.len(), 1, "credit settles the other invoice");
        let aged = ageing(&s).unwrap().1;
        assert!(aged.is_empty(), "nothing open");
    }
}

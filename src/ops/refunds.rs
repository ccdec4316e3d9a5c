//! Refund requests: a clerk asks to pay back a customer's credit (how much, why); a
//! manager approves or rejects it with a reason; an approved one is paid out as a negative
//! payment, which takes it off the customer's credit. Never more than the credit there is.

use rusqlite::{Connection, OptionalExtension};

use super::{Session, WriteCtx};
use crate::domain::fields::{FieldError, check_text};
use crate::domain::money::Money;
use crate::domain::payment::Method;
use crate::domain::user::Role;
use crate::error::{Error, Result};
use crate::i18n::tf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub amount: Money,
    pub reason: String,
    pub status: String,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decision_note: String,
}

fn get(conn: &Connection, number: &str) -> Result<Refund> {
    conn.prepare_cached(
        "SELECT r.*, c.code FROM refund_requests r JOIN customers c ON c.id = r.customer_id WHERE r.number = ?1",
    )?
    .query_row([number.trim()], |r| {
        Ok(Refund {
            id: r.get("id")?,
            number: r.get("number")?,
            customer_id: r.get("customer_id")?,
            customer_code: r.get("code")?,
            amount: Money::from_minor(r.get("amount")?),
            reason: r.get("reason")?,
            status: r.get("status")?,
            requested_by: r.get("requested_by")?,
            requested_at: r.get("requested_at")?,
            decided_by: r.get("decided_by")?,
            decision_note: r.get("decision_note")?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::BadArgument(tf("refund.no_such", &[("number", &number.trim())])))
}

/// What is asked for or approved and not paid yet: it cannot be asked for twice.
fn pending(conn: &Connection, customer: i64) -> Result<Money> {
    let minor: i64 = conn
        .prepare_cached(
            "SELECT coalesce(sum(amount), 0) FROM refund_requests
             WHERE customer_id = ?1 AND status IN ('requested', 'approved')",
        )?
        .query_row([customer], |r| r.get(0))?;
    Ok(Money::from_minor(minor))
}

fn reason_of(text: &str) -> Result<String> {
    check_text(text, true, 500, false).map_err(|problem| Error::Invalid(vec![FieldError { field: "reason", problem }]))
}

/// Asks to pay back `amount` of a customer's credit.
pub fn request(session: &mut Session, customer: &str, amount: Money, reason: &str) -> Result<Refund> {
    let reason = reason_of(reason)?;
    let number = session.write(|tx, ctx| {
        let c = crate::db::customers::find_by_code(tx, customer)?
            .ok_or_else(|| Error::BadArgument(tf("payment.no_customer", &[("code", &customer)])))?;
        let credit = crate::db::invoices::credit(tx, c.id.0)?;
        let free = credit - pending(tx, c.id.0)?;
        if amount > free {
            return Err(Error::Refused(tf("refund.beyond_credit", &[("amount", &amount), ("free", &free)])));
        }
        let number = format!("RF-{:06}", crate::db::meta::take_next(tx, "refund")?);
        tx.prepare_cached(
            "INSERT INTO refund_requests (number, customer_id, amount, reason, status, requested_at, requested_by)
             VALUES (?1, ?2, ?3, ?4, 'requested', ?5, ?6)",
        )?
        .execute((
            &number,
            c.id.0,
            crate::db::products::minor(amount.to_minor())?,
            &reason,
            &ctx.now,
            &ctx.operator.name,
        ))?;
        ctx.audit(tx, "request", "refund", None, format!("{number} {amount}"))?;
        Ok(number)
    })?;
    get(session.db.conn(), &number)
}

fn decide(session: &mut Session, number: &str, approve: bool, note: &str) -> Result<Refund> {
    session.require(Role::Manager)?;
    let note = if approve { note.trim().to_string() } else { reason_of(note)? };
    session.write(|tx, ctx| {
        let r = get(tx, number)?;
        if r.status != "requested" {
            return Err(Error::Refused(tf("refund.not_requested", &[("number", &r.number), ("status", &r.status)])));
        }
        let status = if approve { "approved" } else { "rejected" };
        tx.prepare_cached(
            "UPDATE refund_requests SET status = ?2, decided_at = ?3, decided_by = ?4, decision_note = ?5 WHERE id = ?1",
        )?
        .execute((r.id, status, &ctx.now, &ctx.operator.name, &note))?;
        ctx.audit(tx, status, "refund", Some(r.id), r.number.clone())
    })?;
    get(session.db.conn(), number)
}

/// A manager approves a request.
pub fn approve(session: &mut Session, number: &str) -> Result<Refund> {
    decide(session, number, true, "")
}

/// A manager rejects a request, saying why.
pub fn reject(session: &mut Session, number: &str, reason: &str) -> Result<Refund> {
    decide(session, number, false, reason)
}

/// Pays out an approved refund: a negative payment, taken off the customer's credit.
pub fn pay(session: &mut Session, number: &str, method: Method) -> Result<Refund> {
    let today = session.clock.today();
    session.write(|tx, ctx| pay_in(tx, ctx, number, method, today))?;
    get(session.db.conn(), number)
}

fn pay_in(tx: &Connection, ctx: &WriteCtx<'_>, number: &str, method: Method, today: chrono::NaiveDate) -> Result<()> {
    let r = get(tx, number)?;
    if r.status != "approved" {
        return Err(Error::Refused(tf("refund.not_approved", &[("number", &r.number), ("status", &r.status)])));
    }
    let credit = crate::db::invoices::credit(tx, r.customer_id)?;
    if r.amount > credit {
        return Err(Error::Refused(tf("refund.beyond_credit", &[("amount", &r.amount), ("free", &credit)])));
    }
    let payment = format!("PAY-{:06}", crate::db::meta::take_next(tx, "payment")?);
    let id = crate::db::invoices::insert_payment(
        tx,
        &payment,
        r.customer_id,
        method.as_str(),
        Money::ZERO - r.amount,
        &today.to_string(),
        &r.number,
        &ctx.now,
        &ctx.operator.name,
    )?;
    tx.prepare_cached(
        "UPDATE refund_requests SET status = 'paid', paid_at = ?2, paid_by = ?3, payment_id = ?4 WHERE id = ?1",
    )?
    .execute((r.id, &ctx.now, &ctx.operator.name, id))?;
    ctx.audit(tx, "pay", "refund", Some(r.id), format!("{} {payment}", r.number))
}

/// A request's status in the current language (reports keep the code).
pub fn status_label(status: &str) -> &'static str {
    use crate::i18n::t;
    match status {
        "requested" => t("refund.status_requested"),
        "approved" => t("refund.status_approved"),
        "rejected" => t("refund.status_rejected"),
        _ => t("refund.status_paid"),
    }
}

/// Refund requests asked for between `from` and `to` (days), each step with who and when;
/// with `waiting_only`, just those a manager or the till still has to act on, of any date.
pub fn list(session: &Session, from: &str, to: &str, waiting_only: bool) -> Result<super::stock_reports::Report> {
    let columns: &[&str] = &[
        "refund",
        "customer",
        "amount",
        "status",
        "reason",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_note",
        "paid_by",
        "paid_at",
    ];
    let mut stmt = session.db.conn().prepare(
        "SELECT r.number, c.code, r.amount, r.status, r.reason, r.requested_by, r.requested_at,
                coalesce(r.decided_by, ''), coalesce(r.decided_at, ''), r.decision_note,
                coalesce(r.paid_by, ''), coalesce(r.paid_at, '')
         FROM refund_requests r JOIN customers c ON c.id = r.customer_id
         WHERE CASE WHEN ?3 THEN r.status IN ('requested', 'approved')
                    ELSE substr(r.requested_at, 1, 10) BETWEEN ?1 AND ?2 END
         ORDER BY r.id",
    )?;
    let rows = stmt
        .query_map((from, to, waiting_only), |r| {
            let mut row: Vec<String> = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                row.push(if i == 2 { Money::from_minor(r.get(i)?).to_string() } else { r.get(i)? });
            }
            Ok(row)
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((columns, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::invoices::{Basis, draft_from_orders, issue};

    #[test]
    fn a_refund_is_asked_for_decided_and_paid_out_of_credit() {
        let (mut s, number) = crate::ops::invoices::tests_support::shipped_order();
        let d = draft_from_orders(&mut s, &[number], Basis::Ordered).unwrap();
        let inv = issue(&mut s, d.invoice.id, d.invoice.version).unwrap();
        let code = inv.invoice.customer_code.clone();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        // Paid 20.00 for 15.68: 4.32 credit.
        let twenty = Money::parse("20").unwrap();
        crate::ops::payments::record(&mut s, &code, Method::Cash, twenty, day, "", &[]).unwrap();
        let err = request(&mut s, &code, Money::parse("5").unwrap(), "overpaid").unwrap_err();
        assert!(err.to_string().contains("4.32"), "{err}");
        let r = request(&mut s, &code, Money::parse("4.32").unwrap(), "overpaid at the till").unwrap();
        assert!(request(&mut s, &code, Money::parse("0.01").unwrap(), "again").is_err(), "already asked for");
        s.operator.role = Role::Clerk;
        assert!(matches!(approve(&mut s, &r.number), Err(Error::NotAllowed { .. })));
        assert!(pay(&mut s, &r.number, Method::Cash).is_err(), "not approved yet");
        s.operator.role = Role::Manager;
        approve(&mut s, &r.number).unwrap();
        let paid = pay(&mut s, &r.number, Method::BankTransfer).unwrap();
        assert_eq!(paid.status, "paid");
        assert_eq!(crate::db::invoices::credit(s.db.conn(), 1).unwrap(), Money::ZERO);
        assert!(crate::ops::payments::check(&s).unwrap().is_empty());
        assert!(reject(&mut s, &r.number, "too late").is_err(), "decided already");
        let (_, rows) = list(&s, "0000-01-01", "9999-12-31", false).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0][2].as_str(), rows[0][3].as_str()), ("4.32", "paid"));
        assert!(list(&s, "0000-01-01", "9999-12-31", true).unwrap().1.is_empty(), "nothing waits");
    }
}

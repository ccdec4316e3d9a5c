//! Demo invoices: the latest delivered and shipped orders invoiced on the day after they
//! were placed, most of them paid, a few overdue, and one credit note, all through the use
//! cases so numbering, chain, allocations and stock agree with what the program writes.

use chrono::{Duration, NaiveDate};

use super::synth::Rng;
use super::{Clock, Session};
use crate::domain::money::{Money, Quantity};
use crate::domain::payment::Method;
use crate::error::Result;

/// Invoices for up to `count` of the latest orders that have shipped, oldest first.
pub fn generate_demo(session: &mut Session, count: usize, seed: u64) -> Result<usize> {
    let mut rng = Rng::new(seed ^ 0x0_1A5);
    let orders: Vec<(String, String, String)> = {
        let mut stmt = session.db.conn().prepare(
            "SELECT o.number, o.order_date, c.code FROM orders o JOIN customers c ON c.id = o.customer_id
             WHERE o.status IN ('partly_shipped', 'shipped', 'delivered', 'closed')
             ORDER BY o.id DESC LIMIT ?1",
        )?;
        stmt.query_map([i64::try_from(count).unwrap_or(i64::MAX)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let clock = session.clock.clone();
    let today = clock.today();
    let mut issued = 0;
    let mut dated: Vec<(NaiveDate, String, String)> = orders
        .into_iter()
        .filter_map(|(n, d, c)| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok().map(|d| (d, n, c)))
        .collect();
    dated.sort();
    for (placed, number, customer) in dated {
        let day = (placed + Duration::days(1)).min(today);
        session.clock = Clock::Fixed(format!("{day}T17:00:00Z"));
        let Ok(draft) =
            super::invoices::draft_from_orders(session, std::slice::from_ref(&number), super::invoices::Basis::Shipped)
        else {
            continue;
        };
        let invoice = super::invoices::issue(session, draft.invoice.id, draft.invoice.version)?;
        issued += 1;
        // Most customers pay within their terms; a few pay part, and a few older invoices
        // are still unpaid (overdue), as in a real shop's books.
        let due = NaiveDate::parse_from_str(&invoice.invoice.due_date, "%Y-%m-%d").unwrap_or(today);
        let roll = rng.below(20);
        let settled_long_ago = (today - day).num_days() > 60;
        if (settled_long_ago && roll != 19) || roll < 14 {
            let paid_on = (day + Duration::days(3 + rng.below(20) as i64)).min(today);
            let amount = if roll == 0 {
                Money::round_from(invoice.invoice.gross.value() / rust_decimal::Decimal::from(2))
            } else {
                invoice.invoice.gross
            };
            if !amount.is_zero() && paid_on <= today && paid_on < due + Duration::days(30) {
                session.clock = Clock::Fixed(format!("{paid_on}T10:00:00Z"));
                let method = [Method::BankTransfer, Method::Card, Method::Cash][rng.below(3)];
                let numbers = vec![invoice.invoice.number.clone().unwrap_or_default()];
                super::payments::record(session, &customer, method, amount, paid_on, "", &numbers)?;
            }
        }
        if issued == 40 {
            // An order called off after invoicing: credited in full; what they had paid is
            // their credit, and they asked for it back.
            let credited = invoice.invoice.number.clone().unwrap_or_default();
            let note = super::credit_notes::draft(session, &credited, &[], "order called off by the customer")?;
            super::credit_notes::issue(session, note.invoice.id, note.invoice.version, None)?;
            let credit = crate::db::invoices::credit(session.db.conn(), invoice.invoice.customer_id)?;
            if credit > Money::ZERO {
                super::refunds::request(session, &customer, credit, "customer asked for the money back")?;
            }
        }
        if issued == 5 {
            // One customer sent something back.
            let credited = invoice.invoice.number.clone().unwrap_or_default();
            if let Some(line) = invoice.lines.first() {
                let one = Quantity::from_minor(1000).min(line.quantity);
                let note = super::credit_notes::draft(session, &credited, &[(line.line, one)], "damaged in transit")?;
                super::credit_notes::issue(session, note.invoice.id, note.invoice.version, None)?;
            }
        }
    }
    session.clock = clock;
    Ok(issued)
}

/// The order date of the `count`th latest order that shipped: where the demo's open books
/// begin (`generate_demo` takes the orders from there on).
pub fn latest_shipped_date(session: &Session, count: usize) -> Result<Option<NaiveDate>> {
    let date: Option<String> = session
        .db
        .conn()
        .prepare(
            "SELECT min(order_date) FROM (SELECT o.order_date FROM orders o
             WHERE o.status IN ('partly_shipped', 'shipped', 'delivered', 'closed') ORDER BY o.id DESC LIMIT ?1)",
        )?
        .query_row([i64::try_from(count).unwrap_or(i64::MAX)], |r| r.get(0))?;
    Ok(date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

/// Invoices for every order of the generated history that shipped and is not invoiced yet,
/// issued the day after the order in date order (so numbers and chain run with the dates),
/// nine in ten paid in full within three weeks: the `gen` shop's receivables. Batches of
/// 10,000 orders per transaction through the same code the program issues with, so
/// `check` holds; returns (invoices, payments).
pub fn generate_for_history(session: &mut Session, seed: u64, before: Option<NaiveDate>) -> Result<(usize, usize)> {
    let mut rng = Rng::new(seed ^ 0x1_0A5);
    let before = before.map(|d| d.to_string()).unwrap_or_else(|| "9999-12-31".into());
    let orders: Vec<(String, String, i64)> = session
        .db
        .conn()
        .prepare(
            "SELECT o.number, o.order_date, o.customer_id FROM orders o
             WHERE o.status IN ('partly_shipped', 'shipped', 'delivered', 'closed') AND o.order_date < ?1
               AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.shipped > l.invoiced)
             ORDER BY o.order_date, o.id",
        )?
        .query_map([before], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let today = session.clock.today();
    let (mut invoices, mut payments) = (0, 0);
    for batch in orders.chunks(10_000) {
        session.write(|tx, ctx| {
            for (number, placed, customer) in batch {
                let placed = NaiveDate::parse_from_str(placed, "%Y-%m-%d").unwrap_or(today);
                let day = (placed + Duration::days(1)).min(today);
                let id =
                    super::invoices::draft_in(tx, ctx, std::slice::from_ref(number), super::invoices::Basis::Shipped)?;
                let version = crate::db::invoices::invoice(tx, id)?.map(|i| i.version).unwrap_or_default();
                let issued = super::invoices::issue_in(tx, ctx, id, version, day)?;
                invoices += 1;
                let paid_on = day + Duration::days(rng.below(21) as i64);
                // Old invoices were almost all paid; of the last two months, nine in ten.
                let pays = if (today - day).num_days() > 60 { rng.below(50) != 0 } else { rng.below(10) < 9 };
                if pays && paid_on <= today && issued.invoice.gross > Money::ZERO {
                    let receipt = format!("PAY-{:06}", crate::db::meta::take_next(tx, "payment")?);
                    let method = [Method::BankTransfer, Method::Card, Method::Cash][rng.below(3)];
                    let gross = issued.invoice.gross;
                    let on = paid_on.to_string();
                    let at = format!("{paid_on}T10:00:00Z");
                    let payment = crate::db::invoices::insert_payment(
                        tx,
                        &receipt,
                        *customer,
                        method.as_str(),
                        gross,
                        &on,
                        "",
                        &at,
                        &ctx.operator.name,
                    )?;
                    crate::db::invoices::allocate(tx, payment, id, gross, &at)?;
                    payments += 1;
                }
            }
            Ok(())
        })?;
    }
    Ok((invoices, payments))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_invoices_pass_every_check() {
        let (mut s, _) = crate::ops::testing::shop();
        crate::ops::synth::generate(&mut s, 20, 1).unwrap();
        crate::ops::synth_stock::generate_stock(&mut s, 60, 2_000, 1).unwrap();
        crate::ops::synth_orders::generate_history(&mut s, 80, 1, true).unwrap();
        crate::ops::synth_orders::generate_recent(&mut s, 1).unwrap();
        let issued = generate_demo(&mut s, 40, 1).unwrap();
        assert!(issued >= 20, "{issued}");
        for problems in [
            crate::ops::invoices::check(&s).unwrap(),
            crate::ops::payments::check(&s).unwrap(),
            crate::ops::credit_notes::check(&s).unwrap(),
            crate::ops::orders::check_all(&s).unwrap(),
            crate::ops::ledger::check(&s).unwrap(),
        ] {
            assert!(problems.is_empty(), "{problems:?}");
        }
        let aged = crate::ops::payments::ageing(&s).unwrap().1;
        assert!(!aged.is_empty(), "some money is still owed");
    }

    #[test]
    fn generated_history_is_invoiced_and_mostly_paid_and_passes_every_check() {
        let (mut s, _) = crate::ops::testing::shop();
        crate::ops::synth::generate(&mut s, 20, 1).unwrap();
        crate::ops::synth_stock::generate_stock(&mut s, 60, 2_000, 1).unwrap();
        crate::ops::synth_orders::generate_history(&mut s, 300, 1, false).unwrap();
        let (invoices, payments) = generate_for_history(&mut s, 1, None).unwrap();
        assert!(invoices > 200 && payments > invoices * 7 / 10 && payments < invoices, "{invoices} {payments}");
        assert_eq!(generate_for_history(&mut s, 1, None).unwrap(), (0, 0), "nothing is invoiced twice");
        for problems in [
            crate::ops::invoices::check(&s).unwrap(),
            crate::ops::payments::check(&s).unwrap(),
            crate::ops::orders::check_all(&s).unwrap(),
        ] {
            assert!(problems.is_empty(), "{problems:?}");
        }
    }
}

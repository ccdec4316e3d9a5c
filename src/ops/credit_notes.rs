//! Credit notes: the only correction of an issued invoice. One credits an issued invoice,
//! all of it or chosen lines and quantities, with a reason; never more than was invoiced
//! (drafts count, so two drafts cannot credit the same goods twice). It is issued like an
//! invoice, from its own series (`CN-2026-000001`), chained and unchangeable; issuing it may
//! take the goods back into a warehouse. What it credits comes off the invoice's open
//! amount; beyond that (the invoice was paid) it is the customer's credit.

use rusqlite::Connection;

use super::{Session, WriteCtx};
use crate::db::invoices::{self as repo, InvoiceLine};
use crate::domain::fields::{FieldError, check_text};
use crate::domain::money::Quantity;
use crate::domain::order::Pricing;
use crate::domain::stock::MoveKind;
use crate::error::{Error, Result};
use crate::i18n::tf;

/// A draft credit note for invoice `number`: every line still creditable in full, or the
/// `chosen` (line, quantity) pairs.
/// Lines to credit as typed: `1:2, 3:1.5` (line number and quantity, separated by commas
/// or spaces); nothing typed means all of the invoice.
pub fn parse_lines(text: &str) -> Result<Vec<(i64, Quantity)>> {
    let mut chosen = Vec::new();
    for spec in text.split([',', ' ', ';']).map(str::trim).filter(|s| !s.is_empty()) {
        let parsed =
            spec.split_once(':').and_then(|(n, q)| Some((n.trim().parse::<i64>().ok()?, Quantity::parse(q).ok()?)));
        match parsed {
            Some(pair) => chosen.push(pair),
            None => return Err(Error::BadArgument(tf("credit.bad_line", &[("spec", &spec)]))),
        }
    }
    Ok(chosen)
}

pub fn draft(
    session: &mut Session,
    number: &str,
    chosen: &[(i64, Quantity)],
    reason: &str,
) -> Result<super::invoices::InvoiceDetail> {
    let reason = check_text(reason, true, 500, false)
        .map_err(|problem| Error::Invalid(vec![FieldError { field: "reason", problem }]))?;
    let id = session.write(|tx, ctx| draft_in(tx, ctx, number, chosen, &reason))?;
    super::invoices::find(session, &id.to_string())
}

fn draft_in(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    number: &str,
    chosen: &[(i64, Quantity)],
    reason: &str,
) -> Result<i64> {
    let invoice = repo::by_number(tx, number)?
        .filter(|i| i.issued && !i.credit_note)
        .ok_or_else(|| Error::BadArgument(tf("credit.no_invoice", &[("number", &number.trim())])))?;
    let credited = repo::credited_line_amounts(tx, invoice.id)?;
    let lines = repo::lines(tx, invoice.id)?;
    for (at, (line, quantity)) in chosen.iter().enumerate() {
        if *quantity <= Quantity::ZERO || chosen[..at].iter().any(|(seen, _)| seen == line) {
            return Err(Error::BadArgument(tf(
                "credit.bad_choice",
                &[("line", line), ("quantity", &quantity.value())],
            )));
        }
        if !lines.iter().any(|l| l.line == *line) {
            return Err(Error::Refused(tf("credit.no_line", &[("number", &number), ("line", line)])));
        }
    }
    let id = repo::insert_credit_draft(tx, "CN", &invoice, reason, &ctx.now, &ctx.operator.name)?;
    let mut n = 0;
    for l in &lines {
        let (already, already_amount) =
            credited.iter().find(|(line, _, _)| *line == l.line).map(|(_, q, a)| (*q, *a)).unwrap_or_default();
        let left = l.quantity - already;
        let wanted = if chosen.is_empty() {
            left
        } else {
            match chosen.iter().find(|(line, _)| *line == l.line) {
                Some((_, q)) => *q,
                None => continue,
            }
        };
        if wanted <= Quantity::ZERO {
            continue;
        }
        // Never more than was invoiced, less what earlier credit notes took back.
        if wanted > left {
            return Err(Error::Refused(tf(
                "credit.too_much",
                &[
                    ("sku", &l.sku),
                    ("wanted", &wanted.value().normalize()),
                    ("invoiced", &l.quantity.value().normalize()),
                    ("credited", &already.value().normalize()),
                ],
            )));
        }
        n += 1;
        let pricing =
            Pricing { quantity: wanted, unit_price: l.unit_price, discount: l.discount, tax_rate: l.tax_rate };
        repo::insert_line(
            tx,
            id,
            &InvoiceLine {
                line: n,
                order_id: l.order_id,
                order_line: l.order_line,
                product_id: l.product_id,
                sku: l.sku.clone(),
                name: l.name.clone(),
                unit: l.unit.clone(),
                quantity: wanted,
                unit_price: l.unit_price,
                discount: l.discount,
                tax_rate: l.tax_rate,
                // The last of a line takes what is left of its amount, so rounding each
                // part never credits a cent more than was invoiced.
                amount: if wanted == left {
                    l.amount - already_amount
                } else {
                    pricing.amount().min(l.amount - already_amount)
                },
                credits_line: Some(l.line),
            },
        )?;
    }
    if n == 0 {
        return Err(Error::Refused(tf("credit.nothing_left", &[("number", &number)])));
    }
    let lines: Vec<(crate::domain::money::Money, rust_decimal::Decimal)> =
        repo::lines(tx, id)?.iter().map(|l| (l.amount, l.tax_rate)).collect();
    let t = crate::domain::order::totals(&lines, invoice.prices_include_tax)
        .map_err(|e| Error::Refused(tf("order.too_large", &[("value", &e)])))?;
    repo::set_totals(tx, id, t.net, t.tax, t.gross)?;
    ctx.audit(tx, "draft", "credit_note", Some(id), format!("{number}: {reason}"))?;
    Ok(id)
}

/// Issues a credit note (as any invoice is issued) and, with `return_to`, books its goods
/// back into that warehouse in the same transaction.
pub fn issue(
    session: &mut Session,
    id: i64,
    version: i64,
    return_to: Option<&str>,
) -> Result<super::invoices::InvoiceDetail> {
    let warehouse = return_to.map(|code| crate::ops::stock::warehouse_by_code(session, code)).transpose()?;
    let today = session.clock.today();
    session.write(|tx, ctx| {
        let issued = super::invoices::issue_in(tx, ctx, id, version, today)?;
        let Some(warehouse) = &warehouse else { return Ok(issued) };
        let number = issued.invoice.number.clone().unwrap_or_default();
        for l in &issued.lines {
            let Some(product) = l.product_id else { continue };
            let product =
                crate::db::products::product(tx, product)?.ok_or_else(|| Error::NotFound { what: l.sku.clone() })?;
            if product.data.tracks_lots {
                // Which lot came back is for the stock clerk to say (stock return --lot).
                continue;
            }
            let m = crate::ops::ledger::MoveInput {
                product,
                warehouse: warehouse.clone(),
                quantity: l.quantity,
                unit_cost: None,
                lot: String::new(),
                expiry: None,
                reference: number.clone(),
                note: issued.invoice.reason.clone(),
            };
            crate::ops::ledger::put_in(tx, ctx, MoveKind::Return, &m)?;
            crate::ops::ledger::audit_move(tx, ctx, MoveKind::Return, &m)?;
        }
        Ok(issued)
    })
}

/// Credit notes that take back more of a line than its invoice had: what `check` reports.
pub fn check(session: &Session) -> Result<Vec<String>> {
    let conn = session.db.conn();
    let mut problems = Vec::new();
    repo::for_each_issued(conn, |inv| {
        if inv.credit_note {
            return Ok(());
        }
        let lines = repo::lines(conn, inv.id)?;
        for (line, credited) in repo::credited_lines(conn, inv.id)? {
            let invoiced = lines.iter().find(|l| l.line == line).map(|l| l.quantity).unwrap_or_default();
            if credited > invoiced {
                let number = inv.number.clone().unwrap_or_default();
                problems.push(tf("credit.check_too_much", &[("number", &number), ("line", &line)]));
            }
        }
        Ok(())
    })?;
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Money;
    use crate::ops::invoices::{Basis, draft_from_orders};

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap()
    }

    fn issued_invoice(s: &mut Session) -> String {
        let (shop, number) = crate::ops::invoices::tests_support::shipped_order();
        *s = shop;
        let d = draft_from_orders(s, &[number], Basis::Ordered).unwrap();
        let issued = crate::ops::invoices::issue(s, d.invoice.id, d.invoice.version).unwrap();
        issued.invoice.number.unwrap()
    }

    #[test]
    fn a_credit_note_takes_back_what_was_invoiced_and_no_more() {
        let (mut s, _) = crate::ops::testing::shop();
        let invoice = issued_invoice(&mut s);
        assert!(matches!(draft(&mut s, &invoice, &[], " "), Err(Error::Invalid(_))), "a reason is required");
        let err = draft(&mut s, &invoice, &[(1, q("4"))], "broken").unwrap_err();
        assert!(err.to_string().contains("only 3"), "{err}");
        let note = draft(&mut s, &invoice, &[(1, q("1"))], "one pen broken").unwrap();
        let issued = issue(&mut s, note.invoice.id, note.invoice.version, Some("MAIN")).unwrap();
        assert_eq!(issued.invoice.number.as_deref(), Some("CN-2026-000001"), "its own series");
        assert_eq!(issued.invoice.gross, Money::parse("2.38").unwrap(), "1 x 2.00 + 19 %");
        // The pen is back in stock, and the invoice owes 2.38 less.
        let pen = crate::ops::stock::find_product(&s, "PEN").unwrap().unwrap();
        let level = crate::db::ledger::level(s.db.conn(), pen.id, 1).unwrap().unwrap();
        assert_eq!(level.on_hand, q("8"), "10 in, 3 shipped, 1 returned");
        let before = crate::ops::payments::balance(&s, 1).unwrap();
        assert_eq!(before, Money::parse("13.30").unwrap(), "15.68 invoiced less 2.38 credited");
        // The rest of the invoice in full; then nothing is left to credit.
        let rest = draft(&mut s, &invoice, &[], "order cancelled").unwrap();
        assert_eq!(rest.lines.len(), 2);
        assert_eq!(rest.lines[0].quantity, q("2"));
        crate::ops::invoices::issue(&mut s, rest.invoice.id, rest.invoice.version).unwrap();
        assert!(draft(&mut s, &invoice, &[], "again").unwrap_err().to_string().contains("Nothing"));
        assert_eq!(crate::ops::payments::balance(&s, 1).unwrap(), Money::ZERO);
        assert!(check(&s).unwrap().is_empty());
        assert!(crate::ops::invoices::check(&s).unwrap().is_empty(), "{:?}", crate::ops::invoices::check(&s));
    }

    #[test]
    fn crediting_a_paid_invoice_leaves_credit() {
        let (mut s, _) = crate::ops::testing::shop();
        let invoice = issued_invoice(&mut s);
        let code =
            crate::db::customers::get(s.db.conn(), crate::domain::ids::CustomerId(1)).unwrap().unwrap().data.code;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let total = crate::ops::payments::balance(&s, 1).unwrap();
        crate::ops::payments::record(&mut s, &code, crate::domain::payment::Method::Card, total, day, "", &[]).unwrap();
        let note = draft(&mut s, &invoice, &[(1, q("1"))], "one pen broken").unwrap();
        issue(&mut s, note.invoice.id, note.invoice.version, None).unwrap();
        assert_eq!(crate::ops::payments::balance(&s, 1).unwrap(), Money::ZERO - Money::parse("2.38").unwrap());
    }
}

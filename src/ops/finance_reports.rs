//! Finance reports from issued documents: revenue by period net of credit notes, tax
//! collected per rate per period (what a VAT/GST return needs), and payments received by
//! method. Periods are months (`2026-11`) of the issue or receipt date.

use super::Session;
use super::stock_reports::Report;
use crate::domain::money::Money;
use crate::error::Result;

/// Revenue per month: invoiced, credited and net, each as net of tax, tax and gross.
pub fn revenue(session: &Session, from: &str, to: &str) -> Result<Report> {
    let columns: &[&str] =
        &["month", "invoices", "credit_notes", "net", "tax", "gross", "credited_net", "credited_tax", "credited_gross"];
    let mut stmt = session.db.conn().prepare(
        // From the daily figures kept as each document is issued (011).
        "SELECT substr(day, 1, 7) AS month,
                sum(CASE WHEN kind = 'invoice' THEN documents ELSE 0 END),
                sum(CASE WHEN kind = 'credit_note' THEN documents ELSE 0 END),
                sum(CASE WHEN kind = 'invoice' THEN net ELSE -net END),
                sum(CASE WHEN kind = 'invoice' THEN tax ELSE -tax END),
                sum(CASE WHEN kind = 'invoice' THEN gross ELSE -gross END),
                sum(CASE WHEN kind = 'credit_note' THEN net ELSE 0 END),
                sum(CASE WHEN kind = 'credit_note' THEN tax ELSE 0 END),
                sum(CASE WHEN kind = 'credit_note' THEN gross ELSE 0 END)
         FROM finance_daily WHERE day >= ?1 AND day <= ?2
         GROUP BY month ORDER BY month",
    )?;
    let rows = stmt
        .query_map([from, to], |r| {
            let m = |i: usize| r.get::<_, i64>(i).map(|v| Money::from_minor(v).to_string());
            Ok(vec![
                r.get(0)?,
                r.get::<_, i64>(1)?.to_string(),
                r.get::<_, i64>(2)?.to_string(),
                m(3)?,
                m(4)?,
                m(5)?,
                m(6)?,
                m(7)?,
                m(8)?,
            ])
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((columns, rows))
}

/// Tax per rate per month, credit notes taken off: the base and the tax.
pub fn tax(session: &Session, from: &str, to: &str) -> Result<Report> {
    let columns: &[&str] = &["month", "rate", "base", "tax"];
    let mut stmt = session.db.conn().prepare(
        "SELECT substr(day, 1, 7) AS month, rate_bp,
                sum(CASE WHEN kind = 'invoice' THEN base ELSE -base END),
                sum(CASE WHEN kind = 'invoice' THEN tax ELSE -tax END)
         FROM tax_daily WHERE day >= ?1 AND day <= ?2
         GROUP BY month, rate_bp ORDER BY month, rate_bp",
    )?;
    let rows = stmt
        .query_map([from, to], |r| {
            let rate = rust_decimal::Decimal::new(r.get(1)?, 2).normalize();
            Ok(vec![
                r.get(0)?,
                rate.to_string(),
                Money::from_minor(r.get(2)?).to_string(),
                Money::from_minor(r.get(3)?).to_string(),
            ])
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((columns, rows))
}

/// Payments received per month and method (refunds, negative, taken off).
pub fn payments(session: &Session, from: &str, to: &str) -> Result<Report> {
    let columns: &[&str] = &["month", "method", "payments", "amount"];
    let mut stmt = session.db.conn().prepare(
        "SELECT substr(received_on, 1, 7) AS month, method, count(*), sum(amount)
         FROM payments WHERE received_on >= ?1 AND received_on <= ?2
         GROUP BY month, method ORDER BY month, method",
    )?;
    let rows = stmt
        .query_map([from, to], |r| {
            Ok(vec![r.get(0)?, r.get(1)?, r.get::<_, i64>(2)?.to_string(), Money::from_minor(r.get(3)?).to_string()])
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((columns, rows))
}

/// Gross margin per month: revenue (invoiced net of tax, less credit notes) against the
/// cost of the goods shipped for orders that month (their cost when they left), less what
/// credit notes took back. Stock that left otherwise (scrap, counts, moves booked without
/// an order) is not a cost of sales.
pub fn margin(session: &Session, from: &str, to: &str) -> Result<Report> {
    let columns: &[&str] = &["month", "revenue", "cost_of_goods", "margin", "margin_percent"];
    let conn = session.db.conn();
    let mut months: Vec<(String, i64, i64)> = Vec::new();
    let mut revenue = conn.prepare(
        "SELECT substr(day, 1, 7), sum(CASE WHEN kind = 'invoice' THEN net ELSE -net END)
         FROM finance_daily WHERE day >= ?1 AND day <= ?2 GROUP BY 1",
    )?;
    for row in revenue.query_map([from, to], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (month, cents) = row?;
        months.push((month, cents, 0));
    }
    // Moves: quantity in thousandths, cost in ten-thousandths: / 10^5 gives cents.
    let mut cost = conn.prepare(
        "SELECT substr(at, 1, 7), sum(-quantity * unit_cost)
         FROM stock_moves m
         WHERE ((m.kind = 'shipment' AND m.reference IN (SELECT number FROM orders))
             OR (m.kind = 'return' AND m.reference IN (SELECT number FROM invoices WHERE kind = 'credit_note')))
           AND substr(m.at, 1, 10) >= ?1 AND substr(m.at, 1, 10) <= ?2
         GROUP BY 1",
    )?;
    for row in cost.query_map([from, to], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (month, raw) = row?;
        let cents = Money::round_from(rust_decimal::Decimal::new(raw, 7)).to_minor().unwrap_or(0);
        match months.iter_mut().find(|(m, _, _)| *m == month) {
            Some(entry) => entry.2 = cents,
            None => months.push((month, 0, cents)),
        }
    }
    // Orders that left no shipment moves (history brought in from another system, which
    // does not move today's stock) are costed at the product's cost price when invoiced.
    let mut history = conn.prepare(
        "SELECT substr(i.issue_date, 1, 7), sum(l.quantity * p.cost_price)
         FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
              JOIN products p ON p.id = l.product_id JOIN orders o ON o.id = l.order_id
         WHERE i.status = 'issued' AND i.kind = 'invoice' AND i.issue_date >= ?1 AND i.issue_date <= ?2
           AND NOT EXISTS (SELECT 1 FROM stock_moves m WHERE m.kind = 'shipment' AND m.reference = o.number)
         GROUP BY 1",
    )?;
    for row in history.query_map([from, to], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (month, raw) = row?;
        let cents = Money::round_from(rust_decimal::Decimal::new(raw, 7)).to_minor().unwrap_or(0);
        match months.iter_mut().find(|(m, _, _)| *m == month) {
            Some(entry) => entry.2 += cents,
            None => months.push((month, 0, cents)),
        }
    }
    months.sort();
    let rows = months
        .into_iter()
        .map(|(month, revenue, cost)| {
            let margin = revenue - cost;
            let percent = if revenue == 0 {
                String::new()
            } else {
                let mut p =
                    (rust_decimal::Decimal::from(margin * 100) / rust_decimal::Decimal::from(revenue)).round_dp(1);
                p.rescale(1);
                p.to_string()
            };
            vec![
                month,
                Money::from_minor(revenue).to_string(),
                Money::from_minor(cost).to_string(),
                Money::from_minor(margin).to_string(),
                percent,
            ]
        })
        .collect();
    Ok((columns, rows))
}

/// Days whose kept revenue or tax figures differ from a recomputation from the issued
/// invoices and credit notes: what `check` says about the finance reports.
pub fn check(session: &Session) -> Result<Vec<String>> {
    let conn = session.db.conn();
    let mut problems = Vec::new();
    let totals = "WITH computed AS (
            SELECT substr(issue_date, 1, 10) AS day, kind, count(*) AS documents, sum(net) AS net, sum(tax) AS tax,
                   sum(gross) AS gross
            FROM invoices WHERE status = 'issued' GROUP BY 1, 2)
        SELECT coalesce(k.day, c.day), coalesce(k.kind, c.kind)
        FROM finance_daily k FULL JOIN computed c ON c.day = k.day AND c.kind = k.kind
        WHERE coalesce(k.documents, 0) <> coalesce(c.documents, 0) OR coalesce(k.net, 0) <> coalesce(c.net, 0)
           OR coalesce(k.tax, 0) <> coalesce(c.tax, 0) OR coalesce(k.gross, 0) <> coalesce(c.gross, 0)";
    let taxes = "WITH computed AS (
            SELECT substr(i.issue_date, 1, 10) AS day, i.kind, t.rate_bp, sum(t.base) AS base, sum(t.tax) AS tax
            FROM invoice_taxes t JOIN invoices i ON i.id = t.invoice_id WHERE i.status = 'issued' GROUP BY 1, 2, 3)
        SELECT coalesce(k.day, c.day), coalesce(k.kind, c.kind)
        FROM tax_daily k FULL JOIN computed c ON c.day = k.day AND c.kind = k.kind AND c.rate_bp = k.rate_bp
        WHERE coalesce(k.base, 0) <> coalesce(c.base, 0) OR coalesce(k.tax, 0) <> coalesce(c.tax, 0)";
    for sql in [totals, taxes] {
        for row in conn.prepare(sql)?.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (day, kind) = row?;
            problems.push(crate::i18n::tf("finance.check_day", &[("day", &day), ("kind", &kind)]));
        }
    }
    // A day with several rates wrong, or its totals and taxes both, is named once.
    let named: std::collections::BTreeSet<String> = problems.into_iter().collect();
    Ok(named.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revenue_and_tax_are_net_of_credit_notes_to_the_cent() {
        let (mut s, number) = crate::ops::invoices::tests_support::shipped_order();
        let d =
            crate::ops::invoices::draft_from_orders(&mut s, &[number], crate::ops::invoices::Basis::Ordered).unwrap();
        let inv = crate::ops::invoices::issue(&mut s, d.invoice.id, d.invoice.version).unwrap();
        let one = crate::domain::money::Quantity::parse("1").unwrap();
        let note =
            crate::ops::credit_notes::draft(&mut s, inv.invoice.number.as_deref().unwrap(), &[(1, one)], "broken")
                .unwrap();
        crate::ops::credit_notes::issue(&mut s, note.invoice.id, note.invoice.version, None).unwrap();
        let (_, rows) = revenue(&s, "2026-01-01", "2026-12-31").unwrap();
        // Invoice: 3 x 2.00 @19 % + 2 x 3.99 @7 % = 6.00 + 7.98 net, 1.14 + 0.56 tax = 15.68.
        // Credit note: 1 x 2.00 + 0.38 = 2.38. Net of it: 11.98 net, 1.32 tax, 13.30 gross.
        assert_eq!(rows, vec![vec!["2026-11", "1", "1", "11.98", "1.32", "13.30", "2.00", "0.38", "2.38"]]);
        let (_, rows) = tax(&s, "2026-11-01", "2026-11-30").unwrap();
        assert_eq!(rows, vec![vec!["2026-11", "7", "7.98", "0.56"], vec!["2026-11", "19", "4.00", "0.76"]]);
        let code = inv.invoice.customer_code.clone();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let m = Money::parse("10").unwrap();
        crate::ops::payments::record(&mut s, &code, crate::domain::payment::Method::Cash, m, day, "", &[]).unwrap();
        let (_, rows) = payments(&s, "2026-11-01", "2026-11-30").unwrap();
        assert_eq!(rows, vec![vec!["2026-11", "cash", "1", "10.00"]]);
    }

    #[test]
    fn margin_is_revenue_less_the_cost_of_what_shipped() {
        let (mut s, number) = crate::ops::invoices::tests_support::shipped_order();
        // 3 pens shipped at their cost of 0.50: 6.00 revenue, 1.50 cost, 4.50 margin.
        let d =
            crate::ops::invoices::draft_from_orders(&mut s, &[number], crate::ops::invoices::Basis::Shipped).unwrap();
        crate::ops::invoices::issue(&mut s, d.invoice.id, d.invoice.version).unwrap();
        let (_, rows) = margin(&s, "2026-01-01", "2026-12-31").unwrap();
        assert_eq!(rows, vec![vec!["2026-11", "6.00", "1.50", "4.50", "75.0"]]);
        // An order whose goods left no moves (history from another system) is costed at the
        // product's cost price instead: the same 3 x 0.50, counted once.
        s.db.conn().execute("UPDATE orders SET number = 'HIST-1' WHERE number = 'SO-000001'", []).unwrap();
        let (_, rows) = margin(&s, "2026-01-01", "2026-12-31").unwrap();
        assert_eq!(rows, vec![vec!["2026-11", "6.00", "1.50", "4.50", "75.0"]]);
    }
}

#[cfg(test)]
mod kept_figures {
    use super::*;
    use crate::ops::invoices::{Basis, draft_from_orders, issue, tests_support::shipped_order};

    #[test]
    fn kept_daily_figures_answer_the_reports_and_check_catches_a_change() {
        let (mut s, number) = shipped_order();
        let d = draft_from_orders(&mut s, &[number], Basis::Ordered).unwrap();
        let inv = issue(&mut s, d.invoice.id, d.invoice.version).unwrap().invoice;
        let q = crate::domain::money::Quantity::parse("1").unwrap();
        let cn = crate::ops::credit_notes::draft(&mut s, inv.number.as_deref().unwrap(), &[(1, q)], "broken").unwrap();
        crate::ops::credit_notes::issue(&mut s, cn.invoice.id, cn.invoice.version, None).unwrap();
        assert!(check(&s).unwrap().is_empty());
        // 3 pens at 2.00 (19 %: 1.14) and 2 teas at 3.99 (7 %: 0.56); one pen credited (0.38).
        let (_, rows) = revenue(&s, "2026-01-01", "2026-12-31").unwrap();
        assert_eq!(rows, [["2026-11", "1", "1", "11.98", "1.32", "13.30", "2.00", "0.38", "2.38"]]);
        let (_, rows) = tax(&s, "2026-01-01", "2026-12-31").unwrap();
        assert_eq!(rows, [["2026-11", "7", "7.98", "0.56"], ["2026-11", "19", "4.00", "0.76"]]);
        // A lost tax line, then a changed total: each names the day and kind.
        s.db.conn().execute("DELETE FROM tax_daily WHERE rate_bp = 700", []).unwrap();
        let problems = check(&s).unwrap();
        assert!(problems.len() == 1 && problems[0].contains("2026-11-27 (invoice)"), "{problems:?}");
        s.db.conn()
            .execute(
                "INSERT INTO tax_daily SELECT day, kind, 700, 798, 56 FROM finance_daily WHERE kind = 'invoice'",
                [],
            )
            .unwrap();
        assert!(check(&s).unwrap().is_empty());
        s.db.conn().execute("UPDATE finance_daily SET gross = gross + 1 WHERE kind = 'credit_note'", []).unwrap();
        let problems = check(&s).unwrap();
        assert!(problems.len() == 1 && problems[0].contains("2026-11-27 (credit_note)"), "{problems:?}");
    }
}

//! Invoices, their lines and tax breakdown, the numbering series and the hash chain.

use rusqlite::{Connection, OptionalExtension, Row};
use rust_decimal::Decimal;

use super::products::{basis_points, minor};
use crate::domain::money::{Money, Price, Quantity};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: i64,
    pub series: String,
    /// None while a draft.
    pub number: Option<String>,
    pub issued: bool,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub customer_address: String,
    pub customer_tax_id: String,
    pub issue_date: String,
    pub due_date: String,
    pub prices_include_tax: bool,
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
    pub chain_seq: Option<i64>,
    pub prev_hash: String,
    pub hash: String,
    pub created_at: String,
    pub version: i64,
    /// A credit note, crediting the invoice `credits_id`, for `reason`.
    pub credit_note: bool,
    pub credits_id: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub line: i64,
    pub order_id: Option<i64>,
    pub order_line: Option<i64>,
    pub product_id: Option<i64>,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub quantity: Quantity,
    pub unit_price: Price,
    pub discount: Decimal,
    pub tax_rate: Decimal,
    pub amount: Money,
    /// On a credit note: the credited invoice's line.
    pub credits_line: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxLine {
    pub rate: Decimal,
    pub base: Money,
    pub tax: Money,
}

fn invoice_from_row(row: &Row<'_>) -> rusqlite::Result<Invoice> {
    let status: String = row.get("status")?;
    Ok(Invoice {
        id: row.get("id")?,
        series: row.get("series")?,
        number: row.get("number")?,
        issued: status == "issued",
        customer_id: row.get("customer_id")?,
        customer_code: row.get("customer_code")?,
        customer_name: row.get("customer_name")?,
        customer_address: row.get("customer_address")?,
        customer_tax_id: row.get("customer_tax_id")?,
        issue_date: row.get("issue_date")?,
        due_date: row.get("due_date")?,
        prices_include_tax: row.get("prices_include_tax")?,
        net: Money::from_minor(row.get("net")?),
        tax: Money::from_minor(row.get("tax")?),
        gross: Money::from_minor(row.get("gross")?),
        chain_seq: row.get("chain_seq")?,
        prev_hash: row.get("prev_hash")?,
        hash: row.get("hash")?,
        created_at: row.get("created_at")?,
        version: row.get("version")?,
        credit_note: row.get::<_, String>("kind")? == "credit_note",
        credits_id: row.get("credits_id")?,
        reason: row.get("reason")?,
    })
}

pub fn invoice(conn: &Connection, id: i64) -> Result<Option<Invoice>> {
    Ok(conn.prepare_cached("SELECT * FROM invoices WHERE id = ?1")?.query_row([id], invoice_from_row).optional()?)
}

pub fn by_number(conn: &Connection, number: &str) -> Result<Option<Invoice>> {
    Ok(conn
        .prepare_cached("SELECT * FROM invoices WHERE number = ?1")?
        .query_row([number.trim()], invoice_from_row)
        .optional()?)
}

pub fn insert_draft(
    conn: &Connection,
    series: &str,
    customer_id: i64,
    prices_include_tax: bool,
    at: &str,
    by: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO invoices (series, status, customer_id, prices_include_tax, created_at, created_by)
         VALUES (?1, 'draft', ?2, ?3, ?4, ?5)",
    )?
    .execute((series, customer_id, prices_include_tax, at, by))?;
    Ok(conn.last_insert_rowid())
}

pub fn insert_line(conn: &Connection, invoice_id: i64, l: &InvoiceLine) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO invoice_lines (invoice_id, line, order_id, order_line, product_id, sku, name, unit, quantity,
                                    unit_price, discount_bp, tax_rate_bp, amount, credits_line)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute((
        invoice_id,
        l.line,
        l.order_id,
        l.order_line,
        l.product_id,
        &l.sku,
        &l.name,
        &l.unit,
        minor(l.quantity.to_minor())?,
        minor(l.unit_price.to_minor())?,
        basis_points(l.discount)?,
        basis_points(l.tax_rate)?,
        minor(l.amount.to_minor())?,
        l.credits_line,
    ))?;
    Ok(())
}

/// A draft credit note for an issued invoice, in `series` (`CN`; an imported one may be
/// history).
pub fn insert_credit_draft(
    conn: &Connection,
    series: &str,
    credited: &Invoice,
    reason: &str,
    at: &str,
    by: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO invoices (series, status, kind, credits_id, reason, customer_id, prices_include_tax, created_at,
                               created_by)
         VALUES (?1, 'draft', 'credit_note', ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((series, credited.id, reason, credited.customer_id, credited.prices_include_tax, at, by))?;
    Ok(conn.last_insert_rowid())
}

/// How many documents of `series` were issued in `year` (numbered without gaps: the
/// sequence the last of them has), and the latest date among them.
pub fn issued_in_year(conn: &Connection, series: &str, year: i32) -> Result<(i64, Option<String>)> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*), max(substr(issue_date, 1, 10)) FROM invoices
             WHERE status = 'issued' AND series = ?1 AND substr(issue_date, 1, 4) = ?2",
        )?
        .query_row((series, format!("{year:04}")), |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Moves a series' counter on to (`year`, `next`) unless it is there or further already:
/// after documents of the series were imported with their numbers.
pub fn raise_series(conn: &Connection, series: &str, year: i32, next: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE invoice_series SET year = ?2, next = ?3 WHERE code = ?1 AND (year < ?2 OR (year = ?2 AND next < ?3))",
    )?
    .execute((series, year, next))?;
    Ok(())
}

/// How much of each line of invoice `id` its credit notes (drafts included) take back.
pub fn credited_lines(conn: &Connection, id: i64) -> Result<Vec<(i64, Quantity)>> {
    Ok(credited_line_amounts(conn, id)?.into_iter().map(|(line, q, _)| (line, q)).collect())
}

/// `credited_lines` with the amounts: (line, quantity, amount).
pub fn credited_line_amounts(conn: &Connection, id: i64) -> Result<Vec<(i64, Quantity, Money)>> {
    let rows = conn
        .prepare_cached(
            "SELECT l.credits_line, sum(l.quantity), sum(l.amount) FROM invoice_lines l JOIN invoices c ON c.id = l.invoice_id
             WHERE c.credits_id = ?1 AND l.credits_line IS NOT NULL GROUP BY l.credits_line",
        )?
        .query_map([id], |r| Ok((r.get(0)?, Quantity::from_minor(r.get(1)?), Money::from_minor(r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// What issued credit notes take off invoice `id`.
pub fn credited(conn: &Connection, id: i64) -> Result<Money> {
    let minor: i64 = conn
        .prepare_cached("SELECT coalesce(sum(gross), 0) FROM invoices WHERE credits_id = ?1 AND status = 'issued'")?
        .query_row([id], |r| r.get(0))?;
    Ok(Money::from_minor(minor))
}

pub fn lines(conn: &Connection, invoice_id: i64) -> Result<Vec<InvoiceLine>> {
    let rows = conn
        .prepare_cached("SELECT * FROM invoice_lines WHERE invoice_id = ?1 ORDER BY line")?
        .query_map([invoice_id], |r| {
            Ok(InvoiceLine {
                line: r.get("line")?,
                order_id: r.get("order_id")?,
                order_line: r.get("order_line")?,
                product_id: r.get("product_id")?,
                sku: r.get("sku")?,
                name: r.get("name")?,
                unit: r.get("unit")?,
                quantity: Quantity::from_minor(r.get("quantity")?),
                unit_price: Price::from_minor(r.get("unit_price")?),
                discount: Decimal::new(r.get("discount_bp")?, 2).normalize(),
                tax_rate: Decimal::new(r.get("tax_rate_bp")?, 2).normalize(),
                amount: Money::from_minor(r.get("amount")?),
                credits_line: r.get("credits_line")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn taxes(conn: &Connection, invoice_id: i64) -> Result<Vec<TaxLine>> {
    let rows = conn
        .prepare_cached("SELECT rate_bp, base, tax FROM invoice_taxes WHERE invoice_id = ?1 ORDER BY rate_bp")?
        .query_map([invoice_id], |r| {
            Ok(TaxLine {
                rate: Decimal::new(r.get(0)?, 2).normalize(),
                base: Money::from_minor(r.get(1)?),
                tax: Money::from_minor(r.get(2)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn insert_tax(conn: &Connection, invoice_id: i64, t: &TaxLine) -> Result<()> {
    conn.prepare_cached("INSERT INTO invoice_taxes (invoice_id, rate_bp, base, tax) VALUES (?1, ?2, ?3, ?4)")?
        .execute((invoice_id, basis_points(t.rate)?, minor(t.base.to_minor())?, minor(t.tax.to_minor())?))?;
    Ok(())
}

pub fn set_totals(conn: &Connection, id: i64, net: Money, tax: Money, gross: Money) -> Result<()> {
    conn.prepare_cached("UPDATE invoices SET net = ?2, tax = ?3, gross = ?4 WHERE id = ?1")?.execute((
        id,
        minor(net.to_minor())?,
        minor(tax.to_minor())?,
        minor(gross.to_minor())?,
    ))?;
    Ok(())
}

/// The series' pattern and the next sequence for `year`, moving the counter past it.
/// Call inside the issuing transaction: two sessions can never take the same number.
pub fn take_sequence(conn: &Connection, series: &str, year: i32) -> Result<(String, i64)> {
    let (pattern, stored_year, stored_next): (String, i32, i64) = conn
        .prepare_cached("SELECT pattern, year, next FROM invoice_series WHERE code = ?1")?
        .query_row([series], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| Error::NotFound { what: series.to_string() })?;
    let seq = crate::domain::invoice::next_in_year(stored_year, stored_next, year).ok_or_else(|| {
        Error::Refused(crate::i18n::tf("invoice.year_behind", &[("year", &year), ("reached", &stored_year)]))
    })?;
    conn.prepare_cached("UPDATE invoice_series SET year = ?2, next = ?3 WHERE code = ?1")?.execute((
        series,
        year,
        seq + 1,
    ))?;
    Ok((pattern, seq))
}

/// The newest link of the chain: its place and hash (0 and '' before the first).
pub fn chain_end(conn: &Connection) -> Result<(i64, String)> {
    let end = conn
        .prepare_cached(
            "SELECT chain_seq, hash FROM invoices WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(end.unwrap_or((0, String::new())))
}

/// What issuing writes onto a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue<'a> {
    pub number: &'a str,
    pub customer_code: &'a str,
    pub customer_name: &'a str,
    pub customer_address: &'a str,
    pub customer_tax_id: &'a str,
    pub issue_date: &'a str,
    pub due_date: &'a str,
    pub chain_seq: i64,
    pub prev_hash: &'a str,
    pub hash: &'a str,
    pub at: &'a str,
    pub by: &'a str,
}

pub fn issue(conn: &Connection, id: i64, version: i64, i: &Issue<'_>) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE invoices SET status = 'issued', number = ?3, customer_code = ?4, customer_name = ?5,
                customer_address = ?6, customer_tax_id = ?7, issue_date = ?8, due_date = ?9, chain_seq = ?10,
                prev_hash = ?11, hash = ?12, issued_at = ?13, issued_by = ?14, version = version + 1
             WHERE id = ?1 AND version = ?2 AND status = 'draft'",
        )?
        .execute((
            id,
            version,
            i.number,
            i.customer_code,
            i.customer_name,
            i.customer_address,
            i.customer_tax_id,
            i.issue_date,
            i.due_date,
            i.chain_seq,
            i.prev_hash,
            i.hash,
            i.at,
            i.by,
        ))?;
    if changed == 0 {
        return Err(Error::Conflict { what: format!("draft invoice {id}") });
    }
    Ok(())
}

pub fn delete_draft(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM invoices WHERE id = ?1 AND status = 'draft'")?.execute([id])?;
    Ok(())
}

/// Moves how much of an order line is invoiced by `delta` (negative when a draft goes).
pub fn add_invoiced(conn: &Connection, order_id: i64, line: i64, delta: Quantity) -> Result<()> {
    conn.prepare_cached("UPDATE order_lines SET invoiced = invoiced + ?3 WHERE order_id = ?1 AND line = ?2")?
        .execute((order_id, line, minor(delta.to_minor())?))?;
    Ok(())
}

/// Every issued invoice in chain order.
pub fn for_each_issued(conn: &Connection, mut each: impl FnMut(Invoice) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare("SELECT * FROM invoices WHERE status = 'issued' ORDER BY chain_seq")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        each(invoice_from_row(row)?)?;
    }
    Ok(())
}

/// The latest invoices, drafts and issued, newest first.
pub fn recent(conn: &Connection, limit: usize) -> Result<Vec<Invoice>> {
    let rows = conn
        .prepare_cached("SELECT * FROM invoices ORDER BY id DESC LIMIT ?1")?
        .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], invoice_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The pattern of every series, for the numbering check.
pub fn series(conn: &Connection) -> Result<Vec<(String, String)>> {
    let rows = conn
        .prepare_cached("SELECT code, pattern FROM invoice_series ORDER BY code")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Which invoices the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvoiceView {
    #[default]
    All,
    Drafts,
    /// Issued invoices with something still owed.
    Unpaid,
    /// Unpaid and past their due date.
    Overdue,
    CreditNotes,
}

/// Still owed on invoice `i`: gross less payments and issued credit notes.
const OWED: &str = "i.gross - (SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = i.id)
    - (SELECT coalesce(sum(c.gross), 0) FROM invoices c WHERE c.credits_id = i.id AND c.status = 'issued')";

impl InvoiceView {
    pub fn all() -> [InvoiceView; 5] {
        [InvoiceView::All, InvoiceView::Drafts, InvoiceView::Unpaid, InvoiceView::Overdue, InvoiceView::CreditNotes]
    }

    /// The view's condition on `invoices i`; `:today` is bound for the overdue one only.
    fn condition(self) -> String {
        match self {
            InvoiceView::All => "1".into(),
            InvoiceView::Drafts => "i.status = 'draft'".into(),
            InvoiceView::Unpaid => "i.id IN (SELECT invoice_id FROM invoice_open)".into(),
            InvoiceView::Overdue => "i.id IN (SELECT invoice_id FROM invoice_open WHERE due_date < :today)".into(),
            InvoiceView::CreditNotes => "i.kind = 'credit_note'".into(),
        }
    }

    fn params<'a>(self, today: &'a &'a str, key: Option<&'a i64>) -> Vec<(&'static str, &'a dyn rusqlite::ToSql)> {
        let mut params: Vec<(&'static str, &'a dyn rusqlite::ToSql)> = Vec::new();
        if self == InvoiceView::Overdue {
            params.push((":today", today));
        }
        if let Some(key) = key {
            params.push((":key", key));
        }
        params
    }
}

/// A window of the invoices in `view`, newest first, keyed by id; `today` dates overdue.
pub fn window(
    conn: &Connection,
    view: InvoiceView,
    today: &str,
    anchor: &super::paging::Anchor,
    limit: usize,
) -> Result<Vec<Invoice>> {
    use super::paging::Anchor;
    let (condition, direction, backwards) = match anchor {
        Anchor::Start => ("", "DESC", false),
        Anchor::End => ("", "ASC", true),
        Anchor::From(_) => ("AND i.id <= :key", "DESC", false),
        Anchor::After(_) => ("AND i.id < :key", "DESC", false),
        Anchor::Before(_) => ("AND i.id > :key", "ASC", true),
    };
    let key = match anchor {
        Anchor::From(k) | Anchor::After(k) | Anchor::Before(k) => Some(k.id),
        Anchor::Start | Anchor::End => None,
    };
    let sql = format!(
        "SELECT i.* FROM invoices i WHERE ({}) {condition} ORDER BY i.id {direction} LIMIT {}",
        view.condition(),
        limit.max(1)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows: Vec<Invoice> = stmt
        .query_map(view.params(&today, key.as_ref()).as_slice(), invoice_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    if backwards {
        rows.reverse();
    }
    Ok(rows)
}

pub fn count(conn: &Connection, view: InvoiceView, today: &str) -> Result<usize> {
    let sql = format!("SELECT count(*) FROM invoices i WHERE {}", view.condition());
    let n: i64 = conn.prepare_cached(&sql)?.query_row(view.params(&today, None).as_slice(), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Invoices of `view` before `id` in the list (newer ones).
pub fn position(conn: &Connection, view: InvoiceView, today: &str, id: i64) -> Result<usize> {
    let sql = format!("SELECT count(*) FROM invoices i WHERE ({}) AND i.id > :key", view.condition());
    let n: i64 = conn.prepare_cached(&sql)?.query_row(view.params(&today, Some(&id)).as_slice(), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// What of each line of an order stands invoiced (drafts included) less what issued credit
/// notes took back of it: (order line, quantity). An order is billed for these.
pub fn billed(conn: &Connection, order_id: i64) -> Result<Vec<(i64, Quantity)>> {
    let rows = conn
        .prepare_cached(
            "SELECT ol.line, ol.invoiced - coalesce((
                 SELECT sum(cl.quantity) FROM invoice_lines cl JOIN invoices c ON c.id = cl.invoice_id
                 WHERE c.kind = 'credit_note' AND c.status = 'issued'
                   AND cl.order_id = ol.order_id AND cl.order_line = ol.line), 0)
             FROM order_lines ol WHERE ol.order_id = ?1 AND ol.invoiced > 0",
        )?
        .query_map([order_id], |r| Ok((r.get(0)?, Quantity::from_minor(r.get(1)?))))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A customer's orders with something left to invoice: shipped and not invoiced (or, with
/// `ordered`, ordered and not invoiced), oldest first.
pub fn orders_to_invoice(conn: &Connection, customer_id: i64, ordered: bool) -> Result<Vec<String>> {
    let ready = if ordered { "l.quantity" } else { "l.shipped" };
    let sql = format!(
        "SELECT o.number FROM orders o WHERE o.customer_id = ?1
           AND o.status NOT IN ('draft', 'awaiting_approval', 'cancelled') AND o.sold_on IS NULL
           AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND {ready} > l.invoiced)
         ORDER BY o.id"
    );
    let rows = conn.prepare_cached(&sql)?.query_map([customer_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Everything that moved a customer's account, in date order: (day, document, kind,
/// amount they owe by it). Invoices add, credit notes and payments take off, refunds add.
pub fn account_entries(conn: &Connection, customer_id: i64) -> Result<Vec<(String, String, String, Money)>> {
    let rows = conn
        .prepare_cached(
            "SELECT issue_date AS day, number, kind, CASE kind WHEN 'invoice' THEN gross ELSE -gross END
               FROM invoices WHERE customer_id = ?1 AND status = 'issued'
             UNION ALL
             SELECT received_on, number, CASE WHEN amount < 0 THEN 'refund' ELSE 'payment' END, -amount
               FROM payments WHERE customer_id = ?1
             ORDER BY 1, 2",
        )?
        .query_map([customer_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, Money::from_minor(r.get(3)?))))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// What has been paid of an invoice.
pub fn paid(conn: &Connection, invoice_id: i64) -> Result<Money> {
    let minor: i64 = conn
        .prepare_cached("SELECT coalesce(sum(amount), 0) FROM payment_allocations WHERE invoice_id = ?1")?
        .query_row([invoice_id], |r| r.get(0))?;
    Ok(Money::from_minor(minor))
}

/// A customer's issued invoices not yet fully paid, oldest due first: (invoice, still open).
pub fn open_invoices(conn: &Connection, customer_id: i64) -> Result<Vec<(Invoice, Money)>> {
    let rows = conn
        .prepare_cached(
            "SELECT i.*, o.owed FROM invoice_open o JOIN invoices i ON i.id = o.invoice_id
             WHERE o.customer_id = ?1 ORDER BY o.due_date, o.invoice_id",
        )?
        .query_map([customer_id], |r| Ok((invoice_from_row(r)?, Money::from_minor(r.get("owed")?))))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// What the customer paid that no invoice has taken, plus what credit notes gave back on
/// invoices already paid: their credit.
///
/// Only invoices with a credit note are read for the second part: allocations never settle
/// more than an invoice's total (trigger `payment_allocations_within_total`, and `check`
/// for older files), so an invoice without one is never settled past its total.
pub fn credit(conn: &Connection, customer_id: i64) -> Result<Money> {
    let minor: i64 = conn
        .prepare_cached(
            "SELECT coalesce((SELECT sum(amount) FROM payments WHERE customer_id = ?1), 0)
                  - coalesce((SELECT sum(a.amount) FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
                              WHERE p.customer_id = ?1), 0)
                  + coalesce((SELECT sum(max(0, paid + credited - gross)) FROM (
                        SELECT i.gross,
                               (SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = i.id) AS paid,
                               (SELECT coalesce(sum(c.gross), 0) FROM invoices c WHERE c.credits_id = i.id AND c.status = 'issued')
                                   AS credited
                        FROM invoices i
                        WHERE i.id IN (SELECT credits_id FROM invoices
                                       WHERE customer_id = ?1 AND kind = 'credit_note' AND status = 'issued')
                          AND i.customer_id = ?1 AND i.status = 'issued' AND i.kind = 'invoice')), 0)",
        )?
        .query_row([customer_id], |r| r.get(0))?;
    Ok(Money::from_minor(minor))
}

/// `credit` as it was computed before it read only credited invoices: from every invoice
/// of the customer. The property tests hold the two equal.
#[cfg(test)]
pub fn credit_over_every_invoice(conn: &Connection, customer_id: i64) -> Result<Money> {
    let minor: i64 = conn.query_row(
        "SELECT coalesce((SELECT sum(amount) FROM payments WHERE customer_id = ?1), 0)
              - coalesce((SELECT sum(a.amount) FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
                          WHERE p.customer_id = ?1), 0)
              + coalesce((SELECT sum(max(0, paid + credited - gross)) FROM (
                    SELECT i.gross,
                           (SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = i.id) AS paid,
                           (SELECT coalesce(sum(c.gross), 0) FROM invoices c WHERE c.credits_id = i.id AND c.status = 'issued')
                               AS credited
                    FROM invoices i WHERE i.customer_id = ?1 AND i.status = 'issued' AND i.kind = 'invoice')), 0)",
        [customer_id],
        |r| r.get(0),
    )?;
    Ok(Money::from_minor(minor))
}

/// Records a payment; returns its id.
#[allow(clippy::too_many_arguments)]
pub fn insert_payment(
    conn: &Connection,
    number: &str,
    customer_id: i64,
    method: &str,
    amount: Money,
    received_on: &str,
    reference: &str,
    at: &str,
    by: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO payments (number, customer_id, method, amount, received_on, reference, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((number, customer_id, method, minor(amount.to_minor())?, received_on, reference, at, by))?;
    Ok(conn.last_insert_rowid())
}

pub fn allocate(conn: &Connection, payment_id: i64, invoice_id: i64, amount: Money, at: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO payment_allocations (payment_id, invoice_id, amount, at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((payment_id, invoice_id, minor(amount.to_minor())?, at))?;
    Ok(())
}

/// Payments with unallocated money left, oldest first: (payment id, left).
pub fn payments_with_credit(conn: &Connection, customer_id: i64) -> Result<Vec<(i64, Money)>> {
    let rows = conn
        .prepare_cached(
            "SELECT p.id, p.amount - coalesce((SELECT sum(a.amount) FROM payment_allocations a WHERE a.payment_id = p.id), 0)
             FROM payments p WHERE p.customer_id = ?1 ORDER BY p.id",
        )?
        .query_map([customer_id], |r| Ok((r.get::<_, i64>(0)?, Money::from_minor(r.get(1)?))))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.into_iter().filter(|(_, left)| left.value() > Decimal::ZERO).collect())
}

/// Every issued invoice with money still open, for ageing: (invoice, open).
pub fn for_each_open(conn: &Connection, mut each: impl FnMut(Invoice, Money) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT i.*, o.owed FROM invoice_open o JOIN invoices i ON i.id = o.invoice_id
         ORDER BY o.due_date, o.invoice_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let open = Money::from_minor(row.get("owed")?);
        each(invoice_from_row(row)?, open)?;
    }
    Ok(())
}

/// Invoices whose kept open amount (`invoice_open`) differs from their gross less payments
/// and credit notes: (number, kept, computed).
pub fn open_problems(conn: &Connection) -> Result<Vec<(String, Money, Money)>> {
    let sql = format!(
        "SELECT i.number, coalesce(o.owed, 0), max(0, {OWED}) AS computed
         FROM invoices i LEFT JOIN invoice_open o ON o.invoice_id = i.id
         WHERE i.status = 'issued' AND i.kind = 'invoice' AND coalesce(o.owed, 0) <> max(0, {OWED})"
    );
    let rows = conn
        .prepare(&sql)?
        .query_map([], |r| Ok((r.get(0)?, Money::from_minor(r.get(1)?), Money::from_minor(r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Invoices paid beyond their total, and payments allocated beyond their amount.
pub fn payment_problems(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT coalesce(i.number, ''), 'invoice' FROM invoices i
         WHERE (SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = i.id) > i.gross
         UNION ALL
         SELECT p.number, 'payment' FROM payments p
         WHERE p.amount > 0 AND (SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.payment_id = p.id) > p.amount",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        found.push((r.get(0)?, r.get(1)?));
    }
    Ok(found)
}

/// A recorded payment as exported: who paid, how, and what it was put against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    pub number: String,
    pub received_on: String,
    pub customer_code: String,
    pub method: String,
    pub amount: Money,
    pub reference: String,
    /// (invoice number, amount) per allocation, in the order they were made.
    pub allocations: Vec<(String, Money)>,
}

/// The payment numbered `number` (exactly), as exported.
pub fn payment_by_number(conn: &Connection, number: &str) -> Result<Option<PaymentRecord>> {
    let id: Option<i64> = conn
        .prepare_cached("SELECT id FROM payments WHERE number = ?1")?
        .query_row([number], |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(None) };
    let mut found = None;
    for_each_payment_where(conn, "WHERE p.id = ?1", [id], |p| {
        found = Some(p);
        Ok(())
    })?;
    Ok(found)
}

/// Every payment (refunds are negative), oldest first, with its allocations.
pub fn for_each_payment(conn: &Connection, each: impl FnMut(PaymentRecord) -> Result<()>) -> Result<()> {
    for_each_payment_where(conn, "", [], each)
}

fn for_each_payment_where<P: rusqlite::Params>(
    conn: &Connection,
    filter: &str,
    params: P,
    mut each: impl FnMut(PaymentRecord) -> Result<()>,
) -> Result<()> {
    let mut allocations = conn.prepare_cached(
        "SELECT coalesce(i.number, ''), a.amount FROM payment_allocations a
         JOIN invoices i ON i.id = a.invoice_id WHERE a.payment_id = ?1 ORDER BY a.id",
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT p.id, p.number, p.received_on, c.code, p.method, p.amount, p.reference
         FROM payments p JOIN customers c ON c.id = p.customer_id {filter} ORDER BY p.id"
    ))?;
    let mut rows = stmt.query(params)?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let allocated = allocations
            .query_map([id], |a| Ok((a.get::<_, String>(0)?, Money::from_minor(a.get(1)?))))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        each(PaymentRecord {
            number: r.get(1)?,
            received_on: r.get(2)?,
            customer_code: r.get(3)?,
            method: r.get(4)?,
            amount: Money::from_minor(r.get(5)?),
            reference: r.get(6)?,
            allocations: allocated,
        })?;
    }
    Ok(())
}

/// An order's number by its id ('' when it is gone).
pub fn order_number(conn: &Connection, order_id: i64) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT number FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// An invoice's number by its id ('' for a draft or when it is gone).
pub fn invoice_number(conn: &Connection, invoice_id: i64) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT coalesce(number, '') FROM invoices WHERE id = ?1")?
        .query_row([invoice_id], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

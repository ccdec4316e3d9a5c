//! Issued invoices, credit notes and payments as CSV, for the bookkeeper's own software and
//! for a shop leaving with its data. Bringing them in is history that keeps its numbers:
//! `invoice_import` and `payment_import`.

use std::io::Write;

use super::Session;
use super::csv_io::SafeWriter;
use crate::db::invoices as repo;
use crate::error::Result;

/// One row per document line, the document's own columns repeated on each.
pub const INVOICE_COLUMNS: &[&str] = &[
    "number",
    "kind",
    "issue_date",
    "due_date",
    "customer",
    "customer_name",
    "customer_address",
    "customer_tax_id",
    "prices_include_tax",
    "credits",
    "reason",
    "net",
    "tax",
    "gross",
    "hash",
    "line",
    "order",
    "sku",
    "name",
    "unit",
    "quantity",
    "unit_price",
    "discount",
    "tax_rate",
    "amount",
    // Which line of the order it bills, and which line of the credited invoice a credit
    // note's line takes back: what an import needs to tie the copy together again.
    "order_line",
    "credits_line",
];

/// One row per allocation of a payment (a payment not put against any invoice, held as
/// credit, has one row with the invoice empty).
pub const PAYMENT_COLUMNS: &[&str] =
    &["number", "received_on", "customer", "method", "amount", "reference", "invoice", "allocated"];

/// Every issued invoice and credit note in the order they were issued; returns the rows.
pub fn export_invoices(session: &Session, out: impl Write) -> Result<usize> {
    export_invoices_some(session, &|_| true, out)
}

/// `export_invoices` of the issued documents whose id `keep` says: the list's rows.
pub fn export_invoices_some(session: &Session, keep: &dyn Fn(i64) -> bool, out: impl Write) -> Result<usize> {
    let conn = session.db.conn();
    let mut writer = SafeWriter::new(out);
    writer.row(INVOICE_COLUMNS.iter().copied())?;
    let mut n = 0;
    repo::for_each_issued(conn, |invoice| {
        if !keep(invoice.id) {
            return Ok(());
        }
        let credits = match invoice.credits_id {
            Some(id) => repo::invoice_number(conn, id)?,
            None => String::new(),
        };
        let head = [
            invoice.number.clone().unwrap_or_default(),
            if invoice.credit_note { "credit_note" } else { "invoice" }.to_string(),
            invoice.issue_date.clone(),
            invoice.due_date.clone(),
            invoice.customer_code.clone(),
            invoice.customer_name.clone(),
            invoice.customer_address.clone(),
            invoice.customer_tax_id.clone(),
            if invoice.prices_include_tax { "yes" } else { "no" }.to_string(),
            credits,
            invoice.reason.clone(),
            invoice.net.to_string(),
            invoice.tax.to_string(),
            invoice.gross.to_string(),
            invoice.hash.clone(),
        ];
        for line in repo::lines(conn, invoice.id)? {
            let order = match line.order_id {
                Some(id) => repo::order_number(conn, id)?,
                None => String::new(),
            };
            let cells = [
                line.line.to_string(),
                order,
                line.sku,
                line.name,
                line.unit,
                line.quantity.to_string(),
                line.unit_price.to_string(),
                line.discount.normalize().to_string(),
                line.tax_rate.normalize().to_string(),
                line.amount.to_string(),
                line.order_line.map(|n| n.to_string()).unwrap_or_default(),
                line.credits_line.map(|n| n.to_string()).unwrap_or_default(),
            ];
            writer.row(head.iter().chain(cells.iter()).map(String::as_str))?;
            n += 1;
        }
        Ok(())
    })?;
    writer.finish()?;
    Ok(n)
}

/// Every payment and refund, oldest first, one row per allocation; returns the rows.
pub fn export_payments(session: &Session, out: impl Write) -> Result<usize> {
    let mut writer = SafeWriter::new(out);
    writer.row(PAYMENT_COLUMNS.iter().copied())?;
    let mut n = 0;
    repo::for_each_payment(session.db.conn(), |p| {
        let (amount, head) = (p.amount.to_string(), [p.number, p.received_on, p.customer_code, p.method]);
        let unallocated = [(String::new(), String::new())];
        let allocations: Vec<(String, String)> =
            p.allocations.into_iter().map(|(invoice, allocated)| (invoice, allocated.to_string())).collect();
        let rows = if allocations.is_empty() { &unallocated[..] } else { &allocations[..] };
        for (invoice, allocated) in rows {
            let cells = [&head[0], &head[1], &head[2], &head[3], &amount, &p.reference, invoice, allocated];
            writer.row(cells.into_iter().map(String::as_str))?;
            n += 1;
        }
        Ok(())
    })?;
    writer.finish()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::{Money, Quantity};
    use crate::ops::invoices::{Basis, draft_from_orders, issue, tests_support::shipped_order};

    fn lines(bytes: &[u8]) -> Vec<Vec<String>> {
        let mut table = crate::ops::csv_io::read_table(bytes).unwrap();
        std::mem::take(&mut table.records).into_iter().map(|r| r.fields).collect()
    }

    #[test]
    fn issued_documents_and_payments_export_line_by_line() {
        let (mut s, number) = shipped_order();
        let d = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Ordered).unwrap();
        let invoice = issue(&mut s, d.invoice.id, d.invoice.version).unwrap().invoice;
        let inv = invoice.number.clone().unwrap();
        let cn =
            crate::ops::credit_notes::draft(&mut s, &inv, &[(1, Quantity::parse("1").unwrap())], "one broken").unwrap();
        crate::ops::credit_notes::issue(&mut s, cn.invoice.id, cn.invoice.version, None).unwrap();
        let code = invoice.customer_code.clone();
        let method = crate::domain::payment::Method::Card;
        let today = s.clock.today();
        crate::ops::payments::record(&mut s, &code, method, Money::parse("5").unwrap(), today, "r-1", &[]).unwrap();

        let mut out = Vec::new();
        assert_eq!(export_invoices(&s, &mut out).unwrap(), 3, "two invoice lines and one credited");
        let rows = lines(&out);
        assert_eq!(rows[0][0], inv);
        assert_eq!((rows[0][1].as_str(), rows[0][16].as_str()), ("invoice", number.as_str()));
        assert_eq!(rows[2][1], "credit_note");
        assert_eq!((rows[2][9].as_str(), rows[2][10].as_str()), (inv.as_str(), "one broken"));
        assert_eq!(rows[0][13], invoice.gross.to_string());

        let mut out = Vec::new();
        assert_eq!(export_payments(&s, &mut out).unwrap(), 1);
        let rows = lines(&out);
        assert_eq!(rows[0][2..], [code.as_str(), "card", "5.00", "r-1", inv.as_str(), "5.00"]);
    }
}

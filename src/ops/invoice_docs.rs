//! An invoice as a document: plain text (terminals, receipt printers) and PDF, from the
//! invoice as stored. A draft says so on every copy: it is not an invoice yet.

use std::fmt::Write as _;

use super::Session;
use super::invoices::InvoiceDetail;
use crate::domain::text::{display_safe, truncate, width};
use crate::error::{Error, Result};
use crate::i18n::{column_label, t, tf};

/// What every rendering of an invoice shows, in reading order.
struct Sheet {
    title: String,
    from: Vec<String>,
    to: Vec<String>,
    dates: String,
    headings: [&'static str; 7],
    lines: Vec<[String; 7]>,
    totals: Vec<(String, String)>,
    payment: String,
}

fn sheet(session: &Session, d: &InvoiceDetail) -> Result<Sheet> {
    let inv = &d.invoice;
    let [name, address, tax_id, payment] = super::order_entry::shop_details(session.db.conn())?;
    let credited = d.credits.clone().unwrap_or_default();
    let title = match (&inv.number, inv.credit_note) {
        (Some(number), true) => {
            tf("invoice.doc_credit_title", &[("number", number), ("invoice", &credited), ("reason", &inv.reason)])
        }
        (Some(number), false) => tf("invoice.doc_title", &[("number", number)]),
        (None, _) => tf("invoice.doc_draft", &[("id", &inv.id)]),
    };
    let (customer_name, customer_code, customer_address, customer_tax) = if inv.issued {
        (
            inv.customer_name.clone(),
            inv.customer_code.clone(),
            inv.customer_address.clone(),
            inv.customer_tax_id.clone(),
        )
    } else {
        // A draft shows the customer as they are now; issuing copies them on for good.
        let c = crate::db::customers::get(session.db.conn(), crate::domain::ids::CustomerId(inv.customer_id))?
            .ok_or_else(|| Error::NotFound { what: format!("customer {}", inv.customer_id) })?;
        let address = [c.data.address.as_str(), c.data.city.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        (c.data.name, c.data.code, address, c.data.tax_id)
    };
    let keep = |v: Vec<String>| v.into_iter().filter(|s| !s.trim().is_empty()).collect::<Vec<_>>();
    let tax_line = |id: &str| if id.is_empty() { String::new() } else { tf("invoice.doc_tax_id", &[("id", &id)]) };
    let mut totals = vec![(t("invoice.doc_net").to_string(), inv.net.to_string())];
    for tax in &d.taxes {
        totals.push((tf("invoice.doc_tax_rate", &[("rate", &tax.rate), ("base", &tax.base)]), tax.tax.to_string()));
    }
    let total = if inv.credit_note { t("credit.total") } else { t("invoice.doc_gross") };
    totals.push((total.to_string(), inv.gross.to_string()));
    Ok(Sheet {
        title,
        from: keep(vec![name, address, tax_line(&tax_id)]),
        to: keep(vec![format!("{customer_name} [{customer_code}]"), customer_address, tax_line(&customer_tax)]),
        // A credit note is owed nothing by a due date: its date alone.
        dates: if inv.issued && inv.credit_note {
            tf("credit.doc_date", &[("date", &inv.issue_date)])
        } else if inv.issued {
            tf("invoice.doc_dates", &[("date", &inv.issue_date), ("due", &inv.due_date)])
        } else {
            t("invoice.doc_not_issued").to_string()
        },
        headings: [
            "#",
            column_label("sku"),
            column_label("name"),
            column_label("quantity"),
            t("entry.price"),
            t("entry.disc"),
            t("invoice.doc_amount"),
        ],
        lines: d
            .lines
            .iter()
            .map(|l| {
                [
                    l.line.to_string(),
                    l.sku.clone(),
                    format!("{} ({} %)", l.name, l.tax_rate),
                    format!("{} {}", l.quantity.value().normalize(), l.unit),
                    l.unit_price.to_string(),
                    l.discount.to_string(),
                    l.amount.to_string(),
                ]
            })
            .collect(),
        totals,
        payment: if payment.is_empty() { String::new() } else { tf("invoice.doc_payment", &[("how", &payment)]) },
    })
}

fn pad(text: &str, columns: usize) -> String {
    let cut = truncate(&display_safe(text), columns);
    format!("{cut}{}", " ".repeat(columns.saturating_sub(width(&cut))))
}

/// The invoice as plain text, 78 columns wide.
pub fn text(session: &Session, d: &InvoiceDetail) -> Result<String> {
    let s = sheet(session, d)?;
    let mut out = String::new();
    let rule = "=".repeat(78);
    let _ = writeln!(out, "{}", display_safe(&s.title));
    let _ = writeln!(out, "{rule}");
    let rows = s.from.len().max(s.to.len());
    for i in 0..rows {
        let from = s.from.get(i).map(String::as_str).unwrap_or("");
        let to = s.to.get(i).map(String::as_str).unwrap_or("");
        let _ = writeln!(out, "{} {}", pad(from, 38), display_safe(to));
    }
    let _ = writeln!(out, "{}", s.dates);
    let _ = writeln!(out, "{}", "-".repeat(78));
    let widths = [3, 10, 24, 9, 10, 6, 11];
    let row = |cells: [&str; 7]| cells.iter().zip(widths).map(|(c, w)| pad(c, w)).collect::<Vec<_>>().join(" ");
    let _ = writeln!(out, "{}", row(s.headings));
    for l in &s.lines {
        let _ = writeln!(out, "{}", row([&l[0], &l[1], &l[2], &l[3], &l[4], &l[5], &l[6]]));
    }
    let _ = writeln!(out, "{}", "-".repeat(78));
    for (label, amount) in &s.totals {
        let _ = writeln!(out, "{}{:>14}", pad(label, 64), amount);
    }
    if !s.payment.is_empty() {
        let _ = writeln!(out, "{rule}\n{}", display_safe(&s.payment));
    }
    Ok(out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n")
}

/// The invoice as a PDF file's bytes (A4).
pub fn pdf(session: &Session, d: &InvoiceDetail) -> Result<Vec<u8>> {
    let s = sheet(session, d)?;
    let mut pdf = crate::pdf::Pdf::new();
    pdf.line(16.0, &s.title);
    pdf.rule();
    let half = pdf.width() / 2.0;
    let rows = s.from.len().max(s.to.len());
    for i in 0..rows {
        let from = s.from.get(i).map(String::as_str).unwrap_or("");
        let to = s.to.get(i).map(String::as_str).unwrap_or("");
        pdf.row(10.0, &[(0.0, half - 10.0, from), (half, half, to)]);
    }
    pdf.gap(4.0);
    pdf.line(10.0, &s.dates);
    pdf.gap(6.0);
    let columns =
        [(0.0, 18.0), (20.0, 60.0), (82.0, 170.0), (255.0, 55.0), (312.0, 60.0), (374.0, 35.0), (412.0, 83.0)];
    let cells = |texts: [&str; 7]| -> Vec<(f32, f32, String)> {
        columns.iter().zip(texts).map(|((x, w), t)| (*x, *w, t.to_string())).collect()
    };
    let header = cells(s.headings);
    pdf.row(9.0, &header.iter().map(|(x, w, t)| (*x, *w, t.as_str())).collect::<Vec<_>>());
    pdf.rule();
    for l in &s.lines {
        let row = cells([&l[0], &l[1], &l[2], &l[3], &l[4], &l[5], &l[6]]);
        pdf.row(9.0, &row.iter().map(|(x, w, t)| (*x, *w, t.as_str())).collect::<Vec<_>>());
    }
    pdf.rule();
    for (label, amount) in &s.totals {
        pdf.row(10.0, &[(255.0, 155.0, label), (412.0, 83.0, amount)]);
    }
    if !s.payment.is_empty() {
        pdf.gap(12.0);
        pdf.line(10.0, &s.payment);
    }
    pdf.finish().map_err(|reason| Error::Refused(tf("note.pdf_failed", &[("reason", &reason)])))
}

/// Writes the invoice as `<number>.pdf` and `<number>.txt` (a draft as `draft-<id>`) into
/// `folder`, the current folder when none is given; returns the files written.
pub fn write_files(
    session: &Session,
    d: &InvoiceDetail,
    folder: Option<&std::path::Path>,
) -> Result<Vec<std::path::PathBuf>> {
    let folder = folder.map(std::path::Path::to_path_buf).unwrap_or_else(|| std::path::PathBuf::from("."));
    let folder = std::fs::canonicalize(&folder).unwrap_or(folder);
    let stem = d.invoice.number.clone().unwrap_or_else(|| format!("draft-{}", d.invoice.id));
    let pdf_path = folder.join(format!("{stem}.pdf"));
    std::fs::write(&pdf_path, pdf(session, d)?).map_err(|source| Error::Io { path: pdf_path.clone(), source })?;
    let text_path = folder.join(format!("{stem}.txt"));
    std::fs::write(&text_path, text(session, d)?).map_err(|source| Error::Io { path: text_path.clone(), source })?;
    Ok(vec![pdf_path, text_path])
}

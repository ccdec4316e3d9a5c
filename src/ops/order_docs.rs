//! Documents of an order: the delivery note of a shipment, as plain text (the screen,
//! terminals, receipt printers) and as PDF, from one description of its content.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::db::orders as repo;
use crate::domain::text::{display_safe, truncate, width};
use crate::error::{Error, Result};
use crate::i18n::{column_label, t, tf};
use crate::ops::Session;

/// Columns of the text note: it fits a 80-column terminal and a wide receipt printer.
const NOTE_WIDTH: usize = 72;

/// What a delivery note says, before it is laid out as text or PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryNote {
    pub title: String,
    /// Label and value; empty values are left out.
    pub fields: Vec<(String, String)>,
    /// Line number, SKU, name, quantity with unit.
    pub lines: Vec<[String; 4]>,
    pub footer: String,
}

pub fn order_of_shipment(session: &Session, number: &str) -> Result<i64> {
    repo::shipment_by_number(session.db.conn(), number)?
        .map(|s| s.order_id)
        .ok_or_else(|| super::orders::no_shipment(number))
}

/// The delivery note of a shipment: who gets what, from which order, without prices.
pub fn delivery_note_of(session: &Session, number: &str) -> Result<DeliveryNote> {
    let conn = session.db.conn();
    let shipment = repo::shipment_by_number(conn, number)?.ok_or_else(|| super::orders::no_shipment(number))?;
    let order = repo::order(conn, shipment.order_id)?
        .ok_or_else(|| Error::NotFound { what: format!("order {}", shipment.order_id) })?;
    let sent = match &shipment.shipped_at {
        Some(at) => {
            let when = chrono::DateTime::parse_from_rfc3339(at)
                .map(|at| at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|_| at.clone());
            format!("{when}  {} {}", shipment.carrier, shipment.tracking).trim_end().to_string()
        }
        None => t("note.not_sent").to_string(),
    };
    let fields = vec![
        (t("note.order").to_string(), format!("{}  ({})", order.number, order.order_date)),
        (column_label("customer").to_string(), format!("{} [{}]", order.customer_name, order.customer_code)),
        (column_label("address").to_string(), order.address.clone()),
        (column_label("region").to_string(), order.region.clone()),
        (column_label("warehouse").to_string(), shipment.warehouse.clone()),
        (t("note.sent").to_string(), sent),
    ];
    let lines = shipment
        .lines
        .iter()
        .map(|l| {
            [
                l.order_line.to_string(),
                l.sku.clone(),
                l.name.clone(),
                format!("{} {}", l.quantity.value().normalize(), l.unit),
            ]
        })
        .collect();
    Ok(DeliveryNote {
        title: tf("note.title", &[("shipment", &shipment.number)]),
        fields: fields.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect(),
        lines,
        footer: t("note.received_by").to_string(),
    })
}

fn pad(text: &str, columns: usize) -> String {
    let cut = truncate(&display_safe(text), columns);
    format!("{cut}{}", " ".repeat(columns.saturating_sub(width(&cut))))
}

fn headings() -> [&'static str; 4] {
    ["#", column_label("sku"), column_label("name"), column_label("quantity")]
}

/// The note as plain text, 72 columns wide.
pub fn delivery_note(session: &Session, number: &str) -> Result<String> {
    let note = delivery_note_of(session, number)?;
    let mut out = String::new();
    let _ = writeln!(out, "{}", display_safe(&note.title));
    let _ = writeln!(out, "{}", "=".repeat(NOTE_WIDTH));
    for (label, value) in &note.fields {
        let _ = writeln!(out, "{} {}", pad(label, 12), display_safe(value));
    }
    let _ = writeln!(out, "{}", "-".repeat(NOTE_WIDTH));
    let widths = [3, 14, 38, 14];
    let row =
        |cells: [&str; 4]| -> String { cells.iter().zip(widths).map(|(c, w)| pad(c, w)).collect::<Vec<_>>().join(" ") };
    let _ = writeln!(out, "{}", row(headings()));
    for line in &note.lines {
        let _ = writeln!(out, "{}", row([&line[0], &line[1], &line[2], &line[3]]));
    }
    let _ = writeln!(out, "{}", "=".repeat(NOTE_WIDTH));
    let _ = writeln!(out, "{}", note.footer);
    Ok(out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n")
}

/// The note as a PDF file's bytes (A4).
pub fn delivery_note_pdf(session: &Session, number: &str) -> Result<Vec<u8>> {
    let note = delivery_note_of(session, number)?;
    let mut pdf = crate::pdf::Pdf::new();
    pdf.line(16.0, &note.title);
    pdf.rule();
    pdf.gap(4.0);
    for (label, value) in &note.fields {
        pdf.row(10.0, &[(0.0, 80.0, label), (85.0, pdf.width() - 85.0, value)]);
    }
    pdf.gap(10.0);
    let columns = [(0.0, 25.0), (30.0, 90.0), (125.0, 260.0), (390.0, 105.0)];
    let header = headings();
    let cells: Vec<(f32, f32, &str)> = columns.iter().zip(header).map(|((x, w), t)| (*x, *w, t)).collect();
    pdf.row(10.0, &cells);
    pdf.rule();
    for line in &note.lines {
        let cells: Vec<(f32, f32, &str)> =
            columns.iter().zip(line.iter()).map(|((x, w), t)| (*x, *w, t.as_str())).collect();
        pdf.row(10.0, &cells);
    }
    pdf.rule();
    pdf.gap(24.0);
    pdf.line(10.0, &note.footer);
    pdf.finish().map_err(|reason| Error::Refused(tf("note.pdf_failed", &[("reason", &reason)])))
}

/// Writes the delivery note as `<shipment>.txt` and `<shipment>.pdf` into `folder` (the
/// current folder when none is given); returns the files written.
pub fn write_delivery_note(session: &Session, number: &str, folder: Option<&Path>) -> Result<Vec<PathBuf>> {
    let shipment =
        repo::shipment_by_number(session.db.conn(), number)?.ok_or_else(|| super::orders::no_shipment(number))?;
    let folder = folder.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let folder = std::fs::canonicalize(&folder).unwrap_or(folder);
    let text = folder.join(format!("{}.txt", shipment.number));
    std::fs::write(&text, delivery_note(session, number)?)
        .map_err(|source| Error::Io { path: text.clone(), source })?;
    let pdf = folder.join(format!("{}.pdf", shipment.number));
    std::fs::write(&pdf, delivery_note_pdf(session, number)?)
        .map_err(|source| Error::Io { path: pdf.clone(), source })?;
    Ok(vec![text, pdf])
}

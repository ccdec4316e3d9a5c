//! Documents of an order: the delivery note of a shipment, as plain text for the screen,
//! terminals and receipt printers, written to a file beside the shop's data.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::db::orders as repo;
use crate::domain::text::{display_safe, truncate, width};
use crate::error::{Error, Result};
use crate::i18n::{column_label, t, tf};
use crate::ops::Session;

/// Columns of the text note: it fits a 80-column terminal and a wide receipt printer.
const NOTE_WIDTH: usize = 72;

pub fn order_of_shipment(session: &Session, number: &str) -> Result<i64> {
    repo::shipment_by_number(session.db.conn(), number)?
        .map(|s| s.order_id)
        .ok_or_else(|| Error::NotFound { what: number.trim().to_string() })
}

fn pad(text: &str, columns: usize) -> String {
    let cut = truncate(&display_safe(text), columns);
    format!("{cut}{}", " ".repeat(columns.saturating_sub(width(&cut))))
}

/// The delivery note of a shipment: who gets what, from which order, without prices.
pub fn delivery_note(session: &Session, number: &str) -> Result<String> {
    let conn = session.db.conn();
    let shipment =
        repo::shipment_by_number(conn, number)?.ok_or_else(|| Error::NotFound { what: number.trim().to_string() })?;
    let order = repo::order(conn, shipment.order_id)?
        .ok_or_else(|| Error::NotFound { what: format!("order {}", shipment.order_id) })?;
    let mut out = String::new();
    let rule = "=".repeat(NOTE_WIDTH);
    let _ = writeln!(out, "{}", tf("note.title", &[("shipment", &shipment.number)]));
    let _ = writeln!(out, "{rule}");
    let rows: [(&str, String); 6] = [
        (t("note.order"), format!("{}  ({})", order.number, order.order_date)),
        (column_label("customer"), format!("{} [{}]", order.customer_name, order.customer_code)),
        (column_label("address"), order.address.clone()),
        (column_label("region"), order.region.clone()),
        (column_label("warehouse"), shipment.warehouse.clone()),
        (
            t("note.sent"),
            match &shipment.shipped_at {
                Some(at) => format!(
                    "{}  {} {}",
                    chrono::DateTime::parse_from_rfc3339(at)
                        .map(|at| at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|_| at.clone()),
                    shipment.carrier,
                    shipment.tracking
                )
                .trim_end()
                .to_string(),
                None => t("note.not_sent").to_string(),
            },
        ),
    ];
    for (label, value) in rows {
        if !value.trim().is_empty() {
            let _ = writeln!(out, "{} {}", pad(label, 12), display_safe(&value));
        }
    }
    let _ = writeln!(out, "{}", "-".repeat(NOTE_WIDTH));
    let _ = writeln!(
        out,
        "{} {} {} {}",
        pad("#", 3),
        pad(column_label("sku"), 14),
        pad(column_label("name"), 38),
        pad(column_label("quantity"), 14)
    );
    for line in &shipment.lines {
        let quantity = format!("{} {}", line.quantity.value().normalize(), line.unit);
        let _ = writeln!(
            out,
            "{} {} {} {}",
            pad(&line.order_line.to_string(), 3),
            pad(&line.sku, 14),
            pad(&line.name, 38),
            pad(&quantity, 14)
        );
    }
    let _ = writeln!(out, "{rule}");
    let _ = writeln!(out, "{}", t("note.received_by"));
    Ok(out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n")
}

/// Writes the delivery note as `<shipment>.txt` into `folder` (the current folder when
/// none is given); returns the files written.
pub fn write_delivery_note(session: &Session, number: &str, folder: Option<&Path>) -> Result<Vec<PathBuf>> {
    let text = delivery_note(session, number)?;
    let shipment = repo::shipment_by_number(session.db.conn(), number)?
        .ok_or_else(|| Error::NotFound { what: number.trim().to_string() })?;
    let folder = folder.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let path = folder.join(format!("{}.txt", shipment.number));
    std::fs::write(&path, text).map_err(|source| Error::Io { path: path.clone(), source })?;
    Ok(vec![path])
}

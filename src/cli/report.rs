//! Reports on the command line: the same figures as the interface, as an aligned table for
//! people or CSV / JSON for scripts.

use std::io::Write;

use clap::ValueEnum;

use crate::domain::crm::due;
use crate::domain::text::{display_safe, width};
use crate::error::{Error, Result};
use crate::i18n::t;
use crate::ops::Session;
use crate::ops::crm::{self, describe_due};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
        })
    }
}

/// Every open follow-up in date order.
pub fn follow_ups(session: &Session, format: Format) -> Result<()> {
    let today = session.clock.today();
    let columns = ["follow_up", "due", "customer", "name", "kind", "summary", "user", "contact"];
    let mut rows = Vec::new();
    let mut after: Option<(String, i64)> = None;
    loop {
        let page = crm::follow_ups(session, after.as_ref().map(|(d, i)| (d.as_str(), *i)), 1000)?;
        let Some(last) = page.last() else { break };
        after = Some((last.follow_up.clone().unwrap_or_default(), last.id));
        for c in page {
            let date = c.follow_up.clone().unwrap_or_default();
            let when = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").map(|d| describe_due(due(d, today)));
            rows.push(vec![
                date,
                when.unwrap_or_default(),
                c.customer_code,
                c.customer_name,
                c.kind.as_str().to_string(),
                c.summary,
                c.user,
                c.code,
            ]);
        }
    }
    print_rows(&columns, &rows, format)
}

/// The dashboard's figures: as one JSON object for scripts, else as `figure,value` rows.
pub fn dashboard(d: &crate::ops::dashboard::Dashboard, format: Format) -> Result<()> {
    use serde_json::json;
    let pairs = |items: &[(String, crate::domain::money::Money)]| -> Vec<serde_json::Value> {
        items.iter().map(|(name, net)| json!({"name": name, "net": net.to_string()})).collect()
    };
    let versus =
        |v: &crate::ops::dashboard::Versus| json!({"now": v.now.to_string(), "last_year": v.last_year.to_string()});
    if format == Format::Json {
        let value = json!({
            "today": d.today.to_string(),
            "sales_today": versus(&d.sales_today),
            "sales_month": versus(&d.sales_month),
            "sales_year": versus(&d.sales_year),
            "last_30_days": d.last_30_days.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            "open_orders": d.open_orders.iter().map(|(s, n)| json!({"status": s, "count": n})).collect::<Vec<_>>(),
            "to_ship": d.to_ship,
            "low_stock": d.low_stock,
            "expiring": d.expiring,
            "overdue_invoices": d.overdue_invoices,
            "overdue_amount": d.overdue_amount.to_string(),
            "follow_ups_due": d.follow_ups_due,
            "open_complaints": d.open_complaints,
            "top_products": pairs(&d.top_products),
            "top_customers": pairs(&d.top_customers),
        });
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let io = |source| Error::Io { path: "-".into(), source };
        serde_json::to_writer_pretty(&mut out, &value).map_err(|e| io(std::io::Error::other(e)))?;
        return writeln!(out).map_err(io);
    }
    let mut rows: Vec<Vec<String>> = vec![
        vec!["sales_today".into(), d.sales_today.now.to_string(), d.sales_today.last_year.to_string()],
        vec!["sales_month".into(), d.sales_month.now.to_string(), d.sales_month.last_year.to_string()],
        vec!["sales_year".into(), d.sales_year.now.to_string(), d.sales_year.last_year.to_string()],
    ];
    for (status, n) in &d.open_orders {
        rows.push(vec![format!("orders_{status}"), n.to_string(), String::new()]);
    }
    for (name, value) in [
        ("to_ship", d.to_ship.to_string()),
        ("low_stock", d.low_stock.to_string()),
        ("expiring", d.expiring.to_string()),
        ("overdue_invoices", d.overdue_invoices.to_string()),
        ("overdue_amount", d.overdue_amount.to_string()),
        ("follow_ups_due", d.follow_ups_due.to_string()),
        ("open_complaints", d.open_complaints.to_string()),
    ] {
        rows.push(vec![name.into(), value, String::new()]);
    }
    for (name, net) in &d.top_products {
        rows.push(vec!["top_product".into(), net.to_string(), name.clone()]);
    }
    for (name, net) in &d.top_customers {
        rows.push(vec!["top_customer".into(), net.to_string(), name.clone()]);
    }
    print_rows(&["figure", "value", "last_year_or_name"], &rows, format)
}

/// Writes rows to standard output in the chosen format.
pub fn print_rows(columns: &[&str], rows: &[Vec<String>], format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let io = |source| Error::Io { path: "-".into(), source };
    match format {
        Format::Csv => {
            let mut writer = crate::ops::csv_io::SafeWriter::new(&mut out);
            writer.row(columns.iter().copied())?;
            for row in rows {
                writer.row(row.iter().map(String::as_str))?;
            }
            writer.finish()
        }
        Format::Json => {
            let objects: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .iter()
                .map(|row| {
                    columns
                        .iter()
                        .map(|c| c.to_string())
                        .zip(row.iter().cloned().map(serde_json::Value::String))
                        .collect()
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &objects).map_err(|e| io(std::io::Error::other(e)))?;
            writeln!(out).map_err(io)
        }
        Format::Table => {
            let cells: Vec<Vec<String>> =
                rows.iter().map(|r| r.iter().map(|c| display_safe(c).replace('\n', " ")).collect()).collect();
            let mut widths: Vec<usize> = columns.iter().map(|c| width(c)).collect();
            for row in &cells {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(width(cell)).min(40);
                }
            }
            let line = |cells: &[String]| -> String {
                let parts: Vec<String> = cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| {
                        let c = crate::domain::text::truncate(c, *w);
                        format!("{c}{}", " ".repeat(w.saturating_sub(width(&c))))
                    })
                    .collect();
                parts.join("  ").trim_end().to_string()
            };
            let header: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
            writeln!(out, "{}", line(&header)).map_err(io)?;
            for row in &cells {
                writeln!(out, "{}", line(row)).map_err(io)?;
            }
            if rows.is_empty() {
                writeln!(out, "{}", t("report.none")).map_err(io)?;
            }
            Ok(())
        }
    }
}

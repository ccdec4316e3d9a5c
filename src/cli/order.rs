//! `shopdesk order ...`: an order's life headless, for scripts and a shop server.

use std::path::PathBuf;

use clap::Subcommand;

use super::report::Format;
use crate::error::{Error, Result};
use crate::i18n::tf;
use crate::ops::Session;
use crate::ops::orders::{self, OrderDetail, status_label};

#[derive(Debug, Subcommand)]
pub enum OrderAction {
    /// Show an order: lines, shipments and its timeline
    Show {
        number: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Confirm a draft (it may go to a manager for approval)
    Confirm { number: String },
    /// Approve an order waiting for approval (managers)
    Approve { number: String },
    /// Send an order waiting for approval back to draft, with a reason (managers)
    Reject {
        number: String,
        #[arg(long)]
        reason: String,
    },
    /// Cancel an order nothing of which has shipped, with a reason
    Cancel {
        number: String,
        #[arg(long)]
        reason: String,
    },
    /// Reserve stock that has arrived for what the order still waits for
    Allocate { number: String },
    /// Ship a shipment: its goods leave the warehouse
    Ship {
        shipment: String,
        #[arg(long, default_value = "")]
        carrier: String,
        #[arg(long, default_value = "")]
        tracking: String,
    },
    /// Record that a shipment arrived (default: today)
    Deliver {
        shipment: String,
        /// YYYY-MM-DD
        #[arg(long)]
        date: Option<String>,
    },
    /// Close a delivered order
    Close { number: String },
    /// Write a shipment's delivery note: to FILE (PDF when it ends in .pdf, else text), or
    /// as text to standard output
    Note {
        shipment: String,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub fn run(session: &mut Session, action: OrderAction) -> Result<()> {
    match action {
        OrderAction::Show { number, format } => {
            let order = orders::by_number(session, &number)?;
            let detail = orders::detail(session, order.id)?;
            match format {
                Format::Json => say!("{}", to_json(&detail))?,
                Format::Table | Format::Csv => say_raw!("{}", to_text(&detail))?,
            }
            Ok(())
        }
        OrderAction::Confirm { number } => {
            let order = orders::by_number(session, &number)?;
            let done = orders::confirm(session, order.id, order.version)?;
            say_confirmed(&done)?;
            Ok(())
        }
        OrderAction::Approve { number } => {
            let order = orders::by_number(session, &number)?;
            let done = orders::approve(session, order.id, order.version)?;
            say_confirmed(&done)?;
            Ok(())
        }
        OrderAction::Reject { number, reason } => {
            let order = orders::by_number(session, &number)?;
            let order = orders::reject(session, order.id, order.version, &reason)?;
            say!("{}", tf("entry.rejected", &[("number", &order.number)]))?;
            Ok(())
        }
        OrderAction::Cancel { number, reason } => {
            let order = orders::by_number(session, &number)?;
            let order = orders::cancel(session, order.id, order.version, &reason)?;
            say!("{}", tf("entry.cancelled", &[("number", &order.number)]))?;
            Ok(())
        }
        OrderAction::Allocate { number } => {
            let order = orders::by_number(session, &number)?;
            let waiting = orders::allocate(session, order.id)?;
            say!("{}", waiting_text(&waiting))?;
            Ok(())
        }
        OrderAction::Ship { shipment, carrier, tracking } => {
            let done = orders::ship_as_seen(session, &shipment, &carrier, &tracking, None)?;
            let status = status_label(done.order.status);
            let invoiced = orders::invoiced_suffix(&done.invoice);
            say!("{}{invoiced}", tf("entry.shipped", &[("shipment", &shipment), ("status", &status)]))?;
            Ok(())
        }
        OrderAction::Deliver { shipment, date } => {
            let date = match date.as_deref().map(crate::domain::fields::parse_date) {
                None => session.clock.today(),
                Some(Ok(Some(date))) => date,
                Some(_) => {
                    let problem = crate::error::describe_problem(&crate::domain::fields::Problem::InvalidDate);
                    return Err(Error::BadArgument(format!("--date: {problem}")));
                }
            };
            orders::deliver(session, &shipment, date)?;
            say!("{}", tf("entry.delivered", &[("shipment", &shipment), ("date", &date)]))?;
            Ok(())
        }
        OrderAction::Close { number } => {
            let order = orders::by_number(session, &number)?;
            orders::close(session, order.id, order.version)?;
            say!("{}", tf("entry.closed", &[("number", &order.number)]))?;
            Ok(())
        }
        OrderAction::Note { shipment, output } => {
            match output {
                Some(path) => {
                    let pdf = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
                    let bytes = if pdf {
                        crate::ops::order_docs::delivery_note_pdf(session, &shipment)?
                    } else {
                        crate::ops::order_docs::delivery_note(session, &shipment)?.into_bytes()
                    };
                    std::fs::write(&path, bytes).map_err(|source| Error::Io { path: path.clone(), source })?;
                    eprintln!("{}", tf("entry.note_written", &[("paths", &path.display())]));
                }
                None => say_raw!("{}", crate::ops::order_docs::delivery_note(session, &shipment)?)?,
            }
            Ok(())
        }
    }
}

fn say_confirmed(done: &orders::Confirmation) -> Result<()> {
    let number = &done.order.number;
    let invoiced = orders::invoiced_suffix(&done.invoice);
    if !done.needs_approval.is_empty() {
        let why: Vec<String> = done.needs_approval.iter().map(orders::describe_reason).collect();
        say!("{}", tf("entry.sent_for_approval", &[("number", number), ("why", &why.join("; "))]))?;
    } else if !done.approved_past.is_empty() {
        let why: Vec<String> = done.approved_past.iter().map(orders::describe_reason).collect();
        say!("{}{invoiced}", tf("entry.confirmed_as_manager", &[("number", number), ("why", &why.join("; "))]))?;
    } else if done.waiting.is_empty() {
        say!("{}{invoiced}", tf("entry.confirmed", &[("number", number)]))?;
    } else {
        let waiting = waiting_text(&done.waiting);
        say!("{}{invoiced}", tf("entry.confirmed_waiting", &[("number", number), ("waiting", &waiting)]))?;
    }
    Ok(())
}

fn waiting_text(waiting: &[(String, crate::domain::money::Quantity)]) -> String {
    if waiting.is_empty() {
        return crate::i18n::t("entry.nothing_waits").to_string();
    }
    let items: Vec<String> = waiting.iter().map(|(sku, q)| format!("{sku} x {}", q.value().normalize())).collect();
    tf("entry.waiting", &[("items", &items.join(", "))])
}

fn to_text(d: &OrderDetail) -> String {
    use std::fmt::Write as _;
    let o = &d.order;
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}  {} [{}]", o.number, o.status.as_str(), o.customer_name, o.customer_code);
    let _ = writeln!(
        out,
        "date {}  warehouse {}  salesperson {}  ship by {}",
        o.order_date, o.warehouse, o.salesperson, o.ship_by
    );
    if !o.address.is_empty() || !o.region.is_empty() {
        let _ = writeln!(out, "{}  {}", o.address, o.region);
    }
    if !o.reason.is_empty() {
        let _ = writeln!(out, "reason: {}", o.reason);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<4} {:<14} {:<30} {:>10} {:>10} {:>10} {:>12} {:>6} {:>6} {:>12}",
        "line", "sku", "name", "quantity", "shipped", "to_pick", "unit_price", "disc", "tax", "amount"
    );
    for l in &d.lines {
        let _ = writeln!(
            out,
            "{:<4} {:<14} {:<30} {:>10} {:>10} {:>10} {:>12} {:>6} {:>6} {:>12}",
            l.line,
            l.sku,
            crate::domain::text::truncate(&l.name, 30),
            l.quantity.to_string(),
            l.shipped.to_string(),
            l.allocated.to_string(),
            l.unit_price.to_string(),
            l.discount.to_string(),
            l.tax_rate.to_string(),
            l.amount.to_string()
        );
    }
    let _ = writeln!(out, "net {}  tax {}  gross {}", o.net, o.tax, o.gross);
    for s in &d.shipments {
        let items: Vec<String> =
            s.lines.iter().map(|l| format!("{} x{}", l.sku, l.quantity.value().normalize())).collect();
        let _ = writeln!(out, "shipment {} {} {} {} {}", s.number, s.status, s.carrier, s.tracking, items.join(", "));
    }
    let _ = writeln!(out);
    for e in &d.events {
        let _ = writeln!(out, "{}  {}  {}  {}", e.at, e.user, e.step, orders::describe_event(e));
    }
    out
}

fn to_json(d: &OrderDetail) -> serde_json::Value {
    let o = &d.order;
    serde_json::json!({
        "number": o.number,
        "status": o.status.as_str(),
        "customer": o.customer_code,
        "customer_name": o.customer_name,
        "order_date": o.order_date,
        "ship_by": o.ship_by,
        "warehouse": o.warehouse,
        "salesperson": o.salesperson,
        "region": o.region,
        "address": o.address,
        "note": o.note,
        "reason": o.reason,
        "prices_include_tax": o.prices_include_tax,
        "net": o.net.to_string(),
        "tax": o.tax.to_string(),
        "gross": o.gross.to_string(),
        "backorder": o.backorder,
        "lines": d.lines.iter().map(|l| serde_json::json!({
            "line": l.line,
            "sku": l.sku,
            "name": l.name,
            "quantity": l.quantity.to_string(),
            "unit_price": l.unit_price.to_string(),
            "discount": l.discount.to_string(),
            "tax_rate": l.tax_rate.to_string(),
            "amount": l.amount.to_string(),
            "to_pick": l.allocated.to_string(),
            "shipped": l.shipped.to_string(),
        })).collect::<Vec<_>>(),
        "shipments": d.shipments.iter().map(|s| serde_json::json!({
            "number": s.number,
            "status": s.status,
            "carrier": s.carrier,
            "tracking": s.tracking,
            "shipped_at": s.shipped_at,
            "delivered_on": s.delivered_on,
            "lines": s.lines.iter().map(|l| serde_json::json!({"sku": l.sku, "quantity": l.quantity.to_string()})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "timeline": d.events.iter().map(|e| serde_json::json!({"at": e.at, "user": e.user, "step": e.step, "detail": orders::describe_event(e)})).collect::<Vec<_>>(),
    })
}

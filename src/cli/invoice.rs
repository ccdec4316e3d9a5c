//! `shopdesk invoice ...`: draft invoices from orders, issue them, show and export them.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::i18n::tf;
use crate::ops::Session;
use crate::ops::invoices::{self, Basis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Txt,
    Pdf,
}

#[derive(Debug, Subcommand)]
pub enum InvoiceAction {
    /// Draft an invoice for one or more orders of one customer: what has shipped and is
    /// not invoiced yet (or, with --ordered, everything ordered)
    Draft {
        #[arg(required = true)]
        orders: Vec<String>,
        #[arg(long)]
        ordered: bool,
    },
    /// Issue a draft (draft 7, or 7): it takes the next number and never changes again
    Issue { draft: String },
    /// Delete a draft; its orders can be invoiced again
    Delete { draft: String },
    /// Show an invoice (INV-2026-000001, or draft 7)
    Show { invoice: String },
    /// The latest invoices and drafts
    List {
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Write an invoice as a file: PDF or plain text
    Export {
        invoice: String,
        #[arg(long, value_enum, default_value_t = DocFormat::Pdf)]
        format: DocFormat,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

pub fn run(session: &mut Session, action: InvoiceAction) -> Result<()> {
    match action {
        InvoiceAction::Draft { orders, ordered } => {
            let basis = if ordered { Basis::Ordered } else { Basis::Shipped };
            let d = invoices::draft_from_orders(session, &orders, basis)?;
            println!(
                "{}",
                tf("invoice.drafted", &[("id", &d.invoice.id), ("lines", &d.lines.len()), ("gross", &d.invoice.gross)])
            );
            Ok(())
        }
        InvoiceAction::Issue { draft } => {
            let d = invoices::find(session, &draft)?;
            let issued = invoices::issue(session, d.invoice.id, d.invoice.version)?;
            let number = issued.invoice.number.unwrap_or_default();
            println!(
                "{}",
                tf(
                    "invoice.issued",
                    &[("number", &number), ("gross", &issued.invoice.gross), ("due", &issued.invoice.due_date)]
                )
            );
            Ok(())
        }
        InvoiceAction::Delete { draft } => {
            let d = invoices::find(session, &draft)?;
            invoices::delete_draft(session, d.invoice.id)?;
            println!("{}", tf("invoice.deleted", &[("id", &d.invoice.id)]));
            Ok(())
        }
        InvoiceAction::Show { invoice } => {
            let d = invoices::find(session, &invoice)?;
            print!("{}", crate::ops::invoice_docs::text(session, &d)?);
            Ok(())
        }
        InvoiceAction::List { limit } => {
            for inv in invoices::recent(session, limit)? {
                let number = inv.number.clone().unwrap_or_else(|| format!("draft {}", inv.id));
                let name = if inv.issued { inv.customer_name.clone() } else { format!("customer {}", inv.customer_id) };
                println!("{number:<18} {:<10} {:>12}  {name}", inv.issue_date, inv.gross.to_string());
            }
            Ok(())
        }
        InvoiceAction::Export { invoice, format, output } => {
            let d = invoices::find(session, &invoice)?;
            let bytes = match format {
                DocFormat::Pdf => crate::ops::invoice_docs::pdf(session, &d)?,
                DocFormat::Txt => crate::ops::invoice_docs::text(session, &d)?.into_bytes(),
            };
            std::fs::write(&output, bytes).map_err(|source| Error::Io { path: output.clone(), source })?;
            eprintln!("{}", tf("entry.note_written", &[("paths", &output.display())]));
            Ok(())
        }
    }
}

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
    /// UBL 2.1 e-invoice (EN 16931 core)
    Ubl,
}

#[derive(Debug, Subcommand)]
pub enum PaymentAction {
    /// Record a payment from CUSTOMER (code): it settles the invoices named with --invoice,
    /// else the customer's open invoices oldest due first; the rest is their credit
    Record {
        customer: String,
        amount: String,
        /// cash, card, bank_transfer, mobile or other
        #[arg(long, default_value = "bank_transfer")]
        method: String,
        /// YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "")]
        reference: String,
        #[arg(long = "invoice")]
        invoices: Vec<String>,
    },
    /// Settle CUSTOMER's open invoices with the credit they have
    UseCredit { customer: String },
}

pub fn run_payment(session: &mut Session, action: PaymentAction) -> Result<()> {
    use crate::ops::payments;
    match action {
        PaymentAction::Record { customer, amount, method, date, reference, invoices } => {
            let amount = crate::domain::payment::amount(&amount)
                .map_err(|p| Error::BadArgument(format!("amount: {}", crate::error::describe_problem(&p))))?;
            let method = method_arg(&method)?;
            let date = match date.as_deref().map(crate::domain::fields::parse_date) {
                None => session.clock.today(),
                Some(Ok(Some(d))) => d,
                Some(_) => {
                    let problem = crate::error::describe_problem(&crate::domain::fields::Problem::InvalidDate);
                    return Err(Error::BadArgument(format!("--date: {problem}")));
                }
            };
            let receipt = payments::record(session, &customer, method, amount, date, &reference, &invoices)?;
            let settled = payments::describe_settled(&receipt.settled);
            say!(
                "{}",
                tf(
                    "payment.recorded",
                    &[("number", &receipt.number), ("settled", &settled), ("credit", &receipt.credit)]
                )
            )?;
            Ok(())
        }
        PaymentAction::UseCredit { customer } => {
            let settled = payments::use_credit(session, &customer)?;
            say!("{}", tf("payment.used_credit", &[("settled", &payments::describe_settled(&settled))]))?;
            Ok(())
        }
    }
}

fn method_arg(text: &str) -> Result<crate::domain::payment::Method> {
    crate::domain::payment::Method::parse(text)
        .map_err(|p| Error::BadArgument(format!("--method: {}", crate::error::describe_problem(&p))))
}

#[derive(Debug, Subcommand)]
pub enum RefundAction {
    /// Ask to pay back AMOUNT of CUSTOMER's credit (code); a manager decides
    Request {
        customer: String,
        amount: String,
        #[arg(long)]
        reason: String,
    },
    /// Approve a request (managers)
    Approve { number: String },
    /// Reject a request, saying why (managers)
    Reject {
        number: String,
        #[arg(long)]
        reason: String,
    },
    /// Pay out an approved request: a negative payment off the customer's credit
    Pay {
        number: String,
        /// cash, card, bank_transfer, mobile or other
        #[arg(long, default_value = "bank_transfer")]
        method: String,
    },
}

pub fn run_refund(session: &mut Session, action: RefundAction) -> Result<()> {
    use crate::ops::refunds;
    match action {
        RefundAction::Request { customer, amount, reason } => {
            let amount = crate::domain::payment::amount(&amount)
                .map_err(|p| Error::BadArgument(format!("amount: {}", crate::error::describe_problem(&p))))?;
            let r = refunds::request(session, &customer, amount, &reason)?;
            let customer = r.customer_code.as_str();
            say!(
                "{}",
                tf("refund.requested", &[("number", &r.number), ("amount", &r.amount), ("customer", &customer)])
            )?;
        }
        RefundAction::Approve { number } => {
            let r = refunds::approve(session, &number)?;
            say!("{}", tf("refund.decided", &[("number", &r.number), ("status", &r.status)]))?;
        }
        RefundAction::Reject { number, reason } => {
            let r = refunds::reject(session, &number, &reason)?;
            say!("{}", tf("refund.decided", &[("number", &r.number), ("status", &r.status)]))?;
        }
        RefundAction::Pay { number, method } => {
            let r = refunds::pay(session, &number, method_arg(&method)?)?;
            say!("{}", tf("refund.paid", &[("number", &r.number), ("amount", &r.amount)]))?;
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum InvoiceAction {
    /// Draft an invoice for one or more orders of one customer: what has shipped and is
    /// not invoiced yet (or, with --ordered, everything ordered); --customer CODE takes all
    /// of that customer's orders
    Draft {
        #[arg(required_unless_present = "customer", conflicts_with = "customer")]
        orders: Vec<String>,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        ordered: bool,
    },
    /// Issue a draft (draft 7, or 7): it takes the next number and never changes again
    Issue {
        draft: String,
        /// For a credit note: book the credited goods back into this warehouse
        #[arg(long, value_name = "WAREHOUSE")]
        return_to: Option<String>,
    },
    /// Draft a credit note for an issued invoice: all of it, or --line N:QTY for chosen
    /// lines; a reason is required
    Credit {
        invoice: String,
        #[arg(long)]
        reason: String,
        #[arg(long = "line", value_name = "N:QTY")]
        lines: Vec<String>,
    },
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
        InvoiceAction::Draft { orders, customer, ordered } => {
            let basis = if ordered { Basis::Ordered } else { Basis::Shipped };
            let d = match customer {
                Some(code) => invoices::draft_for_customer(session, &code, basis)?,
                None => invoices::draft_from_orders(session, &orders, basis)?,
            };
            say!(
                "{}",
                tf("invoice.drafted", &[("id", &d.invoice.id), ("lines", &d.lines.len()), ("gross", &d.invoice.gross)])
            )?;
            Ok(())
        }
        InvoiceAction::Issue { draft, return_to } => {
            let d = invoices::find(session, &draft)?;
            let issued = if d.invoice.credit_note {
                crate::ops::credit_notes::issue(session, d.invoice.id, d.invoice.version, return_to.as_deref())?
            } else if return_to.is_some() {
                return Err(Error::BadArgument(tf("credit.return_only", &[])));
            } else {
                invoices::issue(session, d.invoice.id, d.invoice.version)?
            };
            let number = issued.invoice.number.unwrap_or_default();
            say!(
                "{}",
                tf(
                    "invoice.issued",
                    &[("number", &number), ("gross", &issued.invoice.gross), ("due", &issued.invoice.due_date)]
                )
            )?;
            Ok(())
        }
        InvoiceAction::Credit { invoice, reason, lines } => {
            let chosen = crate::ops::credit_notes::parse_lines(&lines.join(","))?;
            let d = crate::ops::credit_notes::draft(session, &invoice, &chosen, &reason)?;
            say!(
                "{}",
                tf("credit.drafted", &[("id", &d.invoice.id), ("number", &invoice), ("gross", &d.invoice.gross)])
            )?;
            Ok(())
        }
        InvoiceAction::Delete { draft } => {
            let d = invoices::find(session, &draft)?;
            invoices::delete_draft(session, d.invoice.id)?;
            say!("{}", tf("invoice.deleted", &[("id", &d.invoice.id)]))?;
            Ok(())
        }
        InvoiceAction::Show { invoice } => {
            let d = invoices::find(session, &invoice)?;
            say_raw!("{}", crate::ops::invoice_docs::text(session, &d)?)?;
            Ok(())
        }
        InvoiceAction::List { limit } => {
            for inv in invoices::recent(session, limit)? {
                let number = inv.number.clone().unwrap_or_else(|| format!("draft {}", inv.id));
                let name = if inv.issued { inv.customer_name.clone() } else { format!("customer {}", inv.customer_id) };
                say!("{number:<18} {:<10} {:>12}  {name}", inv.issue_date, inv.gross.to_string())?;
            }
            Ok(())
        }
        InvoiceAction::Export { invoice, format, output } => {
            let d = invoices::find(session, &invoice)?;
            let bytes = match format {
                DocFormat::Pdf => crate::ops::invoice_docs::pdf(session, &d)?,
                DocFormat::Txt => crate::ops::invoice_docs::text(session, &d)?.into_bytes(),
                DocFormat::Ubl => crate::ops::ubl::ubl(session, &d)?.into_bytes(),
            };
            std::fs::write(&output, bytes).map_err(|source| Error::Io { path: output.clone(), source })?;
            eprintln!("{}", tf("entry.note_written", &[("paths", &output.display())]));
            Ok(())
        }
    }
}

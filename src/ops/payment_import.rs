//! Payments and refunds brought in from a file as history, keeping their numbers, with
//! what each was put against: after the invoices they pay (`invoice_import`), so what a
//! customer owes and has in credit is what it was.
//!
//! An allocation may take an invoice up to its total less what other payments took, as
//! `check` allows: in the shop a payment often came before a credit note, which then left
//! the customer credit; a file brings the credit note in first.

use chrono::NaiveDate;

use super::csv_io::{self, Errors};
use super::csv_stream::CsvStream;
use super::customers::ImportReport;
use super::invoice_csv::PAYMENT_COLUMNS;
use super::sales_history::Input;
use super::{Session, WriteCtx};
use crate::db::invoices::{self as repo, PaymentRecord};
use crate::domain::customer::Customer;
use crate::domain::fields::{Problem, check_text, parse_date};
use crate::domain::money::Money;
use crate::domain::payment::Method;
use crate::error::{Result, describe_problem};
use crate::i18n::tf;

/// The columns that belong to the payment rather than to one allocation.
const HEADER_COLUMNS: &[&str] = &["received_on", "customer", "method", "amount", "reference"];

struct Payment {
    row: u64,
    number: String,
    header: Vec<String>,
    customer: Customer,
    method: Method,
    amount: Money,
    received_on: NaiveDate,
    reference: String,
    /// (file line, invoice number, amount)
    allocations: Vec<(u64, String, Money)>,
}

/// `import_input` of a file already read.
pub fn import(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    import_input(session, &Input::from_bytes(bytes), dry_run)
}

/// Imports payments; one already in the shop must be as recorded (importing the same file
/// twice changes nothing), anything else is refused naming its line. Managers only.
///
/// The file is read a row at a time and each payment recorded when the next begins, so
/// memory holds one payment whatever the file's size (read whole, 95,118 payments took
/// 224 MB). After a row that does not read, the rest is only read, as nothing will be kept.
pub fn import_input(session: &mut Session, input: &Input, dry_run: bool) -> Result<ImportReport> {
    // Documents and money from a file: what a manager vouches for, as for sales history.
    session.require(crate::domain::user::Role::Manager)?;
    let required = ["number", "received_on", "customer", "method", "amount"];
    let (mut stream, positions) = CsvStream::open_table(input.open()?, PAYMENT_COLUMNS, &required)?;
    let today = session.clock.today();
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<ImportReport> {
        let mut errors = Errors::default();
        let mut report = ImportReport { dry_run, ..Default::default() };
        let mut pending: Option<Payment> = None;
        // Number -> the line its payment starts on, for a number met again.
        let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
        let mut unread = false;
        // Customers paid back by a refund of the file: the first such refund's line and amount.
        let mut refunded: std::collections::HashMap<i64, (u64, String)> = std::collections::HashMap::new();
        loop {
            let before = errors.list.len() + errors.more;
            let Some(line) = stream.next_record(&mut errors)? else {
                // The end of the file can bring problems too: then the last is not kept.
                unread |= errors.list.len() + errors.more > before;
                break;
            };
            let record = stream.record(line);
            let cell = |c: &str| record.named(&positions, PAYMENT_COLUMNS, c);
            let mut problem =
                |column: &str, p: Problem| errors.push(record.line, column, cell(column), describe_problem(&p));
            let number = cell("number").to_string();
            if let Err(p) = check_text(&number, true, 40, false) {
                problem("number", p);
            }
            let customer = crate::db::customers::find_by_code(tx, cell("customer"))?;
            if customer.is_none() {
                problem("customer", Problem::UnknownCustomer);
            }
            let method = Method::parse(cell("method")).map_err(|p| problem("method", p)).ok();
            let amount = match Money::parse(cell("amount")) {
                Ok(a) if a.is_zero() => {
                    problem("amount", Problem::MustBePositive);
                    None
                }
                Ok(a) => Some(a),
                Err(e) => {
                    problem("amount", Problem::InvalidAmount(e));
                    None
                }
            };
            let received_on = match parse_date(cell("received_on")) {
                Ok(Some(d)) if d > today => {
                    let text = tf("invoice_import.future", &[("date", &d)]);
                    errors.push(record.line, "received_on", cell("received_on"), text);
                    None
                }
                Ok(Some(d)) => Some(d),
                Ok(None) => {
                    problem("received_on", Problem::Required);
                    None
                }
                Err(p) => {
                    problem("received_on", p);
                    None
                }
            };
            let reference = check_text(cell("reference"), false, 100, false)
                .map_err(|p| errors.push(record.line, "reference", cell("reference"), describe_problem(&p)))
                .ok();
            let allocation = match (cell("invoice"), cell("allocated")) {
                ("", "") => None,
                (invoice, allocated) => match Money::parse(allocated) {
                    Ok(a) if a > Money::ZERO && !invoice.is_empty() => Some((record.line, invoice.to_string(), a)),
                    Ok(_) if invoice.is_empty() => {
                        errors.push(record.line, "invoice", "", describe_problem(&Problem::Required));
                        None
                    }
                    Ok(_) => {
                        errors.push(record.line, "allocated", allocated, describe_problem(&Problem::MustBePositive));
                        None
                    }
                    Err(e) => {
                        errors.push(record.line, "allocated", allocated, describe_problem(&Problem::InvalidAmount(e)));
                        None
                    }
                },
            };
            let header: Vec<String> = HEADER_COLUMNS.iter().map(|c| cell(c).to_string()).collect();
            unread |= errors.list.len() + errors.more > before;
            let (Some(customer), Some(method), Some(amount), Some(received_on), Some(reference)) =
                (customer, method, amount, received_on, reference)
            else {
                continue;
            };
            let same = pending.as_ref().is_some_and(|p| p.number == number);
            match (seen.get(&number).copied(), pending.as_mut()) {
                // A payment's rows are together: met again after others, it is a second one.
                (Some(first), _) if !same => {
                    let text = tf("invoice_import.apart", &[("number", &number), ("line", &first)]);
                    errors.push(record.line, "number", &number, text);
                    unread = true;
                }
                (Some(_), Some(p)) => {
                    if let Some(at) = (0..HEADER_COLUMNS.len()).find(|i| p.header[*i] != header[*i]) {
                        let text = tf("payment_import.header_differs", &[("number", &number), ("line", &p.row)]);
                        errors.push(record.line, HEADER_COLUMNS[at], &header[at], text);
                    }
                    p.allocations.extend(allocation);
                }
                _ => {
                    seen.insert(number.clone(), record.line);
                    let before = pending.replace(Payment {
                        row: record.line,
                        number,
                        header,
                        customer,
                        method,
                        amount,
                        received_on,
                        reference,
                        allocations: allocation.into_iter().collect(),
                    });
                    if let Some(done) = before
                        && keep(tx, ctx, &done, !unread, &mut errors, &mut report)?
                    {
                        note_refund(&mut refunded, &done);
                    }
                }
            }
        }
        if let Some(done) = pending
            && keep(tx, ctx, &done, !unread, &mut errors, &mut report)?
        {
            note_refund(&mut refunded, &done);
        }
        // A refund pays back credit that a payment or a credit note gave; past it, what the
        // customer owes and what the statements say part ways. Checked once the whole file
        // is in: a payment's allocations are all on its rows, including those made later
        // from the customer's credit, so at a refund's own row the credit can look short.
        if errors.is_empty() {
            let mut refunds: Vec<_> = refunded.into_iter().collect();
            refunds.sort_by_key(|(_, (line, _))| *line);
            for (customer, (line, amount)) in refunds {
                let credit = repo::credit(tx, customer)?;
                if credit < Money::ZERO {
                    let text = tf("payment_import.beyond_credit", &[("credit", &credit)]);
                    errors.push(line, "amount", &amount, text);
                }
            }
        }
        csv_io::finish_import(tx, ctx, errors, report, "payment")
    };
    session.write_or_rehearse(dry_run, work)
}

/// Remembers the first refund (a negative payment) of each customer that this file records,
/// to check their credit: one the shop has already is not the file's doing (an older
/// shop's export imported again stays unchanged, whatever its customers' credit).
fn note_refund(refunded: &mut std::collections::HashMap<i64, (u64, String)>, p: &Payment) {
    if p.amount < Money::ZERO {
        refunded.entry(p.customer.id.0).or_insert_with(|| (p.row, p.amount.to_string()));
    }
}

/// A payment read whole: the stored one left as it is, or recorded (then true). After a
/// row that did not read (`write` false) it is only checked, so the file's other problems
/// still show.
fn keep(
    tx: &rusqlite::Connection,
    ctx: &WriteCtx<'_>,
    p: &Payment,
    write: bool,
    errors: &mut Errors,
    report: &mut ImportReport,
) -> Result<bool> {
    if let Some(stored) = repo::payment_by_number(tx, &p.number)? {
        // Only checking, a payment may lack a row that did not read: not compared.
        if !write {
            return Ok(false);
        }
        if same_as_stored(&stored, p) {
            report.unchanged += 1;
        } else {
            let text = tf("payment_import.differs", &[("number", &p.number)]);
            errors.push(p.row, "number", &p.number, text);
        }
    } else if !write {
        checked(tx, p, errors)?;
    } else if record(tx, ctx, p, errors)? {
        report.created += 1;
        return Ok(true);
    }
    Ok(false)
}

/// The invoices a payment pays and how much of each, or `None` with why not pushed.
/// (Payments of the file not written, after a row that did not read, are not counted as
/// paid: an invoice paid past its total by two of them is found once the file reads.)
fn checked(tx: &rusqlite::Connection, p: &Payment, errors: &mut Errors) -> Result<Option<Vec<(i64, Money)>>> {
    let before = errors.count();
    if p.amount < Money::ZERO && !p.allocations.is_empty() {
        errors.push(p.row, "invoice", &p.allocations[0].1, tf("payment_import.refund_allocated", &[]));
    }
    let allocated = p.allocations.iter().fold(Money::ZERO, |sum, (_, _, a)| sum + *a);
    if p.amount > Money::ZERO && allocated > p.amount {
        let text = tf("payment_import.over_amount", &[("allocated", &allocated), ("amount", &p.amount)]);
        errors.push(p.row, "allocated", &allocated.to_string(), text);
    }
    let mut invoices = Vec::new();
    for (row, number, amount) in &p.allocations {
        let invoice = repo::by_number(tx, number)?.filter(|i| i.issued && !i.credit_note);
        let Some(invoice) = invoice else {
            errors.push(*row, "invoice", number, tf("payment_import.no_invoice", &[("number", number)]));
            continue;
        };
        if invoice.customer_id != p.customer.id.0 {
            let text = tf("payment_import.other_customer", &[("number", number), ("customer", &invoice.customer_code)]);
            errors.push(*row, "invoice", number, text);
            continue;
        }
        // What other payments took, and what this one took of it on earlier rows.
        let taken = repo::paid(tx, invoice.id)?
            + invoices.iter().filter(|(id, _)| *id == invoice.id).fold(Money::ZERO, |sum, (_, a)| sum + *a);
        if taken + *amount > invoice.gross {
            let args: [(&str, &dyn std::fmt::Display); 3] =
                [("number", number), ("gross", &invoice.gross), ("paid", &taken)];
            errors.push(*row, "allocated", &amount.to_string(), tf("payment_import.over_invoice", &args));
            continue;
        }
        invoices.push((invoice.id, *amount));
    }
    Ok((errors.count() == before).then_some(invoices))
}

/// Records one payment and its allocations, or pushes why not and returns false.
fn record(tx: &rusqlite::Connection, ctx: &WriteCtx<'_>, p: &Payment, errors: &mut Errors) -> Result<bool> {
    let Some(invoices) = checked(tx, p, errors)? else { return Ok(false) };
    let id = repo::insert_payment(
        tx,
        &p.number,
        p.customer.id.0,
        p.method.as_str(),
        p.amount,
        &p.received_on.to_string(),
        &p.reference,
        &ctx.now,
        &ctx.operator.name,
    )?;
    for (invoice, amount) in &invoices {
        repo::allocate(tx, id, *invoice, *amount, &ctx.now)?;
    }
    // Numbers made here later must not collide with imported ones.
    let numeric = p.number.get(..4).filter(|prefix| prefix.eq_ignore_ascii_case("PAY-")).map(|_| &p.number[4..]);
    if let Some(n) = numeric.and_then(|n| n.parse::<i64>().ok()).filter(|n| *n < 1_000_000_000_000) {
        crate::db::meta::raise_past(tx, "payment", n)?;
    }
    ctx.audit(tx, "import", "payment", Some(id), format!("{} {}", p.number, p.amount))?;
    Ok(true)
}

/// A payment the shop has is the file's when it agrees, and its allocations begin with the
/// file's: using the customer's credit here later puts more of it against invoices.
fn same_as_stored(stored: &PaymentRecord, p: &Payment) -> bool {
    let allocations: Vec<(String, Money)> =
        p.allocations.iter().map(|(_, n, a)| (n.to_ascii_uppercase(), *a)).collect();
    let stored_allocations: Vec<(String, Money)> =
        stored.allocations.iter().map(|(n, a)| (n.to_ascii_uppercase(), *a)).collect();
    stored.customer_code == p.customer.data.code
        && stored.method == p.method.as_str()
        && stored.amount == p.amount
        && stored.received_on == p.received_on.to_string()
        && stored.reference == p.reference
        && stored_allocations.starts_with(&allocations)
}

#[cfg(test)]
mod tests;

//! Issued invoices and credit notes brought in from a file as history, keeping their
//! numbers: a shop moving from another system (or from another shopdesk) keeps what it
//! billed, what is owed on it and its sales figures.
//!
//! Each document is issued into this shop's hash chain as the file gives it, in the
//! file's order. A number of this shop's own pattern continues its series without a gap
//! (so `check` still finds every series whole); any other number goes into the history
//! series, outside the gap-free check. Nothing moves stock: the goods went before.
//! The file's `hash` is not read: the chain is rebuilt here, and a whole export imported
//! into an empty shop gets the same hashes back (comparing the two exports shows it).

mod documents;

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::csv_io::{self, Errors, Record};
use super::csv_stream::CsvStream;
use super::customers::ImportReport;
use super::invoice_csv::INVOICE_COLUMNS;
use super::sales_history::Input;
use super::{Session, WriteCtx};
use crate::db::products::{self, Product};
use crate::domain::customer::Customer;
use crate::domain::fields::{Problem, parse_date, percent};
use crate::domain::money::{Money, Price, Quantity};
use crate::error::{Result, describe_problem};
use crate::i18n::tf;

/// The columns that belong to the document rather than to a line: every line repeats them.
const HEADER_COLUMNS: &[&str] = &[
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
];

/// One document as the file gives it.
struct Doc {
    /// The file line it starts on.
    row: u64,
    number: String,
    credit_note: bool,
    header: Vec<String>,
    customer: Customer,
    issue_date: NaiveDate,
    due_date: Option<NaiveDate>,
    prices_include_tax: Option<bool>,
    /// The printed customer: None where the file has no such column (the customer's own
    /// data is printed then, as issuing does).
    printed: [Option<String>; 3],
    credits: String,
    reason: String,
    /// net, tax, gross as the file gives them, to be checked against the lines.
    totals: [Option<Money>; 3],
    lines: Vec<Line>,
}

/// One line as the file gives it; what is empty is taken from the order line it bills,
/// the invoice line it credits or the product.
struct Line {
    row: u64,
    line: i64,
    order: String,
    order_line: Option<i64>,
    credits_line: Option<i64>,
    product: Option<Product>,
    sku: String,
    name: String,
    unit: String,
    quantity: Quantity,
    unit_price: Option<Price>,
    discount: Option<Decimal>,
    tax_rate: Option<Decimal>,
    amount: Option<Money>,
}

/// Imports issued invoices and credit notes as history; see the module's notes. A
/// document already in the shop must be as issued (importing the same file twice changes
/// nothing); anything else is refused naming its line. Managers only.
pub fn import(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    import_input(session, &Input::from_bytes(bytes), dry_run)
}

/// `import` reading the file a row at a time: each document is issued when the next one
/// begins, so memory holds one document whatever the file's size (read whole, the 100k
/// shop's 291,958 lines took 1.09 GB). A document with a row that does not read is left
/// out, and the documents after it are still checked (their numbers, dates, orders and
/// totals), so the file's problems come at once.
pub fn import_input(session: &mut Session, input: &Input, dry_run: bool) -> Result<ImportReport> {
    // Documents and money from a file: what a manager vouches for, as for sales history.
    session.require(crate::domain::user::Role::Manager)?;
    let required = ["number", "issue_date", "customer", "quantity"];
    let (mut stream, positions) = CsvStream::open_table(input.open()?, INVOICE_COLUMNS, &required)?;
    stream.keep_passed_over = true;
    let today = session.clock.today();
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<ImportReport> {
        let mut errors = Errors::default();
        let mut report = ImportReport { dry_run, ..Default::default() };
        let mut numbering = documents::Numbering::new(tx)?;
        let mut reader = DocReader::new(&positions);
        let problems = |errors: &Errors| errors.list.len() + errors.more;
        // Left-out documents (line, number, issue date) still to be placed in their series:
        // after the document being read, which comes before them, is.
        let mut to_place: Vec<(u64, String, Option<NaiveDate>)> = Vec::new();
        loop {
            let before = problems(&errors);
            let next = stream.next_record(&mut errors)?;
            if problems(&errors) > before {
                // Rows of another width were passed over: each leaves out the document its
                // number names. The end of the file can be wrong too (a quote left open):
                // that, or a row without a number, is taken as the document being read's.
                let mut unknown = stream.passed_over.is_empty() || stream.passed_over_more;
                for (line, record) in &stream.passed_over {
                    let cell = |column: &str| {
                        let index = INVOICE_COLUMNS.iter().position(|c| *c == column).and_then(|i| positions[i]);
                        index.and_then(|i| record.get(i)).map(str::trim).unwrap_or("")
                    };
                    match cell("number") {
                        "" => unknown = true,
                        number => {
                            numbering.leave_out(number);
                            to_place.push((*line, number.to_string(), parse_date(cell("issue_date")).ok().flatten()));
                        }
                    }
                }
                if unknown {
                    numbering.allow_gaps();
                    if let Some(doc) = &reader.current {
                        numbering.leave_out(&doc.number);
                    }
                }
            }
            let before = problems(&errors);
            let (done, row) = match next {
                Some(line) => {
                    let record = stream.record(line);
                    let number = cell_of(&record, &positions, "number").to_string();
                    let issued = parse_date(cell_of(&record, &positions, "issue_date")).ok().flatten();
                    (reader.row(tx, &record, &mut errors)?, Some((line, number, issued)))
                }
                None => (reader.current.take(), None),
            };
            if problems(&errors) > before {
                // Its document is left out: checking what is left of it would name problems
                // the file does not have.
                match row {
                    Some((line, number, issued)) if !number.is_empty() => {
                        numbering.leave_out(&number);
                        to_place.push((line, number, issued));
                    }
                    _ => {
                        numbering.allow_gaps();
                        if let Some(doc) = reader.current.as_ref().or(done.as_ref()) {
                            numbering.leave_out(&doc.number);
                        }
                    }
                }
            }
            if let Some(done) = done {
                if !numbering.is_left_out(&done.number) {
                    match documents::bring_in(tx, ctx, &done, &mut numbering, today, &mut errors)? {
                        documents::Outcome::Created => report.created += 1,
                        documents::Outcome::Unchanged => report.unchanged += 1,
                        documents::Outcome::Refused => {}
                    }
                }
                place_left_out(tx, &mut numbering, &mut to_place, &mut errors)?;
            }
            if next.is_none() {
                break;
            }
        }
        place_left_out(tx, &mut numbering, &mut to_place, &mut errors)?;
        numbering.store(tx)?;
        csv_io::finish_import(tx, ctx, errors, report, "invoice")
    };
    session.write_or_rehearse(dry_run, work)
}

/// Places the documents left out so far in their series, naming a gap before one.
fn place_left_out(
    tx: &rusqlite::Connection,
    numbering: &mut documents::Numbering,
    to_place: &mut Vec<(u64, String, Option<NaiveDate>)>,
    errors: &mut Errors,
) -> Result<()> {
    for (line, number, issued) in to_place.drain(..) {
        if let Some(gap) = numbering.place_left_out(tx, &number, issued)? {
            errors.push(line, "number", &number, gap);
        }
    }
    Ok(())
}

/// Customers kept for the rows that name them again; dropped past this many, so memory
/// stays bounded for a file of many customers.
const CUSTOMERS_KEPT: usize = 10_000;

/// Gathers rows into documents as they are read: one document at a time, each returned
/// when a row of the next begins.
struct DocReader<'p> {
    positions: &'p [Option<usize>],
    customers: HashMap<String, Option<Customer>>,
    /// Upper-cased number -> the line its document starts on, for a number met again.
    seen: HashMap<String, u64>,
    current: Option<Doc>,
}

impl<'p> DocReader<'p> {
    fn new(positions: &'p [Option<usize>]) -> Self {
        DocReader { positions, customers: HashMap::new(), seen: HashMap::new(), current: None }
    }

    /// Reads one row, naming each cell that does not read, into the document it belongs to.
    /// Returns the document before when this row begins another.
    fn row(&mut self, tx: &rusqlite::Connection, record: &Record, errors: &mut Errors) -> Result<Option<Doc>> {
        let positions = self.positions;
        let has =
            |column: &str| INVOICE_COLUMNS.iter().position(|k| *k == column).is_some_and(|i| positions[i].is_some());
        let customers = &mut self.customers;
        let cell = |c: &str| cell_of(record, positions, c);
        let mut problem =
            |column: &str, p: Problem| errors.push(record.line, column, cell(column), describe_problem(&p));
        let number = cell("number").to_string();
        if let Err(p) = crate::domain::fields::check_text(&number, true, 40, false) {
            problem("number", p);
        }
        let credit_note = match cell("kind") {
            "" | "invoice" => false,
            "credit_note" => true,
            _ => {
                problem("kind", Problem::NotOneOf { allowed: vec!["invoice", "credit_note"] });
                false
            }
        };
        let code = cell("customer").to_string();
        let customer = match customers.get(&code) {
            Some(found) => found.clone(),
            None => {
                let found = crate::db::customers::find_by_code(tx, &code)?;
                if customers.len() >= CUSTOMERS_KEPT {
                    customers.clear();
                }
                customers.insert(code.clone(), found.clone());
                found
            }
        };
        if customer.is_none() {
            problem("customer", Problem::UnknownCustomer);
        }
        let date = |column: &str, problem: &mut dyn FnMut(&str, Problem)| match parse_date(cell(column)) {
            Ok(d) => d,
            Err(p) => {
                problem(column, p);
                None
            }
        };
        let issue_date = date("issue_date", &mut problem);
        if issue_date.is_none() && cell("issue_date").is_empty() {
            problem("issue_date", Problem::Required);
        }
        let due_date = date("due_date", &mut problem);
        let prices_include_tax = match cell("prices_include_tax") {
            "" => None,
            text => crate::domain::stock::flag(text, false).map_err(|p| problem("prices_include_tax", p)).ok(),
        };
        let money = |column: &str, problem: &mut dyn FnMut(&str, Problem)| match cell(column) {
            "" => None,
            text => Money::parse(text).map_err(|e| problem(column, Problem::InvalidAmount(e))).ok(),
        };
        let totals = [money("net", &mut problem), money("tax", &mut problem), money("gross", &mut problem)];
        // What is printed on the document: one line each, of a sensible length.
        let mut text =
            |column: &str, max: usize| match crate::domain::fields::check_text(cell(column), false, max, false) {
                Ok(value) => value,
                Err(p) => {
                    problem(column, p);
                    String::new()
                }
            };
        let reason = text("reason", 500);
        // As long as the customer's own, which they were copied from; the address is printed
        // as street and city on one line.
        use crate::domain::customer::CustomerField as F;
        let address = F::Address.max_chars() + 2 + F::City.max_chars();
        for (column, max) in [
            ("customer_name", F::Name.max_chars()),
            ("customer_address", address),
            ("customer_tax_id", F::TaxId.max_chars()),
        ] {
            text(column, max);
        }
        if credit_note {
            for column in ["credits", "reason"] {
                if cell(column).is_empty() {
                    problem(column, Problem::Required);
                }
            }
        } else {
            for column in ["credits", "reason", "credits_line"] {
                if !cell(column).is_empty() {
                    errors.push(record.line, column, cell(column), tf("invoice_import.credit_note_only", &[]));
                }
            }
        }
        let line = read_line(tx, record, positions, errors)?;
        let header: Vec<String> = HEADER_COLUMNS.iter().map(|c| cell(c).to_string()).collect();
        let (Some(customer), Some(issue_date), Some(line)) = (customer, issue_date, line) else { return Ok(None) };
        // A document's rows are together: a number met again after others is a second
        // document under a number already taken, not more of the first.
        let key = number.to_uppercase();
        let current_key = self.current.as_ref().map(|d| d.number.to_uppercase());
        match (self.seen.get(&key).copied(), self.current.as_mut()) {
            (Some(first), _) if current_key.as_deref() != Some(key.as_str()) => {
                let text = tf("invoice_import.apart", &[("number", &number), ("line", &first)]);
                errors.push(record.line, "number", &number, text);
                Ok(None)
            }
            (Some(_), Some(doc)) => {
                if let Some(at) = (0..HEADER_COLUMNS.len()).find(|i| doc.header[*i] != header[*i]) {
                    let text = tf("invoice_import.header_differs", &[("number", &number), ("line", &doc.row)]);
                    errors.push(record.line, HEADER_COLUMNS[at], &header[at], text);
                }
                let number_of_line = if line.line == 0 { doc.lines.len() as i64 + 1 } else { line.line };
                if doc.lines.iter().any(|l| l.line == number_of_line) {
                    let text = tf("order.import_line_twice", &[("number", &number)]);
                    errors.push(record.line, "line", cell("line"), text);
                }
                doc.lines.push(Line { line: number_of_line, ..line });
                Ok(None)
            }
            _ => {
                let printed = ["customer_name", "customer_address", "customer_tax_id"]
                    .map(|c| has(c).then(|| cell(c).to_string()));
                self.seen.insert(key, record.line);
                let before = self.current.replace(Doc {
                    row: record.line,
                    number,
                    credit_note,
                    header,
                    customer,
                    issue_date,
                    due_date,
                    prices_include_tax,
                    printed,
                    credits: cell("credits").to_string(),
                    reason,
                    totals,
                    lines: vec![Line { line: if line.line == 0 { 1 } else { line.line }, ..line }],
                });
                Ok(before)
            }
        }
    }
}

/// A cell of `record` by its column's name, trimmed; empty when the file has no such column.
fn cell_of<'r>(record: &'r Record, positions: &[Option<usize>], column: &str) -> &'r str {
    record.named(positions, INVOICE_COLUMNS, column)
}

/// One row's line, or None when a cell it needs did not read (named in `errors`). Its
/// number is 0 when the file gives none: numbered in file order then.
fn read_line(
    tx: &rusqlite::Connection,
    record: &Record,
    positions: &[Option<usize>],
    errors: &mut Errors,
) -> Result<Option<Line>> {
    let cell = |c: &str| cell_of(record, positions, c);
    let before = errors.list.len() + errors.more;
    let mut problem = |column: &str, p: Problem| errors.push(record.line, column, cell(column), describe_problem(&p));
    let whole = |column: &str, problem: &mut dyn FnMut(&str, Problem)| match cell(column) {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                problem(column, Problem::NotAWholeNumber);
                None
            }
        },
    };
    let line = whole("line", &mut problem).unwrap_or(0);
    let order_line = whole("order_line", &mut problem);
    let credits_line = whole("credits_line", &mut problem);
    let sku = cell("sku").to_string();
    let product = match sku.as_str() {
        "" => None,
        code => {
            let found = products::product_by_code(tx, code)?;
            if found.is_none() {
                problem("sku", Problem::UnknownProduct);
            }
            found
        }
    };
    let quantity = crate::domain::stock::positive_quantity(cell("quantity")).unwrap_or_else(|p| {
        problem("quantity", p);
        Quantity::ZERO
    });
    let unit_price = match cell("unit_price") {
        "" => None,
        text => crate::domain::order::line_price(text).map_err(|p| problem("unit_price", p)).ok(),
    };
    let mut rate = |column: &str| match cell(column) {
        "" => None,
        text => percent(text).map_err(|p| problem(column, p)).ok(),
    };
    let (discount, tax_rate) = (rate("discount"), rate("tax_rate"));
    let amount = match cell("amount") {
        "" => None,
        text => Money::parse(text).map_err(|e| problem("amount", Problem::InvalidAmount(e))).ok(),
    };
    for (column, max) in [("name", crate::domain::stock::PRODUCT_NAME_MAX), ("unit", 20)] {
        if let Err(p) = crate::domain::fields::check_text(cell(column), false, max, false) {
            problem(column, p);
        }
    }
    if errors.list.len() + errors.more > before {
        return Ok(None);
    }
    Ok(Some(Line {
        row: record.line,
        line,
        order: cell("order").to_string(),
        order_line,
        credits_line,
        sku: product.as_ref().map(|p| p.data.sku.clone()).unwrap_or(sku),
        name: cell("name").to_string(),
        unit: cell("unit").to_string(),
        product,
        quantity,
        unit_price,
        discount,
        tax_rate,
        amount,
    }))
}

#[cfg(test)]
mod tests;

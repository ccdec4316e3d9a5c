//! Bringing one document in: its number placed, its lines tied to the orders they bill or
//! the invoice lines they credit, its totals computed as issuing computes them, and the
//! document issued into the chain.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;

use super::{Doc, Line};
use crate::db::invoices::{self as repo, Invoice, InvoiceLine, TaxLine};
use crate::db::orders as orders_repo;
use crate::domain::invoice::{HISTORY_SERIES, format_number, parse_number};
use crate::domain::money::Money;
use crate::domain::order::{OrderStatus, Pricing};
use crate::error::{Error, Result};
use crate::i18n::tf;
use crate::ops::WriteCtx;
use crate::ops::csv_io::Errors;
use crate::ops::invoices::{payment_days, printed_address};

pub enum Outcome {
    Created,
    Unchanged,
    Refused,
}

/// Where numbers stand in each series while a file is imported, and where the series'
/// counters must move to afterwards.
pub struct Numbering {
    patterns: Vec<(String, String)>,
    /// (series, year) -> the sequence the next document must carry, and the date of the
    /// one before (numbers follow the dates they were issued on).
    next: HashMap<(String, i32), (i64, Option<String>)>,
    /// series -> (year, next sequence) for its counter.
    reached: HashMap<String, (i32, i64)>,
    /// A row whose document is not known did not read (one of another width whose number
    /// cannot be told, a file cut off): any gap may be its document's, so none is named.
    /// The file is refused anyway.
    gaps_allowed: bool,
    /// Upper-cased numbers of the documents left out (a row of them did not read): not
    /// checked, and a credit note of one is not told its invoice is missing. At most
    /// `LEFT_OUT_KEPT`; past that, no credited invoice is said to be missing.
    left_out: HashSet<String>,
    left_out_overflow: bool,
}

/// Left-out numbers kept (about 3 MB); a file with more is refused for its rows anyway.
const LEFT_OUT_KEPT: usize = 100_000;

/// Where a document's number goes.
enum Placed {
    /// This shop's own series: the number as the series writes it.
    Series {
        series: String,
        number: String,
        year: i32,
        seq: i64,
    },
    History,
}

impl Numbering {
    pub fn new(tx: &Connection) -> Result<Numbering> {
        Ok(Numbering {
            patterns: repo::series(tx)?,
            next: HashMap::new(),
            reached: HashMap::new(),
            gaps_allowed: false,
            left_out: HashSet::new(),
            left_out_overflow: false,
        })
    }

    /// Places `doc`'s number, or says why it cannot be. A number exactly as one of this
    /// shop's series would write it belongs to that series and must be its next one: the
    /// series for its kind, the year it was issued, no gap. Any other number is history.
    fn place(&mut self, tx: &Connection, doc: &Doc) -> Result<std::result::Result<Placed, String>> {
        let own = if doc.credit_note { "CN" } else { "INV" };
        let year = doc.issue_date.year();
        for (series, pattern) in &self.patterns {
            let Some(parts) = parse_number(pattern, &doc.number) else { continue };
            let its_year = match parts.year {
                Some(y) if parts.two_digit_year && !parts.is_of_year(year) => 2000 + y,
                Some(y) if !parts.is_of_year(year) => y,
                _ => year,
            };
            let written = format_number(pattern, its_year, parts.seq).ok();
            if !written.as_deref().is_some_and(|w| w.eq_ignore_ascii_case(&doc.number)) {
                continue;
            }
            // Either would collide with a number the series will make one day.
            if its_year != year {
                let args: [(&str, &dyn std::fmt::Display); 4] =
                    [("number", &doc.number), ("series", series), ("year", &its_year), ("date", &doc.issue_date)];
                return Ok(Err(tf("invoice_import.numbered_for_year", &args)));
            }
            if series != own {
                return Ok(Err(tf("invoice_import.other_series", &[("number", &doc.number), ("series", series)])));
            }
            let key = (series.clone(), year);
            let (expected, before) = expected_next(&self.next, tx, &key)?;
            let date = doc.issue_date.to_string();
            // The next document of the series is judged from here on either way, so one
            // number out of place is named once rather than for every document after it.
            let latest = before.clone().max(Some(date.clone()));
            self.next.insert(key, (parts.seq.max(expected) + 1, latest));
            if parts.seq < expected || (parts.seq > expected && !self.gaps_allowed) {
                let next = format_number(pattern, year, expected).unwrap_or_default();
                let args: [(&str, &dyn std::fmt::Display); 4] =
                    [("number", &doc.number), ("series", series), ("year", &year), ("expected", &next)];
                return Ok(Err(tf("invoice_import.gap", &args)));
            }
            if let Some(before) = before.filter(|b| *b > date) {
                let args: [(&str, &dyn std::fmt::Display); 3] =
                    [("number", &doc.number), ("date", &date), ("before", &before)];
                return Ok(Err(tf("invoice_import.date_order", &args)));
            }
            let number = written.unwrap_or_default();
            return Ok(Ok(Placed::Series { series: series.clone(), number, year, seq: parts.seq }));
        }
        Ok(Ok(Placed::History))
    }

    /// A row did not read and its document's number cannot be told.
    pub fn allow_gaps(&mut self) {
        self.gaps_allowed = true;
    }

    /// Leaves out the document numbered `number` (a row of it did not read): it is not
    /// checked. Its number is placed in its series (`place_left_out`) once the document
    /// before it is.
    pub fn leave_out(&mut self, number: &str) {
        if self.left_out.len() < LEFT_OUT_KEPT {
            self.left_out.insert(number.to_uppercase());
        } else {
            self.left_out_overflow = true;
        }
    }

    /// Places a left-out document's number in its series, so the next one is not named a
    /// gap; the year is the number's own, else that of `issued` when the row told it. A gap
    /// before it is a gap all the same: what to say of it, if there is one.
    pub fn place_left_out(
        &mut self,
        tx: &Connection,
        number: &str,
        issued: Option<NaiveDate>,
    ) -> Result<Option<String>> {
        for (series, pattern) in &self.patterns {
            let Some(parts) = parse_number(pattern, number) else { continue };
            let year = match (parts.year, issued) {
                (Some(y), _) if parts.two_digit_year => 2000 + y,
                (Some(y), _) => y,
                (None, Some(date)) => date.year(),
                (None, None) => {
                    // No year to place it in: a gap after it cannot be told from a real one.
                    self.gaps_allowed = true;
                    return Ok(None);
                }
            };
            let key = (series.clone(), year);
            let (expected, before) = expected_next(&self.next, tx, &key)?;
            self.next.insert(key, (parts.seq.max(expected - 1) + 1, before));
            if parts.seq > expected && !self.gaps_allowed {
                let next = format_number(pattern, year, expected).unwrap_or_default();
                let args: [(&str, &dyn std::fmt::Display); 4] =
                    [("number", &number), ("series", series), ("year", &year), ("expected", &next)];
                return Ok(Some(tf("invoice_import.gap", &args)));
            }
            return Ok(None);
        }
        Ok(None)
    }

    pub fn is_left_out(&self, number: &str) -> bool {
        self.left_out.contains(&number.to_uppercase())
    }

    /// Whether a credited invoice not found may be one left out of the file.
    fn may_be_left_out(&self, number: &str) -> bool {
        self.left_out_overflow || self.is_left_out(number)
    }

    /// Moves each series' counter past the numbers imported into it.
    pub fn store(&self, tx: &Connection) -> Result<()> {
        for (series, (year, next)) in &self.reached {
            repo::raise_series(tx, series, *year, *next)?;
        }
        Ok(())
    }

    fn taken(&mut self, series: &str, year: i32, seq: i64) {
        let reached = self.reached.entry(series.to_string()).or_insert((year, seq + 1));
        if (year, seq + 1) > *reached {
            *reached = (year, seq + 1);
        }
    }
}

/// The sequence the next document of a series' year must carry, and the date of the one
/// before: as the file has taken them so far, else as the shop has issued them.
fn expected_next(
    next: &HashMap<(String, i32), (i64, Option<String>)>,
    tx: &Connection,
    key: &(String, i32),
) -> Result<(i64, Option<String>)> {
    if let Some(known) = next.get(key) {
        return Ok(known.clone());
    }
    let (issued, latest) = repo::issued_in_year(tx, &key.0, key.1)?;
    Ok((issued + 1, latest))
}

/// Imports one document: unchanged when the shop has it as the file says, refused (each
/// reason pushed onto `errors`) when something does not fit, else issued into the chain.
pub fn bring_in(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    doc: &Doc,
    numbering: &mut Numbering,
    today: NaiveDate,
    errors: &mut Errors,
) -> Result<Outcome> {
    let before = errors.list.len() + errors.more;
    let mut refuse = |column: &str, value: &str, text: String| errors.push(doc.row, column, value, text);
    if let Some(stored) = repo::by_number(tx, &doc.number)? {
        if same_as_stored(tx, &stored, doc)? {
            return Ok(Outcome::Unchanged);
        }
        refuse("number", &doc.number, tf("invoice_import.differs", &[("number", &doc.number)]));
        return Ok(Outcome::Refused);
    }
    let placed = match numbering.place(tx, doc)? {
        Ok(placed) => Some(placed),
        Err(text) => {
            refuse("number", &doc.number, text);
            None
        }
    };
    if doc.issue_date > today {
        refuse("issue_date", &doc.issue_date.to_string(), tf("invoice_import.future", &[("date", &doc.issue_date)]));
    }
    let due = match doc.due_date {
        Some(due) => due,
        None => doc.issue_date + chrono::Duration::days(payment_days(tx, &doc.customer.data)?),
    };
    if due < doc.issue_date {
        let text = tf("invoice_import.due_before", &[("date", &doc.issue_date)]);
        refuse("due_date", &due.to_string(), text);
    }
    let credited = match doc.credit_note {
        // Its invoice was left out of the file: nothing to check it against.
        true if numbering.may_be_left_out(&doc.credits) && repo::by_number(tx, &doc.credits)?.is_none() => {
            return Ok(Outcome::Refused);
        }
        true => credited_invoice(tx, doc, &mut refuse)?,
        false => None,
    };
    // A credit note whose invoice is not found is refused, its reason named above.
    if doc.credit_note && credited.is_none() {
        return Ok(Outcome::Refused);
    }
    let Some(placed) = placed else { return Ok(Outcome::Refused) };
    if errors.list.len() + errors.more > before {
        return Ok(Outcome::Refused);
    }
    let (series, number) = match &placed {
        Placed::Series { series, number, .. } => (series.as_str(), number.clone()),
        Placed::History => (HISTORY_SERIES, doc.number.clone()),
    };
    let id = match &credited {
        Some(credited) => repo::insert_credit_draft(tx, series, credited, &doc.reason, &ctx.now, &ctx.operator.name)?,
        None => {
            let include = match doc.prices_include_tax {
                Some(include) => include,
                None => crate::ops::order_entry::settings_in(tx)?.prices_include_tax,
            };
            repo::insert_draft(tx, series, doc.customer.id.0, include, &ctx.now, &ctx.operator.name)?
        }
    };
    let draft = repo::invoice(tx, id)?.ok_or_else(|| Error::NotFound { what: number.clone() })?;
    if let Some(given) = doc.prices_include_tax
        && given != draft.prices_include_tax
    {
        let basis = crate::domain::stock::flag_text(draft.prices_include_tax);
        let text = tf("invoice_import.basis", &[("number", &doc.credits), ("basis", &basis)]);
        errors.push(doc.row, "prices_include_tax", crate::domain::stock::flag_text(given), text);
    }
    for line in &doc.lines {
        let made = match &credited {
            Some(credited) => credit_line(tx, credited, line, errors)?,
            None => invoice_line(tx, doc, &draft, line, errors)?,
        };
        let Some(made) = made else { continue };
        if let Some(given) = line.amount
            && given != made.amount
        {
            let text = tf("order.import_amount", &[("amount", &made.amount)]);
            errors.push(line.row, "amount", &given.to_string(), text);
        }
        repo::insert_line(tx, id, &made)?;
        if !doc.credit_note
            && let (Some(order), Some(order_line)) = (made.order_id, made.order_line)
        {
            repo::add_invoiced(tx, order, order_line, made.quantity)?;
        }
    }
    if errors.list.len() + errors.more > before {
        return Ok(Outcome::Refused);
    }
    issue(tx, ctx, doc, draft, &number, due, errors)?;
    if let Placed::Series { series, year, seq, .. } = &placed {
        numbering.taken(series, *year, *seq);
    }
    if errors.list.len() + errors.more > before {
        return Ok(Outcome::Refused);
    }
    Ok(Outcome::Created)
}

/// The issued invoice a credit note credits: in the shop, or earlier in the file.
fn credited_invoice(tx: &Connection, doc: &Doc, refuse: &mut dyn FnMut(&str, &str, String)) -> Result<Option<Invoice>> {
    let Some(invoice) = repo::by_number(tx, &doc.credits)?.filter(|i| i.issued && !i.credit_note) else {
        refuse("credits", &doc.credits, tf("invoice_import.no_invoice", &[("number", &doc.credits)]));
        return Ok(None);
    };
    if invoice.customer_id != doc.customer.id.0 {
        let text =
            tf("invoice_import.credits_other", &[("number", &doc.credits), ("customer", &invoice.customer_code)]);
        refuse("credits", &doc.credits, text);
    }
    if invoice.issue_date.as_str() > doc.issue_date.to_string().as_str() {
        let args: [(&str, &dyn std::fmt::Display); 2] = [("number", &doc.credits), ("date", &invoice.issue_date)];
        refuse("issue_date", &doc.issue_date.to_string(), tf("invoice_import.before_credited", &args));
    }
    Ok(Some(invoice))
}

/// An invoice line as it will be stored: billing an order line when the file names the
/// order (the line as given, else the first of that product with enough left to bill),
/// priced as the file says, else as the order line, else as the product.
fn invoice_line(
    tx: &Connection,
    doc: &Doc,
    draft: &Invoice,
    line: &Line,
    errors: &mut Errors,
) -> Result<Option<InvoiceLine>> {
    let mut refuse = |column: &str, value: &str, text: String| errors.push(line.row, column, value, text);
    let mut billed = None;
    if !line.order.is_empty() {
        let Some(order) = orders_repo::order_by_number(tx, &line.order)? else {
            refuse("order", &line.order, tf("invoice_import.no_order", &[("order", &line.order)]));
            return Ok(None);
        };
        let status = crate::ops::orders::status_label(order.status);
        if order.sold_on.is_some() {
            refuse("order", &line.order, tf("invoice_import.history_order", &[("order", &order.number)]));
        } else if order.customer_id != doc.customer.id.0 {
            let text =
                tf("invoice_import.other_customer", &[("order", &order.number), ("customer", &order.customer_code)]);
            refuse("order", &line.order, text);
        } else if matches!(order.status, OrderStatus::Draft | OrderStatus::AwaitingApproval | OrderStatus::Cancelled) {
            refuse(
                "order",
                &line.order,
                tf("invoice_import.order_status", &[("order", &order.number), ("status", &status)]),
            );
        } else if order.prices_include_tax != draft.prices_include_tax {
            refuse("order", &line.order, tf("invoice.one_price_basis", &[("number", &order.number)]));
        }
        let lines = orders_repo::lines(tx, order.id)?;
        let mut room = Vec::new();
        for l in &lines {
            room.push(l.quantity - crate::ops::invoices::invoiced_of(tx, order.id, l.line)?);
        }
        let same_product = |l: &orders_repo::OrderLine| line.product.as_ref().is_none_or(|p| p.id == l.product_id);
        let found = match line.order_line {
            Some(n) => lines.iter().position(|l| l.line == n && same_product(l)),
            // The first of the product with room, else the first of the product (and the
            // refusal says how much it has).
            None => lines
                .iter()
                .zip(&room)
                .position(|(l, left)| same_product(l) && *left >= line.quantity)
                .or_else(|| lines.iter().position(same_product)),
        };
        let Some(at) = found else {
            let n = line.order_line.map(|n| n.to_string()).unwrap_or_default();
            let args: [(&str, &dyn std::fmt::Display); 3] =
                [("order", &order.number), ("sku", &line.sku), ("quantity", &line.quantity.value().normalize())];
            refuse("order_line", &n, tf("invoice_import.no_order_line", &args));
            return Ok(None);
        };
        if room[at] < line.quantity {
            let l = &lines[at];
            let args: [(&str, &dyn std::fmt::Display); 4] = [
                ("order", &order.number),
                ("line", &l.line),
                ("ordered", &l.quantity.value().normalize()),
                ("invoiced", &(l.quantity - room[at]).value().normalize()),
            ];
            refuse("quantity", &line.quantity.to_string(), tf("invoice_import.over_order", &args));
        }
        billed = Some((order.id, lines[at].clone()));
    }
    let from_order = billed.as_ref().map(|(_, l)| l);
    let product = line.product.as_ref();
    let unit_price = line.unit_price.or(from_order.map(|l| l.unit_price)).or(product.map(|p| p.data.sale_price));
    let tax_rate = line.tax_rate.or(from_order.map(|l| l.tax_rate)).or(product.map(|p| p.data.tax_rate));
    let (Some(unit_price), Some(tax_rate)) = (unit_price, tax_rate) else {
        let column = if unit_price.is_none() { "unit_price" } else { "tax_rate" };
        refuse(column, "", crate::error::describe_problem(&crate::domain::fields::Problem::Required));
        return Ok(None);
    };
    let discount = line.discount.or(from_order.map(|l| l.discount)).unwrap_or_default();
    let name = first_given(&line.name, from_order.map(|l| &l.name), product.map(|p| &p.data.name));
    if name.is_empty() {
        refuse("name", "", crate::error::describe_problem(&crate::domain::fields::Problem::Required));
        return Ok(None);
    }
    let pricing = Pricing { quantity: line.quantity, unit_price, discount, tax_rate };
    Ok(Some(InvoiceLine {
        line: line.line,
        order_id: billed.as_ref().map(|(id, _)| *id),
        order_line: from_order.map(|l| l.line),
        product_id: product.map(|p| p.id).or(from_order.map(|l| l.product_id)),
        sku: first_given(&line.sku, from_order.map(|l| &l.sku), None),
        name,
        unit: first_given(&line.unit, from_order.map(|l| &l.unit), product.map(|p| &p.data.unit)),
        quantity: line.quantity,
        unit_price,
        discount: discount.normalize(),
        tax_rate: tax_rate.normalize(),
        amount: pricing.amount(),
        credits_line: None,
    }))
}

/// A credit note line: the credited invoice's line as given (else the first of that
/// product with enough left to credit), at its price; never more than is left of it, and
/// the last of a line takes what is left of its amount, as a credit note made here does.
fn credit_line(tx: &Connection, credited: &Invoice, line: &Line, errors: &mut Errors) -> Result<Option<InvoiceLine>> {
    let mut refuse = |column: &str, value: &str, text: String| errors.push(line.row, column, value, text);
    let lines = repo::lines(tx, credited.id)?;
    // Drafts count, so this note's own earlier lines are counted too.
    let already = repo::credited_line_amounts(tx, credited.id)?;
    let taken = |n: i64| already.iter().find(|(l, _, _)| *l == n).map(|(_, q, a)| (*q, *a)).unwrap_or_default();
    // By SKU, else by name (a line that is no product, a service, has only that).
    let same_product = |l: &InvoiceLine| match (line.sku.as_str(), line.name.as_str()) {
        ("", "") => true,
        ("", name) => l.name == name,
        (sku, _) => l.sku.eq_ignore_ascii_case(sku),
    };
    let number = credited.number.clone().unwrap_or_default();
    let found = match line.credits_line {
        Some(n) => lines.iter().find(|l| l.line == n && same_product(l)),
        // Nothing says which line: not guessed.
        None if line.sku.is_empty() && line.name.is_empty() => None,
        None => lines
            .iter()
            .find(|l| same_product(l) && l.quantity - taken(l.line).0 >= line.quantity)
            .or_else(|| lines.iter().find(|l| same_product(l))),
    };
    let Some(l) = found else {
        let n = line.credits_line.map(|n| n.to_string()).unwrap_or_default();
        let args: [(&str, &dyn std::fmt::Display); 3] =
            [("number", &number), ("sku", &line.sku), ("quantity", &line.quantity.value().normalize())];
        refuse("credits_line", &n, tf("invoice_import.no_credited_line", &args));
        return Ok(None);
    };
    let (already, already_amount) = taken(l.line);
    let left = l.quantity - already;
    if line.quantity > left {
        let args: [(&str, &dyn std::fmt::Display); 4] = [
            ("sku", &l.sku),
            ("wanted", &line.quantity.value().normalize()),
            ("invoiced", &l.quantity.value().normalize()),
            ("credited", &already.value().normalize()),
        ];
        refuse("quantity", &line.quantity.to_string(), tf("credit.too_much", &args));
        return Ok(None);
    }
    let priced_otherwise = line.unit_price.is_some_and(|p| p != l.unit_price)
        || line.discount.is_some_and(|d| d.normalize() != l.discount.normalize())
        || line.tax_rate.is_some_and(|r| r.normalize() != l.tax_rate.normalize());
    if priced_otherwise {
        let args: [(&str, &dyn std::fmt::Display); 5] = [
            ("number", &number),
            ("line", &l.line),
            ("price", &l.unit_price),
            ("discount", &l.discount.normalize()),
            ("rate", &l.tax_rate.normalize()),
        ];
        refuse(
            "unit_price",
            &line.unit_price.map(|p| p.to_string()).unwrap_or_default(),
            tf("invoice_import.credit_priced", &args),
        );
    }
    let pricing =
        Pricing { quantity: line.quantity, unit_price: l.unit_price, discount: l.discount, tax_rate: l.tax_rate };
    let rest = l.amount - already_amount;
    Ok(Some(InvoiceLine {
        line: line.line,
        quantity: line.quantity,
        amount: if line.quantity == left { rest } else { pricing.amount().min(rest) },
        credits_line: Some(l.line),
        name: if line.name.is_empty() { l.name.clone() } else { line.name.clone() },
        unit: if line.unit.is_empty() { l.unit.clone() } else { line.unit.clone() },
        ..l.clone()
    }))
}

fn first_given(given: &str, then: Option<&String>, last: Option<&String>) -> String {
    if !given.is_empty() {
        return given.to_string();
    }
    then.filter(|s| !s.is_empty()).or(last).cloned().unwrap_or_default()
}

/// Totals, tax per rate and the hash as issuing makes them; the file's totals, when
/// given, must be what the lines come to.
fn issue(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    doc: &Doc,
    draft: Invoice,
    number: &str,
    due: NaiveDate,
    errors: &mut Errors,
) -> Result<()> {
    let lines = repo::lines(tx, draft.id)?;
    let amounts: Vec<(Money, rust_decimal::Decimal)> = lines.iter().map(|l| (l.amount, l.tax_rate)).collect();
    let totals = match crate::domain::order::totals(&amounts, draft.prices_include_tax) {
        Ok(totals) => totals,
        Err(e) => {
            errors.push(doc.row, "gross", "", tf("order.too_large", &[("value", &e)]));
            return Ok(());
        }
    };
    let computed = [totals.net, totals.tax, totals.gross];
    if let Some(at) = (0..3).find(|i| doc.totals[*i].is_some_and(|given| given != computed[*i])) {
        let column = ["net", "tax", "gross"][at];
        let args: [(&str, &dyn std::fmt::Display); 4] =
            [("number", &doc.number), ("net", &totals.net), ("tax", &totals.tax), ("gross", &totals.gross)];
        let given = doc.totals[at].map(|m| m.to_string()).unwrap_or_default();
        errors.push(doc.row, column, &given, tf("invoice_import.totals", &args));
        return Ok(());
    }
    let taxes: Vec<TaxLine> = totals.rates.iter().map(|r| TaxLine { rate: r.rate, base: r.base, tax: r.tax }).collect();
    for t in &taxes {
        repo::insert_tax(tx, draft.id, t)?;
    }
    repo::set_totals(tx, draft.id, totals.net, totals.tax, totals.gross)?;
    let c = &doc.customer.data;
    let [name, address, tax_id] = &doc.printed;
    let issued = Invoice {
        number: Some(number.to_string()),
        issued: true,
        customer_code: c.code.clone(),
        customer_name: name.clone().unwrap_or_else(|| c.name.clone()),
        customer_address: address.clone().unwrap_or_else(|| printed_address(c)),
        customer_tax_id: tax_id.clone().unwrap_or_else(|| c.tax_id.clone()),
        issue_date: doc.issue_date.to_string(),
        due_date: due.to_string(),
        net: totals.net,
        tax: totals.tax,
        gross: totals.gross,
        ..draft
    };
    crate::ops::invoices::chain_in(tx, ctx, &issued, &taxes)?;
    ctx.audit(
        tx,
        "import",
        if doc.credit_note { "credit_note" } else { "invoice" },
        Some(issued.id),
        number.to_string(),
    )
}

/// A document the shop has is the file's when everything the file gives agrees with it.
fn same_as_stored(tx: &Connection, stored: &Invoice, doc: &Doc) -> Result<bool> {
    let lines = repo::lines(tx, stored.id)?;
    let credited = match stored.credits_id {
        Some(id) => repo::invoice_number(tx, id)?,
        None => String::new(),
    };
    let printed = [&stored.customer_name, &stored.customer_address, &stored.customer_tax_id];
    let header_same = stored.issued
        && stored.credit_note == doc.credit_note
        && stored.issue_date == doc.issue_date.to_string()
        && doc.due_date.is_none_or(|d| d.to_string() == stored.due_date)
        && stored.customer_id == doc.customer.id.0
        && doc.printed.iter().zip(printed).all(|(given, stored)| given.as_ref().is_none_or(|g| g == stored))
        && doc.prices_include_tax.is_none_or(|i| i == stored.prices_include_tax)
        && credited.eq_ignore_ascii_case(&doc.credits)
        && stored.reason == doc.reason
        && doc.totals.iter().zip([stored.net, stored.tax, stored.gross]).all(|(g, s)| g.is_none_or(|g| g == s));
    let lines_same = lines.len() == doc.lines.len()
        && doc.lines.iter().all(|d| {
            lines.iter().find(|s| s.line == d.line).is_some_and(|s| {
                s.quantity == d.quantity
                    && (d.sku.is_empty() || s.sku.eq_ignore_ascii_case(&d.sku))
                    && d.unit_price.is_none_or(|p| p == s.unit_price)
                    && d.discount.is_none_or(|x| x.normalize() == s.discount.normalize())
                    && d.tax_rate.is_none_or(|x| x.normalize() == s.tax_rate.normalize())
                    && d.amount.is_none_or(|a| a == s.amount)
            })
        });
    Ok(header_same && lines_same)
}

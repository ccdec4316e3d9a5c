//! Orders in and out as CSV, one row per order line. Import creates drafts or confirmed
//! orders (confirming reserves stock and asks for approval as the entry screen does), and
//! orders further on as history: their shipped quantities as the file says, with no stock
//! moved. An order already in the file's database must be exactly as stored.

use std::collections::HashSet;
use std::io::Write;

use rust_decimal::Decimal;

use super::csv_io::{self, Errors, SafeWriter};
use super::csv_stream::CsvStream;
use super::customers::ImportReport;
use super::order_entry::{DraftLine, HeaderInput, OrderDraft};
use super::sales_history::Input;
use super::{Session, WriteCtx};
use crate::db::orders as repo;
use crate::db::products;
use crate::domain::fields::{Problem, parse_date, percent};
use crate::domain::money::{Money, Quantity};
use crate::domain::order::{OrderStatus, line_price};
use crate::error::{Error, Result, describe_problem};
use crate::i18n::tf;

pub const ORDER_COLUMNS: &[&str] = &[
    "number",
    "customer",
    "status",
    "order_date",
    "ship_by",
    "warehouse",
    "salesperson",
    "region",
    "address",
    "note",
    "reason",
    "prices_include_tax",
    "line",
    "sku",
    "quantity",
    "unit_price",
    "discount",
    "tax_rate",
    "amount",
    "shipped",
];

fn percent_text(value: Decimal) -> String {
    value.normalize().to_string()
}

pub fn export(session: &Session, out: impl Write) -> Result<usize> {
    write_orders(session, out, &mut |each| repo::for_each_order(session.db.conn(), each))
}

/// `export` of the orders `ids` names, in that order: the list's filtered rows as the list
/// sorts them.
pub fn export_some(session: &Session, ids: &[i64], out: impl Write) -> Result<usize> {
    write_orders(session, out, &mut |each| {
        for id in ids {
            if let Some(order) = repo::order(session.db.conn(), *id)? {
                each(order)?;
            }
        }
        Ok(())
    })
}

/// The orders `source` visits, with their lines, as CSV. Sales history (orders sold
/// elsewhere, with `sold_on`) is left out: it goes out and comes back in as
/// `sales-history`, and as an order here it would come back as the shop's own sale.
fn write_orders(
    session: &Session,
    out: impl Write,
    source: &mut dyn FnMut(super::Visit<'_, repo::Order>) -> Result<()>,
) -> Result<usize> {
    let conn = session.db.conn();
    let mut writer = SafeWriter::new(out);
    writer.row(ORDER_COLUMNS.iter().copied())?;
    let mut n = 0;
    source(&mut |o| {
        if o.sold_on.is_some() {
            return Ok(());
        }
        for l in repo::lines(conn, o.id)? {
            n += 1;
            writer.row([
                o.number.as_str(),
                &o.customer_code,
                o.status.as_str(),
                &o.order_date,
                &o.ship_by,
                &o.warehouse,
                &o.salesperson,
                &o.region,
                &o.address,
                &o.note,
                &o.reason,
                crate::domain::stock::flag_text(o.prices_include_tax),
                &l.line.to_string(),
                &l.sku,
                &l.quantity.to_string(),
                &l.unit_price.to_string(),
                &percent_text(l.discount),
                &percent_text(l.tax_rate),
                &l.amount.to_string(),
                &l.shipped.to_string(),
            ])?;
        }
        Ok(())
    })?;
    writer.finish()?;
    Ok(n)
}

/// One order as the file gives it.
struct Imported {
    line: u64,
    number: String,
    status: OrderStatus,
    draft: OrderDraft,
    /// The order's own columns as its first line gave them: every line must agree.
    header: Vec<String>,
    /// Why it was cancelled or sent back; None when the file has no `reason` column (an
    /// export from before it had one), which then leaves a stored reason as it is.
    reason: Option<String>,
    /// A line of it had a problem, named already: saving it would only name it again.
    flawed: bool,
    /// The price basis the file gives; None leaves a stored order's as it is.
    basis_given: Option<bool>,
    /// Per line: whether the file gave its unit price, discount and tax rate. One it left
    /// empty is today's (the product's price, the tier's discount), which a stored order
    /// need not have: it is not compared, so the same file imported again is the same.
    given: Vec<[bool; 3]>,
}

/// The columns that belong to the order rather than to a line: those of `ORDER_COLUMNS`
/// after the number and before `line`, taken from it so the two cannot drift apart.
const HEADER_COLUMNS: &[&str] = ORDER_COLUMNS.split_at(FIRST_LINE_COLUMN).0.split_at(1).1;
const FIRST_LINE_COLUMN: usize = 12;
const _: () = assert!(matches!(ORDER_COLUMNS[FIRST_LINE_COLUMN].as_bytes(), b"line"));

/// `import_input` of a file already read.
pub fn import(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    import_input(session, &Input::from_bytes(bytes), dry_run)
}

/// Imports orders: new numbers become drafts or confirmed orders; numbers that exist
/// must match what is stored (a second import of the same file changes nothing).
///
/// The file is read a record at a time and each order is written as soon as a line of
/// another order follows it, so memory holds one order whatever the file's size (read
/// whole, 305,000 lines took 870 MB). An order's lines must therefore be together, as
/// exports write them. Everything is in one transaction, refused whole on any error.
pub fn import_input(session: &mut Session, input: &Input, dry_run: bool) -> Result<ImportReport> {
    let required = ["number", "customer", "sku", "quantity"];
    let (mut stream, positions) = CsvStream::open_table(input.open()?, ORDER_COLUMNS, &required)?;
    let today = session.clock.today();
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<ImportReport> {
        let mut errors = Errors::default();
        let mut report = ImportReport { dry_run, ..Default::default() };
        // The numbers of the orders read so far (lower case): meeting one again means its
        // lines were apart. About 50 bytes an order.
        let mut written: HashSet<String> = HashSet::new();
        let reason_given = ORDER_COLUMNS.iter().position(|c| *c == "reason").is_some_and(|i| positions[i].is_some());
        let mut pending: Option<Imported> = None;
        let shop_basis = super::order_entry::settings_in(tx)?.prices_include_tax;
        // The problems counted when the line before began, that line's number, and the
        // number (lower case) of the last order a line of which had a problem: an order is
        // flawed whichever of its lines had one, even one that could not join it.
        let (mut counted, mut previous, mut flawed) = (0usize, String::new(), None::<String>);
        let flag = |o: &mut Imported, flawed: &Option<String>| {
            o.flawed |= flawed.as_deref() == Some(o.number.to_ascii_lowercase().as_str());
        };
        while let Some(line) = stream.next_record(&mut errors)? {
            if errors.count() > counted {
                flawed = Some(previous.clone());
            }
            let cell = |c: &str| {
                ORDER_COLUMNS
                    .iter()
                    .position(|k| *k == c)
                    .and_then(|i| positions[i])
                    .map_or("", |at| stream.cell(at))
                    .trim()
            };
            let number = cell("number").to_string();
            // Another number ends the order before, whatever this line's problems.
            if let Some(mut done) = pending.take_if(|o| !o.number.eq_ignore_ascii_case(&number)) {
                flag(&mut done, &flawed);
                write_order(tx, ctx, done, &mut written, today, &mut errors, &mut report)?;
            }
            (counted, previous) = (errors.count(), number.to_ascii_lowercase());
            let mut problem = |column: &str, p: Problem| errors.push(line, column, cell(column), describe_problem(&p));
            if !crate::domain::customer::valid_code(&number) {
                problem("number", Problem::InvalidCode);
            }
            // Written as cancelling or sending back would take it.
            if let Err(p) = crate::domain::fields::check_text(cell("reason"), false, 500, false) {
                problem("reason", p);
            }
            let customer = crate::db::customers::find_by_code(tx, cell("customer"))?;
            if customer.is_none() {
                problem("customer", Problem::UnknownCustomer);
            }
            let status = match cell("status") {
                "" => OrderStatus::Draft,
                text => OrderStatus::parse(text).unwrap_or_else(|p| {
                    problem("status", p);
                    OrderStatus::Draft
                }),
            };
            // An order keeps the basis it was priced on; empty (or an older export without
            // the column) is the shop's setting now, as the entry screen would price it.
            // None: the file does not say (an older export, an empty cell); then the order
            // is priced on the shop's setting, and one already stored is not held to it.
            let basis_given = match cell("prices_include_tax") {
                "" => None,
                text => crate::domain::stock::flag(text, shop_basis).map_err(|p| problem("prices_include_tax", p)).ok(),
            };
            let prices_include_tax = basis_given.unwrap_or(shop_basis);
            let order_date = match parse_date(cell("order_date")) {
                // After today, or before 1990: a typing slip, as sales history says of its dates.
                Ok(Some(d)) if crate::domain::history::implausible_day(d, today) => {
                    problem("order_date", Problem::ImplausibleDay { today: today.to_string() });
                    String::new()
                }
                Ok(Some(d)) => d.to_string(),
                Ok(None) => today.to_string(),
                Err(p) => {
                    problem("order_date", p);
                    String::new()
                }
            };
            let product = products::product_by_code(tx, cell("sku"))?;
            if product.is_none() {
                problem("sku", Problem::UnknownProduct);
            }
            let quantity = crate::domain::stock::positive_quantity(cell("quantity")).unwrap_or_else(|p| {
                problem("quantity", p);
                Quantity::ZERO
            });
            let unit_price = match cell("unit_price") {
                "" => product.as_ref().map(|p| p.data.sale_price),
                text => line_price(text).map_err(|p| problem("unit_price", p)).ok(),
            };
            // As on the entry screen, an empty discount is the customer's tier discount.
            let discount = match cell("discount") {
                "" => match &customer {
                    Some(c) => super::order_entry::tier_discount_in(tx, &c.data.tier)?,
                    None => Decimal::ZERO,
                },
                text => percent(text).unwrap_or_else(|p| {
                    problem("discount", p);
                    Decimal::ZERO
                }),
            };
            let tax_rate = match cell("tax_rate") {
                "" => product.as_ref().map(|p| p.data.tax_rate),
                text => percent(text).map_err(|p| problem("tax_rate", p)).ok(),
            };
            let (Some(customer), Some(product), Some(unit_price), Some(tax_rate)) =
                (customer, product, unit_price, tax_rate)
            else {
                continue;
            };
            if let Err(p) = crate::domain::stock::fits_unit(&product.data.unit, quantity) {
                errors.push(line, "quantity", cell("quantity"), describe_problem(&p));
            }
            // The file's line number is kept (an export's numbers have gaps where lines were
            // removed); without one, lines are numbered in file order.
            let number_in_file = match cell("line") {
                "" => None,
                text => match text.parse::<i64>() {
                    Ok(n) if n > 0 => Some(n),
                    _ => {
                        errors.push(line, "line", text, describe_problem(&Problem::NotAWholeNumber));
                        None
                    }
                },
            };
            // What shipped is history the order's status must agree with (checked below).
            let shipped = match cell("shipped") {
                "" => Quantity::ZERO,
                text => crate::domain::stock::stock_quantity(text)
                    .and_then(|q| crate::domain::stock::fits_unit(&product.data.unit, q))
                    .unwrap_or_else(|p| {
                        errors.push(line, "shipped", text, describe_problem(&p));
                        Quantity::ZERO
                    }),
            };
            let draft_line =
                DraftLine { line: number_in_file, product, quantity, unit_price, discount, tax_rate, shipped };
            let given = ["unit_price", "discount", "tax_rate"].map(|c| !cell(c).is_empty());
            let amount_given = cell("amount");
            // An order stored already keeps the prices it was made at: today's, filled in
            // for cells the file leaves empty, say nothing about its amounts.
            let priced_today = given.contains(&false) && !amount_given.is_empty();
            let stored = priced_today && repo::order_by_number(tx, &number)?.is_some();
            if !amount_given.is_empty() && !stored && Money::parse(amount_given).ok() != Some(draft_line.amount()) {
                let text = tf("order.import_amount", &[("amount", &draft_line.amount())]);
                errors.push(line, "amount", amount_given, text);
            }
            let header_cells: Vec<String> = HEADER_COLUMNS.iter().map(|c| cell(c).to_string()).collect();
            match pending.as_mut() {
                Some(o) => {
                    if let Some(at) = (0..HEADER_COLUMNS.len()).find(|i| o.header[*i] != header_cells[*i]) {
                        let column = HEADER_COLUMNS[at];
                        let text = tf("order.import_header_differs", &[("number", &number), ("line", &o.line)]);
                        errors.push(line, column, &header_cells[at], text);
                    }
                    let taken = draft_line.line.is_some() && o.draft.lines.iter().any(|l| l.line == draft_line.line);
                    if taken {
                        errors.push(line, "line", cell("line"), tf("order.import_line_twice", &[("number", &number)]));
                    }
                    o.draft.lines.push(draft_line);
                    o.given.push(given);
                }
                None => {
                    // Empty columns are what the entry screen would fill in from the customer.
                    let from_customer = |given: &str, default: String| {
                        if given.is_empty() { default } else { given.to_string() }
                    };
                    let c = &customer.data;
                    let customer_address = [c.address.as_str(), c.city.as_str()]
                        .iter()
                        .filter(|s| !s.trim().is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ");
                    let header = HeaderInput {
                        warehouse: match cell("warehouse") {
                            "" => crate::db::products::warehouses(tx)?
                                .into_iter()
                                .find(|w| w.data.is_default)
                                .map(|w| w.data.code)
                                .unwrap_or_default(),
                            code => code.to_string(),
                        },
                        address: from_customer(cell("address"), customer_address),
                        region: from_customer(cell("region"), c.region.clone()),
                        salesperson: from_customer(cell("salesperson"), c.salesperson.clone()),
                        ship_by: cell("ship_by").to_string(),
                        note: cell("note").to_string(),
                    };
                    let draft = OrderDraft {
                        customer: Some(customer),
                        header,
                        lines: vec![draft_line],
                        prices_include_tax,
                        imported: Some((number.clone(), order_date)),
                        ..OrderDraft::default()
                    };
                    let reason = reason_given.then(|| cell("reason").to_string());
                    pending = Some(Imported {
                        line,
                        number,
                        status,
                        draft,
                        header: header_cells,
                        reason,
                        flawed: false,
                        basis_given,
                        given: vec![given],
                    });
                }
            }
        }
        if errors.count() > counted {
            flawed = Some(previous);
        }
        if let Some(mut done) = pending.take() {
            flag(&mut done, &flawed);
            write_order(tx, ctx, done, &mut written, today, &mut errors, &mut report)?;
        }
        csv_io::finish_import(tx, ctx, errors, report, "order")
    };
    session.write_or_rehearse(dry_run, work)
}

/// Writes one order of the file once all its lines are read: new, the same as stored, or
/// refused with the reason named at its first line.
fn write_order(
    tx: &rusqlite::Connection,
    ctx: &WriteCtx<'_>,
    o: Imported,
    written: &mut HashSet<String>,
    today: chrono::NaiveDate,
    errors: &mut Errors,
    report: &mut ImportReport,
) -> Result<()> {
    if !written.insert(o.number.to_ascii_lowercase()) {
        errors.push(o.line, "number", &o.number, tf("order.import_lines_apart", &[("number", &o.number)]));
        return Ok(());
    }
    if o.flawed {
        return Ok(());
    }
    let lines: Vec<(Quantity, Quantity)> = o.draft.lines.iter().map(|l| (l.quantity, l.shipped)).collect();
    if !o.status.fits_shipped(&lines) {
        let status = super::orders::status_label(o.status);
        let text = tf("order.import_shipped", &[("number", &o.number), ("status", &status)]);
        errors.push(o.line, "status", o.status.as_str(), text);
        return Ok(());
    }
    if let Some(stored) = repo::order_by_number(tx, &o.number)? {
        if same_as_stored(tx, &stored, &o)? {
            report.unchanged += 1;
        } else {
            errors.push(o.line, "number", &o.number, tf("order.import_differs", &[("number", &o.number)]));
        }
        return Ok(());
    }
    // Past confirmed, an order is history a manager vouches for: it skips approval
    // and can be invoiced, as invoices and payments from a file are a manager's.
    let history = !matches!(o.status, OrderStatus::Draft | OrderStatus::Confirmed);
    if history && !ctx.operator.role.allows(crate::domain::user::Role::Manager) {
        let status = super::orders::status_label(o.status);
        let text = tf("order.import_history_manager", &[("number", &o.number), ("status", &status)]);
        errors.push(o.line, "status", o.status.as_str(), text);
        return Ok(());
    }
    // A cancelled order's or a rejected draft's reason is kept as the file gives it,
    // once the order has its status (each step there clears it).
    let reason = o.reason.as_deref().unwrap_or("");
    let mut awaits_approval = false;
    let saved = super::orders::save_in(tx, ctx, &o.draft, today).and_then(|id| match o.status {
        OrderStatus::Draft => Ok(id),
        OrderStatus::Confirmed => {
            let version = repo::order(tx, id)?.map(|s| s.version).unwrap_or_default();
            let confirmed = super::orders::confirm_in(tx, ctx, id, version)?;
            awaits_approval = !confirmed.needs_approval.is_empty();
            Ok(id)
        }
        // Past confirmed, the order is history as the file tells it.
        status => {
            let shipped: Vec<(i64, Quantity)> =
                o.draft.lines.iter().enumerate().map(|(i, l)| (l.line.unwrap_or(i as i64 + 1), l.shipped)).collect();
            super::orders::import_state_in(tx, ctx, id, status, &shipped).map(|_| id)
        }
    });
    let saved = saved.and_then(|id| match reason.is_empty() {
        true => Ok(()),
        false => Ok(repo::set_reason(tx, id, reason)?),
    });
    match saved {
        Ok(()) => {
            report.created += 1;
            report.awaiting_approval += usize::from(awaits_approval);
        }
        // A field's problem names its column; anything else is about the whole order.
        Err(Error::Invalid(problems)) => {
            for p in problems {
                let value =
                    HEADER_COLUMNS.iter().position(|c| *c == p.field).map(|i| o.header[i].clone()).unwrap_or_default();
                errors.push(o.line, p.field, &value, describe_problem(&p.problem));
            }
        }
        Err(e) => errors.push(o.line, "", "", tf("order.import_refused", &[("number", &o.number), ("reason", &e)])),
    }
    Ok(())
}

/// An order in the file is the stored one when header and lines agree. A cell the file
/// leaves empty, filled in from today's customer, product or tier, is not compared: they
/// may have changed since the order was made.
fn same_as_stored(tx: &rusqlite::Connection, stored: &repo::Order, o: &Imported) -> Result<bool> {
    let lines = repo::lines(tx, stored.id)?;
    let h = &o.draft.header;
    let given =
        |column: &str| HEADER_COLUMNS.iter().position(|c| *c == column).is_some_and(|i| !o.header[i].is_empty());
    let header_same = stored.customer_id == o.draft.customer.as_ref().map(|c| c.id.0).unwrap_or_default()
        // A confirmed order imported by a clerk may be waiting for its approval.
        && (stored.status == o.status
            || (stored.status == OrderStatus::AwaitingApproval && o.status == OrderStatus::Confirmed))
        && (!given("order_date") || Some(&stored.order_date) == o.draft.imported.as_ref().map(|i| &i.1))
        && (!given("warehouse") || stored.warehouse.eq_ignore_ascii_case(&h.warehouse))
        && stored.ship_by == h.ship_by
        && (!given("salesperson") || stored.salesperson == h.salesperson)
        && (!given("region") || stored.region == h.region)
        && (!given("address") || stored.address == h.address)
        && stored.note == h.note
        && o.reason.as_ref().is_none_or(|given| *given == stored.reason)
        && o.basis_given.is_none_or(|given| given == stored.prices_include_tax);
    // Lines are matched by their number when the file gives one, else by their order.
    let lines_same = lines.len() == o.draft.lines.len()
        && o.draft.lines.iter().zip(&o.given).enumerate().all(|(i, (d, [price, discount, tax]))| {
            let number = d.line.unwrap_or(i as i64 + 1);
            let Some(s) = lines.iter().find(|s| s.line == number) else { return false };
            s.product_id == d.product.id
                && s.quantity == d.quantity
                && (!price || s.unit_price == d.unit_price)
                && (!discount || s.discount == d.discount.normalize())
                && (!tax || s.tax_rate == d.tax_rate.normalize())
                && s.shipped == d.shipped
        });
    Ok(header_same && lines_same)
}

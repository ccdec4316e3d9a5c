//! `import sales-history`: a shop's past sales from another system, one row per order line,
//! streamed in one transaction. Customers, products and (from segments) tiers are matched
//! or created; each order becomes a closed order with the day it counts as sold and no
//! invoice, shipment or stock move of ours (see migration 012). The kept sales summaries
//! are added to in the same transaction, so reports, forecasts and tier suggestions work
//! from the first day. Lines of one order must be next to each other, as every export
//! writes them: an order is written when its last line has been read.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, OptionalExtension};
use rust_decimal::Decimal;

use super::csv_io::Errors;
use super::csv_stream::CsvStream;
use super::{Session, WriteCtx};
use crate::db;
use crate::db::products::minor;
use crate::domain::customer::CustomerData;
use crate::domain::fields::Problem;
use crate::domain::history::{DayOrder, DiscountStyle, Field, Outcome, day_order_matters, parse_day};
use crate::domain::money::{Money, Price, Quantity};
use crate::domain::order::totals;
use crate::domain::stock::PRODUCT_NAME_MAX;
use crate::domain::user::Role;
use crate::error::{Error, Result, describe_problem};
use crate::i18n::{t, tf};

/// Where the file comes from: read twice when its dates need a first look (`03/04/2026`).
#[derive(Debug, Clone)]
pub enum Input {
    File(PathBuf),
    Bytes(Arc<Vec<u8>>),
}

impl Input {
    /// What was read already, as an input (copied: the imports hold it while they run).
    pub fn from_bytes(bytes: &[u8]) -> Input {
        Input::Bytes(Arc::new(bytes.to_vec()))
    }

    pub(crate) fn open(&self) -> Result<Box<dyn Read + Send>> {
        match self {
            Input::File(path) => {
                let file = std::fs::File::open(path).map_err(|source| Error::Io { path: path.clone(), source })?;
                Ok(Box::new(file))
            }
            Input::Bytes(bytes) => Ok(Box::new(std::io::Cursor::new(Shared(Arc::clone(bytes))))),
        }
    }

    /// The file's size, for progress.
    pub fn len(&self) -> u64 {
        match self {
            Input::File(path) => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            Input::Bytes(bytes) => bytes.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Bytes read by several readers without copying them.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The file column of each field (`Field::index`), `None` when the file lacks it.
type Columns = [Option<usize>; <Field as strum::EnumCount>::COUNT];

/// Status columns past the first (`Field::many_columns`): all read, the strictest deciding.
type MoreStatus = [Option<usize>; MAX_STATUS_COLUMNS - 1];

/// Columns a file may have read as the status.
const MAX_STATUS_COLUMNS: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `column=field` pairs; an empty field leaves the column out.
    pub map: Vec<(String, String)>,
    /// The field of every column by position, as the import screen shows them (wins over
    /// names and `map`): headers may repeat or be blank.
    pub columns: Option<Vec<Option<Field>>>,
    /// How `03/04/2026` reads; found from the file's dates when not given.
    pub day_order: Option<DayOrder>,
    pub dry_run: bool,
    /// What the orders' timeline says they came from (the file's name).
    pub reference: String,
}

/// What an import did (or a dry run would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryReport {
    pub dry_run: bool,
    pub lines: usize,
    pub orders: usize,
    /// Orders already in the shop exactly as the file has them (a second import).
    pub unchanged: usize,
    pub customers: usize,
    pub products: usize,
    pub tiers: Vec<String>,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub net: Money,
    /// Each header of the file and the field it was read as (`None`: not used).
    pub columns: Vec<(String, Option<Field>)>,
    /// Product names longer than a product name may be, shortened.
    pub shortened: usize,
    /// Lines whose cost or profit could not be read (their products are not priced by it).
    pub costs_unread: usize,
    /// How the file was read.
    pub encoding: &'static str,
    pub delimiter: u8,
    /// How plain discounts were read, when the file has a discount column.
    pub discounts: Option<DiscountStyle>,
    /// Lines left out: of cancelled or refunded orders, and of orders not paid yet.
    pub cancelled: usize,
    pub unfinished: usize,
    /// Orders imported before that the file now says were cancelled (up to
    /// `NUMBERS_LISTED` of them named), and how many.
    pub cancelled_since: Vec<String>,
    pub cancelled_since_count: usize,
    /// Orders none of whose lines gave a status, in a file that has a status: sales.
    pub no_status: usize,
    /// Customers entered without an email, found by name for an email of the file, that
    /// were given it: how many, and the first `NUMBERS_LISTED` as `name <email>`.
    pub emails_given: usize,
    pub emails_given_to: Vec<String>,
}

/// Order numbers a report names before it only counts the rest.
const NUMBERS_LISTED: usize = 10;

/// Lines of one order held before it is known whether it is left out; past it (no real order
/// has so many) they are let go as they come.
const HELD_LINES_MAX: usize = 10_000;

/// Refused status words remembered to tell in short after their first line; files have a few.
const STATUS_WORDS_HELD: usize = 1_000;

impl HistoryReport {
    /// What the import did (or would do), a sentence a line, as the command line and the
    /// import screen say it.
    pub fn summary(&self) -> Vec<String> {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        let mut out = Vec::new();
        if self.orders == 0 && self.unchanged == 0 && self.cancelled + self.unfinished == 0 {
            return vec![t("sales_history.nothing").to_string()];
        }
        if self.orders == 0 && self.unchanged == 0 {
            out.push(t("sales_history.no_sales").to_string());
        }
        if self.orders > 0 {
            let key = if self.dry_run { "sales_history.report_dry" } else { "sales_history.report" };
            let args: [(&str, &dyn std::fmt::Display); 5] = [
                ("lines", &self.lines),
                ("orders", &self.orders),
                ("first", &day(self.first_day)),
                ("last", &day(self.last_day)),
                ("net", &self.net),
            ];
            out.push(tf(key, &args));
        }
        if self.unchanged > 0 {
            out.push(tf("sales_history.report_unchanged", &[("count", &self.unchanged)]));
        }
        out.push(tf("sales_history.report_created", &[("customers", &self.customers), ("products", &self.products)]));
        if self.emails_given > 0 {
            let mut names = self.emails_given_to.join(", ");
            if self.emails_given > self.emails_given_to.len() {
                names.push_str(", …");
            }
            let args: [(&str, &dyn std::fmt::Display); 2] = [("count", &self.emails_given), ("names", &names)];
            out.push(tf("sales_history.report_emails_given", &args));
        }
        if !self.tiers.is_empty() {
            out.push(tf("sales_history.report_tiers", &[("tiers", &self.tiers.join(", "))]));
        }
        if self.shortened > 0 {
            out.push(tf("sales_history.report_shortened", &[("count", &self.shortened)]));
        }
        if self.costs_unread > 0 {
            out.push(tf("sales_history.report_costs_unread", &[("count", &self.costs_unread)]));
        }
        if self.cancelled > 0 {
            out.push(tf("sales_history.report_cancelled", &[("count", &self.cancelled)]));
        }
        if self.unfinished > 0 {
            out.push(tf("sales_history.report_unfinished", &[("count", &self.unfinished)]));
        }
        if self.no_status > 0 {
            out.push(tf("sales_history.report_no_status", &[("count", &self.no_status)]));
        }
        if self.cancelled_since_count > 0 {
            let mut numbers = self.cancelled_since.join(", ");
            if self.cancelled_since_count > self.cancelled_since.len() {
                numbers.push_str(", …");
            }
            let args: [(&str, &dyn std::fmt::Display); 2] =
                [("count", &self.cancelled_since_count), ("numbers", &numbers)];
            out.push(tf("sales_history.report_cancelled_since", &args));
        }
        match self.discounts {
            Some(DiscountStyle::Percent) => out.push(t("sales_history.report_discount_percent").to_string()),
            Some(DiscountStyle::Paid) => out.push(t("sales_history.report_discount_paid").to_string()),
            Some(_) => out.push(t("sales_history.report_discount_fraction").to_string()),
            None => {}
        }
        out
    }
}

/// Imports a sales-history file. `progress(bytes read, bytes)` is called now and then; when
/// it returns false the import stops and nothing is written.
pub fn import(
    session: &mut Session,
    input: &Input,
    options: &Options,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<HistoryReport> {
    session.require(Role::Manager)?;
    let stream = CsvStream::open(input.open()?)?;
    let headers = stream.headers.clone();
    let (encoding, delimiter) = (stream.encoding.clone(), stream.delimiter);
    let fields = match &options.columns {
        Some(columns) if columns.len() == headers.len() => check_columns(&headers, columns.clone())?,
        _ => map_columns(&headers, &options.map)?,
    };
    let rates_paid = fields
        .iter()
        .zip(&headers)
        .any(|(field, header)| *field == Some(Field::Discount) && crate::domain::history::pays_rate(header));
    let (found_order, discounts) = conventions(input, &fields, options.day_order.is_none(), rates_paid, progress)?;
    let day_order = options.day_order.or(found_order);
    let today = session.clock.today();
    let total = input.len();
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<HistoryReport> {
        let mut run = Run::new(tx, ctx, &headers, &fields, options, (day_order, discounts), today)?;
        let mut errors = Errors::default();
        // The file is read and its values parsed on a thread of its own, batches ahead.
        let reader = reading::spawn(stream, run.reading())?;
        for (items, bytes) in reader.batches.iter() {
            for item in items {
                run.receive(item, &mut errors)?;
            }
            if !progress(bytes, total) {
                // Dropping the reader stops its thread.
                return Err(Error::Refused(t("sales_history.stopped").to_string()));
            }
        }
        reader.finish()?;
        run.release(&mut errors)?;
        run.flush(&mut errors)?;
        run.write_rest(&mut errors)?;
        errors.into_result()?;
        run.finish()
    };
    // No foreign-key look-ups: every id written was just read or made in this transaction.
    let before = session.db.begin_bulk(false)?;
    let result = session.write_or_rehearse(options.dry_run, work);
    // Put back as they were whatever happened; the import's own outcome comes first, so a
    // committed import is never reported as failed.
    let restored = session.db.end_bulk(before);
    let mut report = result?;
    // The import is in (or rehearsed): a setting that could not be put back must not make it
    // look failed. The connection is the import's own on the screen and ends with the
    // command on the command line.
    drop(restored);
    report.dry_run = options.dry_run;
    // Said when plain discounts told the style; all with `%` (or only 0 and 1) tell nothing.
    report.discounts =
        (fields.contains(&Some(Field::Discount)) && discounts != DiscountStyle::Unclear).then_some(discounts);
    report.columns = headers.iter().cloned().zip(fields).collect();
    // Read now: a file plain ASCII at its start may have turned out to be GB18030.
    (report.encoding, report.delimiter) = (encoding.name(), delimiter);
    Ok(report)
}

/// How the file writes what rows alone cannot tell, from a first look at it:
/// - the day order of `03/04/2026` dates (when `dates` is asked for): read until a date
///   tells (`28/11/2016`); `None` when dates need no order (year first, dotted) or none tells;
/// - whether plain discounts are fractions or percents, from the first `DISCOUNT_LOOK` rows.
///
/// A file of dates that never tell is read whole: `progress` (kept at 0) can stop it.
fn conventions(
    input: &Input,
    fields: &[Option<Field>],
    dates: bool,
    rates_paid: bool,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<(Option<DayOrder>, DiscountStyle)> {
    let column_of = |wanted: &[Field]| -> Vec<usize> {
        fields.iter().enumerate().filter(|(_, f)| f.is_some_and(|f| wanted.contains(&f))).map(|(i, _)| i).collect()
    };
    let date_columns = column_of(&[Field::OrderDate, Field::ShipDate]);
    let discount_column = column_of(&[Field::Discount]).first().copied();
    let mut stream = CsvStream::open(input.open()?)?;
    let mut ignored = Errors::default();
    let (mut order, mut order_known) = (None, !dates);
    let mut discounts: Vec<String> = Vec::new();
    let mut rows = 0usize;
    while (!order_known || (discount_column.is_some() && rows < DISCOUNT_LOOK))
        && stream.next_record(&mut ignored)?.is_some()
    {
        rows += 1;
        if rows.is_multiple_of(16_384) && !progress(0, input.len()) {
            return Err(Error::Refused(t("sales_history.stopped").to_string()));
        }
        if let Some(c) = discount_column.filter(|_| rows <= DISCOUNT_LOOK) {
            discounts.push(stream.cell(c).to_string());
        }
        for &c in &date_columns {
            if order_known {
                break;
            }
            let cell = stream.cell(c);
            if cell.trim().is_empty() {
                continue;
            }
            // Year-first or dotted dates need no order: no need to read on (most files).
            if !day_order_matters(cell) {
                order_known = true;
            } else if let Ok((_, Some(found))) = parse_day(cell, None) {
                (order, order_known) = (Some(found), true);
            }
        }
    }
    Ok((order, DiscountStyle::of(discounts.iter().map(String::as_str), rates_paid)))
}

/// Rows whose discounts decide whether plain ones are fractions or percents.
const DISCOUNT_LOOK: usize = 10_000;

#[derive(Debug, Clone)]
struct CustomerRef {
    id: i64,
    region: String,
    salesperson: String,
}

#[derive(Debug, Clone, Copy)]
struct ProductRef {
    id: i64,
    /// The cost price in minor units (4 decimals), for the summaries' cost.
    cost: i64,
    whole_units: bool,
}

struct Line {
    product: ProductRef,
    quantity: Quantity,
    price: Price,
    discount: Decimal,
    tax_rate: Decimal,
    amount: Money,
}

struct Order {
    number: String,
    file_line: u64,
    customer: i64,
    order_date: NaiveDate,
    sold_on: NaiveDate,
    region: String,
    salesperson: String,
    lines: Vec<Line>,
}

#[derive(Default, Clone, Copy)]
struct Figures {
    net: i64,
    quantity: i64,
    cost: i64,
    invoices: i64,
}

impl Figures {
    /// Saturating: the lines' bounds keep real files far from the ends of an i64.
    fn add(&mut self, net: i64, quantity: i64, cost: i64) {
        self.net = self.net.saturating_add(net);
        self.quantity = self.quantity.saturating_add(quantity);
        self.cost = self.cost.saturating_add(cost);
    }
}

/// One import under way.
struct Run<'a> {
    /// The order number and customer of the line before: a later line of the same order
    /// that names no customer is that order's (Shopify writes it on the first line only).
    order_customer: Option<(String, CustomerRef)>,
    /// Another column read as the status (see `import`).
    more_status: MoreStatus,
    /// The number of the order whose lines are being read, for `left_out`, and whether it
    /// was counted as having no status.
    last_order: String,
    no_status_counted: bool,
    /// The order being left out (cancelled, refunded, not paid): its later lines are too.
    left_out_order: Option<(String, Outcome)>,
    /// Whether the file can leave orders out (it has a status or a cancelled-at column): then
    /// an order's lines are held until it ends (`receive`).
    holds_orders: bool,
    /// The lines of the order being read (and structural problems met among them), and its
    /// number.
    held: Vec<Item>,
    held_number: String,
    /// Status words refused so far, lower case, and the line each was first refused on.
    status_words: HashMap<String, u64>,
    /// Every order number left out, lower case, and its first line: met again further down,
    /// its lines are apart.
    left_out_numbers: HashMap<String, u64>,
    tx: &'a Connection,
    ctx: &'a WriteCtx<'a>,
    headers: &'a [String],
    column: Columns,
    options: &'a Options,
    day_order: Option<DayOrder>,
    discounts: DiscountStyle,
    today: NaiveDate,
    /// Orders with a larger id were made by this import.
    last_id_before: i64,
    warehouse: i64,
    customers: HashMap<String, CustomerRef>,
    /// Customers by lower-case name, for files without customer codes: loaded when needed.
    customer_names: Option<HashMap<String, Vec<i64>>>,
    /// Customers by lower-case email, likewise.
    customer_emails: Option<HashMap<String, Vec<i64>>>,
    /// Customers without an email by lower-case name, for an email no customer has.
    names_without_email: Option<HashMap<String, Vec<i64>>>,
    /// Customers without an email found by name for an email of the file: no other email
    /// of the file is them.
    claimed_by_email: std::collections::HashSet<i64>,
    products: HashMap<String, ProductRef>,
    product_names: Option<HashMap<String, Vec<i64>>>,
    tiers: HashMap<String, String>,
    /// The shop's tier codes, for checking new customers.
    tier_codes: Option<Vec<String>>,
    /// Whether the shop had orders before: if not, a number can only clash with this file.
    had_orders: bool,
    /// `orders_count_insert` as stored, to put back (see `new`).
    count_trigger: Option<String>,
    pending: Option<Order>,
    /// The customer and date the first line of the order being read gave, whatever else
    /// was wrong with it: every later line of that order must give the same.
    shape: Option<Shape>,
    /// Orders read whole, waiting to be written (`ORDER_BATCH` at a time).
    batch: Vec<Queued>,
    /// Values of order lines waiting to be written (`LINE_BATCH` lines at a time).
    lines: Vec<rusqlite::types::Value>,
    /// The id the next order gets: past every id the table ever gave.
    next_id: i64,
    /// What every order's note says: the file it came from.
    note: String,
    daily: HashMap<NaiveDate, Figures>,
    /// By month (`yyyymm`) and key; written out when it holds `MONTHLY_HELD`.
    monthly: HashMap<(u32, Key), Figures>,
    /// Regions and salespeople, numbered for `Key`.
    names: Vec<String>,
    name_ids: HashMap<String, u32>,
    report: HistoryReport,
}

struct Shape {
    number: String,
    line: u64,
    customer: Option<i64>,
    date: Option<NaiveDate>,
}

struct Queued {
    id: i64,
    order: Order,
    net: Money,
    tax: Money,
    gross: Money,
}

/// A key of `sales_monthly`, without the strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Product(i64),
    Customer(i64),
    Region(u32),
    Salesperson(u32),
}

/// Why a line's order number is refused as met before, naming the order's first line when
/// this import still knows it (orders already written keep no line).
fn apart_from(first: Option<u64>) -> String {
    match first {
        Some(line) => tf("sales_history.lines_apart_from", &[("line", &line)]),
        None => t("sales_history.lines_apart").to_string(),
    }
}

/// A product name past `PRODUCT_NAME_MAX`, shortened to it: its start, and a check of the
/// whole name (FNV-1a, the same in every build) so two long names that start alike stay two
/// products, and the same name is found again on the next import.
fn shortened_name(name: &str) -> String {
    let check = name.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    let start: String = name.chars().take(PRODUCT_NAME_MAX - 10).collect();
    format!("{}… {check:08x}", start.trim_end())
}

/// The largest amount, unit price or quantity of a line (a billion): a million lines of
/// it still sum within the database's integers.
const MAX_FIGURE: i64 = 1_000_000_000;

/// Rows to one INSERT statement (the statement's cost, not the rows', dominates a bulk load).
const ORDER_BATCH: usize = 32;
const LINE_BATCH: usize = 64;
/// Values of one order line in `write_lines`.
const LINE_VALUES: usize = 9;
const SUMMARY_BATCH: usize = 64;
/// Monthly summary rows held before they are added to the table: bounds memory (~10 MB).
const MONTHLY_HELD: usize = 150_000;

/// `head` followed by `count` copies of `row`, comma separated.
fn multi_row(head: &str, row: &str, count: usize) -> String {
    let mut sql = String::with_capacity(head.len() + count * (row.len() + 1));
    sql.push_str(head);
    for i in 0..count {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(row);
    }
    sql
}

fn write_lines(tx: &Connection, rows: usize, values: &[rusqlite::types::Value]) -> Result<()> {
    if rows == 0 {
        return Ok(());
    }
    let sql = multi_row(
        "INSERT OR FAIL INTO order_lines (order_id, line, product_id, quantity, unit_price, discount_bp, tax_rate_bp, amount,
                                          shipped)
         VALUES ",
        "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    );
    tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values.iter()))?;
    Ok(())
}

impl<'a> Run<'a> {
    fn new(
        tx: &'a Connection,
        ctx: &'a WriteCtx<'a>,
        headers: &'a [String],
        fields: &[Option<Field>],
        options: &'a Options,
        (day_order, discounts): (Option<DayOrder>, DiscountStyle),
        today: NaiveDate,
    ) -> Result<Self> {
        let mut column: Columns = Default::default();
        let mut more_status: MoreStatus = Default::default();
        for (i, f) in fields.iter().enumerate() {
            match f {
                // The first status column is the field; the second is read beside it.
                Some(Field::Status) if column[Field::Status.index()].is_some() => {
                    if let Some(slot) = more_status.iter_mut().find(|s| s.is_none()) {
                        *slot = Some(i);
                    }
                }
                Some(f) => column[f.index()] = Some(i),
                None => {}
            }
        }
        let last_id_before: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM orders", [], |r| r.get(0))?;
        // AUTOINCREMENT never gives an id twice, even of a deleted order: nor does this.
        let sequence: i64 = tx
            .query_row("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'orders'", [], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let next_id = last_id_before.max(sequence) + 1;
        // The per-row count trigger makes every insert keep a statement journal, which costs
        // more than the insert. It is set aside for the load and put back, as stored, in the
        // same transaction; `finish` adds the orders to the count once.
        let count_trigger: Option<String> = tx
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'orders_count_insert'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if count_trigger.is_some() {
            tx.execute_batch("DROP TRIGGER orders_count_insert")?;
        }
        let warehouse = db::products::warehouses(tx)?
            .into_iter()
            .find(|w| w.data.is_default)
            .map(|w| w.id)
            .ok_or_else(|| Error::Refused(t("sales_history.no_warehouse").to_string()))?;
        Ok(Run {
            order_customer: None,
            more_status,
            last_order: String::new(),
            no_status_counted: false,
            left_out_order: None,
            left_out_numbers: HashMap::new(),
            status_words: HashMap::new(),
            holds_orders: fields.iter().any(|f| matches!(f, Some(Field::Status | Field::CancelledAt))),
            held: Vec::new(),
            held_number: String::new(),
            tx,
            ctx,
            headers,
            column,
            options,
            day_order,
            discounts,
            today,
            last_id_before,
            warehouse,
            customers: HashMap::new(),
            customer_names: None,
            customer_emails: None,
            names_without_email: None,
            claimed_by_email: std::collections::HashSet::new(),
            products: HashMap::new(),
            product_names: None,
            tiers: HashMap::new(),
            tier_codes: None,
            had_orders: last_id_before > 0,
            count_trigger,
            pending: None,
            shape: None,
            batch: Vec::with_capacity(ORDER_BATCH),
            lines: Vec::with_capacity(LINE_BATCH * LINE_VALUES),
            next_id,
            note: format!("history: {}", options.reference),
            daily: HashMap::new(),
            monthly: HashMap::new(),
            names: Vec::new(),
            name_ids: HashMap::new(),
            report: HistoryReport::default(),
        })
    }

    fn has(&self, field: Field) -> bool {
        self.column[field.index()].is_some()
    }

    /// What reading a line needs to know about the file (`reading`).
    fn reading(&self) -> Reading {
        Reading {
            column: self.column,
            more_status: self.more_status,
            day_order: self.day_order,
            discounts: self.discounts,
            today: self.today,
        }
    }

    /// One item as the reading thread gives it. In a file that can leave orders out, an
    /// order's lines are held until the order ends, so that a later line's refund leaves its
    /// earlier lines out before they make a customer or a product, or are checked.
    fn receive(&mut self, item: Item, errors: &mut Errors) -> Result<()> {
        if !self.holds_orders {
            return self.take(item, errors);
        }
        let Item::Row(parsed) = &item else {
            // Kept in place among the lines of an order, for the errors to come in file order.
            if self.held.is_empty() {
                return self.take(item, errors);
            }
            self.held.push(item);
            return Ok(());
        };
        let reading = self.reading();
        let number = reading.cell(&parsed.record, Field::OrderNumber);
        if self.held.is_empty() || !self.held_number.eq_ignore_ascii_case(number) {
            self.release(errors)?;
            // Lines without a number are no order's: each is refused on its own.
            if number.is_empty() {
                return self.take(item, errors);
            }
            self.held_number.clear();
            self.held_number.push_str(number);
        }
        self.held.push(item);
        // An order of more lines than any real one is let go as it comes: its earlier lines
        // are then left out by `left_out` once they are read, as made and checked.
        if self.held.len() >= HELD_LINES_MAX {
            self.release(errors)?;
        }
        Ok(())
    }

    /// Lets go of the order held: each line carries the strictest status any of them gave,
    /// so a refund on its last line leaves out its first, and an order whose later line says
    /// paid is not one without a status.
    fn release(&mut self, errors: &mut Errors) -> Result<()> {
        let mut held = std::mem::take(&mut self.held);
        let strictest = held
            .iter()
            .filter_map(|item| match item {
                Item::Row(parsed) => parsed.status,
                _ => None,
            })
            .fold(None, |a, b| reading::stricter(a, Some(b)));
        for mut item in held.drain(..) {
            if let (Some(outcome), Item::Row(parsed)) = (strictest, &mut item) {
                parsed.status = Some(outcome);
            }
            self.take(item, errors)?;
        }
        // The same room serves the next order.
        self.held = held;
        Ok(())
    }

    fn take(&mut self, item: Item, errors: &mut Errors) -> Result<()> {
        match item {
            Item::Row(parsed) => self.apply(*parsed, errors)?,
            Item::Problem(e) => errors.push(e.line, &e.column, &e.value, e.message),
            Item::More(count) => errors.more += count,
        }
        Ok(())
    }

    /// One line as read: its customer and product found or made, added to its order.
    fn apply(&mut self, parsed: Parsed, errors: &mut Errors) -> Result<()> {
        let reading = self.reading();
        let line = parsed.line;
        let record = &parsed.record;
        let number = reading.cell(record, Field::OrderNumber);
        // Another number ends the order before, whatever this line's problems.
        if self.pending.as_ref().is_some_and(|o| !o.number.eq_ignore_ascii_case(number)) {
            self.flush(errors)?;
        }
        // Lines of cancelled and unfinished orders are left out, unchecked: they are not sales.
        if self.left_out(number, parsed.status, line, errors)? {
            return Ok(());
        }
        let (column, headers) = (self.column, self.headers);
        let cell = |f: Field| reading.cell(record, f);
        let before = errors.list.len() + errors.more;
        let mut problem = |f: Field, message: String| {
            let header = column[f.index()].map(|i| headers[i].as_str()).unwrap_or(f.name());
            errors.push(line, header, cell(f), message);
        };
        for (field, message) in parsed.problems {
            // A status word met before is told in full once: a file of them would otherwise
            // fill the list with one long message.
            let seen = (field == Field::Status).then(|| self.status_words.get(&cell(field).to_lowercase()));
            match seen.flatten() {
                Some(first) => problem(field, tf("sales_history.status_again", &[("line", first)])),
                None => {
                    if field == Field::Status && self.status_words.len() < STATUS_WORDS_HELD {
                        self.status_words.insert(cell(field).to_lowercase(), line);
                    }
                    problem(field, message)
                }
            }
        }
        let Parsed { order_date, sold_on: ship_date, quantity, figures, discount, tax_rate, cost, cost_unread, .. } =
            parsed;
        self.report.costs_unread += usize::from(cost_unread);
        // The parts of a name count only in a file without a whole one.
        let parts_name = !self.has(Field::CustomerName);
        let names_none =
            [Field::CustomerCode, Field::CustomerName, Field::CustomerEmail, Field::FirstName, Field::LastName]
                .iter()
                .all(|f| cell(*f).is_empty() || (!parts_name && matches!(f, Field::FirstName | Field::LastName)));
        let customer = match &self.order_customer {
            Some((order, customer)) if names_none && order.eq_ignore_ascii_case(number) => Some(customer.clone()),
            _ => self.customer(&cell, &mut problem)?,
        };
        // The order's customer is its first line's that names one: a later line naming
        // another is an error of its own, not the order's customer from then on.
        if !self.order_customer.as_ref().is_some_and(|(order, _)| order.eq_ignore_ascii_case(number)) {
            self.order_customer = customer.clone().map(|c| (number.to_string(), c));
        }
        let product = self.product(&cell, figures.map(|f| f.0), cost, tax_rate, &mut problem)?;
        if let (Some(p), Some(q)) = (product, quantity)
            && p.whole_units
            && !q.value().fract().is_zero()
        {
            problem(Field::Quantity, describe_problem(&Problem::NotAWholeNumber));
        }
        // Checked against the order's first line even when either line has other problems,
        // so a file's problems all come at once.
        let customer_id = customer.as_ref().map(|c| c.id);
        match self.shape.as_mut().filter(|s| s.number.eq_ignore_ascii_case(number)) {
            Some(shape) => {
                // A first line that named no customer or date leaves the first that does to say.
                shape.customer = shape.customer.or(customer_id);
                shape.date = shape.date.or(order_date);
                let said = [("number", &shape.number as &dyn std::fmt::Display), ("line", &shape.line)];
                if shape.customer.zip(customer_id).is_some_and(|(first, this)| first != this) {
                    let text = tf("sales_history.other_customer", &said);
                    // The cell the customer was told by: its code, else its email, else its name.
                    let told_by = [Field::CustomerCode, Field::CustomerEmail, Field::CustomerName]
                        .into_iter()
                        .find(|f| !cell(*f).is_empty())
                        .unwrap_or(Field::CustomerName);
                    errors.push(line, self.header_of(told_by, Field::CustomerName), cell(told_by), text);
                } else if let Some(date) = order_date.filter(|d| shape.date.is_some_and(|first| first != *d)) {
                    let text = tf("sales_history.other_date", &said);
                    errors.push(line, self.header_of(Field::OrderDate, Field::OrderDate), &date.to_string(), text);
                }
            }
            None => {
                self.shape = Some(Shape { number: number.to_string(), line, customer: customer_id, date: order_date })
            }
        }
        if errors.list.len() + errors.more > before {
            return Ok(());
        }
        let (Some(order_date), Some(sold_on), Some(quantity), Some((price, amount)), Some(customer), Some(product)) =
            (order_date, ship_date, quantity, figures, customer, product)
        else {
            return Ok(());
        };
        let region = match cell(Field::Region) {
            "" => customer.region.clone(),
            given => given.to_string(),
        };
        let salesperson = match cell(Field::Salesperson) {
            "" => customer.salesperson.clone(),
            given => given.to_string(),
        };
        let new_line = Line { product, quantity, price, discount, tax_rate, amount };
        // The same customer and date as its first line: checked above.
        if let Some(order) = self.pending.as_mut().filter(|o| o.number.eq_ignore_ascii_case(number)) {
            // Lines shipped on different days: the order counts as sold when the last went.
            order.sold_on = order.sold_on.max(sold_on);
            order.lines.push(new_line);
            return Ok(());
        }
        self.flush(errors)?;
        self.pending = Some(Order {
            number: number.to_string(),
            file_line: line,
            customer: customer.id,
            order_date,
            sold_on,
            region,
            salesperson,
            lines: vec![new_line],
        });
        Ok(())
    }

    /// Whether a line of order `number` is left out: its order was cancelled, refunded or
    /// not paid, as this line's status says or an earlier line of the order said. A line
    /// that says so leaves out the lines of its order read before it too, so an order is
    /// imported whole or not at all (and a second import finds it the same). Counted for
    /// the report.
    fn left_out(&mut self, number: &str, status: Option<Outcome>, line: u64, errors: &mut Errors) -> Result<bool> {
        // An order whose first line gives no status in a file that has them: a sale, said.
        if self.has(Field::Status) && !self.last_order.eq_ignore_ascii_case(number) {
            self.last_order.clear();
            self.last_order.push_str(number);
            self.no_status_counted = status.is_none();
            self.report.no_status += usize::from(status.is_none());
        }
        // Another order's line ends the one being left out.
        if self.left_out_order.as_ref().is_some_and(|(n, _)| !n.eq_ignore_ascii_case(number)) {
            self.left_out_order = None;
        }
        let current = self.left_out_order.as_ref().map(|(_, o)| *o);
        // Most files leave nothing out: no look-up for them.
        let key = || number.to_ascii_lowercase();
        let outcome = match (current, status) {
            (Some(outcome), _) => outcome,
            // A line of an order left out further up: its lines are apart.
            // (Most files leave nothing out: no lower-casing of every number for them.)
            _ if let Some(first) =
                (!self.left_out_numbers.is_empty()).then(|| self.left_out_numbers.get(&key()).copied()).flatten() =>
            {
                let column = self.header_of(Field::OrderNumber, Field::OrderNumber).to_string();
                errors.push(line, &column, number, apart_from(Some(first)));
                return Ok(true);
            }
            (None, None | Some(Outcome::Sold)) => return Ok(false),
            (None, Some(outcome)) => {
                // Lines of it this import has written already are apart from this one.
                let column = self.header_of(Field::OrderNumber, Field::OrderNumber).to_string();
                let queued = self.batch.iter().find(|q| q.order.number.eq_ignore_ascii_case(number));
                if let Some(q) = queued {
                    errors.push(line, &column, number, apart_from(Some(q.order.file_line)));
                } else if self
                    .tx
                    .prepare_cached("SELECT 1 FROM orders WHERE number = ?1 AND id > ?2")?
                    .exists(rusqlite::params![number, self.last_id_before])?
                {
                    errors.push(line, &column, number, apart_from(None));
                }
                let earlier = match self.pending.take_if(|o| o.number.eq_ignore_ascii_case(number)) {
                    Some(order) => order.lines.len(),
                    None => 0,
                };
                match outcome {
                    Outcome::Open => self.report.unfinished += earlier,
                    _ => self.report.cancelled += earlier,
                }
                // Imported before as a sale: said, as history stays as it was imported.
                let sold_before = outcome == Outcome::Cancelled
                    && self.had_orders
                    && self
                        .tx
                        .prepare_cached("SELECT 1 FROM orders WHERE number = ?1 AND sold_on IS NOT NULL AND id <= ?2")?
                        .exists(rusqlite::params![number, self.last_id_before])?;
                if sold_before {
                    self.report.cancelled_since_count += 1;
                    if self.report.cancelled_since.len() < NUMBERS_LISTED {
                        self.report.cancelled_since.push(number.to_string());
                    }
                }
                // The order's first line, where this one is not it.
                let first =
                    self.shape.as_ref().filter(|s| s.number.eq_ignore_ascii_case(number)).map_or(line, |s| s.line);
                self.left_out_numbers.insert(key(), first);
                // Its first line gave no status, a later one does: not a sale after all.
                if std::mem::take(&mut self.no_status_counted) {
                    self.report.no_status -= 1;
                }
                self.left_out_order = Some((number.to_string(), outcome));
                outcome
            }
        };
        match outcome {
            Outcome::Open => self.report.unfinished += 1,
            _ => self.report.cancelled += 1,
        }
        Ok(true)
    }

    fn header_of(&self, first: Field, second: Field) -> &str {
        let at = self.column[first.index()].or(self.column[second.index()]);
        at.map(|i| self.headers[i].as_str()).unwrap_or("")
    }

    /// Writes the order read so far: new, or the same as one imported before.
    fn flush(&mut self, errors: &mut Errors) -> Result<()> {
        let Some(order) = self.pending.take() else { return Ok(()) };
        let column = self.header_of(Field::OrderNumber, Field::OrderNumber).to_string();
        // An order still queued was made by this import too.
        if let Some(q) = self.batch.iter().find(|q| q.order.number.eq_ignore_ascii_case(&order.number)) {
            errors.push(order.file_line, &column, &order.number, apart_from(Some(q.order.file_line)));
            return Ok(());
        }
        // Into a shop without orders, a number can only clash with an earlier one of this
        // file, which the UNIQUE index refuses as it is written (`write_batch`): no look-up.
        let stored: Option<(i64, Option<String>)> = if self.had_orders {
            self.tx
                .prepare_cached("SELECT id, sold_on FROM orders WHERE number = ?1")?
                .query_row([&order.number], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
        } else {
            None
        };
        match stored {
            Some((id, _)) if id > self.last_id_before => {
                errors.push(order.file_line, &column, &order.number, apart_from(None));
            }
            Some((_, None)) => {
                errors.push(order.file_line, &column, &order.number, t("sales_history.not_history").to_string());
            }
            Some((id, Some(_))) => match self.difference(id, &order)? {
                None => self.report.unchanged += 1,
                Some(what) => {
                    let text = tf("sales_history.differs", &[("what", &what)]);
                    errors.push(order.file_line, &column, &order.number, text);
                }
            },
            None => {
                let amounts: Vec<(Money, Decimal)> = order.lines.iter().map(|l| (l.amount, l.tax_rate)).collect();
                match totals(&amounts, false) {
                    Ok(sums) => self.insert(order, sums.net, sums.tax, sums.gross, errors)?,
                    Err(e) => errors.push(order.file_line, &column, &order.number, e.to_string()),
                }
            }
        }
        Ok(())
    }

    /// Queues a new order; orders are written a batch at a time, with ids given here.
    fn insert(&mut self, order: Order, net: Money, tax: Money, gross: Money, errors: &mut Errors) -> Result<()> {
        let id = self.next_id;
        self.next_id += 1;
        // Numbers made here later must not collide with history that used our pattern.
        if let Some(n) = order.number.get(3..).filter(|_| order.number[..3].eq_ignore_ascii_case("SO-"))
            && let Ok(n) = n.parse::<i64>()
            && n < 1_000_000_000_000
        {
            db::meta::raise_past(self.tx, "order", n)?;
        }
        self.summarise(&order)?;
        self.report.orders += 1;
        self.report.lines += order.lines.len();
        self.report.net = self.report.net + net;
        self.report.first_day = Some(self.report.first_day.map_or(order.sold_on, |d| d.min(order.sold_on)));
        self.report.last_day = Some(self.report.last_day.map_or(order.sold_on, |d| d.max(order.sold_on)));
        self.batch.push(Queued { id, order, net, tax, gross });
        if self.batch.len() == ORDER_BATCH {
            self.write_batch(errors)?;
        }
        Ok(())
    }

    /// Writes the queued orders and their lines, many rows to a statement.
    fn write_batch(&mut self, errors: &mut Errors) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let tx = self.tx;
        let sql = multi_row(
            "INSERT OR FAIL INTO orders (id, number, customer_id, status, warehouse_id, order_date, salesperson, region,
                                 note, prices_include_tax, net, tax, gross, created_at, created_by, updated_at, sold_on)
             VALUES ",
            "(?, ?, ?, 'closed', ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
            self.batch.len(),
        );
        let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(self.batch.len() * 15);
        let now = &self.ctx.now;
        for q in &self.batch {
            let o = &q.order;
            values.extend([
                q.id.into(),
                o.number.clone().into(),
                o.customer.into(),
                self.warehouse.into(),
                o.order_date.to_string().into(),
                o.salesperson.clone().into(),
                o.region.clone().into(),
                self.note.clone().into(),
                minor(q.net.to_minor())?.into(),
                minor(q.tax.to_minor())?.into(),
                minor(q.gross.to_minor())?.into(),
                now.clone().into(),
                self.ctx.operator.name.clone().into(),
                now.clone().into(),
                o.sold_on.to_string().into(),
            ]);
        }
        match tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values.iter())) {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                // A number written before in this file: its lines were not together. The file
                // is refused, so this batch is not written; name each order of it that clashed.
                let column = self.header_of(Field::OrderNumber, Field::OrderNumber).to_string();
                let mut lookup = tx.prepare_cached("SELECT 1 FROM orders WHERE number = ?1 AND id < ?2")?;
                for (i, q) in self.batch.iter().enumerate() {
                    let earlier_in_batch =
                        self.batch[..i].iter().find(|p| p.order.number.eq_ignore_ascii_case(&q.order.number));
                    if let Some(p) = earlier_in_batch {
                        errors.push(q.order.file_line, &column, &q.order.number, apart_from(Some(p.order.file_line)));
                    } else if lookup.exists(rusqlite::params![q.order.number, self.batch[0].id])? {
                        errors.push(q.order.file_line, &column, &q.order.number, apart_from(None));
                    }
                }
                self.batch.clear();
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
        // Lines wait for a full statement's worth, across batches: one statement shape only.
        for q in &self.batch {
            for (n, l) in q.order.lines.iter().enumerate() {
                let quantity = minor(l.quantity.to_minor())?;
                self.lines.extend([
                    q.id.into(),
                    (n as i64 + 1).into(),
                    l.product.id.into(),
                    quantity.into(),
                    minor(l.price.to_minor())?.into(),
                    basis_points(l.discount).into(),
                    basis_points(l.tax_rate).into(),
                    minor(l.amount.to_minor())?.into(),
                    // Sold and delivered elsewhere: all of it left, as a closed order's has.
                    quantity.into(),
                ]);
                if self.lines.len() == LINE_BATCH * LINE_VALUES {
                    write_lines(tx, LINE_BATCH, &self.lines)?;
                    self.lines.clear();
                }
            }
        }
        self.batch.clear();
        Ok(())
    }

    /// Writes what is queued, orders and lines, at the end of the file.
    fn write_rest(&mut self, errors: &mut Errors) -> Result<()> {
        self.write_batch(errors)?;
        for line in self.lines.chunks(LINE_VALUES) {
            write_lines(self.tx, 1, line)?;
        }
        self.lines.clear();
        Ok(())
    }

    /// Adds an order to the summaries kept in memory (written to the tables now and then).
    fn summarise(&mut self, order: &Order) -> Result<()> {
        let month = order.sold_on.year() as u32 * 100 + order.sold_on.month();
        let region = self.name_id(&order.region);
        let salesperson = self.name_id(&order.salesperson);
        self.daily.entry(order.sold_on).or_default().invoices += 1;
        let mut counted: Vec<Key> = Vec::with_capacity(order.lines.len() + 3);
        for l in &order.lines {
            let (amount, quantity) = (minor(l.amount.to_minor())?, minor(l.quantity.to_minor())?);
            // As `history_lines` counts cost: at the product's cost price, half up.
            // In i128: a quantity and a cost price within bounds can still multiply past i64.
            let cost = i64::try_from((i128::from(quantity) * i128::from(l.product.cost) + 50_000).div_euclid(100_000))
                .unwrap_or(i64::MAX);
            self.daily.entry(order.sold_on).or_default().add(amount, quantity, cost);
            for key in [
                Key::Product(l.product.id),
                Key::Customer(order.customer),
                Key::Region(region),
                Key::Salesperson(salesperson),
            ] {
                let figures = self.monthly.entry((month, key)).or_default();
                figures.add(amount, quantity, cost);
                // Each order is one document to every key it touched.
                if !counted.contains(&key) {
                    figures.invoices += 1;
                    counted.push(key);
                }
            }
        }
        if self.monthly.len() > MONTHLY_HELD {
            self.write_summaries()?;
        }
        Ok(())
    }

    fn name_id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.name_ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.name_ids.insert(name.to_string(), id);
        id
    }

    /// Adds the summaries held in memory to the kept ones, and empties them.
    fn write_summaries(&mut self) -> Result<()> {
        let mut daily = self.tx.prepare_cached(
            "INSERT INTO sales_daily (day, net, quantity, cost, invoices) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (day) DO UPDATE SET net = net + excluded.net, quantity = quantity + excluded.quantity,
                 cost = cost + excluded.cost, invoices = invoices + excluded.invoices",
        )?;
        for (day, f) in self.daily.drain() {
            daily.execute(rusqlite::params![day.to_string(), f.net, f.quantity, f.cost, f.invoices])?;
        }
        // In the table's key order, so its pages fill front to back, many rows a statement.
        let mut held: Vec<(&'static str, String, String, Figures)> = self
            .monthly
            .drain()
            .map(|((month, key), f)| {
                let month = format!("{:04}-{:02}", month / 100, month % 100);
                let (dim, key) = match key {
                    Key::Product(id) => ("product", id.to_string()),
                    Key::Customer(id) => ("customer", id.to_string()),
                    Key::Region(n) => ("region", self.names[n as usize].clone()),
                    Key::Salesperson(n) => ("salesperson", self.names[n as usize].clone()),
                };
                (dim, month, key, f)
            })
            .collect();
        held.sort_unstable_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
        for chunk in held.chunks(SUMMARY_BATCH) {
            let sql = multi_row(
                "INSERT INTO sales_monthly (dim, month, key, net, quantity, cost, invoices) VALUES ",
                "(?, ?, ?, ?, ?, ?, ?)",
                chunk.len(),
            ) + " ON CONFLICT (dim, month, key) DO UPDATE SET net = net + excluded.net,
                  quantity = quantity + excluded.quantity, cost = cost + excluded.cost,
                  invoices = invoices + excluded.invoices";
            let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(chunk.len() * 7);
            for (dim, month, key, f) in chunk {
                values.extend([
                    dim.to_string().into(),
                    month.clone().into(),
                    key.clone().into(),
                    f.net.into(),
                    f.quantity.into(),
                    f.cost.into(),
                    f.invoices.into(),
                ]);
            }
            self.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values.iter()))?;
        }
        Ok(())
    }

    /// How a history order imported before differs from the file's: `None` when customer,
    /// dates, region, salesperson and lines agree, else what differs, to name it.
    fn difference(&self, id: i64, order: &Order) -> Result<Option<String>> {
        let header: (i64, String, Option<String>, String, String, String, String) = self.tx.query_row(
            "SELECT o.customer_id, o.order_date, o.sold_on, o.region, o.salesperson, c.code, c.name
             FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )?;
        let (customer, order_date, sold_on, region, salesperson, code, name) = header;
        if customer != order.customer {
            return Ok(Some(tf("sales_history.differs_customer", &[("code", &code), ("name", &name)])));
        }
        if (order_date, sold_on) != (order.order_date.to_string(), Some(order.sold_on.to_string())) {
            return Ok(Some(t("sales_history.differs_dates").to_string()));
        }
        if (region, salesperson) != (order.region.clone(), order.salesperson.clone()) {
            return Ok(Some(t("sales_history.differs_region").to_string()));
        }
        let mut stmt = self.tx.prepare_cached(
            "SELECT product_id, quantity, unit_price, discount_bp, tax_rate_bp, amount FROM order_lines
             WHERE order_id = ?1 ORDER BY line",
        )?;
        let stored: Vec<[i64; 6]> = stmt
            .query_map([id], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?]))?
            .collect::<rusqlite::Result<_>>()?;
        let mut given = Vec::with_capacity(order.lines.len());
        for l in &order.lines {
            given.push([
                l.product.id,
                minor(l.quantity.to_minor())?,
                minor(l.price.to_minor())?,
                basis_points(l.discount),
                basis_points(l.tax_rate),
                minor(l.amount.to_minor())?,
            ]);
        }
        Ok((stored != given).then(|| t("sales_history.differs_lines").to_string()))
    }

    /// The row's customer: by code, else by name; made when the shop does not have them.
    fn customer<'c>(
        &mut self,
        cell: &dyn Fn(Field) -> &'c str,
        problem: &mut dyn FnMut(Field, String),
    ) -> Result<Option<CustomerRef>> {
        let (code, email) = (cell(Field::CustomerCode), cell(Field::CustomerEmail));
        // A name in two parts (WooCommerce) is the name in a file without a whole one.
        let parts: String;
        let name = match cell(Field::CustomerName) {
            "" if !self.has(Field::CustomerName) => {
                parts = format!("{} {}", cell(Field::FirstName), cell(Field::LastName));
                parts.trim()
            }
            whole => whole,
        };
        let by_code = self.has(Field::CustomerCode) && !code.is_empty();
        // Platforms that give their buyers no code know them by email (Shopify): two buyers
        // of one name stay two customers.
        let by_email = !by_code && !email.is_empty();
        if !by_code && !by_email && name.is_empty() {
            let f = [Field::CustomerCode, Field::CustomerEmail, Field::CustomerName]
                .into_iter()
                .find(|f| self.has(*f))
                .unwrap_or(Field::CustomerName);
            problem(f, t("sales_history.no_customer").to_string());
            return Ok(None);
        }
        let key = match (by_code, by_email) {
            (true, _) => code.to_lowercase(),
            (false, true) => format!("\u{2}{}", email.to_lowercase()),
            (false, false) => format!("\u{1}{}", name.to_lowercase()),
        };
        if let Some(found) = self.customers.get(&key) {
            return Ok(Some(found.clone()));
        }
        let existing = if by_code {
            if !crate::domain::customer::valid_code(code) {
                problem(Field::CustomerCode, describe_problem(&Problem::InvalidCode));
                return Ok(None);
            }
            db::customers::find_by_code(self.tx, code)?.map(|c| c.id.0)
        } else if by_email {
            let sql = "SELECT id, email FROM customers WHERE email <> ''";
            match by_name(self.tx, &mut self.customer_emails, sql, email)? {
                // A customer of this name entered without an email is this buyer (one with
                // another email is someone else, and so is a second email of that name).
                // Only customers without an email are looked at, so a second import finds the
                // same one, however many of that name the first made.
                Ok(None) if !name.is_empty() => {
                    let sql = "SELECT id, name FROM customers WHERE email = ''";
                    match by_name(self.tx, &mut self.names_without_email, sql, name)? {
                        Ok(Some(id)) if self.claimed_by_email.insert(id) => {
                            // Given the email, so another file's other email of this name is
                            // someone else, and this one's finds them directly.
                            let id = crate::domain::ids::CustomerId(id);
                            match super::customers::give_email(self.tx, self.ctx, id, email) {
                                Ok(()) => {
                                    self.report.emails_given += 1;
                                    if self.report.emails_given_to.len() < NUMBERS_LISTED {
                                        self.report.emails_given_to.push(format!("{name} <{email}>"));
                                    }
                                }
                                Err(Error::Invalid(problems)) => {
                                    if let Some(p) = problems.iter().find(|p| p.field == "email") {
                                        problem(Field::CustomerEmail, describe_problem(&p.problem));
                                        return Ok(None);
                                    }
                                    // Other details of theirs that today's checks refuse:
                                    // they are the buyer still, left as they are.
                                }
                                Err(e) => return Err(e),
                            }
                            if let Some(emails) = &mut self.customer_emails {
                                emails.entry(email.to_lowercase()).or_default().push(id.0);
                            }
                            Some(id.0)
                        }
                        _ => None,
                    }
                }
                Ok(found) => found,
                Err(Ambiguous) => {
                    problem(Field::CustomerEmail, t("sales_history.customer_email_twice").to_string());
                    return Ok(None);
                }
            }
        } else {
            match by_name(self.tx, &mut self.customer_names, "SELECT id, name FROM customers", name)? {
                Ok(found) => found,
                Err(Ambiguous) => {
                    problem(Field::CustomerName, t("sales_history.customer_name_twice").to_string());
                    return Ok(None);
                }
            }
        };
        let id = match existing {
            Some(id) => id,
            None => {
                let tier = match cell(Field::Segment) {
                    "" => String::new(),
                    segment => self.tier_for(segment)?,
                };
                let data = CustomerData {
                    code: if by_code { code.to_string() } else { String::new() },
                    name: [name, code, email].into_iter().find(|n| !n.is_empty()).unwrap_or_default().to_string(),
                    email: email.to_string(),
                    city: cell(Field::City).to_string(),
                    region: cell(Field::Region).to_string(),
                    salesperson: cell(Field::Salesperson).to_string(),
                    tier,
                    ..CustomerData::default()
                };
                // The bulk path of `customers::create_in`: the code is known to be free (looked
                // up above, and remembered from here on), and the import's audit row counts them.
                if self.tier_codes.is_none() {
                    self.tier_codes = Some(db::meta::tier_codes(self.tx)?);
                }
                let tiers = self.tier_codes.as_deref().unwrap_or_default();
                match crate::domain::customer::validate(&data, tiers).map_err(Error::Invalid) {
                    Ok(clean) => {
                        let found =
                            CustomerRef { id: 0, region: clean.region.clone(), salesperson: clean.salesperson.clone() };
                        let id = super::customers::insert(self.tx, self.ctx, clean, None, None)?;
                        self.report.customers += 1;
                        let found = CustomerRef { id: id.0, ..found };
                        // Name-only lines later in the file find the customer just made.
                        if let Some(names) = &mut self.customer_names {
                            names.entry(data.name.to_lowercase()).or_default().push(id.0);
                        }
                        if let Some(names) = self.names_without_email.as_mut().filter(|_| data.email.is_empty()) {
                            names.entry(data.name.to_lowercase()).or_default().push(id.0);
                        }
                        if let Some(emails) = self.customer_emails.as_mut().filter(|_| !data.email.is_empty()) {
                            emails.entry(data.email.to_lowercase()).or_default().push(id.0);
                        }
                        self.customers.insert(key, found.clone());
                        return Ok(Some(found));
                    }
                    Err(Error::Invalid(problems)) => {
                        for p in problems {
                            let f = match p.field {
                                "code" => Field::CustomerCode,
                                "city" => Field::City,
                                "region" => Field::Region,
                                "salesperson" => Field::Salesperson,
                                "tier" => Field::Segment,
                                "email" => Field::CustomerEmail,
                                _ => Field::CustomerName,
                            };
                            problem(f, describe_problem(&p.problem));
                        }
                        return Ok(None);
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let (region, salesperson): (String, String) =
            self.tx.query_row("SELECT region, salesperson FROM customers WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let found = CustomerRef { id, region, salesperson };
        self.customers.insert(key, found.clone());
        Ok(Some(found))
    }

    /// The shop's tier for a segment, by code or name; a new tier (no discount, no limit of
    /// its own) when the shop has none, so sales by tier read as the old system's segments.
    fn tier_for(&mut self, segment: &str) -> Result<String> {
        let key = segment.to_lowercase();
        if let Some(code) = self.tiers.get(&key) {
            return Ok(code.clone());
        }
        let tiers = db::tiers::all(self.tx)?;
        let found = tiers
            .iter()
            .find(|t| t.data.code.eq_ignore_ascii_case(segment) || t.data.name.eq_ignore_ascii_case(segment));
        let code = match found {
            Some(tier) => tier.data.code.clone(),
            None => {
                let mut code: String = segment
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '-' })
                    .collect::<String>()
                    .split('-')
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join("-");
                code.truncate(16);
                let taken = |c: &str| tiers.iter().any(|t| t.data.code.eq_ignore_ascii_case(c));
                if code.is_empty() || taken(&code) {
                    code = (1..).map(|n| format!("SEG-{n}")).find(|c| !taken(c)).unwrap_or_default();
                }
                let rank = tiers.iter().map(|t| t.data.rank).max().unwrap_or(0) + 1;
                let input = crate::domain::tier::TierInput {
                    code: code.clone(),
                    name: segment.chars().take(64).collect(),
                    rank: rank.min(999).to_string(),
                    discount: "0".into(),
                    credit_limit: "0".into(),
                    payment_days: "30".into(),
                };
                let data = crate::domain::tier::validate_tier(&input).map_err(Error::Invalid)?;
                db::tiers::insert(self.tx, &data)?;
                self.tier_codes = None;
                self.ctx.audit(self.tx, "create", "tier", None, data.code.clone())?;
                self.report.tiers.push(data.code.clone());
                data.code
            }
        };
        self.tiers.insert(key, code.clone());
        Ok(code)
    }

    /// The row's product: by code (or barcode), else by name; made when the shop does not
    /// have it, priced at the line's unit price.
    fn product<'c>(
        &mut self,
        cell: &dyn Fn(Field) -> &'c str,
        price: Option<Price>,
        cost: Option<Price>,
        tax_rate: Decimal,
        problem: &mut dyn FnMut(Field, String),
    ) -> Result<Option<ProductRef>> {
        let (code, name) = (cell(Field::ProductCode), cell(Field::ProductName));
        let by_code = self.has(Field::ProductCode) && !code.is_empty();
        if !by_code && name.is_empty() {
            let f = if self.has(Field::ProductCode) { Field::ProductCode } else { Field::ProductName };
            problem(f, t("sales_history.no_product").to_string());
            return Ok(None);
        }
        let key = if by_code { code.to_lowercase() } else { format!("\u{1}{}", name.to_lowercase()) };
        if let Some(found) = self.products.get(&key) {
            return Ok(Some(*found));
        }
        // A name longer than a product's may be is stored shortened, and found again so.
        let too_long = name.chars().count() > PRODUCT_NAME_MAX;
        let stored_name = if too_long { shortened_name(name) } else { name.to_string() };
        let existing = if by_code {
            db::products::product_by_code(self.tx, code)?.map(|p| p.id)
        } else {
            match by_name(self.tx, &mut self.product_names, "SELECT id, name FROM products", &stored_name)? {
                Ok(found) => found,
                Err(Ambiguous) => {
                    problem(Field::ProductName, t("sales_history.product_name_twice").to_string());
                    return Ok(None);
                }
            }
        };
        let id = match existing {
            Some(id) => id,
            None => {
                let sku = if by_code { code.to_string() } else { self.fresh_sku()? };
                let name = if name.is_empty() { code.to_string() } else { stored_name };
                self.report.shortened += usize::from(too_long);
                let category = [cell(Field::Category), cell(Field::Subcategory)]
                    .iter()
                    .filter(|c| !c.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("/");
                let input = crate::domain::stock::ProductInput {
                    sku,
                    name,
                    category,
                    sale_price: price.map(|p| p.to_string()).unwrap_or_default(),
                    cost_price: cost.map(|c| c.to_string()).unwrap_or_default(),
                    tax_rate: tax_rate.to_string(),
                    ..Default::default()
                };
                match crate::domain::stock::validate_product(&input) {
                    Ok(data) => {
                        let id = db::products::insert_product(self.tx, &data, None, &self.ctx.now)?;
                        self.ctx.audit(self.tx, "create", "product", Some(id), data.sku.clone())?;
                        if let Some(names) = &mut self.product_names {
                            names.entry(data.name.to_lowercase()).or_default().push(id);
                        }
                        self.report.products += 1;
                        id
                    }
                    Err(problems) => {
                        for p in problems {
                            let f = match p.field {
                                "sku" => Field::ProductCode,
                                "category" => Field::Category,
                                "sale_price" => Field::UnitPrice,
                                "cost_price" => Field::UnitCost,
                                "tax_rate" => Field::TaxRate,
                                _ => Field::ProductName,
                            };
                            problem(f, describe_problem(&p.problem));
                        }
                        return Ok(None);
                    }
                }
            }
        };
        let (cost, unit): (i64, String) =
            self.tx.query_row("SELECT cost_price, unit FROM products WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let whole_units = crate::domain::stock::fits_unit(&unit, Quantity::parse("0.5").unwrap_or_default()).is_err();
        let found = ProductRef { id, cost, whole_units };
        self.products.insert(key, found);
        Ok(Some(found))
    }

    /// A SKU for a product the file names but gives no code: `H000001` onwards.
    fn fresh_sku(&self) -> Result<String> {
        loop {
            let sku = format!("H{:06}", db::meta::take_next(self.tx, "history_product")?);
            if db::products::product_by_code(self.tx, &sku)?.is_none() {
                return Ok(sku);
            }
        }
    }

    /// Writes what is still held and closes the import.
    fn finish(mut self) -> Result<HistoryReport> {
        self.write_summaries()?;
        if let Some(trigger) = self.count_trigger.take() {
            self.tx.execute_batch(&trigger)?;
            self.tx
                .prepare_cached("UPDATE order_counts SET count = count + ?1 WHERE status = 'closed'")?
                .execute([self.report.orders as i64])?;
        }
        let r = &self.report;
        let summary = format!(
            "{}: {} orders, {} lines, {} unchanged; {} customers, {} products created",
            self.options.reference, r.orders, r.lines, r.unchanged, r.customers, r.products
        );
        self.ctx.audit(self.tx, "import", "sales-history", None, summary)?;
        Ok(std::mem::take(&mut self.report))
    }
}

/// The columns `export sales-history` writes: every field but the subcategory (categories
/// are stored as one path) and the profit (the product's unit cost is written instead), so
/// the file imports into an empty shop as it was.
pub const COLUMNS: &[Field] = &[
    Field::OrderNumber,
    Field::OrderDate,
    Field::ShipDate,
    Field::CustomerCode,
    Field::CustomerName,
    Field::Segment,
    Field::Region,
    Field::City,
    Field::Salesperson,
    Field::ProductCode,
    Field::ProductName,
    Field::Category,
    Field::Quantity,
    Field::UnitPrice,
    Field::Discount,
    Field::TaxRate,
    Field::Amount,
    Field::UnitCost,
];

/// Order lines of history with what a row of the file says of them; `o.id` last.
const HISTORY_SELECT: &str = "SELECT o.number, o.order_date, o.sold_on, c.code, c.name, c.tier, o.region, c.city,
        o.salesperson, p.sku, p.name, p.category, l.quantity, l.unit_price, l.discount_bp, l.tax_rate_bp,
        l.amount, p.cost_price, o.id
     FROM orders o
     JOIN order_lines l ON l.order_id = o.id
     JOIN customers c ON c.id = o.customer_id
     JOIN products p ON p.id = l.product_id
     WHERE o.sold_on IS NOT NULL";

/// Writes the imported history, one order line per row in import order. Discounts carry
/// their `%`, so `0.5%` does not read back as a fraction (50 %).
pub fn export(session: &Session, out: impl std::io::Write) -> Result<usize> {
    write_history(out, &mut |each| {
        let mut stmt = session.db.conn().prepare(&format!("{HISTORY_SELECT} ORDER BY o.id, l.line"))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            each(row)?;
        }
        Ok(())
    })
}

/// `export` of the history orders `ids` names, in that order: a list's, as its filter
/// leaves them and as it sorts them. Each order is read by its id, so a few orders out of
/// years of history are saved at once.
pub fn export_some(session: &Session, ids: &[i64], out: impl std::io::Write) -> Result<usize> {
    write_history(out, &mut |each| {
        let mut stmt = session.db.conn().prepare(&format!("{HISTORY_SELECT} AND o.id = ?1 ORDER BY l.line"))?;
        for id in ids {
            let mut rows = stmt.query([id])?;
            while let Some(row) = rows.next()? {
                each(row)?;
            }
        }
        Ok(())
    })
}

/// What a history export's rows are written by: each row of `HISTORY_SELECT` read.
type RowVisit<'a> = &'a mut dyn FnMut(&rusqlite::Row<'_>) -> Result<()>;

/// The rows of `HISTORY_SELECT` that `source` visits, as the history file.
fn write_history(out: impl std::io::Write, source: &mut dyn FnMut(RowVisit<'_>) -> Result<()>) -> Result<usize> {
    let mut writer = super::csv_io::SafeWriter::new(out);
    writer.row(COLUMNS.iter().map(|f| f.name()))?;
    let mut n = 0;
    let percent = |bp: i64| Decimal::new(bp, 2).normalize().to_string();
    source(&mut |r| {
        let text = |i: usize| r.get::<_, String>(i);
        let cells = [
            text(0)?,
            text(1)?,
            text(2)?,
            text(3)?,
            text(4)?,
            text(5)?,
            text(6)?,
            text(7)?,
            text(8)?,
            text(9)?,
            text(10)?,
            text(11)?,
            Quantity::from_minor(r.get(12)?).to_string(),
            Price::from_minor(r.get(13)?).to_string(),
            format!("{}%", percent(r.get(14)?)),
            percent(r.get(15)?),
            Money::from_minor(r.get(16)?).to_string(),
            Price::from_minor(r.get(17)?).to_string(),
        ];
        writer.row(cells.iter().map(String::as_str))?;
        n += 1;
        Ok(())
    })?;
    writer.finish()?;
    Ok(n)
}

fn basis_points(percent: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    (percent * Decimal::ONE_HUNDRED).round().to_i64().unwrap_or(0)
}

/// Several records have the name looked for.
struct Ambiguous;

/// The one record called `name` (any case), from `names`, read by `sql` (id, name) when
/// first needed: files without codes name their customers and products.
fn by_name(
    tx: &Connection,
    names: &mut Option<HashMap<String, Vec<i64>>>,
    sql: &str,
    name: &str,
) -> Result<std::result::Result<Option<i64>, Ambiguous>> {
    let names = match names {
        Some(names) => names,
        names => names.insert(names_of(tx, sql)?),
    };
    Ok(match names.get(&name.to_lowercase()).map(Vec::as_slice) {
        Some([id]) => Ok(Some(*id)),
        Some([_, _, ..]) => Err(Ambiguous),
        _ => Ok(None),
    })
}

/// Ids by lower-case name, from `sql` giving id and name.
fn names_of(tx: &Connection, sql: &str) -> Result<HashMap<String, Vec<i64>>> {
    let mut names: HashMap<String, Vec<i64>> = HashMap::new();
    let mut stmt = tx.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (id, name): (i64, String) = (row.get(0)?, row.get(1)?);
        names.entry(name.to_lowercase()).or_default().push(id);
    }
    Ok(names)
}

mod columns;
mod reading;
pub use columns::{check_columns, fields_by_header, map_columns};
use reading::{Item, Parsed, Reading};

#[cfg(test)]
mod tests;

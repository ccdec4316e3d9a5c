//! Reading a sales-history file on a thread of its own: CSV, dates, numbers, discounts and
//! the line's figures need no database, so they run beside the writing thread, a batch of
//! lines ahead of it. What the database must answer (customers, products, orders) is left
//! to `Run::apply`.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Columns, MAX_FIGURE};
use crate::domain::fields::percent;
use crate::domain::history::{
    DateProblem, DayOrder, DiscountStyle, Field, ambiguous_comma, implausible_day, line_figures, parse_day,
    parse_discount, parse_number, unit_cost,
};
use crate::domain::money::{Money, Price, Quantity};
use crate::error::{Error, LineError, Result, describe_problem};
use crate::i18n::{t, tf};
use crate::ops::csv_io::{self, Errors};
use crate::ops::csv_stream::CsvStream;

/// Lines handed over at a time, and batches the reader may be ahead.
const BATCH: usize = 1_024;
const AHEAD: usize = 8;

/// What reading a file needs to know about it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reading {
    pub column: Columns,
    pub day_order: Option<DayOrder>,
    pub discounts: DiscountStyle,
    pub today: NaiveDate,
}

/// One line as read: its cells, the problems reading found (field and message, in the
/// order found), and what the cells say.
pub(super) struct Parsed {
    pub line: u64,
    pub record: csv::StringRecord,
    pub problems: Vec<(Field, String)>,
    pub order_date: Option<NaiveDate>,
    pub sold_on: Option<NaiveDate>,
    pub quantity: Option<Quantity>,
    pub figures: Option<(Price, Money)>,
    pub discount: Decimal,
    pub tax_rate: Decimal,
    pub cost: Option<Price>,
}

/// What the reading thread hands over, in file order.
pub(super) enum Item {
    Row(Box<Parsed>),
    /// A line the file's structure refuses (wrong number of cells, an open quote).
    Problem(LineError),
}

/// A batch of items and how far into the file reading has come, in bytes.
pub(super) type Batch = (Vec<Item>, u64);

impl Reading {
    pub fn has(&self, field: Field) -> bool {
        self.column[field.index()].is_some()
    }

    /// A field's cell on a line, trimmed, a neutralised formula restored; "" without one.
    pub fn cell<'r>(&self, record: &'r csv::StringRecord, field: Field) -> &'r str {
        self.column[field.index()].and_then(|i| record.get(i)).map(|c| csv_io::unneutralise(c).trim()).unwrap_or("")
    }

    /// Reads one line's values, noting every problem with the field it is in.
    pub fn parse(&self, record: csv::StringRecord, line: u64) -> Parsed {
        let mut problems: Vec<(Field, String)> = Vec::new();
        let cell = |f: Field| self.cell(&record, f);
        let number = cell(Field::OrderNumber);
        if number.is_empty() || number.chars().count() > 40 || number.chars().any(char::is_control) {
            problems.push((Field::OrderNumber, t("sales_history.bad_number").to_string()));
        }
        let day = |f: Field, problems: &mut Vec<(Field, String)>| -> Option<NaiveDate> {
            let message = match parse_day(cell(f), self.day_order) {
                Ok((d, _)) if implausible_day(d, self.today) => {
                    tf("sales_history.date_out_of_range", &[("today", &self.today)])
                }
                Ok((d, _)) => return Some(d),
                Err(DateProblem::NotADate) => t("sales_history.not_a_date").to_string(),
                Err(DateProblem::Ambiguous) => t("sales_history.ambiguous_date").to_string(),
                Err(DateProblem::AgainstOrder(DayOrder::DayFirst)) => t("sales_history.date_not_day_first").to_string(),
                Err(DateProblem::AgainstOrder(DayOrder::MonthFirst)) => {
                    t("sales_history.date_not_month_first").to_string()
                }
            };
            problems.push((f, message));
            None
        };
        let order_date = day(Field::OrderDate, &mut problems);
        let sold_on = if cell(Field::ShipDate).is_empty() { order_date } else { day(Field::ShipDate, &mut problems) };
        if let (Some(o), Some(s)) = (order_date, sold_on)
            && s < o
        {
            problems.push((Field::ShipDate, tf("sales_history.ship_before_order", &[("date", &o)])));
        }
        let quantity = match Quantity::parse(cell(Field::Quantity)) {
            _ if ambiguous_comma(cell(Field::Quantity)) => {
                problems.push((Field::Quantity, t("sales_history.ambiguous_comma").to_string()));
                None
            }
            Ok(q) if q.value() > Decimal::ZERO => Some(q),
            Ok(_) => {
                problems.push((Field::Quantity, t("sales_history.quantity_positive").to_string()));
                None
            }
            Err(_) => {
                problems.push((Field::Quantity, t("sales_history.not_a_quantity").to_string()));
                None
            }
        };
        let number_of = |f: Field, problems: &mut Vec<(Field, String)>| match cell(f) {
            "" => None,
            text if ambiguous_comma(text) => {
                problems.push((f, t("sales_history.ambiguous_comma").to_string()));
                None
            }
            text => parse_number(text).or_else(|| {
                problems.push((f, t("sales_history.not_a_number").to_string()));
                None
            }),
        };
        let unit_price = number_of(Field::UnitPrice, &mut problems);
        let amount = number_of(Field::Amount, &mut problems);
        let numbers_read = unit_price.is_some() || amount.is_some();
        let discount = parse_discount(cell(Field::Discount), self.discounts).unwrap_or_else(|| {
            let key = match self.discounts {
                DiscountStyle::Fraction => "sales_history.bad_discount_fraction",
                DiscountStyle::Percent => "sales_history.bad_discount",
            };
            problems.push((Field::Discount, t(key).to_string()));
            Decimal::ZERO
        });
        let tax_rate = percent(cell(Field::TaxRate)).unwrap_or_else(|p| {
            problems.push((Field::TaxRate, describe_problem(&p)));
            Decimal::ZERO
        });
        let money_field = if self.has(Field::Amount) { Field::Amount } else { Field::UnitPrice };
        let figures = quantity.and_then(|q| line_figures(q, unit_price, amount, discount));
        if quantity.is_some()
            && figures.is_none()
            && (numbers_read || (cell(Field::UnitPrice).is_empty() && cell(Field::Amount).is_empty()))
        {
            problems.push((money_field, t("sales_history.no_amount").to_string()));
        }
        // Bounds that keep every sum of a file within the database's integers.
        let too_large = |value: Decimal| value.abs() > Decimal::from(MAX_FIGURE);
        let too_large_text = || tf("sales_history.too_large", &[("max", &MAX_FIGURE)]);
        let figures = match figures {
            Some((price, amount)) if too_large(amount.value()) || too_large(price.value()) => {
                problems.push((money_field, too_large_text()));
                None
            }
            other => other,
        };
        let quantity = match quantity {
            Some(q) if too_large(q.value()) => {
                problems.push((Field::Quantity, too_large_text()));
                None
            }
            other => other,
        };
        let (cost_given, profit) = (number_of(Field::UnitCost, &mut problems), number_of(Field::Profit, &mut problems));
        let cost = match (quantity, figures) {
            (Some(q), Some((_, amount))) if cost_given.is_some() || profit.is_some() => {
                let cost = unit_cost(q, amount, cost_given, profit);
                if cost.is_none() {
                    let f = if cost_given.is_some() { Field::UnitCost } else { Field::Profit };
                    problems.push((f, t("sales_history.bad_cost").to_string()));
                }
                cost
            }
            _ => None,
        };
        Parsed { line, record, problems, order_date, sold_on, quantity, figures, discount, tax_rate, cost }
    }
}

/// Starts reading `stream` on its own thread. Batches arrive in file order; the channel
/// closes at the end of the file (the thread's result then says whether reading failed),
/// and dropping the receiver stops the reading.
pub(super) fn spawn(
    mut stream: CsvStream,
    reading: Reading,
) -> Result<(Receiver<Batch>, std::thread::JoinHandle<Result<()>>)> {
    let (send, receive) = sync_channel::<Batch>(AHEAD);
    let reader = std::thread::Builder::new()
        .name("import-read".into())
        .spawn(move || read_all(&mut stream, reading, &send))
        .map_err(|source| Error::Io { path: "import thread".into(), source })?;
    Ok((receive, reader))
}

fn read_all(stream: &mut CsvStream, reading: Reading, send: &SyncSender<Batch>) -> Result<()> {
    let mut structural = Errors::default();
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let next = stream.next_record(&mut structural)?;
        batch.extend(structural.list.drain(..).map(Item::Problem));
        let Some(line) = next else { break };
        batch.push(Item::Row(Box::new(reading.parse(stream.take_record(), line))));
        if batch.len() >= BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if send.send((full, stream.bytes_read())).is_err() {
                return Ok(()); // the import stopped listening
            }
        }
    }
    let _ = send.send((batch, stream.bytes_read()));
    Ok(())
}

//! Reading a sales-history file on a thread of its own: CSV, dates, numbers, discounts and
//! the line's figures need no database, so they run beside the writing thread, a batch of
//! lines ahead of it. What the database must answer (customers, products, orders) is left
//! to `Run::apply`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Columns, MAX_FIGURE};
use crate::domain::fields::percent;
use crate::domain::history::{
    DateProblem, DayOrder, DiscountStyle, Field, Outcome, StatusProblem, ambiguous_comma, could_be_year_first,
    implausible_day, line_figures, outcome, parse_day, parse_discount, parse_number, says_cancelled, unit_cost,
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
    /// More columns read as the status, the strictest deciding.
    pub more_status: super::MoreStatus,
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
    /// The line has a cost or profit that could not be read (or cannot be): not taken.
    pub cost_unread: bool,
    /// What the line's status says of its order; `None` when it gives none (or one not
    /// read, which is among the problems).
    pub status: Option<Outcome>,
}

/// What the reading thread hands over, in file order.
pub(super) enum Item {
    Row(Box<Parsed>),
    /// A line the file's structure refuses (wrong number of cells, an open quote).
    Problem(LineError),
    /// Structural problems past the listed ones, counted.
    More(usize),
}

/// The reading thread: its batches, and a stop that holds when the import leaves early.
pub(super) struct Reader {
    pub batches: Receiver<Batch>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl Reader {
    /// Waits for the thread at the end of the file: its error, if reading failed.
    pub fn finish(mut self) -> Result<()> {
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Refused(t("sales_history.read_failed").to_string())),
            None => Ok(()),
        }
    }
}

impl Drop for Reader {
    /// An import that stops early (an error, Esc) stops the reading at its next line.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
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
                // 24/12/31 read day first is in 2031: perhaps the year came first.
                Ok((d, _))
                    if implausible_day(d, self.today)
                        && self.day_order != Some(DayOrder::YearFirst)
                        && could_be_year_first(cell(f)) =>
                {
                    tf("sales_history.date_out_of_range_ymd", &[("today", &self.today)])
                }
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
                Err(DateProblem::AgainstOrder(DayOrder::YearFirst)) => {
                    t("sales_history.date_not_year_first").to_string()
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
            text if crate::domain::money::written_as_power_of_ten(text) => {
                problems.push((f, t("problem.power_of_ten").to_string()));
                None
            }
            text => parse_number(text).or_else(|| {
                problems.push((f, t("sales_history.not_a_number").to_string()));
                None
            }),
        };
        let unit_price = number_of(Field::UnitPrice, &mut problems);
        let amount = number_of(Field::Amount, &mut problems);
        let amount_before = number_of(Field::AmountBeforeDiscount, &mut problems);
        let numbers_read = unit_price.is_some() || amount.is_some() || amount_before.is_some();
        let discount = parse_discount(cell(Field::Discount), self.discounts).unwrap_or_else(|| {
            let plain = cell(Field::Discount).trim();
            let number = (!plain.ends_with('%')).then(|| parse_number(plain)).flatten();
            let key = match (self.discounts, number) {
                (DiscountStyle::Unclear, Some(n)) if n == Decimal::ONE => "sales_history.unclear_discount",
                (DiscountStyle::Paid, Some(n)) if n.is_zero() => "sales_history.zero_discount_paid",
                (DiscountStyle::Paid, Some(n)) if n > Decimal::ONE => "sales_history.bad_discount_paid",
                (DiscountStyle::Fraction | DiscountStyle::Unclear, Some(n)) if n > Decimal::ONE => {
                    "sales_history.bad_discount_fraction"
                }
                _ => "sales_history.bad_discount",
            };
            problems.push((Field::Discount, t(key).to_string()));
            Decimal::ZERO
        });
        // A discount given as money off the line (Shopify's line item discount): the percent
        // it is of the line before it, and the amount after it when the file gives none.
        let discount_off = number_of(Field::DiscountAmount, &mut problems).filter(|off| !off.is_zero());
        let amount_given = amount.is_some();
        let (discount, amount) = match (discount_off, quantity) {
            (Some(off), Some(q)) => {
                let before = match (unit_price, amount_before, amount) {
                    (Some(price), _, _) => q.value().checked_mul(price),
                    (None, Some(before), _) => Some(before),
                    (None, None, Some(after)) => after.checked_add(off),
                    (None, None, None) => None,
                };
                match before {
                    _ if !cell(Field::Discount).trim().is_empty() => {
                        problems.push((Field::DiscountAmount, t("sales_history.discount_twice").to_string()));
                        (discount, amount)
                    }
                    Some(before) if off.is_sign_negative() || off > before || before.is_zero() => {
                        let text = tf("sales_history.discount_over_line", &[("before", &Money::round_from(before))]);
                        problems.push((Field::DiscountAmount, text));
                        (discount, amount)
                    }
                    Some(before) => {
                        let percent = (off / before * Decimal::ONE_HUNDRED)
                            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                        let after = before - off;
                        match amount {
                            Some(given) if (given - after).abs() > Decimal::new(1, 2) => {
                                let text = tf("sales_history.amount_differs", &[("made", &Money::round_from(after))]);
                                problems.push((Field::Amount, text));
                                (percent, amount)
                            }
                            Some(given) => (percent, Some(given)),
                            None => (percent, Some(after)),
                        }
                    }
                    None => (discount, amount),
                }
            }
            // An amount before a percent discount (or none): the amount is what it leaves.
            _ => match (amount, amount_before) {
                (None, Some(before)) => {
                    let kept = Decimal::ONE - discount / Decimal::ONE_HUNDRED;
                    (discount, before.checked_mul(kept))
                }
                _ => (discount, amount),
            },
        };
        let tax_rate = percent(cell(Field::TaxRate)).unwrap_or_else(|p| {
            problems.push((Field::TaxRate, describe_problem(&p)));
            Decimal::ZERO
        });
        let money_field = match (self.has(Field::Amount), self.has(Field::AmountBeforeDiscount)) {
            (true, _) => Field::Amount,
            (false, true) => Field::AmountBeforeDiscount,
            (false, false) => Field::UnitPrice,
        };
        // Bounds that keep every sum of a file within the database's integers.
        let too_large = |value: Decimal| value.abs() > Decimal::from(MAX_FIGURE);
        let too_large_text = || tf("sales_history.too_large", &[("max", &MAX_FIGURE)]);
        let figures = quantity.and_then(|q| line_figures(q, unit_price, amount, discount));
        // A figure past any bound may not even multiply out: named as too large, not missing.
        let given_too_large =
            [(Field::UnitPrice, unit_price), (Field::Amount, amount), (Field::AmountBeforeDiscount, amount_before)]
                .into_iter()
                .find(|(_, value)| value.is_some_and(too_large))
                .map(|(field, _)| field);
        if unit_price.is_none() && discount == Decimal::ONE_HUNDRED && amount.is_some_and(|a| !a.is_zero()) {
            // Nothing was left to pay, yet the line has an amount: the discount is misread.
            problems.push((Field::Discount, t("sales_history.whole_discount_amount").to_string()));
        } else if let Some(field) = given_too_large {
            problems.push((field, too_large_text()));
        } else if quantity.is_some()
            && figures.is_none()
            && (numbers_read
                || [Field::UnitPrice, Field::Amount, Field::AmountBeforeDiscount].iter().all(|f| cell(*f).is_empty()))
        {
            problems.push((money_field, t("sales_history.no_amount").to_string()));
        }
        // (A discount given as an amount was checked against the amount above, exactly.)
        let both_given = unit_price.is_some() && amount.is_some() && discount_off.is_none();
        let figures = match figures {
            _ if given_too_large.is_some() => None,
            // Each figure within bounds, the line they make is not: its amount is named.
            Some((price, amount)) if too_large(amount.value()) || too_large(price.value()) => {
                let text = tf("sales_history.line_too_large", &[("amount", &amount), ("max", &MAX_FIGURE)]);
                problems.push((money_field, text));
                None
            }
            // Both given: the amount must be what quantity, price and discount make. An
            // order's total repeated on each of its lines, or a coupon taken off the amount
            // alone, would otherwise be stored as sales that never were. The price as
            // written may be rounded (exports write it to 4 places, worked back from the
            // amount; spreadsheets to 2): the amount may differ by what that rounding makes
            // over the quantity, and a cent.
            Some((price, amount)) if both_given => match (quantity, unit_price) {
                (Some(q), Some(written)) => {
                    let kept = Decimal::ONE - discount / Decimal::ONE_HUNDRED;
                    let paid_for = q.value() * kept;
                    // Trailing zeros say nothing: an export's 0.8300 may be a file's 0.83.
                    let half_unit = Decimal::new(5, written.normalize().scale() + 1);
                    let made = paid_for.checked_mul(written);
                    // A discount is kept to a hundredth of a percent: what that rounding
                    // makes of the line before it may be off too (an export of a discount
                    // given as an amount).
                    let discount_rounding = match discount.is_zero() {
                        true => Some(Decimal::ZERO),
                        false => q.value().checked_mul(written).map(|before| before * Decimal::new(5, 5)),
                    };
                    let slack = paid_for
                        .checked_mul(half_unit)
                        .zip(discount_rounding)
                        .and_then(|(price, discount)| price.checked_add(discount))
                        .and_then(|s| s.checked_add(Decimal::new(1, 2)));
                    match made.zip(slack) {
                        Some((made, slack)) if (made - amount.value()).abs() > slack => {
                            // An amount worked out from the one before the discount: that one
                            // is named, with what it should have been.
                            let (field, made) = match amount_given {
                                true => (Field::Amount, made),
                                false => (Field::AmountBeforeDiscount, q.value().checked_mul(written).unwrap_or(made)),
                            };
                            let text = tf("sales_history.amount_differs", &[("made", &Money::round_from(made))]);
                            problems.push((field, text));
                            None
                        }
                        _ => Some((price, amount)),
                    }
                }
                _ => Some((price, amount)),
            },
            other => other,
        };
        let quantity = match quantity {
            Some(q) if too_large(q.value()) => {
                problems.push((Field::Quantity, too_large_text()));
                None
            }
            other => other,
        };
        // The cost only prices products the import makes, so a cost or profit that cannot be
        // read does not refuse the line: it is left out, and counted for the report.
        let mut ignored = Vec::new();
        let (cost_given, profit) = (number_of(Field::UnitCost, &mut ignored), number_of(Field::Profit, &mut ignored));
        let paid = amount.or(figures.map(|f| f.1.value()));
        let cost = match (quantity, paid) {
            (Some(q), Some(paid)) if cost_given.is_some() || profit.is_some() => unit_cost(q, paid, cost_given, profit)
                // Within the same bounds as the line's other figures, for the line as a whole.
                .filter(|c| q.value().checked_mul(c.value()).is_some_and(|line| !too_large(line))),
            _ => None,
        };
        let cost_unread = !ignored.is_empty() || ((cost_given.is_some() || profit.is_some()) && cost.is_none());
        let cancelled_at = says_cancelled(cell(Field::CancelledAt));
        if cancelled_at.is_none() {
            problems.push((Field::CancelledAt, t("sales_history.bad_cancelled_at").to_string()));
        }
        let first = match cell(Field::Status) {
            "" => None,
            given => match outcome(given) {
                Ok(outcome) => Some(outcome),
                Err(StatusProblem::Closed) => {
                    problems.push((Field::Status, t("sales_history.status_closed").to_string()));
                    None
                }
                Err(StatusProblem::Unknown) => {
                    problems.push((Field::Status, t("sales_history.status_unknown").to_string()));
                    None
                }
            },
        };
        // More status columns only add what they tell: their problems would be named by the
        // first column's header and value.
        let mut status = first;
        for more in self.more_status.iter().flatten().filter_map(|i| record.get(*i)) {
            status = stricter(status, outcome(csv_io::unneutralise(more).trim()).ok());
        }
        // Shopify keeps `paid` on an order cancelled without a refund; its date says.
        if cancelled_at == Some(true) {
            status = Some(Outcome::Cancelled);
        }
        Parsed {
            line,
            record,
            problems,
            order_date,
            sold_on,
            quantity,
            figures,
            discount,
            tax_rate,
            cost,
            cost_unread,
            status,
        }
    }
}

/// Of two statuses of one line, the one that leaves more out: cancelled, then not paid.
pub(super) fn stricter(a: Option<Outcome>, b: Option<Outcome>) -> Option<Outcome> {
    let rank = |o: &Option<Outcome>| match o {
        None => 0,
        Some(Outcome::Sold) => 1,
        Some(Outcome::Open) => 2,
        Some(Outcome::Cancelled) => 3,
    };
    if rank(&b) > rank(&a) { b } else { a }
}

/// Starts reading `stream` on its own thread. Batches arrive in file order; the channel
/// closes at the end of the file (`Reader::finish` then says whether reading failed), and
/// dropping the reader stops the reading.
pub(super) fn spawn(mut stream: CsvStream, reading: Reading) -> Result<Reader> {
    let (send, batches) = sync_channel::<Batch>(AHEAD);
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("import-read".into())
        .spawn(move || read_all(&mut stream, reading, &send, &stopped))
        .map_err(|source| Error::Io { path: "import thread".into(), source })?;
    Ok(Reader { batches, stop, thread: Some(thread) })
}

fn read_all(stream: &mut CsvStream, reading: Reading, send: &SyncSender<Batch>, stop: &AtomicBool) -> Result<()> {
    let mut structural = Errors::default();
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let next = stream.next_record(&mut structural)?;
        batch.extend(structural.list.drain(..).map(Item::Problem));
        if structural.more > 0 {
            batch.push(Item::More(std::mem::take(&mut structural.more)));
        }
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

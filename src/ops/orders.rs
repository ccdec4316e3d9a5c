//! Sales orders: save a draft, confirm (with approval above the shop's limits), change what
//! has not shipped, cancel, allocate stock to shipments, ship, deliver and close. Each step
//! runs in one transaction, re-reads the order inside it (another session may have moved
//! it) and writes a line on the order's timeline.

use rusqlite::Connection;

use super::ledger::{MoveInput, take_out};
use super::order_entry::{DraftLine, Editing, HeaderInput, OrderDraft, settings_in};
use super::{Session, WriteCtx};
use crate::db::orders::{self as repo, Header, NewLine, Order, OrderLine, Shipment};
use crate::db::{self, products as products_repo};
use crate::domain::fields::{Checker, FieldError, Problem, check_text, parse_date};
use crate::domain::money::{Money, Quantity};
use crate::domain::order::{ApprovalReason, OrderRefused, OrderStatus, Step, approval_needed};
use crate::domain::stock::MoveKind;
use crate::domain::user::Role;
use crate::error::{Error, Result};
use crate::i18n::{t, tf};

/// An order with everything its screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDetail {
    pub order: Order,
    pub lines: Vec<OrderLine>,
    pub events: Vec<repo::Event>,
    pub shipments: Vec<Shipment>,
}

/// What confirming did: confirmed (with what waits for stock), or sent for approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub order: Order,
    pub needs_approval: Vec<ApprovalReason>,
    /// Limits a manager confirmed past (their confirmation is the approval).
    pub approved_past: Vec<ApprovalReason>,
    /// Products and quantities no shipment could take yet: the backorder.
    pub waiting: Vec<(String, Quantity)>,
    /// The invoice issued with the confirmation, when the shop bills up front.
    pub invoice: Option<String>,
}

/// A shipment shipped, and the invoice issued with it when the shop has asked for that.
#[derive(Debug, Clone)]
pub struct Shipped {
    pub order: Order,
    pub invoice: Option<String>,
}

/// " — invoice INV-… issued", to add to what a confirmation or shipment says.
pub fn invoiced_suffix(invoice: &Option<String>) -> String {
    invoice.as_ref().map(|number| tf("entry.and_invoiced", &[("invoice", number)])).unwrap_or_default()
}

/// Issues the invoice the shop asks for at `moment`, noting it on the order's timeline.
fn auto_invoice(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    order: &Order,
    step: Step,
    moment: super::invoices::AutoInvoice,
) -> Result<Option<String>> {
    let number = super::invoices::auto_issue_in(tx, ctx, order, moment)?;
    if let Some(number) = &number {
        event(tx, ctx, order.id, step, &msg("order.ev_invoiced", &[("invoice", number)]))?;
    }
    Ok(number)
}

pub fn detail(session: &Session, id: i64) -> Result<OrderDetail> {
    let conn = session.db.conn();
    let order = get_in(conn, id)?;
    let mut events = repo::events(conn, id)?;
    // Imported sales history has no steps of its own here: its timeline is the import.
    if let Some(day) = &order.sold_on {
        let detail = msg("order.ev_history", &[("day", day), ("note", &order.note)]);
        let at = order.created_at.clone();
        events.insert(0, repo::Event { at, user: order.created_by.clone(), step: Step::Close.as_str().into(), detail });
    }
    Ok(OrderDetail { lines: repo::lines(conn, id)?, events, shipments: repo::shipments(conn, id)?, order })
}

pub fn by_number(session: &Session, number: &str) -> Result<Order> {
    repo::order_by_number(session.db.conn(), number)?.ok_or_else(|| no_order(number))
}

/// No order has the number given: most likely mistyped, so say what numbers look like.
pub fn no_order(number: &str) -> Error {
    Error::BadArgument(tf("order.no_such_order", &[("number", &number.trim())]))
}

pub fn no_shipment(number: &str) -> Error {
    Error::BadArgument(tf("order.no_such_shipment", &[("number", &number.trim())]))
}

fn get_in(conn: &Connection, id: i64) -> Result<Order> {
    repo::order(conn, id)?.ok_or_else(|| Error::NotFound { what: format!("order {id}") })
}

/// The order as it is now, refused when someone saved it after `version` was read.
fn current(conn: &Connection, id: i64, version: i64) -> Result<Order> {
    let order = get_in(conn, id)?;
    if order.version != version {
        return Err(Error::Conflict { what: order.number });
    }
    Ok(order)
}

pub fn refusal(order: &str, why: OrderRefused) -> Error {
    Error::Refused(match why {
        OrderRefused::Not { step, status } => tf(
            "order.refused_status",
            &[("number", &order), ("step", &step_label(step)), ("status", &status_label(status))],
        ),
        OrderRefused::PartShipped { step, shipped, lines } => {
            tf("order.refused_shipped", &[("step", &step_label(step)), ("shipped", &shipped), ("lines", &lines)])
        }
        OrderRefused::BelowShipped { sku, shipped } => {
            tf("order.below_shipped", &[("sku", &sku), ("shipped", &shipped.value().normalize())])
        }
        OrderRefused::NoLines => tf("order.no_lines", &[("number", &order)]),
    })
}

/// A status in the current language.
pub fn status_label(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Draft => t("order.status_draft"),
        OrderStatus::AwaitingApproval => t("order.status_awaiting_approval"),
        OrderStatus::Confirmed => t("order.status_confirmed"),
        OrderStatus::PartlyShipped => t("order.status_partly_shipped"),
        OrderStatus::Shipped => t("order.status_shipped"),
        OrderStatus::Delivered => t("order.status_delivered"),
        OrderStatus::Closed => t("order.status_closed"),
        OrderStatus::Cancelled => t("order.status_cancelled"),
    }
}

/// A step (as stored on the timeline) in the current language.
pub fn step_label(step: Step) -> &'static str {
    match step {
        Step::Edit => t("order.step_edit"),
        Step::Confirm => t("order.step_confirm"),
        Step::Approve => t("order.step_approve"),
        Step::Reject => t("order.step_reject"),
        Step::Change => t("order.step_change"),
        Step::Cancel => t("order.step_cancel"),
        Step::Ship => t("order.step_ship"),
        Step::Allocate => t("order.step_allocate"),
        Step::Deliver => t("order.step_deliver"),
        Step::Close => t("order.step_close"),
    }
}

fn check(order: &Order, step: Step) -> Result<()> {
    order.status.check(step).map_err(|why| refusal(&order.number, why))
}

/// Timeline details are stored as message keys with their values, not as text, so each
/// reader sees them in their own language: `@key` then `\u{1f}name=value` per value; a
/// value that is itself a list of messages separates them with `\u{1d}` and their own
/// values with `\u{1c}`; several messages in one detail are separated with `\u{1e}`.
/// Anything else (a reason typed by a person) is stored and shown as typed.
const ARG: char = '\u{1f}';
const NESTED_ARG: char = '\u{1c}';
const LIST: &str = "\u{1d}";
const PARTS: &str = "\u{1e}";

pub(crate) fn msg(key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    msg_with(key, args, ARG)
}

fn msg_with(key: &str, args: &[(&str, &dyn std::fmt::Display)], separator: char) -> String {
    let mut out = format!("@{key}");
    for (name, value) in args {
        out.push(separator);
        out.push_str(name);
        out.push('=');
        out.push_str(&value.to_string());
    }
    out
}

/// An approval reason as a message inside another message's value.
fn reason_msg(reason: &ApprovalReason) -> String {
    match reason {
        ApprovalReason::OverLimit { total, limit } => {
            msg_with("order.over_limit", &[("total", total), ("limit", limit)], NESTED_ARG)
        }
        ApprovalReason::OverCredit { exposure, limit } => {
            msg_with("order.over_credit", &[("exposure", exposure), ("limit", limit)], NESTED_ARG)
        }
    }
}

/// A timeline entry in the current language: what happened, and for a cancellation or
/// rejection the reason given.
pub fn describe_event(e: &repo::Event) -> String {
    let step = Step::all().into_iter().find(|s| s.as_str() == e.step);
    match step {
        Some(step) if e.detail.is_empty() => step_label(step).to_string(),
        Some(step @ (Step::Cancel | Step::Reject)) => format!("{}: {}", step_label(step), e.detail),
        _ => timeline_text(&e.detail),
    }
}

/// A timeline detail in the current language.
pub fn timeline_text(detail: &str) -> String {
    detail.split(PARTS).map(one_message).collect::<Vec<_>>().join("; ")
}

fn one_message(part: &str) -> String {
    message_with(part, ARG)
}

fn message_with(part: &str, separator: char) -> String {
    let Some(encoded) = part.strip_prefix('@') else { return part.to_string() };
    let mut pieces = encoded.split(separator);
    let key = pieces.next().unwrap_or_default();
    let args: Vec<(String, String)> = pieces
        .filter_map(|p| p.split_once('='))
        .map(|(name, value)| {
            let value = if value.starts_with('@') {
                value.split(LIST).map(|m| message_with(m, NESTED_ARG)).collect::<Vec<_>>().join("; ")
            } else {
                value.to_string()
            };
            (name.to_string(), value)
        })
        .collect();
    let refs: Vec<(&str, &dyn std::fmt::Display)> =
        args.iter().map(|(n, v)| (n.as_str(), v as &dyn std::fmt::Display)).collect();
    crate::i18n::tf_dynamic(key, &refs)
}

fn event(tx: &Connection, ctx: &WriteCtx<'_>, order: i64, step: Step, detail: &str) -> Result<()> {
    repo::add_event(tx, order, &ctx.now, &ctx.operator.name, step.as_str(), detail)?;
    ctx.audit(tx, step.as_str(), "order", Some(order), detail.to_string())
}

/// Checks the typed header: a customer, a known open warehouse, a date, text lengths.
fn header(conn: &Connection, draft: &OrderDraft, today: chrono::NaiveDate, created: Option<i64>) -> Result<Header> {
    let mut check = Checker::default();
    let h: &HeaderInput = &draft.header;
    let customer = match &draft.customer {
        // As stored now: another session may have archived the customer meanwhile.
        Some(c)
            if draft.editing.is_none()
                && db::customers::get(conn, c.id)?.is_none_or(|now| now.archived_at.is_some()) =>
        {
            check.errors.push(FieldError { field: "customer", problem: Problem::Archived });
            None
        }
        Some(c) => Some(c.id.0),
        None if created.is_some() => created,
        None => {
            check.errors.push(FieldError { field: "customer", problem: Problem::Required });
            None
        }
    };
    let warehouse = match products_repo::warehouse_by_code(conn, h.warehouse.trim())? {
        Some(w) if w.archived => {
            check.errors.push(FieldError { field: "warehouse", problem: Problem::Archived });
            None
        }
        Some(w) => Some(w.id),
        None => {
            check.errors.push(FieldError { field: "warehouse", problem: Problem::UnknownWarehouse });
            None
        }
    };
    // An edit keeps the date the order was placed; a new order is placed today.
    let placed = match &draft.editing {
        Some(e) => {
            repo::order(conn, e.id)?.and_then(|o| chrono::NaiveDate::parse_from_str(&o.order_date, "%Y-%m-%d").ok())
        }
        None => draft.imported.as_ref().and_then(|(_, d)| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
    }
    .unwrap_or(today);
    let ship_by = check.take(
        "ship_by",
        parse_date(&h.ship_by).and_then(|d| match d {
            Some(d) if d < placed => Err(Problem::NotBefore { date: placed.to_string() }),
            other => Ok(other),
        }),
    );
    let ship_by = ship_by.map(|d| d.to_string()).unwrap_or_default();
    let address = check.take("address", check_text(&h.address, false, 500, false));
    let region = check.take("region", check_text(&h.region, false, 64, false));
    let salesperson = check.take("salesperson", check_text(&h.salesperson, false, 64, false));
    let note = check.take("note", check_text(&h.note, false, 1000, false));
    check.finish(()).map_err(Error::Invalid)?;
    let (Some(customer_id), Some(warehouse_id)) = (customer, warehouse) else {
        return Err(Error::Invalid(vec![FieldError { field: "customer", problem: Problem::Required }]));
    };
    Ok(Header { customer_id, warehouse_id, order_date: today.to_string(), ship_by, salesperson, region, address, note })
}

fn new_line(line: &DraftLine) -> Result<NewLine> {
    if !line.quantity.value().is_sign_positive() || line.quantity.is_zero() {
        return Err(Error::Refused(tf(
            "order.quantity_positive",
            &[("sku", &line.product.data.sku), ("quantity", &line.quantity.value().normalize())],
        )));
    }
    if let Err(p) = crate::domain::stock::fits_unit(&line.product.data.unit, line.quantity) {
        return Err(Error::Refused(format!("{}: {}", line.product.data.sku, crate::error::describe_problem(&p))));
    }
    for (column, percent) in [("discount", line.discount), ("tax_rate", line.tax_rate)] {
        if percent.is_sign_negative() || percent > rust_decimal::Decimal::ONE_HUNDRED || percent.normalize().scale() > 2
        {
            let problem = Problem::OutOfRange { min: 0, max: Some(100) };
            return Err(Error::Invalid(vec![FieldError { field: column, problem }]));
        }
    }
    let amount = line.amount();
    crate::db::products::minor(amount.to_minor())
        .map_err(|_| Error::Refused(tf("order.too_large", &[("value", &amount)])))?;
    Ok(NewLine {
        product_id: line.product.id,
        quantity: line.quantity,
        unit_price: line.unit_price,
        discount: line.discount,
        tax_rate: line.tax_rate,
        amount,
    })
}

/// A clerk may not sell below cost: the unit price after discount, and without its tax
/// where prices include tax, must cover the product's cost as it is now.
fn check_price(tx: &Connection, ctx: &WriteCtx<'_>, line: &DraftLine, prices_include_tax: bool) -> Result<()> {
    use rust_decimal::Decimal;
    if ctx.operator.role.allows(Role::Manager) {
        return Ok(());
    }
    let cost = products_repo::product(tx, line.product.id)?.map(|p| p.data.cost_price).unwrap_or_default();
    let mut net = line.unit_price.value() * (Decimal::ONE_HUNDRED - line.discount) / Decimal::ONE_HUNDRED;
    if prices_include_tax {
        net = net * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + line.tax_rate);
    }
    if net < cost.value() {
        return Err(Error::Refused(tf("order.below_cost", &[("sku", &line.product.data.sku), ("cost", &cost)])));
    }
    Ok(())
}

/// Net, tax and gross from the lines as stored and the order's own price basis.
fn store_totals(tx: &Connection, order: &Order) -> Result<crate::domain::order::Totals> {
    let lines: Vec<(Money, rust_decimal::Decimal)> =
        repo::lines(tx, order.id)?.iter().map(|l| (l.amount, l.tax_rate)).collect();
    let totals = crate::domain::order::totals(&lines, order.prices_include_tax)
        .map_err(|e| Error::Refused(tf("order.too_large", &[("value", &e)])))?;
    repo::set_totals(tx, order.id, totals.net, totals.tax, totals.gross)?;
    Ok(totals)
}

/// Saves the draft: a new order (numbered now), a draft rewritten, or a confirmed order
/// changed for what has not shipped. Returns the order as saved.
pub fn save(session: &mut Session, draft: &OrderDraft) -> Result<Order> {
    let today = session.clock.today();
    let id = session.write(|tx, ctx| save_in(tx, ctx, draft, today))?;
    get_in(session.db.conn(), id)
}

/// Saves the draft and confirms it in one transaction: Ctrl-O on the entry screen.
pub fn save_and_confirm(session: &mut Session, draft: &OrderDraft) -> Result<Confirmation> {
    let today = session.clock.today();
    session.write(|tx, ctx| {
        let id = save_in(tx, ctx, draft, today)?;
        let version = get_in(tx, id)?.version;
        confirm_in(tx, ctx, id, version)
    })
}

pub(crate) fn save_in(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    draft: &OrderDraft,
    today: chrono::NaiveDate,
) -> Result<i64> {
    // A customer chosen as new is made now, in the order's transaction.
    let created = match (&draft.customer, &draft.new_customer, &draft.editing) {
        (None, Some(name), None) => {
            let data = crate::domain::customer::CustomerData { name: name.trim().to_string(), ..Default::default() };
            Some(crate::ops::customers::create_in(tx, ctx, &data)?.0)
        }
        _ => None,
    };
    let mut header = header(tx, draft, today, created)?;
    let id = match &draft.editing {
        None => {
            // An imported order keeps the basis the file says it was priced on; a new one
            // is priced on the shop's setting.
            let prices_include_tax = match &draft.imported {
                Some(_) => draft.prices_include_tax,
                None => settings_in(tx)?.prices_include_tax,
            };
            for line in &draft.lines {
                check_price(tx, ctx, line, prices_include_tax)?;
            }
            let number = match &draft.imported {
                Some((number, date)) => {
                    header.order_date = date.clone();
                    // Numbers made here later must not collide with imported ones.
                    let numeric = number.get(..3).filter(|p| p.eq_ignore_ascii_case("SO-")).map(|_| &number[3..]);
                    if let Some(n) = numeric.and_then(|n| n.parse::<i64>().ok()).filter(|n| *n < 1_000_000_000_000) {
                        db::meta::raise_past(tx, "order", n)?;
                    }
                    number.clone()
                }
                None => format!("SO-{:06}", db::meta::take_next(tx, "order")?),
            };
            let id = repo::insert_order(tx, &number, &header, prices_include_tax, &ctx.now, &ctx.operator.name)?;
            for (index, line) in draft.lines.iter().enumerate() {
                // An import keeps the file's line numbers; typed lines are numbered in order.
                repo::insert_line(tx, id, line.line.unwrap_or(index as i64 + 1), &new_line(line)?)?;
            }
            event(tx, ctx, id, Step::Edit, &msg("order.ev_created", &[("lines", &draft.lines.len())]))?;
            id
        }
        Some(editing) => {
            let order = current(tx, editing.id, editing.version)?;
            // The date an order was placed does not move when it is edited.
            header.order_date = order.order_date.clone();
            if order.status == OrderStatus::Draft {
                for line in &draft.lines {
                    check_price(tx, ctx, line, order.prices_include_tax)?;
                }
                for stored in repo::lines(tx, order.id)? {
                    repo::delete_line(tx, order.id, stored.line)?;
                }
                for (index, line) in draft.lines.iter().enumerate() {
                    repo::insert_line(tx, order.id, index as i64 + 1, &new_line(line)?)?;
                }
                event(tx, ctx, order.id, Step::Edit, &msg("order.ev_saved", &[("lines", &draft.lines.len())]))?;
            } else {
                check(&order, Step::Change)?;
                // Reservations and shipments belong to this customer and warehouse.
                if header.customer_id != order.customer_id || header.warehouse_id != order.warehouse_id {
                    return Err(Error::Refused(tf("order.fixed_after_confirm", &[("number", &order.number)])));
                }
                change_lines(tx, ctx, &order, &draft.lines)?;
            }
            repo::update_header(tx, order.id, order.version, &header, &ctx.now)?;
            order.id
        }
    };
    // The stored gross is still the one before this save: totals are written just below.
    let before = draft.editing.as_ref().map(|e| get_in(tx, e.id)).transpose()?.map(|o| o.gross);
    let order = get_in(tx, id)?;
    let totals = store_totals(tx, &order)?;
    if order.status != OrderStatus::Draft {
        // A change that makes a confirmed order bigger meets the same limits as confirming.
        if before.is_some_and(|gross| totals.gross > gross) && !ctx.operator.role.allows(Role::Manager) {
            let reasons = approval_reasons(tx, &get_in(tx, id)?)?;
            if !reasons.is_empty() {
                let why: Vec<String> = reasons.iter().map(describe_reason).collect();
                return Err(Error::Refused(tf("order.change_needs_manager", &[("why", &why.join("; "))])));
            }
        }
        let order = get_in(tx, id)?;
        allocate_in(tx, ctx, &order)?;
        // Removing what waited may leave the order fully shipped, or delivered.
        let status = status_after(tx, id)?;
        if status != order.status && status != OrderStatus::Confirmed {
            repo::set_status(tx, id, get_in(tx, id)?.version, status, "", &ctx.now)?;
        }
    }
    Ok(id)
}

/// Puts an order just saved from a file where the file says it stands, past confirmed.
/// What shipped is history: no stock moves, as for imported purchase orders (the stock
/// file gives today's levels). A partly shipped order reserves what is still to ship, as
/// any open order does; the others hold nothing. `shipped` is (line, quantity).
pub(crate) fn import_state_in(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    id: i64,
    status: OrderStatus,
    shipped: &[(i64, Quantity)],
) -> Result<()> {
    for (line, quantity) in shipped.iter().filter(|(_, q)| !q.is_zero()) {
        repo::set_imported_shipped(tx, id, *line, *quantity)?;
    }
    let order = get_in(tx, id)?;
    if status == OrderStatus::PartlyShipped {
        repo::set_status(tx, id, order.version, OrderStatus::Confirmed, "", &ctx.now)?;
        allocate_in(tx, ctx, &get_in(tx, id)?)?;
    }
    repo::set_status(tx, id, get_in(tx, id)?.version, status, "", &ctx.now)?;
    repo::refresh_backorder(tx, id)?;
    event(tx, ctx, id, Step::Edit, &msg("order.ev_imported_as", &[("status", &status_label(status))]))
}

/// Applies the typed lines to a confirmed order: quantities not below what shipped, lines
/// removed only when nothing of them left, price changes only by a manager; shipments
/// holding more than a line now needs give the rest back. Each change goes on the timeline.
fn change_lines(tx: &Connection, ctx: &WriteCtx<'_>, order: &Order, typed: &[DraftLine]) -> Result<()> {
    let stored = repo::lines(tx, order.id)?;
    let open = open_shipment(tx, order.id)?;
    let held = |line: i64| {
        open.as_ref()
            .and_then(|s| s.lines.iter().find(|l| l.order_line == line))
            .map(|l| l.quantity)
            .unwrap_or_default()
    };
    let manager = ctx.operator.role.allows(Role::Manager);
    let billed = db::invoices::billed(tx, order.id)?;
    let billed_of = |line: i64| billed.iter().find(|(l, _)| *l == line).map(|(_, q)| *q).unwrap_or_default();
    let mut changes = Vec::new();
    for s in &stored {
        // What the customer is billed for stays on the order until a credit note takes it
        // back: no fewer units, no other price, no removed line.
        let invoiced = billed_of(s.line);
        if invoiced > Quantity::ZERO {
            let typed = typed.iter().find(|d| d.line == Some(s.line));
            let kept = typed.is_some_and(|d| {
                d.quantity >= invoiced
                    && d.unit_price == s.unit_price
                    && d.discount == s.discount
                    && d.tax_rate == s.tax_rate
            });
            if !kept {
                return Err(Error::Refused(tf(
                    "order.change_invoiced",
                    &[("sku", &s.sku), ("quantity", &invoiced.value().normalize())],
                )));
            }
        }
        let Some(d) = typed.iter().find(|d| d.line == Some(s.line)) else {
            if !s.shipped.is_zero() {
                return Err(refusal(
                    &order.number,
                    OrderRefused::BelowShipped { sku: s.sku.clone(), shipped: s.shipped },
                ));
            }
            if let Some(shipment) = &open {
                repo::hold(tx, shipment.id, s.line, s.product_id, Quantity::ZERO)?;
            }
            repo::delete_line(tx, order.id, s.line)?;
            changes.push(msg("order.ev_removed", &[("sku", &s.sku), ("quantity", &s.quantity.value().normalize())]));
            continue;
        };
        if d.quantity < s.shipped {
            return Err(refusal(&order.number, OrderRefused::BelowShipped { sku: s.sku.clone(), shipped: s.shipped }));
        }
        let repriced = d.unit_price != s.unit_price || d.discount != s.discount || d.tax_rate != s.tax_rate;
        if repriced && !manager {
            return Err(Error::Refused(tf("order.price_needs_manager", &[("sku", &s.sku)])));
        }
        // What left was sold at the old price: a new price needs its own line.
        if repriced && !s.shipped.is_zero() {
            return Err(Error::Refused(tf("order.price_after_shipping", &[("sku", &s.sku)])));
        }
        if d.quantity == s.quantity && !repriced {
            continue;
        }
        // The shipment gives back what the smaller line no longer needs first: the line
        // may never hold less than is allocated and shipped of it.
        let keep = d.quantity - s.shipped;
        if let Some(shipment) = &open
            && held(s.line) > keep
        {
            repo::hold(tx, shipment.id, s.line, s.product_id, keep)?;
        }
        repo::update_line(tx, order.id, s.line, &new_line(d)?)?;
        if d.quantity != s.quantity {
            changes.push(msg(
                "order.ev_quantity",
                &[("sku", &s.sku), ("from", &s.quantity.value().normalize()), ("to", &d.quantity.value().normalize())],
            ));
        }
        if repriced {
            changes
                .push(msg("order.ev_price", &[("sku", &s.sku), ("price", &d.unit_price), ("discount", &d.discount)]));
        }
    }
    let mut next = stored.iter().map(|l| l.line).max().unwrap_or(0);
    for d in typed.iter().filter(|d| d.line.is_none()) {
        check_price(tx, ctx, d, order.prices_include_tax)?;
        next += 1;
        repo::insert_line(tx, order.id, next, &new_line(d)?)?;
        changes.push(msg(
            "order.ev_added",
            &[("sku", &d.product.data.sku), ("quantity", &d.quantity.value().normalize())],
        ));
    }
    if typed.is_empty() {
        return Err(refusal(&order.number, OrderRefused::NoLines));
    }
    if let Some(shipment) = &open {
        repo::delete_empty_shipment(tx, shipment.id)?;
    }
    if !changes.is_empty() {
        event(tx, ctx, order.id, Step::Change, &changes.join(PARTS))?;
    }
    Ok(())
}

fn open_shipment(tx: &Connection, order: i64) -> Result<Option<Shipment>> {
    Ok(repo::shipments(tx, order)?.into_iter().find(|s| s.status == "open"))
}

/// Confirms a draft: sent for approval when it is above the shop's approval limit or the
/// customer's credit limit (unless a manager confirms), else confirmed with its stock
/// reserved on a shipment to pick.
pub fn confirm(session: &mut Session, id: i64, version: i64) -> Result<Confirmation> {
    session.write(|tx, ctx| confirm_in(tx, ctx, id, version))
}

pub(crate) fn confirm_in(tx: &Connection, ctx: &WriteCtx<'_>, id: i64, version: i64) -> Result<Confirmation> {
    let order = current(tx, id, version)?;
    check(&order, Step::Confirm)?;
    if repo::lines(tx, id)?.is_empty() {
        return Err(refusal(&order.number, OrderRefused::NoLines));
    }
    let reasons = approval_reasons(tx, &order)?;
    let described: Vec<String> = reasons.iter().map(reason_msg).collect();
    if !reasons.is_empty() && !ctx.operator.role.allows(Role::Manager) {
        repo::set_status(tx, id, version, OrderStatus::AwaitingApproval, "", &ctx.now)?;
        event(tx, ctx, id, Step::Confirm, &msg("order.ev_needs_approval", &[("why", &described.join(LIST))]))?;
        return Ok(Confirmation {
            order: get_in(tx, id)?,
            needs_approval: reasons,
            approved_past: Vec::new(),
            waiting: Vec::new(),
            invoice: None,
        });
    }
    repo::set_status(tx, id, version, OrderStatus::Confirmed, "", &ctx.now)?;
    let detail = if reasons.is_empty() {
        msg("order.ev_confirmed", &[])
    } else {
        msg("order.ev_confirmed_by_manager", &[("why", &described.join(LIST))])
    };
    event(tx, ctx, id, Step::Confirm, &detail)?;
    let order = get_in(tx, id)?;
    let waiting = allocate_in(tx, ctx, &order)?;
    let invoice = auto_invoice(tx, ctx, &order, Step::Confirm, super::invoices::AutoInvoice::OnConfirm)?;
    Ok(Confirmation { order: get_in(tx, id)?, needs_approval: Vec::new(), approved_past: reasons, waiting, invoice })
}

/// Why the order would need a manager: above the shop's approval limit, or taking the
/// customer over their tier's credit limit.
fn approval_reasons(tx: &Connection, order: &Order) -> Result<Vec<ApprovalReason>> {
    let settings = settings_in(tx)?;
    let customer = db::customers::get(tx, crate::domain::ids::CustomerId(order.customer_id))?
        .ok_or_else(|| Error::NotFound { what: order.customer_code.clone() })?;
    let credit_limit = db::tiers::find(tx, &customer.data.tier)?.map(|t| t.data.credit_limit).unwrap_or_default();
    let owed = repo::customer_owed(tx, order.customer_id, order.id)?;
    Ok(approval_needed(order.gross, settings.approval_limit, owed, credit_limit))
}

pub fn describe_reason(reason: &ApprovalReason) -> String {
    match reason {
        ApprovalReason::OverLimit { total, limit } => tf("order.over_limit", &[("total", total), ("limit", limit)]),
        ApprovalReason::OverCredit { exposure, limit } => {
            tf("order.over_credit", &[("exposure", exposure), ("limit", limit)])
        }
    }
}

/// A manager approves an order waiting for approval: it is confirmed and reserves stock.
pub fn approve(session: &mut Session, id: i64, version: i64) -> Result<Confirmation> {
    session.require(Role::Manager)?;
    session.write(|tx, ctx| {
        let order = current(tx, id, version)?;
        check(&order, Step::Approve)?;
        repo::set_status(tx, id, version, OrderStatus::Confirmed, "", &ctx.now)?;
        event(tx, ctx, id, Step::Approve, "")?;
        let order = get_in(tx, id)?;
        let waiting = allocate_in(tx, ctx, &order)?;
        let invoice = auto_invoice(tx, ctx, &order, Step::Approve, super::invoices::AutoInvoice::OnConfirm)?;
        Ok(Confirmation {
            order: get_in(tx, id)?,
            needs_approval: Vec::new(),
            approved_past: Vec::new(),
            waiting,
            invoice,
        })
    })
}

fn required_reason(reason: &str) -> Result<String> {
    check_text(reason, true, 500, false)
        .map_err(|problem| Error::Invalid(vec![FieldError { field: "reason", problem }]))
}

/// A manager rejects an order waiting for approval: it goes back to draft with the reason.
pub fn reject(session: &mut Session, id: i64, version: i64, reason: &str) -> Result<Order> {
    session.require(Role::Manager)?;
    let reason = required_reason(reason)?;
    session.write(|tx, ctx| {
        let order = current(tx, id, version)?;
        check(&order, Step::Reject)?;
        repo::set_status(tx, id, version, OrderStatus::Draft, &reason, &ctx.now)?;
        event(tx, ctx, id, Step::Reject, &reason)?;
        get_in(tx, id)
    })
}

/// Cancels an order nothing of which has shipped; its reservations are released.
pub fn cancel(session: &mut Session, id: i64, version: i64, reason: &str) -> Result<Order> {
    let reason = required_reason(reason)?;
    session.write(|tx, ctx| {
        let order = current(tx, id, version)?;
        let lines = repo::lines(tx, id)?;
        let shipped = lines.iter().filter(|l| !l.shipped.is_zero()).count();
        order.status.check_cancel(shipped, lines.len()).map_err(|why| refusal(&order.number, why))?;
        // Billed up front: the customer owes for it until a credit note takes it back.
        if let Some((line, q)) = db::invoices::billed(tx, id)?.into_iter().find(|(_, q)| *q > Quantity::ZERO) {
            let sku = lines.iter().find(|l| l.line == line).map(|l| l.sku.clone()).unwrap_or_default();
            return Err(Error::Refused(tf(
                "order.cancel_invoiced",
                &[("number", &order.number), ("sku", &sku), ("quantity", &q.value().normalize())],
            )));
        }
        for shipment in repo::shipments(tx, id)?.iter().filter(|s| s.status == "open") {
            repo::set_shipment_status(tx, shipment.id, "cancelled", "", "", &ctx.now)?;
        }
        repo::set_status(tx, id, version, OrderStatus::Cancelled, &reason, &ctx.now)?;
        repo::refresh_backorder(tx, id)?;
        event(tx, ctx, id, Step::Cancel, &reason)?;
        get_in(tx, id)
    })
}

/// Reserves what the warehouse has for what no shipment holds yet, on the order's open
/// shipment (made when needed). Returns what still waits for stock.
pub fn allocate(session: &mut Session, id: i64) -> Result<Vec<(String, Quantity)>> {
    session.write(|tx, ctx| {
        let order = get_in(tx, id)?;
        check(&order, Step::Allocate)?;
        allocate_in(tx, ctx, &order)
    })
}

fn allocate_in(tx: &Connection, ctx: &WriteCtx<'_>, order: &Order) -> Result<Vec<(String, Quantity)>> {
    let warehouse = products_repo::warehouse(tx, order.warehouse_id)?
        .ok_or_else(|| Error::NotFound { what: order.warehouse.clone() })?;
    let mut open = open_shipment(tx, order.id)?;
    let mut waiting = Vec::new();
    let mut taken = Vec::new();
    for line in repo::lines(tx, order.id)? {
        let wanted = line.backordered();
        if wanted.is_zero() || wanted.value().is_sign_negative() {
            continue;
        }
        let product =
            products_repo::product(tx, line.product_id)?.ok_or_else(|| Error::NotFound { what: line.sku.clone() })?;
        let level = db::ledger::level(tx, line.product_id, order.warehouse_id)?;
        let available = if product.data.tracks_lots {
            // Lots past their date are not for sale, and lots never go below zero.
            let today = ctx.now.get(..10).unwrap_or_default();
            let fresh = db::ledger::lots_in(tx, line.product_id, order.warehouse_id)?
                .iter()
                .filter(|l| l.expiry.is_empty() || l.expiry.as_str() >= today)
                .fold(Quantity::ZERO, |sum, l| sum + l.on_hand);
            fresh - level.map(|l| l.reserved).unwrap_or_default()
        } else {
            level.map(|l| l.available()).unwrap_or_default()
        };
        let may_go_negative =
            !product.data.tracks_lots && (product.data.allow_negative || warehouse.data.allow_negative);
        let take = if may_go_negative || available >= wanted {
            wanted
        } else if available.value().is_sign_positive() {
            available
        } else {
            Quantity::ZERO
        };
        if take < wanted {
            waiting.push((line.sku.clone(), wanted - take));
        }
        if take.is_zero() {
            continue;
        }
        let shipment = match &open {
            Some(s) => s.clone(),
            None => {
                let number = format!("SH-{:06}", db::meta::take_next(tx, "shipment")?);
                let id = repo::insert_shipment(tx, &number, order.id, order.warehouse_id, &ctx.now)?;
                let made = repo::shipment_by_number(tx, &number)?.ok_or_else(|| Error::NotFound { what: number })?;
                debug_assert_eq!(made.id, id);
                open = Some(made.clone());
                made
            }
        };
        let held = shipment.lines.iter().find(|l| l.order_line == line.line).map(|l| l.quantity).unwrap_or_default();
        repo::hold(tx, shipment.id, line.line, line.product_id, held + take)?;
        taken.push(format!("{} {}", line.sku, take.value().normalize()));
    }
    repo::refresh_backorder(tx, order.id)?;
    if let Some(shipment) = &open
        && !taken.is_empty()
    {
        let detail = msg("order.ev_allocated", &[("shipment", &shipment.number), ("lines", &taken.join(", "))]);
        event(tx, ctx, order.id, Step::Allocate, &detail)?;
    }
    Ok(waiting)
}

/// Ships an open shipment: its goods leave the warehouse (earliest expiry first for lot
/// products), the reservation is released and the order moves on.
pub fn ship(session: &mut Session, shipment: &str, carrier: &str, tracking: &str) -> Result<Order> {
    Ok(ship_as_seen(session, shipment, carrier, tracking, None)?.order)
}

/// `ship`, refused when the shipment no longer holds the lines `seen` (order line and
/// quantity) when the screen showed them: another session changed the order meanwhile, and
/// the box packed from the old pick list would not match what is booked.
pub fn ship_as_seen(
    session: &mut Session,
    shipment: &str,
    carrier: &str,
    tracking: &str,
    seen: Option<&[(i64, Quantity)]>,
) -> Result<Shipped> {
    let carrier = check_text(carrier, false, 64, false)
        .map_err(|problem| Error::Invalid(vec![FieldError { field: "carrier", problem }]))?;
    let tracking = check_text(tracking, false, 64, false)
        .map_err(|problem| Error::Invalid(vec![FieldError { field: "tracking", problem }]))?;
    session.write(|tx, ctx| {
        let s = repo::shipment_by_number(tx, shipment)?.ok_or_else(|| no_shipment(shipment))?;
        if s.status != "open" {
            return Err(Error::Refused(tf("order.shipment_not_open", &[("shipment", &s.number)])));
        }
        let holds: Vec<(i64, Quantity)> = s.lines.iter().map(|l| (l.order_line, l.quantity)).collect();
        if seen.is_some_and(|seen| seen != holds.as_slice()) {
            return Err(Error::Refused(tf("order.shipment_changed", &[("shipment", &s.number)])));
        }
        let order = get_in(tx, s.order_id)?;
        check(&order, Step::Ship)?;
        let warehouse = products_repo::warehouse(tx, s.warehouse_id)?
            .ok_or_else(|| Error::NotFound { what: s.warehouse.clone() })?;
        for line in &s.lines {
            let product = products_repo::product(tx, line.product_id)?
                .ok_or_else(|| Error::NotFound { what: line.sku.clone() })?;
            let m = MoveInput {
                product,
                warehouse: warehouse.clone(),
                quantity: line.quantity,
                unit_cost: None,
                lot: String::new(),
                expiry: None,
                reference: order.number.clone(),
                note: s.number.clone(),
            };
            take_out(tx, ctx, MoveKind::Shipment, &m)?;
        }
        repo::set_shipment_status(tx, s.id, "shipped", &carrier, &tracking, &ctx.now)?;
        let status = status_after(tx, order.id)?;
        repo::set_status(tx, order.id, order.version, status, "", &ctx.now)?;
        repo::refresh_backorder(tx, order.id)?;
        let detail = if carrier.is_empty() && tracking.is_empty() {
            msg("order.ev_shipped_plain", &[("shipment", &s.number)])
        } else {
            msg("order.ev_shipped", &[("shipment", &s.number), ("carrier", &carrier), ("tracking", &tracking)])
        };
        event(tx, ctx, order.id, Step::Ship, &detail)?;
        let invoice = auto_invoice(tx, ctx, &order, Step::Ship, super::invoices::AutoInvoice::OnShip)?;
        Ok(Shipped { order: get_in(tx, order.id)?, invoice })
    })
}

fn status_after(tx: &Connection, order: i64) -> Result<OrderStatus> {
    let lines: Vec<(Quantity, Quantity)> = repo::lines(tx, order)?.iter().map(|l| (l.quantity, l.shipped)).collect();
    let shipments = repo::shipments(tx, order)?;
    let all_delivered = shipments.iter().filter(|s| s.status != "cancelled").all(|s| s.status == "delivered");
    Ok(OrderStatus::after_shipping(&lines, all_delivered))
}

/// Records that a shipped shipment arrived on `date`; the order is delivered when all of
/// it has shipped and arrived.
pub fn deliver(session: &mut Session, shipment: &str, date: chrono::NaiveDate) -> Result<Order> {
    let today = session.clock.today();
    if date > today {
        return Err(Error::Refused(tf("order.delivered_in_future", &[("date", &date)])));
    }
    session.write(|tx, ctx| {
        let s = repo::shipment_by_number(tx, shipment)?.ok_or_else(|| no_shipment(shipment))?;
        match s.status.as_str() {
            "shipped" => {}
            "delivered" => {
                let on = s.delivered_on.clone().unwrap_or_default();
                return Err(Error::Refused(tf("order.already_delivered", &[("shipment", &s.number), ("date", &on)])));
            }
            _ => return Err(Error::Refused(tf("order.shipment_not_shipped", &[("shipment", &s.number)]))),
        }
        // Stored in UTC; the day it left where the shop is.
        let left = s.shipped_at.as_deref().and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok());
        if let Some(left) = left.map(|at| at.with_timezone(&chrono::Local).date_naive())
            && date < left
        {
            return Err(Error::Refused(tf(
                "order.delivered_before_shipped",
                &[("shipment", &s.number), ("date", &date), ("left", &left)],
            )));
        }
        let order = get_in(tx, s.order_id)?;
        repo::set_shipment_status(tx, s.id, "delivered", "", "", &date.to_string())?;
        let status = status_after(tx, order.id)?;
        if status != order.status {
            repo::set_status(tx, order.id, order.version, status, "", &ctx.now)?;
        }
        let detail = msg("order.ev_delivered", &[("shipment", &s.number), ("date", &date)]);
        event(tx, ctx, order.id, Step::Deliver, &detail)?;
        get_in(tx, order.id)
    })
}

/// Closes a delivered order: nothing more happens to it.
pub fn close(session: &mut Session, id: i64, version: i64) -> Result<Order> {
    session.write(|tx, ctx| {
        let order = current(tx, id, version)?;
        check(&order, Step::Close)?;
        repo::set_status(tx, id, version, OrderStatus::Closed, "", &ctx.now)?;
        event(tx, ctx, id, Step::Close, "")?;
        get_in(tx, id)
    })
}

/// The order as an editable draft: a draft's lines, or a confirmed order's for a change.
pub fn edit_draft(session: &Session, id: i64) -> Result<OrderDraft> {
    let conn = session.db.conn();
    let order = get_in(conn, id)?;
    if order.status != OrderStatus::Draft {
        check(&order, Step::Change)?;
    }
    let customer = crate::ops::customers::get(session, crate::domain::ids::CustomerId(order.customer_id))?;
    let mut lines = Vec::new();
    for l in repo::lines(conn, id)? {
        let product =
            products_repo::product(conn, l.product_id)?.ok_or_else(|| Error::NotFound { what: l.sku.clone() })?;
        lines.push(DraftLine {
            line: Some(l.line),
            product,
            quantity: l.quantity,
            unit_price: l.unit_price,
            discount: l.discount,
            tax_rate: l.tax_rate,
            shipped: l.shipped,
        });
    }
    Ok(OrderDraft {
        tier_discount: super::order_entry::tier_discount(session, &customer.data.tier)?,
        customer: Some(customer),
        header: HeaderInput {
            warehouse: order.warehouse.clone(),
            address: order.address.clone(),
            region: order.region.clone(),
            salesperson: order.salesperson.clone(),
            ship_by: order.ship_by.clone(),
            note: order.note.clone(),
        },
        lines,
        prices_include_tax: order.prices_include_tax,
        editing: Some(Editing { id, number: order.number, version: order.version, status: order.status }),
        imported: None,
        new_customer: None,
    })
}

/// A new draft with another order's customer, warehouse and quantities at today's prices.
pub fn copy(session: &Session, id: i64) -> Result<OrderDraft> {
    let conn = session.db.conn();
    let order = get_in(conn, id)?;
    let mut draft = OrderDraft::new(session)?;
    let customer = crate::ops::customers::get(session, crate::domain::ids::CustomerId(order.customer_id))?;
    draft.set_customer(session, customer)?;
    draft.header.warehouse = order.warehouse.clone();
    draft.header.address = order.address.clone();
    draft.header.region = order.region.clone();
    for l in repo::lines(conn, id)? {
        if let Some(product) = products_repo::product(conn, l.product_id)?
            && !product.archived
        {
            draft.add(product, l.quantity);
        }
    }
    Ok(draft)
}

/// "Repeat": a copy of the customer's latest order that was not cancelled.
pub fn repeat_last(session: &Session, customer: i64) -> Result<Option<OrderDraft>> {
    let recent = repo::customer_orders(session.db.conn(), customer, 20)?;
    match recent.iter().find(|o| o.status != OrderStatus::Cancelled) {
        Some(order) => Ok(Some(copy(session, order.id)?)),
        None => Ok(None),
    }
}

pub fn customer_orders(session: &Session, customer: i64, limit: usize) -> Result<Vec<Order>> {
    repo::customer_orders(session.db.conn(), customer, limit)
}

pub fn customer_revenue(session: &Session, customer: i64) -> Result<Money> {
    repo::customer_revenue(session.db.conn(), customer)
}

/// Splits a filter line into words; `"two words"` (or `key:"two words"`) stays one word,
/// without its quotes.
fn filter_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A filter value as the list compares it: `-` is "none set".
fn filter_value(value: &str) -> Option<String> {
    Some(if value == "-" { String::new() } else { value.to_string() })
}

/// Writes `value` so `parse_filter` reads it back as one word (a quote inside cannot be
/// written, and is left out).
pub fn quote_filter_value(value: &str) -> String {
    let value = value.replace('"', "");
    if value.is_empty() {
        "-".to_string()
    } else if value.chars().any(char::is_whitespace) {
        format!("\"{value}\"")
    } else {
        value
    }
}

/// What the list's filter line says: `sp:alice status:shipped from:2026-11-01
/// to:2026-11-30 region:North product:TEA-G category:"Tea & Coffee" tier:VIP
/// customer:C000123 status:counted` and any other words (an order number, part of a
/// customer's name or code). Unknown statuses and dates that are not dates are named back,
/// and the query is left as it was.
pub fn parse_filter(text: &str, query: &mut repo::OrderQuery) -> std::result::Result<(), String> {
    let mut words = Vec::new();
    let (mut status, mut salesperson, mut from, mut to) = (None, String::new(), String::new(), String::new());
    let mut parsed = repo::OrderQuery { view: query.view, today: query.today.clone(), ..Default::default() };
    let words_in = filter_words(text);
    for word in words_in.iter().map(String::as_str) {
        let date = |v: &str| match parse_date(v) {
            Ok(Some(d)) => Ok(d.to_string()),
            _ => Err(tf("orders.filter_bad_date", &[("value", &v)])),
        };
        match word.split_once(':') {
            // A filter word still being typed (`status:`) filters nothing yet, rather than
            // searching customers for the text "status:".
            Some((
                "sp" | "salesperson" | "status" | "from" | "to" | "region" | "product" | "category" | "tier"
                | "customer",
                "",
            )) => {}
            Some(("sp" | "salesperson", v)) if !v.is_empty() => salesperson = v.to_string(),
            Some(("status", "counted")) => parsed.counted = true,
            Some(("status", v)) if !v.is_empty() => {
                status =
                    Some(OrderStatus::parse(v).map_err(|p| format!("status: {}", crate::error::describe_problem(&p)))?)
            }
            Some(("from", v)) if !v.is_empty() => from = date(v)?,
            Some(("to", v)) if !v.is_empty() => to = date(v)?,
            Some(("region", v)) if !v.is_empty() => parsed.region = filter_value(v),
            Some(("product", v)) if !v.is_empty() => parsed.product = filter_value(v),
            Some(("category", v)) if !v.is_empty() => parsed.category = filter_value(v),
            Some(("tier", v)) if !v.is_empty() => parsed.tier = filter_value(v),
            Some(("customer", v)) if !v.is_empty() => parsed.customer = filter_value(v),
            _ => words.push(word),
        }
    }
    (parsed.filter, parsed.status, parsed.salesperson, parsed.from, parsed.to) =
        (words.join(" "), status, salesperson, from, to);
    // Anything else the query holds (a customer picked elsewhere) is kept.
    parsed.customer_id = query.customer_id;
    *query = parsed;
    Ok(())
}

pub fn window(
    session: &Session,
    query: &repo::OrderQuery,
    anchor: &crate::db::paging::Anchor,
    limit: usize,
) -> Result<Vec<repo::OrderRow>> {
    repo::window(session.db.conn(), query, anchor, limit)
}

pub fn count(session: &Session, query: &repo::OrderQuery) -> Result<usize> {
    repo::count(session.db.conn(), query)
}

pub fn position(session: &Session, query: &repo::OrderQuery, key: &crate::db::paging::Key) -> Result<usize> {
    repo::position(session.db.conn(), query, key)
}

pub fn check_all(session: &Session) -> Result<Vec<String>> {
    repo::problems(session.db.conn())
}

#[cfg(test)]
mod tests;

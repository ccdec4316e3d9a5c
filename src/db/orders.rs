//! Sales orders, their lines, timeline and shipments, and the shop's settings.

use rusqlite::{Connection, OptionalExtension, Row, ToSql, params_from_iter};
use rust_decimal::Decimal;

use super::paging::{self, Anchor, Key};
use super::products::{basis_points, minor};
use crate::domain::money::{Money, Price, Quantity};
use crate::domain::order::OrderStatus;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub status: OrderStatus,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub order_date: String,
    pub ship_by: String,
    pub salesperson: String,
    pub region: String,
    pub address: String,
    pub note: String,
    pub prices_include_tax: bool,
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
    pub backorder: bool,
    /// Why it was cancelled or rejected.
    pub reason: String,
    pub created_at: String,
    pub created_by: String,
    pub version: i64,
    /// Sales history imported from another system: the day it counts as sold. Such an
    /// order was invoiced there, so it is never invoiced here. `None` for the shop's own.
    pub sold_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub line: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub quantity: Quantity,
    pub unit_price: Price,
    pub discount: Decimal,
    pub tax_rate: Decimal,
    pub amount: Money,
    pub allocated: Quantity,
    pub shipped: Quantity,
}

impl OrderLine {
    /// What no shipment holds yet: waiting for stock.
    pub fn backordered(&self) -> Quantity {
        self.quantity - self.shipped - self.allocated
    }
}

/// A line as written: the product and its pricing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub product_id: i64,
    pub quantity: Quantity,
    pub unit_price: Price,
    pub discount: Decimal,
    pub tax_rate: Decimal,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: String,
    pub user: String,
    pub step: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub status: String,
    pub carrier: String,
    pub tracking: String,
    pub created_at: String,
    pub shipped_at: Option<String>,
    pub delivered_on: Option<String>,
    pub lines: Vec<ShipmentLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentLine {
    pub order_line: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub quantity: Quantity,
}

/// The order header as written by entry and changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub customer_id: i64,
    pub warehouse_id: i64,
    pub order_date: String,
    pub ship_by: String,
    pub salesperson: String,
    pub region: String,
    pub address: String,
    pub note: String,
}

const ORDER_SELECT: &str = "SELECT o.*, c.code AS customer_code, c.name AS customer_name, w.code AS warehouse
    FROM orders o JOIN customers c ON c.id = o.customer_id JOIN warehouses w ON w.id = o.warehouse_id";

fn order_from_row(row: &Row<'_>) -> rusqlite::Result<Order> {
    let status: String = row.get("status")?;
    Ok(Order {
        id: row.get("id")?,
        number: row.get("number")?,
        customer_id: row.get("customer_id")?,
        customer_code: row.get("customer_code")?,
        customer_name: row.get("customer_name")?,
        // The CHECK constraint allows only known statuses.
        status: OrderStatus::parse(&status).unwrap_or(OrderStatus::Draft),
        warehouse_id: row.get("warehouse_id")?,
        warehouse: row.get("warehouse")?,
        order_date: row.get("order_date")?,
        ship_by: row.get("ship_by")?,
        salesperson: row.get("salesperson")?,
        region: row.get("region")?,
        address: row.get("address")?,
        note: row.get("note")?,
        prices_include_tax: row.get("prices_include_tax")?,
        net: Money::from_minor(row.get("net")?),
        tax: Money::from_minor(row.get("tax")?),
        gross: Money::from_minor(row.get("gross")?),
        backorder: row.get("backorder")?,
        reason: row.get("reason")?,
        created_at: row.get("created_at")?,
        created_by: row.get("created_by")?,
        version: row.get("version")?,
        sold_on: row.get("sold_on")?,
    })
}

pub fn order(conn: &Connection, id: i64) -> Result<Option<Order>> {
    let sql = format!("{ORDER_SELECT} WHERE o.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], order_from_row).optional()?)
}

pub fn order_by_number(conn: &Connection, number: &str) -> Result<Option<Order>> {
    let sql = format!("{ORDER_SELECT} WHERE o.number = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([number.trim()], order_from_row).optional()?)
}

pub fn insert_order(
    conn: &Connection,
    number: &str,
    header: &Header,
    prices_include_tax: bool,
    at: &str,
    by: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO orders (number, customer_id, status, warehouse_id, order_date, ship_by, salesperson, region,
                             address, note, prices_include_tax, created_at, created_by, updated_at)
         VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?11)",
    )?
    .execute((
        number,
        header.customer_id,
        header.warehouse_id,
        &header.order_date,
        &header.ship_by,
        &header.salesperson,
        &header.region,
        &header.address,
        &header.note,
        prices_include_tax,
        at,
        by,
    ))?;
    Ok(conn.last_insert_rowid())
}

/// Writes the header if nobody saved the order since `version` was read.
pub fn update_header(conn: &Connection, id: i64, version: i64, header: &Header, at: &str) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE orders SET customer_id = ?3, warehouse_id = ?4, order_date = ?5, ship_by = ?6, salesperson = ?7,
                region = ?8, address = ?9, note = ?10, updated_at = ?11, version = version + 1
             WHERE id = ?1 AND version = ?2",
        )?
        .execute((
            id,
            version,
            header.customer_id,
            header.warehouse_id,
            &header.order_date,
            &header.ship_by,
            &header.salesperson,
            &header.region,
            &header.address,
            &header.note,
            at,
        ))?;
    if changed == 0 {
        return Err(Error::Conflict { what: format!("order {id}") });
    }
    Ok(())
}

/// Sets an imported order's reason (for a cancellation or a rejection) as its file gives it.
pub fn set_reason(conn: &Connection, id: i64, reason: &str) -> Result<()> {
    conn.prepare_cached("UPDATE orders SET reason = ?2 WHERE id = ?1")?.execute((id, reason))?;
    Ok(())
}

/// Moves the order to `status` with the reason for it (a cancellation's or rejection's;
/// empty clears an old one) if nobody saved it since `version` was read; returns the new
/// version.
pub fn set_status(
    conn: &Connection,
    id: i64,
    version: i64,
    status: OrderStatus,
    reason: &str,
    at: &str,
) -> Result<i64> {
    let changed = conn
        .prepare_cached(
            "UPDATE orders SET status = ?3, reason = ?4, updated_at = ?5,
                version = version + 1
             WHERE id = ?1 AND version = ?2",
        )?
        .execute((id, version, status.as_str(), reason, at))?;
    if changed == 0 {
        return Err(Error::Conflict { what: format!("order {id}") });
    }
    Ok(version + 1)
}

/// What has shipped of a line, as an imported order says (no stock moves with it: the
/// goods left before the shop used shopdesk).
pub fn set_imported_shipped(conn: &Connection, order_id: i64, line: i64, shipped: Quantity) -> Result<()> {
    conn.prepare_cached("UPDATE order_lines SET shipped = ?3 WHERE order_id = ?1 AND line = ?2")?.execute((
        order_id,
        line,
        minor(shipped.to_minor())?,
    ))?;
    Ok(())
}

/// Stores the totals computed from the lines, and whether any line waits for stock.
pub fn set_totals(conn: &Connection, id: i64, net: Money, tax: Money, gross: Money) -> Result<()> {
    conn.prepare_cached("UPDATE orders SET net = ?2, tax = ?3, gross = ?4 WHERE id = ?1")?.execute((
        id,
        minor(net.to_minor())?,
        minor(tax.to_minor())?,
        minor(gross.to_minor())?,
    ))?;
    Ok(())
}

pub fn refresh_backorder(conn: &Connection, id: i64) -> Result<bool> {
    let waiting: bool = conn
        .prepare_cached(
            "UPDATE orders SET backorder = status IN ('confirmed', 'partly_shipped') AND EXISTS (
                SELECT 1 FROM order_lines l WHERE l.order_id = orders.id AND l.quantity > l.allocated + l.shipped)
             WHERE id = ?1 RETURNING backorder",
        )?
        .query_row([id], |r| r.get(0))?;
    Ok(waiting)
}

const LINE_SELECT: &str = "SELECT l.*, p.sku, p.name, p.unit FROM order_lines l JOIN products p ON p.id = l.product_id";

fn line_from_row(row: &Row<'_>) -> rusqlite::Result<OrderLine> {
    Ok(OrderLine {
        line: row.get("line")?,
        product_id: row.get("product_id")?,
        sku: row.get("sku")?,
        name: row.get("name")?,
        unit: row.get("unit")?,
        quantity: Quantity::from_minor(row.get("quantity")?),
        unit_price: Price::from_minor(row.get("unit_price")?),
        discount: Decimal::new(row.get("discount_bp")?, 2).normalize(),
        tax_rate: Decimal::new(row.get("tax_rate_bp")?, 2).normalize(),
        amount: Money::from_minor(row.get("amount")?),
        allocated: Quantity::from_minor(row.get("allocated")?),
        shipped: Quantity::from_minor(row.get("shipped")?),
    })
}

pub fn lines(conn: &Connection, order_id: i64) -> Result<Vec<OrderLine>> {
    let sql = format!("{LINE_SELECT} WHERE l.order_id = ?1 ORDER BY l.line");
    let rows = conn.prepare_cached(&sql)?.query_map([order_id], line_from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn insert_line(conn: &Connection, order_id: i64, line: i64, new: &NewLine) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO order_lines (order_id, line, product_id, quantity, unit_price, discount_bp, tax_rate_bp, amount)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((
        order_id,
        line,
        new.product_id,
        minor(new.quantity.to_minor())?,
        minor(new.unit_price.to_minor())?,
        basis_points(new.discount)?,
        basis_points(new.tax_rate)?,
        minor(new.amount.to_minor())?,
    ))?;
    Ok(())
}

/// Rewrites a line's quantity and pricing, keeping what is allocated and shipped.
pub fn update_line(conn: &Connection, order_id: i64, line: i64, new: &NewLine) -> Result<()> {
    conn.prepare_cached(
        "UPDATE order_lines SET quantity = ?3, unit_price = ?4, discount_bp = ?5, tax_rate_bp = ?6, amount = ?7
         WHERE order_id = ?1 AND line = ?2",
    )?
    .execute((
        order_id,
        line,
        minor(new.quantity.to_minor())?,
        minor(new.unit_price.to_minor())?,
        basis_points(new.discount)?,
        basis_points(new.tax_rate)?,
        minor(new.amount.to_minor())?,
    ))?;
    Ok(())
}

pub fn delete_line(conn: &Connection, order_id: i64, line: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM order_lines WHERE order_id = ?1 AND line = ?2")?.execute((order_id, line))?;
    Ok(())
}

pub fn add_event(conn: &Connection, order_id: i64, at: &str, user: &str, step: &str, detail: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO order_events (order_id, at, user, step, detail) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute((order_id, at, user, step, detail))?;
    Ok(())
}

pub fn events(conn: &Connection, order_id: i64) -> Result<Vec<Event>> {
    let rows = conn
        .prepare_cached("SELECT at, user, step, detail FROM order_events WHERE order_id = ?1 ORDER BY id")?
        .query_map([order_id], |r| {
            Ok(Event { at: r.get("at")?, user: r.get("user")?, step: r.get("step")?, detail: r.get("detail")? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn shipment_from_row(row: &Row<'_>) -> rusqlite::Result<Shipment> {
    Ok(Shipment {
        id: row.get("id")?,
        number: row.get("number")?,
        order_id: row.get("order_id")?,
        warehouse_id: row.get("warehouse_id")?,
        warehouse: row.get("warehouse")?,
        status: row.get("status")?,
        carrier: row.get("carrier")?,
        tracking: row.get("tracking")?,
        created_at: row.get("created_at")?,
        shipped_at: row.get("shipped_at")?,
        delivered_on: row.get("delivered_on")?,
        lines: Vec::new(),
    })
}

const SHIPMENT_SELECT: &str =
    "SELECT s.*, w.code AS warehouse FROM shipments s JOIN warehouses w ON w.id = s.warehouse_id";

fn with_lines(conn: &Connection, mut shipment: Shipment) -> Result<Shipment> {
    shipment.lines = conn
        .prepare_cached(
            "SELECT l.order_line, l.product_id, l.quantity, p.sku, p.name, p.unit
             FROM shipment_lines l JOIN products p ON p.id = l.product_id
             WHERE l.shipment_id = ?1 ORDER BY l.order_line",
        )?
        .query_map([shipment.id], |r| {
            Ok(ShipmentLine {
                order_line: r.get("order_line")?,
                product_id: r.get("product_id")?,
                sku: r.get("sku")?,
                name: r.get("name")?,
                unit: r.get("unit")?,
                quantity: Quantity::from_minor(r.get("quantity")?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(shipment)
}

pub fn shipments(conn: &Connection, order_id: i64) -> Result<Vec<Shipment>> {
    let sql = format!("{SHIPMENT_SELECT} WHERE s.order_id = ?1 ORDER BY s.id");
    let heads: Vec<Shipment> =
        conn.prepare_cached(&sql)?.query_map([order_id], shipment_from_row)?.collect::<rusqlite::Result<_>>()?;
    heads.into_iter().map(|s| with_lines(conn, s)).collect()
}

pub fn shipment_by_number(conn: &Connection, number: &str) -> Result<Option<Shipment>> {
    let sql = format!("{SHIPMENT_SELECT} WHERE s.number = ?1");
    let head = conn.prepare_cached(&sql)?.query_row([number.trim()], shipment_from_row).optional()?;
    head.map(|s| with_lines(conn, s)).transpose()
}

pub fn insert_shipment(conn: &Connection, number: &str, order_id: i64, warehouse_id: i64, at: &str) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO shipments (number, order_id, warehouse_id, status, created_at) VALUES (?1, ?2, ?3, 'open', ?4)",
    )?
    .execute((number, order_id, warehouse_id, at))?;
    Ok(conn.last_insert_rowid())
}

/// Sets how much of an order line an open shipment holds: adds, changes or (zero)
/// removes its line. The triggers move the reservation with it.
pub fn hold(conn: &Connection, shipment_id: i64, order_line: i64, product_id: i64, quantity: Quantity) -> Result<()> {
    let quantity = minor(quantity.to_minor())?;
    if quantity == 0 {
        conn.prepare_cached("DELETE FROM shipment_lines WHERE shipment_id = ?1 AND order_line = ?2")?
            .execute((shipment_id, order_line))?;
    } else {
        conn.prepare_cached(
            "INSERT INTO shipment_lines (shipment_id, order_line, product_id, quantity) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (shipment_id, order_line) DO UPDATE SET quantity = excluded.quantity",
        )?
        .execute((shipment_id, order_line, product_id, quantity))?;
    }
    Ok(())
}

/// Leaves 'open' for 'shipped' or 'cancelled' (the triggers release the reservation),
/// or records delivery.
pub fn set_shipment_status(
    conn: &Connection,
    id: i64,
    status: &str,
    carrier: &str,
    tracking: &str,
    at: &str,
) -> Result<()> {
    match status {
        "shipped" => conn
            .prepare_cached(
                "UPDATE shipments SET status = 'shipped', carrier = ?2, tracking = ?3, shipped_at = ?4 WHERE id = ?1",
            )?
            .execute((id, carrier, tracking, at))?,
        "delivered" => conn
            .prepare_cached("UPDATE shipments SET status = 'delivered', delivered_on = ?2 WHERE id = ?1")?
            .execute((id, at))?,
        _ => conn.prepare_cached("UPDATE shipments SET status = ?2 WHERE id = ?1")?.execute((id, status))?,
    };
    Ok(())
}

pub fn delete_empty_shipment(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM shipments WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM shipment_lines WHERE shipment_id = ?1)",
    )?
    .execute([id])?;
    Ok(())
}

/// What the customer owes on orders other than `except`: their confirmed and shipped
/// orders' totals (the invoices module will replace this with open receivables).
pub fn customer_owed(conn: &Connection, customer_id: i64, except: i64) -> Result<Money> {
    let owed: i64 = conn
        .prepare_cached(
            "SELECT coalesce(sum(gross), 0) FROM orders WHERE customer_id = ?1 AND id <> ?2
               AND status IN ('awaiting_approval', 'confirmed', 'partly_shipped', 'shipped', 'delivered')",
        )?
        .query_row((customer_id, except), |r| r.get(0))?;
    Ok(Money::from_minor(owed))
}

/// A customer's latest orders (newest first), for their detail and "repeat".
pub fn customer_orders(conn: &Connection, customer_id: i64, limit: usize) -> Result<Vec<Order>> {
    let sql = format!("{ORDER_SELECT} WHERE o.customer_id = ?1 ORDER BY o.id DESC LIMIT ?2");
    let rows = conn
        .prepare_cached(&sql)?
        .query_map((customer_id, i64::try_from(limit).unwrap_or(i64::MAX)), order_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Lifetime revenue (net) of a customer's orders that were not cancelled or left as drafts.
pub fn customer_revenue(conn: &Connection, customer_id: i64) -> Result<Money> {
    let net: i64 = conn
        .prepare_cached(
            "SELECT coalesce(sum(net), 0) FROM orders WHERE customer_id = ?1
               AND status NOT IN ('draft', 'awaiting_approval', 'cancelled')",
        )?
        .query_row([customer_id], |r| r.get(0))?;
    Ok(Money::from_minor(net))
}

/// Which orders a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter)]
pub enum OrderView {
    #[default]
    All,
    Drafts,
    ToApprove,
    ToShip,
    Backorders,
    Overdue,
    Open,
}

impl OrderView {
    pub fn label_key(self) -> &'static str {
        match self {
            OrderView::All => "orders.view_all",
            OrderView::Drafts => "orders.view_drafts",
            OrderView::ToApprove => "orders.view_to_approve",
            OrderView::ToShip => "orders.view_to_ship",
            OrderView::Backorders => "orders.view_backorders",
            OrderView::Overdue => "orders.view_overdue",
            OrderView::Open => "orders.view_open",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderQuery {
    pub view: OrderView,
    /// An order number, or part of a customer's name or code.
    pub filter: String,
    pub customer_id: Option<i64>,
    pub status: Option<OrderStatus>,
    pub salesperson: String,
    /// Order dates, inclusive, as YYYY-MM-DD; empty for open-ended.
    pub from: String,
    pub to: String,
    /// Today, for the overdue view.
    pub today: String,
    /// The delivery region, a product (SKU) or category on one of the lines, the
    /// customer's tier, the customer's exact code; an empty value matches none set.
    pub region: Option<String>,
    pub product: Option<String>,
    pub category: Option<String>,
    pub tier: Option<String>,
    pub customer: Option<String>,
    /// Only orders that count as sales by order date: confirmed and later, not cancelled.
    pub counted: bool,
}

/// The ids of the orders that are sales history brought in from another system.
pub fn history_ids(conn: &Connection) -> Result<std::collections::HashSet<i64>> {
    let mut stmt = conn.prepare("SELECT id FROM orders WHERE sold_on IS NOT NULL")?;
    let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub id: i64,
    pub number: String,
    pub order_date: String,
    pub ship_by: String,
    pub customer: String,
    pub customer_code: String,
    pub status: OrderStatus,
    pub gross: Money,
    pub salesperson: String,
    pub backorder: bool,
}

fn conditions(query: &OrderQuery) -> (Vec<String>, Vec<Box<dyn ToSql>>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    match query.view {
        OrderView::All => {}
        OrderView::Drafts => clauses.push("o.status = 'draft'".into()),
        OrderView::ToApprove => clauses.push("o.status = 'awaiting_approval'".into()),
        OrderView::ToShip => clauses.push(
            "o.status IN ('confirmed', 'partly_shipped')
             AND EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.status = 'open')"
                .into(),
        ),
        OrderView::Backorders => clauses.push("o.backorder = 1".into()),
        OrderView::Overdue => {
            clauses.push("o.status IN ('confirmed', 'partly_shipped') AND o.ship_by <> '' AND o.ship_by < ?".into());
            params.push(Box::new(query.today.clone()));
        }
        OrderView::Open => clauses.push("o.status IN ('awaiting_approval', 'confirmed', 'partly_shipped')".into()),
    }
    let filter = query.filter.trim();
    if !filter.is_empty() {
        // Order numbers holding the text (`123` finds SO-000123, `CA-2016` another system's
        // history), or the orders of customers whose name or code holds it.
        clauses.push(
            "(o.number LIKE ? ESCAPE '\\' OR o.customer_id IN
                (SELECT id FROM customers WHERE search LIKE ? ESCAPE '\\'))"
                .into(),
        );
        let escaped = filter.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        params.push(Box::new(format!("%{escaped}%")));
        params.push(Box::new(format!("%{escaped}%")));
    }
    if let Some(status) = query.status {
        clauses.push("o.status = ?".into());
        params.push(Box::new(status.as_str()));
    }
    if let Some(customer) = query.customer_id {
        clauses.push("o.customer_id = ?".into());
        params.push(Box::new(customer));
    }
    if !query.salesperson.trim().is_empty() {
        clauses.push("o.salesperson = ?".into());
        params.push(Box::new(query.salesperson.trim().to_string()));
    }
    // Product and category go through `order_lines_by_product`: the orders holding the
    // product are found from the product, not by reading every order of the period.
    let by_product = |column: &str| {
        format!(
            "o.id IN (SELECT l.order_id FROM order_lines l
                      WHERE l.product_id IN (SELECT id FROM products WHERE {column} = ? COLLATE NOCASE))"
        )
    };
    let by_customer =
        |column: &str| format!("o.customer_id IN (SELECT id FROM customers WHERE {column} = ? COLLATE NOCASE)");
    for (value, clause) in [
        (&query.region, "o.region = ? COLLATE NOCASE".to_string()),
        (&query.product, by_product("sku")),
        (&query.category, by_product("category")),
        (&query.tier, by_customer("tier")),
        (&query.customer, by_customer("code")),
    ] {
        if let Some(value) = value {
            clauses.push(clause);
            params.push(Box::new(value.clone()));
        }
    }
    if query.counted {
        clauses.push("o.status IN ('confirmed', 'partly_shipped', 'shipped', 'delivered', 'closed')".into());
    }
    if !query.from.is_empty() {
        clauses.push("o.order_date >= ?".into());
        params.push(Box::new(query.from.clone()));
    }
    if !query.to.is_empty() {
        clauses.push("o.order_date <= ?".into());
        params.push(Box::new(query.to.clone()));
    }
    (clauses, params)
}

/// The list's key of an order: its date and id.
pub fn key_of(conn: &Connection, id: i64) -> Result<Option<Key>> {
    let date: Option<String> =
        conn.prepare_cached("SELECT order_date FROM orders WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
    Ok(date.map(|value| Key { value, id }))
}

/// A window of the list, newest first, keyed by order date and id.
pub fn window(conn: &Connection, query: &OrderQuery, anchor: &Anchor, limit: usize) -> Result<Vec<OrderRow>> {
    let (mut clauses, mut params) = conditions(query);
    // Newest first by order date, then number of creation: every view's index ends in
    // (order_date, id), so a page is a range read whatever the filter.
    let window = paging::window(anchor, "o.order_date", "o.id", true);
    if let Some((condition, key)) = window.condition {
        clauses.push(condition);
        params.push(Box::new(key.value));
        params.push(Box::new(key.id));
    }
    let (direction, backwards) = (window.direction, window.backwards);
    let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    let sql = format!(
        "SELECT o.id, o.number, o.order_date, o.ship_by, o.status, o.gross, o.salesperson, o.backorder,
                (SELECT name FROM customers c WHERE c.id = o.customer_id) AS customer,
                (SELECT code FROM customers c WHERE c.id = o.customer_id) AS customer_code
         FROM orders o {where_sql} ORDER BY o.order_date {direction}, o.id {direction} LIMIT ?"
    );
    params.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
    let mut rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(params.iter()), |r| {
            let status: String = r.get("status")?;
            Ok(OrderRow {
                id: r.get("id")?,
                number: r.get("number")?,
                order_date: r.get("order_date")?,
                ship_by: r.get("ship_by")?,
                customer: r.get("customer")?,
                customer_code: r.get("customer_code")?,
                status: OrderStatus::parse(&status).unwrap_or(OrderStatus::Draft),
                gross: Money::from_minor(r.get("gross")?),
                salesperson: r.get("salesperson")?,
                backorder: r.get("backorder")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if backwards {
        rows.reverse();
    }
    Ok(rows)
}

/// Counting a filtered million-row list exactly would cost more than a keystroke may;
/// above this the list says "10000+".
pub const COUNT_CAP: usize = 10_000;

pub fn count(conn: &Connection, query: &OrderQuery) -> Result<usize> {
    let plain = query.filter.trim().is_empty()
        && query.customer_id.is_none()
        && query.status.is_none()
        && query.salesperson.trim().is_empty()
        && query.from.is_empty()
        && query.to.is_empty()
        && query.region.is_none()
        && query.product.is_none()
        && query.category.is_none()
        && query.tier.is_none()
        && query.customer.is_none()
        && !query.counted;
    let stored = |statuses: &str| -> Result<usize> {
        let sql = format!("SELECT coalesce(sum(count), 0) FROM order_counts WHERE status IN ({statuses})");
        let n: i64 = conn.prepare_cached(&sql)?.query_row([], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    };
    match query.view {
        OrderView::All if plain => {
            return stored(
                "'draft', 'awaiting_approval', 'confirmed', 'partly_shipped', 'shipped', 'delivered', 'closed', 'cancelled'",
            );
        }
        OrderView::Drafts if plain => return stored("'draft'"),
        OrderView::ToApprove if plain => return stored("'awaiting_approval'"),
        OrderView::Open if plain => return stored("'awaiting_approval', 'confirmed', 'partly_shipped'"),
        _ => {}
    }
    let (clauses, mut params) = conditions(query);
    let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    let sql = format!("SELECT count(*) FROM (SELECT 1 FROM orders o {where_sql} LIMIT ?)");
    params.push(Box::new(i64::try_from(COUNT_CAP).unwrap_or(i64::MAX)));
    let n: i64 = conn.prepare_cached(&sql)?.query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Rows of the list before `key` (newest first): where a row sits, for the scroll bar.
pub fn position(conn: &Connection, query: &OrderQuery, key: &Key) -> Result<usize> {
    let (mut clauses, mut params) = conditions(query);
    clauses.push("(o.order_date, o.id) > (?, ?)".into());
    params.push(Box::new(key.value.clone()));
    params.push(Box::new(key.id));
    let sql = format!("SELECT count(*) FROM (SELECT 1 FROM orders o WHERE {} LIMIT ?)", clauses.join(" AND "));
    params.push(Box::new(i64::try_from(COUNT_CAP).unwrap_or(i64::MAX)));
    let n: i64 = conn.prepare_cached(&sql)?.query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

pub fn setting(conn: &Connection, key: &str) -> Result<String> {
    let value: Option<String> =
        conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?;
    Ok(value.unwrap_or_default())
}

pub fn set_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute((key, value))?;
    Ok(())
}

/// Orders for an export, oldest first.
pub fn for_each_order(conn: &Connection, mut each: impl FnMut(Order) -> Result<()>) -> Result<()> {
    let sql = format!("{ORDER_SELECT} ORDER BY o.id");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        each(order_from_row(row)?)?;
    }
    Ok(())
}

/// Every order line with its order's number, oldest order first.
pub fn for_each_line(conn: &Connection, mut each: impl FnMut(&str, OrderLine) -> Result<()>) -> Result<()> {
    let sql = "SELECT l.*, p.sku, p.name, p.unit, o.number FROM order_lines l
               JOIN products p ON p.id = l.product_id JOIN orders o ON o.id = l.order_id
               ORDER BY l.order_id, l.line";
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let number: String = row.get("number")?;
        each(&number, line_from_row(row)?)?;
    }
    Ok(())
}

/// Runs a check query and describes each row it finds.
fn findings(
    conn: &Connection,
    sql: &str,
    describe: impl Fn(&Row<'_>) -> rusqlite::Result<String>,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let found = stmt.query_map([], |r| describe(r))?.collect::<rusqlite::Result<_>>()?;
    Ok(found)
}

/// Reservations and allocations that differ from the open shipments that should make
/// them, and order totals that differ from their lines: what `check` reports.
pub fn problems(conn: &Connection) -> Result<Vec<String>> {
    let q = |r: &Row<'_>, i: usize| r.get::<_, i64>(i).map(Quantity::from_minor);
    let m = |r: &Row<'_>, i: usize| r.get::<_, i64>(i).map(Money::from_minor);
    let mut found = findings(
        conn,
        "SELECT p.sku, w.code, l.reserved, coalesce(h.held, 0) FROM stock_levels l
         JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
         LEFT JOIN (SELECT sl.product_id, s.warehouse_id, sum(sl.quantity) AS held
                    FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id AND s.status = 'open'
                    GROUP BY 1, 2) h ON h.product_id = l.product_id AND h.warehouse_id = l.warehouse_id
         WHERE l.reserved <> coalesce(h.held, 0)",
        |r| {
            let (sku, wh): (String, String) = (r.get(0)?, r.get(1)?);
            Ok(format!("reserved {sku} in {wh}: {} but open shipments hold {}", q(r, 2)?, q(r, 3)?))
        },
    )?;
    found.extend(findings(
        conn,
        "SELECT o.number, l.line, l.allocated, coalesce(h.held, 0) FROM order_lines l JOIN orders o ON o.id = l.order_id
         LEFT JOIN (SELECT s.order_id, sl.order_line, sum(sl.quantity) AS held
                    FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id AND s.status = 'open'
                    GROUP BY 1, 2) h ON h.order_id = l.order_id AND h.order_line = l.line
         WHERE l.allocated <> coalesce(h.held, 0)",
        |r| {
            let (number, line): (String, i64) = (r.get(0)?, r.get(1)?);
            Ok(format!("order {number} line {line}: allocated {} but open shipments hold {}", q(r, 2)?, q(r, 3)?))
        },
    )?);
    found.extend(findings(
        conn,
        "SELECT o.number, o.net, o.tax, o.gross FROM orders o WHERE o.gross <> o.net + o.tax
            OR o.net <> CASE WHEN o.prices_include_tax THEN o.net
                             ELSE (SELECT coalesce(sum(amount), 0) FROM order_lines l WHERE l.order_id = o.id) END
            OR o.gross <> CASE WHEN o.prices_include_tax
                               THEN (SELECT coalesce(sum(amount), 0) FROM order_lines l WHERE l.order_id = o.id)
                               ELSE o.gross END",
        |r| {
            let number: String = r.get(0)?;
            Ok(format!(
                "order {number}: totals net {} tax {} gross {} do not match its lines",
                m(r, 1)?,
                m(r, 2)?,
                m(r, 3)?
            ))
        },
    )?);
    found.extend(findings(
        conn,
        "SELECT c.status, c.count, (SELECT count(*) FROM orders o WHERE o.status = c.status)
         FROM order_counts c WHERE c.count <> (SELECT count(*) FROM orders o WHERE o.status = c.status)",
        |r| {
            let (status, stored, actual): (String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            Ok(format!("orders {status}: counted {stored} but there are {actual}"))
        },
    )?);
    Ok(found)
}

/// Orders in `statuses` (or flagged as waiting for stock), oldest first, for reports.
pub fn for_each_in(
    conn: &Connection,
    statuses: &[OrderStatus],
    backordered_only: bool,
    mut each: impl FnMut(Order) -> Result<()>,
) -> Result<()> {
    let list: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
    let filter =
        if backordered_only { "o.backorder = 1".to_string() } else { format!("o.status IN ({})", list.join(", ")) };
    let sql = format!("{ORDER_SELECT} WHERE {filter} ORDER BY o.id");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        each(order_from_row(row)?)?;
    }
    Ok(())
}

/// Shipments with their order's number and customer, oldest first; all, or of one status.
pub fn for_each_shipment(
    conn: &Connection,
    status: Option<&str>,
    mut each: impl FnMut(Shipment, &str, &str) -> Result<()>,
) -> Result<()> {
    let sql = format!(
        "SELECT s.*, w.code AS warehouse, o.number AS order_number, c.name AS customer
         FROM shipments s JOIN warehouses w ON w.id = s.warehouse_id JOIN orders o ON o.id = s.order_id
         JOIN customers c ON c.id = o.customer_id {} ORDER BY s.id",
        if status.is_some() { "WHERE s.status = ?1" } else { "" }
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = match status {
        Some(status) => stmt.query([status])?,
        None => stmt.query([])?,
    };
    while let Some(row) = rows.next()? {
        let shipment = with_lines(conn, shipment_from_row(row)?)?;
        let number: String = row.get("order_number")?;
        let customer: String = row.get("customer")?;
        each(shipment, &number, &customer)?;
    }
    Ok(())
}

/// What an active customer who ever bought (orders that went ahead) has bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bought {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub tier: String,
    /// The latest order's date.
    pub last: String,
    /// Orders and net revenue since the period's start.
    pub orders: i64,
    pub revenue: Money,
}

/// Per active customer who ever bought: their latest order date, and their orders and net
/// revenue since `from` (YYYY-MM-DD). One grouped pass over the orders.
pub fn purchases_since(conn: &Connection, from: &str) -> Result<Vec<Bought>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.code, c.name, c.tier, a.last, a.orders, a.revenue
         FROM (SELECT customer_id, max(order_date) AS last, sum(order_date >= ?1) AS orders,
                      sum(CASE WHEN order_date >= ?1 THEN net ELSE 0 END) AS revenue
               FROM orders WHERE status IN ('confirmed', 'partly_shipped', 'shipped', 'delivered', 'closed')
               GROUP BY customer_id) a
         JOIN customers c ON c.id = a.customer_id
         WHERE c.archived_at IS NULL",
    )?;
    let rows = stmt
        .query_map([from], |r| {
            Ok(Bought {
                customer_id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                tier: r.get(3)?,
                last: r.get(4)?,
                orders: r.get(5)?,
                revenue: Money::from_minor(r.get(6)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

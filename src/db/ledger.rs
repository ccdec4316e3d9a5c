//! The stock ledger (append-only moves), the levels the triggers keep beside it, lots, and
//! transfers between warehouses; plus the checks that prove levels equal the ledger.

use rusqlite::{Connection, OptionalExtension, Row};

use super::products::minor;
use crate::domain::money::{Price, Quantity};
use crate::domain::stock::{LotStock, MoveKind};
use crate::error::Result;

/// A move as it is written: who and when come from the write context.
#[derive(Debug, Clone)]
pub struct NewMove<'a> {
    pub at: &'a str,
    pub user: &'a str,
    pub kind: MoveKind,
    pub product_id: i64,
    pub warehouse_id: i64,
    pub lot_id: Option<i64>,
    /// Positive in, negative out.
    pub quantity: Quantity,
    pub unit_cost: Price,
    pub reference: &'a str,
    pub note: &'a str,
}

pub fn insert_move(conn: &Connection, m: &NewMove<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO stock_moves (at, user, kind, product_id, warehouse_id, lot_id, quantity, unit_cost, reference, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute((
        m.at,
        m.user,
        m.kind.as_str(),
        m.product_id,
        m.warehouse_id,
        m.lot_id,
        minor(m.quantity.to_minor())?,
        minor(m.unit_cost.to_minor())?,
        m.reference,
        m.note,
    ))?;
    Ok(conn.last_insert_rowid())
}

/// A move as the screens and exports show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub kind: MoveKind,
    pub sku: String,
    pub warehouse: String,
    pub lot: String,
    pub expiry: String,
    pub quantity: Quantity,
    pub unit_cost: Price,
    pub reference: String,
    pub note: String,
}

const MOVE_SELECT: &str = "SELECT m.*, p.sku, w.code AS warehouse, coalesce(t.code, '') AS lot,
        coalesce(t.expiry, '') AS expiry
    FROM stock_moves m JOIN products p ON p.id = m.product_id JOIN warehouses w ON w.id = m.warehouse_id
    LEFT JOIN lots t ON t.id = m.lot_id";

fn move_from_row(row: &Row<'_>) -> rusqlite::Result<Move> {
    let kind: String = row.get("kind")?;
    Ok(Move {
        id: row.get("id")?,
        at: row.get("at")?,
        user: row.get("user")?,
        // The CHECK constraint allows only known kinds.
        kind: MoveKind::parse(&kind).unwrap_or(MoveKind::Adjustment),
        sku: row.get("sku")?,
        warehouse: row.get("warehouse")?,
        lot: row.get("lot")?,
        expiry: row.get("expiry")?,
        quantity: Quantity::from_minor(row.get("quantity")?),
        unit_cost: Price::from_minor(row.get("unit_cost")?),
        reference: row.get("reference")?,
        note: row.get("note")?,
    })
}

/// A product's newest moves first.
pub fn recent_moves(conn: &Connection, product_id: i64, limit: usize) -> Result<Vec<Move>> {
    let sql = format!("{MOVE_SELECT} WHERE m.product_id = ?1 ORDER BY m.id DESC LIMIT ?2");
    let rows = conn
        .prepare_cached(&sql)?
        .query_map((product_id, i64::try_from(limit).unwrap_or(i64::MAX)), move_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn for_each_move(conn: &Connection, mut each: impl FnMut(Move) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(&format!("{MOVE_SELECT} ORDER BY m.id"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        each(move_from_row(row)?)?;
    }
    Ok(())
}

/// One product in one warehouse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Level {
    pub warehouse_id: i64,
    pub warehouse: String,
    pub on_hand: Quantity,
    pub reserved: Quantity,
    pub incoming: Quantity,
    pub reorder_point: Quantity,
    pub reorder_qty: Quantity,
    /// The warehouse has its own reorder point and quantity instead of the product's.
    pub overridden: bool,
}

impl Level {
    pub fn available(&self) -> Quantity {
        self.on_hand - self.reserved
    }

    /// Available and incoming below the reorder point.
    pub fn is_low(&self) -> bool {
        (self.available() + self.incoming) < self.reorder_point
    }
}

fn level_from_row(row: &Row<'_>) -> rusqlite::Result<Level> {
    Ok(Level {
        warehouse_id: row.get("warehouse_id")?,
        warehouse: row.get("warehouse")?,
        on_hand: Quantity::from_minor(row.get("on_hand")?),
        reserved: Quantity::from_minor(row.get("reserved")?),
        incoming: Quantity::from_minor(row.get("incoming")?),
        reorder_point: Quantity::from_minor(row.get("reorder_point")?),
        reorder_qty: Quantity::from_minor(row.get("reorder_qty")?),
        overridden: row.get("overridden")?,
    })
}

pub fn level(conn: &Connection, product_id: i64, warehouse_id: i64) -> Result<Option<Level>> {
    Ok(conn
        .prepare_cached(
            "SELECT l.*, w.code AS warehouse FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
             WHERE l.product_id = ?1 AND l.warehouse_id = ?2",
        )?
        .query_row((product_id, warehouse_id), level_from_row)
        .optional()?)
}

/// A product's level in every warehouse, the default first.
pub fn levels(conn: &Connection, product_id: i64) -> Result<Vec<Level>> {
    let rows = conn
        .prepare_cached(
            "SELECT l.*, w.code AS warehouse FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
             WHERE l.product_id = ?1 ORDER BY w.is_default DESC, w.code",
        )?
        .query_map([product_id], level_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every active product's level in every warehouse, by SKU then warehouse.
pub fn for_each_level(conn: &Connection, mut each: impl FnMut(&str, &str, &str, Level) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT l.*, w.code AS warehouse, p.sku, p.name, p.unit FROM stock_levels l
         JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
         WHERE p.archived_at IS NULL ORDER BY p.sku, w.is_default DESC, w.code",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (sku, name, unit): (String, String, String) = (row.get("sku")?, row.get("name")?, row.get("unit")?);
        each(&sku, &name, &unit, level_from_row(row)?)?;
    }
    Ok(())
}

/// Every warehouse's own reorder point and quantity, as (warehouse, sku, point, quantity).
pub fn reorder_overrides(conn: &Connection) -> Result<Vec<(String, String, Quantity, Quantity)>> {
    let rows = conn
        .prepare(
            "SELECT w.code, p.sku, l.reorder_point, l.reorder_qty FROM stock_levels l
             JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
             WHERE l.overridden = 1 ORDER BY p.sku, w.code",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, Quantity::from_minor(r.get(2)?), Quantity::from_minor(r.get(3)?)))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn add_incoming(conn: &Connection, product_id: i64, warehouse_id: i64, delta: Quantity) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE stock_levels SET incoming = incoming + ?1 WHERE product_id = ?2 AND warehouse_id = ?3")?
        .execute((minor(delta.to_minor())?, product_id, warehouse_id))?;
    // Every pair has a level row (the triggers make them); a missing one would let the
    // figures drift from the documents, so the write stops instead.
    if changed == 1 {
        Ok(())
    } else {
        Err(crate::error::Error::NotFound { what: format!("stock level {product_id}/{warehouse_id}") })
    }
}

/// Sets a warehouse's own reorder point and quantity for a product, or with `None` returns
/// it to the product's defaults.
pub fn override_reorder(
    conn: &Connection,
    product_id: i64,
    warehouse_id: i64,
    values: Option<(Quantity, Quantity)>,
) -> Result<()> {
    match values {
        Some((point, qty)) => conn
            .prepare_cached(
                "UPDATE stock_levels SET reorder_point = ?1, reorder_qty = ?2, overridden = 1
                 WHERE product_id = ?3 AND warehouse_id = ?4",
            )?
            .execute((minor(point.to_minor())?, minor(qty.to_minor())?, product_id, warehouse_id))?,
        None => conn
            .prepare_cached(
                "UPDATE stock_levels SET overridden = 0,
                    reorder_point = (SELECT reorder_point FROM products WHERE id = ?1),
                    reorder_qty = (SELECT reorder_qty FROM products WHERE id = ?1)
                 WHERE product_id = ?1 AND warehouse_id = ?2",
            )?
            .execute((product_id, warehouse_id))?,
    };
    Ok(())
}

/// The lot `code` of a product, created with `expiry` when new. An existing lot keeps its
/// expiry; `Err` carries the stored one when a different expiry was given.
pub fn lot(conn: &Connection, product_id: i64, code: &str, expiry: &str) -> Result<std::result::Result<i64, String>> {
    let found: Option<(i64, String)> = conn
        .prepare_cached("SELECT id, expiry FROM lots WHERE product_id = ?1 AND code = ?2")?
        .query_row((product_id, code), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match found {
        Some((id, stored)) if expiry.is_empty() || stored == expiry => Ok(Ok(id)),
        // A lot first received without a date gets the one given now.
        Some((id, stored)) if stored.is_empty() => {
            conn.prepare_cached("UPDATE lots SET expiry = ?1 WHERE id = ?2")?.execute((expiry, id))?;
            Ok(Ok(id))
        }
        Some((_, stored)) => Ok(Err(stored)),
        None => {
            conn.prepare_cached("INSERT INTO lots (product_id, code, expiry) VALUES (?1, ?2, ?3)")?
                .execute((product_id, code, expiry))?;
            Ok(Ok(conn.last_insert_rowid()))
        }
    }
}

/// The expiry stored for a product's lot, if the lot exists.
pub fn lot_expiry(conn: &Connection, product_id: i64, code: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT expiry FROM lots WHERE product_id = ?1 AND code = ?2")?
        .query_row((product_id, code), |r| r.get(0))
        .optional()?)
}

/// A product's lots with stock in a warehouse.
pub fn lots_in(conn: &Connection, product_id: i64, warehouse_id: i64) -> Result<Vec<LotStock>> {
    let rows = conn
        .prepare_cached(
            "SELECT t.id, t.code, t.expiry, v.on_hand FROM lots t JOIN lot_levels v ON v.lot_id = t.id
             WHERE t.product_id = ?1 AND v.warehouse_id = ?2 AND v.on_hand <> 0 ORDER BY t.expiry = '', t.expiry, t.code",
        )?
        .query_map((product_id, warehouse_id), |r| {
            Ok(LotStock {
                lot_id: r.get(0)?,
                code: r.get(1)?,
                expiry: r.get(2)?,
                on_hand: Quantity::from_minor(r.get(3)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A line of an alert list: one product in one warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowStock {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub supplier: String,
    pub level: Level,
}

/// Products whose available + incoming stock is below the reorder point, the largest
/// shortfall first. `warehouse` limits it to one.
pub fn low_stock(conn: &Connection, warehouse: Option<i64>, limit: usize) -> Result<Vec<LowStock>> {
    let rows = conn
        .prepare_cached(
            "SELECT l.*, w.code AS warehouse, p.sku, p.name, p.unit, coalesce(s.code, '') AS supplier
             FROM stock_levels l INDEXED BY stock_levels_shortfall
             JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
             LEFT JOIN suppliers s ON s.id = p.supplier_id
             WHERE l.on_hand - l.reserved + l.incoming - l.reorder_point < 0
               AND p.archived_at IS NULL AND w.archived_at IS NULL AND (?1 IS NULL OR l.warehouse_id = ?1)
             ORDER BY l.on_hand - l.reserved + l.incoming - l.reorder_point, l.warehouse_id, l.product_id
             LIMIT ?2",
        )?
        .query_map((warehouse, i64::try_from(limit).unwrap_or(i64::MAX)), |r| {
            Ok(LowStock {
                product_id: r.get("product_id")?,
                sku: r.get("sku")?,
                name: r.get("name")?,
                unit: r.get("unit")?,
                supplier: r.get("supplier")?,
                level: level_from_row(r)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub const LOW_COUNT_CAP: usize = 10_000;

/// How many product x warehouse pairs are low: a range count on the shortfall index.
/// Counted up to `LOW_COUNT_CAP`: the status bar says "10000+" rather than spend a second
/// counting a million pairs of a shop that has not set its stock yet.
pub fn low_stock_count(conn: &Connection) -> Result<usize> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM (SELECT 1 FROM stock_levels l INDEXED BY stock_levels_shortfall
             JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
             WHERE l.on_hand - l.reserved + l.incoming - l.reorder_point < 0
               AND p.archived_at IS NULL AND w.archived_at IS NULL LIMIT ?1)",
        )?
        .query_row([i64::try_from(LOW_COUNT_CAP).unwrap_or(i64::MAX)], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// How many lots in stock expire on or before `until` (what `expiring` would list, counted
/// without sorting or naming them).
pub fn expiring_count(conn: &Connection, until: &str) -> Result<usize> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM lot_levels v INDEXED BY lot_levels_in_stock JOIN lots t ON t.id = v.lot_id
             WHERE v.on_hand > 0 AND t.expiry <> '' AND t.expiry <= ?1",
        )?
        .query_row([until], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Stock of a lot that expires on or before a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiring {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub lot_id: i64,
    pub lot: String,
    pub expiry: String,
    pub on_hand: Quantity,
    pub unit_cost: Price,
}

/// Lots in stock expiring on or before `until` (`YYYY-MM-DD`), soonest first.
pub fn expiring(conn: &Connection, until: &str, limit: usize) -> Result<Vec<Expiring>> {
    let rows = conn
        .prepare_cached(
            "SELECT t.id AS lot_id, t.code AS lot, t.expiry, v.on_hand, v.warehouse_id, w.code AS warehouse,
                    p.id AS product_id, p.sku, p.name, p.unit, p.cost_price
             FROM lot_levels v INDEXED BY lot_levels_in_stock JOIN lots t ON t.id = v.lot_id
             JOIN products p ON p.id = t.product_id JOIN warehouses w ON w.id = v.warehouse_id
             WHERE v.on_hand > 0 AND t.expiry <> '' AND t.expiry <= ?1
             ORDER BY t.expiry, p.sku, w.code LIMIT ?2",
        )?
        .query_map((until, i64::try_from(limit).unwrap_or(i64::MAX)), |r| {
            Ok(Expiring {
                product_id: r.get("product_id")?,
                sku: r.get("sku")?,
                name: r.get("name")?,
                unit: r.get("unit")?,
                warehouse_id: r.get("warehouse_id")?,
                warehouse: r.get("warehouse")?,
                lot_id: r.get("lot_id")?,
                lot: r.get("lot")?,
                expiry: r.get("expiry")?,
                on_hand: Quantity::from_minor(r.get("on_hand")?),
                unit_cost: Price::from_minor(r.get("cost_price")?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The checks `shopdesk check` runs on stock, each a query of the differences it finds
/// (sku, warehouse, lot, kept, real) and the message naming one.
const LEVEL_CHECKS: &[(&str, &str)] = &[
    (
        "SELECT p.sku, w.code AS warehouse, '' AS lot, coalesce(l.on_hand, 0) AS kept, coalesce(m.total, 0) AS real
         FROM (SELECT product_id, warehouse_id FROM stock_levels
               UNION SELECT product_id, warehouse_id FROM stock_moves) AS pair
         JOIN products p ON p.id = pair.product_id JOIN warehouses w ON w.id = pair.warehouse_id
         LEFT JOIN stock_levels l ON l.product_id = pair.product_id AND l.warehouse_id = pair.warehouse_id
         LEFT JOIN (SELECT product_id, warehouse_id, SUM(quantity) AS total FROM stock_moves GROUP BY 1, 2) AS m
             ON m.product_id = pair.product_id AND m.warehouse_id = pair.warehouse_id
         WHERE l.product_id IS NULL OR coalesce(l.on_hand, 0) <> coalesce(m.total, 0)",
        "check.stock_level",
    ),
    (
        "SELECT p.sku, w.code AS warehouse, t.code AS lot, coalesce(v.on_hand, 0) AS kept, coalesce(m.total, 0) AS real
         FROM (SELECT lot_id, warehouse_id FROM lot_levels
               UNION SELECT lot_id, warehouse_id FROM stock_moves WHERE lot_id IS NOT NULL) AS pair
         JOIN lots t ON t.id = pair.lot_id JOIN products p ON p.id = t.product_id
         JOIN warehouses w ON w.id = pair.warehouse_id
         LEFT JOIN lot_levels v ON v.lot_id = pair.lot_id AND v.warehouse_id = pair.warehouse_id
         LEFT JOIN (SELECT lot_id, warehouse_id, SUM(quantity) AS total FROM stock_moves
                    WHERE lot_id IS NOT NULL GROUP BY 1, 2) AS m
             ON m.lot_id = pair.lot_id AND m.warehouse_id = pair.warehouse_id
         WHERE coalesce(v.on_hand, 0) <> coalesce(m.total, 0)",
        "check.lot_level",
    ),
    // Incoming is what is on its way: transfers sent and not yet received, and what open
    // purchase orders still expect.
    (
        "SELECT p.sku, w.code AS warehouse, '' AS lot, l.incoming AS kept, coalesce(x.total, 0) AS real
         FROM stock_levels l JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
         LEFT JOIN (SELECT warehouse_id, product_id, SUM(quantity) AS total FROM (
                        SELECT t.to_id AS warehouse_id, x.product_id, x.quantity FROM transfers t
                        JOIN transfer_lines x ON x.transfer_id = t.id WHERE t.status = 'sent'
                        UNION ALL
                        SELECT o.warehouse_id, x.product_id, x.quantity - x.received FROM purchase_orders o
                        JOIN purchase_lines x ON x.po_id = o.id WHERE o.status IN ('sent', 'partly_received'))
                    GROUP BY 1, 2) AS x
             ON x.warehouse_id = l.warehouse_id AND x.product_id = l.product_id
         WHERE l.incoming <> coalesce(x.total, 0)",
        "check.incoming",
    ),
    // Below zero where neither the product nor the warehouse allows it.
    (
        "SELECT p.sku, w.code AS warehouse, '' AS lot, l.on_hand AS kept, 0 AS real FROM stock_levels l
         JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
         WHERE l.on_hand < 0 AND p.allow_negative = 0 AND w.allow_negative = 0",
        "check.negative",
    ),
];

/// Every way the kept levels differ from the ledger (or break its rules), one line each.
pub fn level_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (sql, message) in LEVEL_CHECKS {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>("sku")?,
                r.get::<_, String>("warehouse")?,
                r.get::<_, String>("lot")?,
                Quantity::from_minor(r.get("kept")?),
                Quantity::from_minor(r.get("real")?),
            ))
        })?;
        for row in rows {
            let (sku, warehouse, lot, kept, real) = row?;
            problems.push(crate::i18n::tf(
                message,
                &[
                    ("sku", &sku),
                    ("warehouse", &warehouse),
                    ("lot", &lot),
                    ("kept", &kept),
                    ("real", &real),
                    ("on_hand", &kept),
                ],
            ));
        }
    }
    Ok(problems)
}

/// A transfer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: i64,
    pub code: String,
    pub from_id: i64,
    pub to_id: i64,
    pub from: String,
    pub to: String,
    pub received: bool,
    pub note: String,
    pub sent_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferLine {
    pub product_id: i64,
    pub sku: String,
    pub lot_id: Option<i64>,
    pub quantity: Quantity,
    pub unit_cost: Price,
}

pub fn insert_transfer(
    conn: &Connection,
    code: &str,
    from: i64,
    to: i64,
    note: &str,
    at: &str,
    by: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO transfers (code, from_id, to_id, status, note, sent_at, sent_by) VALUES (?1, ?2, ?3, 'sent', ?4, ?5, ?6)",
    )?
    .execute((code, from, to, note, at, by))?;
    Ok(conn.last_insert_rowid())
}

pub fn insert_transfer_line(conn: &Connection, transfer: i64, number: usize, line: &TransferLine) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO transfer_lines (transfer_id, line, product_id, lot_id, quantity, unit_cost)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        transfer,
        i64::try_from(number).unwrap_or(i64::MAX),
        line.product_id,
        line.lot_id,
        minor(line.quantity.to_minor())?,
        minor(line.unit_cost.to_minor())?,
    ))?;
    Ok(())
}

fn transfer_from_row(row: &Row<'_>) -> rusqlite::Result<Transfer> {
    Ok(Transfer {
        id: row.get("id")?,
        code: row.get("code")?,
        from_id: row.get("from_id")?,
        to_id: row.get("to_id")?,
        from: row.get("from_code")?,
        to: row.get("to_code")?,
        received: row.get::<_, String>("status")? == "received",
        note: row.get("note")?,
        sent_at: row.get("sent_at")?,
    })
}

const TRANSFER_SELECT: &str = "SELECT t.*, a.code AS from_code, b.code AS to_code FROM transfers t
    JOIN warehouses a ON a.id = t.from_id JOIN warehouses b ON b.id = t.to_id";

pub fn transfer(conn: &Connection, code: &str) -> Result<Option<Transfer>> {
    let sql = format!("{TRANSFER_SELECT} WHERE t.code = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([code.trim()], transfer_from_row).optional()?)
}

/// Transfers sent and not yet received, oldest first.
pub fn in_transit(conn: &Connection) -> Result<Vec<Transfer>> {
    let sql = format!("{TRANSFER_SELECT} WHERE t.status = 'sent' ORDER BY t.id");
    let rows = conn.prepare_cached(&sql)?.query_map([], transfer_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn transfer_lines(conn: &Connection, transfer: i64) -> Result<Vec<TransferLine>> {
    let rows = conn
        .prepare_cached(
            "SELECT x.*, p.sku FROM transfer_lines x JOIN products p ON p.id = x.product_id
             WHERE x.transfer_id = ?1 ORDER BY x.line",
        )?
        .query_map([transfer], |r| {
            Ok(TransferLine {
                product_id: r.get("product_id")?,
                sku: r.get("sku")?,
                lot_id: r.get("lot_id")?,
                quantity: Quantity::from_minor(r.get("quantity")?),
                unit_cost: Price::from_minor(r.get("unit_cost")?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Marks a sent transfer received; false when it was not (any more) in transit.
pub fn mark_received(conn: &Connection, id: i64, at: &str, by: &str) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE transfers SET status = 'received', received_at = ?1, received_by = ?2
             WHERE id = ?3 AND status = 'sent'",
        )?
        .execute((at, by, id))?;
    Ok(changed == 1)
}

/// Stock value at cost, per warehouse: on hand x the product's cost price.
pub fn valuation(conn: &Connection) -> Result<Vec<(String, Quantity, rust_decimal::Decimal)>> {
    let rows = conn
        .prepare(
            "SELECT w.code, SUM(l.on_hand) AS units, SUM(l.on_hand * p.cost_price) AS value
             FROM stock_levels l JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
             WHERE l.on_hand <> 0 GROUP BY w.id ORDER BY w.is_default DESC, w.code",
        )?
        .query_map([], |r| {
            let units: i64 = r.get(1)?;
            let value: i64 = r.get(2)?;
            // thousandths of a unit x ten-thousandths of the currency
            Ok((r.get(0)?, Quantity::from_minor(units), rust_decimal::Decimal::new(value, 7)))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Stock that has not sold since `cutoff` (an RFC 3339 time), the most valuable first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idle {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub on_hand: Quantity,
    pub cost: Price,
    pub last_sold: Option<String>,
    pub last_received: Option<String>,
}

fn idle_from_row(r: &Row<'_>) -> rusqlite::Result<Idle> {
    Ok(Idle {
        product_id: r.get("product_id")?,
        sku: r.get("sku")?,
        name: r.get("name")?,
        unit: r.get("unit")?,
        warehouse_id: r.get("warehouse_id")?,
        warehouse: r.get("warehouse")?,
        on_hand: Quantity::from_minor(r.get("on_hand")?),
        cost: Price::from_minor(r.get("cost_price")?),
        last_sold: r.get("last_sold")?,
        last_received: r.get("last_received")?,
    })
}

pub fn idle_stock(conn: &Connection, cutoff: &str, limit: usize) -> Result<Vec<Idle>> {
    let rows = conn
        .prepare_cached(
            "SELECT l.product_id, p.sku, p.name, p.unit, l.warehouse_id, w.code AS warehouse, l.on_hand,
                    p.cost_price, l.last_sold, l.last_received
             FROM stock_levels l JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
             WHERE l.on_hand > 0 AND p.archived_at IS NULL
               AND max(coalesce(l.last_sold, ''), coalesce(l.last_received, '')) < ?1
             ORDER BY l.on_hand * p.cost_price DESC, p.sku LIMIT ?2",
        )?
        .query_map((cutoff, i64::try_from(limit).unwrap_or(i64::MAX)), idle_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every product x warehouse with stock, for the ageing report.
pub fn for_each_stocked(conn: &Connection, mut each: impl FnMut(Idle) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT l.product_id, p.sku, p.name, p.unit, l.warehouse_id, w.code AS warehouse, l.on_hand, p.cost_price,
                l.last_sold, l.last_received
         FROM stock_levels l JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
         WHERE l.on_hand > 0 ORDER BY p.sku, w.code",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        each(idle_from_row(r)?)?;
    }
    Ok(())
}

/// Stock that came in (any move with a positive quantity), newest first, as (time, units).
pub fn inflows_newest_first(conn: &Connection, product_id: i64, warehouse_id: i64) -> Result<Vec<(String, Quantity)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, quantity FROM stock_moves WHERE product_id = ?1 AND warehouse_id = ?2 AND quantity > 0
         ORDER BY id DESC",
    )?;
    let rows = stmt
        .query_map((product_id, warehouse_id), |r| Ok((r.get(0)?, Quantity::from_minor(r.get(1)?))))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

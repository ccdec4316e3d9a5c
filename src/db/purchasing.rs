//! Purchase orders and their lines, and the weekly sales the replenishment plan reads.

use rusqlite::{Connection, OptionalExtension, Row};

use super::products::minor;
use crate::domain::money::{Price, Quantity};
use crate::domain::purchasing::PoStatus;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseOrder {
    pub id: i64,
    pub code: String,
    pub supplier_id: i64,
    pub supplier: String,
    pub supplier_name: String,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub status: PoStatus,
    pub expected: String,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseLine {
    pub line: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub tracks_lots: bool,
    pub quantity: Quantity,
    pub received: Quantity,
    pub unit_cost: Price,
}

impl PurchaseLine {
    pub fn remaining(&self) -> Quantity {
        self.quantity - self.received
    }
}

const PO_SELECT: &str = "SELECT o.*, s.code AS supplier, s.name AS supplier_name, w.code AS warehouse
    FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id JOIN warehouses w ON w.id = o.warehouse_id";

fn po_from_row(row: &Row<'_>) -> rusqlite::Result<PurchaseOrder> {
    let status: String = row.get("status")?;
    Ok(PurchaseOrder {
        id: row.get("id")?,
        code: row.get("code")?,
        supplier_id: row.get("supplier_id")?,
        supplier: row.get("supplier")?,
        supplier_name: row.get("supplier_name")?,
        warehouse_id: row.get("warehouse_id")?,
        warehouse: row.get("warehouse")?,
        // The CHECK constraint allows only known statuses.
        status: PoStatus::parse(&status).unwrap_or(PoStatus::Draft),
        expected: row.get("expected")?,
        note: row.get("note")?,
        created_at: row.get("created_at")?,
        created_by: row.get("created_by")?,
        version: row.get("version")?,
    })
}

pub fn po(conn: &Connection, code: &str) -> Result<Option<PurchaseOrder>> {
    let sql = format!("{PO_SELECT} WHERE o.code = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([code.trim()], po_from_row).optional()?)
}

/// Purchase orders, open ones (draft, sent, partly received) first, newest first within.
pub fn list(conn: &Connection, include_closed: bool, limit: usize) -> Result<Vec<PurchaseOrder>> {
    let filter = if include_closed { "" } else { "WHERE o.status IN ('draft', 'sent', 'partly_received')" };
    let sql = format!(
        "{PO_SELECT} {filter}
         ORDER BY o.status IN ('received', 'cancelled'), o.id DESC LIMIT ?1"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], po_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn for_each_po(conn: &Connection, mut each: impl FnMut(PurchaseOrder) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(&format!("{PO_SELECT} ORDER BY o.code"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        each(po_from_row(row)?)?;
    }
    Ok(())
}

pub fn lines(conn: &Connection, po_id: i64) -> Result<Vec<PurchaseLine>> {
    let rows = conn
        .prepare_cached(
            "SELECT x.*, p.sku, p.name, p.unit, p.tracks_lots FROM purchase_lines x
             JOIN products p ON p.id = x.product_id WHERE x.po_id = ?1 ORDER BY x.line",
        )?
        .query_map([po_id], |r| {
            Ok(PurchaseLine {
                line: r.get("line")?,
                product_id: r.get("product_id")?,
                sku: r.get("sku")?,
                name: r.get("name")?,
                unit: r.get("unit")?,
                tracks_lots: r.get("tracks_lots")?,
                quantity: Quantity::from_minor(r.get("quantity")?),
                received: Quantity::from_minor(r.get("received")?),
                unit_cost: Price::from_minor(r.get("unit_cost")?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// What a new purchase order holds besides its lines.
pub struct NewPo<'a> {
    pub code: &'a str,
    pub supplier_id: i64,
    pub warehouse_id: i64,
    pub status: PoStatus,
    pub expected: &'a str,
    pub note: &'a str,
    pub at: &'a str,
    pub by: &'a str,
}

pub fn insert_po(conn: &Connection, po: &NewPo<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO purchase_orders (code, supplier_id, warehouse_id, status, expected, note, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((
        po.code,
        po.supplier_id,
        po.warehouse_id,
        po.status.as_str(),
        po.expected,
        po.note,
        po.at,
        po.by,
    ))?;
    Ok(conn.last_insert_rowid())
}

pub fn insert_line(
    conn: &Connection,
    po_id: i64,
    line: i64,
    product_id: i64,
    quantity: Quantity,
    received: Quantity,
    unit_cost: Price,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO purchase_lines (po_id, line, product_id, quantity, received, unit_cost)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        po_id,
        line,
        product_id,
        minor(quantity.to_minor())?,
        minor(received.to_minor())?,
        minor(unit_cost.to_minor())?,
    ))?;
    Ok(())
}

/// Moves an order made at `version` to `status`; refused when someone changed it meanwhile.
pub fn set_status(conn: &Connection, po: &PurchaseOrder, status: PoStatus, at: &str) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE purchase_orders SET status = ?1,
                sent_at = CASE WHEN ?1 = 'sent' THEN ?2 ELSE sent_at END,
                closed_at = CASE WHEN ?1 IN ('received', 'cancelled') THEN ?2 ELSE closed_at END,
                version = version + 1
             WHERE id = ?3 AND version = ?4",
        )?
        .execute((status.as_str(), at, po.id, po.version))?;
    if changed == 1 { Ok(()) } else { Err(Error::Conflict { what: po.code.clone() }) }
}

pub fn add_received(conn: &Connection, po_id: i64, line: i64, quantity: Quantity) -> Result<()> {
    conn.prepare_cached("UPDATE purchase_lines SET received = received + ?1 WHERE po_id = ?2 AND line = ?3")?
        .execute((minor(quantity.to_minor())?, po_id, line))?;
    Ok(())
}

/// Changes a draft line's quantity; zero removes the line.
pub fn set_line_quantity(conn: &Connection, po_id: i64, line: i64, quantity: Quantity) -> Result<()> {
    if quantity.is_zero() {
        conn.prepare_cached("DELETE FROM purchase_lines WHERE po_id = ?1 AND line = ?2")?.execute((po_id, line))?;
    } else {
        conn.prepare_cached("UPDATE purchase_lines SET quantity = ?1 WHERE po_id = ?2 AND line = ?3")?.execute((
            minor(quantity.to_minor())?,
            po_id,
            line,
        ))?;
    }
    conn.prepare_cached("UPDATE purchase_orders SET version = version + 1 WHERE id = ?1")?.execute([po_id])?;
    Ok(())
}

/// What draft orders hold per (product, warehouse): ordered soon, so the plan does not
/// suggest it again.
pub fn drafted(conn: &Connection) -> Result<Vec<(i64, i64, Quantity)>> {
    let rows = conn
        .prepare_cached(
            "SELECT x.product_id, o.warehouse_id, SUM(x.quantity) FROM purchase_orders o
             JOIN purchase_lines x ON x.po_id = o.id WHERE o.status = 'draft' GROUP BY 1, 2",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, Quantity::from_minor(r.get(2)?))))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Units of a product shipped from a warehouse in the weeks `first` to `last` (`2026-W40`).
pub fn shipped_between(
    conn: &Connection,
    product_id: i64,
    warehouse_id: i64,
    first: &str,
    last: &str,
) -> Result<Quantity> {
    let units: i64 = conn
        .prepare_cached(
            "SELECT coalesce(sum(shipped), 0) FROM weekly_sales
             WHERE product_id = ?1 AND warehouse_id = ?2 AND week BETWEEN ?3 AND ?4",
        )?
        .query_row((product_id, warehouse_id, first, last), |r| r.get(0))?;
    Ok(Quantity::from_minor(units))
}

/// Units shipped per week of a product in a warehouse, for weeks from `first` to `last`
/// (`2026-W40`), as (week, units).
pub fn weekly_sales(conn: &Connection, first: &str, last: &str) -> Result<Vec<(i64, i64, String, Quantity)>> {
    let rows = conn
        .prepare_cached(
            "SELECT product_id, warehouse_id, week, shipped FROM weekly_sales WHERE week BETWEEN ?1 AND ?2",
        )?
        .query_map((first, last), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, Quantity::from_minor(r.get(3)?))))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

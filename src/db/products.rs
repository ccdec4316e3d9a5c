//! Products with their barcodes, suppliers and warehouses: the master data of stock.

use rusqlite::{Connection, OptionalExtension, Row, ToSql, params_from_iter};
use rust_decimal::Decimal;

use super::paging::{self, Anchor, Key};
use crate::domain::money::{Price, Quantity};
use crate::domain::stock::{ProductData, SupplierData, WarehouseData};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: i64,
    pub data: ProductData,
    pub archived: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplier {
    pub id: i64,
    pub data: SupplierData,
    pub archived: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warehouse {
    pub id: i64,
    pub data: WarehouseData,
    pub archived: bool,
    pub version: i64,
}

pub(crate) fn minor(value: Result<i64, crate::domain::money::AmountError>) -> Result<i64> {
    value.map_err(|e| Error::BadArgument(e.to_string()))
}

/// Percent with two decimals, stored in hundredths (basis points).
pub(crate) fn basis_points(percent: Decimal) -> Result<i64> {
    i64::try_from((percent * Decimal::from(100)).trunc()).map_err(|_| Error::BadArgument(percent.to_string()))
}

const PRODUCT_SELECT: &str = "SELECT p.*, s.code AS supplier_code,
        (SELECT group_concat(code, ' ') FROM (SELECT code FROM barcodes b WHERE b.product_id = p.id ORDER BY code))
            AS barcode_list
    FROM products p LEFT JOIN suppliers s ON s.id = p.supplier_id";

fn product_from_row(row: &Row<'_>) -> rusqlite::Result<Product> {
    let barcodes: Option<String> = row.get("barcode_list")?;
    Ok(Product {
        id: row.get("id")?,
        data: ProductData {
            sku: row.get("sku")?,
            name: row.get("name")?,
            category: row.get("category")?,
            unit: row.get("unit")?,
            sale_price: Price::from_minor(row.get("sale_price")?),
            cost_price: Price::from_minor(row.get("cost_price")?),
            tax_rate: Decimal::new(row.get("tax_rate_bp")?, 2).normalize(),
            reorder_point: Quantity::from_minor(row.get("reorder_point")?),
            reorder_qty: Quantity::from_minor(row.get("reorder_qty")?),
            lead_days: row.get("lead_days")?,
            supplier: row.get::<_, Option<String>>("supplier_code")?.unwrap_or_default(),
            supplier_sku: row.get("supplier_sku")?,
            supplier_price: Price::from_minor(row.get("supplier_price")?),
            tracks_lots: row.get("tracks_lots")?,
            allow_negative: row.get("allow_negative")?,
            barcodes: barcodes.map(|b| b.split(' ').map(str::to_string).collect()).unwrap_or_default(),
        },
        archived: row.get::<_, Option<String>>("archived_at")?.is_some(),
        version: row.get("version")?,
    })
}

pub fn product(conn: &Connection, id: i64) -> Result<Option<Product>> {
    let sql = format!("{PRODUCT_SELECT} WHERE p.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], product_from_row).optional()?)
}

pub fn product_by_sku(conn: &Connection, sku: &str) -> Result<Option<Product>> {
    let sql = format!("{PRODUCT_SELECT} WHERE p.sku = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([sku.trim()], product_from_row).optional()?)
}

/// The product a scanned or typed code names: its SKU first, then its barcodes.
pub fn product_by_code(conn: &Connection, code: &str) -> Result<Option<Product>> {
    if let Some(found) = product_by_sku(conn, code)? {
        return Ok(Some(found));
    }
    let id: Option<i64> = conn
        .prepare_cached("SELECT product_id FROM barcodes WHERE code = ?1")?
        .query_row([code.trim()], |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => product(conn, id),
        None => Ok(None),
    }
}

/// Which product other than `except` already uses `barcode`, by SKU.
pub fn barcode_owner(conn: &Connection, barcode: &str, except: Option<i64>) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT p.sku FROM barcodes b JOIN products p ON p.id = b.product_id
             WHERE b.code = ?1 AND p.id IS NOT ?2",
        )?
        .query_row((barcode, except), |r| r.get(0))
        .optional()?)
}

fn search_text(data: &ProductData) -> String {
    format!("{} {} {} {}", data.sku, data.name, data.category, data.barcodes.join(" ")).to_lowercase()
}

fn product_values(data: &ProductData, supplier_id: Option<i64>) -> Result<Vec<Box<dyn ToSql>>> {
    Ok(vec![
        Box::new(data.sku.clone()),
        Box::new(data.name.clone()),
        Box::new(data.category.clone()),
        Box::new(data.unit.clone()),
        Box::new(minor(data.sale_price.to_minor())?),
        Box::new(minor(data.cost_price.to_minor())?),
        Box::new(basis_points(data.tax_rate)?),
        Box::new(minor(data.reorder_point.to_minor())?),
        Box::new(minor(data.reorder_qty.to_minor())?),
        Box::new(data.lead_days),
        Box::new(supplier_id),
        Box::new(data.supplier_sku.clone()),
        Box::new(minor(data.supplier_price.to_minor())?),
        Box::new(data.tracks_lots),
        Box::new(data.allow_negative),
        Box::new(search_text(data)),
    ])
}

const PRODUCT_COLUMNS: &str = "sku, name, category, unit, sale_price, cost_price, tax_rate_bp, reorder_point, \
    reorder_qty, lead_days, supplier_id, supplier_sku, supplier_price, tracks_lots, allow_negative, search";

fn replace_barcodes(conn: &Connection, id: i64, barcodes: &[String]) -> Result<()> {
    conn.prepare_cached("DELETE FROM barcodes WHERE product_id = ?1")?.execute([id])?;
    let mut insert = conn.prepare_cached("INSERT INTO barcodes (code, product_id) VALUES (?1, ?2)")?;
    for code in barcodes {
        insert.execute((code, id))?;
    }
    Ok(())
}

pub fn insert_product(conn: &Connection, data: &ProductData, supplier_id: Option<i64>, now: &str) -> Result<i64> {
    let mut values = product_values(data, supplier_id)?;
    values.push(Box::new(now.to_string()));
    let sql = format!(
        "INSERT INTO products ({PRODUCT_COLUMNS}, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)"
    );
    conn.prepare_cached(&sql)?.execute(params_from_iter(values.iter()))?;
    let id = conn.last_insert_rowid();
    replace_barcodes(conn, id, &data.barcodes)?;
    Ok(id)
}

/// Saves an edit made on `version`; refused when someone saved the product meanwhile.
pub fn update_product(
    conn: &Connection,
    id: i64,
    version: i64,
    data: &ProductData,
    supplier_id: Option<i64>,
    now: &str,
) -> Result<()> {
    let mut values = product_values(data, supplier_id)?;
    values.push(Box::new(now.to_string()));
    values.push(Box::new(id));
    values.push(Box::new(version));
    let assignments: Vec<String> =
        PRODUCT_COLUMNS.split(", ").enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1)).collect();
    let sql = format!(
        "UPDATE products SET {}, updated_at = ?17, version = version + 1 WHERE id = ?18 AND version = ?19",
        assignments.join(", ")
    );
    let changed = conn.prepare_cached(&sql)?.execute(params_from_iter(values.iter()))?;
    match (changed, product(conn, id)?) {
        (1, _) => replace_barcodes(conn, id, &data.barcodes),
        (_, Some(_)) => Err(Error::Conflict { what: data.sku.clone() }),
        (_, None) => Err(Error::NotFound { what: data.sku.clone() }),
    }
}

pub fn set_product_archived(conn: &Connection, id: i64, version: i64, at: Option<&str>) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE products SET archived_at = ?1, version = version + 1, updated_at = coalesce(?1, updated_at)
             WHERE id = ?2 AND version = ?3",
        )?
        .execute((at, id, version))?;
    if changed == 1 { Ok(()) } else { Err(Error::Conflict { what: format!("product {id}") }) }
}

/// The SKU and name of up to `limit` active products whose text contains every word of
/// `filter` (through the trigram index): the likely candidates of a fuzzy search.
pub fn for_each_name_matching(
    conn: &Connection,
    filter: &str,
    limit: usize,
    mut each: impl FnMut(i64, &str, &str),
) -> Result<()> {
    // Only words the trigram index can find narrow the candidates; short ones ("m8") are
    // left to the ranking.
    let words: Vec<&str> = filter.split_whitespace().filter(|w| w.chars().count() >= 3).collect();
    if words.is_empty() {
        return Ok(());
    }
    let query = ProductQuery { filter: words.join(" "), ..Default::default() };
    let (clauses, mut params) = product_conditions(&query);
    let sql = format!("SELECT p.id, p.sku, p.name FROM products p WHERE {} LIMIT ?", clauses.join(" AND "));
    params.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(params.iter()))?;
    while let Some(row) = rows.next()? {
        let (id, sku, name): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        each(id, &sku, &name);
    }
    Ok(())
}

/// The SKU and name of every active product, for a fuzzy search over all of them.
pub fn for_each_name(conn: &Connection, mut each: impl FnMut(i64, &str, &str)) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT id, sku, name FROM products WHERE archived_at IS NULL")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (id, sku, name): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        each(id, &sku, &name);
    }
    Ok(())
}

pub fn for_each_product(conn: &Connection, mut each: impl FnMut(Product) -> Result<()>) -> Result<()> {
    let sql = format!("{PRODUCT_SELECT} ORDER BY p.sku");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        each(product_from_row(row)?)?;
    }
    Ok(())
}

/// Orders a product list can have; each has an index ending in `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter)]
pub enum ProductSort {
    #[default]
    Name,
    Sku,
    Category,
}

impl ProductSort {
    fn column(self) -> &'static str {
        match self {
            ProductSort::Name => "p.name COLLATE NOCASE",
            ProductSort::Sku => "p.sku",
            ProductSort::Category => "p.category",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ProductSort::Name => "field.name",
            ProductSort::Sku => "field.sku",
            ProductSort::Category => "field.category",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductQuery {
    pub filter: String,
    pub sort: ProductSort,
    pub include_archived: bool,
}

/// What a product list line shows: totals over all warehouses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub category: String,
    pub unit: String,
    pub sale_price: Price,
    pub on_hand: Quantity,
    pub available: Quantity,
    pub incoming: Quantity,
    /// Warehouses where available + incoming is below the reorder point.
    pub low_in: i64,
    pub archived: bool,
    pub key: Key,
}

fn product_conditions(query: &ProductQuery) -> (Vec<String>, Vec<Box<dyn ToSql>>) {
    let mut clauses = Vec::new();
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    if !query.include_archived {
        clauses.push("p.archived_at IS NULL".to_string());
    }
    for word in query.filter.split_whitespace() {
        let word = word.to_lowercase();
        if word.chars().count() >= 3 {
            // The trigram index finds the products containing the word; the phrase quotes
            // keep FTS5 from reading the word as query syntax.
            clauses.push("p.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)".to_string());
            params.push(Box::new(format!("\"{}\"", word.replace('"', "\"\""))));
        } else if word.contains(['%', '_', '\\']) {
            clauses.push("instr(p.search, ?) > 0".to_string());
            params.push(Box::new(word));
        } else {
            // One or two characters: the start of a SKU or name, which their indexes find;
            // anywhere in the text would mean reading every product on each keystroke.
            clauses.push("(p.name LIKE ? OR p.sku LIKE ?)".to_string());
            params.push(Box::new(format!("{word}%")));
            params.push(Box::new(format!("{word}%")));
        }
    }
    (clauses, params)
}

pub fn product_window(
    conn: &Connection,
    query: &ProductQuery,
    anchor: &Anchor,
    limit: usize,
) -> Result<Vec<ProductRow>> {
    let sort = query.sort.column();
    let (mut clauses, mut params) = product_conditions(query);
    let window = paging::window(anchor, sort, "p.id", false);
    if let Some((condition, key)) = window.condition {
        clauses.push(condition);
        params.push(Box::new(key.value));
        params.push(Box::new(key.id));
    }
    let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    let dir = window.direction;
    // The levels are summed per row shown, by correlated lookups on the levels' primary
    // key: a join with GROUP BY would sum every product before the sort could use its index.
    let level = |expression: &str| format!("(SELECT sum({expression}) FROM stock_levels l WHERE l.product_id = p.id)");
    let sql = format!(
        "SELECT p.id, p.sku, p.name, p.category, p.unit, p.sale_price, p.archived_at, {sort} AS sort_value,
                {} AS on_hand, {} AS available, {} AS incoming,
                (SELECT count(*) FROM stock_levels l WHERE l.product_id = p.id
                    AND l.on_hand - l.reserved + l.incoming < l.reorder_point) AS low_in
         FROM products p {where_sql} ORDER BY {sort} {dir}, p.id {dir} LIMIT ?",
        level("l.on_hand"),
        level("l.on_hand - l.reserved"),
        level("l.incoming"),
    );
    params.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
    let mut rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(params.iter()), |r| {
            let id = r.get("id")?;
            Ok(ProductRow {
                id,
                sku: r.get("sku")?,
                name: r.get("name")?,
                category: r.get("category")?,
                unit: r.get("unit")?,
                sale_price: Price::from_minor(r.get("sale_price")?),
                on_hand: Quantity::from_minor(r.get("on_hand")?),
                available: Quantity::from_minor(r.get("available")?),
                incoming: Quantity::from_minor(r.get("incoming")?),
                low_in: r.get("low_in")?,
                archived: r.get::<_, Option<String>>("archived_at")?.is_some(),
                key: Key { value: r.get("sort_value")?, id },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if window.backwards {
        rows.reverse();
    }
    Ok(rows)
}

pub fn product_count(conn: &Connection, query: &ProductQuery) -> Result<usize> {
    if query.filter.trim().is_empty() {
        let (active, archived) = stored_counts(conn)?;
        let n = if query.include_archived { active + archived } else { active };
        return Ok(usize::try_from(n).unwrap_or(0));
    }
    let (clauses, params) = product_conditions(query);
    let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    let n: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM products p {where_sql}"))?
        .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Active and archived products as the triggers count them.
fn stored_counts(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached("SELECT active, archived FROM product_counts WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0)))
}

/// How the kept product counts differ from a real count, one line each.
pub fn count_problems(conn: &Connection) -> Result<Vec<String>> {
    let kept = stored_counts(conn)?;
    let real: (i64, i64) = conn.query_row(
        "SELECT count(*) FILTER (WHERE archived_at IS NULL), count(*) FILTER (WHERE archived_at IS NOT NULL) FROM products",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if kept == real {
        return Ok(Vec::new());
    }
    let shown = |(a, b): (i64, i64)| format!("{a}/{b}");
    Ok(vec![crate::i18n::tf("check.product_counts", &[("kept", &shown(kept)), ("real", &shown(real))])])
}

/// The sort key of a product in `sort`, to open a list window at it.
pub fn product_key(conn: &Connection, sort: ProductSort, id: i64) -> Result<Option<Key>> {
    let sql = format!("SELECT {} FROM products p WHERE p.id = ?1", sort.column());
    let value: Option<String> = conn.prepare_cached(&sql)?.query_row([id], |r| r.get(0)).optional()?;
    Ok(value.map(|value| Key { value, id }))
}

pub fn product_position(conn: &Connection, query: &ProductQuery, key: &Key) -> Result<usize> {
    let (mut clauses, mut params) = product_conditions(query);
    clauses.push(format!("({}, p.id) < (?, ?)", query.sort.column()));
    params.push(Box::new(key.value.clone()));
    params.push(Box::new(key.id));
    let sql = format!("SELECT COUNT(*) FROM products p WHERE {}", clauses.join(" AND "));
    let n: i64 = conn.prepare_cached(&sql)?.query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

fn supplier_from_row(row: &Row<'_>) -> rusqlite::Result<Supplier> {
    Ok(Supplier {
        id: row.get("id")?,
        data: SupplierData {
            code: row.get("code")?,
            name: row.get("name")?,
            contact: row.get("contact")?,
            phone: row.get("phone")?,
            email: row.get("email")?,
            lead_days: row.get("lead_days")?,
            payment_days: row.get("payment_days")?,
        },
        archived: row.get::<_, Option<String>>("archived_at")?.is_some(),
        version: row.get("version")?,
    })
}

pub fn supplier_by_code(conn: &Connection, code: &str) -> Result<Option<Supplier>> {
    Ok(conn
        .prepare_cached("SELECT * FROM suppliers WHERE code = ?1")?
        .query_row([code.trim()], supplier_from_row)
        .optional()?)
}

pub fn suppliers(conn: &Connection) -> Result<Vec<Supplier>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM suppliers ORDER BY code")?;
    let rows = stmt.query_map([], supplier_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn insert_supplier(conn: &Connection, data: &SupplierData) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO suppliers (code, name, contact, phone, email, lead_days, payment_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((
        &data.code,
        &data.name,
        &data.contact,
        &data.phone,
        &data.email,
        data.lead_days,
        data.payment_days,
    ))?;
    Ok(conn.last_insert_rowid())
}

pub fn update_supplier(conn: &Connection, id: i64, version: i64, data: &SupplierData) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE suppliers SET name = ?1, contact = ?2, phone = ?3, email = ?4, lead_days = ?5, payment_days = ?6,
                    version = version + 1
             WHERE id = ?7 AND version = ?8",
        )?
        .execute((
            &data.name,
            &data.contact,
            &data.phone,
            &data.email,
            data.lead_days,
            data.payment_days,
            id,
            version,
        ))?;
    if changed == 1 { Ok(()) } else { Err(Error::Conflict { what: data.code.clone() }) }
}

fn warehouse_from_row(row: &Row<'_>) -> rusqlite::Result<Warehouse> {
    Ok(Warehouse {
        id: row.get("id")?,
        data: WarehouseData {
            code: row.get("code")?,
            name: row.get("name")?,
            allow_negative: row.get("allow_negative")?,
            is_default: row.get("is_default")?,
        },
        archived: row.get::<_, Option<String>>("archived_at")?.is_some(),
        version: row.get("version")?,
    })
}

/// Every warehouse, the default first.
pub fn warehouses(conn: &Connection) -> Result<Vec<Warehouse>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM warehouses ORDER BY is_default DESC, code")?;
    let rows = stmt.query_map([], warehouse_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn warehouse_by_code(conn: &Connection, code: &str) -> Result<Option<Warehouse>> {
    Ok(conn
        .prepare_cached("SELECT * FROM warehouses WHERE code = ?1")?
        .query_row([code.trim()], warehouse_from_row)
        .optional()?)
}

pub fn warehouse(conn: &Connection, id: i64) -> Result<Option<Warehouse>> {
    Ok(conn.prepare_cached("SELECT * FROM warehouses WHERE id = ?1")?.query_row([id], warehouse_from_row).optional()?)
}

/// Makes `id` the one default warehouse.
pub fn set_warehouse_archived(conn: &Connection, id: i64, version: i64, at: Option<&str>) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE warehouses SET archived_at = ?1, version = version + 1 WHERE id = ?2 AND version = ?3")?
        .execute((at, id, version))?;
    if changed == 1 { Ok(()) } else { Err(Error::Conflict { what: format!("warehouse {id}") }) }
}

/// Whether any stock is in, promised from or on its way to a warehouse.
pub fn warehouse_holds_stock(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM stock_levels WHERE warehouse_id = ?1
                            AND (on_hand <> 0 OR reserved <> 0 OR incoming <> 0))",
        )?
        .query_row([id], |r| r.get(0))?)
}

fn take_default(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE warehouses SET is_default = 0 WHERE is_default = 1 AND id <> ?1")?.execute([id])?;
    conn.prepare_cached("UPDATE warehouses SET is_default = 1 WHERE id = ?1")?.execute([id])?;
    Ok(())
}

pub fn insert_warehouse(conn: &Connection, data: &WarehouseData) -> Result<i64> {
    conn.prepare_cached("INSERT INTO warehouses (code, name, allow_negative) VALUES (?1, ?2, ?3)")?.execute((
        &data.code,
        &data.name,
        data.allow_negative,
    ))?;
    let id = conn.last_insert_rowid();
    if data.is_default {
        take_default(conn, id)?;
    }
    Ok(id)
}

/// Saves an edit. Unsetting the default is ignored: the shop always has one, and it moves
/// only when another warehouse becomes the default.
pub fn update_warehouse(conn: &Connection, id: i64, version: i64, data: &WarehouseData) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE warehouses SET name = ?1, allow_negative = ?2, version = version + 1 WHERE id = ?3 AND version = ?4",
        )?
        .execute((&data.name, data.allow_negative, id, version))?;
    if changed != 1 {
        return Err(Error::Conflict { what: data.code.clone() });
    }
    if data.is_default {
        take_default(conn, id)?;
    }
    Ok(())
}

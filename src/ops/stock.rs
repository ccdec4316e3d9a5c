//! Stock master data: products (with barcodes), suppliers and warehouses.

use rusqlite::Connection;

use super::Session;
use crate::db::ledger::{self, Level, Move};
use crate::db::products::{self as repo};
pub use crate::db::products::{Product, ProductQuery, ProductRow, ProductSort, Supplier, Warehouse};
use crate::domain::fields::{FieldError, Problem};
use crate::domain::stock::{
    ProductData, ProductInput, SupplierInput, WarehouseInput, flag_text, validate_product, validate_supplier,
    validate_warehouse,
};
use crate::domain::user::Role;
use crate::error::{Error, Result};
use crate::i18n::tf;

pub(crate) fn invalid(field: &'static str, problem: Problem) -> Error {
    Error::Invalid(vec![FieldError { field, problem }])
}

pub fn product(session: &Session, id: i64) -> Result<Product> {
    repo::product(session.db.conn(), id)?.ok_or_else(|| Error::NotFound { what: format!("product {id}") })
}

/// The product a typed or scanned code names: SKU or barcode.
pub fn find_product(session: &Session, code: &str) -> Result<Option<Product>> {
    repo::product_by_code(session.db.conn(), code)
}

pub fn product_window(
    session: &Session,
    query: &ProductQuery,
    anchor: &crate::db::paging::Anchor,
    limit: usize,
) -> Result<Vec<ProductRow>> {
    repo::product_window(session.db.conn(), query, anchor, limit)
}

pub fn product_count(session: &Session, query: &ProductQuery) -> Result<usize> {
    repo::product_count(session.db.conn(), query)
}

/// Products that contain every typed word, ranked for a fuzzy lookup before reading all.
const CANDIDATES: usize = 500;

/// Active products whose SKU and name match `typed` fuzzily ("blt m8" finds "Bolt M8"),
/// best first: for a name typed where a code was expected.
pub fn fuzzy_products(session: &Session, typed: &str, limit: usize) -> Result<Vec<Product>> {
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher, Utf32Str};
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let pattern = Pattern::parse(typed, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    // The best `limit` so far, worst on top, so each product costs a compare at most.
    let mut best: BinaryHeap<Reverse<(u32, Reverse<i64>)>> = BinaryHeap::new();
    let mut chars = Vec::new();
    let mut text = String::new();
    let mut rank = |best: &mut BinaryHeap<Reverse<(u32, Reverse<i64>)>>, id: i64, sku: &str, name: &str| {
        text.clear();
        text.push_str(sku);
        text.push(' ');
        text.push_str(name);
        if let Some(score) = pattern.score(Utf32Str::new(&text, &mut chars), &mut matcher) {
            best.push(Reverse((score, Reverse(id))));
            if best.len() > limit {
                best.pop();
            }
        }
    };
    // Most names are typed as they are written: the products containing every word are
    // found by the index and ranked. Only a typo ("gren") reads every product.
    repo::for_each_name_matching(session.db.conn(), typed, CANDIDATES, |id, sku, name| rank(&mut best, id, sku, name))?;
    if best.is_empty() {
        repo::for_each_name(session.db.conn(), |id, sku, name| rank(&mut best, id, sku, name))?;
    }
    let mut ranked: Vec<(u32, i64)> = best.into_iter().map(|Reverse((score, Reverse(id)))| (score, id)).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, id)| product(session, id)).collect()
}

pub fn product_position(session: &Session, query: &ProductQuery, key: &crate::db::paging::Key) -> Result<usize> {
    repo::product_position(session.db.conn(), query, key)
}

pub fn product_key(session: &Session, sort: ProductSort, id: i64) -> Result<Option<crate::db::paging::Key>> {
    repo::product_key(session.db.conn(), sort, id)
}

/// A product's lots with stock in a warehouse, earliest expiry first.
pub fn lots_in(session: &Session, product: i64, warehouse: i64) -> Result<Vec<crate::domain::stock::LotStock>> {
    ledger::lots_in(session.db.conn(), product, warehouse)
}

/// The expiry a product's lot was received with, if the lot exists.
pub fn lot_expiry(session: &Session, product: i64, lot: &str) -> Result<Option<String>> {
    ledger::lot_expiry(session.db.conn(), product, lot)
}

/// A product's levels per warehouse and its newest moves: what its detail screen shows.
pub fn product_detail(session: &Session, id: i64, moves: usize) -> Result<(Vec<Level>, Vec<Move>)> {
    let conn = session.db.conn();
    Ok((ledger::levels(conn, id)?, ledger::recent_moves(conn, id, moves)?))
}

pub fn input_of(product: &ProductData) -> ProductInput {
    ProductInput {
        sku: product.sku.clone(),
        name: product.name.clone(),
        category: product.category.clone(),
        unit: product.unit.clone(),
        sale_price: product.sale_price.to_string(),
        cost_price: product.cost_price.to_string(),
        tax_rate: product.tax_rate.to_string(),
        reorder_point: product.reorder_point.to_string(),
        reorder_qty: product.reorder_qty.to_string(),
        lead_days: product.lead_days.to_string(),
        supplier: product.supplier.clone(),
        supplier_sku: product.supplier_sku.clone(),
        supplier_price: product.supplier_price.to_string(),
        tracks_lots: flag_text(product.tracks_lots).to_string(),
        allow_negative: flag_text(product.allow_negative).to_string(),
        barcodes: product.barcodes.join(" "),
    }
}

/// Checks what only the database can tell: the supplier exists, the SKU and barcodes are
/// free, and lot tracking changes only while the product has no stock. Returns the
/// supplier's id.
pub(crate) fn check_product_refs(
    conn: &Connection,
    current: Option<&Product>,
    data: &ProductData,
) -> Result<Option<i64>> {
    let mut errors = Vec::new();
    let supplier_id = if data.supplier.is_empty() {
        None
    } else {
        match repo::supplier_by_code(conn, &data.supplier)? {
            Some(s) => Some(s.id),
            None => {
                errors.push(FieldError { field: "supplier", problem: Problem::UnknownSupplier });
                None
            }
        }
    };
    let id = current.map(|p| p.id);
    if let Some(other) = repo::product_by_sku(conn, &data.sku)?
        && Some(other.id) != id
    {
        errors.push(FieldError { field: "sku", problem: Problem::DuplicateCode });
    }
    for code in &data.barcodes {
        if let Some(sku) = repo::barcode_owner(conn, code, id)? {
            errors.push(FieldError { field: "barcodes", problem: Problem::BarcodeTaken { code: code.clone(), sku } });
        }
    }
    if let Some(current) = current
        && current.data.tracks_lots != data.tracks_lots
        && ledger::levels(conn, current.id)?
            .iter()
            .any(|l| !l.on_hand.is_zero() || !l.incoming.is_zero() || !l.reserved.is_zero())
    {
        errors.push(FieldError { field: "tracks_lots", problem: Problem::NeedsZeroStock });
    }
    if errors.is_empty() { Ok(supplier_id) } else { Err(Error::Invalid(errors)) }
}

/// Creates a product, or with `editing` saves an edit of it.
pub fn save_product(session: &mut Session, editing: Option<&Product>, input: &ProductInput) -> Result<Product> {
    let data = validate_product(input).map_err(Error::Invalid)?;
    let id = session.write(|tx, ctx| {
        let supplier_id = check_product_refs(tx, editing, &data)?;
        let id = match editing {
            Some(current) => {
                repo::update_product(tx, current.id, current.version, &data, supplier_id, &ctx.now)?;
                current.id
            }
            None => repo::insert_product(tx, &data, supplier_id, &ctx.now)?,
        };
        let action = if editing.is_some() { "update" } else { "create" };
        ctx.audit(tx, action, "product", Some(id), format!("{} {}", data.sku, data.name))?;
        Ok(id)
    })?;
    product(session, id)
}

pub fn set_product_archived(session: &mut Session, current: &Product, archive: bool) -> Result<Product> {
    session.write(|tx, ctx| {
        repo::set_product_archived(tx, current.id, current.version, archive.then_some(ctx.now.as_str()))?;
        let action = if archive { "archive" } else { "unarchive" };
        ctx.audit(tx, action, "product", Some(current.id), current.data.sku.clone())
    })?;
    product(session, current.id)
}

/// Gives a warehouse its own reorder point and quantity for a product; both empty returns
/// it to the product's defaults.
pub fn set_reorder(
    session: &mut Session,
    product: &Product,
    warehouse: &str,
    point: &str,
    quantity: &str,
) -> Result<()> {
    let warehouse = warehouse_by_code(session, warehouse)?;
    let mut errors = Vec::new();
    let mut parse = |field: &'static str, text: &str| {
        crate::domain::stock::stock_quantity(text).unwrap_or_else(|problem| {
            errors.push(FieldError { field, problem });
            crate::domain::money::Quantity::ZERO
        })
    };
    let values = (parse("reorder_point", point), parse("reorder_qty", quantity));
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let values = if point.trim().is_empty() && quantity.trim().is_empty() { None } else { Some(values) };
    session.write(|tx, ctx| {
        ledger::override_reorder(tx, product.id, warehouse.id, values)?;
        let detail = match values {
            Some((p, q)) => format!("{} {} {p} {q}", product.data.sku, warehouse.data.code),
            None => format!("{} {} default", product.data.sku, warehouse.data.code),
        };
        ctx.audit(tx, "set-reorder", "product", Some(product.id), detail)
    })
}

pub fn suppliers(session: &Session) -> Result<Vec<Supplier>> {
    repo::suppliers(session.db.conn())
}

pub fn supplier_input(s: &Supplier) -> SupplierInput {
    let d = &s.data;
    SupplierInput {
        code: d.code.clone(),
        name: d.name.clone(),
        contact: d.contact.clone(),
        phone: d.phone.clone(),
        email: d.email.clone(),
        lead_days: d.lead_days.to_string(),
        payment_days: d.payment_days.to_string(),
    }
}

/// Creates a supplier, or with `editing` saves an edit of it made at its version.
pub fn save_supplier(session: &mut Session, editing: Option<&Supplier>, input: &SupplierInput) -> Result<Supplier> {
    let mut data = validate_supplier(input).map_err(Error::Invalid)?;
    if let Some(current) = editing {
        data.code = current.data.code.clone();
    }
    session.write(|tx, ctx| {
        let id = match editing {
            Some(current) => {
                repo::update_supplier(tx, current.id, current.version, &data)?;
                current.id
            }
            None if repo::supplier_by_code(tx, &data.code)?.is_some() => {
                return Err(invalid("code", Problem::DuplicateCode));
            }
            None => repo::insert_supplier(tx, &data)?,
        };
        ctx.audit(tx, "save", "supplier", Some(id), data.code.clone())
    })?;
    repo::supplier_by_code(session.db.conn(), &data.code)?.ok_or_else(|| Error::NotFound { what: data.code.clone() })
}

/// Archives a warehouse (or brings it back). Only an empty one that is not the default: its
/// stock would otherwise vanish from every list.
pub fn set_warehouse_archived(session: &mut Session, warehouse: &Warehouse, archive: bool) -> Result<Warehouse> {
    session.require(Role::Manager)?;
    session.write(|tx, ctx| {
        if archive {
            if warehouse.data.is_default {
                return Err(Error::Refused(tf("stock.archive_default", &[("code", &warehouse.data.code)])));
            }
            if repo::warehouse_holds_stock(tx, warehouse.id)? {
                return Err(Error::Refused(tf("stock.archive_stocked", &[("code", &warehouse.data.code)])));
            }
        }
        repo::set_warehouse_archived(tx, warehouse.id, warehouse.version, archive.then_some(ctx.now.as_str()))?;
        let action = if archive { "archive" } else { "unarchive" };
        ctx.audit(tx, action, "warehouse", Some(warehouse.id), warehouse.data.code.clone())
    })?;
    repo::warehouse(session.db.conn(), warehouse.id)?
        .ok_or_else(|| Error::NotFound { what: warehouse.data.code.clone() })
}

/// Every warehouse, the default first.
pub fn warehouses(session: &Session) -> Result<Vec<Warehouse>> {
    repo::warehouses(session.db.conn())
}

pub fn warehouse_input(w: &Warehouse) -> WarehouseInput {
    WarehouseInput {
        code: w.data.code.clone(),
        name: w.data.name.clone(),
        allow_negative: flag_text(w.data.allow_negative).to_string(),
        is_default: flag_text(w.data.is_default).to_string(),
    }
}

/// The warehouse a code names, or a refusal that lists the warehouses there are. An
/// archived warehouse takes no stock.
pub fn warehouse_by_code(session: &Session, code: &str) -> Result<Warehouse> {
    match repo::warehouse_by_code(session.db.conn(), code)? {
        Some(w) if w.archived => Err(Error::Refused(tf("stock.warehouse_archived", &[("code", &w.data.code)]))),
        Some(w) => Ok(w),
        None => {
            let known: Vec<String> = warehouses(session)?.into_iter().map(|w| w.data.code).collect();
            Err(Error::BadArgument(tf("stock.unknown_warehouse", &[("code", &code), ("known", &known.join(", "))])))
        }
    }
}

pub fn default_warehouse(session: &Session) -> Result<Warehouse> {
    // The migration creates a default and edits can only move it, so there is one; a
    // database edited by hand without one falls back to the first warehouse.
    warehouses(session)?.into_iter().next().ok_or_else(|| Error::NotFound { what: "warehouse".into() })
}

/// Creates a warehouse, or with `editing` saves an edit of it made at its version. A
/// manager's job: it decides where stock may go below zero.
pub fn save_warehouse(session: &mut Session, editing: Option<&Warehouse>, input: &WarehouseInput) -> Result<Warehouse> {
    session.require(Role::Manager)?;
    let mut data = validate_warehouse(input).map_err(Error::Invalid)?;
    if let Some(current) = editing {
        data.code = current.data.code.clone();
        if current.data.is_default && !data.is_default {
            // The shop always has a default: it moves when another warehouse takes it.
            return Err(Error::Refused(crate::i18n::t("stock.keeps_default").to_string()));
        }
    }
    session.write(|tx, ctx| {
        let id = match editing {
            Some(current) => {
                repo::update_warehouse(tx, current.id, current.version, &data)?;
                current.id
            }
            None if repo::warehouse_by_code(tx, &data.code)?.is_some() => {
                return Err(invalid("code", Problem::DuplicateCode));
            }
            None => repo::insert_warehouse(tx, &data)?,
        };
        ctx.audit(tx, "save", "warehouse", Some(id), data.code.clone())
    })?;
    repo::warehouse_by_code(session.db.conn(), &data.code)?.ok_or_else(|| Error::NotFound { what: data.code.clone() })
}

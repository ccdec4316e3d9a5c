//! CSV for stock: products, suppliers, warehouses, stock counts (opening stock or a
//! stocktake) and the ledger's moves. Same rules as every import: all-or-nothing, each
//! problem named by line and column, matched by code, a second run changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use rusqlite::Connection;

use super::csv_io::{self, Errors, SafeWriter};
use super::csv_lines::{Line, Outcome, TableSpec, import_table};
use super::customers::ImportReport;
use super::ledger::{CountLine, post_count_in};
use super::sales_history::Input;
use super::stock::{check_product_refs, input_of, supplier_input, warehouse_input};
use super::{Session, WriteCtx};
use crate::db::ledger as ledger_repo;
use crate::db::products::{self as repo, Product, Warehouse};
use crate::domain::fields::{Problem, check_text, parse_date};
use crate::domain::money::{Price, Quantity};
use crate::domain::stock::{
    ProductInput, SupplierInput, WarehouseInput, flag, flag_text, validate_product, validate_supplier,
    validate_warehouse,
};
use crate::domain::user::Role;
use crate::error::{Error, Result, describe_problem};
use crate::i18n::{t, tf};

pub const PRODUCT_COLUMNS: &[&str] = &[
    "sku",
    "name",
    "category",
    "unit",
    "sale_price",
    "cost_price",
    "tax_rate",
    "reorder_point",
    "reorder_qty",
    "lead_days",
    "supplier",
    "supplier_sku",
    "supplier_price",
    "tracks_lots",
    "allow_negative",
    "barcodes",
    "archived",
];

fn product_row(p: &Product) -> Vec<String> {
    let i = input_of(&p.data);
    vec![
        i.sku,
        i.name,
        i.category,
        i.unit,
        i.sale_price,
        i.cost_price,
        i.tax_rate,
        i.reorder_point,
        i.reorder_qty,
        i.lead_days,
        i.supplier,
        i.supplier_sku,
        i.supplier_price,
        i.tracks_lots,
        i.allow_negative,
        i.barcodes,
        flag_text(p.archived).to_string(),
    ]
}

fn write_rows<T>(
    out: impl Write,
    columns: &[&str],
    rows: impl FnOnce(&mut dyn FnMut(T) -> Result<()>) -> Result<()>,
    row: impl Fn(&T) -> Vec<String>,
) -> Result<usize> {
    let mut writer = SafeWriter::new(out);
    writer.row(columns.iter().copied())?;
    let mut n = 0;
    rows(&mut |item| {
        n += 1;
        writer.row(row(&item).iter().map(String::as_str))
    })?;
    writer.finish()?;
    Ok(n)
}

pub fn export_products(session: &Session, out: impl Write) -> Result<usize> {
    let visit = |each: &mut dyn FnMut(repo::Product) -> Result<()>| repo::for_each_product(session.db.conn(), each);
    write_rows(out, PRODUCT_COLUMNS, visit, product_row)
}

/// `export_products` of the products `ids` names, in that order: a list's filtered rows as
/// the list sorts them.
pub fn export_products_some(session: &Session, ids: &[i64], out: impl Write) -> Result<usize> {
    let visit = |each: &mut dyn FnMut(repo::Product) -> Result<()>| {
        for id in ids {
            if let Some(product) = repo::product(session.db.conn(), *id)? {
                each(product)?;
            }
        }
        Ok(())
    };
    write_rows(out, PRODUCT_COLUMNS, visit, product_row)
}

/// Records the problems of an `Error::Invalid` against a line, or passes other errors on.
fn line_problems(result: Result<()>, line: &Line<'_>, errors: &mut Errors) -> Result<()> {
    match result {
        Err(Error::Invalid(problems)) => {
            for p in problems {
                errors.push(line.number, p.field, line.cell(p.field).unwrap_or(""), line.describe(p.field, &p.problem));
            }
            Ok(())
        }
        other => other,
    }
}

/// The checked record of a line, or `None` (its problems recorded) when it or an earlier
/// line had any: once a file has a problem nothing more is written, only checked.
fn validated<T>(
    checked: std::result::Result<T, Vec<crate::domain::fields::FieldError>>,
    line: &Line<'_>,
    errors: &mut Errors,
) -> Result<Option<T>> {
    match checked {
        Ok(data) if errors.is_empty() => Ok(Some(data)),
        Ok(_) => Ok(None),
        Err(problems) => {
            line_problems(Err(Error::Invalid(problems)), line, errors)?;
            Ok(None)
        }
    }
}

/// Imports products matched by SKU. Suppliers named must exist (import them first).
pub fn import_products(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    import_products_input(session, &Input::from_bytes(bytes), dry_run)
}

/// `import_products` reading the file a line at a time.
pub fn import_products_input(session: &mut Session, input: &Input, dry_run: bool) -> Result<ImportReport> {
    let stored = |tx: &Connection, sku: &str| -> Result<Option<Vec<String>>> {
        if sku.is_empty() {
            return Ok(None);
        }
        Ok(repo::product_by_sku(tx, sku)?.as_ref().map(|p| {
            // A stored value fills a column the file lacks and is read as the file's own
            // are. With a fourth decimal, a quantity of `100.000` (same value) cannot be
            // taken for a thousands mark in a `;` file.
            let mut row = product_row(p);
            for column in ["reorder_point", "reorder_qty"] {
                if let Some(value) = PRODUCT_COLUMNS.iter().position(|c| *c == column).and_then(|i| row.get_mut(i))
                    && value.split_once('.').is_some_and(|(_, decimals)| decimals.len() == 3)
                {
                    value.push('0');
                }
            }
            row
        }))
    };
    let spec = TableSpec { columns: PRODUCT_COLUMNS, required: &["sku"], entity: "product" };
    import_table(session, input, dry_run, &spec, stored, |tx, ctx, line, errors| {
        let cell = |c: &str| line.cell(c).unwrap_or("").to_string();
        let input = ProductInput {
            sku: cell("sku"),
            name: cell("name"),
            category: cell("category"),
            unit: cell("unit"),
            sale_price: cell("sale_price"),
            cost_price: cell("cost_price"),
            tax_rate: cell("tax_rate"),
            reorder_point: cell("reorder_point"),
            reorder_qty: cell("reorder_qty"),
            lead_days: cell("lead_days"),
            supplier: cell("supplier"),
            supplier_sku: cell("supplier_sku"),
            supplier_price: cell("supplier_price"),
            tracks_lots: cell("tracks_lots"),
            allow_negative: cell("allow_negative"),
            barcodes: cell("barcodes"),
        };
        let archived = line.choice(errors, "archived", |t| flag(t, false), false);
        let Some(data) = validated(validate_product(&input), line, errors)? else { return Ok(Outcome::Skipped) };
        let current = repo::product_by_sku(tx, &data.sku)?;
        let mut data = data;
        // Codes match whatever their case; the stored spelling stays.
        if let Some(p) = &current {
            data.sku = p.data.sku.clone();
        }
        if let Some(s) = repo::supplier_by_code(tx, &data.supplier)? {
            data.supplier = s.data.code;
        }
        let supplier_id = match check_product_refs(tx, current.as_ref(), &data) {
            Ok(id) => id,
            Err(e) => {
                line_problems(Err(e), line, errors)?;
                return Ok(Outcome::Skipped);
            }
        };
        let archived_at = archived.then_some(ctx.now.as_str());
        match current {
            None => {
                let id = repo::insert_product(tx, &data, supplier_id, &ctx.now)?;
                if archived {
                    repo::set_product_archived(tx, id, 1, archived_at)?;
                }
                Ok(Outcome::Created)
            }
            Some(p) if p.data == data && p.archived == archived => Ok(Outcome::Unchanged),
            Some(p) => {
                repo::update_product(tx, p.id, p.version, &data, supplier_id, &ctx.now)?;
                if p.archived != archived {
                    repo::set_product_archived(tx, p.id, p.version + 1, archived_at)?;
                }
                Ok(Outcome::Updated)
            }
        }
    })
}

pub const SUPPLIER_COLUMNS: &[&str] = &["code", "name", "contact", "phone", "email", "lead_days", "payment_days"];

fn supplier_row(s: &repo::Supplier) -> Vec<String> {
    let i = supplier_input(s);
    vec![i.code, i.name, i.contact, i.phone, i.email, i.lead_days, i.payment_days]
}

pub fn export_suppliers(session: &Session, out: impl Write) -> Result<usize> {
    let all = repo::suppliers(session.db.conn())?;
    write_rows(out, SUPPLIER_COLUMNS, |each| all.into_iter().try_for_each(each), supplier_row)
}

pub fn import_suppliers(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    let stored = |tx: &Connection, code: &str| -> Result<Option<Vec<String>>> {
        if code.is_empty() { Ok(None) } else { Ok(repo::supplier_by_code(tx, code)?.as_ref().map(supplier_row)) }
    };
    let spec = TableSpec { columns: SUPPLIER_COLUMNS, required: &["code"], entity: "supplier" };
    import_table(session, &Input::from_bytes(bytes), dry_run, &spec, stored, |tx, _ctx, line, errors| {
        let cell = |c: &str| line.cell(c).unwrap_or("").to_string();
        let input = SupplierInput {
            code: cell("code"),
            name: cell("name"),
            contact: cell("contact"),
            phone: cell("phone"),
            email: cell("email"),
            lead_days: cell("lead_days"),
            payment_days: cell("payment_days"),
        };
        let Some(data) = validated(validate_supplier(&input), line, errors)? else { return Ok(Outcome::Skipped) };
        match repo::supplier_by_code(tx, &data.code)? {
            None => {
                repo::insert_supplier(tx, &data)?;
                Ok(Outcome::Created)
            }
            Some(s) if s.data == data => Ok(Outcome::Unchanged),
            Some(s) => {
                repo::update_supplier(tx, s.id, s.version, &data)?;
                Ok(Outcome::Updated)
            }
        }
    })
}

pub const WAREHOUSE_COLUMNS: &[&str] = &["code", "name", "allow_negative", "is_default"];

fn warehouse_row(w: &Warehouse) -> Vec<String> {
    let i = warehouse_input(w);
    vec![i.code, i.name, i.allow_negative, i.is_default]
}

pub fn export_warehouses(session: &Session, out: impl Write) -> Result<usize> {
    let all = repo::warehouses(session.db.conn())?;
    write_rows(out, WAREHOUSE_COLUMNS, |each| all.into_iter().try_for_each(each), warehouse_row)
}

/// Imports warehouses matched by code. Needs a manager: it decides where stock may go
/// below zero.
pub fn import_warehouses(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    session.require(Role::Manager)?;
    let stored = |tx: &Connection, code: &str| -> Result<Option<Vec<String>>> {
        if code.is_empty() { Ok(None) } else { Ok(repo::warehouse_by_code(tx, code)?.as_ref().map(warehouse_row)) }
    };
    let spec = TableSpec { columns: WAREHOUSE_COLUMNS, required: &["code"], entity: "warehouse" };
    // One warehouse is the default: two lines saying so would take it in turns on every import.
    let mut default_line: Option<u64> = None;
    import_table(session, &Input::from_bytes(bytes), dry_run, &spec, stored, |tx, _ctx, line, errors| {
        let cell = |c: &str| line.cell(c).unwrap_or("").to_string();
        let input = WarehouseInput {
            code: cell("code"),
            name: cell("name"),
            allow_negative: cell("allow_negative"),
            is_default: cell("is_default"),
        };
        let Some(data) = validated(validate_warehouse(&input), line, errors)? else { return Ok(Outcome::Skipped) };
        if data.is_default {
            if let Some(first) = default_line {
                let text = tf("stock.two_defaults", &[("line", &first)]);
                errors.push(line.number, "is_default", line.cell("is_default").unwrap_or(""), text);
                return Ok(Outcome::Skipped);
            }
            default_line = Some(line.number);
        }
        match repo::warehouse_by_code(tx, &data.code)? {
            None => {
                repo::insert_warehouse(tx, &data)?;
                Ok(Outcome::Created)
            }
            Some(w) if w.data.is_default && !data.is_default => {
                // The shop always has a default: it moves when another warehouse takes it.
                errors.push(
                    line.number,
                    "is_default",
                    line.cell("is_default").unwrap_or(""),
                    t("stock.keeps_default").to_string(),
                );
                Ok(Outcome::Skipped)
            }
            Some(w) if w.data == data => Ok(Outcome::Unchanged),
            Some(w) => {
                repo::update_warehouse(tx, w.id, w.version, &data)?;
                Ok(Outcome::Updated)
            }
        }
    })
}

pub const STOCK_COLUMNS: &[&str] = &["warehouse", "sku", "lot", "expiry", "quantity", "unit_cost"];

/// What is on hand now, per warehouse, product and lot: a file that, imported as counts
/// into a shop with the same products, gives the same stock.
pub fn export_stock(session: &Session, out: impl Write) -> Result<usize> {
    let conn = session.db.conn();
    let warehouses = repo::warehouses(conn)?;
    let mut writer = SafeWriter::new(out);
    writer.row(STOCK_COLUMNS.iter().copied())?;
    let mut n = 0;
    repo::for_each_product(conn, |product| {
        for w in &warehouses {
            let cost = product.data.cost_price.to_string();
            let lines: Vec<(String, String, Quantity)> = if product.data.tracks_lots {
                ledger_repo::lots_in(conn, product.id, w.id)?
                    .into_iter()
                    .map(|l| (l.code, l.expiry, l.on_hand))
                    .collect()
            } else {
                let on_hand = ledger_repo::level(conn, product.id, w.id)?.map(|l| l.on_hand).unwrap_or_default();
                if on_hand.is_zero() { vec![] } else { vec![(String::new(), String::new(), on_hand)] }
            };
            for (lot, expiry, on_hand) in lines {
                n += 1;
                writer.row([w.data.code.as_str(), &product.data.sku, &lot, &expiry, &on_hand.to_string(), &cost])?;
            }
        }
        Ok(())
    })?;
    writer.finish()?;
    Ok(n)
}

/// Imports counted stock (opening stock, or a stocktake done on paper): for each line the
/// on-hand quantity becomes what the file says, through count moves in the ledger. Lines
/// equal to the books change nothing, so importing the same file twice is harmless.
pub fn import_stock(session: &mut Session, bytes: &[u8], dry_run: bool, reference: &str) -> Result<ImportReport> {
    let table = csv_io::read_table(bytes)?;
    let positions = csv_io::map_header(&table.headers, STOCK_COLUMNS, &["warehouse", "sku", "quantity"])?;
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<ImportReport> {
        let mut errors = Errors::default();
        let mut sheets: BTreeMap<i64, (Warehouse, Vec<CountLine>)> = BTreeMap::new();
        let mut seen: HashMap<(i64, i64, String), u64> = HashMap::new();
        for record in &table.records {
            let cell = |c: &str| {
                STOCK_COLUMNS.iter().position(|k| *k == c).and_then(|i| record.cell(&positions, i)).unwrap_or("").trim()
            };
            let mut problem = |column: &str, problem: Problem| {
                errors.push(record.line, column, cell(column), describe_problem(&problem));
            };
            let warehouse = repo::warehouse_by_code(tx, cell("warehouse"))?;
            if warehouse.is_none() {
                problem("warehouse", Problem::UnknownWarehouse);
            }
            let product = repo::product_by_sku(tx, cell("sku"))?;
            if product.is_none() {
                problem("sku", Problem::UnknownProduct);
            }
            // Below zero only where the product or the warehouse allows it (as exported).
            // A lot is a physical batch and never goes below zero.
            let may_be_negative = product.as_ref().is_some_and(|p| !p.data.tracks_lots)
                && (product.as_ref().is_some_and(|p| p.data.allow_negative)
                    || warehouse.as_ref().is_some_and(|w| w.data.allow_negative));
            let counted = match Quantity::parse(cell("quantity")) {
                Ok(q) if q.value().is_sign_negative() && !may_be_negative => {
                    problem("quantity", Problem::OutOfRange { min: 0, max: None });
                    None
                }
                // Goods counted in pieces are counted whole, as on the count screen.
                Ok(q) => match product.as_ref().map(|p| crate::domain::stock::fits_unit(&p.data.unit, q)) {
                    Some(Err(p)) => {
                        problem("quantity", p);
                        None
                    }
                    _ => Some(q),
                },
                Err(e) => {
                    problem("quantity", Problem::InvalidAmount(e));
                    None
                }
            };
            let unit_cost = match cell("unit_cost") {
                "" => None,
                text => match Price::parse(text) {
                    Ok(p) if p.value().is_sign_negative() => {
                        problem("unit_cost", Problem::OutOfRange { min: 0, max: None });
                        None
                    }
                    Ok(p) => Some(p),
                    Err(e) => {
                        problem("unit_cost", Problem::InvalidAmount(e));
                        None
                    }
                },
            };
            let expiry = parse_date(cell("expiry")).unwrap_or_else(|p| {
                problem("expiry", p);
                None
            });
            let lot = check_text(cell("lot"), false, 40, false).unwrap_or_else(|p| {
                problem("lot", p);
                String::new()
            });
            if let Some(p) = &product {
                if p.data.tracks_lots && lot.is_empty() {
                    problem("lot", Problem::Required);
                } else if !p.data.tracks_lots && !lot.is_empty() {
                    problem("lot", Problem::NoLots);
                } else if !p.data.tracks_lots && expiry.is_some() {
                    problem("expiry", Problem::NoLots);
                } else if let (Some(stored), Some(given)) = (ledger_repo::lot_expiry(tx, p.id, &lot)?, expiry)
                    && !stored.is_empty()
                    && stored != given.to_string()
                {
                    problem("expiry", Problem::LotExpires { stored });
                }
            }
            // A line counted twice is named whatever else is wrong with either line.
            if let (Some(w), Some(p)) = (&warehouse, &product)
                && let Some(first) = seen.insert((w.id, p.id, lot.clone()), record.line)
            {
                errors.push(record.line, "sku", cell("sku"), tf("csv.duplicate_in_file", &[("line", &first)]));
            }
            let (Some(warehouse), Some(product), Some(counted)) = (warehouse, product, counted) else { continue };
            let sheet = sheets.entry(warehouse.id).or_insert_with(|| (warehouse, Vec::new()));
            sheet.1.push(CountLine { product, lot, expiry, counted, unit_cost });
        }
        std::mem::take(&mut errors).into_result()?;
        let mut report = ImportReport { dry_run, ..Default::default() };
        for (warehouse, lines) in sheets.values() {
            let changed = post_count_in(tx, ctx, warehouse, lines, reference)?.len();
            report.updated += changed;
            report.unchanged += lines.len() - changed;
        }
        csv_io::finish_import(tx, ctx, errors, report, "stock")
    };
    session.write_or_rehearse(dry_run, work)
}

pub const REORDER_COLUMNS: &[&str] = &["warehouse", "sku", "reorder_point", "reorder_qty"];

/// The warehouses' own reorder points and quantities (where they differ from the product's).
pub fn export_reorder(session: &Session, out: impl Write) -> Result<usize> {
    let rows = ledger_repo::reorder_overrides(session.db.conn())?;
    write_rows(
        out,
        REORDER_COLUMNS,
        |each| rows.into_iter().try_for_each(each),
        |(w, sku, point, qty)| vec![w.clone(), sku.clone(), point.to_string(), qty.to_string()],
    )
}

/// Sets warehouses' own reorder points and quantities; both empty on a line returns that
/// warehouse to the product's figures. Lines already as stored change nothing.
pub fn import_reorder(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    use crate::domain::stock::stock_quantity;
    let table = csv_io::read_table(bytes)?;
    let positions = csv_io::map_header(&table.headers, REORDER_COLUMNS, &["warehouse", "sku"])?;
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<ImportReport> {
        let mut errors = Errors::default();
        let mut report = ImportReport { dry_run, ..Default::default() };
        let mut seen: HashMap<(i64, i64), u64> = HashMap::new();
        for record in &table.records {
            let cell = |c: &str| {
                REORDER_COLUMNS
                    .iter()
                    .position(|k| *k == c)
                    .and_then(|i| record.cell(&positions, i))
                    .unwrap_or("")
                    .trim()
            };
            let mut problem =
                |column: &str, p: Problem| errors.push(record.line, column, cell(column), describe_problem(&p));
            let warehouse = repo::warehouse_by_code(tx, cell("warehouse"))?;
            if warehouse.is_none() {
                problem("warehouse", Problem::UnknownWarehouse);
            }
            let product = repo::product_by_sku(tx, cell("sku"))?;
            if product.is_none() {
                problem("sku", Problem::UnknownProduct);
            }
            let point = stock_quantity(cell("reorder_point")).unwrap_or_else(|p| {
                problem("reorder_point", p);
                Quantity::ZERO
            });
            let qty = stock_quantity(cell("reorder_qty")).unwrap_or_else(|p| {
                problem("reorder_qty", p);
                Quantity::ZERO
            });
            let (Some(warehouse), Some(product)) = (warehouse, product) else { continue };
            if let Some(first) = seen.insert((warehouse.id, product.id), record.line) {
                errors.push(record.line, "sku", cell("sku"), tf("csv.duplicate_in_file", &[("line", &first)]));
            }
            if !errors.is_empty() {
                continue;
            }
            let wanted = if cell("reorder_point").is_empty() && cell("reorder_qty").is_empty() {
                None
            } else {
                Some((point, qty))
            };
            let level = ledger_repo::level(tx, product.id, warehouse.id)?.unwrap_or_default();
            let now = level.overridden.then_some((level.reorder_point, level.reorder_qty));
            if now == wanted {
                report.unchanged += 1;
            } else {
                ledger_repo::override_reorder(tx, product.id, warehouse.id, wanted)?;
                report.updated += 1;
            }
        }
        csv_io::finish_import(tx, ctx, errors, report, "reorder")
    };
    session.write_or_rehearse(dry_run, work)
}

pub const MOVE_COLUMNS: &[&str] =
    &["id", "at", "user", "kind", "sku", "warehouse", "lot", "expiry", "quantity", "unit_cost", "reference", "note"];

/// The whole ledger, oldest first. Export only: the ledger is written by the use cases.
pub fn export_moves(session: &Session, out: impl Write) -> Result<usize> {
    write_rows(
        out,
        MOVE_COLUMNS,
        |each| ledger_repo::for_each_move(session.db.conn(), each),
        |m| {
            vec![
                m.id.to_string(),
                m.at.clone(),
                m.user.clone(),
                m.kind.as_str().to_string(),
                m.sku.clone(),
                m.warehouse.clone(),
                m.lot.clone(),
                m.expiry.clone(),
                m.quantity.to_string(),
                m.unit_cost.to_string(),
                m.reference.clone(),
                m.note.clone(),
            ]
        },
    )
}

#[cfg(test)]
mod tests;

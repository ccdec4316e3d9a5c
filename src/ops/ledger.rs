//! Stock use cases: receive, adjust, scrap, return, count, transfer and write off expired
//! lots. Each posts moves to the ledger in one transaction; the levels follow in the same
//! statement (a trigger), and stock never goes below zero where that is not allowed.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::stock::invalid;
use super::{Session, WriteCtx};
use crate::db::ledger::{self as repo, Expiring, LowStock, NewMove};
use crate::db::products as products_repo;
use crate::db::products::{self as products, Product, Warehouse};
use crate::domain::fields::{Checker, FieldError, Problem, check_text, parse_date};
use crate::domain::money::{Price, Quantity};
use crate::domain::stock::{MoveKind, fefo, missing};
use crate::error::{Error, Result};
use crate::i18n::{t, tf};

/// A move as typed in a form or a command: every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoveForm {
    /// SKU or barcode.
    pub product: String,
    /// Warehouse code; empty for the default warehouse.
    pub warehouse: String,
    pub quantity: String,
    /// Empty for the product's cost price.
    pub unit_cost: String,
    pub lot: String,
    pub expiry: String,
    pub reference: String,
    pub note: String,
}

/// A checked move, before it is posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveInput {
    pub product: Product,
    pub warehouse: Warehouse,
    /// Positive: how much comes in or goes out, as the kind says. Adjustments are signed.
    pub quantity: Quantity,
    pub unit_cost: Option<Price>,
    pub lot: String,
    pub expiry: Option<NaiveDate>,
    pub reference: String,
    pub note: String,
}

/// Checks a typed move: the product and warehouse exist, the quantity fits the kind.
pub fn parse_move(conn: &Connection, form: &MoveForm, kind: MoveKind) -> Result<MoveInput> {
    let mut check = Checker::default();
    let code = form.product.trim();
    let product = if code.is_empty() {
        check.errors.push(FieldError { field: "product", problem: Problem::Required });
        None
    } else {
        let found = products::product_by_code(conn, code)?;
        match &found {
            None => check.errors.push(FieldError { field: "product", problem: Problem::UnknownProduct }),
            Some(p) if p.archived => check.errors.push(FieldError { field: "product", problem: Problem::Archived }),
            Some(_) => {}
        }
        found
    };
    let warehouse = if form.warehouse.trim().is_empty() {
        products::warehouses(conn)?.into_iter().next()
    } else {
        let found = products::warehouse_by_code(conn, &form.warehouse)?;
        match &found {
            None => check.errors.push(FieldError { field: "warehouse", problem: Problem::UnknownWarehouse }),
            Some(w) if w.archived => check.errors.push(FieldError { field: "warehouse", problem: Problem::Archived }),
            Some(_) => {}
        }
        found
    };
    let signed = kind == MoveKind::Adjustment;
    let quantity = check.take(
        "quantity",
        Quantity::parse(&form.quantity)
            .map_err(|e| if form.quantity.trim().is_empty() { Problem::Required } else { Problem::InvalidAmount(e) })
            .and_then(|q| {
                let ok = if signed { !q.is_zero() } else { q.value().is_sign_positive() && !q.is_zero() };
                if ok {
                    Ok(q)
                } else if signed {
                    Err(Problem::MustNotBeZero)
                } else {
                    Err(Problem::MustBePositive)
                }
            }),
    );
    let unit_cost = check.take(
        "unit_cost",
        if form.unit_cost.trim().is_empty() {
            Ok(None)
        } else {
            Price::parse(&form.unit_cost).map_err(Problem::InvalidAmount).and_then(|p| {
                if p.value().is_sign_negative() { Err(Problem::OutOfRange { min: 0, max: None }) } else { Ok(Some(p)) }
            })
        },
    );
    let lot = check.take("lot", check_text(&form.lot, false, 40, false));
    let expiry = check.take("expiry", parse_date(&form.expiry));
    let reference = check.take("reference", check_text(&form.reference, false, 64, false));
    // An adjustment or scrap without a reason cannot be audited.
    let note_required = matches!(kind, MoveKind::Adjustment | MoveKind::Scrap);
    let note = check.take("note", check_text(&form.note, note_required, 500, false));
    if let Some(p) = &product {
        if p.data.tracks_lots && lot.is_empty() && kind.is_inbound() {
            check.errors.push(FieldError { field: "lot", problem: Problem::Required });
        }
        if !p.data.tracks_lots && !lot.is_empty() {
            check.errors.push(FieldError { field: "lot", problem: Problem::NoLots });
        }
    }
    if let Some(p) = &product
        && let Err(problem) = crate::domain::stock::fits_unit(&p.data.unit, quantity)
    {
        check.errors.push(FieldError { field: "quantity", problem });
    }
    let data = check.finish((quantity, unit_cost, lot, expiry, reference, note)).map_err(Error::Invalid)?;
    let (Some(product), Some(warehouse)) = (product, warehouse) else {
        return Err(invalid("warehouse", Problem::UnknownWarehouse));
    };
    let (quantity, unit_cost, lot, expiry, reference, note) = data;
    Ok(MoveInput { product, warehouse, quantity, unit_cost, lot, expiry, reference, note })
}

impl MoveKind {
    /// Kinds that bring stock in (positive quantities).
    pub fn is_inbound(self) -> bool {
        matches!(self, MoveKind::Receipt | MoveKind::Return | MoveKind::TransferIn)
    }
}

/// The move with its product and warehouse as they are now, inside the write: another
/// session may have archived the product, or changed its lot tracking or what may go below
/// zero, since the move was typed.
fn current(tx: &Connection, m: &MoveInput, kind: MoveKind) -> Result<MoveInput> {
    let product = products_repo::product(tx, m.product.id)?
        .ok_or_else(|| Error::NotFound { what: m.product.data.sku.clone() })?;
    // Goods already promised to a customer still leave when the product is retired.
    if product.archived && kind != MoveKind::Shipment {
        return Err(Error::Refused(tf("stock.archived", &[("sku", &product.data.sku)])));
    }
    let warehouse = products_repo::warehouse(tx, m.warehouse.id)?
        .ok_or_else(|| Error::NotFound { what: m.warehouse.data.code.clone() })?;
    Ok(MoveInput { product, warehouse, ..m.clone() })
}

/// Adds stock: one move, into a lot for lot-tracked products.
pub(crate) fn put_in(tx: &Connection, ctx: &WriteCtx<'_>, kind: MoveKind, m: &MoveInput) -> Result<()> {
    let m = &current(tx, m, kind)?;
    let lot_id = lot_for(tx, &m.product, &m.lot, m.expiry)?;
    repo::insert_move(
        tx,
        &NewMove {
            at: &ctx.now,
            user: &ctx.operator.name,
            kind,
            product_id: m.product.id,
            warehouse_id: m.warehouse.id,
            lot_id,
            quantity: m.quantity,
            unit_cost: m.unit_cost.unwrap_or(m.product.data.cost_price),
            reference: &m.reference,
            note: &m.note,
        },
    )?;
    Ok(())
}

/// The lot a move goes into: found or created; `None` for products without lots.
fn lot_for(tx: &Connection, product: &Product, code: &str, expiry: Option<NaiveDate>) -> Result<Option<i64>> {
    if !product.data.tracks_lots {
        return Ok(None);
    }
    if code.is_empty() {
        return Err(invalid("lot", Problem::Required));
    }
    let expiry = expiry.map(|d| d.to_string()).unwrap_or_default();
    match repo::lot(tx, product.id, code, &expiry)? {
        Ok(id) => Ok(Some(id)),
        Err(stored) => Err(Error::Refused(tf(
            "stock.lot_expiry_differs",
            &[("lot", &code), ("sku", &product.data.sku), ("stored", &stored), ("given", &expiry)],
        ))),
    }
}

/// Takes stock out: from the chosen lot, or the earliest-expiring lots first (FEFO) for
/// lot-tracked products. Refused, naming product, warehouse and shortfall, when there is
/// not enough and neither the product nor the warehouse allows going below zero.
pub(crate) fn take_out(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    kind: MoveKind,
    m: &MoveInput,
) -> Result<Vec<(Option<i64>, Quantity)>> {
    let m = &current(tx, m, kind)?;
    let product = &m.product;
    let taken: Vec<(Option<i64>, Quantity)> = if product.data.tracks_lots {
        let mut lots = repo::lots_in(tx, product.id, m.warehouse.id)?;
        if !m.lot.is_empty() {
            lots.retain(|l| l.code == m.lot);
        }
        if kind == MoveKind::Shipment {
            // A customer never gets goods past their date.
            let today = ctx.now.get(..10).unwrap_or_default();
            lots.retain(|l| l.expiry.is_empty() || l.expiry.as_str() >= today);
        }
        match fefo(&lots, m.quantity) {
            Ok(taken) => taken.into_iter().map(|(lot, q)| (Some(lot), q)).collect(),
            Err(short) => return Err(not_enough(product, &m.warehouse, short, &m.lot)),
        }
    } else {
        let on_hand = repo::level(tx, product.id, m.warehouse.id)?.map(|l| l.on_hand).unwrap_or_default();
        if let Some(short) =
            missing(on_hand, m.quantity, product.data.allow_negative || m.warehouse.data.allow_negative)
        {
            return Err(not_enough(product, &m.warehouse, short, ""));
        }
        vec![(None, m.quantity)]
    };
    // Stock held by open shipments is promised to customers: only a shipment takes it.
    // Scrap, adjustments and transfers may take what is free.
    if kind != MoveKind::Shipment && !(product.data.allow_negative || m.warehouse.data.allow_negative) {
        let level = repo::level(tx, product.id, m.warehouse.id)?;
        let (on_hand, reserved) = level.map(|l| (l.on_hand, l.reserved)).unwrap_or_default();
        if !reserved.is_zero() && m.quantity > on_hand - reserved {
            return Err(Error::Refused(tf(
                "stock.reserved_for_orders",
                &[
                    ("sku", &product.data.sku),
                    ("warehouse", &m.warehouse.data.code),
                    ("free", &(on_hand - reserved).value().normalize()),
                    ("reserved", &reserved.value().normalize()),
                ],
            )));
        }
    }
    for (lot_id, quantity) in &taken {
        repo::insert_move(
            tx,
            &NewMove {
                at: &ctx.now,
                user: &ctx.operator.name,
                kind,
                product_id: product.id,
                warehouse_id: m.warehouse.id,
                lot_id: *lot_id,
                quantity: Quantity::ZERO - *quantity,
                unit_cost: m.unit_cost.unwrap_or(product.data.cost_price),
                reference: &m.reference,
                note: &m.note,
            },
        )?;
    }
    Ok(taken)
}

fn not_enough(product: &Product, warehouse: &Warehouse, short: Quantity, lot: &str) -> Error {
    let what = if lot.is_empty() { product.data.sku.clone() } else { format!("{} lot {lot}", product.data.sku) };
    Error::Refused(tf(
        "stock.not_enough",
        &[
            ("what", &what),
            ("name", &product.data.name),
            ("warehouse", &warehouse.data.code),
            ("missing", &short.value().normalize()),
            ("unit", &product.data.unit),
        ],
    ))
}

pub(crate) fn audit_move(tx: &Connection, ctx: &WriteCtx<'_>, kind: MoveKind, m: &MoveInput) -> Result<()> {
    let detail = format!("{} {} {} {}", kind.as_str(), m.product.data.sku, m.warehouse.data.code, m.quantity);
    ctx.audit(tx, "stock-move", "product", Some(m.product.id), detail)
}

/// Receives goods: all lines in one transaction (a delivery is booked whole or not at all).
pub fn receive(session: &mut Session, lines: &[MoveInput]) -> Result<()> {
    session.write(|tx, ctx| {
        for line in lines {
            put_in(tx, ctx, MoveKind::Receipt, line)?;
            audit_move(tx, ctx, MoveKind::Receipt, line)?;
        }
        Ok(())
    })
}

/// A delivery being booked line by line, as a clerk scans it: the same product (and lot)
/// again adds to its line instead of making a second one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptDraft {
    pub lines: Vec<ReceiptLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub product: Product,
    pub quantity: Quantity,
    pub lot: String,
    pub expiry: Option<NaiveDate>,
}

impl ReceiptDraft {
    /// Adds `quantity` of a product (to its line when there is one); returns the line's index.
    pub fn add(&mut self, product: Product, quantity: Quantity, lot: &str, expiry: Option<NaiveDate>) -> usize {
        if let Some(index) = self.lines.iter().position(|l| l.product.id == product.id && l.lot == lot) {
            let line = &mut self.lines[index];
            line.quantity = line.quantity + quantity;
            if expiry.is_some() {
                line.expiry = expiry;
            }
            return index;
        }
        self.lines.push(ReceiptLine { product, quantity, lot: lot.to_string(), expiry });
        self.lines.len() - 1
    }

    /// Tops the lines up to what is `expected` (products without lots): what an order
    /// still expects, less what was already scanned of it.
    pub fn fill_to(&mut self, expected: Vec<ReceiptLine>) {
        for line in expected {
            let have = self.lines.iter().find(|l| l.product.id == line.product.id).map(|l| l.quantity);
            let missing = line.quantity - have.unwrap_or_default();
            if missing.value() > rust_decimal::Decimal::ZERO {
                self.add(line.product, missing, "", None);
            }
        }
    }

    pub fn units(&self) -> Quantity {
        self.lines.iter().fold(Quantity::ZERO, |sum, l| sum + l.quantity)
    }

    /// Books every line into `warehouse` in one transaction.
    pub fn post(&self, session: &mut Session, warehouse: &Warehouse, reference: &str) -> Result<()> {
        let inputs: Vec<MoveInput> = self
            .lines
            .iter()
            .map(|l| MoveInput {
                product: l.product.clone(),
                warehouse: warehouse.clone(),
                quantity: l.quantity,
                unit_cost: None,
                lot: l.lot.clone(),
                expiry: l.expiry,
                reference: reference.to_string(),
                note: String::new(),
            })
            .collect();
        receive(session, &inputs)
    }
}

/// Posts one move of `kind`: a customer return (in), scrap (out), or an adjustment whose
/// sign says which way.
pub fn post(session: &mut Session, kind: MoveKind, m: &MoveInput) -> Result<()> {
    session.write(|tx, ctx| {
        if kind.is_inbound() || (kind == MoveKind::Adjustment && m.quantity.value().is_sign_positive()) {
            put_in(tx, ctx, kind, m)?;
        } else {
            let out = MoveInput { quantity: Quantity::round_from(m.quantity.value().abs()), ..m.clone() };
            take_out(tx, ctx, kind, &out)?;
        }
        audit_move(tx, ctx, kind, m)
    })
}

/// One line of a count sheet: what was found on the shelf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountLine {
    pub product: Product,
    /// For lot-tracked products, the lot counted (created with `expiry` when new).
    pub lot: String,
    pub expiry: Option<NaiveDate>,
    pub counted: Quantity,
    pub unit_cost: Option<Price>,
}

/// What posting a count changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountDifference {
    pub sku: String,
    pub lot: String,
    pub before: Quantity,
    pub counted: Quantity,
}

/// The differences a count sheet would post, without posting them.
pub fn count_differences(
    conn: &Connection,
    warehouse: &Warehouse,
    lines: &[CountLine],
) -> Result<Vec<CountDifference>> {
    let mut out = Vec::new();
    for line in lines {
        let before = if line.product.data.tracks_lots {
            repo::lots_in(conn, line.product.id, warehouse.id)?
                .into_iter()
                .find(|l| l.code == line.lot)
                .map(|l| l.on_hand)
                .unwrap_or_default()
        } else {
            repo::level(conn, line.product.id, warehouse.id)?.map(|l| l.on_hand).unwrap_or_default()
        };
        if before != line.counted {
            out.push(CountDifference {
                sku: line.product.data.sku.clone(),
                lot: line.lot.clone(),
                before,
                counted: line.counted,
            });
        }
    }
    Ok(out)
}

/// Posts a stocktake: every difference between the sheet and the books becomes a count
/// move, all in one transaction. Counts of zero for what is not on the shelf are posted
/// like any other.
pub fn post_count(
    session: &mut Session,
    warehouse: &Warehouse,
    lines: &[CountLine],
    reference: &str,
) -> Result<Vec<CountDifference>> {
    session.write(|tx, ctx| post_count_in(tx, ctx, warehouse, lines, reference))
}

pub(crate) fn post_count_in(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    warehouse: &Warehouse,
    lines: &[CountLine],
    reference: &str,
) -> Result<Vec<CountDifference>> {
    for (i, line) in lines.iter().enumerate() {
        // A sheet made before another session switched a product's lot tracking counts
        // the wrong thing: it is refused rather than posted.
        let now = products_repo::product(tx, line.product.id)?;
        if now.as_ref().is_none_or(|p| p.data.tracks_lots != line.product.data.tracks_lots) {
            return Err(Error::Conflict { what: line.product.data.sku.clone() });
        }
        if lines[..i].iter().any(|l| l.product.id == line.product.id && l.lot == line.lot) {
            return Err(Error::Refused(tf(
                "stock.counted_twice",
                &[("sku", &line.product.data.sku), ("lot", &line.lot)],
            )));
        }
    }
    let differences = count_differences(tx, warehouse, lines)?;
    for line in lines {
        if line.product.data.tracks_lots && line.lot.is_empty() {
            return Err(invalid("lot", Problem::Required));
        }
        let Some(diff) = differences.iter().find(|d| d.sku == line.product.data.sku && d.lot == line.lot) else {
            continue;
        };
        let lot_id = lot_for(tx, &line.product, &line.lot, line.expiry)?;
        repo::insert_move(
            tx,
            &NewMove {
                at: &ctx.now,
                user: &ctx.operator.name,
                kind: MoveKind::Count,
                product_id: line.product.id,
                warehouse_id: warehouse.id,
                lot_id,
                quantity: diff.counted - diff.before,
                unit_cost: line.unit_cost.unwrap_or(line.product.data.cost_price),
                reference,
                note: "",
            },
        )?;
    }
    let detail = tf("stock.count_posted", &[("warehouse", &warehouse.data.code), ("count", &differences.len())]);
    ctx.audit(tx, "stocktake", "warehouse", Some(warehouse.id), detail)?;
    Ok(differences)
}

/// A count sheet being filled in: the books' quantity of every product (and lot in stock)
/// of a warehouse or category, and what was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountDraft {
    pub lines: Vec<SheetLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLine {
    pub product: Product,
    pub lot: String,
    pub expiry: Option<NaiveDate>,
    pub book: Quantity,
    /// `None` until counted: lines nobody counted are not posted.
    pub counted: Option<Quantity>,
}

impl CountDraft {
    /// The sheet for `warehouse`: every active product under `category` (all when empty);
    /// lot-tracked products get a line per lot in stock.
    pub fn load(session: &Session, warehouse: &Warehouse, category: &str) -> Result<CountDraft> {
        let conn = session.db.conn();
        let mut lines = Vec::new();
        products::for_each_product(conn, |product| {
            if product.archived || !crate::domain::stock::in_category(&product.data.category, category) {
                return Ok(());
            }
            if product.data.tracks_lots {
                for lot in repo::lots_in(conn, product.id, warehouse.id)? {
                    let expiry = crate::domain::fields::parse_date(&lot.expiry).ok().flatten();
                    lines.push(SheetLine {
                        product: product.clone(),
                        lot: lot.code,
                        expiry,
                        book: lot.on_hand,
                        counted: None,
                    });
                }
            } else {
                let book = repo::level(conn, product.id, warehouse.id)?.map(|l| l.on_hand).unwrap_or_default();
                lines.push(SheetLine { product, lot: String::new(), expiry: None, book, counted: None });
            }
            Ok(())
        })?;
        Ok(CountDraft { lines })
    }

    /// A scan of one item: adds `quantity` to the product's line. Returns the line, or
    /// `Err` with the product's first line when the scan cannot say which line it is: a
    /// barcode does not name a lot, so lot-tracked products are counted by typing each lot's
    /// count. `Ok(None)` when the product is not on the sheet.
    pub fn scan(&mut self, product: &Product, quantity: Quantity) -> std::result::Result<Option<usize>, usize> {
        let Some(index) = self.lines.iter().position(|l| l.product.id == product.id) else { return Ok(None) };
        if product.data.tracks_lots {
            return Err(index);
        }
        let line = &mut self.lines[index];
        line.counted = Some(line.counted.unwrap_or_default() + quantity);
        Ok(Some(index))
    }

    pub fn counted(&self) -> usize {
        self.lines.iter().filter(|l| l.counted.is_some()).count()
    }

    /// Counted lines that differ from the books.
    pub fn differences(&self) -> usize {
        self.lines.iter().filter(|l| l.counted.is_some_and(|c| c != l.book)).count()
    }

    /// Posts what was counted (lines not counted stay as they are) in one transaction.
    pub fn post(&self, session: &mut Session, warehouse: &Warehouse, reference: &str) -> Result<Vec<CountDifference>> {
        let lines: Vec<CountLine> = self
            .lines
            .iter()
            .filter_map(|l| {
                l.counted.map(|counted| CountLine {
                    product: l.product.clone(),
                    lot: l.lot.clone(),
                    expiry: l.expiry,
                    counted,
                    unit_cost: None,
                })
            })
            .collect();
        post_count(session, warehouse, &lines, reference)
    }
}

/// Writes off every lot that expired before `today`, in one transaction. Returns the
/// lines written off.
pub fn write_off_expired(session: &mut Session, today: NaiveDate) -> Result<Vec<Expiring>> {
    let yesterday = today.pred_opt().unwrap_or(today).to_string();
    session.write(|tx, ctx| {
        let expired = repo::expiring(tx, &yesterday, usize::MAX)?;
        write_off(tx, &ctx.now, &ctx.operator.name, &expired)?;
        ctx.audit(tx, "write-off-expired", "stock", None, format!("{} lots", expired.len()))?;
        Ok(expired)
    })
}

/// One expiry move per lot taking all of it out, the lot's code and expiry noted.
pub(crate) fn write_off(tx: &Connection, at: &str, user: &str, lots: &[Expiring]) -> Result<()> {
    for lot in lots {
        repo::insert_move(
            tx,
            &NewMove {
                at,
                user,
                kind: MoveKind::Expiry,
                product_id: lot.product_id,
                warehouse_id: lot.warehouse_id,
                lot_id: Some(lot.lot_id),
                quantity: Quantity::ZERO - lot.on_hand,
                unit_cost: lot.unit_cost,
                reference: &lot.lot,
                note: &lot.expiry,
            },
        )?;
    }
    Ok(())
}

/// How many lots in stock are past their expiry date: what a write-off would take.
pub fn expired_count(session: &Session, today: NaiveDate) -> Result<usize> {
    let yesterday = today.pred_opt().unwrap_or(today).to_string();
    Ok(repo::expiring(session.db.conn(), &yesterday, usize::MAX)?.len())
}

/// Lots in stock that expire within `days` of `today` (expired ones included).
pub fn expiring(session: &Session, today: NaiveDate, days: u32, limit: usize) -> Result<Vec<Expiring>> {
    let until = today.checked_add_days(chrono::Days::new(u64::from(days))).unwrap_or(today).to_string();
    repo::expiring(session.db.conn(), &until, limit)
}

/// How many lots in stock expire within `days` of `today`.
pub fn expiring_count(session: &Session, today: NaiveDate, days: u32) -> Result<usize> {
    let until = today.checked_add_days(chrono::Days::new(u64::from(days))).unwrap_or(today).to_string();
    repo::expiring_count(session.db.conn(), &until)
}

pub fn low_stock(session: &Session, warehouse: Option<i64>, limit: usize) -> Result<Vec<LowStock>> {
    repo::low_stock(session.db.conn(), warehouse, limit)
}

pub fn low_stock_count(session: &Session) -> Result<usize> {
    repo::low_stock_count(session.db.conn())
}

/// One line of a transfer to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferInput {
    pub product: Product,
    pub quantity: Quantity,
    pub lot: String,
}

/// Sends goods from one warehouse to another: they leave `from` now (FEFO for lots) and
/// show as incoming at `to` until the transfer is received. Returns its code.
pub fn send_transfer(
    session: &mut Session,
    from: &Warehouse,
    to: &Warehouse,
    lines: &[TransferInput],
    note: &str,
) -> Result<String> {
    if from.id == to.id {
        return Err(Error::Refused(t("stock.transfer_same").to_string()));
    }
    if lines.is_empty() {
        return Err(Error::Refused(t("stock.transfer_empty").to_string()));
    }
    if let Some(line) = lines.iter().find(|l| l.quantity.is_zero() || l.quantity.value().is_sign_negative()) {
        return Err(Error::Refused(tf("stock.transfer_quantity", &[("sku", &line.product.data.sku)])));
    }
    session.write(|tx, ctx| {
        let code = format!("T{:06}", crate::db::meta::take_next(tx, "transfer_code")?);
        let id = repo::insert_transfer(tx, &code, from.id, to.id, note, &ctx.now, &ctx.operator.name)?;
        let mut number = 0;
        for line in lines {
            let out = MoveInput {
                product: line.product.clone(),
                warehouse: from.clone(),
                quantity: line.quantity,
                unit_cost: None,
                lot: line.lot.clone(),
                expiry: None,
                reference: code.clone(),
                note: String::new(),
            };
            for (lot_id, quantity) in take_out(tx, ctx, MoveKind::TransferOut, &out)? {
                number += 1;
                let stored = repo::TransferLine {
                    product_id: line.product.id,
                    sku: line.product.data.sku.clone(),
                    lot_id,
                    quantity,
                    unit_cost: line.product.data.cost_price,
                };
                repo::insert_transfer_line(tx, id, number, &stored)?;
                repo::add_incoming(tx, line.product.id, to.id, quantity)?;
            }
        }
        let detail = format!("{code} {} -> {}", from.data.code, to.data.code);
        ctx.audit(tx, "send-transfer", "transfer", Some(id), detail)?;
        Ok(code)
    })
}

/// Receives a transfer in full at its destination.
pub fn receive_transfer(session: &mut Session, code: &str) -> Result<()> {
    session.write(|tx, ctx| {
        let transfer =
            repo::transfer(tx, code)?.ok_or_else(|| Error::BadArgument(tf("stock.no_transfer", &[("code", &code)])))?;
        if !repo::mark_received(tx, transfer.id, &ctx.now, &ctx.operator.name)? {
            return Err(Error::Refused(tf("stock.transfer_received", &[("code", &transfer.code)])));
        }
        for line in repo::transfer_lines(tx, transfer.id)? {
            repo::insert_move(
                tx,
                &NewMove {
                    at: &ctx.now,
                    user: &ctx.operator.name,
                    kind: MoveKind::TransferIn,
                    product_id: line.product_id,
                    warehouse_id: transfer.to_id,
                    lot_id: line.lot_id,
                    quantity: line.quantity,
                    unit_cost: line.unit_cost,
                    reference: &transfer.code,
                    note: "",
                },
            )?;
            repo::add_incoming(tx, line.product_id, transfer.to_id, Quantity::ZERO - line.quantity)?;
        }
        ctx.audit(tx, "receive-transfer", "transfer", Some(transfer.id), transfer.code.clone())
    })
}

pub fn in_transit(session: &Session) -> Result<Vec<repo::Transfer>> {
    repo::in_transit(session.db.conn())
}

/// Every difference between the kept levels and the ledger, one line each.
pub fn check(session: &Session) -> Result<Vec<String>> {
    repo::level_problems(session.db.conn())
}

#[cfg(test)]
mod tests;

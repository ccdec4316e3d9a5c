//! Purchasing: the replenishment plan (what to order, from whom, and why), purchase orders
//! from draft to received, and receiving goods against them.

use std::collections::HashMap;
use std::io::Write;

use chrono::{Datelike, NaiveDate};

use super::ledger::{MoveInput, ReceiptLine, audit_move, put_in};
use super::{Session, WriteCtx};
use crate::db::ledger as ledger_repo;
use crate::db::products::{self as products, Product, Warehouse};
use crate::db::purchasing::{self as repo, NewPo, PurchaseLine, PurchaseOrder};
use crate::domain::money::{Money, Price, Quantity};
use crate::domain::purchasing::{PoRefused, PoStatus, check_arrival};
use crate::domain::replenish::{self, HISTORY_WEEKS, PlanInput, PlanLine};
use crate::domain::stock::MoveKind;
use crate::error::{Error, Result};
use crate::i18n::tf;

/// One suggestion of the plan with the figures behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub supplier: String,
    pub supplier_name: String,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub lead_days: i64,
    pub reorder_point: Quantity,
    pub reorder_qty: Quantity,
    pub unit_cost: Price,
    pub figures: PlanLine,
}

/// `2026-W48`: the ISO week, as the weekly sales table keys it.
pub fn iso_week(date: NaiveDate) -> String {
    let week = date.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The full weeks the forecast reads, oldest first: the `HISTORY_WEEKS` before this one.
pub fn history_weeks(today: NaiveDate) -> Vec<String> {
    (1..=HISTORY_WEEKS as u64)
        .rev()
        .filter_map(|n| today.checked_sub_days(chrono::Days::new(7 * n)))
        .map(iso_week)
        .collect()
}

/// What to order now: for every active product in every warehouse, the forecast demand over
/// the lead time plus safety stock (at least the reorder point) against available and
/// incoming stock. Grouped by supplier, then warehouse, then SKU. Products without a
/// supplier come last, under an empty supplier code.
pub fn plan(session: &Session, warehouse: Option<i64>) -> Result<Vec<PlanRow>> {
    let conn = session.db.conn();
    let weeks = history_weeks(session.clock.today());
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else { return Ok(Vec::new()) };
    let mut sales: HashMap<(i64, i64), Vec<Quantity>> = HashMap::new();
    for (product, wh, week, shipped) in repo::weekly_sales(conn, first, last)? {
        let Some(at) = weeks.iter().position(|w| *w == week) else { continue };
        sales.entry((product, wh)).or_insert_with(|| vec![Quantity::ZERO; weeks.len()])[at] = shipped;
    }
    // Drafts are orders about to be sent: what they hold is not suggested again.
    let mut drafted: HashMap<(i64, i64), Quantity> = HashMap::new();
    for (product, wh, quantity) in repo::drafted(conn)? {
        drafted.insert((product, wh), quantity);
    }
    let seasons = crate::ops::forecast::season_factors(session)?;
    let suppliers: HashMap<String, (String, i64)> =
        products::suppliers(conn)?.into_iter().map(|s| (s.data.code, (s.data.name, s.data.lead_days))).collect();
    let mut rows = Vec::new();
    products::for_each_product(conn, |product| {
        if product.archived {
            return Ok(());
        }
        let (supplier_name, supplier_lead) = suppliers.get(&product.data.supplier).cloned().unwrap_or_default();
        let lead_days = if product.data.lead_days > 0 { product.data.lead_days } else { supplier_lead };
        for level in ledger_repo::levels(conn, product.id)? {
            if warehouse.is_some_and(|w| w != level.warehouse_id) {
                continue;
            }
            let input = PlanInput {
                weekly_sales: sales.remove(&(product.id, level.warehouse_id)).unwrap_or_default(),
                lead_days,
                available: level.available(),
                incoming: level.incoming + drafted.get(&(product.id, level.warehouse_id)).copied().unwrap_or_default(),
                reorder_point: level.reorder_point,
                reorder_qty: level.reorder_qty,
                whole_units: !crate::domain::stock::sold_by_measure(&product.data.unit),
                season: seasons.get(&product.data.category).copied().unwrap_or(rust_decimal::Decimal::ONE),
            };
            let figures = replenish::plan(&input);
            if figures.suggested.is_none() {
                continue;
            }
            let unit_cost = if product.data.supplier_price.is_zero() {
                product.data.cost_price
            } else {
                product.data.supplier_price
            };
            rows.push(PlanRow {
                supplier: product.data.supplier.clone(),
                supplier_name: supplier_name.clone(),
                product_id: product.id,
                sku: product.data.sku.clone(),
                name: product.data.name.clone(),
                unit: product.data.unit.clone(),
                warehouse_id: level.warehouse_id,
                warehouse: level.warehouse.clone(),
                lead_days,
                reorder_point: level.reorder_point,
                reorder_qty: level.reorder_qty,
                unit_cost,
                figures,
            });
        }
        Ok(())
    })?;
    rows.sort_by(|a, b| {
        (a.supplier.is_empty(), &a.supplier, &a.warehouse, &a.sku).cmp(&(
            b.supplier.is_empty(),
            &b.supplier,
            &b.warehouse,
            &b.sku,
        ))
    });
    Ok(rows)
}

fn refused(po: &PurchaseOrder, why: PoRefused) -> Error {
    Error::Refused(match why {
        PoRefused::NotDraft(status) => {
            tf("po.not_draft", &[("code", &po.code), ("status", &super::purchasing::status_label(status))])
        }
        PoRefused::NotOpen(status) => {
            tf("po.not_open", &[("code", &po.code), ("status", &super::purchasing::status_label(status))])
        }
        PoRefused::OverReceiptOf { sku, ordered, received, arriving } => tf(
            "po.over_receipt_of",
            &[
                ("code", &po.code),
                ("sku", &sku),
                ("ordered", &ordered.value().normalize()),
                ("received", &received.value().normalize()),
                ("arriving", &arriving.value().normalize()),
            ],
        ),
        PoRefused::OverReceipt { ordered, received, arriving } => tf(
            "po.over_receipt",
            &[
                ("code", &po.code),
                ("ordered", &ordered.value().normalize()),
                ("received", &received.value().normalize()),
                ("arriving", &arriving.value().normalize()),
            ],
        ),
    })
}

pub fn status_label(status: PoStatus) -> &'static str {
    use crate::i18n::t;
    match status {
        PoStatus::Draft => t("po.draft"),
        PoStatus::Sent => t("po.sent"),
        PoStatus::PartlyReceived => t("po.partly_received"),
        PoStatus::Received => t("po.received"),
        PoStatus::Cancelled => t("po.cancelled"),
    }
}

fn next_code(conn: &rusqlite::Connection) -> Result<String> {
    loop {
        let code = format!("PO{:06}", crate::db::meta::take_next(conn, "po_code")?);
        if repo::po(conn, &code)?.is_none() {
            return Ok(code);
        }
    }
}

/// Turns one supplier's suggestions for one warehouse into a draft purchase order.
pub fn draft_from_plan(session: &mut Session, rows: &[PlanRow]) -> Result<PurchaseOrder> {
    let Some(first) = rows.first() else { return Err(Error::Refused(crate::i18n::t("po.nothing").to_string())) };
    let supplier = products::supplier_by_code(session.db.conn(), &first.supplier)?
        .ok_or_else(|| Error::Refused(tf("po.no_supplier", &[("sku", &first.sku)])))?;
    let lines: Vec<(i64, Quantity, Price)> = rows
        .iter()
        .filter(|r| r.supplier == first.supplier && r.warehouse_id == first.warehouse_id)
        .filter_map(|r| r.figures.suggested.map(|q| (r.product_id, q, r.unit_cost)))
        .collect();
    let code = session.write(|tx, ctx| {
        let code = next_code(tx)?;
        let po = NewPo {
            code: &code,
            supplier_id: supplier.id,
            warehouse_id: first.warehouse_id,
            status: PoStatus::Draft,
            expected: "",
            note: "",
            at: &ctx.now,
            by: &ctx.operator.name,
        };
        let id = repo::insert_po(tx, &po)?;
        for (n, (product, quantity, cost)) in lines.iter().enumerate() {
            repo::insert_line(tx, id, n as i64 + 1, *product, *quantity, Quantity::ZERO, *cost)?;
        }
        ctx.audit(tx, "draft-po", "purchase_order", Some(id), format!("{code} {} lines", lines.len()))?;
        Ok(code)
    })?;
    get(session, &code).map(|(po, _)| po)
}

pub fn get(session: &Session, code: &str) -> Result<(PurchaseOrder, Vec<PurchaseLine>)> {
    let conn = session.db.conn();
    let po = repo::po(conn, code)?.ok_or_else(|| Error::NotFound { what: code.to_string() })?;
    let lines = repo::lines(conn, po.id)?;
    Ok((po, lines))
}

pub fn list(session: &Session, include_closed: bool, limit: usize) -> Result<Vec<PurchaseOrder>> {
    repo::list(session.db.conn(), include_closed, limit)
}

/// The value of an order's lines at their unit costs.
pub fn value(lines: &[PurchaseLine]) -> Money {
    lines.iter().fold(Money::ZERO, |sum, l| sum + l.unit_cost.times(l.quantity))
}

/// Sends a draft: its lines now count as incoming stock at its warehouse.
/// The order as it is now, inside the write: another session may have sent, received or
/// cancelled it since it was read for the screen.
fn current(tx: &rusqlite::Connection, po: &PurchaseOrder) -> Result<PurchaseOrder> {
    repo::po(tx, &po.code)?.ok_or_else(|| Error::NotFound { what: po.code.clone() })
}

pub fn send(session: &mut Session, po: &PurchaseOrder) -> Result<()> {
    session.write(|tx, ctx| {
        let po = &current(tx, po)?;
        po.status.check_send().map_err(|why| refused(po, why))?;
        let lines = repo::lines(tx, po.id)?;
        if lines.is_empty() {
            return Err(Error::Refused(tf("po.empty", &[("code", &po.code)])));
        }
        repo::set_status(tx, po, PoStatus::Sent, &ctx.now)?;
        for line in &lines {
            ledger_repo::add_incoming(tx, line.product_id, po.warehouse_id, line.remaining())?;
        }
        ctx.audit(tx, "send-po", "purchase_order", Some(po.id), po.code.clone())
    })
}

/// Cancels an order; what it still expected is no longer incoming.
pub fn cancel(session: &mut Session, po: &PurchaseOrder, reason: &str) -> Result<()> {
    session.write(|tx, ctx| {
        let po = &current(tx, po)?;
        po.status.check_cancel().map_err(|why| refused(po, why))?;
        if po.status.is_open() {
            for line in repo::lines(tx, po.id)? {
                ledger_repo::add_incoming(tx, line.product_id, po.warehouse_id, Quantity::ZERO - line.remaining())?;
            }
        }
        repo::set_status(tx, po, PoStatus::Cancelled, &ctx.now)?;
        ctx.audit(tx, "cancel-po", "purchase_order", Some(po.id), format!("{} {reason}", po.code))
    })
}

/// Changes a draft line's quantity (zero removes it).
pub fn set_line_quantity(session: &mut Session, po: &PurchaseOrder, line: i64, quantity: Quantity) -> Result<()> {
    session.write(|tx, ctx| {
        let po = &current(tx, po)?;
        po.status.check_send().map_err(|why| refused(po, why))?;
        repo::set_line_quantity(tx, po.id, line, quantity)?;
        ctx.audit(tx, "change-po", "purchase_order", Some(po.id), format!("{} line {line} {quantity}", po.code))
    })
}

/// Receives goods against an order: each line of the delivery must be on the order and
/// not exceed what it still expects. Receipt moves, received quantities, incoming stock
/// and the order's status change in one transaction. Returns the new status.
pub fn receive(session: &mut Session, po: &PurchaseOrder, delivery: &[ReceiptLine]) -> Result<PoStatus> {
    let warehouse = products::warehouse(session.db.conn(), po.warehouse_id)?
        .ok_or_else(|| Error::NotFound { what: po.warehouse.clone() })?;
    session.write(|tx, ctx| {
        // Another clerk may have received part of it meanwhile: what is still expected is
        // read here, inside the write, not taken from the screen.
        let po = &current(tx, po)?;
        po.status.check_receive().map_err(|why| refused(po, why))?;
        receive_in(tx, ctx, po, &warehouse, delivery)
    })
}

fn receive_in(
    tx: &rusqlite::Connection,
    ctx: &WriteCtx<'_>,
    po: &PurchaseOrder,
    warehouse: &Warehouse,
    delivery: &[ReceiptLine],
) -> Result<PoStatus> {
    let mut lines = repo::lines(tx, po.id)?;
    for arriving in delivery {
        let Some(line) = lines.iter_mut().find(|l| l.product_id == arriving.product.id) else {
            return Err(Error::Refused(tf(
                "po.not_on_order",
                &[("sku", &arriving.product.data.sku), ("code", &po.code)],
            )));
        };
        check_arrival(line.quantity, line.received, arriving.quantity).map_err(|_| {
            let why = PoRefused::OverReceiptOf {
                sku: line.sku.clone(),
                ordered: line.quantity,
                received: line.received,
                arriving: arriving.quantity,
            };
            refused(po, why)
        })?;
        let input = MoveInput {
            product: arriving.product.clone(),
            warehouse: warehouse.clone(),
            quantity: arriving.quantity,
            unit_cost: Some(line.unit_cost),
            lot: arriving.lot.clone(),
            expiry: arriving.expiry,
            reference: po.code.clone(),
            note: String::new(),
        };
        put_in(tx, ctx, MoveKind::Receipt, &input)?;
        audit_move(tx, ctx, MoveKind::Receipt, &input)?;
        repo::add_received(tx, po.id, line.line, arriving.quantity)?;
        ledger_repo::add_incoming(tx, line.product_id, po.warehouse_id, Quantity::ZERO - arriving.quantity)?;
        line.received = line.received + arriving.quantity;
    }
    let status = PoStatus::after_receipt(&lines.iter().map(|l| (l.quantity, l.received)).collect::<Vec<_>>());
    repo::set_status(tx, po, status, &ctx.now)?;
    Ok(status)
}

/// What an order still expects, as delivery lines (for products without lots, which need
/// nothing more to be received).
pub fn remaining_delivery(session: &Session, po: &PurchaseOrder) -> Result<Vec<ReceiptLine>> {
    let mut out = Vec::new();
    for line in repo::lines(session.db.conn(), po.id)? {
        if line.remaining().is_zero() || line.tracks_lots {
            continue;
        }
        let product: Product = products::product(session.db.conn(), line.product_id)?
            .ok_or_else(|| Error::NotFound { what: line.sku.clone() })?;
        out.push(ReceiptLine { product, quantity: line.remaining(), lot: String::new(), expiry: None });
    }
    Ok(out)
}

pub const PO_COLUMNS: &[&str] =
    &["code", "supplier", "warehouse", "status", "expected", "created", "sku", "quantity", "received", "unit_cost"];

/// Every purchase order line, with its order's fields repeated on each line.
pub fn export(session: &Session, out: impl Write) -> Result<usize> {
    let conn = session.db.conn();
    let mut writer = super::csv_io::SafeWriter::new(out);
    writer.row(PO_COLUMNS.iter().copied())?;
    let mut n = 0;
    repo::for_each_po(conn, |po| {
        for line in repo::lines(conn, po.id)? {
            n += 1;
            writer.row([
                po.code.as_str(),
                &po.supplier,
                &po.warehouse,
                po.status.as_str(),
                &po.expected,
                &po.created_at,
                &line.sku,
                &line.quantity.to_string(),
                &line.received.to_string(),
                &line.unit_cost.to_string(),
            ])?;
        }
        Ok(())
    })?;
    writer.finish()?;
    Ok(n)
}

/// One order as a file describes it, lines in file order.
struct ImportedPo {
    line: u64,
    supplier_id: i64,
    warehouse_id: i64,
    status: PoStatus,
    expected: String,
    created: String,
    /// The file gave `created`: an empty cell is now for a new order, and is not compared
    /// with a stored one (the same file imported again would differ by the clock).
    created_given: bool,
    lines: Vec<(i64, Quantity, Quantity, Price)>,
    /// Per line: the file gave its unit cost. An empty one is today's supplier price,
    /// which a stored order need not have: it is not compared.
    costs_given: Vec<bool>,
}

/// Imports purchase orders (history from another system, or orders drafted elsewhere):
/// new orders are created as the file says, with what open ones still expect counted as
/// incoming; an order that exists must be exactly as stored (an order's lines and receipts
/// are changed by the use cases, not by a file). Received quantities are taken as history:
/// they create no stock moves. All or nothing, every problem named by line and column.
pub fn import(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<super::customers::ImportReport> {
    import_input(session, &super::sales_history::Input::from_bytes(bytes), dry_run)
}

/// `import` reading the file a record at a time: memory holds the orders' lines as numbers,
/// not the file.
pub fn import_input(
    session: &mut Session,
    input: &super::sales_history::Input,
    dry_run: bool,
) -> Result<super::customers::ImportReport> {
    use super::csv_io::Errors;
    use crate::domain::fields::{Problem, parse_date};
    use crate::error::describe_problem;
    let required = ["code", "supplier", "warehouse", "sku", "quantity"];
    let (mut stream, positions) = super::csv_stream::CsvStream::open_table(input.open()?, PO_COLUMNS, &required)?;
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<super::customers::ImportReport> {
        let mut errors = Errors::default();
        let mut orders: Vec<(String, ImportedPo)> = Vec::new();
        // Each code's place in `orders`: not a search of the list per line.
        let mut order_at: HashMap<String, usize> = HashMap::new();
        while let Some(line) = stream.next_record(&mut errors)? {
            let record = &stream.record(line);
            let cell = |c: &str| {
                PO_COLUMNS.iter().position(|k| *k == c).and_then(|i| record.cell(&positions, i)).unwrap_or("").trim()
            };
            let mut problem =
                |column: &str, p: Problem| errors.push(record.line, column, cell(column), describe_problem(&p));
            let code = cell("code").to_string();
            if !crate::domain::customer::valid_code(&code) {
                problem("code", Problem::InvalidCode);
            }
            let supplier = products::supplier_by_code(tx, cell("supplier"))?;
            if supplier.is_none() {
                problem("supplier", Problem::UnknownSupplier);
            }
            let warehouse = products::warehouse_by_code(tx, cell("warehouse"))?;
            if warehouse.is_none() {
                problem("warehouse", Problem::UnknownWarehouse);
            }
            let status = if cell("status").is_empty() { Ok(PoStatus::Draft) } else { PoStatus::parse(cell("status")) };
            let status = status.unwrap_or_else(|p| {
                problem("status", p);
                PoStatus::Draft
            });
            let expected = parse_date(cell("expected")).map(|d| d.map(|d| d.to_string()).unwrap_or_default());
            let expected = expected.unwrap_or_else(|p| {
                problem("expected", p);
                String::new()
            });
            let created = match cell("created") {
                "" => ctx.now.clone(),
                text => super::customers::parse_time_cell(text).unwrap_or_else(|| {
                    errors.push(record.line, "created", text, crate::i18n::t("csv.bad_time").to_string());
                    ctx.now.clone()
                }),
            };
            let mut problem =
                |column: &str, p: Problem| errors.push(record.line, column, cell(column), describe_problem(&p));
            let product = products::product_by_sku(tx, cell("sku"))?;
            if product.is_none() {
                problem("sku", Problem::UnknownProduct);
            }
            let quantity = crate::domain::stock::positive_quantity(cell("quantity")).unwrap_or_else(|p| {
                problem("quantity", p);
                Quantity::ZERO
            });
            let received = crate::domain::stock::stock_quantity(cell("received")).unwrap_or_else(|p| {
                problem("received", p);
                Quantity::ZERO
            });
            if received > quantity && !quantity.is_zero() {
                problem("received", Problem::OutOfRange { min: 0, max: quantity.to_minor().ok().map(|q| q / 1000) });
            }
            // Goods counted in pieces are ordered and received whole, as on the screens.
            if let Some(p) = &product {
                for (column, q) in [("quantity", quantity), ("received", received)] {
                    if let Err(whole) = crate::domain::stock::fits_unit(&p.data.unit, q) {
                        problem(column, whole);
                    }
                }
            }
            let cost = match cell("unit_cost") {
                "" => product.as_ref().map(|p| p.data.supplier_price).unwrap_or_default(),
                text => match Price::parse(text) {
                    Ok(p) if !p.value().is_sign_negative() => p,
                    Ok(_) => {
                        problem("unit_cost", Problem::OutOfRange { min: 0, max: None });
                        Price::ZERO
                    }
                    Err(e) => {
                        problem("unit_cost", Problem::InvalidAmount(e));
                        Price::ZERO
                    }
                },
            };
            let (Some(supplier), Some(warehouse), Some(product)) = (supplier, warehouse, product) else { continue };
            let line = (product.id, quantity, received, cost);
            match order_at.get(&code.to_ascii_lowercase()).and_then(|at| orders.get_mut(*at)) {
                Some((_, po)) => {
                    let same = (po.supplier_id, po.warehouse_id, po.status, &po.expected, &po.created)
                        == (supplier.id, warehouse.id, status, &expected, &created);
                    if !same {
                        let text = crate::i18n::tf("po.import_header_differs", &[("line", &po.line)]);
                        errors.push(record.line, "code", &code, text);
                    }
                    po.lines.push(line);
                    po.costs_given.push(!cell("unit_cost").is_empty());
                }
                None => {
                    order_at.insert(code.to_ascii_lowercase(), orders.len());
                    orders.push((
                        code,
                        ImportedPo {
                            line: record.line,
                            supplier_id: supplier.id,
                            warehouse_id: warehouse.id,
                            status,
                            expected,
                            created,
                            created_given: !cell("created").is_empty(),
                            lines: vec![line],
                            costs_given: vec![!cell("unit_cost").is_empty()],
                        },
                    ))
                }
            }
        }
        // An order's lines must agree with its status, and name each product once (a
        // delivery is matched to the order by product).
        for (code, po) in &orders {
            let received: Vec<bool> = po.lines.iter().map(|(_, q, r, _)| !r.is_zero() && r >= q).collect();
            let started = po.lines.iter().any(|(_, _, r, _)| !r.is_zero());
            let fits = match po.status {
                PoStatus::Draft | PoStatus::Sent => !started,
                PoStatus::PartlyReceived => started && !received.iter().all(|r| *r),
                PoStatus::Received => received.iter().all(|r| *r),
                PoStatus::Cancelled => true,
            };
            if !fits {
                let text = crate::i18n::tf("po.import_status", &[("code", code), ("status", &status_label(po.status))]);
                errors.push(po.line, "status", status_label(po.status), text);
            }
            for (i, (product, ..)) in po.lines.iter().enumerate() {
                if po.lines[..i].iter().any(|(p, ..)| p == product) {
                    errors.push(po.line, "sku", code, crate::i18n::tf("po.import_twice", &[("code", code)]));
                }
            }
        }
        std::mem::take(&mut errors).into_result()?;
        let mut report = super::customers::ImportReport { dry_run, ..Default::default() };
        for (code, po) in &orders {
            if let Some(stored) = repo::po(tx, code)? {
                let lines: Vec<(i64, Quantity, Quantity, Price)> = repo::lines(tx, stored.id)?
                    .into_iter()
                    .map(|l| (l.product_id, l.quantity, l.received, l.unit_cost))
                    .collect();
                let same = (stored.supplier_id, stored.warehouse_id, stored.status, &stored.expected)
                    == (po.supplier_id, po.warehouse_id, po.status, &po.expected)
                    && (!po.created_given || stored.created_at == po.created)
                    && lines.len() == po.lines.len()
                    && lines.iter().zip(&po.lines).zip(&po.costs_given).all(|((s, given), cost_given)| {
                        (s.0, s.1, s.2) == (given.0, given.1, given.2) && (!cost_given || s.3 == given.3)
                    });
                if same {
                    report.unchanged += 1;
                } else {
                    let text = crate::i18n::tf("po.import_differs", &[("code", code)]);
                    errors.push(po.line, "code", code, text);
                }
                continue;
            }
            let new = NewPo {
                code,
                supplier_id: po.supplier_id,
                warehouse_id: po.warehouse_id,
                status: po.status,
                expected: &po.expected,
                note: "",
                at: &po.created,
                by: &ctx.operator.name,
            };
            let id = repo::insert_po(tx, &new)?;
            for (n, (product, quantity, received, cost)) in po.lines.iter().enumerate() {
                repo::insert_line(tx, id, n as i64 + 1, *product, *quantity, *received, *cost)?;
                if po.status.is_open() {
                    ledger_repo::add_incoming(tx, *product, po.warehouse_id, *quantity - *received)?;
                }
            }
            // Codes made here later must not collide with imported ones.
            if let Some(number) = code.strip_prefix("PO").and_then(|n| n.parse::<i64>().ok()) {
                crate::db::meta::raise_past(tx, "po_code", number)?;
            }
            report.created += 1;
        }
        super::csv_io::finish_import(tx, ctx, errors, report, "purchase_order")
    };
    session.write_or_rehearse(dry_run, work)
}

#[cfg(test)]
mod tests;

//! Synthetic stock: suppliers, products in categories with barcodes, a second warehouse,
//! and a history of receipts, sales shipments, transfers and adjustments. The demo gets a
//! few hundred products with lots near expiry and items below their reorder point; `gen`
//! the same shape at any size. Moves go through the same repository (and triggers) as the
//! use cases, and never take stock below zero where it is not allowed.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::Session;
use super::synth::Rng;
use crate::db::ledger::{self, NewMove};
use crate::db::products as repo;
use crate::domain::money::{Price, Quantity};
use crate::domain::stock::{MoveKind, ProductData, SupplierData, WarehouseData};
use crate::error::Result;

/// Category, unit, lot-tracked, and the items sold in it.
const CATALOGUE: &[(&str, &str, bool, &[&str])] = &[
    (
        "Food/Dairy",
        "pcs",
        true,
        &["Milk 1 l", "Yoghurt 500 g", "Butter 250 g", "Gouda 48+", "Cream 200 ml", "豆浆 1 l"],
    ),
    ("Food/Grain", "kg", false, &["Rice", "Oats", "Flour", "Couscous", "大米", "Lentils"]),
    ("Food/Drinks", "pcs", true, &["Green tea 绿茶", "Coffee beans", "Orange juice", "Sparkling water", "Cola 0.5 l"]),
    ("Hardware/Bolts", "pcs", false, &["Bolt M6", "Bolt M8", "Bolt M10", "Nut M8", "Washer M8", "Wall plug 8 mm"]),
    ("Hardware/Tools", "pcs", false, &["Hammer", "Screwdriver set", "Tape measure 5 m", "Pliers", "Hex key set"]),
    ("Household/Cleaning", "pcs", false, &["Dish soap", "Sponges 10x", "Glass cleaner", "洗衣液 2 l", "Bin bags"]),
    ("Household/Paper", "box", false, &["Kitchen roll", "Tissues", "Toilet paper 8x", "Napkins 100x"]),
    ("Office", "pcs", false, &["Printer paper A4", "Ballpoint pens 10x", "Stapler", "Sticky notes", "Folders"]),
    ("Garden", "kg", false, &["Potting soil", "Lawn seed", "Fertiliser", "Bark mulch"]),
];

/// What tells one item from its neighbours on the shelf.
const VARIANTS: &[&str] = &[
    "",
    "",
    "Basic",
    "Premium",
    "Eco",
    "Family pack",
    "Mini",
    "XL",
    "Organic",
    "Bulk",
    "Value",
    "Classic",
    "Pro",
    "Blue",
    "Red",
    "2-pack",
    "精选",
];

const SUPPLIERS: &[(&str, &str)] = &[
    ("ACME", "Acme Wholesale"),
    ("NORDIC", "Nordic Foods AB"),
    ("DAIRY", "Valley Dairy Co-op"),
    ("HUAXIN", "华新贸易"),
    ("TOOLS", "Toolmaster GmbH"),
    ("PAPER", "Papeterie Dubois"),
    ("GREEN", "Greenfields Garden"),
    ("CLEAN", "Sparkle Supplies"),
];

/// Stock per lot (`None` without lots) in thousandths, oldest lot first.
type LotQuantities = Vec<(Option<i64>, i64)>;

/// An EAN-13 in the in-store range (prefix 20) with its check digit.
fn ean13(n: u64) -> String {
    let body = format!("20{:010}", n % 10_000_000_000);
    let sum: u32 = body.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// Adds suppliers, a second warehouse, `products` products and about `moves` moves of
/// history ending `today`. Returns the number of moves written.
pub fn generate_stock(session: &mut Session, products: usize, moves: usize, seed: u64) -> Result<usize> {
    let today = session.clock.today();
    let mut rng = Rng::new(seed ^ 0x0057_00C4);
    session.write(|tx, ctx| {
        let mut supplier_ids = Vec::new();
        for (i, (code, name)) in SUPPLIERS.iter().enumerate() {
            let id = match repo::supplier_by_code(tx, code)? {
                Some(s) => s.id,
                None => repo::insert_supplier(
                    tx,
                    &SupplierData {
                        code: code.to_string(),
                        name: name.to_string(),
                        lead_days: 2 + (i as i64 * 3) % 12,
                        payment_days: 30,
                        ..Default::default()
                    },
                )?,
            };
            supplier_ids.push((id, code.to_string()));
        }
        if repo::warehouse_by_code(tx, "SHOP")?.is_none() {
            let data = WarehouseData { code: "SHOP".into(), name: "Shop floor".into(), ..Default::default() };
            repo::insert_warehouse(tx, &data)?;
        }
        if products > 5_000 && repo::warehouse_by_code(tx, "WEST")?.is_none() {
            let data = WarehouseData { code: "WEST".into(), name: "West depot".into(), ..Default::default() };
            repo::insert_warehouse(tx, &data)?;
        }
        let warehouses: Vec<i64> = repo::warehouses(tx)?.into_iter().map(|w| w.id).collect();
        let start = tx.query_row("SELECT coalesce(max(id), 0) FROM products", [], |r| r.get::<_, i64>(0))?;

        struct Made {
            id: i64,
            lots: bool,
            cost: Price,
            weekly: i64,
        }
        let mut made = Vec::with_capacity(products);
        for n in 0..products {
            let group = rng.below(CATALOGUE.len());
            let (category, unit, lots, items) = CATALOGUE[group];
            let item = items[rng.below(items.len())];
            let number = start + n as i64 + 1;
            let cost_cents = 20 + rng.below(4_000) as i64;
            let cost = Price::from_minor(cost_cents * 100);
            // Marked up 30-100 % and ending in 9 cents, as shelf prices do.
            let sale_cents = (cost_cents * (130 + rng.below(70) as i64) / 100) / 10 * 10 + 9;
            let sale = Price::from_minor(sale_cents * 100);
            let weekly = 1 + rng.below(40) as i64;
            // Each category has its usual supplier, and a second one for some items.
            let (supplier_id, supplier_code) = &supplier_ids[(group + rng.below(4) / 3) % supplier_ids.len()];
            let data = ProductData {
                sku: format!("{}-{number:05}", &category[..2].to_ascii_uppercase()),
                name: match VARIANTS[rng.below(VARIANTS.len())] {
                    "" => item.to_string(),
                    variant => format!("{item} {variant}"),
                },
                category: category.to_string(),
                unit: unit.to_string(),
                sale_price: sale,
                cost_price: cost,
                tax_rate: if category.starts_with("Food") { 7.into() } else { 19.into() },
                reorder_point: Quantity::from_minor(weekly * 2 * 1000),
                reorder_qty: Quantity::from_minor(weekly * 6 * 1000),
                lead_days: 2 + rng.below(10) as i64,
                supplier: supplier_code.clone(),
                supplier_sku: format!("{supplier_code}-{}", 1000 + number),
                supplier_price: cost,
                tracks_lots: lots,
                allow_negative: false,
                barcodes: vec![ean13(number as u64)],
            };
            let id = repo::insert_product(tx, &data, Some(*supplier_id), &ctx.now)?;
            made.push(Made { id, lots, cost, weekly });
        }
        if made.is_empty() {
            return Ok(0);
        }

        // History: receipts then sales over the last 120 days, oldest first.
        // Per product and warehouse, stock per lot (`None` without lots), oldest first.
        let mut lots_of: HashMap<(i64, i64), LotQuantities> = HashMap::new();
        let mut written = 0;
        let days = 120;
        let per_day = (moves / days).max(1);
        for day in (0..days).rev() {
            let date = today - Duration::days(day as i64);
            // Today's history lies in the small hours, before anyone opens the demo.
            let hour = if day == 0 { 0 } else { 8 + day % 9 };
            let at = format!("{date}T{hour:02}:{:02}:00Z", day % 60);
            for _ in 0..per_day {
                if written >= moves {
                    break;
                }
                let p = &made[rng.below(made.len())];
                let warehouse = warehouses[if rng.below(3) == 0 { rng.below(warehouses.len()) } else { 0 }];
                // Keep stock flowing: receive when low, otherwise mostly sell. Sales of lot
                // products take the oldest lot first, as FEFO would.
                let have: i64 = lots_of.get(&(p.id, warehouse)).map(|l| l.iter().map(|(_, q)| q).sum()).unwrap_or(0);
                let (kind, quantity, lot) = if have < p.weekly * 2000 {
                    let lot = if p.lots { Some(lot_for(tx, p.id, date, &mut rng)?) } else { None };
                    (MoveKind::Receipt, p.weekly * (3 + rng.below(3) as i64) * 1000, lot)
                } else {
                    let Some(&(lot, in_lot)) = lots_of.get(&(p.id, warehouse)).and_then(|l| l.first()) else {
                        continue;
                    };
                    let kind = if rng.below(25) == 0 { MoveKind::Adjustment } else { MoveKind::Shipment };
                    let wanted =
                        if kind == MoveKind::Adjustment { 1 + rng.below(2) } else { 1 + rng.below(p.weekly as usize) };
                    (kind, -((wanted as i64) * 1000).min(in_lot), lot)
                };
                if quantity == 0 {
                    continue;
                }
                ledger::insert_move(
                    tx,
                    &NewMove {
                        at: &at,
                        user: &ctx.operator.name,
                        kind,
                        product_id: p.id,
                        warehouse_id: warehouse,
                        lot_id: lot,
                        quantity: Quantity::from_minor(quantity),
                        unit_cost: p.cost,
                        reference: "",
                        note: if kind == MoveKind::Adjustment { "Damaged in store" } else { "" },
                    },
                )?;
                let lots = lots_of.entry((p.id, warehouse)).or_default();
                match lots.iter_mut().find(|(l, _)| *l == lot) {
                    Some(entry) => entry.1 += quantity,
                    None => lots.push((lot, quantity)),
                }
                lots.retain(|(_, q)| *q > 0);
                written += 1;
            }
        }
        // A few products sold down below their reorder point, as every real shop has.
        for p in made.iter().step_by(9) {
            let have: i64 = lots_of.get(&(p.id, warehouses[0])).map(|l| l.iter().map(|(_, q)| q).sum()).unwrap_or(0);
            if !p.lots && have > 1000 {
                ledger::insert_move(
                    tx,
                    &NewMove {
                        at: &format!("{today}T00:45:00Z"),
                        user: &ctx.operator.name,
                        kind: MoveKind::Shipment,
                        product_id: p.id,
                        warehouse_id: warehouses[0],
                        lot_id: None,
                        quantity: Quantity::from_minor(-(have - 1000)),
                        unit_cost: p.cost,
                        reference: "",
                        note: "",
                    },
                )?;
                written += 1;
            }
        }
        // Products never stocked in a side warehouse are not reordered for it.
        for p in &made {
            for w in &warehouses[1..] {
                if !lots_of.contains_key(&(p.id, *w)) {
                    ledger::override_reorder(tx, p.id, *w, Some((Quantity::ZERO, Quantity::ZERO)))?;
                }
            }
        }
        // Lots that expired over a week ago were written off, as a shop does; the rest stay
        // for the expiry screen to show.
        let week_ago = (today - Duration::days(7)).to_string();
        let expired = ledger::expiring(tx, &week_ago, usize::MAX)?;
        super::ledger::write_off(tx, &format!("{today}T00:30:00Z"), &ctx.operator.name, &expired)?;
        written += expired.len();
        ctx.audit(tx, "generate", "stock", None, format!("{products} products, {written} moves"))?;
        Ok(written)
    })
}

/// The lot a receipt on `date` goes to: one per product and week, expiring 2 to 10 weeks
/// later, so some are near expiry or past it today.
fn lot_for(tx: &rusqlite::Connection, product: i64, date: NaiveDate, rng: &mut Rng) -> Result<i64> {
    let code = format!("L{}", date.format("%G%V"));
    let expiry = match ledger::lot_expiry(tx, product, &code)? {
        Some(stored) => stored,
        None => (date + Duration::days(14 + rng.below(56) as i64)).to_string(),
    };
    ledger::lot(tx, product, &code, &expiry)?.map_err(crate::error::Error::Refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barcodes_carry_a_valid_check_digit() {
        // 2000000000015: the check digit of 200000000001 is 5.
        assert_eq!(ean13(1), "2000000000015");
        assert_eq!(ean13(42).len(), 13);
    }

    #[test]
    fn generated_stock_agrees_with_its_ledger() {
        let (mut s, _) = crate::ops::testing::shop();
        let moves = generate_stock(&mut s, 60, 2_000, 7).unwrap();
        assert!(moves > 1_000, "{moves}");
        assert!(crate::ops::ledger::check(&s).unwrap().is_empty());
        assert!(crate::ops::ledger::low_stock_count(&s).unwrap() > 0);
    }
}

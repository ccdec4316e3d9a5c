//! Synthetic orders: two years of history (closed, delivered and a few cancelled orders)
//! written straight through the repository, and for the demo a handful of recent orders
//! in every open state made through the real use cases, so reservations, shipments and
//! stock moves are exactly what the program itself would have written.
//!
//! History does not move today's stock: its lines count as shipped, as an imported sales
//! history would. The demo's history carries delivered shipments; `gen` at benchmark size
//! leaves them out (3M shipment lines would triple its run time and no screen lists them).

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;

use super::Session;
use super::order_entry::OrderDraft;
use super::synth::Rng;
use crate::db::orders::{self as repo, Header, NewLine};
use crate::domain::money::Quantity;
use crate::domain::order::{OrderStatus, Pricing, totals};
use crate::error::Result;

struct Item {
    id: i64,
    price: crate::domain::money::Price,
    tax: Decimal,
    weighed: bool,
}

/// Writes `count` historical orders over the two years before `today`, oldest first;
/// with `shipments`, each delivered order has its delivered shipment. Returns the lines.
pub fn generate_history(session: &mut Session, count: usize, seed: u64, shipments: bool) -> Result<usize> {
    let today = session.clock.today();
    let mut rng = Rng::new(seed ^ 0x0_5A1E5);
    session.write(|tx, ctx| {
        let customers: Vec<(i64, String, String, String)> = {
            let mut stmt = tx.prepare(
                "SELECT id, salesperson, region, address || ', ' || city FROM customers WHERE archived_at IS NULL",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let items: Vec<Item> = {
            let mut stmt =
                tx.prepare("SELECT id, sale_price, tax_rate_bp, unit FROM products WHERE archived_at IS NULL")?;
            stmt.query_map([], |r| {
                Ok(Item {
                    id: r.get(0)?,
                    price: crate::domain::money::Price::from_minor(r.get(1)?),
                    tax: Decimal::new(r.get(2)?, 2),
                    weighed: matches!(r.get::<_, String>(3)?.as_str(), "kg" | "g" | "l" | "m"),
                })
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        let Some(warehouse) = crate::db::products::warehouses(tx)?.into_iter().find(|w| w.data.is_default) else {
            return Ok(0);
        };
        if customers.is_empty() || items.is_empty() {
            return Ok(0);
        }
        let start = crate::db::meta::peek_next(tx, "order")?;
        let mut lines_written = 0;
        let days = 730i64;
        for n in 0..count {
            // Oldest first, ending three weeks ago: the weeks since belong to open orders.
            let day = days - (n as i64 * (days - 21)) / count.max(1) as i64;
            let date = today - Duration::days(day);
            let at = format!("{date}T{:02}:{:02}:00Z", 8 + rng.below(9), rng.below(60));
            let (customer, salesperson, region, address) = &customers[rng.below(customers.len())];
            let number = format!("SO-{:06}", start + n as i64);
            let header = Header {
                customer_id: *customer,
                warehouse_id: warehouse.id,
                order_date: date.to_string(),
                ship_by: (date + Duration::days(3)).to_string(),
                salesperson: salesperson.clone(),
                region: region.clone(),
                address: address.trim_matches(|c| c == ',' || c == ' ').to_string(),
                note: String::new(),
            };
            let id = repo::insert_order(tx, &number, &header, false, &at, salesperson)?;
            let line_count = 1 + rng.below(5);
            let mut amounts = Vec::with_capacity(line_count);
            let mut lines = Vec::with_capacity(line_count);
            for line in 0..line_count {
                let item = &items[rng.below(items.len())];
                let units = 1 + rng.below(6) as i64;
                let quantity = Quantity::from_minor(if item.weighed {
                    units * 500 + rng.below(2) as i64 * 250
                } else {
                    units * 1000
                });
                let discount = Decimal::from([0, 0, 0, 5, 10][rng.below(5)]);
                let pricing = Pricing { quantity, unit_price: item.price, discount, tax_rate: item.tax };
                let amount = pricing.amount();
                amounts.push((amount, item.tax));
                let new = NewLine {
                    product_id: item.id,
                    quantity,
                    unit_price: item.price,
                    discount,
                    tax_rate: item.tax,
                    amount,
                };
                repo::insert_line(tx, id, line as i64 + 1, &new)?;
                lines.push((line as i64 + 1, item.id, quantity));
            }
            lines_written += line_count;
            let t = totals(&amounts, false).unwrap_or_default();
            repo::set_totals(tx, id, t.net, t.tax, t.gross)?;
            let created = super::orders::msg("order.ev_created", &[("lines", &line_count)]);
            repo::add_event(tx, id, &at, salesperson, "edit", &created)?;
            let cancelled = rng.below(40) == 0;
            let status = if cancelled {
                OrderStatus::Cancelled
            } else if day < 45 {
                OrderStatus::Delivered
            } else {
                OrderStatus::Closed
            };
            if cancelled {
                repo::set_status(tx, id, 1, status, "customer changed their mind", &at)?;
                repo::add_event(tx, id, &at, salesperson, "cancel", "customer changed their mind")?;
                continue;
            }
            repo::add_event(tx, id, &at, salesperson, "confirm", &super::orders::msg("order.ev_confirmed", &[]))?;
            let sent = format!("{}T15:00:00Z", date + Duration::days(1));
            let arrived = (date + Duration::days(2 + rng.below(3) as i64)).to_string();
            let delivered = if shipments {
                let shipment = format!("SH-{:06}", crate::db::meta::take_next(tx, "shipment")?);
                let sid = repo::insert_shipment(tx, &shipment, id, warehouse.id, &at)?;
                for (line, product, quantity) in &lines {
                    repo::hold(tx, sid, *line, *product, *quantity)?;
                }
                let tracking = format!("JD{:08}", rng.below(100_000_000));
                repo::set_shipment_status(tx, sid, "shipped", "DHL", &tracking, &sent)?;
                repo::set_shipment_status(tx, sid, "delivered", "", "", &arrived)?;
                let shipped = super::orders::msg(
                    "order.ev_shipped",
                    &[("shipment", &shipment), ("carrier", &"DHL"), ("tracking", &tracking)],
                );
                repo::add_event(tx, id, &sent, &ctx.operator.name, "ship", &shipped)?;
                super::orders::msg("order.ev_delivered", &[("shipment", &shipment), ("date", &arrived)])
            } else {
                tx.prepare_cached("UPDATE order_lines SET shipped = quantity WHERE order_id = ?1")?.execute([id])?;
                super::orders::msg("order.ev_delivered_history", &[("date", &arrived)])
            };
            repo::set_status(tx, id, 1, status, "", &sent)?;
            repo::add_event(tx, id, &arrived, &ctx.operator.name, "deliver", &delivered)?;
        }
        crate::db::meta::raise_past(tx, "order", start + count as i64 - 1)?;
        ctx.audit(tx, "generate", "order", None, format!("{count} orders, {lines_written} lines"))?;
        Ok(lines_written)
    })
}

/// Recent orders in every open state, made by the use cases as a clerk would: drafts, one
/// waiting for approval, confirmed ones to pick (some waiting for stock), part shipped,
/// shipped and delivered.
pub fn generate_recent(session: &mut Session, seed: u64) -> Result<()> {
    let mut rng = Rng::new(seed ^ 0x0_0BE0);
    let customers = crate::db::customers::all_ids(session.db.conn())?;
    let products: Vec<i64> = {
        let mut stmt = session.db.conn().prepare(
            "SELECT p.id FROM products p JOIN stock_levels l ON l.product_id = p.id
             JOIN warehouses w ON w.id = l.warehouse_id AND w.is_default = 1
             WHERE p.archived_at IS NULL AND p.tracks_lots = 0 AND l.on_hand - l.reserved >= 10000 ORDER BY p.id",
        )?;
        stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    if customers.is_empty() || products.len() < 10 {
        return Ok(());
    }
    let plan: &[(&str, usize)] = &[
        ("draft", 3),
        ("approval", 1),
        ("confirmed", 5),
        ("backorder", 2),
        ("partly", 2),
        ("shipped", 3),
        ("delivered", 3),
        ("cancelled", 1),
    ];
    let today: NaiveDate = session.clock.today();
    // The demo shop asks a manager about orders above 1000.00.
    if super::order_entry::shop_settings(session)?.approval_limit.is_zero() {
        crate::db::orders::set_setting(session.db.conn(), "approval_limit", "100000")?;
    }
    let clock = session.clock.clone();
    for (state, count) in plan {
        for _ in 0..*count {
            session.clock = clock.clone();
            // Open orders were placed over the last few days, so some are overdue today.
            let placed = if matches!(*state, "confirmed" | "backorder") { rng.below(6) as i64 } else { 0 };
            if placed > 0 {
                let at = format!("{}T09:{:02}:00Z", today - Duration::days(placed), rng.below(60));
                session.clock = super::Clock::Fixed(at);
            }
            let customer = crate::ops::customers::get(session, customers[rng.below(customers.len())])?;
            let mut draft = OrderDraft::new(session)?;
            draft.set_customer(session, customer)?;
            draft.header.ship_by =
                (today - Duration::days(placed) + Duration::days(1 + rng.below(4) as i64)).to_string();
            for _ in 0..(1 + rng.below(4)) {
                let product = crate::ops::stock::product(session, products[rng.below(products.len())])?;
                draft.add(product, Quantity::from_minor(1000 * (1 + rng.below(3) as i64)));
            }
            if *state == "backorder" || *state == "partly" {
                // More than the shelf holds: part of it waits for the next delivery.
                let product = crate::ops::stock::product(session, products[rng.below(products.len())])?;
                let available =
                    super::order_entry::available(session, product.id, &draft.header.warehouse)?.unwrap_or_default();
                draft.add(product, available + Quantity::from_minor(5000));
            }
            if *state == "approval" {
                let product = crate::ops::stock::product(session, products[rng.below(products.len())])?;
                let price = product.data.sale_price.value().max(rust_decimal::Decimal::ONE);
                let units = (rust_decimal::Decimal::from(1500) / price).ceil();
                draft.add(product, Quantity::round_from(units));
            }
            let order = super::orders::save(session, &draft)?;
            if *state == "draft" {
                continue;
            }
            if *state == "approval" {
                // A clerk confirms a big order: it waits for a manager.
                let role = session.operator.role;
                session.operator.role = crate::domain::user::Role::Clerk;
                let done = super::orders::confirm(session, order.id, order.version);
                session.operator.role = role;
                done?;
                continue;
            }
            let done = super::orders::confirm(session, order.id, order.version)?;
            if *state == "cancelled" {
                super::orders::cancel(session, order.id, done.order.version, "ordered twice by mistake")?;
                continue;
            }
            if matches!(*state, "confirmed" | "backorder") {
                continue;
            }
            let detail = super::orders::detail(session, order.id)?;
            if let Some(shipment) = detail.shipments.iter().find(|s| s.status == "open") {
                let tracking = format!("JD{:08}", rng.below(100_000_000));
                super::orders::ship(session, &shipment.number, "DHL", &tracking)?;
                if *state == "delivered" {
                    super::orders::deliver(session, &shipment.number, today)?;
                }
            }
        }
    }
    session.clock = clock;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_orders_pass_every_check() {
        let (mut s, _) = crate::ops::testing::shop();
        crate::ops::synth::generate(&mut s, 20, 1).unwrap();
        crate::ops::synth_stock::generate_stock(&mut s, 60, 2_000, 1).unwrap();
        let lines = generate_history(&mut s, 50, 1, true).unwrap();
        assert!(lines >= 50);
        generate_recent(&mut s, 1).unwrap();
        let problems = crate::ops::orders::check_all(&s).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert!(crate::ops::ledger::check(&s).unwrap().is_empty());
        let counts: i64 = s.db.conn().query_row("SELECT count(DISTINCT status) FROM orders", [], |r| r.get(0)).unwrap();
        assert!(counts >= 7, "orders in {counts} states");
    }
}

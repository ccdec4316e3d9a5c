//! Stock reports as rows of text, shared by the command line (table, CSV, JSON) and tests:
//! levels, low stock, expiring lots, and the value of stock at cost.

use super::Session;
use super::ledger;
use crate::db::ledger as repo;
use crate::domain::money::Money;
use crate::error::Result;

/// Column names and rows of one report.
pub type Report = (&'static [&'static str], Vec<Vec<String>>);

pub fn levels(session: &Session) -> Result<Report> {
    let columns: &[&str] =
        &["sku", "name", "warehouse", "on_hand", "reserved", "available", "incoming", "reorder_point", "unit"];
    let mut rows = Vec::new();
    repo::for_each_level(session.db.conn(), |sku, name, unit, l| {
        rows.push(vec![
            sku.to_string(),
            name.to_string(),
            l.warehouse.clone(),
            l.on_hand.to_string(),
            l.reserved.to_string(),
            l.available().to_string(),
            l.incoming.to_string(),
            l.reorder_point.to_string(),
            unit.to_string(),
        ]);
        Ok(())
    })?;
    Ok((columns, rows))
}

pub fn low_stock(session: &Session) -> Result<Report> {
    let columns: &[&str] =
        &["sku", "name", "warehouse", "available", "incoming", "reorder_point", "short", "reorder_qty", "supplier"];
    let rows = ledger::low_stock(session, None, usize::MAX)?
        .into_iter()
        .map(|low| {
            let l = &low.level;
            let short = l.reorder_point - l.available() - l.incoming;
            vec![
                low.sku,
                low.name,
                l.warehouse.clone(),
                l.available().to_string(),
                l.incoming.to_string(),
                l.reorder_point.to_string(),
                short.to_string(),
                l.reorder_qty.to_string(),
                low.supplier,
            ]
        })
        .collect();
    Ok((columns, rows))
}

pub fn expiring(session: &Session, days: u32) -> Result<Report> {
    let columns: &[&str] = &["expiry", "days_left", "sku", "name", "warehouse", "lot", "on_hand", "value_at_cost"];
    let today = session.clock.today();
    let rows = ledger::expiring(session, today, days, usize::MAX)?
        .into_iter()
        .map(|e| {
            let left = chrono::NaiveDate::parse_from_str(&e.expiry, "%Y-%m-%d")
                .map(|d| (d - today).num_days().to_string())
                .unwrap_or_default();
            vec![
                e.expiry.clone(),
                left,
                e.sku,
                e.name,
                e.warehouse,
                e.lot,
                e.on_hand.to_string(),
                Money::round_from(e.unit_cost.value() * e.on_hand.value()).to_string(),
            ]
        })
        .collect();
    Ok((columns, rows))
}

/// What to order now and why, supplier by supplier.
pub fn replenishment(session: &Session) -> Result<Report> {
    let columns: &[&str] = &[
        "supplier",
        "warehouse",
        "sku",
        "name",
        "weekly_forecast",
        "season",
        "lead_days",
        "demand_over_lead",
        "safety",
        "reorder_point",
        "reorder_qty",
        "available_and_incoming",
        "suggested",
        "unit_cost",
        "line_value",
    ];
    let rows = super::purchasing::plan(session, None)?
        .into_iter()
        .map(|r| {
            let f = &r.figures;
            let suggested = f.suggested.unwrap_or_default();
            vec![
                r.supplier,
                r.warehouse,
                r.sku,
                r.name,
                f.weekly_forecast.to_string(),
                f.season.to_string(),
                r.lead_days.to_string(),
                f.demand_over_lead.to_string(),
                f.safety.to_string(),
                r.reorder_point.to_string(),
                r.reorder_qty.to_string(),
                f.position.to_string(),
                suggested.to_string(),
                r.unit_cost.to_string(),
                r.unit_cost.times(suggested).to_string(),
            ]
        })
        .collect();
    Ok((columns, rows))
}

/// A product with stock that has not sold for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowMover {
    pub stock: crate::db::ledger::Idle,
    /// Days since it last sold; `None` when it never has.
    pub days_idle: Option<i64>,
    pub value: Money,
    /// How many days the stock lasts at the last 8 weeks' rate of sale; `None` when
    /// nothing sold in them (it would last for ever).
    pub days_of_cover: Option<i64>,
}

/// Days `on_hand` lasts when `sold` went in `days`.
pub fn days_of_cover(
    on_hand: crate::domain::money::Quantity,
    sold: crate::domain::money::Quantity,
    days: i64,
) -> Option<i64> {
    if sold.value() <= rust_decimal::Decimal::ZERO {
        return None;
    }
    let per_day = sold.value() / rust_decimal::Decimal::from(days.max(1));
    i64::try_from((on_hand.value() / per_day).floor()).ok()
}

fn days_since(time: &str, today: chrono::NaiveDate) -> Option<i64> {
    let date = chrono::DateTime::parse_from_rfc3339(time).ok()?.date_naive();
    Some((today - date).num_days())
}

/// Stock not sold for `days` days (or never), the most valuable first.
pub fn slow_movers(session: &Session, days: u32, limit: usize) -> Result<Vec<SlowMover>> {
    let today = session.clock.today();
    // Sold or received on the day N days ago or later: not idle for N days. Times are
    // compared as text, so the cutoff is the day after.
    let cutoff =
        today.checked_sub_days(chrono::Days::new(u64::from(days).saturating_sub(1))).unwrap_or(today).to_string();
    let weeks = super::purchasing::history_weeks(today);
    let first = weeks.first().cloned().unwrap_or_default();
    let last = weeks.last().cloned().unwrap_or_default();
    let conn = session.db.conn();
    repo::idle_stock(conn, &cutoff, limit)?
        .into_iter()
        .map(|stock| {
            let sold =
                crate::db::purchasing::shipped_between(conn, stock.product_id, stock.warehouse_id, &first, &last)?;
            Ok(SlowMover {
                days_idle: stock.last_sold.as_deref().and_then(|t| days_since(t, today)),
                value: Money::round_from(stock.cost.value() * stock.on_hand.value()),
                days_of_cover: days_of_cover(stock.on_hand, sold, 7 * weeks.len() as i64),
                stock,
            })
        })
        .collect()
}

pub fn slow_movers_report(session: &Session, days: u32) -> Result<Report> {
    let columns: &[&str] = &[
        "sku",
        "name",
        "warehouse",
        "on_hand",
        "unit",
        "last_sold",
        "days_without_sale",
        "last_received",
        "days_of_cover",
        "value_at_cost",
    ];
    let rows = slow_movers(session, days, usize::MAX)?
        .into_iter()
        .map(|m| {
            let s = m.stock;
            vec![
                s.sku,
                s.name,
                s.warehouse,
                s.on_hand.to_string(),
                s.unit,
                s.last_sold.unwrap_or_default(),
                m.days_idle.map(|d| d.to_string()).unwrap_or_default(),
                s.last_received.unwrap_or_default(),
                m.days_of_cover.map(|d| d.to_string()).unwrap_or_default(),
                m.value.to_string(),
            ]
        })
        .collect();
    Ok((columns, rows))
}

/// Stock on hand split by how long ago it arrived (oldest out first), with its value.
pub fn ageing(session: &Session) -> Result<Report> {
    let columns: &[&str] = &[
        "sku",
        "name",
        "warehouse",
        "on_hand",
        "days_0_30",
        "days_31_90",
        "days_91_180",
        "over_180_days",
        "value_at_cost",
    ];
    let conn = session.db.conn();
    let today = session.clock.today();
    let mut rows = Vec::new();
    repo::for_each_stocked(conn, |s| {
        let inflows: Vec<(i64, crate::domain::money::Quantity)> =
            repo::inflows_newest_first(conn, s.product_id, s.warehouse_id)?
                .into_iter()
                .map(|(at, units)| (days_since(&at, today).unwrap_or(0), units))
                .collect();
        let buckets = crate::domain::stock::age(s.on_hand, &inflows);
        let mut row = vec![s.sku.clone(), s.name.clone(), s.warehouse.clone(), s.on_hand.to_string()];
        row.extend(buckets.iter().map(ToString::to_string));
        row.push(Money::round_from(s.cost.value() * s.on_hand.value()).to_string());
        rows.push(row);
        Ok(())
    })?;
    Ok((columns, rows))
}

/// Units and value at cost per warehouse, and the total.
pub fn valuation(session: &Session) -> Result<Report> {
    let columns: &[&str] = &["warehouse", "units", "value_at_cost"];
    let per_warehouse = repo::valuation(session.db.conn())?;
    let total = per_warehouse.iter().fold(rust_decimal::Decimal::ZERO, |acc, (_, _, v)| acc + v);
    let mut rows: Vec<Vec<String>> = per_warehouse
        .into_iter()
        .map(|(w, units, value)| vec![w, units.to_string(), Money::round_from(value).to_string()])
        .collect();
    rows.push(vec![crate::i18n::t("stock.total").to_string(), String::new(), Money::round_from(total).to_string()]);
    Ok((columns, rows))
}

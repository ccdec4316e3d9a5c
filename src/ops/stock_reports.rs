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

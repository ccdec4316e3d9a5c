//! Sales forecasts from the kept monthly sales: the shop's total, or each product
//! category, over whole months up to the last one finished.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::Session;
use crate::domain::forecast::{Forecast, forecast};
use crate::domain::money::Money;
use crate::error::Result;

/// What is forecast: the shop's total, each product category, or each of the best-selling
/// products with a year of history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Total,
    Category,
    Product,
}

impl Scope {
    pub fn parse(text: &str) -> Option<Scope> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "total" => Some(Scope::Total),
            "category" => Some(Scope::Category),
            "product" => Some(Scope::Product),
            _ => None,
        }
    }

    /// The next scope on screen (v).
    pub fn next(self) -> Scope {
        match self {
            Scope::Total => Scope::Category,
            Scope::Category => Scope::Product,
            Scope::Product => Scope::Total,
        }
    }
}

/// Products forecast one by one: the best sellers of the last year, so the forecast stays
/// quick on a shop of ten thousand products.
pub const TOP_PRODUCTS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesForecast {
    /// The category, the product (SKU and name), or empty for the shop's total.
    pub name: String,
    /// Whole months of history, oldest first: (YYYY-MM, net).
    pub history: Vec<(String, Money)>,
    /// The months forecast, in order.
    pub months: Vec<String>,
    pub forecast: Forecast,
}

fn month_after(month: &str) -> String {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap_or_default();
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
    format!("{}-{:02}", next.year(), next.month())
}

/// Every month from `first` to `last`, with the net of each (zero where nothing sold).
fn filled(by_month: &BTreeMap<String, i64>, first: &str, last: &str) -> Vec<(String, Money)> {
    let mut out = Vec::new();
    let mut month = first.to_string();
    while month.as_str() <= last {
        out.push((month.clone(), Money::from_minor(by_month.get(&month).copied().unwrap_or(0))));
        let next = month_after(&month);
        if next == month {
            break;
        }
        month = next;
    }
    out
}

/// Forecasts of `ahead` months (3-12 is sensible), for the total, per category, or per
/// best-selling product (`TOP_PRODUCTS` of the last 12 whole months that have sold for a
/// year, biggest first).
pub fn monthly(session: &Session, ahead: usize, scope: Scope) -> Result<Vec<SeriesForecast>> {
    let today = session.clock.today();
    let this_month = format!("{}-{:02}", today.year(), today.month());
    let conn = session.db.conn();
    let mut series: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    if scope == Scope::Product {
        let year_ago = today.with_day(1).and_then(|d| d.checked_sub_months(chrono::Months::new(12))).unwrap_or(today);
        let year_ago = format!("{}-{:02}", year_ago.year(), year_ago.month());
        let mut stmt = conn.prepare(
            // One pass over the products' months picks the best sellers; a second reads
            // their history (a lookup per product would scan the months for each).
            "WITH best AS MATERIALIZED (
                 SELECT key FROM sales_monthly WHERE dim = 'product' AND month < ?1 AND key <> '0'
                 GROUP BY key HAVING min(month) <= ?2
                 ORDER BY sum(CASE WHEN month >= ?2 THEN net ELSE 0 END) DESC LIMIT ?3)
             SELECT p.sku || ' ' || p.name, s.month, s.net FROM sales_monthly s
             JOIN products p ON p.id = CAST(s.key AS INTEGER)
             WHERE s.dim = 'product' AND s.month < ?1 AND s.key IN (SELECT key FROM best)",
        )?;
        let rows = stmt.query_map((&this_month, &year_ago, TOP_PRODUCTS as i64), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })?;
        for row in rows {
            let (product, month, net) = row?;
            series.entry(product).or_default().insert(month, net);
        }
    } else if scope == Scope::Category {
        let mut stmt = conn.prepare(
            "SELECT coalesce(nullif(p.category, ''), '-'), s.month, sum(s.net) FROM sales_monthly s
             LEFT JOIN products p ON p.id = CAST(s.key AS INTEGER)
             WHERE s.dim = 'product' AND s.month < ?1 GROUP BY 1, 2",
        )?;
        for row in stmt.query_map([&this_month], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)))? {
            let (category, month, net) = row?;
            series.entry(category).or_default().insert(month, net);
        }
    } else {
        let mut stmt = conn
            .prepare("SELECT substr(day, 1, 7), sum(net) FROM sales_daily WHERE substr(day, 1, 7) < ?1 GROUP BY 1")?;
        let total = series.entry(String::new()).or_default();
        for row in stmt.query_map([&this_month], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
            let (month, net) = row?;
            total.insert(month, net);
        }
    }
    let last = {
        let first_of_month = today.with_day(1).unwrap_or(today);
        let previous = first_of_month.pred_opt().unwrap_or(first_of_month);
        format!("{}-{:02}", previous.year(), previous.month())
    };
    let mut out = Vec::new();
    for (name, by_month) in series {
        let Some(first) = by_month.keys().next().cloned() else { continue };
        let history = filled(&by_month, &first, &last);
        let values: Vec<Decimal> = history.iter().map(|(_, m)| m.value()).collect();
        let Some(forecast) = forecast(&values, ahead) else { continue };
        let mut months = Vec::new();
        let mut month = last.clone();
        for _ in 0..ahead {
            month = month_after(&month);
            months.push(month.clone());
        }
        out.push(SeriesForecast { name, history, months, forecast });
    }
    if scope == Scope::Product {
        let last_year =
            |s: &SeriesForecast| -> Decimal { s.history.iter().rev().take(12).map(|(_, m)| m.value()).sum() };
        out.sort_by(|a, b| last_year(b).cmp(&last_year(a)).then_with(|| a.name.cmp(&b.name)));
    }
    Ok(out)
}

/// Whole months of history a category needs before its forecast steers replenishment: a
/// year, so the season is seen once.
pub const SEASON_HISTORY: usize = 12;

/// How much busier each category's next two months are forecast to be than its last two
/// whole months (the weeks the replenishment plan smooths), as a factor kept within 0.5-2
/// so one odd forecast cannot empty or flood the shelves. Categories with less than
/// `SEASON_HISTORY` months of sales, none lately, or a forecast more than 50 % off over
/// its last six months are not listed (factor 1).
pub fn season_factors(session: &Session) -> Result<std::collections::HashMap<String, Decimal>> {
    let mut factors = std::collections::HashMap::new();
    for series in monthly(session, 2, Scope::Category)? {
        // A forecast that missed the last months by more than half steers nothing.
        let trusted = series.forecast.mape.is_some_and(|m| m <= Decimal::from(50));
        if series.history.len() < SEASON_HISTORY || !trusted {
            continue;
        }
        let recent: Decimal = series.history.iter().rev().take(2).map(|(_, m)| m.value()).sum();
        let ahead: Decimal = series.forecast.months.iter().take(2).map(|(value, _, _)| *value).sum();
        if recent <= Decimal::ZERO {
            continue;
        }
        let factor = (ahead / recent).clamp(Decimal::new(5, 1), Decimal::TWO).round_dp(2);
        // Products without a category are forecast under '-'.
        let category = if series.name == "-" { String::new() } else { series.name };
        factors.insert(category, factor);
    }
    Ok(factors)
}

/// The forecasts as rows: [category or product,] month, forecast, low, high, method, mape.
pub fn rows(forecasts: &[SeriesForecast], scope: Scope) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let mut columns = Vec::new();
    match scope {
        Scope::Total => {}
        Scope::Category => columns.push("category"),
        Scope::Product => columns.push("product"),
    }
    columns.extend(["month", "forecast", "low", "high", "method", "mape"]);
    let mut rows = Vec::new();
    for s in forecasts {
        for (month, (value, low, high)) in s.months.iter().zip(&s.forecast.months) {
            let mut row = Vec::new();
            if scope != Scope::Total {
                row.push(s.name.clone());
            }
            let money = |d: &Decimal| Money::round_from(*d).to_string();
            row.extend([month.clone(), money(value), money(low), money(high)]);
            row.push(s.forecast.method.as_str().to_string());
            row.push(s.forecast.mape.map(|m| m.to_string()).unwrap_or_default());
            rows.push(row);
        }
    }
    (columns, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_filled_between_sales_and_forecast_after_the_last_whole_month() {
        let mut by_month = BTreeMap::new();
        by_month.insert("2026-09".to_string(), 500);
        by_month.insert("2026-11".to_string(), 700);
        let filled = filled(&by_month, "2026-09", "2026-12");
        let months: Vec<&str> = filled.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(months, ["2026-09", "2026-10", "2026-11", "2026-12"]);
        assert_eq!(filled[1].1, Money::ZERO);
        assert_eq!(month_after("2026-12"), "2027-01");
    }

    #[test]
    fn the_current_month_is_left_out_until_it_is_over() {
        let (mut s, number) = crate::ops::invoices::tests_support::shipped_order();
        let d =
            crate::ops::invoices::draft_from_orders(&mut s, &[number], crate::ops::invoices::Basis::Ordered).unwrap();
        crate::ops::invoices::issue(&mut s, d.invoice.id, d.invoice.version).unwrap();
        // Everything sold this month (November 2026): no whole month yet.
        assert!(monthly(&s, 3, Scope::Total).unwrap().is_empty());
        s.clock = crate::ops::Clock::Fixed("2026-12-02T10:00:00Z".into());
        let f = monthly(&s, 3, Scope::Total).unwrap();
        assert_eq!(f[0].history, vec![("2026-11".to_string(), Money::parse("13.98").unwrap())]);
        assert_eq!(f[0].months, ["2026-12", "2027-01", "2027-02"]);
        let (columns, rows) = rows(&f, Scope::Total);
        assert_eq!(columns[0], "month");
        assert_eq!(rows[0][..4], ["2026-12", "13.98", "13.98", "13.98"]);
    }

    #[test]
    fn best_selling_products_with_a_year_of_sales_get_their_own_forecast() {
        let (s, _) = crate::ops::invoices::tests_support::shipped_order();
        let id = |sku: &str| -> String {
            s.db.conn()
                .query_row("SELECT id FROM products WHERE sku = ?1", [sku], |r| r.get::<_, i64>(0))
                .unwrap()
                .to_string()
        };
        // PEN has sold for 14 months, TEA only for the last three: only PEN is forecast.
        let insert = |sku: &str, month: String, net: i64| {
            s.db.conn()
                .execute(
                    "INSERT INTO sales_monthly (dim, month, key, net, quantity, cost, invoices)
                     VALUES ('product', ?1, ?2, ?3, 0, 0, 1)",
                    (month, id(sku), net),
                )
                .unwrap();
        };
        for m in 0..14u32 {
            let first =
                NaiveDate::from_ymd_opt(2025, 9, 1).unwrap().checked_add_months(chrono::Months::new(m)).unwrap();
            insert("PEN", format!("{}-{:02}", first.year(), first.month()), 1_000);
        }
        for month in ["2026-08", "2026-09", "2026-10"] {
            insert("TEA", month.to_string(), 90_000);
        }
        let f = monthly(&s, 3, Scope::Product).unwrap();
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].name, "PEN PEN name");
        assert_eq!(f[0].forecast.months[0].0, Decimal::from(10), "a flat 10.00 a month");
        let (columns, rows) = rows(&f, Scope::Product);
        assert_eq!((columns[0], rows[0][0].as_str()), ("product", "PEN PEN name"));
        assert_eq!(Scope::parse("product"), Some(Scope::Product));
        assert_eq!(Scope::Product.next(), Scope::Total);
    }
}

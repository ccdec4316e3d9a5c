//! Sales analysis from the kept summaries (`sales_daily`, `sales_monthly`): net sales,
//! quantity, invoices, average invoice, cost and margin by period or by region, product
//! category, product, customer, customer tier or salesperson, optionally against a period.
//! Sales count when invoiced, net of credit notes, on the day of issue.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::Session;
use crate::domain::money::{Money, Quantity};
use crate::error::{Error, Result};
use crate::i18n::tf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Period {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Region,
    Category,
    Product,
    Customer,
    Tier,
    Salesperson,
}

/// What a report groups by: a period, or a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Period(Period),
    Dim(Dim),
}

impl By {
    pub const ALL: [By; 11] = [
        By::Period(Period::Month),
        By::Dim(Dim::Category),
        By::Dim(Dim::Product),
        By::Dim(Dim::Customer),
        By::Dim(Dim::Tier),
        By::Dim(Dim::Region),
        By::Dim(Dim::Salesperson),
        By::Period(Period::Day),
        By::Period(Period::Week),
        By::Period(Period::Quarter),
        By::Period(Period::Year),
    ];

    pub fn parse(text: &str) -> Option<By> {
        By::ALL.into_iter().find(|b| b.as_str() == text.trim().to_ascii_lowercase())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            By::Period(Period::Day) => "day",
            By::Period(Period::Week) => "week",
            By::Period(Period::Month) => "month",
            By::Period(Period::Quarter) => "quarter",
            By::Period(Period::Year) => "year",
            By::Dim(Dim::Region) => "region",
            By::Dim(Dim::Category) => "category",
            By::Dim(Dim::Product) => "product",
            By::Dim(Dim::Customer) => "customer",
            By::Dim(Dim::Tier) => "tier",
            By::Dim(Dim::Salesperson) => "salesperson",
        }
    }
}

/// One row of a sales report: its keys (one or two), then the figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub net: Money,
    pub quantity: Quantity,
    /// Documents counted (invoices, or orders by order date). Unknown for a category from
    /// the summaries: they count invoices per product, and one invoice can hold several
    /// products of a category.
    pub invoices: Option<i64>,
    pub cost: Money,
}

impl Default for Figures {
    /// Nothing sold yet: zero documents, known.
    fn default() -> Self {
        Figures { net: Money::ZERO, quantity: Quantity::ZERO, invoices: Some(0), cost: Money::ZERO }
    }
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.net = self.net + other.net;
        self.quantity = self.quantity + other.quantity;
        self.invoices = self.invoices.zip(other.invoices).map(|(a, b)| a + b);
        self.cost = self.cost + other.cost;
    }

    pub fn margin(&self) -> Money {
        self.net - self.cost
    }

    /// Net per invoice, when there were any.
    pub fn average(&self) -> Option<Money> {
        let invoices = self.invoices.filter(|n| *n > 0)?;
        Some(Money::round_from(self.net.value() / Decimal::from(invoices)))
    }

    /// Margin as a percentage of net, one decimal.
    pub fn margin_percent(&self) -> Option<Decimal> {
        if self.net.is_zero() {
            return None;
        }
        let mut p = (self.margin().value() * Decimal::from(100) / self.net.value()).round_dp(1);
        p.rescale(1);
        Some(p)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesReport {
    pub columns: Vec<&'static str>,
    /// (group, period when asked for, figures), in the report's order.
    pub rows: Vec<(String, Option<String>, Figures)>,
    /// When the sales counted: invoiced or ordered.
    pub basis: Basis,
}

impl SalesReport {
    /// The rows as text cells under `columns`, for tables and files.
    pub fn cells(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|(group, period, f)| {
                let mut row = vec![group.clone()];
                row.extend(period.clone());
                row.push(f.net.to_string());
                row.push(f.quantity.value().normalize().to_string());
                row.push(f.invoices.map(|n| n.to_string()).unwrap_or_default());
                row.push(f.average().map(|m| m.to_string()).unwrap_or_default());
                row.push(f.cost.to_string());
                row.push(f.margin().to_string());
                row.push(f.margin_percent().map(|p| p.to_string()).unwrap_or_default());
                row
            })
            .collect()
    }
}

/// The key of `day` in a period: 2026-11-27, 2026-W48, 2026-11, 2026-Q4, 2026.
pub fn period_key(period: Period, day: NaiveDate) -> String {
    match period {
        Period::Day => day.to_string(),
        Period::Week => {
            let w = day.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Period::Month => format!("{}-{:02}", day.year(), day.month()),
        Period::Quarter => format!("{}-Q{}", day.year(), (day.month() - 1) / 3 + 1),
        Period::Year => day.year().to_string(),
    }
}

/// The first and last day of a period key (`period_key`'s forms).
pub fn period_bounds(key: &str) -> Option<(NaiveDate, NaiveDate)> {
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    let month_end = |y: i32, m: u32| ymd(y, m, 1)?.checked_add_months(chrono::Months::new(1))?.pred_opt();
    if let Ok(day) = NaiveDate::parse_from_str(key, "%Y-%m-%d") {
        return Some((day, day));
    }
    if let Some((year, week)) = key.split_once("-W") {
        let monday = NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, chrono::Weekday::Mon)?;
        return Some((monday, monday + chrono::Duration::days(6)));
    }
    if let Some((year, quarter)) = key.split_once("-Q") {
        let (y, q): (i32, u32) = (year.parse().ok()?, quarter.parse().ok()?);
        return Some((ymd(y, q * 3 - 2, 1)?, month_end(y, q * 3)?));
    }
    if let Some((year, month)) = key.split_once('-') {
        let (y, m): (i32, u32) = (year.parse().ok()?, month.parse().ok()?);
        return Some((ymd(y, m, 1)?, month_end(y, m)?));
    }
    let y: i32 = key.parse().ok()?;
    Some((ymd(y, 1, 1)?, ymd(y, 12, 31)?))
}

fn figures(net: i64, quantity: i64, invoices: i64, cost: i64) -> Figures {
    Figures {
        net: Money::from_minor(net),
        quantity: Quantity::from_minor(quantity),
        invoices: Some(invoices),
        cost: Money::from_minor(cost),
    }
}

/// Sales from `from` to `to` (days, inclusive) by `by`, and against `by2` when given. A
/// dimension reads the monthly summaries, so it covers whole months: those of `from` and
/// `to` and every one between.
pub fn report(session: &Session, by: By, by2: Option<Period>, from: NaiveDate, to: NaiveDate) -> Result<SalesReport> {
    let conn = session.db.conn();
    let mut grouped: BTreeMap<(String, Option<String>), Figures> = BTreeMap::new();
    match by {
        By::Period(period) => {
            if by2.is_some() {
                return Err(Error::BadArgument(tf("sales.by2_with_period", &[])));
            }
            let mut stmt = conn.prepare_cached(
                "SELECT day, net, quantity, invoices, cost FROM sales_daily WHERE day >= ?1 AND day <= ?2 ORDER BY day",
            )?;
            let rows = stmt.query_map((from.to_string(), to.to_string()), |r| {
                Ok((r.get::<_, String>(0)?, figures(r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            })?;
            for row in rows {
                let (day, f) = row?;
                let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else { continue };
                grouped.entry((period_key(period, day), None)).or_default().add(&f);
            }
        }
        By::Dim(dim) => {
            if matches!(by2, Some(Period::Day | Period::Week)) {
                return Err(Error::BadArgument(tf("sales.by2_monthly", &[])));
            }
            let (source, label) = match dim {
                Dim::Region => ("region", "CASE s.key WHEN '' THEN '-' ELSE s.key END"),
                Dim::Salesperson => ("salesperson", "CASE s.key WHEN '' THEN '-' ELSE s.key END"),
                Dim::Product => ("product", "coalesce(p.sku || ' ' || p.name, '-')"),
                Dim::Category => ("product", "coalesce(nullif(p.category, ''), '-')"),
                Dim::Customer => ("customer", "coalesce(c.code || ' ' || c.name, '-')"),
                Dim::Tier => ("customer", "coalesce(nullif(c.tier, ''), '-')"),
            };
            let join = match source {
                "product" => "LEFT JOIN products p ON p.id = CAST(s.key AS INTEGER)",
                "customer" => "LEFT JOIN customers c ON c.id = CAST(s.key AS INTEGER)",
                _ => "",
            };
            // Summed per key first (a number), then named: naming every month's row of a
            // hundred thousand customers and grouping by the text took twice as long.
            let month = if by2.is_some() { "month" } else { "max(month)" };
            let by_month = if by2.is_some() { ", month" } else { "" };
            let sql = format!(
                "SELECT {label}, s.month, s.net, s.quantity, s.invoices, s.cost
                 FROM (SELECT key, {month} AS month, sum(net) AS net, sum(quantity) AS quantity,
                              sum(invoices) AS invoices, sum(cost) AS cost
                       FROM sales_monthly WHERE dim = ?1 AND month >= ?2 AND month <= ?3
                       GROUP BY key{by_month}) s {join}"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let months = (period_key(Period::Month, from), period_key(Period::Month, to));
            let rows = stmt.query_map((source, &months.0, &months.1), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    figures(r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
                ))
            })?;
            for row in rows {
                let (group, month, mut f) = row?;
                if dim == Dim::Category {
                    f.invoices = None;
                }
                let period = match by2 {
                    Some(p) => {
                        let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap_or(from);
                        Some(period_key(p, first))
                    }
                    None => None,
                };
                grouped.entry((group, period)).or_default().add(&f);
            }
        }
    }
    let mut rows: Vec<(String, Option<String>, Figures)> =
        grouped.into_iter().map(|((group, period), f)| (group, period, f)).collect();
    // A dimension alone reads best biggest first; periods stay in time order.
    if matches!(by, By::Dim(_)) && by2.is_none() {
        rows.sort_by(|a, b| b.2.net.cmp(&a.2.net).then_with(|| a.0.cmp(&b.0)));
    }
    Ok(SalesReport { columns: columns(by, by2, Basis::Invoiced), rows, basis: Basis::Invoiced })
}

/// A report's columns: its grouping, the period against it, then the figures (documents
/// are invoices or orders, by the basis).
fn columns(by: By, by2: Option<Period>, basis: Basis) -> Vec<&'static str> {
    let mut columns = vec![by.as_str()];
    columns.extend(by2.map(|p| By::Period(p).as_str()));
    columns.extend(["net", "quantity", basis.documents(), "average", "cost", "margin", "margin_percent"]);
    columns
}

/// Net sales from `from` to `to` (days, inclusive).
pub fn net_between(session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Money> {
    let minor: i64 = session
        .db
        .conn()
        .prepare_cached("SELECT coalesce(sum(net), 0) FROM sales_daily WHERE day >= ?1 AND day <= ?2")?
        .query_row((from.to_string(), to.to_string()), |r| r.get(0))?;
    Ok(Money::from_minor(minor))
}

/// Net sales of each of the `days` days up to `today`, oldest first (no sales: zero).
pub fn daily_net(session: &Session, today: NaiveDate, days: u32) -> Result<Vec<(NaiveDate, Money)>> {
    let first = today - chrono::Duration::days(i64::from(days.max(1)) - 1);
    let mut by_day: BTreeMap<String, i64> = BTreeMap::new();
    let mut stmt =
        session.db.conn().prepare_cached("SELECT day, net FROM sales_daily WHERE day >= ?1 AND day <= ?2")?;
    for row in stmt.query_map((first.to_string(), today.to_string()), |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (day, net) = row?;
        by_day.insert(day, net);
    }
    Ok(first
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|d| (d, Money::from_minor(by_day.get(&d.to_string()).copied().unwrap_or(0))))
        .collect())
}

/// Every line the sales figures count: issued documents and imported sales history.
const ALL_LINES: &str =
    "(SELECT invoice_id, kind, day, customer_id, product_id, region, salesperson, sign, net, quantity
      FROM sales_lines
      UNION ALL
      SELECT invoice_id, kind, day, customer_id, product_id, region, salesperson, sign, net, quantity
      FROM history_lines)";

/// Summary rows that differ from a recomputation from the issued documents (net, quantity
/// and invoices; cost is the product's cost when each document was issued, so it is not
/// recomputed): what `check` says about the sales figures.
pub fn check(session: &Session) -> Result<Vec<String>> {
    let conn = session.db.conn();
    let mut problems = Vec::new();
    let daily = &format!(
        "WITH computed AS (
            SELECT day, sum(sign * net) AS net, sum(sign * quantity) AS quantity,
                   count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END) AS invoices
            FROM {ALL_LINES} GROUP BY day)
        SELECT coalesce(k.day, c.day) FROM sales_daily k FULL JOIN computed c ON c.day = k.day
        WHERE coalesce(k.net, 0) <> coalesce(c.net, 0) OR coalesce(k.quantity, 0) <> coalesce(c.quantity, 0)
           OR coalesce(k.invoices, 0) <> coalesce(c.invoices, 0)"
    );
    for day in conn.prepare(daily)?.query_map([], |r| r.get::<_, String>(0))? {
        problems.push(tf("sales.check_day", &[("day", &day?)]));
    }
    let monthly = &format!(
        "WITH computed AS MATERIALIZED (
            SELECT 'product' AS dim, substr(day, 1, 7) AS month, CAST(coalesce(product_id, 0) AS TEXT) AS key,
                   sum(sign * net) AS net, sum(sign * quantity) AS quantity,
                   count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END) AS invoices
            FROM {ALL_LINES} GROUP BY 2, 3
            UNION ALL
            SELECT 'customer', substr(day, 1, 7), CAST(customer_id AS TEXT), sum(sign * net), sum(sign * quantity),
                   count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END)
            FROM {ALL_LINES} GROUP BY 2, 3
            UNION ALL
            SELECT 'region', substr(day, 1, 7), region, sum(sign * net), sum(sign * quantity),
                   count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END)
            FROM {ALL_LINES} GROUP BY 2, 3
            UNION ALL
            SELECT 'salesperson', substr(day, 1, 7), salesperson, sum(sign * net), sum(sign * quantity),
                   count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END)
            FROM {ALL_LINES} GROUP BY 2, 3),
        -- Rows in one and not the other, each way: two sorts, where a full join of a million
        -- kept keys against a million computed ones ran for more than ten minutes.
        kept AS (SELECT dim, month, key, net, quantity, invoices FROM sales_monthly)
        SELECT dim, month, key FROM (SELECT * FROM kept EXCEPT SELECT * FROM computed)
        UNION
        SELECT dim, month, key FROM (SELECT * FROM computed EXCEPT SELECT * FROM kept)
        ORDER BY 1, 2, 3"
    );
    let mut stmt = conn.prepare(monthly)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    for row in rows {
        let (dim, month, key) = row?;
        problems.push(tf("sales.check_month", &[("dim", &dim), ("month", &month), ("key", &key)]));
    }
    Ok(problems)
}

mod detail;
#[cfg(test)]
pub(crate) use detail::from_documents;
pub use detail::{Basis, Query, describe_filters, parse_filters, run};

#[cfg(test)]
mod tests;

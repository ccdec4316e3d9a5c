//! Sales read from the documents, month by month, for what the kept summaries cannot
//! answer: a report filtered by a dimension (one region's categories, one tier's
//! salespeople), and sales counted by order date instead of invoice date. Slower than the
//! summaries (a year of a million-order shop is a few seconds), so it reports progress
//! after each month and can be stopped between months.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::{By, Dim, Figures, Period, SalesReport, figures, period_key};
use crate::error::{Error, Result};
use crate::i18n::tf;
use crate::ops::Session;

/// When a sale counts: when it is invoiced (net of credit notes, the default), or when the
/// order is taken (confirmed orders and later, not cancelled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Basis {
    #[default]
    Invoiced,
    Ordered,
}

impl Basis {
    pub const SETTING: &'static str = "sales_basis";

    pub fn parse(text: &str) -> Option<Basis> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "invoice" | "invoiced" | "invoice_date" => Some(Basis::Invoiced),
            "order" | "ordered" | "order_date" => Some(Basis::Ordered),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Invoiced => "invoice",
            Basis::Ordered => "order",
        }
    }

    /// The shop's choice (`settings sales_basis invoice|order`).
    pub fn of_shop(session: &Session) -> Result<Basis> {
        let text = crate::db::orders::setting(session.db.conn(), Basis::SETTING)?;
        Ok(Basis::parse(&text).unwrap_or_default())
    }

    /// The column that counts documents under this basis.
    pub(super) fn documents(self) -> &'static str {
        match self {
            Basis::Invoiced => "invoices",
            Basis::Ordered => "orders",
        }
    }
}

/// Everything a sales report can be asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub by: By,
    pub by2: Option<Period>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub basis: Basis,
    /// Only sales whose dimension has this value (code, name or '-' for none).
    pub filters: Vec<(Dim, String)>,
}

impl Query {
    pub fn new(by: By, from: NaiveDate, to: NaiveDate) -> Query {
        Query { by, by2: None, from, to, basis: Basis::Invoiced, filters: Vec::new() }
    }

    /// What the kept summaries can answer; the rest is read from the documents.
    pub fn from_summaries(&self) -> bool {
        self.basis == Basis::Invoiced
            && self.filters.is_empty()
            && !(matches!(self.by, By::Dim(_)) && matches!(self.by2, Some(Period::Day | Period::Week)))
    }
}

/// Parses `region=North,category=Tea` (also `;`-separated) into filters.
pub fn parse_filters(text: &str) -> Result<Vec<(Dim, String)>> {
    let mut filters = Vec::new();
    for part in text.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let dim = match By::parse(name) {
            Some(By::Dim(dim)) if !value.trim().is_empty() => dim,
            _ => return Err(Error::BadArgument(tf("sales.bad_filter", &[("value", &part)]))),
        };
        filters.push((dim, value.trim().to_string()));
    }
    Ok(filters)
}

/// The filters as typed back (`parse_filters`' form).
pub fn describe_filters(filters: &[(Dim, String)]) -> String {
    filters.iter().map(|(dim, value)| format!("{}={value}", By::Dim(*dim).as_str())).collect::<Vec<_>>().join(",")
}

/// Runs `query`: from the summaries when they can answer it, otherwise from the documents
/// a month at a time, calling `progress(months done, months)` after each; when it returns
/// false the report stops and `Ok(None)` says so.
pub fn run(
    session: &Session,
    query: &Query,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Option<SalesReport>> {
    if query.from_summaries() {
        return super::report(session, query.by, query.by2, query.from, query.to).map(Some);
    }
    from_documents(session, query, progress)
}

/// `run` without the summaries: what the summaries are tested against.
pub(crate) fn from_documents(
    session: &Session,
    query: &Query,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Option<SalesReport>> {
    if matches!(query.by, By::Period(_)) && query.by2.is_some() {
        return Err(Error::BadArgument(tf("sales.by2_with_period", &[])));
    }
    let conn = session.db.conn();
    let (source, documents, span) = match query.basis {
        // Issued documents and imported sales history (`history_lines`), each read a period
        // at a time through its own index.
        Basis::Invoiced => (
            // Without ANALYZE statistics the planner prefers invoices_by_status, which reads
            // every issued invoice for each month.
            "(SELECT invoice_id, kind, day, customer_id, product_id, region, salesperson, sign, net, quantity, cost
              FROM sales_lines
              WHERE invoice_id IN (SELECT id FROM invoices INDEXED BY invoices_issued_by_day
                                   WHERE status = 'issued' AND issue_date >= ?1 AND issue_date < ?2)
              UNION ALL
              SELECT invoice_id, kind, day, customer_id, product_id, region, salesperson, sign, net, quantity, cost
              FROM history_lines
              WHERE order_id IN (SELECT id FROM orders INDEXED BY orders_history_by_day
                                 WHERE sold_on IS NOT NULL AND sold_on >= ?1 AND sold_on < ?2))",
            "1",
            [
                "SELECT min(d) FROM (SELECT min(issue_date) AS d FROM invoices WHERE status = 'issued'
                                     UNION ALL SELECT min(sold_on) FROM orders WHERE sold_on IS NOT NULL)",
                "SELECT max(d) FROM (SELECT max(issue_date) AS d FROM invoices WHERE status = 'issued'
                                     UNION ALL SELECT max(sold_on) FROM orders WHERE sold_on IS NOT NULL)",
            ],
        ),
        Basis::Ordered => (
            "ordered_lines",
            "s.order_id IN (SELECT id FROM orders WHERE order_date >= ?1 AND order_date < ?2
                AND status IN ('confirmed', 'partly_shipped', 'shipped', 'delivered', 'closed'))",
            ["SELECT min(order_date) FROM orders", "SELECT max(order_date) FROM orders"],
        ),
    };
    let (sign, count) = match query.basis {
        Basis::Invoiced => ("s.sign", "count(DISTINCT CASE WHEN s.kind = 'invoice' THEN s.invoice_id END)"),
        Basis::Ordered => ("1", "count(DISTINCT s.order_id)"),
    };
    let label = match query.by {
        By::Period(_) => "''",
        By::Dim(dim) => label(dim),
    };
    let mut conditions = vec![documents.to_string()];
    for (n, (dim, _)) in query.filters.iter().enumerate() {
        conditions.push(format!("{} = ?{} COLLATE NOCASE", column(*dim), n + 3));
    }
    let sql = format!(
        "SELECT {label}, s.day, sum({sign} * s.net), sum({sign} * s.quantity), {count}, sum({sign} * s.cost)
         FROM {source} s
         LEFT JOIN products p ON p.id = s.product_id
         LEFT JOIN customers c ON c.id = s.customer_id
         WHERE {}
         GROUP BY 1, 2",
        conditions.join(" AND ")
    );
    // Two statements: min and max in one would read the whole index instead of its ends.
    let bound = |sql: &str| -> Result<Option<NaiveDate>> {
        let text: Option<String> = conn.query_row(sql, [], |r| r.get(0))?;
        Ok(text.and_then(|t| NaiveDate::parse_from_str(t.get(..10).unwrap_or(&t), "%Y-%m-%d").ok()))
    };
    let (Some(first), Some(last)) = (bound(span[0])?, bound(span[1])?) else {
        return Ok(Some(empty(query)));
    };
    // A dimension covers whole months, as from the summaries, so both ways agree.
    let (from, to) = match query.by {
        By::Dim(_) => (
            query.from.with_day(1).unwrap_or(query.from),
            query
                .to
                .with_day(1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .and_then(|d| d.pred_opt())
                .unwrap_or(query.to),
        ),
        By::Period(_) => (query.from, query.to),
    };
    let (from, to) = (from.max(first), to.min(last));
    let months = month_spans(from, to);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut grouped: BTreeMap<(String, Option<String>), Figures> = BTreeMap::new();
    for (done, (start, end)) in months.iter().enumerate() {
        let mut params: Vec<String> = vec![start.to_string(), (*end + chrono::Duration::days(1)).to_string()];
        params.extend(query.filters.iter().map(|(_, value)| if value == "-" { String::new() } else { value.clone() }));
        let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, figures(r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        })?;
        for row in rows {
            let (group, day, f) = row?;
            let Ok(day) = NaiveDate::parse_from_str(day.get(..10).unwrap_or(&day), "%Y-%m-%d") else { continue };
            let key = match (query.by, query.by2) {
                (By::Period(period), _) => (period_key(period, day), None),
                (By::Dim(_), by2) => (group, by2.map(|p| period_key(p, day))),
            };
            grouped.entry(key).or_default().add(&f);
        }
        if !progress(done + 1, months.len()) {
            return Ok(None);
        }
    }
    let mut report = empty(query);
    report.rows = grouped.into_iter().map(|((group, period), f)| (group, period, f)).collect();
    if matches!(query.by, By::Dim(_)) && query.by2.is_none() {
        report.rows.sort_by(|a, b| b.2.net.cmp(&a.2.net).then_with(|| a.0.cmp(&b.0)));
    }
    Ok(Some(report))
}

/// Each month's first and last day within `from`..=`to`.
fn month_spans(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut spans = Vec::new();
    let mut start = from;
    while start <= to {
        let next = start.with_day(1).and_then(|d| d.checked_add_months(chrono::Months::new(1)));
        let Some(next) = next else { break };
        spans.push((start, to.min(next - chrono::Duration::days(1))));
        start = next;
    }
    spans
}

fn empty(query: &Query) -> SalesReport {
    SalesReport { columns: super::columns(query.by, query.by2, query.basis), rows: Vec::new(), basis: query.basis }
}

/// How a row of `dim` is named: as the summaries name it, so both paths read alike.
fn label(dim: Dim) -> &'static str {
    match dim {
        Dim::Region => "CASE s.region WHEN '' THEN '-' ELSE s.region END",
        Dim::Salesperson => "CASE s.salesperson WHEN '' THEN '-' ELSE s.salesperson END",
        Dim::Product => "coalesce(p.sku || ' ' || p.name, '-')",
        Dim::Category => "coalesce(nullif(p.category, ''), '-')",
        Dim::Customer => "coalesce(c.code || ' ' || c.name, '-')",
        Dim::Tier => "coalesce(nullif(c.tier, ''), '-')",
    }
}

/// The value a filter on `dim` compares with: codes for products and customers.
fn column(dim: Dim) -> &'static str {
    match dim {
        Dim::Region => "s.region",
        Dim::Salesperson => "s.salesperson",
        Dim::Product => "coalesce(p.sku, '')",
        Dim::Category => "coalesce(p.category, '')",
        Dim::Customer => "coalesce(c.code, '')",
        Dim::Tier => "coalesce(c.tier, '')",
    }
}

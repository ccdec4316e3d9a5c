//! Stages, opportunities and the per-stage totals the triggers keep.

use rusqlite::{Connection, OptionalExtension, Row, ToSql, params_from_iter};

use crate::domain::ids::CustomerId;
use crate::domain::money::Money;
use crate::domain::pipeline::{Outcome, Stage};
use crate::error::{Error, Result};

pub fn stages(conn: &Connection) -> Result<Vec<Stage>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM stages ORDER BY rank, code")?;
    let rows = stmt.query_map([], |r| {
        Ok(Stage {
            code: r.get("code")?,
            name: r.get("name")?,
            rank: r.get("rank")?,
            probability: u8::try_from(r.get::<_, i64>("probability")?).unwrap_or(0),
            outcome: Outcome::parse(&r.get::<_, String>("outcome")?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Adds or replaces a stage by its code (the name, rank, default probability, outcome).
pub fn upsert_stage(conn: &Connection, stage: &Stage) -> Result<()> {
    let outcome = stage.outcome.as_str();
    conn.prepare_cached(
        "INSERT INTO stages (code, name, rank, probability, outcome) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, rank = excluded.rank,
             probability = excluded.probability, outcome = excluded.outcome",
    )?
    .execute((&stage.code, &stage.name, stage.rank, stage.probability, outcome))?;
    Ok(())
}

/// A stage's totals: how many deals, their value, their weighted value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub count: usize,
    pub value: Money,
    pub weighted: Money,
    /// The exact weighted value in cents x percent, so totals of totals round only once.
    pub weighted_raw: i64,
}

/// Cents x percent to money, rounded half away from zero once.
pub fn weighted_money(raw: i64) -> Money {
    Money::round_from(rust_decimal::Decimal::new(raw, 4))
}

/// Totals of every stage, from the table the triggers keep.
pub fn totals(conn: &Connection) -> Result<Vec<(String, Totals)>> {
    let mut stmt = conn.prepare_cached("SELECT stage, count, value, weighted FROM stage_totals")?;
    let rows = stmt.query_map([], |r| {
        // weighted is cents x percent: one division, rounded half away from zero.
        let weighted_raw: i64 = r.get("weighted")?;
        Ok((
            r.get::<_, String>("stage")?,
            Totals {
                count: usize::try_from(r.get::<_, i64>("count")?).unwrap_or(0),
                value: Money::from_minor(r.get("value")?),
                weighted: weighted_money(weighted_raw),
                weighted_raw,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opportunity {
    pub id: i64,
    pub code: String,
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub customer_name: String,
    pub title: String,
    pub stage: String,
    pub value: Money,
    pub probability: u8,
    /// `YYYY-MM-DD` or empty.
    pub expected_close: String,
    pub owner: String,
    pub next_step: String,
    pub lost_reason: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const SELECT: &str = "SELECT o.*, c.code AS customer_code, c.name AS customer_name
     FROM opportunities o JOIN customers c ON c.id = o.customer_id";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Opportunity> {
    Ok(Opportunity {
        id: row.get("id")?,
        code: row.get("code")?,
        customer_id: CustomerId(row.get("customer_id")?),
        customer_code: row.get("customer_code")?,
        customer_name: row.get("customer_name")?,
        title: row.get("title")?,
        stage: row.get("stage")?,
        value: Money::from_minor(row.get("value")?),
        // The CHECK constraint keeps it within 0..=100.
        probability: u8::try_from(row.get::<_, i64>("probability")?).unwrap_or(0),
        expected_close: row.get("expected_close")?,
        owner: row.get("owner")?,
        next_step: row.get("next_step")?,
        lost_reason: row.get("lost_reason")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

/// What an opportunity row holds besides its ids and times.
pub struct Record<'a> {
    pub title: &'a str,
    pub stage: &'a str,
    pub value: Money,
    pub probability: u8,
    pub expected_close: &'a str,
    pub owner: &'a str,
    pub next_step: &'a str,
    pub lost_reason: &'a str,
}

/// The record's columns in table order (title .. lost_reason), for INSERT and UPDATE alike.
fn record_values<'a>(r: &'a Record<'_>, value: &'a i64) -> [&'a dyn ToSql; 8] {
    [&r.title, &r.stage, value, &r.probability, &r.expected_close, &r.owner, &r.next_step, &r.lost_reason]
}

fn minor(value: Money) -> Result<i64> {
    value.to_minor().map_err(|e| Error::BadArgument(e.to_string()))
}

pub fn insert(conn: &Connection, code: &str, customer: CustomerId, r: &Record<'_>, at: &str) -> Result<i64> {
    let value = minor(r.value)?;
    let ids: [&dyn ToSql; 2] = [&code, &customer.0];
    let times: [&dyn ToSql; 2] = [&at, &at];
    conn.prepare_cached(
        "INSERT INTO opportunities (code, customer_id, title, stage, value, probability, expected_close, owner,
                                    next_step, lost_reason, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params_from_iter(ids.into_iter().chain(record_values(r, &value)).chain(times)))?;
    Ok(conn.last_insert_rowid())
}

/// Saves an edit made on `version`; a stale version is a conflict.
pub fn update(conn: &Connection, id: i64, version: i64, customer: CustomerId, r: &Record<'_>, at: &str) -> Result<()> {
    let value = minor(r.value)?;
    let rest: [&dyn ToSql; 4] = [&customer.0, &at, &id, &version];
    let changed = conn
        .prepare_cached(
            "UPDATE opportunities SET title = ?1, stage = ?2, value = ?3, probability = ?4, expected_close = ?5,
                    owner = ?6, next_step = ?7, lost_reason = ?8, customer_id = ?9, updated_at = ?10,
                    version = version + 1
             WHERE id = ?11 AND version = ?12",
        )?
        .execute(params_from_iter(record_values(r, &value).into_iter().chain(rest)))?;
    if changed == 1 {
        return Ok(());
    }
    match get(conn, id)? {
        Some(o) => Err(Error::Conflict { what: format!("{} {}", o.code, o.title) }),
        None => Err(Error::NotFound { what: id.to_string() }),
    }
}

/// Keeps an imported deal's last-change time as the file has it.
pub fn set_updated(conn: &Connection, id: i64, at: &str) -> Result<()> {
    conn.prepare_cached("UPDATE opportunities SET updated_at = ?1 WHERE id = ?2")?.execute((at, id))?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Opportunity>> {
    Ok(conn.prepare_cached(&format!("{SELECT} WHERE o.id = ?1"))?.query_row([id], from_row).optional()?)
}

pub fn find(conn: &Connection, code: &str) -> Result<Option<Opportunity>> {
    Ok(conn.prepare_cached(&format!("{SELECT} WHERE o.code = ?1"))?.query_row([code], from_row).optional()?)
}

/// A customer's deals with exactly this title: what a line without a code may be.
pub fn titled(conn: &Connection, customer: CustomerId, title: &str) -> Result<Vec<Opportunity>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE o.customer_id = ?1 AND o.title = ?2"))?;
    let rows = stmt.query_map(rusqlite::params![customer.0, title], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A page of one stage's deals, soonest expected close first (undated last).
pub fn in_stage(conn: &Connection, stage: &str, offset: usize, limit: usize) -> Result<Vec<Opportunity>> {
    let to_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(&format!("{SELECT} WHERE o.stage = ?1 ORDER BY o.expected_close, o.id LIMIT ?2 OFFSET ?3"))?
        .query_map((stage, to_i64(limit), to_i64(offset)), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// How many deals of the stage come before (close, id) in board order.
pub fn position_in_stage(conn: &Connection, stage: &str, close: &str, id: i64) -> Result<usize> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM opportunities WHERE stage = ?1 AND (expected_close, id) < (?2, ?3)")?
        .query_row((stage, close, id), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// A customer's deals in stage order.
pub fn of_customer(conn: &Connection, customer: CustomerId) -> Result<Vec<Opportunity>> {
    let rows = conn
        .prepare_cached(&format!(
            "{SELECT} JOIN stages s ON s.code = o.stage WHERE o.customer_id = ?1 ORDER BY s.rank, o.expected_close, o.id"
        ))?
        .query_map([customer.0], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Narrows the opportunity list: by owner, stage, expected-close month (`YYYY-MM`), and
/// words in the title or customer name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub owner: Option<String>,
    pub stage: Option<String>,
    pub month: Option<String>,
    pub text: String,
}

fn filter_sql(filter: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    let mut clauses = vec!["1 = 1".to_string()];
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(owner) = &filter.owner {
        clauses.push("o.owner = ? COLLATE NOCASE".into());
        params.push(Box::new(owner.clone()));
    }
    if let Some(stage) = &filter.stage {
        clauses.push("o.stage = ? COLLATE NOCASE".into());
        params.push(Box::new(stage.clone()));
    }
    if let Some(month) = &filter.month {
        clauses.push("substr(o.expected_close, 1, 7) = ?".into());
        params.push(Box::new(month.clone()));
    }
    if !filter.text.trim().is_empty() {
        clauses.push("(o.title LIKE ? OR c.name LIKE ? OR o.code LIKE ?)".into());
        let pattern = format!("%{}%", filter.text.trim());
        for _ in 0..3 {
            params.push(Box::new(pattern.clone()));
        }
    }
    (clauses.join(" AND "), params)
}

/// A page of the filtered list in expected-close order, and how many match.
pub fn list(conn: &Connection, filter: &Filter, offset: usize, limit: usize) -> Result<(Vec<Opportunity>, usize)> {
    let (where_sql, mut params) = filter_sql(filter);
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM opportunities o JOIN customers c ON c.id = o.customer_id WHERE {where_sql}"
        ))?
        .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    params.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
    params.push(Box::new(i64::try_from(offset).unwrap_or(i64::MAX)));
    let rows = conn
        .prepare_cached(&format!("{SELECT} WHERE {where_sql} ORDER BY o.expected_close, o.id LIMIT ? OFFSET ?"))?
        .query_map(params_from_iter(params.iter()), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, usize::try_from(total).unwrap_or(0)))
}

pub fn for_each(conn: &Connection, mut visit: impl FnMut(Opportunity) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY o.code, o.id"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        visit(from_row(row)?)?;
    }
    Ok(())
}

/// Where the kept stage totals disagree with the opportunities, one line each.
pub fn total_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT t.stage, t.count, t.value, t.weighted, COUNT(o.id) AS real_count, COALESCE(SUM(o.value), 0) AS real_value,
                COALESCE(SUM(o.value * o.probability), 0) AS real_weighted
         FROM stage_totals t LEFT JOIN opportunities o ON o.stage = t.stage GROUP BY t.stage",
    )?;
    let rows = stmt.query_map([], |r| {
        let kept: (i64, i64, i64) = (r.get("count")?, r.get("value")?, r.get("weighted")?);
        let real: (i64, i64, i64) = (r.get("real_count")?, r.get("real_value")?, r.get("real_weighted")?);
        Ok((r.get::<_, String>("stage")?, kept, real))
    })?;
    let mut problems = Vec::new();
    for row in rows {
        let (stage, kept, real) = row?;
        if kept != real {
            problems.push(crate::i18n::tf(
                "check.stage_totals",
                &[("stage", &stage), ("kept", &format!("{kept:?}")), ("real", &format!("{real:?}"))],
            ));
        }
    }
    Ok(problems)
}

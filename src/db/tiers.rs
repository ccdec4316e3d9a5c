//! Customer tiers and their terms.

use rusqlite::{Connection, OptionalExtension, Row};
use rust_decimal::Decimal;

use crate::domain::money::Money;
use crate::domain::tier::{Tier, TierData};
use crate::error::{Error, Result};

fn from_row(row: &Row<'_>) -> rusqlite::Result<Tier> {
    Ok(Tier {
        data: TierData {
            code: row.get("code")?,
            name: row.get("name")?,
            rank: row.get("rank")?,
            // Stored in hundredths of a percent: 1000 is 10.00 %.
            discount: Decimal::new(row.get("discount_bp")?, 2),
            credit_limit: Money::from_minor(row.get("credit_limit")?),
            payment_days: row.get("payment_days")?,
        },
        version: row.get("version")?,
    })
}

pub fn all(conn: &Connection) -> Result<Vec<Tier>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM tiers ORDER BY rank, code")?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn find(conn: &Connection, code: &str) -> Result<Option<Tier>> {
    Ok(conn.prepare_cached("SELECT * FROM tiers WHERE code = ?1")?.query_row([code], from_row).optional()?)
}

fn basis_points(data: &TierData) -> Result<i64> {
    let bp = data.discount * Decimal::from(100);
    i64::try_from(bp.trunc()).map_err(|_| Error::BadArgument(data.discount.to_string()))
}

fn minor(money: Money) -> Result<i64> {
    money.to_minor().map_err(|e| Error::BadArgument(e.to_string()))
}

pub fn insert(conn: &Connection, data: &TierData) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO tiers (code, name, rank, discount_bp, credit_limit, payment_days) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        &data.code,
        &data.name,
        data.rank,
        basis_points(data)?,
        minor(data.credit_limit)?,
        data.payment_days,
    ))?;
    Ok(())
}

/// Saves an edit made on `version`; the code never changes (customers refer to it).
pub fn update(conn: &Connection, version: i64, data: &TierData) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE tiers SET name = ?1, rank = ?2, discount_bp = ?3, credit_limit = ?4, payment_days = ?5,
                    version = version + 1
             WHERE code = ?6 AND version = ?7",
        )?
        .execute((
            &data.name,
            data.rank,
            basis_points(data)?,
            minor(data.credit_limit)?,
            data.payment_days,
            &data.code,
            version,
        ))?;
    match (changed, find(conn, &data.code)?) {
        (1, _) => Ok(()),
        (_, Some(_)) => Err(Error::Conflict { what: data.code.clone() }),
        (_, None) => Err(Error::NotFound { what: data.code.clone() }),
    }
}

/// How many active customers each tier has, for the tiers screen.
pub fn customer_counts(conn: &Connection) -> Result<Vec<(String, usize)>> {
    let mut stmt = conn.prepare(
        "SELECT tier, COUNT(*) AS n FROM customers INDEXED BY customers_active_by_tier
         WHERE archived_at IS NULL GROUP BY tier",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>("tier")?, usize::try_from(r.get::<_, i64>("n")?).unwrap_or(0))))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

//! Small shared tables: named counters and the shop's tiers.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// Takes the next value of a named counter. Call inside a write transaction, so two
/// sessions can never take the same value.
pub fn take_next(conn: &Connection, name: &str) -> Result<i64> {
    let value = conn.query_row(
        "INSERT INTO counters (name, next) VALUES (?1, 2)
         ON CONFLICT (name) DO UPDATE SET next = next + 1
         RETURNING next - 1",
        [name],
        |r| r.get(0),
    )?;
    Ok(value)
}

/// Makes sure the counter will never hand out `value` or anything below it.
pub fn raise_past(conn: &Connection, name: &str, value: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO counters (name, next) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET next = max(next, excluded.next)",
    )?
    .execute((name, value.saturating_add(1)))?;
    Ok(())
}

pub fn peek_next(conn: &Connection, name: &str) -> Result<i64> {
    let next = conn.query_row("SELECT next FROM counters WHERE name = ?1", [name], |r| r.get(0)).optional()?;
    Ok(next.unwrap_or(1))
}

/// Tier codes from the best tier down.
pub fn tier_codes(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT code FROM tiers ORDER BY rank, code")?;
    let codes = stmt.query_map([], |r| r.get("code"))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    #[test]
    fn counters_start_at_one_and_never_repeat() {
        let mut db = Db::open_in_memory().unwrap();
        let taken: Vec<i64> = (0..3).map(|_| db.write(|tx| take_next(tx, "c")).unwrap()).collect();
        assert_eq!(taken, vec![1, 2, 3]);
        assert_eq!(peek_next(db.conn(), "c").unwrap(), 4);
        assert_eq!(peek_next(db.conn(), "other").unwrap(), 1);
    }

    #[test]
    fn default_tiers_exist_in_rank_order() {
        let db = Db::open_in_memory().unwrap();
        assert_eq!(tier_codes(db.conn()).unwrap(), vec!["VIP", "A", "B", "C"]);
    }
}

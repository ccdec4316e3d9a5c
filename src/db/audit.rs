//! The audit log: one row per write, never updated or deleted.

use rusqlite::{Connection, Row};

use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub user: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub detail: String,
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        at: row.get("at")?,
        user: row.get("user_name")?,
        action: row.get("action")?,
        entity: row.get("entity")?,
        entity_id: row.get("entity_id")?,
        detail: row.get("detail")?,
    })
}

pub fn record(conn: &Connection, entry: &AuditEntry) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, user_name, action, entity, entity_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((&entry.at, &entry.user, &entry.action, &entry.entity, entry.entity_id, &entry.detail))?;
    Ok(())
}

/// The newest entries first, for one record or (with `None`) for everything.
pub fn recent(conn: &Connection, entity: Option<(&str, i64)>, limit: usize) -> Result<Vec<AuditEntry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match entity {
        Some((kind, id)) => conn
            .prepare_cached("SELECT * FROM audit_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY id DESC LIMIT ?3")?
            .query_map((kind, id, limit), entry_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => conn
            .prepare_cached("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?1")?
            .query_map([limit], entry_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok(rows)
}

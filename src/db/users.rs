//! Users and their roles.

use rusqlite::{Connection, OptionalExtension};

use crate::domain::user::Role;
use crate::error::Result;

pub fn role_of(conn: &Connection, name: &str) -> Result<Option<Role>> {
    let role: Option<String> =
        conn.query_row("SELECT role FROM users WHERE name = ?1", [name], |r| r.get("role")).optional()?;
    Ok(role.and_then(|r| r.parse().ok()))
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

pub fn upsert(conn: &Connection, name: &str, role: Role, at: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO users (name, role, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET role = excluded.role",
        (name, role.as_str(), at),
    )?;
    Ok(())
}

pub fn list(conn: &Connection) -> Result<Vec<(String, Role)>> {
    let mut stmt = conn.prepare("SELECT name, role FROM users ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>("name")?, r.get::<_, String>("role")?)))?;
    let mut users = Vec::new();
    for row in rows {
        let (name, role) = row?;
        users.push((name, role.parse().unwrap_or(Role::Clerk)));
    }
    Ok(users)
}

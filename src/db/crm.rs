//! Contact log and feedback tables: one row mapper each, follow-ups paged by key.

use rusqlite::{Connection, OptionalExtension, Row};

use crate::domain::crm::{ContactKind, FeedbackKind, Severity, Status};
use crate::domain::ids::CustomerId;
use crate::error::{Error, Result};

/// A logged call, e-mail, meeting, visit or note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub code: String,
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub customer_name: String,
    pub kind: ContactKind,
    pub at: String,
    pub user: String,
    pub summary: String,
    /// `YYYY-MM-DD`.
    pub follow_up: Option<String>,
    pub done_at: Option<String>,
    pub version: i64,
}

const CONTACT_SELECT: &str = "SELECT k.*, c.code AS customer_code, c.name AS customer_name
     FROM contacts k JOIN customers c ON c.id = k.customer_id";

fn contact_from_row(row: &Row<'_>) -> rusqlite::Result<Contact> {
    let kind: String = row.get("kind")?;
    Ok(Contact {
        id: row.get("id")?,
        code: row.get("code")?,
        customer_id: CustomerId(row.get("customer_id")?),
        customer_code: row.get("customer_code")?,
        customer_name: row.get("customer_name")?,
        // The CHECK constraint allows only known kinds.
        kind: ContactKind::parse(&kind).unwrap_or(ContactKind::Note),
        at: row.get("at")?,
        user: row.get("user_name")?,
        summary: row.get("summary")?,
        follow_up: row.get("follow_up")?,
        done_at: row.get("done_at")?,
        version: row.get("version")?,
    })
}

/// What a contact row holds besides its ids.
pub struct ContactRecord<'a> {
    pub kind: ContactKind,
    pub at: &'a str,
    pub user: &'a str,
    pub summary: &'a str,
    pub follow_up: Option<&'a str>,
    pub done_at: Option<&'a str>,
}

pub fn insert_contact(conn: &Connection, code: &str, customer: CustomerId, r: &ContactRecord<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO contacts (code, customer_id, kind, at, user_name, summary, follow_up, done_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((code, customer.0, r.kind.as_str(), r.at, r.user, r.summary, r.follow_up, r.done_at))?;
    Ok(conn.last_insert_rowid())
}

/// Replaces a contact's content (CSV import), bumping its version.
pub fn update_contact(conn: &Connection, id: i64, customer: CustomerId, r: &ContactRecord<'_>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE contacts SET customer_id = ?1, kind = ?2, at = ?3, user_name = ?4, summary = ?5, follow_up = ?6,
                done_at = ?7, version = version + 1 WHERE id = ?8",
    )?
    .execute((customer.0, r.kind.as_str(), r.at, r.user, r.summary, r.follow_up, r.done_at, id))?;
    Ok(())
}

pub fn get_contact(conn: &Connection, id: i64) -> Result<Option<Contact>> {
    Ok(conn
        .prepare_cached(&format!("{CONTACT_SELECT} WHERE k.id = ?1"))?
        .query_row([id], contact_from_row)
        .optional()?)
}

pub fn find_contact(conn: &Connection, code: &str) -> Result<Option<Contact>> {
    Ok(conn
        .prepare_cached(&format!("{CONTACT_SELECT} WHERE k.code = ?1"))?
        .query_row([code], contact_from_row)
        .optional()?)
}

/// A customer's contacts with exactly this summary: what a line without a code may be.
pub fn contacts_saying(conn: &Connection, customer: CustomerId, summary: &str) -> Result<Vec<Contact>> {
    let mut stmt = conn.prepare_cached(&format!("{CONTACT_SELECT} WHERE k.customer_id = ?1 AND k.summary = ?2"))?;
    let rows = stmt.query_map(rusqlite::params![customer.0, summary], contact_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest contacts of one customer first.
pub fn contacts_of(conn: &Connection, customer: CustomerId, limit: usize) -> Result<Vec<Contact>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(&format!("{CONTACT_SELECT} WHERE k.customer_id = ?1 ORDER BY k.at DESC, k.id DESC LIMIT ?2"))?
        .query_map((customer.0, limit), contact_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Marks an open follow-up done; refused if someone changed the contact meanwhile.
pub fn finish_follow_up(conn: &Connection, id: i64, version: i64, at: &str) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE contacts SET done_at = ?1, version = version + 1 WHERE id = ?2 AND version = ?3")?
        .execute((at, id, version))?;
    if changed == 1 {
        return Ok(());
    }
    match get_contact(conn, id)? {
        Some(c) => Err(Error::Conflict { what: c.code }),
        None => Err(Error::NotFound { what: id.to_string() }),
    }
}

/// Open follow-ups in date order after (`date`, `id`), or from the start.
pub fn open_follow_ups(conn: &Connection, after: Option<(&str, i64)>, limit: usize) -> Result<Vec<Contact>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let (date, id) = after.unwrap_or(("", 0));
    let rows = conn
        .prepare_cached(&format!(
            "{CONTACT_SELECT} WHERE k.follow_up IS NOT NULL AND k.done_at IS NULL AND (k.follow_up, k.id) > (?1, ?2)
             ORDER BY k.follow_up, k.id LIMIT ?3"
        ))?
        .query_map((date, id, limit), contact_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Open follow-ups before (`date`, `id`), returned in date order (for paging up).
pub fn open_follow_ups_before(conn: &Connection, before: (&str, i64), limit: usize) -> Result<Vec<Contact>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = conn
        .prepare_cached(&format!(
            "{CONTACT_SELECT} WHERE k.follow_up IS NOT NULL AND k.done_at IS NULL AND (k.follow_up, k.id) < (?1, ?2)
             ORDER BY k.follow_up DESC, k.id DESC LIMIT ?3"
        ))?
        .query_map((before.0, before.1, limit), contact_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.reverse();
    Ok(rows)
}

/// Open follow-ups overdue, due `today`, and upcoming: three range counts on the index.
pub fn follow_up_counts(conn: &Connection, today: &str) -> Result<(usize, usize, usize)> {
    let counts: (i64, i64, i64) = conn
        .prepare_cached(
            "SELECT COUNT(*) FILTER (WHERE follow_up < ?1), COUNT(*) FILTER (WHERE follow_up = ?1),
                COUNT(*) FILTER (WHERE follow_up > ?1)
         FROM contacts WHERE follow_up IS NOT NULL AND done_at IS NULL",
        )?
        .query_row([today], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let n = |v: i64| usize::try_from(v).unwrap_or(0);
    Ok((n(counts.0), n(counts.1), n(counts.2)))
}

pub fn for_each_contact(conn: &Connection, mut visit: impl FnMut(Contact) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(&format!("{CONTACT_SELECT} ORDER BY k.code, k.id"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        visit(contact_from_row(row)?)?;
    }
    Ok(())
}

/// A feedback item or complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub id: i64,
    pub code: String,
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub customer_name: String,
    pub order_ref: String,
    pub kind: FeedbackKind,
    pub severity: Severity,
    pub status: Status,
    pub assignee: String,
    pub description: String,
    pub resolution: String,
    pub opened_at: String,
    pub resolved_at: Option<String>,
    pub version: i64,
}

const FEEDBACK_SELECT: &str = "SELECT f.*, c.code AS customer_code, c.name AS customer_name
     FROM feedback f JOIN customers c ON c.id = f.customer_id";

fn feedback_from_row(row: &Row<'_>) -> rusqlite::Result<Feedback> {
    let text = |name: &str| row.get::<_, String>(name);
    // CHECK constraints allow only known values; the fallbacks are never taken.
    Ok(Feedback {
        id: row.get("id")?,
        code: text("code")?,
        customer_id: CustomerId(row.get("customer_id")?),
        customer_code: text("customer_code")?,
        customer_name: text("customer_name")?,
        order_ref: text("order_ref")?,
        kind: FeedbackKind::parse(&text("kind")?).unwrap_or(FeedbackKind::Feedback),
        severity: Severity::parse(&text("severity")?).unwrap_or(Severity::Low),
        status: Status::parse(&text("status")?).unwrap_or(Status::Open),
        assignee: text("assignee")?,
        description: text("description")?,
        resolution: text("resolution")?,
        opened_at: text("opened_at")?,
        resolved_at: row.get("resolved_at")?,
        version: row.get("version")?,
    })
}

/// What a feedback row holds besides its ids.
pub struct FeedbackRecord<'a> {
    pub order_ref: &'a str,
    pub kind: FeedbackKind,
    pub severity: Severity,
    pub status: Status,
    pub assignee: &'a str,
    pub description: &'a str,
    pub resolution: &'a str,
    pub opened_at: &'a str,
    pub resolved_at: Option<&'a str>,
}

pub fn insert_feedback(conn: &Connection, code: &str, customer: CustomerId, r: &FeedbackRecord<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO feedback (code, customer_id, order_ref, kind, severity, status, assignee, description,
                               resolution, opened_at, resolved_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(rusqlite::params![
        code,
        customer.0,
        r.order_ref,
        r.kind.as_str(),
        r.severity.as_str(),
        r.status.as_str(),
        r.assignee,
        r.description,
        r.resolution,
        r.opened_at,
        r.resolved_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Replaces a feedback item's content as of `version`; a stale version is a conflict.
pub fn update_feedback(
    conn: &Connection,
    id: i64,
    version: i64,
    customer: CustomerId,
    r: &FeedbackRecord<'_>,
) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE feedback SET customer_id = ?1, order_ref = ?2, kind = ?3, severity = ?4, status = ?5,
                    assignee = ?6, description = ?7, resolution = ?8, opened_at = ?9, resolved_at = ?10,
                    version = version + 1
             WHERE id = ?11 AND version = ?12",
        )?
        .execute(rusqlite::params![
            customer.0,
            r.order_ref,
            r.kind.as_str(),
            r.severity.as_str(),
            r.status.as_str(),
            r.assignee,
            r.description,
            r.resolution,
            r.opened_at,
            r.resolved_at,
            id,
            version
        ])?;
    if changed == 1 {
        return Ok(());
    }
    match get_feedback(conn, id)? {
        Some(f) => Err(Error::Conflict { what: f.code }),
        None => Err(Error::NotFound { what: id.to_string() }),
    }
}

pub fn get_feedback(conn: &Connection, id: i64) -> Result<Option<Feedback>> {
    Ok(conn
        .prepare_cached(&format!("{FEEDBACK_SELECT} WHERE f.id = ?1"))?
        .query_row([id], feedback_from_row)
        .optional()?)
}

pub fn find_feedback(conn: &Connection, code: &str) -> Result<Option<Feedback>> {
    Ok(conn
        .prepare_cached(&format!("{FEEDBACK_SELECT} WHERE f.code = ?1"))?
        .query_row([code], feedback_from_row)
        .optional()?)
}

/// A customer's feedback with exactly this description: what a line without a code may be.
pub fn feedback_saying(conn: &Connection, customer: CustomerId, description: &str) -> Result<Vec<Feedback>> {
    let mut stmt =
        conn.prepare_cached(&format!("{FEEDBACK_SELECT} WHERE f.customer_id = ?1 AND f.description = ?2"))?;
    let rows = stmt.query_map(rusqlite::params![customer.0, description], feedback_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// SQL ordering weight of a severity: critical first.
const SEVERITY_WEIGHT: &str =
    "CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END";

/// Open and in-progress items, most severe first, then oldest first; at most `limit`.
pub fn open_feedback(conn: &Connection, limit: usize) -> Result<Vec<Feedback>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(&format!(
            "{FEEDBACK_SELECT} WHERE f.status IN ('open', 'in_progress') ORDER BY {SEVERITY_WEIGHT}, f.opened_at, f.id LIMIT ?1"
        ))?
        .query_map([limit], feedback_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// What still needs someone: open and in-progress items (most severe, oldest first), then
/// resolved ones waiting to be closed.
pub fn feedback_to_handle(conn: &Connection, limit: usize) -> Result<Vec<Feedback>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(&format!(
            "{FEEDBACK_SELECT} WHERE f.status IN ('open', 'in_progress', 'resolved')
             ORDER BY f.status = 'resolved', {SEVERITY_WEIGHT}, f.opened_at, f.id LIMIT ?1"
        ))?
        .query_map([limit], feedback_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn feedback_to_handle_count(conn: &Connection) -> Result<usize> {
    let n: i64 =
        conn.query_row("SELECT COUNT(*) FROM feedback WHERE status IN ('open', 'in_progress', 'resolved')", [], |r| {
            r.get(0)
        })?;
    Ok(usize::try_from(n).unwrap_or(0))
}

pub fn open_feedback_count(conn: &Connection) -> Result<usize> {
    let n: i64 =
        conn.query_row("SELECT COUNT(*) FROM feedback WHERE status IN ('open', 'in_progress')", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// One customer's items: open ones first, then newest.
pub fn feedback_of(conn: &Connection, customer: CustomerId, limit: usize) -> Result<Vec<Feedback>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(&format!(
            "{FEEDBACK_SELECT} WHERE f.customer_id = ?1
             ORDER BY f.status IN ('open', 'in_progress') DESC, f.opened_at DESC, f.id DESC LIMIT ?2"
        ))?
        .query_map((customer.0, limit), feedback_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn for_each_feedback(conn: &Connection, mut visit: impl FnMut(Feedback) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(&format!("{FEEDBACK_SELECT} ORDER BY f.code, f.id"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        visit(feedback_from_row(row)?)?;
    }
    Ok(())
}

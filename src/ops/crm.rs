//! Customer relationship use cases: log contacts and follow them up, record feedback and
//! complaints and move them through their statuses; CSV for both.

use std::io::Write;

use rusqlite::Connection;

use super::Session;
use super::csv_io::{Errors, SafeWriter};
use super::csv_lines::{Line, Outcome, TableSpec, import_table};
use super::sales_history::Input;
use crate::db::crm::{self as repo, Contact, ContactRecord, Feedback, FeedbackRecord};
use crate::db::{self, customers as customer_repo};
use crate::domain::crm::{self, ContactInput, ContactKind, FeedbackInput, FeedbackKind, MoveRefused, Severity, Status};
use crate::domain::fields::{FieldError, Problem, check_text};
use crate::domain::ids::CustomerId;
use crate::error::{Error, Result, describe_problem};
use crate::i18n::tf;

const CONTACT_COUNTER: &str = "contact_code";
const FEEDBACK_COUNTER: &str = "feedback_code";

fn next_code(conn: &Connection, counter: &str, prefix: char, taken: impl Fn(&str) -> Result<bool>) -> Result<String> {
    loop {
        let code = format!("{prefix}{:06}", db::meta::take_next(conn, counter)?);
        if !taken(&code)? {
            return Ok(code);
        }
    }
}

/// Logs a call, e-mail, meeting, visit or note with the customer, now, by the operator.
pub fn log_contact(session: &mut Session, customer: CustomerId, input: &ContactInput) -> Result<Contact> {
    let data = crm::validate_contact(input).map_err(Error::Invalid)?;
    let id = session.write(|tx, ctx| {
        require_customer(tx, customer)?;
        let code = next_code(tx, CONTACT_COUNTER, 'K', |c| Ok(repo::find_contact(tx, c)?.is_some()))?;
        let follow_up = data.follow_up.map(|d| d.to_string());
        let record = ContactRecord {
            kind: data.kind,
            at: &ctx.now,
            user: &ctx.operator.name,
            summary: &data.summary,
            follow_up: follow_up.as_deref(),
            done_at: None,
        };
        let id = repo::insert_contact(tx, &code, customer, &record)?;
        ctx.audit(tx, "log-contact", "customer", Some(customer.0), format!("{code} {}", data.kind.as_str()))?;
        Ok(id)
    })?;
    repo::get_contact(session.db.conn(), id)?.ok_or_else(|| Error::NotFound { what: id.to_string() })
}

fn require_customer(conn: &Connection, customer: CustomerId) -> Result<()> {
    match customer_repo::get(conn, customer)? {
        Some(_) => Ok(()),
        None => Err(Error::NotFound { what: customer.to_string() }),
    }
}

/// Marks a follow-up done.
pub fn finish_follow_up(session: &mut Session, contact: &Contact) -> Result<()> {
    session.write(|tx, ctx| {
        repo::finish_follow_up(tx, contact.id, contact.version, &ctx.now)?;
        ctx.audit(tx, "follow-up-done", "customer", Some(contact.customer_id.0), contact.code.clone())
    })
}

pub fn recent_contacts(session: &Session, customer: CustomerId, limit: usize) -> Result<Vec<Contact>> {
    repo::contacts_of(session.db.conn(), customer, limit)
}

/// Open follow-ups in date order, after `after` (date, id) or from the earliest.
pub fn follow_ups(session: &Session, after: Option<(&str, i64)>, limit: usize) -> Result<Vec<Contact>> {
    repo::open_follow_ups(session.db.conn(), after, limit)
}

pub fn follow_ups_before(session: &Session, before: (&str, i64), limit: usize) -> Result<Vec<Contact>> {
    repo::open_follow_ups_before(session.db.conn(), before, limit)
}

/// Overdue, due today, upcoming.
pub fn follow_up_counts(session: &Session) -> Result<(usize, usize, usize)> {
    repo::follow_up_counts(session.db.conn(), &session.clock.today().to_string())
}

/// Records feedback or a complaint about the customer; it starts open.
pub fn record_feedback(session: &mut Session, customer: CustomerId, input: &FeedbackInput) -> Result<Feedback> {
    let data = crm::validate_feedback(input).map_err(Error::Invalid)?;
    let id = session.write(|tx, ctx| {
        require_customer(tx, customer)?;
        let code = next_code(tx, FEEDBACK_COUNTER, 'F', |c| Ok(repo::find_feedback(tx, c)?.is_some()))?;
        let record = FeedbackRecord {
            order_ref: &data.order_ref,
            kind: data.kind,
            severity: data.severity,
            status: Status::Open,
            assignee: &data.assignee,
            description: &data.description,
            resolution: "",
            opened_at: &ctx.now,
            resolved_at: None,
        };
        let id = repo::insert_feedback(tx, &code, customer, &record)?;
        ctx.audit(tx, "record-feedback", "customer", Some(customer.0), format!("{code} {}", data.kind.as_str()))?;
        Ok(id)
    })?;
    repo::get_feedback(session.db.conn(), id)?.ok_or_else(|| Error::NotFound { what: id.to_string() })
}

/// Moves an item to `to`, as it was at its version. Resolving records the resolution and the
/// time; reopening clears the time. Illegal moves are refused with the reason.
pub fn move_feedback(session: &mut Session, item: &Feedback, to: Status, resolution: &str) -> Result<Feedback> {
    let resolution = if resolution.trim().is_empty() { item.resolution.clone() } else { resolution.to_string() };
    let resolution = check_text(&resolution, false, 4000, true)
        .map_err(|problem| Error::Invalid(vec![FieldError { field: "resolution", problem }]))?;
    crm::check_move(item.status, to, &resolution).map_err(|refused| match refused {
        MoveRefused::NotAllowed { from, to } => {
            let hint = match (from, to) {
                (Status::Open | Status::InProgress, Status::Closed) => crate::i18n::t("crm.hint_resolve_first"),
                (Status::Closed, _) => crate::i18n::t("crm.hint_reopen_first"),
                _ => crate::i18n::t("crm.hint_moves"),
            };
            Error::Refused(tf(
                "crm.move_not_allowed",
                &[("code", &item.code), ("from", &status_label(from)), ("to", &status_label(to)), ("hint", &hint)],
            ))
        }
        MoveRefused::NeedsResolution => Error::Refused(tf("crm.needs_resolution", &[("code", &item.code)])),
    })?;
    session.write(|tx, ctx| {
        let resolved_at = match to {
            Status::Resolved => Some(ctx.now.as_str()),
            Status::Closed => item.resolved_at.as_deref(),
            _ => None,
        };
        let record = FeedbackRecord {
            order_ref: &item.order_ref,
            kind: item.kind,
            severity: item.severity,
            status: to,
            assignee: &item.assignee,
            description: &item.description,
            resolution: &resolution,
            opened_at: &item.opened_at,
            resolved_at,
        };
        repo::update_feedback(tx, item.id, item.version, item.customer_id, &record)?;
        ctx.audit(tx, "move-feedback", "customer", Some(item.customer_id.0), format!("{} {}", item.code, to.as_str()))
    })?;
    repo::get_feedback(session.db.conn(), item.id)?.ok_or_else(|| Error::NotFound { what: item.code.clone() })
}

/// When a follow-up is due, in words: "overdue 3 d", "today", "in 2 d".
pub fn describe_due(when: crm::Due) -> String {
    match when {
        crm::Due::Overdue { days } => tf("due.overdue", &[("days", &days)]),
        crm::Due::Today => crate::i18n::t("due.today").to_string(),
        crm::Due::Upcoming { days } => tf("due.upcoming", &[("days", &days)]),
    }
}

/// A customer's feedback and complaints that are still open.
pub fn open_feedback_of(session: &Session, customer: CustomerId, limit: usize) -> Result<Vec<Feedback>> {
    Ok(repo::feedback_of(session.db.conn(), customer, limit)?.into_iter().filter(|f| f.status.is_open()).collect())
}

/// A contact kind in the current language.
pub fn contact_kind_label(kind: ContactKind) -> &'static str {
    use crate::i18n::t;
    match kind {
        ContactKind::Call => t("kind.call"),
        ContactKind::Email => t("kind.email"),
        ContactKind::Meeting => t("kind.meeting"),
        ContactKind::Visit => t("kind.visit"),
        ContactKind::Note => t("kind.note"),
    }
}

pub fn feedback_kind_label(kind: FeedbackKind) -> &'static str {
    use crate::i18n::t;
    match kind {
        FeedbackKind::Feedback => t("kind.feedback"),
        FeedbackKind::Complaint => t("kind.complaint"),
    }
}

pub fn severity_label(severity: Severity) -> &'static str {
    use crate::i18n::t;
    match severity {
        Severity::Low => t("severity.low"),
        Severity::Medium => t("severity.medium"),
        Severity::High => t("severity.high"),
        Severity::Critical => t("severity.critical"),
    }
}

/// The status in the current language.
pub fn status_label(status: Status) -> &'static str {
    use crate::i18n::t;
    match status {
        Status::Open => t("status.open"),
        Status::InProgress => t("status.in_progress"),
        Status::Resolved => t("status.resolved"),
        Status::Closed => t("status.closed"),
    }
}

pub fn open_feedback(session: &Session, limit: usize) -> Result<Vec<Feedback>> {
    repo::open_feedback(session.db.conn(), limit)
}

/// Open, in-progress and resolved-but-not-closed items: the feedback view's list.
pub fn feedback_to_handle(session: &Session, limit: usize) -> Result<(Vec<Feedback>, usize)> {
    Ok((repo::feedback_to_handle(session.db.conn(), limit)?, repo::feedback_to_handle_count(session.db.conn())?))
}

pub fn open_feedback_count(session: &Session) -> Result<usize> {
    repo::open_feedback_count(session.db.conn())
}

pub fn feedback_of(session: &Session, customer: CustomerId, limit: usize) -> Result<Vec<Feedback>> {
    repo::feedback_of(session.db.conn(), customer, limit)
}

/// The CSV columns of contacts, in order. See docs/csv.md.
pub const CONTACT_COLUMNS: &[&str] = &["code", "customer", "kind", "at", "user", "summary", "follow_up", "done"];
/// The CSV columns of feedback and complaints, in order.
pub const FEEDBACK_COLUMNS: &[&str] = &[
    "code",
    "customer",
    "order_ref",
    "kind",
    "severity",
    "status",
    "assignee",
    "description",
    "resolution",
    "opened",
    "resolved",
];

/// A contact as a CSV line, in `CONTACT_COLUMNS` order: the export, and what an import
/// keeps for the columns its file does not have.
fn contact_row(c: &Contact) -> Vec<String> {
    vec![
        c.code.clone(),
        c.customer_code.clone(),
        c.kind.as_str().to_string(),
        c.at.clone(),
        c.user.clone(),
        c.summary.clone(),
        c.follow_up.clone().unwrap_or_default(),
        c.done_at.clone().unwrap_or_default(),
    ]
}

/// A feedback item as a CSV line, in `FEEDBACK_COLUMNS` order.
fn feedback_row(f: &Feedback) -> Vec<String> {
    vec![
        f.code.clone(),
        f.customer_code.clone(),
        f.order_ref.clone(),
        f.kind.as_str().to_string(),
        f.severity.as_str().to_string(),
        f.status.as_str().to_string(),
        f.assignee.clone(),
        f.description.clone(),
        f.resolution.clone(),
        f.opened_at.clone(),
        f.resolved_at.clone().unwrap_or_default(),
    ]
}

pub fn export_contacts(session: &Session, out: impl Write) -> Result<usize> {
    export_contacts_some(session, &|_| true, out)
}

/// `export_contacts` of the contacts whose id `keep` says: a list's rows.
pub fn export_contacts_some(session: &Session, keep: &dyn Fn(i64) -> bool, out: impl Write) -> Result<usize> {
    let mut writer = SafeWriter::new(out);
    writer.row(CONTACT_COLUMNS.iter().copied())?;
    let mut n = 0;
    repo::for_each_contact(session.db.conn(), |c| {
        if !keep(c.id) {
            return Ok(());
        }
        n += 1;
        writer.row(contact_row(&c).iter().map(String::as_str))
    })?;
    writer.finish()?;
    Ok(n)
}

pub fn export_feedback(session: &Session, out: impl Write) -> Result<usize> {
    export_feedback_some(session, &|_| true, out)
}

/// `export_feedback` of the items whose id `keep` says: a list's rows.
pub fn export_feedback_some(session: &Session, keep: &dyn Fn(i64) -> bool, out: impl Write) -> Result<usize> {
    let mut writer = SafeWriter::new(out);
    writer.row(FEEDBACK_COLUMNS.iter().copied())?;
    let mut n = 0;
    repo::for_each_feedback(session.db.conn(), |f| {
        if !keep(f.id) {
            return Ok(());
        }
        n += 1;
        writer.row(feedback_row(&f).iter().map(String::as_str))
    })?;
    writer.finish()?;
    Ok(n)
}

pub use super::customers::ImportReport;

/// The customer a line names by code, or a problem on its customer column.
fn line_customer(line: &Line<'_>, conn: &Connection, errors: &mut Errors) -> Result<Option<CustomerId>> {
    let code = line.cell("customer").unwrap_or("").trim().to_string();
    let code = code.as_str();
    let found = customer_repo::find_by_code(conn, code)?.map(|c| c.id);
    if found.is_none() {
        errors.push(line.number, "customer", code, describe_problem(&Problem::UnknownCustomer));
    }
    Ok(found)
}

/// Imports contacts: matched by code, customers by their code. See docs/csv.md.
pub fn import_contacts(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    import_contacts_input(session, &Input::from_bytes(bytes), dry_run)
}

/// `import_contacts` reading the file a line at a time.
pub fn import_contacts_input(session: &mut Session, input: &Input, dry_run: bool) -> Result<ImportReport> {
    // Contacts this import made or matched a line without a code to: one line each, so two
    // like lines are two contacts, and a new one is not taken for an old.
    let mut accounted: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let stored = |tx: &Connection, code: &str| -> Result<Option<Vec<String>>> {
        if code.is_empty() { Ok(None) } else { Ok(repo::find_contact(tx, code)?.as_ref().map(contact_row)) }
    };
    import_table(
        session,
        input,
        dry_run,
        &TableSpec { columns: CONTACT_COLUMNS, required: &["customer"], entity: "contact" },
        stored,
        |tx, ctx, line, errors| {
            let customer = line_customer(line, tx, errors)?;
            let kind = line.choice_or_kept(errors, "kind", ContactKind::parse, ContactKind::Note);
            let at = line.time_or_kept(errors, "at").unwrap_or_else(|| ctx.now.clone());
            let user = line.text(errors, "user", false, 64, false);
            // Not given: whoever logged it, kept; for a new contact, whoever imports it.
            let user = match user.is_empty() {
                true => line.kept("user").map_or_else(|| ctx.operator.name.clone(), str::to_string),
                false => user,
            };
            let summary = line.text(errors, "summary", true, 2000, true);
            let follow_up = line.date(errors, "follow_up");
            let done_at = line.time(errors, "done");
            let code = line.text(errors, "code", false, 32, false);
            // Once any line has a problem nothing more is written; the rest is only checked.
            let (Some(customer), true) = (customer, errors.is_empty()) else { return Ok(Outcome::Skipped) };
            let record = ContactRecord {
                kind,
                at: &at,
                user: &user,
                summary: &summary,
                follow_up: follow_up.as_deref(),
                done_at: done_at.as_deref(),
            };
            // Without a code: the same contact stored already, when every cell given agrees
            // (an empty time or user is not given: it would be now and whoever imports).
            if code.is_empty() {
                let stored = repo::contacts_saying(tx, customer, &summary)?.into_iter().find(|c| {
                    !accounted.contains(&c.id)
                        && (!line.gives("kind") || c.kind == kind)
                        && (!line.fills("at") || c.at == at)
                        && (!line.fills("user") || c.user == user)
                        && (!line.gives("follow_up") || c.follow_up == follow_up)
                        && (!line.gives("done") || c.done_at == done_at)
                });
                if let Some(c) = stored {
                    accounted.insert(c.id);
                    return Ok(Outcome::Unchanged);
                }
            }
            let existing = if code.is_empty() { None } else { repo::find_contact(tx, &code)? };
            match existing {
                None => {
                    let code = if code.is_empty() {
                        next_code(tx, CONTACT_COUNTER, 'K', |c| Ok(repo::find_contact(tx, c)?.is_some()))?
                    } else {
                        code
                    };
                    accounted.insert(repo::insert_contact(tx, &code, customer, &record)?);
                    Ok(Outcome::Created)
                }
                Some(current) => {
                    let same = current.customer_id == customer
                        && current.kind == kind
                        && current.at == at
                        && current.user == user
                        && current.summary == summary
                        && current.follow_up == follow_up
                        && current.done_at == done_at;
                    if same {
                        return Ok(Outcome::Unchanged);
                    }
                    repo::update_contact(tx, current.id, customer, &record)?;
                    Ok(Outcome::Updated)
                }
            }
        },
    )
}

/// Imports feedback and complaints: matched by code, customers by their code.
pub fn import_feedback(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    // Items this import made or matched a line without a code to: one line each.
    let mut accounted: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let stored = |tx: &Connection, code: &str| -> Result<Option<Vec<String>>> {
        if code.is_empty() { Ok(None) } else { Ok(repo::find_feedback(tx, code)?.as_ref().map(feedback_row)) }
    };
    import_table(
        session,
        &Input::from_bytes(bytes),
        dry_run,
        &TableSpec { columns: FEEDBACK_COLUMNS, required: &["customer"], entity: "feedback" },
        stored,
        |tx, ctx, line, errors| {
            let customer = line_customer(line, tx, errors)?;
            let kind = line.choice_or_kept(errors, "kind", FeedbackKind::parse, FeedbackKind::Feedback);
            let severity = line.choice_or_kept(errors, "severity", Severity::parse, Severity::Low);
            let status = line.choice_or_kept(errors, "status", Status::parse, Status::Open);
            let order_ref = line.text(errors, "order_ref", false, 40, false);
            let assignee = line.text(errors, "assignee", false, 64, false);
            let description = line.text(errors, "description", true, 4000, true);
            let resolution = line.text(errors, "resolution", false, 4000, true);
            let opened = line.time_or_kept(errors, "opened").unwrap_or_else(|| ctx.now.clone());
            let resolved = line.time(errors, "resolved");
            let code = line.text(errors, "code", false, 32, false);
            // The same rules as moving an item by hand: resolved or closed items say how and
            // when; open ones have no resolution time yet.
            if matches!(status, Status::Resolved | Status::Closed) {
                if resolution.is_empty() {
                    errors.push(line.number, "resolution", "", describe_problem(&Problem::Required));
                }
                if resolved.is_none() {
                    errors.push(line.number, "resolved", "", describe_problem(&Problem::Required));
                }
            } else if let Some(at) = &resolved {
                errors.push(line.number, "resolved", at, describe_problem(&Problem::MustBeEmptyWhileOpen));
            }
            // Once any line has a problem nothing more is written; the rest is only checked.
            let (Some(customer), true) = (customer, errors.is_empty()) else { return Ok(Outcome::Skipped) };
            let record = FeedbackRecord {
                order_ref: &order_ref,
                kind,
                severity,
                status,
                assignee: &assignee,
                description: &description,
                resolution: &resolution,
                opened_at: &opened,
                resolved_at: resolved.as_deref(),
            };
            // Without a code: the same item stored already, when every cell given agrees (an
            // empty opening time is not given: it would be now).
            if code.is_empty() {
                let stored = repo::feedback_saying(tx, customer, &description)?.into_iter().find(|f| {
                    !accounted.contains(&f.id)
                        && (!line.gives("kind") || f.kind == kind)
                        && (!line.gives("severity") || f.severity == severity)
                        && (!line.gives("status") || f.status == status)
                        && (!line.gives("order_ref") || f.order_ref == order_ref)
                        && (!line.gives("assignee") || f.assignee == assignee)
                        && (!line.gives("resolution") || f.resolution == resolution)
                        && (!line.fills("opened") || f.opened_at == opened)
                        && (!line.gives("resolved") || f.resolved_at == resolved)
                });
                if let Some(f) = stored {
                    accounted.insert(f.id);
                    return Ok(Outcome::Unchanged);
                }
            }
            let existing = if code.is_empty() { None } else { repo::find_feedback(tx, &code)? };
            match existing {
                None => {
                    let code = if code.is_empty() {
                        next_code(tx, FEEDBACK_COUNTER, 'F', |c| Ok(repo::find_feedback(tx, c)?.is_some()))?
                    } else {
                        code
                    };
                    accounted.insert(repo::insert_feedback(tx, &code, customer, &record)?);
                    Ok(Outcome::Created)
                }
                Some(current) => {
                    let same = current.customer_id == customer
                        && (current.order_ref.as_str(), current.kind, current.severity, current.status)
                            == (order_ref.as_str(), kind, severity, status)
                        && (current.assignee.as_str(), current.description.as_str(), current.resolution.as_str())
                            == (assignee.as_str(), description.as_str(), resolution.as_str())
                        && current.opened_at == opened
                        && current.resolved_at == resolved;
                    if same {
                        return Ok(Outcome::Unchanged);
                    }
                    repo::update_feedback(tx, current.id, current.version, customer, &record)?;
                    Ok(Outcome::Updated)
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::ops::testing::shop;
    use crate::ops::{Clock, customers};

    fn call(summary: &str, follow_up: &str) -> ContactInput {
        ContactInput { kind: "call".into(), summary: summary.into(), follow_up: follow_up.into() }
    }

    #[test]
    fn follow_ups_are_listed_by_date_until_done() {
        let (mut s, ana) = shop();
        log_contact(&mut s, ana, &call("Wants a quote", "2026-11-30")).unwrap();
        log_contact(&mut s, ana, &call("Paid late", "2026-11-20")).unwrap();
        log_contact(&mut s, ana, &call("Just chatting", "")).unwrap();
        let today = log_contact(&mut s, ana, &call("Call back", "2026-11-27")).unwrap();
        assert_eq!(follow_up_counts(&s).unwrap(), (1, 1, 1));
        let open: Vec<_> = follow_ups(&s, None, 10).unwrap().into_iter().map(|c| c.summary).collect();
        assert_eq!(open, vec!["Paid late", "Call back", "Wants a quote"]);
        finish_follow_up(&mut s, &today).unwrap();
        assert_eq!(follow_up_counts(&s).unwrap(), (1, 0, 1));
        assert!(matches!(finish_follow_up(&mut s, &today), Err(Error::Conflict { .. })), "stale version");
        let recent = recent_contacts(&s, ana, 2).unwrap();
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0].user, "alice");
    }

    #[test]
    fn a_customer_with_contacts_cannot_be_deleted_only_archived() {
        let (mut s, ana) = shop();
        log_contact(&mut s, ana, &call("Hello", "")).unwrap();
        let err = customers::delete(&mut s, ana, 1).unwrap_err();
        assert!(matches!(err, Error::InUse { .. }), "{err:?}");
        customers::set_archived(&mut s, ana, 1, true).unwrap();
    }

    #[test]
    fn feedback_moves_are_checked_and_recorded() {
        let (mut s, ana) = shop();
        let input = FeedbackInput {
            kind: "complaint".into(),
            severity: "high".into(),
            description: "Broken jar in the delivery".into(),
            ..Default::default()
        };
        let item = record_feedback(&mut s, ana, &input).unwrap();
        assert_eq!((item.status, item.code.as_str()), (Status::Open, "F000001"));
        let err = move_feedback(&mut s, &item, Status::Closed, "").unwrap_err();
        assert_eq!(err.to_string(), "F000001: open → closed is not allowed. Resolve it first (v).");
        let err = move_feedback(&mut s, &item, Status::Resolved, "").unwrap_err();
        assert!(err.to_string().contains("needs a resolution"), "{err}");
        let resolved = move_feedback(&mut s, &item, Status::Resolved, "Sent a new jar").unwrap();
        assert_eq!(resolved.resolved_at.as_deref(), Some("2026-11-27T10:00:00Z"));
        let stale = move_feedback(&mut s, &item, Status::InProgress, "");
        assert!(matches!(stale, Err(Error::Conflict { .. })), "a copy from before the move is stale: {stale:?}");
        let closed = move_feedback(&mut s, &resolved, Status::Closed, "").unwrap();
        assert_eq!(open_feedback_count(&s).unwrap(), 0);
        let reopened = move_feedback(&mut s, &closed, Status::Open, "").unwrap();
        assert_eq!((reopened.status, reopened.resolved_at), (Status::Open, None));
        assert_eq!(open_feedback(&s, 10).unwrap().len(), 1);
    }

    #[test]
    fn contacts_and_feedback_round_trip_through_csv() {
        let (mut s, ana) = shop();
        log_contact(&mut s, ana, &call("=cmd|' /C calc'!A0", "2026-12-01")).unwrap();
        log_contact(
            &mut s,
            ana,
            &ContactInput { kind: "visit".into(), summary: "Two\nlines".into(), follow_up: String::new() },
        )
        .unwrap();
        let fb = FeedbackInput {
            kind: "feedback".into(),
            severity: "low".into(),
            description: "Loves the tea".into(),
            ..Default::default()
        };
        record_feedback(&mut s, ana, &fb).unwrap();
        let mut contacts = Vec::new();
        export_contacts(&s, &mut contacts).unwrap();
        let mut feedback = Vec::new();
        export_feedback(&s, &mut feedback).unwrap();
        let mut customers_csv = Vec::new();
        customers::export(&s, &mut customers_csv).unwrap();

        let mut other = Session::start(Db::open_in_memory().unwrap(), "bob", Clock::System).unwrap();
        customers::import(&mut other, &customers_csv, false).unwrap();
        let report = import_contacts(&mut other, &contacts, false).unwrap();
        assert_eq!(report.created, 2);
        import_feedback(&mut other, &feedback, false).unwrap();
        let (mut again_contacts, mut again_feedback) = (Vec::new(), Vec::new());
        export_contacts(&other, &mut again_contacts).unwrap();
        export_feedback(&other, &mut again_feedback).unwrap();
        assert_eq!(String::from_utf8(again_contacts).unwrap(), String::from_utf8(contacts.clone()).unwrap());
        assert_eq!(again_feedback, feedback);
        let second = import_contacts(&mut other, &contacts, false).unwrap();
        assert_eq!((second.created, second.updated, second.unchanged), (0, 0, 2));
    }

    #[test]
    fn contact_import_errors_name_line_and_column() {
        let (mut s, _) = shop();
        let file = "customer,kind,summary,follow_up\nC000001,call,ok,2026-12-01\nC999,fax,,soon\n";
        let err = import_contacts(&mut s, file.as_bytes(), false).unwrap_err().to_string();
        for expected in [
            "line 3, column customer: 'C999'",
            "line 3, column kind: 'fax'",
            "line 3, column summary",
            "line 3, column follow_up: 'soon'",
        ] {
            assert!(err.contains(expected), "{expected} in {err}");
        }
        assert!(follow_ups(&s, None, 10).unwrap().is_empty(), "nothing written");
        let err = import_contacts(&mut s, b"kind,summary\ncall,x\n", false).unwrap_err().to_string();
        assert!(err.contains("no customer column"), "{err}");
    }

    /// A file with only some columns changes only those: the rest of each matched record
    /// keeps its stored value (no reset to defaults, no reopened complaints).
    #[test]
    fn partial_files_change_only_their_columns() {
        let (mut s, ana) = shop();
        let logged = log_contact(&mut s, ana, &call("Wants a quote", "2026-12-01")).unwrap();
        let fb = FeedbackInput {
            kind: "complaint".into(),
            severity: "high".into(),
            description: "Late".into(),
            ..Default::default()
        };
        let item = record_feedback(&mut s, ana, &fb).unwrap();
        let item = move_feedback(&mut s, &item, Status::Resolved, "Apologised").unwrap();
        let closed = move_feedback(&mut s, &item, Status::Closed, "").unwrap();

        let file = format!("code,customer,summary\n{},C000001,Wants a quote for 300 jars\n", logged.code);
        assert_eq!(import_contacts(&mut s, file.as_bytes(), false).unwrap().updated, 1);
        let after = repo::find_contact(s.db.conn(), &logged.code).unwrap().unwrap();
        assert_eq!(after.summary, "Wants a quote for 300 jars");
        assert_eq!((after.kind, after.at.as_str(), after.user.as_str()), (logged.kind, logged.at.as_str(), "alice"));
        assert_eq!(after.follow_up.as_deref(), Some("2026-12-01"));

        let file = format!("code,customer,assignee\n{},C000001,bruno\n", closed.code);
        import_feedback(&mut s, file.as_bytes(), false).unwrap();
        let after = repo::find_feedback(s.db.conn(), &closed.code).unwrap().unwrap();
        assert_eq!(
            (after.status, after.assignee.as_str(), after.resolution.as_str()),
            (Status::Closed, "bruno", "Apologised")
        );
    }

    #[test]
    fn imported_feedback_obeys_the_status_rules() {
        let (mut s, _) = shop();
        let file = "customer,description,status,resolution,resolved\n\
                    C000001,Late,resolved,,\n\
                    C000001,Broken,open,,2026-11-01T00:00:00Z\n";
        let err = import_feedback(&mut s, file.as_bytes(), false).unwrap_err().to_string();
        for expected in ["line 2, column resolution", "line 2, column resolved", "line 3, column resolved"] {
            assert!(err.contains(expected), "{expected} in {err}");
        }
        assert_eq!(open_feedback_count(&s).unwrap(), 0, "nothing written");
    }
}

//! Customer use cases: create, edit, archive, delete, list, and CSV export and import.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::Connection;
use strum::IntoEnumIterator;

use super::csv_io::{Errors, SafeWriter};
use super::csv_stream::CsvStream;
use super::sales_history::Input;
use super::{Session, WriteCtx};
use crate::db::{self, customers as repo};
use crate::domain::customer::{self, Customer, CustomerData, CustomerField, FieldError, Problem, generated_code};
use crate::domain::ids::CustomerId;
use crate::error::{Error, Result, describe_problem};
use crate::i18n::tf;

pub use crate::db::customers::{Anchor, CustomerRow, CustomerSort, ListQuery, RowKey};

const CODE_COUNTER: &str = "customer_code";

/// The columns of the CSV format, in order. See docs/csv.md.
pub fn csv_columns() -> Vec<&'static str> {
    CustomerField::iter().map(CustomerField::column).chain(["created", "archived"]).collect()
}

pub fn get(session: &Session, id: CustomerId) -> Result<Customer> {
    repo::get(session.db.conn(), id)?.ok_or_else(|| Error::NotFound { what: id.to_string() })
}

pub fn window(session: &Session, query: &ListQuery, anchor: &Anchor, limit: usize) -> Result<Vec<CustomerRow>> {
    repo::window(session.db.conn(), query, anchor, limit)
}

pub fn count(session: &Session, query: &ListQuery) -> Result<usize> {
    repo::count(session.db.conn(), query)
}

/// How many rows of the query come before `key`: the position of a row found by key.
pub fn position(session: &Session, query: &ListQuery, key: &RowKey) -> Result<usize> {
    repo::position(session.db.conn(), query, key)
}

pub fn tier_codes(session: &Session) -> Result<Vec<String>> {
    db::meta::tier_codes(session.db.conn())
}

/// Validates against the shop's tiers and the codes already taken.
fn checked(conn: &Connection, data: &CustomerData, editing: Option<CustomerId>) -> Result<CustomerData> {
    let tiers = db::meta::tier_codes(conn)?;
    let clean = customer::validate(data, &tiers).map_err(Error::Invalid)?;
    if !clean.code.is_empty() && repo::code_taken(conn, &clean.code, editing)? {
        return Err(Error::Invalid(vec![FieldError {
            field: CustomerField::Code.column(),
            problem: Problem::DuplicateCode,
        }]));
    }
    Ok(clean)
}

/// A free generated code: the counter's next value, skipping codes someone typed by hand.
fn fresh_code(conn: &Connection) -> Result<String> {
    loop {
        let code = generated_code(db::meta::take_next(conn, CODE_COUNTER)?);
        if !repo::code_taken(conn, &code, None)? {
            return Ok(code);
        }
    }
}

/// Inserts a validated customer, giving it a code when it has none.
pub(crate) fn insert(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    mut clean: CustomerData,
    created: Option<&str>,
    archived: Option<&str>,
) -> Result<CustomerId> {
    if clean.code.is_empty() {
        clean.code = fresh_code(tx)?;
    } else if let Some(sequence) = customer::generated_sequence(&clean.code) {
        db::meta::raise_past(tx, CODE_COUNTER, sequence)?;
    }
    repo::insert(tx, &clean, created.unwrap_or(&ctx.now), archived)
}

pub fn create(session: &mut Session, data: &CustomerData) -> Result<Customer> {
    let id = session.write(|tx, ctx| create_in(tx, ctx, data))?;
    get(session, id)
}

/// Creates a customer inside another use case's transaction (an order for a new customer).
pub(crate) fn create_in(tx: &Connection, ctx: &WriteCtx<'_>, data: &CustomerData) -> Result<CustomerId> {
    let clean = checked(tx, data, None)?;
    let id = insert(tx, ctx, clean, None, None)?;
    ctx.audit(tx, "create", "customer", Some(id.0), data.name.trim().to_string())?;
    Ok(id)
}

/// Gives a customer entered without an email the one another system knows them by (a
/// history import found them by name): an edit like any other, checked and audited, so a
/// screen open on the customer meanwhile is told it changed.
pub(crate) fn give_email(tx: &Connection, ctx: &WriteCtx<'_>, id: CustomerId, email: &str) -> Result<()> {
    let customer = repo::get(tx, id)?.ok_or_else(|| Error::NotFound { what: id.to_string() })?;
    let data = CustomerData { email: email.to_string(), ..customer.data };
    let clean = checked(tx, &data, Some(id))?;
    repo::update(tx, id, customer.version, &clean)?;
    // Said as what it was: no edit by hand, and the email had none before.
    ctx.audit(
        tx,
        "update",
        "customer",
        Some(id.0),
        format!("{} email {} (was none; history import)", clean.code, email),
    )
}

/// Saves an edit of the customer as it was at `version`.
pub fn update(session: &mut Session, id: CustomerId, version: i64, data: &CustomerData) -> Result<Customer> {
    session.write(|tx, ctx| {
        let clean = checked(tx, data, Some(id))?;
        repo::update(tx, id, version, &clean)?;
        ctx.audit(tx, "update", "customer", Some(id.0), clean.code.clone())
    })?;
    get(session, id)
}

/// Archives (or with `archived == false` brings back) a customer.
pub fn set_archived(session: &mut Session, id: CustomerId, version: i64, archived: bool) -> Result<Customer> {
    session.write(|tx, ctx| {
        repo::set_archived(tx, id, version, archived.then_some(ctx.now.as_str()))?;
        ctx.audit(tx, if archived { "archive" } else { "unarchive" }, "customer", Some(id.0), String::new())
    })?;
    get(session, id)
}

/// Deletes a customer nothing refers to; otherwise says to archive instead.
pub fn delete(session: &mut Session, id: CustomerId, version: i64) -> Result<()> {
    session.write(|tx, ctx| {
        let gone = repo::get(tx, id)?.map(|c| format!("{} {}", c.data.code, c.data.name)).unwrap_or_default();
        repo::delete(tx, id, version)?;
        ctx.audit(tx, "delete", "customer", Some(id.0), gone)
    })
}

/// Writes every customer, archived included, in code order.
pub fn export(session: &Session, out: impl Write) -> Result<usize> {
    write_customers(out, &mut |each| repo::for_each(session.db.conn(), each))
}

/// `export` of the customers `ids` names, in that order: a list's filtered rows as the
/// list sorts them.
pub fn export_some(session: &Session, ids: &[i64], out: impl Write) -> Result<usize> {
    write_customers(out, &mut |each| {
        for id in ids {
            if let Some(customer) = repo::get(session.db.conn(), CustomerId(*id))? {
                each(customer)?;
            }
        }
        Ok(())
    })
}

/// The customers `source` visits, as CSV.
fn write_customers(out: impl Write, source: &mut dyn FnMut(super::Visit<'_, Customer>) -> Result<()>) -> Result<usize> {
    let mut writer = SafeWriter::new(out);
    writer.row(csv_columns())?;
    let mut n = 0;
    source(&mut |c| {
        let mut cells: Vec<&str> = CustomerField::iter().map(|f| c.data.get(f)).collect();
        cells.push(&c.created_at);
        cells.push(c.archived_at.as_deref().unwrap_or(""));
        n += 1;
        writer.row(cells)
    })?;
    writer.finish()?;
    Ok(n)
}

/// What an import did, or with `--dry-run` would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub dry_run: bool,
    /// Orders a clerk's file confirmed that wait for a manager's approval (over the limit).
    pub awaiting_approval: usize,
}

impl ImportReport {
    /// What the counts do not say, a sentence each, after them.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.awaiting_approval > 0 {
            let key = if self.dry_run { "csv.would_await_approval" } else { "csv.await_approval" };
            notes.push(crate::i18n::tf(key, &[("count", &self.awaiting_approval)]));
        }
        notes
    }
}

/// Imports a customer CSV all-or-nothing. Customers are matched by code and only the
/// columns the file has are changed; rows without a code are created with a generated one.
/// Every error of the file is reported at once (up to a limit), each naming line, column
/// and value, and then nothing is written: the whole import is one transaction.
pub fn import(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    import_input(session, &Input::from_bytes(bytes), dry_run)
}

/// `import` reading the file a row at a time (twice when it has codes: the codes first),
/// so memory holds one row and the codes met, whatever the file's size (read whole, a row
/// took about 1.6 KB: 100,000 customers past the 150 MB budget).
pub fn import_input(session: &mut Session, input: &Input, dry_run: bool) -> Result<ImportReport> {
    let mut stream = CsvStream::open(input.open()?)?;
    stream.refuse_unnamed = true;
    let headers: Vec<String> = stream.headers.iter().map(|h| h.to_lowercase()).collect();
    let mut errors = Errors::default();
    let columns = map_columns(&headers, &mut errors);
    errors.into_result()?;
    let apply = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| {
        import_rows(tx, ctx, input, &mut stream, &columns, dry_run)
    };
    session.write_or_rehearse(dry_run, apply)
}

/// One line as the file gives it: only the columns it has.
#[derive(Default)]
struct Given {
    fields: Vec<(CustomerField, String)>,
    /// `None` when the file has no such column.
    created: Option<Option<String>>,
    archived: Option<Option<String>>,
}

fn import_rows(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    input: &Input,
    stream: &mut CsvStream,
    columns: &[Column],
    dry_run: bool,
) -> Result<ImportReport> {
    let tiers = db::meta::tier_codes(tx)?;
    let mut errors = Errors::default();
    let mut seen_codes: HashMap<String, u64> = HashMap::new();
    // Customers this import made or matched a line without a code to: each stands for one
    // line, so two like lines are two customers, and a new one is not taken for an old.
    let mut accounted: std::collections::HashSet<CustomerId> = std::collections::HashSet::new();
    let mut report = ImportReport { dry_run, ..Default::default() };
    // Codes the file names are taken before any line without a code is given one: a new
    // customer on line 2 must not get the code that line 3 names for someone else.
    if let Some(code_column) = columns.iter().position(|c| matches!(c, Column::Field(CustomerField::Code))) {
        // A first read of the codes alone; what it finds wrong the second read names.
        let mut codes = CsvStream::open(input.open()?)?;
        let mut unnamed = Errors::default();
        while codes.next_record(&mut unnamed)?.is_some() {
            if let Some(sequence) = customer::generated_sequence(codes.cell(code_column).trim()) {
                db::meta::raise_past(tx, CODE_COUNTER, sequence)?;
            }
        }
    }
    while let Some(line) = stream.next_record(&mut errors)? {
        let record = stream.record(line);
        let mut given = Given::default();
        for (value, column) in record.fields.iter().zip(columns) {
            match column {
                Column::Field(field) => given.fields.push((*field, value.clone())),
                Column::Created => given.created = Some(parse_time(line, "created", value, &mut errors)),
                Column::Archived => given.archived = Some(parse_time(line, "archived", value, &mut errors)),
                Column::Unnamed => {}
            }
        }
        let code = given.fields.iter().find(|(f, _)| *f == CustomerField::Code).map(|(_, v)| v.trim()).unwrap_or("");
        if !code.is_empty()
            && let Some(first) = seen_codes.insert(code.to_ascii_lowercase(), line)
        {
            errors.push(line, "code", code, tf("csv.duplicate_in_file", &[("line", &first)]));
        }
        let existing = if code.is_empty() { None } else { repo::find_by_code(tx, code)? };
        // A matched customer keeps what the file does not mention.
        let mut data = existing.as_ref().map(|c| c.data.clone()).unwrap_or_default();
        for (field, value) in &given.fields {
            data.set(*field, value.clone());
        }
        match customer::validate(&data, &tiers) {
            Err(problems) => {
                for p in problems {
                    let value = CustomerField::from_column(p.field).map(|f| data.get(f)).unwrap_or("");
                    let absent = !given.fields.iter().any(|(f, _)| f.column() == p.field);
                    let message = match p.problem {
                        // The file cannot give what it has no column for: say so, not "required".
                        Problem::Required if existing.is_none() && absent => {
                            tf("csv.new_needs_column", &[("column", &p.field)])
                        }
                        _ => describe_problem(&p.problem),
                    };
                    errors.push(line, p.field, value, message);
                }
            }
            // After the first error nothing more is written; the rest is only checked.
            Ok(clean) if errors.is_empty() => {
                if code.is_empty()
                    && let Some(id) = stored_as_given(tx, &clean, &given, &accounted)?
                {
                    accounted.insert(id);
                    report.unchanged += 1;
                    continue;
                }
                let made = apply_row(tx, ctx, existing, clean, &given, &mut report).map_err(|e| at_line(line, e))?;
                accounted.extend(made);
            }
            Ok(_) => {}
        }
    }
    errors.into_result()?;
    let summary = format!("{} created, {} updated, {} unchanged", report.created, report.updated, report.unchanged);
    ctx.audit(tx, "import", "customer", None, summary)?;
    Ok(report)
}

/// Whether a line without a code is a customer the shop has already: one of that name with
/// every other cell the file gives as stored. So the same file imported twice changes
/// nothing; a line that differs in any cell is a new customer, as without a code nothing
/// says which one it would update.
fn stored_as_given(
    tx: &Connection,
    clean: &CustomerData,
    given: &Given,
    accounted: &std::collections::HashSet<CustomerId>,
) -> Result<Option<CustomerId>> {
    Ok(repo::named(tx, &clean.name)?
        .into_iter()
        .find(|stored| {
            !accounted.contains(&stored.id)
                && given.fields.iter().all(|(field, _)| {
                    *field == CustomerField::Code || stored.data.get(*field) == clean.get(*field)
                })
                // A time given is compared; an empty one is not (it would be now).
                && given.created.clone().flatten().is_none_or(|at| stored.created_at == at)
                && given.archived.as_ref().is_none_or(|at| match at {
                    Some(at) => stored.archived_at.as_deref() == Some(at.as_str()),
                    None => stored.archived_at.is_none(),
                })
        })
        .map(|stored| stored.id))
}

/// Creates or updates the customer of one checked line.
fn apply_row(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    existing: Option<Customer>,
    clean: CustomerData,
    given: &Given,
    report: &mut ImportReport,
) -> Result<Option<CustomerId>> {
    let archived = given.archived.clone().flatten();
    let Some(current) = existing else {
        let name = clean.name.clone();
        let id = insert(tx, ctx, clean, given.created.clone().flatten().as_deref(), archived.as_deref())?;
        ctx.audit(tx, "import-create", "customer", Some(id.0), name)?;
        report.created += 1;
        return Ok(Some(id));
    };
    // The stored spelling of the code wins: codes match case-insensitively.
    let data = CustomerData { code: current.data.code.clone(), ..clean };
    let archived_changed = given.archived.is_some() && current.archived_at.is_some() != archived.is_some();
    if data == current.data && !archived_changed {
        report.unchanged += 1;
        return Ok(None);
    }
    let mut version = current.version;
    if data != current.data {
        repo::update(tx, current.id, version, &data)?;
        version += 1;
    }
    if archived_changed {
        repo::set_archived(tx, current.id, version, archived.as_deref())?;
    }
    ctx.audit(tx, "import-update", "customer", Some(current.id.0), String::new())?;
    report.updated += 1;
    Ok(None)
}

/// An error while writing a line, pinned to that line.
fn at_line(line: u64, error: Error) -> Error {
    match error {
        Error::Import { .. } => error,
        other => Error::Import {
            errors: vec![crate::error::LineError {
                line,
                column: String::new(),
                value: String::new(),
                message: other.to_string(),
            }],
            more: 0,
        },
    }
}

enum Column {
    Field(CustomerField),
    Created,
    Archived,
    /// A column without a name, as spreadsheets leave past the last one: its cells must
    /// be empty (the reader says so where one is not).
    Unnamed,
}

fn map_columns(headers: &[String], errors: &mut Errors) -> Vec<Column> {
    let mut columns = Vec::new();
    let mut seen = Vec::new();
    for header in headers {
        let column = match header.as_str() {
            "" => {
                columns.push(Column::Unnamed);
                continue;
            }
            "created" => Some(Column::Created),
            "archived" => Some(Column::Archived),
            other => CustomerField::from_column(other).map(Column::Field),
        };
        match column {
            Some(c) => {
                if seen.contains(header) {
                    errors.push(1, header, header, crate::i18n::t("csv.duplicate_column").to_string());
                }
                seen.push(header.clone());
                columns.push(c);
            }
            None => {
                errors.push(1, header, header, tf("csv.unknown_column", &[("expected", &csv_columns().join(", "))]))
            }
        }
    }
    if !seen.iter().any(|h| h == "name" || h == "code") {
        errors.push(1, "name", "", crate::i18n::t("csv.missing_name").to_string());
    }
    columns
}

/// Accepts RFC 3339 (`2026-03-01T09:30:00Z`) or a plain date; stores RFC 3339 UTC.
fn parse_time(line: u64, column: &str, value: &str, errors: &mut Errors) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = parse_time_cell(value);
    if parsed.is_none() {
        errors.push(line, column, value, crate::i18n::t("csv.bad_time").to_string());
    }
    parsed
}

/// A time as stored (RFC 3339 UTC) from RFC 3339 or a plain date; `None` if neither.
pub fn parse_time_cell(value: &str) -> Option<String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    date.and_hms_opt(0, 0, 0).map(|t| t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// The newest audit entries about one customer: who changed it and when.
pub fn history(session: &Session, id: CustomerId, limit: usize) -> Result<Vec<crate::db::audit::AuditEntry>> {
    db::audit::recent(session.db.conn(), Some(("customer", id.0)), limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::ops::Clock;

    fn session() -> Session {
        Session::start(Db::open_in_memory().unwrap(), "t", Clock::Fixed("2026-01-01T00:00:00Z".into())).unwrap()
    }

    fn codes_and_names(session: &Session) -> Vec<(String, String)> {
        let mut all = Vec::new();
        repo::for_each(session.db.conn(), |c| {
            all.push((c.data.code, c.data.name));
            Ok(())
        })
        .unwrap();
        all
    }

    /// A line without a code never takes the code a later line names.
    #[test]
    fn generated_codes_skip_codes_named_later_in_the_file() {
        let mut s = session();
        let report = import(&mut s, "code,name\n,Alice\nC000001,Bob\n".as_bytes(), false).unwrap();
        assert_eq!((report.created, report.updated), (2, 0));
        assert_eq!(codes_and_names(&s), vec![("C000001".into(), "Bob".into()), ("C000002".into(), "Alice".into())]);
    }

    #[test]
    fn every_imported_customer_has_its_own_audit_row() {
        let mut s = session();
        import(&mut s, "code,name\nA1,Ann\nB1,Bo\n".as_bytes(), false).unwrap();
        import(&mut s, "code,city\nA1,Bonn\n".as_bytes(), false).unwrap();
        let ann = repo::find_by_code(s.db.conn(), "A1").unwrap().unwrap();
        let actions: Vec<String> = history(&s, ann.id, 10).unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, vec!["import-update", "import-create"]);
    }

    #[test]
    fn a_dry_run_reports_without_writing() {
        let mut s = session();
        let report = import(&mut s, "code,name\nA1,Ann\n".as_bytes(), true).unwrap();
        assert_eq!((report.created, report.dry_run), (1, true));
        assert!(codes_and_names(&s).is_empty());
        assert!(crate::db::audit::recent(s.db.conn(), Some(("customer", 1)), 5).unwrap().is_empty());
    }
}

//! Line-by-line CSV import shared by every table: each line read by column name, a
//! column the file lacks keeping the stored value, every problem kept with its line, and
//! the whole file written in one transaction or not at all.

use rusqlite::Connection;

use super::csv_io::{self, Errors};
use super::customers::ImportReport;
use super::{Session, WriteCtx};
use crate::domain::fields::{Problem, check_text, parse_date};
use crate::error::{Result, describe_problem};
use crate::i18n::tf;

/// Reads one line's cells by column name, recording problems against the line.
pub(crate) struct Line<'a> {
    pub number: u64,
    record: &'a csv_io::Record,
    positions: &'a [Option<usize>],
    columns: &'a [&'static str],
    /// The stored record this line updates, as a CSV line: a column the file does not
    /// have keeps its stored value instead of falling back to a default.
    stored: Option<Vec<String>>,
}

impl<'a> Line<'a> {
    pub fn cell(&self, column: &str) -> Option<&str> {
        let index = self.columns.iter().position(|c| *c == column)?;
        self.record.cell(self.positions, index).or_else(|| self.stored.as_ref()?.get(index).map(String::as_str))
    }

    /// What to say of `problem` in `column`. A new record lacking a required value the
    /// file has no column for is told so, rather than that an empty cell is required.
    pub fn describe(&self, column: &str, problem: &Problem) -> String {
        match (problem, self.cell(column)) {
            (Problem::Required, None) => tf("csv.new_needs_column", &[("column", &column)]),
            _ => describe_problem(problem),
        }
    }

    pub fn text(
        &self,
        errors: &mut Errors,
        column: &'static str,
        required: bool,
        max: usize,
        multiline: bool,
    ) -> String {
        let value = self.cell(column).unwrap_or("").to_string();
        let value = value.as_str();
        check_text(value, required, max, multiline).unwrap_or_else(|p| {
            errors.push(self.number, column, value, self.describe(column, &p));
            String::new()
        })
    }

    pub fn choice<T>(
        &self,
        errors: &mut Errors,
        column: &'static str,
        parse: fn(&str) -> std::result::Result<T, Problem>,
        default: T,
    ) -> T {
        match self.cell(column) {
            None => default,
            Some(value) => parse(value).unwrap_or_else(|p| {
                errors.push(self.number, column, value, describe_problem(&p));
                default
            }),
        }
    }

    /// `choice` where an empty cell is as good as none: the matched record's value, else
    /// the default a new record gets (a contact's kind, a complaint's severity).
    pub fn choice_or_kept<T>(
        &self,
        errors: &mut Errors,
        column: &'static str,
        parse: fn(&str) -> std::result::Result<T, Problem>,
        default: T,
    ) -> T {
        match self.cell(column) {
            Some(value) if value.trim().is_empty() => {
                self.kept(column).and_then(|kept| parse(kept).ok()).unwrap_or(default)
            }
            _ => self.choice(errors, column, parse, default),
        }
    }

    /// A time cell: RFC 3339 or a plain date; `None` when empty or absent.
    pub fn time(&self, errors: &mut Errors, column: &'static str) -> Option<String> {
        let value = self.cell(column).unwrap_or("").trim().to_string();
        let value = value.as_str();
        if value.is_empty() {
            return None;
        }
        super::customers::parse_time_cell(value).or_else(|| {
            errors.push(self.number, column, value, crate::i18n::t("csv.bad_time").to_string());
            None
        })
    }

    /// A time that is now when not given: an empty cell keeps the matched record's, which
    /// would otherwise move to the moment of every import of the same file.
    pub fn time_or_kept(&self, errors: &mut Errors, column: &'static str) -> Option<String> {
        self.time(errors, column).or_else(|| self.kept(column).and_then(super::customers::parse_time_cell))
    }

    /// Whether the line gives `column` (the file has it, or the matched record fills it in).
    pub fn gives(&self, column: &str) -> bool {
        self.cell(column).is_some()
    }

    /// Whether the line gives `column` with something in it.
    pub fn fills(&self, column: &str) -> bool {
        self.cell(column).is_some_and(|value| !value.trim().is_empty())
    }

    /// The matched record's stored value of `column`, when it has one.
    pub fn kept(&self, column: &str) -> Option<&str> {
        let index = self.columns.iter().position(|c| *c == column)?;
        self.stored.as_ref()?.get(index).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn date(&self, errors: &mut Errors, column: &'static str) -> Option<String> {
        let value = self.cell(column).unwrap_or("").to_string();
        let value = value.as_str();
        parse_date(value).map(|d| d.map(|d| d.to_string())).unwrap_or_else(|p| {
            errors.push(self.number, column, value, describe_problem(&p));
            None
        })
    }
}

/// What a CSV table is: its columns in order (the first is the key matched on), those a
/// file must have, and the name its import is audited under.
#[derive(Clone, Copy)]
pub(crate) struct TableSpec {
    pub columns: &'static [&'static str],
    pub required: &'static [&'static str],
    pub entity: &'static str,
}

/// Runs an import of `table` all-or-nothing: every line is checked, each problem kept with
/// its line; the first problem stops writing, and any problem rolls everything back.
pub(crate) fn import_table(
    session: &mut Session,
    input: &super::sales_history::Input,
    dry_run: bool,
    spec: &TableSpec,
    stored: impl Fn(&Connection, &str) -> Result<Option<Vec<String>>>,
    mut apply: impl FnMut(&Connection, &WriteCtx<'_>, &Line<'_>, &mut Errors) -> Result<Outcome>,
) -> Result<ImportReport> {
    let TableSpec { columns, required, entity } = *spec;
    // A line at a time: memory holds one line and the codes met, whatever the file's size.
    let (mut stream, positions) = super::csv_stream::CsvStream::open_table(input.open()?, columns, required)?;
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<ImportReport> {
        let mut errors = Errors::default();
        let mut report = ImportReport { dry_run, ..Default::default() };
        let mut seen = std::collections::HashMap::new();
        while let Some(number) = stream.next_record(&mut errors)? {
            let record = &stream.record(number);
            // The first column is the record's key (its code), for spotting repeats in the file.
            let code_index = Some(0);
            let code = code_index.and_then(|i| record.cell(&positions, i)).unwrap_or("").trim().to_string();
            let line = Line { number: record.line, record, positions: &positions, columns, stored: stored(tx, &code)? };
            let code = code.to_ascii_lowercase();
            if !code.is_empty()
                && let Some(first) = seen.insert(code.clone(), record.line)
            {
                errors.push(record.line, columns[0], &code, tf("csv.duplicate_in_file", &[("line", &first)]));
            }
            match apply(tx, ctx, &line, &mut errors)? {
                Outcome::Created => report.created += 1,
                Outcome::Updated => report.updated += 1,
                Outcome::Unchanged => report.unchanged += 1,
                Outcome::Skipped => {}
            }
        }
        csv_io::finish_import(tx, ctx, errors, report, entity)
    };
    session.write_or_rehearse(dry_run, work)
}

/// What one imported line did.
pub(crate) enum Outcome {
    Created,
    Updated,
    Unchanged,
    /// Checked only: an earlier line had an error, so nothing more is written.
    Skipped,
}

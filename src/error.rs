//! The errors a shop owner can meet, each saying what happened and what to do next.

use std::fmt;
use std::path::PathBuf;

use crate::domain::fields::{FieldError, Problem};
use crate::i18n::{t, tf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem in an imported file, pinned to its line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line in the file as a text editor counts it (the header is line 1).
    pub line: u64,
    /// Column name, empty for a problem with the whole line.
    pub column: String,
    pub value: String,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = crate::domain::text::truncate(&crate::domain::text::display_safe(&self.value), 60);
        if self.column.is_empty() {
            write!(f, "{}", tf("csv.line_error", &[("line", &self.line), ("message", &self.message)]))
        } else {
            write!(
                f,
                "{}",
                tf(
                    "csv.cell_error",
                    &[("line", &self.line), ("column", &self.column), ("value", &value), ("message", &self.message)]
                )
            )
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    Sqlite(#[from] rusqlite::Error),
    Busy,
    NotADatabase {
        path: PathBuf,
    },
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    FolderMissing {
        folder: PathBuf,
    },
    CannotOpen {
        path: PathBuf,
        reason: String,
    },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Migration(String),
    /// Someone else saved the record after it was opened here.
    Conflict {
        what: String,
    },
    NotFound {
        what: String,
    },
    Invalid(Vec<FieldError>),
    InUse {
        what: String,
    },
    Import {
        errors: Vec<LineError>,
        more: usize,
    },
    Config {
        path: PathBuf,
        reason: String,
    },
    NotAllowed {
        needed: crate::domain::user::Role,
    },
    /// A rule said no; the text says which and why.
    Refused(String),
    BadArgument(String),
    /// What went wrong with one file of several (a shop's folder): the file, then why.
    InFile {
        file: String,
        error: Box<Error>,
    },
}

impl Error {
    /// Maps SQLite's "database is locked" to a message that says to retry.
    pub fn from_sqlite(error: rusqlite::Error) -> Error {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => Error::Busy,
            Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase { path: PathBuf::new() },
            _ => Error::Sqlite(error),
        }
    }
}

/// What went wrong with a file, in the user's language where it is one of the usual
/// reasons; the system's own words (English) otherwise.
fn io_reason(error: &std::io::Error) -> String {
    use std::io::ErrorKind as Kind;
    match error.kind() {
        Kind::NotFound => t("err.io_not_found").to_string(),
        Kind::PermissionDenied => t("err.io_permission").to_string(),
        Kind::IsADirectory => t("err.io_is_a_folder").to_string(),
        Kind::StorageFull => t("err.io_disk_full").to_string(),
        _ => error.to_string(),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Error::Sqlite(e) => match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                    t("err.busy").to_string()
                }
                _ => tf("err.sqlite", &[("detail", e)]),
            },
            Error::Busy => t("err.busy").to_string(),
            Error::NotADatabase { path } => tf("err.not_a_database", &[("path", &path.display())]),
            Error::NewerSchema { path, found, supported } => {
                tf("err.newer_schema", &[("path", &path.display()), ("found", found), ("supported", supported)])
            }
            Error::FolderMissing { folder } => tf("err.folder_missing", &[("folder", &folder.display())]),
            Error::CannotOpen { path, reason } => {
                tf("err.cannot_open", &[("path", &path.display()), ("reason", reason)])
            }
            Error::Io { path, source } => tf("err.io", &[("path", &path.display()), ("reason", &io_reason(source))]),
            Error::Migration(reason) => tf("err.migration", &[("reason", reason)]),
            Error::Conflict { what } => tf("err.conflict", &[("what", what)]),
            Error::NotFound { what } => tf("err.not_found", &[("what", what)]),
            Error::Invalid(errors) => {
                let parts: Vec<String> = errors.iter().map(describe_field_error).collect();
                tf("err.invalid", &[("problems", &parts.join("; "))])
            }
            Error::InUse { what } => tf("err.in_use", &[("what", what)]),
            Error::Import { errors, more } => {
                let mut text = tf("err.import_refused", &[("count", &(errors.len() + more))]);
                for e in errors {
                    text.push('\n');
                    text.push_str(&e.to_string());
                }
                if *more > 0 {
                    text.push('\n');
                    text.push_str(&tf("err.import_more", &[("count", more)]));
                }
                text
            }
            Error::Config { path, reason } => tf("err.config", &[("path", &path.display()), ("reason", reason)]),
            Error::NotAllowed { needed } => tf("err.not_allowed", &[("role", needed)]),
            Error::BadArgument(reason) | Error::Refused(reason) => reason.clone(),
            Error::InFile { file, error } => format!("{file}: {error}"),
        };
        f.write_str(&text)
    }
}

/// "email: needs an @ and a domain, e.g. name@example.com"
pub fn describe_field_error(error: &FieldError) -> String {
    format!("{}: {}", crate::i18n::column_label(error.field), describe_problem(&error.problem))
}

pub fn describe_problem(problem: &Problem) -> String {
    match problem {
        Problem::Required => t("problem.required").to_string(),
        Problem::TooLong { max, len } => tf("problem.too_long", &[("max", max), ("len", len)]),
        Problem::ControlCharacters => t("problem.control_chars").to_string(),
        Problem::InvalidCode => t("problem.invalid_code").to_string(),
        Problem::InvalidEmail => t("problem.invalid_email").to_string(),
        Problem::InvalidPhone => t("problem.invalid_phone").to_string(),
        Problem::UnknownTier { known } => tf("problem.unknown_tier", &[("known", &known.join(", "))]),
        Problem::DuplicateCode => t("problem.duplicate_code").to_string(),
        Problem::InvalidDate => t("problem.invalid_date").to_string(),
        Problem::ImplausibleDay { today } => tf("sales_history.date_out_of_range", &[("today", today)]),
        Problem::InvalidMonth => t("problem.invalid_month").to_string(),
        Problem::NotOneOf { allowed } => tf("problem.not_one_of", &[("allowed", &allowed.join(", "))]),
        Problem::UnknownCustomer => t("problem.unknown_customer").to_string(),
        Problem::UnknownStage { known } => tf("problem.unknown_stage", &[("known", &known.join(", "))]),
        Problem::InvalidAmount(crate::domain::money::AmountError::TooManyDecimals { max, .. }) => {
            tf("problem.too_many_decimals", &[("max", max)])
        }
        Problem::InvalidAmount(crate::domain::money::AmountError::OutOfRange(_)) => {
            t("problem.amount_too_large").to_string()
        }
        Problem::InvalidAmount(crate::domain::money::AmountError::Ambiguous(_)) => {
            t("problem.ambiguous_number").to_string()
        }
        Problem::InvalidAmount(crate::domain::money::AmountError::PowerOfTen(_)) => {
            t("problem.power_of_ten").to_string()
        }
        Problem::InvalidAmount(_) => t("problem.invalid_amount").to_string(),
        Problem::NotAWholeNumber => t("problem.not_whole").to_string(),
        Problem::TooManyDecimals { max } => tf("problem.too_many_decimals", &[("max", max)]),
        Problem::OutOfRange { min, max: Some(max) } => tf("problem.out_of_range", &[("min", min), ("max", max)]),
        Problem::OutOfRange { min, max: None } => tf("problem.at_least", &[("min", min)]),
        Problem::NeedsLostReason => t("problem.needs_lost_reason").to_string(),
        Problem::MustBeEmptyWhileOpen => t("problem.empty_while_open").to_string(),
        Problem::NotWithLots => t("problem.not_with_lots").to_string(),
        Problem::UnknownSupplier => t("problem.unknown_supplier").to_string(),
        Problem::UnknownProduct => t("problem.unknown_product").to_string(),
        Problem::UnknownWarehouse => t("problem.unknown_warehouse").to_string(),
        Problem::BarcodeTaken { code, sku } => tf("problem.barcode_taken", &[("code", code), ("sku", sku)]),
        Problem::NeedsZeroStock => t("problem.needs_zero_stock").to_string(),
        Problem::MustBePositive => t("problem.must_be_positive").to_string(),
        Problem::MustNotBeZero => t("problem.must_not_be_zero").to_string(),
        Problem::NoLots => t("problem.no_lots").to_string(),
        Problem::TooManyCodes { max } => tf("problem.too_many_codes", &[("max", max)]),
        Problem::Archived => t("problem.archived").to_string(),
        Problem::LotExpires { stored } => tf("problem.lot_expires", &[("stored", stored)]),
        Problem::NotBefore { date } => tf("problem.not_before", &[("date", date)]),
    }
}

//! What can be wrong with a typed or imported field, shared by every record's validation.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
        len: usize,
    },
    ControlCharacters,
    InvalidCode,
    InvalidEmail,
    InvalidPhone,
    UnknownTier {
        known: Vec<String>,
    },
    DuplicateCode,
    InvalidDate,
    /// A date no shop's records hold: after today, or before 1990 (a typing slip).
    ImplausibleDay {
        today: String,
    },
    InvalidMonth,
    NotOneOf {
        allowed: Vec<&'static str>,
    },
    UnknownCustomer,
    UnknownStage {
        known: Vec<String>,
    },
    /// Not an amount of money (the AmountError says why, e.g. too many decimals).
    InvalidAmount(crate::domain::money::AmountError),
    NotAWholeNumber,
    TooManyDecimals {
        max: u32,
    },
    OutOfRange {
        min: i64,
        max: Option<i64>,
    },
    NeedsLostReason,
    MustBeEmptyWhileOpen,
    /// Lot-tracked products may not go below zero.
    NotWithLots,
    UnknownSupplier,
    UnknownProduct,
    UnknownWarehouse,
    BarcodeTaken {
        code: String,
        sku: String,
    },
    /// Lot tracking can be switched only while the product has no stock.
    NeedsZeroStock,
    MustBePositive,
    MustNotBeZero,
    /// A lot given for a product that does not track lots.
    NoLots,
    TooManyCodes {
        max: usize,
    },
    /// Archived records take no new stock moves.
    Archived,
    /// The lot exists with another expiry date.
    LotExpires {
        stored: String,
    },
    /// A date earlier than one it must follow (ship by, before the order was placed).
    NotBefore {
        date: String,
    },
}

/// A problem pinned to a field, named by its column (as in CSV files and the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
}

/// Trims `value` and checks the common rules: required, length, no control characters
/// (newlines and tabs allowed when `multiline`).
pub fn check_text(value: &str, required: bool, max_chars: usize, multiline: bool) -> Result<String, Problem> {
    let unified = if multiline { unify_line_ends(value) } else { std::borrow::Cow::Borrowed(value) };
    let value = if multiline { unified.trim_end() } else { value.trim() };
    if value.is_empty() {
        return if required { Err(Problem::Required) } else { Ok(String::new()) };
    }
    let len = value.chars().count();
    if len > max_chars {
        return Err(Problem::TooLong { max: max_chars, len });
    }
    let bad = |c: char| c.is_control() && !(multiline && (c == '\n' || c == '\t'));
    if value.chars().any(bad) {
        return Err(Problem::ControlCharacters);
    }
    Ok(value.to_string())
}

/// Windows and old Mac line ends (a spreadsheet's multi-line cell, a file saved on Windows)
/// as the line breaks they are: `\n`.
pub fn unify_line_ends(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A calendar date as people type it: `2026-12-24`. Empty is `None`.
pub fn parse_date(value: &str) -> Result<Option<NaiveDate>, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map(Some).map_err(|_| Problem::InvalidDate)
}

/// A whole number in `min..=max`; empty is `default`.
pub fn integer(text: &str, min: i64, max: i64, default: i64) -> Result<i64, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(default);
    }
    let n: i64 = text.parse().map_err(|_| Problem::NotAWholeNumber)?;
    if (min..=max).contains(&n) { Ok(n) } else { Err(Problem::OutOfRange { min, max: Some(max) }) }
}

/// A percentage 0-100 with at most two decimals (`7,5 %` reads 7.5); empty is zero.
pub fn percent(text: &str) -> Result<Decimal, Problem> {
    let text = text.trim().trim_end_matches('%').trim().replace(',', ".");
    if text.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let value = <Decimal as std::str::FromStr>::from_str(&text)
        .map_err(|_| Problem::InvalidAmount(crate::domain::money::AmountError::NotANumber(text.clone())))?;
    if value.normalize().scale() > 2 {
        return Err(Problem::TooManyDecimals { max: 2 });
    }
    if value.is_sign_negative() || value > Decimal::from(100) {
        return Err(Problem::OutOfRange { min: 0, max: Some(100) });
    }
    Ok(value.normalize())
}

/// Collects field problems while a record is checked.
#[derive(Debug, Default)]
pub struct Checker {
    pub errors: Vec<FieldError>,
}

impl Checker {
    /// Keeps the value, or records the problem and returns a default.
    pub fn take<T: Default>(&mut self, field: &'static str, result: Result<T, Problem>) -> T {
        result.unwrap_or_else(|problem| {
            self.errors.push(FieldError { field, problem });
            T::default()
        })
    }

    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() { Ok(value) } else { Err(self.errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(check_text("  a ", true, 5, false), Ok("a".into()));
        assert_eq!(check_text(" ", true, 5, false), Err(Problem::Required));
        assert_eq!(check_text("", false, 5, false), Ok(String::new()));
        assert_eq!(check_text("abcdef", false, 5, false), Err(Problem::TooLong { max: 5, len: 6 }));
        assert_eq!(check_text("a\nb", false, 5, false), Err(Problem::ControlCharacters));
        assert_eq!(check_text("a\nb\n", false, 5, true), Ok("a\nb".into()));
        assert_eq!(check_text("a\r\nb\rc\r\n", false, 9, true), Ok("a\nb\nc".into()), "Windows line ends");
        assert_eq!(check_text("a\r\nb", false, 9, false), Err(Problem::ControlCharacters));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-02-28"), Ok(NaiveDate::from_ymd_opt(2026, 2, 28)));
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date("2026-02-30"), Err(Problem::InvalidDate));
        assert_eq!(parse_date("28.02.2026"), Err(Problem::InvalidDate));
    }
}

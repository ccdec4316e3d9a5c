//! Money, prices and quantities: exact decimals in Rust, integers of fixed minor units in
//! SQLite (so `SUM()` in SQL stays exact).
//!
//! Scales: money totals carry 2 decimals (cents), unit prices 4 (so 0.0125 per gram can be
//! priced), quantities 3 (weighed goods in grams of a kilo). Rounding to a scale is always
//! explicit and half away from zero, the rule shop tills and tax offices use.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// Why text or a number could not become an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("'{value}' has more than {max} decimals")]
    TooManyDecimals { value: String, max: u32 },
    #[error("'{0}' is too large")]
    OutOfRange(String),
    #[error("'{0}' could be thousands or three decimals")]
    Ambiguous(String),
    #[error("'{0}' is written as a power of ten")]
    PowerOfTen(String),
}

/// Whether a cell holds a number as a spreadsheet shows one too long for its column
/// (`4.00638E+12`, `1.23457E+11`): the digits past the sixth are gone, so the value cannot
/// be taken, be it a price or a barcode.
pub fn written_as_power_of_ten(text: &str) -> bool {
    let text = text.trim();
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else { return false };
    mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+'))
        && exponent.trim_start_matches(['+', '-']).chars().all(|c| c.is_ascii_digit())
        && !exponent.trim_start_matches(['+', '-']).is_empty()
}

thread_local! {
    /// The separator of the CSV file this thread is reading, if any: it tells which mark a
    /// file's decimals take (spreadsheets separate by `;` where the comma is the decimal one).
    static FILE_SEPARATOR: std::cell::Cell<Option<u8>> = const { std::cell::Cell::new(None) };
}

/// Says which file this thread reads numbers from (`None`: typed, not from a file).
pub fn reading_file_separated_by(separator: Option<u8>) {
    FILE_SEPARATOR.set(separator);
}

/// `1,299` or `2.500`: one mark after one to three digits and before exactly three, which
/// could group thousands or end three decimals. A comma is surely decimal in a `;` file
/// (what a decimal-comma spreadsheet writes); a dot in a `,` file and in what is typed.
/// A tab file tells neither: Excel writes its "Unicode text" tab-separated in every
/// language, so there both are ambiguous. `0,125` is a decimal anywhere, and `1234.500`
/// cannot be thousands. Currency signs in front are ignored.
pub fn ambiguous_mark(text: &str) -> bool {
    let digits = text
        .trim()
        .trim_start_matches(['$', '€', '£', '¥', '￥', '-', '+'])
        .trim_end_matches(['$', '€', '£', '¥', '￥', '元'])
        .trim();
    let separator = FILE_SEPARATOR.get();
    let comma_decimal = separator == Some(b';');
    let dot_decimal = matches!(separator, None | Some(b','));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    [(',', comma_decimal), ('.', dot_decimal)].into_iter().any(|(mark, surely_decimal)| {
        !surely_decimal
            && digits.split_once(mark).is_some_and(|(whole, fraction)| {
                all_digits(whole)
                    && whole.len() <= 3
                    && whole.bytes().any(|b| b != b'0')
                    && fraction.len() == 3
                    && all_digits(fraction)
            })
    })
}

/// `text` with a decimal point and no grouping, or `None` when its marks make no sense.
/// A lone comma is a decimal comma; with both marks, the last is the decimal one and the
/// other must group the whole part by threes.
pub(crate) fn plain_decimal(text: &str) -> Option<String> {
    // `1e5` is read by `Decimal::from_str`, but no shop writes it: a spreadsheet's shortening.
    if text.contains(['e', 'E']) {
        return None;
    }
    let (Some(dot), Some(comma)) = (text.rfind('.'), text.rfind(',')) else {
        return Some(if text.contains('.') { text.to_string() } else { text.replacen(',', ".", 1) });
    };
    let (mark, group) = if comma > dot { (',', '.') } else { ('.', ',') };
    let (whole, fraction) = text.rsplit_once(mark)?;
    let sign = if whole.starts_with(['-', '+']) { &whole[..1] } else { "" };
    let groups: Vec<&str> = whole[sign.len()..].split(group).collect();
    let grouped = groups.len() >= 2
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && !fraction.contains(group);
    grouped.then(|| format!("{sign}{}.{fraction}", groups.concat()))
}

macro_rules! fixed_point {
    ($(#[$doc:meta])* $name:ident, $scale:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(Decimal);

        impl $name {
            /// Decimals kept, and the power of ten of the minor unit stored in SQLite.
            pub const SCALE: u32 = $scale;
            pub const ZERO: Self = Self(Decimal::ZERO);

            /// From the integer stored in the database.
            pub fn from_minor(minor: i64) -> Self {
                Self(Decimal::new(minor, Self::SCALE))
            }

            /// To the integer stored in the database. Exact, because every value of this
            /// type already has at most `SCALE` decimals.
            pub fn to_minor(self) -> Result<i64, AmountError> {
                let out_of_range = || AmountError::OutOfRange(self.0.to_string());
                let scaled = self.0.checked_mul(Decimal::from(10_i64.pow(Self::SCALE))).ok_or_else(out_of_range)?;
                i64::try_from(scaled.trunc()).map_err(|_| out_of_range())
            }

            /// Rounds any decimal to this scale, half away from zero.
            pub fn round_from(value: Decimal) -> Self {
                Self(value.round_dp_with_strategy(Self::SCALE, RoundingStrategy::MidpointAwayFromZero))
            }

            /// Exact conversion: refuses a value with more decimals than the scale rather
            /// than rounding what a user typed behind their back.
            pub fn exact(value: Decimal) -> Result<Self, AmountError> {
                let normalized = value.normalize();
                if normalized.scale() > Self::SCALE {
                    return Err(AmountError::TooManyDecimals { value: value.to_string(), max: Self::SCALE });
                }
                let this = Self(normalized);
                this.to_minor()?;
                Ok(this)
            }

            /// Parses what a person or a spreadsheet wrote: `12.5`, `-3`, `12,5` with a
            /// decimal comma when there is no dot, and thousands grouped either way
            /// (`1,234.50`, `1.234,50`: the last mark is the decimal one).
            pub fn parse(text: &str) -> Result<Self, AmountError> {
                if ambiguous_mark(text) {
                    return Err(AmountError::Ambiguous(text.trim().to_string()));
                }
                if written_as_power_of_ten(text) {
                    return Err(AmountError::PowerOfTen(text.trim().to_string()));
                }
                let dotted = plain_decimal(text.trim()).ok_or_else(|| AmountError::NotANumber(text.to_string()))?;
                let value = Decimal::from_str(&dotted).map_err(|_| AmountError::NotANumber(text.to_string()))?;
                Self::exact(value)
            }

            pub fn value(self) -> Decimal {
                self.0
            }

            pub fn is_zero(self) -> bool {
                self.0.is_zero()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut shown = self.0;
                shown.rescale(Self::SCALE);
                write!(f, "{shown}")
            }
        }

        impl std::ops::Add for $name {
            type Output = Self;
            fn add(self, rhs: Self) -> Self {
                Self(self.0 + rhs.0)
            }
        }

        impl std::ops::Sub for $name {
            type Output = Self;
            fn sub(self, rhs: Self) -> Self {
                Self(self.0 - rhs.0)
            }
        }
    };
}

fixed_point!(
    /// An amount of money in the shop's currency, to the cent.
    Money,
    2
);
fixed_point!(
    /// A unit price; may carry more decimals than a total.
    Price,
    4
);
fixed_point!(
    /// A quantity of a product; decimals for goods sold by weight or length.
    Quantity,
    3
);

impl Price {
    /// A line amount: price times quantity, rounded to the cent once, per line.
    pub fn times(self, quantity: Quantity) -> Money {
        Money::round_from(self.0 * quantity.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounds_half_away_from_zero_per_line() {
        let price = Price::parse("0.125").unwrap();
        assert_eq!(price.times(Quantity::parse("1").unwrap()).to_string(), "0.13");
        let negative = Price::parse("-0.125").unwrap();
        assert_eq!(negative.times(Quantity::parse("1").unwrap()).to_string(), "-0.13");
        let weighed = Price::parse("3.99").unwrap().times(Quantity::parse("0.375").unwrap());
        assert_eq!(weighed.to_string(), "1.50");
    }

    #[test]
    fn thousands_are_read_either_way_round() {
        assert_eq!(Money::parse("1.234,50").unwrap().to_minor().unwrap(), 123_450);
        assert_eq!(Money::parse("-1,234,567.5").unwrap().to_minor().unwrap(), -123_456_750);
        assert_eq!(Quantity::parse("1.000,250").unwrap().to_string(), "1000.250");
        for bad in ["1,2.3", "12.34,5.6", ",5.0", "1.23,4", "1,2345.6"] {
            assert!(matches!(Money::parse(bad), Err(AmountError::NotANumber(_))), "{bad}");
        }
    }

    #[test]
    fn one_mark_before_three_digits_is_refused_unless_the_file_tells() {
        let ambiguous = |text: &str| matches!(Price::parse(text), Err(AmountError::Ambiguous(_)));
        // Typed, or in a comma- or tab-separated file: 1,299 could be 1299 or 1.299.
        for separator in [None, Some(b','), Some(b'\t')] {
            reading_file_separated_by(separator);
            assert!(ambiguous("1,299") && ambiguous("-2,500") && ambiguous(" 48,000 "), "{separator:?}");
            assert_eq!(Price::parse("0,125").unwrap().to_string(), "0.1250");
            assert_eq!(Price::parse("12,50").unwrap().to_string(), "12.5000");
            assert_eq!(Price::parse("1,299.50").unwrap().to_string(), "1299.5000");
        }
        // A dot is the decimal mark of a comma-separated file and of typing: exports write 30.000.
        for separator in [None, Some(b',')] {
            reading_file_separated_by(separator);
            assert_eq!(Quantity::parse("30.000").unwrap().to_string(), "30.000");
        }
        // Where the comma is the decimal mark (a `;` file), a lone dot may group thousands.
        reading_file_separated_by(Some(b';'));
        assert_eq!(Quantity::parse("48,000").unwrap().to_string(), "48.000");
        assert!(ambiguous("2.500") && ambiguous("20.000"));
        assert_eq!(Money::parse("2.500,00").unwrap().to_string(), "2500.00");
        assert_eq!(Money::parse("2,5").unwrap().to_string(), "2.50");
        // Past three digits before it, a mark cannot group thousands.
        assert_eq!(Quantity::parse("1234.500").unwrap().to_string(), "1234.500");
        // A tab file is written either way (Excel's Unicode text in any language): neither
        // mark tells, while two places or both marks still do.
        reading_file_separated_by(Some(b'\t'));
        assert!(ambiguous("2.500") && ambiguous("1,299") && ambiguous("30.000"));
        assert_eq!(Money::parse("1.299,00").unwrap().to_string(), "1299.00");
        assert_eq!(Money::parse("12,50").unwrap().to_string(), "12.50");
        reading_file_separated_by(None);
        assert_eq!(Price::parse("12345,500").unwrap().to_string(), "12345.5000");
        assert!(!ambiguous("0.125") && !ambiguous("1299") && !ambiguous("1.2990"));
    }

    #[test]
    fn parse_accepts_decimal_comma_and_refuses_garbage() {
        assert_eq!(Money::parse("12,5").unwrap().to_minor().unwrap(), 1250);
        assert_eq!(Money::parse(" -7 ").unwrap().to_minor().unwrap(), -700);
        assert!(matches!(Money::parse("12,5O"), Err(AmountError::NotANumber(_))));
        for shortened in ["1e5", "2E-2", "1.23457E+11", "4,00638E+12"] {
            assert!(matches!(Money::parse(shortened), Err(AmountError::PowerOfTen(_))), "{shortened}");
            assert!(crate::domain::history::parse_number(shortened).is_none(), "{shortened}");
        }
        assert!(!written_as_power_of_ten("E5") && !written_as_power_of_ten("12.50") && !written_as_power_of_ten("1E"));
        assert!(matches!(Money::parse("1.005"), Err(AmountError::TooManyDecimals { max: 2, .. })));
        assert!(matches!(Money::parse("99999999999999999999"), Err(AmountError::OutOfRange(_))));
    }

    #[test]
    fn display_always_shows_the_scale() {
        assert_eq!(Money::from_minor(5).to_string(), "0.05");
        assert_eq!(Quantity::parse("2").unwrap().to_string(), "2.000");
    }

    proptest! {
        #[test]
        fn minor_units_round_trip(minor in -1_000_000_000_000i64..1_000_000_000_000i64) {
            prop_assert_eq!(Money::from_minor(minor).to_minor().unwrap(), minor);
            prop_assert_eq!(Price::from_minor(minor).to_minor().unwrap(), minor);
        }

        #[test]
        fn sum_in_minor_units_equals_decimal_sum(values in proptest::collection::vec(-1_000_000i64..1_000_000, 0..50)) {
            let decimal_sum = values.iter().fold(Money::ZERO, |acc, v| acc + Money::from_minor(*v));
            prop_assert_eq!(decimal_sum.to_minor().unwrap(), values.iter().sum::<i64>());
        }

        #[test]
        fn displayed_text_parses_back(minor in -1_000_000_000i64..1_000_000_000) {
            let money = Money::from_minor(minor);
            prop_assert_eq!(Money::parse(&money.to_string()).unwrap(), money);
        }
    }
}

//! Invoices: how a series turns a year and a sequence into a number, and the hash that
//! chains each issued invoice to the one before, so a changed or removed invoice shows.

use sha2::{Digest, Sha256};

/// Why a series pattern cannot number invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// Without `{SEQ}` every invoice of a year would get the same number.
    NoSequence,
}

/// `INV-{YYYY}-{SEQ:6}` with year 2026 and sequence 42 is `INV-2026-000042`. `{YY}` is the
/// year's last two digits, `{SEQ}` the sequence without padding.
pub fn format_number(pattern: &str, year: i32, seq: i64) -> Result<String, PatternError> {
    let mut out = pattern.replace("{YYYY}", &format!("{year:04}")).replace("{YY}", &format!("{:02}", year % 100));
    let Some(start) = out.find("{SEQ") else { return Err(PatternError::NoSequence) };
    let Some(len) = out[start..].find('}') else { return Err(PatternError::NoSequence) };
    let spec = &out[start + 4..start + len];
    let width = spec.strip_prefix(':').and_then(|w| w.parse::<usize>().ok()).unwrap_or(0);
    let number = format!("{seq:0width$}");
    out.replace_range(start..=start + len, &number);
    Ok(out)
}

/// The series of documents brought in from another system whose numbers are not this
/// shop's own: kept as they were, unique, but outside the gap-free numbering (their gaps
/// are the other system's), and never given to a new document.
pub const HISTORY_SERIES: &str = "HIST";

/// What a number says when read against a series pattern: the year it carries (none when
/// the pattern has no year; `{YY}` gives the last two digits) and its sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberParts {
    pub year: Option<i32>,
    pub two_digit_year: bool,
    pub seq: i64,
}

impl NumberParts {
    /// Whether the number carries `year` (or no year at all).
    pub fn is_of_year(&self, year: i32) -> bool {
        match self.year {
            None => true,
            Some(y) if self.two_digit_year => y == year % 100,
            Some(y) => y == year,
        }
    }
}

/// Reads `number` against `pattern` (letters in any case): `INV-2026-000042` against
/// `INV-{YYYY}-{SEQ:6}` is year 2026, sequence 42. None when it does not have the
/// pattern's shape. The padding is not checked here: `format_number` of the parts says
/// whether the number is exactly the one the series would make.
pub fn parse_number(pattern: &str, number: &str) -> Option<NumberParts> {
    let text: Vec<char> = number.chars().collect();
    let mut at = 0;
    let mut parts = NumberParts { year: None, two_digit_year: false, seq: -1 };
    let digits = |from: usize, len: Option<usize>| -> Option<(i64, usize)> {
        let run = text[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        let len = match len {
            Some(len) if run >= len => len,
            Some(_) => return None,
            None if run > 0 && run <= 18 => run,
            None => return None,
        };
        let value: String = text[from..from + len].iter().collect();
        value.parse().ok().map(|v| (v, from + len))
    };
    let mut rest = pattern;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{YYYY}") {
            let (year, next) = digits(at, Some(4))?;
            parts.year = Some(i32::try_from(year).ok()?);
            (at, rest) = (next, after);
        } else if let Some(after) = rest.strip_prefix("{YY}") {
            let (year, next) = digits(at, Some(2))?;
            parts.year = Some(i32::try_from(year).ok()?);
            parts.two_digit_year = true;
            (at, rest) = (next, after);
        } else if rest.starts_with("{SEQ") {
            let close = rest.find('}')?;
            let (seq, next) = digits(at, None)?;
            parts.seq = seq;
            (at, rest) = (next, &rest[close + 1..]);
        } else {
            let c = rest.chars().next()?;
            let given = text.get(at)?;
            if !given.to_lowercase().eq(c.to_lowercase()) {
                return None;
            }
            at += 1;
            rest = &rest[c.len_utf8()..];
        }
    }
    (at == text.len() && parts.seq >= 0).then_some(parts)
}

/// The sequence a series takes next: the stored next one in the same year, 1 in a new
/// year, and none for a year before the one the series has reached (a session whose clock
/// or time zone lags would otherwise restart the numbering and collide with numbers taken).
pub fn next_in_year(stored_year: i32, stored_next: i64, year: i32) -> Option<i64> {
    match year.cmp(&stored_year) {
        std::cmp::Ordering::Equal => Some(stored_next.max(1)),
        std::cmp::Ordering::Greater => Some(1),
        std::cmp::Ordering::Less => None,
    }
}

/// The hash of an issued invoice: SHA-256 over the previous invoice's hash and this
/// invoice's content, as lower-case hex.
pub fn chain_hash(prev_hash: &str, content: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update([0x1e]);
    hasher.update(content.as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_patterns() {
        assert_eq!(format_number("INV-{YYYY}-{SEQ:6}", 2026, 42), Ok("INV-2026-000042".into()));
        assert_eq!(format_number("R{YY}/{SEQ}", 2026, 7), Ok("R26/7".into()));
        assert_eq!(format_number("{SEQ:3}", 2026, 12345), Ok("12345".into()), "wider than the padding");
        assert_eq!(format_number("INV-{YYYY}", 2026, 1), Err(PatternError::NoSequence));
    }

    #[test]
    fn numbers_read_back_against_their_pattern() {
        let p = "INV-{YYYY}-{SEQ:6}";
        let parts = parse_number(p, "inv-2025-000042").unwrap();
        assert_eq!((parts.year, parts.seq), (Some(2025), 42));
        assert!(parts.is_of_year(2025) && !parts.is_of_year(2026));
        assert_eq!(format_number(p, 2025, parts.seq).unwrap(), "INV-2025-000042");
        assert_eq!(parse_number(p, "INV-2025-42").map(|p| p.seq), Some(42), "padding is for format_number to judge");
        for other in ["INV-2025-", "INV-25-000001", "RE-2025-000001", "INV-2025-000001x", "2025/17", ""] {
            assert_eq!(parse_number(p, other), None, "{other}");
        }
        let short = parse_number("R{YY}/{SEQ}", "R26/7").unwrap();
        assert!(short.two_digit_year && short.is_of_year(2026) && !short.is_of_year(2025));
        assert_eq!(parse_number("{SEQ:3}", "0042").map(|p| (p.year, p.seq)), Some((None, 42)));
        assert_eq!(parse_number("发票{SEQ}", "发票12").map(|p| p.seq), Some(12));
        assert_eq!(parse_number("INV-{SEQ}", "INV-99999999999999999999"), None, "too long to be a sequence");
    }

    #[test]
    fn numbering_restarts_each_year() {
        assert_eq!(next_in_year(2026, 17, 2026), Some(17));
        assert_eq!(next_in_year(2026, 17, 2027), Some(1));
        assert_eq!(next_in_year(0, 1, 2026), Some(1));
        assert_eq!(next_in_year(2027, 3, 2026), None, "a lagging clock never restarts a year");
    }

    #[test]
    fn the_chain_changes_with_any_byte() {
        let a = chain_hash("", "INV-2026-000001|100.00");
        assert_eq!(a.len(), 64);
        assert_eq!(a, chain_hash("", "INV-2026-000001|100.00"), "deterministic");
        assert_ne!(a, chain_hash("", "INV-2026-000001|100.01"));
        assert_ne!(chain_hash(&a, "x"), chain_hash("", "x"), "the previous hash counts");
    }
}

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

//! Figures and periods as each language writes them on screen. Files and the command line
//! keep the plain forms (`1234.50`, `2026-11`) that programs read back.

use super::{Lang, lang};

/// A decimal number with its thousands grouped: `-1234567.50` reads `-1,234,567.50` (both
/// languages group by three with a comma; Chinese accounting does too). Anything that is
/// not a plain number is returned as it is.
pub fn number(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !plain(whole) || fraction.is_some_and(|f| !plain(f)) {
        return text.to_string();
    }
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A period key (`2026-11-27`, `2026-W48`, `2026-11`, `2026-Q4`, `2026`) as the language
/// writes it: ISO 8601 in English, 2026年11月 and the like in Chinese.
pub fn period(key: &str) -> String {
    period_in(lang(), key)
}

fn period_in(lang: Lang, key: &str) -> String {
    if lang == Lang::En {
        return key.to_string();
    }
    let parts: Vec<&str> = key.split('-').collect();
    let number = |s: &str| s.trim_start_matches('0').to_string();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] if digits(y) && y.len() == 4 => format!("{y}年"),
        [y, w] if digits(y) && w.strip_prefix('W').is_some_and(digits) => {
            format!("{y}年第{}周", number(&w[1..]))
        }
        [y, q] if digits(y) && q.strip_prefix('Q').is_some_and(digits) => {
            format!("{y}年第{}季度", &q[1..])
        }
        [y, m] if digits(y) && digits(m) => format!("{y}年{}月", number(m)),
        [y, m, d] if digits(y) && digits(m) && digits(d) => format!("{y}年{}月{}日", number(m), number(d)),
        _ => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_and_odd_text_is_left_alone() {
        assert_eq!(number("1234567.50"), "1,234,567.50");
        assert_eq!(number("-1234.5"), "-1,234.5");
        assert_eq!(number("999"), "999");
        assert_eq!(number("100000"), "100,000");
        assert_eq!(number("0.00"), "0.00");
        for odd in ["", "-", "12a", "1.2.3", "83.3 %", "—"] {
            assert_eq!(number(odd), odd);
        }
    }

    #[test]
    fn periods_read_as_each_language_writes_them() {
        let zh = ["2026-11-07", "2026-W08", "2026-11", "2026-Q4", "2026", "-"].map(|k| period_in(Lang::ZhCn, k));
        assert_eq!(zh, ["2026年11月7日", "2026年第8周", "2026年11月", "2026年第4季度", "2026年", "-"]);
        assert_eq!(period_in(Lang::En, "2026-Q4"), "2026-Q4");
    }
}

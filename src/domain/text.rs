//! Text as the terminal will show it: control characters made visible and harmless, and
//! widths measured in terminal columns (a CJK character takes two).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Replaces control characters (C0, DEL, C1) with visible stand-ins, so data can never send
/// an escape sequence to the terminal. Newlines and tabs become a space-like marker too:
/// a list cell is one line.
pub fn display_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c if is_unsafe(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// True when the text holds a character that has no business in a one-line field.
pub fn has_control_chars(text: &str) -> bool {
    text.chars().any(|c| c.is_control())
}

/// Columns the text takes in a terminal.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts text to at most `max` columns, ending with `…` when something was cut. Never splits
/// a wide character across the limit.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `truncate`, except that a code or a long number (no spaces, a digit in it) is cut in its
/// middle: `3012345678900001` and `3012345678900002` differ at their ends, which cutting the
/// end would hide.
pub fn truncate_cell(text: &str, max: usize) -> String {
    let code = text.chars().all(|c| c.is_ascii_graphic()) && text.chars().any(|c| c.is_ascii_digit());
    if !code || text.len() <= max || max < 5 {
        return truncate(text, max);
    }
    // ASCII only here: a byte is a column.
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    format!("{}…{}", &text[..head], &text[text.len() - tail..])
}

/// `text` in lines of at most `columns` terminal columns: broken at a space where a line
/// has one, else between any two characters (Chinese has no spaces; a word longer than a
/// line is cut). The spaces a line is broken at are dropped.
pub fn wrap_columns(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > columns {
            // Back to the last space of the line, when it has one past its start.
            match line.rfind(' ').filter(|at| *at > 0 && c != ' ') {
                Some(at) => {
                    let rest = line.split_off(at + 1);
                    lines.push(line.trim_end().to_string());
                    used = width(&rest);
                    line = rest;
                }
                // Closing punctuation does not start a line (`）` alone under a
                // description): the character before it goes down with it.
                None if "）」』】》〉，。、；：！？".contains(c) && line.chars().count() > 1 => {
                    let last = line.pop().unwrap_or_default();
                    lines.push(std::mem::take(&mut line).trim_end().to_string());
                    line.push(last);
                    used = width(&line);
                }
                None => {
                    lines.push(std::mem::take(&mut line).trim_end().to_string());
                    used = 0;
                }
            }
            if c == ' ' && line.is_empty() {
                continue;
            }
        }
        line.push(c);
        used += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The text after its first `columns` terminal columns: what a field scrolled that far
/// shows. A wide character straddling the edge is dropped whole.
pub fn skip_columns(text: &str, columns: usize) -> &str {
    let mut used = 0;
    for (index, c) in text.char_indices() {
        if used >= columns {
            return &text[index..];
        }
        used += c.width().unwrap_or(0);
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_never_reach_the_terminal() {
        let hostile = "Evil\u{1b}[2J\u{7}Corp\u{9b}31m";
        let safe = display_safe(hostile);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe:?}");
        assert!(safe.contains("Evil") && safe.contains("Corp"));
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(display_safe("张伟 Müller"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn truncation_counts_columns_not_chars() {
        assert_eq!(width("张伟"), 4);
        assert_eq!(truncate("张伟伟伟", 5), "张伟…");
        assert_eq!(truncate("Zoë", 3), "Zoë");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert!(width(&truncate("伟伟伟", 4)) <= 4);
        assert_eq!(wrap_columns("import a file all or nothing", 10), vec!["import a", "file all", "or nothing"]);
        assert_eq!(wrap_columns("导入：导入文件（全部导入）", 10), vec!["导入：导入", "文件（全部", "导入）"]);
        assert_eq!(wrap_columns("averyveryverylongword x", 8), vec!["averyver", "yverylon", "gword x"]);
        assert_eq!(wrap_columns("", 8), vec![String::new()]);
        assert_eq!(wrap_columns("全部导入；有问题则不导入）", 12), vec!["全部导入；有", "问题则不导", "入）"]);
        for line in wrap_columns("D  导入：03/04/2026 这样的日期如何读：按文件、日在前、月在前", 12)
        {
            assert!(width(&line) <= 12, "{line}");
        }
        assert_eq!(truncate_cell("3012345678900001", 14), "3012345…900001");
        assert_eq!(truncate_cell("2026-03-01 10:00:00", 14), "2026-03-01 10…");
        assert_eq!(truncate_cell("john@example.com", 14), "john@example.…");
        assert_eq!(truncate_cell("订单3012345678900001", 14), truncate("订单3012345678900001", 14));
        assert_eq!(truncate_cell("SO-1", 14), "SO-1");
        assert_eq!(skip_columns("长安街1号", 4), "街1号");
        assert_eq!(skip_columns("长安街", 3), "街");
        assert_eq!(skip_columns("abc", 5), "");
    }
}

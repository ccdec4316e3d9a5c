//! CSV as spreadsheets write it: UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK
//! (Chinese spreadsheet programs), `,` `;` or tab, quoted fields, CRLF. (Decimal commas
//! are read by the number fields themselves: `Money::parse`.) Reading pins every problem
//! to a line; writing neutralises formula injection.

use std::io::Write;

use crate::error::{Error, LineError, Result};
use crate::i18n::{t, tf};

/// How many errors one refused import lists; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// A whole file, read and split, with each record's line number.
#[derive(Debug)]
pub struct Table {
    pub headers: Vec<String>,
    pub records: Vec<Record>,
    pub delimiter: u8,
    /// How the bytes were read: UTF-8, UTF-16LE, UTF-16BE or GB18030.
    pub encoding: &'static str,
}

/// The thread's numbers are typed ones again once the file is done with (see `read_table`).
impl Drop for Table {
    fn drop(&mut self) {
        crate::domain::money::reading_file_separated_by(None);
    }
}

#[derive(Debug)]
pub struct Record {
    /// 1-based line where the record starts.
    pub line: u64,
    pub fields: Vec<String>,
}

/// Collects line errors up to the limit, counting the rest.
#[derive(Debug, Default)]
pub struct Errors {
    pub list: Vec<LineError>,
    pub more: usize,
}

impl Errors {
    pub fn push(&mut self, line: u64, column: &str, value: &str, message: String) {
        if self.list.len() < MAX_REPORTED_ERRORS {
            self.list.push(LineError { line, column: column.to_string(), value: value.to_string(), message });
        } else {
            self.more += 1;
        }
    }

    /// How many problems were found, listed or only counted.
    pub fn count(&self) -> usize {
        self.list.len() + self.more
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems as the user reads them: in line order (some are only found at the end
    /// of a document or of the file), each line's in the order found.
    pub fn into_result(mut self) -> Result<()> {
        self.list.sort_by_key(|e| e.line);
        if self.list.is_empty() { Ok(()) } else { Err(Error::Import { errors: self.list, more: self.more }) }
    }
}

/// Reads a file's bytes into a table, or refuses it with every structural error found.
pub fn read_table(bytes: &[u8]) -> Result<Table> {
    let (text, encoding) = decode(bytes)?;
    let text: &str = &text;
    let delimiter = detect_delimiter(text);
    let mut errors = Errors::default();
    quote_problems(text, delimiter, &mut errors);
    errors.into_result()?;
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut errors = Errors::default();
    let mut headers = Vec::new();
    let mut records = Vec::new();
    let (mut counted_to, mut line_at) = (0usize, 1u64);
    for (index, result) in reader.records().enumerate() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let byte = e.position().map(|p| p.byte() as usize).unwrap_or(0).min(text.len());
                let line = line_ends(text.as_bytes(), 0, byte) + 1;
                errors.push(line, "", "", tf("csv.unreadable", &[("reason", &e)]));
                break;
            }
        };
        // The csv crate miscounts lines with CRLF endings; count newlines up to the record's
        // first byte instead, incrementally so a large file stays linear.
        let mut byte = record.position().map(|p| p.byte() as usize).unwrap_or(counted_to).min(text.len());
        // With CRLF the reported start is the LF that ends the previous line.
        while text.as_bytes().get(byte).is_some_and(|b| *b == b'\n' || *b == b'\r') {
            byte += 1;
        }
        line_at += line_ends(text.as_bytes(), counted_to.min(byte), byte);
        counted_to = counted_to.max(byte);
        let line = line_at;
        let fields: Vec<String> = record.iter().map(|f| unneutralise(f).to_string()).collect();
        if index == 0 {
            headers = fields.iter().map(|h| h.trim().to_lowercase()).collect();
            continue;
        }
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue; // a blank line, or a row of separators, as spreadsheets leave at the end
        }
        if fields.len() != headers.len() {
            errors.push(line, "", "", tf("csv.field_count", &[("found", &fields.len()), ("expected", &headers.len())]));
            continue;
        }
        if is_header_again(&headers, fields.iter().map(String::as_str)) {
            errors.push(line, "", "", t("csv.header_again").to_string());
            continue;
        }
        unnamed_cells(line, &headers, |i| fields.get(i).map_or("", String::as_str), &mut errors);
        records.push(Record { line, fields });
    }
    if headers.is_empty() && errors.is_empty() {
        errors.push(1, "", "", t("csv.empty").to_string());
    }
    errors.into_result()?;
    // Its records' numbers are read on this thread, as this file writes them.
    crate::domain::money::reading_file_separated_by(Some(delimiter));
    Ok(Table { headers, records, delimiter, encoding })
}

/// What an import will read a file as, for the user to see: its encoding and separator,
/// when they are not the plain UTF-8 with commas most files are.
pub fn describe_dialect(bytes: &[u8]) -> Option<String> {
    let (text, encoding) = decode(bytes).ok()?;
    describe(encoding, detect_delimiter(&text))
}

/// `describe_dialect` once the encoding and separator are known.
pub fn describe(encoding: &str, delimiter: u8) -> Option<String> {
    if encoding == "UTF-8" && delimiter == b',' {
        return None;
    }
    let separator = match delimiter {
        b'\t' => "tab".to_string(),
        d => format!("'{}'", d as char),
    };
    Some(tf("csv.dialect", &[("encoding", &encoding), ("separator", &separator)]))
}

/// The text of a file: UTF-8 (a BOM stripped), UTF-16 after its BOM, else GB18030 (which
/// GBK is part of) when the bytes are valid as that. Anything else is refused naming the
/// line the first bad byte is on.
pub(crate) fn decode(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, str>, &'static str)> {
    let refuse = |valid_up_to: usize| {
        let line = line_ends(bytes, 0, valid_up_to.min(bytes.len())) + 1;
        let message = t("csv.not_utf8").to_string();
        Error::Import {
            errors: vec![LineError { line, column: String::new(), value: String::new(), message }],
            more: 0,
        }
    };
    for (bom, encoding, name) in
        [(&b"\xFF\xFE"[..], encoding_rs::UTF_16LE, "UTF-16LE"), (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE, "UTF-16BE")]
    {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return match encoding.decode_without_bom_handling_and_without_replacement(rest) {
                Some(text) => Ok((text, name)),
                None => Err(refuse(0)),
            };
        }
    }
    // UTF-16 saved without its BOM: every other byte of an ASCII header is zero.
    if let Some((encoding, name)) = bomless_utf16(bytes) {
        return match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => Ok((text, name)),
            None => Err(refuse(0)),
        };
    }
    let with_bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(_) if !with_bom && gbk_read_as_utf8(bytes) => {
            match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => Ok((text, "GB18030")),
                None => Err(refuse(0)),
            }
        }
        Ok(text) => Ok((std::borrow::Cow::Borrowed(text), "UTF-8")),
        Err(e) if looks_like_gbk(bytes) => {
            match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => Ok((text, "GB18030")),
                None => Err(refuse(e.valid_up_to())),
            }
        }
        Err(e) => Err(refuse(e.valid_up_to())),
    }
}

/// UTF-16 without a BOM, told by the start of its header: column names are ASCII, so in
/// UTF-16 every second byte of them is zero (the high bytes: odd positions in
/// little-endian, even in big). Eight characters are enough, and stay within the header.
pub(crate) fn bomless_utf16(bytes: &[u8]) -> Option<(&'static encoding_rs::Encoding, &'static str)> {
    let head = &bytes[..bytes.len().min(16) & !1];
    if head.len() < 4 {
        return None;
    }
    let zero = |parity: usize| head.iter().skip(parity).step_by(2).all(|b| *b == 0);
    let text = |parity: usize| head.iter().skip(parity).step_by(2).all(|b| *b != 0);
    if zero(1) && text(0) {
        Some((encoding_rs::UTF_16LE, "UTF-16LE"))
    } else if zero(0) && text(1) {
        Some((encoding_rs::UTF_16BE, "UTF-16BE"))
    } else {
        None
    }
}

/// Whether a record repeats the header (two exports pasted one under the other): read as
/// data it would make a customer called `name`. A file of one column may hold its own name.
pub(crate) fn is_header_again<'a>(headers: &[String], cells: impl Iterator<Item = &'a str>) -> bool {
    let mut count = 0;
    for (header, cell) in headers.iter().zip(cells) {
        // Files joined with `cat` repeat the second one's BOM before its header.
        if !header.trim().eq_ignore_ascii_case(cell.trim_start_matches('\u{feff}').trim()) {
            return false;
        }
        count += 1;
    }
    count >= 2 && count == headers.len()
}

/// Whether bytes that are not UTF-8 read as Chinese text in GBK/GB18030 rather than as
/// UTF-8 with a stray byte or as a Western code page (Windows-1252 `Müller` is valid
/// GB18030 too, as nonsense). Chinese characters in GBK are pairs of bytes both above
/// 0xA0 nearly always; an accented Latin letter is one high byte before plain ASCII. And a
/// file that is mostly good UTF-8 is UTF-8 with a bad byte, to be refused, not re-read.
pub(crate) fn looks_like_gbk(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let chars: Vec<char> = text.chars().collect();
    let bad = chars.iter().filter(|c| **c == char::REPLACEMENT_CHARACTER).count();
    // Characters read well count as UTF-8, but for GBK's Chinese read by chance (`叶伟` as
    // `Ҷΰ`, beside `上海` that is not UTF-8 at all).
    let good = (0..chars.len())
        .filter(|&i| !chars[i].is_ascii() && chars[i] != char::REPLACEMENT_CHARACTER && !maybe_gbk(&chars, i))
        .count();
    if good >= bad {
        return false;
    }
    let (mut pairs, mut chinese, mut four_byte) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0x80 {
            i += 1;
            continue;
        }
        pairs += 1;
        // GB18030's four bytes for what GBK lacks (`ß`, `😀`, `𠀀`): high, digit, high, digit,
        // beginning as the Basic Multilingual Plane (0x81-0x84) or the planes of emoji and
        // rarer Chinese (0x90-0x9A) do. Windows-1252 `2×3×4` (0xD7) is no such thing; its
        // `1–2–3` could be, so these count only beside two-byte Chinese.
        let four = |at: usize| bytes.get(at).is_some_and(|b| (0x81..=0xFE).contains(b));
        let digit = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_digit);
        let plausible = (0x81..=0x84).contains(&bytes[i]) || (0x90..=0x9A).contains(&bytes[i]);
        if plausible && digit(i + 1) && four(i + 2) && digit(i + 3) {
            four_byte += 1;
            i += 4;
            continue;
        }
        // Two accented letters inside a Western word (`Informação`, `Größe` in Windows-1252)
        // have plain letters on both sides; Chinese in a cell does not.
        let letter = |at: Option<usize>| at.and_then(|at| bytes.get(at)).is_some_and(|b| b.is_ascii_alphabetic());
        let in_word = letter(i.checked_sub(1)) && letter(Some(i + 2));
        // Rarer characters (`䶮` is FE 9F) have a second byte from 0x80 up.
        if bytes[i] > 0xA0 && bytes.get(i + 1).is_some_and(|b| *b >= 0x80) && !in_word {
            chinese += 1;
        }
        i += 2;
    }
    chinese > 0 && (chinese + four_byte) * 10 >= pairs * 9
}

/// The script of a two-byte UTF-8 letter, for telling GBK read as UTF-8 by chance; `None`
/// for signs (`£ ° « × º`), which stand between words.
#[derive(PartialEq, Clone, Copy)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Armenian,
    Hebrew,
    Arabic,
    /// Phonetic and modifier letters, combining marks, Syriac and later: not in a shop's
    /// names (`ʻ` in `Kaʻū` touches a letter, which says UTF-8 first).
    Odd,
}

fn script_of(c: char) -> Option<Script> {
    Some(match u32::from(c) {
        0xC0..=0x24F if c.is_alphabetic() => Script::Latin,
        0x250..=0x36F | 0x700..=0x7FF => Script::Odd,
        0x370..=0x3FF => Script::Greek,
        0x400..=0x52F => Script::Cyrillic,
        0x530..=0x58F => Script::Armenian,
        0x590..=0x5FF => Script::Hebrew,
        0x600..=0x6FF => Script::Arabic,
        _ => return None,
    })
}

/// Two letters side by side that no real text has: of two scripts (`Ҷΰ`), a phonetic
/// sign, or a capital after a small letter (`аС`).
fn unlikely_pair((script_a, a): (Script, char), (script_b, b): (Script, char)) -> bool {
    script_a != script_b || script_b == Script::Odd || (a.is_lowercase() && b.is_uppercase())
}

/// Whether a character of text read as UTF-8 (stray bytes as U+FFFD) may be GBK's Chinese
/// read by chance: two bytes, a second byte GBK's Chinese have, touching no plain letter,
/// and beside a stray byte (`张德远` reads `�ŵ�Զ`), in an unlikely pair with a letter
/// (`叶伟` as `Ҷΰ`), or a sign with no plain character beside it (`陆远` as `½Զ`).
fn maybe_gbk(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    let at = |j: Option<usize>| j.and_then(|j| chars.get(j)).copied();
    let (before, after) = (at(i.checked_sub(1)), at(Some(i + 1)));
    let letter = |n: Option<char>| n.is_some_and(|n| n.is_ascii_alphabetic());
    let plain = |n: Option<char>| n.is_none_or(|n| n.is_ascii());
    let stray = |n: Option<char>| n == Some(char::REPLACEMENT_CHARACTER);
    let lettered = |n: Option<char>| n.filter(|n| n.len_utf8() == 2).and_then(|n| script_of(n).map(|s| (s, n)));
    if c.len_utf8() != 2 || (u32::from(c) & 0x3F) < 0x21 || letter(before) || letter(after) {
        return false;
    }
    if stray(before) || stray(after) {
        return true;
    }
    match script_of(c) {
        Some(script) => {
            lettered(before).is_some_and(|b| unlikely_pair(b, (script, c)))
                || lettered(after).is_some_and(|a| unlikely_pair((script, c), a))
        }
        None => !plain(before) && !plain(after),
    }
}

/// Whether bytes that are valid UTF-8 are rather GBK/GB18030 that happens to be: a short
/// file of Chinese names whose every character is a GBK pair that UTF-8 reads as one
/// two-byte character (`叶伟` is `Ҷΰ`, `石头` is `ʯͷ`). Said only when each non-ASCII
/// character is such a pair (two bytes, the second above 0xA0, as GBK's Chinese are) and
/// some neighbours no real text has: letters of two scripts side by side, phonetic signs
/// beside a letter, a capital after a small letter (`аС`), or two signs (`¬÷`); and none that real text
/// has: no such character touches a plain letter (`Müller`, `Kaʻū`), as Chinese in a
/// CSV cell does not. `«вода»` or `£12` stay UTF-8 too.
pub(crate) fn gbk_read_as_utf8(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return false; // a BOM says UTF-8
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        // Cut within a character at the end of what was read: what came before.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
        Err(_) => return false,
    };
    let (mut unlikely, mut any) = (false, false);
    let mut before: Option<(Script, char)> = None;
    // The character before was a sign: two signs side by side (`卢梅` reads `¬÷`, `陆露`
    // `½¶`) are nobody's name.
    let mut after_sign = false;
    let mut after_letter = false;
    for c in text.chars() {
        if c.is_ascii() {
            after_sign = false;
            // A plain letter right after the other characters: a word of a Western language.
            if c.is_ascii_alphabetic() && before.is_some() {
                return false;
            }
            after_letter = c.is_ascii_alphabetic();
            before = None;
            continue;
        }
        if after_letter {
            return false;
        }
        // Three-byte characters (all of real Chinese in UTF-8), or a second byte GBK's
        // Chinese never have: UTF-8 it is.
        if c.len_utf8() != 2 || (u32::from(c) & 0x3F) < 0x21 {
            return false;
        }
        any = true;
        // Signs (`£ ° « ×`) stand between words.
        // Quotation marks and inverted punctuation touch other signs in real text (`«¡Hola!»`).
        let Some(script) = script_of(c) else {
            let punctuation = matches!(c, '«' | '»' | '¡' | '¿' | '·');
            unlikely |= after_sign && !punctuation;
            after_sign = !punctuation;
            before = None;
            after_letter = false;
            continue;
        };
        after_sign = false;
        if before.is_some_and(|b| unlikely_pair(b, (script, c))) {
            unlikely = true;
        }
        before = Some((script, c));
    }
    any && unlikely
        && encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(text.as_bytes()).is_some()
}

/// The separator used in the header line: the most frequent of `,` `;` and tab outside
/// quotes. A single-column file is comma-separated.
pub(crate) fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if *d == b {
                    *n += 1;
                }
            }
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map(|(d, _)| *d).unwrap_or(b',')
}

/// True for `'*` followed by a character that starts a spreadsheet formula.
fn formula_like(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(['=', '+', '-', '@'])
}

/// A negative number such as `-3.500`: spreadsheets read it as a number, not a formula,
/// so it is written as it is (quantities and corrections are often negative).
fn negative_number(cell: &str) -> bool {
    cell.strip_prefix('-').is_some_and(|digits| {
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            && digits.chars().filter(|c| *c == '.').count() <= 1
            && !digits.starts_with('.')
    })
}

/// Cells a spreadsheet would run as a formula get a leading `'`. Cells that already start
/// with quotes before such a character get one more, so [`unneutralise`] is an exact inverse.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(cell) && !negative_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Reverses [`neutralise`] on import; and reads Excel's text formula `="00123"`, which
/// Chinese platforms (Taobao's order numbers) and many exports write to keep a long number
/// or a leading zero from being changed by a spreadsheet, as the text it gives.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => match cell.trim().strip_prefix("=\"").and_then(|rest| rest.strip_suffix('"')) {
            Some(text) if !text.contains('"') => text,
            _ => cell,
        },
    }
}

/// Lines ended in `bytes[from..to]`: by an LF, or by a CR alone (old Mac files); the CR of
/// a CRLF is not a line of its own.
pub(crate) fn line_ends(bytes: &[u8], from: usize, to: usize) -> u64 {
    (from..to)
        .filter(|&i| match bytes[i] {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        })
        .count() as u64
}

/// Quotes the csv reader would read past without a word, each named with its line:
/// - a quote opened and never closed: the reader would end the cell at the end of the
///   file, as if it were closed, so a file cut off mid-cell would import its half value.
///   Only a quote at the start of a cell opens one: in `12" pipe` it is a character;
/// - text after the quote that closes a cell (`"Be"ta`): the reader would join it on
///   (`Beta`), where the file most likely meant a quote inside (`"Be""ta"`). Spaces
///   before the separator are allowed.
fn quote_problems(text: &str, delimiter: u8, errors: &mut Errors) {
    let mut line = 1;
    let mut at_field_start = true;
    let mut opened_at: Option<u64> = None;
    let mut just_closed = false;
    let mut stray_named = 0;
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        if opened_at.is_some() {
            match b {
                b'"' if bytes.peek() == Some(&b'"') => {
                    bytes.next();
                }
                b'"' => {
                    opened_at = None;
                    just_closed = true;
                }
                b'\n' => line += 1,
                b'\r' if bytes.peek() != Some(&b'\n') => line += 1,
                _ => {}
            }
            continue;
        }
        let after_quote = std::mem::take(&mut just_closed);
        match b {
            b'"' if at_field_start => opened_at = Some(line),
            b'\n' => {
                line += 1;
                at_field_start = true;
                continue;
            }
            b'\r' if bytes.peek() != Some(&b'\n') => {
                line += 1;
                at_field_start = true;
                continue;
            }
            // The CR of a CRLF: the LF ends the line.
            b'\r' => continue,
            b if b == delimiter => {
                at_field_start = true;
                continue;
            }
            b' ' if after_quote => {
                just_closed = true;
                continue;
            }
            _ if after_quote && stray_named != line => {
                stray_named = line;
                errors.push(line, "", "", t("csv.text_after_quote").to_string());
            }
            _ => {}
        }
        at_field_start = false;
    }
    if let Some(line) = opened_at {
        errors.push(line, "", "", t("csv.unclosed_quote").to_string());
    }
}

/// Names each cell of `line` that has a value under a column the header gives no name.
pub fn unnamed_cells<'c>(line: u64, headers: &[String], cell: impl Fn(usize) -> &'c str, errors: &mut Errors) {
    for (at, _) in headers.iter().enumerate().filter(|(_, h)| h.trim().is_empty()) {
        let value = cell(at);
        if !value.trim().is_empty() {
            errors.push(line, &format!("#{}", at + 1), value, t("csv.unnamed_column").to_string());
        }
    }
}

/// Maps a file's header to a record's known columns: `positions[i]` is where `known[i]`
/// is in the file. Unknown and repeated columns, and missing `required` ones, are errors
/// on line 1.
pub fn map_header(headers: &[String], known: &[&'static str], required: &[&str]) -> Result<Vec<Option<usize>>> {
    let mut errors = Errors::default();
    let mut positions = vec![None; known.len()];
    for (at, header) in headers.iter().enumerate() {
        // A column without a name (spreadsheets leave some past the last): its cells must be
        // empty, which the readers check line by line (`unnamed_cells`).
        if header.trim().is_empty() {
            continue;
        }
        match known.iter().position(|k| k == header) {
            Some(i) if positions[i].is_some() => errors.push(1, header, header, t("csv.duplicate_column").to_string()),
            Some(i) => positions[i] = Some(at),
            None => errors.push(1, header, header, tf("csv.unknown_column", &[("expected", &known.join(", "))])),
        }
    }
    for name in required {
        if known.iter().position(|k| k == name).and_then(|i| positions[i]).is_none() {
            errors.push(1, name, "", tf("csv.missing_column", &[("column", name)]));
        }
    }
    errors.into_result()?;
    Ok(positions)
}

impl Record {
    /// The cell of a mapped column, `None` when the file has no such column.
    pub fn cell(&self, positions: &[Option<usize>], column: usize) -> Option<&str> {
        positions.get(column).copied().flatten().and_then(|at| self.fields.get(at)).map(String::as_str)
    }

    /// The cell of the column named `name` among `known` (as mapped by `map_header`),
    /// trimmed; empty when the file has no such column.
    pub fn named<'r>(&'r self, positions: &[Option<usize>], known: &[&str], name: &str) -> &'r str {
        known.iter().position(|k| *k == name).and_then(|i| self.cell(positions, i)).unwrap_or("").trim()
    }
}

/// Ends an import: refuses it (rolling everything back) if any line had a problem, else
/// records one audit row for the file and returns the report.
pub fn finish_import(
    tx: &rusqlite::Connection,
    ctx: &super::WriteCtx<'_>,
    errors: Errors,
    report: super::customers::ImportReport,
    entity: &str,
) -> Result<super::customers::ImportReport> {
    errors.into_result()?;
    let summary = format!("{} created, {} updated, {} unchanged", report.created, report.updated, report.unchanged);
    ctx.audit(tx, "import", entity, None, summary)?;
    Ok(report)
}

/// Saves a report's rows as `<name>.csv` in `folder`. Returns the path.
pub fn save_rows(
    folder: &std::path::Path,
    name: &str,
    columns: &[&str],
    rows: &[Vec<String>],
) -> Result<std::path::PathBuf> {
    let (path, _) = save_with(folder, name, |out| {
        let mut writer = SafeWriter::new(out);
        writer.row(columns.iter().copied())?;
        for row in rows {
            writer.row(row.iter().map(String::as_str))?;
        }
        writer.finish()?;
        Ok(rows.len())
    })?;
    Ok(path)
}

/// Writes `<name>.csv` in `folder` through `write`, beside it first and then renamed, so
/// a failed save leaves no half file; a second save under the same name gets its own
/// (`<name>-2.csv`) rather than replacing the first. Returns the path and `write`'s count.
pub fn save_with(
    folder: &std::path::Path,
    name: &str,
    write: impl FnOnce(&mut dyn Write) -> Result<usize>,
) -> Result<(std::path::PathBuf, usize)> {
    let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
    let path = (1..)
        .map(|n| if n == 1 { format!("{name}.csv") } else { format!("{name}-{n}.csv") })
        .map(|file| folder.join(file))
        .find(|p| !p.exists())
        .unwrap_or_else(|| folder.join(format!("{name}.csv")));
    let partial = path.with_extension("partial");
    let save = || -> Result<usize> {
        let file = std::fs::File::create(&partial).map_err(|source| Error::Io { path: partial.clone(), source })?;
        let mut out = std::io::BufWriter::new(file);
        let count = write(&mut out)?;
        out.flush().map_err(|source| Error::Io { path: partial.clone(), source })?;
        std::fs::rename(&partial, &path).map_err(|source| Error::Io { path: path.clone(), source })?;
        Ok(count)
    };
    match save() {
        Ok(count) => Ok((path, count)),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// A CSV writer that neutralises every cell.
pub struct SafeWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> SafeWriter<W> {
    pub fn new(out: W) -> Self {
        SafeWriter { inner: csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out) }
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<()> {
        self.inner.write_record(cells.into_iter().map(|c| neutralise(c).into_owned())).map_err(|e| {
            // Keep the I/O error as it is: a reader that stopped early (`| head`) is a broken
            // pipe, which the command line treats as the end of the output, not a failure.
            let source = match e.into_kind() {
                csv::ErrorKind::Io(io) => io,
                other => std::io::Error::other(format!("{other:?}")),
            };
            Error::Io { path: "-".into(), source }
        })
    }

    pub fn finish(mut self) -> Result<()> {
        self.inner.flush().map_err(|e| Error::Io { path: "-".into(), source: e })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_lines<T: std::fmt::Debug>(result: Result<T>) -> Vec<LineError> {
        match result {
            Err(Error::Import { errors, .. }) => errors,
            other => panic!("expected a refused import, got {other:?}"),
        }
    }

    #[test]
    fn spreadsheet_dialects() {
        let semicolon = read_table("\u{feff}Code;Name\r\nC1;\"Müller; Zoë\"\r\nC2;张伟\r\n".as_bytes()).unwrap();
        assert_eq!(semicolon.headers, vec!["code", "name"]);
        assert_eq!(semicolon.records[0].fields, vec!["C1", "Müller; Zoë"]);
        assert_eq!(semicolon.records[1].line, 3);
        let tabs = read_table(b"code\tname\nC1\tAna\n\n").unwrap();
        assert_eq!(tabs.records.len(), 1);
        let multiline = read_table(b"code,notes\nC1,\"one\ntwo\"\nC2,x\n").unwrap();
        assert_eq!(multiline.records[1].line, 4);
    }

    #[test]
    fn utf16_and_gb18030_files_read_like_utf8() {
        let text = "code;name;price\r\nC1;张伟;12,50\r\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let bomless: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        for (bytes, encoding) in
            [(le, "UTF-16LE"), (be, "UTF-16BE"), (bomless, "UTF-16LE"), (gbk.into_owned(), "GB18030")]
        {
            let table = read_table(&bytes).unwrap();
            assert_eq!(table.encoding, encoding);
            assert_eq!(table.records[0].fields, ["C1", "张伟", "12,50"], "{encoding}");
        }
        // Not UTF-8 and not GB18030 either: refused on the line of the bad byte.
        let errors = err_lines(read_table(b"code,name\nC1,Ana\nC2,\x80\xff\n"));
        assert_eq!(errors[0].line, 3);
        // Windows-1252 German would read as GB18030 nonsense (M\u{9ED7}ler): refused instead.
        let errors = err_lines(read_table(b"code;name;city\nC1;M\xfcller;K\xf6ln\n"));
        assert_eq!(errors[0].line, 2);
        // Good UTF-8 with one stray byte is refused, not re-read as GB18030.
        let errors = err_lines(read_table(
            "code,name\nC1,Zoë Müller 张伟\nC2,\u{00e9}"
                .as_bytes()
                .iter()
                .copied()
                .chain([0xB1, b'\n'])
                .collect::<Vec<u8>>()
                .as_slice(),
        ));
        assert_eq!(errors[0].line, 3);
    }

    #[test]
    fn a_file_cut_off_mid_row_is_refused_at_that_line() {
        // A download or copy that stopped part-way: the last record has too few fields.
        let errors = err_lines(read_table(b"code,name,email\nC1,Ana,a@example.com\nC2,Bo"));
        assert_eq!((errors[0].line, errors.len()), (3, 1), "{errors:?}");
        assert!(errors[0].message.contains('2') && errors[0].message.contains('3'), "{errors:?}");
        // Cut inside a quoted field: the quote is never closed.
        let errors = err_lines(read_table(b"code,name\nC1,Ana\nC2,\"Bo, the"));
        assert_eq!(errors[0].line, 3, "{errors:?}");
    }

    #[test]
    fn problems_are_told_in_line_order() {
        // A document's problems found when it ends come after a later line's.
        let mut errors = Errors::default();
        for (line, column) in [(3, "a"), (2, "b"), (3, "c"), (1, "d")] {
            errors.push(line, column, "", String::new());
        }
        let told: Vec<(u64, String)> =
            err_lines(errors.into_result()).into_iter().map(|e| (e.line, e.column)).collect();
        let expected = [(1, "d"), (2, "b"), (3, "a"), (3, "c")].map(|(l, c)| (l, c.to_string()));
        assert_eq!(told, expected.to_vec());
    }

    #[test]
    fn the_header_met_again_is_refused_at_its_line() {
        // Two exports pasted one under the other; a one-column file may hold its own name.
        let errors = err_lines(read_table(b"code,name,city\nA1,Anna,Berlin\nCode, Name ,CITY\nA2,Bo,Rom\n"));
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3], "{errors:?}");
        assert!(errors[0].message.contains("header line again"), "{errors:?}");
        assert!(read_table(b"code\nA1\ncode\n").is_ok());
        let joined = err_lines(read_table("\u{feff}code,name\nA1,Anna\n\u{feff}code,name\n".as_bytes()));
        assert_eq!(joined.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3], "{joined:?}");
        assert!(read_table(b"code,name\ncode,Code Ltd\n").is_ok(), "only the whole header is");
    }

    #[test]
    fn text_after_a_closing_quote_is_refused_at_its_line() {
        // `"Be"ta` would be read as Beta: the file most likely meant a quote inside.
        let errors = err_lines(read_table(b"code,name\r\nC1,\"Be\"ta\"\r\nC2,\"x\" y\",\"z\"w\n"));
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 3], "once a line: {errors:?}");
        assert!(errors[0].message.contains("written twice"), "{errors:?}");
        // Spaces before the separator, CRLF, a doubled quote and an inch mark are fine.
        let table = read_table(b"code,name\r\nC1,\"Be\"\"ta\"  \r\nC2,12\" pipe\r\n").unwrap();
        assert_eq!(table.records[0].fields[1], "Be\"ta  ");
        assert_eq!(table.records[1].fields[1], "12\" pipe");
    }

    #[test]
    fn structural_errors_name_the_line() {
        let errors = err_lines(read_table(b"code,name\nC1,Ana\nC2,Bo,extra\n"));
        assert_eq!(errors[0].line, 3);
        // Old Mac files end lines with CR alone: counted as the streaming reader counts them.
        let errors = err_lines(read_table(b"code,name\rC1,Ana\r\rC2,Bo,extra\r"));
        assert_eq!(errors[0].line, 4);
        let errors = err_lines(read_table(b"code,name\r\nC1,Ana\r\nC2,Bo,extra\r\n"));
        assert_eq!(errors[0].line, 3);
        let errors = err_lines(read_table(b"code,name\nC1,Ana\n\xff\xfe,x\n"));
        assert_eq!(errors[0].line, 3);
        let errors = err_lines(read_table(b""));
        assert_eq!(errors[0].line, 1);
    }

    #[test]
    fn an_unterminated_quote_is_refused() {
        let errors = err_lines(read_table(b"code,name\nC1,\"Ana\nC2,Bo\n"));
        assert_eq!(errors[0].line, 2, "{errors:?}");
        let errors = err_lines(read_table(b"code,name\nC1,\"An \"\"a\"\" \nC2,Bo\n"));
        assert_eq!(errors[0].line, 2, "an escaped quote does not close: {errors:?}");
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_text() {
        let table = read_table(b"code,name\nC1,12\" pipe\nC2,\"say \"\"hi\"\"\"\n").unwrap();
        assert_eq!(table.records[0].fields[1], "12\" pipe");
        assert_eq!(table.records[1].fields[1], "say \"hi\"");
    }

    #[test]
    fn formula_cells_are_neutralised_and_restored() {
        for cell in [
            "=1+1",
            "+86 10 1234",
            "-5",
            "-3.500",
            "'-3.500",
            "-1-1",
            "-.5",
            "@SUM(A1)",
            "'=already",
            "plain",
            "'quoted",
            "''x",
            "''=x",
            "'",
            "=\"00123\"",
            "=\"a\"\"b\"",
        ] {
            assert_eq!(unneutralise(&neutralise(cell)), cell);
        }
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("plain"), "plain");
        assert_eq!(neutralise("-3.500"), "-3.500", "a negative number stays a number");
        assert_eq!(neutralise("-1-1"), "'-1-1");
        assert_eq!(unneutralise("'-3.500"), "-3.500", "older exports still read back");
        // Excel's text formula, as Taobao writes its order numbers: the text it gives.
        assert_eq!(unneutralise("=\"3012345678909991\""), "3012345678909991");
        assert_eq!(unneutralise("=\"00123\""), "00123");
        assert_eq!(unneutralise("=\"a\"b\""), "=\"a\"b\"", "a quote inside: not one");
    }
}

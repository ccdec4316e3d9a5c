//! A CSV file read one record at a time, for files too big to hold at once (a shop's sales
//! history runs to millions of lines): memory stays the size of a record, not of the file.
//! It reads the dialects `csv_io::read_table` does, with the same line numbers in errors.
//! UTF-8 streams; UTF-16 and GB18030 files, which spreadsheets write at spreadsheet sizes,
//! are decoded whole first. A file whose start is plain ASCII is told at its first other
//! byte (`LateDecoding`), so a GB18030 file with Chinese only further down streams too.

use std::collections::VecDeque;
use std::io::{Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::csv_io::{self, Errors};
use crate::error::{Error, Result};
use crate::i18n::{t, tf};

/// How much of the file is looked at to tell its encoding and separator.
const HEAD: usize = 64 * 1024;
/// The longest record read: far beyond any real one (a spreadsheet cell holds 32,767
/// characters; a 10 MB cell still reads), it stops a quote left open mid-file from reading
/// the rest of the file into one cell, and its line ends into `Counted`, in memory.
const MAX_RECORD: u64 = 16 * 1024 * 1024;

/// The encoding a stream is read in; a file that starts in plain ASCII may turn out to be
/// GB18030 further on.
#[derive(Debug, Clone)]
pub struct Encoding {
    first: &'static str,
    late_gb18030: Arc<AtomicBool>,
}

impl Encoding {
    pub fn name(&self) -> &'static str {
        if self.late_gb18030.load(Ordering::Relaxed) { "GB18030" } else { self.first }
    }
}

/// Why the bytes stopped reading, told to the csv reader as an I/O error.
#[derive(Debug)]
enum Stop {
    /// Neither UTF-8 nor GB18030 from here.
    Undecodable,
    /// A record longer than `MAX_RECORD`.
    RecordTooLong,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for Stop {}

fn stop(why: Stop) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why)
}

pub struct CsvStream {
    reader: csv::Reader<Counted>,
    record: csv::StringRecord,
    /// The header's cells as written, trimmed (errors name columns as the file does).
    pub headers: Vec<String>,
    pub delimiter: u8,
    pub encoding: Encoding,
    /// The line of the record last read.
    line: u64,
    ended: bool,
    /// Whether a value under a column without a name is an error (a table's own format),
    /// or such columns are another system's to ignore (sales history).
    pub refuse_unnamed: bool,
    /// With `keep_passed_over`, the records of another width the last `next_record`
    /// passed over (named in its errors), with their lines: a reader may still want to
    /// know whose rows they were. At most `PASSED_OVER_KEPT`; `passed_over_more` says
    /// there were more.
    pub keep_passed_over: bool,
    pub passed_over: Vec<(u64, csv::StringRecord)>,
    pub passed_over_more: bool,
}

/// Rows of another width kept between two that read: a file with more is broken anyway.
const PASSED_OVER_KEPT: usize = 64;

/// The thread's numbers are typed ones again once the file is done with.
impl Drop for CsvStream {
    fn drop(&mut self) {
        crate::domain::money::reading_file_separated_by(None);
    }
}

impl CsvStream {
    /// Opens `input` and reads its header line.
    pub fn open(mut input: impl Read + Send + 'static) -> Result<CsvStream> {
        let mut head = Vec::with_capacity(HEAD);
        (&mut input).take(HEAD as u64).read_to_end(&mut head).map_err(io)?;
        let utf16 =
            head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") || csv_io::bomless_utf16(&head).is_some();
        let late_gb18030 = Arc::new(AtomicBool::new(false));
        let (source, first): (Box<dyn Read + Send>, &'static str) = match std::str::from_utf8(&head) {
            // A character cut at the end of the head is still UTF-8.
            _ if utf16 => decoded_whole(head, input)?,
            Err(e) if e.error_len().is_some() => decoded_whole(head, input)?,
            // Chinese in GBK that UTF-8 reads too, as nonsense (`叶伟` as `Ҷΰ`).
            _ if csv_io::gbk_read_as_utf8(&head) => decoded_whole(head, input)?,
            _ if head.is_ascii() => {
                let late = LateDecoding::new(Box::new(Cursor::new(head).chain(input)), late_gb18030.clone());
                (Box::new(late), "UTF-8")
            }
            _ => {
                let skip = if head.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
                let mut first = Cursor::new(head);
                first.set_position(skip);
                (Box::new(first.chain(input)), "UTF-8")
            }
        };
        let encoding = Encoding { first, late_gb18030 };
        // The separator is the header's; the head holds it unless the header is huge.
        let mut counted = Counted {
            inner: source,
            offset: 0,
            line_ends: VecDeque::new(),
            passed: 0,
            record_from: 0,
            quoting: Quoting::default(),
        };
        let mut peek = Vec::new();
        (&mut counted.inner).take(HEAD as u64).read_to_end(&mut peek).map_err(io)?;
        let delimiter = csv_io::detect_delimiter(&String::from_utf8_lossy(&peek));
        counted.inner = Box::new(Cursor::new(peek).chain(counted.inner));
        counted.quoting.delimiter = delimiter;
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .buffer_capacity(256 * 1024)
            .from_reader(counted);
        let mut stream = CsvStream {
            reader,
            record: csv::StringRecord::new(),
            headers: Vec::new(),
            delimiter,
            encoding,
            line: 0,
            ended: false,
            refuse_unnamed: false,
            keep_passed_over: false,
            passed_over: Vec::new(),
            passed_over_more: false,
        };
        let mut errors = Errors::default();
        if stream.next(&mut errors)?.is_none() && errors.is_empty() {
            errors.push(1, "", "", t("csv.empty").to_string());
        }
        // A header that does not read (`"Na"me`) is refused before any record is.
        errors.into_result()?;
        stream.headers = stream.record.iter().map(|h| csv_io::unneutralise(h).trim().to_string()).collect();
        Ok(stream)
    }

    /// Opens `input` as a table of the `known` columns, matched by header name in any case
    /// as `csv_io::map_header` matches them: the stream and where each known column is.
    pub fn open_table(
        input: impl Read + Send + 'static,
        known: &[&'static str],
        required: &[&str],
    ) -> Result<(CsvStream, Vec<Option<usize>>)> {
        let mut stream = CsvStream::open(input)?;
        stream.refuse_unnamed = true;
        let headers: Vec<String> = stream.headers.iter().map(|h| h.to_lowercase()).collect();
        let positions = csv_io::map_header(&headers, known, required)?;
        Ok((stream, positions))
    }

    /// The record last read as `csv_io::read_table` gives one: its line and cells.
    pub fn record(&self, line: u64) -> csv_io::Record {
        csv_io::Record { line, fields: (0..self.headers.len()).map(|i| self.cell(i).to_string()).collect() }
    }

    /// Reads the next record with as many cells as the header, skipping blank lines and
    /// recording records of another width in `errors`. `None` at the end, or when the file
    /// cannot be read further (the reason is in `errors`).
    pub fn next_record(&mut self, errors: &mut Errors) -> Result<Option<u64>> {
        self.passed_over.clear();
        self.passed_over_more = false;
        loop {
            let Some(line) = self.next(errors)? else { return Ok(None) };
            // A blank line, or a row of separators, as spreadsheets leave at the end.
            if self.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            // A record that runs into a quote left open to the end of the file is short for
            // that reason alone: the open quote is named once the end is reached.
            let start = self.record.position().map(|p| p.byte()).unwrap_or(0);
            let end = self.reader.get_ref().record_from;
            let open_here = self.reader.get_ref().quoting.left_open().is_some_and(|at| (start..end).contains(&at));
            if self.record.len() != self.headers.len() && open_here {
                continue;
            }
            if self.record.len() != self.headers.len() {
                let found = self.record.len();
                errors.push(
                    line,
                    "",
                    "",
                    tf("csv.field_count", &[("found", &found), ("expected", &self.headers.len())]),
                );
                if self.keep_passed_over && self.passed_over.len() < PASSED_OVER_KEPT {
                    self.passed_over.push((line, self.record.clone()));
                } else {
                    self.passed_over_more = true;
                }
                continue;
            }
            if csv_io::is_header_again(&self.headers, self.record.iter().map(csv_io::unneutralise)) {
                errors.push(line, "", "", t("csv.header_again").to_string());
                continue;
            }
            if self.refuse_unnamed {
                csv_io::unnamed_cells(line, &self.headers, |i| self.cell(i), errors);
            }
            return Ok(Some(line));
        }
    }

    /// A cell of the record last read, as written (a neutralised formula restored).
    pub fn cell(&self, index: usize) -> &str {
        self.record.get(index).map(csv_io::unneutralise).unwrap_or("")
    }

    /// The record last read, for keeping: the next read fills a new one.
    pub fn take_record(&mut self) -> csv::StringRecord {
        let capacity = self.record.as_slice().len();
        std::mem::replace(&mut self.record, csv::StringRecord::with_capacity(capacity, self.headers.len()))
    }

    /// How far into the file reading has come, in bytes (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().offset
    }

    fn next(&mut self, errors: &mut Errors) -> Result<Option<u64>> {
        if self.ended {
            return Ok(None);
        }
        // Numbers of this record are read on this thread, as this file writes them.
        crate::domain::money::reading_file_separated_by(Some(self.delimiter));
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {
                let start = self.record.position().map(|p| p.byte()).unwrap_or(0);
                self.line = self.reader.get_mut().line_at(start);
                let end = self.reader.position().byte();
                self.reader.get_mut().record_from = end;
                let stray = &mut self.reader.get_mut().quoting.stray;
                if stray.front().is_some_and(|at| *at < end) {
                    errors.push(self.line, "", "", t("csv.text_after_quote").to_string());
                    while stray.front().is_some_and(|at| *at < end) {
                        stray.pop_front();
                    }
                }
                Ok(Some(self.line))
            }
            Ok(false) => {
                self.ended = true;
                // The csv reader ends a field left open by a quote at the end of the file, as
                // if it were closed: a file cut off mid-cell would import its half value.
                if let Some(opened) = self.reader.get_ref().quoting.left_open() {
                    let line = self.reader.get_mut().line_at(opened).max(1);
                    errors.push(line, "", "", t("csv.unclosed_quote").to_string());
                }
                Ok(None)
            }
            Err(e) => {
                self.ended = true;
                let stopped = match e.kind() {
                    csv::ErrorKind::Io(e) => e.get_ref().and_then(|inner| inner.downcast_ref::<Stop>()),
                    _ => None,
                };
                // A record too long is named where it starts.
                let byte = match stopped {
                    Some(Stop::RecordTooLong) => self.reader.get_ref().record_from,
                    _ => e.position().map(|p| p.byte()).unwrap_or(self.reader.get_ref().offset),
                };
                let line = self.reader.get_mut().line_at(byte);
                let message = match (e.kind(), stopped) {
                    (_, Some(Stop::Undecodable)) => t("csv.not_utf8").to_string(),
                    (_, Some(Stop::RecordTooLong)) => {
                        tf("csv.record_too_long", &[("megabytes", &(MAX_RECORD / (1024 * 1024)))])
                    }
                    (csv::ErrorKind::Utf8 { .. }, _) => t("csv.not_utf8").to_string(),
                    (csv::ErrorKind::Io(_), _) => {
                        return Err(Error::Io { path: "-".into(), source: std::io::Error::other(e.to_string()) });
                    }
                    (_, _) => tf("csv.unreadable", &[("reason", &e)]),
                };
                errors.push(line, "", "", message);
                Ok(None)
            }
        }
    }
}

/// The start of a file as an import will read it: for the import screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub encoding: &'static str,
    pub delimiter: u8,
}

/// Reads the header and up to `rows` records of the file at `path`.
pub fn preview(path: &std::path::Path, rows: usize) -> Result<Preview> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    // A folder opens as a file does here; reading it would fail without its name.
    if path.is_dir() {
        let source = std::io::Error::from(std::io::ErrorKind::IsADirectory);
        return Err(Error::Io { path: path.to_path_buf(), source });
    }
    let mut stream = CsvStream::open(file)?;
    let mut errors = Errors::default();
    let mut found = Vec::new();
    while found.len() < rows && stream.next_record(&mut errors)?.is_some() {
        found.push((0..stream.headers.len()).map(|i| stream.cell(i).to_string()).collect());
    }
    errors.into_result()?;
    let encoding = stream.encoding.name();
    Ok(Preview { headers: stream.headers.clone(), rows: found, encoding, delimiter: stream.delimiter })
}

fn io(source: std::io::Error) -> Error {
    Error::Io { path: "-".into(), source }
}

/// A file that is not UTF-8: all of it, decoded as `csv_io::read_table` would.
fn decoded_whole(head: Vec<u8>, mut rest: impl Read) -> Result<(Box<dyn Read + Send>, &'static str)> {
    let mut bytes = head;
    rest.read_to_end(&mut bytes).map_err(io)?;
    let (text, encoding) = csv_io::decode(&bytes)?;
    Ok((Box::new(Cursor::new(text.into_owned().into_bytes())), encoding))
}

/// The bytes on their way to the csv reader, with where each line ends: the reader's
/// record positions are bytes, and errors are told in lines as an editor counts them.
struct Counted {
    inner: Box<dyn Read + Send>,
    offset: u64,
    /// Offsets of CR and LF bytes not yet passed by a record, with whether each is an LF.
    line_ends: VecDeque<(u64, bool)>,
    /// Line feeds already passed.
    passed: u64,
    /// Where the record being read starts: the end of the one before.
    record_from: u64,
    quoting: Quoting,
}

/// Whether the bytes read so far leave a quoted cell open, read as `csv_io::read_table`
/// reads a whole file: a quote opens a cell only at its start, `""` inside is one quote
/// (so an unquoted `24"` is just text).
#[derive(Debug, Default)]
struct Quoting {
    delimiter: u8,
    /// Where the quote of the open cell is, when one is open.
    opened_at: Option<u64>,
    /// A quote was just met inside a quoted cell: it closes it unless another follows.
    quote_pending: bool,
    /// Not at the start of a cell: a quote here is text.
    inside_cell: bool,
    /// A quoted cell just closed: only spaces, a separator or a line end may follow.
    just_closed: bool,
    /// Where text follows a closing quote (`"Be"ta`), not yet told: the csv reader would
    /// join it on silently.
    stray: VecDeque<u64>,
}

impl Quoting {
    fn pass(&mut self, byte: u8, offset: u64) {
        if self.opened_at.is_some() {
            if self.quote_pending {
                self.quote_pending = false;
                if byte == b'"' {
                    return;
                }
                self.opened_at = None;
                self.just_closed = true;
            } else {
                self.quote_pending = byte == b'"';
                return;
            }
        }
        if std::mem::take(&mut self.just_closed) {
            match byte {
                b' ' => self.just_closed = true,
                b'\n' | b'\r' => {}
                b if b == self.delimiter => {}
                _ => self.stray.push_back(offset),
            }
        }
        match byte {
            b'"' if !self.inside_cell => self.opened_at = Some(offset),
            b'\n' | b'\r' => self.inside_cell = false,
            b if b == self.delimiter => self.inside_cell = false,
            _ => self.inside_cell = true,
        }
        if self.opened_at.is_some() {
            self.inside_cell = true;
        }
    }

    /// Where the quote left open at the end of the file is.
    fn left_open(&self) -> Option<u64> {
        self.opened_at.filter(|_| !self.quote_pending)
    }
}

impl Counted {
    /// The line (from 1) a record starting at byte `start` is on. Records are asked for in
    /// order, so line ends passed are dropped. The reported start may be a line end before
    /// the record (with CRLF, and after blank lines): line ends right at it are passed too.
    fn line_at(&mut self, start: u64) -> u64 {
        let mut cursor = start;
        while let Some(&(at, lf)) = self.line_ends.front() {
            if at > cursor {
                break;
            }
            if at == cursor {
                cursor += 1;
            }
            self.line_ends.pop_front();
            // An LF ends a line; so does a CR on its own (old Mac files), not one before an LF.
            let cr_of_crlf = !lf && self.line_ends.front().is_some_and(|&(next, next_lf)| next_lf && next == at + 1);
            self.passed += u64::from(lf || !cr_of_crlf);
        }
        self.passed + 1
    }
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.offset.saturating_sub(self.record_from) > MAX_RECORD {
            return Err(stop(Stop::RecordTooLong));
        }
        let n = self.inner.read(buf)?;
        for (i, b) in buf[..n].iter().enumerate() {
            if matches!(*b, b'\n' | b'\r') {
                self.line_ends.push_back((self.offset + i as u64, *b == b'\n'));
            }
            self.quoting.pass(*b, self.offset + i as u64);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// A file whose start is plain ASCII, which reads the same in UTF-8 and GB18030: at the
/// first other byte it looks ahead, and when what follows is not UTF-8 but Chinese text in
/// GB18030 (as `csv_io::decode` tells a whole file), the rest is decoded as GB18030.
struct LateDecoding {
    inner: Box<dyn Read + Send>,
    state: Late,
    out: Vec<u8>,
    out_at: usize,
    switched: Arc<AtomicBool>,
}

enum Late {
    Ascii,
    Utf8,
    Gb18030(Box<encoding_rs::Decoder>),
    /// The decoder has had the end of the file: it must not be used again.
    Ended,
    /// A byte that is not GB18030 follows what was read: an error from now on, so the
    /// error's offset (and line) is that byte's.
    Undecodable,
}

impl LateDecoding {
    fn new(inner: Box<dyn Read + Send>, switched: Arc<AtomicBool>) -> LateDecoding {
        LateDecoding { inner, state: Late::Ascii, out: Vec::new(), out_at: 0, switched }
    }

    /// Decodes `bytes` (the last of the file when `last`) onto `out`; false at a byte that
    /// is not GB18030, with what came before it on `out`.
    fn decode(decoder: &mut encoding_rs::Decoder, bytes: &[u8], last: bool, out: &mut Vec<u8>) -> bool {
        let start = out.len();
        let room = decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 4);
        out.resize(start + room, 0);
        let (result, _, written) = decoder.decode_to_utf8_without_replacement(bytes, &mut out[start..], last);
        out.truncate(start + written);
        !matches!(result, encoding_rs::DecoderResult::Malformed(..))
    }
}

impl Read for LateDecoding {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_at < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_at);
                buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
                self.out_at += n;
                return Ok(n);
            }
            self.out.clear();
            self.out_at = 0;
            match self.state {
                Late::Ended => return Ok(0),
                Late::Undecodable => return Err(stop(Stop::Undecodable)),
                _ => {}
            }
            let mut raw = Vec::with_capacity(HEAD);
            let n = (&mut self.inner).take(HEAD as u64).read_to_end(&mut raw)?;
            let next = match &mut self.state {
                Late::Utf8 | Late::Ascii if n == 0 => Some(Late::Ended),
                Late::Utf8 => {
                    self.out = raw;
                    None
                }
                Late::Gb18030(decoder) => {
                    if !Self::decode(decoder, &raw, n == 0, &mut self.out) {
                        Some(Late::Undecodable)
                    } else if n == 0 {
                        Some(Late::Ended)
                    } else {
                        None
                    }
                }
                Late::Ascii => match raw.iter().position(|b| !b.is_ascii()) {
                    None => {
                        self.out = raw;
                        None
                    }
                    Some(at) => {
                        // What follows the first other byte tells the encoding.
                        let mut ahead = raw.split_off(at);
                        let more = (&mut self.inner).take(HEAD as u64).read_to_end(&mut ahead)?;
                        let utf8 = match std::str::from_utf8(&ahead) {
                            Ok(_) => true,
                            Err(e) => e.error_len().is_none(),
                        };
                        self.out = raw;
                        // Valid UTF-8 stays so here: what follows this look-ahead is not
                        // seen, and a whole file of it may well be UTF-8 (`gbk_read_as_utf8`
                        // judges short files, which the head holds whole).
                        if utf8 || !csv_io::looks_like_gbk(&ahead) {
                            self.out.extend_from_slice(&ahead);
                            Some(Late::Utf8)
                        } else {
                            self.switched.store(true, Ordering::Relaxed);
                            let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
                            // A file that ends within the look-ahead ends the decoder here.
                            let last = more < HEAD;
                            match (Self::decode(&mut decoder, &ahead, last, &mut self.out), last) {
                                (false, _) => Some(Late::Undecodable),
                                (true, true) => Some(Late::Ended),
                                (true, false) => Some(Late::Gb18030(Box::new(decoder))),
                            }
                        }
                    }
                },
                Late::Ended | Late::Undecodable => None,
            };
            if let Some(next) = next {
                self.state = next;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &[u8]) -> (Vec<(u64, Vec<String>)>, Vec<crate::error::LineError>) {
        let mut stream = match CsvStream::open(Cursor::new(text.to_vec())) {
            Ok(stream) => stream,
            Err(Error::Import { errors, .. }) => return (Vec::new(), errors),
            Err(e) => panic!("{e:?}"),
        };
        let mut errors = Errors::default();
        let mut rows = Vec::new();
        while let Some(line) = stream.next_record(&mut errors).unwrap() {
            rows.push((line, (0..stream.headers.len()).map(|i| stream.cell(i).to_string()).collect()));
        }
        (rows, errors.list)
    }

    #[test]
    fn lines_are_counted_as_an_editor_does() {
        for end in ["\n", "\r\n"] {
            let text = ["a,b", "1,2", "", "3,\"x", "y\"", "4,5", ""].join(end);
            let (rows, errors) = lines_of(text.as_bytes());
            assert!(errors.is_empty(), "{errors:?}");
            let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
            assert_eq!(lines, vec![2, 4, 6], "line ends {end:?}");
            assert_eq!(rows[1].1[1], format!("x{end}y"));
        }
    }

    #[test]
    fn the_header_met_again_is_refused_at_its_line() {
        let (rows, errors) = lines_of(b"Order ID,Date\nA1,2026-01-01\nOrder ID,Date\nA2,2026-01-02\n");
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3], "{errors:?}");
    }

    #[test]
    fn old_mac_line_ends_are_lines_too() {
        let (rows, errors) = lines_of(b"a,b\r1,2\r\r3,4,5\r6,7\r");
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![4]);
    }

    #[test]
    fn reads_bom_semicolons_and_neutralised_cells() {
        let (rows, _) = lines_of("\u{feff}code;phone\r\n007;'+49 30\r\n".as_bytes());
        assert_eq!(rows, vec![(2, vec!["007".to_string(), "+49 30".to_string()])]);
    }

    #[test]
    fn problems_name_their_lines() {
        let (_, errors) = lines_of(b"a,b\n1,2\n1,2,3\n4,5\n6,\"open\n");
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 5]);
        let (_, errors) = lines_of(b"a,b\n1,2\nM\xFCller,3\n");
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn utf16_and_gbk_are_decoded() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "name\tcity\r\n张伟\t上海\r\n".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let (rows, _) = lines_of(&utf16);
        assert_eq!(rows, vec![(2, vec!["张伟".to_string(), "上海".to_string()])]);
        let (gbk, _, _) = encoding_rs::GBK.encode("name,city\n张伟,上海\n");
        let (rows, _) = lines_of(&gbk);
        assert_eq!(rows[0].1, vec!["张伟".to_string(), "上海".to_string()]);
    }

    /// GBK names that are valid UTF-8 as well (`叶伟` is `Ҷΰ`, `石头` is `ʯͷ`) in a short
    /// file; and real UTF-8 that must stay so, with a BOM, or past the first 64 KB.
    #[test]
    fn gbk_that_utf8_also_reads_is_told_by_its_neighbours() {
        for names in ["叶伟", "石头", "叶伟 and 石头", "史伟", "谢帅", "卢梅", "陆露", "鲁露", "卢梅 Ltd", "卢梅 陆露"]
        {
            let text = format!("code,name\nC1,{names}\n");
            let (gbk, _, _) = encoding_rs::GBK.encode(&text);
            assert!(std::str::from_utf8(&gbk).is_ok(), "the case at hand: valid UTF-8 too");
            let (rows, _) = lines_of(&gbk);
            assert_eq!(rows[0].1[1], names);
            let (text, encoding) = crate::ops::csv_io::decode(&gbk).unwrap();
            assert_eq!((text.contains(names), encoding), (true, "GB18030"));
        }
        let western = [
            "Müller",
            "café crème",
            "вода",
            "«вода»",
            "£12",
            "coração",
            "Hawaiʻi",
            "Ελλάδα",
            "叶伟",
            "Kaʻū Coffee",
            "ʻĪao Valley",
            "Saʿūdī",
            "Café Zoë Müller",
            "Elbow 90° ±2°",
            "¡Hola! «Olé»",
            "«¡Hola!»",
            "«¿Qué?»",
            "½ × 2",
            "Gift card £10 · €5",
        ];
        for utf8 in western {
            let text = format!("code,name\nC1,{utf8}\n");
            assert!(!crate::ops::csv_io::gbk_read_as_utf8(text.as_bytes()), "{utf8}");
            let (rows, _) = lines_of(text.as_bytes());
            assert_eq!(rows[0].1[1], utf8);
            let late = format!("code,name\n{}C1,{utf8}\n", "C0,Ann\n".repeat(10_000));
            let (rows, _) = lines_of(late.as_bytes());
            assert_eq!(rows.last().unwrap().1[1], utf8, "past the head");
        }
        // Mixed with GBK that is not UTF-8 (上海), names UTF-8 reads are not counted as UTF-8;
        // and GB18030's four-byte characters, for what GBK lacks, in a file with Chinese. (For
        // the first six GB18030 writes what GBK does.)
        for text in [
            "code,name,city\nC1,叶伟,上海\n",
            "code,name\nC1,叶伟\nC2,上海\n",
            "code,name\nC1,张德远\n",
            "code,name\nC1,何东志\n",
            "code,name\nC1,卢浩帅\n",
            "code,name,city\nC1,夏娟,长沙\nC2,陆伟,青岛\n",
            "code,name\nC1,张伟 Straße\n",
            "code,name\nC1,王䶮\n",
            "code,name\nC1,张伟 😀\n",
            "code,street\nC1,Hauptstraße 1 张伟\n",
        ] {
            let (gb18030, _, _) = encoding_rs::GB18030.encode(text);
            let (decoded, encoding) = crate::ops::csv_io::decode(&gb18030).unwrap();
            assert_eq!((decoded.as_ref(), encoding), (text, "GB18030"));
        }
        // UTF-8 with one stray byte is still refused, not read as GBK.
        assert!(crate::ops::csv_io::decode(b"code,name\nC1,M\xC3\xBCller \xFF\n").is_err());
        let stray: [(&str, &[u8]); 5] = [
            ("Gift card £10", b"O\x92Brien"),
            ("Calle Mayor 3º 2ª", b"Caf\x92e"),
            ("Чай, Хлеб, Сок, Яблоко, Сода", b"x\x92"),
            ("é", b"\x92"),
            ("Elbow 90°", b"\x80"),
        ];
        for (good, bad) in stray {
            let mut file = b"code,name\n".to_vec();
            for _ in 0..10 {
                file.extend_from_slice(format!("C1,\"{good}\"\n").as_bytes());
            }
            file.extend_from_slice(b"C2,");
            file.extend_from_slice(bad);
            file.push(b'\n');
            assert!(crate::ops::csv_io::decode(&file).is_err(), "{good}");
        }
        // Windows-1252 `2×3×4` is not GB18030's four bytes (nor are its dashes without Chinese).
        for western in [&b"code,name\nC1,Box 2\xD73\xD74\n"[..], b"code,name\nC1,Pages 1\x962\x963\n"] {
            assert!(crate::ops::csv_io::decode(western).is_err(), "{:?}", String::from_utf8_lossy(western));
        }
        // Windows-1252 is neither: refused, not read as GBK nonsense (`Informa玢o`).
        for western in [&b"code,name,city\nC1,Informa\xE7\xE3o Ltda,Lisboa\n"[..], b"code,name\nC1,Gr\xF6\xDFe GmbH\n"]
        {
            assert!(crate::ops::csv_io::decode(western).is_err());
        }
        // A BOM says UTF-8, whatever the characters after it.
        let (gbk, _, _) = encoding_rs::GBK.encode("code,name\nC1,叶伟\n");
        let with_bom = [&b"\xEF\xBB\xBF"[..], &gbk].concat();
        assert_eq!(crate::ops::csv_io::decode(&with_bom).unwrap().1, "UTF-8");
    }

    #[test]
    fn a_field_of_ten_megabytes_is_read() {
        let big = "x".repeat(10 * 1024 * 1024);
        let (rows, errors) = lines_of(format!("a,b\n1,\"{big}\"\n2,3\n").as_bytes());
        assert!(errors.is_empty());
        assert_eq!(rows[0].1[1].len(), big.len());
        assert_eq!(rows[1].0, 3);
    }

    #[test]
    fn text_after_a_closing_quote_is_refused_at_its_line() {
        let (rows, errors) = lines_of(b"code,name\r\nC1,\"Be\"ta\"\r\nC2,\"Bo\"\"s\"  \r\nC3,\"x\" y\r\n");
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 4], "{errors:?}");
        assert!(errors[0].message.contains("written twice"), "{errors:?}");
        assert_eq!(rows[1].1[1], "Bo\"s  ", "a doubled quote and spaces after are fine");
        // In the header the file is refused before any record.
        let stream = CsvStream::open(Cursor::new(b"code,\"na\"me\nC1,Ana\n".to_vec()));
        assert!(stream.is_err_and(|e| e.to_string().contains("line 1")));
    }

    #[test]
    fn a_file_cut_off_inside_a_quoted_cell_is_refused_where_the_quote_opens() {
        // The csv reader ends the open cell at the end of the file as if closed: a half
        // name would otherwise come in without a word.
        let (_, errors) = lines_of(b"code,name\nC1,Ana\nC2,\"Bo, the");
        assert_eq!((errors.len(), errors[0].line), (1, 3), "{errors:?}");
        let (_, errors) = lines_of(b"code,name,city\nC2,\"Bo, the\n");
        assert_eq!((errors.len(), errors[0].line), (1, 2), "named once, not as short too: {errors:?}");
        assert!(errors[0].message.contains("never closed"), "{}", errors[0].message);
        let (_, errors) = lines_of(b"code,note\r\nC1,\"two\r\nlines and \"\"quoted\"\" and cut");
        assert_eq!((errors.len(), errors[0].line), (1, 2), "{errors:?}");
        // An inch mark in an unquoted cell is text; a quoted cell may span lines at the end.
        let (rows, errors) = lines_of(b"sku,name\nP1,12\" pipe\nP2,\"two\nlines\"");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 2);
        let (_, errors) = lines_of(b"sku,name\nP1,\"closed at the very end\"");
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_quote_left_open_mid_file_stops_at_the_record_limit() {
        let rest = "3,4\n".repeat(5 * 1024 * 1024);
        let (rows, errors) = lines_of(format!("a,b\n1,2\n5,\"open\n{rest}").as_bytes());
        assert_eq!(rows.len(), 1, "the record before is read");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 3, "named where the record starts");
        assert!(errors[0].message.contains("16 MB"), "{}", errors[0].message);
    }

    #[test]
    fn a_file_plain_ascii_at_first_may_be_gb18030_further_down() {
        let mut text = b"code,name\n".to_vec();
        for i in 0..8000 {
            text.extend_from_slice(format!("C{i:05},Ana\n").as_bytes());
        }
        assert!(text.len() > HEAD, "Chinese only after the head");
        let (gbk, _, _) = encoding_rs::GBK.encode("C99999,张伟\nC99998,上海王芳\n");
        text.extend_from_slice(&gbk);
        let mut stream = CsvStream::open(Cursor::new(text.clone())).unwrap();
        assert_eq!(stream.encoding.name(), "UTF-8", "as far as the head tells");
        let mut errors = Errors::default();
        let mut last = (0, String::new());
        while let Some(line) = stream.next_record(&mut errors).unwrap() {
            last = (line, stream.cell(1).to_string());
        }
        assert!(errors.is_empty(), "{:?}", errors.list);
        assert_eq!(last, (8003, "上海王芳".to_string()));
        assert_eq!(stream.encoding.name(), "GB18030");

        // Without a line end after the last record (the decoder ends on the first read at
        // the end of the file, and the csv reader asks again).
        let unterminated = &text[..text.len() - 1];
        let (rows, errors) = lines_of(unterminated);
        assert!(errors.is_empty() && rows.last().is_some_and(|r| r.1[1] == "上海王芳"), "{errors:?}");
        // A byte that is not GB18030 further on is named at its own line.
        let mut broken = text.clone();
        for _ in 0..50 {
            broken.extend_from_slice(&gbk[..gbk.len() / 2]);
        }
        broken.extend_from_slice(b"C77777,\xFF\xFF\n");
        let (rows, errors) = lines_of(&broken);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [8054], "{errors:?}");
        assert_eq!(rows.len(), 8052, "everything before it is read");

        // Valid UTF-8 further down stays UTF-8; a Windows-1252 byte is refused at its line.
        let mut utf8 = text[..text.len() - gbk.len()].to_vec();
        utf8.extend_from_slice("C99999,张伟\n".as_bytes());
        let (rows, errors) = lines_of(&utf8);
        assert!(errors.is_empty() && rows.last().is_some_and(|r| r.1[1] == "张伟"));
        let mut latin = text[..text.len() - gbk.len()].to_vec();
        latin.extend_from_slice(b"C99999,Caf\xE9\n");
        let (_, errors) = lines_of(&latin);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [8002], "{errors:?}");
    }
}

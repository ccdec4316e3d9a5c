//! Simple documents as PDF: A4 pages of text lines from top to bottom, a new page when one
//! is full, in one embedded font. Noto Sans SC (SIL Open Font License, `assets/fonts`)
//! covers Latin, accented and Chinese text, so names come out as they were typed; only the
//! glyphs used are embedded, so a one-page note stays small.

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};

use crate::domain::text::{display_safe, truncate};

static FONT: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-Regular.ttf");

/// A4 in points.
const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 50.0;
/// Roughly how many points one terminal column (half a CJK character) takes per point of
/// font size: what cuts a cell to its column's width without measuring glyphs.
const COLUMN_PER_POINT: f32 = 0.7;

#[derive(Debug, Clone)]
enum Item {
    Text { x: f32, y: f32, size: f32, text: String },
    Rule { y: f32 },
}

/// A document being laid out; `finish` writes it.
#[derive(Debug, Clone)]
pub struct Pdf {
    pages: Vec<Vec<Item>>,
    y: f32,
}

impl Default for Pdf {
    fn default() -> Self {
        Self::new()
    }
}

impl Pdf {
    pub fn new() -> Pdf {
        Pdf { pages: vec![Vec::new()], y: MARGIN }
    }

    /// Width of the text area in points.
    pub fn width(&self) -> f32 {
        PAGE.0 - 2.0 * MARGIN
    }

    /// Moves down one line of `size` points, to a new page when this one is full.
    fn advance(&mut self, size: f32) {
        self.y += size * 1.5;
        if self.y > PAGE.1 - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN + size * 1.5;
        }
    }

    fn page(&mut self) -> &mut Vec<Item> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// A line of text at `size` points.
    pub fn line(&mut self, size: f32, text: &str) {
        self.row(size, &[(0.0, self.width(), text)]);
    }

    /// A line of cells, each `(x, width, text)` in points from the left margin; a cell
    /// too long for its width is cut with an ellipsis.
    pub fn row(&mut self, size: f32, cells: &[(f32, f32, &str)]) {
        self.advance(size);
        let y = self.y;
        for (x, width, text) in cells {
            let columns = (width / (size * COLUMN_PER_POINT)).floor().max(1.0) as usize;
            let text = truncate(&display_safe(text).replace('\n', " "), columns);
            if !text.is_empty() {
                self.page().push(Item::Text { x: MARGIN + x, y, size, text });
            }
        }
    }

    /// A thin line across the page under the last line.
    pub fn rule(&mut self) {
        let y = self.y + 5.0;
        self.page().push(Item::Rule { y });
        self.y += 5.0;
    }

    /// Empty space of one line.
    pub fn gap(&mut self, size: f32) {
        self.advance(size);
    }

    /// The finished file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        let font = Font::new(FONT.into(), 0).ok_or_else(|| "the embedded font could not be read".to_string())?;
        let settings = PageSettings::from_wh(PAGE.0, PAGE.1).ok_or_else(|| "bad page size".to_string())?;
        let mut document = Document::new();
        for items in &self.pages {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            for item in items {
                match item {
                    Item::Text { x, y, size, text } => {
                        surface.draw_text(
                            Point::from_xy(*x, *y),
                            font.clone(),
                            *size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Item::Rule { y } => {
                        let mut path = PathBuilder::new();
                        path.move_to(MARGIN, *y);
                        path.line_to(PAGE.0 - MARGIN, *y);
                        if let Some(path) = path.finish() {
                            surface.set_stroke(Some(Stroke { width: 0.5, ..Stroke::default() }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        document.finish().map_err(|e| format!("{e:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_document_gets_pages_and_is_a_pdf() {
        let mut pdf = Pdf::new();
        pdf.line(16.0, "Lieferschein 张伟 Zoë Müller");
        pdf.rule();
        for n in 0..80 {
            pdf.row(
                10.0,
                &[(0.0, 30.0, &n.to_string()), (40.0, 200.0, "大米 5 kg 东北珍珠米 and a very long name indeed")],
            );
        }
        assert_eq!(pdf.pages.len(), 2, "80 lines of 15 pt do not fit one A4 page");
        let bytes = pdf.finish().unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.len() < 200_000, "only the glyphs used are embedded: {} bytes", bytes.len());
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/FontFile"), "the font is embedded");
        assert!(text.contains("ToUnicode"), "text can be copied and searched");
    }
}

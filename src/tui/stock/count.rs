//! Stocktake: a count sheet for a warehouse (or a category in it), filled in by scanning
//! items (each scan counts one, or the quantity typed) or typing a line's count; the
//! differences are reviewed and posted as count moves in one transaction.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use tui_input::Input;

use super::StockScreen;
use super::view::qty;
use crate::db::products::Warehouse;
use crate::domain::fields::Problem;
use crate::domain::money::Quantity;
use crate::domain::text::display_safe;
use crate::error::{Result, describe_problem};
use crate::i18n::{column_label, t, tf};
use crate::ops::ledger::CountDraft;
use crate::ops::stock;
use crate::tui::action::Action;
use crate::tui::app::{App, Flash};
use crate::tui::overlay::Pending;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountField {
    Scan,
    Count,
    Warehouse,
    Category,
}

#[derive(Debug)]
pub struct CountSheet {
    pub warehouse: Warehouse,
    pub category: String,
    /// Typed warehouse code and category; Enter in either loads that sheet.
    pub warehouse_input: Input,
    pub category_input: Input,
    pub draft: CountDraft,
    pub selected: usize,
    pub scan: Input,
    /// The selected line's count as typed (Enter sets it).
    pub count: Input,
    pub focus: CountField,
    pub message: Option<(bool, String)>,
}

impl CountSheet {
    pub fn input_mut(&mut self) -> &mut Input {
        match self.focus {
            CountField::Scan => &mut self.scan,
            CountField::Count => &mut self.count,
            CountField::Warehouse => &mut self.warehouse_input,
            CountField::Category => &mut self.category_input,
        }
    }

    /// Loads the sheet for the typed warehouse and category, unless counting has begun.
    fn reload(&mut self, session: &crate::ops::Session) -> Result<()> {
        if self.draft.counted() > 0 {
            self.message = Some((false, t("count.switch_after_post").to_string()));
            return Ok(());
        }
        let warehouse = match stock::warehouse_by_code(session, self.warehouse_input.value()) {
            Ok(w) => w,
            Err(e) => {
                self.message = Some((false, e.to_string()));
                return Ok(());
            }
        };
        let category = crate::domain::stock::normalise_category(self.category_input.value()).unwrap_or_default();
        self.draft = CountDraft::load(session, &warehouse, &category)?;
        self.warehouse = warehouse;
        self.category = category;
        self.message = None;
        self.focus = CountField::Scan;
        self.select(0);
        Ok(())
    }

    /// Highlights a line. The count field starts empty for it, so a typed count never
    /// appends to the one shown in the table.
    fn select(&mut self, index: usize) {
        self.selected = index.min(self.draft.lines.len().saturating_sub(1));
        self.count.reset();
    }

    fn enter(&mut self, session: &crate::ops::Session) -> Result<()> {
        match self.focus {
            CountField::Scan => {
                let code = self.scan.value().trim().to_string();
                self.scan.reset();
                if code.is_empty() {
                    return Ok(());
                }
                let Some(product) = stock::find_product(session, &code)? else {
                    let problem = describe_problem(&Problem::UnknownProduct);
                    self.message = Some((false, tf("receive.unknown", &[("code", &code), ("problem", &problem)])));
                    return Ok(());
                };
                match self.draft.scan(&product, Quantity::from_minor(1000)) {
                    Ok(Some(index)) => {
                        self.select(index);
                        let counted = self.draft.lines[index].counted.unwrap_or_default();
                        let text = tf("count.scanned", &[("sku", &product.data.sku), ("count", &qty(counted))]);
                        self.message = Some((true, text));
                    }
                    Ok(None) => self.message = Some((false, tf("count.not_on_sheet", &[("sku", &product.data.sku)]))),
                    Err(index) => {
                        self.select(index);
                        self.focus = CountField::Count;
                        self.message = Some((false, tf("count.lots_typed", &[("sku", &product.data.sku)])));
                    }
                }
            }
            CountField::Count => {
                let typed = self.count.value().trim().to_string();
                if typed.is_empty() {
                    self.message = Some((false, t("count.type_a_count").to_string()));
                    return Ok(());
                }
                if stock::find_product(session, &typed)?.is_some() {
                    self.count.reset();
                    self.focus = CountField::Scan;
                    self.message = Some((false, tf("count.code_in_count", &[("code", &typed)])));
                    return Ok(());
                }
                let Some(line) = self.draft.lines.get_mut(self.selected) else { return Ok(()) };
                match crate::domain::stock::stock_quantity(&typed)
                    .and_then(|q| crate::domain::stock::fits_unit(&line.product.data.unit, q))
                {
                    Ok(q) => line.counted = Some(q),
                    Err(p) => {
                        self.message = Some((false, describe_problem(&p)));
                        return Ok(());
                    }
                }
                self.message = None;
                // On to the next line, as on a paper sheet; the scan line takes the next key.
                self.select(self.selected + 1);
                self.focus = CountField::Scan;
            }
            CountField::Warehouse | CountField::Category => self.reload(session)?,
        }
        Ok(())
    }
}

impl App {
    /// Opens a count sheet for the default warehouse; its warehouse and category fields
    /// load another sheet.
    pub(crate) fn open_count(&mut self) -> Result<()> {
        let warehouse = stock::default_warehouse(&self.session)?;
        let category = String::new();
        let draft = CountDraft::load(&self.session, &warehouse, &category)?;
        let mut sheet = CountSheet {
            warehouse_input: Input::new(warehouse.data.code.clone()),
            category_input: Input::default(),
            warehouse,
            category,
            draft,
            selected: 0,
            scan: Input::default(),
            count: Input::default(),
            focus: CountField::Scan,
            message: None,
        };
        sheet.select(0);
        self.stock.screen = StockScreen::Count(Box::new(sheet));
        Ok(())
    }

    pub(crate) fn count_action(&mut self, action: Action) -> Result<()> {
        let StockScreen::Count(sheet) = &mut self.stock.screen else { return Ok(()) };
        match action {
            Action::Accept => sheet.enter(&self.session)?,
            Action::NextField | Action::PrevField => {
                let order = [CountField::Scan, CountField::Count, CountField::Warehouse, CountField::Category];
                let at = order.iter().position(|f| *f == sheet.focus).unwrap_or(0);
                let step = if action == Action::NextField { 1 } else { order.len() - 1 };
                sheet.focus = order[(at + step) % order.len()];
            }
            Action::Down => sheet.select(sheet.selected + 1),
            Action::Up => sheet.select(sheet.selected.saturating_sub(1)),
            Action::PageDown => sheet.select(sheet.selected + 10),
            Action::PageUp => sheet.select(sheet.selected.saturating_sub(10)),
            Action::Save => {
                // A count typed but not entered belongs on the sheet too.
                if !sheet.count.value().trim().is_empty() {
                    sheet.focus = CountField::Count;
                    sheet.enter(&self.session)?;
                }
                let (counted, differences) = (sheet.draft.counted(), sheet.draft.differences());
                if counted == 0 {
                    sheet.message = Some((false, t("count.nothing").to_string()));
                } else {
                    let text = tf(
                        "confirm.post_count",
                        &[
                            ("counted", &counted),
                            ("differences", &differences),
                            ("warehouse", &sheet.warehouse.data.code),
                        ],
                    );
                    self.ask(text, Pending::PostCount);
                }
            }
            Action::Back if sheet.draft.counted() > 0 => {
                self.ask(t("confirm.discard_count").to_string(), Pending::DiscardForm)
            }
            Action::Back => self.stock.screen = StockScreen::Products,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn post_count_sheet(&mut self) -> Result<()> {
        let StockScreen::Count(sheet) = &self.stock.screen else { return Ok(()) };
        let (draft, warehouse) = (sheet.draft.clone(), sheet.warehouse.clone());
        let reference = tf("count.reference", &[("date", &self.session.clock.today())]);
        let posted = draft.post(&mut self.session, &warehouse, &reference)?;
        self.stock.screen = StockScreen::Products;
        self.flash = Some(Flash::Info(tf(
            "count.posted",
            &[("differences", &posted.len()), ("warehouse", &warehouse.data.code)],
        )));
        self.stock.products.reload(&self.session)?;
        self.stock.low_count = crate::ops::ledger::low_stock_count(&self.session)?;
        Ok(())
    }
}

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect, sheet: &CountSheet) {
    let theme = &app.theme;
    let title = tf(
        "count.title",
        &[
            ("warehouse", &sheet.warehouse.data.code),
            ("counted", &sheet.draft.counted()),
            ("lines", &sheet.draft.lines.len()),
            ("differences", &sheet.draft.differences()),
        ],
    );
    let block = Block::bordered().title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [fields, message, table_area, keys] =
        Layout::vertical([Constraint::Length(2), Constraint::Length(1), Constraint::Min(2), Constraint::Length(1)])
            .areas(inner);
    let [left, right] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(fields);
    let row = |rect: Rect, y: u16| Rect { y: rect.y + y, height: 1, ..rect };
    for (field, label, input, rect) in [
        (CountField::Scan, t("receive.scan"), &sheet.scan, row(left, 0)),
        (CountField::Count, t("count.count"), &sheet.count, row(left, 1)),
        (CountField::Warehouse, column_label("warehouse"), &sheet.warehouse_input, row(right, 0)),
        (CountField::Category, column_label("category"), &sheet.category_input, row(right, 1)),
    ] {
        crate::tui::form::draw_input_line(frame, theme, rect, label, input, sheet.focus == field, "");
    }
    if let Some((ok, text)) = &sheet.message {
        let style = if *ok { theme.dim } else { theme.error };
        frame.render_widget(Paragraph::new(Line::styled(display_safe(text).into_owned(), style)), message);
    }
    if sheet.draft.lines.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled(t("count.empty"), theme.dim)), table_area);
    } else {
        let titles = [
            column_label("sku"),
            column_label("name"),
            t("stock.lot"),
            t("count.book"),
            t("count.count"),
            t("count.difference"),
        ];
        let widths = crate::tui::table::widths(&[10, 0, 10, 9, 9, 10], usize::from(table_area.width));
        let mut styles = Vec::new();
        let rows =
            sheet
                .draft
                .lines
                .iter()
                .map(|l| {
                    let difference = l.counted.map(|c| c - l.book);
                    styles.push(if difference.is_some_and(|d| !d.is_zero()) { theme.warning } else { Style::new() });
                    vec![
                        l.product.data.sku.clone(),
                        l.product.data.name.clone(),
                        l.lot.clone(),
                        qty(l.book),
                        l.counted.map(qty).unwrap_or_default(),
                        difference
                            .map(|d| {
                                if d.value().is_sign_positive() && !d.is_zero() {
                                    format!("+{}", qty(d))
                                } else {
                                    qty(d)
                                }
                            })
                            .unwrap_or_default(),
                    ]
                })
                .collect();
        crate::tui::table::draw(
            frame,
            crate::tui::table::table(theme, &titles, rows, styles, &widths),
            table_area,
            sheet.selected,
        );
    }
    frame.render_widget(Paragraph::new(Line::styled(t("count.keys"), theme.dim)), keys);
}

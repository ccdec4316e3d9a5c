//! Drawing: a pure function of the `App`. The frame is a tab bar, the current tab, a status
//! bar, and any overlay on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Tabs, Wrap};
use strum::IntoEnumIterator;

use super::action::Action;
use super::app::{App, Flash, Tab};
use super::keymap::Context;
use super::overlay::Overlay;
use crate::domain::text::{display_safe, truncate, width, wrap_columns};
use crate::i18n::{t, tf};

/// Smallest terminal the layout is designed for.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// Rows of customers that fit at a terminal height: everything but the tab bar, status bar,
/// the list's borders, filter line and header.
pub fn list_capacity(height: u16) -> usize {
    usize::from(height.saturating_sub(6)).max(1)
}

pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        draw_too_small(frame, area);
        return;
    }
    let [tabs, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    draw_tabs(frame, app, tabs);
    match app.tab {
        Tab::Customers => super::customers::view::draw(frame, app, body),
        Tab::Stock => super::stock::view::draw(frame, app, body),
        Tab::Orders => super::orders::view::draw(frame, app, body),
        Tab::Invoices => super::invoices::view::draw(frame, app, body),
        Tab::Reports => super::reports::view::draw(frame, app, body),
    }
    if let Some(import) = &app.import {
        super::import_view::draw(frame, app, import, body);
    }
    draw_status(frame, app, status);
    draw_long_flash(frame, app, body);
    match &app.overlay {
        Some(Overlay::Help { context, scroll }) => draw_help(frame, app, *context, *scroll),
        Some(Overlay::Palette(_)) => draw_palette(frame, app),
        Some(Overlay::Confirm(confirm)) => draw_confirm(frame, app, &confirm.message),
        None => {}
    }
}

fn draw_too_small(frame: &mut Frame<'_>, area: Rect) {
    let text = tf(
        "ui.too_small",
        &[("width", &area.width), ("height", &area.height), ("min_width", &MIN_SIZE.0), ("min_height", &MIN_SIZE.1)],
    );
    let y = area.height / 2;
    let line = Rect { x: area.x, y: area.y + y.saturating_sub(1), width: area.width, height: area.height.min(3) };
    frame.render_widget(Paragraph::new(text).centered().wrap(Wrap { trim: true }), line);
}

fn draw_tabs(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let titles: Vec<Line<'_>> =
        Tab::iter().enumerate().map(|(i, tab)| Line::from(format!(" {} {} ", i + 1, tab.title()))).collect();
    let selected = Tab::iter().position(|t| t == app.tab).unwrap_or(0);
    let [left, right] = Layout::horizontal([Constraint::Min(0), Constraint::Length(10)]).areas(area);
    frame.render_widget(
        Tabs::new(titles)
            .select(selected)
            .style(app.theme.tab)
            .highlight_style(app.theme.tab_active)
            .divider("")
            .padding("", " "),
        left,
    );
    frame.render_widget(Paragraph::new(Span::styled("shopdesk ", app.theme.title)).right_aligned(), right);
}

/// The status bar's left part: database and user.
fn status_left(app: &App, total: u16) -> String {
    let operator = &app.session.operator;
    let mut left = format!(" {} │ {} ({}) ", display_safe(&app.db_label), operator.name, operator.role);
    if app.stock.low_count > 0 {
        let count = if app.stock.low_count >= crate::db::ledger::LOW_COUNT_CAP {
            format!("{}+", crate::db::ledger::LOW_COUNT_CAP)
        } else {
            app.stock.low_count.to_string()
        };
        left.push_str(&format!("│ {} ", tf("stock.status_low", &[("count", &count)])));
    }
    truncate(&left, usize::from(total) / 2)
}

fn draw_status(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let left = status_left(app, area.width);
    let right_width = usize::from(area.width).saturating_sub(width(&left));
    let fits = |text: &str| width(text) < right_width && !text.contains('\n');
    // A message too long for the bar is shown whole above it (draw_long_flash); the bar
    // keeps its hints then rather than repeat the message cut off.
    let (right, style) = match &app.flash {
        Some(Flash::Error(text)) if fits(text) => (first_line(text), theme.status.patch(theme.error)),
        Some(Flash::Info(text)) if fits(text) => (first_line(text), theme.status),
        _ => (hints(app, right_width.saturating_sub(1)), theme.status),
    };
    let right = truncate(&display_safe(&right), right_width.saturating_sub(1));
    let line = Line::from(vec![
        Span::styled(left.clone(), theme.status.patch(theme.title)),
        // Padded by display width: a CJK character takes two columns but counts as one char.
        Span::styled(format!("{}{right} ", " ".repeat(right_width.saturating_sub(1 + width(&right)))), style),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme.status), area);
}

/// A message longer than the status bar has room for is shown whole in a box above it,
/// until the next key: advice at the end of a message must not be cut off.
fn draw_long_flash(frame: &mut Frame<'_>, app: &App, body: Rect) {
    let (text, style) = match &app.flash {
        Some(Flash::Error(text)) => (text, app.theme.error),
        Some(Flash::Info(text)) => (text, Style::new()),
        None => return,
    };
    let room = usize::from(body.width).saturating_sub(width(&status_left(app, body.width)) + 1);
    if width(text) <= room && !text.contains('\n') {
        return;
    }
    let inner_width = usize::from(body.width.saturating_sub(4)).max(1);
    let lines: usize = text.lines().map(|l| width(l).div_ceil(inner_width).max(1)).sum();
    let height = u16::try_from(lines + 2).unwrap_or(u16::MAX).min(body.height / 2).max(3);
    let area = Rect { x: body.x + 1, y: body.y + body.height - height, width: body.width.saturating_sub(2), height };
    clear_for_popup(frame, area);
    let block = Block::bordered().border_style(style);
    frame.render_widget(
        Paragraph::new(display_safe(text).into_owned()).style(style).wrap(Wrap { trim: true }).block(block),
        area,
    );
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_string()
}

/// The few keys that matter most on the current screen, from the live key map, as many
/// whole as fit in `room` columns: the last go first, but the help key stays, so a narrow
/// terminal (80 columns over SSH) still says where the rest are.
fn hints(app: &App, room: usize) -> String {
    let context = app.context();
    let wanted: &[Action] = match context {
        Context::List => &[Action::New, Action::Open, Action::Filter, Action::Help, Action::Quit],
        Context::Filter => &[Action::Accept, Action::Back],
        Context::Detail => &[Action::Edit, Action::LogContact, Action::Back, Action::Help],
        Context::Form => &[Action::Save, Action::NextField, Action::Back, Action::Help],
        Context::Palette => &[Action::Accept, Action::Back],
        Context::Help => &[Action::Back],
        Context::Confirm => &[Action::Yes, Action::No],
        Context::FollowUps => &[Action::Done, Action::Open, Action::LogContact, Action::Back, Action::Help],
        Context::Feedback => &[Action::Resolve, Action::Open, Action::Back, Action::Help],
        Context::Tiers | Context::Stages => &[Action::Edit, Action::New, Action::Back, Action::Help],
        Context::Pipeline | Context::Opportunities => {
            &[Action::StageForward, Action::Edit, Action::Open, Action::Back, Action::Help]
        }
        Context::Products => &[Action::Receive, Action::Open, Action::Filter, Action::Help, Action::Quit],
        Context::Product => &[Action::Receive, Action::Adjust, Action::Edit, Action::Back, Action::Help],
        Context::Receive => &[Action::Save, Action::RemoveLine, Action::Back, Action::Help],
        Context::LowStock => &[Action::Receive, Action::Open, Action::Back, Action::Help],
        Context::Expiring => &[Action::WriteOffExpired, Action::Wider, Action::Open, Action::Back],
        Context::Plan => &[Action::OrderSupplier, Action::Open, Action::Back, Action::Help],
        Context::Orders => &[Action::Open, Action::Back, Action::Help],
        Context::Suppliers | Context::Warehouses => &[Action::Edit, Action::New, Action::Back, Action::Help],
        Context::Transfers => &[Action::Receive, Action::Back, Action::Help],
        Context::Count => &[Action::Save, Action::NextField, Action::Back, Action::Help],
        Context::SlowMovers => &[Action::Wider, Action::Narrower, Action::Open, Action::Back, Action::Help],
        Context::Order => &[Action::SendOrder, Action::Receive, Action::Edit, Action::Back, Action::Help],
        Context::SalesOrders => &[Action::NewOrder, Action::Open, Action::NextView, Action::Filter, Action::Help],
        // What applies depends on the order's state: the screen's own keys line says it.
        Context::SalesOrder => &[Action::Back, Action::Help],
        Context::Invoices => &[Action::Open, Action::NextView, Action::ShowFinance, Action::Help, Action::Quit],
        Context::Invoice => &[Action::Back, Action::Help],
        Context::Finance => &[Action::NextView, Action::Filter, Action::Back, Action::Help],
        Context::Dashboard => &[Action::Open, Action::ShowSales, Action::Help, Action::Quit],
        Context::Forecast => &[Action::NextView, Action::Back, Action::Help],
        Context::Targets => &[Action::Edit, Action::NextView, Action::Back, Action::Help],
        Context::Sales => &[Action::NextView, Action::Filter, Action::Back, Action::Help],
        Context::OrderEntry => &[Action::Save, Action::ConfirmOrder, Action::RemoveLine, Action::Back, Action::Help],
        Context::DeliveryNote => &[Action::Save, Action::Back],
        Context::TierSuggestions => &[Action::ToggleChoice, Action::ApplyChoices, Action::Back, Action::Help],
        Context::ImportFile | Context::ImportField => &[Action::Accept, Action::Back],
        Context::Import => &[Action::DryRun, Action::RunImport, Action::Back, Action::Help],
        Context::Global => &[],
    };
    let mut shown: Vec<(Action, String)> = wanted
        .iter()
        .filter_map(|a| app.keymap.key_for(context, *a).map(|k| (*a, format!("{k} {}", a.short()))))
        .collect();
    let joined = |shown: &[(Action, String)]| shown.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>().join("  ");
    while width(&joined(&shown)) > room {
        match shown.iter().rposition(|(a, _)| *a != Action::Help) {
            Some(last) if shown.len() > 1 => {
                shown.remove(last);
            }
            // One hint left and still too wide: draw_status cuts it.
            _ => break,
        }
    }
    joined(&shown)
}

/// A rectangle of at most `w` x `h` in the middle of `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Clears a window's area plus one column either side: a wide (CJK) character underneath
/// whose right half the window would cover must not leave its left half standing.
fn clear_for_popup(frame: &mut Frame<'_>, area: Rect) {
    let full = frame.area();
    let x = area.x.saturating_sub(1).max(full.x);
    let right = (area.x + area.width + 1).min(full.x + full.width);
    frame.render_widget(Clear, Rect { x, width: right - x, ..area });
}

fn popup_block<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title)).border_style(app.theme.title)
}

fn draw_help(frame: &mut Frame<'_>, app: &App, context: Context, scroll: usize) {
    // Wider on a wide terminal, so fewer descriptions wrap; at 80 columns, 76.
    let box_width = frame.area().width.saturating_sub(4).clamp(76, 110);
    let area = centered(frame.area(), box_width, frame.area().height.saturating_sub(2));
    // Inside the borders, after the key column: what a description has before it wraps,
    // under itself rather than under the keys.
    const KEYS: usize = 23;
    let described = usize::from(area.width.saturating_sub(2)).saturating_sub(KEYS).max(10);
    let mut lines = Vec::new();
    for section in [context, Context::Global] {
        if section == Context::Global && context.takes_text() {
            lines.push(Line::styled(t("help.typing_note"), app.theme.dim));
        }
        lines.push(Line::styled(section.describe(), app.theme.header));
        for (action, keys) in app.keymap.actions_of(section) {
            // While typing, printable keys are text: list only what still acts.
            let keys: Vec<String> = if section == Context::Global && context.takes_text() {
                keys.into_iter().filter(|k| k.chars().count() > 1).collect()
            } else {
                keys
            };
            if keys.is_empty() {
                continue;
            }
            let keys = truncate(&keys.join(", "), 20);
            let pad = " ".repeat(20usize.saturating_sub(width(&keys)));
            for (i, part) in wrap_columns(action.describe(), described).into_iter().enumerate() {
                let lead = if i == 0 { format!("  {keys}{pad} ") } else { " ".repeat(KEYS) };
                lines.push(Line::from(vec![Span::styled(lead, app.theme.key), Span::raw(part)]));
            }
        }
        lines.push(Line::raw(""));
    }
    let block = popup_block(app, tf("help.title", &[("screen", &context.describe())]));
    let inner_height = usize::from(area.height.saturating_sub(2));
    let scroll = scroll.min(lines.len().saturating_sub(inner_height));
    clear_for_popup(frame, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block.title_bottom(Line::styled(format!(" {} ", t("help.footer")), app.theme.dim)))
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        area,
    );
}

fn draw_palette(frame: &mut Frame<'_>, app: &App) {
    let Some(Overlay::Palette(palette)) = &app.overlay else { return };
    let full = frame.area();
    let area = Rect { y: full.y + 2, ..centered(full, 64, 18.min(full.height.saturating_sub(4))) };
    clear_for_popup(frame, area);
    let block = popup_block(app, t("palette.title").to_string());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [input_area, list_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let input_width = usize::from(input_area.width.saturating_sub(2));
    let scroll = palette.input.visual_scroll(input_width);
    let shown = crate::domain::text::skip_columns(palette.input.value(), scroll);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("> ", app.theme.key),
            Span::raw(display_safe(shown).into_owned()),
        ])),
        input_area,
    );
    let cursor_x = palette.input.visual_cursor().saturating_sub(scroll);
    frame.set_cursor_position((input_area.x + 2 + u16::try_from(cursor_x).unwrap_or(0), input_area.y));

    let entries = palette.entries(&app.keymap);
    let key_width = 14;
    let text_width = usize::from(list_area.width).saturating_sub(key_width + 2);
    let items: Vec<ListItem<'_>> = entries
        .iter()
        .map(|e| {
            let description = truncate(e.description, text_width);
            let pad = text_width.saturating_sub(width(&description));
            ListItem::new(Line::from(vec![
                Span::raw(format!(" {description}{} ", " ".repeat(pad))),
                Span::styled(truncate(&e.keys, key_width), app.theme.key),
            ]))
        })
        .collect();
    if items.is_empty() {
        frame.render_widget(Paragraph::new(Span::styled(t("palette.none"), app.theme.dim)), list_area);
        return;
    }
    let mut state = ListState::default().with_selected(Some(palette.selected.min(items.len() - 1)));
    frame.render_stateful_widget(List::new(items).highlight_style(app.theme.selected), list_area, &mut state);
}

fn draw_confirm(frame: &mut Frame<'_>, app: &App, message: &str) {
    let area = centered(frame.area(), 60, 7);
    clear_for_popup(frame, area);
    let keys = format!(
        "{} {}   {} {}",
        app.keymap.key_for(Context::Confirm, Action::Yes).unwrap_or_default(),
        Action::Yes.describe(),
        app.keymap.key_for(Context::Confirm, Action::No).unwrap_or_default(),
        Action::No.describe()
    );
    let text = vec![Line::raw(display_safe(message).into_owned()), Line::raw(""), Line::styled(keys, app.theme.key)];
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(popup_block(app, t("confirm.title").to_string())),
        area,
    );
}

/// A label and value on one line, the value cut to fit.
pub fn field_line<'a>(
    label: &str,
    value: &str,
    label_width: usize,
    total: usize,
    value_style: Style,
    label_style: Style,
) -> Line<'a> {
    let label = truncate(label, label_width);
    let pad = label_width.saturating_sub(width(&label));
    let value = truncate(&display_safe(value), total.saturating_sub(label_width + 2));
    Line::from(vec![
        Span::styled(format!("{label}{} ", " ".repeat(pad)), label_style),
        Span::styled(value, value_style),
    ])
}

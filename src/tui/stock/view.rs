//! Drawing the Stock tab.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Wrap};

use super::receive::{Field, Receiving};
use super::{ALERT_ROWS, ProductDetail, StockScreen};
use crate::db::products::ProductSort;
use crate::domain::money::Quantity;
use crate::domain::stock::MoveKind;
use crate::domain::text::{display_safe, truncate, width};
use crate::i18n::{column_label, t, tf};
use crate::tui::app::App;
use crate::tui::table;
use crate::tui::view::field_line;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    match &app.stock.screen {
        StockScreen::Products => draw_products(frame, app, area),
        StockScreen::Product(detail) => draw_product(frame, app, area, detail),
        StockScreen::Form(form) => crate::tui::form::draw(frame, &app.theme, area, &form.form),
        StockScreen::Receive(receiving) => draw_receive(frame, app, area, receiving),
        StockScreen::LowStock => draw_low_stock(frame, app, area),
        StockScreen::Expiring => draw_expiring(frame, app, area),
        StockScreen::Plan => super::purchasing::draw_plan(frame, app, area),
        StockScreen::Orders => super::purchasing::draw_orders(frame, app, area),
        StockScreen::Order => super::purchasing::draw_order(frame, app, area),
        StockScreen::SlowMovers => draw_slow_movers(frame, app, area),
        StockScreen::Count(sheet) => super::count::draw(frame, app, area, sheet),
        StockScreen::Transfers => draw_transfers(frame, app, area),
        StockScreen::Suppliers => super::masters::draw_suppliers(frame, app, area),
        StockScreen::Warehouses => super::masters::draw_warehouses(frame, app, area),
    }
}

pub fn kind_label(kind: MoveKind) -> &'static str {
    match kind {
        MoveKind::Receipt => t("move.receipt"),
        MoveKind::Shipment => t("move.shipment"),
        MoveKind::Return => t("move.return"),
        MoveKind::Adjustment => t("move.adjustment"),
        MoveKind::Count => t("move.count"),
        MoveKind::TransferOut => t("move.transfer_out"),
        MoveKind::TransferIn => t("move.transfer_in"),
        MoveKind::Scrap => t("move.scrap"),
        MoveKind::Expiry => t("move.expiry"),
    }
}

/// A unit price with the cents always shown and more decimals only when it has them.
pub fn price(p: crate::domain::money::Price) -> String {
    let mut value = p.value().normalize();
    if value.scale() < 2 {
        value.rescale(2);
    }
    value.to_string()
}

/// `12.000` as `12`, `0.250` as `0.25`: quantities as people read them.
pub fn qty(q: Quantity) -> String {
    q.value().normalize().to_string()
}

fn titled_block<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title))
}

/// One line of text standing in for an empty table.
fn empty(frame: &mut Frame<'_>, app: &App, area: Rect, text: &str) {
    frame.render_widget(Paragraph::new(Line::styled(text.to_string(), app.theme.dim)).wrap(Wrap { trim: true }), area);
}

fn draw_products(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let tab = &app.stock;
    let list = &tab.products;
    let sort = match list.source.query.sort {
        ProductSort::Name => column_label("name"),
        ProductSort::Sku => column_label("sku"),
        ProductSort::Category => column_label("category"),
    };
    let mut title = tf("stock.list_title", &[("count", &list.total), ("sort", &sort)]);
    if list.source.query.include_archived {
        title.push_str(&format!(" · {}", t("list.with_archived")));
    }
    let block = titled_block(app, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [filter_area, table_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);

    let hint = t("stock.filter_hint");
    crate::tui::form::draw_filter_line(frame, theme, filter_area, &tab.filter_input, tab.filtering, hint);

    if list.rows.is_empty() {
        let text = if list.source.query.filter.is_empty() { t("stock.empty") } else { t("stock.no_match") };
        return empty(frame, app, table_area, text);
    }
    let total = usize::from(table_area.width.saturating_sub(1));
    let wide = total >= 110;
    let mut titles =
        vec![column_label("sku"), column_label("name"), t("stock.on_hand"), t("stock.available"), column_label("unit")];
    let mut fixed = vec![10, 0, 10, 10, 4];
    if wide {
        titles.insert(2, column_label("category"));
        fixed.insert(2, 22);
        titles.insert(5, t("stock.incoming"));
        fixed.insert(5, 10);
        titles.push(column_label("sale_price"));
        fixed.push(11);
    }
    let widths = table::widths(&fixed, total);
    let mut styles = Vec::new();
    let rows: Vec<Vec<String>> = list
        .rows
        .iter()
        .map(|r| {
            styles.push(if r.archived {
                theme.archived
            } else if r.low_in > 0 {
                theme.warning
            } else {
                Style::new()
            });
            let mut cells = vec![r.sku.clone(), r.name.clone(), qty(r.on_hand), qty(r.available), r.unit.clone()];
            if wide {
                cells.insert(2, r.category.clone());
                cells.insert(5, qty(r.incoming));
                cells.push(price(r.sale_price));
            }
            cells
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, styles, &widths), table_area, list.selected);
    draw_position(frame, app, area, list.position(), list.total, list.rows.len());
}

/// "12/300" in the bottom border and a scrollbar when the list is longer than the window.
fn draw_position(frame: &mut Frame<'_>, app: &App, area: Rect, position: usize, total: usize, shown: usize) {
    let text = format!(" {}/{} ", position + 1, total);
    let w = u16::try_from(width(&text)).unwrap_or(0);
    let bottom =
        Rect { x: area.x + area.width.saturating_sub(w + 2), y: area.y + area.height - 1, width: w, height: 1 };
    frame.render_widget(Paragraph::new(Span::styled(text, app.theme.dim)), bottom);
    if total > shown {
        let mut state = ScrollbarState::new(total).viewport_content_length(shown).position(position);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight).begin_symbol(None).end_symbol(None),
            area.inner(Margin { vertical: 1, horizontal: 0 }),
            &mut state,
        );
    }
}

fn draw_product(frame: &mut Frame<'_>, app: &App, area: Rect, detail: &ProductDetail) {
    let theme = &app.theme;
    let p = &detail.product.data;
    let mut title = format!("{} · {}", display_safe(&p.sku), display_safe(&p.name));
    if detail.product.archived {
        title.push_str(&format!(" [{}]", t("detail.archived")));
    }
    let block = titled_block(app, truncate(&title, usize::from(area.width.saturating_sub(6))));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let levels_rows = u16::try_from(detail.levels.len()).unwrap_or(0) + 2;
    let lot_rows = if detail.lots.is_empty() { 0 } else { (u16::try_from(detail.lots.len()).unwrap_or(0) + 2).min(6) };
    let [fields_area, levels_area, lots_area, moves_area] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Length(levels_rows),
        Constraint::Length(lot_rows),
        Constraint::Min(3),
    ])
    .areas(inner);

    let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(fields_area);
    let label = 13;
    let line = |name: &str, value: String, rect: Rect| {
        field_line(name, &value, label, usize::from(rect.width), Style::new(), theme.dim)
    };
    let barcodes = if p.barcodes.is_empty() { "-".to_string() } else { p.barcodes.join(" ") };
    let supplier = match (p.supplier.as_str(), p.supplier_sku.as_str()) {
        ("", _) => "-".to_string(),
        (code, "") => code.to_string(),
        (code, theirs) => format!("{code} · {theirs}"),
    };
    let left_lines = vec![
        line(column_label("category"), p.category.clone(), left),
        line(column_label("barcodes"), barcodes, left),
        line(column_label("supplier"), supplier, left),
        line(
            column_label("tracks_lots"),
            format!("{} · {} {}", crate::domain::stock::flag_text(p.tracks_lots), column_label("unit"), p.unit),
            left,
        ),
    ];
    let right_lines = vec![
        line(
            column_label("sale_price"),
            tf("stock.price_with_tax", &[("price", &price(p.sale_price)), ("rate", &p.tax_rate)]),
            right,
        ),
        line(column_label("cost_price"), price(p.cost_price), right),
        line(t("stock.reorder"), format!("{} → {}", qty(p.reorder_point), qty(p.reorder_qty)), right),
        line(column_label("lead_days"), p.lead_days.to_string(), right),
    ];
    frame.render_widget(Paragraph::new(left_lines), left);
    frame.render_widget(Paragraph::new(right_lines), right);

    let titles = [
        column_label("warehouse"),
        t("stock.on_hand"),
        t("stock.reserved"),
        t("stock.available"),
        t("stock.incoming"),
        t("stock.reorder"),
    ];
    let total = usize::from(levels_area.width);
    let widths = table::widths(&[14, 10, 10, 10, 10, 0], total);
    let mut styles = Vec::new();
    let rows: Vec<Vec<String>> = detail
        .levels
        .iter()
        .map(|l| {
            styles.push(if l.is_low() { theme.warning } else { Style::new() });
            vec![
                l.warehouse.clone(),
                qty(l.on_hand),
                qty(l.reserved),
                qty(l.available()),
                qty(l.incoming),
                format!("{} → {}{}", qty(l.reorder_point), qty(l.reorder_qty), if l.overridden { " *" } else { "" }),
            ]
        })
        .collect();
    let levels = table::table(theme, &titles, rows, styles, &widths)
        .block(Block::new().title(Span::styled(t("stock.levels"), theme.header)));
    frame.render_widget(levels, levels_area);

    if !detail.lots.is_empty() {
        let today = app.session.clock.today().to_string();
        let titles = [t("stock.lot"), column_label("expiry"), column_label("warehouse"), t("stock.on_hand")];
        let widths = table::widths(&[16, 12, 14, 0], total);
        let mut styles = Vec::new();
        let rows = detail
            .lots
            .iter()
            .map(|(warehouse, lot)| {
                styles.push(if !lot.expiry.is_empty() && lot.expiry < today { theme.error } else { Style::new() });
                vec![lot.code.clone(), lot.expiry.clone(), warehouse.clone(), qty(lot.on_hand)]
            })
            .collect();
        let lots = table::table(theme, &titles, rows, styles, &widths)
            .block(Block::new().title(Span::styled(t("stock.lots"), theme.header)));
        frame.render_widget(lots, lots_area);
    }

    let titles = [
        t("stock.when"),
        column_label("kind"),
        column_label("warehouse"),
        column_label("quantity"),
        t("stock.lot"),
        t("stock.ref_or_note"),
    ];
    let widths = table::widths(&[16, 14, 9, 10, 10, 0], total);
    let rows: Vec<Vec<String>> = detail
        .moves
        .iter()
        .map(|m| {
            let note = if m.reference.is_empty() { m.note.clone() } else { m.reference.clone() };
            vec![
                crate::tui::format::local_time(&m.at),
                kind_label(m.kind).to_string(),
                m.warehouse.clone(),
                qty(m.quantity),
                m.lot.clone(),
                note,
            ]
        })
        .collect();
    let moves = if rows.is_empty() {
        Paragraph::new(vec![Line::styled(t("stock.moves"), theme.header), Line::styled(t("stock.no_moves"), theme.dim)])
            .into()
    } else {
        None
    };
    match moves {
        Some(paragraph) => frame.render_widget::<Paragraph<'_>>(paragraph, moves_area),
        None => frame.render_widget(
            table::table(theme, &titles, rows, Vec::new(), &widths)
                .block(Block::new().title(Span::styled(t("stock.moves"), theme.header))),
            moves_area,
        ),
    }
}

fn draw_receive(frame: &mut Frame<'_>, app: &App, area: Rect, r: &Receiving) {
    let theme = &app.theme;
    let key = match (&r.po, r.transfer) {
        (_, true) => "transfer.title",
        (Some(_), _) => "receive.po_title",
        _ => "receive.title",
    };
    let code = r.po.as_ref().map(|po| po.code.as_str()).unwrap_or("");
    let totals: [(&str, &dyn std::fmt::Display); 3] =
        [("lines", &r.draft.lines.len()), ("units", &qty(r.draft.units())), ("code", &code)];
    let block = titled_block(app, tf(key, &totals));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [fields_area, message_area, lines_area, keys_area] =
        Layout::vertical([Constraint::Length(3), Constraint::Length(1), Constraint::Min(2), Constraint::Length(1)])
            .areas(inner);

    // Two columns of fields: what is scanned on the left, where it goes on the right.
    let [left, right] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(fields_area);
    let waiting = r.pending.is_some();
    let fields: [(Field, &str, &tui_input::Input, Rect, u16); 6] = [
        (Field::Scan, t("receive.scan"), &r.scan, left, 0),
        (Field::Quantity, column_label("quantity"), &r.quantity, left, 1),
        (Field::Lot, t("stock.lot"), &r.lot, left, 2),
        (
            Field::Warehouse,
            if r.transfer { t("transfer.from") } else { column_label("warehouse") },
            &r.warehouse,
            right,
            0,
        ),
        (
            Field::Reference,
            if r.transfer { t("transfer.to") } else { column_label("reference") },
            &r.reference,
            right,
            1,
        ),
        (Field::Expiry, column_label("expiry"), &r.expiry, right, 2),
    ];
    for (field, label, input, rect, row) in fields {
        if matches!(field, Field::Lot | Field::Expiry) && !waiting {
            continue;
        }
        let area = Rect { y: rect.y + row, height: 1, ..rect };
        let placeholder = if field == Field::Quantity { "1" } else { "" };
        crate::tui::form::draw_input_line(frame, theme, area, label, input, r.focus == field, placeholder);
    }
    if let Some((ok, text)) = &r.message {
        let style = if *ok { theme.dim } else { theme.error };
        frame.render_widget(Paragraph::new(Line::styled(display_safe(text).into_owned(), style)), message_area);
    }

    if !r.choices.is_empty() {
        let titles = [column_label("sku"), column_label("name"), column_label("unit")];
        let widths = table::widths(&[10, 0, 6], usize::from(lines_area.width));
        let rows =
            r.choices.iter().map(|p| vec![p.data.sku.clone(), p.data.name.clone(), p.data.unit.clone()]).collect();
        table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), lines_area, r.choice);
    } else if r.draft.lines.is_empty() {
        empty(frame, app, lines_area, t("receive.empty"));
    } else {
        let titles = [
            column_label("sku"),
            column_label("name"),
            column_label("quantity"),
            t("stock.lot"),
            column_label("expiry"),
        ];
        let widths = table::widths(&[10, 0, 10, 12, 10], usize::from(lines_area.width));
        let rows = r
            .draft
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.product.data.sku.clone(),
                    l.product.data.name.clone(),
                    qty(l.quantity),
                    l.lot.clone(),
                    l.expiry.map(|d| d.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), lines_area, r.selected);
    }
    frame.render_widget(Paragraph::new(Line::styled(t("receive.keys"), theme.dim)), keys_area);
}

fn draw_low_stock(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let tab = &app.stock;
    let mut title = tf("stock.low_title", &[("count", &tab.low_count)]);
    if tab.low_count > ALERT_ROWS {
        title.push_str(&tf("stock.showing_first", &[("shown", &tab.low.len())]));
    }
    let block = titled_block(app, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if tab.low.is_empty() {
        return empty(frame, app, inner, t("stock.none_low"));
    }
    let total = usize::from(inner.width);
    let wide = total >= 110;
    let mut titles = vec![
        column_label("sku"),
        column_label("name"),
        column_label("warehouse"),
        t("stock.available"),
        t("stock.incoming"),
        t("stock.reorder"),
        t("stock.short"),
    ];
    let mut fixed = vec![10, 0, 9, 9, 8, 11, 7];
    if wide {
        titles.push(column_label("supplier"));
        fixed.push(10);
    }
    let widths = table::widths(&fixed, total);
    let rows = tab
        .low
        .iter()
        .map(|low| {
            let l = &low.level;
            let short = l.reorder_point - l.available() - l.incoming;
            let mut cells = vec![
                low.sku.clone(),
                low.name.clone(),
                l.warehouse.clone(),
                qty(l.available()),
                qty(l.incoming),
                format!("{} → {}", qty(l.reorder_point), qty(l.reorder_qty)),
                qty(short),
            ];
            if wide {
                cells.push(low.supplier.clone());
            }
            cells
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), inner, tab.low_selected);
}

fn draw_expiring(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let tab = &app.stock;
    let block =
        titled_block(app, tf("stock.expiring_title", &[("days", &tab.expiry_days), ("count", &tab.expiring.len())]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if tab.expiring.is_empty() {
        return empty(frame, app, inner, t("stock.none_expiring"));
    }
    let today = app.session.clock.today();
    let titles = [
        column_label("expiry"),
        t("stock.days_left"),
        column_label("sku"),
        column_label("name"),
        column_label("warehouse"),
        t("stock.lot"),
        t("stock.on_hand"),
    ];
    let widths = table::widths(&[10, 5, 10, 0, 9, 10, 8], usize::from(inner.width));
    let mut styles = Vec::new();
    let rows = tab
        .expiring
        .iter()
        .map(|e| {
            let left =
                chrono::NaiveDate::parse_from_str(&e.expiry, "%Y-%m-%d").map(|d| (d - today).num_days()).unwrap_or(0);
            styles.push(if left < 0 {
                theme.error
            } else if left <= 7 {
                theme.warning
            } else {
                Style::new()
            });
            vec![
                e.expiry.clone(),
                left.to_string(),
                e.sku.clone(),
                e.name.clone(),
                e.warehouse.clone(),
                e.lot.clone(),
                qty(e.on_hand),
            ]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, styles, &widths), inner, tab.expiring_selected);
}

fn draw_slow_movers(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let tab = &app.stock;
    let value = tab.slow.iter().fold(crate::domain::money::Money::ZERO, |sum, m| sum + m.value);
    let title = tf("stock.slow_title", &[("days", &tab.slow_days), ("count", &tab.slow.len()), ("value", &value)]);
    let block = titled_block(app, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if tab.slow.is_empty() {
        return empty(frame, app, inner, t("stock.none_slow"));
    }
    let titles = [
        column_label("sku"),
        column_label("name"),
        column_label("warehouse"),
        t("stock.on_hand"),
        t("stock.last_sold"),
        t("stock.days_left"),
        t("stock.cover"),
        t("plan.value"),
    ];
    let widths = table::widths(&[10, 0, 9, 8, 10, 5, 6, 10], usize::from(inner.width));
    let rows = tab
        .slow
        .iter()
        .map(|m| {
            let s = &m.stock;
            let sold = s
                .last_sold
                .as_deref()
                .map(|t| t.get(..10).unwrap_or(t).to_string())
                .unwrap_or_else(|| t("stock.never").to_string());
            vec![
                s.sku.clone(),
                s.name.clone(),
                s.warehouse.clone(),
                qty(s.on_hand),
                sold,
                m.days_idle.map(|d| d.to_string()).unwrap_or_default(),
                m.days_of_cover.map(|d| d.to_string()).unwrap_or_else(|| "∞".to_string()),
                m.value.to_string(),
            ]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), inner, tab.slow_selected);
}

fn draw_transfers(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let tab = &app.stock;
    let block = titled_block(app, tf("transfer.list_title", &[("count", &tab.transfers.len())]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if tab.transfers.is_empty() {
        return empty(frame, app, inner, t("transfer.none"));
    }
    let titles = [t("transfer.code"), t("transfer.from"), t("transfer.to"), t("stock.when"), column_label("note")];
    let widths = table::widths(&[9, 10, 10, 16, 0], usize::from(inner.width));
    let rows = tab
        .transfers
        .iter()
        .map(|x| {
            vec![
                x.code.clone(),
                x.from.clone(),
                x.to.clone(),
                crate::tui::format::local_time(&x.sent_at),
                x.note.clone(),
            ]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), inner, tab.transfers_selected);
}

//! Drawing the Orders tab: the list, one order, order entry and a delivery note.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::entry::{Choices, Entry, Field};
use super::{OrderScreen, OrdersTab};
use crate::db::orders::COUNT_CAP;
use crate::domain::money::Quantity;
use crate::domain::order::{OrderStatus, Totals};
use crate::domain::text::{display_safe, truncate};
use crate::i18n::{column_label, t, tf};
use crate::ops::orders::{OrderDetail, status_label};
use crate::tui::app::App;
use crate::tui::stock::view::{price, qty};
use crate::tui::table;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    match &app.orders.screen {
        OrderScreen::List => draw_list(frame, app, area),
        OrderScreen::Order(detail) => draw_order(frame, app, area, detail),
        OrderScreen::Entry(entry) => draw_entry(frame, app, area, entry),
        OrderScreen::Form(form) => crate::tui::form::draw(frame, &app.theme, area, &form.form),
        OrderScreen::Note(note) => draw_note(frame, app, area, &note.0, &note.1),
    }
}

fn block<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title))
}

fn dim_line(frame: &mut Frame<'_>, app: &App, area: Rect, text: &str) {
    frame.render_widget(Paragraph::new(Line::styled(text.to_string(), app.theme.dim)).wrap(Wrap { trim: true }), area);
}

fn status_style(app: &App, status: OrderStatus, backorder: bool) -> Style {
    match status {
        OrderStatus::AwaitingApproval => app.theme.warning,
        OrderStatus::Cancelled | OrderStatus::Closed => app.theme.archived,
        _ if backorder => app.theme.warning,
        _ => Style::new(),
    }
}

fn draw_list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let tab: &OrdersTab = &app.orders;
    let list = &tab.list;
    let count = if list.total >= COUNT_CAP { format!("{COUNT_CAP}+") } else { list.total.to_string() };
    let title = tf("orders.title", &[("view", &t(tab.view().label_key())), ("count", &count)]);
    let outer = block(app, title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [filter_area, table_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let hint = t("orders.filter_hint");
    crate::tui::form::draw_filter_line(frame, theme, filter_area, &tab.filter_input, tab.filtering, hint);
    if list.rows.is_empty() {
        return dim_line(frame, app, table_area, t("orders.empty"));
    }
    let total = usize::from(table_area.width.saturating_sub(1));
    let wide = total >= 110;
    let mut titles =
        vec![t("orders.number"), t("orders.date"), column_label("customer"), column_label("status"), t("orders.gross")];
    // Our numbers are SO-000123; imported history keeps another system's (CA-2016-152156,
    // up to 40 characters): as wide as the longest shown, up to a quarter of the table.
    let widest = (total / 4).clamp(16, 40);
    let number_width =
        list.rows.iter().map(|r| crate::domain::text::width(&r.number)).max().unwrap_or(9).clamp(9, widest);
    let mut fixed = vec![number_width, 10, 0, 14, 12];
    if wide {
        titles.insert(2, column_label("code"));
        fixed.insert(2, 9);
        titles.extend([t("entry.ship_by"), column_label("salesperson")]);
        fixed.extend([10, 14]);
    }
    let widths = table::widths(&fixed, total);
    let mut styles = Vec::new();
    let rows = list
        .rows
        .iter()
        .map(|r| {
            styles.push(status_style(app, r.status, r.backorder));
            let mut status = status_label(r.status).to_string();
            if r.backorder {
                status.push_str(" *");
            }
            let mut cells =
                vec![r.number.clone(), r.order_date.clone(), r.customer.clone(), status, r.gross.to_string()];
            if wide {
                cells.insert(2, r.customer_code.clone());
                cells.extend([r.ship_by.clone(), r.salesperson.clone()]);
            }
            cells
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, styles, &widths), table_area, list.selected);
}

/// "Net 6.70 · 19 %: 0.76 · 7 %: 0.19 · Gross 7.65"
fn totals_line(totals: &Totals, prices_include_tax: bool) -> String {
    let mut parts = vec![tf("orders.net", &[("amount", &totals.net)])];
    for rate in &totals.rates {
        parts.push(format!("{} %: {}", rate.rate.normalize(), rate.tax));
    }
    parts.push(tf("orders.gross_total", &[("amount", &totals.gross)]));
    if prices_include_tax {
        parts.push(t("orders.incl_tax").to_string());
    }
    parts.join(" · ")
}

fn draw_order(frame: &mut Frame<'_>, app: &App, area: Rect, detail: &OrderDetail) {
    let theme = &app.theme;
    let o = &detail.order;
    let title = format!("{} · {} · {}", o.number, status_label(o.status), o.customer_name);
    let outer = block(app, title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let shipments = detail.shipments.len().min(4) as u16;
    let lines_height = (detail.lines.len() as u16 + 1).clamp(2, inner.height.saturating_sub(8 + shipments).max(2));
    let [head, lines_area, totals_area, ship_area, timeline_area, keys_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(lines_height),
        Constraint::Length(1),
        Constraint::Length(if shipments == 0 { 0 } else { shipments + 1 }),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);

    let w = usize::from(head.width);
    let mut first = format!(
        "{} {}  {} {}  {} {}",
        t("orders.date"),
        o.order_date,
        column_label("warehouse"),
        o.warehouse,
        column_label("salesperson"),
        if o.salesperson.is_empty() { "-" } else { &o.salesperson }
    );
    if !o.ship_by.is_empty() {
        first.push_str(&format!("  {} {}", t("entry.ship_by"), o.ship_by));
    }
    let mut parts: Vec<String> = [o.address.as_str(), o.region.as_str(), o.note.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
        .collect();
    if !o.reason.is_empty() && matches!(o.status, OrderStatus::Cancelled | OrderStatus::Draft) {
        parts.insert(0, tf("orders.reason", &[("reason", &o.reason)]));
    }
    let second = parts.join(" · ");
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(truncate(&display_safe(&first), w)),
            Line::styled(truncate(&display_safe(&second), w), theme.dim),
        ]),
        head,
    );

    let total = usize::from(lines_area.width);
    let wide = total >= 110;
    let mut titles = vec![
        "#",
        column_label("sku"),
        column_label("name"),
        t("entry.qty"),
        t("orders.shipped"),
        t("orders.waiting"),
        t("entry.price"),
        t("entry.disc"),
        t("orders.amount"),
    ];
    // The discount is always shown: without it quantity x price would not give the amount.
    let mut fixed = vec![2, 9, 0, 7, 7, 7, 9, 5, 9];
    if wide {
        titles.insert(6, t("orders.held"));
        fixed.insert(6, 8);
        titles.insert(9, column_label("tax_rate"));
        fixed.insert(9, 6);
    }
    let widths = table::widths(&fixed, total);
    let mut styles = Vec::new();
    let rows = detail
        .lines
        .iter()
        .map(|l| {
            let waiting = if o.status.is_open() { l.backordered() } else { Quantity::ZERO };
            styles.push(if waiting.is_zero() { Style::new() } else { theme.warning });
            let mut cells = vec![
                l.line.to_string(),
                l.sku.clone(),
                l.name.clone(),
                qty(l.quantity),
                qty(l.shipped),
                if waiting.is_zero() { String::new() } else { qty(waiting) },
                price(l.unit_price),
                l.discount.normalize().to_string(),
                l.amount.to_string(),
            ];
            if wide {
                cells.insert(6, qty(l.allocated));
                cells.insert(9, l.tax_rate.normalize().to_string());
            }
            cells
        })
        .collect();
    frame.render_widget(table::table(theme, &titles, rows, styles, &widths), lines_area);

    let totals = Totals {
        net: o.net,
        tax: o.tax,
        gross: o.gross,
        rates: crate::domain::order::totals(
            &detail.lines.iter().map(|l| (l.amount, l.tax_rate)).collect::<Vec<_>>(),
            o.prices_include_tax,
        )
        .map(|t| t.rates)
        .unwrap_or_default(),
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(&totals_line(&totals, o.prices_include_tax), usize::from(totals_area.width)),
            theme.title,
        )),
        totals_area,
    );

    if shipments > 0 {
        let titles = [t("orders.shipment"), column_label("status"), t("orders.carrier"), t("orders.items")];
        let widths = table::widths(&[10, 12, 24, 0], usize::from(ship_area.width));
        let rows = detail
            .shipments
            .iter()
            .map(|s| {
                let items: Vec<String> = s.lines.iter().map(|l| format!("{} x{}", l.sku, qty(l.quantity))).collect();
                vec![
                    s.number.clone(),
                    shipment_status(&s.status),
                    format!("{} {}", s.carrier, s.tracking).trim().to_string(),
                    items.join(", "),
                ]
            })
            .collect();
        table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), ship_area, app.orders.shipment);
    }

    let room = usize::from(timeline_area.height);
    let skip = detail.events.len().saturating_sub(room);
    let lines: Vec<Line<'_>> = detail.events[skip..]
        .iter()
        .map(|e| {
            let what = crate::ops::orders::describe_event(e);
            let text = format!("{}  {:<8} {}", crate::tui::format::local_time(&e.at), truncate(&e.user, 8), what);
            Line::styled(truncate(&display_safe(&text), usize::from(timeline_area.width)), theme.dim)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), timeline_area);
    frame.render_widget(Paragraph::new(Line::styled(order_keys(o.status), theme.dim)), keys_area);
}

/// The keys that do something for an order in this state.
fn order_keys(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Draft => t("orders.keys_draft"),
        OrderStatus::AwaitingApproval => t("orders.keys_approval"),
        OrderStatus::Confirmed | OrderStatus::PartlyShipped => t("orders.keys_open"),
        OrderStatus::Shipped => t("orders.keys_shipped"),
        OrderStatus::Delivered => t("orders.keys_delivered"),
        OrderStatus::Closed | OrderStatus::Cancelled => t("orders.keys_done"),
    }
}

fn shipment_status(status: &str) -> String {
    match status {
        "open" => t("orders.to_pick").to_string(),
        "shipped" => t("order.status_shipped").to_string(),
        "delivered" => t("order.status_delivered").to_string(),
        _ => t("order.status_cancelled").to_string(),
    }
}

fn draw_entry(frame: &mut Frame<'_>, app: &App, area: Rect, e: &Entry) {
    let theme = &app.theme;
    let title = match &e.draft.editing {
        Some(editing) if editing.status == OrderStatus::Draft => tf("entry.edit_title", &[("number", &editing.number)]),
        Some(editing) => tf("entry.change_title", &[("number", &editing.number)]),
        None => t("entry.new_title").to_string(),
    };
    let outer = block(app, title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [header, message_area, lines_area, input_area, totals_area, keys_area] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);

    let [left, right] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(header);
    let header_fields: [(Field, Rect, u16); 7] = [
        (Field::Customer, left, 0),
        (Field::Address, left, 1),
        (Field::Region, left, 2),
        (Field::Note, left, 3),
        (Field::Warehouse, right, 0),
        (Field::Salesperson, right, 1),
        (Field::ShipBy, right, 2),
    ];
    for (field, rect, row) in header_fields {
        let area = Rect { y: rect.y + row, height: 1, ..rect };
        let label_width = if rect == left { 9 } else { 12 };
        if let Some(input) = e.input(field) {
            let placeholder = if field == Field::ShipBy { "yyyy-mm-dd" } else { "" };
            crate::tui::form::draw_labelled_input(
                frame,
                theme,
                area,
                field.label(),
                label_width,
                input,
                e.focus == field,
                placeholder,
            );
        }
    }
    if let Some((ok, text)) = &e.message {
        let style = if *ok { theme.dim } else { theme.error };
        frame.render_widget(Paragraph::new(Line::styled(display_safe(text).into_owned(), style)), message_area);
    }

    match &e.choices {
        Choices::Customers(found, typed) => {
            let titles = [column_label("code"), column_label("name"), column_label("city"), column_label("phone")];
            let widths = table::widths(&[10, 0, 14, 16], usize::from(lines_area.width));
            let mut rows: Vec<Vec<String>> = found
                .iter()
                .map(|c| vec![c.data.code.clone(), c.data.name.clone(), c.data.city.clone(), c.data.phone.clone()])
                .collect();
            rows.push(vec!["+".into(), tf("entry.new_customer", &[("name", typed)]), String::new(), String::new()]);
            table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), lines_area, e.choice);
        }
        Choices::Products(found, _) => {
            let titles = [column_label("sku"), column_label("name"), t("stock.available"), t("entry.price")];
            let widths = table::widths(&[10, 0, 10, 10], usize::from(lines_area.width));
            let rows = found
                .iter()
                .map(|(p, available)| {
                    vec![
                        p.data.sku.clone(),
                        p.data.name.clone(),
                        available.map(qty).unwrap_or_default(),
                        price(p.data.sale_price),
                    ]
                })
                .collect();
            table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), lines_area, e.choice);
        }
        Choices::None if e.draft.lines.is_empty() => {
            let chosen = e.draft.customer.is_some() || e.draft.new_customer.is_some();
            let text = if chosen { t("entry.empty") } else { t("entry.customer_first") };
            dim_line(frame, app, lines_area, text);
        }
        Choices::None => {
            let total = usize::from(lines_area.width);
            let wide = total >= 110;
            let mut titles = vec![
                column_label("sku"),
                column_label("name"),
                column_label("quantity"),
                t("entry.price"),
                t("entry.disc"),
                t("entry.tax"),
                t("orders.amount"),
                t("stock.available"),
            ];
            let mut fixed = vec![10, 0, 8, 10, 5, 5, 10, 9];
            if wide {
                titles.insert(2, column_label("unit"));
                fixed.insert(2, 5);
            }
            let widths = table::widths(&fixed, total);
            let mut styles = Vec::new();
            let rows = e
                .draft
                .lines
                .iter()
                .map(|l| {
                    let available = e.available.get(&l.product.id).copied().flatten();
                    let short = e.draft.editing.is_none() && available.is_some_and(|a| a < l.quantity);
                    styles.push(if short { theme.warning } else { Style::new() });
                    let mut cells = vec![
                        l.product.data.sku.clone(),
                        l.product.data.name.clone(),
                        qty(l.quantity),
                        price(l.unit_price),
                        l.discount.normalize().to_string(),
                        l.tax_rate.normalize().to_string(),
                        l.amount().to_string(),
                        available.map(qty).unwrap_or_default(),
                    ];
                    if wide {
                        cells.insert(2, l.product.data.unit.clone());
                    }
                    cells
                })
                .collect();
            table::draw(frame, table::table(theme, &titles, rows, styles, &widths), lines_area, e.selected);
        }
    }

    let [code, quantity, unit_price, discount, tax] = Layout::horizontal([
        Constraint::Min(20),
        Constraint::Length(13),
        Constraint::Length(15),
        Constraint::Length(11),
        Constraint::Length(10),
    ])
    .spacing(1)
    .areas(input_area);
    for (field, rect, label) in [
        (Field::Code, code, t("entry.code")),
        (Field::Quantity, quantity, t("entry.qty")),
        (Field::Price, unit_price, t("entry.price")),
        (Field::Discount, discount, t("entry.disc")),
        (Field::Tax, tax, t("entry.tax")),
    ] {
        let placeholder = if field == Field::Code { t("entry.code_hint").to_string() } else { e.placeholder(field) };
        if let Some(input) = e.input(field) {
            crate::tui::form::draw_labelled_input(frame, theme, rect, label, 0, input, e.focus == field, &placeholder);
        } else {
            let empty = tui_input::Input::default();
            crate::tui::form::draw_labelled_input(frame, theme, rect, label, 0, &empty, e.focus == field, &placeholder);
        }
    }
    let totals = match e.draft.totals() {
        Ok(totals) => {
            let mut text = totals_line(&totals, e.draft.prices_include_tax);
            text = format!(
                "{} · {}",
                tf("entry.lines", &[("lines", &e.draft.lines.len()), ("units", &qty(e.draft.units()))]),
                text
            );
            Line::styled(truncate(&text, usize::from(totals_area.width)), theme.title)
        }
        Err(err) => Line::styled(err.to_string(), theme.error),
    };
    frame.render_widget(Paragraph::new(totals), totals_area);
    frame.render_widget(Paragraph::new(Line::styled(t("entry.keys"), theme.dim)), keys_area);
}

fn draw_note(frame: &mut Frame<'_>, app: &App, area: Rect, number: &str, text: &str) {
    let outer = block(app, tf("note.screen_title", &[("shipment", &number)]));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [body, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let lines: Vec<Line<'_>> =
        text.lines().map(|l| Line::raw(truncate(&display_safe(l), usize::from(body.width)))).collect();
    frame.render_widget(Paragraph::new(lines), body);
    frame.render_widget(Paragraph::new(Line::styled(t("note.keys"), app.theme.dim)), keys);
}

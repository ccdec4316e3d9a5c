//! Drawing the Reports tab: the dashboard and the sales analysis.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use super::{Item, ReportsScreen, SalesScreen};
use crate::domain::money::Money;
use crate::domain::text::{truncate, width};
use crate::i18n::format::{number, period};
use crate::i18n::{report_column_label, t, tf};
use crate::ops::dashboard::Versus;
use crate::tui::app::App;
use crate::tui::table;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    match &app.reports.screen {
        ReportsScreen::Dashboard => draw_dashboard(frame, app, area),
        ReportsScreen::Sales => draw_sales(frame, app, area),
        ReportsScreen::Period(form) => crate::tui::form::draw(frame, &app.theme, area, form),
        ReportsScreen::Forecast => draw_forecast(frame, app, area),
        ReportsScreen::Targets => draw_targets(frame, app, area),
        ReportsScreen::Target(form) => crate::tui::form::draw(frame, &app.theme, area, form),
    }
}

fn block<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title))
}

/// "+3.4 %" against last year, or nothing when last year had no sales.
fn change(v: &Versus) -> String {
    if v.last_year.is_zero() {
        return String::new();
    }
    let mut p =
        ((v.now.value() - v.last_year.value()) * rust_decimal::Decimal::from(100) / v.last_year.value()).round_dp(1);
    p.rescale(1);
    // Beyond ten times last year the exact figure says nothing more.
    if p > rust_decimal::Decimal::from(999) {
        return "> +999 %".into();
    }
    if p.is_sign_negative() { format!("{p} %") } else { format!("+{p} %") }
}

/// `text` cut and padded to `w` columns of the terminal (CJK characters take two).
/// An amount or count with its thousands grouped, as the screen's language writes it.
fn amount(figure: &dyn std::fmt::Display) -> String {
    number(&figure.to_string())
}

fn left(text: &str, w: usize) -> String {
    let text = truncate(text, w);
    format!("{text}{}", " ".repeat(w.saturating_sub(width(&text))))
}

fn right(text: &str, w: usize) -> String {
    format!("{}{text}", " ".repeat(w.saturating_sub(width(text))))
}

fn draw_dashboard(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let Some(d) = &app.reports.dashboard else { return };
    let outer = block(app, tf("dashboard.title", &[("today", &d.today)]));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    // A taller terminal gets a taller chart of the last 30 days.
    let spark_rows = if inner.height >= 36 { 10 } else { 2 };
    let [sales_area, spark_area, status_area, tops_area, keys_area] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(spark_rows),
        Constraint::Length(5),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(inner);
    let chosen = |item: Item| -> Style {
        if Item::ALL.get(app.reports.item) == Some(&item) { theme.selected } else { Style::new() }
    };
    let w = usize::from(inner.width);
    let mut lines = vec![Line::styled(
        format!(
            "{}{}{}{}",
            left(t("dashboard.sales"), 14),
            right(t("dashboard.now"), 14),
            right(t("dashboard.last_year"), 14),
            right(t("dashboard.change"), 12)
        ),
        theme.header,
    )];
    for (label, v) in [
        (t("dashboard.today"), &d.sales_today),
        (t("dashboard.month"), &d.sales_month),
        (t("dashboard.year"), &d.sales_year),
    ] {
        let text = format!(
            "{}{}{}{}",
            left(label, 14),
            right(&amount(&v.now), 14),
            right(&amount(&v.last_year), 14),
            right(&change(v), 12)
        );
        lines.push(Line::styled(truncate(&text, w), chosen(Item::Sales)));
    }
    frame.render_widget(Paragraph::new(lines), sales_area);

    let [spark_label, spark] = Layout::horizontal([Constraint::Length(14), Constraint::Min(10)]).areas(spark_area);
    let peak = d.last_30_days.iter().copied().max().unwrap_or(Money::ZERO);
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(t("dashboard.last_30")),
            Line::styled(tf("dashboard.peak", &[("peak", &amount(&peak))]), theme.dim),
        ]),
        spark_label,
    );
    // One day a column, widened to fill what the terminal has.
    let stretch = (usize::from(spark.width) / d.last_30_days.len().max(1)).max(1);
    let data: Vec<u64> = d
        .last_30_days
        .iter()
        .map(|m| u64::try_from(m.to_minor().unwrap_or(0).max(0)).unwrap_or(0))
        .flat_map(|v| std::iter::repeat_n(v, stretch))
        .collect();
    frame.render_widget(Sparkline::default().data(&data).style(theme.title), spark);

    let orders: Vec<String> = d
        .open_orders
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(status, n)| {
            let label = match status.as_str() {
                "draft" => t("dashboard.orders_draft"),
                "awaiting_approval" => t("dashboard.orders_awaiting_approval"),
                "confirmed" => t("dashboard.orders_confirmed"),
                "partly_shipped" => t("dashboard.orders_partly_shipped"),
                _ => t("dashboard.orders_shipped"),
            };
            format!("{n} {label}")
        })
        .collect();
    let status = vec![
        Line::styled(truncate(&tf("dashboard.orders", &[("orders", &orders.join(" · "))]), w), chosen(Item::Orders)),
        Line::styled(truncate(&tf("dashboard.to_ship", &[("count", &d.to_ship)]), w), chosen(Item::ToShip)),
        Line::from(vec![
            Span::styled(tf("dashboard.low_stock", &[("count", &d.low_stock)]), chosen(Item::LowStock)),
            Span::raw("   "),
            Span::styled(tf("dashboard.expiring", &[("count", &d.expiring)]), chosen(Item::Expiring)),
        ]),
        Line::styled(
            truncate(
                &tf("dashboard.overdue", &[("count", &d.overdue_invoices), ("amount", &amount(&d.overdue_amount))]),
                w,
            ),
            if d.overdue_invoices > 0 && Item::ALL.get(app.reports.item) != Some(&Item::Overdue) {
                theme.error
            } else {
                chosen(Item::Overdue)
            },
        ),
        Line::from(vec![
            Span::styled(tf("dashboard.follow_ups", &[("count", &d.follow_ups_due)]), chosen(Item::FollowUps)),
            Span::raw("   "),
            Span::styled(tf("dashboard.complaints", &[("count", &d.open_complaints)]), chosen(Item::Complaints)),
        ]),
    ];
    frame.render_widget(Paragraph::new(status), status_area);

    let [products, customers] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(tops_area);
    for (area, title, items, item) in [
        (products, t("dashboard.top_products"), &d.top_products, Item::TopProducts),
        (customers, t("dashboard.top_customers"), &d.top_customers, Item::TopCustomers),
    ] {
        let cw = usize::from(area.width).saturating_sub(1);
        let mut lines = vec![Line::styled(truncate(title, cw), chosen(item).patch(theme.header))];
        if items.is_empty() {
            lines.push(Line::styled(t("dashboard.nothing_yet"), theme.dim));
        }
        for (name, net) in items.iter().take(usize::from(area.height.saturating_sub(1))) {
            let net = amount(net);
            let name = truncate(name, cw.saturating_sub(width(&net) + 1));
            lines.push(Line::raw(format!("{name}{}", right(&net, cw - width(&name)))));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
    frame.render_widget(Paragraph::new(Line::styled(truncate(t("dashboard.keys"), w), theme.dim)), keys_area);
}

/// A bar of `value` out of `max` in `cells` cells, with eighths for the last cell.
fn bar(value: rust_decimal::Decimal, max: rust_decimal::Decimal, cells: usize) -> String {
    if max <= rust_decimal::Decimal::ZERO || value <= rust_decimal::Decimal::ZERO || cells == 0 {
        return String::new();
    }
    use rust_decimal::prelude::ToPrimitive;
    let eighths = (value * rust_decimal::Decimal::from(cells * 8) / max).round().to_usize().unwrap_or(0).min(cells * 8);
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push([' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8]);
    }
    out
}

fn draw_sales(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let Some(s) = &app.reports.sales else { return };
    let by = report_column_label(s.by.as_str());
    let against = s
        .by2
        .map(|p| format!(" × {}", report_column_label(crate::ops::sales::By::Period(p).as_str())))
        .unwrap_or_default();
    let basis = t(match s.basis {
        crate::ops::sales::Basis::Invoiced => "sales.basis_invoice",
        crate::ops::sales::Basis::Ordered => "sales.basis_order",
    });
    let (from, to) = (period(&s.from.to_string()), period(&s.to.to_string()));
    let title = tf("sales.title", &[("by", &format!("{by}{against}")), ("from", &from), ("to", &to)]);
    // What the figures count, where the title has no room for it at 80 columns.
    let mut counted = basis.to_string();
    if !s.filters.is_empty() {
        let only = tf("sales.only", &[("filters", &crate::ops::sales::describe_filters(&s.filters))]);
        counted = format!("{counted} · {only}");
    }
    let outer = block(app, title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [counted_area, body, keys_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::styled(truncate(&counted, usize::from(counted_area.width)), theme.dim)),
        counted_area,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(truncate(t("sales.keys"), usize::from(keys_area.width)), theme.dim)),
        keys_area,
    );
    // While a report is read from the documents only its progress shows: the rows of the
    // previous report would not match the title.
    if let Some(job) = &s.job {
        let [gauge, _] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
        let (done, total) = job.progress();
        let label = if total == 0 {
            t("sales.reading_summaries").to_string()
        } else {
            tf("sales.reading", &[("done", &done), ("total", &total)])
        };
        let ratio = if total == 0 { 0.0 } else { done as f64 / total as f64 };
        return frame.render_widget(
            ratatui::widgets::LineGauge::default()
                .ratio(ratio.clamp(0.0, 1.0))
                .label(truncate(&label, usize::from(gauge.width) / 2))
                .filled_style(theme.selected),
            gauge,
        );
    }
    if s.report.rows.is_empty() {
        return frame.render_widget(Paragraph::new(Line::styled(t("sales.none"), theme.dim)), body);
    }
    // Over time, and room to spare: net sales as a line above the table.
    let body =
        if matches!(s.by, crate::ops::sales::By::Period(_)) && s.report.rows.len() > 1 && super::chart::fits(body) {
            let [plot, rest] = Layout::vertical([Constraint::Percentage(50), Constraint::Min(1)]).areas(body);
            let mut by_time: Vec<&(String, Option<String>, crate::ops::sales::Figures)> =
                s.report.rows.iter().collect();
            by_time.sort_by(|a, b| a.0.cmp(&b.0));
            let series = [super::chart::Series {
                name: report_column_label("net").to_string(),
                values: by_time.iter().map(|r| Some(r.2.net.value())).collect(),
                style: theme.title,
            }];
            let labels: Vec<String> = by_time.iter().map(|r| period(&r.0)).collect();
            super::chart::draw(frame, plot, theme.dim, &series, &labels);
            rest
        } else {
            body
        };
    draw_sales_table(frame, app, body, s);
}

fn draw_sales_table(frame: &mut Frame<'_>, app: &App, area: Rect, s: &SalesScreen) {
    let keys = s.report.columns.len() - 7;
    let by_period = matches!(s.by, crate::ops::sales::By::Period(_));
    // Only the rows that fit are formatted: by customer a report has a hundred thousand.
    let (first, visible) = table::window(s.selected, area.height);
    let window = crate::ops::sales::SalesReport {
        columns: s.report.columns.clone(),
        rows: s.report.rows.iter().skip(first).take(visible).cloned().collect(),
        basis: s.report.basis,
    };
    let cells: Vec<Vec<String>> = window
        .cells()
        .into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(c, cell)| match c {
                    0 if by_period => period(&cell),
                    1 if keys == 2 => period(&cell),
                    c if c >= keys => number(&cell),
                    _ => cell,
                })
                .collect()
        })
        .collect();
    // Keys, net, quantity, invoices, average, margin %: cost and margin only when wide.
    let wide = area.width >= 120;
    let shown: Vec<usize> =
        (0..s.report.columns.len()).filter(|c| *c < keys || wide || ![keys + 4, keys + 5].contains(c)).collect();
    let mut titles: Vec<String> = shown.iter().map(|c| report_column_label(s.report.columns[*c]).to_string()).collect();
    if let Some((column, desc)) = s.sort
        && let Some(at) = shown.iter().position(|c| *c == column)
    {
        titles[at].push(if desc { '▼' } else { '▲' });
    }
    let mut widths: Vec<usize> = titles.iter().map(|c| width(c)).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(shown.iter()) {
            // Figures up to 99,999,999,999.99 in full.
            *w = (*w).max(width(&row[*c])).min(if *c < keys { 28 } else { 17 });
        }
    }
    let used: usize = widths.iter().sum::<usize>() + widths.len();
    let bar_cells = usize::from(area.width).saturating_sub(used);
    titles.push(String::new());
    widths.push(bar_cells);
    let max = s.report.rows.iter().map(|r| r.2.net.value()).max().unwrap_or_default();
    let rows: Vec<Vec<String>> = cells
        .iter()
        .zip(&window.rows)
        .map(|(row, (_, _, f))| {
            let mut out: Vec<String> = shown
                .iter()
                .zip(&widths)
                .map(|(c, w)| if *c < keys { row[*c].clone() } else { right(&row[*c], *w) })
                .collect();
            out.push(bar(f.net.value(), max, bar_cells));
            out
        })
        .collect();
    let title_refs: Vec<&str> = titles.iter().map(String::as_str).collect();
    table::draw(frame, table::table(&app.theme, &title_refs, rows, Vec::new(), &widths), area, s.selected - first);
}

fn draw_targets(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let Some(s) = &app.reports.targets else { return };
    let outer = block(app, tf("targets.title", &[("month", &period(&s.month))]));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [body, keys_area] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::styled(truncate(t("targets.keys"), usize::from(inner.width)), theme.dim)),
        keys_area,
    );
    if s.rows.is_empty() {
        return frame.render_widget(Paragraph::new(Line::styled(t("targets.none"), theme.dim)), body);
    }
    let titles = [
        "#",
        report_column_label("salesperson"),
        report_column_label("target"),
        report_column_label("actual"),
        report_column_label("attainment"),
        report_column_label("last_12_months"),
        report_column_label("pipeline"),
    ];
    let widths = table::widths(&[3, 0, 11, 11, 8, 12, 12], usize::from(body.width));
    let mut styles = Vec::new();
    let rows = s
        .rows
        .iter()
        .map(|r| {
            let behind = r.attainment.is_some_and(|a| a < rust_decimal::Decimal::from(100));
            styles.push(if behind { theme.dim } else { Style::new() });
            vec![
                r.rank.to_string(),
                r.salesperson.clone(),
                right(&r.target.map(|t| amount(&t)).unwrap_or_default(), widths[2]),
                right(&amount(&r.actual), widths[3]),
                right(&r.attainment.map(|a| format!("{a} %")).unwrap_or_default(), widths[4]),
                crate::ops::targets::sparkline(&r.trend),
                right(&amount(&r.pipeline), widths[6]),
            ]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, styles, &widths), body, s.selected);
}

/// History (the last two years) and forecast as lines, the band around the forecast.
fn draw_forecast_chart(frame: &mut Frame<'_>, app: &App, area: Rect, f: &crate::ops::forecast::SeriesForecast) {
    use super::chart::Series;
    let history = &f.history[f.history.len().saturating_sub(24)..];
    let (past, ahead) = (history.len(), f.months.len());
    let mut labels: Vec<String> = history.iter().map(|(m, _)| period(m)).collect();
    labels.extend(f.months.iter().map(|m| period(m)));
    let mut past_values: Vec<Option<rust_decimal::Decimal>> = history.iter().map(|(_, m)| Some(m.value())).collect();
    past_values.extend(std::iter::repeat_n(None, ahead));
    // The forecast line starts at the last month of history, so the two lines join.
    let joined =
        |pick: fn(&(rust_decimal::Decimal, rust_decimal::Decimal, rust_decimal::Decimal)) -> rust_decimal::Decimal| {
            let mut values = vec![None; past.saturating_sub(1)];
            values.push(history.last().map(|(_, m)| m.value()));
            values.extend(f.forecast.months.iter().map(|m| Some(pick(m))));
            values
        };
    let series = [
        Series { name: t("forecast.history").to_string(), values: past_values, style: app.theme.dim },
        Series { name: t("forecast.ahead").to_string(), values: joined(|m| m.0), style: app.theme.title },
        Series { name: report_column_label("low").to_string(), values: joined(|m| m.1), style: app.theme.warning },
        Series { name: report_column_label("high").to_string(), values: joined(|m| m.2), style: app.theme.warning },
    ];
    super::chart::draw(frame, area, app.theme.dim, &series, &labels);
}

/// The forecast: for the total, the last year of history then the months ahead with their
/// band, each with a bar; per category, one line per category with each month ahead.
fn draw_forecast(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let Some(f) = &app.reports.forecast else { return };
    let what = match f.scope {
        crate::ops::forecast::Scope::Total => t("forecast.total"),
        crate::ops::forecast::Scope::Category => t("forecast.by_category"),
        crate::ops::forecast::Scope::Product => t("forecast.by_product"),
    };
    let last = f.series.first().and_then(|s| s.history.last()).map(|(m, _)| m.clone()).unwrap_or_default();
    let months = super::FORECAST_MONTHS;
    let outer = block(app, tf("forecast.title", &[("what", &what), ("months", &months), ("last", &last)]));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [head, body, keys_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let w = usize::from(inner.width);
    frame.render_widget(Paragraph::new(Line::styled(truncate(t("forecast.keys"), w), theme.dim)), keys_area);
    let Some(first) = f.series.first() else {
        return frame.render_widget(Paragraph::new(Line::styled(t("forecast.none"), theme.dim)), body);
    };
    let money = |d: &rust_decimal::Decimal| amount(&Money::round_from(*d));
    if f.scope != crate::ops::forecast::Scope::Total {
        // Category names need room: three months at 80 columns, all six when wider.
        let shown = if body.width < 100 { 3 } else { months };
        let name = if f.scope == crate::ops::forecast::Scope::Product { "product" } else { "category" };
        let mut titles = vec![report_column_label(name).to_string()];
        titles.extend(f.series[0].months.iter().take(shown).map(|m| period(m)));
        titles.push(report_column_label("mape").to_string());
        let fixed: Vec<usize> = std::iter::once(0).chain(std::iter::repeat_n(11, titles.len() - 1)).collect();
        let widths = table::widths(&fixed, usize::from(body.width));
        for (title, w) in titles.iter_mut().zip(&widths).skip(1) {
            *title = right(title, *w);
        }
        let rows: Vec<Vec<String>> = f
            .series
            .iter()
            .map(|s| {
                let mut row = vec![s.name.clone()];
                let figures = s.forecast.months.iter().take(shown).map(|(v, _, _)| money(v));
                row.extend(figures.zip(&widths[1..]).map(|(m, w)| right(&m, *w)));
                row.push(right(&s.forecast.mape.map(|m| m.to_string()).unwrap_or_default(), widths[titles.len() - 1]));
                row
            })
            .collect();
        let refs: Vec<&str> = titles.iter().map(String::as_str).collect();
        return table::draw(frame, table::table(theme, &refs, rows, Vec::new(), &widths), body, f.selected);
    }
    let said = match first.forecast.mape {
        Some(mape) => tf("forecast.method", &[("method", &first.forecast.method.as_str()), ("mape", &mape)]),
        None => tf("forecast.method_untested", &[("method", &first.forecast.method.as_str())]),
    };
    frame.render_widget(Paragraph::new(Line::styled(truncate(&said, w), theme.title)), head);
    let body = if super::chart::fits(body) {
        let [plot, rest] = Layout::vertical([Constraint::Percentage(55), Constraint::Min(1)]).areas(body);
        draw_forecast_chart(frame, app, plot, first);
        rest
    } else {
        body
    };
    // The last months of history that fit with the months ahead.
    let room = usize::from(body.height).saturating_sub(1);
    let shown_history = room.saturating_sub(first.months.len()).min(12);
    let history = &first.history[first.history.len().saturating_sub(shown_history)..];
    let max = history
        .iter()
        .map(|(_, m)| m.value())
        .chain(first.forecast.months.iter().map(|(_, _, high)| *high))
        .max()
        .unwrap_or_default();
    let titles = [
        report_column_label("month"),
        "",
        report_column_label("net"),
        report_column_label("low"),
        report_column_label("high"),
        "",
    ];
    // Room for 2026年11月 as well as 2026-11.
    let fixed = [10, 9, 11, 11, 11, 0];
    let widths = table::widths(&fixed, usize::from(body.width));
    let bar_cells = widths[5];
    let mut rows = Vec::new();
    let mut styles = Vec::new();
    for (month, net) in history {
        rows.push(vec![
            period(month),
            t("forecast.history").to_string(),
            right(&amount(net), 11),
            String::new(),
            String::new(),
            bar(net.value(), max, bar_cells),
        ]);
        styles.push(theme.dim);
    }
    for (month, (value, low, high)) in first.months.iter().zip(&first.forecast.months) {
        rows.push(vec![
            period(month),
            t("forecast.ahead").to_string(),
            right(&money(value), 11),
            right(&money(low), 11),
            right(&money(high), 11),
            bar(*value, max, bar_cells),
        ]);
        styles.push(Style::new());
    }
    frame.render_widget(table::table(theme, &titles, rows, styles, &widths), body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn bars_fill_eighths_of_a_cell() {
        assert_eq!(bar(Decimal::from(10), Decimal::from(10), 4), "████");
        assert_eq!(bar(Decimal::from(5), Decimal::from(10), 4), "██");
        assert_eq!(bar(Decimal::new(1, 1), Decimal::from(10), 4), "");
        assert_eq!(bar(Decimal::from(3), Decimal::from(16), 2), "▍", "3/16 of 2 cells: 3 eighths");
        assert_eq!(bar(Decimal::from(-1), Decimal::from(10), 4), "");
    }
}

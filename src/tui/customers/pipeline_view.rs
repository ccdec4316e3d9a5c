//! Drawing the pipeline board and the opportunity list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::domain::text::{display_safe, skip_columns, truncate};
use crate::i18n::{column_label, t, tf};
use crate::ops::pipeline::{open_totals, weighted};
use crate::tui::app::App;
use crate::tui::table;

pub fn draw_board(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let view = &app.customers.pipeline;
    let open = open_totals(&view.columns);
    let title =
        tf("pipeline.board_title", &[("count", &open.count), ("value", &open.value), ("weighted", &open.weighted)]);
    let block = Block::bordered().title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if view.columns.is_empty() {
        return;
    }
    let constraints = vec![Constraint::Fill(1); view.columns.len()];
    let areas = Layout::horizontal(constraints).split(inner);
    for (i, (column, rect)) in view.columns.iter().zip(areas.iter()).enumerate() {
        let focused = i == view.focus;
        let w = usize::from(rect.width.saturating_sub(1));
        let head_style = if focused { theme.tab_active } else { theme.header };
        // Name, count, value and weighted value each get their own line, so a narrow
        // column cuts none of them.
        let mut lines = vec![
            Line::styled(truncate(&display_safe(&column.stage.name), w), head_style),
            Line::styled(truncate(&tf("pipeline.deals", &[("count", &column.totals.count)]), w), theme.dim),
            Line::styled(truncate(&column.totals.value.to_string(), w), theme.dim),
            Line::styled(truncate(&format!("~{}", column.totals.weighted), w), theme.dim),
        ];
        let offset = view.offsets.get(i).copied().unwrap_or(0);
        if offset > 0 {
            lines.push(Line::styled(truncate(&tf("pipeline.more_above", &[("count", &offset)]), w), theme.dim));
        }
        for (j, card) in column.cards.iter().enumerate() {
            let selected = focused && view.selected.get(i) == Some(&j);
            let style = if selected { theme.selected } else { Style::new() };
            lines.push(Line::styled(truncate(&display_safe(&card.title), w), style.patch(theme.title)));
            let sub = format!("{} {}", card.value, card.customer_name);
            lines.push(Line::styled(
                truncate(&display_safe(&sub), w),
                if selected { theme.selected } else { theme.dim },
            ));
        }
        let below = column.totals.count.saturating_sub(offset + column.cards.len());
        if below > 0 {
            lines.push(Line::styled(truncate(&tf("pipeline.more_below", &[("count", &below)]), w), theme.dim));
        }
        // A rule between columns, none after the last (the frame has its own).
        let borders = if i + 1 < view.columns.len() { Borders::RIGHT } else { Borders::NONE };
        frame.render_widget(Paragraph::new(lines).block(Block::new().borders(borders).border_style(theme.dim)), *rect);
    }
}

pub fn draw_list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let list = &app.customers.opportunities;
    let title = tf("pipeline.list_title", &[("count", &list.total)]);
    let block = Block::bordered().title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [filter_area, table_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let input = &app.customers.opportunity_filter;
    let filter_line = if app.customers.filtering || !input.value().is_empty() {
        let max = usize::from(filter_area.width).saturating_sub(4);
        let scroll = input.visual_scroll(max);
        if app.customers.filtering {
            let cursor = input.visual_cursor().saturating_sub(scroll);
            frame.set_cursor_position((filter_area.x + 2 + u16::try_from(cursor).unwrap_or(0), filter_area.y));
        }
        Line::from(vec![
            Span::styled("/ ", theme.key),
            Span::raw(display_safe(skip_columns(input.value(), scroll)).into_owned()),
        ])
    } else {
        Line::styled(t("pipeline.filter_hint"), theme.dim)
    };
    frame.render_widget(Paragraph::new(filter_line), filter_area);
    if list.rows.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled(t("pipeline.none"), theme.dim)), table_area);
        return;
    }
    let total = usize::from(table_area.width);
    let wide = total >= 110;
    let fixed: Vec<usize> = if wide { vec![7, 16, 0, 11, 11, 4, 11, 10, 8] } else { vec![7, 12, 0, 11, 11, 10] };
    let widths = table::widths(&fixed, total);
    let mut titles = vec![
        t("field.code"),
        t("field.customer"),
        t("pipeline.deal_title"),
        column_label("stage"),
        column_label("value"),
    ];
    if wide {
        titles.extend([
            t("pipeline.probability_short"),
            t("pipeline.weighted"),
            column_label("expected_close"),
            column_label("owner"),
        ]);
    } else {
        titles.push(column_label("expected_close"));
    }
    let rows: Vec<Vec<String>> = list
        .rows
        .iter()
        .map(|o| {
            let value = format!("{:>w$}", o.value.to_string(), w = widths[4]);
            let mut cells = vec![o.code.clone(), o.customer_name.clone(), o.title.clone(), o.stage.clone(), value];
            if wide {
                cells.extend([
                    format!("{}%", o.probability),
                    format!("{:>w$}", weighted(o).to_string(), w = widths[6]),
                    o.expected_close.clone(),
                    o.owner.clone(),
                ]);
            } else {
                cells.push(o.expected_close.clone());
            }
            cells
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), table_area, list.selected);
}

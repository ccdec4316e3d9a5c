//! Drawing the import screen: the file step, the preview with the columns' fields, the
//! progress bar, and the outcome (what was imported, or every problem with its line).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, LineGauge, Paragraph};

use super::app::App;
use super::import::{Finished, ImportScreen, Outcome, Step};
use crate::domain::history::DayOrder;
use crate::domain::text::{display_safe, truncate, truncate_cell, width};
use crate::i18n::{t, tf};
use crate::ops::sales_history::HistoryReport;
use crate::ops::tables::Table;

pub fn draw(frame: &mut Frame<'_>, app: &App, screen: &ImportScreen, area: Rect) {
    frame.render_widget(Clear, area);
    let block =
        Block::default().borders(Borders::ALL).title(Span::styled(format!(" {} ", t("import.title")), app.theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match screen.step {
        Step::File => draw_file(frame, app, screen, inner),
        Step::Preview | Step::Field => draw_preview(frame, app, screen, inner),
        Step::Running => draw_running(frame, app, screen, inner),
        Step::Done => draw_done(frame, app, screen, inner),
    }
}

fn line(text: String) -> Line<'static> {
    Line::from(display_safe(&text).into_owned())
}

fn draw_file(frame: &mut Frame<'_>, app: &App, screen: &ImportScreen, area: Rect) {
    let theme = &app.theme;
    let folder = screen.folder.canonicalize().unwrap_or_else(|_| screen.folder.clone());
    let mut lines = vec![
        line(tf("import.folder", &[("folder", &folder.display())])),
        Line::from(vec![
            Span::styled(t("import.file"), theme.header),
            Span::raw(" "),
            // A suggested name is shown as selected: typing replaces it.
            Span::styled(
                display_safe(screen.path.value()).into_owned(),
                if screen.path_suggested { theme.selected } else { theme.focus },
            ),
            Span::styled("▏", theme.focus),
        ]),
        Line::from(""),
    ];
    if screen.files.is_empty() {
        lines.push(Line::styled(t("import.no_files"), theme.dim));
    } else {
        lines.push(Line::styled(t("import.files"), theme.header));
        let room = usize::from(area.height).saturating_sub(6);
        let (first, visible) = super::table::window(screen.chosen, room as u16 + 1);
        for (i, name) in screen.files.iter().enumerate().skip(first).take(visible) {
            let style = if i == screen.chosen { theme.selected } else { ratatui::style::Style::default() };
            lines.push(Line::styled(format!("  {}", display_safe(name)), style));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(t("import.file_keys"), theme.dim));
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_preview(frame: &mut Frame<'_>, app: &App, screen: &ImportScreen, area: Rect) {
    let theme = &app.theme;
    let Some(preview) = &screen.preview else { return };
    let name = screen.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let separator = match preview.delimiter {
        b'\t' => t("import.tab").to_string(),
        d => format!("'{}'", d as char),
    };
    let dates = match screen.day_order {
        None => t("import.dates_auto"),
        Some(DayOrder::DayFirst) => t("import.dates_dmy"),
        Some(DayOrder::MonthFirst) => t("import.dates_mdy"),
        Some(DayOrder::YearFirst) => t("import.dates_ymd"),
    };
    let head = vec![
        Line::from(vec![
            Span::styled(t("import.file"), theme.header),
            Span::raw(format!(" {}  ", display_safe(&name))),
            Span::styled(t("import.into"), theme.header),
            Span::styled(format!(" {} ", screen.table.name()), theme.selected),
            Span::styled(format!(" {}", t("import.table_key")), theme.dim),
        ]),
        line(if screen.table == Table::SalesHistory {
            tf("import.dialect_dates", &[("encoding", &preview.encoding), ("separator", &separator), ("dates", &dates)])
        } else {
            tf("import.dialect", &[("encoding", &preview.encoding), ("separator", &separator)])
        }),
    ];
    let rows = preview.rows.len() as u16 + 2;
    let [top, sample, columns, keys] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(rows + 1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(head), top);
    draw_sample(frame, app, screen, sample);
    let hint = if screen.step == Step::Field {
        draw_field_choices(frame, app, screen, columns);
        t("import.field_keys")
    } else {
        draw_columns(frame, app, screen, columns);
        if screen.table == Table::SalesHistory { t("import.preview_keys_history") } else { t("import.preview_keys") }
    };
    frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim)), keys);
}

/// The first rows as the file has them, as many columns as fit, each cut to 14 columns,
/// or wider (up to 30) when the screen has room for every column so.
fn draw_sample(frame: &mut Frame<'_>, app: &App, screen: &ImportScreen, area: Rect) {
    let Some(preview) = &screen.preview else { return };
    let room = usize::from(area.width) / preview.headers.len().max(1);
    let cut = room.saturating_sub(1).clamp(14, 30);
    let cell = |text: &str| {
        let shown = truncate_cell(&display_safe(text.lines().next().unwrap_or("")), cut);
        format!("{shown}{} ", " ".repeat(cut.saturating_sub(width(&shown))))
    };
    let fits = (usize::from(area.width) / (cut + 1)).max(1);
    // The columns shown follow the one chosen with ↑/↓, so every column can be seen.
    let start = (screen.column + 1).saturating_sub(fits).min(preview.headers.len().saturating_sub(fits));
    let row = |cells: &[String]| cells.iter().skip(start).take(fits).map(|c| cell(c)).collect::<String>();
    let mut lines = vec![Line::styled(t("import.first_rows"), app.theme.header)];
    lines.push(Line::styled(row(&preview.headers), app.theme.header));
    for r in &preview.rows {
        lines.push(Line::from(row(r)));
    }
    if preview.headers.len() > fits {
        let shown = (start + fits).min(preview.headers.len());
        let args: [(&str, &dyn std::fmt::Display); 3] =
            [("from", &(start + 1)), ("to", &shown), ("count", &preview.headers.len())];
        lines[0] = Line::styled(tf("import.first_rows_window", &args), app.theme.header);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The fields the typed search finds for the selected column, each with the column that
/// reads it now (choosing it moves it here).
fn draw_field_choices(frame: &mut Frame<'_>, app: &App, screen: &ImportScreen, area: Rect) {
    let Some(preview) = &screen.preview else { return };
    let theme = &app.theme;
    let header = preview.headers.get(screen.column).map(String::as_str).unwrap_or("");
    let mut lines = vec![Line::from(vec![
        Span::styled(tf("import.field_for", &[("column", &display_safe(header))]), theme.header),
        Span::raw(" "),
        Span::styled(display_safe(screen.field_search.value()).into_owned(), theme.focus),
        Span::styled("▏", theme.focus),
    ])];
    let choices = screen.field_choices();
    if choices.is_empty() {
        lines.push(Line::styled(t("import.no_field_found"), theme.dim));
    }
    let room = usize::from(area.height).saturating_sub(1);
    let (first, visible) = super::table::window(screen.field_choice, room as u16 + 1);
    for (i, choice) in choices.iter().enumerate().skip(first).take(visible) {
        let name = match choice {
            Some(field) => field.name().to_string(),
            None => t("import.not_used").to_string(),
        };
        let now = choice.and_then(|f| screen.column_of(f)).and_then(|c| preview.headers.get(c));
        let text = match now {
            Some(other) => format!("  {name:<18} {}", tf("import.field_now", &[("column", &display_safe(other))])),
            None => format!("  {name}"),
        };
        let style = if i == screen.field_choice { theme.selected } else { ratatui::style::Style::default() };
        lines.push(Line::styled(text, style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Each column and what it is read as (sales history), or the header as the table's
/// columns will take it.
fn draw_columns(frame: &mut Frame<'_>, app: &App, screen: &ImportScreen, area: Rect) {
    let Some(preview) = &screen.preview else { return };
    let theme = &app.theme;
    let count = preview.headers.len();
    let title = match count > usize::from(area.height).saturating_sub(1) {
        // Not all on screen: where the chosen one is, so the rest is known to be there.
        true => tf("import.columns_of", &[("at", &(screen.column + 1)), ("count", &count)]),
        false => t("import.columns").to_string(),
    };
    let mut lines = vec![Line::styled(title, theme.header)];
    let room = usize::from(area.height).saturating_sub(1);
    let (first, visible) = super::table::window(screen.column, room as u16 + 1);
    for (i, header) in preview.headers.iter().enumerate().skip(first).take(visible) {
        // Marked before the dry run refuses it.
        let unknown = !screen.table.has_column(header);
        let read_as = if screen.table == Table::SalesHistory {
            match screen.fields.get(i).copied().flatten() {
                Some(field) => field.name().to_string(),
                None => t("import.not_used").to_string(),
            }
        } else if unknown {
            tf("import.not_a_column", &[("table", &screen.table.name())])
        } else {
            String::new()
        };
        // Padded by display width: a CJK header takes two columns a character.
        let shown = truncate(&display_safe(header), 24);
        let text = format!("  {shown}{} {read_as}", " ".repeat(24usize.saturating_sub(width(&shown))));
        let style = if i == screen.column {
            theme.selected
        } else if unknown {
            theme.error
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::styled(text, style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_running(frame: &mut Frame<'_>, app: &App, screen: &ImportScreen, area: Rect) {
    let Some(job) = &screen.job else { return };
    if screen.stopping {
        let text = Line::styled(t("import.stopping"), app.theme.dim);
        return frame.render_widget(Paragraph::new(text), area);
    }
    let (done, total) = job.progress();
    // Decoded GB18030 is longer than the file's bytes: never more than all of it.
    let ratio = if total == 0 { 0.0 } else { (done as f64 / total as f64).min(1.0) };
    let key = if screen.dry_run { "import.checking" } else { "import.importing" };
    // Nothing read yet while another session's save or import holds the shop: said, as
    // "0 %" for seconds reads as hung.
    let key = if done == 0 && crate::db::waiting_now() { "import.waiting" } else { key };
    let label = tf(key, &[("percent", &format!("{:.0}", ratio * 100.0)), ("seconds", &job.seconds())]);
    let [gauge, _, keys, _] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Length(1), Constraint::Min(0)])
            .areas(area);
    frame.render_widget(
        LineGauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .label(truncate(&label, usize::from(gauge.width) / 2))
            .filled_style(app.theme.selected),
        gauge,
    );
    frame.render_widget(Paragraph::new(Line::styled(t("import.running_keys"), app.theme.dim)), keys);
}

fn draw_done(frame: &mut Frame<'_>, app: &App, screen: &ImportScreen, area: Rect) {
    let theme = &app.theme;
    let mut lines: Vec<Line<'static>> = Vec::new();
    match &screen.finished {
        Some(Finished::Imported(outcome)) => {
            let title = if screen.dry_run { t("import.dry_run_ok") } else { t("import.done") };
            lines.push(Line::styled(title, theme.ok));
            for text in outcome_lines(outcome) {
                lines.push(line(text));
            }
        }
        Some(Finished::Refused { errors, more }) => {
            let count = errors.len() + more;
            lines.push(Line::styled(tf("import.refused", &[("count", &count)]), theme.error));
            for e in errors.iter().skip(screen.scroll) {
                let text = if e.column.is_empty() {
                    tf("csv.line_error", &[("line", &e.line), ("message", &e.message)])
                } else {
                    tf(
                        "csv.cell_error",
                        &[("line", &e.line), ("column", &e.column), ("value", &e.value), ("message", &e.message)],
                    )
                };
                lines.push(line(text));
            }
            if *more > 0 {
                lines.push(line(tf("import.more_errors", &[("count", more)])));
            }
        }
        Some(Finished::Stopped) => lines.push(Line::styled(t("import.stopped"), theme.warning)),
        Some(Finished::Failed(message)) => {
            lines.push(Line::styled(t("import.failed"), theme.error));
            lines.push(line(message.clone()));
        }
        None => {}
    }
    let [body, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }), body);
    // A file refused as it was read has nothing to try or import until it is mended.
    let hint = if screen.preview.is_none() { t("import.done_keys_unread") } else { t("import.done_keys") };
    frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim)), keys);
}

/// What an import did, as the command line says it.
pub fn outcome_lines(outcome: &Outcome) -> Vec<String> {
    match outcome {
        Outcome::Table(r) => {
            let counts = [("created", &r.created), ("updated", &r.updated), ("unchanged", &r.unchanged)];
            let mut lines = vec![tf("import.table_report", &counts.map(|(k, v)| (k, v as &dyn std::fmt::Display)))];
            lines.extend(r.notes());
            lines
        }
        // The screen's title already says whether it was a dry run.
        Outcome::History(r) => HistoryReport { dry_run: false, ..(**r).clone() }.summary(),
    }
}

//! Drawing the Customers tab: list, detail and form.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table, Wrap};

use super::Screen;
use crate::domain::customer::{Customer, CustomerField};
use crate::domain::text::{display_safe, truncate, width};
use crate::i18n::{field_label, t, tf};
use crate::ops::customers::{CustomerRow, CustomerSort};
use crate::tui::app::App;
use crate::tui::view::field_line;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    match &app.customers.screen {
        Screen::List => draw_list(frame, app, area),
        Screen::Detail(customer) => draw_detail(frame, app, area, customer),
        Screen::Form(form) => crate::tui::form::draw(frame, &app.theme, area, &form.form),
        Screen::Record(record) => crate::tui::form::draw(frame, &app.theme, area, &record.form),
        Screen::FollowUps => super::crm_view::draw_follow_ups(frame, app, area),
        Screen::Feedback => super::crm_view::draw_feedback(frame, app, area),
        Screen::Pipeline => super::pipeline_view::draw_board(frame, app, area),
        Screen::Opportunities => super::pipeline_view::draw_list(frame, app, area),
        Screen::Tiers => super::tiers::draw(frame, app, area),
        Screen::TierSuggestions => super::tiers::draw_suggestions(frame, app, area),
        Screen::Stages => super::stages::draw(frame, app, area),
    }
}

fn sort_label(sort: CustomerSort) -> &'static str {
    match sort {
        CustomerSort::Name => field_label(CustomerField::Name),
        CustomerSort::Code => field_label(CustomerField::Code),
        CustomerSort::City => field_label(CustomerField::City),
        CustomerSort::Region => field_label(CustomerField::Region),
        CustomerSort::Tier => field_label(CustomerField::Tier),
        CustomerSort::Created => t("field.created"),
    }
}

/// A list column: what it shows and how wide it may be.
struct Column {
    title: &'static str,
    /// Fixed width, or 0 to share the space left.
    fixed: usize,
    cell: fn(&CustomerRow) -> &str,
}

/// The columns that fit `width`: the essentials at 80 columns, more on wide terminals.
fn columns(width: usize) -> Vec<Column> {
    let mut columns = vec![
        Column { title: field_label(CustomerField::Code), fixed: 8, cell: |r| &r.code },
        Column { title: field_label(CustomerField::Name), fixed: 0, cell: |r| &r.name },
    ];
    if width >= 100 {
        columns.push(Column { title: field_label(CustomerField::Company), fixed: 0, cell: |r| &r.company });
    }
    columns.push(Column { title: field_label(CustomerField::City), fixed: 11, cell: |r| &r.city });
    if width >= 110 {
        columns.push(Column { title: field_label(CustomerField::Region), fixed: 8, cell: |r| &r.region });
    }
    columns.push(Column { title: field_label(CustomerField::Tier), fixed: 4, cell: |r| &r.tier });
    columns.push(Column { title: field_label(CustomerField::Phone), fixed: 16, cell: |r| &r.phone });
    if width >= 140 {
        columns.push(Column { title: field_label(CustomerField::Email), fixed: 0, cell: |r| &r.email });
    }
    columns
}

fn widths(columns: &[Column], total: usize) -> Vec<usize> {
    crate::tui::table::widths(&columns.iter().map(|c| c.fixed).collect::<Vec<_>>(), total)
}

fn draw_list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let tab = &app.customers;
    let list = &tab.list;
    let arrow = if list.source.query.descending { "↓" } else { "↑" };
    let mut title =
        tf("list.title", &[("count", &list.total), ("sort", &sort_label(list.source.query.sort)), ("arrow", &arrow)]);
    if list.source.query.include_archived {
        title.push_str(&format!(" · {}", t("list.with_archived")));
    }
    if app.waiting() {
        title.push_str(&format!(" · {}", t("list.searching")));
    }
    let block = Block::bordered().title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [filter_area, table_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);

    let hint = t("list.filter_hint");
    crate::tui::form::draw_filter_line(frame, theme, filter_area, &tab.filter_input, tab.filtering, hint);

    let table_width = usize::from(table_area.width.saturating_sub(1));
    let columns = columns(table_width);
    let widths = widths(&columns, table_width);
    if list.rows.is_empty() {
        let message = if list.source.query.filter.is_empty() { t("list.empty") } else { t("list.no_match") };
        frame.render_widget(Paragraph::new(Line::styled(message, theme.dim)).wrap(Wrap { trim: true }), table_area);
        return;
    }
    let header = Row::new(columns.iter().zip(&widths).map(|(c, w)| truncate(c.title, *w))).style(theme.header);
    let rows: Vec<Row<'_>> = list
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let cells = columns.iter().zip(&widths).map(|(c, w)| truncate(&display_safe((c.cell)(row)), *w));
            let style = if i == list.selected {
                theme.selected
            } else if row.archived {
                theme.archived
            } else {
                ratatui::style::Style::new()
            };
            Row::new(cells).style(style)
        })
        .collect();
    let constraints: Vec<Constraint> =
        widths.iter().map(|w| Constraint::Length(u16::try_from(*w).unwrap_or(0))).collect();
    frame.render_widget(Table::new(rows, constraints).header(header).column_spacing(1), table_area);

    let position = format!(" {}/{} ", list.position() + 1, list.total);
    let bottom = Rect {
        x: area.x + area.width.saturating_sub(width(&position) as u16 + 2),
        y: area.y + area.height - 1,
        width: width(&position) as u16,
        height: 1,
    };
    frame.render_widget(Paragraph::new(Span::styled(position, theme.dim)), bottom);
    if list.total <= list.rows.len() {
        return;
    }
    let mut scrollbar =
        ScrollbarState::new(list.total).viewport_content_length(list.rows.len()).position(list.position());
    frame.render_stateful_widget(
        Scrollbar::new(ScrollbarOrientation::VerticalRight).begin_symbol(None).end_symbol(None),
        area.inner(Margin { vertical: 1, horizontal: 0 }),
        &mut scrollbar,
    );
}

fn draw_detail(frame: &mut Frame<'_>, app: &App, area: Rect, customer: &Customer) {
    let theme = &app.theme;
    let mut title = format!(" {} · {} ", display_safe(&customer.data.code), display_safe(&customer.data.name));
    if customer.archived_at.is_some() {
        title.push_str(&format!("[{}] ", t("detail.archived")));
    }
    let title = truncate(&title, usize::from(area.width.saturating_sub(4)));
    let block = Block::bordered().title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // At 80x24 the essentials: fields, recent contacts beside open feedback, notes. Taller
    // terminals also get the change history.
    let history_rows = if inner.height >= 30 { 7 } else { 0 };
    let [fields_area, glance_area, notes_area, history_area] = Layout::vertical([
        Constraint::Length(8),
        Constraint::Min(4),
        Constraint::Length(4),
        Constraint::Length(history_rows),
    ])
    .areas(inner);
    let [contacts_area, feedback_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).spacing(2).areas(glance_area);
    super::crm_view::draw_glance(frame, app, contacts_area, feedback_area);
    let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(fields_area);
    let label_width = 13;
    let column = |fields: &[CustomerField], rect: Rect| -> Vec<Line<'static>> {
        fields
            .iter()
            .map(|f| {
                field_line(
                    field_label(*f),
                    customer.data.get(*f),
                    label_width,
                    usize::from(rect.width),
                    ratatui::style::Style::new(),
                    theme.dim,
                )
            })
            .collect()
    };
    use CustomerField as F;
    let left_lines = column(&[F::Code, F::Name, F::Company, F::Contact, F::Title, F::Phone, F::Email], left);
    let mut right_lines = column(&[F::Address, F::City, F::Region, F::Tier, F::Salesperson, F::TaxId], right);
    let created = crate::tui::format::local_time(&customer.created_at);
    right_lines.push(field_line(
        t("field.created"),
        &created,
        label_width,
        usize::from(right.width),
        ratatui::style::Style::new(),
        theme.dim,
    ));
    if let Some(archived) = &customer.archived_at {
        let archived = crate::tui::format::local_time(archived);
        right_lines.push(field_line(
            t("detail.archived"),
            &archived,
            label_width,
            usize::from(right.width),
            theme.archived,
            theme.dim,
        ));
    }
    frame.render_widget(Paragraph::new(left_lines), left);
    frame.render_widget(Paragraph::new(right_lines), right);

    let notes: Vec<Line<'_>> = std::iter::once(Line::styled(field_label(F::Notes), theme.header))
        .chain(customer.data.notes.lines().map(|l| Line::raw(display_safe(l).into_owned())))
        .collect();
    frame.render_widget(Paragraph::new(notes).wrap(Wrap { trim: false }), notes_area);

    let mut history = vec![Line::styled(t("detail.history"), theme.header)];
    if app.customers.history.is_empty() {
        history.push(Line::styled(t("detail.no_history"), theme.dim));
    }
    for entry in &app.customers.history {
        let when = crate::tui::format::local_time(&entry.at);
        history.push(Line::styled(
            truncate(
                &display_safe(&format!("{when}  {}  {}", entry.user, history_action(&entry.action))),
                usize::from(history_area.width),
            ),
            theme.dim,
        ));
    }
    frame.render_widget(Paragraph::new(history), history_area);
}

/// An audit action as the history shows it.
fn history_action(action: &str) -> &str {
    match action {
        "create" => t("history.create"),
        "update" => t("history.update"),
        "archive" => t("history.archive"),
        "unarchive" => t("history.unarchive"),
        "import-create" => t("history.import_create"),
        "import-update" => t("history.import_update"),
        "log-contact" => t("history.log_contact"),
        "follow-up-done" => t("history.follow_up_done"),
        "record-feedback" => t("history.record_feedback"),
        "move-feedback" => t("history.move_feedback"),
        other => other,
    }
}

//! Drawing the relationship views: follow-ups, open feedback, and the customer's glance.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::domain::crm::{Due, Severity, due};
use crate::domain::text::{display_safe, truncate};
use crate::i18n::{t, tf};
use crate::ops::crm::{contact_kind_label, feedback_kind_label, severity_label, status_label};
use crate::tui::app::App;
use crate::tui::table::{self, table, widths};
use crate::tui::theme::Theme;

fn due_text(date: Option<&str>, today: chrono::NaiveDate) -> (String, bool) {
    let Some(date) = date.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) else {
        return (String::new(), false);
    };
    let when = due(date, today);
    (crate::ops::crm::describe_due(when), matches!(when, Due::Overdue { .. } | Due::Today))
}

pub fn draw_follow_ups(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let view = &app.customers.follow_ups;
    let (overdue, today_count, upcoming) = view.counts;
    let title = tf("crm.follow_ups_title", &[("overdue", &overdue), ("today", &today_count), ("upcoming", &upcoming)]);
    let block = Block::bordered().title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if view.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(t("crm.no_follow_ups"), theme.dim)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let today = app.session.clock.today();
    let total = usize::from(inner.width);
    // At 80 columns the summary matters more than the exact date and who wrote it.
    let wide = total >= 100;
    let mut rows = Vec::new();
    let mut styles = Vec::new();
    for c in &view.rows {
        let (when, urgent) = due_text(c.follow_up.as_deref(), today);
        styles.push(if urgent { theme.error } else { Style::new() });
        let mut row = vec![when];
        if wide {
            row.push(c.follow_up.clone().unwrap_or_default());
        }
        row.extend([
            c.customer_code.clone(),
            c.customer_name.clone(),
            contact_kind_label(c.kind).to_string(),
            c.summary.clone(),
        ]);
        if wide {
            row.push(c.user.clone());
        }
        rows.push(row);
    }
    let (titles, w) = if wide {
        let titles = vec![
            t("crm.due"),
            t("crm.date"),
            t("field.code"),
            t("field.name"),
            t("field.kind"),
            t("field.summary"),
            t("crm.by"),
        ];
        (titles, widths(&[12, 10, 8, 20, 7, 0, 8], total))
    } else {
        (
            vec![t("crm.due"), t("field.code"), t("field.name"), t("field.kind"), t("field.summary")],
            widths(&[12, 8, 14, 7, 0], total),
        )
    };
    table::draw(frame, table(theme, &titles, rows, styles, &w), inner, view.selected);
}

fn severity_style(theme: &Theme, severity: Severity) -> Style {
    match severity {
        Severity::Critical | Severity::High => theme.error,
        Severity::Medium => Style::new(),
        Severity::Low => theme.dim,
    }
}

/// Whole days since an RFC 3339 time: "3 d".
fn age(opened_at: &str, now: &str) -> String {
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    match (parse(opened_at), parse(now)) {
        (Some(a), Some(b)) => tf("crm.age_days", &[("days", &(b - a).num_days().max(0))]),
        _ => String::new(),
    }
}

pub fn draw_feedback(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let view = &app.customers.feedback;
    let mut title = tf("crm.feedback_list_title", &[("count", &view.total)]);
    if view.total > view.rows.len() {
        title.push_str(&tf("crm.feedback_shown", &[("shown", &view.rows.len())]));
    }
    let block = Block::bordered().title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if view.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(t("crm.no_feedback"), theme.dim)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let now = app.session.clock.now();
    let total = usize::from(inner.width);
    let wide = total >= 100;
    // Only the rows on screen are built: the selected one is kept in view.
    let visible = usize::from(inner.height.saturating_sub(1)).max(1);
    let first = (view.selected + 1).saturating_sub(visible);
    let mut rows = Vec::new();
    let mut styles = Vec::new();
    for f in view.rows.iter().skip(first).take(visible) {
        styles.push(severity_style(theme, f.severity));
        let mut row = vec![
            severity_label(f.severity).to_string(),
            age(&f.opened_at, &now),
            status_label(f.status).to_string(),
            f.code.clone(),
            f.customer_name.clone(),
        ];
        if wide {
            row.push(feedback_kind_label(f.kind).to_string());
        }
        row.push(f.description.clone());
        if wide {
            row.push(f.assignee.clone());
        }
        rows.push(row);
    }
    let mut titles = vec![t("field.severity"), t("crm.age"), t("field.status"), t("field.code"), t("field.customer")];
    let w = if wide {
        titles.extend([t("field.kind"), t("field.description"), t("field.assignee")]);
        widths(&[8, 5, 11, 7, 20, 9, 0, 10], total)
    } else {
        titles.push(t("field.description"));
        widths(&[8, 5, 11, 7, 14, 0], total)
    };
    table::draw(frame, table(theme, &titles, rows, styles, &w), inner, view.selected - first);
}

/// The customer's recent contacts and open feedback, side by side, for the detail screen.
/// The customer's latest orders and what they have bought in all.
fn draw_orders_glance(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let glance = &app.customers.glance;
    let width = usize::from(area.width);
    let title = if glance.balance.is_zero() {
        tf("crm.orders_glance", &[("revenue", &glance.revenue)])
    } else {
        tf("crm.orders_glance_owes", &[("revenue", &glance.revenue), ("balance", &glance.balance)])
    };
    let mut lines = vec![Line::styled(truncate(&title, width), theme.header)];
    if glance.orders.is_empty() {
        lines.push(Line::styled(t("crm.no_orders"), theme.dim));
    }
    for o in &glance.orders {
        let text = format!("{} {} {} {}", o.number, o.order_date, crate::ops::orders::status_label(o.status), o.gross);
        lines.push(Line::styled(truncate(&display_safe(&text), width), Style::new()));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

pub fn draw_glance(frame: &mut Frame<'_>, app: &App, contacts_area: Rect, feedback_area: Rect) {
    let theme = &app.theme;
    let glance = &app.customers.glance;
    let today = app.session.clock.today();
    let [contacts_area, orders_area] =
        ratatui::layout::Layout::vertical([ratatui::layout::Constraint::Fill(1); 2]).areas(contacts_area);
    draw_orders_glance(frame, app, orders_area);
    let mut lines = vec![Line::styled(t("crm.recent_contacts"), theme.header)];
    if glance.contacts.is_empty() {
        lines.push(Line::styled(t("crm.no_contacts"), theme.dim));
    }
    let width = usize::from(contacts_area.width);
    for c in &glance.contacts {
        let day = c.at.get(..10).unwrap_or(&c.at);
        let mut text = format!("{day} {} {}", contact_kind_label(c.kind), c.summary.replace('\n', " "));
        let style = match (c.follow_up.as_deref(), &c.done_at) {
            (Some(date), None) => {
                let (when, urgent) = due_text(Some(date), today);
                text = format!("{day} {} [{when}] {}", contact_kind_label(c.kind), c.summary.replace('\n', " "));
                if urgent { theme.error } else { Style::new() }
            }
            _ => Style::new(),
        };
        lines.push(Line::styled(truncate(&display_safe(&text), width), style));
    }
    frame.render_widget(Paragraph::new(lines), contacts_area);

    let [feedback_area, deals_area] =
        ratatui::layout::Layout::vertical([ratatui::layout::Constraint::Fill(1); 2]).areas(feedback_area);
    let mut lines = vec![Line::styled(t("crm.open_feedback"), theme.header)];
    if glance.feedback.is_empty() {
        lines.push(Line::styled(t("crm.no_open_feedback"), theme.dim));
    }
    let width = usize::from(feedback_area.width);
    for f in &glance.feedback {
        let text = format!(
            "{} {} {}: {}",
            f.code,
            severity_label(f.severity),
            feedback_kind_label(f.kind),
            f.description.replace('\n', " ")
        );
        lines.push(Line::styled(truncate(&display_safe(&text), width), severity_style(theme, f.severity)));
    }
    frame.render_widget(Paragraph::new(lines), feedback_area);

    let mut lines = vec![Line::styled(t("crm.open_deals"), theme.header)];
    if glance.deals.is_empty() {
        lines.push(Line::styled(t("crm.no_open_deals"), theme.dim));
    }
    for d in &glance.deals {
        let text = format!("{} {} {}", d.stage, d.value, d.title);
        lines.push(Line::styled(truncate(&display_safe(&text), width), Style::new()));
    }
    frame.render_widget(Paragraph::new(lines), deals_area);
}

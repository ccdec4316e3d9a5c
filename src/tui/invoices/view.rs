//! Drawing the Invoices tab.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::InvoiceScreen;
use crate::db::invoices::InvoiceView;
use crate::domain::text::{display_safe, truncate};
use crate::i18n::{column_label, t, tf};
use crate::ops::invoices::InvoiceDetail;
use crate::tui::app::App;
use crate::tui::stock::view::{price, qty};
use crate::tui::table;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    match &app.invoices.screen {
        InvoiceScreen::List => draw_list(frame, app, area),
        InvoiceScreen::Invoice(detail) => draw_invoice(frame, app, area, detail),
        InvoiceScreen::Form(screen) => crate::tui::form::draw(frame, &app.theme, area, &screen.form),
        InvoiceScreen::Report(report) => draw_report(frame, app, area, report),
    }
}

fn block<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title))
}

fn draw_list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let list = &app.invoices.list;
    let view = super::view_label(list.source.view);
    let outer = block(app, format!("{} · {view}", tf("invoice.list_title", &[("count", &list.total)])));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if list.rows.is_empty() {
        let empty = if list.source.view == InvoiceView::All { "invoice.list_empty" } else { "invoice.view_empty" };
        let text = Line::styled(t(empty), theme.dim);
        return frame.render_widget(Paragraph::new(text), inner);
    }
    let titles = [
        t("invoice.number"),
        t("invoice.date"),
        t("invoice.due"),
        column_label("customer"),
        t("invoice.total"),
        t("invoice.status"),
    ];
    // At 80 columns the due date gives way to the customer's name.
    let wide = inner.width >= 100;
    let widths = table::widths(&[18, 10, if wide { 10 } else { 0 }, 0, 11, 11], usize::from(inner.width));
    let widths = if wide { widths } else { vec![widths[0], widths[1], 0, widths[2] + widths[3], widths[4], widths[5]] };
    let mut styles = Vec::new();
    let rows = list
        .rows
        .iter()
        .map(|row| {
            let inv = &row.invoice;
            styles.push(match row.standing {
                _ if !inv.issued => theme.dim,
                Some(crate::domain::payment::Standing::Overdue) => theme.error,
                _ => Style::new(),
            });
            let number = inv.number.clone().unwrap_or_else(|| tf("invoice.draft_label", &[("id", &inv.id)]));
            let customer = if inv.issued { inv.customer_name.clone() } else { String::new() };
            let status = match row.standing {
                Some(s) => crate::ops::payments::standing_label(s).to_string(),
                None if inv.credit_note && inv.issued => t("payment.kind_credit_note").to_string(),
                None => t("invoice.view_drafts").to_string(),
            };
            vec![number, inv.issue_date.clone(), inv.due_date.clone(), customer, inv.gross.to_string(), status]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, styles, &widths), inner, list.selected);
}

fn draw_invoice(frame: &mut Frame<'_>, app: &App, area: Rect, d: &InvoiceDetail) {
    let theme = &app.theme;
    let inv = &d.invoice;
    let credits = d.credits.clone().unwrap_or_default();
    let title = match (&inv.number, inv.credit_note) {
        (Some(number), true) => tf("credit.title", &[("number", number), ("invoice", &credits)]),
        (Some(number), false) => tf("invoice.doc_title", &[("number", number)]),
        (None, true) => tf("credit.draft_title", &[("id", &inv.id), ("invoice", &credits)]),
        (None, false) => tf("invoice.draft_label", &[("id", &inv.id)]),
    };
    let outer = block(app, title);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let taxes = d.taxes.len().max(1) as u16;
    let [head, lines_area, totals_area, keys_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(2),
        Constraint::Length(taxes + 2),
        Constraint::Length(1),
    ])
    .areas(inner);
    let w = usize::from(head.width);
    let who = if inv.issued {
        format!("{} [{}] · {}", inv.customer_name, inv.customer_code, inv.customer_address)
    } else {
        tf("invoice.draft_customer", &[("customer", &format!("{} [{}]", inv.customer_name, inv.customer_code))])
    };
    let when = if inv.credit_note {
        let date = if inv.issued { inv.issue_date.as_str() } else { "" };
        tf("credit.reason_line", &[("date", &date), ("reason", &inv.reason)])
    } else if inv.issued {
        tf("invoice.doc_dates", &[("date", &inv.issue_date), ("due", &inv.due_date)])
    } else {
        t("invoice.doc_not_issued").to_string()
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(truncate(&display_safe(&who), w)),
            Line::styled(truncate(&display_safe(&when), w), theme.dim),
        ]),
        head,
    );
    let titles = [
        "#",
        column_label("sku"),
        column_label("name"),
        t("entry.qty"),
        t("entry.price"),
        t("entry.disc"),
        t("entry.tax"),
        t("invoice.doc_amount"),
    ];
    let widths = table::widths(&[2, 9, 0, 8, 9, 5, 5, 10], usize::from(lines_area.width));
    let rows = d
        .lines
        .iter()
        .map(|l| {
            vec![
                l.line.to_string(),
                l.sku.clone(),
                l.name.clone(),
                qty(l.quantity),
                price(l.unit_price),
                l.discount.to_string(),
                l.tax_rate.to_string(),
                l.amount.to_string(),
            ]
        })
        .collect();
    frame.render_widget(table::table(theme, &titles, rows, Vec::new(), &widths), lines_area);
    let mut totals = vec![Line::raw(format!("{}: {}", t("invoice.doc_net"), inv.net))];
    if d.taxes.is_empty() {
        totals.push(Line::raw(format!("{}: {}", t("entry.tax"), inv.tax)));
    }
    for tax in &d.taxes {
        totals.push(Line::raw(format!(
            "{}: {}",
            tf("invoice.doc_tax_rate", &[("rate", &tax.rate), ("base", &tax.base)]),
            tax.tax
        )));
    }
    let total = if inv.credit_note { t("credit.total") } else { t("invoice.doc_gross") };
    let mut gross = format!("{total}: {}", inv.gross);
    if let Some((standing, paid)) = app.invoices.standing {
        let label = crate::ops::payments::standing_label(standing);
        gross.push_str(&format!("   · {} · {}", tf("invoice.paid", &[("paid", &paid)]), label));
    }
    totals.push(Line::styled(gross, theme.title));
    frame.render_widget(Paragraph::new(totals), totals_area);
    let keys = match (inv.issued, inv.credit_note) {
        (true, true) => t("invoice.keys_credit_note"),
        (true, false) => t("invoice.keys_issued"),
        (false, _) => t("invoice.keys_draft"),
    };
    frame.render_widget(Paragraph::new(Line::styled(keys, theme.dim)), keys_area);
}

fn draw_report(frame: &mut Frame<'_>, app: &App, area: Rect, report: &super::finance::ReportScreen) {
    use super::finance::FinanceReport;
    let theme = &app.theme;
    let mut period = report.period_label();
    if report.report == FinanceReport::Statement && !report.customer.is_empty() {
        period = format!("{} · {period}", report.customer);
    }
    let outer = block(app, tf("finance.title", &[("report", &report.report.title()), ("period", &period)]));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let [body, keys_area] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let refunds = matches!(report.report, FinanceReport::RefundsWaiting | FinanceReport::Refunds);
    let mut keys = if refunds { t("finance.keys_refunds") } else { t("finance.keys") }.to_string();
    if let Some(job) = &report.job {
        frame.render_widget(Paragraph::new(Line::styled(keys, theme.dim)), keys_area);
        let reading = tf("finance.reading", &[("seconds", &job.seconds())]);
        return frame.render_widget(Paragraph::new(Line::styled(reading, theme.dim)), body);
    }
    if report.rows.is_empty() {
        let empty = if report.report == FinanceReport::Statement && report.customer.is_empty() {
            t("finance.choose_customer")
        } else {
            t("report.none")
        };
        frame.render_widget(Paragraph::new(Line::styled(keys, theme.dim)), keys_area);
        return frame.render_widget(Paragraph::new(Line::styled(empty, theme.dim)), body);
    }
    let titles: Vec<&str> = report.columns.iter().map(|c| crate::i18n::report_column_label(c)).collect();
    // Each column as wide as its widest cell (up to 24), the last ones cut at 80 columns.
    let fixed: Vec<usize> = titles
        .iter()
        .zip(report.cell_widths.iter().chain(std::iter::repeat(&0)))
        .map(|(c, cells)| crate::domain::text::width(c).max(*cells).min(24))
        .collect();
    // Columns that do not fit are left off whole (a cut figure would misread), and the keys
    // line says how many: a wider terminal or `shopdesk report` shows them.
    let mut used = 0;
    let shown = fixed
        .iter()
        .take_while(|w| {
            used += *w + 1;
            used <= usize::from(body.width) + 1
        })
        .count()
        .max(1);
    if shown < fixed.len() {
        keys = format!("{} · {keys}", tf("finance.hidden_columns", &[("count", &(fixed.len() - shown))]));
    }
    frame.render_widget(
        Paragraph::new(Line::styled(truncate(&keys, usize::from(keys_area.width)), theme.dim)),
        keys_area,
    );
    let titles = &titles[..shown];
    let widths = &fixed[..shown];
    // Only the rows that fit are handed to the table: receivables can run to tens of
    // thousands of invoices.
    let (first, visible) = table::window(report.selected, body.height);
    let rows: Vec<Vec<String>> =
        report.rows.iter().skip(first).take(visible).map(|r| r.iter().take(shown).cloned().collect()).collect();
    frame.render_widget(Clear, body);
    table::draw(frame, table::table(theme, titles, rows, Vec::new(), widths), body, report.selected - first);
}

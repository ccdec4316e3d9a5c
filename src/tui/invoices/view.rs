//! Drawing the Invoices tab.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::InvoiceScreen;
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
        InvoiceScreen::Payment(payment) => crate::tui::form::draw(frame, &app.theme, area, &payment.1),
    }
}

fn block<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title))
}

fn draw_list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let list = &app.invoices.list;
    let outer = block(app, tf("invoice.list_title", &[("count", &list.total)]));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    if list.rows.is_empty() {
        let text = Line::styled(t("invoice.list_empty"), theme.dim);
        return frame.render_widget(Paragraph::new(text), inner);
    }
    let titles =
        [t("invoice.number"), t("invoice.date"), t("invoice.due"), column_label("customer"), t("invoice.total")];
    let widths = table::widths(&[18, 10, 10, 0, 12], usize::from(inner.width));
    let mut styles = Vec::new();
    let rows = list
        .rows
        .iter()
        .map(|inv| {
            styles.push(if inv.issued { Style::new() } else { theme.dim });
            let number = inv.number.clone().unwrap_or_else(|| tf("invoice.draft_label", &[("id", &inv.id)]));
            let customer = if inv.issued { inv.customer_name.clone() } else { String::new() };
            vec![number, inv.issue_date.clone(), inv.due_date.clone(), customer, inv.gross.to_string()]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, styles, &widths), inner, list.selected);
}

fn draw_invoice(frame: &mut Frame<'_>, app: &App, area: Rect, d: &InvoiceDetail) {
    let theme = &app.theme;
    let inv = &d.invoice;
    let title = match &inv.number {
        Some(number) => tf("invoice.doc_title", &[("number", number)]),
        None => tf("invoice.draft_label", &[("id", &inv.id)]),
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
        tf("invoice.draft_customer", &[("id", &inv.customer_id)])
    };
    let when = if inv.issued {
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
    let mut gross = format!("{}: {}", t("invoice.doc_gross"), inv.gross);
    if let Some((standing, paid)) = app.invoices.standing {
        let label = crate::ops::payments::standing_label(standing);
        gross.push_str(&format!("   · {} · {}", tf("invoice.paid", &[("paid", &paid)]), label));
    }
    totals.push(Line::styled(gross, theme.title));
    frame.render_widget(Paragraph::new(totals), totals_area);
    let keys = if inv.issued { t("invoice.keys_issued") } else { t("invoice.keys_draft") };
    frame.render_widget(Paragraph::new(Line::styled(keys, theme.dim)), keys_area);
}

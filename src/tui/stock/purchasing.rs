//! The purchasing screens of the Stock tab: the replenishment plan (one key turns a
//! supplier's suggestions into a draft order), the purchase orders, and one order with its
//! lines, to send, change, receive or cancel.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::receive::Receiving;
use super::view::{price, qty};
use super::{FormKind, StockForm, StockScreen};
use crate::db::purchasing::{PurchaseLine, PurchaseOrder};
use crate::domain::purchasing::PoStatus;
use crate::error::Result;
use crate::i18n::{column_label, t, tf};
use crate::ops::purchasing::{self, PlanRow, status_label};
use crate::tui::action::Action;
use crate::tui::app::{App, Flash};
use crate::tui::form::{Form, FormField};
use crate::tui::overlay::Pending;
use crate::tui::table;

/// Orders the list shows (open ones first).
const ORDER_ROWS: usize = 500;

#[derive(Debug, Default)]
pub struct PurchasingViews {
    pub plan: Vec<PlanRow>,
    pub plan_selected: usize,
    pub orders: Vec<PurchaseOrder>,
    pub orders_selected: usize,
    pub include_closed: bool,
    /// The order on screen and its lines.
    pub order: Option<(PurchaseOrder, Vec<PurchaseLine>)>,
    pub line_selected: usize,
}

impl App {
    pub(crate) fn show_plan(&mut self) -> Result<()> {
        let views = &mut self.stock.purchasing;
        views.plan = purchasing::plan(&self.session, None)?;
        views.plan_selected = views.plan_selected.min(views.plan.len().saturating_sub(1));
        self.stock.screen = StockScreen::Plan;
        Ok(())
    }

    pub(crate) fn plan_action(&mut self, action: Action) -> Result<()> {
        let views = &mut self.stock.purchasing;
        if table::move_selection(&mut views.plan_selected, views.plan.len(), action) {
            return Ok(());
        }
        let selected = views.plan.get(views.plan_selected).cloned();
        match action {
            Action::OrderSupplier => {
                let Some(row) = selected else { return Ok(()) };
                let group: Vec<PlanRow> = views
                    .plan
                    .iter()
                    .filter(|r| r.supplier == row.supplier && r.warehouse_id == row.warehouse_id)
                    .cloned()
                    .collect();
                let po = purchasing::draft_from_plan(&mut self.session, &group)?;
                self.show_order(&po.code)?;
                self.flash = Some(Flash::Info(tf("po.drafted", &[("code", &po.code), ("lines", &group.len())])));
            }
            Action::Open => {
                if let Some(row) = selected {
                    self.stock.detail_from = super::DetailFrom::Products;
                    self.show_product(row.product_id)?;
                }
            }
            Action::ShowOrders => self.show_orders()?,
            Action::Back => self.stock.screen = StockScreen::Products,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn show_orders(&mut self) -> Result<()> {
        let views = &mut self.stock.purchasing;
        views.orders = purchasing::list(&self.session, views.include_closed, ORDER_ROWS)?;
        views.orders_selected = views.orders_selected.min(views.orders.len().saturating_sub(1));
        self.stock.screen = StockScreen::Orders;
        Ok(())
    }

    pub(crate) fn orders_action(&mut self, action: Action) -> Result<()> {
        let views = &mut self.stock.purchasing;
        if table::move_selection(&mut views.orders_selected, views.orders.len(), action) {
            return Ok(());
        }
        match action {
            Action::Open => {
                if let Some(code) = views.orders.get(views.orders_selected).map(|o| o.code.clone()) {
                    self.show_order(&code)?;
                }
            }
            Action::ToggleArchived => {
                views.include_closed = !views.include_closed;
                self.show_orders()?;
            }
            Action::ShowPlan => self.show_plan()?,
            Action::Back => self.stock.screen = StockScreen::Products,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn show_order(&mut self, code: &str) -> Result<()> {
        let order = purchasing::get(&self.session, code)?;
        let views = &mut self.stock.purchasing;
        views.line_selected = views.line_selected.min(order.1.len().saturating_sub(1));
        views.order = Some(order);
        self.stock.screen = StockScreen::Order;
        Ok(())
    }

    pub(crate) fn order_action(&mut self, action: Action) -> Result<()> {
        let views = &mut self.stock.purchasing;
        let Some((po, lines)) = views.order.clone() else { return Ok(()) };
        if table::move_selection(&mut views.line_selected, lines.len(), action) {
            return Ok(());
        }
        match action {
            Action::SendOrder => {
                purchasing::send(&mut self.session, &po)?;
                self.show_order(&po.code)?;
                self.stock.low_count = crate::ops::ledger::low_stock_count(&self.session)?;
                self.flash = Some(Flash::Info(tf("po.sent_flash", &[("code", &po.code), ("supplier", &po.supplier)])));
            }
            Action::CancelOrder => self.ask(tf("confirm.cancel_po", &[("code", &po.code)]), Pending::CancelOrder),
            Action::Edit => {
                let Some(line) = lines.get(views.line_selected) else { return Ok(()) };
                po.status.check_send().map_err(|_| {
                    crate::error::Error::Refused(tf(
                        "po.not_draft",
                        &[("code", &po.code), ("status", &status_label(po.status))],
                    ))
                })?;
                let field = FormField::new("quantity", column_label("quantity"), &qty(line.quantity))
                    .required()
                    .hint(t("po.quantity_hint"));
                let title = tf("po.line_title", &[("code", &po.code), ("sku", &line.sku), ("name", &line.name)]);
                self.stock.screen = StockScreen::Form(Box::new(StockForm {
                    kind: FormKind::PoLine { code: po.code.clone(), line: line.line },
                    form: Form::new(title, vec![field]),
                    back_to: None,
                }));
            }
            Action::Receive => {
                po.status.check_receive().map_err(|_| {
                    crate::error::Error::Refused(tf(
                        "po.not_open",
                        &[("code", &po.code), ("status", &status_label(po.status))],
                    ))
                })?;
                let mut receiving = Receiving::new(&po.warehouse);
                receiving.po = Some(po);
                self.stock.screen = StockScreen::Receive(Box::new(receiving));
            }
            Action::Back => self.show_orders()?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn cancel_order(&mut self) -> Result<()> {
        let Some((po, _)) = self.stock.purchasing.order.clone() else { return Ok(()) };
        purchasing::cancel(&mut self.session, &po, "")?;
        self.show_order(&po.code)?;
        self.stock.low_count = crate::ops::ledger::low_stock_count(&self.session)?;
        self.flash = Some(Flash::Info(tf("po.cancelled_flash", &[("code", &po.code)])));
        Ok(())
    }

    /// Saves a draft line's new quantity (zero removes the line).
    pub(crate) fn save_po_line(&mut self, code: &str, line: i64, typed: &str) -> Result<()> {
        let quantity = crate::domain::stock::stock_quantity(typed).map_err(|problem| {
            crate::error::Error::Invalid(vec![crate::domain::fields::FieldError { field: "quantity", problem }])
        })?;
        let (po, _) = purchasing::get(&self.session, code)?;
        purchasing::set_line_quantity(&mut self.session, &po, line, quantity)?;
        self.show_order(code)
    }
}

fn block<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title))
}

pub fn draw_plan(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let views = &app.stock.purchasing;
    let block = block(app, tf("plan.title", &[("count", &views.plan.len())]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if views.plan.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled(t("plan.empty"), theme.dim)), inner);
        return;
    }
    // The explanation takes three lines at 80 columns, two on wider screens.
    let why_rows = if inner.width < 100 { 3 } else { 2 };
    let [table_area, why_area] = Layout::vertical([Constraint::Min(3), Constraint::Length(why_rows)]).areas(inner);
    let wide = inner.width >= 110;
    let mut titles = vec![
        column_label("supplier"),
        column_label("sku"),
        column_label("name"),
        column_label("warehouse"),
        t("plan.per_week"),
        t("stock.available"),
        t("plan.order"),
    ];
    let mut fixed = vec![8, 10, 0, 9, 8, 9, 8];
    if wide {
        titles.push(t("plan.value"));
        fixed.push(11);
    }
    let widths = table::widths(&fixed, usize::from(table_area.width));
    let rows = views
        .plan
        .iter()
        .map(|r| {
            let f = &r.figures;
            let suggested = f.suggested.unwrap_or_default();
            let mut cells = vec![
                r.supplier.clone(),
                r.sku.clone(),
                r.name.clone(),
                r.warehouse.clone(),
                qty(f.weekly_forecast),
                qty(f.position),
                qty(suggested),
            ];
            if wide {
                cells.push(r.unit_cost.times(suggested).to_string());
            }
            cells
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), table_area, views.plan_selected);
    // The figures behind the highlighted line, in words.
    if let Some(r) = views.plan.get(views.plan_selected) {
        let f = &r.figures;
        let why = tf(
            "plan.why",
            &[
                ("forecast", &qty(f.weekly_forecast)),
                ("season", &f.season),
                ("lead", &r.lead_days),
                ("demand", &qty(f.demand_over_lead)),
                ("safety", &qty(f.safety)),
                ("point", &qty(r.reorder_point)),
                ("target", &qty(f.target)),
                ("position", &qty(f.position)),
                ("min", &qty(r.reorder_qty)),
                ("order", &qty(f.suggested.unwrap_or_default())),
            ],
        );
        frame.render_widget(
            Paragraph::new(crate::domain::text::display_safe(&why).into_owned())
                .style(theme.dim)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            why_area,
        );
    }
}

pub fn draw_orders(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let views = &app.stock.purchasing;
    let key = if views.include_closed { "po.list_all" } else { "po.list_open" };
    let block = block(app, tf(key, &[("count", &views.orders.len())]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if views.orders.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled(t("po.none"), theme.dim)), inner);
        return;
    }
    let titles = [
        t("po.code"),
        column_label("supplier"),
        column_label("name"),
        column_label("warehouse"),
        column_label("status"),
        t("stock.when"),
    ];
    let widths = table::widths(&[9, 8, 0, 9, 15, 16], usize::from(inner.width));
    let mut styles = Vec::new();
    let rows = views
        .orders
        .iter()
        .map(|o| {
            styles.push(if o.status.is_open() || o.status == PoStatus::Draft { Style::new() } else { theme.archived });
            vec![
                o.code.clone(),
                o.supplier.clone(),
                o.supplier_name.clone(),
                o.warehouse.clone(),
                status_label(o.status).to_string(),
                crate::tui::format::local_time(&o.created_at),
            ]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, styles, &widths), inner, views.orders_selected);
}

pub fn draw_order(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let views = &app.stock.purchasing;
    let Some((po, lines)) = &views.order else { return };
    let title =
        tf("po.title", &[("code", &po.code), ("supplier", &po.supplier_name), ("status", &status_label(po.status))]);
    let block = block(app, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [head, table_area, keys] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(2), Constraint::Length(1)]).areas(inner);
    let head_text = vec![
        Line::raw(tf(
            "po.head",
            &[
                ("warehouse", &po.warehouse),
                ("by", &po.created_by),
                ("when", &crate::tui::format::local_time(&po.created_at)),
            ],
        )),
        Line::styled(tf("po.total", &[("value", &purchasing::value(lines))]), theme.header),
    ];
    frame.render_widget(Paragraph::new(head_text), head);
    let titles = [
        column_label("sku"),
        column_label("name"),
        t("po.ordered"),
        t("po.received_col"),
        column_label("unit_cost"),
        t("plan.value"),
    ];
    let widths = table::widths(&[10, 0, 9, 9, 10, 11], usize::from(table_area.width));
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                l.sku.clone(),
                l.name.clone(),
                qty(l.quantity),
                qty(l.received),
                price(l.unit_cost),
                l.unit_cost.times(l.quantity).to_string(),
            ]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), table_area, views.line_selected);
    let hint = match po.status {
        PoStatus::Draft => t("po.keys_draft"),
        PoStatus::Sent | PoStatus::PartlyReceived => t("po.keys_open"),
        _ => t("po.keys_closed"),
    };
    frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim)), keys);
}

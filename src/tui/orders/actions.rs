//! What each key does on the Orders tab. Every change goes through `ops`; this only moves
//! between screens and hands typed text over.

use ratatui::crossterm::event::Event;
use strum::IntoEnumIterator;
use tui_input::backend::crossterm::EventHandler;

use super::entry::Entry;
use super::{Back, FormKind, OrderForm, OrderScreen};
use crate::db::orders::OrderView;
use crate::domain::ids::CustomerId;
use crate::domain::order::Step;
use crate::error::Result;
use crate::i18n::{column_label, t, tf};
use crate::ops::order_entry::OrderDraft;
use crate::ops::orders::{self, Confirmation};
use crate::tui::action::Action;
use crate::tui::app::{App, Flash, Tab};
use crate::tui::form::{Form, FormField};
use crate::tui::keymap::Context;
use crate::tui::overlay::Pending;

impl App {
    pub(crate) fn orders_context(&self) -> Context {
        match &self.orders.screen {
            OrderScreen::List if self.orders.filtering => Context::Filter,
            OrderScreen::List => Context::SalesOrders,
            OrderScreen::Order(_) => Context::SalesOrder,
            OrderScreen::Entry(_) => Context::OrderEntry,
            OrderScreen::Form(_) => Context::Form,
            OrderScreen::Note(_) => Context::DeliveryNote,
        }
    }

    /// Shows the Orders tab, loading its list the first time.
    pub(crate) fn enter_orders(&mut self) -> Result<()> {
        if self.orders.list.rows.is_empty() {
            self.orders.list.source.query.today = self.session.clock.today().to_string();
            self.orders.list.capacity = crate::tui::view::list_capacity(self.size.1);
            self.orders.list.reset(&self.session)?;
        }
        Ok(())
    }

    /// Re-reads what the Orders tab shows (after a write here or in another session); an
    /// order being typed is left alone.
    pub(crate) fn refresh_orders(&mut self) -> Result<()> {
        if !self.orders.list.rows.is_empty() || self.tab == Tab::Orders {
            self.orders.list.reload(&self.session)?;
        }
        if let OrderScreen::Order(detail) = &self.orders.screen {
            let id = detail.order.id;
            self.show_sales_order(id)?;
        }
        Ok(())
    }

    pub(crate) fn orders_dispatch(&mut self, context: Context, action: Action) -> Result<()> {
        match context {
            Context::Filter => match action {
                Action::Accept => self.orders.filtering = false,
                Action::Back => {
                    self.orders.filtering = false;
                    self.orders.filter_input.reset();
                    self.requery_orders()?;
                }
                _ => {}
            },
            Context::SalesOrders => self.sales_orders_action(action)?,
            Context::SalesOrder => self.sales_order_action(action)?,
            Context::OrderEntry => self.entry_action(action)?,
            Context::Form => self.order_form_action(action)?,
            Context::DeliveryNote => self.note_action(action)?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn orders_type_text(&mut self, context: Context, event: &Event) {
        match (context, &mut self.orders.screen) {
            (Context::Filter, _) if self.orders.filter_input.handle_event(event).is_some_and(|c| c.value) => {
                let result = self.requery_orders();
                self.report(result);
            }
            (Context::Form, OrderScreen::Form(form)) => {
                if let Some(input) = form.form.focused_input()
                    && input.handle_event(event).is_some_and(|c| c.value)
                {
                    form.form.message = None;
                }
            }
            (Context::OrderEntry, OrderScreen::Entry(entry)) => entry.type_event(event),
            _ => {}
        }
    }

    pub(crate) fn requery_orders(&mut self) -> Result<()> {
        let typed = self.orders.filter_input.value().to_string();
        // While a word is half typed (`status:shi`) the list keeps its last good filter.
        match orders::parse_filter(&typed, &mut self.orders.list.source.query) {
            Ok(()) => self.orders.list.reset(&self.session),
            Err(why) => {
                self.flash = Some(Flash::Error(why));
                Ok(())
            }
        }
    }

    fn set_view(&mut self, step: isize) -> Result<()> {
        let views: Vec<OrderView> = OrderView::iter().collect();
        let at = views.iter().position(|v| *v == self.orders.view()).unwrap_or(0) as isize;
        let query = &mut self.orders.list.source.query;
        query.view = views[((at + step).rem_euclid(views.len() as isize)) as usize];
        query.today = self.session.clock.today().to_string();
        self.orders.list.reset(&self.session)
    }

    fn sales_orders_action(&mut self, action: Action) -> Result<()> {
        if self.orders.list.navigate(&self.session, action)? {
            return Ok(());
        }
        match action {
            Action::Open => {
                if let Some(row) = self.orders.list.selected_row() {
                    let id = row.id;
                    self.orders.order_back = Back::List;
                    self.show_sales_order(id)?;
                }
            }
            Action::New => self.start_order(None)?,
            Action::Filter => self.orders.filtering = true,
            Action::NextView => self.set_view(1)?,
            Action::PrevView => self.set_view(-1)?,
            Action::CopyOrder => {
                if let Some(row) = self.orders.list.selected_row() {
                    let draft = orders::copy(&self.session, row.id)?;
                    self.open_entry(draft, Back::List);
                }
            }
            Action::Back if !self.orders.filter_input.value().is_empty() => {
                self.orders.filter_input.reset();
                self.requery_orders()?;
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn show_sales_order(&mut self, id: i64) -> Result<()> {
        let detail = orders::detail(&self.session, id)?;
        let shipments = detail.shipments.len();
        if self.orders.shipment >= shipments {
            // The newest shipment is usually the one to act on.
            self.orders.shipment = shipments.saturating_sub(1);
        }
        if !matches!(&self.orders.screen, OrderScreen::Order(d) if d.order.id == id) {
            self.orders.shipment =
                detail.shipments.iter().position(|s| s.status == "open").unwrap_or(shipments.saturating_sub(1));
        }
        self.orders.screen = OrderScreen::Order(Box::new(detail));
        Ok(())
    }

    /// Starts a new order: for `customer` when given (from their screen), else asking who.
    pub(crate) fn start_order(&mut self, customer: Option<CustomerId>) -> Result<()> {
        if matches!(self.orders.screen, OrderScreen::Entry(_)) && self.tab == Tab::Orders {
            return Ok(());
        }
        let mut draft = OrderDraft::new(&self.session)?;
        let back = match customer {
            Some(id) => {
                let customer = crate::ops::customers::get(&self.session, id)?;
                draft.set_customer(&self.session, customer)?;
                Back::Customer(id.0)
            }
            None if self.tab != Tab::Orders => Back::Tab(self.tab),
            None => Back::List,
        };
        self.tab = Tab::Orders;
        self.open_entry(draft, back);
        Ok(())
    }

    /// "Repeat": the customer's latest order as a new draft.
    pub(crate) fn repeat_order(&mut self, customer: CustomerId) -> Result<()> {
        match orders::repeat_last(&self.session, customer.0)? {
            Some(draft) => {
                self.tab = Tab::Orders;
                self.open_entry(draft, Back::Customer(customer.0));
            }
            None => self.flash = Some(Flash::Info(t("entry.nothing_to_repeat").to_string())),
        }
        Ok(())
    }

    fn open_entry(&mut self, draft: OrderDraft, back: Back) {
        self.orders.entry_back = back;
        let entry = Entry::new(&self.session, draft);
        self.orders.screen = OrderScreen::Entry(Box::new(entry));
    }

    /// The lines of a shipment as the order screen shows them.
    fn shipment_lines(&self, number: &str) -> Vec<(i64, crate::domain::money::Quantity)> {
        let OrderScreen::Order(detail) = &self.orders.screen else { return Vec::new() };
        detail
            .shipments
            .iter()
            .find(|s| s.number == number)
            .map(|s| s.lines.iter().map(|l| (l.order_line, l.quantity)).collect())
            .unwrap_or_default()
    }

    fn selected_shipment(&self) -> Option<(i64, String, String)> {
        let OrderScreen::Order(detail) = &self.orders.screen else { return None };
        detail.shipments.get(self.orders.shipment).map(|s| (detail.order.id, s.number.clone(), s.status.clone()))
    }

    fn sales_order_action(&mut self, action: Action) -> Result<()> {
        let OrderScreen::Order(detail) = &self.orders.screen else { return Ok(()) };
        let order = detail.order.clone();
        let shipments = detail.shipments.len();
        match action {
            Action::Back => self.leave_order(order.id)?,
            Action::Down => self.orders.shipment = (self.orders.shipment + 1).min(shipments.saturating_sub(1)),
            Action::Up => self.orders.shipment = self.orders.shipment.saturating_sub(1),
            Action::Edit => {
                let draft = orders::edit_draft(&self.session, order.id)?;
                self.open_entry(draft, Back::Order(order.id));
            }
            Action::ConfirmOrder => {
                let done = orders::confirm(&mut self.session, order.id, order.version)?;
                self.show_confirmation(&done);
                self.show_sales_order(order.id)?;
            }
            Action::Approve => {
                let done = orders::approve(&mut self.session, order.id, order.version)?;
                self.show_confirmation(&done);
                self.show_sales_order(order.id)?;
            }
            // Asked only where the step is possible: a closed order never asks why.
            Action::Reject => {
                order.status.check(Step::Reject).map_err(|why| orders::refusal(&order.number, why))?;
                self.open_order_form(FormKind::Reject, order.id, order.version)
            }
            Action::CancelOrder => {
                order.status.check(Step::Cancel).map_err(|why| orders::refusal(&order.number, why))?;
                self.open_order_form(FormKind::Cancel, order.id, order.version)
            }
            Action::Ship => {
                order.status.check(Step::Ship).map_err(|why| orders::refusal(&order.number, why))?;
                match self.selected_shipment() {
                    Some((_, number, status)) if status == "open" => {
                        let seen = self.shipment_lines(&number);
                        self.open_order_form(FormKind::Ship(number, seen), order.id, order.version)
                    }
                    _ => self.flash = Some(Flash::Error(t("entry.no_open_shipment").to_string())),
                }
            }
            Action::Deliver => match self.selected_shipment() {
                Some((_, number, status)) if status == "shipped" => {
                    self.open_order_form(FormKind::Deliver(number), order.id, order.version)
                }
                _ => self.flash = Some(Flash::Error(t("entry.no_shipped_shipment").to_string())),
            },
            Action::Allocate => {
                let waiting = orders::allocate(&mut self.session, order.id)?;
                self.flash = Some(Flash::Info(waiting_text(&waiting)));
                self.show_sales_order(order.id)?;
            }
            Action::Close => {
                orders::close(&mut self.session, order.id, order.version)?;
                self.flash = Some(Flash::Info(tf("entry.closed", &[("number", &order.number)])));
                self.show_sales_order(order.id)?;
            }
            Action::CopyOrder => {
                let draft = orders::copy(&self.session, order.id)?;
                self.open_entry(draft, Back::Order(order.id));
            }
            Action::InvoiceOrder => self.invoice_order(&order.number)?,
            Action::DeliveryNote => match self.selected_shipment() {
                Some((_, number, _)) => {
                    let text = crate::ops::order_docs::delivery_note(&self.session, &number)?;
                    self.orders.screen = OrderScreen::Note(Box::new((number, text)));
                }
                None => self.flash = Some(Flash::Error(t("entry.no_shipment").to_string())),
            },
            _ => {}
        }
        Ok(())
    }

    fn leave_order(&mut self, id: i64) -> Result<()> {
        match self.orders.order_back {
            Back::Customer(customer) => {
                self.orders.screen = OrderScreen::List;
                self.tab = Tab::Customers;
                let customer = crate::ops::customers::get(&self.session, CustomerId(customer))?;
                self.show_detail(customer)?;
            }
            _ => {
                self.orders.screen = OrderScreen::List;
                self.orders.list.show(&self.session, id)?;
            }
        }
        Ok(())
    }

    fn show_confirmation(&mut self, done: &Confirmation) {
        let number = &done.order.number;
        let invoiced = orders::invoiced_suffix(&done.invoice);
        self.flash = Some(if !done.needs_approval.is_empty() {
            let why: Vec<String> = done.needs_approval.iter().map(orders::describe_reason).collect();
            Flash::Info(tf("entry.sent_for_approval", &[("number", number), ("why", &why.join("; "))]))
        } else if !done.approved_past.is_empty() {
            let why: Vec<String> = done.approved_past.iter().map(orders::describe_reason).collect();
            Flash::Error(tf("entry.confirmed_as_manager", &[("number", number), ("why", &why.join("; "))]) + &invoiced)
        } else if done.waiting.is_empty() {
            Flash::Info(tf("entry.confirmed", &[("number", number)]) + &invoiced)
        } else {
            Flash::Error(
                tf("entry.confirmed_waiting", &[("number", number), ("waiting", &waiting_text(&done.waiting))])
                    + &invoiced,
            )
        });
    }

    fn open_order_form(&mut self, kind: FormKind, order: i64, version: i64) {
        let field = |column: &'static str, value: &str| FormField::new(column, column_label(column), value);
        let (title, fields) = match &kind {
            FormKind::Cancel => (t("entry.cancel_title").to_string(), vec![field("reason", "").required()]),
            FormKind::Reject => (t("entry.reject_title").to_string(), vec![field("reason", "").required()]),
            FormKind::Ship(number, _) => {
                (tf("entry.ship_title", &[("shipment", number)]), vec![field("carrier", ""), field("tracking", "")])
            }
            FormKind::Deliver(number) => (
                tf("entry.deliver_title", &[("shipment", number)]),
                vec![field("delivered_on", &self.session.clock.today().to_string()).required()],
            ),
        };
        let form = Form::new(title, fields);
        self.orders.screen = OrderScreen::Form(Box::new(OrderForm { kind, form, order, version }));
    }

    fn order_form_action(&mut self, action: Action) -> Result<()> {
        let OrderScreen::Form(form) = &mut self.orders.screen else { return Ok(()) };
        // A one-field form is done when Enter leaves the field.
        let action = if action == Action::NextField && form.form.fields.len() == 1 { Action::Save } else { action };
        match action {
            Action::NextField => form.form.next_field(),
            Action::PrevField => form.form.prev_field(),
            Action::Back => {
                let order = form.order;
                self.show_sales_order(order)?;
            }
            Action::Save => return self.save_order_form(),
            _ => {}
        }
        Ok(())
    }

    fn save_order_form(&mut self) -> Result<()> {
        let OrderScreen::Form(form) = &mut self.orders.screen else { return Ok(()) };
        let id = form.order;
        // As it was when the form opened: a change by someone else meanwhile is refused.
        let version = form.version;
        let result = match &form.kind {
            FormKind::Cancel => orders::cancel(&mut self.session, id, version, form.form.value("reason"))
                .map(|o| tf("entry.cancelled", &[("number", &o.number)])),
            FormKind::Reject => orders::reject(&mut self.session, id, version, form.form.value("reason"))
                .map(|o| tf("entry.rejected", &[("number", &o.number)])),
            FormKind::Ship(number, seen) => {
                let (number, seen) = (number.clone(), seen.clone());
                let (carrier, tracking) = (form.form.value("carrier"), form.form.value("tracking"));
                orders::ship_as_seen(&mut self.session, &number, carrier, tracking, Some(&seen)).map(|done| {
                    let status = orders::status_label(done.order.status);
                    let said = tf("entry.shipped", &[("shipment", &number), ("status", &status)]);
                    said + &orders::invoiced_suffix(&done.invoice)
                })
            }
            FormKind::Deliver(number) => {
                let number = number.clone();
                match crate::domain::fields::parse_date(form.form.value("delivered_on")) {
                    Ok(Some(date)) => orders::deliver(&mut self.session, &number, date)
                        .map(|_| tf("entry.delivered", &[("shipment", &number), ("date", &date)])),
                    Ok(None) | Err(_) => Err(crate::error::Error::Invalid(vec![crate::domain::fields::FieldError {
                        field: "delivered_on",
                        problem: crate::domain::fields::Problem::InvalidDate,
                    }])),
                }
            }
        };
        match result {
            Ok(text) => {
                self.show_sales_order(id)?;
                self.flash = Some(Flash::Info(text));
            }
            Err(crate::error::Error::Invalid(errors)) => {
                if let OrderScreen::Form(form) = &mut self.orders.screen {
                    form.form.show_errors(errors);
                }
                self.flash = Some(Flash::Error(t("flash.fix_fields").to_string()));
            }
            Err(e) => {
                if let OrderScreen::Form(form) = &mut self.orders.screen {
                    form.form.message = Some(e.to_string());
                }
                return Err(e);
            }
        }
        Ok(())
    }

    fn note_action(&mut self, action: Action) -> Result<()> {
        let OrderScreen::Note(note) = &self.orders.screen else { return Ok(()) };
        let number = note.0.clone();
        match action {
            Action::Back => {
                let order = crate::ops::order_docs::order_of_shipment(&self.session, &number)?;
                self.show_sales_order(order)?;
            }
            Action::Save => {
                let written = crate::ops::order_docs::write_delivery_note(&self.session, &number, None)?;
                let paths: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
                self.flash = Some(Flash::Info(tf("entry.note_written", &[("paths", &paths.join(", "))])));
            }
            _ => {}
        }
        Ok(())
    }

    fn entry_action(&mut self, action: Action) -> Result<()> {
        let OrderScreen::Entry(entry) = &mut self.orders.screen else { return Ok(()) };
        match action {
            Action::Accept if entry.has_choices() => entry.pick(&mut self.session)?,
            Action::Accept => entry.enter(&mut self.session)?,
            Action::NextField => entry.next_field(1),
            Action::PrevField => entry.next_field(-1),
            Action::Down => entry.move_selection(true),
            Action::Up => entry.move_selection(false),
            Action::RemoveLine => entry.remove_selected(),
            Action::Save => return self.save_entry(false),
            // A confirmed order being changed is saved; there is nothing more to confirm.
            Action::ConfirmOrder => {
                let draft =
                    entry.draft.editing.as_ref().is_none_or(|e| e.status == crate::domain::order::OrderStatus::Draft);
                return self.save_entry(draft);
            }
            Action::Back if entry.escape() => {}
            Action::Back if entry.is_dirty() => self.ask(t("confirm.discard").to_string(), Pending::DiscardForm),
            Action::Back => self.leave_entry()?,
            _ => {}
        }
        Ok(())
    }

    fn save_entry(&mut self, confirm: bool) -> Result<()> {
        let OrderScreen::Entry(entry) = &mut self.orders.screen else { return Ok(()) };
        let draft = entry.finished().clone();
        let saved = if confirm {
            orders::save_and_confirm(&mut self.session, &draft).map(|done| {
                self.show_confirmation(&done);
                done.order
            })
        } else {
            orders::save(&mut self.session, &draft).inspect(|order| {
                self.flash = Some(Flash::Info(tf(
                    "entry.saved",
                    &[("number", &order.number), ("status", &orders::status_label(order.status))],
                )));
            })
        };
        match saved {
            Ok(order) => {
                self.screen_changed_under_typing();
                self.orders.order_back = match self.orders.entry_back {
                    Back::Customer(id) => Back::Customer(id),
                    _ => Back::List,
                };
                self.orders.list.source.query.today = self.session.clock.today().to_string();
                self.orders.list.reset(&self.session)?;
                self.show_sales_order(order.id)
            }
            Err(e) => {
                if let OrderScreen::Entry(entry) = &mut self.orders.screen {
                    entry.message = Some((false, e.to_string()));
                }
                Err(e)
            }
        }
    }

    pub(crate) fn leave_entry(&mut self) -> Result<()> {
        match self.orders.entry_back {
            Back::List => {
                self.orders.screen = OrderScreen::List;
                self.enter_orders()?;
            }
            Back::Tab(tab) => {
                self.orders.screen = OrderScreen::List;
                self.tab = tab;
            }
            Back::Order(id) => self.show_sales_order(id)?,
            Back::Customer(id) => {
                self.orders.screen = OrderScreen::List;
                self.tab = Tab::Customers;
                let customer = crate::ops::customers::get(&self.session, CustomerId(id))?;
                self.show_detail(customer)?;
            }
        }
        Ok(())
    }

    pub(crate) fn orders_dirty(&self) -> bool {
        match &self.orders.screen {
            OrderScreen::Entry(entry) => entry.is_dirty(),
            OrderScreen::Form(form) => form.form.is_dirty(),
            _ => false,
        }
    }
}

/// "PEN x 2, INK x 1 wait for stock", or that nothing waits.
fn waiting_text(waiting: &[(String, crate::domain::money::Quantity)]) -> String {
    if waiting.is_empty() {
        return t("entry.nothing_waits").to_string();
    }
    let items: Vec<String> = waiting.iter().map(|(sku, q)| format!("{sku} x {}", q.value().normalize())).collect();
    tf("entry.waiting", &[("items", &items.join(", "))])
}

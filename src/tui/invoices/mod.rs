//! The Invoices tab: every invoice and draft, newest first, and one invoice with its lines,
//! tax per rate and totals. A draft is issued (numbered, never changed again) or deleted;
//! an invoice is written as PDF and text.

pub mod view;

use crate::db::invoices::{Invoice, InvoiceView};
use crate::db::paging::{Anchor, Key};
use crate::error::Result;
use crate::i18n::tf;
use crate::ops::Session;
use crate::ops::invoices::{self, Basis, InvoiceDetail};
use crate::tui::action::Action;
use crate::tui::app::{App, Flash, Tab};
use crate::tui::keymap::Context;
use crate::tui::paged::{PageSource, Paged};

#[derive(Debug, Default)]
pub struct InvoiceSource {
    pub view: InvoiceView,
}

impl PageSource for InvoiceSource {
    type Row = Invoice;

    fn key(row: &Invoice) -> Key {
        Key { value: String::new(), id: row.id }
    }

    fn window(&self, session: &Session, anchor: &Anchor, limit: usize) -> Result<Vec<Invoice>> {
        invoices::window(session, self.view, anchor, limit)
    }

    fn count(&self, session: &Session) -> Result<usize> {
        invoices::count(session, self.view)
    }

    fn position(&self, session: &Session, key: &Key) -> Result<usize> {
        invoices::position(session, self.view, key.id)
    }

    fn key_of(&self, _session: &Session, id: i64) -> Result<Option<Key>> {
        Ok(Some(Key { value: String::new(), id }))
    }
}

#[derive(Debug)]
pub enum InvoiceScreen {
    List,
    Invoice(Box<InvoiceDetail>),
    /// Recording a payment against the invoice shown before.
    Payment(Box<(InvoiceDetail, crate::tui::form::Form)>),
}

pub struct InvoicesTab {
    pub screen: InvoiceScreen,
    pub list: Paged<InvoiceSource>,
    /// Where the open invoice stands and what is paid of it (issued invoices).
    pub standing: Option<(crate::domain::payment::Standing, crate::domain::money::Money)>,
}

impl InvoicesTab {
    pub fn new() -> InvoicesTab {
        InvoicesTab { screen: InvoiceScreen::List, list: Paged::new(InvoiceSource::default()), standing: None }
    }
}

impl Default for InvoicesTab {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    pub(crate) fn invoices_context(&self) -> Context {
        match &self.invoices.screen {
            InvoiceScreen::List => Context::Invoices,
            InvoiceScreen::Invoice(_) => Context::Invoice,
            InvoiceScreen::Payment(_) => Context::Form,
        }
    }

    pub(crate) fn enter_invoices(&mut self) -> Result<()> {
        self.invoices.list.capacity = crate::tui::view::list_capacity(self.size.1);
        self.invoices.list.reset(&self.session)
    }

    pub(crate) fn refresh_invoices(&mut self) -> Result<()> {
        if !self.invoices.list.rows.is_empty() || self.tab == Tab::Invoices {
            self.invoices.list.reload(&self.session)?;
        }
        if let InvoiceScreen::Invoice(detail) = &self.invoices.screen {
            let id = detail.invoice.id;
            self.show_invoice(id)?;
        }
        Ok(())
    }

    pub(crate) fn show_invoice(&mut self, id: i64) -> Result<()> {
        let detail = invoices::find(&self.session, &id.to_string())?;
        self.invoices.standing = if detail.invoice.issued {
            Some(crate::ops::payments::standing_of(&self.session, &detail.invoice)?)
        } else {
            None
        };
        self.invoices.screen = InvoiceScreen::Invoice(Box::new(detail));
        Ok(())
    }

    /// `i` on an order: a draft invoice of what has shipped and is not invoiced yet.
    pub(crate) fn invoice_order(&mut self, number: &str) -> Result<()> {
        let draft = invoices::draft_from_orders(&mut self.session, &[number.to_string()], Basis::Shipped)?;
        self.tab = Tab::Invoices;
        self.enter_invoices()?;
        self.show_invoice(draft.invoice.id)?;
        self.flash = Some(Flash::Info(tf("invoice.drafted_here", &[("id", &draft.invoice.id)])));
        Ok(())
    }

    pub(crate) fn invoices_dispatch(&mut self, context: Context, action: Action) -> Result<()> {
        match context {
            Context::Invoices => {
                if self.invoices.list.navigate(&self.session, action)? {
                    return Ok(());
                }
                if action == Action::Open
                    && let Some(row) = self.invoices.list.selected_row()
                {
                    let id = row.id;
                    self.show_invoice(id)?;
                }
            }
            Context::Invoice => {
                let InvoiceScreen::Invoice(detail) = &self.invoices.screen else { return Ok(()) };
                let invoice = detail.invoice.clone();
                match action {
                    Action::Back => {
                        self.invoices.screen = InvoiceScreen::List;
                        self.invoices.list.show(&self.session, invoice.id)?;
                    }
                    Action::IssueInvoice => {
                        let issued = invoices::issue(&mut self.session, invoice.id, invoice.version)?;
                        let number = issued.invoice.number.clone().unwrap_or_default();
                        self.flash = Some(Flash::Info(tf(
                            "invoice.issued",
                            &[("number", &number), ("gross", &issued.invoice.gross), ("due", &issued.invoice.due_date)],
                        )));
                        let id = issued.invoice.id;
                        self.show_invoice(id)?;
                        self.invoices.list.reload(&self.session)?;
                    }
                    Action::Delete => {
                        invoices::delete_draft(&mut self.session, invoice.id)?;
                        self.invoices.screen = InvoiceScreen::List;
                        self.invoices.list.reload(&self.session)?;
                        self.flash = Some(Flash::Info(tf("invoice.deleted", &[("id", &invoice.id)])));
                    }
                    Action::RecordPayment if invoice.issued => {
                        let open =
                            self.invoices.standing.map(|(_, paid)| invoice.gross - paid).unwrap_or(invoice.gross);
                        let field = |c: &'static str, v: &str| {
                            crate::tui::form::FormField::new(c, crate::i18n::column_label(c), v)
                        };
                        let methods = crate::domain::payment::Method::all().join(", ");
                        let form = crate::tui::form::Form::new(
                            tf("payment.form_title", &[("number", &invoice.number.clone().unwrap_or_default())]),
                            vec![
                                field("amount", &open.to_string()).required(),
                                field("method", "bank_transfer").hint(methods),
                                field("reference", ""),
                            ],
                        );
                        self.invoices.screen = InvoiceScreen::Payment(Box::new((detail.as_ref().clone(), form)));
                    }
                    Action::Save => {
                        let written = crate::ops::invoice_docs::write_files(&self.session, detail, None)?;
                        let paths: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
                        self.flash = Some(Flash::Info(tf("entry.note_written", &[("paths", &paths.join(", "))])));
                    }
                    _ => {}
                }
            }
            Context::Form => self.payment_form_action(action)?,
            _ => {}
        }
        Ok(())
    }

    fn payment_form_action(&mut self, action: Action) -> Result<()> {
        let InvoiceScreen::Payment(payment) = &mut self.invoices.screen else { return Ok(()) };
        let (detail, form) = payment.as_mut();
        let id = detail.invoice.id;
        match action {
            Action::NextField => form.next_field(),
            Action::PrevField => form.prev_field(),
            Action::Back => self.show_invoice(id)?,
            Action::Save => {
                use crate::domain::fields::FieldError;
                let amount = crate::domain::payment::amount(form.value("amount"));
                let method = crate::domain::payment::Method::parse(form.value("method"));
                let (amount, method) = match (amount, method) {
                    (Ok(a), Ok(m)) => (a, m),
                    (a, m) => {
                        let mut errors = Vec::new();
                        if let Err(problem) = a {
                            errors.push(FieldError { field: "amount", problem });
                        }
                        if let Err(problem) = m {
                            errors.push(FieldError { field: "method", problem });
                        }
                        form.show_errors(errors);
                        return Ok(());
                    }
                };
                let number = detail.invoice.number.clone().unwrap_or_default();
                let customer = detail.invoice.customer_code.clone();
                let reference = form.value("reference").to_string();
                let today = self.session.clock.today();
                let receipt = crate::ops::payments::record(
                    &mut self.session,
                    &customer,
                    method,
                    amount,
                    today,
                    &reference,
                    &[number],
                )?;
                let settled = crate::ops::payments::describe_settled(&receipt.settled);
                self.show_invoice(id)?;
                self.flash = Some(Flash::Info(tf(
                    "payment.recorded",
                    &[("number", &receipt.number), ("settled", &settled), ("credit", &receipt.credit)],
                )));
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn invoices_type_text(&mut self, event: &ratatui::crossterm::event::Event) {
        use tui_input::backend::crossterm::EventHandler;
        if let InvoiceScreen::Payment(payment) = &mut self.invoices.screen
            && let Some(input) = payment.1.focused_input()
        {
            input.handle_event(event);
        }
    }
}

//! The Invoices tab: every invoice and draft, newest first, and one invoice with its lines,
//! tax per rate and totals. A draft is issued (numbered, never changed again) or deleted;
//! an invoice is written as PDF and text.

pub mod view;

use crate::db::invoices::Invoice;
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
pub struct InvoiceSource;

impl PageSource for InvoiceSource {
    type Row = Invoice;

    fn key(row: &Invoice) -> Key {
        Key { value: String::new(), id: row.id }
    }

    fn window(&self, session: &Session, anchor: &Anchor, limit: usize) -> Result<Vec<Invoice>> {
        crate::db::invoices::window(session.db.conn(), anchor, limit)
    }

    fn count(&self, session: &Session) -> Result<usize> {
        crate::db::invoices::count(session.db.conn())
    }

    fn position(&self, session: &Session, key: &Key) -> Result<usize> {
        crate::db::invoices::position(session.db.conn(), key.id)
    }

    fn key_of(&self, _session: &Session, id: i64) -> Result<Option<Key>> {
        Ok(Some(Key { value: String::new(), id }))
    }
}

#[derive(Debug)]
pub enum InvoiceScreen {
    List,
    Invoice(Box<InvoiceDetail>),
}

pub struct InvoicesTab {
    pub screen: InvoiceScreen,
    pub list: Paged<InvoiceSource>,
    /// Where the open invoice stands and what is paid of it (issued invoices).
    pub standing: Option<(crate::domain::payment::Standing, crate::domain::money::Money)>,
}

impl InvoicesTab {
    pub fn new() -> InvoicesTab {
        InvoicesTab { screen: InvoiceScreen::List, list: Paged::new(InvoiceSource), standing: None }
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
                    Action::Save => {
                        let written = crate::ops::invoice_docs::write_files(&self.session, detail, None)?;
                        let paths: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
                        self.flash = Some(Flash::Info(tf("entry.note_written", &[("paths", &paths.join(", "))])));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(())
    }
}

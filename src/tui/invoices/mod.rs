//! The Invoices tab: every invoice and draft, newest first (or only drafts, unpaid,
//! overdue, credit notes), one invoice with its lines, tax per rate and totals, and the
//! finance reports. A draft is issued (numbered, never changed again) or deleted; an
//! invoice is paid, credited, and written as PDF and text.

pub mod finance;
mod forms;
pub mod view;

use crate::db::invoices::{Invoice, InvoiceView};
use crate::db::paging::{Anchor, Key};
use crate::domain::payment::Standing;
use crate::error::Result;
use crate::i18n::{t, tf};
use crate::ops::Session;
use crate::ops::invoices::{self, Basis, InvoiceDetail};
use crate::tui::action::Action;
use crate::tui::app::{App, Flash, Tab};
use crate::tui::keymap::Context;
use crate::tui::paged::{PageSource, Paged};
use finance::{FinanceReport, ReportScreen};
pub use forms::{FormKind, FormScreen};

/// A row of the list: the invoice and, once issued, where it stands.
#[derive(Debug, Clone)]
pub struct InvoiceRow {
    pub invoice: Invoice,
    pub standing: Option<Standing>,
}

#[derive(Debug, Default)]
pub struct InvoiceSource {
    pub view: InvoiceView,
}

impl PageSource for InvoiceSource {
    type Row = InvoiceRow;

    fn key(row: &InvoiceRow) -> Key {
        Key { value: String::new(), id: row.invoice.id }
    }

    fn window(&self, session: &Session, anchor: &Anchor, limit: usize) -> Result<Vec<InvoiceRow>> {
        invoices::window(session, self.view, anchor, limit)?
            .into_iter()
            .map(|invoice| {
                let standing = if invoice.issued && !invoice.credit_note {
                    Some(crate::ops::payments::standing_of(session, &invoice)?.0)
                } else {
                    None
                };
                Ok(InvoiceRow { invoice, standing })
            })
            .collect()
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
    /// A small form (payment, credit note, period...) over the screen it came from.
    Form(Box<FormScreen>),
    Report(Box<ReportScreen>),
}

pub struct InvoicesTab {
    pub screen: InvoiceScreen,
    pub list: Paged<InvoiceSource>,
    /// Where the open invoice stands and what is paid of it (issued invoices).
    pub standing: Option<(Standing, crate::domain::money::Money)>,
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

/// The list's view in the current language.
pub fn view_label(view: InvoiceView) -> &'static str {
    match view {
        InvoiceView::All => t("invoice.view_all"),
        InvoiceView::Drafts => t("invoice.view_drafts"),
        InvoiceView::Unpaid => t("invoice.view_unpaid"),
        InvoiceView::Overdue => t("invoice.view_overdue"),
        InvoiceView::CreditNotes => t("invoice.view_credit_notes"),
    }
}

impl App {
    pub(crate) fn invoices_context(&self) -> Context {
        match &self.invoices.screen {
            InvoiceScreen::List => Context::Invoices,
            InvoiceScreen::Invoice(_) => Context::Invoice,
            InvoiceScreen::Form(_) => Context::Form,
            InvoiceScreen::Report(_) => Context::Finance,
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
        match &mut self.invoices.screen {
            InvoiceScreen::Invoice(detail) => {
                let id = detail.invoice.id;
                self.show_invoice(id)?;
            }
            // A finance report is re-read on request (Ctrl-R): a margin takes seconds on a
            // large shop, and would be blank and busy after every other clerk's write.
            InvoiceScreen::Report(_) | InvoiceScreen::List | InvoiceScreen::Form(_) => {}
        }
        Ok(())
    }

    pub(crate) fn show_invoice(&mut self, id: i64) -> Result<()> {
        let detail = invoices::find(&self.session, &id.to_string())?;
        self.invoices.standing = if detail.invoice.issued && !detail.invoice.credit_note {
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

    fn open_report(&mut self, report: FinanceReport) -> Result<()> {
        let mut screen = ReportScreen::new(&self.session, report);
        screen.load(&self.session)?;
        self.invoices.screen = InvoiceScreen::Report(Box::new(screen));
        Ok(())
    }

    fn set_invoice_view(&mut self, step: isize) -> Result<()> {
        let views = InvoiceView::all();
        let at = views.iter().position(|v| *v == self.invoices.list.source.view).unwrap_or(0) as isize;
        self.invoices.list.source.view = views[(at + step).rem_euclid(views.len() as isize) as usize];
        self.invoices.list.reset(&self.session)
    }

    pub(crate) fn invoices_dispatch(&mut self, context: Context, action: Action) -> Result<()> {
        match context {
            Context::Invoices => {
                if self.invoices.list.navigate(&self.session, action)? {
                    return Ok(());
                }
                match action {
                    Action::Open => {
                        if let Some(row) = self.invoices.list.selected_row() {
                            let id = row.invoice.id;
                            self.show_invoice(id)?;
                        }
                    }
                    Action::NextView => self.set_invoice_view(1)?,
                    Action::PrevView => self.set_invoice_view(-1)?,
                    Action::New => self.open_invoice_form(FormKind::InvoiceCustomer),
                    Action::ShowFinance => self.open_report(FinanceReport::Revenue)?,
                    Action::ShowRefunds => self.open_report(FinanceReport::RefundsWaiting)?,
                    _ => {}
                }
            }
            Context::Invoice => self.invoice_action(action)?,
            Context::Finance => self.report_action(action)?,
            Context::Form => self.invoice_form_action(action)?,
            _ => {}
        }
        Ok(())
    }

    fn invoice_action(&mut self, action: Action) -> Result<()> {
        let InvoiceScreen::Invoice(detail) = &self.invoices.screen else { return Ok(()) };
        let invoice = detail.invoice.clone();
        match action {
            Action::Back => {
                self.invoices.screen = InvoiceScreen::List;
                self.invoices.list.show(&self.session, invoice.id)?;
            }
            // A credit note may send the goods back to a warehouse: asked before issuing.
            Action::IssueInvoice if invoice.credit_note && !invoice.issued => {
                self.open_invoice_form(FormKind::IssueCredit(detail.as_ref().clone()))
            }
            Action::IssueInvoice => {
                let issued = invoices::issue(&mut self.session, invoice.id, invoice.version)?;
                self.after_issue(&issued)?;
            }
            Action::Delete => {
                invoices::delete_draft(&mut self.session, invoice.id)?;
                self.invoices.screen = InvoiceScreen::List;
                self.invoices.list.reload(&self.session)?;
                self.flash = Some(Flash::Info(tf("invoice.deleted", &[("id", &invoice.id)])));
            }
            Action::RecordPayment if invoice.issued && !invoice.credit_note => {
                let open = crate::ops::payments::owed(&self.session, invoice.id)?;
                self.open_invoice_form(FormKind::Payment(detail.as_ref().clone(), open))
            }
            Action::CreditNote if invoice.issued && !invoice.credit_note => {
                self.open_invoice_form(FormKind::Credit(detail.as_ref().clone()))
            }
            Action::CreditNote | Action::RecordPayment => {
                self.flash = Some(Flash::Error(t("invoice.only_issued_invoices").to_string()))
            }
            Action::Save => {
                let written = crate::ops::invoice_docs::write_files(&self.session, detail, None)?;
                let paths: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
                self.flash = Some(Flash::Info(tf("entry.note_written", &[("paths", &paths.join(", "))])));
            }
            _ => {}
        }
        Ok(())
    }

    fn after_issue(&mut self, issued: &InvoiceDetail) -> Result<()> {
        let number = issued.invoice.number.clone().unwrap_or_default();
        self.flash = Some(Flash::Info(tf(
            "invoice.issued",
            &[("number", &number), ("gross", &issued.invoice.gross), ("due", &issued.invoice.due_date)],
        )));
        self.show_invoice(issued.invoice.id)?;
        self.invoices.list.reload(&self.session)
    }

    fn report_action(&mut self, action: Action) -> Result<()> {
        let InvoiceScreen::Report(report) = &mut self.invoices.screen else { return Ok(()) };
        let page = crate::tui::view::list_capacity(self.size.1).max(1);
        let last = report.rows.len().saturating_sub(1);
        match action {
            Action::Export | Action::Approve | Action::Reject | Action::PayRefund if report.job.is_some() => {
                self.flash = Some(Flash::Error(crate::i18n::t("report.still_reading").to_string()));
            }
            Action::Export => {
                let today = self.session.clock.today();
                let stem = match report.report {
                    FinanceReport::Statement => format!("statement-{}-{today}", report.customer.trim()),
                    other => format!("{}-{today}", other.file_stem()),
                };
                let saved = crate::ops::csv_io::save_rows(&self.export_folder, &stem, &report.columns, &report.rows)?;
                self.flash = Some(Flash::Info(crate::i18n::tf("report.saved", &[("path", &saved.display())])));
            }
            Action::Down | Action::Up => {
                crate::tui::table::move_selection(&mut report.selected, report.rows.len(), action);
            }
            Action::PageDown => report.selected = (report.selected + page).min(last),
            Action::PageUp => report.selected = report.selected.saturating_sub(page),
            Action::First => report.selected = 0,
            Action::Last => report.selected = last,
            Action::NextView | Action::PrevView => {
                let all = FinanceReport::ALL;
                let at = all.iter().position(|r| *r == report.report).unwrap_or(0) as isize;
                let step = if action == Action::NextView { 1 } else { -1 };
                report.report = all[(at + step).rem_euclid(all.len() as isize) as usize];
                report.selected = 0;
                report.load(&self.session)?;
            }
            Action::Refresh => report.load(&self.session)?,
            Action::Filter => self.open_invoice_form(FormKind::Period),
            Action::New => self.open_invoice_form(FormKind::RefundRequest),
            Action::Approve | Action::Reject | Action::PayRefund => {
                let Some(number) = report.selected_refund() else {
                    self.flash = Some(Flash::Error(t("finance.choose_refund").to_string()));
                    return Ok(());
                };
                match action {
                    Action::Approve => {
                        let done = crate::ops::refunds::approve(&mut self.session, &number)?;
                        report.load(&self.session)?;
                        self.flash = Some(Flash::Info(tf(
                            "refund.decided",
                            &[("number", &done.number), ("status", &done.status)],
                        )));
                    }
                    Action::Reject => self.open_invoice_form(FormKind::RefundReject(number)),
                    _ => self.open_invoice_form(FormKind::RefundPay(number)),
                }
            }
            Action::Back => {
                self.invoices.screen = InvoiceScreen::List;
                self.invoices.list.reload(&self.session)?;
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn invoices_type_text(&mut self, event: &ratatui::crossterm::event::Event) {
        use tui_input::backend::crossterm::EventHandler;
        if let InvoiceScreen::Form(screen) = &mut self.invoices.screen
            && let Some(input) = screen.form.focused_input()
        {
            input.handle_event(event);
        }
    }
}

//! The small forms of the Invoices tab: a payment, a credit note (and where its goods go
//! back to), invoicing a customer's shipped orders, a report's period, and the steps of a
//! refund request. Each opens over the screen it came from and returns there.

use super::{InvoiceScreen, ReportScreen};
use crate::domain::fields::FieldError;
use crate::domain::money::Money;
use crate::error::{Error, Result};
use crate::i18n::{column_label, t, tf};
use crate::ops::invoices::{self, Basis, InvoiceDetail};
use crate::tui::action::Action;
use crate::tui::app::{App, Flash};
use crate::tui::form::{Form, FormField};

#[derive(Debug)]
pub enum FormKind {
    /// A payment against this invoice, offering what is still open.
    Payment(InvoiceDetail, Money),
    /// A credit note for this issued invoice.
    Credit(InvoiceDetail),
    /// Issuing this credit note draft, asking where its goods go back to.
    IssueCredit(InvoiceDetail),
    /// One invoice for all a customer's shipped, uninvoiced orders.
    InvoiceCustomer,
    /// The period (and customer) of the report behind.
    Period,
    RefundRequest,
    RefundReject(String),
    RefundPay(String),
}

#[derive(Debug)]
pub struct FormScreen {
    pub kind: FormKind,
    pub form: Form,
    /// Where Esc, or a done form, returns.
    pub back: InvoiceScreen,
}

/// Where a form that succeeded goes next.
enum Next {
    Invoice(i64),
    Back,
}

fn field(column: &'static str, value: &str) -> FormField {
    FormField::new(column, column_label(column), value)
}

fn methods_hint() -> String {
    crate::domain::payment::Method::all().join(", ")
}

impl App {
    pub(super) fn open_invoice_form(&mut self, kind: FormKind) {
        let number = |d: &InvoiceDetail| d.invoice.number.clone().unwrap_or_default();
        let (title, fields) = match &kind {
            FormKind::Payment(d, open) => (
                tf("payment.form_title", &[("number", &number(d))]),
                vec![
                    field("amount", &open.to_string()).required(),
                    field("method", "bank_transfer").hint(methods_hint()),
                    field("reference", ""),
                ],
            ),
            FormKind::Credit(d) => (
                tf("credit.form_title", &[("number", &number(d))]),
                vec![field("reason", "").required(), field("lines", "").hint(t("credit.lines_hint"))],
            ),
            FormKind::IssueCredit(_) => {
                (t("credit.issue_title").to_string(), vec![field("warehouse", "").hint(t("credit.return_hint"))])
            }
            FormKind::InvoiceCustomer => {
                (t("invoice.customer_form_title").to_string(), vec![field("customer", "").required()])
            }
            FormKind::Period => {
                let (from, to, customer) = match &self.invoices.screen {
                    InvoiceScreen::Report(r) => (r.from.clone(), r.to.clone(), r.customer.clone()),
                    _ => Default::default(),
                };
                (
                    t("finance.period_title").to_string(),
                    vec![
                        field("from", &from).hint(t("finance.day_hint")),
                        field("to", &to).hint(t("finance.day_hint")),
                        field("customer", &customer).hint(t("finance.customer_hint")),
                    ],
                )
            }
            FormKind::RefundRequest => (
                t("refund.form_title").to_string(),
                vec![field("customer", "").required(), field("amount", "").required(), field("reason", "").required()],
            ),
            FormKind::RefundReject(n) => {
                (tf("refund.reject_title", &[("number", n)]), vec![field("reason", "").required()])
            }
            FormKind::RefundPay(n) => {
                (tf("refund.pay_title", &[("number", n)]), vec![field("method", "bank_transfer").hint(methods_hint())])
            }
        };
        let back = std::mem::replace(&mut self.invoices.screen, InvoiceScreen::List);
        let form = Form::new(title, fields);
        self.invoices.screen = InvoiceScreen::Form(Box::new(FormScreen { kind, form, back }));
    }

    pub(super) fn invoice_form_action(&mut self, action: Action) -> Result<()> {
        let InvoiceScreen::Form(screen) = &mut self.invoices.screen else { return Ok(()) };
        match action {
            Action::NextField => screen.form.next_field(),
            Action::PrevField => screen.form.prev_field(),
            Action::Back => {
                let InvoiceScreen::Form(screen) = std::mem::replace(&mut self.invoices.screen, InvoiceScreen::List)
                else {
                    return Ok(());
                };
                self.return_to(screen.back)?;
            }
            Action::Save => self.submit_invoice_form()?,
            _ => {}
        }
        Ok(())
    }

    /// Back to the screen a form came from, showing what is stored now.
    fn return_to(&mut self, back: InvoiceScreen) -> Result<()> {
        match back {
            InvoiceScreen::Invoice(d) => self.show_invoice(d.invoice.id),
            InvoiceScreen::Report(mut report) => {
                report.load(&self.session)?;
                self.invoices.screen = InvoiceScreen::Report(report);
                Ok(())
            }
            other => {
                self.invoices.screen = other;
                self.invoices.list.reload(&self.session)
            }
        }
    }

    fn submit_invoice_form(&mut self) -> Result<()> {
        let InvoiceScreen::Form(mut screen) = std::mem::replace(&mut self.invoices.screen, InvoiceScreen::List) else {
            return Ok(());
        };
        let result = match (&screen.kind, &mut screen.back) {
            (FormKind::Period, InvoiceScreen::Report(report)) => set_period(report, &screen.form),
            _ => self.run_form(&screen.kind, &screen.form),
        };
        match result {
            Ok((said, Next::Invoice(id))) => {
                self.show_invoice(id)?;
                self.invoices.list.reload(&self.session)?;
                self.flash = Some(Flash::Info(said));
            }
            Ok((said, Next::Back)) => {
                self.return_to(screen.back)?;
                if !said.is_empty() {
                    self.flash = Some(Flash::Info(said));
                }
            }
            Err(Error::Invalid(errors)) => {
                screen.form.show_errors(errors);
                self.invoices.screen = InvoiceScreen::Form(screen);
                self.flash = Some(Flash::Error(t("flash.fix_fields").to_string()));
            }
            Err(e) => {
                screen.form.message = Some(e.to_string());
                self.invoices.screen = InvoiceScreen::Form(screen);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Does what the form asks; says what was done and where to go.
    fn run_form(&mut self, kind: &FormKind, form: &Form) -> Result<(String, Next)> {
        let session = &mut self.session;
        match kind {
            FormKind::Payment(d, _) => {
                let (amount, method) = (amount(form.value("amount")), method(form.value("method")));
                let (amount, method) = both(amount, method)?;
                let today = session.clock.today();
                let number = d.invoice.number.clone().unwrap_or_default();
                let receipt = crate::ops::payments::record(
                    session,
                    &d.invoice.customer_code,
                    method,
                    amount,
                    today,
                    form.value("reference"),
                    &[number],
                )?;
                let settled = crate::ops::payments::describe_settled(&receipt.settled);
                let said = tf(
                    "payment.recorded",
                    &[("number", &receipt.number), ("settled", &settled), ("credit", &receipt.credit)],
                );
                Ok((said, Next::Invoice(d.invoice.id)))
            }
            FormKind::Credit(d) => {
                let number = d.invoice.number.clone().unwrap_or_default();
                let chosen = crate::ops::credit_notes::parse_lines(form.value("lines"))?;
                let cn = crate::ops::credit_notes::draft(session, &number, &chosen, form.value("reason"))?;
                let said = tf(
                    "credit.drafted_here",
                    &[("id", &cn.invoice.id), ("number", &number), ("gross", &cn.invoice.gross)],
                );
                Ok((said, Next::Invoice(cn.invoice.id)))
            }
            FormKind::IssueCredit(d) => {
                let warehouse = Some(form.value("warehouse").trim()).filter(|w| !w.is_empty());
                let issued = crate::ops::credit_notes::issue(session, d.invoice.id, d.invoice.version, warehouse)?;
                let number = issued.invoice.number.clone().unwrap_or_default();
                let said = tf("credit.issued", &[("number", &number), ("gross", &issued.invoice.gross)]);
                Ok((said, Next::Invoice(issued.invoice.id)))
            }
            FormKind::InvoiceCustomer => {
                let draft = invoices::draft_for_customer(session, form.value("customer"), Basis::Shipped)?;
                Ok((tf("invoice.drafted_here", &[("id", &draft.invoice.id)]), Next::Invoice(draft.invoice.id)))
            }
            FormKind::RefundRequest => {
                let amount = amount(form.value("amount")).map_err(|e| Error::Invalid(vec![e]))?;
                let r = crate::ops::refunds::request(session, form.value("customer"), amount, form.value("reason"))?;
                let customer = r.customer_code.as_str();
                Ok((
                    tf("refund.requested", &[("number", &r.number), ("amount", &r.amount), ("customer", &customer)]),
                    Next::Back,
                ))
            }
            FormKind::RefundReject(number) => {
                let r = crate::ops::refunds::reject(session, number, form.value("reason"))?;
                Ok((tf("refund.decided", &[("number", &r.number), ("status", &r.status)]), Next::Back))
            }
            FormKind::RefundPay(number) => {
                let method = method(form.value("method")).map_err(|e| Error::Invalid(vec![e]))?;
                let r = crate::ops::refunds::pay(session, number, method)?;
                Ok((tf("refund.paid", &[("number", &r.number), ("amount", &r.amount)]), Next::Back))
            }
            FormKind::Period => Ok((String::new(), Next::Back)),
        }
    }
}

/// Checks the typed period and customer and runs the report for them.
fn set_period(report: &mut ReportScreen, form: &Form) -> Result<(String, Next)> {
    let mut errors = Vec::new();
    let mut day = |column: &'static str| match crate::domain::fields::parse_date(form.value(column)) {
        Ok(day) => day.map(|d| d.to_string()).unwrap_or_default(),
        Err(problem) => {
            errors.push(FieldError { field: column, problem });
            String::new()
        }
    };
    let (from, to) = (day("from"), day("to"));
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    report.from = from;
    report.to = to;
    report.customer = form.value("customer").trim().to_string();
    if !report.customer.is_empty() && report.report != super::FinanceReport::Statement {
        report.report = super::FinanceReport::Statement;
    }
    report.selected = 0;
    // Read when the form closes and the report is shown again (`return_to`).
    Ok((String::new(), Next::Back))
}

fn amount(text: &str) -> std::result::Result<Money, FieldError> {
    crate::domain::payment::amount(text).map_err(|problem| FieldError { field: "amount", problem })
}

fn method(text: &str) -> std::result::Result<crate::domain::payment::Method, FieldError> {
    crate::domain::payment::Method::parse(text).map_err(|problem| FieldError { field: "method", problem })
}

fn both<A, B>(a: std::result::Result<A, FieldError>, b: std::result::Result<B, FieldError>) -> Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(Error::Invalid(a.err().into_iter().chain(b.err()).collect())),
    }
}

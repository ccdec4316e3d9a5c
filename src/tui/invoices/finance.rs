//! The finance reports in the Invoices tab: revenue, tax per rate, payments, margin,
//! receivables, refunds (those waiting can be decided and paid out here) and a customer's
//! statement, each for a period; the same figures as `shopdesk report NAME`.

use crate::error::Result;
use crate::i18n::t;
use crate::ops::Session;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinanceReport {
    Revenue,
    Tax,
    Payments,
    Margin,
    Receivables,
    RefundsWaiting,
    Refunds,
    Statement,
}

impl FinanceReport {
    pub const ALL: [FinanceReport; 8] = [
        FinanceReport::Revenue,
        FinanceReport::Tax,
        FinanceReport::Payments,
        FinanceReport::Margin,
        FinanceReport::Receivables,
        FinanceReport::RefundsWaiting,
        FinanceReport::Refunds,
        FinanceReport::Statement,
    ];

    pub fn title(self) -> &'static str {
        match self {
            FinanceReport::Revenue => t("finance.revenue"),
            FinanceReport::Tax => t("finance.tax"),
            FinanceReport::Payments => t("finance.payments"),
            FinanceReport::Margin => t("finance.margin"),
            FinanceReport::Receivables => t("finance.receivables"),
            FinanceReport::RefundsWaiting => t("finance.refunds_waiting"),
            FinanceReport::Refunds => t("finance.refunds"),
            FinanceReport::Statement => t("finance.statement"),
        }
    }

    /// The name of a file of this report: what `shopdesk report` calls it.
    pub fn file_stem(self) -> &'static str {
        match self {
            FinanceReport::Revenue => "revenue",
            FinanceReport::Tax => "tax",
            FinanceReport::Payments => "payments",
            FinanceReport::Margin => "margin",
            FinanceReport::Receivables => "receivables",
            FinanceReport::RefundsWaiting => "refunds-waiting",
            FinanceReport::Refunds => "refunds",
            FinanceReport::Statement => "statement",
        }
    }

    /// Whether the period applies (receivables and waiting refunds are as of today).
    pub fn has_period(self) -> bool {
        !matches!(self, FinanceReport::Receivables | FinanceReport::RefundsWaiting)
    }
}

/// A report's columns and rows, as the ops functions give them.
pub type Table = (Vec<&'static str>, Vec<Vec<String>>);

/// One report on screen with the period (and customer, for a statement) it was run for.
#[derive(Debug)]
pub struct ReportScreen {
    pub report: FinanceReport,
    /// YYYY-MM-DD, or empty for an open end.
    pub from: String,
    pub to: String,
    /// A customer code, for the statement.
    pub customer: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    /// Each column's widest cell, measured once when the rows arrive (receivables can hold
    /// twenty thousand rows: too many to measure on every frame).
    pub cell_widths: Vec<usize>,
    pub selected: usize,
    /// The report being read on another thread (on a large shop they take seconds).
    pub job: Option<crate::ops::report_job::ReportJob<Table>>,
}

impl ReportScreen {
    /// The year so far: what a bookkeeper looks at first.
    pub fn new(session: &Session, report: FinanceReport) -> ReportScreen {
        let today = session.clock.today();
        let from = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap_or(today);
        ReportScreen {
            report,
            from: from.to_string(),
            to: today.to_string(),
            customer: String::new(),
            columns: Vec::new(),
            rows: Vec::new(),
            cell_widths: Vec::new(),
            selected: 0,
            job: None,
        }
    }

    /// Runs the report again for its period, keeping the highlighted row where it can: on
    /// another thread when the session has a file (the answer arrives through `poll`),
    /// else at once.
    pub fn load(&mut self, session: &Session) -> Result<()> {
        let (report, customer) = (self.report, self.customer.clone());
        let from = if self.from.is_empty() { "0000-01-01".to_string() } else { self.from.clone() };
        let to = if self.to.is_empty() { "9999-12-31".to_string() } else { self.to.clone() };
        let run = move |session: &Session| -> Result<Table> {
            use crate::ops::{finance_reports as f, payments, refunds};
            let (columns, rows) = match report {
                FinanceReport::Revenue => f::revenue(session, &from, &to)?,
                FinanceReport::Tax => f::tax(session, &from, &to)?,
                FinanceReport::Payments => f::payments(session, &from, &to)?,
                FinanceReport::Margin => f::margin(session, &from, &to)?,
                FinanceReport::Receivables => payments::ageing(session)?,
                FinanceReport::RefundsWaiting => refunds::list(session, &from, &to, true)?,
                FinanceReport::Refunds => refunds::list(session, &from, &to, false)?,
                FinanceReport::Statement if customer.trim().is_empty() => (&[][..], Vec::new()),
                FinanceReport::Statement => payments::statement(session, &customer, &from, &to)?,
            };
            Ok((columns.to_vec(), rows))
        };
        // A newer report replaces one still being read (dropping it stops it), and the rows
        // of the previous one go, so no key acts on rows the title no longer describes.
        self.job = None;
        self.rows.clear();
        let background = run.clone();
        match crate::ops::report_job::ReportJob::start(session, move |reader, _| background(reader))? {
            Some(job) => self.job = Some(job),
            None => self.show(run(session)?),
        }
        Ok(())
    }

    /// Takes in the report read on another thread, when it has arrived.
    pub fn poll(&mut self) -> Option<Result<()>> {
        let outcome = self.job.as_ref()?.poll()?;
        self.job = None;
        Some(outcome.map(|table| self.show(table)))
    }

    fn show(&mut self, (columns, rows): Table) {
        self.columns = columns;
        self.rows = rows;
        if let Some(at) = self.columns.iter().position(|c| *c == "status")
            && matches!(self.report, FinanceReport::RefundsWaiting | FinanceReport::Refunds)
        {
            for row in &mut self.rows {
                row[at] = crate::ops::refunds::status_label(&row[at]).to_string();
            }
        }
        self.cell_widths = vec![0; self.columns.len()];
        for row in &self.rows {
            for (w, cell) in self.cell_widths.iter_mut().zip(row) {
                *w = (*w).max(crate::domain::text::width(cell));
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// The refund request highlighted, on the refund lists.
    pub fn selected_refund(&self) -> Option<String> {
        // Rows still on hand while a report is read belong to the previous one.
        if !matches!(self.report, FinanceReport::RefundsWaiting | FinanceReport::Refunds) || self.job.is_some() {
            return None;
        }
        self.rows.get(self.selected).and_then(|r| r.first()).cloned()
    }

    /// "2026-01-01 – 2026-11-27", or what the report is as of.
    pub fn period_label(&self) -> String {
        if !self.report.has_period() {
            return t("finance.as_of_today").to_string();
        }
        let end = |d: &str| if d.is_empty() { "…".to_string() } else { d.to_string() };
        format!("{} – {}", end(&self.from), end(&self.to))
    }
}

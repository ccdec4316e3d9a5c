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

    /// Whether the period applies (receivables and waiting refunds are as of today).
    pub fn has_period(self) -> bool {
        !matches!(self, FinanceReport::Receivables | FinanceReport::RefundsWaiting)
    }
}

/// One report on screen with the period (and customer, for a statement) it was run for.
#[derive(Debug, Clone)]
pub struct ReportScreen {
    pub report: FinanceReport,
    /// YYYY-MM-DD, or empty for an open end.
    pub from: String,
    pub to: String,
    /// A customer code, for the statement.
    pub customer: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    pub selected: usize,
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
            selected: 0,
        }
    }

    /// Runs the report again for its period, keeping the highlighted row where it can.
    pub fn load(&mut self, session: &Session) -> Result<()> {
        let from = if self.from.is_empty() { "0000-01-01" } else { self.from.as_str() };
        let to = if self.to.is_empty() { "9999-12-31" } else { self.to.as_str() };
        use crate::ops::{finance_reports as f, payments, refunds};
        let (columns, rows) = match self.report {
            FinanceReport::Revenue => f::revenue(session, from, to)?,
            FinanceReport::Tax => f::tax(session, from, to)?,
            FinanceReport::Payments => f::payments(session, from, to)?,
            FinanceReport::Margin => f::margin(session, from, to)?,
            FinanceReport::Receivables => payments::ageing(session)?,
            FinanceReport::RefundsWaiting => refunds::list(session, from, to, true)?,
            FinanceReport::Refunds => refunds::list(session, from, to, false)?,
            FinanceReport::Statement if self.customer.trim().is_empty() => (&[][..], Vec::new()),
            FinanceReport::Statement => payments::statement(session, &self.customer, from, to)?,
        };
        self.columns = columns.to_vec();
        self.rows = rows;
        if let Some(at) = self.columns.iter().position(|c| *c == "status")
            && matches!(self.report, FinanceReport::RefundsWaiting | FinanceReport::Refunds)
        {
            for row in &mut self.rows {
                row[at] = refunds::status_label(&row[at]).to_string();
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        Ok(())
    }

    /// The refund request highlighted, on the refund lists.
    pub fn selected_refund(&self) -> Option<String> {
        if !matches!(self.report, FinanceReport::RefundsWaiting | FinanceReport::Refunds) {
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

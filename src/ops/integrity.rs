//! Everything `shopdesk check` looks at, in one list: the database's own integrity, the
//! counters and summaries kept beside the records, the stock ledger, orders, the invoice
//! chain and numbering, payments, credit notes and the sales and finance summaries.

use super::Session;
use crate::error::Result;

/// Each problem found, in words; empty when the shop is sound.
pub fn problems(session: &Session) -> Result<Vec<String>> {
    let conn = session.db.conn();
    let mut problems = session.db.integrity_problems()?;
    problems.extend(crate::db::customers::count_problems(conn)?);
    problems.extend(crate::db::pipeline::total_problems(conn)?);
    problems.extend(super::ledger::check(session)?);
    problems.extend(super::orders::check_all(session)?);
    problems.extend(super::invoices::check(session)?);
    problems.extend(super::payments::check(session)?);
    problems.extend(super::credit_notes::check(session)?);
    problems.extend(super::sales::check(session)?);
    problems.extend(super::finance_reports::check(session)?);
    problems.extend(crate::db::products::count_problems(conn)?);
    Ok(problems)
}

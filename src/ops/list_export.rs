//! `E` on a list: the records the list shows with its filter or view applied (all of them,
//! not only the rows on screen), saved in the table's own CSV format, so the file can be
//! edited and imported again.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::Session;
use crate::db::customers::{Anchor as CustomerAnchor, ListQuery};
use crate::db::invoices::InvoiceView;
use crate::db::orders::OrderQuery;
use crate::db::paging::{Anchor, Key};
use crate::db::products::ProductQuery;
use crate::error::Result;

/// Rows read per window while collecting a list's records.
const PAGE: usize = 2_000;

/// Every id of a keyset-paged list, in the list's order: windows read one after the other
/// from `start`, each after the last row of the one before (`after`).
fn all_ids<R, A>(
    start: A,
    mut window: impl FnMut(&A) -> Result<Vec<R>>,
    after: impl Fn(&R) -> A,
    id: impl Fn(&R) -> i64,
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    let mut anchor = start;
    loop {
        let rows = window(&anchor)?;
        let Some(last) = rows.last() else { break };
        anchor = after(last);
        let full = rows.len() == PAGE;
        ids.extend(rows.iter().map(&id));
        if !full {
            break;
        }
    }
    Ok(ids)
}

/// The customers of the list as filtered and sorted, saved as `customers-DATE.csv`.
pub fn customers(session: &Session, query: &ListQuery, folder: &Path) -> Result<(PathBuf, usize)> {
    let ids = all_ids(
        CustomerAnchor::Start,
        |a| super::customers::window(session, query, a, PAGE),
        |r| CustomerAnchor::After(r.key.clone()),
        |r| r.id.0,
    )?;
    // In the list's order, as the screen shows them.
    save(session, folder, "customers", |s, out| super::customers::export_some(s, &ids, out))
}

pub fn products(session: &Session, query: &ProductQuery, folder: &Path) -> Result<(PathBuf, usize)> {
    let ids = all_ids(
        Anchor::Start,
        |a| super::stock::product_window(session, query, a, PAGE),
        |r| Anchor::After(r.key.clone()),
        |r| r.id,
    )?;
    save(session, folder, "products", |s, out| super::stock_csv::export_products_some(s, &ids, out))
}

/// The orders of the list as `orders-DATE.csv`. Sales history brought in from another
/// system has its own format: the list's history orders go to `sales-history-DATE.csv`
/// (the second file returned), rather than being left out of the first without a word.
pub fn orders(session: &Session, query: &OrderQuery, folder: &Path) -> Result<Vec<(PathBuf, usize)>> {
    let ids = all_ids(
        Anchor::Start,
        |a| super::orders::window(session, query, a, PAGE),
        |r| Anchor::After(Key { value: r.order_date.clone(), id: r.id }),
        |r| r.id,
    )?;
    let listed: HashSet<i64> = ids.iter().copied().collect();
    let history: HashSet<i64> =
        crate::db::orders::history_ids(session.db.conn())?.into_iter().filter(|id| listed.contains(id)).collect();
    // Both files in the list's order (newest first, as on screen).
    let (history, own): (Vec<i64>, Vec<i64>) = ids.iter().partition(|id| history.contains(id));
    let mut saved = Vec::new();
    if !own.is_empty() || history.is_empty() {
        saved.push(save(session, folder, "orders", |s, out| super::order_csv::export_some(s, &own, out))?);
    }
    if !history.is_empty() {
        saved.push(save(session, folder, "sales-history", |s, out| {
            super::sales_history::export_some(s, &history, out)
        })?);
    }
    Ok(saved)
}

/// The issued invoices and credit notes of an invoice view (drafts have no number yet
/// and are left out), one line per row. Unlike the other lists, in the order they were
/// issued rather than newest first: the file has to import back, and an invoice import
/// takes numbers in sequence, each dated no earlier than the one before it, and a credit
/// note only after the invoice it credits.
pub fn invoices(session: &Session, view: InvoiceView, folder: &Path) -> Result<(PathBuf, usize)> {
    let ids = all_ids(
        Anchor::Start,
        |a| super::invoices::window(session, view, a, PAGE),
        |r| Anchor::After(Key { value: String::new(), id: r.id }),
        |r| r.id,
    )?;
    let ids: HashSet<i64> = ids.into_iter().collect();
    save(session, folder, "invoices", |s, out| {
        super::invoice_csv::export_invoices_some(s, &|id| ids.contains(&id), out)
    })
}

/// The open follow-ups (overdue, due today and upcoming: the follow-ups view), as contacts.
pub fn follow_ups(session: &Session, folder: &Path) -> Result<(PathBuf, usize)> {
    let ids: HashSet<i64> = super::crm::follow_ups(session, None, usize::MAX)?.iter().map(|c| c.id).collect();
    save(session, folder, "follow-ups", |s, out| super::crm::export_contacts_some(s, &|id| ids.contains(&id), out))
}

/// The feedback still to handle (the feedback view: all of it, not the most urgent shown).
pub fn feedback(session: &Session, folder: &Path) -> Result<(PathBuf, usize)> {
    let ids: HashSet<i64> = super::crm::feedback_to_handle(session, usize::MAX)?.0.iter().map(|f| f.id).collect();
    save(session, folder, "feedback", |s, out| super::crm::export_feedback_some(s, &|id| ids.contains(&id), out))
}

/// The opportunities the list's filter leaves.
pub fn opportunities(
    session: &Session,
    filter: &crate::db::pipeline::Filter,
    folder: &Path,
) -> Result<(PathBuf, usize)> {
    let ids: HashSet<i64> = super::pipeline::list(session, filter, 0, usize::MAX)?.0.iter().map(|o| o.id).collect();
    save(session, folder, "opportunities", |s, out| super::pipeline::export_some(s, &|id| ids.contains(&id), out))
}

/// A stock alert list (low stock, expiring lots, slow movers) as its report: every row,
/// not only the most urgent the screen shows, with the columns of `shopdesk report`.
pub fn stock_report(
    session: &Session,
    name: &str,
    report: impl FnOnce(&Session) -> Result<super::stock_reports::Report>,
    folder: &Path,
) -> Result<(PathBuf, usize)> {
    let (columns, rows) = report(session)?;
    let path = super::csv_io::save_rows(folder, &format!("{name}-{}", session.clock.today()), columns, &rows)?;
    Ok((path, rows.len()))
}

/// A list that shows every record of its table (tiers, stages, suppliers, warehouses,
/// purchase orders): the whole table.
pub fn table(session: &Session, table: super::tables::Table, folder: &Path) -> Result<(PathBuf, usize)> {
    save(session, folder, table.name(), |s, out| table.export(s, out))
}

/// Writes `<name>-<today>.csv` in `folder` through `write` (never over another file, and
/// never half a file: see `csv_io::save_with`).
fn save(
    session: &Session,
    folder: &Path,
    name: &str,
    write: impl FnOnce(&Session, &mut dyn std::io::Write) -> Result<usize>,
) -> Result<(PathBuf, usize)> {
    let name = format!("{name}-{}", session.clock.today());
    super::csv_io::save_with(folder, &name, |out| write(session, out))
}

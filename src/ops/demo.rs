//! The demo shop behind `--demo`: a realistic small business to try every screen on.

use super::Session;
use crate::db::customers as repo;
use crate::error::Result;

/// How many customers the demo shop has.
pub const DEMO_CUSTOMERS: usize = 240;
/// Logged calls, e-mails, meetings, visits and notes, some with follow-ups.
pub const DEMO_CONTACTS: usize = 600;
/// Feedback items and complaints in every status.
pub const DEMO_FEEDBACK: usize = 30;
/// Deals across every stage of the pipeline.
pub const DEMO_OPPORTUNITIES: usize = 60;

/// Products in categories, with a history of moves in two warehouses.
pub const DEMO_PRODUCTS: usize = 300;
pub const DEMO_MOVES: usize = 8_000;

/// Two years of order history, and a few recent orders in every open state.
pub const DEMO_ORDERS: usize = 700;

/// The latest shipped orders are invoiced, most paid, some overdue.
pub const DEMO_INVOICES: usize = 150;

/// Fills an empty database with the demo shop; leaves each module that has data alone,
/// so whatever someone typed into the demo survives a restart.
pub fn ensure_demo_data(session: &mut Session) -> Result<bool> {
    let mut filled = false;
    let everyone = repo::ListQuery { include_archived: true, ..Default::default() };
    if repo::count(session.db.conn(), &everyone)? == 0 {
        super::synth::generate(session, DEMO_CUSTOMERS, 2026)?;
        super::synth::generate_relationships(session, DEMO_CONTACTS, DEMO_FEEDBACK, 2026)?;
        super::synth::generate_opportunities(session, DEMO_OPPORTUNITIES, 2026)?;
        filled = true;
    }
    // Each module's demo data arrives on its own, so a demo made by an older version gains
    // the new tabs' data without losing what was typed into it.
    let all_products = crate::db::products::ProductQuery { include_archived: true, ..Default::default() };
    if crate::db::products::product_count(session.db.conn(), &all_products)? == 0 {
        super::synth_stock::generate_stock(session, DEMO_PRODUCTS, DEMO_MOVES, 2026)?;
        filled = true;
    }
    let any_order = crate::db::orders::OrderQuery::default();
    if crate::db::orders::count(session.db.conn(), &any_order)? == 0 {
        super::synth_orders::generate_history(session, DEMO_ORDERS, 2026, true)?;
        super::synth_orders::generate_recent(session, 2026)?;
        filled = true;
    }
    if super::invoices::count(session, crate::db::invoices::InvoiceView::All)? == 0 {
        // The older history invoiced and paid as it went (so sales reports and the
        // dashboard have a year to compare with), the latest orders as a shop's open books.
        let cutoff = super::synth_invoices::latest_shipped_date(session, DEMO_INVOICES)?;
        super::synth_invoices::generate_for_history(session, 2026, cutoff)?;
        super::synth_invoices::generate_demo(session, DEMO_INVOICES, 2026)?;
        super::targets::generate_demo(session)?;
        filled = true;
    }
    Ok(filled)
}

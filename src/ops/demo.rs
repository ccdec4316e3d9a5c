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

/// Fills an empty database with the demo shop; leaves a database that has customers alone,
/// so whatever someone typed into the demo survives a restart.
pub fn ensure_demo_data(session: &mut Session) -> Result<bool> {
    let everyone = repo::ListQuery { include_archived: true, ..Default::default() };
    if repo::count(session.db.conn(), &everyone)? > 0 {
        return Ok(false);
    }
    super::synth::generate(session, DEMO_CUSTOMERS, 2026)?;
    super::synth::generate_relationships(session, DEMO_CONTACTS, DEMO_FEEDBACK, 2026)?;
    super::synth::generate_opportunities(session, DEMO_OPPORTUNITIES, 2026)?;
    Ok(true)
}

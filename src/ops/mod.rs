//! Use cases. Each write runs in one transaction, checks the domain rules and records an
//! audit row; the TUI and the CLI call these and hold no business rules of their own.

/// What an export's rows are written by: each record the source visits, in its order.
pub(crate) type Visit<'a, T> = &'a mut dyn FnMut(T) -> crate::error::Result<()>;

pub mod credit_notes;
pub mod crm;
pub mod csv_io;
pub mod csv_lines;
pub mod csv_stream;
pub mod customers;
pub mod dashboard;
pub mod demo;
pub mod finance_reports;
pub mod forecast;
pub mod integrity;
pub mod invoice_csv;
pub mod invoice_docs;
pub mod invoice_import;
pub mod invoices;
pub mod ledger;
pub mod list_export;
pub mod order_csv;
pub mod order_docs;
pub mod order_entry;
pub mod order_reports;
pub mod orders;
pub mod payment_import;
pub mod payments;
pub mod pipeline;
pub mod purchasing;
pub mod refunds;
pub mod report_job;
pub mod rfm;
pub mod sales;
pub mod sales_history;
pub mod search;
pub mod settings_csv;
pub mod shop_copy;
pub mod stock;
pub mod stock_csv;
pub mod stock_reports;
pub mod synth;
pub mod synth_invoices;
pub mod synth_orders;
pub mod synth_stock;
pub mod tables;
pub mod targets;
pub mod tiers;
pub mod ubl;

use chrono::{SecondsFormat, Utc};
use rusqlite::Transaction;

use crate::db::{self, Db, audit::AuditEntry};
use crate::domain::user::{Operator, Role, valid_user_name};
use crate::error::{Error, Result};

/// Where "now" comes from: the system clock, or a fixed instant for tests and snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(String),
}

impl Clock {
    /// RFC 3339 in UTC, to the second: sorts as text.
    pub fn now(&self) -> String {
        match self {
            Clock::System => Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            Clock::Fixed(at) => at.clone(),
        }
    }

    /// Today's date where the shop is (the local time zone).
    pub fn today(&self) -> chrono::NaiveDate {
        match self {
            Clock::System => chrono::Local::now().date_naive(),
            Clock::Fixed(at) => chrono::DateTime::parse_from_rfc3339(at)
                .map(|t| t.with_timezone(&chrono::Local).date_naive())
                .unwrap_or_else(|_| chrono::Local::now().date_naive()),
        }
    }
}

/// One operator working on one database.
pub struct Session {
    pub db: Db,
    pub operator: Operator,
    pub clock: Clock,
}

/// What a write needs besides the transaction: who and when, for the audit log.
pub struct WriteCtx<'a> {
    pub operator: &'a Operator,
    pub now: String,
    /// The shop's calendar day at `now` (local time): what documents are dated.
    pub today: chrono::NaiveDate,
}

impl WriteCtx<'_> {
    pub fn audit(
        &self,
        tx: &rusqlite::Connection,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        detail: String,
    ) -> Result<()> {
        db::audit::record(
            tx,
            &AuditEntry {
                at: self.now.clone(),
                user: self.operator.name.clone(),
                action: action.to_string(),
                entity: entity.to_string(),
                entity_id,
                detail,
            },
        )
    }
}

impl Session {
    /// Starts a session for `user`. The first user of a new database becomes its admin;
    /// anyone else appears as a clerk until an admin gives them another role.
    pub fn start(mut db: Db, user: &str, clock: Clock) -> Result<Session> {
        let name = user.trim().to_string();
        if !valid_user_name(&name) {
            return Err(Error::BadArgument(crate::i18n::tf("err.bad_user", &[("name", &name)])));
        }
        let now = clock.now();
        let role = match db::users::role_of(db.conn(), &name)? {
            Some(role) => role,
            None => db.write(|tx| {
                let role = if db::users::count(tx)? == 0 { Role::Admin } else { Role::Clerk };
                db::users::upsert(tx, &name, role, &now)?;
                let operator = Operator { name: name.clone(), role };
                WriteCtx { operator: &operator, now: now.clone(), today: clock.today() }.audit(
                    tx,
                    "register",
                    "user",
                    None,
                    format!("{name} as {role}"),
                )?;
                Ok(role)
            })?,
        };
        Ok(Session { db, operator: Operator { name, role }, clock })
    }

    /// Runs `work` in one write transaction with an audit context.
    pub fn write<T>(&mut self, work: impl FnOnce(&Transaction<'_>, &WriteCtx<'_>) -> Result<T>) -> Result<T> {
        let ctx = WriteCtx { operator: &self.operator, now: self.clock.now(), today: self.clock.today() };
        self.db.write(|tx| work(tx, &ctx))
    }

    /// Like `write`, but rolled back at the end: what would happen, without it happening.
    pub fn rehearse<T>(&mut self, work: impl FnOnce(&Transaction<'_>, &WriteCtx<'_>) -> Result<T>) -> Result<T> {
        let ctx = WriteCtx { operator: &self.operator, now: self.clock.now(), today: self.clock.today() };
        self.db.rehearse(|tx| work(tx, &ctx))
    }

    /// `write`, or with `dry_run` `rehearse`: an import that reports without writing, with
    /// the connection set for a large write meanwhile (`Db::begin_bulk`).
    pub fn write_or_rehearse<T>(
        &mut self,
        dry_run: bool,
        work: impl FnOnce(&Transaction<'_>, &WriteCtx<'_>) -> Result<T>,
    ) -> Result<T> {
        let before = self.db.begin_bulk(true)?;
        let result = if dry_run { self.rehearse(work) } else { self.write(work) };
        // The import's own outcome comes first: a committed import must not look failed
        // because a cache size could not be put back on a connection that still works.
        let _restored = self.db.end_bulk(before);
        result
    }

    pub fn require(&self, needed: Role) -> Result<()> {
        if self.operator.role.allows(needed) { Ok(()) } else { Err(Error::NotAllowed { needed }) }
    }

    /// Gives `name` a role. Only an admin may.
    pub fn set_role(&mut self, name: &str, role: Role) -> Result<()> {
        self.require(Role::Admin)?;
        if !valid_user_name(name) {
            return Err(Error::BadArgument(crate::i18n::tf("err.bad_user", &[("name", &name)])));
        }
        self.write(|tx, ctx| {
            db::users::upsert(tx, name.trim(), role, &ctx.now)?;
            ctx.audit(tx, "set-role", "user", None, format!("{} -> {role}", name.trim()))
        })
    }
}

/// Fixtures shared by the use-case tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Clock, Session};
    use crate::db::Db;
    use crate::domain::customer::CustomerData;
    use crate::domain::ids::CustomerId;

    /// A shop in memory at a fixed time, run by alice (its admin), with one customer, Ana.
    pub fn shop() -> (Session, CustomerId) {
        let db = Db::open_in_memory().unwrap();
        let mut s = Session::start(db, "alice", Clock::Fixed("2026-11-27T10:00:00Z".into())).unwrap();
        let ana = super::customers::create(&mut s, &CustomerData { name: "Ana".into(), ..Default::default() }).unwrap();
        (s, ana.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_user_is_admin_and_later_ones_are_clerks() {
        let db = Db::open_in_memory().unwrap();
        let first = Session::start(db, "owner", Clock::Fixed("2026-01-01T00:00:00Z".into())).unwrap();
        assert_eq!(first.operator.role, Role::Admin);
        let db = first.db;
        let second = Session::start(db, "clerk1", Clock::System).unwrap();
        assert_eq!(second.operator.role, Role::Clerk);
        let mut second = second;
        assert!(matches!(second.set_role("clerk1", Role::Admin), Err(Error::NotAllowed { .. })));
        let audit = db::audit::recent(second.db.conn(), None, 10).unwrap();
        assert_eq!(audit.len(), 2);
        assert_eq!(audit[1].user, "owner");
    }

    #[test]
    fn a_blank_user_name_is_refused() {
        let db = Db::open_in_memory().unwrap();
        assert!(Session::start(db, "  ", Clock::System).is_err());
    }
}

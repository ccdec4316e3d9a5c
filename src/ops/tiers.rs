//! Tier settings: list, create and edit tiers (a manager's job), and CSV.

use std::io::Write;

use super::csv_io::{self, Errors, SafeWriter};
use super::{Session, WriteCtx};
use crate::db::tiers as repo;
use crate::domain::tier::{Tier, TierInput, validate_tier};
use crate::domain::user::Role;
use crate::error::{Error, Result, describe_problem};
use crate::i18n::tf;

pub fn all(session: &Session) -> Result<Vec<Tier>> {
    repo::all(session.db.conn())
}

/// Active customers per tier code.
pub fn customer_counts(session: &Session) -> Result<Vec<(String, usize)>> {
    repo::customer_counts(session.db.conn())
}

pub fn input_of(tier: &Tier) -> TierInput {
    let d = &tier.data;
    TierInput {
        code: d.code.clone(),
        name: d.name.clone(),
        rank: d.rank.to_string(),
        discount: d.discount.to_string(),
        credit_limit: d.credit_limit.to_string(),
        payment_days: d.payment_days.to_string(),
    }
}

/// Creates a tier, or with `editing` saves an edit of it (its code stays).
pub fn save(session: &mut Session, editing: Option<&Tier>, input: &TierInput) -> Result<Tier> {
    session.require(Role::Manager)?;
    let mut data = validate_tier(input).map_err(Error::Invalid)?;
    if let Some(tier) = editing {
        data.code = tier.data.code.clone();
    }
    session.write(|tx, ctx| {
        match editing {
            Some(tier) => repo::update(tx, tier.version, &data)?,
            None if repo::find(tx, &data.code)?.is_some() => {
                return Err(Error::Invalid(vec![crate::domain::fields::FieldError {
                    field: "code",
                    problem: crate::domain::fields::Problem::DuplicateCode,
                }]));
            }
            None => repo::insert(tx, &data)?,
        }
        ctx.audit(tx, if editing.is_some() { "update" } else { "create" }, "tier", None, data.code.clone())
    })?;
    repo::find(session.db.conn(), &data.code)?.ok_or_else(|| Error::NotFound { what: data.code.clone() })
}

pub const COLUMNS: &[&str] = &["code", "name", "rank", "discount", "credit_limit", "payment_days"];

pub fn export(session: &Session, out: impl Write) -> Result<usize> {
    let mut writer = SafeWriter::new(out);
    writer.row(COLUMNS.iter().copied())?;
    let tiers = all(session)?;
    for tier in &tiers {
        let input = input_of(tier);
        writer.row([
            input.code.as_str(),
            &input.name,
            &input.rank,
            &input.discount,
            &input.credit_limit,
            &input.payment_days,
        ])?;
    }
    writer.finish()?;
    Ok(tiers.len())
}

pub use super::customers::ImportReport;

/// Imports tiers all-or-nothing, matched by code. Needs a manager.
pub fn import(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    session.require(Role::Manager)?;
    let table = csv_io::read_table(bytes)?;
    let positions = csv_io::map_header(&table.headers, COLUMNS, &["code", "name"])?;
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<ImportReport> {
        let mut errors = Errors::default();
        let mut report = ImportReport { dry_run, ..Default::default() };
        let mut seen = std::collections::HashMap::new();
        for record in &table.records {
            let cell =
                |c: &str| COLUMNS.iter().position(|k| *k == c).and_then(|i| record.cell(&positions, i)).unwrap_or("");
            let existing = repo::find(tx, cell("code").trim())?;
            // Columns the file lacks keep the tier's current value.
            let current = existing.as_ref().map(input_of).unwrap_or_default();
            let pick = |c: &str, now: &str| {
                let i = COLUMNS.iter().position(|k| *k == c);
                if i.and_then(|i| positions[i]).is_some() { cell(c).to_string() } else { now.to_string() }
            };
            let input = TierInput {
                code: cell("code").to_string(),
                name: pick("name", &current.name),
                rank: pick("rank", &current.rank),
                discount: pick("discount", &current.discount),
                credit_limit: pick("credit_limit", &current.credit_limit),
                payment_days: pick("payment_days", &current.payment_days),
            };
            if let Some(first) = seen.insert(input.code.trim().to_ascii_lowercase(), record.line) {
                errors.push(record.line, "code", &input.code, tf("csv.duplicate_in_file", &[("line", &first)]));
            }
            let data = match validate_tier(&input) {
                Ok(data) => data,
                Err(problems) => {
                    for p in problems {
                        errors.push(record.line, p.field, cell(p.field), describe_problem(&p.problem));
                    }
                    continue;
                }
            };
            if !errors.is_empty() {
                continue;
            }
            match existing {
                None => {
                    repo::insert(tx, &data)?;
                    report.created += 1;
                }
                Some(tier) if tier.data == data => report.unchanged += 1,
                Some(tier) => {
                    repo::update(tx, tier.version, &data)?;
                    report.updated += 1;
                }
            }
        }
        csv_io::finish_import(tx, ctx, errors, report, "tier")
    };
    session.write_or_rehearse(dry_run, work)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::ops::Clock;

    #[test]
    fn tiers_round_trip_and_need_a_manager() {
        let db = Db::open_in_memory().unwrap();
        let mut owner = Session::start(db, "owner", Clock::System).unwrap();
        let mut file = Vec::new();
        export(&owner, &mut file).unwrap();
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(text.contains("VIP,VIP,1,10.00,50000.00,60"), "{text}");
        let err = import(&mut owner, "code,name,discount\nB,B,3.5\nGOLD,,8\n".as_bytes(), false).unwrap_err();
        assert!(err.to_string().contains("line 3, column name"), "a new tier needs a name: {err}");
        let err = import(&mut owner, "code,discount\nB,3.5\n".as_bytes(), false).unwrap_err();
        assert!(err.to_string().contains("no name column"), "{err}");
        let report = import(&mut owner, "code,name,discount\nB,B,3.5\nGOLD,Gold,8\n".as_bytes(), false).unwrap();
        assert_eq!((report.created, report.updated), (1, 1));
        let b = all(&owner).unwrap().into_iter().find(|t| t.data.code == "B").unwrap();
        assert_eq!((b.data.discount.to_string().as_str(), b.data.payment_days), ("3.50", 30), "other columns kept");
        let mut again = Vec::new();
        export(&owner, &mut again).unwrap();
        assert_eq!(import(&mut owner, &again, false).unwrap().unchanged, 5);

        let mut clerk = Session::start(owner.db, "clerk", Clock::System).unwrap();
        assert!(matches!(import(&mut clerk, &again, false), Err(Error::NotAllowed { .. })));
    }
}

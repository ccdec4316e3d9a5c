//! Monthly sales targets per salesperson, and how each stands: invoiced net (the sales
//! summaries, by the order's salesperson) against target, attainment, rank, the last 12
//! months, and their open pipeline.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::csv_io::{self, Errors};
use super::customers::ImportReport;
use super::{Session, WriteCtx};
use crate::domain::fields::{FieldError, Problem};
use crate::domain::money::Money;
use crate::domain::user::Role;
use crate::error::{Error, Result, describe_problem};
use crate::i18n::tf;

pub const COLUMNS: &[&str] = &["salesperson", "month", "target"];

/// "2026-11", checked: a year of four digits (`26-01` is not the year 26) and a month.
pub fn parse_month(text: &str) -> std::result::Result<String, Problem> {
    let text = text.trim();
    let year_written = text.split_once('-').is_some_and(|(year, _)| year.len() == 4);
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .ok()
        .filter(|d| year_written && (1900..=2999).contains(&d.year()))
        .map(|d| format!("{}-{:02}", d.year(), d.month()))
        .ok_or(Problem::InvalidMonth)
}

fn target_amount(text: &str) -> std::result::Result<Money, Problem> {
    let money = Money::parse(text).map_err(Problem::InvalidAmount)?;
    if money.value().is_sign_negative() {
        return Err(Problem::OutOfRange { min: 0, max: None });
    }
    Ok(money)
}

fn salesperson_of(text: &str) -> std::result::Result<String, Problem> {
    crate::domain::fields::check_text(text, true, 64, false)
}

/// How the shop spells its salespeople: every spelling stored, and by lower case the one
/// their sales are kept under (reports put targets beside them by the exact name), else
/// the one a target gave.
struct Spellings {
    stored: std::collections::HashSet<String>,
    by_case: HashMap<String, String>,
}

fn spellings(conn: &rusqlite::Connection) -> Result<Spellings> {
    let mut known = Spellings { stored: Default::default(), by_case: HashMap::new() };
    for sql in [
        "SELECT DISTINCT salesperson FROM sales_targets",
        "SELECT DISTINCT key FROM sales_monthly WHERE dim = 'salesperson' AND key <> ''",
    ] {
        let names: Vec<String> = conn.prepare(sql)?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        // Later queries win: the sales' own spelling.
        known.by_case.extend(names.iter().map(|n| (n.to_lowercase(), n.clone())));
        known.stored.extend(names);
    }
    Ok(known)
}

/// `Alice` typed for the `alice` the shop knows is her, not a new salesperson with nothing
/// sold. A spelling the shop has already stays as it is (an export's names round-trip).
fn spelled(known: &Spellings, who: String) -> String {
    if known.stored.contains(&who) {
        return who;
    }
    known.by_case.get(&who.to_lowercase()).cloned().unwrap_or(who)
}

/// Sets one salesperson's target for a month (managers).
pub fn set(session: &mut Session, salesperson: &str, month: &str, target: &str) -> Result<()> {
    session.require(Role::Manager)?;
    let mut errors = Vec::new();
    let who = salesperson_of(salesperson).map_err(|problem| errors.push(FieldError { field: "salesperson", problem }));
    let month = parse_month(month).map_err(|problem| errors.push(FieldError { field: "month", problem }));
    let amount = target_amount(target).map_err(|problem| errors.push(FieldError { field: "target", problem }));
    let (Ok(who), Ok(month), Ok(amount)) = (who, month, amount) else { return Err(Error::Invalid(errors)) };
    session.write(|tx, ctx| store(tx, ctx, &spelled(&spellings(tx)?, who), &month, amount))
}

fn store(tx: &rusqlite::Connection, ctx: &WriteCtx<'_>, who: &str, month: &str, amount: Money) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sales_targets (salesperson, month, target) VALUES (?1, ?2, ?3)
         ON CONFLICT (salesperson, month) DO UPDATE SET target = excluded.target",
    )?
    .execute((who, month, crate::db::products::minor(amount.to_minor())?))?;
    ctx.audit(tx, "target", "salesperson", None, format!("{who} {month} {amount}"))
}

fn stored(conn: &rusqlite::Connection) -> Result<BTreeMap<(String, String), Money>> {
    let mut stmt = conn.prepare_cached("SELECT salesperson, month, target FROM sales_targets")?;
    let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), Money::from_minor(r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn export(session: &Session, out: impl Write) -> Result<usize> {
    let mut writer = csv_io::SafeWriter::new(out);
    writer.row(COLUMNS.iter().copied())?;
    let all = stored(session.db.conn())?;
    for ((who, month), target) in &all {
        writer.row([who.as_str(), month.as_str(), &target.to_string()])?;
    }
    writer.finish()?;
    Ok(all.len())
}

/// Sets the targets in the file, all or none; lines as stored change nothing.
pub fn import(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    session.require(Role::Manager)?;
    let table = csv_io::read_table(bytes)?;
    let positions = csv_io::map_header(&table.headers, COLUMNS, COLUMNS)?;
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<ImportReport> {
        let now = stored(tx)?;
        let known = spellings(tx)?;
        let mut errors = Errors::default();
        let mut report = ImportReport { dry_run, ..Default::default() };
        let mut seen: HashMap<(String, String), u64> = HashMap::new();
        for record in &table.records {
            let cell = |i: usize| record.cell(&positions, i).unwrap_or("").trim().to_string();
            let (who, month, target) = (cell(0), cell(1), cell(2));
            let mut problem =
                |column: &str, value: &str, p: Problem| errors.push(record.line, column, value, describe_problem(&p));
            let checked = (salesperson_of(&who), parse_month(&month), target_amount(&target));
            let (who, month, amount) = match checked {
                (Ok(w), Ok(m), Ok(a)) => (spelled(&known, w), m, a),
                (w, m, a) => {
                    if let Err(p) = w {
                        problem("salesperson", &who, p);
                    }
                    if let Err(p) = m {
                        problem("month", &month, p);
                    }
                    if let Err(p) = a {
                        problem("target", &target, p);
                    }
                    continue;
                }
            };
            if let Some(first) = seen.insert((who.clone(), month.clone()), record.line) {
                errors.push(record.line, "month", &month, tf("csv.duplicate_in_file", &[("line", &first)]));
                continue;
            }
            match now.get(&(who.clone(), month.clone())) {
                Some(t) if *t == amount => report.unchanged += 1,
                Some(_) => {
                    report.updated += 1;
                    store(tx, ctx, &who, &month, amount)?;
                }
                None => {
                    report.created += 1;
                    store(tx, ctx, &who, &month, amount)?;
                }
            }
        }
        csv_io::finish_import(tx, ctx, errors, report, "targets")
    };
    session.write_or_rehearse(dry_run, work)
}

/// Demo targets: for each salesperson, each of the last 12 months and this one, a tenth
/// above what they sold on average a month, in round hundreds.
pub fn generate_demo(session: &mut Session) -> Result<usize> {
    let today = session.clock.today();
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    session.write(|tx, ctx| {
        let averages: Vec<(String, i64)> = tx
            .prepare("SELECT key, sum(net) / count(*) FROM sales_monthly WHERE dim = 'salesperson' AND key <> '' GROUP BY key")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut n = 0;
        for (who, average) in averages {
            let target = (average * 11 / 10 / 10_000 + 1) * 10_000;
            for back in 0..=12 {
                let Some(month) = this_month.checked_sub_months(chrono::Months::new(back)) else { continue };
                let month = format!("{}-{:02}", month.year(), month.month());
                store(tx, ctx, &who, &month, Money::from_minor(target))?;
                n += 1;
            }
        }
        Ok(n)
    })
}

/// How one salesperson stands in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub salesperson: String,
    pub target: Option<Money>,
    pub actual: Money,
    /// Actual as a percentage of target, one decimal.
    pub attainment: Option<Decimal>,
    pub rank: usize,
    /// Net of each of the 12 months up to this one, oldest first.
    pub trend: Vec<Money>,
    /// Open deals they own: value weighted by probability.
    pub pipeline: Money,
}

/// Everyone with a target or sales in `month`, best attainment first (then most sold).
pub fn standings(session: &Session, month: &str) -> Result<Vec<Standing>> {
    let conn = session.db.conn();
    let month = parse_month(month).map_err(|p| Error::BadArgument(format!("month: {}", describe_problem(&p))))?;
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap_or_default();
    let months: Vec<String> = (0..12)
        .rev()
        .filter_map(|back| first.checked_sub_months(chrono::Months::new(back)))
        .map(|d| format!("{}-{:02}", d.year(), d.month()))
        .collect();
    let mut actual: HashMap<(String, String), i64> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT key, month, net FROM sales_monthly WHERE dim = 'salesperson' AND key <> '' AND month >= ?1 AND month <= ?2",
    )?;
    for row in stmt.query_map((&months[0], &month), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
        let (who, m, net): (String, String, i64) = row?;
        actual.insert((who, m), net);
    }
    let targets = stored(conn)?;
    let mut people: Vec<String> = targets.keys().filter(|(_, m)| *m == month).map(|(w, _)| w.clone()).collect();
    people.extend(actual.keys().filter(|(_, m)| *m == month).map(|(w, _)| w.clone()));
    people.sort();
    people.dedup();
    let mut pipeline: HashMap<String, i64> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT o.owner, sum(o.value * o.probability / 100) FROM opportunities o JOIN stages s ON s.code = o.stage
         WHERE s.outcome = 'open' GROUP BY o.owner",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (who, value): (String, i64) = row?;
        pipeline.insert(who, value);
    }
    let mut out: Vec<Standing> = people
        .into_iter()
        .map(|who| {
            let target = targets.get(&(who.clone(), month.clone())).copied();
            let actual_now = Money::from_minor(actual.get(&(who.clone(), month.clone())).copied().unwrap_or(0));
            let attainment = target.filter(|t| !t.is_zero()).map(|t| {
                let mut p = (actual_now.value() * Decimal::from(100) / t.value()).round_dp(1);
                p.rescale(1);
                p
            });
            let trend = months
                .iter()
                .map(|m| Money::from_minor(actual.get(&(who.clone(), m.clone())).copied().unwrap_or(0)))
                .collect();
            let pipeline = Money::from_minor(pipeline.get(&who).copied().unwrap_or(0));
            Standing { salesperson: who, target, actual: actual_now, attainment, rank: 0, trend, pipeline }
        })
        .collect();
    out.sort_by(|a, b| {
        b.attainment.unwrap_or(Decimal::MIN).cmp(&a.attainment.unwrap_or(Decimal::MIN)).then(b.actual.cmp(&a.actual))
    });
    for (i, s) in out.iter_mut().enumerate() {
        s.rank = i + 1;
    }
    Ok(out)
}

/// A row of block characters for a trend, one per month, scaled to the highest.
pub fn sparkline(values: &[Money]) -> String {
    let top = values.iter().map(|m| m.value()).max().unwrap_or_default();
    values
        .iter()
        .map(|m| {
            if top <= Decimal::ZERO || m.value() <= Decimal::ZERO {
                return ' ';
            }
            let step = (m.value() * Decimal::from(7) / top).round();
            let i = usize::try_from(rust_decimal::prelude::ToPrimitive::to_i64(&step).unwrap_or(0)).unwrap_or(0);
            ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'][i.min(7)]
        })
        .collect()
}

/// The standings as report rows.
pub fn report(session: &Session, month: &str) -> Result<super::stock_reports::Report> {
    let columns: &[&str] = &["rank", "salesperson", "target", "actual", "attainment", "last_12_months", "pipeline"];
    let rows = standings(session, month)?
        .into_iter()
        .map(|s| {
            vec![
                s.rank.to_string(),
                s.salesperson,
                s.target.map(|t| t.to_string()).unwrap_or_default(),
                s.actual.to_string(),
                s.attainment.map(|a| a.to_string()).unwrap_or_default(),
                sparkline(&s.trend),
                s.pipeline.to_string(),
            ]
        })
        .collect();
    Ok((columns, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_set_imported_and_measured_against_invoiced_sales() {
        let (mut s, number) = crate::ops::invoices::tests_support::shipped_order();
        s.db.conn().execute("UPDATE orders SET salesperson = 'maria'", []).unwrap();
        let d =
            crate::ops::invoices::draft_from_orders(&mut s, &[number], crate::ops::invoices::Basis::Ordered).unwrap();
        crate::ops::invoices::issue(&mut s, d.invoice.id, d.invoice.version).unwrap();
        set(&mut s, "maria", "2026-11", "20").unwrap();
        assert!(matches!(set(&mut s, "maria", "2026-13", "-1"), Err(Error::Invalid(e)) if e.len() == 2));
        let file = "salesperson,month,target\njonas,2026-11,100\nmaria,2026-11,20\njonas,2026-11,5\nkim,nov,x\n";
        let err = import(&mut s, file.as_bytes(), false).unwrap_err().to_string();
        assert!(err.contains("line 4") && err.contains("line 5"), "{err}");
        let file = "salesperson,month,target\njonas,2026-11,100\nmaria,2026-11,20\n";
        let done = import(&mut s, file.as_bytes(), false).unwrap();
        assert_eq!((done.created, done.unchanged), (1, 1));
        let mut out = Vec::new();
        export(&s, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "salesperson,month,target\r\njonas,2026-11,100.00\r\nmaria,2026-11,20.00\r\n"
        );
        let again = import(&mut s, &out, false).unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2), "importing the export changes nothing");

        // maria sold 13.98 of 20.00: 69.9 %, first; jonas nothing of 100.
        let board = standings(&s, "2026-11").unwrap();
        assert_eq!(board[0].salesperson, "maria");
        assert_eq!((board[0].actual.to_string(), board[0].attainment), ("13.98".into(), Some(Decimal::new(699, 1))));
        assert_eq!((board[1].salesperson.as_str(), board[1].rank), ("jonas", 2));
        assert_eq!(board[0].trend.len(), 12);
        assert_eq!(sparkline(&board[0].trend).chars().last(), Some('█'));

        // A salesperson typed in another case is the one the shop knows; a month needs its
        // four-digit year and says so.
        let file = "salesperson,month,target\nMaria,2026-11,30\njonas,26-01,5\nkim,2026-01-15,5\n";
        let err = import(&mut s, file.as_bytes(), false).unwrap_err().to_string();
        assert!(err.contains("line 3, column month: '26-01' is not a month; use YYYY-MM"), "{err}");
        assert!(err.contains("line 4, column month: '2026-01-15' is not a month"), "{err}");
        let done = import(&mut s, b"salesperson,month,target\nMaria,2026-11,30\n", false).unwrap();
        assert_eq!((done.created, done.updated), (0, 1));
        assert_eq!(standings(&s, "2026-11").unwrap()[0].salesperson, "maria");
        // Spellings stored already stay, so the export of a shop that has both comes back.
        s.db.conn()
            .execute_batch(
                "INSERT INTO sales_targets (salesperson, month, target) VALUES ('Kim', '2026-10', 500), ('kim', '2026-10', 600)",
            )
            .unwrap();
        let mut out = Vec::new();
        export(&s, &mut out).unwrap();
        let again = import(&mut s, &out, false).unwrap();
        assert_eq!((again.created, again.updated), (0, 0), "{again:?}");
    }
}

//! Sales opportunities: create and edit them, move them through the stages, the board and
//! the filtered list, and CSV.

use std::io::Write;

use rusqlite::Connection;

use super::csv_io::{self, Errors, SafeWriter};
use super::csv_stream::CsvStream;
use super::sales_history::Input;
use super::{Session, WriteCtx};
use crate::db::pipeline::{self as repo, Filter, Opportunity, Record, Totals};
use crate::db::{self, customers as customer_repo};
use crate::domain::fields::{FieldError, Problem};
use crate::domain::ids::CustomerId;
use crate::domain::money::Money;
use crate::domain::pipeline::{self as rules, OpportunityData, OpportunityInput, Outcome, Stage, StageInput};
use crate::error::{Error, Result, describe_problem};
use crate::i18n::tf;

const COUNTER: &str = "opportunity_code";

pub fn stages(session: &Session) -> Result<Vec<Stage>> {
    repo::stages(session.db.conn())
}

fn as_record<'a>(data: &'a OpportunityData, close: &'a str) -> Record<'a> {
    Record {
        title: &data.title,
        stage: &data.stage,
        value: data.value,
        probability: data.probability,
        expected_close: close,
        owner: &data.owner,
        next_step: &data.next_step,
        lost_reason: &data.lost_reason,
    }
}

fn next_code(conn: &Connection) -> Result<String> {
    loop {
        let code = format!("P{:06}", db::meta::take_next(conn, COUNTER)?);
        if repo::find(conn, &code)?.is_none() {
            return Ok(code);
        }
    }
}

pub fn create(session: &mut Session, customer: CustomerId, input: &OpportunityInput) -> Result<Opportunity> {
    let stages = stages(session)?;
    let data = rules::validate_opportunity(input, &stages).map_err(Error::Invalid)?;
    let id = session.write(|tx, ctx| {
        if customer_repo::get(tx, customer)?.is_none() {
            return Err(Error::NotFound { what: customer.to_string() });
        }
        let code = next_code(tx)?;
        let close = data.expected_close.map(|d| d.to_string()).unwrap_or_default();
        let id = repo::insert(tx, &code, customer, &as_record(&data, &close), &ctx.now)?;
        ctx.audit(tx, "create-opportunity", "customer", Some(customer.0), format!("{code} {}", data.title))?;
        Ok(id)
    })?;
    repo::get(session.db.conn(), id)?.ok_or_else(|| Error::NotFound { what: id.to_string() })
}

/// Saves an edit of `current` (as it was at its version).
pub fn update(session: &mut Session, current: &Opportunity, input: &OpportunityInput) -> Result<Opportunity> {
    let stages = stages(session)?;
    let data = rules::validate_opportunity(input, &stages).map_err(Error::Invalid)?;
    save(session, current, &data, "update-opportunity")
}

fn save(session: &mut Session, current: &Opportunity, data: &OpportunityData, action: &str) -> Result<Opportunity> {
    session.write(|tx, ctx| {
        let close = data.expected_close.map(|d| d.to_string()).unwrap_or_default();
        repo::update(tx, current.id, current.version, current.customer_id, &as_record(data, &close), &ctx.now)?;
        let detail = format!("{} {}", current.code, data.stage);
        ctx.audit(tx, action, "customer", Some(current.customer_id.0), detail)
    })?;
    repo::get(session.db.conn(), current.id)?.ok_or_else(|| Error::NotFound { what: current.code.clone() })
}

/// The form's view of an existing opportunity.
pub fn input_of(opportunity: &Opportunity) -> OpportunityInput {
    OpportunityInput {
        title: opportunity.title.clone(),
        stage: opportunity.stage.clone(),
        value: opportunity.value.to_string(),
        probability: opportunity.probability.to_string(),
        expected_close: opportunity.expected_close.clone(),
        owner: opportunity.owner.clone(),
        next_step: opportunity.next_step.clone(),
        lost_reason: opportunity.lost_reason.clone(),
    }
}

/// Moves a deal to `stage`; its probability becomes the stage's. Moving to a lost stage
/// needs the reason (refused as a field error on `lost_reason` without one). Winning records
/// the deal as won with its value; orders will start from won deals once they exist.
pub fn move_to(session: &mut Session, current: &Opportunity, stage: &str, lost_reason: &str) -> Result<Opportunity> {
    let stages = stages(session)?;
    let target = stages.iter().find(|s| s.code.eq_ignore_ascii_case(stage)).ok_or_else(|| {
        Error::Invalid(vec![FieldError { field: "stage", problem: Problem::UnknownStage { known: Vec::new() } }])
    })?;
    let reason =
        if lost_reason.trim().is_empty() { current.lost_reason.clone() } else { lost_reason.trim().to_string() };
    let input = OpportunityInput {
        stage: target.code.clone(),
        probability: target.probability.to_string(),
        lost_reason: if target.outcome == Outcome::Lost { reason } else { String::new() },
        ..input_of(current)
    };
    let data = rules::validate_opportunity(&input, &stages).map_err(Error::Invalid)?;
    save(session, current, &data, "move-opportunity")
}

/// The open stage before or after the deal's, in rank order: `<` and `>` walk the
/// pipeline, never into won or lost (those have their own keys). From won or lost, back
/// reopens the deal in the last open stage.
pub fn neighbour(stages: &[Stage], stage: &str, forward: bool) -> Option<String> {
    let open: Vec<&Stage> = stages.iter().filter(|s| s.outcome == Outcome::Open).collect();
    match open.iter().position(|s| s.code == stage) {
        Some(index) => {
            let next = if forward { index.checked_add(1)? } else { index.checked_sub(1)? };
            open.get(next).map(|s| s.code.clone())
        }
        None if !forward => open.last().map(|s| s.code.clone()),
        None => None,
    }
}

/// The first stage with this outcome (won or lost).
pub fn stage_for(stages: &[Stage], outcome: Outcome) -> Option<String> {
    stages.iter().find(|s| s.outcome == outcome).map(|s| s.code.clone())
}

/// Where a deal stands within its stage's column (for showing it after a move).
pub fn position_in_stage(session: &Session, deal: &Opportunity) -> Result<usize> {
    repo::position_in_stage(session.db.conn(), &deal.stage, &deal.expected_close, deal.id)
}

/// One board column.
#[derive(Debug, Clone)]
pub struct Column {
    pub stage: Stage,
    pub totals: Totals,
    pub cards: Vec<Opportunity>,
}

/// Every stage with its kept totals and a page of its deals (`offsets[i]` into column i).
pub fn board(session: &Session, offsets: &[usize], cards: usize) -> Result<Vec<Column>> {
    let totals = repo::totals(session.db.conn())?;
    let mut columns = Vec::new();
    for (i, stage) in stages(session)?.into_iter().enumerate() {
        let offset = offsets.get(i).copied().unwrap_or(0);
        let cards = repo::in_stage(session.db.conn(), &stage.code, offset, cards)?;
        let totals = totals.iter().find(|(s, _)| *s == stage.code).map(|(_, t)| *t).unwrap_or_default();
        columns.push(Column { stage, totals, cards });
    }
    Ok(columns)
}

/// Open pipeline in all: deals, value and weighted value of the open stages.
pub fn open_totals(columns: &[Column]) -> Totals {
    let open = columns.iter().filter(|c| c.stage.outcome == Outcome::Open).fold(Totals::default(), |acc, c| Totals {
        count: acc.count + c.totals.count,
        value: acc.value + c.totals.value,
        weighted_raw: acc.weighted_raw + c.totals.weighted_raw,
        weighted: Money::ZERO,
    });
    Totals { weighted: repo::weighted_money(open.weighted_raw), ..open }
}

/// `owner:alice stage:proposal month:2026-12 cakes` -> a filter.
pub fn parse_filter(text: &str) -> Filter {
    let mut filter = Filter::default();
    let mut words = Vec::new();
    for word in text.split_whitespace() {
        match word.split_once(':') {
            Some(("owner", v)) if !v.is_empty() => filter.owner = Some(v.to_string()),
            Some(("stage", v)) if !v.is_empty() => filter.stage = Some(v.to_string()),
            Some(("month", v)) if !v.is_empty() => filter.month = Some(v.to_string()),
            _ => words.push(word),
        }
    }
    filter.text = words.join(" ");
    filter
}

pub fn list(session: &Session, filter: &Filter, offset: usize, limit: usize) -> Result<(Vec<Opportunity>, usize)> {
    repo::list(session.db.conn(), filter, offset, limit)
}

pub fn of_customer(session: &Session, customer: CustomerId) -> Result<Vec<Opportunity>> {
    repo::of_customer(session.db.conn(), customer)
}

/// A customer's deals still in an open stage.
pub fn open_deals_of(session: &Session, customer: CustomerId) -> Result<Vec<Opportunity>> {
    let open: Vec<String> =
        stages(session)?.into_iter().filter(|s| s.outcome == Outcome::Open).map(|s| s.code).collect();
    Ok(of_customer(session, customer)?.into_iter().filter(|d| open.contains(&d.stage)).collect())
}

pub const COLUMNS: &[&str] = &[
    "code",
    "customer",
    "title",
    "stage",
    "value",
    "probability",
    "expected_close",
    "owner",
    "next_step",
    "lost_reason",
    "created",
    "updated",
];

/// A deal as a CSV line, in `COLUMNS` order: the export, and what an import keeps for the
/// columns its file does not have.
fn row_of(o: &Opportunity) -> Vec<String> {
    vec![
        o.code.clone(),
        o.customer_code.clone(),
        o.title.clone(),
        o.stage.clone(),
        o.value.to_string(),
        o.probability.to_string(),
        o.expected_close.clone(),
        o.owner.clone(),
        o.next_step.clone(),
        o.lost_reason.clone(),
        o.created_at.clone(),
        o.updated_at.clone(),
    ]
}

pub fn export(session: &Session, out: impl Write) -> Result<usize> {
    export_some(session, &|_| true, out)
}

/// `export` of the opportunities whose id `keep` says: the filtered list's rows.
pub fn export_some(session: &Session, keep: &dyn Fn(i64) -> bool, out: impl Write) -> Result<usize> {
    let mut writer = SafeWriter::new(out);
    writer.row(COLUMNS.iter().copied())?;
    let mut n = 0;
    repo::for_each(session.db.conn(), |o| {
        if !keep(o.id) {
            return Ok(());
        }
        n += 1;
        writer.row(row_of(&o).iter().map(String::as_str))
    })?;
    writer.finish()?;
    Ok(n)
}

pub use super::customers::ImportReport;

/// Imports opportunities all-or-nothing, matched by code; customers by their code.
pub fn import(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    import_input(session, &Input::from_bytes(bytes), dry_run)
}

/// `import` reading the file a record at a time: memory holds one deal and the codes met.
pub fn import_input(session: &mut Session, input: &Input, dry_run: bool) -> Result<ImportReport> {
    let (mut stream, positions) = CsvStream::open_table(input.open()?, COLUMNS, &["customer", "title", "stage"])?;
    let stages = stages(session)?;
    let work = |tx: &rusqlite::Transaction<'_>, ctx: &WriteCtx<'_>| -> Result<ImportReport> {
        let mut errors = Errors::default();
        let mut report = ImportReport { dry_run, ..Default::default() };
        let mut seen = std::collections::HashMap::new();
        // Deals this import made or matched a line without a code to: one line each.
        let mut accounted: std::collections::HashSet<i64> = std::collections::HashSet::new();
        while let Some(line) = stream.next_record(&mut errors)? {
            let record = &stream.record(line);
            let code_index = COLUMNS.iter().position(|c| *c == "code");
            let code = code_index.and_then(|i| record.cell(&positions, i)).unwrap_or("").trim().to_string();
            // A matched deal keeps what the file does not mention.
            let stored = if code.is_empty() { None } else { repo::find(tx, &code)?.as_ref().map(row_of) };
            let cell = |column: &str| -> String {
                let Some(i) = COLUMNS.iter().position(|c| *c == column) else { return String::new() };
                record
                    .cell(&positions, i)
                    .or_else(|| stored.as_ref().and_then(|row| row.get(i)).map(String::as_str))
                    .unwrap_or("")
                    .to_string()
            };
            if !code.is_empty()
                && let Some(first) = seen.insert(code.to_ascii_lowercase(), line)
            {
                errors.push(line, "code", &code, tf("csv.duplicate_in_file", &[("line", &first)]));
            }
            let customer = customer_repo::find_by_code(tx, cell("customer").trim())?.map(|c| c.id);
            if customer.is_none() {
                errors.push(line, "customer", &cell("customer"), describe_problem(&Problem::UnknownCustomer));
            }
            let input = OpportunityInput {
                title: cell("title"),
                stage: cell("stage"),
                value: cell("value"),
                probability: cell("probability"),
                expected_close: cell("expected_close"),
                owner: cell("owner"),
                next_step: cell("next_step"),
                lost_reason: cell("lost_reason"),
            };
            let data = match rules::validate_opportunity(&input, &stages) {
                Ok(data) => data,
                Err(problems) => {
                    for p in problems {
                        errors.push(line, p.field, &cell(p.field), describe_problem(&p.problem));
                    }
                    continue;
                }
            };
            let times: Vec<Option<String>> = ["created", "updated"]
                .iter()
                .map(|column| {
                    let value = record.named(&positions, COLUMNS, column);
                    if value.is_empty() {
                        return None;
                    }
                    let parsed = super::customers::parse_time_cell(value);
                    if parsed.is_none() {
                        errors.push(line, column, value, crate::i18n::t("csv.bad_time").to_string());
                    }
                    parsed
                })
                .collect();
            let (Some(customer), true) = (customer, errors.is_empty()) else { continue };
            let close = data.expected_close.map(|d| d.to_string()).unwrap_or_default();
            let fields = as_record(&data, &close);
            let existing = if code.is_empty() { None } else { repo::find(tx, &code)? };
            let created = times[0].clone().unwrap_or_else(|| ctx.now.clone());
            // Not given: a new deal's is its creation; a stored one's is kept when nothing
            // changes, and is now when something does.
            let updated = times[1].clone().or(existing.is_none().then(|| created.clone()));
            // Without a code: the same deal stored already, when every cell given agrees (an
            // empty time is not given: it would be now).
            if code.is_empty() {
                let has = |column: &str| {
                    COLUMNS.iter().position(|c| *c == column).is_some_and(|i| record.cell(&positions, i).is_some())
                };
                let stored = repo::titled(tx, customer, &data.title)?.into_iter().find(|o| {
                    !accounted.contains(&o.id)
                        && (!has("stage") || o.stage == data.stage)
                        && (!has("value") || o.value == data.value)
                        && (!has("probability") || o.probability == data.probability)
                        && (!has("expected_close") || o.expected_close == close)
                        && (!has("owner") || o.owner == data.owner)
                        && (!has("next_step") || o.next_step == data.next_step)
                        && (!has("lost_reason") || o.lost_reason == data.lost_reason)
                        && times[0].as_ref().is_none_or(|t| o.created_at == *t)
                        && times[1].as_ref().is_none_or(|t| o.updated_at == *t)
                });
                if let Some(o) = stored {
                    accounted.insert(o.id);
                    report.unchanged += 1;
                    continue;
                }
            }
            match existing {
                None => {
                    let code = if code.is_empty() { next_code(tx)? } else { code };
                    let id = repo::insert(tx, &code, customer, &fields, &created)?;
                    accounted.insert(id);
                    repo::set_updated(tx, id, updated.as_deref().unwrap_or(&created))?;
                    report.created += 1;
                }
                Some(current) => {
                    let same = current.customer_id == customer
                        && (current.title.as_str(), current.stage.as_str(), current.value, current.probability)
                            == (data.title.as_str(), data.stage.as_str(), data.value, data.probability)
                        && (current.expected_close.as_str(), current.owner.as_str(), current.next_step.as_str())
                            == (close.as_str(), data.owner.as_str(), data.next_step.as_str())
                        && current.lost_reason == data.lost_reason
                        && updated.as_ref().is_none_or(|u| current.updated_at == *u);
                    if same {
                        report.unchanged += 1;
                        continue;
                    }
                    repo::update(
                        tx,
                        current.id,
                        current.version,
                        customer,
                        &fields,
                        updated.as_ref().unwrap_or(&ctx.now),
                    )?;
                    report.updated += 1;
                }
            }
        }
        csv_io::finish_import(tx, ctx, errors, report, "opportunity")
    };
    session.write_or_rehearse(dry_run, work)
}

pub const STAGE_COLUMNS: &[&str] = &["code", "name", "rank", "probability", "outcome"];

/// Why a stage may not take this outcome: it holds deals and would turn them won or lost
/// (or back) without anyone deciding so deal by deal.
fn outcome_change_refused(current: &[Stage], totals: &[(String, Totals)], stage: &Stage) -> Option<String> {
    let held = totals.iter().find(|(s, _)| s.eq_ignore_ascii_case(&stage.code)).map(|(_, t)| t.count).unwrap_or(0);
    let changes = current.iter().any(|s| s.code.eq_ignore_ascii_case(&stage.code) && s.outcome != stage.outcome);
    (changes && held > 0).then(|| tf("pipeline.outcome_in_use", &[("count", &held)]))
}

/// Renames, re-ranks or adds a stage (a manager's setting).
pub fn save_stage(session: &mut Session, input: &StageInput) -> Result<Stage> {
    session.require(crate::domain::user::Role::Manager)?;
    let stage = rules::validate_stage(input).map_err(Error::Invalid)?;
    let current = stages(session)?;
    let totals = repo::totals(session.db.conn())?;
    if let Some(reason) = outcome_change_refused(&current, &totals, &stage) {
        return Err(Error::Refused(format!("{}: {reason}", stage.code)));
    }
    session.write(|tx, ctx| {
        repo::upsert_stage(tx, &stage)?;
        ctx.audit(tx, "save", "stage", None, format!("{} {}", stage.code, stage.name))
    })?;
    Ok(stage)
}

pub fn stage_input_of(stage: &Stage) -> StageInput {
    StageInput {
        code: stage.code.clone(),
        name: stage.name.clone(),
        rank: stage.rank.to_string(),
        probability: stage.probability.to_string(),
        outcome: stage.outcome.as_str().to_string(),
    }
}

pub fn export_stages(session: &Session, out: impl Write) -> Result<usize> {
    let mut writer = SafeWriter::new(out);
    writer.row(STAGE_COLUMNS.iter().copied())?;
    let stages = stages(session)?;
    for s in &stages {
        let (rank, probability) = (s.rank.to_string(), s.probability.to_string());
        writer.row([s.code.as_str(), &s.name, &rank, &probability, s.outcome.as_str()])?;
    }
    writer.finish()?;
    Ok(stages.len())
}

/// Renames, re-ranks or adds stages (matched by code); a manager's setting.
pub fn import_stages(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    session.require(crate::domain::user::Role::Manager)?;
    let table = csv_io::read_table(bytes)?;
    let positions =
        csv_io::map_header(&table.headers, STAGE_COLUMNS, &["code", "name", "rank", "probability", "outcome"])?;
    let current = stages(session)?;
    let totals = repo::totals(session.db.conn())?;
    session.write_or_rehearse(dry_run, |tx, ctx| {
        let mut seen = std::collections::HashMap::new();
        let mut errors = Errors::default();
        let mut report = ImportReport { dry_run, ..Default::default() };
        for record in &table.records {
            let cell = |c: &str| {
                STAGE_COLUMNS.iter().position(|k| *k == c).and_then(|i| record.cell(&positions, i)).unwrap_or("")
            };
            let line = record.line;
            let input = StageInput {
                code: cell("code").to_string(),
                name: cell("name").to_string(),
                rank: cell("rank").to_string(),
                probability: cell("probability").to_string(),
                outcome: cell("outcome").to_string(),
            };
            let stage = match rules::validate_stage(&input) {
                Ok(stage) => stage,
                Err(problems) => {
                    for p in problems {
                        errors.push(line, p.field, cell(p.field), describe_problem(&p.problem));
                    }
                    continue;
                }
            };
            if !errors.is_empty() {
                continue;
            }
            let code = stage.code.clone();
            if let Some(first) = seen.insert(code.clone(), line) {
                errors.push(line, "code", &code, tf("csv.duplicate_in_file", &[("line", &first)]));
                continue;
            }
            if let Some(problem) = outcome_change_refused(&current, &totals, &stage) {
                errors.push(line, "outcome", cell("outcome"), problem);
                continue;
            }
            match current.iter().find(|s| s.code.eq_ignore_ascii_case(&stage.code)) {
                Some(same) if *same == Stage { code: same.code.clone(), ..stage.clone() } => report.unchanged += 1,
                Some(_) => report.updated += 1,
                None => report.created += 1,
            }
            repo::upsert_stage(tx, &stage)?;
        }
        csv_io::finish_import(tx, ctx, errors, report, "stage")
    })
}

/// The pipeline report: per stage the deals, value and weighted value, then the open total.
pub fn report_rows(session: &Session) -> Result<Vec<Vec<String>>> {
    let columns = board(session, &[], 0)?;
    let mut rows: Vec<Vec<String>> = columns
        .iter()
        .map(|c| {
            vec![
                c.stage.code.clone(),
                c.stage.name.clone(),
                c.totals.count.to_string(),
                c.totals.value.to_string(),
                c.stage.probability.to_string(),
                c.totals.weighted.to_string(),
            ]
        })
        .collect();
    let open = open_totals(&columns);
    rows.push(vec![
        "open".into(),
        crate::i18n::t("pipeline.open_total").to_string(),
        open.count.to_string(),
        open.value.to_string(),
        String::new(),
        open.weighted.to_string(),
    ]);
    Ok(rows)
}

/// Weighted value of a single deal, for lists.
pub fn weighted(opportunity: &Opportunity) -> Money {
    rules::weighted(opportunity.value, opportunity.probability)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::ops::testing::shop;
    use crate::ops::{Clock, customers};

    fn deal(title: &str, stage: &str, value: &str) -> OpportunityInput {
        OpportunityInput { title: title.into(), stage: stage.into(), value: value.into(), ..Default::default() }
    }

    fn totals_of(s: &Session, stage: &str) -> Totals {
        board(s, &[], 0).unwrap().into_iter().find(|c| c.stage.code == stage).unwrap().totals
    }

    #[test]
    fn moving_deals_keeps_stage_totals_exact() {
        let (mut s, ana) = shop();
        let cakes = create(&mut s, ana, &deal("Wedding cakes", "lead", "1000.00")).unwrap();
        create(&mut s, ana, &deal("Office lunch", "proposal", "333.33")).unwrap();
        assert_eq!(totals_of(&s, "lead").weighted.to_string(), "100.00");
        assert_eq!(totals_of(&s, "proposal").weighted.to_string(), "166.67");
        let moved = move_to(&mut s, &cakes, "negotiation", "").unwrap();
        assert_eq!((moved.stage.as_str(), moved.probability), ("negotiation", 75));
        assert_eq!(totals_of(&s, "lead").count, 0);
        assert_eq!(totals_of(&s, "negotiation").weighted.to_string(), "750.00");
        let open = open_totals(&board(&s, &[], 0).unwrap());
        assert_eq!(
            (open.count, open.value.to_string(), open.weighted.to_string()),
            (2, "1333.33".into(), "916.67".into())
        );
        assert!(crate::db::pipeline::total_problems(s.db.conn()).unwrap().is_empty());
    }

    #[test]
    fn losing_needs_a_reason_and_winning_is_recorded() {
        let (mut s, ana) = shop();
        let deal_a = create(&mut s, ana, &deal("Catering", "proposal", "500")).unwrap();
        let err = move_to(&mut s, &deal_a, "lost", "").unwrap_err();
        assert!(matches!(&err, Error::Invalid(e) if e[0].field == "lost_reason"), "{err:?}");
        let lost = move_to(&mut s, &deal_a, "lost", "Too expensive").unwrap();
        assert_eq!((lost.probability, lost.lost_reason.as_str()), (0, "Too expensive"));
        let won = move_to(&mut s, &lost, "won", "").unwrap();
        assert_eq!((won.probability, won.lost_reason.as_str()), (100, ""));
        assert_eq!(totals_of(&s, "won").value.to_string(), "500.00");
        assert!(matches!(move_to(&mut s, &lost, "lead", ""), Err(Error::Conflict { .. })), "stale copy");
    }

    #[test]
    fn filters_by_owner_stage_month_and_words() {
        let (mut s, ana) = shop();
        let mut a = deal("Wedding cakes", "lead", "10");
        a.owner = "alice".into();
        a.expected_close = "2026-12-15".into();
        create(&mut s, ana, &a).unwrap();
        create(&mut s, ana, &deal("Office lunch", "proposal", "10")).unwrap();
        let filter = parse_filter("owner:ALICE month:2026-12 cakes");
        assert_eq!(filter.owner.as_deref(), Some("ALICE"));
        let (rows, total) = list(&s, &filter, 0, 10).unwrap();
        assert_eq!((total, rows[0].title.as_str()), (1, "Wedding cakes"));
        assert_eq!(list(&s, &parse_filter("stage:proposal"), 0, 10).unwrap().1, 1);
        assert_eq!(list(&s, &parse_filter(""), 0, 10).unwrap().1, 2);
    }

    #[test]
    fn opportunities_round_trip_through_csv() {
        let (mut s, ana) = shop();
        let mut a = deal("=Wedding cakes", "negotiation", "1234.56");
        a.next_step = "Send the tasting menu".into();
        create(&mut s, ana, &a).unwrap();
        let lost = create(&mut s, ana, &deal("Catering", "proposal", "99")).unwrap();
        move_to(&mut s, &lost, "lost", "Chose a competitor").unwrap();
        let (mut file, mut people) = (Vec::new(), Vec::new());
        export(&s, &mut file).unwrap();
        customers::export(&s, &mut people).unwrap();
        let mut other = Session::start(Db::open_in_memory().unwrap(), "bob", Clock::System).unwrap();
        customers::import(&mut other, &people, false).unwrap();
        assert_eq!(import(&mut other, &file, false).unwrap().created, 2);
        let mut again = Vec::new();
        export(&other, &mut again).unwrap();
        assert_eq!(String::from_utf8(again).unwrap(), String::from_utf8(file.clone()).unwrap());
        assert_eq!(import(&mut other, &file, false).unwrap().unchanged, 2);
        let mut stages_file = Vec::new();
        export_stages(&s, &mut stages_file).unwrap();
        let text =
            String::from_utf8(stages_file).unwrap().replace("Proposal", "Offer sent") + "tasting,Tasting,3,40,open\r\n";
        let report = import_stages(&mut s, text.as_bytes(), false).unwrap();
        assert_eq!((report.created, report.updated, report.unchanged), (1, 1, 5));
        assert_eq!(stages(&s).unwrap().iter().find(|st| st.code == "proposal").unwrap().name, "Offer sent");
        assert_eq!(board(&s, &[], 0).unwrap().len(), 7, "the new stage has a column");
        let err =
            import_stages(&mut s, b"code,name,rank,probability,outcome\nnegotiation,Negotiation,4,75,lost\n", false)
                .unwrap_err()
                .to_string();
        assert!(err.contains("line 2, column outcome") && err.contains("holds 1 deal:"), "{err}");
        let bad = b"customer,title,stage,value\nC000001,x,maybe,abc\n";
        let err = import(&mut other, bad, false).unwrap_err().to_string();
        assert!(err.contains("line 2, column stage: 'maybe'") && err.contains("line 2, column value: 'abc'"), "{err}");
    }

    #[test]
    fn a_partial_file_keeps_a_deals_other_fields() {
        let (mut s, ana) = shop();
        let mut a = deal("Hampers", "proposal", "2400");
        a.owner = "alice".into();
        let created = create(&mut s, ana, &a).unwrap();
        let file = format!("code,customer,title,stage\n{},C000001,Hampers XL,proposal\n", created.code);
        assert_eq!(import(&mut s, file.as_bytes(), false).unwrap().updated, 1);
        let after = crate::db::pipeline::find(s.db.conn(), &created.code).unwrap().unwrap();
        assert_eq!(
            (after.title.as_str(), after.value.to_string().as_str(), after.owner.as_str()),
            ("Hampers XL", "2400.00", "alice")
        );
    }
}

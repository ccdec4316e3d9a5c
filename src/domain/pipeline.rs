//! Sales opportunities through a pipeline of stages: validation, and the weighted value
//! that says what the pipeline is worth.

use chrono::NaiveDate;

use super::fields::{Checker, FieldError, Problem, check_text, parse_date};
use super::money::Money;

/// How a stage ends a deal, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Open,
    Won,
    Lost,
}

impl Outcome {
    pub fn parse(text: &str) -> Outcome {
        match text {
            "won" => Outcome::Won,
            "lost" => Outcome::Lost,
            _ => Outcome::Open,
        }
    }
}

/// A pipeline stage as the shop defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub code: String,
    pub name: String,
    pub rank: i64,
    /// The probability a deal in this stage gets by default, in percent.
    pub probability: u8,
    pub outcome: Outcome,
}

/// An opportunity as typed or imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityInput {
    pub title: String,
    pub stage: String,
    pub value: String,
    /// Empty takes the stage's default.
    pub probability: String,
    pub expected_close: String,
    pub owner: String,
    pub next_step: String,
    pub lost_reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpportunityData {
    pub title: String,
    /// The stage's code as the shop spells it.
    pub stage: String,
    pub value: Money,
    pub probability: u8,
    pub expected_close: Option<NaiveDate>,
    pub owner: String,
    pub next_step: String,
    pub lost_reason: String,
}

pub fn validate_opportunity(input: &OpportunityInput, stages: &[Stage]) -> Result<OpportunityData, Vec<FieldError>> {
    let mut check = Checker::default();
    let title = check.take("title", check_text(&input.title, true, 200, false));
    let stage = check.take(
        "stage",
        stages
            .iter()
            .find(|s| s.code.eq_ignore_ascii_case(input.stage.trim()))
            .cloned()
            .map(Some)
            .ok_or_else(|| Problem::UnknownStage { known: stages.iter().map(|s| s.code.clone()).collect() }),
    );
    let value = check.take("value", parse_value(&input.value));
    let default_probability = stage.as_ref().map(|s| s.probability).unwrap_or(0);
    let probability = check.take("probability", parse_percent(&input.probability, default_probability));
    let expected_close = check.take("expected_close", parse_date(&input.expected_close));
    let owner = check.take("owner", check_text(&input.owner, false, 64, false));
    let next_step = check.take("next_step", check_text(&input.next_step, false, 200, false));
    let lost_reason = check.take("lost_reason", check_text(&input.lost_reason, false, 500, false));
    if stage.as_ref().is_some_and(|s| s.outcome == Outcome::Lost) && lost_reason.is_empty() {
        check.errors.push(FieldError { field: "lost_reason", problem: Problem::NeedsLostReason });
    }
    check.finish(OpportunityData {
        title,
        stage: stage.map(|s| s.code).unwrap_or_default(),
        value,
        probability,
        expected_close,
        owner,
        next_step,
        lost_reason,
    })
}

/// The largest deal value accepted.
pub const MAX_VALUE: i64 = 10_000_000_000;

fn parse_value(text: &str) -> Result<Money, Problem> {
    if text.trim().is_empty() {
        return Ok(Money::ZERO);
    }
    let value = Money::parse(text).map_err(Problem::InvalidAmount)?;
    // Ten billion keeps value x probability within SQLite's 64-bit integers.
    if value.value().is_sign_negative() || value.value() > rust_decimal::Decimal::from(MAX_VALUE) {
        return Err(Problem::OutOfRange { min: 0, max: Some(MAX_VALUE) });
    }
    Ok(value)
}

fn parse_percent(text: &str, default: u8) -> Result<u8, Problem> {
    let text = text.trim().trim_end_matches('%').trim();
    if text.is_empty() {
        return Ok(default);
    }
    let n: i64 = text.parse().map_err(|_| Problem::NotAWholeNumber)?;
    u8::try_from(n).ok().filter(|n| *n <= 100).ok_or(Problem::OutOfRange { min: 0, max: Some(100) })
}

/// A stage as typed or imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StageInput {
    pub code: String,
    pub name: String,
    pub rank: String,
    pub probability: String,
    pub outcome: String,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Won => "won",
            Outcome::Lost => "lost",
        }
    }
}

/// Checks a stage: a lower-case code, a name, a rank 1-99, a default probability 0-100, and
/// whether it is open, won or lost.
pub fn validate_stage(input: &StageInput) -> Result<Stage, Vec<FieldError>> {
    let mut check = Checker::default();
    let code = input.code.trim().to_lowercase();
    if code.is_empty() {
        check.errors.push(FieldError { field: "code", problem: Problem::Required });
    } else if !super::customer::valid_code(&code) {
        check.errors.push(FieldError { field: "code", problem: Problem::InvalidCode });
    }
    let name = check.take("name", check_text(&input.name, true, 40, false));
    let whole = |text: &str, min: i64, max: i64| -> Result<i64, Problem> {
        let n: i64 = text.trim().parse().map_err(|_| Problem::NotAWholeNumber)?;
        if (min..=max).contains(&n) { Ok(n) } else { Err(Problem::OutOfRange { min, max: Some(max) }) }
    };
    let rank = check.take("rank", whole(&input.rank, 1, 99));
    let probability = check.take("probability", whole(&input.probability, 0, 100));
    let outcome = match input.outcome.trim() {
        "open" => Some(Outcome::Open),
        "won" => Some(Outcome::Won),
        "lost" => Some(Outcome::Lost),
        _ => {
            check.errors.push(FieldError {
                field: "outcome",
                problem: Problem::NotOneOf { allowed: vec!["open", "won", "lost"] },
            });
            None
        }
    };
    check.finish(Stage {
        code,
        name,
        rank,
        probability: u8::try_from(probability).unwrap_or(0),
        outcome: outcome.unwrap_or(Outcome::Open),
    })
}

/// Value x probability, rounded to the cent: what the deal is worth today.
pub fn weighted(value: Money, probability: u8) -> Money {
    Money::round_from(value.value() * rust_decimal::Decimal::from(probability) / rust_decimal::Decimal::from(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages() -> Vec<Stage> {
        let stage = |code: &str, rank, probability, outcome| Stage {
            code: code.into(),
            name: code.into(),
            rank,
            probability,
            outcome,
        };
        vec![
            stage("lead", 1, 10, Outcome::Open),
            stage("proposal", 2, 50, Outcome::Open),
            stage("won", 3, 100, Outcome::Won),
            stage("lost", 4, 0, Outcome::Lost),
        ]
    }

    #[test]
    fn probability_defaults_to_the_stage() {
        let input = OpportunityInput {
            title: "Wedding cakes".into(),
            stage: "Proposal".into(),
            value: "1200,50".into(),
            ..Default::default()
        };
        let data = validate_opportunity(&input, &stages()).unwrap();
        assert_eq!((data.stage.as_str(), data.probability, data.value.to_minor().unwrap()), ("proposal", 50, 120_050));
        assert_eq!(weighted(data.value, data.probability).to_string(), "600.25");
    }

    #[test]
    fn weighted_value_rounds_half_away_from_zero() {
        assert_eq!(weighted(Money::parse("0.05").unwrap(), 50).to_string(), "0.03");
        assert_eq!(weighted(Money::parse("999.99").unwrap(), 33).to_string(), "330.00");
        assert_eq!(weighted(Money::parse("100").unwrap(), 0), Money::ZERO);
    }

    #[test]
    fn every_bad_field_is_named_and_lost_needs_a_reason() {
        let bad = OpportunityInput {
            title: "".into(),
            stage: "maybe".into(),
            value: "-5".into(),
            probability: "150".into(),
            expected_close: "soon".into(),
            ..Default::default()
        };
        let fields: Vec<_> = validate_opportunity(&bad, &stages()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["title", "stage", "value", "probability", "expected_close"]);
        let lost = OpportunityInput { title: "Catering".into(), stage: "lost".into(), ..Default::default() };
        let errors = validate_opportunity(&lost, &stages()).unwrap_err();
        assert_eq!(errors, vec![FieldError { field: "lost_reason", problem: Problem::NeedsLostReason }]);
        assert!(
            validate_opportunity(&OpportunityInput { lost_reason: "Too expensive".into(), ..lost }, &stages()).is_ok()
        );
    }
}

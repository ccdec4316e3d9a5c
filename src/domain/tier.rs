//! Customer tiers: the shop's segments and the terms each one gets.

use rust_decimal::Decimal;

use super::customer::valid_code;
use super::fields::{Checker, FieldError, Problem, check_text, integer, percent};
use super::money::Money;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierData {
    pub code: String,
    pub name: String,
    /// Order from the best tier (1) down.
    pub rank: i64,
    /// Default discount in percent, two decimals at most.
    pub discount: Decimal,
    /// Zero means no limit.
    pub credit_limit: Money,
    pub payment_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub data: TierData,
    pub version: i64,
}

/// A tier as typed or imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierInput {
    pub code: String,
    pub name: String,
    pub rank: String,
    pub discount: String,
    pub credit_limit: String,
    pub payment_days: String,
}

pub fn validate_tier(input: &TierInput) -> Result<TierData, Vec<FieldError>> {
    let mut check = Checker::default();
    let code = check.take(
        "code",
        check_text(&input.code, true, 16, false)
            .and_then(|c| if valid_code(&c) { Ok(c) } else { Err(Problem::InvalidCode) }),
    );
    let name = check.take("name", check_text(&input.name, true, 64, false));
    let rank = check.take("rank", integer(&input.rank, 1, 999, 99));
    let discount = check.take("discount", percent(&input.discount));
    let credit_limit = check.take(
        "credit_limit",
        if input.credit_limit.trim().is_empty() {
            Ok(Money::ZERO)
        } else {
            Money::parse(&input.credit_limit).map_err(Problem::InvalidAmount).and_then(|m| {
                if m.value().is_sign_negative() { Err(Problem::OutOfRange { min: 0, max: None }) } else { Ok(m) }
            })
        },
    );
    let payment_days = check.take("payment_days", integer(&input.payment_days, 0, 365, 30));
    check.finish(TierData { code, name, rank, discount, credit_limit, payment_days })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_terms_are_checked() {
        let good = TierInput {
            code: "GOLD".into(),
            name: "Gold".into(),
            rank: "2".into(),
            discount: "7,5 %".into(),
            credit_limit: "15000".into(),
            payment_days: "45".into(),
        };
        let data = validate_tier(&good).unwrap();
        assert_eq!((data.discount.to_string().as_str(), data.credit_limit.to_string().as_str()), ("7.5", "15000.00"));
        let bad = TierInput {
            code: "go ld".into(),
            name: "".into(),
            rank: "x".into(),
            discount: "101".into(),
            credit_limit: "-1".into(),
            payment_days: "400".into(),
        };
        let fields: Vec<_> = validate_tier(&bad).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["code", "name", "rank", "discount", "credit_limit", "payment_days"]);
        assert!(validate_tier(&TierInput { discount: "2.555".into(), ..good }).is_err(), "at most two decimals");
    }
}

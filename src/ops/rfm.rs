//! Tier suggestions from purchase behaviour: every customer who ever bought is scored on
//! recency, frequency and money over the chosen months (`domain::rfm`), and the score
//! mapped onto the shop's tiers. The screen and report list the customers whose tier would
//! change, with the figures behind each; a manager applies all, some or none.

use chrono::Months;

use super::Session;
use crate::db;
use crate::domain::ids::CustomerId;
use crate::domain::money::Money;
use crate::domain::rfm::{Purchases, Score, score, tier_index};
use crate::domain::user::Role;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub customer: CustomerId,
    pub code: String,
    pub name: String,
    /// The tier now ('' for none) and the one the score points to.
    pub current: String,
    pub suggested: String,
    pub days_since: i64,
    pub orders: i64,
    pub revenue: Money,
    pub score: Score,
}

/// The customers whose tier the last `months` of buying would change, best score first.
pub fn suggestions(session: &Session, months: u32) -> Result<Vec<Suggestion>> {
    let conn = session.db.conn();
    let today = session.clock.today();
    let from = today.checked_sub_months(Months::new(months)).unwrap_or(today);
    let tiers = db::meta::tier_codes(conn)?;
    if tiers.is_empty() {
        return Ok(Vec::new());
    }
    let bought = db::orders::purchases_since(conn, &from.to_string())?;
    if bought.len() < crate::domain::rfm::MIN_CUSTOMERS {
        return Ok(Vec::new());
    }
    let purchases: Vec<Purchases> = bought
        .iter()
        .map(|b| Purchases {
            customer: b.customer_id,
            days_since: chrono::NaiveDate::parse_from_str(&b.last, "%Y-%m-%d")
                .map(|d| (today - d).num_days().max(0))
                .unwrap_or(i64::MAX / 2),
            orders: b.orders,
            revenue: b.revenue,
        })
        .collect();
    let scores = score(&purchases);
    let mut found = Vec::new();
    for ((p, s), b) in purchases.iter().zip(scores).zip(bought) {
        let suggested = &tiers[tier_index(s.total(), tiers.len())];
        if b.tier.eq_ignore_ascii_case(suggested) {
            continue;
        }
        found.push(Suggestion {
            customer: CustomerId(b.customer_id),
            code: b.code,
            name: b.name,
            current: b.tier,
            suggested: suggested.clone(),
            days_since: p.days_since,
            orders: p.orders,
            revenue: p.revenue,
            score: s,
        });
    }
    found.sort_by(|a, b| {
        b.score.total().cmp(&a.score.total()).then(b.revenue.cmp(&a.revenue)).then(a.code.cmp(&b.code))
    });
    Ok(found)
}

/// Moves each customer to their suggested tier in one transaction. A manager's decision:
/// tiers carry discounts and credit limits.
pub fn apply(session: &mut Session, chosen: &[Suggestion]) -> Result<usize> {
    session.require(Role::Manager)?;
    session.write(|tx, ctx| {
        for s in chosen {
            db::customers::set_tier(tx, s.customer, &s.suggested)?;
            let detail = format!(
                "{} -> {} (R{} F{} M{})",
                s.current, s.suggested, s.score.recency, s.score.frequency, s.score.monetary
            );
            ctx.audit(tx, "tier-suggestion", "customer", Some(s.customer.0), detail)?;
        }
        Ok(chosen.len())
    })
}

pub fn report(session: &Session, months: u32) -> Result<super::stock_reports::Report> {
    let columns: &[&str] = &[
        "customer",
        "name",
        "tier",
        "suggested",
        "days_since",
        "orders",
        "revenue",
        "recency",
        "frequency",
        "monetary",
        "score",
    ];
    let rows = suggestions(session, months)?
        .into_iter()
        .map(|s| {
            vec![
                s.code,
                s.name,
                s.current,
                s.suggested,
                s.days_since.to_string(),
                s.orders.to_string(),
                s.revenue.to_string(),
                s.score.recency.to_string(),
                s.score.frequency.to_string(),
                s.score.monetary.to_string(),
                s.score.total().to_string(),
            ]
        })
        .collect();
    Ok((columns, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_follow_what_customers_bought_and_apply_moves_them() {
        let (mut s, _) = crate::ops::testing::shop();
        crate::ops::synth::generate(&mut s, 40, 3).unwrap();
        crate::ops::synth_stock::generate_stock(&mut s, 30, 500, 3).unwrap();
        crate::ops::synth_orders::generate_history(&mut s, 400, 3, false).unwrap();
        let found = suggestions(&s, 24).unwrap();
        assert!(!found.is_empty());
        for pair in found.windows(2) {
            assert!(pair[0].score.total() >= pair[1].score.total(), "best first");
        }
        let best = &found[0];
        assert!(best.orders > 0 && best.revenue > Money::ZERO);
        let applied = apply(&mut s, &found[..1]).unwrap();
        assert_eq!(applied, 1);
        let moved = crate::ops::customers::get(&s, best.customer).unwrap();
        assert_eq!(moved.data.tier, best.suggested);
        assert!(suggestions(&s, 24).unwrap().iter().all(|x| x.customer != best.customer), "applied ones drop out");
        s.operator.role = Role::Clerk;
        assert!(apply(&mut s, &found[1..2]).is_err(), "clerks may not");
    }
}

//! Payments: how a payment settles open invoices (the oldest due first unless invoices
//! are named), what is left over becomes the customer's credit, and where an invoice
//! stands.

use super::crm::choice;
use super::fields::Problem;
use super::money::Money;
use strum::{EnumIter, IntoEnumIterator};

choice!(
    /// How the money came.
    Method { Cash => "cash", Card => "card", BankTransfer => "bank_transfer", Mobile => "mobile", Other => "other" }
);

/// Where an issued invoice stands, from what it is paid and when it was due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Open,
    PartlyPaid,
    Paid,
    Overdue,
    /// Credit notes took all of it back.
    Credited,
}

/// Where an invoice of `gross` stands with `paid` received and `credited` taken back by
/// credit notes: what is owed is the gross less what was credited.
pub fn standing(gross: Money, paid: Money, credited: Money, due: &str, today: &str) -> Standing {
    if credited >= gross {
        Standing::Credited
    } else if paid + credited >= gross {
        Standing::Paid
    } else if !due.is_empty() && due < today {
        Standing::Overdue
    } else if paid.is_zero() {
        Standing::Open
    } else {
        Standing::PartlyPaid
    }
}

/// Splits `amount` over invoices `(id, still open)` in the order given: each takes what it
/// still needs; what no invoice takes is returned as credit.
pub fn settle(amount: Money, open: &[(i64, Money)]) -> (Vec<(i64, Money)>, Money) {
    let mut left = amount.value();
    let mut taken = Vec::new();
    for (id, owed) in open {
        if left <= rust_decimal::Decimal::ZERO {
            break;
        }
        let take = left.min(owed.value());
        if take > rust_decimal::Decimal::ZERO {
            taken.push((*id, Money::round_from(take)));
            left -= take;
        }
    }
    (taken, Money::round_from(left))
}

/// Days overdue into the ageing buckets: current, 1-30, 31-60, 61-90, over 90.
pub fn bucket(days_overdue: i64) -> usize {
    match days_overdue {
        i64::MIN..=0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

/// A typed amount of a payment: more than zero.
pub fn amount(text: &str) -> Result<Money, Problem> {
    let money = Money::parse(text).map_err(Problem::InvalidAmount)?;
    if money.value() > rust_decimal::Decimal::ZERO { Ok(money) } else { Err(Problem::MustBePositive) }
}

pub fn methods() -> Vec<Method> {
    Method::iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    #[test]
    fn a_payment_settles_in_order_and_the_rest_is_credit() {
        let (taken, credit) = settle(m("150"), &[(1, m("100")), (2, m("30")), (3, m("80"))]);
        assert_eq!(taken, vec![(1, m("100")), (2, m("30")), (3, m("20"))]);
        assert_eq!(credit, Money::ZERO);
        let (taken, credit) = settle(m("150"), &[(1, m("100"))]);
        assert_eq!((taken, credit), (vec![(1, m("100"))], m("50")), "overpaid: credit");
    }

    #[test]
    fn standings_and_buckets() {
        let zero = Money::ZERO;
        assert_eq!(standing(m("10"), m("10"), zero, "2026-01-01", "2026-11-27"), Standing::Paid);
        assert_eq!(standing(m("10"), m("4"), zero, "2026-12-01", "2026-11-27"), Standing::PartlyPaid);
        assert_eq!(standing(m("10"), m("4"), zero, "2026-11-01", "2026-11-27"), Standing::Overdue);
        assert_eq!(standing(m("10"), zero, zero, "2026-12-01", "2026-11-27"), Standing::Open);
        assert_eq!(standing(m("10"), m("4"), m("6"), "2026-11-01", "2026-11-27"), Standing::Paid, "rest credited");
        assert_eq!(standing(m("10"), zero, m("10"), "2026-11-01", "2026-11-27"), Standing::Credited);
        assert_eq!([0, 1, 30, 31, 60, 61, 90, 91].map(bucket), [0, 1, 1, 2, 2, 3, 3, 4]);
        assert!(amount("0").is_err() && amount("-3").is_err() && amount("12,50").is_ok());
    }
}

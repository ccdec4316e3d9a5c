//! Sales orders: the state machine, line amounts, totals with tax per rate, and when an
//! order needs a manager's approval. Pure rules, no I/O.
//!
//! Rounding: a line's amount is quantity x unit price less its discount, rounded to the
//! cent once per line. Tax is computed once per rate on the sum of that rate's lines, so
//! the document's figures reconcile to the cent: net = sum of the rate bases, gross = net +
//! the rates' tax, and (prices with tax) the sum of the line amounts equals gross exactly.

use rust_decimal::Decimal;
use strum::{EnumIter, IntoEnumIterator};

use super::crm::choice;
use super::fields::Problem;
use super::money::{AmountError, Money, Price, Quantity};

choice!(
    /// Where a sales order stands.
    OrderStatus {
        Draft => "draft",
        AwaitingApproval => "awaiting_approval",
        Confirmed => "confirmed",
        PartlyShipped => "partly_shipped",
        Shipped => "shipped",
        Delivered => "delivered",
        Closed => "closed",
        Cancelled => "cancelled",
    }
);

/// Why an order cannot do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRefused {
    /// The step does not apply in this state (e.g. shipping a draft).
    Not { step: Step, status: OrderStatus },
    /// Goods have left on `shipped` of the order's `lines`.
    PartShipped { step: Step, shipped: usize, lines: usize },
    /// A line cannot go below what has already been shipped of it.
    BelowShipped { sku: String, shipped: Quantity },
    /// A confirmed order needs at least one line.
    NoLines,
}

/// The steps in an order's life, named in refusals and on its timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Edit,
    Confirm,
    Approve,
    Reject,
    Change,
    Cancel,
    Ship,
    /// Stock reserved for what waits: a step of shipping, on the timeline of its own.
    Allocate,
    Deliver,
    Close,
}

impl Step {
    pub fn all() -> [Step; 10] {
        [
            Step::Edit,
            Step::Confirm,
            Step::Approve,
            Step::Reject,
            Step::Change,
            Step::Cancel,
            Step::Ship,
            Step::Allocate,
            Step::Deliver,
            Step::Close,
        ]
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Edit => "edit",
            Step::Confirm => "confirm",
            Step::Approve => "approve",
            Step::Reject => "reject",
            Step::Change => "change",
            Step::Cancel => "cancel",
            Step::Ship => "ship",
            Step::Allocate => "allocate",
            Step::Deliver => "deliver",
            Step::Close => "close",
        }
    }
}

impl OrderStatus {
    /// Orders that still hold or wait for stock: confirmed and not yet fully shipped.
    pub fn is_open(self) -> bool {
        matches!(self, OrderStatus::Confirmed | OrderStatus::PartlyShipped)
    }

    /// Orders the customer owes for until they are invoiced (#6 turns this into invoices).
    pub fn counts_for_credit(self) -> bool {
        matches!(
            self,
            OrderStatus::AwaitingApproval
                | OrderStatus::Confirmed
                | OrderStatus::PartlyShipped
                | OrderStatus::Shipped
                | OrderStatus::Delivered
        )
    }

    /// Checks `step` against the state machine:
    /// draft -> (awaiting approval) -> confirmed -> partly shipped -> shipped -> delivered
    /// -> closed, and cancelled from anything not yet shipped.
    pub fn check(self, step: Step) -> Result<(), OrderRefused> {
        use OrderStatus::*;
        let allowed = match step {
            Step::Edit | Step::Confirm => self == Draft,
            Step::Approve | Step::Reject => self == AwaitingApproval,
            Step::Change => matches!(self, Confirmed | PartlyShipped),
            Step::Cancel => matches!(self, Draft | AwaitingApproval | Confirmed | PartlyShipped),
            Step::Ship | Step::Allocate => matches!(self, Confirmed | PartlyShipped),
            Step::Deliver => matches!(self, PartlyShipped | Shipped),
            Step::Close => self == Delivered,
        };
        if allowed { Ok(()) } else { Err(OrderRefused::Not { step, status: self }) }
    }

    /// Cancelling is refused once any goods have left, naming on how many of its lines
    /// (quantities of different products do not add up).
    pub fn check_cancel(self, shipped_lines: usize, lines: usize) -> Result<(), OrderRefused> {
        self.check(Step::Cancel)?;
        if shipped_lines == 0 {
            Ok(())
        } else {
            Err(OrderRefused::PartShipped { step: Step::Cancel, shipped: shipped_lines, lines })
        }
    }

    /// Whether lines with these ordered and shipped quantities can stand at this status:
    /// what an imported order says of itself must be something the shop could have done.
    /// Nothing has shipped before confirming or of a cancelled order; a partly shipped
    /// order has shipped some but not all; shipped, delivered and closed ones all of it.
    pub fn fits_shipped(self, lines: &[(Quantity, Quantity)]) -> bool {
        use OrderStatus::*;
        let complete = lines.iter().all(|(ordered, shipped)| shipped >= ordered);
        let any = lines.iter().any(|(_, shipped)| !shipped.is_zero());
        let over = lines.iter().any(|(ordered, shipped)| shipped > ordered);
        !over
            && match self {
                Draft | AwaitingApproval | Confirmed | Cancelled => !any,
                PartlyShipped => any && !complete,
                Shipped | Delivered | Closed => complete,
            }
    }

    /// The status after shipping or delivering, from each line's ordered and shipped
    /// quantities and whether every shipment that left has been delivered.
    pub fn after_shipping(lines: &[(Quantity, Quantity)], all_delivered: bool) -> OrderStatus {
        let complete = lines.iter().all(|(ordered, shipped)| shipped >= ordered);
        let any = lines.iter().any(|(_, shipped)| !shipped.is_zero());
        match (complete, any, all_delivered) {
            (true, _, true) => OrderStatus::Delivered,
            (true, _, false) => OrderStatus::Shipped,
            (false, true, _) => OrderStatus::PartlyShipped,
            (false, false, _) => OrderStatus::Confirmed,
        }
    }
}

/// One line's pricing: what the amount is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pricing {
    pub quantity: Quantity,
    pub unit_price: Price,
    /// Percent off, 0-100, two decimals.
    pub discount: Decimal,
    /// Percent, two decimals.
    pub tax_rate: Decimal,
}

impl Pricing {
    /// Quantity x price less the discount, rounded to the cent once.
    /// Beyond what a Decimal holds (absurd typed figures) the amount is Decimal::MAX, which
    /// no money column accepts: saving then refuses it as too large instead of panicking.
    pub fn amount(&self) -> Money {
        let kept = Decimal::ONE_HUNDRED - self.discount;
        let amount = self
            .unit_price
            .value()
            .checked_mul(self.quantity.value())
            .and_then(|gross| gross.checked_mul(kept))
            .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
            .unwrap_or(Decimal::MAX);
        Money::round_from(amount)
    }
}

/// The tax of one rate on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateTotal {
    pub rate: Decimal,
    /// What the tax is charged on (net of tax).
    pub base: Money,
    pub tax: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
    /// Ascending by rate.
    pub rates: Vec<RateTotal>,
}

/// A document's totals from its lines' amounts and tax rates. `prices_include_tax` says
/// whether the amounts already contain the tax (a till's shelf prices) or have it added.
/// Refused when a figure does not fit the database (more than ~90 trillion).
pub fn totals(lines: &[(Money, Decimal)], prices_include_tax: bool) -> Result<Totals, AmountError> {
    let mut by_rate: Vec<(Decimal, Decimal)> = Vec::new();
    for (amount, rate) in lines {
        let rate = rate.normalize();
        match by_rate.iter_mut().find(|(r, _)| *r == rate) {
            Some((_, sum)) => {
                *sum = sum.checked_add(amount.value()).ok_or_else(|| AmountError::OutOfRange(sum.to_string()))?
            }
            None => by_rate.push((rate, amount.value())),
        }
    }
    by_rate.sort_by_key(|a| a.0);
    let mut result = Totals::default();
    let (mut net, mut tax) = (Decimal::ZERO, Decimal::ZERO);
    for (rate, sum) in by_rate {
        let factor = rate / Decimal::ONE_HUNDRED;
        let too_large = || AmountError::OutOfRange(sum.to_string());
        let (base, rate_tax) = if prices_include_tax {
            let base = Money::round_from(sum.checked_div(Decimal::ONE + factor).ok_or_else(too_large)?);
            (base, Money::round_from(sum.checked_sub(base.value()).ok_or_else(too_large)?))
        } else {
            (Money::round_from(sum), Money::round_from(sum.checked_mul(factor).ok_or_else(too_large)?))
        };
        net = net.checked_add(base.value()).ok_or_else(too_large)?;
        tax = tax.checked_add(rate_tax.value()).ok_or_else(too_large)?;
        result.rates.push(RateTotal { rate, base, tax: rate_tax });
    }
    result.net = Money::exact(net)?;
    result.tax = Money::exact(tax)?;
    result.gross = Money::exact(net.checked_add(tax).ok_or_else(|| AmountError::OutOfRange(net.to_string()))?)?;
    Ok(result)
}

/// Why an order needs a manager before it is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalReason {
    /// The order's total is above the shop's approval limit.
    OverLimit { total: Money, limit: Money },
    /// What the customer would owe is above their tier's credit limit.
    OverCredit { exposure: Money, limit: Money },
}

/// The reasons an order of `total` needs approval; a limit of zero means none. `owed` is
/// what the customer already owes on other orders.
pub fn approval_needed(total: Money, approval_limit: Money, owed: Money, credit_limit: Money) -> Vec<ApprovalReason> {
    let mut reasons = Vec::new();
    if !approval_limit.is_zero() && total > approval_limit {
        reasons.push(ApprovalReason::OverLimit { total, limit: approval_limit });
    }
    let exposure = Money::round_from(owed.value() + total.value());
    if !credit_limit.is_zero() && exposure > credit_limit {
        reasons.push(ApprovalReason::OverCredit { exposure, limit: credit_limit });
    }
    reasons
}

/// A price typed on an order line: like a product price, not negative.
pub fn line_price(text: &str) -> Result<Price, Problem> {
    let price = Price::parse(text).map_err(Problem::InvalidAmount)?;
    // Zero is a price (goods given away); below zero is a credit, which is not an order.
    // A billion a unit is past any shop's price, and far enough from the database's
    // integers that an order's sums cannot reach their end.
    if price.value().is_sign_negative() && !price.is_zero() {
        Err(Problem::OutOfRange { min: 0, max: None })
    } else if price.value() > rust_decimal::Decimal::from(MAX_UNIT_PRICE) {
        Err(Problem::OutOfRange { min: 0, max: Some(MAX_UNIT_PRICE) })
    } else {
        Ok(price)
    }
}

/// The largest unit price a product or an order line takes.
pub const MAX_UNIT_PRICE: i64 = 1_000_000_000;

/// All statuses, for filters that cycle through them.
pub fn statuses() -> Vec<OrderStatus> {
    OrderStatus::iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(n: &str) -> Quantity {
        Quantity::parse(n).unwrap()
    }
    fn m(n: &str) -> Money {
        Money::parse(n).unwrap()
    }
    fn d(n: &str) -> Decimal {
        n.parse().unwrap()
    }

    #[test]
    fn every_legal_and_illegal_step() {
        use OrderStatus::*;
        let steps = Step::all();
        let legal: &[(OrderStatus, &[Step])] = &[
            (Draft, &[Step::Edit, Step::Confirm, Step::Cancel]),
            (AwaitingApproval, &[Step::Approve, Step::Reject, Step::Cancel]),
            (Confirmed, &[Step::Change, Step::Cancel, Step::Ship, Step::Allocate]),
            (PartlyShipped, &[Step::Change, Step::Cancel, Step::Ship, Step::Allocate, Step::Deliver]),
            (Shipped, &[Step::Deliver]),
            (Delivered, &[Step::Close]),
            (Closed, &[]),
            (Cancelled, &[]),
        ];
        for (status, allowed) in legal {
            for step in steps {
                let ok = status.check(step).is_ok();
                assert_eq!(ok, allowed.contains(&step), "{status:?} {step:?}");
            }
        }
        assert_eq!(
            PartlyShipped.check_cancel(1, 2),
            Err(OrderRefused::PartShipped { step: Step::Cancel, shipped: 1, lines: 2 })
        );
        assert!(Confirmed.check_cancel(0, 2).is_ok());
    }

    #[test]
    fn status_after_shipping() {
        assert_eq!(
            OrderStatus::after_shipping(&[(q("5"), q("3")), (q("1"), q("1"))], false),
            OrderStatus::PartlyShipped
        );
        assert_eq!(OrderStatus::after_shipping(&[(q("5"), q("5"))], false), OrderStatus::Shipped);
        assert_eq!(OrderStatus::after_shipping(&[(q("5"), q("5"))], true), OrderStatus::Delivered);
        assert_eq!(OrderStatus::after_shipping(&[(q("5"), q("0"))], true), OrderStatus::Confirmed);
    }

    #[test]
    fn what_an_imported_order_may_say_it_shipped() {
        use OrderStatus::*;
        let none = [(q("5"), q("0")), (q("1"), q("0"))];
        let some = [(q("5"), q("3")), (q("1"), q("1"))];
        let all = [(q("5"), q("5")), (q("1"), q("1"))];
        let over = [(q("5"), q("6"))];
        for status in [Draft, AwaitingApproval, Confirmed, Cancelled] {
            assert!(status.fits_shipped(&none), "{status:?}");
            assert!(!status.fits_shipped(&some), "{status:?}");
        }
        assert!(PartlyShipped.fits_shipped(&some));
        assert!(!PartlyShipped.fits_shipped(&none) && !PartlyShipped.fits_shipped(&all));
        for status in [Shipped, Delivered, Closed] {
            assert!(status.fits_shipped(&all), "{status:?}");
            assert!(!status.fits_shipped(&some), "{status:?}");
            assert!(!status.fits_shipped(&over), "more than ordered never fits");
        }
    }

    #[test]
    fn line_amounts_round_once_half_away_from_zero() {
        let line = Pricing {
            quantity: q("3"),
            unit_price: Price::parse("3.3350").unwrap(),
            discount: d("10"),
            tax_rate: d("19"),
        };
        // 3 x 3.335 = 10.005, less 10 % = 9.0045 -> 9.00
        assert_eq!(line.amount(), m("9.00"));
        let weighed = Pricing {
            quantity: q("0.375"),
            unit_price: Price::parse("3.99").unwrap(),
            discount: d("0"),
            tax_rate: d("7"),
        };
        assert_eq!(weighed.amount(), m("1.50"));
    }

    #[test]
    fn tax_added_per_rate_on_hand_computed_lines() {
        // 19 %: 10.01 + 20.02 = 30.03 -> tax 5.7057 -> 5.71; 7 %: 1.50 -> 0.105 -> 0.11
        let t = totals(&[(m("10.01"), d("19")), (m("1.50"), d("7")), (m("20.02"), d("19"))], false).unwrap();
        assert_eq!((t.net, t.tax, t.gross), (m("31.53"), m("5.82"), m("37.35")));
        assert_eq!(t.rates.len(), 2);
        assert_eq!((t.rates[0].rate, t.rates[0].base, t.rates[0].tax), (d("7"), m("1.50"), m("0.11")));
        assert_eq!((t.rates[1].base, t.rates[1].tax), (m("30.03"), m("5.71")));
    }

    #[test]
    fn tax_included_per_rate_on_hand_computed_lines() {
        // 19 %: 11.90 + 5.95 = 17.85 gross -> net 15.00, tax 2.85; 0 %: 3.00
        let t = totals(&[(m("11.90"), d("19")), (m("3.00"), d("0")), (m("5.95"), d("19.00"))], true).unwrap();
        assert_eq!((t.net, t.tax, t.gross), (m("18.00"), m("2.85"), m("20.85")));
        assert_eq!(t.rates[0].tax, Money::ZERO);
    }

    #[test]
    fn absurd_figures_are_too_large_not_a_panic() {
        let line = Pricing {
            quantity: Quantity::parse("9000000000000").unwrap(),
            unit_price: Price::parse("900000000000000").unwrap(),
            discount: d("0"),
            tax_rate: d("19"),
        };
        let amount = line.amount();
        assert!(amount.to_minor().is_err(), "no money column takes it");
        assert!(totals(&[(amount, d("19")), (amount, d("19"))], false).is_err());
    }

    #[test]
    fn approval_reasons() {
        assert!(approval_needed(m("100"), Money::ZERO, Money::ZERO, Money::ZERO).is_empty());
        let both = approval_needed(m("600"), m("500"), m("500"), m("1000"));
        assert_eq!(
            both,
            vec![
                ApprovalReason::OverLimit { total: m("600"), limit: m("500") },
                ApprovalReason::OverCredit { exposure: m("1100"), limit: m("1000") }
            ]
        );
        assert!(approval_needed(m("500"), m("500"), m("500"), m("1000")).is_empty(), "at the limit is fine");
    }

    proptest! {
        #[test]
        fn totals_reconcile_to_the_cent(
            lines in proptest::collection::vec((0i64..10_000_000, prop::sample::select(vec![0i64, 500, 700, 1900, 2000])), 0..40),
            included in any::<bool>(),
        ) {
            let lines: Vec<(Money, Decimal)> = lines.iter().map(|(c, r)| (Money::from_minor(*c), Decimal::new(*r, 2))).collect();
            let t = totals(&lines, included).unwrap();
            let sum: i64 = lines.iter().map(|(a, _)| a.to_minor().unwrap()).sum();
            let rate_tax: i64 = t.rates.iter().map(|r| r.tax.to_minor().unwrap()).sum();
            let rate_base: i64 = t.rates.iter().map(|r| r.base.to_minor().unwrap()).sum();
            prop_assert_eq!(t.gross.to_minor().unwrap(), t.net.to_minor().unwrap() + t.tax.to_minor().unwrap());
            prop_assert_eq!(rate_tax, t.tax.to_minor().unwrap());
            prop_assert_eq!(rate_base, t.net.to_minor().unwrap());
            if included {
                prop_assert_eq!(t.gross.to_minor().unwrap(), sum);
            } else {
                prop_assert_eq!(t.net.to_minor().unwrap(), sum);
            }
        }
    }
}

//! The replenishment arithmetic: a forecast of weekly demand by exponential smoothing of
//! the weeks sold, the demand over the supplier's lead time plus safety stock, and how much
//! to order so that stock on hand and on its way covers it. Every figure behind a
//! suggestion is kept, so the screen can show why.

use rust_decimal::prelude::*;

use super::money::Quantity;

/// Weight of the newest week in the smoothed forecast: recent weeks count most, yet one
/// odd week does not swing the order.
pub const ALPHA: Decimal = Decimal::from_parts(3, 0, 0, false, 1);
/// Safety factor for about 95 % of lead times without running out (normal distribution).
pub const SERVICE_Z: Decimal = Decimal::from_parts(165, 0, 0, false, 2);
/// Weeks of history the forecast reads.
pub const HISTORY_WEEKS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    /// Units sold per full week, oldest first (weeks without sales as zero).
    pub weekly_sales: Vec<Quantity>,
    pub lead_days: i64,
    pub available: Quantity,
    pub incoming: Quantity,
    pub reorder_point: Quantity,
    pub reorder_qty: Quantity,
    /// Goods sold in whole units are ordered in whole units.
    pub whole_units: bool,
    /// How much busier the coming months are forecast to be than the weeks read (1: as
    /// busy), from the seasonal sales forecast of the product's category.
    pub season: Decimal,
}

/// The figures behind one line of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    /// The smoothed weeks times the season.
    pub weekly_forecast: Quantity,
    pub season: Decimal,
    pub demand_over_lead: Quantity,
    pub safety: Quantity,
    /// What stock on hand and on its way should cover: the larger of the reorder point and
    /// demand over the lead time plus safety stock.
    pub target: Quantity,
    /// Available plus incoming.
    pub position: Quantity,
    /// How much to order; `None` when the position covers the target.
    pub suggested: Option<Quantity>,
}

/// Simple exponential smoothing, started at the first week.
pub fn smooth(weekly: &[Decimal], alpha: Decimal) -> Decimal {
    let mut values = weekly.iter();
    let Some(first) = values.next() else { return Decimal::ZERO };
    values.fold(*first, |level, x| alpha * x + (Decimal::ONE - alpha) * level)
}

/// Sample standard deviation (zero for fewer than two weeks).
pub fn deviation(weekly: &[Decimal]) -> Decimal {
    if weekly.len() < 2 {
        return Decimal::ZERO;
    }
    let n = Decimal::from(weekly.len());
    let mean = weekly.iter().sum::<Decimal>() / n;
    let squares: Decimal = weekly.iter().map(|x| (x - mean) * (x - mean)).sum();
    (squares / (n - Decimal::ONE)).sqrt().unwrap_or_default()
}

fn round_up(value: Decimal, whole: bool) -> Quantity {
    let scale = if whole { 0 } else { Quantity::SCALE };
    Quantity::round_from(value.round_dp_with_strategy(scale, RoundingStrategy::AwayFromZero))
}

pub fn plan(input: &PlanInput) -> PlanLine {
    let weekly: Vec<Decimal> = input.weekly_sales.iter().map(|q| q.value()).collect();
    let forecast = smooth(&weekly, ALPHA) * input.season;
    let lead_weeks = Decimal::from(input.lead_days.max(0)) / Decimal::from(7);
    let demand = forecast * lead_weeks;
    let safety = SERVICE_Z * deviation(&weekly) * lead_weeks.sqrt().unwrap_or_default();
    let needed = demand + safety;
    let target = needed.max(input.reorder_point.value());
    let position = input.available + input.incoming;
    let short = target - position.value();
    let suggested = (short > Decimal::ZERO && !target.is_zero())
        .then(|| round_up(short.max(input.reorder_qty.value()), input.whole_units));
    PlanLine {
        weekly_forecast: Quantity::round_from(forecast),
        season: input.season,
        demand_over_lead: Quantity::round_from(demand),
        safety: Quantity::round_from(safety),
        target: Quantity::round_from(target),
        position,
        suggested,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: &str) -> Quantity {
        Quantity::parse(n).unwrap()
    }

    fn input(sales: &[&str], lead_days: i64, available: &str) -> PlanInput {
        PlanInput {
            weekly_sales: sales.iter().map(|s| q(s)).collect(),
            lead_days,
            available: q(available),
            incoming: Quantity::ZERO,
            reorder_point: Quantity::ZERO,
            reorder_qty: Quantity::ZERO,
            whole_units: true,
            season: Decimal::ONE,
        }
    }

    #[test]
    fn a_busier_season_ahead_raises_the_forecast() {
        // 14 a week, the forecast says the coming months sell a fifth more: 16.8 a week,
        // 33.6 over two weeks' lead time; 10 in stock: order 24 (whole units, rounded up).
        let mut busier = input(&["14", "14", "14", "14"], 14, "10");
        busier.season = Decimal::from_str("1.2").unwrap();
        let line = plan(&busier);
        assert_eq!((line.weekly_forecast, line.demand_over_lead), (q("16.8"), q("33.6")));
        assert_eq!(line.suggested, Some(q("24")));
    }

    #[test]
    fn smoothing_by_hand() {
        // 10, then 0.3 * 20 + 0.7 * 10 = 13, then 0.3 * 10 + 0.7 * 13 = 12.1
        let weeks = [Decimal::from(10), Decimal::from(20), Decimal::from(10)];
        assert_eq!(smooth(&weeks, ALPHA), Decimal::from_str("12.1").unwrap());
        assert_eq!(smooth(&[], ALPHA), Decimal::ZERO);
    }

    #[test]
    fn steady_sales_need_lead_time_demand_only() {
        // 14 a week, two weeks' lead time: 28 needed, no variation so no safety stock.
        let line = plan(&input(&["14", "14", "14", "14"], 14, "10"));
        assert_eq!((line.weekly_forecast, line.demand_over_lead, line.safety), (q("14"), q("28"), q("0")));
        assert_eq!(line.suggested, Some(q("18")));
        assert_eq!(plan(&input(&["14", "14"], 14, "28")).suggested, None, "covered exactly");
    }

    #[test]
    fn varying_sales_add_safety_stock() {
        // Weeks 10 and 20: sd = 7.0711; one week of lead time: safety 1.65 * 7.0711 = 11.667.
        // Forecast 0.3 * 20 + 0.7 * 10 = 13; target 24.667; nothing in stock: order 25.
        let line = plan(&input(&["10", "20"], 7, "0"));
        assert_eq!(line.safety, q("11.667"));
        assert_eq!(line.target, q("24.667"));
        assert_eq!(line.suggested, Some(q("25")));
    }

    #[test]
    fn reorder_point_and_quantity_are_floors_and_incoming_counts() {
        let mut slow = input(&["0", "0", "1", "0"], 7, "2");
        slow.reorder_point = q("5");
        slow.reorder_qty = q("12");
        slow.incoming = q("1");
        let line = plan(&slow);
        assert_eq!((line.target, line.position), (q("5"), q("3")));
        assert_eq!(line.suggested, Some(q("12")), "at least the reorder quantity");
        slow.whole_units = false;
        slow.reorder_qty = Quantity::ZERO;
        slow.available = q("1.75");
        assert_eq!(plan(&slow).suggested, Some(q("2.25")), "weighed goods in decimals");
        assert_eq!(plan(&input(&[], 7, "0")).suggested, None, "nothing sold, no reorder point: nothing to order");
    }
}

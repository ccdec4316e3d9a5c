//! Monthly sales forecasts: exponential smoothing chosen by how well each method would
//! have forecast the last months it is shown (backtest MAPE). Holt-Winters (additive
//! trend and 12-month season) when there are two years of history, Holt's linear trend
//! from four months, a flat level below that. All in decimal arithmetic, like the money.

use rust_decimal::{Decimal, MathematicalOps};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Level only: the smoothed average.
    Level,
    /// Level and trend (Holt).
    Trend,
    /// Level, trend and a 12-month additive season (Holt-Winters).
    Seasonal,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Level => "level",
            Method::Trend => "trend",
            Method::Seasonal => "holt-winters",
        }
    }
}

const SEASON: usize = 12;
/// Months held back to judge each method.
pub const BACKTEST: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forecast {
    pub method: Method,
    /// Mean absolute percentage error over the held-back months, in percent; none when
    /// there was too little history to hold any back (or every held-back month was zero).
    pub mape: Option<Decimal>,
    /// The next months: (forecast, low, high), never below zero; the band widens with the
    /// horizon (about 80 % of one-step errors fall within it).
    pub months: Vec<(Decimal, Decimal, Decimal)>,
}

#[derive(Debug, Clone, Copy)]
struct Params {
    alpha: Decimal,
    beta: Decimal,
    gamma: Decimal,
}

/// Runs the smoothing over `history`; returns the one-step errors and the forecasts for
/// the next `ahead` months.
fn smooth(method: Method, p: Params, history: &[Decimal], ahead: usize) -> Option<(Vec<Decimal>, Vec<Decimal>)> {
    let n = history.len();
    let one = Decimal::ONE;
    let (mut level, mut trend, mut season) = match method {
        Method::Level => (*history.first()?, Decimal::ZERO, vec![Decimal::ZERO; SEASON]),
        Method::Trend => {
            let trend = if n >= 2 { history[1] - history[0] } else { Decimal::ZERO };
            (history[0], trend, vec![Decimal::ZERO; SEASON])
        }
        Method::Seasonal => {
            if n < 2 * SEASON {
                return None;
            }
            // The first two years' means give the trend; each month's season is its average
            // distance from the detrended mean over both years; the level stands at the
            // end of the first year.
            let first: Decimal = history[..SEASON].iter().sum::<Decimal>() / Decimal::from(SEASON);
            let second: Decimal = history[SEASON..2 * SEASON].iter().sum::<Decimal>() / Decimal::from(SEASON);
            let trend = (second - first) / Decimal::from(SEASON);
            let middle = Decimal::new(55, 1);
            let season = (0..SEASON)
                .map(|i| {
                    let along = trend * (Decimal::from(i) - middle);
                    ((history[i] - first - along) + (history[i + SEASON] - second - along)) / Decimal::TWO
                })
                .collect();
            (first + trend * middle, trend, season)
        }
    };
    let mut errors = Vec::with_capacity(n);
    let start = if method == Method::Seasonal { SEASON } else { 1 };
    for (t, value) in history.iter().enumerate().skip(start) {
        let s = if method == Method::Seasonal { season[t % SEASON] } else { Decimal::ZERO };
        let predicted = level + trend + s;
        errors.push(*value - predicted);
        let previous = level;
        level = p.alpha * (*value - s) + (one - p.alpha) * (level + trend);
        if method != Method::Level {
            trend = p.beta * (level - previous) + (one - p.beta) * trend;
        }
        if method == Method::Seasonal {
            season[t % SEASON] = p.gamma * (*value - level) + (one - p.gamma) * s;
        }
    }
    let forecasts = (1..=ahead)
        .map(|h| {
            let s = if method == Method::Seasonal { season[(n + h - 1) % SEASON] } else { Decimal::ZERO };
            level + trend * Decimal::from(h) + s
        })
        .collect();
    Some((errors, forecasts))
}

fn grid() -> Vec<Decimal> {
    (1..=9).map(|i| Decimal::new(i, 1)).collect()
}

/// The parameters with the least squared one-step error on `history`.
fn fit(method: Method, history: &[Decimal]) -> Option<(Params, Vec<Decimal>)> {
    let zero = Decimal::ZERO;
    let betas = if method == Method::Level { vec![zero] } else { grid() };
    let gammas = if method == Method::Seasonal { grid() } else { vec![zero] };
    let mut best: Option<(Decimal, Params, Vec<Decimal>)> = None;
    for alpha in grid() {
        for beta in &betas {
            for gamma in &gammas {
                let p = Params { alpha, beta: *beta, gamma: *gamma };
                let (errors, _) = smooth(method, p, history, 0)?;
                let sse: Decimal = errors.iter().map(|e| *e * *e).sum();
                if best.as_ref().is_none_or(|(b, _, _)| sse < *b) {
                    best = Some((sse, p, errors));
                }
            }
        }
    }
    best.map(|(_, p, errors)| (p, errors))
}

fn mape(actual: &[Decimal], predicted: &[Decimal]) -> Option<Decimal> {
    let terms: Vec<Decimal> =
        actual.iter().zip(predicted).filter(|(a, _)| !a.is_zero()).map(|(a, p)| ((*a - *p) / *a).abs()).collect();
    if terms.is_empty() {
        return None;
    }
    Some((terms.iter().sum::<Decimal>() / Decimal::from(terms.len()) * Decimal::from(100)).round_dp(1))
}

fn candidates(months: usize) -> Vec<Method> {
    let mut methods = vec![Method::Level];
    if months >= 4 {
        methods.push(Method::Trend);
    }
    if months >= 2 * SEASON {
        methods.push(Method::Seasonal);
    }
    methods
}

/// Forecasts `ahead` months after `history` (whole months, oldest first): each method the
/// history allows is fitted on all but the last `BACKTEST` months and judged by its MAPE
/// on those; the best is fitted again on everything. None without history.
pub fn forecast(history: &[Decimal], ahead: usize) -> Option<Forecast> {
    if history.is_empty() {
        return None;
    }
    let mut chosen = (Method::Level, None::<Decimal>);
    if history.len() > BACKTEST + 1 {
        let (train, test) = history.split_at(history.len() - BACKTEST);
        let mut best: Option<(Decimal, Method)> = None;
        for method in candidates(train.len()) {
            let Some((p, _)) = fit(method, train) else { continue };
            let Some((_, predicted)) = smooth(method, p, train, BACKTEST) else { continue };
            let Some(error) = mape(test, &predicted) else { continue };
            if best.is_none_or(|(b, _)| error < b) {
                best = Some((error, method));
            }
        }
        if let Some((error, method)) = best {
            chosen = (method, Some(error));
        }
    }
    let (method, error) = chosen;
    let (p, errors) = fit(method, history)?;
    let (_, ahead_values) = smooth(method, p, history, ahead)?;
    let rmse = if errors.is_empty() {
        Decimal::ZERO
    } else {
        (errors.iter().map(|e| *e * *e).sum::<Decimal>() / Decimal::from(errors.len())).sqrt().unwrap_or_default()
    };
    let z = Decimal::new(128, 2);
    let months = ahead_values
        .iter()
        .enumerate()
        .map(|(h, v)| {
            let spread = z * rmse * Decimal::from(h + 1).sqrt().unwrap_or(Decimal::ONE);
            let floor = |d: Decimal| d.max(Decimal::ZERO).round_dp(2);
            (floor(*v), floor(*v - spread), floor(*v + spread))
        })
        .collect();
    Some(Forecast { method, mape: error, months })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: i64) -> Decimal {
        Decimal::from(v)
    }

    #[test]
    fn a_straight_trend_is_continued_by_the_trend_method() {
        let history: Vec<Decimal> = (0..12).map(|m| d(1000 + 50 * m)).collect();
        let f = forecast(&history, 3).unwrap();
        assert_eq!(f.method, Method::Trend);
        assert_eq!(f.mape, Some(Decimal::ZERO), "a perfect line is forecast exactly");
        let next: Vec<Decimal> = f.months.iter().map(|m| m.0).collect();
        assert_eq!(next, [d(1600), d(1650), d(1700)]);
        assert_eq!((f.months[0].1, f.months[0].2), (d(1600), d(1600)), "no error, no band");
    }

    #[test]
    fn a_season_on_a_trend_is_found_and_forecast_within_a_few_percent() {
        // Three years: a rising line plus a December peak and a summer dip.
        let season = [0, -50, -20, 0, 30, -200, -250, -100, 0, 50, 150, 400];
        let history: Vec<Decimal> = (0..36).map(|m| d(2000 + 10 * m + season[m as usize % 12])).collect();
        let f = forecast(&history, 12).unwrap();
        assert_eq!(f.method, Method::Seasonal);
        assert!(f.mape.unwrap() < d(3), "{:?}", f.mape);
        for (h, (value, low, high)) in f.months.iter().enumerate() {
            let m = 36 + h as i64;
            let truth = d(2000 + 10 * m + season[h % 12]);
            assert!((*value - truth).abs() <= truth * Decimal::new(3, 2), "month {h}: {value} vs {truth}");
            assert!(low <= value && value <= high);
        }
    }

    #[test]
    fn little_history_falls_back_and_nothing_goes_below_zero() {
        assert_eq!(forecast(&[], 3), None);
        let f = forecast(&[d(100)], 2).unwrap();
        assert_eq!((f.method, f.mape), (Method::Level, None));
        assert_eq!(f.months[0].0, d(100));
        let falling: Vec<Decimal> = (0..10).map(|m| d(900 - 100 * m)).collect();
        let f = forecast(&falling, 12).unwrap();
        assert!(f.months.iter().all(|(v, low, _)| *v >= Decimal::ZERO && *low >= Decimal::ZERO));
    }
}

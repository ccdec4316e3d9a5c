//! RFM scoring: how recently, how often and for how much each customer bought in a period,
//! each scored 1-5 by quintile among the customers who bought, and the sum (3-15) mapped
//! onto the shop's tiers from the best down.

use crate::domain::money::Money;

/// What a customer bought in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchases {
    pub customer: i64,
    /// Days since the latest order (0 = today).
    pub days_since: i64,
    pub orders: i64,
    pub revenue: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
}

impl Score {
    pub fn total(self) -> u8 {
        self.recency + self.frequency + self.monetary
    }
}

/// Quintile scores 1-5 for `values` where a larger key is better: the best fifth gets 5.
/// Equal values get equal scores, from the middle of the ranks they share: ties never
/// split, and a crowd of equals (most customers order once) lands mid-way, neither
/// dragged to 1 nor lifted to 5.
fn quintiles<K: Ord + Copy>(keys: &[K]) -> Vec<u8> {
    let n = keys.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| keys[i]);
    let mut scores = vec![1u8; n];
    let mut rank = 0;
    while rank < n {
        let mut same = rank;
        while same + 1 < n && keys[order[same + 1]] == keys[order[rank]] {
            same += 1;
        }
        // 1 + floor(rank * 5 / n): ranks 0..n spread evenly over 1..=5.
        let middle = (rank + same) / 2;
        let score = 1 + (middle * 5 / n.max(1)) as u8;
        for &i in &order[rank..=same] {
            scores[i] = score;
        }
        rank = same + 1;
    }
    scores
}

/// Scores every customer against the others: recency (fewer days is better), frequency
/// (more orders), monetary (more revenue).
pub fn score(customers: &[Purchases]) -> Vec<Score> {
    let recency = quintiles(&customers.iter().map(|c| -c.days_since).collect::<Vec<_>>());
    let frequency = quintiles(&customers.iter().map(|c| c.orders).collect::<Vec<_>>());
    let monetary = quintiles(&customers.iter().map(|c| c.revenue).collect::<Vec<_>>());
    (0..customers.len())
        .map(|i| Score { recency: recency[i], frequency: frequency[i], monetary: monetary[i] })
        .collect()
}

/// Fewer buyers than this and quintiles say nothing: no tier is suggested.
pub const MIN_CUSTOMERS: usize = 5;

/// Which of `tiers` (0 = the best) a total of 3-15 belongs to: the twelve steps below a
/// perfect 15 are cut into as many equal bands as there are tiers, the lowest tier also
/// taking the bottom score. With four tiers: 15-13, 12-10, 9-7, 6-3.
pub fn tier_index(total: u8, tiers: usize) -> usize {
    if tiers == 0 {
        return 0;
    }
    let below_best = 15 - usize::from(total.clamp(3, 15)); // 0..=12
    (below_best * tiers / 12).min(tiers - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(customer: i64, days_since: i64, orders: i64, revenue: i64) -> Purchases {
        Purchases { customer, days_since, orders, revenue: Money::from_minor(revenue * 100) }
    }

    #[test]
    fn quintiles_by_hand() {
        // Ten customers, values 1..10: two per fifth.
        let keys: Vec<i64> = (1..=10).collect();
        assert_eq!(quintiles(&keys), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // Ties share the score of their middle rank.
        assert_eq!(quintiles(&[7, 7, 7, 1, 9]), vec![3, 3, 3, 1, 5]);
        // Six of ten tied at the top: ranks 4-9, middle 6 -> 4.
        assert_eq!(quintiles(&[1, 2, 3, 4, 9, 9, 9, 9, 9, 9]), vec![1, 1, 2, 2, 4, 4, 4, 4, 4, 4]);
        assert_eq!(quintiles::<i64>(&[]), Vec::<u8>::new());
        assert_eq!(quintiles(&[3]), vec![1]);
    }

    #[test]
    fn five_customers_scored_and_tiered_by_hand() {
        let customers = [
            p(1, 2, 12, 5000), // bought yesterday-ish, often, the most
            p(2, 10, 6, 2000),
            p(3, 40, 3, 900),
            p(4, 90, 2, 300),
            p(5, 300, 1, 50), // long ago, once, little
        ];
        let scores = score(&customers);
        // With five customers each is its own fifth: 5, 4, 3, 2, 1 on every measure.
        let totals: Vec<u8> = scores.iter().map(|s| s.total()).collect();
        assert_eq!(totals, vec![15, 12, 9, 6, 3]);
        let tiers: Vec<usize> = totals.iter().map(|t| tier_index(*t, 4)).collect();
        // Bands of 13 totals over 4 tiers: 15-13 best, 12-10, 9-7, 6-3.
        assert_eq!(tiers, vec![0, 1, 2, 3, 3]);
    }

    #[test]
    fn tier_bands_cover_every_total() {
        assert_eq!((3..=15).map(|t| tier_index(t, 1)).collect::<Vec<_>>(), vec![0; 13]);
        assert_eq!(tier_index(15, 2), 0);
        assert_eq!(tier_index(9, 2), 1);
        assert_eq!(tier_index(10, 2), 0);
        assert_eq!(tier_index(3, 4), 3);
        assert_eq!(tier_index(13, 4), 0);
        assert_eq!(tier_index(12, 4), 1);
    }
}

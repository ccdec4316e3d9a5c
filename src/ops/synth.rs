//! Synthetic shops: the demo's realistic small shop and `shopdesk gen`'s large one for
//! benchmarks. Deterministic for a given seed, with no dependency on a random crate.

use super::Session;
use crate::db::customers as repo;
use crate::domain::customer::{CustomerData, generated_code};
use crate::error::Result;

/// SplitMix64: tiny, fast, and good enough to vary test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

pub const GIVEN: &[&str] = &[
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Felix",
    "Grace",
    "Hugo",
    "Iris",
    "Jonas",
    "Karin",
    "Liam",
    "Maria",
    "Noah",
    "Olga",
    "Paul",
    "Rosa",
    "Sam",
    "Tara",
    "Victor",
    "José",
    "Zoë",
    "François",
    "Søren",
    "Chloé",
    "Ömer",
];
pub const FAMILY: &[&str] = &[
    "Smith",
    "Jones",
    "Müller",
    "García",
    "Rossi",
    "Novak",
    "Dubois",
    "Larsen",
    "Kowalski",
    "Silva",
    "Brown",
    "Martínez",
    "Lefèvre",
    "Nørgaard",
    "Yılmaz",
    "Horvát",
    "Fischer",
    "Moreau",
    "Costa",
    "Andersson",
];
pub const CJK_NAMES: &[&str] = &[
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周婷", "吴杰", "徐丽", "孙浩", "马超", "朱琳",
    "胡斌", "郭晶", "林峰", "何欣", "高翔", "罗兰",
];
pub const COMPANY_WORDS: &[&str] = &[
    "Bakery",
    "Café",
    "Trading",
    "Hardware",
    "Florist",
    "Books",
    "Garden",
    "Kitchen",
    "Studio",
    "Supplies",
    "Pharmacy",
    "Deli",
    "Outfitters",
    "Textiles",
    "Market",
];
pub const CJK_COMPANIES: &[&str] = &["贸易有限公司", "商行", "超市", "餐饮店", "五金店", "花店"];
/// (city, region) pairs: regions are how the shop splits its territory.
pub const CITIES: &[(&str, &str)] = &[
    ("Hamburg", "North"),
    ("Bremen", "North"),
    ("Kiel", "North"),
    ("Munich", "South"),
    ("Stuttgart", "South"),
    ("Nuremberg", "South"),
    ("Berlin", "East"),
    ("Dresden", "East"),
    ("Leipzig", "East"),
    ("Cologne", "West"),
    ("Düsseldorf", "West"),
    ("Frankfurt", "Central"),
    ("Kassel", "Central"),
    ("上海", "East"),
    ("北京", "North"),
];
pub const STREETS: &[&str] =
    &["Hauptstraße", "Bahnhofstraße", "Marktplatz", "Lindenweg", "Gartenstraße", "Schillerstraße"];
pub const SALESPEOPLE: &[&str] = &["alice", "bruno", "chen", "dana"];
pub const TITLES: &[&str] = &["Owner", "Buyer", "Manager", "Purchasing", "Chef", ""];
/// Weighted so most customers are ordinary and few are VIP.
pub const TIERS: &[&str] = &["C", "C", "C", "B", "B", "B", "A", "A", "VIP", ""];

pub const NOTES: &[&str] = &[
    "Prefers delivery before 10:00. Pays by bank transfer.",
    "每月初订货，请提前电话确认。",
    "Ask for Maria at the back door.",
    "Seasonal: orders mostly in November and December.",
    "Wants paper invoices by post.",
];

/// A plausible customer, number `n` of the synthetic shop.
pub fn customer(rng: &mut Rng, n: i64) -> CustomerData {
    let cjk = rng.below(6) == 0;
    let name = if cjk { rng.pick(CJK_NAMES).to_string() } else { format!("{} {}", rng.pick(GIVEN), rng.pick(FAMILY)) };
    let (city, region) = CITIES[rng.below(CITIES.len())];
    let company = match rng.below(3) {
        0 => String::new(),
        _ if cjk => format!("{}{}", name.chars().next().unwrap_or('新'), rng.pick(CJK_COMPANIES)),
        _ => format!("{} {}", rng.pick(FAMILY), rng.pick(COMPANY_WORDS)),
    };
    let ascii_name: String = name.chars().filter_map(plain_letter).collect();
    let mailbox = if ascii_name.is_empty() { format!("kunde{n}") } else { format!("{ascii_name}{}", n % 1000) };
    CustomerData {
        code: generated_code(n),
        name,
        contact: if company.is_empty() { String::new() } else { format!("{} {}", rng.pick(GIVEN), rng.pick(FAMILY)) },
        title: if company.is_empty() { String::new() } else { rng.pick(TITLES).to_string() },
        company,
        phone: format!("+49 {} {}", 30 + rng.below(900), 100_000 + rng.below(900_000)),
        email: format!("{mailbox}@example.com"),
        address: format!("{} {}", rng.pick(STREETS), 1 + rng.below(120)),
        city: city.to_string(),
        region: region.to_string(),
        tier: rng.pick(TIERS).to_string(),
        salesperson: rng.pick(SALESPEOPLE).to_string(),
        tax_id: if rng.below(2) == 0 { format!("DE{}", 100_000_000 + rng.below(899_999_999)) } else { String::new() },
        notes: if rng.below(10) == 0 { rng.pick(NOTES).to_string() } else { String::new() },
    }
}

/// The letter a mailbox would use for `c`: accents dropped, other scripts left out.
fn plain_letter(c: char) -> Option<char> {
    let plain = match c.to_lowercase().next().unwrap_or(c) {
        'á' | 'à' | 'â' | 'ä' | 'å' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ı' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'ø' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        'ß' => 's',
        c => c,
    };
    plain.is_ascii_alphabetic().then_some(plain)
}

/// Adds `count` synthetic customers in one transaction, numbered after those already there.
/// Returns how many were added.
pub fn generate(session: &mut Session, count: usize, seed: u64) -> Result<usize> {
    session.write(|tx, ctx| {
        let first = crate::db::meta::peek_next(tx, "customer_code")?;
        let mut rng = Rng::new(seed ^ first as u64);
        for i in 0..count as i64 {
            let n = crate::db::meta::take_next(tx, "customer_code")?;
            let data = customer(&mut rng, n);
            // Spread creation over the last four years so date sorts mean something.
            let day = 1 + (i % 1400);
            let created = (chrono::Utc::now() - chrono::Duration::days(day))
                .date_naive()
                .and_hms_opt(9, 0, 0)
                .map(|t| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_else(|| ctx.now.clone());
            // A shop keeps a few former customers, archived.
            let archived = (rng.below(40) == 0).then_some(ctx.now.as_str());
            repo::insert(tx, &data, &created, archived)?;
        }
        ctx.audit(tx, "generate", "customer", None, format!("{count} synthetic customers, seed {seed}"))?;
        Ok(count)
    })
}

const CONTACT_SUMMARIES: &[&str] = &[
    "Asked for the new price list",
    "Confirmed the delivery for Friday",
    "Wants a quote for the spring range",
    "Complained about a late delivery; apologised",
    "Met at the trade fair; interested in bulk prices",
    "Paid the open invoice by bank transfer",
    "Visited the shop; tasted the new products",
    "询问春节前的交货时间",
    "Prefers to be called in the morning",
    "Sent samples",
];
const COMPLAINT_TEXTS: &[&str] = &[
    "Two jars broken in the last delivery",
    "Invoice address was wrong",
    "Delivery came a day late",
    "Wrong item in the parcel",
    "送货晚了两天",
];
const PRAISE_TEXTS: &[&str] =
    &["Loves the new packaging", "客户很喜欢新包装", "Asked for a vegan option", "Happy with the quick delivery"];

/// Adds `contacts` logged contacts and `feedback` items spread over existing customers and
/// the last year; about a third of contacts carry a follow-up from three weeks ago to a
/// month ahead, and older follow-ups are mostly done.
pub fn generate_relationships(session: &mut Session, contacts: usize, feedback: usize, seed: u64) -> Result<()> {
    use crate::db::crm::{ContactRecord, FeedbackRecord};
    use crate::domain::crm::{ContactKind, FeedbackKind, Severity, Status};
    use strum::IntoEnumIterator;
    let ids = repo::all_ids(session.db.conn())?;
    if ids.is_empty() {
        return Ok(());
    }
    let today = session.clock.today();
    session.write(|tx, ctx| {
        let mut rng = Rng::new(seed.wrapping_mul(31));
        let kinds: Vec<ContactKind> = ContactKind::iter().collect();
        let day = |offset: i64| today + chrono::Duration::days(offset);
        let at_time = |offset: i64| {
            day(offset).and_hms_opt(10, 0, 0).map(|t| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        for _ in 0..contacts {
            let customer = ids[rng.below(ids.len())];
            let logged = -(rng.below(365) as i64);
            let at = at_time(logged).unwrap_or_else(|| ctx.now.clone());
            let follow_up = (rng.below(3) == 0).then(|| logged + 2 + rng.below(50) as i64).filter(|d| *d >= -21);
            let done = follow_up.filter(|d| *d < 0 && rng.below(4) != 0).and_then(&at_time);
            let follow_up_text = follow_up.map(|d| day(d).to_string());
            let record = ContactRecord {
                kind: kinds[rng.below(kinds.len())],
                at: &at,
                user: rng.pick(SALESPEOPLE),
                summary: rng.pick(CONTACT_SUMMARIES),
                follow_up: follow_up_text.as_deref(),
                done_at: done.as_deref(),
            };
            let code = format!("K{:06}", crate::db::meta::take_next(tx, "contact_code")?);
            crate::db::crm::insert_contact(tx, &code, customer, &record)?;
        }
        let severities: Vec<Severity> = Severity::iter().collect();
        for _ in 0..feedback {
            let customer = ids[rng.below(ids.len())];
            let opened = at_time(-(rng.below(120) as i64)).unwrap_or_else(|| ctx.now.clone());
            let status = match rng.below(6) {
                0 | 1 => Status::Open,
                2 => Status::InProgress,
                3 => Status::Resolved,
                _ => Status::Closed,
            };
            let done = matches!(status, Status::Resolved | Status::Closed);
            // Praise is low severity; complaints range over all severities.
            let praise = rng.below(3) == 0;
            let record = FeedbackRecord {
                order_ref: "",
                kind: if praise { FeedbackKind::Feedback } else { FeedbackKind::Complaint },
                severity: if praise { Severity::Low } else { severities[rng.below(severities.len())] },
                status,
                assignee: rng.pick(SALESPEOPLE),
                description: rng.pick(if praise { PRAISE_TEXTS } else { COMPLAINT_TEXTS }),
                resolution: if done { "Replaced the goods and apologised" } else { "" },
                opened_at: &opened,
                resolved_at: done.then_some(opened.as_str()),
            };
            let code = format!("F{:06}", crate::db::meta::take_next(tx, "feedback_code")?);
            crate::db::crm::insert_feedback(tx, &code, customer, &record)?;
        }
        ctx.audit(tx, "generate", "contact", None, format!("{contacts} contacts, {feedback} feedback, seed {seed}"))
    })
}

const DEAL_TITLES: &[&str] = &[
    "Christmas hampers",
    "Weekly bread delivery",
    "Office coffee supply",
    "Wedding catering",
    "Spring range listing",
    "Corporate gifts",
    "春节礼盒",
    "Shop fitting",
    "Summer festival stand",
];

/// Adds `count` opportunities over existing customers, across all stages, with values from
/// 50 to 20,000 and expected closes from two months ago to six months ahead.
pub fn generate_opportunities(session: &mut Session, count: usize, seed: u64) -> Result<()> {
    use crate::db::pipeline::{Record, insert};
    use crate::domain::money::Money;
    use crate::domain::pipeline::Outcome;
    let ids = repo::all_ids(session.db.conn())?;
    let stages = crate::db::pipeline::stages(session.db.conn())?;
    if ids.is_empty() || stages.is_empty() || count == 0 {
        return Ok(());
    }
    let today = session.clock.today();
    session.write(|tx, ctx| {
        let mut rng = Rng::new(seed.wrapping_mul(97));
        for _ in 0..count {
            let stage = &stages[rng.below(stages.len())];
            let close = (today + chrono::Duration::days(rng.below(240) as i64 - 60)).to_string();
            let record = Record {
                title: rng.pick(DEAL_TITLES),
                stage: &stage.code,
                value: Money::from_minor(5_000 + (rng.below(200) as i64) * 10_000),
                probability: stage.probability,
                expected_close: &close,
                owner: rng.pick(SALESPEOPLE),
                next_step: if stage.outcome == Outcome::Open { "Call to follow up the offer" } else { "" },
                lost_reason: if stage.outcome == Outcome::Lost { "Chose another supplier" } else { "" },
            };
            let code = format!("P{:06}", crate::db::meta::take_next(tx, "opportunity_code")?);
            insert(tx, &code, ids[rng.below(ids.len())], &record, &ctx.now)?;
        }
        ctx.audit(tx, "generate", "opportunity", None, format!("{count} opportunities, seed {seed}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::ops::Clock;

    #[test]
    fn generated_customers_pass_validation() {
        let tiers: Vec<String> = ["VIP", "A", "B", "C"].map(String::from).to_vec();
        let mut rng = Rng::new(7);
        for n in 1..500 {
            let data = customer(&mut rng, n);
            assert!(crate::domain::customer::validate(&data, &tiers).is_ok(), "{data:?}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_shop() {
        let names = |seed| {
            let db = Db::open_in_memory().unwrap();
            let mut s = Session::start(db, "t", Clock::Fixed("2026-01-01T00:00:00Z".into())).unwrap();
            generate(&mut s, 50, seed).unwrap();
            let mut names = Vec::new();
            crate::db::customers::for_each(s.db.conn(), |c| {
                names.push(c.data.name);
                Ok(())
            })
            .unwrap();
            names
        };
        assert_eq!(names(1), names(1));
        assert_ne!(names(1), names(2));
    }
}

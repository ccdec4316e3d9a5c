//! Products, suppliers, warehouses and the rules of the stock ledger: which moves exist,
//! when stock may not go out, and which lots go first (FEFO).

use rust_decimal::Decimal;
use strum::{EnumIter, IntoEnumIterator};

use super::crm::choice;
use super::customer::valid_code;
use super::fields::{Checker, FieldError, Problem, check_text, integer, percent};
use super::money::{Price, Quantity};

choice!(
    /// Why stock changed. The sign of the quantity says in or out; the kind says why.
    MoveKind {
        Receipt => "receipt",
        Shipment => "shipment",
        Return => "return",
        Adjustment => "adjustment",
        Count => "count",
        TransferOut => "transfer_out",
        TransferIn => "transfer_in",
        Scrap => "scrap",
        Expiry => "expiry",
    }
);

/// A product as typed or imported: every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductInput {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub unit: String,
    pub sale_price: String,
    pub cost_price: String,
    pub tax_rate: String,
    pub reorder_point: String,
    pub reorder_qty: String,
    pub lead_days: String,
    pub supplier: String,
    pub supplier_sku: String,
    pub supplier_price: String,
    pub tracks_lots: String,
    pub allow_negative: String,
    /// Separated by spaces, commas or semicolons.
    pub barcodes: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductData {
    pub sku: String,
    pub name: String,
    /// A path of names from the top: `Food/Dairy`.
    pub category: String,
    pub unit: String,
    pub sale_price: Price,
    pub cost_price: Price,
    /// Percent, two decimals at most.
    pub tax_rate: Decimal,
    pub reorder_point: Quantity,
    pub reorder_qty: Quantity,
    pub lead_days: i64,
    /// The main supplier's code; empty for none.
    pub supplier: String,
    pub supplier_sku: String,
    pub supplier_price: Price,
    pub tracks_lots: bool,
    pub allow_negative: bool,
    pub barcodes: Vec<String>,
}

pub const MAX_BARCODES: usize = 10;
/// A product name's most characters.
pub const PRODUCT_NAME_MAX: usize = 120;

fn code(text: &str, max: usize) -> Result<String, Problem> {
    check_text(text, true, max, false).and_then(|c| if valid_code(&c) { Ok(c) } else { Err(Problem::InvalidCode) })
}

/// `food / dairy//cheese` becomes `food/dairy/cheese`: segments trimmed, empty ones dropped.
pub fn normalise_category(text: &str) -> Result<String, Problem> {
    let path: Vec<&str> = text.split('/').map(str::trim).filter(|s| !s.is_empty()).collect();
    check_text(&path.join("/"), false, 120, false)
}

/// Whether `category` is `parent` or lies under it.
pub fn in_category(category: &str, parent: &str) -> bool {
    parent.is_empty()
        || category.eq_ignore_ascii_case(parent)
        || category.get(..parent.len()).is_some_and(|p| p.eq_ignore_ascii_case(parent))
            && category[parent.len()..].starts_with('/')
}

/// Units goods are weighed or measured in (ordered in decimals); everything else is
/// counted in whole pieces.
pub fn sold_by_measure(unit: &str) -> bool {
    const MEASURES: &[&str] = &[
        "kg", "g", "mg", "t", "lb", "oz", "l", "ml", "cl", "m", "cm", "mm", "m2", "m3", "千克", "公斤", "克", "斤",
        "升", "毫升", "米", "厘米",
    ];
    let unit = unit.trim().to_lowercase();
    MEASURES.contains(&unit.as_str())
}

/// A quantity fits the unit: goods counted in pieces come in whole numbers.
pub fn fits_unit(unit: &str, quantity: Quantity) -> Result<Quantity, Problem> {
    if sold_by_measure(unit) || quantity.value().fract().is_zero() {
        Ok(quantity)
    } else {
        Err(Problem::NotAWholeNumber)
    }
}

/// Yes/no as people and spreadsheets write it; empty is `default`.
pub fn flag(text: &str, default: bool) -> Result<bool, Problem> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(default),
        "yes" | "y" | "true" | "1" | "x" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(Problem::NotOneOf { allowed: vec!["yes", "no"] }),
    }
}

pub fn flag_text(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn price(text: &str) -> Result<Price, Problem> {
    if text.trim().is_empty() {
        return Ok(Price::ZERO);
    }
    super::order::line_price(text)
}

/// A quantity of more than zero: what a line orders, bills or buys.
pub fn positive_quantity(text: &str) -> Result<Quantity, Problem> {
    stock_quantity(text).and_then(|q| if q.is_zero() { Err(Problem::MustBePositive) } else { Ok(q) })
}

/// A quantity that may not be negative; empty is zero.
pub fn stock_quantity(text: &str) -> Result<Quantity, Problem> {
    if text.trim().is_empty() {
        return Ok(Quantity::ZERO);
    }
    let value = Quantity::parse(text).map_err(Problem::InvalidAmount)?;
    if value.value().is_sign_negative() { Err(Problem::OutOfRange { min: 0, max: None }) } else { Ok(value) }
}

fn barcodes(text: &str) -> Result<Vec<String>, Problem> {
    let mut codes: Vec<String> = Vec::new();
    for code in text.split([' ', ',', ';', '\t']).filter(|c| !c.is_empty()) {
        if code.len() > 64 || !code.chars().all(|c| c.is_ascii_graphic()) {
            return Err(Problem::InvalidCode);
        }
        // An EAN that Excel showed as 4.00638E+12: its last digits are lost, not a code.
        if crate::domain::money::written_as_power_of_ten(code) {
            return Err(Problem::InvalidAmount(crate::domain::money::AmountError::PowerOfTen(code.to_string())));
        }
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_string());
        }
    }
    if codes.len() > MAX_BARCODES {
        return Err(Problem::TooManyCodes { max: MAX_BARCODES });
    }
    // Kept in order, as stored: the same set of codes is the same product data.
    codes.sort();
    Ok(codes)
}

pub fn validate_product(input: &ProductInput) -> Result<ProductData, Vec<FieldError>> {
    let mut check = Checker::default();
    let unit = check.take("unit", check_text(&input.unit, false, 16, false));
    let data = ProductData {
        sku: check.take("sku", code(&input.sku, 32)),
        name: check.take("name", check_text(&input.name, true, PRODUCT_NAME_MAX, false)),
        category: check.take("category", normalise_category(&input.category)),
        unit: if unit.is_empty() { "pcs".to_string() } else { unit },
        sale_price: check.take("sale_price", price(&input.sale_price)),
        cost_price: check.take("cost_price", price(&input.cost_price)),
        tax_rate: check.take("tax_rate", percent(&input.tax_rate)),
        reorder_point: check.take("reorder_point", stock_quantity(&input.reorder_point)),
        reorder_qty: check.take("reorder_qty", stock_quantity(&input.reorder_qty)),
        lead_days: check.take("lead_days", integer(&input.lead_days, 0, 365, 0)),
        supplier: check.take(
            "supplier",
            if input.supplier.trim().is_empty() { Ok(String::new()) } else { code(&input.supplier, 32) },
        ),
        supplier_sku: check.take("supplier_sku", check_text(&input.supplier_sku, false, 64, false)),
        supplier_price: check.take("supplier_price", price(&input.supplier_price)),
        tracks_lots: check.take("tracks_lots", flag(&input.tracks_lots, false)),
        allow_negative: check.take("allow_negative", flag(&input.allow_negative, false)),
        barcodes: check.take("barcodes", barcodes(&input.barcodes)),
    };
    if data.tracks_lots && data.allow_negative {
        // A lot is a physical batch: there is no such thing as minus three of it.
        check.errors.push(FieldError { field: "allow_negative", problem: Problem::NotWithLots });
    }
    check.finish(data)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplierInput {
    pub code: String,
    pub name: String,
    pub contact: String,
    pub phone: String,
    pub email: String,
    pub lead_days: String,
    pub payment_days: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplierData {
    pub code: String,
    pub name: String,
    pub contact: String,
    pub phone: String,
    pub email: String,
    pub lead_days: i64,
    pub payment_days: i64,
}

pub fn validate_supplier(input: &SupplierInput) -> Result<SupplierData, Vec<FieldError>> {
    let mut check = Checker::default();
    let data = SupplierData {
        code: check.take("code", code(&input.code, 32)),
        name: check.take("name", check_text(&input.name, true, 120, false)),
        contact: check.take("contact", check_text(&input.contact, false, 120, false)),
        phone: check.take("phone", check_text(&input.phone, false, 40, false)),
        email: check.take("email", check_text(&input.email, false, 120, false)),
        lead_days: check.take("lead_days", integer(&input.lead_days, 0, 365, 7)),
        payment_days: check.take("payment_days", integer(&input.payment_days, 0, 365, 30)),
    };
    check.finish(data)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarehouseInput {
    pub code: String,
    pub name: String,
    pub allow_negative: String,
    pub is_default: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarehouseData {
    pub code: String,
    pub name: String,
    pub allow_negative: bool,
    pub is_default: bool,
}

pub fn validate_warehouse(input: &WarehouseInput) -> Result<WarehouseData, Vec<FieldError>> {
    let mut check = Checker::default();
    let data = WarehouseData {
        code: check.take("code", code(&input.code, 16)),
        name: check.take("name", check_text(&input.name, true, 64, false)),
        allow_negative: check.take("allow_negative", flag(&input.allow_negative, false)),
        is_default: check.take("is_default", flag(&input.is_default, false)),
    };
    check.finish(data)
}

/// How much is missing when `take` leaves `on_hand`, or `None` when it may go: always
/// when there is enough, and when the product or warehouse allows negative stock.
pub fn missing(on_hand: Quantity, take: Quantity, allow_negative: bool) -> Option<Quantity> {
    let after = on_hand.value() - take.value();
    if after.is_sign_negative() && !after.is_zero() && !allow_negative {
        Some(Quantity::round_from(-after))
    } else {
        None
    }
}

/// One lot of a product in one warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotStock {
    pub lot_id: i64,
    pub code: String,
    /// `YYYY-MM-DD`, empty when the lot does not expire.
    pub expiry: String,
    pub on_hand: Quantity,
}

/// First expired, first out: which lots `wanted` is taken from, earliest expiry first (lots
/// without an expiry last, then by lot code). `Err` holds how much is missing.
pub fn fefo(lots: &[LotStock], wanted: Quantity) -> Result<Vec<(i64, Quantity)>, Quantity> {
    let mut order: Vec<&LotStock> = lots.iter().filter(|l| l.on_hand.value() > Decimal::ZERO).collect();
    order.sort_by(|a, b| (a.expiry.is_empty(), &a.expiry, &a.code).cmp(&(b.expiry.is_empty(), &b.expiry, &b.code)));
    let mut left = wanted.value();
    let mut taken = Vec::new();
    for lot in order {
        if left <= Decimal::ZERO {
            break;
        }
        let take = left.min(lot.on_hand.value());
        taken.push((lot.lot_id, Quantity::round_from(take)));
        left -= take;
    }
    if left > Decimal::ZERO { Err(Quantity::round_from(left)) } else { Ok(taken) }
}

/// Days since stock arrived, in the buckets of an ageing report.
pub const AGE_BUCKETS: [i64; 3] = [30, 90, 180];

/// Splits what is on hand by how long ago it came in, assuming the oldest goes out first:
/// what is left is the newest arrivals. `inflows` are (days ago, units), newest first;
/// stock older than every recorded inflow counts as the oldest bucket.
pub fn age(on_hand: Quantity, inflows: &[(i64, Quantity)]) -> [Quantity; 4] {
    let mut buckets = [Decimal::ZERO; 4];
    let mut left = on_hand.value();
    for (days, units) in inflows {
        if left <= Decimal::ZERO {
            break;
        }
        let take = left.min(units.value());
        let bucket = AGE_BUCKETS.iter().position(|limit| days <= limit).unwrap_or(AGE_BUCKETS.len());
        buckets[bucket] += take;
        left -= take;
    }
    if left > Decimal::ZERO {
        buckets[AGE_BUCKETS.len()] += left;
    }
    buckets.map(Quantity::round_from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap()
    }

    fn lot(id: i64, expiry: &str, on_hand: &str) -> LotStock {
        LotStock { lot_id: id, code: format!("L{id}"), expiry: expiry.into(), on_hand: q(on_hand) }
    }

    #[test]
    fn fefo_takes_the_earliest_expiry_first() {
        let lots = [lot(1, "2027-03-01", "5"), lot(2, "2026-12-01", "2"), lot(3, "", "10"), lot(4, "2026-01-01", "0")];
        assert_eq!(fefo(&lots, q("4")), Ok(vec![(2, q("2")), (1, q("2"))]));
        assert_eq!(fefo(&lots, q("9")), Ok(vec![(2, q("2")), (1, q("5")), (3, q("2"))]));
        assert_eq!(fefo(&lots, q("17.5")), Err(q("0.5")));
        assert_eq!(fefo(&lots, q("0")), Ok(vec![]));
    }

    #[test]
    fn stock_may_not_go_below_zero_unless_allowed() {
        assert_eq!(missing(q("3"), q("5"), false), Some(q("2")));
        assert_eq!(missing(q("3"), q("3"), false), None);
        assert_eq!(missing(q("3"), q("5"), true), None);
        assert_eq!(missing(q("-1"), q("0.25"), false), Some(q("1.25")));
    }

    #[test]
    fn product_fields_are_checked() {
        let good = ProductInput {
            sku: "CHE-001".into(),
            name: "Gouda 48+ 奶酪".into(),
            category: " Food / Dairy // Cheese ".into(),
            sale_price: "12,5".into(),
            tax_rate: "7".into(),
            reorder_point: "2.5".into(),
            barcodes: "4006381333931, 200000000017 4006381333931".into(),
            ..Default::default()
        };
        let data = validate_product(&good).unwrap();
        assert_eq!(data.category, "Food/Dairy/Cheese");
        assert_eq!((data.unit.as_str(), data.sale_price.to_string().as_str()), ("pcs", "12.5000"));
        assert_eq!(data.barcodes, vec!["200000000017", "4006381333931"]);
        let bad = ProductInput {
            sku: "a b".into(),
            sale_price: "-1".into(),
            reorder_qty: "1.0005".into(),
            tracks_lots: "maybe".into(),
            ..Default::default()
        };
        let fields: Vec<_> = validate_product(&bad).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["sku", "name", "sale_price", "reorder_qty", "tracks_lots"]);
        // A price past a billion a unit is a typo (or a file's garbage), not a price.
        let huge = ProductInput { sale_price: "922337203685477.5807".into(), ..good.clone() };
        assert_eq!(
            validate_product(&huge).unwrap_err()[0].problem,
            Problem::OutOfRange { min: 0, max: Some(1_000_000_000) }
        );
        assert!(validate_product(&ProductInput { cost_price: "1000000000".into(), ..good.clone() }).is_ok());
        let lots_below_zero = ProductInput { tracks_lots: "yes".into(), allow_negative: "yes".into(), ..good };
        assert_eq!(validate_product(&lots_below_zero).unwrap_err()[0].problem, Problem::NotWithLots);
    }

    #[test]
    fn ageing_keeps_the_newest_arrivals() {
        // 25 on hand: 10 came 5 days ago, 10 came 40 days ago, 20 came 200 days ago.
        let inflows = [(5, q("10")), (40, q("10")), (200, q("20"))];
        assert_eq!(age(q("25"), &inflows), [q("10"), q("10"), q("0"), q("5")]);
        assert_eq!(age(q("8"), &inflows), [q("8"), q("0"), q("0"), q("0")]);
        assert_eq!(age(q("3"), &[]), [q("0"), q("0"), q("0"), q("3")], "older than any record");
    }

    #[test]
    fn categories_contain_their_children_only() {
        assert!(in_category("Food/Dairy/Cheese", "food/dairy"));
        assert!(in_category("Food/Dairy", "Food/Dairy"));
        assert!(!in_category("Food/Dairyfree", "Food/Dairy"));
        assert!(in_category("Anything", ""));
    }
}

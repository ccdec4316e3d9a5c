//! An order being typed: its customer, header and lines, as the entry screen and imports
//! build it. Pure in-memory work; `orders::save` writes it.

use rust_decimal::Decimal;

use crate::db::{self, orders as repo};
use crate::domain::customer::Customer;
use crate::domain::money::{Money, Price, Quantity};
use crate::domain::order::{Pricing, Totals, totals};
use crate::error::{Error, Result};
use crate::i18n::tf;
use crate::ops::Session;
use crate::ops::stock::Product;

/// One line being typed. `line` is its number on a saved order (None until saved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub line: Option<i64>,
    pub product: Product,
    pub quantity: Quantity,
    pub unit_price: Price,
    pub discount: Decimal,
    pub tax_rate: Decimal,
    /// Already shipped of a saved line: its quantity cannot go below this.
    pub shipped: Quantity,
}

impl DraftLine {
    pub fn pricing(&self) -> Pricing {
        Pricing {
            quantity: self.quantity,
            unit_price: self.unit_price,
            discount: self.discount,
            tax_rate: self.tax_rate,
        }
    }

    pub fn amount(&self) -> Money {
        self.pricing().amount()
    }
}

/// The header fields as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderInput {
    pub warehouse: String,
    pub address: String,
    pub region: String,
    pub salesperson: String,
    pub ship_by: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editing {
    pub id: i64,
    pub number: String,
    pub version: i64,
    pub status: crate::domain::order::OrderStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderDraft {
    pub customer: Option<Customer>,
    /// The customer's tier discount in percent: each new line's default.
    pub tier_discount: Decimal,
    pub header: HeaderInput,
    pub lines: Vec<DraftLine>,
    pub prices_include_tax: bool,
    /// The saved order this edits; None for a new one.
    pub editing: Option<Editing>,
    /// A new order's number and date as an import gives them; None: the next number, today.
    pub imported: Option<(String, String)>,
    /// The name of a customer to create with the order (chosen as "new customer" in
    /// the lookup): made in the same transaction, so a discarded order leaves no one behind.
    pub new_customer: Option<String>,
}

impl OrderDraft {
    /// A new order for the shop's defaults: the default warehouse, its price basis.
    pub fn new(session: &Session) -> Result<OrderDraft> {
        let warehouse = crate::ops::stock::default_warehouse(session)?;
        let settings = shop_settings(session)?;
        Ok(OrderDraft {
            header: HeaderInput { warehouse: warehouse.data.code, ..HeaderInput::default() },
            prices_include_tax: settings.prices_include_tax,
            ..OrderDraft::default()
        })
    }

    /// Sets the customer and takes their address, region, salesperson and tier discount.
    pub fn set_customer(&mut self, session: &Session, customer: Customer) -> Result<()> {
        self.set_tier_discount(tier_discount(session, &customer.data.tier)?);
        let c = &customer.data;
        self.header.address = [c.address.as_str(), c.city.as_str()]
            .iter()
            .filter(|s| !s.trim().is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        self.header.region = c.region.clone();
        self.header.salesperson = c.salesperson.clone();
        self.customer = Some(customer);
        Ok(())
    }

    /// A new customer's tier discount: lines still at the old default take the new one;
    /// a discount typed by hand stays.
    pub fn set_tier_discount(&mut self, discount: Decimal) {
        for line in self.lines.iter_mut().filter(|l| l.line.is_none() && l.discount == self.tier_discount) {
            line.discount = discount;
        }
        self.tier_discount = discount;
    }

    /// Adds `quantity` of a product: to its line when it has one (a second scan of the
    /// same code), else as a new line priced from the product less the tier discount.
    /// Returns the line's index.
    pub fn add(&mut self, product: Product, quantity: Quantity) -> usize {
        if let Some(index) = self.lines.iter().position(|l| l.product.id == product.id) {
            let line = &mut self.lines[index];
            line.quantity = line.quantity + quantity;
            return index;
        }
        self.lines.push(DraftLine {
            line: None,
            unit_price: product.data.sale_price,
            discount: self.tier_discount,
            tax_rate: product.data.tax_rate,
            product,
            quantity,
            shipped: Quantity::ZERO,
        });
        self.lines.len() - 1
    }

    pub fn totals(&self) -> Result<Totals> {
        let lines: Vec<(Money, Decimal)> = self.lines.iter().map(|l| (l.amount(), l.tax_rate)).collect();
        totals(&lines, self.prices_include_tax).map_err(|e| Error::Refused(tf("order.too_large", &[("value", &e)])))
    }

    pub fn units(&self) -> Quantity {
        self.lines.iter().fold(Quantity::ZERO, |sum, l| sum + l.quantity)
    }
}

/// The customer's tier discount, zero without a tier.
pub fn tier_discount(session: &Session, tier: &str) -> Result<Decimal> {
    tier_discount_in(session.db.conn(), tier)
}

pub(crate) fn tier_discount_in(conn: &rusqlite::Connection, tier: &str) -> Result<Decimal> {
    if tier.trim().is_empty() {
        return Ok(Decimal::ZERO);
    }
    Ok(db::tiers::find(conn, tier)?.map(|t| t.data.discount.normalize()).unwrap_or_default())
}

/// What the shop has set for pricing and approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShopSettings {
    pub prices_include_tax: bool,
    /// Orders above this need a manager; zero means none do.
    pub approval_limit: Money,
}

pub fn shop_settings(session: &Session) -> Result<ShopSettings> {
    settings_in(session.db.conn())
}

pub(crate) fn settings_in(conn: &rusqlite::Connection) -> Result<ShopSettings> {
    let included = repo::setting(conn, "prices_include_tax")?;
    let limit = repo::setting(conn, "approval_limit")?;
    Ok(ShopSettings {
        prices_include_tax: matches!(included.trim(), "1" | "true" | "yes"),
        approval_limit: Money::from_minor(limit.trim().parse().unwrap_or(0)),
    })
}

/// Sets one of the shop's settings. Only an admin may.
pub fn set_setting(session: &mut Session, key: &str, value: &str) -> Result<()> {
    session.require(crate::domain::user::Role::Admin)?;
    let stored = setting_value(key, value)?;
    session.write(|tx, ctx| {
        repo::set_setting(tx, key, &stored)?;
        ctx.audit(tx, "setting", "settings", None, format!("{key} = {stored}"))
    })
}

/// A setting's value as stored, from how it is typed (`yes`, `5000`), or why it cannot be.
pub(crate) fn setting_value(key: &str, value: &str) -> Result<String> {
    Ok(match key {
        "prices_include_tax" => match value.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => "1".to_string(),
            "0" | "false" | "no" => "0".to_string(),
            _ => return Err(Error::BadArgument(tf("order.setting_bool", &[("key", &key)]))),
        },
        "approval_limit" => {
            let money = Money::parse(value)
                .map_err(|e| Error::BadArgument(format!("{e}; {}", tf("order.setting_amount", &[("key", &key)]))))?;
            if money.value().is_sign_negative() {
                return Err(Error::BadArgument(tf("order.setting_amount", &[("key", &key)])));
            }
            crate::db::products::minor(money.to_minor())?.to_string()
        }
        "auto_invoice" => match crate::ops::invoices::AutoInvoice::parse(value) {
            Some(when) => when.as_str().to_string(),
            None => return Err(Error::BadArgument(tf("order.setting_auto_invoice", &[("value", &value)]))),
        },
        "sales_basis" => match crate::ops::sales::Basis::parse(value) {
            Some(basis) => basis.as_str().to_string(),
            None => return Err(Error::BadArgument(tf("order.setting_sales_basis", &[("value", &value)]))),
        },
        // The shop's details printed on invoices and delivery notes.
        k if SHOP_DETAILS.contains(&k) => crate::domain::fields::check_text(value, false, 200, false)
            .map_err(|p| Error::BadArgument(format!("{key}: {}", crate::error::describe_problem(&p))))?,
        _ => return Err(Error::BadArgument(tf("order.unknown_setting", &[("key", &key)]))),
    })
}

/// Settings as `key = value` lines, for `shopdesk settings`.
pub fn describe_settings(session: &Session) -> Result<Vec<(String, String)>> {
    let s = shop_settings(session)?;
    let mut all = vec![
        ("prices_include_tax".into(), if s.prices_include_tax { "yes".into() } else { "no".into() }),
        ("approval_limit".into(), s.approval_limit.to_string()),
    ];
    let auto = repo::setting(session.db.conn(), crate::ops::invoices::AutoInvoice::SETTING)?;
    let auto = crate::ops::invoices::AutoInvoice::parse(&auto).unwrap_or(crate::ops::invoices::AutoInvoice::Off);
    all.push(("auto_invoice".into(), auto.as_str().into()));
    all.push(("sales_basis".into(), crate::ops::sales::Basis::of_shop(session)?.as_str().into()));
    for key in SHOP_DETAILS {
        all.push((key.to_string(), repo::setting(session.db.conn(), key)?));
    }
    Ok(all)
}

/// The settings that are not free text (`setting_value` reads each its own way).
pub const RULE_SETTINGS: [&str; 4] = ["prices_include_tax", "approval_limit", "auto_invoice", "sales_basis"];

/// The shop's own details, as free text settings: who the invoice is from and how to pay.
pub const SHOP_DETAILS: [&str; 6] = ["shop_name", "shop_address", "shop_tax_id", "shop_payment", "currency", "country"];

/// The shop's details in `SHOP_DETAILS` order ('' where not set).
pub fn shop_details(conn: &rusqlite::Connection) -> Result<[String; 4]> {
    let mut out: [String; 4] = Default::default();
    for (slot, key) in out.iter_mut().zip(SHOP_DETAILS) {
        *slot = repo::setting(conn, key)?;
    }
    Ok(out)
}

/// Customers a typed code, name, phone or e-mail may mean; the exact code alone if one has it.
pub fn find_customers(session: &Session, typed: &str, limit: usize) -> Result<Vec<Customer>> {
    db::customers::lookup(session.db.conn(), typed, limit)
}

/// What the warehouse can still promise of a product: on hand less reserved.
pub fn available(session: &Session, product: i64, warehouse: &str) -> Result<Option<Quantity>> {
    let conn = session.db.conn();
    let Some(w) = db::products::warehouse_by_code(conn, warehouse.trim())? else { return Ok(None) };
    Ok(db::ledger::level(conn, product, w.id)?.map(|l| l.available()))
}

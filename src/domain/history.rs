//! Sales history as other systems export it: one row per order line, columns named as
//! each platform or spreadsheet names them, dates the way each country writes them.
//! These rules turn such a row into figures; `ops::sales_history` stores them.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::money::{Money, Price, Quantity};

/// What a column of a sales-history file can hold.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter, strum::IntoStaticStr, strum::EnumCount,
)]
#[strum(serialize_all = "snake_case")]
pub enum Field {
    OrderNumber,
    OrderDate,
    ShipDate,
    CustomerCode,
    CustomerName,
    /// The customer's email: who bought, in files whose buyers have no code (Shopify).
    CustomerEmail,
    /// The customer's name in two parts (WooCommerce's billing first and last name): the
    /// customer's name when the file has no whole one.
    FirstName,
    LastName,
    Segment,
    Region,
    City,
    ProductCode,
    ProductName,
    Category,
    Subcategory,
    Quantity,
    UnitPrice,
    Amount,
    Discount,
    /// A discount given as money off the line (Shopify's line item discount), not a percent.
    DiscountAmount,
    /// The line's amount before its discount (Pinduoduo's 商品总价, before the shop's
    /// coupon 店铺优惠折扣): the amount is what is left after the discount.
    AmountBeforeDiscount,
    TaxRate,
    Salesperson,
    /// What one unit cost the shop (new products take it as their cost price).
    UnitCost,
    /// The line's profit: the unit cost is worked back from it when no cost is given.
    Profit,
    /// The order's status in the system it comes from (`Outcome`): cancelled, refunded
    /// and unfinished orders are left out.
    Status,
    /// When the order was cancelled (Shopify's `Cancelled at`): any date or yes leaves it
    /// out, as a cancelled status does.
    CancelledAt,
}

impl Field {
    /// Its place in `Columns`.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn parse(text: &str) -> Option<Field> {
        use strum::IntoEnumIterator;
        let wanted = normalise(text);
        Field::iter().find(|f| normalise(f.name()) == wanted)
    }

    /// Header names this field goes by, normalised (`normalise`): English as the common
    /// shop platforms and spreadsheets write them, and Chinese.
    fn aliases(self) -> &'static [&'static str] {
        use Field::*;
        match self {
            OrderNumber => &[
                "ordernumber",
                "orderid",
                "orderno",
                "ordernum",
                "order",
                "orderref",
                "invoicenumber",
                "invoiceno",
                "订单号",
                "订单编号",
                "订单id",
                "单号",
                "订单",
            ],
            OrderDate => {
                // Taobao's 订单创建时间, Pinduoduo's 订单成交时间; not a payment time, which a
                // Taobao export has beside it.
                &[
                    "orderdate",
                    "date",
                    "orderedat",
                    "createdat",
                    "orderday",
                    "订单日期",
                    "下单日期",
                    "下单时间",
                    "日期",
                    "订单创建时间",
                    "创建时间",
                    "订单成交时间",
                    "成交时间",
                ]
            }
            ShipDate => &[
                "shipdate",
                "shippedat",
                "shippingdate",
                "deliverydate",
                "fulfilledat",
                "发货日期",
                "发货时间",
                "卖家发货时间",
                "出库日期",
                "出库时间",
            ],
            CustomerCode => &[
                "customercode",
                "customerid",
                "customerno",
                "customernumber",
                "clientid",
                "客户编号",
                "客户代码",
                "客户id",
            ],
            // A platform's buyer handle (eBay's, Taobao's 买家会员名) names one buyer.
            CustomerName => &[
                "buyerusername",
                "买家会员名",
                "买家昵称",
                "会员名",
                "customername",
                "customer",
                "client",
                "clientname",
                "billingname",
                "客户名称",
                "客户",
                "客户名",
                "客户姓名",
                "买家姓名",
                // Pinduoduo's only name is the recipient's: a handle too (see `columns`).
                "收货人",
                "收货人姓名",
            ],
            Segment => {
                &["segment", "customersegment", "tier", "customertier", "客户细分", "细分", "客户类型", "客户等级"]
            }
            Region => &["region", "salesregion", "area", "地区", "区域", "大区", "省", "省份"],
            City => &["city", "billingcity", "shippingcity", "城市", "市"],
            ProductCode => &[
                "productcode",
                "productid",
                "sku",
                "itemcode",
                "itemid",
                "articleno",
                "lineitemsku",
                "商品编号",
                "产品编号",
                "产品id",
                "商品编码",
                "货号",
                // The seller's own code on Taobao and Pinduoduo; JD's 商品ID.
                "商家编码",
                "商品id",
                "宝贝id",
                "sku编码",
            ],
            ProductName => &[
                "productname",
                "product",
                "item",
                "itemname",
                "lineitemname",
                "商品名称",
                "产品名称",
                "商品",
                "产品",
                "宝贝标题",
                "宝贝名称",
                "商品标题",
                "标题",
            ],
            Category => &["category", "productcategory", "类别", "品类", "类目", "产品类别"],
            Subcategory => &["subcategory", "子类别", "子类"],
            // Not Taobao's 宝贝总数量, the order's count of items.
            Quantity => &[
                "quantity",
                "qty",
                "units",
                "lineitemquantity",
                "数量",
                "购买数量",
                "订购数量",
                "商品数量",
                "商品数量件",
                "件数",
            ],
            // WooCommerce's "Item Cost" is what the customer paid for one.
            UnitPrice => &[
                "unitprice",
                "price",
                "lineitemprice",
                "itemcost",
                "itemprice",
                "单价",
                "价格",
                "京东价",
                "商品单价",
                "销售单价",
                "成交单价",
                "售价",
            ],
            Amount => {
                // Not 总金额 or 实付金额: on a Taobao or JD export that is the order's.
                &[
                    "amount",
                    "sales",
                    "lineamount",
                    "linetotal",
                    "revenue",
                    "netamount",
                    "销售额",
                    "金额",
                    "销售金额",
                    "小计",
                ]
            }
            AmountBeforeDiscount => &["amountbeforediscount", "grosssales", "商品总价", "商品总价元", "原价金额"],
            Discount => &["discount", "discountpercent", "折扣", "折扣率"],
            // Pinduoduo's shop coupon; not its 平台优惠折扣, which the platform pays the shop.
            DiscountAmount => &[
                "discountamount",
                "lineitemdiscount",
                "discountvalue",
                "折扣金额",
                "优惠金额",
                "店铺优惠折扣",
                "店铺优惠折扣元",
            ],
            TaxRate => &["taxrate", "vatrate", "税率"],
            Salesperson => &["salesperson", "salesrep", "seller", "rep", "销售员", "业务员", "销售"],
            // Not plain "cost" / 成本: in many exports that is the line's total cost.
            UnitCost => &["unitcost", "costprice", "purchaseprice", "单位成本", "成本价", "进价"],
            Profit => &["profit", "lineprofit", "grossprofit", "利润", "毛利"],
            // Not Shopify's "Fulfillment Status": an unshipped paid order is still a sale.
            Status => &["status", "orderstatus", "financialstatus", "paymentstatus", "订单状态", "交易状态", "状态"],
            FirstName => &["firstname", "billingfirstname", "shippingfirstname", "customerfirstname", "givenname"],
            LastName => {
                &["lastname", "billinglastname", "shippinglastname", "customerlastname", "surname", "familyname"]
            }
            CancelledAt => &["cancelledat", "canceledat", "cancelleddate", "cancellationdate", "取消时间", "取消日期"],
            CustomerEmail => &[
                "email",
                "customeremail",
                "buyeremail",
                "emailaddress",
                "billingemail",
                "邮箱",
                "电子邮箱",
                "客户邮箱",
            ],
        }
    }

    /// The field a header names, by any of its aliases.
    pub fn for_header(header: &str) -> Option<Field> {
        use strum::IntoEnumIterator;
        let wanted = normalise(header);
        Field::iter().find(|f| normalise(f.name()) == wanted || f.aliases().contains(&wanted.as_str()))
    }

    /// Whether several columns may be read as this field: statuses (`Order Status` and
    /// `Payment Status`), the stricter deciding.
    pub fn many_columns(self) -> bool {
        self == Field::Status
    }

    /// Whether a search typed to choose a field finds this one: in its name or any of the
    /// header names it goes by (`qty`, `客户`).
    pub fn matches(self, typed: &str) -> bool {
        let typed = normalise(typed);
        normalise(self.name()).contains(&typed) || self.aliases().iter().any(|a| a.contains(typed.as_str()))
    }

    pub fn all_names() -> String {
        use strum::IntoEnumIterator;
        Field::iter().map(Field::name).collect::<Vec<_>>().join(", ")
    }
}

/// A header as compared: lower case, letters and digits only (`Sub-Category` and
/// `sub_category` are `subcategory`).
pub fn normalise(header: &str) -> String {
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether `03/04/2026` is the 3rd of April or the 4th of March; or, said for a file,
/// that `23/04/05` is 2023-04-05 (two-digit years first, as Japanese and Korean systems
/// write them), which no date can show by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    DayFirst,
    MonthFirst,
    YearFirst,
}

impl DayOrder {
    pub fn parse(text: &str) -> Option<DayOrder> {
        match text.trim().to_ascii_lowercase().as_str() {
            "dmy" | "d/m/y" | "day-first" => Some(DayOrder::DayFirst),
            "mdy" | "m/d/y" | "month-first" => Some(DayOrder::MonthFirst),
            "ymd" | "y/m/d" | "year-first" => Some(DayOrder::YearFirst),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    NotADate,
    /// Day and month could be either way round, and the file does not say which.
    Ambiguous,
    /// The file's other dates put the day and month the other way round.
    AgainstOrder(DayOrder),
}

/// A date as exported: `2026-11-27`, `2026/11/27`, `2026年11月27日`, `27.11.2026`, and
/// `11/27/2026` or `27/11/2026` (two-digit years too), a time after it ignored. `order`
/// is the file's day order once known; `Ok` also says what this date showed about it.
pub fn parse_day(text: &str, order: Option<DayOrder>) -> Result<(NaiveDate, Option<DayOrder>), DateProblem> {
    let text = text.trim();
    let date_part = text.split([' ', 'T']).next().unwrap_or("");
    let cleaned: String = date_part.replace(['年', '月'], "-").replace('日', "");
    let separator = cleaned.chars().find(|c| matches!(c, '-' | '/' | '.')).ok_or(DateProblem::NotADate)?;
    let parts: Vec<&str> = cleaned.split(separator).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(DateProblem::NotADate);
    }
    let n = |i: usize| parts[i].parse::<u32>().map_err(|_| DateProblem::NotADate);
    let date = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or(DateProblem::NotADate);
    if parts[0].len() == 4 {
        return Ok((date(n(0)? as i32, n(1)?, n(2)?)?, None));
    }
    // Dotted dates are day first wherever they are written (`05.04.23`).
    if order == Some(DayOrder::YearFirst) && separator != '.' {
        // A four-digit year at the end says this date is not written year first.
        return match parts[2].len() {
            1 | 2 => Ok((date(2000 + n(0)? as i32, n(1)?, n(2)?)?, None)),
            _ => Err(DateProblem::AgainstOrder(DayOrder::YearFirst)),
        };
    }
    let year = match parts[2].len() {
        4 => n(2)? as i32,
        // 16 is 2016: history is of this century.
        2 => 2000 + n(2)? as i32,
        _ => return Err(DateProblem::NotADate),
    };
    let (a, b) = (n(0)?, n(1)?);
    if separator == '.' {
        return Ok((date(year, b, a)?, Some(DayOrder::DayFirst)));
    }
    let shown = if a > 12 && b <= 12 {
        Some(DayOrder::DayFirst)
    } else if b > 12 && a <= 12 {
        Some(DayOrder::MonthFirst)
    } else {
        None
    };
    let taken = match (shown, order) {
        (Some(shown), Some(order)) if shown != order => return Err(DateProblem::AgainstOrder(order)),
        (Some(shown), _) => shown,
        (None, Some(order)) => order,
        (None, None) if a == b => DayOrder::DayFirst,
        (None, None) => return Err(DateProblem::Ambiguous),
    };
    let day = match taken {
        DayOrder::DayFirst => date(year, b, a)?,
        DayOrder::MonthFirst => date(year, a, b)?,
        // Answered above, before the year was looked for at the end.
        DayOrder::YearFirst => return Err(DateProblem::AgainstOrder(DayOrder::YearFirst)),
    };
    Ok((day, shown))
}

/// Whether a date is written so that day and month could be either way round
/// (`03/04/2026`, `3-4-26`): not year first, not with dots.
pub fn day_order_matters(text: &str) -> bool {
    let date_part = text.trim().split([' ', 'T']).next().unwrap_or("");
    let Some(separator) = date_part.chars().find(|c| matches!(c, '-' | '/' | '.')) else { return false };
    separator != '.' && date_part.split(separator).next().is_some_and(|first| first.len() <= 2)
}

/// Whether a date is written with three parts of at most two digits (`24/12/31`): it may
/// be a two-digit year first, which no date shows by itself.
pub fn could_be_year_first(text: &str) -> bool {
    let date_part = text.trim().split([' ', 'T']).next().unwrap_or("");
    let Some(separator) = date_part.chars().find(|c| matches!(c, '-' | '/')) else { return false };
    let parts: Vec<&str> = date_part.split(separator).collect();
    parts.len() == 3 && parts.iter().all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// How a file writes discounts without a `%`: as spreadsheets store percentages
/// (`0.2` = 20 %), or as percents (`20`, and then `0.5` = 0.5 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountStyle {
    Fraction,
    Percent,
    /// Fractions under a Chinese 折扣 header: the share of the price paid, as 折 are said
    /// (`0.9` = 九折 = 10 % off). Read as fractions off, they took 90 % off.
    Paid,
    /// Nothing but 0 and 1 seen: fractions as far as told, but a plain `1` could be the
    /// whole price or 1 %, so it is refused rather than taken as 100 %.
    Unclear,
}

impl DiscountStyle {
    /// The style a file's discounts show: percents when one (without `%`) is over 1,
    /// fractions when one is between 0 and 1: of the price paid when the column's header
    /// is Chinese (`rates_paid`, see `pays_rate`), of the price taken off otherwise.
    pub fn of<'a>(discounts: impl IntoIterator<Item = &'a str>, rates_paid: bool) -> DiscountStyle {
        let plain: Vec<Decimal> = discounts
            .into_iter()
            .filter(|text| !text.trim().ends_with('%') && zhe_rate(text).is_none())
            .filter_map(parse_number)
            .collect();
        if plain.iter().any(|n| *n > Decimal::ONE) {
            DiscountStyle::Percent
        } else if plain.iter().any(|n| *n > Decimal::ZERO && *n < Decimal::ONE) {
            if rates_paid { DiscountStyle::Paid } else { DiscountStyle::Fraction }
        } else {
            DiscountStyle::Unclear
        }
    }
}

/// Whether a discount column's header (`折扣`, `折扣率`) gives 折: a Chinese discount is
/// said as the share paid, so its fractions are that share (`0.9` = 10 % off).
pub fn pays_rate(header: &str) -> bool {
    header.contains('折')
}

/// The percent taken off by a discount written as 折 (`9折` pays 90 %, `8.5折` 85 %,
/// `95折` 95 %), or `None` when `text` is not one.
fn zhe_rate(text: &str) -> Option<Decimal> {
    let number = parse_number(text.trim().strip_suffix('折')?.trim())?;
    let ten = Decimal::TEN;
    let paid = if number > Decimal::ZERO && number <= ten {
        number * ten
    } else if number > ten && number < Decimal::ONE_HUNDRED {
        number
    } else {
        return None;
    };
    Some(Decimal::ONE_HUNDRED - paid)
}

/// A discount as exported: `20%` always a percent off, `8折` always 20 % off; a plain
/// number as the file's `style` says; 0 to 100 percent, kept to a hundredth. `None` for
/// anything else, including a plain number over 1 in a file of fractions, and a plain 0 in
/// a file of 折 rates (the whole price off, where the writer most likely meant none).
pub fn parse_discount(text: &str, style: DiscountStyle) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() {
        return Some(Decimal::ZERO);
    }
    let value = match zhe_rate(text) {
        Some(off) => off,
        None if text.ends_with('折') => return None,
        None => {
            let percent_sign = text.ends_with('%');
            let number = parse_number(text.trim_end_matches('%'))?;
            match (percent_sign, style) {
                (false, DiscountStyle::Fraction | DiscountStyle::Unclear | DiscountStyle::Paid)
                    if number > Decimal::ONE =>
                {
                    return None;
                }
                (false, DiscountStyle::Unclear) if number == Decimal::ONE => return None,
                (false, DiscountStyle::Paid) if number.is_zero() => return None,
                (false, DiscountStyle::Paid) => (Decimal::ONE - number) * Decimal::ONE_HUNDRED,
                (false, DiscountStyle::Fraction | DiscountStyle::Unclear) => number * Decimal::ONE_HUNDRED,
                _ => number,
            }
        }
    };
    // Kept to a hundredth of a percent, as order lines store it.
    let value = value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&value).then(|| value.normalize())
}

/// `1,299` or `1,000`: one comma before exactly three digits, nothing else: a thousands
/// separator or a decimal comma, and no way to tell which. (`0,125` and `12,50` are not.)
/// In a `;` file, `2.500` is the one: see `money::ambiguous_mark`.
pub fn ambiguous_comma(text: &str) -> bool {
    super::money::ambiguous_mark(text)
}

const CURRENCY_SIGNS: [char; 6] = ['$', '€', '£', '¥', '￥', '元'];

/// A number as exported, any number of decimals (`957.5775`), with a decimal comma or
/// grouped thousands as `Money::parse` reads them.
pub fn parse_number(text: &str) -> Option<Decimal> {
    // A currency sign in front (`$12.50`) or after (`12,50 €`, as German Excel writes).
    let digits = text.trim().trim_start_matches(CURRENCY_SIGNS).trim_end_matches(CURRENCY_SIGNS).trim();
    let dotted = super::money::plain_decimal(digits)?;
    std::str::FromStr::from_str(&dotted).ok()
}

/// A line's unit price and amount: the amount is what was paid (net of tax) when the file
/// gives it, rounded to the cent, and the unit price is worked back from it when missing;
/// otherwise the amount is quantity × price less the discount.
pub fn line_figures(
    quantity: Quantity,
    unit_price: Option<Decimal>,
    amount: Option<Decimal>,
    discount: Decimal,
) -> Option<(Price, Money)> {
    let kept = Decimal::ONE - discount / Decimal::ONE_HUNDRED;
    match (unit_price, amount) {
        (_, Some(amount)) if amount.is_sign_negative() => None,
        (Some(price), _) if price.is_sign_negative() => None,
        (Some(price), Some(amount)) => Some((Price::round_from(price), Money::round_from(amount))),
        (Some(price), None) => {
            let price = Price::round_from(price);
            let amount = quantity.value().checked_mul(price.value())?.checked_mul(kept)?;
            Some((price, Money::round_from(amount)))
        }
        (None, Some(amount)) => {
            let paid_for = quantity.value().checked_mul(kept)?;
            let price = if paid_for.is_zero() { Decimal::ZERO } else { amount.checked_div(paid_for)? };
            Some((Price::round_from(price), Money::round_from(amount)))
        }
        (None, None) => None,
    }
}

/// What one unit cost: as given, or worked back from the line's profit (the amount as the
/// file wrote it, before rounding to the cent, less the profit, per unit). `None` when
/// neither is given, the profit is more than the amount, or the figures overflow.
pub fn unit_cost(quantity: Quantity, amount: Decimal, cost: Option<Decimal>, profit: Option<Decimal>) -> Option<Price> {
    match (cost, profit) {
        (Some(cost), _) if !cost.is_sign_negative() => Some(Price::round_from(cost)),
        (None, Some(profit)) if profit <= amount && !quantity.is_zero() => {
            Some(Price::round_from(amount.checked_sub(profit)?.checked_div(quantity.value())?))
        }
        _ => None,
    }
}

/// What an order's status in the system it comes from makes of it as history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It went ahead: paid, shipped or completed (partly refunded too).
    Sold,
    /// It did not: cancelled, refunded, voided, failed.
    Cancelled,
    /// It was not paid when the file was written: pending, awaiting payment, on hold.
    Open,
}

/// Why a status is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusProblem {
    Unknown,
    /// `closed`: completed in some systems (Zoho), refunded in others (Magento).
    Closed,
}

/// An order's status as shop platforms and spreadsheets write it: WooCommerce's
/// `completed`/`processing`/`cancelled`, Shopify's financial status (`paid`,
/// `partially_refunded`, `voided`), Magento's, Amazon's, Taobao's `交易成功`/`交易关闭`
/// and its API's `TRADE_FINISHED`, JD's and Pinduoduo's. An order is a sale once it is paid,
/// shipped or not; it is left out when it was cancelled or refunded, or is not paid yet.
/// Read by the words it holds, the first list that matches deciding: a partial refund is a
/// sale, a refund after shipping is not, `unpaid` is not `paid`.
pub fn outcome(status: &str) -> Result<Outcome, StatusProblem> {
    // Sales whose words would read otherwise below.
    const SOLD_FIRST: &[&str] =
        &["partiallyrefunded", "partialrefund", "partlyrefunded", "部分退款", "invoiceunconfirmed"];
    const CANCELLED: &[&str] = &[
        "超时",
        "timeout",
        "timedout",
        "cancel",
        "refund",
        "void",
        "fail",
        "declin",
        "reject",
        "fraud",
        "returned",
        "error",
        "expired",
        "abandon",
        "unfulfillable",
        "tradeclosed",
        "取消",
        "关闭",
        "退款",
        "退货",
        "作废",
        "失败",
        "拒收",
        "过期",
    ];
    const NOT_PAID: &[&str] = &[
        "notyetpaid",
        "manualverification",
        "waitpreauth",
        "cashondelivery",
        "pendingconfirmation",
        "awaitingconfirmation",
        "待买家付款",
        "待付",
        "unpaid",
        "notpaid",
        "awaitingpayment",
        "pendingpayment",
        "paymentpending",
        "waitbuyerpay",
        "nocreatepay",
        "incomplet",
        "notcomplet",
        "unconfirmed",
        "未付款",
        "未支付",
        "待付款",
        "待支付",
        "等待付款",
        "等待买家付款",
        "未完成",
    ];
    // Paid and then shipped or waiting to be: `unshipped` and `待发货` too.
    const SOLD: &[&str] = &[
        "已审核",
        "审核通过",
        "已确认",
        "consigned",
        "signed",
        "complete",
        "paid",
        "fulfil",
        "ship",
        "deliver",
        "invoice",
        "success",
        "accept",
        "confirm",
        "finish",
        "process",
        "disput",
        "pickup",
        "waitseller",
        "waitbuyerconfirm",
        "成功",
        "完成",
        "发货",
        "签收",
        "付款",
        "支付",
        "收货",
        "出库",
        "处理中",
    ];
    const OPEN: &[&str] = &[
        "locked", "pause", "暂停", "pending", "hold", "await", "authori", "draft", "waiting", "review", "待", "等待",
        "锁定", "审核",
    ];
    // Short words that are a status only by themselves (not inside `renewal`).
    const OPEN_WORDS: &[&str] = &["new", "open", "placed"];
    const SOLD_WORDS: &[&str] = &["done", "won"];
    let words = normalise(status);
    let holds = |stems: &[&str]| stems.iter().any(|s| words.contains(s));
    if holds(SOLD_FIRST) {
        Ok(Outcome::Sold)
    } else if holds(CANCELLED) {
        Ok(Outcome::Cancelled)
    } else if holds(NOT_PAID) {
        Ok(Outcome::Open)
    } else if holds(SOLD) || SOLD_WORDS.contains(&words.as_str()) {
        Ok(Outcome::Sold)
    } else if holds(OPEN) || OPEN_WORDS.contains(&words.as_str()) {
        Ok(Outcome::Open)
    } else if words == "closed" {
        Err(StatusProblem::Closed)
    } else {
        Err(StatusProblem::Unknown)
    }
}

/// What a "cancelled at" cell says: `Some(true)` for a date or a yes, `Some(false)` for
/// nothing or a no (database dumps write `NULL`, `0000-00-00 00:00:00`), `None` for
/// anything else, which is not guessed.
pub fn says_cancelled(cell: &str) -> Option<bool> {
    let words = normalise(cell);
    match words.as_str() {
        "" | "no" | "n" | "false" | "null" | "none" | "na" | "nan" | "否" | "未取消" => return Some(false),
        "yes" | "y" | "true" | "1" | "是" | "已取消" | "cancelled" | "canceled" => return Some(true),
        _ if words.bytes().all(|b| b == b'0') => return Some(false),
        _ => {}
    }
    match parse_day(cell, None) {
        Err(DateProblem::NotADate) => None,
        // A date, whichever way its day and month read.
        _ => Some(true),
    }
}

/// Whether a day is too far from today to be real history: after today, or before 1990.
pub fn implausible_day(day: NaiveDate, today: NaiveDate) -> bool {
    day > today || day.year() < 1990
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn headers_of_common_exports_find_their_fields() {
        let superstore = [
            ("Order ID", Some(Field::OrderNumber)),
            ("Order Date", Some(Field::OrderDate)),
            ("Ship Date", Some(Field::ShipDate)),
            ("Customer ID", Some(Field::CustomerCode)),
            ("Customer Name", Some(Field::CustomerName)),
            ("Segment", Some(Field::Segment)),
            ("Sub-Category", Some(Field::Subcategory)),
            ("Product ID", Some(Field::ProductCode)),
            ("Sales", Some(Field::Amount)),
            ("Row ID", None),
            ("Profit", Some(Field::Profit)),
            ("订单日期", Some(Field::OrderDate)),
            ("商品名称", Some(Field::ProductName)),
            ("unit_price", Some(Field::UnitPrice)),
            // Taobao's order and item reports, JD's and Pinduoduo's order exports.
            ("订单创建时间", Some(Field::OrderDate)),
            ("订单付款时间", None),
            ("宝贝标题", Some(Field::ProductName)),
            ("购买数量", Some(Field::Quantity)),
            ("宝贝总数量", None),
            ("价格", Some(Field::UnitPrice)),
            ("总金额", None),
            ("商家编码", Some(Field::ProductCode)),
            ("商品ID", Some(Field::ProductCode)),
            ("订购数量", Some(Field::Quantity)),
            ("京东价", Some(Field::UnitPrice)),
            ("客户姓名", Some(Field::CustomerName)),
            ("商品数量(件)", Some(Field::Quantity)),
            ("商品总价(元)", Some(Field::AmountBeforeDiscount)),
            ("店铺优惠折扣(元)", Some(Field::DiscountAmount)),
            ("平台优惠折扣(元)", None),
            ("订单成交时间", Some(Field::OrderDate)),
            ("收货人", Some(Field::CustomerName)),
        ];
        for (header, field) in superstore {
            assert_eq!(Field::for_header(header), field, "{header}");
        }
        assert_eq!(Field::parse("order-number"), Some(Field::OrderNumber));
        assert!(Field::Quantity.matches("qty") && Field::Quantity.matches("QUANT") && Field::Quantity.matches(""));
        assert!(Field::CustomerName.matches("客户") && !Field::Quantity.matches("客户"));
        assert_eq!(Field::parse("sales"), None, "--map takes field names, not aliases");
    }

    #[test]
    fn statuses_of_common_platforms() {
        use Outcome::*;
        let read = [
            ("completed", Sold),
            ("Complete", Sold),
            ("paid", Sold),
            ("partially_refunded", Sold),
            ("partially_paid", Sold),
            ("Processing", Sold),
            ("Processing in progress", Sold),
            ("Shipped", Sold),
            ("Unshipped", Sold),
            ("Awaiting Shipment", Sold),
            ("Awaiting Fulfillment", Sold),
            ("Payment accepted", Sold),
            ("Confirmed", Sold),
            ("InvoiceUnconfirmed", Sold),
            ("Disputed", Sold),
            ("TRADE_FINISHED", Sold),
            ("WAIT_SELLER_SEND_GOODS", Sold),
            ("WAIT_BUYER_CONFIRM_GOODS", Sold),
            ("交易成功", Sold),
            ("买家已付款，等待卖家发货", Sold),
            ("卖家已发货，等待买家确认", Sold),
            ("卖家部分发货", Sold),
            ("待发货", Sold),
            ("等待出库", Sold),
            ("等待确认收货", Sold),
            ("已签收", Sold),
            ("部分退款", Sold),
            ("cancelled", Cancelled),
            ("Canceled", Cancelled),
            ("refunded", Cancelled),
            ("voided", Cancelled),
            ("failed", Cancelled),
            ("expired", Cancelled),
            ("Payment error", Cancelled),
            ("TRADE_CLOSED_BY_TAOBAO", Cancelled),
            ("交易关闭", Cancelled),
            ("已发货，退款成功", Cancelled),
            ("未发货，退款成功", Cancelled),
            ("已取消", Cancelled),
            ("pending", Open),
            ("Pending Payment", Open),
            ("on-hold", Open),
            ("authorized", Open),
            ("unpaid", Open),
            ("Incomplete", Open),
            ("Not completed", Open),
            ("Awaiting bank wire payment", Open),
            ("WAIT_BUYER_PAY", Open),
            ("等待买家付款", Open),
            ("未完成", Open),
            ("new", Open),
            ("Manual Verification Required", Open),
            ("Not yet paid", Open),
            ("待买家付款", Open),
            ("WAIT_PRE_AUTH_CONFIRM", Open),
            ("Awaiting Cash On Delivery validation", Open),
            ("Pending confirmation", Open),
            ("LOCKED", Open),
            ("暂停", Open),
            ("支付超时", Cancelled),
            ("SELLER_CONSIGNED_PART", Sold),
            ("TRADE_BUYER_SIGNED", Sold),
            ("已确认", Sold),
            ("已审核", Sold),
            ("审核通过", Sold),
        ];
        for (status, expected) in read {
            assert_eq!(outcome(status), Ok(expected), "{status}");
        }
        assert_eq!(outcome("closed"), Err(StatusProblem::Closed));
        assert_eq!(outcome("renewal"), Err(StatusProblem::Unknown));
        assert_eq!(outcome("VIP"), Err(StatusProblem::Unknown));
        for yes in ["2026-03-02 10:00:00 +0100", "03/04/2026", "yes", "是", "TRUE"] {
            assert_eq!(says_cancelled(yes), Some(true), "{yes}");
        }
        for no in ["", " false ", "否", "NULL", "None", "N/A", "nan", "0000-00-00 00:00:00", "0"] {
            assert_eq!(says_cancelled(no), Some(false), "{no}");
        }
        assert_eq!(says_cancelled("soon"), None);
        assert_eq!(Field::for_header("Cancelled at"), Some(Field::CancelledAt));
        assert_eq!(Field::for_header("Financial Status"), Some(Field::Status));
        assert_eq!(Field::for_header("Fulfillment Status"), None);
        assert_eq!(Field::for_header("Email"), Some(Field::CustomerEmail));
    }

    #[test]
    fn dates_as_countries_write_them() {
        assert_eq!(parse_day("2016-11-08", None), Ok((d(2016, 11, 8), None)));
        assert_eq!(parse_day("2016/11/08 10:30", None), Ok((d(2016, 11, 8), None)));
        assert_eq!(parse_day("2016-11-08T10:30:00Z", None), Ok((d(2016, 11, 8), None)));
        assert_eq!(parse_day("2016年11月8日", None), Ok((d(2016, 11, 8), None)));
        assert_eq!(parse_day("8.11.2016", None), Ok((d(2016, 11, 8), Some(DayOrder::DayFirst))));
        assert_eq!(parse_day("11/28/2016", None), Ok((d(2016, 11, 28), Some(DayOrder::MonthFirst))));
        assert_eq!(parse_day("28/11/16", None), Ok((d(2016, 11, 28), Some(DayOrder::DayFirst))));
        assert_eq!(parse_day("11/8/2016", None), Err(DateProblem::Ambiguous));
        assert_eq!(parse_day("11/8/2016", Some(DayOrder::MonthFirst)), Ok((d(2016, 11, 8), None)));
        assert_eq!(parse_day("11/8/2016", Some(DayOrder::DayFirst)), Ok((d(2016, 8, 11), None)));
        assert_eq!(parse_day("5/5/2016", None), Ok((d(2016, 5, 5), None)));
        assert_eq!(
            parse_day("28/11/2016", Some(DayOrder::MonthFirst)),
            Err(DateProblem::AgainstOrder(DayOrder::MonthFirst))
        );
        // Two-digit years first only when the file is said to write them so.
        assert_eq!(parse_day("23/04/05", Some(DayOrder::YearFirst)), Ok((d(2023, 4, 5), None)));
        assert_eq!(parse_day("99-12-31", Some(DayOrder::YearFirst)), Ok((d(2099, 12, 31), None)));
        assert_eq!(parse_day("2023/04/05", Some(DayOrder::YearFirst)), Ok((d(2023, 4, 5), None)));
        assert_eq!(
            parse_day("05/04/2023", Some(DayOrder::YearFirst)),
            Err(DateProblem::AgainstOrder(DayOrder::YearFirst))
        );
        assert_eq!(parse_day("23/02/30", Some(DayOrder::YearFirst)), Err(DateProblem::NotADate));
        assert_eq!(parse_day("05.04.23", Some(DayOrder::YearFirst)), Ok((d(2023, 4, 5), Some(DayOrder::DayFirst))));
        assert_eq!(DayOrder::parse("YMD"), Some(DayOrder::YearFirst));
        assert!(could_be_year_first("24/12/31") && could_be_year_first("24-1-5 10:00"));
        assert!(!could_be_year_first("24/12/2031") && !could_be_year_first("24.12.31") && !could_be_year_first(""));
        for bad in ["", "yesterday", "2016-13-01", "2016-02-30", "1/2", "12345/1/2016", "2016-1-x"] {
            assert_eq!(parse_day(bad, Some(DayOrder::DayFirst)), Err(DateProblem::NotADate), "{bad}");
        }
    }

    /// 折扣 says the share paid: 0.9 (九折) is 10 % off, not 90 %; `8折` is 20 % off anywhere.
    #[test]
    fn chinese_discounts_are_the_share_paid() {
        use DiscountStyle::*;
        assert!(pays_rate("折扣") && pays_rate("折扣率") && !pays_rate("Discount"));
        assert_eq!(DiscountStyle::of(["0.9", "0.85", "1"], true), Paid);
        assert_eq!(DiscountStyle::of(["0.9", "0.85", "1"], false), Fraction);
        assert_eq!(DiscountStyle::of(["9折", "0.2"], false), Fraction, "折 values tell nothing of plain ones");
        assert_eq!(DiscountStyle::of(["15", "0.5"], true), Percent, "plain percents stay percents");
        assert_eq!(parse_discount("0.9", Paid), Some(Decimal::TEN));
        assert_eq!(parse_discount("0.85", Paid), Some(Decimal::from(15)));
        assert_eq!(parse_discount("1", Paid), Some(Decimal::ZERO));
        assert_eq!(parse_discount("", Paid), Some(Decimal::ZERO));
        assert_eq!(parse_discount("0", Paid), None, "the whole price off: refused, most likely meant none");
        assert_eq!(parse_discount("1.5", Paid), None);
        assert_eq!(parse_discount("10%", Paid), Some(Decimal::TEN), "a percent is what is taken off");
        for (text, off) in [("9折", 10), ("8.5折", 15), ("95折", 5), ("7 折", 30), ("10折", 0)] {
            for style in [Fraction, Percent, Paid, Unclear] {
                assert_eq!(parse_discount(text, style), Some(Decimal::from(off)), "{text} {style:?}");
            }
        }
        for bad in ["0折", "100折", "折", "x折", "-1折"] {
            assert_eq!(parse_discount(bad, Percent), None, "{bad}");
        }
    }

    #[test]
    fn discounts_as_percent_or_fraction() {
        use DiscountStyle::*;
        assert_eq!(parse_discount("0.2", Fraction), Some(Decimal::from(20)));
        assert_eq!(parse_discount("20%", Fraction), Some(Decimal::from(20)));
        assert_eq!(parse_discount("20", Percent), Some(Decimal::from(20)));
        assert_eq!(parse_discount("20", Fraction), None, "over 1 in a file of fractions");
        assert_eq!(parse_discount("0.5", Percent), Some(Decimal::new(5, 1)), "half a percent in a file of percents");
        assert_eq!(parse_discount("0,5 %", Fraction), Some(Decimal::new(5, 1)));
        assert_eq!(parse_discount("0.125", Fraction), Some(Decimal::new(125, 1)));
        assert_eq!(DiscountStyle::of(["0", "0.2", "50%"], false), Fraction);
        assert_eq!(DiscountStyle::of(["0", "0.5", "15"], false), Percent);
        assert_eq!(parse_number("12,50 €"), Some(Decimal::new(1250, 2)));
        assert_eq!(parse_number("€ 1.234,50"), Some(Decimal::new(123450, 2)));
        assert_eq!(parse_number("59元"), Some(Decimal::from(59)));
        // Only 0 and 1: a plain 1 could be 1 % or the whole price; 100% still says which.
        assert_eq!(DiscountStyle::of(["1", "0", "1"], false), Unclear);
        assert_eq!(parse_discount("1", Unclear), None);
        assert_eq!(parse_discount("100%", Unclear), Some(Decimal::ONE_HUNDRED));
        assert_eq!(parse_discount("1", Fraction), Some(Decimal::ONE_HUNDRED));
        assert!(ambiguous_comma("1,299") && ambiguous_comma("$1,000") && ambiguous_comma("-2,500"));
        assert!(!ambiguous_comma("0,125") && !ambiguous_comma("12,50") && !ambiguous_comma("1,299.00"));
        assert!(!ambiguous_comma("1.234,500") && !ambiguous_comma("1299"));
        assert!(day_order_matters("03/04/2026") && day_order_matters("3-4-26 10:00"));
        assert!(!day_order_matters("2026-04-03") && !day_order_matters("03.04.2026") && !day_order_matters(""));
        assert_eq!(parse_discount("", Fraction), Some(Decimal::ZERO));
        assert_eq!(parse_discount("120", Percent), None);
        assert_eq!(parse_discount("-5", Percent), None);
        assert_eq!(parse_discount("lots", Percent), None);
    }

    #[test]
    fn amounts_win_and_prices_are_worked_back() {
        let q = |t: &str| Quantity::parse(t).unwrap();
        let n = |t: &str| parse_number(t);
        // Superstore: 2 chairs for 731.94 at no discount.
        assert_eq!(
            line_figures(q("3"), None, n("731.94"), Decimal::ZERO),
            Some((Price::parse("243.98").unwrap(), Money::parse("731.94").unwrap()))
        );
        // 957.5775 is rounded to the cent; the price comes from the amount before the discount.
        let (price, amount) = line_figures(q("5"), None, n("957.5775"), Decimal::from(45)).unwrap();
        assert_eq!(amount, Money::parse("957.58").unwrap());
        assert_eq!(price, Price::parse("348.21").unwrap());
        assert_eq!(
            line_figures(q("2"), n("1.234,50"), None, Decimal::from(10)),
            Some((Price::parse("1234.5").unwrap(), Money::parse("2222.10").unwrap()))
        );
        assert_eq!(line_figures(q("1"), None, n("-5"), Decimal::ZERO), None);
        assert_eq!(line_figures(q("1"), None, None, Decimal::ZERO), None);
        assert_eq!(line_figures(q("2"), None, n("0"), Decimal::ONE_HUNDRED), Some((Price::ZERO, Money::ZERO)));
        assert_eq!(n("$1,299.00"), Some(Decimal::new(129900, 2)));
        // Superstore's table: 957.5775 for 5 with a loss of 383.031 cost 268.12 each.
        let amount = Decimal::new(9_575_775, 4);
        assert_eq!(unit_cost(q("5"), amount, None, n("-383.031")), Some(Price::parse("268.1217").unwrap()));
        assert_eq!(unit_cost(q("1"), Decimal::ONE, None, Some(Decimal::MIN)), None, "overflow is no cost");
        assert_eq!(unit_cost(q("5"), amount, n("2.5"), n("1")), Some(Price::parse("2.5").unwrap()));
        assert_eq!(unit_cost(q("5"), amount, None, n("1000")), None, "profit over the amount");
        assert_eq!(unit_cost(q("5"), amount, None, None), None);
        assert_eq!(n("abc"), None);
    }
}

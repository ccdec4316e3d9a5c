//! Invoices: drafted from orders (what has shipped, or everything ordered; one or several
//! orders of one customer), then issued: the next number of the series taken inside the
//! same transaction, the customer copied onto the invoice, the tax breakdown stored, and a
//! hash chaining it to the invoice issued before. An issued invoice never changes (the
//! database refuses); `check` walks the chain and the numbering.

use rusqlite::Connection;
use rust_decimal::Decimal;

use super::{Session, WriteCtx};
use crate::db::invoices::{self as repo, Invoice, InvoiceLine, Issue, TaxLine};
use crate::db::{self, orders as orders_repo};
use crate::domain::invoice::{chain_hash, format_number};
use crate::domain::money::{Money, Quantity};
use crate::domain::order::{OrderStatus, Pricing, totals};
use crate::error::{Error, Result};
use crate::i18n::tf;

/// What of an order goes on the invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// What has shipped and is not invoiced yet (the usual case).
    Shipped,
    /// Everything ordered and not invoiced yet (shops that bill up front).
    Ordered,
}

/// When invoices issue themselves: never (someone drafts and issues them), when a shipment
/// ships (what it took), or when an order is confirmed (everything ordered: billing up front).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoInvoice {
    Off,
    OnShip,
    OnConfirm,
}

impl AutoInvoice {
    pub const SETTING: &'static str = "auto_invoice";

    pub fn parse(text: &str) -> Option<AutoInvoice> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "off" | "no" | "never" => Some(AutoInvoice::Off),
            "ship" | "on_ship" => Some(AutoInvoice::OnShip),
            "confirm" | "on_confirm" => Some(AutoInvoice::OnConfirm),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AutoInvoice::Off => "off",
            AutoInvoice::OnShip => "ship",
            AutoInvoice::OnConfirm => "confirm",
        }
    }
}

/// Issues an invoice for `order` when the shop has asked for one at `moment`, inside the
/// caller's transaction: the shipment (or confirmation) and its invoice stand or fall
/// together, so nothing shipped is left uninvoiced by a crash in between. Returns the
/// number issued; nothing when the setting says otherwise or nothing is left to invoice.
pub(crate) fn auto_issue_in(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    order: &crate::db::orders::Order,
    moment: AutoInvoice,
) -> Result<Option<String>> {
    let setting = AutoInvoice::parse(&orders_repo::setting(tx, AutoInvoice::SETTING)?).unwrap_or(AutoInvoice::Off);
    if setting != moment || moment == AutoInvoice::Off {
        return Ok(None);
    }
    let basis = if moment == AutoInvoice::OnShip { Basis::Shipped } else { Basis::Ordered };
    let mut left = false;
    for l in orders_repo::lines(tx, order.id)? {
        let ready = if basis == Basis::Shipped { l.shipped } else { l.quantity };
        left |= ready > invoiced_of(tx, order.id, l.line)?;
    }
    if !left {
        return Ok(None);
    }
    let id = draft_in(tx, ctx, std::slice::from_ref(&order.number), basis)?;
    let version = repo::invoice(tx, id)?.map(|i| i.version).unwrap_or_default();
    let issued = issue_in(tx, ctx, id, version, ctx.today)?;
    Ok(issued.invoice.number)
}

/// An invoice with its lines and tax breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDetail {
    pub invoice: Invoice,
    pub lines: Vec<InvoiceLine>,
    pub taxes: Vec<TaxLine>,
    /// For a credit note: the number of the invoice it credits.
    pub credits: Option<String>,
}

/// "INV-2026-000001", or "draft 7" for a draft's id.
pub fn find(session: &Session, reference: &str) -> Result<InvoiceDetail> {
    let conn = session.db.conn();
    let reference = reference.trim();
    let found = match repo::by_number(conn, reference)? {
        Some(invoice) => Some(invoice),
        None => match reference.trim_start_matches("draft").trim().parse::<i64>() {
            Ok(id) => repo::invoice(conn, id)?,
            Err(_) => None,
        },
    };
    let invoice = found.ok_or_else(|| Error::BadArgument(tf("invoice.no_such", &[("reference", &reference)])))?;
    detail_of(conn, invoice)
}

/// The invoice with its lines; a draft shows its customer's code and name as they stand now
/// (an issued invoice keeps the copy made when it was issued).
fn detail_of(conn: &Connection, mut invoice: Invoice) -> Result<InvoiceDetail> {
    if !invoice.issued
        && let Some(c) = db::customers::get(conn, crate::domain::ids::CustomerId(invoice.customer_id))?
    {
        invoice.customer_code = c.data.code;
        invoice.customer_name = c.data.name;
    }
    let credits = match invoice.credits_id {
        Some(id) => repo::invoice(conn, id)?.and_then(|i| i.number),
        None => None,
    };
    Ok(InvoiceDetail { lines: repo::lines(conn, invoice.id)?, taxes: repo::taxes(conn, invoice.id)?, credits, invoice })
}

/// A draft invoice for the given orders of one customer.
pub fn draft_from_orders(session: &mut Session, numbers: &[String], basis: Basis) -> Result<InvoiceDetail> {
    let id = session.write(|tx, ctx| draft_in(tx, ctx, numbers, basis))?;
    detail_of(session.db.conn(), repo::invoice(session.db.conn(), id)?.ok_or(Error::NotFound { what: id.to_string() })?)
}

/// A draft invoice of everything a customer (code) has left to invoice: what shipped (or,
/// with `Basis::Ordered`, what was ordered) on all their orders, one invoice.
pub fn draft_for_customer(session: &mut Session, customer: &str, basis: Basis) -> Result<InvoiceDetail> {
    let id = session.write(|tx, ctx| {
        let c = db::customers::find_by_code(tx, customer)?
            .ok_or_else(|| Error::BadArgument(tf("payment.no_customer", &[("code", &customer.trim())])))?;
        let numbers = repo::orders_to_invoice(tx, c.id.0, basis == Basis::Ordered)?;
        if numbers.is_empty() {
            return Err(Error::Refused(tf("invoice.customer_nothing", &[("code", &c.data.code)])));
        }
        draft_in(tx, ctx, &numbers, basis)
    })?;
    detail_of(session.db.conn(), repo::invoice(session.db.conn(), id)?.ok_or(Error::NotFound { what: id.to_string() })?)
}

/// A window of the invoice list in `view`, newest first.
pub fn window(
    session: &Session,
    view: repo::InvoiceView,
    anchor: &crate::db::paging::Anchor,
    limit: usize,
) -> Result<Vec<Invoice>> {
    repo::window(session.db.conn(), view, &session.clock.today().to_string(), anchor, limit)
}

pub fn count(session: &Session, view: repo::InvoiceView) -> Result<usize> {
    repo::count(session.db.conn(), view, &session.clock.today().to_string())
}

pub fn position(session: &Session, view: repo::InvoiceView, id: i64) -> Result<usize> {
    repo::position(session.db.conn(), view, &session.clock.today().to_string(), id)
}

pub(crate) fn draft_in(tx: &Connection, ctx: &WriteCtx<'_>, numbers: &[String], basis: Basis) -> Result<i64> {
    let mut orders = Vec::new();
    for number in numbers {
        let order = orders_repo::order_by_number(tx, number)?.ok_or_else(|| super::orders::no_order(number))?;
        if matches!(order.status, OrderStatus::Draft | OrderStatus::AwaitingApproval | OrderStatus::Cancelled) {
            let status = super::orders::status_label(order.status);
            return Err(Error::Refused(tf(
                "invoice.order_not_invoiceable",
                &[("number", &order.number), ("status", &status)],
            )));
        }
        if order.sold_on.is_some() {
            return Err(Error::Refused(tf("invoice.history_order", &[("number", &order.number)])));
        }
        orders.push(order);
    }
    let Some(first) = orders.first() else { return Err(Error::BadArgument(tf("invoice.no_orders", &[]))) };
    if let Some(other) = orders.iter().find(|o| o.customer_id != first.customer_id) {
        return Err(Error::Refused(tf("invoice.one_customer", &[("number", &other.number), ("first", &first.number)])));
    }
    if let Some(other) = orders.iter().find(|o| o.prices_include_tax != first.prices_include_tax) {
        return Err(Error::Refused(tf("invoice.one_price_basis", &[("number", &other.number)])));
    }
    let id = repo::insert_draft(tx, "INV", first.customer_id, first.prices_include_tax, &ctx.now, &ctx.operator.name)?;
    let mut n = 0;
    for order in &orders {
        for l in orders_repo::lines(tx, order.id)? {
            let invoiced = invoiced_of(tx, order.id, l.line)?;
            let ready = match basis {
                Basis::Shipped => l.shipped,
                Basis::Ordered => l.quantity,
            };
            let quantity = ready - invoiced;
            if quantity <= Quantity::ZERO {
                continue;
            }
            n += 1;
            let pricing = Pricing { quantity, unit_price: l.unit_price, discount: l.discount, tax_rate: l.tax_rate };
            repo::insert_line(
                tx,
                id,
                &InvoiceLine {
                    line: n,
                    order_id: Some(order.id),
                    order_line: Some(l.line),
                    product_id: Some(l.product_id),
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    unit: l.unit.clone(),
                    quantity,
                    unit_price: l.unit_price,
                    discount: l.discount,
                    tax_rate: l.tax_rate,
                    amount: pricing.amount(),
                    credits_line: None,
                },
            )?;
            repo::add_invoiced(tx, order.id, l.line, quantity)?;
        }
    }
    if n == 0 {
        return Err(Error::Refused(tf("invoice.nothing_to_invoice", &[("orders", &numbers.join(", "))])));
    }
    store_totals(tx, id, first.prices_include_tax)?;
    ctx.audit(tx, "draft", "invoice", Some(id), numbers.join(", "))?;
    Ok(id)
}

pub(crate) fn invoiced_of(tx: &Connection, order: i64, line: i64) -> Result<Quantity> {
    let minor: i64 = tx
        .prepare_cached("SELECT invoiced FROM order_lines WHERE order_id = ?1 AND line = ?2")?
        .query_row((order, line), |r| r.get(0))?;
    Ok(Quantity::from_minor(minor))
}

fn computed_totals(tx: &Connection, id: i64, include: bool) -> Result<crate::domain::order::Totals> {
    let lines: Vec<(Money, Decimal)> = repo::lines(tx, id)?.iter().map(|l| (l.amount, l.tax_rate)).collect();
    totals(&lines, include).map_err(|e| Error::Refused(tf("order.too_large", &[("value", &e)])))
}

fn store_totals(tx: &Connection, id: i64, include: bool) -> Result<()> {
    let t = computed_totals(tx, id, include)?;
    repo::set_totals(tx, id, t.net, t.tax, t.gross)
}

/// Deletes a draft; what it held of its orders can be invoiced again.
pub fn delete_draft(session: &mut Session, id: i64) -> Result<()> {
    session.write(|tx, ctx| {
        let invoice = repo::invoice(tx, id)?.ok_or(Error::NotFound { what: format!("draft {id}") })?;
        if invoice.issued {
            return Err(Error::Refused(tf("invoice.issued_kept", &[("number", &invoice.number.unwrap_or_default())])));
        }
        // A credit note's lines name the order lines of the invoice they credit, but never
        // counted as invoiced: only an invoice gives its quantities back.
        if !invoice.credit_note {
            for l in repo::lines(tx, id)? {
                if let (Some(order), Some(line)) = (l.order_id, l.order_line) {
                    repo::add_invoiced(tx, order, line, Quantity::ZERO - l.quantity)?;
                }
            }
        }
        repo::delete_draft(tx, id)?;
        ctx.audit(tx, "delete-draft", "invoice", Some(id), String::new())
    })
}

/// The content an invoice's hash covers: number, dates, customer as copied, each line,
/// the tax per rate and the totals, one field per `|`. A credit note names the invoice it
/// credits by that invoice's number (`credited`), so a copy of the shop made by export and
/// import rebuilds the same chain; credit notes issued before that named it by row id
/// (`credited` None), which `check` still accepts.
pub fn canonical(invoice: &Invoice, lines: &[InvoiceLine], taxes: &[TaxLine], credited: Option<&str>) -> String {
    let mut out = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
        invoice.number.as_deref().unwrap_or(""),
        invoice.issue_date,
        invoice.due_date,
        invoice.customer_code,
        invoice.customer_name,
        invoice.customer_address,
        invoice.customer_tax_id,
        invoice.prices_include_tax,
        invoice.net,
        invoice.tax,
        invoice.gross,
        invoice.series,
    );
    if invoice.credit_note {
        match credited {
            Some(number) => out.push_str(&format!("|credit_note|{number}|{}", invoice.reason)),
            None => out.push_str(&format!("|credit_note|{}|{}", invoice.credits_id.unwrap_or(0), invoice.reason)),
        }
    }
    for l in lines {
        out.push_str(&format!(
            "\n{}|{}|{}|{}|{}|{}|{}|{}",
            l.line, l.sku, l.name, l.quantity, l.unit_price, l.discount, l.tax_rate, l.amount
        ));
    }
    for t in taxes {
        out.push_str(&format!("\n{}|{}|{}", t.rate, t.base, t.tax));
    }
    out
}

/// The days a customer has to pay: their tier's, else 30.
pub(crate) fn payment_days(tx: &Connection, customer: &crate::domain::customer::CustomerData) -> Result<i64> {
    Ok(db::tiers::find(tx, &customer.tier)?.map(|t| t.data.payment_days).unwrap_or(30))
}

/// The customer's address as an invoice prints it: street and city on one line.
pub(crate) fn printed_address(c: &crate::domain::customer::CustomerData) -> String {
    [c.address.as_str(), c.city.as_str()]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Puts `issued` (a draft with all that issuing writes onto it: number, customer as printed,
/// dates, totals) at the end of the hash chain and marks it issued: the one way a document
/// enters the chain, issued here or brought in from a file.
pub(crate) fn chain_in(tx: &Connection, ctx: &WriteCtx<'_>, issued: &Invoice, taxes: &[TaxLine]) -> Result<()> {
    let (end, prev_hash) = repo::chain_end(tx)?;
    let lines = repo::lines(tx, issued.id)?;
    let credited = credited_number(tx, issued)?;
    let hash = chain_hash(&prev_hash, &canonical(issued, &lines, taxes, credited.as_deref()));
    repo::issue(
        tx,
        issued.id,
        issued.version,
        &Issue {
            number: issued.number.as_deref().unwrap_or_default(),
            customer_code: &issued.customer_code,
            customer_name: &issued.customer_name,
            customer_address: &issued.customer_address,
            customer_tax_id: &issued.customer_tax_id,
            issue_date: &issued.issue_date,
            due_date: &issued.due_date,
            chain_seq: end + 1,
            prev_hash: &prev_hash,
            hash: &hash,
            at: &ctx.now,
            by: &ctx.operator.name,
        },
    )
}

/// The number of the invoice a credit note credits, as its hash names it.
pub(crate) fn credited_number(conn: &Connection, invoice: &Invoice) -> Result<Option<String>> {
    match (invoice.credit_note, invoice.credits_id) {
        (true, Some(id)) => Ok(Some(repo::invoice_number(conn, id)?)),
        _ => Ok(None),
    }
}

/// Issues a draft: numbered, dated, the customer copied on, due after the customer's
/// tier's payment days, chained. One transaction: a number is taken only when the invoice
/// is issued with it, so numbers have no gaps whatever fails.
pub fn issue(session: &mut Session, id: i64, version: i64) -> Result<InvoiceDetail> {
    let today = session.clock.today();
    session.write(|tx, ctx| issue_in(tx, ctx, id, version, today))
}

pub(crate) fn issue_in(
    tx: &Connection,
    ctx: &WriteCtx<'_>,
    id: i64,
    version: i64,
    today: chrono::NaiveDate,
) -> Result<InvoiceDetail> {
    {
        let draft = repo::invoice(tx, id)?.ok_or(Error::NotFound { what: format!("draft {id}") })?;
        if draft.issued {
            return Err(Error::Refused(tf("invoice.already_issued", &[("number", &draft.number.unwrap_or_default())])));
        }
        if draft.version != version {
            return Err(Error::Conflict { what: format!("draft {id}") });
        }
        // An order cancelled since the draft was made is not billed.
        if !draft.credit_note {
            for order in repo::lines(tx, id)?.iter().filter_map(|l| l.order_id) {
                if let Some(o) = orders_repo::order(tx, order)?
                    && o.status == OrderStatus::Cancelled
                {
                    return Err(Error::Refused(tf("invoice.order_cancelled", &[("number", &o.number)])));
                }
            }
        }
        let customer = db::customers::get(tx, crate::domain::ids::CustomerId(draft.customer_id))?
            .ok_or_else(|| Error::NotFound { what: format!("customer {}", draft.customer_id) })?;
        let days = payment_days(tx, &customer.data)?;
        let year = chrono::Datelike::year(&today);
        let (pattern, seq) = repo::take_sequence(tx, &draft.series, year)?;
        let number = format_number(&pattern, year, seq)
            .map_err(|_| Error::Refused(tf("invoice.bad_pattern", &[("pattern", &pattern)])))?;
        let c = &customer.data;
        let address = printed_address(c);
        let totals = computed_totals(tx, id, draft.prices_include_tax)?;
        let taxes: Vec<TaxLine> =
            totals.rates.iter().map(|r| TaxLine { rate: r.rate, base: r.base, tax: r.tax }).collect();
        for t in &taxes {
            repo::insert_tax(tx, id, t)?;
        }
        repo::set_totals(tx, id, totals.net, totals.tax, totals.gross)?;
        let due = today + chrono::Duration::days(days);
        let issued = Invoice {
            number: Some(number.clone()),
            issued: true,
            customer_code: c.code.clone(),
            customer_name: c.name.clone(),
            customer_address: address.clone(),
            customer_tax_id: c.tax_id.clone(),
            issue_date: today.to_string(),
            due_date: due.to_string(),
            net: totals.net,
            tax: totals.tax,
            gross: totals.gross,
            ..draft.clone()
        };
        chain_in(tx, ctx, &issued, &taxes)?;
        ctx.audit(tx, "issue", "invoice", Some(id), number)?;
        let invoice = repo::invoice(tx, id)?.ok_or(Error::NotFound { what: format!("invoice {id}") })?;
        detail_of(tx, invoice)
    }
}

/// Breaks in the chain and the numbering, and totals that do not add up: what `shopdesk
/// check` reports about invoices.
pub fn check(session: &Session) -> Result<Vec<String>> {
    let conn = session.db.conn();
    let patterns = repo::series(conn)?;
    let mut problems = Vec::new();
    let mut prev = String::new();
    let mut expected_seq = 1;
    // (series, year) -> the next sequence a number must carry.
    let mut next: Vec<((String, i32), i64)> = Vec::new();
    repo::for_each_issued(conn, |inv| {
        let number = inv.number.clone().unwrap_or_default();
        if inv.chain_seq != Some(expected_seq) {
            problems.push(tf("invoice.check_chain_gap", &[("number", &number), ("seq", &expected_seq)]));
        }
        expected_seq = inv.chain_seq.unwrap_or(expected_seq) + 1;
        if inv.prev_hash != prev {
            problems.push(tf("invoice.check_prev", &[("number", &number)]));
        }
        let lines = repo::lines(conn, inv.id)?;
        let taxes = repo::taxes(conn, inv.id)?;
        let credited = credited_number(conn, &inv)?;
        let hashed = |credited: Option<&str>| chain_hash(&inv.prev_hash, &canonical(&inv, &lines, &taxes, credited));
        if hashed(credited.as_deref()) != inv.hash && !(inv.credit_note && hashed(None) == inv.hash) {
            problems.push(tf("invoice.check_hash", &[("number", &number)]));
        }
        let sum: Decimal = lines.iter().map(|l| l.amount.value()).sum();
        let tax: Decimal = taxes.iter().map(|t| t.tax.value()).sum();
        let lines_ok = if inv.prices_include_tax { sum == inv.gross.value() } else { sum == inv.net.value() };
        if !lines_ok || tax != inv.tax.value() || inv.net.value() + inv.tax.value() != inv.gross.value() {
            problems.push(tf("invoice.check_totals", &[("number", &number)]));
        }
        let year = inv.issue_date.get(..4).and_then(|y| y.parse::<i32>().ok()).unwrap_or(0);
        let key = (inv.series.clone(), year);
        let seq = match next.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => {
                *n += 1;
                *n - 1
            }
            None => {
                next.push((key, 2));
                1
            }
        };
        let pattern = patterns.iter().find(|(code, _)| *code == inv.series).map(|(_, p)| p.as_str()).unwrap_or("");
        let history = inv.series == crate::domain::invoice::HISTORY_SERIES;
        if !history && format_number(pattern, year, seq).ok().as_deref() != Some(number.as_str()) {
            problems.push(tf("invoice.check_number", &[("number", &number), ("seq", &seq)]));
        }
        prev = inv.hash.clone();
        Ok(())
    })?;
    Ok(problems)
}

pub fn recent(session: &Session, limit: usize) -> Result<Vec<Invoice>> {
    repo::recent(session.db.conn(), limit)
}

#[cfg(test)]
mod money_props;
#[cfg(test)]
mod tests;

/// Fixtures shared with the payments tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use crate::domain::money::Quantity;
    use crate::domain::stock::ProductInput;
    use crate::ops::Session;
    use crate::ops::ledger::{MoveForm, parse_move, receive};
    use crate::ops::order_entry::OrderDraft;
    use crate::ops::orders;
    use crate::ops::stock::{self, save_product};
    use crate::ops::testing::shop;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap()
    }

    /// A shop with PEN (2.00, 19 %) and TEA (3.99, 7 %) in stock, and an order of 3 PEN and
    /// 2 TEA, confirmed, of which the pens have shipped.
    pub(crate) fn shipped_order() -> (Session, String) {
        shipped_order_with(|_| {})
    }

    /// `shipped_order`, with `setup` run on the shop first (e.g. to change a setting).
    pub(crate) fn shipped_order_with(setup: impl FnOnce(&mut Session)) -> (Session, String) {
        let (mut s, _) = shop();
        setup(&mut s);
        for (sku, price, tax) in [("PEN", "2", "19"), ("TEA", "3.99", "7")] {
            let input = ProductInput {
                sku: sku.into(),
                name: format!("{sku} name"),
                sale_price: price.into(),
                cost_price: "0.5".into(),
                tax_rate: tax.into(),
                ..Default::default()
            };
            save_product(&mut s, None, &input).unwrap();
        }
        let form = MoveForm { product: "PEN".into(), quantity: "10".into(), ..Default::default() };
        let m = parse_move(s.db.conn(), &form, crate::domain::stock::MoveKind::Receipt).unwrap();
        receive(&mut s, &[m]).unwrap();
        let mut d = OrderDraft::new(&s).unwrap();
        let first = crate::db::customers::all_ids(s.db.conn()).unwrap()[0];
        d.set_customer(&s, crate::db::customers::get(s.db.conn(), first).unwrap().unwrap()).unwrap();
        d.add(stock::find_product(&s, "PEN").unwrap().unwrap(), q("3"));
        d.add(stock::find_product(&s, "TEA").unwrap().unwrap(), q("2"));
        let order = orders::save(&mut s, &d).unwrap();
        orders::confirm(&mut s, order.id, order.version).unwrap();
        let shipment = orders::detail(&s, order.id).unwrap().shipments[0].number.clone();
        orders::ship(&mut s, &shipment, "", "").unwrap();
        (s, order.number)
    }
}

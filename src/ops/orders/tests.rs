use proptest::prelude::*;

use super::*;
use crate::domain::stock::ProductInput;
use crate::ops::ledger::{MoveForm, parse_move, receive};
use crate::ops::order_entry::{OrderDraft, set_setting};
use crate::ops::stock::{self, save_product};
use crate::ops::testing::shop;

fn q(text: &str) -> Quantity {
    Quantity::parse(text).unwrap()
}

/// A shop with Ana (no tier) and three products: PEN at 2.00 (19 %), MILK with lots at
/// 1.50 (7 %), and INK, of which there is none.
fn order_shop() -> Session {
    let (mut s, _) = shop();
    for (sku, price, tax, lots) in [("PEN", "2", "19", "no"), ("MILK", "1.5", "7", "yes"), ("INK", "10", "19", "no")] {
        let input = ProductInput {
            sku: sku.into(),
            name: format!("{sku} name"),
            sale_price: price.into(),
            cost_price: "0.5".into(),
            tax_rate: tax.into(),
            tracks_lots: lots.into(),
            ..Default::default()
        };
        save_product(&mut s, None, &input).unwrap();
    }
    stock_in(&mut s, "PEN", "10", "");
    stock_in(&mut s, "MILK", "3", "L1");
    stock_in(&mut s, "MILK", "3", "L2");
    s
}

fn stock_in(s: &mut Session, sku: &str, quantity: &str, lot: &str) {
    let expiry = if lot == "L1" {
        "2027-01-01"
    } else if lot.is_empty() {
        ""
    } else {
        "2027-06-01"
    };
    let form = MoveForm {
        product: sku.into(),
        quantity: quantity.into(),
        lot: lot.into(),
        expiry: expiry.into(),
        ..Default::default()
    };
    let m = parse_move(s.db.conn(), &form, MoveKind::Receipt).unwrap();
    receive(s, &[m]).unwrap();
}

fn draft(s: &Session, lines: &[(&str, &str)]) -> OrderDraft {
    let mut d = OrderDraft::new(s).unwrap();
    let first = crate::db::customers::all_ids(s.db.conn()).unwrap()[0];
    let ana = crate::db::customers::get(s.db.conn(), first).unwrap().unwrap();
    d.set_customer(s, ana).unwrap();
    for (sku, quantity) in lines {
        let product = stock::find_product(s, sku).unwrap().unwrap();
        d.add(product, q(quantity));
    }
    d
}

fn level(s: &Session, sku: &str) -> (Quantity, Quantity) {
    let product = stock::find_product(s, sku).unwrap().unwrap();
    let l = crate::db::ledger::level(s.db.conn(), product.id, 1).unwrap().unwrap();
    (l.on_hand, l.reserved)
}

fn problems(s: &Session) -> Vec<String> {
    let mut all = check_all(s).unwrap();
    all.extend(crate::ops::ledger::check(s).unwrap());
    all
}

#[test]
fn a_scanned_code_twice_adds_to_its_line_and_totals_follow() {
    let s = order_shop();
    let mut d = draft(&s, &[("PEN", "1"), ("MILK", "2"), ("PEN", "1")]);
    assert_eq!(d.lines.len(), 2);
    assert_eq!(d.lines[0].quantity, q("2"));
    d.lines[1].discount = "10".parse().unwrap();
    // PEN 2 x 2.00 = 4.00 at 19 % -> 0.76; MILK 2 x 1.50 less 10 % = 2.70 at 7 % -> 0.189 -> 0.19
    let t = d.totals().unwrap();
    assert_eq!(
        (t.net.to_string(), t.tax.to_string(), t.gross.to_string()),
        ("6.70".into(), "0.95".into(), "7.65".into())
    );
}

#[test]
fn confirm_reserves_what_is_there_and_backorders_the_rest() {
    let mut s = order_shop();
    let order = save_new(&mut s, &[("PEN", "12"), ("INK", "1")]).unwrap();
    assert_eq!((order.number.as_str(), order.status), ("SO-000001", OrderStatus::Draft));
    assert_eq!(level(&s, "PEN"), (q("10"), q("0")), "a draft reserves nothing");
    let done = confirm(&mut s, order.id, order.version).unwrap();
    assert_eq!(done.order.status, OrderStatus::Confirmed);
    assert_eq!(done.waiting, vec![("PEN".to_string(), q("2")), ("INK".to_string(), q("1"))]);
    assert!(done.order.backorder);
    assert_eq!(level(&s, "PEN"), (q("10"), q("10")));
    let detail = detail(&s, order.id).unwrap();
    assert_eq!(detail.shipments.len(), 1);
    assert_eq!(detail.shipments[0].lines.len(), 1, "nothing of INK to pick");
    assert_eq!(detail.lines[0].backordered(), q("2"));
    assert!(problems(&s).is_empty(), "{:?}", problems(&s));

    // Ship what was picked; later stock arrives and a second shipment takes the rest.
    let shipped = ship(&mut s, &detail.shipments[0].number, "DHL", "123").unwrap();
    assert_eq!(shipped.status, OrderStatus::PartlyShipped);
    assert_eq!(level(&s, "PEN"), (q("0"), q("0")));
    stock_in(&mut s, "PEN", "5", "");
    stock_in(&mut s, "INK", "5", "");
    assert!(allocate(&mut s, order.id).unwrap().is_empty());
    let detail = super::detail(&s, order.id).unwrap();
    assert!(!detail.order.backorder);
    let second = detail.shipments.iter().find(|s| s.status == "open").unwrap().number.clone();
    assert_eq!(ship(&mut s, &second, "", "").unwrap().status, OrderStatus::Shipped);
    assert_eq!(level(&s, "PEN"), (q("3"), q("0")));
    let today = s.clock.today();
    let first = detail.shipments[0].number.clone();
    assert_eq!(deliver(&mut s, &first, today).unwrap().status, OrderStatus::Shipped, "one box still on its way");
    let delivered = deliver(&mut s, &second, today).unwrap();
    assert_eq!(delivered.status, OrderStatus::Delivered);
    assert_eq!(close(&mut s, delivered.id, delivered.version).unwrap().status, OrderStatus::Closed);
    let events = super::detail(&s, order.id).unwrap().events;
    // Stored as messages with their values, so each reader sees their own language.
    assert!(events[0].detail.starts_with("@order.ev_created\u{1f}lines=2"), "{:?}", events[0]);
    assert!(timeline_text(&events[0].detail).contains('2'));
    let steps: Vec<String> = events.iter().map(|e| e.step.clone()).collect();
    assert_eq!(steps, ["edit", "confirm", "allocate", "ship", "allocate", "ship", "deliver", "deliver", "close"]);
    assert!(problems(&s).is_empty(), "{:?}", problems(&s));
}

#[test]
fn shipping_takes_lots_earliest_expiry_first() {
    let mut s = order_shop();
    let order = save_new(&mut s, &[("MILK", "4")]).unwrap();
    confirm(&mut s, order.id, order.version).unwrap();
    let number = super::detail(&s, order.id).unwrap().shipments[0].number.clone();
    ship(&mut s, &number, "", "").unwrap();
    let milk = stock::find_product(&s, "MILK").unwrap().unwrap();
    let lots = stock::lots_in(&s, milk.id, 1).unwrap();
    assert_eq!(lots.len(), 1);
    assert_eq!((lots[0].code.as_str(), lots[0].on_hand), ("L2", q("2")));
}

#[test]
fn cancel_releases_and_is_refused_once_goods_left() {
    let mut s = order_shop();
    let order = save_new(&mut s, &[("PEN", "5")]).unwrap();
    let done = confirm(&mut s, order.id, order.version).unwrap();
    assert!(
        matches!(cancel(&mut s, order.id, done.order.version, " "), Err(Error::Invalid(_))),
        "a reason is required"
    );
    let cancelled = cancel(&mut s, order.id, done.order.version, "customer changed mind").unwrap();
    assert_eq!((cancelled.status, cancelled.reason.as_str()), (OrderStatus::Cancelled, "customer changed mind"));
    assert_eq!(level(&s, "PEN"), (q("10"), q("0")));

    // 3 pens ship, 2 bottles of ink wait: the order is part shipped.
    let order = save_new(&mut s, &[("PEN", "3"), ("INK", "2")]).unwrap();
    confirm(&mut s, order.id, order.version).unwrap();
    let detail = super::detail(&s, order.id).unwrap();
    let changed = ship(&mut s, &detail.shipments[0].number, "", "").unwrap();
    assert_eq!(changed.status, OrderStatus::PartlyShipped);
    let err = cancel(&mut s, order.id, changed.version, "too late").unwrap_err();
    crate::i18n::set_lang(crate::i18n::Lang::En);
    assert_eq!(err.to_string(), "cannot cancel: goods have left on 1 of its 2 lines");
    assert!(problems(&s).is_empty(), "{:?}", problems(&s));
}

#[test]
fn changes_keep_shipped_quantities_and_move_reservations() {
    let mut s = order_shop();
    let order = save_new(&mut s, &[("PEN", "6"), ("MILK", "1")]).unwrap();
    confirm(&mut s, order.id, order.version).unwrap();
    assert_eq!(level(&s, "PEN").1, q("6"));
    let mut d = edit_draft(&s, order.id).unwrap();
    d.lines[0].quantity = q("2");
    d.lines.remove(1);
    let pen = stock::find_product(&s, "PEN").unwrap().unwrap();
    d.add(pen, q("1"));
    save(&mut s, &d).unwrap();
    assert_eq!(level(&s, "PEN").1, q("3"), "6 -> 2 (+1 by the second scan)");
    let detail = super::detail(&s, order.id).unwrap();
    assert_eq!(detail.lines.len(), 1);
    assert!(detail.events.iter().any(|e| e.step == "change" && e.detail.contains("PEN")), "{:?}", detail.events);
    // A clerk may not reprice a confirmed order.
    s.operator.role = Role::Clerk;
    let mut d = edit_draft(&s, order.id).unwrap();
    d.lines[0].unit_price = crate::domain::money::Price::parse("1").unwrap();
    assert!(matches!(save(&mut s, &d), Err(Error::Refused(_))));
    assert!(problems(&s).is_empty(), "{:?}", problems(&s));
}

#[test]
fn above_the_limits_a_manager_approves_or_rejects() {
    let mut s = order_shop();
    set_setting(&mut s, "approval_limit", "10").unwrap();
    s.operator.role = Role::Clerk;
    let order = save_new(&mut s, &[("PEN", "6")]).unwrap();
    let done = confirm(&mut s, order.id, order.version).unwrap();
    assert_eq!(done.order.status, OrderStatus::AwaitingApproval);
    assert_eq!(done.needs_approval.len(), 1);
    let events = super::detail(&s, order.id).unwrap().events;
    let waits = timeline_text(&events.last().unwrap().detail);
    assert!(waits.contains("above the approval limit of 10.00") && !waits.contains('@'), "{waits}");
    assert_eq!(level(&s, "PEN").1, q("0"), "nothing reserved before approval");
    assert!(matches!(approve(&mut s, order.id, done.order.version), Err(Error::NotAllowed { .. })));
    s.operator.role = Role::Manager;
    let rejected = reject(&mut s, order.id, done.order.version, "ask for prepayment").unwrap();
    assert_eq!((rejected.status, rejected.reason.as_str()), (OrderStatus::Draft, "ask for prepayment"));
    s.operator.role = Role::Clerk;
    let again = confirm(&mut s, order.id, rejected.version).unwrap();
    s.operator.role = Role::Manager;
    let approved = approve(&mut s, order.id, again.order.version).unwrap();
    assert_eq!(approved.order.status, OrderStatus::Confirmed);
    assert_eq!(level(&s, "PEN").1, q("6"));
    // A stale version is refused, never applied over someone else's step.
    assert!(matches!(close(&mut s, order.id, again.order.version), Err(Error::Conflict { .. })));
}

#[test]
fn a_clerk_cannot_make_a_confirmed_order_bigger_than_the_limits() {
    let mut s = order_shop();
    set_setting(&mut s, "approval_limit", "10").unwrap();
    s.operator.role = Role::Clerk;
    let order = save_new(&mut s, &[("PEN", "4")]).unwrap();
    let done = confirm(&mut s, order.id, order.version).unwrap();
    assert_eq!(done.order.status, OrderStatus::Confirmed, "8.00 is within the limit");
    let mut d = edit_draft(&s, order.id).unwrap();
    d.lines[0].quantity = q("6");
    let err = save(&mut s, &d).unwrap_err();
    assert!(err.to_string().contains("needs a manager"), "{err}");
    assert_eq!(level(&s, "PEN").1, q("4"), "the refused change reserved nothing");
    d.lines[0].quantity = q("2");
    assert!(save(&mut s, &d).is_ok(), "smaller is always fine");
}

#[test]
fn dropping_what_waits_completes_a_part_shipped_order() {
    let mut s = order_shop();
    let order = save_new(&mut s, &[("PEN", "3"), ("INK", "2")]).unwrap();
    confirm(&mut s, order.id, order.version).unwrap();
    let shipment = super::detail(&s, order.id).unwrap().shipments[0].number.clone();
    ship(&mut s, &shipment, "", "").unwrap();
    deliver(&mut s, &shipment, today()).unwrap();
    let mut d = edit_draft(&s, order.id).unwrap();
    d.lines.retain(|l| l.product.data.sku != "INK");
    let changed = save(&mut s, &d).unwrap();
    assert_eq!(changed.status, OrderStatus::Delivered, "the customer has everything now");
    assert!(!changed.backorder);
    assert!(close(&mut s, changed.id, changed.version).is_ok());
    // Repricing what has shipped is refused, even for a manager.
    stock_in(&mut s, "PEN", "5", "");
    let order = save_new(&mut s, &[("PEN", "2"), ("INK", "1")]).unwrap();
    confirm(&mut s, order.id, order.version).unwrap();
    let shipment = super::detail(&s, order.id).unwrap().shipments[0].number.clone();
    ship(&mut s, &shipment, "", "").unwrap();
    let mut d = edit_draft(&s, order.id).unwrap();
    d.lines[0].unit_price = crate::domain::money::Price::parse("1.5").unwrap();
    let err = save(&mut s, &d).unwrap_err();
    assert!(err.to_string().contains("new line at the new price"), "{err}");
    d.lines.retain(|l| l.product.data.sku == "PEN");
    d.lines[0].unit_price = crate::domain::money::Price::parse("2").unwrap();
    assert_eq!(save(&mut s, &d).unwrap().status, OrderStatus::Shipped);
    assert_eq!(deliver(&mut s, &shipment, today()).map(|o| o.status).unwrap(), OrderStatus::Delivered);
    let err = deliver(&mut s, &shipment, today()).unwrap_err();
    assert!(err.to_string().contains("was delivered on"), "{err}");
}

#[test]
fn expired_lots_are_neither_promised_nor_shipped() {
    let mut s = order_shop();
    let form = MoveForm {
        product: "MILK".into(),
        quantity: "5".into(),
        lot: "OLD".into(),
        expiry: "2026-11-01".into(),
        ..Default::default()
    };
    let m = parse_move(s.db.conn(), &form, MoveKind::Receipt).unwrap();
    receive(&mut s, &[m]).unwrap();
    let order = save_new(&mut s, &[("MILK", "8")]).unwrap();
    let done = confirm(&mut s, order.id, order.version).unwrap();
    assert_eq!(done.waiting, vec![("MILK".to_string(), q("2"))], "6 fresh units, 5 expired ones not offered");
    let shipment = super::detail(&s, order.id).unwrap().shipments[0].number.clone();
    ship(&mut s, &shipment, "", "").unwrap();
    let milk = stock::find_product(&s, "MILK").unwrap().unwrap();
    let lots: Vec<String> = stock::lots_in(&s, milk.id, 1).unwrap().into_iter().map(|l| l.code).collect();
    assert_eq!(lots, vec!["OLD"], "the expired lot stays for the write-off");
}

#[test]
fn a_clerk_cannot_sell_below_cost() {
    let mut s = order_shop();
    s.operator.role = Role::Clerk;
    let mut d = draft(&s, &[("PEN", "1")]);
    d.lines[0].discount = "80".parse().unwrap();
    assert!(matches!(save(&mut s, &d), Err(Error::Refused(_))));
    d.lines[0].discount = "50".parse().unwrap();
    assert!(save(&mut s, &d).is_ok());
}

#[test]
fn copy_and_repeat_make_new_drafts_at_todays_prices() {
    let mut s = order_shop();
    let first = save_new(&mut s, &[("PEN", "2"), ("INK", "1")]).unwrap();
    let copy = copy(&s, first.id).unwrap();
    assert!(copy.editing.is_none());
    assert_eq!(copy.lines.len(), 2);
    let repeat = repeat_last(&s, first.customer_id).unwrap().unwrap();
    assert_eq!(repeat.lines[1].quantity, q("1"));
    let second = save(&mut s, &repeat).unwrap();
    assert_eq!(second.number, "SO-000002");
    assert_eq!(second.gross, first.gross);
}

#[test]
fn the_last_unit_goes_to_one_of_two_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let mut a = {
        let db = crate::db::Db::open(&path).unwrap();
        let mut s = Session::start(db, "alice", crate::ops::Clock::System).unwrap();
        crate::ops::customers::create(
            &mut s,
            &crate::domain::customer::CustomerData { name: "Ana".into(), ..Default::default() },
        )
        .unwrap();
        let input =
            ProductInput { sku: "PEN".into(), name: "Pen".into(), sale_price: "2".into(), ..Default::default() };
        save_product(&mut s, None, &input).unwrap();
        stock_in(&mut s, "PEN", "1", "");
        s
    };
    let mut b = Session::start(crate::db::Db::open(&path).unwrap(), "bob", crate::ops::Clock::System).unwrap();
    let one = save_new(&mut a, &[("PEN", "1")]).unwrap();
    let two = save_new(&mut b, &[("PEN", "1")]).unwrap();
    let first = confirm(&mut a, one.id, one.version).unwrap();
    let second = confirm(&mut b, two.id, two.version).unwrap();
    assert!(first.waiting.is_empty());
    assert_eq!(second.waiting, vec![("PEN".to_string(), q("1"))], "the second is told it waits");
    assert!(second.order.backorder);
    assert!(problems(&b).is_empty());
}

#[derive(Debug, Clone)]
enum Op {
    Create(u8, u8),
    Confirm(usize),
    Change(usize, u8),
    Ship(usize),
    Cancel(usize),
    Receive(u8),
    Allocate(usize),
    Deliver(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1u8..6, 0u8..3).prop_map(|(n, p)| Op::Create(n, p)),
        (0usize..8).prop_map(Op::Confirm),
        (0usize..8, 1u8..8).prop_map(|(o, n)| Op::Change(o, n)),
        (0usize..8).prop_map(Op::Ship),
        (0usize..8).prop_map(Op::Cancel),
        (1u8..8).prop_map(Op::Receive),
        (0usize..8).prop_map(Op::Allocate),
        (0usize..8).prop_map(Op::Deliver),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// Whatever the sequence of steps (refused ones included), reservations equal what open
    /// shipments hold, levels equal the ledger, and nothing ships more than ordered.
    #[test]
    fn reservations_and_stock_stay_true(ops in proptest::collection::vec(op(), 1..30)) {
        let mut s = order_shop();
        let skus = ["PEN", "MILK", "INK"];
        let mut ids: Vec<i64> = Vec::new();
        for op in ops {
            let pick = |i: usize| ids.get(i % ids.len().max(1)).copied();
            let _ = match op {
                Op::Create(n, p) => save_new(&mut s, &[(skus[p as usize], &n.to_string())]).map(|o| ids.push(o.id)),
                Op::Confirm(i) => match pick(i) {
                    Some(id) => { let v = by_id(&s, id).version; confirm(&mut s, id, v).map(|_| ()) }
                    None => Ok(()),
                },
                Op::Change(i, n) => match pick(i).map(|id| edit_draft(&s, id)) {
                    Some(Ok(mut d)) => { d.lines[0].quantity = q(&n.to_string()); save(&mut s, &d).map(|_| ()) }
                    _ => Ok(()),
                },
                Op::Ship(i) => match pick(i).and_then(|id| detail(&s, id).ok()) {
                    Some(d) => match d.shipments.iter().find(|x| x.status == "open") {
                        Some(x) => ship(&mut s, &x.number.clone(), "", "").map(|_| ()),
                        None => Ok(()),
                    },
                    None => Ok(()),
                },
                Op::Cancel(i) => match pick(i) {
                    Some(id) => { let v = by_id(&s, id).version; cancel(&mut s, id, v, "test").map(|_| ()) }
                    None => Ok(()),
                },
                Op::Receive(n) => { stock_in(&mut s, "PEN", &n.to_string(), ""); Ok(()) }
                Op::Allocate(i) => match pick(i) { Some(id) => allocate(&mut s, id).map(|_| ()), None => Ok(()) },
                Op::Deliver(i) => match pick(i).and_then(|id| detail(&s, id).ok()) {
                    Some(d) => match d.shipments.iter().find(|x| x.status == "shipped") {
                        Some(x) => { let today = s.clock.today(); deliver(&mut s, &x.number.clone(), today).map(|_| ()) }
                        None => Ok(()),
                    },
                    None => Ok(()),
                },
            };
            // Every order that went ahead says what its lines and shipments say.
            for id in &ids {
                let d = detail(&s, *id).unwrap();
                if matches!(d.order.status, OrderStatus::Confirmed | OrderStatus::PartlyShipped | OrderStatus::Shipped | OrderStatus::Delivered) {
                    let lines: Vec<(Quantity, Quantity)> = d.lines.iter().map(|l| (l.quantity, l.shipped)).collect();
                    let delivered = d.shipments.iter().filter(|x| x.status != "cancelled").all(|x| x.status == "delivered");
                    prop_assert_eq!(d.order.status, OrderStatus::after_shipping(&lines, delivered), "{}", d.order.number);
                }
            }
            let found = problems(&s);
            prop_assert!(found.is_empty(), "{:?}", found);
        }
    }
}

fn save_new(s: &mut Session, lines: &[(&str, &str)]) -> Result<Order> {
    let d = draft(s, lines);
    save(s, &d)
}

fn by_id(s: &Session, id: i64) -> Order {
    detail(s, id).unwrap().order
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

#[test]
fn check_names_a_reservation_or_total_that_went_wrong() {
    let mut s = order_shop();
    let order = save_new(&mut s, &[("PEN", "2")]).unwrap();
    confirm(&mut s, order.id, order.version).unwrap();
    assert!(problems(&s).is_empty());
    s.db.conn().execute("UPDATE stock_levels SET reserved = reserved + 1000 WHERE warehouse_id = 1", []).unwrap();
    s.db.conn().execute("UPDATE orders SET gross = gross + 1", []).unwrap();
    let found = check_all(&s).unwrap();
    assert!(
        found.iter().any(|p| p.starts_with("reserved PEN in MAIN: 3.000 but open shipments hold 2.000")),
        "{found:?}"
    );
    assert!(found.iter().any(|p| p.contains("SO-000001: totals")), "{found:?}");
}

#[test]
fn scrap_and_transfers_leave_reserved_stock_alone() {
    let mut s = order_shop();
    let order = save_new(&mut s, &[("PEN", "8")]).unwrap();
    confirm(&mut s, order.id, order.version).unwrap();
    let scrap = |s: &mut Session, quantity: &str| {
        let form =
            MoveForm { product: "PEN".into(), quantity: quantity.into(), note: "broken".into(), ..Default::default() };
        let m = parse_move(s.db.conn(), &form, MoveKind::Scrap).unwrap();
        crate::ops::ledger::post(s, MoveKind::Scrap, &m)
    };
    let err = scrap(&mut s, "3").unwrap_err();
    assert!(err.to_string().contains("only 2 free, 8 are reserved"), "{err}");
    assert!(scrap(&mut s, "2").is_ok(), "what is free may go");
    let shipment = super::detail(&s, order.id).unwrap().shipments[0].number.clone();
    assert!(ship(&mut s, &shipment, "", "").is_ok(), "the reserved eight still ship");
    assert!(problems(&s).is_empty(), "{:?}", problems(&s));
}

#[test]
fn a_shipment_changed_since_it_was_seen_is_not_shipped() {
    let mut s = order_shop();
    let order = save_new(&mut s, &[("PEN", "4")]).unwrap();
    confirm(&mut s, order.id, order.version).unwrap();
    let seen_shipment = super::detail(&s, order.id).unwrap().shipments[0].clone();
    let seen: Vec<(i64, Quantity)> = seen_shipment.lines.iter().map(|l| (l.order_line, l.quantity)).collect();
    // Another session lowers the quantity after the pick list was printed.
    let mut d = edit_draft(&s, order.id).unwrap();
    d.lines[0].quantity = q("2");
    save(&mut s, &d).unwrap();
    let err = ship_as_seen(&mut s, &seen_shipment.number, "", "", Some(&seen)).unwrap_err();
    assert!(err.to_string().contains("was changed in another session"), "{err}");
    assert_eq!(level(&s, "PEN"), (q("10"), q("2")), "nothing left");
}

#[test]
fn list_filters_read_whole_words_and_leave_the_query_alone_when_refused() {
    let mut query = repo::OrderQuery::default();
    parse_filter(r#"region:North category:"Tea & Coffee" tier:- customer:C000123 status:counted zhang"#, &mut query)
        .unwrap();
    assert_eq!(query.region.as_deref(), Some("North"));
    assert_eq!(query.category.as_deref(), Some("Tea & Coffee"), "quotes keep the spaces");
    assert_eq!(query.tier.as_deref(), Some(""), "- is none set");
    assert_eq!(query.customer.as_deref(), Some("C000123"));
    assert!(query.counted);
    assert_eq!(query.filter, "zhang");
    let before = query.clone();
    assert!(parse_filter("region:West status:shi", &mut query).is_err());
    assert_eq!(query, before, "a refused filter changes nothing");
    parse_filter("region:West status:", &mut query).unwrap();
    assert_eq!((query.region.as_deref(), query.status, query.filter.as_str()), (Some("West"), None, ""));
    assert_eq!(quote_filter_value("Tea & Coffee"), "\"Tea & Coffee\"");
    assert_eq!(quote_filter_value("12\""), "12");
    assert_eq!(quote_filter_value(""), "-");
}

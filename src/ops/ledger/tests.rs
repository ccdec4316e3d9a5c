use proptest::prelude::*;

use super::*;
use crate::domain::fields::Problem;
use crate::domain::stock::{ProductInput, WarehouseInput};
use crate::ops::stock::{self, save_product, save_warehouse};
use crate::ops::testing::shop;

/// A shop with two warehouses and three products: BOLT (pieces), MILK (lots with
/// expiry dates) and OIL (may go below zero).
fn stock_shop() -> (Session, Warehouse, Warehouse) {
    let (mut s, _) = shop();
    let second = WarehouseInput { code: "SHOP".into(), name: "Shop floor".into(), ..Default::default() };
    save_warehouse(&mut s, None, &second).unwrap();
    for (sku, lots, negative) in [("BOLT", "no", "no"), ("MILK", "yes", "no"), ("OIL", "no", "yes")] {
        let input = ProductInput {
            sku: sku.into(),
            name: format!("{sku} name"),
            cost_price: "2.5".into(),
            reorder_point: "5".into(),
            tracks_lots: lots.into(),
            allow_negative: negative.into(),
            ..Default::default()
        };
        save_product(&mut s, None, &input).unwrap();
    }
    let main = stock::warehouse_by_code(&s, "MAIN").unwrap();
    let shop_floor = stock::warehouse_by_code(&s, "SHOP").unwrap();
    (s, main, shop_floor)
}

fn q(text: &str) -> Quantity {
    Quantity::parse(text).unwrap()
}

fn input(
    s: &Session,
    kind: MoveKind,
    product: &str,
    warehouse: &str,
    quantity: &str,
    lot: &str,
    expiry: &str,
) -> MoveInput {
    let form = MoveForm {
        product: product.into(),
        warehouse: warehouse.into(),
        quantity: quantity.into(),
        lot: lot.into(),
        expiry: expiry.into(),
        note: "test".into(),
        ..Default::default()
    };
    parse_move(s.db.conn(), &form, kind).unwrap()
}

fn receive_one(s: &mut Session, product: &str, warehouse: &str, quantity: &str, lot: &str, expiry: &str) -> Result<()> {
    let line = input(s, MoveKind::Receipt, product, warehouse, quantity, lot, expiry);
    receive(s, &[line])
}

fn post_one(
    s: &mut Session,
    kind: MoveKind,
    product: &str,
    warehouse: &str,
    quantity: &str,
    lot: &str,
    expiry: &str,
) -> Result<()> {
    let line = input(s, kind, product, warehouse, quantity, lot, expiry);
    post(s, kind, &line)
}

fn on_hand(s: &Session, sku: &str, warehouse: &str) -> Quantity {
    let product = stock::find_product(s, sku).unwrap().unwrap();
    let (levels, _) = stock::product_detail(s, product.id, 0).unwrap();
    levels.into_iter().find(|l| l.warehouse == warehouse).unwrap().on_hand
}

#[test]
fn receipts_and_scrap_keep_levels_and_refuse_going_below_zero() {
    let (mut s, _, _) = stock_shop();
    let receipt = input(&s, MoveKind::Receipt, "bolt", "", "10", "", "");
    receive(&mut s, &[receipt]).unwrap();
    assert_eq!(on_hand(&s, "BOLT", "MAIN"), q("10"));
    post_one(&mut s, MoveKind::Scrap, "BOLT", "MAIN", "3", "", "").unwrap();
    let err = post_one(&mut s, MoveKind::Scrap, "BOLT", "MAIN", "9", "", "").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("BOLT") && text.contains("MAIN") && text.contains("2 pcs missing"), "{text}");
    assert_eq!(on_hand(&s, "BOLT", "MAIN"), q("7"), "a refused move leaves nothing behind");
    post_one(&mut s, MoveKind::Adjustment, "OIL", "MAIN", "-4", "", "").unwrap();
    assert_eq!(on_hand(&s, "OIL", "MAIN"), q("-4"), "OIL may go below zero");
    assert!(check(&s).unwrap().is_empty());
}

#[test]
fn scanning_the_same_product_again_adds_to_its_line() {
    let (mut s, main, _) = stock_shop();
    let bolt = stock::find_product(&s, "BOLT").unwrap().unwrap();
    let milk = stock::find_product(&s, "MILK").unwrap().unwrap();
    let mut draft = ReceiptDraft::default();
    assert_eq!(draft.add(bolt.clone(), q("1"), "", None), 0);
    assert_eq!(draft.add(milk.clone(), q("6"), "L1", None), 1);
    assert_eq!(draft.add(bolt, q("1"), "", None), 0);
    assert_eq!(draft.add(milk, q("2"), "L2", None), 2, "another lot is another line");
    assert_eq!((draft.lines[0].quantity, draft.units()), (q("2"), q("10")));
    draft.post(&mut s, &main, "DN-1").unwrap();
    assert_eq!(on_hand(&s, "MILK", "MAIN"), q("8"));
}

#[test]
fn typed_moves_are_checked_field_by_field() {
    let (s, _, _) = stock_shop();
    let form = MoveForm { product: "nope".into(), warehouse: "X".into(), quantity: "0".into(), ..Default::default() };
    let Err(Error::Invalid(errors)) = parse_move(s.db.conn(), &form, MoveKind::Scrap) else { panic!() };
    let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, vec!["product", "warehouse", "quantity", "note"]);
    let form = MoveForm { product: "MILK".into(), quantity: "2".into(), ..Default::default() };
    let Err(Error::Invalid(errors)) = parse_move(s.db.conn(), &form, MoveKind::Receipt) else { panic!() };
    assert_eq!(errors[0].field, "lot", "a lot-tracked receipt needs its lot");
}

#[test]
fn outgoing_lots_leave_earliest_expiry_first() {
    let (mut s, main, shop_floor) = stock_shop();
    let lines = [
        input(&s, MoveKind::Receipt, "MILK", "", "5", "L-MAR", "2027-03-01"),
        input(&s, MoveKind::Receipt, "MILK", "", "4", "L-DEC", "2026-12-01"),
    ];
    receive(&mut s, &lines).unwrap();
    let milk = stock::find_product(&s, "MILK").unwrap().unwrap();
    let code = send_transfer(
        &mut s,
        &main,
        &shop_floor,
        &[TransferInput { product: milk.clone(), quantity: q("6"), lot: String::new() }],
        "",
    )
    .unwrap();
    let lots = repo::lots_in(s.db.conn(), milk.id, main.id).unwrap();
    assert_eq!(lots.len(), 1, "December is gone first: {lots:?}");
    assert_eq!((lots[0].code.as_str(), lots[0].on_hand), ("L-MAR", q("3")));
    let at_shop = repo::level(s.db.conn(), milk.id, shop_floor.id).unwrap().unwrap();
    assert_eq!((at_shop.on_hand, at_shop.incoming), (Quantity::ZERO, q("6")), "in transit");
    assert!(check(&s).unwrap().is_empty());
    receive_transfer(&mut s, &code).unwrap();
    let at_shop = repo::level(s.db.conn(), milk.id, shop_floor.id).unwrap().unwrap();
    assert_eq!((at_shop.on_hand, at_shop.incoming), (q("6"), Quantity::ZERO));
    assert_eq!(repo::lots_in(s.db.conn(), milk.id, shop_floor.id).unwrap().len(), 2, "lots travel along");
    assert!(receive_transfer(&mut s, &code).is_err(), "a transfer is received once");
    assert!(check(&s).unwrap().is_empty());
}

#[test]
fn a_lot_keeps_its_expiry() {
    let (mut s, _, _) = stock_shop();
    receive_one(&mut s, "MILK", "", "1", "L1", "2027-01-01").unwrap();
    let again = input(&s, MoveKind::Receipt, "MILK", "", "1", "L1", "2027-02-01");
    let err = receive(&mut s, &[again]).unwrap_err();
    assert!(err.to_string().contains("2027-01-01"), "{err}");
}

#[test]
fn a_stocktake_posts_only_the_differences() {
    let (mut s, main, _) = stock_shop();
    receive_one(&mut s, "BOLT", "", "10", "", "").unwrap();
    let bolt = stock::find_product(&s, "BOLT").unwrap().unwrap();
    let oil = stock::find_product(&s, "OIL").unwrap().unwrap();
    let line = |product: &Product, counted: &str| CountLine {
        product: product.clone(),
        lot: String::new(),
        expiry: None,
        counted: q(counted),
        unit_cost: None,
    };
    let sheet = [line(&bolt, "8"), line(&oil, "0")];
    let diffs = post_count(&mut s, &main, &sheet, "COUNT-1").unwrap();
    assert_eq!(diffs.len(), 1);
    assert_eq!((diffs[0].before, diffs[0].counted), (q("10"), q("8")));
    assert_eq!(on_hand(&s, "BOLT", "MAIN"), q("8"));
    assert!(post_count(&mut s, &main, &sheet, "COUNT-2").unwrap().is_empty(), "counting again changes nothing");
}

#[test]
fn expired_lots_are_written_off_in_one_action() {
    let (mut s, _, _) = stock_shop();
    let lines = [
        input(&s, MoveKind::Receipt, "MILK", "", "2", "OLD", "2026-11-20"),
        input(&s, MoveKind::Receipt, "MILK", "", "3", "NEW", "2026-12-10"),
    ];
    receive(&mut s, &lines).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    assert_eq!(expiring(&s, today, 30, 100).unwrap().len(), 2);
    assert_eq!(expiring(&s, today, 0, 100).unwrap().len(), 1);
    let written = write_off_expired(&mut s, today).unwrap();
    assert_eq!(written.iter().map(|e| e.lot.as_str()).collect::<Vec<_>>(), vec!["OLD"]);
    assert_eq!(on_hand(&s, "MILK", "MAIN"), q("3"));
    assert!(write_off_expired(&mut s, today).unwrap().is_empty());
}

#[test]
fn check_names_a_level_that_differs_from_the_ledger_and_the_ledger_is_append_only() {
    let (mut s, _, _) = stock_shop();
    receive_one(&mut s, "BOLT", "", "10", "", "").unwrap();
    let conn = s.db.conn();
    assert!(conn.execute("UPDATE stock_moves SET quantity = 1", []).is_err());
    assert!(conn.execute("DELETE FROM stock_moves", []).is_err());
    conn.execute("UPDATE stock_levels SET on_hand = on_hand + 1000 WHERE warehouse_id = 1", []).unwrap();
    let problems = check(&s).unwrap();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("BOLT") && p.contains("11.000") && p.contains("10.000")),
        "{problems:?}"
    );
}

#[test]
fn low_stock_counts_available_and_incoming_against_the_reorder_point() {
    let (mut s, _, _) = stock_shop();
    // Every product starts at zero with a reorder point of 5, in both warehouses.
    assert_eq!(low_stock_count(&s).unwrap(), 6);
    receive_one(&mut s, "BOLT", "", "5", "", "").unwrap();
    assert_eq!(low_stock_count(&s).unwrap(), 5, "at the reorder point is not below it");
    let list = low_stock(&s, None, 10).unwrap();
    assert!(list.iter().all(|l| l.sku != "BOLT" || l.level.warehouse == "SHOP"));
}

#[derive(Debug, Clone)]
enum Op {
    Receive(usize, bool, u32),
    Out(usize, bool, u32),
    Transfer(usize, bool, u32),
    ReceiveTransfers,
    Count(usize, bool, u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, any::<bool>(), 1..50u32).prop_map(|(p, w, n)| Op::Receive(p, w, n)),
        (0..3usize, any::<bool>(), 1..50u32).prop_map(|(p, w, n)| Op::Out(p, w, n)),
        (0..3usize, any::<bool>(), 1..30u32).prop_map(|(p, w, n)| Op::Transfer(p, w, n)),
        Just(Op::ReceiveTransfers),
        (0..3usize, any::<bool>(), 0..40u32).prop_map(|(p, w, n)| Op::Count(p, w, n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever happens, in whatever order, the kept levels equal the ledger, and stock of
    /// a product that may not go below zero never does (refused moves change nothing).
    #[test]
    fn levels_always_equal_the_ledger(ops in proptest::collection::vec(op(), 1..40)) {
        let (mut s, main, shop_floor) = stock_shop();
        let skus = ["BOLT", "MILK", "OIL"];
        for (i, op) in ops.iter().enumerate() {
            let wh = |second: bool| if second { shop_floor.clone() } else { main.clone() };
            let product = |p: usize| stock::find_product(&s, skus[p]).unwrap().unwrap();
            let lot = |p: usize, n: u32| if p == 1 { format!("L{}", n % 3) } else { String::new() };
            let expiry = |p: usize, n: u32| (p == 1).then(|| NaiveDate::from_ymd_opt(2027, 1 + n % 3, 1).unwrap());
            let _ = match op {
                Op::Receive(p, w, n) => {
                    let m = MoveInput { product: product(*p), warehouse: wh(*w), quantity: Quantity::from_minor(i64::from(*n) * 500),
                        unit_cost: None, lot: lot(*p, *n), expiry: expiry(*p, *n), reference: String::new(), note: String::new() };
                    receive(&mut s, &[m])
                }
                Op::Out(p, w, n) => {
                    let m = MoveInput { product: product(*p), warehouse: wh(*w), quantity: Quantity::from_minor(i64::from(*n) * 700),
                        unit_cost: None, lot: String::new(), expiry: None, reference: String::new(), note: "out".into() };
                    post(&mut s, MoveKind::Scrap, &m)
                }
                Op::Transfer(p, w, n) => {
                    let line = TransferInput { product: product(*p), quantity: Quantity::from_minor(i64::from(*n) * 1000), lot: String::new() };
                    send_transfer(&mut s, &wh(*w), &wh(!*w), &[line], "").map(|_| ())
                }
                Op::ReceiveTransfers => {
                    for t in in_transit(&s).unwrap() {
                        receive_transfer(&mut s, &t.code).unwrap();
                    }
                    Ok(())
                }
                Op::Count(p, w, n) => {
                    let line = CountLine { product: product(*p), lot: lot(*p, *n), expiry: expiry(*p, *n),
                        counted: Quantity::from_minor(i64::from(*n) * 250), unit_cost: None };
                    post_count(&mut s, &wh(*w), &[line], "").map(|_| ())
                }
            };
            let problems = check(&s).unwrap();
            prop_assert!(problems.is_empty(), "after step {} {:?}: {:?}", i, op, problems);
        }
    }
}

#[test]
fn what_another_session_changed_meanwhile_decides_the_move() {
    let (mut s, main, shop_floor) = stock_shop();
    let typed = input(&s, MoveKind::Receipt, "BOLT", "", "3", "", "");
    let bolt = stock::find_product(&s, "BOLT").unwrap().unwrap();
    stock::set_product_archived(&mut s, &bolt, true).unwrap();
    let err = receive(&mut s, &[typed]).unwrap_err().to_string();
    assert!(err.contains("BOLT") && err.contains("archived"), "{err}");

    // Lot tracking cannot be switched while stock is on its way.
    receive_one(&mut s, "OIL", "", "5", "", "").unwrap();
    let oil = stock::find_product(&s, "OIL").unwrap().unwrap();
    send_transfer(
        &mut s,
        &main,
        &shop_floor,
        &[TransferInput { product: oil.clone(), quantity: q("5"), lot: String::new() }],
        "",
    )
    .unwrap();
    let lots = ProductInput { tracks_lots: "yes".into(), allow_negative: "no".into(), ..stock::input_of(&oil.data) };
    let Err(Error::Invalid(errors)) = stock::save_product(&mut s, Some(&oil), &lots) else { panic!() };
    assert_eq!(errors[0].problem, Problem::NeedsZeroStock);
}

#[test]
fn transfers_and_counts_refuse_nonsense_lines() {
    let (mut s, main, shop_floor) = stock_shop();
    receive_one(&mut s, "MILK", "", "5", "L1", "2027-01-01").unwrap();
    let milk = stock::find_product(&s, "MILK").unwrap().unwrap();
    let line = |quantity: &str| TransferInput { product: milk.clone(), quantity: q(quantity), lot: String::new() };
    assert!(send_transfer(&mut s, &main, &shop_floor, &[line("-5")], "").is_err());
    assert!(send_transfer(&mut s, &main, &shop_floor, &[line("0")], "").is_err());
    assert!(in_transit(&s).unwrap().is_empty(), "no empty transfer was recorded");
    let bolt = stock::find_product(&s, "BOLT").unwrap().unwrap();
    let count = |counted: &str| CountLine {
        product: bolt.clone(),
        lot: String::new(),
        expiry: None,
        counted: q(counted),
        unit_cost: None,
    };
    let err = post_count(&mut s, &main, &[count("3"), count("4")], "").unwrap_err().to_string();
    assert!(err.contains("twice"), "{err}");
    assert!(check(&s).unwrap().is_empty());
}

#[test]
fn a_count_sheet_posts_only_what_was_counted() {
    let (mut s, main, _) = stock_shop();
    receive_one(&mut s, "BOLT", "", "10", "", "").unwrap();
    receive_one(&mut s, "MILK", "", "4", "L1", "2027-01-01").unwrap();
    receive_one(&mut s, "OIL", "", "2", "", "").unwrap();
    let mut sheet = CountDraft::load(&s, &main, "").unwrap();
    assert_eq!(sheet.lines.len(), 3, "BOLT, MILK lot L1, OIL");
    let bolt = stock::find_product(&s, "BOLT").unwrap().unwrap();
    for _ in 0..9 {
        sheet.scan(&bolt, q("1")).unwrap();
    }
    let milk = stock::find_product(&s, "MILK").unwrap().unwrap();
    assert!(sheet.scan(&milk, q("1")).is_err(), "a barcode does not say which lot");
    let milk_line = sheet.lines.iter().position(|l| l.lot == "L1").unwrap();
    sheet.lines[milk_line].counted = Some(q("4"));
    assert_eq!((sheet.counted(), sheet.differences()), (2, 1));
    let posted = sheet.post(&mut s, &main, "T-1").unwrap();
    assert_eq!(posted.len(), 1);
    assert_eq!((on_hand(&s, "BOLT", "MAIN"), on_hand(&s, "OIL", "MAIN")), (q("9"), q("2")), "OIL was not counted");
    assert!(check(&s).unwrap().is_empty());
}

#[test]
fn a_warehouse_keeps_its_own_reorder_point_when_the_product_default_changes() {
    let (mut s, _, _) = stock_shop();
    let bolt = stock::find_product(&s, "BOLT").unwrap().unwrap();
    stock::set_reorder(&mut s, &bolt, "SHOP", "0", "").unwrap();
    let changed = ProductInput { reorder_point: "8".into(), ..stock::input_of(&bolt.data) };
    let bolt = stock::save_product(&mut s, Some(&bolt), &changed).unwrap();
    let (levels, _) = stock::product_detail(&s, bolt.id, 0).unwrap();
    let point = |wh: &str| levels.iter().find(|l| l.warehouse == wh).map(|l| (l.reorder_point, l.overridden)).unwrap();
    assert_eq!((point("MAIN"), point("SHOP")), ((q("8"), false), (q("0"), true)));
    assert!(stock::set_reorder(&mut s, &bolt, "SHOP", "-1", "").is_err());
    stock::set_reorder(&mut s, &bolt, "SHOP", "", "").unwrap();
    let (levels, _) = stock::product_detail(&s, bolt.id, 0).unwrap();
    assert!(levels.iter().all(|l| l.reorder_point == q("8") && !l.overridden), "back to the product's figures");
}

#[test]
fn only_an_empty_warehouse_that_is_not_the_default_is_archived() {
    let (mut s, main, shop_floor) = stock_shop();
    assert!(stock::set_warehouse_archived(&mut s, &main, true).unwrap_err().to_string().contains("default"));
    receive_one(&mut s, "BOLT", "SHOP", "1", "", "").unwrap();
    let shop_floor = stock::warehouse_by_code(&s, &shop_floor.data.code).unwrap();
    assert!(stock::set_warehouse_archived(&mut s, &shop_floor, true).unwrap_err().to_string().contains("holds"));
    post_one(&mut s, MoveKind::Scrap, "BOLT", "SHOP", "1", "", "").unwrap();
    let shop_floor = stock::warehouse_by_code(&s, "SHOP").unwrap();
    let archived = stock::set_warehouse_archived(&mut s, &shop_floor, true).unwrap();
    assert!(archived.archived);
    let form =
        MoveForm { product: "BOLT".into(), warehouse: "SHOP".into(), quantity: "1".into(), ..Default::default() };
    assert!(parse_move(s.db.conn(), &form, MoveKind::Receipt).is_err(), "an archived warehouse takes no stock");
    assert!(stock::warehouse_by_code(&s, "SHOP").is_err());
}

//! The Stock tab driven by keys on a real database file: several sessions, refusals,
//! write-offs, and a product created and edited from the keyboard.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use shopdesk::db::Db;
use shopdesk::ops::{Clock, Session, stock_csv};

fn stock_of(session: &Session) -> String {
    let mut out = Vec::new();
    stock_csv::export_stock(session, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The on-hand figure of the MAIN row in a product's levels table.
fn main_on_hand(screen: &str) -> String {
    let line = screen.lines().find(|l| l.starts_with("\"│MAIN ")).unwrap_or("");
    line.trim_start_matches("\"│").split_whitespace().nth(1).unwrap_or("").to_string()
}

fn file_shop(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("shop.db");
    let mut s = Session::start(Db::open(&path).unwrap(), "owner", Clock::Fixed(FIXED_NOW.into())).unwrap();
    stock_csv::import_suppliers(&mut s, b"code,name\nACME,Acme\nDAIRY,Dairy\n", false).unwrap();
    stock_csv::import_products(&mut s, PRODUCTS_CSV.as_bytes(), false).unwrap();
    stock_csv::import_stock(&mut s, b"warehouse,sku,quantity\nMAIN,TEA-G,2\n", false, "").unwrap();
    path
}

#[test]
fn a_receipt_in_one_session_shows_in_another_and_the_last_unit_goes_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_shop(dir.path());
    let session = |user: &str| Session::start(Db::open(&path).unwrap(), user, Clock::Fixed(FIXED_NOW.into())).unwrap();
    let mut first = app_on(session("alice"), 80, 24);
    let mut second = app_on(session("bruno"), 80, 24);
    for app in [&mut first, &mut second] {
        app.handle_event(&key(KeyCode::Char('3')));
        app.handle_event(&key(KeyCode::Char('/')));
        type_text(app, "tea");
        press(app, &[KeyCode::Enter, KeyCode::Enter]);
    }
    assert_eq!(main_on_hand(&render(&second)), "2");

    // alice receives 5; bruno's screen shows it on his next tick.
    first.handle_event(&key(KeyCode::Char('r')));
    press(&mut first, &[KeyCode::Tab]);
    type_text(&mut first, "5");
    press(&mut first, &[KeyCode::Enter, KeyCode::Enter]);
    first.handle_event(&ctrl('s'));
    assert!(render(&first).contains("Booked 1 line (5 units)"), "{}", render(&first));
    second.tick();
    assert_eq!(main_on_hand(&render(&second)), "7", "{}", render(&second));

    // Both scrap all seven; the second to save is refused and nothing goes below zero.
    for app in [&mut first, &mut second] {
        if !matches!(app.stock.screen, shopdesk::tui::stock::StockScreen::Product(_)) {
            app.handle_event(&key(KeyCode::Enter));
        }
        app.handle_event(&key(KeyCode::Char('w')));
        type_text(app, "7");
        app.handle_event(&key(KeyCode::Enter));
        type_text(app, "water damage");
    }
    first.handle_event(&ctrl('s'));
    assert!(render(&first).contains("Scrap of TEA-G booked"), "{}", render(&first));
    second.handle_event(&ctrl('s'));
    assert!(render(&second).contains("7 pcs missing"), "{}", render(&second));
    assert!(stock_of(&first.session).lines().count() == 1, "{}", stock_of(&first.session));
    assert!(shopdesk::ops::ledger::check(&second.session).unwrap().is_empty());
}

#[test]
fn expired_lots_are_written_off_after_a_yes() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&key(KeyCode::Char('X')));
    assert!(render(&app).contains("L-1120"));
    app.handle_event(&key(KeyCode::Char('W')));
    assert!(render(&app).contains("Write off 1 expired lot now?"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('n')));
    assert!(render(&app).contains("L-1120"), "no changes nothing");
    app.handle_event(&key(KeyCode::Char('W')));
    app.handle_event(&key(KeyCode::Char('y')));
    let screen = render(&app);
    assert!(screen.contains("1 expired lot written off") && !screen.contains("L-1120"), "{screen}");
    assert!(!stock_of(&app.session).contains("L-1120"));
}

#[test]
fn a_product_is_created_and_its_price_changed_from_the_keyboard() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&key(KeyCode::Char('n')));
    type_text(&mut app, "SOAP-1");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "Olive soap 橄榄皂");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "Household / Soap");
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    type_text(&mut app, "4,50");
    app.handle_event(&key(KeyCode::Tab));
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    type_text(&mut app, "4006381333931");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("is already the barcode of BOLT-8"), "{}", render(&app));
    press(&mut app, &[KeyCode::Backspace, KeyCode::Backspace]);
    app.handle_event(&ctrl('s'));
    let screen = render(&app);
    assert!(screen.contains("SOAP-1 · Olive soap 橄榄皂") && screen.contains("Household/Soap"), "{screen}");
    assert!(screen.contains("4.50 (tax 0%)"), "{screen}");
    app.handle_event(&key(KeyCode::Char('e')));
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    press(&mut app, &[KeyCode::End, KeyCode::Backspace, KeyCode::Backspace, KeyCode::Backspace, KeyCode::Backspace]);
    type_text(&mut app, "4.95");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("4.95 (tax 0%)"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Esc));
    assert!(render(&app).contains("Products · 5"), "{}", render(&app));
}

#[test]
fn an_unknown_scan_is_named_and_nothing_is_booked_from_an_empty_delivery() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&key(KeyCode::Char('r')));
    type_text(&mut app, "0000000000000");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("0000000000000: no product has this SKU or barcode"), "{}", render(&app));
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("Nothing to book yet"), "{}", render(&app));
    type_text(&mut app, "OLD-1");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("OLD-1 is archived"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Esc));
    assert!(render(&app).contains("Products · 4"), "leaves without asking when nothing was scanned");
}

#[test]
fn a_code_typed_but_not_entered_is_booked_too_and_a_barcode_is_no_lot() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&key(KeyCode::Char('r')));
    type_text(&mut app, "MILK-1");
    app.handle_event(&key(KeyCode::Enter));
    type_text(&mut app, "4006381333931");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("is a product code, not a lot"), "{}", render(&app));
    type_text(&mut app, "L-0301");
    press(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    type_text(&mut app, "BOLT-8");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "7");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("Booked 2 lines (8 units)"), "{}", render(&app));
    let stock = stock_of(&app.session);
    assert!(stock.contains("MAIN,BOLT-8,,,87.000") && stock.contains("MAIN,MILK-1,L-0301,,1.000"), "{stock}");
}

#[test]
fn the_plan_drafts_an_order_that_is_sent_and_received() {
    let mut app = app_on(session_with_stock(), 120, 40);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&key(KeyCode::Char('P')));
    let screen = render(&app);
    assert!(screen.contains("Replenishment plan") && screen.contains("BOLT-8"), "{screen}");
    assert!(screen.contains("at least the reorder point 100"), "the figures behind the line: {screen}");
    app.handle_event(&key(KeyCode::Char('o')));
    let screen = render(&app);
    assert!(screen.contains("PO000001") && screen.contains("draft"), "{screen}");
    // Change the first line's quantity, then send.
    app.handle_event(&key(KeyCode::Char('e')));
    press(&mut app, &[KeyCode::End, KeyCode::Backspace, KeyCode::Backspace, KeyCode::Backspace]);
    type_text(&mut app, "40");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("40 "), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('s')));
    assert!(render(&app).contains("PO000001 sent to ACME"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('r')));
    app.handle_event(&ctrl('o'));
    app.handle_event(&ctrl('s'));
    let screen = render(&app);
    assert!(screen.contains("received") && screen.contains("Booked"), "{screen}");
    assert!(stock_of(&app.session).contains("MAIN,BOLT-8,,,120.000"), "{}", stock_of(&app.session));
    assert!(shopdesk::ops::ledger::check(&app.session).unwrap().is_empty());
}

#[test]
fn a_stocktake_by_scanner_posts_its_differences_after_a_yes() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&key(KeyCode::Char('T')));
    assert!(render(&app).contains("Stocktake MAIN · counted 0/"), "{}", render(&app));
    // Count only Food: the category field reloads the sheet.
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    type_text(&mut app, "food");
    app.handle_event(&key(KeyCode::Enter));
    let screen = render(&app);
    assert!(screen.contains("RICE-5") && !screen.contains("BOLT-8"), "{screen}");
    for _ in 0..3 {
        type_text(&mut app, "TEA-G");
        app.handle_event(&key(KeyCode::Enter));
    }
    assert!(render(&app).contains("TEA-G: counted 3."), "{}", render(&app));
    // RICE-5, the line above, is typed in: 42.5 kg on the books and on the shelf.
    app.handle_event(&key(KeyCode::Up));
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "42,5");
    app.handle_event(&key(KeyCode::Enter));
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("2 lines counted, 1 differs"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('y')));
    assert!(render(&app).contains("Count posted: 1 difference booked in MAIN"), "{}", render(&app));
    let stock = stock_of(&app.session);
    assert!(stock.contains("MAIN,TEA-G,,,3.000"), "{stock}");
}

#[test]
fn goods_are_sent_to_another_warehouse_and_received_there() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&key(KeyCode::Char('t')));
    assert!(render(&app).contains("Send to another warehouse"), "{}", render(&app));
    for code in ["BOLT-8", "BOLT-8", "BOLT-8", "MILK-1"] {
        type_text(&mut app, code);
        app.handle_event(&key(KeyCode::Enter));
    }
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("Transfer T000001 sent: 2 lines from MAIN to SHOP"), "{}", render(&app));
    assert!(shopdesk::ops::ledger::check(&app.session).unwrap().is_empty());
    app.handle_event(&key(KeyCode::Char('I')));
    assert!(render(&app).contains("T000001"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('r')));
    app.handle_event(&key(KeyCode::Char('y')));
    assert!(render(&app).contains("Transfer T000001 received"), "{}", render(&app));
    let stock = stock_of(&app.session);
    // MILK-1 left MAIN from its earliest lot (L-1120, expiring first) and arrived with it.
    assert!(stock.contains("SHOP,BOLT-8,,,23.000") && stock.contains("SHOP,MILK-1,L-1120,2026-11-20,1.000"), "{stock}");
    assert!(stock.contains("MAIN,MILK-1,L-1120,2026-11-20,2.000"), "{stock}");
    assert!(shopdesk::ops::ledger::check(&app.session).unwrap().is_empty());
}

#[test]
fn suppliers_and_warehouses_are_kept_from_the_keyboard() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&key(KeyCode::Char('S')));
    assert!(render(&app).contains("Suppliers · 2"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('n')));
    type_text(&mut app, "NIHAO");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "你好食品");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("Suppliers · 3") && render(&app).contains("你好食品"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Esc));
    app.handle_event(&key(KeyCode::Char('H')));
    app.handle_event(&key(KeyCode::Char('n')));
    type_text(&mut app, "WEST");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("required"), "a warehouse needs a name: {}", render(&app));
    type_text(&mut app, "West depot"); // the cursor went to the field that needs it
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("Warehouses · 3"), "{}", render(&app));
}

#[test]
fn a_name_typed_where_a_code_was_expected_offers_the_closest_products() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&key(KeyCode::Char('r')));
    type_text(&mut app, "gren tea");
    app.handle_event(&key(KeyCode::Enter));
    let screen = render(&app);
    assert!(screen.contains("did you mean") && screen.contains("TEA-G"), "{screen}");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("TEA-G Green tea 绿茶: now 1 on this delivery"), "{}", render(&app));
    type_text(&mut app, "xyzzy");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("xyzzy: no product has this SKU or barcode"), "{}", render(&app));
}

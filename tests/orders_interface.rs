//! The Orders tab driven by keys, as a clerk uses it, and its screens at 80x24 and 120x40.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use shopdesk::domain::money::Quantity;
use shopdesk::domain::order::OrderStatus;
use shopdesk::ops::{self, Clock, Session};
use shopdesk::tui::app::App;
use shopdesk::tui::orders::OrderScreen;

fn q(text: &str) -> Quantity {
    Quantity::parse(text).unwrap()
}

fn enter(app: &mut App) {
    app.handle_event(&key(KeyCode::Enter));
}

/// The order on screen, as stored.
fn shown(app: &App) -> ops::orders::OrderDetail {
    match &app.orders.screen {
        OrderScreen::Order(detail) => ops::orders::detail(&app.session, detail.order.id).unwrap(),
        _ => panic!("not on an order: {}", render(app)),
    }
}

/// Ctrl-N from the customer list, a customer by name, then a burst of scans and typed
/// codes without waiting for the screen: the order has exactly the lines typed.
#[test]
fn an_order_typed_ahead_ends_with_exactly_the_lines_typed() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&ctrl('n'));
    assert!(render(&app).contains("New order"));
    type_text(&mut app, "garcía");
    enter(&mut app);
    assert!(render(&app).contains("Anna García"), "{}", render(&app));
    enter(&mut app); // the one match
    for code in ["4006381333931", "4006381333931", "2*TEA-G", "4006381333931", "RICE-5"] {
        type_text(&mut app, code);
        enter(&mut app);
    }
    // The rice is weighed: Tab to its quantity, 1.5 kg, then 10 % off.
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "1.5");
    enter(&mut app);
    enter(&mut app); // price kept
    type_text(&mut app, "10");
    enter(&mut app);
    enter(&mut app); // tax kept; back to the code line
    // A name instead of a code offers the products to pick from.
    type_text(&mut app, "green");
    enter(&mut app);
    assert!(render(&app).contains("Green tea"), "{}", render(&app));
    enter(&mut app);
    app.handle_event(&ctrl('s'));
    let order = shown(&app);
    let lines: Vec<(String, Quantity)> = order.lines.iter().map(|l| (l.sku.clone(), l.quantity)).collect();
    assert_eq!(
        lines,
        vec![("BOLT-8".to_string(), q("3")), ("TEA-G".to_string(), q("3")), ("RICE-5".to_string(), q("1.5"))]
    );
    assert_eq!(order.order.status, OrderStatus::Draft);
    assert_eq!(order.order.customer_code, "C000001");
    // VIP: 10 % off by default; the rice was given 10 % by hand. 3 x 0.35 = 1.05 - 10 % =
    // 0.945 -> 0.95; 3 x 3.99 = 11.97 - 10 % = 10.773 -> 10.77; 1.5 x 2.49 = 3.735 - 10 %
    // = 3.3615 -> 3.36. Tax 19 % of 0.95 = 0.18; 7 % of 14.13 = 0.9891 -> 0.99.
    assert_eq!(order.order.net.to_string(), "15.08");
    assert_eq!(order.order.gross.to_string(), "16.25");
    assert!(render(&app).contains("SO-000001"));
}

/// c confirms (stock reserved), s ships with carrier and tracking, d records delivery,
/// C closes; each step is on the timeline.
#[test]
fn an_order_goes_from_draft_to_closed_by_keys() {
    let mut app = app_on(session_with_stock(), 120, 40);
    app.handle_event(&ctrl('n'));
    type_text(&mut app, "C000002");
    enter(&mut app);
    type_text(&mut app, "5*BOLT-8");
    enter(&mut app);
    app.handle_event(&ctrl('o'));
    assert!(render(&app).contains("SO-000001 confirmed"), "{}", render(&app));
    let bolt = ops::stock::find_product(&app.session, "BOLT-8").unwrap().unwrap();
    let main = shopdesk::db::ledger::level(app.session.db.conn(), bolt.id, 1).unwrap().unwrap();
    assert_eq!((main.on_hand, main.reserved), (q("80"), q("5")));
    app.handle_event(&key(KeyCode::Char('s')));
    type_text(&mut app, "DHL");
    enter(&mut app);
    type_text(&mut app, "JD014600");
    app.handle_event(&ctrl('s'));
    assert_eq!(shown(&app).order.status, OrderStatus::Shipped);
    let main = shopdesk::db::ledger::level(app.session.db.conn(), bolt.id, 1).unwrap().unwrap();
    assert_eq!((main.on_hand, main.reserved), (q("75"), q("0")));
    app.handle_event(&key(KeyCode::Char('d')));
    enter(&mut app); // today
    assert_eq!(shown(&app).order.status, OrderStatus::Delivered);
    app.handle_event(&key(KeyCode::Char('C')));
    assert_eq!(shown(&app).order.status, OrderStatus::Closed);
    let screen = render(&app);
    for step in ["created; lines: 1", "confirmed", "shipped by DHL, tracking JD014600", "delivered on", "close"] {
        assert!(screen.contains(step), "timeline lacks {step}:\n{screen}");
    }
    // The delivery note of the shipment, on screen.
    app.handle_event(&key(KeyCode::Char('p')));
    assert!(render(&app).contains("DELIVERY NOTE SH-000001"));
}

/// Cancelling asks why; Esc on an empty reason leaves the order as it was.
#[test]
fn cancelling_needs_a_reason() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&ctrl('n'));
    type_text(&mut app, "C000002");
    enter(&mut app);
    type_text(&mut app, "BOLT-8");
    enter(&mut app);
    app.handle_event(&ctrl('o'));
    app.handle_event(&key(KeyCode::Char('x')));
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("required"), "{}", render(&app));
    type_text(&mut app, "Customer called back");
    app.handle_event(&ctrl('s'));
    let order = shown(&app);
    assert_eq!((order.order.status, order.order.reason.as_str()), (OrderStatus::Cancelled, "Customer called back"));
    assert!(render(&app).contains("Reason: Customer called back"));
}

/// Two clerks on one file confirm an order for the last 7 packets of tea at the same
/// time: the first gets them, the second is told plainly that its order waits.
#[test]
fn two_sessions_confirm_the_last_units() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    {
        let mut seeded = session_with_stock();
        seeded.db.backup_to(&path).unwrap();
        let _ = &mut seeded;
    }
    let open = |user: &str| {
        let db = shopdesk::db::Db::open(&path).unwrap();
        app_on(Session::start(db, user, Clock::Fixed(FIXED_NOW.into())).unwrap(), 80, 24)
    };
    let (mut a, mut b) = (open("tester"), open("tester"));
    for app in [&mut a, &mut b] {
        app.handle_event(&ctrl('n'));
        type_text(app, "C000002");
        enter(app);
        type_text(app, "7*TEA-G");
        enter(app);
    }
    a.handle_event(&ctrl('o'));
    b.handle_event(&ctrl('o'));
    assert!(render(&a).contains("confirmed; its stock is reserved"), "{}", render(&a));
    let second = render(&b);
    assert!(second.contains("TEA-G x 7 wait for stock"), "{second}");
    assert!(shown(&b).order.backorder);
    assert!(ops::orders::check_all(&b.session).unwrap().is_empty());
}

/// Winning a deal on the board offers a draft order for its customer.
#[test]
fn winning_a_deal_starts_an_order_for_its_customer() {
    let mut app = app_on(session_with_crm(), 80, 24);
    press(&mut app, &[KeyCode::Char('P'), KeyCode::Right, KeyCode::Right]);
    app.handle_event(&key(KeyCode::Char('w')));
    app.handle_event(&key(KeyCode::Char('y')));
    let screen = render(&app);
    assert!(screen.contains("New order") && screen.contains("Anna García"), "{screen}");
}

/// R on a customer repeats their last order as a new draft at today's prices.
#[test]
fn repeat_copies_the_last_order() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&ctrl('n'));
    type_text(&mut app, "C000003");
    enter(&mut app);
    type_text(&mut app, "3*BOLT-8");
    enter(&mut app);
    app.handle_event(&ctrl('s'));
    app.handle_event(&key(KeyCode::Char('1')));
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "张");
    press(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    assert!(render(&app).contains("SO-000001"), "the customer shows the order:\n{}", render(&app));
    app.handle_event(&key(KeyCode::Char('R')));
    app.handle_event(&ctrl('s'));
    let order = shown(&app);
    assert_eq!(order.order.number, "SO-000002");
    assert_eq!(order.lines[0].quantity, q("3"));
}

fn both_sizes(name: &str, steps: impl Fn(&mut App)) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app_on(session_with_stock(), w, h);
        steps(&mut app);
        insta::with_settings!({filters => vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]")]}, {
            insta::assert_snapshot!(format!("orders_{name}_{w}x{h}"), render(&app));
        });
    }
}

fn typed_order(app: &mut App) {
    app.handle_event(&ctrl('n'));
    type_text(app, "C000003");
    enter(app);
    for code in ["4006381333931", "2*TEA-G", "9*TEA-G", "RICE-5"] {
        type_text(app, code);
        enter(app);
    }
}

#[test]
fn entry_screen() {
    both_sizes("entry", typed_order);
}

#[test]
fn order_screen_with_a_backorder() {
    both_sizes("order", |app| {
        typed_order(app);
        app.handle_event(&ctrl('o'));
    });
}

#[test]
fn list_screen() {
    both_sizes("list", |app| {
        typed_order(app);
        app.handle_event(&ctrl('o'));
        app.handle_event(&key(KeyCode::Esc));
    });
}

/// T then S on the customers tab lists the customers whose tier their buying suggests
/// changing, with the figures; Space leaves one out, a applies the rest.
#[test]
fn tier_suggestions_are_chosen_and_applied() {
    let mut session = session_with_stock();
    ops::synth::generate(&mut session, 12, 5).unwrap();
    ops::synth_orders::generate_history(&mut session, 150, 5, false).unwrap();
    let before = ops::rfm::suggestions(&session, 12).unwrap();
    assert!(before.len() >= 2, "{before:?}");
    let mut app = app_on(session, 120, 40);
    press(&mut app, &[KeyCode::Char('T'), KeyCode::Char('S')]);
    let screen = render(&app);
    assert!(screen.contains("Tier suggestions · last 12 months"), "{screen}");
    assert!(screen.contains(&before[0].code), "{screen}");
    app.handle_event(&key(KeyCode::Char(' '))); // leave the first one out
    app.handle_event(&key(KeyCode::Char('a')));
    let question = format!("Move {} customers to their suggested tiers?", before.len() - 1);
    assert!(render(&app).contains(&question), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('y')));
    assert!(render(&app).contains(&format!("{} customers moved", before.len() - 1)), "{}", render(&app));
    let after = ops::rfm::suggestions(&app.session, 12).unwrap();
    assert_eq!(after.len(), 1, "only the one left out remains");
    assert_eq!(after[0].customer, before[0].customer);
    insta::with_settings!({filters => vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]")]}, {
        insta::assert_snapshot!("tier_suggestions_120x40", render(&app));
    });
}

/// "New customer" in the lookup makes the customer with the order: discarding the order
/// leaves no one behind, saving it leaves one customer of that name.
#[test]
fn a_new_customer_is_made_with_the_order() {
    let mut app = app_on(session_with_stock(), 80, 24);
    let count = |app: &App| shopdesk::db::customers::all_ids(app.session.db.conn()).unwrap().len();
    let before = count(&app);
    for save in [false, true] {
        app.handle_event(&ctrl('n'));
        type_text(&mut app, "Neue Kundin 新客");
        enter(&mut app);
        assert!(render(&app).contains("New customer \"Neue Kundin 新客\""), "{}", render(&app));
        enter(&mut app); // the only row: a new customer
        type_text(&mut app, "BOLT-8");
        enter(&mut app);
        if save {
            app.handle_event(&ctrl('s'));
        } else {
            app.handle_event(&key(KeyCode::Esc));
            app.handle_event(&key(KeyCode::Char('y')));
            assert_eq!(count(&app), before, "a discarded order made no customer");
        }
    }
    assert_eq!(count(&app), before + 1);
    assert_eq!(shown(&app).order.customer_name, "Neue Kundin 新客");
}

/// A stray Enter between scans, or a scan while a line field has focus, still adds the
/// product; keys typed in the same burst after saving do not act on the saved order.
#[test]
fn stray_keys_around_scans_do_no_harm() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&ctrl('n'));
    type_text(&mut app, "C000002");
    enter(&mut app);
    type_text(&mut app, "4006381333931");
    enter(&mut app);
    enter(&mut app); // stray
    type_text(&mut app, "4006381333931");
    enter(&mut app);
    app.handle_event(&key(KeyCode::Tab)); // into the quantity field, then a scan
    type_text(&mut app, "4006381333931");
    enter(&mut app);
    let OrderScreen::Entry(entry) = &app.orders.screen else { panic!("still entering") };
    assert_eq!(entry.draft.lines.len(), 1);
    assert_eq!(entry.draft.lines[0].quantity, q("3"), "three scans, whatever had focus");
    // Saved, then the rest of the burst (x for cancel, a reason, Enter) is not applied.
    app.begin_batch();
    app.handle_event(&ctrl('s'));
    type_text(&mut app, "XL-100");
    enter(&mut app);
    app.end_batch();
    let order = shown(&app);
    assert_eq!(order.order.status, shopdesk::domain::order::OrderStatus::Draft);
    assert!(render(&app).contains("7 keys typed after saving were ignored"), "{}", render(&app));
}

/// The list's filter line takes words and `status:`, `sp:`, `from:`, `to:`.
#[test]
fn the_order_list_filters_by_status_salesperson_and_dates() {
    let mut app = app_on(session_with_stock(), 120, 40);
    for (customer, confirm) in [("C000001", false), ("C000003", true)] {
        app.handle_event(&ctrl('n'));
        type_text(&mut app, customer);
        enter(&mut app);
        type_text(&mut app, "BOLT-8");
        enter(&mut app);
        app.handle_event(&if confirm { ctrl('o') } else { ctrl('s') });
        app.handle_event(&key(KeyCode::Esc));
    }
    let numbers = |app: &App| app.orders.list.rows.iter().map(|r| r.number.clone()).collect::<Vec<_>>();
    assert_eq!(numbers(&app), ["SO-000002", "SO-000001"]);
    app.handle_event(&key(KeyCode::Char('/')));
    type_text(&mut app, "status:draft");
    assert_eq!(numbers(&app), ["SO-000001"]);
    for _ in 0.."status:draft".len() {
        app.handle_event(&key(KeyCode::Backspace));
    }
    type_text(&mut app, "sp:chen from:2026-11-27 to:2026-11-27");
    assert_eq!(numbers(&app), ["SO-000002"], "张伟's salesperson is chen");
    type_text(&mut app, " to:2026-13-01");
    assert!(render(&app).contains("2026-13-01: give a date as YYYY-MM-DD"), "{}", render(&app));
}

/// Esc on an order started from another tab goes back there; a copy with lines asks before
/// it is thrown away.
#[test]
fn leaving_an_order_goes_back_and_asks_when_something_would_be_lost() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    app.handle_event(&ctrl('n'));
    app.handle_event(&key(KeyCode::Esc));
    assert_eq!(app.tab, shopdesk::tui::app::Tab::Stock, "back where the order was started");
    app.handle_event(&ctrl('n'));
    type_text(&mut app, "C000002");
    enter(&mut app);
    type_text(&mut app, "BOLT-8");
    enter(&mut app);
    app.handle_event(&ctrl('s'));
    app.handle_event(&key(KeyCode::Char('y'))); // copy it
    assert!(render(&app).contains("New order"));
    app.handle_event(&key(KeyCode::Esc));
    assert!(render(&app).contains("Please confirm"), "a copy with lines is not dropped silently");
}

/// i on a shipped order drafts its invoice on the Invoices tab; I issues it with the first
/// number of the year; the list shows it.
#[test]
fn an_invoice_from_the_order_screen() {
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&ctrl('n'));
    type_text(&mut app, "C000003");
    enter(&mut app);
    type_text(&mut app, "3*BOLT-8");
    enter(&mut app);
    app.handle_event(&ctrl('o'));
    app.handle_event(&key(KeyCode::Char('s')));
    app.handle_event(&ctrl('s'));
    app.handle_event(&key(KeyCode::Char('i')));
    assert_eq!(app.tab, shopdesk::tui::app::Tab::Invoices);
    assert!(render(&app).contains("draft 1"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('I')));
    let screen = render(&app);
    assert!(screen.contains("INVOICE INV-2026-000001") && screen.contains("张伟 [C000003]"), "{screen}");
    insta::with_settings!({filters => vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]")]}, {
        insta::assert_snapshot!("invoice_80x24", screen);
    });
    app.handle_event(&key(KeyCode::Char('D')));
    assert!(render(&app).contains("never deleted"), "an issued invoice stays");
    // P records a payment of what is open: the invoice is paid.
    app.handle_event(&key(KeyCode::Char('P')));
    assert!(render(&app).contains("Payment for INV-2026-000001"), "{}", render(&app));
    app.handle_event(&ctrl('s'));
    let screen = render(&app);
    assert!(screen.contains("Recorded PAY-000001"), "{screen}");
    assert_eq!(app.invoices.standing.map(|s| s.0), Some(shopdesk::domain::payment::Standing::Paid));
    app.handle_event(&key(KeyCode::Esc));
    assert!(render(&app).contains("Invoices (1)"));
}

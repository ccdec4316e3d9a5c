//! The Invoices tab driven by keys, as a bookkeeper uses it: issue, pay, credit with the
//! goods coming back, the finance reports and a statement, and a refund from request to
//! payout; its screens at 80x24 and 120x40.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use shopdesk::domain::payment::Standing;
use shopdesk::tui::app::App;

/// 10 bolts for C000003 (2 % tier discount) shipped and invoiced: INV-2026-000001, 3.43
/// net, 0.65 tax, 4.08 gross.
fn invoiced(width: u16, height: u16) -> App {
    let app = invoiced_by_keys(width, height);
    assert!(render(&app).contains("INVOICE INV-2026-000001"), "{}", render(&app));
    app
}

fn stock_of(app: &App, sku: &str) -> String {
    let (_, rows) = shopdesk::ops::stock_reports::levels(&app.session).unwrap();
    let row = rows.iter().find(|r| r[0] == sku && r[2] == "MAIN").unwrap();
    row[3].clone()
}

/// Paid with a bit more than owed, then two bolts credited and booked back into MAIN: the
/// invoice stands paid, the customer holds the overpayment and the credited amount.
#[test]
fn a_credit_note_by_keys_takes_goods_back_and_leaves_credit() {
    let mut app = invoiced(80, 24);
    let before = stock_of(&app, "BOLT-8");
    app.handle_event(&key(KeyCode::Char('P')));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "5");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("credit now 0.92"), "{}", render(&app));

    app.handle_event(&key(KeyCode::Char('c')));
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("Reason"), "a reason is required: {}", render(&app));
    type_text(&mut app, "two bent");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "1:20");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("only 10 was invoiced"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Backspace));
    app.handle_event(&key(KeyCode::Backspace));
    type_text(&mut app, "2");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("credit note draft 2 for INV-2026-000001"), "{}", render(&app));

    app.handle_event(&key(KeyCode::Char('I')));
    type_text(&mut app, "NOWHERE");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("No warehouse"), "{}", render(&app));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "MAIN");
    app.handle_event(&ctrl('s'));
    let screen = render(&app);
    assert!(screen.contains("CREDIT NOTE CN-2026-000001 for INV-2026-000001"), "{screen}");
    insta::assert_snapshot!("credit_note_80x24", screen);
    let back: f64 = stock_of(&app, "BOLT-8").parse::<f64>().unwrap() - before.parse::<f64>().unwrap();
    assert_eq!(back, 2.0, "two bolts back in MAIN");
    let customer = app.session.db.conn().query_row("SELECT id FROM customers WHERE code = 'C000003'", [], |r| r.get(0));
    let credit = shopdesk::db::invoices::credit(app.session.db.conn(), customer.unwrap()).unwrap();
    assert_eq!(credit.to_string(), "1.74", "0.92 overpaid + 0.82 credited (2 x 0.343 = 0.69 + 19 %)");

    // The list: the credit note, the invoice paid; v shows credit notes alone.
    app.handle_event(&key(KeyCode::Esc));
    let screen = render(&app);
    assert!(screen.contains("CN-2026-000001") && screen.contains("paid"), "{screen}");
    app.handle_event(&key(KeyCode::Char('v')));
    app.handle_event(&key(KeyCode::Char('v')));
    assert!(render(&app).contains("Unpaid") && render(&app).contains("Nothing in this view"), "{}", render(&app));
    let invoice = shopdesk::ops::invoices::find(&app.session, "INV-2026-000001").unwrap();
    assert_eq!(shopdesk::ops::payments::standing_of(&app.session, &invoice.invoice).unwrap().0, Standing::Paid);
}

/// The customer's credit is asked back (n), approved (a) and paid out (p) from the refund
/// list; the statement then ends square.
#[test]
fn a_refund_goes_from_request_to_payout_by_keys() {
    let mut app = invoiced(80, 24);
    app.handle_event(&key(KeyCode::Char('P')));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "5");
    app.handle_event(&ctrl('s'));
    app.handle_event(&key(KeyCode::Esc));
    app.handle_event(&key(KeyCode::Char('F')));
    assert!(render(&app).contains("Refund requests waiting"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('a')));
    assert!(render(&app).contains("Choose a refund request"), "nothing to approve yet: {}", render(&app));
    app.handle_event(&key(KeyCode::Char('n')));
    type_text(&mut app, "C000003");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "9");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "overpaid");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("more than the customer's credit"), "{}", render(&app));
    app.handle_event(&key(KeyCode::BackTab));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "0.92");
    app.handle_event(&ctrl('s'));
    let screen = render(&app);
    assert!(screen.contains("RF-000001") && screen.contains("requested"), "{screen}");
    app.handle_event(&key(KeyCode::Char('p')));
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("only an approved request"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Esc));
    app.handle_event(&key(KeyCode::Char('a')));
    assert!(render(&app).contains("RF-000001 is now approved"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('p')));
    type_text(&mut app, "");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("RF-000001 paid out: 0.92"), "{}", render(&app));

    // The statement of C000003: invoice, payment, refund, ending at zero.
    app.handle_event(&key(KeyCode::Char('f')));
    app.handle_event(&ctrl('u'));
    app.handle_event(&key(KeyCode::Tab));
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "C000003");
    app.handle_event(&ctrl('s'));
    let screen = render(&app);
    assert!(screen.contains("Customer statement · C000003 · … – 2026-11-27"), "{screen}");
    let last = screen.lines().rfind(|l| l.contains("PAY-")).unwrap().to_string();
    assert!(last.contains("refund") && last.contains("0.92   0.00 "), "{screen}");
}

/// The finance reports at both sizes: at 80 columns the revenue report leaves whole columns
/// off and says so.
#[test]
fn finance_reports_at_both_sizes() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = invoiced(w, h);
        app.handle_event(&key(KeyCode::Esc));
        app.handle_event(&key(KeyCode::Char('R')));
        let screen = render(&app);
        assert!(screen.contains("2026-11") && screen.contains("3.43"), "net of 10 x 0.343: {screen}");
        assert_eq!(screen.contains(" off screen"), w == 80, "{screen}");
        insta::assert_snapshot!(format!("finance_revenue_{w}x{h}"), screen);
        app.handle_event(&key(KeyCode::Char('v')));
        let screen = render(&app);
        assert!(screen.contains("Tax collected") && screen.contains("0.65"), "19 % of 3.43: {screen}");
        app.handle_event(&key(KeyCode::Esc));
        insta::assert_snapshot!(format!("invoice_list_{w}x{h}"), render(&app));
    }
}

/// On a file the finance reports are read on another thread: the screen says so, keys keep
/// working, and the figures arrive.
#[test]
fn finance_reports_are_read_in_the_background() {
    let (_dir, mut app) = on_file(&invoiced(80, 24), 80, 24);
    app.handle_event(&key(KeyCode::Char('4')));
    app.handle_event(&key(KeyCode::Char('R')));
    settle(&mut app);
    let screen = render(&app);
    assert!(screen.contains("2026-11") && screen.contains("3.43"), "{screen}");
    // The next report replaces the first; its rows are never taken for the old one's.
    app.handle_event(&key(KeyCode::Char('v')));
    app.handle_event(&key(KeyCode::Char('v')));
    settle(&mut app);
    assert!(render(&app).contains("Payments received"), "{}", render(&app));
}

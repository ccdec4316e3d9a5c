use super::tests_support::{shipped_order, shipped_order_with};
use super::*;

fn q(text: &str) -> Quantity {
    Quantity::parse(text).unwrap()
}

#[test]
fn what_shipped_is_invoiced_once_and_numbered_without_gaps() {
    let (mut s, number) = shipped_order();
    let draft = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Shipped).unwrap();
    assert_eq!(draft.invoice.number, None, "drafts have no number");
    assert_eq!(draft.lines.len(), 1, "only the pens have shipped");
    // 3 x 2.00 = 6.00 net, 19 % = 1.14.
    assert_eq!((draft.invoice.net.to_string(), draft.invoice.gross.to_string()), ("6.00".into(), "7.14".into()));
    let err = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Shipped).unwrap_err();
    assert!(err.to_string().contains("Nothing"), "{err}");

    let issued = issue(&mut s, draft.invoice.id, draft.invoice.version).unwrap();
    assert_eq!(issued.invoice.number.as_deref(), Some("INV-2026-000001"));
    assert_eq!(issued.invoice.customer_name, "Ana");
    assert_eq!(issued.taxes.len(), 1);
    // The rest of the order, invoiced up front: the next number.
    let rest = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Ordered).unwrap();
    assert_eq!(rest.lines[0].sku, "TEA");
    let second = issue(&mut s, rest.invoice.id, rest.invoice.version).unwrap();
    assert_eq!(second.invoice.number.as_deref(), Some("INV-2026-000002"));
    assert_eq!(second.invoice.prev_hash, issued.invoice.hash, "chained");
    assert!(check(&s).unwrap().is_empty(), "{:?}", check(&s).unwrap());
}

#[test]
fn an_issued_invoice_never_changes_and_check_finds_tampering() {
    let (mut s, number) = shipped_order();
    let draft = draft_from_orders(&mut s, &[number], Basis::Ordered).unwrap();
    let issued = issue(&mut s, draft.invoice.id, draft.invoice.version).unwrap();
    let conn = s.db.conn();
    assert!(conn.execute("UPDATE invoices SET gross = 1", []).is_err(), "the database refuses");
    assert!(conn.execute("DELETE FROM invoices", []).is_err());
    assert!(conn.execute("UPDATE invoice_lines SET amount = 1", []).is_err());
    assert!(conn.execute("DELETE FROM invoice_taxes", []).is_err());
    assert!(delete_draft(&mut s, issued.invoice.id).is_err());
    // Someone with the file and a SQLite shell drops the guard: check names the invoice.
    s.db.conn()
        .execute_batch("DROP TRIGGER invoice_lines_issued_fixed; UPDATE invoice_lines SET amount = amount + 1;")
        .unwrap();
    let found = check(&s).unwrap();
    assert!(found.iter().any(|p| p.contains("INV-2026-000001")), "{found:?}");
}

#[test]
fn a_deleted_draft_gives_its_lines_back() {
    let (mut s, number) = shipped_order();
    let draft = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Shipped).unwrap();
    delete_draft(&mut s, draft.invoice.id).unwrap();
    let again = draft_from_orders(&mut s, &[number], Basis::Shipped).unwrap();
    assert_eq!(again.lines[0].quantity, q("3"));
}

#[test]
fn two_sessions_issuing_take_consecutive_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let (s, number) = shipped_order();
    s.db.backup_to(&path).unwrap();
    let open = || {
        let db = crate::db::Db::open(&path).unwrap();
        Session::start(db, "alice", crate::ops::Clock::Fixed("2026-11-27T10:00:00Z".into())).unwrap()
    };
    let (mut a, mut b) = (open(), open());
    let first = draft_from_orders(&mut a, std::slice::from_ref(&number), Basis::Shipped).unwrap();
    let second = draft_from_orders(&mut b, &[number], Basis::Ordered).unwrap();
    let one = issue(&mut b, second.invoice.id, second.invoice.version).unwrap();
    let two = issue(&mut a, first.invoice.id, first.invoice.version).unwrap();
    assert_eq!(one.invoice.number.as_deref(), Some("INV-2026-000001"));
    assert_eq!(two.invoice.number.as_deref(), Some("INV-2026-000002"));
    assert!(check(&a).unwrap().is_empty());
}

#[test]
fn the_shop_can_have_invoices_issued_when_goods_ship_or_when_orders_are_confirmed() {
    let auto = |when: &'static str| move |s: &mut Session| set_setting(s, "auto_invoice", when).unwrap();
    use crate::ops::order_entry::set_setting;
    // On shipping: the pens that shipped are invoiced with the shipment, noted on the timeline.
    let (s, number) = shipped_order_with(auto("ship"));
    let order = crate::ops::orders::by_number(&s, &number).unwrap();
    let detail = crate::ops::orders::detail(&s, order.id).unwrap();
    let invoice = find(&s, "INV-2026-000001").unwrap();
    assert_eq!(invoice.lines.len(), 1);
    assert_eq!(invoice.lines[0].sku, "PEN");
    assert!(detail.events.iter().any(|e| e.detail.contains("INV-2026-000001")), "on the timeline");
    assert!(check(&s).unwrap().is_empty());

    // Up front: the whole order at confirmation; shipping later adds nothing.
    let (s, _) = shipped_order_with(auto("confirm"));
    let invoice = find(&s, "INV-2026-000001").unwrap();
    assert_eq!(invoice.lines.len(), 2, "pens and tea, before anything shipped");
    assert!(find(&s, "INV-2026-000002").is_err(), "nothing left to invoice on shipping");

    // Off (the default): nothing issues itself.
    let (mut s, _) = shipped_order();
    assert!(find(&s, "INV-2026-000001").is_err());
    assert!(set_setting(&mut s, "auto_invoice", "sometimes").is_err());
}

#[test]
fn a_customer_is_invoiced_for_all_shipped_orders_and_their_statement_adds_up() {
    use crate::db::invoices::InvoiceView;
    use crate::domain::payment::Method;
    let (mut s, _) = shipped_order();
    let code = crate::db::customers::get(s.db.conn(), crate::db::customers::all_ids(s.db.conn()).unwrap()[0])
        .unwrap()
        .unwrap()
        .data
        .code;
    let draft = draft_for_customer(&mut s, &code, Basis::Shipped).unwrap();
    assert_eq!(draft.lines.len(), 1, "the pens that shipped");
    assert!(draft_for_customer(&mut s, &code, Basis::Shipped).unwrap_err().to_string().contains("nothing shipped"));
    assert_eq!(count(&s, InvoiceView::Drafts).unwrap(), 1);
    let issued = issue(&mut s, draft.invoice.id, draft.invoice.version).unwrap();
    assert_eq!((count(&s, InvoiceView::Drafts).unwrap(), count(&s, InvoiceView::Unpaid).unwrap()), (0, 1));
    assert_eq!(count(&s, InvoiceView::Overdue).unwrap(), 0, "due in 30 days");
    let day = issued.invoice.issue_date.parse().unwrap();
    crate::ops::payments::record(&mut s, &code, Method::Cash, Money::parse("10").unwrap(), day, "", &[]).unwrap();
    assert_eq!(count(&s, InvoiceView::Unpaid).unwrap(), 0);

    let (_, rows) = crate::ops::payments::statement(&s, &code, "0000-01-01", "9999-12-31").unwrap();
    let cells: Vec<(&str, &str)> = rows.iter().map(|r| (r[3].as_str(), r[4].as_str())).collect();
    assert_eq!(cells, [("", "0.00"), ("7.14", "7.14"), ("-10.00", "-2.86")]);
    let customer_id = issued.invoice.customer_id;
    assert_eq!(crate::ops::payments::balance(&s, customer_id).unwrap().to_string(), "-2.86", "agrees with the balance");
    // A period after it all: only what was brought forward.
    let (_, later) = crate::ops::payments::statement(&s, &code, "2099-01-01", "2099-12-31").unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0][4], "-2.86");
}

#[test]
fn what_is_owed_is_kept_with_each_payment_and_credit_note_and_check_proves_it() {
    use crate::domain::payment::Method;
    let (mut s, number) = shipped_order();
    let d = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Ordered).unwrap();
    let inv = issue(&mut s, d.invoice.id, d.invoice.version).unwrap().invoice;
    let owed = |s: &Session| crate::db::invoices::open_invoices(s.db.conn(), inv.customer_id).unwrap();
    assert_eq!(owed(&s)[0].1, inv.gross);
    let day = inv.issue_date.parse().unwrap();
    crate::ops::payments::record(&mut s, &inv.customer_code, Method::Cash, Money::parse("5").unwrap(), day, "", &[])
        .unwrap();
    assert_eq!(owed(&s)[0].1, inv.gross - Money::parse("5").unwrap());
    let number = inv.number.clone().unwrap();
    let cn = crate::ops::credit_notes::draft(&mut s, &number, &[(1, q("1"))], "one pen broken").unwrap();
    let cn = crate::ops::credit_notes::issue(&mut s, cn.invoice.id, cn.invoice.version, None).unwrap();
    assert_eq!(owed(&s)[0].1, inv.gross - Money::parse("5").unwrap() - cn.invoice.gross);
    assert!(crate::ops::payments::check(&s).unwrap().is_empty());
    crate::ops::payments::record(&mut s, &inv.customer_code, Method::Cash, Money::parse("50").unwrap(), day, "", &[])
        .unwrap();
    assert!(owed(&s).is_empty(), "paid off: nothing owed");
    assert!(crate::ops::payments::check(&s).unwrap().is_empty());
    s.db.conn()
        .execute("INSERT INTO invoice_open VALUES (?1, ?2, '2026-01-01', 100)", (inv.id, inv.customer_id))
        .unwrap();
    let problems = crate::ops::payments::check(&s).unwrap();
    assert!(problems.iter().any(|p| p.contains("1.00 kept as still owed")), "{problems:?}");
}

#[test]
fn deleting_a_credit_note_draft_gives_nothing_back_to_invoice_again() {
    let (mut s, number) = shipped_order();
    let d = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Shipped).unwrap();
    let inv = issue(&mut s, d.invoice.id, d.invoice.version).unwrap().invoice.number.unwrap();
    let cn = crate::ops::credit_notes::draft(&mut s, &inv, &[(1, q("2"))], "two pens").unwrap();
    delete_draft(&mut s, cn.invoice.id).unwrap();
    let again = draft_from_orders(&mut s, &[number], Basis::Shipped).unwrap_err();
    assert!(again.to_string().contains("Nothing"), "the pens are billed once: {again}");
}

#[test]
fn credit_paid_back_as_a_refund_is_not_spent_again() {
    use crate::domain::payment::Method;
    use crate::domain::user::Role;
    let (mut s, number) = shipped_order();
    let code = crate::ops::orders::by_number(&s, &number).unwrap().customer_code;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    crate::ops::payments::record(&mut s, &code, Method::Cash, Money::parse("10").unwrap(), day, "", &[]).unwrap();
    s.operator.role = Role::Manager;
    let r = crate::ops::refunds::request(&mut s, &code, Money::parse("10").unwrap(), "paid twice").unwrap();
    crate::ops::refunds::approve(&mut s, &r.number).unwrap();
    crate::ops::refunds::pay(&mut s, &r.number, Method::Cash).unwrap();
    let d = draft_from_orders(&mut s, &[number], Basis::Shipped).unwrap();
    issue(&mut s, d.invoice.id, d.invoice.version).unwrap();
    assert!(crate::ops::payments::use_credit(&mut s, &code).unwrap().is_empty(), "no credit left to use");
    assert_eq!(crate::db::invoices::open_invoices(s.db.conn(), d.invoice.customer_id).unwrap().len(), 1);
    assert!(crate::ops::payments::check(&s).unwrap().is_empty());
}

#[test]
fn a_session_whose_clock_lags_into_last_year_cannot_restart_the_numbering() {
    let (mut s, number) = shipped_order();
    let d = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Shipped).unwrap();
    issue(&mut s, d.invoice.id, d.invoice.version).unwrap();
    let rest = draft_from_orders(&mut s, &[number], Basis::Ordered).unwrap();
    s.clock = crate::ops::Clock::Fixed("2025-12-31T12:00:00Z".into());
    let err = issue(&mut s, rest.invoice.id, rest.invoice.version).unwrap_err();
    assert!(err.to_string().contains("clock"), "{err}");
    s.clock = crate::ops::Clock::Fixed("2026-11-28T09:00:00Z".into());
    let second = issue(&mut s, rest.invoice.id, rest.invoice.version).unwrap();
    assert_eq!(second.invoice.number.as_deref(), Some("INV-2026-000002"));
}

#[test]
fn an_order_billed_up_front_keeps_what_is_billed_until_it_is_credited() {
    use crate::ops::orders;
    let (mut s, number) =
        shipped_order_with(|s| crate::ops::order_entry::set_setting(s, "auto_invoice", "confirm").unwrap());
    let order = orders::by_number(&s, &number).unwrap();
    // A second order, only tea (none in stock, nothing ships): billed on confirming, so it
    // cannot simply be cancelled.
    let mut tea_only = crate::ops::order_entry::OrderDraft::new(&s).unwrap();
    let customer = crate::db::customers::get(s.db.conn(), crate::domain::ids::CustomerId(order.customer_id));
    tea_only.set_customer(&s, customer.unwrap().unwrap()).unwrap();
    tea_only.add(crate::ops::stock::find_product(&s, "TEA").unwrap().unwrap(), q("1"));
    let second = orders::save(&mut s, &tea_only).unwrap();
    let second = orders::confirm(&mut s, second.id, second.version).unwrap();
    assert_eq!(second.invoice.as_deref(), Some("INV-2026-000002"));
    let second = second.order;
    let err = orders::cancel(&mut s, second.id, second.version, "customer changed mind").unwrap_err();
    assert!(err.to_string().contains("Cannot cancel") && err.to_string().contains("invoiced"), "{err}");
    // Fewer teas than billed is refused; more is fine.
    let mut draft = orders::edit_draft(&s, order.id).unwrap();
    let tea = draft.lines.iter().position(|l| l.product.data.sku == "TEA").unwrap();
    draft.lines[tea].quantity = q("1");
    let err = orders::save(&mut s, &draft).unwrap_err();
    assert!(err.to_string().contains("TEA: 2 is invoiced"), "{err}");
    draft.lines[tea].quantity = q("3");
    orders::save(&mut s, &draft).unwrap();
    // Crediting the tea lets the line go.
    let inv = find(&s, "INV-2026-000001").unwrap();
    let tea_line = inv.lines.iter().find(|l| l.sku == "TEA").unwrap().line;
    let cn = crate::ops::credit_notes::draft(&mut s, "INV-2026-000001", &[(tea_line, q("2"))], "not wanted").unwrap();
    crate::ops::credit_notes::issue(&mut s, cn.invoice.id, cn.invoice.version, None).unwrap();
    let mut draft = orders::edit_draft(&s, order.id).unwrap();
    draft.lines.retain(|l| l.product.data.sku != "TEA");
    orders::save(&mut s, &draft).unwrap();
}

#[test]
fn a_line_credited_in_parts_never_credits_a_cent_more_than_it_invoiced() {
    use crate::domain::stock::ProductInput;
    use crate::ops::orders;
    let (mut s, _) = shipped_order();
    let input = ProductInput {
        sku: "CLIP".into(),
        name: "Clip".into(),
        sale_price: "0.335".into(),
        cost_price: "0.1".into(),
        tax_rate: "0".into(),
        ..Default::default()
    };
    crate::ops::stock::save_product(&mut s, None, &input).unwrap();
    let form = crate::ops::ledger::MoveForm { product: "CLIP".into(), quantity: "10".into(), ..Default::default() };
    let m = crate::ops::ledger::parse_move(s.db.conn(), &form, crate::domain::stock::MoveKind::Receipt).unwrap();
    crate::ops::ledger::receive(&mut s, &[m]).unwrap();
    let mut d = crate::ops::order_entry::OrderDraft::new(&s).unwrap();
    let first = crate::db::customers::all_ids(s.db.conn()).unwrap()[0];
    d.set_customer(&s, crate::db::customers::get(s.db.conn(), first).unwrap().unwrap()).unwrap();
    d.add(crate::ops::stock::find_product(&s, "CLIP").unwrap().unwrap(), q("3"));
    let order = orders::save(&mut s, &d).unwrap();
    orders::confirm(&mut s, order.id, order.version).unwrap();
    let inv = draft_from_orders(&mut s, std::slice::from_ref(&order.number), Basis::Ordered).unwrap();
    let inv = issue(&mut s, inv.invoice.id, inv.invoice.version).unwrap();
    let number = inv.invoice.number.clone().unwrap();
    assert_eq!(inv.invoice.gross.to_string(), "1.01", "3 x 0.335 = 1.005");
    let mut credited = Money::ZERO;
    for _ in 0..3 {
        let cn = crate::ops::credit_notes::draft(&mut s, &number, &[(1, q("1"))], "one at a time").unwrap();
        credited = credited + cn.invoice.gross;
    }
    assert_eq!(credited.to_string(), "1.01", "0.34 + 0.34 + the 0.33 left");
    let dup = crate::ops::credit_notes::draft(&mut s, &number, &[(1, q("1")), (1, q("1"))], "twice").unwrap_err();
    assert!(dup.to_string().contains("once"), "{dup}");
}

#[test]
fn credit_notes_hashed_by_row_id_before_still_check_and_tampering_still_shows() {
    let (mut s, number) = shipped_order();
    let shipped = draft_from_orders(&mut s, std::slice::from_ref(&number), Basis::Shipped).unwrap();
    let first = issue(&mut s, shipped.invoice.id, shipped.invoice.version).unwrap().invoice;
    let rest = draft_from_orders(&mut s, &[number], Basis::Ordered).unwrap();
    issue(&mut s, rest.invoice.id, rest.invoice.version).unwrap();
    let credited = first.number.clone().unwrap();
    let note = crate::ops::credit_notes::draft(&mut s, &credited, &[(1, q("1"))], "one broken").unwrap();
    let note = crate::ops::credit_notes::issue(&mut s, note.invoice.id, note.invoice.version, None).unwrap();
    assert!(check(&s).unwrap().is_empty(), "{:?}", check(&s).unwrap());
    // A credit note issued by an earlier shopdesk named the invoice by its row id.
    let conn = s.db.conn();
    conn.execute_batch("DROP TRIGGER invoices_issued_fixed").unwrap();
    let stored = repo::invoice(conn, note.invoice.id).unwrap().unwrap();
    let (lines, taxes) = (repo::lines(conn, stored.id).unwrap(), repo::taxes(conn, stored.id).unwrap());
    let by_id = chain_hash(&stored.prev_hash, &canonical(&stored, &lines, &taxes, None));
    assert_ne!(by_id, stored.hash, "the two forms differ");
    conn.execute("UPDATE invoices SET hash = ?1 WHERE id = ?2", (&by_id, stored.id)).unwrap();
    assert!(check(&s).unwrap().is_empty(), "{:?}", check(&s).unwrap());
    // Pointing it at the other invoice breaks either form.
    conn.execute("UPDATE invoices SET credits_id = ?1 WHERE id = ?2", (rest.invoice.id, stored.id)).unwrap();
    let found = check(&s).unwrap();
    assert!(found.iter().any(|p| p.contains("CN-2026-000001")), "{found:?}");
}

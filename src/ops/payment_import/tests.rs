use super::*;
use crate::error::Error;
use crate::ops::invoices::tests_support::shipped_order;
use crate::ops::invoices::{Basis, draft_from_orders};

fn m(text: &str) -> Money {
    Money::parse(text).unwrap()
}

/// `shipped_order` with all of it invoiced (INV-2026-000001, 15.68) to Ana, and her code.
fn invoiced() -> (Session, String) {
    let (mut s, order) = shipped_order();
    let d = draft_from_orders(&mut s, &[order], Basis::Ordered).unwrap();
    let issued = crate::ops::invoices::issue(&mut s, d.invoice.id, d.invoice.version).unwrap().invoice;
    assert_eq!(issued.gross, m("15.68"));
    (s, issued.customer_code)
}

#[test]
fn payments_come_in_with_their_numbers_allocations_credit_and_refunds() {
    let (mut s, ana) = invoiced();
    let file = format!(
        "number,received_on,customer,method,amount,reference,invoice,allocated\n\
         PAY-000041,2026-11-20,{ana},card,20.00,r-1,INV-2026-000001,15.68\n\
         PAY-000042,2026-11-21,{ana},cash,-2.00,back,,\n"
    );
    let report = import(&mut s, file.as_bytes(), false).unwrap();
    assert_eq!(report.created, 2);
    assert_eq!(crate::ops::payments::balance(&s, 1).unwrap(), m("-2.32"), "4.32 credit less 2.00 paid back");
    assert_eq!(crate::ops::integrity::problems(&s).unwrap(), Vec::<String>::new());
    let mut out = Vec::new();
    crate::ops::invoice_csv::export_payments(&s, &mut out).unwrap();
    let exported = String::from_utf8(out).unwrap().replace("\r\n", "\n");
    assert_eq!(exported, file, "exported as imported");
    let again = import(&mut s, file.as_bytes(), false).unwrap();
    assert_eq!((again.created, again.unchanged), (0, 2));
    // The credit left is used here on a new invoice: the payment has one allocation more,
    // and the file is still the payment as it came in.
    let tea = format!("number,customer,status,sku,quantity\nSO-000002,{ana},confirmed,TEA,1\n");
    crate::ops::order_csv::import(&mut s, tea.as_bytes(), false).unwrap();
    let d = draft_from_orders(&mut s, &["SO-000002".to_string()], Basis::Ordered).unwrap();
    crate::ops::invoices::issue(&mut s, d.invoice.id, d.invoice.version).unwrap();
    assert!(!crate::ops::payments::use_credit(&mut s, &ana).unwrap().is_empty());
    let again = import(&mut s, file.as_bytes(), false).unwrap();
    assert_eq!((again.created, again.unchanged), (0, 2), "unchanged after its credit was used");
    // Numbers recorded here go on after the imported ones.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let receipt = crate::ops::payments::record(&mut s, &ana, Method::Card, m("1"), day, "", &[]).unwrap();
    assert_eq!(receipt.number, "PAY-000043");
    let changed = file.replace("PAY-000042,2026-11-21,", "PAY-000042,2026-11-22,");
    let err = import(&mut s, changed.as_bytes(), false).unwrap_err().to_string();
    assert!(err.contains("line 3, column number: 'PAY-000042' PAY-000042 is already in this shop"), "{err}");
    let clock = crate::ops::Clock::Fixed("2026-11-27T10:00:00Z".into());
    let mut clerk = crate::ops::Session::start(s.db, "carl", clock).unwrap();
    assert!(matches!(import(&mut clerk, file.as_bytes(), true), Err(Error::NotAllowed { .. })), "managers only");
    let invoices = crate::ops::invoice_import::import(&mut clerk, b"number\n", true);
    assert!(matches!(invoices, Err(Error::NotAllowed { .. })));
}

#[test]
fn every_payment_problem_names_its_line() {
    let (mut s, ana) = invoiced();
    let rows = format!(
        "number,received_on,customer,method,amount,invoice,allocated\n\
         P-1,2030-01-01,{ana},card,5,,\n\
         P-2,2026-11-20,{ana},cheque,5,,\n\
         P-3,2026-11-20,NOBODY,card,0,,\n\
         P-4,2026-11-20,{ana},card,5,INV-2026-000001,\n\
         P-5,2026-11-20,{ana},card,5,,\n\
         P-5,2026-11-21,{ana},card,5,,\n\
         P-6,2026-11-20,{ana},card,5,,\n\
         P-5,2026-11-20,{ana},card,5,,\n"
    );
    let err = import(&mut s, rows.as_bytes(), false).unwrap_err().to_string();
    for expected in [
        "line 2, column received_on: '2030-01-01' 2030-01-01 is still to come",
        "line 3, column method: 'cheque'",
        "line 4, column customer: 'NOBODY'",
        "line 4, column amount: '0'",
        "line 5, column allocated: ''",
        "line 7, column received_on: '2026-11-21' P-5 starts on line 6 with other payment details",
        "line 9, column number: 'P-5' P-5 is met again after other numbers",
    ] {
        assert!(err.contains(expected), "{expected} missing in:\n{err}");
    }
    // After a row that does not read, later payments are still checked (not written).
    let after_bad = format!(
        "number,received_on,customer,method,amount,invoice,allocated\n\
         R-1,2026-11-20,{ana},bitcoin,5,,\n\
         R-2,2026-11-20,{ana},card,5,INV-2099-000001,5\n"
    );
    let err = import(&mut s, after_bad.as_bytes(), false).unwrap_err().to_string();
    assert!(
        err.contains("line 2, column method") && err.contains("line 3, column invoice: 'INV-2099-000001'"),
        "{err}"
    );
    let payments = format!(
        "number,received_on,customer,method,amount,invoice,allocated\n\
         Q-1,2026-11-20,{ana},card,10,INV-2026-000001,16\n\
         Q-2,2026-11-20,{ana},card,-5,INV-2026-000001,1\n\
         Q-3,2026-11-20,{ana},card,5,INV-2099-000001,1\n\
         Q-4,2026-11-20,{ana},card,20,INV-2026-000001,10\n\
         Q-4,2026-11-20,{ana},card,20,INV-2026-000001,10\n"
    );
    let err = import(&mut s, payments.as_bytes(), false).unwrap_err().to_string();
    for expected in [
        "line 2, column allocated: '16.00' 16.00 is put against invoices, more than the payment's 10.00",
        "line 2, column allocated: '16.00' INV-2026-000001 comes to 15.68 and 0.00 of it is paid already",
        "line 3, column invoice: 'INV-2026-000001' a refund",
        "line 4, column invoice: 'INV-2099-000001' INV-2099-000001 is not an issued invoice",
        "line 6, column allocated: '10.00' INV-2026-000001 comes to 15.68 and 10.00 of it is paid already",
    ] {
        assert!(err.contains(expected), "{expected} missing in:\n{err}");
    }
    assert!(crate::db::invoices::payment_by_number(s.db.conn(), "Q-4").unwrap().is_none(), "nothing was written");
}

/// A refund pays back credit there is: one past it (a stray minus sign) is refused, as the
/// statement and the receivables would part ways. Judged on the whole file, as a payment's
/// rows hold allocations made later from the customer's credit.
#[test]
fn a_refund_beyond_the_customers_credit_is_refused() {
    let (mut s, ana) = invoiced();
    let stray = format!(
        "number,received_on,customer,method,amount,reference,invoice,allocated\n\
         R-1,2026-11-20,{ana},cash,-5000,,,\n"
    );
    let err = import(&mut s, stray.as_bytes(), false).unwrap_err().to_string();
    assert!(err.contains("line 2, column amount: '-5000.00' pays back more than the customer's credit"), "{err}");
    assert!(err.contains("it would be -5000.00"), "{err}");
    assert!(crate::db::invoices::payment_by_number(s.db.conn(), "R-1").unwrap().is_none());
    // Paid 100, refunded 100, then paid 50 which went, from the credit, on the invoice as
    // the first payment's: at the refund's row the first payment's allocation already
    // shows, yet the whole file leaves credit 34.32, nothing below 0.
    let moved = format!(
        "number,received_on,customer,method,amount,reference,invoice,allocated\n\
         P-1,2026-11-20,{ana},card,100,,INV-2026-000001,15.68\n\
         P-2,2026-11-21,{ana},cash,-100,,,\n\
         P-3,2026-11-22,{ana},card,50,,,\n"
    );
    let report = import(&mut s, moved.as_bytes(), false).unwrap();
    assert_eq!(report.created, 3);
    assert_eq!(crate::db::invoices::credit(s.db.conn(), 1).unwrap(), m("34.32"));
    // A credit below zero from before this check (a refund of 200 recorded as an older
    // import would have): the shop's own file again is unchanged, and not refused for it.
    let (conn, at) = (s.db.conn(), "2026-11-23T10:00:00Z");
    crate::db::invoices::insert_payment(conn, "P-9", 1, "cash", m("-200"), "2026-11-23", "", at, "alice").unwrap();
    assert!(crate::db::invoices::credit(s.db.conn(), 1).unwrap() < Money::ZERO);
    let report = import(&mut s, moved.as_bytes(), false).unwrap();
    assert_eq!((report.created, report.unchanged), (0, 3));
}

use super::*;
use crate::ops::invoices::tests_support::shipped_order;
use crate::ops::invoices::{Basis, draft_from_orders};

fn import_text(s: &mut Session, text: &str) -> Result<ImportReport> {
    import(s, text.as_bytes(), false)
}

fn refused(s: &mut Session, text: &str) -> String {
    import_text(s, text).unwrap_err().to_string()
}

fn m(text: &str) -> Money {
    Money::parse(text).unwrap()
}

/// The shop of `shipped_order` (Ana, PEN 2.00 19 %, TEA 3.99 7 %, SO-000001) and Ana's code.
fn shop() -> (Session, String, String) {
    let (s, order) = shipped_order();
    let code = crate::db::customers::find_by_code(s.db.conn(), "C000001").unwrap().map(|c| c.data.code);
    (s, code.unwrap_or_default(), order)
}

fn issue_own(s: &mut Session, order: &str) -> String {
    let d = draft_from_orders(s, &[order.to_string()], Basis::Ordered).unwrap();
    crate::ops::invoices::issue(s, d.invoice.id, d.invoice.version).unwrap().invoice.number.unwrap()
}

#[test]
fn another_systems_documents_keep_their_numbers_in_the_history_series() {
    let (mut s, ana, order) = shop();
    let file = format!(
        "number,kind,issue_date,customer,credits,reason,sku,name,quantity,unit_price,tax_rate\n\
         RE-1001,invoice,2025-03-01,{ana},,,PEN,,4,2.50,19\n\
         RE-1001,invoice,2025-03-01,{ana},,,,Gift wrapping 礼品包装,1,3,7\n\
         GS-7,credit_note,2025-03-05,{ana},RE-1001,one pen broken,PEN,,1,,\n"
    );
    let report = import_text(&mut s, &file).unwrap();
    assert_eq!((report.created, report.unchanged), (2, 0));
    let conn = s.db.conn();
    let invoice = crate::db::invoices::by_number(conn, "RE-1001").unwrap().unwrap();
    assert_eq!(invoice.series, "HIST");
    // 4 x 2.50 = 10.00 + 19 %, 3.00 + 7 %.
    assert_eq!((invoice.net, invoice.tax, invoice.gross), (m("13.00"), m("2.11"), m("15.11")));
    assert_eq!(invoice.due_date, "2025-03-31", "the tier's 30 days");
    let note = crate::db::invoices::by_number(conn, "GS-7").unwrap().unwrap();
    assert_eq!((note.credits_id, note.gross), (Some(invoice.id), m("2.98")));
    assert_eq!(crate::ops::payments::balance(&s, 1).unwrap(), m("12.13"), "owed less credited");
    assert_eq!(crate::ops::integrity::problems(&s).unwrap(), Vec::<String>::new());
    // The shop's own numbering is untouched by history.
    assert_eq!(issue_own(&mut s, &order), "INV-2026-000001");
    let mut out = Vec::new();
    crate::ops::invoice_csv::export_invoices(&s, &mut out).unwrap();
    let exported = String::from_utf8(out).unwrap();
    assert!(exported.contains("GS-7,credit_note,2025-03-05"), "{exported}");
    assert!(exported.contains(",one pen broken,"), "{exported}");
    let again = import_text(&mut s, &file).unwrap();
    assert_eq!((again.created, again.unchanged), (0, 2), "a second import changes nothing");
    let changed = file.replace("GS-7,credit_note,2025-03-05", "GS-7,credit_note,2025-03-06");
    let err = refused(&mut s, &changed);
    assert!(err.contains("line 4, column number: 'GS-7' GS-7 is already in this shop with other content"), "{err}");
}

#[test]
fn numbers_of_the_shops_own_series_continue_it_without_a_gap() {
    let (mut s, ana, order) = shop();
    assert_eq!(issue_own(&mut s, &order), "INV-2026-000001");
    let head = "number,kind,issue_date,customer,sku,quantity,unit_price,tax_rate\n";
    let row = |number: &str, kind: &str, date: &str| format!("{number},{kind},{date},{ana},PEN,1,2,19\n");
    let err = refused(&mut s, &format!("{head}{}", row("INV-2026-000003", "invoice", "2026-11-20")));
    assert!(err.contains("its next number for 2026 is INV-2026-000002"), "{err}");
    let err = refused(&mut s, &format!("{head}{}", row("INV-2025-000001", "invoice", "2026-01-05")));
    assert!(err.contains("numbered like this shop's INV series for 2025, but issued on 2026-01-05"), "{err}");
    let err = refused(&mut s, &format!("{head}{}", row("CN-2026-000001", "invoice", "2026-11-20")));
    assert!(err.contains("like this shop's CN series, which is for the other kind"), "{err}");
    let err = refused(
        &mut s,
        &format!(
            "{head}{}{}",
            row("INV-2025-000002", "invoice", "2025-05-01"),
            row("INV-2025-000001", "invoice", "2025-06-01")
        ),
    );
    assert!(err.contains("line 2, column number: 'INV-2025-000002'"), "out of order: {err}");
    let err = refused(&mut s, &format!("{head}{}", row("INV-2026-000002", "invoice", "2026-11-01")));
    assert!(err.contains("dated 2026-11-01, before 2026-11-27, the date of a number before it"), "{err}");
    let dates_backwards = format!(
        "{head}{}{}",
        row("INV-2025-000001", "invoice", "2025-06-01"),
        row("INV-2025-000002", "invoice", "2025-05-01")
    );
    let err = refused(&mut s, &dates_backwards);
    assert!(err.contains("line 3, column number: 'INV-2025-000002' INV-2025-000002 is dated 2025-05-01"), "{err}");
    let file = format!(
        "{head}{}{}",
        row("inv-2026-000002", "invoice", "2026-11-27"),
        row("INV-2025-000001", "invoice", "2025-06-01")
    );
    assert_eq!(import_text(&mut s, &file).unwrap().created, 2);
    assert!(crate::db::invoices::by_number(s.db.conn(), "INV-2026-000002").unwrap().is_some_and(|i| i.series == "INV"));
    assert_eq!(crate::ops::integrity::problems(&s).unwrap(), Vec::<String>::new());
    // The series goes on after the imported number, and stays in 2026.
    let more =
        format!("{head}{}", row("SO-000002", "invoice", "2026-11-21")).replace("SO-000002,invoice", "X-1,invoice");
    import_text(&mut s, &more).unwrap();
    let tea = crate::ops::order_csv::import(
        &mut s,
        format!("number,customer,status,sku,quantity\nSO-000002,{ana},confirmed,TEA,1\n").as_bytes(),
        false,
    )
    .unwrap();
    assert_eq!(tea.created, 1);
    assert_eq!(issue_own(&mut s, "SO-000002"), "INV-2026-000003");
}

#[test]
fn every_problem_names_its_line_and_column() {
    let (mut s, ana, _) = shop();
    let rows = format!(
        "number,kind,issue_date,customer,credits,reason,sku,quantity,unit_price,tax_rate,credits_line\n\
         X-1,bill,2026-01-01,{ana},,,PEN,1,2,19,\n\
         X-2,invoice,2026-01-01,NOBODY,,,PEN,1,2,19,\n\
         X-3,credit_note,2026-01-01,{ana},,,PEN,1,,,\n\
         X-4,invoice,2026-01-01,{ana},,,NOPE,1,2,19,\n\
         X-5,invoice,01.02.2026,{ana},,,PEN,0,2,19,\n\
         X-6,invoice,2026-01-01,{ana},,,PEN,1,2,19,3\n\
         X-7,invoice,2026-01-01,{ana},,,PEN,1,2,19,\n\
         X-7,invoice,2026-01-02,{ana},,,PEN,1,2,19,\n\
         X-8,credit_note,2026-01-01,{ana},X-7,\"two\nlines\",PEN,1,,,\n\
         X-7,invoice,2026-01-01,{ana},,,PEN,1,2,19,\n"
    );
    let err = refused(&mut s, &rows);
    for expected in [
        "line 2, column kind: 'bill'",
        "line 3, column customer: 'NOBODY'",
        "line 4, column credits: ''",
        "line 4, column reason: ''",
        "line 5, column sku: 'NOPE'",
        "line 6, column issue_date: '01.02.2026'",
        "line 6, column quantity: '0'",
        "line 7, column credits_line: '3' only a credit note has this",
        "line 9, column issue_date: '2026-01-02' X-7 starts on line 8 with other document details",
        "line 10, column reason: 'two lines' contains control characters",
        "line 12, column number: 'X-7' X-7 is met again after other numbers: its rows must be together (it starts on line 8)",
    ] {
        assert!(err.contains(expected), "{expected} missing in:\n{err}");
    }
    // A problem found at the end of the file (a short last row) keeps the last document
    // from being issued, so it is the only problem named.
    let short_end = format!(
        "number,issue_date,customer,sku,quantity,unit_price,tax_rate,net\n\
         Z-1,2026-01-01,{ana},PEN,1,2,19,2.00\n\
         Z-2,2026-01-01,{ana},PEN,1,2,19,4.00\n\
         Z-2,2026-01-01\n"
    );
    let err = refused(&mut s, &short_end);
    assert!(err.contains("1 problem") && err.contains("line 4"), "{err}");
    // Once every row reads, what the documents themselves break is named too.
    let documents = format!(
        "number,kind,issue_date,due_date,customer,credits,reason,order,sku,quantity,unit_price,tax_rate,amount,net\n\
         Y-1,invoice,2027-01-01,,{ana},,,,PEN,1,2,19,,\n\
         Y-2,invoice,2026-01-01,2025-12-01,{ana},,,,PEN,1,2,19,,\n\
         Y-3,invoice,2026-01-01,,{ana},,,SO-999999,PEN,1,2,19,,\n\
         Y-4,invoice,2026-01-01,,{ana},,,,PEN,1,2,19,9.99,\n\
         Y-5,invoice,2026-01-01,,{ana},,,,PEN,1,2,19,,5.00\n\
         Y-6,credit_note,2026-01-02,,{ana},Y-404,wrong,,PEN,1,,,,\n\
         Y-7,invoice,2026-01-01,,{ana},,,,PEN,2,2,19,,\n\
         Y-8,credit_note,2026-01-02,,{ana},Y-7,too many,,PEN,3,,,,\n\
         Y-9,credit_note,2026-01-02,,{ana},Y-7,other price,,PEN,1,2.5,,,\n\
         Y-10,invoice,2026-01-01,,{ana},,,SO-000001,PEN,4,2,19,,\n"
    );
    let err = refused(&mut s, &documents);
    for expected in [
        "line 2, column issue_date: '2027-01-01' 2027-01-01 is still to come",
        "line 3, column due_date: '2025-12-01' due before the document's own date 2026-01-01",
        "line 4, column order: 'SO-999999' no order SO-999999 in this shop",
        "line 5, column amount: '9.99' the line comes to 2.00",
        "line 6, column net: '5.00' Y-5 comes to net 2.00, tax 0.38, gross 2.38",
        "line 7, column credits: 'Y-404' Y-404 is not an issued invoice",
        "line 9, column quantity: '3.000'",
        "line 10, column unit_price: '2.5000' a credit note takes back Y-7 line 1 at its price",
        "line 11, column quantity: '4.000' SO-000001 line 1: more would be invoiced than its 3 ordered (0 invoiced already)",
    ] {
        assert!(err.contains(expected), "{expected} missing in:\n{err}");
    }
    assert!(crate::db::invoices::by_number(s.db.conn(), "Y-7").unwrap().is_none(), "nothing was written");
}

/// A row that does not read leaves its document out, and the documents after it are still
/// checked: their own problems are named in the same run, a real gap among them too, but
/// not the gap the left-out one would make, nor totals of a document missing a row, nor a
/// credit note of a left-out invoice as crediting nothing.
#[test]
fn documents_after_a_row_that_does_not_read_are_still_checked() {
    let (mut s, ana, order) = shop();
    assert_eq!(issue_own(&mut s, &order), "INV-2026-000001");
    let file = format!(
        "number,kind,issue_date,customer,credits,reason,sku,quantity,unit_price,tax_rate,net\n\
         INV-2026-000002,invoice,2026-11-27,{ana},,,PEN,1,2,19,4.00\n\
         INV-2026-000002,invoice,2026-11-27,{ana},,,PEN,lots,2,19,4.00\n\
         INV-2026-000003,invoice,2026-11-27,{ana},,,PEN,1,2,19,2.00\n\
         CN-2026-000001,credit_note,2026-11-27,{ana},INV-2026-000002,broken,PEN,1,,,\n\
         INV-2026-000005,invoice,2026-11-27,{ana},,,PEN,1,2,19,9.00\n\
         Y-1,invoice,2026-11-27,{ana},,,PEN,1,2,19,2.00\n\
         Y-2,invoice,2026-11-27,{ana},,,PEN,1,2,19,4.00,extra\n\
         Y-2,invoice,2026-11-27,{ana},,,PEN,1,2,19,4.00\n\
         Y-3,invoice,2027-01-01,{ana},,,PEN,1,2,19,2.00\n"
    );
    let err = refused(&mut s, &file);
    for expected in [
        "line 3, column quantity: 'lots'",
        "line 6, column number: 'INV-2026-000005' INV-2026-000005 would leave a gap in the INV series: its next number for 2026 is INV-2026-000004",
        "line 8: has 12 fields",
        "line 10, column issue_date: '2027-01-01' 2027-01-01 is still to come",
    ] {
        assert!(err.contains(expected), "{expected} missing in:\n{err}");
    }
    assert!(err.contains("4 problems"), "only those: {err}");
    assert!(crate::db::invoices::by_number(s.db.conn(), "INV-2026-000003").unwrap().is_none(), "nothing was written");
    // A document whose first row fails is placed after the one before it: neither is a gap.
    let row = |number: &str, customer: &str, quantity: &str| {
        format!("{number},invoice,2026-11-27,{customer},,,PEN,{quantity},2,19,\n")
    };
    let head = "number,kind,issue_date,customer,credits,reason,sku,quantity,unit_price,tax_rate,net\n";
    let first_fails = format!(
        "{head}{}{}{}",
        row("INV-2026-000002", &ana, "1"),
        row("INV-2026-000003", "NOPE", "1"),
        row("INV-2026-000004", &ana, "1")
    );
    let err = refused(&mut s, &first_fails);
    assert!(err.contains("1 problem") && err.contains("line 3, column customer: 'NOPE'"), "{err}");
    // A real gap before a left-out document is named all the same.
    let gap_first = format!(
        "{head}{}{}{}",
        row("INV-2026-000002", &ana, "1"),
        row("INV-2026-000006", &ana, "lots"),
        row("INV-2026-000007", &ana, "1")
    );
    let err = refused(&mut s, &gap_first);
    assert!(err.contains("2 problems") && err.contains("line 3, column number: 'INV-2026-000006'"), "{err}");
    assert!(err.contains("its next number for 2026 is INV-2026-000003"), "{err}");
}

#[test]
fn invoices_tied_to_their_orders_count_as_invoiced_and_by_region() {
    let (mut s, ana, order) = shop();
    let file = format!(
        "number,issue_date,customer,order,sku,quantity\n\
         OLD-1,2026-11-01,{ana},{order},PEN,3\n\
         OLD-1,2026-11-01,{ana},{order},TEA,2\n"
    );
    import_text(&mut s, &file).unwrap();
    let line = crate::db::invoices::lines(s.db.conn(), 1).unwrap();
    assert_eq!((line[0].order_line, line[1].order_line), (Some(1), Some(2)), "found by product");
    assert_eq!(line[1].unit_price.to_string(), "3.9900", "the order line's price");
    let err = draft_from_orders(&mut s, &[order], Basis::Ordered).unwrap_err();
    assert!(err.to_string().contains("Nothing"), "all of the order is invoiced: {err}");
    assert_eq!(crate::ops::integrity::problems(&s).unwrap(), Vec::<String>::new());
}

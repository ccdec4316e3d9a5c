//! Orders from the command line: import and export round trip, refusals naming the line,
//! an order's life headless, and the reports.

mod common;

use assert_cmd::Command;
use std::path::Path;

fn shopdesk(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("shopdesk").unwrap();
    cmd.arg("--db").arg(db).arg("--user").arg("tester").arg("--lang").arg("en");
    cmd
}

fn run(db: &Path, args: &[&str]) -> String {
    let out = shopdesk(db).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fails_as(db: &Path, user: &str, args: &[&str]) -> String {
    let mut cmd = Command::cargo_bin("shopdesk").unwrap();
    cmd.arg("--db").arg(db).arg("--user").arg(user).arg("--lang").arg("en");
    let out = cmd.args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} should fail for {user}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fails(db: &Path, args: &[&str]) -> String {
    let out = shopdesk(db).args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A shop with the test customers and products, and stock in MAIN.
fn shop(dir: &Path, name: &str) -> std::path::PathBuf {
    let db = dir.join(name);
    let write = |file: &str, text: &str| {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        path
    };
    let customers = write("customers.csv", common::CUSTOMERS_CSV);
    let suppliers = write("suppliers.csv", "code,name\nACME,Acme\nDAIRY,Dairy\n");
    let products = write("products.csv", common::PRODUCTS_CSV);
    let stock = write("stock.csv", "warehouse,sku,quantity\nMAIN,BOLT-8,100\nMAIN,TEA-G,5\n");
    for (table, file) in
        [("customers", &customers), ("suppliers", &suppliers), ("products", &products), ("stock", &stock)]
    {
        run(&db, &["import", table, file.to_str().unwrap()]);
    }
    db
}

/// The example from docs/csv.md, plus a draft.
const ORDERS_CSV: &str = "\
number,customer,status,order_date,ship_by,warehouse,salesperson,region,address,note,reason,line,sku,quantity,unit_price,discount,tax_rate,amount,shipped
SO-000001,C000001,confirmed,2026-11-27,2026-11-30,MAIN,alice,East,\"Hauptstraße 1, Berlin\",,,1,BOLT-8,30.000,0.3500,10,19,9.45,0.000
SO-000001,C000001,confirmed,2026-11-27,2026-11-30,MAIN,alice,East,\"Hauptstraße 1, Berlin\",,,2,TEA-G,2.000,3.9900,10,7,7.18,0.000
SO-000007,C000003,draft,2026-11-20,,MAIN,chen,East,南京路 100 号,每月初订货,,1,TEA-G,9,,,,,
SO-000005,C000001,cancelled,2026-11-21,,MAIN,alice,East,Berlin,,customer moved away,1,BOLT-8,5,,,,,
";

#[test]
fn orders_import_export_round_trip_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "first.db");
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, ORDERS_CSV).unwrap();
    let dry = run(&db, &["import", "orders", file.to_str().unwrap(), "--dry-run"]);
    assert!(dry.contains("would create 3"), "{dry}");
    assert!(run(&db, &["export", "orders"]).lines().count() == 1, "a dry run writes nothing");
    assert!(run(&db, &["import", "orders", file.to_str().unwrap()]).contains("3 created"));
    assert!(run(&db, &["import", "orders", file.to_str().unwrap()]).contains("3 unchanged"));
    let exported = run(&db, &["export", "orders"]);
    assert!(exported.contains("SO-000007,C000003,draft,2026-11-20,,MAIN,chen,East,南京路 100 号,每月初订货,,no,1,TEA-G,9.000,3.9900,2,7,35.19,0.000"), "{exported}");
    // A cancelled order keeps why it was cancelled.
    assert!(
        exported.contains(",cancelled,2026-11-21,,MAIN,alice,East,Berlin,,customer moved away,no,1,BOLT-8,5.000,"),
        "{exported}"
    );
    // An export from before the reason and basis columns leaves the stored reason as it is.
    let cancelled: Vec<&str> =
        exported.lines().filter(|l| l.starts_with("number,") || l.starts_with("SO-000005,")).collect();
    let older: String = cancelled
        .iter()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(11);
            cells.remove(10);
            cells.join(",") + "\n"
        })
        .collect();
    let older_file = dir.path().join("older.csv");
    std::fs::write(&older_file, &older).unwrap();
    assert!(run(&db, &["import", "orders", older_file.to_str().unwrap()]).contains("1 unchanged"), "{older}");
    // An order met again after another is refused even when both parts are as stored.
    let split_file = dir.path().join("split.csv");
    let others = exported.lines().filter(|l| l.starts_with("SO-000007,"));
    let split: Vec<&str> = cancelled.iter().copied().chain(others).chain(cancelled[1..].iter().copied()).collect();
    std::fs::write(&split_file, split.join("\n")).unwrap();
    let err = fails(&db, &["import", "orders", split_file.to_str().unwrap()]);
    assert!(err.contains("SO-000005 had lines earlier in the file"), "{err}");
    // A reason is held to what cancelling takes; a pipe is read whole, then imported.
    let long_reason = cancelled.join("\n").replace("customer moved away", &"x".repeat(501));
    let out = shopdesk(&db).args(["import", "orders", "/dev/stdin"]).write_stdin(long_reason).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("line 2, column reason"), "{err}");

    // Into an empty shop and out again: the same file.
    let second = shop(dir.path(), "second.db");
    let again = dir.path().join("again.csv");
    std::fs::write(&again, &exported).unwrap();
    run(&second, &["import", "orders", again.to_str().unwrap()]);
    assert_eq!(run(&second, &["export", "orders"]), exported);
    assert!(run(&second, &["check"]).contains("no problems"));

    // Into a shop that prices with tax included by now, each order keeps the basis it was
    // priced on: its totals come back the same (the file alone would not show they had not).
    let third = shop(dir.path(), "third.db");
    run(&third, &["settings", "prices_include_tax", "yes"]);
    run(&third, &["import", "orders", again.to_str().unwrap()]);
    assert_eq!(run(&third, &["export", "orders"]), exported);
    let totals = |db: &Path| -> Vec<(String, i64, i64, i64)> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn.prepare("SELECT number, net, tax, gross FROM orders ORDER BY number").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(totals(&third), totals(&db));
    assert!(run(&third, &["check"]).contains("no problems"));
    // A file that does not say (an older export) leaves each stored order's basis alone,
    // whatever the shop's setting has become.
    run(&db, &["settings", "prices_include_tax", "yes"]);
    assert!(run(&db, &["import", "orders", older_file.to_str().unwrap()]).contains("1 unchanged"), "{older}");
    assert!(run(&db, &["import", "orders", again.to_str().unwrap()]).contains("3 unchanged"));
    // A line that cannot be read is named once, not again as its order differing.
    let typo = dir.path().join("typo.csv");
    std::fs::write(&typo, exported.replace(",3.9900,10,7,7.18,", ",abc,10,7,7.18,")).unwrap();
    let err = fails(&db, &["import", "orders", typo.to_str().unwrap()]);
    assert!(err.contains("1 problem:") && err.contains("line 3, column unit_price: 'abc'"), "{err}");

    // Numbers made afterwards continue after the imported ones.
    let next = dir.path().join("next.csv");
    std::fs::write(&next, "number,customer,sku,quantity\nSO-000008,C000002,BOLT-8,1\n").unwrap();
    run(&second, &["import", "orders", next.to_str().unwrap()]);
    let shown = run(&second, &["order", "show", "SO-000001"]);
    assert!(shown.contains("confirmed") && shown.contains("BOLT-8"), "{shown}");
}

#[test]
fn a_bad_orders_file_is_refused_whole_naming_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop.db");
    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        "number,customer,sku,quantity,unit_price,amount\n\
         SO-000001,C000001,BOLT-8,2,0.35,0.70\n\
         SO-000002,NOBODY,NOPE,two,-1,\n\
         SO-000003,C000001,BOLT-8,1,0.35,9.99\n\
         SO-000004,C000001,BOLT-8,1.5,0.35,\n",
    )
    .unwrap();
    let err = fails(&db, &["import", "orders", file.to_str().unwrap()]);
    // Dated ten years out, or a century back: a slip, refused as sales history's are.
    let dates = dir.path().join("dates.csv");
    std::fs::write(
        &dates,
        "number,customer,order_date,sku,quantity\nSO-000031,C000001,2036-11-01,BOLT-8,1\nSO-000032,C000001,1900-01-01,BOLT-8,1\n",
    )
    .unwrap();
    let slips = fails(&db, &["import", "orders", dates.to_str().unwrap()]);
    assert!(slips.contains("line 2, column order_date: '2036-11-01' is not a day of the shop's history"), "{slips}");
    assert!(slips.contains("line 3, column order_date: '1900-01-01'"), "{slips}");
    // A line's problem is named once, at its column, not again when its order is saved.
    assert_eq!(err.matches("line 5").count(), 1, "{err}");
    assert!(err.contains("line 5, column quantity: '1.5' must be a whole number"), "{err}");
    for expected in [
        "line 3, column customer",
        "line 3, column sku",
        "line 3, column quantity",
        "line 3, column unit_price: '-1' must be at least 0",
        "line 4, column amount",
    ] {
        assert!(err.contains(expected), "{expected} missing in:\n{err}");
    }
    assert_eq!(run(&db, &["export", "orders"]).lines().count(), 1, "nothing imported");
    // Read a record at a time, an order is written when the next begins: its lines must be
    // together, and a number met again is named where it comes back.
    let apart = dir.path().join("apart.csv");
    std::fs::write(
        &apart,
        "number,customer,sku,quantity\nSO-000020,C000001,BOLT-8,1\nSO-000021,C000001,BOLT-8,1\nSO-000020,C000001,TEA-G,1\n",
    )
    .unwrap();
    let err = fails(&db, &["import", "orders", apart.to_str().unwrap()]);
    assert!(err.contains("line 4, column number: 'SO-000020' SO-000020 had lines earlier in the file"), "{err}");
    assert_eq!(run(&db, &["export", "orders"]).lines().count(), 1, "nothing imported");
    // Half a bolt cannot have left the shop, whatever the other system says.
    let halves = dir.path().join("halves.csv");
    std::fs::write(
        &halves,
        "number,customer,status,sku,quantity,shipped
SO-000001,C000001,shipped,BOLT-8,2,1.5
",
    )
    .unwrap();
    let err = fails(&db, &["import", "orders", halves.to_str().unwrap()]);
    assert!(err.contains("line 2, column shipped: '1.5'"), "{err}");
    let mixed = dir.path().join("mixed.csv");
    std::fs::write(
        &mixed,
        "number,customer,ship_by,warehouse,sku,quantity\n\
         SO-000010,C000001,,MAIN,BOLT-8,1\n\
         SO-000010,C000002,,MAIN,TEA-G,1\n\
         SO-000011,C000001,2020-01-01,MAIN,BOLT-8,1\n\
         SO-000012,C000001,,NOWHERE,BOLT-8,1\n",
    )
    .unwrap();
    let err = fails(&db, &["import", "orders", mixed.to_str().unwrap()]);
    assert!(
        err.contains("line 3, column customer: 'C000002' SO-000010 starts on line 2 with other order details"),
        "{err}"
    );
    // Once every line reads well, what the orders themselves break is named too.
    let text = std::fs::read_to_string(&mixed).unwrap().replace("SO-000010,C000002", "SO-000010,C000001");
    std::fs::write(&mixed, text).unwrap();
    let err = fails(&db, &["import", "orders", mixed.to_str().unwrap()]);
    for expected in ["line 4, column ship_by: '2020-01-01' must not be before", "line 5, column warehouse: 'NOWHERE'"] {
        assert!(err.contains(expected), "{expected} missing in:\n{err}");
    }
    let shipped = dir.path().join("shipped.csv");
    std::fs::write(&shipped, "number,customer,status,sku,quantity\nSO-000009,C000001,shipped,BOLT-8,1\n").unwrap();
    let err = fails(&db, &["import", "orders", shipped.to_str().unwrap()]);
    assert!(err.contains("line 2, column status: 'shipped' SO-000009 is shipped but its shipped quantities"), "{err}");
    // Orders further on are history: shipped as the file says, no stock moved; a partly
    // shipped one reserves the rest like any open order, and the whole checks clean.
    let stock_before = run(&db, &["export", "stock"]);
    std::fs::write(
        &shipped,
        "number,customer,status,sku,quantity,shipped
         SO-000009,C000001,closed,BOLT-8,1,1
         SO-000008,C000001,partly_shipped,BOLT-8,3,2
         SO-000008,C000001,partly_shipped,TEA-G,1,0
",
    )
    .unwrap();
    let clerk = fails_as(&db, "carl", &["import", "orders", shipped.to_str().unwrap()]);
    assert!(clerk.contains("SO-000009: an order imported as closed is history, which a manager brings in"), "{clerk}");
    run(&db, &["import", "orders", shipped.to_str().unwrap()]);
    let orders = run(&db, &["export", "orders"]);
    assert!(orders.contains("SO-000009,C000001,closed,"), "{orders}");
    assert!(orders.contains(",2,BOLT-8,3.000,") || orders.contains(",1,BOLT-8,3.000,"), "{orders}");
    let show = run(&db, &["order", "show", "SO-000008"]);
    assert!(show.contains("SH-"), "the rest is reserved on a shipment to pick:\n{show}");
    assert_eq!(run(&db, &["export", "stock"]), stock_before, "no stock moved");
    run(&db, &["check"]);
    let again = run(&db, &["import", "orders", shipped.to_str().unwrap()]);
    assert!(again.contains('2'), "both unchanged the second time: {again}");
}

#[test]
fn an_order_lives_headless_and_the_reports_follow() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop.db");
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, "number,customer,status,sku,quantity\nSO-000001,C000002,confirmed,BOLT-8,10\nSO-000001,C000002,confirmed,TEA-G,8\n").unwrap();
    run(&db, &["import", "orders", file.to_str().unwrap()]);
    let open = run(&db, &["report", "open-orders", "--format", "csv"]);
    assert!(open.contains("SO-000001") && open.contains(",yes"), "{open}");
    let waiting = run(&db, &["report", "backorders", "--format", "csv"]);
    assert!(
        waiting.contains("SO-000001,") && waiting.contains("TEA-G,Green tea 绿茶,8.000,0.000,5.000,3.000,0.000"),
        "{waiting}"
    );
    let to_pick = run(&db, &["report", "shipments", "--status", "open", "--format", "json"]);
    assert!(to_pick.contains("SH-000001"), "{to_pick}");

    let err = fails(&db, &["order", "cancel", "SO-000001", "--reason", ""]);
    assert!(err.contains("Reason"), "{err}");
    run(&db, &["order", "ship", "SH-000001", "--carrier", "DHL", "--tracking", "JD1"]);
    let err = fails(&db, &["order", "cancel", "SO-000001", "--reason", "too late"]);
    assert!(err.contains("goods have left on 2 of its 2 lines"), "{err}");
    let note = run(&db, &["order", "note", "SH-000001"]);
    assert!(
        note.contains("DELIVERY NOTE SH-000001") && note.contains("Zoë Müller") && note.contains("DHL JD1"),
        "{note}"
    );
    let pdf = dir.path().join("note.pdf");
    shopdesk(&db).args(["order", "note", "SH-000001", "-o"]).arg(&pdf).assert().success();
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-") && bytes.len() < 200_000, "{} bytes", bytes.len());
    assert!(String::from_utf8_lossy(&bytes).contains("ToUnicode"), "names can be searched and copied");
    assert!(fails(&db, &["order", "deliver", "SH-000001", "--date", "27.11.2026"]).contains("--date"));
    let today = chrono::Local::now().date_naive();
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    assert!(fails(&db, &["order", "deliver", "SH-000001", "--date", &tomorrow]).contains("still to come"));
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    assert!(fails(&db, &["order", "deliver", "SH-000001", "--date", &yesterday]).contains("cannot have arrived"));
    run(&db, &["order", "deliver", "SH-000001", "--date", &today.to_string()]);
    let err = fails(&db, &["order", "deliver", "SH-000001"]);
    assert!(err.contains(&format!("was delivered on {today}")), "{err}");
    assert!(fails(&db, &["order", "show", "SO-999999"]).contains("No order is numbered SO-999999"));
    assert!(fails(&db, &["report", "shipments", "--status", "bogus"]).contains("--status bogus"));
    let shown = run(&db, &["order", "show", "SO-000001", "--format", "json"]);
    let order: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(order["status"], "partly_shipped", "3 packets of tea still wait");
    let steps: Vec<&str> = order["timeline"].as_array().unwrap().iter().map(|e| e["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["edit", "confirm", "allocate", "ship", "deliver"]);
    assert!(run(&db, &["check"]).contains("no problems"));

    // Settings: only an admin (the first user, tester) changes them; a clerk is refused.
    run(&db, &["settings", "approval_limit", "100"]);
    assert!(run(&db, &["settings"]).contains("approval_limit = 100.00"));
    let clerk = Command::cargo_bin("shopdesk")
        .unwrap()
        .args(["--db", db.to_str().unwrap(), "--user", "clerk2", "--lang", "en", "settings", "approval_limit", "0"])
        .output()
        .unwrap();
    assert!(!clerk.status.success());
    assert!(fails(&db, &["settings", "approval_limit", "-5"]).contains("zero or more"));
}

/// Invoices headless: a draft of what shipped, issued with the next number, shown with the
/// shop's details, exported as PDF; the database keeps it as issued and check agrees.
#[test]
fn an_invoice_is_drafted_issued_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop.db");
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, "number,customer,status,sku,quantity\nSO-000001,C000003,confirmed,BOLT-8,10\n").unwrap();
    run(&db, &["import", "orders", file.to_str().unwrap()]);
    assert!(fails(&db, &["invoice", "draft", "SO-000001"]).contains("Nothing of SO-000001"), "nothing shipped yet");
    run(&db, &["order", "ship", "SH-000001"]);
    run(&db, &["settings", "shop_name", "Laden am Markt"]);
    assert!(run(&db, &["invoice", "draft", "SO-000001"]).contains("Draft invoice 1: 1 line,"));
    let issued = run(&db, &["invoice", "issue", "1"]);
    let year = chrono::Local::now().format("%Y").to_string();
    assert!(issued.contains(&format!("Issued INV-{year}-000001")), "{issued}");
    let shown = run(&db, &["invoice", "show", &format!("INV-{year}-000001")]);
    assert!(
        shown.contains("Laden am Markt") && shown.contains("张伟 [C000003]") && shown.contains("Total due"),
        "{shown}"
    );
    let pdf = dir.path().join("invoice.pdf");
    shopdesk(&db).args(["invoice", "export", &format!("INV-{year}-000001"), "-o"]).arg(&pdf).assert().success();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    assert!(fails(&db, &["invoice", "delete", &format!("INV-{year}-000001")]).contains("never deleted"));
    assert!(run(&db, &["check"]).contains("no problems"));
}

/// Payments headless: one settles the invoice, the rest is credit; receivables and check
/// agree.
#[test]
fn a_payment_settles_an_invoice_and_leaves_credit() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop.db");
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, "number,customer,status,sku,quantity\nSO-000001,C000003,confirmed,BOLT-8,10\n").unwrap();
    run(&db, &["import", "orders", file.to_str().unwrap()]);
    run(&db, &["invoice", "draft", "SO-000001", "--ordered"]);
    run(&db, &["invoice", "issue", "1"]);
    let aged = run(&db, &["report", "receivables", "--format", "csv"]);
    assert!(aged.contains("C000003,张伟,4.08,"), "{aged}");
    assert!(fails(&db, &["payment", "record", "C000003", "0"]).contains("amount"));
    assert!(fails(&db, &["payment", "record", "C000003", "5", "--method", "cheque"]).contains("--method"));
    let paid = run(&db, &["payment", "record", "C000003", "5", "--method", "card", "--reference", "till 2"]);
    assert!(paid.contains("Recorded PAY-000001") && paid.contains("credit now 0.92"), "{paid}");
    let aged = run(&db, &["report", "receivables", "--format", "csv"]);
    assert_eq!(aged.lines().count(), 1, "nothing owed: {aged}");
    assert!(run(&db, &["check"]).contains("no problems"));

    // The 0.92 credit is paid back: asked for, approved, paid, listed with each step.
    assert!(fails(&db, &["refund", "request", "C000003", "1", "--reason", "x"]).contains("0.92"));
    assert!(run(&db, &["refund", "request", "C000003", "0.92", "--reason", "overpaid"]).contains("RF-000001"));
    let waiting = run(&db, &["report", "refunds", "--waiting", "--format", "csv"]);
    assert!(waiting.contains("RF-000001,C000003,0.92,requested,overpaid"), "{waiting}");
    assert!(fails(&db, &["refund", "pay", "RF-000001"]).contains("only an approved"));
    assert!(run(&db, &["refund", "approve", "RF-000001"]).contains("approved"));
    assert!(run(&db, &["refund", "pay", "RF-000001", "--method", "cash"]).contains("paid out: 0.92"));
    assert_eq!(run(&db, &["report", "refunds", "--waiting", "--format", "csv"]).lines().count(), 1);
    let all = run(&db, &["report", "refunds", "--format", "csv"]);
    assert!(all.contains(",paid,overpaid,"), "{all}");
    let payments = run(&db, &["report", "payments", "--format", "csv"]);
    assert!(payments.contains("-0.92"), "{payments}");
    let statement = run(&db, &["report", "statement", "C000003", "--format", "csv"]);
    let amounts: Vec<&str> = statement.lines().skip(1).map(|l| l.rsplit(',').nth(1).unwrap()).collect();
    assert_eq!(amounts, ["", "4.08", "-5.00", "0.92"], "{statement}");
    assert!(statement.trim_end().ends_with(",0.00"), "all square: {statement}");
    assert!(run(&db, &["check"]).contains("no problems"));
}

/// A credit note from the command line: chosen line, reason, its own series, goods back.
#[test]
fn a_credit_note_credits_part_of_an_invoice_and_takes_the_goods_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop.db");
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, "number,customer,status,sku,quantity\nSO-000001,C000003,confirmed,BOLT-8,10\n").unwrap();
    run(&db, &["import", "orders", file.to_str().unwrap()]);
    run(&db, &["order", "ship", "SH-000001"]);
    run(&db, &["invoice", "draft", "SO-000001"]);
    run(&db, &["invoice", "issue", "1"]);
    let year = chrono::Local::now().format("%Y").to_string();
    let invoice = format!("INV-{year}-000001");
    assert!(fails(&db, &["invoice", "credit", &invoice, "--reason", "x", "--line", "1:11"]).contains("only 10"));
    assert!(fails(&db, &["invoice", "credit", &invoice, "--reason", "x", "--line", "one"]).contains("2:1.5"));
    let drafted = run(&db, &["invoice", "credit", &invoice, "--reason", "two bolts rusty", "--line", "1:2"]);
    assert!(drafted.contains("Draft credit note 2"), "{drafted}");
    let issued = run(&db, &["invoice", "issue", "2", "--return-to", "MAIN"]);
    assert!(issued.contains(&format!("Issued CN-{year}-000001")), "{issued}");
    let shown = run(&db, &["invoice", "show", &format!("CN-{year}-000001")]);
    assert!(shown.contains(&format!("CREDIT NOTE CN-{year}-000001 for invoice {invoice}: two bolts rusty")), "{shown}");
    let levels = run(&db, &["report", "stock-levels", "--format", "csv"]);
    assert!(levels.contains("BOLT-8,Bolt M8,MAIN,92.000"), "100 - 10 shipped + 2 back: {levels}");
    assert!(run(&db, &["check"]).contains("no problems"));
}

/// A clerk's file that confirms an order over the approval limit says the order waits for
/// a manager, in the dry run and the import, rather than only "created".
#[test]
fn a_clerks_import_says_which_orders_wait_for_approval() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop.db");
    run(&db, &["settings", "approval_limit", "10"]);
    let file = dir.path().join("orders.csv");
    std::fs::write(
        &file,
        "number,customer,status,sku,quantity\nK-1,C000001,confirmed,BOLT-8,500\nK-2,C000001,confirmed,BOLT-8,1\n",
    )
    .unwrap();
    let as_clerk = |args: &[&str]| {
        let out = Command::cargo_bin("shopdesk")
            .unwrap()
            .args(["--db", db.to_str().unwrap(), "--user", "carl", "--lang", "en"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let tried = as_clerk(&["import", "orders", "--dry-run", file.to_str().unwrap()]);
    assert!(
        tried.contains("would create 2") && tried.contains("1 order would wait for a manager's approval"),
        "{tried}"
    );
    let done = as_clerk(&["import", "orders", file.to_str().unwrap()]);
    assert!(done.contains("1 order waits for a manager's approval"), "{done}");
    assert!(run(&db, &["export", "orders"]).contains("K-1,C000001,awaiting_approval,"));
}

/// Goods on their way between warehouses are in no table of a shop copy: export-all says
/// so, naming the transfers, rather than letting them vanish from the copy unsaid.
#[test]
fn export_all_names_the_transfers_still_on_their_way() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop.db");
    let warehouses = dir.path().join("warehouses.csv");
    std::fs::write(&warehouses, "code,name\nSHOP,Shop\n").unwrap();
    run(&db, &["import", "warehouses", warehouses.to_str().unwrap()]);
    run(&db, &["stock", "transfer", "--from", "MAIN", "--to", "SHOP", "BOLT-8=10"]);
    let out = shopdesk(&db).args(["export-all"]).arg(dir.path().join("copy")).output().unwrap();
    assert!(out.status.success());
    let warned = String::from_utf8_lossy(&out.stderr);
    assert!(
        warned.contains("Not in the copy: 1 transfer is on the way") && warned.contains("MAIN -> SHOP"),
        "{warned}"
    );
}

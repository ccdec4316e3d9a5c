//! The real binary in a pseudo-terminal, typed at as a clerk would: no sleeps, the test
//! waits until the expected text is on the (emulated) screen.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Terminal {
    parser: vt100::Parser,
    output: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Terminal {
    fn start(db: &Path, cols: u16, rows: u16) -> Terminal {
        let pty = native_pty_system().openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_shopdesk"));
        cmd.args(["--db", db.to_str().unwrap(), "--user", "clerk", "--lang", "en"]);
        cmd.env("TERM", "xterm-256color");
        // Files it saves and the import screen's folder: beside the database.
        if let Some(folder) = db.parent() {
            cmd.cwd(folder);
        }
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let (tx, output) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        // Keep the master alive as long as the child runs.
        std::mem::forget(pty.master);
        Terminal {
            parser: vt100::Parser::new(rows.try_into().unwrap(), cols.try_into().unwrap(), 0),
            output,
            writer,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits until `text` is on screen; fails with the screen after 20 s.
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.screen().contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out waiting for {text:?}; screen:\n{}", self.screen());
            if let Ok(bytes) = self.output.recv_timeout(left.min(Duration::from_millis(200))) {
                self.parser.process(&bytes);
            }
        }
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            assert!(Instant::now() < deadline, "shopdesk did not exit; screen:\n{}", self.screen());
            if let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(100)) {
                self.parser.process(&bytes);
            }
        }
    }
}

fn export(db: &Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shopdesk"))
        .args(["--db", db.to_str().unwrap(), "--user", "clerk", "export", "customers"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

const CTRL_S: &str = "\x13";
const TAB: &str = "\t";
const ENTER: &str = "\r";

#[test]
fn a_clerk_creates_a_customer_with_the_keyboard_and_finds_it_in_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let mut term = Terminal::start(&db, 80, 24);
    term.wait_for("No customers yet");
    term.send("n");
    term.wait_for("New customer");
    term.send("Mei Ling 美玲");
    term.send(TAB);
    term.send("Jasmine Tea House");
    term.send(&format!("{ENTER}{ENTER}{ENTER}"));
    term.send("+86 21 5555 0000");
    term.send(ENTER);
    term.send("meiling@example.cn");
    term.send(CTRL_S);
    term.wait_for("Saved C000001");
    term.wait_for("Jasmine Tea House");
    term.send("\x1b");
    term.wait_for("Customers · 1");
    term.send("q");
    assert_eq!(term.wait_exit(), 0);

    let csv = export(&db);
    let line = csv.lines().nth(1).unwrap();
    assert!(
        line.starts_with("C000001,Mei Ling 美玲,Jasmine Tea House,,,'+86 21 5555 0000,meiling@example.cn"),
        "{csv}"
    );
}

/// Everything typed in one burst, as a scanner or a fast typist on a slow link delivers it,
/// far ahead of the screen: the result is exactly what was typed. (The burst starts once
/// the first frame is up: before that the terminal is still in cooked mode, where the
/// line discipline itself would swallow Ctrl-S as XOFF.)
#[test]
fn a_burst_of_type_ahead_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let mut term = Terminal::start(&db, 80, 24);
    term.wait_for("No customers yet");
    let mut burst = String::new();
    for i in 1..=30 {
        burst.push('n');
        burst.push_str(&format!("Burst Customer {i}{TAB}Company {i}{CTRL_S}"));
        burst.push('\x1b'); // back to the list, straight into the next 'n'
    }
    burst.push('q');
    term.send(&burst);
    assert_eq!(term.wait_exit(), 0);
    let csv = export(&db);
    for i in 1..=30 {
        assert!(csv.contains(&format!("C{i:06},Burst Customer {i},Company {i},")), "{csv}");
    }
    assert_eq!(csv.lines().count(), 31, "{csv}");
}

/// The clerk opens a customer, logs a call with a follow-up for today, and finds it due in
/// the follow-ups view.
#[test]
fn a_logged_call_with_a_follow_up_shows_up_as_due() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "code,name,city\nC000001,Lena Kraus,Bremen\n").unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_shopdesk"))
        .args(["--db", db.to_str().unwrap(), "--user", "clerk", "import", "customers", csv.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let today = chrono::Local::now().date_naive().to_string();

    let mut term = Terminal::start(&db, 80, 24);
    term.wait_for("Lena Kraus");
    term.send(ENTER);
    term.wait_for("Recent contacts");
    term.send("l");
    term.wait_for("Log a contact with Lena Kraus");
    term.send("Wants a quote for 200 jars");
    term.send(TAB);
    term.send(&today);
    term.send(CTRL_S);
    term.wait_for("Logged K000001");
    term.wait_for("[today] Wants a quote");
    term.send("F");
    term.wait_for("Follow-ups · overdue 0 · today 1");
    term.wait_for("Wants a quote for 200");
    term.send("d");
    term.wait_for("Follow-up with Lena Kraus done");
    term.wait_for("No open follow-ups");
    term.send("q");
    assert_eq!(term.wait_exit(), 0);
}

fn cli(db: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shopdesk"))
        .args(["--db", db.to_str().unwrap(), "--user", "clerk", "--lang", "en"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A delivery arrives: the clerk opens the Stock tab and receives it with the scanner, all
/// of it typed in one burst far ahead of the screen (30 scans of one barcode, a typed
/// quantity for another product, a lot-tracked product with its lot and expiry), books
/// it, and quits. The stock is exactly what was scanned.
#[test]
fn a_clerk_receives_a_delivery_by_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let products = dir.path().join("products.csv");
    std::fs::write(
        &products,
        "sku,name,tracks_lots,barcodes\nBOLT-8,Bolt M8,no,4006381333931\nNUT-8,Nut M8,no,\nMILK-1,Milk 1 l,yes,\n",
    )
    .unwrap();
    cli(&db, &["import", "products", products.to_str().unwrap()]);

    let mut term = Terminal::start(&db, 80, 24);
    term.wait_for("No customers yet");
    term.send("3");
    term.wait_for("Products · 3");
    let mut burst = String::from("r");
    for _ in 0..30 {
        burst.push_str(&format!("4006381333931{ENTER}"));
    }
    burst.push_str(&format!("{TAB}24{ENTER}NUT-8{ENTER}"));
    burst.push_str(&format!("MILK-1{ENTER}L-0107{ENTER}2027-01-07{ENTER}"));
    burst.push_str(&format!("nut-8{ENTER}{CTRL_S}"));
    term.send(&burst);
    term.wait_for("Booked 3 lines (56 units) into MAIN");
    term.send("q");
    assert_eq!(term.wait_exit(), 0);

    let stock = cli(&db, &["export", "stock"]);
    assert!(stock.contains("MAIN,BOLT-8,,,30.000,"), "{stock}");
    assert!(stock.contains("MAIN,NUT-8,,,25.000,"), "{stock}");
    assert!(stock.contains("MAIN,MILK-1,L-0107,2027-01-07,1.000,"), "{stock}");
    assert!(cli(&db, &["check"]).contains("no problems"));
}

/// A clerk takes a whole order by scanner, typed far ahead of the screen: a new order
/// from anywhere, the customer by code, 30 scans of one barcode, five of another product
/// by `5*SKU`, confirm. The order has exactly those lines, with the stock reserved.
#[test]
fn a_clerk_takes_an_order_by_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let customers = write("customers.csv", "code,name\nC000001,Anna García\n");
    let products =
        write("products.csv", "sku,name,sale_price,barcodes\nBOLT-8,Bolt M8,0.35,4006381333931\nNUT-8,Nut M8,0.10,\n");
    let stock = write("stock.csv", "warehouse,sku,quantity\nMAIN,BOLT-8,100\nMAIN,NUT-8,3\n");
    cli(&db, &["import", "customers", customers.to_str().unwrap()]);
    cli(&db, &["import", "products", products.to_str().unwrap()]);
    cli(&db, &["import", "stock", stock.to_str().unwrap()]);

    let mut term = Terminal::start(&db, 80, 24);
    term.wait_for("Anna García");
    let mut burst = format!("\x0eC000001{ENTER}");
    for _ in 0..30 {
        burst.push_str(&format!("4006381333931{ENTER}"));
    }
    burst.push_str(&format!("5*NUT-8{ENTER}\x0f"));
    term.send(&burst);
    term.wait_for("NUT-8 x 2 wait for stock");
    term.send("q");
    assert_eq!(term.wait_exit(), 0);

    let shown = cli(&db, &["order", "show", "SO-000001", "--format", "json"]);
    let order: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(order["status"], "confirmed");
    let lines: Vec<(String, String)> = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["sku"].as_str().unwrap().to_string(), l["quantity"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(lines, vec![("BOLT-8".into(), "30.000".into()), ("NUT-8".into(), "5.000".into())]);
    assert_eq!(order["lines"][1]["to_pick"], "3.000");
    let levels = cli(&db, &["report", "stock-levels", "--format", "csv"]);
    assert!(levels.contains("BOLT-8,Bolt M8,MAIN,100.000,30.000,70.000"), "{levels}");
    assert!(cli(&db, &["check"]).contains("no problems"));
}

#[test]
fn a_manager_imports_sales_history_on_the_import_screen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let history = "Order ID,Order Date,Ship Date,Customer ID,Customer Name,Segment,Region,Product ID,Product Name,Category,Sales,Quantity,Discount\n\
                   A-1,11/8/2025,11/11/2025,CG-1,Claire Gute,Consumer,South,FUR-1,Bookcase,Furniture,261.96,2,0\n\
                   A-1,11/8/2025,11/11/2025,CG-1,Claire Gute,Consumer,South,FUR-2,Chairs,Furniture,731.94,3,0\n\
                   A-2,6/12/2025,6/16/2025,DV-1,Darrin Van Huff,Corporate,West,OFF-1,Labels,Office,14.62,2,0\n";
    std::fs::write(dir.path().join("past-sales.csv"), history).unwrap();
    let mut t = Terminal::start(&db, 80, 24);
    t.wait_for("Customers");
    t.send("\x0f"); // Ctrl-O
    t.wait_for("past-sales.csv");
    t.send("\r");
    t.wait_for("into sales-history");
    t.send("d");
    t.wait_for("Dry run: the file would import. Nothing was changed.");
    t.wait_for("3 lines in 2 orders of history");
    assert_eq!(t.screen().to_lowercase().matches("nothing was changed").count(), 1, "said once");
    t.send("i");
    t.wait_for("Import past-sales.csv into sales-history?");
    t.send("y");
    t.wait_for("Imported.");
    t.wait_for("New tiers from the file's segments: CONSUMER, CORPORATE.");
    t.send("\r");
    t.send("2");
    t.wait_for("A-1");
    t.send("q");
    assert_eq!(t.wait_exit(), 0);
    let exported = cli(&db, &["export", "sales-history"]);
    assert!(exported.contains("A-1,2025-11-08,2025-11-11,CG-1,Claire Gute,CONSUMER,South"), "{exported}");
    assert!(cli(&db, &["check"]).contains("no problems found"));
}

/// A Shopify export: its order number column is found by typing on the field list, its
/// refunded and pending orders are left out, and buyers are told apart by email.
#[test]
fn a_manager_maps_a_shopify_export_by_typing_and_refunds_stay_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let shopify = "Name,Email,Financial Status,Created at,Billing Name,Lineitem name,Lineitem quantity,Lineitem price\n\
                   #1001,li@example.com,paid,2026-03-01 10:00:00 +0100,Li Wei,Tea,1,4.00\n\
                   #1001,li@example.com,,2026-03-01 10:00:00 +0100,,Mug,2,6.00\n\
                   #1002,zoe@example.com,refunded,2026-03-02 11:00:00 +0100,Zoë Neu,Tea,1,4.00\n\
                   #1003,ann@example.com,pending,2026-03-03 09:00:00 +0100,Ann Lee,Tea,3,4.00\n\
                   #1004,li.wei@example.org,paid,2026-03-04 12:00:00 +0100,Li Wei,Mug,1,6.00\n";
    std::fs::write(dir.path().join("orders_export.csv"), shopify).unwrap();
    let mut t = Terminal::start(&db, 80, 24);
    t.wait_for("Customers");
    t.send("\x0f"); // Ctrl-O
    t.wait_for("orders_export.csv");
    t.send("\r");
    t.wait_for("into sales-history");
    t.send("\r"); // the field list for the first column, Name
    t.wait_for("Read column 'Name' as:");
    t.send("order_n");
    t.wait_for("order_number");
    t.send("\r");
    t.wait_for("Name                     order_number");
    t.send("d");
    t.wait_for("Dry run: the file would import. Nothing was changed.");
    t.wait_for("3 lines in 2 orders of history");
    t.wait_for("1 line of a cancelled or refunded order was left out");
    t.send("i");
    t.wait_for("Import orders_export.csv into sales-history?");
    t.send("y");
    t.wait_for("Imported.");
    t.send("\r");
    t.send("q");
    assert_eq!(t.wait_exit(), 0);
    let exported = cli(&db, &["export", "sales-history"]);
    assert!(!exported.contains("#1002") && !exported.contains("#1003"), "{exported}");
    let customers = cli(&db, &["export", "customers"]);
    assert_eq!(customers.matches("Li Wei").count(), 2, "two buyers of one name: {customers}");
    assert!(cli(&db, &["check"]).contains("no problems found"));
}

/// Two sessions on one shop: while another holds the write lock, the clerk saves a
/// customer and types on. The screen says it is waiting; the keys typed at the frozen
/// screen are not applied to the customer's page that follows the save (there `x` would
/// archive the customer), and the clerk is told.
#[test]
fn keys_typed_while_another_session_saves_do_not_act_on_the_next_screen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let file = dir.path().join("customers.csv");
    std::fs::write(&file, "code,name\nC1,Ana Lima\n").unwrap();
    cli(&db, &["import", "customers", file.to_str().unwrap()]);
    let mut term = Terminal::start(&db, 80, 24);
    term.wait_for("Ana Lima");
    term.send(ENTER);
    term.wait_for("C1 · Ana Lima");
    term.send("e");
    term.wait_for("Edit customer C1");

    let (locked, ready) = channel();
    let (release, released) = channel::<()>();
    let holder_db = db.clone();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&holder_db).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked.send(()).unwrap();
        released.recv().unwrap();
        conn.execute_batch("COMMIT").unwrap();
    });
    ready.recv().unwrap();
    term.send(CTRL_S);
    term.wait_for("Waiting for another session's save");
    term.send("x");
    release.send(()).unwrap();
    holder.join().unwrap();
    term.wait_for("typed while another session was saving was ignored");
    term.wait_for("C1 · Ana Lima");
    assert!(!term.screen().contains("Archived"), "{}", term.screen());
    term.send("\x1b");
    term.wait_for("Customers · 1");
    term.send("q");
    assert_eq!(term.wait_exit(), 0);
    let csv = export(&db);
    assert!(csv.lines().nth(1).unwrap().ends_with(','), "not archived: {csv}");
}

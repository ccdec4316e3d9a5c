//! The import screen by keys (Ctrl-O): choosing a file, the preview, mapping a column of
//! sales history, a dry run with its errors, the import on its own thread; and E saving a
//! list's filtered records.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use shopdesk::db::paging::Anchor;
use shopdesk::db::products::{ProductQuery, ProductSort};
use shopdesk::tui::app::App;

/// Sales history as a shop platform might export it, with a customer column the import
/// does not know by name ("Kunde").
const HISTORY: &str = "\
Order ID,Order Date,Kunde,Product,Qty,Amount
H-1,2026-03-02,Ana Lima,Tea,2,7.98
H-1,2026-03-02,Ana Lima,Rice,1,2.49
H-2,2026-04-10,Bo Chen,Tea,1,3.99
";

fn import_screen(file: &str, text: &str) -> (tempfile::TempDir, App) {
    let (dir, mut app) = on_file(&app(80, 24), 80, 24);
    std::fs::write(dir.path().join(file), text).unwrap();
    app.export_folder = dir.path().to_path_buf();
    app.handle_event(&ctrl('o'));
    (dir, app)
}

/// `i`, then `y` to the question, and the import run to its end.
fn import_and_confirm(app: &mut App) {
    app.handle_event(&key(KeyCode::Char('i')));
    app.handle_event(&key(KeyCode::Char('y')));
    settle(app);
}

fn orders(app: &App) -> i64 {
    app.session.db.conn().query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap()
}

/// Enter on a column lists the fields; typing part of a name (or a header it goes by)
/// finds them, and a field another column has moves to this one.
#[test]
fn a_column_s_field_is_found_by_typing_its_name() {
    let (_dir, mut app) = import_screen("past.csv", HISTORY);
    app.handle_event(&key(KeyCode::Enter));
    press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    let screen = render(&app);
    assert!(screen.contains("Read column 'Kunde' as:") && screen.contains("(not used)"), "{screen}");
    type_text(&mut app, "客户");
    let screen = render(&app);
    assert!(screen.contains("customer_name") && !screen.contains("quantity"), "{screen}");
    insta::assert_snapshot!("import_field_search_80x24", screen);
    type_text(&mut app, "名");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("Kunde                    customer_name"), "{}", render(&app));

    // Order ID reads as order_number; chosen for Kunde it leaves Order ID, which says so.
    app.handle_event(&key(KeyCode::Enter));
    type_text(&mut app, "order id");
    let screen = render(&app);
    assert!(screen.contains("order_number") && screen.contains("(now column 'Order ID')"), "{screen}");
    // Esc leaves the column as it was.
    app.handle_event(&key(KeyCode::Esc));
    assert!(render(&app).contains("Kunde                    customer_name"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Enter));
    type_text(&mut app, "zzz");
    assert!(render(&app).contains("No field has this name"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("Read column 'Kunde' as:"), "Enter on nothing found stays");
    press(&mut app, &[KeyCode::Backspace, KeyCode::Backspace, KeyCode::Backspace]);
    type_text(&mut app, "order_n");
    app.handle_event(&key(KeyCode::Enter));
    let screen = render(&app);
    assert!(screen.contains("Kunde                    order_number"), "{screen}");
    assert!(screen.contains("Order ID                 (not used)"), "{screen}");

    // "(not used)" is found by its words; back to the file and in again keeps the choices.
    press(&mut app, &[KeyCode::Enter]);
    type_text(&mut app, "not");
    assert!(render(&app).contains("  (not used)"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Esc));
    app.handle_event(&key(KeyCode::Esc));
    assert!(render(&app).contains("File: past.csv"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("Kunde                    order_number"), "{}", render(&app));
    // Another file opened in between, and the list follows a typed name.
    std::fs::write(app.export_folder.join("other.csv"), "code,name\nC1,Ann\n").unwrap();
    app.handle_event(&key(KeyCode::Esc));
    press(&mut app, &[KeyCode::Backspace]);
    type_text(&mut app, "other.csv");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("File: other.csv"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Esc));
    press(&mut app, &[KeyCode::Backspace]);
    type_text(&mut app, "past.csv");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("Kunde                    order_number"), "{}", render(&app));
    // The start of a name, in any case, opens the file the list shows for it.
    app.handle_event(&key(KeyCode::Esc));
    press(&mut app, &[KeyCode::Backspace]);
    type_text(&mut app, "PA");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("File: past.csv"), "{}", render(&app));
    // End and Home go to the last and first column.
    app.handle_event(&key(KeyCode::End));
    assert!(render(&app).contains("Columns of the file") && app.import.as_ref().unwrap().column == 5);
    app.handle_event(&key(KeyCode::Home));
    assert_eq!(app.import.as_ref().unwrap().column, 0);
}

#[test]
fn a_history_file_is_previewed_mapped_tried_and_imported() {
    let (_dir, mut app) = import_screen("past.csv", HISTORY);
    let screen = render(&app);
    assert!(screen.contains("past.csv"), "{screen}");
    app.handle_event(&key(KeyCode::Enter));
    let screen = render(&app);
    assert!(screen.contains("into sales-history"), "{screen}");
    assert!(screen.contains("Order ID") && screen.contains("H-1") && screen.contains("order_number"), "{screen}");
    insta::assert_snapshot!("import_preview_80x24", screen);

    // Without a customer column the dry run refuses, naming what is missing.
    app.handle_event(&key(KeyCode::Char('d')));
    settle(&mut app);
    let screen = render(&app);
    assert!(
        screen.contains("refused") && screen.contains("customer_code / customer_email / customer_name"),
        "{screen}"
    );

    // Kunde is the third column; → steps through the fields no other column has (ship
    // date, customer code) to the customer's name.
    app.handle_event(&key(KeyCode::Esc));
    press(&mut app, &[KeyCode::Down, KeyCode::Down]);
    for _ in 0..3 {
        app.handle_event(&key(KeyCode::Right));
    }
    assert!(render(&app).contains("Kunde                    customer_name"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('d')));
    settle(&mut app);
    let screen = render(&app);
    assert!(screen.contains("Dry run: the file would import. Nothing was changed."), "{screen}");
    assert!(screen.contains("3 lines in 2 orders of history"), "{screen}");
    assert_eq!(screen.matches("othing was changed").count(), 1, "said once: {screen}");
    assert_eq!(orders(&app), 0, "a dry run changes nothing");

    app.handle_event(&key(KeyCode::Char('i')));
    assert!(render(&app).contains("Import past.csv into sales-history?"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('y')));
    settle(&mut app);
    let screen = render(&app);
    assert!(screen.contains("Imported.") && screen.contains("3 lines in 2 orders"), "{screen}");
    insta::assert_snapshot!("import_done_80x24", screen);
    assert_eq!(orders(&app), 2);
    app.handle_event(&key(KeyCode::Enter));
    assert!(app.import.is_none());
}

#[test]
fn a_refused_file_lists_every_problem_with_line_and_column() {
    let bad =
        "Order ID,Order Date,Customer,Product,Qty,Amount\nB-1,2026-02-30,Ana,Tea,1,1\nB-2,2026-03-01,Ana,Tea,x,1\n";
    let (_dir, mut app) = import_screen("bad.csv", bad);
    app.handle_event(&key(KeyCode::Enter));
    app.handle_event(&key(KeyCode::Char('i')));
    app.handle_event(&key(KeyCode::Char('y')));
    settle(&mut app);
    let screen = render(&app);
    assert!(screen.contains("2 problems"), "{screen}");
    assert!(screen.contains("line 2, column Order Date: '2026-02-30' is not a date"), "{screen}");
    assert!(screen.contains("line 3, column Qty: 'x' is not a quantity"), "{screen}");
    assert_eq!(orders(&app), 0);
}

/// The list of problems scrolls no further than its last one, and a file refused as it is
/// opened shows its problem from the top whatever list was scrolled before.
#[test]
fn the_problem_list_keeps_a_problem_in_sight() {
    let many: String = (0..40).map(|i| format!("C{i},Ana {i},not-an-email\n")).collect();
    let (dir, mut app) = import_screen("a-many.csv", &format!("code,name,email\n{many}"));
    std::fs::write(dir.path().join("b-cut.csv"), "code,name\nC1,\"Ana\n").unwrap();
    app.handle_event(&key(KeyCode::Enter));
    app.handle_event(&key(KeyCode::Char('d')));
    settle(&mut app);
    for _ in 0..60 {
        app.handle_event(&key(KeyCode::Down));
    }
    assert!(render(&app).contains("line 41, column email"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Home));
    assert!(render(&app).contains("line 2, column email"), "{}", render(&app));
    app.handle_event(&key(KeyCode::End));
    app.handle_event(&key(KeyCode::Esc));
    app.handle_event(&key(KeyCode::Esc));
    type_text(&mut app, "b-cut.csv");
    app.handle_event(&key(KeyCode::Enter));
    let screen = render(&app);
    assert!(screen.contains("line 2: a quote opens here and is never closed"), "{screen}");
}

#[test]
fn a_customers_file_goes_into_customers_and_a_missing_file_is_said() {
    let (_dir, mut app) = import_screen("more.csv", "code,name,city\nC777,Zoë Müller,Berlin\n");
    // The first file is suggested; a name typed replaces it rather than adding to it, and
    // one that is not there is refused on the file step.
    assert!(render(&app).contains("more.csv"), "{}", render(&app));
    type_text(&mut app, "nope.csv");
    app.handle_event(&key(KeyCode::Enter));
    let flash = match &app.flash {
        Some(shopdesk::tui::app::Flash::Error(text)) => text.clone(),
        other => panic!("{other:?}"),
    };
    assert!(flash.contains("nope.csv") && !flash.contains("more.csvnope"), "{flash}");
    // ↓ picks from the list again; ← keeps the suggestion to edit it.
    app.handle_event(&key(KeyCode::Down));
    app.handle_event(&key(KeyCode::Left));
    type_text(&mut app, "x");
    assert!(render(&app).contains("more.csxv"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Down));
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("into customers"), "{}", render(&app));
    import_and_confirm(&mut app);
    assert!(render(&app).contains("1 created, 0 updated"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Enter));
    // The list underneath shows the new customer.
    assert!(render(&app).contains("Zoë Müller"), "{}", render(&app));
}

/// A column the chosen table does not have is marked on the preview, before the dry run
/// refuses it.
#[test]
fn a_column_the_table_does_not_have_is_marked_on_the_preview() {
    let (_dir, mut app) = import_screen("people.csv", "code,name,Stadt\nC778,Ana,Porto\n");
    app.handle_event(&key(KeyCode::Enter));
    let screen = render(&app);
    assert!(screen.contains("Stadt") && screen.contains("not a column of customers"), "{screen}");
    assert_eq!(screen.matches("not a column of").count(), 1, "{screen}");
}

/// A platform's export with no column of the tab's table opens as sales history, the table
/// that maps another system's columns, rather than as customers with every column refused.
#[test]
fn a_file_with_no_column_of_the_tabs_table_opens_as_sales_history() {
    let shopify = "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem price\n\
                   #1001,a@example.com,paid,2026-03-01 10:00:00 +0100,1,Tea,4.00\n";
    let (_dir, mut app) = import_screen("orders_export.csv", shopify);
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("into sales-history"), "{}", render(&app));
}

/// A file wider than the screen: ↓ through its columns brings each into the first rows.
#[test]
fn every_column_of_a_wide_file_can_be_seen() {
    let header: Vec<String> = (1..=25).map(|i| format!("col{i}")).collect();
    let row: Vec<String> = (1..=25).map(|i| format!("v{i}")).collect();
    let text = format!("{}\n{}\n", header.join(","), row.join(","));
    let (_dir, mut app) = import_screen("wide.csv", &text);
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("columns 1-5 of 25"), "{}", render(&app));
    for _ in 0..24 {
        app.handle_event(&key(KeyCode::Down));
    }
    let screen = render(&app);
    assert!(screen.contains("columns 21-25 of 25") && screen.contains("v25"), "{screen}");
    assert!(screen.contains("Columns of the file (25 of 25"), "{screen}");
}

/// A file whose columns only another table has goes into that table: an opportunities
/// file opened from the Customers tab is proposed as opportunities, and imported there.
#[test]
fn a_file_is_proposed_for_the_table_whose_columns_it_has() {
    let (_dir, mut app) =
        import_screen("deals.csv", "code,customer,title,stage,value\n,C000001,茶叶 tasting,lead,12\n");
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("into opportunities"), "{}", render(&app));
    import_and_confirm(&mut app);
    assert!(render(&app).contains("1 created, 0 updated"), "{}", render(&app));
    let titles: i64 = app
        .session
        .db
        .conn()
        .query_row("SELECT count(*) FROM opportunities WHERE title = '茶叶 tasting'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(titles, 1);
}

#[test]
fn e_saves_the_filtered_list_in_the_tables_format() {
    let (dir, mut app) = on_file(&app(80, 24), 80, 24);
    app.export_folder = dir.path().to_path_buf();
    app.handle_event(&key(KeyCode::Char('/')));
    type_text(&mut app, "张");
    settle(&mut app);
    app.handle_event(&key(KeyCode::Enter));
    app.handle_event(&key(KeyCode::Char('E')));
    settle(&mut app);
    assert!(render(&app).contains("customers-2026-11-27.csv"), "{}", render(&app));
    let saved = std::fs::read_to_string(dir.path().join("customers-2026-11-27.csv")).unwrap();
    let lines: Vec<&str> = saved.lines().collect();
    assert!(lines[0].starts_with("code,name,"), "{saved}");
    assert!(lines.len() > 1 && lines[1..].iter().all(|l| l.contains('张')), "{saved}");
}

/// The file lists the rows as the list sorts them (by name here), not in code order.
#[test]
fn e_saves_the_list_in_the_order_on_screen() {
    let (dir, mut app) = on_file(&app(80, 24), 80, 24);
    app.export_folder = dir.path().to_path_buf();
    let screen = render(&app);
    let shown: Vec<String> = screen
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(|w| w.trim_start_matches(['"', '│']).to_string())
        .filter(|w| w.starts_with("C0000"))
        .collect();
    assert!(shown.len() >= 3 && shown.windows(2).any(|w| w[0] > w[1]), "not in code order: {shown:?}\n{screen}");
    app.handle_event(&key(KeyCode::Char('E')));
    settle(&mut app);
    let saved = std::fs::read_to_string(dir.path().join("customers-2026-11-27.csv")).unwrap();
    let codes: Vec<String> = saved.lines().skip(1).map(|l| l.split(',').next().unwrap_or("").to_string()).collect();
    assert_eq!(codes, shown, "{saved}");
}

/// History orders have the sales-history format: E on an orders list that shows them
/// saves them there too, and says so, rather than leaving them out without a word.
#[test]
fn e_on_orders_saves_the_history_orders_as_sales_history() {
    let (dir, mut app) = on_file(&app(80, 24), 80, 24);
    app.export_folder = dir.path().to_path_buf();
    let input = shopdesk::ops::sales_history::Input::Bytes(std::sync::Arc::new(
        HISTORY.replace("Kunde", "Customer").into_bytes(),
    ));
    let options = shopdesk::ops::sales_history::Options::default();
    shopdesk::ops::sales_history::import(&mut app.session, &input, &options, &mut |_, _| true).unwrap();
    app.handle_event(&key(KeyCode::Char('2')));
    app.handle_event(&key(KeyCode::Char('E')));
    settle(&mut app);
    let screen = render(&app);
    assert!(screen.contains("sales-history-2026-11-27.csv"), "{screen}");
    let history = std::fs::read_to_string(dir.path().join("sales-history-2026-11-27.csv")).unwrap();
    let numbers: Vec<&str> = history.lines().skip(1).map(|l| l.split(',').next().unwrap_or("")).collect();
    // Newest first, as the list shows them, each order's lines together in their order.
    assert_eq!(numbers, ["H-2", "H-1", "H-1"], "{history}");
    assert!(history.find("Tea").unwrap() < history.rfind("Rice").unwrap(), "{history}");
    let orders = std::fs::read_to_string(dir.path().join("orders-2026-11-27.csv")).unwrap_or_default();
    assert!(!orders.contains("H-1"), "{orders}");
}

/// Products come out as the list sorts them (by name, or by category), not by SKU.
#[test]
fn e_on_products_saves_them_in_the_lists_order() {
    let db = shopdesk::db::Db::open_in_memory().unwrap();
    let clock = shopdesk::ops::Clock::Fixed("2026-11-27T10:00:00Z".into());
    let mut demo = shopdesk::ops::Session::start(db, "tester", clock).unwrap();
    shopdesk::ops::demo::ensure_demo_data(&mut demo).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for sort in [ProductSort::Name, ProductSort::Category] {
        let query = ProductQuery { sort, ..ProductQuery::default() };
        let rows = shopdesk::ops::stock::product_window(&demo, &query, &Anchor::Start, 10_000).unwrap();
        let shown: Vec<String> = rows.iter().map(|r| r.sku.clone()).collect();
        let mut by_sku = shown.clone();
        by_sku.sort();
        assert_ne!(shown, by_sku, "{sort:?} should differ from SKU order");
        let (path, count) = shopdesk::ops::list_export::products(&demo, &query, dir.path()).unwrap();
        let saved = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let skus: Vec<String> = saved.lines().skip(1).map(|l| l.split(',').next().unwrap_or("").to_string()).collect();
        assert_eq!((skus, count), (shown.clone(), shown.len()), "{sort:?}: {saved}");
    }
}

#[test]
fn e_on_the_tiers_list_saves_the_tiers_table() {
    let (dir, mut app) = on_file(&app(80, 24), 80, 24);
    app.export_folder = dir.path().to_path_buf();
    app.handle_event(&key(KeyCode::Char('T')));
    assert!(render(&app).contains("VIP"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('E')));
    settle(&mut app);
    let saved = std::fs::read_to_string(dir.path().join("tiers-2026-11-27.csv")).unwrap();
    assert!(saved.starts_with("code,name,rank,discount,credit_limit,payment_days\r\nVIP,"), "{saved}");
}

/// E on the CRM views and the stock alert lists: all their records, not the rows on screen.
#[test]
fn e_on_the_crm_views_and_stock_alerts_saves_what_they_list() {
    let db = shopdesk::db::Db::open_in_memory().unwrap();
    let clock = shopdesk::ops::Clock::Fixed("2026-11-27T10:00:00Z".into());
    let mut demo = shopdesk::ops::Session::start(db, "tester", clock).unwrap();
    shopdesk::ops::demo::ensure_demo_data(&mut demo).unwrap();
    let (dir, mut app) = on_file(&app_on(demo, 80, 24), 80, 24);
    app.export_folder = dir.path().to_path_buf();
    let saved = |name: &str| std::fs::read_to_string(dir.path().join(format!("{name}-2026-11-27.csv"))).unwrap();
    let open = |app: &mut App, keys: &[KeyCode], name: &str| {
        press(app, keys);
        app.handle_event(&key(KeyCode::Char('E')));
        settle(app);
        assert!(render(app).contains(&format!("{name}-2026-11-27.csv")), "{name}: {}", render(app));
    };
    open(&mut app, &[KeyCode::Char('F')], "follow-ups");
    let follow_ups = saved("follow-ups");
    assert!(follow_ups.starts_with("code,customer,"), "contacts' own format: {follow_ups}");
    let shown: i64 = app
        .session
        .db
        .conn()
        .query_row("SELECT count(*) FROM contacts WHERE follow_up IS NOT NULL AND done_at IS NULL", [], |r| r.get(0))
        .unwrap_or(-1);
    assert!(shown > 0, "the demo shop has follow-ups open");
    assert_eq!(follow_ups.lines().count() as i64 - 1, shown, "every open follow-up");
    press(&mut app, &[KeyCode::Esc]);
    open(&mut app, &[KeyCode::Char('C')], "feedback");
    assert!(saved("feedback").lines().skip(1).all(|l| !l.contains(",closed,")), "{}", saved("feedback"));
    press(&mut app, &[KeyCode::Esc]);
    open(&mut app, &[KeyCode::Char('P'), KeyCode::Char('L')], "opportunities");
    press(&mut app, &[KeyCode::Esc, KeyCode::Esc, KeyCode::Char('3')]);
    open(&mut app, &[KeyCode::Char('L')], "low-stock");
    assert!(saved("low-stock").starts_with("sku,name,warehouse,available,"), "{}", saved("low-stock"));
    press(&mut app, &[KeyCode::Esc]);
    open(&mut app, &[KeyCode::Char('X')], "expiring");
    press(&mut app, &[KeyCode::Esc]);
    open(&mut app, &[KeyCode::Char('M')], "slow-movers");
}

/// Another system's invoices on the import screen: told by their columns, tried, imported,
/// and then on the Invoices tab, in the history series.
#[test]
fn invoices_from_another_system_come_in_on_the_import_screen() {
    let file = "number,kind,issue_date,customer,credits,reason,name,quantity,unit_price,tax_rate\n\
                RE-1,invoice,2026-01-05,C000003,,,Consulting 咨询,2,50,19\n\
                GS-1,credit_note,2026-01-06,C000003,RE-1,goodwill 善意,Consulting 咨询,1,,\n";
    let (_dir, mut app) = import_screen("old-invoices.csv", file);
    app.handle_event(&key(KeyCode::Enter));
    assert!(render(&app).contains("into invoices"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('d')));
    settle(&mut app);
    assert!(render(&app).contains("2 created"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('i')));
    app.handle_event(&key(KeyCode::Char('y')));
    settle(&mut app);
    assert!(render(&app).contains("2 created, 0 updated"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Enter));
    app.handle_event(&key(KeyCode::Char('4')));
    let screen = render(&app);
    assert!(screen.contains("RE-1") && screen.contains("GS-1"), "{screen}");
    let series: String =
        app.session.db.conn().query_row("SELECT series FROM invoices WHERE number = 'RE-1'", [], |r| r.get(0)).unwrap();
    assert_eq!(series, "HIST");
    // 2 x 50.00 + 19 % = 119.00, less one credited: 59.50 owed.
    let owed: i64 = app.session.db.conn().query_row("SELECT owed FROM invoice_open", [], |r| r.get(0)).unwrap();
    assert_eq!(owed, 5950);
}

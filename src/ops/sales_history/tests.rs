use super::*;
use crate::error::LineError;
use crate::ops::sales::{self, Basis, By, Dim, Period, Query};
use crate::ops::testing::shop;

/// Shaped like the sample superstore export most tutorials use: US dates, a line amount
/// after a fractional discount, segments, and columns shopdesk has no use for.
const SUPERSTORE: &str = "\
Row ID,Order ID,Order Date,Ship Date,Ship Mode,Customer ID,Customer Name,Segment,Country,City,Region,Product ID,Category,Sub-Category,Product Name,Sales,Quantity,Discount,Profit
1,CA-2016-152156,11/8/2016,11/11/2016,Second Class,CG-12520,Claire Gute,Consumer,United States,Henderson,South,FUR-BO-10001798,Furniture,Bookcases,Bush Somerset Collection Bookcase,261.96,2,0,41.9136
2,CA-2016-152156,11/8/2016,11/11/2016,Second Class,CG-12520,Claire Gute,Consumer,United States,Henderson,South,FUR-CH-10000454,Furniture,Chairs,\"Hon Deluxe Fabric Upholstered Stacking Chairs, Rounded Back\",731.94,3,0,219.582
3,CA-2016-138688,6/12/2016,6/16/2016,Second Class,DV-13045,Darrin Van Huff,Corporate,United States,Los Angeles,West,OFF-LA-10000240,Office Supplies,Labels,Self-Adhesive Address Labels,14.62,2,0,6.8714
4,US-2015-108966,10/11/2015,10/18/2015,Standard Class,SO-20335,Sean O'Donnell,Consumer,United States,Fort Lauderdale,South,FUR-TA-10000577,Furniture,Tables,Bretford CR4500 Series Slim Rectangular Table,957.5775,5,0.45,-383.031
5,US-2015-108966,10/11/2015,10/18/2015,Standard Class,SO-20335,Sean O'Donnell,Consumer,United States,Fort Lauderdale,South,OFF-LA-10000240,Office Supplies,Labels,Self-Adhesive Address Labels,22.368,2,0.2,2.5164
";

fn manager_shop() -> Session {
    // alice is the shop's admin, which includes a manager's rights.
    shop().0
}

fn import_text(s: &mut Session, text: &str, options: &Options) -> Result<HistoryReport> {
    import(s, &Input::Bytes(Arc::new(text.as_bytes().to_vec())), options, &mut |_, _| true)
}

fn refused(result: Result<HistoryReport>) -> Vec<LineError> {
    match result {
        Err(Error::Import { errors, .. }) => errors,
        other => panic!("expected a refused import, got {other:?}"),
    }
}

fn count(s: &Session, sql: &str) -> i64 {
    s.db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn options() -> Options {
    Options { reference: "past-sales.csv".into(), ..Options::default() }
}

#[test]
fn a_superstore_export_becomes_history_the_reports_read() {
    let mut s = manager_shop();
    let report = import_text(&mut s, SUPERSTORE, &options()).unwrap();
    assert_eq!((report.lines, report.orders, report.customers, report.products), (5, 3, 3, 4));
    assert_eq!(report.tiers, vec!["CONSUMER".to_string(), "CORPORATE".to_string()]);
    assert_eq!(report.first_day, NaiveDate::from_ymd_opt(2015, 10, 18));
    assert_eq!(report.last_day, NaiveDate::from_ymd_opt(2016, 11, 11));
    // 261.96 + 731.94 + 14.62 + 957.58 + 22.37
    assert_eq!(report.net, Money::parse("1988.47").unwrap());
    let unused: Vec<&str> = report.columns.iter().filter(|c| c.1.is_none()).map(|c| c.0.as_str()).collect();
    assert_eq!(unused, vec!["Row ID", "Ship Mode", "Country"]);

    // Closed orders dated as in the file, counted as sold when shipped.
    let order = crate::db::orders::order_by_number(s.db.conn(), "CA-2016-152156").unwrap().unwrap();
    assert_eq!(order.status, crate::domain::order::OrderStatus::Closed);
    assert_eq!(order.order_date, "2016-11-08");
    assert_eq!(order.sold_on.as_deref(), Some("2016-11-11"));
    assert_eq!(order.region, "South");
    assert_eq!(order.net, Money::parse("993.90").unwrap());
    let table = crate::db::orders::lines(s.db.conn(), order.id).unwrap();
    assert_eq!(table[1].unit_price, Price::parse("243.98").unwrap());
    let discounted = crate::db::orders::order_by_number(s.db.conn(), "US-2015-108966").unwrap().unwrap();
    let lines = crate::db::orders::lines(s.db.conn(), discounted.id).unwrap();
    assert_eq!(lines[0].discount, Decimal::from(45));
    assert_eq!(lines[0].amount, Money::parse("957.58").unwrap());
    let claire = crate::db::customers::find_by_code(s.db.conn(), "CG-12520").unwrap().unwrap();
    assert_eq!(
        (claire.data.name.as_str(), claire.data.city.as_str(), claire.data.tier.as_str()),
        ("Claire Gute", "Henderson", "CONSUMER")
    );
    let chairs = crate::db::products::product_by_code(s.db.conn(), "FUR-CH-10000454").unwrap().unwrap();
    assert_eq!(chairs.data.category, "Furniture/Chairs");
    // The profit gives the cost: (731.94 - 219.582) / 3 a chair, so history has a margin.
    assert_eq!(chairs.data.cost_price, Price::parse("170.786").unwrap());

    // History touches no stock, no invoice numbers, no receivables.
    assert_eq!(count(&s, "SELECT count(*) FROM stock_moves"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM invoices"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM shipments"), 0);

    // The kept summaries agree with the lines, and every check holds.
    assert_eq!(sales::check(&s).unwrap(), Vec::<String>::new());
    assert_eq!(crate::ops::orders::check_all(&s).unwrap(), Vec::<String>::new());
    let from = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap();
    let by_tier = sales::report(&s, By::Dim(Dim::Tier), None, from, to).unwrap();
    let consumer = by_tier.rows.iter().find(|r| r.0 == "CONSUMER").unwrap();
    assert_eq!(consumer.2.net, Money::parse("1973.85").unwrap());
    // The documents path (a filtered report) reads history too, and agrees.
    let query = Query {
        by: By::Period(Period::Month),
        by2: None,
        from,
        to,
        basis: Basis::Invoiced,
        filters: sales::parse_filters("region=South").unwrap(),
    };
    let filtered = sales::run(&s, &query, &mut |_, _| true).unwrap().unwrap();
    let total: Money = filtered.rows.iter().fold(Money::ZERO, |sum, r| sum + r.2.net);
    assert_eq!(total, Money::parse("1973.85").unwrap());
    let by_month = sales::report(&s, By::Period(Period::Month), None, from, to).unwrap();
    let unfiltered = Query { filters: Vec::new(), ..query };
    let from_documents = sales::from_documents(&s, &unfiltered, &mut |_, _| true).unwrap().unwrap();
    assert_eq!(from_documents.rows, by_month.rows);
}

#[test]
fn a_second_import_of_the_same_file_changes_nothing() {
    let mut s = manager_shop();
    import_text(&mut s, SUPERSTORE, &options()).unwrap();
    let snapshot = |s: &Session| {
        (
            count(s, "SELECT count(*) FROM orders"),
            count(s, "SELECT count(*) FROM customers"),
            count(s, "SELECT count(*) FROM products"),
            count(s, "SELECT sum(net) FROM sales_daily"),
            count(s, "SELECT sum(invoices) FROM sales_monthly"),
        )
    };
    let before = snapshot(&s);
    let again = import_text(&mut s, SUPERSTORE, &options()).unwrap();
    assert_eq!((again.orders, again.unchanged, again.lines, again.customers), (0, 3, 0, 0));
    assert_eq!(snapshot(&s), before);
    assert_eq!(sales::check(&s).unwrap(), Vec::<String>::new());
    // A changed line in an order already imported is refused, naming it.
    let changed = SUPERSTORE.replace("14.62,2,0,6.8714", "15.62,2,0,6.8714");
    let errors = refused(import_text(&mut s, &changed, &options()));
    assert_eq!(
        (errors[0].line, errors[0].column.as_str(), errors[0].value.as_str()),
        (4, "Order ID", "CA-2016-138688")
    );
    assert!(errors[0].message.contains("was imported before with other lines"), "{errors:?}");
    // A customer renamed since is not found by the old name: the message names who the
    // order was for, rather than blaming lines or dates.
    let by_name = "Order ID,Order Date,Customer Name,Product Name,Quantity,Price\nM-1,2025-01-01,Anna,Tea,1,10\n";
    import_text(&mut s, by_name, &options()).unwrap();
    s.db.conn().execute("UPDATE customers SET name = 'Müller AG' WHERE name = 'Anna'", []).unwrap();
    let errors = refused(import_text(&mut s, by_name, &options()));
    assert!(errors.iter().any(|e| e.message.contains("for another customer, C000002 Müller AG")), "{errors:?}");
}

/// A product name past what a product's may be is stored shortened, and the next order
/// of it, or the same file again, finds that product instead of making another.
#[test]
fn a_product_name_too_long_is_shortened_and_found_again() {
    let mut s = manager_shop();
    let long = "Extra long product name ".repeat(8);
    let file = |order: &str| {
        format!("Order ID,Order Date,Customer,Product,Quantity,Price\n{order},2026-01-05,Ana,{long},2,1.50\n")
    };
    let first = import_text(&mut s, &file("L1"), &options()).unwrap();
    assert_eq!((first.products, first.shortened), (1, 1));
    let again = import_text(&mut s, &file("L1"), &options()).unwrap();
    assert_eq!((again.orders, again.unchanged), (0, 1));
    let other = import_text(&mut s, &file("L2"), &options()).unwrap();
    assert_eq!((other.orders, other.products), (1, 0));
    assert_eq!(count(&s, "SELECT count(*) FROM products"), 1);
    // Another long name that starts the same is another product.
    let other_name = format!("{long}in blue");
    let blue = format!("Order ID,Order Date,Customer,Product,Quantity,Price\nL3,2026-01-05,Ana,{other_name},1,1.50\n");
    assert_eq!(import_text(&mut s, &blue, &options()).unwrap().products, 1);
    let names: Vec<String> =
        s.db.conn()
            .prepare("SELECT name FROM products ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
    assert!(names.iter().all(|n| n.chars().count() <= 120 && n.starts_with("Extra long product name")), "{names:?}");
    assert_ne!(names[0], names[1]);
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let mut s = manager_shop();
    let report = import_text(&mut s, SUPERSTORE, &Options { dry_run: true, ..options() }).unwrap();
    assert!(report.dry_run);
    assert_eq!((report.orders, report.customers), (3, 3));
    assert_eq!(count(&s, "SELECT count(*) FROM orders"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM sales_daily"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM tiers WHERE code = 'CONSUMER'"), 0);
}

#[test]
fn every_problem_names_line_column_and_value_at_once() {
    let mut s = manager_shop();
    let text = "\
Order ID,Order Date,Customer,Product,Quantity,Price,Discount
A1,2026-01-05,Ana,Pen,2,1.50,
A2,2026-13-05,Ana,Pen,2,1.50,
A3,2026-01-05,,Pen,0,1.50,
A4,2027-01-05,Ana,Pen,2,abc,150%
A1,2026-01-05,Ana,Pen,1,1.50,
";
    let errors = refused(import_text(&mut s, text, &options()));
    let found: Vec<(u64, &str, &str)> = errors.iter().map(|e| (e.line, e.column.as_str(), e.value.as_str())).collect();
    assert_eq!(
        found,
        vec![
            (3, "Order Date", "2026-13-05"),
            (4, "Quantity", "0"),
            (4, "Customer", ""),
            (5, "Order Date", "2027-01-05"),
            (5, "Price", "abc"),
            (5, "Discount", "150%"),
            (6, "Order ID", "A1"),
        ]
    );
    assert!(errors[6].message.contains("sort the file"), "{}", errors[6].message);
    assert_eq!(count(&s, "SELECT count(*) FROM orders"), 0, "all or nothing");
    assert_eq!(count(&s, "SELECT count(*) FROM products"), 0, "all or nothing");
    // A line whose order began on a line with problems of its own is still held to that
    // line's date and customer: all of a file's problems at once.
    let text = "Order ID,Order Date,Customer,Product,Quantity,Price\n\
                A1,2026-01-05,Ana,Pen,2,abc\n\
                A1,2026-01-06,Ana,Pen,1,1.50\n";
    let errors = refused(import_text(&mut s, text, &options()));
    let found: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(found, vec![(2, "Price"), (3, "Order Date")], "{errors:?}");
    // A line of an order with another customer names the customer it gives.
    let text = "Order ID,Order Date,Customer ID,Customer,Product,Quantity,Price\n\
                A1,2026-01-05,K1,Ana,Pen,2,1.50\n\
                A1,2026-01-05,K2,Bob,Pen,1,1.50\n";
    let errors = refused(import_text(&mut s, text, &options()));
    assert_eq!((errors[0].line, errors[0].column.as_str(), errors[0].value.as_str()), (3, "Customer ID", "K2"));
}

#[test]
fn columns_are_found_by_alias_or_map_and_dates_by_the_file() {
    let mut s = manager_shop();
    // A German spreadsheet: semicolons, decimal commas, day-first dates, own headers.
    let text = "Bestellnr;Datum;Kunde;Artikel;Menge;Betrag\r\n\
                B-1;03.04.2026;Müller GmbH;Schraube M8;10;12,50\r\n\
                B-2;04.04.2026;Müller GmbH;Schraube M8;4;5,00\r\n";
    let errors = refused(import_text(&mut s, text, &options()));
    assert!(errors.iter().any(|e| e.message.contains("order_number")), "{errors:?}");
    let map = [("Bestellnr", "order_number"), ("Datum", "order_date"), ("Kunde", "customer_name")]
        .iter()
        .chain(&[("Artikel", "product_name"), ("Menge", "quantity"), ("Betrag", "amount")])
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let twice: Vec<(String, String)> =
        vec![("Bestellnr".into(), "order_number".into()), ("Kunde".into(), "order_number".into())];
    let errors = refused(import_text(&mut s, text, &Options { map: twice, ..options() }));
    assert!(
        errors.iter().any(|e| e.column == "Kunde" && e.message.contains("to column 'Bestellnr' already")),
        "a field given to two columns by --map: {errors:?}"
    );
    let report = import_text(&mut s, text, &Options { map, ..options() }).unwrap();
    assert_eq!((report.orders, report.customers, report.products), (2, 1, 1));
    assert_eq!(report.first_day, NaiveDate::from_ymd_opt(2026, 4, 3));
    // A product without a code gets one; Ana, already a customer, is matched by name.
    let sku: String = s.db.conn().query_row("SELECT sku FROM products", [], |r| r.get(0)).unwrap();
    assert_eq!(sku, "H000001");
    let ana = "Order ID,Date,Customer Name,Product Name,Qty,Amount\nX-1,2026-05-01,ana,Schraube M8,1,1.25\n";
    let report = import_text(&mut s, ana, &options()).unwrap();
    assert_eq!((report.customers, report.products), (0, 0));

    // Dates that never tell day from month need to be told.
    let unclear = "Order ID,Date,Customer,Product,Qty,Amount\nY-1,03/04/2026,Ana,Pen,1,1\n";
    let errors = refused(import_text(&mut s, unclear, &options()));
    assert!(errors[0].message.contains("--dates"), "{errors:?}");
    let told = Options { day_order: Some(DayOrder::DayFirst), ..options() };
    let report = import_text(&mut s, unclear, &told).unwrap();
    assert_eq!(report.first_day, NaiveDate::from_ymd_opt(2026, 4, 3));
    // A later date tells it for the whole file.
    let later = "Order ID,Date,Customer,Product,Qty,Amount\nZ-1,03/04/2026,Ana,Pen,1,1\nZ-2,03/25/2026,Ana,Pen,1,1\n";
    let report = import_text(&mut s, later, &options()).unwrap();
    assert_eq!(report.first_day, NaiveDate::from_ymd_opt(2026, 3, 4));
    // Two-digit years first read as the day first unless the file is said to write them so;
    // a date written otherwise in such a file is named, not guessed.
    let japanese = "Order ID,Date,Customer,Product,Qty,Amount
J-1,24/03/05,Ana,Pen,1,1
J-2,24/03/25,Ana,Pen,1,1
";
    let ymd = Options { day_order: Some(DayOrder::YearFirst), ..options() };
    let report = import_text(&mut s, japanese, &Options { dry_run: true, ..ymd.clone() }).unwrap();
    assert_eq!(
        (report.first_day, report.last_day),
        (NaiveDate::from_ymd_opt(2024, 3, 5), NaiveDate::from_ymd_opt(2024, 3, 25))
    );
    // Read day first, 24/12/31 is in 2031: the message says how to tell the year came first.
    let japanese_late = "Order ID,Date,Customer,Product,Qty,Amount\nJ-5,24/12/31,Ana,Pen,1,1\n";
    let errors = refused(import_text(&mut s, japanese_late, &options()));
    assert!(errors[0].message.contains("--dates ymd"), "{errors:?}");
    let mixed = "Order ID,Date,Customer,Product,Qty,Amount
J-3,24/03/05,Ana,Pen,1,1
J-4,25/03/2024,Ana,Pen,1,1
";
    let errors = refused(import_text(&mut s, mixed, &ymd));
    assert_eq!((errors.len(), errors[0].line, errors[0].column.as_str()), (1, 3, "Date"));
    assert!(errors[0].message.contains("two-digit years first"), "{errors:?}");

    let twice = "Customer,Client,Order ID,Date,Product,Qty,Amount\nAna,Ana,Q-1,2026-01-01,Pen,1,1\n";
    let errors = refused(import_text(&mut s, twice, &options()));
    assert_eq!(errors[0].column, "Client");
    let errors =
        refused(import_text(&mut s, twice, &Options { map: vec![("Nope".into(), "amount".into())], ..options() }));
    assert_eq!(errors[0].column, "Nope");
}

#[test]
fn history_is_never_invoiced_nor_numbered_over() {
    let mut s = manager_shop();
    let text = "Order ID,Date,Customer,Product,Qty,Amount\nSO-000050,2026-01-01,Ana,Pen,1,3\n";
    import_text(&mut s, text, &options()).unwrap();
    let invoiced = crate::ops::invoices::draft_from_orders(
        &mut s,
        &["SO-000050".to_string()],
        crate::ops::invoices::Basis::Ordered,
    );
    assert!(matches!(invoiced, Err(Error::Refused(_))), "{invoiced:?}");
    let next = crate::db::meta::take_next(s.db.conn(), "order").unwrap();
    assert!(next > 50, "our next order number is past the history's");
    // An order of the shop's own is not history to be compared or replaced.
    let clash = "Order ID,Date,Customer,Product,Qty,Amount\nSO-000050,2026-01-01,Ana,Pen,1,3\n";
    crate::db::orders::order_by_number(s.db.conn(), "SO-000050").unwrap().unwrap();
    s.db.conn().execute("UPDATE orders SET sold_on = NULL", []).unwrap();
    let errors = refused(import_text(&mut s, clash, &options()));
    assert!(errors[0].message.contains("not history"), "{errors:?}");
}

#[test]
fn a_clerk_may_not_rewrite_the_shops_history() {
    let (s, _) = shop();
    let db = s.db;
    let mut clerk = Session::start(db, "bob", crate::ops::Clock::Fixed("2026-11-27T10:00:00Z".into())).unwrap();
    assert!(matches!(import_text(&mut clerk, SUPERSTORE, &options()), Err(Error::NotAllowed { .. })));
}

#[test]
fn export_then_import_into_an_empty_shop_then_export_gives_the_same_file() {
    let mut s = manager_shop();
    import_text(&mut s, SUPERSTORE, &options()).unwrap();
    let mut first = Vec::new();
    assert_eq!(export(&s, &mut first).unwrap(), 5);
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(
        text.contains("US-2015-108966,2015-10-11,2015-10-18,SO-20335,Sean O'Donnell,CONSUMER,South,Fort Lauderdale,"),
        "{text}"
    );
    assert!(text.contains(",45%,0,957.58,268.1217\r\n"), "{text}");
    let mut empty = manager_shop();
    let report = import_text(&mut empty, &text, &options()).unwrap();
    assert_eq!((report.orders, report.lines), (3, 5));
    let mut second = Vec::new();
    export(&empty, &mut second).unwrap();
    assert_eq!(String::from_utf8(second).unwrap(), text);
    assert_eq!(sales::check(&empty).unwrap(), Vec::<String>::new());
}

#[test]
fn a_chinese_spreadsheet_in_gbk_with_chinese_headers_imports() {
    let mut s = manager_shop();
    let text =
        "订单号,订单日期,客户,商品名称,类别,数量,单价,折扣\r\nCN-1,2026年3月8日,张伟,绿茶,饮料,2,\"1,234.50\",10%\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let input = Input::Bytes(Arc::new(gbk.into_owned()));
    let report = import(&mut s, &input, &options(), &mut |_, _| true).unwrap();
    assert_eq!((report.orders, report.customers, report.products), (1, 1, 1));
    assert_eq!(report.encoding, "GB18030");
    assert_eq!(report.net, Money::parse("2222.10").unwrap());
    let name: String =
        s.db.conn().query_row("SELECT name FROM customers WHERE name = '张伟'", [], |r| r.get(0)).unwrap();
    assert_eq!(name, "张伟");
}

/// A Chinese 折扣 of 0.9 is 九折: 10 % off, not 90 %, and the amounts beside it agree. A 0
/// there would make a line free and is refused; `8折` is 20 % off in any file.
#[test]
fn a_chinese_discount_is_the_share_of_the_price_paid() {
    let mut s = manager_shop();
    let text = "订单号,订单日期,客户,商品名称,数量,单价,折扣,金额\n\
                CN-1,2026-03-08,张伟,绿茶,2,10,0.9,18\n\
                CN-2,2026-03-09,李娜,红茶,1,20,0.85,17\n\
                CN-3,2026-03-10,李娜,红茶,1,20,8折,16\n\
                CN-4,2026-03-11,李娜,红茶,1,20,,20\n";
    let report = import_text(&mut s, text, &options()).unwrap();
    assert_eq!(report.net.to_string(), "71.00");
    assert!(report.summary().iter().any(|l| l.contains("0.9 = 九折 = 10 % off")), "{:?}", report.summary());
    let discounts: Vec<i64> =
        s.db.conn()
            .prepare("SELECT discount_bp FROM order_lines ORDER BY order_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
    assert_eq!(discounts, [1000, 1500, 2000, 0]);
    let zero = "订单号,订单日期,客户,商品名称,数量,单价,折扣率\nZ-1,2026-03-08,张伟,绿茶,2,10,0.9\nZ-2,2026-03-08,张伟,绿茶,2,10,0\n";
    let errors = refused(import_text(&mut s, zero, &options()));
    assert_eq!((errors.len(), errors[0].line, errors[0].column.as_str()), (1, 3, "折扣率"), "{errors:?}");
    assert!(errors[0].message.contains("free"), "{errors:?}");
    // The same fractions under an English header are what is taken off, as before.
    let english =
        "Order ID,Order Date,Customer Name,Product Name,Quantity,Price,Discount\nE-1,2026-03-08,Anna,Tea,2,10,0.9\n";
    assert_eq!(import_text(&mut s, english, &options()).unwrap().net.to_string(), "2.00");
}

/// `orders` orders of one to three lines over a few customers and products, in file order.
fn generated(orders: usize) -> String {
    let mut text = String::from("Order ID,Order Date,Customer ID,Customer Name,Region,Product ID,Qty,Sales\n");
    for n in 0..orders {
        for line in 0..(n % 3 + 1) {
            let day = 1 + n % 28;
            let customer = n % 7;
            text.push_str(&format!(
                "G-{n:04},2026-0{}-{day:02},CU-{customer},Customer {customer},R{},P-{},{},{}.{:02}\n",
                1 + n % 9,
                customer % 3,
                (n + line) % 11,
                1 + line,
                10 + n % 50,
                n % 100
            ));
        }
    }
    text
}

#[test]
fn many_batches_into_an_empty_and_a_busy_shop_keep_every_figure_right() {
    let text = generated(200);
    let lines = text.lines().count() - 1;
    for busy in [false, true] {
        let mut s = manager_shop();
        if busy {
            // Orders of the shop's own and earlier history already there.
            import_text(&mut s, SUPERSTORE, &options()).unwrap();
        }
        let report = import_text(&mut s, &text, &options()).unwrap();
        assert_eq!((report.orders, report.lines), (200, lines), "busy: {busy}");
        assert_eq!(sales::check(&s).unwrap(), Vec::<String>::new(), "busy: {busy}");
        assert_eq!(crate::ops::orders::check_all(&s).unwrap(), Vec::<String>::new(), "busy: {busy}");
        let counted: i64 = count(&s, "SELECT count FROM order_counts WHERE status = 'closed'");
        assert_eq!(counted, count(&s, "SELECT count(*) FROM orders WHERE status = 'closed'"));
        let trigger = count(&s, "SELECT count(*) FROM sqlite_master WHERE name = 'orders_count_insert'");
        assert_eq!(trigger, 1, "the count trigger is back");
        let fk: i64 = count(&s, "PRAGMA foreign_keys");
        assert_eq!(fk, 1, "foreign keys are on again");
        // The same file again: every order unchanged, nothing added.
        let again = import_text(&mut s, &text, &options()).unwrap();
        assert_eq!((again.orders, again.unchanged), (0, 200));
        assert_eq!(sales::check(&s).unwrap(), Vec::<String>::new());
    }
}

#[test]
fn an_order_split_apart_far_down_the_file_is_refused_and_nothing_stays() {
    let mut text = generated(120);
    // G-0005's line again after a hundred other orders, several batches later.
    text.push_str("G-0005,2026-06-06,CU-5,Customer 5,R2,P-1,1,1.00\n");
    let last = text.lines().count() as u64;
    let mut s = manager_shop();
    let errors = refused(import_text(&mut s, &text, &options()));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].line, errors[0].value.as_str()), (last, "G-0005"));
    assert!(errors[0].message.contains("sort the file"), "{}", errors[0].message);
    // Written a batch before, its first line is no longer known: the message says no line.
    assert!(!errors[0].message.contains("from line"), "{}", errors[0].message);
    assert_eq!(count(&s, "SELECT count(*) FROM orders"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM order_lines"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM sales_monthly"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM sqlite_master WHERE name = 'orders_count_insert'"), 1);
}

#[test]
fn numbers_that_could_be_read_two_ways_are_refused() {
    let mut s = manager_shop();
    let text = "Order ID,Date,Customer,Product,Qty,Amount,Discount\n\
                N-1,2026-01-01,Ana,Pen,\"1,000\",5,0.1\n\
                N-2,2026-01-02,Ana,Pen,1,\"1,299\",0.2\n\
                N-3,2026-01-03,Ana,Pen,1,\"1,299.00\",15\n";
    let errors = refused(import_text(&mut s, text, &options()));
    let found: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    // 15 tells that plain discounts are percents here (0.1 is a tenth of a percent).
    assert_eq!(found, vec![(2, "Qty"), (3, "Amount")]);
    // In a file of percents, 0.5 is half a percent.
    let percents = "Order ID,Date,Customer,Product,Qty,Price,Discount\nP-1,2026-01-01,Ana,Pen,1,100,15\nP-2,2026-01-02,Ana,Pen,2,10,0.5\n";
    import_text(&mut s, percents, &options()).unwrap();
    let order = crate::db::orders::order_by_number(s.db.conn(), "P-2").unwrap().unwrap();
    let lines = crate::db::orders::lines(s.db.conn(), order.id).unwrap();
    assert_eq!(lines[0].discount, Decimal::new(5, 1));
}

/// A discount of 1 in a file of 0s and 1s could be 1 % or the whole price: refused, not
/// taken as 100 % off. Where the file's fractions make it 100 %, a line that still has an
/// amount contradicts it. The report says how plain discounts were read.
#[test]
fn a_discount_that_could_be_the_whole_price_or_one_percent_is_refused() {
    let mut s = manager_shop();
    let ones = "Order ID,Order Date,Customer Name,Product Name,Quantity,Price,Discount\n\
                D-1,2025-01-01,Anna,Tea,1,10,1\n\
                D-2,2025-01-02,Anna,Tea,1,10,0\n";
    let errors = refused(import_text(&mut s, ones, &options()));
    assert_eq!((errors.len(), errors[0].line, errors[0].column.as_str()), (1, 2, "Discount"), "{errors:?}");
    assert!(errors[0].message.contains("1% or 100%"), "{errors:?}");
    let whole = "Order ID,Order Date,Customer Name,Product Name,Quantity,Sales,Discount\n\
                 W-1,2025-01-01,Anna,Tea,1,9.90,1\n\
                 W-2,2025-01-02,Anna,Tea,1,8,0.2\n";
    let errors = refused(import_text(&mut s, whole, &options()));
    assert_eq!((errors.len(), errors[0].line, errors[0].column.as_str()), (1, 2, "Discount"), "{errors:?}");
    assert!(errors[0].message.contains("whole price"), "{errors:?}");
    let said = "Order ID,Order Date,Customer Name,Product Name,Quantity,Price,Discount\n\
                S-1,2025-01-01,Anna,Tea,1,10,1%\n\
                S-2,2025-01-02,Anna,Tea,1,10,0.2\n";
    let report = import_text(&mut s, said, &options()).unwrap();
    assert!(report.summary().iter().any(|l| l.contains("read as fractions (0.2 = 20 %)")), "{:?}", report.summary());
    assert_eq!(report.net.to_string(), "17.90");
    // Other values the style cannot take are told what they are not.
    // (Past the rows the style is told by, which had nothing but 0.)
    let mut others = String::from("Order ID,Order Date,Customer Name,Product Name,Quantity,Price,Discount\n");
    for i in 0..super::DISCOUNT_LOOK {
        others.push_str(&format!("Z-{i},2025-01-01,Anna,Tea,1,10,0\n"));
    }
    others.push_str("O-2,2025-01-02,Anna,Tea,1,10,5\nO-3,2025-01-03,Anna,Tea,1,10,abc\n");
    let errors = refused(import_text(&mut s, &others, &options()));
    assert!(errors[0].message.contains("as fractions") && errors[1].message.contains("use 20%"), "{errors:?}");
    // Every discount with %: nothing to say of plain ones.
    let marked = "Order ID,Order Date,Customer Name,Product Name,Quantity,Price,Discount\n\
                  P-1,2025-01-01,Anna,Tea,1,10,5%\n";
    let report = import_text(&mut s, marked, &options()).unwrap();
    assert!(!report.summary().iter().any(|l| l.contains("Discounts")), "{:?}", report.summary());
}

/// Shopify writes an order's customer on its first line only: the lines after it that
/// name no customer are that order's. A first line without one is still refused.
#[test]
fn a_later_line_without_a_customer_is_its_orders() {
    let mut s = manager_shop();
    let shopify = "Name,Created at,Billing Name,Lineitem name,Lineitem quantity,Lineitem price\n\
                   #1001,2026-03-01 10:00:00 +0100,John Smith,Tea,1,4.00\n\
                   #1001,2026-03-01 10:00:00 +0100,,Mug,2,6.00\n\
                   #1002,2026-03-02 11:00:00 +0100,,Tea,1,4.00\n";
    let mapped = Options { map: vec![("Name".into(), "order_number".into())], ..options() };
    let errors = refused(import_text(&mut s, shopify, &mapped));
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![4], "{errors:?}");
    let report = import_text(&mut s, &shopify.replace("+0100,,Tea", "+0100,Zoë Neu,Tea"), &mapped).unwrap();
    assert_eq!((report.orders, report.lines, report.customers), (2, 3, 2));
    // A line naming another customer is named; the next line without one is the order's.
    let mixed = "Name,Created at,Billing Name,Lineitem name,Lineitem quantity,Lineitem price\n\
                 #2001,2026-03-03,John Smith,Tea,1,4.00\n\
                 #2001,2026-03-03,,Mug,1,6.00\n\
                 #2001,2026-03-03,Zoë Neu,Tea,1,4.00\n\
                 #2001,2026-03-03,,Mug,1,6.00\n";
    let errors = refused(import_text(&mut s, mixed, &mapped));
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![4], "{errors:?}");
}

/// Shopify's line item discount is money off the line, not a percent: the net is what is
/// left, the stored discount the percent it is, and shopdesk's own export reads back.
#[test]
fn a_discount_given_as_an_amount_is_taken_off_the_line() {
    let mut s = manager_shop();
    let mapped = Options { map: vec![("Name".into(), "order_number".into())], ..options() };
    let shopify = "Name,Created at,Billing Name,Lineitem name,Lineitem quantity,Lineitem price,Lineitem discount\n\
                   #1001,2026-03-01,John Smith,Tea,2,25.00,2.50\n\
                   #1002,2026-03-02,John Smith,Urn,10,999.99,123.45\n\
                   #1003,2026-03-03,John Smith,Tea,1,25.00,0.00\n";
    let report = import_text(&mut s, shopify, &mapped).unwrap();
    assert_eq!(report.net.to_string(), "9948.95", "47.50 + 9876.45 + 25.00");
    let order = crate::db::orders::order_by_number(s.db.conn(), "#1001").unwrap().unwrap();
    let lines = crate::db::orders::lines(s.db.conn(), order.id).unwrap();
    assert_eq!((lines[0].discount, lines[0].amount.to_string()), (Decimal::from(5), "47.50".to_string()));
    let mut out = Vec::new();
    crate::ops::sales_history::export(&s, &mut out).unwrap();
    let mut copy = manager_shop();
    assert_eq!(
        import_text(&mut copy, &String::from_utf8(out).unwrap(), &options()).unwrap().net.to_string(),
        "9948.95"
    );
    // More off than the line, or a percent besides: refused, naming the column.
    let wrong = "Name,Created at,Billing Name,Lineitem name,Lineitem quantity,Lineitem price,Lineitem discount,Discount\n\
                 #2001,2026-03-01,John Smith,Tea,1,5.00,6.00,\n\
                 #2002,2026-03-01,John Smith,Tea,1,5.00,1.00,10%\n";
    let errors = refused(import_text(&mut s, wrong, &mapped));
    let said: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(said, vec![(2, "Lineitem discount"), (3, "Lineitem discount")], "{errors:?}");
}

/// A line's amount that is not its quantity × price less discount (an order total repeated
/// on each line, as some platforms write it) is refused, not stored as sales that never were.
#[test]
fn an_amount_that_price_and_quantity_do_not_make_is_refused() {
    let mut s = manager_shop();
    let total_on_each = "订单号,下单时间,客户名称,商品名称,数量,单价,金额\n\
                         T1,2026-03-01,张伟,保温杯,1,59.00,187.00\n\
                         T1,2026-03-01,张伟,茶叶,1,128.00,187.00\n\
                         T2,2026-03-02,张伟,茶叶,2,64.00,128.00\n";
    let errors = refused(import_text(&mut s, total_on_each, &options()));
    let said: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(said, vec![(2, "金额"), (3, "金额")], "{errors:?}");
    assert!(errors[0].message.contains("(59.00)"), "{errors:?}");
    // A rounded price is fine: what its rounding makes over the quantity, and a cent.
    let rounded = "Order ID,Order Date,Customer Name,Product Name,Quantity,Price,Discount,Amount\n\
                   R-1,2026-03-01,Ana,Pen,3,0.333,0,1.00\n\
                   R-2,2026-03-01,Ana,Cap,12,0.83,0,10.00\n\
                   R-3,2026-03-01,Ana,Ink,100,2.50,0,249.95\n\
                   R-4,2026-03-01,Ana,Nib,1000,0.01235,0,12.35\n\
                   R-5,2026-03-01,Ana,Washer,3000,0.3333,0,1000.00\n";
    assert_eq!(import_text(&mut s, rounded, &options()).unwrap().orders, 5);
    // shopdesk's own export of a price worked back from an amount reads back.
    let mut out = Vec::new();
    crate::ops::sales_history::export(&s, &mut out).unwrap();
    let (mut copy, _) = (manager_shop(), ());
    let again = import_text(&mut copy, &String::from_utf8(out).unwrap(), &options()).unwrap();
    assert_eq!(again.orders, 5);
}

/// Too large is said of what is too large: a price past any bound (even one too large to
/// multiply out), or the line a quantity and a price within bounds make.
#[test]
fn a_figure_too_large_is_named_for_what_it_is() {
    let mut s = manager_shop();
    let text = "Order ID,Order Date,Customer Name,Product Name,Quantity,Price\n\
                L-1,2025-01-01,Anna,Tea,1000000,1000000000\n\
                L-2,2025-01-02,Anna,Tea,1,99999999999999999999999\n";
    let errors = refused(import_text(&mut s, text, &options()));
    let said: Vec<(u64, &str, &str)> = errors.iter().map(|e| (e.line, e.column.as_str(), e.message.as_str())).collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said[0].2.contains("makes a line of 1000000000000000.00"), "{said:?}");
    assert_eq!((said[1].0, said[1].1), (3, "Price"));
    assert!(said[1].2.contains("larger than a line of history can be"), "{said:?}");
}

#[test]
fn a_cost_that_cannot_be_read_does_not_refuse_the_line() {
    let mut s = manager_shop();
    let text = "Order ID,Date,Customer,Product,Qty,Amount,Profit\n\
                C-1,2026-01-01,Ana,Pen,2,10,N/A\n\
                C-2,2026-01-02,Ana,Ink,1,5,9\n\
                C-3,2026-01-03,Ana,Cap,1,1,2000000000000\n\
                C-4,2026-01-04,Ana,Mug,4,20,4\n";
    let report = import_text(&mut s, text, &options()).unwrap();
    assert_eq!((report.orders, report.costs_unread), (4, 3));
    let cost = |name: &str| -> i64 {
        s.db.conn().query_row("SELECT cost_price FROM products WHERE name = ?1", [name], |r| r.get(0)).unwrap()
    };
    assert_eq!((cost("Pen"), cost("Ink")), (0, 0));
    assert_eq!(cost("Mug"), 40_000, "(20 - 4) / 4 = 4.0000");
    assert!(report.summary().iter().any(|l| l.contains("3 lines had a cost or profit")), "{:?}", report.summary());
}

#[test]
fn history_lines_have_all_shipped_and_migration_013_says_so_of_older_history_only() {
    let (mut s, own) = crate::ops::invoices::tests_support::shipped_order();
    import_text(&mut s, SUPERSTORE, &options()).unwrap();
    let unshipped_history = "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id
                             WHERE o.sold_on IS NOT NULL AND l.shipped <> l.quantity";
    assert_eq!(count(&s, unshipped_history), 0, "sold and delivered elsewhere");
    // A file from before 013: history said nothing had shipped.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    s.db.conn()
        .execute_batch(
            "UPDATE order_lines SET shipped = 0 WHERE order_id IN (SELECT id FROM orders WHERE sold_on IS NOT NULL);
             DELETE FROM invoice_series WHERE code = 'HIST';
             DROP INDEX invoices_credit_notes_by_customer; DROP TRIGGER payment_allocations_within_total;
             PRAGMA user_version = 12;",
        )
        .unwrap();
    s.db.backup_to(&path).unwrap();
    let own_lines = |s: &Session| -> Vec<(i64, i64)> {
        s.db.conn()
            .prepare("SELECT l.quantity, l.shipped FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.number = ?1")
            .unwrap()
            .query_map([&own], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let before = own_lines(&s);
    let reopened = Session::start(crate::db::Db::open(&path).unwrap(), "alice", crate::ops::Clock::System).unwrap();
    assert_eq!(count(&reopened, unshipped_history), 0, "013 completes older history");
    assert_eq!(own_lines(&reopened), before, "the shop's own orders are untouched: {before:?}");
    assert!(before.iter().any(|(q, shipped)| shipped < q), "one line of the fixture still waits");
    assert_eq!(count(&reopened, "SELECT count(*) FROM invoice_series WHERE code = 'HIST'"), 1);
}

/// A platform's export holds cancelled, refunded and unpaid orders beside the sales: they
/// are left out, counted, and a later line without a status is its order's (Shopify).
#[test]
fn cancelled_refunded_and_unfinished_orders_are_not_sales() {
    let mut s = manager_shop();
    let shopify = "Name,Email,Financial Status,Created at,Billing Name,Lineitem name,Lineitem quantity,Lineitem price\n\
                   #1001,john@example.com,paid,2026-03-01,John Smith,Tea,1,4.00\n\
                   #1001,john@example.com,,2026-03-01,,Mug,2,6.00\n\
                   #1002,zoe@example.com,refunded,2026-03-02,Zoë Neu,Tea,1,4.00\n\
                   #1002,zoe@example.com,,2026-03-02,,Mug,lots,6.00\n\
                   #1003,ann@example.com,pending,2026-03-03,Ann Lee,Tea,3,4.00\n\
                   #1004,john@example.com,partially_refunded,2026-03-04,John Smith,Mug,1,6.00\n";
    let mapped = Options { map: vec![("Name".into(), "order_number".into())], ..options() };
    let report = import_text(&mut s, shopify, &mapped).unwrap();
    // The refunded order's unreadable quantity does not refuse the file: it is left out.
    assert_eq!((report.orders, report.lines, report.cancelled, report.unfinished), (2, 3, 2, 1));
    assert_eq!(report.net, Money::parse("22.00").unwrap());
    assert_eq!(report.customers, 1, "only John bought");
    assert!(crate::db::orders::order_by_number(s.db.conn(), "#1002").unwrap().is_none());
    let summary = report.summary().join("\n");
    assert!(summary.contains("2 lines of cancelled or refunded orders were left out"), "{summary}");
    assert!(summary.contains("1 line of an order not paid yet"), "{summary}");
    assert_eq!(count(&s, "SELECT coalesce(sum(net), 0) FROM sales_daily"), 2200);

    // Later the sale of #1001 was refunded: the history stays, and the report says so.
    let later = shopify.replace("#1001,john@example.com,paid", "#1001,john@example.com,refunded");
    let report = import_text(&mut s, &later, &mapped).unwrap();
    assert_eq!((report.orders, report.unchanged, report.cancelled_since_count), (0, 1, 1));
    assert_eq!(report.cancelled_since, vec!["#1001".to_string()]);
    assert!(report.summary().join("\n").contains("refunded in this file: #1001."), "{:?}", report.summary());

    // A status this import does not know, or `closed`, refuses its line with what to do.
    let unknown = shopify.replace("pending", "VIP").replace("partially_refunded", "Closed");
    let errors = refused(import_text(&mut manager_shop(), &unknown, &mapped));
    let named: Vec<(u64, &str, &str)> = errors.iter().map(|e| (e.line, e.column.as_str(), e.value.as_str())).collect();
    assert_eq!(named, vec![(6, "Financial Status", "VIP"), (7, "Financial Status", "Closed")]);
    assert!(errors[1].message.contains("Magento"), "{}", errors[1].message);
    // A word met again is told in short, pointing at the line that says what to do.
    let again = format!("{unknown}#1005,bo@example.com,vip,2026-03-05,Bo,Tea,1,4.00\n");
    let errors = refused(import_text(&mut manager_shop(), &again, &mapped));
    assert_eq!((errors[2].line, errors[2].value.as_str()), (8, "vip"));
    assert_eq!(errors[2].message, "is refused as on line 6: see there what to write instead");
    // Left out with ←/→ or --map, every line is a sale again.
    let mut unmapped = mapped.clone();
    unmapped.map.push(("Financial Status".into(), String::new()));
    let errors = refused(import_text(&mut manager_shop(), shopify, &unmapped));
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![5], "the refund's bad quantity counts now");
}

/// Buyers known by email (no customer codes): two of one name stay two customers, a line
/// without a name still finds its buyer, and a second import matches them again.
#[test]
fn buyers_without_codes_are_known_by_their_email() {
    let mut s = manager_shop();
    let file = "Order,Date,Email,Customer,Product,Qty,Price\n\
                A1,2026-03-01,li@example.com,Li Wei,Tea,1,4.00\n\
                A2,2026-03-02,LI.WEI@example.org,Li Wei,Tea,1,4.00\n\
                A3,2026-03-03,li@example.com,,Tea,2,4.00\n";
    let report = import_text(&mut s, file, &options()).unwrap();
    assert_eq!((report.orders, report.customers), (3, 2));
    let a3 = crate::db::orders::order_by_number(s.db.conn(), "A3").unwrap().unwrap();
    let a1 = crate::db::orders::order_by_number(s.db.conn(), "A1").unwrap().unwrap();
    assert_eq!(a3.customer_id, a1.customer_id);
    let emails: i64 =
        count(&s, "SELECT count(*) FROM customers WHERE email IN ('li@example.com', 'LI.WEI@example.org')");
    assert_eq!(emails, 2);
    let again = import_text(&mut s, file, &options()).unwrap();
    assert_eq!((again.orders, again.unchanged, again.customers), (0, 3, 0));
    // A customer entered by hand without an email is the buyer of that name; one with
    // another email is someone else.
    let mut s = manager_shop();
    let by_hand = "Order,Date,Email,Customer,Product,Qty,Price\n\
                B1,2026-03-01,mo@example.com,Mo Chen,Tea,1,4.00\n\
                B2,2026-03-01,ru@example.com,Ru Chen,Tea,1,4.00\n";
    let customers = "code,name,email\nMO,Mo Chen,\nRU,Ru Chen,ru.chen@example.net\n";
    crate::ops::customers::import(&mut s, customers.as_bytes(), false).unwrap();
    let report = import_text(&mut s, by_hand, &options()).unwrap();
    assert_eq!(report.customers, 1, "Ru Chen of another email is new");
    let b1 = crate::db::orders::order_by_number(s.db.conn(), "B1").unwrap().unwrap();
    assert_eq!(b1.customer_id, crate::db::customers::find_by_code(s.db.conn(), "MO").unwrap().unwrap().id.0);
    // Mo Chen has the file's email now: said, and another file's other Mo Chen is someone else.
    assert_eq!(report.emails_given, 1);
    assert!(report.summary().join(" ").contains("1 customer entered without an email, found by name, now has"));
    assert!(report.summary().join(" ").contains("email: Mo Chen <mo@example.com>."), "{:?}", report.summary());
    let mo = crate::db::customers::find_by_code(s.db.conn(), "MO").unwrap().unwrap();
    assert_eq!((mo.data.email.as_str(), mo.data.name.as_str(), mo.version), ("mo@example.com", "Mo Chen", 2));
    let other_mo =
        "Order,Date,Email,Customer,Product,Qty,Price\nB9,2026-03-09,mo.chen@example.org,Mo Chen,Tea,1,4.00\n";
    let report = import_text(&mut s, other_mo, &options()).unwrap();
    assert_eq!((report.customers, report.emails_given), (1, 0));
    let again = import_text(&mut s, by_hand, &options()).unwrap();
    assert_eq!((again.unchanged, again.customers, again.emails_given), (2, 0, 0));
    // A dry run gives no email; an email that is not one is refused for a customer found by
    // name too.
    let mut s = manager_shop();
    crate::ops::customers::import(&mut s, customers.as_bytes(), false).unwrap();
    let dry = import_text(&mut s, by_hand, &Options { dry_run: true, ..options() }).unwrap();
    assert_eq!(dry.emails_given, 1);
    assert_eq!(crate::db::customers::find_by_code(s.db.conn(), "MO").unwrap().unwrap().data.email, "");
    let errors = refused(import_text(&mut s, &by_hand.replace("mo@example.com", "mo at example"), &options()));
    assert_eq!((errors[0].line, errors[0].column.as_str()), (2, "Email"), "{errors:?}");
    // An email that is not one is named.
    let bad = file.replace("li@example.com,Li Wei", "li at example,Li Wei");
    let errors = refused(import_text(&mut manager_shop(), &bad, &options()));
    assert_eq!((errors[0].line, errors[0].column.as_str()), (2, "Email"), "{errors:?}");
}

/// An order is imported whole or left out whole: a later line that says it is not paid
/// leaves out the lines before it too, so the next import (all of it paid) finds it new,
/// not different. A left-out order met again further down is apart, as a sold one is.
#[test]
fn an_order_is_left_out_whole_and_its_lines_stay_together() {
    let mut s = manager_shop();
    let file = "Order,Date,Customer,Product,Qty,Price,Status\n\
                A1,2026-03-01,Acme,Tea,1,4.00,shipped\n\
                A1,2026-03-01,Acme,Mug,1,6.00,pending\n\
                A2,2026-03-02,Acme,Tea,1,4.00,paid\n";
    let report = import_text(&mut s, file, &options()).unwrap();
    assert_eq!((report.orders, report.lines, report.unfinished), (1, 1, 2));
    let blank = "Order,Date,Customer,Product,Qty,Price,Status\n\
                 B1,2026-03-01,Acme,Tea,1,4.00,\n\
                 B1,2026-03-01,Acme,Mug,1,6.00,\n\
                 B2,2026-03-02,Acme,Tea,1,4.00,paid\n";
    let report = import_text(&mut manager_shop(), blank, &options()).unwrap();
    assert_eq!((report.orders, report.no_status), (2, 1));
    assert!(report.summary().join(" ").contains("1 order had no status and was counted as a sale."));
    // A first line without a status and a later one refunded: left out, not "no status".
    let later = blank.replace("B1,2026-03-01,Acme,Mug,1,6.00,", "B1,2026-03-01,Acme,Mug,1,6.00,refunded");
    let report = import_text(&mut manager_shop(), &later, &options()).unwrap();
    assert_eq!((report.orders, report.no_status, report.cancelled), (1, 0, 2));
    // A first line without a status and a later one paid: a sale with a status.
    let paid_later = blank.replace("B1,2026-03-01,Acme,Mug,1,6.00,", "B1,2026-03-01,Acme,Mug,1,6.00,paid");
    let report = import_text(&mut manager_shop(), &paid_later, &options()).unwrap();
    assert_eq!((report.orders, report.no_status), (2, 0));
    // Nothing but cancelled orders: said.
    let none = "Order,Date,Customer,Product,Qty,Price,Status\nC1,2026-03-01,Acme,Tea,1,4.00,voided\n";
    let report = import_text(&mut manager_shop(), none, &options()).unwrap();
    assert!(report.summary()[0].contains("No order of the file is a sale"), "{:?}", report.summary());
    let paid = file.replace("pending", "shipped");
    let report = import_text(&mut s, &paid, &options()).unwrap();
    assert_eq!((report.orders, report.unchanged, report.unfinished), (1, 1, 0));

    // Its earlier lines make nothing and are not checked: no customer or product of theirs,
    // no problem of theirs refusing the file.
    let refund_last = "Order,Date,Customer,Product,Qty,Price,Status\n\
                       R1,2026-03-01,Zed Only,Rare Tea,lots,4.00,paid\n\
                       R1,2026-03-01,Zed Only,Mug,1,6.00,refunded\n\
                       R2,2026-03-02,Acme,Tea,1,4.00,paid\n";
    let mut fresh = manager_shop();
    let customers_before = count(&fresh, "SELECT count(*) FROM customers");
    let report = import_text(&mut fresh, refund_last, &options()).unwrap();
    assert_eq!((report.orders, report.cancelled, report.customers, report.products), (1, 2, 1, 1));
    assert_eq!(count(&fresh, "SELECT count(*) FROM customers") - customers_before, 1, "Acme only");
    assert_eq!(count(&fresh, "SELECT count(*) FROM customers WHERE name = 'Zed Only'"), 0);
    assert_eq!(count(&fresh, "SELECT count(*) FROM products WHERE name = 'Rare Tea'"), 0);

    let apart = "Order,Date,Customer,Product,Qty,Price,Status\n\
                 Y1,2026-03-01,Acme,Tea,1,4.00,refunded\n\
                 X1,2026-03-01,Acme,Tea,1,4.00,paid\n\
                 Y1,2026-03-01,Acme,Mug,1,6.00,\n\
                 X1,2026-03-01,Acme,Mug,1,6.00,refunded\n";
    let errors = refused(import_text(&mut manager_shop(), apart, &options()));
    let lines: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.value.as_str())).collect();
    assert_eq!(lines, vec![(4, "Y1"), (5, "X1")], "{errors:?}");
    // Each names where its order started, to find it by.
    assert!(errors[0].message.contains("from line 2:"), "{}", errors[0].message);
    assert!(errors[1].message.contains("from line 3:"), "{}", errors[1].message);

    // Shopify keeps `paid` on an order cancelled without a refund: its date says. Two
    // status columns are not refused as one field twice: the first is read.
    let shopify = "Name,Financial Status,Payment Status,Cancelled at,Created at,Billing Name,Lineitem name,Lineitem quantity,Lineitem price\n\
                   #1,paid,paid,,2026-03-01,Ann,Tea,1,4.00\n\
                   #2,paid,paid,2026-03-03 10:00:00 +0100,2026-03-02,Bo,Tea,1,4.00\n\
                   #3,paid,refunded,NULL,2026-03-04,Cy,Tea,1,4.00\n";
    let mapped = Options { map: vec![("Name".into(), "order_number".into())], ..options() };
    let report = import_text(&mut manager_shop(), shopify, &mapped).unwrap();
    assert_eq!((report.orders, report.cancelled, report.customers), (1, 2, 1));
    let unused: Vec<&str> = report.columns.iter().filter(|c| c.1.is_none()).map(|c| c.0.as_str()).collect();
    assert!(unused.is_empty(), "{unused:?}");
    // Several columns are read as the status: the report says so of each.
    let statuses: Vec<&str> =
        report.columns.iter().filter(|c| c.1 == Some(Field::Status)).map(|c| c.0.as_str()).collect();
    assert_eq!(statuses, vec!["Financial Status", "Payment Status"]);
    // The import screen gives the columns one by one: the same outcome.
    let screen = Options {
        columns: Some(fields_by_header(&report.columns.iter().map(|c| c.0.clone()).collect::<Vec<_>>())),
        ..mapped.clone()
    };
    let mut by_screen = screen.columns.clone().unwrap();
    by_screen[0] = Some(Field::OrderNumber);
    let screen = Options { columns: Some(by_screen), ..screen };
    let shown = import_text(&mut manager_shop(), shopify, &screen).unwrap();
    assert_eq!((shown.orders, shown.cancelled), (1, 2));
    // Left out by --map, the second status column is not read.
    let mut one_status = mapped.clone();
    one_status.map.push(("Payment Status".into(), String::new()));
    let report = import_text(&mut manager_shop(), shopify, &one_status).unwrap();
    assert_eq!((report.orders, report.cancelled), (2, 1));
}

/// A customer entered without an email is the buyer of that name once: a second email
/// of the same name in the file is someone else.
#[test]
fn a_customer_without_email_is_claimed_by_one_email_only() {
    let mut s = manager_shop();
    crate::ops::customers::import(&mut s, b"code,name,email\nMO,Mo Chen,\n", false).unwrap();
    let file = "Order,Date,Email,Customer,Product,Qty,Price\n\
                B1,2026-03-01,mo@a.com,Mo Chen,Tea,1,4.00\n\
                B2,2026-03-02,mo@b.com,Mo Chen,Tea,1,4.00\n\
                B3,2026-03-03,mo@a.com,Mo Chen,Tea,1,4.00\n";
    let report = import_text(&mut s, file, &options()).unwrap();
    assert_eq!(report.customers, 1);
    let customer = |n: &str| crate::db::orders::order_by_number(s.db.conn(), n).unwrap().unwrap().customer_id;
    let mo = crate::db::customers::find_by_code(s.db.conn(), "MO").unwrap().unwrap().id.0;
    assert_eq!((customer("B1"), customer("B3")), (mo, mo));
    assert_ne!(customer("B2"), mo);
    let again = import_text(&mut s, file, &options()).unwrap();
    assert_eq!((again.orders, again.unchanged, again.customers), (0, 3, 0), "the same file twice");
}

/// Shopify's export as it comes: `Name` is the order number, and of its two discount
/// columns the line's is read (`Discount Amount` is the order's, on its first line).
#[test]
fn a_shopify_export_reads_without_any_mapping() {
    let shopify = "Name,Email,Financial Status,Discount Amount,Created at,Billing Name,Lineitem quantity,Lineitem name,Lineitem price,Lineitem discount\n\
                   #1001,li@example.com,paid,1.00,2026-03-01 10:00:00 +0100,Li Wei,1,Tea,4.00,1.00\n\
                   #1001,li@example.com,,,2026-03-01 10:00:00 +0100,,2,Mug,6.00,0\n";
    let report = import_text(&mut manager_shop(), shopify, &options()).unwrap();
    assert_eq!((report.orders, report.lines), (1, 2));
    assert_eq!(report.net, Money::parse("15.00").unwrap());
    let read: Vec<(&str, Option<Field>)> = report.columns.iter().map(|(h, f)| (h.as_str(), *f)).collect();
    assert!(read.contains(&("Name", Some(Field::OrderNumber))), "{read:?}");
    assert!(
        read.contains(&("Discount Amount", None)) && read.contains(&("Lineitem discount", Some(Field::DiscountAmount)))
    );
    // A file that is not Shopify's keeps `Name` for nothing.
    assert_eq!(fields_by_header(&["Name".to_string(), "Qty".to_string()]), vec![None, Some(Field::Quantity)]);
}

/// WooCommerce writes the buyer's name in two parts: together they are the customer's
/// name, and the buyer is known by email.
#[test]
fn a_name_in_two_parts_is_the_customers_name() {
    let mut s = manager_shop();
    let woo = "Order Number,Order Status,Order Date,Billing First Name,Billing Last Name,Billing Email,Shipping First Name,Item Name,Quantity,Item Cost\n\
               5001,completed,2026-03-01,Paula,Ortiz,paula@example.com,Paula,Tea,2,4.00\n\
               5002,processing,2026-03-02,Paula,Ortiz,paula@example.com,Paula,Mug,1,6.00\n";
    let report = import_text(&mut s, woo, &options()).unwrap();
    assert_eq!((report.orders, report.customers), (2, 1));
    let order = crate::db::orders::order_by_number(s.db.conn(), "5001").unwrap().unwrap();
    let name: String =
        s.db.conn().query_row("SELECT name FROM customers WHERE id = ?1", [order.customer_id], |r| r.get(0)).unwrap();
    assert_eq!(name, "Paula Ortiz");
    let email: String =
        s.db.conn().query_row("SELECT email FROM customers WHERE id = ?1", [order.customer_id], |r| r.get(0)).unwrap();
    assert_eq!(email, "paula@example.com");
    assert_eq!(report.net, Money::parse("14.00").unwrap());
}

/// Columns added to the fields since files were first imported must not refuse them: a
/// buyer handle beside a name, a first name beside a whole name; and every status column
/// given is read.
#[test]
fn new_field_names_leave_files_that_imported_before_as_they_were() {
    let file = "Order,Date,Customer,Buyer Username,First Name,Product,Qty,Price,Order Status,Payment Status,Refund State\n\
                A1,2026-03-01,Ann Lee,annie88,Ann,Tea,1,4.00,completed,paid,\n\
                A1,2026-03-01,,annie88,Ann,Mug,1,6.00,,,\n\
                A2,2026-03-02,Bo Chen,bo,Bo,Tea,1,4.00,completed,paid,refunded\n";
    let mapped = Options { map: vec![("Refund State".into(), "status".into())], ..options() };
    let report = import_text(&mut manager_shop(), file, &mapped).unwrap();
    assert_eq!((report.orders, report.lines, report.customers, report.cancelled), (1, 2, 1, 1));
    let unused: Vec<&str> = report.columns.iter().filter(|c| c.1.is_none()).map(|c| c.0.as_str()).collect();
    assert_eq!(unused, vec!["Buyer Username"]);
    // First and last name are the customer's name before a buyer handle.
    let handle =
        "Order,Date,Buyer Username,First Name,Last Name,Product,Qty,Price\nA1,2026-03-01,annie88,Ann,Lee,Tea,1,4.00\n";
    let report = import_text(&mut manager_shop(), handle, &options()).unwrap();
    let unused: Vec<&str> = report.columns.iter().filter(|c| c.1.is_none()).map(|c| c.0.as_str()).collect();
    assert_eq!(unused, vec!["Buyer Username"]);
    // Five status columns: the fifth is named, with the bound.
    let five = "Order,Date,Customer,Product,Qty,Price,Status,Order Status,Payment Status,Financial Status,状态\n";
    let errors = refused(import_text(&mut manager_shop(), five, &options()));
    assert_eq!((errors[0].column.as_str(), errors[0].message.contains("4")), ("状态", true), "{errors:?}");
    // A first name alone is no customer.
    let first_only = "Order,Date,First Name,Product,Qty,Price\nA1,2026-03-01,Ann,Tea,1,4.00\n";
    let errors = refused(import_text(&mut manager_shop(), first_only, &options()));
    assert!(errors[0].message.contains("customer_code / customer_email / customer_name"), "{errors:?}");
}

/// Pinduoduo's order export as it comes: its headers are read with no mapping, the
/// recipient names the buyer, and a cancelled order is left out. Its 商品总价 is before the
/// shop's coupon (店铺优惠折扣), which is taken off: 39.90 - 2.00 was sold, not 39.90.
#[test]
fn a_pinduoduo_export_imports_as_exported() {
    let file = "商品,订单号,订单状态,商品总价(元),店铺优惠折扣(元),商品数量(件),收货人,省,市,订单成交时间,商品id,售后状态,发货时间\n\
                农家土鸡蛋30枚,231128-001,已发货，待收货,39.90,2.00,1,张三,浙江省,杭州市,2026-11-01 10:02:03,5501,无售后或售后取消,2026-11-02 09:00:00\n\
                农家土鸡蛋30枚,231128-002,已签收,79.80,0.00,2,李四,江苏省,南京市,2026-11-03 12:00:00,5501,无售后或售后取消,2026-11-03 18:00:00\n\
                新疆红枣1kg,231128-003,已取消,25.00,0.00,1,王五,广东省,广州市,2026-11-04 08:00:00,5502,退款成功,\n";
    let mut s = manager_shop();
    let report = import_text(&mut s, file, &options()).unwrap();
    assert_eq!((report.orders, report.lines, report.cancelled, report.customers, report.products), (2, 2, 1, 2, 1));
    assert_eq!(report.net, Money::parse("117.70").unwrap());
    let order = crate::db::orders::order_by_number(s.db.conn(), "231128-002").unwrap().unwrap();
    assert_eq!((order.order_date.as_str(), order.region.as_str()), ("2026-11-03", "江苏省"));
    let unused: Vec<&str> = report.columns.iter().filter(|c| c.1.is_none()).map(|c| c.0.as_str()).collect();
    assert_eq!(unused, vec!["售后状态"]);
    let coupon: (i64, i64) =
        s.db.conn()
            .query_row(
                "SELECT l.discount_bp, l.amount FROM order_lines l JOIN orders o ON o.id = l.order_id
             WHERE o.number = '231128-001'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    assert_eq!(coupon, (501, 3790), "2.00 of 39.90 is 5.01 % off, leaving 37.90");
}

/// An amount before the discount with a percent discount leaves what the discount does
/// not take; beside a unit price that disagrees with it, it is the column named.
#[test]
fn an_amount_before_the_discount_has_the_discount_taken_off() {
    let mut s = manager_shop();
    let file = "Order ID,Order Date,Customer Name,Product Name,Quantity,Gross Sales,Discount\n\
                B-1,2026-03-01,Anna,Tea,2,20.00,10%\n\
                B-2,2026-03-02,Anna,Tea,1,9.99,\n";
    assert_eq!(import_text(&mut s, file, &options()).unwrap().net.to_string(), "27.99");
    let priced = "Order ID,Order Date,Customer Name,Product Name,Quantity,Price,Amount Before Discount\n\
                  P-1,2026-03-01,Anna,Tea,2,10,25\n";
    let errors = refused(import_text(&mut s, priced, &options()));
    assert_eq!(
        (errors.len(), errors[0].line, errors[0].column.as_str()),
        (1, 2, "Amount Before Discount"),
        "{errors:?}"
    );
    assert!(errors[0].message.contains("(20.00)"), "{errors:?}");
}

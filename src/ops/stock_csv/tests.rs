use super::*;
use crate::db::Db;
use crate::ops::{Clock, Session};

const SUPPLIERS: &str = "code,name,contact,phone,email,lead_days,payment_days\r\n\
    ACME,Acme Wholesale,Jo,'+49 30 1234,jo@acme.example,5,30\r\n\
    NIHAO,你好食品,王芳,,,10,45\r\n";

const PRODUCTS: &str = "sku,name,category,unit,sale_price,cost_price,tax_rate,reorder_point,reorder_qty,lead_days,\
    supplier,supplier_sku,supplier_price,tracks_lots,allow_negative,barcodes,archived\r\n\
    BOLT-8,Bolt M8,Hardware/Bolts,pcs,0.3500,0.1200,19,100.000,500.000,5,ACME,A-88,0.1100,no,no,4006381333931,no\r\n\
    MILK-1,Milk 1 l,Food/Dairy,pcs,1.2900,0.8000,7,24.000,48.000,2,NIHAO,,0.0000,yes,no,,no\r\n\
    RICE,大米 5 kg,Food/Grain,kg,2.4900,1.5000,7,0.000,0.000,0,,,0.0000,no,no,0012345 0099,yes\r\n";

fn empty_shop() -> Session {
    Session::start(Db::open_in_memory().unwrap(), "alice", Clock::Fixed("2026-11-27T10:00:00Z".into())).unwrap()
}

fn stocked_shop() -> Session {
    let mut s = empty_shop();
    import_suppliers(&mut s, SUPPLIERS.as_bytes(), false).unwrap();
    import_products(&mut s, PRODUCTS.as_bytes(), false).unwrap();
    s
}

fn export(s: &Session, f: fn(&Session, &mut Vec<u8>) -> Result<usize>) -> String {
    let mut out = Vec::new();
    f(s, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn products_and_suppliers_round_trip() {
    let mut s = stocked_shop();
    assert_eq!(export(&s, |s, o| export_suppliers(s, o)), SUPPLIERS);
    assert_eq!(export(&s, |s, o| export_products(s, o)), PRODUCTS);
    let again = import_products(&mut s, PRODUCTS.as_bytes(), false).unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    let rice = crate::db::products::product_by_code(s.db.conn(), "0099").unwrap().unwrap();
    assert_eq!((rice.data.sku.as_str(), rice.archived), ("RICE", true), "found by barcode, archived kept");
}

#[test]
fn a_partial_file_updates_only_its_columns() {
    let mut s = stocked_shop();
    let report = import_products(&mut s, b"sku;sale_price\nBOLT-8;0,40\n", false).unwrap();
    assert_eq!(report.updated, 1);
    let bolt = crate::db::products::product_by_sku(s.db.conn(), "BOLT-8").unwrap().unwrap();
    assert_eq!((bolt.data.sale_price.to_string().as_str(), bolt.data.supplier.as_str()), ("0.4000", "ACME"));
}

#[test]
fn every_bad_product_line_is_named_and_nothing_is_written() {
    let mut s = stocked_shop();
    let file = "sku,name,supplier,barcodes,sale_price\n\
                NEW-1,Fine,ACME,,1\n\
                NEW-2,,NOPE,4006381333931,-2\n\
                NEW-1,Twice,,,1\n";
    let Err(Error::Import { errors, .. }) = import_products(&mut s, file.as_bytes(), false) else { panic!() };
    let found: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(found, vec![(3, "name"), (3, "sale_price"), (4, "sku")], "{errors:?}");
    assert!(crate::db::products::product_by_sku(s.db.conn(), "NEW-1").unwrap().is_none());
    let file = "sku,name,supplier,barcodes\nNEW-3,X,NOPE,4006381333931\n";
    let Err(Error::Import { errors, .. }) = import_products(&mut s, file.as_bytes(), false) else { panic!() };
    let found: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(found, vec!["supplier", "barcodes"], "{errors:?}");
    assert!(errors[1].to_string().contains("BOLT-8"), "names the product that has it: {}", errors[1]);
    // An EAN that Excel showed as 4.00638E+12, and a price it shortened likewise.
    let file = "sku,name,barcodes,sale_price\nNEW-4,Y,4.00638E+12,1.23457E+11\n";
    let Err(Error::Import { errors, .. }) = import_products(&mut s, file.as_bytes(), false) else { panic!() };
    let found: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(found, vec!["sale_price", "barcodes"], "{errors:?}");
    assert!(errors[1].message.contains("digits past the sixth are lost"), "{errors:?}");
}

#[test]
fn stock_counts_round_trip_into_a_new_shop() {
    let mut s = stocked_shop();
    let counts = "warehouse,sku,lot,expiry,quantity,unit_cost\r\n\
                  MAIN,BOLT-8,,,250.000,0.1200\r\n\
                  MAIN,MILK-1,L-0107,2027-01-07,12.000,0.8000\r\n\
                  MAIN,MILK-1,L-1203,2026-12-03,6.000,0.8000\r\n\
                  MAIN,RICE,,,12.500,1.5000\r\n";
    let dry = import_stock(&mut s, counts.as_bytes(), true, "OPENING").unwrap();
    assert_eq!((dry.updated, dry.dry_run), (4, true));
    assert_eq!(export(&s, |s, o| export_stock(s, o)).lines().count(), 1, "a dry run writes nothing");
    import_stock(&mut s, counts.as_bytes(), false, "OPENING").unwrap();
    let exported = export(&s, |s, o| export_stock(s, o));
    // Lots come out earliest expiry first.
    assert!(exported.contains("MAIN,MILK-1,L-1203,2026-12-03,6.000,0.8000\r\nMAIN,MILK-1,L-0107"), "{exported}");
    let second = import_stock(&mut s, exported.as_bytes(), false, "AGAIN").unwrap();
    assert_eq!((second.updated, second.unchanged), (0, 4), "the same counts change nothing");

    let mut fresh = stocked_shop();
    import_stock(&mut fresh, exported.as_bytes(), false, "OPENING").unwrap();
    assert_eq!(export(&fresh, |s, o| export_stock(s, o)), exported);
    assert!(crate::ops::ledger::check(&fresh).unwrap().is_empty());
    let moves = export(&fresh, |s, o| export_moves(s, o));
    assert_eq!(moves.lines().filter(|l| l.contains(",count,")).count(), 4, "{moves}");
}

#[test]
fn bad_count_lines_are_named() {
    let mut s = stocked_shop();
    import_stock(&mut s, b"warehouse,sku,lot,expiry,quantity\nMAIN,MILK-1,L1,2027-01-01,1\n", false, "").unwrap();
    let file = "warehouse,sku,lot,expiry,quantity\n\
                NOWHERE,BOLT-8,,,1\n\
                MAIN,NOPE,,,x\n\
                MAIN,MILK-1,,,1\n\
                MAIN,BOLT-8,L9,,-1\n\
                MAIN,MILK-1,L1,2027-02-02,1\n\
                MAIN,BOLT-8,L9,,2\n";
    let Err(Error::Import { errors, .. }) = import_stock(&mut s, file.as_bytes(), false, "") else { panic!() };
    let found: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    // Line 7 counts line 5's again: named though line 5 is wrong too.
    assert_eq!(
        found,
        vec![
            (2, "warehouse"),
            (3, "sku"),
            (3, "quantity"),
            (4, "lot"),
            (5, "quantity"),
            (5, "lot"),
            (6, "expiry"),
            (7, "lot"),
            (7, "sku")
        ],
        "{errors:?}"
    );
}

/// Pieces are counted whole, as on the count screen; goods sold by measure need not be.
#[test]
fn pieces_are_counted_whole() {
    let mut s = stocked_shop();
    let file = "warehouse,sku,quantity\nMAIN,BOLT-8,2.5\nMAIN,RICE,2.5\n";
    let Err(Error::Import { errors, .. }) = import_stock(&mut s, file.as_bytes(), false, "") else { panic!() };
    let found: Vec<(u64, &str, &str)> = errors.iter().map(|e| (e.line, e.column.as_str(), e.value.as_str())).collect();
    assert_eq!(found, vec![(2, "quantity", "2.5")]);
    import_stock(&mut s, b"warehouse,sku,quantity\nMAIN,BOLT-8,2\nMAIN,RICE,2.5\n", false, "").unwrap();
}

#[test]
fn warehouses_round_trip_and_need_a_manager() {
    let mut s = empty_shop();
    let file = "code,name,allow_negative,is_default\r\nMAIN,Main warehouse,no,yes\r\nSHOP,Shop 店,yes,no\r\n";
    import_warehouses(&mut s, file.as_bytes(), false).unwrap();
    assert_eq!(export(&s, |s, o| export_warehouses(s, o)), file);
    let moved = "code,is_default\nSHOP,yes\n";
    import_warehouses(&mut s, moved.as_bytes(), false).unwrap();
    let defaults: Vec<_> =
        crate::db::products::warehouses(s.db.conn()).unwrap().into_iter().filter(|w| w.data.is_default).collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0].data.code, "SHOP");
    let Err(Error::Import { errors, .. }) = import_warehouses(&mut s, b"code,is_default\nSHOP,yes\nMAIN,yes\n", false)
    else {
        panic!("two defaults")
    };
    assert_eq!((errors[0].line, errors[0].column.as_str()), (3, "is_default"), "{errors:?}");
    assert!(errors[0].message.contains("line 2 makes its warehouse the default already"), "{errors:?}");
    let mut clerk = Session::start(s.db, "clerk", Clock::System).unwrap();
    assert!(matches!(import_warehouses(&mut clerk, file.as_bytes(), false), Err(Error::NotAllowed { .. })));
}

#[test]
fn negative_stock_and_untidy_product_files_round_trip() {
    let mut s = stocked_shop();
    import_products(&mut s, b"sku,name,allow_negative\nOWE,Owed goods,yes\n", false).unwrap();
    let m = crate::ops::ledger::MoveForm {
        product: "OWE".into(),
        quantity: "-2".into(),
        note: "sold ahead".into(),
        ..Default::default()
    };
    let input = crate::ops::ledger::parse_move(s.db.conn(), &m, crate::domain::stock::MoveKind::Adjustment).unwrap();
    crate::ops::ledger::post(&mut s, crate::domain::stock::MoveKind::Adjustment, &input).unwrap();
    let exported = export(&s, |s, o| export_stock(s, o));
    assert!(exported.contains("MAIN,OWE,,,-2.000,"), "{exported}");
    let again = import_stock(&mut s, exported.as_bytes(), false, "").unwrap();
    assert_eq!(again.updated, 0, "negative stock reads back where it is allowed");

    // Barcodes in another order and codes in another case are the same product.
    let untidy = "sku,name,supplier,barcodes\nbolt-8,Bolt M8,acme,4006381333931\nrice,大米 5 kg,,0099 0012345\n";
    let report = import_products(&mut s, untidy.as_bytes(), false).unwrap();
    assert_eq!((report.updated, report.unchanged), (0, 2), "{report:?}");
}

#[test]
fn the_kept_product_counts_follow_creates_and_archives() {
    let mut s = stocked_shop();
    let count = |s: &Session, archived: bool| {
        let query = crate::db::products::ProductQuery { include_archived: archived, ..Default::default() };
        crate::db::products::product_count(s.db.conn(), &query).unwrap()
    };
    assert_eq!((count(&s, false), count(&s, true)), (2, 3), "RICE is archived");
    import_products(&mut s, b"sku,archived\nRICE,no\nBOLT-8,yes\n", false).unwrap();
    assert_eq!((count(&s, false), count(&s, true)), (2, 3));
    import_products(&mut s, b"sku,name\nNEW,New thing\n", false).unwrap();
    assert_eq!((count(&s, false), count(&s, true)), (3, 4));
    assert!(crate::db::products::count_problems(s.db.conn()).unwrap().is_empty());
    s.db.conn().execute("UPDATE product_counts SET active = 99", []).unwrap();
    assert_eq!(crate::db::products::count_problems(s.db.conn()).unwrap().len(), 1);
}

#[test]
fn supplier_forms_never_overwrite_silently() {
    let mut s = stocked_shop();
    let acme = crate::ops::stock::suppliers(&s).unwrap().into_iter().find(|x| x.data.code == "ACME").unwrap();
    let input = crate::ops::stock::supplier_input(&acme);
    let Err(Error::Invalid(errors)) = crate::ops::stock::save_supplier(&mut s, None, &input) else { panic!() };
    assert_eq!(errors[0].problem, Problem::DuplicateCode, "a new supplier with a code in use");
    crate::ops::stock::save_supplier(&mut s, Some(&acme), &SupplierInput { name: "Acme 2".into(), ..input.clone() })
        .unwrap();
    let stale =
        crate::ops::stock::save_supplier(&mut s, Some(&acme), &SupplierInput { name: "Acme 3".into(), ..input });
    assert!(matches!(stale, Err(Error::Conflict { .. })), "saved meanwhile by someone else");
    assert!(crate::domain::stock::sold_by_measure("KG") && crate::domain::stock::sold_by_measure("千克"));
    assert!(!crate::domain::stock::sold_by_measure("pcs"));
}

#[test]
fn warehouse_reorder_points_round_trip() {
    let mut s = stocked_shop();
    import_warehouses(&mut s, b"code,name\nSHOP,Shop\n", false).unwrap();
    let file = "warehouse,sku,reorder_point,reorder_qty\r\nSHOP,BOLT-8,10.000,40.000\r\nMAIN,MILK-1,0.000,0.000\r\n";
    // A warehouse opened after the products starts with its own zero reorder points.
    let opened = export(&s, |s, o| export_reorder(s, o));
    assert!(opened.contains("SHOP,BOLT-8,0.000,0.000") && opened.lines().count() == 4, "{opened}");
    let report = import_reorder(&mut s, file.as_bytes(), false).unwrap();
    assert_eq!((report.updated, report.unchanged), (2, 0));
    let exported = export(&s, |s, o| export_reorder(s, o));
    assert!(exported.contains("SHOP,BOLT-8,10.000,40.000\r\nMAIN,MILK-1,0.000,0.000\r\n"), "{exported}");
    assert_eq!(import_reorder(&mut s, exported.as_bytes(), false).unwrap().updated, 0, "the same file changes nothing");
    import_reorder(&mut s, b"warehouse,sku,reorder_point,reorder_qty\nSHOP,BOLT-8,,\n", false).unwrap();
    assert!(!export(&s, |s, o| export_reorder(s, o)).contains("SHOP,BOLT-8"), "back to the product's figures");
    let bad = "warehouse,sku,reorder_point\nSHOP,NOPE,-1\n";
    let Err(Error::Import { errors, .. }) = import_reorder(&mut s, bad.as_bytes(), false) else { panic!() };
    assert_eq!(errors.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(), vec!["sku", "reorder_point"]);
}

/// One mark before three digits is a thousands mark or three decimals: which one, the file
/// tells by its separator (a `;` file writes decimal commas); where it cannot, the line is
/// refused rather than read a thousand times off.
#[test]
fn a_number_that_could_be_thousands_is_read_as_the_file_writes_numbers_or_refused() {
    let mut s = stocked_shop();
    let err = import_products(&mut s, b"sku,sale_price\nBOLT-8,\"1,299\"\n", false).unwrap_err().to_string();
    assert!(err.contains("line 2, column sale_price: '1,299' could be thousands or three decimals"), "{err}");
    let err = import_products(&mut s, b"sku;reorder_point\nBOLT-8;1.000\n", false).unwrap_err().to_string();
    assert!(err.contains("line 2, column reorder_point: '1.000' could be thousands"), "{err}");
    import_products(&mut s, b"sku;reorder_point\nBOLT-8;1,000\n", false).unwrap();
    let bolt = crate::db::products::product_by_sku(s.db.conn(), "BOLT-8").unwrap().unwrap();
    assert_eq!(bolt.data.reorder_point.to_string(), "1.000");
    import_products(&mut s, b"sku,reorder_point\nBOLT-8,2.000\n", false).unwrap();
    let bolt = crate::db::products::product_by_sku(s.db.conn(), "BOLT-8").unwrap().unwrap();
    assert_eq!(bolt.data.reorder_point.to_string(), "2.000", "a dot in a comma file is decimal, as exports write");
}

//! Every table that goes out and comes in as CSV, by name: what the command line's
//! `export`/`import` and the import screen both dispatch through.

use std::io::Write;

use super::Session;
use super::customers::ImportReport;
use crate::error::Result;
use crate::i18n::t;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum Table {
    SalesHistory,
    Settings,
    Customers,
    Contacts,
    Feedback,
    Opportunities,
    Tiers,
    Stages,
    Suppliers,
    Products,
    Warehouses,
    Stock,
    ReorderPoints,
    PurchaseOrders,
    Orders,
    Targets,
    Moves,
    Invoices,
    Payments,
}

impl Table {
    /// The name on the command line and in file names: `reorder-points`.
    pub fn name(self) -> &'static str {
        match self {
            Table::SalesHistory => "sales-history",
            Table::Settings => "settings",
            Table::Customers => "customers",
            Table::Contacts => "contacts",
            Table::Feedback => "feedback",
            Table::Opportunities => "opportunities",
            Table::Tiers => "tiers",
            Table::Stages => "stages",
            Table::Suppliers => "suppliers",
            Table::Products => "products",
            Table::Warehouses => "warehouses",
            Table::Stock => "stock",
            Table::ReorderPoints => "reorder-points",
            Table::PurchaseOrders => "purchase-orders",
            Table::Orders => "orders",
            Table::Targets => "targets",
            Table::Moves => "moves",
            Table::Invoices => "invoices",
            Table::Payments => "payments",
        }
    }

    /// Tables a file can be imported into (all but the stock ledger), in the order an empty
    /// shop takes them.
    pub fn importable() -> Vec<Table> {
        super::shop_copy::ORDER.to_vec()
    }

    /// The table a file was exported from when columns only its format has tell: the
    /// finance tables (they look like sales history otherwise: an order, a date, a
    /// quantity), settings, and orders (every column one of the orders export's, whatever
    /// table the screen had chosen for the file before).
    pub fn told_by_columns(headers: &[String]) -> Option<Table> {
        let has = |name: &str| headers.iter().any(|h| h.trim().eq_ignore_ascii_case(name));
        if headers.len() == 2 && has("key") && has("value") {
            Some(Table::Settings)
        } else if has("issue_date") && ["credits", "kind", "due_date", "gross"].iter().any(|c| has(c)) {
            Some(Table::Invoices)
        } else if has("received_on") && has("allocated") {
            Some(Table::Payments)
        } else if has("number")
            && has("sku")
            && headers.iter().all(|h| {
                h.trim().is_empty() || super::order_csv::ORDER_COLUMNS.contains(&h.trim().to_lowercase().as_str())
            })
        {
            Some(Table::Orders)
        } else {
            None
        }
    }

    /// The columns of the table's own CSV format, as its export writes them (none for
    /// sales history, whose columns are another system's).
    pub fn columns(self) -> Vec<&'static str> {
        use super::*;
        match self {
            Table::SalesHistory => Vec::new(),
            Table::Settings => settings_csv::COLUMNS.to_vec(),
            Table::Customers => customers::csv_columns(),
            Table::Contacts => crm::CONTACT_COLUMNS.to_vec(),
            Table::Feedback => crm::FEEDBACK_COLUMNS.to_vec(),
            Table::Opportunities => pipeline::COLUMNS.to_vec(),
            Table::Tiers => tiers::COLUMNS.to_vec(),
            Table::Stages => pipeline::STAGE_COLUMNS.to_vec(),
            Table::Suppliers => stock_csv::SUPPLIER_COLUMNS.to_vec(),
            Table::Products => stock_csv::PRODUCT_COLUMNS.to_vec(),
            Table::Warehouses => stock_csv::WAREHOUSE_COLUMNS.to_vec(),
            Table::Stock => stock_csv::STOCK_COLUMNS.to_vec(),
            Table::ReorderPoints => stock_csv::REORDER_COLUMNS.to_vec(),
            Table::PurchaseOrders => purchasing::PO_COLUMNS.to_vec(),
            Table::Orders => order_csv::ORDER_COLUMNS.to_vec(),
            Table::Targets => targets::COLUMNS.to_vec(),
            Table::Moves => stock_csv::MOVE_COLUMNS.to_vec(),
            Table::Invoices => invoice_csv::INVOICE_COLUMNS.to_vec(),
            Table::Payments => invoice_csv::PAYMENT_COLUMNS.to_vec(),
        }
    }

    /// Whether the table's own format has a column of this header (any case; a column
    /// without a name counts as had: it is refused only where it holds a value). Sales
    /// history takes any column.
    pub fn has_column(self, header: &str) -> bool {
        let name = header.trim().to_lowercase();
        self == Table::SalesHistory || name.is_empty() || self.columns().contains(&name.as_str())
    }

    /// Whether at least half of the file's named columns are the table's: a file that is
    /// mostly other columns is another system's (a shop platform's export).
    pub fn has_most_of(self, headers: &[String]) -> bool {
        let named: Vec<&String> = headers.iter().filter(|h| !h.trim().is_empty()).collect();
        named.iter().filter(|h| self.has_column(h)).count() * 2 >= named.len()
    }

    /// The table a file of these columns goes into when `current` cannot take it: the
    /// first, in the order shops most often bring tables in, whose format has every column
    /// of the file (`code,customer,title,stage` is opportunities; `code,name,phone` is
    /// customers before suppliers). `None` when `current` takes the file, or no table does.
    pub fn fitting(headers: &[String], current: Table) -> Option<Table> {
        // Columns without a name (left past the last by a spreadsheet) tell nothing.
        let names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).filter(|h| !h.is_empty()).collect();
        let fits = |table: Table| {
            let columns = table.columns();
            !names.is_empty() && names.iter().all(|n| columns.contains(&n.as_str()))
        };
        if fits(current) {
            return None;
        }
        use Table::*;
        let most_often = [
            Customers,
            Products,
            Orders,
            Invoices,
            Payments,
            Contacts,
            Opportunities,
            Feedback,
            Suppliers,
            Stock,
            PurchaseOrders,
            ReorderPoints,
            Warehouses,
            Targets,
            Tiers,
            Stages,
            Settings,
        ];
        most_often.into_iter().find(|t| fits(*t))
    }

    pub fn export(self, session: &Session, out: &mut dyn Write) -> Result<usize> {
        use super::*;
        match self {
            Table::SalesHistory => sales_history::export(session, out),
            Table::Settings => settings_csv::export(session, out),
            Table::Customers => customers::export(session, out),
            Table::Contacts => crm::export_contacts(session, out),
            Table::Feedback => crm::export_feedback(session, out),
            Table::Opportunities => pipeline::export(session, out),
            Table::Tiers => tiers::export(session, out),
            Table::Stages => pipeline::export_stages(session, out),
            Table::Suppliers => stock_csv::export_suppliers(session, out),
            Table::Products => stock_csv::export_products(session, out),
            Table::Warehouses => stock_csv::export_warehouses(session, out),
            Table::Stock => stock_csv::export_stock(session, out),
            Table::ReorderPoints => stock_csv::export_reorder(session, out),
            Table::PurchaseOrders => purchasing::export(session, out),
            Table::Orders => order_csv::export(session, out),
            Table::Targets => targets::export(session, out),
            Table::Moves => stock_csv::export_moves(session, out),
            Table::Invoices => invoice_csv::export_invoices(session, out),
            Table::Payments => invoice_csv::export_payments(session, out),
        }
    }

    /// Imports a file, or what was read of one; `reference` is the file's name (stock counts
    /// carry it). Sales history has its own call: `sales_history::import`.
    ///
    /// Most tables are read a record at a time, so memory holds one record whatever the
    /// file's size: the big ones (customers, contacts, opportunities, products, purchase
    /// orders, orders, invoices, payments) straight from the file, the others from the file
    /// read first. Stock counts, targets and the small tables read the file whole.
    pub fn import_input(
        self,
        session: &mut Session,
        input: &super::sales_history::Input,
        dry_run: bool,
        reference: &str,
    ) -> Result<ImportReport> {
        use super::sales_history::Input;
        match (self, input) {
            (Table::Customers, input) => super::customers::import_input(session, input, dry_run),
            (Table::Contacts, input) => super::crm::import_contacts_input(session, input, dry_run),
            (Table::Opportunities, input) => super::pipeline::import_input(session, input, dry_run),
            (Table::Products, input) => super::stock_csv::import_products_input(session, input, dry_run),
            (Table::PurchaseOrders, input) => super::purchasing::import_input(session, input, dry_run),
            (Table::Orders, input) => super::order_csv::import_input(session, input, dry_run),
            (Table::Invoices, input) => super::invoice_import::import_input(session, input, dry_run),
            (Table::Payments, input) => super::payment_import::import_input(session, input, dry_run),
            (_, Input::Bytes(bytes)) => self.import(session, bytes, dry_run, reference),
            (_, Input::File(path)) => {
                let bytes =
                    std::fs::read(path).map_err(|source| crate::error::Error::Io { path: path.clone(), source })?;
                self.import(session, &bytes, dry_run, reference)
            }
        }
    }

    /// `import_input` of what was read already.
    pub fn import(self, session: &mut Session, bytes: &[u8], dry_run: bool, reference: &str) -> Result<ImportReport> {
        use super::*;
        match self {
            Table::Settings => settings_csv::import(session, bytes, dry_run),
            Table::Customers => customers::import(session, bytes, dry_run),
            Table::Contacts => crm::import_contacts(session, bytes, dry_run),
            Table::Feedback => crm::import_feedback(session, bytes, dry_run),
            Table::Opportunities => pipeline::import(session, bytes, dry_run),
            Table::Tiers => tiers::import(session, bytes, dry_run),
            Table::Stages => pipeline::import_stages(session, bytes, dry_run),
            Table::Suppliers => stock_csv::import_suppliers(session, bytes, dry_run),
            Table::Products => stock_csv::import_products(session, bytes, dry_run),
            Table::Warehouses => stock_csv::import_warehouses(session, bytes, dry_run),
            Table::Stock => stock_csv::import_stock(session, bytes, dry_run, reference),
            Table::ReorderPoints => stock_csv::import_reorder(session, bytes, dry_run),
            Table::PurchaseOrders => purchasing::import(session, bytes, dry_run),
            Table::Orders => order_csv::import(session, bytes, dry_run),
            Table::Targets => targets::import(session, bytes, dry_run),
            Table::SalesHistory => Err(crate::error::Error::BadArgument(t("cli.history_streams").to_string())),
            Table::Moves => Err(crate::error::Error::BadArgument(t("cli.moves_export_only").to_string())),
            Table::Invoices => invoice_import::import(session, bytes, dry_run),
            Table::Payments => payment_import::import(session, bytes, dry_run),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::ops::Clock;

    fn shop() -> Session {
        Session::start(Db::open_in_memory().unwrap(), "alice", Clock::Fixed("2026-11-27T10:00:00Z".into())).unwrap()
    }

    fn export(session: &Session, table: Table) -> String {
        let mut out = Vec::new();
        table.export(session, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn invoice_and_payment_files_are_told_by_their_columns() {
        let headers = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let invoices = crate::ops::invoice_csv::INVOICE_COLUMNS;
        assert_eq!(Table::told_by_columns(&headers(invoices)), Some(Table::Invoices));
        let payments = crate::ops::invoice_csv::PAYMENT_COLUMNS;
        assert_eq!(Table::told_by_columns(&headers(payments)), Some(Table::Payments));
        assert_eq!(Table::told_by_columns(&headers(&["Order ID", "Order Date", "Quantity", "Sales"])), None);
        assert_eq!(Table::told_by_columns(&headers(crate::ops::settings_csv::COLUMNS)), Some(Table::Settings));
        assert_eq!(Table::told_by_columns(&headers(&["number", "customer", "SKU", "quantity"])), Some(Table::Orders));
        assert_eq!(Table::told_by_columns(&headers(crate::ops::order_csv::ORDER_COLUMNS)), Some(Table::Orders));
        assert_eq!(Table::told_by_columns(&headers(&["number", "sku", "quantity", "order date"])), None);
    }

    #[test]
    fn a_file_goes_to_the_table_whose_columns_it_has() {
        let headers = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let deals = headers(&["code", "customer", "Title", "stage", "value"]);
        assert_eq!(Table::fitting(&deals, Table::Customers), Some(Table::Opportunities));
        assert_eq!(Table::fitting(&deals, Table::Opportunities), None, "the chosen table takes it");
        // Columns several tables have: the one chosen stays, else the one most often imported.
        let coded = headers(&["code", "name"]);
        assert_eq!(Table::fitting(&coded, Table::Suppliers), None);
        assert_eq!(Table::fitting(&coded, Table::SalesHistory), Some(Table::Customers));
        let people = headers(&["code", "name", "phone", "email"]);
        assert_eq!(Table::fitting(&people, Table::Products), Some(Table::Customers));
        assert_eq!(
            Table::fitting(&headers(&["code", "sku", "quantity", "supplier"]), Table::Customers),
            Some(Table::PurchaseOrders)
        );
        assert_eq!(Table::fitting(&headers(&["Order ID", "Quantity"]), Table::Customers), None);
        for table in Table::importable().into_iter().filter(|t| *t != Table::SalesHistory) {
            let own = headers(&table.columns());
            let told = Table::fitting(&own, Table::SalesHistory).or(Table::told_by_columns(&own));
            assert_eq!(told, Some(table), "its own export's columns");
        }
    }

    /// Files a shop keeps by hand have no codes. Imported twice, the second time finds every
    /// line stored as given and changes nothing; a line that differs in a cell it gives is
    /// new, as nothing says which record it would update.
    #[test]
    fn a_file_without_codes_imported_twice_changes_nothing_the_second_time() {
        let mut s = shop();
        let files = [
            (
                Table::Customers,
                "name,city,email\nAna Lima,Porto,ana@example.com\n张伟,上海,\nAna Lima,Lisboa,\n张伟,上海,\n",
            ),
            (
                Table::Contacts,
                "customer,kind,summary,follow_up\nC000001,call,Asked for prices,2026-12-01\nC000002,visit,Tea tasting,\n\
                 C000002,call,Left voicemail,\nC000002,call,Left voicemail,\n",
            ),
            (Table::Feedback, "customer,kind,severity,description\nC000001,complaint,high,Box arrived wet\n"),
            (
                Table::Opportunities,
                "customer,title,stage,value\nC000002,Office tea,lead,120.00\nC000003,Office tea,lead,80\n",
            ),
        ];
        for (table, file) in files {
            let first = table.import(&mut s, file.as_bytes(), false, "hand.csv").unwrap();
            let lines = file.lines().count() - 1;
            assert_eq!(first.created, lines, "{}: {first:?}", table.name());
            let dry = table.import(&mut s, file.as_bytes(), true, "hand.csv").unwrap();
            assert_eq!((dry.created, dry.updated, dry.unchanged), (0, 0, lines), "{}: dry run", table.name());
            let again = table.import(&mut s, file.as_bytes(), false, "hand.csv").unwrap();
            assert_eq!((again.created, again.updated, again.unchanged), (0, 0, lines), "{}", table.name());
        }
        // Each stored record stands for one line: a third like line is a third contact.
        let three = "customer,kind,summary\nC000002,call,Left voicemail\nC000002,call,Left voicemail\nC000002,call,Left voicemail\n";
        let report = Table::Contacts.import(&mut s, three.as_bytes(), false, "hand.csv").unwrap();
        assert_eq!((report.created, report.unchanged), (1, 2));
        // Another city: a customer of the same name, not an update of one.
        let moved = table_rows(&s, Table::Customers);
        let changed = Table::Customers.import(&mut s, b"name,city\nAna Lima,Faro\n", false, "hand.csv").unwrap();
        assert_eq!(changed.created, 1);
        assert_eq!(table_rows(&s, Table::Customers), moved + 1);
        // A deal moved on in the shop since: the old line is another deal again.
        let moved = "customer,title,stage,value\nC000002,Office tea,qualified,120.00\n";
        assert_eq!(Table::Opportunities.import(&mut s, moved.as_bytes(), false, "hand.csv").unwrap().created, 1);
    }

    /// Empty time and user cells of records matched by code keep what is stored: they would
    /// otherwise move to the moment (and the user) of every import of the same file.
    #[test]
    fn empty_time_cells_keep_the_stored_times_on_a_second_import() {
        let mut s = shop();
        let customers = "code,name\nC1,Ana\n";
        Table::Customers.import(&mut s, customers.as_bytes(), false, "c.csv").unwrap();
        let files = [
            (
                Table::Contacts,
                "code,customer,kind,at,user,summary\nK1,C1,visit,2026-07-13T09:00:00Z,bob,Fair\n",
                "code,customer,kind,at,user,summary\nK1,C1,visit,,,Fair\n",
            ),
            (
                Table::Feedback,
                "code,customer,description,opened\nF1,C1,Wet box,2026-07-13T09:00:00Z\n",
                "code,customer,description,opened\nF1,C1,Wet box,\n",
            ),
            (
                Table::Opportunities,
                "code,customer,title,stage,created,updated\nP1,C1,Tea,lead,2026-07-13T09:00:00Z,2026-07-14T09:00:00Z\n",
                "code,customer,title,stage,created,updated\nP1,C1,Tea,lead,,\n",
            ),
        ];
        for (table, full, empty_times) in files {
            table.import(&mut s, full.as_bytes(), false, "t.csv").unwrap();
            let before = export(&s, table);
            assert!(before.contains("2026-07-13T09:00:00Z"), "{before}");
            for _ in 0..2 {
                let again = table.import(&mut s, empty_times.as_bytes(), false, "t.csv").unwrap();
                assert_eq!((again.updated, again.unchanged), (0, 1), "{}", table.name());
            }
            assert_eq!(export(&s, table), before, "{}", table.name());
        }
        // Empty choices take the default of a new record, and keep a stored one's.
        let defaults = "code,customer,kind,severity,status,description\nF2,C1,,,,Late\nF1,C1,,,,Wet box\n";
        let report = Table::Feedback.import(&mut s, defaults.as_bytes(), false, "f.csv").unwrap();
        assert_eq!((report.created, report.unchanged), (1, 1), "{report:?}");
        assert!(export(&s, Table::Feedback).contains("F2,C1,,feedback,low,open"), "{}", export(&s, Table::Feedback));
        let note = Table::Contacts.import(&mut s, b"customer,kind,summary\nC1,,Note\n", false, "k.csv").unwrap();
        assert_eq!(note.created, 1);
        // A deal that does change gets now as its update time.
        let moved = "code,customer,title,stage,created,updated\nP1,C1,Tea,qualified,,\n";
        assert_eq!(Table::Opportunities.import(&mut s, moved.as_bytes(), false, "t.csv").unwrap().updated, 1);
        assert!(export(&s, Table::Opportunities).contains("2026-11-27T10:00:00Z"));
        // A purchase order whose file leaves `created` empty is the same order again.
        let suppliers = "code,name\nACME,Acme\n";
        Table::Suppliers.import(&mut s, suppliers.as_bytes(), false, "s.csv").unwrap();
        let products = "sku,name,sale_price\nTEA,Tea,3.99\n";
        Table::Products.import(&mut s, products.as_bytes(), false, "p.csv").unwrap();
        let po = "code,supplier,warehouse,status,sku,quantity\nPO-H,ACME,MAIN,sent,TEA,10\n";
        assert_eq!(Table::PurchaseOrders.import(&mut s, po.as_bytes(), false, "purchases.csv").unwrap().created, 1);
        s.clock = Clock::Fixed("2026-11-27T10:00:02Z".into());
        // The supplier's price changed since: the order's empty cost cell is not compared.
        let repriced = "sku,name,sale_price,supplier_price\nTEA,Tea,3.99,2.10\n";
        Table::Products.import(&mut s, repriced.as_bytes(), false, "p.csv").unwrap();
        let again = Table::PurchaseOrders.import(&mut s, po.as_bytes(), false, "purchases.csv").unwrap();
        assert_eq!((again.created, again.unchanged), (0, 1));
    }

    /// An order file that leaves prices, discounts and the address to the shop is the same
    /// order again after the product is repriced and the tier's discount changes.
    #[test]
    fn an_order_file_without_prices_imports_again_after_prices_change() {
        let mut s = shop();
        Table::Tiers.import(&mut s, b"code,name,payment_days,discount\nA,A,10,5\n", false, "t.csv").unwrap();
        Table::Customers.import(&mut s, b"code,name,tier,city\nC1,Ana,A,Porto\n", false, "c.csv").unwrap();
        Table::Products.import(&mut s, b"sku,name,sale_price\nTEA,Tea,3.99\n", false, "p.csv").unwrap();
        let order = "number,customer,order_date,sku,quantity,amount\nOX-1,C1,2026-11-20,TEA,2,7.58\n";
        assert_eq!(Table::Orders.import(&mut s, order.as_bytes(), false, "o.csv").unwrap().created, 1);
        let stored = export(&s, Table::Orders);
        assert!(stored.contains("3.9900,5,"), "{stored}");
        Table::Tiers.import(&mut s, b"code,name,payment_days,discount\nA,A,10,7\n", false, "t.csv").unwrap();
        Table::Products.import(&mut s, b"sku,name,sale_price\nTEA,Tea,4.50\n", false, "p.csv").unwrap();
        Table::Customers.import(&mut s, b"code,name,tier,city\nC1,Ana,A,Faro\n", false, "c.csv").unwrap();
        let again = Table::Orders.import(&mut s, order.as_bytes(), false, "o.csv").unwrap();
        assert_eq!((again.created, again.unchanged), (0, 1));
        assert_eq!(export(&s, Table::Orders), stored, "the stored order keeps its prices");
        // A price the file does give is still held to the stored one.
        let other = "number,customer,order_date,sku,quantity,unit_price\nOX-1,C1,2026-11-20,TEA,2,4.50\n";
        assert!(Table::Orders.import(&mut s, other.as_bytes(), false, "o.csv").is_err());
    }

    fn table_rows(s: &Session, table: Table) -> usize {
        export(s, table).lines().count() - 1
    }

    /// The demo shop's tables, exported, imported into an empty shop in the order each
    /// needs the ones before, and exported again: the same files. (Orders past confirmed,
    /// invoices and payments do not import yet; sales history has its own round trip.)
    #[test]
    fn every_importable_table_of_the_demo_shop_round_trips_into_an_empty_shop() {
        let mut demo = shop();
        crate::ops::demo::ensure_demo_data(&mut demo).unwrap();
        // Some sales history from before the shop, with its own customer and product.
        let history = "Order ID,Order Date,Customer Name,Product ID,Product Name,Quantity,Sales\n\
                       H-1,2023-03-02,Old Customer,OLD-1,Old product,2,7.98\n\
                       H-2,2023-04-10,Old Customer,OLD-1,Old product,1,3.99\n";
        let input = crate::ops::sales_history::Input::Bytes(std::sync::Arc::new(history.as_bytes().to_vec()));
        let options = crate::ops::sales_history::Options::default();
        crate::ops::sales_history::import(&mut demo, &input, &options, &mut |_, _| true).unwrap();
        let mut empty = shop();
        for table in crate::ops::shop_copy::ORDER {
            let first = export(&demo, table);
            if table == Table::SalesHistory {
                let input = crate::ops::sales_history::Input::Bytes(std::sync::Arc::new(first.clone().into_bytes()));
                let options = crate::ops::sales_history::Options::default();
                crate::ops::sales_history::import(&mut empty, &input, &options, &mut |_, _| true).unwrap();
                assert_eq!(export(&empty, table), first, "sales history differs after the round trip");
                continue;
            }
            let report = table.import(&mut empty, first.as_bytes(), false, "demo.csv");
            assert!(report.is_ok(), "{}: {report:?}", table.name());
            assert_eq!(export(&empty, table), first, "{} differs after the round trip", table.name());
            let again = table.import(&mut empty, first.as_bytes(), false, "demo.csv").unwrap();
            assert_eq!((again.created, again.updated), (0, 0), "{}: a second import changes nothing", table.name());
        }
        assert_eq!(crate::ops::integrity::problems(&empty).unwrap(), Vec::<String>::new(), "the copy checks clean");
    }
}

//! The command line: `shopdesk [--db PATH] [COMMAND]`. No command opens the interface;
//! every command is headless and scriptable, with exit code 0 on success and one clear line
//! on stderr otherwise.

/// `println!` that returns an error instead of panicking when the reader has gone away
/// (`shopdesk settings | head -1`); `main` takes a broken pipe as success.
macro_rules! say {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout().lock(), format_args!("{}\n", format_args!($($arg)*)))
            .map_err(|source| $crate::error::Error::Io { path: "-".into(), source })
    };
}

/// `print!` as `say!`.
macro_rules! say_raw {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout().lock(), format_args!($($arg)*))
            .map_err(|source| $crate::error::Error::Io { path: "-".into(), source })
    };
}

pub mod bench;
mod bench_import;
mod history;
pub mod invoice;
pub mod order;
pub mod report;
pub mod stock;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::db::Db;
use crate::domain::user::Role;
use crate::error::{Error, Result};
use crate::i18n::{self, Lang, t, tf};
use crate::ops::{self, Clock, Session};

#[derive(Debug, Parser)]
#[command(name = "shopdesk", version, about = "Keyboard-driven sales management for small shops")]
pub struct Cli {
    /// Database file (default: shopdesk.db in your data folder)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Use the demo shop (demo.db in your data folder), created with sample data on first use
    #[arg(long, global = true, conflicts_with = "db")]
    pub demo: bool,
    /// Act as this user (default: your login name)
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// Language: en or zh-CN (default: config file, then your locale)
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a table as CSV (to a file, or to standard output)
    Export {
        table: TableName,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write the whole shop into FOLDER, one CSV file per table (and the stock ledger, to read)
    ExportAll { folder: PathBuf },
    /// Read a shop's folder (from export-all), all of it or nothing: every table is tried in a
    /// copy first, in the order each needs the ones before (needs a manager)
    ImportAll {
        folder: PathBuf,
        /// Try every table against the ones before it, in a copy of the shop; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Read a CSV file into a table: all of it or nothing
    Import {
        table: TableName,
        file: PathBuf,
        /// Report what would change without changing anything
        #[arg(long)]
        dry_run: bool,
        /// sales-history only: read COLUMN as FIELD (e.g. --map Bestellnr=order_number);
        /// COLUMN= leaves a column out. Repeat for more columns
        #[arg(long, value_name = "COLUMN=FIELD")]
        map: Vec<String>,
        /// sales-history only: how 03/04/2026 reads, dmy or mdy (found from the file when a
        /// date like 28/04/2026 tells); ymd for two-digit years first (23/04/05)
        #[arg(long, value_name = "dmy|mdy|ymd")]
        dates: Option<String>,
    },
    /// Print a report as a table, CSV or JSON
    Report {
        #[command(subcommand)]
        what: ReportName,
    },
    /// Fill the database with a large deterministic synthetic shop, for benchmarks
    Gen {
        #[arg(long, default_value_t = 100_000)]
        customers: usize,
        /// Logged contacts spread over the customers (some with follow-ups)
        #[arg(long, default_value_t = 0)]
        contacts: usize,
        /// Feedback items and complaints spread over the customers
        #[arg(long, default_value_t = 0)]
        feedback: usize,
        /// Sales opportunities across all stages
        #[arg(long, default_value_t = 0)]
        opportunities: usize,
        /// Products in categories, with suppliers and barcodes
        #[arg(long, default_value_t = 0)]
        products: usize,
        /// Stock moves of history over the products (needs --products)
        #[arg(long, default_value_t = 0)]
        moves: usize,
        /// Orders of history (about three lines each) over the customers and products
        #[arg(long, default_value_t = 0)]
        orders: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Measure importing N order lines of sales history into an empty shop, beside the
    /// sqlite3 shell's .import of the same file
    BenchImport {
        #[arg(long, default_value_t = 1_000_000)]
        lines: usize,
        /// Folder for the file and databases (default: a temporary one, removed after)
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Measure first frame, keystroke-to-frame and memory on a generated shop
    Bench {
        /// Customers to generate into a temporary database (ignored with --db)
        #[arg(long, default_value_t = 100_000)]
        customers: usize,
        /// Contacts to generate with them
        #[arg(long, default_value_t = 300_000)]
        contacts: usize,
        /// Products to generate (in three warehouses)
        #[arg(long, default_value_t = 10_000)]
        products: usize,
        /// Stock moves of history over the products
        #[arg(long, default_value_t = 3_000_000)]
        moves: usize,
        /// Orders of history (about three lines each)
        #[arg(long, default_value_t = 1_000_000)]
        orders: usize,
    },
    /// Copy the database to FILE while others keep working
    Backup { file: PathBuf },
    /// Check the database's integrity; exits non-zero naming each problem
    Check,
    /// An order's life: show, confirm, approve, ship, deliver, cancel, delivery notes
    Order {
        #[command(subcommand)]
        action: order::OrderAction,
    },
    /// Invoices: draft from orders, issue (numbered, never changed again), show, export
    Invoice {
        #[command(subcommand)]
        action: invoice::InvoiceAction,
    },
    /// Payments: record one against invoices (the rest is credit), or use a customer's credit
    Payment {
        #[command(subcommand)]
        action: invoice::PaymentAction,
    },
    /// Refunds of customer credit: request, approve or reject (managers), pay out
    Refund {
        #[command(subcommand)]
        action: invoice::RefundAction,
    },
    /// Show the shop's settings, or set one (admins): prices_include_tax, approval_limit
    Settings {
        key: Option<String>,
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
    },
    /// Book stock moves: receive, adjust, scrap, transfer, write off expired lots
    Stock {
        #[command(subcommand)]
        action: stock::StockAction,
    },
    /// List users, or give one a role (admins only)
    Users {
        #[command(subcommand)]
        action: Option<UsersAction>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersAction {
    /// Give NAME a role: clerk, manager or admin
    SetRole { name: String, role: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TableName {
    /// The shop's settings, key and value (importing needs an admin)
    Settings,
    Customers,
    /// The contact log: calls, e-mails, meetings, visits, notes and their follow-ups
    Contacts,
    /// Feedback and complaints
    Feedback,
    /// Sales opportunities
    Opportunities,
    /// Customer tiers and their terms (importing needs a manager)
    Tiers,
    /// Pipeline stages: rename, re-rank or add (importing needs a manager)
    Stages,
    /// Products with prices, reorder points, supplier and barcodes
    Products,
    /// Suppliers (import them before products that name them)
    Suppliers,
    /// Warehouses (importing needs a manager)
    Warehouses,
    /// Stock on hand per warehouse and lot; importing posts counts (opening stock, stocktake)
    Stock,
    /// Warehouses' own reorder points and quantities (where they differ from the product's)
    ReorderPoints,
    /// The stock ledger (export only)
    Moves,
    /// Purchase orders, one line per row (importing creates new ones; existing must match)
    PurchaseOrders,
    /// Sales orders, one line per row (importing creates drafts or confirmed orders; later
    /// statuses come in as history, by a manager)
    Orders,
    /// Monthly sales targets per salesperson (importing needs a manager)
    Targets,
    /// Issued invoices and credit notes, one line per row (importing brings them in as history
    /// keeping their numbers; needs a manager)
    Invoices,
    /// Payments and refunds, one allocation per row (importing keeps their numbers, after the
    /// invoices they pay; needs a manager)
    Payments,
    /// Sales history from another system, one order line per row: columns found by name or
    /// --map; creates customers, products and closed orders (importing needs a manager)
    SalesHistory,
}

impl TableName {
    fn ops(self) -> ops::tables::Table {
        use ops::tables::Table;
        match self {
            TableName::Settings => Table::Settings,
            TableName::Customers => Table::Customers,
            TableName::Contacts => Table::Contacts,
            TableName::Feedback => Table::Feedback,
            TableName::Opportunities => Table::Opportunities,
            TableName::Tiers => Table::Tiers,
            TableName::Stages => Table::Stages,
            TableName::Products => Table::Products,
            TableName::Suppliers => Table::Suppliers,
            TableName::Warehouses => Table::Warehouses,
            TableName::Stock => Table::Stock,
            TableName::ReorderPoints => Table::ReorderPoints,
            TableName::Moves => Table::Moves,
            TableName::PurchaseOrders => Table::PurchaseOrders,
            TableName::Orders => Table::Orders,
            TableName::Targets => Table::Targets,
            TableName::Invoices => Table::Invoices,
            TableName::Payments => Table::Payments,
            TableName::SalesHistory => Table::SalesHistory,
        }
    }
}

/// The dates and format of a finance report.
#[derive(Debug, clap::Args)]
pub struct Period {
    /// First day, YYYY-MM-DD (default: everything)
    #[arg(long, default_value = "0000-01-01")]
    from: String,
    /// Last day, YYYY-MM-DD
    #[arg(long, default_value = "9999-12-31")]
    to: String,
    #[arg(long, value_enum, default_value_t = report::Format::Table)]
    format: report::Format,
}

#[derive(Debug, Subcommand)]
pub enum ReportName {
    /// Open follow-ups: overdue, due today and upcoming
    FollowUps {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// The sales pipeline: deals, value and weighted value per stage
    Pipeline {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Every product's stock per warehouse: on hand, reserved, available, incoming
    StockLevels {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Products whose available + incoming stock is below the reorder point
    LowStock {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Lots expiring within DAYS (and those already expired)
    Expiring {
        #[arg(long, default_value_t = 30)]
        days: u32,
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// What to order now, per supplier, with the forecast behind each line
    Replenishment {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Stock that has not sold for DAYS days, the most valuable first
    SlowMovers {
        #[arg(long, default_value_t = 90)]
        days: u32,
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Stock on hand by how long ago it arrived: 0-30, 31-90, 91-180, over 180 days
    StockAgeing {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Units and value of stock at cost per warehouse
    StockValuation {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Customers whose tier their buying over the last MONTHS suggests changing (RFM)
    TierSuggestions {
        #[arg(long, default_value_t = 12)]
        months: u32,
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Revenue per month from issued invoices, net of credit notes
    Revenue(Period),
    /// Tax collected per rate and month, credit notes taken off (for a VAT/GST return)
    Tax(Period),
    /// Payments received per month and method
    Payments(Period),
    /// Gross margin per month: revenue less the cost of the goods shipped
    Margin(Period),
    /// Refund requests asked for in the period, each step with who and when; --waiting for
    /// those still to approve or pay, of any date
    Refunds {
        #[command(flatten)]
        period: Period,
        #[arg(long)]
        waiting: bool,
    },
    /// A customer's statement: balance brought forward, invoices, credit notes, payments
    /// and refunds with the running balance
    Statement {
        customer: String,
        #[command(flatten)]
        period: Period,
    },
    /// Sales (invoiced, net of credit notes): by period or dimension, optionally against a
    /// period; a dimension covers whole months
    Sales {
        /// day, week, month, quarter, year, region, category, product, customer, tier,
        /// salesperson
        #[arg(long, default_value = "month")]
        by: String,
        /// month, quarter or year (with a dimension; day or week read the documents)
        #[arg(long)]
        by2: Option<String>,
        /// invoice: sales count when invoiced, net of credit notes; order: when confirmed,
        /// by order date (default: the shop's sales_basis setting)
        #[arg(long)]
        basis: Option<String>,
        /// Only these sales, e.g. region=North,category=Tea (region, category, product
        /// SKU, customer code, tier, salesperson; - for none)
        #[arg(long, default_value = "")]
        filter: String,
        #[command(flatten)]
        period: Period,
    },
    /// Monthly sales forecast after the last whole month: the method that best forecast the
    /// last six months (MAPE beside it), with a band
    Forecast {
        /// Months ahead (1-24)
        #[arg(long, default_value_t = 6)]
        months: usize,
        /// category: one forecast per product category; product: per best-selling product
        /// (the 50 best of the last year that have sold for a year)
        #[arg(long)]
        by: Option<String>,
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Salespeople against their monthly targets: actual, attainment, rank, the last 12
    /// months and their open pipeline
    Targets {
        /// YYYY-MM (default: this month)
        #[arg(long)]
        month: Option<String>,
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// The dashboard's figures: sales against last year, orders, stock, money, follow-ups
    Dashboard {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// What customers owe by age: current, 1-30, 31-60, 61-90, over 90 days overdue
    Receivables {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Orders not yet fully shipped: to approve, confirmed, part shipped
    OpenOrders {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Order lines waiting for stock, with what the warehouse has now
    Backorders {
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
    /// Shipments: open (to pick), shipped, delivered or cancelled
    Shipments {
        /// Only shipments in this state: open, shipped, delivered, cancelled
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
    },
}

fn export_table(session: &Session, table: TableName, out: &mut dyn Write) -> Result<usize> {
    table.ops().export(session, out)
}

/// Parses the command line and runs it; the return value is the process exit code.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // A reader that stopped early (`| head`) is not a failure of ours.
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "shopdesk: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let config_path = crate::paths::config_file();
    let config = Config::load(config_path.as_deref())?;
    i18n::set_lang(choose_lang(cli.lang.as_deref(), config.lang.as_deref())?);

    let path = match (&cli.db, cli.demo) {
        (Some(path), _) => path.clone(),
        (None, true) => crate::paths::demo_db()?,
        (None, false) => crate::paths::default_db()?,
    };
    // An import into a file not made yet that is refused leaves no empty shop behind (a
    // mistyped --db would otherwise become a stray shop, as a dry run's never does). Only
    // a file that holds nothing more than when it was made: not one whose import went in
    // before a later step failed, nor one another session has written to meanwhile.
    let new_file_for_import = !cli.demo
        && !path.exists()
        && matches!(
            cli.command,
            Some(Command::Import { dry_run: false, .. } | Command::ImportAll { dry_run: false, .. })
        );
    let mut rows_when_made = None;
    let result = run_on(cli, &path, config, config_path, new_file_for_import.then_some(&mut rows_when_made));
    let untouched = || {
        let made = rows_when_made?;
        let now = Db::open_reader(&path).and_then(|db| crate::db::row_total(db.conn())).ok()?;
        Some(now == made)
    };
    if result.is_err() && new_file_for_import && untouched() == Some(true) {
        for end in ["", "-wal", "-shm", "-journal"] {
            let mut file = path.clone().into_os_string();
            file.push(end);
            // Best effort: what is left cannot hold anything of the shop's.
            let _ = std::fs::remove_file(file);
        }
    }
    result
}

fn run_on(
    cli: Cli,
    path: &Path,
    config: Config,
    config_path: Option<PathBuf>,
    rows_when_made: Option<&mut Option<i64>>,
) -> Result<()> {
    let path = path.to_path_buf();
    if let Some(Command::BenchImport { lines, dir }) = &cli.command {
        return bench_import::run(*lines, dir.as_deref());
    }
    if let Some(Command::Bench { customers, contacts, products, moves, orders }) = &cli.command {
        return bench::run(cli.db.as_deref(), *customers, *contacts, (*products, *moves), *orders);
    }
    // Commands that only read never create a database: a mistyped --db is an error, not
    // a new empty shop that "has no problems".
    let reads_only = matches!(
        cli.command,
        Some(
            Command::Export { .. }
                | Command::ExportAll { .. }
                | Command::Report { .. }
                | Command::Check
                | Command::Backup { .. }
                | Command::Users { action: None }
        )
    );
    // The demo shop is made on first use, whatever the command (as --demo promises).
    if reads_only && !cli.demo && !path.exists() {
        return Err(Error::BadArgument(tf("err.no_database", &[("path", &path.display())])));
    }
    // A dry run into a file not made yet rehearses on a new shop in memory: trying never
    // leaves a database behind (a mistyped --db would otherwise become a stray shop).
    let rehearses_new =
        matches!(cli.command, Some(Command::ImportAll { dry_run: true, .. } | Command::Import { dry_run: true, .. }))
            && !path.exists();
    let db = if rehearses_new && !cli.demo { Db::open_in_memory() } else { Db::open(&path) }
        .map_err(|e| with_path(e, &path))?;
    let user = cli.user.clone().unwrap_or_else(os_user);
    let mut session = Session::start(db, &user, Clock::System)?;
    if let Some(rows) = rows_when_made {
        *rows = Some(crate::db::row_total(session.db.conn())?);
    }
    if cli.demo {
        ops::demo::ensure_demo_data(&mut session)?;
    }

    match cli.command {
        None => {
            let keymap = crate::tui::keymap::Keymap::new(&config.keys).map_err(|e| match (e, &config_path) {
                (Error::Config { reason, .. }, Some(path)) => Error::Config { path: path.clone(), reason },
                (e, _) => e,
            })?;
            let theme = crate::tui::theme::Theme::choose(config.theme.as_deref());
            let app = crate::tui::app::App::new(session, keymap, theme, (80, 24))?;
            crate::tui::run(app)
        }
        Some(Command::Export { table, output }) => {
            let count = match &output {
                Some(file) => export_to_file(file, |out| export_table(&session, table, out))?,
                None => export_table(&session, table, &mut std::io::stdout().lock())?,
            };
            if output.is_some() {
                eprintln!("{}", tf("cli.exported", &[("count", &count)]));
            }
            Ok(())
        }
        Some(Command::ExportAll { folder }) => {
            for (table, rows) in ops::shop_copy::export_all(&session, &folder)? {
                say!("{}", tf("cli.exported_table", &[("table", &table.name()), ("count", &rows)]))?;
            }
            say!("{}", tf("cli.exported_shop", &[("path", &folder.display())]))?;
            for warning in ops::shop_copy::left_behind(&session)? {
                eprintln!("{warning}");
            }
            Ok(())
        }
        Some(Command::ImportAll { folder, dry_run }) => {
            // A reader gone away (`| head`) must not stop the import half way: its tables
            // go on being imported, each all or nothing, without their lines.
            let mut say = |table: ops::tables::Table, step: &ops::shop_copy::Step| {
                let _unread = match step {
                    ops::shop_copy::Step::Missing => {
                        say!("{}", tf("cli.import_all_missing", &[("table", &table.name())]))
                    }
                    ops::shop_copy::Step::Done(what) => say!("{}: {what}", table.name()),
                };
            };
            if !dry_run {
                // Not `?`: a reader gone away must not stop the import (see `say` above).
                let _unread = say!("{}", t("cli.import_all_checking"));
            }
            ops::shop_copy::import_all(&mut session, &folder, dry_run, &mut say).map_err(|e| match e {
                Error::InFile { .. } if !dry_run => Error::Refused(format!("{e}\n{}", t("cli.import_all_unchanged"))),
                e => e,
            })?;
            let key = if dry_run { "cli.import_all_rehearsed" } else { "cli.import_all_done" };
            say!("{}", tf(key, &[("path", &folder.display())]))?;
            Ok(())
        }
        Some(Command::Import { table: TableName::SalesHistory, file, dry_run, map, dates }) => {
            let input = input_of(&file)?;
            history::import(&mut session, input, &file, dry_run, &map, dates.as_deref())
        }
        Some(Command::Import { table, file, dry_run, map, dates }) => {
            if !map.is_empty() || dates.is_some() {
                return Err(Error::BadArgument(t("cli.map_only_history").to_string()));
            }
            // Which encoding and separator were taken, when not UTF-8 with commas: from the
            // start of a file (which orders, invoices and payments then stream), or from all
            // of what standard input or a pipe gave.
            let input = input_of(&file)?;
            let dialect = match &input {
                ops::sales_history::Input::Bytes(bytes) => ops::csv_io::describe_dialect(bytes),
                ops::sales_history::Input::File(path) => {
                    ops::csv_stream::preview(path, 0).ok().and_then(|p| ops::csv_io::describe(p.encoding, p.delimiter))
                }
            };
            if let Some(dialect) = dialect {
                eprintln!("{dialect}");
            }
            let reference = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let report = table.ops().import_input(&mut session, &input, dry_run, &reference)?;
            let key = if report.dry_run { "cli.import_dry_run" } else { "cli.imported" };
            say!(
                "{}",
                tf(
                    key,
                    &[("created", &report.created), ("updated", &report.updated), ("unchanged", &report.unchanged)]
                )
            )?;
            for note in report.notes() {
                say!("{note}")?;
            }
            Ok(())
        }
        Some(Command::Report { what: ReportName::FollowUps { format } }) => report::follow_ups(&session, format),
        Some(Command::Report { what: ReportName::Pipeline { format } }) => {
            let columns = ["stage", "name", "deals", "value", "probability", "weighted"];
            report::print_rows(&columns, &ops::pipeline::report_rows(&session)?, format)
        }
        Some(Command::Report { what: ReportName::StockLevels { format } }) => {
            print_report(ops::stock_reports::levels(&session)?, format)
        }
        Some(Command::Report { what: ReportName::LowStock { format } }) => {
            print_report(ops::stock_reports::low_stock(&session)?, format)
        }
        Some(Command::Report { what: ReportName::Expiring { days, format } }) => {
            print_report(ops::stock_reports::expiring(&session, days)?, format)
        }
        Some(Command::Report { what: ReportName::Replenishment { format } }) => {
            print_report(ops::stock_reports::replenishment(&session)?, format)
        }
        Some(Command::Report { what: ReportName::SlowMovers { days, format } }) => {
            print_report(ops::stock_reports::slow_movers_report(&session, days)?, format)
        }
        Some(Command::Report { what: ReportName::StockAgeing { format } }) => {
            print_report(ops::stock_reports::ageing(&session)?, format)
        }
        Some(Command::Report { what: ReportName::StockValuation { format } }) => {
            print_report(ops::stock_reports::valuation(&session)?, format)
        }
        Some(Command::Report { what: ReportName::TierSuggestions { months, format } }) => {
            print_report(ops::rfm::report(&session, months)?, format)
        }
        Some(Command::Report { what: ReportName::Revenue(p) }) => finance(&session, ops::finance_reports::revenue, &p),
        Some(Command::Report { what: ReportName::Tax(p) }) => finance(&session, ops::finance_reports::tax, &p),
        Some(Command::Report { what: ReportName::Payments(p) }) => {
            finance(&session, ops::finance_reports::payments, &p)
        }
        Some(Command::Report { what: ReportName::Margin(p) }) => finance(&session, ops::finance_reports::margin, &p),
        Some(Command::Report { what: ReportName::Refunds { period: p, waiting } }) => {
            print_report(ops::refunds::list(&session, &period_day(&p.from)?, &period_day(&p.to)?, waiting)?, p.format)
        }
        Some(Command::Report { what: ReportName::Statement { customer, period: p } }) => print_report(
            ops::payments::statement(&session, &customer, &period_day(&p.from)?, &period_day(&p.to)?)?,
            p.format,
        ),
        Some(Command::Report { what: ReportName::Sales { by, by2, basis, filter, period: p } }) => {
            let by =
                ops::sales::By::parse(&by).ok_or_else(|| Error::BadArgument(tf("cli.sales_by", &[("value", &by)])))?;
            let by2 = match by2.as_deref().map(ops::sales::By::parse) {
                None => None,
                Some(Some(ops::sales::By::Period(p))) => Some(p),
                Some(_) => return Err(Error::BadArgument(tf("cli.sales_by2", &[("value", &by2.unwrap_or_default())]))),
            };
            let day = |text: &str| -> Result<chrono::NaiveDate> {
                let text = period_day(text)?;
                Ok(match text.as_str() {
                    "0000-01-01" => chrono::NaiveDate::MIN,
                    "9999-12-31" => chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(chrono::NaiveDate::MAX),
                    other => other.parse().map_err(|_| Error::BadArgument(tf("cli.bad_day", &[("value", &other)])))?,
                })
            };
            let basis = match basis {
                None => ops::sales::Basis::of_shop(&session)?,
                Some(text) => ops::sales::Basis::parse(&text)
                    .ok_or_else(|| Error::BadArgument(tf("order.setting_sales_basis", &[("value", &text)])))?,
            };
            let query = ops::sales::Query {
                by,
                by2,
                from: day(&p.from)?,
                to: day(&p.to)?,
                basis,
                filters: ops::sales::parse_filters(&filter)?,
            };
            // Stopped only when the progress callback says so, and this one never does.
            let Some(sales) = ops::sales::run(&session, &query, &mut |_, _| true)? else { return Ok(()) };
            if p.format == report::Format::Table {
                // CSV and JSON say it by their column: invoices or orders.
                let basis = match basis {
                    ops::sales::Basis::Invoiced => t("sales.basis_invoice"),
                    ops::sales::Basis::Ordered => t("sales.basis_order"),
                };
                say!("{basis}")?;
            }
            report::print_rows(&sales.columns, &sales.cells(), p.format)
        }
        Some(Command::Report { what: ReportName::Forecast { months, by, format } }) => {
            let scope = match by.as_deref().map(ops::forecast::Scope::parse) {
                None => ops::forecast::Scope::Total,
                Some(Some(scope)) => scope,
                Some(None) => {
                    return Err(Error::BadArgument(tf("cli.forecast_by", &[("value", &by.unwrap_or_default())])));
                }
            };
            if !(1..=24).contains(&months) {
                return Err(Error::BadArgument(tf("cli.forecast_months", &[("value", &months)])));
            }
            let (columns, rows) = ops::forecast::rows(&ops::forecast::monthly(&session, months, scope)?, scope);
            report::print_rows(&columns, &rows, format)
        }
        Some(Command::Report { what: ReportName::Targets { month, format } }) => {
            let today = session.clock.today();
            let month = month.unwrap_or_else(|| {
                format!("{}-{:02}", chrono::Datelike::year(&today), chrono::Datelike::month(&today))
            });
            print_report(ops::targets::report(&session, &month)?, format)
        }
        Some(Command::Report { what: ReportName::Dashboard { format } }) => {
            report::dashboard(&ops::dashboard::load(&session)?, format)
        }
        Some(Command::Report { what: ReportName::Receivables { format } }) => {
            print_report(ops::payments::ageing(&session)?, format)
        }
        Some(Command::Report { what: ReportName::OpenOrders { format } }) => {
            print_report(ops::order_reports::open_orders(&session)?, format)
        }
        Some(Command::Report { what: ReportName::Backorders { format } }) => {
            print_report(ops::order_reports::backorders(&session)?, format)
        }
        Some(Command::Report { what: ReportName::Shipments { status: Some(status), .. } })
            if !["open", "shipped", "delivered", "cancelled"].contains(&status.as_str()) =>
        {
            Err(Error::BadArgument(tf("cli.shipment_status", &[("status", &status)])))
        }
        Some(Command::Report { what: ReportName::Shipments { status, format } }) => {
            print_report(ops::order_reports::shipments(&session, status.as_deref())?, format)
        }
        Some(Command::Order { action }) => order::run(&mut session, action),
        Some(Command::Invoice { action }) => invoice::run(&mut session, action),
        Some(Command::Payment { action }) => invoice::run_payment(&mut session, action),
        Some(Command::Refund { action }) => invoice::run_refund(&mut session, action),
        Some(Command::Settings { key, value }) => match (key, value) {
            (Some(key), Some(value)) => {
                ops::order_entry::set_setting(&mut session, &key, &value)?;
                say!("{key} = {value}")?;
                Ok(())
            }
            (Some(key), None) => Err(Error::BadArgument(tf("cli.setting_value", &[("key", &key)]))),
            _ => {
                for (key, value) in ops::order_entry::describe_settings(&session)? {
                    say!("{key} = {value}")?;
                }
                Ok(())
            }
        },
        Some(Command::Stock { action }) => stock::run(&mut session, action),
        Some(Command::Gen { customers, contacts, feedback, opportunities, products, moves, orders, seed }) => {
            let added = ops::synth::generate(&mut session, customers, seed)?;
            ops::synth::generate_relationships(&mut session, contacts, feedback, seed)?;
            ops::synth::generate_opportunities(&mut session, opportunities, seed)?;
            if products > 0 {
                let written = ops::synth_stock::generate_stock(&mut session, products, moves, seed)?;
                say!("{}", tf("cli.generated_stock", &[("products", &products), ("moves", &written)]))?;
            }
            if orders > 0 {
                // Delivered shipments for history only at demo size (see synth_orders).
                let lines = ops::synth_orders::generate_history(&mut session, orders, seed, orders <= 10_000)?;
                say!("{}", tf("cli.generated_orders", &[("orders", &orders), ("lines", &lines)]))?;
                let (invoices, payments) = ops::synth_invoices::generate_for_history(&mut session, seed, None)?;
                say!("{}", tf("cli.generated_invoices", &[("invoices", &invoices), ("payments", &payments)]))?;
            }
            let counts: [(&str, &dyn std::fmt::Display); 5] = [
                ("count", &added),
                ("contacts", &contacts),
                ("feedback", &feedback),
                ("opportunities", &opportunities),
                ("path", &path.display()),
            ];
            say!("{}", tf("cli.generated", &counts))?;
            Ok(())
        }
        Some(Command::Backup { file }) => {
            session.db.backup_to(&file)?;
            say!("{}", tf("cli.backed_up", &[("path", &file.display())]))?;
            Ok(())
        }
        Some(Command::Check) => {
            let problems = ops::integrity::problems(&session)?;
            if problems.is_empty() {
                say!("{}", tf("cli.check_ok", &[("path", &path.display())]))?;
                Ok(())
            } else {
                // The exit code is the answer: a reader gone away (`| head`) must not turn
                // it into success.
                for p in &problems {
                    if say!("{p}").is_err() {
                        break;
                    }
                }
                Err(Error::BadArgument(tf("cli.check_failed", &[("count", &problems.len())])))
            }
        }
        Some(Command::Users { action: None }) => {
            for (name, role) in crate::db::users::list(session.db.conn())? {
                say!("{name}\t{role}")?;
            }
            Ok(())
        }
        Some(Command::Users { action: Some(UsersAction::SetRole { name, role }) }) => {
            let role: Role = role.parse().map_err(|_| Error::BadArgument(tf("err.bad_role", &[("role", &role)])))?;
            session.set_role(&name, role)?;
            say!("{}", tf("cli.role_set", &[("name", &name), ("role", &role)]))?;
            Ok(())
        }
        Some(Command::Bench { .. } | Command::BenchImport { .. }) => Ok(()),
    }
}

fn print_report((columns, rows): ops::stock_reports::Report, format: report::Format) -> Result<()> {
    report::print_rows(columns, &rows, format)
}

/// Prints a finance report for the period given.
fn finance(
    session: &Session,
    report: fn(&Session, &str, &str) -> Result<ops::stock_reports::Report>,
    p: &Period,
) -> Result<()> {
    print_report(report(session, &period_day(&p.from)?, &period_day(&p.to)?)?, p.format)
}

/// A report's --from or --to: a date, or the open ends the defaults stand for.
fn period_day(text: &str) -> Result<String> {
    if text == "0000-01-01" || text == "9999-12-31" {
        return Ok(text.to_string());
    }
    match crate::domain::fields::parse_date(text) {
        Ok(Some(day)) => Ok(day.to_string()),
        _ => Err(Error::BadArgument(tf("cli.bad_day", &[("value", &text)]))),
    }
}

/// `--lang`, then the config file, then the locale, then English.
fn choose_lang(flag: Option<&str>, config: Option<&str>) -> Result<Lang> {
    if let Some(flag) = flag {
        return Lang::parse(flag).ok_or_else(|| Error::BadArgument(tf("err.bad_lang", &[("lang", &flag)])));
    }
    if let Some(lang) = config.and_then(Lang::parse) {
        return Ok(lang);
    }
    let from_env =
        ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
    Ok(from_env.or_else(sys_locale::get_locale).as_deref().and_then(Lang::parse).unwrap_or(Lang::En))
}

/// The login name: each SSH clerk is recorded as themselves.
fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "operator".to_string())
}

/// A file to import: opened again as often as the import reads it; standard input, a pipe
/// or any other stream that reads only once is read whole first.
fn input_of(file: &Path) -> Result<ops::sales_history::Input> {
    if file != Path::new("-") && std::fs::metadata(file).is_ok_and(|m| m.is_file()) {
        return Ok(ops::sales_history::Input::File(file.to_path_buf()));
    }
    Ok(ops::sales_history::Input::Bytes(std::sync::Arc::new(read_input(file)?)))
}

fn read_input(file: &Path) -> Result<Vec<u8>> {
    if file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|source| Error::Io { path: file.to_path_buf(), source })?;
        return Ok(bytes);
    }
    std::fs::read(file).map_err(|source| Error::Io { path: file.to_path_buf(), source })
}

/// Errors from opening carry the path the user gave.
fn with_path(error: Error, path: &Path) -> Error {
    match error {
        Error::NotADatabase { .. } => Error::NotADatabase { path: path.to_path_buf() },
        other => other,
    }
}

/// Writes an export to `file`. A regular file is written beside the target and renamed
/// over it, so a failed export never leaves half a file; anything else that is there (a
/// device such as `/dev/null`, a pipe, a link such as `/dev/stdout`) is written into as it
/// is: a rename would put a plain file in its place.
fn export_to_file(file: &std::path::Path, write: impl FnOnce(&mut dyn Write) -> Result<usize>) -> Result<usize> {
    let io = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    // Not following links: `/dev/stdout` redirected to a file is a link to a regular file.
    let special = std::fs::symlink_metadata(file).is_ok_and(|m| !m.is_file());
    let target = if special { file.to_path_buf() } else { file.with_extension("partial") };
    let mut out = std::io::BufWriter::new(std::fs::File::create(&target).map_err(io(&target))?);
    let written = write(&mut out).and_then(|count| {
        // Flushed here, not on drop: a disk that fills up must fail the export, not cut it short.
        out.flush().map_err(io(&target))?;
        Ok(count)
    });
    if special {
        return written;
    }
    match written.and_then(|count| std::fs::rename(&target, file).map(|_| count).map_err(io(file))) {
        Ok(count) => Ok(count),
        Err(e) => {
            let _ = std::fs::remove_file(&target);
            Err(e)
        }
    }
}

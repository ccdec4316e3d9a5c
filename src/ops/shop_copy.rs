//! A whole shop out to a folder of CSV files, and back in: a shop leaving with its data, or
//! moving to a new file, in one command each. Each table goes through its own export and
//! import (`ops::tables`), in the order an empty shop takes them.

use std::path::{Path, PathBuf};

use super::Session;
use super::tables::Table;
use crate::error::{Error, Result};
use crate::i18n::{t, tf};

/// Every table a shop is copied by, in the order an empty shop takes them: each refers only
/// to tables before it. (Settings come first: orders are priced under the shop's; warehouses
/// before products: a warehouse opened after them gives each product a reorder point of its
/// own there.)
pub const ORDER: [Table; 18] = [
    Table::Settings,
    Table::Tiers,
    Table::Stages,
    Table::Customers,
    Table::Contacts,
    Table::Feedback,
    Table::Opportunities,
    Table::Suppliers,
    Table::Warehouses,
    Table::Products,
    Table::ReorderPoints,
    Table::Stock,
    Table::PurchaseOrders,
    Table::Targets,
    Table::Orders,
    Table::SalesHistory,
    Table::Invoices,
    Table::Payments,
];

/// The file a table is in, in a shop's folder: `customers.csv`.
pub fn file_of(folder: &Path, table: Table) -> PathBuf {
    folder.join(format!("{}.csv", table.name()))
}

/// Writes every table, and the stock ledger (`moves.csv`, for reading: it does not import),
/// into `folder`, made if missing, all as of one moment (one read transaction: other
/// sessions' saves meanwhile are not half in it). Files already there are never
/// overwritten: the folder must not hold a shop's files yet. An export that fails leaves
/// none of its files behind, so a folder never looks like a shop with tables missing.
/// Returns each table with its rows.
pub fn export_all(session: &Session, folder: &Path) -> Result<Vec<(Table, usize)>> {
    let tables: Vec<Table> = ORDER.iter().copied().chain([Table::Moves]).collect();
    if let Some(taken) = tables.iter().map(|t| file_of(folder, *t)).find(|p| p.exists()) {
        return Err(Error::BadArgument(tf("shop_copy.file_exists", &[("path", &taken.display())])));
    }
    std::fs::create_dir_all(folder).map_err(|source| Error::Io { path: folder.to_path_buf(), source })?;
    let snapshot = session.db.conn().unchecked_transaction()?;
    let mut written = Vec::new();
    let mut result = Ok(());
    for table in &tables {
        match export_one(session, *table, &file_of(folder, *table)) {
            Ok(rows) => written.push((*table, rows)),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    // Only read: ending it either way changes nothing.
    drop(snapshot);
    if let Err(e) = result {
        for (table, _) in &written {
            let _ = std::fs::remove_file(file_of(folder, *table));
        }
        return Err(e);
    }
    Ok(written)
}

/// What a copy of the shop cannot carry, a sentence each, for `export-all` to say: goods
/// on their way between warehouses are in neither warehouse's count (`stock`), and no
/// table holds the transfer, so in the copy they are gone until counted again.
pub fn left_behind(session: &Session) -> Result<Vec<String>> {
    let moving = super::ledger::in_transit(session)?;
    if moving.is_empty() {
        return Ok(Vec::new());
    }
    let codes: Vec<String> = moving.iter().map(|t| format!("{} ({} -> {})", t.code, t.from, t.to)).collect();
    Ok(vec![tf("shop_copy.in_transit", &[("count", &moving.len()), ("transfers", &codes.join(", "))])])
}

/// One table into `path`: written beside it, then linked into place (which fails rather
/// than replace a file made there meanwhile), so there is never half a file under its name.
fn export_one(session: &Session, table: Table, path: &Path) -> Result<usize> {
    let partial = path.with_extension("partial");
    let written = (|| {
        let file = std::fs::File::create(&partial).map_err(|source| Error::Io { path: partial.clone(), source })?;
        let mut out = std::io::BufWriter::new(file);
        let rows = table.export(session, &mut out)?;
        std::io::Write::flush(&mut out).map_err(|source| Error::Io { path: partial.clone(), source })?;
        std::fs::hard_link(&partial, path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        Ok(rows)
    })();
    let _ = std::fs::remove_file(&partial);
    written
}

/// What importing one table of the folder did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The folder has no file for it.
    Missing,
    /// Imported (or, in a dry run, would be): what the table's own import says.
    Done(String),
}

/// Imports each table of `folder` that has a file, in `ORDER`: all of them or none. They
/// are tried first in a copy of the shop made for it and thrown away, each against the
/// ones before it, as the real import would; the first table refused there stops it with
/// its errors, and the shop is not touched. `each` hears of every table as it is done
/// (for a dry run, as it is tried).
pub fn import_all(
    session: &mut Session,
    folder: &Path,
    dry_run: bool,
    each: &mut dyn FnMut(Table, &Step),
) -> Result<Vec<(Table, Step)>> {
    session.require(crate::domain::user::Role::Manager)?;
    if !folder.is_dir() {
        return Err(Error::BadArgument(tf("shop_copy.no_folder", &[("path", &folder.display())])));
    }
    let strays = stray_files(folder)?;
    if !strays.is_empty() {
        return Err(Error::BadArgument(tf("shop_copy.stray_files", &[("files", &strays.join(", "))])));
    }
    if !ORDER.iter().any(|t| file_of(folder, *t).exists()) {
        return Err(Error::BadArgument(tf("shop_copy.no_files", &[("path", &folder.display())])));
    }
    // Every table is tried first in a copy of the shop (on disk: a shop of millions of
    // lines fits there), each against the ones before it. A dry run stops there; an import
    // goes on only when every table would go in, so a refused table leaves the shop as it
    // was rather than with the tables before it in.
    sweep_scratch_left_behind();
    let scratch = Scratch(std::env::temp_dir().join(format!(
        "shopdesk-rehearsal-{}-{}.db",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
    )));
    session.db.backup_to(&scratch.0)?;
    let copy = crate::db::Db::open(&scratch.0)?;
    let mut rehearsal = Session::start(copy, &session.operator.name, session.clock.clone())?;
    if dry_run {
        return import_each(&mut rehearsal, folder, true, each);
    }
    import_each(&mut rehearsal, folder, true, &mut |_, _| {})?;
    drop((rehearsal, scratch));
    // Only a change another session made meanwhile can refuse a table now.
    import_each(session, folder, false, each).map_err(|e| match e {
        Error::InFile { .. } => Error::Refused(format!("{e}\n{}", t("shop_copy.resume"))),
        e => e,
    })
}

/// The CSV files of `folder` that are no table's, so would not be read (`customer.csv`,
/// `Products.CSV`), each with the name it may have been meant to have: a shop moved with a
/// table silently left out is worse than one refused. `moves.csv` is the ledger, to read.
fn stray_files(folder: &Path) -> Result<Vec<String>> {
    let mut strays = Vec::new();
    let unreadable = |source| Error::Io { path: folder.to_path_buf(), source };
    for entry in std::fs::read_dir(folder).map_err(unreadable)? {
        let file = PathBuf::from(entry.map_err(unreadable)?.file_name());
        if !file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            continue;
        }
        let name = file.to_string_lossy().into_owned();
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if stem == "moves" || ORDER.iter().any(|t| t.name() == stem) {
            continue;
        }
        let lower = stem.to_lowercase().replace(['_', ' '], "-");
        let meant = ORDER.iter().find(|t| t.name() == lower || t.name() == format!("{lower}s"));
        strays.push(match meant {
            Some(table) => format!("{name} ({} {}.csv?)", t("shop_copy.meant"), table.name()),
            None => name,
        });
    }
    strays.sort();
    Ok(strays)
}

/// Removes the rehearsal copies of runs that ended without removing theirs (Ctrl-C skips
/// `Scratch`'s drop): a whole shop's customers should not stay in the temporary folder.
/// A copy is known for left behind by its process being gone (Linux: no `/proc/PID`).
fn sweep_scratch_left_behind() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("shopdesk-rehearsal-").and_then(|rest| rest.split('-').next()) else {
            continue;
        };
        let gone = cfg!(target_os = "linux") && !Path::new("/proc").join(pid).exists();
        if gone {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A database file made for a rehearsal, removed with its journal files when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

fn import_each(
    session: &mut Session,
    folder: &Path,
    rehearsal: bool,
    each: &mut dyn FnMut(Table, &Step),
) -> Result<Vec<(Table, Step)>> {
    let mut done = Vec::new();
    for table in ORDER {
        let path = file_of(folder, table);
        let step = if !path.exists() {
            Step::Missing
        } else if table == Table::SalesHistory {
            let input = super::sales_history::Input::File(path.clone());
            let options = super::sales_history::Options { reference: file_name(&path), ..Default::default() };
            let mut report = super::sales_history::import(session, &input, &options, &mut |_, _| true)
                .map_err(|e| in_table(table, e))?;
            report.dry_run = rehearsal;
            Step::Done(report.summary().join(" "))
        } else {
            let input = super::sales_history::Input::File(path.clone());
            let report =
                table.import_input(session, &input, false, &file_name(&path)).map_err(|e| in_table(table, e))?;
            let counts: [(&str, &dyn std::fmt::Display); 3] =
                [("created", &report.created), ("updated", &report.updated), ("unchanged", &report.unchanged)];
            let said = tf(if rehearsal { "shop_copy.would" } else { "shop_copy.counts" }, &counts);
            Step::Done(std::iter::once(said).chain(report.notes()).collect::<Vec<_>>().join(" "))
        };
        each(table, &step);
        done.push((table, step));
    }
    Ok(done)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A table's refusal, saying which table's file it is about (its lines are that file's).
fn in_table(table: Table, error: Error) -> Error {
    Error::InFile { file: format!("{}.csv", table.name()), error: Box::new(error) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::ops::Clock;

    fn shop() -> Session {
        Session::start(Db::open_in_memory().unwrap(), "alice", Clock::Fixed("2026-11-27T10:00:00Z".into())).unwrap()
    }

    #[test]
    fn a_whole_shop_goes_out_to_a_folder_and_comes_back_the_same() {
        let mut demo = shop();
        crate::ops::demo::ensure_demo_data(&mut demo).unwrap();
        let history = "Order ID,Order Date,Customer Name,Product ID,Product Name,Quantity,Sales\n\
                       H-1,2023-03-02,Old Customer,OLD-1,Old product,2,7.98\n";
        let input = crate::ops::sales_history::Input::Bytes(std::sync::Arc::new(history.as_bytes().to_vec()));
        crate::ops::sales_history::import(&mut demo, &input, &Default::default(), &mut |_, _| true).unwrap();
        let dir = tempfile::tempdir().unwrap();
        // An export that fails part way leaves none of its files.
        let failing = dir.path().join("failing");
        std::fs::create_dir_all(failing.join("payments.partial")).unwrap();
        assert!(export_all(&demo, &failing).is_err());
        assert!(!file_of(&failing, Table::Customers).exists(), "no folder that looks like a shop with tables missing");
        let out = dir.path().join("shop");
        let written = export_all(&demo, &out).unwrap();
        assert_eq!(written.len(), ORDER.len() + 1, "every table and the ledger");
        assert!(out.join("moves.csv").exists() && out.join("invoices.csv").exists());
        let err = export_all(&demo, &out).unwrap_err().to_string();
        assert!(err.contains(".csv is there already"), "never overwritten: {err}");

        let path = dir.path().join("new.db");
        let mut copy = Session::start(Db::open(&path).unwrap(), "alice", demo.clock.clone()).unwrap();
        // A dry run tries every table against the ones before it and changes nothing.
        let mut heard = Vec::new();
        let rehearsed = import_all(&mut copy, &out, true, &mut |t, _| heard.push(t)).unwrap();
        assert_eq!(heard, ORDER.to_vec());
        assert!(rehearsed.iter().all(|(_, s)| matches!(s, Step::Done(_))), "{rehearsed:?}");
        let customers: i64 = copy.db.conn().query_row("SELECT count(*) FROM customers", [], |r| r.get(0)).unwrap();
        assert_eq!(customers, 0, "the dry run changed nothing");
        import_all(&mut copy, &out, false, &mut |_, _| {}).unwrap();
        let again = dir.path().join("again");
        export_all(&copy, &again).unwrap();
        for table in ORDER {
            let (a, b) = (std::fs::read(file_of(&out, table)).unwrap(), std::fs::read(file_of(&again, table)).unwrap());
            assert!(a == b, "{} differs after the copy", table.name());
        }
        assert_eq!(crate::ops::integrity::problems(&copy).unwrap(), Vec::<String>::new());
        // A second time: every table unchanged.
        for (table, step) in import_all(&mut copy, &out, false, &mut |_, _| {}).unwrap() {
            let Step::Done(text) = step else { panic!("{} left out", table.name()) };
            let unchanged = text.starts_with("0 created, 0 updated") || table == Table::SalesHistory;
            assert!(unchanged, "{}: {text}", table.name());
        }
    }

    #[test]
    fn a_file_that_is_no_tables_is_named_not_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        for name in
            ["customer.csv", "Products.CSV", "suppliers.csv", "moves.csv", "notes.txt", "Sales_History.csv", "备注"]
        {
            std::fs::write(dir.path().join(name), "code,name\n").unwrap();
        }
        let err = import_all(&mut shop(), dir.path(), true, &mut |_, _| {}).unwrap_err().to_string();
        assert!(err.contains("Products.CSV (meant products.csv?)"), "{err}");
        assert!(err.contains("customer.csv (meant customers.csv?)"), "{err}");
        assert!(err.contains("Sales_History.csv (meant sales-history.csv?)"), "{err}");
        assert!(!err.contains("suppliers.csv") && !err.contains("moves") && !err.contains("notes"), "{err}");
    }

    #[test]
    fn a_refused_table_names_its_file_and_leaves_the_shop_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            file_of(dir.path(), Table::Tiers),
            "code,name,rank,discount,credit_limit,payment_days\nGOLD,Gold,1,5,1000,30\n",
        )
        .unwrap();
        std::fs::write(file_of(dir.path(), Table::Customers), "code,name,tier\nC1,Ana,NOSUCH\n").unwrap();
        let mut s = shop();
        let err = import_all(&mut s, dir.path(), false, &mut |_, _| {}).unwrap_err().to_string();
        assert!(err.contains("customers.csv: ") && err.contains("line 2, column tier"), "{err}");
        // Every table was tried before any went in: the tiers before it are not in either.
        assert!(crate::db::tiers::find(s.db.conn(), "GOLD").unwrap().is_none(), "tiers are not in");
        let audit: i64 = s.db.conn().query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap();
        let mut heard = 0;
        std::fs::write(file_of(dir.path(), Table::Customers), "code,name,tier\nC1,Ana,GOLD\n").unwrap();
        import_all(&mut s, dir.path(), false, &mut |_, _| heard += 1).unwrap();
        assert!(crate::db::tiers::find(s.db.conn(), "GOLD").unwrap().is_some(), "now all are in");
        assert_eq!(heard, ORDER.len(), "each table told once, by the import itself");
        let after: i64 = s.db.conn().query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap();
        assert!(after > audit);
        // A copy a run stopped with Ctrl-C left behind is removed by the next run.
        if cfg!(target_os = "linux") {
            let stale = std::env::temp_dir().join("shopdesk-rehearsal-4000000001-1.db-wal");
            std::fs::write(&stale, b"customers").unwrap();
            import_all(&mut s, dir.path(), true, &mut |_, _| {}).unwrap();
            assert!(!stale.exists());
        }
        let empty = tempfile::tempdir().unwrap();
        assert!(import_all(&mut s, empty.path(), false, &mut |_, _| {}).is_err(), "a folder without a shop's files");
    }
}

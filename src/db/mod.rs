//! The repository: one concrete `Db` over SQLite, its migrations, and one module per table
//! group, each with one row-mapping function that reads columns by name.

pub mod audit;
pub mod crm;
pub mod customers;
pub mod invoices;
pub mod ledger;
pub mod meta;
pub mod orders;
pub mod paging;
pub mod pipeline;
pub mod products;
pub mod purchasing;
pub mod tiers;
pub mod users;

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

/// Ordered schema changes; the position in this list (from 1) is the `user_version` it
/// leads to. Never edit a migration that has shipped: add the next one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_init.sql"),
    include_str!("migrations/002_customer_counts.sql"),
    include_str!("migrations/003_contacts_feedback.sql"),
    include_str!("migrations/004_opportunities_tiers.sql"),
    include_str!("migrations/005_stock.sql"),
    include_str!("migrations/006_purchasing.sql"),
    include_str!("migrations/007_orders.sql"),
    include_str!("migrations/008_invoices.sql"),
    include_str!("migrations/009_sales.sql"),
    include_str!("migrations/010_sales_detail.sql"),
    include_str!("migrations/011_finance_daily.sql"),
    include_str!("migrations/012_sales_history.sql"),
    include_str!("migrations/013_invoice_history.sql"),
    include_str!("migrations/014_credit_by_credit_notes.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Marks a file as shopdesk's (`PRAGMA application_id`, "SHOP" in ASCII), so another
/// program's SQLite file is never mistaken for an empty shop and migrated.
pub const APPLICATION_ID: i64 = 0x5348_4F50;

/// How long a write waits for another session's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How often a waiting connection tries again.
const BUSY_STEP: Duration = Duration::from_millis(10);
/// Tries before a wait is one a person notices (150 ms): shorter ones are not told, and
/// keys typed ahead across them stand.
const NOTICED_AFTER: i32 = 15;

thread_local! {
    /// This thread's connection waited for another session's write since `take_waited`.
    static WAITED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
/// When a connection last waited for another session (milliseconds since the Unix epoch).
static LAST_WAIT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// Told once as a connection starts to wait (the terminal says so meanwhile).
static WAIT_NOTICE: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// `notice` is called once a connection has waited for another session's write long enough
/// for a person to notice, on the thread that waits: the interface can say so while it
/// cannot draw.
pub fn on_wait(notice: fn()) {
    let _ = WAIT_NOTICE.set(notice);
}

/// Whether this thread waited for another session's write since it last asked: keys typed
/// into a screen that could not answer were not typed at what comes after.
pub fn take_waited() -> bool {
    WAITED.with(|w| w.replace(false))
}

/// Whether some connection is waiting for another session's write now (a background
/// import's progress says so rather than stand at 0 %).
pub fn waiting_now() -> bool {
    let last = LAST_WAIT_MS.load(std::sync::atomic::Ordering::Relaxed);
    now_ms().saturating_sub(last) < 250
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// How many rows every table of the file holds together: a file made by this command and
/// refused is told from one something was written to since (`cli::run`).
pub fn row_total(conn: &Connection) -> Result<i64> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut total = 0;
    for table in tables {
        let quoted = table.replace('"', "\"\"");
        total += conn.query_row(&format!("SELECT count(*) FROM \"{quoted}\""), [], |r| r.get::<_, i64>(0))?;
    }
    Ok(total)
}

/// SQLite's busy handler: waits `BUSY_STEP` at a time up to `BUSY_TIMEOUT`, as its own
/// timeout would, and lets the waiting be known.
fn wait_for_lock(attempt: i32) -> bool {
    if attempt == NOTICED_AFTER {
        WAITED.with(|w| w.set(true));
        if let Some(notice) = WAIT_NOTICE.get() {
            notice();
        }
    }
    LAST_WAIT_MS.store(now_ms(), std::sync::atomic::Ordering::Relaxed);
    if BUSY_STEP * u32::try_from(attempt).unwrap_or(u32::MAX) >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(BUSY_STEP);
    true
}

/// Statements a connection keeps prepared (rusqlite's default), and while a bulk load runs.
const STATEMENT_CACHE: usize = 16;
const BULK_STATEMENT_CACHE: usize = 256;

/// A connection's settings as [`Db::begin_bulk`] found them.
#[derive(Debug, Clone, Copy)]
pub struct BulkSettings {
    cache_size: i64,
    foreign_keys: i64,
    temp_store: i64,
}

pub struct Db {
    conn: Connection,
    path: Option<PathBuf>,
}

impl Db {
    /// Opens (creating if missing, mode 0600) the database file and brings its schema up to
    /// date. A file that is not SQLite, or was made by a newer shopdesk, is refused before
    /// anything is written to it.
    pub fn open(path: &Path) -> Result<Db> {
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !folder.is_dir() {
            return Err(Error::FolderMissing { folder: folder.to_path_buf() });
        }
        if !path.exists() {
            create_private_file(path)?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| Error::CannotOpen { path: path.to_path_buf(), reason: e.to_string() })?;
        Self::prepare(conn, Some(path.to_path_buf()))
    }

    /// A second, read-only connection to a file another `Db` has opened (and migrated):
    /// for queries that run on a background thread while the first one keeps writing.
    pub fn open_reader(path: &Path) -> Result<Db> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| Error::CannotOpen { path: path.to_path_buf(), reason: e.to_string() })?;
        conn.busy_handler(Some(wait_for_lock))?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found != SCHEMA_VERSION {
            return Err(Error::NewerSchema { path: path.to_path_buf(), found, supported: SCHEMA_VERSION });
        }
        Ok(Db { conn, path: Some(path.to_path_buf()) })
    }

    /// A private database in memory, with the real migrations: for tests and benchmarks.
    pub fn open_in_memory() -> Result<Db> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(mut conn: Connection, path: Option<PathBuf>) -> Result<Db> {
        let shown = path.clone().unwrap_or_default();
        conn.busy_handler(Some(wait_for_lock))?;
        // Reading the schema version is the first touch: it fails on a file that is not a
        // database, and it writes nothing, so a refused file stays byte-for-byte the same.
        let found: i64 =
            conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase { path: shown.clone() },
                _ => Error::CannotOpen { path: shown.clone(), reason: e.to_string() },
            })?;
        if found > SCHEMA_VERSION {
            return Err(Error::NewerSchema { path: shown, found, supported: SCHEMA_VERSION });
        }
        let application: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))?;
        if application != APPLICATION_ID && (application != 0 || tables > 0) {
            return Err(Error::NotADatabase { path: shown });
        }
        if path.is_some() {
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(|e| Error::CannotOpen { path: shown.clone(), reason: e.to_string() })?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::CannotOpen { path: shown, reason: format!("journal mode stayed {mode}") });
            }
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        migrate(&mut conn)?;
        Ok(Db { conn, path })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// For reads. Writes go through [`Db::write`].
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so
    /// two sessions never both read, then both fail to upgrade to writing. Commits on `Ok`,
    /// rolls back on `Err`.
    pub fn write<T>(&mut self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(Error::from_sqlite)?;
        let value = work(&tx)?;
        tx.commit().map_err(Error::from_sqlite)?;
        Ok(value)
    }

    /// Readies the connection for one large write (an import), before its transaction: a
    /// page cache that holds the indexes being filled (the default 2 MB spills them to the
    /// write-ahead log mid-transaction and reads them back) and statement journals in memory
    /// (the count triggers make every insert keep one, in a temporary file by default),
    /// and room for every statement the load prepares: reading a line and saving what it
    /// belongs to take more than the 16 kept otherwise, and an order import interleaving
    /// them prepared its statements anew for each order (5.4 s instead of 1.55 s for
    /// 20,000 lines). Without `check_keys`, foreign keys are not looked up either: for a caller that wrote
    /// or read every id it writes in the same transaction. [`Db::end_bulk`] puts back what
    /// this changed.
    pub fn begin_bulk(&self, check_keys: bool) -> Result<BulkSettings> {
        let pragma =
            |name: &str| -> Result<i64> { Ok(self.conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))?) };
        let before = BulkSettings {
            cache_size: pragma("cache_size")?,
            foreign_keys: pragma("foreign_keys")?,
            temp_store: pragma("temp_store")?,
        };
        self.conn.execute_batch("PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;")?;
        self.conn.set_prepared_statement_cache_capacity(BULK_STATEMENT_CACHE);
        if !check_keys {
            self.conn.execute_batch("PRAGMA foreign_keys = OFF;")?;
        }
        Ok(before)
    }

    /// Puts back the settings [`Db::begin_bulk`] found.
    pub fn end_bulk(&self, before: BulkSettings) -> Result<()> {
        let BulkSettings { cache_size, foreign_keys, temp_store } = before;
        self.conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        self.conn.execute_batch(&format!(
            "PRAGMA cache_size = {cache_size}; PRAGMA foreign_keys = {foreign_keys}; PRAGMA temp_store = {temp_store};"
        ))?;
        Ok(())
    }

    /// Like [`Db::write`] but always rolls back: a dry run of exactly what would happen.
    pub fn rehearse<T>(&mut self, work: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(Error::from_sqlite)?;
        let value = work(&tx)?;
        tx.rollback().map_err(Error::from_sqlite)?;
        Ok(value)
    }

    /// Copies what the write-ahead log holds into the database file while nobody waits:
    /// otherwise every thousandth page written makes one commit (a clerk's save) pay for
    /// the copy. PASSIVE never blocks other sessions; what it cannot copy now waits for the
    /// next idle moment or SQLite's own automatic checkpoint.
    pub fn checkpoint_idle(&self) -> Result<()> {
        if self.path.is_some() {
            self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        }
        Ok(())
    }

    /// Changes whenever another connection commits to the file: a cheap way to notice that
    /// the screen is stale.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// A consistent copy of the whole database while others keep working.
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(Error::BadArgument(crate::i18n::tf("err.backup_exists", &[("path", &target.display())])));
        }
        let target_text = target.to_str().ok_or_else(|| Error::BadArgument(format!("{}", target.display())))?;
        if let Some(folder) = target.parent().filter(|p| !p.as_os_str().is_empty() && !p.is_dir()) {
            return Err(Error::FolderMissing { folder: folder.to_path_buf() });
        }
        // VACUUM INTO accepts an empty file: create it private first, as the database is.
        create_private_file(target)?;
        self.conn.execute("VACUUM INTO ?1", [target_text])?;
        Ok(())
    }

    /// SQLite's own integrity and foreign-key checks; each problem as one line.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = row?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "{} row {} refers to a missing {}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?
            ))
        })?;
        for row in rows {
            problems.push(row?);
        }
        Ok(problems)
    }
}

/// Brings the schema to `SCHEMA_VERSION`, one migration per `BEGIN IMMEDIATE` transaction.
/// The version is read again inside each transaction, so two sessions opening a new file at
/// the same moment apply each migration once: the second waits, then finds it done.
fn migrate(conn: &mut Connection) -> Result<()> {
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let target = index as i64 + 1;
        // Read first, without the write lock: a shop already up to date opens (for a report,
        // an export, the interface) while another session writes, even for minutes.
        let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current >= target {
            continue;
        }
        // Read again under the lock: another session may have migrated meanwhile.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(Error::from_sqlite)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current < target {
            tx.execute_batch(sql).map_err(|e| Error::Migration(format!("{target:03}: {e}")))?;
            tx.execute_batch(&format!("PRAGMA user_version = {target}; PRAGMA application_id = {APPLICATION_ID};"))?;
        }
        tx.commit().map_err(Error::from_sqlite)?;
    }
    Ok(())
}

/// Creates an empty file only the owner can read: a shop's customers are nobody else's
/// business on a shared server.
fn create_private_file(path: &Path) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::CannotOpen { path: path.to_path_buf(), reason: e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_one_by_one_and_only_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        let db = Db::open(&path).unwrap();
        let version: i64 = db.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        let id: i64 = db.conn().query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
        assert_eq!((version, id), (SCHEMA_VERSION, APPLICATION_ID));
        // A second session opening the same file at once finds every migration done.
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Db::open(&path).map(|_| ()))
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
    }

    /// An import holds the write lock for its whole run: a report, an export or the
    /// interface opened meanwhile must not wait for it.
    #[test]
    fn a_shop_opens_while_another_session_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        drop(Db::open(&path).unwrap());
        let writer = Connection::open(&path).unwrap();
        writer.execute_batch("BEGIN IMMEDIATE; UPDATE settings SET value = value;").unwrap();
        let started = std::time::Instant::now();
        let db = Db::open(&path).unwrap();
        let count: i64 = db.conn().query_row("SELECT count(*) FROM customers", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 0);
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "waited {:?}", started.elapsed());
        writer.execute_batch("COMMIT").unwrap();
    }

    #[test]
    fn another_programs_sqlite_file_is_refused_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE notes(text); INSERT INTO notes VALUES ('mine');").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Db::open(&path).err().unwrap();
        assert!(matches!(err, Error::NotADatabase { .. }), "{err:?}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_new_file_is_private_and_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        let db = Db::open(&path).unwrap();
        let mode: String = db.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = db.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_newer_schema_is_refused_and_the_file_left_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE t(x); PRAGMA user_version = 99;").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Db::open(&path).err().unwrap();
        assert!(matches!(err, Error::NewerSchema { found: 99, .. }), "{err:?}");
        assert!(err.to_string().contains("newer"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "this is a shopping list, not a database\n".repeat(100)).unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = Db::open(&path).err().unwrap();
        assert!(matches!(err, Error::NotADatabase { .. }), "{err:?}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/folder/shop.db");
        let err = Db::open(&path).err().unwrap();
        assert!(matches!(err, Error::FolderMissing { .. }));
        assert!(!path.exists());
    }

    #[test]
    fn reopening_keeps_data_and_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        Db::open(&path).unwrap();
        let db = Db::open(&path).unwrap();
        let version: i64 = db.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let mut db = Db::open_in_memory().unwrap();
        let result: Result<()> = db.write(|tx| {
            tx.execute("INSERT INTO counters (name, next) VALUES ('x', 1)", [])?;
            Err(Error::Busy)
        });
        assert!(result.is_err());
        let n: i64 = db.conn().query_row("SELECT COUNT(*) FROM counters", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
    }
}

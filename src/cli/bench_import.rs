//! `shopdesk bench-import`: the import budget of issue #8 measured. Writes a deterministic
//! sales-history file of N order lines, then imports it into an empty shop with every
//! check, and the same file with the `sqlite3` shell's `.import` into an empty database,
//! one after the other in one run. Memory is shown after a tenth of the file and after all
//! of it: a streaming import holds the same either way.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::ops::sales_history::{self, Input, Options};
use crate::ops::{self, Clock, Session};

pub fn run(lines: usize, dir: Option<&Path>) -> Result<()> {
    let (dir, _cleanup) = match dir {
        Some(dir) => (dir.to_path_buf(), None),
        None => {
            let dir = std::env::temp_dir().join(format!("shopdesk-bench-import-{}", std::process::id()));
            (dir.clone(), Some(super::bench::RemoveOnDrop(dir)))
        }
    };
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io { path: dir.clone(), source })?;
    let small = dir.join("history-small.csv");
    let file = dir.join("past-sales.csv");
    let started = Instant::now();
    write_history(&small, lines / 10)?;
    let size = write_history(&file, lines)?;
    say!(
        "wrote {lines} order lines ({:.0} MB) and a tenth of them in {:.1} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    )?;

    let (rate_small, _) = import_into_empty(&dir.join("small.db"), &small)?;
    let after_small = super::bench::peak_rss_kib();
    let (rate, elapsed) = import_into_empty(&dir.join("shop.db"), &file)?;
    let after_all = super::bench::peak_rss_kib();
    say!(
        "{:<44} {:>9.0} rows/s  ({:.2} s; a tenth: {rate_small:.0} rows/s)",
        "shopdesk import sales-history",
        rate,
        elapsed
    )?;
    if let (Some(a), Some(b)) = (after_small, after_all) {
        say!(
            "{:<44} {:>9.1} MB after a tenth, {:.1} MB after all",
            "peak resident memory",
            a as f64 / 1024.0,
            b as f64 / 1024.0
        )?;
    }

    let target = dir.join("sqlite3.db");
    let _ = std::fs::remove_file(&target);
    let started = Instant::now();
    let shell = std::process::Command::new("sqlite3")
        .arg(&target)
        .arg(format!(".import --csv '{}' history", file.display()))
        .status();
    match shell {
        Ok(status) if status.success() => {
            let elapsed = started.elapsed().as_secs_f64();
            say!(
                "{:<44} {:>9.0} rows/s  ({elapsed:.2} s)",
                "sqlite3 .import (same file, no checks)",
                lines as f64 / elapsed
            )?;
            say!("shopdesk / sqlite3: {:.2}x", rate / (lines as f64 / elapsed))?;
        }
        Ok(status) => say!("sqlite3 .import failed ({status})")?,
        Err(e) => say!("sqlite3 .import not run: {e} (install the sqlite3 shell to compare)")?,
    }

    // What was imported is what the checks find: nothing wrong.
    let session = Session::start(Db::open(&dir.join("shop.db"))?, "bench", Clock::System)?;
    let started = Instant::now();
    let mut problems = ops::sales::check(&session)?;
    problems.extend(ops::orders::check_all(&session)?);
    say!("check after import: {} problems ({:.1} s)", problems.len(), started.elapsed().as_secs_f64())?;
    Ok(())
}

/// Imports `file` into a new shop at `db`; rows per second and seconds.
fn import_into_empty(db: &Path, file: &Path) -> Result<(f64, f64)> {
    for stale in [db.to_path_buf(), db.with_extension("db-wal"), db.with_extension("db-shm")] {
        let _ = std::fs::remove_file(stale);
    }
    let mut session = Session::start(Db::open(db)?, "bench", Clock::System)?;
    let options = Options { reference: "past-sales.csv".into(), ..Options::default() };
    let started = Instant::now();
    let report = sales_history::import(&mut session, &Input::File(file.to_path_buf()), &options, &mut |_, _| true)?;
    let elapsed = started.elapsed().as_secs_f64();
    Ok((report.lines as f64 / elapsed, elapsed))
}

/// A shop platform's export: 20,000 customers in four segments and regions, 5,000
/// products in 12 categories, orders of one to five lines over five years, ISO dates.
fn write_history(path: &PathBuf, lines: usize) -> Result<u64> {
    let io = |source| Error::Io { path: path.clone(), source };
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).map_err(io)?);
    writeln!(
        out,
        "Order ID,Order Date,Ship Date,Customer ID,Customer Name,Segment,City,Region,Product ID,Product Name,Category,Sub-Category,Quantity,Sales,Discount,Salesperson"
    )
    .map_err(io)?;
    let segments = ["Consumer", "Corporate", "Home Office", "Small Business"];
    let regions = ["North", "South", "East", "West"];
    let categories = [
        "Food", "Drinks", "Hardware", "Garden", "Office", "Toys", "Books", "Music", "Kitchen", "Bath", "Pets", "Sport",
    ];
    let people = ["alice", "bruno", "chen", "dana", "emil"];
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    let mut seed: u64 = 42;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // Three lines an order on average: five years of days over that many orders.
    let orders = lines / 3 + 1;
    let (mut written, mut order) = (0usize, 0usize);
    while written < lines {
        order += 1;
        let customer = next() % 20_000;
        let day = start + chrono::Duration::days((order * 1825 / orders).min(1825) as i64);
        let shipped = day + chrono::Duration::days((next() % 5) as i64);
        let count = (1 + next() % 5) as usize;
        for _ in 0..count.min(lines - written) {
            let product = next() % 5_000;
            let category = categories[(product % 12) as usize];
            let quantity = 1 + next() % 9;
            let cents = (100 + product * 37 % 9_900) * quantity;
            let discount = ["0", "0", "0.1", "0.2"][(next() % 4) as usize];
            writeln!(
                out,
                "SH-{order:07},{day},{shipped},CU-{customer:05},Customer {customer},{},City {},{},PR-{product:05},Product {product} {category},{category},Line {},{quantity},{}.{:02},{discount},{}",
                segments[(customer % 4) as usize],
                customer % 300,
                regions[(customer % 4) as usize],
                product % 40,
                cents / 100,
                cents % 100,
                people[(customer % 5) as usize],
            )
            .map_err(io)?;
            written += 1;
        }
    }
    out.flush().map_err(io)?;
    std::fs::metadata(path).map(|m| m.len()).map_err(io)
}

//! The command line as a script would use it: exit codes, one clear line on stderr, and
//! files that round-trip exactly.

mod common;

use assert_cmd::Command;
use std::path::Path;

fn shopdesk(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("shopdesk").unwrap();
    cmd.arg("--db").arg(db).arg("--user").arg("tester").arg("--lang").arg("en");
    cmd
}

fn export(db: &Path) -> String {
    let out = shopdesk(db).args(["export", "customers"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn import(db: &Path, file: &Path, extra: &[&str]) -> std::process::Output {
    import_into(db, "customers", file, extra)
}

fn import_into(db: &Path, table: &str, file: &Path, extra: &[&str]) -> std::process::Output {
    shopdesk(db).args(["import", table]).arg(file).args(extra).output().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn export_import_export_is_identical_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first_db = dir.path().join("first.db");
    let source = dir.path().join("source.csv");
    std::fs::write(&source, common::CUSTOMERS_CSV.replace("Pays on time.", "\"=HYPERLINK(\"\"x\"\")\nsecond line\""))
        .unwrap();
    assert!(import(&first_db, &source, &[]).status.success());
    shopdesk(&first_db).args(["gen", "--customers", "300", "--seed", "7"]).assert().success();
    let exported = export(&first_db);
    assert!(exported.contains("'=HYPERLINK"), "formula cells are neutralised");
    assert!(exported.contains("'+49"), "phone numbers starting with + too");

    let file = dir.path().join("customers.csv");
    std::fs::write(&file, &exported).unwrap();
    let second_db = dir.path().join("second.db");
    let out = import(&second_db, &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("305 created"));
    assert_eq!(export(&second_db), exported, "round trip");

    let again = import(&second_db, &file, &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 created, 0 updated, 305 unchanged"));
    assert_eq!(export(&second_db), exported);
}

/// An export to a path that is not a plain file (a named pipe here; `/dev/null` in the
/// field) writes into it. It used to write beside it and rename over it, which put a plain
/// file in place of the pipe, or of the device.
#[cfg(unix)]
#[test]
fn an_export_into_a_pipe_leaves_the_pipe_a_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let source = dir.path().join("source.csv");
    std::fs::write(&source, common::CUSTOMERS_CSV).unwrap();
    assert!(import(&db, &source, &[]).status.success());
    let pipe = dir.path().join("out.csv");
    assert!(std::process::Command::new("mkfifo").arg(&pipe).status().unwrap().success());
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || std::fs::read_to_string(pipe).unwrap())
    };
    let out = shopdesk(&db).args(["export", "customers", "-o"]).arg(&pipe).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // Before the reader is waited for: had the pipe been replaced, nothing would ever write to it.
    assert!(std::fs::metadata(&pipe).unwrap().file_type().is_fifo(), "still a pipe");
    assert_eq!(reader.join().unwrap(), export(&db));
    assert!(!dir.path().join("out.partial").exists());
    // A link (as /dev/stdout is, redirected to a file) is written through, and stays a link.
    let real = dir.path().join("real.csv");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert!(shopdesk(&db).args(["export", "customers", "-o"]).arg(&link).output().unwrap().status.success());
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), export(&db));
    // A plain file is still replaced whole.
    let file = dir.path().join("customers.csv");
    std::fs::write(&file, "old").unwrap();
    assert!(shopdesk(&db).args(["export", "customers", "-o"]).arg(&file).output().unwrap().status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), export(&db));
}

/// A file saved on Windows: CRLF line ends, also inside a quoted multi-line note. The note
/// comes in with its line breaks, and the same file again changes nothing.
#[test]
fn a_multi_line_note_with_windows_line_ends_is_read_as_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let file = dir.path().join("dos.csv");
    std::fs::write(&file, "code,name,notes\r\nC000009,Ana Lima,\"first line\r\nsecond line\"\r\n").unwrap();
    let out = import(&db, &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(export(&db).contains("\"first line\nsecond line\""), "{}", export(&db));
    let again = import(&db, &file, &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 created, 0 updated, 1 unchanged"));
}

/// What spreadsheets leave past the data: columns without a name and rows of separators.
/// Empty, they are passed over; a value in a column without a name is named by position.
#[test]
fn columns_without_a_name_and_rows_of_separators_are_passed_over_while_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let file = dir.path().join("sheet.csv");
    std::fs::write(&file, "code,name,city,,\nC000009,Ana Lima,Berlin,,\n,,,,\n").unwrap();
    let out = import(&db, &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 created"));
    std::fs::write(&file, "code,name,city,,\nC000010,Bo Chen,Paris,,\nC000011,Cy,Rome,,x\n").unwrap();
    let out = import(&db, &file, &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("line 3, column #5: 'x' is in a column the header gives no name"),
        "{}",
        stderr(&out)
    );
    let products = dir.path().join("products.csv");
    std::fs::write(&products, "sku;name;\nPEN;Pen;\n;;\n").unwrap();
    let out = import_into(&db, "products", &products, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A table read whole does the same.
    let targets = dir.path().join("targets.csv");
    std::fs::write(&targets, "salesperson,month,target,\nalice,2026-01,100,\n,,,\nbo,2026-01,5,?\n").unwrap();
    let out = import_into(&db, "targets", &targets, &[]);
    assert!(stderr(&out).contains("line 4, column #4: '?'"), "{}", stderr(&out));
    std::fs::write(&targets, "salesperson,month,target,\nalice,2026-01,100,\n,,,\n").unwrap();
    let out = import_into(&db, "targets", &targets, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A file of a few columns updates what it names; a code it names that the shop lacks
/// would be a new record without a name, and the message says the column is missing.
#[test]
fn a_new_record_in_a_file_without_its_required_column_is_told_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let file = dir.path().join("phones.csv");
    std::fs::write(&file, "code,phone\nNOPE1,+1 556\n").unwrap();
    let err = stderr(&import(&db, &file, &[]));
    assert!(
        err.contains(
            "line 2, column name: '' this line is a new record, which needs a name, and the file has no name column"
        ),
        "{err}"
    );
    std::fs::write(&file, "sku,sale_price\nNOPE,2\n").unwrap();
    let err = stderr(&import_into(&db, "products", &file, &[]));
    assert!(err.contains("line 2, column name: '' this line is a new record"), "{err}");
    std::fs::write(&file, "code,lead_days\nNOPE,3\n").unwrap();
    let err = stderr(&import_into(&db, "suppliers", &file, &[]));
    assert!(err.contains("line 2, column name: '' this line is a new record"), "{err}");
    // An empty cell of a column the file has is still just required.
    std::fs::write(&file, "code,name\nNOPE1,\n").unwrap();
    assert!(stderr(&import(&db, &file, &[])).contains("line 2, column name: '' required"));
}

#[test]
fn import_matches_by_code_and_dry_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let file = dir.path().join("c.csv");
    std::fs::write(&file, common::CUSTOMERS_CSV).unwrap();
    assert!(import(&db, &file, &[]).status.success());
    let before = export(&db);

    let edits = "code;name;city\r\nc000001;Anna García;Potsdam\r\n;Brand New;Bonn\r\n";
    std::fs::write(&file, format!("\u{feff}{edits}")).unwrap();
    let dry = import(&db, &file, &["--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(String::from_utf8_lossy(&dry.stdout).contains("would create 1, update 1"));
    assert_eq!(export(&db), before, "a dry run writes nothing");

    assert!(import(&db, &file, &[]).status.success());
    let after = export(&db);
    assert!(
        after.contains("C000001,Anna García,García Bakery,Anna García,Owner,'+49 30 123456,anna@example.com,Hauptstraße 1,Potsdam,East,VIP"),
        "matched by code case-insensitively, columns not in the file kept: {after}"
    );
    assert!(after.contains(
        "C000004,Old Friend,Closed Shop,,,,,,Kassel,Central,C,dana,,,2024-05-05T09:00:00Z,2026-01-01T00:00:00Z"
    ));
    assert!(after.contains("C000006,Brand New"), "a row without a code gets the next code");
    // A file cut off inside a quoted cell is refused where the quote opens, not imported
    // with half a name.
    std::fs::write(&file, "code,name\nC000007,\"Cut Off, the").unwrap();
    let cut = import(&db, &file, &[]);
    assert!(!cut.status.success() && stderr(&cut).contains("line 2: a quote opens here"), "{}", stderr(&cut));
    assert!(!export(&db).contains("C000007"));
    assert_eq!(after.lines().count(), before.lines().count() + 1);
}

/// Each malformed file: non-zero exit, every error naming line and column, nothing written.
#[test]
fn bad_files_are_refused_whole_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let good = dir.path().join("good.csv");
    std::fs::write(&good, common::CUSTOMERS_CSV).unwrap();
    assert!(import(&db, &good, &[]).status.success());
    let before = export(&db);

    let huge = "x".repeat(10 * 1024 * 1024);
    let long_name = "名".repeat(5000);
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("wrong header", b"code,nmae\nC9,Ana\n".to_vec(), vec!["line 1, column nmae", "not a known column"]),
        ("bad utf-8", b"code,name\nC9,Ana\nC10,\xff\xfeBad\n".to_vec(), vec!["line 3", "UTF-8"]),
        ("unterminated quote", b"code,name\nC9,\"Ana\nC10,Bo\n".to_vec(), vec!["line 2", "never closed"]),
        (
            "10 MB field",
            format!("code,name,notes\nC9,Ana,{huge}\n").into_bytes(),
            vec!["line 2, column notes", "too long"],
        ),
        ("5000-char name", format!("code,name\nC9,{long_name}\n").into_bytes(), vec!["line 2, column name", "5000"]),
        (
            "several errors at once",
            b"code,name,email,tier\nC9,Ana,ana.example.com,A\nC10,,b@example.com,Gold\nC9,Dup,,\n".to_vec(),
            vec![
                "line 2, column email: 'ana.example.com'",
                "line 3, column name",
                "line 3, column tier: 'Gold'",
                "line 4, column code: 'C9' the same code is already on line 2",
            ],
        ),
        ("extra field", b"code,name\nC9,Ana,extra\n".to_vec(), vec!["line 2", "3 fields"]),
        ("empty file", Vec::new(), vec!["line 1", "empty"]),
    ];
    for (what, bytes, expected) in cases {
        let file = dir.path().join("bad.csv");
        std::fs::write(&file, bytes).unwrap();
        let out = import(&db, &file, &[]);
        assert!(!out.status.success(), "{what}: should fail");
        let message = stderr(&out);
        assert!(message.starts_with("shopdesk: Import refused, nothing was changed."), "{what}: {message}");
        assert!(message.len() < 4000, "{what}: the message stays readable, not the 10 MB value");
        for text in expected {
            assert!(message.contains(text), "{what}: expected {text:?} in {message}");
        }
        assert_eq!(export(&db), before, "{what}: nothing changed");
    }
}

#[test]
fn database_paths_that_cannot_work_fail_clearly_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/shop.db");
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "name\nAna\n").unwrap();
    let out = shopdesk(&missing).args(["import", "customers"]).arg(&csv).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);

    // Reading commands never create a database for a mistyped path.
    let typo = dir.path().join("shpo.db");
    for args in [&["check"][..], &["export", "customers"], &["report", "pipeline"]] {
        let out = shopdesk(&typo).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains("No database at"), "{}", stderr(&out));
        assert!(!typo.exists(), "{args:?} created a file");
    }

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all\n".repeat(200)).unwrap();
    let before = std::fs::read(&text).unwrap();
    let out = shopdesk(&text).args(["export", "customers"]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not a shopdesk database"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&text).unwrap(), before);

    let future = dir.path().join("future.db");
    {
        let conn = rusqlite::Connection::open(&future).unwrap();
        conn.execute_batch("CREATE TABLE x(y); PRAGMA user_version = 999;").unwrap();
    }
    let before = std::fs::read(&future).unwrap();
    let out = shopdesk(&future).args(["export", "customers"]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("newer shopdesk"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&future).unwrap(), before, "byte-for-byte unchanged");

    #[cfg(unix)]
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        let out = shopdesk(&locked.join("shop.db")).args(["export", "customers"]).output().unwrap();
        assert!(!out.status.success());
        assert!(stderr(&out).contains("Cannot open"), "{}", stderr(&out));
    }
}

#[cfg(unix)]
fn is_root() -> bool {
    std::env::var("USER").is_ok_and(|u| u == "root")
        || std::fs::metadata("/root").is_ok_and(|m| {
            use std::os::unix::fs::MetadataExt;
            m.uid() == 0 && std::fs::read_dir("/root").is_ok()
        })
}

#[test]
fn backup_check_and_users() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    shopdesk(&db).args(["gen", "--customers", "50", "--seed", "1"]).assert().success();
    let copy = dir.path().join("copy.db");
    shopdesk(&db).arg("backup").arg(&copy).assert().success();
    assert_eq!(export(&copy), export(&db));
    shopdesk(&db).arg("backup").arg(&copy).assert().failure();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600, "backups are private");
    }
    shopdesk(&db).arg("check").assert().success();
    rusqlite::Connection::open(&db).unwrap().execute("UPDATE customer_counts SET active = active + 1", []).unwrap();
    let out = shopdesk(&db).arg("check").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("customer_counts.active is"), "{out:?}");

    let users = shopdesk(&db).arg("users").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&users.stdout), "tester\tadmin\n");
    let mut clerk = Command::cargo_bin("shopdesk").unwrap();
    clerk.arg("--db").arg(&db).args(["--user", "clara", "--lang", "en", "users", "set-role", "clara", "admin"]);
    let out = clerk.output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("needs the admin role"), "{}", stderr(&out));
    shopdesk(&db).args(["users", "set-role", "clara", "manager"]).assert().success();
}

#[test]
fn chinese_messages_with_lang() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope/shop.db");
    let out = Command::cargo_bin("shopdesk")
        .unwrap()
        .arg("--db")
        .arg(&missing)
        .args(["--lang", "zh-CN", "export", "customers"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("没有数据库"), "{}", stderr(&out));
    // What the system says of a file is said in the language too.
    let db = dir.path().join("shop.db");
    let zh = |args: &[&str]| {
        let out = Command::cargo_bin("shopdesk")
            .unwrap()
            .arg("--db")
            .arg(&db)
            .arg("--lang")
            .arg("zh-CN")
            .args(args)
            .output()
            .unwrap();
        stderr(&out)
    };
    let gone = dir.path().join("gone.csv");
    assert!(zh(&["import", "customers", gone.to_str().unwrap()]).contains("文件或文件夹不存在"));
    assert!(zh(&["import", "customers", dir.path().to_str().unwrap()]).contains("是文件夹，不是文件"));
}

#[test]
fn relationship_tables_and_reports_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let customers = dir.path().join("c.csv");
    std::fs::write(&customers, common::CUSTOMERS_CSV).unwrap();
    assert!(import(&db, &customers, &[]).status.success());
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let contacts = write(
        "k.csv",
        "customer,kind,summary,follow_up\nC000001,call,Asked for prices,2020-01-02\nC000003,note,无需跟进,\n",
    );
    let out = import_into(&db, "contacts", &contacts, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let deals = write(
        "p.csv",
        "customer,title,stage,value,owner\nC000001,Wedding cakes,proposal,1200.50,alice\nC000002,Brunch,lead,300,bruno\n",
    );
    let out = import_into(&db, "opportunities", &deals, &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = shopdesk(&db).args(["report", "follow-ups", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["customer"], "C000001");
    assert_eq!(json[0]["follow_up"], "2020-01-02");
    assert!(json[0]["due"].as_str().unwrap().starts_with("overdue"));
    assert_eq!(json.as_array().unwrap().len(), 1, "only open follow-ups");

    let out = shopdesk(&db).args(["report", "pipeline", "--format", "csv"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("proposal,Proposal,1,1200.50,50,600.25"), "{text}");
    assert!(text.contains("open,Open pipeline,2,1500.50,,630.25"), "{text}");
    let table = shopdesk(&db).args(["report", "pipeline"]).output().unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).lines().next().unwrap().starts_with("stage"));

    for table in ["contacts", "feedback", "opportunities"] {
        let out = shopdesk(&db).args(["export", table]).output().unwrap();
        assert!(out.status.success(), "{table}: {}", stderr(&out));
    }
}

#[test]
fn stock_from_the_command_line_round_trips_and_refuses_going_below_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    shopdesk(&db).args(["gen", "--customers", "5", "--products", "40", "--moves", "600"]).assert().success();
    let run = |args: &[&str]| shopdesk(&db).args(args).output().unwrap();
    let text = |out: &std::process::Output| String::from_utf8_lossy(&out.stdout).into_owned();

    let products = run(&["export", "products"]);
    let sku = text(&products).lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    let out = run(&["stock", "receive", &sku, "5", "--warehouse", "SHOP", "--lot", "LX", "--expiry", "2030-01-01"]);
    let out = if out.status.success() { out } else { run(&["stock", "receive", &sku, "5", "--warehouse", "SHOP"]) };
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["stock", "scrap", &sku, "100000", "--reason", "flood", "--warehouse", "SHOP"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("missing"), "{}", stderr(&out));
    let out = run(&["stock", "return", &sku, "1", "--warehouse", "SHOP", "--lot", "LX", "--reference", "C-17"]);
    let out = if out.status.success() { out } else { run(&["stock", "return", &sku, "1", "--warehouse", "SHOP"]) };
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["stock", "transfer", "--from", "SHOP", "--to", "MAIN", &format!("{sku}=2")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(run(&["check"]).status.success(), "levels equal the ledger with a transfer in transit");
    assert!(run(&["stock", "receive-transfer", "T000001"]).status.success());

    for table in ["suppliers", "products", "warehouses", "stock"] {
        let exported = text(&run(&["export", table]));
        let file = dir.path().join(format!("{table}.csv"));
        std::fs::write(&file, &exported).unwrap();
        let fresh = dir.path().join("fresh.db");
        let out = shopdesk(&fresh).args(["import", table]).arg(&file).output().unwrap();
        assert!(out.status.success(), "{table}: {}", stderr(&out));
        let again = shopdesk(&fresh).args(["export", table]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&again.stdout), exported, "{table} round trip");
    }
    let moves = text(&run(&["export", "moves"]));
    assert!(moves.contains(",transfer_in,") && moves.contains(",-2.000,"), "negative numbers stay numbers");
    let out = shopdesk(&db).args(["import", "moves", "-"]).output().unwrap();
    assert!(!out.status.success());

    for report in ["stock-levels", "low-stock", "expiring", "stock-valuation"] {
        let out = run(&["report", report, "--format", "json"]);
        assert!(out.status.success(), "{report}: {}", stderr(&out));
        assert!(text(&out).starts_with('['), "{report}");
    }
}

#[test]
fn export_all_and_import_all_copy_a_shop_through_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new, folder) = (dir.path().join("old.db"), dir.path().join("new.db"), dir.path().join("shop"));
    let source = dir.path().join("source.csv");
    std::fs::write(&source, common::CUSTOMERS_CSV).unwrap();
    assert!(import(&old, &source, &[]).status.success());
    let out = shopdesk(&old).args(["export-all"]).arg(&folder).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && said.contains("customers: 5 rows") && said.contains("import-all"), "{said}");
    let again = shopdesk(&old).args(["export-all"]).arg(&folder).output().unwrap();
    assert!(!again.status.success() && stderr(&again).contains("is there already"), "{}", stderr(&again));
    let tried = shopdesk(&new).args(["import-all", "--dry-run"]).arg(&folder).output().unwrap();
    let said = String::from_utf8_lossy(&tried.stdout).into_owned();
    assert!(
        tried.status.success() && said.contains("customers: would create 5") && said.contains("Nothing was changed"),
        "{said}"
    );
    assert!(!new.exists(), "trying leaves no database behind");
    let one = shopdesk(&new).args(["import", "customers", "--dry-run"]).arg(&source).output().unwrap();
    assert!(one.status.success() && String::from_utf8_lossy(&one.stdout).contains("would create 5"), "{one:?}");
    assert!(!new.exists(), "nor does trying one table");
    // Refused for real, neither leaves an empty shop behind either.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "code,name\nC1,\n").unwrap();
    assert!(!shopdesk(&new).args(["import", "customers"]).arg(&bad).output().unwrap().status.success());
    assert!(!new.exists(), "a refused import leaves no database behind");
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::fs::write(broken.join("customers.csv"), "code,name\nC1,\n").unwrap();
    assert!(!shopdesk(&new).args(["import-all"]).arg(&broken).output().unwrap().status.success());
    assert!(!new.exists(), "nor does a refused folder");
    // An import that went in is kept, whatever fails after it (here: telling so, on an
    // output that cannot be written).
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "code,name\nC1,Ana\n").unwrap();
    let unwritable = std::fs::File::open(&good).unwrap();
    let kept = dir.path().join("kept.db");
    let _ = std::process::Command::new(assert_cmd::cargo::cargo_bin("shopdesk"))
        .args(["--db", kept.to_str().unwrap(), "--user", "tester", "import", "customers"])
        .arg(&good)
        .stdout(unwritable)
        .output()
        .unwrap();
    assert!(kept.exists(), "a committed import's file is never removed");
    assert!(export(&kept).contains("C1,Ana"), "{}", export(&kept));
    assert!(shopdesk(&new).args(["import-all"]).arg(&folder).output().unwrap().status.success());
    assert_eq!(export(&new), export(&old));
}

/// `shopdesk settings | head -1`: a reader that stops early ends the command quietly, not
/// with a panic and a backtrace on the terminal.
#[test]
fn a_reader_that_goes_away_early_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let good = dir.path().join("good.csv");
    std::fs::write(&good, common::CUSTOMERS_CSV).unwrap();
    assert!(import(&db, &good, &[]).status.success());
    for command in [&["settings"][..], &["users"], &["report", "sales"]] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("shopdesk"))
            .arg("--db")
            .arg(&db)
            .args(["--user", "tester", "--lang", "en"])
            .args(command)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success() && !stderr(&out).contains("panicked"), "{command:?}: {}", stderr(&out));
    }
}

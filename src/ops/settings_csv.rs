//! The shop's settings as CSV, `key,value` as `shopdesk settings` shows them: so a shop
//! copied through a folder prices, approves and invoices as the old one did.

use std::io::Write;

use super::Session;
use super::csv_io::{self, Errors, SafeWriter};
use super::customers::ImportReport;
use crate::db::orders as repo;
use crate::error::Result;

pub const COLUMNS: &[&str] = &["key", "value"];

pub fn export(session: &Session, out: impl Write) -> Result<usize> {
    let mut writer = SafeWriter::new(out);
    writer.row(COLUMNS.iter().copied())?;
    let settings = super::order_entry::describe_settings(session)?;
    for (key, value) in &settings {
        writer.row([key.as_str(), value.as_str()])?;
    }
    writer.finish()?;
    Ok(settings.len())
}

/// Sets each setting the file names, all or none, as `shopdesk settings KEY VALUE` would
/// (admins only). A setting already so is unchanged.
pub fn import(session: &mut Session, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    session.require(crate::domain::user::Role::Admin)?;
    let table = csv_io::read_table(bytes)?;
    let positions = csv_io::map_header(&table.headers, COLUMNS, COLUMNS)?;
    let mut errors = Errors::default();
    let mut wanted: Vec<(String, String)> = Vec::new();
    for record in &table.records {
        let key = record.cell(&positions, 0).unwrap_or("").trim().to_string();
        let value = record.cell(&positions, 1).unwrap_or("").trim();
        match super::order_entry::setting_value(&key, value) {
            Ok(stored) => wanted.push((key, stored)),
            Err(e) => {
                use super::order_entry::{RULE_SETTINGS, SHOP_DETAILS};
                let known = RULE_SETTINGS.contains(&key.as_str()) || SHOP_DETAILS.contains(&key.as_str());
                let (column, given) = if known { ("value", value) } else { ("key", key.as_str()) };
                errors.push(record.line, column, given, e.to_string());
            }
        }
    }
    errors.into_result()?;
    // A setting never set has its default, which the export writes: the same value again
    // is unchanged, not an update.
    let defaults: std::collections::HashMap<String, String> = super::order_entry::describe_settings(session)?
        .into_iter()
        .filter_map(|(key, shown)| super::order_entry::setting_value(&key, &shown).ok().map(|stored| (key, stored)))
        .collect();
    session.write_or_rehearse(dry_run, |tx, ctx| {
        let mut report = ImportReport { dry_run, ..Default::default() };
        for (key, stored) in &wanted {
            let now = repo::setting(tx, key)?;
            if now == *stored || (now.is_empty() && defaults.get(key) == Some(stored)) {
                report.unchanged += 1;
            } else {
                repo::set_setting(tx, key, stored)?;
                report.updated += 1;
            }
        }
        csv_io::finish_import(tx, ctx, Errors::default(), report, "settings")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_go_out_and_come_back_and_a_wrong_one_names_its_line() {
        let (mut s, _) = crate::ops::testing::shop();
        crate::ops::order_entry::set_setting(&mut s, "prices_include_tax", "yes").unwrap();
        crate::ops::order_entry::set_setting(&mut s, "shop_name", "Bäckerei 面包店").unwrap();
        let mut out = Vec::new();
        export(&s, &mut out).unwrap();
        let (mut other, _) = crate::ops::testing::shop();
        let report = import(&mut other, &out, false).unwrap();
        assert!(report.updated >= 2, "{report:?}");
        let mut again = Vec::new();
        export(&other, &mut again).unwrap();
        assert_eq!(String::from_utf8(again).unwrap(), String::from_utf8(out.clone()).unwrap());
        assert_eq!(import(&mut other, &out, false).unwrap().updated, 0, "a second import changes nothing");
        // A shop that never set a setting exports its default; importing that is no update.
        let (mut fresh, _) = crate::ops::testing::shop();
        fresh.db.conn().execute("DELETE FROM settings WHERE key <> 'prices_include_tax'", []).unwrap();
        let mut defaults = Vec::new();
        export(&fresh, &mut defaults).unwrap();
        assert_eq!(import(&mut fresh, &defaults, false).unwrap().updated, 0, "{}", String::from_utf8_lossy(&defaults));
        let bad = "key,value\napproval_limit,-5\ncolour,blue\n";
        let err = import(&mut other, bad.as_bytes(), false).unwrap_err().to_string();
        assert!(err.contains("line 2, column value: '-5'") && err.contains("line 3, column key: 'colour'"), "{err}");
    }
}

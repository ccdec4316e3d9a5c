//! `shopdesk import sales-history`: streams the file, then says which column was read as
//! what, and what was created.

use std::path::Path;

use crate::domain::history::DayOrder;
use crate::error::{Error, Result};
use crate::i18n::{t, tf};
use crate::ops::Session;
use crate::ops::sales_history::{self, Input, Options};

pub fn import(
    session: &mut Session,
    input: Input,
    file: &Path,
    dry_run: bool,
    map: &[String],
    dates: Option<&str>,
) -> Result<()> {
    let map = map
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((column, field)) => Ok((column.trim().to_string(), field.trim().to_string())),
            None => Err(Error::BadArgument(tf("cli.bad_map", &[("given", pair)]))),
        })
        .collect::<Result<Vec<_>>>()?;
    let day_order = match dates {
        None => None,
        Some(text) => {
            Some(DayOrder::parse(text).ok_or_else(|| Error::BadArgument(tf("cli.bad_dates", &[("given", &text)])))?)
        }
    };
    let reference = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "-".into());
    let options = Options { map, columns: None, day_order, dry_run, reference };
    let report = sales_history::import(session, &input, &options, &mut |_, _| true)?;
    say!("{}", t("sales_history.columns"))?;
    for (column, field) in &report.columns {
        match field {
            Some(f) => say!("{}", tf("sales_history.column_used", &[("column", column), ("field", &f.name())]))?,
            None => say!("{}", tf("sales_history.column_unused", &[("column", column)]))?,
        }
    }
    if let Some(dialect) = crate::ops::csv_io::describe(report.encoding, report.delimiter) {
        say!("{dialect}")?;
    }
    for text in report.summary() {
        say!("{text}")?;
    }
    Ok(())
}

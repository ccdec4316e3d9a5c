//! Which column of a sales-history file is which field: by header name and alias (with
//! what the common exports need: Shopify's `Name`, several status columns, a buyer handle
//! only without a name), then `--map`, then the checks that a file gives what an order
//! line needs.

use super::{MAX_STATUS_COLUMNS, Result};
use crate::domain::history::Field;
use crate::i18n::tf;
use crate::ops::csv_io::Errors;

/// The field each column is read as by its header's name or alias.
pub fn fields_by_header(headers: &[String]) -> Vec<Option<Field>> {
    let mut fields: Vec<Option<Field>> = headers.iter().map(|h| Field::for_header(h)).collect();
    // Exports often have several of these (`Email` and `Customer Email`, `Billing City`
    // and `Shipping City`): the first is the field, not refused as twice. (Several status
    // columns are all read: `Field::many_columns`.)
    for field in [Field::CancelledAt, Field::CustomerEmail, Field::City, Field::FirstName, Field::LastName] {
        let mut seen = false;
        for slot in fields.iter_mut().filter(|f| **f == Some(field)) {
            if std::mem::replace(&mut seen, true) {
                *slot = None;
            }
        }
    }
    // A buyer's handle (`Buyer Username`, `买家会员名`) names the customer only in a file
    // with no column of their name: files that named one read as they did.
    const HANDLES: [&str; 6] = ["buyerusername", "买家会员名", "买家昵称", "会员名", "收货人", "收货人姓名"];
    let normalised: Vec<String> = headers.iter().map(|h| crate::domain::history::normalise(h)).collect();
    let is_handle = |h: &String| HANDLES.contains(&h.as_str());
    let named = normalised.iter().zip(&fields).any(|(h, f)| *f == Some(Field::CustomerName) && !is_handle(h))
        || (fields.contains(&Some(Field::FirstName)) && fields.contains(&Some(Field::LastName)));
    let mut handle_seen = false;
    for (header, field) in normalised.iter().zip(fields.iter_mut()) {
        if *field == Some(Field::CustomerName)
            && is_handle(header)
            && (named || std::mem::replace(&mut handle_seen, true))
        {
            *field = None;
        }
    }
    // Shopify's export: its order number is `Name` (#1001), and its `Discount Amount` is
    // the order's, written on its first line; `Lineitem discount` is the line's.
    if normalised.iter().any(|h| h.starts_with("lineitem")) {
        if !fields.contains(&Some(Field::OrderNumber))
            && let Some(name) = normalised.iter().position(|h| h == "name")
            && fields[name].is_none()
        {
            fields[name] = Some(Field::OrderNumber);
        }
        if normalised.iter().any(|h| h == "lineitemdiscount") {
            for (field, header) in fields.iter_mut().zip(&normalised) {
                if *field == Some(Field::DiscountAmount) && header != "lineitemdiscount" {
                    *field = None;
                }
            }
        }
    }
    fields
}

/// Which column holds each field: by header name and alias, then `--map`.
pub fn map_columns(headers: &[String], map: &[(String, String)]) -> Result<Vec<Option<Field>>> {
    let mut fields = fields_by_header(headers);
    let mut errors = Errors::default();
    // The fields `--map` gave so far, and to which column: a second column for one is an error.
    let mut given: Vec<(Field, &str)> = Vec::new();
    for (column, field) in map {
        let Some(at) = headers.iter().position(|h| h.trim().eq_ignore_ascii_case(column.trim())) else {
            let known = headers.join(", ");
            errors.push(1, column, column, tf("sales_history.map_no_column", &[("columns", &known)]));
            continue;
        };
        if field.trim().is_empty() {
            fields[at] = None;
            continue;
        }
        match Field::parse(field) {
            Some(f) if f.many_columns() => fields[at] = Some(f),
            Some(f) => {
                if let Some((_, other)) = given.iter().find(|(g, c)| *g == f && !c.eq_ignore_ascii_case(column)) {
                    let text = tf("sales_history.map_twice", &[("field", &f.name()), ("other", other)]);
                    errors.push(1, column, field, text);
                    continue;
                }
                given.push((f, column));
                // The field moves to this column from any other that had it by its name.
                for other in fields.iter_mut() {
                    if *other == Some(f) {
                        *other = None;
                    }
                }
                fields[at] = Some(f);
            }
            None => errors.push(1, column, field, tf("sales_history.map_no_field", &[("fields", &Field::all_names())])),
        }
    }
    errors.into_result()?;
    check_columns(headers, fields)
}

/// Refuses columns read as one field twice, and a file without the fields an order line
/// needs.
pub fn check_columns(headers: &[String], fields: Vec<Option<Field>>) -> Result<Vec<Option<Field>>> {
    let mut errors = Errors::default();
    for (i, field) in fields.iter().enumerate() {
        let Some(field) = field else { continue };
        // Status columns are all read, up to a bound; one past it is named as one too many.
        if field.many_columns() {
            if fields[..i].iter().filter(|f| **f == Some(*field)).count() >= MAX_STATUS_COLUMNS {
                let text = tf("sales_history.too_many_status", &[("max", &MAX_STATUS_COLUMNS)]);
                errors.push(1, &headers[i], &headers[i], text);
            }
            continue;
        }
        if let Some(j) = fields[..i].iter().position(|f| f == &Some(*field)) {
            let text = tf("sales_history.same_field", &[("other", &headers[j]), ("field", &field.name())]);
            errors.push(1, &headers[i], &headers[i], text);
        }
    }
    let has = |f: Field| {
        fields.contains(&Some(f))
            // A name in two parts is a name when both are there.
            || (f == Field::CustomerName
                && fields.contains(&Some(Field::FirstName))
                && fields.contains(&Some(Field::LastName)))
    };
    let needed: [(&[Field], &str); 6] = [
        (&[Field::OrderNumber], "order_number"),
        (&[Field::OrderDate], "order_date"),
        (
            &[Field::CustomerCode, Field::CustomerEmail, Field::CustomerName],
            "customer_code / customer_email / customer_name",
        ),
        (&[Field::ProductCode, Field::ProductName], "product_code / product_name"),
        (&[Field::Quantity], "quantity"),
        (
            &[Field::UnitPrice, Field::Amount, Field::AmountBeforeDiscount],
            "unit_price / amount / amount_before_discount",
        ),
    ];
    for (any_of, names) in needed {
        if !any_of.iter().any(|f| has(*f)) {
            errors.push(1, "", "", tf("sales_history.missing_field", &[("field", &names)]));
        }
    }
    errors.into_result()?;
    Ok(fields)
}

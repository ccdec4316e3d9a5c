//! The customers table: one row mapper, keyset-paged list windows, versioned updates.

use rusqlite::{Connection, OptionalExtension, Row, ToSql, params_from_iter};

use crate::domain::customer::{Customer, CustomerData};
use crate::domain::ids::CustomerId;
use crate::error::{Error, Result};

/// Columns a list can be sorted by. Each has an index ending in `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter)]
pub enum CustomerSort {
    #[default]
    Name,
    Code,
    City,
    Region,
    Tier,
    Created,
}

impl CustomerSort {
    fn column(self) -> &'static str {
        match self {
            CustomerSort::Name => "name",
            CustomerSort::Code => "code",
            CustomerSort::City => "city",
            CustomerSort::Region => "region",
            CustomerSort::Tier => "tier",
            CustomerSort::Created => "created_at",
        }
    }
}

/// What a list shows: filter text, order, and whether archived customers are included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub filter: String,
    pub sort: CustomerSort,
    pub descending: bool,
    pub include_archived: bool,
}

/// A row's position in the sort order: the sort column's value, then the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowKey {
    pub value: String,
    pub id: CustomerId,
}

/// Where a window of rows starts or ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Start,
    End,
    /// Rows from this key on, the key's own row included.
    From(RowKey),
    /// Rows after this key.
    After(RowKey),
    /// Rows before this key; returned in display order, ending just before it.
    Before(RowKey),
}

/// What a list line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    pub id: CustomerId,
    pub code: String,
    pub name: String,
    pub company: String,
    pub city: String,
    pub region: String,
    pub tier: String,
    pub phone: String,
    pub email: String,
    pub archived: bool,
    pub key: RowKey,
}

fn customer_from_row(row: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: CustomerId(row.get("id")?),
        data: CustomerData {
            code: row.get("code")?,
            name: row.get("name")?,
            company: row.get("company")?,
            contact: row.get("contact")?,
            title: row.get("title")?,
            phone: row.get("phone")?,
            email: row.get("email")?,
            address: row.get("address")?,
            city: row.get("city")?,
            region: row.get("region")?,
            tier: row.get("tier")?,
            salesperson: row.get("salesperson")?,
            tax_id: row.get("tax_id")?,
            notes: row.get("notes")?,
        },
        created_at: row.get("created_at")?,
        archived_at: row.get("archived_at")?,
        version: row.get("version")?,
    })
}

pub fn get(conn: &Connection, id: CustomerId) -> Result<Option<Customer>> {
    Ok(conn.prepare_cached("SELECT * FROM customers WHERE id = ?1")?.query_row([id.0], customer_from_row).optional()?)
}

pub fn find_by_code(conn: &Connection, code: &str) -> Result<Option<Customer>> {
    Ok(conn
        .prepare_cached("SELECT * FROM customers WHERE code = ?1")?
        .query_row([code], customer_from_row)
        .optional()?)
}

/// Customers with exactly this name: what an imported line without a code may be.
pub fn named(conn: &Connection, name: &str) -> Result<Vec<Customer>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM customers WHERE name = ?1")?;
    let rows = stmt.query_map([name], customer_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Customers a clerk may mean by `typed` when starting an order: the one with that code,
/// else active customers whose code, name, company, contact, phone or e-mail holds it.
pub fn lookup(conn: &Connection, typed: &str, limit: usize) -> Result<Vec<Customer>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(exact) = find_by_code(conn, typed)? {
        return Ok(vec![exact]);
    }
    let escaped = typed.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let mut stmt = conn.prepare_cached(
        "SELECT * FROM customers WHERE archived_at IS NULL AND search LIKE ?1 ESCAPE '\\' ORDER BY name, id LIMIT ?2",
    )?;
    let rows = stmt
        .query_map((format!("%{escaped}%"), i64::try_from(limit).unwrap_or(i64::MAX)), customer_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn code_taken(conn: &Connection, code: &str, except: Option<CustomerId>) -> Result<bool> {
    let found: Option<i64> =
        conn.prepare_cached("SELECT id FROM customers WHERE code = ?1")?.query_row([code], |r| r.get(0)).optional()?;
    Ok(matches!(found, Some(id) if Some(CustomerId(id)) != except))
}

/// The editable columns in table order (then `search`), for INSERT and UPDATE alike.
fn data_values<'a>(data: &'a CustomerData, search: &'a dyn ToSql) -> [&'a dyn ToSql; 15] {
    [
        &data.code,
        &data.name,
        &data.company,
        &data.contact,
        &data.title,
        &data.phone,
        &data.email,
        &data.address,
        &data.city,
        &data.region,
        &data.tier,
        &data.salesperson,
        &data.tax_id,
        &data.notes,
        search,
    ]
}

/// Inserts a customer whose data has been validated and whose code is set.
pub fn insert(
    conn: &Connection,
    data: &CustomerData,
    created_at: &str,
    archived_at: Option<&str>,
) -> Result<CustomerId> {
    let search = data.search_text();
    conn.prepare_cached(
        "INSERT INTO customers (code, name, company, contact, title, phone, email, address, city, region,
                                tier, salesperson, tax_id, notes, search, created_at, archived_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params_from_iter(
        data_values(data, &search).into_iter().chain([&created_at as &dyn ToSql, &archived_at]),
    ))?;
    Ok(CustomerId(conn.last_insert_rowid()))
}

/// Saves an edit made on `expected_version`. Refused with `Conflict` when someone saved the
/// customer in between, so nobody's change is silently overwritten.
/// Moves a customer to another tier (the tier suggestions); a new version like any edit.
pub fn set_tier(conn: &Connection, id: CustomerId, tier: &str) -> Result<()> {
    conn.prepare_cached("UPDATE customers SET tier = ?2, version = version + 1 WHERE id = ?1")?
        .execute((id.0, tier))?;
    Ok(())
}

pub fn update(conn: &Connection, id: CustomerId, expected_version: i64, data: &CustomerData) -> Result<()> {
    let search = data.search_text();
    let changed = conn
        .prepare_cached(
            "UPDATE customers SET code = ?1, name = ?2, company = ?3, contact = ?4, title = ?5, phone = ?6,
                    email = ?7, address = ?8, city = ?9, region = ?10, tier = ?11, salesperson = ?12,
                    tax_id = ?13, notes = ?14, search = ?15, version = version + 1
             WHERE id = ?16 AND version = ?17",
        )?
        .execute(params_from_iter(
            data_values(data, &search).into_iter().chain([&id.0 as &dyn ToSql, &expected_version]),
        ))?;
    ensure_one_changed(conn, id, changed, &data.code)
}

pub fn set_archived(conn: &Connection, id: CustomerId, expected_version: i64, archived_at: Option<&str>) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE customers SET archived_at = ?1, version = version + 1 WHERE id = ?2 AND version = ?3")?
        .execute((archived_at, id.0, expected_version))?;
    ensure_one_changed(conn, id, changed, &id.to_string())
}

fn ensure_one_changed(conn: &Connection, id: CustomerId, changed: usize, what: &str) -> Result<()> {
    if changed == 1 {
        return Ok(());
    }
    match get(conn, id)? {
        Some(current) => Err(Error::Conflict { what: format!("{} {}", current.data.code, current.data.name) }),
        None => Err(Error::NotFound { what: what.to_string() }),
    }
}

/// Deletes a customer. Refused with `InUse` when another table refers to it (its foreign
/// key says so), so documents never lose their customer.
pub fn delete(conn: &Connection, id: CustomerId, expected_version: i64) -> Result<()> {
    let result =
        conn.prepare_cached("DELETE FROM customers WHERE id = ?1 AND version = ?2")?.execute((id.0, expected_version));
    match result {
        Ok(changed) => ensure_one_changed(conn, id, changed, &id.to_string()),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            let what = get(conn, id)?.map(|c| format!("{} {}", c.data.code, c.data.name)).unwrap_or_default();
            Err(Error::InUse { what })
        }
        Err(e) => Err(e.into()),
    }
}

/// Every customer id, for generating data that refers to customers.
pub fn all_ids(conn: &Connection) -> Result<Vec<CustomerId>> {
    let mut stmt = conn.prepare("SELECT id FROM customers ORDER BY id")?;
    let ids = stmt.query_map([], |r| Ok(CustomerId(r.get(0)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids)
}

/// Every customer in code order, archived included: the export.
pub fn for_each(conn: &Connection, mut visit: impl FnMut(Customer) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare("SELECT * FROM customers ORDER BY code, id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        visit(customer_from_row(row)?)?;
    }
    Ok(())
}

/// `LIKE` pattern for a substring, with the filter's own `%`, `_` and `\` taken literally.
fn like_pattern(filter: &str) -> String {
    let mut pattern = String::from("%");
    for c in filter.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The WHERE conditions of a list query (without the keyset part) and their parameters.
fn conditions(query: &ListQuery) -> (Vec<&'static str>, Vec<Box<dyn ToSql>>) {
    let mut clauses = Vec::new();
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    if !query.include_archived {
        clauses.push("archived_at IS NULL");
    }
    if !query.filter.trim().is_empty() {
        clauses.push("search LIKE ? ESCAPE '\\'");
        params.push(Box::new(like_pattern(&query.filter)));
    }
    (clauses, params)
}

/// Up to `limit` rows at `anchor`, in display order. Only this window is read: the query is
/// a range scan on the sort column's index, however deep into the list the window is.
pub fn window(conn: &Connection, query: &ListQuery, anchor: &Anchor, limit: usize) -> Result<Vec<CustomerRow>> {
    window_with(conn, query, anchor, limit, false)
}

/// Matches fewer than this are found faster by one sequential scan and a sort than by
/// walking the sort index and visiting the table in random order until a page is full.
pub const FEW_MATCHES: usize = 5_000;

/// [`window`] by a sequential scan: for a filter known to match few rows.
pub fn window_by_scan(conn: &Connection, query: &ListQuery, anchor: &Anchor, limit: usize) -> Result<Vec<CustomerRow>> {
    window_with(conn, query, anchor, limit, true)
}

fn window_with(
    conn: &Connection,
    query: &ListQuery,
    anchor: &Anchor,
    limit: usize,
    scan: bool,
) -> Result<Vec<CustomerRow>> {
    let column = query.sort.column();
    let (mut clauses, mut params) = conditions(query);
    // Going backwards (Before, End) reads in reverse order, then flips the result.
    let backwards = matches!(anchor, Anchor::Before(_) | Anchor::End);
    let (key_op, key) = match anchor {
        Anchor::Start | Anchor::End => (None, None),
        Anchor::From(k) => (Some(if query.descending { "<=" } else { ">=" }), Some(k)),
        Anchor::After(k) => (Some(if query.descending { "<" } else { ">" }), Some(k)),
        Anchor::Before(k) => (Some(if query.descending { ">" } else { "<" }), Some(k)),
    };
    let key_clause;
    if let (Some(op), Some(k)) = (key_op, key) {
        key_clause = format!("({column}, id) {op} (?, ?)");
        clauses.push(&key_clause);
        params.push(Box::new(k.value.clone()));
        params.push(Box::new(k.id.0));
    }
    let descending = query.descending != backwards;
    let dir = if descending { "DESC" } else { "ASC" };
    let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    let hint = if scan { "NOT INDEXED" } else { "" };
    let sql = format!(
        "SELECT id, code, name, company, city, region, tier, phone, email, archived_at, {column} AS sort_value
         FROM customers {hint} {where_sql} ORDER BY {column} {dir}, id {dir} LIMIT ?"
    );
    params.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt
        .query_map(params_from_iter(params.iter()), |r| {
            let id = CustomerId(r.get("id")?);
            Ok(CustomerRow {
                id,
                code: r.get("code")?,
                name: r.get("name")?,
                company: r.get("company")?,
                city: r.get("city")?,
                region: r.get("region")?,
                tier: r.get("tier")?,
                phone: r.get("phone")?,
                email: r.get("email")?,
                archived: r.get::<_, Option<String>>("archived_at")?.is_some(),
                key: RowKey { value: r.get("sort_value")?, id },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if backwards {
        rows.reverse();
    }
    Ok(rows)
}

/// How many customers the query shows. Without a filter this is read from the counts the
/// triggers keep, so it costs nothing however long the list.
pub fn count(conn: &Connection, query: &ListQuery) -> Result<usize> {
    if query.filter.trim().is_empty() {
        let (active, archived) = stored_counts(conn)?;
        let n = if query.include_archived { active + archived } else { active };
        return Ok(usize::try_from(n).unwrap_or(0));
    }
    let (clauses, params) = conditions(query);
    let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    let n: i64 = conn
        // A filter reads every row anyway: a plain sequential scan beats an index walk that
        // visits the table in random order.
        .prepare_cached(&format!("SELECT COUNT(*) FROM customers NOT INDEXED {where_sql}"))?
        .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// How many rows of the query sort before `key`.
pub fn position(conn: &Connection, query: &ListQuery, key: &RowKey) -> Result<usize> {
    let column = query.sort.column();
    let (mut clauses, mut params) = conditions(query);
    let op = if query.descending { ">" } else { "<" };
    let key_clause = format!("({column}, id) {op} (?, ?)");
    clauses.push(&key_clause);
    params.push(Box::new(key.value.clone()));
    params.push(Box::new(key.id.0));
    let sql = format!("SELECT COUNT(*) FROM customers WHERE {}", clauses.join(" AND "));
    let n: i64 = conn.prepare_cached(&sql)?.query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

fn stored_counts(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached("SELECT active, archived FROM customer_counts WHERE id = 1")?
        .query_row([], |r| Ok((r.get("active")?, r.get("archived")?)))?)
}

/// Where the kept counts disagree with the table, one line each (empty when they agree).
pub fn count_problems(conn: &Connection) -> Result<Vec<String>> {
    let (active, archived) = stored_counts(conn)?;
    let (real_active, real_archived): (i64, i64) = conn.query_row(
        "SELECT COUNT(*) FILTER (WHERE archived_at IS NULL), COUNT(*) FILTER (WHERE archived_at IS NOT NULL) FROM customers",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut problems = Vec::new();
    if active != real_active {
        problems.push(crate::i18n::tf("check.active_count", &[("stored", &active), ("real", &real_active)]));
    }
    if archived != real_archived {
        problems.push(crate::i18n::tf("check.archived_count", &[("stored", &archived), ("real", &real_archived)]));
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    fn add(db: &mut Db, code: &str, name: &str, archived: bool) -> CustomerId {
        let data = CustomerData { code: code.into(), name: name.into(), ..Default::default() };
        db.write(|tx| insert(tx, &data, "2026-01-01T00:00:00Z", archived.then_some("2026-02-01T00:00:00Z"))).unwrap()
    }

    fn names(rows: &[CustomerRow]) -> Vec<&str> {
        rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn windows_walk_the_whole_list_in_both_directions() {
        let mut db = Db::open_in_memory().unwrap();
        for i in 0..25 {
            add(&mut db, &format!("C{i:03}"), &format!("name {i:02}"), false);
        }
        let query = ListQuery::default();
        let mut seen = Vec::new();
        let mut anchor = Anchor::Start;
        loop {
            let page = window(db.conn(), &query, &anchor, 10).unwrap();
            if page.is_empty() {
                break;
            }
            anchor = Anchor::After(page.last().unwrap().key.clone());
            seen.extend(page.into_iter().map(|r| r.name));
        }
        assert_eq!(seen.len(), 25);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));

        let last = window(db.conn(), &query, &Anchor::End, 10).unwrap();
        assert_eq!(names(&last).first(), Some(&"name 15"));
        assert_eq!(names(&last).last(), Some(&"name 24"));
        let before = window(db.conn(), &query, &Anchor::Before(last[0].key.clone()), 3).unwrap();
        assert_eq!(names(&before), vec!["name 12", "name 13", "name 14"]);
        let from = window(db.conn(), &query, &Anchor::From(last[0].key.clone()), 2).unwrap();
        assert_eq!(names(&from), vec!["name 15", "name 16"]);
    }

    #[test]
    fn descending_and_other_columns() {
        let mut db = Db::open_in_memory().unwrap();
        add(&mut db, "B", "beta", false);
        add(&mut db, "A", "alpha", false);
        add(&mut db, "C", "Gamma", false);
        let query = ListQuery { descending: true, ..Default::default() };
        assert_eq!(names(&window(db.conn(), &query, &Anchor::Start, 10).unwrap()), vec!["Gamma", "beta", "alpha"]);
        let by_code = ListQuery { sort: CustomerSort::Code, ..Default::default() };
        let rows = window(db.conn(), &by_code, &Anchor::Start, 10).unwrap();
        assert_eq!(rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), vec!["A", "B", "C"]);
    }

    #[test]
    fn filter_matches_substrings_case_insensitively_and_literally() {
        let mut db = Db::open_in_memory().unwrap();
        add(&mut db, "C1", "Zoë Müller", false);
        add(&mut db, "C2", "张伟", false);
        add(&mut db, "C3", "100% Cotton", false);
        add(&mut db, "C4", "Old Friend", true);
        let q = |f: &str| ListQuery { filter: f.into(), ..Default::default() };
        assert_eq!(names(&window(db.conn(), &q("MÜLL"), &Anchor::Start, 10).unwrap()), vec!["Zoë Müller"]);
        assert_eq!(names(&window(db.conn(), &q("伟"), &Anchor::Start, 10).unwrap()), vec!["张伟"]);
        assert_eq!(names(&window(db.conn(), &q("0%"), &Anchor::Start, 10).unwrap()), vec!["100% Cotton"]);
        assert_eq!(count(db.conn(), &q("%")).unwrap(), 1);
        assert_eq!(count(db.conn(), &q("friend")).unwrap(), 0);
        let archived = ListQuery { filter: "friend".into(), include_archived: true, ..Default::default() };
        assert!(window(db.conn(), &archived, &Anchor::Start, 10).unwrap()[0].archived);
    }

    #[test]
    fn a_stale_version_is_a_conflict_not_an_overwrite() {
        let mut db = Db::open_in_memory().unwrap();
        let id = add(&mut db, "C1", "Ana", false);
        let mut first = get(db.conn(), id).unwrap().unwrap().data;
        first.city = "Lisbon".into();
        db.write(|tx| update(tx, id, 1, &first)).unwrap();
        let mut second = first.clone();
        second.city = "Porto".into();
        let err = db.write(|tx| update(tx, id, 1, &second)).unwrap_err();
        assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
        let stored = get(db.conn(), id).unwrap().unwrap();
        assert_eq!((stored.data.city.as_str(), stored.version), ("Lisbon", 2));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// Whatever sequence of inserts, archives, restores and deletes, the kept counts
        /// equal a real count.
        #[test]
        fn kept_counts_follow_every_change(steps in proptest::collection::vec((0u8..4, 0usize..20), 1..60)) {
            let mut db = Db::open_in_memory().unwrap();
            let mut ids = Vec::new();
            for (i, (op, pick)) in steps.into_iter().enumerate() {
                match op {
                    0 => ids.push(add(&mut db, &format!("C{i}"), "x", pick % 3 == 0)),
                    _ if ids.is_empty() => {}
                    1 | 2 => {
                        let id = ids[pick % ids.len()];
                        let version = get(db.conn(), id).unwrap().unwrap().version;
                        let at = (op == 1).then_some("2026-01-01T00:00:00Z");
                        db.write(|tx| set_archived(tx, id, version, at)).unwrap();
                    }
                    _ => {
                        let id = ids.remove(pick % ids.len());
                        let version = get(db.conn(), id).unwrap().unwrap().version;
                        db.write(|tx| delete(tx, id, version)).unwrap();
                    }
                }
            }
            proptest::prop_assert!(count_problems(db.conn()).unwrap().is_empty());
            let all = ListQuery { include_archived: true, ..Default::default() };
            proptest::prop_assert_eq!(count(db.conn(), &all).unwrap(), ids.len());
        }
    }

    #[test]
    fn a_referenced_customer_cannot_be_deleted() {
        let mut db = Db::open_in_memory().unwrap();
        let id = add(&mut db, "C1", "Ana", false);
        db.conn()
            .execute_batch(
                "CREATE TABLE fake_orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id));",
            )
            .unwrap();
        db.conn().execute("INSERT INTO fake_orders (customer_id) VALUES (?1)", [id.0]).unwrap();
        let err = db.write(|tx| delete(tx, id, 1)).unwrap_err();
        assert!(matches!(err, Error::InUse { .. }), "{err:?}");
        assert!(get(db.conn(), id).unwrap().is_some());
    }
}

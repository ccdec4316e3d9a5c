//! Keyset paging shared by list windows: a window starts or ends at a row's key (its sort
//! value and id) instead of an OFFSET, so page 5000 costs what page 1 costs.

/// A row's place in its list's order: the sort column's value, then the id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Key {
    pub value: String,
    pub id: i64,
}

/// Where a window of rows starts or ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Start,
    End,
    /// Rows from this key on, the key's own row included.
    From(Key),
    /// Rows after this key.
    After(Key),
    /// Rows before this key; returned in display order, ending just before it.
    Before(Key),
}

/// The SQL pieces of one window over `(sort, id)`: a key condition (with its two
/// parameters) when anchored at a key, the ORDER BY direction, and whether the rows come
/// back reversed (a backwards read) and must be flipped for display.
pub struct Window {
    pub condition: Option<(String, Key)>,
    pub direction: &'static str,
    pub backwards: bool,
}

pub fn window(anchor: &Anchor, sort: &str, id: &str, descending: bool) -> Window {
    let backwards = matches!(anchor, Anchor::Before(_) | Anchor::End);
    let (op, key) = match anchor {
        Anchor::Start | Anchor::End => ("", None),
        Anchor::From(k) => (if descending { "<=" } else { ">=" }, Some(k)),
        Anchor::After(k) => (if descending { "<" } else { ">" }, Some(k)),
        Anchor::Before(k) => (if descending { ">" } else { "<" }, Some(k)),
    };
    Window {
        condition: key.map(|k| (format!("({sort}, {id}) {op} (?, ?)"), k.clone())),
        direction: if descending != backwards { "DESC" } else { "ASC" },
        backwards,
    }
}

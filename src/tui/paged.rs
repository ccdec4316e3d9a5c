//! A list screen's window onto a table of any length: only the visible rows are held, and
//! moving past an edge fetches just the rows that come into view (keyset paging). The
//! source says how to fetch; this holds where the window stands.

use crate::db::paging::{Anchor, Key};
use crate::error::Result;
use crate::ops::Session;

/// Where a paged list's rows come from, in its order.
pub trait PageSource {
    type Row;
    fn key(row: &Self::Row) -> Key;
    fn window(&self, session: &Session, anchor: &Anchor, limit: usize) -> Result<Vec<Self::Row>>;
    fn count(&self, session: &Session) -> Result<usize>;
    /// How many rows come before `key`.
    fn position(&self, session: &Session, key: &Key) -> Result<usize>;
    /// The key of the row with this id, if it exists.
    fn key_of(&self, session: &Session, id: i64) -> Result<Option<Key>>;
}

#[derive(Debug)]
pub struct Paged<S: PageSource> {
    pub source: S,
    /// The visible window, in display order.
    pub rows: Vec<S::Row>,
    /// Index into `rows` of the highlighted row.
    pub selected: usize,
    /// Position of `rows[0]` in the whole list.
    pub offset: usize,
    pub total: usize,
    /// Rows that fit on screen.
    pub capacity: usize,
    /// Whether rows may exist past the window's ends; false once a fetch found none, so
    /// the next key at that edge needs no query.
    more_below: bool,
    more_above: bool,
}

impl<S: PageSource> Paged<S> {
    pub fn new(source: S) -> Paged<S> {
        Paged {
            source,
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            total: 0,
            capacity: 1,
            more_below: false,
            more_above: false,
        }
    }

    pub fn selected_row(&self) -> Option<&S::Row> {
        self.rows.get(self.selected)
    }

    /// Position of the highlighted row in the whole list (0-based).
    pub fn position(&self) -> usize {
        self.offset + self.selected
    }

    /// Back to the top: after the source's query changed.
    pub fn reset(&mut self, session: &Session) -> Result<()> {
        self.total = self.source.count(session)?;
        self.first(session)
    }

    /// Shows a first window found off the input loop (for the source's current query).
    pub fn show_found(&mut self, rows: Vec<S::Row>, total: usize, asked_for: usize) {
        self.rows = rows;
        self.total = total;
        self.offset = 0;
        self.selected = 0;
        self.more_above = false;
        self.more_below = self.rows.len() == asked_for;
    }

    /// Re-reads the window where it stands, keeping the highlighted row if it is still there.
    pub fn reload(&mut self, session: &Session) -> Result<()> {
        let keep = self.selected_row().map(|r| S::key(r).id);
        let anchor = self.rows.first().map(|r| Anchor::From(S::key(r))).unwrap_or(Anchor::Start);
        self.total = self.source.count(session)?;
        self.rows = self.source.window(session, &anchor, self.capacity)?;
        if self.rows.len() < self.capacity {
            self.rows = self.source.window(session, &Anchor::End, self.capacity)?;
            self.offset = self.total.saturating_sub(self.rows.len());
        }
        self.offset = self.offset.min(self.total.saturating_sub(self.rows.len()));
        self.more_above = true;
        self.more_below = true;
        self.select_id_or_clamp(keep);
        Ok(())
    }

    /// Shows the window that holds the row `id` (after creating or editing it).
    pub fn show(&mut self, session: &Session, id: i64) -> Result<()> {
        self.reload(session)?;
        if self.rows.iter().any(|r| S::key(r).id == id) {
            self.select_id_or_clamp(Some(id));
            return Ok(());
        }
        let Some(key) = self.source.key_of(session, id)? else { return Ok(()) };
        let rows = self.source.window(session, &Anchor::From(key.clone()), self.capacity)?;
        if rows.first().map(|r| S::key(r).id) == Some(id) {
            self.rows = rows;
            self.selected = 0;
            self.more_above = true;
            self.more_below = true;
            self.offset = self.source.position(session, &key)?;
        }
        Ok(())
    }

    fn select_id_or_clamp(&mut self, id: Option<i64>) {
        if let Some(index) = id.and_then(|id| self.rows.iter().position(|r| S::key(r).id == id)) {
            self.selected = index;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    pub fn set_capacity(&mut self, session: &Session, capacity: usize) -> Result<()> {
        let capacity = capacity.max(1);
        if capacity != self.capacity {
            self.capacity = capacity;
            self.reload(session)?;
        }
        Ok(())
    }

    pub fn down(&mut self, session: &Session) -> Result<()> {
        if self.selected + 1 < self.rows.len() {
            self.selected += 1;
            return Ok(());
        }
        let Some(last) = self.rows.last().filter(|_| self.more_below) else { return Ok(()) };
        let next = self.source.window(session, &Anchor::After(S::key(last)), 1)?;
        match next.into_iter().next() {
            Some(row) => {
                self.rows.remove(0);
                self.rows.push(row);
                self.offset += 1;
                self.more_above = true;
            }
            None => self.more_below = false,
        }
        Ok(())
    }

    pub fn up(&mut self, session: &Session) -> Result<()> {
        if self.selected > 0 {
            self.selected -= 1;
            return Ok(());
        }
        let Some(first) = self.rows.first().filter(|_| self.more_above) else { return Ok(()) };
        let previous = self.source.window(session, &Anchor::Before(S::key(first)), 1)?;
        match previous.into_iter().next() {
            Some(row) => {
                self.rows.insert(0, row);
                self.rows.truncate(self.capacity);
                self.offset = self.offset.saturating_sub(1);
                self.more_below = true;
            }
            None => {
                self.more_above = false;
                self.offset = 0;
            }
        }
        Ok(())
    }

    pub fn page_down(&mut self, session: &Session) -> Result<()> {
        let Some(last) = self.rows.last().filter(|_| self.more_below) else {
            self.selected = self.rows.len().saturating_sub(1);
            return Ok(());
        };
        let next = self.source.window(session, &Anchor::After(S::key(last)), self.capacity)?;
        if next.len() == self.capacity {
            self.offset += self.rows.len();
            self.rows = next;
            self.more_above = true;
        } else if !next.is_empty() {
            self.last(session)?;
        } else {
            self.more_below = false;
            self.selected = self.rows.len().saturating_sub(1);
        }
        Ok(())
    }

    pub fn page_up(&mut self, session: &Session) -> Result<()> {
        let Some(first) = self.rows.first().filter(|_| self.more_above) else {
            self.selected = 0;
            return Ok(());
        };
        let previous = self.source.window(session, &Anchor::Before(S::key(first)), self.capacity)?;
        if previous.len() == self.capacity {
            self.offset = self.offset.saturating_sub(previous.len());
            self.rows = previous;
            self.more_below = true;
        } else {
            let selected = if previous.is_empty() { 0 } else { self.selected };
            self.first(session)?;
            self.selected = selected.min(self.rows.len().saturating_sub(1));
        }
        Ok(())
    }

    pub fn first(&mut self, session: &Session) -> Result<()> {
        self.rows = self.source.window(session, &Anchor::Start, self.capacity)?;
        self.offset = 0;
        self.selected = 0;
        self.more_above = false;
        self.more_below = self.rows.len() == self.capacity;
        Ok(())
    }

    pub fn last(&mut self, session: &Session) -> Result<()> {
        self.rows = self.source.window(session, &Anchor::End, self.capacity)?;
        self.offset = self.total.saturating_sub(self.rows.len());
        self.selected = self.rows.len().saturating_sub(1);
        self.more_below = false;
        self.more_above = self.rows.len() == self.capacity;
        Ok(())
    }

    /// Applies a movement action; false for any other action.
    pub fn navigate(&mut self, session: &Session, action: super::action::Action) -> Result<bool> {
        use super::action::Action;
        match action {
            Action::Down => self.down(session)?,
            Action::Up => self.up(session)?,
            Action::PageDown => self.page_down(session)?,
            Action::PageUp => self.page_up(session)?,
            Action::First => self.first(session)?,
            Action::Last => self.last(session)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

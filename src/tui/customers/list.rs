//! The customer list's window onto the table: only the visible rows are held, and moving
//! past an edge fetches just the rows that come into view (keyset paging).

use crate::domain::ids::CustomerId;
use crate::error::Result;
use crate::ops::Session;
use crate::ops::customers::{self, Anchor, CustomerRow, ListQuery};

#[derive(Debug, Default)]
pub struct CustomerList {
    pub query: ListQuery,
    /// The visible window, in display order.
    pub rows: Vec<CustomerRow>,
    /// Index into `rows` of the highlighted row.
    pub selected: usize,
    /// Position of `rows[0]` in the whole filtered list, for the scrollbar and "12/240".
    pub offset: usize,
    /// Customers matching the query.
    pub total: usize,
    /// Rows that fit on screen.
    pub capacity: usize,
    /// Whether rows may exist past the window's ends. When a fetch found nothing there, the
    /// next key at that edge needs no query: a rare filter match would otherwise cost a scan.
    more_below: bool,
    more_above: bool,
}

impl CustomerList {
    pub fn selected_row(&self) -> Option<&CustomerRow> {
        self.rows.get(self.selected)
    }

    /// Position of the highlighted row in the whole list (0-based).
    pub fn position(&self) -> usize {
        self.offset + self.selected
    }

    /// Back to the top with the current query: after a filter or sort change.
    pub fn reset(&mut self, session: &Session) -> Result<()> {
        self.total = customers::count(session, &self.query)?;
        self.first(session)
    }

    /// Shows a window found off the input loop for `query`.
    pub fn show_found(&mut self, query: ListQuery, rows: Vec<CustomerRow>, total: usize, asked_for: usize) {
        self.query = query;
        self.rows = rows;
        self.total = total;
        self.offset = 0;
        self.selected = 0;
        self.more_above = false;
        self.more_below = self.rows.len() == asked_for;
    }

    /// Re-reads the window where it stands (after a write here or in another session),
    /// keeping the highlighted customer if it is still there.
    pub fn reload(&mut self, session: &Session) -> Result<()> {
        let keep = self.selected_row().map(|r| r.id);
        let anchor = self.rows.first().map(|r| Anchor::From(r.key.clone())).unwrap_or(Anchor::Start);
        self.total = customers::count(session, &self.query)?;
        self.rows = customers::window(session, &self.query, &anchor, self.capacity)?;
        if self.rows.len() < self.capacity {
            // The window ran past the end (rows were deleted or the screen grew): end-align it.
            self.rows = customers::window(session, &self.query, &Anchor::End, self.capacity)?;
            self.offset = self.total.saturating_sub(self.rows.len());
        }
        self.offset = self.offset.min(self.total.saturating_sub(self.rows.len()));
        self.more_above = true;
        self.more_below = true;
        self.select_id_or_clamp(keep);
        Ok(())
    }

    /// Shows the window that holds `id` (after creating or editing it).
    pub fn show(&mut self, session: &Session, id: CustomerId) -> Result<()> {
        self.reload(session)?;
        if self.rows.iter().any(|r| r.id == id) {
            self.select_id_or_clamp(Some(id));
            return Ok(());
        }
        let customer = customers::get(session, id)?;
        let value = match self.query.sort {
            customers::CustomerSort::Name => customer.data.name,
            customers::CustomerSort::Code => customer.data.code,
            customers::CustomerSort::City => customer.data.city,
            customers::CustomerSort::Region => customer.data.region,
            customers::CustomerSort::Tier => customer.data.tier,
            customers::CustomerSort::Created => customer.created_at,
        };
        let key = customers::RowKey { value, id };
        let rows = customers::window(session, &self.query, &Anchor::From(key.clone()), self.capacity)?;
        if rows.first().map(|r| r.id) == Some(id) {
            self.rows = rows;
            self.selected = 0;
            self.more_above = true;
            self.more_below = true;
            self.offset = customers::position(session, &self.query, &key)?;
        }
        Ok(())
    }

    fn select_id_or_clamp(&mut self, id: Option<CustomerId>) {
        if let Some(index) = id.and_then(|id| self.rows.iter().position(|r| r.id == id)) {
            self.selected = index;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// A new screen height: refetch so the window fills it.
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
        let next = customers::window(session, &self.query, &Anchor::After(last.key.clone()), 1)?;
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
        let previous = customers::window(session, &self.query, &Anchor::Before(first.key.clone()), 1)?;
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
        let next = customers::window(session, &self.query, &Anchor::After(last.key.clone()), self.capacity)?;
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
        let previous = customers::window(session, &self.query, &Anchor::Before(first.key.clone()), self.capacity)?;
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
        self.rows = customers::window(session, &self.query, &Anchor::Start, self.capacity)?;
        self.offset = 0;
        self.selected = 0;
        self.more_above = false;
        self.more_below = self.rows.len() == self.capacity;
        Ok(())
    }

    pub fn last(&mut self, session: &Session) -> Result<()> {
        self.rows = customers::window(session, &self.query, &Anchor::End, self.capacity)?;
        self.offset = self.total.saturating_sub(self.rows.len());
        self.selected = self.rows.len().saturating_sub(1);
        self.more_below = false;
        self.more_above = self.rows.len() == self.capacity;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::ops::{Clock, synth};

    fn shop(n: usize) -> Session {
        let db = Db::open_in_memory().unwrap();
        let mut s = Session::start(db, "t", Clock::Fixed("2026-01-01T00:00:00Z".into())).unwrap();
        synth::generate(&mut s, n, 1).unwrap();
        s
    }

    /// Walking down one row at a time visits every customer once, in order, and the
    /// position always matches the number of steps taken.
    #[test]
    fn stepping_down_visits_every_row_in_order() {
        let session = shop(60);
        let mut list = CustomerList {
            capacity: 7,
            query: ListQuery { include_archived: true, ..Default::default() },
            ..Default::default()
        };
        list.reset(&session).unwrap();
        let mut seen = vec![list.selected_row().unwrap().id];
        for step in 1..list.total {
            list.down(&session).unwrap();
            assert_eq!(list.position(), step);
            seen.push(list.selected_row().unwrap().id);
        }
        list.down(&session).unwrap();
        assert_eq!(list.position(), list.total - 1, "stays on the last row");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 60);
        for _ in 0..list.total {
            list.up(&session).unwrap();
        }
        assert_eq!((list.position(), list.selected_row().unwrap().id), (0, seen[0]));
    }

    #[test]
    fn paging_and_jumps_agree_with_stepping() {
        let session = shop(50);
        let mut list = CustomerList {
            capacity: 8,
            query: ListQuery { include_archived: true, ..Default::default() },
            ..Default::default()
        };
        list.reset(&session).unwrap();
        list.page_down(&session).unwrap();
        assert_eq!(list.offset, 8);
        list.last(&session).unwrap();
        assert_eq!(list.position(), 49);
        list.page_down(&session).unwrap();
        assert_eq!(list.position(), 49);
        list.page_up(&session).unwrap();
        assert_eq!(list.offset, 34);
        list.first(&session).unwrap();
        list.page_up(&session).unwrap();
        assert_eq!(list.position(), 0);
    }
}

//! The customer list's window onto the table: the generic keyset-paged list over the
//! customers of a query.

use crate::db::paging::{Anchor as PageAnchor, Key};
use crate::domain::ids::CustomerId;
use crate::error::Result;
use crate::ops::Session;
use crate::ops::customers::{self, Anchor, CustomerRow, CustomerSort, ListQuery, RowKey};
use crate::tui::paged::{PageSource, Paged};

/// The customers a list query shows, in its order.
#[derive(Debug, Default)]
pub struct CustomerSource {
    pub query: ListQuery,
}

pub type CustomerList = Paged<CustomerSource>;

fn row_key(key: &Key) -> RowKey {
    RowKey { value: key.value.clone(), id: CustomerId(key.id) }
}

impl PageSource for CustomerSource {
    type Row = CustomerRow;

    fn key(row: &CustomerRow) -> Key {
        Key { value: row.key.value.clone(), id: row.key.id.0 }
    }

    fn window(&self, session: &Session, anchor: &PageAnchor, limit: usize) -> Result<Vec<CustomerRow>> {
        let anchor = match anchor {
            PageAnchor::Start => Anchor::Start,
            PageAnchor::End => Anchor::End,
            PageAnchor::From(k) => Anchor::From(row_key(k)),
            PageAnchor::After(k) => Anchor::After(row_key(k)),
            PageAnchor::Before(k) => Anchor::Before(row_key(k)),
        };
        customers::window(session, &self.query, &anchor, limit)
    }

    fn count(&self, session: &Session) -> Result<usize> {
        customers::count(session, &self.query)
    }

    fn position(&self, session: &Session, key: &Key) -> Result<usize> {
        customers::position(session, &self.query, &row_key(key))
    }

    fn key_of(&self, session: &Session, id: i64) -> Result<Option<Key>> {
        let customer = customers::get(session, CustomerId(id))?;
        let value = match self.query.sort {
            CustomerSort::Name => customer.data.name,
            CustomerSort::Code => customer.data.code,
            CustomerSort::City => customer.data.city,
            CustomerSort::Region => customer.data.region,
            CustomerSort::Tier => customer.data.tier,
            CustomerSort::Created => customer.created_at,
        };
        Ok(Some(Key { value, id }))
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
        let mut list =
            CustomerList::new(CustomerSource { query: ListQuery { include_archived: true, ..Default::default() } });
        list.capacity = 7;
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
        let mut list =
            CustomerList::new(CustomerSource { query: ListQuery { include_archived: true, ..Default::default() } });
        list.capacity = 8;
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

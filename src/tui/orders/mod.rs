//! The Orders tab: the list of sales orders (keyset-paged, with views for what needs doing),
//! an order with its lines, shipments and timeline, and order entry.

pub mod actions;
pub mod entry;
pub mod view;

use tui_input::Input;

use crate::db::orders::{OrderQuery, OrderRow, OrderView};
use crate::db::paging::{Anchor, Key};
use crate::error::Result;
use crate::ops::Session;
use crate::ops::orders::{self, OrderDetail};
use crate::tui::form::Form;
use crate::tui::paged::{PageSource, Paged};

#[derive(Debug, Default)]
pub struct OrderSource {
    pub query: OrderQuery,
}

impl PageSource for OrderSource {
    type Row = OrderRow;

    fn key(row: &OrderRow) -> Key {
        Key { value: row.order_date.clone(), id: row.id }
    }

    fn window(&self, session: &Session, anchor: &Anchor, limit: usize) -> Result<Vec<OrderRow>> {
        orders::window(session, &self.query, anchor, limit)
    }

    fn count(&self, session: &Session) -> Result<usize> {
        orders::count(session, &self.query)
    }

    fn position(&self, session: &Session, key: &Key) -> Result<usize> {
        orders::position(session, &self.query, key)
    }

    fn key_of(&self, session: &Session, id: i64) -> Result<Option<Key>> {
        crate::db::orders::key_of(session.db.conn(), id)
    }
}

/// What a small form on the order screen asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Cancel,
    Reject,
    /// Carrier and tracking number of the shipment about to leave, with the lines (order
    /// line, quantity) it held when the form opened.
    Ship(String, Vec<(i64, crate::domain::money::Quantity)>),
    /// The day a shipment arrived.
    Deliver(String),
}

#[derive(Debug)]
pub struct OrderForm {
    pub kind: FormKind,
    pub form: Form,
    pub order: i64,
    /// The order's version when the form opened.
    pub version: i64,
}

/// Where an order's screen or entry returns to on Esc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Back {
    #[default]
    List,
    Order(i64),
    Customer(i64),
    /// The tab a new order was started from (Ctrl-N on the Stock tab, say).
    Tab(crate::tui::app::Tab),
}

#[derive(Debug)]
pub enum OrderScreen {
    List,
    Order(Box<OrderDetail>),
    Entry(Box<entry::Entry>),
    Form(Box<OrderForm>),
    /// A shipment's delivery note as text.
    Note(Box<(String, String)>),
}

pub struct OrdersTab {
    pub screen: OrderScreen,
    pub list: Paged<OrderSource>,
    pub filtering: bool,
    pub filter_input: Input,
    /// The shipment chosen on the order screen (for ship, deliver, delivery note).
    pub shipment: usize,
    /// Where the entry screen goes back to.
    pub entry_back: Back,
    /// Where the order screen goes back to.
    pub order_back: Back,
}

impl OrdersTab {
    pub fn new() -> OrdersTab {
        OrdersTab {
            screen: OrderScreen::List,
            list: Paged::new(OrderSource::default()),
            filtering: false,
            filter_input: Input::default(),
            shipment: 0,
            entry_back: Back::List,
            order_back: Back::List,
        }
    }

    pub fn view(&self) -> OrderView {
        self.list.source.query.view
    }
}

impl Default for OrdersTab {
    fn default() -> Self {
        Self::new()
    }
}

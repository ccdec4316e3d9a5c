//! The Stock tab: products (keyset-paged, filtered), a product's levels, lots and moves,
//! receiving by scanner, adjustments and scrap, the low-stock list and expiring lots.

pub mod actions;
pub mod count;
pub mod masters;
pub mod purchasing;
pub mod receive;
pub mod view;

use tui_input::Input;

use crate::db::ledger::{Expiring, Level, LowStock, Move};
use crate::db::paging::{Anchor, Key};
use crate::domain::stock::LotStock;
use crate::error::Result;
use crate::ops::Session;
use crate::ops::stock::{self, Product, ProductQuery, ProductRow};
use crate::tui::form::Form;
use crate::tui::paged::{PageSource, Paged};

/// The product list's rows for its query.
#[derive(Debug, Default)]
pub struct ProductSource {
    pub query: ProductQuery,
}

impl PageSource for ProductSource {
    type Row = ProductRow;

    fn key(row: &ProductRow) -> Key {
        row.key.clone()
    }

    fn window(&self, session: &Session, anchor: &Anchor, limit: usize) -> Result<Vec<ProductRow>> {
        stock::product_window(session, &self.query, anchor, limit)
    }

    fn count(&self, session: &Session) -> Result<usize> {
        stock::product_count(session, &self.query)
    }

    fn position(&self, session: &Session, key: &Key) -> Result<usize> {
        stock::product_position(session, &self.query, key)
    }

    fn key_of(&self, session: &Session, id: i64) -> Result<Option<Key>> {
        stock::product_key(session, self.query.sort, id)
    }
}

/// A product with what its detail screen shows.
#[derive(Debug, Clone)]
pub struct ProductDetail {
    pub product: Product,
    pub levels: Vec<Level>,
    /// Lots in stock, with the warehouse each is in.
    pub lots: Vec<(String, LotStock)>,
    pub moves: Vec<Move>,
}

/// What a stock form saves.
#[derive(Debug, Clone)]
pub enum FormKind {
    Product {
        editing: Option<Box<Product>>,
    },
    /// An adjustment or scrap of a product.
    Move(crate::domain::stock::MoveKind),
    /// The quantity of a draft purchase order's line.
    PoLine {
        code: String,
        line: i64,
    },
    /// A warehouse's own reorder point and quantity for a product.
    Reorder,
    Supplier {
        editing: Option<Box<crate::db::products::Supplier>>,
    },
    Warehouse {
        editing: Option<Box<crate::db::products::Warehouse>>,
    },
}

#[derive(Debug)]
pub struct StockForm {
    pub kind: FormKind,
    pub form: Form,
    /// The product whose detail to return to, if the form was opened from one.
    pub back_to: Option<i64>,
}

#[derive(Debug)]
pub enum StockScreen {
    Products,
    Product(Box<ProductDetail>),
    Form(Box<StockForm>),
    Receive(Box<receive::Receiving>),
    LowStock,
    Expiring,
    Plan,
    Orders,
    Order,
    SlowMovers,
    Count(Box<count::CountSheet>),
    Transfers,
    Suppliers,
    Warehouses,
}

/// Where Esc on a product's detail returns to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DetailFrom {
    #[default]
    Products,
    LowStock,
    Expiring,
    SlowMovers,
}

/// How far ahead the expiring view looks, chosen with + and -.
pub const EXPIRY_WINDOWS: &[u32] = &[7, 14, 30, 60, 90, 180, 365];
/// Days without a sale the slow movers view can ask about.
pub const IDLE_WINDOWS: &[u32] = &[30, 60, 90, 180, 365];
/// Alert lists show the most urgent this many; their title says how many there are.
pub const ALERT_ROWS: usize = 500;

pub struct StockTab {
    pub screen: StockScreen,
    pub products: Paged<ProductSource>,
    pub filtering: bool,
    pub filter_input: Input,
    pub detail_from: DetailFrom,
    pub low: Vec<LowStock>,
    pub low_selected: usize,
    pub expiring: Vec<Expiring>,
    pub expiring_selected: usize,
    pub expiry_days: u32,
    /// Product x warehouse pairs below their reorder point, for the status bar.
    pub low_count: usize,
    pub purchasing: purchasing::PurchasingViews,
    pub slow: Vec<crate::ops::stock_reports::SlowMover>,
    pub slow_selected: usize,
    /// Days without a sale that make a product a slow mover.
    pub slow_days: u32,
    /// Transfers sent and not yet received.
    pub transfers: Vec<crate::db::ledger::Transfer>,
    pub transfers_selected: usize,
    pub masters: masters::MastersView,
}

impl StockTab {
    pub fn new() -> StockTab {
        StockTab {
            screen: StockScreen::Products,
            products: Paged::new(ProductSource::default()),
            filtering: false,
            filter_input: Input::default(),
            detail_from: DetailFrom::Products,
            low: Vec::new(),
            low_selected: 0,
            expiring: Vec::new(),
            expiring_selected: 0,
            expiry_days: 30,
            low_count: 0,
            purchasing: purchasing::PurchasingViews::default(),
            slow: Vec::new(),
            slow_selected: 0,
            slow_days: 90,
            transfers: Vec::new(),
            transfers_selected: 0,
            masters: masters::MastersView::default(),
        }
    }

    pub fn form(&self) -> Option<&Form> {
        match &self.screen {
            StockScreen::Form(f) => Some(&f.form),
            _ => None,
        }
    }
}

impl Default for StockTab {
    fn default() -> Self {
        Self::new()
    }
}

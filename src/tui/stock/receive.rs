//! Receiving a delivery by scanner or keyboard: each code typed or scanned with Enter
//! becomes a line (the same code again adds to it); lot-tracked products ask for lot and
//! expiry first; Ctrl-S books all lines in one transaction.

use tui_input::Input;

use crate::domain::fields::{Problem, parse_date};
use crate::domain::money::Quantity;
use crate::error::describe_problem;
use crate::i18n::tf;
use crate::ops::Session;
use crate::ops::ledger::ReceiptDraft;
use crate::ops::stock::{self, Product};

/// Products offered for a typed name.
const CHOICES: usize = 8;

/// The fields of the receiving screen, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Scan,
    Quantity,
    Lot,
    Expiry,
    Warehouse,
    Reference,
}

#[derive(Debug)]
pub struct Receiving {
    pub scan: Input,
    /// Quantity of the next scan; empty means 1, and it empties again after each line, so
    /// typing a quantity never appends to an old one.
    pub quantity: Input,
    pub lot: Input,
    pub expiry: Input,
    pub warehouse: Input,
    pub reference: Input,
    pub focus: Field,
    pub draft: ReceiptDraft,
    pub selected: usize,
    /// A lot-tracked product scanned, waiting for its lot and expiry.
    pub pending: Option<Product>,
    /// What the last Enter did or why it was refused.
    pub message: Option<(bool, String)>,
    /// The product whose screen receiving was opened from: Esc and booking return there.
    pub back_to_product: Option<i64>,
    /// The purchase order the goods arrive for, if any.
    pub po: Option<crate::db::purchasing::PurchaseOrder>,
    /// Products a typed name may mean (nothing matched it as a code), to pick one with
    /// ↑/↓ and Enter; empty when there is no question.
    pub choices: Vec<Product>,
    pub choice: usize,
    /// Sending goods to another warehouse instead of receiving them: the warehouse field
    /// is where they leave from, the reference field where they go, and lots leave
    /// earliest expiry first without being asked for.
    pub transfer: bool,
}

impl Receiving {
    pub fn new(warehouse: &str) -> Receiving {
        Receiving {
            scan: Input::default(),
            quantity: Input::default(),
            lot: Input::default(),
            expiry: Input::default(),
            warehouse: Input::new(warehouse.to_string()),
            reference: Input::default(),
            focus: Field::Scan,
            draft: ReceiptDraft::default(),
            selected: 0,
            pending: None,
            message: None,
            back_to_product: None,
            po: None,
            choices: Vec::new(),
            choice: 0,
            transfer: false,
        }
    }

    pub fn input_mut(&mut self) -> &mut Input {
        match self.focus {
            Field::Scan => &mut self.scan,
            Field::Quantity => &mut self.quantity,
            Field::Lot => &mut self.lot,
            Field::Expiry => &mut self.expiry,
            Field::Warehouse => &mut self.warehouse,
            Field::Reference => &mut self.reference,
        }
    }

    pub fn is_dirty(&self) -> bool {
        !self.draft.lines.is_empty() || !self.scan.value().is_empty() || self.pending.is_some()
    }

    /// Tab order: lot and expiry only while a lot-tracked product waits for them.
    fn order(&self) -> Vec<Field> {
        if self.pending.is_some() {
            vec![Field::Lot, Field::Expiry, Field::Quantity]
        } else {
            vec![Field::Scan, Field::Quantity, Field::Warehouse, Field::Reference]
        }
    }

    pub fn next_field(&mut self, step: isize) {
        let order = self.order();
        let at = order.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = order.len() as isize;
        self.focus = order[((at + step).rem_euclid(n)) as usize];
    }

    fn quantity_value(&self) -> Result<Quantity, Problem> {
        let text = self.quantity.value().trim();
        let text = if text.is_empty() { "1" } else { text };
        let q = Quantity::parse(text).map_err(Problem::InvalidAmount)?;
        if q.value().is_sign_positive() && !q.is_zero() { Ok(q) } else { Err(Problem::MustBePositive) }
    }

    fn refuse(&mut self, field: Field, text: String) {
        self.focus = field;
        self.message = Some((false, text));
    }

    /// Enter: on the scan line looks the code up and adds it; on lot or expiry moves on
    /// and then adds the waiting product; elsewhere returns to the scan line.
    pub fn enter(&mut self, session: &Session) -> crate::error::Result<()> {
        match self.focus {
            Field::Scan => self.scan_entered(session),
            Field::Lot => {
                if self.lot_acceptable(session) {
                    self.focus = Field::Expiry;
                }
                Ok(())
            }
            Field::Expiry => {
                self.add_pending(session);
                Ok(())
            }
            Field::Quantity if self.pending.is_some() => {
                self.add_pending(session);
                Ok(())
            }
            _ => {
                self.focus = Field::Scan;
                Ok(())
            }
        }
    }

    fn scan_entered(&mut self, session: &Session) -> crate::error::Result<()> {
        let code = self.scan.value().trim().to_string();
        if code.is_empty() {
            return Ok(());
        }
        self.scan.reset();
        let Some(product) = stock::find_product(session, &code)? else {
            // Not a code: perhaps a name. Offer the closest products to pick from.
            self.choices = stock::fuzzy_products(session, &code, CHOICES)?;
            self.choice = 0;
            let text = if self.choices.is_empty() {
                tf("receive.unknown", &[("code", &code), ("problem", &describe_problem(&Problem::UnknownProduct))])
            } else {
                tf("receive.pick", &[("code", &code)])
            };
            self.refuse(Field::Scan, text);
            return Ok(());
        };
        self.take(product);
        Ok(())
    }

    /// ↑/↓ among the offered products; false when none are offered.
    pub fn move_choice(&mut self, down: bool) -> bool {
        if self.choices.is_empty() {
            return false;
        }
        self.choice = if down { (self.choice + 1).min(self.choices.len() - 1) } else { self.choice.saturating_sub(1) };
        true
    }

    /// Enter on an offered product: it is taken as if its code had been scanned.
    pub fn pick(&mut self) {
        let choices = std::mem::take(&mut self.choices);
        if let Some(product) = choices.into_iter().nth(self.choice) {
            self.message = None;
            self.take(product);
        }
    }

    /// A product scanned, typed or picked: a line, or first its lot.
    fn take(&mut self, product: Product) {
        if product.archived {
            return self.refuse(Field::Scan, tf("receive.archived", &[("sku", &product.data.sku)]));
        }
        if product.data.tracks_lots && !self.transfer {
            self.message = Some((true, tf("receive.lot_needed", &[("sku", &product.data.sku)])));
            self.pending = Some(product);
            self.focus = Field::Lot;
            return;
        }
        match self.quantity_value().and_then(|q| crate::domain::stock::fits_unit(&product.data.unit, q)) {
            Ok(quantity) => self.add(product, quantity, "", None),
            Err(p) => {
                // The code stays on the scan line: fix the quantity, Enter, Enter.
                self.scan = Input::new(product.data.sku.clone());
                self.refuse(Field::Quantity, describe_problem(&p));
            }
        }
    }

    /// A lot was typed, and it is not a product's code: a scanner typing ahead puts the
    /// next product's barcode where the lot belongs.
    fn lot_acceptable(&mut self, session: &Session) -> bool {
        let lot = self.lot.value().trim().to_string();
        if lot.is_empty() {
            self.refuse(Field::Lot, describe_problem(&Problem::Required));
            return false;
        }
        if stock::find_product(session, &lot).ok().flatten().is_some() {
            self.lot.reset();
            self.refuse(Field::Lot, tf("receive.lot_is_product", &[("code", &lot)]));
            return false;
        }
        true
    }

    fn add_pending(&mut self, session: &Session) {
        let Some(product) = self.pending.clone() else {
            self.focus = Field::Scan;
            return;
        };
        if !self.lot_acceptable(session) {
            return;
        }
        let lot = self.lot.value().trim().to_string();
        let expiry = match parse_date(self.expiry.value()) {
            Ok(date) => date,
            Err(p) => return self.refuse(Field::Expiry, describe_problem(&p)),
        };
        let stored = stock::lot_expiry(session, product.id, &lot).ok().flatten();
        let expiry = match (stored, expiry) {
            (Some(stored), Some(given)) if !stored.is_empty() && stored != given.to_string() => {
                return self.refuse(Field::Expiry, describe_problem(&Problem::LotExpires { stored }));
            }
            // A known lot keeps the expiry it was received with.
            (Some(stored), None) => parse_date(&stored).ok().flatten(),
            (_, given) => given,
        };
        let quantity = match self.quantity_value().and_then(|q| crate::domain::stock::fits_unit(&product.data.unit, q))
        {
            Ok(q) => q,
            Err(p) => return self.refuse(Field::Quantity, describe_problem(&p)),
        };
        self.pending = None;
        self.lot.reset();
        self.expiry.reset();
        self.add(product, quantity, &lot, expiry);
    }

    fn add(&mut self, product: Product, quantity: Quantity, lot: &str, expiry: Option<chrono::NaiveDate>) {
        let sku = product.data.sku.clone();
        let name = product.data.name.clone();
        self.selected = self.draft.add(product, quantity, lot, expiry);
        let total = self.draft.lines[self.selected].quantity;
        self.message = Some((
            true,
            tf("receive.added", &[("sku", &sku), ("name", &name), ("quantity", &total.value().normalize())]),
        ));
        self.quantity.reset();
        self.focus = Field::Scan;
    }

    /// Esc: first drops a product waiting for its lot.
    pub fn cancel_pending(&mut self) -> bool {
        if self.pending.take().is_some() {
            self.lot.reset();
            self.expiry.reset();
            self.focus = Field::Scan;
            self.message = None;
            return true;
        }
        false
    }

    pub fn remove_selected(&mut self) {
        self.message = None;
        if self.selected < self.draft.lines.len() {
            self.draft.lines.remove(self.selected);
            self.selected = self.selected.min(self.draft.lines.len().saturating_sub(1));
        }
    }
}

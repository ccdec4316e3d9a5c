//! Typing an order: the customer by lookup, then lines by code, barcode or name. A code
//! and Enter adds the line at once (a scanner's burst lands line by line); `3*CODE` adds
//! three; the same code again adds to its line. Tab walks the selected line's quantity,
//! price, discount and tax, then the header; Enter moves on field by field.

use std::collections::HashMap;

use rust_decimal::Decimal;
use tui_input::Input;

use crate::domain::customer::Customer;
use crate::domain::fields::{Problem, percent};
use crate::domain::money::Quantity;
use crate::domain::order::line_price;
use crate::error::{Result, describe_problem};
use crate::i18n::{column_label, t, tf};
use crate::ops::Session;
use crate::ops::order_entry::{self, OrderDraft};
use crate::ops::stock::{self, Product};

/// How many customers or products a lookup offers.
pub const CHOICES: usize = 30;

/// The fields in Tab order: the line being edited, then the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Code,
    Quantity,
    Price,
    Discount,
    Tax,
    Customer,
    Warehouse,
    Address,
    Region,
    Salesperson,
    ShipBy,
    Note,
}

const ORDER: [Field; 12] = [
    Field::Code,
    Field::Quantity,
    Field::Price,
    Field::Discount,
    Field::Tax,
    Field::Customer,
    Field::Warehouse,
    Field::Address,
    Field::Region,
    Field::Salesperson,
    Field::ShipBy,
    Field::Note,
];

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Code => t("entry.code"),
            Field::Quantity => column_label("quantity"),
            Field::Price => t("entry.price"),
            Field::Discount => column_label("discount"),
            Field::Tax => column_label("tax_rate"),
            Field::Customer => column_label("customer"),
            Field::Warehouse => column_label("warehouse"),
            Field::Address => column_label("address"),
            Field::Region => column_label("region"),
            Field::Salesperson => column_label("salesperson"),
            Field::ShipBy => t("entry.ship_by"),
            Field::Note => column_label("note"),
        }
    }

    /// Fields of the selected line: they start empty and show its value greyed, so typing
    /// replaces it and Enter on an empty field keeps it.
    pub fn is_line(self) -> bool {
        matches!(self, Field::Quantity | Field::Price | Field::Discount | Field::Tax)
    }
}

/// What a lookup offers to pick with ↑/↓ and Enter.
#[derive(Debug, Clone, Default)]
pub enum Choices {
    #[default]
    None,
    /// Customers for the typed text; the last row offers a new customer of that name.
    Customers(Vec<Customer>, String),
    /// Products for a typed name, with what the warehouse has available, and the quantity.
    Products(Vec<(Product, Option<Quantity>)>, Quantity),
}

#[derive(Debug)]
pub struct Entry {
    pub draft: OrderDraft,
    pub focus: Field,
    pub inputs: HashMap<&'static str, Input>,
    pub selected: usize,
    pub choices: Choices,
    pub choice: usize,
    /// What the last Enter did (true) or why it was refused (false).
    pub message: Option<(bool, String)>,
    /// Available stock per product in the order's warehouse, as last looked up.
    pub available: HashMap<i64, Option<Quantity>>,
    pub dirty: bool,
}

fn key(field: Field) -> &'static str {
    match field {
        Field::Code => "code",
        Field::Quantity => "quantity",
        Field::Price => "price",
        Field::Discount => "discount",
        Field::Tax => "tax",
        Field::Customer => "customer",
        Field::Warehouse => "warehouse",
        Field::Address => "address",
        Field::Region => "region",
        Field::Salesperson => "salesperson",
        Field::ShipBy => "ship_by",
        Field::Note => "note",
    }
}

impl Entry {
    /// An entry for `draft`: a new order starts at its customer, a saved one at its lines.
    pub fn new(session: &Session, draft: OrderDraft) -> Entry {
        let mut entry = Entry {
            focus: if draft.customer.is_some() { Field::Code } else { Field::Customer },
            draft,
            inputs: HashMap::new(),
            selected: 0,
            choices: Choices::None,
            choice: 0,
            message: None,
            available: HashMap::new(),
            dirty: false,
        };
        entry.load_header();
        entry.refresh_available(session);
        entry
    }

    fn load_header(&mut self) {
        let h = &self.draft.header;
        let customer = match (&self.draft.customer, &self.draft.new_customer) {
            (Some(c), _) => c.data.name.clone(),
            (None, Some(name)) => name.clone(),
            _ => String::new(),
        };
        for (field, value) in [
            (Field::Customer, customer),
            (Field::Warehouse, h.warehouse.clone()),
            (Field::Address, h.address.clone()),
            (Field::Region, h.region.clone()),
            (Field::Salesperson, h.salesperson.clone()),
            (Field::ShipBy, h.ship_by.clone()),
            (Field::Note, h.note.clone()),
        ] {
            self.inputs.insert(key(field), Input::new(value));
        }
    }

    pub fn input(&self, field: Field) -> Option<&Input> {
        self.inputs.get(key(field))
    }

    pub fn input_mut(&mut self) -> &mut Input {
        self.inputs.entry(key(self.focus)).or_default()
    }

    fn value(&self, field: Field) -> String {
        self.input(field).map(|i| i.value().trim().to_string()).unwrap_or_default()
    }

    fn clear(&mut self, field: Field) {
        self.inputs.insert(key(field), Input::default());
    }

    /// A key or paste typed into the focused field.
    pub fn type_event(&mut self, event: &ratatui::crossterm::event::Event) {
        use tui_input::backend::crossterm::EventHandler;
        if self.input_mut().handle_event(event).is_some_and(|c| c.value) {
            self.typed();
        }
    }

    /// Typed text reached the focused field. An offered list is closed: the text typed
    /// now (a scanner's next code, a corrected name) is a new question, never a pick.
    fn typed(&mut self) {
        self.dirty = true;
        if self.has_choices() {
            self.choices = Choices::None;
            self.message = None;
        }
    }

    /// Something would be lost by leaving: typed changes, a code being typed, or a new
    /// order's lines (a copy or repeat arrives with lines nobody saved yet).
    pub fn is_dirty(&self) -> bool {
        self.dirty
            || !self.value(Field::Code).is_empty()
            || (self.draft.editing.is_none() && !self.draft.lines.is_empty())
    }

    /// The selected line's current value of a line field, shown greyed while it is empty.
    pub fn placeholder(&self, field: Field) -> String {
        let Some(line) = self.draft.lines.get(self.selected) else {
            return if field == Field::Quantity { "1".into() } else { String::new() };
        };
        match field {
            Field::Quantity => line.quantity.value().normalize().to_string(),
            Field::Price => crate::tui::stock::view::price(line.unit_price),
            Field::Discount => line.discount.normalize().to_string(),
            Field::Tax => line.tax_rate.normalize().to_string(),
            _ => String::new(),
        }
    }

    /// Tab and Shift-Tab: the next field, the header included.
    pub fn next_field(&mut self, step: isize) {
        // What was typed into a line field counts when Tab leaves it; a bad value stays.
        if self.focus.is_line() && !self.value(self.focus).is_empty() && !self.apply_line_field() {
            return;
        }
        self.restore_customer_name();
        self.commit_header();
        self.choices = Choices::None;
        let at = ORDER.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = ORDER.len() as isize;
        let mut next = ORDER[((at + step).rem_euclid(n)) as usize];
        // Line fields only when there is a line to edit.
        if next.is_line() && self.draft.lines.is_empty() {
            next = if step > 0 { Field::Customer } else { Field::Code };
        }
        self.focus = next;
    }

    /// Copies the header fields into the draft (the warehouse re-reads availability).
    fn commit_header(&mut self) {
        let h = &mut self.draft.header;
        h.address = self.inputs.get("address").map(|i| i.value().to_string()).unwrap_or_default();
        h.region = self.inputs.get("region").map(|i| i.value().to_string()).unwrap_or_default();
        h.salesperson = self.inputs.get("salesperson").map(|i| i.value().to_string()).unwrap_or_default();
        h.ship_by = self.inputs.get("ship_by").map(|i| i.value().to_string()).unwrap_or_default();
        h.note = self.inputs.get("note").map(|i| i.value().to_string()).unwrap_or_default();
        h.warehouse = self.inputs.get("warehouse").map(|i| i.value().trim().to_string()).unwrap_or_default();
    }

    /// The draft with what is typed in the header: what saving writes.
    pub fn finished(&mut self) -> &OrderDraft {
        self.restore_customer_name();
        self.commit_header();
        &self.draft
    }

    /// A name typed over the chosen customer without Enter looked nothing up: the field
    /// shows the customer the order is for again, and says so.
    fn restore_customer_name(&mut self) {
        let chosen = match (&self.draft.customer, &self.draft.new_customer) {
            (Some(c), _) => c.data.name.clone(),
            (None, Some(name)) => name.clone(),
            _ => String::new(),
        };
        if self.value(Field::Customer) != chosen.trim() {
            self.inputs.insert(key(Field::Customer), Input::new(chosen));
            self.say(false, t("entry.customer_not_looked_up").to_string());
        }
    }

    fn say(&mut self, ok: bool, text: String) {
        self.message = Some((ok, text));
    }

    /// Enter: looks up a customer or a code, applies a line field and moves on, or moves
    /// to the next header field.
    pub fn enter(&mut self, session: &mut Session) -> Result<()> {
        match self.focus {
            Field::Customer => self.customer_entered(session),
            Field::Code => self.code_entered(session),
            Field::Quantity | Field::Price | Field::Discount | Field::Tax => {
                // A code scanned while a line field has focus is a scan, not a number: text
                // that is not a number, or a barcode's length of digits, naming a product.
                let typed = self.value(self.focus);
                let looks_scanned = Quantity::parse(&typed).is_err() || typed.chars().count() >= 8;
                if !typed.is_empty() && looks_scanned && stock::find_product(session, &typed)?.is_some() {
                    self.clear(self.focus);
                    self.focus = Field::Code;
                    self.keep_typed(typed);
                    return self.code_entered(session);
                }
                if self.apply_line_field() {
                    self.focus = match self.focus {
                        Field::Quantity => Field::Price,
                        Field::Price => Field::Discount,
                        Field::Discount => Field::Tax,
                        _ => Field::Code,
                    };
                }
                Ok(())
            }
            Field::Note => {
                self.commit_header();
                self.focus = Field::Code;
                Ok(())
            }
            Field::Warehouse => {
                self.commit_header();
                self.refresh_available(session);
                self.focus = Field::Address;
                Ok(())
            }
            _ => {
                self.next_field(1);
                Ok(())
            }
        }
    }

    fn customer_entered(&mut self, session: &mut Session) -> Result<()> {
        let typed = self.value(Field::Customer);
        if typed.is_empty() {
            self.say(false, tf("entry.customer_needed", &[("problem", &describe_problem(&Problem::Required))]));
            return Ok(());
        }
        let chosen = self.draft.customer.as_ref().map(|c| c.data.name.as_str()).or(self.draft.new_customer.as_deref());
        if chosen == Some(typed.as_str()) {
            self.focus = Field::Code;
            return Ok(());
        }
        let found = order_entry::find_customers(session, &typed, CHOICES)?;
        if found.len() == 1 && found[0].data.code.eq_ignore_ascii_case(&typed) {
            return self.take_customer(session, found.into_iter().next());
        }
        self.say(true, tf("entry.pick_customer", &[("typed", &typed)]));
        self.choices = Choices::Customers(found, typed);
        self.choice = 0;
        Ok(())
    }

    fn take_customer(&mut self, session: &Session, customer: Option<Customer>) -> Result<()> {
        let Some(customer) = customer else { return Ok(()) };
        let name = customer.data.name.clone();
        self.draft.set_customer(session, customer)?;
        self.draft.new_customer = None;
        self.load_header();
        self.choices = Choices::None;
        self.focus = Field::Code;
        self.dirty = true;
        self.say(true, tf("entry.customer_taken", &[("name", &name)]));
        Ok(())
    }

    fn code_entered(&mut self, session: &Session) -> Result<()> {
        let typed = self.value(Field::Code);
        if typed.is_empty() {
            // A stray Enter between scans changes nothing (Tab reaches the line's fields).
            return Ok(());
        }
        self.clear(Field::Code);
        // `3*CODE` (a till's habit) adds three.
        let (quantity, code) = match typed.split_once('*') {
            Some((n, code)) if !n.trim().is_empty() => match Quantity::parse(n) {
                Ok(q) if q.value() > Decimal::ZERO && !code.trim().is_empty() => (q, code.trim().to_string()),
                Ok(_) if code.trim().is_empty() => {
                    self.keep_typed(typed.clone());
                    self.say(false, t("entry.code_after_star").to_string());
                    return Ok(());
                }
                _ => {
                    self.keep_typed(typed.clone());
                    let text = tf("entry.bad_quantity", &[("value", &n.trim())]);
                    self.say(false, text);
                    return Ok(());
                }
            },
            _ => (Quantity::from_minor(1000), typed.clone()),
        };
        match stock::find_product(session, &code)? {
            Some(product) => self.add(session, product, quantity),
            None => {
                let found = stock::fuzzy_products(session, &code, CHOICES)?;
                if found.is_empty() {
                    self.keep_typed(typed.clone());
                    let text = tf("entry.unknown", &[("code", &code)]);
                    self.say(false, text);
                } else {
                    let warehouse = self.draft.header.warehouse.clone();
                    let with_stock = found
                        .into_iter()
                        .map(|p| {
                            let available = order_entry::available(session, p.id, &warehouse).ok().flatten();
                            (p, available)
                        })
                        .collect();
                    self.choices = Choices::Products(with_stock, quantity);
                    self.choice = 0;
                    self.say(true, tf("entry.pick_product", &[("typed", &code)]));
                }
            }
        }
        Ok(())
    }

    /// Puts refused text back on the code line, to be corrected rather than retyped.
    fn keep_typed(&mut self, typed: String) {
        self.inputs.insert(key(Field::Code), Input::new(typed));
    }

    fn add(&mut self, session: &Session, product: Product, quantity: Quantity) {
        if product.archived {
            self.say(false, tf("receive.archived", &[("sku", &product.data.sku)]));
            return;
        }
        if let Err(p) = crate::domain::stock::fits_unit(&product.data.unit, quantity) {
            self.say(false, format!("{}: {}", product.data.sku, describe_problem(&p)));
            return;
        }
        let id = product.id;
        let sku = product.data.sku.clone();
        let name = product.data.name.clone();
        self.selected = self.draft.add(product, quantity);
        self.dirty = true;
        if !self.available.contains_key(&id) {
            let available = order_entry::available(session, id, &self.draft.header.warehouse).ok().flatten();
            self.available.insert(id, available);
        }
        let total = self.draft.lines[self.selected].quantity;
        let left = self.available.get(&id).copied().flatten();
        let text = match left {
            Some(a) if a < total => tf(
                "entry.added_short",
                &[
                    ("sku", &sku),
                    ("name", &name),
                    ("quantity", &total.value().normalize()),
                    ("available", &a.value().normalize()),
                ],
            ),
            _ => tf("entry.added", &[("sku", &sku), ("name", &name), ("quantity", &total.value().normalize())]),
        };
        self.say(left.is_none_or(|a| a >= total), text);
    }

    /// Applies the typed value of a line field to the selected line; false (with the
    /// reason shown) when it is not a valid value.
    fn apply_line_field(&mut self) -> bool {
        let typed = self.value(self.focus);
        let field = self.focus;
        self.clear(field);
        let Some(line) = self.draft.lines.get_mut(self.selected) else { return true };
        if typed.is_empty() {
            return true;
        }
        let shipped = line.shipped;
        let applied: std::result::Result<(), String> = match field {
            Field::Quantity => Quantity::parse(&typed)
                .map_err(Problem::InvalidAmount)
                .and_then(|q| if q.value() > Decimal::ZERO { Ok(q) } else { Err(Problem::MustBePositive) })
                .and_then(|q| crate::domain::stock::fits_unit(&line.product.data.unit, q))
                .map_err(|p| describe_problem(&p))
                .and_then(|q| {
                    if q < shipped {
                        Err(tf("entry.below_shipped", &[("shipped", &shipped.value().normalize())]))
                    } else {
                        Ok(q)
                    }
                })
                .map(|q| line.quantity = q),
            Field::Price => line_price(&typed).map(|p| line.unit_price = p).map_err(|p| describe_problem(&p)),
            Field::Discount => percent(&typed).map(|d| line.discount = d).map_err(|p| describe_problem(&p)),
            Field::Tax => percent(&typed).map(|d| line.tax_rate = d).map_err(|p| describe_problem(&p)),
            _ => Ok(()),
        };
        match applied {
            Ok(()) => {
                self.dirty = true;
                self.message = None;
                true
            }
            Err(problem) => {
                self.inputs.insert(key(field), Input::new(typed.clone()));
                let text = format!("{}: {}", field.label(), problem);
                self.say(false, text);
                false
            }
        }
    }

    /// ↑/↓: among offered choices, else among the lines (line fields follow the selection).
    pub fn move_selection(&mut self, down: bool) {
        let len = match &self.choices {
            Choices::Customers(found, _) => found.len() + 1,
            Choices::Products(found, _) => found.len(),
            Choices::None => {
                if self.focus.is_line() {
                    self.clear(self.focus);
                }
                let len = self.draft.lines.len();
                self.selected =
                    if down { (self.selected + 1).min(len.saturating_sub(1)) } else { self.selected.saturating_sub(1) };
                return;
            }
        };
        self.choice = if down { (self.choice + 1).min(len.saturating_sub(1)) } else { self.choice.saturating_sub(1) };
    }

    pub fn has_choices(&self) -> bool {
        !matches!(self.choices, Choices::None)
    }

    /// Enter on an offered choice: the customer (or a new one of the typed name), or the
    /// product as if its code had been scanned.
    pub fn pick(&mut self, session: &mut Session) -> Result<()> {
        match std::mem::take(&mut self.choices) {
            Choices::Customers(found, typed) => {
                if self.choice < found.len() {
                    let chosen = found.into_iter().nth(self.choice);
                    self.take_customer(session, chosen)
                } else {
                    // Made when the order is saved, so a discarded order leaves no one behind.
                    self.draft.customer = None;
                    self.draft.new_customer = Some(typed.clone());
                    self.draft.set_tier_discount(Decimal::ZERO);
                    let h = &mut self.draft.header;
                    (h.address, h.region, h.salesperson) = (String::new(), String::new(), String::new());
                    self.load_header();
                    self.focus = Field::Code;
                    self.dirty = true;
                    self.say(true, tf("entry.customer_new", &[("name", &typed)]));
                    Ok(())
                }
            }
            Choices::Products(found, quantity) => {
                if let Some((product, _)) = found.into_iter().nth(self.choice) {
                    self.add(session, product, quantity);
                }
                Ok(())
            }
            Choices::None => Ok(()),
        }
    }

    /// Esc: closes a lookup, leaves a line field for the code line, or clears typed code.
    /// False when there was nothing to undo and the screen itself should close.
    pub fn escape(&mut self) -> bool {
        if self.has_choices() {
            self.choices = Choices::None;
            self.message = None;
            return true;
        }
        if self.focus != Field::Code && (self.draft.customer.is_some() || self.draft.new_customer.is_some()) {
            if self.focus.is_line() {
                self.clear(self.focus);
            }
            self.commit_header();
            self.focus = Field::Code;
            return true;
        }
        if !self.value(Field::Code).is_empty() {
            self.clear(Field::Code);
            return true;
        }
        false
    }

    pub fn remove_selected(&mut self) {
        if let Some(line) = self.draft.lines.get(self.selected)
            && !line.shipped.is_zero()
        {
            let text = tf(
                "entry.cannot_remove_shipped",
                &[("sku", &line.product.data.sku), ("shipped", &line.shipped.value().normalize())],
            );
            self.say(false, text);
            return;
        }
        if self.selected < self.draft.lines.len() {
            let line = self.draft.lines.remove(self.selected);
            self.selected = self.selected.min(self.draft.lines.len().saturating_sub(1));
            self.dirty = true;
            self.say(true, tf("entry.removed", &[("sku", &line.product.data.sku)]));
        }
    }

    fn refresh_available(&mut self, session: &Session) {
        self.available.clear();
        let warehouse = self.draft.header.warehouse.clone();
        for line in &self.draft.lines {
            let available = order_entry::available(session, line.product.id, &warehouse).ok().flatten();
            self.available.insert(line.product.id, available);
        }
    }
}

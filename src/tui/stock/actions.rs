//! What each key does on the Stock tab. Every change goes through `ops`; this only moves
//! between screens and hands typed text over.

use ratatui::crossterm::event::Event;
use tui_input::backend::crossterm::EventHandler;

use super::receive::{Field, Receiving};
use super::view::{price, qty};
use super::{ALERT_ROWS, DetailFrom, EXPIRY_WINDOWS, FormKind, IDLE_WINDOWS, ProductDetail, StockForm, StockScreen};
use crate::domain::stock::{MoveKind, ProductInput};
use crate::error::{Error, Result};
use crate::i18n::{column_label, t, tf};
use crate::ops::ledger::{self, MoveForm};
use crate::ops::stock::{self, Product, ProductSort};
use crate::tui::action::Action;
use crate::tui::app::{App, Flash};
use crate::tui::form::{Form, FormField};
use crate::tui::keymap::Context;
use crate::tui::overlay::Pending;
use crate::tui::table;

/// Moves shown on a product's detail screen.
const DETAIL_MOVES: usize = 8;

fn product_form(editing: Option<&Product>) -> StockForm {
    // Numbers as people write them (4.50, 12), not at the stored scale (4.5000, 12.000).
    let input = match editing {
        Some(p) => ProductInput {
            sale_price: price(p.data.sale_price),
            cost_price: price(p.data.cost_price),
            supplier_price: price(p.data.supplier_price),
            reorder_point: qty(p.data.reorder_point),
            reorder_qty: qty(p.data.reorder_qty),
            ..stock::input_of(&p.data)
        },
        None => ProductInput::default(),
    };
    let field = |column: &'static str, value: &str| FormField::new(column, column_label(column), value);
    let sku = match editing {
        Some(_) => field("sku", &input.sku).read_only().hint(t("stock.sku_fixed")),
        None => field("sku", &input.sku).required().hint(t("stock.sku_hint")),
    };
    let fields = vec![
        sku,
        field("name", &input.name).required(),
        field("category", &input.category).hint(t("stock.category_hint")),
        field("unit", &input.unit).hint(t("stock.unit_hint")),
        field("sale_price", &input.sale_price),
        field("cost_price", &input.cost_price),
        field("tax_rate", &input.tax_rate).hint(t("stock.tax_hint")),
        field("barcodes", &input.barcodes).hint(t("stock.barcodes_hint")),
        field("reorder_point", &input.reorder_point).hint(t("stock.reorder_hint")),
        field("reorder_qty", &input.reorder_qty),
        field("lead_days", &input.lead_days),
        field("supplier", &input.supplier).hint(t("stock.supplier_hint")),
        field("supplier_sku", &input.supplier_sku),
        field("supplier_price", &input.supplier_price),
        field("tracks_lots", &input.tracks_lots).hint(t("stock.yes_no_hint")),
        field("allow_negative", &input.allow_negative).hint(t("stock.yes_no_hint")),
    ];
    let title = match editing {
        Some(p) => tf("stock.edit_title", &[("sku", &p.data.sku)]),
        None => t("stock.new_title").to_string(),
    };
    let form = Form::new(title, fields).focus_on(if editing.is_some() { "name" } else { "sku" });
    StockForm {
        kind: FormKind::Product { editing: editing.cloned().map(Box::new) },
        form,
        back_to: editing.map(|p| p.id),
    }
}

fn move_form(kind: MoveKind, product: &Product, warehouse: &str) -> StockForm {
    let field = |column: &'static str, value: &str| FormField::new(column, column_label(column), value);
    let quantity_hint = if kind == MoveKind::Adjustment { t("stock.adjust_hint") } else { t("stock.scrap_hint") };
    let mut fields = vec![
        field("product", &product.data.sku).read_only(),
        field("warehouse", warehouse).hint(t("stock.warehouse_hint")),
        field("quantity", "").required().hint(quantity_hint),
    ];
    if product.data.tracks_lots {
        fields.push(field("lot", "").hint(t("stock.lot_out_hint")));
        if kind == MoveKind::Adjustment {
            fields.push(field("expiry", "").hint(t("stock.expiry_in_hint")));
        }
    }
    fields.push(field("note", "").required().hint(t("stock.reason_hint")));
    let key = if kind == MoveKind::Adjustment { "stock.adjust_title" } else { "stock.scrap_title" };
    let title = tf(key, &[("sku", &product.data.sku), ("name", &product.data.name)]);
    StockForm {
        kind: FormKind::Move(kind),
        form: Form::new(title, fields).focus_on("quantity"),
        back_to: Some(product.id),
    }
}

impl App {
    /// The context of the Stock tab's current screen.
    pub(crate) fn stock_context(&self) -> Context {
        match &self.stock.screen {
            StockScreen::Products if self.stock.filtering => Context::Filter,
            StockScreen::Products => Context::Products,
            StockScreen::Product(_) => Context::Product,
            StockScreen::Form(_) => Context::Form,
            StockScreen::Receive(_) => Context::Receive,
            StockScreen::LowStock => Context::LowStock,
            StockScreen::Expiring => Context::Expiring,
            StockScreen::Plan => Context::Plan,
            StockScreen::Orders => Context::Orders,
            StockScreen::Order => Context::Order,
            StockScreen::SlowMovers => Context::SlowMovers,
            StockScreen::Count(_) => Context::Count,
            StockScreen::Transfers => Context::Transfers,
            StockScreen::Suppliers => Context::Suppliers,
            StockScreen::Warehouses => Context::Warehouses,
        }
    }

    /// Shows the Stock tab, loading its list the first time.
    pub(crate) fn enter_stock(&mut self) -> Result<()> {
        if self.stock.products.rows.is_empty() {
            self.stock.products.capacity = crate::tui::view::list_capacity(self.size.1);
            self.stock.products.reset(&self.session)?;
        }
        self.stock.low_count = ledger::low_stock_count(&self.session)?;
        Ok(())
    }

    /// Re-reads what the Stock tab shows (after a write here or in another session).
    pub(crate) fn refresh_stock(&mut self) -> Result<()> {
        self.stock.low_count = ledger::low_stock_count(&self.session)?;
        self.stock.products.reload(&self.session)?;
        match &self.stock.screen {
            StockScreen::Product(detail) => {
                let id = detail.product.id;
                self.show_product(id)?;
            }
            StockScreen::LowStock => self.load_low_stock()?,
            StockScreen::Expiring => self.load_expiring()?,
            StockScreen::Orders => self.show_orders()?,
            StockScreen::SlowMovers => self.show_slow_movers()?,
            StockScreen::Transfers => self.show_transfers()?,
            StockScreen::Order => {
                if let Some(code) = self.stock.purchasing.order.as_ref().map(|(po, _)| po.code.clone()) {
                    self.show_order(&code)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn stock_dispatch(&mut self, context: Context, action: Action) -> Result<()> {
        match context {
            Context::Filter => match action {
                Action::Accept => self.stock.filtering = false,
                Action::Back => {
                    self.stock.filtering = false;
                    self.stock.filter_input.reset();
                    self.requery_products()?;
                }
                _ => {}
            },
            Context::Products => self.products_action(action)?,
            Context::Product => self.product_action(action)?,
            Context::Form => self.stock_form_action(action)?,
            Context::Receive => self.receive_action(action)?,
            Context::LowStock => self.low_stock_action(action)?,
            Context::Expiring => self.expiring_action(action)?,
            Context::Plan => self.plan_action(action)?,
            Context::Orders => self.orders_action(action)?,
            Context::Order => self.order_action(action)?,
            Context::SlowMovers => self.slow_movers_action(action)?,
            Context::Count => self.count_action(action)?,
            Context::Transfers => self.transfers_action(action)?,
            Context::Suppliers => self.suppliers_action(action)?,
            Context::Warehouses => self.warehouses_action(action)?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn stock_type_text(&mut self, context: Context, event: &Event) {
        match (context, &mut self.stock.screen) {
            (Context::Filter, _) if self.stock.filter_input.handle_event(event).is_some_and(|c| c.value) => {
                if let Err(e) = self.requery_products() {
                    self.flash = Some(Flash::Error(e.to_string()));
                }
            }
            (Context::Form, StockScreen::Form(form)) => {
                if let Some(input) = form.form.focused_input()
                    && input.handle_event(event).is_some_and(|c| c.value)
                {
                    form.form.message = None;
                }
            }
            (Context::Receive, StockScreen::Receive(receiving)) => {
                receiving.input_mut().handle_event(event);
            }
            (Context::Count, StockScreen::Count(sheet)) => {
                sheet.input_mut().handle_event(event);
            }
            _ => {}
        }
    }

    fn requery_products(&mut self) -> Result<()> {
        self.stock.products.source.query.filter = self.stock.filter_input.value().to_string();
        self.stock.products.reset(&self.session)
    }

    fn selected_product(&self) -> Result<Option<Product>> {
        match self.stock.products.selected_row() {
            Some(row) => Ok(Some(stock::product(&self.session, row.id)?)),
            None => Ok(None),
        }
    }

    fn products_action(&mut self, action: Action) -> Result<()> {
        if self.stock.products.navigate(&self.session, action)? {
            return Ok(());
        }
        match action {
            Action::Open => {
                if let Some(row) = self.stock.products.selected_row() {
                    let id = row.id;
                    self.stock.detail_from = DetailFrom::Products;
                    self.show_product(id)?;
                }
            }
            Action::New => self.stock.screen = StockScreen::Form(Box::new(product_form(None))),
            Action::Edit => {
                if let Some(product) = self.selected_product()? {
                    self.stock.screen = StockScreen::Form(Box::new(product_form(Some(&product))));
                }
            }
            Action::Filter => self.stock.filtering = true,
            Action::SortNext => {
                let query = &mut self.stock.products.source.query;
                query.sort = match query.sort {
                    ProductSort::Name => ProductSort::Sku,
                    ProductSort::Sku => ProductSort::Category,
                    ProductSort::Category => ProductSort::Name,
                };
                self.stock.products.reset(&self.session)?;
            }
            Action::ToggleArchived => {
                let query = &mut self.stock.products.source.query;
                query.include_archived = !query.include_archived;
                let key = if query.include_archived { "flash.showing_archived" } else { "flash.hiding_archived" };
                self.stock.products.reset(&self.session)?;
                self.flash = Some(Flash::Info(t(key).to_string()));
            }
            Action::Archive => {
                if let Some(product) = self.selected_product()? {
                    self.toggle_product_archive(&product)?;
                }
            }
            Action::Receive => self.open_receiving(None)?,
            Action::Adjust | Action::Scrap => {
                if let Some(product) = self.selected_product()? {
                    self.open_move_form(action, &product)?;
                }
            }
            Action::ShowLowStock => self.show_low_stock()?,
            Action::ShowExpiring => self.show_expiring()?,
            Action::ShowPlan => self.show_plan()?,
            Action::ShowOrders => self.show_orders()?,
            Action::ShowSlowMovers => self.show_slow_movers()?,
            Action::Stocktake => self.open_count()?,
            Action::Transfer => {
                let warehouse = stock::default_warehouse(&self.session)?;
                let mut sending = Receiving::new(&warehouse.data.code);
                sending.transfer = true;
                if let Some(other) = stock::warehouses(&self.session)?.into_iter().find(|w| w.id != warehouse.id) {
                    sending.reference = tui_input::Input::new(other.data.code);
                }
                self.stock.screen = StockScreen::Receive(Box::new(sending));
            }
            Action::ShowTransfers => self.show_transfers()?,
            Action::ShowSuppliers => self.show_suppliers()?,
            Action::ShowWarehouses => self.show_warehouses()?,
            Action::Back if !self.stock.filter_input.value().is_empty() => {
                self.stock.filter_input.reset();
                self.requery_products()?;
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn show_product(&mut self, id: i64) -> Result<()> {
        let product = stock::product(&self.session, id)?;
        // As many moves as the screen has room for under the fields, levels and lots.
        let room = usize::from(self.size.1).saturating_sub(22).max(DETAIL_MOVES);
        let (levels, moves) = stock::product_detail(&self.session, id, room)?;
        let lots = if product.data.tracks_lots {
            let mut lots = Vec::new();
            for level in &levels {
                for lot in stock::lots_in(&self.session, id, level.warehouse_id)? {
                    lots.push((level.warehouse.clone(), lot));
                }
            }
            lots.sort_by(|a, b| (&a.1.expiry, &a.0).cmp(&(&b.1.expiry, &b.0)));
            lots
        } else {
            Vec::new()
        };
        self.stock.screen = StockScreen::Product(Box::new(ProductDetail { product, levels, lots, moves }));
        Ok(())
    }

    fn product_action(&mut self, action: Action) -> Result<()> {
        let StockScreen::Product(detail) = &self.stock.screen else { return Ok(()) };
        let product = detail.product.clone();
        match action {
            Action::Back => match self.stock.detail_from {
                DetailFrom::Products => {
                    self.stock.screen = StockScreen::Products;
                    self.stock.products.show(&self.session, product.id)?;
                }
                DetailFrom::LowStock => self.show_low_stock()?,
                DetailFrom::Expiring => self.show_expiring()?,
                DetailFrom::SlowMovers => self.show_slow_movers()?,
            },
            Action::Edit => self.stock.screen = StockScreen::Form(Box::new(product_form(Some(&product)))),
            Action::Receive => {
                self.open_receiving(Some(&product))?;
                if let StockScreen::Receive(r) = &mut self.stock.screen {
                    r.back_to_product = Some(product.id);
                }
            }
            Action::Adjust | Action::Scrap => self.open_move_form(action, &product)?,
            Action::Archive => self.toggle_product_archive(&product)?,
            Action::SetReorder => {
                let level = detail.levels.first().cloned().unwrap_or_default();
                let field = |column: &'static str, value: &str| FormField::new(column, column_label(column), value);
                let (point, quantity) = if level.overridden {
                    (qty(level.reorder_point), qty(level.reorder_qty))
                } else {
                    Default::default()
                };
                let fields = vec![
                    field("product", &product.data.sku).read_only(),
                    field("warehouse", &level.warehouse).required().hint(t("stock.reorder_warehouse_hint")),
                    field("reorder_point", &point).hint(t("stock.reorder_override_hint")),
                    field("reorder_qty", &quantity).hint(t("stock.reorder_override_hint")),
                ];
                let title = tf("stock.reorder_title", &[("sku", &product.data.sku), ("name", &product.data.name)]);
                self.stock.screen = StockScreen::Form(Box::new(StockForm {
                    kind: FormKind::Reorder,
                    form: Form::new(title, fields).focus_on("reorder_point"),
                    back_to: Some(product.id),
                }));
            }
            Action::Down | Action::Up if self.stock.detail_from == DetailFrom::Products => {
                let list = &mut self.stock.products;
                list.show(&self.session, product.id)?;
                list.navigate(&self.session, action)?;
                if let Some(row) = list.selected_row() {
                    let id = row.id;
                    self.show_product(id)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn toggle_product_archive(&mut self, product: &Product) -> Result<()> {
        let archive = !product.archived;
        let updated = stock::set_product_archived(&mut self.session, product, archive)?;
        let hidden = archive && !self.stock.products.source.query.include_archived;
        let key = match (archive, hidden) {
            (true, true) => "stock.archived_hidden",
            (true, false) => "flash.archived",
            (false, _) => "flash.unarchived",
        };
        self.flash = Some(Flash::Info(tf(key, &[("code", &updated.data.sku)])));
        self.stock.products.reload(&self.session)?;
        if matches!(self.stock.screen, StockScreen::Product(_)) {
            self.show_product(updated.id)?;
        }
        Ok(())
    }

    fn open_move_form(&mut self, action: Action, product: &Product) -> Result<()> {
        let kind = if action == Action::Adjust { MoveKind::Adjustment } else { MoveKind::Scrap };
        let warehouse = stock::default_warehouse(&self.session)?;
        self.stock.screen = StockScreen::Form(Box::new(move_form(kind, product, &warehouse.data.code)));
        Ok(())
    }

    /// Opens the receiving screen; from a product (or a low-stock line) with that product
    /// already on it at its reorder quantity.
    fn open_receiving(&mut self, product: Option<&Product>) -> Result<()> {
        let warehouse = stock::default_warehouse(&self.session)?;
        let mut receiving = Receiving::new(&warehouse.data.code);
        if let Some(product) = product {
            receiving.scan = tui_input::Input::new(product.data.sku.clone());
            if !product.data.reorder_qty.is_zero() {
                receiving.quantity = tui_input::Input::new(product.data.reorder_qty.value().normalize().to_string());
            }
        }
        self.stock.screen = StockScreen::Receive(Box::new(receiving));
        Ok(())
    }

    fn stock_form_action(&mut self, action: Action) -> Result<()> {
        let StockScreen::Form(form) = &mut self.stock.screen else { return Ok(()) };
        match action {
            Action::NextField => form.form.next_field(),
            Action::PrevField => form.form.prev_field(),
            Action::Save => return self.save_stock_form(),
            Action::Back if form.form.is_dirty() => self.ask(t("confirm.discard").to_string(), Pending::DiscardForm),
            Action::Back => self.leave_stock_form()?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn leave_stock_form(&mut self) -> Result<()> {
        let (back_to, order) = match &self.stock.screen {
            StockScreen::Form(form) => match &form.kind {
                FormKind::PoLine { code, .. } => (None, Some(code.clone())),
                _ => (form.back_to, None),
            },
            _ => (None, None),
        };
        if let Some(code) = order {
            return self.show_order(&code);
        }
        match &self.stock.screen {
            StockScreen::Form(form) if matches!(form.kind, FormKind::Supplier { .. }) => return self.show_suppliers(),
            StockScreen::Form(form) if matches!(form.kind, FormKind::Warehouse { .. }) => {
                return self.show_warehouses();
            }
            _ => {}
        }
        match back_to {
            Some(id) => self.show_product(id),
            None => {
                self.stock.screen = StockScreen::Products;
                Ok(())
            }
        }
    }

    fn save_stock_form(&mut self) -> Result<()> {
        let StockScreen::Form(form) = &mut self.stock.screen else { return Ok(()) };
        let value = |c: &str| form.form.value(c).to_string();
        if let FormKind::PoLine { code, line } = form.kind.clone() {
            let typed = value("quantity");
            return match self.save_po_line(&code, line, &typed) {
                Err(Error::Invalid(errors)) => {
                    if let StockScreen::Form(form) = &mut self.stock.screen {
                        form.form.show_errors(errors);
                    }
                    Ok(())
                }
                other => other,
            };
        }
        if matches!(form.kind, FormKind::Supplier { .. } | FormKind::Warehouse { .. }) {
            let (kind, typed) =
                (form.kind.clone(), std::mem::replace(&mut form.form, Form::new(String::new(), Vec::new())));
            let result = self.save_master(&kind, &typed);
            if result.is_err()
                && let StockScreen::Form(form) = &mut self.stock.screen
            {
                form.form = typed;
            }
            return match result {
                Err(Error::Invalid(errors)) => {
                    if let StockScreen::Form(form) = &mut self.stock.screen {
                        form.form.show_errors(errors);
                    }
                    self.flash = Some(Flash::Error(t("flash.fix_fields").to_string()));
                    Ok(())
                }
                Err(e) => {
                    if let StockScreen::Form(form) = &mut self.stock.screen {
                        form.form.message = Some(e.to_string());
                    }
                    Err(e)
                }
                Ok(()) => Ok(()),
            };
        }
        let saved: Result<(i64, String)> = match &form.kind {
            FormKind::Product { editing } => {
                let input = ProductInput {
                    sku: value("sku"),
                    name: value("name"),
                    category: value("category"),
                    unit: value("unit"),
                    sale_price: value("sale_price"),
                    cost_price: value("cost_price"),
                    tax_rate: value("tax_rate"),
                    reorder_point: value("reorder_point"),
                    reorder_qty: value("reorder_qty"),
                    lead_days: value("lead_days"),
                    supplier: value("supplier"),
                    supplier_sku: value("supplier_sku"),
                    supplier_price: value("supplier_price"),
                    tracks_lots: value("tracks_lots"),
                    allow_negative: value("allow_negative"),
                    barcodes: value("barcodes"),
                };
                stock::save_product(&mut self.session, editing.as_deref(), &input).map(|p| {
                    let message = tf("flash.saved", &[("code", &p.data.sku), ("name", &p.data.name)]);
                    (p.id, message)
                })
            }
            FormKind::PoLine { .. } => return Ok(()),
            FormKind::Supplier { .. } | FormKind::Warehouse { .. } => return Ok(()),
            FormKind::Reorder => {
                let id = form.back_to.unwrap_or_default();
                stock::product(&self.session, id).and_then(|product| {
                    let (warehouse, point, quantity) =
                        (value("warehouse"), value("reorder_point"), value("reorder_qty"));
                    stock::set_reorder(&mut self.session, &product, &warehouse, &point, &quantity)?;
                    Ok((id, tf("stock.reorder_saved", &[("sku", &product.data.sku), ("warehouse", &warehouse)])))
                })
            }
            FormKind::Move(kind) => {
                let typed = MoveForm {
                    product: value("product"),
                    warehouse: value("warehouse"),
                    quantity: value("quantity"),
                    lot: value("lot"),
                    expiry: value("expiry"),
                    note: value("note"),
                    ..Default::default()
                };
                let kind = *kind;
                ledger::parse_move(self.session.db.conn(), &typed, kind).and_then(|m| {
                    ledger::post(&mut self.session, kind, &m)?;
                    let message =
                        tf("stock.posted", &[("kind", &super::view::kind_label(kind)), ("sku", &m.product.data.sku)]);
                    Ok((m.product.id, message))
                })
            }
        };
        match saved {
            Ok((id, message)) => {
                // Saved: the form goes first, so a failed refresh cannot invite a second save.
                self.stock.screen = StockScreen::Products;
                self.flash = Some(Flash::Info(message.clone()));
                self.stock.products.show(&self.session, id)?;
                self.stock.low_count = ledger::low_stock_count(&self.session)?;
                self.show_product(id)?;
                self.flash = Some(Flash::Info(message));
            }
            Err(Error::Invalid(errors)) => {
                if let StockScreen::Form(form) = &mut self.stock.screen {
                    form.form.show_errors(errors);
                }
                self.flash = Some(Flash::Error(t("flash.fix_fields").to_string()));
            }
            Err(e) => {
                if let StockScreen::Form(form) = &mut self.stock.screen {
                    form.form.message = Some(e.to_string());
                }
                return Err(e);
            }
        }
        Ok(())
    }

    fn receive_action(&mut self, action: Action) -> Result<()> {
        let StockScreen::Receive(receiving) = &mut self.stock.screen else { return Ok(()) };
        // While products are offered for a typed name, ↑/↓ choose, Enter takes, Esc drops.
        if !receiving.choices.is_empty() {
            match action {
                Action::Down | Action::Up => {
                    receiving.move_choice(action == Action::Down);
                }
                // Text typed since the list appeared (a scanner running ahead) is a new scan.
                Action::Accept if !receiving.scan.value().trim().is_empty() => {
                    receiving.choices.clear();
                    receiving.enter(&self.session)?;
                }
                Action::Accept => receiving.pick(),
                Action::Back => {
                    receiving.choices.clear();
                    receiving.message = None;
                }
                _ => {}
            }
            return Ok(());
        }
        match action {
            Action::Accept => receiving.enter(&self.session)?,
            Action::NextField => receiving.next_field(1),
            Action::PrevField => receiving.next_field(-1),
            Action::Down => {
                receiving.selected = (receiving.selected + 1).min(receiving.draft.lines.len().saturating_sub(1))
            }
            Action::Up => receiving.selected = receiving.selected.saturating_sub(1),
            Action::RemoveLine => receiving.remove_selected(),
            Action::FillRemaining => {
                let Some(po) = receiving.po.clone() else { return Ok(()) };
                let expected = crate::ops::purchasing::remaining_delivery(&self.session, &po)?;
                receiving.draft.fill_to(expected);
            }
            Action::Save => return self.post_receipt(),
            Action::Back if receiving.cancel_pending() => {}
            Action::Back if receiving.is_dirty() => {
                self.ask(t("confirm.discard_receipt").to_string(), Pending::DiscardForm)
            }
            Action::Back => self.leave_receiving()?,
            _ => {}
        }
        Ok(())
    }

    fn post_receipt(&mut self) -> Result<()> {
        let StockScreen::Receive(receiving) = &mut self.stock.screen else { return Ok(()) };
        if receiving.pending.is_some() || !receiving.scan.value().trim().is_empty() {
            // A code typed but not entered yet belongs on the delivery too, wherever the
            // cursor went after typing it.
            if receiving.pending.is_none() {
                receiving.focus = Field::Scan;
            }
            receiving.enter(&self.session)?;
            if receiving.pending.is_some() || matches!(receiving.message, Some((false, _))) {
                return Ok(());
            }
        }
        if receiving.draft.lines.is_empty() {
            receiving.message = Some((false, t("receive.nothing").to_string()));
            return Ok(());
        }
        let warehouse = match stock::warehouse_by_code(&self.session, receiving.warehouse.value()) {
            Ok(w) => w,
            Err(e) => {
                receiving.focus = Field::Warehouse;
                receiving.message = Some((false, e.to_string()));
                return Ok(());
            }
        };
        let reference = receiving.reference.value().trim().to_string();
        let (lines, units) = (receiving.draft.lines.len(), receiving.draft.units());
        if receiving.transfer {
            let to = match stock::warehouse_by_code(&self.session, receiving.reference.value()) {
                Ok(w) => w,
                Err(e) => {
                    receiving.focus = Field::Reference;
                    receiving.message = Some((false, e.to_string()));
                    return Ok(());
                }
            };
            let lines: Vec<ledger::TransferInput> = receiving
                .draft
                .lines
                .iter()
                .map(|l| ledger::TransferInput { product: l.product.clone(), quantity: l.quantity, lot: l.lot.clone() })
                .collect();
            let code = ledger::send_transfer(&mut self.session, &warehouse, &to, &lines, "")?;
            self.stock.screen = StockScreen::Products;
            self.stock.products.reload(&self.session)?;
            self.stock.low_count = ledger::low_stock_count(&self.session)?;
            self.flash = Some(Flash::Info(tf(
                "transfer.sent",
                &[("code", &code), ("lines", &lines.len()), ("from", &warehouse.data.code), ("to", &to.data.code)],
            )));
            return Ok(());
        }
        if let Some(po) = receiving.po.clone() {
            let draft = receiving.draft.clone();
            crate::ops::purchasing::receive(&mut self.session, &po, &draft.lines)?;
            self.show_order(&po.code)?;
            self.stock.products.reload(&self.session)?;
            self.stock.low_count = ledger::low_stock_count(&self.session)?;
            self.flash = Some(Flash::Info(tf(
                "receive.posted",
                &[("lines", &lines), ("units", &qty(units)), ("warehouse", &po.warehouse)],
            )));
            return Ok(());
        }
        let back_to_product = receiving.back_to_product;
        receiving.draft.post(&mut self.session, &warehouse, &reference)?;
        self.stock.screen = StockScreen::Products;
        self.stock.products.reload(&self.session)?;
        if let Some(id) = back_to_product {
            self.show_product(id)?;
        }
        self.stock.low_count = ledger::low_stock_count(&self.session)?;
        self.flash = Some(Flash::Info(tf(
            "receive.posted",
            &[("lines", &lines), ("units", &qty(units)), ("warehouse", &warehouse.data.code)],
        )));
        Ok(())
    }

    fn load_low_stock(&mut self) -> Result<()> {
        self.stock.low = ledger::low_stock(&self.session, None, ALERT_ROWS)?;
        self.stock.low_count = ledger::low_stock_count(&self.session)?;
        self.stock.low_selected = self.stock.low_selected.min(self.stock.low.len().saturating_sub(1));
        Ok(())
    }

    pub(crate) fn show_low_stock(&mut self) -> Result<()> {
        self.load_low_stock()?;
        self.stock.screen = StockScreen::LowStock;
        Ok(())
    }

    fn low_stock_action(&mut self, action: Action) -> Result<()> {
        if table::move_selection(&mut self.stock.low_selected, self.stock.low.len(), action) {
            return Ok(());
        }
        let selected = self.stock.low.get(self.stock.low_selected).map(|l| (l.product_id, l.level.warehouse.clone()));
        match action {
            Action::Open => {
                if let Some((id, _)) = selected {
                    self.stock.detail_from = DetailFrom::LowStock;
                    self.show_product(id)?;
                }
            }
            Action::Receive => {
                if let Some((id, warehouse)) = selected {
                    let product = stock::product(&self.session, id)?;
                    self.open_receiving(Some(&product))?;
                    if let StockScreen::Receive(r) = &mut self.stock.screen {
                        r.warehouse = tui_input::Input::new(warehouse);
                    }
                }
            }
            Action::ShowExpiring => self.show_expiring()?,
            Action::Back => self.stock.screen = StockScreen::Products,
            _ => {}
        }
        Ok(())
    }

    fn load_expiring(&mut self) -> Result<()> {
        let today = self.session.clock.today();
        self.stock.expiring = ledger::expiring(&self.session, today, self.stock.expiry_days, ALERT_ROWS)?;
        self.stock.expiring_selected = self.stock.expiring_selected.min(self.stock.expiring.len().saturating_sub(1));
        Ok(())
    }

    pub(crate) fn show_expiring(&mut self) -> Result<()> {
        self.load_expiring()?;
        self.stock.screen = StockScreen::Expiring;
        Ok(())
    }

    fn expiring_action(&mut self, action: Action) -> Result<()> {
        if table::move_selection(&mut self.stock.expiring_selected, self.stock.expiring.len(), action) {
            return Ok(());
        }
        match action {
            Action::Open => {
                if let Some(id) = self.stock.expiring.get(self.stock.expiring_selected).map(|e| e.product_id) {
                    self.stock.detail_from = DetailFrom::Expiring;
                    self.show_product(id)?;
                }
            }
            Action::Wider | Action::Narrower => {
                let at = EXPIRY_WINDOWS.iter().position(|d| *d == self.stock.expiry_days).unwrap_or(2);
                let at =
                    if action == Action::Wider { (at + 1).min(EXPIRY_WINDOWS.len() - 1) } else { at.saturating_sub(1) };
                self.stock.expiry_days = EXPIRY_WINDOWS[at];
                self.load_expiring()?;
            }
            Action::WriteOffExpired => {
                let today = self.session.clock.today();
                let expired = ledger::expired_count(&self.session, today)?;
                if expired == 0 {
                    self.flash = Some(Flash::Info(t("stock.nothing_expired").to_string()));
                } else {
                    self.ask(tf("confirm.write_off", &[("count", &expired)]), Pending::WriteOffExpired);
                }
            }
            Action::ShowLowStock => self.show_low_stock()?,
            Action::Back => self.stock.screen = StockScreen::Products,
            _ => {}
        }
        Ok(())
    }

    fn show_transfers(&mut self) -> Result<()> {
        self.stock.transfers = ledger::in_transit(&self.session)?;
        self.stock.transfers_selected = self.stock.transfers_selected.min(self.stock.transfers.len().saturating_sub(1));
        self.stock.screen = StockScreen::Transfers;
        Ok(())
    }

    fn transfers_action(&mut self, action: Action) -> Result<()> {
        if table::move_selection(&mut self.stock.transfers_selected, self.stock.transfers.len(), action) {
            return Ok(());
        }
        match action {
            Action::Receive | Action::Open => {
                if let Some(t) = self.stock.transfers.get(self.stock.transfers_selected) {
                    let question =
                        tf("confirm.receive_transfer", &[("code", &t.code), ("from", &t.from), ("to", &t.to)]);
                    self.ask(question, Pending::ReceiveTransfer(t.code.clone()));
                }
            }
            Action::Back => self.stock.screen = StockScreen::Products,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn receive_transfer(&mut self, code: &str) -> Result<()> {
        ledger::receive_transfer(&mut self.session, code)?;
        self.show_transfers()?;
        self.stock.products.reload(&self.session)?;
        self.stock.low_count = ledger::low_stock_count(&self.session)?;
        self.flash = Some(Flash::Info(tf("transfer.received", &[("code", &code)])));
        Ok(())
    }

    fn show_slow_movers(&mut self) -> Result<()> {
        self.stock.slow = crate::ops::stock_reports::slow_movers(&self.session, self.stock.slow_days, ALERT_ROWS)?;
        self.stock.slow_selected = self.stock.slow_selected.min(self.stock.slow.len().saturating_sub(1));
        self.stock.screen = StockScreen::SlowMovers;
        Ok(())
    }

    fn slow_movers_action(&mut self, action: Action) -> Result<()> {
        if table::move_selection(&mut self.stock.slow_selected, self.stock.slow.len(), action) {
            return Ok(());
        }
        match action {
            Action::Open => {
                if let Some(id) = self.stock.slow.get(self.stock.slow_selected).map(|m| m.stock.product_id) {
                    self.stock.detail_from = DetailFrom::SlowMovers;
                    self.show_product(id)?;
                }
            }
            Action::Wider | Action::Narrower => {
                let at = IDLE_WINDOWS.iter().position(|d| *d == self.stock.slow_days).unwrap_or(2);
                let at =
                    if action == Action::Wider { (at + 1).min(IDLE_WINDOWS.len() - 1) } else { at.saturating_sub(1) };
                self.stock.slow_days = IDLE_WINDOWS[at];
                self.show_slow_movers()?;
            }
            Action::Back => self.stock.screen = StockScreen::Products,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn write_off_expired(&mut self) -> Result<()> {
        let today = self.session.clock.today();
        let written = ledger::write_off_expired(&mut self.session, today)?;
        self.load_expiring()?;
        self.stock.products.reload(&self.session)?;
        self.stock.low_count = ledger::low_stock_count(&self.session)?;
        self.flash = Some(Flash::Info(tf("stock.written_off", &[("count", &written.len())])));
        Ok(())
    }

    /// Leaves receiving: back to the order it was for, or the product list.
    pub(crate) fn leave_receiving(&mut self) -> Result<()> {
        let (po, product) = match &self.stock.screen {
            StockScreen::Receive(r) => (r.po.as_ref().map(|po| po.code.clone()), r.back_to_product),
            _ => (None, None),
        };
        match (po, product) {
            (Some(code), _) => self.show_order(&code),
            (None, Some(id)) => self.show_product(id),
            (None, None) => {
                self.stock.screen = StockScreen::Products;
                Ok(())
            }
        }
    }

    pub(crate) fn stock_is_dirty(&self) -> bool {
        match &self.stock.screen {
            StockScreen::Form(form) => form.form.is_dirty(),
            StockScreen::Receive(r) => r.is_dirty(),
            StockScreen::Count(sheet) => sheet.draft.counted() > 0,
            _ => false,
        }
    }
}

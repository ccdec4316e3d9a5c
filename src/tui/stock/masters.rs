//! Suppliers and warehouses: lists with a form each.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Block;

use super::{FormKind, StockForm, StockScreen};
use crate::db::products::{Supplier, Warehouse};
use crate::domain::stock::{SupplierInput, WarehouseInput, flag_text};
use crate::error::Result;
use crate::i18n::{column_label, t, tf};
use crate::ops::stock;
use crate::tui::action::Action;
use crate::tui::app::{App, Flash};
use crate::tui::form::{Form, FormField};
use crate::tui::table;

#[derive(Debug, Default)]
pub struct MastersView {
    pub suppliers: Vec<Supplier>,
    pub suppliers_selected: usize,
    pub warehouses: Vec<Warehouse>,
    pub warehouses_selected: usize,
}

/// What a key on a master list leads to.
enum MasterOpen {
    Edit(usize),
    Archive(usize),
    New,
    Back,
    Stay,
}

fn master_action(selected: &mut usize, len: usize, action: Action) -> MasterOpen {
    if table::move_selection(selected, len, action) {
        return MasterOpen::Stay;
    }
    match action {
        Action::Edit | Action::Open => MasterOpen::Edit(*selected),
        Action::New => MasterOpen::New,
        Action::Archive => MasterOpen::Archive(*selected),
        Action::Back => MasterOpen::Back,
        _ => MasterOpen::Stay,
    }
}

fn field(column: &'static str, value: &str) -> FormField {
    FormField::new(column, column_label(column), value)
}

fn supplier_form(editing: Option<&Supplier>) -> StockForm {
    let input = editing.map(stock::supplier_input).unwrap_or_default();
    let code = match editing {
        Some(_) => field("code", &input.code).read_only(),
        None => field("code", &input.code).required().hint(t("stock.sku_hint")),
    };
    let fields = vec![
        code,
        field("name", &input.name).required(),
        field("contact", &input.contact),
        field("phone", &input.phone),
        field("email", &input.email),
        field("lead_days", &input.lead_days).hint(t("masters.lead_hint")),
        field("payment_days", &input.payment_days),
    ];
    let title = match editing {
        Some(s) => tf("masters.edit_supplier", &[("code", &s.data.code)]),
        None => t("masters.new_supplier").to_string(),
    };
    let focus = if editing.is_some() { "name" } else { "code" };
    StockForm {
        kind: FormKind::Supplier { editing: editing.cloned().map(Box::new) },
        form: Form::new(title, fields).focus_on(focus),
        back_to: None,
    }
}

fn warehouse_form(editing: Option<&Warehouse>) -> StockForm {
    let input = editing.map(stock::warehouse_input).unwrap_or_default();
    let code = match editing {
        Some(_) => field("code", &input.code).read_only(),
        None => field("code", &input.code).required().hint(t("stock.sku_hint")),
    };
    let fields = vec![
        code,
        field("name", &input.name).required(),
        field("allow_negative", &input.allow_negative).hint(t("masters.negative_hint")),
        field("is_default", &input.is_default).hint(t("masters.default_hint")),
    ];
    let title = match editing {
        Some(w) => tf("masters.edit_warehouse", &[("code", &w.data.code)]),
        None => t("masters.new_warehouse").to_string(),
    };
    let focus = if editing.is_some() { "name" } else { "code" };
    StockForm {
        kind: FormKind::Warehouse { editing: editing.cloned().map(Box::new) },
        form: Form::new(title, fields).focus_on(focus),
        back_to: None,
    }
}

impl App {
    pub(crate) fn show_suppliers(&mut self) -> Result<()> {
        let view = &mut self.stock.masters;
        view.suppliers = stock::suppliers(&self.session)?;
        view.suppliers_selected = view.suppliers_selected.min(view.suppliers.len().saturating_sub(1));
        self.stock.screen = StockScreen::Suppliers;
        Ok(())
    }

    pub(crate) fn show_warehouses(&mut self) -> Result<()> {
        let view = &mut self.stock.masters;
        view.warehouses = stock::warehouses(&self.session)?;
        view.warehouses_selected = view.warehouses_selected.min(view.warehouses.len().saturating_sub(1));
        self.stock.screen = StockScreen::Warehouses;
        Ok(())
    }

    pub(crate) fn suppliers_action(&mut self, action: Action) -> Result<()> {
        let view = &mut self.stock.masters;
        let open = master_action(&mut view.suppliers_selected, view.suppliers.len(), action);
        self.open_master(
            open,
            |app, index| app.stock.masters.suppliers.get(index).map(|s| supplier_form(Some(s))),
            || supplier_form(None),
        );
        Ok(())
    }

    pub(crate) fn warehouses_action(&mut self, action: Action) -> Result<()> {
        let view = &mut self.stock.masters;
        let open = master_action(&mut view.warehouses_selected, view.warehouses.len(), action);
        if let MasterOpen::Archive(index) = open {
            if let Some(w) = view.warehouses.get(index).cloned() {
                let saved = stock::set_warehouse_archived(&mut self.session, &w, !w.archived)?;
                let key = if saved.archived { "flash.archived" } else { "flash.unarchived" };
                self.flash = Some(Flash::Info(tf(key, &[("code", &saved.data.code)])));
                self.show_warehouses()?;
            }
            return Ok(());
        }
        self.open_master(
            open,
            |app, index| app.stock.masters.warehouses.get(index).map(|w| warehouse_form(Some(w))),
            || warehouse_form(None),
        );
        Ok(())
    }

    /// Goes where a key on a master list asked: a form, or back to the products.
    fn open_master(
        &mut self,
        open: MasterOpen,
        existing: impl Fn(&App, usize) -> Option<StockForm>,
        new: impl Fn() -> StockForm,
    ) {
        match open {
            MasterOpen::Edit(index) => {
                if let Some(form) = existing(self, index) {
                    self.stock.screen = StockScreen::Form(Box::new(form));
                }
            }
            MasterOpen::New => self.stock.screen = StockScreen::Form(Box::new(new())),
            MasterOpen::Archive(_) => {}
            MasterOpen::Back => self.stock.screen = StockScreen::Products,
            MasterOpen::Stay => {}
        }
    }

    /// Saves the supplier or warehouse form; returns to its list.
    pub(crate) fn save_master(&mut self, kind: &FormKind, form: &Form) -> Result<()> {
        let value = |c: &str| form.value(c).to_string();
        match kind {
            FormKind::Supplier { editing } => {
                let input = SupplierInput {
                    code: value("code"),
                    name: value("name"),
                    contact: value("contact"),
                    phone: value("phone"),
                    email: value("email"),
                    lead_days: value("lead_days"),
                    payment_days: value("payment_days"),
                };
                let saved = stock::save_supplier(&mut self.session, editing.as_deref(), &input)?;
                self.show_suppliers()?;
                self.flash =
                    Some(Flash::Info(tf("flash.saved", &[("code", &saved.data.code), ("name", &saved.data.name)])));
            }
            FormKind::Warehouse { editing } => {
                let input = WarehouseInput {
                    code: value("code"),
                    name: value("name"),
                    allow_negative: value("allow_negative"),
                    is_default: value("is_default"),
                };
                let saved = stock::save_warehouse(&mut self.session, editing.as_deref(), &input)?;
                self.show_warehouses()?;
                self.flash =
                    Some(Flash::Info(tf("flash.saved", &[("code", &saved.data.code), ("name", &saved.data.name)])));
            }
            _ => {}
        }
        Ok(())
    }
}

fn block<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title))
}

pub fn draw_suppliers(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let view = &app.stock.masters;
    let block = block(app, tf("masters.suppliers_title", &[("count", &view.suppliers.len())]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let titles = [
        column_label("code"),
        column_label("name"),
        column_label("contact"),
        column_label("phone"),
        column_label("lead_days"),
        column_label("payment_days"),
    ];
    let widths = table::widths(&[8, 0, 12, 14, 9, 9], usize::from(inner.width));
    let rows = view
        .suppliers
        .iter()
        .map(|s| {
            let d = &s.data;
            vec![
                d.code.clone(),
                d.name.clone(),
                d.contact.clone(),
                d.phone.clone(),
                d.lead_days.to_string(),
                d.payment_days.to_string(),
            ]
        })
        .collect();
    table::draw(frame, table::table(&app.theme, &titles, rows, Vec::new(), &widths), inner, view.suppliers_selected);
}

pub fn draw_warehouses(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let view = &app.stock.masters;
    let block = block(app, tf("masters.warehouses_title", &[("count", &view.warehouses.len())]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let titles =
        [column_label("code"), column_label("name"), column_label("allow_negative"), column_label("is_default")];
    let widths = table::widths(&[10, 0, 14, 10], usize::from(inner.width));
    let rows = view
        .warehouses
        .iter()
        .map(|w| {
            let d = &w.data;
            let name = if w.archived { format!("{} [{}]", d.name, t("detail.archived")) } else { d.name.clone() };
            vec![d.code.clone(), name, flag_text(d.allow_negative).to_string(), flag_text(d.is_default).to_string()]
        })
        .collect();
    table::draw(frame, table::table(&app.theme, &titles, rows, Vec::new(), &widths), inner, view.warehouses_selected);
}

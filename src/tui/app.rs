//! The application model and `apply`, the one place where an `Action` changes state.
//! Drawing (`view`) only reads what is here.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use strum::IntoEnumIterator;
use tui_input::backend::crossterm::{EventHandler, to_input_request};

use super::action::Action;
use super::customers::crm::Back;
use super::customers::form::CustomerForm;
use super::customers::{CustomersTab, Screen, Source, ViewBack};
use super::keymap::{Context, Key, Keymap};
use super::overlay::{Confirm, Overlay, Palette, Pending};
use super::theme::Theme;
use crate::error::{Error, Result};
use crate::i18n::{t, tf};
use crate::ops::Session;
use crate::ops::customers::{self, CustomerSort, ListQuery};
use crate::ops::search::CustomerSearch;

/// The tabs that exist. Later modules add theirs here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter)]
pub enum Tab {
    Customers,
    Orders,
    Stock,
    Invoices,
    Reports,
}

impl Tab {
    pub fn title(self) -> &'static str {
        match self {
            Tab::Customers => t("tab.customers"),
            Tab::Orders => t("tab.orders"),
            Tab::Invoices => t("tab.invoices"),
            Tab::Stock => t("tab.stock"),
            Tab::Reports => t("tab.reports"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flash {
    Info(String),
    Error(String),
}

pub struct App {
    pub session: Session,
    /// Where reports saved with E go (as invoice files do): the folder shopdesk was started in.
    pub export_folder: std::path::PathBuf,
    pub keymap: Keymap,
    pub theme: Theme,
    pub tab: Tab,
    pub customers: CustomersTab,
    pub stock: super::stock::StockTab,
    pub orders: super::orders::OrdersTab,
    pub invoices: super::invoices::InvoicesTab,
    pub reports: super::reports::ReportsTab,
    pub overlay: Option<Overlay>,
    /// The import screen, over every tab while open.
    pub import: Option<super::import::ImportScreen>,
    /// A list being saved as CSV (E) on its own connection.
    export_job: Option<crate::ops::report_job::ReportJob<Vec<(std::path::PathBuf, usize)>>>,
    pub flash: Option<Flash>,
    /// Terminal size in columns and rows.
    pub size: (u16, u16),
    pub should_quit: bool,
    /// Runs filters on a thread so typing never waits for a scan; `None` for a database in
    /// memory, which has no second connection, and then filters run in line.
    search: Option<CustomerSearch>,
    /// The database file's name for the status bar.
    pub db_label: String,
    data_version: i64,
    /// True while the event loop applies a batch of keys that arrived together.
    in_batch: bool,
    /// Keys left in the batch after a screen changed under them (an order saved from
    /// entry): typed for the old screen, they must not act on the new one.
    drop_rest_of_batch: bool,
    dropped_keys: usize,
    /// The batch's rest was dropped because the screen waited for another session.
    dropped_while_waiting: bool,
}

impl App {
    pub fn new(session: Session, keymap: Keymap, theme: Theme, size: (u16, u16)) -> Result<App> {
        let db_label = session
            .db
            .path()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| ":memory:".to_string());
        let data_version = session.db.data_version()?;
        let search = session.db.path().and_then(|path| CustomerSearch::start(path).ok());
        let mut app = App {
            session,
            export_folder: std::path::PathBuf::from("."),
            keymap,
            theme,
            tab: Tab::Customers,
            customers: CustomersTab::new(),
            stock: super::stock::StockTab::new(),
            orders: super::orders::OrdersTab::new(),
            invoices: super::invoices::InvoicesTab::new(),
            reports: super::reports::ReportsTab::new(),
            overlay: None,
            import: None,
            export_job: None,
            flash: None,
            size,
            should_quit: false,
            search,
            db_label,
            data_version,
            in_batch: false,
            drop_rest_of_batch: false,
            dropped_keys: 0,
            dropped_while_waiting: false,
        };
        app.customers.list.capacity = super::view::list_capacity(size.1);
        // The orders list fills a screen even when first shown after an order is saved.
        app.orders.list.capacity = super::view::list_capacity(size.1);
        app.customers.list.reset(&app.session)?;
        Ok(app)
    }

    /// The screen whose key bindings apply now.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help { .. }) => Context::Help,
            Some(Overlay::Palette(_)) => Context::Palette,
            Some(Overlay::Confirm(_)) => Context::Confirm,
            None => self.screen_context(),
        }
    }

    /// The context under any overlay.
    pub fn screen_context(&self) -> Context {
        if let Some(import) = &self.import {
            return match import.step {
                super::import::Step::File => Context::ImportFile,
                super::import::Step::Field => Context::ImportField,
                _ => Context::Import,
            };
        }
        if self.tab == Tab::Stock {
            return self.stock_context();
        }
        if self.tab == Tab::Orders {
            return self.orders_context();
        }
        if self.tab == Tab::Invoices {
            return self.invoices_context();
        }
        if self.tab == Tab::Reports {
            return self.reports_context();
        }
        match &self.customers.screen {
            Screen::List if self.customers.filtering => Context::Filter,
            Screen::List => Context::List,
            Screen::Detail(_) => Context::Detail,
            Screen::Form(_) | Screen::Record(_) => Context::Form,
            Screen::FollowUps => Context::FollowUps,
            Screen::Feedback => Context::Feedback,
            Screen::Pipeline => Context::Pipeline,
            Screen::Tiers => Context::Tiers,
            Screen::TierSuggestions => Context::TierSuggestions,
            Screen::Stages => Context::Stages,
            Screen::Opportunities if self.customers.filtering => Context::Filter,
            Screen::Opportunities => Context::Opportunities,
        }
    }

    /// Applies one terminal event. Called for every pending event before the next draw, so
    /// type-ahead lands in the fields that were current when each key was typed.
    pub fn handle_event(&mut self, event: &Event) {
        if self.drop_rest_of_batch && matches!(event, Event::Key(_) | Event::Paste(_)) {
            self.dropped_keys += 1;
            return;
        }
        // A wait before this event (a tick's save) is not this event's.
        crate::db::take_waited();
        self.apply_event(event);
        // The screen stood still while another session's save held the shop: keys typed
        // meanwhile were typed at a screen that did not answer, not at the one now shown
        // (an `x` meant for a note would archive the customer just saved).
        if crate::db::take_waited() && self.in_batch {
            self.drop_rest_of_batch = true;
            self.dropped_while_waiting = true;
        }
    }

    fn apply_event(&mut self, event: &Event) {
        match event {
            // Esc followed quickly by another key (type-ahead, or keys batched by a slow SSH
            // link) reaches us as Alt+key. Unless Alt+key is bound, the clerk meant both keys.
            Event::Key(key)
                if key.modifiers.contains(KeyModifiers::ALT)
                    && Key::from_event(key).and_then(|k| self.keymap.lookup(self.context(), &k)).is_none()
                    && !(self.context().takes_text() && to_input_request(event).is_some()) =>
            {
                self.handle_event(&Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
                let mut plain = *key;
                plain.modifiers.remove(KeyModifiers::ALT);
                self.handle_event(&Event::Key(plain));
            }
            Event::Key(key) if matches!(key.kind, KeyEventKind::Press | KeyEventKind::Repeat) => {
                let context = self.context();
                let action = Key::from_event(key).and_then(|k| self.keymap.lookup(context, &k));
                match action {
                    Some(action) => self.apply(action),
                    None if context.takes_text() => self.type_text(context, event),
                    None => {}
                }
            }
            Event::Resize(width, height) => self.resize(*width, *height),
            Event::Paste(_) => self.type_text(self.context(), event),
            _ => {}
        }
    }

    /// The event loop starts applying keys that arrived together.
    pub fn begin_batch(&mut self) {
        self.in_batch = true;
    }

    /// The batch is applied: say how many keys were typed for a screen that had gone.
    pub fn end_batch(&mut self) {
        if self.dropped_keys > 0 {
            let key = if self.dropped_while_waiting { "flash.keys_dropped_waiting" } else { "flash.keys_dropped" };
            let note = tf(key, &[("count", &self.dropped_keys)]);
            // A save that failed after waiting (the shop busy) says so first.
            self.flash = Some(Flash::Error(match self.flash.take() {
                Some(Flash::Error(error)) => format!("{error}\n{note}"),
                _ => note,
            }));
        }
        (self.in_batch, self.drop_rest_of_batch, self.dropped_keys) = (false, false, 0);
        self.dropped_while_waiting = false;
    }

    /// A screen changed in a way keys typed ahead cannot have meant (an order just saved
    /// now shows single-letter actions such as x for cancel): the rest of the batch is
    /// dropped rather than applied to it.
    pub(crate) fn screen_changed_under_typing(&mut self) {
        if self.in_batch {
            self.drop_rest_of_batch = true;
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        let capacity = super::view::list_capacity(height);
        let result = self.customers.list.set_capacity(&self.session, capacity);
        self.report(result);
        if !self.stock.products.rows.is_empty() {
            let result = self.stock.products.set_capacity(&self.session, capacity);
            self.report(result);
        }
        if self.orders.list.rows.is_empty() {
            self.orders.list.capacity = capacity;
        } else {
            let result = self.orders.list.set_capacity(&self.session, capacity);
            self.report(result);
        }
    }

    fn type_text(&mut self, context: Context, event: &Event) {
        if matches!(context, Context::ImportFile | Context::ImportField) {
            return self.import_type_text(event);
        }
        if self.tab == Tab::Stock && context != Context::Palette {
            return self.stock_type_text(context, event);
        }
        if self.tab == Tab::Orders && context != Context::Palette {
            return self.orders_type_text(context, event);
        }
        if self.tab == Tab::Invoices && context == Context::Form {
            return self.invoices_type_text(event);
        }
        if self.tab == Tab::Reports && context == Context::Form {
            return self.reports_type_text(event);
        }
        match context {
            Context::Filter
                if matches!(self.customers.screen, Screen::Opportunities)
                    && self.customers.opportunity_filter.handle_event(event).is_some_and(|c| c.value) =>
            {
                let result = self.refilter_opportunities();
                self.report(result);
            }
            Context::Filter if matches!(self.customers.screen, Screen::Opportunities) => {}
            Context::Filter if self.customers.filter_input.handle_event(event).is_some_and(|c| c.value) => {
                let query = ListQuery {
                    filter: self.customers.filter_input.value().to_string(),
                    ..self.customers.list.source.query.clone()
                };
                let result = self.requery(query);
                self.report(result);
            }
            Context::Form => {
                if let Some(form) = self.customers.screen.form_mut()
                    && let Some(input) = form.focused_input()
                    && input.handle_event(event).is_some_and(|c| c.value)
                {
                    // What was said about the last save no longer applies to the new text.
                    form.message = None;
                }
            }
            Context::Palette => {
                if let Some(Overlay::Palette(palette)) = &mut self.overlay
                    && palette.input.handle_event(event).is_some_and(|c| c.value)
                {
                    palette.selected = 0;
                }
            }
            _ => {}
        }
    }

    /// Shows the list for `query` from its start. A filtered query over a long list can take
    /// longer than a keystroke may, so it goes to the search thread when there is one; the
    /// window shown meanwhile stays consistent with its own (previous) query.
    fn requery(&mut self, query: ListQuery) -> Result<()> {
        match &mut self.search {
            Some(search) if !query.filter.trim().is_empty() => {
                search.request(query, self.customers.list.capacity);
                Ok(())
            }
            search => {
                if let Some(search) = search {
                    search.cancel();
                }
                self.customers.list.source.query = query;
                self.customers.list.reset(&self.session)
            }
        }
    }

    /// True while a filter is being run in the background.
    pub fn waiting(&self) -> bool {
        self.search.as_ref().is_some_and(CustomerSearch::waiting)
    }

    /// True while anything runs in the background (a customer filter, a sales report read
    /// from the documents): the input loop then wakes often to show results and progress.
    /// Keys never wait for a report.
    pub fn busy(&self) -> bool {
        let finance =
            matches!(&self.invoices.screen, crate::tui::invoices::InvoiceScreen::Report(r) if r.job.is_some());
        let importing = self.import.as_ref().is_some_and(|i| i.job.is_some()) || self.export_job.is_some();
        self.waiting() || finance || importing || self.reports.sales.as_ref().is_some_and(|s| s.job.is_some())
    }

    /// Waits for the background filter's result and shows it.
    fn finish_background(&mut self) -> Result<()> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while self.waiting() {
            if std::time::Instant::now() > deadline {
                return Err(Error::Busy);
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
            self.poll_background();
        }
        Ok(())
    }

    /// Takes in a background filter's result, if it has arrived.
    pub fn poll_background(&mut self) {
        self.poll_import();
        self.poll_export();
        if let Some(Err(e)) = self.reports.sales.as_mut().and_then(|s| s.poll()) {
            self.flash = Some(Flash::Error(e.to_string()));
        }
        if let crate::tui::invoices::InvoiceScreen::Report(report) = &mut self.invoices.screen
            && let Some(Err(e)) = report.poll()
        {
            self.flash = Some(Flash::Error(e.to_string()));
        }
        let Some(found) = self.search.as_mut().and_then(CustomerSearch::poll) else { return };
        match found.outcome {
            Ok((rows, total)) => {
                let capacity = self.customers.list.capacity;
                self.customers.list.source.query = found.query;
                self.customers.list.show_found(rows, total, found.limit);
                if found.limit != capacity {
                    // The screen was resized while the filter ran.
                    let result = self.customers.list.reload(&self.session);
                    self.report(result);
                }
            }
            Err(message) => self.flash = Some(Flash::Error(message)),
        }
    }

    /// Re-reads what is on screen when another session has written to the file.
    /// Loads what the first frame is not held up for: the low-stock count of the status bar.
    pub fn load_deferred(&mut self) {
        match crate::ops::ledger::low_stock_count(&self.session) {
            Ok(count) => self.stock.low_count = count,
            Err(e) => self.flash = Some(Flash::Error(e.to_string())),
        }
    }

    pub fn tick(&mut self) {
        if let Err(e) = self.session.db.checkpoint_idle() {
            self.flash = Some(Flash::Error(e.to_string()));
        }
        match self.session.db.data_version() {
            Ok(version) if version != self.data_version => {
                self.data_version = version;
                let result = self.refresh();
                self.report(result);
            }
            Ok(_) => {}
            Err(e) => self.flash = Some(Flash::Error(e.to_string())),
        }
    }

    pub(crate) fn refresh(&mut self) -> Result<()> {
        if !self.stock.products.rows.is_empty() || self.tab == Tab::Stock {
            self.refresh_stock()?;
        } else {
            self.stock.low_count = crate::ops::ledger::low_stock_count(&self.session)?;
        }
        self.refresh_orders()?;
        self.refresh_invoices()?;
        self.refresh_reports()?;
        self.customers.list.reload(&self.session)?;
        self.reload_crm_views()?;
        self.reload_pipeline_views()?;
        if let Screen::Detail(current) = &self.customers.screen {
            match customers::get(&self.session, current.id) {
                Ok(fresh) => self.show_detail(fresh)?,
                Err(Error::NotFound { .. }) => {
                    self.customers.screen = Screen::List;
                    self.flash = Some(Flash::Info(t("flash.customer_gone").to_string()));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Saves the records of the list on screen, its filter or view applied, as CSV in the
    /// folder shopdesk was started in.
    fn export_list(&mut self, context: Context) -> Result<()> {
        use crate::ops::list_export;
        // A filter still running in the background decides which rows are on screen.
        self.finish_background()?;
        if self.export_job.is_some() {
            return Err(Error::Refused(t("flash.export_running").to_string()));
        }
        let folder = self.export_folder.clone();
        type Export = Box<dyn FnOnce(&crate::ops::Session) -> Result<Vec<(std::path::PathBuf, usize)>> + Send>;
        let one = |saved: Result<(std::path::PathBuf, usize)>| saved.map(|file| vec![file]);
        let export: Export = match context {
            Context::Products => {
                let query = self.stock.products.source.query.clone();
                Box::new(move |s| one(list_export::products(s, &query, &folder)))
            }
            Context::SalesOrders => {
                let query = self.orders.list.source.query.clone();
                Box::new(move |s| list_export::orders(s, &query, &folder))
            }
            Context::Invoices => {
                let view = self.invoices.list.source.view;
                Box::new(move |s| one(list_export::invoices(s, view, &folder)))
            }
            Context::FollowUps => Box::new(move |s| one(list_export::follow_ups(s, &folder))),
            Context::Feedback => Box::new(move |s| one(list_export::feedback(s, &folder))),
            Context::Opportunities => {
                let filter = self.customers.opportunities.filter.clone();
                Box::new(move |s| one(list_export::opportunities(s, &filter, &folder)))
            }
            Context::LowStock => Box::new(move |s| {
                one(list_export::stock_report(s, "low-stock", crate::ops::stock_reports::low_stock, &folder))
            }),
            Context::Expiring => {
                let days = self.stock.expiry_days;
                let report = move |s: &crate::ops::Session| crate::ops::stock_reports::expiring(s, days);
                Box::new(move |s| one(list_export::stock_report(s, "expiring", report, &folder)))
            }
            Context::SlowMovers => {
                let days = self.stock.slow_days;
                let report = move |s: &crate::ops::Session| crate::ops::stock_reports::slow_movers_report(s, days);
                Box::new(move |s| one(list_export::stock_report(s, "slow-movers", report, &folder)))
            }
            Context::Tiers | Context::Stages | Context::Suppliers | Context::Warehouses | Context::Orders => {
                use crate::ops::tables::Table;
                let table = match context {
                    Context::Tiers => Table::Tiers,
                    Context::Stages => Table::Stages,
                    Context::Suppliers => Table::Suppliers,
                    Context::Warehouses => Table::Warehouses,
                    _ => Table::PurchaseOrders,
                };
                Box::new(move |s| one(list_export::table(s, table, &folder)))
            }
            _ => {
                let query = self.customers.list.source.query.clone();
                Box::new(move |s| one(list_export::customers(s, &query, &folder)))
            }
        };
        // A long list is written off the input loop, on its own connection; a shop in
        // memory has no second connection, so it is written here.
        if self.session.db.path().is_none() {
            self.flash = Some(Flash::Info(saved_text(&export(&self.session)?)));
            return Ok(());
        }
        if let Some(started) = crate::ops::report_job::ReportJob::start(&self.session, move |s, _| export(s))? {
            self.export_job = Some(started);
            self.flash = Some(Flash::Info(t("flash.exporting").to_string()));
        }
        Ok(())
    }

    /// Says where a list export went once it has finished.
    fn poll_export(&mut self) {
        let Some(done) = self.export_job.as_ref().and_then(|job| job.poll()) else { return };
        self.export_job = None;
        self.flash = Some(match done {
            Ok(saved) => Flash::Info(saved_text(&saved)),
            Err(e) => Flash::Error(e.to_string()),
        });
    }

    pub(crate) fn report(&mut self, result: Result<()>) {
        if let Err(e) = result {
            self.flash = Some(Flash::Error(e.to_string()));
        }
    }

    pub fn apply(&mut self, action: Action) {
        if !matches!(action, Action::Help | Action::Palette) {
            self.flash = None;
        }
        let result = self.dispatch(action);
        self.report(result);
    }

    fn dispatch(&mut self, action: Action) -> Result<()> {
        match (self.context(), action) {
            (Context::Confirm, Action::Yes) => return self.confirmed(),
            (Context::Confirm, _) => self.overlay = None,
            (Context::Help, Action::Down) => self.scroll_help(1),
            (Context::Help, Action::Up) => self.scroll_help(-1),
            (Context::Help, _) => self.overlay = None,
            (Context::Palette, Action::Down) => self.move_palette(1),
            (Context::Palette, Action::Up) => self.move_palette(-1),
            (Context::Palette, Action::Accept) => {
                let chosen = match &self.overlay {
                    Some(Overlay::Palette(p)) => p.entries(&self.keymap).get(p.selected).map(|e| e.action),
                    _ => None,
                };
                self.overlay = None;
                if let Some(action) = chosen {
                    return self.dispatch(action);
                }
            }
            (Context::Palette, _) => self.overlay = None,
            (context, Action::Help) => self.overlay = Some(Overlay::Help { context, scroll: 0 }),
            (context, Action::Palette) => self.overlay = Some(Overlay::Palette(Palette::new(context))),
            (Context::Form | Context::Receive | Context::Count | Context::OrderEntry, Action::Quit)
                if self.form_is_dirty() =>
            {
                self.ask(t("confirm.discard_and_quit").to_string(), Pending::Quit);
            }
            // Quitting from the import screen (over a form, or with an import running) asks
            // as quitting from the form would.
            (Context::Import | Context::ImportFile | Context::ImportField, Action::Quit)
                if self.form_is_dirty() || self.import.as_ref().is_some_and(|i| i.job.is_some()) =>
            {
                let key = if self.form_is_dirty() { "confirm.discard_and_quit" } else { "confirm.quit_import" };
                self.ask(t(key).to_string(), Pending::Quit);
            }
            (_, Action::Quit) => self.should_quit = true,
            (Context::Import | Context::ImportFile | Context::ImportField, action) => self.import_action(action)?,
            (_, Action::Import) => self.open_import(),
            (
                Context::List
                | Context::Products
                | Context::SalesOrders
                | Context::Invoices
                | Context::Tiers
                | Context::Stages
                | Context::Suppliers
                | Context::Warehouses
                | Context::Orders
                | Context::FollowUps
                | Context::Feedback
                | Context::Opportunities
                | Context::LowStock
                | Context::Expiring
                | Context::SlowMovers,
                Action::Export,
            ) => self.export_list(self.context())?,
            (_, Action::Refresh) => {
                self.refresh()?;
                // Reports on screen are re-read only when asked: another session's every
                // write would blank them while they are read again.
                self.reread_reports()?;
                self.flash = Some(Flash::Info(t("flash.refreshed").to_string()));
            }
            (Context::Detail, Action::NewOrder | Action::RepeatOrder) if self.tab == Tab::Customers => {
                if let Screen::Detail(customer) = &self.customers.screen {
                    let id = customer.id;
                    if action == Action::NewOrder { self.start_order(Some(id))? } else { self.repeat_order(id)? }
                }
            }
            (_, Action::NewOrder) => self.start_order(None)?,
            (
                _,
                Action::TabCustomers
                | Action::TabOrders
                | Action::TabStock
                | Action::TabInvoices
                | Action::TabReports
                | Action::NextTab
                | Action::PrevTab,
            ) => {
                let tabs: Vec<Tab> = Tab::iter().collect();
                let index = tabs.iter().position(|t| *t == self.tab).unwrap_or(0);
                let step = if action == Action::PrevTab { tabs.len() - 1 } else { 1 };
                self.tab = match action {
                    Action::TabCustomers => Tab::Customers,
                    Action::TabStock => Tab::Stock,
                    Action::TabOrders => Tab::Orders,
                    Action::TabInvoices => Tab::Invoices,
                    Action::TabReports => Tab::Reports,
                    _ => tabs[(index + step) % tabs.len()],
                };
                if self.tab == Tab::Stock {
                    self.enter_stock()?;
                }
                if self.tab == Tab::Orders {
                    self.enter_orders()?;
                }
                if self.tab == Tab::Invoices {
                    self.enter_invoices()?;
                }
                if self.tab == Tab::Reports {
                    self.enter_reports()?;
                }
            }
            (context, action) if self.tab == Tab::Stock => self.stock_dispatch(context, action)?,
            (context, action) if self.tab == Tab::Orders => self.orders_dispatch(context, action)?,
            (context, action) if self.tab == Tab::Invoices => self.invoices_dispatch(context, action)?,
            (context, action) if self.tab == Tab::Reports => self.reports_dispatch(context, action)?,
            (Context::Filter, Action::Accept) => self.customers.filtering = false,
            (Context::Filter, Action::Back) if matches!(self.customers.screen, Screen::Opportunities) => {
                self.customers.filtering = false;
                self.customers.opportunity_filter.reset();
                self.refilter_opportunities()?;
            }
            (Context::Filter, Action::Back) => {
                self.customers.filtering = false;
                self.clear_filter()?;
            }
            (Context::List, action) => self.list_action(action)?,
            (Context::Detail, action) => self.detail_action(action)?,
            (Context::Form, action) if matches!(self.customers.screen, Screen::Record(_)) => {
                self.record_form_action(action)?
            }
            (Context::Form, action) => self.form_action(action)?,
            (Context::FollowUps, action) => self.follow_ups_action(action)?,
            (Context::Pipeline, action) => self.pipeline_action(action)?,
            (Context::Tiers, action) => self.tiers_action(action)?,
            (Context::TierSuggestions, action) => self.suggestions_action(action)?,
            (Context::Stages, action) => self.stages_action(action)?,
            (Context::Opportunities, action) => self.opportunities_action(action)?,
            (Context::Feedback, action) => self.feedback_action(action)?,
            _ => {}
        }
        Ok(())
    }

    fn list_action(&mut self, action: Action) -> Result<()> {
        // Every list action works on what the newest filter shows: a key typed while that
        // filter still runs (type-ahead, or keys batched by SSH) waits for its result
        // rather than acting on the rows of the previous filter.
        self.finish_background()?;
        let list = &mut self.customers.list;
        let session = &self.session;
        match action {
            Action::Down => list.down(session)?,
            Action::Up => list.up(session)?,
            Action::PageDown => list.page_down(session)?,
            Action::PageUp => list.page_up(session)?,
            Action::First => list.first(session)?,
            Action::Last => list.last(session)?,
            Action::Open => {
                if let Some(row) = list.selected_row() {
                    let customer = customers::get(session, row.id)?;
                    self.show_detail(customer)?;
                    self.customers.detail_source = Source::List;
                }
            }
            Action::ShowFollowUps => self.enter_view(Self::show_follow_ups)?,
            Action::ShowFeedback => self.enter_view(Self::show_feedback)?,
            Action::ShowPipeline => self.enter_view(Self::show_pipeline)?,
            Action::ShowTiers => self.enter_view(Self::show_tiers)?,
            Action::Edit => {
                if let Some(row) = list.selected_row() {
                    let customer = customers::get(session, row.id)?;
                    self.customers.screen = Screen::Form(Box::new(CustomerForm::edit(&customer)));
                }
            }
            Action::New => self.customers.screen = Screen::Form(Box::new(CustomerForm::new_customer())),
            Action::Filter => self.customers.filtering = true,
            Action::SortNext => {
                let all: Vec<CustomerSort> = CustomerSort::iter().collect();
                let index = all.iter().position(|s| *s == list.source.query.sort).unwrap_or(0);
                let query = ListQuery { sort: all[(index + 1) % all.len()], ..list.source.query.clone() };
                self.requery(query)?;
            }
            Action::SortReverse => {
                let query = ListQuery { descending: !list.source.query.descending, ..list.source.query.clone() };
                self.requery(query)?;
            }
            Action::ToggleArchived => {
                let query =
                    ListQuery { include_archived: !list.source.query.include_archived, ..list.source.query.clone() };
                let key = if query.include_archived { "flash.showing_archived" } else { "flash.hiding_archived" };
                self.requery(query)?;
                self.flash = Some(Flash::Info(t(key).to_string()));
            }
            Action::Archive => {
                if let Some(row) = list.selected_row() {
                    let customer = customers::get(session, row.id)?;
                    self.toggle_archive(&customer)?;
                }
            }
            Action::Delete => {
                if let Some(row) = list.selected_row() {
                    let customer = customers::get(session, row.id)?;
                    self.ask_delete(&customer);
                }
            }
            Action::Back => self.clear_filter()?,
            _ => {}
        }
        Ok(())
    }

    fn detail_action(&mut self, action: Action) -> Result<()> {
        let Screen::Detail(customer) = &self.customers.screen else { return Ok(()) };
        let customer = customer.as_ref().clone();
        match action {
            Action::Back => match self.customers.detail_source {
                Source::List => {
                    self.customers.screen = Screen::List;
                    self.customers.list.show(&self.session, customer.id.0)?;
                }
                Source::FollowUps => self.show_follow_ups()?,
                Source::Feedback => self.show_feedback()?,
                Source::Pipeline => self.show_pipeline()?,
                Source::Opportunities => self.show_opportunities()?,
            },
            Action::NewOpportunity => self.open_opportunity_form(customer.id, None, Back::Detail(customer.id))?,
            Action::ShowPipeline => self.enter_view(Self::show_pipeline)?,
            Action::ShowTiers => self.enter_view(Self::show_tiers)?,
            Action::LogContact => self.open_contact_form(customer.id, Back::Detail(customer.id))?,
            Action::RecordFeedback => self.open_feedback_form(customer.id, Back::Detail(customer.id))?,
            Action::ShowFollowUps => self.enter_view(Self::show_follow_ups)?,
            Action::ShowFeedback => self.enter_view(Self::show_feedback)?,
            Action::Edit => self.customers.screen = Screen::Form(Box::new(CustomerForm::edit(&customer))),
            Action::New => self.customers.screen = Screen::Form(Box::new(CustomerForm::new_customer())),
            Action::Archive => self.toggle_archive(&customer)?,
            Action::Delete => self.ask_delete(&customer),
            Action::Down | Action::Up => {
                let list = &mut self.customers.list;
                list.show(&self.session, customer.id.0)?;
                if action == Action::Down {
                    list.down(&self.session)?
                } else {
                    list.up(&self.session)?
                }
                if let Some(row) = list.selected_row() {
                    let next = customers::get(&self.session, row.id)?;
                    self.show_detail(next)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn form_action(&mut self, action: Action) -> Result<()> {
        let Screen::Form(form) = &mut self.customers.screen else { return Ok(()) };
        match action {
            Action::NextField => form.form.next_field(),
            Action::PrevField => form.form.prev_field(),
            Action::Save => return self.save_form(),
            Action::Back if form.form.is_dirty() => self.ask(t("confirm.discard").to_string(), Pending::DiscardForm),
            Action::Back => self.leave_form()?,
            _ => {}
        }
        Ok(())
    }

    fn record_form_action(&mut self, action: Action) -> Result<()> {
        let Some(form) = self.customers.screen.form_mut() else { return Ok(()) };
        // A one-field form (a resolution, a lost reason) is done when Enter leaves the field.
        let action = if action == Action::NextField && form.fields.len() == 1 { Action::Save } else { action };
        match action {
            Action::NextField => form.next_field(),
            Action::PrevField => form.prev_field(),
            Action::Save => return self.save_record(),
            Action::Back if form.is_dirty() => self.ask(t("confirm.discard").to_string(), Pending::DiscardForm),
            Action::Back => self.leave_record()?,
            _ => {}
        }
        Ok(())
    }

    /// Opens a view, remembering the screen it was opened from for Esc.
    pub(crate) fn enter_view(&mut self, show: fn(&mut App) -> Result<()>) -> Result<()> {
        let from = match &self.customers.screen {
            Screen::Detail(customer) => ViewBack::Detail(customer.id),
            Screen::FollowUps => ViewBack::FollowUps,
            Screen::Feedback => ViewBack::Feedback,
            Screen::Pipeline => ViewBack::Pipeline,
            Screen::Opportunities => ViewBack::Opportunities,
            _ => ViewBack::List,
        };
        // A few levels are plenty; hopping between two views must not grow without end.
        if self.customers.view_back.len() >= 8 {
            self.customers.view_back.remove(0);
        }
        self.customers.view_back.push(from);
        show(self)
    }

    /// Esc on a view: back to where it was opened from.
    pub(crate) fn leave_view(&mut self) -> Result<()> {
        match self.customers.view_back.pop().unwrap_or(ViewBack::List) {
            ViewBack::List => {
                self.customers.screen = Screen::List;
                Ok(())
            }
            ViewBack::Detail(id) => match customers::get(&self.session, id) {
                Ok(customer) => self.show_detail(customer),
                Err(_) => {
                    self.customers.screen = Screen::List;
                    Ok(())
                }
            },
            ViewBack::FollowUps => self.show_follow_ups(),
            ViewBack::Feedback => self.show_feedback(),
            ViewBack::Pipeline => self.show_pipeline(),
            ViewBack::Opportunities => self.show_opportunities(),
        }
    }

    fn form_is_dirty(&self) -> bool {
        if self.tab == Tab::Stock {
            return self.stock_is_dirty();
        }
        if self.tab == Tab::Orders {
            return self.orders_dirty();
        }
        self.customers.screen.form().is_some_and(crate::tui::form::Form::is_dirty)
    }

    fn save_form(&mut self) -> Result<()> {
        let Screen::Form(form) = &mut self.customers.screen else { return Ok(()) };
        let data = form.data();
        let saved = match form.editing {
            Some((id, version)) => customers::update(&mut self.session, id, version, &data),
            None => customers::create(&mut self.session, &data),
        };
        match saved {
            Ok(customer) => {
                let message = tf("flash.saved", &[("code", &customer.data.code), ("name", &customer.data.name)]);
                self.customers.list.show(&self.session, customer.id.0)?;
                self.show_detail(customer)?;
                self.flash = Some(Flash::Info(message));
            }
            Err(Error::Invalid(errors)) => {
                form.form.show_errors(errors);
                self.flash = Some(Flash::Error(t("flash.fix_fields").to_string()));
            }
            Err(e) => {
                form.form.message = Some(e.to_string());
                return Err(e);
            }
        }
        Ok(())
    }

    /// Leaves the form without saving: to the customer it edited, or the list.
    fn leave_form(&mut self) -> Result<()> {
        let editing = match &self.customers.screen {
            Screen::Form(form) => form.editing,
            _ => None,
        };
        match editing {
            Some((id, _)) => match customers::get(&self.session, id) {
                Ok(customer) => self.show_detail(customer)?,
                Err(_) => self.customers.screen = Screen::List,
            },
            None => self.customers.screen = Screen::List,
        }
        Ok(())
    }

    pub(crate) fn show_detail(&mut self, customer: crate::domain::customer::Customer) -> Result<()> {
        self.customers.history = customers::history(&self.session, customer.id, 5)?;
        self.load_glance(customer.id)?;
        self.customers.screen = Screen::Detail(Box::new(customer));
        Ok(())
    }

    fn toggle_archive(&mut self, customer: &crate::domain::customer::Customer) -> Result<()> {
        let archive = customer.archived_at.is_none();
        let updated = customers::set_archived(&mut self.session, customer.id, customer.version, archive)?;
        let key = if archive { "flash.archived" } else { "flash.unarchived" };
        self.flash = Some(Flash::Info(tf(key, &[("code", &updated.data.code)])));
        self.customers.list.reload(&self.session)?;
        if matches!(self.customers.screen, Screen::Detail(_)) {
            self.show_detail(updated)?;
        }
        Ok(())
    }

    fn ask_delete(&mut self, customer: &crate::domain::customer::Customer) {
        let message = tf("confirm.delete", &[("code", &customer.data.code), ("name", &customer.data.name)]);
        self.ask(message, Pending::DeleteCustomer { id: customer.id, version: customer.version });
    }

    pub(crate) fn ask(&mut self, message: String, pending: Pending) {
        self.overlay = Some(Overlay::Confirm(Confirm { message, pending }));
    }

    fn confirmed(&mut self) -> Result<()> {
        let Some(Overlay::Confirm(confirm)) = self.overlay.take() else { return Ok(()) };
        match confirm.pending {
            Pending::DeleteCustomer { id, version } => {
                customers::delete(&mut self.session, id, version)?;
                self.customers.screen = Screen::List;
                self.customers.list.reload(&self.session)?;
                self.flash = Some(Flash::Info(t("flash.deleted").to_string()));
            }
            Pending::DiscardForm if self.tab == Tab::Orders => match &self.orders.screen {
                super::orders::OrderScreen::Form(form) => {
                    let id = form.order;
                    self.show_sales_order(id)?;
                }
                _ => self.leave_entry()?,
            },
            Pending::DiscardForm if self.tab == Tab::Stock => {
                if matches!(self.stock.screen, super::stock::StockScreen::Receive(_)) {
                    self.leave_receiving()?;
                } else if matches!(self.stock.screen, super::stock::StockScreen::Count(_)) {
                    self.stock.screen = super::stock::StockScreen::Products;
                } else {
                    self.leave_stock_form()?;
                }
            }
            Pending::WriteOffExpired => self.write_off_expired()?,
            Pending::CancelOrder => self.cancel_order()?,
            Pending::PostCount => self.post_count_sheet()?,
            Pending::ReceiveTransfer(code) => self.receive_transfer(&code)?,
            Pending::DiscardForm if matches!(self.customers.screen, Screen::Record(_)) => self.leave_record()?,
            Pending::DiscardForm => self.leave_form()?,
            Pending::StartOrder(customer) => self.start_order(Some(customer))?,
            Pending::ApplyTiers => self.apply_suggestions()?,
            Pending::RunImport => self.run_import(false)?,
            Pending::Quit => self.should_quit = true,
        }
        Ok(())
    }

    fn clear_filter(&mut self) -> Result<()> {
        if self.customers.list.source.query.filter.is_empty() && self.customers.filter_input.value().is_empty() {
            return Ok(());
        }
        self.customers.filter_input.reset();
        let query = ListQuery { filter: String::new(), ..self.customers.list.source.query.clone() };
        self.requery(query)
    }

    fn scroll_help(&mut self, delta: isize) {
        if let Some(Overlay::Help { scroll, .. }) = &mut self.overlay {
            *scroll = scroll.saturating_add_signed(delta);
        }
    }

    fn move_palette(&mut self, delta: isize) {
        if let Some(Overlay::Palette(palette)) = &mut self.overlay {
            let count = palette.entries(&self.keymap).len();
            if count > 0 {
                palette.selected = (palette.selected as isize + delta).rem_euclid(count as isize) as usize;
            }
        }
    }
}

/// Where a list's export went: one file, or an order list's and its history's.
fn saved_text(saved: &[(std::path::PathBuf, usize)]) -> String {
    let said: Vec<String> = saved
        .iter()
        .map(|(path, count)| match count {
            // An empty view saved: said, rather than "0 rows" read as a failure.
            0 => crate::i18n::tf("flash.list_exported_empty", &[("path", &path.display())]),
            _ => crate::i18n::tf("flash.list_exported", &[("count", count), ("path", &path.display())]),
        })
        .collect();
    said.join(" ")
}

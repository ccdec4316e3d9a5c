//! The Reports tab: the dashboard first (sales against last year, the last 30 days, what
//! waits in orders, stock, money and customers, this month's best), each item opening the
//! screen behind it; then sales analysis by period or dimension, sortable, with bars.

pub mod chart;
pub mod view;

use chrono::Datelike;

use crate::domain::fields::FieldError;
use crate::error::Result;
use crate::i18n::{t, tf};
use crate::ops::dashboard::{self, Dashboard};
use crate::ops::sales::{self, By, Dim, Period, SalesReport};
use crate::tui::action::Action;
use crate::tui::app::{App, Flash, Tab};
use crate::tui::form::{Form, FormField};
use crate::tui::keymap::Context;

/// What Enter on a dashboard item opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Sales,
    Orders,
    ToShip,
    LowStock,
    Expiring,
    Overdue,
    FollowUps,
    Complaints,
    TopProducts,
    TopCustomers,
}

impl Item {
    pub const ALL: [Item; 10] = [
        Item::Sales,
        Item::Orders,
        Item::ToShip,
        Item::LowStock,
        Item::Expiring,
        Item::Overdue,
        Item::FollowUps,
        Item::Complaints,
        Item::TopProducts,
        Item::TopCustomers,
    ];
}

#[derive(Debug)]
pub enum ReportsScreen {
    Dashboard,
    Sales,
    /// The sales period being typed.
    Period(Box<Form>),
    Forecast,
    Targets,
    /// A salesperson's target being typed.
    Target(Box<Form>),
}

/// Salespeople against their targets for one month.
#[derive(Debug)]
pub struct TargetsScreen {
    pub month: String,
    pub rows: Vec<crate::ops::targets::Standing>,
    pub selected: usize,
}

/// The forecast on screen: the total or each category, as rows of history and forecast.
#[derive(Debug)]
pub struct ForecastScreen {
    pub scope: crate::ops::forecast::Scope,
    pub series: Vec<crate::ops::forecast::SeriesForecast>,
    pub selected: usize,
}

/// Months forecast on screen.
pub const FORECAST_MONTHS: usize = 6;

#[derive(Debug)]
pub struct SalesScreen {
    pub by: By,
    pub by2: Option<Period>,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub report: SalesReport,
    pub selected: usize,
    /// Column sorted by, and whether biggest first; none: the report's own order.
    pub sort: Option<(usize, bool)>,
    pub basis: sales::Basis,
    pub filters: Vec<(Dim, String)>,
    /// The report being read from the documents; the previous one stays on screen meanwhile.
    pub job: Option<crate::ops::report_job::ReportJob<Option<SalesReport>>>,
}

pub struct ReportsTab {
    pub screen: ReportsScreen,
    pub dashboard: Option<Dashboard>,
    pub item: usize,
    pub sales: Option<SalesScreen>,
    pub forecast: Option<ForecastScreen>,
    pub targets: Option<TargetsScreen>,
}

impl ReportsTab {
    pub fn new() -> ReportsTab {
        ReportsTab {
            screen: ReportsScreen::Dashboard,
            dashboard: None,
            item: 0,
            sales: None,
            forecast: None,
            targets: None,
        }
    }
}

impl Default for ReportsTab {
    fn default() -> Self {
        Self::new()
    }
}

impl SalesScreen {
    pub fn query(&self) -> sales::Query {
        sales::Query {
            by: self.by,
            by2: self.by2,
            from: self.from,
            to: self.to,
            basis: self.basis,
            filters: self.filters.clone(),
        }
    }

    /// Reads the report on another thread when the session has a file (by customer on a
    /// large shop even the summaries take a second or two; from the documents, seconds).
    fn load(&mut self, session: &crate::ops::Session) -> Result<()> {
        let query = self.query();
        // Dropping a running job stops it: only the newest report is wanted. The rows of
        // the previous one go too, so no key acts on rows the title no longer describes.
        self.job = None;
        self.report.rows.clear();
        let read = query.clone();
        let job = crate::ops::report_job::ReportJob::start(session, move |reader, progress| {
            sales::run(reader, &read, &mut |done, total| progress.step(done, total))
        })?;
        if let Some(job) = job {
            self.job = Some(job);
            return Ok(());
        }
        if let Some(report) = sales::run(session, &query, &mut |_, _| true)? {
            self.show(report);
        }
        Ok(())
    }

    fn show(&mut self, report: SalesReport) {
        self.report = report;
        self.apply_sort();
        self.selected = self.selected.min(self.report.rows.len().saturating_sub(1));
    }

    /// Takes in the background report when it has arrived.
    pub(crate) fn poll(&mut self) -> Option<Result<()>> {
        let outcome = self.job.as_ref()?.poll()?;
        self.job = None;
        Some(outcome.map(|report| {
            if let Some(report) = report {
                self.show(report);
            }
        }))
    }

    /// Sorts the rows by the chosen column: keys as text, figures as numbers.
    fn apply_sort(&mut self) {
        let Some((column, biggest_first)) = self.sort else { return };
        let keys = self.report.columns.len() - 7;
        self.report.rows.sort_by(|a, b| {
            let order = if column < keys {
                let key = |r: &(String, Option<String>, sales::Figures)| {
                    if column == 0 { r.0.clone() } else { r.1.clone().unwrap_or_default() }
                };
                key(a).cmp(&key(b))
            } else {
                let figure = |f: &sales::Figures| -> rust_decimal::Decimal {
                    match column - keys {
                        0 => f.net.value(),
                        1 => f.quantity.value(),
                        2 => rust_decimal::Decimal::from(f.invoices.unwrap_or(0)),
                        3 => f.average().map(|m| m.value()).unwrap_or_default(),
                        4 => f.cost.value(),
                        5 => f.margin().value(),
                        _ => f.margin_percent().unwrap_or_default(),
                    }
                };
                figure(&a.2).cmp(&figure(&b.2))
            };
            if biggest_first { order.reverse() } else { order }
        });
    }
}

impl App {
    pub(crate) fn reports_context(&self) -> Context {
        match self.reports.screen {
            ReportsScreen::Dashboard => Context::Dashboard,
            ReportsScreen::Sales => Context::Sales,
            ReportsScreen::Period(_) => Context::Form,
            ReportsScreen::Forecast => Context::Forecast,
            ReportsScreen::Targets => Context::Targets,
            ReportsScreen::Target(_) => Context::Form,
        }
    }

    pub(crate) fn enter_reports(&mut self) -> Result<()> {
        self.reports.dashboard = Some(dashboard::load(&self.session)?);
        Ok(())
    }

    /// Another session wrote: the figures on screen are read again.
    pub(crate) fn refresh_reports(&mut self) -> Result<()> {
        if self.tab != Tab::Reports {
            return Ok(());
        }
        // The dashboard's figures are quick; a sales analysis is read again on request
        // (Ctrl-R), so another clerk's every sale does not blank it while it is re-read.
        self.enter_reports()
    }

    /// Ctrl-R: the sales analysis and the finance report on screen are read again.
    pub(crate) fn reread_reports(&mut self) -> Result<()> {
        if self.tab == Tab::Reports
            && matches!(self.reports.screen, ReportsScreen::Sales)
            && let Some(sales) = &mut self.reports.sales
        {
            sales.load(&self.session)?;
        }
        if self.tab == Tab::Invoices
            && let crate::tui::invoices::InvoiceScreen::Report(report) = &mut self.invoices.screen
        {
            report.load(&self.session)?;
        }
        Ok(())
    }

    /// Sales by `by` over the year so far (this month for the month's best).
    fn open_sales(&mut self, by: By, this_month: bool) -> Result<()> {
        let today = self.session.clock.today();
        let from = if this_month { today.with_day(1) } else { today.with_month(1).and_then(|d| d.with_day(1)) };
        let mut screen = SalesScreen {
            by,
            by2: None,
            from: from.unwrap_or(today),
            to: today,
            report: SalesReport { columns: Vec::new(), rows: Vec::new(), basis: sales::Basis::Invoiced },
            selected: 0,
            sort: None,
            basis: sales::Basis::of_shop(&self.session)?,
            filters: Vec::new(),
            job: None,
        };
        screen.load(&self.session)?;
        self.reports.sales = Some(screen);
        self.reports.screen = ReportsScreen::Sales;
        Ok(())
    }

    fn open_item(&mut self, item: Item) -> Result<()> {
        use crate::db::orders::OrderView;
        let orders_view = |app: &mut App, view: OrderView| -> Result<()> {
            app.tab = Tab::Orders;
            app.orders.screen = crate::tui::orders::OrderScreen::List;
            app.enter_orders()?;
            app.orders.list.source.query.view = view;
            app.orders.list.source.query.today = app.session.clock.today().to_string();
            app.orders.list.reset(&app.session)
        };
        match item {
            Item::Sales => self.open_sales(By::Period(Period::Month), false)?,
            Item::TopProducts => self.open_sales(By::Dim(Dim::Product), true)?,
            Item::TopCustomers => self.open_sales(By::Dim(Dim::Customer), true)?,
            Item::Orders => orders_view(self, OrderView::Open)?,
            Item::ToShip => orders_view(self, OrderView::ToShip)?,
            Item::LowStock | Item::Expiring => {
                self.tab = Tab::Stock;
                self.enter_stock()?;
                if item == Item::LowStock { self.show_low_stock()? } else { self.show_expiring()? }
            }
            Item::Overdue => {
                self.tab = Tab::Invoices;
                self.invoices.screen = crate::tui::invoices::InvoiceScreen::List;
                self.invoices.list.source.view = crate::db::invoices::InvoiceView::Overdue;
                self.enter_invoices()?;
            }
            Item::FollowUps | Item::Complaints => {
                self.tab = Tab::Customers;
                if item == Item::FollowUps {
                    self.enter_view(Self::show_follow_ups)?
                } else {
                    self.enter_view(Self::show_feedback)?
                }
            }
        }
        Ok(())
    }

    pub(crate) fn reports_dispatch(&mut self, context: Context, action: Action) -> Result<()> {
        match context {
            Context::Dashboard => match action {
                Action::Down | Action::Up => {
                    crate::tui::table::move_selection(&mut self.reports.item, Item::ALL.len(), action);
                }
                Action::Open => self.open_item(Item::ALL[self.reports.item.min(Item::ALL.len() - 1)])?,
                Action::ShowSales => self.open_sales(By::Period(Period::Month), false)?,
                Action::ShowForecast => self.open_forecast(crate::ops::forecast::Scope::Total)?,
                Action::ShowTargets => self.open_targets(None)?,
                Action::Refresh => self.enter_reports()?,
                _ => {}
            },
            Context::Sales if action == Action::ShowForecast => {
                self.open_forecast(crate::ops::forecast::Scope::Total)?
            }
            Context::Sales if action == Action::ShowTargets => self.open_targets(None)?,
            Context::Sales | Context::Forecast | Context::Targets if action == Action::Export => {
                self.export_report(context)?
            }
            Context::Sales => self.sales_action(action)?,
            Context::Forecast => self.forecast_action(action)?,
            Context::Targets => self.targets_action(action)?,
            Context::Form if matches!(self.reports.screen, ReportsScreen::Target(_)) => {
                self.target_form_action(action)?
            }
            Context::Form => self.sales_period_action(action)?,
            _ => {}
        }
        Ok(())
    }

    /// E: the report on screen, all its rows (its grouping, period and filter applied), as
    /// a CSV file in the current folder; the same columns and figures as `shopdesk report`.
    fn export_report(&mut self, context: Context) -> Result<()> {
        let today = self.session.clock.today();
        let saved = match context {
            Context::Sales => {
                let Some(sales) = &self.reports.sales else { return Ok(()) };
                if sales.job.is_some() {
                    self.flash = Some(Flash::Error(t("report.still_reading").to_string()));
                    return Ok(());
                }
                let stem = format!("sales-by-{}-{today}", sales.by.as_str());
                crate::ops::csv_io::save_rows(&self.export_folder, &stem, &sales.report.columns, &sales.report.cells())?
            }
            Context::Forecast => {
                let Some(f) = &self.reports.forecast else { return Ok(()) };
                let (columns, rows) = crate::ops::forecast::rows(&f.series, f.scope);
                crate::ops::csv_io::save_rows(&self.export_folder, &format!("forecast-{today}"), &columns, &rows)?
            }
            _ => {
                let Some(targets) = &self.reports.targets else { return Ok(()) };
                let (columns, rows) = crate::ops::targets::report(&self.session, &targets.month)?;
                crate::ops::csv_io::save_rows(
                    &self.export_folder,
                    &format!("targets-{}", targets.month),
                    columns,
                    &rows,
                )?
            }
        };
        self.flash = Some(Flash::Info(tf("report.saved", &[("path", &saved.display())])));
        Ok(())
    }

    fn open_targets(&mut self, month: Option<String>) -> Result<()> {
        let today = self.session.clock.today();
        let month = month.unwrap_or_else(|| format!("{}-{:02}", today.year(), today.month()));
        let rows = crate::ops::targets::standings(&self.session, &month)?;
        let selected = self.reports.targets.as_ref().map(|t| t.selected.min(rows.len().saturating_sub(1))).unwrap_or(0);
        self.reports.targets = Some(TargetsScreen { month, rows, selected });
        self.reports.screen = ReportsScreen::Targets;
        Ok(())
    }

    fn targets_action(&mut self, action: Action) -> Result<()> {
        let Some(screen) = &mut self.reports.targets else { return Ok(()) };
        match action {
            Action::Down | Action::Up => {
                crate::tui::table::move_selection(&mut screen.selected, screen.rows.len(), action);
            }
            Action::NextView | Action::PrevView => {
                let first = chrono::NaiveDate::parse_from_str(&format!("{}-01", screen.month), "%Y-%m-%d")
                    .unwrap_or_else(|_| self.session.clock.today());
                let step = chrono::Months::new(1);
                let month = if action == Action::NextView {
                    first.checked_add_months(step)
                } else {
                    first.checked_sub_months(step)
                };
                let month = month.unwrap_or(first);
                self.open_targets(Some(format!("{}-{:02}", month.year(), month.month())))?;
            }
            Action::Edit | Action::New => {
                let who = if action == Action::Edit {
                    screen.rows.get(screen.selected).map(|s| s.salesperson.clone()).unwrap_or_default()
                } else {
                    String::new()
                };
                let target = screen
                    .rows
                    .get(screen.selected)
                    .filter(|_| action == Action::Edit)
                    .and_then(|s| s.target)
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                let field = |c: &'static str, v: &str| FormField::new(c, crate::i18n::column_label(c), v);
                let form = Form::new(
                    tf("targets.form_title", &[("month", &screen.month)]),
                    vec![field("salesperson", &who).required(), field("target", &target).required()],
                )
                .focus_on(if who.is_empty() { "salesperson" } else { "target" });
                self.reports.screen = ReportsScreen::Target(Box::new(form));
            }
            Action::Back => {
                self.reports.screen = ReportsScreen::Dashboard;
                self.enter_reports()?;
            }
            _ => {}
        }
        Ok(())
    }

    fn target_form_action(&mut self, action: Action) -> Result<()> {
        let ReportsScreen::Target(form) = &mut self.reports.screen else { return Ok(()) };
        match action {
            Action::NextField => form.next_field(),
            Action::PrevField => form.prev_field(),
            Action::Back => self.reports.screen = ReportsScreen::Targets,
            Action::Save => {
                let month = self.reports.targets.as_ref().map(|t| t.month.clone()).unwrap_or_default();
                let (who, target) = (form.value("salesperson").to_string(), form.value("target").to_string());
                match crate::ops::targets::set(&mut self.session, &who, &month, &target) {
                    Ok(()) => {
                        self.open_targets(Some(month.clone()))?;
                        self.flash = Some(Flash::Info(tf("targets.set", &[("who", &who.trim()), ("month", &month)])));
                    }
                    Err(crate::error::Error::Invalid(errors)) => {
                        form.show_errors(errors);
                        self.flash = Some(Flash::Error(t("flash.fix_fields").to_string()));
                    }
                    Err(e) => {
                        form.message = Some(e.to_string());
                        return Err(e);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn open_forecast(&mut self, scope: crate::ops::forecast::Scope) -> Result<()> {
        let series = crate::ops::forecast::monthly(&self.session, FORECAST_MONTHS, scope)?;
        self.reports.forecast = Some(ForecastScreen { scope, series, selected: 0 });
        self.reports.screen = ReportsScreen::Forecast;
        Ok(())
    }

    fn forecast_action(&mut self, action: Action) -> Result<()> {
        let Some(f) = &mut self.reports.forecast else { return Ok(()) };
        match action {
            Action::Down | Action::Up => {
                let rows = if f.scope == crate::ops::forecast::Scope::Total { 1 } else { f.series.len() };
                crate::tui::table::move_selection(&mut f.selected, rows, action);
            }
            Action::NextView | Action::PrevView => {
                let scope = if action == Action::NextView { f.scope.next() } else { f.scope.next().next() };
                self.open_forecast(scope)?;
            }
            Action::Back => {
                self.reports.screen = ReportsScreen::Dashboard;
                self.enter_reports()?;
            }
            _ => {}
        }
        Ok(())
    }

    fn sales_action(&mut self, action: Action) -> Result<()> {
        let Some(sales) = &mut self.reports.sales else { return Ok(()) };
        let rows = sales.report.rows.len();
        let page = crate::tui::view::list_capacity(self.size.1).max(1);
        match action {
            Action::Down | Action::Up => {
                crate::tui::table::move_selection(&mut sales.selected, rows, action);
            }
            Action::PageDown => sales.selected = (sales.selected + page).min(rows.saturating_sub(1)),
            Action::PageUp => sales.selected = sales.selected.saturating_sub(page),
            Action::First => sales.selected = 0,
            Action::Last => sales.selected = rows.saturating_sub(1),
            Action::NextView | Action::PrevView => {
                let all = By::ALL;
                let at = all.iter().position(|b| *b == sales.by).unwrap_or(0) as isize;
                let step = if action == Action::NextView { 1 } else { -1 };
                sales.by = all[(at + step).rem_euclid(all.len() as isize) as usize];
                if matches!(sales.by, By::Period(_)) {
                    sales.by2 = None;
                }
                (sales.selected, sales.sort) = (0, None);
                sales.load(&self.session)?;
            }
            Action::SwitchBasis => {
                sales.basis = match sales.basis {
                    sales::Basis::Invoiced => sales::Basis::Ordered,
                    sales::Basis::Ordered => sales::Basis::Invoiced,
                };
                sales.load(&self.session)?;
            }
            Action::NextColumn => {
                if matches!(sales.by, By::Period(_)) {
                    self.flash = Some(Flash::Error(t("sales.against_needs_dimension").to_string()));
                    return Ok(());
                }
                sales.by2 = match sales.by2 {
                    None => Some(Period::Month),
                    Some(Period::Month) => Some(Period::Quarter),
                    Some(Period::Quarter) => Some(Period::Year),
                    Some(_) => None,
                };
                (sales.selected, sales.sort) = (0, None);
                sales.load(&self.session)?;
            }
            Action::SortNext => {
                let columns = sales.report.columns.len();
                sales.sort = Some(match sales.sort {
                    None => (0, false),
                    Some((c, desc)) => ((c + 1) % columns.max(1), desc),
                });
                sales.apply_sort();
            }
            Action::SortReverse => {
                let (column, desc) = sales.sort.unwrap_or((0, false));
                sales.sort = Some((column, !desc));
                sales.apply_sort();
            }
            Action::Filter => {
                let field = |c: &'static str, v: String| FormField::new(c, crate::i18n::column_label(c), &v);
                let form = Form::new(
                    t("sales.form_title").to_string(),
                    vec![
                        field("from", sales.from.to_string()).hint(t("sales.day_hint")),
                        field("to", sales.to.to_string()).hint(t("sales.day_hint")),
                        field("sales_filter", sales::describe_filters(&sales.filters)).hint(t("sales.filter_hint")),
                    ],
                );
                self.reports.screen = ReportsScreen::Period(Box::new(form));
            }
            Action::Back => {
                // Leaving the screen stops a report still being read.
                sales.job = None;
                self.reports.screen = ReportsScreen::Dashboard;
                self.enter_reports()?;
            }
            // The rows behind a figure are those of the report on screen, not one being read.
            Action::Open if sales.job.is_none() => self.drill_down()?,
            _ => {}
        }
        Ok(())
    }

    /// Enter on a row: the orders behind it in the Orders tab, filtered by the row's
    /// period or dimension value and the report's own filters (the list goes by order
    /// date; by invoice date the figure may hold orders of the days before).
    fn drill_down(&mut self) -> Result<()> {
        let Some(sales) = &self.reports.sales else { return Ok(()) };
        let Some((group, period, _)) = sales.report.rows.get(sales.selected) else { return Ok(()) };
        let span = |key: &str| sales::period_bounds(key);
        let (from, to) = match (sales.by, period) {
            (_, Some(p)) => span(p).unwrap_or((sales.from, sales.to)),
            (By::Period(_), None) => span(group).unwrap_or((sales.from, sales.to)),
            _ => (sales.from, sales.to),
        };
        // A quarter or year against the dimension reaches no further than the report does.
        let (from, to) = (from.max(sales.from), to.min(sales.to));
        let term = |dim: Dim, value: &str| -> String {
            let first_word = || value.split_whitespace().next().unwrap_or_default().to_string();
            let quoted = crate::ops::orders::quote_filter_value(if value == "-" { "" } else { value });
            match dim {
                // Rows name products and customers by code and name; the code is what matches.
                Dim::Customer => format!("customer:{}", first_word()),
                Dim::Product => format!("product:{}", first_word()),
                Dim::Salesperson => format!("sp:{quoted}"),
                Dim::Region => format!("region:{quoted}"),
                Dim::Category => format!("category:{quoted}"),
                Dim::Tier => format!("tier:{quoted}"),
            }
        };
        let mut terms: Vec<String> = sales.filters.iter().map(|(dim, value)| term(*dim, value)).collect();
        if let By::Dim(dim) = sales.by {
            if group == "-" && matches!(dim, Dim::Customer | Dim::Product | Dim::Salesperson) {
                self.flash = Some(Flash::Error(t("sales.drill_dimensions").to_string()));
                return Ok(());
            }
            terms.push(term(dim, group));
        }
        if sales.basis == sales::Basis::Ordered {
            terms.push("status:counted".into());
        }
        let filter = format!("{} from:{from} to:{to}", terms.join(" ")).trim().to_string();
        self.tab = Tab::Orders;
        self.orders.screen = crate::tui::orders::OrderScreen::List;
        self.enter_orders()?;
        self.orders.list.source.query.view = crate::db::orders::OrderView::All;
        self.orders.filter_input = tui_input::Input::new(filter);
        self.requery_orders()
    }

    fn sales_period_action(&mut self, action: Action) -> Result<()> {
        let ReportsScreen::Period(form) = &mut self.reports.screen else { return Ok(()) };
        match action {
            Action::NextField => form.next_field(),
            Action::PrevField => form.prev_field(),
            Action::Back => self.reports.screen = ReportsScreen::Sales,
            Action::Save => {
                let mut errors = Vec::new();
                let mut day = |column: &'static str| match crate::domain::fields::parse_date(form.value(column)) {
                    Ok(Some(day)) => Some(day),
                    Ok(None) => {
                        errors.push(FieldError { field: column, problem: crate::domain::fields::Problem::Required });
                        None
                    }
                    Err(problem) => {
                        errors.push(FieldError { field: column, problem });
                        None
                    }
                };
                let (from, to) = (day("from"), day("to"));
                // Every problem of the form at once: the days on their fields, the filter below.
                let filters = sales::parse_filters(form.value("sales_filter"));
                let filter_problem = filters.as_ref().err().map(|e| e.to_string());
                let (Some(from), Some(to), Ok(filters)) = (from, to, filters) else {
                    form.show_errors(errors);
                    form.message = filter_problem;
                    self.flash = Some(Flash::Error(t("flash.fix_fields").to_string()));
                    return Ok(());
                };
                if let Some(sales) = &mut self.reports.sales {
                    (sales.from, sales.to, sales.selected) = (from.min(to), to.max(from), 0);
                    sales.filters = filters;
                    sales.load(&self.session)?;
                }
                self.reports.screen = ReportsScreen::Sales;
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn reports_type_text(&mut self, event: &ratatui::crossterm::event::Event) {
        use tui_input::backend::crossterm::EventHandler;
        if let ReportsScreen::Period(form) | ReportsScreen::Target(form) = &mut self.reports.screen
            && let Some(input) = form.focused_input()
        {
            input.handle_event(event);
        }
    }
}

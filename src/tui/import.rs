//! The import screen (Ctrl-O anywhere): choose a CSV file in the folder shopdesk was
//! started in, see how it will be read and its first rows, say which table it goes into
//! (and for sales history which column is which field), run a dry run, read the errors,
//! then import with a progress bar. The import runs on its own connection and thread.

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{Event, KeyCode, KeyModifiers};
use tui_input::Input;

use super::action::Action;
use super::app::App;
use crate::domain::history::{DayOrder, Field};
use crate::error::{Error, LineError, Result};
use crate::i18n::t;
use crate::ops::csv_stream::{Preview, preview};
use crate::ops::customers::ImportReport;
use crate::ops::report_job::ReportJob;
use crate::ops::sales_history::{self, HistoryReport, Input as HistoryInput, Options};
use crate::ops::tables::Table;

/// Rows of the file shown before importing.
const PREVIEW_ROWS: usize = 5;
/// Problems PageDown and PageUp move by.
const PROBLEMS_PAGE: isize = 10;

#[derive(Debug)]
pub struct ImportScreen {
    pub step: Step,
    /// The file's path as typed, relative to `folder`.
    pub path: Input,
    /// The path is the file picked from the list, not typed: typing replaces it, as typing
    /// over selected text does, so a name typed is not added to the suggested one.
    pub path_suggested: bool,
    pub folder: PathBuf,
    /// CSV files in the folder, to pick with ↑/↓.
    pub files: Vec<String>,
    pub chosen: usize,
    pub file: PathBuf,
    pub preview: Option<Preview>,
    pub table: Table,
    /// Sales history: the field each column is read as.
    pub fields: Vec<Option<Field>>,
    pub column: usize,
    /// The fields and table chosen for each file opened on this screen, kept while its
    /// columns stay the same: going back to the list loses no work.
    pub chosen_before: std::collections::HashMap<PathBuf, Chosen>,
    pub day_order: Option<DayOrder>,
    /// Choosing the selected column's field by name (Enter on it): the search typed, and
    /// the choice among the fields it finds.
    pub field_search: Input,
    pub field_choice: usize,
    pub job: Option<ReportJob<Outcome>>,
    /// Esc was pressed while the job ran: it is asked to stop, and what it did (it may
    /// have committed already) is shown when it answers.
    pub stopping: bool,
    pub dry_run: bool,
    pub finished: Option<Finished>,
    pub scroll: usize,
}

/// A file's headers as read, and the fields and table chosen for them.
pub type Chosen = (Vec<String>, Vec<Option<Field>>, Table);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    File,
    Preview,
    /// Sales history: a column's field chosen from a list, by typing part of its name.
    Field,
    Running,
    Done,
}

#[derive(Debug)]
pub enum Outcome {
    Table(ImportReport),
    History(Box<HistoryReport>),
}

#[derive(Debug)]
pub enum Finished {
    Imported(Outcome),
    /// The file was refused: every problem with its line.
    Refused {
        errors: Vec<LineError>,
        more: usize,
    },
    /// Stopped with Esc before it had written anything.
    Stopped,
    Failed(String),
}

impl ImportScreen {
    pub fn new(folder: &Path, table: Table) -> ImportScreen {
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    // A folder named like a file is not one to open.
                    .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| name.to_lowercase().ends_with(".csv") || name.to_lowercase().ends_with(".txt"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let path = Input::new(files.first().cloned().unwrap_or_default());
        ImportScreen {
            step: Step::File,
            path_suggested: !path.value().is_empty(),
            path,
            folder: folder.to_path_buf(),
            files,
            chosen: 0,
            file: PathBuf::new(),
            preview: None,
            table,
            fields: Vec::new(),
            column: 0,
            chosen_before: std::collections::HashMap::new(),
            day_order: None,
            field_search: Input::default(),
            field_choice: 0,
            job: None,
            stopping: false,
            dry_run: true,
            finished: None,
            scroll: 0,
        }
    }

    /// Reads the chosen file's start; a file that cannot be read stays on the file step.
    fn open_file(&mut self) -> Result<()> {
        let typed = self.path.value().trim();
        if typed.is_empty() {
            return Err(Error::BadArgument(t("import.no_file").to_string()));
        }
        let mut file = self.folder.join(typed);
        // The start of a name: the file the list shows for it.
        if !file.exists()
            && let Some(shown) = self.files.get(self.chosen).filter(|f| starts_like(f, typed))
        {
            file = self.folder.join(shown);
            self.path = Input::new(shown.clone());
        }
        let found = match preview(&file, PREVIEW_ROWS) {
            Ok(found) => found,
            // A file that cannot be read as CSV: its problems as a refused import lists them.
            Err(Error::Import { errors, more }) => {
                self.preview = None;
                self.finished = Some(Finished::Refused { errors, more });
                self.scroll = 0;
                self.dry_run = true;
                self.step = Step::Done;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        // A file opened again keeps the fields chosen for its columns, and its table.
        if let Some(shown) = self.preview.take() {
            let kept = (shown.headers, std::mem::take(&mut self.fields), self.table);
            self.chosen_before.insert(self.file.clone(), kept);
        }
        if let Some((headers, fields, table)) = self.chosen_before.get(&file)
            && *headers == found.headers
        {
            (self.fields, self.table) = (fields.clone(), *table);
            self.file = file;
            self.preview = Some(found);
            self.column = 0;
            self.step = Step::Preview;
            return Ok(());
        }
        self.fields = sales_history::fields_by_header(&found.headers);
        // A file whose columns name an order, a date and a quantity is sales history.
        let named = |f: Field| self.fields.contains(&Some(f));
        let history = named(Field::OrderNumber) && named(Field::OrderDate) && named(Field::Quantity);
        if history && self.table != Table::Orders {
            self.table = Table::SalesHistory;
        }
        if let Some(table) = Table::told_by_columns(&found.headers) {
            self.table = table;
        } else if !(history && self.table == Table::SalesHistory)
            && let Some(table) = Table::fitting(&found.headers, self.table)
        {
            // The table chosen before cannot take this file's columns: the one that can.
            self.table = table;
        } else if !self.table.has_most_of(&found.headers)
            && [Field::Quantity, Field::Amount, Field::UnitPrice].iter().any(|f| named(*f))
        {
            // Most columns are not the chosen table's, no table takes them all, and some
            // name what was sold: another system's sales (a shop platform's export), which
            // sales history maps.
            self.table = Table::SalesHistory;
        }
        self.file = file;
        self.preview = Some(found);
        self.column = 0;
        self.step = Step::Preview;
        Ok(())
    }

    /// Moves the list of problems, keeping the last one on screen at least.
    fn scroll_by(&mut self, delta: isize) {
        let count = match &self.finished {
            Some(Finished::Refused { errors, .. }) => errors.len(),
            _ => 0,
        };
        self.scroll = self.scroll.saturating_add_signed(delta).min(count.saturating_sub(1));
    }

    fn pick(&mut self, delta: isize) {
        if self.files.is_empty() {
            return;
        }
        self.chosen = (self.chosen as isize + delta).rem_euclid(self.files.len() as isize) as usize;
        self.path = Input::new(self.files[self.chosen].clone());
        self.path_suggested = true;
    }

    fn next_table(&mut self, delta: isize) {
        let tables = Table::importable();
        let at = tables.iter().position(|t| *t == self.table).unwrap_or(0) as isize;
        self.table = tables[(at + delta).rem_euclid(tables.len() as isize) as usize];
    }

    /// Changes the field the selected column is read as: none, then each field no other
    /// column is read as, in turn (stepping past a field never takes it from its column).
    fn map_column(&mut self, delta: isize) {
        use strum::IntoEnumIterator;
        let Some(current) = self.fields.get(self.column).copied() else { return };
        let taken = |f: Field| {
            !f.many_columns() && self.fields.iter().enumerate().any(|(i, g)| i != self.column && *g == Some(f))
        };
        let choices: Vec<Option<Field>> =
            std::iter::once(None).chain(Field::iter().filter(|f| !taken(*f)).map(Some)).collect();
        let at = choices.iter().position(|c| *c == current).unwrap_or(0) as isize;
        self.fields[self.column] = choices[(at + delta).rem_euclid(choices.len() as isize) as usize];
    }

    /// The fields the search finds, "not used" first while nothing is typed.
    pub fn field_choices(&self) -> Vec<Option<Field>> {
        use strum::IntoEnumIterator;
        let typed = crate::domain::history::normalise(self.field_search.value());
        // "(not used)" is found by its words too, to leave a column out by typing.
        let not_used = crate::domain::history::normalise(t("import.not_used"));
        let none =
            (typed.is_empty() || not_used.contains(&typed) || "notused unused none".contains(&typed)).then_some(None);
        let typed = self.field_search.value();
        none.into_iter().chain(Field::iter().filter(|f| f.matches(typed)).map(Some)).collect()
    }

    /// Opens the list of fields for the selected column, at the field it has.
    fn choose_field(&mut self) {
        let Some(current) = self.fields.get(self.column).copied() else { return };
        self.field_search = Input::default();
        self.field_choice = self.field_choices().iter().position(|c| *c == current).unwrap_or(0);
        self.step = Step::Field;
    }

    /// Reads the selected column as the chosen field, which leaves any other column (as
    /// `--map` does): one field, one column.
    fn take_field(&mut self) {
        let Some(chosen) = self.field_choices().get(self.field_choice).copied() else { return };
        if let Some(field) = chosen.filter(|f| !f.many_columns()) {
            for other in self.fields.iter_mut() {
                if *other == Some(field) {
                    *other = None;
                }
            }
        }
        if let Some(slot) = self.fields.get_mut(self.column) {
            *slot = chosen;
        }
        self.step = Step::Preview;
    }

    /// The column that reads `field` now, other than the selected one.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        if field.many_columns() {
            return None; // read in every column that has it: nothing moves
        }
        self.fields.iter().enumerate().position(|(i, f)| i != self.column && *f == Some(field))
    }

    /// Describes the import `i` would run, for the question before it.
    fn describe(&self) -> String {
        let name = self.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        crate::i18n::tf("import.confirm", &[("file", &name), ("table", &self.table.name())])
    }
}

/// Whether file name `name` starts with what was typed, in any case.
fn starts_like(name: &str, typed: &str) -> bool {
    name.to_lowercase().starts_with(&typed.to_lowercase())
}

/// Whether an import's error is its answer to being asked to stop (the sales-history
/// import's own refusal, or a statement interrupted), not a failure of its own.
fn stopped_by_esc(error: &Error) -> bool {
    match error {
        Error::Refused(message) => message == t("sales_history.stopped"),
        Error::Sqlite(e) => e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted),
        _ => false,
    }
}

impl App {
    /// Opens the import screen, for the table of the tab the user is on.
    pub(crate) fn open_import(&mut self) {
        let table = match self.tab {
            super::app::Tab::Customers => Table::Customers,
            super::app::Tab::Stock => Table::Products,
            super::app::Tab::Orders | super::app::Tab::Invoices | super::app::Tab::Reports => Table::SalesHistory,
        };
        self.import = Some(ImportScreen::new(&self.export_folder, table));
    }

    pub(crate) fn import_action(&mut self, action: Action) -> Result<()> {
        let Some(screen) = self.import.as_mut() else { return Ok(()) };
        match (screen.step, action) {
            (Step::File, Action::Accept) => screen.open_file()?,
            (Step::File, Action::Down) => screen.pick(1),
            (Step::File, Action::Up) => screen.pick(-1),
            (Step::File, Action::Back) => self.import = None,
            (Step::Preview, Action::Back) => {
                screen.step = Step::File;
                // The name is shown selected again: typing replaces it, ← or → edits it.
                screen.path_suggested = true;
            }
            (Step::Preview, Action::PageDown) => {
                screen.column = (screen.column + PROBLEMS_PAGE as usize).min(screen.fields.len().saturating_sub(1))
            }
            (Step::Preview, Action::PageUp) => screen.column = screen.column.saturating_sub(PROBLEMS_PAGE as usize),
            (Step::Preview, Action::First) => screen.column = 0,
            (Step::Preview, Action::Last) => screen.column = screen.fields.len().saturating_sub(1),
            (Step::Preview, Action::NextTable) => screen.next_table(1),
            (Step::Preview, Action::PrevTable) => screen.next_table(-1),
            (Step::Preview, Action::Down) => {
                screen.column = (screen.column + 1).min(screen.fields.len().saturating_sub(1))
            }
            (Step::Preview, Action::Up) => screen.column = screen.column.saturating_sub(1),
            (Step::Preview, Action::Accept) if screen.table == Table::SalesHistory => screen.choose_field(),
            (Step::Field, Action::Accept) => screen.take_field(),
            (Step::Field, Action::Back) => screen.step = Step::Preview,
            (Step::Field, Action::Down) => {
                screen.field_choice = (screen.field_choice + 1).min(screen.field_choices().len().saturating_sub(1))
            }
            (Step::Field, Action::Up) => screen.field_choice = screen.field_choice.saturating_sub(1),
            (Step::Preview, Action::MapNext) if screen.table == Table::SalesHistory => screen.map_column(1),
            (Step::Preview, Action::MapPrev) if screen.table == Table::SalesHistory => screen.map_column(-1),
            (Step::Preview, Action::CycleDates) => {
                screen.day_order = match screen.day_order {
                    None => Some(DayOrder::DayFirst),
                    Some(DayOrder::DayFirst) => Some(DayOrder::MonthFirst),
                    Some(DayOrder::MonthFirst) => Some(DayOrder::YearFirst),
                    Some(DayOrder::YearFirst) => None,
                }
            }
            (Step::Preview | Step::Done, Action::DryRun) if screen.preview.is_some() => self.run_import(true)?,
            // A real import is asked about first: one key must not write a whole file.
            (Step::Preview | Step::Done, Action::RunImport) if screen.preview.is_some() => {
                let question = screen.describe();
                self.ask(question, super::overlay::Pending::RunImport);
            }
            // The job is asked to stop; its answer says whether it had committed already.
            (Step::Running, Action::Back) => {
                if let Some(job) = &screen.job {
                    job.stop();
                }
                screen.stopping = true;
            }
            (Step::Done, Action::Down) => screen.scroll_by(1),
            (Step::Done, Action::Up) => screen.scroll_by(-1),
            (Step::Done, Action::PageDown) => screen.scroll_by(PROBLEMS_PAGE),
            (Step::Done, Action::PageUp) => screen.scroll_by(-PROBLEMS_PAGE),
            (Step::Done, Action::First) => screen.scroll = 0,
            (Step::Done, Action::Last) => screen.scroll_by(isize::MAX),
            (Step::Done, Action::Back) => {
                screen.step = if screen.preview.is_some() { Step::Preview } else { Step::File };
            }
            (Step::Done, Action::Accept) => self.import = None,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn import_type_text(&mut self, event: &Event) {
        use tui_input::backend::crossterm::EventHandler;
        if let Some(screen) = self.import.as_mut()
            && screen.step == Step::Field
        {
            // A new search starts at the first field it finds.
            if screen.field_search.handle_event(event).is_some_and(|change| change.value) {
                screen.field_choice = 0;
            }
            return;
        }
        if let Some(screen) = self.import.as_mut()
            && screen.step == Step::File
        {
            if screen.path_suggested
                && let Event::Key(key) = event
            {
                screen.path_suggested = false;
                let typed_over = matches!(key.code, KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Delete)
                    && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                if typed_over {
                    screen.path = Input::default();
                    if !matches!(key.code, KeyCode::Char(_)) {
                        return;
                    }
                }
            }
            screen.path.handle_event(event);
            // The list follows what is typed: the file of that name, else the first whose
            // name starts so (Enter then opens it).
            let typed = screen.path.value().trim();
            let at = screen.files.iter().position(|f| f == typed).or_else(|| {
                (!typed.is_empty()).then(|| screen.files.iter().position(|f| starts_like(f, typed))).flatten()
            });
            if let Some(at) = at {
                screen.chosen = at;
            }
        }
    }

    /// Starts the dry run or the import on its own thread (in line for a shop in memory).
    pub(crate) fn run_import(&mut self, dry_run: bool) -> Result<()> {
        let Some(screen) = self.import.as_mut() else { return Ok(()) };
        let (file, table) = (screen.file.clone(), screen.table);
        let reference = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let options = Options {
            columns: Some(screen.fields.clone()),
            day_order: screen.day_order,
            dry_run,
            reference: reference.clone(),
            ..Options::default()
        };
        let job = move |session: &mut crate::ops::Session, progress: &crate::ops::report_job::Progress| {
            if table == Table::SalesHistory {
                let input = HistoryInput::File(file);
                let mut step = |done: u64, total: u64| progress.step(done as usize, total as usize);
                sales_history::import(session, &input, &options, &mut step).map(|r| Outcome::History(Box::new(r)))
            } else {
                table.import_input(session, &HistoryInput::File(file), dry_run, &reference).map(Outcome::Table)
            }
        };
        screen.dry_run = dry_run;
        screen.stopping = false;
        screen.scroll = 0;
        match ReportJob::start_writing(&self.session, job.clone())? {
            Some(started) => {
                screen.job = Some(started);
                screen.step = Step::Running;
            }
            None => {
                let outcome = job(&mut self.session, &crate::ops::report_job::Progress::default());
                self.finish_import(outcome)?;
            }
        }
        Ok(())
    }

    /// Takes in the import's outcome when it has arrived.
    pub(crate) fn poll_import(&mut self) {
        let Some(outcome) = self.import.as_ref().and_then(|s| s.job.as_ref()).and_then(|j| j.poll()) else { return };
        if let Some(screen) = self.import.as_mut() {
            screen.job = None;
        }
        let result = self.finish_import(outcome);
        self.report(result);
    }

    fn finish_import(&mut self, outcome: Result<Outcome>) -> Result<()> {
        let Some(screen) = self.import.as_mut() else { return Ok(()) };
        let written = outcome.is_ok() && !screen.dry_run;
        screen.finished = Some(match outcome {
            Ok(done) => Finished::Imported(done),
            Err(Error::Import { errors, more }) => Finished::Refused { errors, more },
            // Stopped before the end: its transaction rolled back.
            Err(e) if screen.stopping && stopped_by_esc(&e) => Finished::Stopped,
            Err(e) => Finished::Failed(e.to_string()),
        });
        screen.stopping = false;
        screen.step = Step::Done;
        if written {
            self.refresh()?;
        }
        Ok(())
    }
}

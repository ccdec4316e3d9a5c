//! The terminal interface: an `App` model, `Action`s as the only way to change it, and a
//! `view` that draws it. `run` owns the terminal and the event loop.

pub mod action;
pub mod app;
pub mod customers;
pub mod form;
pub mod format;
pub mod import;
mod import_view;
pub mod invoices;
pub mod keymap;
pub mod orders;
pub mod overlay;
pub mod paged;
pub mod reports;
pub mod stock;
pub mod table;
pub mod theme;
pub mod view;

use std::time::Duration;

use ratatui::crossterm::event;

use crate::error::{Error, Result};
use app::App;

/// How often an idle screen checks whether another session changed the file.
const IDLE_POLL: Duration = Duration::from_millis(500);
/// How often to look for a background result while one is due.
const BACKGROUND_POLL: Duration = Duration::from_millis(10);

/// The thread that draws: only its waits can be told on the screen.
static DRAWING_THREAD: std::sync::OnceLock<std::thread::ThreadId> = std::sync::OnceLock::new();
/// `tell_waiting` wrote on the screen behind ratatui's back.
static WAIT_TOLD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Says on the bottom line that a save waits for another session's, while the screen
/// cannot be drawn (the key handler is inside the write): a frozen screen is otherwise
/// taken for a hung one, and keys typed at it for keys typed at what comes next.
fn tell_waiting() {
    use ratatui::crossterm::{cursor, queue, style};
    use std::io::Write;
    if DRAWING_THREAD.get() != Some(&std::thread::current().id()) {
        return;
    }
    let Ok((columns, rows)) = ratatui::crossterm::terminal::size() else { return };
    let mut out = std::io::stdout();
    let _ = queue!(
        out,
        cursor::SavePosition,
        cursor::MoveTo(0, rows.saturating_sub(1)),
        style::SetAttribute(style::Attribute::Reverse),
        style::Print(waiting_line(columns)),
        style::SetAttribute(style::Attribute::Reset),
        cursor::RestorePosition
    );
    let _ = out.flush();
    WAIT_TOLD.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The bottom line while a save waits, `columns` wide.
fn waiting_line(columns: u16) -> String {
    let text = crate::domain::text::truncate(crate::i18n::t("flash.waiting_for_lock"), usize::from(columns));
    let pad = " ".repeat(usize::from(columns).saturating_sub(crate::domain::text::width(&text)));
    format!("{text}{pad}")
}

/// Runs the interface until the user quits. The terminal is restored on return, on error
/// and on panic (ratatui's hook), and every write has committed or rolled back by then.
pub fn run(mut app: App) -> Result<()> {
    let mut terminal = ratatui::try_init().map_err(|source| Error::Io { path: "terminal".into(), source })?;
    let _ = DRAWING_THREAD.set(std::thread::current().id());
    crate::db::on_wait(tell_waiting);
    let result = event_loop(&mut terminal, &mut app);
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> Result<()> {
    let io = |source| Error::Io { path: "terminal".into(), source };
    let size = terminal.size().map_err(io)?;
    app.resize(size.width, size.height);
    let mut first_frame = true;
    loop {
        // The bottom line was written past ratatui (a wait in a key, a tick or a background
        // result): a frame that has it as written, so the next redraws every cell that
        // differs. (`clear` would ask the terminal where its cursor is, which not every
        // terminal answers.)
        if WAIT_TOLD.swap(false, std::sync::atomic::Ordering::Relaxed) {
            terminal
                .draw(|frame| {
                    view::draw(frame, app);
                    let area = frame.area();
                    let bottom = ratatui::layout::Rect { y: area.bottom().saturating_sub(1), height: 1, ..area };
                    let told = ratatui::widgets::Paragraph::new(waiting_line(area.width))
                        .style(ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::REVERSED));
                    frame.render_widget(told, bottom);
                })
                .map_err(io)?;
        }
        terminal.draw(|frame| view::draw(frame, app)).map_err(io)?;
        if app.should_quit {
            return Ok(());
        }
        if std::mem::take(&mut first_frame) {
            // What the first frame can do without (the status bar's counts) comes right after.
            app.load_deferred();
            continue;
        }
        // While a filter runs in the background, wake often to show its result promptly.
        let timeout = if app.busy() { BACKGROUND_POLL } else { IDLE_POLL };
        if event::poll(timeout).map_err(io)? {
            // Apply every event already waiting before drawing again: a scanner's burst or
            // a fast typist's keys all land, in order, in the fields they were meant for.
            app.begin_batch();
            loop {
                let event = event::read().map_err(io)?;
                app.handle_event(&event);
                if app.should_quit || !event::poll(Duration::ZERO).map_err(io)? {
                    break;
                }
            }
            app.end_batch();
        } else if !app.busy() {
            app.tick();
        }
        app.poll_background();
    }
}

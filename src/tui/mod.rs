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

/// Runs the interface until the user quits. The terminal is restored on return, on error
/// and on panic (ratatui's hook), and every write has committed or rolled back by then.
pub fn run(mut app: App) -> Result<()> {
    let mut terminal = ratatui::try_init().map_err(|source| Error::Io { path: "terminal".into(), source })?;
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

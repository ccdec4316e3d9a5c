//! Whole-screen snapshots of the Customers tab at 80x24 and 120x40 (TestBackend + insta).
//! Times are shown in local time, so they are filtered out of the snapshots.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;

fn snapshot(name: &str, screen: String) {
    insta::with_settings!({filters => vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]")]}, {
        insta::assert_snapshot!(name, screen);
    });
}

fn both_sizes(name: &str, steps: impl Fn(&mut shopdesk::tui::app::App)) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        steps(&mut app);
        snapshot(&format!("{name}_{w}x{h}"), render(&app));
    }
}

#[test]
fn list() {
    both_sizes("list", |_| {});
}

#[test]
fn list_filtered_with_archived() {
    both_sizes("list_filtered", |app| {
        app.handle_event(&key(KeyCode::Char('a')));
        app.handle_event(&key(KeyCode::Char('/')));
        type_text(app, "o");
    });
}

#[test]
fn detail() {
    both_sizes("detail", |app| {
        press(app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    });
}

#[test]
fn form_with_errors() {
    both_sizes("form_errors", |app| {
        app.handle_event(&key(KeyCode::Char('n')));
        press(app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
        type_text(app, "+49 30 1234");
        app.handle_event(&key(KeyCode::Tab));
        type_text(app, "no-at-sign");
        press(app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
        type_text(app, "Gold");
        app.handle_event(&ctrl('s'));
    });
}

#[test]
fn help() {
    both_sizes("help", |app| app.handle_event(&key(KeyCode::Char('?'))));
}

#[test]
fn palette() {
    both_sizes("palette", |app| {
        app.handle_event(&ctrl('p'));
        type_text(app, "sort");
    });
}

#[test]
fn confirm_delete() {
    both_sizes("confirm_delete", |app| app.handle_event(&key(KeyCode::Char('D'))));
}

#[test]
fn too_small_terminal_says_so() {
    let app = app(60, 20);
    let screen = render(&app);
    assert!(screen.contains("Terminal too small"), "{screen}");
    assert!(screen.contains("80x24"), "{screen}");
}

fn both_sizes_crm(name: &str, steps: impl Fn(&mut shopdesk::tui::app::App)) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app_on(session_with_crm(), w, h);
        steps(&mut app);
        snapshot(&format!("{name}_{w}x{h}"), render(&app));
    }
}

#[test]
fn customer_at_a_glance() {
    both_sizes_crm("glance", |app| app.handle_event(&key(KeyCode::Enter)));
}

#[test]
fn follow_ups_view() {
    both_sizes_crm("follow_ups", |app| app.handle_event(&key(KeyCode::Char('F'))));
}

#[test]
fn open_feedback_view() {
    both_sizes_crm("feedback", |app| app.handle_event(&key(KeyCode::Char('C'))));
}

#[test]
fn log_contact_form() {
    both_sizes_crm("log_contact", |app| {
        press(app, &[KeyCode::Enter, KeyCode::Char('l')]);
        type_text(app, "Promised samples");
        press(app, &[KeyCode::Tab]);
        type_text(app, "next friday");
        app.handle_event(&ctrl('s'));
    });
}

#[test]
fn pipeline_board() {
    both_sizes_crm("pipeline", |app| {
        app.handle_event(&key(KeyCode::Char('P')));
        press(app, &[KeyCode::Right, KeyCode::Right]);
    });
}

#[test]
fn opportunity_list_filtered() {
    both_sizes_crm("opportunities", |app| {
        press(app, &[KeyCode::Char('P'), KeyCode::Char('L'), KeyCode::Char('/')]);
        type_text(app, "owner:alice");
    });
}

#[test]
fn tiers_screen_and_form() {
    both_sizes_crm("tiers", |app| {
        press(app, &[KeyCode::Char('T'), KeyCode::Down, KeyCode::Enter]);
        app.handle_event(&ctrl('u'));
        press(app, &[KeyCode::Tab, KeyCode::Tab]);
        app.handle_event(&ctrl('u'));
        type_text(app, "12.345");
        app.handle_event(&ctrl('s'));
    });
}

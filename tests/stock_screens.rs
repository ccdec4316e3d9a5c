//! Whole-screen snapshots of the Stock tab at 80x24 and 120x40.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use shopdesk::tui::app::App;

fn both_sizes(name: &str, steps: impl Fn(&mut App)) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app_on(session_with_stock(), w, h);
        app.handle_event(&key(KeyCode::Char('3')));
        steps(&mut app);
        insta::with_settings!({filters => vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]")]}, {
            insta::assert_snapshot!(format!("stock_{name}_{w}x{h}"), render(&app));
        });
    }
}

#[test]
fn products() {
    both_sizes("products", |_| {});
}

#[test]
fn product_with_lots() {
    both_sizes("product_lots", |app| {
        app.handle_event(&key(KeyCode::Char('/')));
        type_text(app, "milk");
        press(app, &[KeyCode::Enter, KeyCode::Enter]);
    });
}

#[test]
fn receiving_with_a_lot_waiting() {
    both_sizes("receiving", |app| {
        app.handle_event(&key(KeyCode::Char('r')));
        type_text(app, "4006381333931");
        app.handle_event(&key(KeyCode::Enter));
        type_text(app, "BOLT-8");
        app.handle_event(&key(KeyCode::Enter));
        type_text(app, "nope");
        app.handle_event(&key(KeyCode::Enter));
        type_text(app, "MILK-1");
        app.handle_event(&key(KeyCode::Enter));
        type_text(app, "L-0107");
    });
}

#[test]
fn low_stock_and_expiring() {
    both_sizes("low_stock", |app| app.handle_event(&key(KeyCode::Char('L'))));
    both_sizes("expiring", |app| app.handle_event(&key(KeyCode::Char('X'))));
}

#[test]
fn adjustment_refused_for_want_of_stock() {
    both_sizes("scrap_refused", |app| {
        app.handle_event(&key(KeyCode::Char('/')));
        type_text(app, "tea");
        app.handle_event(&key(KeyCode::Enter));
        app.handle_event(&key(KeyCode::Char('w')));
        type_text(app, "9");
        app.handle_event(&key(KeyCode::Enter));
        type_text(app, "dropped");
        app.handle_event(&ctrl('s'));
    });
}

#[test]
fn product_form_errors() {
    both_sizes("product_form", |app| {
        app.handle_event(&key(KeyCode::Char('n')));
        type_text(app, "BOLT-8");
        press(app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
        type_text(app, "-3");
        app.handle_event(&ctrl('s'));
    });
}

#[test]
fn stocktake_and_purchasing() {
    both_sizes("stocktake", |app| {
        app.handle_event(&key(KeyCode::Char('T')));
        type_text(app, "BOLT-8");
        app.handle_event(&key(KeyCode::Enter));
        type_text(app, "4006381333931");
        app.handle_event(&key(KeyCode::Enter));
    });
    both_sizes("plan", |app| app.handle_event(&key(KeyCode::Char('P'))));
    both_sizes("order", |app| {
        app.handle_event(&key(KeyCode::Char('P')));
        app.handle_event(&key(KeyCode::Char('o')));
    });
    both_sizes("slow_movers", |app| {
        app.handle_event(&key(KeyCode::Char('M')));
        app.handle_event(&key(KeyCode::Char('-')));
    });
}

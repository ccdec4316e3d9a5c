//! The interface in Simplified Chinese. Its own test binary: the language is process-wide.
//! Wide characters must line up, and a window over them must not leave half a character.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;

#[test]
fn chinese_list_form_and_help_line_up() {
    shopdesk::i18n::set_lang(shopdesk::i18n::Lang::ZhCn);
    let filters = vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]")];
    let mut app = app(80, 24);
    insta::with_settings!({filters => filters.clone()}, { insta::assert_snapshot!("zh_list_80x24", render(&app)); });
    app.handle_event(&key(KeyCode::Char('?')));
    let help = render(&app);
    insta::with_settings!({filters => filters.clone()}, { insta::assert_snapshot!("zh_help_80x24", help); });
    app.handle_event(&key(KeyCode::Esc));
    app.handle_event(&key(KeyCode::Char('n')));
    app.handle_event(&ctrl('s'));
    insta::with_settings!({filters => filters}, { insta::assert_snapshot!("zh_form_errors_80x24", render(&app)); });
}

#[test]
fn chinese_stock_tab_lines_up() {
    shopdesk::i18n::set_lang(shopdesk::i18n::Lang::ZhCn);
    let filters = vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]")];
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&key(KeyCode::Char('3')));
    insta::with_settings!({filters => filters.clone()}, { insta::assert_snapshot!("zh_stock_80x24", render(&app)); });
    app.handle_event(&key(KeyCode::Char('r')));
    type_text(&mut app, "RICE-5");
    app.handle_event(&key(KeyCode::Enter));
    type_text(&mut app, "MILK-1");
    app.handle_event(&key(KeyCode::Enter));
    insta::with_settings!({filters => filters}, { insta::assert_snapshot!("zh_receive_80x24", render(&app)); });
}

/// An order and its timeline, and order entry, in Chinese. (That a timeline written in one
/// language reads in another is proven in ops::orders: this binary's language is shared.)
#[test]
fn chinese_order_and_entry_line_up() {
    let filters = vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]")];
    shopdesk::i18n::set_lang(shopdesk::i18n::Lang::ZhCn);
    let mut app = app_on(session_with_stock(), 80, 24);
    app.handle_event(&ctrl('n'));
    type_text(&mut app, "C000003");
    app.handle_event(&key(KeyCode::Enter));
    for code in ["2*TEA-G", "9*TEA-G", "RICE-5"] {
        type_text(&mut app, code);
        app.handle_event(&key(KeyCode::Enter));
    }
    app.handle_event(&ctrl('o'));
    let screen = render(&app);
    assert!(screen.contains("创建，共 2 行") && screen.contains("已确认"), "{screen}");
    insta::with_settings!({filters => filters.clone()}, { insta::assert_snapshot!("zh_order_80x24", screen); });
    app.handle_event(&ctrl('n'));
    type_text(&mut app, "张");
    app.handle_event(&key(KeyCode::Enter));
    insta::with_settings!({filters => filters}, { insta::assert_snapshot!("zh_entry_80x24", render(&app)); });
}

/// Sales by month in Chinese: periods as 2026年11月, amounts grouped by thousands.
#[test]
fn chinese_sales_report_writes_periods_and_amounts_the_chinese_way() {
    shopdesk::i18n::set_lang(shopdesk::i18n::Lang::ZhCn);
    let mut app = invoiced_by_keys(80, 24);
    // A bigger month before it, as the kept summary holds it.
    app.session
        .db
        .conn()
        .execute(
            "INSERT INTO sales_daily (day, net, quantity, cost, invoices) VALUES ('2026-10-15', 123456789, 0, 0, 40)",
            [],
        )
        .unwrap();
    app.handle_event(&key(KeyCode::Char('5')));
    app.handle_event(&key(KeyCode::Char('s')));
    let screen = render(&app);
    assert!(screen.contains("2026年11月") && screen.contains("2026年1月1日"), "{screen}");
    assert!(screen.contains("1,234,567.89"), "{screen}");
    insta::assert_snapshot!("zh_sales_80x24", screen);
}

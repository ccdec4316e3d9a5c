//! The Reports tab by keys: the dashboard, each item opening the screen behind it, and the
//! sales analysis by period and dimension; snapshots at 80x24 and 120x40.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use shopdesk::tui::app::{App, Tab};

fn enter(app: &mut App) {
    app.handle_event(&key(KeyCode::Enter));
}

/// 10 bolts for C000003 shipped and invoiced today (3.43 net), then the Reports tab.
fn shop_with_a_sale(width: u16, height: u16) -> App {
    let mut app = invoiced_by_keys(width, height);
    app.handle_event(&key(KeyCode::Char('5')));
    app
}

#[test]
fn the_dashboard_shows_todays_sale_at_both_sizes() {
    for (w, h) in [(80, 24), (120, 40)] {
        let app = shop_with_a_sale(w, h);
        let screen = render(&app);
        assert!(screen.contains("Dashboard · 2026-11-27"), "{screen}");
        assert!(screen.lines().any(|l| l.contains("Today") && l.contains("3.43")), "{screen}");
        assert!(screen.contains("C000003 张伟") && screen.contains("BOLT-8 Bolt M8"), "{screen}");
        insta::assert_snapshot!(format!("dashboard_{w}x{h}"), screen);
    }
}

#[test]
fn sales_analysis_by_dimension_against_a_period_sorted() {
    let mut app = shop_with_a_sale(80, 24);
    enter(&mut app); // the first item: sales
    let screen = render(&app);
    assert!(screen.contains("Sales by Month · 2026-01-01 – 2026-11-27"), "{screen}");
    assert!(screen.contains("2026-11") && screen.contains("3.43"), "{screen}");
    app.handle_event(&key(KeyCode::Char('t')));
    assert!(render(&app).contains("v to category"), "a period has no period against it");
    app.handle_event(&key(KeyCode::Char('v')));
    app.handle_event(&key(KeyCode::Char('t')));
    let screen = render(&app);
    assert!(screen.contains("Sales by Category × Month") && screen.contains("Hardware/Bolts"), "{screen}");
    insta::assert_snapshot!("sales_category_month_80x24", screen);
    app.handle_event(&key(KeyCode::Char('s')));
    app.handle_event(&key(KeyCode::Char('S')));
    assert!(render(&app).contains("Category▼"), "{}", render(&app));
    // A period with a bad day is refused on the field; a good one reruns the report.
    app.handle_event(&key(KeyCode::Char('f')));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "2026-13-01");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("is not a date"), "{}", render(&app));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "2025-01-01");
    app.handle_event(&key(KeyCode::Tab));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "2025-12-31");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("No sales in this period"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Esc));
    assert!(render(&app).contains("Dashboard"));
}

#[test]
fn dashboard_items_open_the_screens_behind_them() {
    let mut app = shop_with_a_sale(80, 24);
    // Orders in progress, then overdue invoices, then follow-ups.
    app.handle_event(&key(KeyCode::Char('j')));
    enter(&mut app);
    assert_eq!(app.tab, Tab::Orders);
    app.handle_event(&key(KeyCode::Char('5')));
    for _ in 0..4 {
        app.handle_event(&key(KeyCode::Char('j')));
    }
    enter(&mut app);
    assert_eq!(app.tab, Tab::Invoices);
    assert!(render(&app).contains("Overdue"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('5')));
    app.handle_event(&key(KeyCode::Char('j')));
    enter(&mut app);
    assert_eq!(app.tab, Tab::Customers);
    app.handle_event(&key(KeyCode::Char('5')));
    for _ in 0..2 {
        app.handle_event(&key(KeyCode::Char('j')));
    }
    enter(&mut app);
    let screen = render(&app);
    assert!(screen.contains("Sales by Product") && screen.contains("2026-11-01 – 2026-11-27"), "{screen}");
}

/// F opens the forecast; with no whole month of sales yet it says when it starts, and v
/// switches to one line per category.
#[test]
fn the_forecast_screen_waits_for_a_whole_month() {
    let mut app = shop_with_a_sale(80, 24);
    app.handle_event(&key(KeyCode::Char('F')));
    let screen = render(&app);
    assert!(screen.contains("Sales forecast") && screen.contains("No whole month"), "{screen}");
    app.handle_event(&key(KeyCode::Char('v')));
    assert!(render(&app).contains("per category"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Esc));
    assert!(render(&app).contains("Dashboard"));
}

/// Enter on a month, or on a customer, lists the orders behind the figure.
#[test]
fn a_sales_figure_drills_down_to_its_orders() {
    let mut app = shop_with_a_sale(80, 24);
    app.handle_event(&key(KeyCode::Char('s')));
    enter(&mut app);
    assert_eq!(app.tab, Tab::Orders);
    assert_eq!(app.orders.filter_input.value(), "from:2026-11-01 to:2026-11-27", "the month, up to the report's end");
    assert!(render(&app).contains("SO-000001"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('5')));
    app.handle_event(&key(KeyCode::Char('s')));
    for _ in 0..3 {
        app.handle_event(&key(KeyCode::Char('v'))); // category, product, customer
    }
    enter(&mut app);
    assert_eq!(app.orders.filter_input.value(), "customer:C000003 from:2026-01-01 to:2026-11-27");
    assert!(render(&app).contains("SO-000001"), "{}", render(&app));
    // A category, a product, a region: the orders list filters by each.
    for (steps, filter) in [
        (1, "category:Hardware/Bolts from:2026-01-01 to:2026-11-27"),
        (2, "product:BOLT-8 from:2026-01-01 to:2026-11-27"),
        (5, "region:East from:2026-01-01 to:2026-11-27"),
    ] {
        // Back to the Reports tab's sales screen, Esc to the dashboard, a fresh analysis.
        app.handle_event(&key(KeyCode::Char('5')));
        app.handle_event(&key(KeyCode::Esc));
        app.handle_event(&key(KeyCode::Char('s')));
        for _ in 0..steps {
            app.handle_event(&key(KeyCode::Char('v')));
        }
        enter(&mut app);
        assert_eq!(app.orders.filter_input.value(), filter);
        assert!(render(&app).contains("SO-000001"), "{filter}: {}", render(&app));
    }
    // A filter naming nothing of the order lists nothing.
    app.handle_event(&key(KeyCode::Char('/')));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "category:\"Tea & Coffee\" tier:-");
    enter(&mut app);
    assert_eq!(app.orders.filter_input.value(), "category:\"Tea & Coffee\" tier:-");
    assert!(!render(&app).contains("SO-000001"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('/')));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "tier:b region:east");
    enter(&mut app);
    assert!(render(&app).contains("SO-000001"), "{}", render(&app));
}

/// T shows salespeople against targets; e sets one by keys, and bad input stays on the form.
#[test]
fn a_target_is_set_by_keys_and_measured() {
    let mut app = shop_with_a_sale(80, 24);
    app.handle_event(&key(KeyCode::Char('T')));
    assert!(render(&app).contains("Targets · 2026-11"), "{}", render(&app));
    app.handle_event(&key(KeyCode::Char('n')));
    type_text(&mut app, "maria");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "-5");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("Target for 2026-11"), "refused, still on the form: {}", render(&app));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "50");
    app.handle_event(&ctrl('s'));
    let screen = render(&app);
    assert!(screen.contains("maria") && screen.contains("50.00"), "{screen}");
    insta::assert_snapshot!("targets_80x24", screen);
    app.handle_event(&key(KeyCode::Char('V')));
    assert!(render(&app).contains("Targets · 2026-10") && render(&app).contains("No targets"), "{}", render(&app));
}

#[test]
fn filtered_and_order_date_reports_are_read_in_the_background() {
    // The shop on a file, so a second connection can read it on another thread.
    let (_dir, mut app) = on_file(&shop_with_a_sale(80, 24), 80, 24);
    app.handle_event(&key(KeyCode::Char('5')));
    enter(&mut app);
    app.handle_event(&key(KeyCode::Char('v'))); // by category
    app.handle_event(&key(KeyCode::Char('f')));
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    type_text(&mut app, "region=West");
    app.handle_event(&ctrl('s'));
    settle(&mut app);
    let screen = render(&app);
    assert!(screen.contains("only region=West") && screen.contains("No sales in this period"), "{screen}");
    app.handle_event(&key(KeyCode::Char('f')));
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "region=east,tier=B");
    app.handle_event(&ctrl('s'));
    settle(&mut app);
    let screen = render(&app);
    assert!(screen.contains("Hardware/Bolts") && screen.contains("3.43"), "{screen}");
    assert!(screen.contains("only region=east,tier=B"), "{screen}");
    // Counted by order date instead: the same order, under an Orders column.
    app.handle_event(&key(KeyCode::Char('b')));
    settle(&mut app);
    let screen = render(&app);
    assert!(screen.contains("ordered, by order date") && screen.contains("Orders"), "{screen}");
    assert!(screen.contains("3.43"), "{screen}");
    // A filter that is not dimension=value is refused with the form kept.
    app.handle_event(&key(KeyCode::Char('f')));
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "colour=red");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("a filter is dimension=value"), "{}", render(&app));
}

/// Two years of monthly sales up to last month, rising, with a December peak, kept as the
/// summaries hold them.
fn with_two_years(app: &App) {
    for year in [2024, 2025, 2026] {
        for month in 1..=12 {
            if (year, month) < (2024, 11) || (year, month) > (2026, 10) {
                continue;
            }
            let net = 100_000 + if month == 12 { 80_000 } else { 0 } + (year - 2024) * 12_000 + month * 1_000;
            app.session
                .db
                .conn()
                .execute(
                    "INSERT INTO sales_daily (day, net, quantity, cost, invoices) VALUES (?1, ?2, 1000, 0, 3)",
                    (format!("{year}-{month:02}-15"), net),
                )
                .unwrap();
        }
    }
}

fn braille(screen: &str) -> usize {
    screen.chars().filter(|c| ('\u{2801}'..='\u{28ff}').contains(c)).count()
}

#[test]
fn line_charts_appear_where_there_is_room() {
    for (w, h) in [(80, 24), (120, 40), (160, 48)] {
        let mut app = shop_with_a_sale(w, h);
        with_two_years(&app);
        app.handle_event(&key(KeyCode::Char('s')));
        app.handle_event(&key(KeyCode::Char('f')));
        app.handle_event(&ctrl('u'));
        type_text(&mut app, "2024-01-01");
        app.handle_event(&ctrl('s'));
        let sales = render(&app);
        app.handle_event(&key(KeyCode::Char('F')));
        let forecast = render(&app);
        if w == 80 {
            assert_eq!(braille(&sales) + braille(&forecast), 0, "tables with bars at 80x24:\n{sales}\n{forecast}");
            continue;
        }
        assert!(braille(&sales) > 20 && sales.contains("2024-01") && sales.contains("2026-11"), "{sales}");
        assert!(braille(&forecast) > 20 && forecast.contains("history") && forecast.contains("forecast"), "{forecast}");
        insta::assert_snapshot!(format!("sales_chart_{w}x{h}"), sales);
        insta::assert_snapshot!(format!("forecast_chart_{w}x{h}"), forecast);
    }
}

/// E saves the report on screen, every row, as the CLI writes it.
#[test]
fn e_saves_the_report_on_screen_as_csv() {
    let mut app = shop_with_a_sale(80, 24);
    let dir = tempfile::tempdir().unwrap();
    app.export_folder = dir.path().to_path_buf();
    app.handle_event(&key(KeyCode::Char('s')));
    app.handle_event(&key(KeyCode::Char('v'))); // by category
    app.handle_event(&key(KeyCode::Char('E')));
    let file = dir.path().join("sales-by-category-2026-11-27.csv");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(render(&app).contains("Saved as"), "{}", render(&app));
    assert_eq!(saved.lines().next().unwrap(), "category,net,quantity,invoices,average,cost,margin,margin_percent");
    assert!(saved.contains("Hardware/Bolts,3.43,10,"), "{saved}");
    // The finance reports in the Invoices tab, likewise.
    app.handle_event(&key(KeyCode::Char('4')));
    app.handle_event(&key(KeyCode::Esc)); // from the invoice to the list
    app.handle_event(&key(KeyCode::Char('R')));
    app.handle_event(&key(KeyCode::Char('E')));
    let revenue = std::fs::read_to_string(dir.path().join("revenue-2026-11-27.csv")).unwrap();
    assert!(
        revenue.starts_with("month,invoices,credit_notes,net") && revenue.contains("2026-11,1,0,3.43"),
        "{revenue}"
    );
}

/// Another session's sale does not redraw a sales analysis on its own (it would blank while
/// re-read); Ctrl-R reads it again.
#[test]
fn ctrl_r_reads_the_sales_analysis_again() {
    let (dir, mut app) = on_file(&shop_with_a_sale(80, 24), 80, 24);
    app.handle_event(&key(KeyCode::Char('5')));
    app.handle_event(&key(KeyCode::Char('s')));
    settle(&mut app);
    assert!(render(&app).contains("3.43"), "{}", render(&app));
    let other = shopdesk::db::Db::open(&dir.path().join("shop.db")).unwrap();
    other.conn().execute("UPDATE sales_daily SET net = net + 100000 WHERE day = '2026-11-27'", []).unwrap();
    app.tick();
    settle(&mut app);
    assert!(render(&app).contains("3.43"), "not re-read on its own: {}", render(&app));
    app.handle_event(&ctrl('r'));
    settle(&mut app);
    assert!(render(&app).contains("1,003.43"), "{}", render(&app));
}

//! The interface driven by key events as a clerk would type them, on real databases.

mod common;

use common::*;
use ratatui::crossterm::event::KeyCode;
use shopdesk::db::Db;
use shopdesk::domain::customer::CustomerData;
use shopdesk::ops::{self, Clock, Session, customers};
use shopdesk::tui::app::Flash;
use shopdesk::tui::customers::Screen;

fn find(session: &Session, code: &str) -> shopdesk::domain::customer::Customer {
    let rows = customers::window(
        session,
        &customers::ListQuery { filter: code.into(), include_archived: true, ..Default::default() },
        &customers::Anchor::Start,
        10,
    )
    .unwrap();
    customers::get(session, rows.iter().find(|r| r.code == code).unwrap().id).unwrap()
}

/// A burst of keys applied before any draw ends with exactly what was typed, each key in
/// the field that was current when it was typed.
#[test]
fn type_ahead_lands_in_the_right_fields() {
    let mut app = app(80, 24);
    app.handle_event(&key(KeyCode::Char('n')));
    type_text(&mut app, "Quick Typist");
    app.handle_event(&key(KeyCode::Enter));
    type_text(&mut app, "Fast Co");
    press(&mut app, &[KeyCode::Enter, KeyCode::Enter, KeyCode::Enter]);
    type_text(&mut app, "+49 1234");
    app.handle_event(&key(KeyCode::Enter));
    type_text(&mut app, "q@example.com");
    app.handle_event(&ctrl('s'));
    // Typed straight on: back to the list, then filter for the new customer.
    app.handle_event(&key(KeyCode::Esc));
    app.handle_event(&key(KeyCode::Char('/')));
    type_text(&mut app, "typist");
    let Screen::List = app.customers.screen else { panic!("expected the list") };
    assert_eq!(app.customers.list.total, 1);
    let row = app.customers.list.selected_row().unwrap();
    assert_eq!((row.name.as_str(), row.company.as_str(), row.phone.as_str()), ("Quick Typist", "Fast Co", "+49 1234"));
    assert_eq!(row.email, "q@example.com");
    assert_eq!(row.code, "C000006", "codes continue after the imported ones");
}

#[test]
fn unsaved_changes_are_guarded_and_saved_edits_recorded() {
    let mut app = app(80, 24);
    app.handle_event(&key(KeyCode::Char('e')));
    app.handle_event(&key(KeyCode::Tab));
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "Anna García-López");
    app.handle_event(&key(KeyCode::Esc));
    assert!(render(&app).contains("Discard your unsaved changes?"));
    app.handle_event(&key(KeyCode::Char('n')));
    assert!(matches!(app.customers.screen, Screen::Form(_)), "answering no keeps the form");
    app.handle_event(&ctrl('s'));
    let Screen::Detail(customer) = &app.customers.screen else { panic!("saving opens the detail") };
    assert_eq!(customer.data.name, "Anna García-López");
    assert_eq!(customer.version, 2);
    app.resize(120, 40);
    assert!(render(&app).contains("edited"), "the history shows the edit on a taller screen");
}

/// Two sessions on one file: the second save of the same customer is refused with a
/// message, and the first session's change survives.
#[test]
fn a_concurrent_edit_is_refused_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let mut first = Session::start(Db::open(&path).unwrap(), "alice", Clock::System).unwrap();
    ops::customers::import(&mut first, CUSTOMERS_CSV.as_bytes(), false).unwrap();
    let second = Session::start(Db::open(&path).unwrap(), "bruno", Clock::System).unwrap();
    let mut app = app_on(second, 80, 24);

    app.handle_event(&key(KeyCode::Char('e'))); // bruno opens Anna for editing
    let anna = find(&first, "C000001");
    let data = CustomerData { city: "Potsdam".into(), ..anna.data.clone() };
    customers::update(&mut first, anna.id, anna.version, &data).unwrap(); // alice saves first

    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    type_text(&mut app, " & Sons");
    app.handle_event(&ctrl('s'));
    assert!(matches!(app.customers.screen, Screen::Form(_)), "the form stays open");
    assert!(matches!(&app.flash, Some(Flash::Error(m)) if m.contains("another session")), "{:?}", app.flash);
    assert!(render(&app).contains("changed in another session"));
    let stored = find(&first, "C000001");
    assert_eq!((stored.data.city.as_str(), stored.data.company.as_str()), ("Potsdam", "García Bakery"));
}

/// What another session writes shows up without a restart.
#[test]
fn another_sessions_write_appears_on_the_next_tick() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let mut writer = Session::start(Db::open(&path).unwrap(), "alice", Clock::System).unwrap();
    ops::customers::import(&mut writer, CUSTOMERS_CSV.as_bytes(), false).unwrap();
    let mut app = app_on(Session::start(Db::open(&path).unwrap(), "bruno", Clock::System).unwrap(), 80, 24);
    assert_eq!(app.customers.list.total, 4);
    customers::create(&mut writer, &CustomerData { name: "Aaron Newcomer".into(), ..Default::default() }).unwrap();
    app.tick();
    assert_eq!(app.customers.list.total, 5);
    assert!(render(&app).contains("Aaron Newcomer"));
}

#[test]
fn archive_hides_and_delete_asks_first() {
    let mut app = app(80, 24);
    assert_eq!(app.customers.list.total, 4);
    app.handle_event(&key(KeyCode::Char('x')));
    assert_eq!(app.customers.list.total, 3, "archived customers leave the list");
    app.handle_event(&key(KeyCode::Char('a')));
    assert_eq!(app.customers.list.total, 5, "and come back with a");
    app.handle_event(&key(KeyCode::Char('D')));
    app.handle_event(&key(KeyCode::Esc));
    assert_eq!(app.customers.list.total, 5, "Esc answers no");
    app.handle_event(&key(KeyCode::Char('D')));
    app.handle_event(&key(KeyCode::Char('y')));
    assert_eq!(app.customers.list.total, 4);
    assert!(matches!(&app.flash, Some(Flash::Info(m)) if m.contains("deleted")));
}

#[test]
fn control_characters_in_data_never_reach_the_terminal() {
    let db = Db::open_in_memory().unwrap();
    let mut session = Session::start(db, "t", Clock::Fixed(FIXED_NOW.into())).unwrap();
    customers::create(&mut session, &CustomerData { name: "Plain".into(), ..Default::default() }).unwrap();
    // Data from before validation existed, or written by another tool.
    session
        .db
        .write(|tx| {
            tx.execute("UPDATE customers SET name = 'Evil\u{1b}]0;pwned\u{7}\u{1b}[2J', company = 'Bell\u{7}Co'", [])?;
            Ok(())
        })
        .unwrap();
    let mut app = app_on(session, 80, 24);
    let list = render(&app);
    app.handle_event(&key(KeyCode::Enter));
    let detail = render(&app);
    for screen in [list, detail] {
        assert!(!screen.chars().any(|c| c.is_control() && c != '\n'), "{screen:?}");
        assert!(screen.contains("Evil"));
    }
}

#[test]
fn the_palette_runs_what_it_finds() {
    let mut app = app(80, 24);
    app.handle_event(&key(KeyCode::Char(':')));
    type_text(&mut app, "new cust");
    app.handle_event(&key(KeyCode::Enter));
    assert!(matches!(app.customers.screen, Screen::Form(_)));
    assert!(app.overlay.is_none());
}

#[test]
fn resizing_refills_the_list() {
    let mut app = app(80, 24);
    let session_rows = app.customers.list.rows.len();
    app.resize(120, 40);
    assert!(app.customers.list.capacity > 18);
    assert_eq!(app.customers.list.rows.len(), session_rows, "all 4 fit either way");
    app.resize(50, 10);
    assert!(render(&app).contains("too small"));
}

fn settle(app: &mut shopdesk::tui::app::App) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.waiting() {
        assert!(std::time::Instant::now() < deadline, "the background filter never answered");
        std::thread::yield_now();
        app.poll_background();
    }
}

/// On a file the filter runs on a background thread; typing is not held up, the result
/// arrives for the newest text only, and Esc wins over a search still running.
#[test]
fn filtering_a_file_database_runs_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let mut session = Session::start(Db::open(&path).unwrap(), "alice", Clock::System).unwrap();
    ops::customers::import(&mut session, CUSTOMERS_CSV.as_bytes(), false).unwrap();
    ops::synth::generate(&mut session, 3000, 9).unwrap();
    let mut app = app_on(session, 80, 24);
    let everyone = app.customers.list.total;

    app.handle_event(&key(KeyCode::Char('/')));
    type_text(&mut app, "garcía bak");
    settle(&mut app);
    assert_eq!(app.customers.list.source.query.filter, "garcía bak");
    let names: Vec<_> = app.customers.list.rows.iter().map(|r| r.company.as_str()).collect();
    assert!(names.contains(&"García Bakery"), "{names:?}");
    assert!(render(&app).contains("Anna García"));

    type_text(&mut app, "zzz");
    app.handle_event(&key(KeyCode::Esc));
    settle(&mut app);
    app.poll_background();
    assert_eq!(app.customers.list.source.query.filter, "");
    assert_eq!(app.customers.list.total, everyone, "the stale search did not come back");
}

/// Keys typed while a filter still runs act on the filter's result, not on the rows of the
/// list before it: here a delete typed straight after the filter hits the filtered row.
#[test]
fn keys_typed_during_a_background_filter_act_on_its_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let mut session = Session::start(Db::open(&path).unwrap(), "alice", Clock::System).unwrap();
    ops::customers::import(&mut session, CUSTOMERS_CSV.as_bytes(), false).unwrap();
    ops::synth::generate(&mut session, 3000, 11).unwrap();
    let mut app = app_on(session, 80, 24);
    app.handle_event(&key(KeyCode::Char('/')));
    type_text(&mut app, "zhang.wei@");
    press(&mut app, &[KeyCode::Enter]);
    app.handle_event(&key(KeyCode::Char('D')));
    app.handle_event(&key(KeyCode::Char('y')));
    let gone = customers::window(
        &app.session,
        &customers::ListQuery { filter: "zhang.wei@".into(), ..Default::default() },
        &customers::Anchor::Start,
        5,
    )
    .unwrap();
    assert!(gone.is_empty(), "the filtered customer was the one deleted");
    assert_eq!(app.customers.list.source.query.filter, "zhang.wei@", "the filter is still applied");
}

/// Alt+Backspace (ESC DEL from the terminal) deletes a word in a field; it is not Esc.
#[test]
fn alt_backspace_in_a_field_deletes_a_word() {
    use ratatui::crossterm::event::{Event, KeyEvent, KeyModifiers};
    let mut app = app(80, 24);
    app.handle_event(&key(KeyCode::Char('n')));
    type_text(&mut app, "Yellow Submarine");
    app.handle_event(&Event::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::ALT)));
    assert!(app.overlay.is_none(), "no discard question");
    let Screen::Form(form) = &app.customers.screen else { panic!("still in the form") };
    assert_eq!(form.data().name, "Yellow ");
}

/// On the board > moves a deal on through the open stages and the highlight follows it,
/// so the next key acts on the same deal; w wins it; x loses it, asking why first.
#[test]
fn deals_move_across_the_board_and_losing_asks_why() {
    let mut app = app_on(session_with_crm(), 120, 40);
    let column = |app: &shopdesk::tui::app::App, stage: &str| {
        app.customers.pipeline.columns.iter().find(|c| c.stage.code == stage).unwrap().clone()
    };
    let selected = |app: &shopdesk::tui::app::App| app.customers.pipeline.selected().unwrap().title.clone();
    press(&mut app, &[KeyCode::Char('P'), KeyCode::Right, KeyCode::Right]); // the proposal column
    assert_eq!(selected(&app), "Christmas hampers");
    app.handle_event(&key(KeyCode::Char('>')));
    assert_eq!(column(&app, "negotiation").totals.count, 2);
    assert!(render(&app).contains("moved to Negotiation"));
    assert_eq!(selected(&app), "Christmas hampers", "the highlight follows the deal");
    app.handle_event(&key(KeyCode::Char('>')));
    assert_eq!(column(&app, "won").totals.count, 1, "> never wins a deal by accident");

    app.handle_event(&key(KeyCode::Char('w')));
    assert!(render(&app).contains("won: 2400.00"));
    assert!(render(&app).contains("Start a draft order"), "winning offers the order");
    app.handle_event(&key(KeyCode::Char('n')));
    assert_eq!(selected(&app), "Christmas hampers");
    app.handle_event(&key(KeyCode::Char('x')));
    assert!(render(&app).contains("lost?"), "losing asks why first");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("say why it was lost"));
    type_text(&mut app, "Chose a cheaper supplier");
    app.handle_event(&ctrl('s'));
    let lost = column(&app, "lost");
    assert_eq!((lost.totals.count, lost.cards[0].lost_reason.as_str()), (1, "Chose a cheaper supplier"));
    assert_eq!(column(&app, "won").totals.value.to_string(), "450.00");
    assert_eq!(selected(&app), "Christmas hampers", "the highlight follows the deal to lost");
    app.handle_event(&key(KeyCode::Char('<')));
    assert_eq!(column(&app, "negotiation").totals.count, 2, "< from lost reopens in the last open stage");
    assert_eq!(
        (selected(&app), app.customers.pipeline.selected().unwrap().lost_reason.clone()),
        ("Christmas hampers".into(), String::new())
    );
}

/// A manager edits a tier's terms on the tiers screen; the list shows the new discount.
#[test]
fn editing_a_tier_changes_its_terms() {
    let mut app = app(80, 24);
    press(&mut app, &[KeyCode::Char('T'), KeyCode::Down, KeyCode::Enter]); // tier A
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "6.5");
    app.handle_event(&ctrl('s'));
    let screen = render(&app);
    assert!(screen.contains("Saved tier A"), "{screen}");
    assert!(screen.contains("6.50 %"), "{screen}");
}

/// Esc on a view returns to the screen it was opened from, however it was reached.
#[test]
fn esc_returns_to_where_a_view_was_opened() {
    let mut app = app_on(session_with_crm(), 80, 24);
    app.handle_event(&key(KeyCode::Enter)); // Anna's page
    app.handle_event(&key(KeyCode::Char('P')));
    assert!(matches!(app.customers.screen, Screen::Pipeline));
    app.handle_event(&key(KeyCode::Char('L')));
    assert!(matches!(app.customers.screen, Screen::Opportunities));
    app.handle_event(&key(KeyCode::Esc));
    assert!(matches!(app.customers.screen, Screen::Pipeline), "the list goes back to the board");
    app.handle_event(&key(KeyCode::Esc));
    assert!(
        matches!(&app.customers.screen, Screen::Detail(c) if c.data.name == "Anna García"),
        "the board to the page"
    );
    app.handle_event(&key(KeyCode::Esc));
    assert!(matches!(app.customers.screen, Screen::List));
    for _ in 0..20 {
        press(&mut app, &[KeyCode::Char('F'), KeyCode::Char('C')]);
    }
    assert!(app.customers.view_back.len() <= 8, "hopping between views does not pile up");
}

/// A refusal too long for the 80-column status bar is shown whole above it, advice
/// included, and resolved items stay in the view until they are closed.
#[test]
fn long_refusals_are_shown_whole_and_resolved_items_can_be_closed() {
    let mut app = app_on(session_with_crm(), 80, 24);
    app.handle_event(&key(KeyCode::Char('C')));
    app.handle_event(&key(KeyCode::Char('c'))); // close an open complaint: refused
    let screen = render(&app);
    assert!(screen.contains("Resolve it first (v)."), "{screen}");
    app.handle_event(&key(KeyCode::Char('v')));
    type_text(&mut app, "Sent two new jars");
    app.handle_event(&key(KeyCode::Enter)); // Enter saves a one-field form
    assert!(render(&app).contains("is now resolved"));
    let resolved = app.customers.feedback.rows.iter().position(|f| f.description.contains("jars")).unwrap();
    app.customers.feedback.selected = resolved;
    app.handle_event(&key(KeyCode::Char('c')));
    assert!(render(&app).contains("is now closed"), "{}", render(&app));
    assert_eq!(app.customers.feedback.total, 1);
}

/// A manager renames a stage and adds one from the board; the board shows both.
#[test]
fn stages_can_be_renamed_and_added_from_the_board() {
    let mut app = app_on(session_with_crm(), 120, 40);
    press(&mut app, &[KeyCode::Char('P'), KeyCode::Char('S'), KeyCode::Enter]); // edit "lead"
    app.handle_event(&ctrl('u'));
    type_text(&mut app, "Prospect");
    app.handle_event(&ctrl('s'));
    assert!(render(&app).contains("Saved stage Prospect"));
    app.handle_event(&key(KeyCode::Char('n')));
    type_text(&mut app, "tasting");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "Tasting");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "3");
    app.handle_event(&key(KeyCode::Tab));
    type_text(&mut app, "40");
    app.handle_event(&ctrl('s'));
    app.handle_event(&key(KeyCode::Esc)); // back to the board
    let screen = render(&app);
    assert!(screen.contains("Prospect") && screen.contains("Tasting"), "{screen}");
    assert_eq!(app.customers.pipeline.columns.len(), 7);
}

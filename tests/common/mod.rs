//! Shared helpers for the integration tests: a shop with known customers, an `App` on it,
//! and rendering into an off-screen terminal.
#![allow(dead_code)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shopdesk::db::Db;
use shopdesk::ops::{self, Clock, Session};
use shopdesk::tui::app::App;
use shopdesk::tui::keymap::Keymap;
use shopdesk::tui::theme::Theme;

pub const FIXED_NOW: &str = "2026-11-27T10:00:00Z";

/// A small shop: Latin, accented and CJK names, one archived customer, one with a hostile
/// control sequence in its company name.
pub const CUSTOMERS_CSV: &str = "\
code,name,company,contact,title,phone,email,address,city,region,tier,salesperson,tax_id,notes,created,archived
C000001,Anna García,García Bakery,Anna García,Owner,+49 30 123456,anna@example.com,Hauptstraße 1,Berlin,East,VIP,alice,DE123456789,Pays on time.,2025-01-15T09:00:00Z,
C000002,Zoë Müller,,,,+49 40 555 0101,zoe@example.de,Lindenweg 7,Hamburg,North,A,bruno,,,2025-02-01T09:00:00Z,
C000003,张伟,张氏贸易有限公司,王芳,经理,+86 21 6123 4567,zhang.wei@example.cn,南京路 100 号,上海,East,B,chen,91310000MA1FL,每月初订货。,2025-03-10T09:00:00Z,
C000004,Old Friend,Closed Shop,,,,,,Kassel,Central,C,dana,,,2024-05-05T09:00:00Z,2026-01-01T00:00:00Z
C000005,Søren Nørgaard,Nørgaard Books,,,,soren@example.dk,,Kiel,North,,alice,,,2025-06-30T09:00:00Z,
";

pub fn session_with(csv: &str) -> Session {
    let db = Db::open_in_memory().unwrap();
    let mut session = Session::start(db, "tester", Clock::Fixed(FIXED_NOW.into())).unwrap();
    ops::customers::import(&mut session, csv.as_bytes(), false).unwrap();
    session
}

/// The small shop with a relationship history: contacts with follow-ups (one overdue, one
/// today, one upcoming), a complaint and a piece of praise.
pub fn session_with_crm() -> Session {
    use shopdesk::domain::crm::{ContactInput, FeedbackInput};
    let mut session = session_with(CUSTOMERS_CSV);
    let id = |s: &Session, code: &str| shopdesk::db::customers::find_by_code(s.db.conn(), code).unwrap().unwrap().id;
    let (anna, zhang) = (id(&session, "C000001"), id(&session, "C000003"));
    let contact = |kind: &str, summary: &str, follow_up: &str| ContactInput {
        kind: kind.into(),
        summary: summary.into(),
        follow_up: follow_up.into(),
    };
    for (customer, input) in [
        (anna, contact("call", "Asked for the Christmas price list", "2026-11-25")),
        (anna, contact("visit", "Tasted the new rye; wants 20 loaves weekly", "2026-11-27")),
        (zhang, contact("email", "询问春节前的交货时间", "2026-12-03")),
        (zhang, contact("note", "Prefers WeChat over e-mail", "")),
    ] {
        ops::crm::log_contact(&mut session, customer, &input).unwrap();
    }
    let complaint = FeedbackInput {
        kind: "complaint".into(),
        severity: "high".into(),
        order_ref: "SO-1042".into(),
        assignee: "bruno".into(),
        description: "Two jars broken in the last delivery".into(),
    };
    ops::crm::record_feedback(&mut session, anna, &complaint).unwrap();
    let praise = FeedbackInput {
        kind: "feedback".into(),
        severity: "low".into(),
        description: "客户很喜欢新包装".into(),
        ..Default::default()
    };
    ops::crm::record_feedback(&mut session, zhang, &praise).unwrap();
    use shopdesk::domain::pipeline::OpportunityInput;
    let deal = |title: &str, stage: &str, value: &str, close: &str| OpportunityInput {
        title: title.into(),
        stage: stage.into(),
        value: value.into(),
        expected_close: close.into(),
        owner: "alice".into(),
        ..Default::default()
    };
    for (customer, input) in [
        (anna, deal("Christmas hampers", "proposal", "2400.00", "2026-12-10")),
        (anna, deal("Weekly rye", "lead", "960.00", "")),
        (zhang, deal("春节礼盒", "negotiation", "5800.00", "2027-01-20")),
        (zhang, deal("Office coffee", "won", "450.00", "2026-11-01")),
    ] {
        ops::pipeline::create(&mut session, customer, &input).unwrap();
    }
    session
}

pub fn app(width: u16, height: u16) -> App {
    app_on(session_with(CUSTOMERS_CSV), width, height)
}

pub fn app_on(session: Session, width: u16, height: u16) -> App {
    let keymap = Keymap::new(&Default::default()).unwrap();
    App::new(session, keymap, Theme::mono(), (width, height)).unwrap()
}

pub fn render(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| shopdesk::tui::view::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

pub fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Types text one key event at a time, as a terminal delivers it.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_event(&key(KeyCode::Char(c)));
    }
}

pub fn press(app: &mut App, codes: &[KeyCode]) {
    for code in codes {
        app.handle_event(&key(*code));
    }
}

/// Suppliers and products of a small shop: pieces, goods by weight, lot-tracked dairy with
/// a CJK name, an archived product, and stock counted into two warehouses.
pub const PRODUCTS_CSV: &str = "\
sku,name,category,unit,sale_price,cost_price,tax_rate,reorder_point,reorder_qty,lead_days,supplier,supplier_sku,supplier_price,tracks_lots,allow_negative,barcodes,archived
BOLT-8,Bolt M8,Hardware/Bolts,pcs,0.35,0.12,19,100,500,5,ACME,A-88,0.11,no,no,4006381333931,no
MILK-1,Milk 1 l,Food/Dairy,pcs,1.29,0.80,7,24,48,2,DAIRY,,,yes,no,4001234567890,no
RICE-5,大米 5 kg 东北珍珠米,Food/Grain,kg,2.49,1.50,7,10,50,7,DAIRY,,,no,no,,no
TEA-G,Green tea 绿茶,Food/Drinks,pcs,3.99,2.10,7,0,0,3,,,,no,no,,no
OLD-1,Discontinued widget,Hardware,pcs,9.99,5.00,19,0,0,0,,,,no,no,,yes
";

pub fn session_with_stock() -> Session {
    let mut session = session_with(CUSTOMERS_CSV);
    let suppliers = "code,name,lead_days\nACME,Acme Wholesale,5\nDAIRY,Valley Dairy,2\n";
    ops::stock_csv::import_suppliers(&mut session, suppliers.as_bytes(), false).unwrap();
    ops::stock_csv::import_products(&mut session, PRODUCTS_CSV.as_bytes(), false).unwrap();
    let shop = "code,name\nSHOP,Shop floor\n";
    ops::stock_csv::import_warehouses(&mut session, shop.as_bytes(), false).unwrap();
    let counts = "warehouse,sku,lot,expiry,quantity\n\
                  MAIN,BOLT-8,,,80\n\
                  SHOP,BOLT-8,,,20\n\
                  MAIN,MILK-1,L-1120,2026-11-20,3\n\
                  MAIN,MILK-1,L-1201,2026-12-01,12\n\
                  SHOP,MILK-1,L-1215,2026-12-15,6\n\
                  MAIN,RICE-5,,,42.5\n\
                  MAIN,TEA-G,,,7\n";
    ops::stock_csv::import_stock(&mut session, counts.as_bytes(), false, "OPENING").unwrap();
    session
}

/// The same shop on a file (a copy of `app`'s database), so reports can be read on a
/// second connection in the background as they are in use. Keep the directory alive.
pub fn on_file(app: &App, width: u16, height: u16) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    app.session.db.conn().execute("VACUUM INTO ?1", [path.to_str().unwrap()]).unwrap();
    let session = Session::start(Db::open(&path).unwrap(), "tester", Clock::Fixed(FIXED_NOW.into())).unwrap();
    (dir, app_on(session, width, height))
}

/// Waits for what runs in the background (a filter, a report), as the input loop does.
pub fn settle(app: &mut App) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.busy() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(2));
        app.poll_background();
    }
    assert!(!app.busy(), "the background work never finished");
}

/// 10 bolts for C000003 (2 % tier discount) ordered, shipped and invoiced by keys:
/// INV-2026-000001, 3.43 net, 0.65 tax, 4.08 gross; the invoice on screen.
pub fn invoiced_by_keys(width: u16, height: u16) -> App {
    let mut app = app_on(session_with_stock(), width, height);
    app.handle_event(&ctrl('n'));
    type_text(&mut app, "C000003");
    app.handle_event(&key(KeyCode::Enter));
    type_text(&mut app, "10*BOLT-8");
    app.handle_event(&key(KeyCode::Enter));
    app.handle_event(&ctrl('o'));
    app.handle_event(&key(KeyCode::Char('s')));
    app.handle_event(&ctrl('s'));
    app.handle_event(&key(KeyCode::Char('i')));
    app.handle_event(&key(KeyCode::Char('I')));
    app
}

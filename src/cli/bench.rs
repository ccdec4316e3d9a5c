//! `shopdesk bench`: the DESIGN.md budgets measured on a generated shop. Drives the real
//! `App` with key events and draws every frame into an off-screen buffer, so the figures
//! are key-to-frame times of the interface minus the terminal's own output.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use crate::db::Db;
use crate::error::{Error, Result};
use crate::ops::{self, Clock, Session};
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

pub fn run(
    db: Option<&Path>,
    customers: usize,
    contacts: usize,
    (products, moves): (usize, usize),
    orders: usize,
) -> Result<()> {
    let (path, _cleanup) = match db {
        Some(path) => (path.to_path_buf(), None),
        None => {
            let dir = std::env::temp_dir().join(format!("shopdesk-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|source| Error::Io { path: dir.clone(), source })?;
            // Removed however the run ends, a reader gone away (`| head`) included.
            let cleanup = RemoveOnDrop(dir.clone());
            let path = dir.join("bench.db");
            let started = Instant::now();
            let mut session = Session::start(Db::open(&path)?, "bench", Clock::System)?;
            ops::synth::generate(&mut session, customers, 42)?;
            ops::synth::generate_relationships(&mut session, contacts, contacts / 60, 42)?;
            ops::synth::generate_opportunities(&mut session, contacts / 6, 42)?;
            let written = ops::synth_stock::generate_stock(&mut session, products, moves, 42)?;
            say!("generated {products} products and {written} stock moves")?;
            let lines = ops::synth_orders::generate_history(&mut session, orders, 42, false)?;
            say!("generated {orders} orders with {lines} lines")?;
            let (invoices, payments) = ops::synth_invoices::generate_for_history(&mut session, 42, None)?;
            say!("generated {invoices} invoices and {payments} payments")?;
            say!(
                "generated {customers} customers, {contacts} contacts, {} feedback items, {} opportunities in {:.1} s",
                contacts / 60,
                contacts / 6,
                started.elapsed().as_secs_f64()
            )?;
            (path, Some(cleanup))
        }
    };

    let mut opens = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let (mut app, mut terminal) = open_app(&path, 80, 24)?;
        draw(&mut terminal, &app)?;
        opens.push(started.elapsed());
        app.should_quit = true;
    }
    report("open to first frame (80x24)", &mut opens, Duration::from_millis(50))?;

    let (mut app, mut terminal) = open_app(&path, 80, 24)?;
    draw(&mut terminal, &app)?;
    let down = key(KeyCode::Down);
    let mut scrolling = Vec::new();
    for _ in 0..2000 {
        scrolling.push(timed(&mut app, &mut terminal, &down)?);
    }
    let page = key(KeyCode::PageDown);
    for _ in 0..300 {
        scrolling.push(timed(&mut app, &mut terminal, &page)?);
    }
    scrolling.push(timed(&mut app, &mut terminal, &key(KeyCode::End))?);
    for _ in 0..300 {
        scrolling.push(timed(&mut app, &mut terminal, &key(KeyCode::Up))?);
    }
    report("keystroke to frame, scrolling", &mut scrolling, Duration::from_millis(16))?;

    // Typing a filter: the keystroke itself (echo in the filter line), then, separately,
    // how long until the matching customers are on screen (the scan runs on a thread).
    let mut filtering = Vec::new();
    let mut results = Vec::new();
    timed(&mut app, &mut terminal, &key(KeyCode::Char('/')))?;
    for text in ["müller", "张", "c0012", "zzzz"] {
        let keys = text.chars().map(|c| key(KeyCode::Char(c))).chain(text.chars().map(|_| key(KeyCode::Backspace)));
        for event in keys.collect::<Vec<_>>() {
            let started = Instant::now();
            app.handle_event(&event);
            draw(&mut terminal, &app)?;
            filtering.push(started.elapsed());
            while app.waiting() {
                std::thread::sleep(Duration::from_micros(200));
                app.poll_background();
            }
            draw(&mut terminal, &app)?;
            results.push(started.elapsed());
        }
    }
    report("keystroke to frame, filtering", &mut filtering, Duration::from_millis(16))?;
    report("filter keystroke to results on screen", &mut results, Duration::from_millis(1000))?;

    let (mut big, mut big_terminal) = open_app(&path, 160, 48)?;
    draw(&mut big_terminal, &big)?;
    let mut wide = Vec::new();
    for _ in 0..500 {
        wide.push(timed(&mut big, &mut big_terminal, &down)?);
    }
    report("keystroke to frame, scrolling (160x48)", &mut wide, Duration::from_millis(16))?;

    // The follow-ups view: open it, then walk down through it and open feedback.
    let (mut crm, mut crm_terminal) = open_app(&path, 80, 24)?;
    draw(&mut crm_terminal, &crm)?;
    let mut views = vec![timed(&mut crm, &mut crm_terminal, &key(KeyCode::Char('F')))?];
    let mut walking = Vec::new();
    for _ in 0..1000 {
        walking.push(timed(&mut crm, &mut crm_terminal, &down)?);
    }
    views.push(timed(&mut crm, &mut crm_terminal, &key(KeyCode::Char('C')))?);
    for _ in 0..200 {
        walking.push(timed(&mut crm, &mut crm_terminal, &down)?);
    }
    views.push(timed(&mut crm, &mut crm_terminal, &key(KeyCode::Char('P')))?);
    for code in [KeyCode::Right, KeyCode::Right, KeyCode::Down, KeyCode::Down, KeyCode::Left, KeyCode::Up] {
        for _ in 0..20 {
            walking.push(timed(&mut crm, &mut crm_terminal, &key(code))?);
        }
    }
    // From the first column each > moves the highlighted lead on to the next stage.
    let mut moves = Vec::new();
    for _ in 0..20 {
        moves.push(timed(&mut crm, &mut crm_terminal, &key(KeyCode::Char('>')))?);
    }
    report("open follow-ups / feedback / board", &mut views, Duration::from_millis(16))?;
    report("move a deal a stage (save + redraw)", &mut moves, Duration::from_millis(16))?;
    report("keystroke to frame, follow-ups/feedback/board", &mut walking, Duration::from_millis(16))?;

    stock(&path)?;
    sales_orders(&path)?;
    invoices(&path)?;
    reports(&path)?;

    match peak_rss_kib() {
        Some(kib) => say!("{:<40} {:>8.1} MB   (budget 150 MB)", "peak resident memory", kib as f64 / 1024.0)?,
        None => say!("peak resident memory: not available on this system")?,
    }
    Ok(())
}

/// The Stock tab: open it, scroll and filter products, open products, scan codes into a
/// delivery and book it, open the low-stock and expiring lists.
fn stock(path: &Path) -> Result<()> {
    let (mut app, mut terminal) = open_app(path, 80, 24)?;
    draw(&mut terminal, &app)?;
    let mut opening = vec![timed(&mut app, &mut terminal, &key(KeyCode::Char('3')))?];
    let mut walking = Vec::new();
    for _ in 0..1000 {
        walking.push(timed(&mut app, &mut terminal, &key(KeyCode::Down))?);
    }
    for _ in 0..100 {
        walking.push(timed(&mut app, &mut terminal, &key(KeyCode::PageDown))?);
    }
    walking.push(timed(&mut app, &mut terminal, &key(KeyCode::End))?);
    report("stock: open the tab", &mut opening, Duration::from_millis(50))?;
    report("stock: keystroke to frame, products", &mut walking, Duration::from_millis(16))?;

    let mut filtering = Vec::new();
    timed(&mut app, &mut terminal, &key(KeyCode::Char('/')))?;
    for text in ["milk", "bolt m8", "2000000001", "zzzz"] {
        let keys = text.chars().map(|c| key(KeyCode::Char(c))).chain(text.chars().map(|_| key(KeyCode::Backspace)));
        for event in keys.collect::<Vec<_>>() {
            filtering.push(timed(&mut app, &mut terminal, &event)?);
        }
    }
    timed(&mut app, &mut terminal, &key(KeyCode::Enter))?;
    report("stock: keystroke to frame, filter", &mut filtering, Duration::from_millis(16))?;

    let mut details = Vec::new();
    for _ in 0..50 {
        details.push(timed(&mut app, &mut terminal, &key(KeyCode::Enter))?);
        timed(&mut app, &mut terminal, &key(KeyCode::Esc))?;
        timed(&mut app, &mut terminal, &key(KeyCode::Down))?;
    }
    report("stock: open a product (levels, moves)", &mut details, Duration::from_millis(16))?;

    // Scanning: each code and Enter looks the barcode up and adds a line. Lot-tracked
    // products would stop to ask for their lot, so the delivery is of the others.
    let mut codes = Vec::new();
    crate::db::products::for_each_product(app.session.db.conn(), |p| {
        if !p.data.tracks_lots && codes.len() < 200 {
            codes.extend(p.data.barcodes.first().cloned());
        }
        Ok(())
    })?;
    timed(&mut app, &mut terminal, &key(KeyCode::Char('r')))?;
    let mut scans = Vec::new();
    for code in &codes {
        for c in code.chars() {
            timed(&mut app, &mut terminal, &key(KeyCode::Char(c)))?;
        }
        scans.push(timed(&mut app, &mut terminal, &key(KeyCode::Enter))?);
    }
    // A name typed where a code was expected: the products containing its words are found
    // by the index; a typo makes it read every product's name.
    for (label, texts) in [
        ("stock: name typed, products offered", ["green tea", "printer paper", "bolt m8"]),
        ("stock: name with a typo, offered", ["gren tea", "prnter papr", "blt m8"]),
    ] {
        let mut fuzzy = Vec::new();
        for text in texts {
            for c in text.chars() {
                timed(&mut app, &mut terminal, &key(KeyCode::Char(c)))?;
            }
            fuzzy.push(timed(&mut app, &mut terminal, &key(KeyCode::Enter))?);
            timed(&mut app, &mut terminal, &key(KeyCode::Esc))?;
        }
        report(label, &mut fuzzy, Duration::from_millis(100))?;
    }
    let save = Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let mut booking = vec![timed(&mut app, &mut terminal, &save)?];
    report("stock: scan (lookup + line + frame)", &mut scans, Duration::from_millis(16))?;
    if !matches!(app.stock.screen, crate::tui::stock::StockScreen::Products) {
        return Err(Error::BadArgument("the benchmark's delivery was not booked".into()));
    }
    report("stock: book a 200-line delivery", &mut booking, Duration::from_millis(1000))?;

    let mut low = vec![timed(&mut app, &mut terminal, &key(KeyCode::Char('L')))?];
    let mut expiring = vec![timed(&mut app, &mut terminal, &key(KeyCode::Char('X')))?];
    report("stock: open low stock (500 most short)", &mut low, Duration::from_millis(16))?;
    report("stock: open expiring lots (30 days)", &mut expiring, Duration::from_millis(16))?;
    let started = Instant::now();
    let low = ops::ledger::low_stock_count(&app.session)?;
    say!("{:<40} {:>8.3} ms   ({low} pairs)", "stock: low-stock count", started.elapsed().as_secs_f64() * 1000.0)?;
    Ok(())
}

/// The Orders tab on a million orders: the list and its views, order entry key by key,
/// and saving orders (through the interface, and many through the use case for p99).
fn sales_orders(path: &Path) -> Result<()> {
    let (mut app, mut terminal) = open_app(path, 80, 24)?;
    draw(&mut terminal, &app)?;
    let mut opening = vec![timed(&mut app, &mut terminal, &key(KeyCode::Char('2')))?];
    let mut walking = Vec::new();
    for _ in 0..1000 {
        walking.push(timed(&mut app, &mut terminal, &key(KeyCode::Down))?);
    }
    for _ in 0..100 {
        walking.push(timed(&mut app, &mut terminal, &key(KeyCode::PageDown))?);
    }
    walking.push(timed(&mut app, &mut terminal, &key(KeyCode::End))?);
    walking.push(timed(&mut app, &mut terminal, &key(KeyCode::Home))?);
    let mut views = Vec::new();
    for _ in 0..7 {
        views.push(timed(&mut app, &mut terminal, &key(KeyCode::Char('v')))?);
        for _ in 0..20 {
            walking.push(timed(&mut app, &mut terminal, &key(KeyCode::Down))?);
        }
    }
    report("orders: open the tab", &mut opening, Duration::from_millis(50))?;
    report("orders: keystroke to frame, list", &mut walking, Duration::from_millis(16))?;
    report("orders: switch view (to approve, to ship...)", &mut views, Duration::from_millis(16))?;

    // Ten orders of ten lines typed as a clerk does: a new order, the customer's code,
    // then each product's code key by key with Enter, then Ctrl-S.
    let customers: Vec<String> = {
        let mut stmt = app.session.db.conn().prepare("SELECT code FROM customers ORDER BY id LIMIT 10")?;
        stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    let skus: Vec<String> = {
        let mut stmt = app
            .session
            .db
            .conn()
            .prepare("SELECT sku FROM products WHERE archived_at IS NULL ORDER BY id LIMIT 100")?;
        stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    let ctrl = |c: char| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    let (mut new_order, mut typing, mut lines, mut saving) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (n, customer) in customers.iter().enumerate() {
        new_order.push(timed(&mut app, &mut terminal, &ctrl('n'))?);
        for c in customer.chars() {
            typing.push(timed(&mut app, &mut terminal, &key(KeyCode::Char(c)))?);
        }
        lines.push(timed(&mut app, &mut terminal, &key(KeyCode::Enter))?);
        for sku in skus.iter().skip(n * 10).take(10) {
            for c in sku.chars() {
                typing.push(timed(&mut app, &mut terminal, &key(KeyCode::Char(c)))?);
            }
            lines.push(timed(&mut app, &mut terminal, &key(KeyCode::Enter))?);
        }
        saving.push(timed(&mut app, &mut terminal, &ctrl('s'))?);
        if !matches!(app.orders.screen, crate::tui::orders::OrderScreen::Order(_)) {
            return Err(Error::BadArgument("the benchmark's order was not saved".into()));
        }
        timed(&mut app, &mut terminal, &key(KeyCode::Esc))?;
    }
    report("orders: new order (Ctrl-N to frame)", &mut new_order, Duration::from_millis(16))?;
    report("orders: keystroke to frame, typing a code", &mut typing, Duration::from_millis(16))?;
    report("orders: Enter adds a line (lookup + frame)", &mut lines, Duration::from_millis(16))?;
    report("orders: save a 10-line draft and show it", &mut saving, Duration::from_millis(16))?;

    // Saving alone, as the budget puts it: 300 ten-line orders through the use case.
    let mut session = Session::start(Db::open(path)?, "bench", Clock::System)?;
    let products: Vec<crate::ops::stock::Product> =
        skus.iter().filter_map(|s| crate::ops::stock::find_product(&session, s).ok().flatten()).collect();
    let first = crate::db::customers::all_ids(session.db.conn())?.into_iter().next();
    let Some(first) = first else { return Ok(()) };
    let customer = crate::ops::customers::get(&session, first)?;
    let (mut saves, mut confirms, mut back_to_back) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..300 {
        let mut draft = crate::ops::order_entry::OrderDraft::new(&session)?;
        draft.set_customer(&session, customer.clone())?;
        for p in products.iter().skip(n % 90).take(10) {
            draft.add(p.clone(), crate::domain::money::Quantity::from_minor(1000));
        }
        let started = Instant::now();
        let order = crate::ops::orders::save(&mut session, &draft)?;
        saves.push(started.elapsed());
        let started = Instant::now();
        crate::ops::orders::confirm(&mut session, order.id, order.version)?;
        confirms.push(started.elapsed());
        // Between two orders the interface is idle and checkpoints the log (App::tick).
        session.db.checkpoint_idle()?;
    }
    for n in 0..300 {
        let mut draft = crate::ops::order_entry::OrderDraft::new(&session)?;
        draft.set_customer(&session, customer.clone())?;
        for p in products.iter().skip(n % 90).take(10) {
            draft.add(p.clone(), crate::domain::money::Quantity::from_minor(1000));
        }
        let started = Instant::now();
        crate::ops::orders::save(&mut session, &draft)?;
        back_to_back.push(started.elapsed());
    }
    report("orders: save a 10-line order (use case)", &mut saves, Duration::from_millis(5))?;
    report("orders: confirm it (approval, reserve)", &mut confirms, Duration::from_millis(5))?;
    report("orders: save, no idle time between saves", &mut back_to_back, Duration::from_millis(5))?;
    Ok(())
}

/// The Invoices tab on the invoiced history: the list and its views (unpaid and overdue
/// look at payments and credit notes), one invoice, each finance report; issuing and paying
/// through the use cases for p99.
fn invoices(path: &Path) -> Result<()> {
    let (mut app, mut terminal) = open_app(path, 80, 24)?;
    draw(&mut terminal, &app)?;
    let mut opening = vec![timed(&mut app, &mut terminal, &key(KeyCode::Char('4')))?];
    let mut walking = Vec::new();
    for _ in 0..500 {
        walking.push(timed(&mut app, &mut terminal, &key(KeyCode::Down))?);
    }
    for _ in 0..50 {
        walking.push(timed(&mut app, &mut terminal, &key(KeyCode::PageDown))?);
    }
    let mut views = Vec::new();
    for _ in 0..5 {
        views.push(timed(&mut app, &mut terminal, &key(KeyCode::Char('v')))?);
        for _ in 0..20 {
            walking.push(timed(&mut app, &mut terminal, &key(KeyCode::Down))?);
        }
    }
    opening.push(timed(&mut app, &mut terminal, &key(KeyCode::Enter))?);
    report("invoices: open the tab / an invoice", &mut opening, Duration::from_millis(50))?;
    report("invoices: keystroke to frame, list", &mut walking, Duration::from_millis(16))?;
    report("invoices: switch view (unpaid, overdue...)", &mut views, Duration::from_millis(16))?;
    timed(&mut app, &mut terminal, &key(KeyCode::Esc))?;
    // Each report is read on another thread: the key, then the figures on screen.
    let (mut keys, mut reports) = (Vec::new(), Vec::new());
    for code in std::iter::once('R').chain(std::iter::repeat_n('v', 7)) {
        let started = Instant::now();
        keys.push(timed(&mut app, &mut terminal, &key(KeyCode::Char(code)))?);
        settle(&mut app, &mut terminal)?;
        reports.push(started.elapsed());
    }
    report("invoices: finance report, the key", &mut keys, Duration::from_millis(16))?;
    report("invoices: finance report, figures (this year)", &mut reports, Duration::from_millis(1000))?;

    // The orders the Orders bench confirmed, invoiced up front and paid one by one.
    let mut session = Session::start(Db::open(path)?, "bench", Clock::System)?;
    let numbers: Vec<String> = session
        .db
        .conn()
        .prepare("SELECT number FROM orders WHERE status = 'confirmed' ORDER BY id DESC LIMIT 200")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let (mut issuing, mut paying) = (Vec::new(), Vec::new());
    for number in numbers {
        let started = Instant::now();
        let draft = ops::invoices::draft_from_orders(&mut session, &[number], ops::invoices::Basis::Ordered)?;
        let issued = ops::invoices::issue(&mut session, draft.invoice.id, draft.invoice.version)?;
        issuing.push(started.elapsed());
        let started = Instant::now();
        let today = session.clock.today();
        let method = crate::domain::payment::Method::Card;
        let gross = issued.invoice.gross;
        ops::payments::record(&mut session, &issued.invoice.customer_code, method, gross, today, "", &[])?;
        paying.push(started.elapsed());
        session.db.checkpoint_idle()?;
    }
    report("invoices: draft and issue one (use case)", &mut issuing, Duration::from_millis(50))?;
    report("invoices: record a payment (oldest first)", &mut paying, Duration::from_millis(50))?;
    Ok(())
}

/// The Reports tab: the dashboard (every figure read afresh each time the tab opens) and
/// the sales analysis through each grouping.
fn reports(path: &Path) -> Result<()> {
    let (mut app, mut terminal) = open_app(path, 80, 24)?;
    draw(&mut terminal, &app)?;
    let mut opening = Vec::new();
    for _ in 0..20 {
        opening.push(timed(&mut app, &mut terminal, &key(KeyCode::Char('5')))?);
        timed(&mut app, &mut terminal, &key(KeyCode::Char('1')))?;
    }
    report("dashboard: open the tab (all figures)", &mut opening, Duration::from_millis(50))?;
    timed(&mut app, &mut terminal, &key(KeyCode::Char('5')))?;
    let mut views = Vec::new();
    for code in std::iter::once('s').chain(std::iter::repeat_n('v', 11)).chain(std::iter::once('t')) {
        let started = Instant::now();
        timed(&mut app, &mut terminal, &key(KeyCode::Char(code)))?;
        settle(&mut app, &mut terminal)?;
        views.push(started.elapsed());
    }
    report("sales analysis: each grouping, figures", &mut views, Duration::from_millis(1000))?;

    // Read from the documents in the background: b (by order date) returns at once; the
    // figures arrive when the months are read. By category, then filtered by a region.
    let mut keys = Vec::new();
    let mut arrivals = Vec::new();
    let mut background = |app: &mut App, terminal: &mut Terminal<TestBackend>, events: &[Event]| -> Result<()> {
        let started = Instant::now();
        for event in events {
            keys.push(timed(app, terminal, event)?);
        }
        settle(app, terminal)?;
        arrivals.push(started.elapsed());
        Ok(())
    };
    timed(&mut app, &mut terminal, &key(KeyCode::Esc))?;
    timed(&mut app, &mut terminal, &key(KeyCode::Char('s')))?;
    timed(&mut app, &mut terminal, &key(KeyCode::Char('v')))?;
    background(&mut app, &mut terminal, &[key(KeyCode::Char('b'))])?;
    background(&mut app, &mut terminal, &[key(KeyCode::Char('b'))])?;
    let region: String = {
        let session = Session::start(Db::open(path)?, "bench", Clock::System)?;
        session.db.conn().query_row("SELECT region FROM orders WHERE region <> '' LIMIT 1", [], |r| r.get(0))?
    };
    let mut filter = vec![key(KeyCode::Char('f')), key(KeyCode::Tab), key(KeyCode::Tab)];
    filter.extend(format!("region={region}").chars().map(|c| key(KeyCode::Char(c))));
    filter.push(Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
    background(&mut app, &mut terminal, &filter)?;
    report("sales from documents: keys while reading", &mut keys, Duration::from_millis(16))?;
    report("sales from documents: figures on screen", &mut arrivals, Duration::from_millis(10_000))?;

    timed(&mut app, &mut terminal, &key(KeyCode::Esc))?;
    let mut forecasts = vec![timed(&mut app, &mut terminal, &key(KeyCode::Char('F')))?];
    forecasts.push(timed(&mut app, &mut terminal, &key(KeyCode::Char('v')))?);
    forecasts.push(timed(&mut app, &mut terminal, &key(KeyCode::Char('v')))?);
    report("forecast: total, per category, per product", &mut forecasts, Duration::from_millis(1000))?;
    let session = Session::start(Db::open(path)?, "bench", Clock::System)?;
    let started = Instant::now();
    ops::purchasing::plan(&session, None)?;
    report("replenishment plan with season factors", &mut [started.elapsed()], Duration::from_millis(1000))?;
    Ok(())
}

pub(crate) struct RemoveOnDrop(pub(crate) PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open_app(path: &Path, width: u16, height: u16) -> Result<(App, Terminal<TestBackend>)> {
    let session = Session::start(Db::open(path)?, "bench", Clock::System)?;
    let keymap = Keymap::new(&Default::default())?;
    let app = App::new(session, keymap, Theme::colour(), (width, height))?;
    let terminal = Terminal::new(TestBackend::new(width, height)).map_err(|e| Error::BadArgument(e.to_string()))?;
    Ok((app, terminal))
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) -> Result<()> {
    terminal.draw(|f| crate::tui::view::draw(f, app)).map_err(|e| Error::BadArgument(e.to_string()))?;
    Ok(())
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Waits, drawing as the input loop does, until nothing runs in the background.
fn settle(app: &mut App, terminal: &mut Terminal<TestBackend>) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while app.busy() {
        if Instant::now() > deadline {
            return Err(Error::Busy);
        }
        // As the input loop does while something runs in the background.
        std::thread::sleep(Duration::from_millis(10));
        app.poll_background();
        draw(terminal, app)?;
    }
    Ok(())
}

fn timed(app: &mut App, terminal: &mut Terminal<TestBackend>, event: &Event) -> Result<Duration> {
    let started = Instant::now();
    app.handle_event(event);
    draw(terminal, app)?;
    Ok(started.elapsed())
}

fn report(what: &str, samples: &mut [Duration], budget: Duration) -> Result<()> {
    samples.sort();
    let at = |q: f64| samples.get(((samples.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    say!(
        "{what:<40} p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms  (budget {} ms, n={})",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
        budget.as_millis(),
        samples.len()
    )
}

/// VmHWM from /proc: the most memory this process has held.
pub(crate) fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

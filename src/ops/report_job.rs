//! Any report that can take longer than a keystroke may, run on its own thread with its own
//! read-only connection (the finance reports on a million invoices take seconds). The
//! screen keeps working and shows that it is reading; dropping the job interrupts it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Instant;

use super::Session;
use crate::db::Db;
use crate::error::{Error, Result};

pub struct ReportJob<T> {
    started: Instant,
    stop: Arc<AtomicBool>,
    interrupt: rusqlite::InterruptHandle,
    answer: Receiver<Result<T>>,
}

impl<T: Send + 'static> ReportJob<T> {
    /// Runs `report` against the file `session` has open; `None` for a session in memory
    /// (no file a second connection could read), whose caller runs the report itself.
    pub fn start(
        session: &Session,
        report: impl FnOnce(&Session) -> Result<T> + Send + 'static,
    ) -> Result<Option<ReportJob<T>>> {
        let Some(path) = session.db.path() else { return Ok(None) };
        let reader =
            Session { db: Db::open_reader(path)?, operator: session.operator.clone(), clock: session.clock.clone() };
        let interrupt = reader.db.conn().get_interrupt_handle();
        // An interrupt is lost when no statement is running (between a report's queries, or
        // before its first): the flag, checked every thousand steps of any statement, is not.
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        reader.db.conn().progress_handler(1000, Some(move || stopped.load(Ordering::Relaxed)))?;
        let (reply, answer) = channel();
        std::thread::Builder::new()
            .name("report".into())
            .spawn(move || {
                // The receiver is gone when the screen no longer wants the answer.
                let _ = reply.send(report(&reader));
            })
            .map_err(|source| Error::Io { path: "report thread".into(), source })?;
        Ok(Some(ReportJob { started: Instant::now(), stop, interrupt, answer }))
    }

    /// Seconds since the report started, for the screen to show it is at work.
    pub fn seconds(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// The report when it has finished.
    pub fn poll(&self) -> Option<Result<T>> {
        match self.answer.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(Error::Refused(crate::i18n::t("report.stopped").to_string()))),
        }
    }
}

impl<T> std::fmt::Debug for ReportJob<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportJob").field("started", &self.started).finish()
    }
}

impl<T> Drop for ReportJob<T> {
    /// Nobody will read the answer: stop the query it is running.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.interrupt.interrupt();
    }
}

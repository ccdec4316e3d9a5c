//! A sales report that reads the documents (filtered, or by order date) can take seconds on
//! a large shop, longer than the input loop may wait. It runs on its own thread with its
//! own read-only connection, says how far it has got, and stops (interrupted mid-query)
//! when a newer report replaces it or the sales screen is left.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::Session;
use super::sales::{Query, SalesReport, run};
use crate::db::Db;
use crate::error::{Error, Result};

pub struct SalesJob {
    pub query: Query,
    stop: Arc<AtomicBool>,
    interrupt: rusqlite::InterruptHandle,
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    answer: Receiver<Result<Option<SalesReport>>>,
}

impl SalesJob {
    /// Starts `query` against the file `session` has open. A session in memory has no file
    /// a second connection could read: the caller runs the report itself.
    pub fn start(session: &Session, query: Query) -> Result<Option<SalesJob>> {
        let Some(path) = session.db.path() else { return Ok(None) };
        let reader =
            Session { db: Db::open_reader(path)?, operator: session.operator.clone(), clock: session.clock.clone() };
        let interrupt = reader.db.conn().get_interrupt_handle();
        let (stop, done, total) =
            (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (reply, answer) = channel();
        let (thread_stop, thread_done, thread_total, thread_query) =
            (stop.clone(), done.clone(), total.clone(), query.clone());
        std::thread::Builder::new()
            .name("sales-report".into())
            .spawn(move || {
                let outcome = run(&reader, &thread_query, &mut |d, t| {
                    thread_done.store(d, Ordering::Relaxed);
                    thread_total.store(t, Ordering::Relaxed);
                    !thread_stop.load(Ordering::Relaxed)
                });
                // The receiver is gone when the screen no longer wants the answer.
                let _ = reply.send(outcome);
            })
            .map_err(|source| Error::Io { path: "sales-report thread".into(), source })?;
        Ok(Some(SalesJob { query, stop, interrupt, done, total, answer }))
    }

    /// Months read so far, of how many (0 of 0 until the first month is read).
    pub fn progress(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }

    /// The report when it has finished: `Some(Ok(None))` if it was stopped.
    pub fn poll(&self) -> Option<Result<Option<SalesReport>>> {
        match self.answer.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Err(Error::Refused(crate::i18n::t("sales.job_stopped").to_string())))
            }
        }
    }
}

impl std::fmt::Debug for SalesJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesJob").field("query", &self.query).field("progress", &self.progress()).finish()
    }
}

impl Drop for SalesJob {
    /// Nobody will read the answer: the month being read is interrupted and the thread ends,
    /// so replaced reports do not pile up on the shop server's few cores.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.interrupt.interrupt();
    }
}

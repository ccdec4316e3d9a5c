//! Any report that can take longer than a keystroke may (sales read from the documents,
//! the finance reports on a million invoices), run on its own thread with its own
//! read-only connection. The screen keeps working and shows how far the report has got;
//! dropping the job (a newer report, Esc) stops it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Instant;

use super::Session;
use crate::db::Db;
use crate::error::{Error, Result};

/// What a report running on the job's thread tells the screen, and learns from it.
#[derive(Debug, Default)]
pub struct Progress {
    stop: AtomicBool,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    /// Records `done` steps of `total`; false once the job has been dropped.
    pub fn step(&self, done: usize, total: usize) -> bool {
        self.done.store(done, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        !self.stop.load(Ordering::Relaxed)
    }
}

pub struct ReportJob<T> {
    started: Instant,
    progress: Arc<Progress>,
    interrupt: rusqlite::InterruptHandle,
    answer: Receiver<Result<T>>,
}

impl<T: Send + 'static> ReportJob<T> {
    /// Runs `report` against the file `session` has open; `None` for a session in memory
    /// (no file a second connection could read), whose caller runs the report itself.
    pub fn start(
        session: &Session,
        report: impl FnOnce(&Session, &Progress) -> Result<T> + Send + 'static,
    ) -> Result<Option<ReportJob<T>>> {
        let Some(path) = session.db.path() else { return Ok(None) };
        let reader =
            Session { db: Db::open_reader(path)?, operator: session.operator.clone(), clock: session.clock.clone() };
        Self::spawn(reader, move |s: &mut Session, p: &Progress| report(s, p)).map(Some)
    }

    /// `start` for a job that writes (an import): its own connection may write, and
    /// dropping the job stops it mid-transaction, which then rolls back.
    pub fn start_writing(
        session: &Session,
        job: impl FnOnce(&mut Session, &Progress) -> Result<T> + Send + 'static,
    ) -> Result<Option<ReportJob<T>>> {
        let Some(path) = session.db.path() else { return Ok(None) };
        let writer = Session { db: Db::open(path)?, operator: session.operator.clone(), clock: session.clock.clone() };
        Self::spawn(writer, job).map(Some)
    }

    fn spawn(
        mut session: Session,
        job: impl FnOnce(&mut Session, &Progress) -> Result<T> + Send + 'static,
    ) -> Result<ReportJob<T>> {
        let interrupt = session.db.conn().get_interrupt_handle();
        // An interrupt is lost when no statement is running (between a report's queries, or
        // before its first): the flag, checked every thousand steps of any statement, is not.
        let progress = Arc::new(Progress::default());
        let (stopped, shared) = (progress.clone(), progress.clone());
        session.db.conn().progress_handler(1000, Some(move || stopped.stop.load(Ordering::Relaxed)))?;
        let (reply, answer) = channel();
        std::thread::Builder::new()
            .name("report".into())
            .spawn(move || {
                // The receiver is gone when the screen no longer wants the answer.
                let _ = reply.send(job(&mut session, &shared));
            })
            .map_err(|source| Error::Io { path: "report thread".into(), source })?;
        Ok(ReportJob { started: Instant::now(), progress, interrupt, answer })
    }

    /// Asks the job to stop (it answers with an error, or with its result when it had
    /// finished), without giving up on its answer as dropping the job does.
    pub fn stop(&self) {
        self.progress.stop.store(true, Ordering::Relaxed);
        self.interrupt.interrupt();
    }

    /// Seconds since the report started, for the screen to show it is at work.
    pub fn seconds(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// Steps done so far, of how many (0 of 0 for a report that does not count them).
    pub fn progress(&self) -> (usize, usize) {
        (self.progress.done.load(Ordering::Relaxed), self.progress.total.load(Ordering::Relaxed))
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
        f.debug_struct("ReportJob").field("started", &self.started).field("progress", &self.progress).finish()
    }
}

impl<T> Drop for ReportJob<T> {
    /// Nobody will read the answer: stop the query it is running, and the report between
    /// its queries.
    fn drop(&mut self) {
        self.progress.stop.store(true, Ordering::Relaxed);
        self.interrupt.interrupt();
    }
}

//! Filtering a long customer list off the input loop. A substring filter over 100k
//! customers scans the table (20-250 ms), longer than a keystroke may take, so the scan runs
//! on a thread with its own read-only connection; each new filter interrupts the scan still
//! running for the previous one, and only the newest result is used.

use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use rusqlite::InterruptHandle;

pub use crate::db::customers::{Anchor, CustomerRow, ListQuery};
use crate::db::{self, Db};
use crate::error::{Error, Result};

struct Job {
    generation: u64,
    query: ListQuery,
    limit: usize,
}

/// The first window and the count for one query.
#[derive(Debug)]
pub struct Found {
    pub generation: u64,
    /// How many rows were asked for.
    pub limit: usize,
    pub query: ListQuery,
    pub outcome: std::result::Result<(Vec<CustomerRow>, usize), String>,
}

pub struct CustomerSearch {
    jobs: Sender<Job>,
    found: Receiver<Found>,
    interrupt: InterruptHandle,
    latest: u64,
    waiting: bool,
}

impl CustomerSearch {
    pub fn start(path: &Path) -> Result<CustomerSearch> {
        let reader = Db::open_reader(path)?;
        let interrupt = reader.conn().get_interrupt_handle();
        let (jobs, job_queue) = channel::<Job>();
        let (results, found) = channel::<Found>();
        std::thread::Builder::new()
            .name("customer-search".into())
            .spawn(move || serve(&reader, &job_queue, &results))
            .map_err(|source| Error::Io { path: "customer-search thread".into(), source })?;
        Ok(CustomerSearch { jobs, found, interrupt, latest: 0, waiting: false })
    }

    /// Asks for the first `limit` rows and the count of `query`, abandoning any earlier ask.
    /// Returns the generation its answer will carry.
    pub fn request(&mut self, query: ListQuery, limit: usize) -> u64 {
        self.latest += 1;
        self.waiting = true;
        // A send fails only when the thread has ended; `poll` then reports it. Queue the new
        // job before interrupting the old, so the thread moves straight on to it.
        let _ = self.jobs.send(Job { generation: self.latest, query, limit });
        self.interrupt.interrupt();
        self.latest
    }

    /// Drops any request still running: the list was set another way meanwhile.
    pub fn cancel(&mut self) {
        self.latest += 1;
        self.waiting = false;
        self.interrupt.interrupt();
    }

    /// True while the newest request has no answer yet.
    pub fn waiting(&self) -> bool {
        self.waiting
    }

    /// The answer to the newest request, if it has arrived; older answers are dropped.
    pub fn poll(&mut self) -> Option<Found> {
        loop {
            match self.found.try_recv() {
                Ok(found) if found.generation == self.latest => {
                    self.waiting = false;
                    return Some(found);
                }
                Ok(_) => continue,
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) if self.waiting => {
                    self.waiting = false;
                    return Some(Found {
                        generation: self.latest,
                        limit: 0,
                        query: ListQuery::default(),
                        outcome: Err(crate::i18n::t("err.search_stopped").to_string()),
                    });
                }
                Err(TryRecvError::Disconnected) => return None,
            }
        }
    }
}

fn serve(reader: &Db, jobs: &Receiver<Job>, results: &Sender<Found>) {
    let mut retry: Option<Job> = None;
    loop {
        let mut job = match retry.take() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        // Count first: it decides how to find the first page quickest.
        let outcome = db::customers::count(reader.conn(), &job.query).and_then(|total| {
            let rows = if total < db::customers::FEW_MATCHES {
                db::customers::window_by_scan(reader.conn(), &job.query, &Anchor::Start, job.limit)?
            } else {
                db::customers::window(reader.conn(), &job.query, &Anchor::Start, job.limit)?
            };
            Ok((rows, total))
        });
        match outcome {
            // Interrupted for a newer job, or (a rare race) the interrupt meant for the
            // previous job hit this one: run again, or the newer job if one is queued.
            Err(Error::Sqlite(e)) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) => {
                retry = Some(job);
            }
            outcome => {
                let found = Found {
                    generation: job.generation,
                    limit: job.limit,
                    query: job.query,
                    outcome: outcome.map_err(|e| e.to_string()),
                };
                if results.send(found).is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{Clock, Session, synth};
    use std::time::{Duration, Instant};

    fn wait(search: &mut CustomerSearch) -> Found {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(found) = search.poll() {
                return found;
            }
            assert!(Instant::now() < deadline, "no answer from the search thread");
            std::thread::yield_now();
        }
    }

    #[test]
    fn only_the_newest_request_is_answered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        let mut session = Session::start(Db::open(&path).unwrap(), "t", Clock::System).unwrap();
        synth::generate(&mut session, 2000, 3).unwrap();
        let mut search = CustomerSearch::start(&path).unwrap();
        for filter in ["m", "mü", "mül", "müll", "zzzz", "müller"] {
            search.request(ListQuery { filter: filter.into(), ..Default::default() }, 10);
        }
        let found = wait(&mut search);
        assert_eq!(found.query.filter, "müller");
        let (rows, total) = found.outcome.unwrap();
        assert!(!rows.is_empty());
        let direct = crate::db::customers::window(session.db.conn(), &found.query, &Anchor::Start, 10).unwrap();
        assert_eq!(rows, direct, "the same rows as a query on the main connection");
        assert_eq!(total, crate::db::customers::count(session.db.conn(), &found.query).unwrap());
        assert!(!search.waiting());
        assert!(search.poll().is_none());
    }
}

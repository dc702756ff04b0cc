//! The counts of a running fan-out (done, failed, running, an ETA) and each
//! job's end with its last line of stderr, for the progress line, the
//! failure table and the exit status. Pure.

use super::{Event, Status, Stream};
use std::time::{Duration, Instant};

/// Where a fan-out stands.
#[derive(Debug)]
pub struct Tally {
    /// Jobs in all.
    pub total: usize,
    /// Jobs ended (not run included).
    pub done: usize,
    /// Jobs that ended badly.
    pub failed: usize,
    /// Commands running now.
    pub running: usize,
    /// Each job's end and duration, once ended.
    pub ends: Vec<Option<(Status, Duration)>>,
    /// Each job's last non-empty stderr line (lossy UTF-8, control characters removed).
    pub last_err: Vec<Option<String>>,
    started: Instant,
    /// Total duration of the jobs that ran, for the ETA.
    ran: Duration,
    ran_count: u32,
}

/// Whether a job that ended so counts as a success.
pub fn ended_well(status: &Status) -> bool {
    matches!(status, Status::Exited(0))
}

impl Tally {
    /// Nothing done yet of `total` jobs.
    pub fn new(total: usize, now: Instant) -> Self {
        Self {
            total,
            done: 0,
            failed: 0,
            running: 0,
            ends: vec![None; total],
            last_err: vec![None; total],
            started: now,
            ran: Duration::ZERO,
            ran_count: 0,
        }
    }

    /// Counts `event`.
    pub fn count(&mut self, event: &Event) {
        match event {
            Event::Started { .. } => self.running += 1,
            Event::Line {
                job,
                stream: Stream::Err,
                text,
            } => {
                let line = crate::domain::clean_text(&String::from_utf8_lossy(text));
                if !line.trim().is_empty() {
                    self.last_err[*job] = Some(line.trim().to_owned());
                }
            }
            Event::Line { .. } => {}
            Event::Finished {
                job,
                status,
                duration,
            } => {
                if matches!(
                    status,
                    Status::Exited(_) | Status::Signalled(_) | Status::TimedOut(_)
                ) {
                    self.running = self.running.saturating_sub(1);
                    self.ran += *duration;
                    self.ran_count += 1;
                }
                self.done += 1;
                if !ended_well(status) {
                    self.failed += 1;
                }
                self.ends[*job] = Some((status.clone(), *duration));
            }
        }
    }

    /// Whether every job ended well.
    pub fn all_ok(&self) -> bool {
        self.done == self.total && self.failed == 0
    }

    /// Jobs the run never started (interrupted).
    pub fn not_run(&self) -> usize {
        self.ends
            .iter()
            .filter(|e| matches!(e, Some((Status::NotRun, _))))
            .count()
    }

    /// Time left, from the mean duration so far and `parallel` at once.
    pub fn eta(&self, parallel: usize) -> Option<Duration> {
        if self.ran_count == 0 {
            return None;
        }
        let mean = self.ran / self.ran_count;
        let left = u32::try_from(self.total - self.done).unwrap_or(u32::MAX);
        let lanes = u32::try_from(parallel.max(1)).unwrap_or(u32::MAX);
        Some(mean * left.div_ceil(lanes))
    }

    /// Time since the run started.
    pub fn elapsed(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.started)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_running_failed_and_an_eta() {
        let now = Instant::now();
        let mut tally = Tally::new(4, now);
        tally.count(&Event::Started { job: 0 });
        tally.count(&Event::Started { job: 1 });
        assert_eq!((tally.running, tally.eta(2)), (2, None));
        tally.count(&Event::Line {
            job: 1,
            stream: Stream::Err,
            text: b"boom \x1b[31mred".to_vec(),
        });
        tally.count(&Event::Line {
            job: 1,
            stream: Stream::Err,
            text: b"   ".to_vec(),
        });
        let secs = Duration::from_secs;
        tally.count(&Event::Finished {
            job: 0,
            status: Status::Exited(0),
            duration: secs(2),
        });
        tally.count(&Event::Finished {
            job: 1,
            status: Status::Exited(3),
            duration: secs(4),
        });
        tally.count(&Event::Finished {
            job: 2,
            status: Status::NoCredentials("no code".into()),
            duration: secs(0),
        });
        assert_eq!((tally.done, tally.failed, tally.running), (3, 2, 0));
        assert_eq!(tally.last_err[1].as_deref(), Some("boom [31mred"));
        assert_eq!(tally.eta(2), Some(secs(3)), "one left, 3 s on average");
        assert!(!tally.all_ok());
        tally.count(&Event::Finished {
            job: 3,
            status: Status::NotRun,
            duration: secs(0),
        });
        assert_eq!(tally.not_run(), 1);
    }
}

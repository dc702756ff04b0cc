//! What `hats run` says about the run as a whole: the live progress line, the
//! table of failures and the totals. Pure text.

use crate::fanout::{Job, Status, Tally, ended_well};
use std::fmt::Write as _;
use std::time::Duration;

/// The longest detail (last stderr line or error) a failure row shows.
const DETAIL_CHARS: usize = 120;

/// `37/120 done · 3 failed · 8 running · ETA 12s`.
pub fn progress_line(tally: &Tally, parallel: usize) -> String {
    let mut line = format!("{}/{} done", tally.done, tally.total);
    if tally.failed > 0 {
        let _ = write!(line, " · {} failed", tally.failed);
    }
    let _ = write!(line, " · {} running", tally.running);
    if let Some(eta) = tally.eta(parallel) {
        let _ = write!(line, " · ETA {}", short(eta));
    }
    line
}

/// How a job ended, in a few words.
pub fn result_word(status: &Status) -> String {
    match status {
        Status::Exited(code) => format!("exit {code}"),
        Status::Signalled(signal) => format!("signal {signal}"),
        Status::TimedOut(after) => format!("timed out ({})", short(*after)),
        Status::NoCredentials(_) => "no credentials".into(),
        Status::Failed(_) => "not started".into(),
        Status::NotRun => "not run".into(),
    }
}

/// The failure table (when anything failed) and the totals line.
pub fn summary(jobs: &[Job<'_>], tally: &Tally, elapsed: Duration, interrupted: bool) -> String {
    let failed: Vec<(usize, &Status)> = tally
        .ends
        .iter()
        .enumerate()
        .filter_map(|(i, end)| end.as_ref().map(|(s, _)| (i, s)))
        .filter(|(_, s)| !ended_well(s) && **s != Status::NotRun)
        .collect();
    let mut text = String::new();
    if !failed.is_empty() {
        let rows: Vec<[String; 4]> = failed
            .iter()
            .map(|&(i, status)| {
                let detail = match status {
                    Status::NoCredentials(why) | Status::Failed(why) => why.clone(),
                    _ => tally.last_err[i].clone().unwrap_or_default(),
                };
                [
                    crate::domain::clean_text(&jobs[i].target.name),
                    jobs[i].region.clone(),
                    result_word(status),
                    cut(&crate::domain::clean_text(&detail), DETAIL_CHARS),
                ]
            })
            .collect();
        text.push_str(&crate::output::aligned(
            ["TARGET", "REGION", "RESULT", "LAST STDERR LINE / ERROR"],
            &rows,
        ));
    }
    let ok = tally
        .ends
        .iter()
        .filter(|e| e.as_ref().is_some_and(|(s, _)| ended_well(s)))
        .count();
    let _ = write!(
        text,
        "hats run: {} of {} commands ran in {}: {ok} ok, {} failed",
        tally.done - tally.not_run(),
        tally.total,
        short(elapsed),
        failed.len()
    );
    if interrupted {
        let _ = write!(
            text,
            "; interrupted, {} not run",
            tally.total - tally.done + tally.not_run()
        );
    }
    text.push('\n');
    text
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(max - 1).collect();
    kept.push('…');
    kept
}

/// `850ms`, `12s`, `3m05s`.
pub fn short(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0 => format!("{}ms", duration.as_millis()),
        1..=59 => format!("{:.1}s", duration.as_secs_f64()),
        _ => format!("{}m{:02}s", secs / 60, secs % 60),
    }
}

#[cfg(test)]
mod tests;

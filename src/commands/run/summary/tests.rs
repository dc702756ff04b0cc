use super::*;
use crate::config::Settings;
use crate::fanout::fixture::target;
use crate::fanout::{Event, jobs};
use std::time::Instant;

fn settings() -> Settings {
    Settings::from_defaults(&crate::config::HatsFile::default().defaults).unwrap()
}

#[test]
fn the_failure_table_names_each_failed_target_with_its_last_stderr_line_or_error() {
    let a = target("acct-a", "111111111111", "ReadOnly", None, &[]);
    let b = target("acct-b", "222222222222", "ReadOnly", None, &[]);
    let c = target("acct-c", "333333333333", "ReadOnly", None, &[]);
    let regions = ["eu-west-1".to_owned()];
    let jobs = jobs(&[&a, &b, &c], &regions, &settings());
    let mut tally = Tally::new(3, Instant::now());
    let finished = |job, status| Event::Finished {
        job,
        status,
        duration: Duration::from_millis(1500),
    };
    tally.count(&Event::Started { job: 1 });
    tally.count(&Event::Line {
        job: 1,
        stream: crate::fanout::Stream::Err,
        text: b"An error occurred (AccessDenied)".to_vec(),
    });
    tally.count(&finished(0, Status::Exited(0)));
    tally.count(&finished(1, Status::Exited(254)));
    tally.count(&finished(2, Status::NoCredentials("no MFA code".into())));
    let text = summary(&jobs, &tally, Duration::from_secs(3), false);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "TARGET           REGION     RESULT          LAST STDERR LINE / ERROR",
            "acct-b/ReadOnly  eu-west-1  exit 254        An error occurred (AccessDenied)",
            "acct-c/ReadOnly  eu-west-1  no credentials  no MFA code",
            "hats run: 3 of 3 commands ran in 3.0s: 1 ok, 2 failed",
        ]
    );
}

#[test]
fn an_interrupted_run_counts_what_never_started() {
    let a = target("acct-a", "111111111111", "ReadOnly", None, &[]);
    let b = target("acct-b", "222222222222", "ReadOnly", None, &[]);
    let jobs = jobs(&[&a, &b], &[], &settings());
    let mut tally = Tally::new(2, Instant::now());
    tally.count(&Event::Finished {
        job: 0,
        status: Status::Exited(0),
        duration: Duration::from_secs(1),
    });
    tally.count(&Event::Finished {
        job: 1,
        status: Status::NotRun,
        duration: Duration::ZERO,
    });
    let text = summary(&jobs, &tally, Duration::from_secs(65), true);
    assert_eq!(
        text,
        "hats run: 1 of 2 commands ran in 1m05s: 1 ok, 0 failed; interrupted, 1 not run\n"
    );
}

#[test]
fn the_progress_line_counts_and_estimates() {
    let mut tally = Tally::new(120, Instant::now());
    for job in 0..8 {
        tally.count(&Event::Started { job });
    }
    assert_eq!(progress_line(&tally, 8), "0/120 done · 8 running");
    tally.count(&Event::Finished {
        job: 0,
        status: Status::Exited(1),
        duration: Duration::from_secs(1),
    });
    assert_eq!(
        progress_line(&tally, 8),
        "1/120 done · 1 failed · 7 running · ETA 15.0s"
    );
}

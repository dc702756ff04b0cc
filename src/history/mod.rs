//! Local hand-out history: one JSON line per hand-out in `history.jsonl` in the
//! data directory, so a user can tell later which credentials went where.
//!
//! Names, ARNs and times only: nothing here may ever hold a key, secret or token.
//! `record` is the line's shape and pure parsing; `file` appends and rotates.

mod file;
mod record;

pub use file::{HISTORY_FILE, MAX_BYTES, append, read};
pub use record::{Handout, Record, parse_lines, since};

use crate::config::{Scope, Settings};
use crate::inventory::{Spec, Target};
use jiff::Timestamp;
use std::path::Path;

/// Appends the record of `target` handed out `how` at `now`, its session expiring
/// at `expires`, in the history in `data_dir`.
pub fn log_handout(
    data_dir: &Path,
    settings: &Settings,
    target: &Target,
    expires: Timestamp,
    scope: Option<&Scope>,
    how: Handout,
    now: Timestamp,
) -> std::io::Result<()> {
    append(data_dir, &record_of(settings, target, expires, scope, how, now))
}

/// Appends the record of one command of run `run` started for `target` at `now`.
pub fn log_run_handout(
    data_dir: &Path,
    settings: &Settings,
    target: &Target,
    expires: Timestamp,
    run: &str,
    now: Timestamp,
) -> std::io::Result<()> {
    let mut record = record_of(settings, target, expires, None, Handout::Run, now);
    record.run = Some(run.to_owned());
    append(data_dir, &record)
}

fn record_of(
    settings: &Settings,
    target: &Target,
    expires: Timestamp,
    scope: Option<&Scope>,
    how: Handout,
    now: Timestamp,
) -> Record {
    let role = match &target.spec {
        Spec::Role(chain) => Some(&chain.role),
        Spec::UserSession { .. } | Spec::Sso(_) => None,
    };
    Record {
        time: now,
        target: target.name.clone(),
        role_arn: role.map(|r| r.role_arn.to_string()),
        session_name: role.and_then(|r| {
            crate::session::session_name(r, settings)
                .ok()
                .map(|n| n.as_str().to_owned())
        }),
        source_identity: role
            .and_then(|r| crate::session::source_identity(r, settings))
            .map(|s| s.as_str().to_owned()),
        preset: scope.and_then(|s| s.preset.clone()),
        scoped: scope.is_some_and(|s| !s.policy.is_empty()),
        expires,
        how,
        run: None,
    }
}

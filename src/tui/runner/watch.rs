//! What other processes change while the switcher runs: commands served in
//! other terminals (the serve registry) and cached sessions (the session
//! index: `hats forget`, `hats sso logout`, another hand-out). Both are files;
//! nothing here opens the keyring or the network. The index is read again
//! when its file changed (checked every few seconds), when the terminal
//! regains focus, and after a hand-out, so no row counts down a session that
//! is gone.

use super::{Reply, Runner};
use crate::context::Context;
use crate::session::IndexedNames;
use crate::tui::entries::{cached_index, mfa_sessions};
use crate::tui::state::ServedCommand;
use crate::tui::update::{Msg, Sessions};
use std::time::SystemTime;

/// How often the files are looked at, in seconds.
const EVERY_SECS: i64 = 2;

/// Reads the serve registry every few seconds; a message only when it changed.
#[derive(Default)]
pub(super) struct ServedPoll {
    polled_at: i64,
    seen: Vec<ServedCommand>,
}

impl ServedPoll {
    pub(super) fn poll(&mut self, ctx: &Context, second: i64) -> Option<Msg> {
        if second - self.polled_at < EVERY_SECS {
            return None;
        }
        self.polled_at = second;
        let running = served_now(ctx);
        (running != self.seen).then(|| {
            self.seen.clone_from(&running);
            Msg::Served(running)
        })
    }
}

/// The commands served now, in any terminal.
#[cfg(unix)]
fn served_now(ctx: &Context) -> Vec<ServedCommand> {
    crate::serve::registry::running(&ctx.paths.cache_dir)
        .into_iter()
        .map(|s| ServedCommand {
            target: s.target,
            command: s.command,
            expires: s.expires,
        })
        .collect()
}

/// `--serve` exists on Unix only: nothing is ever served elsewhere.
#[cfg(not(unix))]
fn served_now(_ctx: &Context) -> Vec<ServedCommand> {
    Vec::new()
}

/// Notices when the session index file changes.
pub(super) struct IndexPoll {
    checked_at: i64,
    /// Modification time and length when last looked at.
    stamp: Option<(SystemTime, u64)>,
}

impl IndexPoll {
    /// Starts from the index as it is now: the first rows were made from it.
    pub(super) fn new(ctx: &Context) -> Self {
        Self {
            checked_at: ctx.clock.now().as_second(),
            stamp: stamp(ctx),
        }
    }

    /// Whether the index changed since the last look (at most every few seconds).
    pub(super) fn changed(&mut self, ctx: &Context, second: i64) -> bool {
        if second - self.checked_at < EVERY_SECS {
            return false;
        }
        self.checked_at = second;
        let now = stamp(ctx);
        if now == self.stamp {
            return false;
        }
        self.stamp = now;
        true
    }
}

/// The index file's modification time and length, if it exists.
fn stamp(ctx: &Context) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(ctx.index().path()).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl Runner {
    /// Reads the session index off the UI loop; every row takes what it lists.
    pub(super) fn spawn_sessions_read(&self) {
        let (ctx, replies) = (self.ctx.clone(), self.replies.clone());
        let task = tokio::task::spawn_blocking(move || {
            let sessions = read_sessions(&ctx);
            let _ = replies.send(Reply::Sessions(ctx, sessions));
        });
        self.watch(task, |text| Msg::Notice {
            text: format!("reading the session index failed: internal error: {text}"),
            error: true,
        });
    }
}

/// The live sessions of `ctx`'s targets (rows in target order) and MFA devices.
fn read_sessions(ctx: &Context) -> Sessions {
    let index = cached_index(ctx);
    let now = ctx.clock.now();
    let indexed = IndexedNames::of(&index);
    let rows = ctx
        .targets
        .targets
        .iter()
        .enumerate()
        .filter_map(|(row, target)| {
            let entry = indexed
                .target_key(target, &ctx.settings)
                .and_then(|k| index.sessions.get(&k))
                .filter(|e| e.expires > now)?;
            Some((row, entry.expires, entry.arn.clone()))
        })
        .collect();
    Sessions {
        rows,
        mfa_sessions: mfa_sessions(ctx, &index, now),
    }
}

//! The subshell the switcher runs on `Enter`: `$SHELL` on the terminal with the
//! session's exports (or served, with `serve = true`), as `hats shell` does.

use super::Runner;
use crate::error::Error;
use crate::output::{REMOVED_VARS, exports};
use crate::session::Session;
use crate::tui::terminal;
use std::io::Write;

/// A subshell to run with a resolved session.
pub(super) struct Handoff {
    pub(super) target: usize,
    pub(super) session: Session,
    pub(super) region: Option<String>,
    /// Scoped down: static keys only, since the serve endpoint renews unscoped sessions.
    pub(super) scoped: bool,
}

impl Runner {
    /// Runs `$SHELL` on the terminal, as `hats shell` (or `hats shell --serve` when
    /// `serve = true`) does, and waits for it.
    pub(super) async fn run_subshell(&self, handoff: Handoff) -> Result<(), Error> {
        let shell = std::env::var_os("SHELL")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "/bin/sh".into());
        let target = &self.ctx.targets.targets[handoff.target];
        let now = self.ctx.clock.now();
        let mut tty = terminal::open_tty().map_err(Error::doing("open the terminal"))?;
        let mut child = std::process::Command::new(&shell);
        terminal::attach(&mut child, &tty).map_err(Error::doing("hand the terminal to the shell"))?;
        child.env(crate::output::SHELL_MARKER, &target.name);
        if self.serves(&handoff) {
            writeln!(tty, "{}", banner(target, &handoff.session, true, now))
                .map_err(Error::doing("write to the terminal"))?;
            return self.run_served(target, &handoff, child).await;
        }
        writeln!(tty, "{}", banner(target, &handoff.session, false, now))
            .map_err(Error::doing("write to the terminal"))?;
        let vars = exports(target, &handoff.session, handoff.region.as_deref());
        for name in REMOVED_VARS {
            child.env_remove(name);
        }
        child.envs(vars.vars.iter().map(|(k, v)| (k, v)));
        let program = shell.to_string_lossy().into_owned();
        child
            .status()
            .map(|_| ())
            .map_err(|source| Error::Spawn { program, source })
    }

    /// Whether the subshell is served (`serve = true`): scoped sessions are
    /// not, since the endpoint renews unscoped ones; and `--serve` exists on Unix only.
    fn serves(&self, handoff: &Handoff) -> bool {
        cfg!(unix) && self.ctx.settings.serve && !handoff.scoped
    }

    /// Runs the subshell served, as `hats shell --serve` does.
    #[cfg(unix)]
    async fn run_served(
        &self,
        target: &crate::inventory::Target,
        handoff: &Handoff,
        child: std::process::Command,
    ) -> Result<(), Error> {
        let args = crate::cli::SessionArgs {
            mfa_code: None,
            duration: None,
            region: handoff.region.clone(),
            ..Default::default()
        };
        // The switcher records its own hand-outs.
        let started = || {};
        crate::serve::serve_command(&self.ctx, target, &handoff.session, &args, child.into(), started)
            .await
            .map(|_| ())
    }

    #[cfg(not(unix))]
    async fn run_served(
        &self,
        _target: &crate::inventory::Target,
        _handoff: &Handoff,
        _child: std::process::Command,
    ) -> Result<(), Error> {
        Err(Error::Usage(
            "serving credentials to a subshell needs Unix".into(),
        ))
    }
}

/// The subshell's first line, as `hats shell` prints it.
fn banner(
    target: &crate::inventory::Target,
    session: &Session,
    served: bool,
    now: jiff::Timestamp,
) -> String {
    crate::output::ShellBanner {
        target: &target.name,
        who: &crate::output::credentials_of(target, session),
        expires: session.expiration,
        served,
        exit_to: "exit to return to hats",
    }
    .text(now, &jiff::tz::TimeZone::system())
}

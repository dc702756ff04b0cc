//! `hats exec`: gives way to the command, credentials in its environment.
//!
//! On Unix the command takes over hats' process (no shell, nothing in argv), so
//! its exit status is hats' and signals such as Ctrl-C reach it directly; on
//! Windows hats waits for it and exits with its code (`platform::hand_over`).

use super::{obtain, serve_wanted};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use crate::output::{Exports, REMOVED_VARS, exports};
use std::ffi::OsString;
use std::process::{Command, ExitCode};

/// Runs `command` with the target's credentials; returns only if it could not be started.
pub async fn exec(
    ctx: &Context,
    target: &str,
    args: &SessionArgs,
    serve: bool,
    command: &[OsString],
) -> Result<ExitCode, Error> {
    let serve = serve_wanted(ctx, serve);
    let how = if serve { Handout::Serve } else { Handout::Exec };
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let (program, rest) = command
        .split_first()
        .ok_or_else(|| Error::Usage("exec needs a command after --".into()))?;
    let mut child = Command::new(crate::platform::program_to_run(program));
    child.args(rest);
    // Recorded once the command has started: a command that cannot be run got nothing.
    let started = || receipt.record(ctx, target, how);
    if crate::output::is_shell(program) {
        child.env(crate::output::SHELL_MARKER, &target.name);
    }
    if serve {
        return serve_child(ctx, target, &session, args, child, started).await;
    }
    hand_over(child, &exports(target, &session, args.region.as_deref()), started)
}

/// `--serve`: hats stays the parent and serves renewing credentials.
pub async fn serve_child(
    ctx: &Context,
    target: &crate::inventory::Target,
    session: &crate::session::Session,
    args: &SessionArgs,
    child: Command,
    started: impl FnOnce(),
) -> Result<ExitCode, Error> {
    crate::serve::serve_command(ctx, target, session, args, child.into(), started).await
}

/// Gives `child` the exports (and removes `AWS_PROFILE`), then gives way to
/// it (`platform::hand_over`: replaced on Unix, waited for on Windows).
/// `started` runs just before the credentials leave hats, once the program is
/// known to exist and be executable, so a missing program is not recorded as a
/// hand-out.
pub fn hand_over(mut child: Command, vars: &Exports, started: impl FnOnce()) -> Result<ExitCode, Error> {
    for name in REMOVED_VARS {
        child.env_remove(name);
    }
    child.envs(vars.vars.iter().map(|(k, v)| (k, v)));
    let program = child.get_program().to_string_lossy().into_owned();
    let spawn_error = |source| Error::Spawn { program, source };
    if let Err(e) = crate::platform::find_program(child.get_program()) {
        return Err(spawn_error(e));
    }
    Err(spawn_error(crate::platform::hand_over(child, started)))
}

//! `hats exec`: replaces hats with the command, credentials in its environment.
//!
//! On Unix the command takes over hats' process (no shell, nothing in argv), so
//! its exit status is hats' and signals such as Ctrl-C reach it directly.

use super::{obtain, serve_wanted};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use crate::output::{Exports, REMOVED_VARS, exports};
use std::ffi::OsString;
use std::process::{Command, ExitCode};

/// Runs `command` with the target's credentials; returns only if it could not be started
/// (or, off Unix, when it finished).
pub async fn exec(
    ctx: &Context,
    target: &str,
    args: &SessionArgs,
    serve: bool,
    command: &[OsString],
) -> Result<ExitCode, Error> {
    let serve = serve_wanted(ctx, serve);
    let how = if serve { Handout::Serve } else { Handout::Exec };
    let (target, session) = obtain(ctx, target, args, Some(how)).await?;
    let (program, rest) = command
        .split_first()
        .ok_or_else(|| Error::Usage("exec needs a command after --".into()))?;
    let mut child = Command::new(program);
    child.args(rest);
    if crate::output::is_shell(program) {
        child.env(crate::output::SHELL_MARKER, &target.name);
    }
    if serve {
        return serve_child(ctx, target, &session, args, child).await;
    }
    hand_over(child, &exports(target, &session, args.region.as_deref()))
}

/// `--serve`: hats stays the parent and serves renewing credentials (Unix only).
pub async fn serve_child(
    ctx: &Context,
    target: &crate::config::Target,
    session: &crate::session::Session,
    args: &SessionArgs,
    child: Command,
) -> Result<ExitCode, Error> {
    #[cfg(unix)]
    {
        crate::serve::serve_command(ctx, target, session, args, child.into()).await
    }
    #[cfg(not(unix))]
    {
        let _ = (ctx, target, session, args, child);
        Err(Error::Usage("--serve is only available on Unix".into()))
    }
}

/// Gives `child` the exports (and removes `AWS_PROFILE`), then replaces this
/// process with it (Unix) or runs it and forwards its status.
pub fn hand_over(mut child: Command, vars: &Exports) -> Result<ExitCode, Error> {
    for name in REMOVED_VARS {
        child.env_remove(name);
    }
    child.envs(vars.vars.iter().map(|(k, v)| (k, v)));
    let program = child.get_program().to_string_lossy().into_owned();
    let spawn_error = |source| Error::Spawn { program, source };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        Err(spawn_error(child.exec()))
    }
    #[cfg(not(unix))]
    {
        let status = child.status().map_err(spawn_error)?;
        Ok(ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8))
    }
}

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
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let (program, rest) = command
        .split_first()
        .ok_or_else(|| Error::Usage("exec needs a command after --".into()))?;
    let mut child = Command::new(program);
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

/// `--serve`: hats stays the parent and serves renewing credentials (Unix only).
pub async fn serve_child(
    ctx: &Context,
    target: &crate::config::Target,
    session: &crate::session::Session,
    args: &SessionArgs,
    child: Command,
    started: impl FnOnce(),
) -> Result<ExitCode, Error> {
    #[cfg(unix)]
    {
        crate::serve::serve_command(ctx, target, session, args, child.into(), started).await
    }
    #[cfg(not(unix))]
    {
        let _ = (ctx, target, session, args, child, started);
        Err(Error::Usage("--serve is only available on Unix".into()))
    }
}

/// Gives `child` the exports (and removes `AWS_PROFILE`), then replaces this
/// process with it (Unix) or runs it and forwards its status. `started` runs
/// just before the credentials leave hats: on Unix once the program is known
/// to exist and be executable (`execve` does not come back on success), so a
/// missing program is not recorded as a hand-out.
pub fn hand_over(mut child: Command, vars: &Exports, started: impl FnOnce()) -> Result<ExitCode, Error> {
    for name in REMOVED_VARS {
        child.env_remove(name);
    }
    child.envs(vars.vars.iter().map(|(k, v)| (k, v)));
    let program = child.get_program().to_string_lossy().into_owned();
    let spawn_error = |source| Error::Spawn { program, source };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        if let Err(e) = find_program(child.get_program()) {
            return Err(spawn_error(e));
        }
        started();
        Err(spawn_error(child.exec()))
    }
    #[cfg(not(unix))]
    {
        let mut running = child.spawn().map_err(spawn_error)?;
        started();
        let status = running.wait()?;
        Ok(ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8))
    }
}

/// Where `execvp` would find `program`: itself when it holds a `/`, else the
/// first executable file of that name on `PATH`. The error is what `execve` would say.
#[cfg(unix)]
fn find_program(program: &std::ffi::OsStr) -> std::io::Result<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |path: &std::path::Path| {
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let as_path = std::path::Path::new(program);
    if program.as_encoded_bytes().contains(&b'/') {
        return if executable(as_path) {
            Ok(as_path.to_path_buf())
        } else if as_path.exists() {
            Err(std::io::ErrorKind::PermissionDenied.into())
        } else {
            Err(std::io::ErrorKind::NotFound.into())
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|dir| dir.join(as_path))
        .find(|candidate| executable(candidate))
        .ok_or_else(|| std::io::ErrorKind::NotFound.into())
}

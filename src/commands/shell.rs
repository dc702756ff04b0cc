//! `hats shell`: an interactive subshell with the target's credentials.

use super::exec::{hand_over, serve_child};
use super::{obtain, serve_wanted};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use crate::output::{SHELL_MARKER, ShellBanner, exports};
use std::process::{Command, ExitCode};

/// Starts `$SHELL` (or `/bin/sh`) with the credentials, after one line on stderr.
pub async fn shell(ctx: &Context, target: &str, args: &SessionArgs, serve: bool) -> Result<ExitCode, Error> {
    let serve = serve_wanted(ctx, serve);
    let how = if serve { Handout::Serve } else { Handout::Shell };
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let started = || receipt.record(ctx, target, how);
    let shell = shell_program();
    let mut subshell = Command::new(&shell);
    subshell.env(SHELL_MARKER, &target.name);
    let who = crate::output::credentials_of(target, &session);
    let banner = ShellBanner {
        target: &target.name,
        who: &who,
        expires: session.expiration,
        served: serve,
        exit_to: "exit to leave",
    };
    eprintln!("{}", banner.text(ctx.clock.now(), &jiff::tz::TimeZone::system()));
    if serve {
        return serve_child(ctx, target, &session, args, subshell, started).await;
    }
    hand_over(
        subshell,
        &exports(target, &session, args.region.as_deref()),
        started,
    )
}

/// `$SHELL` when it names a program that can run, else `/bin/sh` (with a note):
/// checked before the banner, so a broken `$SHELL` never prints "shell for …"
/// and then fails.
fn shell_program() -> std::ffi::OsString {
    let Some(wanted) = std::env::var_os("SHELL").filter(|s| !s.is_empty()) else {
        return "/bin/sh".into();
    };
    if runnable(std::path::Path::new(&wanted)) {
        return wanted;
    }
    eprintln!(
        "hats: $SHELL \"{}\" is not a program that can run; using /bin/sh",
        wanted.to_string_lossy().escape_debug()
    );
    "/bin/sh".into()
}

/// A path to an executable file, or a bare name found on `PATH` (as execvp looks it up).
fn runnable(program: &std::path::Path) -> bool {
    let executable = |path: &std::path::Path| {
        std::fs::metadata(path).is_ok_and(|m| {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                m.is_file() && m.permissions().mode() & 0o111 != 0
            }
            #[cfg(not(unix))]
            {
                m.is_file()
            }
        })
    };
    if program.components().count() > 1 {
        return executable(program);
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| executable(&dir.join(program))))
}

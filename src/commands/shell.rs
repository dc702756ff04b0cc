//! `hats shell`: an interactive subshell with the target's credentials.

use super::exec::{hand_over, serve_child};
use super::{obtain, serve_wanted};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use crate::output::{SHELL_MARKER, ShellBanner, exports};
use std::process::{Command, ExitCode};

/// Starts the user's shell with the credentials, after one line on stderr.
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

/// The shell to start (`platform::interactive_shell`), checked before the
/// banner, so a broken `$SHELL` never prints "shell for …" and then fails.
fn shell_program() -> std::ffi::OsString {
    let (shell, note) = crate::platform::interactive_shell();
    if let Some(note) = note {
        eprintln!("hats: {note}");
    }
    shell
}

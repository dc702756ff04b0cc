//! The interactive switcher (`hats` with no arguments).
//!
//! `state` + `update` are pure; `view` draws; `runner` owns the terminal and
//! starts background work. The TUI never calls STS or the keyring itself: it
//! asks the session engine, with an MFA prompter that opens a modal.

mod entries;
mod filter;
mod prefs;
mod prompter;
mod regions;
mod runner;
pub mod state;
mod terminal;
pub mod update;
pub mod view;

pub use entries::{describe_selected, initial_app};
pub use filter::{Filter, Match};

use crate::context::Context;
use crate::error::Error;
use std::io::Write;
use std::process::ExitCode;

/// Opens the switcher; prints exports on stdout afterwards when the user pressed `e`.
pub async fn run(ctx: Context) -> Result<ExitCode, Error> {
    if terminal::open_tty().is_err() {
        eprintln!(
            "hats: no terminal for the interactive switcher; use a subcommand, e.g. `hats ls` or `hats env TARGET` (see hats --help)"
        );
        return Ok(ExitCode::from(2));
    }
    let mut app = initial_app(&ctx, ctx.clock.now());
    update::skipped(&mut app, &ctx.targets.broken);
    let ending = runner::run(ctx, app).await?;
    if ending.interrupted {
        // As a shell reports a command ended by Ctrl-C: 128 + SIGINT.
        return Ok(ExitCode::from(130));
    }
    if let Some(text) = ending.print {
        std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(Error::Output)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;

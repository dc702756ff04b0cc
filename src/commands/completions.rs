//! Shell completion: `hats completions SHELL` prints a script that asks hats
//! itself for candidates at each Tab (clap_complete's dynamic completion,
//! `HATS_COMPLETE=SHELL hats -- WORDS…`), so subcommands, flags and target names
//! always match the binary and the configuration in use.
//!
//! Target names come from the same files start-up reads (AWS profiles, hats'
//! config, the cached organization inventory): never the keyring, never the network.

use crate::cli::Cli;
use crate::context::Context;
use crate::error::Error;
use clap::CommandFactory;
use clap_complete::CompletionCandidate;
use clap_complete::env::{Elvish, EnvCompleter, Fish, Powershell, Shells, Zsh};
use std::ffi::OsStr;
use std::io::Write;

mod bash;
use bash::QuotingBash;

/// The shells hats completes for; bash through [`QuotingBash`], which escapes
/// candidates (the others quote them themselves).
const SHELLS: Shells<'static> = Shells(&[&QuotingBash, &Elvish, &Fish, &Powershell, &Zsh]);

/// The variable that switches hats into answering a completion request (the
/// scripts set it). Named for hats: a `COMPLETE` meant for another program
/// must not turn a hats run into a completion request.
pub const COMPLETE_VAR: &str = "HATS_COMPLETE";

/// Answers a completion request and exits when `HATS_COMPLETE` is set; otherwise returns.
/// Must run before anything is written to stdout.
pub fn answer_completion_request() {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .shells(SHELLS)
        .complete();
}

/// Writes the registration script for `shell` to stdout.
///
/// # Errors
/// Writing failed (a closed pipe among others, which `main` treats as success).
pub fn completions(shell: clap_complete::Shell) -> Result<(), Error> {
    // Built in memory first, then written once: a closed pipe is an error to
    // return, not a panic.
    let script = registration(shell, &this_program())?;
    let mut out = std::io::stdout().lock();
    out.write_all(&script).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(())
}

/// The registration script for `shell` that calls hats back as `program`
/// (release archives ship these with `hats`, found on `PATH`).
///
/// # Errors
/// A shell without dynamic completion.
pub fn registration(shell: clap_complete::Shell, program: &str) -> Result<Vec<u8>, Error> {
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Bash => &QuotingBash,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::Zsh => &Zsh,
        clap_complete::Shell::PowerShell => &Powershell,
        clap_complete::Shell::Elvish => &Elvish,
        other => return Err(Error::Usage(format!("no completion for the shell \"{other}\""))),
    };
    let mut script = Vec::new();
    completer
        .write_registration(COMPLETE_VAR, "hats", "hats", program, &mut script)
        .map_err(Error::Output)?;
    Ok(script)
}

/// How the script calls hats back: as it was called now (`hats` from `PATH`
/// stays `hats`; a relative path is made absolute, the script runs elsewhere).
fn this_program() -> String {
    super::own_path::as_called().to_string_lossy().into_owned()
}

/// Target names (and, for a word starting with a digit, `ACCOUNT-ID/ROLE`
/// aliases) beginning with `current`, each with its account and role as help.
pub fn target_candidates(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(current) = current.to_str() else {
        return Vec::new();
    };
    let Some(ctx) = load_targets() else {
        return Vec::new();
    };
    let with_ids = current.starts_with(|c: char| c.is_ascii_digit());
    let mut found = Vec::new();
    for target in &ctx.targets.targets {
        let names = std::iter::once(target.name.as_str()).chain(target.alias.as_deref().filter(|_| with_ids));
        for name in names.filter(|n| n.starts_with(current)) {
            let help = describe(target);
            found.push(CompletionCandidate::new(name).help(help.map(Into::into)));
        }
    }
    // The process exits once the candidates are written: freeing tens of
    // thousands of targets one by one first would only delay the answer.
    std::mem::forget(ctx);
    found
}

/// The configuration only: `Context::load` reads files and opens no keyring.
fn load_targets() -> Option<Context> {
    let runtime = tokio::runtime::Builder::new_current_thread().build().ok()?;
    runtime.block_on(Context::load(false)).ok()
}

fn describe(target: &crate::inventory::Target) -> Option<String> {
    let account = match (&target.account_name, &target.account_id) {
        (Some(name), Some(id)) => format!("{name} {id}"),
        (None, Some(id)) => id.to_string(),
        (Some(name), None) => name.to_string(),
        (None, None) => return target.role_name().map(str::to_owned),
    };
    Some(match target.role_name() {
        Some(role) => format!("{role} in {account}"),
        None => account,
    })
}

/// An argument completer for target names, attached to every target argument.
pub fn target_completer() -> clap_complete::ArgValueCompleter {
    clap_complete::ArgValueCompleter::new(target_candidates)
}

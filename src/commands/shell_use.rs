//! Switching the shell hats runs in: `hats init SHELL` prints the rc snippet,
//! `hats use` prints what the snippet's function evals, `hats prompt` shows the
//! exported target and its time left.
//!
//! `use` refuses to run without the function (its exports would be printed to
//! a terminal nobody evals). `use --hook` is the prompt hook: it never asks for
//! an MFA code and prints nothing unless it renewed the session or failed to.

use super::{Asker, obtain_with};
use crate::cli::SessionArgs;
use crate::context::{Context, Wanted, handout_region};
use crate::domain::{MfaCode, MfaSerial, format_remaining};
use crate::error::Error;
use crate::inventory::Target;
use crate::output::{Exports, FUNCTION_MARKER, Format, InitShell, SAVED_REGION, SavedRegion};
use crate::session::{MfaError, MfaPrompter, Session, TerminalPrompter};
use std::io::Write;

/// Prints the rc snippet for `shell`.
pub fn init(shell: InitShell, hook: bool) -> Result<(), Error> {
    let hats = super::own_path::invoked_text("the shell function")?;
    write_out(&crate::output::snippet(shell, &hats, hook))
}

/// The dialect the shell function evals, or how to load the function.
pub fn dialect() -> Result<Format, Error> {
    let value = std::env::var(FUNCTION_MARKER).unwrap_or_default();
    crate::output::function_dialect(&value).ok_or_else(|| {
        let shell = std::env::var("SHELL").unwrap_or_default();
        let shell = match shell.rsplit('/').next().unwrap_or_default() {
            "zsh" => InitShell::Zsh,
            "fish" => InitShell::Fish,
            "pwsh" | "powershell" => InitShell::Powershell,
            _ => InitShell::Bash,
        };
        let (rc, line) = shell.rc_line();
        Error::Usage(format!(
            "`hats use` switches the shell it runs in, which needs hats' shell function, and it is not loaded \
             in this shell; add `{line}` to {rc} and open a new shell (or run that line here). \
             Without it: eval \"$(hats env TARGET)\""
        ))
    })
}

/// `hats use TARGET`: the target's exports, for the function to eval.
pub async fn use_target(ctx: &Context, name: &str, args: &SessionArgs) -> Result<(), Error> {
    let format = dialect()?;
    let (target, session, receipt) = obtain_with(ctx, name, args, &TerminalPrompter, Asker::Use).await?;
    let vars = use_exports(ctx, target, &session, args.region.as_deref());
    write_out(&crate::output::render(&vars, format))?;
    receipt.record(ctx, target, crate::history::Handout::Use);
    Ok(())
}

/// What `hats use` (and the switcher's Enter under it) exports: the target's
/// credentials, the region hats uses for it (`--region`, the target's, the
/// shell's own, the AWS config's default, the partition's default: never the
/// previous target's), and the shell's own region settings, saved for `--unset`.
pub fn use_exports(ctx: &Context, target: &Target, session: &Session, region: Option<&str>) -> Exports {
    let saved = SavedRegion::before_switch(|name| std::env::var(name).ok());
    let region = handout_region(target, region, ctx.targets.default_region.as_deref());
    let mut vars = crate::output::exports(target, session, Some(&region));
    vars.vars.push((SAVED_REGION, saved.encode()));
    vars
}

/// `hats use --unset`: removes what `hats use` set and puts the shell's own
/// region settings back.
pub fn use_unset() -> Result<(), Error> {
    let saved = SavedRegion::saved(|name| std::env::var(name).ok());
    write_out(&crate::output::unset_lines(dialect()?, saved.as_ref()))
}

/// `hats use --hook`, run by the prompt hook: renews the exported session once
/// it is inside the refresh window, without ever asking for an MFA code.
pub async fn use_hook(verbose: bool) -> Result<(), Error> {
    // Not from the function, or nothing exported: nothing to do, silently.
    let Ok(format) = dialect() else { return Ok(()) };
    let Some(name) = std::env::var("HATS_TARGET").ok().filter(|n| !n.is_empty()) else {
        return Ok(());
    };
    let exported = std::env::var("AWS_CREDENTIAL_EXPIRATION").unwrap_or_default();
    let Ok(expires) = exported.parse::<jiff::Timestamp>() else {
        return Ok(());
    };
    let ctx = Context::load_for(verbose, Wanted::Target(&name)).await?;
    let left = expires.as_second() - ctx.clock.now().as_second();
    if left > i64::from(ctx.settings.refresh_window.as_secs()) {
        return Ok(());
    }
    let failure = match obtain_with(&ctx, &name, &SessionArgs::default(), &NeverAsk, Asker::Hook).await {
        // The engine hands out the old session when renewal fails and it still has time.
        Ok((_, session, _)) if session.expiration <= expires => {
            format!("could not renew \"{name}\" before it expires; run `hats use {name}`")
        }
        Ok((target, session, receipt)) => {
            // Renewing keeps the region the shell has now, whatever set it.
            let region = std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty());
            let vars = crate::output::exports(target, &session, region.as_deref());
            write_out(&crate::output::render(&vars, format))?;
            receipt.record(&ctx, target, crate::history::Handout::Use);
            return Ok(());
        }
        Err(e) => format!("could not renew \"{name}\": {e}; run `hats use {name}`"),
    };
    write_out(&crate::output::hook_failure_lines(format, &failure, &exported))
}

/// The hook's prompter: a prompt hook must never read the terminal.
struct NeverAsk;

impl MfaPrompter for NeverAsk {
    async fn ask(&self, device: &MfaSerial) -> Result<MfaCode, MfaError> {
        Err(MfaError::Setting {
            detail: format!("an MFA code for \"{device}\" is needed and the prompt hook never asks for one"),
        })
    }
}

/// `hats prompt`: `TARGET LEFT` from the exported variables, for a prompt;
/// nothing when no target is exported. Reads no file, keyring or network.
pub fn prompt() -> Result<(), Error> {
    let Some(target) = std::env::var("HATS_TARGET").ok().filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    let target: String = target.chars().filter(|c| !c.is_control()).collect();
    let left = std::env::var("AWS_CREDENTIAL_EXPIRATION")
        .ok()
        .and_then(|e| e.parse::<jiff::Timestamp>().ok())
        .map(|e| format_remaining(e.as_second() - crate::clock::Clock::System.now().as_second()));
    match left {
        Some(left) => write_out(&format!("{target} {left}\n")),
        None => write_out(&format!("{target}\n")),
    }
}

fn write_out(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(())
}

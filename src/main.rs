//! The `hats` binary: parse arguments, run one command, map the result to an exit code.

use clap::Parser;
use hats::cli::{Cli, Command};
use hats::commands;
use hats::context::{Context, Wanted};
use hats::error::Error;
use hats::keyring::Opening;
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

// Listing and the switcher build tens of thousands of small strings for large
// organizations; mimalloc makes those allocations (and their page faults) cheaper.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(target_os = "linux")]
mod arena;

fn main() -> ExitCode {
    // `HATS_COMPLETE=bash hats -- hats env pr`: the shell asks for candidates; answered and exited here.
    commands::answer_completion_request();
    let args: Vec<OsString> = std::env::args_os().collect();
    // Opening the keyring is the slowest step of a cached hand-out: when the
    // arguments name one, it starts before clap has even parsed them.
    let early = Cli::names_a_hand_out(&args)
        .then(runtime)
        .and_then(Result::ok)
        .map(|runtime| {
            let opening = {
                let _inside = runtime.enter();
                Opening::start_from_env()
            };
            (runtime, opening)
        });
    let cli = parse(&args);
    // Commands that read no configuration answer before anything is loaded:
    // `prompt` runs at every prompt.
    if let Some(answered) = cli.command.as_ref().and_then(Command::run_without_context) {
        return finish(answered.map(|()| ExitCode::SUCCESS));
    }
    let (runtime, opening) = match early.map_or_else(|| runtime().map(|rt| (rt, None)), Ok) {
        Ok(started) => started,
        Err(e) => return fail(&Error::doing("start the async runtime")(e)),
    };
    let result = runtime.block_on(run(cli, opening));
    hats::keyring::wait_for_calls(KEYRING_CALLS_AT_EXIT);
    // Every wait on the keyring was bounded; a thread still stuck on a silent
    // session bus must not hold the exit.
    runtime.shutdown_background();
    finish(result)
}

/// How long the exit waits for Secret Service calls still in progress (the
/// keyring opened at start for a command that then failed, a background read
/// in the switcher): a working daemon answers in milliseconds, and a bus that
/// has already been silent for seconds is not waited for much longer.
const KEYRING_CALLS_AT_EXIT: std::time::Duration = std::time::Duration::from_millis(300);

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

/// The command line, or clap's error (with hats' tips) and exit.
fn parse(args: &[OsString]) -> Cli {
    Cli::try_parse_from(args).unwrap_or_else(|error| {
        // Only on the error path: the targets tell `hats dev` from a typo.
        let targets = || {
            let ctx = runtime().ok()?.block_on(Context::load(false)).ok()?;
            Some(ctx.targets)
        };
        let error = hats::cli_hints::add_tips(error, args, targets);
        hats::keyring::wait_for_calls(KEYRING_CALLS_AT_EXIT);
        error.exit()
    })
}

fn finish(result: Result<ExitCode, Error>) -> ExitCode {
    match result {
        Ok(code) => code,
        // A closed pipe (`hats ls | head`) is a normal way for output to end.
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Runs the command; `early` is the keyring opening started before parsing, if any.
async fn run(cli: Cli, early: Option<Opening>) -> Result<ExitCode, Error> {
    match &cli.command {
        // The hook loads its one target only once it knows a renewal is due.
        Some(Command::Use { hook: true, .. }) => {
            commands::use_hook(cli.verbose).await?;
            return Ok(ExitCode::SUCCESS);
        }
        // Before the switcher opens: without the function its choice would be lost.
        Some(Command::Use { target: None, .. }) => {
            commands::use_dialect()?;
        }
        _ => {}
    }
    let wanted = cli.command.as_ref().map_or(Wanted::Everything, Command::wanted);
    // A hand-out's keyring round trips overlap the loading of the configuration.
    let opening = cli
        .command
        .as_ref()
        .filter(|c| c.opens_keyring())
        .and_then(|_| early.or_else(Opening::start_from_env));
    let ctx = Context::load_for(cli.verbose, wanted)
        .await?
        .with_keyring_opening(opening);
    // Never dropped: the process ends right after the command, and freeing
    // thousands of targets one by one would only cost time.
    let mut ctx = std::mem::ManuallyDrop::new(ctx);
    // Identity Center accounts appear without a separate step: a name no target
    // has yet first discovers sso-sessions whose inventory is missing or stale
    // (when signed in). `ls` never does: it makes no network call.
    let discover = match (&cli.command, wanted) {
        (Some(_), Wanted::Target(name)) => ctx.targets.find(name).is_none(),
        _ => false,
    };
    if discover && commands::sync_stale(&ctx).await? {
        let opening = ctx.opening.lock().ok().and_then(|mut o| o.take());
        let reloaded = Context::load_for(cli.verbose, wanted).await?;
        ctx = std::mem::ManuallyDrop::new(reloaded.with_keyring_opening(opening));
    }
    let Some(command) = cli
        .command
        .filter(|c| !matches!(c, Command::Use { target: None, .. }))
    else {
        return hats::tui::run(std::mem::ManuallyDrop::into_inner(ctx)).await;
    };
    command.run(&ctx).await
}

fn fail(error: &Error) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "hats: {error}");
    match error {
        // Like a shell: 127 when the program is missing, 126 when it cannot run.
        Error::Spawn { source, .. } if source.kind() == std::io::ErrorKind::NotFound => ExitCode::from(127),
        Error::Spawn { .. } => ExitCode::from(126),
        Error::Interrupted(_) => ExitCode::from(130),
        _ => ExitCode::FAILURE,
    }
}

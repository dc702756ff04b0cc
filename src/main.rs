//! The `hats` binary: parse arguments, run one command, map the result to an exit code.

use clap::Parser;
use hats::cli::{Cli, Command, EksCommand, OrgCommand, ProfilesCommand, SamlCommand, SsoCommand};
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
    match &cli.command {
        Some(Command::Completions { shell }) => {
            return finish(commands::completions(*shell).map(|()| ExitCode::SUCCESS));
        }
        Some(Command::Init { shell, hook }) => {
            return finish(commands::init(*shell, *hook).map(|()| ExitCode::SUCCESS));
        }
        Some(Command::Prompt) => return finish(commands::prompt().map(|()| ExitCode::SUCCESS)),
        Some(Command::Use { unset: true, .. }) => {
            return finish(commands::use_unset().map(|()| ExitCode::SUCCESS));
        }
        _ => {}
    }
    let (runtime, opening) = match early.map_or_else(|| runtime().map(|rt| (rt, None)), Ok) {
        Ok(started) => started,
        Err(e) => return fail(&Error::Output(e)),
    };
    let result = runtime.block_on(run(cli, opening));
    // Every wait on the keyring was bounded; a thread still stuck on a silent
    // session bus must not hold the exit.
    runtime.shutdown_background();
    finish(result)
}

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
        hats::cli_hints::add_tips(error, args, targets).exit()
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
    let Some(command) = &cli
        .command
        .as_ref()
        .filter(|c| !matches!(c, Command::Use { target: None, .. }))
    else {
        return hats::tui::run(std::mem::ManuallyDrop::into_inner(ctx)).await;
    };
    match command {
        Command::Ls { json } => {
            commands::ls(&ctx, *json)?;
            commands::note_unsynced(&ctx);
        }
        Command::History { json, since, run } => commands::history(&ctx, *json, *since, run.as_deref())?,
        Command::Run(args) => return commands::run(&ctx, args).await,
        Command::Exec {
            target,
            session,
            serve,
            command,
        } => {
            return commands::exec(&ctx, target, session, *serve, command).await;
        }
        Command::Shell {
            target,
            session,
            serve,
        } => {
            return commands::shell(&ctx, target, session, *serve).await;
        }
        Command::Serve {
            target,
            listen,
            session,
        } => return commands::serve(&ctx, target, *listen, session).await,
        Command::Eks { command } => eks(&ctx, command).await?,
        Command::Env {
            target,
            format,
            session,
        } => commands::env(&ctx, target, *format, session).await?,
        Command::CredentialProcess { target, session } => {
            commands::credential_process(&ctx, target, session).await?
        }
        Command::Whoami {
            target,
            session,
            json,
        } => commands::whoami(&ctx, target.as_deref(), session, *json).await?,
        Command::Forget { target, all } => commands::forget(&ctx, target.as_deref(), *all).await?,
        Command::Login {
            target,
            print,
            launcher,
            service,
            destination,
            sign_out,
            session,
        } => {
            let options = commands::LoginOptions::new(*print, *launcher, service, destination, *sign_out);
            commands::login(&ctx, target, &options, session).await?;
        }
        Command::Org {
            command: OrgCommand::Sync { session },
        } => commands::org_sync(&ctx, session).await?,
        Command::Saml {
            command: SamlCommand::Sync { source },
        } => commands::saml_sync(&ctx, source.as_deref()).await?,
        Command::Sso { command } => sso(&ctx, command).await?,
        Command::Profiles { command } => match command {
            ProfilesCommand::Sync { prefix, dry_run } => commands::profiles_sync(&ctx, prefix, *dry_run)?,
            ProfilesCommand::Print { prefix } => commands::profiles_print(&ctx, prefix)?,
        },
        Command::Use {
            target: Some(target),
            session,
            ..
        } => commands::use_target(&ctx, target, session).await?,
        Command::Completions { .. } | Command::Init { .. } | Command::Prompt | Command::Use { .. } => {
            unreachable!("handled before the context loads")
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn sso(ctx: &Context, command: &SsoCommand) -> Result<(), Error> {
    match command {
        SsoCommand::Login {
            session,
            profile,
            no_browser,
            use_device_code,
        } => {
            let options = hats::signin::Options {
                no_browser: *no_browser,
                use_device_code: *use_device_code,
            };
            commands::sso_login(ctx, session.as_deref(), profile.as_deref(), options).await
        }
        SsoCommand::Logout { session } => commands::sso_logout(ctx, session.as_deref()).await,
        SsoCommand::Status { json } => commands::sso_status(ctx, *json).await,
        SsoCommand::Sync { session } => commands::sso_sync(ctx, session.as_deref()).await,
    }
}

async fn eks(ctx: &Context, command: &EksCommand) -> Result<(), Error> {
    match command {
        EksCommand::Token {
            cluster,
            target,
            session,
        } => commands::eks_token(ctx, target, cluster, session).await,
        EksCommand::Kubeconfig {
            cluster,
            server,
            ca_file,
            target,
        } => commands::eks_kubeconfig(ctx, target, cluster, server, ca_file.as_deref()),
    }
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

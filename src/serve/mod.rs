//! `--serve`: hats stays the parent of the command and serves it credentials
//! from a loopback endpoint, renewing the role session from the cached MFA
//! session without a prompt, so long-running tools never hold stale keys.

mod endpoint;
pub mod registry;

use crate::cli::SessionArgs;
use crate::config::Target;
use crate::context::{Context, sts_region};
use crate::error::Error;
use crate::output::{REMOVED_VARS, exports};
use crate::session::{Cache, Engine, MfaError, MfaPrompter, Request, Session};
use endpoint::{Answer, Endpoint};
use std::process::ExitCode;

/// Variables that would take precedence over the endpoint, or go stale.
const STATIC_VARS: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
];

/// Never prompts: a served session renews only while its MFA session lasts.
struct NoPrompt;

impl MfaPrompter for NoPrompt {
    async fn ask(&self, device: &crate::domain::MfaSerial) -> Result<crate::domain::MfaCode, MfaError> {
        Err(MfaError::NoTerminal {
            serial: device.to_string(),
        })
    }
}

/// Runs `command` as a child with an endpoint serving `target`'s credentials;
/// `first` is the session already obtained (with a prompt, if one was needed);
/// `started` runs once the command has started (the hand-out happened).
pub async fn serve_command(
    ctx: &Context,
    target: &Target,
    first: &Session,
    args: &SessionArgs,
    mut command: tokio::process::Command,
    started: impl FnOnce(),
) -> Result<ExitCode, Error> {
    let endpoint = Endpoint::bind().await?;
    let cache: Option<Cache> = if args.no_cache {
        None
    } else {
        ctx.open_cache().await?
    };
    let cache = cache.as_ref();
    // Renewals are scoped down exactly like the first session.
    let policy = ctx.presets.scope(args.scope_request())?.map(|scope| scope.policy);
    let request = Request {
        duration: args.duration,
        mfa_code: None,
        region: sts_region(target, args.region.as_deref()),
        refresh: false,
    };
    let vars = exports(target, first, args.region.as_deref());
    for name in REMOVED_VARS
        .iter()
        .chain(STATIC_VARS.iter())
        .chain(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"].iter())
    {
        command.env_remove(name);
    }
    command
        .envs(
            vars.vars
                .iter()
                .filter(|(k, _)| !STATIC_VARS.contains(k))
                .map(|(k, v)| (k, v)),
        )
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url()?)
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", endpoint.token());
    drop(vars);
    let program = command.as_std().get_program().to_string_lossy().into_owned();
    let program_name = std::path::Path::new(&program)
        .file_name()
        .map_or_else(|| program.clone(), |n| n.to_string_lossy().into_owned());
    let mut child = command
        .spawn()
        .map_err(|source| Error::Spawn { program, source })?;
    started();
    let mut registration = registry::Registration::new(
        &ctx.paths.cache_dir,
        &target.name,
        &program_name,
        ctx.clock.now(),
        first.expiration,
    );
    let mut interrupts = signal(libc::SIGINT)?;
    let mut terminations = signal(libc::SIGTERM)?;
    let status = loop {
        tokio::select! {
            status = child.wait() => break status?,
            connection = endpoint.accept() => {
                let Ok(stream) = connection else { continue };
                let request = request.clone();
                let handed_out = std::cell::Cell::new(None);
                let _ = endpoint.handle(stream, || async {
                    let log = |l: &str| ctx.log(l);
                    match Engine::new(&ctx.settings, ctx.clock, cache, &NoPrompt, request, &log)
                        .with_policy(policy.clone())
                        .renewing()
                        .resolve(target)
                        .await
                    {
                        Ok(session) => {
                            handed_out.set(Some(session.expiration));
                            Answer::Credentials(container_json(&session))
                        }
                        Err(e) => {
                            eprintln!(
                                "hats: cannot renew the credentials of \"{}\" for the served command: {e}; \
                                 run `hats env {}` (or `hats`) to authenticate again",
                                target.name, target.name
                            );
                            Answer::Unavailable(format!("hats cannot renew \"{}\": {e}", target.name))
                        }
                    }
                }).await;
                if let Some(expires) = handed_out.take() {
                    registration.renewed(expires);
                }
            }
            // Ctrl-C reaches the child through the terminal; hats itself waits.
            _ = interrupts.recv() => {}
            _ = terminations.recv() => forward_terminate(&child),
        }
    };
    Ok(exit_code(status))
}

/// The container-credentials document.
fn container_json(session: &Session) -> String {
    serde_json::json!({
        "AccessKeyId": session.credentials.access_key_id,
        "SecretAccessKey": session.credentials.secret_access_key(),
        "Token": session.credentials.session_token(),
        "Expiration": session.expiration.to_string(),
    })
    .to_string()
}

fn signal(number: i32) -> std::io::Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::from_raw(number))
}

fn forward_terminate(child: &tokio::process::Child) {
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) with a pid we spawned and still wait for.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
}

/// The child's status as hats' exit code: its code, or 128 + the signal that ended it.
fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    let code = status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1);
    ExitCode::from(u8::try_from(code.clamp(0, 255)).unwrap_or(1))
}

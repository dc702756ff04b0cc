//! `--serve`: hats stays the parent of the command and serves it credentials
//! from a loopback endpoint, renewing the role session from the cached MFA
//! session without a prompt, so long-running tools never hold stale keys.

mod alone;
mod connections;
mod endpoint;
mod os;
pub mod registry;

pub use alone::{Bound, bind_alone, serve_alone};

use crate::cli::SessionArgs;
use crate::context::{Context, sts_region};
use crate::error::Error;
use crate::inventory::Target;
use crate::output::{REMOVED_VARS, exports};
use crate::session::{Cache, Engine, MfaError, MfaPrompter, Request, Session};
use connections::{Connections, Slot};
use endpoint::{Answer, Endpoint};
use std::io::Write as _;
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
    let endpoint = Endpoint::bind(Endpoint::LOOPBACK)
        .await
        .map_err(Error::doing("open the local credentials endpoint"))?;
    let renewal = Renewal::prepare(ctx, target, args).await?;
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
        .env(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            endpoint
                .url()
                .map_err(Error::doing("read the local endpoint's address"))?,
        )
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", endpoint.token());
    drop(vars);
    let program = command.as_std().get_program().to_string_lossy().into_owned();
    let program_name = std::path::Path::new(&program)
        .file_name()
        .map_or_else(|| program.clone(), |n| n.to_string_lossy().into_owned());
    // In hats' process group, so it keeps the terminal; on Windows in a Job
    // Object, so what it starts ends with it.
    crate::process_group::Tied::prepare(&mut command);
    let mut child = command.spawn().map_err(|source| Error::Spawn {
        program: program.clone(),
        source,
    })?;
    let group =
        crate::process_group::Tied::adopt(&mut child).map_err(|source| Error::Spawn { program, source })?;
    started();
    let mut registration = registry::Registration::new(
        &ctx.paths.cache_dir,
        &target.name,
        &program_name,
        ctx.clock.now(),
        first.expiration,
    );
    let renewer = renewal.renewer(ctx, target);
    let status = serve_until_exit(&endpoint, &mut child, &group, &renewer, &mut registration)
        .await
        .map_err(Error::doing("serve credentials to the command"))?;
    Ok(os::exit_code(status))
}

/// Answers the endpoint's connections and passes on a request to end until the child ends.
async fn serve_until_exit(
    endpoint: &Endpoint,
    child: &mut tokio::process::Child,
    group: &crate::process_group::Tied,
    renewer: &Renewer<'_>,
    registration: &mut registry::Registration,
) -> std::io::Result<std::process::ExitStatus> {
    let mut stops = os::Stops::listen()?;
    let child_ends = async {
        loop {
            tokio::select! {
                status = child.wait() => return status,
                stop = stops.next() => match stop {
                    // Ctrl-C reaches the child through the terminal; hats itself waits.
                    os::Stop::Interrupt => {}
                    os::Stop::Terminate => os::terminate(child, group),
                },
            }
        }
    };
    serve_until(endpoint, renewer, registration, child_ends).await
}

/// Answers the endpoint's connections until `done` completes, and returns its
/// output. Connections are handled side by side (`connections.rs`): none of
/// them can hold up `done` (a child's end, a signal) or another connection.
async fn serve_until<T>(
    endpoint: &Endpoint,
    renewer: &Renewer<'_>,
    registration: &mut registry::Registration,
    done: impl std::future::Future<Output = T>,
) -> T {
    let mut connections = Connections::new();
    tokio::pin!(done);
    loop {
        tokio::select! {
            out = &mut done => return out,
            connection = endpoint.accept() => {
                let Ok(stream) = connection else { continue };
                // Refused (closed at once) only when every slot is being answered.
                let Some(slot) = connections.admit(os::raw_socket(&stream)) else { continue };
                connections.start(serve_one(endpoint, stream, slot, renewer));
            }
            handed_out = connections.finished() => {
                if let Some(expires) = handed_out {
                    registration.renewed(expires);
                }
            }
        }
    }
}

/// What every renewal reuses: the session cache, the scope-down and the request.
struct Renewal {
    cache: Option<Cache>,
    /// The keyring under `--no-cache`, for a source whose long-term key is there.
    keys: Option<Cache>,
    policy: Option<crate::domain::SessionPolicy>,
    request: Request,
}

impl Renewal {
    /// Opens the cache (unless `--no-cache`) and reads the scope-down `args` ask for.
    async fn prepare(ctx: &Context, target: &Target, args: &SessionArgs) -> Result<Self, Error> {
        let cache = if args.no_cache {
            None
        } else {
            ctx.open_cache().await?
        };
        let in_keyring = target
            .key_profile()
            .is_some_and(|(_, at)| at == crate::inventory::KeysAt::Keyring);
        let keys = if args.no_cache && in_keyring {
            ctx.open_cache().await?
        } else {
            None
        };
        // Renewals are scoped down exactly like the first session.
        let policy = ctx.presets.scope(args.scope_request())?.map(|scope| scope.policy);
        let request = Request {
            duration: args.duration,
            mfa_code: None,
            region: sts_region(target, args.region.as_deref()),
            refresh: false,
        };
        Ok(Self {
            cache,
            keys,
            policy,
            request,
        })
    }

    fn renewer<'a>(&'a self, ctx: &'a Context, target: &'a Target) -> Renewer<'a> {
        Renewer {
            ctx,
            target,
            cache: self.cache.as_ref(),
            keys: self.keys.as_ref(),
            policy: self.policy.as_ref(),
            request: self.request.clone(),
        }
    }
}

/// Everything needed to answer a request: the engine's inputs, without a prompt.
struct Renewer<'a> {
    ctx: &'a Context,
    target: &'a Target,
    cache: Option<&'a Cache>,
    keys: Option<&'a Cache>,
    policy: Option<&'a crate::domain::SessionPolicy>,
    request: Request,
}

impl Renewer<'_> {
    /// The current credentials (renewed from the cached MFA session when due),
    /// or an error for the child; with the expiry of what was handed out.
    async fn answer(&self) -> (Answer, Option<jiff::Timestamp>) {
        let (ctx, target) = (self.ctx, self.target);
        let log = |l: &str| ctx.log(l);
        // Under --no-cache the keyring is open only for a source's long-term key:
        // sessions made with it are not kept.
        let resolved = Engine::new(
            &ctx.settings,
            ctx.clock,
            self.cache.or(self.keys),
            &NoPrompt,
            self.request.clone(),
            &log,
        )
        .keeping_sessions(self.cache.is_some())
        .with_policy(self.policy.cloned())
        .renewing()
        .resolve(target)
        .await;
        match resolved {
            Ok(session) => (
                Answer::Credentials(container_json(&session)),
                Some(session.expiration),
            ),
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "hats: cannot renew the credentials of \"{}\" for the served command: {e}; \
                     run `hats env {}` (or `hats`) to authenticate again",
                    target.name,
                    target.name
                );
                let message = format!("hats cannot renew \"{}\": {e}", target.name);
                (Answer::Unavailable(message), None)
            }
        }
    }
}

/// One connection: its request head (within the deadline, unless shed first),
/// then its answer. Returns the expiry of the session handed out, if one was.
async fn serve_one(
    endpoint: &Endpoint,
    mut stream: tokio::net::TcpStream,
    slot: Slot,
    renewer: &Renewer<'_>,
) -> Option<jiff::Timestamp> {
    // The slot is held to the end: while it lives, its socket may be shed.
    let request = endpoint.read_request(&mut stream).await?;
    slot.head_read();
    let mut handed_out = None;
    let answer = async {
        let (answer, expires) = renewer.answer().await;
        handed_out = expires;
        answer
    };
    let _ = endpoint.respond(stream, &request, answer).await;
    handed_out
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

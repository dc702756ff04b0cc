//! `hats serve`: the renewing container-credentials endpoint on its own, with
//! no child, until SIGINT or SIGTERM, for containers and other processes hats
//! does not start.
//!
//! The two variables a container needs (the token included) go to stdout,
//! once, for the person who started it: the token is drawn per process, kept
//! only in memory and worthless once this process ends, and a container cannot
//! be given it any other way without writing it to a file. Notices go to
//! stderr and never hold the token.

use super::{Renewal, endpoint::Endpoint, registry};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::inventory::Target;
use crate::session::Session;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

/// What the switcher and the registry show as the served "command".
const SERVED_NAME: &str = "containers";

/// `hats serve`'s endpoint, bound before anything else: a taken port or a
/// foreign address fails at once, before any MFA prompt or STS call.
pub struct Bound(Endpoint);

/// Binds `listen` (loopback, a free port, when `None`).
pub async fn bind_alone(listen: Option<SocketAddr>) -> Result<Bound, Error> {
    let address = listen.unwrap_or(Endpoint::LOOPBACK);
    let endpoint = Endpoint::bind(address).await.map_err(|e| {
        Error::Usage(format!(
            "cannot listen on \"{address}\": {e}; name an address of this machine and a free port, e.g. --listen 127.0.0.1:9911"
        ))
    })?;
    Ok(Bound(endpoint))
}

/// Serves `target`'s credentials on `bound` until stopped; `first` is the
/// session already obtained; `started` runs once the endpoint's variables are out.
pub async fn serve_alone(
    ctx: &Context,
    target: &Target,
    first: &Session,
    args: &SessionArgs,
    bound: Bound,
    started: impl FnOnce(),
) -> Result<ExitCode, Error> {
    let Bound(endpoint) = bound;
    let renewal = Renewal::prepare(ctx, target, args).await?;
    let url = endpoint
        .url()
        .map_err(Error::doing("read the local endpoint's address"))?;
    let region = crate::output::exports(target, first, args.region.as_deref())
        .vars
        .iter()
        .find(|(k, _)| *k == "AWS_REGION")
        .map(|(_, v)| v.clone());
    // Registered and listening for signals before the variables are shown:
    // once a user (or a script) has them, the switcher lists this server and a
    // Ctrl-C or SIGTERM ends it cleanly.
    let mut registration = registry::Registration::new(
        &ctx.paths.cache_dir,
        &target.name,
        SERVED_NAME,
        ctx.clock.now(),
        first.expiration,
    );
    let mut stops = super::os::Stops::listen().map_err(Error::doing("listen for stop signals"))?;
    print_variables(&url, endpoint.token(), region.as_deref()).map_err(Error::Output)?;
    notice(target, &endpoint).map_err(Error::doing("print where the endpoint listens"))?;
    started();
    let stopped = async {
        stops.next().await;
    };
    super::serve_until(
        &endpoint,
        &renewal.renewer(ctx, target),
        &mut registration,
        stopped,
    )
    .await;
    // Dropping the registration removes it: the switcher stops showing it.
    Ok(ExitCode::SUCCESS)
}

/// The variables and a `docker run` that uses them, on stdout. The `docker`
/// line passes the variables by name (`-e NAME`), so the token is in neither
/// its argv nor the shell's history line.
fn print_variables(url: &str, token: &str, region: Option<&str>) -> std::io::Result<()> {
    let region = region.map_or_else(String::new, |r| format!(" -e AWS_REGION={r}"));
    let mut out = std::io::stdout().lock();
    writeln!(out, "export AWS_CONTAINER_CREDENTIALS_FULL_URI={url}")?;
    writeln!(out, "export AWS_CONTAINER_AUTHORIZATION_TOKEN={token}")?;
    writeln!(
        out,
        "docker run --rm --network host -e AWS_CONTAINER_CREDENTIALS_FULL_URI \
         -e AWS_CONTAINER_AUTHORIZATION_TOKEN{region} amazon/aws-cli sts get-caller-identity"
    )?;
    out.flush()
}

/// What is served where, on stderr; a warning when the SDKs would refuse the URL.
fn notice(target: &Target, endpoint: &Endpoint) -> std::io::Result<()> {
    let address = endpoint.local_addr()?;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "hats: serving \"{}\" on {address} until Ctrl-C; renewed from the cached session, never with a prompt",
        target.name
    )?;
    if address.ip().is_unspecified() {
        writeln!(
            err,
            "hats: \"{}\" is every address of this machine: anyone who can reach port {} from the network \
             can ask for these credentials with the token, which crosses the network in clear; the URL above \
             names this machine's loopback address, the one the AWS SDKs accept over plain HTTP; to serve this \
             machine only, leave out --listen",
            address.ip(),
            address.port()
        )?;
    } else if !sdk_accepts_over_http(address.ip()) {
        writeln!(
            err,
            "hats: \"{}\" is not a loopback address: the AWS SDKs take a plain-HTTP \
             AWS_CONTAINER_CREDENTIALS_FULL_URI only on loopback (or ECS/EKS's link-local \
             addresses), and the token crosses the network in clear; prefer the default \
             address with `docker run --network host`",
            address.ip()
        )?;
    }
    Ok(())
}

/// Whether botocore and the AWS SDK for Rust accept this host in a plain-HTTP
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (an unspecified bind is named by its
/// loopback address). Both allow loopback, ECS's 169.254.170.2 and EKS Pod
/// Identity's 169.254.170.23 and fd00:ec2::23.
pub fn sdk_accepts_over_http(ip: std::net::IpAddr) -> bool {
    let container_hosts: [std::net::IpAddr; 3] = [
        [169, 254, 170, 2].into(),
        [169, 254, 170, 23].into(),
        [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23].into(),
    ];
    ip.is_loopback() || ip.is_unspecified() || container_hosts.contains(&ip)
}

#[cfg(test)]
mod tests {
    use super::sdk_accepts_over_http;

    #[test]
    fn the_sdks_allow_list_takes_loopback_and_container_hosts_only() {
        for ok in [
            "127.0.0.1",
            "127.0.0.2",
            "::1",
            "0.0.0.0",
            "169.254.170.2",
            "169.254.170.23",
            "fd00:ec2::23",
        ] {
            assert!(sdk_accepts_over_http(ok.parse().unwrap()), "{ok}");
        }
        for refused in ["172.17.0.1", "10.0.0.5", "169.254.169.254", "192.168.1.2"] {
            assert!(!sdk_accepts_over_http(refused.parse().unwrap()), "{refused}");
        }
    }
}

//! `hats login`: the AWS console in the browser, signed in as the target and
//! opened by its launcher (`console/`), or the URL or command printed.

use super::obtain;
use crate::config::LauncherKind;
use crate::console::{Console, Landing};
use crate::context::{Context, check_partition, sts_region};
use crate::domain::Partition;
use crate::error::Error;
use crate::inventory::Spec;
use std::io::Write;

/// What `hats login` was asked for besides the target and the session.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// Print instead of opening: the URL, or with `launcher` the command.
    pub print: bool,
    /// The launcher named on the command line.
    pub launcher: Option<LauncherKind>,
    /// The page to land on.
    pub landing: Landing,
    /// Sign the browser out first, whatever the configuration says.
    pub sign_out: bool,
}

impl LoginOptions {
    /// The options from `hats login`'s flags (`--destination` wins over `--service`).
    pub fn new(
        print: bool,
        launcher: Option<LauncherKind>,
        service: &Option<String>,
        destination: &Option<String>,
        sign_out: bool,
    ) -> Self {
        let landing = match (service, destination) {
            (_, Some(path)) => Landing::Destination(path.clone()),
            (Some(name), None) => Landing::Service(name.clone()),
            (None, None) => Landing::Home,
        };
        Self {
            print,
            launcher,
            landing,
            sign_out,
        }
    }
}

/// Builds the sign-in URL and opens it with the target's launcher (or prints it).
pub async fn login(
    ctx: &Context,
    name: &str,
    options: &LoginOptions,
    args: &crate::cli::SessionArgs,
) -> Result<(), Error> {
    let found = ctx.target(name)?;
    if !matches!(found.spec, Spec::Role(_) | Spec::Sso(_)) {
        return Err(Error::Usage(format!(
            "\"{name}\" is an MFA user session; the console only accepts role credentials, pick a role target"
        )));
    }
    let region = sts_region(found, args.region.as_deref());
    check_partition(found, &region).map_err(Error::Usage)?;
    let console =
        Console::new(ctx, found, options.launcher, &options.landing, &region).map_err(Error::Usage)?;
    if let Some(url) = console.portal_url() {
        // The portal signs in with the user's own portal session: no credentials leave hats.
        return deliver(&console, url, options);
    }
    let (target, session, receipt) = obtain(ctx, name, args).await?;
    let plain_print = options.print && options.launcher.is_none();
    let sign_out = if plain_print {
        options.sign_out
    } else {
        console.should_sign_out(ctx, options.sign_out)
    };
    let endpoint = federation_endpoint(ctx, console.partition);
    let (credentials, asking) = (session.credentials.clone(), console.clone());
    let url = tokio::task::spawn_blocking(move || asking.signin_url(&credentials, &endpoint, sign_out))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
    deliver(&console, &url, options)?;
    if !options.print {
        console.remember(ctx, session.expiration);
    }
    receipt.record(ctx, target, crate::history::Handout::Console);
    Ok(())
}

/// Prints `url` (or the launcher's command for it), or opens it.
fn deliver(console: &Console, url: &str, options: &LoginOptions) -> Result<(), Error> {
    if options.print {
        let line = if options.launcher.is_some() {
            console.launcher.command(url).display()
        } else {
            url.to_owned()
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}").map_err(Error::Output)?;
        out.flush().map_err(Error::Output)?;
        return Ok(());
    }
    console
        .open(url)
        .map_err(|e| Error::Usage(format!("{e}; hats login --print prints the URL to open yourself")))?;
    eprintln!(
        "hats: opened the AWS console for \"{}\" ({})",
        crate::config::printable(&console.target),
        console.describe()
    );
    Ok(())
}

/// `HATS_FEDERATION_ENDPOINT`, else the configured one, else `partition`'s
/// (signin.aws.amazon.com, signin.amazonaws-us-gov.com, signin.amazonaws.cn).
pub fn federation_endpoint(ctx: &Context, partition: Partition) -> String {
    std::env::var("HATS_FEDERATION_ENDPOINT")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| ctx.settings.federation_endpoint.clone())
        .unwrap_or_else(|| partition.federation_endpoint().to_owned())
}

//! `hats login`: the AWS console in the browser, signed in as the target.

use super::obtain;
use crate::aws::signin_url;
use crate::cli::SessionArgs;
use crate::config::Spec;
use crate::context::{Context, sts_region};
use crate::domain::Partition;
use crate::error::Error;
use std::io::Write;

/// Builds the sign-in URL and opens it (or prints it with `print`).
pub async fn login(
    ctx: &Context,
    target: &str,
    print: bool,
    service: &str,
    args: &SessionArgs,
) -> Result<(), Error> {
    let found = ctx.target(target)?;
    if !matches!(found.spec, Spec::Role(_) | Spec::Sso(_)) {
        return Err(Error::Usage(format!(
            "\"{target}\" is an MFA user session; the console only accepts role credentials, pick a role target"
        )));
    }
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let partition = target.partition();
    let endpoint = federation_endpoint(ctx, partition);
    let region = sts_region(target, args.region.as_deref());
    let credentials = session.credentials.clone();
    let service = service.to_owned();
    let url = tokio::task::spawn_blocking(move || {
        signin_url(&credentials, &endpoint, partition, &service, &region)
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
    if print {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{url}")?;
        out.flush()?;
    } else {
        open_browser(&url)?;
    }
    receipt.record(ctx, target, crate::history::Handout::Console);
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

fn open_browser(url: &str) -> Result<(), Error> {
    open_browser_quietly(url).map_err(Error::Usage)?;
    eprintln!("hats: opened the AWS console in your browser");
    Ok(())
}

/// Opens `url` with `$BROWSER`, else the platform's opener; the error is a sentence.
pub fn open_browser_quietly(url: &str) -> Result<(), String> {
    let opener = crate::signin::browser_program();
    let status = std::process::Command::new(&opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {opener}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{opener} could not open the browser ({status}); use hats login --print"
        ))
    }
}

//! `hats env`: exports on stdout for `eval`.

use super::obtain;
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::output::{Format, exports, render};
use std::io::Write;

/// Prints the target's exports in `format`.
pub async fn env(ctx: &Context, target: &str, format: Format, args: &SessionArgs) -> Result<(), Error> {
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let mut vars = exports(target, &session, args.region.as_deref());
    // A shell that evals the exports keeps its own region settings and reads
    // ~/.aws/config itself; a JSON or .env consumer (docker --env-file, CI) reads
    // neither, so it gets the region the child would have seen spelled out.
    if matches!(format, Format::Json | Format::Dotenv)
        && let Some(region) = child_region(ctx)
    {
        vars.set_region_if_missing(&region);
    }
    let text = render(&vars, format);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    // Only exports that were written are a hand-out.
    receipt.record(ctx, target, crate::history::Handout::Env);
    Ok(())
}

/// The region a child of this shell would use when the target names none:
/// `AWS_REGION`, `AWS_DEFAULT_REGION`, then `[default]` in the AWS config
/// (hand-outs remove `AWS_PROFILE`, so no other profile applies).
fn child_region(ctx: &Context) -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|r| !r.is_empty())
        .or_else(|| ctx.targets.default_region.clone())
}

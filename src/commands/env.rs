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
    let text = render(&exports(target, &session, args.region.as_deref()), format);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    // Only exports that were written are a hand-out.
    receipt.record(ctx, target, crate::history::Handout::Env);
    Ok(())
}

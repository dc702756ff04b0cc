//! `hats env`: exports on stdout for `eval`.

use super::obtain;
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::output::{Format, exports, render};
use std::io::Write;

/// Prints the target's exports in `format`.
pub async fn env(ctx: &Context, target: &str, format: Format, args: &SessionArgs) -> Result<(), Error> {
    let (target, session) = obtain(ctx, target, args, Some(crate::history::Handout::Env)).await?;
    let text = render(&exports(target, &session, args.region.as_deref()), format);
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

//! `hats credential-process`: the JSON document and nothing else on stdout.

use super::obtain;
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::output::credential_process_json;
use std::io::Write;

/// Prints the `credential_process` document for the target.
pub async fn credential_process(ctx: &Context, target: &str, args: &SessionArgs) -> Result<(), Error> {
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let mut out = std::io::stdout().lock();
    out.write_all(credential_process_json(&session).as_bytes())?;
    out.flush()?;
    receipt.record(ctx, target, crate::history::Handout::CredentialProcess);
    Ok(())
}

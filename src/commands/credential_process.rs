//! `hats credential-process`: the JSON document and nothing else on stdout.

use super::obtain;
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::output::credential_process_json;
use std::io::Write;

/// Prints the `credential_process` document for the target.
pub async fn credential_process(ctx: &Context, target: &str, args: &SessionArgs) -> Result<(), Error> {
    let how = Some(crate::history::Handout::CredentialProcess);
    let (_, session) = obtain(ctx, target, args, how).await?;
    std::io::stdout()
        .lock()
        .write_all(credential_process_json(&session).as_bytes())?;
    Ok(())
}

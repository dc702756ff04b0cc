//! `hats whoami`: `GetCallerIdentity` for a target's credentials, or for the
//! credentials AWS tools would use in the current environment.

use super::obtain;
use crate::aws::{CallerIdentity, Sts, ambient_credentials};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use std::io::Write;

/// Prints who the credentials belong to.
pub async fn whoami(
    ctx: &Context,
    target: Option<&str>,
    args: &SessionArgs,
    as_json: bool,
) -> Result<(), Error> {
    let (credentials, region) = match target {
        Some(name) => {
            // The credentials never leave hats: not a hand-out for the history.
            let (target, session, _) = obtain(ctx, name, args).await?;
            (
                session.credentials,
                crate::context::sts_region(target, args.region.as_deref()),
            )
        }
        None => ambient_credentials(args.region.clone()).await.map_err(|detail| {
            Error::Usage(format!(
                "no usable credentials in this environment ({detail}); name a target: hats whoami TARGET"
            ))
        })?,
    };
    let who: CallerIdentity = Sts::new(&credentials, &region).caller_identity().await?;
    let text = if as_json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&who).expect("plain data serializes")
        )
    } else {
        format!(
            "Account: {}\nArn:     {}\nUserId:  {}\n",
            who.account, who.arn, who.user_id
        )
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(Error::Output)?;
    Ok(())
}

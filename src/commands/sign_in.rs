//! Signing in on the way to a hand-out: a command whose Identity Center target
//! is signed out starts the sign-in itself when a person is at a terminal (as
//! the switcher does), telling them on the terminal, since stdout may be read
//! by `eval` and stderr by another tool. Without a terminal it fails at once
//! with the engine's "run hats sso login": nobody would see the URL.

use crate::context::Context;
use crate::error::Error;
use crate::inventory::Target;
use crate::session::{Cache, SessionError, keep_sso_token};
use crate::signin::{Lines, Options, sign_in};

/// Answers the engine's `error` for `target`: signs in to the sso-session it
/// names and keeps the token in `store` (so resolving again finds it), or
/// gives the error back when no sign-in can happen here.
pub(super) async fn sign_in_for(
    ctx: &Context,
    target: &Target,
    store: Option<&Cache>,
    error: SessionError,
) -> Result<(), Error> {
    let SessionError::SsoSignIn { session: key, why } = &error else {
        return Err(error.into());
    };
    let Some(session) = target.sso_session().filter(|s| s.key() == key) else {
        return Err(error.into());
    };
    // A token kept nowhere would be gone before the hand-out looks for it.
    if store.is_none() && !ctx.settings.sso_share_with_aws_cli {
        return Err(error.into());
    }
    let Some(mut lines) = Lines::terminal() else {
        return Err(error.into());
    };
    lines.say(&format!(
        "hats: not signed in to Identity Center \"{key}\" ({why}); signing in for \"{}\"",
        target.name
    ));
    let token = sign_in(session, Options::default(), ctx.clock.now(), store, &mut lines).await?;
    keep_sso_token(store, &ctx.settings, session, &token).await?;
    lines.say(&format!(
        "hats: signed in to \"{key}\" until {}",
        token.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    ));
    Ok(())
}

//! `hats sso login` and `hats sso logout`: sign in to an IAM Identity Center
//! session (the flows live in `signin/`), or sign out of it.

use crate::config::{SsoSession, Target};
use crate::context::Context;
use crate::error::Error;
use crate::session::{find_sso_token, keep_sso_token, keys_to_forget, token_key};
use crate::signin::{Options, sign_in};

/// Signs in to `name` (the only sso-session when `None`) and keeps the token.
pub async fn sso_login(ctx: &Context, name: Option<&str>, options: Options) -> Result<(), Error> {
    let session = pick(ctx, name)?;
    let token = sign_in(&session, options, ctx.clock.now())
        .await
        .map_err(|e| Error::Usage(e.to_string()))?;
    let cache = ctx.open_cache().await?;
    keep_sso_token(cache.as_ref(), &ctx.settings, &session, &token).await?;
    let kept = match (&cache, ctx.settings.sso_share_with_aws_cli) {
        (Some(c), false) => format!("the {} keyring", c.store_name()),
        (Some(c), true) => format!("the {} keyring and the AWS CLI's cache", c.store_name()),
        (None, true) => "the AWS CLI's cache".to_owned(),
        (None, false) => "nowhere (HATS_KEYRING=none): it lasts for no later command".to_owned(),
    };
    eprintln!(
        "hats: signed in to \"{}\" until {} (kept in {kept})",
        session.key(),
        token.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    );
    // Signing in is when a user expects to see their accounts: discover them now.
    // A failed discovery does not undo the sign-in; `hats sso sync` retries it.
    if let Err(e) = super::sso_sync::discover(ctx, cache.as_ref(), &session).await {
        eprintln!("hats: {e}");
    }
    Ok(())
}

/// Signs out of `name`: the portal's `Logout`, then its token and every cached
/// role session made through it are removed.
pub async fn sso_logout(ctx: &Context, name: Option<&str>) -> Result<(), Error> {
    let session = pick(ctx, name)?;
    let cache = ctx.open_cache().await?;
    if let Some(token) = find_sso_token(cache.as_ref(), &session).await? {
        crate::aws::Portal::new(&session.region)
            .logout(&token.access_token)
            .await?;
    }
    let mut removed = 0;
    if let Some(cache) = &cache {
        cache.delete_secret(&token_key(&session)).await?;
        let index = ctx.index().read();
        let keys: Vec<String> = ctx
            .targets
            .targets
            .iter()
            .filter(|t| uses(t, &session))
            .flat_map(|t| keys_to_forget(&index, Some(t)))
            .collect();
        removed = cache.remove(keys).await?;
    }
    if ctx.settings.sso_share_with_aws_cli {
        crate::session::remove_cli_cache(&session);
    }
    eprintln!(
        "hats: signed out of \"{}\"; removed its token and {removed} cached session{}",
        session.key(),
        if removed == 1 { "" } else { "s" }
    );
    Ok(())
}

/// Every sso-session: those the AWS config defines, then any other the targets use.
fn sessions(ctx: &Context) -> Vec<SsoSession> {
    let mut found: Vec<SsoSession> = ctx.sso_sessions.iter().map(|(s, _)| (**s).clone()).collect();
    for target in &ctx.targets.targets {
        if let Some(session) = target.sso_session()
            && !found.iter().any(|s| s.key() == session.key())
        {
            found.push(session.clone());
        }
    }
    found
}

pub(super) fn pick(ctx: &Context, name: Option<&str>) -> Result<SsoSession, Error> {
    let all = sessions(ctx);
    let names = || {
        all.iter()
            .map(|s| format!("\"{}\"", s.key()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => all.iter().find(|s| s.key() == name).cloned().ok_or_else(|| {
            Error::Usage(format!(
                "no sso-session \"{}\" is used by a profile; known: {}",
                crate::config::printable(name),
                if all.is_empty() {
                    "none".to_owned()
                } else {
                    names()
                }
            ))
        }),
        None => match all.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::Usage(
                "no IAM Identity Center sign-in is configured; add an [sso-session NAME] with sso_start_url \
                 and sso_region to ~/.aws/config"
                    .into(),
            )),
            _ => Err(Error::Usage(format!(
                "several sso-sessions: {}; name one (hats sso login NAME)",
                names()
            ))),
        },
    }
}

fn uses(target: &Target, session: &SsoSession) -> bool {
    target.sso_session().is_some_and(|s| s.key() == session.key())
}

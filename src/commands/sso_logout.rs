//! `hats sso logout`: signs out of an Identity Center session.
//!
//! Everything this machine holds of the sign-in goes first: its token in every
//! keyring, the role sessions made through it, and the AWS CLI's cache file for
//! its start URL (whoever wrote it, and whatever `sso_share_with_aws_cli` says
//! now: hats reads that file too). The portal's `Logout` comes last and is best
//! effort, so an unreachable portal never leaves a usable sign-in behind; the
//! user is told when the portal could not be reached.

use super::forget::forget_where;
use crate::config::SsoSession;
use crate::context::Context;
use crate::error::Error;
use crate::session::{
    Cache, Forgotten, ItemKind, SsoToken, kept_token, read_cli_cache_async, remove_cli_cache, role_key_label,
    token_key,
};
use secrecy::ExposeSecret;
use std::collections::HashSet;

/// Signs out of `name` (the only sso-session when `None`).
pub async fn sso_logout(ctx: &Context, name: Option<&str>) -> Result<(), Error> {
    let session = super::sso::pick(ctx, name)?;
    let cache = ctx.open_cache().await?;
    // Read before anything goes: they are what the portal is told about.
    let tokens = sign_in_tokens(cache.as_ref(), &session).await;
    let local = remove_local(ctx, cache.as_ref(), &session).await;
    let told = tell_portal(&session, &tokens).await;
    let key = session.key();
    let removed = match &local {
        Ok(removed) => removed.clone(),
        Err(_) => "part of what was kept (see below)".to_owned(),
    };
    match &told {
        Ok(true) => eprintln!("hats: signed out of \"{key}\" at the portal; removed {removed}"),
        Ok(false) => eprintln!("hats: signed out of \"{key}\"; removed {removed}"),
        Err(why) => {
            eprintln!("hats: signed out of \"{key}\" on this machine; removed {removed}");
            eprintln!("hats: {why}");
        }
    }
    local.map(|_| ())
}

/// The tokens of `session` this machine holds: the keyring's and the AWS
/// CLI's, each once. A token that cannot be read is of no use to the portal.
async fn sign_in_tokens(cache: Option<&Cache>, session: &SsoSession) -> Vec<SsoToken> {
    let mut tokens = Vec::new();
    if let Ok(Some(token)) = kept_token(cache, session).await {
        tokens.push(token);
    }
    if let Some(theirs) = read_cli_cache_async(session).await.token
        && !tokens
            .iter()
            .any(|t| t.access_token.expose_secret() == theirs.access_token.expose_secret())
    {
        tokens.push(theirs);
    }
    tokens
}

/// Removes the token, the role sessions made through it and the AWS CLI's
/// file; what was removed, in words.
async fn remove_local(ctx: &Context, cache: Option<&Cache>, session: &SsoSession) -> Result<String, Error> {
    let labels: HashSet<String> = ctx
        .targets
        .targets
        .iter()
        .filter(|t| t.sso_session().is_some_and(|s| s.key() == session.key()))
        .map(|t| t.name.clone())
        .collect();
    let token = token_key(session);
    let own_token = token.clone();
    let belongs = move |key: &str| {
        key == own_token
            || (ItemKind::of(key) == ItemKind::RoleSession
                && role_key_label(key).is_some_and(|l| labels.contains(l)))
    };
    let forgotten = forget_where(ctx, belongs).await?.unwrap_or_default();
    // The chosen store again, by name: a store that cannot list its entries still gives it up.
    let mut token_removed = forgotten.removed.contains(&token);
    if let Some(cache) = cache {
        token_removed |= cache.secret(&token).await?.is_some();
        cache.delete_secret(&token).await?;
    }
    let owned = session.clone();
    let file = tokio::task::spawn_blocking(move || remove_cli_cache(&owned))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
        .map_err(Error::doing("remove the AWS CLI's cache file"))?;
    Ok(describe(&forgotten, token_removed, file.is_some()))
}

/// "its sign-in token, its copy in the AWS CLI's cache and 2 role sessions".
fn describe(forgotten: &Forgotten, token: bool, cli_file: bool) -> String {
    let mut parts = Vec::new();
    if token {
        parts.push("its sign-in token".to_owned());
    }
    if cli_file {
        parts.push("its copy in the AWS CLI's cache".to_owned());
    }
    let roles = Forgotten::by_kind(&forgotten.removed)
        .into_iter()
        .find(|(kind, _)| *kind == ItemKind::RoleSession);
    if let Some((kind, n)) = roles {
        parts.push(kind.count(n));
    }
    match parts.as_slice() {
        [] => "nothing (no sign-in or role session was kept)".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `Logout` for each token: whether any was sent, or why the portal could
/// not be told (the sign-in then stays valid there until it expires).
async fn tell_portal(session: &SsoSession, tokens: &[SsoToken]) -> Result<bool, String> {
    let portal = crate::aws::Portal::new(&session.region);
    for token in tokens {
        if let Err(e) = portal.logout(&token.access_token).await {
            let until = token.expires_at.strftime("%Y-%m-%d %H:%M UTC");
            return Err(format!(
                "the portal could not be told ({e}); the sign-in stays valid there until {until}, \
                 but nothing of it is left on this machine"
            ));
        }
    }
    Ok(!tokens.is_empty())
}

//! `hats sso sync`: discovers the accounts and roles an sso-session's user is
//! assigned, with a progress bar on stderr when it is a terminal. Also the
//! automatic discovery after `hats sso login` and before a command whose target
//! name is not known yet. Never run by `hats ls`, which makes no network call.

use crate::aws::SsoProgress;
use crate::config::SsoSession;
use crate::context::Context;
use crate::error::Error;
use crate::session::Cache;

/// Discovers `name` (the only sso-session when `None`) now.
pub async fn sso_sync(ctx: &Context, name: Option<&str>) -> Result<(), Error> {
    let session = super::sso::pick(ctx, name)?;
    let cache = ctx.open_cache().await?;
    discover(ctx, cache.as_ref(), &session).await
}

/// Discovers `session` with a progress bar and reports what was found on stderr.
pub(super) async fn discover(
    ctx: &Context,
    cache: Option<&Cache>,
    session: &SsoSession,
) -> Result<(), Error> {
    let bar = super::progress::stderr_bar();
    let key = session.key();
    let report = |p: SsoProgress| match p {
        SsoProgress::Accounts(n) => bar.set_message(format!("Identity Center {key}: accounts {n}")),
        SsoProgress::Roles(done, total) => {
            bar.set_message(format!("Identity Center {key}: roles"));
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let result = crate::org::sync_identity_center(ctx, cache, session, &report).await;
    bar.finish_and_clear();
    let inventory = result.map_err(|e| {
        let kept = if synced_before(ctx, session) {
            "the previous inventory is kept"
        } else {
            "not synced yet"
        };
        Error::SyncFailed(format!("Identity Center sync of \"{key}\" failed ({kept}): {e}"))
    })?;
    let roles: usize = inventory.accounts.iter().map(|a| a.roles.len()).sum();
    eprintln!(
        "hats: Identity Center \"{key}\" synced: {} accounts, {roles} roles",
        inventory.accounts.len()
    );
    Ok(())
}

/// Before a command whose target is not known yet: discovers every sso-session
/// whose inventory is missing or stale and that has a usable sign-in; one
/// without a sign-in gets a hint.
/// Returns whether anything was discovered (the targets must then be reloaded).
pub async fn sync_stale(ctx: &Context) -> Result<bool, Error> {
    let stale = crate::org::stale_sessions(ctx);
    if stale.is_empty() {
        return Ok(false);
    }
    let cache = ctx.open_cache().await?;
    let mut synced = false;
    for session in stale {
        match discover(ctx, cache.as_ref(), &session).await {
            Ok(()) => synced = true,
            Err(e) => eprintln!("hats: {e}"),
        }
    }
    Ok(synced)
}

/// Whether `session` has an inventory from an earlier sync.
fn synced_before(ctx: &Context, session: &SsoSession) -> bool {
    ctx.sso_sessions
        .iter()
        .any(|(s, fetched)| s.key() == session.key() && fetched.is_some())
}

/// After a listing: names every sso-session that was never synced, since its
/// accounts are missing from the list (`ls` itself makes no network call).
pub fn note_unsynced(ctx: &Context) {
    for (session, _) in ctx.sso_sessions.iter().filter(|(_, fetched)| fetched.is_none()) {
        let key = session.key();
        eprintln!(
            "hats: Identity Center \"{key}\" is not synced yet, so its accounts are not listed; \
             \"hats sso login {key}\" signs in and syncs (\"hats sso sync {key}\" when signed in)"
        );
    }
}

//! Identity Center discovery through the engine: the sso-session's sign-in
//! token (keyring, AWS CLI cache, silent refresh; never a sign-in), then the
//! assigned accounts and roles, cached per session as an inventory (no secrets,
//! file 0600). A failed sync keeps the old inventory.

use crate::aws::{AwsError, SsoProgress, discover_assignments};
use crate::config::{SsoSession, sso_inventory_path};
use crate::context::Context;
use crate::domain::Inventory;
use crate::error::Error;
use crate::fs_private::write_atomic;
use crate::session::{Cache, Engine, Request, SessionError, TerminalPrompter};

/// Discovers what `session`'s user is assigned and replaces its cached inventory.
pub async fn sync_identity_center(
    ctx: &Context,
    cache: Option<&Cache>,
    session: &SsoSession,
    progress: &(dyn Fn(SsoProgress) + Sync),
) -> Result<Inventory, Error> {
    let log = |line: &str| ctx.log(line);
    // The token step never prompts: the prompter is only a type here.
    let engine = Engine::new(
        &ctx.settings,
        ctx.clock,
        cache,
        &TerminalPrompter,
        Request::default(),
        &log,
    );
    let token = engine.sso_token(session).await?;
    ctx.log(&format!("{}: ListAccounts, ListAccountRoles", session.key()));
    let accounts = discover_assignments(&session.region, &token.access_token, progress)
        .await
        .map_err(|e| match e {
            AwsError::SsoSignedOut => Error::from(SessionError::SsoSignIn {
                session: session.key().to_owned(),
                why: "the portal refused the token".into(),
            }),
            other => other.into(),
        })?;
    let inventory = Inventory {
        fetched_at: ctx.clock.now(),
        accounts,
        partition: crate::domain::Partition::of_region(&session.region),
        region: Some(session.region.clone()),
    };
    let path = sso_inventory_path(&ctx.paths.cache_dir, session);
    let saving = || {
        Error::doing(format!(
            "save the Identity Center inventory to {}",
            path.display()
        ))
    };
    let bytes = serde_json::to_vec(&inventory)
        .map_err(std::io::Error::other)
        .map_err(saving())?;
    write_atomic(&path, &bytes).map_err(saving())?;
    Ok(inventory)
}

/// The sessions whose inventory is missing or older than the TTL.
pub fn stale_sessions(ctx: &Context) -> Vec<std::sync::Arc<SsoSession>> {
    let now = ctx.clock.now();
    let ttl = ctx
        .identity_center
        .as_ref()
        .and_then(|e| e.ttl)
        .unwrap_or(crate::config::DEFAULT_TTL);
    ctx.sso_sessions
        .iter()
        .filter(|(_, fetched)| {
            fetched.is_none_or(|at| now.as_second() - at.as_second() >= i64::from(ttl.as_secs()))
        })
        .map(|(s, _)| std::sync::Arc::clone(s))
        .collect()
}

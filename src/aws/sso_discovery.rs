//! Identity Center discovery: every account the signed-in user is assigned
//! (`ListAccounts`), then the roles (permission sets) in each (`ListAccountRoles`).
//!
//! Pages are followed to the end; at most `CONCURRENCY` role listings run at
//! once. Every call only reads, so throttling (`TooManyRequestsException`),
//! server errors and timeouts are retried by the SDK with jittered exponential
//! backoff, as organization discovery does. Returns plain records (names cleaned
//! of control characters); caching and targets are not this module's business.

use super::AwsError;
use super::sso::Portal;
use crate::domain::{OrgAccount, clean_text};
use aws_config::retry::RetryConfig;
use aws_sdk_sso::error::ProvideErrorMetadata;
use futures_util::StreamExt;
use futures_util::stream::{self, TryStreamExt};
use secrecy::{ExposeSecret, SecretString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Requests in flight at once: the organization's bound, for the same reasons
/// (the portal throttles per user; more parallelism only buys 429s).
const CONCURRENCY: usize = 8;
/// Page size: the largest the portal allows.
const PAGE: i32 = 100;

/// How far Identity Center discovery has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoProgress {
    /// Listing accounts: accounts found so far.
    Accounts(usize),
    /// Listing roles: accounts done of total.
    Roles(usize, usize),
}

/// Every assigned account with its roles, sorted by name then id. Accounts
/// without any role are left out: nothing could be handed out in them.
pub async fn discover_assignments(
    region: &str,
    token: &SecretString,
    progress: &(dyn Fn(SsoProgress) + Sync),
) -> Result<Vec<OrgAccount>, AwsError> {
    // Throttling is expected at scale: 10 attempts whose pauses (at most 9 s)
    // fit in one call's bound (`timeouts::OPERATION`), as for Organizations.
    let portal = Portal::with_retries(
        region,
        RetryConfig::standard()
            .with_max_attempts(10)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(1500)),
    );
    let started = Instant::now();
    let mut accounts = list_accounts(&portal, token, started, progress).await?;
    let total = accounts.len();
    let done = AtomicUsize::new(0);
    let roles: Vec<(usize, Vec<String>)> = stream::iter(accounts.iter().map(|a| a.id.clone()).enumerate())
        .map(|(i, id)| {
            let (portal, done) = (&portal, &done);
            async move {
                let roles = list_roles(portal, token, &id, started).await?;
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(SsoProgress::Roles(n, total));
                Ok::<_, AwsError>((i, roles))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    for (i, r) in roles {
        accounts[i].roles = r;
    }
    accounts.retain(|a| !a.roles.is_empty());
    accounts.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(accounts)
}

async fn list_accounts(
    portal: &Portal,
    token: &SecretString,
    started: Instant,
    progress: &(dyn Fn(SsoProgress) + Sync),
) -> Result<Vec<OrgAccount>, AwsError> {
    let mut pages = portal
        .client
        .list_accounts()
        .access_token(token.expose_secret())
        .max_results(PAGE)
        .into_paginator()
        .send();
    let mut accounts = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| refused_or(e, portal, "ListAccounts", started))?;
        for a in page.account_list() {
            let id = a.account_id().unwrap_or_default();
            // An id that is not 12 digits cannot name a role: left out, not trusted.
            if crate::domain::AccountId::parse(id).is_err() {
                continue;
            }
            accounts.push(OrgAccount {
                id: id.to_owned(),
                name: clean_text(a.account_name().unwrap_or_default()),
                state: "ACTIVE".into(),
                ou_path: Vec::new(),
                tags: Default::default(),
                roles: Vec::new(),
            });
        }
        progress(SsoProgress::Accounts(accounts.len()));
    }
    // The portal lists each account once; a repeat (a paging bug) would double targets.
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    accounts.dedup_by(|a, b| a.id == b.id);
    Ok(accounts)
}

async fn list_roles(
    portal: &Portal,
    token: &SecretString,
    account: &str,
    started: Instant,
) -> Result<Vec<String>, AwsError> {
    let mut pages = portal
        .client
        .list_account_roles()
        .access_token(token.expose_secret())
        .account_id(account)
        .max_results(PAGE)
        .into_paginator()
        .send();
    let mut roles = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| refused_or(e, portal, "ListAccountRoles", started))?;
        for role in page.role_list() {
            let name = clean_text(role.role_name().unwrap_or_default());
            // A permission set name has no white space; anything else cannot be asked for.
            if !name.is_empty() && !name.chars().any(char::is_whitespace) && !roles.contains(&name) {
                roles.push(name);
            }
        }
    }
    roles.sort();
    Ok(roles)
}

/// A refused token is "sign in again"; anything else is classified as usual.
fn refused_or<E>(
    e: aws_sdk_sso::error::SdkError<E, aws_sdk_sso::config::http::HttpResponse>,
    portal: &Portal,
    action: &'static str,
    started: Instant,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if e.as_service_error().and_then(ProvideErrorMetadata::code) == Some("UnauthorizedException") {
        return AwsError::SsoSignedOut;
    }
    super::error::classify(e, portal.call(action, started))
}

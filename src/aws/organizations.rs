//! AWS Organizations discovery: the OU tree, its accounts, and their tags.
//!
//! Calls run at most `CONCURRENCY` at a time. Every call only reads, so
//! throttling (`TooManyRequestsException`), server errors and timeouts are
//! retried by the SDK with jittered exponential backoff, within a bound per call.
//! Returns plain data; caching and offers are not this module's business.

use super::AwsError;
use super::error::{Call, classify};
use crate::domain::{Credentials, OrgAccount, Partition, clean_text};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_organizations::Client;
use aws_sdk_organizations::config::Region;
use futures_util::StreamExt;
use futures_util::stream::{self, TryStreamExt};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Requests in flight at once.
const CONCURRENCY: usize = 8;
/// Page size: the largest real AWS allows for these calls.
const PAGE: i32 = 20;

/// How far discovery has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Walking the OU tree: OUs found so far.
    Units(usize),
    /// Listing accounts: accounts found so far.
    Accounts(usize),
    /// Reading tags: done of total accounts.
    Tags(usize, usize),
}

/// Lists every account with its OU path and tags, reporting progress.
pub async fn discover(
    signing: &Credentials,
    region: &str,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<OrgAccount>, AwsError> {
    let client = client(signing, region);
    let endpoint = organizations_endpoint()
        .unwrap_or_else(|| Partition::of_region(region).organizations_endpoint().to_owned());
    let started = Instant::now();
    // The error of one call: which action, and how long discovery had been waiting.
    let call = |action: &'static str| Call {
        service: "Organizations",
        action,
        role: None,
        endpoint: &endpoint,
        one_time_code: false,
        waited: started.elapsed(),
    };
    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(|e| classify(e, call("ListRoots")))?;
    let root = roots
        .roots()
        .first()
        .and_then(|r| r.id())
        .ok_or_else(|| AwsError::Malformed {
            service: "Organizations",
            endpoint: endpoint.clone(),
            action: "ListRoots",
            what: "no root in it".into(),
            then: String::new(),
        })?
        .to_owned();

    // The OU tree, level by level: (id, path from the root).
    let mut parents: Vec<(String, Vec<String>)> = vec![(root, Vec::new())];
    let mut level = parents.clone();
    while !level.is_empty() {
        let children: Vec<Vec<(String, Vec<String>)>> = stream::iter(level)
            .map(|(id, path)| {
                let (client, call) = (&client, &call);
                async move {
                    let mut pages = client
                        .list_organizational_units_for_parent()
                        .parent_id(&id)
                        .max_results(PAGE)
                        .into_paginator()
                        .send();
                    let mut found = Vec::new();
                    while let Some(page) = pages.next().await {
                        let page = page.map_err(|e| classify(e, call("ListOrganizationalUnitsForParent")))?;
                        for ou in page.organizational_units() {
                            let mut child = path.clone();
                            child.push(clean_text(ou.name().unwrap_or_default()));
                            found.push((ou.id().unwrap_or_default().to_owned(), child));
                        }
                    }
                    Ok::<_, AwsError>(found)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        level = children.into_iter().flatten().collect();
        parents.extend(level.iter().cloned());
        progress(Progress::Units(parents.len() - 1));
    }

    let found = std::sync::atomic::AtomicUsize::new(0);
    let per_parent: Vec<Vec<OrgAccount>> = stream::iter(parents)
        .map(|(id, path)| {
            let (client, found, call) = (&client, &found, &call);
            async move {
                let mut pages = client
                    .list_accounts_for_parent()
                    .parent_id(&id)
                    .max_results(PAGE)
                    .into_paginator()
                    .send();
                let mut accounts = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| classify(e, call("ListAccountsForParent")))?;
                    for a in page.accounts() {
                        let state = a
                            .state()
                            .map(|s| s.as_str().to_owned())
                            .or_else(|| a.status().map(|s| s.as_str().to_owned()))
                            .unwrap_or_default();
                        accounts.push(OrgAccount {
                            id: a.id().unwrap_or_default().to_owned(),
                            name: clean_text(a.name().unwrap_or_default()),
                            state,
                            ou_path: path.clone(),
                            tags: BTreeMap::new(),
                            roles: Vec::new(),
                        });
                    }
                    let total = found.fetch_add(page.accounts().len(), std::sync::atomic::Ordering::Relaxed);
                    progress(Progress::Accounts(total + page.accounts().len()));
                }
                Ok::<_, AwsError>(accounts)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    let mut accounts: Vec<OrgAccount> = per_parent.into_iter().flatten().collect();

    let total = accounts.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tags: Vec<(usize, BTreeMap<String, String>)> =
        stream::iter(accounts.iter().map(|a| a.id.clone()).enumerate())
            .map(|(i, id)| {
                let (client, done, call) = (&client, &done, &call);
                async move {
                    let mut pages = client
                        .list_tags_for_resource()
                        .resource_id(&id)
                        .into_paginator()
                        .send();
                    let mut tags = BTreeMap::new();
                    while let Some(page) = pages.next().await {
                        let page = page.map_err(|e| classify(e, call("ListTagsForResource")))?;
                        for tag in page.tags() {
                            tags.insert(clean_text(tag.key()), clean_text(tag.value()));
                        }
                    }
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    progress(Progress::Tags(n, total));
                    Ok::<_, AwsError>((i, tags))
                }
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
    for (i, t) in tags {
        accounts[i].tags = t;
    }
    accounts.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(accounts)
}

fn client(signing: &Credentials, region: &str) -> Client {
    let credentials = super::sdk_credentials(signing);
    let mut config = aws_sdk_organizations::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(credentials)
        // A hung endpoint fails the call (all its retries) in bounded time.
        .timeout_config(super::timeouts::sdk_timeouts())
        // Throttling is expected at scale: retry it with jittered exponential backoff,
        // short enough that 10 attempts fit in the call's bound (`timeouts::OPERATION`,
        // 12 s): at most 9 s of pauses, so a throttled or failing call is reported as
        // such, not as a timeout.
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(10)
                .with_initial_backoff(super::timeouts::backoff(Duration::from_millis(100)))
                .with_max_backoff(super::timeouts::backoff(Duration::from_millis(1500))),
        );
    if let Some(url) = organizations_endpoint() {
        config = config.endpoint_url(url);
    }
    Client::from_conf(config.build())
}

/// `AWS_ENDPOINT_URL_ORGANIZATIONS`, else `AWS_ENDPOINT_URL`.
fn organizations_endpoint() -> Option<String> {
    ["AWS_ENDPOINT_URL_ORGANIZATIONS", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

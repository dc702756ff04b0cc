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
use std::sync::atomic::{AtomicUsize, Ordering};
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
    let discovery = Discovery {
        client: client(signing, region),
        endpoint: organizations_endpoint()
            .unwrap_or_else(|| Partition::of_region(region).organizations_endpoint().to_owned()),
        started: Instant::now(),
        progress,
    };
    let root = discovery.root().await?;
    let units = discovery.units(root).await?;
    let mut accounts = discovery.accounts(units).await?;
    discovery.tag(&mut accounts).await?;
    accounts.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(accounts)
}

/// An OU (or the root): its id and its path of names from the root.
type Unit = (String, Vec<String>);

/// One discovery's client, and what its errors and progress need.
struct Discovery<'a> {
    client: Client,
    endpoint: String,
    started: Instant,
    progress: &'a (dyn Fn(Progress) + Sync),
}

impl Discovery<'_> {
    /// The error context of one call: which action, and how long discovery had been waiting.
    fn call(&self, action: &'static str) -> Call<'_> {
        Call {
            service: "Organizations",
            action,
            role: None,
            endpoint: &self.endpoint,
            one_time_code: false,
            waited: self.started.elapsed(),
        }
    }

    /// The organization's root.
    async fn root(&self) -> Result<String, AwsError> {
        let roots = self
            .client
            .list_roots()
            .send()
            .await
            .map_err(|e| classify(e, self.call("ListRoots")))?;
        let root = roots.roots().first().and_then(|r| r.id());
        root.map(str::to_owned).ok_or_else(|| AwsError::Malformed {
            service: "Organizations",
            endpoint: self.endpoint.clone(),
            action: "ListRoots",
            what: "no root in it".into(),
            then: String::new(),
        })
    }

    /// The root and every OU under it, level by level.
    async fn units(&self, root: String) -> Result<Vec<Unit>, AwsError> {
        let mut units: Vec<Unit> = vec![(root, Vec::new())];
        let mut level = units.clone();
        while !level.is_empty() {
            let children: Vec<Vec<Unit>> = stream::iter(level)
                .map(|unit| self.children(unit))
                .buffer_unordered(CONCURRENCY)
                .try_collect()
                .await?;
            level = children.into_iter().flatten().collect();
            units.extend(level.iter().cloned());
            (self.progress)(Progress::Units(units.len() - 1));
        }
        Ok(units)
    }

    /// The OUs directly under `(id, path)`.
    async fn children(&self, (id, path): Unit) -> Result<Vec<Unit>, AwsError> {
        let mut pages = self
            .client
            .list_organizational_units_for_parent()
            .parent_id(&id)
            .max_results(PAGE)
            .into_paginator()
            .send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify(e, self.call("ListOrganizationalUnitsForParent")))?;
            for ou in page.organizational_units() {
                let mut child = path.clone();
                child.push(clean_text(ou.name().unwrap_or_default()));
                found.push((ou.id().unwrap_or_default().to_owned(), child));
            }
        }
        Ok(found)
    }

    /// The accounts directly under each unit, with the unit's path.
    async fn accounts(&self, units: Vec<Unit>) -> Result<Vec<OrgAccount>, AwsError> {
        let found = AtomicUsize::new(0);
        let per_unit: Vec<Vec<OrgAccount>> = stream::iter(units)
            .map(|unit| self.accounts_in(unit, &found))
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        Ok(per_unit.into_iter().flatten().collect())
    }

    async fn accounts_in(&self, (id, path): Unit, found: &AtomicUsize) -> Result<Vec<OrgAccount>, AwsError> {
        let mut pages = self
            .client
            .list_accounts_for_parent()
            .parent_id(&id)
            .max_results(PAGE)
            .into_paginator()
            .send();
        let mut accounts = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify(e, self.call("ListAccountsForParent")))?;
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
                    tags: Default::default(),
                    roles: Vec::new(),
                });
            }
            let total = found.fetch_add(page.accounts().len(), Ordering::Relaxed);
            (self.progress)(Progress::Accounts(total + page.accounts().len()));
        }
        Ok(accounts)
    }

    /// Reads every account's tags into it.
    async fn tag(&self, accounts: &mut [OrgAccount]) -> Result<(), AwsError> {
        let total = accounts.len();
        let done = AtomicUsize::new(0);
        let tags: Vec<(usize, BTreeMap<String, String>)> =
            stream::iter(accounts.iter().map(|a| a.id.clone()).enumerate())
                .map(|(i, id)| {
                    let done = &done;
                    async move {
                        let tags = self.tags_of(&id).await?;
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        (self.progress)(Progress::Tags(n, total));
                        Ok::<_, AwsError>((i, tags))
                    }
                })
                .buffer_unordered(CONCURRENCY)
                .try_collect()
                .await?;
        for (i, t) in tags {
            accounts[i].tags = std::sync::Arc::new(t.into_iter().collect());
        }
        Ok(())
    }

    async fn tags_of(&self, id: &str) -> Result<BTreeMap<String, String>, AwsError> {
        let mut pages = self
            .client
            .list_tags_for_resource()
            .resource_id(id)
            .into_paginator()
            .send();
        let mut tags = BTreeMap::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify(e, self.call("ListTagsForResource")))?;
            for tag in page.tags() {
                tags.insert(clean_text(tag.key()), clean_text(tag.value()));
            }
        }
        Ok(tags)
    }
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

//! The organization inventory: discovered accounts cached on disk (no secrets)
//! with a TTL, and the sync that refreshes it through the normal session path.
//!
//! A failed sync keeps the old inventory. Identity Center's discovery, the
//! same shape for sso-sessions, is in `identity_center`.

mod identity_center;

pub use identity_center::{stale_sessions, sync_identity_center};

use crate::aws::{Progress, discover};
use crate::config::inventory_path;
use crate::context::{Context, sts_region};
use crate::domain::{CredentialSource, Inventory, MfaCode, Partition};
use crate::error::Error;
use crate::fs_private::write_atomic;
use crate::inventory::Target;
use crate::session::{Cache, Engine, MfaPrompter, Request, base_credentials};

/// Discovers the organization with `source`'s credentials and replaces the cache.
/// The old cache stays when anything fails.
pub async fn sync<P: MfaPrompter>(
    ctx: &Context,
    cache: Option<&Cache>,
    prompter: &P,
    mfa_code: Option<MfaCode>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Inventory, Error> {
    let org = ctx.file_organization.as_ref().ok_or_else(|| {
        Error::NotConfigured("no [organization] in hats config; add one with source = \"PROFILE\"".into())
    })?;
    let (credentials, region) = match ctx.targets.find(&org.source) {
        Some(target) => (
            source_session(ctx, cache, prompter, mfa_code, target).await?,
            sts_region(target, None),
        ),
        None => {
            let creds = base_credentials(&CredentialSource::Profile(org.source.clone())).await?;
            // The organization's region (which also says its partition), else
            // the environment's, else the commercial partition's home region.
            let region = org
                .region
                .clone()
                .or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
                .unwrap_or_else(|| Partition::Aws.default_region().to_owned());
            (creds, region)
        }
    };
    let accounts = discover(&credentials, &region, progress).await?;
    let inventory = Inventory {
        fetched_at: ctx.clock.now(),
        accounts,
        // The organization answered in this region's partition with these
        // credentials, and credentials of one partition work in no other: its
        // accounts live there.
        partition: Partition::of_region(&region),
        region: Some(region.clone()),
    };
    let path = inventory_path(&ctx.paths.cache_dir);
    let saving = || Error::doing(format!("save the organization inventory to {}", path.display()));
    let bytes = serde_json::to_vec(&inventory)
        .map_err(std::io::Error::other)
        .map_err(saving())?;
    write_atomic(&path, &bytes).map_err(saving())?;
    Ok(inventory)
}

async fn source_session<P: MfaPrompter>(
    ctx: &Context,
    cache: Option<&Cache>,
    prompter: &P,
    mfa_code: Option<MfaCode>,
    target: &Target,
) -> Result<crate::domain::Credentials, Error> {
    let request = Request {
        region: sts_region(target, None),
        mfa_code,
        ..Request::default()
    };
    let log = |line: &str| ctx.log(line);
    let engine = Engine::new(&ctx.settings, ctx.clock, cache, prompter, request, &log);
    Ok(engine.resolve(target).await?.credentials)
}

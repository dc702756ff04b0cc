//! hats' `[web_identity.NAME]` sections as facts: one role each, assumed with
//! `AssumeRoleWithWebIdentity` and a token from a file or a command, listed
//! as `NAME` (the stage keeps the name as written).

use super::super::stage::{AccountFacts, Batch, Naming};
use super::super::target::{Chain, Options, Origin, Source, Spec};
use crate::config::{Broken, WebIdentityEntry, check_region, printable, web_identity::token_source};
use crate::domain::RoleArn;

/// The batch of section `name`, or (name, why) when it cannot be used.
pub(super) fn batch<'a>(name: &str, entry: &'a WebIdentityEntry) -> Result<Batch<'a>, Broken> {
    let place = format!("[web_identity.{}] in hats config", printable(name));
    let broken = |message: String| crate::config::broken(name, &place, message);
    let token = token_source(
        entry.web_identity_token_file.as_deref(),
        entry.web_identity_token_process.as_deref(),
    )
    .map_err(broken)?;
    let role_arn = RoleArn::parse(&entry.role_arn).map_err(|e| broken(e.to_string()))?;
    if let Some(region) = &entry.region {
        check_region(region).map_err(broken)?;
    }
    let id = *role_arn.account();
    let mut chain = Chain::direct(Source::WebIdentity(Box::new(token)), role_arn);
    chain.role.options = Options {
        session_name: entry.role_session_name.clone(),
        duration: entry.duration,
        ..Options::default()
    }
    .into();
    let spec = Spec::Role(chain);
    Ok(Batch {
        origin: Origin::HatsConfig,
        naming: Naming::Entry(name.to_owned()),
        qualifier: String::new(),
        place: place.clone(),
        rules: Vec::new(),
        region: entry.region.clone(),
        tags: Default::default(),
        production: false,
        accounts: vec![AccountFacts {
            id,
            name: "",
            ou_path: None,
            tags: None,
            roles: vec![spec],
        }]
        .into(),
    })
}

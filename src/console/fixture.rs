//! Targets for the console module's unit tests.

use crate::config::{SsoRole, SsoSession};
use crate::domain::{AccountId, RoleArn};
use crate::inventory::{Chain, Origin, Source, Spec, Target};
use std::sync::Arc;

/// A role target named `name` for `arn`.
pub fn role(name: &str, arn: &str) -> Target {
    let role_arn = RoleArn::parse(arn).unwrap();
    Target {
        name: name.into(),
        alias: None,
        origin: Origin::HatsConfig,
        account_id: Some(*role_arn.account()),
        account_name: None,
        region: None,
        production: false,
        tags: Arc::default(),
        ou_path: None,
        spec: Spec::Role(Chain::direct(Source::profile("base"), role_arn)),
    }
}

/// An Identity Center target for `role` in `account`, signed in at `start_url`.
pub fn sso(name: &str, start_url: &str, account: &str, role: &str) -> Target {
    let session = Arc::new(SsoSession {
        name: Some("corp".into()),
        start_url: start_url.into(),
        region: "eu-west-1".into(),
        scopes: Vec::new(),
    });
    Target {
        name: name.into(),
        alias: None,
        origin: Origin::AwsProfile,
        account_id: Some(AccountId::parse(account).unwrap()),
        account_name: None,
        region: None,
        production: false,
        tags: Arc::default(),
        ou_path: None,
        spec: Spec::Sso(SsoRole {
            profile: name.into(),
            session,
            account_id: AccountId::parse(account).unwrap(),
            role_name: role.into(),
        }),
    }
}

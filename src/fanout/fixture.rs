//! Targets for the fan-out's unit tests.

use crate::domain::RoleArn;
use crate::inventory::{Chain, Origin, RoleSpec, Source, Spec, Target};
use std::sync::Arc;

/// `ACCOUNT/ROLE` in account `id`, with an OU path and tags.
pub fn target(account: &str, id: &str, role: &str, ou: Option<&str>, tags: &[(&str, &str)]) -> Target {
    let arn = format!("arn:aws:iam::{id}:role/{role}");
    Target {
        name: format!("{account}/{role}"),
        alias: Some(format!("{id}/{role}")),
        origin: Origin::Organization,
        account_id: Some(crate::domain::AccountId::parse(id).unwrap()),
        account_name: Some(account.into()),
        region: None,
        production: false,
        tags: Arc::new(
            tags.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<crate::domain::Tags>(),
        ),
        ou_path: ou.map(Into::into),
        spec: Spec::Role(Chain {
            base: Source::profile("base"),
            via: Vec::new(),
            role: RoleSpec {
                profile: None,
                role_arn: RoleArn::parse(&arn).unwrap(),
                mfa: None,
                options: Default::default(),
            },
        }),
    }
}

//! `hats keys add|import|ls|rotate|remove`: IAM users' long-term access keys
//! kept in the OS keyring instead of in plaintext in the AWS files, listed with
//! their age, rotated and removed.
//!
//! The keyring entries are `session::KeyStore`'s; which profiles have one is
//! `config::keyring_profiles`' record. Every key is checked with
//! `GetCallerIdentity` before it is kept, and none is ever printed, put in
//! argv, or written to a file.

mod add;
mod files;
mod import;
mod ls;
mod remove;
mod rotate;
mod terminal;

pub use add::keys_add;
pub use import::keys_import;
pub use ls::keys_ls;
pub use remove::keys_remove;
pub use rotate::keys_rotate;

use crate::aws::{CallerIdentity, Sts};
use crate::config::keyring_profiles;
use crate::context::{Context, sts_region};
use crate::domain::{AccessKey, Partition};
use crate::error::Error;
use crate::inventory::TargetSet;
use crate::session::{KeyStore, SessionError};

/// The keyring that keeps long-term keys: the one `HATS_KEYRING` names, never
/// none and never one that forgets.
async fn key_store(ctx: &Context) -> Result<KeyStore, Error> {
    let cache = ctx.open_cache().await?.ok_or_else(|| {
        Error::Usage(
            "hats keys keeps keys in the OS keyring, which HATS_KEYRING=none turns off; unset HATS_KEYRING"
                .into(),
        )
    })?;
    KeyStore::beside(cache.store()).map_err(|e| Error::Session(SessionError::from(e)))
}

/// Records that `profile`'s key is (`true`) or is no longer (`false`) in the keyring.
fn record(ctx: &Context, profiles: &[&str], kept: bool) -> Result<(), Error> {
    let path = &ctx.paths.keyring_profiles;
    let mut recorded = keyring_profiles::load(path)?;
    for profile in profiles {
        if kept {
            recorded.insert((*profile).to_owned());
        } else {
            recorded.remove(*profile);
        }
    }
    keyring_profiles::save(path, &recorded).map_err(|e| {
        Error::Usage(format!(
            "cannot write \"{}\" ({e}), which lists the profiles whose keys are in the keyring; \
             check the directory's permissions",
            path.display()
        ))
    })
}

/// The region for `profile`'s STS calls: its target's, else the environment's,
/// else the commercial partition's home region.
fn region_of(ctx: &Context, profile: &str) -> String {
    ctx.targets.find(profile).map_or_else(
        || {
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|r| !r.is_empty()))
                .unwrap_or_else(|| Partition::Aws.default_region().to_owned())
        },
        |target| sts_region(target, None),
    )
}

/// Who `key` belongs to: `GetCallerIdentity` signed with it, which any key
/// that works may call.
async fn identify(key: &AccessKey, region: &str) -> Result<CallerIdentity, crate::aws::AwsError> {
    Sts::new(&key.credentials(), region).caller_identity().await
}

/// [`identify`], its failure said as "the key does not work", then `then`
/// (what became of it).
async fn check(key: &AccessKey, region: &str, then: &str) -> Result<CallerIdentity, Error> {
    identify(key, region).await.map_err(|e| {
        Error::Usage(format!(
            "the access key {} does not work ({e}); {then}",
            key.id.masked()
        ))
    })
}

/// The partition and user name of an IAM user's ARN
/// (`arn:PARTITION:iam::ACCOUNT:user/PATH/NAME`).
fn iam_user(arn: &str) -> Option<(Partition, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (prefix, partition, service, _region, _account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let name = resource.strip_prefix("user/")?.rsplit('/').next()?;
    let ok = prefix == "arn" && service == "iam" && !name.is_empty();
    ok.then_some((Partition::from_name(partition)?, name))
}

/// The one-line warning about long-term keys in plaintext, if any profile has one.
pub fn plaintext_warning(targets: &TargetSet) -> Option<String> {
    // Names come from the files, which may hold anything: escaped for the terminal.
    let names: Vec<String> = targets
        .plaintext_keys
        .iter()
        .map(|n| crate::config::printable(n).into_owned())
        .collect();
    match names.as_slice() {
        [] => None,
        [one] => Some(format!(
            "the long-term access key of profile \"{one}\" is in plaintext in the AWS files, where any \
             program or backup can read it; move it into the OS keyring: hats keys import {one}"
        )),
        many => Some(format!(
            "the long-term access keys of {} profiles ({}) are in plaintext in the AWS files, where any \
             program or backup can read them; move them into the OS keyring: hats keys import --all",
            many.len(),
            many.join(", ")
        )),
    }
}

/// How other tools reach a keyring profile, said once its key left the files.
fn tools_hint(profile: &str) -> String {
    format!(
        "tools that read the AWS files no longer find this key: run them as `hats exec {profile} -- aws ...`, \
         or give them a profile with `credential_process = hats credential-process {profile}` \
         (`hats profiles sync` writes one per target); either way they get a session, never the key"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_come_from_iam_user_arns_only() {
        assert_eq!(
            iam_user("arn:aws:iam::111111111111:user/alice"),
            Some((Partition::Aws, "alice"))
        );
        assert_eq!(
            iam_user("arn:aws-us-gov:iam::111111111111:user/team/ops/bob"),
            Some((Partition::AwsUsGov, "bob"))
        );
        assert_eq!(iam_user("arn:aws:iam::111111111111:root"), None);
        assert_eq!(iam_user("arn:aws:sts::111111111111:assumed-role/R/s"), None);
        assert_eq!(iam_user("arn:aws:iam::111111111111:user/"), None);
    }

    #[test]
    fn the_plaintext_warning_names_the_profiles_and_the_import() {
        let mut targets = TargetSet::default();
        assert_eq!(plaintext_warning(&targets), None);
        targets.plaintext_keys = vec!["base".into()];
        let one = plaintext_warning(&targets).unwrap();
        assert!(
            one.contains("\"base\"") && one.ends_with("hats keys import base"),
            "{one}"
        );
        targets.plaintext_keys.push("plain".into());
        let many = plaintext_warning(&targets).unwrap();
        assert!(
            many.contains("2 profiles (base, plain)") && many.ends_with("import --all"),
            "{many}"
        );
    }
}

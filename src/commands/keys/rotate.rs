//! `hats keys rotate PROFILE`: a new key in IAM, proven, stored; then the old
//! one deleted.
//!
//! The order keeps a working key in the keyring whatever step fails: the new
//! key is proven (`GetCallerIdentity`, retried through IAM's eventual
//! consistency within [`PROPAGATION`]) before it is stored, and the old key is
//! deleted only once the new one is stored and read back. A new key that cannot
//! be proven or stored is deleted again. Every failure says which keys exist in
//! IAM now and what to do. IAM calls are signed with the MFA session hats
//! manages (one code, none when cached) when the user has a device: policies
//! commonly demand MFA for managing one's keys.

use super::{check, iam_user, identify, key_store, region_of};
use crate::aws::{AwsError, Iam};
use crate::cli::SessionArgs;
use crate::commands::obtain;
use crate::context::Context;
use crate::domain::{AccessKey, Credentials, MfaCode};
use crate::error::Error;
use crate::inventory::Spec;
use crate::session::{KeyStore, StoredKey};
use std::time::{Duration, Instant};

/// How long a new key may take to work everywhere (IAM is eventually consistent).
const PROPAGATION: Duration = Duration::from_secs(30);

/// What one rotation works with.
struct Rotation<'a> {
    profile: &'a str,
    /// The IAM user's ARN, as the old key's `GetCallerIdentity` gave it.
    arn: &'a str,
    user: &'a str,
    iam: Iam,
    store: KeyStore,
    old: StoredKey,
    region: String,
    now: jiff::Timestamp,
}

/// Rotates `profile`'s key; `mfa_code` serves the MFA session if one is needed.
pub async fn keys_rotate(ctx: &Context, profile: &str, mfa_code: Option<MfaCode>) -> Result<(), Error> {
    if !ctx.targets.keyring_profiles.contains(profile) {
        return Err(Error::Usage(format!(
            "profile \"{profile}\" keeps no key in the keyring; `hats keys ls` lists those that do"
        )));
    }
    let store = key_store(ctx).await?;
    let old = store
        .require(profile)
        .await
        .map_err(|e| Error::Session(e.into()))?;
    let region = region_of(ctx, profile);
    let identity = check(
        &old.key,
        &region,
        "it is the key in the keyring; nothing was changed",
    )
    .await?;
    let (partition, user) = iam_user(&identity.arn).ok_or_else(|| {
        Error::Usage(format!(
            "\"{}\" is not an IAM user; hats rotates IAM users' keys only",
            identity.arn
        ))
    })?;
    let signing = signing_credentials(ctx, profile, &old, mfa_code).await?;
    let rotation = Rotation {
        profile,
        arn: &identity.arn,
        user,
        iam: Iam::new(&signing, partition),
        store,
        old,
        region,
        now: ctx.clock.now(),
    };
    rotation.run().await
}

/// What signs the IAM calls: the MFA session when the user has a device.
async fn signing_credentials(
    ctx: &Context,
    profile: &str,
    old: &StoredKey,
    mfa_code: Option<MfaCode>,
) -> Result<Credentials, Error> {
    // The user's own session: a profile that is also a role (its own source)
    // would give the role's session, which cannot manage the user's keys.
    let has_device = ctx
        .targets
        .find(profile)
        .is_some_and(|t| matches!(t.spec, Spec::UserSession { .. }) && t.mfa_device().is_some());
    if !has_device {
        return Ok(old.key.credentials());
    }
    let args = SessionArgs {
        mfa_code,
        ..SessionArgs::default()
    };
    Ok(obtain(ctx, profile, &args).await?.1.credentials)
}

impl Rotation<'_> {
    async fn run(&self) -> Result<(), Error> {
        self.refuse_two_keys().await?;
        let old_id = self.old.key.id.as_str();
        let new = self.iam.create_access_key(self.user).await.map_err(|e| {
            Error::Usage(format!(
                "IAM did not create a new key ({e}); nothing was changed: the keyring still holds {old_id}, \
                 which works"
            ))
        })?;
        eprintln!("hats: created {}; checking that it works", new.id);
        if let Err(e) = self.prove(&new).await {
            return Err(self
                .undo(
                    &new,
                    &format!(
                        "the new key {} did not work within {}s ({e})",
                        new.id,
                        PROPAGATION.as_secs()
                    ),
                )
                .await);
        }
        let stored = StoredKey {
            key: new.clone(),
            user_arn: self.arn.to_owned(),
            stored_at: self.now,
        };
        if let Err(e) = self.store.put(self.profile, &stored).await {
            return Err(self
                .undo(
                    &new,
                    &format!("the keyring did not keep the new key {} ({e})", new.id),
                )
                .await);
        }
        if let Err(e) = self.iam.delete_access_key(self.user, &self.old.key.id).await {
            return Err(Error::Usage(format!(
                "the keyring holds the new key {}, which works; deleting the old key {old_id} failed ({e}), so \
                 IAM user {} has both: delete {old_id} in the IAM console, or with `aws iam delete-access-key \
                 --user-name {} --access-key-id {old_id}`",
                new.id, self.user, self.user
            )));
        }
        eprintln!(
            "hats: rotated the key of \"{}\": {} is in the {} keyring and works; {old_id} is deleted from IAM",
            self.profile,
            new.id.masked(),
            self.store.name()
        );
        Ok(())
    }

    /// Refuses when the user has IAM's two keys already, naming the one to delete.
    async fn refuse_two_keys(&self) -> Result<(), Error> {
        let keys = self.iam.list_access_keys(self.user).await.map_err(|e| {
            Error::Usage(format!(
                "cannot list the keys of IAM user {} ({e}); nothing was changed",
                self.user
            ))
        })?;
        if keys.len() < 2 {
            return Ok(());
        }
        let held = self.old.key.id.as_str();
        let others: Vec<&str> = keys
            .iter()
            .map(|k| k.id.as_str())
            .filter(|id| *id != held)
            .collect();
        Err(Error::Usage(format!(
            "IAM user {} already has two access keys, IAM's limit: {held} (in the keyring) and {}; delete {} \
             first (the IAM console, or `aws iam delete-access-key --user-name {} --access-key-id {}`), then \
             rotate again",
            self.user,
            others.join(", "),
            others.join(" and "),
            self.user,
            others.first().copied().unwrap_or_default()
        )))
    }

    /// Signs `GetCallerIdentity` with `new` until IAM has made it known, within
    /// [`PROPAGATION`]; the answer must name the same user.
    async fn prove(&self, new: &AccessKey) -> Result<(), AwsError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(500);
        loop {
            match identify(new, &self.region).await {
                Ok(identity) if identity.arn == self.arn => return Ok(()),
                Ok(identity) => {
                    return Err(AwsError::InvalidSource {
                        detail: format!("it belongs to {}, not to {}", identity.arn, self.arn),
                    });
                }
                // Unknown to STS yet: IAM has not spread it.
                Err(AwsError::InvalidSource { .. }) if started.elapsed() + pause < PROPAGATION => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// After `why`, deletes `new` from IAM again: the keyring still holds the
    /// old key. The error says what is in IAM now.
    async fn undo(&self, new: &AccessKey, why: &str) -> Error {
        let old_id = self.old.key.id.as_str();
        match self.iam.delete_access_key(self.user, &new.id).await {
            Ok(()) => Error::Usage(format!(
                "{why}; deleted it from IAM again: the keyring still holds {old_id}, which works"
            )),
            Err(e) => Error::Usage(format!(
                "{why}; deleting it from IAM again failed too ({e}): the keyring still holds {old_id}, which \
                 works, and IAM user {} also has {}, which nothing uses: delete it in the IAM console",
                self.user, new.id
            )),
        }
    }
}

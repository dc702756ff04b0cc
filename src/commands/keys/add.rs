//! `hats keys add PROFILE`: a long-term key typed on the terminal (or, for a
//! scripted migration, taken from the environment with `--env`), checked with
//! `GetCallerIdentity`, stored in the keyring.

use super::terminal::{Unanswered, ask_line, ask_secret};
use super::{check, files, key_store, record, region_of, tools_hint};
use crate::context::Context;
use crate::domain::{AccessKey, AccessKeyId};
use crate::error::Error;
use crate::session::{SessionError, StoredKey};
use secrecy::{ExposeSecret, SecretString};

/// Stores `profile`'s key in the keyring.
pub async fn keys_add(ctx: &Context, profile: &str, from_env: bool) -> Result<(), Error> {
    refuse_taken(ctx, profile)?;
    let store = key_store(ctx).await?;
    let key = if from_env {
        from_environment()?
    } else {
        from_terminal(profile)?
    };
    let region = region_of(ctx, profile);
    let identity = check(&key, &region, "nothing was stored").await?;
    let stored = StoredKey {
        key,
        user_arn: identity.arn.clone(),
        stored_at: ctx.clock.now(),
    };
    store
        .put(profile, &stored)
        .await
        .map_err(|e| Error::Session(SessionError::from(e)))?;
    record(ctx, &[profile], true)?;
    eprintln!(
        "hats: stored the access key {} of {} for profile \"{profile}\" in the {} keyring",
        stored.key.id.masked(),
        identity.arn,
        store.name()
    );
    eprintln!("hats: {}", tools_hint(profile));
    Ok(())
}

/// Refuses a profile whose keys are in the AWS files (that is `import`'s
/// work) or already in the keyring.
fn refuse_taken(ctx: &Context, profile: &str) -> Result<(), Error> {
    for file in files::read_both()? {
        if file.keys_of(profile).id.is_some() {
            return Err(Error::Usage(format!(
                "profile \"{profile}\" already has a key in plaintext in \"{}\"; move it into the keyring \
                 with: hats keys import {profile}",
                file.shown()
            )));
        }
    }
    if ctx.targets.keyring_profiles.contains(profile) {
        return Err(Error::Usage(format!(
            "profile \"{profile}\" already keeps a key in the keyring; replace it with `hats keys rotate \
             {profile}`, or `hats keys remove {profile}` first"
        )));
    }
    Ok(())
}

/// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, asked for with `--env`.
fn from_environment() -> Result<AccessKey, Error> {
    let read = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::Usage(format!("--env reads the key from {name}, which is not set")))
    };
    if std::env::var_os("AWS_SESSION_TOKEN").is_some() {
        return Err(Error::Usage(
            "AWS_SESSION_TOKEN is set: the environment holds temporary credentials, not an IAM user's \
             long-term key"
                .into(),
        ));
    }
    let id = AccessKeyId::parse(&read("AWS_ACCESS_KEY_ID")?).map_err(|e| Error::Usage(e.to_string()))?;
    let secret = SecretString::from(read("AWS_SECRET_ACCESS_KEY")?);
    AccessKey::new(id, secret).map_err(|e| Error::Usage(e.to_string()))
}

/// The key, asked on the terminal: the id shown as typed, the secret never.
fn from_terminal(profile: &str) -> Result<AccessKey, Error> {
    let unanswered = |why: Unanswered| match why {
        Unanswered::NoTerminal => Error::Usage(format!(
            "hats keys add asks for the key on a terminal, and there is none; run it in a terminal, or \
             pass --env to read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (profile \"{profile}\")"
        )),
        Unanswered::Cancelled => Error::Usage("cancelled; nothing was stored".into()),
    };
    let id = ask_line(&format!("Access key id for {profile}: ")).map_err(unanswered)?;
    let id = AccessKeyId::parse(&id).map_err(|e| Error::Usage(e.to_string()))?;
    let secret = ask_secret("Secret access key (not shown): ").map_err(unanswered)?;
    // A paste may bring blanks around it.
    let secret = SecretString::from(secret.expose_secret().trim().to_owned());
    AccessKey::new(id, secret).map_err(|e| Error::Usage(e.to_string()))
}

//! `hats keys import PROFILE | --all`: keys move from the AWS files into the
//! keyring. Each key is checked with `GetCallerIdentity` and stored (and read
//! back) before its lines leave the file; a key that fails any step stays
//! where it was. The files are rewritten once, in place, at the end.

use super::files::{self, AwsText};
use super::{check, key_store, record, region_of, tools_hint};
use crate::config::printable;
use crate::context::Context;
use crate::domain::{AccessKey, AccessKeyId};
use crate::error::Error;
use crate::session::{KeyStore, SessionError, StoredKey};

/// Moves the keys of `profile` (or of every profile, `all`) into the keyring.
pub async fn keys_import(ctx: &Context, profile: Option<&str>, all: bool) -> Result<(), Error> {
    let files = files::read_both()?;
    let names: Vec<String> = match profile {
        Some(name) if !all => vec![name.to_owned()],
        _ => every_long_term_key(&files),
    };
    if names.is_empty() {
        let places: Vec<String> = files.iter().map(AwsText::shown).collect();
        eprintln!(
            "hats: no profile keeps a long-term key in {}; nothing to import",
            places.join(" or ")
        );
        return Ok(());
    }
    let store = key_store(ctx).await?;
    let mut moved: Vec<&str> = Vec::new();
    let mut failed = Vec::new();
    for name in &names {
        match import_one(ctx, &store, &files, name).await {
            Ok(()) => moved.push(name.as_str()),
            Err(e) => {
                eprintln!("hats: {}: {e}", printable(name));
                failed.push(name.as_str());
            }
        }
    }
    if !moved.is_empty() {
        // Recorded first: from here on hats reads the keyring, whatever the files say.
        record(ctx, &moved, true)?;
        let mut rewritten = Vec::new();
        for file in &files {
            if file.remove_keys(&moved)? {
                rewritten.push(file.shown());
            }
        }
        eprintln!(
            "hats: moved the long-term keys of {} into the {} keyring and removed them from {}",
            printable(&moved.join(", ")),
            store.name(),
            rewritten.join(" and ")
        );
        let hint = if moved.len() == 1 { moved[0] } else { "PROFILE" };
        eprintln!("hats: {}", tools_hint(hint));
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "the keys of {} were not imported (see above) and are still in the AWS files",
            printable(&failed.join(", "))
        )))
    }
}

/// Every profile with a long-term key in the files; temporary credentials
/// (with a session token) are named and left alone.
fn every_long_term_key(files: &[AwsText]) -> Vec<String> {
    let (mut names, mut skipped): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for file in files {
        for name in crate::config::key_lines::keyed_profiles(&file.text, file.kind) {
            if names.contains(&name) {
                continue;
            }
            if !files.iter().any(|f| f.keys_of(&name).session_token) {
                names.push(name);
            } else if !skipped.contains(&name) {
                eprintln!(
                    "hats: {}: temporary credentials (aws_session_token), not a long-term key; left as it is",
                    printable(&name)
                );
                skipped.push(name);
            }
        }
    }
    names
}

/// Checks and stores one profile's key; the files are not touched here.
async fn import_one(ctx: &Context, store: &KeyStore, files: &[AwsText], name: &str) -> Result<(), Error> {
    let key = key_in_files(files, name)?;
    let region = region_of(ctx, name);
    let identity = check(&key, &region, "it stays in the file").await?;
    let replaced = store
        .get(name)
        .await
        .ok()
        .flatten()
        .filter(|old| old.key.id != key.id);
    let stored = StoredKey {
        key,
        user_arn: identity.arn,
        stored_at: ctx.clock.now(),
    };
    store
        .put(name, &stored)
        .await
        .map_err(|e| Error::Session(SessionError::from(e)))?;
    if let Some(old) = replaced {
        eprintln!(
            "hats: {name}: the keyring held another key ({}); the key from the file ({}) replaces it",
            old.key.id.masked(),
            stored.key.id.masked()
        );
    }
    Ok(())
}

/// The key `name`'s sections hold across the files (the SDK merges them).
fn key_in_files(files: &[AwsText], name: &str) -> Result<AccessKey, Error> {
    let (mut id, mut secret) = (None, None);
    for file in files {
        let found = file.keys_of(name);
        if found.session_token {
            return Err(Error::Usage(format!(
                "\"{}\" gives it aws_session_token: temporary credentials, not a long-term key; left as it is",
                file.shown()
            )));
        }
        if let Some(line) = found.continued {
            return Err(Error::Usage(format!(
                "\"{}\" line {line}: a key continues on the next line, which tools read differently; \
                 put it on one line first",
                file.shown()
            )));
        }
        id = id.or(found.id);
        secret = secret.or(found.secret);
    }
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(Error::Usage(
            "no aws_access_key_id with aws_secret_access_key in the AWS files".into(),
        ));
    };
    let id = AccessKeyId::parse(&id).map_err(|e| Error::Usage(e.to_string()))?;
    AccessKey::new(id, secret).map_err(|e| Error::Usage(e.to_string()))
}

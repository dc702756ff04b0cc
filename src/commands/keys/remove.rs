//! `hats keys remove PROFILE`: the key leaves the keyring (and the record),
//! after the person types the profile's name on the terminal (or `--yes`).
//! IAM is not touched: the key stays valid there until deleted.

use super::terminal::{Unanswered, ask_line};
use super::{key_store, record};
use crate::context::Context;
use crate::error::Error;
use crate::session::SessionError;

/// Removes `profile`'s key from the keyring; `yes` skips the confirmation.
pub async fn keys_remove(ctx: &Context, profile: &str, yes: bool) -> Result<(), Error> {
    let store = key_store(ctx).await?;
    let held = store
        .get(profile)
        .await
        .map_err(|e| Error::Session(SessionError::from(e)));
    let recorded = ctx.targets.keyring_profiles.contains(profile);
    let what = match &held {
        Ok(Some(stored)) => format!("the access key {} of {}", stored.key.id.masked(), stored.user_arn),
        // A damaged entry is still removable: that is the way out its error names.
        Err(_) => "a damaged entry".to_owned(),
        Ok(None) if recorded => {
            // Nothing to lose: only the record is left to clean.
            record(ctx, &[profile], false)?;
            eprintln!(
                "hats: the {} keyring held no key for \"{profile}\"; removed it from hats' list",
                store.name()
            );
            return Ok(());
        }
        Ok(None) => {
            return Err(Error::Usage(format!(
                "profile \"{profile}\" keeps no key in the {} keyring; `hats keys ls` lists those that do",
                store.name()
            )));
        }
    };
    if !yes {
        confirm(profile, &what, store.name())?;
    }
    store
        .delete(profile)
        .await
        .map_err(|e| Error::Session(SessionError::from(e)))?;
    record(ctx, &[profile], false)?;
    eprintln!(
        "hats: removed {what} from the {} keyring; the key still exists in IAM until you delete it there",
        store.name()
    );
    Ok(())
}

/// Asks the person to type the profile's name.
fn confirm(profile: &str, what: &str, store: &str) -> Result<(), Error> {
    let question = format!(
        "Remove {what} (profile \"{profile}\") from the {store} keyring? hats keeps no other copy.\n\
         Type the profile name to remove it: "
    );
    match ask_line(&question) {
        Ok(answer) if answer.trim() == profile => Ok(()),
        Ok(_) | Err(Unanswered::Cancelled) => Err(Error::NotConfirmed(
            "not confirmed; the key stays in the keyring".into(),
        )),
        Err(Unanswered::NoTerminal) => Err(Error::NotConfirmed(format!(
            "removing a key needs a confirmation on a terminal, and there is none; pass --yes to remove \
             \"{profile}\" without one"
        ))),
    }
}

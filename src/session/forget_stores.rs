//! `hats forget`'s reach: the store `HATS_KEYRING` chooses, every other store
//! that opens, and the index. Opening stores is the session layer's business,
//! so the command only says what to forget and reports what happened.

use super::SessionError;
use super::forget::{Forgotten, forget_everywhere};
use super::index::IndexFile;
use crate::keyring::{KeyringChoice, Opening, open_every};

/// What forgetting in every store did, and the notice of a fallback store (if
/// the chosen one could not be used) to say as every command says it.
pub struct ForgottenEverywhere {
    /// What was removed, and the stores that could not be searched or cleaned.
    pub forgotten: Forgotten,
    /// Why another store than the usual one was used.
    pub fallback_notice: Option<String>,
}

/// Removes every key `belongs` accepts from the store `choice` names, every
/// other store that opens, and `index`. `None` when caching is off.
pub async fn forget_in_every_store(
    choice: KeyringChoice,
    index: IndexFile,
    belongs: impl Fn(&str) -> bool + Send + 'static,
) -> Result<Option<ForgottenEverywhere>, SessionError> {
    if choice == KeyringChoice::None {
        return Ok(None);
    }
    let opened = Opening::start(choice)
        .finish()
        .await
        .map_err(SessionError::Store)?;
    let forgotten = match opened.store {
        None => Forgotten::default(),
        Some(chosen) => {
            let every = open_every().await;
            tokio::task::spawn_blocking(move || forget_everywhere(&chosen, &every, &index, &belongs))
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?
        }
    };
    Ok(Some(ForgottenEverywhere {
        forgotten,
        fallback_notice: opened.fallback_notice,
    }))
}

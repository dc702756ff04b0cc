//! Forgetting sessions: every matching entry in every store that opens, and
//! the index, whatever the index says (it may be gone, or the sessions may
//! have been written under another `HATS_KEYRING`).

use super::SessionError;
use super::index::IndexFile;
use crate::keyring::{SecretStore, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;

/// What forgetting did.
#[derive(Debug, Default)]
pub struct Forgotten {
    /// Distinct keys removed from a store or the index.
    pub removed: usize,
    /// Stores that could not be searched or cleaned, as sentences.
    pub problems: Vec<String>,
}

/// Removes every key `belongs` accepts from `chosen` (the store `HATS_KEYRING`
/// names, whose failure is an error), from every other store in `every` (the
/// stores that opened, whose failure is a problem reported), and from the
/// index. Blocking.
pub fn forget_everywhere(
    chosen: &Arc<dyn SecretStore>,
    every: &[Arc<dyn SecretStore>],
    index: &IndexFile,
    belongs: &dyn Fn(&str) -> bool,
) -> Result<Forgotten, SessionError> {
    let indexed: Vec<String> = index.read().sessions.into_keys().filter(|k| belongs(k)).collect();
    let mut removed: BTreeSet<String> = indexed.iter().cloned().collect();
    forget_in(chosen.as_ref(), &indexed, belongs, &mut removed)?;
    let mut problems = Vec::new();
    for other in every {
        if other.name() == chosen.name() {
            continue;
        }
        if let Err(e) = forget_in(other.as_ref(), &indexed, belongs, &mut removed) {
            problems.push(e.to_string());
        }
    }
    index
        .update(|idx| idx.sessions.retain(|k, _| !belongs(k)))
        .map_err(|e| SessionError::CacheIo(e.to_string()))?;
    Ok(Forgotten {
        removed: removed.len(),
        problems,
    })
}

/// Deletes from `store` the indexed keys and every key it lists that `belongs`.
fn forget_in(
    store: &dyn SecretStore,
    indexed: &[String],
    belongs: &dyn Fn(&str) -> bool,
    removed: &mut BTreeSet<String>,
) -> Result<(), StoreError> {
    // The index's keys too: a store that cannot list still gives them up.
    let listed: Vec<String> = store.keys()?.into_iter().filter(|k| belongs(k)).collect();
    for key in indexed.iter().chain(&listed) {
        store.delete(key)?;
    }
    removed.extend(listed);
    Ok(())
}

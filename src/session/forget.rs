//! Forgetting sessions: every matching entry in every store that opens, and
//! the index, whatever the index says (it may be gone, or the sessions may
//! have been written under another `HATS_KEYRING`). Only sessions: what each
//! entry is comes from its key ([`ItemKind`]), and Identity Center sign-ins are
//! left to `hats sso logout`, which also tells the portal and the AWS CLI's cache.

use super::SessionError;
use super::index::IndexFile;
use crate::keyring::{SecretStore, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;

/// What a keyring entry of hats is, read from its key. Explicit, so that each
/// new kind of entry says whether `hats forget` removes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    /// `role/…`: a role session (Identity Center roles included).
    RoleSession,
    /// `mfa/…`: an MFA session.
    MfaSession,
    /// `user/…`: the session of a keyring user without an MFA device.
    UserSession,
    /// `sso/…`: an Identity Center sign-in token (`hats sso logout` removes it).
    SignIn,
    /// `sso-client/…`: an Identity Center client registration (no sign-in by itself).
    ClientRegistration,
    /// Anything else under hats' service name.
    Other,
}

impl ItemKind {
    /// The kind of the entry under `key`.
    pub fn of(key: &str) -> Self {
        match key.split_once('/').map(|(head, _)| head) {
            Some("role") => Self::RoleSession,
            Some("mfa") => Self::MfaSession,
            Some("user") => Self::UserSession,
            Some("sso") => Self::SignIn,
            Some("sso-client") => Self::ClientRegistration,
            _ => Self::Other,
        }
    }

    /// Whether `hats forget` removes entries of this kind: sessions only.
    /// Signing out is `hats sso logout`'s, which also tells the portal.
    pub fn forgotten(self) -> bool {
        matches!(self, Self::RoleSession | Self::MfaSession | Self::UserSession)
    }

    /// `count` entries of this kind, in words.
    pub fn count(self, count: usize) -> String {
        let (one, many) = match self {
            Self::RoleSession => ("role session", "role sessions"),
            Self::MfaSession => ("MFA session", "MFA sessions"),
            Self::UserSession => ("user session", "user sessions"),
            Self::SignIn => ("Identity Center sign-in", "Identity Center sign-ins"),
            Self::ClientRegistration => ("client registration", "client registrations"),
            Self::Other => ("other entry", "other entries"),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    }
}

/// What forgetting did.
#[derive(Debug, Default)]
pub struct Forgotten {
    /// Distinct keys removed from a store or the index.
    pub removed: BTreeSet<String>,
    /// Keys listed in a store that were left alone (sign-ins, registrations).
    pub kept: BTreeSet<String>,
    /// Stores that could not be searched or cleaned, as sentences.
    pub problems: Vec<String>,
}

impl Forgotten {
    /// How many keys of each kind `keys` holds, in the order of [`ItemKind`].
    pub fn by_kind(keys: &BTreeSet<String>) -> Vec<(ItemKind, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for key in keys {
            *counts.entry(ItemKind::of(key)).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }

    /// "2 role sessions and 1 MFA session", or "no session".
    pub fn removed_text(&self) -> String {
        let parts: Vec<String> = Self::by_kind(&self.removed)
            .into_iter()
            .map(|(kind, n)| kind.count(n))
            .collect();
        match parts.as_slice() {
            [] => "no session".to_owned(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
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
    let mut done = Forgotten {
        removed: indexed.iter().cloned().collect(),
        ..Forgotten::default()
    };
    forget_in(chosen.as_ref(), &indexed, belongs, &mut done)?;
    for other in every {
        if other.name() == chosen.name() {
            continue;
        }
        if let Err(e) = forget_in(other.as_ref(), &indexed, belongs, &mut done) {
            done.problems.push(e.to_string());
        }
    }
    index
        .update(|idx| idx.sessions.retain(|k, _| !belongs(k)))
        .map_err(|e| SessionError::CacheIo(e.to_string()))?;
    Ok(done)
}

/// Deletes from `store` the indexed keys and every key it lists that `belongs`;
/// the listed keys of kinds `forget` never removes are noted as kept.
fn forget_in(
    store: &dyn SecretStore,
    indexed: &[String],
    belongs: &dyn Fn(&str) -> bool,
    done: &mut Forgotten,
) -> Result<(), StoreError> {
    let (listed, others): (Vec<String>, Vec<String>) = store.keys()?.into_iter().partition(|k| belongs(k));
    // The index's keys too: a store that cannot list still gives them up.
    for key in indexed.iter().chain(&listed) {
        store.delete(key)?;
    }
    done.removed.extend(listed);
    done.kept
        .extend(others.into_iter().filter(|k| !ItemKind::of(k).forgotten()));
    Ok(())
}

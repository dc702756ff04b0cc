//! Entries longer than a store can hold, kept in several of its entries.
//!
//! Windows Credential Manager holds at most 2,560 bytes per credential. A hats
//! entry is a few hundred bytes of JSON plus the session token, and AWS does not
//! bound the token: session tags and a session policy are packed into it, under
//! a limit AWS states only as a percentage. So a value over the store's limit is
//! written in parts: parts 2..N first, each under `<key>#<nonce>.<i>`, then the
//! entry under `<key>` itself, `~<N>.<nonce>~` followed by part 1. JSON never
//! starts with `~`, so entries that fit are stored as they are.
//!
//! The nonce is new for every write, so a reader holding the previous head
//! still finds the previous parts; they are deleted only after the new head is
//! in place. A part that is missing means the entry is being replaced (or was
//! half removed): the reader sees no entry and never discards a good one. A head
//! that does not parse is corrupt content, handed up as such.

use super::store::{SecretStore, Service, StoreError};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// Room left in a part for the `~<N>.<nonce>~` header.
const HEADER_ROOM: usize = 24;

/// A store that splits values longer than `limit` bytes.
pub struct Split {
    inner: Arc<dyn SecretStore>,
    limit: usize,
}

/// A split entry's head: how many parts, and the nonce naming them.
struct Head<'a> {
    parts: usize,
    nonce: &'a str,
    first: &'a str,
}

impl Split {
    /// Wraps `inner`, whose entries hold at most `limit` bytes (UTF-8).
    pub fn new(inner: Arc<dyn SecretStore>, limit: usize) -> Self {
        assert!(
            limit > HEADER_ROOM * 2,
            "a store this small cannot hold hats entries"
        );
        Self { inner, limit }
    }

    fn part_key(key: &str, nonce: &str, i: usize) -> String {
        format!("{key}#{nonce}.{i}")
    }

    /// Deletes the parts a head names (not the head itself).
    fn delete_parts(&self, key: &str, head: Option<&SecretString>) -> Result<(), StoreError> {
        if let Some(Ok(head)) = head.and_then(|h| parse_head(h.expose_secret())) {
            for i in 2..=head.parts {
                self.inner.delete(&Self::part_key(key, head.nonce, i))?;
            }
        }
        Ok(())
    }
}

impl SecretStore for Split {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        let Some(stored) = self.inner.get(key)? else {
            return Ok(None);
        };
        let head = match parse_head(stored.expose_secret()) {
            None => return Ok(Some(stored)),
            Some(Err(())) => return Ok(Some(SecretString::from(String::new()))),
            Some(Ok(head)) => head,
        };
        let mut whole = String::from(head.first);
        for i in 2..=head.parts {
            match self.inner.get(&Self::part_key(key, head.nonce, i))? {
                Some(part) => whole.push_str(part.expose_secret()),
                None => return Ok(None),
            }
        }
        Ok(Some(SecretString::from(whole)))
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        let old = self.inner.get(key)?;
        let text = value.expose_secret();
        if text.len() <= self.limit && !text.starts_with('~') {
            self.inner.set(key, value)?;
        } else {
            let chunks = chunks(text, self.limit - HEADER_ROOM);
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes)
                .map_err(|e| StoreError::unavailable(self.name(), format!("no randomness: {e}")))?;
            let nonce: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            for (i, chunk) in chunks.iter().enumerate().skip(1) {
                let part = SecretString::from((*chunk).to_owned());
                self.inner.set(&Self::part_key(key, &nonce, i + 1), &part)?;
            }
            let head = format!("~{}.{nonce}~{}", chunks.len(), chunks[0]);
            self.inner.set(key, &SecretString::from(head))?;
        }
        self.delete_parts(key, old.as_ref())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let mut keys = self.inner.keys()?;
        keys.retain(|key| !is_part(key));
        Ok(keys)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let old = self.inner.get(key)?;
        self.inner.delete(key)?;
        self.delete_parts(key, old.as_ref())
    }

    fn with_service(&self, service: Service) -> Arc<dyn SecretStore> {
        Arc::new(Self::new(self.inner.with_service(service), self.limit))
    }
}

/// Whether `key` names a part (`<key>#<nonce>.<i>`) rather than an entry.
fn is_part(key: &str) -> bool {
    key.rsplit_once('#')
        .and_then(|(_, tail)| tail.split_once('.'))
        .is_some_and(|(nonce, i)| {
            nonce.len() == 8
                && nonce.bytes().all(|b| b.is_ascii_hexdigit())
                && !i.is_empty()
                && i.bytes().all(|b| b.is_ascii_digit())
        })
}

/// `None` for an entry stored whole; `Err` for a head that does not parse.
fn parse_head(text: &str) -> Option<Result<Head<'_>, ()>> {
    let rest = text.strip_prefix('~')?;
    let parsed = rest.split_once('~').and_then(|(header, first)| {
        let (parts, nonce) = header.split_once('.')?;
        let parts: usize = parts.parse().ok()?;
        let nonce_ok = !nonce.is_empty() && nonce.bytes().all(|b| b.is_ascii_hexdigit());
        ((2..=64).contains(&parts) && nonce_ok).then_some(Head { parts, nonce, first })
    });
    Some(parsed.ok_or(()))
}

/// `text` cut into pieces of at most `size` bytes, on character boundaries.
fn chunks(text: &str, size: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = size.min(rest.len());
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (piece, after) = rest.split_at(end);
        pieces.push(piece);
        rest = after;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Credentials;
    use crate::session::Session;
    use jiff::Timestamp;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Windows Credential Manager's limit (`CRED_MAX_CREDENTIAL_BLOB_SIZE`).
    const WINDOWS_LIMIT: usize = 2560;

    /// A store that refuses, as Credential Manager does, any entry over the limit.
    #[derive(Default)]
    struct Limited(Mutex<HashMap<String, String>>);

    impl SecretStore for Limited {
        fn name(&self) -> &'static str {
            "limited"
        }
        fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
            Ok(self.0.lock().unwrap().get(key).cloned().map(SecretString::from))
        }
        fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
            let len = value.expose_secret().len();
            if len > WINDOWS_LIMIT {
                return Err(StoreError::unavailable("limited", format!("{len} bytes")));
            }
            self.0
                .lock()
                .unwrap()
                .insert(key.into(), value.expose_secret().into());
            Ok(())
        }
        fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.0.lock().unwrap().remove(key);
            Ok(())
        }
        fn keys(&self) -> Result<Vec<String>, StoreError> {
            Ok(self.0.lock().unwrap().keys().cloned().collect())
        }
        fn with_service(&self, _: Service) -> Arc<dyn SecretStore> {
            Arc::new(Self::default())
        }
    }

    impl Limited {
        fn len(&self) -> usize {
            self.0.lock().unwrap().len()
        }
    }

    /// The largest entry hats writes: the longest access key id and names AWS
    /// allows, a session token of `token_len` characters (session tags and a
    /// session policy make it grow), both clocks stamped.
    fn largest_entry(token_len: usize) -> SecretString {
        let (role, session_name) = ("R".repeat(64), "s".repeat(64));
        let session = Session {
            credentials: Credentials {
                access_key_id: "ASIA".to_owned() + &"Q".repeat(124),
                secret_access_key: "k".repeat(40).into(),
                session_token: Some("T".repeat(token_len).into()),
                expiration: None,
            },
            expiration: Timestamp::from_second(4_102_444_800).unwrap(),
            assumed_arn: Some(format!(
                "arn:aws-us-gov:sts::123456789012:assumed-role/{role}/{session_name}"
            )),
            from_cache: false,
        };
        let boot = crate::clock::BootStamp {
            id: "0".repeat(36),
            secs: i64::MAX,
        };
        crate::session::encode(&session, Timestamp::MAX, Some(boot))
    }

    #[test]
    fn the_largest_entry_fits_windows_credential_manager_in_parts() {
        // Without a token at all, what hats adds around it stays far under the limit.
        let frame = largest_entry(0).expose_secret().len();
        assert!(frame < 700, "{frame} bytes besides the token");
        // A role session token is ~1,000 characters; 8,000 is past anything the
        // packed-policy limit lets AWS issue.
        for token_len in [1_000, 2_000, 8_000] {
            let value = largest_entry(token_len);
            let inner = Arc::new(Limited::default());
            let store = Split::new(inner.clone(), WINDOWS_LIMIT);
            store.set("role/t/k/f", &value).unwrap();
            assert_eq!(store.keys().unwrap(), ["role/t/k/f"], "forget sees one entry");
            let parts = value.expose_secret().len().div_ceil(WINDOWS_LIMIT - HEADER_ROOM);
            assert_eq!(inner.len(), parts, "{token_len}");
            assert_eq!(
                store.get("role/t/k/f").unwrap().unwrap().expose_secret(),
                value.expose_secret()
            );
            store.delete("role/t/k/f").unwrap();
            assert_eq!(inner.len(), 0, "no part is left behind");
        }
    }

    #[test]
    fn replacing_a_split_entry_leaves_no_old_parts_and_a_missing_part_is_no_entry() {
        let inner = Arc::new(Limited::default());
        let store = Split::new(inner.clone(), WINDOWS_LIMIT);
        store.set("k", &largest_entry(6_000)).unwrap();
        assert_eq!(inner.len(), 3);
        store.set("k", &largest_entry(10)).unwrap();
        assert_eq!(inner.len(), 1);
        store.set("k", &largest_entry(6_000)).unwrap();
        let part = inner
            .0
            .lock()
            .unwrap()
            .keys()
            .find(|k| k.contains('#'))
            .cloned()
            .unwrap();
        inner.delete(&part).unwrap();
        assert!(store.get("k").unwrap().is_none(), "being replaced, not corrupt");
        // A head that does not parse is corrupt content: the caller replaces it.
        inner
            .set("k", &SecretString::from("~x~garbage".to_owned()))
            .unwrap();
        assert_eq!(store.get("k").unwrap().unwrap().expose_secret(), "");
    }

    #[test]
    fn parts_are_told_from_keys_that_hold_a_hash() {
        assert!(is_part("role/a/b/c#0a1b2c3d.2"));
        assert!(!is_part("role/team#1/b/c"));
        assert!(!is_part("role/a/b/c"));
    }

    #[test]
    fn pieces_end_on_character_boundaries() {
        let text = "é".repeat(10);
        let pieces = chunks(&text, 3);
        assert!(pieces.iter().all(|p| p.len() <= 3 && !p.is_empty()));
        assert_eq!(pieces.concat(), text);
    }
}

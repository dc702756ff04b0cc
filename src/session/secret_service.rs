//! A small client for the Freedesktop Secret Service (GNOME Keyring, KWallet)
//! over D-Bus: find, read, write and delete one item by its attributes.
//!
//! Secrets cross the bus encrypted (`dh-ietf1024-sha256-aes128-cbc-pkcs7`): a
//! Diffie-Hellman exchange per connection, HKDF-SHA256 for the AES key, a fresh
//! IV per secret. hats talks to the service itself instead of through the
//! keyring family's Secret Service store because that store spent ~10 ms of
//! every run on a hand-rolled modular exponentiation and asked for each item's
//! properties one round trip at a time; here a cached read is four calls
//! (Hello, OpenSession, SearchItems, GetSecrets).
//!
//! Entries carry the attributes `service = hats` and `username = <key>`, the
//! same ones the keyring family writes, so `secret-tool` and Seahorse show them.
//! Nothing here lists the keyring beyond those attributes, logs, or keeps a
//! secret after handing it back.

use super::store::{SecretStore, StoreError, alternatives};
use num_bigint::BigUint;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use zbus::blocking::{Connection, MessageIterator};
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};
use zeroize::Zeroizing;

const STORE: &str = "secret-service";
const SERVICE_NAME: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_IFACE: &str = "org.freedesktop.Secret.Service";
const ITEM_IFACE: &str = "org.freedesktop.Secret.Item";
const COLLECTION_IFACE: &str = "org.freedesktop.Secret.Collection";
const PROMPT_IFACE: &str = "org.freedesktop.Secret.Prompt";
const ALGORITHM: &str = "dh-ietf1024-sha256-aes128-cbc-pkcs7";
const CONTENT_TYPE: &str = "text/plain; charset=utf8";
/// The attribute every hats entry carries, as the keyring family names it.
const SERVICE_ATTRIBUTE: &str = "hats";

/// The 1024-bit MODP group of RFC 2409 (Oakley group 2), generator 2: the
/// group the Secret Service specification names for this algorithm.
const DH_PRIME_HEX: &[u8] = b"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1\
29024E088A67CC74020BBEA63B139B22514A08798E3404DD\
EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245\
E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED\
EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381\
FFFFFFFFFFFFFFFF";
const DH_BYTES: usize = 128;
/// Size of our private exponent. 256 bits is well past the 160 that an
/// 80-bit-strong group needs (NIST SP 800-56A asks for twice the strength) and
/// makes each exponentiation four times cheaper than a full 1024-bit one.
const PRIVATE_BYTES: usize = 32;

type SecretStruct<'a> = (ObjectPath<'a>, Vec<u8>, Vec<u8>, &'a str);
type ReturnedSecret = (OwnedObjectPath, Vec<u8>, Vec<u8>, String);

/// One connection and one encrypted session with the Secret Service.
pub struct SecretServiceStore {
    conn: Connection,
    session: OwnedObjectPath,
    key: Zeroizing<[u8; 16]>,
}

impl SecretServiceStore {
    /// Connects to the session bus and opens an encrypted session. Fails when
    /// no Secret Service answers (the caller may fall back to another store).
    pub fn connect() -> Result<Self, StoreError> {
        let conn = Connection::session().map_err(|e| failure(&e))?;
        let (private, public) = dh_keypair()?;
        let (output, session): (OwnedValue, OwnedObjectPath) = call(
            &conn,
            SERVICE_PATH,
            SERVICE_IFACE,
            "OpenSession",
            &(ALGORITHM, Value::from(to_fixed_bytes(&public))),
        )?;
        let server_public: Vec<u8> = output
            .try_into()
            .map_err(|_| protocol("OpenSession returned no public key"))?;
        let key = session_key(&private, &BigUint::from_bytes_be(&server_public))?;
        Ok(Self { conn, session, key })
    }

    /// Items with hats' attributes for `key`: (unlocked, locked).
    fn search(&self, key: &str) -> Result<(Vec<OwnedObjectPath>, Vec<OwnedObjectPath>), StoreError> {
        call(
            &self.conn,
            SERVICE_PATH,
            SERVICE_IFACE,
            "SearchItems",
            &(attributes(key),),
        )
    }

    /// Unlocks `items`, asking the user through the service's own prompt if it needs one.
    fn unlock(&self, items: Vec<OwnedObjectPath>) -> Result<Vec<OwnedObjectPath>, StoreError> {
        let (mut unlocked, prompt): (Vec<OwnedObjectPath>, OwnedObjectPath) =
            call(&self.conn, SERVICE_PATH, SERVICE_IFACE, "Unlock", &(items,))?;
        if let Some(result) = self.complete(&prompt)? {
            unlocked = result
                .try_into()
                .map_err(|_| protocol("Unlock prompt returned no items"))?;
        }
        Ok(unlocked)
    }

    /// Runs the prompt at `prompt` (none when it is `/`) and returns its result;
    /// an error when the user dismissed it.
    fn complete(&self, prompt: &OwnedObjectPath) -> Result<Option<OwnedValue>, StoreError> {
        if prompt.as_str() == "/" {
            return Ok(None);
        }
        let rule = zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .interface(PROMPT_IFACE)
            .and_then(|b| b.member("Completed"))
            .and_then(|b| b.path(prompt.as_str()))
            .map_err(|e| failure(&e))?
            .build();
        // Subscribe before prompting, or the answer could come first.
        let mut signals =
            MessageIterator::for_match_rule(rule, &self.conn, Some(4)).map_err(|e| failure(&e))?;
        let () = call(&self.conn, prompt.as_str(), PROMPT_IFACE, "Prompt", &("",))?;
        let message = signals
            .next()
            .ok_or_else(|| protocol("the prompt ended without an answer"))?
            .map_err(|e| failure(&e))?;
        let (dismissed, result): (bool, OwnedValue) =
            message.body().deserialize().map_err(|e| failure(&e))?;
        if dismissed {
            return Err(StoreError {
                store: STORE,
                detail: "the unlock prompt was dismissed".into(),
                alternatives: alternatives(STORE),
            });
        }
        Ok(Some(result))
    }

    /// The collection new items go to: the one aliased `default` (the login keyring).
    fn default_collection(&self) -> Result<OwnedObjectPath, StoreError> {
        let path: OwnedObjectPath = call(
            &self.conn,
            SERVICE_PATH,
            SERVICE_IFACE,
            "ReadAlias",
            &("default",),
        )?;
        if path.as_str() == "/" {
            return Err(StoreError {
                store: STORE,
                detail: "it has no default collection (create a login keyring, e.g. in Seahorse)".into(),
                alternatives: alternatives(STORE),
            });
        }
        Ok(path)
    }
}

impl SecretStore for SecretServiceStore {
    fn name(&self) -> &'static str {
        STORE
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        let (mut items, locked) = self.search(key)?;
        if items.is_empty() && !locked.is_empty() {
            items = self.unlock(locked)?;
        }
        if items.is_empty() {
            return Ok(None);
        }
        let secrets: HashMap<OwnedObjectPath, ReturnedSecret> = call(
            &self.conn,
            SERVICE_PATH,
            SERVICE_IFACE,
            "GetSecrets",
            &(items, self.session.as_ref()),
        )?;
        let Some((_, iv, value, _)) = secrets.into_values().next() else {
            return Ok(None);
        };
        // An entry that does not decrypt to text is corrupt: an empty secret makes
        // the caller discard and replace it.
        let text = decrypt(&self.key, &iv, &value)
            .and_then(|plain| String::from_utf8(plain.to_vec()).ok())
            .unwrap_or_default();
        Ok(Some(SecretString::from(text)))
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        let collection = self.default_collection()?;
        let mut iv = [0u8; 16];
        getrandom::fill(&mut iv).map_err(|e| protocol(&format!("no randomness for the IV: {e}")))?;
        let sealed = encrypt(&self.key, &iv, value.expose_secret().as_bytes());
        let label = format!("hats session {key}");
        let properties: HashMap<&str, Value<'_>> = HashMap::from([
            ("org.freedesktop.Secret.Item.Label", Value::from(label)),
            (
                "org.freedesktop.Secret.Item.Attributes",
                Value::from(attributes(key)),
            ),
        ]);
        let secret: SecretStruct<'_> = (self.session.as_ref(), iv.to_vec(), sealed, CONTENT_TYPE);
        let (_item, prompt): (OwnedObjectPath, OwnedObjectPath) = call(
            &self.conn,
            collection.as_str(),
            COLLECTION_IFACE,
            "CreateItem",
            &(properties, secret, true),
        )?;
        self.complete(&prompt)?;
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let (unlocked, locked) = self.search(key)?;
        for item in unlocked.into_iter().chain(locked) {
            let prompt: OwnedObjectPath = call(&self.conn, item.as_str(), ITEM_IFACE, "Delete", &())?;
            self.complete(&prompt)?;
        }
        Ok(())
    }
}

/// The attributes that identify hats' entry for `key`.
fn attributes(key: &str) -> HashMap<&str, &str> {
    HashMap::from([("service", SERVICE_ATTRIBUTE), ("username", key)])
}

/// Calls `method` on the Secret Service and decodes the reply body.
fn call<B, R>(conn: &Connection, path: &str, iface: &str, method: &str, body: &B) -> Result<R, StoreError>
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
    R: for<'d> serde::Deserialize<'d> + zbus::zvariant::Type,
{
    let reply = conn
        .call_method(Some(SERVICE_NAME), path, Some(iface), method, body)
        .map_err(|e| failure(&e))?;
    reply.body().deserialize().map_err(|e| failure(&e))
}

fn dh_prime() -> BigUint {
    BigUint::parse_bytes(DH_PRIME_HEX, 16).unwrap_or_default()
}

/// A fresh private exponent and the matching public value `2^x mod p`.
fn dh_keypair() -> Result<(Zeroizing<Vec<u8>>, BigUint), StoreError> {
    let mut private = Zeroizing::new(vec![0u8; PRIVATE_BYTES]);
    getrandom::fill(&mut private).map_err(|e| protocol(&format!("no randomness for the key: {e}")))?;
    let public = BigUint::from(2u8).modpow(&BigUint::from_bytes_be(&private), &dh_prime());
    Ok((private, public))
}

/// The AES key both sides derive: HKDF-SHA256 (no salt, no info) over the
/// shared secret, left-padded to the size of the group.
fn session_key(private: &[u8], server_public: &BigUint) -> Result<Zeroizing<[u8; 16]>, StoreError> {
    let prime = dh_prime();
    // A public value outside 2..p-2 would give a guessable shared secret.
    if *server_public < BigUint::from(2u8) || *server_public >= &prime - 1u8 {
        return Err(protocol("the service sent an unusable public key"));
    }
    let shared = server_public.modpow(&BigUint::from_bytes_be(private), &prime);
    let shared = Zeroizing::new(to_fixed_bytes(&shared));
    let mut key = Zeroizing::new([0u8; 16]);
    hkdf::Hkdf::<sha2::Sha256>::new(None, &shared)
        .expand(&[], key.as_mut())
        .map_err(|_| protocol("key derivation failed"))?;
    Ok(key)
}

/// Big-endian bytes, left-padded with zeros to the group size.
fn to_fixed_bytes(n: &BigUint) -> Vec<u8> {
    let bytes = n.to_bytes_be();
    let mut padded = vec![0u8; DH_BYTES.saturating_sub(bytes.len())];
    padded.extend_from_slice(&bytes);
    padded
}

fn encrypt(key: &[u8; 16], iv: &[u8; 16], plain: &[u8]) -> Vec<u8> {
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
    cbc::Encryptor::<aes::Aes128>::new(key.into(), iv.into()).encrypt_padded_vec::<Pkcs7>(plain)
}

fn decrypt(key: &[u8; 16], iv: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
    let iv: &[u8; 16] = iv.try_into().ok()?;
    cbc::Decryptor::<aes::Aes128>::new(key.into(), iv.into())
        .decrypt_padded_vec::<Pkcs7>(sealed)
        .ok()
        .map(Zeroizing::new)
}

fn failure(e: &zbus::Error) -> StoreError {
    let detail = match e {
        zbus::Error::MethodError(name, _, _)
            if name.as_str() == "org.freedesktop.DBus.Error.ServiceUnknown" =>
        {
            "no Secret Service is running on the session bus".to_owned()
        }
        zbus::Error::MethodError(name, Some(text), _) => format!("{}: {text}", name.as_str()),
        other => crate::error_text::describe(other),
    };
    StoreError {
        store: STORE,
        detail,
        alternatives: alternatives(STORE),
    }
}

fn protocol(detail: &str) -> StoreError {
    StoreError {
        store: STORE,
        detail: detail.to_owned(),
        alternatives: alternatives(STORE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_derive_the_same_key() {
        let (a_private, a_public) = dh_keypair().unwrap();
        let (b_private, b_public) = dh_keypair().unwrap();
        let a = session_key(&a_private, &b_public).unwrap();
        let b = session_key(&b_private, &a_public).unwrap();
        assert_eq!(*a, *b);
        assert_eq!(dh_prime().bits(), 1024);
    }

    #[test]
    fn secrets_round_trip_and_tampering_is_caught() {
        let key = [7u8; 16];
        let iv = [9u8; 16];
        let sealed = encrypt(&key, &iv, b"session-token");
        assert_ne!(&sealed[..], b"session-token");
        assert_eq!(&decrypt(&key, &iv, &sealed).unwrap()[..], b"session-token");
        assert!(decrypt(&[8u8; 16], &iv, &sealed).is_none_or(|p| &p[..] != b"session-token"));
        assert!(decrypt(&key, &iv[..8], &sealed).is_none());
    }

    #[test]
    fn weak_server_keys_are_refused() {
        let (private, _) = dh_keypair().unwrap();
        for weak in [
            BigUint::from(0u8),
            BigUint::from(1u8),
            dh_prime() - 1u8,
            dh_prime(),
        ] {
            assert!(session_key(&private, &weak).is_err());
        }
    }
}

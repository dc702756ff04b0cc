//! A small client for the Freedesktop Secret Service (GNOME Keyring, KWallet)
//! over D-Bus: find, read, write and delete one item by its attributes.
//!
//! Secrets cross the bus encrypted (`dh-ietf1024-sha256-aes128-cbc-pkcs7`): a
//! Diffie-Hellman exchange per connection, HKDF-SHA256 for the AES key, a fresh
//! IV per secret. hats talks to the service itself instead of through the
//! keyring family's Secret Service store because that store spent ~10 ms of
//! every run on a hand-rolled modular exponentiation and asked for each item's
//! properties one round trip at a time; here a cached read is three round
//! trips after authentication (Hello with OpenSession, SearchItems, GetSecrets),
//! over hats' own blocking D-Bus client (`super::dbus`), on the calling thread.
//!
//! Entries carry the attributes `service = hats` and `username = <key>`, the
//! same ones the keyring family writes, so `secret-tool` and Seahorse show them.
//! Nothing here lists the keyring beyond those attributes (`keys`, for
//! `forget`, reads the `username` of items with `service = hats`), logs, or
//! keeps a secret after handing it back.

use super::dbus::{Bus, BusError, Call, Value};
use super::store::{SecretStore, StoreError, alternatives};
use num_bigint::BigUint;
use secrecy::{ExposeSecret, SecretString};
use std::sync::{Mutex, PoisonError};
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

/// One connection with the Secret Service, and the encrypted session once a
/// secret has to cross it.
pub struct SecretServiceStore {
    link: Mutex<Link>,
    address: String,
}

struct Link {
    bus: Bus,
    session: Option<Encrypted>,
}

/// An open encrypted session: its object path and the AES key.
struct Encrypted {
    path: String,
    key: Zeroizing<[u8; 16]>,
}

impl SecretServiceStore {
    /// Connects to the session bus and checks that a Secret Service answers
    /// (starting it if the bus can). Fails when none does, so the caller may
    /// fall back to another store.
    pub fn connect() -> Result<Self, StoreError> {
        let mut bus = Bus::session().map_err(failure)?;
        call(
            &mut bus,
            SERVICE_PATH,
            "org.freedesktop.DBus.Peer",
            "Ping",
            vec![],
        )?;
        Ok(Self {
            address: bus.address().to_owned(),
            link: Mutex::new(Link { bus, session: None }),
        })
    }

    /// The bus address this store talks through: names the store's identity.
    pub fn address(&self) -> &str {
        &self.address
    }

    fn link(&self) -> std::sync::MutexGuard<'_, Link> {
        // A panic elsewhere cannot leave a half-sent message: every call
        // writes and reads whole messages before returning.
        self.link.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Items with hats' attributes for `key`: (unlocked, locked).
    fn search(bus: &mut Bus, key: &str) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let reply = call(
            bus,
            SERVICE_PATH,
            SERVICE_IFACE,
            "SearchItems",
            vec![attributes(key)],
        )?;
        match &reply[..] {
            [unlocked, locked] => Ok((unlocked.paths(), locked.paths())),
            _ => Err(protocol("SearchItems returned an unexpected reply")),
        }
    }

    /// Unlocks `items`, asking the user through the service's own prompt if it needs one.
    fn unlock(bus: &mut Bus, items: Vec<String>) -> Result<Vec<String>, StoreError> {
        let reply = call(
            bus,
            SERVICE_PATH,
            SERVICE_IFACE,
            "Unlock",
            vec![object_paths(items)],
        )?;
        let (Some(unlocked), Some(Value::Path(prompt))) = (reply.first(), reply.get(1)) else {
            return Err(protocol("Unlock returned an unexpected reply"));
        };
        match complete(bus, prompt)? {
            Some(result) => Ok(result.unwrap_variant().paths()),
            None => Ok(unlocked.paths()),
        }
    }

    /// The collection new items go to: the one aliased `default` (the login keyring).
    fn default_collection(bus: &mut Bus) -> Result<String, StoreError> {
        let reply = call(
            bus,
            SERVICE_PATH,
            SERVICE_IFACE,
            "ReadAlias",
            vec![Value::Str("default".into())],
        )?;
        match reply.first().and_then(Value::as_str) {
            Some("/") => Err(StoreError {
                store: STORE,
                detail: "it has no default collection (create a login keyring, e.g. in Seahorse)".into(),
                alternatives: alternatives(STORE),
            }),
            Some(path) => Ok(path.to_owned()),
            None => Err(protocol("ReadAlias returned no collection")),
        }
    }
}

impl SecretStore for SecretServiceStore {
    fn name(&self) -> &'static str {
        STORE
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        let link = &mut *self.link();
        let (mut items, locked) = Self::search(&mut link.bus, key)?;
        if items.is_empty() && !locked.is_empty() {
            items = Self::unlock(&mut link.bus, locked)?;
        }
        if items.is_empty() {
            return Ok(None);
        }
        let session = Value::Path(encrypted(link)?.path.clone());
        let reply = call(
            &mut link.bus,
            SERVICE_PATH,
            SERVICE_IFACE,
            "GetSecrets",
            vec![object_paths(items), session],
        )?;
        let Some(Value::Entry(_, secret)) = reply.first().and_then(|secrets| secrets.items().first()) else {
            return Ok(None);
        };
        // An entry that does not decrypt to text is corrupt: an empty secret makes
        // the caller discard and replace it.
        let text = match &**secret {
            Value::Struct(fields) => match (fields.get(1), fields.get(2)) {
                (Some(Value::Bytes(iv)), Some(Value::Bytes(sealed))) => link
                    .session
                    .as_ref()
                    .and_then(|session| decrypt(&session.key, iv, sealed))
                    .and_then(|plain| String::from_utf8(plain.to_vec()).ok())
                    .unwrap_or_default(),
                _ => String::new(),
            },
            _ => String::new(),
        };
        Ok(Some(SecretString::from(text)))
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        let link = &mut *self.link();
        let collection = Self::default_collection(&mut link.bus)?;
        let mut iv = [0u8; 16];
        getrandom::fill(&mut iv).map_err(|e| protocol(&format!("no randomness for the IV: {e}")))?;
        let session = encrypted(link)?;
        let sealed = encrypt(&session.key, &iv, value.expose_secret().as_bytes());
        let session = Value::Path(session.path.clone());
        let property = |name: &str, value: Value| {
            Value::Entry(
                Box::new(Value::Str(name.into())),
                Box::new(Value::Variant(Box::new(value))),
            )
        };
        let properties = Value::Array {
            elem: "{sv}".into(),
            items: vec![
                property(
                    "org.freedesktop.Secret.Item.Label",
                    Value::Str(format!("hats session {key}")),
                ),
                property("org.freedesktop.Secret.Item.Attributes", attributes(key)),
            ],
        };
        let secret = Value::Struct(vec![
            session,
            Value::Bytes(iv.to_vec()),
            Value::Bytes(sealed),
            Value::Str(CONTENT_TYPE.into()),
        ]);
        let bus = &mut link.bus;
        let reply = call(
            bus,
            &collection,
            COLLECTION_IFACE,
            "CreateItem",
            vec![properties, secret, Value::Bool(true)],
        )?;
        let Some(Value::Path(prompt)) = reply.get(1) else {
            return Err(protocol("CreateItem returned an unexpected reply"));
        };
        complete(bus, prompt)?;
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let bus = &mut self.link().bus;
        let service_only = Value::Array {
            elem: "{ss}".into(),
            items: vec![Value::Entry(
                Box::new(Value::Str("service".into())),
                Box::new(Value::Str(SERVICE_ATTRIBUTE.into())),
            )],
        };
        let reply = call(
            bus,
            SERVICE_PATH,
            SERVICE_IFACE,
            "SearchItems",
            vec![service_only],
        )?;
        let items: Vec<String> = reply.iter().flat_map(Value::paths).collect();
        let mut keys = Vec::new();
        for item in items {
            // Attributes are readable without unlocking: no prompt, no secret.
            let reply = call(
                bus,
                &item,
                "org.freedesktop.DBus.Properties",
                "Get",
                vec![Value::Str(ITEM_IFACE.into()), Value::Str("Attributes".into())],
            )?;
            let attributes = reply.first().map(Value::unwrap_variant);
            let username = attributes
                .into_iter()
                .flat_map(Value::items)
                .find_map(|pair| match pair {
                    Value::Entry(k, v) if k.as_str() == Some("username") => v.as_str().map(str::to_owned),
                    _ => None,
                });
            keys.extend(username);
        }
        Ok(keys)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let bus = &mut self.link().bus;
        let (unlocked, locked) = Self::search(bus, key)?;
        for item in unlocked.into_iter().chain(locked) {
            let reply = call(bus, &item, ITEM_IFACE, "Delete", vec![])?;
            if let Some(Value::Path(prompt)) = reply.first() {
                complete(bus, prompt)?;
            }
        }
        Ok(())
    }
}

/// The link's encrypted session, opened on first use: the Diffie-Hellman
/// exchange is the most expensive part of talking to the service.
fn encrypted(link: &mut Link) -> Result<&Encrypted, StoreError> {
    if link.session.is_none() {
        let (private, public) = dh_keypair()?;
        let input = Value::Variant(Box::new(Value::Bytes(to_fixed_bytes(&public))));
        let reply = call(
            &mut link.bus,
            SERVICE_PATH,
            SERVICE_IFACE,
            "OpenSession",
            vec![Value::Str(ALGORITHM.into()), input],
        )?;
        let (Some(Value::Bytes(server_public)), Some(Value::Path(path))) =
            (reply.first().map(Value::unwrap_variant), reply.get(1))
        else {
            return Err(protocol("OpenSession returned no public key"));
        };
        let key = session_key(&private, &BigUint::from_bytes_be(server_public))?;
        link.session = Some(Encrypted {
            path: path.clone(),
            key,
        });
    }
    link.session
        .as_ref()
        .ok_or_else(|| protocol("no encrypted session"))
}

/// Runs the prompt at `prompt` (none when it is `/`) and returns its result;
/// an error when the user dismissed it.
fn complete(bus: &mut Bus, prompt: &str) -> Result<Option<Value>, StoreError> {
    if prompt == "/" {
        return Ok(None);
    }
    // Subscribe before prompting, or the answer could come first.
    let rule = format!("type='signal',interface='{PROMPT_IFACE}',member='Completed',path='{prompt}'");
    bus.add_match(&rule).map_err(failure)?;
    call(
        bus,
        prompt,
        PROMPT_IFACE,
        "Prompt",
        vec![Value::Str(String::new())],
    )?;
    let answer = bus
        .wait_for_signal(prompt, PROMPT_IFACE, "Completed")
        .map_err(failure)?;
    match &answer[..] {
        [Value::Bool(true), _] => Err(StoreError {
            store: STORE,
            detail: "the unlock prompt was dismissed".into(),
            alternatives: alternatives(STORE),
        }),
        [Value::Bool(false), result] => Ok(Some(result.clone())),
        _ => Err(protocol("the prompt ended without an answer")),
    }
}

/// The attributes that identify hats' entry for `key`, as an `a{ss}`.
fn attributes(key: &str) -> Value {
    let pair =
        |k: &str, v: &str| Value::Entry(Box::new(Value::Str(k.into())), Box::new(Value::Str(v.into())));
    Value::Array {
        elem: "{ss}".into(),
        items: vec![pair("service", SERVICE_ATTRIBUTE), pair("username", key)],
    }
}

fn object_paths(paths: Vec<String>) -> Value {
    Value::Array {
        elem: "o".into(),
        items: paths.into_iter().map(Value::Path).collect(),
    }
}

/// Calls `method` on the Secret Service object at `path` and returns the reply's body.
fn call(
    bus: &mut Bus,
    path: &str,
    interface: &str,
    member: &str,
    body: Vec<Value>,
) -> Result<Vec<Value>, StoreError> {
    bus.call(&Call {
        destination: SERVICE_NAME,
        path,
        interface,
        member,
        body,
    })
    .map_err(failure)
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

fn failure(e: BusError) -> StoreError {
    let detail = match e {
        BusError::Remote { name, .. } if name == "org.freedesktop.DBus.Error.ServiceUnknown" => {
            "no Secret Service is running on the session bus".to_owned()
        }
        other => other.to_string(),
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

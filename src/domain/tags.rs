//! An account's tags: a JSON object on disk and in `ls --json`, a sorted slice
//! of pairs in memory. An organization's inventory holds thousands of accounts
//! with a few tags each, and a `BTreeMap` spends a ~540-byte node on each of
//! them (3 MB at 5,000 accounts, which the switcher's first frame pays to fault in).

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Tags sorted by key, each key once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Box<[(String, String)]>);

impl Tags {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        let found = self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok()?;
        Some(&self.0[found].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each tag, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// These tags and those of `more` whose keys these do not have.
    pub fn or(&self, more: &Tags) -> Tags {
        let missing = more.iter().filter(|(k, _)| !self.contains_key(k));
        self.iter()
            .chain(missing)
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

/// As a map does: a later value of a key replaces an earlier one.
impl FromIterator<(String, String)> for Tags {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut pairs: Vec<(String, String)> = pairs.into_iter().collect();
        // Stable: of equal keys, the last one given ends last and is kept.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.reverse();
        pairs.dedup_by(|later, kept| later.0 == kept.0);
        pairs.reverse();
        Self(pairs.into_boxed_slice())
    }
}

impl Serialize for Tags {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Tags;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of tag keys to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tags, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(pairs.into_iter().collect())
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::Tags;
    use std::collections::BTreeMap;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn tags_read_write_and_look_up_as_the_map_they_replace() {
        let text = r#"{"team":"a","env":"prod","team":"b","cost":""}"#;
        let ours: Tags = serde_json::from_str(text).unwrap();
        let map: BTreeMap<String, String> = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        for key in ["team", "env", "cost", "missing", ""] {
            assert_eq!(ours.get(key), map.get(key).map(String::as_str), "{key}");
        }
        let pairs: Vec<(&str, &str)> = ours.iter().collect();
        assert_eq!(pairs, [("cost", ""), ("env", "prod"), ("team", "b")]);
        assert!(Tags::default().is_empty() && !ours.is_empty());
    }

    #[test]
    fn or_keeps_its_own_values_and_adds_only_missing_keys() {
        let own = tags(&[("team", "core"), ("env", "dev")]);
        let account = tags(&[("env", "prod"), ("cost", "42")]);
        assert_eq!(
            own.or(&account),
            tags(&[("cost", "42"), ("env", "dev"), ("team", "core")])
        );
        assert_eq!(Tags::default().or(&account), account);
    }
}

//! The shell's own region settings while `hats use` has replaced them.
//!
//! `hats use` sets `AWS_REGION` and `AWS_DEFAULT_REGION` for each target it
//! switches to; the values the shell had before the first switch are kept in
//! one exported variable, so a later switch does not mistake the previous
//! target's region for the user's, and `hats use --unset` puts back exactly
//! what was there (a value, or nothing). Pure: callers pass the environment in.

/// The exported variable holding the saved values (JSON: the names that were set, with their values).
pub const SAVED_REGION: &str = "HATS_SAVED_REGION";

/// The two region variables `hats use` replaces, in the order they are restored.
pub const REGION_VARS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// What the shell's region variables held before `hats use` first changed them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SavedRegion {
    /// `AWS_REGION`, if it was set.
    pub region: Option<String>,
    /// `AWS_DEFAULT_REGION`, if it was set.
    pub default_region: Option<String>,
}

impl SavedRegion {
    /// The values saved by an earlier `hats use` (`None` when this shell has none).
    pub fn saved(var: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let text = var(SAVED_REGION)?;
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).ok()?;
        let get = |name: &str| {
            map.get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        Some(Self {
            region: get(REGION_VARS[0]),
            default_region: get(REGION_VARS[1]),
        })
    }

    /// What to save before this switch: what an earlier switch saved, else the
    /// shell's values now.
    pub fn before_switch(var: impl Fn(&str) -> Option<String>) -> Self {
        Self::saved(&var).unwrap_or_else(|| Self {
            region: var(REGION_VARS[0]),
            default_region: var(REGION_VARS[1]),
        })
    }

    /// The region the user had chosen: `AWS_REGION`, else `AWS_DEFAULT_REGION`
    /// (empty values count as unset, as the SDKs count them).
    pub fn users_region(&self) -> Option<&str> {
        [&self.region, &self.default_region]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .find(|r| !r.is_empty())
    }

    /// The value of [`SAVED_REGION`].
    pub fn encode(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = REGION_VARS
            .iter()
            .zip([&self.region, &self.default_region])
            .filter_map(|(name, value)| Some(((*name).to_owned(), value.clone()?.into())))
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// Each region variable with the value to restore (`None`: unset it).
    pub fn restore(&self) -> [(&'static str, Option<&str>); 2] {
        [
            (REGION_VARS[0], self.region.as_deref()),
            (REGION_VARS[1], self.default_region.as_deref()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_first_switch_saves_the_shells_values_and_later_ones_keep_them() {
        let first = SavedRegion::before_switch(env(&[("AWS_REGION", "sa-east-1")]));
        assert_eq!(first.region.as_deref(), Some("sa-east-1"));
        assert_eq!(first.default_region, None);
        assert_eq!(first.encode(), r#"{"AWS_REGION":"sa-east-1"}"#);
        // After the switch the shell holds the target's region; the saved value wins.
        let later = SavedRegion::before_switch(env(&[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            (SAVED_REGION, &first.encode()),
        ]));
        assert_eq!(later, first);
        assert_eq!(later.users_region(), Some("sa-east-1"));
        assert_eq!(
            later.restore(),
            [("AWS_REGION", Some("sa-east-1")), ("AWS_DEFAULT_REGION", None)]
        );
    }

    #[test]
    fn nothing_set_is_saved_as_nothing_and_odd_values_survive() {
        let none = SavedRegion::before_switch(env(&[]));
        assert_eq!(none.encode(), "{}");
        assert_eq!(SavedRegion::saved(env(&[(SAVED_REGION, "{}")])), Some(none));
        let odd = SavedRegion {
            region: Some(String::new()),
            default_region: Some("a\"b'c $x".into()),
        };
        let back = SavedRegion::saved(env(&[(SAVED_REGION, &odd.encode())])).unwrap();
        assert_eq!(back, odd);
        assert_eq!(back.users_region(), Some("a\"b'c $x"));
        assert_eq!(SavedRegion::saved(env(&[(SAVED_REGION, "garbage")])), None);
    }
}

//! Session tags and transitive tag keys sent with `AssumeRole`, checked against
//! AWS's rules before any call so a typo fails here with the tag named.
//!
//! Parsing only: where the tags come from (profiles, hats config) is config's business.

use super::InvalidValue;

/// AWS accepts at most this many session tags (and transitive keys) per request.
const MAX_TAGS: usize = 50;

/// Tags for one `AssumeRole`, in the order they were configured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SessionTags {
    /// `Tags`: key and value.
    pub tags: Vec<(String, String)>,
    /// `TransitiveTagKeys`: tags that stay on the session along role chains.
    pub transitive: Vec<String>,
}

impl SessionTags {
    /// Checks `tags` and `transitive` against AWS's limits.
    pub fn new(tags: Vec<(String, String)>, transitive: Vec<String>) -> Result<Self, InvalidValue> {
        let invalid = |why: String| Err(InvalidValue::SessionTags(why));
        if tags.len() > MAX_TAGS {
            return invalid(format!(
                "{} tags given, AWS accepts at most {MAX_TAGS}",
                tags.len()
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in &tags {
            if key.is_empty() || key.chars().count() > 128 || !key.chars().all(tag_char) {
                return invalid(format!(
                    "tag key \"{key}\" must be 1 to 128 letters, digits, spaces or _.:/=+-@"
                ));
            }
            if value.chars().count() > 256 || !value.chars().all(tag_char) {
                return invalid(format!(
                    "value of tag \"{key}\" must be at most 256 letters, digits, spaces or _.:/=+-@"
                ));
            }
            // AWS compares tag keys without regard to case.
            let lower = key.to_lowercase();
            if seen.contains(&lower) {
                return invalid(format!("tag key \"{key}\" is given twice"));
            }
            seen.push(lower);
        }
        for key in &transitive {
            if !seen.contains(&key.to_lowercase()) {
                return invalid(format!(
                    "transitive tag key \"{key}\" is not one of the session tags; add it to session_tags"
                ));
            }
        }
        Ok(Self { tags, transitive })
    }

    /// Parses the profile form: `session_tags = team=core, project=hats` and
    /// `transitive_tag_keys = team` (commas separate; AWS allows no comma in tags).
    pub fn parse(tags: Option<&str>, transitive: Option<&str>) -> Result<Self, InvalidValue> {
        let pairs = split_list(tags.unwrap_or_default())
            .map(|item| match item.split_once('=') {
                Some((k, v)) => Ok((k.trim().to_owned(), v.trim().to_owned())),
                None => Err(InvalidValue::SessionTags(format!(
                    "\"{item}\" is not KEY=VALUE; write session_tags = team=core, project=x"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let keys = split_list(transitive.unwrap_or_default())
            .map(str::to_owned)
            .collect();
        Self::new(pairs, keys)
    }

    /// Whether nothing is sent.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.transitive.is_empty()
    }
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

#[cfg(test)]
mod tests {
    use super::SessionTags;

    #[test]
    fn profile_form_keeps_order_and_splits_at_the_first_equals() {
        let tags = SessionTags::parse(Some(" team=core, expr=a=b ,cost center = 42"), Some("team")).unwrap();
        assert_eq!(
            tags.tags,
            [
                ("team".into(), "core".into()),
                ("expr".into(), "a=b".into()),
                ("cost center".into(), "42".into())
            ]
        );
        assert_eq!(tags.transitive, ["team"]);
        assert!(SessionTags::parse(None, None).unwrap().is_empty());
    }

    #[test]
    fn bad_tags_are_named() {
        let err = |t: &str, k: Option<&str>| SessionTags::parse(Some(t), k).unwrap_err().to_string();
        assert!(err("team", None).contains("\"team\" is not KEY=VALUE"));
        assert!(err("te#am=x", None).contains("tag key \"te#am\""));
        assert!(err("team=a, TEAM=b", None).contains("given twice"));
        assert!(err("team=a", Some("project")).contains("transitive tag key \"project\""));
        let many: Vec<String> = (0..51).map(|i| format!("k{i}=v")).collect();
        assert!(err(&many.join(","), None).contains("at most 50"));
    }
}

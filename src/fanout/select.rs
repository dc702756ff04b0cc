//! Which targets a fan-out runs on: names, shell-style patterns, OU path
//! prefixes, tags, role names, exclusions or everything. Exact, never fuzzy: a
//! fuzzy match must not decide where a command runs in production.
//!
//! Filters of one kind are alternatives (OR); kinds narrow each other (AND).
//! An empty selection is an error that names the filter that left nothing.
//! Pure: it reads targets, never the keyring or AWS.

use super::pattern;
use crate::inventory::{Target, TargetSet};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// Target names (exact) and shell-style patterns on names.
    pub names: Vec<String>,
    /// OU path prefixes (`Workloads/Prod` selects `Workloads/Prod/Team` too).
    pub ous: Vec<String>,
    /// `KEY=VALUE` (or `KEY`: the tag is set).
    pub tags: Vec<String>,
    /// Role names.
    pub roles: Vec<String>,
    /// Patterns (or names) of targets to leave out.
    pub excludes: Vec<String>,
    /// Every target.
    pub all: bool,
}

/// Why nothing (or something wrong) was selected. One line, says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// No selector at all.
    #[error(
        "name the targets to run on: names or patterns ('team-*/ReadOnly'), --ou PATH, --tag KEY=VALUE, \
         --role NAME, or --all"
    )]
    Nothing,
    /// A name without pattern characters that no target has.
    #[error("no target is called \"{name}\"{hint}; see `hats ls`")]
    Unknown {
        name: String,
        /// ` (did you mean "a", "b"?)` or empty.
        hint: String,
    },
    /// A tag filter that is not `KEY=VALUE` or `KEY`.
    #[error("--tag \"{0}\" is not KEY=VALUE (or KEY)")]
    BadTag(String),
    /// Filters that left no target.
    #[error("no target left to run on: {0}")]
    Empty(String),
}

impl Selector {
    /// Whether anything selects targets (`--exclude` alone does not).
    fn selects(&self) -> bool {
        self.all
            || !self.names.is_empty()
            || !self.ous.is_empty()
            || !self.tags.is_empty()
            || !self.roles.is_empty()
    }

    /// The selected targets, in the order they are defined.
    pub fn select<'t>(&self, set: &'t TargetSet) -> Result<Vec<&'t Target>, SelectError> {
        if !self.selects() {
            return Err(SelectError::Nothing);
        }
        for name in self.names.iter().filter(|n| !pattern::is_pattern(n)) {
            if set.find(name).is_none() {
                let close = set.suggest(name);
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    let quoted: Vec<String> = close.iter().map(|c| format!("\"{c}\"")).collect();
                    format!(" (did you mean {}?)", quoted.join(", "))
                };
                return Err(SelectError::Unknown {
                    name: name.clone(),
                    hint,
                });
            }
        }
        let tags = self
            .tags
            .iter()
            .map(|t| parse_tag(t))
            .collect::<Result<Vec<_>, _>>()?;
        let mut left: Vec<&Target> = set.targets.iter().collect();
        let mut steps: Vec<String> = Vec::new();
        let mut narrow = |left: &mut Vec<&'t Target>, what: String, keep: &dyn Fn(&Target) -> bool| {
            let before = left.len();
            left.retain(|t| keep(t));
            steps.push(format!("{what} leaves {} of {before}", left.len()));
        };
        if !self.names.is_empty() {
            let named: Vec<&Target> = self.names.iter().filter_map(|n| set.find(n)).collect();
            let keep = |t: &Target| {
                named.iter().any(|n| std::ptr::eq(*n, t))
                    || self
                        .names
                        .iter()
                        .any(|p| pattern::is_pattern(p) && name_matches(p, t))
            };
            narrow(&mut left, quoted_list("names", &self.names), &keep);
        }
        if !self.ous.is_empty() {
            let keep = |t: &Target| self.ous.iter().any(|ou| ou_matches(ou, t.ou_path.as_deref()));
            narrow(&mut left, quoted_list("--ou", &self.ous), &keep);
        }
        if !tags.is_empty() {
            let keep = |t: &Target| {
                tags.iter()
                    .any(|(k, v)| t.tags.get(k).is_some_and(|have| v.is_none_or(|v| have == v)))
            };
            narrow(&mut left, quoted_list("--tag", &self.tags), &keep);
        }
        if !self.roles.is_empty() {
            let keep = |t: &Target| t.role_name().is_some_and(|r| self.roles.iter().any(|w| w == r));
            narrow(&mut left, quoted_list("--role", &self.roles), &keep);
        }
        if !self.excludes.is_empty() {
            let keep = |t: &Target| !self.excludes.iter().any(|p| name_matches(p, t));
            narrow(&mut left, quoted_list("--exclude", &self.excludes), &keep);
        }
        if left.is_empty() {
            let why = if set.targets.is_empty() {
                crate::inventory::NO_TARGETS_HINT.to_owned()
            } else {
                format!("of {} targets, {}", set.targets.len(), steps.join(", then "))
            };
            return Err(SelectError::Empty(why));
        }
        Ok(left)
    }
}

/// A pattern (or plain name) against the target's name and its alias (`ID/ROLE`).
fn name_matches(pattern: &str, target: &Target) -> bool {
    let test = |name: &str| {
        if pattern::is_pattern(pattern) {
            pattern::matches(pattern, name)
        } else {
            pattern == name
        }
    };
    test(&target.name) || target.alias.as_deref().is_some_and(test)
}

/// Whether `path` is `prefix` or lies below it, whole OU names only
/// (`Workloads/Prod` does not select `Workloads/Production`).
fn ou_matches(prefix: &str, path: Option<&str>) -> bool {
    let prefix = prefix.trim_matches('/');
    let Some(path) = path else {
        return false;
    };
    if prefix.is_empty() {
        return true;
    }
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn parse_tag(raw: &str) -> Result<(&str, Option<&str>), SelectError> {
    let (key, value) = match raw.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (raw, None),
    };
    if key.trim().is_empty() {
        return Err(SelectError::BadTag(raw.to_owned()));
    }
    Ok((key, value))
}

fn quoted_list(what: &str, values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    format!("{what} {}", quoted.join(" or "))
}

#[cfg(test)]
mod tests;

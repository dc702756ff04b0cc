//! Accounts discovered from AWS Organizations or IAM Identity Center, and the clean-up of names that
//! come from the API (they may carry control characters or terminal escapes).

use serde::{Deserialize, Serialize};

use std::sync::Arc;

/// One account of the organization, as hats caches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgAccount {
    /// 12-digit id.
    pub id: String,
    /// Account name, cleaned.
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `CLOSED`, …
    pub state: String,
    /// OU names from the root down (empty for accounts directly under the root).
    pub ou_path: Vec<String>,
    /// Account tags, cleaned; shared with the account's targets.
    pub tags: Arc<super::Tags>,
    /// Roles assigned to the signed-in user (Identity Center discovery; cleaned).
    /// Empty for organization accounts, whose roles come from the config.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl OrgAccount {
    /// Whether the account can be used.
    pub fn is_active(&self) -> bool {
        self.state.eq_ignore_ascii_case("ACTIVE")
    }

    /// `Production/Payments`.
    pub fn ou_path_text(&self) -> String {
        self.ou_path.join("/")
    }
}

/// The discovered organization, as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// When discovery finished.
    pub fetched_at: jiff::Timestamp,
    /// Every account, sorted by name.
    pub accounts: Vec<OrgAccount>,
    /// The partition the organization lives in, so its roles' ARNs are built
    /// there; inventories written before hats knew partitions read as `aws`.
    #[serde(default)]
    pub partition: super::Partition,
    /// The region discovery called (STS and the discovery API); `None` in
    /// inventories written before hats recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// Removes control characters (escape sequences lose their ESC and become inert
/// text) and trims; never returns an empty string for a non-empty id.
pub fn clean_text(raw: &str) -> String {
    // Names from the API rarely hold a control character: one copy, not two.
    if super::is_printable_ascii(raw) || !raw.chars().any(char::is_control) {
        return raw.trim().to_owned();
    }
    raw.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_removed() {
        assert_eq!(clean_text("evil\x1b[31mred\x1b[0m\x07 "), "evil[31mred[0m");
        assert_eq!(clean_text("line\nbreak\ttab"), "linebreaktab");
    }
}

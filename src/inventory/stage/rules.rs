//! Rules (`[[organization.rule]]`, `[[identity_center.rule]]`): which accounts
//! are offered, which are guarded as production, which roles are added or left out.

use super::AccountFacts;
use crate::config::OrgRule;

/// What the rules say about one account.
#[derive(Debug)]
pub(in crate::inventory) struct Verdict<'r> {
    /// Not skipped, and included when any rule includes.
    pub offered: bool,
    /// A matching rule guards it.
    pub production: bool,
    /// The matching rules (their role additions and exclusions).
    pub matching: Vec<&'r OrgRule>,
}

impl<'r> Verdict<'r> {
    /// The verdict of `rules` on `account`.
    pub(in crate::inventory) fn of(rules: &[&'r OrgRule], account: &AccountFacts<'_>) -> Self {
        let matching: Vec<&OrgRule> = rules.iter().copied().filter(|r| matches(r, account)).collect();
        let has_includes = rules.iter().any(|r| r.include);
        let skipped = matching.iter().any(|r| r.skip);
        let included = !has_includes || matching.iter().any(|r| r.include);
        Self {
            offered: !skipped && included,
            production: matching.iter().any(|r| r.production),
            matching,
        }
    }

    /// Whether a matching rule leaves `role` out.
    pub(in crate::inventory) fn excludes(&self, role: &str) -> bool {
        self.matching
            .iter()
            .any(|r| r.exclude_roles.iter().any(|x| x == role))
    }
}

/// Whether `rule` applies to `account`; a rule without a selector applies to all.
fn matches(rule: &OrgRule, account: &AccountFacts<'_>) -> bool {
    let ou_path = account.ou_path.unwrap_or_default();
    let ou = rule
        .ou
        .as_ref()
        .is_none_or(|ou| ou_path.iter().any(|p| p == ou) || ou_path.join("/") == *ou);
    let tag = rule.tag.as_ref().is_none_or(|tag| {
        let tags = account.tags;
        match tag.split_once('=') {
            Some((k, v)) => tags.and_then(|t| t.get(k)).is_some_and(|have| have == v),
            None => tags.is_some_and(|t| t.contains_key(tag)),
        }
    });
    let named = rule
        .account
        .as_ref()
        .is_none_or(|a| a == account.name || a == account.id.as_str());
    ou && tag && named
}

/// The default roles, plus each matching rule's additions, minus its exclusions.
pub(in crate::inventory) fn offered_roles<'a>(defaults: &'a [String], verdict: &Verdict<'a>) -> Vec<&'a str> {
    let mut roles: Vec<&str> = defaults.iter().map(String::as_str).collect();
    for rule in &verdict.matching {
        for role in &rule.roles {
            if !roles.contains(&role.as_str()) {
                roles.push(role);
            }
        }
    }
    roles.retain(|role| !verdict.excludes(role));
    roles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AccountId;
    use std::sync::Arc;

    fn rule(text: &str) -> OrgRule {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn rules_match_by_ou_tag_or_account() {
        let ou = ["Workloads".to_owned(), "Production".to_owned()];
        let tags: crate::domain::Tags = [("env".to_owned(), "production".to_owned())]
            .into_iter()
            .collect();
        let a = AccountFacts {
            id: AccountId::parse("123456789012").unwrap(),
            name: "payments",
            ou_path: Some(&ou),
            tags: Some(&Arc::new(tags)),
            roles: Vec::new(),
        };
        assert!(matches(&rule("ou = \"Production\""), &a));
        assert!(matches(&rule("ou = \"Workloads/Production\""), &a));
        assert!(!matches(&rule("ou = \"Sandbox\""), &a));
        assert!(matches(&rule("tag = \"env=production\""), &a));
        assert!(matches(&rule("tag = \"env\""), &a));
        assert!(!matches(&rule("tag = \"env=dev\""), &a));
        assert!(matches(&rule("account = \"payments\""), &a));
        assert!(matches(&rule("account = \"123456789012\""), &a));
        assert!(
            matches(&rule("roles = [\"X\"]"), &a),
            "no selector: every account"
        );
    }

    #[test]
    fn roles_are_added_then_excluded() {
        let add = rule("roles = [\"Admin\", \"ReadOnly\"]");
        let remove = rule("exclude_roles = [\"OrganizationAccountAccessRole\"]");
        let verdict = Verdict {
            offered: true,
            production: false,
            matching: vec![&add, &remove],
        };
        let defaults = ["OrganizationAccountAccessRole".to_owned(), "ReadOnly".to_owned()];
        assert_eq!(offered_roles(&defaults, &verdict), ["ReadOnly", "Admin"]);
    }
}

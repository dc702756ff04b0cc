use super::*;
use crate::fanout::fixture::target;

fn set() -> TargetSet {
    let prod = Some("Workloads/Prod");
    let prod_team = Some("Workloads/Prod/Payments");
    let production = Some("Workloads/Production");
    TargetSet {
        targets: vec![
            target("team-a", "111111111111", "ReadOnly", prod, &[("env", "prod")]),
            target("team-a", "111111111111", "Admin", prod, &[("env", "prod")]),
            target(
                "team-b",
                "222222222222",
                "ReadOnly",
                prod_team,
                &[("env", "prod"), ("owner", "b")],
            ),
            target(
                "team-c",
                "333333333333",
                "ReadOnly",
                production,
                &[("env", "dev")],
            ),
            target("ops", "444444444444", "ReadOnly", None, &[]),
        ],
        ..TargetSet::default()
    }
}

fn names(selector: &Selector) -> Vec<String> {
    selector
        .select(&set())
        .unwrap()
        .iter()
        .map(|t| t.name.clone())
        .collect()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn names_and_patterns_are_alternatives() {
    let selector = Selector {
        names: strings(&["ops/ReadOnly", "team-[ab]/Admin", "444444444444/ReadOnly"]),
        ..Selector::default()
    };
    assert_eq!(names(&selector), ["team-a/Admin", "ops/ReadOnly"]);
}

#[test]
fn kinds_narrow_each_other() {
    let selector = Selector {
        names: strings(&["team-*"]),
        roles: strings(&["ReadOnly"]),
        tags: strings(&["env=prod"]),
        ..Selector::default()
    };
    assert_eq!(names(&selector), ["team-a/ReadOnly", "team-b/ReadOnly"]);
}

#[test]
fn an_ou_selects_itself_and_below_by_whole_names() {
    let selector = Selector {
        ous: strings(&["Workloads/Prod"]),
        roles: strings(&["ReadOnly"]),
        ..Selector::default()
    };
    assert_eq!(
        names(&selector),
        ["team-a/ReadOnly", "team-b/ReadOnly"],
        "Workloads/Production is another OU"
    );
}

#[test]
fn a_tag_key_alone_asks_only_that_it_is_set() {
    let selector = Selector {
        tags: strings(&["owner"]),
        ..Selector::default()
    };
    assert_eq!(names(&selector), ["team-b/ReadOnly"]);
}

#[test]
fn all_with_exclusions() {
    let selector = Selector {
        all: true,
        excludes: strings(&["team-a/*", "ops/ReadOnly"]),
        ..Selector::default()
    };
    assert_eq!(names(&selector), ["team-b/ReadOnly", "team-c/ReadOnly"]);
}

#[test]
fn nothing_asked_unknown_names_and_empty_results_are_errors_that_say_why() {
    assert_eq!(
        Selector::default().select(&set()).unwrap_err(),
        SelectError::Nothing
    );
    let exclude_only = Selector {
        excludes: strings(&["*"]),
        ..Selector::default()
    };
    assert_eq!(exclude_only.select(&set()).unwrap_err(), SelectError::Nothing);
    let typo = Selector {
        names: strings(&["team-a/ReadOnyl"]),
        ..Selector::default()
    };
    let error = typo.select(&set()).unwrap_err().to_string();
    assert!(
        error.contains("no target is called \"team-a/ReadOnyl\""),
        "{error}"
    );
    assert!(error.contains("did you mean \"team-a/ReadOnly\""), "{error}");
    let empty = Selector {
        names: strings(&["team-*"]),
        ous: strings(&["Sandbox"]),
        ..Selector::default()
    };
    let error = empty.select(&set()).unwrap_err().to_string();
    assert_eq!(
        error,
        "no target left to run on: of 5 targets, names \"team-*\" leaves 4 of 5, then --ou \"Sandbox\" leaves 0 of 4"
    );
    let bad = Selector {
        all: true,
        tags: strings(&["=x"]),
        ..Selector::default()
    };
    assert_eq!(bad.select(&set()).unwrap_err(), SelectError::BadTag("=x".into()));
}

//! SAML sources end to end against moto: the assertion command runs only when
//! an assertion is needed, its roles become targets that `hats ls` lists
//! without running it, `AssumeRoleWithSAML` gets the assertion, the provider
//! and the role (unsigned), sessions are cached, and the assertion is never
//! written anywhere. moto answers 500 to an assertion with several roles, so
//! assuming is tested with single-role assertions and listing with several.

use crate::harness::{Sandbox, parse_exports};
use crate::saml_idp::{Idp, PROVIDER, in_an_hour};
use std::path::PathBuf;

const ADMIN: &str = "arn:aws:iam::123456789012:role/Admin";

/// A sandbox whose `[saml.corp]` command counts its runs in `~/idp-runs` and
/// prints `~/assertion.b64`.
pub(crate) fn sandbox(with_keyring: bool, idp: &Idp<'_>) -> Sandbox {
    let sb = if with_keyring {
        Sandbox::new()
    } else {
        Sandbox::without_keyring()
    };
    with_idp(sb, idp)
}

/// `sb` with the `[saml.corp]` source of [`sandbox`].
fn with_idp(sb: Sandbox, idp: &Idp<'_>) -> Sandbox {
    let script = sb.write(
        "idp.sh",
        "echo run >> \"$HOME/idp-runs\"\necho 'signing in to corp' >&2\ncat \"$HOME/assertion.b64\"\n",
    );
    sb.write("assertion.b64", &idp.base64());
    sb.hats_config(&format!(
        "[saml.corp]\nassertion_process = \"sh {}\"\nregion = \"eu-west-1\"\n",
        script.display()
    ));
    sb
}

fn runs(sb: &Sandbox) -> usize {
    std::fs::read_to_string(sb.home.join("idp-runs")).map_or(0, |t| t.lines().count())
}

pub(crate) fn single_role() -> Idp<'static> {
    Idp {
        roles: &[ADMIN],
        session_duration: Some(3600),
        not_on_or_after: Box::leak(in_an_hour().into_boxed_str()),
    }
}

#[test]
fn every_role_of_the_assertion_is_listed_without_running_the_command_again() {
    let until = in_an_hour();
    let idp = Idp {
        roles: &[
            ADMIN,
            "arn:aws:iam::222222222222:role/ReadOnly",
            "arn:aws:iam::222222222222:role/Admin",
            "arn:aws:iam::333333333333:role/Billing",
        ],
        session_duration: None,
        not_on_or_after: &until,
    };
    let sb = sandbox(false, &idp);
    // Before discovery the source says how to discover it.
    let listing = sb.hats(&["ls"]);
    assert!(
        listing
            .stderr()
            .contains("no roles discovered yet; run `hats saml sync corp`"),
        "{}",
        listing.stderr()
    );
    assert_eq!(runs(&sb), 0, "listing never runs the command");
    // The organization names one account, with a hostile name.
    sb.write(
        ".cache/hats/organization.json",
        r#"{"fetched_at":"2026-01-01T00:00:00Z","accounts":[{"id":"222222222222","name":"shop\u001b]0;pwned\u0007 prod","state":"ACTIVE","ou_path":[],"tags":{}}]}"#,
    );
    let sync = sb.hats(&["saml", "sync"]);
    sync.ok();
    assert!(
        sync.stderr().contains("[saml.corp] grants 4 roles"),
        "{}",
        sync.stderr()
    );
    assert_eq!(runs(&sb), 1);
    let listing = sb.hats(&["ls"]).ok();
    for name in [
        "123456789012/Admin",
        "shop-0-pwned-prod/ReadOnly",
        "shop-0-pwned-prod/Admin",
        "333333333333/Billing",
    ] {
        assert!(
            listing.lines().any(|l| l.starts_with(name) && l.contains("saml")),
            "{name} in {listing}"
        );
    }
    assert!(
        !listing.contains('\u{1b}'),
        "no escape reaches the screen: {listing:?}"
    );
    let json = sb.hats(&["ls", "--json"]).ok();
    assert!(json.contains("\"origin\":\"saml\""), "{json}");
    assert_eq!(runs(&sb), 1, "listing never runs the command");
    assert!(sb.moto.take_actions().is_empty());
    // Stable names from run to run.
    assert_eq!(sb.hats(&["ls"]).ok(), listing);
}

#[test]
fn assume_role_with_saml_gets_the_assertion_provider_and_role_and_sessions_are_cached() {
    let idp = single_role();
    let sb = sandbox(true, &idp);
    sb.hats(&["saml", "sync", "corp"]).ok();
    let run = sb.hats(&["env", "123456789012/Admin", "--verbose"]);
    let exports = parse_exports(&run.ok());
    assert!(exports["AWS_ACCESS_KEY_ID"].starts_with("ASIA"), "{exports:?}");
    assert_eq!(exports["AWS_REGION"], "eu-west-1");
    assert!(run.stderr().contains("AssumeRoleWithSAML"), "{}", run.stderr());
    assert_eq!(
        runs(&sb),
        2,
        "sync ran the command, and a new session needed a fresh assertion"
    );
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(call.action(), "AssumeRoleWithSAML");
    assert_eq!(call.param("SAMLAssertion"), Some(idp.base64().as_str()));
    assert_eq!(call.param("PrincipalArn"), Some(PROVIDER));
    assert_eq!(call.param("RoleArn"), Some(ADMIN));
    assert_eq!(call.param("DurationSeconds"), Some("3600"));
    assert_eq!(
        call.authorization, "",
        "the assertion authenticates the call, not a signature"
    );

    let cached = parse_exports(&sb.hats(&["env", "123456789012/Admin"]).ok());
    assert_eq!(cached["AWS_ACCESS_KEY_ID"], exports["AWS_ACCESS_KEY_ID"]);
    assert!(
        sb.moto.take_actions().is_empty(),
        "a cached session makes no call"
    );
    assert_eq!(runs(&sb), 2, "a cached session needs no assertion");
    let whoami = sb.hats(&["whoami", "123456789012/Admin"]).ok();
    assert!(whoami.contains("assumed-role/Admin"), "{whoami}");
}

#[test]
fn the_duration_is_capped_by_the_assertions_session_duration() {
    let until = in_an_hour();
    let idp = Idp {
        roles: &[ADMIN],
        session_duration: Some(1800),
        not_on_or_after: &until,
    };
    let sb = sandbox(false, &idp);
    sb.hats(&["saml", "sync"]).ok();
    sb.hats(&["env", "123456789012/Admin", "--duration", "4h"]).ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].param("DurationSeconds"), Some("1800"));
}

#[test]
fn the_assertion_never_reaches_files_logs_verbose_or_history() {
    let idp = single_role();
    let sb = sandbox(true, &idp);
    sb.hats(&["saml", "sync"]).ok();
    let run = sb.hats(&["env", "123456789012/Admin", "--verbose"]);
    run.ok();
    let secret = idp.base64();
    let piece = &secret[40..120];
    let mut seen = vec![("output".to_owned(), run.stdout() + &run.stderr())];
    for dir in [".cache", ".local", ".config"] {
        for file in files_under(&sb.home.join(dir)) {
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            seen.push((file.display().to_string(), text));
        }
    }
    assert!(
        seen.iter().any(|(place, _)| place.ends_with("saml-roles.json")),
        "the role list was written: {seen:?}"
    );
    for (place, text) in seen {
        assert!(!text.contains(piece), "the assertion is in {place}");
    }
}

fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let path = e.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[test]
fn an_assertion_without_the_role_any_more_refreshes_the_list_and_says_so() {
    let idp = single_role();
    let sb = sandbox(false, &idp);
    sb.hats(&["saml", "sync"]).ok();
    let until = in_an_hour();
    let other = Idp {
        roles: &["arn:aws:iam::123456789012:role/Other"],
        session_duration: None,
        not_on_or_after: &until,
    };
    sb.write("assertion.b64", &other.base64());
    let err = sb.hats(&["env", "123456789012/Admin"]).fails();
    assert!(
        err.contains("the assertion of [saml.corp] no longer grants arn:aws:iam::123456789012:role/Admin"),
        "{err}"
    );
    assert!(sb.moto.take_actions().is_empty());
    let listing = sb.hats(&["ls"]).ok();
    assert!(listing.contains("123456789012/Other"), "{listing}");
    assert!(!listing.contains("123456789012/Admin"), "{listing}");
}

#[test]
fn the_aws_cli_inside_hats_exec_sees_the_saml_role() {
    let sb = sandbox(false, &single_role());
    sb.hats(&["saml", "sync"]).ok();
    assert_eq!(
        crate::harness::caller_arn(&sb, "123456789012/Admin"),
        "arn:aws:sts::123456789012:assumed-role/Admin/alice@corp.example"
    );
}

#[test]
fn credential_process_hands_out_the_saml_role() {
    let sb = sandbox(false, &single_role());
    sb.hats(&["saml", "sync"]).ok();
    let out = sb.hats(&["credential-process", "123456789012/Admin"]).ok();
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["Version"], 1, "{out}");
    assert!(
        json["AccessKeyId"]
            .as_str()
            .unwrap_or_default()
            .starts_with("ASIA"),
        "{out}"
    );
    assert_eq!(sb.moto.take_actions(), ["AssumeRoleWithSAML"]);
}

#[test]
fn a_saml_hand_out_is_recorded_in_history_without_the_assertion() {
    let idp = single_role();
    let sb = sandbox(false, &idp);
    sb.hats(&["saml", "sync"]).ok();
    sb.hats(&["env", "123456789012/Admin"]).ok();
    let history = sb.hats(&["history", "--json"]).ok();
    assert!(history.contains("123456789012/Admin"), "{history}");
    assert!(!history.contains(&idp.base64()[40..120]), "{history}");
}

#[test]
fn a_served_child_gets_the_saml_role_through_the_endpoint() {
    let sb = sandbox(false, &single_role());
    sb.hats(&["saml", "sync"]).ok();
    let aws = crate::harness::aws_cli();
    let script = r#"env | grep -c '^AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:'; "$0" sts get-caller-identity --query Arn --output text"#;
    let out = sb
        .hats(&[
            "exec",
            "123456789012/Admin",
            "--serve",
            "--",
            "sh",
            "-c",
            script,
            &aws.display().to_string(),
        ])
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first(), Some(&"1"), "the endpoint URL is set: {out}");
    assert!(
        lines
            .get(1)
            .is_some_and(|l| l.contains("assumed-role/Admin/alice@corp.example")),
        "{out}"
    );
}

#[test]
fn an_identity_center_inventory_names_saml_accounts_the_same_way_in_every_command() {
    let (sb, ic) = crate::sso::sso_sandbox(false);
    sb.aws_config(
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    );
    crate::sso::cli_token(&sb, &ic, "corp", 3600);
    sb.hats(&["sso", "sync", "corp"]).ok();
    let until = in_an_hour();
    let saml_admin = format!("arn:aws:iam::{}:role/SamlAdmin", crate::sso::PROD);
    let roles = [saml_admin.as_str(), "arn:aws:iam::333333333333:role/Billing"];
    let sb = with_idp(
        sb,
        &Idp {
            roles: &roles,
            session_duration: None,
            not_on_or_after: &until,
        },
    );
    sb.hats(&["saml", "sync", "corp"]).ok();
    let listing = sb.hats(&["ls"]).ok();
    let prod = format!("{}/SamlAdmin", crate::sso::PROD);
    let rows: Vec<&str> = listing.lines().filter(|l| l.contains("saml")).collect();
    assert_eq!(rows.len(), 2, "{listing}");
    assert!(rows.iter().any(|r| r.starts_with("prod/SamlAdmin")), "{listing}");
    assert!(
        rows.iter().any(|r| r.starts_with("333333333333/Billing")),
        "{listing}"
    );
    assert!(
        !rows.iter().any(|r| r.starts_with(&prod)),
        "named by id: {listing}"
    );
    assert_eq!(sb.hats(&["ls"]).ok(), listing, "the same names from run to run");

    // A command about that one target finds it under the same name, and its id.
    sb.write(
        "assertion.b64",
        &Idp {
            roles: &[saml_admin.as_str()],
            session_duration: None,
            not_on_or_after: &until,
        }
        .base64(),
    );
    for name in ["prod/SamlAdmin", prod.as_str()] {
        let run = sb.hats(&["env", name]);
        let exports = parse_exports(&run.ok());
        assert_eq!(exports["HATS_TARGET"], "prod/SamlAdmin", "{}", run.stderr());
    }
}

#[test]
fn a_role_two_sources_grant_is_listed_per_source_and_each_uses_its_own_command() {
    let corp = single_role();
    let partner = Idp {
        session_duration: Some(7200),
        ..single_role()
    };
    let sb = sandbox(false, &corp);
    let script = sb.write(
        "partner.sh",
        "echo run >> \"$HOME/partner-runs\"\ncat \"$HOME/partner.b64\"\n",
    );
    sb.write("partner.b64", &partner.base64());
    let config = std::fs::read_to_string(sb.home.join(".config/hats/config.toml")).unwrap();
    sb.hats_config(&format!(
        "{config}\n[saml.partner]\nassertion_process = \"sh {}\"\n",
        script.display()
    ));
    sb.hats(&["saml", "sync"]).ok();
    let listing = sb.hats(&["ls"]).ok();
    let row = |name: &str| {
        listing
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name}:\n{listing}"))
            .to_owned()
    };
    assert!(row("123456789012/Admin").contains("(saml corp)"), "{listing}");
    assert!(
        row("123456789012/Admin@partner").contains("(saml partner)"),
        "{listing}"
    );
    let partner_runs =
        || std::fs::read_to_string(sb.home.join("partner-runs")).map_or(0, |t| t.lines().count());
    assert_eq!((runs(&sb), partner_runs()), (1, 1), "sync ran each command once");

    sb.hats(&["env", "123456789012/Admin@partner"]).ok();
    assert_eq!(
        (runs(&sb), partner_runs()),
        (1, 2),
        "only the partner's command ran"
    );
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].param("SAMLAssertion"), Some(partner.base64().as_str()));
}

#[test]
fn saml_sync_without_a_name_tries_every_source_and_reports_each() {
    let sb = sandbox(false, &single_role());
    // Sorted before "corp": a failure must not stop the sources after it.
    let broken = sb.write("broken.sh", "echo 'the IdP is down' >&2\nexit 3\n");
    let config = std::fs::read_to_string(sb.home.join(".config/hats/config.toml")).unwrap();
    sb.hats_config(&format!(
        "{config}\n[saml.broken]\nassertion_process = \"sh {}\"\n",
        broken.display()
    ));
    let run = sb.hats(&["saml", "sync"]);
    let err = run.fails();
    assert_eq!(
        runs(&sb),
        1,
        "corp's command did not run after broken failed: {err}"
    );
    assert!(err.contains("[saml.broken]"), "{err}");
    assert!(err.contains("[saml.corp] grants 1 role"), "{err}");
    assert!(err.contains("1 of 2 SAML sources failed: broken"), "{err}");
    // corp's roles were recorded all the same.
    assert!(sb.hats(&["ls"]).ok().contains("123456789012/Admin"));
}

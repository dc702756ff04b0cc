//! `hats ls` as a table: its columns and what may appear in a cell.

use crate::harness::Sandbox;

/// The table's cells, split where two or more spaces separate columns.
fn table(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.starts_with('('))
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

fn row<'t>(rows: &'t [Vec<String>], name: &str) -> &'t [String] {
    rows.iter()
        .find(|r| r[0] == name)
        .unwrap_or_else(|| panic!("no row {name}: {rows:?}"))
}

#[test]
fn ls_shows_the_account_name_next_to_the_account_id() {
    let sb = Sandbox::standard(false);
    let rows = table(&sb.hats(&["ls"]).ok());
    assert_eq!(
        rows[0],
        [
            "TARGET",
            "ACCOUNT",
            "ACCOUNT NAME",
            "ROLE",
            "SOURCE",
            "MFA",
            "MODE",
            "SESSION"
        ]
    );
    assert_eq!(
        row(&rows, "data/Analyst")[..4],
        ["data/Analyst", "555555555555", "data", "Analyst"]
    );
    assert_eq!(row(&rows, "prod")[..4], ["prod", "222222222222", "-", "Admin"]);
}

#[test]
fn the_table_lists_targets_in_name_order_and_the_json_in_config_order() {
    let sb = Sandbox::standard(false);
    let names: Vec<String> = table(&sb.hats(&["ls"]).ok())
        .into_iter()
        .skip(1)
        .map(|r| r[0].clone())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    // The fixture's own order is not the name order, so the table did sort.
    let json: serde_json::Value = serde_json::from_str(&sb.hats(&["ls", "--json"]).ok()).unwrap();
    let in_config: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_ne!(in_config, sorted, "{in_config:?}");
    assert_eq!(in_config.len(), sorted.len());
}

#[test]
fn values_continued_on_a_second_line_never_break_the_table() {
    let sb = Sandbox::standard(false);
    sb.aws_config(&format!(
        "{}\n[profile continued]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = base\n\
         region = eu-west-1\n  injected-row  999999999999\n\
         [profile device]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\n  \x1b[2J\n",
        crate::harness::AWS_CONFIG
    ));
    sb.hats_config(
        "[[account]]\nid = \"555555555555\"\nname = \"data\"\nsource = \"base\"\nroles = [\"Analyst\"]\n\
         tags = { team = \"core\\nsecond-line\\u001b[31m\" }\n",
    );
    let ls = sb.hats(&["ls"]);
    let text = ls.ok();
    let rows = table(&text);
    assert!(
        rows.iter().all(|r| r.len() == 8),
        "every line is a whole row: {text}"
    );
    assert!(!text.contains("injected-row") && !text.contains('\x1b'), "{text}");
    let stderr = ls.stderr();
    assert!(
        stderr.contains(
            "skipping \"continued\": profile \"continued\" in the AWS config: region \"eu-west-1\\ninjected-row  999999999999\" \
             is not a region name"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipping \"device\"")
            && stderr.contains(
                "mfa_serial \"arn:aws:iam::111111111111:mfa/alice\\n\\u{1b}[2J\" contains control characters"
            ),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "{stderr}");
    // Tags (shown in the switcher and --json) keep their text, escaped.
    let json: serde_json::Value = serde_json::from_str(&sb.hats(&["ls", "--json"]).ok()).unwrap();
    let data = json
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "data/Analyst")
        .unwrap();
    assert_eq!(data["tags"]["team"], "core\\nsecond-line\\u{1b}[31m");
}

#[test]
fn a_profile_name_with_a_bidi_override_or_zero_width_space_is_skipped_and_shown_escaped() {
    let sb = Sandbox::standard(false);
    // Shown raw, "dev\u{202e}dorp" reads as "devprod" on a terminal.
    sb.aws_config(&format!(
        "{}\n[profile dev\u{202e}dorp]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = plain\n\
         [profile pro\u{200b}d]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = plain\n",
        crate::harness::AWS_CONFIG
    ));
    let ls = sb.hats(&["ls"]);
    let (out, err) = (ls.ok(), ls.stderr());
    assert!(
        !out.contains('\u{202e}') && !err.contains('\u{202e}'),
        "{out}{err}"
    );
    assert!(
        !out.contains('\u{200b}') && !err.contains('\u{200b}'),
        "{out}{err}"
    );
    for shown in ["dev\\u{202e}dorp", "pro\\u{200b}d"] {
        assert!(
            err.contains(&format!(
                "skipping \"{shown}\": target name: contains invisible characters"
            )),
            "{err}"
        );
    }
    assert_eq!(row(&table(&out), "prod")[3], "Admin", "the others are listed");
}

#[test]
fn profiles_with_names_the_aws_cli_accepts_are_targets_and_skipped_ones_are_reported() {
    let sb = Sandbox::standard(false);
    sb.aws_config(&format!(
        "{}\n[profile équipe-prod]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = plain\n\
         [profile \"my prod\"]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = plain\n\
         [profile via-clés]\nrole_arn = arn:aws:iam::333333333333:role/Reader\nsource_profile = clés équipe\n\
         [profile two words]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = plain\n",
        crate::harness::AWS_CONFIG
    ));
    sb.credentials(&format!(
        "{}\n[clés équipe]\naws_access_key_id = AKIAUNICODEKEYS00001\naws_secret_access_key = unicodesecret\n",
        crate::harness::CREDENTIALS
    ));
    let ls = sb.hats(&["ls"]);
    let rows = table(&ls.ok());
    assert_eq!(row(&rows, "équipe-prod")[3], "Admin");
    assert_eq!(row(&rows, "my prod")[3], "Admin");
    assert_eq!(row(&rows, "via-clés")[4], "clés équipe");
    // Besides the warning about the fixture's plaintext keys.
    let said = ls.stderr();
    let reported: Vec<&str> = said.lines().filter(|l| !l.contains("in plaintext")).collect();
    assert_eq!(
        reported.join("\n"),
        "hats: skipping \"profile two words\": [profile two words] in the AWS config: skipped (by the AWS CLI too): \
         a profile name with spaces needs quotes, e.g. [profile \"my prod\"]"
    );
    // They are used like any other, the source's keys read from the renamed profile.
    let exports = crate::harness::parse_exports(&sb.hats(&["env", "équipe-prod"]).ok());
    assert_eq!(exports["HATS_TARGET"], "équipe-prod");
    let exports = crate::harness::parse_exports(&sb.hats(&["env", "my prod"]).ok());
    assert_eq!(exports["HATS_TARGET"], "my prod");
    sb.moto.take_sts_calls();
    let exports = crate::harness::parse_exports(&sb.hats(&["env", "via-clés"]).ok());
    assert_eq!(exports["HATS_ROLE_ARN"], "arn:aws:iam::333333333333:role/Reader");
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1);
    assert!(
        calls[0]
            .authorization
            .contains("Credential=AKIAUNICODEKEYS00001/"),
        "assumed with the keys of [clés équipe]: {}",
        calls[0].authorization
    );
}

#[test]
fn a_semicolon_in_one_profile_name_breaks_no_other_profile_for_the_sdks_own_providers() {
    let sb = Sandbox::standard(false);
    // `proc` gets its keys from aws-config's own credential_process provider,
    // which reads the AWS files itself: one odd header must not stop it.
    let keys = "printf '{\"Version\":1,\"AccessKeyId\":\"AKIAPROCPROCPROC0001\",\"SecretAccessKey\":\"s\"}'";
    sb.aws_config(&format!(
        "{}\n[profile semi;x]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = plain\n\
         [profile proc]\ncredential_process = sh -c \"{}\"\n\
         [profile via-proc]\nrole_arn = arn:aws:iam::222222222222:role/ReadOnly\nsource_profile = proc\n",
        crate::harness::AWS_CONFIG,
        keys.replace('"', "\\\"")
    ));
    let env = crate::harness::parse_exports(&sb.hats(&["env", "via-proc"]).ok());
    assert!(env["AWS_ACCESS_KEY_ID"].starts_with("ASIA"), "{env:?}");
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].signed_by().0, "AKIAPROCPROCPROC0001");
    let ls = sb.hats(&["ls"]);
    assert_eq!(row(&table(&ls.ok()), "semi;x")[3], "Admin", "{}", ls.stderr());
}

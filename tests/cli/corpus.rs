//! The bad-input corpus: malformed AWS config, credentials and hats config files
//! (keys set twice among them), hostile target names, bad MFA codes, durations
//! and session names, enormous files and terminal escapes. Each case must give one clear `hats:` line (or clap's usage
//! error for flags) naming the file, line or value, exit non-zero, never panic,
//! and never reach STS.

use crate::harness::{CREDENTIALS, Sandbox};

/// Where a case's text goes.
enum File {
    AwsConfig,
    AwsCredentials,
    HatsConfig,
}

struct Case {
    name: &'static str,
    file: File,
    text: &'static str,
    args: &'static [&'static str],
    /// Every one of these must appear in stderr.
    expect: &'static [&'static str],
}

const ROLE: &str = "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/X\nsource_profile = base\n";

const CASES: &[Case] = &[
    Case {
        name: "unterminated section header",
        file: File::AwsConfig,
        text: "[profile ok]\nregion = us-east-1\n[profile broken\nrole_arn = x\n",
        args: &["ls"],
        expect: &[".aws/config", "on line 3"],
    },
    Case {
        name: "missing source_profile",
        file: File::AwsConfig,
        text: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/X\nsource_profile = nope\n",
        args: &["env", "r"],
        expect: &[
            "target \"r\" cannot be used",
            "source_profile \"nope\" does not exist",
        ],
    },
    Case {
        name: "source_profile loop",
        file: File::AwsConfig,
        text: "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/X\nsource_profile = b\n\
               [profile b]\nrole_arn = arn:aws:iam::123456789012:role/Y\nsource_profile = a\n",
        args: &["env", "a"],
        expect: &["source_profile loop: a -> b -> a", "break the cycle"],
    },
    Case {
        name: "role_arn typo",
        file: File::AwsConfig,
        text: "[profile r]\nrole_arn = arn:aws:iam::12345:role/X\nsource_profile = base\n",
        args: &["env", "r"],
        expect: &[
            "\"arn:aws:iam::12345:role/X\" is not an IAM role ARN",
            "expected arn:aws:iam::123456789012:role/NAME",
        ],
    },
    Case {
        name: "non-numeric duration_seconds",
        file: File::AwsConfig,
        text: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/X\nsource_profile = base\nduration_seconds = abc\n",
        args: &["env", "r"],
        expect: &["duration_seconds \"abc\" is not a whole number of seconds"],
    },
    Case {
        name: "session name AWS would reject",
        file: File::AwsConfig,
        text: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/X\nsource_profile = base\nrole_session_name = bad name!\n",
        args: &["env", "r"],
        expect: &[
            "session name \"bad name!\" is not accepted by AWS",
            "2 to 64 letters",
        ],
    },
    Case {
        name: "key set twice in one profile of the AWS config",
        file: File::AwsConfig,
        text: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/X\nsource_profile = base\n\
               region = us-east-1\nregion = eu-west-1\n",
        args: &["ls"],
        expect: &[
            ".aws/config\" line 5: \"region\" is set twice in [profile r] (first on line 4)",
            "the AWS SDK would quietly use one of the two values",
            "delete the line you do not mean",
        ],
    },
    Case {
        name: "key set twice across a repeated section header, in another case",
        file: File::AwsConfig,
        text: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/X\nsource_profile = base\n\
               [profile other]\nregion = us-east-1\n[profile r]\nROLE_ARN = arn:aws:iam::123456789012:role/Y\n",
        args: &["env", "r"],
        expect: &[".aws/config\" line 7: \"role_arn\" is set twice in [profile r] (first on line 2)"],
    },
    Case {
        name: "key set twice in one section of the credentials file",
        file: File::AwsCredentials,
        text: "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
               aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
               aws_access_key_id = AKIAIOSFODNN7OTHERKY\n",
        args: &["env", "r"],
        expect: &[
            ".aws/credentials\" line 4: \"aws_access_key_id\" is set twice in [base] (first on line 2)",
            "delete the line you do not mean",
        ],
    },
    Case {
        name: "terminal escape in a value quoted by the error",
        file: File::AwsConfig,
        text: "[profile r]\nrole_arn = arn:aws:iam::\u{1b}]0;pwned\u{7}:role/X\nsource_profile = base\n",
        args: &["env", "r"],
        expect: &["role_arn \"arn:aws:iam::\\u{1b}]0;pwned\\u{7}:role/X\" is not an IAM role ARN"],
    },
    Case {
        name: "unknown key in hats config",
        file: File::HatsConfig,
        text: "[defaults]\nsession_name = \"alice\"\nrefresh = \"5m\"\n",
        args: &["ls"],
        expect: &["config.toml", "line 3, column 1", "unknown field `refresh`"],
    },
    Case {
        name: "wrong type in hats config",
        file: File::HatsConfig,
        text: "[[account]]\nid = 1234\nsource = \"base\"\nroles = []\n",
        args: &["ls"],
        expect: &["config.toml", "line 2", "invalid type"],
    },
    Case {
        name: "bad duration in hats config",
        file: File::HatsConfig,
        text: "[defaults]\nrole_duration = \"forever\"\n",
        args: &["ls"],
        expect: &["config.toml", "line 2", "\"forever\" is not a duration"],
    },
    Case {
        name: "target name with spaces and shell metacharacters",
        file: File::AwsConfig,
        text: ROLE,
        args: &["env", "a b;rm -rf ~ $(id)"],
        expect: &["unknown target \"a b;rm -rf ~ $(id)\"", "hats ls"],
    },
    Case {
        name: "unicode target name",
        file: File::AwsConfig,
        text: ROLE,
        args: &["env", "prød/Ådmin"],
        expect: &["unknown target \"prød/Ådmin\""],
    },
    Case {
        name: "MFA code of five digits",
        file: File::AwsConfig,
        text: ROLE,
        args: &["env", "r", "--mfa-code", "12345"],
        expect: &["MFA code \"12345\" is not 6 digits"],
    },
    Case {
        name: "MFA code of letters",
        file: File::AwsConfig,
        text: ROLE,
        args: &["env", "r", "--mfa-code", "abcdef"],
        expect: &["MFA code \"abcdef\" is not 6 digits"],
    },
    Case {
        name: "duration below AWS's minimum",
        file: File::AwsConfig,
        text: ROLE,
        args: &["env", "r", "--duration", "5m"],
        expect: &["duration 5m is outside 15m–12h for a role session"],
    },
    Case {
        name: "duration that is not one",
        file: File::AwsConfig,
        text: ROLE,
        args: &["env", "r", "--duration", "1x"],
        expect: &["duration \"1x\" is not a duration", "write it like 1h"],
    },
    Case {
        name: "web identity with both a token file and a token process",
        file: File::AwsConfig,
        text: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\n\
               web_identity_token_file = /tmp/t\nweb_identity_token_process = idp token\n",
        args: &["env", "w"],
        expect: &[
            "profile \"w\"",
            "sets both web_identity_token_file and web_identity_token_process; keep one",
        ],
    },
    Case {
        name: "web identity with a source_profile",
        file: File::AwsConfig,
        text: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\n\
               web_identity_token_file = /tmp/t\nsource_profile = base\n",
        args: &["env", "w"],
        expect: &[
            "sets web_identity_token_file and source_profile, which AssumeRoleWithWebIdentity does not take",
        ],
    },
    Case {
        name: "web identity with an MFA device",
        file: File::AwsConfig,
        text: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\n\
               web_identity_token_file = /tmp/t\nmfa_serial = arn:aws:iam::123456789012:mfa/a\n",
        args: &["env", "w"],
        expect: &[
            "and mfa_serial, which AssumeRoleWithWebIdentity does not take",
            "remove mfa_serial",
        ],
    },
    Case {
        name: "web identity token process with a quote left open",
        file: File::AwsConfig,
        text: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\n\
               web_identity_token_process = idp 'token\n",
        args: &["env", "w"],
        expect: &["web_identity_token_process \"idp 'token\" is not a command line"],
    },
    Case {
        name: "web identity token file that does not exist",
        file: File::AwsConfig,
        text: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\n\
               web_identity_token_file = /nonexistent/hats-token\n",
        args: &["env", "w"],
        expect: &[
            "web_identity_token_file \"/nonexistent/hats-token\" cannot be read",
            "check the path",
        ],
    },
    Case {
        name: "web identity token process that fails",
        file: File::AwsConfig,
        text: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\nweb_identity_token_process = false\n",
        args: &["env", "w"],
        expect: &["web_identity_token_process \"false\" failed (exit status: 1)"],
    },
    Case {
        name: "web identity token process that prints nothing",
        file: File::AwsConfig,
        text: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\nweb_identity_token_process = true\n",
        args: &["env", "w"],
        expect: &["web_identity_token_process \"true\" gave an empty token"],
    },
    Case {
        name: "web identity token process that does not exist",
        file: File::AwsConfig,
        text: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\n\
               web_identity_token_process = no-such-idp-cli-for-hats\n",
        args: &["env", "w"],
        expect: &["web_identity_token_process \"no-such-idp-cli-for-hats\" could not start"],
    },
    Case {
        name: "web identity token of several words",
        file: File::AwsConfig,
        text: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\nweb_identity_token_process = echo two words\n",
        args: &["env", "w"],
        expect: &["gave text with spaces or control characters inside, which is not a token"],
    },
];

#[test]
fn every_bad_input_gets_one_clear_message_and_no_sts_call() {
    let sb = Sandbox::new();
    for case in CASES {
        sb.aws_config(ROLE);
        sb.credentials(CREDENTIALS);
        sb.hats_config("");
        match case.file {
            File::AwsConfig => sb.aws_config(case.text),
            File::AwsCredentials => sb.credentials(case.text),
            File::HatsConfig => sb.hats_config(case.text),
        }
        let run = sb.hats(case.args);
        let err = run.stderr();
        assert_ne!(run.code(), Some(0), "{}: must fail", case.name);
        assert!(!err.contains("panicked"), "{}: {err}", case.name);
        assert!(
            err.starts_with("hats: ") || err.starts_with("error: "),
            "{}: {err}",
            case.name
        );
        for expected in case.expect {
            assert!(
                err.contains(expected),
                "{}: expected {expected:?} in {err}",
                case.name
            );
        }
        assert!(
            sb.moto.take_actions().is_empty(),
            "{}: bad input reached STS",
            case.name
        );
    }
}

/// An `[[account]]` named with a terminal escape: its own targets are refused,
/// and the AWS profiles in that account (`prod`, `plain-role`), which learn
/// its name, show it escaped.
#[test]
fn names_with_terminal_escapes_never_reach_the_screen() {
    let sb = Sandbox::standard(false);
    sb.hats_config(
        "[[account]]\nid = \"222222222222\"\nname = \"evil\\u001b]0;pwned\\u0007\"\nsource = \"base\"\nroles = [\"Admin\"]\n",
    );
    let run = sb.hats(&["ls"]);
    let (out, err) = (run.stdout(), run.stderr());
    assert!(!out.contains('\u{1b}') && !err.contains('\u{1b}'), "{out}{err}");
    assert!(
        err.contains("evil\\u{1b}]0;pwned\\u{7}/Admin") && err.contains("control characters"),
        "{err}"
    );
    let prod = out.lines().find(|l| l.starts_with("prod ")).unwrap_or_default();
    assert!(
        prod.contains("evil\\u{1b}]0;pwned\\u{7}"),
        "the profile shows the name escaped: {out}"
    );
    let json = sb.hats(&["ls", "--json"]).ok();
    assert!(
        !json.contains("\\u001b"),
        "no control character in the JSON either: {json}"
    );
}

#[test]
fn enormous_config_files_are_refused_before_parsing() {
    let sb = Sandbox::standard(false);
    let big = "# padding\n".repeat(1 << 20);
    sb.aws_config(&big);
    let err = sb.hats(&["ls"]).fails();
    assert!(
        err.contains(".aws/config\" is 10 MiB") && err.contains("up to 8 MiB"),
        "{err}"
    );
    sb.aws_config(crate::harness::AWS_CONFIG);
    sb.hats_config(&big);
    let err = sb.hats(&["ls"]).fails();
    assert!(err.contains("config.toml\" is 10 MiB"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_hats_config_others_can_write_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::standard(false);
    let path = sb.home.join(".config/hats/config.toml");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let err = sb.hats(&["ls"]).fails();
    assert!(
        err.contains("writable by other users (mode 666)") && err.contains("chmod go-w"),
        "{err}"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    sb.hats(&["ls"]).ok();
}

/// Bad SAML assertions, as an `assertion_process` prints them: each is one
/// clear line naming the source and what is wrong, for `saml sync` and for a
/// hand-out, and nothing reaches STS.
#[test]
fn every_bad_saml_assertion_gets_one_clear_message_and_no_sts_call() {
    use crate::saml_idp::{Idp, encode, in_an_hour};
    let until = in_an_hour();
    let good = Idp {
        roles: &["arn:aws:iam::123456789012:role/Admin"],
        session_duration: None,
        not_on_or_after: &until,
    };
    let expired = Idp {
        not_on_or_after: "2020-01-01T00:00:00Z",
        ..Idp { ..good }
    };
    let without_roles = good
        .xml()
        .replace("https://aws.amazon.com/SAML/Attributes/Role\"", "urn:other\"");
    let malformed = good.xml().replace(
        ",arn:aws:iam::123456789012:saml-provider/CorpIdP",
        ";arn:aws:iam::123456789012:saml-provider/&#x9b;31mCorpIdP",
    );
    let cases: [(&str, String, &str); 6] = [
        (
            "not base64",
            "<samlp:Response/> not base64!".into(),
            "is not base64",
        ),
        ("not XML", encode("just some text"), "is not XML once decoded"),
        (
            "no Role attribute",
            encode(&without_roles),
            "has no https://aws.amazon.com/SAML/Attributes/Role attribute",
        ),
        (
            "malformed pair",
            encode(&malformed),
            "has a Role value \"arn:aws:iam::123456789012:role/Admin;arn:aws:iam::123456789012:saml-provider/31mCorpIdP\" that is not a role ARN and a saml-provider ARN",
        ),
        (
            "expired",
            expired.base64(),
            "expired at 2020-01-01T00:00:00Z; get a fresh assertion",
        ),
        (
            "empty",
            String::new(),
            "printed nothing; check that you are signed in",
        ),
    ];
    let sb = Sandbox::new();
    let script = sb.write("idp.sh", "cat \"$HOME/assertion.b64\"\n");
    sb.hats_config(&format!(
        "[saml.corp]\nassertion_process = \"sh {}\"\n",
        script.display()
    ));
    // Discovered with a good assertion, so the target exists for the hand-out.
    sb.write("assertion.b64", &good.base64());
    sb.hats(&["saml", "sync"]).ok();
    for (name, printed, expected) in cases {
        sb.write("assertion.b64", &printed);
        for args in [&["saml", "sync"][..], &["env", "123456789012/Admin"][..]] {
            let run = sb.hats(args);
            let err = run.stderr();
            assert_ne!(run.code(), Some(0), "{name}: must fail");
            assert!(!err.contains("panicked"), "{name}: {err}");
            assert!(err.starts_with("hats: "), "{name}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{name}: one line: {err}");
            assert!(
                !err.contains(['\u{1b}', '\u{9b}']),
                "{name}: no escape reaches the terminal: {err:?}"
            );
            assert!(
                err.contains("[saml.corp] assertion_process \"sh "),
                "{name}: {err}"
            );
            assert!(err.contains(expected), "{name}: expected {expected:?} in {err}");
            assert!(
                sb.moto.take_actions().is_empty(),
                "{name}: a bad assertion reached STS"
            );
        }
    }
}

//! Exports read back by the real programs they are written for, with hostile
//! values: a property test renders random values (quotes, `$`, backticks,
//! backslashes, newlines, control characters, Unicode) in each dialect and has
//! bash and zsh evaluate `sh`, fish source `fish`, and bash and zsh source
//! `dotenv` with `set -a`, as `.env` files are loaded in shells; a child
//! process (`env -0`) must see every value exactly. And the real binary's own
//! output, for a target whose name is hostile, is evaluated the same way.
//! PowerShell cannot be installed here: its dialect keeps its unit test in
//! `src/output/shell_format.rs`.

use crate::harness::{AWS_CONFIG, Sandbox, require};
use hats::output::{Exports, Format, render};
use proptest::prelude::*;
use std::collections::HashMap;

/// The names the generated values are exported under.
const NAMES: [&str; 4] = ["HATS_P0", "HATS_P1", "HATS_P2", "HATS_P3"];

/// How each dialect is loaded, by which shell: `{file}` is the rendered file.
const LOADERS: [(Format, &str, &str); 5] = [
    (Format::Sh, "bash", "eval \"$(cat {file})\""),
    (Format::Sh, "zsh", "eval \"$(cat {file})\""),
    (Format::Fish, "fish", "source {file}"),
    (Format::Dotenv, "bash", "set -a; . {file}; set +a"),
    (Format::Dotenv, "zsh", "set -a; . {file}; set +a"),
];

/// `shell` (bash, zsh or fish, without the user's start-up files) loading
/// `rendered` with `loader`, then the environment a child sees.
fn loaded_by(dir: &std::path::Path, shell: &str, loader: &str, rendered: &str) -> HashMap<String, String> {
    let file = dir.join(format!("exports-{shell}"));
    std::fs::write(&file, rendered).unwrap();
    let script = format!(
        "{}\nenv -0",
        loader.replace("{file}", &file.display().to_string())
    );
    let flags: &[&str] = match shell {
        "bash" => &["--norc", "--noprofile", "-c"],
        "zsh" => &["-f", "-c"],
        _ => &["--no-config", "-c"],
    };
    let out = std::process::Command::new(require(shell, shell))
        .args(flags)
        .arg(&script)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{shell} failed on:\n{rendered}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .split(|b| *b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8(entry.to_vec()).ok()?;
            let (name, value) = entry.split_once('=')?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// Characters a value is made of: every one a shell, fish or a dotenv reader
/// treats specially, control characters, and non-ASCII text.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec![
            '\'', '"', '$', '`', '\\', '!', '\n', '\r', '\t', ' ', ';', '&', '|', '*', '?', '~', '#',
            '%', '{', '}', '(', ')', '[', ']', '<', '>', '=', '^', ',',
        ]),
        1 => prop::sample::select(vec!['\u{1}', '\u{1b}', '\u{7f}', 'é', '中', '😀', '\u{2018}', '\u{2019}', '\u{a0}']),
        2 => prop::char::range('a', 'z'),
    ]
}

fn hostile_value() -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..16).prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_dialect_survives_hostile_values_in_the_shell_it_is_for(
        values in prop::collection::vec(hostile_value(), NAMES.len())
    ) {
        let dir = tempfile::tempdir().unwrap();
        let exports = Exports {
            vars: NAMES.iter().copied().zip(values.iter().cloned()).collect(),
        };
        for (format, shell, loader) in LOADERS {
            let rendered = render(&exports, format);
            let seen = loaded_by(dir.path(), shell, loader, &rendered);
            for (name, value) in NAMES.iter().zip(&values) {
                prop_assert_eq!(
                    seen.get(*name), Some(value),
                    "{:?} in {} for {}:\n{}", format, shell, name, rendered
                );
            }
        }
    }
}

/// The sequences each dialect's quoting turns on, every one in every shell:
/// random values rarely put two of them side by side (a backslash before a
/// quote or another backslash is what fish's single quotes read specially).
#[test]
fn every_dialect_reads_back_the_backslash_and_quote_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let tricky = [
        ["\\", "\\\\", "\\'", "'\\''"],
        ["a\\", "\\\\\\'", "'\"$`\\", "\\\n'\n\\"],
    ];
    for values in tricky {
        let exports = Exports {
            vars: NAMES
                .iter()
                .copied()
                .zip(values.iter().map(|v| (*v).to_owned()))
                .collect(),
        };
        for (format, shell, loader) in LOADERS {
            let rendered = render(&exports, format);
            let seen = loaded_by(dir.path(), shell, loader, &rendered);
            for (name, value) in NAMES.iter().zip(values) {
                assert_eq!(
                    seen.get(*name).map(String::as_str),
                    Some(value),
                    "{format:?} in {shell} for {name}:\n{rendered}"
                );
            }
        }
    }
}

#[test]
fn the_binarys_exports_for_a_hostile_target_name_are_read_back_by_every_shell() {
    let sb = Sandbox::standard(false);
    let name = "it's-$HOME-`id`-\"q\"-\\-é";
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile {name}]\nrole_arn = arn:aws:iam::222222222222:role/ReadOnly\nsource_profile = plain\n"
    ));
    let dir = tempfile::tempdir().unwrap();
    for (format, shell, loader) in LOADERS {
        let flag = match format {
            Format::Fish => "fish",
            Format::Dotenv => "dotenv",
            _ => "sh",
        };
        let rendered = sb.hats(&["env", name, "--format", flag]).ok();
        let seen = loaded_by(dir.path(), shell, loader, &rendered);
        assert_eq!(
            seen.get("HATS_TARGET").map(String::as_str),
            Some(name),
            "{flag} in {shell}:\n{rendered}"
        );
        let key = seen.get("AWS_ACCESS_KEY_ID").map_or("", String::as_str);
        assert!(key.starts_with("ASIA"), "{flag} in {shell}: {key:?}");
    }
    assert_eq!(
        sb.moto.take_actions().len(),
        LOADERS.len(),
        "no cache: one session per run"
    );
}

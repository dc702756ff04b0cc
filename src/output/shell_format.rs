//! Exports in the syntax of each shell, quoted so any value survives `eval`.

use super::env_vars::{Exports, REMOVED_VARS};
use std::fmt::Write;

/// Output dialects of `hats env`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// POSIX sh, bash, zsh: `export K='v'`.
    Sh,
    /// fish: `set -gx K 'v'`.
    Fish,
    /// PowerShell: `$Env:K = 'v'`.
    Powershell,
    /// One JSON object.
    Json,
    /// `.env` file lines: `K="v"`, read the same by shells and docker compose.
    Dotenv,
}

/// Renders `exports` in `format`, ending with a newline.
pub fn render(exports: &Exports, format: Format) -> String {
    let mut out = String::new();
    match format {
        Format::Sh => {
            let _ = writeln!(out, "unset {}", REMOVED_VARS.join(" "));
            for (k, v) in &exports.vars {
                let _ = writeln!(out, "export {k}={}", sh_quote(v));
            }
        }
        Format::Fish => {
            for k in REMOVED_VARS {
                let _ = writeln!(out, "set -e {k};");
            }
            for (k, v) in &exports.vars {
                let _ = writeln!(out, "set -gx {k} {};", fish_quote(v));
            }
        }
        Format::Powershell => {
            for k in REMOVED_VARS {
                let _ = writeln!(out, "Remove-Item Env:{k} -ErrorAction SilentlyContinue");
            }
            for (k, v) in &exports.vars {
                let _ = writeln!(out, "$Env:{k} = '{}'", v.replace('\'', "''"));
            }
        }
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> = exports
                .vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
                .collect();
            out = serde_json::to_string_pretty(&map).expect("strings serialize");
            out.push('\n');
        }
        Format::Dotenv => {
            for (k, v) in &exports.vars {
                let _ = writeln!(out, "{k}={}", dotenv_quote(v));
            }
        }
    }
    out
}

/// Single quotes; an embedded `'` becomes `'\''`.
fn sh_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// Double quotes as shells read them (`set -a; . ./.env`) and as docker
/// compose's dotenv does: `\`, `"`, `$` and `` ` `` are escaped, so nothing
/// expands or runs; a newline stays a newline inside the quotes (a `\n` would
/// reach a shell as two characters).
fn dotenv_quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// fish single quotes: only `\` and `'` are escaped.
fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Exports {
        Exports {
            vars: vec![("HATS_TARGET", r#"it's $HOME "x" \n"#.to_owned())],
        }
    }

    #[test]
    fn each_dialect_quotes_metacharacters() {
        assert!(render(&sample(), Format::Sh).contains(r#"export HATS_TARGET='it'\''s $HOME "x" \n'"#));
        assert!(render(&sample(), Format::Fish).contains(r#"set -gx HATS_TARGET 'it\'s $HOME "x" \\n';"#));
        assert!(render(&sample(), Format::Powershell).contains(r#"$Env:HATS_TARGET = 'it''s $HOME "x" \n'"#));
        assert!(render(&sample(), Format::Dotenv).contains(r#"HATS_TARGET="it's \$HOME \"x\" \\n""#));
        let json: serde_json::Value = serde_json::from_str(&render(&sample(), Format::Json)).unwrap();
        assert_eq!(json["HATS_TARGET"], r#"it's $HOME "x" \n"#);
    }

    #[test]
    fn dotenv_values_neither_run_nor_expand_when_a_shell_sources_them() {
        let exports = Exports {
            vars: vec![("HATS_TARGET", "a`id`$(id)\nb".to_owned())],
        };
        assert_eq!(
            render(&exports, Format::Dotenv),
            "HATS_TARGET=\"a\\`id\\`\\$(id)\nb\"\n"
        );
    }

    #[test]
    fn profile_variables_are_removed() {
        assert!(render(&sample(), Format::Sh).starts_with("unset AWS_PROFILE AWS_DEFAULT_PROFILE\n"));
        assert!(render(&sample(), Format::Fish).starts_with("set -e AWS_PROFILE;\n"));
    }
}

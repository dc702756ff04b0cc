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
                out.push_str(&set_line(format, k, v));
            }
        }
        Format::Fish | Format::Powershell => {
            for k in REMOVED_VARS {
                out.push_str(&unset_line(format, k));
            }
            for (k, v) in &exports.vars {
                out.push_str(&set_line(format, k, v));
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

/// One line that exports `name` as `value` in a shell dialect (`Sh` for the others).
pub(super) fn set_line(format: Format, name: &str, value: &str) -> String {
    match format {
        Format::Fish => format!("set -gx {name} {};\n", fish_quote(value)),
        Format::Powershell => format!("$Env:{name} = {}\n", ps_quote(value)),
        _ => format!("export {name}={}\n", sh_quote(value)),
    }
}

/// One line that removes `name` from the environment in a shell dialect, with
/// status 0 whether or not it was set (`Sh` for the others).
pub(super) fn unset_line(format: Format, name: &str) -> String {
    match format {
        Format::Fish => fish_erase(name),
        Format::Powershell => format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue\n"),
        _ => format!("unset {name}\n"),
    }
}

/// Single quotes; an embedded `'` becomes `'\''`.
pub(super) fn sh_quote(value: &str) -> String {
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

/// fish: erases `name` if it is set. A bare `set -e` of an unset variable
/// fails with status 4, and fish's `set` keeps the status it found, so every
/// later line would end `source` (and `hats use x; and …`) with 4.
fn fish_erase(name: &str) -> String {
    format!("if set -q {name}; set -e {name}; end;\n")
}

/// fish single quotes: only `\` and `'` are escaped.
pub(super) fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// The characters PowerShell ends a single-quoted string at: `'` and the
/// typographic quotes ‘ ’ ‚ ‛ (its tokenizer takes all five alike).
const PS_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// PowerShell single quotes: inside them only a single-quote character is
/// special, and doubling it (whichever of the five it is) makes it literal.
pub(super) fn ps_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if PS_SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
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
    fn powershell_doubles_every_character_it_takes_for_a_single_quote() {
        let exports = Exports {
            vars: vec![("HATS_TARGET", "x\u{2019}+$(New-Item pwned)+\u{2019}".to_owned())],
        };
        assert!(
            render(&exports, Format::Powershell)
                .contains("$Env:HATS_TARGET = 'x\u{2019}\u{2019}+$(New-Item pwned)+\u{2019}\u{2019}'\n")
        );
        assert_eq!(
            ps_quote("\u{2018}a\u{201A}b\u{201B}c'"),
            "'\u{2018}\u{2018}a\u{201A}\u{201A}b\u{201B}\u{201B}c'''"
        );
    }

    #[test]
    fn profile_variables_are_removed() {
        assert!(render(&sample(), Format::Sh).starts_with("unset AWS_PROFILE AWS_DEFAULT_PROFILE\n"));
        assert!(
            render(&sample(), Format::Fish).starts_with("if set -q AWS_PROFILE; set -e AWS_PROFILE; end;\n")
        );
    }
}

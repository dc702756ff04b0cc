//! The layers of ARCHITECTURE.md, checked: a module of `src/` may use only
//! modules of lower layers (`crate::NAME` in its code, tests aside), and
//! the commands and the switcher never reach the keyring but through the
//! session layer. Fails naming each file and the module it should not use.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each top-level module and its layer: lower layers never use higher ones,
/// and modules of one layer do not use each other, except in the top layer.
const LAYERS: &[(&str, u8)] = &[
    // Pure types and helpers that depend on nothing of ours.
    ("domain", 0),
    // The binary's allocator set-up, before `main`: uses nothing of hats.
    ("arena", 0),
    ("clock", 0),
    ("error_text", 0),
    ("fs_private", 0),
    ("user_file", 0),
    ("test_hooks", 0),
    ("platform", 0),
    ("process_group", 0),
    // Reading the configuration, talking to AWS, storing secrets: side by side.
    ("config", 1),
    ("aws", 1),
    ("keyring", 1),
    // The targets: what the configuration and the discovery cache offer, named.
    ("inventory", 2),
    // Formats for what is handed out (targets in, text out); starting a browser.
    ("output", 3),
    ("browser", 3),
    // The engine.
    ("session", 4),
    // What builds on the engine.
    ("history", 5),
    ("signin", 5),
    // How a command fails, whatever layer the failure came from.
    ("error", 6),
    ("context", 7),
    // What needs the loaded context.
    ("org", 8),
    ("console", 8),
    ("fanout", 8),
    // The top: commands, the switcher and what wires them.
    ("cli", TOP),
    ("cli_hints", TOP),
    ("commands", TOP),
    ("serve", TOP),
    ("tui", TOP),
    ("fuzzing", TOP),
    ("lib", TOP),
    ("main", TOP),
];

/// The top layer, whose modules may use each other.
const TOP: u8 = 9;

/// Uses the layers would allow but the architecture does not: the commands,
/// the switcher and the servers open no keyring themselves.
const FORBIDDEN: &[(&str, &str)] = &[
    ("commands", "keyring"),
    ("tui", "keyring"),
    ("serve", "keyring"),
    ("cli", "keyring"),
];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).unwrap();
    let first = relative
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// A file's code without its tests: test files are skipped, and a file's
/// `#[cfg(test)]` module comes last by the project's convention.
fn code_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    let in_test_dir = path.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c == "tests" || c.ends_with("_tests")
    });
    if name == "tests.rs" || name.ends_with("_tests.rs") || in_test_dir {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    Some(match text.find("#[cfg(test)]\nmod") {
        Some(at) => text[..at].to_owned(),
        None => text,
    })
}

/// Every `crate::NAME` a piece of code names.
fn crate_uses(code: &str) -> Vec<String> {
    code.match_indices("crate::")
        .filter(|(at, _)| {
            // `hats::crate::` does not occur; `$crate::` (macros) is not ours to judge.
            !code[..*at].ends_with('$')
        })
        .map(|(at, m)| {
            code[at + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn no_module_uses_a_module_of_a_higher_layer() {
    let layers: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for path in &files {
        let module = module_of(path);
        let Some(&own) = layers.get(module.as_str()) else {
            wrong.push(format!(
                "{}: module \"{module}\" has no layer in tests/layers.rs",
                path.display()
            ));
            continue;
        };
        let Some(code) = code_of(path) else { continue };
        for used in crate_uses(&code) {
            if used == module {
                continue;
            }
            let Some(&theirs) = layers.get(used.as_str()) else {
                continue;
            };
            let allowed = theirs < own || (own == TOP && theirs == TOP);
            let forbidden = FORBIDDEN.contains(&(module.as_str(), used.as_str()));
            if !allowed || forbidden {
                wrong.push(format!(
                    "{}: {module} (layer {own}) uses crate::{used} (layer {theirs})",
                    path.strip_prefix(src()).unwrap().display()
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "modules using higher layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_a_use_of_a_higher_layer() {
    let uses = crate_uses("use crate::session::Session;\nfn f() { crate::config::load(); }\n$crate::x");
    assert_eq!(uses, ["session", "config"]);
}

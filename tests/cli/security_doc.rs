//! SECURITY.md's promise tables stay honest: every promise names at least one
//! test, and every test it names exists (an end-to-end test `MODULE::NAME` in
//! `tests/cli/MODULE.rs`, a unit test `PATH::tests::NAME` in `src/PATH.rs`, or a
//! directory of tests such as `tests/fuzz/`), and is a `#[test]` function, not a
//! helper of the same name. A renamed or deleted test makes this fail instead of
//! leaving a promise without proof.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `file` defines a test `fn name`: a function whose attributes, on
/// the lines right above it, include `#[test]` (or an async runtime's `::test]`).
fn defines_test(file: &Path, name: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let signature = format!("fn {name}(");
    lines.iter().enumerate().any(|(at, line)| {
        (line.starts_with(&signature) || line.contains(&format!(" {signature}")))
            && lines[..at]
                .iter()
                .rev()
                .take_while(|above| above.starts_with("#[") || above.starts_with("///"))
                .any(|above| *above == "#[test]" || above.ends_with("::test]"))
    })
}

/// Whether the test `reference` names exists; `None` if it is not a test reference.
fn exists(reference: &str) -> bool {
    if reference.starts_with("tests/") {
        return root().join(reference).exists();
    }
    let parts: Vec<&str> = reference.split("::").collect();
    let (name, module) = parts.split_last().expect("split yields one part at least");
    if let [only] = module {
        return defines_test(&root().join(format!("tests/cli/{only}.rs")), name);
    }
    // `a::b::tests::name` lives in src/a/b.rs (or src/a/b/mod.rs), or out of
    // line in src/a/b/tests.rs or src/a/b_tests.rs; `a::b::function` in the first two.
    let module: Vec<&str> = module.iter().copied().filter(|p| *p != "tests").collect();
    let base = root().join("src").join(module.join("/"));
    let out_of_line = base.with_file_name(format!("{}_tests.rs", module.last().unwrap_or(&"")));
    [
        base.with_extension("rs"),
        base.join("mod.rs"),
        base.join("tests.rs"),
        out_of_line,
    ]
    .iter()
    .any(|file| defines_test(file, name))
}

/// The backticked references of one table cell.
fn references(cell: &str) -> Vec<&str> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|r| r.contains("::") || r.starts_with("tests/"))
        .collect()
}

#[test]
fn every_security_promise_names_tests_that_exist() {
    let text = std::fs::read_to_string(root().join("SECURITY.md")).unwrap();
    let mut in_promise_table = false;
    let mut rows = 0;
    let mut problems = Vec::new();
    for line in text.lines() {
        if !line.starts_with('|') {
            in_promise_table = false;
            continue;
        }
        if line.starts_with("| promise |") {
            in_promise_table = true;
            continue;
        }
        if !in_promise_table || line.starts_with("|---") {
            continue;
        }
        rows += 1;
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        let (promise, tests) = (cells[0], cells[cells.len() - 1]);
        let named = references(tests);
        if named.is_empty() {
            problems.push(format!("no test named for {promise}"));
        }
        for reference in named {
            if !exists(reference) {
                problems.push(format!("{promise}: no test {reference}"));
            }
        }
    }
    assert!(rows >= 20, "both promise tables were read ({rows} rows)");
    assert!(problems.is_empty(), "SECURITY.md:\n{}", problems.join("\n"));
}

#[test]
fn a_helper_function_is_not_taken_for_the_test_behind_a_promise() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("module.rs");
    std::fs::write(
        &file,
        "fn helper() {}\n\n#[test]\n/// proves it\nfn proven() {}\n\n#[tokio::test]\nasync fn proven_async() {}\n",
    )
    .unwrap();
    assert!(!defines_test(&file, "helper"));
    assert!(defines_test(&file, "proven"));
    assert!(defines_test(&file, "proven_async"));
    assert!(!defines_test(&file, "missing"));
}

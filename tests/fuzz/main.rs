//! Replays every seed input (`fuzz/corpus/<target>/`) and every input kept from a
//! fuzzing crash (`fuzz/regressions/<target>/`) through the fuzz targets' own
//! bodies (`hats::fuzzing`), on the stable toolchain: CI guards what fuzzing found
//! without nightly or libFuzzer.
//!
//! A missing directory, or a fuzz target without a replay here, fails the test:
//! a renamed target must never quietly stop being checked. Files named `ok-*`
//! must be accepted and `bad-*` refused; other names (raw crash files) only
//! must not panic. This test never runs the fuzzer itself (`tests/fuzz/run.sh` does).

use hats::fuzzing::{self, Outcome};
use std::path::{Path, PathBuf};

type Body = fn(&[u8]) -> Outcome;

/// Every fuzz target in `fuzz/fuzz_targets/`, with the function it calls.
const TARGETS: &[(&str, Body)] = &[
    ("aws_files", fuzzing::aws_files),
    ("hats_config", fuzzing::hats_config),
    ("target_name", fuzzing::target_name),
    ("duration", fuzzing::duration),
    ("saml_assertion", fuzzing::saml_assertion),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The inputs in `fuzz/<kind>/<target>/`, sorted; panics when the directory is missing.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| {
            !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// Runs `body` on every file; returns one line per failure.
fn replay(kind: &str, target: &str, body: Body) -> Vec<String> {
    let mut failures = Vec::new();
    for path in inputs(kind, target) {
        let data = std::fs::read(&path).expect("a readable input");
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = format!("{kind}/{target}/{name}");
        match std::panic::catch_unwind(|| body(&data)) {
            Err(_) => failures.push(format!("{shown}: panicked (message above)")),
            Ok(Err(message)) if name.starts_with("ok-") => {
                failures.push(format!("{shown}: refused but named ok-: {message}"));
            }
            Ok(Ok(summary)) if name.starts_with("bad-") => {
                failures.push(format!("{shown}: accepted ({summary}) but named bad-"));
            }
            Ok(_) => {}
        }
    }
    failures
}

#[test]
fn every_fuzz_target_is_replayed_here() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .expect("fuzz/fuzz_targets exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().expect("a file name").to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut replayed: Vec<String> = TARGETS.iter().map(|(name, _)| (*name).to_owned()).collect();
    replayed.sort();
    assert_eq!(on_disk, replayed);
}

#[test]
fn seed_corpora_give_the_outcome_their_names_promise() {
    let mut failures = Vec::new();
    for (target, body) in TARGETS {
        let seeds = inputs("corpus", target);
        assert!(
            seeds.iter().any(|p| p.to_string_lossy().contains("/ok-"))
                && seeds.iter().any(|p| p.to_string_lossy().contains("/bad-")),
            "fuzz/corpus/{target} needs seeds that are accepted (ok-*) and refused (bad-*)"
        );
        failures.extend(replay("corpus", target, *body));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn inputs_kept_from_fuzzing_crashes_never_panic_again() {
    let mut failures = Vec::new();
    for (target, body) in TARGETS {
        failures.extend(replay("regressions", target, *body));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

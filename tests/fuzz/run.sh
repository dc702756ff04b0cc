#!/usr/bin/env bash
# Fuzzes hats' parsers: bash tests/fuzz/run.sh [SECONDS-PER-TARGET] [TARGET...]
#
# Installs what it needs (the nightly toolchain through rustup, cargo-fuzz from
# crates.io), then runs each cargo-fuzz target in fuzz/ for SECONDS (default 60)
# with AddressSanitizer. The seeds in fuzz/corpus/<target>/ and the kept crashes
# in fuzz/regressions/<target>/ are read, never written; what the fuzzer learns
# goes to fuzz/target/work-corpus/<target>/ (ignored by git, kept between runs so
# coverage accumulates). A crash, panic, hang (> 10 s on one input) or
# out-of-memory input is copied into fuzz/regressions/<target>/ and the script
# exits 1 after the remaining targets have run. Fix the bug, rename the file after
# what it shows (ok-* accepted, bad-* refused), and commit it: tests/fuzz/main.rs
# replays it on stable in every `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

seconds=${1:-60}
shift || true
case $seconds in
  '' | *[!0-9]*) echo "usage: bash tests/fuzz/run.sh [SECONDS-PER-TARGET] [TARGET...]" >&2; exit 2 ;;
esac

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "tests/fuzz/run.sh: installing the nightly toolchain (cargo fuzz needs it)" >&2
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "tests/fuzz/run.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir fuzz)
fi

# One build for every target, nicely: other work on this machine keeps its cores.
nice -n 10 cargo +nightly fuzz build --fuzz-dir fuzz

failed=()
for target in "${targets[@]}"; do
  seeds=$root/fuzz/corpus/$target
  kept=$root/fuzz/regressions/$target
  work=$root/fuzz/target/work-corpus/$target
  artifacts=$root/fuzz/target/artifacts/$target
  if [ ! -d "$seeds" ] || [ ! -d "$kept" ]; then
    echo "tests/fuzz/run.sh: $target has no fuzz/corpus/$target or fuzz/regressions/$target" >&2
    exit 2
  fi
  mkdir -p "$work"
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  echo "== $target: ${seconds}s" >&2
  status=0
  # The first directory receives new inputs; seeds and kept crashes are only read.
  # Tokens of the format (fuzz/dictionaries/<target>.dict) get past the first
  # checks of a parser far sooner than random bytes do.
  dict=()
  [ -f "$root/fuzz/dictionaries/$target.dict" ] && dict=(-dict="$root/fuzz/dictionaries/$target.dict")
  nice -n 10 cargo +nightly fuzz run --fuzz-dir fuzz "$target" "$work" "$seeds" "$kept" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${dict[@]}" || status=$?
  found=("$artifacts"/*)
  if [ "$status" -ne 0 ] || [ -e "${found[0]}" ]; then
    failed+=("$target")
    for file in "${found[@]}"; do
      [ -e "$file" ] || continue
      cp "$file" "$kept/"
      echo "tests/fuzz/run.sh: $target: kept $(basename "$file") in fuzz/regressions/$target/" >&2
    done
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "tests/fuzz/run.sh: findings in: ${failed[*]} (inputs kept in fuzz/regressions/)" >&2
  exit 1
fi
echo "tests/fuzz/run.sh: ${#targets[@]} targets, ${seconds}s each, no findings" >&2

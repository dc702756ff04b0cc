#!/usr/bin/env bash
# Checks, as far as a Linux machine can, what a release ships:
#   - both GitHub workflows parse as YAML and name the targets they must build;
#   - `cargo run --example dist-assets` writes the man pages (which `man -l`
#     renders) and a completion script per shell (each parses in its shell);
#   - packaging/fill.py fills the Homebrew formula and the Scoop manifest from a
#     SHA256SUMS, leaving no placeholder (the manifest parses as JSON);
#   - `cargo package --locked` builds the crate from what it would publish, and
#     that list holds no tests, fuzz corpora, bench or demo data.
# Exits non-zero naming the first check that failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() {
  echo "release check: FAILED: $*" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

.venv-test/bin/python3 - <<'PY' || fail "the workflows (PyYAML comes with moto in .venv-test)"
import sys, yaml
ci = yaml.safe_load(open(".github/workflows/ci.yml"))
release = yaml.safe_load(open(".github/workflows/release.yml"))
oses = {inc["os"] for inc in ci["jobs"]["native"]["strategy"]["matrix"]["include"]}
want = {"macos-14", "macos-13", "windows-2022"}
assert want <= oses, f"ci.yml native runners {oses} lack {want - oses}"
assert "tests/run.sh" in str(ci["jobs"]["linux"]["steps"]), "ci.yml's Linux job does not run tests/run.sh"
targets = {inc["target"] for inc in release["jobs"]["build"]["strategy"]["matrix"]["include"]}
want = {"x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "aarch64-apple-darwin",
        "x86_64-apple-darwin", "x86_64-pc-windows-msvc"}
assert targets == want, f"release.yml builds {sorted(targets)}, not {sorted(want)}"
assert "lipo" in str(release["jobs"]["universal"]["steps"]), "no universal macOS binary"
assert "sha256sum" in str(release["jobs"]["publish"]["steps"]), "no checksums"
print("release check: workflows parse and name every target", file=sys.stderr)
PY

cargo run --locked --quiet --example dist-assets -- "$work/assets" >/dev/null || fail "dist-assets"
[ -f "$work/assets/man/hats.1" ] || fail "no man/hats.1"
[ -f "$work/assets/man/hats-env.1" ] || fail "no page per subcommand (man/hats-env.1)"
rendered=$(MANWIDTH=80 man -l "$work/assets/man/hats.1" 2>"$work/man.err" | col -b) \
  || fail "man -l cannot render hats.1: $(cat "$work/man.err")"
# Justified text may widen a space: compare with runs of spaces squeezed.
grep -q 'hats - Switch between AWS accounts' <<<"$(tr -s ' ' <<<"$rendered")" || fail "hats.1 renders without its NAME line"
[ ! -s "$work/man.err" ] || fail "man -l warns: $(cat "$work/man.err")"
bash -n "$work/assets/completions/hats.bash" || fail "the bash completion does not parse"
zsh -n "$work/assets/completions/_hats" || fail "the zsh completion does not parse"
fish --no-execute "$work/assets/completions/hats.fish" || fail "the fish completion does not parse"
for script in hats.ps1 hats.elv; do
  [ -s "$work/assets/completions/$script" ] || fail "no completions/$script"
done
echo "release check: man pages render, completions parse" >&2

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
for t in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu universal-apple-darwin; do
  echo "$(printf '%064d' 1)  hats-v$version-$t.tar.gz"
done >"$work/SHA256SUMS"
echo "$(printf '%064d' 2)  hats-v$version-x86_64-pc-windows-msvc.zip" >>"$work/SHA256SUMS"
python3 packaging/fill.py --version "$version" --base-url https://example.invalid/v"$version" \
  --checksums "$work/SHA256SUMS" --out "$work/filled" >/dev/null || fail "fill.py"
! grep -n '@[A-Za-z0-9_.-]*@' "$work/filled/hats.rb" "$work/filled/hats.json" || fail "placeholders left"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$work/filled/hats.json" || fail "hats.json is not JSON"
echo "release check: Homebrew formula and Scoop manifest filled" >&2

listed=$(cargo package --locked --list --allow-dirty) || fail "cargo package --list"
unwanted=$(grep -E '^(tests|fuzz|assets|packaging|\.github|\.ci)/|\.snap$' <<<"$listed" || true)
[ -z "$unwanted" ] || fail "the package would ship: $unwanted"
cargo package --locked --allow-dirty --quiet >/dev/null || fail "cargo package --locked"
echo "release check: cargo package --locked passes ($(wc -l <<<"$listed") files)" >&2

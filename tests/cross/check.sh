#!/usr/bin/env bash
# Type-checks and lints hats for macOS and Windows from Linux, on every run of
# tests/run.sh: `cargo clippy -D warnings` (which type-checks first) of the
# library, binary, tests, benches and examples for each target below. Nothing is
# linked or run here.
# The toolchain and how it is installed: tests/cross/env.sh.
#
# A failure names its target; every target is checked either way.
# Usage: tests/cross/check.sh [TARGET...]   (default: every target below)
set -euo pipefail
cd "$(dirname "$0")/../.."

TARGETS=(x86_64-pc-windows-gnu aarch64-apple-darwin x86_64-apple-darwin)
[ "$#" -gt 0 ] && TARGETS=("$@")

# shellcheck source=tests/cross/env.sh
. tests/cross/env.sh

failed=()
for target in "${TARGETS[@]}"; do
  started=$SECONDS
  case "$target" in
    *-apple-darwin) cargo_cmd=(cargo-zigbuild clippy) ;;
    *) cargo_cmd=(/usr/bin/cargo clippy) ;;
  esac
  if "${cargo_cmd[@]}" --locked --quiet -Zbuild-std=std,panic_abort --target "$target" --all-targets \
    -- -D warnings; then
    echo "cross check: $target: type-check and clippy passed ($((SECONDS - started)) s)" >&2
  else
    echo "cross check: $target: FAILED (type-check or clippy), see the errors above" >&2
    failed+=("$target")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "cross check: the cross checks failed for: ${failed[*]}" >&2
  exit 1
fi

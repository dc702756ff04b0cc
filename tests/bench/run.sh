#!/usr/bin/env bash
# Benchmarks hats: whole-process timings against a local moto server, with
# awsume and the AWS CLI timed side by side in the same run (tests/bench/bench.py),
# then the fan-out (`hats run`, tests/bench/fanout.py: awsrun in its own venv, .venv-awsrun,
# pinned in tests/bench/requirements-fanout.txt), then the in-process Criterion benches
# (tests/bench/inprocess.rs).
# Installs what it needs first: hyperfine, GNU time, gnome-keyring, dbus, keyutils
# (Debian packages); moto, awscli, awsume (PyPI, into .venv-test).
# Exits non-zero when a hats line is more than 2x its target.
# HATS_BENCH_RUNS sets the runs per command (default 40).
set -euo pipefail
cd "$(dirname "$0")/../.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pair in hyperfine:hyperfine /usr/bin/time:time gnome-keyring-daemon:gnome-keyring dbus-daemon:dbus dbus-send:dbus \
  keyctl:keyutils; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bench: installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -x .venv-test/bin/moto_server ] || [ ! -x .venv-test/bin/aws ] || [ ! -x .venv-test/bin/awsumepy ]; then
  echo "bench: installing tests/requirements.txt (moto, awscli, awsume) into .venv-test" >&2
  [ -x .venv-test/bin/pip ] || python3 -m venv .venv-test
  .venv-test/bin/pip install -q --disable-pip-version-check --no-deps -r tests/requirements.txt
fi

echo "bench: building hats (release)..." >&2
cargo build --locked --release --quiet --bin hats --example keyring_floor --example hello
status=0
python3 tests/bench/bench.py || status=$?
echo
echo "Fan-out (hats run, tests/bench/fanout.py):"
python3 tests/bench/fanout.py || status=$?
echo
echo "In-process (Criterion, 5,000 accounts x 3 roles):"
cargo bench --locked --quiet --bench inprocess -- --warm-up-time 1 --measurement-time 3 2>/dev/null |
  grep -E 'time:|^[a-z]' | grep -v '^Benchmarking' || status=$?
exit "$status"

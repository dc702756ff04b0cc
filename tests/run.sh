#!/usr/bin/env bash
# Runs every check and test of hats, installing what the tests need first:
#   - Debian packages: gnome-keyring, dbus, keyutils (a real Secret Service and kernel keyring),
#     libsecret-tools (secret-tool, to plant corrupt keyring entries), faketime (libfaketime, to
#     move the wall clock of one hats run), zsh and fish (shell completion is tested in real bash, zsh
#     and fish), kubernetes-client (kubectl runs `hats eks token` as its exec plugin), openssl
#     (the stand-in Kubernetes API server's self-signed certificate), chromium (a real headless
#     browser opened by the console's chrome-profile launcher) and nodejs (parses container
#     URLs with URLSearchParams, as the Firefox container add-ons do)
#   - moto (an AWS-compatible server) and the AWS CLI in a project-local venv, .venv-test/
#     (its python also runs the IAM Identity Center stand-in, tests/standin/; the stand-in's
#     browser script runs the system python3, which creating the venv already requires)
# Then: cargo fmt --check, cargo clippy -D warnings, cargo test (unit + end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pair in gnome-keyring-daemon:gnome-keyring dbus-daemon:dbus dbus-send:dbus keyctl:keyutils \
  secret-tool:libsecret-tools faketime:faketime zsh:zsh fish:fish kubectl:kubernetes-client \
  openssl:openssl chromium:chromium node:nodejs; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv-test/bin/moto_server ] || [ ! -x .venv-test/bin/aws ]; then
  echo "tests/run.sh: installing moto and awscli into .venv-test" >&2
  python3 -m venv .venv-test 2>/dev/null || {
    as_root apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf .venv-test && python3 -m venv .venv-test
  }
  .venv-test/bin/pip install -q --disable-pip-version-check 'moto[server]' awscli
fi

cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --all-targets

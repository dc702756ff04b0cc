#!/usr/bin/env bash
# Runs every check and test of hats, installing what the tests need first:
#   - Debian packages: gnome-keyring, dbus, keyutils (a real Secret Service and kernel keyring),
#     libsecret-tools (secret-tool, to plant corrupt keyring entries and to read what hats
#     stored), faketime (libfaketime, to move the wall and boot clocks of one hats run), zsh,
#     fish and elvish (shell completion and exports are run by the real shells),
#     kubernetes-client (kubectl runs `hats eks token` as its exec plugin), openssl (the
#     stand-in Kubernetes API server's self-signed certificate, the stand-in IdP's signing key),
#     xmlsec1 (signs SAML responses as identity providers do, and checks what STS received),
#     g++ (libfuzzer-sys compiles libFuzzer when the fuzz crate is checked), chromium (a real
#     headless browser opened by the console's chrome-profile launcher) and nodejs (parses
#     container URLs with URLSearchParams, as the Firefox container add-ons do), man-db and
#     bsdextrautils (the release check renders the man page with `man -l` and `col`), gdb (a
#     failing keyring test prints the backtrace of a gnome-keyring that crashed under it)
#   - the Python test tools at the exact versions of tests/requirements.txt (moto, an
#     AWS-compatible server; the AWS CLI; boto3; awsume) in a project-local venv, .venv-test/
#     (its python also runs the IAM Identity Center stand-in, tests/standin/; the stand-in's
#     browser script runs the system python3, which creating the venv already requires)
# Then: cargo fmt --check, cargo clippy -D warnings, the fuzz crate checked, the same clippy
# for macOS and Windows from Linux (tests/cross/check.sh, which installs Debian's rustc-web
# with its library source, mingw-w64, and zig through cargo-zigbuild in .venv-cross/), a
# Windows smoke test under Wine (tests/cross/wine_smoke.sh, which installs Debian's wine64), cargo
# test (unit + end-to-end), then what a release ships (tests/release/check.sh: the workflows,
# man pages, completions, packaging templates, `cargo package`), every cargo step with
# --locked. Each part's wall time is printed at the end.
#
# What the end-to-end tests assume of the machine (checked below, with how to fix it):
#   - user namespaces: every hats a test starts runs in a user namespace of its own, with
#     kernel keyrings of its own, so no test reads or deletes the keyring entries of the
#     person running them;
#   - root, for four tests that act as other users, which fail saying so otherwise:
#     keyring::another_users_session_bus_is_refused_and_sent_nothing (a session bus run by
#     `nobody`), private_files::without_a_usable_home_directory_hats_refuses_and_creates_nothing
#     (hats run as a user the system does not know), and config_trust's two tests of a config
#     file or directory owned by another user (chown);
#   - a non-loopback IPv4 address (any network interface up), for
#     containers::a_non_loopback_listen_address_is_served_but_the_sdks_refuse_it_over_plain_http,
#     which fails saying so without one.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- tests: timing of each part (printed at the end) ---
timings=()
started_all=$SECONDS
part() {
  local name=$1 started=$SECONDS
  shift
  "$@"
  timings+=("$(printf '%-22s %4ds' "$name" $((SECONDS - started)))")
}
report_timings() {
  echo "tests/run.sh: wall time by part" >&2
  printf '  %s\n' "${timings[@]}" >&2
  printf '  %-22s %4ds\n' total $((SECONDS - started_all)) >&2
  # A full disk fails a build half-way with a linker's or ar's message; these two
  # lines say how much the run wrote and how much room was left.
  echo "tests/run.sh: target/ holds $(du -sh "${CARGO_TARGET_DIR:-target}" 2>/dev/null | cut -f1)," \
    "$(df -h --output=avail . | tail -1 | tr -d ' ') free on its disk" >&2
}
trap report_timings EXIT
# A clean clone gains nothing from incremental compilation but a few GB of target/.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
# --- end tests: timing ---

install_debian_packages() {
  local missing=()
  for pair in gnome-keyring-daemon:gnome-keyring dbus-daemon:dbus dbus-send:dbus keyctl:keyutils \
    secret-tool:libsecret-tools faketime:faketime zsh:zsh fish:fish elvish:elvish \
    kubectl:kubernetes-client openssl:openssl xmlsec1:xmlsec1 c++:g++ chromium:chromium \
    node:nodejs man:man-db col:bsdextrautils gdb:gdb; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "tests/run.sh: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# --- tests: the machine's own assumptions, each with how to fix it ---
check_assumptions() {
  local problems=()
  command -v python3 >/dev/null 2>&1 ||
    problems+=("python3 is missing: apt-get install python3 python3-venv")
  command -v setpriv >/dev/null 2>&1 ||
    problems+=("setpriv is missing: apt-get install util-linux")
  command -v mkfifo >/dev/null 2>&1 ||
    problems+=("mkfifo is missing: apt-get install coreutils")
  command -v unshare >/dev/null 2>&1 ||
    problems+=("unshare is missing: apt-get install util-linux")
  cargo fmt --version >/dev/null 2>&1 ||
    problems+=("rustfmt is missing: rustup component add rustfmt")
  cargo clippy --version >/dev/null 2>&1 ||
    problems+=("clippy is missing: rustup component add clippy")
  if command -v unshare >/dev/null 2>&1 && ! unshare --user true 2>/dev/null; then
    problems+=("user namespaces are not allowed: sysctl -w user.max_user_namespaces=15000 (and, on" \
      "Debian kernels before 6.x, kernel.unprivileged_userns_clone=1)")
  fi
  if [ "${#problems[@]}" -gt 0 ]; then
    printf 'tests/run.sh: %s\n' "${problems[@]}" >&2
    exit 1
  fi
}
# --- end tests: assumptions ---

# --- tests: Python test tools, pinned ---
# The venv is rebuilt whenever tests/requirements.txt changes (its hash is kept in the venv).
install_python_tools() {
  local wanted
  wanted=$(sha256sum tests/requirements.txt | cut -d' ' -f1)
  if [ "$(cat .venv-test/requirements.sha256 2>/dev/null)" = "$wanted" ]; then
    return
  fi
  echo "tests/run.sh: installing tests/requirements.txt into .venv-test" >&2
  rm -rf .venv-test
  python3 -m venv .venv-test 2>/dev/null || {
    as_root apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf .venv-test && python3 -m venv .venv-test
  }
  .venv-test/bin/pip install -q --disable-pip-version-check --no-deps -r tests/requirements.txt
  echo "$wanted" >.venv-test/requirements.sha256
}
# --- end tests: Python test tools ---

part assumptions check_assumptions
part "debian packages" install_debian_packages
part "python tools" install_python_tools
part fmt cargo fmt --all -- --check
part clippy cargo clippy --locked --all-targets --quiet -- -D warnings
# --- tests: the fuzz crate (a workspace of its own, with its own lock file) still compiles ---
# In the main target directory, so the dependencies checked for clippy are reused. A stale
# fuzz/Cargo.lock (a dependency added to hats) fails here: refresh it with
#   cp Cargo.lock fuzz/Cargo.lock && cargo metadata --manifest-path fuzz/Cargo.toml >/dev/null
check_fuzz_crate() {
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}" \
    cargo check --locked --quiet --manifest-path fuzz/Cargo.toml
}
part "fuzz crate" check_fuzz_crate
# --- end tests: fuzz crate ---
# --- plat: macOS and Windows type-checked and linted from Linux (a failure names its target) ---
part "cross toolchain" bash -c '. tests/cross/env.sh'
part "cross checks" bash tests/cross/check.sh
# hats.exe under Wine against moto (installs wine64; needs .venv-test and the cross toolchain).
part "windows under wine" bash tests/cross/wine_smoke.sh
# --- end plat: cross checks ---
part build cargo test --locked --all-targets --no-run --quiet
part "unit tests" cargo test --locked --lib --bins
part "end-to-end tests" cargo test --locked --test cli
part "properties, fuzz seeds, layers" cargo test --locked --test properties --test fuzz --test layers
part "benches, examples" cargo test --locked --benches --examples
part "release check" bash tests/release/check.sh

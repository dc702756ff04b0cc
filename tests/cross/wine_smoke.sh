#!/usr/bin/env bash
# Links hats for Windows (x86_64-pc-windows-gnu, with mingw-w64) and runs the
# .exe under Wine against a local moto server, in a throwaway Wine prefix:
#   - `hats --version`
#   - `hats ls` of a sandboxed AWS config
#   - `hats env plain-role` twice: the first assumes the role at moto and keeps
#     the session in Wine's Credential Manager (advapi32 CredWrite, through the
#     keyring family's Windows store and keyring/split.rs); the second must be
#     served from there, proven by moto's request recorder (no second AssumeRole)
#   - `hats exec plain-role -- cmd /c exit 7`: the command's exit code is hats'
# Installs what it needs (Debian's wine64, the toolchain of tests/cross/env.sh,
# moto in .venv-test). tests/run.sh runs it after the cross checks (the
# Windows build then takes ~5 min on a 2-core machine, 16 min from cold); by
# hand: bash tests/cross/wine_smoke.sh. Exits non-zero, saying which step failed, on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wine >/dev/null 2>&1 || ! command -v wineboot >/dev/null 2>&1; then
  echo "wine smoke: installing wine64" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine64 >/dev/null
fi
if [ ! -x .venv-test/bin/moto_server ]; then
  echo "wine smoke: moto is missing: run tests/run.sh (it installs .venv-test) first" >&2
  exit 1
fi
# shellcheck source=tests/cross/env.sh
. tests/cross/env.sh

started=$SECONDS
/usr/bin/cargo build --locked --quiet -Zbuild-std=std,panic_abort --target x86_64-pc-windows-gnu --bin hats
exe="$CARGO_TARGET_DIR/x86_64-pc-windows-gnu/debug/hats.exe"
echo "wine smoke: built $exe ($((SECONDS - started)) s)" >&2
# Rust's std takes random bytes from bcryptprimitives.dll (ProcessPrng), which
# Debian's Wine 8.0 lacks: a stand-in built with mingw-w64 goes beside the .exe
# (Windows 10 and later ship the real one; nothing of it ships with hats).
x86_64-w64-mingw32-gcc -shared -O2 -o "$(dirname "$exe")/bcryptprimitives.dll" \
  tests/cross/wine/bcryptprimitives.c tests/cross/wine/bcryptprimitives.def -ladvapi32

work=$(mktemp -d)
moto_pid=
cleanup() {
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null
  WINEPREFIX="$work/prefix" wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "wine smoke: FAILED: $*" >&2
  exit 1
}

# moto on a port the kernel picks; it says which on stderr.
MOTO_RECORDER_FILEPATH="$work/recording" .venv-test/bin/moto_server -H 127.0.0.1 -p 0 2>"$work/moto.log" &
moto_pid=$!
port=
for _ in $(seq 600); do
  port=$(sed -n 's#.* \* Running on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$work/moto.log" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$moto_pid" 2>/dev/null || fail "moto did not start: $(cat "$work/moto.log")"
  sleep 0.1
done
[ -n "$port" ] || fail "moto did not say its port within 60 s"
moto="http://127.0.0.1:$port"
curl -sf -X POST "$moto/moto-api/recorder/start-recording" >/dev/null || fail "moto's recorder did not start"

mkdir -p "$work/aws"
cat >"$work/aws/config" <<'EOF'
[profile plain-role]
role_arn = arn:aws:iam::222222222222:role/ReadOnly
source_profile = plain
region = us-east-1
EOF
cat >"$work/aws/credentials" <<'EOF'
[plain]
aws_access_key_id = AKIAPLAINPLAINPLAIN1
aws_secret_access_key = plainsecretplainsecretplainsecretplains1
EOF

export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
started=$SECONDS
wineboot --init >/dev/null 2>&1 || fail "wineboot could not create a Wine prefix"
echo "wine smoke: Wine prefix ready ($((SECONDS - started)) s)" >&2

# Unix paths reach hats as Z:\ paths (Wine maps / to Z:).
hats() {
  env AWS_CONFIG_FILE="Z:$work/aws/config" AWS_SHARED_CREDENTIALS_FILE="Z:$work/aws/credentials" \
    AWS_ENDPOINT_URL="$moto" AWS_EC2_METADATA_DISABLED=true HATS_KEYRING= \
    wine "$exe" "$@"
}
assume_roles() {
  # One JSON line per request; moto keeps each body base64-encoded.
  curl -sf "$moto/moto-api/recorder/download-recording" | tee "$work/recording.txt" | python3 -c '
import base64, json, sys
bodies = (json.loads(line).get("body") or "" for line in sys.stdin if line.strip())
print(sum(b"Action=AssumeRole&" in base64.b64decode(b) for b in bodies))'
}

started=$SECONDS
version=$(hats --version | tr -d '\r') || fail "hats --version exited non-zero"
[[ "$version" == "hats "* ]] || fail "hats --version printed \"$version\""
echo "wine smoke: --version: $version" >&2

listing=$(hats ls | tr -d '\r') || fail "hats ls exited non-zero"
grep -q '^plain-role  *222222222222' <<<"$listing" || fail "hats ls does not list plain-role: $listing"
echo "wine smoke: ls lists plain-role" >&2

first=$(hats env plain-role 2>"$work/env1.err" | tr -d '\r') || fail "hats env failed: $(cat "$work/env1.err")"
grep -q "AWS_SESSION_TOKEN" <<<"$first" || fail "hats env printed no session: $first"
[ "$(assume_roles)" = 1 ] || fail "the first hats env made $(assume_roles) AssumeRole calls, not 1: $(head -c 600 "$work/recording.txt"; cat "$work/env1.err")"
second=$(hats env plain-role 2>"$work/env2.err" | tr -d '\r') || fail "the second hats env failed: $(cat "$work/env2.err")"
[ "$first" = "$second" ] || fail "the second hats env handed out other credentials"
[ "$(assume_roles)" = 1 ] || fail "the second hats env called AssumeRole again: the Credential Manager kept nothing"
echo "wine smoke: env: one AssumeRole, the second run served from the Credential Manager" >&2

set +e
hats exec plain-role -- cmd /c exit 7 >/dev/null 2>"$work/exec.err"
code=$?
set -e
[ "$code" = 7 ] || fail "hats exec returned $code, not the command's 7: $(cat "$work/exec.err")"
echo "wine smoke: exec returns the command's exit code" >&2
echo "wine smoke: passed ($((SECONDS - started)) s under Wine)" >&2

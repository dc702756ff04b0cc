#!/usr/bin/env bash
# The hats demo: builds hats, starts a local AWS-compatible server (moto) seeded
# with accounts, roles and an MFA device, plus a stand-in for IAM Identity Center
# (tests/standin/identity_center.py; its "browser" approves sign-ins), and opens a
# shell in a sandbox HOME (your own ~/.aws is never read or written). Any 6-digit
# MFA code works.
set -euo pipefail
# Headless machines fall back to the kernel keyutils keyring, which needs a
# session keyring of its own (a login session has one; a bare shell may not).
if [ -z "${HATS_DEMO_SESSION:-}" ] && command -v keyctl >/dev/null 2>&1; then
  export HATS_DEMO_SESSION=1
  exec keyctl session - bash "$0" "$@"
fi
cd "$(dirname "$0")/../.."
repo=$PWD

if [ ! -x .venv-test/bin/moto_server ]; then
  echo "demo: installing moto into .venv-test (once)..." >&2
  python3 -m venv .venv-test 2>/dev/null || {
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq python3-venv >/dev/null; else sudo apt-get install -y -qq python3-venv >/dev/null; fi
    rm -rf .venv-test && python3 -m venv .venv-test
  }
  .venv-test/bin/pip install -q --disable-pip-version-check 'moto[server]'
fi
echo "demo: building hats (release; the first build takes a few minutes)..." >&2
cargo build --release --quiet

sandbox=$(mktemp -d "${TMPDIR:-/tmp}/hats-demo.XXXXXX")
port=$(.venv-test/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv-test/bin/moto_server -H 127.0.0.1 -p "$port" >"$sandbox/moto.log" 2>&1 &
moto_pid=$!
# Where cargo put it: CARGO_TARGET_DIR, when the user sets one, else target/.
export PATH="${CARGO_TARGET_DIR:-$repo/target}/release:$PATH"
# The demo's sessions went to your keyring (Secret Service or keyutils): remove them too.
# Only once HOME points at the sandbox, so your own cache is never touched.
cleanup() {
  # forget keeps sign-ins (they are sso logout's): the demo's goes too.
  if [ "${HOME:-}" = "$sandbox/home" ]; then
    hats sso logout corp >/dev/null 2>&1 || true
    hats forget --all >/dev/null 2>&1 || true
  fi
  kill "$moto_pid" ${ic_pid:-} ${fed_pid:-} 2>/dev/null || true; rm -rf "$sandbox"
}
trap cleanup EXIT
for _ in $(seq 1 200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$moto_pid" 2>/dev/null || { cat "$sandbox/moto.log" >&2; exit 1; }
  sleep 0.05
done

# Waits until stand-in NAME (process PID) has written $sandbox/NAME.port; its log if it died.
wait_for_port_file() {
  for _ in $(seq 1 200); do
    [ -s "$sandbox/$1.port" ] && return 0
    kill -0 "$2" 2>/dev/null || { cat "$sandbox/$1.log" >&2; exit 1; }
    sleep 0.05
  done
}

home="$sandbox/home"
.venv-test/bin/python assets/demo/seed.py "http://127.0.0.1:$port" "$home" "$sandbox/identity-center.json"

# The Identity Center stand-in mints its role credentials through moto.
python3 tests/standin/identity_center.py --port 0 --moto "http://127.0.0.1:$port" \
  --seed "$sandbox/identity-center.json" --port-file "$sandbox/ic.port" >"$sandbox/ic.log" 2>&1 &
ic_pid=$!
wait_for_port_file ic "$ic_pid"
ic="http://127.0.0.1:$(cat "$sandbox/ic.port")"

# The console's sign-in federation endpoint, for `hats login`: checks each session's keys at moto.
.venv-test/bin/python tests/standin/federation.py --moto "http://127.0.0.1:$port" \
  --port-file "$sandbox/fed.port" --log "$sandbox/federation.jsonl" >"$sandbox/fed.log" 2>&1 &
fed_pid=$!
wait_for_port_file fed "$fed_pid"

export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache" XDG_DATA_HOME="$home/.local/share"
export AWS_CONFIG_FILE="$home/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$home/.aws/credentials"
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL_SSO="$ic" AWS_ENDPOINT_URL_SSO_OIDC="$ic" BROWSER="$repo/tests/standin/browser.sh"
export HATS_FEDERATION_ENDPOINT="http://127.0.0.1:$(cat "$sandbox/fed.port")/federation"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN HATS_TARGET

# --- SAML source (self-contained): a stand-in identity provider script prints a
# fresh, unsigned SAMLResponse (moto checks no signature). One role only: moto
# answers an assertion with several roles with an error.
mkdir -p "$home/idp"
cat >"$home/idp/corp-idp" <<IDP
#!/bin/sh
echo "corp-idp: signed in as alice@corp.example" >&2
exec "$repo/.venv-test/bin/python" - <<'PY'
import base64, datetime
until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
role = "arn:aws:iam::123456789012:role/SamlAdmin,arn:aws:iam::123456789012:saml-provider/CorpIdP"
a = "https://aws.amazon.com/SAML/Attributes/"
xml = ('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">'
       '<saml:Assertion><saml:Conditions NotOnOrAfter="%s"/><saml:AttributeStatement>'
       '<saml:Attribute Name="%sRoleSessionName"><saml:AttributeValue>alice@corp.example</saml:AttributeValue></saml:Attribute>'
       '<saml:Attribute Name="%sRole"><saml:AttributeValue>%s</saml:AttributeValue></saml:Attribute>'
       '<saml:Attribute Name="%sSessionDuration"><saml:AttributeValue>3600</saml:AttributeValue></saml:Attribute>'
       '</saml:AttributeStatement></saml:Assertion></samlp:Response>') % (until, a, a, role, a)
print(base64.b64encode(xml.encode()).decode())
PY
IDP
chmod 755 "$home/idp/corp-idp"
printf '\n[saml.corp]\nassertion_process = "%s"\n' "$home/idp/corp-idp" >>"$home/.config/hats/config.toml"
echo
echo "== hats saml sync (runs the IdP script once, records its roles)"
hats saml sync
# --- end of the SAML block

echo
echo "== hats org sync"
hats org sync
echo "== hats sso login   (IAM Identity Center: the stand-in's browser approves; then discovery)"
# Without a terminal (a CI log) the steps go to stderr; the stand-in's browser approves.
hats sso login
echo "== hats ls"
hats ls
echo
if [ -t 0 ] && [ -t 1 ]; then
  cat <<TXT
Opening the switcher. Keys: / filter, Enter shell (any 6-digit MFA code), r refresh,
e print exports, ? help, q quit. prod-* targets are guarded: type "yes" to go on.
TXT
  read -r -p "Press Enter to start..." _ || true
  hats || true
  cat <<TXT

You are in a demo shell (sandbox HOME, local AWS at $AWS_ENDPOINT_URL). Try:
  hats                         # the switcher again
  hats shell prod-admin        # asks the MFA code once (any 6 digits), then opens a subshell
  hats env staging-dev         # no second MFA prompt: the MFA session is cached
  hats whoami audit-via-prod   # role chaining from prod-admin
  hats exec sandbox/ReadOnly -- env | grep AWS_
  hats whoami data-lake/DataScientist   # a role assigned in Identity Center
  hats sso sync                # discover Identity Center assignments again
  hats whoami 123456789012/SamlAdmin   # AssumeRoleWithSAML with the IdP script's assertion
  hats run 'sandbox/*' 'staging/*' -- sh -c 'echo "\$HATS_ROLE_ARN"'
                               # one command in four accounts and roles, MFA asked once
  hats login sandbox/ReadOnly --print   # a console sign-in URL (from a local stand-in)
  hats ls                      # countdowns of cached sessions
  hats forget --all
Type 'exit' to end the demo (the server and sandbox are removed).
TXT
  PS1='(hats demo) \w \$ ' bash --norc -i || true
else
  echo "== no terminal: a scripted tour instead"
  set -x
  hats env prod-admin --mfa-code 123456
  hats whoami staging-dev
  hats whoami audit-via-prod
  hats whoami data-lake/DataScientist
  hats whoami 123456789012/SamlAdmin
  hats exec sandbox/ReadOnly -- sh -c 'echo "child sees $HATS_TARGET in $AWS_REGION until $AWS_CREDENTIAL_EXPIRATION"'
  hats run 'sandbox/*' -- sh -c 'echo "$HATS_ACCOUNT_NAME $HATS_ROLE_ARN"'
  hats login sandbox/ReadOnly --print
  hats ls
fi

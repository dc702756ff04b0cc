//! The Identity Center stand-in refuses what the real service refuses, in the real shapes
//! (status, `x-amzn-ErrorType`, body), as boto3 sees them; PKCE is really verified; and the
//! test controls (throttling, hold, generated inventories) do what they say.

use crate::harness::Moto;
use crate::identity_center::{IdentityCenter, generated_seed, seed};
use serde_json::{Value, json};

fn standin() -> (Moto, IdentityCenter) {
    let moto = Moto::start();
    let ic = IdentityCenter::start(&moto, &seed(&[("111122223333", "prod", &["Admin"])]));
    (moto, ic)
}

/// Runs `script` (with the helpers below prepended) and parses its JSON stdout.
fn run(ic: &IdentityCenter, script: &str) -> Value {
    let out = ic.python(&format!("{PRELUDE}{script}"), &[]);
    assert!(
        out.status.success(),
        "script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// boto3 clients without retries, `outcome(fn)` = [error code or "ok", HTTP status], and
/// `control(path, body)` for the stand-in's test controls.
const PRELUDE: &str = r#"
import json, os, subprocess, sys, urllib.request, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
endpoint = sys.argv[1]
config = Config(retries={"total_max_attempts": 1})
oidc = boto3.client("sso-oidc", region_name="us-east-1", endpoint_url=endpoint, config=config)
sso = boto3.client("sso", region_name="us-east-1", endpoint_url=endpoint, config=config)
DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
def outcome(fn):
    try:
        fn()
        return ["ok", 200]
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
def control(path, body=None):
    req = urllib.request.Request(endpoint + "/standin/" + path, data=json.dumps(body).encode() if body is not None else None)
    return json.load(urllib.request.urlopen(req))
def register(**kw):
    return oidc.register_client(clientName="t", clientType="public", **kw)
def device(reg):
    return oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl="https://corp.awsapps.com/start")
def poll(reg, auth):
    return lambda: oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE, deviceCode=auth["deviceCode"])
"#;

const OIDC_REFUSALS: &str = r#"
out = {}
control("lifetimes", {"interval": 60})  # a second poll within a minute is too soon
reg = register(scopes=["sso:account:access"])
out["wrong_secret"] = outcome(lambda: oidc.start_device_authorization(clientId=reg["clientId"], clientSecret="nope", startUrl="https://corp.awsapps.com/start"))
out["unknown_start_url"] = outcome(lambda: oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl="https://other.awsapps.com/start"))
auth = device(reg)
out["first_poll"] = outcome(poll(reg, auth))
out["second_poll_too_soon"] = outcome(poll(reg, auth))
out["unknown_device_code"] = outcome(lambda: oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType=DEVICE, deviceCode="made-up"))
out["unknown_grant"] = outcome(lambda: oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="password"))
control("deny", {"deny": True})
denied = device(reg)
subprocess.run([os.environ["BROWSER"], denied["verificationUriComplete"]], check=True)
out["denied"] = outcome(poll(reg, denied))
control("deny", {"deny": False})
control("lifetimes", {"deviceCode": 0})
out["expired_device_code"] = outcome(poll(reg, device(reg)))
t = control("token", {})
first = oidc.create_token(clientId=t["clientId"], clientSecret=t["clientSecret"], grantType="refresh_token", refreshToken=t["refreshToken"])
out["refresh_reused"] = outcome(lambda: oidc.create_token(clientId=t["clientId"], clientSecret=t["clientSecret"], grantType="refresh_token", refreshToken=t["refreshToken"]))
out["refresh_by_other_client"] = outcome(lambda: oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="refresh_token", refreshToken=first["refreshToken"]))
out["unscoped_client_has_no_refresh"] = "refreshToken" in control("token", {"scopes": []})
print(json.dumps(out))
"#;

#[test]
fn standin_oidc_refuses_bad_clients_early_polls_denials_expired_and_reused_codes() {
    let (_moto, ic) = standin();
    let out = run(&ic, OIDC_REFUSALS);
    let expect = |key: &str, code: &str, status: u16| {
        assert_eq!(out[key], json!([code, status]), "{key}: {out}");
    };
    expect("wrong_secret", "InvalidClientException", 401);
    expect("unknown_start_url", "InvalidRequestException", 400);
    expect("first_poll", "AuthorizationPendingException", 400);
    expect("second_poll_too_soon", "SlowDownException", 400);
    expect("unknown_device_code", "InvalidGrantException", 400);
    expect("unknown_grant", "UnauthorizedClientException", 400);
    expect("denied", "AccessDeniedException", 400);
    expect("expired_device_code", "ExpiredTokenException", 400);
    expect("refresh_reused", "InvalidGrantException", 400);
    expect("refresh_by_other_client", "InvalidGrantException", 400);
    assert_eq!(out["unscoped_client_has_no_refresh"], false);
}

#[test]
fn standin_error_bodies_carry_the_oauth_error_for_oidc_and_a_message_for_the_portal() {
    let (_moto, ic) = standin();
    let (status, body) = ic.call(
        "POST",
        "/token",
        &json!({"clientId": "nobody", "clientSecret": "x", "grantType": "refresh_token"}),
    );
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    assert!(body["error_description"].is_string());
    let (status, body) = ic.call("GET", "/assignment/accounts", &Value::Null);
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Session token not found or invalid");
}

const PORTAL_REFUSALS: &str = r#"
out = {}
t = control("token", {})
at = t["accessToken"]
out["unassigned_role"] = outcome(lambda: sso.get_role_credentials(accessToken=at, accountId="111122223333", roleName="Billing"))
out["unassigned_account"] = outcome(lambda: sso.list_account_roles(accessToken=at, accountId="999999999999"))
out["bad_next_token"] = outcome(lambda: sso.list_accounts(accessToken=at, nextToken="bm90LWEtdG9rZW4="))
out["too_big_a_page"] = outcome(lambda: sso.list_accounts(accessToken=at, maxResults=101))
control("throttle", {"every": 2})
out["throttled"] = [outcome(lambda: sso.list_accounts(accessToken=at)) for _ in range(4)]
control("throttle", {})
out["logout"] = outcome(lambda: sso.logout(accessToken=at))
out["after_logout"] = outcome(lambda: sso.list_accounts(accessToken=at))
out["refresh_after_logout"] = outcome(lambda: oidc.create_token(clientId=t["clientId"], clientSecret=t["clientSecret"], grantType="refresh_token", refreshToken=t["refreshToken"]))
t2 = control("token", {})
control("expire", {"access": True})
out["expired"] = outcome(lambda: sso.list_accounts(accessToken=t2["accessToken"]))
t3 = control("token", {})
control("revoke", {"refresh": False})
out["revoked"] = outcome(lambda: sso.list_accounts(accessToken=t3["accessToken"]))
out["refresh_kept"] = outcome(lambda: oidc.create_token(clientId=t3["clientId"], clientSecret=t3["clientSecret"], grantType="refresh_token", refreshToken=t3["refreshToken"]))
print(json.dumps(out))
"#;

#[test]
fn standin_portal_refuses_unassigned_roles_bad_pages_throttles_and_dead_tokens() {
    let (_moto, ic) = standin();
    let out = run(&ic, PORTAL_REFUSALS);
    let expect = |key: &str, want: Value| assert_eq!(out[key], want, "{key}: {out}");
    expect("unassigned_role", json!(["ForbiddenException", 403]));
    expect("unassigned_account", json!(["ForbiddenException", 403]));
    expect("bad_next_token", json!(["InvalidRequestException", 400]));
    expect("too_big_a_page", json!(["InvalidRequestException", 400]));
    let ok = json!(["ok", 200]);
    let throttled = json!(["TooManyRequestsException", 429]);
    expect("throttled", json!([ok, throttled, ok, throttled]));
    expect("logout", ok.clone());
    expect("after_logout", json!(["UnauthorizedException", 401]));
    expect("refresh_after_logout", json!(["InvalidGrantException", 400]));
    expect("expired", json!(["UnauthorizedException", 401]));
    expect("revoked", json!(["UnauthorizedException", 401]));
    expect("refresh_kept", ok);
    assert_eq!(ic.log().throttled, 2);
}

/// Authorization code with PKCE: a loopback redirect server, the browser script, and the verifier.
const PKCE_FLOW: &str = r#"
import base64, hashlib, http.server, secrets, threading, urllib.parse
got = []
class Callback(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        got.append(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)))
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
server = http.server.HTTPServer(("127.0.0.1", 0), Callback)
threading.Thread(target=server.serve_forever, daemon=True).start()
redirect = f"http://127.0.0.1:{server.server_address[1]}/oauth/callback"
reg = register(scopes=["sso:account:access"], grantTypes=["authorization_code", "refresh_token"],
               redirectUris=["http://127.0.0.1/oauth/callback"], issuerUrl="https://corp.awsapps.com/start")
def sign_in(verifier, redirect_uri=redirect, browser_ok=True):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(8)
    url = endpoint + "/authorize?" + urllib.parse.urlencode({"response_type": "code", "client_id": reg["clientId"],
        "redirect_uri": redirect_uri, "state": state, "code_challenge_method": "S256",
        "code_challenge": challenge, "scopes": "sso:account:access"})
    ran = subprocess.run([os.environ["BROWSER"], url], capture_output=True)
    return ran.returncode, state
out = {}
verifier = secrets.token_urlsafe(48)
code, state = sign_in(verifier)
out["callback_state_matches"] = got[-1]["state"] == state
out["wrong_verifier"] = outcome(lambda: oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
    grantType="authorization_code", code=got[-1]["code"], redirectUri=redirect, codeVerifier=verifier + "x"))
sign_in(verifier)
token = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="authorization_code",
    code=got[-1]["code"], redirectUri=redirect, codeVerifier=verifier)
out["token_works"] = outcome(lambda: sso.list_accounts(accessToken=token["accessToken"]))
out["code_reused"] = outcome(lambda: oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
    grantType="authorization_code", code=got[-1]["code"], redirectUri=redirect, codeVerifier=verifier))
calls = len(got)
out["unregistered_redirect_browser_rc"] = sign_in(verifier, redirect_uri="http://127.0.0.1:1/elsewhere")[0]
out["unregistered_redirect_reached_callback"] = len(got) != calls
control("deny", {"deny": True})
sign_in(verifier)
out["denied"] = got[-1].get("error")
print(json.dumps(out))
"#;

#[test]
fn standin_pkce_redirects_to_the_loopback_and_verifies_the_code_verifier() {
    let (_moto, ic) = standin();
    let out = run(&ic, PKCE_FLOW);
    assert_eq!(out["callback_state_matches"], true, "{out}");
    assert_eq!(out["wrong_verifier"], json!(["InvalidGrantException", 400]));
    assert_eq!(out["token_works"], json!(["ok", 200]));
    assert_eq!(out["code_reused"], json!(["InvalidGrantException", 400]));
    assert_ne!(
        out["unregistered_redirect_browser_rc"], 0,
        "an unregistered redirect_uri must fail"
    );
    assert_eq!(out["unregistered_redirect_reached_callback"], false);
    assert_eq!(out["denied"], "access_denied");
    assert_eq!(ic.log().count("Authorize"), 4);
}

#[test]
fn standin_hold_shows_every_concurrent_request_in_flight() {
    let (_moto, ic) = standin();
    ic.hold(true);
    let endpoint_port = ic.port;
    let clients: Vec<_> = (0..3)
        .map(|_| {
            std::thread::spawn(move || {
                let mut s = std::net::TcpStream::connect(("127.0.0.1", endpoint_port)).unwrap();
                std::io::Write::write_all(
                    &mut s,
                    b"GET /assignment/accounts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                )
                .unwrap();
                let mut answer = String::new();
                std::io::Read::read_to_string(&mut s, &mut answer).unwrap();
                answer
            })
        })
        .collect();
    ic.wait_in_flight(3);
    ic.hold(false);
    for client in clients {
        assert!(client.join().unwrap().starts_with("HTTP/1.1 401"));
    }
    let log = ic.log();
    assert_eq!(log.max_in_flight, 3);
    assert_eq!(log.in_flight, 0);
    assert_eq!(log.errors("ListAccounts", "UnauthorizedException"), 3);
}

#[test]
fn standin_generates_a_thousand_accounts_with_three_roles_each() {
    let moto = Moto::start();
    let ic = IdentityCenter::start(&moto, &generated_seed(1000, &["Admin", "ReadOnly", "Billing"]));
    let out = run(
        &ic,
        r#"
at = control("token", {})["accessToken"]
pages = list(sso.get_paginator("list_accounts").paginate(accessToken=at, PaginationConfig={"PageSize": 100}))
accounts = [a for p in pages for a in p["accountList"]]
roles = sso.list_account_roles(accessToken=at, accountId=accounts[-1]["accountId"])["roleList"]
print(json.dumps({"pages": len(pages), "count": len(accounts), "first": accounts[0], "last": accounts[-1],
                  "ids": len({a["accountId"] for a in accounts}), "roles": [r["roleName"] for r in roles]}))
"#,
    );
    assert_eq!(out["pages"], 10);
    assert_eq!(out["count"], 1000);
    assert_eq!(out["ids"], 1000);
    assert_eq!(
        out["first"],
        json!({"accountId": "100000000000", "accountName": "account-0000", "emailAddress": "account-0000@example.com"})
    );
    assert_eq!(out["last"]["accountId"], "100000000999");
    assert_eq!(out["roles"], json!(["Admin", "ReadOnly", "Billing"]));
    assert_eq!(ic.log().count("ListAccounts"), 10);
}

#[test]
fn standin_hold_of_some_operations_parks_only_those() {
    let (_moto, ic) = standin();
    ic.hold_only(&["ListAccounts"]);
    let out = run(
        &ic,
        r#"
import threading
at = control("token", {})["accessToken"]
got = {}
parked = threading.Thread(target=lambda: got.update(accounts=outcome(lambda: sso.list_accounts(accessToken=at))))
parked.start()
got["roles_while_held"] = outcome(lambda: sso.list_account_roles(accessToken=at, accountId="111122223333"))
got["credentials_while_held"] = outcome(lambda: sso.get_role_credentials(accessToken=at, accountId="111122223333", roleName="Admin"))
got["accounts_done_while_held"] = "accounts" in got
control("hold", {"hold": False})
parked.join()
print(json.dumps(got))
"#,
    );
    assert_eq!(out["roles_while_held"], json!(["ok", 200]), "{out}");
    assert_eq!(out["credentials_while_held"], json!(["ok", 200]), "{out}");
    assert_eq!(out["accounts_done_while_held"], false, "{out}");
    assert_eq!(out["accounts"], json!(["ok", 200]), "{out}");
}

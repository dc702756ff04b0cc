#!/usr/bin/env python3
"""A stand-in for AWS IAM Identity Center (the `sso` portal and `sso-oidc`), for tests.

moto has neither service, so this server speaks their REST-JSON wire protocols as
botocore's service models describe them (botocore/data/sso and sso-oidc, 2019-06-10)
and mints the role credentials it hands out through moto's STS AssumeRole, so the
keys work against moto: `sts get-caller-identity` with them prints
arn:aws:sts::ACCOUNT:assumed-role/ROLE/USER in the role's own account.

RUN
    python3 tests/standin/identity_center.py --port 0 --seed seed.json --moto http://127.0.0.1:MOTO
    [--port-file FILE] [--host 127.0.0.1]
The first stdout line is the bound port (also written to --port-file). Point clients at
it with AWS_ENDPOINT_URL_SSO=http://127.0.0.1:PORT and AWS_ENDPOINT_URL_SSO_OIDC=(same).
Only the Python standard library is used.

SEED (JSON)
    {"region": "us-east-1", "user": "alice@example.com",
     "startUrl": "https://corp.awsapps.com/start",
     "accounts": [{"accountId": "111122223333", "accountName": "prod",
                   "emailAddress": "prod@example.com", "roles": ["Admin", "ReadOnly"]}]}
  or, for big inventories, "generate" instead of "accounts":
     {"startUrl": ..., "generate": {"accounts": 1000, "roles": ["Admin", "ReadOnly", "Billing"],
                                    "firstAccountId": 100000000000, "namePrefix": "account"}}
     (ids firstAccountId+i as 12 digits, names PREFIX-0000.., emails PREFIX-0000@example.com)
  or several directories: {"region": ..., "directories": [{"startUrl": A, "accounts": [...]},
                                                          {"startUrl": B, "generate": {...}}]}
  Defaults: startUrl https://standin.awsapps.com/start, region us-east-1, user alice@example.com
  (the RoleSessionName of minted credentials). A token belongs to the start URL it was
  signed in for and sees only that directory's accounts.

PORTAL (service `sso`), header `x-amz-sso_bearer_token: ACCESS_TOKEN` on every call
    GET  /federation/credentials?role_name=R&account_id=A -> {"roleCredentials": {accessKeyId,
         secretAccessKey, sessionToken, expiration (epoch ms)}}
    GET  /assignment/accounts?next_token=&max_result=     -> {"accountList": [...], "nextToken"}
    GET  /assignment/roles?account_id=A&next_token=&max_result= -> {"roleList": [...], "nextToken"}
    POST /logout                                           -> 200, revokes that sign-in's tokens
  Errors: body {"message": ...} + header x-amzn-ErrorType: 401 UnauthorizedException (missing,
  unknown, expired, revoked or logged-out token), 400 InvalidRequestException (bad next_token,
  max_result outside 1..100, missing parameter), 403 ForbiddenException "No access" (account or
  role not assigned, as the real portal answers), 429 TooManyRequestsException (throttling).
  Pages default to 20 items.

OIDC (service `sso-oidc`), JSON bodies
    POST /client/register      {clientName, clientType:"public", scopes?, grantTypes?,
                                redirectUris?, issuerUrl?} -> {clientId, clientSecret,
                                clientIdIssuedAt, clientSecretExpiresAt} (epoch seconds)
    POST /device_authorization {clientId, clientSecret, startUrl} -> {deviceCode, userCode,
                                verificationUri, verificationUriComplete, expiresIn, interval}
    POST /token                {clientId, clientSecret, grantType, deviceCode | code+redirectUri+
                                codeVerifier | refreshToken} -> {accessToken, tokenType,
                                expiresIn, refreshToken (only for clients registered with scopes;
                                refresh tokens rotate: each is good once)}
    GET  /authorize?response_type=code&client_id&redirect_uri&state&code_challenge
                   &code_challenge_method=S256[&scopes]  -> "the user approves": 302 to
                   redirect_uri?code=..&state=.. (or ?error=access_denied&state=.. when denying);
                   400 page for an unknown client or unregistered redirect_uri (loopback
                   redirects match ignoring the port, RFC 8252).
    GET  /device?user_code=ABCD-EFGH -> the browser's verification page: approves that code.
  Errors: body {"error": oauth_code, "error_description": ...} + header x-amzn-ErrorType:
  AuthorizationPendingException (400, not yet approved), SlowDownException (400, polled again
  sooner than `interval`), AccessDeniedException (400, denied), ExpiredTokenException (400,
  device code or refresh token expired), InvalidGrantException (400, unknown/used code or
  refresh token, PKCE verifier mismatch, redirectUri mismatch), InvalidClientException (401,
  unknown client, wrong secret, expired registration), InvalidRequestException (400, unknown
  startUrl), UnauthorizedClientException / UnsupportedGrantTypeException (400).

TEST CONTROLS (under /standin/, JSON in and out; not part of AWS)
    POST /standin/reset       body: a new seed, or empty to re-seed with the original; forgets
                              clients, codes, tokens, the log and every control below
    POST /standin/revoke      {"refresh": true} revoke every access token (and refresh token
                              unless "refresh": false): the next portal call answers 401
    POST /standin/expire      {"access": true, "refresh": false, "clients": false} expire now
    POST /standin/lifetimes   any of {"accessToken","refreshToken","client","deviceCode",
                              "authCode","roleCredentials","interval"} in seconds, for what is
                              issued afterwards; answers the current lifetimes
    POST /standin/throttle    {"every": N, "operations": [...]} answer throttled for every Nth
                              matching request (default operations: the portal's four); {} turns
                              it off
    POST /standin/hold        {"hold": true} park every AWS request before it is answered until
                              {"hold": false}; GET /standin/log's "inFlight" counts the parked
                              ones, so concurrency is observed without timing anything;
                              {"hold": true, "operations": ["ListAccounts"]} parks only those
    POST /standin/deny        {"deny": true} the verification page and /authorize deny
    POST /standin/approve     {"userCode": "ABCD-EFGH"} approve as the page does
    POST /standin/token       {"startUrl"?, "scopes"?} a signed-in token without a flow:
                              {accessToken, refreshToken, expiresIn, clientId, clientSecret,
                              clientSecretExpiresAt, startUrl}
    GET  /standin/pending     [{userCode, verificationUriComplete}] awaiting approval
    GET  /standin/state       counts of clients and live tokens, lifetimes, switches
    GET  /standin/log         {"counts": {op: n}, "statuses": {op: {status: n}}, "maxInFlight": n,
                              "inFlight": n,
                              "throttled": n, "requests": [{op, status, error?, accountId?,
                              roleName?, grantType?}]}   (never a token or secret)
    POST /standin/log/reset   clears the log and the in-flight maximum
  Operation names in the log: GetRoleCredentials, ListAccounts, ListAccountRoles, Logout,
  RegisterClient, StartDeviceAuthorization, CreateToken, Authorize, VerifyDevice.
"""

import argparse
import datetime
import json
import sys
import threading
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, __import__("os").path.dirname(__file__))
from ic_state import Refused, State  # noqa: E402

PORTAL_OPS = ["GetRoleCredentials", "ListAccounts", "ListAccountRoles", "Logout"]
ROUTES = {
    ("GET", "/federation/credentials"): "GetRoleCredentials",
    ("GET", "/assignment/accounts"): "ListAccounts",
    ("GET", "/assignment/roles"): "ListAccountRoles",
    ("POST", "/logout"): "Logout",
    ("POST", "/client/register"): "RegisterClient",
    ("POST", "/device_authorization"): "StartDeviceAuthorization",
    ("POST", "/token"): "CreateToken",
    ("GET", "/authorize"): "Authorize",
    ("GET", "/device"): "VerifyDevice",
}


class Traffic:
    """The request log, the throttling control, and the in-flight gauge."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.requests, self.in_flight, self.max_in_flight, self.throttled = [], 0, 0, 0
        self.throttle = {}
        self.matching = 0
        self.released = threading.Event()  # cleared while /standin/hold parks requests
        self.released.set()
        self.held = None  # the operations /standin/hold parks; None: every one

    def enter(self):
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def should_throttle(self, op):
        if not self.throttle or op not in self.throttle.get("operations", PORTAL_OPS):
            return False
        self.matching += 1
        every = self.throttle.get("every")
        if every and self.matching % int(every) == 0:
            self.throttled += 1
            return True
        return False

    def report(self):
        counts, statuses = {}, {}
        for r in self.requests:
            counts[r["op"]] = counts.get(r["op"], 0) + 1
            by_status = statuses.setdefault(r["op"], {})
            by_status[str(r["status"])] = by_status.get(str(r["status"]), 0) + 1
        return {"counts": counts, "statuses": statuses, "maxInFlight": self.max_in_flight,
                "inFlight": self.in_flight,
                "throttled": self.throttled, "requests": self.requests}


class StandIn:
    def __init__(self, seed, moto):
        self.lock = threading.Lock()
        self.original_seed, self.moto = seed, moto.rstrip("/")
        self.state, self.traffic = State(seed), Traffic()
        self.base_url = ""

    def mint(self, role_arn, seconds):
        """Role credentials from moto's STS AssumeRole, as the portal's `roleCredentials`."""
        form = urllib.parse.urlencode({
            "Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": role_arn,
            "RoleSessionName": self.state.user, "DurationSeconds": str(int(seconds)),
        }).encode()
        request = urllib.request.Request(self.moto + "/", data=form, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            # moto routes by the credential scope; it checks no signature unless in IAM-auth mode.
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIASTANDINMINTER000/20200101/"
                             "us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00",
        })
        with urllib.request.urlopen(request, timeout=30) as answer:
            root = ElementTree.fromstring(answer.read())
        fields = {el.tag.split("}")[1]: el.text for el in root.iter() if "}" in el.tag}
        expiry = datetime.datetime.fromisoformat(fields["Expiration"].replace("Z", "+00:00"))
        if expiry.tzinfo is None:
            expiry = expiry.replace(tzinfo=datetime.timezone.utc)
        return {"roleCredentials": {
            "accessKeyId": fields["AccessKeyId"], "secretAccessKey": fields["SecretAccessKey"],
            "sessionToken": fields["SessionToken"], "expiration": int(expiry.timestamp() * 1000)}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Head and body go out in separate writes: without TCP_NODELAY, Nagle plus the peer's
    # delayed ACK holds every keep-alive answer ~40 ms, and the stand-in would bound discovery.
    disable_nagle_algorithm = True
    server_version = "IdentityCenterStandIn/1"
    standin: StandIn = None

    def log_message(self, *args):  # quiet: tests read /standin/log instead
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if url.path.startswith("/standin/"):
            return self.control(method, url.path, raw)
        op = ROUTES.get((method, url.path))
        if op is None:
            return self.send(404, {"message": f"No route for {method} {url.path}"}, "ResourceNotFoundException")
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = None
        si = self.standin
        with si.lock:
            traffic = si.traffic  # the one this request counts in, even across a reset
            traffic.enter()
        entry = {"op": op}
        # Logged before the answer is written (send_raw): a client that has its
        # answer, and the test that then reads the log, must find the request there.
        self.unlogged = (traffic, entry)
        try:
            if traffic.held is None or op in traffic.held:
                traffic.released.wait()
            self.answer(op, query, body, entry)
        finally:
            self.record_request()
            with si.lock:
                traffic.in_flight -= 1

    def record_request(self):
        """Appends the request being answered to its traffic's log, once."""
        pending, self.unlogged = getattr(self, "unlogged", None), None
        if pending:
            traffic, entry = pending
            with self.standin.lock:
                traffic.requests.append(entry)

    def answer(self, op, query, body, entry):
        si, token = self.standin, self.headers.get("x-amz-sso_bearer_token")
        for key, name in (("account_id", "accountId"), ("role_name", "roleName")):
            if key in query:
                entry[name] = query[key]
        if isinstance(body, dict) and "grantType" in body:
            entry["grantType"] = body["grantType"]
        try:
            if body is None:
                raise Refused(400, "SerializationException", "Request body is not JSON")
            with si.lock:
                if si.traffic.should_throttle(op):
                    if op in PORTAL_OPS:
                        raise Refused(429, "TooManyRequestsException", "Rate exceeded")
                    raise Refused(400, "SlowDownException", "Rate exceeded", "slow_down")
                result = self.operate(op, query, body, token)
            if op == "GetRoleCredentials":
                result = si.mint(result, si.state.lifetimes["roleCredentials"])
        except Refused as refusal:
            entry.update(status=refusal.status, error=refusal.name)
            if refusal.oauth_error:
                payload = {"error": refusal.oauth_error, "error_description": refusal.message}
            else:
                payload = {"message": refusal.message}
            return self.send(refusal.status, payload, refusal.name)
        except Exception as failure:  # noqa: BLE001 - a stand-in bug must show, not hang a client
            entry.update(status=500, error="InternalServerException")
            return self.send(500, {"message": f"stand-in failure: {failure!r}"}, "InternalServerException")
        if op == "Authorize":
            location, problem = result
            if problem:
                entry.update(status=400, error="invalid_request")
                return self.page(400, f"Authorization failed: {problem}")
            entry["status"] = 302
            return self.send_raw(302, b"", "text/html", {"Location": location})
        if op == "VerifyDevice":
            entry["status"] = 200 if result else 404
            text = ("Request denied" if si.state.deny_approvals else "Request approved") if result \
                else "Unknown or expired user code"
            return self.page(entry["status"], text)
        entry["status"] = 200
        self.send(200, result)

    def operate(self, op, query, body, token):
        """The operation's result (under the lock); Refused for the service's errors."""
        state = self.standin.state
        if op == "RegisterClient":
            return state.register_client(body)
        if op == "StartDeviceAuthorization":
            return state.start_device_authorization(body, self.standin.base_url)
        if op == "CreateToken":
            return state.create_token(body)
        if op == "Authorize":
            return state.authorize(query)
        if op == "VerifyDevice":
            return state.approve_device(query.get("user_code", ""))
        if op == "ListAccounts":
            return state.accounts(token, query.get("next_token"), query.get("max_result"))
        if op == "ListAccountRoles":
            return state.roles(token, query.get("account_id"), query.get("next_token"), query.get("max_result"))
        if op == "Logout":
            state.logout(token)
            return {}
        return state.role_to_assume(token, query.get("account_id"), query.get("role_name"))

    def control(self, method, path, raw):
        si = self.standin
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return self.send(400, {"message": "control body is not JSON"})
        with si.lock:
            st, tr = si.state, si.traffic
            if (method, path) == ("POST", "/standin/reset"):
                tr.released.set()  # let parked requests finish before their log is dropped
                si.state, si.traffic = State(body or si.original_seed), Traffic()
                return self.send(200, si.state.summary())
            if (method, path) == ("POST", "/standin/revoke"):
                st.revoke(refresh=body.get("refresh", True))
            elif (method, path) == ("POST", "/standin/expire"):
                st.expire(body.get("access", True), body.get("refresh", False), body.get("clients", False))
            elif (method, path) == ("POST", "/standin/lifetimes"):
                unknown = set(body) - set(st.lifetimes)
                if unknown:
                    return self.send(400, {"message": f"unknown lifetimes {sorted(unknown)}"})
                st.lifetimes.update(body)
            elif (method, path) == ("POST", "/standin/throttle"):
                tr.throttle, tr.matching = body, 0
            elif (method, path) == ("POST", "/standin/hold"):
                tr.held = body.get("operations")
                (tr.released.clear if body.get("hold", True) else tr.released.set)()
            elif (method, path) == ("POST", "/standin/deny"):
                st.deny_approvals = bool(body.get("deny", True))
            elif (method, path) == ("POST", "/standin/approve"):
                if not st.approve_device(body.get("userCode", "")):
                    return self.send(404, {"message": "no pending device code with that userCode"})
            elif (method, path) == ("POST", "/standin/token"):
                try:
                    return self.send(200, st.issue_for_test(body))
                except Refused as refusal:
                    return self.send(refusal.status, {"message": refusal.message})
            elif (method, path) == ("GET", "/standin/pending"):
                return self.send(200, st.pending_devices(si.base_url))
            elif (method, path) == ("GET", "/standin/log"):
                return self.send(200, tr.report())
            elif (method, path) == ("POST", "/standin/log/reset"):
                tr.requests, tr.max_in_flight, tr.throttled = [], tr.in_flight, 0
            elif (method, path) != ("GET", "/standin/state"):
                return self.send(404, {"message": f"no control {method} {path}"})
            return self.send(200, st.summary())

    def send(self, status, payload, error_type=None):
        headers = {"x-amzn-ErrorType": error_type} if error_type else {}
        self.send_raw(status, json.dumps(payload).encode(), "application/json", headers)

    def page(self, status, text):
        html = f"<!doctype html><html><body><h1>{text}</h1></body></html>".encode()
        self.send_raw(status, html, "text/html; charset=utf-8", {})

    def send_raw(self, status, data, content_type, headers):
        self.record_request()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # discovery opens many connections at once


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", help="seed JSON file (default: one empty directory)")
    parser.add_argument("--moto", required=True, help="moto's endpoint, for STS AssumeRole")
    parser.add_argument("--port-file", help="also write the bound port here")
    args = parser.parse_args()
    seed = {}
    if args.seed:
        with open(args.seed, encoding="utf-8") as f:
            seed = json.load(f)
    Handler.standin = StandIn(seed, args.moto)
    server = Server((args.host, args.port), Handler)
    port = server.server_address[1]
    Handler.standin.base_url = f"http://{args.host}:{port}"
    if args.port_file:
        with open(args.port_file + ".tmp", "w", encoding="utf-8") as f:
            f.write(f"{port}\n")
        __import__("os").replace(args.port_file + ".tmp", args.port_file)
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

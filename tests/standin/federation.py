#!/usr/bin/env python3
"""A stand-in for the AWS sign-in federation endpoint and the console's cookie, for tests.

It speaks the documented protocol of https://signin.aws.amazon.com/federation:

  GET /federation?Action=getSigninToken&Session=JSON[&SessionDuration=N]
      Session is {"sessionId", "sessionKey", "sessionToken"} (all three, nothing else).
      With --moto URL the keys are checked with STS GetCallerIdentity against moto, as
      AWS checks them; the answer is {"SigninToken": "..."}.
  GET /federation?Action=login[&Issuer=...]&Destination=URL&SigninToken=TOKEN
      Destination must be an https URL on a console of one of the three public
      partitions. The answer stands in for the console: a page that sets a cookie
      named after the signed-in account (persistent, so a browser profile keeps it).
      Like the console, it refuses a sign-in while the browser holds another
      account's cookie ("You must first log out").
  GET /oauth?Action=logout[&redirect_uri=URL]
      Clears those cookies, then redirects to redirect_uri when it is on this same
      server (the real one only redirects to its own hosts).

Anything else, or a malformed request, gets 400 with a JSON error: the stand-in never
hangs or crashes on input it does not expect. Every request is appended to --log as one
JSON line (action, status, what was checked, cookies the browser sent). The port goes
to --port-file once the server listens.
"""

import argparse
import http.cookies
import http.server
import json
import re
import secrets
import sys
import threading
import time
import urllib.parse

CONSOLE_HOSTS = ("console.aws.amazon.com", "console.amazonaws-us-gov.com", "console.amazonaws.cn")
SESSION_KEYS = {"sessionId", "sessionKey", "sessionToken"}
TOKEN_LIFETIME = 15 * 60
COOKIE_PREFIX = "signin-"


class BadRequest(Exception):
    """The request breaks the protocol: answered with 400 and this text."""


def console_host(host):
    host = host.lower()
    for console in CONSOLE_HOSTS:
        if host == console:
            return console
        if host.endswith("." + console):
            labels = host[: -len(console) - 1].split(".")
            if all(re.fullmatch(r"[a-z0-9-]+", label) for label in labels):
                return console
    return None


def single_params(query, allowed, required, entry):
    try:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError as error:
        raise BadRequest(f"malformed query: {error}")
    entry["params"] = [key for key, _ in pairs]
    params = {}
    for key, value in pairs:
        if key in params:
            raise BadRequest(f"{key} given twice")
        if key not in allowed:
            raise BadRequest(f"unknown parameter {key}")
        params[key] = value
    missing = [key for key in required if not params.get(key)]
    if missing:
        raise BadRequest(f"missing {', '.join(missing)}")
    return params


class State:
    def __init__(self, log_path, moto):
        self.lock = threading.Lock()
        self.tokens = {}
        self.log_path = log_path
        self.moto = moto

    def log(self, entry):
        with self.lock, open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def caller(self, session):
        """The ARN STS names for these keys (moto), or None when no moto was given.

        Each partition's STS knows its own sessions only (as each partition has its own
        federation endpoint), so the keys are tried in one region of each; moto names keys
        it did not issue as its default user."""
        if not self.moto:
            return None
        import boto3
        import botocore.exceptions

        arn = None
        for region in ("us-east-1", "us-gov-west-1", "cn-north-1"):
            sts = boto3.client(
                "sts",
                endpoint_url=self.moto,
                region_name=region,
                aws_access_key_id=session["sessionId"],
                aws_secret_access_key=session["sessionKey"],
                aws_session_token=session["sessionToken"],
            )
            try:
                arn = sts.get_caller_identity()["Arn"]
            except botocore.exceptions.ClientError as error:
                raise BadRequest(f"the session's credentials were refused: {error}")
            if not arn.endswith(":user/moto"):
                break
        return arn


def get_signin_token(state, query, entry):
    params = single_params(query, {"Action", "Session", "SessionDuration"}, ["Session"], entry)
    try:
        session = json.loads(params["Session"])
    except ValueError:
        raise BadRequest("Session is not JSON")
    if not isinstance(session, dict) or set(session) != SESSION_KEYS:
        raise BadRequest(f"Session must hold exactly {sorted(SESSION_KEYS)}")
    if not all(isinstance(v, str) and v for v in session.values()):
        raise BadRequest("Session values must be non-empty strings")
    if "SessionDuration" in params:
        duration = params["SessionDuration"]
        if not duration.isdigit() or not 900 <= int(duration) <= 43200:
            raise BadRequest("SessionDuration must be 900 to 43200")
        entry["session_duration"] = int(duration)
    arn = state.caller(session)
    account = arn.split(":")[4] if arn else "000000000000"
    token = secrets.token_urlsafe(24)
    with state.lock:
        state.tokens[token] = {"account": account, "arn": arn, "issued": time.time()}
    entry.update(session_id=session["sessionId"], session_token=session["sessionToken"], arn=arn, token=token)
    return 200, {"Content-Type": "application/json"}, json.dumps({"SigninToken": token})


def login(state, query, cookies, entry):
    params = single_params(
        query, {"Action", "Issuer", "Destination", "SigninToken"}, ["Destination", "SigninToken"], entry
    )
    destination = urllib.parse.urlsplit(params["Destination"])
    console = console_host(destination.hostname or "")
    if destination.scheme != "https" or console is None:
        raise BadRequest("Destination must be an https URL on an AWS console")
    with state.lock:
        grant = state.tokens.get(params["SigninToken"])
    if grant is None or time.time() - grant["issued"] > TOKEN_LIFETIME:
        raise BadRequest("unknown or expired SigninToken")
    account = grant["account"]
    entry.update(account=account, destination=params["Destination"], console=console, issuer=params.get("Issuer"))
    others = [name for name in cookies if name.startswith(COOKIE_PREFIX) and name != COOKIE_PREFIX + account]
    if others:
        entry["conflict"] = others
        return 400, {"Content-Type": "text/html"}, "<p>You must first log out before logging into a different AWS account.</p>"
    headers = {
        "Content-Type": "text/html",
        "Set-Cookie": f"{COOKIE_PREFIX}{account}=1; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
    }
    return 200, headers, f"<html><body><p id=signed-in>signed in to {account}</p></body></html>"


def logout(handler, query, cookies, entry):
    params = single_params(query, {"Action", "redirect_uri"}, [], entry)
    headers = {"Content-Type": "text/html"}
    cleared = [name for name in cookies if name.startswith(COOKIE_PREFIX)]
    entry["cleared"] = cleared
    if cleared:
        headers["Set-Cookie"] = [f"{name}=; Path=/; Max-Age=0" for name in cleared]
    target = params.get("redirect_uri")
    if not target:
        return 200, headers, "<p>signed out</p>"
    parsed = urllib.parse.urlsplit(target)
    own = f"{handler.server.server_address[0]}:{handler.server.server_address[1]}"
    if parsed.scheme not in ("http", "https") or parsed.netloc != own:
        raise BadRequest("redirect_uri must be on this sign-in host")
    entry["redirect_uri"] = target
    headers["Location"] = target
    return 302, headers, ""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        # What the standard library answers itself is a request it cannot parse
        # or a method it does not know: bad input, 400 like everything else here.
        super().send_error(400, message, explain)

    def answer(self, status, headers, body):
        data = body.encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            for one in value if isinstance(value, list) else [value]:
                self.send_header(name, one)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def do_GET(self):
        state = self.server.state
        entry = {"path": self.path.split("?")[0], "user_agent": self.headers.get("User-Agent", "")}
        try:
            url = urllib.parse.urlsplit(self.path)
            jar = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
            cookies = sorted(jar.keys())
            entry["cookies"] = cookies
            action = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)).get("Action")
            entry["action"] = action
            if url.path == "/federation" and action == "getSigninToken":
                status, headers, body = get_signin_token(state, url.query, entry)
            elif url.path == "/federation" and action == "login":
                status, headers, body = login(state, url.query, cookies, entry)
            elif url.path == "/oauth" and action == "logout":
                status, headers, body = logout(self, url.query, cookies, entry)
            else:
                raise BadRequest("unknown path or Action")
        except BadRequest as error:
            status, headers, body = 400, {"Content-Type": "application/json"}, json.dumps({"error": str(error)})
            entry["error"] = str(error)
        except Exception as error:  # never leave a client hanging
            status, headers, body = 500, {"Content-Type": "application/json"}, json.dumps({"error": repr(error)})
            entry["error"] = repr(error)
        entry["status"] = status
        state.log(entry)
        self.answer(status, headers, body)

    def do_POST(self):
        self.server.state.log({"path": self.path, "status": 400, "error": "POST"})
        self.answer(400, {"Content-Type": "application/json"}, json.dumps({"error": "use GET"}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--moto", help="moto's URL: check the session's keys with GetCallerIdentity")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(args.log, args.moto)
    with open(args.port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    import os

    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

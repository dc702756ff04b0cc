"""State of the IAM Identity Center stand-in: directories, OIDC clients, codes, tokens.

Pure data and rules, no HTTP: identity_center.py turns requests into calls here and
the `Refused` these raise into AWS's error shapes. Every method runs under the
caller's lock. Secrets (tokens, codes, client secrets) are random and never logged.
"""

import base64
import hashlib
import secrets
import time

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# How long things live unless a test changes it (POST /standin/lifetimes), in seconds.
DEFAULT_LIFETIMES = {
    "accessToken": 8 * 3600,  # the portal's default session length
    "refreshToken": 90 * 86400,
    "client": 90 * 86400,  # registrations last 90 days
    "deviceCode": 600,
    "authCode": 300,
    "roleCredentials": 3600,  # a permission set's default session duration
    "interval": 1,  # device-code polling interval the service asks for
}
DEFAULT_PAGE = 20  # page size when a caller sends no max_result


class Refused(Exception):
    """An answer the real service gives as an error: HTTP status, exception name, text."""

    def __init__(self, status, name, message, oauth_error=None):
        super().__init__(message)
        self.status, self.name, self.message, self.oauth_error = status, name, message, oauth_error


def oidc_error(name, oauth_error, message, status=400):
    return Refused(status, name, message, oauth_error)


def unauthorized():
    return Refused(401, "UnauthorizedException", "Session token not found or invalid")


def directories_from_seed(seed):
    """{start URL: [account]} from a seed (see identity_center.py's header for the forms)."""
    entries = seed.get("directories") or [seed]
    out = {}
    for entry in entries:
        url = entry.get("startUrl", "https://standin.awsapps.com/start")
        if "generate" in entry:
            gen = entry["generate"]
            base = int(gen.get("firstAccountId", 100000000000))
            prefix = gen.get("namePrefix", "account")
            accounts = [
                {
                    "accountId": f"{base + i:012d}",
                    "accountName": f"{prefix}-{i:04d}",
                    "emailAddress": f"{prefix}-{i:04d}@example.com",
                    "roles": list(gen.get("roles", ["Admin"])),
                }
                for i in range(int(gen.get("accounts", 1)))
            ]
        else:
            accounts = [dict(a) for a in entry.get("accounts", [])]
        out[url] = accounts
    return out


def _page(items, next_token, max_result, kind):
    """One page of `items` and the token of the next, as the portal pages."""
    try:
        size = DEFAULT_PAGE if max_result is None else int(max_result)
        start = 0 if not next_token else int(base64.b64decode(next_token).decode().split(":")[1])
        assert next_token is None or base64.b64decode(next_token).decode().startswith(kind + ":")
    except Exception:
        raise Refused(400, "InvalidRequestException", "Invalid next_token or max_result")
    if not 1 <= size <= 100:
        raise Refused(400, "InvalidRequestException", "max_result must be between 1 and 100")
    end = start + size
    token = base64.b64encode(f"{kind}:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], token


class State:
    def __init__(self, seed, now=time.time):
        self.now = now
        self.seed = seed
        self.region = seed.get("region", "us-east-1")
        self.user = seed.get("user", "alice@example.com")
        self.directories = directories_from_seed(seed)
        self.lifetimes = dict(DEFAULT_LIFETIMES)
        self.clients = {}  # clientId -> registration
        self.devices = {}  # deviceCode -> pending device authorization
        self.auth_codes = {}  # code -> pending authorization-code grant
        self.access = {}  # accessToken -> {startUrl, expiresAt, signIn, revoked}
        self.refresh = {}  # refreshToken -> {clientId, startUrl, scopes, signIn, revoked}
        self.deny_approvals = False

    # ---- OIDC -------------------------------------------------------------------------------
    def register_client(self, body):
        for key in ("clientName", "clientType"):
            if not body.get(key):
                raise oidc_error("InvalidRequestException", "invalid_request", f"{key} is required")
        if body["clientType"] != "public":
            raise oidc_error("InvalidClientMetadataException", "invalid_client_metadata", "clientType must be public")
        grants = body.get("grantTypes") or [DEVICE_GRANT, "refresh_token"]
        for grant in grants:
            if grant not in (DEVICE_GRANT, "authorization_code", "refresh_token"):
                raise oidc_error("UnsupportedGrantTypeException", "unsupported_grant_type", f"grant {grant}")
        if "authorization_code" in grants and not body.get("redirectUris"):
            raise oidc_error("InvalidRedirectUriException", "invalid_redirect_uri", "redirectUris is required")
        if body.get("issuerUrl") and body["issuerUrl"] not in self.directories:
            raise oidc_error("InvalidRequestException", "invalid_request", "Unknown issuerUrl")
        now = int(self.now())
        client_id = "standin-client-" + secrets.token_urlsafe(12)
        reg = {
            "clientId": client_id,
            "clientSecret": secrets.token_urlsafe(48),
            "clientIdIssuedAt": now,
            "clientSecretExpiresAt": now + int(self.lifetimes["client"]),
            "scopes": list(body.get("scopes") or []),
            "grantTypes": grants,
            "redirectUris": list(body.get("redirectUris") or []),
            "issuerUrl": body.get("issuerUrl"),
        }
        self.clients[client_id] = reg
        return {k: reg[k] for k in ("clientId", "clientSecret", "clientIdIssuedAt", "clientSecretExpiresAt")}

    def _client(self, client_id, client_secret, check_secret=True):
        reg = self.clients.get(client_id or "")
        if reg is None or (check_secret and reg["clientSecret"] != client_secret):
            raise oidc_error("InvalidClientException", "invalid_client", "Invalid client", 401)
        if reg["clientSecretExpiresAt"] <= self.now():
            raise oidc_error("InvalidClientException", "invalid_client", "Client registration expired", 401)
        return reg

    def start_device_authorization(self, body, base_url):
        reg = self._client(body.get("clientId"), body.get("clientSecret"))
        if body.get("startUrl") not in self.directories:
            raise oidc_error("InvalidRequestException", "invalid_request", "Unknown startUrl")
        letters = "BCDFGHJKLMNPQRSTVWXZ"
        code = "".join(secrets.choice(letters) for _ in range(8))
        user_code = f"{code[:4]}-{code[4:]}"
        device_code = secrets.token_urlsafe(32)
        self.devices[device_code] = {
            "clientId": reg["clientId"],
            "startUrl": body["startUrl"],
            "userCode": user_code,
            "expiresAt": self.now() + self.lifetimes["deviceCode"],
            "interval": int(self.lifetimes["interval"]),
            "state": "pending",
            "lastPoll": None,
        }
        return {
            "deviceCode": device_code,
            "userCode": user_code,
            "verificationUri": f"{base_url}/device",
            "verificationUriComplete": f"{base_url}/device?user_code={user_code}",
            "expiresIn": int(self.lifetimes["deviceCode"]),
            "interval": int(self.lifetimes["interval"]),
        }

    def approve_device(self, user_code):
        """The user opened the verification page: approve (or deny) that code. False if unknown."""
        for device in self.devices.values():
            if device["userCode"] == user_code and device["state"] == "pending":
                if device["expiresAt"] <= self.now():
                    return False
                device["state"] = "denied" if self.deny_approvals else "approved"
                return True
        return False

    def pending_devices(self, base_url):
        return [
            {"userCode": d["userCode"], "verificationUriComplete": f"{base_url}/device?user_code={d['userCode']}"}
            for d in self.devices.values()
            if d["state"] == "pending" and d["expiresAt"] > self.now()
        ]

    def authorize(self, query):
        """GET /authorize: (redirect URL, None) or (None, error text for a 400 page)."""
        reg = self.clients.get(query.get("client_id", ""))
        if reg is None or reg["clientSecretExpiresAt"] <= self.now():
            return None, "unknown or expired client_id"
        redirect = query.get("redirect_uri", "")
        if not any(_redirect_matches(r, redirect) for r in reg["redirectUris"]):
            return None, "redirect_uri is not registered for this client"
        if "authorization_code" not in reg["grantTypes"]:
            return None, "client is not registered for authorization_code"
        sep = "&" if "?" in redirect else "?"
        state = query.get("state")
        problem = None
        if query.get("response_type") != "code":
            problem = "response_type must be code"
        elif not state:
            problem = "state is required"
        elif query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            problem = "code_challenge with code_challenge_method=S256 is required"
        if problem:
            return f"{redirect}{sep}{_form({'error': 'invalid_request', 'error_description': problem, 'state': state or ''})}", None
        if self.deny_approvals:
            denial = {"error": "access_denied", "error_description": "The user denied access", "state": state}
            return f"{redirect}{sep}{_form(denial)}", None
        code = secrets.token_urlsafe(32)
        self.auth_codes[code] = {
            "clientId": reg["clientId"],
            "redirectUri": redirect,
            "challenge": query["code_challenge"],
            "expiresAt": self.now() + self.lifetimes["authCode"],
        }
        return f"{redirect}{sep}{_form({'code': code, 'state': state})}", None

    def create_token(self, body):
        reg = self._client(body.get("clientId"), body.get("clientSecret"))
        grant = body.get("grantType")
        if grant not in reg["grantTypes"]:
            raise oidc_error("UnauthorizedClientException", "unauthorized_client", f"Client may not use {grant}")
        if grant == DEVICE_GRANT:
            start_url = self._device_grant(reg, body.get("deviceCode"))
        elif grant == "authorization_code":
            start_url = self._code_grant(reg, body)
        elif grant == "refresh_token":
            return self._refresh_grant(reg, body.get("refreshToken"))
        else:
            raise oidc_error("UnsupportedGrantTypeException", "unsupported_grant_type", f"Unsupported {grant}")
        return self._issue(reg, start_url, secrets.token_hex(8))

    def _device_grant(self, reg, device_code):
        device = self.devices.get(device_code or "")
        if device is None or device["clientId"] != reg["clientId"]:
            raise oidc_error("InvalidGrantException", "invalid_grant", "Invalid device code provided")
        now = self.now()
        if device["expiresAt"] <= now:
            raise oidc_error("ExpiredTokenException", "expired_token", "Device code expired")
        last, device["lastPoll"] = device["lastPoll"], now
        if device["state"] == "pending" and last is not None and now - last < device["interval"]:
            raise oidc_error("SlowDownException", "slow_down", "Client is polling too quickly")
        if device["state"] == "pending":
            raise oidc_error("AuthorizationPendingException", "authorization_pending", "Authorization is still pending")
        if device["state"] == "denied":
            raise oidc_error("AccessDeniedException", "access_denied", "The user denied the request")
        del self.devices[device_code]  # a device code is good for one token
        return device["startUrl"]

    def _code_grant(self, reg, body):
        grant = self.auth_codes.pop(body.get("code") or "", None)
        if grant is None or grant["clientId"] != reg["clientId"] or grant["expiresAt"] <= self.now():
            raise oidc_error("InvalidGrantException", "invalid_grant", "Invalid authorization code")
        if body.get("redirectUri") != grant["redirectUri"]:
            raise oidc_error("InvalidGrantException", "invalid_grant", "redirectUri does not match")
        verifier = body.get("codeVerifier") or ""
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            raise oidc_error("InvalidGrantException", "invalid_grant", "code_verifier does not match code_challenge")
        return reg["issuerUrl"] or next(iter(self.directories))

    def _refresh_grant(self, reg, refresh_token):
        entry = self.refresh.get(refresh_token or "")
        if entry is None or entry["revoked"] or entry["clientId"] != reg["clientId"]:
            raise oidc_error("InvalidGrantException", "invalid_grant", "Invalid refresh token provided")
        if entry["expiresAt"] <= self.now():
            raise oidc_error("ExpiredTokenException", "expired_token", "Refresh token expired")
        entry["revoked"] = True  # rotated: the old refresh token is spent
        return self._issue(reg, entry["startUrl"], entry["signIn"])

    def _issue(self, reg, start_url, sign_in):
        lifetime = int(self.lifetimes["accessToken"])
        token = "standin-at-" + secrets.token_urlsafe(48)
        self.access[token] = {"startUrl": start_url, "expiresAt": self.now() + lifetime, "signIn": sign_in, "revoked": False}
        out = {"accessToken": token, "tokenType": "Bearer", "expiresIn": lifetime}
        if reg["scopes"]:  # only a client registered with scopes gets refresh tokens
            refresh = "standin-rt-" + secrets.token_urlsafe(48)
            self.refresh[refresh] = {
                "clientId": reg["clientId"],
                "startUrl": start_url,
                "signIn": sign_in,
                "revoked": False,
                "expiresAt": self.now() + self.lifetimes["refreshToken"],
            }
            out["refreshToken"] = refresh
        return out

    # ---- portal -----------------------------------------------------------------------------
    def session(self, token):
        entry = self.access.get(token or "")
        if entry is None or entry["revoked"] or entry["expiresAt"] <= self.now():
            raise unauthorized()
        return entry

    def accounts(self, token, next_token, max_result):
        accounts = self.directories[self.session(token)["startUrl"]]
        page, nxt = _page(accounts, next_token, max_result, "accounts")
        listed = [{k: a[k] for k in ("accountId", "accountName", "emailAddress") if k in a} for a in page]
        return _with_next({"accountList": listed}, nxt)

    def _account(self, token, account_id):
        if not account_id:
            raise Refused(400, "InvalidRequestException", "account_id is required")
        for account in self.directories[self.session(token)["startUrl"]]:
            if account["accountId"] == account_id:
                return account
        raise Refused(403, "ForbiddenException", "No access")

    def roles(self, token, account_id, next_token, max_result):
        account = self._account(token, account_id)
        page, nxt = _page(account["roles"], next_token, max_result, "roles")
        return _with_next({"roleList": [{"roleName": r, "accountId": account_id} for r in page]}, nxt)

    def role_to_assume(self, token, account_id, role_name):
        """The role ARN GetRoleCredentials mints for, after the same checks as the service."""
        if not role_name:
            raise Refused(400, "InvalidRequestException", "role_name is required")
        if role_name not in self._account(token, account_id)["roles"]:
            raise Refused(403, "ForbiddenException", "No access")
        return f"arn:aws:iam::{account_id}:role/{role_name}"

    def logout(self, token):
        sign_in = self.session(token)["signIn"]
        for table in (self.access, self.refresh):
            for entry in table.values():
                if entry["signIn"] == sign_in:
                    entry["revoked"] = True

    # ---- test controls ----------------------------------------------------------------------
    def revoke(self, refresh=True):
        for entry in self.access.values():
            entry["revoked"] = True
        if refresh:
            for entry in self.refresh.values():
                entry["revoked"] = True

    def expire(self, access=True, refresh=False, clients=False):
        now = self.now()
        for flag, table, key in ((access, self.access, "expiresAt"), (refresh, self.refresh, "expiresAt"),
                                 (clients, self.clients, "clientSecretExpiresAt")):
            if flag:
                for entry in table.values():
                    entry[key] = min(entry[key], now)

    def issue_for_test(self, body):
        """A signed-in session without a flow, for tests that plant a token (e.g. the CLI cache)."""
        start_url = body.get("startUrl") or next(iter(self.directories))
        if start_url not in self.directories:
            raise Refused(400, "InvalidRequestException", "Unknown startUrl")
        reg_body = {"clientName": "standin-test", "clientType": "public", "scopes": body.get("scopes", ["sso:account:access"])}
        reg = self.clients[self.register_client(reg_body)["clientId"]]
        token = self._issue(reg, start_url, secrets.token_hex(8))
        token.update({k: reg[k] for k in ("clientId", "clientSecret", "clientSecretExpiresAt")})
        token["startUrl"] = start_url
        return token

    def summary(self):
        now = self.now()
        return {
            "clients": len(self.clients),
            "liveAccessTokens": sum(1 for e in self.access.values() if not e["revoked"] and e["expiresAt"] > now),
            "liveRefreshTokens": sum(1 for e in self.refresh.values() if not e["revoked"] and e["expiresAt"] > now),
            "pendingDevices": sum(1 for d in self.devices.values() if d["state"] == "pending"),
            "lifetimes": self.lifetimes,
            "denyApprovals": self.deny_approvals,
            "startUrls": list(self.directories),
        }


def _with_next(result, next_token):
    """The service leaves nextToken out on the last page (it never sends null)."""
    if next_token:
        result["nextToken"] = next_token
    return result


def _redirect_matches(registered, given):
    """Exact match, or a loopback redirect that differs only in port (RFC 8252 7.3)."""
    if registered == given:
        return True
    from urllib.parse import urlsplit

    r, g = urlsplit(registered), urlsplit(given)
    loopback = ("127.0.0.1", "localhost", "::1")
    return (r.hostname in loopback and g.hostname == r.hostname and r.scheme == g.scheme == "http"
            and r.path == g.path)


def _form(params):
    from urllib.parse import urlencode

    return urlencode(params)

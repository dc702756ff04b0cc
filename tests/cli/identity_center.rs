//! Harness glue for the IAM Identity Center stand-in (`tests/standin/identity_center.py`,
//! whose header documents the wire API, the seed forms and every test control).
//!
//! `IdentityCenter::start(&moto, &seed)` runs the stand-in as its own process on a free
//! loopback port, minting role credentials through that moto; it is killed on drop.
//! `attach` points a [`Sandbox`] at it (`AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL_SSO_OIDC`,
//! and `BROWSER` = the browser script, which approves what it is shown). The other methods
//! drive the controls: request log, revoke, expire, lifetimes, throttling, hold, deny.
//! A missing python3 or test venv fails the test with the command that installs it.

use crate::harness::{Moto, Sandbox};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(60);
const INSTALL: &str = "run `bash tests/run.sh`, which installs the test dependencies";

/// The start URL the helpers' seeds use.
pub const START_URL: &str = "https://corp.awsapps.com/start";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The test venv's Python (it has boto3, botocore and the AWS CLI v1).
pub fn venv_python() -> PathBuf {
    let python = repo().join(".venv-test/bin/python");
    assert!(
        python.is_file(),
        "the test venv's python is missing at {}: {INSTALL} (or: python3 -m venv .venv-test && \
         .venv-test/bin/pip install 'moto[server]' awscli)",
        python.display()
    );
    python
}

/// `$BROWSER` for tests: fetches the URL it is given as a browser does (follows redirects).
pub fn browser_script() -> PathBuf {
    crate::harness::require("python3", "python3");
    repo().join("tests/standin/browser.sh")
}

/// A seed with one directory at [`START_URL`]: `(account id, name, roles)`.
pub fn seed(accounts: &[(&str, &str, &[&str])]) -> Value {
    let accounts: Vec<Value> = accounts
        .iter()
        .map(|(id, name, roles)| {
            json!({"accountId": id, "accountName": name,
                   "emailAddress": format!("{name}@example.com"), "roles": roles})
        })
        .collect();
    json!({"region": "us-east-1", "startUrl": START_URL, "accounts": accounts})
}

/// A generated inventory: `accounts` accounts (ids from 100000000000), each with `roles`.
pub fn generated_seed(accounts: usize, roles: &[&str]) -> Value {
    json!({"region": "us-east-1", "startUrl": START_URL,
           "generate": {"accounts": accounts, "roles": roles}})
}

/// The stand-in server, killed on drop.
pub struct IdentityCenter {
    child: Child,
    pub port: u16,
    /// Holds the stand-in's working files until the server is dropped.
    _dir: tempfile::TempDir,
}

/// What `GET /standin/log` reports.
#[derive(Debug, Clone)]
pub struct RequestLog {
    pub counts: HashMap<String, u64>,
    pub max_in_flight: u64,
    pub in_flight: u64,
    pub throttled: u64,
    /// `{op, status, error?, accountId?, roleName?, grantType?}` in arrival order of answers.
    pub requests: Vec<Value>,
}

impl RequestLog {
    /// How many requests of operation `op` were answered (any status).
    pub fn count(&self, op: &str) -> u64 {
        self.counts.get(op).copied().unwrap_or(0)
    }

    /// How many `op` requests were answered with the error `error` (e.g. `UnauthorizedException`).
    pub fn errors(&self, op: &str, error: &str) -> usize {
        self.requests
            .iter()
            .filter(|r| r["op"] == op && r["error"] == error)
            .count()
    }

    /// The `grantType`s of the CreateToken requests, in order.
    pub fn grant_types(&self) -> Vec<String> {
        self.requests
            .iter()
            .filter(|r| r["op"] == "CreateToken")
            .map(|r| r["grantType"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

impl IdentityCenter {
    /// Starts the stand-in with `seed`, minting credentials through `moto`.
    pub fn start(moto: &Moto, seed: &Value) -> Self {
        let python = venv_python();
        let dir = tempfile::tempdir().unwrap();
        let seed_file = dir.path().join("seed.json");
        std::fs::write(&seed_file, seed.to_string()).unwrap();
        let port_file = dir.path().join("port");
        let mut child = Command::new(python)
            .arg(repo().join("tests/standin/identity_center.py"))
            .args(["--port", "0", "--moto", &moto.endpoint()])
            .arg("--seed")
            .arg(&seed_file)
            .arg("--port-file")
            .arg(&port_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
            .spawn()
            .expect("start the Identity Center stand-in");
        let stderr = dir.path().join("stderr");
        let port =
            crate::harness::port_from_file(&mut child, &port_file, &stderr, "Identity Center stand-in");
        Self {
            child,
            port,
            _dir: dir,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The variables that send SDK clients (hats, botocore) to the stand-in, and `BROWSER`.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ENDPOINT_URL_SSO".into(), self.endpoint()),
            ("AWS_ENDPOINT_URL_SSO_OIDC".into(), self.endpoint()),
            ("BROWSER".into(), browser_script().display().to_string()),
        ]
    }

    /// Points `sandbox`'s runs at the stand-in (see [`Self::env`]).
    pub fn attach(&self, sandbox: &mut Sandbox) {
        for (key, value) in self.env() {
            sandbox.set_env(&key, &value);
        }
    }

    /// One HTTP exchange with the stand-in: (status, JSON body or `Null`).
    pub fn call(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, text) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, serde_json::from_str(text).unwrap_or(Value::Null))
    }

    /// A test control under `/standin/`; asserts it answered 200.
    pub fn control(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(method, &format!("/standin/{path}"), &body);
        assert_eq!(status, 200, "stand-in control {method} /standin/{path}: {answer}");
        answer
    }

    pub fn log(&self) -> RequestLog {
        let v = self.control("GET", "log", Value::Null);
        let number = |key: &str| v[key].as_u64().unwrap_or(0);
        RequestLog {
            counts: serde_json::from_value(v["counts"].clone()).unwrap_or_default(),
            max_in_flight: number("maxInFlight"),
            in_flight: number("inFlight"),
            throttled: number("throttled"),
            requests: v["requests"].as_array().cloned().unwrap_or_default(),
        }
    }

    pub fn reset_log(&self) {
        self.control("POST", "log/reset", Value::Null);
    }

    /// Forgets every client, code and token and re-seeds (with `seed`, or the original).
    pub fn reset(&self, seed: Option<&Value>) {
        self.control("POST", "reset", seed.cloned().unwrap_or(Value::Null));
    }

    /// Revokes every access and refresh token: the next portal call answers 401.
    pub fn revoke_all(&self) {
        self.control("POST", "revoke", json!({"refresh": true}));
    }

    /// Revokes every access token but keeps refresh tokens usable.
    pub fn revoke_access_tokens(&self) {
        self.control("POST", "revoke", json!({"refresh": false}));
    }

    /// Makes every access token issued so far expired.
    pub fn expire_access_tokens(&self) {
        self.control("POST", "expire", json!({"access": true}));
    }

    /// Lifetimes in seconds for what is issued next, e.g. `json!({"accessToken": 5})`.
    pub fn set_lifetimes(&self, lifetimes: Value) {
        self.control("POST", "lifetimes", lifetimes);
    }

    /// Answers every `every`th portal request with 429 TooManyRequestsException.
    pub fn throttle_every(&self, every: u32) {
        self.control("POST", "throttle", json!({"every": every}));
    }

    pub fn no_throttle(&self) {
        self.control("POST", "throttle", json!({}));
    }

    /// Parks (`true`) or releases (`false`) every AWS request before it is answered.
    pub fn hold(&self, hold: bool) {
        self.control("POST", "hold", json!({"hold": hold}));
    }

    /// Parks only the requests of `operations` (e.g. `ListAccounts`) until [`Self::hold`]`(false)`.
    pub fn hold_only(&self, operations: &[&str]) {
        self.control("POST", "hold", json!({"hold": true, "operations": operations}));
    }

    /// Waits until `n` AWS requests are parked by [`Self::hold`].
    pub fn wait_in_flight(&self, n: u64) {
        let started = Instant::now();
        while self.log().in_flight < n {
            assert!(
                started.elapsed() < START_TIMEOUT,
                "only {} requests in flight, expected {n}",
                self.log().in_flight
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Makes the verification page and `/authorize` deny (AccessDeniedException / access_denied).
    pub fn deny_approvals(&self, deny: bool) {
        self.control("POST", "deny", json!({"deny": deny}));
    }

    /// Approves a pending device code as the verification page does.
    pub fn approve(&self, user_code: &str) {
        self.control("POST", "approve", json!({"userCode": user_code}));
    }

    /// Device codes awaiting approval: `[{userCode, verificationUriComplete}]`.
    pub fn pending(&self) -> Vec<Value> {
        self.control("GET", "pending", Value::Null)
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// A signed-in token without a flow: `{accessToken, refreshToken, expiresIn, clientId,
    /// clientSecret, clientSecretExpiresAt, startUrl}`.
    pub fn issue_token(&self, start_url: &str) -> Value {
        self.control("POST", "token", json!({"startUrl": start_url}))
    }

    /// Runs a Python script with the venv (boto3, botocore) in `env` plus the stand-in's
    /// variables; `sys.argv[1]` is the stand-in's endpoint. Returns the run, finished.
    pub fn python(&self, script: &str, env: &[(&str, &str)]) -> Output {
        Command::new(venv_python())
            .args(["-c", script, &self.endpoint()])
            .envs(self.env())
            .envs(env.iter().copied())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .output()
            .expect("run python")
    }
}

impl Drop for IdentityCenter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The AWS CLI's cache file name for an sso-session (or, for legacy profiles, a start URL).
pub fn cli_cache_name(key: &str) -> String {
    let out = Command::new(venv_python())
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())",
            key,
        ])
        .output()
        .expect("run python");
    format!("{}.json", String::from_utf8(out.stdout).unwrap().trim())
}

/// Writes `token` (as [`IdentityCenter::issue_token`] returns it) into `home`'s AWS CLI
/// cache for sso-session `session`, in the CLI's exact format; `expires_at` is RFC 3339 UTC.
pub fn write_cli_cache(home: &std::path::Path, session: &str, token: &Value, expires_at: &str) -> PathBuf {
    let registration = token["clientSecretExpiresAt"].as_i64().unwrap_or(0);
    let cache = json!({
        "startUrl": token["startUrl"],
        "region": "us-east-1",
        "accessToken": token["accessToken"],
        "expiresAt": expires_at,
        "clientId": token["clientId"],
        "clientSecret": token["clientSecret"],
        "registrationExpiresAt": rfc3339(registration),
        "refreshToken": token["refreshToken"],
    });
    let dir = home.join(".aws/sso/cache");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(cli_cache_name(session));
    std::fs::write(&path, serde_json::to_string_pretty(&cache).unwrap()).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    path
}

/// Epoch seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(epoch: i64) -> String {
    let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Seconds since the Unix epoch now: the real wall clock, which the AWS CLI and the
/// stand-in (other processes) compare cache expiries with, so hats' `Clock` cannot stand in.
#[allow(clippy::disallowed_methods)]
pub fn now_epoch() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

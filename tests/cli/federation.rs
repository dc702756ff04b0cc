//! Harness glue for the sign-in federation stand-in (`tests/standin/federation.py`):
//! a server process of its own that checks the session's keys against moto, answers
//! 400 to anything off the documented protocol, and logs every request.

use crate::harness::{Moto, Sandbox};
use crate::identity_center::venv_python;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The stand-in, killed on drop.
pub struct Federation {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

pub fn standin(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/standin")
        .join(name)
}

impl Federation {
    /// Starts the stand-in; it checks sessions with GetCallerIdentity on `moto`.
    pub fn start(moto: &Moto) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port_file = dir.path().join("port");
        let mut child = Command::new(venv_python())
            .arg(standin("federation.py"))
            .arg("--port-file")
            .arg(&port_file)
            .arg("--log")
            .arg(dir.path().join("log.jsonl"))
            .args(["--moto", &moto.endpoint()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
            .spawn()
            .expect("start the federation stand-in");
        let stderr = dir.path().join("stderr");
        let port = crate::harness::port_from_file(&mut child, &port_file, &stderr, "federation stand-in");
        Self { child, port, dir }
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The federation endpoint, as `HATS_FEDERATION_ENDPOINT` names it.
    pub fn endpoint(&self) -> String {
        format!("{}/federation", self.origin())
    }

    /// Points `sandbox`'s hats at the stand-in.
    pub fn attach(&self, sandbox: &mut Sandbox) {
        sandbox.set_env("HATS_FEDERATION_ENDPOINT", &self.endpoint());
    }

    /// Every request so far, oldest first.
    pub fn log(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("log.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The requests for `action` (`getSigninToken`, `login`, `logout`).
    pub fn requests(&self, action: &str) -> Vec<Value> {
        self.log().into_iter().filter(|r| r["action"] == action).collect()
    }

    /// The last session a sign-in token was issued for: `session_id`,
    /// `session_token` and the `arn` moto named for its keys.
    pub fn last_session(&self) -> Option<Value> {
        self.requests("getSigninToken")
            .into_iter()
            .rev()
            .find(|r| r["status"] == 200)
    }

    /// One GET of `path_and_query`: (status, body).
    pub fn get(&self, path_and_query: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            stream,
            "GET {path_and_query} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {answer:?}"));
        let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
        (status, body)
    }
}

impl Drop for Federation {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The query parameters of `url`, decoded, in order.
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (crate::harness::url_decode(k), crate::harness::url_decode(v))
        })
        .collect()
}

/// The value of `name` in `url`'s query.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    query_pairs(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

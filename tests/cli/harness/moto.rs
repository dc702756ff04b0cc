//! A moto server per test, and what it recorded: the STS calls and
//! Organizations operations that reached it.

use super::*;

/// The port a starting server reports on stderr (` * Running on http://HOST:PORT`);
/// the rest of its stderr is drained so it never blocks on a full pipe.
fn listening_port(child: &mut Child, name: &str) -> u16 {
    let stderr = child.stderr.take().expect("stderr piped");
    let (send, ports) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut send = Some(send);
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            let port = line
                .split_once(" * Running on http://")
                .and_then(|(_, rest)| rest.rsplit_once(':'))
                .and_then(|(_, port)| port.trim().parse::<u16>().ok());
            if let Some(port) = port
                && let Some(to) = send.take()
            {
                let _ = to.send(port);
            }
        }
    });
    match ports.recv_timeout(START_TIMEOUT) {
        Ok(port) => port,
        Err(_) => match child.try_wait().unwrap() {
            Some(status) => panic!("{name} exited early with {status}"),
            None => panic!("{name} did not listen within {START_TIMEOUT:?}"),
        },
    }
}

/// A moto server on its own port, killed on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
    /// Holds the request recording: moto writes it to a file, one per server.
    _recording_dir: tempfile::TempDir,
}

/// One STS request moto recorded.
#[derive(Debug, Clone)]
pub struct StsCall {
    pub params: HashMap<String, String>,
    pub authorization: String,
}

impl StsCall {
    pub fn action(&self) -> &str {
        self.params.get("Action").map_or("", String::as_str)
    }
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
    /// The access key id and region of the SigV4 signature (`Credential=KEY/DATE/REGION/...`).
    pub fn signed_by(&self) -> (&str, &str) {
        let scope = self
            .authorization
            .split("Credential=")
            .nth(1)
            .unwrap_or_else(|| panic!("no credential scope in {:?}", self.authorization));
        let mut parts = scope.split('/');
        let key = parts.next().unwrap_or_default();
        (key, parts.nth(1).unwrap_or_default())
    }
}

impl Moto {
    pub fn start() -> Self {
        Self::start_with_env(&[])
    }

    pub fn start_with_env(env: &[(&str, &str)]) -> Self {
        let server = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/moto_server");
        assert!(
            server.is_file(),
            "moto_server not found at {}: {INSTALL} (or: python3 -m venv .venv-test && .venv-test/bin/pip install 'moto[server]')",
            server.display()
        );
        let recording_dir = tempfile::tempdir().unwrap();
        // Port 0: the kernel picks a free port and moto says which. Choosing one
        // here and passing it races other tests' servers for the same number.
        let mut child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("MOTO_RECORDER_FILEPATH", recording_dir.path().join("recording"))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moto_server");
        let port = listening_port(&mut child, "moto_server");
        let moto = Self {
            child,
            port,
            _recording_dir: recording_dir,
        };
        moto.http("POST", "/moto-api/recorder/reset-recording", "");
        moto.http("POST", "/moto-api/recorder/start-recording", "");
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A minimal HTTP/1.1 exchange with moto's own API.
    pub fn http(&self, method: &str, path: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        assert!(
            head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
            "{method} {path}: {head}"
        );
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(body)
        } else {
            body.to_owned()
        }
    }

    /// Every request recorded since the last call, and clears the record.
    fn take_records(&self) -> Vec<serde_json::Value> {
        let text = self.http("GET", "/moto-api/recorder/download-recording", "");
        self.http("POST", "/moto-api/recorder/reset-recording", "");
        self.http("POST", "/moto-api/recorder/start-recording", "");
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// Organizations operations (from `X-Amz-Target`) since the last call, and clears the record.
    pub fn take_org_calls(&self) -> Vec<String> {
        self.take_records()
            .iter()
            .filter_map(|r| r["headers"]["X-Amz-Target"].as_str())
            .filter_map(|t| t.strip_prefix("AWSOrganizationsV20161128."))
            .map(str::to_owned)
            .collect()
    }

    /// Runs a Python script with boto3 against this server; `sys.argv[1]` is the endpoint.
    pub fn python(&self, script: &str) -> String {
        let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/python");
        let out = Command::new(python)
            .args(["-c", script, &self.endpoint()])
            .output()
            .expect("run python");
        assert!(
            out.status.success(),
            "seeding failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// STS requests since the last call, and clears the record.
    pub fn take_sts_calls(&self) -> Vec<StsCall> {
        self.take_records()
            .into_iter()
            .filter_map(|record| {
                let raw = record["body"].as_str().unwrap_or_default();
                let body = if record["body_encoded"].as_bool() == Some(true) {
                    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(raw).unwrap()).unwrap()
                } else {
                    raw.to_owned()
                };
                let params: HashMap<String, String> = body
                    .split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .map(|(k, v)| (url_decode(k), url_decode(v)))
                    .collect();
                params.contains_key("Action").then(|| StsCall {
                    params,
                    authorization: record["headers"]["Authorization"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                })
            })
            .collect()
    }

    /// The one `action` request among the STS requests since the last call
    /// (failing the test if there is none or more than one), and clears the record.
    pub fn take_one(&self, action: &str) -> StsCall {
        let calls = self.take_sts_calls();
        let mut matching = calls.iter().filter(|c| c.action() == action);
        match (matching.next(), matching.next()) {
            (Some(call), None) => call.clone(),
            _ => panic!("not one {action} among {calls:?}"),
        }
    }

    /// The actions of the STS requests since the last call.
    pub fn take_actions(&self) -> Vec<String> {
        self.take_sts_calls()
            .iter()
            .map(|c| c.action().to_owned())
            .collect()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

pub fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

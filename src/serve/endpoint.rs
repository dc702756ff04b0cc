//! A loopback HTTP endpoint in the AWS container-credentials format
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), guarded by a random bearer token.
//!
//! Listens on 127.0.0.1 unless `hats serve --listen` names another address.
//! Never logs the token or the credentials.

use std::fmt::Write as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The largest request head accepted; SDK requests are a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may take to send its request head, and to take its
/// answer. An SDK sends its head at once; this only ends idle connections.
pub const HEAD_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// A bound endpoint and its secret token.
pub struct Endpoint {
    listener: TcpListener,
    token: String,
}

/// What a request gets.
pub enum Answer {
    /// 200 with this JSON document.
    Credentials(String),
    /// 503 with this message (the SDK shows it).
    Unavailable(String),
}

impl Endpoint {
    /// The address served when none is named: loopback, a free port.
    pub const LOOPBACK: std::net::SocketAddr =
        std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

    /// Binds `address` (port 0: a free one) and draws a 256-bit token.
    pub async fn bind(address: std::net::SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
        let token = bytes.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        Ok(Self { listener, token })
    }

    /// The URL for `AWS_CONTAINER_CREDENTIALS_FULL_URI`. An endpoint bound to
    /// every address (`0.0.0.0`, `::`) is named by its loopback address, the one
    /// the SDKs accept over plain HTTP.
    pub fn url(&self) -> std::io::Result<String> {
        let mut address = self.local_addr()?;
        if address.ip().is_unspecified() {
            address.set_ip(match address.ip() {
                std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        Ok(format!("http://{address}/credentials"))
    }

    /// The address and port listened on.
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The value for `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Waits for the next connection.
    pub async fn accept(&self) -> std::io::Result<TcpStream> {
        Ok(self.listener.accept().await?.0)
    }

    /// Reads the head of one request from `stream`, giving up (`None`) when the
    /// peer closes, sends more than [`MAX_HEAD`], or takes longer than
    /// [`HEAD_DEADLINE`]: an idle connection must not hold a slot for long.
    pub async fn read_request(&self, stream: &mut TcpStream) -> Option<Request> {
        let head = tokio::time::timeout(HEAD_DEADLINE, read_head(stream))
            .await
            .ok()?
            .ok()??;
        let authorization = head.lines().skip(1).find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("authorization")
                .then(|| value.trim().to_owned())
        });
        Some(Request { authorization })
    }

    /// Answers `request` on `stream`; `answer` is awaited only for an authorized request.
    pub async fn respond(
        &self,
        mut stream: TcpStream,
        request: &Request,
        answer: impl std::future::Future<Output = Answer>,
    ) -> std::io::Result<()> {
        let response = match &request.authorization {
            None => respond(
                401,
                r#"{"code":"Unauthorized","message":"missing Authorization token"}"#,
            ),
            Some(given) if !constant_time_eq(given.as_bytes(), self.token.as_bytes()) => respond(
                403,
                r#"{"code":"Forbidden","message":"wrong Authorization token"}"#,
            ),
            Some(_) => match answer.await {
                Answer::Credentials(json) => respond(200, &json),
                Answer::Unavailable(message) => respond(
                    503,
                    &serde_json::json!({ "code": "CredentialsUnavailable", "message": message }).to_string(),
                ),
            },
        };
        // A peer that does not read its answer does not hold the connection either.
        tokio::time::timeout(HEAD_DEADLINE, async {
            stream.write_all(response.as_bytes()).await?;
            stream.shutdown().await
        })
        .await
        .map_err(|_| std::io::ErrorKind::TimedOut)?
    }
}

/// What hats needs of a request's head. The credentials path is the only one
/// served, so the request line is not looked at.
pub struct Request {
    authorization: Option<String>,
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > MAX_HEAD {
            return Ok(None);
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(Some(String::from_utf8_lossy(&head).into_owned()))
}

fn respond(status: u16, body: &str) -> String {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        _ => "Service Unavailable",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Compares without leaking, through timing, how much of the token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

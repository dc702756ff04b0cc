//! Endpoints on real sockets in front of moto: one that throttles Organizations
//! like AWS under load, one that injects faults (errors, garbage, cut-off bodies,
//! silence, a hold the test releases) into chosen requests and counts what reached it.

use super::*;

/// A proxy in front of moto that answers the first `throttle` Organizations
/// requests with `TooManyRequestsException` (or, from [`ThrottlingProxy::sts`],
/// the first STS `AssumeRole` requests with `Throttling`), as AWS does under load.
pub struct ThrottlingProxy {
    pub port: u16,
    pub throttled: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// Which requests a [`ThrottlingProxy`] throttles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Throttled {
    Organizations,
    AssumeRole,
}

impl ThrottlingProxy {
    pub fn start(upstream: u16, throttle: usize) -> Self {
        Self::start_for(upstream, throttle, Throttled::Organizations)
    }

    /// Throttles the first `throttle` STS `AssumeRole` requests.
    pub fn sts(upstream: u16, throttle: usize) -> Self {
        Self::start_for(upstream, throttle, Throttled::AssumeRole)
    }

    fn start_for(upstream: u16, throttle: usize, kind: Throttled) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let throttled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = throttled.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let count = count.clone();
                std::thread::spawn(move || {
                    let _ = relay(client, upstream, &count, throttle, kind);
                });
            }
        });
        Self { port, throttled }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// One request per connection: throttle it or forward it with `Connection: close`.
/// Reads one HTTP message (head and a Content-Length body) from `stream`.
pub fn read_message(stream: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Ok(None);
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    Ok(Some((head, body)))
}

fn relay(
    mut client: TcpStream,
    upstream: u16,
    count: &std::sync::atomic::AtomicUsize,
    throttle: usize,
    kind: Throttled,
) -> std::io::Result<()> {
    let Some((head, body)) = read_message(&mut client)? else {
        return Ok(());
    };
    let throttles = match kind {
        Throttled::Organizations => head.contains("AWSOrganizationsV20161128."),
        Throttled::AssumeRole => String::from_utf8_lossy(&body).contains("Action=AssumeRole&"),
    };
    if throttles && count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < throttle {
        let (content_type, error_type, payload) = match kind {
            Throttled::Organizations => (
                "application/x-amz-json-1.1",
                "TooManyRequestsException",
                r#"{"__type":"TooManyRequestsException","Message":"Rate exceeded"}"#,
            ),
            Throttled::AssumeRole => (
                "text/xml",
                "Throttling",
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
                 <Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>c0ffee</RequestId></ErrorResponse>",
            ),
        };
        write!(
            client,
            "HTTP/1.1 400 Bad Request\r\nContent-Type: {content_type}\r\nx-amzn-ErrorType: {error_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
            payload.len()
        )?;
        return Ok(());
    }
    if throttles {
        count.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
    forward(client, upstream, &head, &body)
}

/// What [`FaultyEndpoint`] does with a request it intercepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward to moto, as if nothing were wrong.
    Pass,
    /// HTTP 500 with AWS's `InternalFailure` XML.
    ServerError,
    /// HTTP 200 whose body is not XML at all.
    GarbageXml,
    /// HTTP 200 that promises more bytes than it sends, then closes the connection.
    Truncated,
    /// A complete HTTP 200 whose XML stops after the secret key (the SDK reads it leniently).
    CutXml,
    /// HTTP 502 with an HTML page, as a proxy sends.
    HtmlErrorPage,
    /// HTTP 200 with an empty body.
    EmptyOk,
    /// Reads the request and never answers (until the endpoint is dropped).
    Hang,
    /// Holds the request until the test sets another fault, then forwards it:
    /// an STS as slow as the test needs, with no timing in the test.
    Hold,
    /// HTTP 403 with STS's `AccessDenied`, as AWS answers a wrong MFA code.
    AccessDenied,
}

/// Text a malformed answer carries where a secret would be; must never reach output.
pub const LEAKED_SECRET: &str = "HalfASecretKeyThatMustNotBePrinted";

/// One request that reached a [`FaultyEndpoint`].
#[derive(Debug, Clone)]
pub struct Intercepted {
    /// Form fields of an STS request, or `Target` of a JSON one.
    pub params: HashMap<String, String>,
    /// Whether the fault (not moto) answered it.
    pub faulted: bool,
}

impl Intercepted {
    /// `Action` of an STS request, or the operation of an Organizations one.
    pub fn action(&self) -> &str {
        self.params.get("Action").map_or("", String::as_str)
    }
}

/// An HTTP endpoint on a real socket in front of moto that injects `Fault`s into
/// the requests whose head or body contains `matching` and forwards the others.
/// Counts every request that reached it, so tests can check what was retried.
pub struct FaultyEndpoint {
    pub port: u16,
    fault: std::sync::Arc<std::sync::Mutex<Fault>>,
    seen: std::sync::Arc<std::sync::Mutex<Vec<Intercepted>>>,
    /// Connections a `Hang` holds open; closed when the endpoint is dropped.
    held: std::sync::Arc<std::sync::Mutex<Vec<TcpStream>>>,
}

impl FaultyEndpoint {
    pub fn start(upstream: u16, matching: &'static str, fault: Fault) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let endpoint = Self {
            port,
            fault: std::sync::Arc::new(std::sync::Mutex::new(fault)),
            seen: std::sync::Arc::default(),
            held: std::sync::Arc::default(),
        };
        let (fault, seen, held) = (
            endpoint.fault.clone(),
            endpoint.seen.clone(),
            endpoint.held.clone(),
        );
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (fault, seen, held) = (fault.clone(), seen.clone(), held.clone());
                std::thread::spawn(move || {
                    let _ = serve_one(client, upstream, matching, &fault, &seen, &held);
                });
            }
        });
        endpoint
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Changes what happens to the next matching requests.
    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }

    /// Every request since the last call, and clears the record.
    pub fn take(&self) -> Vec<Intercepted> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }

    /// Waits until `n` requests have arrived (without clearing them).
    pub fn wait_for_requests(&self, n: usize) {
        let started = Instant::now();
        while self.seen.lock().unwrap().len() < n {
            assert!(
                started.elapsed() < START_TIMEOUT,
                "only {} requests reached the endpoint",
                self.seen.lock().unwrap().len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve_one(
    mut client: TcpStream,
    upstream: u16,
    matching: &str,
    fault: &std::sync::Mutex<Fault>,
    seen: &std::sync::Mutex<Vec<Intercepted>>,
    held: &std::sync::Mutex<Vec<TcpStream>>,
) -> std::io::Result<()> {
    let Some((head, body)) = read_message(&mut client)? else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&body).into_owned();
    let mut params: HashMap<String, String> = text
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (url_decode(k), url_decode(v)))
        .collect();
    if let Some(target) = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("x-amz-target:")
                .then(|| l[13..].trim())
        })
        .and_then(|t| t.rsplit('.').next())
    {
        params.insert("Action".into(), target.to_owned());
    }
    let chosen = if head.contains(matching) || text.contains(matching) {
        *fault.lock().unwrap()
    } else {
        Fault::Pass
    };
    seen.lock().unwrap().push(Intercepted {
        params,
        faulted: chosen != Fault::Pass,
    });
    let respond = |client: &mut TcpStream, status: &str, content_type: &str, body: &str| {
        write!(
            client,
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let cut = format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
         <Credentials><AccessKeyId>ASIAFAULTYFAULTY</AccessKeyId><SecretAccessKey>{LEAKED_SECRET}"
    );
    match chosen {
        Fault::Pass => return forward(client, upstream, &head, &body),
        Fault::ServerError => respond(
            &mut client,
            "500 Internal Server Error",
            "text/xml",
            "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>\
             <Message>We encountered an internal error. Please try again.</Message></Error></ErrorResponse>",
        )?,
        Fault::GarbageXml => respond(&mut client, "200 OK", "text/xml", "<<<%%% not xml at all &&&")?,
        Fault::Truncated => {
            write!(
                client,
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 4000\r\n\r\n{cut}"
            )?;
            client.shutdown(std::net::Shutdown::Both)?;
        }
        Fault::CutXml => respond(&mut client, "200 OK", "text/xml", &cut)?,
        Fault::HtmlErrorPage => respond(
            &mut client,
            "502 Bad Gateway",
            "text/html",
            "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1></body>\n</html>\n",
        )?,
        Fault::EmptyOk => respond(&mut client, "200 OK", "text/xml", "")?,
        Fault::Hang => held.lock().unwrap().push(client),
        Fault::Hold => {
            while *fault.lock().unwrap() == Fault::Hold {
                std::thread::sleep(Duration::from_millis(10));
            }
            return forward(client, upstream, &head, &body);
        }
        Fault::AccessDenied => respond(
            &mut client,
            "403 Forbidden",
            "text/xml",
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time \
             pass code.</Message></Error><RequestId>c0ffee</RequestId></ErrorResponse>",
        )?,
    }
    Ok(())
}

/// Forwards one request to moto with `Connection: close` and relays its answer.
pub fn forward(mut client: TcpStream, upstream: u16, head: &str, body: &[u8]) -> std::io::Result<()> {
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream))?;
    let mut forwarded: String = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    forwarded.push_str("Connection: close\r\n\r\n");
    upstream.write_all(forwarded.as_bytes())?;
    upstream.write_all(body)?;
    // Read exactly one response: the server may keep the connection open.
    let Some((response_head, response_body)) = read_message(&mut upstream)? else {
        return Ok(());
    };
    client.write_all(response_head.as_bytes())?;
    client.write_all(&response_body)
}

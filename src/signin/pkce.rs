//! The authorization-code flow with PKCE (RFC 7636) and a loopback redirect
//! (RFC 8252): hats listens on `http://127.0.0.1:PORT/oauth/callback`, opens
//! the service's `/authorize` page, and exchanges the code it is sent back.
//!
//! Every connection to the loopback port is served on its own, with a short
//! deadline for its request: a browser opens spare connections it may never
//! use, and one of them must not hold up the one that brings the code. The
//! browser's page says "signed in" only once the code has been exchanged.

use super::{Granted, Report, SignInError, Step, open_browser, refused};
use crate::aws::percent_encode as encode;
use crate::aws::{Grant, Oidc, Registration};
use crate::config::SsoSession;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long the browser has to come back (the service's codes last minutes).
const WAIT: Duration = Duration::from_secs(600);
/// How long a connection may take to send its request line.
const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// Connections served at once; more are closed at once.
const CAP: usize = 32;
/// The most of a request that is read (the request line is all that is used).
const HEAD_MAX: usize = 8192;
const CALLBACK: &str = "/oauth/callback";

/// The loopback listener and the redirect URI it answers.
pub(super) struct Loopback {
    listener: TcpListener,
    /// `http://127.0.0.1:PORT/oauth/callback`.
    pub redirect_uri: String,
}

impl Loopback {
    /// Listens on a free loopback port.
    pub(super) async fn bind() -> Result<Self, SignInError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| SignInError::Loopback(format!("cannot listen on 127.0.0.1 ({e})")))?;
        let port = listener
            .local_addr()
            .map_err(|e| SignInError::Loopback(e.to_string()))?
            .port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK}"),
        })
    }
}

/// Runs the flow with `registration` (registered for `loopback`'s redirect URI).
pub(super) async fn run(
    oidc: &Oidc,
    session: &SsoSession,
    report: &mut dyn Report,
    loopback: Loopback,
    registration: Registration,
) -> Result<Granted, SignInError> {
    let redirect_uri = &loopback.redirect_uri;
    let verifier: SecretString = random_text(48)?.into();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose_secret().as_bytes()));
    let state = random_text(24)?;
    let mut url = format!(
        "{}/authorize?response_type=code&client_id={}&redirect_uri={}&state={state}&code_challenge={challenge}&code_challenge_method=S256",
        oidc.endpoint().trim_end_matches('/'),
        encode(&registration.client_id),
        encode(redirect_uri),
    );
    if !session.scopes.is_empty() {
        url.push_str(&format!("&scopes={}", encode(&session.scopes.join(","))));
    }
    if !open_browser(&url) {
        return Err(SignInError::NoBrowser);
    }
    report.step(session, Step::Browser { url });
    let (code, mut browser) = tokio::time::timeout(WAIT, callback(&loopback.listener, &state))
        .await
        .map_err(|_| SignInError::Expired(session.key().to_owned()))?
        .map_err(|e| denied(session, e))?;
    let exchanged = oidc
        .create_token(
            &registration,
            Grant::AuthorizationCode {
                code: &code,
                redirect_uri,
                verifier: &verifier,
            },
        )
        .await
        .map_err(|e| refused(session, e));
    let answer = match &exchanged {
        Ok(_) => page(200, "Signed in to hats. You can close this tab."),
        Err(_) => page(200, "hats could not finish the sign-in; see the terminal."),
    };
    let _ = browser.write_all(answer.as_bytes()).await;
    let _ = browser.shutdown().await;
    Ok((registration, exchanged?))
}

/// What one loopback connection brought.
enum Visit {
    /// Something else (a spare connection, a stale tab, another page): answered and closed.
    Other,
    /// Our callback with a code; the connection waits for the page that follows the exchange.
    Code(SecretString, TcpStream),
    /// Our callback with an error, such as `access_denied`.
    Refused(String),
}

type Serving<'a> = FuturesUnordered<Pin<Box<dyn Future<Output = Visit> + Send + 'a>>>;

/// Serves loopback connections, each on its own, until the callback with our
/// `state` arrives: its code and the browser's connection.
async fn callback(listener: &TcpListener, state: &str) -> Result<(SecretString, TcpStream), String> {
    let mut serving: Serving<'_> = FuturesUnordered::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted.map_err(|e| e.to_string())?;
                // Beyond the cap a connection is closed unread; each served
                // one ends within the deadline, so room comes back.
                if serving.len() < CAP {
                    serving.push(Box::pin(visit(stream, state)));
                }
            }
            Some(visit) = serving.next(), if !serving.is_empty() => match visit {
                Visit::Other => {}
                Visit::Code(code, stream) => return Ok((code, stream)),
                Visit::Refused(error) => return Err(error),
            },
        }
    }
}

/// Reads one request (within [`HEAD_DEADLINE`]) and sorts it.
async fn visit(mut stream: TcpStream, state: &str) -> Visit {
    let Ok(Some(target)) = tokio::time::timeout(HEAD_DEADLINE, request_target(&mut stream)).await else {
        return Visit::Other;
    };
    let Some(query) = target.strip_prefix(CALLBACK).and_then(|q| q.strip_prefix('?')) else {
        let _ = stream.write_all(page(404, "Not found.").as_bytes()).await;
        return Visit::Other;
    };
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| decode(v))
    };
    if param("state").as_deref() != Some(state) {
        // Not our request (a stale tab, or someone else's page): keep waiting.
        let _ = stream
            .write_all(page(400, "Unknown sign-in request.").as_bytes())
            .await;
        return Visit::Other;
    }
    if let Some(error) = param("error") {
        let _ = stream
            .write_all(page(200, "Sign-in refused. You can close this tab.").as_bytes())
            .await;
        return Visit::Refused(error);
    }
    match param("code").filter(|c| !c.is_empty()) {
        Some(code) => Visit::Code(code.into(), stream),
        None => {
            let _ = stream.write_all(page(400, "No code.").as_bytes()).await;
            Visit::Other
        }
    }
}

/// The request target of the request line, once it has arrived; `None` when
/// the connection closes first or sends too much without one.
async fn request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0_u8; 1024];
    while !head.windows(2).any(|w| w == b"\r\n") {
        let read = stream.read(&mut buffer).await.ok().filter(|n| *n > 0)?;
        head.extend_from_slice(&buffer[..read]);
        if head.len() > HEAD_MAX {
            return None;
        }
    }
    let line = String::from_utf8_lossy(&head);
    line.split_whitespace().nth(1).map(str::to_owned)
}

/// The browser's refusal of the sign-in: `access_denied` is the user saying
/// no, which another flow would not change.
fn denied(session: &SsoSession, error: String) -> SignInError {
    if error == "access_denied" {
        return SignInError::Refused {
            session: session.key().to_owned(),
            why: "it was denied in the browser (access_denied)".into(),
        };
    }
    SignInError::Loopback(format!(
        "the browser answered \"{}\"",
        crate::config::printable(&error)
    ))
}

fn page(status: u16, text: &str) -> String {
    let body = format!("<!doctype html><title>hats</title><p>{text}</p>\n");
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        if status == 200 { "OK" } else { "Error" },
        body.len()
    )
}

fn random_text(bytes: usize) -> Result<String, SignInError> {
    let mut raw = vec![0_u8; bytes];
    getrandom::fill(&mut raw).map_err(|e| SignInError::Loopback(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(raw))
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_round_trip_through_percent_encoding() {
        let raw = "http://127.0.0.1:8080/oauth/callback?a=b c";
        assert_eq!(decode(&encode(raw)), raw);
        assert_eq!(decode("abc%2"), "abc%2");
    }
}

//! The authorization-code flow with PKCE (RFC 7636) and a loopback redirect
//! (RFC 8252): hats listens on `http://127.0.0.1:PORT/oauth/callback`, opens
//! the service's `/authorize` page, and exchanges the code it is sent back.

use super::{Granted, Report, SignInError, Step, open_browser, refused};
use crate::aws::percent_encode as encode;
use crate::aws::{Grant, Oidc};
use crate::config::SsoSession;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How long the browser has to come back (the service's codes last minutes).
const WAIT: Duration = Duration::from_secs(600);
const CALLBACK: &str = "/oauth/callback";

pub(super) async fn run(
    oidc: &Oidc,
    session: &SsoSession,
    report: &mut dyn Report,
) -> Result<Granted, SignInError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| SignInError::Loopback(format!("cannot listen on 127.0.0.1 ({e})")))?;
    let port = listener
        .local_addr()
        .map_err(|e| SignInError::Loopback(e.to_string()))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}{CALLBACK}");
    let registration = oidc
        .register(&session.scopes, Some((&redirect_uri, &session.start_url)))
        .await?;
    let verifier: SecretString = random_text(48)?.into();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose_secret().as_bytes()));
    let state = random_text(24)?;
    let mut url = format!(
        "{}/authorize?response_type=code&client_id={}&redirect_uri={}&state={state}&code_challenge={challenge}&code_challenge_method=S256",
        oidc.endpoint().trim_end_matches('/'),
        encode(&registration.client_id),
        encode(&redirect_uri),
    );
    if !session.scopes.is_empty() {
        url.push_str(&format!("&scopes={}", encode(&session.scopes.join(","))));
    }
    if !open_browser(&url) {
        return Err(SignInError::NoBrowser);
    }
    report.step(session, Step::Browser { url });
    let code = tokio::time::timeout(WAIT, callback(&listener, &state))
        .await
        .map_err(|_| SignInError::Expired(session.key().to_owned()))??;
    let grant = oidc
        .create_token(
            &registration,
            Grant::AuthorizationCode {
                code: &code,
                redirect_uri: &redirect_uri,
                verifier: &verifier,
            },
        )
        .await
        .map_err(|e| refused(session, e))?;
    Ok((registration, grant))
}

/// Answers loopback requests until the callback with our `state` arrives; its code.
async fn callback(listener: &TcpListener, state: &str) -> Result<SecretString, SignInError> {
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| SignInError::Loopback(e.to_string()))?;
        let mut buffer = vec![0_u8; 8192];
        let read = stream.read(&mut buffer).await.unwrap_or(0);
        let request = String::from_utf8_lossy(&buffer[..read]);
        let target = request.split_whitespace().nth(1).unwrap_or_default();
        let Some(query) = target.strip_prefix(CALLBACK).and_then(|q| q.strip_prefix('?')) else {
            let _ = stream.write_all(page(404, "Not found.").as_bytes()).await;
            continue;
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
            continue;
        }
        if let Some(error) = param("error") {
            let _ = stream
                .write_all(page(200, "Sign-in refused. You can close this tab.").as_bytes())
                .await;
            return Err(SignInError::Loopback(format!(
                "the browser answered \"{}\"",
                crate::config::printable(&error)
            )));
        }
        let Some(code) = param("code").filter(|c| !c.is_empty()) else {
            let _ = stream.write_all(page(400, "No code.").as_bytes()).await;
            continue;
        };
        let _ = stream
            .write_all(page(200, "Signed in to hats. You can close this tab.").as_bytes())
            .await;
        return Ok(code.into());
    }
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

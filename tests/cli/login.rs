//! `hats login` against a local stand-in for the AWS federation endpoint.

use crate::harness::{Sandbox, parse_exports, url_decode};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Answers `getSigninToken` like AWS does and remembers the session it was given.
pub fn federation_stand_in() -> (String, Arc<Mutex<Option<serde_json::Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/federation",
        listener.local_addr().unwrap().port()
    );
    let seen = Arc::new(Mutex::new(None));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let query = request_line
                .split_whitespace()
                .nth(1)
                .unwrap()
                .split_once('?')
                .unwrap()
                .1
                .to_owned();
            let params: std::collections::HashMap<String, String> = query
                .split('&')
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (url_decode(k), url_decode(v)))
                .collect();
            let (status, body) = if params.get("Action").map(String::as_str) == Some("getSigninToken") {
                *record.lock().unwrap() = serde_json::from_str(&params["Session"]).ok();
                ("200 OK", r#"{"SigninToken":"signin-token-42"}"#)
            } else {
                ("400 Bad Request", "{}")
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn the_signin_url_is_built_from_a_token_for_the_role_session() {
    let mut sb = Sandbox::standard(true);
    let (endpoint, seen) = federation_stand_in();
    sb.set_env("HATS_FEDERATION_ENDPOINT", &endpoint);
    let exports = parse_exports(&sb.hats(&["env", "plain-role"]).ok());
    let url = sb
        .hats(&[
            "login",
            "plain-role",
            "--print",
            "--service",
            "s3",
            "--region",
            "eu-west-1",
        ])
        .ok();
    assert_eq!(
        url.trim(),
        format!(
            "{endpoint}?Action=login&Issuer=hats&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1&SigninToken=signin-token-42"
        )
    );
    let session = seen
        .lock()
        .unwrap()
        .clone()
        .expect("the stand-in was asked for a token");
    assert_eq!(
        session["sessionId"], exports["AWS_ACCESS_KEY_ID"],
        "the cached role session was used"
    );
    assert_eq!(session["sessionToken"], exports["AWS_SESSION_TOKEN"]);
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "login reused the cached session"
    );
}

#[test]
fn login_refuses_a_user_session_and_opens_a_browser_otherwise() {
    let mut sb = Sandbox::standard(false);
    let (endpoint, _) = federation_stand_in();
    sb.set_env("HATS_FEDERATION_ENDPOINT", &endpoint);
    let err = sb.hats(&["login", "base", "--mfa-code", "123456"]).fails();
    assert!(err.contains("the console only accepts role credentials"), "{err}");
    // A stand-in browser records the URL it was given.
    let browser = sb.write("browser.sh", "#!/bin/sh\necho \"$1\" > \"$HOME/opened\"\n");
    std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sb.set_env("BROWSER", &browser.display().to_string());
    let run = sb.hats(&["login", "plain-role"]);
    run.ok();
    assert!(
        run.stderr().contains("opened the AWS console"),
        "{}",
        run.stderr()
    );
    let opened = std::fs::read_to_string(sb.home.join("opened")).unwrap();
    assert!(
        opened.contains("Action=login") && opened.contains("SigninToken=signin-token-42"),
        "{opened}"
    );
}

/// A federation endpoint that answers every request with `status` and `body`.
fn answering(status: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/federation",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn a_federation_endpoint_without_a_token_is_named_with_its_status() {
    let mut sb = Sandbox::standard(false);
    for (status, body, says) in [
        (
            "404 Not Found",
            "<html>not here</html>",
            "answered getSigninToken with HTTP 404; check that it is an AWS federation endpoint",
        ),
        (
            "200 OK",
            "{}",
            "answered getSigninToken with HTTP 200 but no SigninToken; check that it is an AWS federation endpoint",
        ),
        (
            "403 Forbidden",
            "{}",
            "answered getSigninToken with HTTP 403; it refused the role session's credentials",
        ),
    ] {
        let endpoint = answering(status, body);
        sb.set_env("HATS_FEDERATION_ENDPOINT", &endpoint);
        let err = sb.hats(&["login", "plain-role", "--print"]).fails();
        assert!(
            err.contains(&format!("the sign-in federation endpoint \"{endpoint}\" {says}")),
            "{err}"
        );
        assert!(!err.contains("MFA user session"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// A federated target's console sign-in uses its cached role session, as any
/// role's does: the token the federation endpoint is asked for holds the keys
/// `hats env` handed out, and no second federation call reaches STS.
fn console_sign_in_reuses_the_cached_session(mut sb: Sandbox, target: &str, action: &str) {
    let (endpoint, seen) = federation_stand_in();
    sb.set_env("HATS_FEDERATION_ENDPOINT", &endpoint);
    let exports = parse_exports(&sb.hats(&["env", target]).ok());
    assert_eq!(sb.moto.take_actions(), [action]);
    let url = sb.hats(&["login", target, "--print"]).ok();
    assert!(
        url.trim()
            .starts_with(&format!("{endpoint}?Action=login&Issuer=hats&"))
            && url.trim().ends_with("&SigninToken=signin-token-42"),
        "{url}"
    );
    let session = seen.lock().unwrap().clone().expect("a token was asked for");
    assert_eq!(session["sessionId"], exports["AWS_ACCESS_KEY_ID"]);
    assert_eq!(session["sessionToken"], exports["AWS_SESSION_TOKEN"]);
    assert!(
        sb.moto.take_actions().is_empty(),
        "login reused the cached session"
    );
}

#[test]
fn console_sign_in_works_for_a_saml_target_from_its_cached_session() {
    let sb = crate::saml::sandbox(true, &crate::saml::single_role());
    sb.hats(&["saml", "sync"]).ok();
    console_sign_in_reuses_the_cached_session(sb, "123456789012/Admin", "AssumeRoleWithSAML");
}

#[test]
fn console_sign_in_works_for_a_web_identity_target_from_its_cached_session() {
    let sb = crate::web_identity::sandbox(true);
    console_sign_in_reuses_the_cached_session(sb, "oidc", "AssumeRoleWithWebIdentity");
}

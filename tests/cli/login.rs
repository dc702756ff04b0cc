//! `hats login` against the federation stand-in (`tests/standin/federation.py`, a
//! server of its own that checks the session's keys against moto), and the
//! stand-in itself held to AWS's documented federation requests.

use crate::federation::{Federation, query_pairs, query_param};
use crate::harness::{Sandbox, parse_exports};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

/// The shape of AWS's documented example of a `getSigninToken` request
/// ("Enable custom identity broker access to the AWS console", IAM User Guide):
/// the three session values as JSON, form-encoded (spaces as `+`), after the
/// action and an optional console session length. The keys are AWS's example keys.
const DOCUMENTED_GET_TOKEN: &str = "/federation?Action=getSigninToken&SessionDuration=1800\
    &Session=%7B%22sessionId%22%3A+%22ASIAIOSFODNN7EXAMPLE%22%2C+%22sessionKey%22%3A+\
    %22wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY%22%2C+%22sessionToken%22%3A+%22IQoJb3JpZ2luX2VjEXAMPLE%22%7D";

/// The shape of the documented sign-in URL: action, issuer, the console URL
/// encoded whole, the token.
const DOCUMENTED_LOGIN: &str = "https://signin.aws.amazon.com/federation?Action=login&Issuer=example.com\
    &Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=VCQgs5qZZt3Q6fn8Tr5EXAMPLE";

fn names(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().map(|(k, _)| k.as_str()).collect()
}

#[test]
fn the_signin_url_is_built_from_a_token_for_the_role_session() {
    let mut sb = Sandbox::standard(true);
    let fed = Federation::start(&sb.moto);
    fed.attach(&mut sb);
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
    let asked = fed.last_session().expect("the stand-in issued a token");
    assert_eq!(
        url.trim(),
        format!(
            "{}?Action=login&Issuer=hats&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fbuckets%3Fregion%3Deu-west-1&SigninToken={}",
            fed.endpoint(),
            asked["token"].as_str().unwrap()
        )
    );
    assert_eq!(
        asked["session_id"], exports["AWS_ACCESS_KEY_ID"],
        "the cached role session was used"
    );
    assert_eq!(asked["session_token"], exports["AWS_SESSION_TOKEN"]);
    assert!(
        asked["arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:sts::222222222222:assumed-role/ReadOnly/"),
        "moto accepted the keys as the role's: {asked}"
    );
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole", "GetCallerIdentity"],
        "login reused the cached session"
    );
}

#[test]
fn hats_federation_requests_have_the_shape_of_awss_documented_examples() {
    let mut sb = Sandbox::standard(false);
    let fed = Federation::start(&sb.moto);
    fed.attach(&mut sb);
    // The stand-in takes the documented requests as AWS does...
    let (status, body) = fed.get(DOCUMENTED_GET_TOKEN);
    assert_eq!(status, 200, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).unwrap();
    let example = query_pairs(DOCUMENTED_LOGIN);
    let mut login = format!(
        "/federation?Action=login&Issuer=example.com&Destination={}",
        "https%3A%2F%2Fconsole.aws.amazon.com%2F"
    );
    login.push_str(&format!(
        "&SigninToken={}",
        token["SigninToken"].as_str().unwrap()
    ));
    assert_eq!(
        fed.get(&login).0,
        200,
        "the documented sign-in shape with a token of its own"
    );

    // ...and hats' requests have the same shape.
    let url = sb.hats(&["login", "plain-role", "--print"]).ok();
    let url = url.trim();
    assert!(url.starts_with(&format!("{}?", fed.endpoint())), "{url}");
    let ours = query_pairs(url);
    assert_eq!(names(&ours), names(&example), "parameters and their order: {url}");
    assert_eq!(ours[0].1, "login");
    let raw_destination = url
        .split("Destination=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    assert!(
        !raw_destination.contains(['/', ':', '?', '&', '=', '#']),
        "the console URL is encoded whole, as in the example: {raw_destination}"
    );
    assert_eq!(
        query_param(url, "Destination").unwrap(),
        "https://console.aws.amazon.com/console/home?region=us-east-1"
    );
    let token_request = fed.last_session().unwrap();
    assert_eq!(
        token_request["params"],
        serde_json::json!(["Action", "Session"]),
        "no SessionDuration for role sessions"
    );
    // A browser following hats' URL is signed in by the stand-in.
    let path = url.strip_prefix(&fed.origin()).unwrap();
    let (status, page) = fed.get(path);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("signed in to 222222222222"), "{page}");
}

#[test]
fn the_stand_in_answers_400_to_anything_off_the_protocol_and_keeps_serving() {
    let sb = Sandbox::without_keyring();
    let fed = Federation::start(&sb.moto);
    let session =
        "%7B%22sessionId%22%3A%22a%22%2C%22sessionKey%22%3A%22b%22%2C%22sessionToken%22%3A%22c%22%7D";
    let bad = [
        "/federation?Action=getSigninToken".to_owned(),
        "/federation?Action=getSigninToken&Session=not-json".to_owned(),
        "/federation?Action=getSigninToken&Session=%7B%22sessionId%22%3A%22a%22%7D".to_owned(),
        format!("/federation?Action=getSigninToken&Session={session}&SessionDuration=60"),
        format!("/federation?Action=getSigninToken&Action=login&Session={session}"),
        format!("/federation?Action=getSigninToken&Session={session}&Extra=1"),
        "/federation?Action=login&Destination=https%3A%2F%2Fevil.test%2F&SigninToken=x".to_owned(),
        "/federation?Action=login&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=forged"
            .to_owned(),
        "/federation?Action=login&Destination=http%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=x"
            .to_owned(),
        "/oauth?Action=logout&redirect_uri=https%3A%2F%2Fevil.test%2F".to_owned(),
        "/federation?Action=steal".to_owned(),
        "/anything".to_owned(),
        "/federation?%ZZ".to_owned(),
    ];
    for request in &bad {
        let (status, body) = fed.get(request);
        assert_eq!(status, 400, "{request}: {body}");
        let error: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{request}: {body}"));
        assert!(error["error"].is_string(), "{request}: {body}");
    }
    // A request line that is not HTTP at all gets an answer too, and the server lives on.
    let mut raw = std::net::TcpStream::connect(fed.origin().trim_start_matches("http://")).unwrap();
    raw.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    raw.write_all(b"BREW /federation HTTP/1.1\r\n\r\n").unwrap();
    let mut line = String::new();
    BufReader::new(&raw).read_line(&mut line).unwrap();
    assert!(line.contains(" 400 "), "{line:?}");
    assert_eq!(
        fed.get(&format!("/federation?Action=getSigninToken&Session={session}"))
            .0,
        200
    );
}

#[test]
fn login_refuses_a_user_session_and_opens_a_browser_otherwise() {
    let mut sb = Sandbox::standard(false);
    let fed = Federation::start(&sb.moto);
    fed.attach(&mut sb);
    let err = sb.hats(&["login", "base", "--mfa-code", "123456"]).fails();
    assert!(err.contains("the console only accepts role credentials"), "{err}");
    // A stand-in browser records the URL it was given.
    let browser = sb.write("browser.sh", "#!/bin/sh\necho \"$1\" > \"$HOME/opened\"\n");
    std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sb.set_env("BROWSER", &browser.display().to_string());
    let run = sb.hats(&["login", "plain-role"]);
    run.ok();
    assert!(
        run.stderr()
            .contains("opened the AWS console for \"plain-role\" (default (the system browser))"),
        "{}",
        run.stderr()
    );
    let opened = std::fs::read_to_string(sb.home.join("opened")).unwrap();
    let token = fed.last_session().unwrap()["token"].as_str().unwrap().to_owned();
    assert!(
        opened.contains("Action=login") && opened.trim().ends_with(&format!("SigninToken={token}")),
        "{opened}"
    );
}

/// A federation endpoint that answers every request with `status` and `body`:
/// a broken endpoint, not a stand-in for a working one.
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
    let fed = Federation::start(&sb.moto);
    fed.attach(&mut sb);
    let exports = parse_exports(&sb.hats(&["env", target]).ok());
    assert_eq!(sb.moto.take_actions(), [action]);
    let url = sb.hats(&["login", target, "--print"]).ok();
    let asked = fed.last_session().expect("a token was asked for");
    assert!(
        url.trim()
            .starts_with(&format!("{}?Action=login&Issuer=hats&", fed.endpoint()))
            && url
                .trim()
                .ends_with(&format!("&SigninToken={}", asked["token"].as_str().unwrap())),
        "{url}"
    );
    assert_eq!(asked["session_id"], exports["AWS_ACCESS_KEY_ID"]);
    assert_eq!(asked["session_token"], exports["AWS_SESSION_TOKEN"]);
    let actions = sb.moto.take_actions();
    assert!(
        !actions.is_empty() && actions.iter().all(|a| a == "GetCallerIdentity"),
        "login reused the cached session (the stand-in's own check is the only STS call): {actions:?}"
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

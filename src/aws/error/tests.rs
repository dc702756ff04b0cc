//! How SDK errors become one actionable line, per kind of failure.

use super::endpoint::check_endpoint_url;
use super::*;

fn call(one_time_code: bool) -> Call<'static> {
    Call {
        service: "STS",
        action: "AssumeRole",
        role: Some("arn:r"),
        endpoint: "http://e",
        one_time_code,
        waited: Duration::from_secs(3),
    }
}

#[test]
fn an_expired_or_rejected_web_identity_token_blames_the_token_not_source_credentials() {
    let web = Call {
        action: "AssumeRoleWithWebIdentity",
        ..call(false)
    };
    for code in [
        "ExpiredTokenException",
        "InvalidIdentityToken",
        "IDPRejectedClaim",
    ] {
        let text = from_code(code, Some(400), "token expired".into(), web).to_string();
        assert!(
            text.starts_with(
                "STS refused the identity provider's token for AssumeRoleWithWebIdentity of \"arn:r\""
            ),
            "{text}"
        );
        assert!(
            text.contains(code) && text.contains("get a fresh token"),
            "{text}"
        );
    }
    let signed = from_code("ExpiredTokenException", Some(400), "x".into(), call(false)).to_string();
    assert!(
        signed.starts_with("the source credentials have expired"),
        "{signed}"
    );
}

#[test]
fn codes_map_to_advice() {
    let msg = |code, status| from_code(code, status, "aws said".into(), call(false)).to_string();
    assert!(msg("AccessDenied", Some(403)).starts_with("AccessDenied from STS for AssumeRole of \"arn:r\""));
    assert!(msg("", Some(403)).contains("trust policy"));
    let session = Call {
        action: "GetSessionToken",
        role: None,
        ..call(true)
    };
    let text = from_code("AccessDenied", Some(403), "aws said".into(), session).to_string();
    assert_eq!(
        text,
        "AccessDenied from STS for GetSessionToken: the MFA code was wrong or already used, the MFA device \
         (mfa_serial) is not this IAM user's, or a policy denies the user sts:GetSessionToken (aws said)"
    );
    assert_eq!(
        msg("ExpiredToken", Some(400)),
        "the source credentials have expired (aws said); renew them (for SSO: aws sso login) and try again"
    );
    assert!(msg("InvalidClientTokenId", Some(403)).contains("check the access key in the source profile"));
    assert_eq!(
        msg("Throttling", Some(400)),
        "STS AssumeRole failed: Throttling: aws said"
    );
    let org = Call {
        service: "Organizations",
        ..call(false)
    };
    let denied = from_code("AccessDeniedException", Some(400), "no".into(), org).to_string();
    assert_eq!(
        denied,
        "Organizations AssumeRole failed: AccessDeniedException: no"
    );
}

#[test]
fn server_errors_say_whether_the_code_is_used_up() {
    let body = Body {
        content_type: "text/html",
        empty: false,
    };
    let with_code = server_error(call(true), 502, String::new(), body).to_string();
    assert_eq!(
        with_code,
        "STS at \"http://e\" failed AssumeRole with HTTP 502, an HTML page as proxies send; the MFA code \
         was not sent again (AWS accepts each code only once): try again with the next code"
    );
    let without = server_error(call(false), 500, " (InternalFailure)".into(), body).to_string();
    assert!(
        without.ends_with(
            "HTTP 500 (InternalFailure); AWS or a proxy in between is having trouble: try again in a minute"
        ),
        "{without}"
    );
}

#[test]
fn quoted_text_is_one_short_line() {
    let long = format!("a\nb\x1b[31m{}", "x".repeat(500));
    let quoted = Call::quote(&long);
    assert!(!quoted.contains('\n') && !quoted.contains('\x1b'));
    assert!(quoted.chars().count() <= 201);
}

#[test]
fn an_endpoint_that_is_not_a_url_is_named_and_nothing_counts_as_sent() {
    for ok in [
        "https://sts.amazonaws.com",
        "http://127.0.0.1:5000/",
        "http://[::1]:8080",
        "http://[::1]",
    ] {
        assert_eq!(check_endpoint_url(ok), Ok(()), "{ok}");
    }
    for bad in [
        "notaurl",
        "127.0.0.1:5000",
        "ftp://x",
        "https://",
        "http://:80",
        "http://a b",
    ] {
        assert!(check_endpoint_url(bad).is_err(), "{bad}");
    }
}

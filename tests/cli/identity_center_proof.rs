//! Proof that the Identity Center stand-in is honest: unmodified real clients (the AWS CLI,
//! boto3, botocore's token provider) complete their flows against it, and it refuses what
//! the real service refuses, with the real error shapes.

use crate::harness::Sandbox;
use crate::identity_center::{
    IdentityCenter, RequestLog, START_URL, now_epoch, rfc3339, seed, write_cli_cache,
};
use serde_json::{Value, json};

const PROD: &str = "111122223333";

fn standard_seed() -> Value {
    seed(&[
        (PROD, "prod", &["Admin", "ReadOnly"]),
        ("222233334444", "staging", &["Developer"]),
        ("333344445555", "sandbox", &["Admin"]),
        ("444455556666", "data", &["Analyst"]),
        ("555566667777", "billing", &["Billing"]),
    ])
}

/// A sandbox (moto, HOME) with the stand-in attached and the SSO config written.
fn sandbox_with_standin() -> (Sandbox, IdentityCenter) {
    let mut sb = Sandbox::without_keyring();
    let ic = IdentityCenter::start(&sb.moto, &standard_seed());
    ic.attach(&mut sb);
    sb.aws_config(crate::sso::ONE_SSO_PROFILE);
    (sb, ic)
}

fn caller_identity(sb: &Sandbox) -> std::process::Output {
    sb.command(crate::harness::aws_cli())
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            "prod-admin",
            "--output",
            "json",
        ])
        .output()
        .expect("run aws")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn aws_cli_reads_a_cached_token_and_gets_the_roles_credentials_from_the_standin() {
    let (sb, ic) = sandbox_with_standin();
    let token = ic.issue_token(START_URL);
    write_cli_cache(&sb.home, "corp", &token, &rfc3339(now_epoch() + 3600));
    ic.reset_log();

    let out = caller_identity(&sb);
    assert!(out.status.success(), "aws failed: {}", text(&out.stderr));
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(identity["Account"], PROD);
    assert_eq!(
        identity["Arn"],
        "arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com"
    );
    let log = ic.log();
    assert_eq!(log.count("GetRoleCredentials"), 1, "{:?}", log.requests);
    assert_eq!(log.requests[0]["accountId"], PROD);
    assert_eq!(log.requests[0]["roleName"], "Admin");

    // The stand-in checks the token: once revoked, the same cache no longer gets credentials.
    ic.revoke_all();
    let _ = std::fs::remove_dir_all(sb.home.join(".aws/cli/cache"));
    let out = caller_identity(&sb);
    assert!(!out.status.success(), "a revoked token still got credentials");
    assert!(
        text(&out.stderr).contains("SSO session") || text(&out.stderr).contains("invalid"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(ic.log().errors("GetRoleCredentials", "UnauthorizedException"), 1);
}

#[test]
fn botocore_refreshes_an_expired_token_with_its_refresh_token_through_the_standin() {
    let (sb, ic) = sandbox_with_standin();
    let token = ic.issue_token(START_URL);
    ic.expire_access_tokens();
    let cache = write_cli_cache(&sb.home, "corp", &token, &rfc3339(now_epoch() - 60));
    ic.reset_log();

    let out = caller_identity(&sb);
    assert!(out.status.success(), "aws failed: {}", text(&out.stderr));
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(identity["Account"], PROD);
    let log = ic.log();
    assert_eq!(log.grant_types(), ["refresh_token"], "{:?}", log.requests);
    assert_eq!(log.count("GetRoleCredentials"), 1);
    assert_eq!(log.errors("GetRoleCredentials", "UnauthorizedException"), 0);
    // botocore wrote the new token (and the rotated refresh token) back to the CLI cache.
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(cache).unwrap()).unwrap();
    assert_ne!(saved["accessToken"], token["accessToken"]);
    assert_ne!(saved["refreshToken"], token["refreshToken"]);
    assert!(saved["accessToken"].as_str().unwrap().starts_with("standin-at-"));
}

/// boto3: register, device authorization, the browser script approves, poll, then page.
const DEVICE_FLOW: &str = r#"
import json, os, subprocess, sys, time, boto3
endpoint, browser = sys.argv[1], os.environ["BROWSER"]
oidc = boto3.client("sso-oidc", region_name="us-east-1", endpoint_url=endpoint)
reg = oidc.register_client(clientName="proof", clientType="public", scopes=["sso:account:access"])
auth = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                       startUrl="https://corp.awsapps.com/start")
def poll():
    return oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                             grantType="urn:ietf:params:oauth:grant-type:device_code",
                             deviceCode=auth["deviceCode"])
pending = 0
try:
    poll()
except oidc.exceptions.AuthorizationPendingException:
    pending += 1
subprocess.run([browser, auth["verificationUriComplete"]], check=True)
interval = auth["interval"]
while True:
    time.sleep(interval)
    try:
        token = poll()
        break
    except oidc.exceptions.SlowDownException:
        interval += 5
sso = boto3.client("sso", region_name="us-east-1", endpoint_url=endpoint)
access = token["accessToken"]
pages = sso.get_paginator("list_accounts").paginate(accessToken=access, PaginationConfig={"PageSize": 2})
accounts = [a for page in pages for a in page["accountList"]]
roles = {a["accountId"]: [r["roleName"] for page in sso.get_paginator("list_account_roles").paginate(
            accessToken=access, accountId=a["accountId"], PaginationConfig={"PageSize": 1})
          for r in page["roleList"]] for a in accounts}
print(json.dumps({"pending": pending, "userCode": auth["userCode"], "verify": auth["verificationUriComplete"],
                  "hasRefresh": "refreshToken" in token, "tokenType": token["tokenType"],
                  "accounts": accounts, "roles": roles}))
"#;

#[test]
fn boto3_completes_a_device_flow_approved_by_the_browser_script_and_pages_accounts_and_roles() {
    let (_sb, ic) = sandbox_with_standin();
    let out = ic.python(DEVICE_FLOW, &[]);
    assert!(out.status.success(), "device flow failed: {}", text(&out.stderr));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        result["pending"], 1,
        "the first poll, before approval, must be pending"
    );
    assert_eq!(result["tokenType"], "Bearer");
    assert_eq!(
        result["hasRefresh"], true,
        "a client registered with scopes gets a refresh token"
    );
    assert!(
        result["verify"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/device?user_code=", ic.endpoint()))
    );
    let names: Vec<&str> = result["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["accountName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["prod", "staging", "sandbox", "data", "billing"]);
    assert_eq!(result["accounts"][0]["emailAddress"], "prod@example.com");
    assert_eq!(result["roles"][PROD], json!(["Admin", "ReadOnly"]));
    assert_eq!(result["roles"]["555566667777"], json!(["Billing"]));

    let log: RequestLog = ic.log();
    assert_eq!(log.count("ListAccounts"), 3, "5 accounts in pages of 2");
    assert_eq!(
        log.count("ListAccountRoles"),
        6,
        "prod pages twice at 1 role a page"
    );
    assert_eq!(log.count("VerifyDevice"), 1);
    assert_eq!(log.errors("CreateToken", "AuthorizationPendingException"), 1);
    assert!(
        log.requests
            .iter()
            .all(|r| !r.to_string().contains("standin-at-")),
        "a token was logged"
    );
}

//! The document AWS tools expect from a `credential_process` command.

use crate::domain::CredentialsView;

/// `{"Version":1,"AccessKeyId":…,"SecretAccessKey":…,"SessionToken":…,"Expiration":…}` and a newline.
pub fn credential_process_json<'a>(session: impl Into<CredentialsView<'a>>) -> String {
    let session = session.into();
    let creds = session.credentials;
    let mut doc = serde_json::json!({
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key(),
        "Expiration": session.expiration.to_string(),
    });
    if let Some(token) = creds.session_token() {
        doc["SessionToken"] = token.into();
    }
    let mut text = doc.to_string();
    text.push('\n');
    text
}

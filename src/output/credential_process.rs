//! The document AWS tools expect from a `credential_process` command.

use crate::session::Session;

/// `{"Version":1,"AccessKeyId":…,"SecretAccessKey":…,"SessionToken":…,"Expiration":…}` and a newline.
pub fn credential_process_json(session: &Session) -> String {
    let creds = &session.credentials;
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

//! Configuration errors as printed.

use super::*;

#[test]
fn values_quoted_in_messages_cannot_write_terminal_escapes() {
    let err = ConfigError::profile("p", "role_arn \"arn:\u{1b}]0;pwned\u{7}\" is not an IAM role ARN");
    assert_eq!(
        err.to_string(),
        "profile \"p\" in the AWS config: role_arn \"arn:\\u{1b}]0;pwned\\u{7}\" is not an IAM role ARN"
    );
    let err = ConfigError::HatsInvalid {
        path: "/c.toml".into(),
        message: "line 2: unknown field `\u{9b}31m`".into(),
    };
    assert_eq!(
        err.to_string(),
        "invalid hats config \"/c.toml\": line 2: unknown field `\\u{9b}31m`"
    );
    assert_eq!(printable("prød/Admin"), "prød/Admin");
}

//! Scope-down session policies: an inline policy document and managed policy
//! ARNs sent with `AssumeRole`, checked locally before any call.
//!
//! Pure validation: reading a policy file or a preset is config's business.

use super::InvalidValue;

/// AWS's limit on the packed inline policy; hats checks the minified document
/// against it, which is what AWS counts closely enough to fail early and clearly.
pub const MAX_POLICY_CHARS: usize = 2048;
/// AWS accepts at most this many `PolicyArns`.
pub const MAX_POLICY_ARNS: usize = 10;

/// A validated scope-down: the session gets the intersection of the role's
/// permissions and these policies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SessionPolicy {
    /// `Policy`: the minified JSON document.
    pub document: Option<String>,
    /// `PolicyArns`, in the order given.
    pub arns: Vec<String>,
}

impl SessionPolicy {
    /// Checks `document` (well-formed JSON object within the size limit) and `arns`.
    pub fn new(document: Option<&str>, arns: Vec<String>) -> Result<Self, InvalidValue> {
        let document = document.map(check_document).transpose()?;
        if arns.len() > MAX_POLICY_ARNS {
            return Err(InvalidValue::Policy(format!(
                "{} policy ARNs given, AWS accepts at most {MAX_POLICY_ARNS}",
                arns.len()
            )));
        }
        for arn in &arns {
            check_arn(arn)?;
        }
        Ok(Self { document, arns })
    }

    /// Whether nothing scopes the session down.
    pub fn is_empty(&self) -> bool {
        self.document.is_none() && self.arns.is_empty()
    }

    /// Everything that shapes the session, for cache keys.
    pub fn shape(&self) -> String {
        format!(
            "{}|{}",
            self.document.as_deref().unwrap_or(""),
            self.arns.join(",")
        )
    }
}

fn check_document(text: &str) -> Result<String, InvalidValue> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| InvalidValue::Policy(format!("the policy is not valid JSON ({e})")))?;
    if !value.is_object() {
        return Err(InvalidValue::Policy(
            "the policy must be a JSON object such as {\"Version\": \"2012-10-17\", \"Statement\": [...]}"
                .into(),
        ));
    }
    let packed = minify(text);
    let size = packed.chars().count();
    if size > MAX_POLICY_CHARS {
        return Err(InvalidValue::Policy(format!(
            "the policy has {size} characters without whitespace; AWS accepts at most {MAX_POLICY_CHARS}"
        )));
    }
    Ok(packed)
}

/// Drops whitespace outside strings, keeping the author's key order (a parsed
/// and re-serialized `Value` would sort keys).
fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` with partition, service and resource present.
fn check_arn(arn: &str) -> Result<(), InvalidValue> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && !parts[2].is_empty()
        && !parts[5].is_empty()
        && (20..=2048).contains(&arn.len())
        && !arn.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(InvalidValue::Policy(format!(
            "\"{arn}\" is not a policy ARN; expected arn:aws:iam::aws:policy/NAME or arn:aws:iam::123456789012:policy/NAME"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_minified_in_their_own_key_order() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:Get*\", \"Resource\": \"arn:aws:s3:::a b\"}]\n}";
        let policy = SessionPolicy::new(Some(text), vec![]).unwrap();
        assert_eq!(
            policy.document.as_deref(),
            Some(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::a b"}]}"#
            )
        );
        assert_eq!(minify(r#"{"a": "q\" x" }"#), r#"{"a":"q\" x"}"#);
    }

    #[test]
    fn malformed_or_oversized_documents_are_refused() {
        let err = |t: &str| SessionPolicy::new(Some(t), vec![]).unwrap_err().to_string();
        assert!(err("{\"Version\": ").contains("not valid JSON"));
        assert!(err("[1, 2]").contains("must be a JSON object"));
        let big = format!("{{\"Sid\": \"{}\"}}", "x".repeat(2040));
        assert!(err(&big).contains("AWS accepts at most 2048"), "{}", err(&big));
        // Whitespace does not count against the limit.
        let padded = format!("{{\"Sid\": \"{}\"{}}}", "x".repeat(2030), " ".repeat(5000));
        assert!(SessionPolicy::new(Some(&padded), vec![]).is_ok());
    }

    #[test]
    fn arns_must_parse_and_be_at_most_ten() {
        let ok = SessionPolicy::new(None, vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()]).unwrap();
        assert!(!ok.is_empty() && ok.shape().ends_with("ReadOnlyAccess"));
        let err = SessionPolicy::new(None, vec!["ReadOnlyAccess".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"ReadOnlyAccess\" is not a policy ARN"), "{err}");
        let many = vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned(); 11];
        assert!(
            SessionPolicy::new(None, many)
                .unwrap_err()
                .to_string()
                .contains("at most 10")
        );
        assert!(SessionPolicy::default().is_empty());
    }
}

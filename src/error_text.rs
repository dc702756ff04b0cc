//! Renders an error with its causes on one line: the top-level text of SDK and
//! library errors is often vague ("could not parse profile file") while the cause says where.

/// `error: cause: deeper cause`, skipping causes already contained in the text.
pub fn describe(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut next = err.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}

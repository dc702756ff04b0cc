//! Shell-style patterns on target names (`*`, `?`, `[abc]`, `[!a-z]`), matched
//! exactly: no case folding, no fuzziness. `*` crosses `/` too, so
//! `'team-*'` selects every role of every `team-` account. Pure.

/// Whether `text` holds a pattern character; a name without one is matched
/// as a name, not as a pattern.
pub fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// Whether all of `text` matches `pattern`.
pub fn matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // Backtracking over the last `*` only: linear in practice, never exponential.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some('?') => {
                p += 1;
                t += 1;
                continue;
            }
            Some('[') => {
                if let Some((hit, next)) = class(&pattern, p, text[t])
                    && hit
                {
                    p = next;
                    t += 1;
                    continue;
                }
                if class(&pattern, p, text[t]).is_none() && text[t] == '[' {
                    // An unclosed `[` stands for itself.
                    p += 1;
                    t += 1;
                    continue;
                }
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((star_p, star_t)) => {
                p = star_p + 1;
                t = star_t + 1;
                star = Some((star_p, star_t + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// Matches `c` against the bracket class starting at `pattern[open]`:
/// `Some((matched, index after the class))`, or `None` when it is not closed.
fn class(pattern: &[char], open: usize, c: char) -> Option<(bool, usize)> {
    let mut i = open + 1;
    let negated = matches!(pattern.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    loop {
        let &here = pattern.get(i)?;
        if here == ']' && !first {
            return Some((hit != negated, i + 1));
        }
        first = false;
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|&e| e != ']') {
            let end = pattern[i + 2];
            hit |= here <= c && c <= end;
            i += 3;
        } else {
            hit |= here == c;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_questions_match_like_a_shell() {
        assert!(matches("team-*/ReadOnly", "team-a/ReadOnly"));
        assert!(matches("team-*/ReadOnly", "team-payments-eu/ReadOnly"));
        assert!(!matches("team-*/ReadOnly", "team-a/Admin"));
        assert!(!matches("team-*/ReadOnly", "xteam-a/ReadOnly"));
        assert!(matches("*", "anything/at-all"));
        assert!(matches("acct-00?/*", "acct-007/Admin"));
        assert!(!matches("acct-00?/*", "acct-0070/Admin"));
        assert!(matches("*Only", "a/ReadOnly"));
        assert!(matches("a**b", "ab"));
        assert!(!matches("", "a"));
        assert!(matches("", ""));
    }

    #[test]
    fn classes_ranges_and_negation() {
        assert!(matches("acct-00[1-3]/*", "acct-002/Admin"));
        assert!(!matches("acct-00[1-3]/*", "acct-004/Admin"));
        assert!(matches("acct-00[!1-3]/*", "acct-004/Admin"));
        assert!(matches("[]x]", "]"));
        assert!(matches("a[", "a["), "an unclosed bracket is literal");
    }

    #[test]
    fn matching_is_exact_about_case() {
        assert!(!matches("prod*", "Prod-1"));
        assert!(!is_pattern("prod/Admin"));
        assert!(is_pattern("prod/*"));
    }
}

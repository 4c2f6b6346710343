//! Policy variables: `${aws:username}` and friends in `Resource` and in
//! string/ARN condition values.
//!
//! IAM User Guide, "IAM policy elements: Variables and tags":
//! - variables are replaced only in policies with `"Version": "2012-10-17"`;
//!   in older documents `${…}` is literal text (the caller checks
//!   [`crate::Policy::substitutes_variables`]);
//! - `${key, 'default'}` gives a default used when the key is absent;
//! - `${*}`, `${?}` and `${$}` stand for the literal characters `*`, `?`, `$`;
//! - "If the key is not present in the request context and there is no
//!   default value, the policy element does not match" — we report that as
//!   [`Unresolved`] so the trace can name the variable;
//! - multi-valued keys cannot be used as variables: they count as absent.
//!
//! Substituted values are literal text, never wildcards, so a `*` inside a
//! user's tag cannot widen a grant.

use crate::context::{ContextValue, RequestContext};
use crate::wildcard::{self, Piece};

/// A variable that had no value and no default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub variable: String,
}

/// Does this text contain a `${…}` variable?
pub fn has_variables(text: &str) -> bool {
    text.contains("${")
}

/// The context keys the `${…}` variables of `text` read, in order: the
/// key of `${key, 'default'}` too; not the escapes `${*}`, `${?}`, `${$}`.
pub fn keys(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let inner = rest[start + 2..start + len].trim();
        let key = inner.split_once(',').map_or(inner, |(key, _)| key.trim());
        if !matches!(key, "*" | "?" | "$" | "") {
            out.push(key);
        }
        rest = &rest[start + len + 1..];
    }
    out
}

/// Substitutes variables in a pattern: literal `*`/`?` outside variables stay
/// wildcards; substituted text is literal.
pub fn substitute_pattern(text: &str, ctx: &RequestContext) -> Result<Vec<Piece>, Unresolved> {
    let mut out = Vec::with_capacity(text.len());
    walk(text, ctx, |part| match part {
        Part::Pattern(p) => wildcard::push_pattern(&mut out, p),
        Part::Literal(l) => wildcard::push_literal(&mut out, l),
    })?;
    Ok(out)
}

/// Substitutes variables in a `Resource` ARN pattern. IAM User Guide:
/// "You can use a policy variable in the Resource element, but only in the
/// resource portion of the ARN … You can't use a variable to replace parts
/// of the ARN before the fifth colon, such as the service or account." So
/// `${…}` before the fifth colon stays literal text (and so matches nothing).
pub fn substitute_resource_pattern(text: &str, ctx: &RequestContext) -> Result<Vec<Piece>, Unresolved> {
    let prefix_len = text
        .match_indices(':')
        .nth(4)
        .map_or(text.len(), |(at, _)| at + 1);
    let (prefix, resource) = text.split_at(prefix_len);
    let mut out = Vec::with_capacity(text.len());
    wildcard::push_pattern(&mut out, prefix);
    out.extend(substitute_pattern(resource, ctx)?);
    Ok(out)
}

/// Substitutes variables in a plain string (for operators without wildcards).
pub fn substitute_string(text: &str, ctx: &RequestContext) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(text.len());
    walk(text, ctx, |part| match part {
        Part::Pattern(p) | Part::Literal(p) => out.push_str(p),
    })?;
    Ok(out)
}

enum Part<'a> {
    /// Policy text outside any variable.
    Pattern(&'a str),
    /// Text produced by a variable.
    Literal(&'a str),
}

fn walk<'a>(
    text: &'a str,
    ctx: &'a RequestContext,
    mut emit: impl FnMut(Part<'_>),
) -> Result<(), Unresolved> {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break; // An unclosed `${` is plain text.
        };
        emit(Part::Pattern(&rest[..start]));
        let inner = &rest[start + 2..start + len];
        emit(Part::Literal(&resolve(inner, ctx)?));
        rest = &rest[start + len + 1..];
    }
    emit(Part::Pattern(rest));
    Ok(())
}

fn resolve(inner: &str, ctx: &RequestContext) -> Result<String, Unresolved> {
    let inner = inner.trim();
    if matches!(inner, "*" | "?" | "$") {
        return Ok(inner.to_string());
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => (key.trim(), parse_default(default)),
        None => (inner, None),
    };
    match ctx.get(key) {
        Some(ContextValue::Single(value)) => Ok(value.clone()),
        _ => default.map(str::to_string).ok_or_else(|| Unresolved {
            variable: format!("${{{inner}}}"),
        }),
    }
}

/// The default of `${key, 'default'}`: single-quoted text.
fn parse_default(text: &str) -> Option<&str> {
    let text = text.trim();
    text.strip_prefix('\'')?.strip_suffix('\'')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wildcard::matches_pieces;

    fn ctx() -> RequestContext {
        let mut ctx = RequestContext::new();
        ctx.set("aws:username", "alice").set_multi("aws:TagKeys", ["a"]);
        ctx
    }

    #[test]
    fn keys_are_the_variables_read_escapes_aside() {
        assert_eq!(
            keys("a/${aws:username}/${*}/${aws:PrincipalTag/team, 'x'}/${"),
            ["aws:username", "aws:PrincipalTag/team"]
        );
        assert!(keys("plain").is_empty());
    }

    #[test]
    fn username_is_substituted() {
        let s = substitute_string("home/${aws:username}/", &ctx()).unwrap();
        assert_eq!(s, "home/alice/");
    }

    #[test]
    fn key_lookup_ignores_case() {
        let s = substitute_string("${AWS:UserName}", &ctx()).unwrap();
        assert_eq!(s, "alice");
    }

    #[test]
    fn default_applies_when_key_is_missing() {
        let s = substitute_string("${aws:PrincipalTag/team, 'none'}", &ctx()).unwrap();
        assert_eq!(s, "none");
    }

    #[test]
    fn missing_key_without_default_is_unresolved() {
        let err = substitute_string("x/${s3:prefix}", &ctx()).unwrap_err();
        assert_eq!(err.variable, "${s3:prefix}");
    }

    #[test]
    fn multivalued_key_counts_as_missing() {
        assert!(substitute_string("${aws:TagKeys}", &ctx()).is_err());
    }

    #[test]
    fn escapes_are_literal_characters() {
        let pieces = substitute_pattern("b/${*}/${?}/${$}x", &ctx()).unwrap();
        assert!(matches_pieces(&pieces, "b/*/?/$x", false));
        assert!(!matches_pieces(&pieces, "b/a/b/$x", false));
    }

    #[test]
    fn resource_variables_only_after_the_fifth_colon() {
        let mut ctx = ctx();
        ctx.set("aws:PrincipalAccount", "111111111111");
        let before =
            substitute_resource_pattern("arn:aws:iam::${aws:PrincipalAccount}:user/*", &ctx).unwrap();
        assert!(!matches_pieces(
            &before,
            "arn:aws:iam::111111111111:user/alice",
            false
        ));
        let after = substitute_resource_pattern("arn:aws:s3:::b/${aws:username}/*", &ctx).unwrap();
        assert!(matches_pieces(&after, "arn:aws:s3:::b/alice/x", false));
    }

    #[test]
    fn pattern_text_keeps_wildcards_substituted_text_does_not() {
        let mut ctx = RequestContext::new();
        ctx.set("aws:username", "a*");
        let pieces = substitute_pattern("home/${aws:username}/*", &ctx).unwrap();
        assert!(matches_pieces(&pieces, "home/a*/file", false));
        assert!(!matches_pieces(&pieces, "home/abc/file", false));
    }
}

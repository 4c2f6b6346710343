//! ARN matching, as AWS defines it for `Resource`, `NotResource` and the
//! `Arn*` condition operators.
//!
//! AWS IAM User Guide, "IAM JSON policy elements: Resource": "You can use
//! wildcard characters (* and ?) within any ARN segment (the parts separated
//! by colons) … If the * wildcard is the last character of a resource ARN
//! segment, it can expand to match beyond the colon boundaries." We compare
//! the colon-separated segments one by one; the last segment of the pattern
//! is matched against the rest of the ARN, colons included, so that both
//! `arn:aws:s3:::b/*` and a short `arn:aws:s3:*` behave as AWS documents.

use crate::wildcard::{self, Piece};

/// Number of colon-separated fields before the resource part of an ARN.
const FIELDS_BEFORE_RESOURCE: usize = 5;

/// The parts of a well-formed ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits an ARN into its fields; `None` when it is not `arn:` with six fields.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(FIELDS_BEFORE_RESOURCE + 1, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }
}

/// Is `text` an AWS account id: exactly 12 ASCII digits? (IAM User Guide,
/// "Your AWS account ID": "The AWS account ID is a 12-digit number".)
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account an account principal names: a bare account id, or the
/// account's root ARN `arn:aws:iam::ACCOUNT:root` (IAM User Guide, "AWS
/// account principals": either form names the account).
pub fn account_principal(text: &str) -> Option<&str> {
    let id = text
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.strip_suffix(":root"))
        .unwrap_or(text);
    is_account_id(id).then_some(id)
}

/// Does the ARN pattern (with `*`/`?`) match `arn`? `"*"` matches anything.
pub fn matches(pattern: &str, arn: &str) -> bool {
    segments_match(
        pattern.splitn(FIELDS_BEFORE_RESOURCE + 1, ':').map(Segment::Text),
        arn,
    )
}

/// Like [`matches()`] for a pattern compiled by policy-variable substitution.
pub fn matches_pieces(pattern: &[Piece], arn: &str) -> bool {
    segments_match(
        pattern
            .splitn(FIELDS_BEFORE_RESOURCE + 1, |p| *p == Piece::Lit(b':'))
            .map(Segment::Pieces),
        arn,
    )
}

enum Segment<'p> {
    Text(&'p str),
    Pieces(&'p [Piece]),
}

impl Segment<'_> {
    fn matches(&self, text: &str) -> bool {
        match self {
            Segment::Text(p) => wildcard::matches(p, text, false),
            Segment::Pieces(p) => wildcard::matches_pieces(p, text, false),
        }
    }
}

fn segments_match<'p>(segments: impl Iterator<Item = Segment<'p>>, arn: &str) -> bool {
    // Asked for every statement's resource on every request: the fields
    // are matched as they are split, without collecting them.
    let mut segments = segments.peekable();
    let mut rest = arn;
    while let Some(segment) = segments.next() {
        // The pattern was split into at most six fields, so the last one —
        // the resource part — keeps its own colons.
        if segments.peek().is_none() {
            return segment.matches(rest);
        }
        let Some((field, tail)) = rest.split_once(':') else {
            return false;
        };
        if !segment.matches(field) {
            return false;
        }
        rest = tail;
    }
    arn.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_alone_matches_every_arn() {
        assert!(matches("*", "arn:aws:s3:::bucket/key"));
    }

    #[test]
    fn resource_part_may_hold_colons() {
        assert!(matches(
            "arn:aws:iam::123456789012:user/*",
            "arn:aws:iam::123456789012:user/a:b"
        ));
    }

    #[test]
    fn wildcard_does_not_cross_a_middle_segment() {
        // `*` in the region field cannot swallow the account field.
        assert!(!matches("arn:aws:s3:*:b", "arn:aws:s3:::b"));
        assert!(matches("arn:aws:s3:*:*:b", "arn:aws:s3:::b"));
    }

    #[test]
    fn trailing_star_expands_beyond_colons() {
        assert!(matches("arn:aws:s3:*", "arn:aws:s3:::bucket/key"));
        assert!(!matches("arn:aws:s3", "arn:aws:s3:::bucket/key"));
    }

    #[test]
    fn bucket_arn_does_not_match_object_arn() {
        assert!(!matches("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key"));
        assert!(matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/key"));
        assert!(!matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"));
    }

    #[test]
    fn matching_is_case_sensitive() {
        assert!(!matches("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/k"));
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(is_account_id("123456789012"));
        assert!(is_account_id("000000000000"));
        for text in [
            "12345678901",
            "1234567890123",
            "12345678901a",
            "",
            "aws",
            "１２３４５６７８９０１２",
        ] {
            assert!(!is_account_id(text), "{text}");
        }
    }

    #[test]
    fn parse_splits_six_fields() {
        let arn = Arn::parse("arn:aws:iam::123456789012:user/a:b").unwrap();
        assert_eq!(arn.account, "123456789012");
        assert_eq!(arn.resource, "user/a:b");
        assert!(Arn::parse("arn:aws:s3").is_none());
    }
}

//! Condition operators and how one `Condition` clause is decided.
//!
//! Rules, from the IAM User Guide ("IAM JSON policy elements: Condition
//! operators", "Condition keys with multiple values", "Creating a condition
//! with multiple keys or values"):
//! - several values for one key: the clause holds if the request value
//!   matches *any* of them (OR); for a negated operator (`StringNotEquals`,
//!   `NotIpAddress`, …) it holds if the request value matches *none* (NOR);
//! - a key missing from the request: a positive operator is false; a negated
//!   operator is true; `…IfExists` makes any operator true;
//! - `Null`: `"true"` holds when the key is absent (or an empty set), `"false"`
//!   when it is present;
//! - `ForAllValues:` holds when *every* request value matches (vacuously true
//!   for a missing key or an empty set); `ForAnyValue:` holds when at least
//!   one request value matches (false for a missing key or an empty set);
//! - "Multivalued context keys require a condition set operator": without
//!   one, a clause on a multi-valued key is false, negated operators
//!   included (AWS confirmed this at re:Inforce 2025, IAM431; the
//!   `@cloud-copilot/iam-simulate` oracle does the same).

use crate::arn;
use crate::context::{ContextValue, RequestContext};
use crate::policy::Condition;
use crate::variables::{self, Unresolved};
use crate::wildcard;
use serde::Serialize;
use std::fmt;
use std::net::IpAddr;

/// `ForAllValues:` / `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetOperator {
    ForAllValues,
    ForAnyValue,
}

/// The comparison an operator makes, without negation, set or `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Comparison {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    ArnEquals,
    ArnLike,
    Null,
}

/// A parsed condition operator such as `ForAnyValue:StringNotLikeIfExists`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub set: Option<SetOperator>,
    pub comparison: Comparison,
    /// `StringNotEquals`, `NotIpAddress`, …: true when no value matches.
    pub negated: bool,
    pub if_exists: bool,
}

/// Every base operator name AWS defines, with its comparison and negation.
const OPERATORS: &[(&str, Comparison, bool)] = &[
    ("StringEquals", Comparison::StringEquals, false),
    ("StringNotEquals", Comparison::StringEquals, true),
    (
        "StringEqualsIgnoreCase",
        Comparison::StringEqualsIgnoreCase,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Comparison::StringEqualsIgnoreCase,
        true,
    ),
    ("StringLike", Comparison::StringLike, false),
    ("StringNotLike", Comparison::StringLike, true),
    ("NumericEquals", Comparison::NumericEquals, false),
    ("NumericNotEquals", Comparison::NumericEquals, true),
    ("NumericLessThan", Comparison::NumericLessThan, false),
    ("NumericLessThanEquals", Comparison::NumericLessThanEquals, false),
    ("NumericGreaterThan", Comparison::NumericGreaterThan, false),
    (
        "NumericGreaterThanEquals",
        Comparison::NumericGreaterThanEquals,
        false,
    ),
    ("DateEquals", Comparison::DateEquals, false),
    ("DateNotEquals", Comparison::DateEquals, true),
    ("DateLessThan", Comparison::DateLessThan, false),
    ("DateLessThanEquals", Comparison::DateLessThanEquals, false),
    ("DateGreaterThan", Comparison::DateGreaterThan, false),
    ("DateGreaterThanEquals", Comparison::DateGreaterThanEquals, false),
    ("Bool", Comparison::Bool, false),
    ("BinaryEquals", Comparison::BinaryEquals, false),
    ("IpAddress", Comparison::IpAddress, false),
    ("NotIpAddress", Comparison::IpAddress, true),
    ("ArnEquals", Comparison::ArnEquals, false),
    ("ArnNotEquals", Comparison::ArnEquals, true),
    ("ArnLike", Comparison::ArnLike, false),
    ("ArnNotLike", Comparison::ArnLike, true),
    ("Null", Comparison::Null, false),
];

impl Operator {
    /// Parses an operator name; `None` for a name AWS does not define.
    /// Operator names are matched without regard to case.
    pub fn parse(text: &str) -> Option<Operator> {
        let (set, rest) = split_set_operator(text);
        let (base, if_exists) = match strip_suffix_ignore_case(rest, "IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let &(_, comparison, negated) = OPERATORS
            .iter()
            .find(|(name, _, _)| name.eq_ignore_ascii_case(base))?;
        if comparison == Comparison::Null && (if_exists || set.is_some()) {
            return None;
        }
        Some(Operator {
            set,
            comparison,
            negated,
            if_exists,
        })
    }

    /// Policy variables are substituted in string and ARN operators only.
    fn takes_variables(&self) -> bool {
        matches!(
            self.comparison,
            Comparison::StringEquals
                | Comparison::StringEqualsIgnoreCase
                | Comparison::StringLike
                | Comparison::ArnEquals
                | Comparison::ArnLike
        )
    }
}

fn split_set_operator(text: &str) -> (Option<SetOperator>, &str) {
    for (prefix, set) in [
        ("ForAllValues:", SetOperator::ForAllValues),
        ("ForAnyValue:", SetOperator::ForAnyValue),
    ] {
        // `get`, not slicing: a multi-byte character may straddle the
        // prefix's length in a malformed operator.
        if let Some(head) = text
            .get(..prefix.len())
            .filter(|h| h.eq_ignore_ascii_case(prefix))
        {
            return (Some(set), &text[head.len()..]);
        }
    }
    (None, text)
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    (text.is_char_boundary(cut) && text[cut..].eq_ignore_ascii_case(suffix)).then(|| &text[..cut])
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.set {
            Some(SetOperator::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetOperator::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        let name = OPERATORS
            .iter()
            .find(|(_, c, n)| *c == self.comparison && *n == self.negated)
            .map_or("?", |(name, _, _)| name);
        f.write_str(name)?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// Why a condition clause did not hold, with the values that were compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionFailure {
    pub operator: String,
    pub key: String,
    pub policy_values: Vec<String>,
    /// The request's values; `None` when the key was absent.
    pub request_values: Option<Vec<String>>,
    /// Variables in the policy values that had no value in the request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved_variables: Vec<String>,
}

/// Decides one condition clause. `Ok(())` when it holds.
pub fn check(
    condition: &Condition,
    ctx: &RequestContext,
    substitute_variables: bool,
) -> Result<(), ConditionFailure> {
    let op = &condition.operator;
    let present = ctx.get(&condition.key);
    let mut unresolved = Vec::new();
    let holds = match (op.comparison, present) {
        (Comparison::Null, _) => null_holds(&condition.values, present),
        (_, None) => match op.set {
            Some(SetOperator::ForAllValues) => true,
            Some(SetOperator::ForAnyValue) => op.if_exists,
            None => op.if_exists || op.negated,
        },
        (_, Some(value)) => {
            let substitute = substitute_variables && op.takes_variables();
            let mut one = |request_value: &str| {
                let any = condition.values.iter().any(|policy_value| {
                    value_matches(op.comparison, policy_value, request_value, ctx, substitute).unwrap_or_else(
                        |missing| {
                            unresolved.push(missing.variable);
                            false
                        },
                    )
                });
                any != op.negated
            };
            match (op.set, value) {
                (Some(SetOperator::ForAllValues), v) => v.as_slice().iter().all(|v| one(v)),
                (Some(SetOperator::ForAnyValue), v) => v.as_slice().iter().any(|v| one(v)),
                (None, ContextValue::Single(v)) => one(v),
                (None, ContextValue::Multi(_)) => false,
            }
        }
    };
    if holds {
        return Ok(());
    }
    unresolved.dedup();
    Err(ConditionFailure {
        operator: op.to_string(),
        key: condition.key.clone(),
        policy_values: condition.values.clone(),
        request_values: present.map(|v| v.as_slice().to_vec()),
        unresolved_variables: unresolved,
    })
}

/// `Null`: `"true"` asks that the key be absent, `"false"` that it be present.
fn null_holds(policy_values: &[String], present: Option<&ContextValue>) -> bool {
    let absent = present.is_none_or(|v| v.as_slice().is_empty());
    policy_values
        .iter()
        .any(|v| match v.to_ascii_lowercase().as_str() {
            "true" => absent,
            "false" => !absent,
            _ => false,
        })
}

/// Does one request value match one policy value under the comparison?
fn value_matches(
    comparison: Comparison,
    policy_value: &str,
    request_value: &str,
    ctx: &RequestContext,
    substitute: bool,
) -> Result<bool, Unresolved> {
    let needs_substitution = substitute && variables::has_variables(policy_value);
    Ok(match comparison {
        Comparison::StringEquals | Comparison::StringEqualsIgnoreCase | Comparison::BinaryEquals => {
            let owned;
            let expected = if needs_substitution {
                owned = variables::substitute_string(policy_value, ctx)?;
                owned.as_str()
            } else {
                policy_value
            };
            if comparison == Comparison::StringEqualsIgnoreCase {
                expected.to_lowercase() == request_value.to_lowercase()
            } else {
                expected == request_value
            }
        }
        Comparison::StringLike if needs_substitution => {
            let pieces = variables::substitute_pattern(policy_value, ctx)?;
            wildcard::matches_pieces(&pieces, request_value, false)
        }
        Comparison::StringLike => wildcard::matches(policy_value, request_value, false),
        Comparison::ArnEquals | Comparison::ArnLike if needs_substitution => {
            let pieces = variables::substitute_pattern(policy_value, ctx)?;
            arn::matches_pieces(&pieces, request_value)
        }
        Comparison::ArnEquals | Comparison::ArnLike => arn::matches(policy_value, request_value),
        Comparison::NumericEquals
        | Comparison::NumericLessThan
        | Comparison::NumericLessThanEquals
        | Comparison::NumericGreaterThan
        | Comparison::NumericGreaterThanEquals => compare(
            comparison,
            parse_number(request_value),
            parse_number(policy_value),
        ),
        Comparison::DateEquals
        | Comparison::DateLessThan
        | Comparison::DateLessThanEquals
        | Comparison::DateGreaterThan
        | Comparison::DateGreaterThanEquals => {
            compare(comparison, parse_date(request_value), parse_date(policy_value))
        }
        Comparison::Bool => policy_value.eq_ignore_ascii_case(request_value),
        Comparison::IpAddress => ip_in_range(policy_value, request_value),
        Comparison::Null => false,
    })
}

/// Ordered comparison `request OP policy`; unparseable values never match.
fn compare<T: PartialOrd>(comparison: Comparison, request: Option<T>, policy: Option<T>) -> bool {
    let (Some(request), Some(policy)) = (request, policy) else {
        return false;
    };
    match comparison {
        Comparison::NumericLessThan | Comparison::DateLessThan => request < policy,
        Comparison::NumericLessThanEquals | Comparison::DateLessThanEquals => request <= policy,
        Comparison::NumericGreaterThan | Comparison::DateGreaterThan => request > policy,
        Comparison::NumericGreaterThanEquals | Comparison::DateGreaterThanEquals => request >= policy,
        _ => request == policy,
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Dates as AWS accepts them: ISO 8601 (`2025-01-01T00:00:00Z`, with an
/// offset or fraction, or a bare date) or epoch seconds. Compared as
/// nanoseconds since the epoch.
pub fn parse_date(text: &str) -> Option<i128> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    use time::{Date, OffsetDateTime, PrimitiveDateTime};
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(i128::from(seconds) * 1_000_000_000);
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at.unix_timestamp_nanos());
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(at.unix_timestamp_nanos());
    }
    if let Ok(at) = PrimitiveDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(at.assume_utc().unix_timestamp_nanos());
    }
    let date = Date::parse(text, &Iso8601::DEFAULT).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp_nanos())
}

/// `IpAddress`: the policy value is a CIDR block or a single address.
fn ip_in_range(policy_value: &str, request_value: &str) -> bool {
    let Ok(address) = request_value.trim().parse::<IpAddr>() else {
        return false;
    };
    let policy_value = policy_value.trim();
    if let Ok(net) = policy_value.parse::<ipnet::IpNet>() {
        return net.contains(&address);
    }
    policy_value
        .parse::<IpAddr>()
        .is_ok_and(|single| single == address)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: Operator::parse(op).expect("known operator"),
            key: key.to_string(),
            values: values.iter().map(ToString::to_string).collect(),
        }
    }

    fn holds(op: &str, key: &str, values: &[&str], ctx: &RequestContext) -> bool {
        check(&cond(op, key, values), ctx, true).is_ok()
    }

    fn ctx(pairs: &[(&str, &str)]) -> RequestContext {
        let mut ctx = RequestContext::new();
        for (k, v) in pairs {
            ctx.set(k, *v);
        }
        ctx
    }

    #[test]
    fn operator_names_parse_with_set_and_if_exists() {
        let op = Operator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(op.set, Some(SetOperator::ForAnyValue));
        assert_eq!(op.comparison, Comparison::StringLike);
        assert!(op.negated && op.if_exists);
        assert_eq!(op.to_string(), "ForAnyValue:StringNotLikeIfExists");
        assert!(Operator::parse("StringAlmostEquals").is_none());
        assert!(Operator::parse("NullIfExists").is_none());
    }

    // Doc example ("Condition operators", string): aws:PrincipalTag/job-category = iamuser-admin.
    #[test]
    fn string_equals_is_case_sensitive_on_values_not_keys() {
        let c = ctx(&[("aws:PrincipalTag/job-category", "iamuser-admin")]);
        assert!(holds(
            "StringEquals",
            "AWS:principaltag/job-category",
            &["iamuser-admin"],
            &c
        ));
        assert!(!holds(
            "StringEquals",
            "aws:PrincipalTag/job-category",
            &["IAMUSER-ADMIN"],
            &c
        ));
        assert!(holds(
            "StringEqualsIgnoreCase",
            "aws:PrincipalTag/job-category",
            &["IAMUSER-ADMIN"],
            &c
        ));
    }

    #[test]
    fn several_values_are_or_and_negation_is_nor() {
        let c = ctx(&[("s3:prefix", "home/")]);
        assert!(holds("StringEquals", "s3:prefix", &["", "home/"], &c));
        assert!(!holds("StringNotEquals", "s3:prefix", &["", "home/"], &c));
        assert!(holds("StringNotEquals", "s3:prefix", &["", "other/"], &c));
    }

    #[test]
    fn missing_key_positive_false_negated_true_if_exists_true() {
        let c = RequestContext::new();
        assert!(!holds("StringEquals", "aws:SourceVpc", &["vpc-1"], &c));
        assert!(holds("StringNotEquals", "aws:SourceVpc", &["vpc-1"], &c));
        assert!(holds("StringEqualsIfExists", "aws:SourceVpc", &["vpc-1"], &c));
        assert!(holds("NumericLessThanIfExists", "s3:max-keys", &["10"], &c));
    }

    // Doc example: "StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}.
    #[test]
    fn string_like_with_policy_variable() {
        let c = ctx(&[("s3:prefix", "home/alice/docs"), ("aws:username", "alice")]);
        assert!(holds(
            "StringLike",
            "s3:prefix",
            &["", "home/", "home/${aws:username}/*"],
            &c
        ));
        let bob = ctx(&[("s3:prefix", "home/alice/docs"), ("aws:username", "bob")]);
        assert!(!holds(
            "StringLike",
            "s3:prefix",
            &["home/${aws:username}/*"],
            &bob
        ));
    }

    #[test]
    fn variables_are_literal_without_substitution() {
        let c = ctx(&[("s3:prefix", "${aws:username}"), ("aws:username", "alice")]);
        assert!(check(
            &cond("StringEquals", "s3:prefix", &["${aws:username}"]),
            &c,
            false
        )
        .is_ok());
        assert!(check(&cond("StringEquals", "s3:prefix", &["${aws:username}"]), &c, true).is_err());
    }

    #[test]
    fn unresolved_variable_is_reported() {
        let c = ctx(&[("s3:prefix", "home/")]);
        let err = check(
            &cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]),
            &c,
            true,
        )
        .unwrap_err();
        assert_eq!(err.unresolved_variables, ["${aws:username}"]);
        assert_eq!(err.request_values, Some(vec!["home/".to_string()]));
    }

    // Doc example: "NumericLessThanEquals": {"s3:max-keys": "10"}.
    #[test]
    fn numeric_operators() {
        let c = ctx(&[("s3:max-keys", "10")]);
        assert!(holds("NumericLessThanEquals", "s3:max-keys", &["10"], &c));
        assert!(!holds("NumericLessThan", "s3:max-keys", &["10"], &c));
        assert!(holds("NumericGreaterThan", "s3:max-keys", &["9.5"], &c));
        assert!(holds("NumericEquals", "s3:max-keys", &["10.0"], &c));
        assert!(holds("NumericNotEquals", "s3:max-keys", &["11"], &c));
        assert!(!holds("NumericEquals", "s3:max-keys", &["ten"], &c));
    }

    // Doc example: "DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}.
    #[test]
    fn date_operators_accept_iso_and_epoch() {
        let c = ctx(&[("aws:CurrentTime", "2024-06-01T12:00:00Z")]);
        assert!(holds(
            "DateGreaterThan",
            "aws:CurrentTime",
            &["2020-01-01T00:00:01Z"],
            &c
        ));
        assert!(holds("DateLessThan", "aws:CurrentTime", &["2025-01-01"], &c));
        assert!(holds("DateGreaterThan", "aws:CurrentTime", &["1700000000"], &c));
        assert!(holds(
            "DateEquals",
            "aws:CurrentTime",
            &["2024-06-01T14:00:00+02:00"],
            &c
        ));
        assert!(holds(
            "DateNotEquals",
            "aws:CurrentTime",
            &["2024-06-01T12:00:01Z"],
            &c
        ));
    }

    // Doc example: "Bool": {"aws:SecureTransport": "false"} denies plain HTTP.
    #[test]
    fn bool_operator() {
        let c = ctx(&[("aws:SecureTransport", "false")]);
        assert!(holds("Bool", "aws:SecureTransport", &["false"], &c));
        assert!(!holds("Bool", "aws:SecureTransport", &["true"], &c));
        assert!(holds("BoolIfExists", "aws:MultiFactorAuthPresent", &["true"], &c));
    }

    #[test]
    fn binary_equals_compares_base64_text() {
        let c = ctx(&[("key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==")]);
        assert!(holds(
            "BinaryEquals",
            "key",
            &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="],
            &c
        ));
        assert!(!holds("BinaryEquals", "key", &["QmluYXJ5"], &c));
    }

    // Doc example: "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, and IPv6 "2001:DB8:1234:5678::/64".
    #[test]
    fn ip_address_v4_and_v6() {
        let v4 = ctx(&[("aws:SourceIp", "203.0.113.7")]);
        assert!(holds("IpAddress", "aws:SourceIp", &["203.0.113.0/24"], &v4));
        assert!(!holds("NotIpAddress", "aws:SourceIp", &["203.0.113.0/24"], &v4));
        assert!(holds("IpAddress", "aws:SourceIp", &["203.0.113.7"], &v4));
        let v6 = ctx(&[("aws:SourceIp", "2001:db8:1234:5678::1")]);
        assert!(holds(
            "IpAddress",
            "aws:SourceIp",
            &["2001:DB8:1234:5678::/64"],
            &v6
        ));
        assert!(!holds("IpAddress", "aws:SourceIp", &["203.0.113.0/24"], &v6));
    }

    // Doc example: "ArnLike": {"aws:SourceArn": "arn:aws:sns:REGION:123456789012:TOPIC-ID"}.
    #[test]
    fn arn_operators_match_per_segment() {
        let c = ctx(&[("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic")]);
        assert!(holds(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:sns:*:123456789012:*"],
            &c
        ));
        assert!(holds(
            "ArnEquals",
            "aws:SourceArn",
            &["arn:aws:sns:us-east-1:123456789012:topic"],
            &c
        ));
        assert!(!holds(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:sns:*:111122223333:*"],
            &c
        ));
        assert!(holds("ArnNotLike", "aws:SourceArn", &["arn:aws:sqs:*"], &c));
    }

    #[test]
    fn null_checks_presence() {
        let c = ctx(&[("aws:TokenIssueTime", "2024-01-01T00:00:00Z")]);
        assert!(holds("Null", "aws:TokenIssueTime", &["false"], &c));
        assert!(!holds("Null", "aws:TokenIssueTime", &["true"], &c));
        assert!(holds("Null", "aws:MultiFactorAuthAge", &["true"], &c));
        let mut empty = RequestContext::new();
        empty.set_multi("aws:TagKeys", Vec::<String>::new());
        assert!(holds("Null", "aws:TagKeys", &["true"], &empty));
    }

    // Doc example ("Condition keys with multiple values"): aws:TagKeys with ForAllValues / ForAnyValue.
    #[test]
    fn set_operators_on_multivalued_keys() {
        let mut c = RequestContext::new();
        c.set_multi("aws:TagKeys", ["environment", "cost-center"]);
        let allowed = ["environment", "cost-center", "owner"];
        assert!(holds("ForAllValues:StringEquals", "aws:TagKeys", &allowed, &c));
        assert!(!holds(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            &["environment"],
            &c
        ));
        assert!(holds(
            "ForAnyValue:StringEquals",
            "aws:TagKeys",
            &["environment"],
            &c
        ));
        assert!(!holds("ForAnyValue:StringEquals", "aws:TagKeys", &["owner"], &c));
        assert!(holds(
            "ForAnyValue:StringNotEquals",
            "aws:TagKeys",
            &["environment"],
            &c
        ));
        assert!(!holds(
            "ForAllValues:StringNotEquals",
            "aws:TagKeys",
            &["environment"],
            &c
        ));
    }

    #[test]
    fn plain_operator_on_a_multivalued_key_is_false() {
        let mut c = RequestContext::new();
        c.set_multi("aws:TagKeys", ["a"]);
        assert!(!holds("StringEquals", "aws:TagKeys", &["a"], &c));
        assert!(!holds("StringNotEquals", "aws:TagKeys", &["b"], &c));
    }

    #[test]
    fn set_operators_on_missing_or_empty_keys() {
        let none = RequestContext::new();
        assert!(holds("ForAllValues:StringEquals", "aws:TagKeys", &["a"], &none));
        assert!(!holds("ForAnyValue:StringEquals", "aws:TagKeys", &["a"], &none));
        assert!(holds(
            "ForAllValues:StringNotEquals",
            "aws:TagKeys",
            &["a"],
            &none
        ));
        assert!(!holds(
            "ForAnyValue:StringNotEquals",
            "aws:TagKeys",
            &["a"],
            &none
        ));
        assert!(holds(
            "ForAnyValue:StringEqualsIfExists",
            "aws:TagKeys",
            &["a"],
            &none
        ));
        let mut empty = RequestContext::new();
        empty.set_multi("aws:TagKeys", Vec::<String>::new());
        assert!(holds("ForAllValues:StringEquals", "aws:TagKeys", &["a"], &empty));
        assert!(!holds("ForAnyValue:StringEquals", "aws:TagKeys", &["a"], &empty));
    }

    #[test]
    fn failure_reports_the_values_compared() {
        let c = ctx(&[("aws:SourceIp", "198.51.100.1")]);
        let err = check(&cond("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]), &c, true).unwrap_err();
        assert_eq!(err.operator, "IpAddress");
        assert_eq!(
            err.request_values.as_deref(),
            Some(&["198.51.100.1".to_string()][..])
        );
        let err = check(&cond("StringEquals", "aws:SourceVpc", &["v"]), &c, true).unwrap_err();
        assert_eq!(err.request_values, None);
    }
}

//! When does one statement's `Condition` block imply another's? A request
//! that satisfies the first must satisfy the second.
//!
//! Clauses are ANDed ([`crate::condition`]), so block A implies block B when
//! every clause of B is implied by some clause of A. One clause implies
//! another of the same key and the same operator (set operator, comparison
//! and negation alike; `…IfExists` may be added, not removed) when:
//! - positive operators: every value of the first is *covered* by the
//!   second's values — a request value matching it matches one of them;
//! - negated operators (`StringNotEquals`, `NotIpAddress`, …): the other way
//!   round, every value of the second is covered by the first's values.
//!
//! Coverage follows each comparison's semantics in [`crate::condition`]:
//! equal text, equal ignoring case, wildcard or ARN pattern inclusion (by
//! [`super::language`]), numbers and dates compared by value (`x < 5`
//! implies `x < 7`), CIDR blocks by containment. A value with a policy
//! variable is covered only by the same text in a policy that substitutes
//! variables the same way. Anything else is not covered, so an unknown
//! case makes a check say FAIL, never a wrong PASS.

use super::language::{self, Kind, Vars};
use crate::condition::{parse_date, Comparison};
use crate::policy::Condition;

/// A statement's conditions and whether its policy substitutes variables.
#[derive(Debug, Clone, Copy)]
pub struct Block<'p> {
    pub clauses: &'p [Condition],
    pub substitute: bool,
}

/// Does every request satisfying `a` satisfy `b`?
pub fn implies(a: Block<'_>, b: Block<'_>) -> bool {
    b.clauses.iter().all(|cb| {
        a.clauses
            .iter()
            .any(|ca| clause_implies(ca, a.substitute, cb, b.substitute))
    })
}

fn clause_implies(a: &Condition, a_sub: bool, b: &Condition, b_sub: bool) -> bool {
    let (oa, ob) = (&a.operator, &b.operator);
    if !a.key.eq_ignore_ascii_case(&b.key)
        || oa.set != ob.set
        || oa.comparison != ob.comparison
        || oa.negated != ob.negated
        || (oa.if_exists && !ob.if_exists)
    {
        return false;
    }
    let comparison = oa.comparison;
    let covered_by = |value: &str, sub: bool, others: &[String], others_sub: bool| {
        covers(comparison, others, others_sub, value, sub)
    };
    if oa.negated {
        b.values.iter().all(|v| covered_by(v, b_sub, &a.values, a_sub))
    } else {
        a.values.iter().all(|v| covered_by(v, a_sub, &b.values, b_sub))
    }
}

/// Does every request value `value` matches (under `comparison`) match one
/// of `values`?
fn covers(comparison: Comparison, values: &[String], values_sub: bool, value: &str, value_sub: bool) -> bool {
    let variable = |text: &str, sub: bool| sub && text.contains("${");
    if variable(value, value_sub) || values.iter().any(|v| variable(v, values_sub)) {
        // Same text read the same way is the same value for every request.
        let same_reading = value_sub == values_sub || !value.contains("${");
        if same_reading && values.iter().any(|v| v == value) {
            return true;
        }
        if variable(value, value_sub) {
            return false;
        }
    }
    let plain = || values.iter().filter(|v| !variable(v, values_sub));
    match comparison {
        Comparison::StringEquals | Comparison::BinaryEquals => plain().any(|v| v == value),
        Comparison::StringEqualsIgnoreCase => {
            let lower = value.to_lowercase();
            plain().any(|v| v.to_lowercase() == lower)
        }
        Comparison::Bool => plain().any(|v| v.eq_ignore_ascii_case(value)),
        Comparison::StringLike => patterns_cover(Kind::Text, plain(), value),
        Comparison::ArnEquals | Comparison::ArnLike => patterns_cover(Kind::Arn, plain(), value),
        Comparison::NumericEquals
        | Comparison::NumericLessThan
        | Comparison::NumericLessThanEquals
        | Comparison::NumericGreaterThan
        | Comparison::NumericGreaterThanEquals => {
            let number = |t: &str| t.trim().parse::<f64>().ok().filter(|n| n.is_finite());
            ordered_cover(comparison, plain().filter_map(|v| number(v)), number(value))
        }
        Comparison::DateEquals
        | Comparison::DateLessThan
        | Comparison::DateLessThanEquals
        | Comparison::DateGreaterThan
        | Comparison::DateGreaterThanEquals => ordered_cover(
            comparison,
            plain().filter_map(|v| parse_date(v)),
            parse_date(value),
        ),
        Comparison::IpAddress => {
            let Some(net) = cidr(value) else {
                // An unreadable value matches no request value.
                return true;
            };
            plain().filter_map(|v| cidr(v)).any(|other| other.contains(&net))
        }
        Comparison::Null => {
            let reading = |t: &str| match t.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            };
            match reading(value) {
                None => true,
                Some(want) => plain().any(|v| reading(v) == Some(want)),
            }
        }
    }
}

fn patterns_cover<'v>(kind: Kind, values: impl Iterator<Item = &'v String>, value: &str) -> bool {
    let mut table = language::Variables::default();
    let pattern = language::compile(value, kind, false, Vars::Symbols, &mut table);
    let within: Vec<_> = values
        .map(|v| language::compile(v, kind, false, Vars::Symbols, &mut table))
        .collect();
    language::included(&pattern, &within)
}

/// Numbers and dates: `value` (`None`: unreadable, matches nothing) against
/// the readable `values`.
fn ordered_cover<T: PartialOrd>(
    comparison: Comparison,
    values: impl Iterator<Item = T>,
    value: Option<T>,
) -> bool {
    let Some(value) = value else { return true };
    let mut values = values;
    match comparison {
        Comparison::NumericEquals | Comparison::DateEquals => values.any(|v| v == value),
        // `x < value` implies `x < v` when value <= v; `<=` alike.
        Comparison::NumericLessThan
        | Comparison::NumericLessThanEquals
        | Comparison::DateLessThan
        | Comparison::DateLessThanEquals => values.any(|v| value <= v),
        _ => values.any(|v| value >= v),
    }
}

fn cidr(text: &str) -> Option<ipnet::IpNet> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| text.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::Operator;

    fn c(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: Operator::parse(op).unwrap(),
            key: key.into(),
            values: values.iter().map(ToString::to_string).collect(),
        }
    }

    fn imp(a: &[Condition], b: &[Condition]) -> bool {
        implies(
            Block {
                clauses: a,
                substitute: true,
            },
            Block {
                clauses: b,
                substitute: true,
            },
        )
    }

    #[test]
    fn anything_implies_no_condition_and_nothing_implies_a_condition() {
        let mfa = [c("Bool", "aws:MultiFactorAuthPresent", &["true"])];
        assert!(imp(&mfa, &[]));
        assert!(!imp(&[], &mfa));
        assert!(imp(&mfa, &[c("Bool", "AWS:multifactorauthpresent", &["TRUE"])]));
    }

    #[test]
    fn positive_values_narrow_negated_values_widen() {
        let one = [c("StringEquals", "aws:username", &["alice"])];
        let two = [c("StringEquals", "aws:username", &["alice", "bob"])];
        assert!(imp(&one, &two));
        assert!(!imp(&two, &one));
        let not_one = [c("StringNotEquals", "aws:username", &["alice"])];
        let not_two = [c("StringNotEquals", "aws:username", &["alice", "bob"])];
        assert!(imp(&not_two, &not_one));
        assert!(!imp(&not_one, &not_two));
    }

    #[test]
    fn if_exists_may_be_added_not_removed() {
        let plain = [c("StringEquals", "k", &["v"])];
        let lenient = [c("StringEqualsIfExists", "k", &["v"])];
        assert!(imp(&plain, &lenient));
        assert!(!imp(&lenient, &plain));
    }

    #[test]
    fn patterns_numbers_and_networks_by_meaning() {
        assert!(imp(
            &[c("StringLike", "s3:prefix", &["home/alice/*"])],
            &[c("StringLike", "s3:prefix", &["home/*"])]
        ));
        assert!(imp(
            &[c("NumericLessThan", "s3:max-keys", &["5"])],
            &[c("NumericLessThan", "s3:max-keys", &["7"])]
        ));
        assert!(!imp(
            &[c("NumericLessThan", "s3:max-keys", &["7"])],
            &[c("NumericLessThan", "s3:max-keys", &["5"])]
        ));
        assert!(imp(
            &[c("IpAddress", "aws:SourceIp", &["10.0.1.0/24"])],
            &[c("IpAddress", "aws:SourceIp", &["10.0.0.0/16"])]
        ));
        assert!(!imp(
            &[c("IpAddress", "aws:SourceIp", &["10.0.0.0/8"])],
            &[c("IpAddress", "aws:SourceIp", &["10.0.0.0/16"])]
        ));
    }

    #[test]
    fn variables_need_the_same_text_read_the_same_way() {
        let var = [c("StringEquals", "s3:prefix", &["home/${aws:username}"])];
        assert!(imp(&var, &var));
        assert!(!imp(&var, &[c("StringEquals", "s3:prefix", &["home/alice"])]));
        let literal = Block {
            clauses: &var,
            substitute: false,
        };
        let substituted = Block {
            clauses: &var,
            substitute: true,
        };
        assert!(!implies(literal, substituted));
    }
}

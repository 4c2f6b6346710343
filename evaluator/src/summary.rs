//! A policy in plain English: one sentence per statement saying what it
//! allows or denies, on which resources, to whom and when, with the
//! services and access levels the catalog gives its actions. IAM's
//! GetHumanReadableSummary describes a delegation request's permissions
//! this way. The words come from the parsed policy only, so the same
//! document always reads the same.

use crate::catalog::Catalog;
use crate::condition::{Comparison, Operator, SetOperator};
use crate::policy::{Condition, Effect, Listed, Policy, PrincipalSet, Statement};
use std::collections::BTreeSet;

/// The policy in words: a first line counting its statements, then one
/// line per statement.
pub fn summarize(policy: &Policy) -> String {
    let count = policy.statements.len();
    let mut out = format!(
        "The policy has {count} statement{}.",
        if count == 1 { "" } else { "s" }
    );
    for (i, statement) in policy.statements.iter().enumerate() {
        out.push('\n');
        out.push_str(&statement_words(i + 1, statement));
    }
    out
}

/// One statement as a sentence.
pub fn statement_words(number: usize, statement: &Statement) -> String {
    let label = match &statement.sid {
        Some(sid) => format!("Statement {number} ({sid})"),
        None => format!("Statement {number}"),
    };
    let verb = match statement.effect {
        Effect::Allow => "allows",
        Effect::Deny => "denies",
    };
    let mut sentence = format!("{label} {verb} {}", actions_words(&statement.action));
    if let Some(principal) = &statement.principal {
        sentence.push_str(" to ");
        sentence.push_str(&principals_words(principal));
    }
    if let Some(resource) = &statement.resource {
        sentence.push_str(" on ");
        sentence.push_str(&resources_words(resource));
    }
    if !statement.conditions.is_empty() {
        let conditions: Vec<String> = statement.conditions.iter().map(condition_words).collect();
        sentence.push_str(", only when ");
        sentence.push_str(&conditions.join(" and "));
    }
    sentence.push('.');
    sentence
}

fn actions_words(actions: &Listed<Vec<String>>) -> String {
    let listed = if actions.items.iter().any(|a| a == "*") {
        "every action of every service".to_string()
    } else {
        join(&actions.items.iter().map(|a| action_words(a)).collect::<Vec<_>>())
    };
    if actions.negated {
        format!("every action except {listed}")
    } else {
        listed
    }
}

/// One `Action` entry: the action with its service and access level, or a
/// pattern with how many actions it matches.
fn action_words(pattern: &str) -> String {
    let catalog = Catalog::get();
    let matched: Vec<_> = catalog.actions_matching(pattern).collect();
    if matched.is_empty() {
        return format!("{pattern} (an action the service catalog does not list)");
    }
    let services: BTreeSet<&str> = matched.iter().map(|(s, _)| s.name).collect();
    let levels: BTreeSet<&str> = matched.iter().map(|(_, a)| a.access_level.as_str()).collect();
    let levels = join(&levels.into_iter().map(str::to_string).collect::<Vec<_>>());
    let services = join(&services.into_iter().map(str::to_string).collect::<Vec<_>>());
    if pattern.contains(['*', '?']) {
        let n = matched.len();
        let plural = if n == 1 { "" } else { "s" };
        format!("{pattern} ({n} action{plural} of {services}; {levels})")
    } else {
        format!("{pattern} ({services}; {levels})")
    }
}

fn resources_words(resources: &Listed<Vec<String>>) -> String {
    let listed = if resources.items.iter().any(|r| r == "*") {
        "every resource".to_string()
    } else {
        join(&resources.items)
    };
    if resources.negated {
        format!("every resource except {listed}")
    } else {
        listed
    }
}

fn principals_words(principal: &Listed<PrincipalSet>) -> String {
    let set = &principal.items;
    let mut parts = Vec::new();
    if set.everyone {
        parts.push("everyone".to_string());
    }
    for (kind, names) in [
        ("AWS principal", &set.aws),
        ("service", &set.service),
        ("federated identity provider", &set.federated),
        ("canonical user", &set.canonical_user),
    ] {
        if !names.is_empty() {
            parts.push(format!("{kind} {}", join(names)));
        }
    }
    let listed = join(&parts);
    if principal.negated {
        format!("everyone except {listed}")
    } else {
        listed
    }
}

fn condition_words(condition: &Condition) -> String {
    let key = match condition.operator.set {
        Some(SetOperator::ForAllValues) => format!("every value of {}", condition.key),
        Some(SetOperator::ForAnyValue) => format!("any value of {}", condition.key),
        None => condition.key.clone(),
    };
    let words = if condition.operator.comparison == Comparison::Null {
        let absent = condition.values.iter().all(|v| v.eq_ignore_ascii_case("true"));
        format!("{key} is {}", if absent { "absent" } else { "present" })
    } else {
        let values = if condition.values.len() == 1 {
            condition.values[0].clone()
        } else {
            format!("one of {}", join(&condition.values))
        };
        format!("{key} {} {values}", operator_words(&condition.operator))
    };
    if condition.operator.if_exists {
        format!("{words} (if the key is present)")
    } else {
        words
    }
}

fn operator_words(operator: &Operator) -> &'static str {
    let (plain, negated) = match operator.comparison {
        Comparison::StringEquals
        | Comparison::ArnEquals
        | Comparison::Bool
        | Comparison::BinaryEquals
        | Comparison::DateEquals
        | Comparison::Null => ("is", "is not"),
        Comparison::StringEqualsIgnoreCase => ("is, ignoring case,", "is not, ignoring case,"),
        Comparison::StringLike | Comparison::ArnLike => ("matches", "does not match"),
        Comparison::NumericEquals => ("equals", "does not equal"),
        Comparison::NumericLessThan => ("is less than", "is not less than"),
        Comparison::NumericLessThanEquals => ("is at most", "is not at most"),
        Comparison::NumericGreaterThan => ("is greater than", "is not greater than"),
        Comparison::NumericGreaterThanEquals => ("is at least", "is not at least"),
        Comparison::DateLessThan => ("is before", "is not before"),
        Comparison::DateLessThanEquals => ("is at or before", "is not at or before"),
        Comparison::DateGreaterThan => ("is after", "is not after"),
        Comparison::DateGreaterThanEquals => ("is at or after", "is not at or after"),
        Comparison::IpAddress => ("is in", "is not in"),
    };
    if operator.negated {
        negated
    } else {
        plain
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_reads_as_a_sentence() {
        let policy = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[
              {"Sid":"Data","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*",
               "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Null":{"aws:TokenIssueTime":"false"}}},
              {"Effect":"Deny","NotAction":"iam:*","Resource":"*"}]}"#,
        )
        .unwrap();
        let text = summarize(&policy);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "The policy has 2 statements.");
        assert_eq!(
            lines[1],
            "Statement 1 (Data) allows s3:GetObject (Amazon S3; Read) and s3:PutObject (Amazon S3; Write) \
             on arn:aws:s3:::b/*, only when aws:SourceIp is in 10.0.0.0/8 and aws:TokenIssueTime is present."
        );
        assert!(
            lines[2].starts_with("Statement 2 denies every action except iam:* ("),
            "{}",
            lines[2]
        );
        assert!(lines[2].ends_with(" on every resource."), "{}", lines[2]);
        // The same document always reads the same.
        assert_eq!(summarize(&policy), text);
    }

    #[test]
    fn patterns_say_how_many_actions_they_match() {
        let policy = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:Describe*","Resource":"*"}}"#,
        )
        .unwrap();
        let text = summarize(&policy);
        assert!(text.contains("kinesis:Describe* ("), "{text}");
        assert!(text.contains(" actions of Amazon Kinesis Data Streams"), "{text}");
        assert_eq!(
            statement_words(
                1,
                &Policy::parse(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)
                    .unwrap()
                    .statements[0]
            ),
            "Statement 1 allows every action of every service on every resource."
        );
    }
}

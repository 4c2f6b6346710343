//! JSON policy text → [`Policy`], and back.
//!
//! Accepts every form IAM accepts: `Statement` as one object or an array;
//! `Action`/`Resource`/`Principal` values as a string or an array; condition
//! values as a string, number, boolean or array of those. Anything else is a
//! typed [`ParseError`] that names the element, so callers can produce AWS's
//! `MalformedPolicyDocument` messages.

use crate::condition::Operator;
use crate::grammar::{self, Negatable};
use crate::policy::{Condition, Effect, Listed, Policy, PrincipalSet, Statement, Version};
use serde_json::{Map, Value};
use std::fmt;

/// Why a policy document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Not JSON; line and column are 1-based as `serde_json` reports them.
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// The document is JSON but not an object.
    NotAnObject,
    /// An element IAM does not know, e.g. `Statment`.
    UnknownElement {
        statement: Option<usize>,
        element: String,
    },
    /// An element with the wrong JSON type.
    WrongType {
        statement: Option<usize>,
        element: String,
        expected: &'static str,
    },
    /// `Version` other than `2012-10-17` / `2008-10-17`.
    InvalidVersion(String),
    MissingStatement,
    MissingEffect {
        statement: usize,
    },
    InvalidEffect {
        statement: usize,
        effect: String,
    },
    /// A statement with neither `Action` nor `NotAction`.
    MissingAction {
        statement: usize,
    },
    /// Both `X` and `NotX` in one statement.
    Conflicting {
        statement: usize,
        element: &'static str,
    },
    UnknownConditionOperator {
        statement: usize,
        operator: String,
    },
    /// A `Principal` key other than AWS/Service/Federated/CanonicalUser.
    UnknownPrincipalType {
        statement: usize,
        kind: String,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |s: &Option<usize>| s.map(|i| format!(" in statement {}", i + 1)).unwrap_or_default();
        match self {
            ParseError::Json {
                line,
                column,
                message,
            } => {
                write!(f, "invalid JSON at line {line}, column {column}: {message}")
            }
            ParseError::NotAnObject => f.write_str("a policy document must be a JSON object"),
            ParseError::UnknownElement { statement, element } => {
                write!(f, "unknown element {element:?}{}", at(statement))
            }
            ParseError::WrongType {
                statement,
                element,
                expected,
            } => {
                write!(f, "element {element:?}{} must be {expected}", at(statement))
            }
            ParseError::InvalidVersion(v) => {
                write!(
                    f,
                    "invalid Version {v:?}: use \"2012-10-17\" (or the legacy \"2008-10-17\")"
                )
            }
            ParseError::MissingStatement => f.write_str("the policy has no Statement"),
            ParseError::MissingEffect { statement } => {
                write!(f, "statement {} has no Effect", statement + 1)
            }
            ParseError::InvalidEffect { statement, effect } => {
                write!(
                    f,
                    "statement {}: Effect must be \"Allow\" or \"Deny\", not {effect:?}",
                    statement + 1
                )
            }
            ParseError::MissingAction { statement } => {
                write!(f, "statement {} has neither Action nor NotAction", statement + 1)
            }
            ParseError::Conflicting { statement, element } => {
                write!(
                    f,
                    "statement {} has both {element} and Not{element}",
                    statement + 1
                )
            }
            ParseError::UnknownConditionOperator { statement, operator } => {
                write!(
                    f,
                    "statement {}: unknown condition operator {operator:?}",
                    statement + 1
                )
            }
            ParseError::UnknownPrincipalType { statement, kind } => write!(
                f,
                "statement {}: principal type {kind:?} is not AWS, Service, Federated or CanonicalUser",
                statement + 1
            ),
        }
    }
}

impl std::error::Error for ParseError {}

impl Policy {
    /// Parses a policy document from JSON text.
    pub fn parse(text: &str) -> Result<Policy, ParseError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ParseError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Policy::from_json(&value)
    }

    /// Reads a policy document from a JSON value.
    pub fn from_json(value: &Value) -> Result<Policy, ParseError> {
        let object = value.as_object().ok_or(ParseError::NotAnObject)?;
        let mut policy = Policy {
            version: None,
            id: None,
            statements: Vec::new(),
        };
        let mut saw_statement = false;
        for (name, value) in object {
            match name.as_str() {
                grammar::VERSION => policy.version = Some(parse_version(value)?),
                grammar::ID => policy.id = Some(string(value, None, grammar::ID)?),
                grammar::STATEMENT => {
                    saw_statement = true;
                    policy.statements = parse_statements(value)?;
                }
                other => {
                    return Err(ParseError::UnknownElement {
                        statement: None,
                        element: other.into(),
                    })
                }
            }
        }
        if !saw_statement {
            return Err(ParseError::MissingStatement);
        }
        Ok(policy)
    }

    /// The policy as a JSON value (arrays everywhere a list is allowed).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if let Some(version) = self.version {
            out.insert(grammar::VERSION.into(), version.as_str().into());
        }
        if let Some(id) = &self.id {
            out.insert(grammar::ID.into(), id.as_str().into());
        }
        let statements = self.statements.iter().map(Statement::to_json).collect();
        out.insert(grammar::STATEMENT.into(), Value::Array(statements));
        Value::Object(out)
    }
}

impl Statement {
    /// The statement as a JSON value.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if let Some(sid) = &self.sid {
            out.insert(grammar::SID.into(), sid.as_str().into());
        }
        out.insert(grammar::EFFECT.into(), self.effect.as_str().into());
        if let Some(p) = &self.principal {
            out.insert(Negatable::Principal.named(p.negated).into(), p.items.to_json());
        }
        out.insert(
            Negatable::Action.named(self.action.negated).into(),
            strings_json(&self.action.items),
        );
        if let Some(r) = &self.resource {
            out.insert(
                Negatable::Resource.named(r.negated).into(),
                strings_json(&r.items),
            );
        }
        if !self.conditions.is_empty() {
            let mut block = Map::new();
            for c in &self.conditions {
                let entry = block
                    .entry(c.operator.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(keys) = entry {
                    keys.insert(c.key.clone(), strings_json(&c.values));
                }
            }
            out.insert(grammar::CONDITION.into(), Value::Object(block));
        }
        Value::Object(out)
    }
}

impl PrincipalSet {
    /// The principal element as a JSON value (`"*"` for everyone).
    pub fn to_json(&self) -> Value {
        if self.everyone {
            return "*".into();
        }
        let mut out = Map::new();
        for (name, list) in [
            (grammar::AWS, &self.aws),
            (grammar::SERVICE, &self.service),
            (grammar::FEDERATED, &self.federated),
            (grammar::CANONICAL_USER, &self.canonical_user),
        ] {
            if !list.is_empty() {
                out.insert(name.into(), strings_json(list));
            }
        }
        Value::Object(out)
    }
}

fn strings_json(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.clone())).collect())
}

fn parse_version(value: &Value) -> Result<Version, ParseError> {
    match value.as_str() {
        Some("2012-10-17") => Ok(Version::V2012_10_17),
        Some("2008-10-17") => Ok(Version::V2008_10_17),
        Some(other) => Err(ParseError::InvalidVersion(other.into())),
        None => Err(ParseError::InvalidVersion(value.to_string())),
    }
}

fn parse_statements(value: &Value) -> Result<Vec<Statement>, ParseError> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, s)| parse_statement(i, s))
            .collect(),
        Value::Object(_) => Ok(vec![parse_statement(0, value)?]),
        _ => Err(ParseError::WrongType {
            statement: None,
            element: grammar::STATEMENT.into(),
            expected: "an object or an array of objects",
        }),
    }
}

fn parse_statement(index: usize, value: &Value) -> Result<Statement, ParseError> {
    let object = value.as_object().ok_or(ParseError::WrongType {
        statement: Some(index),
        element: grammar::STATEMENT.into(),
        expected: "an object",
    })?;
    let mut sid = None;
    let mut effect = None;
    let mut principal = None;
    let mut action = None;
    let mut resource = None;
    let mut conditions = Vec::new();
    for (name, value) in object {
        let at = Some(index);
        if let Some((element, negated)) = Negatable::of(name) {
            match element {
                Negatable::Principal => {
                    set_once(
                        &mut principal,
                        index,
                        element,
                        negated,
                        parse_principal(index, value)?,
                    )?;
                }
                Negatable::Action => {
                    set_once(&mut action, index, element, negated, strings(value, at, name)?)?;
                }
                Negatable::Resource => {
                    set_once(&mut resource, index, element, negated, strings(value, at, name)?)?;
                }
            }
            continue;
        }
        match name.as_str() {
            grammar::SID => sid = Some(string(value, at, grammar::SID)?),
            grammar::EFFECT => effect = Some(parse_effect(index, value)?),
            grammar::CONDITION => conditions = parse_conditions(index, value)?,
            other => {
                return Err(ParseError::UnknownElement {
                    statement: at,
                    element: other.into(),
                })
            }
        }
    }
    Ok(Statement {
        sid,
        effect: effect.ok_or(ParseError::MissingEffect { statement: index })?,
        principal,
        action: action.ok_or(ParseError::MissingAction { statement: index })?,
        resource,
        conditions,
    })
}

fn set_once<T>(
    slot: &mut Option<Listed<T>>,
    statement: usize,
    element: Negatable,
    negated: bool,
    items: T,
) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::Conflicting {
            statement,
            element: element.name(),
        });
    }
    *slot = Some(Listed { negated, items });
    Ok(())
}

fn parse_effect(statement: usize, value: &Value) -> Result<Effect, ParseError> {
    match value.as_str() {
        Some("Allow") => Ok(Effect::Allow),
        Some("Deny") => Ok(Effect::Deny),
        _ => Err(ParseError::InvalidEffect {
            statement,
            effect: value.as_str().map_or_else(|| value.to_string(), str::to_string),
        }),
    }
}

fn parse_principal(statement: usize, value: &Value) -> Result<PrincipalSet, ParseError> {
    let at = Some(statement);
    match value {
        Value::String(s) if s == "*" => Ok(PrincipalSet {
            everyone: true,
            ..PrincipalSet::default()
        }),
        Value::Object(kinds) => {
            let mut set = PrincipalSet::default();
            for (kind, list) in kinds {
                let list = strings(list, at, kind)?;
                match kind.as_str() {
                    grammar::AWS => set.aws = list,
                    grammar::SERVICE => set.service = list,
                    grammar::FEDERATED => set.federated = list,
                    grammar::CANONICAL_USER => set.canonical_user = list,
                    other => {
                        return Err(ParseError::UnknownPrincipalType {
                            statement,
                            kind: other.into(),
                        })
                    }
                }
            }
            Ok(set)
        }
        _ => Err(ParseError::WrongType {
            statement: at,
            element: grammar::PRINCIPAL.into(),
            expected: "\"*\" or an object such as {\"AWS\": …}",
        }),
    }
}

fn parse_conditions(statement: usize, value: &Value) -> Result<Vec<Condition>, ParseError> {
    let wrong = |element: &str| ParseError::WrongType {
        statement: Some(statement),
        element: element.into(),
        expected: "an object of operator → {key → value(s)}",
    };
    let mut out = Vec::new();
    for (operator_name, keys) in value.as_object().ok_or_else(|| wrong(grammar::CONDITION))? {
        let operator =
            Operator::parse(operator_name).ok_or_else(|| ParseError::UnknownConditionOperator {
                statement,
                operator: operator_name.clone(),
            })?;
        for (key, values) in keys.as_object().ok_or_else(|| wrong(operator_name))? {
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values: condition_values(values, statement, key)?,
            });
        }
    }
    Ok(out)
}

/// Condition values: strings, numbers and booleans (stringified), or an array of them.
fn condition_values(value: &Value, statement: usize, key: &str) -> Result<Vec<String>, ParseError> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let items: Option<Vec<String>> = match value {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => scalar(other).map(|s| vec![s]),
    };
    items.ok_or_else(|| ParseError::WrongType {
        statement: Some(statement),
        element: key.into(),
        expected: "a string, number, boolean or an array of them",
    })
}

fn string(value: &Value, statement: Option<usize>, element: &str) -> Result<String, ParseError> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ParseError::WrongType {
            statement,
            element: element.into(),
            expected: "a string",
        })
}

/// A string or an array of strings.
fn strings(value: &Value, statement: Option<usize>, element: &str) -> Result<Vec<String>, ParseError> {
    let wrong = || ParseError::WrongType {
        statement,
        element: element.into(),
        expected: "a string or an array of strings",
    };
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(wrong))
            .collect(),
        _ => Err(wrong()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_may_be_an_object_and_values_strings() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
        )
        .unwrap();
        assert_eq!(p.version, Some(Version::V2012_10_17));
        assert_eq!(p.statements.len(), 1);
        assert_eq!(p.statements[0].action.items, ["s3:GetObject"]);
    }

    #[test]
    fn not_forms_and_principals() {
        let p = Policy::parse(
            r#"{"Statement":[{"Sid":"x","Effect":"Deny","NotPrincipal":{"AWS":["111122223333"],"Service":"s3.amazonaws.com"},
                "NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/*"}]}"#,
        )
        .unwrap();
        let s = &p.statements[0];
        assert_eq!(p.version, None);
        assert!(s.action.negated && s.resource.as_ref().unwrap().negated);
        let principal = s.principal.as_ref().unwrap();
        assert!(principal.negated);
        assert_eq!(principal.items.service, ["s3.amazonaws.com"]);
    }

    #[test]
    fn condition_values_of_every_json_scalar() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
                "Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},
                "ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}}}"#,
        )
        .unwrap();
        let values: Vec<_> = p.statements[0]
            .conditions
            .iter()
            .map(|c| c.values.clone())
            .collect();
        assert!(values.contains(&vec!["10".to_string()]));
        assert!(values.contains(&vec!["true".to_string()]));
        assert!(values.contains(&vec!["a".to_string(), "b".to_string()]));
    }

    #[test]
    fn typed_errors() {
        let e = |t: &str| Policy::parse(t).unwrap_err();
        assert!(matches!(e("{\"Version\": "), ParseError::Json { line: 1, .. }));
        assert_eq!(
            e(r#"{"Version":"2024-10-24","Statement":[]}"#),
            ParseError::InvalidVersion("2024-10-24".into())
        );
        assert!(matches!(
            e(r#"{"Statment":[]}"#),
            ParseError::UnknownElement { .. }
        ));
        assert!(matches!(
            e(r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"*"}]}"#),
            ParseError::Conflicting {
                element: "Action",
                ..
            }
        ));
        assert!(matches!(
            e(r#"{"Statement":[{"Effect":"allow","Action":"*"}]}"#),
            ParseError::InvalidEffect { .. }
        ));
        assert!(matches!(
            e(r#"{"Statement":[{"Effect":"Allow"}]}"#),
            ParseError::MissingAction { .. }
        ));
        assert!(matches!(
            e(r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"StringEq":{"k":"v"}}}]}"#),
            ParseError::UnknownConditionOperator { .. }
        ));
        assert!(matches!(e("[]"), ParseError::NotAnObject));
    }

    #[test]
    fn json_round_trip_keeps_meaning() {
        let text = r#"{"Version":"2012-10-17","Id":"p","Statement":[{"Sid":"a","Effect":"Allow","Principal":"*",
            "Action":["s3:Get*"],"Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"s3:prefix":["x/*"]}}}]}"#;
        let p = Policy::parse(text).unwrap();
        assert_eq!(Policy::from_json(&p.to_json()).unwrap(), p);
    }
}

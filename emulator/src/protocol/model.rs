//! botocore's input shapes of a Query service (vendored in
//! `emulator/data/botocore/<service>.json` by
//! `scripts/gen-botocore-operations.py`), and the validation AWS applies to
//! a request against them before anything else: required members present,
//! string lengths, patterns and enums, integer ranges, list lengths, each
//! part of a list or structure in turn.
//!
//! AWS answers every violation in one `ValidationError`:
//! `N validation error(s) detected: Value 'V' at 'member' failed to satisfy
//! constraint: Member must …; Value …`, the member named with a lower-case
//! first letter and nested parts as `tags.1.member.key`. Patterns are the
//! model's (Java) regular expressions, matched against the whole value.

use super::query::Params;
use crate::error::{lower_first, AwsError, AwsResult};
use regex::Regex;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Shapes whose constraints the service checks itself, answering with its
/// own error: IAM refuses a thumbprint that is not 40 characters with
/// `InvalidInput` "Thumbprint must be exactly 40 characters.", not a
/// `ValidationError`.
const CHECKED_BY_THE_SERVICE: &[&str] = &["thumbprintType"];

/// One Query service's operations and the shapes their inputs use.
#[derive(Debug)]
pub struct Model {
    operations: HashMap<String, Vec<Member>>,
    shapes: HashMap<String, Shape>,
}

#[derive(Debug, Deserialize)]
struct Member {
    name: String,
    #[serde(rename = "ref")]
    shape: String,
    #[serde(default)]
    required: bool,
    /// The name as a validation message writes it (`policyDocument`),
    /// worked out once when the model is read ([`Member::named`]).
    #[serde(skip)]
    message_name: String,
}

impl Member {
    fn named(mut self) -> Self {
        self.message_name = lower_first(&self.name);
        self
    }
}

#[derive(Debug, Deserialize)]
struct RawShape {
    #[serde(rename = "type")]
    kind: String,
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<String>,
    #[serde(rename = "enum", default)]
    values: Vec<String>,
    member: Option<String>,
    #[serde(default)]
    members: Vec<Member>,
}

#[derive(Debug)]
struct Shape {
    kind: Kind,
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<Pattern>,
    values: Vec<String>,
}

#[derive(Debug)]
enum Kind {
    String,
    Integer,
    List(String),
    Structure(Vec<Member>),
    /// Booleans, timestamps, blobs: not checked.
    Other,
}

/// A model pattern as written (for the message) and as compiled.
#[derive(Debug)]
struct Pattern {
    source: String,
    regex: Regex,
    /// `-(?!-)`: a dash not followed by another (the `regex` crate has no
    /// look-ahead; the pattern is compiled without it and this checked apart).
    no_double_dash: bool,
}

#[derive(Debug, Deserialize)]
struct RawModel {
    operations: Vec<RawOperation>,
    #[serde(default)]
    shapes: HashMap<String, RawShape>,
}

#[derive(Debug, Deserialize)]
struct RawOperation {
    name: String,
    input: Vec<Member>,
}

/// The operation names of a vendored botocore summary
/// (`emulator/data/botocore/<service>.json`), in the model's order: the
/// list each service's operation table is walked against.
///
/// # Panics
/// When `model_json` is not such a summary (the vendored files are).
pub fn operation_names(model_json: &str) -> Vec<String> {
    let model: serde_json::Value = serde_json::from_str(model_json).expect("a vendored botocore summary");
    model["operations"]
        .as_array()
        .expect("an operations list")
        .iter()
        .map(|o| o["name"].as_str().expect("an operation name").to_string())
        .collect()
}

/// The law every service's operation table keeps against its vendored
/// botocore model (`model_json`): each of the model's operations has a row
/// (`rows`, the table's operation names) or is listed in `not_served`,
/// never both; no row and no listed name is outside the model; no row
/// comes twice. So an operation the model has and the table lacks fails
/// this rather than a user.
///
/// # Panics
/// When the table breaks the law (it is for tests).
pub fn assert_table_covers(model_json: &str, rows: &[&str], not_served: &[&str]) {
    let names = operation_names(model_json);
    let in_model = |name: &str| names.iter().any(|n| n == name);
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !rows.contains(&n.as_str()) && !not_served.contains(&n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "operations neither served nor listed as not served: {missing:?}"
    );
    for name in not_served {
        assert!(
            !rows.contains(name),
            "{name} has a row: take it off the not-served list"
        );
        assert!(in_model(name), "{name} (not served) is not in botocore's model");
    }
    for (i, name) in rows.iter().enumerate() {
        assert!(in_model(name), "{name} has a row but is not in botocore's model");
        assert!(!rows[i + 1..].contains(name), "{name} has two rows");
    }
}

impl Model {
    /// IAM's model.
    pub fn iam() -> &'static Model {
        static IAM: OnceLock<Model> = OnceLock::new();
        IAM.get_or_init(|| Model::parse(include_str!("../../data/botocore/iam.json")))
    }

    /// STS's model.
    pub fn sts() -> &'static Model {
        static STS: OnceLock<Model> = OnceLock::new();
        STS.get_or_init(|| Model::parse(include_str!("../../data/botocore/sts.json")))
    }

    /// Reads a vendored model; it is generated, so a failure is a build
    /// defect, caught by the tests.
    fn parse(text: &str) -> Model {
        let raw: RawModel = serde_json::from_str(text).expect("vendored botocore model");
        let shapes = raw
            .shapes
            .into_iter()
            .map(|(name, shape)| (name, Shape::from_raw(shape)))
            .collect();
        let operations = raw
            .operations
            .into_iter()
            .map(|o| (o.name, o.input.into_iter().map(Member::named).collect()))
            .collect();
        Model { operations, shapes }
    }

    /// Whether the model has the operation.
    pub fn has(&self, operation: &str) -> bool {
        self.operations.contains_key(operation)
    }

    /// Checks `params` against the operation's input shape; every
    /// violation is listed in one `ValidationError`. An operation the model
    /// does not have passes (there is nothing to check it against).
    pub fn validate(&self, operation: &str, params: &Params) -> AwsResult<()> {
        let Some(members) = self.operations.get(operation) else {
            return Ok(());
        };
        let mut errors = Vec::new();
        for member in members {
            self.check_member(member, &member.name, &member.message_name, params, &mut errors);
        }
        match errors.len() {
            0 => Ok(()),
            1 => Err(AwsError::validation(format!(
                "1 validation error detected: {}",
                errors[0]
            ))),
            n => Err(AwsError::validation(format!(
                "{n} validation errors detected: {}",
                errors.join("; ")
            ))),
        }
    }

    /// Checks the member found under the parameter name `key` (`Tags`,
    /// `Tags.member.1.Key`), named `path` in messages.
    fn check_member(
        &self,
        member: &Member,
        key: &str,
        path: &str,
        params: &Params,
        errors: &mut Vec<String>,
    ) {
        let Some(shape) = self.shapes.get(&member.shape) else {
            return;
        };
        if !self.present(shape, key, params) {
            if member.required {
                errors.push(format!(
                    "Value null at '{path}' failed to satisfy constraint: Member must not be null"
                ));
            }
            return;
        }
        if CHECKED_BY_THE_SERVICE.contains(&member.shape.as_str()) {
            return;
        }
        self.check_value(shape, key, path, params, errors);
    }

    /// Whether the request carries a value of `shape` under `key`.
    fn present(&self, shape: &Shape, key: &str, params: &Params) -> bool {
        match &shape.kind {
            Kind::List(item) => self.list_len(item, key, params) > 0,
            Kind::Structure(fields) => fields.iter().any(|f| {
                self.shapes
                    .get(&f.shape)
                    .is_some_and(|s| self.present(s, &format!("{key}.{}", f.name), params))
            }),
            _ => params.get(key).is_some(),
        }
    }

    /// How many members a list has: `key.member.1`, `key.member.2`, … (the
    /// first one missing ends it, as IAM reads lists).
    fn list_len(&self, item: &str, key: &str, params: &Params) -> usize {
        let Some(item_shape) = self.shapes.get(item) else {
            return 0;
        };
        // A request holds finitely many parameters, so the list ends.
        (1..=usize::MAX)
            .take_while(|n| self.present(item_shape, &format!("{key}.member.{n}"), params))
            .count()
    }

    fn check_value(&self, shape: &Shape, key: &str, path: &str, params: &Params, errors: &mut Vec<String>) {
        match &shape.kind {
            Kind::String => {
                let value = params.get(key).unwrap_or_default();
                check_string(shape, value, path, errors);
            }
            Kind::Integer => {
                let value = params.get(key).unwrap_or_default();
                check_integer(shape, value, path, errors);
            }
            Kind::List(item) => {
                let len = self.list_len(item, key, params);
                let shown = || self.list_text(item, key, len, params);
                check_length(shape, len, &shown, path, errors);
                let Some(item_shape) = self.shapes.get(item) else {
                    return;
                };
                if CHECKED_BY_THE_SERVICE.contains(&item.as_str()) {
                    return;
                }
                for n in 1..=len {
                    let item_key = format!("{key}.member.{n}");
                    let item_path = format!("{path}.{n}.member");
                    self.check_value(item_shape, &item_key, &item_path, params, errors);
                }
            }
            Kind::Structure(fields) => {
                for field in fields {
                    let field_key = format!("{key}.{}", field.name);
                    let field_path = format!("{path}.{}", field.message_name);
                    self.check_member(field, &field_key, &field_path, params, errors);
                }
            }
            Kind::Other => {}
        }
    }

    /// A list as AWS shows it in a message: `[a, b]` (structures as `…`).
    fn list_text(&self, item: &str, key: &str, len: usize, params: &Params) -> String {
        let scalar = self
            .shapes
            .get(item)
            .is_some_and(|s| matches!(s.kind, Kind::String | Kind::Integer));
        let items: Vec<String> = (1..=len)
            .map(|n| {
                if scalar {
                    params
                        .get(&format!("{key}.member.{n}"))
                        .unwrap_or_default()
                        .to_string()
                } else {
                    "…".to_string()
                }
            })
            .collect();
        format!("[{}]", items.join(", "))
    }
}

impl Shape {
    fn from_raw(raw: RawShape) -> Shape {
        let kind = match raw.kind.as_str() {
            "string" => Kind::String,
            "integer" | "long" => Kind::Integer,
            "list" => Kind::List(raw.member.unwrap_or_default()),
            "structure" => Kind::Structure(raw.members.into_iter().map(Member::named).collect()),
            _ => Kind::Other,
        };
        Shape {
            kind,
            min: raw.min,
            max: raw.max,
            pattern: raw.pattern.and_then(|p| Pattern::compile(&p)),
            values: raw.values,
        }
    }
}

impl Pattern {
    /// Compiles a model pattern; `None` when it cannot be (then it is not
    /// checked: the handler validates what the pattern would have).
    fn compile(source: &str) -> Option<Pattern> {
        let no_double_dash = source.contains("-(?!-)");
        let translated = translate(&source.replace("-(?!-)", "-"));
        let regex = Regex::new(&format!("^(?:{translated})$")).ok()?;
        Some(Pattern {
            source: source.to_string(),
            regex,
            no_double_dash,
        })
    }

    fn matches(&self, value: &str) -> bool {
        self.regex.is_match(value) && !(self.no_double_dash && value.contains("--"))
    }
}

/// A Java regular expression in the `regex` crate's syntax: `\uXXXX` →
/// `\x{XXXX}`, and `\w` / `\d` ASCII-only, as Java's are.
fn translate(java: &str) -> String {
    let mut out = String::with_capacity(java.len() + 16);
    let mut chars = java.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push_str("\\x{");
                    out.push_str(&hex);
                    out.push('}');
                }
                Some('w') if in_class => out.push_str("[:word:]"),
                Some('w') => out.push_str("[[:word:]]"),
                Some('d') if in_class => out.push_str("[:digit:]"),
                Some('d') => out.push_str("[[:digit:]]"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn check_string(shape: &Shape, value: &str, path: &str, errors: &mut Vec<String>) {
    // Java counts a string's length in UTF-16 code units.
    let len = value.encode_utf16().count();
    check_length(shape, len, &|| value.to_string(), path, errors);
    if let Some(pattern) = &shape.pattern {
        if !pattern.matches(value) {
            errors.push(format!(
                "Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {}",
                pattern.source
            ));
        }
    }
    if !shape.values.is_empty() && !shape.values.iter().any(|v| v == value) {
        errors.push(format!(
            "Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            shape.values.join(", ")
        ));
    }
}

fn check_length(shape: &Shape, len: usize, shown: &dyn Fn() -> String, path: &str, errors: &mut Vec<String>) {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    if let Some(min) = shape.min.filter(|min| len < *min) {
        errors.push(format!(
            "Value '{}' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min}",
            shown()
        ));
    }
    if let Some(max) = shape.max.filter(|max| len > *max) {
        errors.push(format!(
            "Value '{}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max}",
            shown()
        ));
    }
}

fn check_integer(shape: &Shape, text: &str, path: &str, errors: &mut Vec<String>) {
    let Ok(value) = text.trim().parse::<i64>() else {
        errors.push(format!(
            "Value '{text}' at '{path}' failed to satisfy constraint: Member must be a number"
        ));
        return;
    };
    if let Some(min) = shape.min.filter(|min| value < *min) {
        errors.push(format!(
            "Value '{value}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {min}"
        ));
    }
    if let Some(max) = shape.max.filter(|max| value > *max) {
        errors.push(format!(
            "Value '{value}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {max}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(operation: &str, pairs: &[(&str, &str)]) -> Result<(), String> {
        Model::iam()
            .validate(operation, &Params::from_pairs(pairs.iter().copied()))
            .map_err(|e| e.message)
    }

    #[test]
    fn every_pattern_of_the_vendored_models_compiles() {
        for text in [
            include_str!("../../data/botocore/iam.json"),
            include_str!("../../data/botocore/sts.json"),
        ] {
            let raw: RawModel = serde_json::from_str(text).unwrap();
            for (name, shape) in raw.shapes {
                if let Some(p) = shape.pattern {
                    assert!(Pattern::compile(&p).is_some(), "{name}: {p}");
                }
            }
        }
    }

    #[test]
    fn a_request_within_the_shapes_passes() {
        check("CreateUser", &[("UserName", "alice"), ("Path", "/eng/")]).unwrap();
        check(
            "TagUser",
            &[
                ("UserName", "alice"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "blue sky"),
            ],
        )
        .unwrap();
    }

    #[test]
    fn a_missing_required_member_is_null() {
        assert_eq!(
            check("CreateUser", &[]).unwrap_err(),
            "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn patterns_match_the_whole_value_with_ascii_word_characters() {
        let err = check("CreateUser", &[("UserName", "bad name")]).unwrap_err();
        assert!(
            err.ends_with("Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
            "{err}"
        );
        assert!(check("CreateUser", &[("UserName", "émile")]).is_err());
        assert!(check("CreateUser", &[("UserName", "a"), ("Path", "eng")]).is_err());
    }

    #[test]
    fn every_violation_is_listed() {
        let long = "a".repeat(65);
        let err = check("CreateUser", &[("UserName", &long), ("Path", "x")]).unwrap_err();
        assert!(err.starts_with("2 validation errors detected: "), "{err}");
        assert!(err.contains(
            "at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"
        ));
        assert!(err.contains(
            "at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern"
        ));
    }

    #[test]
    fn nested_parts_are_named_by_position() {
        let err = check(
            "TagUser",
            &[
                ("UserName", "alice"),
                ("Tags.member.1.Key", "ok"),
                ("Tags.member.1.Value", "v"),
                ("Tags.member.2.Value", "no key"),
            ],
        )
        .unwrap_err();
        assert!(err.contains("Value null at 'tags.2.member.key'"), "{err}");
    }

    #[test]
    fn integers_enums_and_list_lengths() {
        let err = check("ListUsers", &[("MaxItems", "0")]).unwrap_err();
        assert!(
            err.contains("Member must have value greater than or equal to 1"),
            "{err}"
        );
        let err = check("ListPolicies", &[("Scope", "Everything")]).unwrap_err();
        assert!(
            err.contains("Member must satisfy enum value set: [All, AWS, Local]"),
            "{err}"
        );
        let mut pairs = vec![("UserName".to_string(), "alice".to_string())];
        for n in 1..=51 {
            pairs.push((format!("Tags.member.{n}.Key"), format!("k{n}")));
            pairs.push((format!("Tags.member.{n}.Value"), "v".into()));
        }
        let params = Params::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let err = Model::iam().validate("TagUser", &params).unwrap_err().message;
        assert!(
            err.contains(
                "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_look_ahead_is_checked_apart() {
        assert!(check("CreateAccountAlias", &[("AccountAlias", "my-alias")]).is_ok());
        assert!(check("CreateAccountAlias", &[("AccountAlias", "my--alias")]).is_err());
    }

    const TWO: &str = r#"{"operations": [{"name": "A"}, {"name": "B"}]}"#;

    #[test]
    fn a_table_covering_its_model_passes() {
        super::assert_table_covers(TWO, &["A"], &["B"]);
        super::assert_table_covers(TWO, &["B", "A"], &[]);
    }

    #[test]
    #[should_panic(expected = "neither served nor listed")]
    fn an_operation_without_a_row_fails() {
        super::assert_table_covers(TWO, &["A"], &[]);
    }

    #[test]
    #[should_panic(expected = "is not in botocore's model")]
    fn a_row_outside_the_model_fails() {
        super::assert_table_covers(TWO, &["A", "B", "C"], &[]);
    }

    #[test]
    #[should_panic(expected = "take it off")]
    fn a_served_operation_listed_as_not_served_fails() {
        super::assert_table_covers(TWO, &["A", "B"], &["B"]);
    }

    #[test]
    #[should_panic(expected = "two rows")]
    fn a_row_twice_fails() {
        super::assert_table_covers(TWO, &["A", "B", "A"], &[]);
    }
}

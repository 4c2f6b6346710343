//! IAM's write-time checks: what PutUserPolicy, PutGroupPolicy,
//! PutRolePolicy, CreatePolicy, CreatePolicyVersion, CreateRole /
//! UpdateAssumeRolePolicy and S3's PutBucketPolicy refuse, in IAM's order,
//! each stage with its one message (IAM reports only the first):
//!
//! 1. grammar: not JSON, not an object, an unknown element, a wrong type,
//!    a `Version` other than `2012-10-17`/`2008-10-17`, no statement →
//!    `Syntax errors in policy.`;
//! 2. version → `Policy document must be version 2012-10-17 or greater.`
//!    (see [`WriteTarget`] for when it applies);
//! 3. the legacy parser: `Effect` case, date condition values, resource
//!    ARNs → `The policy failed legacy parsing`;
//! 4. `Statement IDs (SID) in a single policy must be unique.`;
//! 5. `Policy statement must contain actions.`, then (not for trust
//!    policies) `… resources.`;
//! 6. the first resource ARN format error: `Resource X must be in ARN
//!    format or "*".`, `Partition "p" is not valid for resource "…".`, …;
//! 7. action vendors: `Actions/Conditions must be prefaced by a vendor, …`,
//!    `Actions/Condition can contain only one colon.`, `Vendor X is not valid`;
//! 8. what the document's kind requires (a trust policy names principals
//!    and no resources; a bucket policy names principals and S3 actions
//!    that apply to its resources).
//!
//! Sources: the order and messages are IAM's as moto's
//! `iam/policy_validation.py` records them (its tests were written against
//! IAM's replies); "Policy document should not specify a principal." is
//! CreatePolicy's reply to an identity policy with a `Principal`; the trust
//! and bucket policy messages are those the emulator already gave
//! (CONTRACT.md, "Policy documents").

use super::action::{self, Lookup, VendorError};
use super::json_span::{self, Json, Node};
use super::tree::{self, StatementRef};
use crate::condition::{Comparison, Operator};
use crate::grammar::{self, Negatable};
use crate::policy::Policy;
use std::fmt;

/// What is being written; the checks differ a little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteTarget {
    /// CreatePolicy, CreatePolicyVersion: `Version` must be `2012-10-17`
    /// (IAM answers a document without it, or with `2008-10-17`, "Policy
    /// document must be version 2012-10-17 or greater.").
    ManagedPolicy,
    /// Put{User,Group,Role}Policy: `2012-10-17` is required when the
    /// document uses policy variables (`2008-10-17` would read `${…}` as
    /// text).
    InlinePolicy,
    /// A role's trust policy: as inline, and it names principals and no
    /// resources.
    TrustPolicy,
    /// An S3 bucket policy: principals required, S3 actions only, each
    /// action applying to some resource of the statement.
    BucketPolicy,
}

/// A resource ARN IAM refuses when the policy is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceError {
    NotArn(String),
    Partition { partition: String, resource: String },
    VendorNotQualified,
    IamRegion(String),
    S3Region(String),
    IamPath,
}

/// IAM resource paths (moto's `VALID_RESOURCE_PATH_STARTING_VALUES`).
const IAM_PATHS: &[&str] = &[
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
];

impl fmt::Display for ResourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceError::NotArn(r) => write!(f, "Resource {r} must be in ARN format or \"*\"."),
            ResourceError::Partition { partition, resource } => write!(
                f,
                "Partition \"{partition}\" is not valid for resource \"{resource}\"."
            ),
            ResourceError::VendorNotQualified => {
                f.write_str("Resource vendor must be fully qualified and cannot contain regexes.")
            }
            ResourceError::IamRegion(r) => write!(f, "IAM resource {r} cannot contain region information."),
            ResourceError::S3Region(r) => write!(f, "Resource {r} can not contain region information."),
            ResourceError::IamPath => write!(
                f,
                "IAM resource path must either be \"*\" or start with {}.",
                IAM_PATHS.join(", ")
            ),
        }
    }
}

/// Why a policy cannot be written. [`WriteError::iam_message`] is IAM's
/// `MalformedPolicyDocument` message; `Display` says more, in the
/// emulator's words, for logs and S3's "Invalid policy syntax." detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    Syntax(String),
    VersionRequired,
    LegacyParsing(String),
    DuplicateSid(String),
    MissingActions,
    MissingResources,
    Resource(ResourceError),
    Vendor(VendorError),
    /// An identity policy with `Principal`/`NotPrincipal`.
    PrincipalInIdentityPolicy,
    /// A trust policy with `Resource`/`NotResource`.
    ProhibitedResource,
    /// A trust or bucket policy statement without `Principal`.
    MissingPrincipal,
    /// Bucket policies: an action that is not an S3 action.
    UnknownAction(String),
    /// Bucket policies: an action none of the statement's resources is for.
    ActionAppliesToNoResource(String),
}

impl WriteError {
    /// IAM's `MalformedPolicyDocument` message.
    pub fn iam_message(&self) -> String {
        match self {
            WriteError::Syntax(_) => "Syntax errors in policy.".into(),
            WriteError::VersionRequired => "Policy document must be version 2012-10-17 or greater.".into(),
            WriteError::LegacyParsing(_) => "The policy failed legacy parsing".into(),
            WriteError::DuplicateSid(_) => "Statement IDs (SID) in a single policy must be unique.".into(),
            WriteError::MissingActions => "Policy statement must contain actions.".into(),
            WriteError::MissingResources => "Policy statement must contain resources.".into(),
            WriteError::Resource(e) => e.to_string(),
            WriteError::Vendor(e) => e.to_string(),
            WriteError::PrincipalInIdentityPolicy => "Policy document should not specify a principal.".into(),
            WriteError::ProhibitedResource => "Has prohibited field Resource".into(),
            WriteError::MissingPrincipal => "Missing required field Principal".into(),
            WriteError::UnknownAction(_) => "Policy has invalid action".into(),
            WriteError::ActionAppliesToNoResource(_) => {
                "Action does not apply to any resource(s) in statement".into()
            }
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Syntax(detail) | WriteError::LegacyParsing(detail) => f.write_str(detail),
            WriteError::DuplicateSid(sid) => write!(f, "Sid {sid:?} is used by more than one statement"),
            WriteError::UnknownAction(a) => write!(f, "{a:?} is not an S3 action"),
            WriteError::ActionAppliesToNoResource(a) => {
                write!(f, "{a} applies to none of the statement's resources")
            }
            other => f.write_str(&other.iam_message()),
        }
    }
}

impl std::error::Error for WriteError {}

/// Checks a policy document as IAM does when it is written and, when it
/// passes, returns it parsed.
pub fn check_write(text: &str, target: WriteTarget) -> Result<Policy, WriteError> {
    let root = json_span::parse(text).map_err(|e| WriteError::Syntax(e.to_string()))?;
    grammar(&root)?;
    let statements = tree::statements(&root);
    version(&root, target)?;
    let resource_error = legacy(&statements)?;
    unique_sids(&statements)?;
    for s in &statements {
        present(s, Negatable::Action, WriteError::MissingActions)?;
    }
    if target != WriteTarget::TrustPolicy {
        for s in &statements {
            present(s, Negatable::Resource, WriteError::MissingResources)?;
        }
    }
    if let Some(e) = resource_error {
        return Err(WriteError::Resource(e));
    }
    for element in [grammar::ACTION, grammar::NOT_ACTION] {
        for s in &statements {
            for item in items(s, element) {
                action::check_vendor(item).map_err(WriteError::Vendor)?;
            }
        }
    }
    for s in &statements {
        kind_rules(s, target)?;
    }
    Policy::parse(text).map_err(|e| WriteError::Syntax(e.to_string()))
}

fn syntax(detail: impl Into<String>) -> WriteError {
    WriteError::Syntax(detail.into())
}

/// Stage 1: the policy grammar.
fn grammar(root: &Node) -> Result<(), WriteError> {
    let members = root
        .as_object()
        .ok_or_else(|| syntax("a policy document must be a JSON object"))?;
    for m in members {
        match m.key.as_str() {
            grammar::VERSION => {
                if !matches!(m.value.as_str(), Some("2012-10-17" | "2008-10-17")) {
                    return Err(syntax(
                        "Version must be \"2012-10-17\" (or the legacy \"2008-10-17\")",
                    ));
                }
            }
            grammar::ID => string(&m.value, grammar::ID)?,
            grammar::STATEMENT => {}
            other => return Err(syntax(format!("unknown element {other:?}"))),
        }
    }
    let statement = root
        .get(grammar::STATEMENT)
        .ok_or_else(|| syntax("the policy has no Statement"))?;
    match &statement.value.value {
        Json::Object(_) => statement_grammar(&statement.value, 1),
        Json::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| statement_grammar(item, i + 1)),
        _ => Err(syntax(
            "Statement must be an object or a non-empty array of objects",
        )),
    }
}

fn string(node: &Node, element: &str) -> Result<(), WriteError> {
    node.as_str()
        .map(|_| ())
        .ok_or_else(|| syntax(format!("{element} must be a string")))
}

fn string_or_strings(node: &Node, element: &str) -> Result<(), WriteError> {
    tree::string_items(node)
        .map(|_| ())
        .ok_or_else(|| syntax(format!("{element} must be a string or an array of strings")))
}

fn statement_grammar(node: &Node, number: usize) -> Result<(), WriteError> {
    let at = |text: String| syntax(format!("statement {number}: {text}"));
    let members = node
        .as_object()
        .ok_or_else(|| at("a statement must be an object".into()))?;
    if let Some(m) = members
        .iter()
        .find(|m| !grammar::STATEMENT_ELEMENTS.contains(&m.key.as_str()))
    {
        return Err(at(format!("unknown element {:?}", m.key)));
    }
    for element in [Negatable::Action, Negatable::Resource, Negatable::Principal] {
        let (name, not) = (element.name(), element.negated_name());
        if node.get(name).is_some() && node.get(not).is_some() {
            return Err(at(format!("both {name} and {not}")));
        }
    }
    let effect = node.get(grammar::EFFECT).ok_or_else(|| at("no Effect".into()))?;
    if !effect
        .value
        .as_str()
        .is_some_and(|e| e.eq_ignore_ascii_case("Allow") || e.eq_ignore_ascii_case("Deny"))
    {
        return Err(at("Effect must be Allow or Deny".into()));
    }
    for m in members {
        let key = m.key.as_str();
        match Negatable::of(key) {
            Some((Negatable::Principal, _)) => principal_grammar(&m.value)?,
            Some(_) => string_or_strings(&m.value, key)?,
            None if key == grammar::SID => string(&m.value, grammar::SID)?,
            None if key == grammar::CONDITION => condition_grammar(&m.value)?,
            None => {}
        }
    }
    Ok(())
}

fn principal_grammar(node: &Node) -> Result<(), WriteError> {
    match &node.value {
        Json::String(s) if s == "*" => Ok(()),
        Json::Object(kinds) => kinds.iter().try_for_each(|k| {
            if grammar::PRINCIPAL_TYPES.contains(&k.key.as_str()) {
                string_or_strings(&k.value, &k.key)
            } else {
                Err(syntax(format!("unknown principal type {:?}", k.key)))
            }
        }),
        _ => Err(syntax("Principal must be \"*\" or an object")),
    }
}

fn condition_grammar(node: &Node) -> Result<(), WriteError> {
    let operators = node
        .as_object()
        .ok_or_else(|| syntax("Condition must be an object"))?;
    for op in operators {
        if Operator::parse(&op.key).is_none() {
            return Err(syntax(format!("unknown condition operator {:?}", op.key)));
        }
        let keys = op
            .value
            .as_object()
            .ok_or_else(|| syntax(format!("{} must be an object of keys", op.key)))?;
        for key in keys {
            if condition_values(&key.value).is_none() {
                return Err(syntax(format!(
                    "condition {:?} must be a string, number, boolean or an array of them",
                    key.key
                )));
            }
        }
    }
    Ok(())
}

/// Condition values as text: strings, numbers and booleans, or an array
/// of them; `None` for other shapes.
fn condition_values(node: &Node) -> Option<Vec<String>> {
    let scalar = |n: &Node| match &n.value {
        Json::String(s) | Json::Number(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match &node.value {
        Json::Array(items) => items.iter().map(scalar).collect(),
        _ => scalar(node).map(|s| vec![s]),
    }
}

/// Stage 2: the language version.
fn version(root: &Node, target: WriteTarget) -> Result<(), WriteError> {
    let current = root.get("Version").and_then(|m| m.value.as_str()) == Some("2012-10-17");
    let required = match target {
        WriteTarget::ManagedPolicy => true,
        WriteTarget::InlinePolicy | WriteTarget::TrustPolicy => tree::uses_variables(root),
        WriteTarget::BucketPolicy => false,
    };
    if required && !current {
        Err(WriteError::VersionRequired)
    } else {
        Ok(())
    }
}

/// The strings of a statement's element (empty when absent).
fn items<'a>(s: &StatementRef<'a>, element: &str) -> Vec<&'a str> {
    s.member(element)
        .and_then(|m| tree::string_items(&m.value))
        .map(|items| items.into_iter().map(|i| i.text).collect())
        .unwrap_or_default()
}

/// Stage 3: the legacy parser. Returns the resource format error to
/// report after stages 4 and 5 (IAM keeps the last one it meets).
fn legacy(statements: &[StatementRef]) -> Result<Option<ResourceError>, WriteError> {
    for s in statements {
        legacy_statement(s)?;
    }
    let mut recorded = None;
    for element in [grammar::RESOURCE, grammar::NOT_RESOURCE] {
        for s in statements {
            let Some(m) = s.member(element) else { continue };
            let mut resources = items(s, element);
            if matches!(m.value.value, Json::Array(_)) {
                resources.sort_unstable_by(|a, b| b.cmp(a));
            }
            for r in &resources {
                if let Err(e) = resource_format(r) {
                    recorded = Some(e);
                }
            }
            if recorded.is_none() {
                resources.iter().try_for_each(|r| legacy_resource(r))?;
            }
        }
    }
    Ok(recorded)
}

fn legacy_statement(s: &StatementRef) -> Result<(), WriteError> {
    let effect = s.member("Effect").and_then(|m| m.value.as_str());
    if !matches!(effect, Some("Allow" | "Deny")) {
        return Err(WriteError::LegacyParsing(format!(
            "statement {}: Effect must be \"Allow\" or \"Deny\" (the case matters)",
            s.number()
        )));
    }
    let Some(operators) = s.member("Condition").and_then(|m| m.value.as_object()) else {
        return Ok(());
    };
    for op in operators {
        let is_date = Operator::parse(&op.key).is_some_and(|o| {
            matches!(
                o.comparison,
                Comparison::DateEquals
                    | Comparison::DateLessThan
                    | Comparison::DateLessThanEquals
                    | Comparison::DateGreaterThan
                    | Comparison::DateGreaterThanEquals
            )
        });
        let keys = op.value.as_object().unwrap_or_default();
        for key in keys.iter().filter(|_| is_date) {
            let values = condition_values(&key.value).unwrap_or_default();
            if let Some(bad) = values
                .iter()
                .find(|v| !tree::has_variable(v) && crate::condition::parse_date(v).is_none())
            {
                return Err(WriteError::LegacyParsing(format!(
                    "statement {}: {bad:?} is not a date for {}",
                    s.number(),
                    op.key
                )));
            }
        }
    }
    Ok(())
}

/// Python's `str.partition(":")`: before, whether found, after.
fn partition(text: &str) -> (&str, bool, &str) {
    match text.split_once(':') {
        Some((before, after)) => (before, true, after),
        None => (text, false, ""),
    }
}

/// Stage 6's checks of one resource (moto's `_validate_resource_format`).
fn resource_format(resource: &str) -> Result<(), ResourceError> {
    if resource == "*" {
        return Ok(());
    }
    let Some((_, rest)) = resource.split_once(':') else {
        return Err(ResourceError::NotArn(resource.to_string()));
    };
    let (partition_name, found, rest) = partition(rest);
    if partition_name != "aws" && partition_name != "*" {
        return Err(ResourceError::Partition {
            partition: partition_name.to_string(),
            resource: padded_arn(partition_name, rest),
        });
    }
    if !found {
        return Err(ResourceError::VendorNotQualified);
    }
    let (service, _, rest) = partition(rest);
    let (region, _, rest) = partition(rest);
    let (account, _, path) = partition(rest);
    if !region.is_empty() {
        if service == "iam" {
            return Err(ResourceError::IamRegion(resource.to_string()));
        }
        // Bucket and object ARNs have neither region nor account; S3's
        // regional resources (access points, jobs …) have both.
        if service == "s3" && account.is_empty() {
            return Err(ResourceError::S3Region(resource.to_string()));
        }
    }
    if service == "iam" && path != "*" && !IAM_PATHS.iter().any(|p| path.starts_with(p)) {
        return Err(ResourceError::IamPath);
    }
    Ok(())
}

/// The ARN as IAM's partition message shows it: missing fields as `*`.
fn padded_arn(partition: &str, rest: &str) -> String {
    let parts: Vec<&str> = rest.split(':').collect();
    let field = |i: usize| parts.get(i).copied().unwrap_or("*");
    let first = if parts[0].is_empty() && parts.len() == 1 {
        "*"
    } else {
        parts[0]
    };
    let tail = if parts.len() > 3 {
        parts[3..].join(":")
    } else {
        "*".to_string()
    };
    format!("arn:{partition}:{first}:{}:{}:{tail}", field(1), field(2))
}

fn legacy_resource(resource: &str) -> Result<(), WriteError> {
    if resource == "*" {
        return Ok(());
    }
    let colons = resource.matches(':').count();
    let service_named = resource.split(':').nth(2).is_some_and(|s| !s.is_empty());
    if (colons >= 5 || !resource.contains("::")) && service_named {
        Ok(())
    } else {
        Err(WriteError::LegacyParsing(format!(
            "resource {resource:?} is not an ARN IAM can read"
        )))
    }
}

fn unique_sids(statements: &[StatementRef]) -> Result<(), WriteError> {
    let mut seen: Vec<&str> = Vec::new();
    for sid in statements
        .iter()
        .filter_map(|s| s.member("Sid").and_then(|m| m.value.as_str()))
        .filter(|sid| !sid.is_empty())
    {
        if seen.contains(&sid) {
            return Err(WriteError::DuplicateSid(sid.to_string()));
        }
        seen.push(sid);
    }
    Ok(())
}

/// `X` or `NotX` present, and not an empty array.
fn present(s: &StatementRef, element: Negatable, error: WriteError) -> Result<(), WriteError> {
    match s.either(element) {
        Some((m, _)) if !matches!(&m.value.value, Json::Array(items) if items.is_empty()) => Ok(()),
        _ => Err(error),
    }
}

/// Stage 8: what each kind of document requires.
fn kind_rules(s: &StatementRef, target: WriteTarget) -> Result<(), WriteError> {
    let has_principal = s.either(Negatable::Principal).is_some();
    match target {
        WriteTarget::ManagedPolicy | WriteTarget::InlinePolicy if has_principal => {
            Err(WriteError::PrincipalInIdentityPolicy)
        }
        WriteTarget::TrustPolicy if s.either(Negatable::Resource).is_some() => {
            Err(WriteError::ProhibitedResource)
        }
        WriteTarget::TrustPolicy | WriteTarget::BucketPolicy if !has_principal => {
            Err(WriteError::MissingPrincipal)
        }
        WriteTarget::BucketPolicy => bucket_actions(s),
        _ => Ok(()),
    }
}

/// A bucket policy's actions are S3 actions, each applying to one of the
/// statement's resources.
fn bucket_actions(s: &StatementRef) -> Result<(), WriteError> {
    let resources = items(s, "Resource");
    for pattern in items(s, "Action") {
        let actions = match action::lookup(pattern) {
            Lookup::Everything => continue,
            Lookup::Actions(actions) | Lookup::WildcardService { actions, .. } => actions,
            _ => return Err(WriteError::UnknownAction(pattern.to_string())),
        };
        if actions.iter().any(|(service, _)| service.prefix != "s3") {
            return Err(WriteError::UnknownAction(pattern.to_string()));
        }
        let applies = resources.is_empty()
            || actions
                .iter()
                .any(|(service, a)| action::applies_to_any(service, a, &resources));
        if !applies {
            return Err(WriteError::ActionAppliesToNoResource(pattern.to_string()));
        }
    }
    Ok(())
}

//! Access Analyzer's policy checks (IAM User Guide, "IAM policy validation
//! check reference"): each finding with AWS's issue code, finding type and
//! `findingDetails` wording, located by path and span.
//!
//! Checked here: JSON_SYNTAX_ERROR, DATA_TYPE_MISMATCH,
//! INVALID_POLICY_ELEMENT, INVALID_VERSION, MISSING_VERSION (warning),
//! VARIABLE_UNSUPPORTED_IN_VERSION, MISSING_STATEMENT, UNIQUE_SIDS_REQUIRED,
//! UNIQUE_SIDS_RECOMMENDED (warning), UNSUPPORTED_SID, EMPTY_SID_VALUE,
//! MISSING_EFFECT, INVALID_EFFECT, UNSUPPORTED_ELEMENT_COMBINATION,
//! MISSING_PRINCIPAL, UNSUPPORTED_PRINCIPAL, SCP_SYNTAX_ERROR_PRINCIPAL,
//! INVALID_PRINCIPAL_FORMAT, INVALID_PRINCIPAL_KEY, MISSING_ACTION,
//! EMPTY_ARRAY_ACTION, INVALID_ACTION, INVALID_SERVICE_IN_ACTION (a
//! wildcard in an action's service is reported so, as Access Analyzer
//! replies for `*:Describe*`), SCP_SYNTAX_ERROR_ACTION_WILDCARD,
//! UNSUPPORTED_ACTION_IN_POLICY, MISSING_RESOURCE, EMPTY_ARRAY_RESOURCE,
//! ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE, INVALID_ARN_PREFIX,
//! MISSING_ARN_FIELD, INVALID_PARTITION, WILDCARD_IN_SERVICE_NAME (a
//! wildcard in a resource ARN's service, the reference's own example),
//! INVALID_ARN_ACCOUNT, INVALID_ARN_RESOURCE,
//! UNSUPPORTED_RESOURCE_ARN_IN_POLICY, INVALID_CONDITION_OPERATOR,
//! EMPTY_OBJECT_CONDITION, the size quotas, PASS_ROLE_WITH_STAR_IN_RESOURCE
//! and PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE (security warnings),
//! REDUNDANT_ACTION, and the emulator's own
//! [`super::EMULATOR_RESOURCE_TYPE_MISMATCH`].

use super::action::{self, Lookup};
use super::findings::{
    Finding, FindingType, Location, PathElement, PolicyKind, ResourcePolicyType,
    EMULATOR_RESOURCE_TYPE_MISMATCH,
};
use super::json_span::{self, Json, Member, Node, Span};
use super::tree::{self, Item, StatementRef};
use super::{policy_size, IDENTITY_POLICY_QUOTA, SCP_QUOTA};
use crate::catalog::{Catalog, ResourceType};
use crate::condition::Operator;
use crate::grammar::{self, Negatable};
use std::collections::HashSet;

use FindingType::{Error, SecurityWarning, Suggestion, Warning};

/// S3's quota on a bucket policy (20 KB), for
/// POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA.
const S3_BUCKET_POLICY_QUOTA: usize = 20 * 1024;

/// The partitions a resource ARN may name.
const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov"];

/// Validates a policy as Access Analyzer's `ValidatePolicy` does. The
/// findings come in document order.
pub fn validate_policy(
    text: &str,
    kind: PolicyKind,
    resource_type: Option<ResourcePolicyType>,
) -> Vec<Finding> {
    let root = match json_span::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let span = Span {
                start: e.at,
                end: e.at,
            };
            let details = format!(
                "Fix the JSON syntax error at index {} line {} column {}.",
                e.at.offset, e.at.line, e.at.column
            );
            return vec![located(
                Finding::new(Error, "JSON_SYNTAX_ERROR", details),
                Vec::new(),
                span,
            )];
        }
    };
    let mut checker = Checker {
        kind,
        resource_type: resource_type.filter(|_| kind == PolicyKind::Resource),
        findings: Vec::new(),
    };
    checker.document(&root, text);
    checker
        .findings
        .sort_by_key(|f| f.locations.first().map(|l| l.span.start.offset));
    checker.findings
}

fn located(mut finding: Finding, path: Vec<PathElement>, span: Span) -> Finding {
    finding.locations.push(Location { path, span });
    finding
}

struct Checker {
    kind: PolicyKind,
    resource_type: Option<ResourcePolicyType>,
    findings: Vec<Finding>,
}

fn value(name: &str) -> PathElement {
    PathElement::Value(name.to_string())
}

impl Checker {
    fn add(
        &mut self,
        finding_type: FindingType,
        code: &'static str,
        details: String,
        path: Vec<PathElement>,
        span: Span,
    ) {
        self.findings
            .push(located(Finding::new(finding_type, code, details), path, span));
    }

    fn type_mismatch(&mut self, expected: &str, path: Vec<PathElement>, node: &Node) {
        self.add(
            Error,
            "DATA_TYPE_MISMATCH",
            format!("The text does not match the expected JSON data type {expected}."),
            path,
            node.span,
        );
    }

    fn is_trust(&self) -> bool {
        self.resource_type == Some(ResourcePolicyType::RoleTrust)
    }

    fn document(&mut self, root: &Node, text: &str) {
        let Some(members) = root.as_object() else {
            self.type_mismatch("Object", Vec::new(), root);
            return;
        };
        for m in members {
            match m.key.as_str() {
                grammar::VERSION => self.version(m, root),
                grammar::ID if m.value.as_str().is_none() => {
                    self.type_mismatch("String", vec![value(grammar::ID)], &m.value);
                }
                grammar::ID | grammar::STATEMENT => {}
                other => self.add(
                    Error,
                    "INVALID_POLICY_ELEMENT",
                    format!("The policy element {other} is not valid."),
                    vec![value(other)],
                    m.key_span,
                ),
            }
        }
        if root.get("Version").is_none() {
            self.add(
                Warning,
                "MISSING_VERSION",
                "We recommend that you specify the Version element to help you with debugging permission issues."
                    .into(),
                Vec::new(),
                root.span,
            );
        }
        self.statement_list(root);
        self.size(text, root);
        let statements = tree::statements(root);
        self.sids(&statements);
        for s in &statements {
            self.statement(s);
        }
    }

    fn version(&mut self, m: &Member, root: &Node) {
        let path = vec![value("Version")];
        let Some(version) = m.value.as_str() else {
            self.type_mismatch("String", path, &m.value);
            return;
        };
        if !matches!(version, "2012-10-17" | "2008-10-17") {
            self.add(
                Error,
                "INVALID_VERSION",
                format!("The version {version} is not valid. Use one of the following versions: 2012-10-17, 2008-10-17"),
                path,
                m.value.span,
            );
        } else if version != "2012-10-17" && tree::uses_variables(root) {
            self.add(
                Error,
                "VARIABLE_UNSUPPORTED_IN_VERSION",
                "To include variables in your policy, use the policy version 2012-10-17 or later.".into(),
                path,
                m.value.span,
            );
        }
    }

    fn statement_list(&mut self, root: &Node) {
        let missing = |c: &mut Checker, span| {
            c.add(
                Error,
                "MISSING_STATEMENT",
                "Add a statement to the policy".into(),
                Vec::new(),
                span,
            );
        };
        let Some(m) = root.get("Statement") else {
            missing(self, root.span);
            return;
        };
        match &m.value.value {
            Json::Object(_) => {}
            Json::Array(items) if items.is_empty() => missing(self, m.value.span),
            Json::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.as_object().is_none() {
                        self.type_mismatch("Object", vec![value("Statement"), PathElement::Index(i)], item);
                    }
                }
            }
            _ => self.type_mismatch("Array", vec![value("Statement")], &m.value),
        }
    }

    fn size(&mut self, text: &str, root: &Node) {
        let size = policy_size(text);
        let (finding_type, code, quota, words) = match (self.kind, self.resource_type) {
            (PolicyKind::Identity, _) => (
                Warning,
                "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
                IDENTITY_POLICY_QUOTA,
                "in the identity policy, excluding whitespace, exceed the {q} character maximum for inline and managed policies",
            ),
            (PolicyKind::ServiceControl, _) => (
                Error,
                "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
                SCP_QUOTA,
                "in the service control policy (SCP) exceed the {q} character maximum for SCPs",
            ),
            (PolicyKind::Resource, Some(ResourcePolicyType::S3Bucket)) => (
                Warning,
                "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
                S3_BUCKET_POLICY_QUOTA,
                "in the resource policy exceed the {q} character maximum for resource policies",
            ),
            (PolicyKind::Resource, _) => return,
        };
        if size > quota {
            let words = words.replace("{q}", &quota.to_string());
            self.add(
                finding_type,
                code,
                format!(
                    "The {size} characters {words}. We recommend that you use multiple granular policies."
                ),
                Vec::new(),
                root.span,
            );
        }
    }

    fn sids(&mut self, statements: &[StatementRef]) {
        let mut seen: HashSet<&str> = HashSet::new();
        for s in statements {
            let Some(m) = s.member("Sid") else { continue };
            let path = s.element_path("Sid");
            let Some(sid) = m.value.as_str() else {
                self.type_mismatch("String", path, &m.value);
                continue;
            };
            if sid.is_empty() {
                self.add(
                    Suggestion,
                    "EMPTY_SID_VALUE",
                    "Add a value to the empty string in the Sid element.".into(),
                    path,
                    m.value.span,
                );
                continue;
            }
            let identity_like = self.kind != PolicyKind::Resource;
            if identity_like && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                self.add(
                    Error,
                    "UNSUPPORTED_SID",
                    "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]"
                        .into(),
                    path.clone(),
                    m.value.span,
                );
            }
            if !seen.insert(sid) {
                let (finding_type, code, details) = if identity_like {
                    (
                        Error,
                        "UNIQUE_SIDS_REQUIRED",
                        "Duplicate statement IDs are not supported for this policy type. Update the Sid value.",
                    )
                } else {
                    (
                        Warning,
                        "UNIQUE_SIDS_RECOMMENDED",
                        "We recommend that you use statement IDs that are unique to your policy. Update the Sid value.",
                    )
                };
                self.add(finding_type, code, details.into(), path, m.value.span);
            }
        }
    }

    fn statement(&mut self, s: &StatementRef) {
        self.elements(s);
        self.effect(s);
        self.principal(s);
        let actions = self.actions(s);
        let resources = self.resources(s);
        self.condition(s);
        if let (Some(actions), Some(resources)) = (actions, resources) {
            self.pass_role(s, &actions, &resources);
            self.redundant(s, &actions);
            self.mismatch(s, &actions, &resources);
        }
    }

    fn elements(&mut self, s: &StatementRef) {
        let members = s.node.as_object().unwrap_or_default();
        for m in members {
            if !grammar::STATEMENT_ELEMENTS.contains(&m.key.as_str()) {
                self.add(
                    Error,
                    "INVALID_POLICY_ELEMENT",
                    format!("The policy element {} is not valid.", m.key),
                    s.element_path(&m.key),
                    m.key_span,
                );
            }
        }
        for element in Negatable::ALL {
            let (name, not) = (element.name(), element.negated_name());
            if let (Some(_), Some(second)) = (s.member(name), s.member(not)) {
                self.add(
                    Error,
                    "UNSUPPORTED_ELEMENT_COMBINATION",
                    format!("The policy elements {name} and {not} can not be used in the same statement. Remove one of these elements."),
                    s.element_path(not),
                    second.key_span,
                );
            }
        }
    }

    fn effect(&mut self, s: &StatementRef) {
        let Some(m) = s.member("Effect") else {
            self.add(
                Error,
                "MISSING_EFFECT",
                "Add an Effect element to the policy statement with a value of Allow or Deny.".into(),
                s.path(),
                s.node.span,
            );
            return;
        };
        match m.value.as_str() {
            Some("Allow" | "Deny") => {}
            Some(effect) => self.add(
                Error,
                "INVALID_EFFECT",
                format!("The effect {effect} is not valid. Use Allow or Deny."),
                s.element_path("Effect"),
                m.value.span,
            ),
            None => self.type_mismatch("String", s.element_path("Effect"), &m.value),
        }
    }

    fn principal(&mut self, s: &StatementRef) {
        let Some((m, _)) = s.either(Negatable::Principal) else {
            if self.kind == PolicyKind::Resource {
                self.add(
                    Error,
                    "MISSING_PRINCIPAL",
                    "Add a Principal element to the policy statement.".into(),
                    s.path(),
                    s.node.span,
                );
            }
            return;
        };
        let path = s.element_path(&m.key);
        match self.kind {
            PolicyKind::Identity => self.add(
                Error,
                "UNSUPPORTED_PRINCIPAL",
                "The policy type IDENTITY_POLICY does not support the Principal element. Remove the Principal element."
                    .into(),
                path,
                m.key_span,
            ),
            PolicyKind::ServiceControl => self.add(
                Error,
                "SCP_SYNTAX_ERROR_PRINCIPAL",
                "SCPs do not support specifying principals. Remove the Principal or NotPrincipal element.".into(),
                path,
                m.key_span,
            ),
            PolicyKind::Resource => self.principal_format(&m.value, path),
        }
    }

    fn principal_format(&mut self, node: &Node, path: Vec<PathElement>) {
        match &node.value {
            Json::String(s) if s == "*" => {}
            Json::Object(kinds) => {
                for k in kinds {
                    let mut at = path.clone();
                    at.push(value(&k.key));
                    if !grammar::PRINCIPAL_TYPES.contains(&k.key.as_str()) {
                        self.add(
                            Error,
                            "INVALID_PRINCIPAL_KEY",
                            format!("The principal key {} is not valid.", k.key),
                            at,
                            k.key_span,
                        );
                    } else if tree::string_items(&k.value).is_none() {
                        self.type_mismatch("String", at, &k.value);
                    }
                }
            }
            _ => self.add(
                Error,
                "INVALID_PRINCIPAL_FORMAT",
                "The Principal element contents are not valid. Specify a key-value pair in the Principal element."
                    .into(),
                path,
                node.span,
            ),
        }
    }

    /// Checks `Action`/`NotAction`; returns its items and whether negated
    /// when it is well formed.
    fn actions<'a>(&mut self, s: &StatementRef<'a>) -> Option<(Vec<Item<'a>>, bool)> {
        let Some((m, negated)) = s.either(Negatable::Action) else {
            self.add(
                Error,
                "MISSING_ACTION",
                "Add an Action or NotAction element to the policy statement.".into(),
                s.path(),
                s.node.span,
            );
            return None;
        };
        let path = s.element_path(&m.key);
        let Some(items) = tree::string_items(&m.value) else {
            self.type_mismatch("Array", path, &m.value);
            return None;
        };
        if items.is_empty() {
            self.add(
                Suggestion,
                "EMPTY_ARRAY_ACTION",
                "This statement includes no actions and does not affect the policy. Specify actions.".into(),
                path.clone(),
                m.value.span,
            );
        }
        for item in &items {
            self.action(item, item.path(path.clone()));
        }
        Some((items, negated))
    }

    fn action(&mut self, item: &Item, path: Vec<PathElement>) {
        let span = item.node.span;
        match action::lookup(item.text) {
            Lookup::Everything => {}
            Lookup::Malformed => self.add(
                Error,
                "INVALID_ACTION",
                format!("The action {} does not exist.", item.text),
                path,
                span,
            ),
            Lookup::UnknownService { service, suggestion } => self.add(
                Error,
                "INVALID_SERVICE_IN_ACTION",
                action::unknown_service_details(&service, suggestion),
                path,
                span,
            ),
            Lookup::WildcardService { service, .. } => self.add(
                Error,
                "INVALID_SERVICE_IN_ACTION",
                action::unknown_service_details(&service, None),
                path,
                span,
            ),
            Lookup::UnknownAction { service, name } => self.add(
                Error,
                "INVALID_ACTION",
                action::unknown_action_details(service, item.text, &name),
                path,
                span,
            ),
            Lookup::Actions(actions) => self.action_fits(item, &actions, path),
        }
    }

    /// SCP wildcards, and the actions a resource policy may name.
    fn action_fits(
        &mut self,
        item: &Item,
        actions: &[(&crate::catalog::Service, &crate::catalog::Action)],
        path: Vec<PathElement>,
    ) {
        let name = item.text.split_once(':').map_or("", |(_, n)| n);
        let inner_wildcard = name
            .char_indices()
            .any(|(i, c)| (c == '*' && i + 1 != name.len()) || c == '?');
        if self.kind == PolicyKind::ServiceControl && inner_wildcard {
            self.add(
                Error,
                "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
                format!(
                    "SCP actions can include wildcards (*) only at the end of a string. Update {}.",
                    item.text
                ),
                path.clone(),
                item.node.span,
            );
        }
        if let Some(t) = self.resource_type {
            if actions
                .iter()
                .any(|(service, _)| !t.action_services().contains(&service.prefix))
            {
                self.add(
                    Error,
                    "UNSUPPORTED_ACTION_IN_POLICY",
                    format!(
                        "The action {} is not supported for the resource-based policy attached to the resource type {}.",
                        item.text,
                        t.as_str()
                    ),
                    path,
                    item.node.span,
                );
            }
        }
    }

    /// Checks `Resource`/`NotResource`; returns its items and whether
    /// negated when it is well formed.
    fn resources<'a>(&mut self, s: &StatementRef<'a>) -> Option<(Vec<Item<'a>>, bool)> {
        let Some((m, negated)) = s.either(Negatable::Resource) else {
            if !self.is_trust() {
                self.add(
                    Error,
                    "MISSING_RESOURCE",
                    "Add a Resource or NotResource element to the policy statement.".into(),
                    s.path(),
                    s.node.span,
                );
            }
            return None;
        };
        let path = s.element_path(&m.key);
        if self.is_trust() {
            self.add(
                Error,
                "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE",
                "Role trust policies apply to the role that they are attached to. You cannot specify a resource. Remove the Resource or NotResource element.".into(),
                path,
                m.key_span,
            );
            return None;
        }
        let Some(items) = tree::string_items(&m.value) else {
            self.type_mismatch("Array", path, &m.value);
            return None;
        };
        if items.is_empty() {
            self.add(
                Suggestion,
                "EMPTY_ARRAY_RESOURCE",
                "This statement includes no resources and does not affect the policy. Specify resources."
                    .into(),
                path.clone(),
                m.value.span,
            );
        }
        for item in &items {
            self.resource(item, item.path(path.clone()));
        }
        Some((items, negated))
    }

    fn resource(&mut self, item: &Item, path: Vec<PathElement>) {
        let text = item.text;
        let span = item.node.span;
        if text == "*" {
            return;
        }
        if !text.starts_with("arn:") {
            self.add(
                Error,
                "INVALID_ARN_PREFIX",
                "Add the required prefix (arn) to the resource ARN.".into(),
                path,
                span,
            );
            return;
        }
        let Some(arn) = crate::arn::Arn::parse(text) else {
            self.add(
                Error,
                "MISSING_ARN_FIELD",
                "Resource ARNs must include at least 6 fields in the following structure: arn:partition:service:region:account:resource".into(),
                path,
                span,
            );
            return;
        };
        let wild = |t: &str| t.contains(['*', '?']) || tree::has_variable(t);
        if !wild(arn.partition) && !PARTITIONS.contains(&arn.partition) {
            self.add(
                Error,
                "INVALID_PARTITION",
                format!(
                    "The resource ARN for the service {} does not support the partition {}. Use the supported values: {}",
                    arn.service,
                    arn.partition,
                    PARTITIONS.join(", ")
                ),
                path,
                span,
            );
            return;
        }
        if arn.service.contains(['*', '?']) {
            self.add(
                Suggestion,
                "WILDCARD_IN_SERVICE_NAME",
                "Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.".into(),
                path,
                span,
            );
            return;
        }
        if let Some(t) = self.resource_type.filter(|t| t.arn_service() != arn.service) {
            self.add(
                Error,
                "UNSUPPORTED_RESOURCE_ARN_IN_POLICY",
                format!(
                    "The resource ARN is not supported for the resource-based policy attached to the resource type {}.",
                    t.as_str()
                ),
                path,
                span,
            );
            return;
        }
        let account_ok = arn.account.is_empty()
            || wild(arn.account)
            || arn.account == "aws"
            || crate::arn::is_account_id(arn.account);
        if !account_ok {
            self.add(
                Error,
                "INVALID_ARN_ACCOUNT",
                format!(
                    "The resource ARN account ID {} is not valid. Provide a 12-digit account ID.",
                    arn.account
                ),
                path.clone(),
                span,
            );
        }
        let types = types_of_arn_service(arn.service);
        if !types.is_empty() && !types.iter().any(|t| t.matches_arn(text)) {
            self.add(
                Error,
                "INVALID_ARN_RESOURCE",
                "Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.".into(),
                path,
                span,
            );
        }
    }

    fn condition(&mut self, s: &StatementRef) {
        let Some(m) = s.member("Condition") else { return };
        let path = s.element_path("Condition");
        let Some(operators) = m.value.as_object() else {
            self.type_mismatch("Object", path, &m.value);
            return;
        };
        if operators.is_empty() {
            self.add(
                Suggestion,
                "EMPTY_OBJECT_CONDITION",
                "This condition block is empty and it does not affect the policy. Specify conditions.".into(),
                path.clone(),
                m.value.span,
            );
        }
        for op in operators {
            let mut at = path.clone();
            at.push(value(&op.key));
            if Operator::parse(&op.key).is_none() {
                self.add(
                    Error,
                    "INVALID_CONDITION_OPERATOR",
                    format!(
                        "The condition operator {} is not valid. Use a valid condition operator.",
                        op.key
                    ),
                    at,
                    op.key_span,
                );
                continue;
            }
            let Some(keys) = op.value.as_object() else {
                self.type_mismatch("Object", at, &op.value);
                continue;
            };
            for key in keys {
                let scalar = |n: &Node| matches!(n.value, Json::String(_) | Json::Number(_) | Json::Bool(_));
                let ok = match &key.value.value {
                    Json::Array(items) => items.iter().all(scalar),
                    _ => scalar(&key.value),
                };
                if !ok {
                    let mut at = at.clone();
                    at.push(value(&key.key));
                    self.type_mismatch("String", at, &key.value);
                }
            }
        }
    }

    /// PASS_ROLE_WITH_STAR_IN_RESOURCE and …_IN_ACTION_AND_RESOURCE: an
    /// identity policy allowing `iam:PassRole` on a wildcard resource
    /// without `iam:PassedToService`.
    fn pass_role(&mut self, s: &StatementRef, actions: &(Vec<Item>, bool), resources: &(Vec<Item>, bool)) {
        let allow = s.member("Effect").and_then(|m| m.value.as_str()) == Some("Allow");
        let scoped = s
            .member("Condition")
            .and_then(|m| m.value.as_object())
            .is_some_and(|ops| {
                ops.iter().any(|op| {
                    op.value.as_object().is_some_and(|keys| {
                        keys.iter()
                            .any(|k| k.key.eq_ignore_ascii_case("iam:PassedToService"))
                    })
                })
            });
        let star = !resources.1 && resources.0.iter().any(|r| r.text.contains('*'));
        if self.kind != PolicyKind::Identity || !allow || scoped || actions.1 || !star {
            return;
        }
        let path = s.element_path("Action");
        for item in &actions.0 {
            let names_pass_role = crate::wildcard::matches(item.text, "iam:PassRole", true);
            if !names_pass_role {
                continue;
            }
            let (code, details) = if item.text.contains(['*', '?']) {
                ("PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.")
            } else {
                ("PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.")
            };
            self.add(
                SecurityWarning,
                code,
                details.into(),
                item.path(path.clone()),
                item.node.span,
            );
        }
    }

    /// REDUNDANT_ACTION: an `Action` entry whose actions another entry of
    /// the statement already names.
    fn redundant(&mut self, s: &StatementRef, actions: &(Vec<Item>, bool)) {
        let (items, _) = actions;
        let sets: Vec<Option<ActionSet>> = items.iter().map(|i| action_set(i.text)).collect();
        let redundant: Vec<&Item> = items
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                let Some(mine) = &sets[*i] else { return false };
                sets.iter().enumerate().any(|(j, other)| {
                    j != *i
                        && other
                            .as_ref()
                            .is_some_and(|other| other.covers(mine) && (j < *i || !mine.covers(other)))
                })
            })
            .map(|(_, item)| item)
            .collect();
        let Some(first) = redundant.first() else { return };
        let mut finding = Finding::new(
            Suggestion,
            "REDUNDANT_ACTION",
            format!(
                "The {} action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: {}.",
                redundant.len(),
                first.text
            ),
        );
        let (m, _) = s.either(Negatable::Action).expect("actions were read from it");
        let path = s.element_path(&m.key);
        for item in redundant {
            finding.locations.push(Location {
                path: item.path(path.clone()),
                span: item.node.span,
            });
        }
        self.findings.push(finding);
    }

    /// The emulator's own check: an action none of the statement's
    /// resources could ever be a resource of.
    fn mismatch(&mut self, s: &StatementRef, actions: &(Vec<Item>, bool), resources: &(Vec<Item>, bool)) {
        if actions.1 || resources.1 || resources.0.is_empty() {
            return;
        }
        let patterns: Vec<&str> = resources.0.iter().map(|r| r.text).collect();
        let path = s.element_path("Action");
        for item in &actions.0 {
            let Lookup::Actions(named) = action::lookup(item.text) else {
                continue;
            };
            if named
                .iter()
                .any(|(service, a)| action::applies_to_any(service, a, &patterns))
            {
                continue;
            }
            let details = match named.as_slice() {
                [(service, a)] => format!(
                    "The action {} never applies to the resources of this statement: it acts on {}, and no Resource here names one. Add such a resource, or move the action to a statement that names one. (A check of iam-emulator's own; Access Analyzer does not report it.)",
                    action::full_name(service, a),
                    action::resource_types_words(service, a)
                ),
                _ => format!(
                    "None of the {} actions that {} names applies to the resources of this statement. (A check of iam-emulator's own; Access Analyzer does not report it.)",
                    named.len(),
                    item.text
                ),
            };
            self.add(
                Warning,
                EMULATOR_RESOURCE_TYPE_MISMATCH,
                details,
                item.path(path.clone()),
                item.node.span,
            );
        }
    }
}

/// The actions an `Action` entry names, for REDUNDANT_ACTION; `None` when
/// it names none (those entries have their own findings).
enum ActionSet {
    Everything,
    Some(HashSet<(&'static str, &'static str)>),
}

impl ActionSet {
    fn covers(&self, other: &ActionSet) -> bool {
        match (self, other) {
            (ActionSet::Everything, _) => true,
            (ActionSet::Some(_), ActionSet::Everything) => false,
            (ActionSet::Some(mine), ActionSet::Some(theirs)) => theirs.is_subset(mine),
        }
    }
}

fn action_set(pattern: &str) -> Option<ActionSet> {
    match action::lookup(pattern) {
        Lookup::Everything => Some(ActionSet::Everything),
        Lookup::Actions(actions) => Some(ActionSet::Some(
            actions.iter().map(|(s, a)| (s.prefix, a.name)).collect(),
        )),
        _ => None,
    }
}

/// The resource types whose ARN formats name `service` (`s3`, `kinesis`).
fn types_of_arn_service(service: &str) -> Vec<&'static ResourceType> {
    Catalog::get()
        .services()
        .iter()
        .flat_map(|s| s.resource_types.iter())
        .filter(|t| t.arn_formats.iter().any(|f| f.split(':').nth(2) == Some(service)))
        .collect()
}

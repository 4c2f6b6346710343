//! The policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy.
//!
//! The handlers only gather the policies (an entity's own, its groups',
//! the inputs of the call), ask `iam_evaluator::evaluate` for every action
//! and resource, and translate the decision and its trace into AWS's
//! `EvaluationResult`: the deciding statements with their place in the
//! document, the context keys the policies read but the call did not give.

use super::{page_tail, paginate, Call};
use crate::authorize::{self, EntityPolicies, EntityPolicy, PolicySource};
use crate::error::{AwsError, AwsResult};
use crate::protocol::xml::Xml;
use crate::state::iam::{key, Document};
use crate::state::State;
use iam_evaluator::statement::Mismatch;
use iam_evaluator::{
    evaluate, Decision, Effect, NamedPolicy, Policy, PolicySet, PolicyType, Principal, PrincipalKind,
    Request, RequestContext,
};
use std::sync::Arc;

/// `ContextKeyType` values; the `…List` ones are multi-valued keys.
const CONTEXT_KEY_TYPES: &[&str] = &[
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
];

/// One policy taking part in a simulation, as `MatchedStatements` names it.
struct Input {
    /// `SourcePolicyId`: the policy's name, `PolicyInputList.N`, `ResourcePolicy`.
    id: String,
    /// `SourcePolicyType`.
    source_type: &'static str,
    text: String,
    parsed: Arc<Policy>,
}

/// Everything one simulation evaluates.
struct Simulation {
    principal: Principal,
    identity: Vec<Input>,
    boundary: Option<Input>,
    resource: Option<Input>,
    resource_owner: Option<String>,
    context: RequestContext,
    /// The SCP levels of the simulated entity's account (SimulatePrincipalPolicy
    /// only): "OrganizationsDecisionDetail … Only applies if the simulated
    /// user's account is part of an organization" (IAM API Reference).
    scps: Vec<Vec<NamedPolicy>>,
}

impl Simulation {
    /// All inputs; a `NamedPolicy`'s name is its index here.
    fn inputs(&self) -> Vec<&Input> {
        self.identity
            .iter()
            .chain(&self.boundary)
            .chain(&self.resource)
            .collect()
    }

    fn policy_set(&self) -> PolicySet {
        let mut n = 0;
        let mut named = |input: &Input| {
            let policy = NamedPolicy {
                name: n.to_string().into(),
                policy: input.parsed.clone(),
            };
            n += 1;
            policy
        };
        PolicySet {
            identity: self.identity.iter().map(&mut named).collect(),
            boundary: self.boundary.as_ref().map(&mut named),
            resource: self.resource.iter().map(&mut named).collect(),
            scps: self.scps.clone(),
            ..PolicySet::default()
        }
    }
}

fn input(id: String, source_type: &'static str, doc: &Document) -> Input {
    Input {
        id,
        source_type,
        text: doc.text.to_string(),
        parsed: doc.parsed.clone(),
    }
}

/// A policy given as a string in the call.
fn given(id: String, source_type: &'static str, text: &str) -> AwsResult<Input> {
    Ok(input(id, source_type, &super::simulation_document(text)?))
}

// ---- the entity's own policies ----

fn managed_type(arn: &str) -> &'static str {
    if arn.starts_with("arn:aws:iam::aws:") {
        "aws-managed"
    } else {
        "user-managed"
    }
}

pub fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// An entity's policy as a simulation input: inline policies by name and
/// the holder's kind, managed ones by name and `aws-`/`user-managed`.
fn entity_input(p: &EntityPolicy) -> Input {
    match &p.source {
        PolicySource::Inline { kind, .. } => input(p.name.clone(), kind, &p.document),
        PolicySource::Managed => input(
            policy_name(&p.name).to_string(),
            managed_type(&p.name),
            &p.document,
        ),
        PolicySource::AccountPasswordPolicy => input(p.name.clone(), "none", &p.document),
    }
}

/// The inputs for an entity's policies (the rule of which apply lives in
/// `crate::authorize`).
fn inputs(policies: &EntityPolicies) -> (Vec<Input>, Option<Input>) {
    (
        policies.identity.iter().map(entity_input).collect(),
        policies.boundary.as_ref().map(entity_input),
    )
}

/// The kinds of entity SimulatePrincipalPolicy (and the other calls about
/// an entity's policies) accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    User,
    Group,
    Role,
}

/// The user, group or role `arn` names in the caller's account, and the
/// policies that apply to it (the rule of which apply lives in
/// `crate::authorize`): `InvalidInput` for an ARN that names none of
/// them, `NoSuchEntity` for one that does not exist.
pub fn entity_of(state: &State, call: &Call, arn: &str) -> AwsResult<(Source, EntityPolicies)> {
    let invalid = || AwsError::invalid_input(format!("Invalid ARN: {arn}"));
    let parsed = iam_evaluator::arn::Arn::parse(arn).ok_or_else(invalid)?;
    let (kind, rest) = parsed.resource.split_once('/').ok_or_else(invalid)?;
    let name = rest.rsplit('/').next().unwrap_or(rest);
    let account = state
        .account(&call.account)
        .filter(|_| parsed.service == "iam" && parsed.account == call.account);
    match kind {
        "user" => {
            let user = account
                .and_then(|a| a.users.get(&key(name)))
                .ok_or_else(|| super::users::no_such_user(name))?;
            let policies = authorize::user_policies(state, account.ok_or_else(invalid)?, user);
            Ok((Source::User, policies))
        }
        "group" => {
            let group = account
                .and_then(|a| a.groups.get(&key(name)))
                .ok_or_else(|| super::groups::no_such_group(name))?;
            let policies = authorize::group_policies(state, account.ok_or_else(invalid)?, group);
            Ok((Source::Group, policies))
        }
        "role" => {
            let role = account
                .and_then(|a| a.roles.get(&key(name)))
                .ok_or_else(|| super::roles::no_such_role(name))?;
            let policies = authorize::role_policies(state, account.ok_or_else(invalid)?, role);
            Ok((Source::Role, policies))
        }
        _ => Err(invalid()),
    }
}

/// The identity policies and boundary of the user, group or role `arn`,
/// as simulation inputs.
fn entity_policies(state: &State, call: &Call, arn: &str) -> AwsResult<(Source, Vec<Input>, Option<Input>)> {
    let (source, policies) = entity_of(state, call, arn)?;
    let (identity, boundary) = inputs(&policies);
    Ok((source, identity, boundary))
}

// ---- the call's inputs ----

/// `CallerArn`: the IAM user the simulation acts as.
fn caller_arn(call: &Call) -> AwsResult<Option<Principal>> {
    let Some(arn) = call.params.get("CallerArn") else {
        return Ok(None);
    };
    match Principal::from_arn(arn) {
        Ok(p) if p.kind == PrincipalKind::User => Ok(Some(p)),
        _ => Err(AwsError::invalid_input(format!(
            "Invalid CallerArn: {arn}. Only IAM users can be simulated as the caller."
        ))),
    }
}

/// A stand-in caller when the simulation names no user: an IAM user of the
/// account, so identity policies apply and the root user's rules do not.
fn stand_in(call: &Call, arn: &str) -> Principal {
    Principal {
        arn: arn.to_string(),
        account: Some(call.account.clone()),
        kind: PrincipalKind::User,
        canonical_user: None,
    }
}

/// `ResourceOwner`: an account id or its root ARN.
fn resource_owner(call: &Call) -> AwsResult<Option<String>> {
    let Some(owner) = call.params.get("ResourceOwner") else {
        return Ok(None);
    };
    match iam_evaluator::arn::account_principal(owner) {
        Some(account) => Ok(Some(account.to_string())),
        None => Err(AwsError::invalid_input(format!(
            "'{owner}' is not a valid as a Resource Owner."
        ))),
    }
}

/// `ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}`.
fn context_entries(call: &Call) -> AwsResult<RequestContext> {
    let mut context = RequestContext::new();
    for n in 1.. {
        let prefix = format!("ContextEntries.member.{n}");
        let Some(name) = call.params.get(&format!("{prefix}.ContextKeyName")) else {
            break;
        };
        let values = call.params.list(&format!("{prefix}.ContextKeyValues"));
        let kind = call
            .params
            .get(&format!("{prefix}.ContextKeyType"))
            .unwrap_or("string");
        if !CONTEXT_KEY_TYPES.contains(&kind) {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value '{kind}' at 'contextEntries.{n}.member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                CONTEXT_KEY_TYPES.join(", ")
            )));
        }
        if kind.ends_with("List") || values.len() > 1 {
            context.set_multi(name, values);
        } else if let Some(value) = values.into_iter().next() {
            context.set(name, value);
        }
    }
    Ok(context)
}

fn resource_arns(call: &Call) -> AwsResult<Vec<String>> {
    let resources = call.params.list("ResourceArns");
    if resources.is_empty() {
        return Ok(vec!["*".to_string()]);
    }
    for r in &resources {
        if r != "*" && iam_evaluator::arn::Arn::parse(r).is_none() {
            return Err(AwsError::invalid_input(format!(
                "ResourceNames are not in a valid ARN format: {r}."
            )));
        }
    }
    Ok(resources)
}

/// `PolicyInputList` (identity policies) and `PermissionsBoundaryPolicyInputList`.
fn policy_inputs(call: &Call, name: &str) -> AwsResult<Vec<Input>> {
    call.params
        .list(name)
        .iter()
        .enumerate()
        .map(|(i, text)| given(format!("{name}.{}", i + 1), "IAM Policy", text))
        .collect()
}

fn given_boundary(call: &Call) -> AwsResult<Option<Input>> {
    let mut boundaries = policy_inputs(call, "PermissionsBoundaryPolicyInputList")?;
    if boundaries.len() > 1 {
        return Err(AwsError::invalid_input(
            "Only one permissions boundary policy can be simulated.",
        ));
    }
    Ok(boundaries.pop())
}

fn resource_policy(call: &Call) -> AwsResult<Option<Input>> {
    call.params
        .get("ResourcePolicy")
        .map(|text| given("ResourcePolicy".into(), "Resource Policy", text))
        .transpose()
}

fn no_caller_for_resource_policy() -> AwsError {
    AwsError::invalid_input(
        "A CallerArn must be specified when a ResourcePolicy is simulated for a principal that is not an IAM user.",
    )
}

// ---- the handlers ----

pub fn simulate_principal_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let source = call.params.required("PolicySourceArn")?.to_string();
    let actions = required_actions(call)?;
    let resources = resource_arns(call)?;
    let (kind, mut identity, boundary) = entity_policies(state, call, &source)?;
    identity.extend(policy_inputs(call, "PolicyInputList")?);
    let boundary = given_boundary(call)?.or(boundary);
    let resource = resource_policy(call)?;
    let principal = match (caller_arn(call)?, kind) {
        (Some(p), _) => p,
        (None, Source::User) => Principal::from_arn(&source).map_err(|_| no_caller_for_resource_policy())?,
        (None, Source::Group | Source::Role) if resource.is_some() => {
            return Err(no_caller_for_resource_policy())
        }
        (None, _) => stand_in(call, &source),
    };
    let simulation = Simulation {
        principal,
        identity,
        boundary,
        resource,
        resource_owner: resource_owner(call)?,
        context: context_entries(call)?,
        scps: authorize::organization::caller_membership(state, Some(&call.account))
            .map(|m| m.scps.clone())
            .unwrap_or_default(),
    };
    results_xml(call, &simulation, &actions, &resources)
}

pub fn simulate_custom_policy(_: &mut State, call: &Call) -> AwsResult<Xml> {
    let identity = policy_inputs(call, "PolicyInputList")?;
    if identity.is_empty() {
        return Err(AwsError::missing_parameter("PolicyInputList"));
    }
    let actions = required_actions(call)?;
    let resources = resource_arns(call)?;
    let resource = resource_policy(call)?;
    let principal = match caller_arn(call)? {
        Some(p) => p,
        None if resource.is_some() => return Err(no_caller_for_resource_policy()),
        None => stand_in(call, &call.arn("user", "/", "PolicySimulator")),
    };
    let simulation = Simulation {
        principal,
        identity,
        boundary: given_boundary(call)?,
        resource,
        resource_owner: resource_owner(call)?,
        context: context_entries(call)?,
        scps: Vec::new(),
    };
    results_xml(call, &simulation, &actions, &resources)
}

fn required_actions(call: &Call) -> AwsResult<Vec<String>> {
    let actions = call.params.list("ActionNames");
    if actions.is_empty() {
        return Err(AwsError::missing_parameter("ActionNames"));
    }
    Ok(actions)
}

// ---- translating decisions ----

/// One `EvaluationResult`.
struct Outcome {
    action: String,
    resource: String,
    decision: Decision,
    cross_account: bool,
}

fn results_xml(call: &Call, sim: &Simulation, actions: &[String], resources: &[String]) -> AwsResult<Xml> {
    let policies = sim.policy_set();
    let mut outcomes = Vec::new();
    for action in actions {
        for resource in resources {
            let request = Request {
                principal: sim.principal.clone(),
                action: action.clone(),
                resource: resource.clone(),
                resource_account: sim.resource_owner.clone(),
                context: sim.context.clone(),
            };
            let cross_account = request.owning_account() != sim.principal.account.as_deref();
            outcomes.push(Outcome {
                action: action.clone(),
                resource: resource.clone(),
                decision: evaluate(&request, &policies),
                cross_account,
            });
        }
    }
    let page = paginate(call.params, outcomes)?;
    let inputs = sim.inputs();
    let mut x = Xml::default();
    x.with("EvaluationResults", |x| {
        for outcome in &page.items {
            x.with("member", |x| result_xml(x, sim, &inputs, outcome));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

fn result_xml(x: &mut Xml, sim: &Simulation, inputs: &[&Input], o: &Outcome) {
    let decision = o.decision.outcome.as_str();
    let specific = o.resource != "*";
    let missing = missing_context(&o.decision, &sim.context);
    x.elem("EvalActionName", &o.action);
    x.elem("EvalResourceName", &o.resource);
    x.elem("EvalDecision", decision);
    matched_xml(x, &o.decision, inputs);
    missing_xml(x, if specific { &[] } else { &missing });
    let denied_by_scps =
        !o.decision.is_allowed() && o.decision.decided_by == Some(PolicyType::ServiceControl);
    x.with("OrganizationsDecisionDetail", |x| {
        x.elem(
            "AllowedByOrganizations",
            if denied_by_scps { "false" } else { "true" },
        );
    });
    boundary_detail_xml(x, &o.decision);
    if specific {
        details_xml(x, &o.decision, o.cross_account);
        x.with("ResourceSpecificResults", |x| {
            x.with("member", |x| {
                x.elem("EvalResourceName", &o.resource);
                x.elem("EvalResourceDecision", decision);
                matched_xml(x, &o.decision, inputs);
                missing_xml(x, &missing);
                details_xml(x, &o.decision, o.cross_account);
                boundary_detail_xml(x, &o.decision);
            });
        });
    }
}

/// `MatchedStatements`: the statements the evaluator says decided.
fn matched_xml(x: &mut Xml, decision: &Decision, inputs: &[&Input]) {
    x.with("MatchedStatements", |x| {
        for statement in &decision.deciding {
            let Some(input) = statement
                .policy_name
                .parse::<usize>()
                .ok()
                .and_then(|i| inputs.get(i))
            else {
                continue;
            };
            x.with("member", |x| {
                x.elem("SourcePolicyId", &input.id);
                x.elem("SourcePolicyType", input.source_type);
                if let Some((start, end)) = statement_positions(&input.text).get(statement.index) {
                    position_xml(x, "StartPosition", *start);
                    position_xml(x, "EndPosition", *end);
                }
            });
        }
    });
}

fn position_xml(x: &mut Xml, name: &str, (line, column): (usize, usize)) {
    x.with(name, |x| {
        x.elem("Line", &line.to_string());
        x.elem("Column", &column.to_string());
    });
}

fn missing_xml(x: &mut Xml, keys: &[String]) {
    x.with("MissingContextValues", |x| {
        for k in keys {
            x.elem("member", k);
        }
    });
}

/// What each policy type's statements said on their own: a matching `Deny`,
/// a matching `Allow`, or neither (read from the evaluator's trace).
fn type_decision(decision: &Decision, policy_type: PolicyType) -> Option<&'static str> {
    let mut seen = false;
    let (mut allow, mut deny) = (false, false);
    for trace in decision.trace.iter().filter(|t| t.policy_type == policy_type) {
        seen = true;
        for s in trace.statements.iter().filter(|s| s.result.is_ok()) {
            match trace.policy.statements[s.index].effect {
                Effect::Allow => allow = true,
                Effect::Deny => deny = true,
            }
        }
    }
    seen.then_some(if deny {
        "explicitDeny"
    } else if allow {
        "allowed"
    } else {
        "implicitDeny"
    })
}

/// `EvalDecisionDetails`: per policy type, for cross-account simulations;
/// present and empty for a same-account one on a specific resource.
fn details_xml(x: &mut Xml, decision: &Decision, cross_account: bool) {
    x.with("EvalDecisionDetails", |x| {
        if !cross_account {
            return;
        }
        for (name, policy_type) in [
            ("IAM Policy", PolicyType::IdentityBased),
            ("Resource Policy", PolicyType::ResourceBased),
        ] {
            if let Some(value) = type_decision(decision, policy_type) {
                x.with("entry", |x| {
                    x.elem("key", name);
                    x.elem("value", value);
                });
            }
        }
    });
}

fn boundary_detail_xml(x: &mut Xml, decision: &Decision) {
    if let Some(value) = type_decision(decision, PolicyType::PermissionsBoundary) {
        x.with("PermissionsBoundaryDecisionDetail", |x| {
            x.elem(
                "AllowedByPermissionsBoundary",
                if value == "allowed" { "true" } else { "false" },
            );
        });
    }
}

/// `MissingContextValues`: keys that statements applying to the action and
/// resource read in a condition or a variable, and the call did not give.
fn missing_context(decision: &Decision, context: &RequestContext) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    let mut add = |k: &str| {
        if context.get(k).is_none() && !missing.iter().any(|m| m.eq_ignore_ascii_case(k)) {
            missing.push(k.to_string());
        }
    };
    for trace in &decision.trace {
        for s in &trace.statements {
            let statement = &trace.policy.statements[s.index];
            match &s.result {
                Ok(_) => statement.conditions.iter().for_each(|c| add(&c.key)),
                Err(Mismatch::Condition { failures }) => {
                    statement.conditions.iter().for_each(|c| add(&c.key));
                    failures
                        .iter()
                        .flat_map(|f| &f.unresolved_variables)
                        .for_each(|v| add(v));
                }
                Err(Mismatch::Resource {
                    unresolved_variables, ..
                }) => unresolved_variables.iter().for_each(|v| add(v)),
                Err(_) => {}
            }
        }
    }
    missing
}

// ---- where statements are in the document ----

/// Where each statement of a policy document is: the 1-based line and
/// column of its `{`, and of the character after its `}` (how the IAM
/// simulator reports `StartPosition` / `EndPosition`).
type Position = (usize, usize);

fn statement_positions(text: &str) -> Vec<(Position, Position)> {
    let mut out = Vec::new();
    let (mut line, mut column) = (1, 0);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let mut string = String::new();
    // At depth 1: are we before a key, and which key's value follows?
    let mut expect_key = false;
    let mut last_key = String::new();
    let mut value_key = String::new();
    // Depth at which statement objects open (2: a single object, 3: in an array).
    let mut statement_depth = None;
    let mut open: Option<Position> = None;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            column = 0;
            continue;
        }
        column += 1;
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                if depth == 1 && expect_key {
                    last_key = std::mem::take(&mut string);
                    expect_key = false;
                }
            } else {
                string.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                string.clear();
            }
            ':' if depth == 1 => value_key = std::mem::take(&mut last_key),
            ',' if depth == 1 => expect_key = true,
            '{' | '[' => {
                depth += 1;
                if depth == 1 {
                    expect_key = true;
                } else if depth == 2 && value_key == "Statement" {
                    statement_depth = Some(if c == '{' { 2 } else { 3 });
                }
                if c == '{' && statement_depth == Some(depth) {
                    open = Some((line, column));
                }
            }
            '}' | ']' => {
                if c == '}' && statement_depth == Some(depth) {
                    if let Some(start) = open.take() {
                        out.push((start, (line, column + 1)));
                    }
                }
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    statement_depth = None;
                    value_key.clear();
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::statement_positions;

    #[test]
    fn positions_of_statements_in_an_array() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:Put*", "Resource": "*"}]}"#;
        let positions = statement_positions(text);
        assert_eq!(positions.len(), 2);
        assert_eq!(positions[0].0, (1, 41));
        let first_end = text.find('}').unwrap() + 2;
        assert_eq!(positions[0].1, (1, first_end));
    }

    #[test]
    fn positions_of_one_statement_over_lines() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\",\n      \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"true\"}}\n    }\n  ]\n}";
        assert_eq!(statement_positions(text), [((4, 5), (9, 6))]);
        let single =
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}, "Version": "2012-10-17"}"#;
        assert_eq!(statement_positions(single), [((1, 15), (1, 66))]);
    }
}

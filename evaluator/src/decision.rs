//! The decision algorithm: AWS's "policy evaluation logic", one place.
//!
//! Source: IAM User Guide, "Policy evaluation logic" and "Determining
//! whether a request is allowed or denied within an account"
//! (reference_policies_evaluation-logic_policy-eval-denyallow.html), and
//! "Cross-account policy evaluation logic". In order:
//! 1. Any explicit `Deny` in any applicable policy (SCP, RCP, resource-based,
//!    identity-based, permissions boundary, session) → explicit deny.
//! 2. RCPs, then SCPs: every level of the organisation must have an `Allow`
//!    ("If the enforcement code does not find any applicable Allow
//!    statements in the RCPs … Deny"); else implicit deny.
//! 3. Resource-based policy, same account: "If a resource-based policy grants
//!    permission directly to the IAM user or the session principal that is
//!    making the request, then an implicit deny in an identity-based policy,
//!    a permissions boundary, or a session policy does not impact the final
//!    decision"; a grant to the role ARN "is limited by an implicit deny in a
//!    permissions boundary or session policy"; a grant to the account
//!    delegates to the account, so identity policies must still allow.
//! 4. Identity-based policies must allow ("By default, all requests are
//!    implicitly denied with the exception of the AWS account root user,
//!    which has full access": root skips this and the boundary step).
//! 5. Permissions boundary, if set, must allow.
//! 6. Session policies, if the caller is a session that has them, must allow.
//!
//! Cross-account: "The principal's identity-based policy must allow the
//! requested access … \[and\] a resource-based policy" must allow too.
//! Anonymous and service callers have no identity policies; only a
//! resource-based policy can allow them, and SCPs do not apply to them.
//! Neither SCPs nor RCPs bind a session of a service-linked role.

use crate::acl::Acl;
use crate::arn::Arn;
use crate::context::RequestContext;
use crate::policy::{Effect, Policy};
use crate::principal::{Principal, PrincipalKind, PrincipalMatch};
use crate::rules::{self, Rule};
use crate::statement::{self, Principals, StatementResult};
use serde::Serialize;
use std::sync::Arc;

/// One request to authorize.
#[derive(Debug, Clone)]
pub struct Request {
    pub principal: Principal,
    /// `service:Action`, e.g. `s3:GetObject` (case does not matter).
    pub action: String,
    /// The resource ARN, or `*` for actions without a resource.
    pub resource: String,
    /// The account that owns the resource. `None`: the account in the
    /// resource ARN, else the caller's (e.g. S3 bucket ARNs have none; AWS
    /// managed policies, account `aws`, count as the caller's).
    pub resource_account: Option<String>,
    pub context: RequestContext,
}

impl Request {
    /// The account that owns the resource (see [`Request::resource_account`]).
    pub fn owning_account(&self) -> Option<&str> {
        // sts:AssumeRoot names a member account's root user, but it is the
        // caller's question, decided by its own account's policies: "You
        // must use credentials from an Organizations management account or
        // a delegated administrator account for IAM to call AssumeRoot"
        // (STS API Reference); the member has no policy on its root user to
        // grant it.
        if self.action.eq_ignore_ascii_case("sts:AssumeRoot") {
            return self.principal.account.as_deref();
        }
        if let Some(account) = &self.resource_account {
            return Some(account);
        }
        match Arn::parse(&self.resource) {
            // AWS managed policies (`arn:aws:iam::aws:policy/…`) are usable
            // from every account, and IAM authorizes calls on them as on the
            // caller's own resources (changing them is `rules::AwsOwned`'s).
            Some(arn) if arn.account == "aws" => self.principal.account.as_deref(),
            Some(arn) if !arn.account.is_empty() => Some(arn.account),
            _ => self.principal.account.as_deref(),
        }
    }
}

/// The kinds of policy that take part in a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyType {
    ServiceControl,
    ResourceControl,
    ResourceBased,
    /// A role's trust policy (a resource-based policy with its own wording).
    RoleTrust,
    IdentityBased,
    PermissionsBoundary,
    Session,
    /// An S3 bucket or object ACL: each grant acts like a resource-based
    /// `Allow` to its grantee (see [`crate::acl`]).
    Acl,
}

impl PolicyType {
    /// The name AWS uses in access-denied messages.
    pub fn aws_name(self) -> &'static str {
        match self {
            PolicyType::ServiceControl => "service control policy",
            PolicyType::ResourceControl => "resource control policy",
            PolicyType::ResourceBased => "resource-based policy",
            PolicyType::RoleTrust => "role trust policy",
            PolicyType::IdentityBased => "identity-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session policy",
            PolicyType::Acl => "access control list (ACL)",
        }
    }

    /// The article AWS puts before the name in "with an explicit deny in …".
    pub fn article(self) -> &'static str {
        match self {
            PolicyType::IdentityBased => "an",
            PolicyType::RoleTrust => "the",
            _ => "a",
        }
    }
}

/// A policy with the name the trace shows for it.
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    pub name: Arc<str>,
    pub policy: Arc<Policy>,
}

impl NamedPolicy {
    pub fn new(name: &str, policy: Policy) -> Self {
        NamedPolicy {
            name: name.into(),
            policy: Arc::new(policy),
        }
    }
}

/// Every policy that applies to one request.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// The caller's identity-based policies: inline and managed, its groups'.
    pub identity: Vec<NamedPolicy>,
    /// The resource's resource-based policies (bucket policy, trust policy…).
    pub resource: Vec<NamedPolicy>,
    pub boundary: Option<NamedPolicy>,
    /// Session policies passed when the session was created.
    pub session: Vec<NamedPolicy>,
    /// SCPs, one list per level from the organisation root down to the account.
    pub scps: Vec<Vec<NamedPolicy>>,
    /// RCPs, one list per level.
    pub rcps: Vec<Vec<NamedPolicy>>,
    /// The resource policy is a role trust policy (`sts:AssumeRole…`): it
    /// must itself allow the caller, even in the same account. IAM User
    /// Guide: "IAM role trust policies and KMS key policies are exceptions
    /// … they must explicitly allow access for principals."
    pub role_trust: bool,
    /// S3 ACLs of the resource (the bucket's, and the object's for object
    /// requests) whose grants count: the service leaves them out when
    /// Object Ownership disables ACLs, and public grants out under
    /// `IgnorePublicAcls`. Empty: decisions are as without ACLs.
    pub acls: Vec<Acl>,
}

/// The outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::ExplicitDeny => "explicitDeny",
            Outcome::ImplicitDeny => "implicitDeny",
        }
    }
}

/// One statement of one evaluated policy, and whether it applied.
#[derive(Debug, Clone)]
pub struct StatementTrace {
    pub index: usize,
    pub result: StatementResult,
}

/// One evaluated policy.
#[derive(Debug, Clone)]
pub struct PolicyTrace {
    pub policy_type: PolicyType,
    pub name: Arc<str>,
    /// The organisation level, for SCPs and RCPs.
    pub level: Option<usize>,
    pub policy: Arc<Policy>,
    pub statements: Vec<StatementTrace>,
}

impl PolicyTrace {
    fn matching(&self, effect: Effect) -> impl Iterator<Item = &StatementTrace> {
        self.statements
            .iter()
            .filter(move |s| s.result.is_ok() && self.policy.statements[s.index].effect == effect)
    }
}

/// Identifies a statement that decided the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementRef {
    pub policy_type: PolicyType,
    pub policy_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// 0-based position in the policy's `Statement` list.
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// The answer: outcome, what decided it, and the trace behind it.
#[derive(Debug, Clone)]
pub struct Decision {
    pub outcome: Outcome,
    /// Explicit deny: the policy type holding the `Deny`. Implicit deny: the
    /// policy type that lacked an `Allow`. Allowed: the type whose `Allow`
    /// granted it; `None` when the caller is the owning account's root.
    pub decided_by: Option<PolicyType>,
    /// The statements that decided (the denies, or the allows that granted).
    pub deciding: Vec<StatementRef>,
    /// Every policy evaluated, statement by statement.
    pub trace: Vec<PolicyTrace>,
    /// The AWS rule that decided instead of the policies (an action that
    /// needs no permission, an AWS-owned resource, …); `None` when the
    /// policies decided. The trace still shows what the policies said.
    pub rule: Option<Rule>,
    pub principal: String,
    pub action: String,
    pub resource: String,
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }

    /// AWS's access-denied message; `None` when allowed. S3 quotes the
    /// resource (`on resource: "arn:aws:s3:::b/k"`), IAM and STS do not.
    pub fn denial_message(&self, quote_resource: bool) -> Option<String> {
        // Actions without a resource (`*`, e.g. s3:ListAllMyBuckets) have no
        // "on resource" part in AWS's message.
        let shown = (self.resource != "*").then(|| {
            if quote_resource {
                format!("\"{}\"", self.resource)
            } else {
                self.resource.clone()
            }
        });
        self.denial_message_showing(shown.as_deref())
    }

    /// AWS's access-denied message naming `resource` as given, or no
    /// resource at all (for actions AWS reports without one).
    pub fn denial_message_showing(&self, resource: Option<&str>) -> Option<String> {
        if self.outcome == Outcome::Allowed {
            return None;
        }
        let head = match resource {
            None => format!(
                "User: {} is not authorized to perform: {}",
                self.principal, self.action
            ),
            Some(resource) => format!(
                "User: {} is not authorized to perform: {} on resource: {resource}",
                self.principal, self.action
            ),
        };
        let Some(policy_type) = self.decided_by else {
            return self.rule.map(|rule| match rule {
                Rule::RootCannotAssumeRole => "Roles may not be assumed by root accounts.".into(),
                Rule::AwsOwnedResource { owner } => {
                    format!(
                        "{head} because the resource is {}, which only AWS may change",
                        owner.describe()
                    )
                }
                Rule::FederatedUserApiLimits => {
                    format!(
                        "{head} because a federated user's session (GetFederationToken) cannot call this API"
                    )
                }
                Rule::SourceIdentityUnchangeable => {
                    format!("{head} because the source identity of the calling session cannot be changed")
                }
                Rule::LongTermCredentialsOnly => {
                    let name = self
                        .action
                        .split_once(':')
                        .map_or(self.action.as_str(), |(_, n)| n);
                    format!("Cannot call {name} with session credentials")
                }
                Rule::NeedsNoPermission | Rule::BucketOwnerRoot => head,
            });
        };
        match self.outcome {
            Outcome::Allowed => None,
            Outcome::ExplicitDeny => Some(format!(
                "{head} with an explicit deny in {} {}",
                policy_type.article(),
                policy_type.aws_name()
            )),
            Outcome::ImplicitDeny => Some(format!(
                "{head} because no {} allows the {} action",
                policy_type.aws_name(),
                self.action
            )),
        }
    }
}

/// Decides `request` under `policies`, as AWS does.
pub fn evaluate(request: &Request, policies: &PolicySet) -> Decision {
    let caller = &request.principal;
    let is_session = matches!(
        caller.kind,
        PrincipalKind::AssumedRole { .. } | PrincipalKind::FederatedUser
    );
    let service_linked = is_service_linked_session(request);
    let scps_apply =
        !service_linked && !matches!(caller.kind, PrincipalKind::Anonymous | PrincipalKind::Service);
    let mut eval = Evaluation {
        request,
        trace: Vec::new(),
    };

    let rcps = if service_linked {
        Vec::new()
    } else {
        eval.levels(PolicyType::ResourceControl, &policies.rcps)
    };
    let scps = if scps_apply {
        eval.levels(PolicyType::ServiceControl, &policies.scps)
    } else {
        Vec::new()
    };
    let resource_type = if policies.role_trust {
        PolicyType::RoleTrust
    } else {
        PolicyType::ResourceBased
    };
    let named = Principals::Named {
        caller_has_boundary: caller.has_identity_policies() && policies.boundary.is_some(),
    };
    let resource = eval.group(resource_type, None, &policies.resource, named);
    let acl = eval.acls(&policies.acls, named);
    let identity = caller.has_identity_policies().then(|| {
        eval.group(
            PolicyType::IdentityBased,
            None,
            &policies.identity,
            Principals::Unnamed,
        )
    });
    let boundary = caller
        .has_identity_policies()
        .then_some(policies.boundary.as_ref())
        .flatten()
        .map(|b| {
            eval.group(
                PolicyType::PermissionsBoundary,
                None,
                std::slice::from_ref(b),
                Principals::Unnamed,
            )
        });
    // Session policies bound the sessions they were passed to. A federated
    // user's session without any has no permissions: "If you do not pass
    // a policy to this operation, then the resulting federated user session
    // has no permissions" (STS API Reference, GetFederationToken). A
    // member account's root from AssumeRoot is bound by its task policy.
    let bounded = is_session || caller.kind == PrincipalKind::Root;
    let session = (bounded && (!policies.session.is_empty() || caller.kind == PrincipalKind::FederatedUser))
        .then(|| eval.group(PolicyType::Session, None, &policies.session, Principals::Unnamed));

    let decide_with = |resource: &GroupResult| {
        decide(
            request,
            policies.role_trust,
            &rcps,
            &scps,
            resource,
            &acl,
            identity.as_ref(),
            boundary.as_ref(),
            session.as_ref(),
        )
    };
    let (verdict, rule) = match rules::applicable(request) {
        None => (decide_with(&resource), None),
        Some(rule @ Rule::NeedsNoPermission) => (Verdict::by_rule(Outcome::Allowed), Some(rule)),
        Some(
            rule @ (Rule::AwsOwnedResource { .. }
            | Rule::RootCannotAssumeRole
            | Rule::FederatedUserApiLimits
            | Rule::SourceIdentityUnchangeable
            | Rule::LongTermCredentialsOnly),
        ) => (Verdict::by_rule(Outcome::ExplicitDeny), Some(rule)),
        Some(rule @ Rule::BucketOwnerRoot) => {
            let verdict = decide_with(&resource);
            if verdict.outcome == Outcome::Allowed || !resource.deny {
                (verdict, None)
            } else {
                // The bucket policy does not bind the owner's root here.
                let set_aside = GroupResult {
                    deny: false,
                    allow: None,
                    ..resource
                };
                let verdict = decide_with(&set_aside);
                let decided = (verdict.outcome == Outcome::Allowed).then_some(rule);
                (verdict, decided)
            }
        }
    };
    eval.finish(&verdict, rule)
}

/// Whether the caller is a session of a service-linked role (a role under
/// `/aws-service-role/`, as `aws:PrincipalArn` names the role of a
/// session). Organizations User Guide, "Tasks and entities not restricted
/// by SCPs": "Any action performed by service-linked roles. Service-linked
/// roles enable other AWS services to integrate with AWS Organizations and
/// can't be restricted by SCPs"; and likewise for RCPs ("Resources and
/// entities not restricted by RCPs": "Actions performed by service-linked
/// roles"). Neither SCPs nor RCPs are evaluated for such a caller.
fn is_service_linked_session(request: &Request) -> bool {
    if !matches!(request.principal.kind, PrincipalKind::AssumedRole { .. }) {
        return false;
    }
    request
        .context
        .get("aws:PrincipalArn")
        .and_then(|v| v.as_slice().first())
        .is_some_and(|arn| rules::AwsOwned::of(arn) == Some(rules::AwsOwned::ServiceLinkedRole))
}

/// What one group of policies (one type, one level) said.
struct GroupResult {
    policy_type: PolicyType,
    /// Indexes into the trace of the policies in this group.
    traces: std::ops::Range<usize>,
    deny: bool,
    /// The strongest way an `Allow` statement named the caller (resource
    /// policies), or `Some(Direct)` for an `Allow` in other policy types.
    allow: Option<PrincipalMatch>,
}

struct Verdict {
    outcome: Outcome,
    decided_by: Option<PolicyType>,
    /// The groups whose statements decided.
    groups: Vec<(std::ops::Range<usize>, Effect)>,
}

impl Verdict {
    /// A rule decided: no policy type, no deciding statement.
    fn by_rule(outcome: Outcome) -> Verdict {
        Verdict {
            outcome,
            decided_by: None,
            groups: Vec::new(),
        }
    }
}

struct Evaluation<'r> {
    request: &'r Request,
    trace: Vec<PolicyTrace>,
}

impl Evaluation<'_> {
    fn levels(&mut self, policy_type: PolicyType, levels: &[Vec<NamedPolicy>]) -> Vec<GroupResult> {
        levels
            .iter()
            .enumerate()
            .map(|(level, policies)| self.group(policy_type, Some(level), policies, Principals::Unnamed))
            .collect()
    }

    fn group(
        &mut self,
        policy_type: PolicyType,
        level: Option<usize>,
        policies: &[NamedPolicy],
        principals: Principals,
    ) -> GroupResult {
        let start = self.trace.len();
        let (mut deny, mut allow) = (false, None::<PrincipalMatch>);
        for named in policies {
            let substitute = named.policy.substitutes_variables();
            let statements: Vec<StatementTrace> = named
                .policy
                .statements
                .iter()
                .enumerate()
                .map(|(index, s)| StatementTrace {
                    index,
                    result: statement::check_with(s, self.request, substitute, principals),
                })
                .collect();
            for (s, trace) in named.policy.statements.iter().zip(&statements) {
                if let Ok(how) = trace.result {
                    match s.effect {
                        Effect::Deny => deny = true,
                        Effect::Allow => {
                            let how = how.unwrap_or(PrincipalMatch::Direct);
                            if allow.is_none_or(|best| how.strength() > best.strength()) {
                                allow = Some(how);
                            }
                        }
                    }
                }
            }
            self.trace.push(PolicyTrace {
                policy_type,
                name: named.name.clone(),
                level,
                policy: named.policy.clone(),
                statements,
            });
        }
        GroupResult {
            policy_type,
            traces: start..self.trace.len(),
            deny,
            allow,
        }
    }

    /// The ACLs' grants, each checked like a resource-based `Allow`
    /// statement; AuthenticatedUsers grants never reach an unsigned caller.
    fn acls(&mut self, acls: &[Acl], principals: Principals) -> GroupResult {
        let start = self.trace.len();
        let mut allow = None::<PrincipalMatch>;
        for acl in acls {
            let policy = Arc::new(Policy {
                version: Some(crate::policy::Version::V2012_10_17),
                id: None,
                statements: acl.statements(),
            });
            let statements: Vec<StatementTrace> = policy
                .statements
                .iter()
                .zip(&acl.grants)
                .enumerate()
                .map(|(index, (s, grant))| {
                    let result = statement::check_with(s, self.request, false, principals).and_then(|how| {
                        if grant.grantee.admits(&self.request.principal) {
                            Ok(how)
                        } else {
                            Err(statement::Mismatch::Principal)
                        }
                    });
                    if let Ok(how) = result {
                        let how = how.unwrap_or(PrincipalMatch::Direct);
                        if allow.is_none_or(|best| how.strength() > best.strength()) {
                            allow = Some(how);
                        }
                    }
                    StatementTrace { index, result }
                })
                .collect();
            self.trace.push(PolicyTrace {
                policy_type: PolicyType::Acl,
                name: acl.name.clone(),
                level: None,
                policy,
                statements,
            });
        }
        GroupResult {
            policy_type: PolicyType::Acl,
            traces: start..self.trace.len(),
            deny: false,
            allow,
        }
    }

    fn finish(self, verdict: &Verdict, rule: Option<Rule>) -> Decision {
        let mut deciding = Vec::new();
        for (range, effect) in &verdict.groups {
            for t in &self.trace[range.clone()] {
                for s in t.matching(*effect) {
                    deciding.push(StatementRef {
                        policy_type: t.policy_type,
                        policy_name: t.name.to_string(),
                        level: t.level,
                        index: s.index,
                        sid: t.policy.statements[s.index].sid.clone(),
                    });
                }
            }
        }
        Decision {
            outcome: verdict.outcome,
            decided_by: verdict.decided_by,
            deciding,
            trace: self.trace,
            rule,
            principal: self.request.principal.arn.clone(),
            action: self.request.action.clone(),
            resource: self.request.resource.clone(),
        }
    }
}

/// KMS keys: "IAM role trust policies and KMS key policies are exceptions to
/// this logic, because they must explicitly allow access for principals."
/// A key's own policy must allow the caller, even in the key's account.
fn is_kms_key(resource: &str) -> bool {
    Arn::parse(resource).is_some_and(|arn| arn.service == "kms" && arn.resource.starts_with("key/"))
}

#[allow(clippy::too_many_arguments)]
fn decide(
    request: &Request,
    role_trust: bool,
    rcps: &[GroupResult],
    scps: &[GroupResult],
    resource: &GroupResult,
    acl: &GroupResult,
    identity: Option<&GroupResult>,
    boundary: Option<&GroupResult>,
    session: Option<&GroupResult>,
) -> Verdict {
    let deny_first: Vec<&GroupResult> = scps
        .iter()
        .chain(rcps)
        .chain([resource])
        .chain(identity)
        .chain(boundary)
        .chain(session)
        .collect();
    if let Some(group) = deny_first.iter().find(|g| g.deny) {
        let groups = deny_first
            .iter()
            .filter(|g| g.deny)
            .map(|g| (g.traces.clone(), Effect::Deny))
            .collect();
        return Verdict {
            outcome: Outcome::ExplicitDeny,
            decided_by: Some(group.policy_type),
            groups,
        };
    }
    let implicit = |g: &GroupResult| Verdict {
        outcome: Outcome::ImplicitDeny,
        decided_by: Some(g.policy_type),
        groups: Vec::new(),
    };
    if let Some(level) = rcps.iter().chain(scps).find(|g| g.allow.is_none()) {
        return implicit(level);
    }
    if (role_trust || is_kms_key(&request.resource)) && resource.allow.is_none() {
        return implicit(resource);
    }
    // An ACL grant is one more resource-based allow (ACLs hold no denies):
    // the stronger of the two grants decides, the policy on a tie.
    let stronger = |g: &GroupResult| g.allow.map_or(-1, |m| i16::from(m.strength()));
    let resource = if stronger(acl) > stronger(resource) {
        acl
    } else {
        resource
    };
    let allowed = |by: &[&GroupResult]| Verdict {
        outcome: Outcome::Allowed,
        decided_by: by.first().map(|g| g.policy_type),
        groups: by.iter().map(|g| (g.traces.clone(), Effect::Allow)).collect(),
    };
    let caller = &request.principal;
    let same_account = caller.account.is_some() && caller.account.as_deref() == request.owning_account();
    let is_root = caller.kind == PrincipalKind::Root;

    // Limits that still apply after the identity side: boundary, then session.
    let limits = || boundary.into_iter().chain(session).find(|g| g.allow.is_none());

    if same_account {
        match resource.allow {
            Some(PrincipalMatch::Direct | PrincipalMatch::Everyone) => return allowed(&[resource]),
            Some(PrincipalMatch::Role) => {
                return match limits() {
                    Some(limit) => implicit(limit),
                    None => allowed(&[resource]),
                };
            }
            Some(PrincipalMatch::Account) | None => {}
        }
        if is_root {
            return match limits() {
                Some(limit) => implicit(limit),
                None => allowed(&[]),
            };
        }
    } else if !caller.has_identity_policies() && !is_root {
        // Anonymous, service and federated-provider callers: resource only.
        return match resource.allow {
            Some(_) => allowed(&[resource]),
            None => implicit(resource),
        };
    }
    let identity_allows = is_root || identity.is_some_and(|g| g.allow.is_some());
    if !identity_allows {
        return implicit(identity.unwrap_or(resource));
    }
    if let Some(limit) = limits() {
        return implicit(limit);
    }
    let identity_group: Vec<&GroupResult> = identity.into_iter().collect();
    if same_account {
        return allowed(&identity_group);
    }
    match resource.allow {
        Some(_) => {
            let mut by = identity_group;
            by.push(resource);
            allowed(&by)
        }
        None => implicit(resource),
    }
}

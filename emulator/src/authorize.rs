//! Authorization of every call: gather the policies that apply to the
//! caller from the state, build the request context, ask the evaluator,
//! record the decision, and enforce it (strict) or only log it (soft).

use crate::auth::{AuthMode, Caller};
use crate::error::{AwsError, Query};
use crate::shared::Ctx;
use crate::state::iam::Document;
use crate::state::{KeyOwner, State};
use iam_evaluator::{
    evaluate, AwsOwned, ContextValue, NamedPolicy, PolicySet, PrincipalKind, Request, RequestContext, Rule,
};

pub mod acl;
pub mod organization;
pub mod resource;

pub use resource::{effective_bucket_policy, Resource};

/// One authorization question.
pub struct Question<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    /// The account owning the resource, when the ARN does not say.
    pub resource_account: Option<&'a str>,
    /// Resource-based policies of the resource (trust policy, bucket policy).
    pub resource_policies: Vec<NamedPolicy>,
    /// Request-specific context keys (`aws:RequestTag/*`, `s3:prefix`, …).
    pub extra_context: RequestContext,
    /// The resource policy is a role trust policy.
    pub role_trust: bool,
    /// S3 ACLs whose grants count for this request (see `iam_evaluator::acl`).
    pub acls: Vec<iam_evaluator::Acl>,
}

impl<'a> Question<'a> {
    pub fn new(action: &'a str, resource: &'a str) -> Self {
        Question {
            action,
            resource,
            resource_account: None,
            resource_policies: Vec::new(),
            extra_context: RequestContext::new(),
            role_trust: false,
            acls: Vec::new(),
        }
    }
}

impl Question<'_> {
    /// The request's own keys (`aws:RequestTag/*`, `s3:prefix`, …), over
    /// what the resource brought ([`Resource::question`]).
    #[must_use]
    pub fn with_request_keys(mut self, keys: RequestContext) -> Self {
        if self.extra_context.is_empty() {
            self.extra_context = keys;
            return self;
        }
        for (key, value) in keys.iter() {
            match value {
                ContextValue::Single(v) => self.extra_context.set(key, v.clone()),
                ContextValue::Multi(vs) => self.extra_context.set_multi(key, vs.clone()),
            };
        }
        self
    }
}

/// Decides and enforces; `Ok` when the call may go on.
pub fn authorize(ctx: &Ctx, state: &State, caller: &Caller, question: Question) -> Result<(), AwsError> {
    authorize_with_message(ctx, state, caller, question, Wording::Iam)
}

/// How a denial is worded to the caller (the decision log always keeps
/// the full explanation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// IAM/STS: "User: … is not authorized to perform: … on resource: …".
    Iam,
    /// S3 to a caller of the bucket owner's account: the same, with the
    /// resource quoted.
    S3Detailed,
    /// S3 to anyone else: S3 explains denials only within the owner's
    /// account (or organisation), others read "Access Denied".
    S3Plain,
    /// S3 for an action AWS reports without a resource (ListAllMyBuckets).
    S3WithoutResource,
    /// STS to an identity provider's user (AssumeRoleWithWebIdentity,
    /// AssumeRoleWithSAML): "Not authorized to perform ACTION".
    NotAuthorized,
}

/// As [`authorize`], with the denial worded as `wording` says.
pub fn authorize_with_message(
    ctx: &Ctx,
    state: &State,
    caller: &Caller,
    question: Question,
    wording: Wording,
) -> Result<(), AwsError> {
    let (request, policies) = prepare_request(ctx, state, caller, question);
    let decision = evaluate(&request, &policies);
    let enforced = ctx.mode == AuthMode::Strict;
    let allowed = decision.is_allowed();
    let message = match wording {
        _ if allowed => String::new(),
        Wording::Iam => decision.denial_message(false).unwrap_or_default(),
        Wording::S3Detailed => decision.denial_message(true).unwrap_or_default(),
        Wording::S3Plain => "Access Denied".to_string(),
        Wording::S3WithoutResource => decision.denial_message_showing(None).unwrap_or_default(),
        Wording::NotAuthorized => format!("Not authorized to perform {}", decision.action),
    };
    let error = (!allowed).then(|| denial_error(&decision, message));
    // Every decision, enforced or not, is logged (and observed for policy
    // generation) once the service has answered, outside the state lock.
    let reply_message = error.as_ref().map(|e| e.message.clone());
    ctx.decided.push(crate::decisions::Made {
        at: crate::ids::now(),
        request,
        decision,
        enforced,
        reply_message,
    });
    let Some(error) = error else {
        return Ok(());
    };
    if enforced {
        return Err(error);
    }
    tracing::warn!(
        request_id = ctx.request_id,
        "soft mode: would deny: {}",
        error.message
    );
    Ok(())
}

/// The error a denial is answered with: `AccessDenied` with `message`,
/// except where AWS answers the evaluator's rule with an error of its own.
/// IAM: a change to a service-linked or `/aws-reserved/` role is
/// `UnmodifiableEntity` (400) "Cannot perform the operation on the
/// protected role 'NAME' - this role is only modifiable by AWS".
fn denial_error(decision: &iam_evaluator::Decision, message: String) -> AwsError {
    match decision.rule {
        Some(Rule::AwsOwnedResource {
            owner: AwsOwned::ServiceLinkedRole | AwsOwned::ReservedRole,
        }) => {
            let name = decision.resource.rsplit('/').next().unwrap_or_default();
            AwsError::new(
                Query::UnmodifiableEntity,
                format!("Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS"),
            )
        }
        _ => AwsError::access_denied(message),
    }
}

/// The caller's side of every question it asks, worked out once per caller
/// (`who-can` and `can` ask many questions of one): its identity-based
/// policies, permissions boundary, session policies and the SCPs that bound
/// it, and the keys that follow from who it is (`aws:userid`,
/// `aws:PrincipalTag/*`, the MFA keys of its session, `aws:PrincipalOrgID`…).
#[derive(Debug, Clone, Default)]
pub struct CallerPart {
    policies: PolicySet,
    keys: RequestContext,
}

impl CallerPart {
    /// `caller`'s part; `now` is the emulator's clock when a request with
    /// the caller's credentials is asked about (the age of its session's
    /// MFA), `None` for a stand-in caller without a session of its own.
    pub fn of(state: &State, caller: &Caller, now: Option<time::OffsetDateTime>) -> Self {
        CallerPart {
            policies: Self::policies(state, caller),
            keys: Self::keys(state, caller, now),
        }
    }

    /// The caller's policies: identity-based, boundary, session, and the
    /// SCPs of its organization.
    fn policies(state: &State, caller: &Caller) -> PolicySet {
        let mut policies = caller_policies(state, caller);
        if let Some(membership) = organization::caller_membership(state, caller.account.as_deref()) {
            organization::add_caller_scps(membership, &mut policies);
        }
        policies
    }

    /// The keys that follow from who the caller is.
    fn keys(state: &State, caller: &Caller, now: Option<time::OffsetDateTime>) -> RequestContext {
        let mut keys = RequestContext::new();
        if let Some(now) = now {
            add_mfa_keys(state, caller, now, &mut keys);
        }
        add_principal_keys(state, caller, &mut keys);
        if let Some(membership) = organization::caller_membership(state, caller.account.as_deref()) {
            organization::add_caller_keys(membership, &mut keys);
        }
        keys
    }
}

/// The evaluator's decision for `question` as a request of `caller` now,
/// neither recorded nor enforced: for a handler that reports whether the
/// caller could act (GetDelegationRequest's `PermissionCheckResult`).
pub fn decide(ctx: &Ctx, state: &State, caller: &Caller, question: Question) -> iam_evaluator::Decision {
    let (request, policies) = prepare_request(ctx, state, caller, question);
    evaluate(&request, &policies)
}

/// [`prepare`] for the request being served, the caller's part built for
/// it and taken by value (no copy). Its policies are gathered even for an
/// action that needs no permission: the decision's trace shows what they
/// said, as `explain` and `POST /_emulator/decide` show it.
fn prepare_request(ctx: &Ctx, state: &State, caller: &Caller, question: Question) -> (Request, PolicySet) {
    let keys = CallerPart::keys(state, caller, Some(ctx.shared.now()));
    let policies = CallerPart::policies(state, caller);
    assemble(state, caller, &keys, question, Some(&ctx.request_keys), policies)
}

/// The request and the policies the evaluator decides `question` with: the
/// one place a question is assembled, for a request's service (through
/// [`authorize`]), `who-can`, `can`, and `POST /_emulator/decide` alike.
/// The question's own keys win; then the request's (`request_keys`, made
/// by [`RequestFacts::keys`], when there is a request), then the caller's
/// ([`CallerPart`]); then what the owning account's organization adds
/// (RCPs, `aws:ResourceOrgID`, …) and `aws:ResourceAccount`.
pub fn prepare(
    state: &State,
    caller: &Caller,
    part: &CallerPart,
    question: Question,
    request_keys: Option<&RequestContext>,
) -> (Request, PolicySet) {
    assemble(
        state,
        caller,
        &part.keys,
        question,
        request_keys,
        part.policies.clone(),
    )
}

/// [`prepare`], given the caller's keys and policies.
fn assemble(
    state: &State,
    caller: &Caller,
    caller_keys: &RequestContext,
    question: Question,
    request_keys: Option<&RequestContext>,
    mut policies: PolicySet,
) -> (Request, PolicySet) {
    let mut context = question.extra_context;
    if let Some(keys) = request_keys {
        context.fill_from(keys);
    }
    context.fill_from(caller_keys);
    let mut request = Request {
        principal: caller.principal.clone(),
        action: question.action.to_string(),
        resource: question.resource.to_string(),
        resource_account: question.resource_account.map(str::to_string),
        context,
    };
    policies.resource = question.resource_policies;
    policies.role_trust = question.role_trust;
    policies.acls = question.acls;
    add_resource_owner(state, &mut request, &mut policies);
    (request, policies)
}

/// `aws:ResourceAccount` ("the resource owner's AWS account ID", in the
/// request context for most actions on a resource), and what the owner's
/// organization adds: nothing for actions on no resource (`*`).
fn add_resource_owner(state: &State, request: &mut Request, policies: &mut PolicySet) {
    if request.resource == "*" {
        return;
    }
    let Some(owner) = request
        .owning_account()
        .filter(|a| iam_evaluator::arn::is_account_id(a))
        .map(str::to_string)
    else {
        return;
    };
    organization::add_resource_side(state, &owner, &request.action, policies, &mut request.context);
    request.context.set_default("aws:ResourceAccount", owner);
}

/// A managed policy's default document, customer-managed or AWS-managed.
pub fn managed_document(state: &State, account: &str, arn: &str) -> Option<Document> {
    if let Some(doc) = state
        .account(account)
        .and_then(|a| a.policies.get(arn))
        .and_then(|p| p.default_document())
    {
        return Some(doc.clone());
    }
    crate::managed::document(arn)
}

/// Where an entity's policy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// An inline policy of the user, group or role (`kind`) named `holder`.
    Inline { kind: &'static str, holder: String },
    /// A managed policy, by ARN.
    Managed,
    /// The account password policy's `AllowUsersToChangePassword`, which
    /// grants every IAM user its own ChangePassword (see
    /// [`password_change_grant`]).
    AccountPasswordPolicy,
}

/// One policy that applies to an IAM entity.
#[derive(Debug, Clone)]
pub struct EntityPolicy {
    /// The inline policy's name, or the managed policy's ARN.
    pub name: String,
    pub source: PolicySource,
    pub document: Document,
}

impl EntityPolicy {
    /// As the evaluator takes it, named as the decision trace shows it: an
    /// inline policy as `NAME (inline, KIND HOLDER)`, a managed one by ARN.
    pub fn named(self) -> NamedPolicy {
        let name = match self.source {
            PolicySource::Inline { kind, holder } => format!("{} (inline, {kind} {holder})", self.name),
            PolicySource::Managed | PolicySource::AccountPasswordPolicy => self.name,
        };
        NamedPolicy {
            name: name.into(),
            policy: self.document.parsed,
        }
    }
}

/// The identity-based policies and permissions boundary of an IAM entity.
/// IAM User Guide ("Policy evaluation logic"): a user's identity-based
/// policies are its own inline and managed policies and those of every
/// group it belongs to; a role's are its own. Groups have no boundary.
#[derive(Debug, Clone, Default)]
pub struct EntityPolicies {
    pub identity: Vec<EntityPolicy>,
    pub boundary: Option<EntityPolicy>,
}

impl EntityPolicies {
    fn add_own(
        &mut self,
        state: &State,
        account: &str,
        kind: &'static str,
        holder: &str,
        inline: &std::collections::BTreeMap<String, Document>,
        attached: &[String],
    ) {
        for (name, doc) in inline {
            let source = PolicySource::Inline {
                kind,
                holder: holder.to_string(),
            };
            self.identity.push(EntityPolicy {
                name: name.clone(),
                source,
                document: doc.clone(),
            });
        }
        for arn in attached {
            if let Some(document) = managed_document(state, account, arn) {
                self.identity.push(EntityPolicy {
                    name: arn.clone(),
                    source: PolicySource::Managed,
                    document,
                });
            }
        }
    }

    fn set_boundary(&mut self, state: &State, account: &str, arn: Option<&String>) {
        self.boundary = arn.and_then(|arn| {
            let document = managed_document(state, account, arn)?;
            Some(EntityPolicy {
                name: arn.clone(),
                source: PolicySource::Managed,
                document,
            })
        });
    }
}

/// The policies of user `user` of `account`, its groups' included.
pub fn user_policies(
    state: &State,
    account: &crate::state::iam::Account,
    user: &crate::state::iam::User,
) -> EntityPolicies {
    let mut out = EntityPolicies::default();
    out.add_own(
        state,
        &account.id,
        "user",
        &user.name,
        &user.inline,
        &user.attached,
    );
    for group in user
        .groups
        .iter()
        .filter_map(|g| account.groups.get(&crate::state::iam::key(g)))
    {
        out.identity
            .extend(group_policies(state, account, group).identity);
    }
    if let Some(grant) = password_change_grant(account, user) {
        out.identity.push(grant);
    }
    out.set_boundary(state, &account.id, user.boundary.as_ref());
    out
}

/// What the account password policy's `AllowUsersToChangePassword` grants
/// a user: "If this check box is selected, all users can change their own
/// passwords" (IAM User Guide, "Permitting IAM users to change their own
/// passwords"), which is the guide's policy for selected users —
/// `iam:GetAccountPasswordPolicy` on `*` and `iam:ChangePassword` on the
/// user itself — given to every user. An identity policy of the user, so
/// the trace names it and denials and boundaries still apply.
fn password_change_grant(
    account: &crate::state::iam::Account,
    user: &crate::state::iam::User,
) -> Option<EntityPolicy> {
    let policy = account.credentials.password_policy.as_ref()?;
    if !policy.allow_users_to_change {
        return None;
    }
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:GetAccountPasswordPolicy","Resource":"*"}},{{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"{}"}}]}}"#,
        user.arn
    );
    let parsed = iam_evaluator::Policy::parse(&text).ok()?;
    Some(EntityPolicy {
        name: "AllowUsersToChangePassword (account password policy)".to_string(),
        source: PolicySource::AccountPasswordPolicy,
        document: Document {
            text: text.into(),
            parsed: std::sync::Arc::new(parsed),
        },
    })
}

/// The policies of a group (no boundary: groups have none).
pub fn group_policies(
    state: &State,
    account: &crate::state::iam::Account,
    group: &crate::state::iam::Group,
) -> EntityPolicies {
    let mut out = EntityPolicies::default();
    out.add_own(
        state,
        &account.id,
        "group",
        &group.name,
        &group.inline,
        &group.attached,
    );
    out
}

/// The policies of a role.
pub fn role_policies(
    state: &State,
    account: &crate::state::iam::Account,
    role: &crate::state::iam::Role,
) -> EntityPolicies {
    let mut out = EntityPolicies::default();
    out.add_own(
        state,
        &account.id,
        "role",
        &role.name,
        &role.inline,
        &role.attached,
    );
    out.set_boundary(state, &account.id, role.boundary.as_ref());
    out
}

/// The identity-based policies, boundary and session policies of the caller:
/// [`user_policies`] and [`role_policies`] as the evaluator takes them.
pub fn caller_policies(state: &State, caller: &Caller) -> PolicySet {
    let mut set = PolicySet::default();
    let Some(account_id) = caller.account.as_deref() else {
        return set;
    };
    let Some(account) = state.account(account_id) else {
        return set;
    };
    let user_name = match &caller.owner {
        Some(KeyOwner::User { user, .. }) => Some(user.as_str()),
        Some(KeyOwner::Session) => caller
            .access_key
            .as_ref()
            .and_then(|k| state.sessions.get(k))
            .and_then(|s| s.user_name.as_deref()),
        _ => None,
    };
    let mut entity = EntityPolicies::default();
    if let Some(user) = user_name.and_then(|n| account.users.get(&crate::state::iam::key(n))) {
        entity = user_policies(state, account, user);
    }
    if let PrincipalKind::AssumedRole { role_name, .. } = &caller.principal.kind {
        if let Some(role) = account.roles.get(&crate::state::iam::key(role_name)) {
            let role = role_policies(state, account, role);
            entity.identity.extend(role.identity);
            entity.boundary = role.boundary;
        }
    }
    let session = match caller.owner {
        Some(KeyOwner::Session) => caller.access_key.as_ref().and_then(|k| state.sessions.get(k)),
        _ => None,
    };
    if let Some(session) = session {
        // Session policies bound every session they were passed to: a
        // role's, a federated user's (GetFederationToken), a member root's
        // task policy (AssumeRoot). Parsed once, when the session was issued.
        for (name, doc) in &session.session_policies {
            set.session.push(NamedPolicy {
                name: name.as_str().into(),
                policy: doc.parsed.clone(),
            });
        }
        // GetFederationToken called by the account's root: the federated
        // user has the root's permissions, bounded by its session policies.
        if caller.principal.kind == PrincipalKind::FederatedUser && session.user_name.is_none() {
            set.identity.push(NamedPolicy {
                name: "the root user's permissions (GetFederationToken called by root)".into(),
                policy: ROOT_PERMISSIONS.clone(),
            });
        }
    }
    set.identity
        .extend(entity.identity.into_iter().map(EntityPolicy::named));
    set.boundary = entity.boundary.map(EntityPolicy::named);
    set
}

/// Everything, as the root user may do: the identity side of a federated
/// user whose GetFederationToken the root called.
static ROOT_PERMISSIONS: std::sync::LazyLock<std::sync::Arc<iam_evaluator::Policy>> =
    std::sync::LazyLock::new(|| {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        std::sync::Arc::new(iam_evaluator::Policy::parse(text).expect("a valid policy"))
    });

/// `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge`, from the
/// session: "This key is included in the request context only when the
/// principal uses temporary credentials to make the request. The key is
/// not present in AWS CLI, AWS API, or AWS SDK requests that are made
/// using long-term credentials" (IAM User Guide, global condition keys).
/// So a session made without MFA has it `false`, one made with MFA has it
/// `true` and the age in seconds since, and long-term keys have neither
/// (hence `BoolIfExists` in "deny unless MFA" policies).
fn add_mfa_keys(state: &State, caller: &Caller, now: time::OffsetDateTime, context: &mut RequestContext) {
    if caller.owner != Some(KeyOwner::Session) {
        return;
    }
    let Some(session) = caller.access_key.as_ref().and_then(|k| state.sessions.get(k)) else {
        return;
    };
    // "aws:TokenIssueTime … included in the request context only when the
    // principal uses temporary credentials" (IAM User Guide, global
    // condition keys).
    if let Some(issued) = session.issued {
        context.set_default("aws:TokenIssueTime", crate::ids::iso8601(issued));
    }
    match session.mfa_authenticated {
        Some(at) => {
            context.set_default("aws:MultiFactorAuthPresent", "true");
            let age = (now - at).whole_seconds().max(0);
            context.set_default("aws:MultiFactorAuthAge", age.to_string());
        }
        None => {
            context.set_default("aws:MultiFactorAuthPresent", "false");
        }
    }
}

/// What a request's global keys are made of, whoever asks.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The emulator's clock when the request came.
    pub now: time::OffsetDateTime,
    pub source_ip: Option<std::net::IpAddr>,
    pub user_agent: Option<&'a str>,
    /// The credential scope's region (empty: `us-east-1`).
    pub region: Option<&'a str>,
}

impl<'a> RequestFacts<'a> {
    /// The facts of `req`, come now, signed by `caller`.
    pub fn of(req: &'a crate::http::HttpRequest, caller: &'a Caller, now: time::OffsetDateTime) -> Self {
        RequestFacts {
            now,
            source_ip: req.peer.map(|peer| peer.ip()),
            user_agent: req.header("user-agent"),
            region: caller.scope.as_ref().map(|scope| scope.region.as_str()),
        }
    }

    /// The global keys of the request itself (time, transport, source,
    /// region), for request authorization and `POST /_emulator/decide`.
    pub fn keys(&self) -> RequestContext {
        let mut context = RequestContext::new();
        context.set_default("aws:CurrentTime", crate::ids::iso8601(self.now));
        context.set_default("aws:EpochTime", self.now.unix_timestamp().to_string());
        context.set_default("aws:SecureTransport", "false");
        if let Some(ip) = self.source_ip {
            context.set_default("aws:SourceIp", ip_text(ip));
        }
        if let Some(agent) = self.user_agent {
            context.set_default("aws:UserAgent", agent);
        }
        if let Some(region) = self.region {
            context.set_default(
                "aws:RequestedRegion",
                if region.is_empty() { "us-east-1" } else { region },
            );
        }
        context
    }
}

/// `ip.to_string()`; an IPv4 address (the usual peer) without the
/// formatting machinery.
fn ip_text(ip: std::net::IpAddr) -> String {
    let std::net::IpAddr::V4(v4) = ip else {
        return ip.to_string();
    };
    let mut out = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if octet >= 100 {
            out.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            out.push(char::from(b'0' + octet / 10 % 10));
        }
        out.push(char::from(b'0' + octet % 10));
    }
    out
}

/// The global keys that follow from who the caller is (`aws:userid`,
/// `aws:PrincipalTag/*`, `aws:PrincipalArn`, …): the part of a request's
/// context that needs no request, which `who-can` and `can` use too.
pub fn add_principal_keys(state: &State, caller: &Caller, context: &mut RequestContext) {
    let Some(account_id) = caller.account.as_deref() else {
        context.add_principal_keys(&caller.principal);
        return;
    };
    let account = state.account(account_id);
    match &caller.principal.kind {
        PrincipalKind::Root => {
            context.set_default("aws:userid", account_id);
        }
        PrincipalKind::User => {
            if let Some(user) = caller
                .principal
                .user_name()
                .and_then(|n| account?.users.get(&crate::state::iam::key(n)))
            {
                context.set_default("aws:userid", user.id.clone());
                for (k, v) in &user.tags {
                    context.set_default(&format!("aws:PrincipalTag/{k}"), v.clone());
                }
            }
        }
        PrincipalKind::AssumedRole {
            role_name,
            session_name,
        } => {
            if let Some(role) = account.and_then(|a| a.roles.get(&crate::state::iam::key(role_name))) {
                context.set_default("aws:userid", format!("{}:{session_name}", role.id));
                context.set_default("aws:PrincipalArn", role.arn.clone());
                let session = caller.access_key.as_ref().and_then(|k| state.sessions.get(k));
                for (k, v) in session
                    .map(|s| s.tags.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .chain(&role.tags)
                {
                    context.set_default(&format!("aws:PrincipalTag/{k}"), v.clone());
                }
            }
        }
        PrincipalKind::FederatedUser => {
            // "aws:userid … account:caller-specified-name" for federated users.
            let name = caller.principal.arn.rsplit('/').next().unwrap_or_default();
            context.set_default("aws:userid", format!("{account_id}:{name}"));
            // Its session tags, then the federating user's own tags: "You can
            // pass a session tag with the same key as a tag that is already
            // attached to the user you are federating. When you do, session
            // tags override a user tag with the same key" (GetFederationToken).
            let session = caller.access_key.as_ref().and_then(|k| state.sessions.get(k));
            let user = session
                .and_then(|s| s.user_name.as_deref())
                .and_then(|n| account?.users.get(&crate::state::iam::key(n)));
            let session_tags = session.map(|s| s.tags.as_slice()).unwrap_or_default();
            let user_tags = user.map(|u| u.tags.as_slice()).unwrap_or_default();
            for (k, v) in session_tags.iter().chain(user_tags) {
                context.set_default(&format!("aws:PrincipalTag/{k}"), v.clone());
            }
        }
        _ => {}
    }
    if caller.owner == Some(KeyOwner::Session) {
        if let Some(session) = caller.access_key.as_ref().and_then(|k| state.sessions.get(k)) {
            // "aws:SourceIdentity … the source identity set when the
            // principal assumed a role"; "aws:FederatedProvider … the
            // identity provider that was used to authenticate" a role
            // session from web identity or SAML federation.
            if let Some(source) = &session.source_identity {
                context.set_default("aws:SourceIdentity", source.clone());
            }
            if let Some(provider) = &session.federated_provider {
                context.set_default("aws:FederatedProvider", provider.clone());
            }
        }
    }
    context.add_principal_keys(&caller.principal);
}

#[cfg(test)]
mod tests {
    #[test]
    fn ip_text_is_the_address_as_displayed() {
        for text in [
            "0.0.0.0",
            "127.0.0.1",
            "10.20.30.40",
            "192.168.100.255",
            "255.255.255.255",
            "::1",
            "2001:db8::8a2e:370:7334",
        ] {
            let ip: std::net::IpAddr = text.parse().unwrap();
            assert_eq!(super::ip_text(ip), ip.to_string());
        }
        for n in 0..=255u8 {
            let ip = std::net::IpAddr::from([n, 9, 99, n]);
            assert_eq!(super::ip_text(ip), ip.to_string());
        }
    }
}

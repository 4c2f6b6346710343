//! The principals `who-can` and `can` ask about, each prepared once with
//! exactly what request authorization uses for it: the caller and its part
//! of every question ([`crate::authorize::CallerPart`]: identity policies,
//! boundary, session policies, SCPs, principal keys). Deciding assembles
//! the question a service would ask ([`super::targets::Target::question`])
//! with [`crate::authorize::prepare`], the one assembly request
//! authorization uses too, and asks [`iam_evaluator::evaluate`]; no policy
//! rule lives here.

use super::targets::Target;
use crate::auth::Caller;
use crate::authorize::{prepare, CallerPart, RequestFacts};
use crate::state::{KeyOwner, State};
use iam_evaluator::{evaluate, Decision, Principal, PrincipalKind, RequestContext};
use serde::Serialize;

/// What kind of principal a subject is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SubjectKind {
    /// An account's root user (of an account in the state).
    Root,
    User,
    /// A role, asked about as a session of it.
    Role,
    /// An account outside the state that a resource policy names: any of
    /// its principals its own administrators allow.
    Account,
    /// A federated user session (`sts:GetFederationToken`).
    FederatedUser,
    /// A web-identity or SAML caller, named by its identity provider.
    Federated,
    /// An AWS service principal such as `lambda.amazonaws.com`.
    Service,
    Anonymous,
}

/// One principal, ready to be asked about.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The principal as answers name it: a user, role or root ARN, or `anonymous`.
    pub arn: String,
    pub kind: SubjectKind,
    /// For users, the groups whose policies apply too.
    pub groups: Vec<String>,
    pub caller: Caller,
    part: CallerPart,
}

/// The session name `who-can` and `can` give a role's stand-in session.
pub const SESSION_NAME: &str = "iam-emulator-who-can";

impl Subject {
    fn new(state: &State, arn: String, kind: SubjectKind, caller: Caller) -> Self {
        // A stand-in caller has no session of its own: no MFA keys.
        let part = CallerPart::of(state, &caller, None);
        Subject {
            arn,
            kind,
            groups: Vec::new(),
            caller,
            part,
        }
    }

    /// An IAM user by name in `account`.
    pub fn user(state: &State, account: &str, user: &crate::state::iam::User) -> Self {
        let owner = KeyOwner::User {
            account: account.to_string(),
            user: user.name.clone(),
        };
        let principal = principal(&user.arn);
        let mut subject = Subject::new(
            state,
            user.arn.clone(),
            SubjectKind::User,
            caller(principal, Some(owner)),
        );
        subject.groups.clone_from(&user.groups);
        subject
    }

    /// A role, as a session of it named [`SESSION_NAME`].
    pub fn role(state: &State, account: &str, role: &crate::state::iam::Role) -> Self {
        let session = format!("arn:aws:sts::{account}:assumed-role/{}/{SESSION_NAME}", role.name);
        let caller = caller(principal(&session), Some(KeyOwner::Session));
        Subject::new(state, role.arn.clone(), SubjectKind::Role, caller)
    }

    /// The root user of `account` (`kind` Root, or Account for one outside the state).
    pub fn root(state: &State, account: &str, kind: SubjectKind) -> Self {
        let arn = format!("arn:aws:iam::{account}:root");
        let owner = KeyOwner::Root {
            account: account.to_string(),
        };
        Subject::new(state, arn.clone(), kind, caller(principal(&arn), Some(owner)))
    }

    /// The caller an access key authenticated as (a user, a root, or an
    /// STS session with its session policies, tags and MFA keys as of `now`).
    pub fn of_caller(state: &State, caller: Caller, now: time::OffsetDateTime) -> Self {
        let kind = kind_of(&caller.principal.kind);
        let groups = match &caller.owner {
            Some(KeyOwner::User { account, user }) => state
                .account(account)
                .and_then(|a| a.users.get(&crate::state::iam::key(user)))
                .map(|u| u.groups.clone())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let part = CallerPart::of(state, &caller, Some(now));
        Subject {
            arn: caller.principal.arn.clone(),
            kind,
            groups,
            caller,
            part,
        }
    }

    /// A caller with no identity policies of its own in the state: a
    /// service principal, a federated (web-identity or SAML) caller, or a
    /// federated user; only resource-based policies can grant to it.
    pub fn outsider(state: &State, principal: Principal) -> Self {
        let kind = kind_of(&principal.kind);
        Subject::new(state, principal.arn.clone(), kind, caller(principal, None))
    }

    pub fn anonymous(state: &State) -> Self {
        Subject::new(
            state,
            "anonymous".into(),
            SubjectKind::Anonymous,
            Caller::anonymous(),
        )
    }

    /// The decision request authorization would make for this subject
    /// doing `action` on `target`.
    pub fn decide(&self, state: &State, action: &str, target: &Target) -> Decision {
        self.decide_with(state, action, target, RequestContext::new(), None)
    }

    /// [`Subject::decide`] for a request with its own keys `given` (they win
    /// over those the resource and the principal bring) and, when it stands
    /// for a request made now, the request's `facts`.
    pub fn decide_with(
        &self,
        state: &State,
        action: &str,
        target: &Target,
        given: RequestContext,
        facts: Option<&RequestFacts>,
    ) -> Decision {
        let question = target.question(action, &self.caller).with_request_keys(given);
        let request_keys = facts.map(RequestFacts::keys);
        let (request, policies) = prepare(state, &self.caller, &self.part, question, request_keys.as_ref());
        evaluate(&request, &policies)
    }
}

fn kind_of(kind: &PrincipalKind) -> SubjectKind {
    match kind {
        PrincipalKind::Root => SubjectKind::Root,
        PrincipalKind::User => SubjectKind::User,
        PrincipalKind::AssumedRole { .. } => SubjectKind::Role,
        PrincipalKind::FederatedUser => SubjectKind::FederatedUser,
        PrincipalKind::Federated => SubjectKind::Federated,
        PrincipalKind::Service => SubjectKind::Service,
        PrincipalKind::Anonymous => SubjectKind::Anonymous,
    }
}

fn principal(arn: &str) -> Principal {
    Principal::from_arn(arn).unwrap_or_else(|_| Principal::anonymous())
}

fn caller(principal: Principal, owner: Option<KeyOwner>) -> Caller {
    let mut caller = Caller::anonymous();
    caller.account.clone_from(&principal.account);
    caller.principal = principal;
    caller.owner = owner;
    caller
}

/// Every principal in the state: each account's root, users and roles,
/// and the anonymous caller.
pub fn all(state: &State) -> Vec<Subject> {
    let mut out = Vec::new();
    for account in state.accounts.values() {
        out.push(Subject::root(state, &account.id, SubjectKind::Root));
        out.extend(
            account
                .users
                .values()
                .map(|u| Subject::user(state, &account.id, u)),
        );
        out.extend(
            account
                .roles
                .values()
                .map(|r| Subject::role(state, &account.id, r)),
        );
    }
    out.push(Subject::anonymous(state));
    out
}

/// The principal `text` names: a user, role, assumed-role session or root
/// ARN, an account id, `anonymous`; or one without identity policies in the
/// state ([`Subject::outsider`]): a federated-user ARN, an OIDC or SAML
/// provider (a federated caller), a service principal.
pub fn find(state: &State, text: &str) -> Result<Subject, String> {
    if text == "anonymous" || text == "*" {
        return Ok(Subject::anonymous(state));
    }
    if iam_evaluator::arn::is_account_id(text) {
        return Ok(root_of(state, text));
    }
    if let Ok(principal) = Principal::parse(text) {
        if matches!(
            principal.kind,
            PrincipalKind::Service | PrincipalKind::Federated | PrincipalKind::FederatedUser
        ) {
            return Ok(Subject::outsider(state, principal));
        }
    }
    let parsed = iam_evaluator::arn::Arn::parse(text).ok_or_else(|| not_found(text))?;
    let account = state.account(parsed.account);
    match (parsed.service, parsed.resource) {
        ("iam", "root") => Ok(root_of(state, parsed.account)),
        ("iam", r) if r.starts_with("user/") => account
            .and_then(|a| {
                a.users
                    .values()
                    .find(|u| u.arn == text)
                    .map(|u| Subject::user(state, &a.id, u))
            })
            .ok_or_else(|| not_found(text)),
        ("iam", r) if r.starts_with("role/") => account
            .and_then(|a| {
                a.roles
                    .values()
                    .find(|x| x.arn == text)
                    .map(|x| Subject::role(state, &a.id, x))
            })
            .ok_or_else(|| not_found(text)),
        ("sts", r) if r.starts_with("assumed-role/") => {
            let name = r.split('/').nth(1).unwrap_or_default();
            account
                .and_then(|a| {
                    let role = a.roles.get(&crate::state::iam::key(name))?;
                    Some(Subject::role(state, &a.id, role))
                })
                .ok_or_else(|| not_found(text))
        }
        _ => Err(not_found(text)),
    }
}

fn root_of(state: &State, account: &str) -> Subject {
    let kind = if state.account(account).is_some() {
        SubjectKind::Root
    } else {
        SubjectKind::Account
    };
    Subject::root(state, account, kind)
}

fn not_found(text: &str) -> String {
    format!(
        "{text}: no such principal (a user, role or root ARN, an assumed-role session or federated-user ARN, \
         an OIDC/SAML provider, a service principal such as lambda.amazonaws.com, an account id, or anonymous)"
    )
}

//! AWS Organizations (JSON 1.1, 2016-11-28): `POST /` with
//! `X-Amz-Target: AWSOrganizationsV20161128.<Operation>`, signed for the
//! service `organizations`; replies in `application/x-amz-json-1.1`,
//! errors as `{"__type", "Message", "Reason"?}` with HTTP 400.
//!
//! Every operation of botocore's model is a row of [`OPERATIONS`]: its IAM
//! action (`organizations:<Operation>`), who may call it besides what IAM
//! allows ([`Callers`]: the management account, a delegated
//! administrator, any member, anyone), what it acts on ([`On`]: the
//! resource types the Service Authorization Reference gives the action,
//! read from the input member naming each), and its handler. One door,
//! [`call`], reads the row: it finds the caller's organization
//! (`AWSOrganizationsNotInUseException`), builds the resource ARNs
//! (`arn:aws:organizations::MANAGEMENT:ou/o-…/ou-…`, …) with their tags,
//! asks [`crate::authorize`] about each, checks the caller, and only then
//! runs the handler. No handler names its action or authorizes.
//!
//! Split per family: [`organization`] (the organization, its root,
//! leaving), [`units`] (OUs, children, parents), [`accounts`] (creating,
//! moving, removing, closing accounts), [`handshakes`] (invitations),
//! [`policies`] (policies, attachments, policy types, effective
//! policies), [`delegation`] (delegated administrators, trusted
//! services, the resource policy), [`tags`], [`transfers`] (billing
//! responsibility transfers); [`view`] writes the shapes, [`input`] reads
//! the input, [`wire`] shapes the replies.
//!
//! Reaching a member account: an account CreateAccount makes has no
//! credentials of its own (as in AWS, where its root has no password);
//! it is reached through the role CreateAccount creates in it
//! (`OrganizationAccountAccessRole`, trusting the management account,
//! with administrator permissions). An account started with
//! `--root-key ACCOUNT:AKID:SECRET` has root keys, and joins an
//! organization by invitation (InviteAccountToOrganization, then
//! AcceptHandshake signed with its keys).

pub mod accounts;
pub mod delegation;
pub mod handshakes;
pub mod input;
pub mod organization;
pub mod policies;
pub mod tags;
pub mod transfers;
pub mod units;
pub mod view;
pub mod wire;

pub use input::{IdShape, Input};
pub use wire::error_response;

use super::{require_signed, Ctx};
use crate::auth::Caller;
use crate::authorize::{authorize, Question};
use crate::error::{AwsError, AwsResult, Json};
use crate::http::{HttpRequest, HttpResponse};
use crate::state::organizations::Organization;
use crate::state::State;
use iam_evaluator::{NamedPolicy, RequestContext};
use serde_json::Value;

/// `X-Amz-Target` is this prefix and the operation name.
pub const TARGET_PREFIX: &str = "AWSOrganizationsV20161128.";

/// The largest request body read (a resource policy is at most 40,000
/// characters).
const MAX_REQUEST_BYTES: u64 = 1024 * 1024;

/// Who may call an operation, once IAM allows it; botocore documents it
/// per operation ("You can only call this operation from the management
/// account or a member account that is a delegated administrator.").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callers {
    /// Any account, in an organization or not (creating one; answering
    /// an invitation).
    Anyone,
    /// Any account of the organization.
    Member,
    /// The management account, or a member account the organization's
    /// resource policy delegates the operation to.
    Delegable,
    /// As [`Callers::Delegable`]; being a delegated administrator of an
    /// AWS service is enough too (a read).
    DelegableRead,
    /// The management account only.
    Management,
}

/// What an operation acts on, as the Service Authorization Reference
/// gives its resource types; the names are the input members holding the
/// ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// No resource type: `*`.
    Nothing,
    /// The root.
    Root(&'static str),
    /// An OU.
    Unit(&'static str),
    /// An account.
    Account(&'static str),
    /// A root or OU.
    Parent(&'static str),
    /// An OU or account.
    Child(&'static str),
    /// A root, OU or account.
    Target(&'static str),
    /// A root, OU or account; the caller's own account when not given.
    TargetOrSelf(&'static str),
    /// A policy.
    Policy(&'static str),
    /// A policy, and the root, OU or account it is attached to.
    PolicyOnTarget,
    /// The policy CreatePolicy makes, of the input's `Type`: its id is not
    /// known yet, so the ARN ends in `*`.
    NewPolicy,
    /// A handshake.
    Handshake(&'static str),
    /// MoveAccount: the account, its source and its destination.
    Move,
    /// A root, OU, account or policy (tagging).
    Tagged(&'static str),
    /// The organization's resource policy.
    ResourcePolicy,
}

/// A handler: reads the input, acts, and writes the reply.
#[derive(Clone, Copy)]
pub enum Handler {
    Read(fn(&Call, &State) -> AwsResult<Value>),
    Write(fn(&Call, &mut State) -> AwsResult<Value>),
}

/// One operation of the model.
pub struct Operation {
    pub name: &'static str,
    pub action: &'static str,
    pub callers: Callers,
    pub on: On,
    pub handler: Handler,
}

const fn op(
    name: &'static str,
    action: &'static str,
    callers: Callers,
    on: On,
    handler: Handler,
) -> Operation {
    Operation {
        name,
        action,
        callers,
        on,
        handler,
    }
}

use Callers::{Anyone, Delegable, DelegableRead, Management, Member};
use Handler::{Read, Write};

/// Every operation of botocore's model (`emulator/data/botocore/organizations.json`).
pub const OPERATIONS: &[Operation] = &[
    op(
        "AcceptHandshake",
        "organizations:AcceptHandshake",
        Anyone,
        On::Handshake("HandshakeId"),
        Write(handshakes::accept),
    ),
    op(
        "AttachPolicy",
        "organizations:AttachPolicy",
        Delegable,
        On::PolicyOnTarget,
        Write(policies::attach),
    ),
    op(
        "CancelHandshake",
        "organizations:CancelHandshake",
        Management,
        On::Handshake("HandshakeId"),
        Write(handshakes::cancel),
    ),
    op(
        "CloseAccount",
        "organizations:CloseAccount",
        Management,
        On::Account("AccountId"),
        Write(accounts::close),
    ),
    op(
        "CreateAccount",
        "organizations:CreateAccount",
        Management,
        On::Nothing,
        Write(accounts::create),
    ),
    op(
        "CreateGovCloudAccount",
        "organizations:CreateGovCloudAccount",
        Management,
        On::Nothing,
        Read(accounts::create_govcloud),
    ),
    op(
        "CreateOrganization",
        "organizations:CreateOrganization",
        Anyone,
        On::Nothing,
        Write(organization::create),
    ),
    op(
        "CreateOrganizationalUnit",
        "organizations:CreateOrganizationalUnit",
        Management,
        On::Parent("ParentId"),
        Write(units::create),
    ),
    op(
        "CreatePolicy",
        "organizations:CreatePolicy",
        Delegable,
        On::NewPolicy,
        Write(policies::create),
    ),
    op(
        "DeclineHandshake",
        "organizations:DeclineHandshake",
        Anyone,
        On::Handshake("HandshakeId"),
        Write(handshakes::decline),
    ),
    op(
        "DeleteOrganization",
        "organizations:DeleteOrganization",
        Management,
        On::Nothing,
        Write(organization::delete),
    ),
    op(
        "DeleteOrganizationalUnit",
        "organizations:DeleteOrganizationalUnit",
        Management,
        On::Unit("OrganizationalUnitId"),
        Write(units::delete),
    ),
    op(
        "DeletePolicy",
        "organizations:DeletePolicy",
        Delegable,
        On::Policy("PolicyId"),
        Write(policies::delete),
    ),
    op(
        "DeleteResourcePolicy",
        "organizations:DeleteResourcePolicy",
        Management,
        On::Nothing,
        Write(delegation::delete_resource_policy),
    ),
    op(
        "DeregisterDelegatedAdministrator",
        "organizations:DeregisterDelegatedAdministrator",
        Management,
        On::Account("AccountId"),
        Write(delegation::deregister),
    ),
    op(
        "DescribeAccount",
        "organizations:DescribeAccount",
        DelegableRead,
        On::Account("AccountId"),
        Read(accounts::describe),
    ),
    op(
        "DescribeCreateAccountStatus",
        "organizations:DescribeCreateAccountStatus",
        DelegableRead,
        On::Nothing,
        Read(accounts::describe_status),
    ),
    op(
        "DescribeEffectivePolicy",
        "organizations:DescribeEffectivePolicy",
        Member,
        On::TargetOrSelf("TargetId"),
        Read(policies::describe_effective),
    ),
    op(
        "DescribeHandshake",
        "organizations:DescribeHandshake",
        Anyone,
        On::Handshake("HandshakeId"),
        Read(handshakes::describe),
    ),
    op(
        "DescribeOrganization",
        "organizations:DescribeOrganization",
        Member,
        On::Nothing,
        Read(organization::describe),
    ),
    op(
        "DescribeOrganizationalUnit",
        "organizations:DescribeOrganizationalUnit",
        DelegableRead,
        On::Unit("OrganizationalUnitId"),
        Read(units::describe),
    ),
    op(
        "DescribePolicy",
        "organizations:DescribePolicy",
        DelegableRead,
        On::Policy("PolicyId"),
        Read(policies::describe),
    ),
    op(
        "DescribeResourcePolicy",
        "organizations:DescribeResourcePolicy",
        DelegableRead,
        On::Nothing,
        Read(delegation::describe_resource_policy),
    ),
    op(
        "DescribeResponsibilityTransfer",
        "organizations:DescribeResponsibilityTransfer",
        Management,
        On::Nothing,
        Read(transfers::describe),
    ),
    op(
        "DetachPolicy",
        "organizations:DetachPolicy",
        Delegable,
        On::PolicyOnTarget,
        Write(policies::detach),
    ),
    op(
        "DisableAWSServiceAccess",
        "organizations:DisableAWSServiceAccess",
        Management,
        On::Nothing,
        Write(delegation::disable_service_access),
    ),
    op(
        "DisablePolicyType",
        "organizations:DisablePolicyType",
        Delegable,
        On::Root("RootId"),
        Write(policies::disable_type),
    ),
    op(
        "EnableAWSServiceAccess",
        "organizations:EnableAWSServiceAccess",
        Management,
        On::Nothing,
        Write(delegation::enable_service_access),
    ),
    op(
        "EnableAllFeatures",
        "organizations:EnableAllFeatures",
        Management,
        On::Nothing,
        Write(organization::enable_all_features),
    ),
    op(
        "EnablePolicyType",
        "organizations:EnablePolicyType",
        Delegable,
        On::Root("RootId"),
        Write(policies::enable_type),
    ),
    op(
        "InviteAccountToOrganization",
        "organizations:InviteAccountToOrganization",
        Management,
        On::Nothing,
        Write(handshakes::invite),
    ),
    op(
        "InviteOrganizationToTransferResponsibility",
        "organizations:InviteOrganizationToTransferResponsibility",
        Management,
        On::Nothing,
        Read(transfers::invite),
    ),
    op(
        "LeaveOrganization",
        "organizations:LeaveOrganization",
        Member,
        On::Nothing,
        Write(organization::leave),
    ),
    op(
        "ListAWSServiceAccessForOrganization",
        "organizations:ListAWSServiceAccessForOrganization",
        DelegableRead,
        On::Nothing,
        Read(delegation::list_service_access),
    ),
    op(
        "ListAccounts",
        "organizations:ListAccounts",
        DelegableRead,
        On::Nothing,
        Read(accounts::list),
    ),
    op(
        "ListAccountsForParent",
        "organizations:ListAccountsForParent",
        DelegableRead,
        On::Parent("ParentId"),
        Read(accounts::list_for_parent),
    ),
    op(
        "ListAccountsWithInvalidEffectivePolicy",
        "organizations:ListAccountsWithInvalidEffectivePolicy",
        DelegableRead,
        On::Nothing,
        Read(policies::list_accounts_with_invalid_effective_policy),
    ),
    op(
        "ListChildren",
        "organizations:ListChildren",
        DelegableRead,
        On::Parent("ParentId"),
        Read(units::list_children),
    ),
    op(
        "ListCreateAccountStatus",
        "organizations:ListCreateAccountStatus",
        DelegableRead,
        On::Nothing,
        Read(accounts::list_statuses),
    ),
    op(
        "ListDelegatedAdministrators",
        "organizations:ListDelegatedAdministrators",
        DelegableRead,
        On::Nothing,
        Read(delegation::list_administrators),
    ),
    op(
        "ListDelegatedServicesForAccount",
        "organizations:ListDelegatedServicesForAccount",
        DelegableRead,
        On::Account("AccountId"),
        Read(delegation::list_services_for_account),
    ),
    op(
        "ListEffectivePolicyValidationErrors",
        "organizations:ListEffectivePolicyValidationErrors",
        DelegableRead,
        On::Account("AccountId"),
        Read(policies::list_effective_policy_validation_errors),
    ),
    op(
        "ListHandshakesForAccount",
        "organizations:ListHandshakesForAccount",
        Anyone,
        On::Nothing,
        Read(handshakes::list_for_account),
    ),
    op(
        "ListHandshakesForOrganization",
        "organizations:ListHandshakesForOrganization",
        DelegableRead,
        On::Nothing,
        Read(handshakes::list_for_organization),
    ),
    op(
        "ListInboundResponsibilityTransfers",
        "organizations:ListInboundResponsibilityTransfers",
        Management,
        On::Nothing,
        Read(transfers::list),
    ),
    op(
        "ListOrganizationalUnitsForParent",
        "organizations:ListOrganizationalUnitsForParent",
        DelegableRead,
        On::Parent("ParentId"),
        Read(units::list_for_parent),
    ),
    op(
        "ListOutboundResponsibilityTransfers",
        "organizations:ListOutboundResponsibilityTransfers",
        Management,
        On::Nothing,
        Read(transfers::list),
    ),
    op(
        "ListParents",
        "organizations:ListParents",
        DelegableRead,
        On::Child("ChildId"),
        Read(units::list_parents),
    ),
    op(
        "ListPolicies",
        "organizations:ListPolicies",
        DelegableRead,
        On::Nothing,
        Read(policies::list),
    ),
    op(
        "ListPoliciesForTarget",
        "organizations:ListPoliciesForTarget",
        DelegableRead,
        On::Target("TargetId"),
        Read(policies::list_for_target),
    ),
    op(
        "ListRoots",
        "organizations:ListRoots",
        DelegableRead,
        On::Nothing,
        Read(organization::list_roots),
    ),
    op(
        "ListTagsForResource",
        "organizations:ListTagsForResource",
        DelegableRead,
        On::Tagged("ResourceId"),
        Read(tags::list),
    ),
    op(
        "ListTargetsForPolicy",
        "organizations:ListTargetsForPolicy",
        DelegableRead,
        On::Policy("PolicyId"),
        Read(policies::list_targets),
    ),
    op(
        "MoveAccount",
        "organizations:MoveAccount",
        Management,
        On::Move,
        Write(accounts::move_account),
    ),
    op(
        "PutResourcePolicy",
        "organizations:PutResourcePolicy",
        Management,
        On::ResourcePolicy,
        Write(delegation::put_resource_policy),
    ),
    op(
        "RegisterDelegatedAdministrator",
        "organizations:RegisterDelegatedAdministrator",
        Management,
        On::Account("AccountId"),
        Write(delegation::register),
    ),
    op(
        "RemoveAccountFromOrganization",
        "organizations:RemoveAccountFromOrganization",
        Management,
        On::Account("AccountId"),
        Write(accounts::remove),
    ),
    op(
        "TagResource",
        "organizations:TagResource",
        Delegable,
        On::Tagged("ResourceId"),
        Write(tags::tag),
    ),
    op(
        "TerminateResponsibilityTransfer",
        "organizations:TerminateResponsibilityTransfer",
        Management,
        On::Nothing,
        Read(transfers::describe),
    ),
    op(
        "UntagResource",
        "organizations:UntagResource",
        Delegable,
        On::Tagged("ResourceId"),
        Write(tags::untag),
    ),
    op(
        "UpdateOrganizationalUnit",
        "organizations:UpdateOrganizationalUnit",
        Management,
        On::Unit("OrganizationalUnitId"),
        Write(units::update),
    ),
    op(
        "UpdatePolicy",
        "organizations:UpdatePolicy",
        Delegable,
        On::Policy("PolicyId"),
        Write(policies::update),
    ),
    op(
        "UpdateResponsibilityTransfer",
        "organizations:UpdateResponsibilityTransfer",
        Management,
        On::Nothing,
        Read(transfers::describe),
    ),
];

pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    match call(ctx, caller) {
        Ok(value) => wire::reply(&value, ctx.request_id),
        Err(err) => error_response(&err, ctx.request_id),
    }
}

/// The door: reads the call, finds the organization, authorizes the
/// operation's action on its resources, checks the caller, runs the
/// handler.
fn call(ctx: &Ctx, caller: &Caller) -> AwsResult<Value> {
    require_signed(caller)?;
    let name = operation_name(ctx.req)?;
    let operation = OPERATIONS.iter().find(|o| o.name == name).ok_or_else(|| {
        AwsError::new(
            Json::UnknownOperationException,
            format!("Unknown operation {TARGET_PREFIX}{name}"),
        )
    })?;
    let call = Call {
        ctx,
        caller,
        operation,
        input: Input::parse(&read_body(ctx.req)?)?,
    };
    let mut state = ctx.shared.state();
    call.admit(&state)?;
    match operation.handler {
        Handler::Read(handler) => handler(&call, &state),
        Handler::Write(handler) => handler(&call, &mut state),
    }
}

/// The operation named by `X-Amz-Target`.
fn operation_name(req: &HttpRequest) -> AwsResult<&str> {
    let target = req.header("x-amz-target").unwrap_or_default();
    target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
        AwsError::new(
            Json::UnknownOperationException,
            format!("X-Amz-Target {target:?} does not name a {TARGET_PREFIX}* operation"),
        )
    })
}

fn read_body(req: &HttpRequest) -> AwsResult<Vec<u8>> {
    if req.body_len() > MAX_REQUEST_BYTES {
        return Err(AwsError::new(
            Json::RequestEntityTooLargeException,
            format!("The request body is larger than {MAX_REQUEST_BYTES} bytes."),
        ));
    }
    let mut body = Vec::new();
    req.body_reader()
        .and_then(|r| std::io::Read::read_to_end(&mut std::io::Read::take(r, MAX_REQUEST_BYTES), &mut body))
        .map_err(|e| AwsError::new(Json::InternalFailure, format!("Reading the request failed: {e}")))?;
    Ok(body)
}

/// One Organizations call: who asks, which operation, with what input.
pub struct Call<'a> {
    pub ctx: &'a Ctx<'a>,
    pub caller: &'a Caller,
    pub operation: &'static Operation,
    pub input: Input,
}

/// A resource an operation acts on: its ARN and tags.
struct Resource {
    arn: String,
    tags: Vec<(String, String)>,
}

impl Call<'_> {
    /// The caller's account.
    pub fn account(&self) -> &str {
        self.caller.account.as_deref().unwrap_or_default()
    }

    /// The emulator clock's now.
    pub fn now(&self) -> time::OffsetDateTime {
        self.ctx.shared.now()
    }

    /// The caller's organization, or `AWSOrganizationsNotInUseException`.
    pub fn org<'s>(&self, state: &'s State) -> AwsResult<&'s Organization> {
        state
            .organizations
            .org_of(self.account())
            .ok_or_else(wire::not_in_use)
    }

    /// The id of the caller's organization.
    pub fn org_id(&self, state: &State) -> AwsResult<String> {
        self.org(state).map(|o| o.id.clone())
    }

    /// Whether the caller is its organization's management account.
    pub fn is_management(&self, state: &State) -> bool {
        state.organizations.is_management(self.account())
    }

    /// The operation's organization: the caller's, or for an invitation
    /// answered from outside, the one that sent it.
    fn subject_org<'s>(&self, state: &'s State) -> AwsResult<Option<&'s Organization>> {
        if let Some(org) = state.organizations.org_of(self.account()) {
            return Ok(Some(org));
        }
        match self.operation.callers {
            Callers::Anyone => Ok(match self.operation.on {
                On::Handshake(member) => self
                    .input
                    .str(member)?
                    .and_then(|id| state.organizations.org_of_handshake(id)),
                _ => None,
            }),
            _ => Err(wire::not_in_use()),
        }
    }

    /// Everything before the handler: the organization, IAM's decision on
    /// each resource, and whether this caller may call the operation.
    fn admit(&self, state: &State) -> AwsResult<()> {
        let org = self.subject_org(state)?;
        let resources = self.resources(state, org)?;
        let request = self.request_keys(org)?;
        let delegation = self.delegation(state, org)?;
        for resource in resources {
            let mut context = request.clone();
            for (key, value) in &resource.tags {
                context.set_default(&format!("aws:ResourceTag/{key}"), value.clone());
            }
            let (owner, policies) = match &delegation {
                Delegation::Own => (self.account().to_string(), Vec::new()),
                Delegation::ByResourcePolicy { management, policy } => {
                    (management.clone(), vec![policy.clone()])
                }
            };
            let question = Question {
                resource_account: Some(&owner),
                resource_policies: policies,
                extra_context: context,
                ..Question::new(self.operation.action, &resource.arn)
            };
            authorize(self.ctx, state, self.caller, question)?;
        }
        Ok(())
    }

    /// How a caller may call the operation: in its own right (IAM of its
    /// own account decides), or as a member the organization's resource
    /// policy delegates it to (IAM decides with that policy, cross-account).
    fn delegation(&self, state: &State, org: Option<&Organization>) -> AwsResult<Delegation> {
        let Some(org) = org else {
            return Ok(Delegation::Own);
        };
        let account = self.account();
        let member = org.accounts.contains_key(account) && org.management != account;
        let callers = self.operation.callers;
        if !member || matches!(callers, Callers::Anyone | Callers::Member) {
            return Ok(Delegation::Own);
        }
        if callers == Callers::DelegableRead && org.is_any_delegated_admin(account) {
            return Ok(Delegation::Own);
        }
        let delegable = matches!(callers, Callers::Delegable | Callers::DelegableRead);
        match org.resource_policy.as_ref().and_then(|rp| rp.parsed.clone()) {
            Some(policy) if delegable => Ok(Delegation::ByResourcePolicy {
                management: org.management.clone(),
                policy: NamedPolicy {
                    name: format!("organization resource policy of {}", org.id).into(),
                    policy,
                },
            }),
            _ => {
                // Not delegable: the member is refused by Organizations
                // itself, after IAM's own decision.
                let _ = state;
                Err(wire::not_management())
            }
        }
    }

    /// The resources the operation acts on, as its row's [`On`] names them.
    fn resources(&self, state: &State, org: Option<&Organization>) -> AwsResult<Vec<Resource>> {
        let plain = |arn: String| Resource {
            arn,
            tags: Vec::new(),
        };
        let Some(org) = org else {
            return Ok(vec![plain("*".to_string())]);
        };
        let input = &self.input;
        let target = |id: &str| -> Resource {
            let arn = org.target_arn(id).unwrap_or_else(|| target_arn_of_id(org, id));
            Resource {
                arn,
                tags: view::target_tags(org, id).to_vec(),
            }
        };
        let policy = |id: &str| -> AwsResult<Resource> {
            let kind = org.policy_kind(id).ok_or_else(|| policies::not_found(id))?;
            Ok(Resource {
                arn: org.policy_arn(kind, id),
                tags: org.policies.get(id).map(|p| p.tags.clone()).unwrap_or_default(),
            })
        };
        Ok(match self.operation.on {
            On::Nothing => vec![plain("*".to_string())],
            On::Root(member) => vec![target(input.id(member, IdShape::Root)?)],
            On::Unit(member) => vec![target(input.id(member, IdShape::Unit)?)],
            On::Account(member) => vec![target(input.id(member, IdShape::Account)?)],
            On::Parent(member) => vec![target(input.id(member, IdShape::Parent)?)],
            On::Child(member) => vec![target(input.id(member, IdShape::Child)?)],
            On::Target(member) => vec![target(input.id(member, IdShape::Target)?)],
            On::TargetOrSelf(member) => {
                let id = input
                    .optional_id(member, IdShape::Target)?
                    .unwrap_or(self.account());
                vec![target(id)]
            }
            On::Policy(member) => vec![policy(input.id(member, IdShape::Policy)?)?],
            On::PolicyOnTarget => vec![
                policy(input.id("PolicyId", IdShape::Policy)?)?,
                target(input.id("TargetId", IdShape::Target)?),
            ],
            On::NewPolicy => {
                let kind = policies::input_type(input, "Type")?;
                vec![plain(format!(
                    "arn:aws:organizations::{}:policy/{}/{}/*",
                    org.management,
                    org.id,
                    kind.as_str().to_ascii_lowercase()
                ))]
            }
            On::Handshake(member) => {
                let id = input.id(member, IdShape::Handshake)?;
                vec![plain(org.handshake_arn(id))]
            }
            On::Move => vec![
                target(input.id("AccountId", IdShape::Account)?),
                target(input.id("SourceParentId", IdShape::Parent)?),
                target(input.id("DestinationParentId", IdShape::Parent)?),
            ],
            On::Tagged(member) => {
                let id = input.id(member, IdShape::Taggable)?;
                if input::is_policy_id(id) {
                    vec![policy(id)?]
                } else if let Some(rest) = id.strip_prefix("rp-") {
                    vec![plain(org.resource_policy_arn(&format!("rp-{rest}")))]
                } else {
                    vec![target(id)]
                }
            }
            On::ResourcePolicy => {
                let _ = state;
                vec![plain(
                    org.resource_policy_arn(&delegation::resource_policy_id(org)),
                )]
            }
        })
    }

    /// The keys of the request the reference lists for Organizations'
    /// actions: `organizations:PolicyType`, `organizations:ServicePrincipal`,
    /// `aws:RequestTag/*`, `aws:TagKeys`.
    fn request_keys(&self, org: Option<&Organization>) -> AwsResult<RequestContext> {
        let input = &self.input;
        let mut context = RequestContext::new();
        let policy_type = ["Type", "PolicyType", "Filter"]
            .into_iter()
            .find_map(|m| input.str(m).ok().flatten())
            .map(str::to_string)
            .or_else(|| {
                let id = input.str("PolicyId").ok().flatten()?;
                Some(org?.policy_kind(id)?.as_str().to_string())
            });
        if let Some(policy_type) = policy_type {
            context.set("organizations:PolicyType", policy_type);
        }
        if let Some(principal) = input.str("ServicePrincipal")? {
            context.set("organizations:ServicePrincipal", principal);
        }
        let tags = input.tags("Tags")?;
        for (key, value) in &tags {
            context.set(&format!("aws:RequestTag/{key}"), value.clone());
        }
        let keys: Vec<String> = match input.string_list("TagKeys")? {
            Some(keys) => keys,
            None => tags.into_iter().map(|(k, _)| k).collect(),
        };
        if !keys.is_empty() {
            context.set_multi("aws:TagKeys", keys);
        }
        Ok(context)
    }
}

/// How the caller may call an operation (see [`Call::delegation`]).
enum Delegation {
    Own,
    ByResourcePolicy { management: String, policy: NamedPolicy },
}

/// The ARN a root, OU or account id would have in `org`, for one that is
/// not (or not yet) there.
fn target_arn_of_id(org: &Organization, id: &str) -> String {
    if input::is_root_id(id) {
        format!("arn:aws:organizations::{}:root/{}/{id}", org.management, org.id)
    } else if input::is_unit_id(id) {
        org.unit_arn(id)
    } else {
        org.account_arn(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation botocore's model lists has a row, and every row is
    /// an operation of the model: none is answered by another.
    #[test]
    fn every_operation_of_the_model_has_a_row() {
        let rows: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        crate::protocol::model::assert_table_covers(
            include_str!("../../../data/botocore/organizations.json"),
            &rows,
            &[],
        );
        for row in OPERATIONS {
            assert_eq!(row.action, format!("organizations:{}", row.name));
        }
    }

    #[test]
    fn every_action_is_in_the_catalog() {
        // No responsibility transfer ever exists here (see `transfers`),
        // so these never reach a transfer's ARN.
        const NO_TRANSFERS: &[&str] = &[
            "DescribeResponsibilityTransfer",
            "TerminateResponsibilityTransfer",
            "UpdateResponsibilityTransfer",
        ];
        let catalog = iam_evaluator::catalog::Catalog::get();
        for row in OPERATIONS {
            let (_, action) = catalog
                .action(row.action)
                .unwrap_or_else(|| panic!("{} is not in the catalog", row.action));
            let required = action.resource_types.iter().any(|r| r.required);
            if row.on == On::Nothing && !NO_TRANSFERS.contains(&row.name) {
                assert!(!required, "{} needs a resource", row.name);
            }
            if row.on != On::Nothing {
                assert!(!action.is_wildcard_only(), "{} has no resource type", row.name);
            }
        }
    }
}

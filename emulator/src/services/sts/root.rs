//! AssumeRoot: short-term root credentials for a member account, scoped
//! by one of AWS's five root task policies, for a caller in the
//! organization's management account or in a delegated administrator
//! account for IAM ("You must use credentials from an Organizations
//! management account or a delegated administrator account for IAM to
//! call AssumeRoot. You cannot use root user credentials to make this
//! call", STS API Reference).

use super::session::{self, credentials_xml, new_session};
use super::Call;
use crate::error::{AwsError, AwsResult};
use crate::protocol::xml::Xml;
use crate::state::iam::Document;
use crate::state::State;
use iam_evaluator::PrincipalKind;
use time::Duration;

/// The member account `TargetPrincipal` names: an account id, or its root's ARN.
pub fn target_account(text: &str) -> AwsResult<String> {
    let account = text
        .strip_prefix("arn:aws:iam::")
        .and_then(|r| r.strip_suffix(":root"))
        .unwrap_or(text);
    if iam_evaluator::arn::is_account_id(account) {
        Ok(account.to_string())
    } else {
        Err(AwsError::validation(format!(
            "TargetPrincipal {text} is not an account ID or the ARN of an account's root user"
        )))
    }
}

/// AWS's root task policies (`arn:aws:iam::aws:policy/root-task/NAME`) and
/// what each allows. The actions are the tasks the IAM User Guide names
/// for each ("Perform a privileged task on an AWS Organizations member
/// account"); AWS does not publish their documents in the API.
const TASK_POLICIES: &[(&str, &str)] = &[
    (
        "IAMAuditRootUserCredentials",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetAccountSummary","iam:GetLoginProfile","iam:GetUser","iam:ListAccessKeys","iam:GetAccessKeyLastUsed","iam:ListMFADevices","iam:ListSigningCertificates"],"Resource":"*"}]}"#,
    ),
    (
        "IAMCreateRootUserPassword",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateLoginProfile","iam:GetLoginProfile","iam:GetUser"],"Resource":"*"}]}"#,
    ),
    (
        "IAMDeleteRootUserCredentials",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:DeleteAccessKey","iam:DeactivateMFADevice","iam:DeleteLoginProfile","iam:DeleteSigningCertificate","iam:DeleteVirtualMFADevice","iam:GetAccessKeyLastUsed","iam:GetLoginProfile","iam:GetUser","iam:ListAccessKeys","iam:ListMFADevices","iam:ListSigningCertificates"],"Resource":"*"}]}"#,
    ),
    (
        "S3UnlockBucketPolicy",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:DeleteBucketPolicy","s3:GetBucketPolicy","s3:ListAllMyBuckets"],"Resource":"*"}]}"#,
    ),
    (
        "SQSUnlockQueuePolicy",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:GetQueueAttributes","sqs:ListQueues","sqs:SetQueueAttributes"],"Resource":"*"}]}"#,
    ),
];

const TASK_PREFIX: &str = "arn:aws:iam::aws:policy/root-task/";

/// The task policy `arn` names, parsed.
fn task_policy(arn: &str) -> AwsResult<Document> {
    let text = arn
        .strip_prefix(TASK_PREFIX)
        .and_then(|name| TASK_POLICIES.iter().find(|(n, _)| *n == name))
        .map(|(_, text)| *text)
        .ok_or_else(|| {
            AwsError::validation(format!(
                "TaskPolicyArn {arn} is not a root task policy: one of {}",
                TASK_POLICIES
                    .iter()
                    .map(|(n, _)| format!("{TASK_PREFIX}{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let parsed = iam_evaluator::Policy::parse(text)
        .map_err(|e| AwsError::malformed_policy(format!("task policy {arn}: {e}")))?;
    Ok(Document {
        text: text.into(),
        parsed: std::sync::Arc::new(parsed),
    })
}

/// AssumeRoot. The door has asked `sts:AssumeRoot` on the member's root.
pub fn assume_root(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let caller_account = call.caller.account.clone().unwrap_or_default();
    if call.caller.principal.kind == PrincipalKind::Root {
        return Err(AwsError::access_denied(
            "You cannot use root user credentials to call AssumeRoot.",
        ));
    }
    let target = target_account(call.params.required("TargetPrincipal")?)?;
    let policy = task_policy(call.params.required("TaskPolicyArn.arn")?)?;
    let duration = session::requested_duration(call)?.unwrap_or(900);
    let orgs = &state.organizations;
    let may_call =
        orgs.is_management(&caller_account) || orgs.is_delegated_admin(&caller_account, "iam.amazonaws.com");
    if !may_call {
        return Err(AwsError::access_denied(
            "AssumeRoot may be called only from the organization's management account or a delegated administrator account for IAM.",
        ));
    }
    // "Before you can launch a privileged session, you must have
    // centralized root access in your organization" (STS API Reference,
    // AssumeRoot): IAM's EnableOrganizationsRootSessions.
    let root_sessions = orgs
        .org_of(&caller_account)
        .is_some_and(|o| o.iam_features.contains("RootSessions"));
    if !root_sessions {
        return Err(AwsError::access_denied(
            "Root sessions are not enabled for the organization: call IAM's EnableOrganizationsRootSessions first.",
        ));
    }
    let same_org = orgs.org_of(&target).map(|o| &o.id) == orgs.org_of(&caller_account).map(|o| &o.id);
    if !same_org || orgs.is_management(&target) {
        return Err(AwsError::access_denied(format!(
            "The target principal {target} is not a member account of the caller's organization."
        )));
    }
    let mut session = new_session(
        &target,
        format!("arn:aws:iam::{target}:root"),
        call.ctx.shared.now(),
        Duration::seconds(duration),
    );
    let arn = call.params.required("TaskPolicyArn.arn")?;
    session.session_policies = vec![(format!("task policy {arn}"), policy)];
    session.source_identity = session::source_identity(state, call);
    let mut x = Xml::default();
    credentials_xml(&mut x, &session);
    x.opt("SourceIdentity", session.source_identity.as_deref());
    state.sessions.insert(session.access_key.clone(), session);
    Ok(x)
}

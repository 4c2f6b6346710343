//! The accounts of an organization: CreateAccount (it succeeds at once:
//! the new account exists in the emulator, in the root, with the role
//! `OrganizationAccountAccessRole` — or `RoleName` — that trusts the
//! management account and grants administrator access, as AWS
//! preconfigures it), DescribeCreateAccountStatus, ListCreateAccountStatus,
//! DescribeAccount, ListAccounts, ListAccountsForParent, MoveAccount,
//! RemoveAccountFromOrganization, CloseAccount; CreateGovCloudAccount
//! answers as it does for an organization without a GovCloud account.

use super::input::{is_account_id, IdShape};
use super::units::parent_not_found;
use super::view;
use super::wire::{self, constraint};
use super::Call;
use crate::error::{AwsError, AwsResult, Json};
use crate::ids;
use crate::state::iam::{key, Document, Role};
use crate::state::organizations::{CreateAccountRequest, Joined, Member, Organization};
use crate::state::State;
use iam_evaluator::Policy;
use serde_json::{json, Value};
use std::sync::Arc;

/// The role CreateAccount makes when `RoleName` is not given.
pub const DEFAULT_ROLE: &str = "OrganizationAccountAccessRole";

pub fn account_not_found() -> AwsError {
    wire::documented(
        Json::AccountNotFoundException,
        "You specified an account that doesn't exist.",
    )
}

/// The member account named by `member`.
fn find<'s>(call: &Call, org: &'s Organization, member: &str) -> AwsResult<&'s Member> {
    let id = call.input.id(member, IdShape::Account)?;
    org.accounts.get(id).ok_or_else(account_not_found)
}

/// `[^\s@]+@[^\s@]+\.[^\s@]+`, 6 to 64 characters.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let part = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace) && !s.contains('@');
    let dotted = domain
        .rsplit_once('.')
        .is_some_and(|(host, tld)| part(host) && part(tld));
    (6..=64).contains(&text.len()) && part(local) && dotted
}

/// `[\w+=,.@-]{1,64}`, not `AWSServiceRoleFor…`.
fn check_role_name(name: &str) -> AwsResult<()> {
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if !valid {
        return Err(wire::invalid_input("INVALID_PATTERN"));
    }
    if name.starts_with("AWSServiceRoleFor") {
        return Err(wire::invalid_input("INVALID_ROLE_NAME"));
    }
    Ok(())
}

fn document(text: String) -> Document {
    let parsed = Policy::parse(&text).unwrap_or(Policy {
        version: None,
        id: None,
        statements: Vec::new(),
    });
    Document {
        text: text.into(),
        parsed: Arc::new(parsed),
    }
}

/// The role AWS preconfigures in a created account: assumable by the
/// management account, with administrator permissions.
fn access_role(call: &Call, account: &str, management: &str, name: &str) -> Role {
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{management}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let admin = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    Role {
        name: name.to_string(),
        id: ids::unique_id("AROA"),
        path: "/".to_string(),
        arn: format!("arn:aws:iam::{account}:role/{name}"),
        created: call.now(),
        trust: document(trust),
        description: None,
        max_session_duration: 3600,
        inline: [("AdministratorAccess".to_string(), document(admin.to_string()))].into(),
        attached: Vec::new(),
        tags: Vec::new(),
        boundary: None,
        last_used: None,
    }
}

/// A new account id, used by no account the emulator holds.
fn new_account_id(state: &State) -> String {
    loop {
        let id = ids::account_id();
        if state.account(&id).is_none() && !id.starts_with('0') {
            return id;
        }
    }
}

fn status(request: &CreateAccountRequest) -> Value {
    json!({
        "Id": request.id,
        "AccountName": request.account_name,
        "State": "SUCCEEDED",
        "RequestedTimestamp": view::timestamp(request.requested),
        "CompletedTimestamp": view::timestamp(request.requested),
        "AccountId": request.account_id,
    })
}

pub fn create(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let email = call.input.required_text("Email", 6, 64)?.to_string();
    if !is_email(&email) {
        return Err(wire::invalid_input("INVALID_EMAIL_ADDRESS_TARGET"));
    }
    let name = call.input.required_text("AccountName", 1, 128)?.to_string();
    let role_name = call.input.str("RoleName")?.unwrap_or(DEFAULT_ROLE).to_string();
    check_role_name(&role_name)?;
    if !matches!(
        call.input.str("IamUserAccessToBilling")?,
        None | Some("ALLOW" | "DENY")
    ) {
        return Err(wire::invalid_input("INVALID_ENUM"));
    }
    let tags = call.input.tags("Tags")?;
    if org
        .accounts
        .values()
        .any(|a| a.email.eq_ignore_ascii_case(&email))
    {
        // AWS reports this in the request's status, as a failure.
        let request_id = format!("car-{}", ids::lower_alnum(10));
        return Ok(json!({"CreateAccountStatus": {
            "Id": request_id,
            "AccountName": name,
            "State": "FAILED",
            "RequestedTimestamp": view::timestamp(call.now()),
            "CompletedTimestamp": view::timestamp(call.now()),
            "FailureReason": "EMAIL_ALREADY_EXISTS",
        }}));
    }
    let (org_id, management, root) = (org.id.clone(), org.management.clone(), org.root.id.clone());
    let account = new_account_id(state);
    let role = access_role(call, &account, &management, &role_name);
    state.account_mut(&account).roles.insert(key(&role_name), role);
    let request = CreateAccountRequest {
        id: format!("car-{}", ids::lower_alnum(10)),
        account_name: name.clone(),
        account_id: account.clone(),
        requested: call.now(),
    };
    let out = json!({"CreateAccountStatus": status(&request)});
    state.organizations.edit(&org_id, |org| {
        org.accounts.insert(
            account.clone(),
            Member {
                id: account.clone(),
                name,
                email,
                parent: root,
                joined_method: Joined::Created,
                joined: request.requested,
                closed: false,
                tags,
            },
        );
        org.attach_defaults(&account);
        org.create_requests.push(request);
    });
    Ok(out)
}

pub fn create_govcloud(_call: &Call, _state: &State) -> AwsResult<Value> {
    Err(constraint("MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED"))
}

pub fn describe_status(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let id = call
        .input
        .id("CreateAccountRequestId", IdShape::CreateAccountRequest)?;
    let request = org.create_requests.iter().find(|r| r.id == id).ok_or_else(|| {
        wire::documented(
            Json::CreateAccountStatusNotFoundException,
            "We can't find an create account request with the CreateAccountRequestId that you specified.",
        )
    })?;
    Ok(json!({"CreateAccountStatus": status(request)}))
}

pub fn list_statuses(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let states = call.input.string_list("States")?;
    if let Some(states) = &states {
        if states
            .iter()
            .any(|s| !matches!(s.as_str(), "IN_PROGRESS" | "SUCCEEDED" | "FAILED"))
        {
            return Err(wire::invalid_input("INVALID_ENUM"));
        }
    }
    let wanted = |state: &str| states.as_ref().is_none_or(|s| s.iter().any(|x| x == state));
    let statuses: Vec<Value> = if wanted("SUCCEEDED") {
        org.create_requests.iter().map(status).collect()
    } else {
        Vec::new()
    };
    let (items, next) = call.input.page()?.of(statuses);
    Ok(view::page("CreateAccountStatuses", items, next))
}

pub fn describe(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let member = find(call, org, "AccountId")?;
    Ok(json!({"Account": view::account(org, member)}))
}

pub fn list(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let accounts: Vec<Value> = org.accounts.values().map(|a| view::account(org, a)).collect();
    let (items, next) = call.input.page()?.of(accounts);
    Ok(view::page("Accounts", items, next))
}

pub fn list_for_parent(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let parent = call.input.id("ParentId", IdShape::Parent)?;
    if !org.is_parent(parent) {
        return Err(parent_not_found());
    }
    let accounts: Vec<Value> = org
        .accounts
        .values()
        .filter(|a| a.parent == parent)
        .map(|a| view::account(org, a))
        .collect();
    let (items, next) = call.input.page()?.of(accounts);
    Ok(view::page("Accounts", items, next))
}

pub fn move_account(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let member = find(call, org, "AccountId")?;
    let source = call.input.id("SourceParentId", IdShape::Parent)?;
    let destination = call.input.id("DestinationParentId", IdShape::Parent)?;
    if !org.is_parent(source) {
        return Err(wire::documented(
            Json::SourceParentNotFoundException,
            "We can't find a source root or OU with the ParentId that you specified.",
        ));
    }
    if !org.is_parent(destination) {
        return Err(wire::documented(
            Json::DestinationParentNotFoundException,
            "We can't find the destination container (a root or OU) with the ParentId that you specified.",
        ));
    }
    if member.parent != source {
        return Err(account_not_found());
    }
    if source == destination {
        return Err(wire::documented(
            Json::DuplicateAccountException,
            "That account is already present in the specified destination.",
        ));
    }
    let (org_id, account, destination) = (org.id.clone(), member.id.clone(), destination.to_string());
    state.organizations.edit(&org_id, |org| {
        if let Some(member) = org.accounts.get_mut(&account) {
            member.parent = destination;
        }
    });
    Ok(Value::Null)
}

pub fn remove(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let member = find(call, org, "AccountId")?;
    if member.id == org.management {
        return Err(wire::documented(
            Json::MasterCannotLeaveOrganizationException,
            "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
        ));
    }
    if org.is_any_delegated_admin(&member.id) {
        return Err(constraint("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"));
    }
    let (org_id, account) = (org.id.clone(), member.id.clone());
    state.organizations.edit(&org_id, |org| {
        org.accounts.remove(&account);
        org.forget_target(&account);
    });
    Ok(Value::Null)
}

pub fn close(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let id = call.input.id("AccountId", IdShape::Account)?;
    debug_assert!(is_account_id(id));
    let member = org.accounts.get(id).ok_or_else(account_not_found)?;
    if member.id == org.management {
        return Err(constraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT"));
    }
    if member.closed {
        return Err(wire::documented(
            Json::AccountAlreadyClosedException,
            "You attempted to close an account that is already closed.",
        ));
    }
    let (org_id, account) = (org.id.clone(), member.id.clone());
    state.organizations.edit(&org_id, |org| {
        if let Some(member) = org.accounts.get_mut(&account) {
            member.closed = true;
        }
    });
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_follow_the_pattern() {
        assert!(is_email("dev@example.com"));
        assert!(!is_email("dev@example"));
        assert!(!is_email("d ev@example.com"));
        assert!(!is_email("@example.com"));
    }

    #[test]
    fn role_names_follow_the_pattern() {
        assert!(check_role_name("OrganizationAccountAccessRole").is_ok());
        assert!(check_role_name("bad name").is_err());
        assert_eq!(
            check_role_name("AWSServiceRoleForX").unwrap_err().details[0].1,
            "INVALID_ROLE_NAME"
        );
    }
}

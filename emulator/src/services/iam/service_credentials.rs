//! Service-specific credentials: a user name and password for one AWS
//! service (CodeCommit's Git over HTTPS, Amazon Keyspaces), or an API key
//! for Amazon Bedrock. Create, List, Reset (a new password), Update
//! (status) and Delete; at most two per user per service.

use super::certificates::{read_status, status_text};
use super::users::{find, find_mut};
use super::{page_tail, paginate, Call};
use crate::error::{AwsError, AwsResult, Query};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::credentials::ServiceCredential;
use crate::state::State;
use base64::Engine as _;
use time::Duration;

/// AWS's quota: "Service-specific credentials per user per service: 2".
pub const MAX_PER_SERVICE: usize = 2;

/// The services IAM issues credentials for; Bedrock's are API keys (an
/// alias and a secret, which may expire) rather than a user name and password.
pub const SERVICES: &[&str] = &[
    "codecommit.amazonaws.com",
    "cassandra.amazonaws.com",
    "bedrock.amazonaws.com",
];

fn is_api_key(service: &str) -> bool {
    service == "bedrock.amazonaws.com"
}

fn no_such_credential(id: &str) -> AwsError {
    AwsError::no_such_entity(format!("No such credential {id} exists"))
}

/// 32 random bytes as Base64: 44 characters, like AWS's passwords.
fn new_password() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn credential_xml(x: &mut Xml, user: &str, c: &ServiceCredential, with_secret: bool) {
    x.elem("CreateDate", &ids::iso8601(c.created));
    x.opt("ExpirationDate", c.expires.map(ids::iso8601).as_deref());
    x.elem("ServiceName", &c.service);
    if is_api_key(&c.service) {
        x.elem("ServiceCredentialAlias", &c.user_name);
        if with_secret {
            x.elem("ServiceCredentialSecret", &c.password);
        }
    } else {
        x.elem("ServiceUserName", &c.user_name);
        if with_secret {
            x.elem("ServicePassword", &c.password);
        }
    }
    x.elem("ServiceSpecificCredentialId", &c.id);
    x.elem("UserName", user);
    x.elem("Status", status_text(c.active));
}

pub fn create_service_specific_credential(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let service = call.params.required("ServiceName")?.to_string();
    let age_days = call.params.int("CredentialAgeDays", 1, 36_600)?;
    if !SERVICES.contains(&service.as_str()) {
        return Err(AwsError::new(
            Query::NotSupportedService,
            format!("The specified service {service} is not supported."),
        ));
    }
    let now = call.ctx.shared.now();
    let account = call.account.clone();
    let user = find_mut(state, call, &name)?;
    let creds = &mut user.credentials.service_credentials;
    let same_service = creds.iter().filter(|c| c.service == service).count();
    if same_service >= MAX_PER_SERVICE {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {MAX_PER_SERVICE}"
        )));
    }
    // `alice-at-123456789012`; a second credential for the same service
    // gets a suffix so that both can be told apart.
    let taken = |n: &str| creds.iter().any(|c| c.user_name == n);
    let mut user_name = format!("{}-at-{account}", user.name);
    if taken(&user_name) {
        user_name = format!("{}+1-at-{account}", user.name);
    }
    let credential = ServiceCredential {
        id: ids::unique_id("ACCA"),
        service,
        user_name,
        password: new_password(),
        active: true,
        created: now,
        expires: age_days.map(|d| now + Duration::days(d)),
    };
    let mut x = Xml::default();
    x.with("ServiceSpecificCredential", |x| {
        credential_xml(x, &user.name, &credential, true);
    });
    creds.push(credential);
    Ok(x)
}

/// The user a call names in `UserName`, else the calling user.
fn user_or_caller(call: &Call) -> AwsResult<String> {
    super::certificates::user_or_caller(call)
}

pub fn list_service_specific_credentials(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let service = call.params.get("ServiceName");
    let all_users = call.params.bool("AllUsers").unwrap_or(false);
    let users: Vec<&crate::state::iam::User> = if all_users {
        state
            .account(&call.account)
            .map(|a| a.users.values().collect())
            .unwrap_or_default()
    } else {
        vec![find(state, call, &user_or_caller(call)?)?]
    };
    let creds: Vec<(&str, &ServiceCredential)> = users
        .iter()
        .flat_map(|u| {
            u.credentials
                .service_credentials
                .iter()
                .map(|c| (u.name.as_str(), c))
        })
        .filter(|(_, c)| service.is_none_or(|s| s == c.service))
        .collect();
    let page = paginate(call.params, creds)?;
    let mut x = Xml::default();
    x.with("ServiceSpecificCredentials", |x| {
        for (user, c) in &page.items {
            x.with("member", |x| credential_xml(x, user, c, false));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

/// The credential `ServiceSpecificCredentialId` of the named (or calling) user.
fn credential_mut<'s>(state: &'s mut State, call: &Call) -> AwsResult<(String, &'s mut ServiceCredential)> {
    let name = user_or_caller(call)?;
    let id = call.params.required("ServiceSpecificCredentialId")?.to_string();
    let user = find_mut(state, call, &name)?;
    let user_name = user.name.clone();
    let credential = user
        .credentials
        .service_credentials
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| no_such_credential(&id))?;
    Ok((user_name, credential))
}

pub fn reset_service_specific_credential(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let (user, credential) = credential_mut(state, call)?;
    credential.password = new_password();
    let mut x = Xml::default();
    x.with("ServiceSpecificCredential", |x| {
        credential_xml(x, &user, credential, true);
    });
    Ok(x)
}

pub fn update_service_specific_credential(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let active = read_status(call)?;
    credential_mut(state, call)?.1.active = active;
    Ok(Xml::default())
}

pub fn delete_service_specific_credential(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = user_or_caller(call)?;
    let id = call.params.required("ServiceSpecificCredentialId")?.to_string();
    let user = find_mut(state, call, &name)?;
    let creds = &mut user.credentials.service_credentials;
    let before = creds.len();
    creds.retain(|c| c.id != id);
    if creds.len() == before {
        return Err(no_such_credential(&id));
    }
    Ok(Xml::default())
}

/// The service a stored credential is for (`iam:ServiceSpecificCredentialServiceName`
/// on Reset, Update and Delete).
pub fn service_of(state: &State, call: &Call) -> Option<String> {
    let name = user_or_caller(call).ok()?;
    let id = call.params.get("ServiceSpecificCredentialId")?;
    find(state, call, &name)
        .ok()?
        .credentials
        .service_credentials
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.service.clone())
}

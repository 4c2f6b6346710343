//! Console passwords: Create/Get/Update/DeleteLoginProfile, ChangePassword
//! (the user, with the old password), and the account password policy
//! (Update/Get/DeleteAccountPasswordPolicy) every new password is checked
//! against ([`crate::credentials::password`]; AWS's default policy while
//! the account sets none).

use super::users::{find, find_mut};
use super::Call;
use crate::credentials::password;
use crate::error::{AwsError, AwsResult, Query};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::credentials::{LoginProfile, PasswordPolicy};
use crate::state::State;
use iam_evaluator::PrincipalKind;

/// AWS's answer to a password the policy refuses.
fn violation() -> AwsError {
    AwsError::new(
        Query::PasswordPolicyViolation,
        "Password does not conform to the account password policy.",
    )
}

fn no_profile(user: &str) -> AwsError {
    AwsError::no_such_entity(format!("Login Profile for User {user} cannot be found."))
}

fn no_policy(account: &str) -> AwsError {
    AwsError::no_such_entity(format!(
        "The Password Policy with domain name {account} cannot be found."
    ))
}

/// The password parameter, as the model allows it (1–128 characters).
fn read_password<'c>(call: &'c Call, name: &str) -> AwsResult<&'c str> {
    let value = call.params.required(name)?;
    if password::is_valid_text(value) {
        Ok(value)
    } else {
        Err(AwsError::validation(format!(
            "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have length less than or equal to 128, Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
            crate::error::lower_first(name)
        )))
    }
}

/// The user a call names, else the calling user.
fn user_or_caller(call: &Call) -> AwsResult<String> {
    if let Some(name) = call.params.get("UserName") {
        return Ok(name.to_string());
    }
    call.caller
        .principal
        .user_name()
        .map(str::to_string)
        .ok_or_else(|| AwsError::validation("Must specify userName when calling with non-User credentials"))
}

fn policy_of(state: &State, call: &Call) -> Option<PasswordPolicy> {
    state
        .account(&call.account)
        .and_then(|a| a.credentials.password_policy.clone())
}

/// Sets `new` as the user's password: checked against the policy, and not
/// one of the last `PasswordReusePrevention` passwords.
fn set_password(
    profile: &mut LoginProfile,
    policy: Option<&PasswordPolicy>,
    new: &str,
    now: time::OffsetDateTime,
) -> AwsResult<()> {
    if !password::meets(policy, new) {
        return Err(violation());
    }
    let remembered = policy.and_then(|p| p.reuse_prevention).unwrap_or(0) as usize;
    let reused = std::iter::once(&profile.password_hash)
        .chain(&profile.previous_hashes)
        .take(remembered)
        .any(|old| *old == password::hash(&profile.salt, new));
    if reused {
        return Err(violation());
    }
    profile.previous_hashes.insert(0, profile.password_hash.clone());
    profile.previous_hashes.truncate(24);
    profile.password_hash = password::hash(&profile.salt, new);
    profile.changed = now;
    Ok(())
}

fn profile_xml(x: &mut Xml, user: &str, profile: &LoginProfile) {
    x.with("LoginProfile", |x| {
        x.elem("UserName", user);
        x.elem("CreateDate", &ids::iso8601(profile.created));
        x.elem(
            "PasswordResetRequired",
            if profile.password_reset_required {
                "true"
            } else {
                "false"
            },
        );
    });
}

pub fn create_login_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = user_or_caller(call)?;
    let new = read_password(call, "Password")?;
    let reset = call.params.bool("PasswordResetRequired").unwrap_or(false);
    let policy = policy_of(state, call);
    let now = call.ctx.shared.now();
    let user = find_mut(state, call, &name)?;
    if user.credentials.login_profile.is_some() {
        return Err(AwsError::already_exists(format!(
            "Login Profile for user {} already exists.",
            user.name
        )));
    }
    if !password::meets(policy.as_ref(), new) {
        return Err(violation());
    }
    let salt = password::new_salt();
    let profile = LoginProfile {
        created: now,
        changed: now,
        password_reset_required: reset,
        password_hash: password::hash(&salt, new),
        salt,
        previous_hashes: Vec::new(),
    };
    let mut x = Xml::default();
    profile_xml(&mut x, &user.name, &profile);
    user.credentials.login_profile = Some(profile);
    Ok(x)
}

pub fn get_login_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = user_or_caller(call)?;
    let user = find(state, call, &name)?;
    let profile = user
        .credentials
        .login_profile
        .as_ref()
        .ok_or_else(|| no_profile(&user.name))?;
    let mut x = Xml::default();
    profile_xml(&mut x, &user.name, profile);
    Ok(x)
}

pub fn update_login_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("UserName")?.to_string();
    let new = call
        .params
        .get("Password")
        .map(|_| read_password(call, "Password"))
        .transpose()?;
    let reset = call.params.bool("PasswordResetRequired");
    let policy = policy_of(state, call);
    let now = call.ctx.shared.now();
    let user = find_mut(state, call, &name)?;
    let user_name = user.name.clone();
    let profile = user
        .credentials
        .login_profile
        .as_mut()
        .ok_or_else(|| no_profile(&user_name))?;
    if let Some(new) = new {
        set_password(profile, policy.as_ref(), new, now)?;
    }
    if let Some(reset) = reset {
        profile.password_reset_required = reset;
    }
    Ok(Xml::default())
}

pub fn delete_login_profile(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = user_or_caller(call)?;
    let user = find_mut(state, call, &name)?;
    if user.credentials.login_profile.take().is_none() {
        return Err(no_profile(&user.name));
    }
    Ok(Xml::default())
}

/// ChangePassword: only an IAM user changes its own password, giving the
/// old one. A required reset is done by it.
pub fn change_password(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let old = read_password(call, "OldPassword")?;
    let new = read_password(call, "NewPassword")?;
    let name = match call.caller.principal.kind {
        PrincipalKind::User => call.caller.principal.user_name().unwrap_or_default().to_string(),
        _ => {
            return Err(AwsError::new(
                Query::InvalidUserType,
                "Only IAM users can change their own password.",
            ))
        }
    };
    let policy = policy_of(state, call);
    let now = call.ctx.shared.now();
    let user = find_mut(state, call, &name)?;
    let user_name = user.name.clone();
    let profile = user.credentials.login_profile.as_mut().ok_or_else(|| {
        AwsError::new(
            Query::InvalidUserType,
            format!("User {user_name} has no password to change."),
        )
    })?;
    if password::hash(&profile.salt, old) != profile.password_hash {
        return Err(AwsError::access_denied("The old password is incorrect."));
    }
    set_password(profile, policy.as_ref(), new, now)?;
    profile.password_reset_required = false;
    Ok(Xml::default())
}

// ---- the account password policy ----

pub fn update_account_password_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let p = call.params;
    let int = |name: &str, min: i64, max: i64| -> AwsResult<Option<u32>> {
        Ok(p.int(name, min, max)?.and_then(|v| u32::try_from(v).ok()))
    };
    let max_age = int("MaxPasswordAge", 1, 1095)?;
    let policy = PasswordPolicy {
        minimum_length: int("MinimumPasswordLength", 6, 128)?.unwrap_or(6),
        require_symbols: p.bool("RequireSymbols").unwrap_or(false),
        require_numbers: p.bool("RequireNumbers").unwrap_or(false),
        require_uppercase: p.bool("RequireUppercaseCharacters").unwrap_or(false),
        require_lowercase: p.bool("RequireLowercaseCharacters").unwrap_or(false),
        allow_users_to_change: p.bool("AllowUsersToChangePassword").unwrap_or(false),
        max_age_days: max_age,
        reuse_prevention: int("PasswordReusePrevention", 1, 24)?,
        hard_expiry: p.bool("HardExpiry").unwrap_or(false),
    };
    state.account_mut(&call.account).credentials.password_policy = Some(policy);
    Ok(Xml::default())
}

fn flag(value: bool) -> &'static str {
    if value {
        "true"
    } else {
        "false"
    }
}

pub fn get_account_password_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let policy = policy_of(state, call).ok_or_else(|| no_policy(&call.account))?;
    let mut x = Xml::default();
    x.with("PasswordPolicy", |x| {
        x.elem("MinimumPasswordLength", &policy.minimum_length.to_string());
        x.elem("RequireSymbols", flag(policy.require_symbols));
        x.elem("RequireNumbers", flag(policy.require_numbers));
        x.elem("RequireUppercaseCharacters", flag(policy.require_uppercase));
        x.elem("RequireLowercaseCharacters", flag(policy.require_lowercase));
        x.elem("AllowUsersToChangePassword", flag(policy.allow_users_to_change));
        x.elem("ExpirePasswords", flag(policy.max_age_days.is_some()));
        x.opt(
            "MaxPasswordAge",
            policy.max_age_days.map(|d| d.to_string()).as_deref(),
        );
        x.opt(
            "PasswordReusePrevention",
            policy.reuse_prevention.map(|n| n.to_string()).as_deref(),
        );
        x.elem("HardExpiry", flag(policy.hard_expiry));
    });
    Ok(x)
}

/// DeleteAccountPasswordPolicy words a missing policy differently from
/// GetAccountPasswordPolicy: "If a password policy does not currently
/// exist, the following error message appears: The account policy with
/// name PasswordPolicy cannot be found." (IAM User Guide, the
/// DeleteAccountPasswordPolicy example).
pub fn delete_account_password_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    if policy_of(state, call).is_none() {
        return Err(AwsError::no_such_entity(
            "The account policy with name PasswordPolicy cannot be found.",
        ));
    }
    state.account_mut(&call.account).credentials.password_policy = None;
    Ok(Xml::default())
}

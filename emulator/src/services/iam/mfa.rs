//! Virtual MFA devices: CreateVirtualMFADevice (a real seed and QR code),
//! EnableMFADevice and ResyncMFADevice (two consecutive RFC 6238 codes),
//! DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices,
//! ListVirtualMFADevices, GetMFADevice; and [`verify_token_code`], the
//! check STS makes of a `SerialNumber` + `TokenCode`.
//!
//! A device is keyed by its serial number (its ARN); its assignment holds
//! the user, the device clock's drift and the last step accepted, so a
//! code is accepted once.

use super::users::{find, user_xml};
use super::{check_name, check_path, page_tail, paginate, read_tags, tags_xml, Call};
use crate::credentials::{qr, totp};
use crate::error::{AwsError, AwsResult, Query};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::credentials::{MfaAssignment, MfaDevice};
use crate::state::iam::key;
use crate::state::State;
use base64::Engine as _;
use time::OffsetDateTime;

/// AWS: "You can register up to eight MFA devices of any combination of
/// the currently supported MFA types with your AWS account root user and
/// IAM users."
pub const MAX_DEVICES_PER_USER: usize = 8;

fn no_such_device(serial: &str) -> AwsError {
    AwsError::no_such_entity(format!(
        "VirtualMFADevice with serial number {serial} doesn't exist."
    ))
}

fn invalid_code() -> AwsError {
    AwsError::new(
        Query::InvalidAuthenticationCode,
        "Authentication code for device is not valid.",
    )
}

/// Codes are six digits (the model's pattern is `[\d]+`, length 6).
fn read_code(call: &Call, name: &str) -> AwsResult<String> {
    let code = call.params.required(name)?;
    if !totp::is_code(code) {
        return Err(AwsError::validation(format!(
            "1 validation error detected: Value '{code}' at '{}' failed to satisfy constraint: Member must have length less than or equal to 6, Member must satisfy regular expression pattern: [\\d]+",
            crate::error::lower_first(name)
        )));
    }
    Ok(code.to_string())
}

/// The serial number: the model's pattern `[\w+=/:,.@-]+`, 9–256 characters.
fn read_serial<'c>(call: &'c Call) -> AwsResult<&'c str> {
    let serial = call.params.required("SerialNumber")?;
    let ok = (9..=256).contains(&serial.len())
        && serial
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=/:,.@-".contains(&b));
    if ok {
        Ok(serial)
    } else {
        Err(AwsError::validation(format!(
            "1 validation error detected: Value '{serial}' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]+"
        )))
    }
}

fn now_step(call: &Call) -> u64 {
    totp::step_of(call.ctx.shared.now().unix_timestamp())
}

/// The user a call names in `UserName`, else the calling user.
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

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn create_virtual_mfa_device(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("VirtualMFADeviceName")?;
    check_name("VirtualMFADeviceName", name, 226)?;
    let path = call.params.get("Path").unwrap_or("/");
    check_path(path)?;
    let tags = read_tags(call.params)?;
    let serial = call.arn("mfa", path, name);
    let account = state.account_mut(&call.account);
    // A device is one path and name: IAM's own words are "MFADevice
    // entity at the same path and name already exists", so the same name
    // under another path is another device (another serial number).
    if account
        .credentials
        .mfa_devices
        .values()
        .any(|d| key(&d.serial) == key(&serial))
    {
        return Err(AwsError::already_exists(
            "MFADevice entity at the same path and name already exists.",
        ));
    }
    let seed = totp::new_seed();
    let holder = account
        .credentials
        .alias
        .clone()
        .unwrap_or_else(|| call.account.clone());
    let png = qr::png(&totp::otpauth_uri(&seed, &format!("{name}@{holder}")))
        .ok_or_else(|| AwsError::invalid_input("The device name is too long for a QR code."))?;
    let device = MfaDevice {
        serial: serial.clone(),
        name: name.to_string(),
        path: path.to_string(),
        seed,
        created: call.ctx.shared.now(),
        tags,
        assigned: None,
    };
    let mut x = Xml::default();
    x.with("VirtualMFADevice", |x| {
        x.elem("SerialNumber", &device.serial);
        // Both are blobs in the model: Base64 on the wire.
        x.elem("Base32StringSeed", &b64(totp::base32(&device.seed).as_bytes()));
        x.elem("QRCodePNG", &b64(&png));
        tags_xml(x, &device.tags);
    });
    account.credentials.mfa_devices.insert(serial, device);
    Ok(x)
}

pub fn enable_mfa_device(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let user_name = call.params.required("UserName")?.to_string();
    let serial = read_serial(call)?.to_string();
    let first = read_code(call, "AuthenticationCode1")?;
    let second = read_code(call, "AuthenticationCode2")?;
    let user = find(state, call, &user_name)?.name.clone();
    let now = now_step(call);
    let enabled = call.ctx.shared.now();
    let account = state.account_mut(&call.account);
    let in_use = account.credentials.devices_of(&user).count();
    let device = account
        .credentials
        .mfa_devices
        .get_mut(&serial)
        .ok_or_else(|| no_such_device(&serial))?;
    if device.assigned.is_some() {
        return Err(AwsError::already_exists("MFA Device is already in use."));
    }
    if in_use >= MAX_DEVICES_PER_USER {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}"
        )));
    }
    let (step, drift_steps) =
        totp::verify_pair(&device.seed, &first, &second, now).ok_or_else(invalid_code)?;
    device.assigned = Some(MfaAssignment {
        user,
        enabled,
        drift_steps,
        last_step: step,
    });
    Ok(Xml::default())
}

/// The device `serial` assigned to `user`, for changing.
fn assigned_device<'s>(
    state: &'s mut State,
    call: &Call,
    user: &str,
    serial: &str,
) -> AwsResult<&'s mut MfaDevice> {
    state
        .account_mut(&call.account)
        .credentials
        .mfa_devices
        .get_mut(serial)
        .filter(|d| d.assigned.as_ref().is_some_and(|a| key(&a.user) == key(user)))
        .ok_or_else(|| {
            AwsError::no_such_entity(format!("MFA Device with serial number {serial} does not exist."))
        })
}

pub fn resync_mfa_device(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let user_name = call.params.required("UserName")?.to_string();
    let serial = read_serial(call)?.to_string();
    let first = read_code(call, "AuthenticationCode1")?;
    let second = read_code(call, "AuthenticationCode2")?;
    let user = find(state, call, &user_name)?.name.clone();
    let now = now_step(call);
    let device = assigned_device(state, call, &user, &serial)?;
    let (step, drift_steps) =
        totp::resync_pair(&device.seed, &first, &second, now).ok_or_else(invalid_code)?;
    if let Some(a) = device.assigned.as_mut() {
        a.drift_steps = drift_steps;
        a.last_step = a.last_step.max(step);
    }
    Ok(Xml::default())
}

pub fn deactivate_mfa_device(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let user_name = user_or_caller(call)?;
    let serial = read_serial(call)?.to_string();
    let user = find(state, call, &user_name)?.name.clone();
    assigned_device(state, call, &user, &serial)?.assigned = None;
    Ok(Xml::default())
}

pub fn delete_virtual_mfa_device(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let serial = read_serial(call)?.to_string();
    let devices = &mut state.account_mut(&call.account).credentials.mfa_devices;
    let device = devices.get(&serial).ok_or_else(|| no_such_device(&serial))?;
    if device.assigned.is_some() {
        return Err(AwsError::delete_conflict(
            "MFA VirtualDevice in use. Must deactivate first.",
        ));
    }
    devices.remove(&serial);
    Ok(Xml::default())
}

fn enable_date(device: &MfaDevice) -> Option<String> {
    device.assigned.as_ref().map(|a| ids::iso8601(a.enabled))
}

pub fn list_mfa_devices(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let user_name = user_or_caller(call)?;
    let user = find(state, call, &user_name)?.name.clone();
    let devices: Vec<MfaDevice> = state
        .account(&call.account)
        .map(|a| a.credentials.devices_of(&user).cloned().collect())
        .unwrap_or_default();
    let page = paginate(call.params, devices)?;
    let mut x = Xml::default();
    x.with("MFADevices", |x| {
        for d in &page.items {
            x.with("member", |x| {
                x.elem("UserName", &user);
                x.elem("SerialNumber", &d.serial);
                x.opt("EnableDate", enable_date(d).as_deref());
            });
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn list_virtual_mfa_devices(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let status = call.params.get("AssignmentStatus").unwrap_or("Any");
    let wanted: fn(&MfaDevice) -> bool = match status {
        "Any" => |_| true,
        "Assigned" => |d| d.assigned.is_some(),
        "Unassigned" => |d| d.assigned.is_none(),
        other => {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value '{other}' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]"
            )))
        }
    };
    let Some(account) = state.account(&call.account) else {
        return Ok(Xml::default());
    };
    let devices: Vec<&MfaDevice> = account
        .credentials
        .mfa_devices
        .values()
        .filter(|d| wanted(d))
        .collect();
    let page = paginate(call.params, devices)?;
    let mut x = Xml::default();
    x.with("VirtualMFADevices", |x| {
        for d in &page.items {
            x.with("member", |x| {
                x.elem("SerialNumber", &d.serial);
                let user = d.assigned.as_ref().and_then(|a| account.users.get(&key(&a.user)));
                if let Some(user) = user {
                    x.with("User", |x| user_xml(x, user));
                }
                x.opt("EnableDate", enable_date(d).as_deref());
                tags_xml(x, &d.tags);
            });
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn get_mfa_device(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let serial = read_serial(call)?.to_string();
    let user_name = user_or_caller(call)?;
    let user = find(state, call, &user_name)?.name.clone();
    let device = state
        .account(&call.account)
        .and_then(|a| a.credentials.user_device(&user, &serial))
        .ok_or_else(|| {
            AwsError::no_such_entity(format!("MFA Device with serial number {serial} does not exist."))
        })?;
    let mut x = Xml::default();
    x.elem("UserName", &user);
    x.elem("SerialNumber", &device.serial);
    x.opt("EnableDate", enable_date(device).as_deref());
    Ok(x)
}

/// STS's message when the serial number is not a device of the caller.
pub const UNKNOWN_DEVICE: &str = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.";
/// STS's message when the code is wrong (or was used already).
pub const INVALID_CODE: &str = "MultiFactorAuthentication failed with invalid MFA one time pass code. ";

/// STS's check of `SerialNumber` + `TokenCode` (GetSessionToken,
/// AssumeRole): the device must be assigned to `user` of `account`, and
/// the code must be the device's code of now, not accepted before (RFC
/// 6238 §5.2: "the verifier MUST NOT accept the second attempt of the
/// OTP after the successful validation has been issued for the first
/// OTP"). Marks the code's step used.
pub fn verify_token_code(
    state: &mut State,
    account: &str,
    user: &str,
    serial: &str,
    code: &str,
    now: OffsetDateTime,
) -> AwsResult<()> {
    let device = state
        .accounts
        .get_mut(account)
        .and_then(|a| a.credentials.mfa_devices.get_mut(serial))
        .filter(|d| d.assigned.as_ref().is_some_and(|a| key(&a.user) == key(user)))
        .ok_or_else(|| AwsError::access_denied(UNKNOWN_DEVICE))?;
    let seed = device.seed.clone();
    let Some(assignment) = device.assigned.as_mut() else {
        return Err(AwsError::access_denied(UNKNOWN_DEVICE));
    };
    let step = totp::verify_code(
        &seed,
        code,
        totp::step_of(now.unix_timestamp()),
        assignment.drift_steps,
    )
    .filter(|step| *step > assignment.last_step)
    .ok_or_else(|| AwsError::access_denied(INVALID_CODE))?;
    assignment.last_step = step;
    Ok(())
}

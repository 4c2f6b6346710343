//! The credential report: GenerateCredentialReport writes it from the
//! account's users as they are (passwords, MFA, access keys and their last
//! use, signing certificates), GetCredentialReport returns it as the CSV
//! AWS documents (IAM User Guide, "Getting credential reports"), Base64 in
//! the reply. A report is kept four hours, as AWS keeps it.

use super::Call;
use crate::error::{AwsError, AwsResult, Query};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::credentials::CredentialReport;
use crate::state::iam::{Account, User};
use crate::state::State;
use base64::Engine as _;
use time::{Duration, OffsetDateTime};

/// "If the existing report is older than four hours, IAM generates a new
/// report" / "a report that is more than four hours old has expired".
const FRESH_FOR: Duration = Duration::hours(4);

/// The report's columns, in AWS's order.
pub const COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

const NA: &str = "N/A";

/// The report's dates: ISO 8601 with the offset written out
/// (`2015-06-17T19:11:50+00:00`).
fn date(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

fn flag(value: bool) -> String {
    value.to_string()
}

/// The root user's row: what the emulator knows of it (its access keys
/// from `--root-key`; no password or MFA device of its own).
fn root_row(state: &State, account: &Account, generated: OffsetDateTime) -> Vec<String> {
    let keys = state.root_keys.iter().filter(|k| k.account == account.id).count();
    let mut row = vec![
        "<root_account>".to_string(),
        account.root_arn(),
        date(generated),
        "not_supported".into(),
        "no_information".into(),
        "not_supported".into(),
        "not_supported".into(),
        "false".into(),
    ];
    for i in 0..2 {
        row.push(flag(i < keys));
        row.extend([NA, NA, NA, NA].map(String::from));
    }
    row.extend(["false", NA, "false", NA].map(String::from));
    row
}

/// `access_key_N_last_used_region`: "N/A … The last used service is not
/// region-specific, such as Amazon S3" (IAM User Guide, "Getting
/// credential reports").
fn used_region(service: &str, region: &str) -> String {
    if service == "s3" {
        NA.to_string()
    } else {
        region.to_string()
    }
}

fn user_row(account: &Account, user: &User) -> Vec<String> {
    let profile = user.credentials.login_profile.as_ref();
    let max_age = account
        .credentials
        .password_policy
        .as_ref()
        .and_then(|p| p.max_age_days);
    let mut row = vec![
        user.name.clone(),
        user.arn.clone(),
        date(user.created),
        flag(profile.is_some()),
        match (profile, user.credentials.password_last_used) {
            (None, _) => NA.into(),
            (Some(_), Some(at)) => date(at),
            (Some(_), None) => "no_information".into(),
        },
        profile.map_or_else(|| NA.into(), |p| date(p.changed)),
        match (profile, max_age) {
            (Some(p), Some(days)) => date(p.changed + Duration::days(days.into())),
            _ => NA.into(),
        },
        flag(account.credentials.devices_of(&user.name).next().is_some()),
    ];
    for i in 0..2 {
        match user.access_keys.get(i) {
            Some(key) => {
                row.push(flag(key.active));
                row.push(date(key.created));
                match &key.last_used {
                    Some((at, service, region)) => {
                        row.extend([date(*at), used_region(service, region), service.clone()]);
                    }
                    None => row.extend([NA, NA, NA].map(String::from)),
                }
            }
            None => row.extend(["false", NA, NA, NA, NA].map(String::from)),
        }
    }
    for i in 0..2 {
        match user.credentials.signing_certificates.get(i) {
            Some(cert) => row.extend([flag(cert.active), date(cert.uploaded)]),
            None => row.extend(["false", NA].map(String::from)),
        }
    }
    row
}

/// The report's CSV for `account` now.
pub fn csv_of(state: &State, account: &Account, generated: OffsetDateTime) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let rows = std::iter::once(COLUMNS.iter().map(ToString::to_string).collect())
        .chain(std::iter::once(root_row(state, account, generated)))
        .chain(account.users.values().map(|u| user_row(account, u)));
    for row in rows {
        let row: Vec<String> = row;
        // Writing to memory cannot fail.
        let _ = out.write_record(&row);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

pub fn generate_credential_report(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let now = call.ctx.shared.now();
    let fresh = state
        .account(&call.account)
        .and_then(|a| a.credentials.credential_report.as_ref())
        .is_some_and(|r| now - r.generated < FRESH_FOR);
    let mut x = Xml::default();
    if fresh {
        x.elem("State", "COMPLETE");
        return Ok(x);
    }
    let content = {
        let account = state
            .account(&call.account)
            .cloned()
            .unwrap_or_else(|| Account::new(&call.account));
        csv_of(state, &account, now)
    };
    state.account_mut(&call.account).credentials.credential_report = Some(CredentialReport {
        generated: now,
        content,
    });
    // Generation is immediate here; AWS's first answer is STARTED all the same.
    x.elem("State", "STARTED");
    x.elem(
        "Description",
        "No report exists. Starting a new report generation task",
    );
    Ok(x)
}

pub fn get_credential_report(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let now = call.ctx.shared.now();
    let report = state
        .account(&call.account)
        .and_then(|a| a.credentials.credential_report.as_ref())
        .ok_or_else(|| {
            AwsError::new(
                Query::ReportNotPresent,
                "Credential report not present. To generate a credential report, use GenerateCredentialReport.",
            )
        })?;
    if now - report.generated >= FRESH_FOR {
        return Err(AwsError::new(
            Query::ReportExpired,
            "The most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.",
        ));
    }
    let mut x = Xml::default();
    x.elem(
        "Content",
        &base64::engine::general_purpose::STANDARD.encode(report.content.as_bytes()),
    );
    x.elem("ReportFormat", "text/csv");
    x.elem("GeneratedTime", &ids::iso8601(report.generated));
    Ok(x)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_iso_8601_with_the_offset() {
        let at = time::macros::datetime!(2015-06-17 19:11:50 UTC);
        assert_eq!(super::date(at), "2015-06-17T19:11:50+00:00");
    }
}

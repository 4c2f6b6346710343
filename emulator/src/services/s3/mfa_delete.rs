//! MFA delete: once a bucket's versioning configuration has `MfaDelete`
//! `Enabled`, deleting a version for good and changing the bucket's
//! versioning state need the `x-amz-mfa` header (`SERIAL CODE`), and a
//! PutBucketVersioning that sets `MfaDelete` needs it too ("Configuring
//! MFA delete", S3 User Guide; PutBucketVersioning, API Reference). A
//! request without it is 403 `AccessDenied`.
//!
//! The code is checked as STS checks `SerialNumber` + `TokenCode`
//! ([`crate::services::iam::mfa::verify_token_code`]): a current code of
//! the calling IAM user's MFA device, accepted once. The emulator gives
//! the root user no MFA device, so only IAM users can pass it.

use super::S3Request;
use crate::error::{AwsError, AwsResult};
use crate::services::iam::mfa::{verify_token_code, UNKNOWN_DEVICE};
use crate::state::State;

/// S3's words for a request that needs MFA and has none.
pub const MFA_REQUIRED: &str = "Mfa Authentication must be used for this request";

/// Verifies the request's `x-amz-mfa` (and marks the code used).
pub fn check(r: &S3Request, state: &mut State) -> AwsResult<()> {
    let header = r
        .header("x-amz-mfa")
        .ok_or_else(|| AwsError::access_denied(MFA_REQUIRED))?;
    let (serial, code) = header
        .trim()
        .split_once(' ')
        .map(|(s, c)| (s.trim(), c.trim()))
        .filter(|(s, c)| !s.is_empty() && !c.is_empty())
        .ok_or_else(|| AwsError::access_denied(MFA_REQUIRED))?;
    let (Some(account), Some(user)) = (r.account(), r.caller.principal.user_name()) else {
        return Err(AwsError::access_denied(UNKNOWN_DEVICE));
    };
    let (account, user) = (account.to_string(), user.to_string());
    verify_token_code(state, &account, &user, serial, code, r.ctx.shared.now())
}

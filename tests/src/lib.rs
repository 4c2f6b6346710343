//! End-to-end tests live under `tests/tests/`. This library holds what they
//! share: the reliability figures, IAM's call helpers and TOTP codes.

pub mod iam;
pub mod reliability;
pub mod totp;

//! End-to-end tests live under `tests/tests/`. This library holds what they
//! share: the reliability figures and IAM's call helpers.

pub mod iam;
pub mod reliability;

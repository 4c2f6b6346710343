//! Policy validation: what IAM refuses when a policy is written, and what
//! IAM Access Analyzer's `ValidatePolicy` says about a policy.
//!
//! Two layers, one reading of the policy text ([`json_span`], which keeps
//! where every value is):
//! - [`check_write`]: IAM's write-time checks, in IAM's order and with its
//!   messages (`MalformedPolicyDocument`), for identity, trust and bucket
//!   policies. What IAM accepts stays accepted: an unknown action such as
//!   `s3:ListObject`, or `"kinesis: Get*"` with its space. The order and the
//!   wording are those AWS returns, as recorded by moto's
//!   `iam/policy_validation.py` and its tests (`test_iam_policies.py`),
//!   which were written against IAM's replies.
//! - [`validate_policy`]: Access Analyzer findings with AWS's issue codes,
//!   finding types and wording ("IAM policy validation check reference",
//!   IAM User Guide, access-analyzer-reference-policy-checks), and
//!   locations (path and span) into the text; plus one check of the
//!   emulator's own, [`EMULATOR_RESOURCE_TYPE_MISMATCH`].
//!
//! The facts about actions and resource types come from [`crate::catalog`];
//! the rules that both layers (and the explanations in [`crate::explain`])
//! use live in [`action`], once.

pub mod action;
mod checks;
mod findings;
pub mod json_span;
mod tree;
mod write;

pub use checks::validate_policy;
pub use findings::{
    Finding, FindingType, Location, PathElement, PolicyKind, ResourcePolicyType,
    EMULATOR_RESOURCE_TYPE_MISMATCH,
};
pub use write::{check_write, ResourceError, WriteError, WriteTarget};

/// IAM's quota on one managed policy, and Access Analyzer's on an identity
/// policy: 6,144 characters, white space excluded ("IAM and AWS STS
/// quotas").
pub const IDENTITY_POLICY_QUOTA: usize = 6144;

/// AWS Organizations' quota on a service control policy: 5,120 characters.
pub const SCP_QUOTA: usize = 5120;

/// The size of a policy as IAM counts it against its quotas: characters,
/// white space excluded ("IAM does not count white space").
pub fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

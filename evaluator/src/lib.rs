//! # iam-evaluator
//!
//! The AWS IAM policy language as a pure library: no I/O, no async. It
//! decides allow / deny exactly as AWS IAM documents and explains why.
//!
//! Map of the crate:
//! - [`policy`]: the policy document as data; [`parse`]: JSON ↔ [`Policy`];
//!   [`grammar`]: the names of its elements.
//! - [`wildcard`], [`arn`]: `*`/`?` matching for actions, resources, ARNs.
//! - [`context`]: the request's condition keys; [`variables`]: `${…}`.
//! - [`condition`]: every condition operator, `IfExists`, set operators.
//! - [`principal`]: the caller, and how a `Principal` element names it.
//! - [`statement`]: does one statement apply to a request, and if not, why.
//! - [`acl`]: S3 ACL grants as resource-based allows (permission → actions).
//! - [`decision`]: AWS's evaluation logic across policy types; [`rules`]:
//!   AWS's rules beside the policies (actions that need no permission,
//!   AWS-owned resources, the bucket owner's root).
//! - [`explain`]: the decision in words and as JSON; [`summary`]: a policy
//!   in plain English.
//! - [`service_access`]: which services a policy grants (IAM's access
//!   reports).
//! - [`catalog`]: the AWS service catalog; [`validate`]: IAM's write-time
//!   checks and Access Analyzer's `ValidatePolicy` findings; [`checks`]:
//!   Access Analyzer's custom policy checks (`CheckNoNewAccess`, …).
//!
//! ```
//! use iam_evaluator::{evaluate, NamedPolicy, Policy, PolicySet, Principal, Request, RequestContext};
//!
//! let policy = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [
//!     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}"#).unwrap();
//! let principal = Principal::from_arn("arn:aws:iam::123456789012:user/alice").unwrap();
//! let mut context = RequestContext::new();
//! context.set("aws:username", "alice");
//! let request = Request {
//!     principal,
//!     action: "s3:getobject".into(),
//!     resource: "arn:aws:s3:::b/alice/notes.txt".into(),
//!     resource_account: None,
//!     context,
//! };
//! let policies = PolicySet { identity: vec![NamedPolicy::new("home", policy)], ..PolicySet::default() };
//! assert!(evaluate(&request, &policies).is_allowed());
//! ```

pub mod acl;
pub mod arn;
pub mod catalog;
pub mod checks;
pub mod condition;
pub mod context;
pub mod decision;
pub mod explain;
pub mod grammar;
pub mod parse;
pub mod policy;
pub mod principal;
pub mod public;
pub mod rules;
pub mod service_access;
pub mod statement;
pub mod summary;
pub mod validate;
pub mod variables;
pub mod wildcard;

pub use acl::{Acl, AclGrant, AclPermission, AclResource, Grantee};
pub use catalog::Catalog;
pub use context::{ContextValue, RequestContext};
pub use decision::{evaluate, Decision, NamedPolicy, Outcome, PolicySet, PolicyType, Request, StatementRef};
pub use parse::ParseError;
pub use policy::{Effect, Policy, Statement, Version};
pub use principal::{Principal, PrincipalKind, PrincipalMatch};
pub use public::{is_public, public_statements, PublicGrant};
pub use rules::{AwsOwned, Rule};

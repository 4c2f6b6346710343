//! Actions in policies, the one place their rules live: IAM's write-time
//! rule for an action's form, what the service catalog says an `Action`
//! pattern names, and whether an action can ever apply to a statement's
//! resources. [`super::check_write`], [`super::validate_policy`] and the
//! explanations ([`crate::explain`]) all ask here.
//!
//! Sources: IAM's `MalformedPolicyDocument` messages as moto records them
//! (`_validate_action_prefix`: "Actions/Conditions must be prefaced by a
//! vendor, e.g., iam, sdb, ec2, etc.", "Actions/Condition can contain only
//! one colon.", "Vendor X is not valid" for characters outside
//! `[a-zA-Z0-9-.]`); Access Analyzer's `INVALID_ACTION` wording, including
//! its "The API called ListBuckets authorizes against the IAM action
//! s3:ListAllMyBuckets." (as returned in `awslabs/terraform-iam-policy-validator`'s
//! example report 3); the Service Authorization Reference for actions and
//! their resource types ([`crate::catalog`]).

use crate::catalog::{Action, Catalog, Service};
use std::fmt::{self, Write as _};

/// IAM's write-time objections to the form of an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VendorError {
    /// No `service:` prefix (and not `*`).
    NoVendor,
    /// More than one colon.
    TwoColons,
    /// The prefix holds characters other than letters, digits, `-` and `.`.
    InvalidVendor(String),
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VendorError::NoVendor => {
                f.write_str("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
            }
            VendorError::TwoColons => f.write_str("Actions/Condition can contain only one colon."),
            VendorError::InvalidVendor(vendor) => write!(f, "Vendor {vendor} is not valid"),
        }
    }
}

/// IAM's write-time rule for an `Action`/`NotAction` string. It does not
/// look the action up: `s3:ListObject` and `kinesis: Get*` pass.
pub fn check_vendor(action: &str) -> Result<(), VendorError> {
    let parts: Vec<&str> = action.split(':').collect();
    if parts.len() == 1 && parts[0] != "*" {
        return Err(VendorError::NoVendor);
    }
    if parts.len() > 2 {
        return Err(VendorError::TwoColons);
    }
    let vendor = parts[0];
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    if vendor != "*" && !vendor.chars().all(valid) {
        return Err(VendorError::InvalidVendor(vendor.to_string()));
    }
    Ok(())
}

/// What the service catalog says an `Action` pattern names.
#[derive(Debug, Clone)]
pub enum Lookup<'c> {
    /// `*`: every action of every service.
    Everything,
    /// The actions the pattern names (at least one).
    Actions(Vec<(&'c Service, &'c Action)>),
    /// A wildcard in the service prefix (`*:List*`, `s3*:Get*`).
    WildcardService {
        service: String,
        actions: Vec<(&'c Service, &'c Action)>,
    },
    /// No service has this prefix.
    UnknownService {
        service: String,
        suggestion: Option<&'static str>,
    },
    /// The service exists, but none of its actions matches.
    UnknownAction { service: &'c Service, name: String },
    /// Not `service:action` at all (IAM refuses it when written).
    Malformed,
}

/// Looks an `Action` pattern up in the catalog (ignoring case, as IAM
/// matches actions).
pub fn lookup(pattern: &str) -> Lookup<'static> {
    let catalog = Catalog::get();
    if pattern == "*" {
        return Lookup::Everything;
    }
    let Some((prefix, name)) = pattern.split_once(':') else {
        return Lookup::Malformed;
    };
    if prefix.contains(['*', '?']) {
        let actions: Vec<_> = catalog.actions_matching(pattern).collect();
        if actions.is_empty() {
            return Lookup::UnknownService {
                service: prefix.to_string(),
                suggestion: None,
            };
        }
        return Lookup::WildcardService {
            service: prefix.to_string(),
            actions,
        };
    }
    let Some(service) = catalog.service(prefix) else {
        return Lookup::UnknownService {
            service: prefix.to_string(),
            suggestion: catalog.nearest_service(prefix),
        };
    };
    let actions: Vec<_> = catalog.actions_matching(pattern).collect();
    if actions.is_empty() {
        Lookup::UnknownAction {
            service,
            name: name.to_string(),
        }
    } else {
        Lookup::Actions(actions)
    }
}

/// S3 API operations whose IAM action has another name, for Access
/// Analyzer's "The API called X authorizes against the IAM action Y."
/// (Amazon S3 User Guide, "Required permissions for Amazon S3 API operations").
const API_ACTIONS: &[(&str, &str, &str)] = &[
    ("s3", "ListBuckets", "s3:ListAllMyBuckets"),
    ("s3", "ListObjects", "s3:ListBucket"),
    ("s3", "ListObjectsV2", "s3:ListBucket"),
    ("s3", "ListObjectVersions", "s3:ListBucketVersions"),
    ("s3", "HeadBucket", "s3:ListBucket"),
    ("s3", "HeadObject", "s3:GetObject"),
    ("s3", "DeleteObjects", "s3:DeleteObject"),
];

/// The API operation `name` most likely means (also without its plural
/// `s`, as in `s3:ListObject`), and the IAM action that authorizes it.
fn api_action(prefix: &str, name: &str) -> Option<(&'static str, &'static str)> {
    API_ACTIONS
        .iter()
        .find(|(p, api, _)| {
            p.eq_ignore_ascii_case(prefix)
                && (api.eq_ignore_ascii_case(name) || api.eq_ignore_ascii_case(&format!("{name}s")))
        })
        .map(|(_, api, action)| (*api, *action))
}

/// Access Analyzer's `INVALID_ACTION` details for a pattern naming no
/// action of an existing service: "The action X does not exist.", then a
/// suggestion when one is close: the name without stray white space
/// (`kinesis: Get*`), the IAM action behind an API name, or the nearest
/// action name (`nearest_action`, the emulator's own).
pub fn unknown_action_details(service: &Service, pattern: &str, name: &str) -> String {
    let mut text = format!("The action {pattern} does not exist.");
    let trimmed: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let prefix = service.prefix;
    if trimmed != name && !trimmed.is_empty() {
        let fixed = format!("{prefix}:{trimmed}");
        if Catalog::get().actions_matching(&fixed).next().is_some() {
            let _ = write!(
                text,
                " Did you mean {fixed}? Remove the white space: IAM reads it as part of the action name, so this entry matches nothing."
            );
            return text;
        }
    }
    if let Some((api, action)) = api_action(prefix, name) {
        let _ = write!(
            text,
            " Did you mean {action}? The API called {api} authorizes against the IAM action {action}."
        );
    } else if let Some(nearest) = (!name.contains(['*', '?']))
        .then(|| service.nearest_action(name))
        .flatten()
    {
        let _ = write!(text, " Did you mean {prefix}:{nearest}?");
    }
    text
}

/// Access Analyzer's `INVALID_SERVICE_IN_ACTION` details.
pub fn unknown_service_details(service: &str, suggestion: Option<&str>) -> String {
    let mut text = format!("The service {service} specified in the action does not exist.");
    if let Some(s) = suggestion {
        let _ = write!(text, " Did you mean {s}?");
    }
    text
}

/// Could the action ever apply to one of `resources` (a statement's
/// `Resource` patterns)? Actions that support only `"Resource": "*"` are
/// given the benefit of the doubt (AWS documents `arn:aws:s3:::*` for
/// `s3:ListAllMyBuckets`); others need a pattern that could name a
/// resource of one of their types.
pub fn applies_to_any(service: &Service, action: &Action, resources: &[&str]) -> bool {
    action.is_wildcard_only()
        || resources
            .iter()
            .any(|r| *r == "*" || !service.resource_types_for(action, r).is_empty())
}

/// The resource types an action acts on, in words: `bucket
/// (arn:aws:s3:::*)`, joined with " or ".
pub fn resource_types_words(service: &Service, action: &Action) -> String {
    action
        .resource_types
        .iter()
        .filter_map(|r| service.resource_type(r.name))
        .map(|t| format!("{} ({})", t.name, t.arn_patterns.join(", ")))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// `s3:GetObject` as the catalog spells it.
pub fn full_name(service: &Service, action: &Action) -> String {
    format!("{}:{}", service.prefix, action.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_accepts_unknown_names_but_not_bad_forms() {
        assert_eq!(check_vendor("s3:ListObject"), Ok(()));
        assert_eq!(check_vendor("kinesis: Get*"), Ok(()));
        assert_eq!(check_vendor("*"), Ok(()));
        assert_eq!(check_vendor("GetObject"), Err(VendorError::NoVendor));
        assert_eq!(check_vendor("s3:Get:Object"), Err(VendorError::TwoColons));
        assert_eq!(
            check_vendor("s 3:GetObject"),
            Err(VendorError::InvalidVendor("s 3".into()))
        );
    }

    #[test]
    fn the_guides_mistakes_are_named() {
        let Lookup::UnknownAction { service, name } = lookup("s3:ListObject") else {
            panic!("s3:ListObject is not an action");
        };
        assert_eq!(
            unknown_action_details(service, "s3:ListObject", &name),
            "The action s3:ListObject does not exist. Did you mean s3:ListBucket? \
             The API called ListObjects authorizes against the IAM action s3:ListBucket."
        );
        let Lookup::UnknownAction { service, name } = lookup("kinesis: Get*") else {
            panic!("kinesis: Get* names nothing");
        };
        assert!(unknown_action_details(service, "kinesis: Get*", &name)
            .starts_with("The action kinesis: Get* does not exist. Did you mean kinesis:Get*?"));
        assert!(matches!(lookup("s3:Get*"), Lookup::Actions(a) if a.len() > 10));
    }

    #[test]
    fn list_bucket_never_applies_to_objects() {
        let (service, action) = Catalog::get().action("s3:ListBucket").unwrap();
        assert!(!applies_to_any(service, action, &["arn:aws:s3:::b/*"]));
        assert!(applies_to_any(
            service,
            action,
            &["arn:aws:s3:::b/*", "arn:aws:s3:::b"]
        ));
        assert!(applies_to_any(service, action, &["*"]));
        assert_eq!(
            resource_types_words(service, action),
            "accesspoint (arn:aws:s3:*:*:accesspoint/*) or bucket (arn:aws:s3:::*)"
        );
    }
}

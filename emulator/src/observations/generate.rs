//! Least-privilege policy generation: from the observations of one
//! principal, an identity policy (Version 2012-10-17) granting exactly the
//! observed actions on the observed resources. Pure: observations in,
//! policy and explanations out.
//!
//! - Denied observations are included. They are calls the code made and
//!   needed; running a suite in soft mode (nothing fails, everything is
//!   recorded) is the intended way to find them. Those denied by an
//!   explicit `Deny` (an SCP, a boundary, a bucket policy…) are granted too
//!   but named in the explanations: this policy alone will not get past
//!   that deny.
//! - Actions that support only `"Resource": "*"` (the catalog lists no
//!   resource type: `sts:GetCallerIdentity`, `s3:ListAllMyBuckets`) are
//!   granted on `*`; every other action on the ARNs it was observed on,
//!   written so that `*` and `?` in names match only themselves, unless
//!   the caller asks for [`Generalise::Prefix`].
//! - Statements group the actions of one service that were observed on
//!   the same set of resources; services, resource sets and actions are
//!   sorted, so the same observations always give the same policy.
//! - No conditions are generated: the observed context keys are recorded,
//!   but a condition inferred from a few requests would deny the next one.

use super::generalise::{self, Folded, Generalise};
use super::{Observation, Verdict};
use iam_evaluator::Catalog;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// What to generate a policy for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The principal's ARN, exactly as observed (e.g. an IAM user's ARN,
    /// or `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`), or a role's ARN,
    /// which stands for every session of the role.
    pub principal: String,
    /// Only observations at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Only observations at or before this time.
    pub until: Option<OffsetDateTime>,
    pub generalise: Generalise,
}

/// One statement of the generated policy (fields in the order IAM shows them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "Sid")]
    pub sid: String,
    #[serde(rename = "Effect")]
    pub effect: String,
    #[serde(rename = "Action")]
    pub action: Vec<String>,
    #[serde(rename = "Resource")]
    pub resource: Vec<String>,
}

/// The generated policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Statement")]
    pub statement: Vec<Statement>,
}

impl Policy {
    /// The policy as JSON text, pretty-printed in IAM's field order.
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Why part of the policy is as it is (JSON has no comments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The statement it is about, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub text: String,
}

/// The result: the policy, why, and how many observations it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    pub policy: Policy,
    pub explanations: Vec<Explanation>,
    /// Observations of the principal used (after `since`).
    pub observed: usize,
    /// Of those, how many were denied when they were made.
    pub denied: usize,
}

/// Why nothing could be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NothingObserved {
    pub principal: String,
}

impl std::fmt::Display for NothingObserved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no requests of {} were observed (a policy needs at least one statement)",
            self.principal
        )
    }
}

/// Actions (in the catalog's spelling) with the resources they were seen on.
type Seen = BTreeMap<String, BTreeSet<String>>;

/// Generates the least-privilege policy for `options.principal`.
pub fn generate(observations: &[Observation], options: &Options) -> Result<Generated, NothingObserved> {
    let selected: Vec<&Observation> = observations
        .iter()
        .filter(|o| observed_as(&o.principal, &options.principal))
        .filter(|o| options.since.is_none_or(|since| o.time >= since))
        .filter(|o| options.until.is_none_or(|until| o.time <= until))
        .collect();
    if selected.is_empty() {
        return Err(NothingObserved {
            principal: options.principal.clone(),
        });
    }
    let mut seen = Seen::new();
    for o in &selected {
        let (action, resource) = grant_for(o);
        seen.entry(action).or_default().insert(resource);
    }
    let (statements, folds) = statements(&seen, options.generalise);
    let mut explanations = fold_explanations(&statements, &folds);
    explanations.extend(denial_explanations(&selected));
    explanations.extend(wildcard_explanations(&statements));
    Ok(Generated {
        policy: Policy {
            version: "2012-10-17".to_string(),
            statement: statements,
        },
        explanations,
        observed: selected.len(),
        denied: selected.iter().filter(|o| !o.is_allowed()).count(),
    })
}

/// Was a request by `observed` one of `principal`'s? The same ARN, or a
/// session of the role `principal` names (a role's path is not in its
/// sessions' ARNs).
fn observed_as(observed: &str, principal: &str) -> bool {
    if observed == principal {
        return true;
    }
    let Some(role) = iam_evaluator::arn::Arn::parse(principal).filter(|a| a.service == "iam") else {
        return false;
    };
    let Some(role_name) = role
        .resource
        .strip_prefix("role/")
        .and_then(|r| r.rsplit('/').next())
    else {
        return false;
    };
    matches!(
        iam_evaluator::Principal::from_arn(observed),
        Ok(iam_evaluator::Principal {
            kind: iam_evaluator::PrincipalKind::AssumedRole { role_name: ref name, .. },
            account: Some(ref account),
            ..
        }) if name == role_name && account == role.account
    )
}

/// The action (catalog spelling when known) and the resource to grant it on.
fn grant_for(o: &Observation) -> (String, String) {
    match Catalog::get().action(&o.action) {
        Some((service, action)) => {
            let name = format!("{}:{}", service.prefix, action.name);
            let resource = if action.is_wildcard_only() {
                "*".to_string()
            } else {
                o.resource.clone()
            };
            (name, resource)
        }
        None => (o.action.clone(), o.resource.clone()),
    }
}

/// Groups actions per service and resource set into statements.
fn statements(seen: &Seen, how: Generalise) -> (Vec<Statement>, Vec<Folded>) {
    let mut groups: BTreeMap<(String, BTreeSet<String>), BTreeSet<String>> = BTreeMap::new();
    let mut folds = Vec::new();
    for (action, resources) in seen {
        let (patterns, folded) = generalise::resources(resources, how);
        folds.extend(folded);
        let service = action.split(':').next().unwrap_or_default().to_string();
        groups
            .entry((service, patterns))
            .or_default()
            .insert(action.clone());
    }
    let mut counters: BTreeMap<String, usize> = BTreeMap::new();
    let statements = groups
        .into_iter()
        .map(|((service, resources), actions)| {
            let n = counters.entry(service.clone()).or_default();
            *n += 1;
            Statement {
                sid: format!("{}{n}", sid_stem(&service)),
                effect: "Allow".to_string(),
                action: actions.into_iter().collect(),
                resource: resources.into_iter().collect(),
            }
        })
        .collect();
    (statements, folds)
}

/// `s3` → `S3Access`, `access-analyzer` → `AccessAnalyzerAccess` (a Sid
/// is letters and digits only).
fn sid_stem(service: &str) -> String {
    let mut out = String::new();
    for part in service.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out.push_str("Access");
    out
}

/// One explanation per generalised pattern: what it stands for and why.
fn fold_explanations(statements: &[Statement], folds: &[Folded]) -> Vec<Explanation> {
    let mut members: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for fold in folds {
        let entry = members.entry(&fold.pattern).or_default();
        entry.extend(fold.members.iter().map(String::as_str));
    }
    let mut out = Vec::new();
    for statement in statements {
        for pattern in &statement.resource {
            let Some(observed) = members.get(pattern.as_str()) else {
                continue;
            };
            out.push(Explanation {
                sid: Some(statement.sid.clone()),
                text: format!(
                    "{pattern} generalises {} observed resources ({}) as --generalise prefix asked: \
                     where they differ, each path segment keeps their common prefix and ends in *. \
                     It also grants other resources with that shape.",
                    observed.len(),
                    sample(observed)
                ),
            });
        }
    }
    out
}

/// Up to five items, then how many more.
fn sample(items: &BTreeSet<&str>) -> String {
    let shown: Vec<&str> = items.iter().take(5).copied().collect();
    let more = items.len().saturating_sub(shown.len());
    if more == 0 {
        shown.join(", ")
    } else {
        format!("{}, and {more} more", shown.join(", "))
    }
}

/// Denied observations: included (explained once), and each explicit deny named.
fn denial_explanations(selected: &[&Observation]) -> Vec<Explanation> {
    let denied = selected.iter().filter(|o| !o.is_allowed()).count();
    let mut out = Vec::new();
    if denied > 0 {
        out.push(Explanation {
            sid: None,
            text: format!(
                "{denied} of the {} observed requests were denied when made; they are granted \
                 here because the code made them (under --auth soft they go through, so a suite \
                 run shows every call it needs).",
                selected.len()
            ),
        });
    }
    let explicit: BTreeSet<(&str, &str)> = selected
        .iter()
        .filter(|o| o.decision == Verdict::ExplicitDeny)
        .map(|o| (o.action.as_str(), o.resource.as_str()))
        .collect();
    for (action, resource) in explicit {
        out.push(Explanation {
            sid: None,
            text: format!(
                "{action} on {resource} was denied by an explicit Deny in another policy; \
                 this policy grants it, but the Deny still wins."
            ),
        });
    }
    out
}

/// Statements on `*`: only for actions that support nothing narrower.
fn wildcard_explanations(statements: &[Statement]) -> Vec<Explanation> {
    statements
        .iter()
        .filter(|s| s.resource.iter().any(|r| r == "*"))
        .map(|s| Explanation {
            sid: Some(s.sid.clone()),
            text: format!(
                "Resource \"*\": {} support(s) no resource type (the Service Authorization Reference \
                 lists none), or the request named no resource.",
                s.action.join(", ")
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "arn:aws:iam::123456789012:user/alice";

    fn seen(action: &str, resource: &str, decision: Verdict) -> Observation {
        Observation {
            time: crate::ids::now(),
            principal: ALICE.into(),
            action: action.into(),
            resource: resource.into(),
            resource_account: None,
            context: crate::observations::Context::default(),
            decision,
            region: None,
        }
    }

    fn options(generalise: Generalise) -> Options {
        Options {
            principal: ALICE.into(),
            since: None,
            until: None,
            generalise,
        }
    }

    /// A role's ARN stands for its sessions; `since`/`until` bound the window.
    #[test]
    fn a_role_is_its_sessions_within_the_window() {
        let at = |seconds: i64, principal: &str, action: &str| Observation {
            time: OffsetDateTime::from_unix_timestamp(seconds).unwrap(),
            principal: principal.into(),
            ..seen(action, "*", Verdict::Allowed)
        };
        let observations = [
            at(
                100,
                "arn:aws:sts::123456789012:assumed-role/ci/s1",
                "sts:GetCallerIdentity",
            ),
            at(
                200,
                "arn:aws:sts::123456789012:assumed-role/ci/s2",
                "s3:ListAllMyBuckets",
            ),
            at(
                300,
                "arn:aws:sts::123456789012:assumed-role/other/s1",
                "iam:ListUsers",
            ),
            at(
                400,
                "arn:aws:sts::123456789012:assumed-role/ci/s3",
                "iam:ListRoles",
            ),
        ];
        let options = Options {
            principal: "arn:aws:iam::123456789012:role/team/ci".into(),
            since: Some(OffsetDateTime::from_unix_timestamp(150).unwrap()),
            until: Some(OffsetDateTime::from_unix_timestamp(350).unwrap()),
            ..Options::default()
        };
        let generated = generate(&observations, &options).unwrap();
        assert_eq!(generated.observed, 1);
        assert_eq!(generated.policy.statement[0].action, ["s3:ListAllMyBuckets"]);
    }

    #[test]
    fn actions_group_per_service_and_resource_set() {
        let observations = [
            seen("s3:getobject", "arn:aws:s3:::b/k", Verdict::Allowed),
            seen("s3:PutObject", "arn:aws:s3:::b/k", Verdict::ImplicitDeny),
            seen("s3:ListBucket", "arn:aws:s3:::b", Verdict::Allowed),
            seen("sts:GetCallerIdentity", "*", Verdict::Allowed),
            seen("s3:ListAllMyBuckets", "arn:aws:s3:::*", Verdict::Allowed),
        ];
        let out = generate(&observations, &options(Generalise::Exact)).unwrap();
        let text = serde_json::to_string(&out.policy).unwrap();
        assert_eq!(
            text,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"S3Access1","Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":["*"]},{"Sid":"S3Access2","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::b"]},{"Sid":"S3Access3","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::b/k"]},{"Sid":"StsAccess1","Effect":"Allow","Action":["sts:GetCallerIdentity"],"Resource":["*"]}]}"#
        );
        assert_eq!((out.observed, out.denied), (5, 1));
    }

    #[test]
    fn generalised_resources_are_explained() {
        let observations = [
            seen("s3:GetObject", "arn:aws:s3:::b/run-123/x", Verdict::Allowed),
            seen("s3:GetObject", "arn:aws:s3:::b/run-456/y", Verdict::Allowed),
        ];
        let out = generate(&observations, &options(Generalise::Prefix)).unwrap();
        assert_eq!(out.policy.statement[0].resource, ["arn:aws:s3:::b/run-*/*"]);
        let why = &out.explanations[0];
        assert_eq!(why.sid.as_deref(), Some("S3Access1"));
        assert!(why.text.contains("arn:aws:s3:::b/run-123/x"), "{}", why.text);
    }

    #[test]
    fn other_principals_and_older_requests_are_left_out() {
        let mut old = seen("s3:GetObject", "arn:aws:s3:::b/old", Verdict::Allowed);
        old.time -= time::Duration::hours(1);
        let mut bob = seen("s3:GetObject", "arn:aws:s3:::b/bob", Verdict::Allowed);
        bob.principal = "arn:aws:iam::123456789012:user/bob".into();
        let now = seen("s3:GetObject", "arn:aws:s3:::b/new", Verdict::Allowed);
        let mut opts = options(Generalise::Exact);
        opts.since = Some(now.time - time::Duration::minutes(1));
        let out = generate(&[old, bob, now], &opts).unwrap();
        assert_eq!(out.policy.statement[0].resource, ["arn:aws:s3:::b/new"]);
        assert!(generate(&[], &opts).is_err());
    }
}

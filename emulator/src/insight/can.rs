//! `can PRINCIPAL`: what one principal may do on the resources that exist.
//! For each existing resource (bucket, object, user, group, role, customer
//! managed policy, stream) the actions are those the service catalog lists
//! for its resource type, in the services the emulator serves; `*` stands
//! for the actions that support no resource type. Each pair is decided as
//! request authorization would decide it.

use super::subjects::{Subject, SubjectKind};
use super::targets::{self, ResourceKind, Target};
use super::who_can::{grants, Grant};
use crate::state::State;
use iam_evaluator::Catalog;
use serde::Serialize;
use std::collections::HashMap;

/// The services the emulator serves, whose actions `can` asks about.
pub const SERVICES: &[&str] = &["iam", "kinesis", "s3", "sts"];

/// One allowed action on a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionGrant {
    pub action: String,
    pub granted_by: Vec<Grant>,
    /// The AWS rule that allowed it instead of a policy
    /// (`needsNoPermission`: `sts:GetCallerIdentity`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
}

/// The allowed actions on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGrants {
    pub resource: String,
    /// The catalog's resource type (`bucket`, `object`, `user`, …; `*`).
    #[serde(rename = "type")]
    pub resource_type: &'static str,
    pub actions: Vec<ActionGrant>,
}

/// The answer to `can`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Can {
    pub principal: String,
    pub kind: SubjectKind,
    /// How many (action, resource) pairs were decided.
    pub evaluated: usize,
    /// Resources with at least one allowed action.
    pub resources: Vec<ResourceGrants>,
}

/// What `subject` may do on every existing resource whose ARN starts
/// with `prefix` (all when `None`).
pub fn can(state: &State, subject: &Subject, prefix: Option<&str>) -> Can {
    let mut resources = targets::existing(state);
    resources.push(("*".to_string(), ResourceKind::Wildcard));
    resources.retain(|(arn, _)| prefix.is_none_or(|p| arn.starts_with(p)));
    let mut actions = ActionTable::default();
    let mut evaluated = 0;
    let mut out = Vec::new();
    for (arn, kind) in &resources {
        let target = Target::resolve(state, arn);
        let allowed: Vec<ActionGrant> = actions
            .for_kind(*kind, arn)
            .iter()
            .filter_map(|action| {
                evaluated += 1;
                let decision = subject.decide(state, action, &target);
                decision.is_allowed().then(|| ActionGrant {
                    action: action.clone(),
                    granted_by: grants(&decision),
                    rule: decision.rule.map(iam_evaluator::Rule::name),
                })
            })
            .collect();
        if !allowed.is_empty() {
            out.push(ResourceGrants {
                resource: arn.clone(),
                resource_type: kind.type_name(),
                actions: allowed,
            });
        }
    }
    Can {
        principal: subject.arn.clone(),
        kind: subject.kind,
        evaluated,
        resources: out,
    }
}

/// The actions per resource kind, found in the catalog on first use.
#[derive(Default)]
struct ActionTable {
    by_kind: HashMap<ResourceKind, Vec<String>>,
}

impl ActionTable {
    fn for_kind(&mut self, kind: ResourceKind, sample: &str) -> &[String] {
        self.by_kind
            .entry(kind)
            .or_insert_with(|| actions_for(kind, sample))
    }
}

/// Every action of [`SERVICES`] whose resource types include `kind` as
/// `sample` (an ARN of that kind) reads; for `*`, those with none.
pub fn actions_for(kind: ResourceKind, sample: &str) -> Vec<String> {
    let catalog = Catalog::get();
    let mut out = Vec::new();
    for service in SERVICES.iter().filter_map(|p| catalog.service(p)) {
        for action in &service.actions {
            let fits = if kind == ResourceKind::Wildcard {
                action.is_wildcard_only()
            } else {
                service
                    .resource_types_for(action, sample)
                    .iter()
                    .any(|t| t.name == kind.type_name())
            };
            if fits {
                out.push(format!("{}:{}", service.prefix, action.name));
            }
        }
    }
    out
}

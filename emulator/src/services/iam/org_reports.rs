//! Service last accessed data for an organization:
//! GenerateOrganizationsAccessReport and GetOrganizationsAccessReport.
//!
//! The report is about an Organizations entity (root, OU or account, by
//! its path `o-…/r-…/ou-…/ACCOUNT`): the services the SCPs that bound it
//! allow — every level from the root down must allow a service, as SCPs
//! are evaluated ([`iam_evaluator::service_access`] says which services a
//! policy allows) — or, with `OrganizationsPolicyId`, the services that
//! one SCP allows; and for each, the last request any principal of an
//! account in the entity made to it ([`crate::observations`]). Only the
//! organization's management account may ask, with SCPs enabled.

use super::access_reports::{find_report, store_report};
use super::{page_tail, paginate, Call};
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::credentials::{Access, AccessReportKind, ServiceAccess};
use crate::state::organizations::{Organization, PolicyType};
use crate::state::State;
use iam_evaluator::catalog::Service;
use iam_evaluator::service_access::services_granted;
use std::collections::{BTreeMap, BTreeSet};

/// The caller's organization, which it manages with SCPs enabled.
fn managed_organization<'s>(state: &'s State, call: &Call) -> AwsResult<&'s Organization> {
    let org = state
        .organizations
        .org_of(&call.account)
        .filter(|org| org.management == call.account)
        .ok_or_else(|| {
            AwsError::invalid_input(
                "Organizations access reports can be generated only from the management account of an organization.",
            )
        })?;
    if !org.enabled(PolicyType::ServiceControl) {
        return Err(AwsError::invalid_input(
            "Service control policies must be enabled for the organization root to generate an Organizations access report.",
        ));
    }
    Ok(org)
}

/// The root, OU or account an entity path ends at, once every step of it
/// is checked against the organization (each a child of the one before).
fn target_of(org: &Organization, path: &str) -> AwsResult<String> {
    let invalid =
        || AwsError::invalid_input(format!("Invalid entity path {path} for organization {}.", org.id));
    let mut steps = path.trim_end_matches('/').split('/');
    if steps.next() != Some(org.id.as_str()) || steps.next() != Some(org.root.id.as_str()) {
        return Err(invalid());
    }
    let mut at = org.root.id.clone();
    for step in steps {
        if org.parent_of(step) != Some(at.as_str()) {
            return Err(invalid());
        }
        at = step.to_string();
    }
    Ok(at)
}

/// The accounts in `target`: the account itself, or every account below
/// the root or OU.
fn accounts_in(org: &Organization, target: &str) -> BTreeSet<String> {
    org.accounts
        .keys()
        .filter(|account| org.levels(account).iter().any(|level| level == target))
        .cloned()
        .collect()
}

/// The services every SCP level of `target` allows.
fn services_allowed(
    org: &Organization,
    target: &str,
    policy: Option<&str>,
) -> AwsResult<Vec<&'static Service>> {
    if let Some(id) = policy {
        let document = org
            .scp_document(id)
            .ok_or_else(|| AwsError::invalid_input(format!("Service control policy {id} does not exist.")))?;
        return Ok(services_granted(&document));
    }
    let mut allowed: Option<Vec<&'static Service>> = None;
    for level in org.scp_levels(target) {
        let mut here: Vec<&'static Service> = Vec::new();
        for named in &level {
            for service in services_granted(&named.policy) {
                if !here.iter().any(|s| s.prefix == service.prefix) {
                    here.push(service);
                }
            }
        }
        allowed = Some(match allowed {
            None => here,
            Some(before) => before
                .into_iter()
                .filter(|s| here.iter().any(|h| h.prefix == s.prefix))
                .collect(),
        });
    }
    let mut allowed = allowed.unwrap_or_default();
    allowed.sort_by_key(|s| s.prefix);
    Ok(allowed)
}

/// The account of a principal's ARN (`arn:aws:iam::ACCT:…`, `arn:aws:sts::ACCT:…`).
fn account_of(principal: &str) -> Option<&str> {
    principal.split(':').nth(4).filter(|a| !a.is_empty())
}

pub fn generate_organizations_access_report(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let path = call.params.required("EntityPath")?.to_string();
    let org = managed_organization(state, call)?;
    let target = target_of(org, &path)?;
    let accounts = accounts_in(org, &target);
    let allowed = services_allowed(org, &target, call.params.get("OrganizationsPolicyId"))?;
    let mut lines: BTreeMap<&str, (ServiceAccess, BTreeSet<String>)> = allowed
        .iter()
        .map(|s| {
            let line = ServiceAccess {
                name: s.name.to_string(),
                namespace: s.prefix.to_string(),
                last_accessed: None,
                entities: Vec::new(),
                actions: Vec::new(),
                total_entities: 0,
            };
            (s.prefix, (line, BTreeSet::new()))
        })
        .collect();
    call.ctx.shared.observed.with(|observations| {
        for o in observations {
            let Some(account) = account_of(&o.principal).filter(|a| accounts.contains(*a)) else {
                continue;
            };
            let prefix = o
                .action
                .split(':')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let Some((line, seen)) = lines.get_mut(prefix.as_str()) else {
                continue;
            };
            seen.insert(account.to_string());
            let newer = line.last_accessed.as_ref().is_none_or(|last| o.time > last.at);
            if newer {
                line.last_accessed = Some(Access {
                    at: o.time,
                    entity: format!("{}{account}", org.path(account)),
                    region: o.region.clone().unwrap_or_else(|| "us-east-1".to_string()),
                });
            }
        }
    });
    let services = lines
        .into_values()
        .map(|(mut line, seen)| {
            line.total_entities = seen.len();
            line
        })
        .collect();
    Ok(store_report(
        state,
        call,
        AccessReportKind::Organizations,
        path,
        "SERVICE_LEVEL".into(),
        services,
    ))
}

pub fn get_organizations_access_report(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let (_, report) = find_report(state, call, AccessReportKind::Organizations)?;
    let mut lines: Vec<&ServiceAccess> = report.services.iter().collect();
    sort(
        &mut lines,
        call.params
            .get("SortKey")
            .unwrap_or("SERVICE_NAMESPACE_ASCENDING"),
    );
    let not_accessed = lines.iter().filter(|l| l.last_accessed.is_none()).count();
    let accessible = lines.len();
    let page = paginate(call.params, lines)?;
    let mut x = Xml::default();
    x.elem("JobStatus", "COMPLETED");
    x.elem("JobCreationDate", &ids::iso8601(report.created));
    x.elem("JobCompletionDate", &ids::iso8601(report.completed));
    x.elem("NumberOfServicesAccessible", &accessible.to_string());
    x.elem("NumberOfServicesNotAccessed", &not_accessed.to_string());
    x.with("AccessDetails", |x| {
        for line in &page.items {
            x.with("member", |x| {
                x.elem("ServiceName", &line.name);
                x.elem("ServiceNamespace", &line.namespace);
                if let Some(last) = &line.last_accessed {
                    x.elem("Region", &last.region);
                    x.elem("EntityPath", &last.entity);
                    x.elem("LastAuthenticatedTime", &ids::iso8601(last.at));
                    x.elem("TotalAuthenticatedEntities", &line.total_entities.to_string());
                }
            });
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

/// Orders the lines as `SortKey` says (the model checks its values).
fn sort(lines: &mut [&ServiceAccess], key: &str) {
    let at = |l: &ServiceAccess| l.last_accessed.as_ref().map(|a| a.at);
    match key {
        "SERVICE_NAMESPACE_DESCENDING" => lines.sort_by(|a, b| b.namespace.cmp(&a.namespace)),
        "LAST_AUTHENTICATED_TIME_ASCENDING" => lines.sort_by_key(|l| at(l)),
        "LAST_AUTHENTICATED_TIME_DESCENDING" => lines.sort_by_key(|l| std::cmp::Reverse(at(l))),
        _ => lines.sort_by(|a, b| a.namespace.cmp(&b.namespace)),
    }
}

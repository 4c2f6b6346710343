//! Which services an entity's policies grant, and when they were last
//! used: ListPoliciesGrantingServiceAccess, GenerateServiceLastAccessedDetails,
//! GetServiceLastAccessedDetails and GetServiceLastAccessedDetailsWithEntities.
//!
//! "Grants" is the evaluator's: a policy grants a service when one of its
//! `Allow` statements covers an action of it
//! ([`iam_evaluator::service_access`]); as AWS says of these reports, only
//! permissions policies count (no boundary, SCP or resource policy). "Last
//! used" comes from the requests the emulator served
//! ([`crate::observations`]): every attempt, allowed or denied, by the
//! entities whose permissions the subject gives — a user or role itself, a
//! group's users, the users, groups' users and roles a managed policy is
//! attached to. A report is worked out when it is generated and kept with
//! the account, so it reads the same after a restart.

use super::simulate::{entity_of, policy_name, Source};
use super::{page_tail, paginate, Call};
use crate::authorize::PolicySource;
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::observations::Observation;
use crate::protocol::xml::Xml;
use crate::state::credentials::{
    Access, AccessReport, AccessReportKind, ActionAccess, EntityAccess, ServiceAccess,
};
use crate::state::iam::{key, Account, Document};
use crate::state::State;
use iam_evaluator::policy::Effect;
use iam_evaluator::service_access::{grants_service, services_granted};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Services whose actions IAM reports one by one in `ACTION_LEVEL` reports
/// (IAM User Guide, "IAM action last accessed information services and
/// actions": Amazon EC2, IAM, Lambda and Amazon S3).
const TRACKED_SERVICES: &[&str] = &["ec2", "iam", "lambda", "s3"];

/// The region a request counts in when it named none (IAM is global and
/// its requests are signed for us-east-1).
const DEFAULT_REGION: &str = "us-east-1";

// ---- ListPoliciesGrantingServiceAccess ----

/// One policy granting a service, as the reply shows it.
struct Granting {
    name: String,
    /// The managed policy's ARN; `None` for an inline policy.
    arn: Option<String>,
    /// For an inline policy: the type and name of the entity holding it.
    holder: Option<(&'static str, String)>,
}

pub fn list_policies_granting_service_access(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("Arn")?;
    let namespaces = call.params.list("ServiceNamespaces");
    if namespaces.is_empty() {
        return Err(AwsError::missing_parameter("ServiceNamespaces"));
    }
    let (_, policies) = entity_of(state, call, arn)?;
    let mut seen = Vec::new();
    let mut candidates = Vec::new();
    for p in &policies.identity {
        // A managed policy attached to the user and one of its groups is
        // listed once.
        if p.source == PolicySource::Managed && seen.contains(&p.name) {
            continue;
        }
        seen.push(p.name.clone());
        let granting = match &p.source {
            PolicySource::Managed => Granting {
                name: policy_name(&p.name).to_string(),
                arn: Some(p.name.clone()),
                holder: None,
            },
            PolicySource::Inline { kind, holder } => Granting {
                name: p.name.clone(),
                arn: None,
                holder: Some((entity_type(kind), holder.clone())),
            },
            // The password policy's ChangePassword grant is no policy a
            // user can list (and grants only iam:ChangePassword).
            PolicySource::AccountPasswordPolicy => continue,
        };
        candidates.push((granting, &p.document));
    }
    let entries: Vec<(String, Vec<&Granting>)> = namespaces
        .into_iter()
        .map(|ns| {
            let granting = candidates
                .iter()
                .filter(|(_, doc)| grants_service(&doc.parsed, &ns))
                .map(|(g, _)| g)
                .collect();
            (ns, granting)
        })
        .collect();
    let page = paginate(call.params, entries)?;
    let mut x = Xml::default();
    x.with("PoliciesGrantingServiceAccess", |x| {
        for (namespace, granting) in &page.items {
            x.with("member", |x| {
                x.elem("ServiceNamespace", namespace);
                x.with("Policies", |x| {
                    for g in granting {
                        x.with("member", |x| granting_xml(x, g));
                    }
                });
            });
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

fn granting_xml(x: &mut Xml, g: &Granting) {
    x.elem("PolicyName", &g.name);
    x.elem("PolicyType", if g.arn.is_some() { "MANAGED" } else { "INLINE" });
    x.opt("PolicyArn", g.arn.as_deref());
    if let Some((kind, name)) = &g.holder {
        x.elem("EntityType", kind);
        x.elem("EntityName", name);
    }
}

/// `USER`, `GROUP`, `ROLE` for the holder kinds of inline policies.
fn entity_type(kind: &str) -> &'static str {
    match kind {
        "group" => "GROUP",
        "role" => "ROLE",
        _ => "USER",
    }
}

// ---- GenerateServiceLastAccessedDetails ----

/// An entity whose requests count for a report.
struct Member {
    info: EntityAccess,
    /// For a role: its name, lower-cased (its sessions' ARNs name it).
    role: Option<String>,
}

/// What a report is about: the documents that grant, and whose requests count.
struct Subject {
    documents: Vec<Document>,
    members: Vec<Member>,
}

fn user_member(account: &Account, name: &str) -> Option<Member> {
    let u = account.users.get(&key(name))?;
    Some(Member {
        info: EntityAccess {
            arn: u.arn.clone(),
            name: u.name.clone(),
            kind: "USER".into(),
            id: u.id.clone(),
            path: u.path.clone(),
            at: None,
        },
        role: None,
    })
}

fn role_member(account: &Account, name: &str) -> Option<Member> {
    let r = account.roles.get(&key(name))?;
    Some(Member {
        info: EntityAccess {
            arn: r.arn.clone(),
            name: r.name.clone(),
            kind: "ROLE".into(),
            id: r.id.clone(),
            path: r.path.clone(),
            at: None,
        },
        role: Some(key(&r.name)),
    })
}

/// The users of group `name`.
fn group_members(account: &Account, name: &str) -> Vec<Member> {
    account
        .users
        .values()
        .filter(|u| u.groups.iter().any(|g| key(g) == key(name)))
        .filter_map(|u| user_member(account, &u.name))
        .collect()
}

/// The subject `arn` names: a user, group or role of the account, or a
/// managed policy (the account's or AWS's).
fn subject(state: &State, call: &Call, arn: &str) -> AwsResult<Subject> {
    let account = state
        .account(&call.account)
        .ok_or_else(|| AwsError::no_such_entity(format!("{arn} cannot be found.")))?;
    if arn.contains(":policy/") {
        let document = crate::authorize::managed_document(state, &call.account, arn).ok_or_else(|| {
            AwsError::no_such_entity(format!("Policy {arn} does not exist or is not attachable."))
        })?;
        let attaches = |list: &Vec<String>| list.iter().any(|a| a == arn);
        let mut members: Vec<Member> = Vec::new();
        for user in account.users.values() {
            let via_group = user
                .groups
                .iter()
                .any(|g| account.groups.get(&key(g)).is_some_and(|g| attaches(&g.attached)));
            if attaches(&user.attached) || via_group {
                members.extend(user_member(account, &user.name));
            }
        }
        for role in account.roles.values().filter(|r| attaches(&r.attached)) {
            members.extend(role_member(account, &role.name));
        }
        return Ok(Subject {
            documents: vec![document],
            members,
        });
    }
    let (source, policies) = entity_of(state, call, arn)?;
    let name = arn.rsplit('/').next().unwrap_or_default();
    let members = match source {
        Source::User => user_member(account, name).into_iter().collect(),
        Source::Role => role_member(account, name).into_iter().collect(),
        Source::Group => group_members(account, name),
    };
    Ok(Subject {
        documents: policies.identity.into_iter().map(|p| p.document).collect(),
        members,
    })
}

/// Which member made the request `principal` names: a user by its ARN, a
/// role by any of its sessions (`arn:aws:sts::ACCT:assumed-role/NAME/…`).
fn member_of(members: &[Member], account: &str, principal: &str) -> Option<usize> {
    if let Some(i) = members.iter().position(|m| m.info.arn == principal) {
        return Some(i);
    }
    let session = principal.strip_prefix(&format!("arn:aws:sts::{account}:assumed-role/"))?;
    let role = key(session.split('/').next()?);
    members
        .iter()
        .position(|m| m.role.as_deref() == Some(role.as_str()))
}

/// Keeps the later of the access kept and `candidate`.
fn keep_later(kept: &mut Option<Access>, candidate: Access) {
    if kept.as_ref().is_none_or(|k| candidate.at > k.at) {
        *kept = Some(candidate);
    }
}

fn access(o: &Observation, entity: &str) -> Access {
    Access {
        at: o.time,
        entity: entity.to_string(),
        region: o.region.clone().unwrap_or_else(|| DEFAULT_REGION.to_string()),
    }
}

/// The subject's report: one line per service its documents grant.
fn services_of(call: &Call, subject: &Subject, action_level: bool) -> Vec<ServiceAccess> {
    let mut granted: Vec<&'static iam_evaluator::catalog::Service> = Vec::new();
    for document in &subject.documents {
        for service in services_granted(&document.parsed) {
            if !granted.iter().any(|s| s.prefix == service.prefix) {
                granted.push(service);
            }
        }
    }
    granted.sort_by_key(|s| s.prefix);
    let mut lines: BTreeMap<&str, ServiceAccess> = granted
        .iter()
        .map(|s| {
            let line = ServiceAccess {
                name: s.name.to_string(),
                namespace: s.prefix.to_string(),
                last_accessed: None,
                entities: subject.members.iter().map(|m| m.info.clone()).collect(),
                actions: Vec::new(),
                total_entities: 0,
            };
            (s.prefix, line)
        })
        .collect();
    call.ctx.shared.observed.with(|observations| {
        for o in observations {
            let Some(member) = member_of(&subject.members, &call.account, &o.principal) else {
                continue;
            };
            let Some((prefix, action)) = o.action.split_once(':') else {
                continue;
            };
            let Some(line) = lines.get_mut(prefix.to_ascii_lowercase().as_str()) else {
                continue;
            };
            let entity = &subject.members[member].info.arn;
            keep_later(&mut line.last_accessed, access(o, entity));
            let seen = &mut line.entities[member].at;
            *seen = Some(seen.map_or(o.time, |t| t.max(o.time)));
            if action_level && TRACKED_SERVICES.contains(&line.namespace.as_str()) {
                record_action(line, subject, &o.action, action, access(o, entity));
            }
        }
    });
    lines
        .into_values()
        .map(|mut line| {
            line.total_entities = line.entities.iter().filter(|e| e.at.is_some()).count();
            // Most recent first; never used last.
            line.entities.sort_by_key(|e| std::cmp::Reverse(e.at));
            line.actions.sort_by(|a, b| a.action.cmp(&b.action));
            line
        })
        .collect()
}

/// Keeps the last use of a tracked action the subject's policies allow.
fn record_action(line: &mut ServiceAccess, subject: &Subject, full: &str, action: &str, used: Access) {
    let allowed = subject.documents.iter().any(|d| {
        d.parsed
            .statements
            .iter()
            .any(|s| s.effect == Effect::Allow && iam_evaluator::statement::covers_action(s, full))
    });
    if !allowed {
        return;
    }
    let name = iam_evaluator::Catalog::get()
        .action(full)
        .map_or(action, |(_, a)| a.name);
    match line.actions.iter_mut().find(|a| a.action == name) {
        Some(existing) => keep_later(&mut existing.last, used),
        None => line.actions.push(ActionAccess {
            action: name.to_string(),
            last: Some(used),
        }),
    }
}

pub fn generate_service_last_accessed_details(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("Arn")?.to_string();
    let granularity = call
        .params
        .get("Granularity")
        .unwrap_or("SERVICE_LEVEL")
        .to_string();
    let subject = subject(state, call, &arn)?;
    let services = services_of(call, &subject, granularity == "ACTION_LEVEL");
    Ok(store_report(
        state,
        call,
        AccessReportKind::ServiceLastAccessed,
        arn,
        granularity,
        services,
    ))
}

/// Keeps a report, complete as soon as it is made (the emulator knows
/// every request it served), under a new job id; the reply naming it.
pub fn store_report(
    state: &mut State,
    call: &Call,
    kind: AccessReportKind,
    subject: String,
    granularity: String,
    services: Vec<ServiceAccess>,
) -> Xml {
    let now = call.ctx.shared.now();
    let report = AccessReport {
        kind,
        subject,
        granularity,
        created: now,
        completed: now,
        services,
    };
    let job = ids::request_id();
    state
        .account_mut(&call.account)
        .credentials
        .access_reports
        .insert(job.clone(), report);
    let mut x = Xml::default();
    x.elem("JobId", &job);
    x
}

// ---- reading a report ----

/// The account's report `JobId` of `kind`.
pub fn find_report<'s>(
    state: &'s State,
    call: &Call,
    kind: AccessReportKind,
) -> AwsResult<(&'s str, &'s AccessReport)> {
    let job = call.params.required("JobId")?;
    state
        .account(&call.account)
        .and_then(|a| a.credentials.access_reports.get_key_value(job))
        .filter(|(_, r)| r.kind == kind)
        .map(|(id, r)| (id.as_str(), r))
        .ok_or_else(|| AwsError::no_such_entity(format!("No report job with id {job} was found.")))
}

fn job_xml(x: &mut Xml, report: &AccessReport) {
    x.elem("JobStatus", "COMPLETED");
    x.elem("JobCreationDate", &ids::iso8601(report.created));
    x.elem("JobCompletionDate", &ids::iso8601(report.completed));
}

fn date(at: OffsetDateTime) -> String {
    ids::iso8601(at)
}

pub fn get_service_last_accessed_details(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let (_, report) = find_report(state, call, AccessReportKind::ServiceLastAccessed)?;
    let page = paginate(call.params, report.services.iter().collect())?;
    let mut x = Xml::default();
    job_xml(&mut x, report);
    x.elem("JobType", &report.granularity);
    x.with("ServicesLastAccessed", |x| {
        for line in &page.items {
            x.with("member", |x| service_xml(x, line, &report.granularity));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

fn service_xml(x: &mut Xml, line: &ServiceAccess, granularity: &str) {
    x.elem("ServiceName", &line.name);
    x.elem("ServiceNamespace", &line.namespace);
    if let Some(last) = &line.last_accessed {
        x.elem("LastAuthenticated", &date(last.at));
        x.elem("LastAuthenticatedEntity", &last.entity);
        x.elem("LastAuthenticatedRegion", &last.region);
        x.elem("TotalAuthenticatedEntities", &line.total_entities.to_string());
    }
    if granularity == "ACTION_LEVEL" && !line.actions.is_empty() {
        x.with("TrackedActionsLastAccessed", |x| {
            for action in &line.actions {
                x.with("member", |x| {
                    x.elem("ActionName", &action.action);
                    if let Some(last) = &action.last {
                        x.elem("LastAccessedEntity", &last.entity);
                        x.elem("LastAccessedTime", &date(last.at));
                        x.elem("LastAccessedRegion", &last.region);
                    }
                });
            }
        });
    }
}

pub fn get_service_last_accessed_details_with_entities(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let (_, report) = find_report(state, call, AccessReportKind::ServiceLastAccessed)?;
    let namespace = call.params.required("ServiceNamespace")?;
    let entities: Vec<&EntityAccess> = report
        .services
        .iter()
        .find(|s| s.namespace.eq_ignore_ascii_case(namespace))
        .map(|s| s.entities.iter().collect())
        .unwrap_or_default();
    let page = paginate(call.params, entities)?;
    let mut x = Xml::default();
    job_xml(&mut x, report);
    x.with("EntityDetailsList", |x| {
        for entity in &page.items {
            x.with("member", |x| {
                x.with("EntityInfo", |x| {
                    x.elem("Arn", &entity.arn);
                    x.elem("Name", &entity.name);
                    x.elem("Type", &entity.kind);
                    x.elem("Id", &entity.id);
                    x.elem("Path", &entity.path);
                });
                if let Some(at) = entity.at {
                    x.elem("LastAuthenticated", &date(at));
                }
            });
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

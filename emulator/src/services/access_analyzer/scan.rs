//! What an analyzer finds, computed from the state, and the reconciling of
//! that with the findings it keeps.
//!
//! External access (`ACCOUNT`, `ORGANIZATION`): every resource-based
//! policy of the zone of trust's resources — bucket policies (as they reach
//! callers outside the bucket owner's account, Block Public Access
//! applied: [`crate::authorize::effective_bucket_policy`]), bucket ACLs
//! (as decisions take them: [`crate::authorize::acl::bucket_acl`]) and
//! role trust policies — asked of the evaluator for the callers it lets in
//! from outside the zone ([`iam_evaluator::checks::external_grants`]).
//! Service principals are inside every zone. The zone is the analyzer's
//! account, or for `ORGANIZATION` analyzers its organization's accounts
//! ([`zone_of_trust`]), whose resources are all analyzed.
//!
//! Unused access (`…_UNUSED_ACCESS`): from the requests the emulator served
//! ([`crate::observations`]) and access keys' last use, roles and keys not
//! used within `unusedAccessAge` days (default 90) of their last use (or of
//! their creation), and, for the principals in use, the actions their
//! identity policies grant that were not used within that age.
//!
//! Reconciling: a stored finding that reports the same access (same
//! resource, same [`Access::identity`]) is kept, with its id and status; a
//! new access is a new `ACTIVE` finding, archived at once when an archive
//! rule matches it; a finding whose access is gone becomes `RESOLVED`.
//! This runs when Access Analyzer is asked about findings, never on the
//! request path of the resources' own services.

use super::filter::{self, Attributes};
use super::Call;
use crate::auth::Caller;
use crate::observations::Observation;
use crate::state::access_analyzer::{Access, AnalyzedResource, Analyzer, Finding, FindingStatus};
use crate::state::s3::Bucket;
use crate::state::{KeyOwner, State};
use iam_evaluator::checks::external_grants;
use iam_evaluator::policy::Statement;
use iam_evaluator::{Catalog, Effect, Policy, Principal, PrincipalKind};
use std::collections::{BTreeMap, BTreeSet};
use time::{Duration, OffsetDateTime};

/// One access found now, before it is matched with a stored finding.
#[derive(Debug, Clone)]
pub struct Found {
    pub resource: String,
    pub resource_type: String,
    pub owner: String,
    pub access: Access,
}

/// The accounts inside the analyzer's zone of trust: its account, or for
/// an `ORGANIZATION…` analyzer every account of the analyzer account's
/// organization, the management account included: such an analyzer
/// reports access from outside the organization (IAM User Guide, "Zone of
/// trust"). An analyzer whose account has since left its organization
/// falls back to its own account.
pub fn zone_of_trust(state: &State, analyzer: &Analyzer) -> BTreeSet<String> {
    let own = || BTreeSet::from([analyzer.account.clone()]);
    if !analyzer.kind.starts_with("ORGANIZATION") {
        return own();
    }
    state
        .organizations
        .org_of(&analyzer.account)
        .map_or_else(own, |org| org.accounts.keys().cloned().collect())
}

/// Is `caller` inside `zone`? AWS service principals are.
fn inside(zone: &BTreeSet<String>, caller: &Principal) -> bool {
    caller.kind == PrincipalKind::Service || caller.account.as_ref().is_some_and(|a| zone.contains(a))
}

/// The external access `policy` on `resource` gives callers outside `zone`.
pub fn policy_access(
    policy: &Policy,
    resource: &str,
    resource_type: &str,
    owner: &str,
    zone: &BTreeSet<String>,
    sources: &[&str],
) -> Vec<Found> {
    let mut merged: BTreeMap<String, Found> = BTreeMap::new();
    for grant in external_grants(policy, |c| inside(zone, c)) {
        let statement = &policy.statements[grant.statement];
        let anyone = grant
            .callers
            .iter()
            .any(|c| c.kind == PrincipalKind::Anonymous && c.canonical_user.is_none());
        let principals: BTreeSet<(String, String)> = if anyone {
            BTreeSet::from([("AWS".to_string(), "*".to_string())])
        } else {
            grant.callers.iter().map(|c| described(statement, c)).collect()
        };
        for (kind, name) in principals {
            let access = Access::ExternalAccess {
                principal: BTreeMap::from([(kind, name)]),
                action: actions(statement),
                condition: conditions(statement),
                is_public: grant.public,
                sources: sources.iter().map(ToString::to_string).collect(),
            };
            let key = access.identity();
            match merged.get_mut(&key) {
                Some(found) => merge_actions(&mut found.access, &access),
                None => {
                    merged.insert(
                        key,
                        Found {
                            resource: resource.to_string(),
                            resource_type: resource_type.to_string(),
                            owner: owner.to_string(),
                            access,
                        },
                    );
                }
            }
        }
    }
    merged.into_values().collect()
}

/// How a finding names a caller the statement lets in: the account when
/// the statement names the account, the role for a session of a role it
/// names, the provider, the canonical user, else the caller's ARN.
fn described(statement: &Statement, caller: &Principal) -> (String, String) {
    let empty = iam_evaluator::policy::PrincipalSet::default();
    let set = statement.principal.as_ref().map_or(&empty, |p| &p.items);
    if caller.kind == PrincipalKind::Federated {
        return ("Federated".into(), caller.arn.clone());
    }
    if let Some(id) = caller
        .canonical_user
        .as_ref()
        .filter(|id| set.canonical_user.contains(id))
    {
        return ("CanonicalUser".into(), id.clone());
    }
    let account = caller.account.clone().unwrap_or_default();
    let root = format!("arn:aws:iam::{account}:root");
    if set.aws.iter().any(|e| *e == account || *e == root) || caller.kind == PrincipalKind::Root {
        return ("AWS".into(), account);
    }
    if let PrincipalKind::AssumedRole { role_name, .. } = &caller.kind {
        let role = set.aws.iter().find(|e| {
            e.strip_prefix(&format!("arn:aws:iam::{account}:role/"))
                .is_some_and(|path| path.rsplit('/').next() == Some(role_name))
        });
        if let Some(role) = role {
            return ("AWS".into(), role.clone());
        }
    }
    ("AWS".into(), caller.arn.clone())
}

/// The statement's actions as written (`NotAction` grants all but some: `*`).
fn actions(statement: &Statement) -> Vec<String> {
    if statement.action.negated {
        return vec!["*".into()];
    }
    let set: BTreeSet<String> = statement.action.items.iter().cloned().collect();
    set.into_iter().collect()
}

/// The statement's condition keys and their values (`a, b` for several).
fn conditions(statement: &Statement) -> BTreeMap<String, String> {
    statement
        .conditions
        .iter()
        .map(|c| (c.key.clone(), c.values.join(", ")))
        .collect()
}

fn merge_actions(into: &mut Access, from: &Access) {
    if let (Access::ExternalAccess { action: a, .. }, Access::ExternalAccess { action: b, .. }) = (into, from)
    {
        let set: BTreeSet<String> = a.iter().chain(b).cloned().collect();
        *a = set.into_iter().collect();
    }
}

/// The bucket policy as it reaches callers outside the owner's account:
/// with RestrictPublicBuckets on and a public policy, none of its grants do.
fn bucket_policy_for_outsiders(bucket: &Bucket) -> Option<Policy> {
    crate::authorize::effective_bucket_policy(bucket, &Caller::anonymous())
        .into_iter()
        .next()
        .map(|named| (*named.policy).clone())
}

/// The external access of one bucket, as its policy would grant it.
pub fn bucket_access(bucket: &Bucket, zone: &BTreeSet<String>) -> Vec<Found> {
    let mut found = Vec::new();
    if let Some(policy) = bucket_policy_for_outsiders(bucket) {
        found.extend(policy_access(
            &policy,
            &bucket.arn(),
            "AWS::S3::Bucket",
            &bucket.owner,
            zone,
            &["POLICY"],
        ));
    }
    // The bucket ACL's grants as the evaluator takes them (none when
    // Object Ownership disables ACLs, public ones dropped under
    // `IgnorePublicAcls`), each as the statement a policy would need.
    if let Some(acl) = crate::authorize::acl::bucket_acl(bucket) {
        let policy = Policy {
            version: Some(iam_evaluator::Version::V2012_10_17),
            id: None,
            statements: acl.statements(),
        };
        found.extend(policy_access(
            &policy,
            &bucket.arn(),
            "AWS::S3::Bucket",
            &bucket.owner,
            zone,
            &["BUCKET_ACL"],
        ));
    }
    found
}

/// Every external access of the analyzer's zone, and the resources looked at.
fn external_access(state: &State, analyzer: &Analyzer) -> (Vec<Found>, Vec<(String, String, String)>) {
    let zone = zone_of_trust(state, analyzer);
    let mut found = Vec::new();
    let mut looked_at = Vec::new();
    for bucket in state.buckets.values() {
        if zone.contains(&bucket.owner) && bucket.region == analyzer.region {
            found.extend(bucket_access(bucket, &zone));
            looked_at.push((bucket.arn(), "AWS::S3::Bucket".into(), bucket.owner.clone()));
        }
    }
    for account in zone.iter().filter_map(|id| state.account(id)) {
        for role in account.roles.values() {
            found.extend(policy_access(
                &role.trust.parsed,
                &role.arn,
                "AWS::IAM::Role",
                &account.id,
                &zone,
                &[],
            ));
            looked_at.push((role.arn.clone(), "AWS::IAM::Role".into(), account.id.clone()));
        }
    }
    for ((account, region, _), stream) in state.kinesis.all() {
        if zone.contains(&account) && region == analyzer.region {
            if let Some(policy) = &stream.policy {
                found.extend(policy_access(
                    &policy.parsed,
                    &stream.arn,
                    "AWS::Kinesis::Stream",
                    &account,
                    &zone,
                    &["POLICY"],
                ));
            }
            looked_at.push((stream.arn.clone(), "AWS::Kinesis::Stream".into(), account));
        }
    }
    (found, looked_at)
}

/// `unusedAccessAge` in days (default 90).
fn unused_age(analyzer: &Analyzer) -> i64 {
    analyzer
        .configuration
        .as_ref()
        .and_then(|c| c.pointer("/unusedAccess/unusedAccessAge"))
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(90)
}

/// Is a principal of `account` with `tags` excluded by the analysis rule?
fn excluded(analyzer: &Analyzer, account: &str, tags: &[(String, String)]) -> bool {
    let exclusions = analyzer
        .configuration
        .as_ref()
        .and_then(|c| c.pointer("/unusedAccess/analysisRule/exclusions"))
        .and_then(serde_json::Value::as_array);
    exclusions.into_iter().flatten().any(|rule| {
        let accounts = rule.get("accountIds").and_then(serde_json::Value::as_array);
        let by_account = accounts.is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(account)));
        let tag_sets = rule.get("resourceTags").and_then(serde_json::Value::as_array);
        let by_tags = tag_sets.into_iter().flatten().any(|set| {
            set.as_object().is_some_and(|want| {
                !want.is_empty()
                    && want.iter().all(|(k, v)| {
                        tags.iter()
                            .any(|(tk, tv)| tk == k && Some(tv.as_str()) == v.as_str())
                    })
            })
        });
        by_account || by_tags
    })
}

/// When each principal was last active, and each (principal, action) last
/// allowed, from the observations; a role's sessions count as the role.
struct Activity {
    active: BTreeMap<String, OffsetDateTime>,
    allowed: BTreeMap<(String, String), OffsetDateTime>,
}

impl Activity {
    fn of(observations: &[Observation]) -> Activity {
        let mut active: BTreeMap<String, OffsetDateTime> = BTreeMap::new();
        let mut allowed: BTreeMap<(String, String), OffsetDateTime> = BTreeMap::new();
        for o in observations {
            let who = as_identity(&o.principal);
            let last = active.entry(who.clone()).or_insert(o.time);
            *last = (*last).max(o.time);
            if o.is_allowed() {
                let key = (who, canonical_action(&o.action));
                let last = allowed.entry(key).or_insert(o.time);
                *last = (*last).max(o.time);
            }
        }
        Activity { active, allowed }
    }
}

/// The IAM identity a caller ARN acts as: a role for its sessions.
fn as_identity(principal: &str) -> String {
    match Principal::from_arn(principal) {
        Ok(Principal {
            kind: PrincipalKind::AssumedRole { role_name, .. },
            account: Some(account),
            ..
        }) => format!("arn:aws:iam::{account}:role/{role_name}"),
        _ => principal.to_string(),
    }
}

/// `service:Action` in the catalog's spelling (lower-cased service).
fn canonical_action(action: &str) -> String {
    match Catalog::get().action(action) {
        Some((service, a)) => format!("{}:{}", service.prefix, a.name),
        None => action.to_string(),
    }
}

/// The actions the identity policies grant, by service (catalog spelling).
fn granted_actions(policies: &iam_evaluator::PolicySet) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for named in &policies.identity {
        for statement in named
            .policy
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
        {
            if statement.action.negated {
                continue;
            }
            for pattern in &statement.action.items {
                for (service, action) in Catalog::get().actions_matching(pattern) {
                    out.entry(service.prefix.to_string())
                        .or_default()
                        .insert(action.name.to_string());
                }
            }
        }
    }
    out
}

fn role_caller(account: &str, role: &str) -> Caller {
    let arn = format!("arn:aws:sts::{account}:assumed-role/{role}/iam-emulator-access-analyzer");
    let mut caller = Caller::anonymous();
    if let Ok(principal) = Principal::from_arn(&arn) {
        caller.account.clone_from(&principal.account);
        caller.principal = principal;
    }
    caller.owner = Some(KeyOwner::Session);
    caller
}

fn user_caller(account: &str, user: &crate::state::iam::User) -> Caller {
    let mut caller = Caller::anonymous();
    if let Ok(principal) = Principal::from_arn(&user.arn) {
        caller.account.clone_from(&principal.account);
        caller.principal = principal;
    }
    caller.owner = Some(KeyOwner::User {
        account: account.to_string(),
        user: user.name.clone(),
    });
    caller
}

/// The unused-permission findings of one principal.
fn unused_permissions(
    state: &State,
    caller: &Caller,
    identity: &str,
    activity: &Activity,
    since: OffsetDateTime,
) -> Vec<Access> {
    let granted = granted_actions(&crate::authorize::caller_policies(state, caller));
    let mut out = Vec::new();
    for (service, actions) in granted {
        let last_use = |action: &str| {
            activity
                .allowed
                .get(&(identity.to_string(), format!("{service}:{action}")))
                .copied()
        };
        let unused: Vec<(String, Option<OffsetDateTime>)> = actions
            .iter()
            .map(|a| (a.clone(), last_use(a)))
            .filter(|(_, last)| last.is_none_or(|t| t < since))
            .collect();
        if unused.is_empty() {
            continue;
        }
        let last_accessed = actions.iter().filter_map(|a| last_use(a)).max();
        out.push(Access::UnusedPermission {
            service_namespace: service,
            actions: unused,
            last_accessed,
        });
    }
    out
}

/// Every unused access of the analyzer's zone.
fn unused_access(
    state: &State,
    analyzer: &Analyzer,
    observations: &[Observation],
    now: OffsetDateTime,
) -> Vec<Found> {
    let since = now - Duration::days(unused_age(analyzer));
    let activity = Activity::of(observations);
    let mut found = Vec::new();
    let zone = zone_of_trust(state, analyzer);
    for account in zone.iter().filter_map(|id| state.account(id)) {
        for role in account.roles.values() {
            if excluded(analyzer, &account.id, &role.tags) {
                continue;
            }
            let last = activity.active.get(&role.arn).copied();
            let finding = |access| Found {
                resource: role.arn.clone(),
                resource_type: "AWS::IAM::Role".into(),
                owner: account.id.clone(),
                access,
            };
            if last.unwrap_or(role.created) < since {
                found.push(finding(Access::UnusedIAMRole { last_accessed: last }));
                continue;
            }
            let caller = role_caller(&account.id, &role.name);
            for access in unused_permissions(state, &caller, &role.arn, &activity, since) {
                found.push(finding(access));
            }
        }
        for user in account.users.values() {
            if excluded(analyzer, &account.id, &user.tags) {
                continue;
            }
            let finding = |access| Found {
                resource: user.arn.clone(),
                resource_type: "AWS::IAM::User".into(),
                owner: account.id.clone(),
                access,
            };
            for key in user.access_keys.iter().filter(|k| k.active) {
                let last = key.last_used.as_ref().map(|(at, _, _)| *at);
                if last.unwrap_or(key.created) < since {
                    found.push(finding(Access::UnusedIAMUserAccessKey {
                        access_key_id: key.id.clone(),
                        last_accessed: last,
                    }));
                }
            }
            // A console password counts from its last sign-in, or from
            // when it was set if it was never used.
            if let Some(profile) = &user.credentials.login_profile {
                let last = user.credentials.password_last_used;
                if last.unwrap_or(profile.created) < since {
                    found.push(finding(Access::UnusedIAMUserPassword { last_accessed: last }));
                }
            }
            if activity.active.contains_key(&user.arn) {
                let caller = user_caller(&account.id, user);
                for access in unused_permissions(state, &caller, &user.arn, &activity, since) {
                    found.push(finding(access));
                }
            }
        }
    }
    found
}

/// The attributes the filter keys see of a stored finding.
pub fn finding_attributes(finding: &Finding) -> Attributes {
    filter::attributes(
        &finding.id,
        &finding.resource,
        &finding.resource_type,
        &finding.resource_owner_account,
        finding.status.as_str(),
        &finding.access,
    )
}

/// What the analyzer `arn` finds now.
fn found_now(call: &Call, state: &State, analyzer: &Analyzer) -> (Vec<Found>, Vec<(String, String, String)>) {
    if analyzer.external_access() {
        external_access(state, analyzer)
    } else if analyzer.unused_access() {
        let observations = call.ctx.shared.observations();
        (
            unused_access(state, analyzer, &observations, call.now()),
            Vec::new(),
        )
    } else {
        (Vec::new(), Vec::new())
    }
}

/// Brings the findings of analyzer `arn` up to date with the state.
pub fn reconcile(call: &Call, state: &mut State, arn: &str) {
    let Some(analyzer) = state.access_analyzer.analyzers.get(arn) else {
        return;
    };
    let (found, looked_at) = found_now(call, state, analyzer);
    let mut next = analyzer.clone();
    if merge(&mut next, found, &looked_at, call.now()) {
        state.access_analyzer.analyzers.insert(arn.to_string(), next);
    }
}

/// Merges what is found now into the analyzer's findings and resources;
/// whether anything changed.
fn merge(
    analyzer: &mut Analyzer,
    found: Vec<Found>,
    looked_at: &[(String, String, String)],
    now: OffsetDateTime,
) -> bool {
    let mut changed = false;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for f in found {
        let identity = f.access.identity();
        let existing = analyzer.findings.values_mut().find(|x| {
            x.status != FindingStatus::Resolved && x.resource == f.resource && x.access.identity() == identity
        });
        if let Some(existing) = existing {
            if existing.access != f.access {
                existing.access = f.access;
                existing.updated = now;
                existing.analyzed = now;
                changed = true;
            }
            seen.insert(existing.id.clone());
            continue;
        }
        let id = crate::ids::request_id();
        let mut finding = Finding {
            id: id.clone(),
            resource: f.resource,
            resource_type: f.resource_type,
            resource_owner_account: f.owner,
            access: f.access,
            status: FindingStatus::Active,
            created: now,
            analyzed: now,
            updated: now,
        };
        let attributes = finding_attributes(&finding);
        if analyzer
            .archive_rules
            .values()
            .any(|rule| filter::matches(&rule.filter, &attributes))
        {
            finding.status = FindingStatus::Archived;
        }
        analyzer.findings.insert(id.clone(), finding);
        seen.insert(id);
        changed = true;
    }
    for finding in analyzer.findings.values_mut() {
        if finding.status != FindingStatus::Resolved && !seen.contains(&finding.id) {
            finding.status = FindingStatus::Resolved;
            finding.updated = now;
            finding.analyzed = now;
            changed = true;
        }
    }
    changed |= merge_resources(analyzer, looked_at, now);
    changed
}

/// Keeps one [`AnalyzedResource`] per resource looked at, summing up its
/// current findings.
fn merge_resources(
    analyzer: &mut Analyzer,
    looked_at: &[(String, String, String)],
    now: OffsetDateTime,
) -> bool {
    let mut changed = false;
    let arns: BTreeSet<&String> = looked_at.iter().map(|(arn, _, _)| arn).collect();
    let before = analyzer.resources.len();
    analyzer.resources.retain(|arn, _| arns.contains(arn));
    changed |= analyzer.resources.len() != before;
    for (arn, resource_type, owner) in looked_at {
        let current = analyzer
            .findings
            .values()
            .filter(|f| &f.resource == arn && f.status != FindingStatus::Resolved);
        let (mut is_public, mut actions, mut shared_via) = (false, BTreeSet::new(), BTreeSet::new());
        for finding in current {
            if let Access::ExternalAccess {
                action,
                is_public: public,
                sources,
                ..
            } = &finding.access
            {
                is_public |= *public;
                actions.extend(action.iter().cloned());
                shared_via.extend(sources.iter().cloned());
            }
        }
        let summary = AnalyzedResource {
            arn: arn.clone(),
            resource_type: resource_type.clone(),
            owner: owner.clone(),
            created: now,
            analyzed: now,
            updated: now,
            is_public,
            actions: actions.into_iter().collect(),
            shared_via: shared_via.into_iter().collect(),
        };
        match analyzer.resources.get_mut(arn) {
            Some(kept)
                if kept.is_public == summary.is_public
                    && kept.actions == summary.actions
                    && kept.shared_via == summary.shared_via => {}
            Some(kept) => {
                kept.is_public = summary.is_public;
                kept.actions = summary.actions;
                kept.shared_via = summary.shared_via;
                kept.updated = now;
                kept.analyzed = now;
                changed = true;
            }
            None => {
                analyzer.resources.insert(arn.clone(), summary);
                analyzer.last_analyzed = Some((arn.clone(), now));
                changed = true;
            }
        }
    }
    changed
}

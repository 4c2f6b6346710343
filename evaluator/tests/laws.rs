//! Algebraic laws of IAM policy evaluation, checked with proptest on random
//! policies and requests from a small universe (see `common`). Each law is
//! a sentence of the IAM User Guide or a consequence of one.

mod common;

use common::{
    recase, shuffle, Base, CallerKind, Cond, CtxValue, Hints, Pol, PrincipalElem, Req, Set, Stmt, ACTIONS,
};
use iam_evaluator::condition::{self, Operator};
use iam_evaluator::policy::Condition;
use iam_evaluator::statement::Mismatch;
use iam_evaluator::{
    evaluate, Acl, AclGrant, AclPermission, AclResource, Grantee, NamedPolicy, Outcome, Policy, PolicySet,
    Principal, Request, RequestContext, Rule,
};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::Config;

fn outcome(set: &Set, req: &Req) -> Outcome {
    evaluate(&req.to_request(), &set.to_policy_set()).outcome
}

fn show(set: &Set, req: &Req) -> String {
    format!(
        "request: {} {} on {} (account {:?}) context {:?}\npolicies: {}",
        req.caller.arn,
        req.action,
        req.resource,
        req.resource_account,
        req.context,
        set.to_json()
    )
}

/// Where a statement can be added: an existing policy (with whether it is
/// resource-based), or a new identity / resource policy.
fn add_statement(set: &mut Set, place: Index, position: Index, identity_stmt: &Stmt, resource_stmt: &Stmt) {
    let existing = set.policies_mut_typed().len();
    let choice = place.index(existing + 2);
    if choice == existing {
        set.identity.push(Pol {
            version: Some("2012-10-17"),
            statements: vec![identity_stmt.clone()],
        });
    } else if choice == existing + 1 {
        set.resource.push(Pol {
            version: Some("2012-10-17"),
            statements: vec![resource_stmt.clone()],
        });
    } else {
        let mut all = set.policies_mut_typed();
        let (policy, resource_policy) = &mut all[choice];
        let stmt = if *resource_policy {
            resource_stmt
        } else {
            identity_stmt
        };
        let at = position.index(policy.statements.len() + 1);
        policy.statements.insert(at, stmt.clone());
    }
}

/// Replaces each `${key}` / `${key, 'default'}` whose value is known and
/// holds no wildcard or `$` by that value; other variables stay.
fn write_out_variables(text: &str, req: &Req) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let variable = &rest[start..=start + len];
        let inner = variable[2..variable.len() - 1].trim();
        let (key, default) = match inner.split_once(',') {
            Some((k, d)) => (
                k.trim(),
                d.trim().strip_prefix('\'').and_then(|d| d.strip_suffix('\'')),
            ),
            None => (inner, None),
        };
        let value = match req.context.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            Some((_, CtxValue::Single(v))) => Some(v.as_str()),
            Some((_, CtxValue::Multi(_))) | None => default,
        };
        out.push_str(&rest[..start]);
        match value {
            Some(v) if !matches!(inner, "*" | "?" | "$") && !v.contains(['*', '?', '$']) => out.push_str(v),
            _ => out.push_str(variable),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

fn nth_statement(set: &mut Set, n: usize) -> &mut Stmt {
    set.policies_mut()
        .into_iter()
        .flat_map(|p| p.statements.iter_mut())
        .nth(n)
        .expect("statement index in range")
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// "An explicit deny in any of these policies overrides the allow."
    /// Generates a random policy set and request, then adds a `Deny` that
    /// names the request's action (on `*`, to everyone) to one policy type
    /// that applies to the caller: identity, boundary, session, resource,
    /// SCP or RCP.
    #[test]
    fn explicit_deny_always_wins((mut set, req) in common::case(), place in any::<Index>()) {
        let caller = req.caller;
        let deny = Stmt::exact(false, &req.action, false);
        let mut places: Vec<&str> = vec!["resource", "rcp"];
        if caller.has_identity_policies() {
            places.extend(["identity", "boundary"]);
        }
        if caller.is_session() {
            places.push("session");
        }
        if caller.kind != CallerKind::Anonymous {
            places.push("scp");
        }
        let deny_only = |stmt: Stmt| Pol { version: Some("2012-10-17"), statements: vec![stmt] };
        match *place.get(&places) {
            "resource" => set.resource.push(deny_only(Stmt::exact(false, &req.action, true))),
            "rcp" => match set.rcps.first_mut() {
                Some(level) => level.push(deny_only(deny)),
                None => set.rcps.push(vec![deny_only(deny)]),
            },
            "identity" => set.identity.push(deny_only(deny)),
            "boundary" => set.boundary.get_or_insert_with(|| deny_only(deny.clone())).statements.push(deny),
            "session" => set.session.push(deny_only(deny)),
            "scp" => match set.scps.last_mut() {
                Some(level) => level.push(deny_only(deny)),
                None => set.scps.push(vec![deny_only(deny)]),
            },
            _ => unreachable!(),
        }
        prop_assert_eq!(outcome(&set, &req), Outcome::ExplicitDeny, "{}", show(&set, &req));
    }

    /// "By default, all requests are implicitly denied" (root excepted):
    /// with every `Allow` statement removed nothing is allowed, and with no
    /// statement at all the answer is exactly implicitDeny.
    #[test]
    fn without_an_allow_the_answer_is_implicit_deny((mut set, req) in common::case()) {
        prop_assume!(req.caller.kind != CallerKind::Root);
        for policy in set.policies_mut() {
            policy.statements.retain(|s| !s.allow);
        }
        let d = evaluate(&req.to_request(), &set.to_policy_set());
        prop_assert_ne!(d.outcome, Outcome::Allowed, "{}", show(&set, &req));
        if d.outcome == Outcome::ExplicitDeny {
            prop_assert!(!d.deciding.is_empty());
        }
        for policy in set.policies_mut() {
            policy.statements.clear();
        }
        prop_assert_eq!(outcome(&set, &req), Outcome::ImplicitDeny, "{}", show(&set, &req));
    }

    /// Adding an `Allow` statement anywhere never turns allowed into denied
    /// (nor an explicit deny into anything else).
    #[test]
    fn adding_an_allow_never_denies(
        (set, req, identity_stmt, resource_stmt) in common::case_and_statements(),
        place in any::<Index>(),
        position in any::<Index>(),
    ) {
        let before = outcome(&set, &req);
        let mut more = set.clone();
        let allow = |s: &Stmt| Stmt { allow: true, ..s.clone() };
        add_statement(&mut more, place, position, &allow(&identity_stmt), &allow(&resource_stmt));
        let after = outcome(&more, &req);
        if before != Outcome::ImplicitDeny {
            prop_assert_eq!(after, before, "{}", show(&more, &req));
        }
    }

    /// Adding a `Deny` statement anywhere never turns denied into allowed
    /// (nor an explicit deny into an implicit one).
    #[test]
    fn adding_a_deny_never_allows(
        (set, req, identity_stmt, resource_stmt) in common::case_and_statements(),
        place in any::<Index>(),
        position in any::<Index>(),
    ) {
        let before = outcome(&set, &req);
        let mut more = set.clone();
        let deny = |s: &Stmt| Stmt { allow: false, ..s.clone() };
        add_statement(&mut more, place, position, &deny(&identity_stmt), &deny(&resource_stmt));
        let after = outcome(&more, &req);
        if before != Outcome::Allowed {
            prop_assert_ne!(after, Outcome::Allowed, "{}", show(&more, &req));
        }
        if before == Outcome::ExplicitDeny {
            prop_assert_eq!(after, Outcome::ExplicitDeny, "{}", show(&more, &req));
        }
    }

    /// Action names are case-insensitive: re-casing the request's action, or
    /// every `Action`/`NotAction` pattern, never changes the decision.
    #[test]
    fn action_case_never_matters((mut set, req) in common::case(), m1 in any::<u64>(), m2 in any::<u64>()) {
        let before = outcome(&set, &req);
        let recased_request = Req { action: recase(&req.action, m1), ..req.clone() };
        prop_assert_eq!(outcome(&set, &recased_request), before, "{}", show(&set, &recased_request));
        for policy in set.policies_mut() {
            for s in &mut policy.statements {
                for a in &mut s.actions {
                    *a = recase(a, m2);
                }
            }
        }
        prop_assert_eq!(outcome(&set, &req), before, "{}", show(&set, &req));
    }

    /// Order never matters: statements within a policy, conditions within
    /// a statement, policies within each list and SCP/RCP levels are shuffled.
    #[test]
    fn statement_order_never_matters((mut set, req) in common::case(), seed in any::<u64>()) {
        let before = outcome(&set, &req);
        let mut seed = seed | 1;
        for policy in set.policies_mut() {
            shuffle(&mut policy.statements, &mut seed);
            for s in &mut policy.statements {
                shuffle(&mut s.conditions, &mut seed);
                shuffle(&mut s.actions, &mut seed);
            }
        }
        shuffle(&mut set.identity, &mut seed);
        shuffle(&mut set.resource, &mut seed);
        shuffle(&mut set.session, &mut seed);
        for level in set.scps.iter_mut().chain(&mut set.rcps) {
            shuffle(level, &mut seed);
        }
        shuffle(&mut set.scps, &mut seed);
        shuffle(&mut set.rcps, &mut seed);
        prop_assert_eq!(outcome(&set, &req), before, "{}", show(&set, &req));
    }

    /// Over the closed universe of actions, `NotAction X` behaves like
    /// `Action (universe − X)` for every request drawn from the universe.
    /// X is each statement's exact action names (wildcards dropped).
    #[test]
    fn not_action_is_the_complement_of_action((set, req) in common::case()) {
        let mut negated = set.clone();
        let mut listed = set;
        for (n, l) in negated.policies_mut().into_iter().zip(listed.policies_mut()) {
            for (ns, ls) in n.statements.iter_mut().zip(&mut l.statements) {
                let excluded: Vec<String> = ns
                    .actions
                    .iter()
                    .filter(|a| ACTIONS.iter().any(|u| u.eq_ignore_ascii_case(a)))
                    .cloned()
                    .collect();
                let rest: Vec<String> = ACTIONS
                    .iter()
                    .filter(|u| !excluded.iter().any(|x| x.eq_ignore_ascii_case(u)))
                    .map(ToString::to_string)
                    .collect();
                ns.not_action = true;
                ns.actions = if excluded.is_empty() { vec!["none:Nothing".into()] } else { excluded };
                ls.not_action = false;
                ls.actions = if rest.is_empty() { vec!["none:Nothing".into()] } else { rest };
            }
        }
        prop_assert_eq!(outcome(&negated, &req), outcome(&listed, &req), "{}\nvs {}", show(&negated, &req), listed.to_json());
    }

    /// "`*` matches every action": any action text at all, even one that
    /// holds wildcards or is empty; `NotAction: *` matches none.
    #[test]
    fn star_matches_every_action(action in "\\PC{0,24}|[a-z0-9]{1,8}:[A-Za-z*?]{0,12}") {
        let alice = Principal::from_arn("arn:aws:iam::111111111111:user/alice").unwrap();
        let request = Request {
            principal: alice,
            action: action.clone(),
            resource: "*".into(),
            resource_account: None,
            context: RequestContext::new(),
        };
        let decide = |element: &str, effect: &str| {
            let json = format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","{element}":"*","Resource":"*"}}]}}"#);
            let set = PolicySet {
                identity: vec![NamedPolicy::new("p", Policy::parse(&json).unwrap())],
                ..PolicySet::default()
            };
            evaluate(&request, &set).outcome
        };
        prop_assert_eq!(decide("Action", "Allow"), Outcome::Allowed);
        prop_assert_eq!(decide("Action", "Deny"), Outcome::ExplicitDeny);
        prop_assert_eq!(decide("NotAction", "Allow"), Outcome::ImplicitDeny);
        prop_assert_eq!(decide("NotAction", "Deny"), Outcome::ImplicitDeny);
    }

    /// "…IfExists: if the condition key is not present, the condition
    /// evaluates to true": adding any IfExists clause on a key the request
    /// lacks never changes the decision, and the clause itself holds.
    #[test]
    fn if_exists_with_the_key_absent_is_true(
        (mut set, req) in common::case(),
        cond in common::condition(),
        which in any::<Index>(),
    ) {
        let cond = Cond {
            base: if cond.base == Base::Null { Base::StringEquals } else { cond.base },
            if_exists: true,
            ..cond
        };
        let req = req.without_key(&cond.key);
        let clause = Condition {
            operator: Operator::parse(&cond.operator_name()).expect("generated operators parse"),
            key: cond.key.clone(),
            values: cond.values.clone(),
        };
        let ctx = req.to_request().context;
        prop_assert!(condition::check(&clause, &ctx, true).is_ok(), "{} on {:?}", cond.operator_name(), ctx);

        let total: usize = set.policies_mut().iter().map(|p| p.statements.len()).sum();
        prop_assume!(total > 0);
        let n = which.index(total);
        // Same operator and key as written would be one JSON member: drop it.
        nth_statement(&mut set, n)
            .conditions
            .retain(|c| c.operator_name() != cond.operator_name() || c.key != cond.key);
        let before = outcome(&set, &req);
        nth_statement(&mut set, n).conditions.push(cond);
        prop_assert_eq!(outcome(&set, &req), before, "{}", show(&set, &req));
    }

    /// Condition key names are case-insensitive: re-casing every key in
    /// every condition never changes the decision. (Clauses whose operator
    /// and key differ only in case are first merged away, since re-casing
    /// would make them one JSON member.)
    #[test]
    fn condition_key_case_never_matters((mut set, req) in common::case(), mask in any::<u64>()) {
        for policy in set.policies_mut() {
            for s in &mut policy.statements {
                let mut seen: Vec<(String, String)> = Vec::new();
                s.conditions.retain(|c| {
                    let id = (c.operator_name(), c.key.to_ascii_lowercase());
                    let fresh = !seen.contains(&id);
                    seen.push(id);
                    fresh
                });
            }
        }
        let before = outcome(&set, &req);
        for policy in set.policies_mut() {
            for s in &mut policy.statements {
                for c in &mut s.conditions {
                    c.key = recase(&c.key, mask);
                }
            }
        }
        prop_assert_eq!(outcome(&set, &req), before, "{}", show(&set, &req));
    }

    /// "NotPrincipal … allows all principals *except* the one named": an
    /// `Allow` statement whose `NotPrincipal` names the caller (by its ARN,
    /// its role, its account or `*`), whatever else it lists, is never what
    /// allows it: added to any policy set, the decision is unchanged and the
    /// trace says the caller was excluded by `NotPrincipal`.
    #[test]
    fn an_allow_never_grants_a_caller_its_not_principal_names(
        (set, req, naming, others, at) in common::case().prop_flat_map(|(set, req)| {
            let hints = Hints::for_request(&req);
            (
                Just(set),
                Just(req),
                select(hints.principals.clone()),
                proptest::collection::vec(common::principal_elem(&hints), 0..=2),
                any::<Index>(),
            )
        }),
    ) {
        let mut entries: Vec<String> = others
            .into_iter()
            .flat_map(|e| match e {
                PrincipalElem::Star => vec!["*".to_string()],
                PrincipalElem::Aws(list) => list,
            })
            .collect();
        entries.insert(at.index(entries.len() + 1), naming);
        let statement = Stmt {
            allow: true,
            principal: Some(PrincipalElem::Aws(entries)),
            not_principal: true,
            not_action: false,
            actions: vec![req.action.clone()],
            resource: Some((false, vec!["*".into()])),
            conditions: Vec::new(),
        };
        let before = outcome(&set, &req);
        let mut policies = set.to_policy_set();
        let added = Pol { version: Some("2012-10-17"), statements: vec![statement] };
        policies.resource.push(added.named("not-principal"));
        let d = evaluate(&req.to_request(), &policies);
        let mut more = set.clone();
        more.resource.push(added);
        prop_assert_eq!(d.outcome, before, "{}", show(&more, &req));
        let trace = d.trace.iter().find(|t| &*t.name == "not-principal").expect("the added policy is evaluated");
        prop_assert_eq!(&trace.statements[0].result, &Err(Mismatch::NotPrincipal), "{}", show(&more, &req));
    }

    /// "No permissions are required to perform this operation … you can still
    /// perform this operation" (GetCallerIdentity; GetSessionToken likewise):
    /// whatever the policy set and the caller, these actions are allowed.
    #[test]
    fn an_action_that_needs_no_permission_is_always_allowed(
        (set, req) in common::case(),
        action in select(&["sts:GetCallerIdentity", "sts:GetSessionToken"][..]),
        mask in any::<u64>(),
    ) {
        let req = Req { action: recase(action, mask), ..req };
        let request = req.to_request();
        let d = evaluate(&request, &set.to_policy_set());
        // Except a federated user's GetSessionToken: "You cannot call any
        // STS operations except GetCallerIdentity" (GetFederationToken);
        // and any other session's: "You cannot call GetSessionToken with
        // session credentials" (a role session, or aws:TokenIssueTime
        // in the context, which only temporary credentials carry).
        let temporary = matches!(request.principal.kind, iam_evaluator::PrincipalKind::AssumedRole { .. })
            || request.context.get("aws:TokenIssueTime").is_some();
        if request.principal.kind == iam_evaluator::PrincipalKind::FederatedUser
            && action == "sts:GetSessionToken"
        {
            prop_assert_eq!(d.rule, Some(Rule::FederatedUserApiLimits));
            prop_assert_eq!(d.outcome, Outcome::ExplicitDeny, "{}", show(&set, &req));
        } else if temporary && action == "sts:GetSessionToken" {
            prop_assert_eq!(d.rule, Some(Rule::LongTermCredentialsOnly));
            prop_assert_eq!(d.outcome, Outcome::ExplicitDeny, "{}", show(&set, &req));
        } else {
            prop_assert_eq!(d.outcome, Outcome::Allowed, "{}", show(&set, &req));
            prop_assert_eq!(d.rule, Some(Rule::NeedsNoPermission));
        }
    }

    /// AWS-owned resources (AWS managed policies, service-linked and reserved
    /// roles, AWS managed key aliases) are never changed by a caller, however
    /// much its policies allow: `Allow *` added to every policy type that
    /// applies still decides a modifying action as denied.
    #[test]
    fn nobody_changes_an_aws_owned_resource(
        (mut set, req) in common::case(),
        (resource, action) in select(&[
            ("arn:aws:iam::aws:policy/ReadOnlyAccess", "iam:DeletePolicy"),
            ("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "iam:CreatePolicyVersion"),
            ("arn:aws:iam::aws:policy/ReadOnlyAccess", "iam:TagPolicy"),
            ("arn:aws:iam::111111111111:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2", "iam:DeleteRole"),
            ("arn:aws:iam::111111111111:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2", "iam:AttachRolePolicy"),
            ("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_A_1", "iam:PutRolePolicy"),
            ("arn:aws:kms:us-east-1:111111111111:alias/aws/s3", "kms:DeleteAlias"),
        ][..]),
    ) {
        let allow_all = Pol::full_access();
        let mut allow_all_resource = Pol::full_access();
        allow_all_resource.statements[0].principal = Some(PrincipalElem::Star);
        set.identity.push(allow_all.clone());
        set.resource.push(allow_all_resource);
        if let Some(boundary) = &mut set.boundary {
            boundary.statements.push(allow_all.statements[0].clone());
        }
        set.session.push(allow_all.clone());
        let req = Req { action: action.to_string(), resource: resource.to_string(), ..req };
        let request = req.to_request();
        let d = evaluate(&request, &set.to_policy_set());
        prop_assert_ne!(d.outcome, Outcome::Allowed, "{}", show(&set, &req));
        // A federated user may not call IAM at all, which decides first.
        let federated = request.principal.kind == iam_evaluator::PrincipalKind::FederatedUser
            && d.rule == Some(Rule::FederatedUserApiLimits);
        prop_assert!(federated || matches!(d.rule, Some(Rule::AwsOwnedResource { .. })), "{:?}", d.rule);
    }

    /// "the root principal in a bucket owner's … account can perform the
    /// GetBucketPolicy, PutBucketPolicy, and DeleteBucketPolicy API actions,
    /// even if their bucket policy explicitly denies the root principal's
    /// access": without Organizations policies, whatever the bucket policy.
    #[test]
    fn the_bucket_owners_root_always_manages_its_bucket_policy(
        (mut set, req) in common::case(),
        action in select(&["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"][..]),
    ) {
        set.scps.clear();
        set.rcps.clear();
        // The owner's root signs with its own keys: no session policy (an
        // AssumeRoot session is bounded by its task policy instead).
        set.session.clear();
        set.role_trust = false;
        let root = common::CALLERS.iter().find(|c| c.arn == "arn:aws:iam::111111111111:root").copied().unwrap();
        let req = Req {
            caller: root,
            action: action.to_string(),
            resource: "arn:aws:s3:::bucket".into(),
            resource_account: Some(common::ACCOUNT.into()),
            ..req
        };
        prop_assert_eq!(outcome(&set, &req), Outcome::Allowed, "{}", show(&set, &req));
    }

    /// `Principal` entries are alternatives: a statement whose `Principal`
    /// lists several entries decides like one statement per entry.
    #[test]
    fn principal_entries_split_across_statements_decide_the_same((set, req) in common::case()) {
        let mut split = set.clone();
        for policy in &mut split.resource {
            policy.statements = policy
                .statements
                .iter()
                .flat_map(|s| match &s.principal {
                    // `NotPrincipal` entries are not alternatives: each one narrows.
                    Some(PrincipalElem::Aws(entries)) if !s.not_principal => entries
                        .iter()
                        .map(|e| Stmt { principal: Some(PrincipalElem::Aws(vec![e.clone()])), ..s.clone() })
                        .collect(),
                    _ => vec![s.clone()],
                })
                .collect();
        }
        prop_assert_eq!(outcome(&split, &req), outcome(&set, &req), "{}\nsplit: {}", show(&set, &req), split.to_json());
    }

    /// A policy variable stands for its value: writing the value in place of
    /// a resolvable `${…}` (one without wildcards) never changes the decision
    /// (2012-10-17 policies, in `Resource` and string/ARN condition values).
    #[test]
    fn a_variable_decides_like_its_value_written_out((mut set, req) in common::case()) {
        let before = outcome(&set, &req);
        for policy in set.policies_mut() {
            if !policy.substitutes_variables() {
                continue;
            }
            for s in &mut policy.statements {
                if let Some((_, patterns)) = &mut s.resource {
                    for p in patterns.iter_mut() {
                        *p = write_out_variables(p, &req);
                    }
                }
                for c in &mut s.conditions {
                    if matches!(c.base, Base::StringEquals | Base::StringEqualsIgnoreCase | Base::StringLike | Base::ArnEquals | Base::ArnLike) {
                        for v in &mut c.values {
                            *v = write_out_variables(v, &req);
                        }
                    }
                }
            }
        }
        prop_assert_eq!(outcome(&set, &req), before, "{}", show(&set, &req));
    }

    /// A policy round-tripped through its JSON form (`to_json` →
    /// `from_json`) decides every request the same, and a second round trip
    /// is a fixed point.
    #[test]
    fn json_round_trip_decides_the_same((set, req) in common::case()) {
        let original = set.to_policy_set();
        let round = |p: &NamedPolicy| {
            let json = p.policy.to_json();
            let again = Policy::from_json(&json).expect("to_json output parses");
            assert_eq!(again.to_json(), json, "second round trip changes the JSON");
            assert_eq!(Policy::from_json(&again.to_json()).unwrap(), again);
            NamedPolicy::new(&p.name, again)
        };
        let tripped = PolicySet {
            identity: original.identity.iter().map(round).collect(),
            resource: original.resource.iter().map(round).collect(),
            boundary: original.boundary.as_ref().map(round),
            session: original.session.iter().map(round).collect(),
            scps: original.scps.iter().map(|l| l.iter().map(round).collect()).collect(),
            rcps: original.rcps.iter().map(|l| l.iter().map(round).collect()).collect(),
            role_trust: original.role_trust,
            acls: original.acls.clone(),
        };
        let request = req.to_request();
        prop_assert_eq!(
            evaluate(&request, &tripped).outcome,
            evaluate(&request, &original).outcome,
            "{}", show(&set, &req)
        );
    }
}

/// Random ACLs over the request's resource (as a bucket's or an object's,
/// with any grantee and permission), so grants often reach the request.
fn acls_for(req: &Req) -> impl Strategy<Value = Vec<Acl>> {
    let arn = req.resource.clone();
    let bucket_arn = arn.split('/').next().unwrap_or_default().to_string();
    let grantee = prop_oneof![
        Just(Grantee::AllUsers),
        Just(Grantee::AuthenticatedUsers),
        Just(Grantee::LogDelivery),
        Just(Grantee::Account(common::ACCOUNT.to_string())),
        Just(Grantee::Account(common::OTHER_ACCOUNT.to_string())),
    ];
    let grant = (grantee, select(AclPermission::ALL.to_vec()))
        .prop_map(|(grantee, permission)| AclGrant { grantee, permission });
    let acl = (any::<bool>(), proptest::collection::vec(grant, 0..4)).prop_map(move |(object, grants)| {
        let (on, arn) = if object {
            (AclResource::Object, arn.clone())
        } else {
            (AclResource::Bucket, bucket_arn.clone())
        };
        Acl {
            name: "ACL".into(),
            on,
            arn,
            grants,
        }
    });
    proptest::collection::vec(acl, 0..3)
}

proptest! {
    #![proptest_config(config(256))]

    /// S3 User Guide, "How Amazon S3 authorizes a request": ACL grants are
    /// resource-based permissions, so an explicit deny in any policy still
    /// wins over every grant, and a grant never turns an allow into a deny.
    #[test]
    fn an_explicit_deny_wins_over_every_acl_grant(
        ((set, req), acls) in common::case().prop_flat_map(|(set, req)| {
            let acls = acls_for(&req);
            (Just((set, req)), acls)
        }),
    ) {
        let request = req.to_request();
        let plain = evaluate(&request, &set.to_policy_set()).outcome;
        let with_acls = evaluate(&request, &PolicySet { acls, ..set.to_policy_set() });
        if plain == Outcome::ExplicitDeny || plain == Outcome::Allowed {
            prop_assert_eq!(with_acls.outcome, plain, "{}", show(&set, &req));
        }
        if with_acls.outcome == Outcome::Allowed && plain != Outcome::Allowed {
            prop_assert!(
                with_acls.deciding.iter().any(|s| s.policy_type == iam_evaluator::PolicyType::Acl),
                "{}", show(&set, &req)
            );
        }
    }

    /// With no grants (no ACL, or ACLs without grants), every decision is
    /// exactly as without ACLs.
    #[test]
    fn with_no_acl_grants_decisions_are_unchanged((set, req) in common::case(), on_object in any::<bool>()) {
        let request = req.to_request();
        let plain = evaluate(&request, &set.to_policy_set());
        let empty = Acl {
            name: "ACL".into(),
            on: if on_object { AclResource::Object } else { AclResource::Bucket },
            arn: req.resource.clone(),
            grants: Vec::new(),
        };
        let with_empty = evaluate(&request, &PolicySet { acls: vec![empty], ..set.to_policy_set() });
        prop_assert_eq!(with_empty.outcome, plain.outcome);
        prop_assert_eq!(with_empty.decided_by, plain.decided_by);
        prop_assert_eq!(with_empty.deciding, plain.deciding);
    }
}

fn decide_one(
    principal: &str,
    action: &str,
    resource: &str,
    policies: &PolicySet,
    context: &[(&str, &str)],
) -> Outcome {
    let mut ctx = RequestContext::new();
    for (k, v) in context {
        ctx.set(k, *v);
    }
    let request = Request {
        principal: Principal::from_arn(principal).unwrap(),
        action: action.into(),
        resource: resource.into(),
        resource_account: None,
        context: ctx,
    };
    evaluate(&request, policies).outcome
}

fn parsed(json: &str) -> NamedPolicy {
    NamedPolicy::new("p", Policy::parse(json).unwrap())
}

/// Minimal case of `a_variable_decides_like_its_value_written_out` (and of
/// the reference model): "You can use wildcard characters (* and ?) within
/// any ARN segment … If the * wildcard is the last character of a resource
/// ARN segment, it can expand to match beyond the colon boundaries." With
/// the user name written out the pattern matches; with `${aws:username}` it
/// must match too.
#[test]
fn variable_in_a_resource_part_with_colons_matches_like_its_value() {
    const STREAM: &str = "arn:aws:logs:us-east-1:111111111111:log-group:app:log-stream:alice";
    let allow = |resource: &str| PolicySet {
        identity: vec![parsed(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"logs:GetLogEvents","Resource":"{resource}"}}]}}"#
        ))],
        ..PolicySet::default()
    };
    let alice = "arn:aws:iam::111111111111:user/alice";
    let ctx = [("aws:username", "alice")];
    let written = decide_one(
        alice,
        "logs:GetLogEvents",
        STREAM,
        &allow("arn:aws:logs:*:*:*:log-stream:alice"),
        &ctx,
    );
    let variable = decide_one(
        alice,
        "logs:GetLogEvents",
        STREAM,
        &allow("arn:aws:logs:*:*:*:log-stream:${aws:username}"),
        &ctx,
    );
    assert_eq!(written, Outcome::Allowed);
    assert_eq!(variable, Outcome::Allowed);
}

/// Minimal case of `principal_entries_split_across_statements_decide_the_same`
/// (and of the reference model): a same-account role session, a bucket
/// policy granting `*`, and a session policy that does not allow the
/// action. Granted to `"*"` alone it is allowed; listing the role ARN too
/// (a second alternative in the same `Principal`) must not take that away.
#[test]
fn naming_the_role_beside_star_does_not_narrow_a_grant() {
    let session = "arn:aws:sts::111111111111:assumed-role/Reader/s1";
    let with = |principal: &str| PolicySet {
        resource: vec![parsed(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":{principal}}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/key"}}]}}"#
        ))],
        session: vec![parsed(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}"#,
        )],
        ..PolicySet::default()
    };
    let star = decide_one(
        session,
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        &with(r#""*""#),
        &[],
    );
    let both = decide_one(
        session,
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        &with(r#"["*","arn:aws:iam::111111111111:role/Reader"]"#),
        &[],
    );
    assert_eq!(star, Outcome::Allowed);
    assert_eq!(both, star);
}

//! A deliberately small, independent reference evaluator, written straight
//! from AWS's documentation (IAM User Guide, "Policy evaluation logic" and
//! its flowchart, "Cross-account policy evaluation logic", "IAM JSON policy
//! elements: Condition operators", "Variables and tags"), and a property
//! test that the crate agrees with it on random policies and requests.
//!
//! The model reads the generated policies as plain data (`common::Pol`) and
//! never calls the crate's matchers: it has its own recursive glob, its own
//! ARN field matching, its own condition operators, variables and decision
//! flow. Slow and simple on purpose.

mod common;

use common::{Base, Caller, CallerKind, Cond, CtxValue, Pol, PrincipalElem, Req, Set, SetOp, Stmt};
use iam_evaluator::{evaluate, Outcome};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeMap;

// ------------------------------------------------------------------- glob

/// One element of a pattern: a literal character or a wildcard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `*`: any run of characters, none included.
    Star,
    /// `?`: exactly one character.
    One,
}

/// Plain pattern text: every `*` and `?` is a wildcard.
fn tokens(pattern: &str) -> Vec<Tok> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// Recursive glob over whole strings.
fn glob(pattern: &[Tok], text: &[char], ignore_case: bool) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((Tok::Star, rest)) => (0..=text.len()).any(|skip| glob(rest, &text[skip..], ignore_case)),
        Some((Tok::One, rest)) => !text.is_empty() && glob(rest, &text[1..], ignore_case),
        Some((Tok::Lit(c), rest)) => {
            text.first().is_some_and(|t| {
                if ignore_case {
                    t.eq_ignore_ascii_case(c)
                } else {
                    t == c
                }
            }) && glob(rest, &text[1..], ignore_case)
        }
    }
}

fn glob_str(pattern: &[Tok], text: &str, ignore_case: bool) -> bool {
    let chars: Vec<char> = text.chars().collect();
    glob(pattern, &chars, ignore_case)
}

// -------------------------------------------------------------- variables

type Ctx = BTreeMap<String, CtxValue>;

fn lookup<'c>(ctx: &'c Ctx, key: &str) -> Option<&'c CtxValue> {
    ctx.get(&key.to_ascii_lowercase())
}

/// Substitutes `${…}` in policy text (2012-10-17 only): text outside a
/// variable keeps its wildcards, text a variable produces is literal;
/// `${*}`, `${?}`, `${$}` are the literal characters; `${key, 'default'}`;
/// a multi-valued or missing key without default → `None` (no match).
fn substitute(text: &str, ctx: &Ctx, enabled: bool) -> Option<Vec<Tok>> {
    if !enabled {
        return Some(tokens(text));
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.extend(tokens(&rest[..start]));
        let inner = rest[start + 2..start + len].trim();
        let value = if matches!(inner, "*" | "?" | "$") {
            inner.to_string()
        } else {
            let (key, default) = match inner.split_once(',') {
                Some((k, d)) => {
                    let d = d.trim();
                    let d = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\''));
                    (k.trim(), d)
                }
                None => (inner, None),
            };
            match (lookup(ctx, key), default) {
                (Some(CtxValue::Single(v)), _) => v.clone(),
                (_, Some(d)) => d.to_string(),
                _ => return None,
            }
        };
        out.extend(value.chars().map(Tok::Lit));
        rest = &rest[start + len + 1..];
    }
    out.extend(tokens(rest));
    Some(out)
}

// -------------------------------------------------------------------- ARNs

/// ARN matching: the pattern's first five colon-separated fields each match
/// one field of the ARN; the sixth (resource) field matches the rest of the
/// ARN, colons included. A pattern with fewer fields lets its last field
/// match the rest (so `*` alone matches anything).
fn arn_matches(pattern: &[Tok], arn: &str) -> bool {
    let mut pattern_fields: Vec<&[Tok]> = Vec::new();
    let mut rest = pattern;
    while pattern_fields.len() < 5 {
        match rest.iter().position(|t| *t == Tok::Lit(':')) {
            Some(i) => {
                pattern_fields.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => break,
        }
    }
    pattern_fields.push(rest);
    let arn_fields: Vec<&str> = arn.splitn(pattern_fields.len(), ':').collect();
    arn_fields.len() == pattern_fields.len()
        && pattern_fields
            .iter()
            .zip(&arn_fields)
            .all(|(p, a)| glob_str(p, a, false))
}

// -------------------------------------------------------------- conditions

fn ipv4(text: &str) -> Option<u32> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = 0u32;
    for p in parts {
        out = (out << 8) | u32::from(p.parse::<u8>().ok()?);
    }
    Some(out)
}

fn in_cidr(cidr: &str, ip: &str) -> bool {
    let Some(ip) = ipv4(ip) else { return false };
    let (net, bits) = match cidr.split_once('/') {
        Some((net, bits)) => (net, bits.parse::<u32>().ok()),
        None => (cidr, Some(32)),
    };
    match (ipv4(net), bits) {
        (Some(net), Some(bits)) if bits <= 32 => bits == 0 || (net >> (32 - bits)) == (ip >> (32 - bits)),
        _ => false,
    }
}

fn number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Does one request value match one policy value?
fn value_matches(base: Base, policy_value: &str, request_value: &str, ctx: &Ctx, vars: bool) -> bool {
    let takes_variables = matches!(
        base,
        Base::StringEquals
            | Base::StringEqualsIgnoreCase
            | Base::StringLike
            | Base::ArnEquals
            | Base::ArnLike
    );
    let Some(pattern) = substitute(policy_value, ctx, vars && takes_variables) else {
        return false; // An unresolved variable: this value does not match.
    };
    let as_text = || -> String {
        pattern
            .iter()
            .map(|t| match t {
                Tok::Lit(c) => *c,
                Tok::Star => '*',
                Tok::One => '?',
            })
            .collect()
    };
    let numbers = || number(request_value).zip(number(policy_value));
    match base {
        Base::StringEquals => as_text() == request_value,
        Base::StringEqualsIgnoreCase => as_text().eq_ignore_ascii_case(request_value),
        Base::StringLike => glob_str(&pattern, request_value, false),
        Base::NumericEquals => {
            numbers().is_some_and(|(r, p)| r.partial_cmp(&p) == Some(std::cmp::Ordering::Equal))
        }
        Base::NumericLessThan => numbers().is_some_and(|(r, p)| r < p),
        Base::NumericLessThanEquals => numbers().is_some_and(|(r, p)| r <= p),
        Base::NumericGreaterThan => numbers().is_some_and(|(r, p)| r > p),
        Base::NumericGreaterThanEquals => numbers().is_some_and(|(r, p)| r >= p),
        Base::Bool => policy_value.eq_ignore_ascii_case(request_value),
        Base::IpAddress => in_cidr(policy_value, request_value),
        Base::ArnEquals | Base::ArnLike => arn_matches(&pattern, request_value),
        Base::Null => unreachable!("Null is decided on presence"),
    }
}

fn condition_holds(c: &Cond, ctx: &Ctx, vars: bool) -> bool {
    let present = lookup(ctx, &c.key);
    if c.base == Base::Null {
        let absent = match present {
            None => true,
            Some(CtxValue::Multi(vs)) => vs.is_empty(),
            Some(CtxValue::Single(_)) => false,
        };
        return c.values.iter().any(|v| match v.to_ascii_lowercase().as_str() {
            "true" => absent,
            "false" => !absent,
            _ => false,
        });
    }
    let Some(present) = present else {
        // Missing key: IfExists → true; ForAllValues → true (vacuous);
        // ForAnyValue → false; plain positive → false, negated → true.
        return c.if_exists
            || match c.set {
                Some(SetOp::ForAllValues) => true,
                Some(SetOp::ForAnyValue) => false,
                None => c.negated,
            };
    };
    // Several policy values: OR; negated operators: NOR.
    let one = |request_value: &str| {
        let any = c
            .values
            .iter()
            .any(|pv| value_matches(c.base, pv, request_value, ctx, vars));
        any != c.negated
    };
    match (c.set, present) {
        // A single value is a one-element set for the set operators.
        (_, CtxValue::Single(v)) => one(v),
        (Some(SetOp::ForAllValues), CtxValue::Multi(vs)) => vs.iter().all(|v| one(v)),
        (Some(SetOp::ForAnyValue), CtxValue::Multi(vs)) => vs.iter().any(|v| one(v)),
        // A multi-valued key needs a set operator; without one, false.
        (None, CtxValue::Multi(_)) => false,
    }
}

// -------------------------------------------------------------- principals

/// How a resource policy's `Principal` names the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grant {
    /// `*`.
    Everyone,
    /// The caller's own ARN (or its account, for the root user).
    Direct,
    /// The role of the calling session.
    Role,
    /// The caller's account: delegation to the account's own policies.
    Account,
}

fn names(entry: &str, caller: &Caller) -> Option<Grant> {
    if entry == "*" {
        return Some(Grant::Everyone);
    }
    let account = caller.account?;
    if entry == account || entry == format!("arn:aws:iam::{account}:root") {
        return Some(if caller.kind == CallerKind::Root {
            Grant::Direct
        } else {
            Grant::Account
        });
    }
    if entry == caller.arn {
        return Some(Grant::Direct);
    }
    let role = caller.role?;
    let path = entry.strip_prefix(&format!("arn:aws:iam::{account}:role/"))?;
    (path.rsplit('/').next() == Some(role)).then_some(Grant::Role)
}

fn principal_grants(element: Option<&PrincipalElem>, caller: &Caller) -> Vec<Grant> {
    match element {
        None => Vec::new(), // A resource policy statement must name a principal.
        Some(PrincipalElem::Star) => vec![Grant::Everyone],
        Some(PrincipalElem::Aws(entries)) => entries.iter().filter_map(|e| names(e, caller)).collect(),
    }
}

/// `NotPrincipal` ("AWS JSON policy elements: NotPrincipal"): the statement
/// applies to everyone it does not exclude, as `*` would. With `Allow`
/// ("allows all principals *except* the one named") any way of naming the
/// caller excludes it. With `Deny` the caller escapes only when it is
/// listed as every identity it acts as: "include both the ARN for a role
/// and the ARN for the account containing that role"; and "The NotPrincipal
/// element with a Deny effect will always deny any IAM principal that has a
/// permissions boundary policy attached, regardless of the values specified".
fn not_principal_grants(stmt: &Stmt, caller: &Caller, caller_has_boundary: bool) -> Vec<Grant> {
    let Some(element) = stmt.principal.as_ref() else {
        return Vec::new();
    };
    let named = principal_grants(Some(element), caller);
    let excluded = if stmt.allow {
        !named.is_empty()
    } else if caller_has_boundary {
        false
    } else {
        match element {
            PrincipalElem::Star => true,
            PrincipalElem::Aws(entries) => {
                let listed = |entry: &str| entries.iter().any(|e| e == entry);
                let account_listed = caller
                    .account
                    .is_some_and(|a| listed(a) || listed(&format!("arn:aws:iam::{a}:root")));
                let role_listed = || named.contains(&Grant::Role);
                listed("*")
                    || match caller.kind {
                        CallerKind::Root | CallerKind::Anonymous => !named.is_empty(),
                        CallerKind::User | CallerKind::FederatedUser => listed(caller.arn) && account_listed,
                        CallerKind::Session => listed(caller.arn) && role_listed() && account_listed,
                    }
            }
        }
    };
    if excluded {
        Vec::new()
    } else {
        vec![Grant::Everyone]
    }
}

// -------------------------------------------------------------- statements

/// The grants with which `stmt` applies to the request (one element,
/// `Direct`, for non-resource policies); empty when it does not apply.
fn applies(stmt: &Stmt, policy: &Pol, req: &Req, ctx: &Ctx, resource_policy: Option<bool>) -> Vec<Grant> {
    let vars = policy.substitutes_variables();
    // Action: case-insensitive glob over `service:Name`, no variables.
    let action_hit = stmt
        .actions
        .iter()
        .any(|p| glob_str(&tokens(p), &req.action, true));
    if action_hit == stmt.not_action {
        return Vec::new();
    }
    if let Some((negated, patterns)) = &stmt.resource {
        let hit = patterns
            .iter()
            .any(|p| substitute(p, ctx, vars).is_some_and(|pattern| arn_matches(&pattern, &req.resource)));
        if hit == *negated {
            return Vec::new();
        }
    }
    let grants = match resource_policy {
        Some(caller_has_boundary) if stmt.not_principal => {
            not_principal_grants(stmt, &req.caller, caller_has_boundary)
        }
        Some(_) => principal_grants(stmt.principal.as_ref(), &req.caller),
        None => vec![Grant::Direct],
    };
    if grants.is_empty() || !stmt.conditions.iter().all(|c| condition_holds(c, ctx, vars)) {
        return Vec::new();
    }
    grants
}

/// What a group of policies says: any applicable Deny, and the grants of
/// the applicable Allows.
#[derive(Debug, Default)]
struct Said {
    deny: bool,
    allows: Vec<Grant>,
}

impl Said {
    fn allows(&self) -> bool {
        !self.allows.is_empty()
    }
}

/// `resource_policy`: `Some(caller has a permissions boundary)` for
/// resource-based policies, whose statements name principals.
fn group(policies: &[Pol], req: &Req, ctx: &Ctx, resource_policy: Option<bool>) -> Said {
    let mut said = Said::default();
    for policy in policies {
        for stmt in &policy.statements {
            let grants = applies(stmt, policy, req, ctx, resource_policy);
            if grants.is_empty() {
                continue;
            }
            if stmt.allow {
                said.allows.extend(grants);
            } else {
                said.deny = true;
            }
        }
    }
    said
}

// ---------------------------------------------------------------- decision

fn owning_account(req: &Req) -> Option<String> {
    if let Some(a) = &req.resource_account {
        return Some(a.clone());
    }
    let fields: Vec<&str> = req.resource.splitn(6, ':').collect();
    if fields.len() == 6 && fields[0] == "arn" && !fields[4].is_empty() {
        return Some(fields[4].to_string());
    }
    req.caller.account.map(str::to_string)
}

/// The AWS flowchart, step by step.
fn model(set: &Set, req: &Req) -> Outcome {
    let ctx: Ctx = req
        .context
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let caller = &req.caller;
    let has_identity = matches!(
        caller.kind,
        CallerKind::User | CallerKind::Session | CallerKind::FederatedUser
    );
    let is_session = matches!(caller.kind, CallerKind::Session | CallerKind::FederatedUser);
    let is_root = caller.kind == CallerKind::Root;
    // SCPs govern the organisation's principals; anonymous callers have none.
    let scps: Vec<Said> = if caller.kind == CallerKind::Anonymous {
        Vec::new()
    } else {
        set.scps.iter().map(|l| group(l, req, &ctx, None)).collect()
    };
    let rcps: Vec<Said> = set.rcps.iter().map(|l| group(l, req, &ctx, None)).collect();
    let resource = group(
        &set.resource,
        req,
        &ctx,
        Some(has_identity && set.boundary.is_some()),
    );
    // Root, anonymous: no identity policies and no boundary.
    let identity = has_identity.then(|| group(&set.identity, req, &ctx, None));
    let boundary = if has_identity {
        set.boundary
            .as_ref()
            .map(|b| group(std::slice::from_ref(b), req, &ctx, None))
    } else {
        None
    };
    // Session policies bound the session they were passed to. A federated
    // user's session without any has no permissions ("If you do not pass a
    // policy to this operation, then the resulting federated user session
    // has no permissions", GetFederationToken); a root caller with session
    // policies is an AssumeRoot session, bounded by its task policy.
    let bounded = is_session || is_root;
    let session = (bounded && (!set.session.is_empty() || caller.kind == CallerKind::FederatedUser))
        .then(|| group(&set.session, req, &ctx, None));

    // 1. An explicit Deny in any applicable policy.
    let all = scps
        .iter()
        .chain(&rcps)
        .chain([&resource])
        .chain(&identity)
        .chain(&boundary)
        .chain(&session);
    if all.into_iter().any(|s| s.deny) {
        return Outcome::ExplicitDeny;
    }
    // 2. Every RCP and SCP level must allow.
    if rcps.iter().chain(&scps).any(|level| !level.allows()) {
        return Outcome::ImplicitDeny;
    }
    // A role trust policy must itself allow the caller, even in the same
    // account ("IAM role trust policies and KMS key policies are exceptions").
    if set.role_trust && !resource.allows() {
        return Outcome::ImplicitDeny;
    }
    let limits_allow =
        boundary.as_ref().is_none_or(Said::allows) && session.as_ref().is_none_or(Said::allows);
    let grant = |g: Grant| resource.allows.contains(&g);
    let same_account = caller.account.is_some() && caller.account.map(str::to_string) == owning_account(req);

    if same_account {
        // 3. Resource-based policy, same account.
        if grant(Grant::Direct) || grant(Grant::Everyone) {
            return Outcome::Allowed;
        }
        if grant(Grant::Role) {
            return if limits_allow {
                Outcome::Allowed
            } else {
                Outcome::ImplicitDeny
            };
        }
        // Root has full access in its own account (an AssumeRoot session:
        // what its task policy allows).
        if is_root {
            return if limits_allow {
                Outcome::Allowed
            } else {
                Outcome::ImplicitDeny
            };
        }
        // 4-6. Identity policies, then boundary and session policies.
        let identity_allows = identity.as_ref().is_some_and(Said::allows);
        return if identity_allows && limits_allow {
            Outcome::Allowed
        } else {
            Outcome::ImplicitDeny
        };
    }
    if caller.kind == CallerKind::Anonymous {
        return if resource.allows() {
            Outcome::Allowed
        } else {
            Outcome::ImplicitDeny
        };
    }
    // Cross-account: the caller's side (identity, boundary, session; root
    // needs none) and the resource's side must both allow.
    let caller_side = (is_root || identity.as_ref().is_some_and(Said::allows)) && limits_allow;
    if caller_side && resource.allows() {
        Outcome::Allowed
    } else {
        Outcome::ImplicitDeny
    }
}

// ------------------------------------------------------------------- tests

fn describe(set: &Set, req: &Req) -> String {
    format!(
        "request: {} {} on {} (resource account {:?}), context {:?}\npolicies: {}",
        req.caller.arn,
        req.action,
        req.resource,
        req.resource_account,
        req.context,
        serde_json::to_string_pretty(&set.to_json()).unwrap()
    )
}

proptest! {
    #![proptest_config(Config { cases: 2000, failure_persistence: None, max_shrink_iters: 4096, ..Config::default() })]

    #[test]
    fn crate_agrees_with_the_reference_model((set, req) in common::case()) {
        let ours = evaluate(&req.to_request(), &set.to_policy_set()).outcome;
        let expected = model(&set, &req);
        prop_assert_eq!(ours, expected, "{}", describe(&set, &req));
    }
}

/// The generators must reach every outcome often, or agreement means little.
#[test]
fn generated_cases_reach_every_outcome() {
    let mut runner = TestRunner::deterministic();
    let strategy = common::case();
    let mut counts = BTreeMap::new();
    let total = 1000;
    for _ in 0..total {
        let (set, req) = strategy.new_tree(&mut runner).unwrap().current();
        *counts.entry(model(&set, &req).as_str()).or_insert(0) += 1;
    }
    for outcome in ["allowed", "explicitDeny", "implicitDeny"] {
        let n = counts.get(outcome).copied().unwrap_or(0);
        assert!(n * 10 >= total, "{outcome}: {n} of {total} ({counts:?})");
    }
}

/// The model's own matchers, on the documentation's examples.
#[test]
fn model_matchers_follow_the_documentation() {
    let arn = |p: &str, a: &str| arn_matches(&tokens(p), a);
    assert!(arn("*", "arn:aws:s3:::b/k"));
    assert!(arn("arn:aws:s3:::b/*", "arn:aws:s3:::b/k"));
    assert!(!arn("arn:aws:s3:::b/*", "arn:aws:s3:::b"));
    assert!(arn("arn:aws:s3:*", "arn:aws:s3:::b/k"));
    assert!(!arn("arn:aws:s3:*:b", "arn:aws:s3:::b"));
    assert!(arn(
        "arn:aws:logs:*:*:*:log-stream:x",
        "arn:aws:logs:r:1:log-group:g:log-stream:x"
    ));
    assert!(!arn("arn:aws:s3:::B/*", "arn:aws:s3:::b/k"));
    assert!(glob_str(&tokens("S3:get*"), "s3:GetObject", true));
    assert!(!glob_str(&tokens("s3:?GetObject"), "s3:GetObject", true));
    assert!(in_cidr("10.0.0.0/24", "10.0.0.1"));
    assert!(!in_cidr("10.0.0.0/24", "10.0.1.1"));
    assert!(in_cidr("0.0.0.0/0", "192.168.1.1"));
    let mut ctx = Ctx::new();
    ctx.insert("aws:username".into(), CtxValue::Single("a*".into()));
    let pattern = substitute("home/${AWS:UserName}/*", &ctx, true).unwrap();
    assert!(glob_str(&pattern, "home/a*/x", false));
    assert!(!glob_str(&pattern, "home/ab/x", false));
    assert!(substitute("${aws:TagKeys}", &ctx, true).is_none());
}

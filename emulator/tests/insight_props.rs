//! Properties of policy generation and of `who-can`:
//! - round trip: for random sets of requests, the generated policy passes
//!   ValidatePolicy with no ERROR, allows every recorded request when
//!   replayed through the evaluator, and (without generalisation) denies
//!   a random sample of requests that were not recorded;
//! - `who-can` agrees with asking the evaluator principal by principal,
//!   with policy sets the test assembles itself from random states.

use iam_emulator::insight::{self, generate, Generalise, Observation, Options, Verdict};
use iam_emulator::state::iam::{Document, Group, Role, User};
use iam_emulator::state::s3::Bucket;
use iam_emulator::state::State;
use iam_evaluator::validate::{validate_policy, FindingType, PolicyKind};
use iam_evaluator::{evaluate, Catalog, NamedPolicy, Policy, PolicySet, Principal, Request, RequestContext};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const ACCOUNT: &str = "123456789012";
const ALICE: &str = "arn:aws:iam::123456789012:user/alice";

/// Actions with the kind of resource each acts on.
const ACTIONS: &[(&str, Kind)] = &[
    ("s3:GetObject", Kind::Object),
    ("s3:PutObject", Kind::Object),
    ("s3:DeleteObject", Kind::Object),
    ("s3:ListBucket", Kind::Bucket),
    ("s3:GetBucketPolicy", Kind::Bucket),
    ("iam:GetUser", Kind::User),
    ("iam:CreateAccessKey", Kind::User),
    ("kinesis:PutRecord", Kind::Stream),
    ("sts:GetCallerIdentity", Kind::None),
    ("s3:ListAllMyBuckets", Kind::None),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object,
    Bucket,
    User,
    Stream,
    None,
}

fn resource(kind: Kind, bucket: &str, name: &str) -> String {
    match kind {
        Kind::Object => format!("arn:aws:s3:::{bucket}/{name}"),
        Kind::Bucket => format!("arn:aws:s3:::{bucket}"),
        Kind::User => format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        Kind::Stream => format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}"),
        Kind::None => "*".to_string(),
    }
}

/// One request: an action and its resource.
fn request_strategy() -> impl Strategy<Value = (String, String)> {
    let names = prop::sample::select(vec![
        "run-1/x",
        "run-2/y",
        "run-3/a/b",
        "k",
        "k*",
        "q?",
        "a$b",
        "logs/2024",
        "logs/2025",
    ]);
    let buckets = prop::sample::select(vec!["b1", "b2"]);
    (0..ACTIONS.len(), buckets, names).prop_map(|(i, bucket, name)| {
        let (action, kind) = ACTIONS[i];
        // Name-only resources (users, streams) take the last path part.
        let name = if matches!(kind, Kind::User | Kind::Stream) {
            name.rsplit('/')
                .next()
                .unwrap_or(name)
                .replace(['*', '?', '$'], "z")
        } else {
            name.to_string()
        };
        (action.to_string(), resource(kind, bucket, &name))
    })
}

fn observed(action: &str, resource: &str, decision: Verdict) -> Observation {
    Observation {
        time: iam_emulator::ids::now(),
        principal: ALICE.into(),
        action: action.into(),
        resource: resource.into(),
        resource_account: None,
        context: iam_emulator::observations::Context::default(),
        decision,
        region: None,
    }
}

/// The evaluator's answer for alice doing `action` on `resource` with
/// `policy` as her only identity policy.
fn replay(policy: &Policy, action: &str, resource: &str) -> bool {
    let principal = Principal::from_arn(ALICE).unwrap();
    let mut context = RequestContext::new();
    context.add_principal_keys(&principal);
    let request = Request {
        principal,
        action: action.into(),
        resource: resource.into(),
        resource_account: None,
        context,
    };
    let set = PolicySet {
        identity: vec![NamedPolicy::new("generated", policy.clone())],
        ..PolicySet::default()
    };
    evaluate(&request, &set).is_allowed()
}

fn wildcard_only(action: &str) -> bool {
    Catalog::get()
        .action(action)
        .is_some_and(|(_, a)| a.is_wildcard_only())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn generated_policies_allow_what_was_recorded_and_nothing_else(
        recorded in prop::collection::vec((request_strategy(), any::<bool>()), 1..25),
        unrecorded in prop::collection::vec(request_strategy(), 1..25),
        prefix in any::<bool>(),
    ) {
        let observations: Vec<Observation> = recorded
            .iter()
            .map(|((a, r), allowed)| {
                let verdict = if *allowed { Verdict::Allowed } else { Verdict::ImplicitDeny };
                observed(a, r, verdict)
            })
            .collect();
        let generalise = if prefix { Generalise::Prefix } else { Generalise::Exact };
        let options = Options { principal: ALICE.into(), since: None, until: None, generalise };
        let generated = generate(&observations, &options).unwrap();
        let text = generated.policy.to_text();
        let errors: Vec<_> = validate_policy(&text, PolicyKind::Identity, None)
            .into_iter()
            .filter(|f| f.finding_type == FindingType::Error)
            .collect();
        prop_assert!(errors.is_empty(), "{text}\n{errors:?}");
        let policy = Policy::parse(&text).unwrap();
        for ((action, resource), _) in &recorded {
            prop_assert!(replay(&policy, action, resource), "{action} on {resource} denied by\n{text}");
        }
        if prefix {
            return Ok(());
        }
        let seen: BTreeSet<&(String, String)> = recorded.iter().map(|(r, _)| r).collect();
        for pair in &unrecorded {
            let (action, resource) = pair;
            // A recorded action that supports only "*" is granted on everything;
            // an action that needs no permission (sts:GetCallerIdentity) is
            // allowed whatever the policy.
            let covered = seen.contains(pair)
                || (wildcard_only(action) && seen.iter().any(|(a, _)| a == action))
                || replay(&Policy::parse(r#"{"Statement":[]}"#).unwrap(), action, resource);
            if !covered {
                prop_assert!(!replay(&policy, action, resource), "{action} on {resource} allowed by\n{text}");
            }
        }
    }
}

// ---- who-can against the evaluator, principal by principal ----

fn doc(statements: &[(bool, &str, &str)], principal: Option<&str>) -> Document {
    let statements: Vec<serde_json::Value> = statements
        .iter()
        .map(|(allow, action, resource)| {
            let mut s = serde_json::json!({
                "Effect": if *allow { "Allow" } else { "Deny" },
                "Action": action,
                "Resource": resource,
            });
            if let Some(p) = principal {
                s["Principal"] = serde_json::json!({"AWS": p});
            }
            s
        })
        .collect();
    let text = serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    let parsed = Arc::new(Policy::parse(&text).unwrap());
    Document {
        text: text.into(),
        parsed,
    }
}

/// One random statement: effect, action pattern, resource pattern.
fn statement() -> impl Strategy<Value = (bool, &'static str, &'static str)> {
    (
        prop::bool::weighted(0.8),
        prop::sample::select(vec!["s3:GetObject", "s3:*", "s3:Get*", "iam:GetUser", "*"]),
        prop::sample::select(vec![
            "*",
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::other/*",
        ]),
    )
}

/// Effect (allow?), action pattern, resource pattern.
type Stmt = (bool, &'static str, &'static str);

#[derive(Debug, Clone)]
struct RandomState {
    users: Vec<(Vec<Stmt>, Option<usize>)>,
    groups: Vec<Vec<Stmt>>,
    roles: Vec<Vec<Stmt>>,
    bucket_policy: Option<(Vec<Stmt>, &'static str)>,
}

fn random_state() -> impl Strategy<Value = RandomState> {
    let stmts = || prop::collection::vec(statement(), 0..3);
    (
        prop::collection::vec((stmts(), prop::option::of(0..2usize)), 0..5),
        prop::collection::vec(stmts(), 2..=2),
        prop::collection::vec(stmts(), 0..3),
        prop::option::of((
            stmts(),
            prop::sample::select(vec![
                "*",
                "arn:aws:iam::123456789012:root",
                "arn:aws:iam::123456789012:user/u0",
                "210987654321",
            ]),
        )),
    )
        .prop_map(|(users, groups, roles, bucket_policy)| RandomState {
            users,
            groups,
            roles,
            bucket_policy,
        })
}

fn build(random: &RandomState) -> State {
    let mut state = State::new(Vec::new());
    let now = iam_emulator::ids::now();
    let account = state.account_mut(ACCOUNT);
    for (i, statements) in random.groups.iter().enumerate() {
        let name = format!("g{i}");
        let group = Group {
            arn: format!("arn:aws:iam::{ACCOUNT}:group/{name}"),
            id: format!("AGPA{i}"),
            path: "/".into(),
            created: now,
            inline: BTreeMap::from([("p".to_string(), doc(statements, None))]),
            attached: Vec::new(),
            name: name.clone(),
        };
        account.groups.insert(name, group);
    }
    for (i, (statements, group)) in random.users.iter().enumerate() {
        let name = format!("u{i}");
        let user = User {
            arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
            id: format!("AIDA{i}"),
            path: "/".into(),
            created: now,
            inline: BTreeMap::from([("p".to_string(), doc(statements, None))]),
            attached: Vec::new(),
            groups: group.map(|g| format!("g{g}")).into_iter().collect(),
            tags: Vec::new(),
            boundary: None,
            access_keys: Vec::new(),
            credentials: iam_emulator::state::credentials::UserCredentials::default(),
            name: name.clone(),
        };
        account.users.insert(name, user);
    }
    for (i, statements) in random.roles.iter().enumerate() {
        let name = format!("r{i}");
        let role = Role {
            arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            id: format!("AROA{i}"),
            path: "/".into(),
            created: now,
            trust: doc(&[(true, "sts:AssumeRole", "*")], Some("*")),
            description: None,
            max_session_duration: 3600,
            inline: BTreeMap::from([("p".to_string(), doc(statements, None))]),
            attached: Vec::new(),
            tags: Vec::new(),
            boundary: None,
            last_used: None,
            name: name.clone(),
        };
        account.roles.insert(name, role);
    }
    let mut bucket = Bucket::new("b", ACCOUNT, "us-east-1", now);
    // Block Public Access off: the bucket policy applies as written.
    bucket.public_access_block = None;
    bucket.policy = random
        .bucket_policy
        .as_ref()
        .map(|(statements, principal)| doc(statements, Some(principal)));
    state.buckets.insert("b".to_string(), bucket);
    state
}

/// The test's own policy sets: a user's inline policy and its groups',
/// a role's inline policy, nothing for roots and anonymous.
fn oracle(state: &State, random: &RandomState, action: &str, resource: &str) -> BTreeSet<String> {
    let account = state.account(ACCOUNT).unwrap();
    let inline = |docs: Vec<&Document>| -> Vec<NamedPolicy> {
        docs.into_iter()
            .map(|d| NamedPolicy {
                name: "p".into(),
                policy: d.parsed.clone(),
            })
            .collect()
    };
    let mut candidates: Vec<(String, Principal, Vec<NamedPolicy>)> = Vec::new();
    for user in account.users.values() {
        let mut docs: Vec<&Document> = user.inline.values().collect();
        for g in &user.groups {
            docs.extend(account.groups[g].inline.values());
        }
        candidates.push((
            user.arn.clone(),
            Principal::from_arn(&user.arn).unwrap(),
            inline(docs),
        ));
    }
    for role in account.roles.values() {
        let session = format!("arn:aws:sts::{ACCOUNT}:assumed-role/{}/s", role.name);
        candidates.push((
            role.arn.clone(),
            Principal::from_arn(&session).unwrap(),
            inline(role.inline.values().collect()),
        ));
    }
    let root = format!("arn:aws:iam::{ACCOUNT}:root");
    candidates.push((root.clone(), Principal::from_arn(&root).unwrap(), Vec::new()));
    candidates.push(("anonymous".into(), Principal::anonymous(), Vec::new()));
    let names_outsider = random
        .bucket_policy
        .as_ref()
        .is_some_and(|(_, p)| *p == "210987654321");
    if names_outsider && resource.starts_with("arn:aws:s3:::b") {
        let outside = "arn:aws:iam::210987654321:root".to_string();
        candidates.push((
            outside.clone(),
            Principal::from_arn(&outside).unwrap(),
            Vec::new(),
        ));
    }
    let bucket_policy: Vec<NamedPolicy> = state.buckets["b"]
        .policy
        .iter()
        .map(|d| NamedPolicy {
            name: "bucket policy".into(),
            policy: d.parsed.clone(),
        })
        .collect();
    candidates
        .into_iter()
        .filter(|(_, principal, identity)| {
            let mut context = RequestContext::new();
            context.add_principal_keys(principal);
            let request = Request {
                principal: principal.clone(),
                action: action.into(),
                resource: resource.into(),
                resource_account: resource
                    .starts_with("arn:aws:s3:::b")
                    .then(|| ACCOUNT.to_string()),
                context,
            };
            let set = PolicySet {
                identity: identity.clone(),
                resource: if resource.starts_with("arn:aws:s3:::b") {
                    bucket_policy.clone()
                } else {
                    Vec::new()
                },
                ..PolicySet::default()
            };
            evaluate(&request, &set).is_allowed()
        })
        .map(|(arn, _, _)| arn)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn who_can_agrees_with_asking_each_principal(
        random in random_state(),
        action in prop::sample::select(vec!["s3:GetObject", "s3:PutObject", "iam:GetUser"]),
        resource in prop::sample::select(vec![
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::other/k",
            "arn:aws:iam::123456789012:user/u0",
        ]),
    ) {
        let state = build(&random);
        let answer = insight::who_can::who_can(&state, action, resource);
        let got: BTreeSet<String> = answer.allowed.iter().map(|a| a.principal.clone()).collect();
        let want = oracle(&state, &random, action, resource);
        prop_assert_eq!(got, want);
        for allowed in &answer.allowed {
            let is_owner_root = allowed.principal.ends_with(":root") && allowed.granted_by.is_empty();
            prop_assert!(is_owner_root || !allowed.granted_by.is_empty(), "{allowed:?}");
        }
    }
}

#[test]
fn denied_observations_are_granted_and_explained() {
    let observations = [
        observed("s3:GetObject", "arn:aws:s3:::b/k", Verdict::ExplicitDeny),
        observed("s3:PutObject", "arn:aws:s3:::b/k", Verdict::Allowed),
    ];
    let options = Options {
        principal: ALICE.into(),
        ..Options::default()
    };
    let generated = generate(&observations, &options).unwrap();
    assert_eq!(
        generated.policy.statement[0].action,
        ["s3:GetObject", "s3:PutObject"]
    );
    let text: Vec<&str> = generated.explanations.iter().map(|e| e.text.as_str()).collect();
    assert!(text.iter().any(|t| t.contains("explicit Deny")), "{text:?}");
}

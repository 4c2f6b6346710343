//! Access Analyzer's custom policy checks ([`iam_evaluator::checks`]):
//! AWS's documented examples, and soundness against the evaluator itself —
//! whenever a check says PASS, no generated request contradicts it.
//!
//! What a policy grants is asked of [`evaluate`]: an identity policy as the
//! caller's only identity policy (same-account resource); a resource policy
//! as the resource's only policy, the caller from another account with an
//! identity policy allowing everything, so the resource policy alone
//! decides.

mod common;

use common::{Cond, Hints, Pol, Req, Stmt, ACTIONS, CALLERS, RESOURCES};
use iam_evaluator::checks::language::{self, Kind, Search, Variables, Vars};
use iam_evaluator::checks::{
    check_access_not_granted, check_no_new_access, check_no_public_access, Access, AccessCheckPolicyType,
    Verdict,
};
use iam_evaluator::{arn, evaluate, wildcard, Policy, PolicySet, Principal};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence, Index};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;

/// The resource owner in resource-policy cases: an account no policy names.
const OWNER: &str = "999999999999";

/// The share of cases (%) that must pass a check with a generated request
/// the policy grants to someone, for a soundness law to count as tested
/// (in a run of 512: about 19% for CheckAccessNotGranted, 24% for
/// CheckNoNewAccess, 7% for CheckNoPublicAccess).
const MIN_PROBE_PERCENT: u32 = 5;

fn parse(v: &serde_json::Value) -> Policy {
    Policy::from_json(v).expect("test policy parses")
}

fn allowed(policy: &Pol, kind: AccessCheckPolicyType, req: &Req) -> bool {
    let mut request = req.to_request();
    let set = match kind {
        AccessCheckPolicyType::Identity => {
            request.resource_account = req.caller.account.map(str::to_string);
            PolicySet {
                identity: vec![policy.named("checked")],
                ..PolicySet::default()
            }
        }
        AccessCheckPolicyType::Resource => {
            request.resource_account = Some(OWNER.into());
            PolicySet {
                identity: vec![Pol::full_access().named("everything")],
                resource: vec![policy.named("checked")],
                ..PolicySet::default()
            }
        }
    };
    evaluate(&request, &set).is_allowed()
}

/// Callers each kind of case is about.
fn fits(kind: AccessCheckPolicyType, req: &Req) -> bool {
    match kind {
        AccessCheckPolicyType::Identity => req.caller.has_identity_policies(),
        AccessCheckPolicyType::Resource => true,
    }
}

fn kind() -> impl Strategy<Value = AccessCheckPolicyType> {
    prop_oneof![
        Just(AccessCheckPolicyType::Identity),
        Just(AccessCheckPolicyType::Resource)
    ]
}

/// A policy derived from `old`: some statements kept, maybe a `Deny` or an
/// `Allow` added, maybe a condition added to a statement — or one drawn
/// afresh. Derived ones often grant no new access, so PASS is common.
fn derived(old: Pol, resource: bool) -> impl Strategy<Value = Pol> {
    let hints = Hints::none();
    let fresh = common::policy(resource, &hints).boxed();
    let edit = (
        vec(any::<bool>(), old.statements.len()),
        option::weighted(0.4, common::statement(resource, &hints)),
        option::weighted(0.2, common::statement(resource, &hints)),
        option::weighted(0.3, (any::<Index>(), common::condition())),
    )
        .prop_map(move |(keep, deny, allow, cond)| {
            let mut new = old.clone();
            let mut keep = keep.into_iter();
            new.statements.retain(|_| keep.next().unwrap_or(true));
            if let Some(deny) = deny {
                new.statements.push(Stmt { allow: false, ..deny });
            }
            if let Some(allow) = allow {
                new.statements.push(Stmt { allow: true, ..allow });
            }
            if let (Some((at, cond)), false) = (cond, new.statements.is_empty()) {
                let i = at.index(new.statements.len());
                add_condition(&mut new.statements[i], cond);
            }
            if new.statements.is_empty() {
                new.statements.clone_from(&old.statements);
            }
            new
        });
    prop_oneof![1 => fresh, 3 => edit]
}

/// A kind of policy, an existing policy and a new one derived from it.
fn old_and_new() -> impl Strategy<Value = (AccessCheckPolicyType, Pol, Pol)> {
    (kind(), common::policy(true, &Hints::none())).prop_flat_map(|(kind, old)| {
        let resource = kind == AccessCheckPolicyType::Resource;
        let old = for_kind(old, kind);
        (
            Just(kind),
            Just(old.clone()),
            derived(old, resource).prop_map(move |new| for_kind(new, kind)),
        )
    })
}

/// Identity policies carry no `Principal`.
fn for_kind(mut policy: Pol, kind: AccessCheckPolicyType) -> Pol {
    if kind == AccessCheckPolicyType::Identity {
        for s in &mut policy.statements {
            s.principal = None;
        }
    }
    policy
}

fn add_condition(stmt: &mut Stmt, cond: Cond) {
    let clash = stmt
        .conditions
        .iter()
        .any(|c| c.operator_name() == cond.operator_name() && c.key == cond.key);
    if !clash {
        stmt.conditions.push(cond);
    }
}

fn show(p: &Pol) -> String {
    p.to_json().to_string()
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// What one case of a soundness law did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// The check did not say PASS: the law has nothing to say.
    NotPassed,
    /// The check said PASS; `probed` when some generated request could
    /// have contradicted it (a request the policy grants to someone), so
    /// the law's assertion was really put to the test.
    Passed { probed: bool },
}

/// Runs `law` on `cases` values of `strategy()` in a thread with room for
/// proptest's deep value trees (the default test stack overflows on the
/// nested policy strategies in debug builds). At least `min_pass_percent`
/// of the cases must pass the check, and at least `min_probe_percent` must
/// pass with a request that probed it, or the law was never really tested.
fn soundness<S: Strategy + 'static>(
    cases: u32,
    (min_pass_percent, min_probe_percent): (u32, u32),
    strategy: fn() -> S,
    law: fn(S::Value) -> Result<Case, TestCaseError>,
) {
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    let worker = std::thread::Builder::new().stack_size(64 << 20).spawn(move || {
        let strategy = strategy();
        let mut runner = TestRunner::new(config(cases));
        let (passes, probes) = (AtomicU32::new(0), AtomicU32::new(0));
        let outcome = runner.run(&strategy, |value| {
            if let Case::Passed { probed } = law(value)? {
                passes.fetch_add(1, Relaxed);
                probes.fetch_add(u32::from(probed), Relaxed);
            }
            Ok(())
        });
        (
            outcome.map_err(|e| e.to_string()),
            passes.into_inner(),
            probes.into_inner(),
        )
    });
    let (outcome, passes, probes) = worker.expect("thread starts").join().expect("law thread ends");
    if let Err(e) = outcome {
        panic!("{e}");
    }
    // proptest may run a case more than once while shrinking; without a
    // failure it runs each exactly once.
    eprintln!("{passes} of {cases} cases passed the check, {probes} with a request that probed it");
    assert!(
        passes * 100 >= cases * min_pass_percent,
        "only {passes} of {cases} cases passed the check: the law was hardly exercised"
    );
    assert!(
        probes * 100 >= cases * min_probe_percent,
        "only {probes} of {cases} passing cases had a request the policy grants: the law was hardly exercised"
    );
}

/// CheckNoNewAccess PASS ⇒ no generated request allowed under the new
/// policy is denied under the existing one.
#[test]
fn no_new_access_pass_is_sound() {
    soundness(
        512,
        (20, MIN_PROBE_PERCENT),
        || (old_and_new(), vec(common::request(), 64)),
        |((kind, old, new), requests)| {
            let result = check_no_new_access(&old.to_policy(), &new.to_policy(), kind);
            if result.result != Verdict::Pass {
                return Ok(Case::NotPassed);
            }
            let mut probed = false;
            for req in requests.iter().filter(|r| fits(kind, r)) {
                let granted = allowed(&new, kind, req);
                probed |= granted;
                prop_assert!(
                    !granted || allowed(&old, kind, req),
                    "PASS, but the new policy allows {req:?} and the existing one does not\nexisting {}\nnew {}",
                    show(&old),
                    show(&new)
                );
            }
            Ok(Case::Passed { probed })
        },
    );
}

/// A policy, the access to ask about (actions, patterns and resources;
/// at least one), and requests.
fn access_cases() -> impl Strategy<Value = ((AccessCheckPolicyType, Pol), Access, Vec<Req>)> {
    let access = (
        subsequence(ACTIONS, 0..=2),
        subsequence(&["s3:Get*", "iam:*", "sqs:send*"][..], 0..=1),
        subsequence(RESOURCES, 0..=2),
    )
        .prop_map(|(actions, patterns, resources)| Access {
            actions: actions.into_iter().chain(patterns).map(str::to_string).collect(),
            resources: resources.into_iter().map(str::to_string).collect(),
        })
        .prop_filter("an action or a resource", |a| {
            !a.actions.is_empty() || !a.resources.is_empty()
        });
    let policy = kind().prop_flat_map(|kind| (Just(kind), common::policy(true, &Hints::none())));
    (policy, access, vec(common::request(), 64))
}

/// CheckAccessNotGranted PASS ⇒ no generated request for a listed action
/// (any resource), on a listed resource (any action), or both, is allowed.
#[test]
fn access_not_granted_pass_is_sound() {
    soundness(
        512,
        (20, MIN_PROBE_PERCENT),
        access_cases,
        |((kind, policy), access, requests)| {
            let policy = for_kind(policy, kind);
            if !check_access_not_granted(&policy.to_policy(), kind, &access).passed() {
                return Ok(Case::NotPassed);
            }
            // A probe: a request the policy grants (for an access not listed),
            // so the policy is not simply one that grants nothing.
            let probed = requests
                .iter()
                .any(|r| fits(kind, r) && allowed(&policy, kind, r));
            for req in requests.iter().filter(|r| fits(kind, r)) {
                let listed_action = access.actions.is_empty()
                    || access
                        .actions
                        .iter()
                        .any(|a| wildcard::matches(a, &req.action, true));
                let listed_resource = access.resources.is_empty()
                    || access.resources.iter().any(|r| arn::matches(r, &req.resource));
                if listed_action && listed_resource {
                    prop_assert!(
                        !allowed(&policy, kind, req),
                        "PASS, but {req:?} is allowed by {}",
                        show(&policy)
                    );
                }
            }
            Ok(Case::Passed { probed })
        },
    );
}

/// A resource policy, requests, and a caller no generated policy names.
fn public_cases() -> impl Strategy<Value = (Pol, Vec<Req>, &'static str)> {
    let strangers = select(
        &[
            "anonymous",
            "arn:aws:iam::333333333333:user/eve",
            "arn:aws:iam::333333333333:root",
            "arn:aws:sts::333333333333:assumed-role/Reader/s9",
        ][..],
    );
    (
        common::policy(true, &Hints::none()),
        vec(common::request(), 64),
        strangers,
    )
}

/// CheckNoPublicAccess PASS ⇒ no caller from an account the policy does not
/// name (nor an anonymous one) is allowed by it, when the request carries
/// none of the keys that can limit a grant to fixed values.
#[test]
fn no_public_access_pass_is_sound() {
    // 1024 cases: about 7 % of them probe the law (measured 29 to 46 of
    // 512 over 21 runs), so 512 fell under the 5 % floor about once in a
    // hundred runs; at 1024 the floor is five standard deviations away.
    soundness(
        1024,
        (20, MIN_PROBE_PERCENT),
        public_cases,
        |(policy, requests, stranger)| {
            if !check_no_public_access(&policy.to_policy(), "AWS::S3::Bucket").passed() {
                return Ok(Case::NotPassed);
            }
            let set = PolicySet {
                identity: vec![Pol::full_access().named("everything")],
                resource: vec![policy.named("checked")],
                ..PolicySet::default()
            };
            // A probe: the policy grants the request to its own caller, so the
            // stranger's denial below is about who asks, not what is asked.
            let probed = requests
                .iter()
                .any(|r| allowed(&policy, AccessCheckPolicyType::Resource, r));
            for mut req in requests {
                req.context.retain(|(k, _)| {
                    !k.eq_ignore_ascii_case(common::K_SOURCE_IP)
                        && !k.eq_ignore_ascii_case(common::K_SOURCE_ARN)
                });
                let mut request = req.to_request();
                request.principal = if stranger == "anonymous" {
                    Principal::anonymous()
                } else {
                    Principal::from_arn(stranger).expect("stranger ARNs parse")
                };
                request.resource_account = Some(OWNER.into());
                prop_assert!(
                    !evaluate(&request, &set).is_allowed(),
                    "PASS, but {stranger} may {} {} under {}",
                    req.action,
                    req.resource,
                    show(&policy)
                );
            }
            Ok(Case::Passed { probed })
        },
    );
}

proptest! {
    #![proptest_config(config(512))]

    /// Keeping some allows and adding denies grants nothing new: the check
    /// must not cry wolf on the easy cases (it would be sound, but useless).
    #[test]
    fn no_new_access_passes_when_only_narrowed(
        kind in kind(),
        old in common::policy(true, &Hints::none()),
        keep in vec(any::<bool>(), 3),
        deny in common::statement(true, &Hints::none()),
    ) {
        let old = for_kind(old, kind);
        let mut new = old.clone();
        let mut keep = keep.into_iter();
        new.statements.retain(|s| !s.allow || keep.next().unwrap_or(true));
        new.statements.push(Stmt { allow: false, ..deny });
        let new = for_kind(new, kind);
        let result = check_no_new_access(&old.to_policy(), &new.to_policy(), kind);
        prop_assert_eq!(result.result, Verdict::Pass, "{:?}\nexisting {}\nnew {}", result, show(&old), show(&new));
    }

    /// The pattern engine against the evaluator's matchers: "within" and
    /// "disjoint" answers hold for every generated string, and every
    /// escaping string it finds is a real one.
    #[test]
    fn pattern_answers_agree_with_the_matchers(
        p in "[ab:/*?]{0,6}",
        q in "[ab:/*?]{0,6}",
        words in vec("[ab:/c]{0,8}", 48),
        arn_kind in any::<bool>(),
    ) {
        let kind = if arn_kind { Kind::Arn } else { Kind::Action };
        let matches = |pattern: &str, word: &str| if arn_kind {
            arn::matches(pattern, word)
        } else {
            wildcard::matches(pattern, word, true)
        };
        let mut table = Variables::default();
        let gp = language::compile(&p, kind, false, Vars::Symbols, &mut table);
        let gq = language::compile(&q, kind, false, Vars::Symbols, &mut table);
        match language::escape(&gp, std::slice::from_ref(&gq)) {
            Search::None => {
                for w in &words {
                    prop_assert!(!matches(&p, w) || matches(&q, w), "{p} said within {q}, but {w:?}");
                }
            }
            Search::Found(w) => prop_assert!(matches(&p, &w) && !matches(&q, &w), "{w:?} does not escape {q} from {p}"),
            Search::GaveUp => {}
        }
        match language::meeting(&gp, &gq) {
            Search::None => {
                for w in &words {
                    prop_assert!(!(matches(&p, w) && matches(&q, w)), "{p} and {q} said disjoint, but {w:?}");
                }
            }
            Search::Found(w) => prop_assert!(matches(&p, &w) && matches(&q, &w), "{w:?} is not in both {p} and {q}"),
            Search::GaveUp => {}
        }
    }
}

// ------------------------------------------------------------ AWS's examples

/// AWS SDK example "Failing check. S3 Bucket policy with public access"
/// (CheckNoPublicAccess): reason "Public access granted in the following
/// statement with sid: Bob.", statementId Bob, statementIndex 0.
#[test]
fn public_bucket_policy_fails_with_its_statement() {
    let public = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Bob", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"]}]}));
    let result = check_no_public_access(&public, "AWS::S3::Bucket");
    assert_eq!(
        result.to_json(),
        json!({
            "result": "FAIL",
            "message": "The resource policy grants public access for the given resource type.",
            "reasons": [{
                "description": "Public access granted in the following statement with sid: Bob.",
                "statementIndex": 0,
                "statementId": "Bob"
            }]
        })
    );
    let private = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Bob", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/JohnDoe"},
         "Action": ["s3:GetObject"]}]}));
    assert_eq!(
        check_no_public_access(&private, "AWS::S3::Bucket").to_json(),
        json!({"result": "PASS", "message": "The resource policy does not grant public access for the given resource type."})
    );
}

/// A public grant a `Deny` to everyone takes back is not public access.
#[test]
fn a_deny_can_take_a_public_grant_back() {
    let policy = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}));
    assert!(check_no_public_access(&policy, "AWS::S3::Bucket").passed());
}

/// AWS SDK examples for CheckAccessNotGranted (JohnDoe's bucket policy).
#[test]
fn access_not_granted_examples() {
    let policy = |action: &str, resource: &str| {
        parse(
            &json!({"Version": "2012-10-17", "Id": "123", "Statement": [{"Sid": "AllowJohnDoe",
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/JohnDoe"},
            "Action": action, "Resource": resource}]}),
        )
    };
    let resource = AccessCheckPolicyType::Resource;
    let actions = |a: &[&str]| Access {
        actions: a.iter().map(ToString::to_string).collect(),
        resources: Vec::new(),
    };
    let resources = |r: &[&str]| Access {
        actions: Vec::new(),
        resources: r.iter().map(ToString::to_string).collect(),
    };
    let pass = json!({"result": "PASS",
        "message": "The policy document does not grant access to perform the listed actions or resources."});
    assert_eq!(
        check_access_not_granted(
            &policy("s3:GetObject", "*"),
            resource,
            &actions(&["s3:PutObject"])
        )
        .to_json(),
        pass
    );
    assert_eq!(
        check_access_not_granted(
            &policy("s3:PutObject", "arn:aws:s3:::non-sensitive-bucket/*"),
            resource,
            &resources(&["arn:aws:s3:::sensitive-bucket/*"])
        )
        .to_json(),
        pass
    );
    assert_eq!(
        check_access_not_granted(
            &policy("s3:PutObject", "arn:aws:s3:::my-bucket/*"),
            resource,
            &resources(&["arn:aws:s3:::my-bucket/*"])
        )
        .to_json(),
        json!({"result": "FAIL",
            "message": "The policy document grants access to perform one or more of the listed actions or resources.",
            "reasons": [{"description": "One or more of the listed actions or resources in the statement with sid: AllowJohnDoe.",
                "statementIndex": 0, "statementId": "AllowJohnDoe"}]})
    );
    // A wildcard grant holds the listed action: `s3:*` grants s3:DeleteBucket.
    let broad = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}));
    let identity = AccessCheckPolicyType::Identity;
    let result = check_access_not_granted(&broad, identity, &actions(&["s3:DeleteBucket"]));
    assert_eq!(
        result.reasons[0].description,
        "One or more of the listed actions or resources in the statement with index: 0."
    );
    // NotAction grants everything else; a Deny of the listed action takes it back.
    let not_action = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}));
    assert!(check_access_not_granted(&not_action, identity, &actions(&["iam:CreateUser"])).passed());
    assert!(check_access_not_granted(&not_action, identity, &actions(&["s3:DeleteBucket"])).passed());
    assert!(!check_access_not_granted(&not_action, identity, &actions(&["s3:GetObject"])).passed());
}

/// The AWS security blog's example: the new policy drops a condition key,
/// so it "grants new access" (reason: the statement, by index).
#[test]
fn dropping_a_condition_is_new_access_adding_one_is_not() {
    let with_condition = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}));
    let without = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}));
    let identity = AccessCheckPolicyType::Identity;
    assert_eq!(
        check_no_new_access(&with_condition, &without, identity).to_json(),
        json!({"result": "FAIL",
            "message": "The modified permissions grant new access compared to your existing policy.",
            "reasons": [{"description": "New access in the statement with index: 1.", "statementIndex": 1}]})
    );
    assert!(check_no_new_access(&without, &with_condition, identity).passed());
}

/// Semantics, not text: merging, splitting and re-casing patterns grant the
/// same; removing a Deny or widening a principal grants more.
#[test]
fn no_new_access_compares_meaning() {
    let identity = AccessCheckPolicyType::Identity;
    let split = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]}));
    let merged = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Both", "Effect": "Allow", "Action": ["S3:putobject", "s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]}));
    assert!(check_no_new_access(&split, &merged, identity).passed());
    assert!(check_no_new_access(&merged, &split, identity).passed());
    let wider = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Wide", "Effect": "Allow", "Action": "s3:*Object", "Resource": "arn:aws:s3:::b/*"}]}));
    let r = check_no_new_access(&merged, &wider, identity);
    assert_eq!(
        r.reasons[0].description,
        "New access in the statement with sid: Wide."
    );
    let guarded = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}));
    let open = parse(&json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}));
    assert!(!check_no_new_access(&guarded, &open, identity).passed());
    let resource = AccessCheckPolicyType::Resource;
    let trust = |principal: serde_json::Value| {
        parse(&json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}))
    };
    let one_role = trust(json!({"AWS": "arn:aws:iam::111111111111:role/ci"}));
    let account = trust(json!({"AWS": "111111111111"}));
    assert!(check_no_new_access(&account, &one_role, resource).passed());
    assert!(!check_no_new_access(&one_role, &account, resource).passed());
    assert!(!check_no_new_access(&account, &trust(json!("*")), resource).passed());
}

/// CALLERS is shared with the other suites; these checks assume it holds a
/// caller of every kind that has identity policies.
#[test]
fn the_universe_has_identity_callers() {
    assert!(CALLERS.iter().any(common::Caller::has_identity_policies));
}

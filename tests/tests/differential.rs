//! Differential test: our evaluator against an outside oracle,
//! `@cloud-copilot/iam-simulate` (AGPL; installed at test time by `.ci/run`
//! into `$IAM_SIMULATE_DIR`, never vendored), driven through
//! `tests/oracle/simulate.mjs`.
//!
//! A fixed-seed generator builds a few thousand random requests with
//! identity policies, resource policies, permissions boundaries, session
//! policies, SCPs, RCPs and request context. Both sides decide each one;
//! every disagreement must be explained by an entry of
//! `tests/known-differences.md` (where AWS's documentation says we are
//! right), otherwise the test fails and prints the cases.
//!
//! Without `IAM_SIMULATE_DIR` the test prints a notice and passes, unless
//! `CI` is set, where it fails. `DIFFERENTIAL_SEED`, `DIFFERENTIAL_CASES` and
//! `DIFFERENTIAL_SHOW` explore other seeds, more cases, more failures shown.
//!
//! The generator keeps to what the oracle accepts (real action/resource
//! pairs, global `aws:*` keys, session policies only for sessions, no
//! identity-side policies for anonymous callers, RCPs as AWS requires them).
//! It includes variables before the fifth colon of a `Resource` ARN and KMS
//! keys whose key policy does not name the caller: two places where this
//! test once found the evaluator departing from AWS's documentation.

use iam_evaluator::{
    evaluate, Decision, NamedPolicy, Outcome, Policy, PolicySet, Principal, Request, RequestContext,
};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const SEED: u64 = 0x1a3_2012_1017_5eed;
const CASES: usize = 3000;
/// The test fails if the oracle could not decide more than this share (%).
const MAX_SKIPPED_PERCENT: usize = 15;
/// Each outcome (allowed, explicit deny, implicit deny) must be at least
/// this share of the compared cases.
const MIN_OUTCOME_PERCENT: usize = 20;
/// How many unexplained disagreements are printed in full (env `DIFFERENTIAL_SHOW` overrides).
const SHOW: usize = 10;

const HOME: &str = "111111111111";
const OTHER: &str = "222222222222";
const THIRD: &str = "333333333333";

// ---------------------------------------------------------------------------
// Random numbers: splitmix64, fixed seed, so every run sees the same cases.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("fits")
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
}

// ---------------------------------------------------------------------------
// A case: one request and every policy that applies to it.

#[derive(Debug, Clone, PartialEq)]
enum Ctx {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone)]
struct Case {
    id: usize,
    /// `None`: anonymous.
    principal: Option<String>,
    action: String,
    resource: String,
    resource_account: String,
    context: BTreeMap<String, Ctx>,
    identity: Vec<Value>,
    resource_policy: Option<Value>,
    boundary: Option<Value>,
    session: Option<Value>,
    scps: Vec<Vec<Value>>,
    /// The generated RCPs per level; each level also gets `RCPFullAWSAccess`
    /// (from the oracle itself, and from [`Case::evaluate`] on our side).
    rcps: Vec<Vec<Value>>,
}

/// AWS's `RCPFullAWSAccess`, which the oracle adds to every RCP level itself.
fn rcp_full_access() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
}

impl Case {
    fn oracle_json(&self) -> Value {
        let context: Map<String, Value> = self
            .context
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Ctx::One(s) => Value::String(s.clone()),
                    Ctx::Many(vs) => json!(vs),
                };
                (k.clone(), v)
            })
            .collect();
        json!({
            "id": self.id,
            "principal": self.principal.as_deref().unwrap_or("anonymous"),
            "action": self.action,
            "resource": self.resource,
            "resourceAccount": self.resource_account,
            "context": context,
            "identityPolicies": self.identity,
            "resourcePolicy": self.resource_policy,
            "permissionBoundaries": self.boundary.iter().collect::<Vec<_>>(),
            "sessionPolicy": self.session,
            "scps": self.scps,
            "rcps": self.rcps,
        })
    }

    fn principal(&self) -> Principal {
        match &self.principal {
            None => Principal::anonymous(),
            Some(arn) => Principal::from_arn(arn).expect("generated principal ARNs parse"),
        }
    }

    fn is_session(&self) -> bool {
        self.principal
            .as_deref()
            .is_some_and(|p| p.contains(":assumed-role/"))
    }

    /// Every policy of the case, for predicates that look for a construct.
    fn all_policies(&self) -> impl Iterator<Item = &Value> {
        self.identity
            .iter()
            .chain(&self.resource_policy)
            .chain(&self.boundary)
            .chain(&self.session)
            .chain(self.scps.iter().flatten())
            .chain(self.rcps.iter().flatten())
    }

    fn all_policies_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.identity
            .iter_mut()
            .chain(&mut self.resource_policy)
            .chain(&mut self.boundary)
            .chain(&mut self.session)
            .chain(self.scps.iter_mut().flatten())
            .chain(self.rcps.iter_mut().flatten())
    }

    /// Our decision, or why a policy did not parse.
    fn evaluate(&self) -> Result<Decision, String> {
        let parse = |name: &str, v: &Value| {
            Policy::from_json(v)
                .map(|p| NamedPolicy::new(name, p))
                .map_err(|e| format!("our parser rejects {name}: {e}"))
        };
        // The context already holds the principal's keys (`gen_context`), so
        // both sides see the same keys: no `add_principal_keys` here.
        let mut context = RequestContext::new();
        for (k, v) in &self.context {
            match v {
                Ctx::One(s) => context.set(k, s.clone()),
                Ctx::Many(vs) => context.set_multi(k, vs.clone()),
            };
        }
        let request = Request {
            principal: self.principal(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            resource_account: Some(self.resource_account.clone()),
            context,
        };
        let many = |prefix: &str, list: &[Value]| -> Result<Vec<NamedPolicy>, String> {
            list.iter()
                .enumerate()
                .map(|(i, v)| parse(&format!("{prefix}{i}"), v))
                .collect()
        };
        let policies = PolicySet {
            identity: many("identity", &self.identity)?,
            resource: self
                .resource_policy
                .iter()
                .map(|v| parse("resource", v))
                .collect::<Result<_, _>>()?,
            boundary: self.boundary.as_ref().map(|v| parse("boundary", v)).transpose()?,
            session: self
                .session
                .iter()
                .map(|v| parse("session", v))
                .collect::<Result<_, _>>()?,
            scps: self
                .scps
                .iter()
                .enumerate()
                .map(|(i, level)| many(&format!("scp{i}-"), level))
                .collect::<Result<_, _>>()?,
            rcps: self
                .rcps
                .iter()
                .enumerate()
                .map(|(i, level)| {
                    let mut level = level.clone();
                    level.push(rcp_full_access());
                    many(&format!("rcp{i}-"), &level)
                })
                .collect::<Result<_, _>>()?,
            ..PolicySet::default()
        };
        Ok(evaluate(&request, &policies))
    }

    fn outcome(&self) -> Result<Outcome, String> {
        self.evaluate().map(|d| d.outcome)
    }
}

// ---------------------------------------------------------------------------
// The generator.

/// Actions with a resource of the type the oracle's catalogue expects.
/// `{A}` is the resource's account.
const REQUESTS: &[(&str, &[&str])] = &[
    (
        "s3:GetObject",
        &[
            "arn:aws:s3:::bucket/home/alice/notes.txt",
            "arn:aws:s3:::bucket/home/bob/photo.jpg",
            "arn:aws:s3:::bucket/public/index.html",
            "arn:aws:s3:::bucket/red/report.csv",
            "arn:aws:s3:::other-bucket/key",
        ],
    ),
    (
        "s3:PutObject",
        &[
            "arn:aws:s3:::bucket/home/alice/notes.txt",
            "arn:aws:s3:::bucket/public/index.html",
            "arn:aws:s3:::bucket/red/report.csv",
        ],
    ),
    (
        "s3:DeleteObject",
        &[
            "arn:aws:s3:::bucket/home/bob/photo.jpg",
            "arn:aws:s3:::other-bucket/key",
        ],
    ),
    (
        "s3:ListBucket",
        &["arn:aws:s3:::bucket", "arn:aws:s3:::other-bucket"],
    ),
    (
        "iam:GetUser",
        &["arn:aws:iam::{A}:user/alice", "arn:aws:iam::{A}:user/bob"],
    ),
    ("iam:TagUser", &["arn:aws:iam::{A}:user/alice"]),
    ("sqs:SendMessage", &["arn:aws:sqs:us-east-1:{A}:queue1"]),
    ("sqs:TagQueue", &["arn:aws:sqs:us-east-1:{A}:queue1"]),
    ("sns:Publish", &["arn:aws:sns:us-east-1:{A}:topic1"]),
    (
        "kms:Decrypt",
        &["arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    ),
    (
        "dynamodb:GetItem",
        &["arn:aws:dynamodb:us-east-1:{A}:table/Orders"],
    ),
    (
        "dynamodb:PutItem",
        &["arn:aws:dynamodb:us-east-1:{A}:table/Orders"],
    ),
];

/// Real action names used in policies besides the request's own.
const OTHER_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "iam:GetUser",
    "iam:TagUser",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sns:Publish",
    "kms:Decrypt",
    "kms:Encrypt",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "ec2:RunInstances",
];

/// The request under test, before policies.
struct Subject {
    principal: Option<String>,
    /// The principal's account, if any.
    account: Option<String>,
    /// For sessions: the role's ARN.
    role_arn: Option<String>,
    action: String,
    resource: String,
    resource_account: String,
}

fn gen_subject(rng: &mut Rng) -> Subject {
    let account = if rng.chance(85) { HOME } else { OTHER };
    let principal = match rng.below(100) {
        0..=44 => Some(format!(
            "arn:aws:iam::{account}:user/{}",
            rng.pick(&["alice", "bob"])
        )),
        45..=89 => Some(format!(
            "arn:aws:sts::{account}:assumed-role/{}",
            rng.pick(&["Reader/s1", "Admin/alice"])
        )),
        90..=94 => Some(format!("arn:aws:iam::{account}:root")),
        _ => None,
    };
    let role_arn = principal.as_deref().and_then(|p| {
        let rest = p.split_once(":assumed-role/")?.1;
        Some(format!("arn:aws:iam::{account}:role/{}", rest.split('/').next()?))
    });
    // Mostly the home account's resources; sometimes the other account's.
    let resource_account = if rng.chance(80) { HOME } else { OTHER }.to_string();
    let (action, resources) = rng.pick(REQUESTS);
    let resource = rng.pick(resources).replace("{A}", &resource_account);
    Subject {
        account: principal.is_some().then(|| account.to_string()),
        principal,
        role_arn,
        action: (*action).to_string(),
        resource,
        resource_account,
    }
}

fn gen_context(rng: &mut Rng, s: &Subject) -> BTreeMap<String, Ctx> {
    let mut c = BTreeMap::new();
    let one = |c: &mut BTreeMap<String, Ctx>, k: &str, v: &str| {
        c.insert(k.to_string(), Ctx::One(v.to_string()));
    };
    if let Some(principal) = &s.principal {
        let account = s.account.as_deref().expect("signed principals have an account");
        let (kind, arn) = if principal.ends_with(":root") {
            ("Account", principal.clone())
        } else if let Some(role) = &s.role_arn {
            // The IAM User Guide: for a role session aws:PrincipalArn is the role's ARN.
            ("AssumedRole", role.clone())
        } else {
            ("User", principal.clone())
        };
        one(&mut c, "aws:PrincipalType", kind);
        one(&mut c, "aws:PrincipalArn", &arn);
        one(&mut c, "aws:PrincipalAccount", account);
        if kind == "User" {
            let name = principal.rsplit('/').next().unwrap_or_default();
            one(&mut c, "aws:username", name);
        }
        if kind != "Account" && rng.chance(60) {
            one(&mut c, "aws:PrincipalTag/team", rng.pick(&["red", "blue", "Red"]));
        }
        if rng.chance(50) {
            one(&mut c, "aws:MultiFactorAuthPresent", rng.pick(&["true", "false"]));
        }
        if rng.chance(50) {
            one(
                &mut c,
                "aws:MultiFactorAuthAge",
                rng.pick(&["30", "600", "3600", "86400"]),
            );
        }
    } else {
        one(&mut c, "aws:PrincipalType", "Anonymous");
    }
    if rng.chance(80) {
        one(
            &mut c,
            "aws:SourceIp",
            rng.pick(&["10.0.0.5", "10.1.2.3", "192.168.1.20", "203.0.113.9"]),
        );
    }
    if rng.chance(90) {
        one(
            &mut c,
            "aws:CurrentTime",
            rng.pick(&[
                "2024-01-15T12:00:00Z",
                "2025-01-01T00:00:00Z",
                "2025-06-01T08:30:00Z",
            ]),
        );
    }
    if rng.chance(85) {
        one(&mut c, "aws:SecureTransport", rng.pick(&["true", "false"]));
    }
    if rng.chance(40) {
        one(&mut c, "aws:RequestTag/x", rng.pick(&["a", "b", "red"]));
    }
    if rng.chance(50) {
        let keys: &[&str] = match rng.below(10) {
            0 | 9 => &[],
            1..=3 => &["x"],
            4..=6 => &["x", "y"],
            7 => &["y", "z"],
            _ => &["X"],
        };
        c.insert(
            "aws:TagKeys".to_string(),
            Ctx::Many(keys.iter().map(ToString::to_string).collect()),
        );
    }
    c
}

/// Flips the case of some ASCII letters.
fn vary_case(rng: &mut Rng, text: &str) -> String {
    match rng.below(4) {
        0 => text.to_ascii_lowercase(),
        1 => text.to_ascii_uppercase(),
        _ => text
            .chars()
            .map(|ch| {
                if rng.chance(20) {
                    if ch.is_ascii_lowercase() {
                        ch.to_ascii_uppercase()
                    } else {
                        ch.to_ascii_lowercase()
                    }
                } else {
                    ch
                }
            })
            .collect(),
    }
}

fn gen_action(rng: &mut Rng, action: &str) -> String {
    let (service, name) = action.split_once(':').expect("service:Action");
    match rng.below(14) {
        0..=3 => action.to_string(),
        4 | 5 => vary_case(rng, action),
        6 => format!("{service}:*"),
        7 => {
            let cut = rng.between(1, name.len() - 1);
            format!("{service}:{}*", &name[..cut])
        }
        8 => {
            let cut = rng.between(1, name.len() - 1);
            format!("{service}:*{}", &name[cut..])
        }
        9 => {
            let at = rng.below(name.len());
            format!("{service}:{}?{}", &name[..at], &name[at + 1..])
        }
        10 => "*".to_string(),
        11 => format!("{}:*", rng.pick(&["sqs", "ec2", "iam", "s3"])),
        _ => (rng.pick(OTHER_ACTIONS)).to_string(),
    }
}

/// Where the resource part of an ARN starts (after five colons).
fn resource_part_start(arn: &str) -> usize {
    arn.match_indices(':').nth(4).map_or(arn.len(), |(i, _)| i + 1)
}

fn gen_resource(rng: &mut Rng, s: &Subject) -> String {
    let arn = s.resource.as_str();
    let start = resource_part_start(arn);
    // The first separator inside the resource part; wildcards go after it.
    let sep = arn[start..].find(['/', ':']).map(|i| start + i + 1);
    match rng.below(16) {
        0..=2 => arn.to_string(),
        3 => "*".to_string(),
        4 | 5 => match sep {
            Some(sep) if sep < arn.len() => {
                let cut = rng.between(sep, arn.len());
                format!("{}*", &arn[..cut])
            }
            _ => format!("{arn}*"),
        },
        6 => match sep {
            Some(sep) if sep < arn.len() => {
                let at = rng.between(sep, arn.len() - 1);
                format!("{}?{}", &arn[..at], &arn[at + 1..])
            }
            _ => arn.to_string(),
        },
        7 | 8 => {
            // Policy variables.
            let templates: &[&str] = if arn.starts_with("arn:aws:s3:::") {
                &[
                    "arn:aws:s3:::bucket/home/${aws:username}/*",
                    "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*",
                    "arn:aws:s3:::bucket/home/${aws:username, 'bob'}/*",
                ]
            } else if arn.contains(":user/") {
                &[
                    "arn:aws:iam::{A}:user/${aws:username}",
                    "arn:aws:iam::${aws:PrincipalAccount}:user/*",
                ]
            } else {
                &[
                    "arn:aws:*:*:${aws:PrincipalAccount}:*",
                    "arn:aws:*:*:*:${aws:username}",
                ]
            };
            rng.pick(templates).replace("{A}", &s.resource_account)
        }
        9 => {
            // A wildcard field: region or account.
            let mut fields: Vec<String> = arn.splitn(6, ':').map(ToString::to_string).collect();
            let i = rng.pick(&[3, 4]);
            if !fields[i].is_empty() {
                fields[i] = "*".to_string();
            }
            fields.join(":")
        }
        10 => {
            // Case differs in the resource part: ARNs are case-sensitive.
            let (head, tail) = arn.split_at(start);
            format!("{head}{}", vary_case(rng, tail))
        }
        11 => {
            let account = if rng.chance(50) { HOME } else { OTHER };
            let (_, resources) = rng.pick(REQUESTS);
            rng.pick(resources).replace("{A}", account)
        }
        12 => {
            let (head, _) = arn.split_at(start);
            format!("{head}*")
        }
        _ => match sep {
            // A `*` in the middle of the resource path.
            Some(sep) if sep < arn.len() => {
                let a = rng.between(sep, arn.len() - 1);
                let b = rng.between(a, arn.len());
                format!("{}*{}", &arn[..a], &arn[b..])
            }
            _ => arn.to_string(),
        },
    }
}

/// One condition: (operator, key, value(s)).
fn gen_condition(rng: &mut Rng) -> (String, String, Value) {
    let if_exists = rng.chance(20);
    let suffix = if if_exists { "IfExists" } else { "" };
    let values = |rng: &mut Rng, pool: &[&str]| -> Value {
        if rng.chance(70) {
            json!(rng.pick(pool))
        } else {
            let a = rng.pick(pool);
            let b = rng.pick(pool);
            json!([a, b])
        }
    };
    let (op, key, value) = match rng.below(13) {
        0..=2 => {
            let op = rng.pick(&[
                "StringEquals",
                "StringNotEquals",
                "StringLike",
                "StringNotLike",
                "StringEqualsIgnoreCase",
                "StringNotEqualsIgnoreCase",
            ]);
            let key = rng.pick(&[
                "aws:username",
                "aws:PrincipalTag/team",
                "aws:RequestTag/x",
                "aws:PrincipalAccount",
                "aws:PrincipalType",
            ]);
            let pool: &[&str] = match key {
                "aws:username" => &["alice", "bob", "Alice", "al*", "b?b"],
                "aws:PrincipalAccount" => &[HOME, OTHER, "1111*"],
                "aws:PrincipalType" => &["User", "AssumedRole", "Anonymous", "Account"],
                "aws:RequestTag/x" => &["a", "b", "${aws:PrincipalTag/team}", "r*", "${aws:username}"],
                _ => &["red", "blue", "RED", "r?d", "*", "${aws:RequestTag/x}"],
            };
            let v = values(rng, pool);
            ((*op).to_string(), (*key).to_string(), v)
        }
        3 => {
            let op = rng.pick(&["ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals"]);
            let v = values(
                rng,
                &[
                    "arn:aws:iam::111111111111:user/*",
                    "arn:aws:iam::*:role/Reader",
                    "arn:aws:iam::111111111111:role/*",
                    "arn:aws:iam::111111111111:user/alice",
                    "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}",
                ],
            );
            ((*op).to_string(), "aws:PrincipalArn".to_string(), v)
        }
        4 => {
            let op = rng.pick(&[
                "NumericLessThan",
                "NumericLessThanEquals",
                "NumericGreaterThan",
                "NumericGreaterThanEquals",
                "NumericEquals",
                "NumericNotEquals",
            ]);
            let v = values(rng, &["30", "600", "3600", "3600.0"]);
            ((*op).to_string(), "aws:MultiFactorAuthAge".to_string(), v)
        }
        5 => {
            let op = rng.pick(&[
                "DateLessThan",
                "DateLessThanEquals",
                "DateGreaterThan",
                "DateGreaterThanEquals",
                "DateEquals",
                "DateNotEquals",
            ]);
            let v = values(
                rng,
                &[
                    "2025-01-01T00:00:00Z",
                    "2024-06-01T00:00:00Z",
                    "2025-06-01T08:30:00Z",
                ],
            );
            ((*op).to_string(), "aws:CurrentTime".to_string(), v)
        }
        6 => {
            let key = rng.pick(&["aws:SecureTransport", "aws:MultiFactorAuthPresent"]);
            let v = if rng.chance(20) {
                json!(rng.chance(50))
            } else {
                json!(rng.pick(&["true", "false"]))
            };
            ("Bool".to_string(), (*key).to_string(), v)
        }
        7 => {
            let op = rng.pick(&["IpAddress", "NotIpAddress"]);
            let v = values(
                rng,
                &[
                    "10.0.0.0/8",
                    "192.168.1.0/24",
                    "203.0.113.9/32",
                    "203.0.113.9",
                    "10.0.0.0/16",
                ],
            );
            ((*op).to_string(), "aws:SourceIp".to_string(), v)
        }
        8 => {
            let key = rng.pick(&[
                "aws:TagKeys",
                "aws:PrincipalTag/team",
                "aws:SourceIp",
                "aws:MultiFactorAuthAge",
                "aws:username",
                "aws:RequestTag/x",
            ]);
            let v = json!(rng.pick(&["true", "false"]));
            // `Null` takes no IfExists.
            return ("Null".to_string(), (*key).to_string(), v);
        }
        9..=11 => {
            let set = rng.pick(&["ForAllValues:", "ForAnyValue:"]);
            let op = rng.pick(&[
                "StringEquals",
                "StringLike",
                "StringNotEquals",
                "StringNotLike",
                "StringEqualsIgnoreCase",
            ]);
            let key = if rng.chance(80) {
                "aws:TagKeys"
            } else {
                "aws:PrincipalTag/team"
            };
            let pool: &[&str] = if key == "aws:TagKeys" {
                &["x", "y", "z", "X", "?", "*"]
            } else {
                &["red", "blue", "r*"]
            };
            let v = if rng.chance(50) {
                json!(rng.pick(pool))
            } else {
                json!([rng.pick(pool), rng.pick(pool), rng.pick(pool)])
            };
            (format!("{set}{op}"), key.to_string(), v)
        }
        _ => {
            // A multi-valued key without a set operator.
            let op = rng.pick(&["StringEquals", "StringNotEquals", "StringLike"]);
            ((*op).to_string(), "aws:TagKeys".to_string(), json!("x"))
        }
    };
    (format!("{op}{suffix}"), key, value)
}

fn gen_conditions(rng: &mut Rng) -> Option<Value> {
    if rng.chance(55) {
        return None;
    }
    let mut block: Map<String, Value> = Map::new();
    for _ in 0..rng.between(1, 2) {
        let (op, key, value) = gen_condition(rng);
        let entry = block.entry(op).or_insert_with(|| json!({}));
        entry
            .as_object_mut()
            .expect("operator blocks are objects")
            .insert(key, value);
    }
    Some(Value::Object(block))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identity,
    Resource,
    Boundary,
    Session,
    Scp,
    Rcp,
}

fn one_or_many(rng: &mut Rng, items: &[String]) -> Value {
    if items.len() == 1 && rng.chance(60) {
        json!(items[0])
    } else {
        json!(items)
    }
}

fn gen_principal(rng: &mut Rng, s: &Subject) -> Value {
    let account = s.account.as_deref().unwrap_or(HOME);
    let mut entries = vec![
        format!("arn:aws:iam::{account}:user/alice"),
        format!("arn:aws:iam::{account}:user/bob"),
        format!("arn:aws:iam::{account}:role/Reader"),
        format!("arn:aws:iam::{account}:role/Admin"),
        format!("arn:aws:sts::{account}:assumed-role/Reader/s1"),
        format!("arn:aws:sts::{account}:assumed-role/Admin/alice"),
        account.to_string(),
        format!("arn:aws:iam::{account}:root"),
        THIRD.to_string(),
        format!("arn:aws:iam::{}:root", if account == HOME { OTHER } else { HOME }),
    ];
    if let Some(p) = &s.principal {
        entries.push(p.clone());
    }
    if let Some(r) = &s.role_arn {
        entries.push(r.clone());
    }
    match rng.below(12) {
        0 => json!("*"),
        1 => json!({"AWS": "*"}),
        _ => {
            let n = rng.between(1, 2);
            let list: Vec<String> = (0..n).map(|_| rng.pick(&entries)).collect();
            json!({"AWS": one_or_many(rng, &list)})
        }
    }
}

fn gen_statement(rng: &mut Rng, s: &Subject, kind: Kind) -> Value {
    let effect = match kind {
        Kind::Rcp => "Deny",
        Kind::Identity | Kind::Resource => {
            if rng.chance(88) {
                "Allow"
            } else {
                "Deny"
            }
        }
        Kind::Boundary | Kind::Session | Kind::Scp => {
            if rng.chance(93) {
                "Allow"
            } else {
                "Deny"
            }
        }
    };
    let mut st = Map::new();
    if rng.chance(30) {
        st.insert("Sid".into(), json!(format!("S{}", rng.below(100))));
    }
    st.insert("Effect".into(), json!(effect));
    match kind {
        Kind::Resource => {
            st.insert("Principal".into(), gen_principal(rng, s));
        }
        Kind::Rcp => {
            st.insert("Principal".into(), json!("*"));
        }
        _ => {}
    }
    let n = if rng.chance(75) { 1 } else { 2 };
    let actions: Vec<String> = (0..n)
        .map(|_| loop {
            // RCPs take neither `"Action": "*"` nor `NotAction`.
            let a = gen_action(rng, &s.action);
            if kind != Kind::Rcp || a != "*" {
                break a;
            }
        })
        .collect();
    let actions = one_or_many(rng, &actions);
    let not_action = kind != Kind::Rcp && rng.chance(12);
    st.insert(if not_action { "NotAction" } else { "Action" }.into(), actions);
    let n = if rng.chance(75) { 1 } else { 2 };
    let resources: Vec<String> = (0..n).map(|_| gen_resource(rng, s)).collect();
    let resources = one_or_many(rng, &resources);
    st.insert(
        if rng.chance(10) { "NotResource" } else { "Resource" }.into(),
        resources,
    );
    if let Some(c) = gen_conditions(rng) {
        st.insert("Condition".into(), c);
    }
    Value::Object(st)
}

fn gen_policy(rng: &mut Rng, s: &Subject, kind: Kind) -> Value {
    let n = if kind == Kind::Rcp {
        rng.between(1, 2)
    } else {
        rng.between(1, 4)
    };
    let statements: Vec<Value> = (0..n).map(|_| gen_statement(rng, s, kind)).collect();
    let mut p = Map::new();
    // RCPs must say 2012-10-17.
    match if kind == Kind::Rcp { 2 } else { rng.below(40) } {
        0 => {
            p.insert("Version".into(), json!("2008-10-17"));
        }
        1 => {}
        _ => {
            p.insert("Version".into(), json!("2012-10-17"));
        }
    }
    if statements.len() == 1 && rng.chance(30) {
        p.insert("Statement".into(), statements[0].clone());
    } else {
        p.insert("Statement".into(), json!(statements));
    }
    Value::Object(p)
}

/// The default key policy's statement, added in front of `policy`'s.
fn with_default_key_policy(policy: Option<Value>, account: &str) -> Value {
    let default = json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "kms:*", "Resource": "*"});
    let mut statements = vec![default];
    let mut version = json!("2012-10-17");
    if let Some(p) = policy {
        version = p.get("Version").cloned().unwrap_or(version);
        match p.get("Statement") {
            Some(Value::Array(list)) => statements.extend(list.iter().cloned()),
            Some(st) => statements.push(st.clone()),
            None => {}
        }
    }
    json!({"Version": version, "Statement": statements})
}

fn full_access() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn gen_case(rng: &mut Rng, id: usize) -> Case {
    let s = gen_subject(rng);
    let context = gen_context(rng, &s);
    let signed = s.principal.is_some();
    let root = s.principal.as_deref().is_some_and(|p| p.ends_with(":root"));
    let session = s.role_arn.is_some();
    let identity = if signed && !root {
        (0..rng.between(1, 3))
            .map(|_| gen_policy(rng, &s, Kind::Identity))
            .collect()
    } else {
        Vec::new()
    };
    let mut resource_policy = (!signed || rng.chance(50)).then(|| gen_policy(rng, &s, Kind::Resource));
    if s.action.starts_with("kms:") && rng.chance(50) {
        // Half the KMS keys get the default key policy (naming the account),
        // so that identity policies can grant; the rest test that they cannot.
        resource_policy = Some(with_default_key_policy(resource_policy, &s.resource_account));
    }
    let boundary = (signed && !root && rng.chance(30)).then(|| gen_policy(rng, &s, Kind::Boundary));
    let session_policy = (session && rng.chance(40)).then(|| gen_policy(rng, &s, Kind::Session));
    let scps = if signed {
        (0..rng.below(3))
            .map(|_| {
                let mut level = Vec::new();
                if rng.chance(70) {
                    level.push(full_access());
                }
                if rng.chance(60) || level.is_empty() {
                    level.push(gen_policy(rng, &s, Kind::Scp));
                }
                level
            })
            .collect()
    } else {
        Vec::new()
    };
    let rcps = if rng.chance(25) {
        vec![vec![gen_policy(rng, &s, Kind::Rcp)]]
    } else {
        Vec::new()
    };
    Case {
        id,
        principal: s.principal,
        action: s.action,
        resource: s.resource,
        resource_account: s.resource_account,
        context,
        identity,
        resource_policy,
        boundary,
        session: session_policy,
        scps,
        rcps,
    }
}

// ---------------------------------------------------------------------------
// Known differences: where the oracle departs from AWS's documentation.
// Each has an id (a section of tests/known-differences.md), a test of
// whether the case has the construct, and a model: the case rewritten so
// that *our* evaluator, run on it, reproduces the oracle's reading. A
// disagreement is explained when the model's answer equals the oracle's,
// so an entry cannot hide an unrelated disagreement in the same case.

struct Known {
    id: &'static str,
    applies: fn(&Case) -> bool,
    model: fn(&Case) -> Case,
}

const KNOWN: &[Known] = &[
    Known {
        id: "root-user-full-access",
        applies: is_root,
        model: root_as_plain_identity,
    },
    Known {
        id: "variables-in-old-policy-versions",
        applies: has_old_version_variables,
        model: with_new_version,
    },
    Known {
        id: "null-on-empty-set",
        applies: has_null_on_empty_key,
        model: with_empty_sets_present,
    },
    Known {
        id: "session-policy-and-direct-grants",
        applies: session_has_direct_grant,
        model: with_direct_grants_as_role_grants,
    },
    Known {
        id: "negated-operator-unresolved-variable",
        applies: has_negated_unresolved,
        model: with_negated_unresolved_false,
    },
    Known {
        id: "not-resource-unresolved-variable",
        applies: has_not_resource_unresolved,
        model: without_statements_with_not_resource_unresolved,
    },
    Known {
        id: "for-any-value-if-exists-missing-key",
        applies: has_for_any_value_if_exists_on_missing_key,
        model: without_if_exists_on_missing_for_any_value,
    },
    Known {
        id: "arn-condition-variable-before-resource-part",
        applies: has_arn_condition_variable_in_prefix,
        model: with_arn_condition_variable_unmatchable,
    },
];

/// The ids of the known differences that explain `oracle` for this case.
fn explain_difference(case: &Case, oracle: Outcome) -> Option<Vec<&'static str>> {
    let applicable: Vec<&Known> = KNOWN.iter().filter(|k| (k.applies)(case)).collect();
    if let Some(k) = applicable
        .iter()
        .find(|k| (k.model)(case).outcome().ok() == Some(oracle))
    {
        return Some(vec![k.id]);
    }
    // Several differences at once: apply every applicable model.
    if applicable.len() > 1 {
        let c = applicable.iter().fold(case.clone(), |c, k| (k.model)(&c));
        if c.outcome().ok() == Some(oracle) {
            return Some(applicable.iter().map(|k| k.id).collect());
        }
    }
    None
}

/// Visits every statement of every policy of the case.
fn statements_mut(case: &mut Case, mut f: impl FnMut(&mut Map<String, Value>)) {
    for policy in case.all_policies_mut() {
        match policy.get_mut("Statement") {
            Some(Value::Array(list)) => {
                for st in list {
                    if let Some(st) = st.as_object_mut() {
                        f(st);
                    }
                }
            }
            Some(Value::Object(st)) => f(st),
            _ => {}
        }
    }
}

fn statements(policy: &Value) -> Vec<&Map<String, Value>> {
    match policy.get("Statement") {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(st)) => vec![st],
        _ => Vec::new(),
    }
}

/// Every condition clause of the case: (operator, key, values).
fn clauses(case: &Case) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for st in case.all_policies().flat_map(statements) {
        let Some(Value::Object(block)) = st.get("Condition") else {
            continue;
        };
        for (op, keys) in block {
            for (key, values) in keys.as_object().into_iter().flatten() {
                out.push((op.clone(), key.clone(), strings(values)));
            }
        }
    }
    out
}

/// Rewrites condition clauses: `f(operator, key, values)` returns the
/// clause's new operator and values, or `None` to keep it.
fn rewrite_clauses(case: &Case, f: impl Fn(&str, &str, &[String]) -> Option<(String, Value)>) -> Case {
    let mut c = case.clone();
    statements_mut(&mut c, |st| {
        let Some(Value::Object(block)) = st.get_mut("Condition") else {
            return;
        };
        let mut moved: Vec<(String, String, Value)> = Vec::new();
        for (op, keys) in block.iter_mut() {
            let Some(keys) = keys.as_object_mut() else {
                continue;
            };
            let mut gone = Vec::new();
            for (key, values) in keys.iter() {
                if let Some((new_op, new_values)) = f(op, key, &strings(values)) {
                    gone.push(key.clone());
                    moved.push((new_op, key.clone(), new_values));
                }
            }
            for key in gone {
                keys.remove(&key);
            }
        }
        for (op, key, values) in moved {
            let entry = block.entry(op).or_insert_with(|| json!({}));
            entry
                .as_object_mut()
                .expect("operator blocks are objects")
                .insert(key, values);
        }
        block.retain(|_, keys| keys.as_object().is_none_or(|k| !k.is_empty()));
    });
    c
}

/// String values of a JSON string, bool, number or array of those.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(list) => list.iter().flat_map(strings).collect(),
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

/// An operator without `ForAllValues:`/`ForAnyValue:` and `IfExists`:
/// (set prefix, base name, `IfExists` suffix).
fn split_operator(op: &str) -> (&str, &str, &str) {
    let cut = op.find(':').map_or(0, |i| i + 1);
    let (set, rest) = op.split_at(cut);
    match rest.len().checked_sub("IfExists".len()) {
        Some(i) if rest[i..].eq_ignore_ascii_case("IfExists") => (set, &rest[..i], &rest[i..]),
        _ => (set, rest, ""),
    }
}

// root-user-full-access

fn is_root(c: &Case) -> bool {
    c.principal.as_deref().is_some_and(|p| p.ends_with(":root"))
}

/// The oracle gives the root user no access of its own: like an IAM user of
/// its account without identity policies.
fn root_as_plain_identity(c: &Case) -> Case {
    let mut c = c.clone();
    if let Some(p) = c.principal.as_mut() {
        *p = p.replace(":root", ":user/root-without-policies");
    }
    c
}

// variables-in-old-policy-versions

fn has_old_version_variables(c: &Case) -> bool {
    c.all_policies().any(|p| {
        p.get("Version").and_then(Value::as_str) != Some("2012-10-17") && p.to_string().contains("${")
    })
}

fn with_new_version(c: &Case) -> Case {
    let mut c = c.clone();
    for p in c.all_policies_mut() {
        if let Some(p) = p.as_object_mut() {
            p.insert("Version".into(), json!("2012-10-17"));
        }
    }
    c
}

// null-on-empty-set

fn empty_keys(c: &Case) -> Vec<String> {
    c.context
        .iter()
        .filter(|(_, v)| matches!(v, Ctx::Many(vs) if vs.is_empty()))
        .map(|(k, _)| k.to_ascii_lowercase())
        .collect()
}

fn has_null_on_empty_key(c: &Case) -> bool {
    let empty = empty_keys(c);
    clauses(c)
        .iter()
        .any(|(op, key, _)| op.eq_ignore_ascii_case("Null") && empty.contains(&key.to_ascii_lowercase()))
}

/// The oracle reads an empty multi-valued key as present: `Null` flips.
fn with_empty_sets_present(c: &Case) -> Case {
    let empty = empty_keys(c);
    rewrite_clauses(c, |op, key, values| {
        (op.eq_ignore_ascii_case("Null") && empty.contains(&key.to_ascii_lowercase())).then(|| {
            let flipped: Vec<&str> = values
                .iter()
                .map(|v| {
                    if v.eq_ignore_ascii_case("true") {
                        "false"
                    } else {
                        "true"
                    }
                })
                .collect();
            (op.to_string(), json!(flipped))
        })
    })
}

// session-policy-and-direct-grants

fn names_session_directly(principal: &Value, session: &str) -> bool {
    match principal {
        Value::String(s) => s == "*",
        Value::Object(m) => m
            .get("AWS")
            .is_some_and(|aws| strings(aws).iter().any(|e| e == "*" || e == session)),
        _ => false,
    }
}

fn session_has_direct_grant(c: &Case) -> bool {
    let Some(session) = c
        .principal
        .as_deref()
        .filter(|_| c.is_session() && c.session.is_some())
    else {
        return false;
    };
    c.resource_policy.iter().flat_map(statements).any(|st| {
        st.get("Effect").and_then(Value::as_str) == Some("Allow")
            && st
                .get("Principal")
                .is_some_and(|p| names_session_directly(p, session))
    })
}

/// The oracle lets a session policy limit every grant, so a grant to the
/// session itself (or to `*`) acts like a grant to its role.
fn with_direct_grants_as_role_grants(c: &Case) -> Case {
    let session = c.principal.clone().unwrap_or_default();
    let role = match c.context.get("aws:PrincipalArn") {
        Some(Ctx::One(role)) => role.clone(),
        _ => return c.clone(),
    };
    let mut c = c.clone();
    if let Some(policy) = c.resource_policy.as_mut() {
        let list: Vec<&mut Value> = match policy.get_mut("Statement") {
            Some(Value::Array(list)) => list.iter_mut().collect(),
            Some(st) => vec![st],
            None => Vec::new(),
        };
        for st in list {
            let allow = st.get("Effect").and_then(Value::as_str) == Some("Allow");
            if let Some(p) = st
                .get_mut("Principal")
                .filter(|p| allow && names_session_directly(p, &session))
            {
                *p = json!({"AWS": role});
            }
        }
    }
    c
}

// negated-operator-unresolved-variable

/// Does `value` hold a `${…}` variable without a value or default here?
fn has_unresolved_variable(value: &str, c: &Case) -> bool {
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            return false;
        };
        let inner = rest[start + 2..start + len].trim();
        rest = &rest[start + len + 1..];
        if matches!(inner, "*" | "?" | "$") || inner.contains(',') {
            continue;
        }
        let present = c
            .context
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(inner) && matches!(v, Ctx::One(_)));
        if !present {
            return true;
        }
    }
    false
}

fn is_negated_string_or_arn(op: &str) -> bool {
    let (_, base, _) = split_operator(op);
    [
        "StringNotEquals",
        "StringNotLike",
        "StringNotEqualsIgnoreCase",
        "ArnNotEquals",
        "ArnNotLike",
    ]
    .iter()
    .any(|b| b.eq_ignore_ascii_case(base))
}

/// An unresolved variable the oracle gets to (it never resolves one in an
/// ARN value whose prefix it already split wrongly, see below).
fn negated_unresolved(op: &str, values: &[String], c: &Case) -> bool {
    is_negated_string_or_arn(op)
        && values
            .iter()
            .any(|v| has_unresolved_variable(v, c) && !(is_arn_operator(op) && variable_in_arn_prefix(v)))
}

fn has_negated_unresolved(c: &Case) -> bool {
    clauses(c)
        .iter()
        .any(|(op, _, values)| negated_unresolved(op, values, c))
}

/// The oracle makes a negated operator false for every request value when
/// one of its policy values has an unresolved variable: the same as
/// `StringNotLike "*"` (a missing key still behaves as before).
fn with_negated_unresolved_false(c: &Case) -> Case {
    let case = c.clone();
    rewrite_clauses(c, |op, _, values| {
        negated_unresolved(op, values, &case).then(|| {
            let (set, _, if_exists) = split_operator(op);
            (format!("{set}StringNotLike{if_exists}"), json!("*"))
        })
    })
}

// not-resource-unresolved-variable

/// A `NotResource` entry with an unresolved variable whose ARN prefix the
/// oracle matches before it resolves variables: partition, service,
/// region, account (with wildcards, ignoring case) and the resource type
/// (the resource part up to its first `/` or `:`; none for S3).
fn oracle_gives_up_on(entry: &str, c: &Case) -> bool {
    if !has_unresolved_variable(entry, c) {
        return false;
    }
    let pattern: Vec<&str> = entry.splitn(6, ':').collect();
    let request: Vec<&str> = c.resource.splitn(6, ':').collect();
    if pattern.len() < 6 || request.len() < 6 {
        return false;
    }
    let glob = |p: &str, t: &str| {
        iam_evaluator::wildcard::matches(&p.to_ascii_lowercase(), &t.to_ascii_lowercase(), false)
    };
    if !(1..5).all(|i| glob(pattern[i], request[i])) {
        return false;
    }
    let is_s3 = pattern[2] == "s3" && pattern[3].is_empty() && pattern[4].is_empty();
    let product = match pattern[5].find(['/', ':']) {
        _ if is_s3 => "",
        Some(i) => &pattern[5][..=i],
        None => return false,
    };
    request[5].starts_with(product)
}

fn not_resource_gives_up(st: &Map<String, Value>, c: &Case) -> bool {
    st.get("NotResource")
        .is_some_and(|v| strings(v).iter().any(|e| oracle_gives_up_on(e, c)))
}

fn has_not_resource_unresolved(c: &Case) -> bool {
    c.all_policies()
        .flat_map(statements)
        .any(|st| not_resource_gives_up(st, c))
}

/// The oracle treats such an entry as "cannot tell", and the statement as
/// not applying: the same as `"NotResource": "*"`.
fn without_statements_with_not_resource_unresolved(c: &Case) -> Case {
    let case = c.clone();
    let mut c = c.clone();
    statements_mut(&mut c, |st| {
        if not_resource_gives_up(st, &case) {
            st.insert("NotResource".into(), json!("*"));
        }
    });
    c
}

// for-any-value-if-exists-missing-key

fn is_missing(c: &Case, key: &str) -> bool {
    !c.context.keys().any(|k| k.eq_ignore_ascii_case(key))
}

fn is_for_any_value_if_exists(op: &str) -> bool {
    let (set, _, if_exists) = split_operator(op);
    set.eq_ignore_ascii_case("ForAnyValue:") && !if_exists.is_empty()
}

fn has_for_any_value_if_exists_on_missing_key(c: &Case) -> bool {
    clauses(c)
        .iter()
        .any(|(op, key, _)| is_for_any_value_if_exists(op) && is_missing(c, key))
}

/// The oracle lets `ForAnyValue:` win over `IfExists`: false for a missing key.
fn without_if_exists_on_missing_for_any_value(c: &Case) -> Case {
    rewrite_clauses(c, |op, key, values| {
        (is_for_any_value_if_exists(op) && is_missing(c, key)).then(|| {
            let (set, base, _) = split_operator(op);
            (format!("{set}{base}"), json!(values))
        })
    })
}

// arn-condition-variable-before-resource-part

fn is_arn_operator(op: &str) -> bool {
    split_operator(op).1.to_ascii_lowercase().starts_with("arn")
}

/// A `${` before the ARN's fifth colon (the oracle splits at the variable's colon).
fn variable_in_arn_prefix(value: &str) -> bool {
    value
        .find("${")
        .is_some_and(|at| value[..at].matches(':').count() < 5)
}

fn has_arn_condition_variable_in_prefix(c: &Case) -> bool {
    clauses(c)
        .iter()
        .any(|(op, _, values)| is_arn_operator(op) && values.iter().any(|v| variable_in_arn_prefix(v)))
}

fn with_arn_condition_variable_unmatchable(c: &Case) -> Case {
    rewrite_clauses(c, |op, _, values| {
        (is_arn_operator(op) && values.iter().any(|v| variable_in_arn_prefix(v))).then(|| {
            let values: Vec<String> = values
                .iter()
                .map(|v| {
                    if variable_in_arn_prefix(v) {
                        "arn:aws:iam::000000000000:oracle-cannot-match".to_string()
                    } else {
                        v.clone()
                    }
                })
                .collect();
            (op.to_string(), json!(values))
        })
    })
}

// ---------------------------------------------------------------------------
// The oracle.

#[derive(Debug)]
struct OracleAnswer {
    decision: String,
    detail: String,
    ignored: Vec<String>,
}

fn run_oracle(dir: &str, cases: &[Case]) -> Vec<OracleAnswer> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/simulate.mjs");
    let mut child = Command::new("node")
        .arg(script)
        .env("IAM_SIMULATE_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start `node` (is Node.js on PATH?)");
    let mut input = String::new();
    for c in cases {
        input.push_str(&c.oracle_json().to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || {
        stdin
            .write_all(input.as_bytes())
            .expect("write cases to the oracle");
    });
    let stdout = child.stdout.take().expect("piped stdout");
    let mut answers = Vec::with_capacity(cases.len());
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read the oracle's answer");
        let v: Value = serde_json::from_str(&line).expect("the oracle answers JSON lines");
        answers.push(OracleAnswer {
            decision: v["decision"].as_str().unwrap_or("error").to_string(),
            detail: v["detail"].as_str().unwrap_or_default().to_string(),
            ignored: v["ignoredContextKeys"]
                .as_array()
                .map(|a| a.iter().filter_map(|k| k.as_str().map(String::from)).collect())
                .unwrap_or_default(),
        });
    }
    writer.join().expect("writer thread");
    let out = child.wait_with_output().expect("oracle exits");
    assert!(
        out.status.success() && answers.len() == cases.len(),
        "the oracle failed ({}; {} answers for {} cases): {}",
        out.status,
        answers.len(),
        cases.len(),
        String::from_utf8_lossy(&out.stderr)
    );
    answers
}

fn parse_outcome(text: &str) -> Option<Outcome> {
    match text {
        "allowed" => Some(Outcome::Allowed),
        "explicitDeny" => Some(Outcome::ExplicitDeny),
        "implicitDeny" => Some(Outcome::ImplicitDeny),
        _ => None,
    }
}

// ---------------------------------------------------------------------------

/// Every known difference has its section in tests/known-differences.md,
/// and every section there is a known difference the test can recognise.
#[test]
fn known_differences_are_documented() {
    let doc = include_str!("../known-differences.md");
    let sections: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter(|h| *h != "What the generator avoids")
        .collect();
    let ids: Vec<&str> = KNOWN.iter().map(|k| k.id).collect();
    for id in &ids {
        assert!(
            sections.contains(id),
            "known difference {id} has no section in tests/known-differences.md"
        );
    }
    for section in &sections {
        assert!(
            ids.contains(section),
            "tests/known-differences.md lists {section}, which the test does not know"
        );
    }
}

#[test]
fn agrees_with_iam_simulate() {
    let Some(dir) = std::env::var("IAM_SIMULATE_DIR").ok().filter(|d| !d.is_empty()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "IAM_SIMULATE_DIR is not set: the differential oracle must run in CI \
             (`.ci/run` installs @cloud-copilot/iam-simulate and exports it; see tests/oracle/README.md)"
        );
        eprintln!(
            "differential: IAM_SIMULATE_DIR is not set; skipping the oracle comparison \
             (see tests/oracle/README.md to install it)"
        );
        return;
    };

    // `DIFFERENTIAL_SEED` / `DIFFERENTIAL_CASES` explore beyond the fixed run.
    let env_number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let seed = env_number("DIFFERENTIAL_SEED").unwrap_or(SEED);
    let total = env_number("DIFFERENTIAL_CASES").map_or(CASES, |n| usize::try_from(n).expect("fits"));
    let mut rng = Rng(seed);
    let cases: Vec<Case> = (0..total).map(|id| gen_case(&mut rng, id)).collect();
    let answers = run_oracle(&dir, &cases);

    let mut skipped = 0;
    let mut skip_reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut agreed = 0;
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut known: BTreeMap<String, usize> = BTreeMap::new();
    let mut unexplained: Vec<String> = Vec::new();

    for (case, answer) in cases.iter().zip(&answers) {
        let Some(oracle) = parse_outcome(&answer.decision).filter(|_| answer.ignored.is_empty()) else {
            skipped += 1;
            let reason = if answer.ignored.is_empty() {
                answer.detail.chars().take(120).collect()
            } else {
                format!("ignored context keys {:?}", answer.ignored)
            };
            *skip_reasons.entry(reason).or_default() += 1;
            continue;
        };
        let ours = case.evaluate();
        let decision = match ours {
            Ok(d) => d,
            Err(e) => {
                unexplained.push(format!("case {}: {e}\n{:#}", case.id, case.oracle_json()));
                continue;
            }
        };
        *outcomes.entry(decision.outcome.as_str()).or_default() += 1;
        if decision.outcome == oracle {
            agreed += 1;
            continue;
        }
        if let Some(ids) = explain_difference(case, oracle) {
            *known.entry(ids.join("+")).or_default() += 1;
            continue;
        }
        let mut report = String::new();
        let _ = writeln!(
            report,
            "case {}: ours {} / oracle {}",
            case.id,
            decision.outcome.as_str(),
            oracle.as_str()
        );
        let _ = writeln!(report, "oracle detail: {}", answer.detail);
        let _ = writeln!(report, "case: {:#}", case.oracle_json());
        let _ = writeln!(report, "our explanation:\n{}", decision.explain());
        unexplained.push(report);
    }

    let compared = total - skipped;
    eprintln!(
        "differential: seed {seed:#x}, {total} cases, {compared} compared, {skipped} skipped, {agreed} agreed, \
         known differences {known:?}, unexplained {}; our outcomes {outcomes:?}",
        unexplained.len()
    );
    if !skip_reasons.is_empty() {
        eprintln!("differential: skipped because {skip_reasons:?}");
    }
    // Agreement means little unless the generated cases reach every
    // outcome often (the reference-model test asks the same of its cases).
    for outcome in ["allowed", "explicitDeny", "implicitDeny"] {
        let n = outcomes.get(outcome).copied().unwrap_or(0);
        assert!(
            n * 100 >= compared * MIN_OUTCOME_PERCENT,
            "{outcome}: {n} of {compared} compared cases, below {MIN_OUTCOME_PERCENT}% ({outcomes:?})"
        );
    }
    assert!(
        skipped * 100 < total * MAX_SKIPPED_PERCENT,
        "the oracle skipped {skipped} of {total} cases (limit {MAX_SKIPPED_PERCENT}%): {skip_reasons:?}"
    );
    if !unexplained.is_empty() {
        let show = std::env::var("DIFFERENTIAL_SHOW")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(SHOW);
        let shown: Vec<&String> = unexplained.iter().take(show).collect();
        panic!(
            "{} disagreements with iam-simulate are not in tests/known-differences.md; the first {}:\n\n{}",
            unexplained.len(),
            shown.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n----------------\n")
        );
    }
}

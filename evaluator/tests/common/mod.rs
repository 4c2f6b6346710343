//! Shared proptest strategies for the law and reference-model tests.
//!
//! Everything is drawn from a small universe (five actions, a handful of
//! ARNs, callers, condition keys and values) so that statements match often
//! and every branch of the decision is reached. Policies are generated as
//! plain data ([`Pol`], [`Stmt`], [`Cond`]) that the reference model reads
//! directly; [`Pol::to_json`] renders them for the crate, which parses them
//! with [`Policy::from_json`].

#![allow(dead_code)]

use iam_evaluator::{NamedPolicy, Policy, PolicySet, Principal, Request, RequestContext};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use serde_json::{Map, Value};

pub const ACCOUNT: &str = "111111111111";
pub const OTHER_ACCOUNT: &str = "222222222222";

/// The closed universe of actions requests are drawn from.
pub const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "sqs:SendMessage",
    "iam:GetUser",
];

/// Action patterns with wildcards (exact universe actions are added too).
const ACTION_WILDCARDS: &[&str] = &[
    "*",
    "*",
    "s3:*",
    "s3:Get*",
    "s3:?etObject",
    "*Object",
    "iam:*",
    "S3:GET*",
    "sqs:Send*",
    "s3:*Bucket",
    "s3:Get?",
];

/// Resources requests are made on.
pub const RESOURCES: &[&str] = &[
    "arn:aws:s3:::bucket/home/alice/notes.txt",
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::bucket",
    "arn:aws:s3:::Bucket/key",
    "arn:aws:sqs:us-east-1:111111111111:queue",
    "arn:aws:sqs:us-east-1:222222222222:queue",
    "arn:aws:logs:us-east-1:111111111111:log-group:app:log-stream:alice",
    "arn:aws:logs:us-east-1:111111111111:log-group:web:log-stream:bob",
    "arn:aws:iam::111111111111:user/alice",
    "*",
];

/// `Resource` / `NotResource` patterns, some with policy variables.
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket*",
    "arn:aws:s3:::*/key",
    "arn:aws:s3:*",
    "arn:aws:s3:::bucket/home/${aws:username}/*",
    "arn:aws:s3:::bucket/home/${aws:PrincipalTag/team, 'alice'}/*",
    "arn:aws:s3:::bucket/${*}",
    "arn:aws:s3:::bucket/home/?????/*",
    "arn:aws:s3:::Bucket/*",
    "arn:aws:sqs:*:111111111111:*",
    "arn:aws:sqs:us-east-?:*:queue",
    "arn:aws:sqs:*:queue",
    "arn:aws:*:*:111111111111:*",
    "arn:aws:logs:*:*:log-group:*",
    "arn:aws:logs:*:*:*:log-stream:${aws:username}",
    "arn:aws:logs:*:111111111111:log-group:*:${aws:username}",
    "arn:aws:logs:*:*:*:${aws:username}",
    "arn:aws:logs:*:*:*:log-stream:alice",
    "arn:aws:iam::*:user/${aws:username}",
];

/// Entries of a `Principal: {"AWS": …}` element.
const PRINCIPAL_ENTRIES: &[&str] = &[
    "*",
    "*",
    "111111111111",
    "arn:aws:iam::111111111111:root",
    "222222222222",
    "arn:aws:iam::222222222222:root",
    "arn:aws:iam::111111111111:user/alice",
    "arn:aws:iam::222222222222:user/bob",
    "arn:aws:iam::111111111111:role/Reader",
    "arn:aws:iam::111111111111:role/team/Reader",
    "arn:aws:iam::222222222222:role/Reader",
    "arn:aws:sts::111111111111:assumed-role/Reader/s1",
    "arn:aws:sts::111111111111:federated-user/fed",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerKind {
    User,
    Root,
    /// An assumed-role session.
    Session,
    FederatedUser,
    Anonymous,
}

/// A caller of the universe, described independently of the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub arn: &'static str,
    pub account: Option<&'static str>,
    pub kind: CallerKind,
    /// The role name, for assumed-role sessions.
    pub role: Option<&'static str>,
}

pub const CALLERS: &[Caller] = &[
    Caller {
        arn: "arn:aws:iam::111111111111:user/alice",
        account: Some(ACCOUNT),
        kind: CallerKind::User,
        role: None,
    },
    Caller {
        arn: "arn:aws:iam::222222222222:user/bob",
        account: Some(OTHER_ACCOUNT),
        kind: CallerKind::User,
        role: None,
    },
    Caller {
        arn: "arn:aws:iam::111111111111:root",
        account: Some(ACCOUNT),
        kind: CallerKind::Root,
        role: None,
    },
    Caller {
        arn: "arn:aws:iam::222222222222:root",
        account: Some(OTHER_ACCOUNT),
        kind: CallerKind::Root,
        role: None,
    },
    Caller {
        arn: "arn:aws:sts::111111111111:assumed-role/Reader/s1",
        account: Some(ACCOUNT),
        kind: CallerKind::Session,
        role: Some("Reader"),
    },
    Caller {
        arn: "arn:aws:sts::222222222222:assumed-role/Reader/s2",
        account: Some(OTHER_ACCOUNT),
        kind: CallerKind::Session,
        role: Some("Reader"),
    },
    Caller {
        arn: "arn:aws:sts::111111111111:federated-user/fed",
        account: Some(ACCOUNT),
        kind: CallerKind::FederatedUser,
        role: None,
    },
    Caller {
        arn: "anonymous",
        account: None,
        kind: CallerKind::Anonymous,
        role: None,
    },
];

impl Caller {
    pub fn principal(&self) -> Principal {
        if self.kind == CallerKind::Anonymous {
            Principal::anonymous()
        } else {
            Principal::from_arn(self.arn).expect("universe caller ARNs parse")
        }
    }

    /// IAM users and sessions have identity policies (and boundaries).
    pub fn has_identity_policies(&self) -> bool {
        matches!(
            self.kind,
            CallerKind::User | CallerKind::Session | CallerKind::FederatedUser
        )
    }

    /// Session policies apply to assumed-role and federated-user sessions.
    pub fn is_session(&self) -> bool {
        matches!(self.kind, CallerKind::Session | CallerKind::FederatedUser)
    }
}

// ---------------------------------------------------------------- conditions

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    ForAllValues,
    ForAnyValue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    Bool,
    IpAddress,
    ArnEquals,
    ArnLike,
    Null,
}

impl Base {
    /// The operator name, positive and negated (`None`: no negated form).
    fn names(self) -> (&'static str, Option<&'static str>) {
        match self {
            Base::StringEquals => ("StringEquals", Some("StringNotEquals")),
            Base::StringEqualsIgnoreCase => ("StringEqualsIgnoreCase", Some("StringNotEqualsIgnoreCase")),
            Base::StringLike => ("StringLike", Some("StringNotLike")),
            Base::NumericEquals => ("NumericEquals", Some("NumericNotEquals")),
            Base::NumericLessThan => ("NumericLessThan", None),
            Base::NumericLessThanEquals => ("NumericLessThanEquals", None),
            Base::NumericGreaterThan => ("NumericGreaterThan", None),
            Base::NumericGreaterThanEquals => ("NumericGreaterThanEquals", None),
            Base::Bool => ("Bool", None),
            Base::IpAddress => ("IpAddress", Some("NotIpAddress")),
            Base::ArnEquals => ("ArnEquals", Some("ArnNotEquals")),
            Base::ArnLike => ("ArnLike", Some("ArnNotLike")),
            Base::Null => ("Null", None),
        }
    }

    pub fn has_negation(self) -> bool {
        self.names().1.is_some()
    }
}

/// One condition clause: `"<set>:<operator><IfExists>": {key: values}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cond {
    pub set: Option<SetOp>,
    pub base: Base,
    pub negated: bool,
    pub if_exists: bool,
    pub key: String,
    pub values: Vec<String>,
}

impl Cond {
    pub fn operator_name(&self) -> String {
        let (positive, negative) = self.base.names();
        let mut name = String::new();
        match self.set {
            Some(SetOp::ForAllValues) => name.push_str("ForAllValues:"),
            Some(SetOp::ForAnyValue) => name.push_str("ForAnyValue:"),
            None => {}
        }
        name.push_str(if self.negated {
            negative.expect("negated only where a negated form exists")
        } else {
            positive
        });
        if self.if_exists {
            name.push_str("IfExists");
        }
        name
    }
}

pub const K_USERNAME: &str = "aws:username";
pub const K_TEAM: &str = "aws:PrincipalTag/team";
pub const K_SOURCE_IP: &str = "aws:SourceIp";
pub const K_SECURE: &str = "aws:SecureTransport";
pub const K_MAX_KEYS: &str = "s3:max-keys";
pub const K_TAG_KEYS: &str = "aws:TagKeys";
pub const K_SOURCE_ARN: &str = "aws:SourceArn";

/// Every condition key of the universe.
pub const KEYS: &[&str] = &[
    K_USERNAME,
    K_TEAM,
    K_SOURCE_IP,
    K_SECURE,
    K_MAX_KEYS,
    K_TAG_KEYS,
    K_SOURCE_ARN,
];

const STRING_VALUES: &[&str] = &[
    "alice",
    "Alice",
    "bob",
    "team-a",
    "x:y",
    "a*",
    "?lice",
    "*",
    "env",
    "cost",
    "${aws:username}",
    "${aws:PrincipalTag/team}",
    "team-${aws:username}",
    "${aws:PrincipalTag/team, 'team-a'}",
    "${*}",
];
const NUMBER_VALUES: &[&str] = &["1", "5", "10", "5.0", "7"];
const BOOL_VALUES: &[&str] = &["true", "false"];
const IP_VALUES: &[&str] = &[
    "10.0.0.0/24",
    "10.0.0.0/16",
    "10.0.1.0/24",
    "192.168.1.1",
    "192.168.1.1/32",
    "0.0.0.0/0",
];
const ARN_VALUES: &[&str] = &[
    "arn:aws:sns:*:111111111111:*",
    "arn:aws:sqs:*:*:queue",
    "arn:aws:*:*:222222222222:*",
    "arn:aws:sns:us-east-1:111111111111:topic",
    "arn:aws:sns:*:${aws:PrincipalTag/team}:*",
    "*",
];

/// `text` with its ASCII letters re-cased by `mask` (bit i set: char i upper).
pub fn recase(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if (mask >> (i % 64)) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// `text` as is (mostly) or with its ASCII letters randomly re-cased.
pub fn maybe_recased(text: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(text.to_string()),
        1 => any::<u64>().prop_map(move |m| recase(text, m)),
    ]
}

fn strings_from(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<String>> {
    vec(select(pool).prop_map(str::to_string), 1..=max)
}

/// A condition key: mostly one suited to the operator family, sometimes any.
fn key_for(family: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![4 => select(family), 1 => select(KEYS)].prop_flat_map(maybe_recased)
}

fn set_op() -> impl Strategy<Value = Option<SetOp>> {
    prop_oneof![
        5 => Just(None),
        2 => Just(Some(SetOp::ForAllValues)),
        2 => Just(Some(SetOp::ForAnyValue)),
    ]
}

fn family(
    bases: &'static [Base],
    keys: &'static [&'static str],
    values: &'static [&'static str],
) -> impl Strategy<Value = Cond> {
    (
        select(bases),
        any::<bool>(),
        set_op(),
        prop::bool::weighted(0.25),
        key_for(keys),
        strings_from(values, 3),
    )
        .prop_map(|(base, negated, set, if_exists, key, values)| Cond {
            set,
            base,
            negated: negated && base.has_negation(),
            if_exists,
            key,
            values,
        })
}

pub fn condition() -> impl Strategy<Value = Cond> {
    prop_oneof![
        4 => family(
            &[Base::StringEquals, Base::StringEqualsIgnoreCase, Base::StringLike],
            &[K_USERNAME, K_TEAM, K_TAG_KEYS, K_SOURCE_ARN],
            STRING_VALUES,
        ),
        2 => family(
            &[
                Base::NumericEquals,
                Base::NumericLessThan,
                Base::NumericLessThanEquals,
                Base::NumericGreaterThan,
                Base::NumericGreaterThanEquals,
            ],
            &[K_MAX_KEYS],
            NUMBER_VALUES,
        ),
        1 => family(&[Base::Bool], &[K_SECURE], BOOL_VALUES),
        1 => family(&[Base::IpAddress], &[K_SOURCE_IP], IP_VALUES),
        1 => family(&[Base::ArnEquals, Base::ArnLike], &[K_SOURCE_ARN], ARN_VALUES),
        1 => (key_for(KEYS), strings_from(BOOL_VALUES, 1)).prop_map(|(key, values)| Cond {
            set: None,
            base: Base::Null,
            negated: false,
            if_exists: false,
            key,
            values,
        }),
    ]
}

/// Conditions of one statement: at most one clause per (operator, key) as
/// written, since a JSON object cannot hold the same key twice.
fn conditions() -> impl Strategy<Value = Vec<Cond>> {
    prop_oneof![
        3 => Just(Vec::new()),
        2 => vec(condition(), 1..=2),
        1 => vec(condition(), 3..=4),
    ]
    .prop_map(|mut conds| {
        let mut seen = Vec::new();
        conds.retain(|c| {
            let id = (c.operator_name(), c.key.clone());
            let fresh = !seen.contains(&id);
            seen.push(id);
            fresh
        });
        conds
    })
}

// ---------------------------------------------------------------- policies

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalElem {
    /// `"Principal": "*"`.
    Star,
    /// `"Principal": {"AWS": [...]}`.
    Aws(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    pub allow: bool,
    pub principal: Option<PrincipalElem>,
    /// The principal element is `NotPrincipal` (resource policies only).
    pub not_principal: bool,
    pub not_action: bool,
    pub actions: Vec<String>,
    /// `(negated, patterns)`; `None`: no Resource element.
    pub resource: Option<(bool, Vec<String>)>,
    pub conditions: Vec<Cond>,
}

impl Stmt {
    /// A statement whose action and resource name the request exactly (for
    /// resource-based policies, naming everyone), without conditions.
    pub fn exact(allow: bool, action: &str, resource_policy: bool) -> Stmt {
        Stmt {
            allow,
            principal: resource_policy.then_some(PrincipalElem::Star),
            not_principal: false,
            not_action: false,
            actions: vec![action.to_string()],
            resource: Some((false, vec!["*".to_string()])),
            conditions: Vec::new(),
        }
    }

    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("Effect".into(), if self.allow { "Allow" } else { "Deny" }.into());
        let principal = if self.not_principal {
            "NotPrincipal"
        } else {
            "Principal"
        };
        match &self.principal {
            Some(PrincipalElem::Star) => {
                out.insert(principal.into(), "*".into());
            }
            Some(PrincipalElem::Aws(entries)) => {
                let mut p = Map::new();
                p.insert("AWS".into(), strings_json(entries));
                out.insert(principal.into(), Value::Object(p));
            }
            None => {}
        }
        let action = if self.not_action { "NotAction" } else { "Action" };
        out.insert(action.into(), strings_json(&self.actions));
        if let Some((negated, patterns)) = &self.resource {
            let name = if *negated { "NotResource" } else { "Resource" };
            out.insert(name.into(), strings_json(patterns));
        }
        if !self.conditions.is_empty() {
            let mut block = Map::new();
            for c in &self.conditions {
                let entry = block
                    .entry(c.operator_name())
                    .or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(keys) = entry else {
                    unreachable!()
                };
                assert!(
                    keys.insert(c.key.clone(), strings_json(&c.values)).is_none(),
                    "duplicate condition {} {}",
                    c.operator_name(),
                    c.key
                );
            }
            out.insert("Condition".into(), Value::Object(block));
        }
        Value::Object(out)
    }
}

fn strings_json(items: &[String]) -> Value {
    Value::Array(items.iter().cloned().map(Value::String).collect())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pol {
    /// `Some("2012-10-17")`, `Some("2008-10-17")` or no `Version`.
    pub version: Option<&'static str>,
    pub statements: Vec<Stmt>,
}

impl Pol {
    pub fn substitutes_variables(&self) -> bool {
        self.version == Some("2012-10-17")
    }

    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if let Some(v) = self.version {
            out.insert("Version".into(), v.into());
        }
        out.insert(
            "Statement".into(),
            Value::Array(self.statements.iter().map(Stmt::to_json).collect()),
        );
        Value::Object(out)
    }

    pub fn to_policy(&self) -> Policy {
        let json = self.to_json();
        Policy::from_json(&json).unwrap_or_else(|e| panic!("generated policy {json} does not parse: {e}"))
    }

    pub fn named(&self, name: &str) -> NamedPolicy {
        NamedPolicy::new(name, self.to_policy())
    }

    /// `Allow * on *`, like AWS's `FullAWSAccess` SCP.
    pub fn full_access() -> Pol {
        Pol {
            version: Some("2012-10-17"),
            statements: vec![Stmt {
                allow: true,
                principal: None,
                not_principal: false,
                not_action: false,
                actions: vec!["*".into()],
                resource: Some((false, vec!["*".into()])),
                conditions: Vec::new(),
            }],
        }
    }
}

fn action_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        select(ACTIONS).prop_flat_map(maybe_recased),
        select(ACTION_WILDCARDS).prop_map(str::to_string),
    ]
}

/// Patterns and principal entries derived from one request, mixed into
/// the static pools so that generated statements often name the request.
#[derive(Clone, Debug)]
pub struct Hints {
    pub resources: Vec<String>,
    pub principals: Vec<String>,
}

impl Hints {
    /// Only the static pools.
    pub fn none() -> Hints {
        Hints {
            resources: vec!["*".into()],
            principals: vec!["*".into()],
        }
    }

    /// The request's resource, with the caller's user name written as
    /// `${aws:username}` and runs of colon fields replaced by `*`; the
    /// caller's ARN, account and role.
    pub fn for_request(req: &Req) -> Hints {
        let mut variants = vec![req.resource.clone()];
        let user = req.context.iter().find_map(|(k, v)| match v {
            CtxValue::Single(v) if k.eq_ignore_ascii_case(K_USERNAME) => Some(v.clone()),
            _ => None,
        });
        if let Some(user) = user.filter(|u| !u.is_empty() && !u.contains(['*', '?', '$'])) {
            if req.resource.contains(&user) {
                variants.push(req.resource.replace(&user, "${aws:username}"));
            }
        }
        let mut resources = Vec::new();
        for v in &variants {
            resources.push(v.clone());
            let fields: Vec<&str> = v.split(':').collect();
            for i in 3..fields.len() {
                for j in i + 1..=fields.len() {
                    let mut parts: Vec<&str> = fields[..i].to_vec();
                    parts.push("*");
                    parts.extend(&fields[j..]);
                    resources.push(parts.join(":"));
                }
            }
        }
        let mut principals = vec!["*".to_string()];
        if let Some(account) = req.caller.account {
            principals.push(req.caller.arn.to_string());
            principals.push(account.to_string());
            principals.push(format!("arn:aws:iam::{account}:root"));
            if let Some(role) = req.caller.role {
                principals.push(format!("arn:aws:iam::{account}:role/{role}"));
            }
        }
        Hints {
            resources,
            principals,
        }
    }
}

pub fn principal_elem(hints: &Hints) -> impl Strategy<Value = PrincipalElem> {
    let entry = prop_oneof![
        2 => select(PRINCIPAL_ENTRIES).prop_map(str::to_string),
        1 => select(hints.principals.clone()),
    ];
    prop_oneof![
        1 => Just(PrincipalElem::Star),
        4 => vec(entry, 1..=3).prop_map(PrincipalElem::Aws),
    ]
}

fn resource_pattern(hints: &Hints) -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(RESOURCE_PATTERNS).prop_map(str::to_string),
        1 => select(hints.resources.clone()),
    ]
}

/// A random statement; resource-based ones carry a `Principal` (sometimes
/// a `NotPrincipal`).
pub fn statement(resource_policy: bool, hints: &Hints) -> impl Strategy<Value = Stmt> {
    let principal = if resource_policy {
        (principal_elem(hints).prop_map(Some), prop::bool::weighted(0.15)).boxed()
    } else {
        Just((None, false)).boxed()
    };
    (
        prop::bool::weighted(0.7),
        principal,
        prop::bool::weighted(0.2),
        vec(action_pattern(), 1..=2),
        option::weighted(
            0.9,
            (prop::bool::weighted(0.15), vec(resource_pattern(hints), 1..=2)),
        ),
        conditions(),
    )
        .prop_map(
            |(allow, (principal, not_principal), not_action, actions, resource, conditions)| Stmt {
                allow,
                principal,
                not_principal,
                not_action,
                actions,
                resource,
                conditions,
            },
        )
}

fn version() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        8 => Just(Some("2012-10-17")),
        1 => Just(Some("2008-10-17")),
        1 => Just(None),
    ]
}

pub fn policy(resource_policy: bool, hints: &Hints) -> impl Strategy<Value = Pol> {
    (version(), vec(statement(resource_policy, hints), 1..=3))
        .prop_map(|(version, statements)| Pol { version, statements })
}

/// SCPs and RCPs: mostly `FullAWSAccess`, sometimes a random policy.
fn org_policy(hints: &Hints) -> impl Strategy<Value = Pol> {
    prop_oneof![3 => Just(Pol::full_access()), 2 => policy(false, hints)]
}

/// Every policy of a request, in the model's terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set {
    pub identity: Vec<Pol>,
    pub resource: Vec<Pol>,
    pub boundary: Option<Pol>,
    pub session: Vec<Pol>,
    pub scps: Vec<Vec<Pol>>,
    pub rcps: Vec<Vec<Pol>>,
    /// The resource policy is a role trust policy: it must allow by itself.
    pub role_trust: bool,
}

impl Set {
    pub fn to_policy_set(&self) -> PolicySet {
        let named = |prefix: &str, pols: &[Pol]| -> Vec<NamedPolicy> {
            pols.iter()
                .enumerate()
                .map(|(i, p)| p.named(&format!("{prefix}{i}")))
                .collect()
        };
        PolicySet {
            identity: named("identity", &self.identity),
            resource: named("resource", &self.resource),
            boundary: self.boundary.as_ref().map(|p| p.named("boundary")),
            session: named("session", &self.session),
            scps: self.scps.iter().map(|level| named("scp", level)).collect(),
            rcps: self.rcps.iter().map(|level| named("rcp", level)).collect(),
            role_trust: self.role_trust,
            acls: Vec::new(),
        }
    }

    /// Every policy, mutably (for laws that rewrite statements).
    pub fn policies_mut(&mut self) -> Vec<&mut Pol> {
        let mut all: Vec<&mut Pol> = Vec::new();
        all.extend(self.identity.iter_mut());
        all.extend(self.resource.iter_mut());
        all.extend(self.boundary.iter_mut());
        all.extend(self.session.iter_mut());
        all.extend(self.scps.iter_mut().flatten());
        all.extend(self.rcps.iter_mut().flatten());
        all
    }

    /// Every policy with whether it is resource-based.
    pub fn policies_mut_typed(&mut self) -> Vec<(&mut Pol, bool)> {
        let mut all: Vec<(&mut Pol, bool)> = Vec::new();
        all.extend(self.identity.iter_mut().map(|p| (p, false)));
        all.extend(self.resource.iter_mut().map(|p| (p, true)));
        all.extend(self.boundary.iter_mut().map(|p| (p, false)));
        all.extend(self.session.iter_mut().map(|p| (p, false)));
        all.extend(self.scps.iter_mut().flatten().map(|p| (p, false)));
        all.extend(self.rcps.iter_mut().flatten().map(|p| (p, false)));
        all
    }

    pub fn to_json(&self) -> Value {
        let list = |pols: &[Pol]| Value::Array(pols.iter().map(Pol::to_json).collect());
        let levels = |lv: &[Vec<Pol>]| Value::Array(lv.iter().map(|l| list(l)).collect());
        serde_json::json!({
            "identity": list(&self.identity),
            "resource": list(&self.resource),
            "boundary": self.boundary.as_ref().map(Pol::to_json),
            "session": list(&self.session),
            "scps": levels(&self.scps),
            "rcps": levels(&self.rcps),
            "roleTrust": self.role_trust,
        })
    }
}

pub fn policy_set(hints: &Hints) -> impl Strategy<Value = Set> {
    (
        vec(policy(false, hints), 0..=2),
        vec(policy(true, hints), 0..=2),
        option::weighted(0.3, policy(false, hints)),
        prop_oneof![1 => Just(Vec::new()), 1 => vec(policy(false, hints), 1..=2)],
        vec(vec(org_policy(hints), 1..=2), 0..=2),
        prop_oneof![2 => Just(Vec::new()), 1 => vec(vec(org_policy(hints), 1..=2), 1..=1)],
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(identity, resource, boundary, session, scps, rcps, role_trust)| Set {
                identity,
                resource,
                boundary,
                session,
                scps,
                rcps,
                role_trust,
            },
        )
}

/// A request and a policy set whose statements often name it.
pub fn case() -> impl Strategy<Value = (Set, Req)> {
    request().prop_flat_map(|req| (policy_set(&Hints::for_request(&req)), Just(req)))
}

/// A case plus one identity-style and one resource-style statement.
pub fn case_and_statements() -> impl Strategy<Value = (Set, Req, Stmt, Stmt)> {
    request().prop_flat_map(|req| {
        let hints = Hints::for_request(&req);
        (
            policy_set(&hints),
            Just(req),
            statement(false, &hints),
            statement(true, &hints),
        )
    })
}

// ---------------------------------------------------------------- requests

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtxValue {
    Single(String),
    Multi(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Req {
    pub caller: Caller,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    /// Distinct keys (in any case) and their values.
    pub context: Vec<(String, CtxValue)>,
}

impl Req {
    pub fn to_request(&self) -> Request {
        let mut context = RequestContext::new();
        for (key, value) in &self.context {
            match value {
                CtxValue::Single(v) => context.set(key, v.clone()),
                CtxValue::Multi(vs) => context.set_multi(key, vs.clone()),
            };
        }
        Request {
            principal: self.caller.principal(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            resource_account: self.resource_account.clone(),
            context,
        }
    }

    /// Removes `key` (any case) from the context.
    pub fn without_key(&self, key: &str) -> Req {
        let mut out = self.clone();
        out.context.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        out
    }
}

fn single(pool: &'static [&'static str]) -> impl Strategy<Value = Option<CtxValue>> {
    option::weighted(0.8, select(pool).prop_map(|v| CtxValue::Single(v.to_string())))
}

fn multi(pool: &'static [&'static str]) -> impl Strategy<Value = CtxValue> {
    subsequence(pool, 0..=pool.len())
        .prop_map(|vs| CtxValue::Multi(vs.into_iter().map(str::to_string).collect()))
}

pub fn context() -> impl Strategy<Value = Vec<(String, CtxValue)>> {
    let team = prop_oneof![
        1 => Just(None),
        4 => select(&["alice", "team-a", "x:y", "Team-A"][..])
            .prop_map(|v| Some(CtxValue::Single(v.to_string()))),
        1 => multi(&["team-a", "b"]).prop_map(Some),
    ];
    let tag_keys = prop_oneof![
        1 => Just(None),
        1 => Just(Some(CtxValue::Single("env".into()))),
        4 => multi(&["env", "cost", "owner"]).prop_map(Some),
    ];
    (
        single(&["alice", "alice", "alice", "bob", "Alice", "a*"]),
        team,
        single(&["10.0.0.1", "10.0.1.5", "192.168.1.1", "not-an-ip"]),
        single(&["true", "false"]),
        single(&["1", "5", "10", "5.0", "x"]),
        tag_keys,
        single(&[
            "arn:aws:sns:us-east-1:111111111111:topic",
            "arn:aws:sqs:us-east-1:222222222222:queue",
        ]),
        any::<u64>(),
    )
        .prop_map(|(user, team, ip, secure, max_keys, tag_keys, source_arn, mask)| {
            let values = [user, team, ip, secure, max_keys, tag_keys, source_arn];
            KEYS.iter()
                .zip(values)
                .enumerate()
                .filter_map(|(i, (key, value))| {
                    // Context keys in random case: lookups ignore case.
                    let key = if (mask >> i) & 1 == 1 {
                        recase(key, mask >> 8)
                    } else {
                        (*key).to_string()
                    };
                    value.map(|v| (key, v))
                })
                .collect()
        })
}

pub fn request() -> impl Strategy<Value = Req> {
    (
        select(CALLERS),
        select(ACTIONS).prop_flat_map(maybe_recased),
        select(RESOURCES),
        prop_oneof![
            3 => Just(None),
            2 => Just(Some(ACCOUNT.to_string())),
            1 => Just(Some(OTHER_ACCOUNT.to_string())),
        ],
        context(),
    )
        // A federated user never reaches IAM: AWS's FederatedUserApiLimits
        // rule denies it before the policies (tested in rules.rs and by the
        // laws that name it), so the laws about policies leave that pair out.
        .prop_filter("federated users do not call IAM", |(caller, action, ..)| {
            !(caller.kind == CallerKind::FederatedUser && action.to_ascii_lowercase().starts_with("iam:"))
        })
        .prop_map(|(caller, action, resource, resource_account, context)| Req {
            caller,
            action,
            resource: resource.to_string(),
            resource_account,
            context,
        })
}

/// A deterministic permutation of `items` driven by `seed` (Fisher–Yates
/// with a xorshift generator), for the statement-order law.
pub fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let j = usize::try_from(*seed % (i as u64 + 1)).expect("index fits");
        items.swap(i, j);
    }
}

//! Properties of policy validation on random, often broken, documents: a
//! document Access Analyzer's checks find no ERROR in parses in the
//! evaluator, and a document the evaluator's parser refuses has an ERROR
//! finding (for every policy type); IAM's write-time check refuses what the
//! parser refuses.

use iam_evaluator::validate::{check_write, validate_policy, FindingType, PolicyKind, WriteTarget};
use iam_evaluator::Policy;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0u32..5000).prop_map(|n| json!(n)),
        "[a-z*:/ ]{0,8}".prop_map(Value::String),
    ]
}

/// A value of any shape (to put where another shape belongs).
fn odd() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec(("[A-Za-z]{1,6}", inner), 0..3)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn one_or_many(items: Vec<&'static str>) -> impl Strategy<Value = Value> {
    let pick = prop::sample::select(items);
    prop_oneof![
        pick.clone().prop_map(|s| json!(s)),
        prop::collection::vec(pick, 0..4).prop_map(|v| json!(v)),
        odd(),
    ]
}

fn actions() -> impl Strategy<Value = Value> {
    one_or_many(vec![
        "s3:GetObject",
        "s3:ListBucket",
        "s3:Get*",
        "*",
        "s3:ListObject",
        "kinesis: Get*",
        "iam:PassRole",
        "s4:GetObject",
        "GetObject",
        "s3:Get:Object",
        "*:List*",
    ])
}

fn resources() -> impl Strategy<Value = Value> {
    one_or_many(vec![
        "*",
        "arn:aws:s3:::b",
        "arn:aws:s3:::b/*",
        "arn:aws:s3:::b/${aws:username}/*",
        "bucket",
        "arn:aws-x:s3:::b",
        "arn:aws:s3",
        "arn:aws:iam::123456789012:role/r",
        "arn:aws:kinesis:REGION:ACCOUNT-ID:stream/s",
    ])
}

fn principal() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("*")),
        Just(json!({"AWS": "arn:aws:iam::123456789012:root"})),
        Just(json!({"Service": ["ec2.amazonaws.com"]})),
        Just(json!({"Nobody": "x"})),
        odd(),
    ]
}

fn condition() -> impl Strategy<Value = Value> {
    let op = prop::sample::select(vec![
        "StringEquals",
        "StringLike",
        "ForAnyValue:StringEquals",
        "DateGreaterThan",
        "Bool",
        "StringEq",
        "NumericLessThanIfExists",
    ]);
    let values = prop_oneof![
        scalar(),
        prop::collection::vec(scalar(), 0..3).prop_map(Value::Array),
        odd()
    ];
    prop_oneof![
        (op, "[a-z]{1,3}:[A-Za-z]{1,6}", values).prop_map(|(op, key, v)| json!({ op: { key: v } })),
        odd(),
    ]
}

fn statement() -> impl Strategy<Value = Value> {
    let effect = prop_oneof![
        Just(json!("Allow")),
        Just(json!("Deny")),
        Just(json!("allow")),
        odd()
    ];
    let sid = prop_oneof![Just(json!("A")), Just(json!("B")), Just(json!("")), odd()];
    (
        prop::option::weighted(0.9, effect),
        prop::option::of(sid),
        prop::option::weighted(0.3, principal()),
        prop::option::weighted(0.85, (any::<bool>(), actions())),
        prop::option::weighted(0.85, (any::<bool>(), resources())),
        prop::option::weighted(0.3, condition()),
        prop::option::weighted(0.1, ("[A-Z][a-z]{2,6}", odd())),
    )
        .prop_map(|(effect, sid, principal, action, resource, condition, extra)| {
            let mut st = Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    st.insert(k.to_string(), v);
                }
            };
            put("Effect", effect);
            put("Sid", sid);
            put("Principal", principal);
            if let Some((not, a)) = action {
                put(if not { "NotAction" } else { "Action" }, Some(a));
            }
            if let Some((not, r)) = resource {
                put(if not { "NotResource" } else { "Resource" }, Some(r));
            }
            put("Condition", condition);
            if let Some((k, v)) = extra {
                put(&k, Some(v));
            }
            Value::Object(st)
        })
}

fn document() -> impl Strategy<Value = String> {
    let version = prop_oneof![
        Just(Some(json!("2012-10-17"))),
        Just(Some(json!("2008-10-17"))),
        Just(Some(json!("2024-10-24"))),
        Just(None),
        odd().prop_map(Some),
    ];
    let statements = prop_oneof![
        statement(),
        prop::collection::vec(statement(), 0..4).prop_map(Value::Array),
        odd(),
    ];
    (
        version,
        prop::option::weighted(0.95, statements),
        prop::option::weighted(0.05, odd()),
        any::<bool>(),
        prop::option::weighted(0.1, any::<prop::sample::Index>()),
    )
        .prop_map(|(version, statements, extra, pretty, cut)| {
            let mut doc = Map::new();
            if let Some(v) = version {
                doc.insert("Version".into(), v);
            }
            if let Some(s) = statements {
                doc.insert("Statement".into(), s);
            }
            if let Some(x) = extra {
                doc.insert("Statment".into(), x);
            }
            let doc = Value::Object(doc);
            let text = if pretty {
                serde_json::to_string_pretty(&doc).unwrap()
            } else {
                doc.to_string()
            };
            match cut {
                Some(at) => {
                    let chars: Vec<char> = text.chars().collect();
                    chars[..at.index(chars.len())].iter().collect()
                }
                None => text,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// ERROR-free ⇔ (at least) parseable: no ERROR finding means the
    /// evaluator parses the document; a document it refuses has an ERROR.
    #[test]
    fn error_free_documents_parse_and_unparseable_ones_have_errors(text in document()) {
        let parsed = Policy::parse(&text);
        for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::ServiceControl] {
            let findings = validate_policy(&text, kind, None);
            let errors = findings.iter().filter(|f| f.finding_type == FindingType::Error).count();
            if errors == 0 {
                prop_assert!(parsed.is_ok(), "{kind:?}: no ERROR, but the parser says {parsed:?} for {text}");
            }
            if let Err(e) = &parsed {
                prop_assert!(errors > 0, "{kind:?}: the parser says {e} but there is no ERROR for {text}: {findings:#?}");
            }
        }
    }

    /// IAM's write-time check never lets through what the parser refuses,
    /// and what it lets through is what the parser reads.
    #[test]
    fn write_time_checks_refuse_what_the_parser_refuses(text in document()) {
        for target in [WriteTarget::ManagedPolicy, WriteTarget::InlinePolicy, WriteTarget::TrustPolicy, WriteTarget::BucketPolicy] {
            match (check_write(&text, target), Policy::parse(&text)) {
                (Ok(policy), Ok(parsed)) => prop_assert_eq!(policy, parsed),
                (Ok(_), Err(e)) => prop_assert!(false, "{target:?} accepted what the parser refuses ({e}): {text}"),
                (Err(_), _) => {}
            }
        }
    }
}

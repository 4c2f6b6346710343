//! Decision latency on a 10-statement policy with conditions (goal < 2 µs).
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use iam_evaluator::{evaluate, NamedPolicy, Policy, PolicySet, Principal, Request, RequestContext};

fn ten_statement_policy() -> Policy {
    let mut statements = Vec::new();
    for i in 0..9 {
        statements.push(format!(
            r#"{{"Sid":"S{i}","Effect":"Allow","Action":["s3:Put*","s3:List{i}*"],"Resource":"arn:aws:s3:::bucket-{i}/*",
               "Condition":{{"StringEquals":{{"aws:PrincipalTag/team":"t{i}"}},"IpAddress":{{"aws:SourceIp":"10.{i}.0.0/16"}}}}}}"#
        ));
    }
    statements.push(
        r#"{"Sid":"Home","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/home/${aws:username}/*",
           "Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},
           "DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}"#
            .to_string(),
    );
    Policy::parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    ))
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let policies = PolicySet {
        identity: vec![NamedPolicy::new("p", ten_statement_policy())],
        ..PolicySet::default()
    };
    let mut context = RequestContext::new();
    context
        .set("aws:username", "alice")
        .set("aws:SourceIp", "10.1.2.3")
        .set("aws:SecureTransport", "true")
        .set("aws:CurrentTime", "2025-06-01T00:00:00Z")
        .set("aws:PrincipalTag/team", "t3");
    let request = Request {
        principal: Principal::from_arn("arn:aws:iam::123456789012:user/alice").unwrap(),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::data/home/alice/file.txt".into(),
        resource_account: Some("123456789012".into()),
        context,
    };
    assert!(evaluate(&request, &policies).is_allowed());
    c.bench_function("decision/10-statement policy with conditions", |b| {
        b.iter(|| evaluate(black_box(&request), black_box(&policies)));
    });
    let parsed = ten_statement_policy().to_json().to_string();
    c.bench_function("parse/10-statement policy", |b| {
        b.iter(|| Policy::parse(black_box(&parsed)).unwrap());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

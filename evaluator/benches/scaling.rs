//! How a decision's latency grows with the statements of a policy and with
//! the number of attached policies (docs/benchmarks.md). Realistic
//! statements: action and resource wildcards, `${aws:username}` variables,
//! and conditions on tags, source IP, time and transport; the statement
//! that allows is the last one, so every other one is looked at first.
//!
//! `cargo bench -p iam-evaluator --bench scaling`
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iam_evaluator::{evaluate, NamedPolicy, Policy, PolicySet, Principal, Request, RequestContext};
use std::time::Duration;

/// Statement `i` of a policy: one of four realistic shapes, none of which
/// allows the benchmark's request.
fn filler(p: usize, i: usize) -> String {
    match i % 4 {
        0 => format!(
            r#"{{"Sid":"P{p}S{i}","Effect":"Allow","Action":["s3:Put*","s3:List{i}*"],"Resource":"arn:aws:s3:::bucket-{p}-{i}/*",
               "Condition":{{"StringEquals":{{"aws:PrincipalTag/team":"t{i}"}},"IpAddress":{{"aws:SourceIp":"10.{}.0.0/16"}}}}}}"#,
            i % 250
        ),
        1 => format!(
            r#"{{"Sid":"P{p}S{i}","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team-{i}/home/${{aws:username}}/*",
               "Condition":{{"StringLike":{{"s3:prefix":["home/${{aws:username}}/*"]}}}}}}"#
        ),
        2 => format!(
            r#"{{"Sid":"P{p}S{i}","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"arn:aws:iam::123456789012:user/${{aws:username}}",
               "Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}"#
        ),
        _ => format!(
            r#"{{"Sid":"P{p}S{i}","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::*/locked-{i}/*",
               "Condition":{{"DateLessThan":{{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}}}"#
        ),
    }
}

/// The statement that allows the request (conditions and a variable).
const HOME: &str = r#"{"Sid":"Home","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/home/${aws:username}/*",
    "Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},
    "DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}"#;

/// Policy `p` with `n` statements; the last is [`HOME`] when `allowing`.
fn policy(p: usize, n: usize, allowing: bool) -> Policy {
    let mut statements: Vec<String> = (0..n.saturating_sub(usize::from(allowing)))
        .map(|i| filler(p, i))
        .collect();
    if allowing {
        statements.push(HOME.to_string());
    }
    Policy::parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    ))
    .unwrap()
}

fn request() -> Request {
    let mut context = RequestContext::new();
    context
        .set("aws:username", "alice")
        .set("aws:SourceIp", "10.1.2.3")
        .set("aws:SecureTransport", "true")
        .set("aws:CurrentTime", "2025-06-01T00:00:00Z")
        .set("aws:PrincipalTag/team", "t3");
    Request {
        principal: Principal::from_arn("arn:aws:iam::123456789012:user/alice").unwrap(),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::data/home/alice/file.txt".into(),
        resource_account: Some("123456789012".into()),
        context,
    }
}

fn statements(c: &mut Criterion) {
    let request = request();
    let mut group = c.benchmark_group("decision/statements");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    for n in [1usize, 10, 100] {
        let policies = PolicySet {
            identity: vec![NamedPolicy::new("p", policy(0, n, true))],
            ..PolicySet::default()
        };
        assert!(evaluate(&request, &policies).is_allowed());
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &policies, |b, p| {
            b.iter(|| evaluate(black_box(&request), black_box(p)));
        });
    }
    group.finish();
}

fn attached(c: &mut Criterion) {
    let request = request();
    let mut group = c.benchmark_group("decision/attached-policies-of-10-statements");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    for n in [1usize, 2, 5, 10, 20] {
        // The last attached policy is the one that allows.
        let identity = (0..n)
            .map(|p| NamedPolicy::new(&format!("p{p}"), policy(p, 10, p + 1 == n)))
            .collect();
        let policies = PolicySet {
            identity,
            ..PolicySet::default()
        };
        assert!(evaluate(&request, &policies).is_allowed());
        group.bench_with_input(BenchmarkId::from_parameter(n), &policies, |b, p| {
            b.iter(|| evaluate(black_box(&request), black_box(p)));
        });
    }
    group.finish();
}

fn layered(c: &mut Criterion) {
    // Every layer at once: an SCP, a boundary, identity and a bucket policy
    // (10 statements each where it applies) — what a strict org account pays.
    let request = request();
    let scp = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#,
    )
    .unwrap();
    let bucket = Policy::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",
        "Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#)
    .unwrap();
    let policies = PolicySet {
        identity: vec![NamedPolicy::new("p", policy(0, 10, true))],
        boundary: Some(NamedPolicy::new("boundary", policy(1, 10, true))),
        resource: vec![NamedPolicy::new("bucket", bucket)],
        scps: vec![
            vec![NamedPolicy::new("root", scp.clone())],
            vec![NamedPolicy::new("ou", scp)],
        ],
        ..PolicySet::default()
    };
    assert!(evaluate(&request, &policies).is_allowed());
    c.bench_function(
        "decision/layered: 2 SCP levels + boundary + identity + bucket policy",
        |b| {
            b.iter(|| evaluate(black_box(&request), black_box(&policies)));
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = statements, attached, layered
}
criterion_main!(benches);

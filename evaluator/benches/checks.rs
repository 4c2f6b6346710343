//! Custom policy check latency (Access Analyzer's CheckNoNewAccess,
//! CheckAccessNotGranted, CheckNoPublicAccess) on ten-statement policies.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use iam_evaluator::checks::{
    check_access_not_granted, check_no_new_access, check_no_public_access, Access, AccessCheckPolicyType,
};
use iam_evaluator::Policy;

/// Ten statements with wildcards, a variable and conditions; `principal`
/// adds a Principal element to each (a resource policy).
fn policy(principal: bool) -> Policy {
    let mut statements = Vec::new();
    for i in 0..9 {
        let who = if principal {
            format!(
                r#""Principal":{{"AWS":["arn:aws:iam::11111111111{i}:root","arn:aws:iam::222222222222:role/r{i}"]}},"#
            )
        } else {
            String::new()
        };
        statements.push(format!(
            r#"{{"Sid":"S{i}","Effect":"Allow",{who}"Action":["s3:Put*","s3:List{i}*"],"Resource":"arn:aws:s3:::bucket-{i}/*",
               "Condition":{{"StringEquals":{{"aws:PrincipalTag/team":"t{i}"}},"IpAddress":{{"aws:SourceIp":"10.{i}.0.0/16"}}}}}}"#
        ));
    }
    let who = if principal { r#""Principal":"*","# } else { "" };
    statements.push(format!(
        r#"{{"Sid":"Home","Effect":"Deny",{who}"NotAction":"s3:GetObject","NotResource":"arn:aws:s3:::data/home/${{aws:username}}/*"}}"#
    ));
    Policy::parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    ))
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let identity = policy(false);
    let resource = policy(true);
    c.bench_function("check_no_new_access identity 10 statements (itself)", |b| {
        b.iter(|| {
            check_no_new_access(
                black_box(&identity),
                black_box(&identity),
                AccessCheckPolicyType::Identity,
            )
        });
    });
    c.bench_function("check_no_new_access resource 10 statements (itself)", |b| {
        b.iter(|| {
            check_no_new_access(
                black_box(&resource),
                black_box(&resource),
                AccessCheckPolicyType::Resource,
            )
        });
    });
    let access = Access {
        actions: vec!["s3:DeleteBucket".into(), "iam:PassRole".into()],
        resources: vec!["arn:aws:s3:::bucket-3/secret/*".into()],
    };
    c.bench_function("check_access_not_granted resource 10 statements", |b| {
        b.iter(|| check_access_not_granted(black_box(&resource), AccessCheckPolicyType::Resource, &access));
    });
    c.bench_function("check_no_public_access 10 statements", |b| {
        b.iter(|| check_no_public_access(black_box(&resource), "AWS::S3::Bucket"));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

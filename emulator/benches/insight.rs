//! `who-can` and `can` at scale (issue 13): a state of 1,000 principals
//! (900 users in 10 groups, 100 roles) and 10,000 resources (8,980
//! Kinesis streams, the users and roles themselves, 10 buckets with
//! policies), and policy generation over 100,000 observations.
//!
//! `cargo bench -p iam-emulator --bench insight`
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use iam_emulator::insight::{self, subjects, Generalise, Observation, Options, Verdict};
use iam_emulator::state::iam::{Document, Group, Role, User};
use iam_emulator::state::kinesis::{Stream, StreamMode};
use iam_emulator::state::s3::Bucket;
use iam_emulator::state::State;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const ACCOUNT: &str = "123456789012";
const USERS: usize = 900;
const ROLES: usize = 100;
const STREAMS: usize = 8_980;
const TEAMS: usize = 10;

fn doc(text: &str) -> Document {
    Document {
        text: text.into(),
        parsed: Arc::new(iam_evaluator::Policy::parse(text).unwrap()),
    }
}

/// A team member's own policy: its team's streams and bucket, no IAM.
fn member_policy(team: usize) -> Document {
    doc(&format!(
        r#"{{"Version":"2012-10-17","Statement":[
{{"Sid":"Streams","Effect":"Allow","Action":["kinesis:PutRecord*","kinesis:Describe*"],"Resource":"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/team-{team}-*"}},
{{"Sid":"Objects","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-{team}/*"}},
{{"Sid":"NoIam","Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{{"StringNotEquals":{{"aws:PrincipalTag/admin":"yes"}}}}}}]}}"#
    ))
}

fn inline(document: Document) -> BTreeMap<String, Document> {
    BTreeMap::from([("p".to_string(), document)])
}

fn state() -> State {
    let mut state = State::new(Vec::new());
    let now = iam_emulator::ids::now();
    let account = state.account_mut(ACCOUNT);
    for team in 0..TEAMS {
        let name = format!("team-{team}");
        let read = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:List*","Resource":"*"}]}"#,
        );
        let group = Group {
            arn: format!("arn:aws:iam::{ACCOUNT}:group/{name}"),
            id: format!("AGPA{team}"),
            path: "/".into(),
            created: now,
            inline: inline(read),
            attached: Vec::new(),
            name: name.clone(),
        };
        account.groups.insert(name, group);
    }
    for i in 0..USERS {
        let name = format!("user-{i}");
        let user = User {
            arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
            id: format!("AIDA{i}"),
            path: "/".into(),
            created: now,
            inline: inline(member_policy(i % TEAMS)),
            attached: Vec::new(),
            groups: vec![format!("team-{}", i % TEAMS)],
            tags: vec![("team".into(), (i % TEAMS).to_string())],
            boundary: None,
            access_keys: Vec::new(),
            credentials: iam_emulator::state::credentials::UserCredentials::default(),
            name: name.clone(),
        };
        account.users.insert(name, user);
    }
    for i in 0..ROLES {
        let name = format!("role-{i}");
        let role = Role {
            arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            id: format!("AROA{i}"),
            path: "/".into(),
            created: now,
            trust: doc(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
            )),
            description: None,
            max_session_duration: 3600,
            inline: inline(member_policy(i % TEAMS)),
            attached: Vec::new(),
            tags: Vec::new(),
            boundary: None,
            last_used: None,
            name: name.clone(),
        };
        account.roles.insert(name, role);
    }
    for i in 0..STREAMS {
        let name = format!("team-{}-stream-{i}", i % TEAMS);
        let arn = format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}");
        let stream = Stream::new(arn, &name, StreamMode::Provisioned, 1, now);
        state.kinesis.insert(ACCOUNT, "us-east-1", stream);
    }
    for team in 0..TEAMS {
        let name = format!("bucket-{team}");
        let mut bucket = Bucket::new(&name, ACCOUNT, "us-east-1", now);
        bucket.policy = Some(doc(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"210987654321"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{name}/*"}}]}}"#
        )));
        state.buckets.insert(name, bucket);
    }
    state
}

fn observations(n: usize) -> Vec<Observation> {
    let now = iam_emulator::ids::now();
    (0..n)
        .map(|i| Observation {
            time: now,
            principal: format!("arn:aws:iam::{ACCOUNT}:user/user-{}", i % 10),
            action: ["s3:GetObject", "s3:PutObject", "kinesis:PutRecord"][i % 3].to_string(),
            resource: if i % 3 == 2 {
                format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s-{}", i % 50)
            } else {
                format!("arn:aws:s3:::b/run-{}/k{}", i % 100, i % 7)
            },
            resource_account: None,
            context: iam_emulator::observations::Context::default(),
            decision: Verdict::Allowed,
            region: None,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let state = state();
    let principals = subjects::all(&state).len();
    let resources = insight::targets::existing(&state).len();
    eprintln!("state: {principals} principals, {resources} resources");
    let mut group = c.benchmark_group("insight");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let stream = format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/team-3-stream-3");
    group.bench_function("who-can kinesis:PutRecord on a stream (1000 principals)", |b| {
        b.iter(|| black_box(insight::who_can::who_can(&state, "kinesis:PutRecord", &stream)));
    });
    group.bench_function("who-can s3:GetObject on an object (bucket policy)", |b| {
        b.iter(|| {
            black_box(insight::who_can::who_can(
                &state,
                "s3:GetObject",
                "arn:aws:s3:::bucket-3/k",
            ))
        });
    });
    let alice = subjects::find(&state, &format!("arn:aws:iam::{ACCOUNT}:user/user-3")).unwrap();
    group.bench_function("can user-3 on every resource (10000 resources)", |b| {
        b.iter(|| black_box(insight::can::can(&state, &alice, None)));
    });
    let seen = observations(100_000);
    let options = Options {
        principal: format!("arn:aws:iam::{ACCOUNT}:user/user-3"),
        since: None,
        until: None,
        generalise: Generalise::Prefix,
    };
    group.bench_function("policy generate over 100000 observations", |b| {
        b.iter(|| black_box(insight::generate(&seen, &options).unwrap()));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

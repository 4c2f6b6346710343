//! `--state-dir`: every kind of state survives a restart, removals too,
//! one folder serves one emulator at a time, and `export` / `import` carry
//! IAM state between folders.

use iam_harness::{Client, Emulator};
use serde_json::json;
use std::path::{Path, PathBuf};

/// A fresh folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "iam-emulator-test-{name}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start(dir: &Path) -> Emulator {
    Emulator::builder().state_dir(dir).start()
}

fn root(emu: &Emulator) -> Client {
    emu.client(&emu.root_credentials())
}

const S3_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
const ASSUME: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
const PUBLIC_READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::kept/*"}]}"#;
const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

#[test]
fn every_kind_of_state_survives_a_restart() {
    let dir = TempDir::new("restart");
    let big: Vec<u8> = (0..6 * 1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let (user_keys, session) = {
        let emu = start(&dir.0);
        let root = root(&emu);
        let user_keys = root.create_user_with_keys("alice");
        let _ = root.put_user_policy("alice", "s3-all", S3_ALL).expect_ok();
        let arn = root.create_policy("managed", S3_ALL);
        let _ = root.attach_user_policy("alice", &arn).expect_ok();
        let _ = root
            .query("iam", &[("Action", "CreateGroup"), ("GroupName", "devs")])
            .expect_ok();
        let _ = root
            .query(
                "iam",
                &[
                    ("Action", "AddUserToGroup"),
                    ("GroupName", "devs"),
                    ("UserName", "alice"),
                ],
            )
            .expect_ok();
        let role = root.create_role("deployer", TRUST_ACCOUNT);
        for params in [
            &[
                ("Action", "CreateInstanceProfile"),
                ("InstanceProfileName", "web"),
                ("Path", "/app/"),
            ][..],
            &[
                ("Action", "AddRoleToInstanceProfile"),
                ("InstanceProfileName", "web"),
                ("RoleName", "deployer"),
            ],
        ] {
            let _ = root.query("iam", params).expect_ok();
        }
        let _ = root.put_user_policy("alice", "assume", ASSUME).expect_ok();
        let session = emu.client(&user_keys).assume_role(&role, "ci");

        let alice = emu.client(&user_keys);
        let _ = alice.create_bucket("kept").expect_ok();
        let _ = alice.put_object("kept", "small.txt", b"hello").expect_ok();
        let _ = alice.put_object("kept", "big.bin", &big).expect_ok();
        let _ = alice.put_object("kept", "gone.txt", b"bye").expect_ok();
        let _ = alice.s3("DELETE", "/kept/gone.txt", &[], &[], b"").expect_ok();
        let upload = alice.s3("POST", "/kept/pending", &[("uploads", "")], &[], b"");
        let upload_id = upload.text("UploadId").expect("UploadId");
        let _ = alice
            .s3(
                "PUT",
                "/kept/pending",
                &[("partNumber", "1"), ("uploadId", &upload_id)],
                &[],
                b"part one",
            )
            .expect_ok();
        let _ = root
            .s3(
                "PUT",
                "/kept",
                &[("tagging", "")],
                &[],
                b"<Tagging><TagSet><Tag><Key>team</Key><Value>red</Value></Tag></TagSet></Tagging>",
            )
            .expect_ok();

        // A second policy version, made the default; a bucket policy with
        // Block Public Access turned off.
        let _ = root
            .query(
                "iam",
                &[
                    ("Action", "CreatePolicyVersion"),
                    ("PolicyArn", &arn),
                    ("PolicyDocument", ASSUME),
                    ("SetAsDefault", "true"),
                ],
            )
            .expect_ok();
        let _ = root.delete_public_access_block("kept").expect_ok();
        let _ = root.put_bucket_policy("kept", PUBLIC_READ).expect_ok();

        root.kinesis_ok("CreateStream", &json!({"StreamName": "events", "ShardCount": 1}));
        root.kinesis_ok(
            "PutRecord",
            &json!({"StreamName": "events", "PartitionKey": "k", "Data": "aGVsbG8="}),
        );
        (user_keys, session)
    };

    let emu = start(&dir.0);
    let root = root(&emu);
    let alice = emu.client(&user_keys);
    assert_eq!(
        root.query("iam", &[("Action", "ListUsers")]).texts("UserName"),
        ["alice"]
    );
    assert_eq!(
        root.query("iam", &[("Action", "ListUserPolicies"), ("UserName", "alice")])
            .texts("member"),
        ["assume", "s3-all"]
    );
    assert_eq!(
        root.query(
            "iam",
            &[("Action", "ListAttachedUserPolicies"), ("UserName", "alice")]
        )
        .texts("PolicyName"),
        ["managed"]
    );
    assert_eq!(
        root.query("iam", &[("Action", "ListGroupsForUser"), ("UserName", "alice")])
            .texts("GroupName"),
        ["devs"]
    );
    let profile = root.query(
        "iam",
        &[("Action", "GetInstanceProfile"), ("InstanceProfileName", "web")],
    );
    assert_eq!(
        profile.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:instance-profile/app/web")
    );
    assert_eq!(profile.texts("RoleName"), ["deployer"]);
    // The user's key, and the STS session issued before the restart, still sign.
    assert_eq!(alice.caller_arn(), "arn:aws:iam::123456789012:user/alice");
    assert_eq!(
        emu.client(&session).caller_arn(),
        "arn:aws:sts::123456789012:assumed-role/deployer/ci"
    );
    // Objects, byte for byte; the deleted one stays deleted.
    assert_eq!(alice.get_object("kept", "small.txt").bytes, b"hello");
    assert!(
        alice.get_object("kept", "big.bin").bytes == big,
        "the 6 MiB body changed"
    );
    let _ = alice
        .s3("GET", "/kept/gone.txt", &[], &[], b"")
        .expect_error(404, "NoSuchKey");
    let listed = alice.s3("GET", "/kept", &[("list-type", "2")], &[], b"");
    assert_eq!(listed.texts("Key"), ["big.bin", "small.txt"]);
    let uploads = alice.s3("GET", "/kept", &[("uploads", "")], &[], b"");
    assert_eq!(uploads.texts("Key"), ["pending"]);
    let tags = root.s3("GET", "/kept", &[("tagging", "")], &[], b"");
    assert_eq!(tags.texts("Value"), ["red"]);
    let versions = root.query(
        "iam",
        &[
            ("Action", "ListPolicyVersions"),
            ("PolicyArn", "arn:aws:iam::123456789012:policy/managed"),
        ],
    );
    assert_eq!(versions.texts("VersionId"), ["v2", "v1"], "{}", versions.body);
    assert_eq!(versions.texts("IsDefaultVersion"), ["true", "false"]);
    let policy = root.s3("GET", "/kept", &[("policy", "")], &[], b"");
    assert_eq!(policy.body, PUBLIC_READ);
    // The public policy works again: anonymous reads are allowed, as before.
    let _ = emu
        .anonymous_s3("GET", "/kept/small.txt", &[], &[], b"")
        .expect_ok();
    let records = root.kinesis_ok("GetShardIterator",
        &json!({"StreamName": "events", "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"}),
    );
    let got = root.kinesis_ok("GetRecords", &json!({"ShardIterator": records["ShardIterator"]}));
    assert_eq!(got["Records"][0]["Data"], "aGVsbG8=");
}

#[test]
fn iam_reads_write_nothing_to_disk() {
    let dir = TempDir::new("reads");
    let emu = start(&dir.0);
    let root = root(&emu);
    let written = || emu.app().records_written().expect("a state folder");
    let alice = root.create_user_with_keys("alice");
    let _ = root.put_user_policy("alice", "read", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}"#);
    let before = written();
    assert!(before > 0, "the writes above were stored");
    let alice = emu.client(&alice);
    for action in [
        "ListUsers",
        "ListRoles",
        "GetAccountSummary",
        "GetAccountAuthorizationDetails",
    ] {
        let _ = root.query("iam", &[("Action", action)]).expect_ok();
        let _ = alice.query("iam", &[("Action", action)]).expect_ok();
    }
    let _ = root
        .query("iam", &[("Action", "GetUser"), ("UserName", "alice")])
        .expect_ok();
    let _ = root
        .query("iam", &[("Action", "GetUser"), ("UserName", "nobody")])
        .expect_error(404, "NoSuchEntity");
    let _ = alice
        .query("iam", &[("Action", "CreateUser"), ("UserName", "denied")])
        .expect_error(403, "AccessDenied");
    assert_eq!(written(), before, "a read or a refused call rewrote a record");
    root.create_user("bob");
    assert_eq!(written(), before + 1, "one write, one account record");
}

#[test]
fn removals_survive_a_restart_and_leave_no_body_files() {
    let dir = TempDir::new("removals");
    {
        let emu = start(&dir.0);
        let root = root(&emu);
        root.create_user("temp");
        let _ = root.create_bucket("short-lived").expect_ok();
        let _ = root.put_object("short-lived", "a", b"aaaa").expect_ok();
        let _ = root.put_object("short-lived", "a", b"replaced").expect_ok();
        let _ = root.s3("DELETE", "/short-lived/a", &[], &[], b"").expect_ok();
        let _ = root.s3("DELETE", "/short-lived", &[], &[], b"").expect_ok();
        let _ = root
            .query("iam", &[("Action", "DeleteUser"), ("UserName", "temp")])
            .expect_ok();
    }
    let emu = start(&dir.0);
    let root = root(&emu);
    assert!(root
        .query("iam", &[("Action", "ListUsers")])
        .texts("UserName")
        .is_empty());
    let _ = root
        .s3("GET", "/short-lived", &[], &[], b"")
        .expect_error(404, "NoSuchBucket");
    let files: Vec<_> = std::fs::read_dir(dir.0.join("objects")).unwrap().collect();
    assert!(files.is_empty(), "body files left behind: {files:?}");
}

#[test]
fn reset_empties_the_state_on_disk_too() {
    let dir = TempDir::new("reset");
    {
        let emu = start(&dir.0);
        let root = root(&emu);
        root.create_user("before-reset");
        let _ = root.create_bucket("bkt").expect_ok();
        let _ = root.put_object("bkt", "k", b"v").expect_ok();
        emu.reset();
        root.create_user("after-reset");
    }
    let emu = start(&dir.0);
    let root = root(&emu);
    assert_eq!(
        root.query("iam", &[("Action", "ListUsers")]).texts("UserName"),
        ["after-reset"]
    );
    let _ = root
        .s3("GET", "/bkt", &[], &[], b"")
        .expect_error(404, "NoSuchBucket");
}

#[test]
fn a_second_emulator_on_the_same_folder_is_refused() {
    let dir = TempDir::new("lock");
    let _first = start(&dir.0);
    let config = iam_emulator::app::Config {
        auth: iam_harness::AuthMode::Strict,
        root_keys: Vec::new(),
        default_account: "123456789012".into(),
        s3_defaults: iam_emulator::state::s3::S3Defaults::Current,
    };
    let err = iam_emulator::app::App::open(config, &dir.0).expect_err("the folder is in use");
    assert!(err.contains("another iam-emulator is using this folder"), "{err}");
    assert!(err.contains(&format!("process {}", std::process::id())), "{err}");
}

#[test]
fn export_and_import_move_iam_state_between_folders() {
    let from = TempDir::new("export");
    let to = TempDir::new("import");
    {
        let emu = start(&from.0);
        let root = root(&emu);
        root.create_user_with_keys("exported");
        let _ = root.put_user_policy("exported", "p", S3_ALL).expect_ok();
        let _ = root.create_bucket("not-iam").expect_ok();
    }
    let mut state = iam_emulator::state::State::new(Vec::new());
    let (store, _) = iam_emulator::store::Store::open(&from.0, &mut state).unwrap();
    let text = serde_json::to_string(&iam_emulator::commands::transfer::export(&state)).unwrap();
    drop(store);

    let mut target = iam_emulator::state::State::new(Vec::new());
    let (store, _) = iam_emulator::store::Store::open(&to.0, &mut target).unwrap();
    iam_emulator::commands::transfer::import(
        &mut target,
        iam_emulator::commands::transfer::parse(&text).unwrap(),
    );
    store
        .commit(&iam_emulator::state::changes::take(&mut target, true).unwrap())
        .unwrap();
    drop(store);

    let emu = start(&to.0);
    let root = root(&emu);
    assert_eq!(
        root.query("iam", &[("Action", "ListUsers")]).texts("UserName"),
        ["exported"]
    );
    let policy = root.query(
        "iam",
        &[
            ("Action", "GetUserPolicy"),
            ("UserName", "exported"),
            ("PolicyName", "p"),
        ],
    );
    assert!(policy.body.contains("s3%3A%2A"), "{}", policy.body);
    let _ = root
        .s3("GET", "/not-iam", &[], &[], b"")
        .expect_error(404, "NoSuchBucket");
}

#[test]
fn an_export_of_another_kind_or_format_is_refused() {
    let wrong_kind = json!({"kind": "something-else", "format": 1, "accounts": {}});
    let err = iam_emulator::commands::transfer::parse(&wrong_kind.to_string()).unwrap_err();
    assert!(err.contains("not an iam-emulator export"), "{err}");
    let wrong_format = json!({"kind": "iam-emulator-iam-state", "format": 99, "accounts": {}});
    let err = iam_emulator::commands::transfer::parse(&wrong_format.to_string()).unwrap_err();
    assert!(err.contains("format 99"), "{err}");
    let bad_id = json!({"kind": "iam-emulator-iam-state", "format": 1, "accounts": {"../x": {
        "id": "../x", "users": {}, "groups": {}, "roles": {}, "policies": {}}}});
    assert!(iam_emulator::commands::transfer::parse(&bad_id.to_string()).is_err());
}

/// Sends a signed request over a plain socket, path exactly as signed: an
/// HTTP client library would resolve `..` segments before sending.
fn send_raw(req: &iam_harness::Request) -> u16 {
    use std::fmt::Write as _;
    use std::io::{Read, Write};
    let rest = req.url.strip_prefix("http://").expect("http URL");
    let (authority, path) = rest.split_at(rest.find('/').expect("a path"));
    let mut stream = std::net::TcpStream::connect(authority).expect("connect");
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        req.method,
        req.body.len()
    );
    if !req.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        let _ = write!(head, "host: {authority}\r\n");
    }
    for (name, value) in &req.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(&req.body).expect("write body");
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[test]
fn object_keys_that_look_like_paths_never_touch_the_file_system() {
    let parent = TempDir::new("traversal");
    let dir = parent.0.join("state");
    let keys = [
        "../../escape",
        "../state.redb",
        "/etc/passwd",
        "..\\..\\windows",
        "nul\u{0}inside",
        "objects/../LOCK",
        "LOCK",
    ];
    {
        let emu = start(&dir);
        let root = root(&emu);
        let _ = root.create_bucket("paths").expect_ok();
        for key in keys {
            let signed = root
                .s3_call("PUT", &format!("/paths/{key}"))
                .body(key.as_bytes())
                .sign();
            assert_eq!(send_raw(&signed), 200, "PUT {key:?}");
        }
    }
    let emu = start(&dir);
    let root = root(&emu);
    let listed = root.s3_call("GET", "/paths").send();
    let mut expected: Vec<String> = keys.iter().map(|k| (*k).to_string()).collect();
    expected.sort();
    assert_eq!(listed.texts("Key"), expected, "{}", listed.body);
    // Only the emulator's own files, and one body file per object under a random name.
    let mut top: Vec<String> = std::fs::read_dir(&parent.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["state"]);
    let mut inside: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    inside.sort();
    assert_eq!(inside, ["LOCK", "objects", "spool", "state.redb"]);
    let bodies: Vec<String> = std::fs::read_dir(dir.join("objects"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(bodies.len(), keys.len());
    assert!(
        bodies
            .iter()
            .all(|b| b.starts_with('o') && b.bytes().all(|c| c.is_ascii_alphanumeric())),
        "{bodies:?}"
    );
}

#[test]
fn observed_requests_are_kept_for_policy_generation_after_the_emulator_stops() {
    let dir = TempDir::new("observations");
    let user_arn = "arn:aws:iam::123456789012:user/ci";
    {
        let emu = Emulator::builder()
            .auth(iam_harness::AuthMode::Soft)
            .state_dir(&dir.0)
            .start();
        let root = root(&emu);
        let _ = root.create_bucket("artifacts").expect_ok();
        let ci = root.create_user_with_keys("ci");
        // Soft mode: denied (no policy) but served, and observed.
        let _ = emu.client(&ci).put_object("artifacts", "build/1.tgz", b"x");
    }
    // The saved observations answer without a running emulator.
    let binary =
        iam_harness::find_binary().expect("the release binary (cargo build --release -p iam-emulator)");
    let out = std::process::Command::new(binary)
        .args([
            "policy",
            "generate",
            "--principal",
            user_arn,
            "--json",
            "--state-dir",
        ])
        .arg(&dir.0)
        .output()
        .expect("run iam-emulator policy generate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = answer.to_string();
    assert!(text.contains("s3:PutObject"), "{text}");
    assert!(text.contains("arn:aws:s3:::artifacts/build/1.tgz"), "{text}");
    // And a restarted emulator still knows them.
    let emu = start(&dir.0);
    let reply = emu.get(&format!("/_emulator/policy?principal={user_arn}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("s3:PutObject"), "{}", reply.body);
}

#[test]
fn a_second_binary_on_the_same_folder_exits_with_the_reason() {
    let dir = TempDir::new("lock-binary");
    let path = dir.0.to_str().expect("utf-8 temp dir").to_string();
    let first = Emulator::spawn_binary_with(&["--state-dir", &path]);
    let binary = iam_harness::find_binary().expect("the release binary");
    let second = std::process::Command::new(binary)
        .args(["serve", "--listen", "127.0.0.1:0", "--state-dir", &path])
        .output()
        .expect("run a second iam-emulator");
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("another iam-emulator is using this folder (process "),
        "{stderr}"
    );
    assert_eq!(
        first.stop().and_then(|s| s.code()),
        Some(0),
        "the first exits cleanly"
    );
}

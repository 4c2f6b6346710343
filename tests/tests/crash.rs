//! Crash safety of `--state-dir`: writers run against the release binary,
//! which is killed with SIGKILL at random moments and started again on the
//! same folder. Every acknowledged write must be there, intact; a write
//! that was not acknowledged must be wholly there or not at all.
//!
//! Bounded: `IAM_EMULATOR_CRASH_ROUNDS` kills (default 5), each after
//! 150–900 ms of writing. The seed is printed so a failure can be replayed
//! with `IAM_EMULATOR_CRASH_SEED`.

use iam_harness::{Client, Emulator};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Small deterministic generator (xorshift64*), so a seed replays a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn below_usize(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap_or(0)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next().to_le_bytes()[3]).collect()
    }
}

/// What one writer tried and what was acknowledged.
#[derive(Default)]
struct Ledger {
    /// Users created and acknowledged.
    users: Vec<String>,
    /// Users whose creation was sent but not acknowledged.
    users_maybe: Vec<String>,
    /// Objects written: key → (body, acknowledged).
    objects: BTreeMap<String, (Vec<u8>, bool)>,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn spawn(dir: &std::path::Path) -> Emulator {
    Emulator::spawn_binary_with(&["--state-dir", dir.to_str().expect("utf-8 temp dir")])
}

/// Writes users and objects until `stop`; records each outcome.
fn writer(client: &Client, id: usize, round: u64, seed: u64, stop: &AtomicBool, ledger: &Mutex<Ledger>) {
    let mut rng = Rng(seed ^ ((id as u64 + 1) << 32) ^ round);
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        if rng.below(2) == 0 {
            let name = format!("w{id}-r{round}-u{n}");
            let status = attempt(|| {
                client
                    .query("iam", &[("Action", "CreateUser"), ("UserName", &name)])
                    .status
            });
            let mut ledger = ledger.lock().unwrap();
            if status == Some(200) {
                ledger.users.push(name);
            } else {
                ledger.users_maybe.push(name);
            }
            if status.is_none() {
                return;
            }
        } else {
            let key = format!("w{id}/r{round}/o{n}");
            let len = match rng.below(4) {
                0 => 0,
                1 => rng.below_usize(100),
                2 => rng.below_usize(64 * 1024),
                _ => 1024 * 1024 + rng.below_usize(512 * 1024),
            };
            let body = rng.bytes(len);
            let status = attempt(|| client.put_object("crash", &key, &body).status);
            ledger
                .lock()
                .unwrap()
                .objects
                .insert(key, (body, status == Some(200)));
            if status.is_none() {
                return;
            }
        }
    }
}

/// The reply's status, or `None` when the connection failed (the server
/// was killed mid-request: no acknowledgement).
fn attempt(send: impl FnOnce() -> u16) -> Option<u16> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(send)).ok()
}

fn check(emu: &Emulator, ledger: &Ledger) -> (usize, usize) {
    let root = emu.client(&emu.root_credentials());
    let mut listed = Vec::new();
    let mut marker = String::new();
    loop {
        let mut params = vec![("Action", "ListUsers")];
        if !marker.is_empty() {
            params.push(("Marker", &marker));
        }
        let page = root.query("iam", &params).expect_ok();
        listed.extend(page.texts("UserName"));
        match page.text("Marker") {
            Some(next) if page.text("IsTruncated").as_deref() == Some("true") => marker = next,
            _ => break,
        }
    }
    for user in &ledger.users {
        assert!(listed.contains(user), "acknowledged CreateUser {user} was lost");
    }
    let known: Vec<&String> = ledger.users.iter().chain(&ledger.users_maybe).collect();
    for user in &listed {
        assert!(known.contains(&user), "a user nobody created: {user}");
    }
    let mut objects = 0;
    for (key, (body, acked)) in &ledger.objects {
        let reply = root.s3("GET", &format!("/crash/{key}"), &[], &[], b"");
        match reply.status {
            200 => {
                assert!(
                    reply.bytes == *body,
                    "object {key} is not what was written ({} bytes read, {} written)",
                    reply.bytes.len(),
                    body.len()
                );
                objects += 1;
            }
            404 => assert!(!acked, "acknowledged PutObject {key} was lost"),
            other => panic!("GetObject {key}: {other} {}", reply.body),
        }
    }
    (listed.len(), objects)
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let seed = env_number(
        "IAM_EMULATOR_CRASH_SEED",
        u64::from(std::process::id()) * 7919 + 1,
    );
    let rounds = env_number("IAM_EMULATOR_CRASH_ROUNDS", 5);
    println!("crash test: seed {seed}, {rounds} rounds");
    let dir: PathBuf = std::env::temp_dir().join(format!("iam-emulator-crash-{seed}"));
    let _ = std::fs::remove_dir_all(&dir);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut rng = Rng(seed);
    {
        let emu = spawn(&dir);
        let _ = emu
            .client(&emu.root_credentials())
            .create_bucket("crash")
            .expect_ok();
    }
    let mut acked_total = 0;
    for round in 0..rounds {
        let emu = spawn(&dir);
        let (users, objects) = check(&emu, &ledger.lock().unwrap());
        println!("round {round}: after restart {users} users, {objects} objects intact");
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|id| {
                let client = emu.client(&emu.root_credentials());
                let (stop, ledger) = (stop.clone(), ledger.clone());
                std::thread::spawn(move || writer(&client, id, round, seed, &stop, &ledger))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(150 + rng.below(750)));
        if let Some(text) = emu.server_stderr().filter(|t| !t.trim().is_empty()) {
            println!("server stderr before the kill:\n{text}");
        }
        let _ = emu.kill();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().expect("writer");
        }
        let ledger = ledger.lock().unwrap();
        acked_total = ledger.users.len() + ledger.objects.values().filter(|(_, a)| *a).count();
    }
    // A run in which no write was acknowledged would check nothing.
    assert!(
        acked_total > 0,
        "no write was acknowledged in {rounds} rounds: the test checked nothing"
    );
    let emu = spawn(&dir);
    let (users, objects) = check(&emu, &ledger.lock().unwrap());
    println!(
        "crash test: {rounds} kills survived, {acked_total} acknowledged writes checked ({users} users, {objects} objects intact)"
    );
    drop(emu);
    iam_emulator_tests::reliability::write_figures(
        "crash",
        &serde_json::json!({
            "seed": seed,
            "kills_survived": rounds,
            "acknowledged_writes_checked": acked_total,
            "users_after": users,
            "objects_intact_after": objects,
        }),
    );
    let _ = std::fs::remove_dir_all(&dir);
}

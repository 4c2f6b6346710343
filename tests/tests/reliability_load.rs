//! Load: 64 concurrent clients against the release binary on 127.0.0.1
//! for a bounded time, each looping over IAM writes (CreateUser then
//! DeleteUser), S3 PutObject then GetObject (body checked) and two calls
//! that must be denied (IAM ListUsers, S3 GetObject by a user without
//! policies). Zero errors are allowed other than those denials, and the
//! server's resident memory (`VmRSS`) may grow by at most
//! [`RSS_GROWTH_BOUND_KIB`] between the end of the warm-up and the end.
//!
//! `IAM_LOAD_SECS` sets the duration (default 10 s, what CI runs; the
//! figures in `docs/reliability.md` are from a 30 s run). Skipped with a
//! notice when there is no release binary (failed instead under CI). Figures go to
//! `target/reliability/reliability_load.json`.

use iam_emulator_tests::reliability::{rss_kib, write_figures};
use iam_harness::{binary_or_skip, Client, Credentials, Emulator};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;
/// How much the server's RSS may grow once warm. The state is bounded by
/// the workload (users deleted again, eight keys per client overwritten);
/// what grows is the two request logs until they are full: the decision
/// log (1000 entries with their traces) and the observation log of
/// `iam-emulator insight` (100 000 entries, about 0.6 KiB each), reached
/// after some 25 s of this load. Growth past this bound is a leak.
const RSS_GROWTH_BOUND_KIB: u64 = 128 * 1024;

#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    denied: AtomicU64,
    errors: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The names of one loop's calls; the last two must be denied.
const STEPS: [&str; 6] = [
    "CreateUser",
    "DeleteUser",
    "PutObject",
    "GetObject",
    "denied ListUsers",
    "denied GetObject",
];

/// Runs step `i` of the loop; whether its reply was the expected one.
fn step(i: usize, root: &Client, denied: &Client, user: &str, key: &str, body: &[u8]) -> bool {
    let refused = |reply: iam_harness::Reply| {
        reply.status == 403 && reply.error_code().as_deref() == Some("AccessDenied")
    };
    match i {
        0 => {
            root.query("iam", &[("Action", "CreateUser"), ("UserName", user)])
                .status
                == 200
        }
        1 => {
            root.query("iam", &[("Action", "DeleteUser"), ("UserName", user)])
                .status
                == 200
        }
        2 => root.s3("PUT", key, &[], &[], body).status == 200,
        3 => {
            let got = root.s3("GET", key, &[], &[], b"");
            got.status == 200 && got.bytes == body
        }
        4 => refused(denied.query("iam", &[("Action", "ListUsers")])),
        _ => refused(denied.s3("GET", key, &[], &[], b"")),
    }
}

/// One client's loop until `stop`; every reply is checked.
fn client_loop(
    id: usize,
    (root, denied): (&Client, &Client),
    stop: &AtomicBool,
    counts: &Counts,
    errors: &std::sync::Mutex<Vec<String>>,
) {
    let body: Vec<u8> = (0..4096usize)
        .map(|i| u8::try_from((i + id) % 251).unwrap_or(0))
        .collect();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let user = format!("load-{id}-{n}");
        let key = format!("/load/c{id}/k{}", n % 8);
        for (i, name) in STEPS.iter().enumerate() {
            bump(&counts.requests);
            // A transport failure panics in the harness: count it as an error.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                step(i, root, denied, &user, &key, &body)
            }));
            let failure = match outcome {
                Ok(true) if i >= 4 => {
                    bump(&counts.denied);
                    continue;
                }
                Ok(true) => continue,
                Ok(false) => format!("client {id}: {name} answered wrongly"),
                Err(_) => format!("client {id}: {name} failed in transport"),
            };
            bump(&counts.errors);
            let mut errors = errors.lock().unwrap();
            if errors.len() < 20 {
                errors.push(failure);
            }
        }
    }
}

#[test]
fn sixty_four_clients_mixing_writes_reads_and_denials() {
    if !binary_or_skip("sixty_four_clients_mixing_writes_reads_and_denials") {
        return;
    }
    let secs: u64 = std::env::var("IAM_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let emu = Emulator::spawn_binary();
    let pid = emu.server_pid().expect("a child process");
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("load").expect_ok();
    let nobody: Credentials = root.create_user_with_keys("load-denied");
    let denied = emu.client(&nobody);
    let counts = Counts::default();
    let errors = std::sync::Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let warm = Duration::from_secs(2).min(Duration::from_secs(secs) / 3);
    let mut rss_warm = None;
    let mut samples = Vec::new();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for id in 0..CLIENTS {
            let (root, denied, stop, counts, errors) = (&root, &denied, &stop, &counts, &errors);
            scope.spawn(move || client_loop(id, (root, denied), stop, counts, errors));
        }
        std::thread::sleep(warm);
        rss_warm = rss_kib(pid);
        // One RSS sample a second: the curve shows growth flattening once
        // the logs are full.
        while started.elapsed() < Duration::from_secs(secs) {
            std::thread::sleep(
                Duration::from_secs(1).min(Duration::from_secs(secs).saturating_sub(started.elapsed())),
            );
            samples.push(rss_kib(pid).unwrap_or(0));
        }
        stop.store(true, Ordering::Relaxed);
    });
    let elapsed = started.elapsed();
    let rss_end = rss_kib(pid);
    let requests = counts.requests.load(Ordering::Relaxed);
    let denials = counts.denied.load(Ordering::Relaxed);
    let error_count = counts.errors.load(Ordering::Relaxed);
    let _ = emu.health();
    let status = emu.stop();
    write_figures(
        "reliability_load",
        &serde_json::json!({
            "clients": CLIENTS,
            "seconds": elapsed.as_secs_f64(),
            "requests": requests,
            "expectedDenials": denials,
            "errors": error_count,
            "requestsPerSecond": f64::from(u32::try_from(requests).unwrap_or(u32::MAX)) / elapsed.as_secs_f64(),
            "rssAfterWarmupKiB": rss_warm,
            "rssEndKiB": rss_end,
            "rssGrowthBoundKiB": RSS_GROWTH_BOUND_KIB,
            "rssEverySecondKiB": samples,
            "exitCode": status.and_then(|s| s.code()),
        }),
    );
    assert_eq!(error_count, 0, "errors: {:?}", errors.lock().unwrap());
    assert!(
        requests > CLIENTS as u64 * 6,
        "only {requests} requests in {elapsed:?}"
    );
    if let (Some(warm), Some(end)) = (rss_warm, rss_end) {
        assert!(
            end <= warm + RSS_GROWTH_BOUND_KIB,
            "RSS grew from {warm} KiB to {end} KiB (bound {RSS_GROWTH_BOUND_KIB} KiB)"
        );
    }
    assert!(status.is_some_and(|s| s.success()), "exit status {status:?}");
}

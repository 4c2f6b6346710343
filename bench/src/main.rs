//! `iam-loadgen`: signed load against iam-emulator, moto or any AWS
//! emulator on a loopback port, plus the start-up and footprint
//! measurements of `bench/compare.sh`. See docs/benchmarks.md.

mod conn;
mod cpu;
mod run;
mod setup;
mod sign;
mod startup;
mod workload;

use clap::{Args, Parser, Subcommand};
use sign::{Creds, Endpoint};
use std::io::Write as _;
use std::time::Duration;

const DEFAULT_ROOT: &str = "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// Hard bounds, whatever the flags say.
const MAX_DURATION_S: f64 = 600.0;
const MAX_CONCURRENCY: usize = 1024;

#[derive(Parser)]
#[command(
    name = "iam-loadgen",
    about = "SigV4-signed load generator for AWS emulators (loopback only)"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Setup (unless --state names a prepared one), then measure each workload.
    Run(RunArgs),
    /// Only the setup phase: bench user, policy, keys, buckets, objects.
    Setup(SetupArgs),
    /// Create many users and objects (as root), then print the server's RSS.
    Populate(PopulateArgs),
    /// Print a presigned GET URL of a workload's request (for wrk).
    Presign(PresignArgs),
    /// Spawn a server N times; time spawn → first successful signed request.
    Startup(StartupArgs),
    /// Print a port of 127.0.0.1 that is free now.
    FreePort,
}

#[derive(Args, Clone)]
struct Common {
    /// `http://127.0.0.1:PORT` (loopback addresses only).
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
    /// Root (or admin) keys for setup, `AKID:SECRET`.
    #[arg(long, default_value = DEFAULT_ROOT)]
    root_key: String,
}

#[derive(Args, Clone)]
struct SetupArgs {
    #[command(flatten)]
    common: Common,
    /// Keys in the ListObjectsV2 bucket (0: skip it).
    #[arg(long, default_value_t = 10_000)]
    list_keys: usize,
    /// Connections for the bulk part of setup.
    #[arg(long, default_value_t = 16)]
    setup_concurrency: usize,
    /// moto-style enforcement: `POST /moto-api/reset-auth inf` before setup
    /// and `0` after it, so setup runs unauthenticated and every measured
    /// request is authenticated and authorized (moto has no root keys).
    #[arg(long)]
    enforce_after_setup: bool,
    /// Write (setup) or read (run) the prepared state here.
    #[arg(long)]
    state: Option<std::path::PathBuf>,
}

#[derive(Args, Clone)]
struct RunArgs {
    #[command(flatten)]
    setup: SetupArgs,
    /// Comma-separated workloads, or `all`.
    #[arg(long, default_value = "sts-caller-identity")]
    workload: String,
    /// Connections (one worker each).
    #[arg(long, short = 'c', default_value_t = 32)]
    concurrency: usize,
    /// Seconds of measurement per workload (at most 600).
    #[arg(long, short = 'd', default_value_t = 5.0)]
    duration: f64,
    /// Seconds of unrecorded warm-up before each measurement.
    #[arg(long, default_value_t = 0.5)]
    warmup: f64,
    /// Cap on measured requests per workload.
    #[arg(long, default_value_t = 10_000_000)]
    requests: u64,
    /// Client runtime threads (1: a single-threaded runtime).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Reuse a signed request for this many seconds (0: sign every request).
    #[arg(long, default_value_t = 1)]
    resign_secs: u64,
    /// Name of the system under test in the output.
    #[arg(long, default_value = "target")]
    label: String,
    /// Append one JSON record per workload to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Also report this process's CPU during each measurement (the server).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Exit with status 3 when a workload had an error or no success (CI smoke).
    #[arg(long)]
    fail_on_errors: bool,
}

#[derive(Args, Clone)]
struct PopulateArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    #[arg(long, default_value_t = 10_000)]
    objects: usize,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// The server's pid, to print its RSS before and after.
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long, default_value = "target")]
    label: String,
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

#[derive(Args, Clone)]
struct PresignArgs {
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
    /// The state written by `setup --state`.
    #[arg(long)]
    state: std::path::PathBuf,
    /// sts-caller-identity, s3-get-1k, s3-get-1m or denied.
    #[arg(long, default_value = "s3-get-1k")]
    workload: String,
    #[arg(long, default_value_t = 900)]
    expires: u64,
}

#[derive(Args, Clone)]
struct StartupArgs {
    #[arg(long, default_value_t = 20)]
    runs: usize,
    #[arg(long, default_value = DEFAULT_ROOT)]
    root_key: String,
    #[arg(long, default_value = "target")]
    label: String,
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// The server command; `{port}` is replaced by a free port.
    #[arg(last = true, required = true)]
    argv: Vec<String>,
}

fn main() {
    let cli = Cli::parse();
    let threads = match &cli.command {
        Cmd::Run(r) => r.threads,
        _ => 1,
    };
    let runtime = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
    .expect("tokio runtime");
    if let Err(e) = runtime.block_on(dispatch(cli.command)) {
        eprintln!("iam-loadgen: {e}");
        std::process::exit(1);
    }
}

async fn dispatch(cmd: Cmd) -> Result<(), String> {
    match cmd {
        Cmd::Run(args) => run_cmd(args).await,
        Cmd::Setup(args) => {
            let endpoint = Endpoint::parse(&args.common.endpoint)?;
            let prepared = do_setup(&endpoint, &args).await?;
            let text = prepared.to_json(&endpoint).to_string();
            if let Some(path) = &args.state {
                std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
            } else {
                println!("{text}");
                Ok(())
            }
        }
        Cmd::Populate(args) => populate_cmd(args).await,
        Cmd::Presign(args) => {
            let endpoint = Endpoint::parse(&args.endpoint)?;
            let prepared = read_state(&args.state)?;
            let mut source =
                workload::Source::new(&args.workload, &endpoint, prepared.creds.clone(), 0, "p", 1, 1)?;
            let (template, _) = source.next(std::time::SystemTime::now());
            if template.method != hyper::Method::GET && template.service == "s3" {
                return Err(format!("{}: only GET workloads can be presigned", args.workload));
            }
            // Query calls are presigned as GETs with the parameters in the URL.
            let template = if template.service == "s3" {
                template.clone()
            } else {
                let mut t = template.clone();
                t.method = hyper::Method::GET;
                t.url = format!("{}/?{}", endpoint.base, String::from_utf8_lossy(&t.body));
                t.body = bytes::Bytes::new();
                t.headers.clear();
                t
            };
            println!(
                "{}",
                template.presign(
                    &prepared.creds,
                    std::time::SystemTime::now(),
                    Duration::from_secs(args.expires)
                )
            );
            Ok(())
        }
        Cmd::Startup(args) => startup_cmd(args).await,
        Cmd::FreePort => {
            println!("{}", startup::free_port()?);
            Ok(())
        }
    }
}

fn read_state(path: &std::path::Path) -> Result<setup::Prepared, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    setup::Prepared::from_json(&value)
}

async fn do_setup(endpoint: &Endpoint, args: &SetupArgs) -> Result<setup::Prepared, String> {
    let root = Creds::parse(&args.common.root_key)?;
    let started = std::time::Instant::now();
    if args.enforce_after_setup {
        setup::reset_auth(endpoint, "inf").await?;
    }
    let prepared = setup::prepare(
        endpoint,
        &root,
        args.list_keys,
        args.setup_concurrency.clamp(1, 256),
    )
    .await?;
    if args.enforce_after_setup {
        setup::reset_auth(endpoint, "0").await?;
    }
    setup::check_user(endpoint, &prepared.creds).await?;
    eprintln!(
        "setup: user {} with key {}, {} list keys, {:.1}s",
        workload::USER,
        prepared.creds.access_key_id,
        prepared.list_keys,
        started.elapsed().as_secs_f64()
    );
    Ok(prepared)
}

fn append_json(path: Option<&std::path::Path>, value: &serde_json::Value) -> Result<(), String> {
    let Some(path) = path else { return Ok(()) };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writeln!(file, "{value}").map_err(|e| format!("{}: {e}", path.display()))
}

async fn run_cmd(args: RunArgs) -> Result<(), String> {
    let endpoint = Endpoint::parse(&args.setup.common.endpoint)?;
    if !(args.duration > 0.0 && args.duration <= MAX_DURATION_S) {
        return Err(format!("--duration must be in (0, {MAX_DURATION_S}] seconds"));
    }
    if !(0.0..=60.0).contains(&args.warmup) {
        return Err("--warmup must be in [0, 60] seconds".into());
    }
    if args.concurrency == 0 || args.concurrency > MAX_CONCURRENCY {
        return Err(format!("--concurrency must be in 1..={MAX_CONCURRENCY}"));
    }
    let workloads: Vec<String> = if args.workload == "all" {
        workload::WORKLOADS.iter().map(|s| (*s).to_string()).collect()
    } else {
        args.workload.split(',').map(|s| s.trim().to_string()).collect()
    };
    for w in &workloads {
        if !workload::WORKLOADS.contains(&w.as_str()) {
            return Err(format!(
                "unknown workload {w:?}; one of {}",
                workload::WORKLOADS.join(", ")
            ));
        }
    }
    let prepared = match &args.setup.state {
        Some(path) if path.exists() => read_state(path)?,
        _ => {
            let mut setup_args = args.setup.clone();
            if !workloads.iter().any(|w| w == "s3-list-10k") {
                setup_args.list_keys = 0;
            }
            let prepared = do_setup(&endpoint, &setup_args).await?;
            if let Some(path) = &args.setup.state {
                std::fs::write(path, prepared.to_json(&endpoint).to_string())
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            prepared
        }
    };
    if workloads.iter().any(|w| w == "s3-list-10k") && prepared.list_keys < workload::PAGE {
        return Err("s3-list-10k needs the list bucket: run setup with --list-keys 10000".into());
    }
    let mut failed = Vec::new();
    let run_id = format!(
        "{}-{}",
        std::process::id(),
        sign::unix_second(std::time::SystemTime::now()) % 100_000
    );
    for w in workloads {
        let spec = run::RunSpec {
            endpoint: endpoint.clone(),
            creds: prepared.creds.clone(),
            workload: w,
            concurrency: args.concurrency,
            duration: Duration::from_secs_f64(args.duration),
            warmup: Duration::from_secs_f64(args.warmup),
            max_requests: args.requests,
            resign_secs: args.resign_secs,
            list_pages: prepared.list_keys.div_ceil(workload::PAGE),
            run_id: run_id.clone(),
        };
        let server_before = args.server_pid.and_then(cpu::process_cpu);
        let summary = run::run(&spec).await?;
        // The server's CPU over the same window (warm-up excluded only approximately:
        // the reading is taken around the whole run, divided by the measured time).
        let server_after = args.server_pid.and_then(cpu::process_cpu);
        let server_cpu = args.server_pid.map(|_| {
            cpu::percent(
                server_before,
                server_after,
                summary.elapsed + Duration::from_secs_f64(args.warmup),
            )
        });
        println!("{}", summary.line(&args.label, server_cpu));
        if let Some(e) = &summary.first_error {
            eprintln!("  first error: {e}");
        }
        append_json(args.json.as_deref(), &summary.json(&args.label, server_cpu))?;
        if summary.errors > 0 || summary.ok == 0 {
            failed.push(summary.workload.clone());
        }
    }
    if args.fail_on_errors && !failed.is_empty() {
        eprintln!(
            "iam-loadgen: errors (or no successful request) in: {}",
            failed.join(", ")
        );
        std::process::exit(3);
    }
    Ok(())
}

#[allow(clippy::cast_precision_loss)]
async fn populate_cmd(args: PopulateArgs) -> Result<(), String> {
    let endpoint = Endpoint::parse(&args.common.endpoint)?;
    let root = Creds::parse(&args.common.root_key)?;
    let before = args.server_pid.and_then(cpu::rss_kib);
    let (users, objects) = setup::populate(
        &endpoint,
        &root,
        args.users,
        args.objects,
        args.concurrency.clamp(1, 256),
    )
    .await?;
    let after = args.server_pid.and_then(cpu::rss_kib);
    let mib = |k: Option<u64>| k.map_or("?".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    println!(
        "{:<16} populate: {} users in {:.1}s, {} objects in {:.1}s; RSS {} -> {}",
        args.label,
        args.users,
        users.as_secs_f64(),
        args.objects,
        objects.as_secs_f64(),
        mib(before),
        mib(after)
    );
    append_json(
        args.json.as_deref(),
        &serde_json::json!({
            "target": args.label, "kind": "populate", "users": args.users, "objects": args.objects,
            "users_s": users.as_secs_f64(), "objects_s": objects.as_secs_f64(),
            "rss_before_kib": before, "rss_after_kib": after,
        }),
    )
}

#[allow(clippy::cast_precision_loss)]
async fn startup_cmd(args: StartupArgs) -> Result<(), String> {
    let root = Creds::parse(&args.root_key)?;
    if args.runs == 0 || args.runs > 200 {
        return Err("--runs must be in 1..=200".into());
    }
    let runs = startup::measure(&args.argv, args.runs, &root, &[]).await?;
    let mut ms: Vec<f64> = runs.iter().map(|r| r.millis).collect();
    ms.sort_by(f64::total_cmp);
    let median = ms[ms.len() / 2];
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    let rss: Vec<u64> = runs.iter().filter_map(|r| r.rss_kib).collect();
    let rss_median = {
        let mut r = rss.clone();
        r.sort_unstable();
        r.get(r.len() / 2).copied()
    };
    println!(
        "{:<16} start-up over {} runs: min {:.1} ms  median {:.1} ms  mean {:.1} ms  max {:.1} ms  RSS after first request {}",
        args.label,
        ms.len(),
        ms[0],
        median,
        mean,
        ms[ms.len() - 1],
        rss_median.map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
    );
    append_json(
        args.json.as_deref(),
        &serde_json::json!({
            "target": args.label, "kind": "startup", "runs": ms.len(),
            "min_ms": ms[0], "median_ms": median, "mean_ms": mean, "max_ms": ms[ms.len() - 1],
            "rss_first_request_kib": rss_median,
        }),
    )
}

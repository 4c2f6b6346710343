//! The measured phase: C workers, one connection each, sending until the
//! duration is up or the request cap is reached, whichever comes first.

use crate::conn::Conn;
use crate::sign::{Creds, Endpoint};
use crate::workload::Source;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// What one run is.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub endpoint: Endpoint,
    pub creds: Creds,
    pub workload: String,
    pub concurrency: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub max_requests: u64,
    pub resign_secs: u64,
    pub list_pages: usize,
    pub run_id: String,
}

/// What one worker saw.
#[derive(Debug, Default)]
struct WorkerStats {
    latencies_us: Vec<u32>,
    ok: u64,
    errors: u64,
    bytes: u64,
    statuses: BTreeMap<u16, u64>,
    first_error: Option<String>,
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Summary {
    pub workload: String,
    pub concurrency: usize,
    pub elapsed: Duration,
    pub requests: u64,
    pub ok: u64,
    pub errors: u64,
    pub bytes: u64,
    pub rps: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub statuses: BTreeMap<u16, u64>,
    pub first_error: Option<String>,
    /// CPU of this process during the measured phase, % of one core.
    pub client_cpu_pct: f64,
}

/// Runs the workload; errors only when no connection can be opened at all.
pub async fn run(spec: &RunSpec) -> Result<Summary, String> {
    let mut conns = Vec::with_capacity(spec.concurrency);
    for _ in 0..spec.concurrency {
        conns.push(Conn::open(&spec.endpoint.host).await?);
    }
    let mut sources = Vec::with_capacity(spec.concurrency);
    for worker in 0..spec.concurrency {
        sources.push(Source::new(
            &spec.workload,
            &spec.endpoint,
            spec.creds.clone(),
            worker,
            &spec.run_id,
            spec.resign_secs,
            spec.list_pages,
        )?);
    }
    // Warm-up (not recorded): connections, server caches, allocator.
    let (conns, sources) = if spec.warmup.is_zero() {
        (conns, sources)
    } else {
        let warm = phase(spec, conns, sources, spec.warmup, spec.max_requests, false).await;
        warm.into_iter().map(|(c, s, _)| (c, s)).unzip()
    };
    let cpu_before = crate::cpu::process_cpu(std::process::id());
    let started = Instant::now();
    let done = phase(spec, conns, sources, spec.duration, spec.max_requests, true).await;
    let elapsed = started.elapsed();
    let cpu_after = crate::cpu::process_cpu(std::process::id());
    let mut total = WorkerStats::default();
    for (_, _, stats) in done {
        total.latencies_us.extend(stats.latencies_us);
        total.ok += stats.ok;
        total.errors += stats.errors;
        total.bytes += stats.bytes;
        for (status, count) in stats.statuses {
            *total.statuses.entry(status).or_default() += count;
        }
        if total.first_error.is_none() {
            total.first_error = stats.first_error;
        }
    }
    total.latencies_us.sort_unstable();
    let lat = &total.latencies_us;
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((p / 100.0) * (lat.len() - 1) as f64).round() as usize;
        f64::from(lat[i.min(lat.len() - 1)]) / 1000.0
    };
    #[allow(clippy::cast_precision_loss)]
    let mean_ms = if lat.is_empty() {
        0.0
    } else {
        lat.iter().map(|&l| u64::from(l)).sum::<u64>() as f64 / lat.len() as f64 / 1000.0
    };
    let secs = elapsed.as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    Ok(Summary {
        workload: spec.workload.clone(),
        concurrency: spec.concurrency,
        elapsed,
        requests: total.ok + total.errors,
        ok: total.ok,
        errors: total.errors,
        bytes: total.bytes,
        rps: total.ok as f64 / secs,
        mean_ms,
        p50_ms: pct(50.0),
        p90_ms: pct(90.0),
        p99_ms: pct(99.0),
        max_ms: lat.last().map_or(0.0, |&l| f64::from(l) / 1000.0),
        statuses: total.statuses,
        first_error: total.first_error,
        client_cpu_pct: crate::cpu::percent(cpu_before, cpu_after, elapsed),
    })
}

/// Each worker's connection and source (handed from the warm-up to the
/// measured phase) and what it saw.
type Done = Vec<(Conn, Source, WorkerStats)>;

/// Every worker for `length` (and at most `cap` requests in all).
async fn phase(
    spec: &RunSpec,
    conns: Vec<Conn>,
    sources: Vec<Source>,
    length: Duration,
    cap: u64,
    record: bool,
) -> Done {
    let deadline = Instant::now() + length;
    let issued = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(conns.len());
    for (conn, source) in conns.into_iter().zip(sources) {
        let issued = issued.clone();
        let host = spec.endpoint.host.clone();
        tasks.push(tokio::spawn(worker(
            host, conn, source, deadline, cap, issued, record,
        )));
    }
    let mut done = Vec::with_capacity(tasks.len());
    for task in tasks {
        if let Ok(result) = task.await {
            done.push(result);
        }
    }
    done
}

async fn worker(
    host: String,
    mut conn: Conn,
    mut source: Source,
    deadline: Instant,
    cap: u64,
    issued: Arc<AtomicU64>,
    record: bool,
) -> (Conn, Source, WorkerStats) {
    let mut stats = WorkerStats {
        latencies_us: Vec::with_capacity(if record { 64 * 1024 } else { 0 }),
        ..WorkerStats::default()
    };
    loop {
        let start = Instant::now();
        if start >= deadline || issued.fetch_add(1, Ordering::Relaxed) >= cap {
            break;
        }
        let (template, headers) = source.next(SystemTime::now());
        let result = conn
            .send(
                &template.method,
                &template.path_and_query,
                &headers,
                &template.body,
                Some(template.expect),
            )
            .await;
        let took = start.elapsed();
        if !record {
            if result.is_err() {
                if let Ok(fresh) = Conn::open(&host).await {
                    conn = fresh;
                }
            }
            continue;
        }
        match result {
            Ok(reply) => {
                *stats.statuses.entry(reply.status).or_default() += 1;
                stats.bytes += reply.len as u64;
                stats
                    .latencies_us
                    .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
                if reply.status == template.expect {
                    stats.ok += 1;
                } else {
                    stats.errors += 1;
                    if stats.first_error.is_none() {
                        let text = String::from_utf8_lossy(&reply.body);
                        let text: String = text.chars().take(400).collect();
                        stats.first_error = Some(format!(
                            "{}: HTTP {} (expected {}): {text}",
                            crate::workload::describe(template),
                            reply.status,
                            template.expect
                        ));
                    }
                }
            }
            Err(e) => {
                stats.errors += 1;
                if stats.first_error.is_none() {
                    stats.first_error = Some(format!("{}: {e}", crate::workload::describe(template)));
                }
                // A broken connection is replaced (bounded: a failed reconnect
                // waits a little, and the deadline still ends the loop).
                match Conn::open(&host).await {
                    Ok(fresh) => conn = fresh,
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        }
    }
    (conn, source, stats)
}

impl Summary {
    /// One line for a terminal.
    pub fn line(&self, label: &str, server_cpu: Option<f64>) -> String {
        let server = server_cpu.map_or(String::new(), |c| format!("  server CPU {c:>4.0}%"));
        format!(
            "{label:<16} {:<20} c={:<3} {:>9.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms  errors {:<5} client CPU {:>4.0}%{server}",
            self.workload, self.concurrency, self.rps, self.p50_ms, self.p99_ms, self.errors, self.client_cpu_pct
        )
    }

    /// The JSON record.
    pub fn json(&self, label: &str, server_cpu: Option<f64>) -> serde_json::Value {
        let statuses: serde_json::Map<String, serde_json::Value> = self
            .statuses
            .iter()
            .map(|(s, n)| (s.to_string(), serde_json::json!(n)))
            .collect();
        serde_json::json!({
            "target": label,
            "workload": self.workload,
            "concurrency": self.concurrency,
            "elapsed_s": round3(self.elapsed.as_secs_f64()),
            "requests": self.requests,
            "ok": self.ok,
            "errors": self.errors,
            "rps": round3(self.rps),
            "mean_ms": round3(self.mean_ms),
            "p50_ms": round3(self.p50_ms),
            "p90_ms": round3(self.p90_ms),
            "p99_ms": round3(self.p99_ms),
            "max_ms": round3(self.max_ms),
            "bytes": self.bytes,
            "statuses": statuses,
            "first_error": self.first_error,
            "client_cpu_pct": round3(self.client_cpu_pct),
            "server_cpu_pct": server_cpu.map(round3),
        })
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

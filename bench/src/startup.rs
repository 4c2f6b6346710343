//! Start-up time: from spawning a server process to its first successful
//! signed request (STS GetCallerIdentity), over several runs; the idle RSS
//! right after; the process stopped with SIGTERM (SIGKILL after 10 s).

use crate::conn::Conn;
use crate::sign::{Creds, Endpoint, Template};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Most one start may take before the run counts as failed.
const START_TIMEOUT: Duration = Duration::from_mins(1);

/// Per-run results.
#[derive(Debug, Clone)]
pub struct Start {
    pub millis: f64,
    pub rss_kib: Option<u64>,
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Spawns `argv` (`{port}` replaced by a free port) `runs` times.
pub async fn measure(
    argv: &[String],
    runs: usize,
    root: &Creds,
    envs: &[(String, String)],
) -> Result<Vec<Start>, String> {
    let mut out = Vec::with_capacity(runs);
    for _ in 0..runs {
        let port = free_port()?;
        let args: Vec<String> = argv
            .iter()
            .map(|a| a.replace("{port}", &port.to_string()))
            .collect();
        let endpoint = Endpoint::parse(&format!("http://127.0.0.1:{port}"))?;
        let template = Template::query(&endpoint, "sts", &[("Action", "GetCallerIdentity")], 200);
        let mut cmd = Command::new(&args[0]);
        cmd.args(&args[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let mut child = cmd.spawn().map_err(|e| format!("spawn {}: {e}", args[0]))?;
        let result = first_ok(&endpoint, &template, root, started).await;
        let rss = crate::cpu::rss_kib(child.id());
        stop(&mut child);
        let elapsed = result?;
        out.push(Start {
            millis: elapsed.as_secs_f64() * 1000.0,
            rss_kib: rss,
        });
    }
    Ok(out)
}

async fn first_ok(
    endpoint: &Endpoint,
    template: &Template,
    root: &Creds,
    started: Instant,
) -> Result<Duration, String> {
    loop {
        if started.elapsed() > START_TIMEOUT {
            return Err(format!(
                "no successful request within {}s",
                START_TIMEOUT.as_secs()
            ));
        }
        if let Ok(mut conn) = Conn::open(&endpoint.host).await {
            let headers = template.sign(root, SystemTime::now());
            if let Ok(reply) = conn
                .send(
                    &template.method,
                    &template.path_and_query,
                    &headers,
                    &template.body,
                    None,
                )
                .await
            {
                if reply.status == 200 {
                    return Ok(started.elapsed());
                }
            }
        }
        tokio::time::sleep(Duration::from_micros(250)).await;
    }
}

/// SIGTERM, then SIGKILL if it has not exited within 10 s.
pub fn stop(child: &mut Child) {
    #[cfg(unix)]
    {
        use rustix::process::{kill_process, Pid, Signal};
        if let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) {
            let _ = kill_process(pid, Signal::TERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

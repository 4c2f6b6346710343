//! `iam-emulator health`: asks a running emulator for `/_emulator/health`
//! and exits 0 when it answers `{"status":"ok"}` — the container
//! healthcheck, with no curl or shell needed in the image.

use clap::Args;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct HealthArgs {
    /// The emulator's endpoint.
    #[arg(long, env = "IAM_EMULATOR_ENDPOINT", default_value = "http://127.0.0.1:4566")]
    pub endpoint: String,
    /// Seconds to wait for an answer.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
}

/// Runs the check: 0 healthy, 1 not.
pub fn run(args: &HealthArgs) -> ExitCode {
    match check(&args.endpoint, Duration::from_secs(args.timeout.max(1))) {
        Ok(body) => {
            println!("{body}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("iam-emulator health: {message}");
            ExitCode::FAILURE
        }
    }
}

/// GETs `/_emulator/health` over plain HTTP/1.1; the body when healthy.
pub fn check(endpoint: &str, timeout: Duration) -> Result<String, String> {
    let authority = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| format!("{endpoint}: only http:// endpoints are supported"))?
        .trim_end_matches('/');
    let address = authority
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream =
        TcpStream::connect_timeout(&address, timeout).map_err(|e| format!("{authority}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let request = format!("GET /_emulator/health HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).map_err(|e| e.to_string())?;
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let healthy = head.starts_with("HTTP/1.1 200") && body.contains("\"status\":\"ok\"");
    if healthy {
        Ok(body.trim().to_string())
    } else {
        Err(format!(
            "unhealthy answer: {}",
            head.lines().next().unwrap_or_default()
        ))
    }
}

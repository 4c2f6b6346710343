//! `iam-emulator health`: asks a running emulator for `/_emulator/health`
//! and exits 0 when it answers `{"status":"ok"}` — the container
//! healthcheck, with no curl or shell needed in the image.

use clap::Args;
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

/// GETs `/_emulator/health`; the body when healthy.
pub fn check(endpoint: &str, timeout: Duration) -> Result<String, String> {
    let (status, body) = super::local_http::get(endpoint, "/_emulator/health", timeout)?;
    if status == 200 && body.contains("\"status\":\"ok\"") {
        Ok(body.trim().to_string())
    } else {
        Err(format!("unhealthy answer: HTTP {status}"))
    }
}

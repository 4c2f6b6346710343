//! What the reliability tests share: the AWS-shape check of an error
//! reply, and the figures file each test writes for `docs/reliability.md`
//! (`target/reliability/NAME.json`, read by `scripts/reliability-report`).

use iam_harness::Reply;
use std::path::PathBuf;

/// Whether a reply is a success, or a refusal in one of AWS's error
/// shapes: S3's `<Error><Code>`, Query's `<ErrorResponse>…<Code>`, or
/// JSON with `__type` / `message` (admin endpoints: `error`). A HEAD or
/// 304 reply has no body to judge.
pub fn aws_shaped(reply: &Reply) -> bool {
    if reply.status < 400 || reply.bytes.is_empty() && reply.header("x-amz-request-id").is_some() {
        return true;
    }
    let body = reply.body.as_str();
    if body.contains("<Code>") && (body.contains("<Error>") || body.contains("<ErrorResponse")) {
        return true;
    }
    serde_json::from_str::<serde_json::Value>(body)
        .is_ok_and(|v| v.get("__type").is_some() || v.get("message").is_some() || v.get("error").is_some())
}

/// The folder the figures go to: `$CARGO_TARGET_DIR/reliability` or the
/// workspace's `target/reliability`.
pub fn figures_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|v| !v.is_empty())
        .map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
            PathBuf::from,
        )
        .join("reliability")
}

/// Writes a test's figures as `NAME.json` (best effort: a read-only
/// target folder must not fail the test that measured them).
pub fn write_figures(name: &str, figures: &serde_json::Value) {
    let dir = figures_dir();
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.json")), format!("{figures:#}\n"));
}

/// `/proc/PID/status`'s `VmRSS` in KiB (Linux), if readable.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

//! What the IAM family tests share: a call with its expected success,
//! AWS error or denial, and a state folder that outlives one emulator (so
//! a test can stop it and start another on the same state).

use iam_harness::{Client, Emulator, Reply};
use std::path::{Path, PathBuf};

/// One IAM Query call.
pub fn iam(client: &Client, params: &[(&str, &str)]) -> Reply {
    client.query("iam", params)
}

/// One IAM call that must succeed.
#[track_caller]
pub fn ok(client: &Client, params: &[(&str, &str)]) -> Reply {
    iam(client, params).expect_ok()
}

/// One IAM call that must fail with `status`, `code` and a message
/// containing `message`.
#[track_caller]
pub fn refused(client: &Client, params: &[(&str, &str)], status: u16, code: &str, message: &str) -> Reply {
    let reply = iam(client, params).expect_error(status, code);
    let got = reply.error_message().unwrap_or_default();
    assert!(got.contains(message), "message {got:?} lacks {message:?}");
    reply
}

/// One IAM call the policies must deny, as `action` on `resource`: the
/// operation is authorized as its own action on its own resource.
#[track_caller]
pub fn denied(client: &Client, params: &[(&str, &str)], action: &str, resource: &str) {
    let reply = iam(client, params).expect_error(403, "AccessDenied");
    let got = reply.error_message().unwrap_or_default();
    // AWS names no resource when the action has none (`*`).
    let wanted = if resource == "*" {
        format!("is not authorized to perform: {action} because")
    } else {
        format!("is not authorized to perform: {action} on resource: {resource}")
    };
    assert!(got.contains(&wanted), "message {got:?} lacks {wanted:?}");
}

/// An identity policy allowing `actions` on every resource.
pub fn allow(actions: &[&str]) -> String {
    let actions: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}}"#,
        actions.join(",")
    )
}

/// A fresh `--state-dir` folder under the system temp dir, removed when dropped.
pub struct StateDir(PathBuf);

impl StateDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "iam-emulator-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        StateDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// An emulator on this folder (the previous one must be dropped first).
    pub fn start(&self) -> Emulator {
        Emulator::builder().state_dir(&self.0).start()
    }
}

impl Drop for StateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

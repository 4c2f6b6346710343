//! The release binary as a child process: found through `$IAM_EMULATOR_BIN`
//! or a `target/release/iam-emulator`, started as `iam-emulator serve
//! --listen 127.0.0.1:0`, its ready line read, stopped with SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// The line `serve` prints when it accepts connections.
const READY_PREFIX: &str = "iam-emulator listening on ";

/// How long the binary may take to print its ready line.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a SIGTERM'd server may take to exit before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

const BINARY_NAME: &str = if cfg!(windows) {
    "iam-emulator.exe"
} else {
    "iam-emulator"
};

/// Where the `iam-emulator` binary is: `$IAM_EMULATOR_BIN` when set, else
/// the first existing `release/iam-emulator` under `$CARGO_TARGET_DIR`,
/// under a `target/` folder of the current directory or one of its
/// parents, or under this workspace's `target/`.
pub fn find_binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("IAM_EMULATOR_BIN").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(bin));
    }
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        candidates.push(PathBuf::from(dir).join("release").join(BINARY_NAME));
    }
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            candidates.push(dir.join("target").join("release").join(BINARY_NAME));
        }
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    candidates.push(workspace.join("target").join("release").join(BINARY_NAME));
    candidates.into_iter().find(|p| p.is_file())
}

/// Whether a test that runs the binary can go on: `true` when
/// [`find_binary`] finds one. Without one the test is skipped with a
/// notice naming it, except under CI (`CI` set), where a missing binary
/// fails the test: a suite that silently checks nothing must not pass.
///
/// # Panics
/// When there is no binary and `CI` is set.
#[must_use]
pub fn binary_or_skip(test: &str) -> bool {
    if find_binary().is_some() {
        return true;
    }
    let why = "no iam-emulator binary (set IAM_EMULATOR_BIN or run `cargo build --release -p iam-emulator`)";
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {why}; under CI this fails instead of skipping"
    );
    println!("skipping {test}: {why}");
    false
}

/// A running `iam-emulator serve` child process.
#[derive(Debug)]
pub(crate) struct ServerProcess {
    child: Option<Child>,
    stderr: Arc<Mutex<String>>,
}

/// What [`ServerProcess::start`] learned: the process and its endpoint.
pub(crate) struct Started {
    pub process: ServerProcess,
    pub endpoint: String,
}

impl ServerProcess {
    /// Starts `binary serve ARGS` (with `--listen 127.0.0.1:0` first unless
    /// `args` has a `--listen`) and waits for the ready line; panics with
    /// the process's stderr if it exits or stays silent.
    pub fn start(binary: &Path, args: &[String]) -> Started {
        let mut command = Command::new(binary);
        command.arg("serve");
        if !args.iter().any(|a| a == "--listen" || a.starts_with("--listen=")) {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        command.args(args);
        // Only the arguments configure the server: a stray IAM_EMULATOR_*
        // variable of the test's environment would change it unseen.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("IAM_EMULATOR_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let sink = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    lock(&sink).push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        if let Some(pipe) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut lines = BufReader::new(pipe).lines();
                let first = lines.next().and_then(Result::ok);
                let _ = tx.send(first);
                // Drain the rest so the server never blocks on a full pipe.
                for _ in lines {}
            });
        }
        let mut process = ServerProcess {
            child: Some(child),
            stderr,
        };
        let line = rx.recv_timeout(READY_TIMEOUT).ok().flatten();
        if let Some(endpoint) = line.as_deref().and_then(|l| l.trim().strip_prefix(READY_PREFIX)) {
            return Started {
                endpoint: endpoint.trim_end_matches('/').to_string(),
                process,
            };
        }
        let status = process.stop();
        // Give the stderr reader a moment to collect the last words.
        std::thread::sleep(Duration::from_millis(100));
        panic!(
            "{} serve did not print its ready line (got {line:?}, exit {status:?}); stderr:\n{}",
            binary.display(),
            process.stderr()
        );
    }

    /// The child's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// What the server wrote to stderr so far (warnings, soft-mode denials).
    pub fn stderr(&self) -> String {
        lock(&self.stderr).clone()
    }

    /// SIGTERM (kill elsewhere), then waits up to 15 s before killing it.
    /// `None` when already stopped.
    pub fn stop(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        terminate(&mut child);
        let started = Instant::now();
        while started.elapsed() < STOP_TIMEOUT {
            match child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(_) => break,
            }
        }
        let _ = child.kill();
        child.wait().ok()
    }
}

impl ServerProcess {
    /// SIGKILL: the process ends at once, with no chance to flush or clean
    /// up (crash tests); waits for it.
    pub fn kill(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

#[cfg(unix)]
fn terminate(child: &mut Child) {
    use rustix::process::{kill_process, Pid, Signal};
    let pid = i32::try_from(child.id()).ok().and_then(Pid::from_raw);
    match pid {
        Some(pid) if kill_process(pid, Signal::TERM).is_ok() => {}
        _ => {
            let _ = child.kill();
        }
    }
}

#[cfg(not(unix))]
fn terminate(child: &mut Child) {
    let _ = child.kill();
}

fn lock(text: &Mutex<String>) -> std::sync::MutexGuard<'_, String> {
    text.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

//! The binary as a container runs it: `serve` with the compose file's
//! arguments prints its ready line, `health` answers 0 against it and 1
//! against nothing, bad flags fail loudly at start-up, SIGTERM exits 0;
//! the ready line is followed by LocalStack's `Ready.`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-emulator"))
}

/// The `command:` of docker-compose.yml, as a list of arguments.
fn compose_command() -> Vec<String> {
    let compose =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docker-compose.yml")).unwrap();
    let line = compose
        .lines()
        .find(|l| l.trim_start().starts_with("command:"))
        .expect("compose has a command");
    let list = line
        .split_once('[')
        .and_then(|(_, rest)| rest.rsplit_once(']'))
        .expect("command is a JSON list")
        .0;
    list.split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect()
}

/// Starts `serve` with `args`, returning the child and its endpoint.
fn serve(args: &[String]) -> (Child, String) {
    let mut child = bin()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("iam-emulator listening on ")
        .expect("ready line")
        .to_string();
    (child, endpoint)
}

#[test]
fn compose_command_serves_and_health_checks_it() {
    let mut args = compose_command();
    assert_eq!(args[0], "serve");
    // Same arguments, but a free port: 4566 may be taken on a test machine.
    let listen = args.iter().position(|a| a == "--listen").expect("--listen") + 1;
    assert_eq!(args[listen], "0.0.0.0:4566");
    args[listen] = "127.0.0.1:0".into();
    let (mut child, endpoint) = serve(&args);
    let health = bin().args(["health", "--endpoint", &endpoint]).output().unwrap();
    assert!(
        health.status.success(),
        "{}",
        String::from_utf8_lossy(&health.stderr)
    );
    assert!(String::from_utf8_lossy(&health.stdout).contains("\"status\":\"ok\""));
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        assert_eq!(child.wait().unwrap().code(), Some(0), "SIGTERM exits 0");
    }
    #[cfg(not(unix))]
    let _ = child.kill();
}

#[test]
fn the_ready_line_is_followed_by_localstacks_ready() {
    let mut child = bin()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut first, mut second) = (String::new(), String::new());
    out.read_line(&mut first).unwrap();
    out.read_line(&mut second).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("iam-emulator listening on http://127.0.0.1:"),
        "{first:?}"
    );
    // testcontainers' LocalStack modules wait for exactly this line.
    assert_eq!(second, "Ready.\n");
}

#[test]
fn exit_with_stdin_shuts_down_when_the_parent_closes_the_pipe() {
    let mut child = bin()
        .args(["serve", "--listen", "127.0.0.1:0", "--exit-with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("iam-emulator listening on "), "{line:?}");
    assert!(
        child.try_wait().unwrap().is_none(),
        "still serving while stdin is open"
    );
    drop(child.stdin.take());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running 10 s after stdin closed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "a clean shutdown");
}

#[test]
fn health_fails_when_nothing_listens() {
    let out = bin()
        .args(["health", "--endpoint", "http://127.0.0.1:9", "--timeout", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_flags_fail_at_start_up() {
    for args in [
        &["serve", "--auth", "sometimes"][..],
        &["serve", "--root-key", "12:short"],
        &["serve", "--listen", "not-an-address"],
    ] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty());
    }
}

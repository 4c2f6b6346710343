//! `iam-emulator serve`: flags (each also `IAM_EMULATOR_<FLAG>`), start-up
//! checks that fail loudly, the ready line, and the signal-driven shutdown.

use crate::app::{parse_root_key, App, Config};
use crate::auth::AuthMode;
use crate::state::s3::S3Defaults;
use crate::state::{RootKey, DEFAULT_ACCESS_KEY, DEFAULT_ACCOUNT, DEFAULT_SECRET_KEY};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "IAM_EMULATOR_LISTEN", default_value = "127.0.0.1:4566")]
    pub listen: String,
    /// Keep all state on disk in DIR and load it at start.
    #[arg(long = "state-dir", env = "IAM_EMULATOR_STATE_DIR", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Root credentials of an account, ACCOUNT:AKID:SECRET (repeatable).
    #[arg(
        long = "root-key",
        env = "IAM_EMULATOR_ROOT_KEY",
        value_name = "ACCOUNT:AKID:SECRET",
        value_delimiter = ','
    )]
    pub root_keys: Vec<String>,
    /// strict: verify and enforce; soft: verify, evaluate, log denials; off: any key is the default root.
    #[arg(long, env = "IAM_EMULATOR_AUTH", value_enum, default_value = "strict")]
    pub auth: AuthMode,
    /// Connections served at once; more wait in the listen backlog (back-pressure).
    #[arg(long = "max-connections", env = "IAM_EMULATOR_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Shut down (as on SIGTERM) when standard input reaches end of file:
    /// a parent that holds the other end of a pipe (the Python package, a
    /// test harness) then never leaves an orphan server, even when it is
    /// killed itself.
    #[arg(long = "exit-with-stdin")]
    pub exit_with_stdin: bool,
    /// What new S3 buckets get: current (Block Public Access on, ACLs
    /// disabled, SSE-S3) or legacy (S3 before April 2023: Block Public
    /// Access off, Object Ownership ObjectWriter, no default encryption).
    #[arg(
        long = "s3-defaults",
        env = "IAM_EMULATOR_S3_DEFAULTS",
        value_enum,
        default_value = "current"
    )]
    pub s3_defaults: S3Defaults,
}

/// The configuration the flags describe, or why they are wrong.
pub fn config(args: &ServeArgs) -> Result<Config, String> {
    let mut root_keys: Vec<RootKey> = args
        .root_keys
        .iter()
        .map(|k| parse_root_key(k))
        .collect::<Result<_, _>>()?;
    if !root_keys.iter().any(|k| k.account == DEFAULT_ACCOUNT) {
        root_keys.insert(
            0,
            RootKey {
                account: DEFAULT_ACCOUNT.into(),
                access_key: DEFAULT_ACCESS_KEY.into(),
                secret: DEFAULT_SECRET_KEY.into(),
            },
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for key in &root_keys {
        if !seen.insert(key.access_key.clone()) {
            return Err(format!(
                "--root-key: access key {} is given twice",
                key.access_key
            ));
        }
    }
    Ok(Config {
        auth: args.auth,
        root_keys,
        default_account: DEFAULT_ACCOUNT.into(),
        s3_defaults: args.s3_defaults,
    })
}

/// Runs the server until SIGINT/SIGTERM.
pub fn run(args: &ServeArgs) -> ExitCode {
    let config = match config(args) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("iam-emulator serve: {message}");
            return ExitCode::from(2);
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("iam-emulator serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = match &args.state_dir {
        Some(dir) => match App::open(config, dir) {
            Ok(app) => app,
            Err(message) => {
                eprintln!("iam-emulator serve: {message}");
                return ExitCode::from(2);
            }
        },
        None => App::new(config),
    };
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(&args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("iam-emulator serve: cannot listen on {}: {e}", args.listen);
                return ExitCode::from(2);
            }
        };
        let addr = listener
            .local_addr()
            .map_or_else(|_| args.listen.clone(), |a| a.to_string());
        // Before the ready line: whoever reads it may signal at once.
        let signals = crate::server::ShutdownSignals::install();
        {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            // The ready line, then LocalStack's: tools and testcontainers
            // modules written for a LocalStack container wait for `Ready.`.
            let _ = writeln!(out, "iam-emulator listening on http://{addr}");
            let _ = writeln!(out, "Ready.");
            let _ = out.flush();
        }
        let app = Arc::new(app);
        let limits = crate::limits::Limits {
            max_connections: args.max_connections as usize,
            ..crate::limits::Limits::default()
        };
        let exit_with_stdin = args.exit_with_stdin;
        let shutdown = async move {
            tokio::select! {
                () = signals.received() => {},
                () = stdin_closed(), if exit_with_stdin => {},
            }
        };
        crate::server::serve_with(app.clone(), listener, shutdown, limits).await;
        // Every reply was sent after its commit; this flushes what needs no
        // acknowledgement (observed requests) so nothing is left behind.
        if let Err(message) = app.close() {
            eprintln!("iam-emulator serve: {message}");
            return ExitCode::FAILURE;
        }
        ExitCode::SUCCESS
    })
}

/// Completes when standard input reaches end of file (or fails): the
/// parent that held it is gone. What is read is thrown away.
async fn stdin_closed() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    // A plain thread: tokio's stdin is itself a blocking read on a thread,
    // and this one lives as long as the server.
    std::thread::spawn(move || {
        use std::io::Read as _;
        let mut stdin = std::io::stdin().lock();
        let mut buf = [0u8; 256];
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    let _ = rx.await;
}

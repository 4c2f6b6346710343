//! `iam-emulator explain`: decide one request from policy files, offline,
//! and print the decision with its trace (words or JSON).
//!
//! Exit code 0 when allowed, 1 when denied, 2 on bad input.
//!
//! The command reads its files into an [`ExplainInput`] and decides with
//! [`decide_input`] ([`crate::explain`]); the console's `POST
//! /_emulator/evaluate` builds the same input from JSON, so both give the
//! same decision and JSON. There the SCPs and RCPs are the files given
//! (`--scp`, `--rcp`): a what-if.
//!
//! With `--state-dir DIR` it decides over a stopped emulator's saved state
//! instead, as `POST /_emulator/decide` does over the running one's (the
//! same function, [`crate::console::decide::over_state`]): the caller's
//! policies, the resource's, and the organization's SCPs, RCPs and keys
//! all come from the state, so `explain`, the console and a real request
//! read the same organization.

pub use crate::explain::{decide_input, parse_context, ExplainInput, PolicyText, DEFAULT_PRINCIPAL};
use clap::Args;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug, Clone)]
pub struct ExplainArgs {
    /// Identity-based policy file (inline or managed); repeat for several.
    #[arg(long = "policy", value_name = "FILE")]
    pub policies: Vec<PathBuf>,
    /// The action, e.g. s3:GetObject.
    #[arg(long)]
    pub action: String,
    /// The resource ARN (or *).
    #[arg(long)]
    pub resource: String,
    /// Resource-based policy file (bucket policy, trust policy, …).
    #[arg(long = "resource-policy", value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// A role's trust policy file (for sts:AssumeRole on a role ARN): unlike
    /// other resource policies it must allow the caller itself.
    #[arg(
        long = "trust-policy",
        value_name = "FILE",
        conflicts_with = "resource_policy"
    )]
    pub trust_policy: Option<PathBuf>,
    /// Permissions boundary policy file.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// Session policy file (for assumed-role or federated sessions); repeatable.
    #[arg(long = "session-policy", value_name = "FILE")]
    pub session_policies: Vec<PathBuf>,
    /// Service control policy file; each --scp is one level, from the
    /// organisation root down to the account.
    #[arg(long = "scp", value_name = "FILE")]
    pub scps: Vec<PathBuf>,
    /// Resource control policy file; each --rcp is one level.
    #[arg(long = "rcp", value_name = "FILE")]
    pub rcps: Vec<PathBuf>,
    /// The caller: an IAM user, root, role (decided as a session of it named
    /// "session"), assumed-role session or federated-user ARN; an OIDC or
    /// SAML provider ARN (a web-identity or SAML caller; give its claims with
    /// --context); a service principal such as lambda.amazonaws.com (give
    /// aws:SourceArn / aws:SourceAccount with --context); or * for anonymous.
    #[arg(long, default_value = DEFAULT_PRINCIPAL)]
    pub principal: String,
    /// The account that owns the resource (default: the one in its ARN, else the caller's).
    #[arg(long = "resource-account", value_name = "ACCOUNT")]
    pub resource_account: Option<String>,
    /// A condition key: KEY=VALUE. Repeat a key for a multi-valued key such as aws:TagKeys.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Print JSON instead of words.
    #[arg(long)]
    pub json: bool,
    /// Decide over a stopped emulator's state folder (`serve --state-dir
    /// DIR`) instead of policy files: every policy, the organization's SCPs
    /// and RCPs included, comes from the state, as for a real request.
    #[arg(
        long = "state-dir",
        value_name = "DIR",
        conflicts_with_all = ["policies", "resource_policy", "trust_policy", "boundary", "session_policies", "scps", "rcps", "resource_account"]
    )]
    pub state_dir: Option<PathBuf>,
    /// With --state-dir: decide for the caller of this access key (a user's,
    /// a root's or a session's) instead of --principal.
    #[arg(long = "access-key-id", value_name = "AKID", requires = "state_dir")]
    pub access_key_id: Option<String>,
}

/// Runs the command and returns its exit code.
pub fn run(args: &ExplainArgs) -> ExitCode {
    match decide(args) {
        Ok(decision) => {
            let text = if args.json {
                format!("{:#}\n", decision.to_json())
            } else {
                decision.explain()
            };
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            if decision.is_allowed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(message) => {
            eprintln!("iam-emulator explain: {message}");
            ExitCode::from(2)
        }
    }
}

/// Builds the request and policies from the arguments and decides.
pub fn decide(args: &ExplainArgs) -> Result<iam_evaluator::Decision, String> {
    if let Some(dir) = &args.state_dir {
        return decide_over_state(dir, args);
    }
    let input = ExplainInput {
        policies: read_all(&args.policies)?,
        resource_policy: args.resource_policy.as_deref().map(read).transpose()?,
        trust_policy: args.trust_policy.as_deref().map(read).transpose()?,
        boundary: args.boundary.as_deref().map(read).transpose()?,
        session_policies: read_all(&args.session_policies)?,
        scps: read_all(&args.scps)?,
        rcps: read_all(&args.rcps)?,
        principal: args.principal.clone(),
        action: args.action.clone(),
        resource: args.resource.clone(),
        resource_account: args.resource_account.clone(),
        context: args.context.clone(),
    };
    decide_input(&input).map_err(|e| e.to_string())
}

/// `--state-dir`: the decision over a saved state (which no emulator may be
/// using: its lock is taken), as `POST /_emulator/decide` makes it.
fn decide_over_state(dir: &Path, args: &ExplainArgs) -> Result<iam_evaluator::Decision, String> {
    use crate::console::decide::{over_state, Who};
    if !dir.join("state.redb").is_file() {
        return Err(format!("--state-dir {}: no emulator state there", dir.display()));
    }
    let mut state = crate::state::State::new(Vec::new());
    let _store = crate::store::Store::open(dir, &mut state)?;
    let who = match &args.access_key_id {
        Some(key) => Who::Key(key.clone()),
        None => Who::Principal(args.principal.clone()),
    };
    let context = parse_context(&args.context)?;
    let now = time::OffsetDateTime::now_utc();
    over_state(&state, now, &who, &args.action, &args.resource, context)
        .map_err(|refused| format!("--{}: {}", kebab(refused.field), refused.message))
}

/// `accessKeyId` → `access-key-id`, as the flag is spelled.
fn kebab(field: &str) -> String {
    field.chars().fold(String::new(), |mut out, c| {
        if c.is_ascii_uppercase() {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
        out
    })
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<PolicyText>, String> {
    paths.iter().map(|p| read(p)).collect()
}

fn read(path: &Path) -> Result<PolicyText, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(PolicyText {
        name,
        origin: path.display().to_string(),
        text,
    })
}

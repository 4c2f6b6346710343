//! `iam-emulator explain`: decide one request from policy files, offline,
//! and print the decision with its trace (words or JSON).
//!
//! Exit code 0 when allowed, 1 when denied, 2 on bad input.

use clap::Args;
use iam_evaluator::{evaluate, NamedPolicy, Policy, PolicySet, Principal, Request, RequestContext};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The default caller when `--principal` is not given.
pub const DEFAULT_PRINCIPAL: &str = "arn:aws:iam::123456789012:user/alice";

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
    /// The caller: IAM user, root, or STS assumed-role session ARN, or `anonymous`.
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
    let principal = Principal::from_arn(&args.principal).map_err(|e| format!("--principal: {e}"))?;
    let mut context = parse_context(&args.context)?;
    context.add_principal_keys(&principal);
    let policies = PolicySet {
        identity: load_all(&args.policies)?,
        resource: load_all(
            args.resource_policy
                .clone()
                .or_else(|| args.trust_policy.clone())
                .as_slice(),
        )?,
        boundary: args.boundary.as_deref().map(load).transpose()?,
        session: load_all(&args.session_policies)?,
        scps: load_all(&args.scps)?.into_iter().map(|p| vec![p]).collect(),
        rcps: load_all(&args.rcps)?.into_iter().map(|p| vec![p]).collect(),
        role_trust: args.trust_policy.is_some(),
    };
    let request = Request {
        principal,
        action: args.action.clone(),
        resource: args.resource.clone(),
        resource_account: args.resource_account.clone(),
        context,
    };
    Ok(evaluate(&request, &policies))
}

fn load_all(paths: &[PathBuf]) -> Result<Vec<NamedPolicy>, String> {
    paths.iter().map(|p| load(p)).collect()
}

fn load(path: &Path) -> Result<NamedPolicy, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let policy = Policy::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(NamedPolicy::new(&name, policy))
}

/// `KEY=VALUE` pairs; a key given more than once becomes multi-valued.
fn parse_context(pairs: &[String]) -> Result<RequestContext, String> {
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for pair in pairs {
        let (key, value) = pair
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| format!("--context {pair:?}: expected KEY=VALUE"))?;
        let key = key.trim().to_ascii_lowercase();
        match grouped.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value.to_string()),
            None => grouped.push((key, vec![value.to_string()])),
        }
    }
    let mut context = RequestContext::new();
    for (key, mut values) in grouped {
        if values.len() == 1 {
            context.set(&key, values.remove(0));
        } else {
            context.set_multi(&key, values);
        }
    }
    Ok(context)
}

//! `iam-emulator explain`: decide one request from policy files, offline,
//! and print the decision with its trace (words or JSON).
//!
//! Exit code 0 when allowed, 1 when denied, 2 on bad input.
//!
//! The command reads its files into an [`ExplainInput`] and decides with
//! [`decide_input`]; the console's `POST /_emulator/evaluate` builds the
//! same input from JSON, so both give the same decision and JSON.

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

/// A policy as text, with the name the trace shows for it and where it
/// came from (for error messages: a file's path, a form field's label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyText {
    pub name: String,
    pub origin: String,
    pub text: String,
}

/// Everything one explanation needs, as text: what the `explain` command
/// reads from its flags and files, and what `POST /_emulator/evaluate`
/// reads from its JSON body. Both decide through [`decide_input`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExplainInput {
    /// Identity-based policies.
    pub policies: Vec<PolicyText>,
    pub resource_policy: Option<PolicyText>,
    /// A role's trust policy (instead of `resource_policy`).
    pub trust_policy: Option<PolicyText>,
    pub boundary: Option<PolicyText>,
    pub session_policies: Vec<PolicyText>,
    /// One SCP per organisation level, root first.
    pub scps: Vec<PolicyText>,
    /// One RCP per organisation level.
    pub rcps: Vec<PolicyText>,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    /// `KEY=VALUE` pairs; a key given more than once is multi-valued.
    pub context: Vec<String>,
}

/// Bad input to [`decide_input`]: which input, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The flag's name without dashes (`principal`, `context`, …), or
    /// `policy` for a policy that does not parse.
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// Parses the policies and the request and decides.
pub fn decide_input(input: &ExplainInput) -> Result<iam_evaluator::Decision, InputError> {
    if input.resource_policy.is_some() && input.trust_policy.is_some() {
        return Err(InputError {
            field: "trust-policy",
            message: "a trust policy is the role's resource-based policy: give either a resource policy or a trust policy".into(),
        });
    }
    let principal = Principal::parse(&input.principal).map_err(|e| InputError {
        field: "principal",
        message: format!(
            "--principal: {e} (expected an IAM user, role, root, assumed-role session or federated-user ARN, \
             an OIDC/SAML provider ARN, a service principal such as lambda.amazonaws.com, or * for anonymous)"
        ),
    })?;
    let mut context = parse_context(&input.context).map_err(|message| InputError {
        field: "context",
        message,
    })?;
    if let Some(role) = named_role(&input.principal) {
        // A role named by its ARN is decided as a session of it; the
        // session's aws:PrincipalArn is the role's, path included.
        context.set_default("aws:PrincipalArn", role);
    }
    context.add_principal_keys(&principal);
    let policies = PolicySet {
        identity: parse_all(&input.policies)?,
        resource: input
            .resource_policy
            .as_ref()
            .or(input.trust_policy.as_ref())
            .map(parse)
            .into_iter()
            .collect::<Result<_, _>>()?,
        boundary: input.boundary.as_ref().map(parse).transpose()?,
        session: parse_all(&input.session_policies)?,
        scps: parse_all(&input.scps)?.into_iter().map(|p| vec![p]).collect(),
        rcps: parse_all(&input.rcps)?.into_iter().map(|p| vec![p]).collect(),
        role_trust: input.trust_policy.is_some(),
        acls: Vec::new(),
    };
    let request = Request {
        principal,
        action: input.action.clone(),
        resource: input.resource.clone(),
        resource_account: input.resource_account.clone(),
        context,
    };
    Ok(evaluate(&request, &policies))
}

/// `text` when it is a role ARN (`arn:aws:iam::ACCOUNT:role/…`).
fn named_role(text: &str) -> Option<&str> {
    let text = text.trim();
    iam_evaluator::arn::Arn::parse(text)
        .is_some_and(|arn| arn.service == "iam" && arn.resource.starts_with("role/"))
        .then_some(text)
}

fn parse_all(texts: &[PolicyText]) -> Result<Vec<NamedPolicy>, InputError> {
    texts.iter().map(parse).collect()
}

fn parse(text: &PolicyText) -> Result<NamedPolicy, InputError> {
    let policy = Policy::parse(&text.text).map_err(|e| InputError {
        field: "policy",
        message: format!("{}: {e}", text.origin),
    })?;
    Ok(NamedPolicy::new(&text.name, policy))
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

/// `KEY=VALUE` pairs; a key given more than once becomes multi-valued.
pub fn parse_context(pairs: &[String]) -> Result<RequestContext, String> {
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

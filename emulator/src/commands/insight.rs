//! The commands `iam-emulator policy generate`, `iam-emulator who-can` and
//! `iam-emulator can`. Each fetches its answer from a running emulator's
//! admin endpoint (`--endpoint`, default `http://127.0.0.1:4566`) and
//! prints it for people, or as the endpoint's JSON with `--json`; with
//! `--state-dir DIR` the same answer is computed from a stopped emulator's
//! saved state and observations.
//!
//! Exit codes: 0 answered; 1 nothing to answer (no observations of the
//! principal, an unknown principal) or the emulator is unreachable; 2 bad
//! input (a malformed `--since`, …).

use super::local_http as client;
use crate::insight::answers::{Answer, PolicyAnswer};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::process::ExitCode;
use std::time::Duration;

/// Where the answer comes from.
#[derive(Args, Debug, Clone)]
pub struct Source {
    /// A running emulator's endpoint.
    #[arg(long, env = "IAM_EMULATOR_ENDPOINT", default_value = "http://127.0.0.1:4566")]
    pub endpoint: String,
    /// Answer from a stopped emulator's state folder instead (`serve --state-dir DIR`).
    #[arg(long = "state-dir", value_name = "DIR")]
    pub state_dir: Option<std::path::PathBuf>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Print the endpoint's JSON as it is.
    #[arg(long)]
    pub json: bool,
}

impl Source {
    fn fetch(&self, path: &str) -> Result<Answer, String> {
        if let Some(dir) = &self.state_dir {
            return offline(dir, path);
        }
        let (status, body) = client::get(&self.endpoint, path, Duration::from_secs(self.timeout.max(1)))?;
        Ok(Answer { status, body })
    }
}

/// The answer the admin endpoint `path` would give, computed from a state
/// folder (which no emulator may be using: its lock is taken).
fn offline(dir: &std::path::Path, path: &str) -> Result<Answer, String> {
    if !dir.join("state.redb").is_file() {
        return Err(format!("--state-dir {}: no emulator state there", dir.display()));
    }
    let mut state = crate::state::State::new(Vec::new());
    let (store, _bodies) = crate::store::Store::open(dir, &mut state)?;
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    Ok(match route {
        "/_emulator/policy" => crate::insight::answers::policy(&store.observations()?, &query),
        "/_emulator/who-can" => crate::insight::answers::who_can(&state, &query),
        _ => crate::insight::answers::can(&state, &query),
    })
}

#[derive(Args, Debug, Clone)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum PolicyCommand {
    /// Print the least-privilege identity policy for what a principal was
    /// observed doing (explanations go to stderr).
    Generate(GenerateArgs),
}

#[derive(Args, Debug, Clone)]
pub struct GenerateArgs {
    /// The principal's ARN, as the emulator saw it (e.g. arn:aws:iam::123456789012:user/ci).
    #[arg(long)]
    pub principal: String,
    /// Only requests at or after this RFC 3339 time (e.g. 2024-05-01T12:00:00Z).
    #[arg(long)]
    pub since: Option<String>,
    /// Fold resources that differ below one parent into prefix patterns (`prefix`).
    #[arg(long, value_parser = ["prefix"])]
    pub generalise: Option<String>,
    #[command(flatten)]
    pub source: Source,
}

#[derive(Args, Debug, Clone)]
pub struct WhoCanArgs {
    /// The action, e.g. s3:GetObject.
    pub action: String,
    /// The resource ARN, e.g. arn:aws:s3:::bucket/key (or * for actions without one).
    pub resource: String,
    #[command(flatten)]
    pub source: Source,
}

#[derive(Args, Debug, Clone)]
pub struct CanArgs {
    /// A user, role, assumed-role or root ARN, an account id, or `anonymous`.
    pub principal: String,
    /// Only resources whose ARN starts with this.
    #[arg(long)]
    pub resource: Option<String>,
    #[command(flatten)]
    pub source: Source,
}

/// `policy generate`.
pub fn run_policy(args: &PolicyArgs) -> ExitCode {
    let PolicyCommand::Generate(args) = &args.command;
    let path = client::with_query(
        "/_emulator/policy",
        &[
            ("principal", Some(&args.principal)),
            ("since", args.since.as_deref()),
            ("generalise", args.generalise.as_deref()),
        ],
    );
    answer(&args.source, &path, "policy generate", print_policy)
}

/// `who-can`.
pub fn run_who_can(args: &WhoCanArgs) -> ExitCode {
    let path = client::with_query(
        "/_emulator/who-can",
        &[("action", Some(&args.action)), ("resource", Some(&args.resource))],
    );
    answer(&args.source, &path, "who-can", print_who_can)
}

/// `can`.
pub fn run_can(args: &CanArgs) -> ExitCode {
    let path = client::with_query(
        "/_emulator/can",
        &[
            ("principal", Some(&args.principal)),
            ("resource", args.resource.as_deref()),
        ],
    );
    answer(&args.source, &path, "can", print_can)
}

/// Fetches, then prints the answer (or the error) and picks the exit code.
fn answer(source: &Source, path: &str, command: &str, print: fn(&str) -> Result<(), String>) -> ExitCode {
    let answer = match source.fetch(path) {
        Ok(answer) => answer,
        Err(message) => {
            eprintln!("iam-emulator {command}: {message}");
            return ExitCode::FAILURE;
        }
    };
    if answer.status != 200 {
        let error: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        let message = error["error"].as_str().unwrap_or(&answer.body);
        eprintln!("iam-emulator {command}: {message}");
        return ExitCode::from(if answer.status == 400 { 2 } else { 1 });
    }
    if source.json {
        println!("{}", answer.body);
        return ExitCode::SUCCESS;
    }
    match print(&answer.body) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("iam-emulator {command}: unexpected answer: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The policy on stdout (ready for `aws iam create-policy`), why on stderr.
fn print_policy(body: &str) -> Result<(), String> {
    let answer: PolicyAnswer = serde_json::from_str(body).map_err(|e| e.to_string())?;
    println!("{}", answer.generated.policy.to_text());
    let g = &answer.generated;
    eprintln!(
        "# {} observed requests ({} denied when made) → {} statements",
        g.observed,
        g.denied,
        g.policy.statement.len()
    );
    for why in &g.explanations {
        match &why.sid {
            Some(sid) => eprintln!("# {sid}: {}", why.text),
            None => eprintln!("# {}", why.text),
        }
    }
    for finding in &answer.findings {
        eprintln!(
            "# ValidatePolicy {}: {} {}",
            finding["findingType"].as_str().unwrap_or_default(),
            finding["issueCode"].as_str().unwrap_or_default(),
            finding["findingDetails"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}

fn print_who_can(body: &str) -> Result<(), String> {
    let answer: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let allowed = answer["allowed"].as_array().ok_or("no allowed list")?;
    println!(
        "Who can {} on {} ({} principals evaluated):",
        answer["action"].as_str().unwrap_or_default(),
        answer["resource"].as_str().unwrap_or_default(),
        answer["evaluated"]
    );
    if allowed.is_empty() {
        println!("  nobody");
    }
    for entry in allowed {
        let groups = entry["groups"]
            .as_array()
            .map(|g| {
                let names: Vec<&str> = g.iter().filter_map(Value::as_str).collect();
                format!(", groups {}", names.join(", "))
            })
            .unwrap_or_default();
        println!(
            "  {} ({}{groups}): {}",
            entry["principal"].as_str().unwrap_or_default(),
            entry["kind"].as_str().unwrap_or_default(),
            entry["reason"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}

fn print_can(body: &str) -> Result<(), String> {
    let answer: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let resources = answer["resources"].as_array().ok_or("no resources list")?;
    println!(
        "{} ({}) may ({} action-resource pairs evaluated):",
        answer["principal"].as_str().unwrap_or_default(),
        answer["kind"].as_str().unwrap_or_default(),
        answer["evaluated"]
    );
    if resources.is_empty() {
        println!("  nothing on the resources that exist");
    }
    for entry in resources {
        // An action an AWS rule allows (not a statement) says which rule.
        let actions: Vec<String> = entry["actions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| {
                        let action = x["action"].as_str()?;
                        Some(match x["rule"].as_str() {
                            Some(rule) => format!("{action} (by AWS rule {rule})"),
                            None => action.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        println!(
            "  {} ({}): {}",
            entry["resource"].as_str().unwrap_or_default(),
            entry["type"].as_str().unwrap_or_default(),
            actions.join(", ")
        );
    }
    Ok(())
}

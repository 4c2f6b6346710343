//! `iam-emulator check …`: Access Analyzer's custom policy checks offline,
//! for CI gates ([`iam_evaluator::checks`]):
//! - `check no-new-access EXISTING NEW [--policy-type identity|resource]`;
//! - `check access-not-granted POLICY --action A… --resource R…`;
//! - `check no-public-access POLICY --resource-type AWS::S3::Bucket`.
//!
//! Prints `PASS: …` or `FAIL: …` with one line per reason (`--json`: the
//! API's reply). Exit code 0 on PASS, 1 on FAIL, 2 when a file cannot be
//! read, a policy does not parse, or an option is wrong.

use clap::{Args, Subcommand, ValueEnum};
use iam_evaluator::checks::{self, Access, AccessCheckPolicyType, CheckResult, RESOURCE_TYPES};
use iam_evaluator::Policy;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    #[command(subcommand)]
    pub check: Check,
}

/// `--policy-type`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyTypeArg {
    /// IDENTITY_POLICY: policies of users, groups and roles.
    Identity,
    /// RESOURCE_POLICY: bucket policies, role trust policies, ….
    Resource,
}

impl PolicyTypeArg {
    fn kind(self) -> AccessCheckPolicyType {
        match self {
            PolicyTypeArg::Identity => AccessCheckPolicyType::Identity,
            PolicyTypeArg::Resource => AccessCheckPolicyType::Resource,
        }
    }
}

#[derive(Subcommand, Debug, Clone)]
pub enum Check {
    /// CheckNoNewAccess: does NEW grant anything EXISTING does not?
    NoNewAccess {
        /// The existing policy (JSON file; `-` reads standard input).
        existing: PathBuf,
        /// The new policy.
        new: PathBuf,
        #[arg(long, value_enum, default_value = "identity")]
        policy_type: PolicyTypeArg,
        /// Print the API's reply (JSON).
        #[arg(long)]
        json: bool,
    },
    /// CheckAccessNotGranted: does POLICY grant any listed action or resource?
    AccessNotGranted {
        policy: PathBuf,
        /// An action that must not be granted (repeatable).
        #[arg(long = "action", value_name = "ACTION")]
        actions: Vec<String>,
        /// A resource that must not be reachable (repeatable).
        #[arg(long = "resource", value_name = "ARN")]
        resources: Vec<String>,
        #[arg(long, value_enum, default_value = "identity")]
        policy_type: PolicyTypeArg,
        #[arg(long)]
        json: bool,
    },
    /// CheckNoPublicAccess: does the resource policy grant public access?
    NoPublicAccess {
        policy: PathBuf,
        /// The resource type, e.g. AWS::S3::Bucket or AWS::IAM::AssumeRolePolicyDocument.
        #[arg(long, value_name = "TYPE")]
        resource_type: String,
        #[arg(long)]
        json: bool,
    },
}

/// Runs the check; see the module documentation for exit codes.
pub fn run(args: &CheckArgs) -> ExitCode {
    match check(&args.check) {
        Ok((result, json)) => {
            let _ = std::io::stdout().write_all(report(&result, json).as_bytes());
            ExitCode::from(u8::from(!result.passed()))
        }
        Err(message) => {
            eprintln!("iam-emulator check: {message}");
            ExitCode::from(2)
        }
    }
}

/// The check's result and whether to print it as JSON.
pub fn check(check: &Check) -> Result<(CheckResult, bool), String> {
    Ok(match check {
        Check::NoNewAccess {
            existing,
            new,
            policy_type,
            json,
        } => (
            checks::check_no_new_access(&read(existing)?, &read(new)?, policy_type.kind()),
            *json,
        ),
        Check::AccessNotGranted {
            policy,
            actions,
            resources,
            policy_type,
            json,
        } => {
            if actions.is_empty() && resources.is_empty() {
                return Err("name at least one --action or --resource".into());
            }
            let access = Access {
                actions: actions.clone(),
                resources: resources.clone(),
            };
            (
                checks::check_access_not_granted(&read(policy)?, policy_type.kind(), &access),
                *json,
            )
        }
        Check::NoPublicAccess {
            policy,
            resource_type,
            json,
        } => {
            if !RESOURCE_TYPES.contains(&resource_type.as_str()) {
                return Err(format!(
                    "unknown --resource-type {resource_type:?}; one of: {}",
                    RESOURCE_TYPES.join(", ")
                ));
            }
            (
                checks::check_no_public_access(&read(policy)?, resource_type),
                *json,
            )
        }
    })
}

fn read(path: &Path) -> Result<Policy, String> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    };
    Policy::parse(&text).map_err(|e| format!("{} is not a policy: {e}", path.display()))
}

/// `PASS: message` / `FAIL: message` and a line per reason, or the JSON.
fn report(result: &CheckResult, json: bool) -> String {
    if json {
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&result.to_json()).unwrap_or_default()
        );
    }
    let mut out = format!("{}: {}\n", result.result.as_str(), result.message);
    for reason in &result.reasons {
        let _ = writeln!(out, "  - {}", reason.description);
    }
    out
}

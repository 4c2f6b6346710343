//! `iam-emulator validate FILE`: Access Analyzer's `ValidatePolicy`
//! offline. Prints each finding with its line and column (or, with
//! `--json`, the findings as `ValidatePolicy` returns them).
//!
//! Exit code 0 when there is no ERROR finding, 1 when there is, 2 when the
//! file cannot be read or an option is wrong.

use clap::{Args, ValueEnum};
use iam_evaluator::validate::{validate_policy, Finding, PolicyKind, ResourcePolicyType};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// `--type`: the policy type Access Analyzer validates for.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindArg {
    /// IDENTITY_POLICY: inline and managed policies of users, groups, roles.
    Identity,
    /// RESOURCE_POLICY: bucket policies, trust policies, ….
    Resource,
    /// SERVICE_CONTROL_POLICY.
    Scp,
}

impl KindArg {
    fn kind(self) -> PolicyKind {
        match self {
            KindArg::Identity => PolicyKind::Identity,
            KindArg::Resource => PolicyKind::Resource,
            KindArg::Scp => PolicyKind::ServiceControl,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct ValidateArgs {
    /// The policy document (JSON); `-` reads standard input.
    pub file: PathBuf,
    /// The policy type.
    #[arg(long = "type", value_enum, default_value = "identity")]
    pub kind: KindArg,
    /// What a resource policy is attached to, e.g. AWS::S3::Bucket or
    /// AWS::IAM::AssumeRolePolicyDocument (with --type resource).
    #[arg(long = "resource-type", value_name = "TYPE")]
    pub resource_type: Option<String>,
    /// Print the findings as ValidatePolicy returns them (JSON).
    #[arg(long)]
    pub json: bool,
}

/// Runs the command; see the module documentation for exit codes.
pub fn run(args: &ValidateArgs) -> ExitCode {
    match validate_file(args) {
        Ok((text, has_error)) => {
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::from(u8::from(has_error))
        }
        Err(message) => {
            eprintln!("iam-emulator validate: {message}");
            ExitCode::from(2)
        }
    }
}

/// The report to print and whether any finding is an ERROR.
pub fn validate_file(args: &ValidateArgs) -> Result<(String, bool), String> {
    let resource_type = args
        .resource_type
        .as_deref()
        .map(|t| ResourcePolicyType::parse(t).ok_or_else(|| format!("unknown --resource-type {t:?}")))
        .transpose()?;
    if resource_type.is_some() && args.kind != KindArg::Resource {
        return Err("--resource-type goes with --type resource".into());
    }
    let text = read(&args.file)?;
    let findings = validate_policy(&text, args.kind.kind(), resource_type);
    let has_error = findings
        .iter()
        .any(|f| f.finding_type == iam_evaluator::validate::FindingType::Error);
    let report = if args.json {
        let list: Vec<_> = findings.iter().map(Finding::to_json).collect();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({ "findings": list })).unwrap_or_default()
        )
    } else {
        words(&args.file.display().to_string(), &findings)
    };
    Ok((report, has_error))
}

fn read(path: &std::path::Path) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// `FILE:LINE:COLUMN: TYPE ISSUE_CODE: details`, one finding a line
/// (columns counted from 1 here, as editors count them), then a summary.
fn words(file: &str, findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let (line, column) = f
            .locations
            .first()
            .map_or((1, 1), |l| (l.span.start.line, l.span.start.column + 1));
        let _ = writeln!(
            out,
            "{file}:{line}:{column}: {} {}: {}",
            f.finding_type.as_str(),
            f.issue_code,
            f.details
        );
    }
    let errors = findings
        .iter()
        .filter(|f| f.finding_type == iam_evaluator::validate::FindingType::Error)
        .count();
    let _ = writeln!(out, "{} finding(s), {errors} error(s)", findings.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(file: PathBuf) -> ValidateArgs {
        ValidateArgs {
            file,
            kind: KindArg::Identity,
            resource_type: None,
            json: false,
        }
    }

    #[test]
    fn findings_with_line_and_column_and_whether_there_is_an_error() {
        let dir = std::env::temp_dir().join(format!("iam-emulator-validate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("policy.json");
        std::fs::write(
            &file,
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:ListObject\",\n    \"Resource\": \"*\"\n  }\n}\n",
        )
        .unwrap();
        let (report, has_error) = validate_file(&args(file.clone())).unwrap();
        assert!(has_error);
        assert!(
            report.starts_with(&format!(
                "{}:5:15: ERROR INVALID_ACTION: The action s3:ListObject does not exist.",
                file.display()
            )),
            "{report}"
        );
        assert!(report.ends_with("1 finding(s), 1 error(s)\n"));

        std::fs::write(
            &file,
            r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
        )
        .unwrap();
        let (report, has_error) = validate_file(&args(file.clone())).unwrap();
        assert!(!has_error, "a WARNING is not an error: {report}");
        assert!(report.contains("WARNING MISSING_VERSION"));

        assert!(validate_file(&args(dir.join("missing.json"))).is_err());
        let mut bad = args(file);
        bad.resource_type = Some("AWS::S3::Bucket".into());
        assert!(validate_file(&bad).unwrap_err().contains("--type resource"));
        let _ = std::fs::remove_dir_all(dir);
    }
}

//! The `iam-emulator` command.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: a request makes ~180 small
/// allocations, and the system allocator (glibc's, or musl's in the static
/// image) was 25-30 % of the instructions per request in callgrind.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "iam-emulator", version, about = "Offline AWS IAM emulator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the emulator (IAM, STS and S3 on one port).
    Serve(iam_emulator::serve::ServeArgs),
    /// Decide one request offline and explain why it is allowed or denied.
    Explain(Box<iam_emulator::commands::explain::ExplainArgs>),
    /// Validate a policy document offline, as Access Analyzer's ValidatePolicy does
    /// (exit 1 when there is an ERROR finding, 2 when the file cannot be read).
    Validate(iam_emulator::commands::validate::ValidateArgs),
    /// Access Analyzer's custom policy checks offline (no-new-access, access-not-granted,
    /// no-public-access): exit 0 on PASS, 1 on FAIL, 2 on bad input — for CI gates.
    Check(iam_emulator::commands::check::CheckArgs),
    /// Check that a running emulator is healthy (exit 0) — for container healthchecks.
    Health(iam_emulator::commands::health::HealthArgs),
    /// Generate a least-privilege policy from the requests a principal was observed making.
    Policy(iam_emulator::commands::insight::PolicyArgs),
    /// List every principal that may do ACTION on RESOURCE, with the statements that grant it.
    WhoCan(iam_emulator::commands::insight::WhoCanArgs),
    /// List what a principal may do on the resources that exist.
    Can(iam_emulator::commands::insight::CanArgs),
    /// Print a state folder's IAM state (accounts, users, groups, roles, policies, keys) as JSON.
    Export(iam_emulator::commands::transfer::ExportArgs),
    /// Write IAM state exported by `export` into a state folder (accounts of the same id are replaced).
    Import(iam_emulator::commands::transfer::ImportArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(args) => iam_emulator::serve::run(&args),
        Command::Explain(args) => iam_emulator::commands::explain::run(&args),
        Command::Health(args) => iam_emulator::commands::health::run(&args),
        Command::Check(args) => iam_emulator::commands::check::run(&args),
        Command::Validate(args) => iam_emulator::commands::validate::run(&args),
        Command::Policy(args) => iam_emulator::commands::insight::run_policy(&args),
        Command::WhoCan(args) => iam_emulator::commands::insight::run_who_can(&args),
        Command::Can(args) => iam_emulator::commands::insight::run_can(&args),
        Command::Export(args) => iam_emulator::commands::transfer::run_export(&args),
        Command::Import(args) => iam_emulator::commands::transfer::run_import(&args),
    }
}

//! Runs a command against a fresh in-process emulator:
//!
//! ```sh
//! cargo run -p iam-harness --example with_emulator -- aws sts get-caller-identity
//! ```
//!
//! The command gets `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY` and `AWS_REGION` (root of account 123456789012);
//! with no command, the variables are printed as `export` lines and the
//! emulator serves until Enter is pressed.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let emu = iam_harness::Emulator::start();
    let mut args = std::env::args().skip(1);
    let Some(program) = args.next() else {
        for (name, value) in emu.env_vars() {
            println!("export {name}='{value}'");
        }
        eprintln!("serving on {}; press Enter to stop", emu.endpoint());
        let _ = std::io::stdin().read_line(&mut String::new());
        return ExitCode::SUCCESS;
    };
    let status = Command::new(&program).args(args).envs(emu.env_vars()).status();
    match status {
        Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("cannot run {program}: {e}");
            ExitCode::from(127)
        }
    }
}

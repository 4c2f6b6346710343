//! `iam-emulator export` and `import`: a state folder's IAM state (every
//! account's users, groups, roles, policies and keys) as one JSON file, to
//! seed fixtures or move state between emulator versions. Object bodies,
//! buckets, sessions and streams stay behind.
//!
//! Both take the folder's lock, so they refuse while an emulator uses it.

use crate::state::iam::Account;
use crate::state::State;
use crate::store::{Store, FORMAT};
use clap::Args;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug, Clone)]
pub struct ExportArgs {
    /// The state folder to read (an emulator must not be using it).
    #[arg(long = "state-dir", env = "IAM_EMULATOR_STATE_DIR", value_name = "DIR")]
    pub state_dir: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    /// The state folder to write into (created if missing; an emulator must not be using it).
    #[arg(long = "state-dir", env = "IAM_EMULATOR_STATE_DIR", value_name = "DIR")]
    pub state_dir: PathBuf,
    /// The exported JSON; `-` (the default) reads standard input.
    #[arg(long, default_value = "-")]
    pub file: String,
}

/// The exported file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exported {
    /// `iam-emulator-iam-state`, so another JSON file is not taken for one.
    pub kind: String,
    pub format: u32,
    /// Accounts by id.
    pub accounts: BTreeMap<String, Account>,
}

const KIND: &str = "iam-emulator-iam-state";

/// The IAM state of `state`, as exported.
pub fn export(state: &State) -> Exported {
    Exported {
        kind: KIND.into(),
        format: FORMAT,
        accounts: state
            .accounts
            .iter()
            .map(|(id, a)| (id.clone(), a.clone()))
            .collect(),
    }
}

/// Reads an export, checking what it is.
pub fn parse(text: &str) -> Result<Exported, String> {
    let exported: Exported =
        serde_json::from_str(text).map_err(|e| format!("not an iam-emulator export: {e}"))?;
    if exported.kind != KIND {
        return Err(format!("not an iam-emulator export (kind {:?})", exported.kind));
    }
    if exported.format != FORMAT {
        return Err(format!(
            "the export has format {}, this iam-emulator reads format {FORMAT}",
            exported.format
        ));
    }
    for (id, account) in &exported.accounts {
        if id != &account.id || !iam_evaluator::arn::is_account_id(id) {
            return Err(format!(
                "account {id:?}: the id must be 12 digits and match the account's own id"
            ));
        }
    }
    Ok(exported)
}

/// Adds the exported accounts to `state`, replacing accounts of the same id.
pub fn import(state: &mut State, exported: Exported) {
    for (id, account) in exported.accounts {
        state.accounts.insert(id, account);
    }
}

pub fn run_export(args: &ExportArgs) -> ExitCode {
    let mut state = State::new(Vec::new());
    if let Err(e) = Store::open(&args.state_dir, &mut state) {
        eprintln!("iam-emulator export: {e}");
        return ExitCode::from(2);
    }
    match serde_json::to_string_pretty(&export(&state)) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("iam-emulator export: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn run_import(args: &ImportArgs) -> ExitCode {
    match import_into(args) {
        Ok(count) => {
            eprintln!(
                "iam-emulator import: {count} account(s) written to {}",
                args.state_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("iam-emulator import: {e}");
            ExitCode::from(2)
        }
    }
}

fn import_into(args: &ImportArgs) -> Result<usize, String> {
    let mut text = String::new();
    if args.file == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("standard input: {e}"))?;
    } else {
        text = std::fs::read_to_string(&args.file).map_err(|e| format!("{}: {e}", args.file))?;
    }
    let exported = parse(&text)?;
    let count = exported.accounts.len();
    let mut state = State::new(Vec::new());
    let (store, _scratch) = Store::open(&args.state_dir, &mut state)?;
    import(&mut state, exported);
    store.commit(&crate::state::changes::take(&mut state, true)?)?;
    Ok(count)
}

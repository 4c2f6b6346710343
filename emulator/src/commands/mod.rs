//! The offline commands: each reads files or a state folder (or asks a
//! running emulator over loopback) and prints an answer; none serves
//! requests.
//! - [`check`]: Access Analyzer's custom policy checks over policy files;
//! - [`explain`]: decide one request from policy files (or over a state
//!   folder, as `/_emulator/decide` does), with its trace;
//! - [`validate`]: Access Analyzer's ValidatePolicy over a policy file;
//! - [`health`]: the container healthcheck;
//! - [`insight`]: `policy generate`, `who-can` and `can`, over a running
//!   emulator or a state folder;
//! - [`transfer`]: `export` / `import` of IAM state as JSON;
//! - [`local_http`]: the plain GET these commands use to ask a running
//!   emulator.

pub mod check;
pub mod explain;
pub mod health;
pub mod insight;
pub mod local_http;
pub mod transfer;
pub mod validate;

//! # iam-emulator
//!
//! The server and the `iam-emulator` command, built on `iam-evaluator`.
//!
//! Map of the crate:
//! - [`serve`], [`server`]: flags, start-up, hyper server, shutdown;
//!   [`limits`]: caps on headers, bodies, connections and slow clients.
//! - [`app`]: shared state and the entry point every request goes through;
//!   [`admin`]: `/_emulator/*` and `/moto-api/*`.
//! - [`auth`]: SigV4 verification and access-key resolution.
//! - [`authorize`]: policies of the caller + request context → evaluator.
//! - [`protocol`]: Query (form in, XML out) and the XML writer.
//! - [`services`]: IAM, STS, S3 and Kinesis handlers.
//! - [`state`]: accounts, IAM entities, STS sessions, S3 buckets, Kinesis
//!   streams; [`managed`]: AWS managed policies; [`ids`]: AWS-shaped ids;
//!   [`decisions`]: the log; [`console`]: the teaching console at
//!   `/_emulator/ui` and its JSON endpoints.
//! - [`store`]: `--state-dir` (records in redb, written before each reply);
//!   [`scratch`]: where object bodies live (durably with `--state-dir`);
//!   [`transfer`]: the `export` / `import` commands (IAM state as JSON).
//! - [`insight`]: observed requests → least-privilege policies, and the
//!   `who-can` / `can` queries (`policy generate`, `who-can`, `can`).
//! - [`explain`]: the offline `explain` command; [`validate_cmd`]: the
//!   offline `validate` command (Access Analyzer's ValidatePolicy); [`health`]: the
//!   container healthcheck command; [`local_http`]: the plain GET those
//!   commands use to ask a running emulator.

pub mod admin;
pub mod app;
pub mod auth;
pub mod authorize;
pub mod checksum;
pub mod console;
pub mod decisions;
pub mod error;
pub mod explain;
pub mod health;
pub mod http;
pub mod ids;
pub mod insight;
pub mod limits;
pub mod local_http;
pub mod managed;
pub mod protocol;
pub mod scratch;
pub mod serve;
pub mod server;
pub mod services;
pub mod state;
pub mod store;
pub mod transfer;
pub mod validate_cmd;

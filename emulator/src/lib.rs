//! # iam-emulator
//!
//! The server and the `iam-emulator` command, built on `iam-evaluator`.
//!
//! Map of the crate:
//! - [`serve`], [`server`]: flags, start-up, hyper server, shutdown.
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
//! - [`explain`]: the offline `explain` command; [`validate_cmd`]: the
//!   offline `validate` command (Access Analyzer's ValidatePolicy); [`health`]: the
//!   container healthcheck command.

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
pub mod managed;
pub mod protocol;
pub mod serve;
pub mod server;
pub mod services;
pub mod state;
pub mod validate_cmd;

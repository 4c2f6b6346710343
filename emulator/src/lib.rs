//! # iam-emulator
//!
//! The emulator: today the offline teaching command [`explain`]; the
//! server (hyper/tokio, SigV4, IAM/STS/S3/Kinesis) is built on the same
//! evaluator in later work.

pub mod explain;

//! # iam-emulator
//!
//! The server and the `iam-emulator` command, built on `iam-evaluator`.
//!
//! Map of the crate, top floor first; a module uses only those on its
//! floor's right or on lower floors, never one above it:
//!
//! 1. **Commands and the server.** [`commands`]: the offline commands
//!    (`explain`, `validate`, `health`, `policy`, `who-can`, `can`,
//!    `export`, `import`). [`serve`] (flags, start-up) → [`server`] (hyper,
//!    shutdown) → [`limits`] (caps on heads, bodies, connections, slow
//!    clients).
//! 2. **The entry point** [`entry`]: `App::handle`, an admin endpoint or
//!    the services, then the commit.
//! 3. **Admin, above the App.** [`admin`]: `/_emulator/*` and
//!    `/moto-api/*`; [`identity_provider`]: the emulator as a test OIDC
//!    and SAML identity provider; [`console`]: the teaching console at `/_emulator/ui`
//!    and its JSON endpoints; [`insight`]: least-privilege policies from
//!    observed requests, and the `who-can` / `can` questions.
//! 4. **The App** [`app`]: configuration, the state folder, moto's no-auth
//!    budget, authentication then dispatch to a service.
//! 5. **The services** [`services`]: routing a request to IAM, STS, S3,
//!    Kinesis or Access Analyzer, and each service's handlers.
//! 6. **Authorization** [`authorize`]: the caller's policies from the state,
//!    the request context, the evaluator's decision, recorded in
//!    [`decisions`] and [`observations`], and enforced or only logged.
//! 7. **Below the services.** [`shared`]: what every request's handler
//!    shares (the state behind its lock, bodies, logs) and the request being
//!    served; [`auth`]: SigV4 (headers and presigned URLs), SigV2, aws-chunked
//!    streaming signatures, and access-key resolution; [`store`]:
//!    `--state-dir` (records in redb, written before each reply);
//!    [`state`]: accounts, IAM entities, STS sessions, S3 buckets, Kinesis
//!    streams, and what changed since the last commit; [`managed`]: AWS
//!    managed policies; [`scratch`]: where object bodies live (durably with
//!    `--state-dir`).
//! 8. **Leaves.** [`protocol`]: Query (form in, XML out), the XML writer,
//!    where an S3 request names its bucket; [`http`]: the request and reply;
//!    [`checksum`]: S3's checksums; [`credentials`]: TOTP, QR codes,
//!    certificates, SSH keys and passwords as IAM's credentials use them; [`ids`]: AWS-shaped ids and times;
//!    [`federation`]: the emulator's signing key, JWTs and SAML responses (XML-DSig) for STS federation;
//!    [`error`]: errors as values.
//!
//! Arrows point one way: commands/admin → app → services → authorize →
//! `iam-evaluator`, with the state below the services.

pub mod admin;
pub mod app;
pub mod auth;
pub mod authorize;
pub mod checksum;
pub mod clock;
pub mod commands;
pub mod console;
pub mod credentials;
pub mod decisions;
pub mod entry;
pub mod error;
pub mod federation;
pub mod http;
pub mod identity_provider;
pub mod ids;
pub mod insight;
pub mod limits;
pub mod managed;
pub mod observations;
pub mod protocol;
pub mod scratch;
pub mod serve;
pub mod server;
pub mod services;
pub mod shared;
pub mod state;
pub mod store;

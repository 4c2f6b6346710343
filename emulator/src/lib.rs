//! # iam-emulator
//!
//! The server and the `iam-emulator` command, built on `iam-evaluator`.
//!
//! Map of the crate, top floor first. A module uses only modules on lower
//! floors or to its right on its own floor, never one above it:
//!
//! 1. **Commands and the server.** [`commands`]: the offline commands
//!    (`explain`, `validate`, `check`, `health`, `policy`, `who-can`, `can`,
//!    `export`, `import`). [`serve`] (flags, start-up) → [`server`] (hyper,
//!    shutdown) → [`limits`] (caps on heads, bodies, connections, slow
//!    clients).
//! 2. **The entry point** [`entry`]: `App::handle`, an admin endpoint or
//!    the services, then the commit.
//! 3. **Admin, above the App.** [`admin`]: `/_emulator/*` and
//!    `/moto-api/*` → [`identity_provider`]: the emulator as a test OIDC
//!    and SAML identity provider → [`console`]: the teaching console at
//!    `/_emulator/ui` and its JSON endpoints → [`insight`]: least-privilege
//!    policies from observed requests, and the `who-can` / `can` questions
//!    → [`explain`]: the offline explain question (policies as text, one
//!    request) that the `explain` command and the console's playground
//!    share.
//! 4. **The App** [`app`]: configuration, the state folder, moto's no-auth
//!    budget, authentication then dispatch to a service.
//! 5. **The services** [`services`]: routing a request to IAM, STS, S3,
//!    Organizations, Kinesis or Access Analyzer, and each service's
//!    operation table, authorization door and handlers.
//! 6. **Authorization** [`authorize`]: every question assembled in one
//!    place ([`authorize::prepare`]) from the caller's part (its policies
//!    and keys, [`authorize::CallerPart`]) and the resource's
//!    ([`authorize::Resource`]) for a request, `who-can`, `can` and
//!    `/_emulator/decide` alike; the evaluator's decision, recorded in
//!    [`decisions`] and [`observations`], and enforced or only logged.
//! 7. **Below the services.** [`shared`]: what every request's handler
//!    shares (the state behind its lock, bodies, logs, the clock) and the
//!    request being served → [`auth`]: SigV4 (headers and presigned URLs),
//!    SigV2, aws-chunked streaming signatures, and access-key resolution →
//!    [`store`]: `--state-dir` (records in redb, written before each
//!    reply) → [`credentials`]: TOTP, QR codes, certificates, SSH keys,
//!    passwords and SAML metadata as IAM's credentials use them →
//!    [`managed`]: AWS managed policies → [`state`]: accounts, IAM
//!    entities, STS sessions, S3 buckets, Organizations, Kinesis streams,
//!    Access Analyzer, and what changed since the last commit.
//! 8. **Leaves.** [`decisions`] and [`observations`]: the bounded logs of
//!    decisions and of observed requests (with policy generation from
//!    them); [`clock`]: the emulator's clock (wall time plus an offset);
//!    [`http`]: the request and reply → [`scratch`]: where object bodies
//!    live (durably with `--state-dir`) → [`federation`]: the emulator's
//!    signing keys, JWTs and SAML responses (XML-DSig) for STS federation
//!    → [`ids`]: AWS-shaped ids and
//!    times; [`protocol`]: Query (form in, XML out), the XML writer,
//!    percent-encoding, where an S3 request names its bucket, and
//!    [`checksum`]: S3's checksums → [`error`]: errors as values.
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
pub mod explain;
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

//! # iam-harness
//!
//! Test support for code that talks to the emulator. The in-process server,
//! fixtures and allow/deny assertions arrive with the server (see the
//! project's issues); today this crate only fixes its place in the
//! workspace: tests → harness → emulator → evaluator.

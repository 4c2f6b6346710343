//! End-to-end tests live under `tests/tests/`. This library holds what they
//! share: today the bridge to the outside differential oracle.

pub mod reliability;

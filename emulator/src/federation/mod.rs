//! Identity federation formats, without state: the emulator's RSA signing
//! key ([`keys`]) and P-384 key ([`ec`]), JSON Web Tokens and JSON Web Key
//! Sets ([`jwt`]), and SAML 2.0 responses ([`saml`]) signed with XML-DSig
//! ([`xmldsig`], over exclusive XML canonicalization, [`c14n`]).
//!
//! The emulator is its own OIDC token issuer and SAML identity provider
//! for offline tests (`POST /_emulator/oidc/token`,
//! `POST /_emulator/saml/assertion`); STS verifies what they issue, and
//! tokens or assertions signed by a user's own key, with the code here.

pub mod c14n;
pub mod ec;
pub mod jwt;
pub mod keys;
pub mod saml;
pub mod xmldsig;

//! The formats behind IAM's credentials, with no state and no policy:
//! [`totp`] (RFC 6238 codes of virtual MFA devices), [`qr`] (their QR
//! code as a PNG), [`certificate`] (X.509 PEM certificates and private
//! keys), [`ssh_key`] (SSH public keys and their fingerprints) and
//! [`password`] (console passwords against a password policy, and their
//! hashes), [`saml_metadata`] (SAML identity providers' metadata). The IAM handlers ([`crate::services::iam`]) use them.

pub mod certificate;
pub mod password;
pub mod qr;
pub mod saml_metadata;
pub mod ssh_key;
pub mod totp;

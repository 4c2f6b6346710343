//! Wire protocols: how requests are read and replies written.
//! - [`bucket_host`]: where an S3 request names its bucket (host or path).
//! - [`model`]: botocore's input shapes of IAM and STS, and validating a
//!   request against them.
//! - [`percent`]: percent-encoding as AWS uses it.
//! - [`query`]: the AWS Query protocol of IAM and STS (form in, XML out).
//! - [`xml`]: a small XML writer over quick-xml.

pub mod bucket_host;
pub mod model;
pub mod percent;
pub mod query;
pub mod xml;

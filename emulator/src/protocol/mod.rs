//! Wire protocols: how requests are read and replies written.
//! - [`bucket_host`]: where an S3 request names its bucket (host or path).
//! - [`query`]: the AWS Query protocol of IAM and STS (form in, XML out).
//! - [`xml`]: a small XML writer over quick-xml.

pub mod bucket_host;
pub mod query;
pub mod xml;

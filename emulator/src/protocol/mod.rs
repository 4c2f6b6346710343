//! Wire protocols: how requests are read and replies written.
//! - [`query`]: the AWS Query protocol of IAM and STS (form in, XML out).
//! - [`xml`]: a small XML writer over quick-xml.

pub mod query;
pub mod xml;

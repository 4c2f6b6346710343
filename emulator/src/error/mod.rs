//! Errors as values: every failure a client can see is an [`AwsError`] with
//! AWS's HTTP status, error code and message; each protocol renders it in
//! its own shape (query XML, REST XML, JSON). The codes and their statuses
//! are stated once, in [`codes`]' tables.

pub mod codes;

pub use codes::{Code, Common, Json, Query, RestJson, S3};

/// An error as AWS returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// `Sender` (the client's fault) or `Receiver`.
    pub sender: bool,
    /// The bucket an S3 error is about (`<BucketName>`).
    pub resource: Option<String>,
    /// Extra elements S3 adds to some errors (`<Key>`, `<Condition>`, …).
    pub details: Vec<(String, String)>,
    /// Headers S3 sends with some errors (`x-amz-delete-marker` on a 404
    /// for a deleted key); a boxed slice, so errors stay small to return.
    pub headers: Box<[(String, String)]>,
}

impl AwsError {
    /// An error with `code` (from one of the [`codes`] tables) and its status.
    pub fn new(code: impl Into<Code>, message: impl Into<String>) -> Self {
        let code = code.into();
        let status = code.status();
        AwsError {
            status,
            code: code.name().to_string(),
            message: message.into(),
            sender: status < 500,
            resource: None,
            details: Vec::new(),
            headers: Box::default(),
        }
    }

    /// Adds an element to the S3 error document (`<Key>…</Key>`).
    #[must_use]
    pub fn with_detail(mut self, name: &str, value: impl Into<String>) -> Self {
        self.details.push((name.to_string(), value.into()));
        self
    }

    /// Adds a header to the error reply (REST protocols).
    #[must_use]
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        let mut headers = std::mem::take(&mut self.headers).into_vec();
        headers.push((name.to_string(), value.into()));
        self.headers = headers.into_boxed_slice();
        self
    }

    /// Names the bucket the error is about.
    #[must_use]
    pub fn with_resource(mut self, bucket: &str) -> Self {
        self.resource = Some(bucket.to_string());
        self
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(Query::ValidationError, message)
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(Query::InvalidInput, message)
    }

    pub fn no_such_entity(message: impl Into<String>) -> Self {
        Self::new(Query::NoSuchEntity, message)
    }

    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(Query::EntityAlreadyExists, message)
    }

    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new(Query::LimitExceeded, message)
    }

    pub fn delete_conflict(message: impl Into<String>) -> Self {
        Self::new(Query::DeleteConflict, message)
    }

    pub fn malformed_policy(message: impl Into<String>) -> Self {
        Self::new(Query::MalformedPolicyDocument, message)
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(Common::AccessDenied, message)
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::validation(format!("1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null", lower_first(name)))
    }
}

/// AWS names parameters in validation messages with a lower-case first letter.
pub fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

impl std::fmt::Display for AwsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for AwsError {}

pub type AwsResult<T> = Result<T, AwsError>;

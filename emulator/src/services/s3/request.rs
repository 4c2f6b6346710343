//! An S3 request as the handlers read it: bucket and key (path or
//! virtual-host style), query, headers, the operation's row of the table,
//! and the one door through which every handler asks for its permission.

use super::operations::{self, Also, Arn, Row, S3Operation};
use super::{acl, anonymous};
use crate::auth::Caller;
use crate::authorize::{self, Resource};
use crate::error::{AwsError, AwsResult, S3};
use crate::services::Ctx;
use crate::state::s3::Bucket;
use crate::state::State;
use iam_evaluator::RequestContext;

/// An S3 request: bucket and key (path or virtual-host style) and query.
pub struct S3Request<'a> {
    pub ctx: &'a Ctx<'a>,
    pub caller: &'a Caller,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub query: Vec<(String, String)>,
    /// The operation's row of [`operations::ROWS`].
    pub row: &'static Row,
    /// The S3 condition keys of the request itself ([`s3_keys`]), worked
    /// out once, before any lock is taken.
    pub s3_keys: RequestContext,
}

impl S3Request<'_> {
    /// The operation being served.
    pub fn op(&self) -> S3Operation {
        self.row.op
    }

    /// A query parameter (present with or without a value).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.param(name).is_some()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.ctx.req.header(name)
    }

    pub fn method(&self) -> &str {
        &self.ctx.req.method
    }

    pub fn bucket_name(&self) -> AwsResult<&str> {
        self.bucket
            .as_deref()
            .ok_or_else(|| AwsError::new(S3::InvalidRequest, "A bucket name is required."))
    }

    pub fn key_name(&self) -> AwsResult<&str> {
        self.key
            .as_deref()
            .ok_or_else(|| AwsError::new(S3::InvalidRequest, "An object key is required."))
    }

    /// The caller's account; anonymous callers have none.
    pub fn account(&self) -> Option<&str> {
        self.caller.account.as_deref()
    }

    /// The ARN of the named object of this request's bucket.
    pub fn object_arn(&self) -> AwsResult<String> {
        Ok(format!(
            "arn:aws:s3:::{}/{}",
            self.bucket_name()?,
            self.key_name()?
        ))
    }

    /// The region the request was signed for (us-east-1 when unsigned).
    pub fn region(&self) -> &str {
        self.caller
            .scope
            .as_ref()
            .map(|s| s.region.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("us-east-1")
    }

    /// The resource the row's actions are asked about, for `key` (the
    /// request's own key, or one key of a DeleteObjects).
    fn row_resource(&self, key: Option<&str>) -> AwsResult<String> {
        let bucket = self.bucket.as_deref().unwrap_or_default();
        Ok(match self.row.arn {
            Arn::All | Arn::Unauthorized => "arn:aws:s3:::*".to_string(),
            Arn::Bucket => format!("arn:aws:s3:::{}", self.bucket_name()?),
            Arn::Object => {
                let key = match key {
                    Some(key) => key,
                    None => self.key_name()?,
                };
                format!("arn:aws:s3:::{}/{key}", self.bucket_name()?)
            }
            Arn::ExpressBucket => format!(
                "arn:aws:s3express:{}:{}:bucket/{bucket}",
                self.region(),
                self.account().unwrap_or_default()
            ),
            Arn::ObjectLambda => format!(
                "arn:aws:s3-object-lambda:{}:{}:accesspoint/{bucket}",
                self.region(),
                self.account().unwrap_or_default()
            ),
        })
    }

    /// **The door**: asks for the operation's action(s) as its row of the
    /// table names them, on the row's resource, with `extra` context. A
    /// request naming a version (`versionId`) is asked the row's
    /// [`Also::Version`] actions instead, where it has them
    /// (`s3:GetObjectVersion` for GetObject), with `s3:versionid`.
    pub fn authorize_op(
        &self,
        state: &State,
        bucket: Option<&Bucket>,
        extra: RequestContext,
    ) -> AwsResult<()> {
        self.check_request_payer(bucket)?;
        let resource = self.row_resource(None)?;
        // Only the version actions take `s3:versionid` (the Service
        // Authorization Reference lists it for them alone).
        let named = self.param("versionId");
        let version = named.filter(|_| self.row.also(Also::Version).next().is_some());
        self.ask_all(
            state,
            self.actions_for(version),
            (&resource, named),
            bucket,
            with_version(extra, version),
        )
    }

    /// The row's actions for a request naming `version` or none.
    fn actions_for(&self, version: Option<&str>) -> Vec<&'static str> {
        let versioned: Vec<&'static str> = match version {
            Some(_) => self.row.also(Also::Version).collect(),
            None => Vec::new(),
        };
        if versioned.is_empty() {
            self.row.actions.to_vec()
        } else {
            versioned
        }
    }

    /// Requester Pays: a caller outside the bucket owner's account must
    /// accept the charge with `x-amz-request-payer: requester` ("If you
    /// don't include it, the request fails with 403 Forbidden").
    fn check_request_payer(&self, bucket: Option<&Bucket>) -> AwsResult<()> {
        let Some(bucket) = bucket else {
            return Ok(());
        };
        if !super::configs::requester_pays(bucket) || self.account() == Some(bucket.owner.as_str()) {
            return Ok(());
        }
        if self
            .header("x-amz-request-payer")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("requester"))
        {
            return Ok(());
        }
        Err(AwsError::access_denied("Access Denied"))
    }

    /// The door for one key of a multi-object request (DeleteObjects);
    /// with a `version`, the row's [`Also::Version`] actions instead.
    pub fn authorize_op_on_key(
        &self,
        state: &State,
        key: &str,
        version: Option<&str>,
        bucket: Option<&Bucket>,
        extra: RequestContext,
    ) -> AwsResult<()> {
        let resource = self.row_resource(Some(key))?;
        self.ask_all(
            state,
            self.actions_for(version),
            (&resource, version),
            bucket,
            with_version(extra, version),
        )
    }

    /// The door for a second permission the request needs (`need`), on
    /// `resource` (the request's object unless `need` says otherwise, as
    /// the copy source, whose version is the `s3:versionid` of `extra`);
    /// the row names the action.
    pub fn authorize_also(
        &self,
        state: &State,
        need: Also,
        resource: Option<&str>,
        bucket: Option<&Bucket>,
        extra: RequestContext,
    ) -> AwsResult<()> {
        let (resource, version) = match resource {
            Some(resource) => (resource.to_string(), context_version(&extra)),
            None => (
                self.row_resource(None)?,
                self.param("versionId").map(str::to_string),
            ),
        };
        let on = (resource.as_str(), version.as_deref());
        self.ask_all(state, self.row.also(need).collect(), on, bucket, extra)
    }

    /// Whether the caller may list the bucket: S3 answers a missing key
    /// with 404 to those who may, 403 to others. The action is
    /// ListObjects' (the table's).
    pub fn may_list(&self, state: &State, bucket: &Bucket) -> AwsResult<()> {
        let action = operations::row_of(S3Operation::ListObjects).actions[0];
        self.authorize(
            state,
            action,
            (&bucket.arn(), None),
            Some(bucket),
            RequestContext::new(),
        )
    }

    fn ask_all(
        &self,
        state: &State,
        actions: Vec<&'static str>,
        on: On,
        bucket: Option<&Bucket>,
        extra: RequestContext,
    ) -> AwsResult<()> {
        let mut actions = actions.into_iter().peekable();
        while let Some(action) = actions.next() {
            let context = if actions.peek().is_some() {
                extra.clone()
            } else {
                // The last (usually only) action takes the context.
                return self.authorize(state, action, on, bucket, extra);
            };
            self.authorize(state, action, on, bucket, context)?;
        }
        Ok(())
    }

    /// Decides `action` on `on` with what the bucket brings (its policy,
    /// its and the object version's ACLs: [`Resource`]) and the S3 request
    /// context, and enforces it. Handlers reach it only through the door
    /// above.
    fn authorize(
        &self,
        state: &State,
        action: &str,
        (resource, version): On,
        bucket: Option<&Bucket>,
        extra: RequestContext,
    ) -> AwsResult<()> {
        let target = match (bucket, version) {
            (Some(bucket), Some(version)) => Resource::BucketVersion(bucket, version),
            (Some(bucket), None) => Resource::Bucket(bucket),
            (None, _) => Resource::Plain,
        };
        let mut context = extra;
        context.fill_from(&self.s3_keys);
        let question = target
            .question(action, resource, self.caller)
            .with_request_keys(context);
        // S3 words denials in full only for callers of the owner's account.
        let insider = bucket.is_none_or(|b| self.caller.account.as_deref() == Some(b.owner.as_str()));
        let wording = if anonymous(self.caller) || !insider {
            authorize::Wording::S3Plain
        } else if bucket.is_none() && resource == "arn:aws:s3:::*" {
            authorize::Wording::S3WithoutResource
        } else if insider {
            authorize::Wording::S3Detailed
        } else {
            authorize::Wording::S3Plain
        };
        authorize::authorize_with_message(self.ctx, state, self.caller, question, wording)
    }
}

/// The S3 condition keys every request carries, from its signature and
/// headers: `s3:authType`, `s3:signatureversion`, `s3:signatureAge`,
/// `s3:x-amz-*`.
pub fn s3_keys(
    req: &crate::http::HttpRequest,
    caller: &Caller,
    clock: &crate::clock::Clock,
) -> RequestContext {
    let mut context = RequestContext::new();
    let presigned = req
        .raw_query
        .as_deref()
        .is_some_and(|q| q.contains("X-Amz-Signature=") || q.contains("Signature="));
    if caller.access_key.is_some() {
        context.set_default(
            "s3:authType",
            if presigned {
                "REST-QUERY-STRING"
            } else {
                "REST-HEADER"
            },
        );
        let v2 = req.header("authorization").is_some_and(|a| a.starts_with("AWS "))
            || req
                .raw_query
                .as_deref()
                .is_some_and(|q| q.contains("AWSAccessKeyId="));
        context.set_default("s3:signatureversion", if v2 { "AWS" } else { "AWS4-HMAC-SHA256" });
    }
    if let Some(age) = signature_age_ms(req, clock) {
        context.set_default("s3:signatureAge", age.to_string());
    }
    if let Some(sha) = req.header("x-amz-content-sha256") {
        context.set_default("s3:x-amz-content-sha256", sha);
    }
    for (header, key) in [
        ("x-amz-acl", "s3:x-amz-acl"),
        ("x-amz-server-side-encryption", "s3:x-amz-server-side-encryption"),
        (
            "x-amz-server-side-encryption-aws-kms-key-id",
            "s3:x-amz-server-side-encryption-aws-kms-key-id",
        ),
        (
            "x-amz-server-side-encryption-customer-algorithm",
            "s3:x-amz-server-side-encryption-customer-algorithm",
        ),
        ("x-amz-object-lock-mode", "s3:object-lock-mode"),
        (
            "x-amz-object-lock-retain-until-date",
            "s3:object-lock-retain-until-date",
        ),
        ("x-amz-object-lock-legal-hold", "s3:object-lock-legal-hold"),
        ("x-amz-storage-class", "s3:x-amz-storage-class"),
        ("x-amz-copy-source", "s3:x-amz-copy-source"),
        ("x-amz-metadata-directive", "s3:x-amz-metadata-directive"),
    ] {
        if let Some(v) = req.header(header) {
            context.set_default(key, v);
        }
    }
    // `s3:x-amz-grant-read` … `s3:x-amz-grant-full-control`.
    for (header, _) in acl::GRANT_HEADERS {
        if let Some(v) = req.header(header) {
            context.set_default(&format!("s3:{header}"), v);
        }
    }
    context
}

/// What a question is about: the resource's ARN, and the object version
/// it names (`versionId`), whose ACL and owner count.
type On<'a> = (&'a str, Option<&'a str>);

/// The version a copy source names (its `s3:versionid`).
fn context_version(context: &RequestContext) -> Option<String> {
    match context.get("s3:versionid")? {
        iam_evaluator::ContextValue::Single(v) => Some(v.clone()),
        iam_evaluator::ContextValue::Multi(_) => None,
    }
}

/// `s3:versionid` for a request that names a version.
fn with_version(mut context: RequestContext, version: Option<&str>) -> RequestContext {
    if let Some(version) = version {
        context.set_default("s3:versionid", version);
    }
    context
}

/// `s3:signatureAge`: milliseconds since the SigV4 signature's `X-Amz-Date`,
/// on the emulator's clock (an advance ages a presigned URL, see [`crate::clock`]).
fn signature_age_ms(req: &crate::http::HttpRequest, clock: &crate::clock::Clock) -> Option<i128> {
    let from_query = req
        .query_pairs()
        .into_iter()
        .find(|(k, _)| k == "X-Amz-Date")
        .map(|(_, v)| v);
    let date = from_query.or_else(|| req.header("x-amz-date").map(str::to_string))?;
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let signed = time::PrimitiveDateTime::parse(&date, &format).ok()?.assume_utc();
    Some(
        (clock.now_precise() - clock.at_client_time(signed))
            .whole_milliseconds()
            .max(0),
    )
}

//! Every error code the emulator answers, each with the HTTP status its
//! protocol sends it with, stated once: one table per vocabulary.
//!
//! - [`Common`]: raised below the services, before or regardless of which
//!   service a request is for (authentication, authorization, body and
//!   connection limits, storage failures);
//! - [`Query`]: IAM and STS (AWS Query protocol);
//! - [`S3`]: S3 (REST XML);
//! - [`Json`]: the JSON 1.1 services, Kinesis and Organizations;
//! - [`RestJson`]: Access Analyzer (REST JSON).
//!
//! A protocol that words a [`Common`] error its own way says so in a
//! [`Rename`] table ([`S3_RENAMES`], [`JSON_RENAMES`],
//! [`REST_JSON_RENAMES`]) that its error reply applies.
//!
//! Adding a code is one line in its table, kept in alphabetical order:
//! `NoSuchCORSConfiguration = 404,`. The statuses of the IAM and STS codes
//! are botocore's (`error.httpStatusCode` of the exception shapes); the
//! JSON 1.1 models give none, and those services answer client errors 400.

use super::AwsError;

/// An error code and the HTTP status it is answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    name: &'static str,
    status: u16,
}

impl Code {
    /// The code as the wire carries it (`NoSuchEntity`).
    pub const fn name(self) -> &'static str {
        self.name
    }

    pub const fn status(self) -> u16 {
        self.status
    }
}

/// Declares a table: an enum whose variants are the codes, each with its
/// status, convertible into [`Code`].
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($code:ident = $status:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($code,)*
        }

        impl $name {
            pub const fn code(self) -> Code {
                match self {
                    $($name::$code => Code { name: stringify!($code), status: $status },)*
                }
            }
        }

        impl From<$name> for Code {
            fn from(code: $name) -> Code {
                code.code()
            }
        }
    };
}

codes! {
    /// Raised below the services: every protocol renders these (renaming
    /// some, see the rename tables).
    Common {
        AccessDenied = 403,
        AuthorizationQueryParametersError = 400,
        EntityTooLarge = 400,
        ExpiredToken = 403,
        IncompleteBody = 400,
        IncompleteSignature = 400,
        InternalError = 500,
        InternalFailure = 500,
        InvalidClientTokenId = 403,
        MissingAuthenticationToken = 403,
        RequestEntityTooLarge = 413,
        RequestHeaderSectionTooLarge = 400,
        RequestTimeTooSkewed = 403,
        RequestTimeout = 400,
        RequestURITooLong = 414,
        SignatureDoesNotMatch = 403,
    }
}

codes! {
    /// IAM and STS (AWS Query protocol).
    Query {
        AccountNotManagementOrDelegatedAdministratorException = 400,
        CallerIsNotManagementAccountException = 400,
        ConcurrentModification = 409,
        DeleteConflict = 409,
        DuplicateCertificate = 409,
        DuplicateSSHPublicKey = 400,
        EntityAlreadyExists = 409,
        EntityTemporarilyUnmodifiable = 409,
        ExpiredTokenException = 400,
        ExpiredTradeInTokenException = 400,
        FeatureDisabled = 404,
        FeatureEnabled = 409,
        IDPCommunicationError = 400,
        IDPRejectedClaim = 403,
        InvalidAction = 400,
        InvalidAuthenticationCode = 403,
        InvalidAuthorizationMessageException = 400,
        InvalidCertificate = 400,
        InvalidIdentityToken = 400,
        InvalidInput = 400,
        InvalidParameterValue = 400,
        InvalidPublicKey = 400,
        InvalidUserType = 400,
        JWTPayloadSizeExceededException = 400,
        KeyPairMismatch = 400,
        LimitExceeded = 409,
        MalformedCertificate = 400,
        MalformedPolicyDocument = 400,
        MissingAction = 400,
        NoSuchEntity = 404,
        NotImplemented = 501,
        NotSupportedService = 404,
        OpenIdIdpCommunicationError = 400,
        OrganizationNotFoundException = 400,
        OrganizationNotInAllFeaturesModeException = 400,
        OutboundWebIdentityFederationDisabledException = 403,
        PackedPolicyTooLarge = 400,
        PasswordPolicyViolation = 400,
        PolicyEvaluation = 500,
        PolicyNotAttachable = 400,
        RegionDisabledException = 403,
        ReportExpired = 410,
        ReportGenerationLimitExceeded = 409,
        ReportInProgress = 404,
        ReportNotPresent = 410,
        ServiceAccessNotEnabledException = 400,
        ServiceFailure = 500,
        SessionDurationEscalationException = 403,
        UnmodifiableEntity = 400,
        UnrecognizedPublicKeyEncoding = 400,
        ValidationError = 400,
    }
}

codes! {
    /// S3 (REST XML).
    S3 {
        AccessControlListNotSupported = 400,
        AuthorizationHeaderMalformed = 400,
        BadDigest = 400,
        BadRequest = 400,
        BucketAlreadyExists = 409,
        BucketAlreadyOwnedByYou = 409,
        BucketNotEmpty = 409,
        CORSResponse = 403,
        EncryptionTypeMismatch = 400,
        EntityTooSmall = 400,
        ExpiredToken = 400,
        IdempotencyParameterMismatch = 400,
        IllegalLocationConstraintException = 400,
        IncorrectNumberOfFilesInPostRequest = 400,
        InvalidAccessKeyId = 403,
        InvalidArgument = 400,
        InvalidBucketAclWithObjectOwnership = 400,
        InvalidBucketName = 400,
        InvalidBucketState = 409,
        InvalidChunkSizeError = 403,
        InvalidDigest = 400,
        InvalidEncryptionAlgorithmError = 400,
        InvalidLocationConstraint = 400,
        InvalidObjectState = 403,
        InvalidPart = 400,
        InvalidPartNumber = 416,
        InvalidPartOrder = 400,
        InvalidPolicyDocument = 400,
        InvalidRange = 416,
        InvalidRequest = 400,
        InvalidTag = 400,
        InvalidTargetBucketForLogging = 400,
        InvalidWriteOffset = 400,
        KeyTooLongError = 400,
        MalformedACLError = 400,
        MalformedPOSTRequest = 400,
        MalformedPolicy = 400,
        MalformedTrailerError = 400,
        MalformedXML = 400,
        MaxMessageLengthExceeded = 400,
        MaxPostPreDataLengthExceededError = 400,
        MethodNotAllowed = 405,
        MissingRequestBodyError = 400,
        MissingSecurityHeader = 400,
        NoSuchBucket = 404,
        NoSuchBucketPolicy = 404,
        NoSuchCORSConfiguration = 404,
        NoSuchConfiguration = 404,
        NoSuchKey = 404,
        NoSuchLifecycleConfiguration = 404,
        NoSuchObjectLockConfiguration = 404,
        NoSuchPublicAccessBlockConfiguration = 404,
        NoSuchTagSet = 404,
        NoSuchUpload = 404,
        NoSuchVersion = 404,
        NoSuchWebsiteConfiguration = 404,
        NotImplemented = 501,
        ObjectAlreadyInActiveTierError = 403,
        ObjectLockConfigurationNotFoundError = 404,
        ObjectNotInActiveTierError = 403,
        OwnershipControlsNotFoundError = 404,
        PolicyTooLarge = 400,
        PreconditionFailed = 412,
        ReplicationConfigurationNotFoundError = 404,
        ServerSideEncryptionConfigurationNotFoundError = 404,
        TooManyConfigurations = 400,
        TooManyParts = 400,
        UnexpectedContent = 400,
        UnresolvableGrantByEmailAddress = 400,
        XAmzContentSHA256Mismatch = 400,
    }
}

codes! {
    /// The JSON 1.1 services: Kinesis and Organizations.
    Json {
        AWSOrganizationsNotInUseException = 400,
        AccessDeniedException = 400,
        AccessDeniedForDependencyException = 400,
        AccountAlreadyClosedException = 400,
        AccountAlreadyRegisteredException = 400,
        AccountNotFoundException = 400,
        AccountNotRegisteredException = 400,
        AlreadyInOrganizationException = 400,
        ChildNotFoundException = 400,
        ConcurrentModificationException = 400,
        ConstraintViolationException = 400,
        CreateAccountStatusNotFoundException = 400,
        DestinationParentNotFoundException = 400,
        DuplicateAccountException = 400,
        DuplicateHandshakeException = 400,
        DuplicateOrganizationalUnitException = 400,
        DuplicatePolicyAttachmentException = 400,
        DuplicatePolicyException = 400,
        EffectivePolicyNotFoundException = 400,
        ExpiredIteratorException = 400,
        ExpiredNextTokenException = 400,
        ExpiredTokenException = 400,
        HandshakeAlreadyInStateException = 400,
        HandshakeConstraintViolationException = 400,
        HandshakeNotFoundException = 400,
        IncompleteSignatureException = 400,
        InternalFailure = 500,
        InvalidArgumentException = 400,
        InvalidHandshakeTransitionException = 400,
        InvalidInputException = 400,
        InvalidSignatureException = 400,
        LimitExceededException = 400,
        MalformedPolicyDocumentException = 400,
        MasterCannotLeaveOrganizationException = 400,
        MissingAuthenticationTokenException = 400,
        NotImplemented = 501,
        OrganizationNotEmptyException = 400,
        OrganizationalUnitNotEmptyException = 400,
        OrganizationalUnitNotFoundException = 400,
        ParentNotFoundException = 400,
        PolicyInUseException = 400,
        PolicyNotAttachedException = 400,
        PolicyNotFoundException = 400,
        PolicyTypeAlreadyEnabledException = 400,
        PolicyTypeNotAvailableForOrganizationException = 400,
        PolicyTypeNotEnabledException = 400,
        RequestEntityTooLargeException = 413,
        ResourceInUseException = 400,
        ResourceNotFoundException = 400,
        ResourcePolicyNotFoundException = 400,
        ResponsibilityTransferNotFoundException = 400,
        RootNotFoundException = 400,
        SerializationException = 400,
        ServiceException = 500,
        SourceParentNotFoundException = 400,
        TargetNotFoundException = 400,
        UnknownOperationException = 400,
        UnrecognizedClientException = 400,
        UnsupportedAPIEndpointException = 400,
        UnsupportedMediaTypeException = 415,
        ValidationException = 400,
    }
}

codes! {
    /// Access Analyzer (REST JSON).
    RestJson {
        AccessDeniedException = 403,
        ConflictException = 409,
        InternalServerException = 500,
        InvalidParameterException = 400,
        ResourceNotFoundException = 404,
        ServiceQuotaExceededException = 402,
        ThrottlingException = 429,
        UnknownOperationException = 404,
        UnprocessableEntityException = 422,
        ValidationException = 400,
    }
}

/// How a protocol words an error raised in another vocabulary: the code
/// named `from` is answered as `to`, with `message` when it has its own.
#[derive(Debug, Clone, Copy)]
pub struct Rename {
    pub from: &'static str,
    pub to: Code,
    pub message: Option<&'static str>,
}

const fn rename(from: Code, to: Code, message: Option<&'static str>) -> Rename {
    Rename {
        from: from.name(),
        to,
        message,
    }
}

/// S3's words for the errors authentication raises.
pub const S3_RENAMES: &[Rename] = &[
    rename(
        Common::InvalidClientTokenId.code(),
        S3::InvalidAccessKeyId.code(),
        Some("The AWS Access Key Id you provided does not exist in our records."),
    ),
    rename(
        Common::SignatureDoesNotMatch.code(),
        Common::SignatureDoesNotMatch.code(),
        Some(
            "The request signature we calculated does not match the signature you provided. \
             Check your key and signing method.",
        ),
    ),
    rename(
        Common::ExpiredToken.code(),
        S3::ExpiredToken.code(),
        Some("The provided token has expired."),
    ),
    rename(
        Common::IncompleteSignature.code(),
        S3::AuthorizationHeaderMalformed.code(),
        None,
    ),
];

/// The JSON 1.1 names of errors shared with other services (from
/// authentication and authorization); their messages are kept.
pub const JSON_RENAMES: &[Rename] = &[
    rename(
        Common::AccessDenied.code(),
        Json::AccessDeniedException.code(),
        None,
    ),
    rename(
        Common::InvalidClientTokenId.code(),
        Json::UnrecognizedClientException.code(),
        None,
    ),
    rename(
        S3::InvalidAccessKeyId.code(),
        Json::UnrecognizedClientException.code(),
        None,
    ),
    rename(
        Common::SignatureDoesNotMatch.code(),
        Json::InvalidSignatureException.code(),
        None,
    ),
    rename(
        Common::RequestTimeTooSkewed.code(),
        Json::InvalidSignatureException.code(),
        None,
    ),
    rename(
        Common::IncompleteSignature.code(),
        Json::IncompleteSignatureException.code(),
        None,
    ),
    rename(
        Common::AuthorizationQueryParametersError.code(),
        Json::IncompleteSignatureException.code(),
        None,
    ),
    rename(
        Common::ExpiredToken.code(),
        Json::ExpiredTokenException.code(),
        None,
    ),
    rename(
        Common::MissingAuthenticationToken.code(),
        Json::MissingAuthenticationTokenException.code(),
        None,
    ),
    rename(
        Query::ValidationError.code(),
        Json::ValidationException.code(),
        None,
    ),
    rename(Common::InternalError.code(), Json::InternalFailure.code(), None),
];

/// Access Analyzer's names of errors shared with other services.
pub const REST_JSON_RENAMES: &[Rename] = &[rename(
    Common::AccessDenied.code(),
    RestJson::AccessDeniedException.code(),
    None,
)];

/// `err` as a protocol with these renames words it (itself when none applies).
pub fn renamed(err: &AwsError, renames: &[Rename]) -> AwsError {
    let Some(rename) = renames.iter().find(|r| r.from == err.code) else {
        return err.clone();
    };
    let mut out = err.clone();
    out.code = rename.to.name().to_string();
    out.status = rename.to.status();
    out.sender = rename.to.status() < 500;
    if let Some(message) = rename.message {
        out.message = message.to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_carries_its_name_and_status() {
        assert_eq!(Query::NoSuchEntity.code().name(), "NoSuchEntity");
        assert_eq!(Query::NoSuchEntity.code().status(), 404);
        assert_eq!(S3::ExpiredToken.code().status(), 400);
        assert_eq!(Common::ExpiredToken.code().status(), 403);
    }

    #[test]
    fn renames_change_the_code_and_status_and_keep_or_replace_the_message() {
        let err = AwsError::new(Common::IncompleteSignature, "bad header");
        let s3 = renamed(&err, S3_RENAMES);
        assert_eq!(
            (s3.status, s3.code.as_str(), s3.message.as_str()),
            (400, "AuthorizationHeaderMalformed", "bad header")
        );
        let expired = renamed(&AwsError::new(Common::ExpiredToken, "x"), S3_RENAMES);
        assert_eq!(
            (expired.status, expired.message.as_str()),
            (400, "The provided token has expired.")
        );
        let kinesis = renamed(&AwsError::new(Common::AccessDenied, "no"), JSON_RENAMES);
        assert_eq!(
            (kinesis.status, kinesis.code.as_str()),
            (400, "AccessDeniedException")
        );
        let untouched = AwsError::new(S3::NoSuchKey, "gone");
        assert_eq!(renamed(&untouched, S3_RENAMES), untouched);
    }
}

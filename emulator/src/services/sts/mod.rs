//! STS (Query protocol, 2011-06-15): every operation of botocore's model
//! is a row of [`operations::OPERATIONS`] (its IAM action, who the caller
//! is, what it acts on, the condition keys its request carries, its
//! handler); [`door`] asks every question a row names before the handler
//! runs, and no handler names its action.
//!
//! Who calls: a signed caller for most operations; for
//! `AssumeRoleWithWebIdentity` and `AssumeRoleWithSAML`, which AWS serves
//! unsigned, the identity provider's user, named by the provider, once
//! [`web_identity`] or [`saml`] verified the token or assertion.
//!
//! Handlers by family: [`identity`] (GetCallerIdentity,
//! GetAccessKeyInfo), [`assume`] (the three AssumeRole operations),
//! [`tokens`] (GetSessionToken, GetFederationToken), [`root`]
//! (AssumeRoot), [`messages`] (DecodeAuthorizationMessage), [`outbound`]
//! (GetWebIdentityToken, GetDelegatedAccessToken); [`session`] makes
//! sessions and writes their credentials.

pub mod assume;
pub mod door;
pub mod identity;
pub mod messages;
pub mod operations;
pub mod outbound;
pub mod root;
pub mod saml;
pub mod session;
pub mod tokens;
pub mod web_identity;

use super::{Ctx, STS_NAMESPACE};
use crate::auth::Caller;
use crate::error::{AwsError, AwsResult, Query};
use crate::http::HttpResponse;
use crate::protocol::model::Model;
use crate::protocol::query::{self, Params};
use crate::protocol::xml::Xml;
use crate::state::State;
use operations::Who;
use time::OffsetDateTime;

/// The operations AWS serves to unsigned requests (routing sends an
/// unsigned Query request here only for these).
pub const UNSIGNED: &[&str] = &["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"];

/// Whether `action` is an STS operation (routing: an unsigned Query
/// request naming one is STS's, not IAM's).
pub fn is_operation(action: &str) -> bool {
    operations::find(action).is_some()
}

/// One STS call being served.
pub struct Call<'a> {
    pub ctx: &'a Ctx<'a>,
    /// Who asks: the signed caller, or the identity provider's user.
    pub caller: std::borrow::Cow<'a, Caller>,
    pub operation: &'static operations::Operation,
    pub params: &'a Params,
    /// What a verified web identity token or SAML assertion says.
    pub federated: Option<federation::Federated>,
    /// When a valid MFA code came with the request.
    pub mfa: Option<OffsetDateTime>,
}

/// A handler: the door has authorized the call already.
pub type Handler = fn(&mut State, &Call) -> AwsResult<Xml>;

pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    let params = Params::parse(ctx.req.raw_query.as_deref(), &ctx.req.body);
    let action = params.action().unwrap_or_default().to_string();
    let result = serve(ctx, caller, &params, &action);
    match result {
        Ok(xml) => {
            let body = query::response(&action, STS_NAMESPACE, ctx.request_id, |x| *x = xml);
            HttpResponse::xml(200, body).with_header("x-amzn-requestid", ctx.request_id)
        }
        Err(err) => super::error_response(super::Service::Sts, &err, ctx.request_id),
    }
}

fn serve(ctx: &Ctx, caller: &Caller, params: &Params, action: &str) -> AwsResult<Xml> {
    let operation = operations::find(action).ok_or_else(|| unserved(action))?;
    if operation.who == Who::Signed {
        super::require_signed(caller)?;
    }
    // AWS checks the request against the model before anything else.
    Model::sts().validate(action, params)?;
    let mut state = ctx.shared.state();
    let federated = match operation.who {
        Who::Signed => None,
        Who::WebIdentity => Some(web_identity::verify(ctx, &state, params)?),
        Who::Saml => Some(saml::verify(ctx, &state, params)?),
    };
    let mfa = if operation.mfa {
        session::verify_mfa(ctx, &mut state, caller, params)?
    } else {
        None
    };
    let call = Call {
        ctx,
        caller: federated
            .as_ref()
            .map_or(std::borrow::Cow::Borrowed(caller), |f| {
                std::borrow::Cow::Owned(f.caller())
            }),
        operation,
        params,
        federated,
        mfa,
    };
    door::authorize(&state, &call)?;
    (operation.handler)(&mut state, &call)
}

/// The error for an action with no row.
fn unserved(action: &str) -> AwsError {
    if action.is_empty() {
        AwsError::new(Query::MissingAction, "Missing Action")
    } else {
        AwsError::new(
            Query::InvalidAction,
            format!("Could not find operation {action} for version 2011-06-15"),
        )
    }
}

pub mod federation {
    //! What a verified web identity token or SAML assertion says: the
    //! federated principal (named by its provider), the condition keys
    //! the trust policy is evaluated with, and what the session and the
    //! reply take from it.

    use crate::auth::Caller;
    use iam_evaluator::{Principal, RequestContext};

    #[derive(Debug, Clone)]
    pub struct Federated {
        /// The provider's ARN (an IAM OIDC or SAML provider), or the name
        /// AWS gives a provider it knows (`accounts.google.com`).
        pub provider: String,
        /// The provider's condition keys (`PROVIDER:sub`, `saml:aud`, …).
        pub keys: RequestContext,
        /// The reply's `Provider`: the token's `iss`, the assertion's `Issuer`.
        pub issuer: String,
        /// `sub`, or the assertion's `NameID`.
        pub subject: String,
        /// The reply's `Audience`.
        pub audience: String,
        /// SAML: the `RoleSessionName` attribute.
        pub session_name: Option<String>,
        /// SAML: the `AuthnStatement`'s `SessionNotOnOrAfter`, which ends
        /// the role session if it comes first.
        pub session_ends: Option<time::OffsetDateTime>,
        /// Session tags the identity provider passes.
        pub tags: Vec<(String, String)>,
        pub transitive_tag_keys: Vec<String>,
        pub source_identity: Option<String>,
        /// SAML: the `NameQualifier` and `SubjectType` of the reply.
        pub name_qualifier: Option<String>,
        pub subject_type: Option<String>,
    }

    impl Federated {
        /// The caller the trust policy is asked about.
        pub fn caller(&self) -> Caller {
            let principal = Principal::federated(&self.provider);
            Caller {
                account: principal.account.clone(),
                principal,
                owner: None,
                access_key: None,
                scope: None,
                chunk_signing: None,
            }
        }
    }
}

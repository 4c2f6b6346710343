//! STS's operation table: every operation of botocore's model
//! (`emulator/data/botocore/sts.json`, walked by a test), with the IAM
//! action the Service Authorization Reference gives it, who the caller is
//! ([`Who`]), the resource it is asked about ([`On`]), the condition keys
//! its request carries ([`Key`]) and its handler. [`super::door`] reads a
//! row and asks the evaluator before the handler runs.

use super::{assume, identity, messages, outbound, root, tokens, Handler};

/// Who the caller of an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The request's signer (unsigned: `MissingAuthenticationToken`).
    Signed,
    /// The user of the identity provider that issued `WebIdentityToken`
    /// (signed or not, as AWS accepts both).
    WebIdentity,
    /// The user of the SAML provider `PrincipalArn` whose assertion
    /// `SAMLAssertion` carries.
    Saml,
}

/// The resource an operation's action is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// `*`.
    Any,
    /// The role `RoleArn`, with its trust policy as the resource policy.
    Role,
    /// `arn:aws:sts::ACCOUNT:federated-user/NAME` (GetFederationToken).
    FederatedUser,
    /// The root user of the member account `TargetPrincipal` (AssumeRoot).
    TargetRoot,
}

/// Condition keys a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `aws:RequestTag/*` and `aws:TagKeys` of the session tags (`Tags`,
    /// or the identity provider's), `sts:TransitiveTagKeys`; passing any
    /// asks `sts:TagSession` too.
    SessionTags,
    /// `aws:RequestTag/*` and `aws:TagKeys` of the tags a web identity
    /// token carries as claims (`Tags`); passing any asks
    /// `sts:TagGetWebIdentityToken` too.
    TokenTags,
    /// `sts:IdentityTokenAudience`, `sts:SigningAlgorithm` and
    /// `sts:DurationSeconds` of the token asked for.
    TokenRequest,
    /// `sts:ExternalId`.
    ExternalId,
    /// `sts:SourceIdentity` (`SourceIdentity`, the identity provider's,
    /// or the calling session's).
    SourceIdentity,
    /// `sts:RoleSessionName`.
    RoleSessionName,
    /// `sts:TaskPolicyArn`.
    TaskPolicyArn,
    /// The identity provider's keys (`PROVIDER:sub`, `saml:aud`, …).
    Federation,
    /// `aws:MultiFactorAuthPresent` when an MFA code came.
    Mfa,
}

/// One operation.
pub struct Operation {
    pub name: &'static str,
    pub action: &'static str,
    pub who: Who,
    pub on: On,
    pub keys: &'static [Key],
    /// `SerialNumber` and `TokenCode` are read (and checked) before the door.
    pub mfa: bool,
    pub handler: Handler,
}

use Key::{
    ExternalId, Federation, Mfa, RoleSessionName, SessionTags, SourceIdentity, TaskPolicyArn, TokenRequest,
    TokenTags,
};

/// Every operation of botocore's STS model.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "AssumeRole",
        action: "sts:AssumeRole",
        who: Who::Signed,
        on: On::Role,
        keys: &[SessionTags, ExternalId, SourceIdentity, RoleSessionName, Mfa],
        mfa: true,
        handler: assume::assume_role,
    },
    Operation {
        name: "AssumeRoleWithSAML",
        action: "sts:AssumeRoleWithSAML",
        who: Who::Saml,
        on: On::Role,
        keys: &[SessionTags, SourceIdentity, RoleSessionName, Federation],
        mfa: false,
        handler: assume::assume_role_with_saml,
    },
    Operation {
        name: "AssumeRoleWithWebIdentity",
        action: "sts:AssumeRoleWithWebIdentity",
        who: Who::WebIdentity,
        on: On::Role,
        keys: &[SessionTags, SourceIdentity, RoleSessionName, Federation],
        mfa: false,
        handler: assume::assume_role_with_web_identity,
    },
    Operation {
        name: "AssumeRoot",
        action: "sts:AssumeRoot",
        who: Who::Signed,
        on: On::TargetRoot,
        keys: &[TaskPolicyArn],
        mfa: false,
        handler: root::assume_root,
    },
    Operation {
        name: "DecodeAuthorizationMessage",
        action: "sts:DecodeAuthorizationMessage",
        who: Who::Signed,
        on: On::Any,
        keys: &[],
        mfa: false,
        handler: messages::decode_authorization_message,
    },
    Operation {
        name: "GetAccessKeyInfo",
        action: "sts:GetAccessKeyInfo",
        who: Who::Signed,
        on: On::Any,
        keys: &[],
        mfa: false,
        handler: identity::get_access_key_info,
    },
    Operation {
        name: "GetCallerIdentity",
        action: "sts:GetCallerIdentity",
        who: Who::Signed,
        on: On::Any,
        keys: &[],
        mfa: false,
        handler: identity::get_caller_identity,
    },
    Operation {
        name: "GetDelegatedAccessToken",
        action: "sts:GetDelegatedAccessToken",
        who: Who::Signed,
        on: On::Any,
        keys: &[],
        mfa: false,
        handler: outbound::get_delegated_access_token,
    },
    Operation {
        name: "GetFederationToken",
        action: "sts:GetFederationToken",
        who: Who::Signed,
        on: On::FederatedUser,
        keys: &[SessionTags],
        mfa: false,
        handler: tokens::get_federation_token,
    },
    Operation {
        name: "GetSessionToken",
        action: "sts:GetSessionToken",
        who: Who::Signed,
        on: On::Any,
        keys: &[Mfa],
        mfa: true,
        handler: tokens::get_session_token,
    },
    Operation {
        name: "GetWebIdentityToken",
        action: "sts:GetWebIdentityToken",
        who: Who::Signed,
        on: On::Any,
        keys: &[TokenTags, TokenRequest],
        mfa: false,
        handler: outbound::get_web_identity_token,
    },
];

/// The row of `name`.
pub fn find(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation of botocore's STS model has a row, and no row is
    /// for anything else.
    #[test]
    fn every_operation_of_botocores_model_has_a_row_and_no_other() {
        let rows: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        crate::protocol::model::assert_table_covers(
            include_str!("../../../data/botocore/sts.json"),
            &rows,
            &[],
        );
    }

    #[test]
    fn each_rows_action_is_in_the_catalog() {
        let catalog = iam_evaluator::catalog::Catalog::get();
        for row in OPERATIONS {
            assert!(
                catalog.action(row.action).is_some(),
                "{} is not a known action",
                row.action
            );
        }
    }
}

//! Who is asking: the request's principal, and how a `Principal` element
//! in a resource-based policy names it.
//!
//! IAM User Guide, "AWS JSON policy elements: Principal":
//! - an account id or `arn:aws:iam::ACCOUNT:root` names the account: "you
//!   delegate authority to the account", so its identities still need
//!   identity-based permission (recorded as [`PrincipalMatch::Account`]);
//! - a role ARN matches the role's sessions (`assumed-role/ROLE/…`);
//! - user, session and federated-user ARNs match that principal exactly;
//! - `"*"` and `{"AWS": "*"}` match everyone, anonymous callers included.

use crate::arn::Arn;
use crate::policy::PrincipalSet;
use serde::Serialize;

/// What kind of caller made the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum PrincipalKind {
    /// The account's root user.
    Root,
    /// An IAM user.
    User,
    /// A session of an assumed role; `role_name` without its path.
    AssumedRole { role_name: String, session_name: String },
    /// A federated user session (`sts:GetFederationToken`).
    FederatedUser,
    /// A web-identity or SAML federated caller, named by its provider.
    Federated,
    /// An AWS service principal such as `ec2.amazonaws.com`.
    Service,
    /// An unsigned request.
    Anonymous,
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    /// The caller's ARN; the provider for federated callers, the service
    /// name for services, `anonymous` for unsigned requests.
    pub arn: String,
    /// The caller's account; `None` for anonymous and service callers.
    pub account: Option<String>,
    pub kind: PrincipalKind,
    /// The S3 canonical user id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_user: Option<String>,
}

/// Why a principal ARN could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalError(pub String);

impl std::fmt::Display for PrincipalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a principal ARN: {}", self.0)
    }
}

impl std::error::Error for PrincipalError {}

impl Principal {
    /// The anonymous caller of an unsigned request.
    pub fn anonymous() -> Self {
        Principal {
            arn: "anonymous".into(),
            account: None,
            kind: PrincipalKind::Anonymous,
            canonical_user: None,
        }
    }

    /// A service principal such as `ec2.amazonaws.com`.
    pub fn service(name: &str) -> Self {
        Principal {
            arn: name.into(),
            account: None,
            kind: PrincipalKind::Service,
            canonical_user: None,
        }
    }

    /// Reads a principal from its ARN: `…:root`, `…:user/…`,
    /// `arn:aws:sts::…:assumed-role/ROLE/SESSION`, `…:federated-user/NAME`,
    /// or `anonymous`.
    pub fn from_arn(text: &str) -> Result<Self, PrincipalError> {
        if text == "anonymous" || text == "*" {
            return Ok(Self::anonymous());
        }
        let err = || PrincipalError(text.to_string());
        let arn = Arn::parse(text).ok_or_else(err)?;
        if !crate::arn::is_account_id(arn.account) {
            return Err(err());
        }
        let kind = match (arn.service, arn.resource) {
            ("iam", "root") => PrincipalKind::Root,
            ("iam", r) if r.starts_with("user/") => PrincipalKind::User,
            ("sts", r) if r.starts_with("assumed-role/") => {
                let mut parts = r["assumed-role/".len()..].splitn(2, '/');
                let role_name = parts.next().filter(|s| !s.is_empty()).ok_or_else(err)?;
                let session_name = parts.next().filter(|s| !s.is_empty()).ok_or_else(err)?;
                PrincipalKind::AssumedRole {
                    role_name: role_name.into(),
                    session_name: session_name.into(),
                }
            }
            ("sts", r) if r.starts_with("federated-user/") => PrincipalKind::FederatedUser,
            _ => return Err(err()),
        };
        Ok(Principal {
            arn: text.to_string(),
            account: Some(arn.account.to_string()),
            kind,
            canonical_user: None,
        })
    }

    /// A federated caller named by its identity provider: an IAM OIDC or
    /// SAML provider ARN, or a provider AWS names itself
    /// (`accounts.google.com`, `cognito-identity.amazonaws.com`, …). The
    /// account is the provider ARN's; none for the providers AWS names.
    pub fn federated(provider: &str) -> Self {
        let account = Arn::parse(provider)
            .map(|arn| arn.account)
            .filter(|account| crate::arn::is_account_id(account))
            .map(str::to_string);
        Principal {
            arn: provider.into(),
            account,
            kind: PrincipalKind::Federated,
            canonical_user: None,
        }
    }

    /// A session of the role `role_arn` named `session_name`:
    /// `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` (the role's path is
    /// not part of a session ARN).
    pub fn role_session(role_arn: &str, session_name: &str) -> Result<Self, PrincipalError> {
        let err = || PrincipalError(role_arn.to_string());
        let arn = Arn::parse(role_arn)
            .filter(|a| a.service == "iam")
            .ok_or_else(err)?;
        let role_name = arn
            .resource
            .strip_prefix("role/")
            .and_then(|path| path.rsplit('/').next())
            .filter(|name| !name.is_empty())
            .ok_or_else(err)?;
        Principal::from_arn(&format!(
            "arn:{}:sts::{}:assumed-role/{role_name}/{session_name}",
            arn.partition, arn.account
        ))
    }

    /// Reads any principal a request can come from, as `explain`, the
    /// console and `can` take it: what [`Principal::from_arn`] reads (root,
    /// user, assumed-role session, federated user, `*` / `anonymous`); a
    /// role ARN, read as a session of that role named
    /// [`DEFAULT_SESSION_NAME`]; an OIDC or SAML provider ARN or a provider
    /// AWS names (a federated caller); a service principal such as
    /// `lambda.amazonaws.com`.
    pub fn parse(text: &str) -> Result<Self, PrincipalError> {
        let text = text.trim();
        if WEB_IDENTITY_PROVIDERS.contains(&text) {
            return Ok(Principal::federated(text));
        }
        if is_service_principal(text) {
            return Ok(Principal::service(text));
        }
        let Some(arn) = Arn::parse(text) else {
            return Principal::from_arn(text);
        };
        match (arn.service, arn.resource) {
            ("iam", r) if r.starts_with("role/") && crate::arn::is_account_id(arn.account) => {
                Principal::role_session(text, DEFAULT_SESSION_NAME)
            }
            ("iam", r)
                if (r.starts_with("oidc-provider/") || r.starts_with("saml-provider/"))
                    && crate::arn::is_account_id(arn.account) =>
            {
                Ok(Principal::federated(text))
            }
            _ => Principal::from_arn(text),
        }
    }

    /// The user name for `aws:username` (IAM users only).
    pub fn user_name(&self) -> Option<&str> {
        (self.kind == PrincipalKind::User).then(|| self.arn.rsplit('/').next().unwrap_or_default())
    }

    /// Does this caller have identity-based policies of its own? Root,
    /// anonymous, service and federated-provider callers do not.
    pub fn has_identity_policies(&self) -> bool {
        matches!(
            self.kind,
            PrincipalKind::User | PrincipalKind::AssumedRole { .. } | PrincipalKind::FederatedUser
        )
    }
}

/// The session name [`Principal::parse`] gives a role named by its ARN.
pub const DEFAULT_SESSION_NAME: &str = "session";

/// Identity providers AWS names without an ARN in a `Federated` principal
/// (IAM User Guide, "AWS JSON policy elements: Principal", "OIDC session
/// principals").
pub const WEB_IDENTITY_PROVIDERS: [&str; 4] = [
    "accounts.google.com",
    "cognito-identity.amazonaws.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// `lambda.amazonaws.com`, `s3.amazonaws.com`, `states.us-east-1.amazonaws.com`:
/// a DNS name under `amazonaws.com` (or `amazonaws.com.cn`) that is not a
/// web-identity provider.
fn is_service_principal(text: &str) -> bool {
    let Some(host) = text
        .strip_suffix(".amazonaws.com")
        .or_else(|| text.strip_suffix(".amazonaws.com.cn"))
    else {
        return false;
    };
    !host.is_empty()
        && !WEB_IDENTITY_PROVIDERS.contains(&text)
        && host
            .split('.')
            .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// How a `Principal` element named the caller; it decides which other
/// policies can still limit a same-account grant (see [`crate::decision`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalMatch {
    /// `"*"`: everyone.
    Everyone,
    /// The caller's own ARN (user, session, federated user, root), service,
    /// provider or canonical user.
    Direct,
    /// The ARN of the role whose session is calling.
    Role,
    /// The caller's account (account id or root ARN), for a non-root caller.
    Account,
}

impl PrincipalMatch {
    /// How strong a grant through this match is: a direct grant and `*` are
    /// not limited by the caller's boundary or session policy, a grant to
    /// the role is, and a grant to the account only delegates to identity
    /// policies. Several entries that name the caller are alternatives, so
    /// the strongest one counts.
    pub fn strength(self) -> u8 {
        match self {
            PrincipalMatch::Account => 0,
            PrincipalMatch::Role => 1,
            PrincipalMatch::Everyone => 2,
            PrincipalMatch::Direct => 3,
        }
    }
}

impl PrincipalSet {
    /// How (if at all) this set names `principal`; the strongest way wins.
    pub fn matches(&self, principal: &Principal) -> Option<PrincipalMatch> {
        let mut best: Option<PrincipalMatch> = None;
        let mut consider = |m: Option<PrincipalMatch>| {
            if let Some(m) = m {
                if best.is_none_or(|b| m.strength() > b.strength()) {
                    best = Some(m);
                }
            }
        };
        if self.everyone {
            consider(Some(PrincipalMatch::Everyone));
        }
        for entry in &self.aws {
            consider(match_aws_entry(entry, principal));
        }
        let is =
            |kind: &PrincipalKind, list: &[String]| principal.kind == *kind && list.contains(&principal.arn);
        if is(&PrincipalKind::Service, &self.service) || is(&PrincipalKind::Federated, &self.federated) {
            consider(Some(PrincipalMatch::Direct));
        }
        if let Some(id) = &principal.canonical_user {
            if self.canonical_user.iter().any(|e| e == id) {
                consider(Some(PrincipalMatch::Direct));
            }
        }
        best
    }
}

fn match_aws_entry(entry: &str, principal: &Principal) -> Option<PrincipalMatch> {
    if entry == "*" {
        return Some(PrincipalMatch::Everyone);
    }
    let account = principal.account.as_deref()?;
    let names_account = entry == account
        || entry
            .strip_suffix(":root")
            .and_then(Arn::parse)
            .is_some_and(|a| a.service == "iam" && a.account == account && a.resource.is_empty())
        || Arn::parse(entry)
            .is_some_and(|a| a.service == "iam" && a.account == account && a.resource == "root");
    if names_account {
        return Some(if principal.kind == PrincipalKind::Root {
            PrincipalMatch::Direct
        } else {
            PrincipalMatch::Account
        });
    }
    if entry == principal.arn {
        return Some(PrincipalMatch::Direct);
    }
    let PrincipalKind::AssumedRole { role_name, .. } = &principal.kind else {
        return None;
    };
    // A role ARN (with any path) names the sessions of that role.
    let arn = Arn::parse(entry)?;
    let named_role = arn.resource.strip_prefix("role/")?.rsplit('/').next()?;
    (arn.service == "iam" && arn.account == account && named_role == role_name)
        .then_some(PrincipalMatch::Role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(aws: &[&str]) -> PrincipalSet {
        PrincipalSet {
            aws: aws.iter().map(ToString::to_string).collect(),
            ..PrincipalSet::default()
        }
    }

    fn p(arn: &str) -> Principal {
        Principal::from_arn(arn).unwrap()
    }

    #[test]
    fn account_id_and_root_arn_name_the_account() {
        let alice = p("arn:aws:iam::123456789012:user/alice");
        assert_eq!(
            set(&["123456789012"]).matches(&alice),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            set(&["arn:aws:iam::123456789012:root"]).matches(&alice),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(set(&["111122223333"]).matches(&alice), None);
        let root = p("arn:aws:iam::123456789012:root");
        assert_eq!(
            set(&["123456789012"]).matches(&root),
            Some(PrincipalMatch::Direct)
        );
    }

    #[test]
    fn role_arn_names_its_sessions() {
        let session = p("arn:aws:sts::123456789012:assumed-role/Reader/s1");
        assert_eq!(
            set(&["arn:aws:iam::123456789012:role/team/Reader"]).matches(&session),
            Some(PrincipalMatch::Role)
        );
        assert_eq!(
            set(&["arn:aws:sts::123456789012:assumed-role/Reader/s1"]).matches(&session),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            set(&["arn:aws:iam::123456789012:role/Writer"]).matches(&session),
            None
        );
    }

    #[test]
    fn star_matches_anonymous_but_accounts_do_not() {
        let anon = Principal::anonymous();
        assert_eq!(set(&["*"]).matches(&anon), Some(PrincipalMatch::Everyone));
        assert_eq!(set(&["123456789012"]).matches(&anon), None);
    }

    #[test]
    fn service_principals_match_by_name() {
        let s = PrincipalSet {
            service: vec!["ec2.amazonaws.com".into()],
            ..PrincipalSet::default()
        };
        assert_eq!(
            s.matches(&Principal::service("ec2.amazonaws.com")),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(s.matches(&Principal::service("lambda.amazonaws.com")), None);
    }

    #[test]
    fn parse_reads_every_principal_kind() {
        let role = Principal::parse("arn:aws:iam::123456789012:role/team/Reader").unwrap();
        assert_eq!(role.arn, "arn:aws:sts::123456789012:assumed-role/Reader/session");
        assert_eq!(
            role.kind,
            PrincipalKind::AssumedRole {
                role_name: "Reader".into(),
                session_name: DEFAULT_SESSION_NAME.into()
            }
        );
        let oidc =
            Principal::parse("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com")
                .unwrap();
        assert_eq!(
            (oidc.kind.clone(), oidc.account.as_deref()),
            (PrincipalKind::Federated, Some("123456789012"))
        );
        let saml = Principal::parse("arn:aws:iam::123456789012:saml-provider/Okta").unwrap();
        assert_eq!(saml.kind, PrincipalKind::Federated);
        let google = Principal::parse("accounts.google.com").unwrap();
        assert_eq!((google.kind, google.account), (PrincipalKind::Federated, None));
        let cognito = Principal::parse("cognito-identity.amazonaws.com").unwrap();
        assert_eq!(cognito.kind, PrincipalKind::Federated);
        let lambda = Principal::parse("lambda.amazonaws.com").unwrap();
        assert_eq!((lambda.kind, lambda.account), (PrincipalKind::Service, None));
        assert_eq!(
            Principal::parse("states.us-east-1.amazonaws.com").unwrap().kind,
            PrincipalKind::Service
        );
        assert_eq!(Principal::parse("*").unwrap().kind, PrincipalKind::Anonymous);
        assert_eq!(
            Principal::parse("arn:aws:sts::123456789012:federated-user/bob")
                .unwrap()
                .kind,
            PrincipalKind::FederatedUser
        );
        assert_eq!(
            p("arn:aws:iam::123456789012:user/a"),
            Principal::parse("arn:aws:iam::123456789012:user/a").unwrap()
        );
        for bad in [
            "amazonaws.com",
            ".amazonaws.com",
            "lambda",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::12:role/R",
            "arn:aws:iam::123456789012:group/g",
        ] {
            assert!(Principal::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn from_arn_reads_kinds() {
        assert_eq!(p("arn:aws:iam::123456789012:root").kind, PrincipalKind::Root);
        assert_eq!(p("arn:aws:iam::123456789012:user/a/b").user_name(), Some("b"));
        assert!(Principal::from_arn("arn:aws:iam::12:user/a").is_err());
        assert!(Principal::from_arn("arn:aws:sts::123456789012:assumed-role/R").is_err());
    }
}

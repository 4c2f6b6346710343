//! The explain question, offline: policies as text and one request in,
//! the evaluator's decision out. The `explain` command
//! ([`crate::commands::explain`]) reads an [`ExplainInput`] from its flags
//! and files, the console's `POST /_emulator/evaluate`
//! ([`crate::console`]) from a JSON body; both decide through
//! [`decide_input`], so they cannot disagree.

use iam_evaluator::{evaluate, NamedPolicy, Policy, PolicySet, Principal, Request, RequestContext};

/// The default caller when no principal is given.
pub const DEFAULT_PRINCIPAL: &str = "arn:aws:iam::123456789012:user/alice";

/// A policy as text, with the name the trace shows for it and where it
/// came from (for error messages: a file's path, a form field's label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyText {
    pub name: String,
    pub origin: String,
    pub text: String,
}

/// Everything one explanation needs, as text: what the `explain` command
/// reads from its flags and files, and what `POST /_emulator/evaluate`
/// reads from its JSON body. Both decide through [`decide_input`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExplainInput {
    /// Identity-based policies.
    pub policies: Vec<PolicyText>,
    pub resource_policy: Option<PolicyText>,
    /// A role's trust policy (instead of `resource_policy`).
    pub trust_policy: Option<PolicyText>,
    pub boundary: Option<PolicyText>,
    pub session_policies: Vec<PolicyText>,
    /// One SCP per organisation level, root first.
    pub scps: Vec<PolicyText>,
    /// One RCP per organisation level.
    pub rcps: Vec<PolicyText>,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    /// `KEY=VALUE` pairs; a key given more than once is multi-valued.
    pub context: Vec<String>,
}

/// Bad input to [`decide_input`]: which input, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The flag's name without dashes (`principal`, `context`, …), or
    /// `policy` for a policy that does not parse.
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// Parses the policies and the request and decides.
pub fn decide_input(input: &ExplainInput) -> Result<iam_evaluator::Decision, InputError> {
    if input.resource_policy.is_some() && input.trust_policy.is_some() {
        return Err(InputError {
            field: "trust-policy",
            message: "a trust policy is the role's resource-based policy: give either a resource policy or a trust policy".into(),
        });
    }
    let principal = Principal::parse(&input.principal).map_err(|e| InputError {
        field: "principal",
        message: format!(
            "--principal: {e} (expected an IAM user, role, root, assumed-role session or federated-user ARN, \
             an OIDC/SAML provider ARN, a service principal such as lambda.amazonaws.com, or * for anonymous)"
        ),
    })?;
    let mut context = parse_context(&input.context).map_err(|message| InputError {
        field: "context",
        message,
    })?;
    if let Some(role) = named_role(&input.principal) {
        // A role named by its ARN is decided as a session of it; the
        // session's aws:PrincipalArn is the role's, path included.
        context.set_default("aws:PrincipalArn", role);
    }
    context.add_principal_keys(&principal);
    let policies = PolicySet {
        identity: parse_all(&input.policies)?,
        resource: input
            .resource_policy
            .as_ref()
            .or(input.trust_policy.as_ref())
            .map(parse)
            .into_iter()
            .collect::<Result<_, _>>()?,
        boundary: input.boundary.as_ref().map(parse).transpose()?,
        session: parse_all(&input.session_policies)?,
        scps: parse_all(&input.scps)?.into_iter().map(|p| vec![p]).collect(),
        rcps: parse_all(&input.rcps)?.into_iter().map(|p| vec![p]).collect(),
        role_trust: input.trust_policy.is_some(),
        acls: Vec::new(),
    };
    let request = Request {
        principal,
        action: input.action.clone(),
        resource: input.resource.clone(),
        resource_account: input.resource_account.clone(),
        context,
    };
    Ok(evaluate(&request, &policies))
}

/// `text` when it is a role ARN (`arn:aws:iam::ACCOUNT:role/…`).
fn named_role(text: &str) -> Option<&str> {
    let text = text.trim();
    iam_evaluator::arn::Arn::parse(text)
        .is_some_and(|arn| arn.service == "iam" && arn.resource.starts_with("role/"))
        .then_some(text)
}

fn parse_all(texts: &[PolicyText]) -> Result<Vec<NamedPolicy>, InputError> {
    texts.iter().map(parse).collect()
}

fn parse(text: &PolicyText) -> Result<NamedPolicy, InputError> {
    let policy = Policy::parse(&text.text).map_err(|e| InputError {
        field: "policy",
        message: format!("{}: {e}", text.origin),
    })?;
    Ok(NamedPolicy::new(&text.name, policy))
}

/// `KEY=VALUE` pairs; a key given more than once becomes multi-valued.
pub fn parse_context(pairs: &[String]) -> Result<RequestContext, String> {
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for pair in pairs {
        let (key, value) = pair
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| format!("--context {pair:?}: expected KEY=VALUE"))?;
        let key = key.trim().to_ascii_lowercase();
        match grouped.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value.to_string()),
            None => grouped.push((key, vec![value.to_string()])),
        }
    }
    let mut context = RequestContext::new();
    for (key, mut values) in grouped {
        if values.len() == 1 {
            context.set(&key, values.remove(0));
        } else {
            context.set_multi(&key, values);
        }
    }
    Ok(context)
}

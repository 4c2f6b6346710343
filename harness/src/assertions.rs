//! Assertions that read like policy intent — "alice may read this object"
//! — decided by the emulator's policy simulator (SimulatePrincipalPolicy)
//! for the principal behind a set of credentials, and explained with the
//! simulator's answer when they fail.

use crate::client::{Client, Credentials};
use crate::reply::{url_decode, Reply};
use crate::Emulator;
use std::fmt;

/// One statement the simulator says decided (`MatchedStatements`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedStatement {
    /// `SourcePolicyId`: the policy's name (`ResourcePolicy` for a bucket policy).
    pub source_policy_id: String,
    /// `SourcePolicyType`: `user`, `group`, `role` (inline), `user-managed`,
    /// `aws-managed`, `Resource Policy`.
    pub source_policy_type: String,
    /// `StartPosition` (line, column), 1-based, of the statement's `{`.
    pub start: Option<(usize, usize)>,
    /// `EndPosition`: just after the statement's `}`.
    pub end: Option<(usize, usize)>,
    /// The statement's text, when the harness could read the policy.
    pub text: Option<String>,
}

/// The simulator's answer for one principal, action and resource; see
/// [`Emulator::simulate`]. Its `Display` is the explanation the assertions
/// print.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// GetCallerIdentity's `Arn` for the credentials (for a role session,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    pub caller: String,
    /// The `PolicySourceArn` simulated: the user, or the session's role.
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// `EvalDecision`: `allowed`, `explicitDeny` or `implicitDeny`.
    pub decision: String,
    pub matched: Vec<MatchedStatement>,
    /// `MissingContextValues`: keys the policies read that the simulation lacked.
    pub missing_context: Vec<String>,
    /// `AllowedByPermissionsBoundary`, when the principal has a boundary.
    pub allowed_by_boundary: Option<bool>,
    /// The bucket policy simulated with the request, if any.
    pub resource_policy: Option<String>,
    /// What the simulation leaves out (session policies, …).
    pub notes: Vec<String>,
    boundary_name: Option<String>,
}

impl Simulation {
    /// Whether `EvalDecision` is `allowed`.
    pub fn is_allowed(&self) -> bool {
        self.decision == "allowed"
    }

    /// AWS's access-denied message for this decision, worded as the
    /// emulator words a denial (and as `/_emulator/decisions` shows it);
    /// `None` when allowed.
    pub fn message(&self) -> Option<String> {
        if self.is_allowed() {
            return None;
        }
        let head = if self.resource == "*" {
            format!(
                "User: {} is not authorized to perform: {}",
                self.caller, self.action
            )
        } else {
            // S3 quotes the resource, IAM and STS do not.
            let quote = self.action.to_ascii_lowercase().starts_with("s3:");
            let resource = if quote {
                format!("\"{}\"", self.resource)
            } else {
                self.resource.clone()
            };
            format!(
                "User: {} is not authorized to perform: {} on resource: {resource}",
                self.caller, self.action
            )
        };
        Some(if self.decision == "explicitDeny" {
            let place = if self
                .matched
                .iter()
                .any(|m| m.source_policy_type == "Resource Policy")
            {
                "a resource-based policy"
            } else if self
                .matched
                .iter()
                .any(|m| Some(&m.source_policy_id) == self.boundary_name.as_ref())
            {
                "a permissions boundary"
            } else {
                "an identity-based policy"
            };
            format!("{head} with an explicit deny in {place}")
        } else {
            let kind = if self.allowed_by_boundary == Some(false) {
                "permissions boundary"
            } else {
                "identity-based policy"
            };
            format!("{head} because no {kind} allows the {} action", self.action)
        })
    }
}

impl fmt::Display for Simulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "EvalDecision: {} (SimulatePrincipalPolicy for {}, {} on {})",
            self.decision, self.principal, self.action, self.resource
        )?;
        if let Some(message) = self.message() {
            writeln!(f, "Message: {message}")?;
        }
        if self.matched.is_empty() {
            writeln!(f, "Matched statements: none")?;
        } else {
            writeln!(f, "Matched statements:")?;
            for m in &self.matched {
                write!(
                    f,
                    "  - {} policy \"{}\"",
                    m.source_policy_type, m.source_policy_id
                )?;
                if let (Some(start), Some(end)) = (m.start, m.end) {
                    write!(f, " at {}:{}-{}:{}", start.0, start.1, end.0, end.1)?;
                }
                match &m.text {
                    Some(text) => writeln!(f, ": {text}")?,
                    None => writeln!(f)?,
                }
            }
        }
        if !self.missing_context.is_empty() {
            writeln!(f, "Missing context values: {}", self.missing_context.join(", "))?;
        }
        match self.allowed_by_boundary {
            Some(true) => writeln!(f, "Permissions boundary: allows")?,
            Some(false) => writeln!(f, "Permissions boundary: does not allow")?,
            None => {}
        }
        if let Some(policy) = &self.resource_policy {
            writeln!(f, "Bucket policy simulated: {policy}")?;
        }
        for note in &self.notes {
            writeln!(f, "Not simulated: {note}")?;
        }
        Ok(())
    }
}

/// What the credentials act as, for SimulatePrincipalPolicy.
enum Principal {
    User { name: String },
    Role { name: String },
}

impl Emulator {
    /// Asks the emulator whether the principal behind `credentials` may do
    /// `action` on `resource`: finds it with GetCallerIdentity (for an
    /// assumed-role session, its role), then calls SimulatePrincipalPolicy
    /// as root of its account — with the bucket's policy as
    /// `ResourcePolicy` when `resource` is an S3 ARN and the principal an
    /// IAM user, and the global condition keys a request of this harness
    /// carries (`aws:username`, `aws:userid`, `aws:PrincipalArn`,
    /// `aws:PrincipalTag/*`, `aws:SourceIp` 127.0.0.1,
    /// `aws:SecureTransport` false, `aws:RequestedRegion` us-east-1, the
    /// current time). Session policies and session tags, SCPs and Block
    /// Public Access are not part of a simulation (see [`Simulation::notes`]). Panics for the root
    /// user (the simulator cannot simulate it) or when the account's root
    /// keys are unknown.
    ///
    /// ```
    /// let emu = iam_harness::Emulator::start();
    /// let root = emu.client(&emu.root_credentials());
    /// let alice = root.create_user_with_keys("alice");
    /// let sim = emu.simulate(&alice, "iam:ListUsers", "*");
    /// assert!(!sim.is_allowed());
    /// assert_eq!(sim.decision, "implicitDeny");
    /// assert_eq!(
    ///     sim.message().unwrap(),
    ///     "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:ListUsers \
    ///      because no identity-based policy allows the iam:ListUsers action"
    /// );
    /// ```
    pub fn simulate(&self, credentials: &Credentials, action: &str, resource: &str) -> Simulation {
        let identity = self
            .client(credentials)
            .query("sts", &[("Action", "GetCallerIdentity")]);
        assert!(
            identity.is_ok(),
            "GetCallerIdentity for {} failed: {}",
            credentials.access_key_id,
            identity.body
        );
        let caller = identity.text("Arn").unwrap_or_default();
        let account = identity.text("Account").unwrap_or_default();
        let (principal, principal_arn) = principal_of(&caller, &account);
        let root_credentials = self.root_credentials_of(&account).unwrap_or_else(|| {
            panic!("no root keys of account {account} are known to the harness; cannot simulate {caller}")
        });
        let root = self.client(&root_credentials);
        let mut notes = Vec::new();
        if matches!(principal, Principal::Role { .. }) {
            notes.push(
                "the session's own session policies and tags (SimulatePrincipalPolicy simulates the role)"
                    .to_string(),
            );
        }
        let resource_policy = bucket_policy(&root, resource);
        let resource_policy = match (&principal, resource_policy) {
            (Principal::User { .. }, policy) => policy,
            (Principal::Role { .. }, Some(_)) => {
                notes.push(
                    "the bucket policy (a resource policy needs an IAM user as the simulated caller)".into(),
                );
                None
            }
            (Principal::Role { .. }, None) => None,
        };
        let user_id = identity.text("UserId").unwrap_or_default();
        let context = request_context(&root, &principal, &principal_arn, &account, &user_id);
        let context_params = context_params(&context);
        let mut params = vec![
            ("Action", "SimulatePrincipalPolicy"),
            ("PolicySourceArn", principal_arn.as_str()),
            ("ActionNames.member.1", action),
            ("ResourceArns.member.1", resource),
        ];
        if let Some(policy) = &resource_policy {
            params.push(("ResourcePolicy", policy.as_str()));
        }
        params.extend(context_params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let reply = root.query("iam", &params);
        assert!(
            reply.is_ok(),
            "SimulatePrincipalPolicy for {principal_arn} failed: {}",
            reply.body
        );
        let boundary_arn = boundary_of(&root, &principal);
        let mut simulation = parse_simulation(&reply);
        simulation.caller = caller;
        simulation.principal = principal_arn;
        simulation.action = action.to_string();
        simulation.resource = resource.to_string();
        simulation.resource_policy = resource_policy;
        simulation.notes = notes;
        simulation.boundary_name = boundary_arn.as_deref().map(|a| last_segment(a).to_string());
        for m in &mut simulation.matched {
            m.text = statement_text(
                &root,
                &principal,
                boundary_arn.as_deref(),
                simulation.resource_policy.as_deref(),
                m,
            );
        }
        simulation
    }

    /// Panics unless the emulator's policy simulator allows the principal
    /// behind `credentials` to do `action` on `resource`; the panic message
    /// is the [`Simulation`]'s explanation (decision, the AWS-style denial
    /// message, matched statements). See [`Emulator::simulate`] for what is
    /// simulated.
    ///
    /// ```
    /// let emu = iam_harness::Emulator::start();
    /// let fx = emu
    ///     .apply_fixtures(&iam_harness::Fixtures::from_json(r#"{
    ///         "users": [{"name": "alice", "policies": {"read": {"Version": "2012-10-17",
    ///             "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}}]
    ///     }"#).unwrap())
    ///     .unwrap();
    /// let alice = fx.credentials("alice");
    /// emu.assert_allowed(&alice, "s3:GetObject", "arn:aws:s3:::b/k");
    /// emu.assert_denied(&alice, "s3:PutObject", "arn:aws:s3:::b/k");
    /// ```
    #[track_caller]
    pub fn assert_allowed(&self, credentials: &Credentials, action: &str, resource: &str) -> Simulation {
        let simulation = self.simulate(credentials, action, resource);
        assert!(
            simulation.is_allowed(),
            "expected {} to be allowed {action} on {resource}, but the emulator decided {}\n{simulation}",
            simulation.caller,
            simulation.decision
        );
        simulation
    }

    /// Panics unless the emulator's policy simulator denies (explicitly or
    /// implicitly) the principal behind `credentials` `action` on
    /// `resource`; the panic message names the statements that allowed it.
    #[track_caller]
    pub fn assert_denied(&self, credentials: &Credentials, action: &str, resource: &str) -> Simulation {
        let simulation = self.simulate(credentials, action, resource);
        assert!(
            !simulation.is_allowed(),
            "expected {} to be denied {action} on {resource}, but the emulator decided {}\n{simulation}",
            simulation.caller,
            simulation.decision
        );
        simulation
    }
}

/// The principal to simulate for a caller ARN, and its IAM ARN.
fn principal_of(caller: &str, account: &str) -> (Principal, String) {
    let resource = caller.splitn(6, ':').nth(5).unwrap_or_default();
    if caller.starts_with("arn:aws:iam::") {
        if let Some(path_and_name) = resource.strip_prefix("user/") {
            let name = last_segment(path_and_name).to_string();
            return (Principal::User { name }, caller.to_string());
        }
    }
    if caller.starts_with("arn:aws:sts::") {
        if let Some(rest) = resource.strip_prefix("assumed-role/") {
            let role = rest.split('/').next().unwrap_or_default().to_string();
            let arn = format!("arn:aws:iam::{account}:role/{role}");
            return (Principal::Role { name: role }, arn);
        }
    }
    assert!(
        resource != "root",
        "{caller} is the root user, which SimulatePrincipalPolicy cannot simulate \
         (root may do anything in its own account but what an SCP or a bucket policy's Deny forbids)"
    );
    panic!("cannot simulate {caller}: only IAM users and assumed-role sessions can be simulated")
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The policy of the bucket in an S3 ARN, when it has one that root can read.
fn bucket_policy(root: &Client, resource: &str) -> Option<String> {
    let rest = resource.strip_prefix("arn:aws:s3:::")?;
    let bucket = rest.split('/').next().filter(|b| !b.is_empty())?;
    let reply = root.s3("GET", &format!("/{bucket}"), &[("policy", "")], &[], b"");
    reply.is_ok().then_some(reply.body)
}

/// The global condition keys a request of the harness's client carries
/// (as `ContextEntries`: name, type, value): who the principal is, its
/// tags, and that it comes over plain HTTP from 127.0.0.1 in us-east-1 now.
fn request_context(
    root: &Client,
    principal: &Principal,
    principal_arn: &str,
    account: &str,
    user_id: &str,
) -> Vec<(String, &'static str, String)> {
    let now = iam_emulator::ids::now();
    let mut context = vec![
        (
            "aws:PrincipalArn".to_string(),
            "string",
            principal_arn.to_string(),
        ),
        ("aws:PrincipalAccount".into(), "string", account.to_string()),
        ("aws:userid".into(), "string", user_id.to_string()),
        ("aws:SecureTransport".into(), "boolean", "false".into()),
        ("aws:SourceIp".into(), "ip", "127.0.0.1".into()),
        ("aws:RequestedRegion".into(), "string", "us-east-1".into()),
        ("aws:CurrentTime".into(), "date", iam_emulator::ids::iso8601(now)),
        (
            "aws:EpochTime".into(),
            "numeric",
            now.unix_timestamp().to_string(),
        ),
    ];
    let tags = match principal {
        Principal::User { name } => {
            context.push(("aws:PrincipalType".into(), "string", "User".into()));
            context.push(("aws:username".into(), "string", name.clone()));
            root.query("iam", &[("Action", "ListUserTags"), ("UserName", name)])
        }
        Principal::Role { name } => {
            context.push(("aws:PrincipalType".into(), "string", "AssumedRole".into()));
            root.query("iam", &[("Action", "ListRoleTags"), ("RoleName", name)])
        }
    };
    if tags.is_ok() {
        for (key, value) in tags.texts("Key").into_iter().zip(tags.texts("Value")) {
            context.push((format!("aws:PrincipalTag/{key}"), "string", value));
        }
    }
    context
}

/// `ContextEntries.member.N.*` parameters.
fn context_params(context: &[(String, &'static str, String)]) -> Vec<(String, String)> {
    context
        .iter()
        .enumerate()
        .flat_map(|(i, (name, kind, value))| {
            let prefix = format!("ContextEntries.member.{}", i + 1);
            [
                (format!("{prefix}.ContextKeyName"), name.clone()),
                (format!("{prefix}.ContextKeyType"), (*kind).to_string()),
                (format!("{prefix}.ContextKeyValues.member.1"), value.clone()),
            ]
        })
        .collect()
}

/// The principal's permissions boundary ARN, if any.
fn boundary_of(root: &Client, principal: &Principal) -> Option<String> {
    let reply = match principal {
        Principal::User { name } => root.query("iam", &[("Action", "GetUser"), ("UserName", name)]),
        Principal::Role { name } => root.query("iam", &[("Action", "GetRole"), ("RoleName", name)]),
    };
    reply
        .is_ok()
        .then(|| reply.text("PermissionsBoundaryArn"))
        .flatten()
}

/// The inner text of every `<name>…</name>` in `xml` (not nested in itself).
fn sections<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let inner = &rest[start + open.len()..];
        let Some(end) = inner.find(&close) else { break };
        out.push(&inner[..end]);
        rest = &inner[end + close.len()..];
    }
    out
}

fn fragment(xml: &str) -> Reply {
    Reply {
        status: 200,
        body: format!("<r>{xml}</r>"),
        bytes: Vec::new(),
        headers: Vec::new(),
    }
}

fn position(member: &Reply, name: &str) -> Option<(usize, usize)> {
    let section = sections(&member.body, name).into_iter().next()?;
    let section = fragment(section);
    Some((
        section.text("Line")?.parse().ok()?,
        section.text("Column")?.parse().ok()?,
    ))
}

/// The first `EvaluationResults` member of a SimulatePrincipalPolicy reply.
fn parse_simulation(reply: &Reply) -> Simulation {
    let matched = sections(&reply.body, "MatchedStatements")
        .into_iter()
        .next()
        .map(|s| {
            sections(s, "member")
                .into_iter()
                .map(|m| {
                    let member = fragment(m);
                    MatchedStatement {
                        source_policy_id: member.text("SourcePolicyId").unwrap_or_default(),
                        source_policy_type: member.text("SourcePolicyType").unwrap_or_default(),
                        start: position(&member, "StartPosition"),
                        end: position(&member, "EndPosition"),
                        text: None,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let mut missing_context: Vec<String> = Vec::new();
    for section in sections(&reply.body, "MissingContextValues") {
        for key in fragment(section).texts("member") {
            if !missing_context.contains(&key) {
                missing_context.push(key);
            }
        }
    }
    Simulation {
        caller: String::new(),
        principal: String::new(),
        action: String::new(),
        resource: String::new(),
        decision: reply.text("EvalDecision").unwrap_or_default(),
        matched,
        missing_context,
        allowed_by_boundary: reply.text("AllowedByPermissionsBoundary").map(|v| v == "true"),
        resource_policy: None,
        notes: Vec::new(),
        boundary_name: None,
    }
}

/// The text of a matched statement, read from its policy (best effort).
fn statement_text(
    root: &Client,
    principal: &Principal,
    boundary_arn: Option<&str>,
    resource_policy: Option<&str>,
    m: &MatchedStatement,
) -> Option<String> {
    let document = policy_document(root, principal, boundary_arn, resource_policy, m)?;
    let (start, end) = (m.start?, m.end?);
    let offset = |(line, column): (usize, usize)| -> Option<usize> {
        let line_start: usize = document
            .split('\n')
            .take(line - 1)
            .map(|l| l.chars().count() + 1)
            .sum();
        Some(line_start + column.checked_sub(1)?)
    };
    let (from, to) = (offset(start)?, offset(end)?);
    let text: String = document.chars().skip(from).take(to.checked_sub(from)?).collect();
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn policy_document(
    root: &Client,
    principal: &Principal,
    boundary_arn: Option<&str>,
    resource_policy: Option<&str>,
    m: &MatchedStatement,
) -> Option<String> {
    let id = m.source_policy_id.as_str();
    let inline = |params: &[(&str, &str)]| {
        let reply = root.query("iam", params);
        reply
            .is_ok()
            .then(|| reply.text("PolicyDocument").map(|d| url_decode(&d)))
            .flatten()
    };
    match (m.source_policy_type.as_str(), principal) {
        ("Resource Policy", _) => resource_policy.map(str::to_string),
        ("user", Principal::User { name }) => inline(&[
            ("Action", "GetUserPolicy"),
            ("UserName", name),
            ("PolicyName", id),
        ]),
        ("role", Principal::Role { name }) => inline(&[
            ("Action", "GetRolePolicy"),
            ("RoleName", name),
            ("PolicyName", id),
        ]),
        ("group", Principal::User { name }) => groups_of(root, name).iter().find_map(|group| {
            inline(&[
                ("Action", "GetGroupPolicy"),
                ("GroupName", group),
                ("PolicyName", id),
            ])
        }),
        ("user-managed" | "aws-managed", _) => {
            let arn = boundary_arn
                .filter(|b| last_segment(b) == id)
                .map(str::to_string)
                .or_else(|| attached_arn(root, principal, id))?;
            managed_document(root, &arn)
        }
        _ => None,
    }
}

fn groups_of(root: &Client, user: &str) -> Vec<String> {
    let reply = root.query("iam", &[("Action", "ListGroupsForUser"), ("UserName", user)]);
    if reply.is_ok() {
        reply.texts("GroupName")
    } else {
        Vec::new()
    }
}

/// The ARN of the managed policy named `name` attached to the principal
/// (or, for a user, to one of its groups).
fn attached_arn(root: &Client, principal: &Principal, name: &str) -> Option<String> {
    let mut lists = Vec::new();
    match principal {
        Principal::User { name: user } => {
            lists.push(("ListAttachedUserPolicies", "UserName", user.clone()));
            for group in groups_of(root, user) {
                lists.push(("ListAttachedGroupPolicies", "GroupName", group));
            }
        }
        Principal::Role { name: role } => {
            lists.push(("ListAttachedRolePolicies", "RoleName", role.clone()));
        }
    }
    lists.into_iter().find_map(|(action, field, entity)| {
        let reply = root.query("iam", &[("Action", action), (field, &entity)]);
        reply
            .texts("PolicyName")
            .into_iter()
            .zip(reply.texts("PolicyArn"))
            .find(|(n, _)| n == name)
            .map(|(_, arn)| arn)
    })
}

fn managed_document(root: &Client, arn: &str) -> Option<String> {
    let policy = root.query("iam", &[("Action", "GetPolicy"), ("PolicyArn", arn)]);
    let version = policy.text("DefaultVersionId")?;
    let reply = root.query(
        "iam",
        &[
            ("Action", "GetPolicyVersion"),
            ("PolicyArn", arn),
            ("VersionId", &version),
        ],
    );
    reply.text("Document").map(|d| url_decode(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_positions() {
        let xml = "<a><MatchedStatements><member><SourcePolicyId>p</SourcePolicyId><StartPosition><Line>1</Line><Column>41</Column></StartPosition></member></MatchedStatements><MatchedStatements></MatchedStatements></a>";
        let found = sections(xml, "MatchedStatements");
        assert_eq!(found.len(), 2);
        let members = sections(found[0], "member");
        assert_eq!(members.len(), 1);
        let member = fragment(members[0]);
        assert_eq!(member.text("SourcePolicyId").as_deref(), Some("p"));
        assert_eq!(position(&member, "StartPosition"), Some((1, 41)));
        assert_eq!(position(&member, "EndPosition"), None);
    }

    #[test]
    fn principals_of_callers() {
        let (p, arn) = principal_of("arn:aws:iam::123456789012:user/team/alice", "123456789012");
        assert!(matches!(p, Principal::User { name } if name == "alice"));
        assert_eq!(arn, "arn:aws:iam::123456789012:user/team/alice");
        let (p, arn) = principal_of(
            "arn:aws:sts::123456789012:assumed-role/deployer/ci",
            "123456789012",
        );
        assert!(matches!(p, Principal::Role { name } if name == "deployer"));
        assert_eq!(arn, "arn:aws:iam::123456789012:role/deployer");
    }

    #[test]
    #[should_panic(expected = "root user")]
    fn root_cannot_be_simulated() {
        let _ = principal_of("arn:aws:iam::123456789012:root", "123456789012");
    }
}

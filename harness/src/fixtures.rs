//! Fixtures: the IAM entities and S3 buckets a test starts from, declared
//! in a small JSON document or with builders, and created in one call
//! through the emulator's real API (signed calls as root).
//!
//! ```
//! use iam_harness::{Emulator, Fixtures};
//!
//! let emu = Emulator::start();
//! let fixtures = Fixtures::from_json(r#"{
//!   "policies": [{"name": "read-reports", "document": {"Version": "2012-10-17",
//!       "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}}],
//!   "groups": [{"name": "analysts", "managed_policies": ["read-reports"]}],
//!   "users": [{"name": "alice", "groups": ["analysts"], "tags": {"team": "data"}},
//!             {"name": "bob", "access_key": false}],
//!   "roles": [{"name": "auditor",
//!              "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!                  "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "sts:AssumeRole"}]},
//!              "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}],
//!   "buckets": [{"name": "reports", "objects": {"2024/q1.csv": "a,b\n1,2\n"}}]
//! }"#)?;
//! let fx = emu.apply_fixtures(&fixtures)?;
//! let alice = fx.credentials("alice");
//! let got = emu.client(&alice).get_object("reports", "2024/q1.csv");
//! assert_eq!(got.bytes, b"a,b\n1,2\n");
//! assert!(fx.try_credentials("bob").is_none());
//! assert_eq!(fx.role_arn("auditor"), "arn:aws:iam::123456789012:role/auditor");
//! # Ok::<(), iam_harness::FixtureError>(())
//! ```
//!
//! The same through the builders:
//!
//! ```
//! use iam_harness::fixtures::{Bucket, Fixtures, User};
//!
//! let emu = iam_harness::Emulator::start();
//! let fx = emu.apply_fixtures(
//!     &Fixtures::new()
//!         .user(User::new("alice").inline_policy(
//!             "read",
//!             r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
//!         ))
//!         .bucket(Bucket::new("docs").object("k", "hello")),
//! )?;
//! emu.assert_allowed(&fx.credentials("alice"), "s3:GetObject", "arn:aws:s3:::docs/k");
//! # Ok::<(), iam_harness::FixtureError>(())
//! ```

use crate::client::{Client, Credentials};
use crate::reply::Reply;
use crate::Emulator;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;

/// A policy document: JSON text. In a fixture document it may be written
/// as a JSON object or as a string holding one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument(pub String);

impl<'de> Deserialize<'de> for PolicyDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(text) => PolicyDocument(text),
            value => PolicyDocument(value.to_string()),
        })
    }
}

impl From<&str> for PolicyDocument {
    fn from(text: &str) -> Self {
        PolicyDocument(text.to_string())
    }
}

impl From<String> for PolicyDocument {
    fn from(text: String) -> Self {
        PolicyDocument(text)
    }
}

impl From<serde_json::Value> for PolicyDocument {
    fn from(value: serde_json::Value) -> Self {
        PolicyDocument(value.to_string())
    }
}

/// Everything to create, in this order: managed policies, groups, users,
/// roles, buckets (so a user can join a group and attach a policy of the
/// same document, a trust policy can name a user, a bucket policy a role).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub buckets: Vec<Bucket>,
}

/// A customer managed policy (CreatePolicy).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    pub name: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub document: PolicyDocument,
}

/// An IAM group with its inline policies and attached managed policies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    #[serde(default)]
    pub path: Option<String>,
    /// Inline policies by name.
    #[serde(default)]
    pub policies: BTreeMap<String, PolicyDocument>,
    /// Managed policies to attach: ARNs, or names of customer managed
    /// policies of the account (created by these fixtures or before).
    #[serde(default)]
    pub managed_policies: Vec<String>,
}

/// An IAM user: inline and managed policies, groups, tags, a permissions
/// boundary and (unless `access_key` is false) one access key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    #[serde(default)]
    pub path: Option<String>,
    /// Inline policies by name.
    #[serde(default)]
    pub policies: BTreeMap<String, PolicyDocument>,
    /// Managed policies to attach (ARNs or customer managed policy names).
    #[serde(default)]
    pub managed_policies: Vec<String>,
    /// Groups to join.
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// A managed policy (ARN or name) as the permissions boundary.
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    /// Whether to create an access key (default true); see [`Applied::credentials`].
    #[serde(default = "yes")]
    pub access_key: bool,
}

fn yes() -> bool {
    true
}

/// An IAM role: trust policy, inline and managed policies, tags.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub name: String,
    #[serde(default)]
    pub path: Option<String>,
    /// The trust policy (`AssumeRolePolicyDocument`).
    pub trust_policy: PolicyDocument,
    #[serde(default)]
    pub description: Option<String>,
    /// Seconds, 3600 to 43200.
    #[serde(default)]
    pub max_session_duration: Option<u32>,
    #[serde(default)]
    pub policies: BTreeMap<String, PolicyDocument>,
    #[serde(default)]
    pub managed_policies: Vec<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub permissions_boundary: Option<String>,
}

/// An S3 bucket: Block Public Access settings, a bucket policy, objects.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    /// Block Public Access: absent or `true` keeps a new bucket's default
    /// (every setting on), `false` removes it (DeletePublicAccessBlock), an
    /// object sets each flag (missing flags are false, as in
    /// PutPublicAccessBlock).
    #[serde(default)]
    pub public_access_block: Option<PublicAccessBlock>,
    #[serde(default)]
    pub policy: Option<PolicyDocument>,
    /// Objects by key, their bodies as text.
    #[serde(default)]
    pub objects: BTreeMap<String, String>,
}

/// A bucket's Block Public Access settings in a fixture.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum PublicAccessBlock {
    /// `true`: every setting on (the default); `false`: none.
    All(bool),
    Settings(PublicAccessBlockSettings),
}

/// The four flags of PutPublicAccessBlock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlockSettings {
    #[serde(default)]
    pub block_public_acls: bool,
    #[serde(default)]
    pub ignore_public_acls: bool,
    #[serde(default)]
    pub block_public_policy: bool,
    #[serde(default)]
    pub restrict_public_buckets: bool,
}

// ---- builders ----

impl Fixtures {
    /// No fixtures; add them with the methods below.
    pub fn new() -> Self {
        Fixtures::default()
    }

    /// Reads a fixture document (see the [module docs](self)); unknown
    /// fields are refused, so a typo cannot go unnoticed.
    pub fn from_json(text: &str) -> Result<Fixtures, FixtureError> {
        serde_json::from_str(text).map_err(|e| FixtureError {
            entity: "fixture document".into(),
            operation: "parse".into(),
            status: 0,
            code: "InvalidFixture".into(),
            message: e.to_string(),
        })
    }

    #[must_use]
    pub fn policy(mut self, policy: ManagedPolicy) -> Self {
        self.policies.push(policy);
        self
    }

    #[must_use]
    pub fn group(mut self, group: Group) -> Self {
        self.groups.push(group);
        self
    }

    #[must_use]
    pub fn user(mut self, user: User) -> Self {
        self.users.push(user);
        self
    }

    #[must_use]
    pub fn role(mut self, role: Role) -> Self {
        self.roles.push(role);
        self
    }

    #[must_use]
    pub fn bucket(mut self, bucket: Bucket) -> Self {
        self.buckets.push(bucket);
        self
    }
}

impl ManagedPolicy {
    pub fn new(name: &str, document: impl Into<PolicyDocument>) -> Self {
        ManagedPolicy {
            name: name.into(),
            path: None,
            description: None,
            document: document.into(),
        }
    }

    #[must_use]
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.into());
        self
    }
}

impl Group {
    pub fn new(name: &str) -> Self {
        Group {
            name: name.into(),
            path: None,
            policies: BTreeMap::new(),
            managed_policies: Vec::new(),
        }
    }

    #[must_use]
    pub fn inline_policy(mut self, name: &str, document: impl Into<PolicyDocument>) -> Self {
        self.policies.insert(name.into(), document.into());
        self
    }

    /// Attaches a managed policy (ARN or customer managed policy name).
    #[must_use]
    pub fn attach(mut self, policy: &str) -> Self {
        self.managed_policies.push(policy.into());
        self
    }
}

impl User {
    /// A user with one access key and nothing else.
    pub fn new(name: &str) -> Self {
        User {
            name: name.into(),
            path: None,
            policies: BTreeMap::new(),
            managed_policies: Vec::new(),
            groups: Vec::new(),
            tags: BTreeMap::new(),
            permissions_boundary: None,
            access_key: true,
        }
    }

    #[must_use]
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.into());
        self
    }

    #[must_use]
    pub fn inline_policy(mut self, name: &str, document: impl Into<PolicyDocument>) -> Self {
        self.policies.insert(name.into(), document.into());
        self
    }

    /// Attaches a managed policy (ARN or customer managed policy name).
    #[must_use]
    pub fn attach(mut self, policy: &str) -> Self {
        self.managed_policies.push(policy.into());
        self
    }

    #[must_use]
    pub fn group(mut self, group: &str) -> Self {
        self.groups.push(group.into());
        self
    }

    #[must_use]
    pub fn tag(mut self, key: &str, value: &str) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// The permissions boundary (ARN or customer managed policy name).
    #[must_use]
    pub fn boundary(mut self, policy: &str) -> Self {
        self.permissions_boundary = Some(policy.into());
        self
    }

    /// Whether to create an access key (default true).
    #[must_use]
    pub fn access_key(mut self, create: bool) -> Self {
        self.access_key = create;
        self
    }
}

impl Role {
    pub fn new(name: &str, trust_policy: impl Into<PolicyDocument>) -> Self {
        Role {
            name: name.into(),
            path: None,
            trust_policy: trust_policy.into(),
            description: None,
            max_session_duration: None,
            policies: BTreeMap::new(),
            managed_policies: Vec::new(),
            tags: BTreeMap::new(),
            permissions_boundary: None,
        }
    }

    #[must_use]
    pub fn inline_policy(mut self, name: &str, document: impl Into<PolicyDocument>) -> Self {
        self.policies.insert(name.into(), document.into());
        self
    }

    #[must_use]
    pub fn attach(mut self, policy: &str) -> Self {
        self.managed_policies.push(policy.into());
        self
    }

    #[must_use]
    pub fn tag(mut self, key: &str, value: &str) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    #[must_use]
    pub fn boundary(mut self, policy: &str) -> Self {
        self.permissions_boundary = Some(policy.into());
        self
    }
}

impl Bucket {
    pub fn new(name: &str) -> Self {
        Bucket {
            name: name.into(),
            public_access_block: None,
            policy: None,
            objects: BTreeMap::new(),
        }
    }

    #[must_use]
    pub fn policy(mut self, document: impl Into<PolicyDocument>) -> Self {
        self.policy = Some(document.into());
        self
    }

    /// Block Public Access on (`true`, the default) or removed (`false`).
    #[must_use]
    pub fn block_public_access(mut self, on: bool) -> Self {
        self.public_access_block = Some(PublicAccessBlock::All(on));
        self
    }

    #[must_use]
    pub fn object(mut self, key: &str, body: &str) -> Self {
        self.objects.insert(key.into(), body.into());
        self
    }
}

// ---- results ----

/// Why fixtures could not be read or applied: the entity (`user "alice"`),
/// the call that failed, and the emulator's error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureError {
    /// `user "alice"`, `bucket "b"`, … or `fixture document`.
    pub entity: String,
    /// The API call (`PutUserPolicy read`), or `parse`.
    pub operation: String,
    /// The HTTP status (0 for a document that does not parse).
    pub status: u16,
    /// The emulator's error code (`MalformedPolicyDocument`, …), or
    /// `InvalidFixture` for a document that does not parse.
    pub code: String,
    pub message: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fixture {}: {} failed: {}: {}",
            self.entity, self.operation, self.code, self.message
        )
    }
}

impl std::error::Error for FixtureError {}

/// What [`Emulator::apply_fixtures`] created: access keys by user name,
/// and the ARNs of users, roles and managed policies.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    credentials: BTreeMap<String, Credentials>,
    user_arns: BTreeMap<String, String>,
    role_arns: BTreeMap<String, String>,
    policy_arns: BTreeMap<String, String>,
}

impl Applied {
    /// The access key created for `user`; panics when there is none.
    #[track_caller]
    pub fn credentials(&self, user: &str) -> Credentials {
        self.try_credentials(user).cloned().unwrap_or_else(|| {
            panic!(
                "no fixture access key for user {user:?} (users with keys: {:?})",
                self.credentials.keys().collect::<Vec<_>>()
            )
        })
    }

    /// The access key created for `user`, if any.
    pub fn try_credentials(&self, user: &str) -> Option<&Credentials> {
        self.credentials.get(user)
    }

    /// The ARN of a user the fixtures created; panics for another name.
    #[track_caller]
    pub fn user_arn(&self, user: &str) -> String {
        lookup(&self.user_arns, "user", user)
    }

    /// The ARN of a role the fixtures created; panics for another name.
    #[track_caller]
    pub fn role_arn(&self, role: &str) -> String {
        lookup(&self.role_arns, "role", role)
    }

    /// The ARN of a managed policy the fixtures created; panics for another name.
    #[track_caller]
    pub fn policy_arn(&self, policy: &str) -> String {
        lookup(&self.policy_arns, "managed policy", policy)
    }
}

#[track_caller]
fn lookup(map: &BTreeMap<String, String>, kind: &str, name: &str) -> String {
    map.get(name)
        .cloned()
        .unwrap_or_else(|| panic!("no fixture {kind} {name:?}"))
}

// ---- applying ----

impl Emulator {
    /// Creates `fixtures` in the default account, as its root user, through
    /// the emulator's API; stops at the first failure and reports it.
    pub fn apply_fixtures(&self, fixtures: &Fixtures) -> Result<Applied, FixtureError> {
        self.apply_fixtures_as(&self.root_credentials(), fixtures)
    }

    /// [`Emulator::apply_fixtures`] acting as `credentials` (another
    /// account's root, or any principal allowed to do it).
    pub fn apply_fixtures_as(
        &self,
        credentials: &Credentials,
        fixtures: &Fixtures,
    ) -> Result<Applied, FixtureError> {
        let mut run = Run {
            client: self.client(credentials),
            account: String::new(),
            applied: Applied::default(),
        };
        let identity = run.call(
            "caller",
            "GetCallerIdentity",
            "sts",
            &[("Action", "GetCallerIdentity")],
        )?;
        run.account = identity.text("Account").unwrap_or_default();
        for policy in &fixtures.policies {
            run.policy(policy)?;
        }
        for group in &fixtures.groups {
            run.group(group)?;
        }
        for user in &fixtures.users {
            run.user(user)?;
        }
        for role in &fixtures.roles {
            run.role(role)?;
        }
        for bucket in &fixtures.buckets {
            run.bucket(bucket)?;
        }
        Ok(run.applied)
    }
}

struct Run {
    client: Client,
    account: String,
    applied: Applied,
}

/// `Tags.member.N.Key` / `.Value` parameters.
fn tag_params(tags: &BTreeMap<String, String>) -> Vec<(String, String)> {
    tags.iter()
        .enumerate()
        .flat_map(|(i, (k, v))| {
            [
                (format!("Tags.member.{}.Key", i + 1), k.clone()),
                (format!("Tags.member.{}.Value", i + 1), v.clone()),
            ]
        })
        .collect()
}

impl Run {
    fn error(entity: &str, operation: &str, reply: &Reply) -> FixtureError {
        FixtureError {
            entity: entity.to_string(),
            operation: operation.to_string(),
            status: reply.status,
            code: reply
                .error_code()
                .unwrap_or_else(|| format!("HTTP {}", reply.status)),
            message: reply.error_message().unwrap_or_else(|| reply.body.clone()),
        }
    }

    fn call(
        &self,
        entity: &str,
        operation: &str,
        service: &str,
        params: &[(&str, &str)],
    ) -> Result<Reply, FixtureError> {
        let reply = self.client.query(service, params);
        if reply.is_ok() {
            Ok(reply)
        } else {
            Err(Self::error(entity, operation, &reply))
        }
    }

    fn s3(
        &self,
        entity: &str,
        operation: &str,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Reply, FixtureError> {
        let reply = self.client.s3(method, path, query, &[], body);
        if reply.is_ok() {
            Ok(reply)
        } else {
            Err(Self::error(entity, operation, &reply))
        }
    }

    /// A managed policy's ARN: as given, one these fixtures created, or a
    /// customer managed policy of the account.
    fn policy_arn(&self, policy: &str) -> String {
        if policy.starts_with("arn:") {
            return policy.to_string();
        }
        self.applied
            .policy_arns
            .get(policy)
            .cloned()
            .unwrap_or_else(|| format!("arn:aws:iam::{}:policy/{policy}", self.account))
    }

    fn policy(&mut self, policy: &ManagedPolicy) -> Result<(), FixtureError> {
        let entity = format!("managed policy {:?}", policy.name);
        let mut params = vec![
            ("Action", "CreatePolicy"),
            ("PolicyName", policy.name.as_str()),
            ("PolicyDocument", policy.document.0.as_str()),
        ];
        if let Some(path) = &policy.path {
            params.push(("Path", path));
        }
        if let Some(description) = &policy.description {
            params.push(("Description", description));
        }
        let reply = self.call(&entity, "CreatePolicy", "iam", &params)?;
        let arn = reply.text("Arn").unwrap_or_else(|| self.policy_arn(&policy.name));
        self.applied.policy_arns.insert(policy.name.clone(), arn);
        Ok(())
    }

    /// PutXPolicy for each inline policy, AttachXPolicy for each managed one.
    fn policies(
        &self,
        entity: &str,
        kind: &str,
        name: &str,
        inline: &BTreeMap<String, PolicyDocument>,
        managed: &[String],
    ) -> Result<(), FixtureError> {
        let name_field = format!("{kind}Name");
        for (policy_name, document) in inline {
            let action = format!("Put{kind}Policy");
            self.call(
                entity,
                &format!("{action} {policy_name}"),
                "iam",
                &[
                    ("Action", &action),
                    (&name_field, name),
                    ("PolicyName", policy_name),
                    ("PolicyDocument", &document.0),
                ],
            )?;
        }
        for policy in managed {
            let action = format!("Attach{kind}Policy");
            let arn = self.policy_arn(policy);
            self.call(
                entity,
                &format!("{action} {arn}"),
                "iam",
                &[("Action", &action), (&name_field, name), ("PolicyArn", &arn)],
            )?;
        }
        Ok(())
    }

    fn group(&mut self, group: &Group) -> Result<(), FixtureError> {
        let entity = format!("group {:?}", group.name);
        let mut params = vec![("Action", "CreateGroup"), ("GroupName", group.name.as_str())];
        if let Some(path) = &group.path {
            params.push(("Path", path));
        }
        self.call(&entity, "CreateGroup", "iam", &params)?;
        self.policies(
            &entity,
            "Group",
            &group.name,
            &group.policies,
            &group.managed_policies,
        )
    }

    fn user(&mut self, user: &User) -> Result<(), FixtureError> {
        let entity = format!("user {:?}", user.name);
        let tags = tag_params(&user.tags);
        let boundary = user.permissions_boundary.as_deref().map(|b| self.policy_arn(b));
        let mut params = vec![("Action", "CreateUser"), ("UserName", user.name.as_str())];
        if let Some(path) = &user.path {
            params.push(("Path", path));
        }
        if let Some(boundary) = &boundary {
            params.push(("PermissionsBoundary", boundary));
        }
        params.extend(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let reply = self.call(&entity, "CreateUser", "iam", &params)?;
        let arn = reply.text("Arn").unwrap_or_default();
        self.applied.user_arns.insert(user.name.clone(), arn);
        self.policies(
            &entity,
            "User",
            &user.name,
            &user.policies,
            &user.managed_policies,
        )?;
        for group in &user.groups {
            self.call(
                &entity,
                &format!("AddUserToGroup {group}"),
                "iam",
                &[
                    ("Action", "AddUserToGroup"),
                    ("UserName", &user.name),
                    ("GroupName", group),
                ],
            )?;
        }
        if user.access_key {
            let reply = self.call(
                &entity,
                "CreateAccessKey",
                "iam",
                &[("Action", "CreateAccessKey"), ("UserName", &user.name)],
            )?;
            let credentials = reply
                .credentials()
                .ok_or_else(|| Self::error(&entity, "CreateAccessKey", &reply))?;
            self.applied.credentials.insert(user.name.clone(), credentials);
        }
        Ok(())
    }

    fn role(&mut self, role: &Role) -> Result<(), FixtureError> {
        let entity = format!("role {:?}", role.name);
        let tags = tag_params(&role.tags);
        let boundary = role.permissions_boundary.as_deref().map(|b| self.policy_arn(b));
        let max_session = role.max_session_duration.map(|s| s.to_string());
        let mut params = vec![
            ("Action", "CreateRole"),
            ("RoleName", role.name.as_str()),
            ("AssumeRolePolicyDocument", role.trust_policy.0.as_str()),
        ];
        if let Some(path) = &role.path {
            params.push(("Path", path));
        }
        if let Some(description) = &role.description {
            params.push(("Description", description));
        }
        if let Some(seconds) = &max_session {
            params.push(("MaxSessionDuration", seconds));
        }
        if let Some(boundary) = &boundary {
            params.push(("PermissionsBoundary", boundary));
        }
        params.extend(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let reply = self.call(&entity, "CreateRole", "iam", &params)?;
        let arn = reply.text("Arn").unwrap_or_default();
        self.applied.role_arns.insert(role.name.clone(), arn);
        self.policies(
            &entity,
            "Role",
            &role.name,
            &role.policies,
            &role.managed_policies,
        )
    }

    fn bucket(&mut self, bucket: &Bucket) -> Result<(), FixtureError> {
        let entity = format!("bucket {:?}", bucket.name);
        let path = format!("/{}", bucket.name);
        self.s3(&entity, "CreateBucket", "PUT", &path, &[], b"")?;
        match &bucket.public_access_block {
            None | Some(PublicAccessBlock::All(true)) => {}
            Some(PublicAccessBlock::All(false)) => {
                self.s3(
                    &entity,
                    "DeletePublicAccessBlock",
                    "DELETE",
                    &path,
                    &[("publicAccessBlock", "")],
                    b"",
                )?;
            }
            Some(PublicAccessBlock::Settings(s)) => {
                let body = format!(
                    "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                     <BlockPublicAcls>{}</BlockPublicAcls><IgnorePublicAcls>{}</IgnorePublicAcls>\
                     <BlockPublicPolicy>{}</BlockPublicPolicy><RestrictPublicBuckets>{}</RestrictPublicBuckets>\
                     </PublicAccessBlockConfiguration>",
                    s.block_public_acls, s.ignore_public_acls, s.block_public_policy, s.restrict_public_buckets
                );
                self.s3(
                    &entity,
                    "PutPublicAccessBlock",
                    "PUT",
                    &path,
                    &[("publicAccessBlock", "")],
                    body.as_bytes(),
                )?;
            }
        }
        if let Some(policy) = &bucket.policy {
            self.s3(
                &entity,
                "PutBucketPolicy",
                "PUT",
                &path,
                &[("policy", "")],
                policy.0.as_bytes(),
            )?;
        }
        for (key, body) in &bucket.objects {
            self.s3(
                &entity,
                &format!("PutObject {key}"),
                "PUT",
                &format!("{path}/{key}"),
                &[],
                body.as_bytes(),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_parse_with_defaults_and_refuse_unknown_fields() {
        let fx = Fixtures::from_json(
            r#"{"users": [{"name": "a", "policies": {"p": "{\"Version\":\"2012-10-17\"}"}}],
                "buckets": [{"name": "b", "public_access_block": false},
                            {"name": "c", "public_access_block": {"block_public_acls": true}}]}"#,
        )
        .unwrap();
        assert!(fx.users[0].access_key);
        assert_eq!(fx.users[0].policies["p"].0, r#"{"Version":"2012-10-17"}"#);
        assert_eq!(
            fx.buckets[0].public_access_block,
            Some(PublicAccessBlock::All(false))
        );
        assert_eq!(
            fx.buckets[1].public_access_block,
            Some(PublicAccessBlock::Settings(PublicAccessBlockSettings {
                block_public_acls: true,
                ..Default::default()
            }))
        );
        let err = Fixtures::from_json(r#"{"users": [{"name": "a", "polices": {}}]}"#).unwrap_err();
        assert_eq!(err.code, "InvalidFixture");
        assert!(err.message.contains("polices"), "{err}");
    }

    #[test]
    fn tags_become_query_members() {
        let tags = BTreeMap::from([("a".to_string(), "1".to_string()), ("b".into(), "2".into())]);
        assert_eq!(
            tag_params(&tags),
            [
                ("Tags.member.1.Key".to_string(), "a".to_string()),
                ("Tags.member.1.Value".into(), "1".into()),
                ("Tags.member.2.Key".into(), "b".into()),
                ("Tags.member.2.Value".into(), "2".into()),
            ]
        );
    }
}

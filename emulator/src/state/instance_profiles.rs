//! Instance profiles: the containers EC2 passes a role through. Each holds
//! at most one role (by name); a role in a profile cannot be deleted.

use super::iam::{key, Account, Tags};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstanceProfile {
    pub name: String,
    /// `AIPA…`.
    pub id: String,
    pub path: String,
    pub arn: String,
    pub created: OffsetDateTime,
    /// The names of its roles (IAM allows one).
    pub roles: Vec<String>,
    pub tags: Tags,
}

impl InstanceProfile {
    /// Whether it holds the role called `role` (names ignore case).
    pub fn holds(&self, role: &str) -> bool {
        self.roles.iter().any(|r| key(r) == key(role))
    }
}

impl Account {
    /// The profiles that hold the role called `role`, by name.
    pub fn profiles_of_role<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a InstanceProfile> + 'a {
        self.instance_profiles.values().filter(move |p| p.holds(role))
    }
}

//! The request context: condition keys and their values for one request.
//!
//! Condition key names are case-insensitive (IAM User Guide, "IAM JSON
//! policy elements: Condition": "Condition key names are not case
//! sensitive"), so keys are stored folded to lower case. Values keep their
//! case. A key is single-valued (`aws:username`) or multi-valued
//! (`aws:TagKeys`); multi-valued keys are what `ForAllValues:` and
//! `ForAnyValue:` iterate over.

use serde::Serialize;

/// The value of one context key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    Single(String),
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice: one for a single-valued key.
    pub fn as_slice(&self) -> &[String] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(vs) => vs,
        }
    }
}

/// Condition keys of a request, looked up case-insensitively.
///
/// A map kept as a vector sorted by (lower-cased) key, each key once: a
/// request's dozen or so keys are cheaper to insert, search, walk and drop
/// so than in a tree, and it serializes as the map it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    keys: Vec<(String, ContextValue)>,
}

impl Serialize for RequestContext {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.keys.iter().map(|(k, v)| (k, v)))
    }
}

/// Room for the keys of a typical request, reserved at the first insert.
const TYPICAL_KEYS: usize = 16;

impl RequestContext {
    pub fn new() -> Self {
        Self::default()
    }

    /// Where a lower-cased key is (`Ok`), or would go (`Err`).
    fn find(&self, lower: &str) -> Result<usize, usize> {
        self.keys.binary_search_by(|(k, _)| k.as_str().cmp(lower))
    }

    /// Inserts (or replaces) the value of a lower-cased key.
    fn insert(&mut self, lower: String, value: ContextValue) {
        match self.find(&lower) {
            Ok(i) => self.keys[i].1 = value,
            Err(i) => self.insert_at(i, lower, value),
        }
    }

    /// Inserts a lower-cased key where [`RequestContext::find`] said it goes.
    fn insert_at(&mut self, i: usize, lower: String, value: ContextValue) {
        if self.keys.capacity() == 0 {
            self.keys.reserve(TYPICAL_KEYS);
        }
        self.keys.insert(i, (lower, value));
    }

    /// Sets a single-valued key, replacing any earlier value.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.insert(key.to_ascii_lowercase(), ContextValue::Single(value.into()));
        self
    }

    /// Sets a multi-valued key (e.g. `aws:TagKeys`), replacing any earlier value.
    pub fn set_multi<I, S>(&mut self, key: &str, values: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values = values.into_iter().map(Into::into).collect();
        self.insert(key.to_ascii_lowercase(), ContextValue::Multi(values));
        self
    }

    /// Sets a key only when it is not already present.
    pub fn set_default(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        // No copy of the key when it is present and already lower-case.
        let lowered = key
            .bytes()
            .any(|b| b.is_ascii_uppercase())
            .then(|| key.to_ascii_lowercase());
        if let Err(i) = self.find(lowered.as_deref().unwrap_or(key)) {
            let lower = lowered.unwrap_or_else(|| key.to_string());
            self.insert_at(i, lower, ContextValue::Single(value.into()));
        }
        self
    }

    /// Adds every key of `other` that this context lacks (a key already
    /// here keeps its value): [`RequestContext::set_default`] for each of
    /// `other`'s keys, done as one merge of the two sorted lists, so a
    /// request's context is put together from its parts (the question's
    /// keys, the request's, the caller's) with one allocation.
    pub fn fill_from(&mut self, other: &RequestContext) {
        if other.keys.is_empty() {
            return;
        }
        if self.keys.is_empty() {
            self.keys.clone_from(&other.keys);
            return;
        }
        let mut merged = Vec::with_capacity(self.keys.len() + other.keys.len());
        let mut mine = std::mem::take(&mut self.keys).into_iter().peekable();
        let mut theirs = other.keys.iter().peekable();
        while let (Some((a, _)), Some((b, _))) = (mine.peek(), theirs.peek()) {
            match a.as_str().cmp(b.as_str()) {
                std::cmp::Ordering::Less => merged.extend(mine.next()),
                std::cmp::Ordering::Equal => {
                    merged.extend(mine.next());
                    theirs.next();
                }
                std::cmp::Ordering::Greater => merged.extend(theirs.next().cloned()),
            }
        }
        merged.extend(mine);
        merged.extend(theirs.cloned());
        self.keys = merged;
    }

    /// Looks a key up, ignoring case.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        let found = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.find(&key.to_ascii_lowercase())
        } else {
            self.find(key)
        };
        found.ok().map(|i| &self.keys[i].1)
    }

    pub fn remove(&mut self, key: &str) -> Option<ContextValue> {
        let i = self.find(&key.to_ascii_lowercase()).ok()?;
        Some(self.keys.remove(i).1)
    }

    /// Every key (lower-cased) and value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.keys.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// How many keys are set.
    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

impl RequestContext {
    /// Adds the global keys AWS derives from the caller, unless already set:
    /// `aws:PrincipalArn` (the role's ARN for a role session), `aws:PrincipalAccount`, `aws:PrincipalType`,
    /// `aws:username` (IAM users only, per the IAM User Guide's
    /// "Information available in all requests" table).
    pub fn add_principal_keys(&mut self, principal: &crate::Principal) -> &mut Self {
        use crate::PrincipalKind;
        let kind = match principal.kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::AssumedRole { .. } => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::Federated => "WebIdentityUser",
            PrincipalKind::Service => "Service",
            PrincipalKind::Anonymous => "Anonymous",
        };
        self.set_default("aws:PrincipalType", kind);
        if let Some(account) = &principal.account {
            // "For IAM roles, the request context returns the ARN of the
            // role, not the ARN of the user that assumed the role."
            let arn = match &principal.kind {
                PrincipalKind::AssumedRole { role_name, .. } => {
                    format!("arn:aws:iam::{account}:role/{role_name}")
                }
                _ => principal.arn.clone(),
            };
            self.set_default("aws:PrincipalArn", arn);
            self.set_default("aws:PrincipalAccount", account.clone());
        }
        if let Some(name) = principal.user_name() {
            self.set_default("aws:username", name);
        }
        match principal.kind {
            // "aws:PrincipalIsAWSService … true when the principal is an AWS
            // service principal"; "aws:PrincipalServiceName … the service
            // principal name".
            PrincipalKind::Service => {
                self.set_default("aws:PrincipalIsAWSService", "true");
                self.set_default("aws:PrincipalServiceName", principal.arn.clone());
            }
            // "aws:FederatedProvider … the identity provider that was used to
            // authenticate": the provider the caller is named by.
            PrincipalKind::Federated => {
                self.set_default("aws:FederatedProvider", principal.arn.clone());
            }
            _ => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_values_are_not() {
        let mut ctx = RequestContext::new();
        ctx.set("aws:UserName", "Alice");
        assert_eq!(
            ctx.get("AWS:username"),
            Some(&ContextValue::Single("Alice".into()))
        );
    }

    #[test]
    fn fill_from_is_set_default_for_each_of_the_other_keys() {
        // Key sets drawn from the bits of two numbers: every interleaving of
        // present, absent and shared keys over six names.
        let names = ["a:1", "A:2", "b:x", "c:multi", "aws:Z", "z:last"];
        let build = |bits: u32, value: &str| {
            let mut ctx = RequestContext::new();
            for (i, name) in names.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0) {
                if i == 3 {
                    ctx.set_multi(name, [format!("{value}{i}"), value.to_string()]);
                } else {
                    ctx.set(name, format!("{value}{i}"));
                }
            }
            ctx
        };
        for mine in 0..64 {
            for theirs in 0..64 {
                let other = build(theirs, "other");
                let mut expected = build(mine, "mine");
                for (key, value) in other.iter() {
                    if expected.get(key).is_none() {
                        match value {
                            ContextValue::Single(v) => expected.set(key, v.clone()),
                            ContextValue::Multi(vs) => expected.set_multi(key, vs.clone()),
                        };
                    }
                }
                let mut merged = build(mine, "mine");
                merged.fill_from(&other);
                assert_eq!(merged, expected, "mine {mine:06b}, theirs {theirs:06b}");
            }
        }
    }

    #[test]
    fn set_default_keeps_an_existing_value() {
        let mut ctx = RequestContext::new();
        ctx.set("aws:username", "alice")
            .set_default("AWS:USERNAME", "bob");
        assert_eq!(ctx.get("aws:username").unwrap().as_slice(), ["alice"]);
    }
}

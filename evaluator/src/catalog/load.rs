//! Reading the catalog text (the format `scripts/gen-service-catalog.mjs`
//! writes: one record a line, `G` global key, `S` service, `R` resource
//! type, `K` condition key, `A` action) into a [`Catalog`], its tables
//! sorted for binary search.

use super::arn_format;
use super::model::{
    cmp_ignore_case, AccessLevel, Action, ActionResource, ConditionKey, ResourceType, Service, ValueType,
};
use super::names::NameList;
use super::Catalog;
use std::fmt;

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

impl Catalog {
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
        arn_patterns: arn_formats.iter().map(|f| arn_format::display(f)).collect(),
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

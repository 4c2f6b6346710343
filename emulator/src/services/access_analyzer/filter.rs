//! Filters over findings, as archive rules, `ListFindings`, `ListFindingsV2`
//! and `ListAccessPreviewFindings` use them (IAM User Guide, "IAM Access
//! Analyzer filter keys"): `resource`, `resourceType`,
//! `resourceOwnerAccount`, `isPublic`, `findingType`, `status`, `error`,
//! `principal.AWS`, `principal.Federated` (any `principal.TYPE`),
//! `condition.KEY`, `action` and `id`. Every criterion must hold; within
//! one, every operator given: `eq` (the value is one of these), `neq` (none
//! of these), `contains` (holds one of these as a substring), `exists`.

use crate::state::access_analyzer::{Access, Criterion, Filter};
use std::collections::BTreeMap;

/// A finding as the filter keys see it: each key's values.
pub type Attributes = BTreeMap<String, Vec<String>>;

/// The attributes of a finding (or an access preview finding).
pub fn attributes(
    id: &str,
    resource: &str,
    resource_type: &str,
    owner: &str,
    status: &str,
    access: &Access,
) -> Attributes {
    let mut out = Attributes::new();
    let mut one = |key: &str, value: &str| {
        out.insert(key.to_string(), vec![value.to_string()]);
    };
    one("id", id);
    one("resource", resource);
    one("resourceType", resource_type);
    one("resourceOwnerAccount", owner);
    one("status", status);
    one("findingType", access.finding_type());
    if let Access::ExternalAccess {
        principal,
        action,
        condition,
        is_public,
        ..
    } = access
    {
        one("isPublic", if *is_public { "true" } else { "false" });
        for (kind, value) in principal {
            one(&format!("principal.{kind}"), value);
        }
        for (key, value) in condition {
            one(&format!("condition.{key}"), value);
        }
        out.insert("action".into(), action.clone());
    }
    out
}

/// Does `attributes` meet every criterion of `filter`?
pub fn matches(filter: &Filter, attributes: &Attributes) -> bool {
    filter
        .iter()
        .all(|(key, criterion)| meets(criterion, lookup(attributes, key)))
}

/// The values of `key`; `condition.` keys ignore case, as condition keys do.
fn lookup<'a>(attributes: &'a Attributes, key: &str) -> Option<&'a Vec<String>> {
    if let Some(values) = attributes.get(key) {
        return Some(values);
    }
    let condition = key.strip_prefix("condition.")?;
    attributes.iter().find_map(|(k, v)| {
        k.strip_prefix("condition.")
            .filter(|c| c.eq_ignore_ascii_case(condition))
            .map(|_| v)
    })
}

fn meets(criterion: &Criterion, values: Option<&Vec<String>>) -> bool {
    let values: &[String] = values.map_or(&[], Vec::as_slice);
    // `isPublic` and other booleans are compared without regard to case.
    let same = |a: &str, b: &str| a == b || (is_bool(a) && a.eq_ignore_ascii_case(b));
    if let Some(exists) = criterion.exists {
        if exists == values.is_empty() {
            return false;
        }
    }
    if let Some(eq) = &criterion.eq {
        if !values.iter().any(|v| eq.iter().any(|e| same(v, e))) {
            return false;
        }
    }
    if let Some(neq) = &criterion.neq {
        if values.iter().any(|v| neq.iter().any(|n| same(v, n))) {
            return false;
        }
    }
    if let Some(contains) = &criterion.contains {
        if !values
            .iter()
            .any(|v| contains.iter().any(|c| v.contains(c.as_str())))
        {
            return false;
        }
    }
    true
}

fn is_bool(text: &str) -> bool {
    text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn external(account: &str, public: bool) -> Attributes {
        let access = Access::ExternalAccess {
            principal: [("AWS".to_string(), account.to_string())].into(),
            action: vec!["s3:GetObject".into()],
            condition: [("aws:SourceIp".to_string(), "10.0.0.0/8".to_string())].into(),
            is_public: public,
            sources: vec!["POLICY".into()],
        };
        attributes(
            "f1",
            "arn:aws:s3:::b",
            "AWS::S3::Bucket",
            "123456789012",
            "ACTIVE",
            &access,
        )
    }

    fn criterion(eq: &[&str]) -> Criterion {
        Criterion {
            eq: Some(eq.iter().map(ToString::to_string).collect()),
            ..Criterion::default()
        }
    }

    #[test]
    fn criteria_by_key_and_operator() {
        let f = external("111122223333", false);
        let filter: Filter = [("principal.AWS".to_string(), criterion(&["111122223333"]))].into();
        assert!(matches(&filter, &f));
        let filter: Filter = [("isPublic".to_string(), criterion(&["TRUE"]))].into();
        assert!(!matches(&filter, &f));
        let filter: Filter = [(
            "condition.AWS:SourceIp".to_string(),
            Criterion {
                contains: Some(vec!["10.".into()]),
                ..Criterion::default()
            },
        )]
        .into();
        assert!(matches(&filter, &f));
        let filter: Filter = [(
            "error".to_string(),
            Criterion {
                exists: Some(true),
                ..Criterion::default()
            },
        )]
        .into();
        assert!(!matches(&filter, &f));
        let filter: Filter = [(
            "resourceType".to_string(),
            Criterion {
                neq: Some(vec!["AWS::IAM::Role".into()]),
                ..Criterion::default()
            },
        )]
        .into();
        assert!(matches(&filter, &f));
    }
}

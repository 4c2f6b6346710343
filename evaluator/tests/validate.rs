//! Policy validation, each check with the exact document that triggers it:
//! IAM's write-time messages (in IAM's order) and Access Analyzer's
//! findings (issue code, finding type, details, location).

use iam_evaluator::validate::{
    check_write, validate_policy, Finding, FindingType, PathElement, PolicyKind, ResourcePolicyType,
    WriteTarget, EMULATOR_RESOURCE_TYPE_MISMATCH,
};

// ---- write time (IAM's MalformedPolicyDocument messages) ----

fn refused(target: WriteTarget, text: &str) -> String {
    check_write(text, target)
        .expect_err("the document should be refused")
        .iam_message()
}

fn inline(text: &str) -> String {
    refused(WriteTarget::InlinePolicy, text)
}

const GOOD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;

#[test]
fn what_iam_accepts_stays_accepted() {
    for text in [
        GOOD,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:ListObject","kinesis: Get*"],"Resource":"*"}}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    ] {
        assert!(check_write(text, WriteTarget::InlinePolicy).is_ok(), "{text}");
    }
}

#[test]
fn syntax_errors() {
    for text in [
        "This is not a json document",
        "[]",
        r#"{"Version":"2024-10-24","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statment":[]}"#,
        r#"{"Version":"2012-10-17"}"#,
        r#"{"Version":"2012-10-17","Statement":[]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Extra":1}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Action":"s3:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":7,"Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEq":{"a:b":"c"}}}]}"#,
    ] {
        assert_eq!(inline(text), "Syntax errors in policy.", "{text}");
    }
}

#[test]
fn version_rules() {
    let no_version =
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    assert_eq!(
        refused(WriteTarget::ManagedPolicy, no_version),
        "Policy document must be version 2012-10-17 or greater."
    );
    let old = no_version.replace("{\"Statement", "{\"Version\":\"2008-10-17\",\"Statement");
    assert_eq!(
        refused(WriteTarget::ManagedPolicy, &old),
        "Policy document must be version 2012-10-17 or greater."
    );
    let variables = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}"#;
    assert_eq!(
        inline(variables),
        "Policy document must be version 2012-10-17 or greater."
    );
    assert!(check_write(&variables.replace("2008", "2012"), WriteTarget::InlinePolicy).is_ok());
}

#[test]
fn legacy_parsing() {
    for text in [
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"not a date"}}}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws::b"}]}"#,
    ] {
        assert_eq!(inline(text), "The policy failed legacy parsing", "{text}");
    }
}

#[test]
fn the_remaining_stages_in_iams_order() {
    assert_eq!(
        inline(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#
        ),
        "Statement IDs (SID) in a single policy must be unique."
    );
    assert_eq!(
        inline(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#),
        "Policy statement must contain actions."
    );
    assert_eq!(
        inline(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}"#),
        "Policy statement must contain actions."
    );
    assert_eq!(
        inline(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}"#),
        "Policy statement must contain resources."
    );
    // A missing action is reported before a bad resource.
    assert_eq!(
        inline(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"bucket"}]}"#),
        "Policy statement must contain actions."
    );
    assert_eq!(
        inline(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"my-bucket"}]}"#
        ),
        "Resource my-bucket must be in ARN format or \"*\"."
    );
    assert_eq!(
        inline(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws-x:s3:::b"}]}"#
        ),
        "Partition \"aws-x\" is not valid for resource \"arn:aws-x:s3:::b\"."
    );
    assert_eq!(
        inline(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:a"}]}"#
        ),
        "Partition \"a\" is not valid for resource \"arn:a:*:*:*:*\"."
    );
    assert_eq!(
        inline(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}"#
        ),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    );
    assert_eq!(
        inline(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}]}"#
        ),
        "Actions/Condition can contain only one colon."
    );
    assert_eq!(
        inline(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s 3:GetObject","Resource":"*"}]}"#
        ),
        "Vendor s 3 is not valid"
    );
    assert_eq!(
        inline(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#
        ),
        "Policy document should not specify a principal."
    );
}

#[test]
fn trust_and_bucket_policies() {
    let trust = |text: &str| refused(WriteTarget::TrustPolicy, text);
    assert_eq!(
        trust(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}"#
        ),
        "Has prohibited field Resource"
    );
    assert_eq!(
        trust(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#),
        "Missing required field Principal"
    );
    let bucket = |text: &str| refused(WriteTarget::BucketPolicy, text);
    assert_eq!(
        bucket(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListObject","Resource":"arn:aws:s3:::b"}]}"#
        ),
        "Policy has invalid action"
    );
    assert_eq!(
        bucket(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"}]}"#
        ),
        "Action does not apply to any resource(s) in statement"
    );
    assert!(check_write(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}"#,
        WriteTarget::BucketPolicy
    )
    .is_ok());
}

// ---- Access Analyzer findings ----

fn identity(text: &str) -> Vec<Finding> {
    validate_policy(text, PolicyKind::Identity, None)
}

/// The one finding with this code.
fn only(findings: &[Finding], code: &str) -> Finding {
    let matching: Vec<&Finding> = findings.iter().filter(|f| f.issue_code == code).collect();
    assert_eq!(matching.len(), 1, "{code} in {findings:#?}");
    matching[0].clone()
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.issue_code).collect()
}

fn statement_policy(statement: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
}

#[test]
fn a_good_policy_has_no_findings() {
    assert!(identity(GOOD).is_empty(), "{:#?}", identity(GOOD));
}

#[test]
fn json_syntax_error_with_its_position() {
    let findings = identity("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}");
    let f = only(&findings, "JSON_SYNTAX_ERROR");
    assert_eq!(f.finding_type, FindingType::Error);
    assert_eq!(
        f.details,
        "Fix the JSON syntax error at index 46 line 4 column 0."
    );
    assert_eq!(f.locations[0].span.start.line, 4);
    assert_eq!(findings.len(), 1);
}

#[test]
fn version_findings() {
    let bad = identity(&GOOD.replace("2012-10-17", "2024-10-24"));
    let f = only(&bad, "INVALID_VERSION");
    assert_eq!(
        f.details,
        "The version 2024-10-24 is not valid. Use one of the following versions: 2012-10-17, 2008-10-17"
    );
    assert_eq!(f.locations[0].path, [PathElement::Value("Version".into())]);
    assert_eq!(f.locations[0].span.start.column, 11);
    assert_eq!(f.locations[0].span.end.column, 23);

    let missing = identity(&GOOD.replace(r#""Version":"2012-10-17","#, ""));
    let f = only(&missing, "MISSING_VERSION");
    assert_eq!(f.finding_type, FindingType::Warning);
    assert_eq!(
        f.details,
        "We recommend that you specify the Version element to help you with debugging permission issues."
    );

    let old_with_variable = identity(
        r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}"#,
    );
    assert_eq!(
        only(&old_with_variable, "VARIABLE_UNSUPPORTED_IN_VERSION").details,
        "To include variables in your policy, use the policy version 2012-10-17 or later."
    );
}

#[test]
fn invalid_action_with_a_suggestion_and_its_location() {
    let text = "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": {\n        \"Effect\": \"Allow\",\n        \"Action\": \"s3:ListObject\",\n        \"Resource\": \"*\"\n    }\n}";
    let f = only(&identity(text), "INVALID_ACTION");
    assert_eq!(f.finding_type, FindingType::Error);
    assert_eq!(
        f.details,
        "The action s3:ListObject does not exist. Did you mean s3:ListBucket? The API called ListObjects authorizes against the IAM action s3:ListBucket."
    );
    assert_eq!(
        f.learn_more_link,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action"
    );
    let at = &f.locations[0];
    assert_eq!(
        at.path,
        [
            PathElement::Value("Statement".into()),
            PathElement::Value("Action".into())
        ]
    );
    assert_eq!((at.span.start.line, at.span.start.column), (5, 18));
    assert_eq!((at.span.end.line, at.span.end.column), (5, 33));
    assert_eq!(
        at.span.end.offset - at.span.start.offset,
        "\"s3:ListObject\"".len()
    );

    let near = only(
        &identity(&statement_policy(
            r#"{"Effect":"Allow","Action":"s3:GetObjcet","Resource":"*"}"#,
        )),
        "INVALID_ACTION",
    );
    assert_eq!(
        near.details,
        "The action s3:GetObjcet does not exist. Did you mean s3:GetObject?"
    );
}

#[test]
fn a_space_after_the_colon() {
    let f = only(
        &identity(&statement_policy(
            r#"{"Effect":"Allow","Action":["kinesis: Get*"],"Resource":"*"}"#,
        )),
        "INVALID_ACTION",
    );
    assert!(
        f.details
            .starts_with("The action kinesis: Get* does not exist. Did you mean kinesis:Get*?"),
        "{}",
        f.details
    );
    assert_eq!(
        f.locations[0].path,
        [
            PathElement::Value("Statement".into()),
            PathElement::Index(0),
            PathElement::Value("Action".into()),
            PathElement::Index(0)
        ]
    );
}

#[test]
fn invalid_service_in_action() {
    let f = only(
        &identity(&statement_policy(
            r#"{"Effect":"Allow","Action":"s4:GetObject","Resource":"*"}"#,
        )),
        "INVALID_SERVICE_IN_ACTION",
    );
    assert_eq!(
        f.details,
        "The service s4 specified in the action does not exist. Did you mean s3?"
    );
}

#[test]
fn arn_findings() {
    let one = |resource: &str, code: &str| {
        only(
            &identity(&statement_policy(&format!(
                r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{resource}"}}"#
            ))),
            code,
        )
    };
    assert_eq!(
        one(
            "arn:aws:s3:us-east-1:123456789012:bucket/x",
            "INVALID_ARN_RESOURCE"
        )
        .details,
        "Resource ARN does not match the expected ARN format. Update the resource portion of the ARN."
    );
    assert_eq!(
        one("arn:aws:s3:::", "INVALID_ARN_RESOURCE").finding_type,
        FindingType::Error
    );
    assert_eq!(
        one("arn:aws:s3", "MISSING_ARN_FIELD").details,
        "Resource ARNs must include at least 6 fields in the following structure: arn:partition:service:region:account:resource"
    );
    assert_eq!(
        one("bucket/key", "INVALID_ARN_PREFIX").details,
        "Add the required prefix (arn) to the resource ARN."
    );
    assert_eq!(
        one("arn:aws-x:s3:::b/*", "INVALID_PARTITION").details,
        "The resource ARN for the service s3 does not support the partition aws-x. Use the supported values: aws, aws-cn, aws-us-gov"
    );
    assert_eq!(
        one("arn:aws:*3:::b/*", "WILDCARD_IN_SERVICE_NAME").finding_type,
        FindingType::Suggestion
    );
    let kinesis = identity(&statement_policy(
        r#"{"Effect":"Allow","Action":"kinesis:GetRecords","Resource":"arn:aws:kinesis:REGION:ACCOUNT-ID:stream/STREAM-NAME"}"#,
    ));
    assert_eq!(
        only(&kinesis, "INVALID_ARN_ACCOUNT").details,
        "The resource ARN account ID ACCOUNT-ID is not valid. Provide a 12-digit account ID."
    );
    // Variables stand for any text.
    assert!(identity(&statement_policy(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::${BUCKET}/*"}"#
    ))
    .is_empty());
}

#[test]
fn statement_findings() {
    let findings = |statement: &str| identity(&statement_policy(statement));
    assert_eq!(
        only(
            &findings(r#"{"Effect":"allow","Action":"s3:*","Resource":"*"}"#),
            "INVALID_EFFECT"
        )
        .details,
        "The effect allow is not valid. Use Allow or Deny."
    );
    assert_eq!(
        only(&findings(r#"{"Action":"s3:*","Resource":"*"}"#), "MISSING_EFFECT").details,
        "Add an Effect element to the policy statement with a value of Allow or Deny."
    );
    assert_eq!(
        only(
            &findings(r#"{"Effect":"Allow","Resource":"*"}"#),
            "MISSING_ACTION"
        )
        .details,
        "Add an Action or NotAction element to the policy statement."
    );
    assert_eq!(
        only(
            &findings(r#"{"Effect":"Allow","Action":"s3:*"}"#),
            "MISSING_RESOURCE"
        )
        .details,
        "Add a Resource or NotResource element to the policy statement."
    );
    let empty = only(
        &findings(r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#),
        "EMPTY_ARRAY_ACTION",
    );
    assert_eq!(empty.finding_type, FindingType::Suggestion);
    assert_eq!(
        empty.details,
        "This statement includes no actions and does not affect the policy. Specify actions."
    );
    assert_eq!(
        only(
            &findings(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Sid":"a","Resources":"*"}"#),
            "INVALID_POLICY_ELEMENT"
        )
        .details,
        "The policy element Resources is not valid."
    );
    assert_eq!(
        only(&findings(r#"{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}"#), "UNSUPPORTED_ELEMENT_COMBINATION").details,
        "The policy elements Action and NotAction can not be used in the same statement. Remove one of these elements."
    );
    assert_eq!(
        only(&findings(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEq":{"aws:username":"a"}}}"#), "INVALID_CONDITION_OPERATOR").details,
        "The condition operator StringEq is not valid. Use a valid condition operator."
    );
    assert_eq!(
        only(&findings(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#), "UNSUPPORTED_PRINCIPAL").details,
        "The policy type IDENTITY_POLICY does not support the Principal element. Remove the Principal element."
    );
    assert_eq!(
        only(
            &findings(r#"{"Effect":7,"Action":"s3:*","Resource":"*"}"#),
            "DATA_TYPE_MISMATCH"
        )
        .details,
        "The text does not match the expected JSON data type String."
    );
    let sids = identity(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
    );
    assert_eq!(
        only(&sids, "UNIQUE_SIDS_REQUIRED").details,
        "Duplicate statement IDs are not supported for this policy type. Update the Sid value."
    );
    assert_eq!(
        only(
            &identity(r#"{"Version":"2012-10-17","Statement":[]}"#),
            "MISSING_STATEMENT"
        )
        .details,
        "Add a statement to the policy"
    );
}

#[test]
fn pass_role_with_star_in_resource() {
    let f = only(
        &identity(&statement_policy(
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}"#,
        )),
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
    );
    assert_eq!(f.finding_type, FindingType::SecurityWarning);
    assert_eq!(
        f.details,
        "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement."
    );
    assert!(identity(&statement_policy(
        r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}"#
    ))
    .is_empty());
}

#[test]
fn redundant_action() {
    let f = only(
        &identity(&statement_policy(
            r#"{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GetCredentialReport"],"Resource":"*"}"#,
        )),
        "REDUNDANT_ACTION",
    );
    assert_eq!(f.finding_type, FindingType::Suggestion);
    assert_eq!(
        f.details,
        "The 1 action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: iam:GetCredentialReport."
    );
    assert_eq!(f.locations[0].path.last(), Some(&PathElement::Index(2)));
    // iam:*CredentialReport names an action iam:Get* does not: not redundant.
    assert!(identity(&statement_policy(
        r#"{"Effect":"Allow","Action":["iam:Get*","iam:*CredentialReport"],"Resource":"*"}"#
    ))
    .is_empty());
}

#[test]
fn policy_size_exceeds_identity_policy_quota() {
    let resources: Vec<String> = (0..200)
        .map(|i| format!("\"arn:aws:s3:::bucket-number-{i:04}/*\""))
        .collect();
    let text = statement_policy(&format!(
        r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":[{}]}}"#,
        resources.join(",")
    ));
    let size = iam_evaluator::validate::policy_size(&text);
    let f = only(&identity(&text), "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA");
    assert_eq!(f.finding_type, FindingType::Warning);
    assert_eq!(
        f.details,
        format!("The {size} characters in the identity policy, excluding whitespace, exceed the 6144 character maximum for inline and managed policies. We recommend that you use multiple granular policies.")
    );
}

#[test]
fn resource_policies_for_a_bucket() {
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["s3:GetObject","kms:Decrypt"],"Resource":["arn:aws:s3:::b/*","arn:aws:kms:us-east-1:123456789012:key/k"]}]}"#;
    let findings = validate_policy(text, PolicyKind::Resource, Some(ResourcePolicyType::S3Bucket));
    assert_eq!(
        only(&findings, "UNSUPPORTED_ACTION_IN_POLICY").details,
        "The action kms:Decrypt is not supported for the resource-based policy attached to the resource type AWS::S3::Bucket."
    );
    assert_eq!(
        only(&findings, "UNSUPPORTED_RESOURCE_ARN_IN_POLICY").details,
        "The resource ARN is not supported for the resource-based policy attached to the resource type AWS::S3::Bucket."
    );
    let no_principal = validate_policy(GOOD, PolicyKind::Resource, None);
    assert_eq!(
        only(&no_principal, "MISSING_PRINCIPAL").details,
        "Add a Principal element to the policy statement."
    );
    let scp = validate_policy(
        &statement_policy(r#"{"Effect":"Deny","Principal":"*","Action":"iam:*Role","Resource":"*"}"#),
        PolicyKind::ServiceControl,
        None,
    );
    assert_eq!(
        codes(&scp),
        ["SCP_SYNTAX_ERROR_PRINCIPAL", "SCP_SYNTAX_ERROR_ACTION_WILDCARD"]
    );
}

#[test]
fn the_emulators_own_resource_type_check() {
    let findings = identity(&statement_policy(
        r#"{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}"#,
    ));
    let f = only(&findings, EMULATOR_RESOURCE_TYPE_MISMATCH);
    assert_eq!(f.finding_type, FindingType::Warning);
    assert_eq!(
        f.details,
        "The action s3:ListBucket never applies to the resources of this statement: it acts on accesspoint (arn:aws:s3:*:*:accesspoint/*) or bucket (arn:aws:s3:::*), and no Resource here names one. Add such a resource, or move the action to a statement that names one. (A check of iam-emulator's own; Access Analyzer does not report it.)"
    );
    assert_eq!(f.locations[0].path.last(), Some(&PathElement::Index(0)));
    assert_eq!(findings.len(), 1);
}

#[test]
fn findings_serialize_as_validate_policy_returns_them() {
    let f = only(
        &identity(&statement_policy(
            r#"{"Effect":"Allow","Action":"s3:ListObject","Resource":"*"}"#,
        )),
        "INVALID_ACTION",
    );
    let json = f.to_json();
    assert_eq!(json["findingType"], "ERROR");
    assert_eq!(json["issueCode"], "INVALID_ACTION");
    assert_eq!(json["locations"][0]["path"][0]["value"], "Statement");
    assert_eq!(json["locations"][0]["path"][1]["index"], 0);
    assert_eq!(json["locations"][0]["span"]["start"]["line"], 1);
}

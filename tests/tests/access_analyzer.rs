//! Access Analyzer's ValidatePolicy over the wire (REST JSON, signed for
//! `access-analyzer`), with the guides' four mistakes; IAM's write-time
//! messages for the same documents; authorization and pagination.

use iam_harness::{Client, Emulator, Reply};
use serde_json::{json, Value};

fn validate(client: &Client, document: &str, policy_type: &str, query: &str) -> Reply {
    client.rest_json(
        "access-analyzer",
        "POST",
        &format!("/policy/validation{query}"),
        &json!({"policyDocument": document, "policyType": policy_type}),
    )
}

fn findings(reply: Reply) -> Vec<Value> {
    let reply = reply.expect_ok();
    reply.json()["findings"].as_array().cloned().unwrap_or_default()
}

fn with_code<'a>(findings: &'a [Value], code: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["issueCode"] == code)
        .unwrap_or_else(|| panic!("no {code} in {findings:#?}"))
}

/// The guides' documents: the mistake each makes.
const LIST_OBJECT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:ListObject","s3:GetObject"],"Resource":["arn:aws:s3:::INPUT_BUCKET_NAME","arn:aws:s3:::INPUT_BUCKET_NAME/*"]}]}"#;
const KINESIS_SPACE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis: Get*"],"Resource":["arn:aws:kinesis:us-east-1:123456789012:stream/s"]}]}"#;
const BAD_VERSION: &str = r#"{"Version":"2024-10-24","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::${BUCKET}","arn:aws:s3:::${BUCKET}/*"]}]}"#;
const LIST_ON_OBJECTS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"}]}"#;

#[test]
fn the_guides_mistakes_through_validate_policy() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());

    let found = findings(validate(&root, LIST_OBJECT, "IDENTITY_POLICY", ""));
    let f = with_code(&found, "INVALID_ACTION");
    assert_eq!(f["findingType"], "ERROR");
    assert_eq!(
        f["findingDetails"],
        "The action s3:ListObject does not exist. Did you mean s3:ListBucket? The API called ListObjects authorizes against the IAM action s3:ListBucket."
    );
    assert_eq!(
        f["locations"][0]["path"],
        json!([{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 1}])
    );
    let span = &f["locations"][0]["span"];
    let offset = |at: &str| usize::try_from(span[at]["offset"].as_u64().unwrap()).unwrap();
    let (start, end) = (offset("start"), offset("end"));
    assert_eq!(&LIST_OBJECT[start..end], "\"s3:ListObject\"");
    assert_eq!(span["start"]["line"], 1);

    let found = findings(validate(&root, KINESIS_SPACE, "IDENTITY_POLICY", ""));
    let f = with_code(&found, "INVALID_ACTION");
    assert!(f["findingDetails"]
        .as_str()
        .unwrap()
        .starts_with("The action kinesis: Get* does not exist. Did you mean kinesis:Get*?"));

    let found = findings(validate(&root, BAD_VERSION, "IDENTITY_POLICY", ""));
    assert_eq!(
        with_code(&found, "INVALID_VERSION")["findingDetails"],
        "The version 2024-10-24 is not valid. Use one of the following versions: 2012-10-17, 2008-10-17"
    );

    let found = findings(validate(&root, LIST_ON_OBJECTS, "IDENTITY_POLICY", ""));
    let f = with_code(&found, "EMULATOR_RESOURCE_TYPE_MISMATCH");
    assert_eq!(f["findingType"], "WARNING");
    assert!(f["findingDetails"]
        .as_str()
        .unwrap()
        .starts_with("The action s3:ListBucket never applies to the resources of this statement"));
}

#[test]
fn iam_accepts_what_it_accepts_and_refuses_with_its_messages() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("guide");
    let put = |name: &str, document: &str| {
        root.query(
            "iam",
            &[
                ("Action", "PutUserPolicy"),
                ("UserName", "guide"),
                ("PolicyName", name),
                ("PolicyDocument", document),
            ],
        )
    };
    let _ = put("list-object", LIST_OBJECT).expect_ok();
    let _ = put("kinesis", KINESIS_SPACE).expect_ok();
    let _ = put("objects", LIST_ON_OBJECTS).expect_ok();
    let refused = put("version", BAD_VERSION).expect_error(400, "MalformedPolicyDocument");
    assert_eq!(
        refused.error_message().as_deref(),
        Some("Syntax errors in policy.")
    );
    let refused = put(
        "no-resource",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#,
    )
    .expect_error(400, "MalformedPolicyDocument");
    assert_eq!(
        refused.error_message().as_deref(),
        Some("Policy statement must contain resources.")
    );
    let refused = put(
        "not-arn",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"my-bucket"}]}"#,
    )
    .expect_error(400, "MalformedPolicyDocument");
    assert_eq!(
        refused.error_message().as_deref(),
        Some("Resource my-bucket must be in ARN format or \"*\".")
    );
    let refused = root
        .query(
            "iam",
            &[
                ("Action", "CreatePolicy"),
                ("PolicyName", "no-version"),
                (
                    "PolicyDocument",
                    r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
                ),
            ],
        )
        .expect_error(400, "MalformedPolicyDocument");
    assert_eq!(
        refused.error_message().as_deref(),
        Some("Policy document must be version 2012-10-17 or greater.")
    );
}

#[test]
fn validate_policy_is_authorized_and_pages() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let bob = emu.client(&root.create_user_with_keys("bob"));
    let denied = validate(&bob, LIST_OBJECT, "IDENTITY_POLICY", "");
    assert_eq!(denied.status, 403);
    assert_eq!(denied.header("x-amzn-errortype"), Some("AccessDeniedException"));
    assert!(denied.json()["message"]
        .as_str()
        .unwrap()
        .contains("is not authorized to perform: access-analyzer:ValidatePolicy"));
    root.put_user_policy(
        "bob",
        "validate",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"access-analyzer:ValidatePolicy","Resource":"*"}]}"#,
    );
    let all = findings(validate(&bob, KINESIS_SPACE, "IDENTITY_POLICY", ""));
    assert!(!all.is_empty());

    // Three findings, one per page.
    let three =
        r#"{"Statement":[{"Effect":"Allow","Action":["s3:ListObject","s4:GetObject"],"Resource":"*"}]}"#;
    let mut codes = Vec::new();
    let mut query = "?maxResults=1".to_string();
    loop {
        let page = validate(&bob, three, "IDENTITY_POLICY", &query)
            .expect_ok()
            .json();
        let list = page["findings"].as_array().unwrap();
        assert_eq!(list.len(), 1);
        codes.push(list[0]["issueCode"].as_str().unwrap().to_string());
        match page["nextToken"].as_str() {
            Some(token) => query = format!("?maxResults=1&nextToken={}", urlencode(token)),
            None => break,
        }
    }
    assert_eq!(
        codes,
        ["MISSING_VERSION", "INVALID_ACTION", "INVALID_SERVICE_IN_ACTION"]
    );

    let bad = validate(&bob, three, "POLICY", "");
    assert_eq!(bad.status, 400);
    assert_eq!(bad.header("x-amzn-errortype"), Some("ValidationException"));
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

//! IAM's identity providers over the wire: OpenID Connect providers (URL
//! rules, thumbprints, client ids, tags, idempotent deletes) and SAML
//! providers (metadata parsed and refused as IAM refuses it, updates,
//! tags), as `Federated` principals of trust policies, their
//! authorization on the provider's ARN, and their survival of a restart.

use iam_harness::{url_decode, Client, Emulator, Reply};

const ACCOUNT: &str = "123456789012";
const GITHUB: &str = "https://token.actions.githubusercontent.com";
const GITHUB_ARN: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const THUMBPRINT: &str = "6938fd4d98bab03faadb97b34396831e3780aea1";

fn iam(client: &Client, params: &[(&str, &str)]) -> Reply {
    client.query("iam", params)
}

fn ok(client: &Client, params: &[(&str, &str)]) -> Reply {
    iam(client, params).expect_ok()
}

#[track_caller]
fn error(client: &Client, params: &[(&str, &str)], status: u16, code: &str, message: &str) {
    let reply = iam(client, params).expect_error(status, code);
    let got = reply.error_message().unwrap_or_default();
    assert!(got.contains(message), "message {got:?} lacks {message:?}");
}

fn setup() -> (Emulator, Client) {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    (emu, root)
}

/// A SAML identity provider's metadata, signing with the test certificate.
fn saml_metadata(entity: &str) -> String {
    let certificate: String = include_str!("../../emulator/tests/data/cert.pem")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}" validUntil="2049-06-30T12:00:00Z">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

fn create_github(root: &Client) -> Reply {
    ok(
        root,
        &[
            ("Action", "CreateOpenIDConnectProvider"),
            ("Url", GITHUB),
            ("ClientIDList.member.1", "sts.amazonaws.com"),
            ("ThumbprintList.member.1", &THUMBPRINT.to_ascii_uppercase()),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "ci"),
        ],
    )
}

#[test]
fn an_oidc_provider_for_github_actions() {
    let (emu, root) = setup();
    let created = create_github(&root);
    assert_eq!(
        created.text("OpenIDConnectProviderArn").as_deref(),
        Some(GITHUB_ARN)
    );
    assert_eq!(created.texts("Key"), ["team"]);
    let got = ok(
        &root,
        &[
            ("Action", "GetOpenIDConnectProvider"),
            ("OpenIDConnectProviderArn", GITHUB_ARN),
        ],
    );
    assert_eq!(
        got.text("Url").as_deref(),
        Some("token.actions.githubusercontent.com"),
        "the URL without its scheme"
    );
    assert_eq!(got.texts("member")[..2], ["sts.amazonaws.com", THUMBPRINT]);
    assert!(got.text("CreateDate").is_some());
    error(
        &root,
        &[("Action", "CreateOpenIDConnectProvider"), ("Url", GITHUB)],
        409,
        "EntityAlreadyExists",
        "Provider with url https://token.actions.githubusercontent.com already exists.",
    );
    let listed = ok(&root, &[("Action", "ListOpenIDConnectProviders")]);
    assert_eq!(listed.texts("Arn"), [GITHUB_ARN]);
    // The console's entity view shows it.
    let entities = emu.get("/_emulator/entities").expect_ok().json();
    let account = &entities["accounts"][0];
    assert_eq!(account["oidcProviders"][0]["arn"], GITHUB_ARN);
    assert_eq!(account["oidcProviders"][0]["clientIds"][0], "sts.amazonaws.com");
}

#[test]
fn oidc_provider_urls_are_checked_as_iam_checks_them() {
    let (_emu, root) = setup();
    for (url, status, code, message) in [
        (
            "example.com",
            400,
            "ValidationError",
            "Invalid Open ID Connect Provider URL",
        ),
        (
            "http://example.com",
            400,
            "InvalidInput",
            "The URL must begin with https://.",
        ),
        (
            "https://",
            400,
            "ValidationError",
            "Invalid Open ID Connect Provider URL",
        ),
        (
            "https://example.com?x=1",
            400,
            "InvalidInput",
            "Invalid Open ID Connect Provider URL.",
        ),
        (
            "https://example.com:8443",
            400,
            "InvalidInput",
            "Invalid Open ID Connect Provider URL.",
        ),
        (
            "https://u:p@example.com",
            400,
            "InvalidInput",
            "Invalid Open ID Connect Provider URL.",
        ),
    ] {
        error(
            &root,
            &[("Action", "CreateOpenIDConnectProvider"), ("Url", url)],
            status,
            code,
            message,
        );
    }
    // A path is part of the provider, and so is a trailing slash.
    let eks = ok(
        &root,
        &[
            ("Action", "CreateOpenIDConnectProvider"),
            ("Url", "https://oidc.eks.us-east-1.amazonaws.com/id/ABC123"),
        ],
    );
    assert_eq!(
        eks.text("OpenIDConnectProviderArn").as_deref(),
        Some("arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123")
    );
    ok(
        &root,
        &[
            ("Action", "CreateOpenIDConnectProvider"),
            ("Url", "https://oidc.eks.us-east-1.amazonaws.com/id/ABC123/"),
        ],
    );
}

#[test]
fn thumbprints_and_client_ids() {
    let (_emu, root) = setup();
    create_github(&root);
    let arn = ("OpenIDConnectProviderArn", GITHUB_ARN);
    let six: Vec<String> = (0..6).map(|n| format!("{n}").repeat(40)).collect();
    let mut params = vec![("Action", "UpdateOpenIDConnectProviderThumbprint"), arn];
    let names: Vec<String> = (1..=6).map(|n| format!("ThumbprintList.member.{n}")).collect();
    for (name, value) in names.iter().zip(&six) {
        params.push((name, value));
    }
    error(
        &root,
        &params,
        400,
        "InvalidInput",
        "Thumbprint list must contain fewer than 5 entries.",
    );
    error(
        &root,
        &[
            ("Action", "UpdateOpenIDConnectProviderThumbprint"),
            arn,
            ("ThumbprintList.member.1", "abc"),
        ],
        400,
        "InvalidInput",
        "Thumbprint must be exactly 40 characters.",
    );
    ok(&root, &params[..7]);
    let got = ok(&root, &[("Action", "GetOpenIDConnectProvider"), arn]);
    let members = got.texts("member");
    assert_eq!(members[0], "sts.amazonaws.com");
    assert_eq!(members[1..6], six[..5], "the five thumbprints replaced the one");
    // Adding a client id twice, or removing one that is not there, is fine.
    for _ in 0..2 {
        ok(
            &root,
            &[
                ("Action", "AddClientIDToOpenIDConnectProvider"),
                arn,
                ("ClientID", "my-app"),
            ],
        );
    }
    ok(
        &root,
        &[
            ("Action", "RemoveClientIDFromOpenIDConnectProvider"),
            arn,
            ("ClientID", "sts.amazonaws.com"),
        ],
    );
    ok(
        &root,
        &[
            ("Action", "RemoveClientIDFromOpenIDConnectProvider"),
            arn,
            ("ClientID", "never-added"),
        ],
    );
    let got = ok(&root, &[("Action", "GetOpenIDConnectProvider"), arn]);
    assert_eq!(got.texts("member")[0], "my-app");
    error(
        &root,
        &[
            ("Action", "AddClientIDToOpenIDConnectProvider"),
            ("OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/nowhere.example.com"),
            ("ClientID", "x"),
        ],
        404,
        "NoSuchEntity",
        "OpenIDConnect Provider not found for arn arn:aws:iam::123456789012:oidc-provider/nowhere.example.com",
    );
    // "This operation is idempotent": deleting twice succeeds twice.
    for _ in 0..2 {
        ok(&root, &[("Action", "DeleteOpenIDConnectProvider"), arn]);
    }
    error(
        &root,
        &[("Action", "GetOpenIDConnectProvider"), arn],
        404,
        "NoSuchEntity",
        "OpenIDConnect Provider not found",
    );
}

#[test]
fn provider_tags() {
    let (_emu, root) = setup();
    create_github(&root);
    let arn = ("OpenIDConnectProviderArn", GITHUB_ARN);
    ok(
        &root,
        &[
            ("Action", "TagOpenIDConnectProvider"),
            arn,
            ("Tags.member.1.Key", "TEAM"),
            ("Tags.member.1.Value", "platform"),
            ("Tags.member.2.Key", "env"),
            ("Tags.member.2.Value", "prod"),
        ],
    );
    let tags = ok(&root, &[("Action", "ListOpenIDConnectProviderTags"), arn]);
    assert_eq!(
        tags.texts("Key"),
        ["TEAM", "env"],
        "keys ignore case: TEAM replaced team"
    );
    assert_eq!(tags.texts("Value"), ["platform", "prod"]);
    ok(
        &root,
        &[
            ("Action", "UntagOpenIDConnectProvider"),
            arn,
            ("TagKeys.member.1", "team"),
        ],
    );
    let tags = ok(&root, &[("Action", "ListOpenIDConnectProviderTags"), arn]);
    assert_eq!(tags.texts("Key"), ["env"]);
    error(
        &root,
        &[
            ("Action", "TagOpenIDConnectProvider"),
            arn,
            ("Tags.member.1.Key", "a"),
            ("Tags.member.1.Value", "1"),
            ("Tags.member.2.Key", "A"),
            ("Tags.member.2.Value", "2"),
        ],
        400,
        "InvalidInput",
        "Duplicate tag keys found",
    );
}

#[test]
fn a_saml_provider_from_its_metadata() {
    let (_emu, root) = setup();
    let metadata = saml_metadata("https://idp.example.com/saml");
    let created = ok(
        &root,
        &[
            ("Action", "CreateSAMLProvider"),
            ("Name", "Okta"),
            ("SAMLMetadataDocument", &metadata),
            ("Tags.member.1.Key", "idp"),
            ("Tags.member.1.Value", "okta"),
        ],
    );
    let arn = "arn:aws:iam::123456789012:saml-provider/Okta";
    assert_eq!(created.text("SAMLProviderArn").as_deref(), Some(arn));
    let got = ok(&root, &[("Action", "GetSAMLProvider"), ("SAMLProviderArn", arn)]);
    assert_eq!(
        got.text("SAMLMetadataDocument").as_deref(),
        Some(metadata.as_str())
    );
    assert_eq!(got.text("ValidUntil").as_deref(), Some("2049-06-30T12:00:00Z"));
    let uuid = got.text("SAMLProviderUUID").unwrap();
    assert!(uuid.len() >= 22 && uuid.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    let listed = ok(&root, &[("Action", "ListSAMLProviders")]);
    assert_eq!(listed.texts("Arn"), [arn]);
    error(
        &root,
        &[
            ("Action", "CreateSAMLProvider"),
            ("Name", "Okta"),
            ("SAMLMetadataDocument", &metadata),
        ],
        409,
        "EntityAlreadyExists",
        "Okta",
    );
    let updated = saml_metadata("https://idp.example.com/other").replace("2049-06-30", "2050-01-01");
    ok(
        &root,
        &[
            ("Action", "UpdateSAMLProvider"),
            ("SAMLProviderArn", arn),
            ("SAMLMetadataDocument", &updated),
        ],
    );
    let got = ok(&root, &[("Action", "GetSAMLProvider"), ("SAMLProviderArn", arn)]);
    assert_eq!(got.text("ValidUntil").as_deref(), Some("2050-01-01T12:00:00Z"));
    ok(
        &root,
        &[("Action", "DeleteSAMLProvider"), ("SAMLProviderArn", arn)],
    );
    error(
        &root,
        &[("Action", "DeleteSAMLProvider"), ("SAMLProviderArn", arn)],
        404,
        "NoSuchEntity",
        &format!("Manifest not found for arn {arn}"),
    );
}

#[test]
fn saml_metadata_that_is_not_an_identity_providers_is_refused() {
    let (_emu, root) = setup();
    let good = saml_metadata("https://idp.example.com/saml");
    let not_idp = good.replace("IDPSSODescriptor", "SPSSODescriptor");
    let bad_certificate = {
        let start = good.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
        let end = good.find("</ds:X509Certificate>").unwrap();
        format!("{}{}{}", &good[..start], "A".repeat(end - start), &good[end..])
    };
    let not_xml = format!("{}<unclosed>", good.replace("</md:EntityDescriptor>", ""));
    for bad in [not_idp, bad_certificate, not_xml] {
        error(
            &root,
            &[
                ("Action", "CreateSAMLProvider"),
                ("Name", "Bad"),
                ("SAMLMetadataDocument", &bad),
            ],
            400,
            "InvalidInput",
            "Could not parse metadata",
        );
    }
    error(
        &root,
        &[
            ("Action", "CreateSAMLProvider"),
            ("Name", "Short"),
            ("SAMLMetadataDocument", "<md:EntityDescriptor/>"),
        ],
        400,
        "ValidationError",
        "at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length greater than or equal to 1000",
    );
}

#[test]
fn provider_arns_are_federated_principals_of_trust_policies() {
    let (_emu, root) = setup();
    let trust = |provider: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}}}}}]}}"#
        )
    };
    let create = |name: &str, provider: &str| {
        iam(
            &root,
            &[
                ("Action", "CreateRole"),
                ("RoleName", name),
                ("AssumeRolePolicyDocument", &trust(provider)),
            ],
        )
    };
    let refused = create("deploy", GITHUB_ARN).expect_error(400, "MalformedPolicyDocument");
    assert_eq!(
        refused.error_message().as_deref(),
        Some(format!("Invalid principal in policy: \"Federated\":\"{GITHUB_ARN}\"").as_str()),
        "the provider does not exist yet"
    );
    create_github(&root);
    let role = create("deploy", GITHUB_ARN).expect_ok();
    let document = url_decode(&role.text("AssumeRolePolicyDocument").unwrap());
    assert!(document.contains(GITHUB_ARN));
    // Providers AWS names by domain need no IAM provider.
    let _ = create("cognito", "cognito-identity.amazonaws.com").expect_ok();
    let saml_arn = "arn:aws:iam::123456789012:saml-provider/Okta";
    let _ = create("sso", saml_arn).expect_error(400, "MalformedPolicyDocument");
}

#[test]
fn provider_calls_are_authorized_on_the_providers_arn() {
    let (emu, root) = setup();
    create_github(&root);
    let credentials = root.create_user_with_keys("ci-admin");
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:*OpenIDConnectProvider*","Resource":"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"}}]}}"#
    );
    let _ = root.put_user_policy("ci-admin", "oidc", &policy).expect_ok();
    let admin = emu.client(&credentials);
    ok(
        &admin,
        &[
            ("Action", "GetOpenIDConnectProvider"),
            ("OpenIDConnectProviderArn", GITHUB_ARN),
        ],
    );
    let denied = iam(
        &admin,
        &[
            ("Action", "CreateOpenIDConnectProvider"),
            ("Url", "https://accounts.example.com"),
        ],
    )
    .expect_error(403, "AccessDenied");
    assert!(denied
        .error_message()
        .unwrap()
        .contains("iam:CreateOpenIDConnectProvider on resource: arn:aws:iam::123456789012:oidc-provider/accounts.example.com"));
    let denied = iam(&admin, &[("Action", "ListOpenIDConnectProviders")]).expect_error(403, "AccessDenied");
    let message = denied.error_message().unwrap();
    assert!(message.ends_with("iam:ListOpenIDConnectProviders because no identity-based policy allows the iam:ListOpenIDConnectProviders action"), "{message}");
}

#[test]
fn providers_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("iam-providers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let emu = Emulator::builder().state_dir(&dir).start();
        let root = emu.client(&emu.root_credentials());
        create_github(&root);
        ok(
            &root,
            &[
                ("Action", "CreateSAMLProvider"),
                ("Name", "Okta"),
                (
                    "SAMLMetadataDocument",
                    &saml_metadata("https://idp.example.com/saml"),
                ),
            ],
        );
    }
    let emu = Emulator::builder().state_dir(&dir).start();
    let root = emu.client(&emu.root_credentials());
    let got = ok(
        &root,
        &[
            ("Action", "GetOpenIDConnectProvider"),
            ("OpenIDConnectProviderArn", GITHUB_ARN),
        ],
    );
    assert_eq!(got.texts("Key"), ["team"]);
    ok(
        &root,
        &[
            ("Action", "GetSAMLProvider"),
            ("SAMLProviderArn", "arn:aws:iam::123456789012:saml-provider/Okta"),
        ],
    );
    let summary = ok(&root, &[("Action", "GetAccountSummary")]);
    let keys = summary.texts("key");
    let values = summary.texts("value");
    let providers = keys.iter().position(|k| k == "Providers").unwrap();
    assert_eq!(values[providers], "2");
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}

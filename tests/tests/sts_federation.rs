//! STS federation over the wire: AssumeRoleWithWebIdentity with tokens
//! the emulator issues (`POST /_emulator/oidc/token`) and tokens signed by
//! a registered key set, AssumeRoleWithSAML with the emulator's responses
//! and with responses signed by xmlsec1 (emulator/tests/data/saml),
//! GetFederationToken, session tags and source identity on AssumeRole,
//! and the emulator's key across a restart.

use base64::Engine as _;
use iam_harness::{Client, Credentials, Emulator, Reply};
use serde_json::json;

const ACCOUNT: &str = "123456789012";
const GITHUB: &str = "https://token.actions.githubusercontent.com";

fn allow(action: &str, resource: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
        .to_string()
}

/// The GitHub Actions recipe (AWS and GitHub docs): an OIDC provider for
/// GitHub's issuer with audience sts.amazonaws.com, and a role trusting it
/// for one repository's workflows.
fn github_role(root: &Client) -> String {
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "CreateOpenIDConnectProvider"),
                ("Url", GITHUB),
                ("ClientIDList.member.1", "sts.amazonaws.com"),
                (
                    "ThumbprintList.member.1",
                    "6938fd4d98bab03faadb97b34396831e3780aea1",
                ),
            ],
        )
        .expect_ok();
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}
        }
    }]});
    root.create_role("deploy", &trust.to_string())
}

#[allow(clippy::needless_pass_by_value)] // callers build the claims inline
fn token(emu: &Emulator, issuer: &str, claims: serde_json::Value, expires_in: i64) -> String {
    let body = json!({"issuer": issuer, "claims": claims, "expires_in": expires_in});
    let reply = emu.post("/_emulator/oidc/token", &body.to_string()).expect_ok();
    reply.json()["token"].as_str().unwrap().to_string()
}

fn github_token(emu: &Emulator, repo: &str) -> String {
    token(
        emu,
        GITHUB,
        json!({"sub": format!("repo:{repo}:ref:refs/heads/main"), "aud": "sts.amazonaws.com",
               "repository": repo, "job_workflow_ref": format!("{repo}/.github/workflows/deploy.yml@refs/heads/main")}),
        600,
    )
}

fn with_web_identity(emu: &Emulator, role: &str, token: &str) -> Reply {
    emu.unsigned_query(
        "sts",
        &[
            ("Action", "AssumeRoleWithWebIdentity"),
            ("RoleArn", role),
            ("RoleSessionName", "gha"),
            ("WebIdentityToken", token),
        ],
    )
}

#[test]
fn the_right_repositorys_token_assumes_the_role_and_another_is_denied() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let role = github_role(&root);
    let reply = with_web_identity(&emu, &role, &github_token(&emu, "acme/app")).expect_ok();
    assert_eq!(
        reply.text("Arn").as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/deploy/gha")
    );
    assert_eq!(
        reply.text("SubjectFromWebIdentityToken").as_deref(),
        Some("repo:acme/app:ref:refs/heads/main")
    );
    assert_eq!(reply.text("Audience").as_deref(), Some("sts.amazonaws.com"));
    assert!(reply
        .text("Provider")
        .unwrap()
        .ends_with("oidc-provider/token.actions.githubusercontent.com"));
    let session = emu.client(&reply.credentials().unwrap());
    let me = session
        .query("sts", &[("Action", "GetCallerIdentity")])
        .expect_ok();
    assert_eq!(
        me.text("Arn").as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/deploy/gha")
    );
    assert!(me.text("UserId").unwrap().ends_with(":gha"));

    // "Not authorized to perform sts:AssumeRoleWithWebIdentity": AWS's words.
    let denied =
        with_web_identity(&emu, &role, &github_token(&emu, "evil/app")).expect_error(403, "AccessDenied");
    assert_eq!(
        denied.error_message().as_deref(),
        Some("Not authorized to perform sts:AssumeRoleWithWebIdentity")
    );
}

#[test]
fn bad_tokens_are_refused_with_awss_errors() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let role = github_role(&root);
    let claims = json!({"sub": "repo:acme/app:ref:refs/heads/main", "aud": "sts.amazonaws.com"});
    // Expired (the emulator's clock decides).
    let expired = token(&emu, GITHUB, claims.clone(), 60);
    emu.advance_clock(61);
    let _ = with_web_identity(&emu, &role, &expired).expect_error(400, "ExpiredTokenException");
    // Not yet valid.
    let mut later = claims.clone();
    later["nbf"] = json!(i64::MAX / 2);
    let _ = with_web_identity(&emu, &role, &token(&emu, GITHUB, later, 600))
        .expect_error(400, "InvalidIdentityToken");
    // Wrong audience.
    let mut other = claims.clone();
    other["aud"] = json!("someone-else");
    let reply = with_web_identity(&emu, &role, &token(&emu, GITHUB, other, 600))
        .expect_error(400, "InvalidIdentityToken");
    assert_eq!(reply.error_message().as_deref(), Some("Incorrect token audience"));
    // An issuer the account has no provider for.
    let reply = with_web_identity(
        &emu,
        &role,
        &token(&emu, "https://idp.unknown.test", claims.clone(), 600),
    )
    .expect_error(400, "InvalidIdentityToken");
    assert!(reply
        .error_message()
        .unwrap()
        .contains("No OpenIDConnect provider found"));
    // Tampered payload, and not a JWT at all.
    let good = token(&emu, GITHUB, claims, 600);
    let parts: Vec<&str> = good.split('.').collect();
    let forged = format!("{}.{}.{}", parts[0], &parts[2][..20], parts[2]);
    let _ = with_web_identity(&emu, &role, &forged).expect_error(400, "InvalidIdentityToken");
    let _ = with_web_identity(&emu, &role, "not-a-jwt").expect_error(400, "InvalidIdentityToken");
}

#[test]
fn a_signed_call_works_too_and_unsigned_calls_of_other_operations_do_not() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let role = github_role(&root);
    let reply = root.query(
        "sts",
        &[
            ("Action", "AssumeRoleWithWebIdentity"),
            ("RoleArn", &role),
            ("RoleSessionName", "signed"),
            ("WebIdentityToken", &github_token(&emu, "acme/app")),
        ],
    );
    let _ = reply.expect_ok();
    let _ = emu
        .unsigned_query("sts", &[("Action", "GetFederationToken"), ("Name", "bob")])
        .expect_error(403, "MissingAuthenticationToken");
}

#[test]
fn federated_users_get_their_users_policies_bounded_by_the_passed_policy_and_no_iam() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("proxy");
    let _ = root.put_user_policy(
        "proxy",
        "p",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["sts:GetFederationToken", "s3:ListAllMyBuckets", "s3:CreateBucket", "iam:ListUsers"], "Resource": "*"}
        ]})
        .to_string(),
    )
    .expect_ok();
    let proxy = emu.client(&root.create_access_key("proxy"));
    let reply = proxy
        .query(
            "sts",
            &[
                ("Action", "GetFederationToken"),
                ("Name", "bob"),
                ("Policy", &allow("s3:ListAllMyBuckets", "*")),
            ],
        )
        .expect_ok();
    assert_eq!(
        reply.text("Arn").as_deref(),
        Some("arn:aws:sts::123456789012:federated-user/bob")
    );
    assert_eq!(reply.text("FederatedUserId").as_deref(), Some("123456789012:bob"));
    let bob = emu.client(&reply.credentials().unwrap());
    let me = bob.query("sts", &[("Action", "GetCallerIdentity")]).expect_ok();
    assert_eq!(me.text("UserId").as_deref(), Some("123456789012:bob"));
    // Both allow it.
    assert!(bob.s3("GET", "/", &[], &[], b"").is_ok());
    // The user's policy allows it, the passed one does not.
    let _ = bob
        .s3("PUT", "/bobs-bucket", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    // IAM: never, whatever both allow.
    let denied = bob
        .query("iam", &[("Action", "ListUsers")])
        .expect_error(403, "AccessDenied");
    assert!(denied.error_message().unwrap().contains("federated user"));
    let _ = bob
        .query("sts", &[("Action", "GetSessionToken")])
        .expect_error(403, "AccessDenied");
    // No policy passed: no permissions.
    let bare = proxy
        .query("sts", &[("Action", "GetFederationToken"), ("Name", "eve")])
        .expect_ok();
    let eve = emu.client(&bare.credentials().unwrap());
    let _ = eve
        .s3("GET", "/", &[], &[], b"")
        .expect_error(403, "AccessDenied");
    // Session credentials may not call it.
    let _ = bob
        .query("sts", &[("Action", "GetFederationToken"), ("Name", "x1")])
        .expect_error(403, "AccessDenied");
}

fn tagging_role(root: &Client, actions: &[&str]) -> String {
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": actions}]});
    let name = format!("r{}", actions.len());
    let arn = root.create_role(&name, &trust.to_string());
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "PutRolePolicy"),
                ("RoleName", &name),
                ("PolicyName", "p"),
                ("PolicyDocument", &allow("sts:*", "*")),
            ],
        )
        .expect_ok();
    arn
}

#[test]
fn session_tags_need_tag_session_and_transitive_tags_follow_the_chain() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("dev");
    let _ = root.put_user_policy("dev", "p", &allow("sts:*", "*")).expect_ok();
    let dev = emu.client(&root.create_access_key("dev"));
    let without = tagging_role(&root, &["sts:AssumeRole"]);
    let with = tagging_role(
        &root,
        &["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
    );
    let tagged = |role: &str, client: &Client| {
        client.query(
            "sts",
            &[
                ("Action", "AssumeRole"),
                ("RoleArn", role),
                ("RoleSessionName", "s1"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "blue"),
                ("Tags.member.2.Key", "cost"),
                ("Tags.member.2.Value", "42"),
                ("TransitiveTagKeys.member.1", "team"),
            ],
        )
    };
    let denied = tagged(&without, &dev).expect_error(403, "AccessDenied");
    assert!(denied.error_message().unwrap().contains("sts:TagSession"));
    let first = emu.client(&tagged(&with, &dev).expect_ok().credentials().unwrap());
    let second = first
        .query(
            "sts",
            &[
                ("Action", "AssumeRole"),
                ("RoleArn", &with),
                ("RoleSessionName", "chained"),
            ],
        )
        .expect_ok();
    let key = second.text("AccessKeyId").unwrap();
    let decision = emu.app().state().sessions.get(&key).map(|s| s.tags.clone());
    assert_eq!(decision, Some(vec![("team".to_string(), "blue".to_string())]));
    // Source identity needs sts:SetSourceIdentity and is kept in the chain.
    let source = |role: &str| {
        dev.query(
            "sts",
            &[
                ("Action", "AssumeRole"),
                ("RoleArn", role),
                ("RoleSessionName", "s1"),
                ("SourceIdentity", "alice"),
            ],
        )
    };
    let _ = source(&without).expect_error(403, "AccessDenied");
    let reply = source(&with).expect_ok();
    assert_eq!(reply.text("SourceIdentity").as_deref(), Some("alice"));
}

fn saml_provider(root: &Client, metadata: &str) -> String {
    root.query(
        "iam",
        &[
            ("Action", "CreateSAMLProvider"),
            ("Name", "ExampleIdP"),
            ("SAMLMetadataDocument", metadata),
        ],
    )
    .expect_ok()
    .text("SAMLProviderArn")
    .unwrap()
}

fn saml_role(root: &Client, provider: &str) -> String {
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml"}}}]});
    root.create_role("saml-admins", &trust.to_string())
}

fn with_saml(emu: &Emulator, role: &str, provider: &str, response: &str) -> Reply {
    emu.unsigned_query(
        "sts",
        &[
            ("Action", "AssumeRoleWithSAML"),
            ("RoleArn", role),
            ("PrincipalArn", provider),
            ("SAMLAssertion", response),
        ],
    )
}

const METADATA: &str = include_str!("../../emulator/tests/data/saml/idp-metadata.xml");

#[test]
fn saml_responses_of_the_emulator_and_of_the_providers_own_key_assume_the_role() {
    use base64::Engine as _;
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let provider = saml_provider(&root, METADATA);
    let role = saml_role(&root, &provider);
    let body = json!({"provider_arn": provider, "role_arn": role, "subject": "carol", "expires_in": 300});
    let response = emu
        .post("/_emulator/saml/assertion", &body.to_string())
        .expect_ok()
        .json()["saml_response"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = with_saml(&emu, &role, &provider, &response).expect_ok();
    assert_eq!(
        reply.text("Arn").as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/saml-admins/carol")
    );
    assert_eq!(
        reply.text("Issuer").as_deref(),
        Some("https://idp.example.test/saml")
    );
    assert_eq!(reply.text("SubjectType").as_deref(), Some("persistent"));
    // Signed by the provider's own key (xmlsec1).
    let signed = include_str!("../../emulator/tests/data/saml/signed-assertion.xml");
    let encoded = base64::engine::general_purpose::STANDARD.encode(signed);
    let reply = with_saml(&emu, &role, &provider, &encoded).expect_ok();
    assert_eq!(reply.text("Subject").as_deref(), Some("carol@example.test"));
    // Tampered.
    let tampered = base64::engine::general_purpose::STANDARD.encode(signed.replace("carol@", "mallory@"));
    let _ = with_saml(&emu, &role, &provider, &tampered).expect_error(400, "InvalidIdentityToken");
    // Expired.
    emu.advance_clock(301);
    let _ = with_saml(&emu, &role, &provider, &response).expect_error(400, "ExpiredTokenException");
    // A role the Role attribute does not name.
    let other = saml_role_named(&root, &provider, "other");
    let body = json!({"provider_arn": provider, "role_arn": role, "subject": "carol"});
    let response = emu
        .post("/_emulator/saml/assertion", &body.to_string())
        .expect_ok()
        .json()["saml_response"]
        .as_str()
        .unwrap()
        .to_string();
    let _ = with_saml(&emu, &other, &provider, &response).expect_error(403, "IDPRejectedClaim");
}

fn saml_role_named(root: &Client, provider: &str, name: &str) -> String {
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML"}]});
    root.create_role(name, &trust.to_string())
}

#[test]
fn the_emulators_key_and_sessions_survive_a_restart() {
    let dir = tempfile_dir();
    let (jwks, access_key) = {
        let emu = Emulator::builder().state_dir(&dir).start();
        let root = emu.client(&emu.root_credentials());
        let role = github_role(&root);
        let jwks = emu.get("/_emulator/oidc/jwks").expect_ok().json();
        let token = github_token(&emu, "acme/app");
        let creds: Credentials = with_web_identity(&emu, &role, &token)
            .expect_ok()
            .credentials()
            .unwrap();
        emu.stop();
        (jwks, creds)
    };
    let emu = Emulator::builder().state_dir(&dir).start();
    assert_eq!(emu.get("/_emulator/oidc/jwks").expect_ok().json(), jwks);
    let session = emu.client(&access_key);
    let _ = session
        .query("sts", &[("Action", "GetCallerIdentity")])
        .expect_ok();
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sts-federation-{}-{}", std::process::id(), line!()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Bad input to the test identity provider's endpoints and to the unsigned
/// STS operations gets a 400 with a reason, never a 500, and the server
/// keeps serving.
#[test]
fn malformed_input_is_refused_and_the_server_keeps_serving() {
    use base64::Engine as _;
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let provider = saml_provider(&root, METADATA);
    let role = saml_role(&root, &provider);
    // An expiry past any date a token or an assertion can carry.
    for path in ["/_emulator/oidc/token", "/_emulator/saml/assertion"] {
        let body = json!({"issuer": GITHUB, "provider_arn": provider, "role_arn": role, "subject": "carol",
                          "expires_in": i64::MAX});
        let reply = emu.post(path, &body.to_string());
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        assert_eq!(reply.json()["field"], "expires_in");
        let reply = emu.post(path, "[1, 2]");
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
    }
    // A response nested ten thousand deep under a signature: refused before
    // canonicalization recurses into it.
    let depth = 10_000;
    let xml = format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">\
         <s:Assertion xmlns:s=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"x\">\
         <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/></ds:Signature>{}{}\
         </s:Assertion></samlp:Response>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let deep = base64::engine::general_purpose::STANDARD.encode(xml);
    let reply = with_saml(&emu, &role, &provider, &deep).expect_error(400, "InvalidIdentityToken");
    assert!(reply.error_message().unwrap().contains("nest deeper"));
    // A DTD with an entity, and text that is not base64.
    let dtd = base64::engine::general_purpose::STANDARD
        .encode("<!DOCTYPE r [<!ENTITY e \"x\">]><samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&e;</samlp:Response>");
    let reply = with_saml(&emu, &role, &provider, &dtd).expect_error(400, "InvalidIdentityToken");
    assert!(reply.error_message().unwrap().contains("DTD"));
    let _ =
        with_saml(&emu, &role, &provider, "%%%% not base64 %%%%").expect_error(400, "InvalidIdentityToken");
    // JWTs: three parts that are not JSON, a header naming no algorithm.
    let github = github_role(&root);
    for bad in ["a.b.c", "eyJ9.eyJ9.AA", "e30.e30.AA"] {
        let _ = with_web_identity(&emu, &github, bad).expect_error(400, "InvalidIdentityToken");
    }
    assert_eq!(emu.health()["status"], "ok");
}

/// How long the session a reply's key belongs to lasts, in seconds.
fn lasts(emu: &Emulator, reply: &Reply) -> i64 {
    let key = reply.text("AccessKeyId").unwrap();
    let expires = emu.app().state().sessions.get(&key).unwrap().expires;
    (expires - emu.app().clock.now()).whole_seconds()
}

/// Session durations as AWS bounds them: AssumeRoleWithSAML "lasts for the
/// duration that you specify, or until the time specified in the SAML
/// authentication response's SessionNotOnOrAfter value, whichever is
/// shorter", within the role's MaxSessionDuration and above 900 seconds;
/// GetFederationToken "obtained using root user credentials … defaults to
/// one hour" past one hour (STS API Reference).
#[test]
fn session_durations_follow_the_role_the_assertion_and_the_caller() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let provider = saml_provider(&root, METADATA);
    let role = saml_role(&root, &provider);
    let response = |session_expires_in: Option<i64>| {
        let mut body = json!({"provider_arn": provider, "role_arn": role, "subject": "carol"});
        if let Some(s) = session_expires_in {
            body["session_expires_in"] = json!(s);
        }
        emu.post("/_emulator/saml/assertion", &body.to_string())
            .expect_ok()
            .json()["saml_response"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let with_duration = |response: &str, duration: &str| {
        emu.unsigned_query(
            "sts",
            &[
                ("Action", "AssumeRoleWithSAML"),
                ("RoleArn", &role),
                ("PrincipalArn", &provider),
                ("SAMLAssertion", response),
                ("DurationSeconds", duration),
            ],
        )
    };
    // The default hour; SessionNotOnOrAfter cuts it short.
    assert_eq!(
        lasts(
            &emu,
            &with_saml(&emu, &role, &provider, &response(None)).expect_ok()
        ),
        3600
    );
    assert_eq!(
        lasts(
            &emu,
            &with_saml(&emu, &role, &provider, &response(Some(1200))).expect_ok()
        ),
        1200
    );
    assert_eq!(
        lasts(&emu, &with_duration(&response(Some(7200)), "1800").expect_ok()),
        1800
    );
    // Beyond the role's MaxSessionDuration (one hour), or under 900 seconds.
    let over = with_duration(&response(None), "7200").expect_error(400, "ValidationError");
    assert_eq!(
        over.error_message().as_deref(),
        Some("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    );
    let _ = with_duration(&response(None), "899").expect_error(400, "ValidationError");
    // The root user's federation token lasts an hour at most; a user's 36 hours.
    let federation = |client: &Client, duration: &str| {
        client.query(
            "sts",
            &[
                ("Action", "GetFederationToken"),
                ("Name", "bob"),
                ("DurationSeconds", duration),
            ],
        )
    };
    assert_eq!(lasts(&emu, &federation(&root, "129600").expect_ok()), 3600);
    assert_eq!(lasts(&emu, &federation(&root, "1800").expect_ok()), 1800);
    root.create_user("proxy");
    let _ = root
        .put_user_policy("proxy", "p", &allow("sts:GetFederationToken", "*"))
        .expect_ok();
    let proxy = emu.client(&root.create_access_key("proxy"));
    assert_eq!(lasts(&emu, &federation(&proxy, "129600").expect_ok()), 129_600);
    let _ = federation(&proxy, "129601").expect_error(400, "ValidationError");
    let _ = federation(&proxy, "899").expect_error(400, "ValidationError");
    let session = proxy.query(
        "sts",
        &[("Action", "GetSessionToken"), ("DurationSeconds", "129600")],
    );
    assert_eq!(lasts(&emu, &session.expect_ok()), 129_600);
    let session = root.query(
        "sts",
        &[("Action", "GetSessionToken"), ("DurationSeconds", "129600")],
    );
    assert_eq!(lasts(&emu, &session.expect_ok()), 3600);
}

/// "After the source identity is set, the value cannot be changed … and
/// persists across chained role sessions" (STS API Reference, AssumeRole):
/// a chained AssumeRole asking for another is denied by the evaluator's
/// rule, the same one or none keeps it.
#[test]
fn a_source_identity_cannot_be_changed_down_a_role_chain() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("dev");
    let _ = root.put_user_policy("dev", "p", &allow("sts:*", "*")).expect_ok();
    let dev = emu.client(&root.create_access_key("dev"));
    let role = tagging_role(&root, &["sts:AssumeRole", "sts:SetSourceIdentity"]);
    let assume = |client: &Client, source: Option<&str>| {
        let mut params = vec![
            ("Action", "AssumeRole"),
            ("RoleArn", role.as_str()),
            ("RoleSessionName", "chain"),
        ];
        if let Some(source) = source {
            params.push(("SourceIdentity", source));
        }
        client.query("sts", &params)
    };
    let first = emu.client(&assume(&dev, Some("alice")).expect_ok().credentials().unwrap());
    let denied = assume(&first, Some("mallory")).expect_error(403, "AccessDenied");
    assert!(
        denied
            .error_message()
            .unwrap()
            .ends_with("because the source identity of the calling session cannot be changed"),
        "{denied:?}"
    );
    for same in [Some("alice"), None] {
        let reply = assume(&first, same).expect_ok();
        assert_eq!(reply.text("SourceIdentity").as_deref(), Some("alice"), "{same:?}");
    }
}

/// A federated user's principal tags are its federating user's tags, with
/// the session tags passed to GetFederationToken overriding keys they share
/// ("session tags override a user tag with the same key", STS API Reference).
#[test]
fn a_federated_user_carries_its_users_tags_under_its_session_tags() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("proxy");
    let _ = root
        .query(
            "iam",
            &[
                ("Action", "TagUser"),
                ("UserName", "proxy"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "red"),
            ],
        )
        .expect_ok();
    let _ = root.put_user_policy("proxy", "p", &allow("*", "*")).expect_ok();
    let proxy = emu.client(&root.create_access_key("proxy"));
    let only_red =
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}]})
        .to_string();
    let federate = |team: Option<&str>| {
        let mut params = vec![
            ("Action", "GetFederationToken"),
            ("Name", "bob"),
            ("Policy", only_red.as_str()),
        ];
        if let Some(team) = team {
            params.extend([("Tags.member.1.Key", "team"), ("Tags.member.1.Value", team)]);
        }
        emu.client(&proxy.query("sts", &params).expect_ok().credentials().unwrap())
    };
    // The user's tag is the federated user's.
    assert!(federate(None).s3("GET", "/", &[], &[], b"").is_ok());
    // A session tag of the same key overrides it.
    let _ = federate(Some("blue"))
        .s3("GET", "/", &[], &[], b"")
        .expect_error(403, "AccessDenied");
}

/// "Tokens must be signed using either RSA keys (RS256, RS384, or RS512) or
/// ECDSA keys (ES256, ES384, or ES512)" (STS API Reference,
/// AssumeRoleWithWebIdentity): an ES384 token of the test identity provider
/// assumes the role like an RS256 one; an unknown algorithm is refused; a
/// fractional timestamp is not an expiry.
#[test]
fn es384_tokens_assume_the_role_and_the_key_set_publishes_both_keys() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let role = github_role(&root);
    let claims = json!({"sub": "repo:acme/app:ref:refs/heads/main", "aud": "sts.amazonaws.com"});
    let body = json!({"issuer": GITHUB, "claims": claims, "algorithm": "ES384"});
    let es384 = emu
        .post("/_emulator/oidc/token", &body.to_string())
        .expect_ok()
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = with_web_identity(&emu, &role, &es384).expect_ok();
    assert_eq!(reply.text("Audience").as_deref(), Some("sts.amazonaws.com"));
    let jwks = emu.get("/_emulator/oidc/jwks").expect_ok().json();
    let algs: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["alg"].as_str().unwrap())
        .collect();
    assert_eq!(algs, ["RS256", "ES384"]);
    let body = json!({"issuer": GITHUB, "claims": claims, "algorithm": "HS256"});
    assert_eq!(emu.post("/_emulator/oidc/token", &body.to_string()).status, 400);
    // A token whose header names another algorithm than its signature's.
    let parts: Vec<&str> = es384.split('.').collect();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#);
    let confused = format!("{header}.{}.{}", parts[1], parts[2]);
    let _ = with_web_identity(&emu, &role, &confused).expect_error(400, "InvalidIdentityToken");
    let mut fractional = claims.clone();
    fractional["exp"] = json!(4_102_444_800.5);
    let reply = with_web_identity(&emu, &role, &token(&emu, GITHUB, fractional, 600))
        .expect_error(400, "InvalidIdentityToken");
    assert!(reply.error_message().unwrap().contains("(exp)"));
}

/// GetWebIdentityToken's request carries `sts:SigningAlgorithm`,
/// `sts:IdentityTokenAudience` and `sts:DurationSeconds` (300 when not
/// given), and tags ask `sts:TagGetWebIdentityToken`, as the Service
/// Authorization Reference lists them. (The call then needs the account's
/// outbound web identity federation, which IAM does not serve on this
/// branch: past the door it answers OutboundWebIdentityFederationDisabledException.)
#[test]
fn web_identity_token_requests_are_authorized_on_their_algorithm_audience_duration_and_tags() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    root.create_user("workload");
    let policy = json!({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:GetWebIdentityToken", "Resource": "*",
    "Condition": {
        "StringEquals": {"sts:SigningAlgorithm": "ES384"},
        "ForAllValues:StringEquals": {"sts:IdentityTokenAudience": ["https://api.example.test"]},
        "NumericLessThanEquals": {"sts:DurationSeconds": "300"}
    }}]});
    let _ = root
        .put_user_policy("workload", "p", &policy.to_string())
        .expect_ok();
    let workload = emu.client(&root.create_access_key("workload"));
    let ask = |algorithm: &str, audience: &str, more: &[(&str, &str)]| {
        let mut params = vec![
            ("Action", "GetWebIdentityToken"),
            ("SigningAlgorithm", algorithm),
            ("Audience.member.1", audience),
        ];
        params.extend_from_slice(more);
        workload.query("sts", &params)
    };
    let past_the_door = |reply: Reply| {
        let _ = reply.expect_error(403, "OutboundWebIdentityFederationDisabledException");
    };
    past_the_door(ask("ES384", "https://api.example.test", &[]));
    past_the_door(ask(
        "ES384",
        "https://api.example.test",
        &[("DurationSeconds", "120")],
    ));
    for denied in [
        ask("RS256", "https://api.example.test", &[]),
        ask("ES384", "https://elsewhere.test", &[]),
        ask(
            "ES384",
            "https://api.example.test",
            &[("DurationSeconds", "3600")],
        ),
    ] {
        let reply = denied.expect_error(403, "AccessDenied");
        assert!(reply.error_message().unwrap().contains("sts:GetWebIdentityToken"));
    }
    let tags = [("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "blue")];
    let reply = ask("ES384", "https://api.example.test", &tags).expect_error(403, "AccessDenied");
    assert!(reply
        .error_message()
        .unwrap()
        .contains("sts:TagGetWebIdentityToken"));
    let _ = root
        .put_user_policy("workload", "tags", &allow("sts:TagGetWebIdentityToken", "*"))
        .expect_ok();
    past_the_door(ask("ES384", "https://api.example.test", &tags));
}

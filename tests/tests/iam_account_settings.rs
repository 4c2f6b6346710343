//! The account's settings over the wire: outbound web identity federation
//! (its issuer, FeatureEnabled / FeatureDisabled as AWS answers them, the
//! flag STS reads) and the version of the tokens STS's global endpoint
//! issues (SetSecurityTokenServicePreferences, GetAccountSummary), kept
//! across a restart.

use iam_harness::{Client, Emulator, Reply};

fn iam(client: &Client, params: &[(&str, &str)]) -> Reply {
    client.query("iam", params)
}

fn ok(client: &Client, params: &[(&str, &str)]) -> Reply {
    iam(client, params).expect_ok()
}

/// GetAccountSummary's `GlobalEndpointTokenVersion`.
fn token_version(client: &Client) -> String {
    let summary = ok(client, &[("Action", "GetAccountSummary")]);
    let keys = summary.texts("key");
    let values = summary.texts("value");
    let at = keys
        .iter()
        .position(|k| k == "GlobalEndpointTokenVersion")
        .expect("the summary has GlobalEndpointTokenVersion");
    values[at].clone()
}

fn is_issuer(text: &str) -> bool {
    text.strip_prefix("https://")
        .and_then(|rest| rest.strip_suffix(".tokens.sts.global.api.aws"))
        .is_some_and(|id| id.len() == 36 && id.split('-').count() == 5)
}

// IAM API Reference: EnableOutboundWebIdentityFederation "generates a unique issuer URL";
// FeatureEnabled: "You cannot enable the feature multiple times"; FeatureDisabled: "already
// disabled … You cannot disable the feature multiple times".
#[test]
fn outbound_federation_is_switched_on_and_off_with_one_issuer() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = iam(&root, &[("Action", "GetOutboundWebIdentityFederationInfo")])
        .expect_error(404, "FeatureDisabled");
    let _ = iam(&root, &[("Action", "DisableOutboundWebIdentityFederation")])
        .expect_error(404, "FeatureDisabled");
    let issuer = ok(&root, &[("Action", "EnableOutboundWebIdentityFederation")])
        .text("IssuerIdentifier")
        .unwrap();
    assert!(is_issuer(&issuer), "{issuer}");
    let again =
        iam(&root, &[("Action", "EnableOutboundWebIdentityFederation")]).expect_error(409, "FeatureEnabled");
    assert!(again.error_message().unwrap().contains("already enabled"));
    let info = ok(&root, &[("Action", "GetOutboundWebIdentityFederationInfo")]);
    assert_eq!(info.text("IssuerIdentifier").as_deref(), Some(issuer.as_str()));
    assert_eq!(info.text("JwtVendingEnabled").as_deref(), Some("true"));
    // STS reads the flag from the account's state.
    let account_issuer = |emu: &Emulator| {
        emu.app()
            .state()
            .account("123456789012")
            .and_then(|a| a.outbound_federation_issuer().map(str::to_string))
    };
    assert_eq!(account_issuer(&emu).as_deref(), Some(issuer.as_str()));
    ok(&root, &[("Action", "DisableOutboundWebIdentityFederation")]);
    let _ = iam(&root, &[("Action", "DisableOutboundWebIdentityFederation")])
        .expect_error(404, "FeatureDisabled");
    assert_eq!(account_issuer(&emu), None);
    let info = ok(&root, &[("Action", "GetOutboundWebIdentityFederationInfo")]);
    assert_eq!(info.text("JwtVendingEnabled").as_deref(), Some("false"));
    // Enabled again, the account keeps its issuer.
    let again = ok(&root, &[("Action", "EnableOutboundWebIdentityFederation")]);
    assert_eq!(again.text("IssuerIdentifier").as_deref(), Some(issuer.as_str()));
}

// IAM API Reference, SetSecurityTokenServicePreferences: "To view the current session token
// version, see the GlobalEndpointTokenVersion entry in the response of the GetAccountSummary
// operation."
#[test]
fn the_global_endpoint_token_version_is_the_one_set() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    assert_eq!(token_version(&root), "1");
    ok(
        &root,
        &[
            ("Action", "SetSecurityTokenServicePreferences"),
            ("GlobalEndpointTokenVersion", "v2Token"),
        ],
    );
    assert_eq!(token_version(&root), "2");
    let _ = iam(
        &root,
        &[
            ("Action", "SetSecurityTokenServicePreferences"),
            ("GlobalEndpointTokenVersion", "v3Token"),
        ],
    )
    .expect_error(400, "ValidationError");
    let _ =
        iam(&root, &[("Action", "SetSecurityTokenServicePreferences")]).expect_error(400, "ValidationError");
    ok(
        &root,
        &[
            ("Action", "SetSecurityTokenServicePreferences"),
            ("GlobalEndpointTokenVersion", "v1Token"),
        ],
    );
    assert_eq!(token_version(&root), "1");
}

#[test]
fn settings_are_their_own_actions_on_no_resource() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let admin = emu.client(&root.create_user_with_keys("admin"));
    for action in [
        "EnableOutboundWebIdentityFederation",
        "GetOutboundWebIdentityFederationInfo",
    ] {
        let denied = iam(&admin, &[("Action", action)]).expect_error(403, "AccessDenied");
        assert_eq!(
            denied.error_message().unwrap(),
            format!("User: arn:aws:iam::123456789012:user/admin is not authorized to perform: iam:{action} because no identity-based policy allows the iam:{action} action")
        );
    }
    let _ = root
        .put_user_policy(
            "admin",
            "sts-prefs",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:SetSecurityTokenServicePreferences","iam:EnableOutboundWebIdentityFederation"],"Resource":"*"}]}"#,
        )
        .expect_ok();
    ok(
        &admin,
        &[
            ("Action", "SetSecurityTokenServicePreferences"),
            ("GlobalEndpointTokenVersion", "v2Token"),
        ],
    );
    ok(&admin, &[("Action", "EnableOutboundWebIdentityFederation")]);
    let _ =
        iam(&admin, &[("Action", "DisableOutboundWebIdentityFederation")]).expect_error(403, "AccessDenied");
}

#[test]
fn settings_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("iam-account-settings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let issuer = {
        let emu = Emulator::builder().state_dir(&dir).start();
        let root = emu.client(&emu.root_credentials());
        ok(
            &root,
            &[
                ("Action", "SetSecurityTokenServicePreferences"),
                ("GlobalEndpointTokenVersion", "v2Token"),
            ],
        );
        ok(&root, &[("Action", "EnableOutboundWebIdentityFederation")])
            .text("IssuerIdentifier")
            .unwrap()
    };
    let emu = Emulator::builder().state_dir(&dir).start();
    let root = emu.client(&emu.root_credentials());
    assert_eq!(token_version(&root), "2");
    let info = ok(&root, &[("Action", "GetOutboundWebIdentityFederationInfo")]);
    assert_eq!(info.text("IssuerIdentifier"), Some(issuer));
    assert_eq!(info.text("JwtVendingEnabled").as_deref(), Some("true"));
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}

//! Credentials beside access keys, over the wire: server certificates and
//! signing certificates (X.509 PEM parsed), SSH public keys (parsed, with
//! their fingerprint) and service-specific credentials; AWS's errors and
//! quotas, each operation authorized as its own action, and all of it kept
//! across a restart.

use iam_emulator_tests::iam::{allow, denied, iam, ok, refused, StateDir};
use iam_harness::{Client, Emulator};

const CERT: &str = include_str!("../../emulator/tests/data/cert.pem");
const KEY: &str = include_str!("../../emulator/tests/data/key.pem");
const OTHER_KEY: &str = include_str!("../../emulator/tests/data/other-key.pem");
const EC_CERT: &str = include_str!("../../emulator/tests/data/ec-cert.pem");
const THIRD_CERT: &str = include_str!("../../emulator/tests/data/third-cert.pem");
const SSH_RSA: &str = include_str!("../../emulator/tests/data/ssh_rsa.pub");
const SSH_RSA_PEM: &str = include_str!("../../emulator/tests/data/ssh_rsa.pem.pub");
const SSH_ED25519: &str = include_str!("../../emulator/tests/data/ssh_ed.pub");
/// `ssh-keygen -l -E md5 -f emulator/tests/data/ssh_rsa.pub`.
const SSH_RSA_MD5: &str = "cb:58:24:ea:8c:af:80:6b:d3:71:ad:42:69:a4:b0:9f";

fn setup() -> (Emulator, Client) {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    (emu, root)
}

fn upload_server(root: &Client, name: &str, key: &str) -> iam_harness::Reply {
    iam(
        root,
        &[
            ("Action", "UploadServerCertificate"),
            ("ServerCertificateName", name),
            ("Path", "/cloudfront/"),
            ("CertificateBody", CERT),
            ("PrivateKey", key),
            ("Tags.member.1.Key", "env"),
            ("Tags.member.1.Value", "prod"),
        ],
    )
}

#[test]
fn a_server_certificate_is_parsed_kept_and_renamed() {
    let (_emu, root) = setup();
    let up = upload_server(&root, "web", KEY).expect_ok();
    assert_eq!(
        up.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:server-certificate/cloudfront/web")
    );
    let id = up.text("ServerCertificateId").unwrap_or_default();
    assert!(id.starts_with("ASCA") && id.len() == 21, "{id}");
    // The expiration is the certificate's own notAfter (Dec 1 21:22:16 2036 GMT).
    assert_eq!(up.text("Expiration").as_deref(), Some("2036-12-01T21:22:16Z"));
    let _ = upload_server(&root, "WEB", KEY).expect_error(409, "EntityAlreadyExists");
    refused(
        &root,
        &[
            ("Action", "UploadServerCertificate"),
            ("ServerCertificateName", "junk"),
            (
                "CertificateBody",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            ),
            ("PrivateKey", KEY),
        ],
        400,
        "MalformedCertificate",
        "Unable to parse certificate.",
    );
    refused(
        &root,
        &[
            ("Action", "UploadServerCertificate"),
            ("ServerCertificateName", "mismatch"),
            ("CertificateBody", CERT),
            ("PrivateKey", OTHER_KEY),
        ],
        400,
        "KeyPairMismatch",
        "Certificate and private key do not match.",
    );
    let got = ok(
        &root,
        &[
            ("Action", "GetServerCertificate"),
            ("ServerCertificateName", "web"),
        ],
    );
    assert_eq!(got.text("CertificateBody").as_deref(), Some(CERT));
    assert_eq!(got.texts("Key"), ["env"]);
    assert!(
        !got.body.contains("PRIVATE KEY"),
        "the private key never leaves IAM"
    );
    let listed = ok(
        &root,
        &[
            ("Action", "ListServerCertificates"),
            ("PathPrefix", "/cloudfront/"),
        ],
    );
    assert_eq!(listed.texts("ServerCertificateName"), ["web"]);
    ok(
        &root,
        &[
            ("Action", "UpdateServerCertificate"),
            ("ServerCertificateName", "web"),
            ("NewServerCertificateName", "www"),
            ("NewPath", "/"),
        ],
    );
    refused(
        &root,
        &[
            ("Action", "GetServerCertificate"),
            ("ServerCertificateName", "web"),
        ],
        404,
        "NoSuchEntity",
        "The Server Certificate with name web cannot be found.",
    );
    let got = ok(
        &root,
        &[
            ("Action", "GetServerCertificate"),
            ("ServerCertificateName", "www"),
        ],
    );
    assert_eq!(
        got.text("Arn").as_deref(),
        Some("arn:aws:iam::123456789012:server-certificate/www")
    );
    assert_eq!(got.text("ServerCertificateId").as_deref(), Some(id.as_str()));
    ok(
        &root,
        &[
            ("Action", "DeleteServerCertificate"),
            ("ServerCertificateName", "www"),
        ],
    );
    refused(
        &root,
        &[
            ("Action", "DeleteServerCertificate"),
            ("ServerCertificateName", "www"),
        ],
        404,
        "NoSuchEntity",
        "The Server Certificate with name www cannot be found.",
    );
}

#[test]
fn signing_certificates_are_two_per_user_and_never_twice() {
    let (_emu, root) = setup();
    root.create_user("alice");
    let upload = |body: &str| {
        iam(
            &root,
            &[
                ("Action", "UploadSigningCertificate"),
                ("UserName", "alice"),
                ("CertificateBody", body),
            ],
        )
    };
    let first = upload(CERT).expect_ok();
    let id = first.text("CertificateId").unwrap_or_default();
    assert_eq!(id.len(), 32, "{id}");
    assert_eq!(first.text("Status").as_deref(), Some("Active"));
    let again = upload(CERT).expect_error(409, "DuplicateCertificate");
    assert!(again.error_message().unwrap_or_default().contains(&id));
    let _ = upload("not a certificate").expect_error(400, "MalformedCertificate");
    let _ = upload(EC_CERT).expect_ok();
    // "Signing certificates assigned to an IAM user: 2".
    let _ = upload(THIRD_CERT).expect_error(409, "LimitExceeded");
    let listed = ok(
        &root,
        &[("Action", "ListSigningCertificates"), ("UserName", "alice")],
    );
    assert_eq!(listed.texts("CertificateId").len(), 2);
    ok(
        &root,
        &[
            ("Action", "UpdateSigningCertificate"),
            ("UserName", "alice"),
            ("CertificateId", &id),
            ("Status", "Inactive"),
        ],
    );
    let listed = ok(
        &root,
        &[("Action", "ListSigningCertificates"), ("UserName", "alice")],
    );
    assert_eq!(listed.texts("Status"), ["Inactive", "Active"]);
    refused(
        &root,
        &[("Action", "DeleteUser"), ("UserName", "alice")],
        409,
        "DeleteConflict",
        "must delete signing certificates first",
    );
    ok(
        &root,
        &[
            ("Action", "DeleteSigningCertificate"),
            ("UserName", "alice"),
            ("CertificateId", &id),
        ],
    );
    refused(
        &root,
        &[
            ("Action", "DeleteSigningCertificate"),
            ("UserName", "alice"),
            ("CertificateId", &id),
        ],
        404,
        "NoSuchEntity",
        &format!("The Certificate with id {id} cannot be found."),
    );
}

#[test]
fn ssh_public_keys_are_parsed_and_fingerprinted() {
    let (_emu, root) = setup();
    root.create_user("alice");
    let upload = |body: &str| {
        iam(
            &root,
            &[
                ("Action", "UploadSSHPublicKey"),
                ("UserName", "alice"),
                ("SSHPublicKeyBody", body),
            ],
        )
    };
    let up = upload(SSH_RSA).expect_ok();
    let id = up.text("SSHPublicKeyId").unwrap_or_default();
    assert!(id.starts_with("APKA") && id.len() == 20, "{id}");
    assert_eq!(up.text("Fingerprint").as_deref(), Some(SSH_RSA_MD5));
    // The same key in PEM is the same key.
    let _ = upload(SSH_RSA_PEM).expect_error(400, "DuplicateSSHPublicKey");
    let _ = upload(SSH_ED25519).expect_error(400, "InvalidPublicKey");
    let _ = upload("hello").expect_error(400, "UnrecognizedPublicKeyEncoding");
    let get = |encoding: &str| {
        ok(
            &root,
            &[
                ("Action", "GetSSHPublicKey"),
                ("UserName", "alice"),
                ("SSHPublicKeyId", &id),
                ("Encoding", encoding),
            ],
        )
    };
    let ssh = get("SSH").text("SSHPublicKeyBody").unwrap_or_default();
    assert!(SSH_RSA.starts_with(&ssh), "{ssh}");
    let pem = get("PEM").text("SSHPublicKeyBody").unwrap_or_default();
    assert_eq!(pem.trim(), SSH_RSA_PEM.trim());
    ok(
        &root,
        &[
            ("Action", "UpdateSSHPublicKey"),
            ("UserName", "alice"),
            ("SSHPublicKeyId", &id),
            ("Status", "Inactive"),
        ],
    );
    let listed = ok(&root, &[("Action", "ListSSHPublicKeys"), ("UserName", "alice")]);
    assert_eq!(listed.texts("SSHPublicKeyId"), [id.as_str()]);
    assert_eq!(listed.texts("Status"), ["Inactive"]);
    refused(
        &root,
        &[
            ("Action", "DeleteSSHPublicKey"),
            ("UserName", "alice"),
            ("SSHPublicKeyId", "APKAEXAMPLEEXAMPLE00"),
        ],
        404,
        "NoSuchEntity",
        "The Public Key with id APKAEXAMPLEEXAMPLE00 cannot be found.",
    );
    ok(
        &root,
        &[
            ("Action", "DeleteSSHPublicKey"),
            ("UserName", "alice"),
            ("SSHPublicKeyId", &id),
        ],
    );
    assert!(
        ok(&root, &[("Action", "ListSSHPublicKeys"), ("UserName", "alice")])
            .texts("SSHPublicKeyId")
            .is_empty()
    );
}

#[test]
fn service_specific_credentials_are_generated_reset_and_limited() {
    let (_emu, root) = setup();
    root.create_user("alice");
    let create = |service: &str| {
        iam(
            &root,
            &[
                ("Action", "CreateServiceSpecificCredential"),
                ("UserName", "alice"),
                ("ServiceName", service),
            ],
        )
    };
    let first = create("codecommit.amazonaws.com").expect_ok();
    let id = first.text("ServiceSpecificCredentialId").unwrap_or_default();
    assert!(id.starts_with("ACCA"), "{id}");
    assert_eq!(
        first.text("ServiceUserName").as_deref(),
        Some("alice-at-123456789012")
    );
    let password = first.text("ServicePassword").unwrap_or_default();
    assert_eq!(password.len(), 44, "{password}");
    let second = create("codecommit.amazonaws.com").expect_ok();
    assert_ne!(second.text("ServiceUserName"), first.text("ServiceUserName"));
    // "Service-specific credentials per user per service: 2".
    let _ = create("codecommit.amazonaws.com").expect_error(409, "LimitExceeded");
    let _ = create("cassandra.amazonaws.com").expect_ok();
    let _ = create("ec2.amazonaws.com").expect_error(404, "NotSupportedService");
    let listed = ok(
        &root,
        &[
            ("Action", "ListServiceSpecificCredentials"),
            ("UserName", "alice"),
            ("ServiceName", "codecommit.amazonaws.com"),
        ],
    );
    assert_eq!(listed.texts("ServiceSpecificCredentialId").len(), 2);
    assert!(
        listed.text("ServicePassword").is_none(),
        "listing shows no password"
    );
    let reset = ok(
        &root,
        &[
            ("Action", "ResetServiceSpecificCredential"),
            ("UserName", "alice"),
            ("ServiceSpecificCredentialId", &id),
        ],
    );
    let new_password = reset.text("ServicePassword").unwrap_or_default();
    assert_eq!(new_password.len(), 44);
    assert_ne!(new_password, password);
    ok(
        &root,
        &[
            ("Action", "UpdateServiceSpecificCredential"),
            ("UserName", "alice"),
            ("ServiceSpecificCredentialId", &id),
            ("Status", "Inactive"),
        ],
    );
    let listed = ok(
        &root,
        &[
            ("Action", "ListServiceSpecificCredentials"),
            ("UserName", "alice"),
        ],
    );
    assert!(listed.texts("Status").contains(&"Inactive".to_string()));
    refused(
        &root,
        &[("Action", "DeleteUser"), ("UserName", "alice")],
        409,
        "DeleteConflict",
        "must delete service specific credentials first",
    );
    ok(
        &root,
        &[
            ("Action", "DeleteServiceSpecificCredential"),
            ("UserName", "alice"),
            ("ServiceSpecificCredentialId", &id),
        ],
    );
    let _ = iam(
        &root,
        &[
            ("Action", "DeleteServiceSpecificCredential"),
            ("UserName", "alice"),
            ("ServiceSpecificCredentialId", &id),
        ],
    )
    .expect_error(404, "NoSuchEntity");
}

#[test]
fn each_credential_operation_is_its_own_action() {
    let (emu, root) = setup();
    let alice = emu.client(&root.create_user_with_keys("alice"));
    root.create_user("bob");
    let bob = "arn:aws:iam::123456789012:user/bob";
    denied(
        &alice,
        &[
            ("Action", "UploadServerCertificate"),
            ("ServerCertificateName", "web"),
            ("CertificateBody", CERT),
            ("PrivateKey", KEY),
        ],
        "iam:UploadServerCertificate",
        "arn:aws:iam::123456789012:server-certificate/web",
    );
    denied(
        &alice,
        &[
            ("Action", "UploadSigningCertificate"),
            ("UserName", "bob"),
            ("CertificateBody", CERT),
        ],
        "iam:UploadSigningCertificate",
        bob,
    );
    denied(
        &alice,
        &[
            ("Action", "UploadSSHPublicKey"),
            ("UserName", "bob"),
            ("SSHPublicKeyBody", SSH_RSA),
        ],
        "iam:UploadSSHPublicKey",
        bob,
    );
    denied(
        &alice,
        &[
            ("Action", "CreateServiceSpecificCredential"),
            ("UserName", "bob"),
            ("ServiceName", "codecommit.amazonaws.com"),
        ],
        "iam:CreateServiceSpecificCredential",
        bob,
    );
    root.put_user_policy(
        "alice",
        "keys-for-bob",
        &allow(&["iam:UploadSSHPublicKey", "iam:UploadServerCertificate"]),
    );
    ok(
        &alice,
        &[
            ("Action", "UploadSSHPublicKey"),
            ("UserName", "bob"),
            ("SSHPublicKeyBody", SSH_RSA),
        ],
    );
    let _ = upload_server(&alice, "web", KEY).expect_ok();
    // Reading them back is another action.
    denied(
        &alice,
        &[("Action", "ListSSHPublicKeys"), ("UserName", "bob")],
        "iam:ListSSHPublicKeys",
        bob,
    );
    denied(
        &alice,
        &[
            ("Action", "GetServerCertificate"),
            ("ServerCertificateName", "web"),
        ],
        "iam:GetServerCertificate",
        "arn:aws:iam::123456789012:server-certificate/cloudfront/web",
    );
}

#[test]
fn certificates_and_keys_survive_a_restart() {
    let dir = StateDir::new("certificates");
    let (ssh_id, credential_id, password) = {
        let emu = dir.start();
        let root = emu.client(&emu.root_credentials());
        root.create_user("alice");
        let _ = upload_server(&root, "web", KEY).expect_ok();
        ok(
            &root,
            &[
                ("Action", "UploadSigningCertificate"),
                ("UserName", "alice"),
                ("CertificateBody", CERT),
            ],
        );
        let ssh = ok(
            &root,
            &[
                ("Action", "UploadSSHPublicKey"),
                ("UserName", "alice"),
                ("SSHPublicKeyBody", SSH_RSA),
            ],
        );
        let credential = ok(
            &root,
            &[
                ("Action", "CreateServiceSpecificCredential"),
                ("UserName", "alice"),
                ("ServiceName", "codecommit.amazonaws.com"),
            ],
        );
        (
            ssh.text("SSHPublicKeyId").unwrap_or_default(),
            credential.text("ServiceSpecificCredentialId").unwrap_or_default(),
            credential.text("ServicePassword").unwrap_or_default(),
        )
    };
    let emu = dir.start();
    let root = emu.client(&emu.root_credentials());
    let got = ok(
        &root,
        &[
            ("Action", "GetServerCertificate"),
            ("ServerCertificateName", "web"),
        ],
    );
    assert_eq!(got.text("CertificateBody").as_deref(), Some(CERT));
    assert_eq!(got.texts("Key"), ["env"]);
    assert_eq!(
        ok(
            &root,
            &[("Action", "ListSigningCertificates"), ("UserName", "alice")]
        )
        .texts("CertificateId")
        .len(),
        1
    );
    let key = ok(
        &root,
        &[
            ("Action", "GetSSHPublicKey"),
            ("UserName", "alice"),
            ("SSHPublicKeyId", &ssh_id),
            ("Encoding", "SSH"),
        ],
    );
    assert_eq!(key.text("Fingerprint").as_deref(), Some(SSH_RSA_MD5));
    let listed = ok(
        &root,
        &[
            ("Action", "ListServiceSpecificCredentials"),
            ("UserName", "alice"),
        ],
    );
    assert_eq!(listed.texts("ServiceSpecificCredentialId"), [credential_id]);
    assert!(!listed.body.contains(&password));
}

//! aws-sdk-rust against the emulator (feature `aws-sdk`): an `SdkConfig`
//! with the endpoint, region and root keys of an [`Emulator`], ready for
//! any service client (`aws_sdk_s3::Client::new(&config)`, …).

use crate::{Credentials, Emulator};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls;

impl Emulator {
    /// An aws-sdk-rust configuration for the emulator, signed as the
    /// default account's root. S3 clients also need path-style addressing
    /// (`force_path_style(true)`), as the emulator has no DNS for buckets.
    pub async fn sdk_config(&self) -> SdkConfig {
        self.sdk_config_as(&self.root_credentials()).await
    }

    /// [`Emulator::sdk_config`] signed with other credentials (an IAM
    /// user's keys, an STS session).
    pub async fn sdk_config_as(&self, credentials: &Credentials) -> SdkConfig {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build_https();
        let keys = aws_credential_types::Credentials::new(
            credentials.access_key_id.clone(),
            credentials.secret_access_key.clone(),
            credentials.session_token.clone(),
            None,
            "iam-harness",
        );
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(self.endpoint())
            .region(Region::new("us-east-1"))
            .credentials_provider(keys)
            .http_client(http)
            .load()
            .await
    }
}

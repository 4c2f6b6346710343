//! aws-sdk-rust against an in-process emulator: an IAM user with a policy,
//! its keys, then S3 through the SDK as that user — one allowed call, one
//! denied with the emulator's reason.
//!
//! ```sh
//! cargo run -p iam-harness --features aws-sdk --example aws_sdk_rust
//! ```

use iam_harness::{Credentials, Emulator};
use std::process::ExitCode;

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::reports/*"}]}"#;

/// The SDK part (async); the harness's own client is blocking, so the
/// set-up happens before the runtime starts.
async fn run(emu: &Emulator, alice: &Credentials) -> Result<(), String> {
    let config = emu.sdk_config_as(alice).await;
    let sts = aws_sdk_sts::Client::new(&config);
    let me = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    println!("signed in as {}", me.arn().unwrap_or_default());

    let s3_config = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(true)
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(s3_config);
    let written = b"region,total\neu,42\n".to_vec();
    s3.put_object()
        .bucket("reports")
        .key("q3.csv")
        .body(written.clone().into())
        .send()
        .await
        .map_err(|e| format!("PutObject: {e:?}"))?;
    let got = s3
        .get_object()
        .bucket("reports")
        .key("q3.csv")
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let body = got.body.collect().await.map_err(|e| e.to_string())?.into_bytes();
    if body.as_ref() != written.as_slice() {
        return Err(format!(
            "GetObject read back {:?}, not what PutObject wrote ({:?})",
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&written)
        ));
    }
    println!(
        "read back the {} bytes written (SDK default checksums verified by the emulator)",
        body.len()
    );

    match s3.delete_object().bucket("reports").key("q3.csv").send().await {
        Ok(_) => Err("DeleteObject should be denied: the policy does not grant it".into()),
        Err(e) => {
            let service = e.into_service_error();
            let meta = aws_sdk_s3::error::ProvideErrorMetadata::meta(&service);
            println!(
                "DeleteObject denied: {} — {}",
                meta.code().unwrap_or_default(),
                meta.message().unwrap_or_default()
            );
            (meta.code() == Some("AccessDenied"))
                .then_some(())
                .ok_or_else(|| format!("unexpected error {meta:?}"))
        }
    }
}

fn main() -> ExitCode {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("reports").expect_ok();
    let alice = root.create_user_with_keys("alice");
    let _ = root.put_user_policy("alice", "reports", POLICY).expect_ok();

    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run(&emu, &alice)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aws_sdk_rust example failed: {e}");
            ExitCode::FAILURE
        }
    }
}

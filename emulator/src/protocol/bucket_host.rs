//! Where an S3 request names its bucket and key: in the `Host` (virtual-host
//! style, `BUCKET.s3.localhost`, `BUCKET.s3.REGION.amazonaws.com`, …) or in
//! the path (path style). S3 routing and SigV2's canonical resource (which
//! names a virtual-host bucket) both read it here.

/// Splits the request into bucket and key: virtual-host style when the
/// host is `BUCKET.localhost`, `BUCKET.s3.localhost`, `BUCKET.s3[.REGION].amazonaws.com`;
/// path style otherwise (IP hosts are always path style).
pub fn bucket_and_key(host: Option<&str>, path: &str) -> (Option<String>, Option<String>) {
    let path = path.strip_prefix('/').unwrap_or(path);
    if let Some(bucket) = virtual_host_bucket(host) {
        return (Some(bucket), (!path.is_empty()).then(|| path.to_string()));
    }
    let (bucket, key) = path.split_once('/').map_or((path, None), |(b, k)| (b, Some(k)));
    let bucket = (!bucket.is_empty()).then(|| bucket.to_string());
    (bucket, key.filter(|k| !k.is_empty()).map(str::to_string))
}

/// The bucket named by a virtual-host style `Host`, if it is one.
pub fn virtual_host_bucket(host: Option<&str>) -> Option<String> {
    let host = host.unwrap_or_default();
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h);
    ["s3.localhost", "localhost", "localhost.localstack.cloud"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix)?.strip_suffix('.'))
        .or_else(|| {
            let (bucket, rest) = name.split_once(".s3")?;
            (rest.ends_with(".amazonaws.com") || rest.is_empty()).then_some(bucket)
        })
        .filter(|b| !b.is_empty() && *b != "s3")
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_virtual_host_styles() {
        let split = |h: &str, p: &str| bucket_and_key(Some(h), p);
        assert_eq!(
            split("127.0.0.1:4566", "/b/k/x"),
            (Some("b".into()), Some("k/x".into()))
        );
        assert_eq!(split("localhost:4566", "/b"), (Some("b".into()), None));
        assert_eq!(split("localhost:4566", "/"), (None, None));
        assert_eq!(
            split("b.localhost:4566", "/k"),
            (Some("b".into()), Some("k".into()))
        );
        assert_eq!(
            split("my.bucket.s3.localhost:4566", "/"),
            (Some("my.bucket".into()), None)
        );
        assert_eq!(
            split("b.s3.us-east-1.amazonaws.com", "/dir/"),
            (Some("b".into()), Some("dir/".into()))
        );
        assert_eq!(
            split("s3.localhost:4566", "/b/k"),
            (Some("b".into()), Some("k".into()))
        );
    }
}

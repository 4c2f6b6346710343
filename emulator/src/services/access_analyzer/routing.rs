//! Which row of [`super::OPERATIONS`] a request is for: its method and the
//! path pattern of the row (`/analyzer/{analyzerName}/archive-rule`), each
//! `{member}` one path segment. Segments are matched as sent (encoded), so
//! an ARN in `/tags/{resourceArn}`, whose slashes SDKs send as `%2F`, stays
//! one segment; members are decoded after matching.

use super::{Operation, OPERATIONS};
use crate::error::{AwsError, AwsResult, RestJson};

/// The row for `method` and `raw_path`, and the path's members.
pub fn route(method: &str, raw_path: &str) -> AwsResult<(&'static Operation, Vec<(&'static str, String)>)> {
    let path = raw_path.split('?').next().unwrap_or_default();
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let sent: Vec<&str> = path.split('/').collect();
    for operation in OPERATIONS.iter().filter(|o| o.method == method) {
        if let Some(members) = matches(operation.path, &sent) {
            return Ok((operation, members));
        }
    }
    Err(AwsError::new(
        RestJson::UnknownOperationException,
        format!("{method} {path} is not an IAM Access Analyzer operation."),
    ))
}

fn matches(pattern: &'static str, sent: &[&str]) -> Option<Vec<(&'static str, String)>> {
    let wanted: Vec<&'static str> = pattern.split('/').collect();
    if wanted.len() != sent.len() {
        return None;
    }
    let mut members = Vec::new();
    for (want, got) in wanted.iter().zip(sent) {
        match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            Some(name) => {
                if got.is_empty() {
                    return None;
                }
                let decoded = percent_encoding::percent_decode_str(got).decode_utf8_lossy();
                members.push((name, decoded.into_owned()));
            }
            None if want == got => {}
            None => return None,
        }
    }
    Some(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(method: &str, path: &str) -> &'static str {
        route(method, path).map_or("none", |(o, _)| o.name)
    }

    #[test]
    fn method_and_pattern_pick_the_row() {
        assert_eq!(name("GET", "/analyzer"), "ListAnalyzers");
        assert_eq!(name("PUT", "/analyzer"), "CreateAnalyzer");
        assert_eq!(name("GET", "/analyzer/a1"), "GetAnalyzer");
        assert_eq!(name("PUT", "/analyzer/a1"), "UpdateAnalyzer");
        assert_eq!(name("GET", "/analyzer/a1/archive-rule/r1"), "GetArchiveRule");
        assert_eq!(
            name("POST", "/analyzer/findings/statistics"),
            "GetFindingsStatistics"
        );
        assert_eq!(name("POST", "/policy/check-no-new-access"), "CheckNoNewAccess");
        assert_eq!(name("GET", "/policy/check-no-new-access"), "none");
        assert_eq!(name("POST", "/nothing/here"), "none");
    }

    #[test]
    fn an_encoded_arn_is_one_member() {
        let (operation, members) = route(
            "GET",
            "/tags/arn%3Aaws%3Aaccess-analyzer%3Aus-east-1%3A123456789012%3Aanalyzer%2Fa1",
        )
        .unwrap();
        assert_eq!(operation.name, "ListTagsForResource");
        assert_eq!(
            members,
            [(
                "resourceArn",
                "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/a1".to_string()
            )]
        );
    }
}

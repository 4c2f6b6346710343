//! IAM Access Analyzer (REST JSON, 2019-11-01): every operation of
//! botocore's `accessanalyzer` model, served from the emulator's state.
//!
//! How a request is served, in order:
//! 1. [`OPERATIONS`] is the one table of the service: each row names an
//!    operation, its HTTP method and path (as the model gives them), its
//!    IAM action and resource type (as the Service Authorization Reference
//!    gives them), and its handler. A request is routed to the row whose
//!    method and path pattern it matches ([`routing`]); none matching is
//!    `UnknownOperationException`, never another operation.
//! 2. The model's required members are checked ([`wire`]).
//! 3. The [`door`] decides the row's action on the row's resource through
//!    [`crate::authorize`]; then the handler runs. Handlers never name an
//!    action nor authorize.
//!
//! The families: [`checks`] (ValidatePolicy and the custom policy checks,
//! decided by `iam_evaluator`), [`analyzers`] (analyzers and tags),
//! [`archive_rules`], [`findings`] (findings, statistics, recommendations,
//! analyzed resources), [`previews`] (access previews) and [`generation`]
//! (policy generation from observed requests). Findings are computed by
//! [`scan`] from the state, when Access Analyzer is asked about them —
//! never on another service's request path.

mod analyzers;
mod archive_rules;
mod checks;
mod door;
mod filter;
mod findings;
mod generation;
mod previews;
mod routing;
mod scan;
mod wire;

pub use wire::error_response;

use super::{require_signed, Ctx};
use crate::auth::Caller;
use crate::error::AwsResult;
use crate::http::HttpResponse;
use crate::state::access_analyzer::analyzer_arn;
use crate::state::State;
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// What an operation's action is decided on: the resource type the Service
/// Authorization Reference gives it, and where the request names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// No resource type: `*`.
    Nothing,
    /// `Analyzer`, named by the path's `{analyzerName}`.
    AnalyzerNamed,
    /// `Analyzer`, named by the body's `analyzerName` (CreateAnalyzer).
    AnalyzerNamedInBody,
    /// `Analyzer`, by the `analyzerArn` of the body or the query.
    AnalyzerArn,
    /// `Analyzer`, one the service names itself (service-linked): `analyzer/*`.
    AnyAnalyzer,
    /// `ArchiveRule`: the path's `{analyzerName}` and the path's or the
    /// body's `ruleName`.
    ArchiveRule,
    /// `Analyzer`, by the path's `{resourceArn}` (the tagging operations).
    TaggedResource,
}

/// A handler: reads its input and acts (the door has authorized it).
#[derive(Clone, Copy)]
pub enum Handler {
    /// Reads nothing of the state: runs without its lock.
    Pure(fn(&Call) -> AwsResult<Value>),
    Read(fn(&Call, &State) -> AwsResult<Value>),
    Write(fn(&Call, &mut State) -> AwsResult<Value>),
}

/// One row of the service's table.
pub struct Operation {
    pub name: &'static str,
    pub method: &'static str,
    /// The request URI as the model writes it (`/analyzer/{analyzerName}`).
    pub path: &'static str,
    pub action: &'static str,
    pub on: On,
    pub handler: Handler,
}

const fn op(
    name: &'static str,
    method: &'static str,
    path: &'static str,
    action: &'static str,
    on: On,
    handler: Handler,
) -> Operation {
    Operation {
        name,
        method,
        path,
        action,
        on,
        handler,
    }
}

use Handler::{Pure, Read, Write};

/// Every operation, in the model's order. V2 finding operations are
/// authorized as their first versions (`access-analyzer:GetFinding`,
/// `access-analyzer:ListFindings`): the reference lists no action of their own.
pub const OPERATIONS: &[Operation] = &[
    op(
        "ApplyArchiveRule",
        "PUT",
        "/archive-rule",
        "access-analyzer:ApplyArchiveRule",
        On::AnalyzerArn,
        Write(archive_rules::apply),
    ),
    op(
        "CancelPolicyGeneration",
        "PUT",
        "/policy/generation/{jobId}",
        "access-analyzer:CancelPolicyGeneration",
        On::Nothing,
        Write(generation::cancel),
    ),
    op(
        "CheckAccessNotGranted",
        "POST",
        "/policy/check-access-not-granted",
        "access-analyzer:CheckAccessNotGranted",
        On::Nothing,
        Pure(checks::access_not_granted),
    ),
    op(
        "CheckNoNewAccess",
        "POST",
        "/policy/check-no-new-access",
        "access-analyzer:CheckNoNewAccess",
        On::Nothing,
        Pure(checks::no_new_access),
    ),
    op(
        "CheckNoPublicAccess",
        "POST",
        "/policy/check-no-public-access",
        "access-analyzer:CheckNoPublicAccess",
        On::Nothing,
        Pure(checks::no_public_access),
    ),
    op(
        "CreateAccessPreview",
        "PUT",
        "/access-preview",
        "access-analyzer:CreateAccessPreview",
        On::AnalyzerArn,
        Write(previews::create),
    ),
    op(
        "CreateAnalyzer",
        "PUT",
        "/analyzer",
        "access-analyzer:CreateAnalyzer",
        On::AnalyzerNamedInBody,
        Write(analyzers::create),
    ),
    op(
        "CreateArchiveRule",
        "PUT",
        "/analyzer/{analyzerName}/archive-rule",
        "access-analyzer:CreateArchiveRule",
        On::ArchiveRule,
        Write(archive_rules::create),
    ),
    op(
        "CreateServiceLinkedAnalyzer",
        "PUT",
        "/service-linked-analyzer",
        "access-analyzer:CreateServiceLinkedAnalyzer",
        On::AnyAnalyzer,
        Write(analyzers::create_service_linked),
    ),
    op(
        "DeleteAnalyzer",
        "DELETE",
        "/analyzer/{analyzerName}",
        "access-analyzer:DeleteAnalyzer",
        On::AnalyzerNamed,
        Write(analyzers::delete),
    ),
    op(
        "DeleteArchiveRule",
        "DELETE",
        "/analyzer/{analyzerName}/archive-rule/{ruleName}",
        "access-analyzer:DeleteArchiveRule",
        On::ArchiveRule,
        Write(archive_rules::delete),
    ),
    op(
        "DeleteServiceLinkedAnalyzer",
        "DELETE",
        "/service-linked-analyzer/{analyzerName}",
        "access-analyzer:DeleteServiceLinkedAnalyzer",
        On::AnalyzerNamed,
        Write(analyzers::delete_service_linked),
    ),
    op(
        "GenerateFindingRecommendation",
        "POST",
        "/recommendation/{id}",
        "access-analyzer:GenerateFindingRecommendation",
        On::AnalyzerArn,
        Write(findings::generate_recommendation),
    ),
    op(
        "GetAccessPreview",
        "GET",
        "/access-preview/{accessPreviewId}",
        "access-analyzer:GetAccessPreview",
        On::AnalyzerArn,
        Read(previews::get),
    ),
    op(
        "GetAnalyzedResource",
        "GET",
        "/analyzed-resource",
        "access-analyzer:GetAnalyzedResource",
        On::AnalyzerArn,
        Write(findings::get_analyzed_resource),
    ),
    op(
        "GetAnalyzer",
        "GET",
        "/analyzer/{analyzerName}",
        "access-analyzer:GetAnalyzer",
        On::AnalyzerNamed,
        Read(analyzers::get),
    ),
    op(
        "GetArchiveRule",
        "GET",
        "/analyzer/{analyzerName}/archive-rule/{ruleName}",
        "access-analyzer:GetArchiveRule",
        On::ArchiveRule,
        Read(archive_rules::get),
    ),
    op(
        "GetFinding",
        "GET",
        "/finding/{id}",
        "access-analyzer:GetFinding",
        On::AnalyzerArn,
        Write(findings::get),
    ),
    op(
        "GetFindingRecommendation",
        "GET",
        "/recommendation/{id}",
        "access-analyzer:GetFindingRecommendation",
        On::AnalyzerArn,
        Read(findings::get_recommendation),
    ),
    op(
        "GetFindingV2",
        "GET",
        "/findingv2/{id}",
        "access-analyzer:GetFinding",
        On::AnalyzerArn,
        Write(findings::get_v2),
    ),
    op(
        "GetFindingsStatistics",
        "POST",
        "/analyzer/findings/statistics",
        "access-analyzer:GetFindingsStatistics",
        On::AnalyzerArn,
        Write(findings::statistics),
    ),
    op(
        "GetGeneratedPolicy",
        "GET",
        "/policy/generation/{jobId}",
        "access-analyzer:GetGeneratedPolicy",
        On::Nothing,
        Read(generation::get),
    ),
    op(
        "ListAccessPreviewFindings",
        "POST",
        "/access-preview/{accessPreviewId}",
        "access-analyzer:ListAccessPreviewFindings",
        On::AnalyzerArn,
        Read(previews::list_findings),
    ),
    op(
        "ListAccessPreviews",
        "GET",
        "/access-preview",
        "access-analyzer:ListAccessPreviews",
        On::AnalyzerArn,
        Read(previews::list),
    ),
    op(
        "ListAnalyzedResources",
        "POST",
        "/analyzed-resource",
        "access-analyzer:ListAnalyzedResources",
        On::AnalyzerArn,
        Write(findings::list_analyzed_resources),
    ),
    op(
        "ListAnalyzers",
        "GET",
        "/analyzer",
        "access-analyzer:ListAnalyzers",
        On::Nothing,
        Read(analyzers::list),
    ),
    op(
        "ListArchiveRules",
        "GET",
        "/analyzer/{analyzerName}/archive-rule",
        "access-analyzer:ListArchiveRules",
        On::AnalyzerNamed,
        Read(archive_rules::list),
    ),
    op(
        "ListFindings",
        "POST",
        "/finding",
        "access-analyzer:ListFindings",
        On::AnalyzerArn,
        Write(findings::list),
    ),
    op(
        "ListFindingsV2",
        "POST",
        "/findingv2",
        "access-analyzer:ListFindings",
        On::AnalyzerArn,
        Write(findings::list_v2),
    ),
    op(
        "ListPolicyGenerations",
        "GET",
        "/policy/generation",
        "access-analyzer:ListPolicyGenerations",
        On::Nothing,
        Read(generation::list),
    ),
    op(
        "ListTagsForResource",
        "GET",
        "/tags/{resourceArn}",
        "access-analyzer:ListTagsForResource",
        On::TaggedResource,
        Read(analyzers::list_tags),
    ),
    op(
        "StartPolicyGeneration",
        "PUT",
        "/policy/generation",
        "access-analyzer:StartPolicyGeneration",
        On::Nothing,
        Write(generation::start),
    ),
    op(
        "StartResourceScan",
        "POST",
        "/resource/scan",
        "access-analyzer:StartResourceScan",
        On::AnalyzerArn,
        Write(findings::start_resource_scan),
    ),
    op(
        "TagResource",
        "POST",
        "/tags/{resourceArn}",
        "access-analyzer:TagResource",
        On::TaggedResource,
        Write(analyzers::tag),
    ),
    op(
        "UntagResource",
        "DELETE",
        "/tags/{resourceArn}",
        "access-analyzer:UntagResource",
        On::TaggedResource,
        Write(analyzers::untag),
    ),
    op(
        "UpdateAnalyzer",
        "PUT",
        "/analyzer/{analyzerName}",
        "access-analyzer:UpdateAnalyzer",
        On::AnalyzerNamed,
        Write(analyzers::update),
    ),
    op(
        "UpdateArchiveRule",
        "PUT",
        "/analyzer/{analyzerName}/archive-rule/{ruleName}",
        "access-analyzer:UpdateArchiveRule",
        On::ArchiveRule,
        Write(archive_rules::update),
    ),
    op(
        "UpdateFindings",
        "PUT",
        "/finding",
        "access-analyzer:UpdateFindings",
        On::AnalyzerArn,
        Write(findings::update),
    ),
    op(
        "ValidatePolicy",
        "POST",
        "/policy/validation",
        "access-analyzer:ValidatePolicy",
        On::Nothing,
        Pure(checks::validate),
    ),
];

/// Serves one Access Analyzer request.
pub fn handle(ctx: &Ctx, caller: &Caller) -> HttpResponse {
    match require_signed(caller).and_then(|()| serve(ctx, caller)) {
        Ok(body) => HttpResponse::json(200, &body).with_header("x-amzn-requestid", ctx.request_id),
        Err(err) => error_response(&err, ctx.request_id),
    }
}

fn serve(ctx: &Ctx, caller: &Caller) -> AwsResult<Value> {
    let (operation, uri) = routing::route(&ctx.req.method, &ctx.req.raw_path)?;
    let query = ctx.req.query_pairs();
    let body = wire::body(ctx.req)?;
    wire::check_required(operation.name, &query, &body)?;
    let call = Call {
        ctx,
        caller,
        operation,
        uri,
        query,
        body,
        account: caller
            .account
            .clone()
            .unwrap_or_else(|| crate::state::DEFAULT_ACCOUNT.to_string()),
        region: caller
            .scope
            .as_ref()
            .map(|s| s.region.clone())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "us-east-1".to_string()),
    };
    let mut state = ctx.shared.state();
    door::authorize(&call, &state)?;
    match operation.handler {
        Pure(handler) => {
            drop(state);
            handler(&call)
        }
        Read(handler) => handler(&call, &state),
        Write(handler) => handler(&call, &mut state),
    }
}

/// One request being served: its row, its inputs by location, and the
/// caller's account and region.
pub struct Call<'a> {
    pub ctx: &'a Ctx<'a>,
    pub caller: &'a Caller,
    pub operation: &'static Operation,
    /// The path's `{…}` members, decoded.
    uri: Vec<(&'static str, String)>,
    query: Vec<(String, String)>,
    /// The JSON body (an empty object when there is none).
    body: Map<String, Value>,
    pub account: String,
    pub region: String,
}

impl Call<'_> {
    /// A path member (the route guarantees the ones its pattern names).
    pub fn uri(&self, name: &str) -> &str {
        self.uri
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A query member, if given.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated query member (`tagKeys=a&tagKeys=b`).
    pub fn query_all(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A body member, if given (and not null).
    pub fn body(&self, name: &str) -> Option<&Value> {
        self.body.get(name).filter(|v| !v.is_null())
    }

    /// A string member of the body or, failing that, of the query.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.body(name)
            .and_then(Value::as_str)
            .or_else(|| self.query(name))
    }

    /// The time of this request, as every timestamp it writes reads.
    pub fn now(&self) -> OffsetDateTime {
        self.ctx.shared.now()
    }

    /// The ARN of this account's analyzer `name` in this region.
    pub fn analyzer_arn(&self, name: &str) -> String {
        analyzer_arn(&self.region, &self.account, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// botocore's model is the list of operations: every one has a row,
    /// with the model's method and path, and no row is for anything else.
    #[test]
    fn every_model_operation_has_a_row() {
        let model: Value =
            serde_json::from_str(include_str!("../../../data/botocore/accessanalyzer.json")).unwrap();
        let operations = model["operations"].as_array().unwrap();
        for operation in operations {
            let name = operation["name"].as_str().unwrap();
            let row = OPERATIONS
                .iter()
                .find(|o| o.name == name)
                .unwrap_or_else(|| panic!("{name} has no row in OPERATIONS"));
            assert_eq!(row.method, operation["method"].as_str().unwrap(), "{name}");
            assert_eq!(row.path, operation["uri"].as_str().unwrap(), "{name}");
            assert!(row.action.starts_with("access-analyzer:"), "{name}");
        }
        assert_eq!(
            OPERATIONS.len(),
            operations.len(),
            "a row for an operation the model lacks"
        );
    }

    /// Each row's action is one the catalog knows for Access Analyzer.
    #[test]
    fn every_action_is_in_the_catalog() {
        let catalog = iam_evaluator::Catalog::get();
        for row in OPERATIONS {
            assert!(
                catalog.action(row.action).is_some(),
                "{} → {}",
                row.name,
                row.action
            );
        }
    }
}

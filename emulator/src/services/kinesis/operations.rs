//! Kinesis's operation table: each served operation's IAM action, as the
//! Service Authorization Reference names it, a further action where the
//! reference asks for one, and its handler. [`NOT_SERVED`] lists the rest
//! of botocore's model (`emulator/data/botocore/kinesis.json`), answered
//! `NotImplemented`; a test walks the model so that neither list misses
//! an operation, and checks each action against the action catalog.

use super::{policies, records, streams, tags, Call};
use crate::error::AwsResult;
use crate::state::State;
use serde_json::Value;

/// A handler: reads the state, or changes it.
#[derive(Clone, Copy)]
pub enum Handler {
    Read(fn(&Call, &State) -> AwsResult<Value>),
    Write(fn(&Call, &mut State) -> AwsResult<Value>),
}

/// One row of the table.
pub struct Operation {
    pub name: &'static str,
    /// The action the door asks for.
    pub action: &'static str,
    /// A further action the door asks for when the request needs it:
    /// "If you pass the Tags parameter, in addition to having the
    /// kinesis:CreateStream permission, you must also have the
    /// kinesis:AddTagsToStream permission for the stream that will be
    /// created" (Kinesis API Reference, CreateStream).
    pub also: Option<&'static str>,
    pub handler: Handler,
}

const fn op(name: &'static str, action: &'static str, handler: Handler) -> Operation {
    Operation {
        name,
        action,
        also: None,
        handler,
    }
}

use Handler::{Read, Write};

pub const OPERATIONS: &[Operation] = &[
    Operation {
        also: Some("kinesis:AddTagsToStream"),
        ..op("CreateStream", "kinesis:CreateStream", Write(streams::create))
    },
    op("DeleteStream", "kinesis:DeleteStream", Write(streams::delete)),
    op(
        "DescribeStream",
        "kinesis:DescribeStream",
        Read(streams::describe),
    ),
    op(
        "DescribeStreamSummary",
        "kinesis:DescribeStreamSummary",
        Read(streams::describe_summary),
    ),
    op("ListStreams", "kinesis:ListStreams", Read(streams::list_streams)),
    op("ListShards", "kinesis:ListShards", Read(streams::list_shards)),
    op("PutRecord", "kinesis:PutRecord", Write(records::put_record)),
    op("PutRecords", "kinesis:PutRecords", Write(records::put_records)),
    op(
        "GetShardIterator",
        "kinesis:GetShardIterator",
        Read(records::get_shard_iterator),
    ),
    op("GetRecords", "kinesis:GetRecords", Read(records::get_records)),
    op("AddTagsToStream", "kinesis:AddTagsToStream", Write(tags::add)),
    op(
        "RemoveTagsFromStream",
        "kinesis:RemoveTagsFromStream",
        Write(tags::remove),
    ),
    op("ListTagsForStream", "kinesis:ListTagsForStream", Read(tags::list)),
    op(
        "PutResourcePolicy",
        "kinesis:PutResourcePolicy",
        Write(policies::put),
    ),
    op(
        "GetResourcePolicy",
        "kinesis:GetResourcePolicy",
        Read(policies::get),
    ),
    op(
        "DeleteResourcePolicy",
        "kinesis:DeleteResourcePolicy",
        Write(policies::delete),
    ),
];

/// botocore's Kinesis operations without a row: answered `NotImplemented`.
pub const NOT_SERVED: &[&str] = &[
    "DecreaseStreamRetentionPeriod",
    "DeregisterStreamConsumer",
    "DescribeAccountSettings",
    "DescribeLimits",
    "DescribeStreamConsumer",
    "DisableEnhancedMonitoring",
    "EnableEnhancedMonitoring",
    "IncreaseStreamRetentionPeriod",
    "ListStreamConsumers",
    "ListTagsForResource",
    "MergeShards",
    "RegisterStreamConsumer",
    "SplitShard",
    "StartStreamEncryption",
    "StopStreamEncryption",
    "SubscribeToShard",
    "TagResource",
    "UntagResource",
    "UpdateAccountSettings",
    "UpdateMaxRecordSize",
    "UpdateShardCount",
    "UpdateStreamMode",
    "UpdateStreamWarmThroughput",
];

/// The row of the operation named `name`.
pub fn find(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// botocore's Kinesis operations (vendored by
    /// scripts/gen-botocore-operations.py): each served or listed.
    #[test]
    fn every_botocore_operation_has_a_row_or_is_listed_as_not_served() {
        let rows: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        crate::protocol::model::assert_table_covers(
            include_str!("../../../data/botocore/kinesis.json"),
            &rows,
            NOT_SERVED,
        );
    }

    #[test]
    fn every_action_is_in_the_catalog_and_acts_on_the_resources_served() {
        let catalog = iam_evaluator::Catalog::get();
        for row in OPERATIONS {
            for action in std::iter::once(row.action).chain(row.also) {
                let (_, found) = catalog
                    .action(action)
                    .unwrap_or_else(|| panic!("{}: {action} is not in the catalog", row.name));
                let types: Vec<&str> = found.resource_types.iter().map(|r| r.name).collect();
                // The resource-policy actions act on a consumer too (its
                // ARN is answered NotImplemented: consumers are not served).
                let expected: &[&str] = match row.name {
                    "ListStreams" => &[],
                    "PutResourcePolicy" | "GetResourcePolicy" | "DeleteResourcePolicy" => {
                        &["consumer", "stream"]
                    }
                    _ => &["stream"],
                };
                assert_eq!(types, expected, "{}: {action}", row.name);
            }
        }
    }
}

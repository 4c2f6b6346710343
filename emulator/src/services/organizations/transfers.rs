//! Billing responsibility transfers between organizations
//! (InviteOrganizationToTransferResponsibility, Describe/Update/
//! TerminateResponsibilityTransfer, List{Inbound,Outbound}
//! ResponsibilityTransfers). The emulator keeps no billing, so no transfer
//! ever exists: the lists are empty, a transfer named by id is not found
//! (`ResponsibilityTransferNotFoundException`), and an invitation to
//! transfer says it is not implemented.

use super::input::IdShape;
use super::view;
use super::wire::{self, invalid_input};
use super::Call;
use crate::error::{AwsError, AwsResult, Json};
use crate::state::State;
use serde_json::Value;

/// `Type`: the transfer types of the model.
fn check_type(call: &Call) -> AwsResult<()> {
    match call.input.required_str("Type")? {
        "BILLING" => Ok(()),
        _ => Err(invalid_input("INVALID_ENUM")),
    }
}

pub fn describe(call: &Call, state: &State) -> AwsResult<Value> {
    call.org(state)?;
    call.input.id("Id", IdShape::Transfer)?;
    Err(wire::documented(
        Json::ResponsibilityTransferNotFoundException,
        "We can't find a transfer that you specified.",
    ))
}

pub fn list(call: &Call, state: &State) -> AwsResult<Value> {
    call.org(state)?;
    check_type(call)?;
    let (items, next) = call.input.page()?.of(Vec::<Value>::new());
    Ok(view::page("ResponsibilityTransfers", items, next))
}

pub fn invite(call: &Call, state: &State) -> AwsResult<Value> {
    call.org(state)?;
    check_type(call)?;
    Err(AwsError::new(
        Json::NotImplemented,
        "Organizations InviteOrganizationToTransferResponsibility (billing transfer) is not implemented by iam-emulator.",
    ))
}

//! Invitations: InviteAccountToOrganization (an account the emulator
//! holds, by id or by its email), AcceptHandshake and DeclineHandshake
//! (by the invited account, signed with its own credentials),
//! CancelHandshake (by the management account), DescribeHandshake,
//! ListHandshakesForAccount and ListHandshakesForOrganization. An
//! invitation is open for 15 days on the emulator's clock.

use super::input::IdShape;
use super::organization::default_name;
use super::view;
use super::wire::{self, with_reason};
use super::Call;
use crate::error::{AwsError, AwsResult, Json};
use crate::ids;
use crate::state::organizations::{Handshake, HandshakeState, Joined, Member, Organization};
use crate::state::State;
use serde_json::{json, Value};

/// "The invitation expires after 15 days."
const OPEN_DAYS: i64 = 15;

fn not_found() -> AwsError {
    wire::documented(
        Json::HandshakeNotFoundException,
        "We can't find a handshake with the HandshakeId that you specified.",
    )
}

fn already_in_organization() -> AwsError {
    with_reason(
        Json::HandshakeConstraintViolationException,
        "ALREADY_IN_AN_ORGANIZATION",
    )
}

/// The state a handshake shows at `now`: an open one past its time has
/// expired.
fn state_at(handshake: &Handshake, now: time::OffsetDateTime) -> HandshakeState {
    if handshake.state == HandshakeState::Open && now > handshake.expires {
        HandshakeState::Expired
    } else {
        handshake.state
    }
}

fn shown(org: &Organization, handshake: &Handshake, now: time::OffsetDateTime) -> Value {
    let mut handshake = handshake.clone();
    handshake.state = state_at(&handshake, now);
    view::handshake(org, &handshake)
}

/// Whether `account` is the party a handshake invites.
fn invites(handshake: &Handshake, account: &str) -> bool {
    match handshake.target_type.as_str() {
        "ACCOUNT" => handshake.target == account,
        _ => handshake.target.eq_ignore_ascii_case(&view::email_of(account)),
    }
}

/// The handshake named by `HandshakeId`, in whichever organization sent it.
fn find<'s>(call: &Call, state: &'s State) -> AwsResult<(&'s Organization, &'s Handshake)> {
    let id = call.input.id("HandshakeId", IdShape::Handshake)?;
    let org = state.organizations.org_of_handshake(id).ok_or_else(not_found)?;
    Ok((org, &org.handshakes[id]))
}

pub fn invite(call: &Call, state: &mut State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let target = call
        .input
        .get("Target")
        .ok_or_else(|| wire::invalid_input("INPUT_REQUIRED"))?;
    let kind = target.get("Type").and_then(Value::as_str).unwrap_or_default();
    let id = target.get("Id").and_then(Value::as_str).unwrap_or_default();
    let account = match kind {
        "ACCOUNT" if IdShape::Account.matches(id) => id.to_string(),
        "ACCOUNT" => return Err(wire::invalid_input("INVALID_PATTERN")),
        "EMAIL" => id
            .strip_suffix("@example.com")
            .filter(|a| IdShape::Account.matches(a))
            .map(str::to_string)
            .ok_or_else(|| wire::invalid_input("INVALID_EMAIL_ADDRESS_TARGET"))?,
        _ => return Err(wire::invalid_input("INVALID_PARTY_TYPE_TARGET")),
    };
    if state.account(&account).is_none() {
        return Err(super::accounts::account_not_found());
    }
    if state.organizations.org_of(&account).is_some() {
        return Err(already_in_organization());
    }
    let notes = call.input.text("Notes", 0, 1024)?.map(str::to_string);
    let tags = call.input.tags("Tags")?;
    let now = call.now();
    let duplicate = org
        .handshakes
        .values()
        .any(|h| state_at(h, now) == HandshakeState::Open && h.target_type == kind && h.target == id);
    if duplicate {
        return Err(wire::documented(
            Json::DuplicateHandshakeException,
            "A handshake with the same action and target already exists.",
        ));
    }
    let handshake = Handshake {
        id: format!("h-{}", ids::lower_alnum(10)),
        target_type: kind.to_string(),
        target: id.to_string(),
        notes,
        state: HandshakeState::Open,
        requested: now,
        expires: now + time::Duration::days(OPEN_DAYS),
        tags,
    };
    let org_id = org.id.clone();
    let out = state.organizations.edit(&org_id, |org| {
        let out = json!({"Handshake": view::handshake(org, &handshake)});
        org.handshakes.insert(handshake.id.clone(), handshake);
        out
    });
    Ok(out.unwrap_or(Value::Null))
}

/// Moves an open handshake to `to`, by `party` (the invited account, or
/// the management account for a cancel).
fn answer(call: &Call, state: &mut State, to: HandshakeState) -> AwsResult<Value> {
    let (org, handshake) = find(call, state)?;
    let account = call.account();
    let allowed = match to {
        HandshakeState::Canceled => org.management == account,
        _ => invites(handshake, account),
    };
    if !allowed {
        return Err(wire::not_management());
    }
    let now = call.now();
    match state_at(handshake, now) {
        HandshakeState::Open => {}
        current if current == to => {
            return Err(wire::documented(
                Json::HandshakeAlreadyInStateException,
                "The specified handshake is already in the requested state.",
            ))
        }
        _ => {
            return Err(wire::documented(
                Json::InvalidHandshakeTransitionException,
                "You can't perform the operation on the handshake in its current state.",
            ))
        }
    }
    if to == HandshakeState::Accepted && state.organizations.org_of(account).is_some() {
        return Err(already_in_organization());
    }
    let (org_id, id, account) = (org.id.clone(), handshake.id.clone(), account.to_string());
    let out = state.organizations.edit(&org_id, |org| {
        let Some(handshake) = org.handshakes.get_mut(&id) else {
            return Value::Null;
        };
        handshake.state = to;
        let handshake = handshake.clone();
        if to == HandshakeState::Accepted {
            let root = org.root.id.clone();
            org.accounts.insert(
                account.clone(),
                Member {
                    id: account.clone(),
                    name: default_name(&account),
                    email: view::email_of(&account),
                    parent: root,
                    joined_method: Joined::Invited,
                    joined: now,
                    closed: false,
                    tags: handshake.tags.clone(),
                },
            );
            org.attach_defaults(&account);
        }
        json!({"Handshake": view::handshake(org, &handshake)})
    });
    Ok(out.unwrap_or(Value::Null))
}

pub fn accept(call: &Call, state: &mut State) -> AwsResult<Value> {
    answer(call, state, HandshakeState::Accepted)
}

pub fn decline(call: &Call, state: &mut State) -> AwsResult<Value> {
    answer(call, state, HandshakeState::Declined)
}

pub fn cancel(call: &Call, state: &mut State) -> AwsResult<Value> {
    answer(call, state, HandshakeState::Canceled)
}

pub fn describe(call: &Call, state: &State) -> AwsResult<Value> {
    let (org, handshake) = find(call, state)?;
    let account = call.account();
    if org.management != account && !invites(handshake, account) {
        return Err(not_found());
    }
    Ok(json!({"Handshake": shown(org, handshake, call.now())}))
}

/// `Filter.ActionType`: only invitations are ever made here.
fn wanted(call: &Call) -> AwsResult<bool> {
    let Some(filter) = call.input.get("Filter") else {
        return Ok(true);
    };
    Ok(match filter.get("ActionType").and_then(Value::as_str) {
        None | Some("INVITE") => filter.get("ParentHandshakeId").is_none(),
        Some(
            "ENABLE_ALL_FEATURES"
            | "APPROVE_ALL_FEATURES"
            | "ADD_ORGANIZATIONS_SERVICE_LINKED_ROLE"
            | "TRANSFER_RESPONSIBILITY",
        ) => false,
        Some(_) => return Err(wire::invalid_input("INVALID_ENUM")),
    })
}

pub fn list_for_account(call: &Call, state: &State) -> AwsResult<Value> {
    let account = call.account();
    let now = call.now();
    let handshakes: Vec<Value> = if wanted(call)? {
        state
            .organizations
            .all()
            .values()
            .flat_map(|org| {
                org.handshakes
                    .values()
                    .filter(|h| invites(h, account))
                    .map(move |h| shown(org, h, now))
            })
            .collect()
    } else {
        Vec::new()
    };
    let (items, next) = call.input.page()?.of(handshakes);
    Ok(view::page("Handshakes", items, next))
}

pub fn list_for_organization(call: &Call, state: &State) -> AwsResult<Value> {
    let org = call.org(state)?;
    let now = call.now();
    let handshakes: Vec<Value> = if wanted(call)? {
        org.handshakes.values().map(|h| shown(org, h, now)).collect()
    } else {
        Vec::new()
    };
    let (items, next) = call.input.page()?.of(handshakes);
    Ok(view::page("Handshakes", items, next))
}

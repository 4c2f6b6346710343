//! GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy: the
//! context keys policies read (their conditions' keys and policy
//! variables, [`iam_evaluator::Policy::context_keys`]), so a caller knows
//! which keys to give SimulateCustomPolicy. A principal's policies are the
//! ones the simulator evaluates for it ([`super::simulate::entity_of`]): a
//! user's own and its groups', a group's or a role's own.

use super::Call;
use crate::error::{AwsError, AwsResult};
use crate::protocol::xml::Xml;
use crate::state::iam::Document;
use crate::state::State;

/// `PolicyInputList.member.N`, each checked for syntax only.
fn given_policies(call: &Call) -> AwsResult<Vec<Document>> {
    call.params
        .list("PolicyInputList")
        .iter()
        .map(|text| {
            super::simulation_document(text)
                .map_err(|e| AwsError::invalid_input(format!("Invalid policy document: {}", e.message)))
        })
        .collect()
}

/// `<ContextKeyNames>`: each key once (keys are case-insensitive), in the
/// order the documents name them.
fn keys_xml<'a>(documents: impl IntoIterator<Item = &'a Document>) -> Xml {
    let mut keys: Vec<&str> = Vec::new();
    for document in documents {
        for key in document.parsed.context_keys() {
            if !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                keys.push(key);
            }
        }
    }
    let mut x = Xml::default();
    x.with("ContextKeyNames", |x| {
        for key in keys {
            x.elem("member", key);
        }
    });
    x
}

pub fn get_context_keys_for_custom_policy(_: &mut State, call: &Call) -> AwsResult<Xml> {
    let given = given_policies(call)?;
    if given.is_empty() {
        return Err(AwsError::missing_parameter("PolicyInputList"));
    }
    Ok(keys_xml(&given))
}

pub fn get_context_keys_for_principal_policy(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let arn = call.params.required("PolicySourceArn")?;
    let (_, policies) = super::simulate::entity_of(state, call, arn)?;
    let given = given_policies(call)?;
    let own = policies.identity.iter().map(|p| &p.document);
    Ok(keys_xml(own.chain(&given)))
}

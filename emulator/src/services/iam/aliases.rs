//! The account alias (the name in the console's sign-in URL):
//! CreateAccountAlias, DeleteAccountAlias, ListAccountAliases. An account
//! has at most one (a new one replaces it), and an alias is unique across
//! every account of the emulator, as across AWS.

use super::{page_tail, paginate, Call};
use crate::error::{AwsError, AwsResult};
use crate::protocol::xml::Xml;
use crate::state::State;

/// The model's pattern `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`:
/// 3–63 lower-case letters, digits and single hyphens, starting and
/// ending with a letter or digit.
fn is_alias(alias: &str) -> bool {
    let b = alias.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (3..=63).contains(&b.len())
        && edge(b[0])
        && edge(b[b.len() - 1])
        && b.iter().all(|&c| edge(c) || c == b'-')
        && !alias.contains("--")
}

fn read_alias<'c>(call: &'c Call) -> AwsResult<&'c str> {
    let alias = call.params.required("AccountAlias")?;
    if is_alias(alias) {
        Ok(alias)
    } else {
        Err(AwsError::validation(format!(
            "1 validation error detected: Value '{alias}' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){{1,61}}[a-z0-9]$"
        )))
    }
}

pub fn create_account_alias(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let alias = read_alias(call)?;
    let taken = state
        .accounts
        .values()
        .any(|a| a.id != call.account && a.credentials.alias.as_deref() == Some(alias));
    if taken {
        return Err(AwsError::already_exists(format!(
            "The account alias {alias} already exists."
        )));
    }
    state.account_mut(&call.account).credentials.alias = Some(alias.to_string());
    Ok(Xml::default())
}

pub fn delete_account_alias(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let alias = read_alias(call)?;
    let account = state.account_mut(&call.account);
    if account.credentials.alias.as_deref() != Some(alias) {
        return Err(AwsError::no_such_entity(format!(
            "The account alias {alias} cannot be found."
        )));
    }
    account.credentials.alias = None;
    Ok(Xml::default())
}

pub fn list_account_aliases(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let aliases: Vec<String> = state
        .account(&call.account)
        .and_then(|a| a.credentials.alias.clone())
        .into_iter()
        .collect();
    let page = paginate(call.params, aliases)?;
    let mut x = Xml::default();
    x.with("AccountAliases", |x| {
        for alias in &page.items {
            x.elem("member", alias);
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

#[cfg(test)]
mod tests {
    #[test]
    fn aliases_follow_the_model_pattern() {
        for good in ["abc", "my-company", "a1-b2-c3", "123"] {
            assert!(super::is_alias(good), "{good}");
        }
        for bad in ["ab", "-abc", "abc-", "a--b", "ABC", "a_b", &"a".repeat(64)] {
            assert!(!super::is_alias(bad), "{bad}");
        }
    }
}

//! Which AWS services a policy grants access to: the question IAM's access
//! reports ask (GenerateServiceLastAccessedDetails lists "each service that
//! the resource could access using permissions policies"), and
//! ListPoliciesGrantingServiceAccess answers per service.
//!
//! A policy grants a service when one of its `Allow` statements covers an
//! action of the service in the catalog, matched as a request's action is
//! ([`crate::statement::covers_action`]: `Action` patterns, `NotAction`
//! complements, case ignored). As AWS says of these reports, only the
//! permissions policy logic applies: resources and conditions are not
//! read, and a `Deny` does not take a service away.

use crate::catalog::{Catalog, Service};
use crate::policy::{Effect, Policy, Statement};
use crate::statement::covers_action;
use crate::wildcard;

/// Does `policy` grant an action of the service `prefix` (e.g. `s3`)?
/// `false` for a prefix the catalog does not know.
pub fn grants_service(policy: &Policy, prefix: &str) -> bool {
    Catalog::get()
        .service(prefix)
        .is_some_and(|service| allows(policy, service))
}

/// The services `policy` grants an action of, in the catalog's order
/// (sorted by prefix).
pub fn services_granted(policy: &Policy) -> Vec<&'static Service> {
    Catalog::get()
        .services()
        .iter()
        .filter(|service| allows(policy, service))
        .collect()
}

fn allows(policy: &Policy, service: &Service) -> bool {
    policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .any(|s| covers_service(s, service))
}

/// Does the statement's action set hold an action of `service`?
fn covers_service(statement: &Statement, service: &Service) -> bool {
    // A listed `Action` whose patterns name other services cannot: most
    // statements are skipped here without trying each action.
    let may_name = statement.action.negated
        || statement.action.items.iter().any(|pattern| {
            let prefix = pattern.split_once(':').map_or(pattern.as_str(), |(p, _)| p);
            wildcard::matches(prefix, service.prefix, true)
        });
    may_name
        && service
            .actions
            .iter()
            .any(|action| covers_action(statement, &format!("{}:{}", service.prefix, action.name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(statements: &str) -> Policy {
        Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn an_allow_of_one_action_grants_its_service() {
        let p = policy(r#"{"Effect":"Allow","Action":"S3:getobject","Resource":"arn:aws:s3:::b/*"}"#);
        assert!(grants_service(&p, "s3"));
        assert!(!grants_service(&p, "iam"));
        assert!(!grants_service(&p, "no-such-service"));
        let names: Vec<&str> = services_granted(&p).iter().map(|s| s.prefix).collect();
        assert_eq!(names, ["s3"]);
    }

    #[test]
    fn wildcards_and_not_action_are_matched_as_requests_are() {
        let everything = policy(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#);
        assert!(services_granted(&everything).len() > 100);
        let all_but_iam = policy(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#);
        assert!(!grants_service(&all_but_iam, "iam"));
        assert!(grants_service(&all_but_iam, "kinesis"));
        // A pattern naming no action of the service grants nothing.
        let unknown = policy(r#"{"Effect":"Allow","Action":"s3:NoSuchAction*","Resource":"*"}"#);
        assert!(!grants_service(&unknown, "s3"));
    }

    #[test]
    fn a_deny_grants_nothing() {
        let p = policy(r#"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#);
        assert!(services_granted(&p).is_empty());
    }
}

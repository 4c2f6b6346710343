//! Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole
//! and GetServiceLinkedRoleDeletionStatus.
//!
//! A service-linked role lives under `/aws-service-role/SERVICE/`, trusts
//! the service principal to `sts:AssumeRole`, and carries the AWS managed
//! policy the service documents for it. Its name is the one the service
//! gives it (`AWSServiceRoleForAutoScaling`), `_SUFFIX` appended when the
//! service takes a `CustomSuffix`. [`KNOWN`] holds the common services;
//! another `NAME.amazonaws.com` whose `NAME` is a service of the catalog
//! gets `AWSServiceRoleFor` + `NAME` in CamelCase and no policy. Only these
//! operations may create or delete such a role: the evaluator's
//! AWS-owned-resource rule refuses every other change.

use super::{roles, Call};
use crate::error::{AwsError, AwsResult};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::account_settings::{DeletionStatus, DeletionTask};
use crate::state::iam::{key, Role};
use crate::state::State;

/// The path prefix of service-linked roles.
pub const PATH_PREFIX: &str = "/aws-service-role/";

/// One service's service-linked role, as the service documents it.
struct Known {
    service: &'static str,
    role: &'static str,
    /// The AWS managed policy's name, under `policy/aws-service-role/`.
    policy: &'static str,
    /// Whether the service takes a `CustomSuffix`.
    suffix: bool,
}

const fn known(service: &'static str, role: &'static str, policy: &'static str, suffix: bool) -> Known {
    Known {
        service,
        role,
        policy,
        suffix,
    }
}

/// The services' own role names and policies (each service's user guide,
/// "Using service-linked roles"); the policies are in the AWS managed
/// policy catalog (a test checks each).
const KNOWN: &[Known] = &[
    known(
        "acm.amazonaws.com",
        "AWSServiceRoleForCertificateManager",
        "CertificateManagerServiceRolePolicy",
        false,
    ),
    known(
        "autoscaling.amazonaws.com",
        "AWSServiceRoleForAutoScaling",
        "AutoScalingServiceRolePolicy",
        true,
    ),
    known(
        "backup.amazonaws.com",
        "AWSServiceRoleForBackup",
        "AWSBackupServiceLinkedRolePolicyForBackup",
        false,
    ),
    known(
        "batch.amazonaws.com",
        "AWSServiceRoleForBatch",
        "BatchServiceRolePolicy",
        false,
    ),
    known(
        "cloudtrail.amazonaws.com",
        "AWSServiceRoleForCloudTrail",
        "CloudTrailServiceRolePolicy",
        false,
    ),
    known(
        "config.amazonaws.com",
        "AWSServiceRoleForConfig",
        "AWSConfigServiceRolePolicy",
        false,
    ),
    known(
        "connect.amazonaws.com",
        "AWSServiceRoleForAmazonConnect",
        "AmazonConnectServiceLinkedRolePolicy",
        true,
    ),
    known(
        "dynamodb.application-autoscaling.amazonaws.com",
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AWSApplicationAutoscalingDynamoDBTablePolicy",
        false,
    ),
    known(
        "ecs.amazonaws.com",
        "AWSServiceRoleForECS",
        "AmazonECSServiceRolePolicy",
        false,
    ),
    known(
        "ecs.application-autoscaling.amazonaws.com",
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AWSApplicationAutoscalingECSServicePolicy",
        false,
    ),
    known(
        "eks.amazonaws.com",
        "AWSServiceRoleForAmazonEKS",
        "AmazonEKSServiceRolePolicy",
        false,
    ),
    known(
        "eks-fargate.amazonaws.com",
        "AWSServiceRoleForAmazonEKSForFargate",
        "AmazonEKSForFargateServiceRolePolicy",
        false,
    ),
    known(
        "eks-nodegroup.amazonaws.com",
        "AWSServiceRoleForAmazonEKSNodegroup",
        "AWSServiceRoleForAmazonEKSNodegroup",
        false,
    ),
    known(
        "elasticache.amazonaws.com",
        "AWSServiceRoleForElastiCache",
        "ElastiCacheServiceRolePolicy",
        false,
    ),
    known(
        "elasticbeanstalk.amazonaws.com",
        "AWSServiceRoleForElasticBeanstalk",
        "AWSElasticBeanstalkServiceRolePolicy",
        false,
    ),
    known(
        "elasticfilesystem.amazonaws.com",
        "AWSServiceRoleForAmazonElasticFileSystem",
        "AmazonElasticFileSystemServiceRolePolicy",
        false,
    ),
    known(
        "elasticloadbalancing.amazonaws.com",
        "AWSServiceRoleForElasticLoadBalancing",
        "AWSElasticLoadBalancingServiceRolePolicy",
        false,
    ),
    known(
        "es.amazonaws.com",
        "AWSServiceRoleForAmazonElasticsearchService",
        "AmazonElasticsearchServiceRolePolicy",
        false,
    ),
    known(
        "guardduty.amazonaws.com",
        "AWSServiceRoleForAmazonGuardDuty",
        "AmazonGuardDutyServiceRolePolicy",
        false,
    ),
    known(
        "kafka.amazonaws.com",
        "AWSServiceRoleForKafka",
        "KafkaServiceRolePolicy",
        false,
    ),
    known(
        "lexv2.amazonaws.com",
        "AWSServiceRoleForLexV2Bots",
        "AmazonLexV2BotPolicy",
        true,
    ),
    known(
        "mq.amazonaws.com",
        "AWSServiceRoleForAmazonMQ",
        "AmazonMQServiceRolePolicy",
        false,
    ),
    known(
        "opensearchservice.amazonaws.com",
        "AWSServiceRoleForAmazonOpenSearchService",
        "AmazonOpenSearchServiceRolePolicy",
        false,
    ),
    known(
        "ops.apigateway.amazonaws.com",
        "AWSServiceRoleForAPIGateway",
        "APIGatewayServiceRolePolicy",
        false,
    ),
    known(
        "organizations.amazonaws.com",
        "AWSServiceRoleForOrganizations",
        "AWSOrganizationsServiceTrustPolicy",
        false,
    ),
    known(
        "rds.amazonaws.com",
        "AWSServiceRoleForRDS",
        "AmazonRDSServiceRolePolicy",
        false,
    ),
    known(
        "redshift.amazonaws.com",
        "AWSServiceRoleForRedshift",
        "AmazonRedshiftServiceLinkedRolePolicy",
        false,
    ),
    known(
        "replication.ecr.amazonaws.com",
        "AWSServiceRoleForECRReplication",
        "ECRReplicationServiceRolePolicy",
        false,
    ),
    known(
        "securityhub.amazonaws.com",
        "AWSServiceRoleForSecurityHub",
        "AWSSecurityHubServiceRolePolicy",
        false,
    ),
    known(
        "spot.amazonaws.com",
        "AWSServiceRoleForEC2Spot",
        "AWSEC2SpotServiceRolePolicy",
        false,
    ),
    known(
        "spotfleet.amazonaws.com",
        "AWSServiceRoleForEC2SpotFleet",
        "AWSEC2SpotFleetServiceRolePolicy",
        false,
    ),
    known(
        "ssm.amazonaws.com",
        "AWSServiceRoleForAmazonSSM",
        "AmazonSSMServiceRolePolicy",
        false,
    ),
    known(
        "sso.amazonaws.com",
        "AWSServiceRoleForSSO",
        "AWSSSOServiceRolePolicy",
        false,
    ),
    known(
        "access-analyzer.amazonaws.com",
        "AWSServiceRoleForAccessAnalyzer",
        "AccessAnalyzerServiceRolePolicy",
        false,
    ),
    known(
        "transitgateway.amazonaws.com",
        "AWSServiceRoleForVPCTransitGateway",
        "AWSVPCTransitGatewayServiceRolePolicy",
        false,
    ),
    known(
        "trustedadvisor.amazonaws.com",
        "AWSServiceRoleForTrustedAdvisor",
        "AWSTrustedAdvisorServiceRolePolicy",
        false,
    ),
    known(
        "support.amazonaws.com",
        "AWSServiceRoleForSupport",
        "AWSSupportServiceRolePolicy",
        false,
    ),
];

/// The role a CreateServiceLinkedRole call asks for.
struct Plan {
    service: String,
    /// The role's name, the suffix included.
    name: String,
    /// The managed policy's ARN, for a known service.
    policy: Option<String>,
    /// Why the call cannot create it, if it cannot.
    refusal: Option<AwsError>,
}

impl Plan {
    fn path(&self) -> String {
        format!("{PATH_PREFIX}{}/", self.service)
    }
}

/// Works out the role `AWSServiceName` and `CustomSuffix` ask for; the
/// name is worked out even for a service that cannot have one (the
/// door asks about it before the handler refuses).
fn plan(call: &Call) -> AwsResult<Plan> {
    let service = call.params.required("AWSServiceName")?.to_string();
    let suffix = call.params.get("CustomSuffix");
    let (base, policy, refusal) = if let Some(k) = KNOWN.iter().find(|k| k.service == service) {
        let refusal = (suffix.is_some() && !k.suffix)
            .then(|| AwsError::invalid_input(format!("Custom suffix is not allowed for {service}")));
        let arn = format!("arn:aws:iam::aws:policy/aws-service-role/{}", k.policy);
        (k.role.to_string(), Some(arn), refusal)
    } else {
        let label = service.split('.').next().unwrap_or_default();
        let refusal = (!is_service_principal(&service, label)).then(|| {
            AwsError::invalid_input(format!(
                "{service} is not a service principal that has a service-linked role."
            ))
        });
        (format!("AWSServiceRoleFor{}", camel_case(label)), None, refusal)
    };
    let name = match suffix {
        Some(suffix) => format!("{base}_{suffix}"),
        None => base,
    };
    Ok(Plan {
        service,
        name,
        policy,
        refusal,
    })
}

/// `NAME.amazonaws.com` (or `SUB.NAME.amazonaws.com`) where `NAME` is a
/// service the catalog knows.
fn is_service_principal(service: &str, label: &str) -> bool {
    let Some(host) = service.strip_suffix(".amazonaws.com") else {
        return false;
    };
    let catalog = iam_evaluator::Catalog::get();
    !label.is_empty() && host.split('.').any(|part| catalog.service(part).is_some())
}

/// `elastic-inference` → `ElasticInference`.
fn camel_case(label: &str) -> String {
    label
        .split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The ARN of the role CreateServiceLinkedRole would create (the door's
/// resource).
pub fn planned_arn(call: &Call) -> AwsResult<String> {
    let plan = plan(call)?;
    Ok(call.arn("role", &plan.path(), &plan.name))
}

/// `task/aws-service-role/SERVICE/ROLE/UUID` → the service and role.
fn task_parts(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix("task/aws-service-role/")?;
    let mut parts = rest.split('/');
    let (service, role, uuid) = (parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none() && !service.is_empty() && !role.is_empty() && !uuid.is_empty())
        .then_some((service, role))
}

fn invalid_task(id: &str) -> AwsError {
    AwsError::invalid_input(format!(
        "Invalid deletion task id {id}: expected task/aws-service-role/<service-principal-name>/<role-name>/<task-uuid>."
    ))
}

/// The ARN of the role a deletion task deletes (the door's resource).
pub fn task_role_arn(call: &Call) -> AwsResult<String> {
    let id = call.params.required("DeletionTaskId")?;
    let (service, role) = task_parts(id).ok_or_else(|| invalid_task(id))?;
    Ok(call.arn("role", &format!("{PATH_PREFIX}{service}/"), role))
}

fn trust_policy(service: &str) -> AwsResult<crate::state::iam::Document> {
    let text = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": [service]},
            "Action": ["sts:AssumeRole"],
        }],
    })
    .to_string();
    super::parse_document(&text, iam_evaluator::validate::WriteTarget::TrustPolicy)
}

pub fn create_service_linked_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let plan = plan(call)?;
    if let Some(refusal) = plan.refusal {
        return Err(refusal);
    }
    super::check_name("RoleName", &plan.name, 64)?;
    let description = call.params.get("Description").map(str::to_string);
    let trust = trust_policy(&plan.service)?;
    let account = state.account_mut(&call.account);
    if account.roles.contains_key(&key(&plan.name)) {
        return Err(AwsError::invalid_input(format!(
            "Service role name {} has been taken in this account, please try a different suffix.",
            plan.name
        )));
    }
    let role = Role {
        name: plan.name.clone(),
        id: ids::unique_id("AROA"),
        path: plan.path(),
        arn: call.arn("role", &plan.path(), &plan.name),
        created: call.ctx.shared.now(),
        trust,
        description,
        max_session_duration: 3600,
        inline: std::collections::BTreeMap::new(),
        attached: plan.policy.into_iter().collect(),
        tags: Vec::new(),
        boundary: None,
        last_used: None,
    };
    let mut x = Xml::default();
    x.with("Role", |x| roles::role_xml(x, &role, roles::RoleView::Created));
    account.roles.insert(key(&plan.name), role);
    Ok(x)
}

pub fn delete_service_linked_role(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("RoleName")?.to_string();
    let role = roles::find(state, call, &name)?;
    let Some(service) = role
        .path
        .strip_prefix(PATH_PREFIX)
        .and_then(|rest| rest.strip_suffix('/'))
    else {
        return Err(AwsError::invalid_input(format!(
            "Role {name} is not a service-linked role: only roles under {PATH_PREFIX} can be deleted with DeleteServiceLinkedRole."
        )));
    };
    // No service of the emulator holds resources that use the role, so
    // the deletion succeeds at once.
    let id = format!(
        "task/aws-service-role/{service}/{}/{}",
        role.name,
        ids::request_id()
    );
    let task = DeletionTask {
        role_arn: role.arn.clone(),
        submitted: call.ctx.shared.now(),
        status: DeletionStatus::Succeeded,
    };
    let account = state.account_mut(&call.account);
    account.roles.remove(&key(&name));
    account.settings.deletion_tasks.insert(id.clone(), task);
    let mut x = Xml::default();
    x.elem("DeletionTaskId", &id);
    Ok(x)
}

pub fn get_service_linked_role_deletion_status(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let id = call.params.required("DeletionTaskId")?;
    task_parts(id).ok_or_else(|| invalid_task(id))?;
    let task = state
        .account(&call.account)
        .and_then(|a| a.settings.deletion_tasks.get(id))
        .ok_or_else(|| AwsError::no_such_entity(format!("Deletion task {id} cannot be found.")))?;
    let mut x = Xml::default();
    x.elem("Status", task.status.as_str());
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_policy_is_an_aws_managed_service_role_policy() {
        for k in KNOWN {
            let arn = format!("arn:aws:iam::aws:policy/aws-service-role/{}", k.policy);
            assert!(crate::managed::find(&arn).is_some(), "{} → {arn}", k.service);
            assert!(k.role.starts_with("AWSServiceRoleFor"), "{}", k.role);
        }
        for (i, k) in KNOWN.iter().enumerate() {
            assert!(
                KNOWN[i + 1..].iter().all(|o| o.service != k.service),
                "{}",
                k.service
            );
        }
    }

    #[test]
    fn names_and_task_ids() {
        assert_eq!(camel_case("elastic-inference"), "ElasticInference");
        assert!(is_service_principal("lambda.amazonaws.com", "lambda"));
        assert!(!is_service_principal("nonsense.amazonaws.com", "nonsense"));
        assert!(!is_service_principal("lambda.example.com", "lambda"));
        assert_eq!(
            task_parts("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/1234"),
            Some(("ecs.amazonaws.com", "AWSServiceRoleForECS"))
        );
        assert_eq!(task_parts("task/aws-service-role/ecs.amazonaws.com/x"), None);
        assert_eq!(task_parts("nope"), None);
    }
}

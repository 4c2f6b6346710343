//! IAM's operation table: every operation served, with the IAM action the
//! Service Authorization Reference gives it, the resource it is asked
//! about ([`On`]: how its ARN is built from the request and the state),
//! the condition keys the request carries ([`Key`]), the further actions
//! some operations need ([`Also`]), and its handler. [`super::door`] reads
//! a row and asks the evaluator before the handler runs; no handler names
//! its action.
//!
//! [`NOT_SERVED`] lists botocore's operations that have no row yet: they
//! answer `NotImplemented` (not `InvalidAction`, which is for names IAM
//! does not have). A test walks botocore's model and fails for an
//! operation in neither list.

use super::{
    access_reports, account, account_settings, aliases, boundaries, certificates, context_keys, delegation,
    groups, inline, instance_profiles, keys, managed, mfa, org_features, org_reports, passwords, providers,
    reports, roles, service_credentials, service_linked_roles, simulate, ssh_keys, tags, users, Handler,
};

/// The kinds of IAM resource an action acts on: the Service Authorization
/// Reference's resource types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
    Role,
    Policy,
    InstanceProfile,
    OidcProvider,
    SamlProvider,
    Mfa,
    ServerCertificate,
    AccessReport,
    DelegationRequest,
}

impl Kind {
    /// The resource type's name, as the reference (and the ARN) spells it.
    pub const fn resource_type(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
            Kind::Policy => "policy",
            Kind::InstanceProfile => "instance-profile",
            Kind::OidcProvider => "oidc-provider",
            Kind::SamlProvider => "saml-provider",
            Kind::Mfa => "mfa",
            Kind::ServerCertificate => "server-certificate",
            Kind::AccessReport => "access-report",
            Kind::DelegationRequest => "delegation-request",
        }
    }
}

/// The resource a row's action is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// `*`: the action has no resource type.
    Any,
    /// A listing of the account's entities of a kind. The action has no
    /// resource type; IAM names `arn:aws:iam::ACCT:KIND/` in its denials.
    Listing(Kind),
    /// The entity named by the input member: its ARN when it exists (its
    /// path included), else the ARN it would have at path `/`.
    Named(Kind, &'static str),
    /// The entity being created: named by the input member, at `Path`.
    New(Kind, &'static str),
    /// An entity given by ARN in the input member.
    ArnIn(Kind, &'static str),
    /// The user named by `UserName`, or the calling user when it is absent.
    UserOrCaller,
    /// The user owning the access key `AccessKeyId`.
    KeyOwner,
    /// The OIDC provider being created: its ARN from `Url`.
    NewOidcProvider,
    /// The service-linked role CreateServiceLinkedRole would create: the
    /// role `AWSServiceName` and `CustomSuffix` name, under
    /// `/aws-service-role/SERVICE/`.
    NewServiceLinkedRole,
    /// The role a service-linked role deletion task (`DeletionTaskId`) deletes.
    DeletionTaskRole,
    /// The Organizations entity `EntityPath` names, as an access report:
    /// `arn:aws:iam::ACCT:access-report/PATH`.
    AccessReport,
    /// The delegation request with the id in the input member.
    DelegationRequest(&'static str),
    /// The delegation request an ARN in the input member names (any other
    /// ARN is asked about as given).
    DelegationRequestArn(&'static str),
    /// A delegation request being created (its id is not known yet:
    /// `arn:aws:iam::ACCT:delegation-request/*`).
    NewDelegationRequest,
}

impl On {
    /// The resource type the ARN this builds has; `None` for `*` and listings.
    pub const fn kind(self) -> Option<Kind> {
        match self {
            On::Any | On::Listing(_) => None,
            On::Named(kind, _) | On::New(kind, _) | On::ArnIn(kind, _) => Some(kind),
            On::UserOrCaller | On::KeyOwner => Some(Kind::User),
            On::NewOidcProvider => Some(Kind::OidcProvider),
            On::NewServiceLinkedRole | On::DeletionTaskRole => Some(Kind::Role),
            On::AccessReport => Some(Kind::AccessReport),
            On::DelegationRequest(_) | On::DelegationRequestArn(_) | On::NewDelegationRequest => {
                Some(Kind::DelegationRequest)
            }
        }
    }
}

/// A condition key a request carries, from its input or the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `Tags.member.N`: `aws:RequestTag/*` and `aws:TagKeys`.
    RequestTags,
    /// `TagKeys.member.N`: `aws:TagKeys`.
    TagKeys,
    /// `iam:PermissionsBoundary`: the `PermissionsBoundary` input when
    /// given, else the boundary the user or role acted on has.
    Boundary,
    /// `iam:PolicyARN` from `PolicyArn`.
    PolicyArn,
    /// `iam:AWSServiceName` from `AWSServiceName`.
    AwsServiceName,
    /// A role passed to EC2 through an instance profile:
    /// `iam:PassedToService` `ec2.amazonaws.com` and
    /// `iam:AssociatedResourceArn` `arn:aws:ec2:*:ACCT:instance/*` ("The
    /// ARN value must be arn:aws:ec2:*:CallerAccountId:instance/*",
    /// AddRoleToInstanceProfile).
    PassedToEc2Instances,
    /// `iam:ServiceSpecificCredentialServiceName`: `ServiceName`, else the
    /// service of the credential `ServiceSpecificCredentialId`.
    CredentialService,
    /// `iam:ServiceSpecificCredentialAgeDays` from `CredentialAgeDays`.
    CredentialAgeDays,
    /// `iam:DelegationRequestOwner`: the owner of the delegation request
    /// acted on, or the `OwnerId` a listing asks for.
    DelegationRequestOwner,
    /// `iam:DelegationDuration` from `SessionDuration`.
    DelegationDuration,
    /// `iam:NotificationChannel` from `NotificationChannel`.
    NotificationChannel,
    /// `iam:TemplateArn` from `Permissions.PolicyTemplateArn`.
    TemplateArn,
    /// `iam:OrganizationsPolicyId` from `OrganizationsPolicyId`.
    OrganizationsPolicyId,
}

/// A further action an operation needs, on a resource of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Also {
    pub action: &'static str,
    pub on: On,
    pub keys: &'static [Key],
}

/// One served operation.
pub struct Operation {
    pub name: &'static str,
    /// `iam:<Action>`, as the Service Authorization Reference gives it.
    pub action: &'static str,
    pub on: On,
    pub keys: &'static [Key],
    pub also: &'static [Also],
    /// The same action is needed on the entity's new ARN when the request
    /// renames or moves it (`NewUserName`/`NewGroupName`, `NewPath`): "the
    /// requester must have appropriate permissions on both the source
    /// object and the target object" (UpdateUser, UpdateGroup).
    pub renames: bool,
    pub handler: Handler,
}

const fn op(name: &'static str, action: &'static str, on: On, handler: Handler) -> Operation {
    Operation {
        name,
        action,
        on,
        keys: &[],
        also: &[],
        renames: false,
        handler,
    }
}

const fn keyed(
    name: &'static str,
    action: &'static str,
    on: On,
    keys: &'static [Key],
    handler: Handler,
) -> Operation {
    Operation {
        keys,
        ..op(name, action, on, handler)
    }
}

use Kind::{Group, InstanceProfile, Mfa, OidcProvider, Policy, Role, SamlProvider, ServerCertificate, User};
use On::{
    Any, ArnIn, DeletionTaskRole, KeyOwner, Listing, Named, New, NewDelegationRequest, NewOidcProvider,
    NewServiceLinkedRole, UserOrCaller,
};

const USER: On = Named(User, "UserName");
const GROUP: On = Named(Group, "GroupName");
const ROLE: On = Named(Role, "RoleName");
const POLICY: On = ArnIn(Policy, "PolicyArn");
const OIDC: On = ArnIn(OidcProvider, "OpenIDConnectProviderArn");
const SAML: On = ArnIn(SamlProvider, "SAMLProviderArn");
const PROFILE: On = Named(InstanceProfile, "InstanceProfileName");
const BOUNDARY: &[Key] = &[Key::Boundary];
const TAGS: &[Key] = &[Key::RequestTags];
const TAG_KEYS: &[Key] = &[Key::TagKeys];
const MFA: On = ArnIn(Mfa, "SerialNumber");
const SERVER_CERTIFICATE: On = Named(ServerCertificate, "ServerCertificateName");
const CREDENTIAL_SERVICE: &[Key] = &[Key::CredentialService];
/// A user, group or role (or managed policy) by ARN: the sample is a user's.
const ENTITY_ARN: On = ArnIn(User, "Arn");
const DELEGATION: On = On::DelegationRequest("DelegationRequestId");
const OWNER: &[Key] = &[Key::DelegationRequestOwner];

/// The operations served, by name.
pub const OPERATIONS: &[Operation] = &[
    // users
    keyed(
        "CreateUser",
        "iam:CreateUser",
        New(User, "UserName"),
        &[Key::RequestTags, Key::Boundary],
        users::create_user,
    ),
    op("GetUser", "iam:GetUser", UserOrCaller, users::get_user),
    op("ListUsers", "iam:ListUsers", Listing(User), users::list_users),
    Operation {
        renames: true,
        ..op("UpdateUser", "iam:UpdateUser", USER, users::update_user)
    },
    op("DeleteUser", "iam:DeleteUser", USER, users::delete_user),
    // access keys
    op(
        "CreateAccessKey",
        "iam:CreateAccessKey",
        UserOrCaller,
        keys::create_access_key,
    ),
    op(
        "ListAccessKeys",
        "iam:ListAccessKeys",
        UserOrCaller,
        keys::list_access_keys,
    ),
    op(
        "UpdateAccessKey",
        "iam:UpdateAccessKey",
        UserOrCaller,
        keys::update_access_key,
    ),
    op(
        "DeleteAccessKey",
        "iam:DeleteAccessKey",
        UserOrCaller,
        keys::delete_access_key,
    ),
    op(
        "GetAccessKeyLastUsed",
        "iam:GetAccessKeyLastUsed",
        KeyOwner,
        keys::get_access_key_last_used,
    ),
    // inline policies
    keyed(
        "PutUserPolicy",
        "iam:PutUserPolicy",
        USER,
        BOUNDARY,
        inline::put_user_policy,
    ),
    op(
        "GetUserPolicy",
        "iam:GetUserPolicy",
        USER,
        inline::get_user_policy,
    ),
    op(
        "ListUserPolicies",
        "iam:ListUserPolicies",
        USER,
        inline::list_user_policies,
    ),
    keyed(
        "DeleteUserPolicy",
        "iam:DeleteUserPolicy",
        USER,
        BOUNDARY,
        inline::delete_user_policy,
    ),
    op(
        "PutGroupPolicy",
        "iam:PutGroupPolicy",
        GROUP,
        inline::put_group_policy,
    ),
    op(
        "GetGroupPolicy",
        "iam:GetGroupPolicy",
        GROUP,
        inline::get_group_policy,
    ),
    op(
        "ListGroupPolicies",
        "iam:ListGroupPolicies",
        GROUP,
        inline::list_group_policies,
    ),
    op(
        "DeleteGroupPolicy",
        "iam:DeleteGroupPolicy",
        GROUP,
        inline::delete_group_policy,
    ),
    keyed(
        "PutRolePolicy",
        "iam:PutRolePolicy",
        ROLE,
        BOUNDARY,
        inline::put_role_policy,
    ),
    op(
        "GetRolePolicy",
        "iam:GetRolePolicy",
        ROLE,
        inline::get_role_policy,
    ),
    op(
        "ListRolePolicies",
        "iam:ListRolePolicies",
        ROLE,
        inline::list_role_policies,
    ),
    keyed(
        "DeleteRolePolicy",
        "iam:DeleteRolePolicy",
        ROLE,
        BOUNDARY,
        inline::delete_role_policy,
    ),
    // managed policies and their versions
    keyed(
        "CreatePolicy",
        "iam:CreatePolicy",
        New(Policy, "PolicyName"),
        TAGS,
        managed::create_policy,
    ),
    op("GetPolicy", "iam:GetPolicy", POLICY, managed::get_policy),
    op(
        "ListPolicies",
        "iam:ListPolicies",
        Listing(Policy),
        managed::list_policies,
    ),
    op("DeletePolicy", "iam:DeletePolicy", POLICY, managed::delete_policy),
    op(
        "CreatePolicyVersion",
        "iam:CreatePolicyVersion",
        POLICY,
        managed::create_policy_version,
    ),
    op(
        "GetPolicyVersion",
        "iam:GetPolicyVersion",
        POLICY,
        managed::get_policy_version,
    ),
    op(
        "ListPolicyVersions",
        "iam:ListPolicyVersions",
        POLICY,
        managed::list_policy_versions,
    ),
    op(
        "SetDefaultPolicyVersion",
        "iam:SetDefaultPolicyVersion",
        POLICY,
        managed::set_default_policy_version,
    ),
    op(
        "DeletePolicyVersion",
        "iam:DeletePolicyVersion",
        POLICY,
        managed::delete_policy_version,
    ),
    op(
        "ListEntitiesForPolicy",
        "iam:ListEntitiesForPolicy",
        POLICY,
        account::list_entities_for_policy,
    ),
    // attachments
    keyed(
        "AttachUserPolicy",
        "iam:AttachUserPolicy",
        USER,
        &[Key::PolicyArn, Key::Boundary],
        managed::attach_user_policy,
    ),
    keyed(
        "DetachUserPolicy",
        "iam:DetachUserPolicy",
        USER,
        &[Key::PolicyArn, Key::Boundary],
        managed::detach_user_policy,
    ),
    op(
        "ListAttachedUserPolicies",
        "iam:ListAttachedUserPolicies",
        USER,
        managed::list_attached_user_policies,
    ),
    keyed(
        "AttachGroupPolicy",
        "iam:AttachGroupPolicy",
        GROUP,
        &[Key::PolicyArn],
        managed::attach_group_policy,
    ),
    keyed(
        "DetachGroupPolicy",
        "iam:DetachGroupPolicy",
        GROUP,
        &[Key::PolicyArn],
        managed::detach_group_policy,
    ),
    op(
        "ListAttachedGroupPolicies",
        "iam:ListAttachedGroupPolicies",
        GROUP,
        managed::list_attached_group_policies,
    ),
    keyed(
        "AttachRolePolicy",
        "iam:AttachRolePolicy",
        ROLE,
        &[Key::PolicyArn, Key::Boundary],
        managed::attach_role_policy,
    ),
    keyed(
        "DetachRolePolicy",
        "iam:DetachRolePolicy",
        ROLE,
        &[Key::PolicyArn, Key::Boundary],
        managed::detach_role_policy,
    ),
    op(
        "ListAttachedRolePolicies",
        "iam:ListAttachedRolePolicies",
        ROLE,
        managed::list_attached_role_policies,
    ),
    // groups
    op(
        "CreateGroup",
        "iam:CreateGroup",
        New(Group, "GroupName"),
        groups::create_group,
    ),
    op("GetGroup", "iam:GetGroup", GROUP, groups::get_group),
    op(
        "ListGroups",
        "iam:ListGroups",
        Listing(Group),
        groups::list_groups,
    ),
    op(
        "ListGroupsForUser",
        "iam:ListGroupsForUser",
        USER,
        groups::list_groups_for_user,
    ),
    op(
        "AddUserToGroup",
        "iam:AddUserToGroup",
        GROUP,
        groups::add_user_to_group,
    ),
    op(
        "RemoveUserFromGroup",
        "iam:RemoveUserFromGroup",
        GROUP,
        groups::remove_user_from_group,
    ),
    Operation {
        renames: true,
        ..op("UpdateGroup", "iam:UpdateGroup", GROUP, groups::update_group)
    },
    op("DeleteGroup", "iam:DeleteGroup", GROUP, groups::delete_group),
    // roles
    keyed(
        "CreateRole",
        "iam:CreateRole",
        New(Role, "RoleName"),
        &[Key::RequestTags, Key::Boundary],
        roles::create_role,
    ),
    keyed("GetRole", "iam:GetRole", ROLE, BOUNDARY, roles::get_role),
    op("ListRoles", "iam:ListRoles", Listing(Role), roles::list_roles),
    keyed("UpdateRole", "iam:UpdateRole", ROLE, BOUNDARY, roles::update_role),
    keyed(
        "UpdateRoleDescription",
        "iam:UpdateRoleDescription",
        ROLE,
        BOUNDARY,
        roles::update_role_description,
    ),
    keyed(
        "UpdateAssumeRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        ROLE,
        BOUNDARY,
        roles::update_assume_role_policy,
    ),
    keyed("DeleteRole", "iam:DeleteRole", ROLE, BOUNDARY, roles::delete_role),
    // permissions boundaries
    keyed(
        "PutUserPermissionsBoundary",
        "iam:PutUserPermissionsBoundary",
        USER,
        BOUNDARY,
        boundaries::put_user_permissions_boundary,
    ),
    keyed(
        "DeleteUserPermissionsBoundary",
        "iam:DeleteUserPermissionsBoundary",
        USER,
        BOUNDARY,
        boundaries::delete_user_permissions_boundary,
    ),
    keyed(
        "PutRolePermissionsBoundary",
        "iam:PutRolePermissionsBoundary",
        ROLE,
        BOUNDARY,
        boundaries::put_role_permissions_boundary,
    ),
    keyed(
        "DeleteRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary",
        ROLE,
        BOUNDARY,
        boundaries::delete_role_permissions_boundary,
    ),
    // tags
    keyed("TagUser", "iam:TagUser", USER, TAGS, tags::tag_user),
    keyed("UntagUser", "iam:UntagUser", USER, TAG_KEYS, tags::untag_user),
    op("ListUserTags", "iam:ListUserTags", USER, tags::list_user_tags),
    keyed("TagRole", "iam:TagRole", ROLE, TAGS, tags::tag_role),
    keyed("UntagRole", "iam:UntagRole", ROLE, TAG_KEYS, tags::untag_role),
    op("ListRoleTags", "iam:ListRoleTags", ROLE, tags::list_role_tags),
    keyed("TagPolicy", "iam:TagPolicy", POLICY, TAGS, tags::tag_policy),
    keyed(
        "UntagPolicy",
        "iam:UntagPolicy",
        POLICY,
        TAG_KEYS,
        tags::untag_policy,
    ),
    op(
        "ListPolicyTags",
        "iam:ListPolicyTags",
        POLICY,
        tags::list_policy_tags,
    ),
    // instance profiles
    keyed(
        "CreateInstanceProfile",
        "iam:CreateInstanceProfile",
        New(InstanceProfile, "InstanceProfileName"),
        TAGS,
        instance_profiles::create_instance_profile,
    ),
    op(
        "GetInstanceProfile",
        "iam:GetInstanceProfile",
        PROFILE,
        instance_profiles::get_instance_profile,
    ),
    op(
        "DeleteInstanceProfile",
        "iam:DeleteInstanceProfile",
        PROFILE,
        instance_profiles::delete_instance_profile,
    ),
    op(
        "ListInstanceProfiles",
        "iam:ListInstanceProfiles",
        Listing(InstanceProfile),
        instance_profiles::list_instance_profiles,
    ),
    op(
        "ListInstanceProfilesForRole",
        "iam:ListInstanceProfilesForRole",
        ROLE,
        instance_profiles::list_instance_profiles_for_role,
    ),
    // "The caller of this operation must be granted the PassRole permission
    // on the IAM role by a permissions policy." (AddRoleToInstanceProfile)
    Operation {
        also: &[Also {
            action: "iam:PassRole",
            on: ROLE,
            keys: &[Key::PassedToEc2Instances],
        }],
        ..op(
            "AddRoleToInstanceProfile",
            "iam:AddRoleToInstanceProfile",
            PROFILE,
            instance_profiles::add_role_to_instance_profile,
        )
    },
    op(
        "RemoveRoleFromInstanceProfile",
        "iam:RemoveRoleFromInstanceProfile",
        PROFILE,
        instance_profiles::remove_role_from_instance_profile,
    ),
    keyed(
        "TagInstanceProfile",
        "iam:TagInstanceProfile",
        PROFILE,
        TAGS,
        tags::tag_instance_profile,
    ),
    keyed(
        "UntagInstanceProfile",
        "iam:UntagInstanceProfile",
        PROFILE,
        TAG_KEYS,
        tags::untag_instance_profile,
    ),
    op(
        "ListInstanceProfileTags",
        "iam:ListInstanceProfileTags",
        PROFILE,
        tags::list_instance_profile_tags,
    ),
    // OpenID Connect providers
    keyed(
        "CreateOpenIDConnectProvider",
        "iam:CreateOpenIDConnectProvider",
        NewOidcProvider,
        TAGS,
        providers::create_oidc_provider,
    ),
    op(
        "GetOpenIDConnectProvider",
        "iam:GetOpenIDConnectProvider",
        OIDC,
        providers::get_oidc_provider,
    ),
    op(
        "DeleteOpenIDConnectProvider",
        "iam:DeleteOpenIDConnectProvider",
        OIDC,
        providers::delete_oidc_provider,
    ),
    op(
        "ListOpenIDConnectProviders",
        "iam:ListOpenIDConnectProviders",
        Any,
        providers::list_oidc_providers,
    ),
    op(
        "UpdateOpenIDConnectProviderThumbprint",
        "iam:UpdateOpenIDConnectProviderThumbprint",
        OIDC,
        providers::update_oidc_thumbprint,
    ),
    op(
        "AddClientIDToOpenIDConnectProvider",
        "iam:AddClientIDToOpenIDConnectProvider",
        OIDC,
        providers::add_client_id,
    ),
    op(
        "RemoveClientIDFromOpenIDConnectProvider",
        "iam:RemoveClientIDFromOpenIDConnectProvider",
        OIDC,
        providers::remove_client_id,
    ),
    keyed(
        "TagOpenIDConnectProvider",
        "iam:TagOpenIDConnectProvider",
        OIDC,
        TAGS,
        tags::tag_oidc_provider,
    ),
    keyed(
        "UntagOpenIDConnectProvider",
        "iam:UntagOpenIDConnectProvider",
        OIDC,
        TAG_KEYS,
        tags::untag_oidc_provider,
    ),
    op(
        "ListOpenIDConnectProviderTags",
        "iam:ListOpenIDConnectProviderTags",
        OIDC,
        tags::list_oidc_provider_tags,
    ),
    // SAML providers
    keyed(
        "CreateSAMLProvider",
        "iam:CreateSAMLProvider",
        New(SamlProvider, "Name"),
        TAGS,
        providers::create_saml_provider,
    ),
    op(
        "GetSAMLProvider",
        "iam:GetSAMLProvider",
        SAML,
        providers::get_saml_provider,
    ),
    op(
        "UpdateSAMLProvider",
        "iam:UpdateSAMLProvider",
        SAML,
        providers::update_saml_provider,
    ),
    op(
        "DeleteSAMLProvider",
        "iam:DeleteSAMLProvider",
        SAML,
        providers::delete_saml_provider,
    ),
    op(
        "ListSAMLProviders",
        "iam:ListSAMLProviders",
        Any,
        providers::list_saml_providers,
    ),
    keyed(
        "TagSAMLProvider",
        "iam:TagSAMLProvider",
        SAML,
        TAGS,
        tags::tag_saml_provider,
    ),
    keyed(
        "UntagSAMLProvider",
        "iam:UntagSAMLProvider",
        SAML,
        TAG_KEYS,
        tags::untag_saml_provider,
    ),
    op(
        "ListSAMLProviderTags",
        "iam:ListSAMLProviderTags",
        SAML,
        tags::list_saml_provider_tags,
    ),
    // account-wide views
    op(
        "GetAccountAuthorizationDetails",
        "iam:GetAccountAuthorizationDetails",
        Any,
        account::get_account_authorization_details,
    ),
    op(
        "GetAccountSummary",
        "iam:GetAccountSummary",
        Any,
        account::get_account_summary,
    ),
    // the policy simulator
    op(
        "SimulatePrincipalPolicy",
        "iam:SimulatePrincipalPolicy",
        ArnIn(User, "PolicySourceArn"),
        simulate::simulate_principal_policy,
    ),
    op(
        "SimulateCustomPolicy",
        "iam:SimulateCustomPolicy",
        Any,
        simulate::simulate_custom_policy,
    ),
    // virtual MFA devices
    keyed(
        "CreateVirtualMFADevice",
        "iam:CreateVirtualMFADevice",
        New(Mfa, "VirtualMFADeviceName"),
        TAGS,
        mfa::create_virtual_mfa_device,
    ),
    op(
        "EnableMFADevice",
        "iam:EnableMFADevice",
        USER,
        mfa::enable_mfa_device,
    ),
    op(
        "ResyncMFADevice",
        "iam:ResyncMFADevice",
        USER,
        mfa::resync_mfa_device,
    ),
    op(
        "DeactivateMFADevice",
        "iam:DeactivateMFADevice",
        UserOrCaller,
        mfa::deactivate_mfa_device,
    ),
    op(
        "DeleteVirtualMFADevice",
        "iam:DeleteVirtualMFADevice",
        MFA,
        mfa::delete_virtual_mfa_device,
    ),
    op(
        "ListMFADevices",
        "iam:ListMFADevices",
        UserOrCaller,
        mfa::list_mfa_devices,
    ),
    op(
        "ListVirtualMFADevices",
        "iam:ListVirtualMFADevices",
        Listing(Mfa),
        mfa::list_virtual_mfa_devices,
    ),
    op(
        "GetMFADevice",
        "iam:GetMFADevice",
        UserOrCaller,
        mfa::get_mfa_device,
    ),
    keyed(
        "TagMFADevice",
        "iam:TagMFADevice",
        MFA,
        TAGS,
        tags::tag_mfa_device,
    ),
    keyed(
        "UntagMFADevice",
        "iam:UntagMFADevice",
        MFA,
        TAG_KEYS,
        tags::untag_mfa_device,
    ),
    op(
        "ListMFADeviceTags",
        "iam:ListMFADeviceTags",
        MFA,
        tags::list_mfa_device_tags,
    ),
    // console passwords and the password policy
    op(
        "CreateLoginProfile",
        "iam:CreateLoginProfile",
        UserOrCaller,
        passwords::create_login_profile,
    ),
    op(
        "GetLoginProfile",
        "iam:GetLoginProfile",
        UserOrCaller,
        passwords::get_login_profile,
    ),
    op(
        "UpdateLoginProfile",
        "iam:UpdateLoginProfile",
        USER,
        passwords::update_login_profile,
    ),
    op(
        "DeleteLoginProfile",
        "iam:DeleteLoginProfile",
        UserOrCaller,
        passwords::delete_login_profile,
    ),
    op(
        "ChangePassword",
        "iam:ChangePassword",
        UserOrCaller,
        passwords::change_password,
    ),
    op(
        "UpdateAccountPasswordPolicy",
        "iam:UpdateAccountPasswordPolicy",
        Any,
        passwords::update_account_password_policy,
    ),
    op(
        "GetAccountPasswordPolicy",
        "iam:GetAccountPasswordPolicy",
        Any,
        passwords::get_account_password_policy,
    ),
    op(
        "DeleteAccountPasswordPolicy",
        "iam:DeleteAccountPasswordPolicy",
        Any,
        passwords::delete_account_password_policy,
    ),
    // the account alias
    op(
        "CreateAccountAlias",
        "iam:CreateAccountAlias",
        Any,
        aliases::create_account_alias,
    ),
    op(
        "DeleteAccountAlias",
        "iam:DeleteAccountAlias",
        Any,
        aliases::delete_account_alias,
    ),
    op(
        "ListAccountAliases",
        "iam:ListAccountAliases",
        Any,
        aliases::list_account_aliases,
    ),
    // server certificates
    keyed(
        "UploadServerCertificate",
        "iam:UploadServerCertificate",
        New(ServerCertificate, "ServerCertificateName"),
        TAGS,
        certificates::upload_server_certificate,
    ),
    op(
        "GetServerCertificate",
        "iam:GetServerCertificate",
        SERVER_CERTIFICATE,
        certificates::get_server_certificate,
    ),
    op(
        "ListServerCertificates",
        "iam:ListServerCertificates",
        Listing(ServerCertificate),
        certificates::list_server_certificates,
    ),
    Operation {
        renames: true,
        ..op(
            "UpdateServerCertificate",
            "iam:UpdateServerCertificate",
            SERVER_CERTIFICATE,
            certificates::update_server_certificate,
        )
    },
    op(
        "DeleteServerCertificate",
        "iam:DeleteServerCertificate",
        SERVER_CERTIFICATE,
        certificates::delete_server_certificate,
    ),
    keyed(
        "TagServerCertificate",
        "iam:TagServerCertificate",
        SERVER_CERTIFICATE,
        TAGS,
        tags::tag_server_certificate,
    ),
    keyed(
        "UntagServerCertificate",
        "iam:UntagServerCertificate",
        SERVER_CERTIFICATE,
        TAG_KEYS,
        tags::untag_server_certificate,
    ),
    op(
        "ListServerCertificateTags",
        "iam:ListServerCertificateTags",
        SERVER_CERTIFICATE,
        tags::list_server_certificate_tags,
    ),
    // signing certificates
    op(
        "UploadSigningCertificate",
        "iam:UploadSigningCertificate",
        UserOrCaller,
        certificates::upload_signing_certificate,
    ),
    op(
        "ListSigningCertificates",
        "iam:ListSigningCertificates",
        UserOrCaller,
        certificates::list_signing_certificates,
    ),
    op(
        "UpdateSigningCertificate",
        "iam:UpdateSigningCertificate",
        UserOrCaller,
        certificates::update_signing_certificate,
    ),
    op(
        "DeleteSigningCertificate",
        "iam:DeleteSigningCertificate",
        UserOrCaller,
        certificates::delete_signing_certificate,
    ),
    // SSH public keys
    op(
        "UploadSSHPublicKey",
        "iam:UploadSSHPublicKey",
        USER,
        ssh_keys::upload_ssh_public_key,
    ),
    op(
        "GetSSHPublicKey",
        "iam:GetSSHPublicKey",
        USER,
        ssh_keys::get_ssh_public_key,
    ),
    op(
        "ListSSHPublicKeys",
        "iam:ListSSHPublicKeys",
        UserOrCaller,
        ssh_keys::list_ssh_public_keys,
    ),
    op(
        "UpdateSSHPublicKey",
        "iam:UpdateSSHPublicKey",
        USER,
        ssh_keys::update_ssh_public_key,
    ),
    op(
        "DeleteSSHPublicKey",
        "iam:DeleteSSHPublicKey",
        USER,
        ssh_keys::delete_ssh_public_key,
    ),
    // service-specific credentials
    keyed(
        "CreateServiceSpecificCredential",
        "iam:CreateServiceSpecificCredential",
        USER,
        &[Key::CredentialService, Key::CredentialAgeDays],
        service_credentials::create_service_specific_credential,
    ),
    op(
        "ListServiceSpecificCredentials",
        "iam:ListServiceSpecificCredentials",
        UserOrCaller,
        service_credentials::list_service_specific_credentials,
    ),
    keyed(
        "ResetServiceSpecificCredential",
        "iam:ResetServiceSpecificCredential",
        UserOrCaller,
        CREDENTIAL_SERVICE,
        service_credentials::reset_service_specific_credential,
    ),
    keyed(
        "UpdateServiceSpecificCredential",
        "iam:UpdateServiceSpecificCredential",
        UserOrCaller,
        CREDENTIAL_SERVICE,
        service_credentials::update_service_specific_credential,
    ),
    keyed(
        "DeleteServiceSpecificCredential",
        "iam:DeleteServiceSpecificCredential",
        UserOrCaller,
        CREDENTIAL_SERVICE,
        service_credentials::delete_service_specific_credential,
    ),
    // the credential report
    op(
        "GenerateCredentialReport",
        "iam:GenerateCredentialReport",
        Any,
        reports::generate_credential_report,
    ),
    op(
        "GetCredentialReport",
        "iam:GetCredentialReport",
        Any,
        reports::get_credential_report,
    ),
    // service-linked roles
    keyed(
        "CreateServiceLinkedRole",
        "iam:CreateServiceLinkedRole",
        NewServiceLinkedRole,
        &[Key::AwsServiceName],
        service_linked_roles::create_service_linked_role,
    ),
    op(
        "DeleteServiceLinkedRole",
        "iam:DeleteServiceLinkedRole",
        ROLE,
        service_linked_roles::delete_service_linked_role,
    ),
    op(
        "GetServiceLinkedRoleDeletionStatus",
        "iam:GetServiceLinkedRoleDeletionStatus",
        DeletionTaskRole,
        service_linked_roles::get_service_linked_role_deletion_status,
    ),
    // the context keys policies read
    op(
        "GetContextKeysForCustomPolicy",
        "iam:GetContextKeysForCustomPolicy",
        Any,
        context_keys::get_context_keys_for_custom_policy,
    ),
    op(
        "GetContextKeysForPrincipalPolicy",
        "iam:GetContextKeysForPrincipalPolicy",
        ArnIn(User, "PolicySourceArn"),
        context_keys::get_context_keys_for_principal_policy,
    ),
    // access reports: which services policies grant, and their last use
    op(
        "ListPoliciesGrantingServiceAccess",
        "iam:ListPoliciesGrantingServiceAccess",
        ENTITY_ARN,
        access_reports::list_policies_granting_service_access,
    ),
    op(
        "GenerateServiceLastAccessedDetails",
        "iam:GenerateServiceLastAccessedDetails",
        ENTITY_ARN,
        access_reports::generate_service_last_accessed_details,
    ),
    op(
        "GetServiceLastAccessedDetails",
        "iam:GetServiceLastAccessedDetails",
        Any,
        access_reports::get_service_last_accessed_details,
    ),
    op(
        "GetServiceLastAccessedDetailsWithEntities",
        "iam:GetServiceLastAccessedDetailsWithEntities",
        Any,
        access_reports::get_service_last_accessed_details_with_entities,
    ),
    keyed(
        "GenerateOrganizationsAccessReport",
        "iam:GenerateOrganizationsAccessReport",
        On::AccessReport,
        &[Key::OrganizationsPolicyId],
        org_reports::generate_organizations_access_report,
    ),
    op(
        "GetOrganizationsAccessReport",
        "iam:GetOrganizationsAccessReport",
        Any,
        org_reports::get_organizations_access_report,
    ),
    // centralized root access for an organization's member accounts
    op(
        "EnableOrganizationsRootCredentialsManagement",
        "iam:EnableOrganizationsRootCredentialsManagement",
        Any,
        org_features::enable_root_credentials_management,
    ),
    op(
        "DisableOrganizationsRootCredentialsManagement",
        "iam:DisableOrganizationsRootCredentialsManagement",
        Any,
        org_features::disable_root_credentials_management,
    ),
    op(
        "EnableOrganizationsRootSessions",
        "iam:EnableOrganizationsRootSessions",
        Any,
        org_features::enable_root_sessions,
    ),
    op(
        "DisableOrganizationsRootSessions",
        "iam:DisableOrganizationsRootSessions",
        Any,
        org_features::disable_root_sessions,
    ),
    op(
        "ListOrganizationsFeatures",
        "iam:ListOrganizationsFeatures",
        Any,
        org_features::list_organizations_features,
    ),
    // account settings
    op(
        "EnableOutboundWebIdentityFederation",
        "iam:EnableOutboundWebIdentityFederation",
        Any,
        account_settings::enable_outbound_web_identity_federation,
    ),
    op(
        "DisableOutboundWebIdentityFederation",
        "iam:DisableOutboundWebIdentityFederation",
        Any,
        account_settings::disable_outbound_web_identity_federation,
    ),
    op(
        "GetOutboundWebIdentityFederationInfo",
        "iam:GetOutboundWebIdentityFederationInfo",
        Any,
        account_settings::get_outbound_web_identity_federation_info,
    ),
    op(
        "SetSecurityTokenServicePreferences",
        "iam:SetSecurityTokenServicePreferences",
        Any,
        account_settings::set_security_token_service_preferences,
    ),
    // temporary delegation requests
    keyed(
        "CreateDelegationRequest",
        "iam:CreateDelegationRequest",
        NewDelegationRequest,
        &[
            Key::DelegationDuration,
            Key::NotificationChannel,
            Key::TemplateArn,
        ],
        delegation::create_delegation_request,
    ),
    keyed(
        "GetDelegationRequest",
        "iam:GetDelegationRequest",
        DELEGATION,
        OWNER,
        delegation::get_delegation_request,
    ),
    keyed(
        "ListDelegationRequests",
        "iam:ListDelegationRequests",
        Any,
        OWNER,
        delegation::list_delegation_requests,
    ),
    keyed(
        "AssociateDelegationRequest",
        "iam:AssociateDelegationRequest",
        DELEGATION,
        OWNER,
        delegation::associate_delegation_request,
    ),
    keyed(
        "UpdateDelegationRequest",
        "iam:UpdateDelegationRequest",
        DELEGATION,
        OWNER,
        delegation::update_delegation_request,
    ),
    keyed(
        "AcceptDelegationRequest",
        "iam:AcceptDelegationRequest",
        DELEGATION,
        OWNER,
        delegation::accept_delegation_request,
    ),
    keyed(
        "RejectDelegationRequest",
        "iam:RejectDelegationRequest",
        DELEGATION,
        OWNER,
        delegation::reject_delegation_request,
    ),
    keyed(
        "SendDelegationToken",
        "iam:SendDelegationToken",
        DELEGATION,
        OWNER,
        delegation::send_delegation_token,
    ),
    keyed(
        "GetHumanReadableSummary",
        "iam:GetHumanReadableSummary",
        On::DelegationRequestArn("EntityArn"),
        OWNER,
        delegation::get_human_readable_summary,
    ),
];

/// botocore's IAM operations without a row yet: none. An operation
/// botocore adds goes here until it is served.
pub const NOT_SERVED: &[&str] = &[];

/// The row of the operation named `name`.
pub fn find(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// botocore's IAM operations (vendored by
    /// scripts/gen-botocore-operations.py): each served or listed, one
    /// row each.
    #[test]
    fn every_botocore_operation_has_a_row_or_is_listed_as_not_served() {
        let model = include_str!("../../../data/botocore/iam.json");
        assert_eq!(
            crate::protocol::model::operation_names(model).len(),
            176,
            "botocore's IAM model changed: regenerate and review"
        );
        let rows: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        crate::protocol::model::assert_table_covers(model, &rows, NOT_SERVED);
    }

    /// A sample ARN of each resource type, as the catalog's ARN formats match.
    fn sample_arn(kind: Kind) -> &'static str {
        match kind {
            Kind::User => "arn:aws:iam::123456789012:user/alice",
            Kind::Group => "arn:aws:iam::123456789012:group/devs",
            Kind::Role => "arn:aws:iam::123456789012:role/app",
            Kind::Policy => "arn:aws:iam::123456789012:policy/p",
            Kind::InstanceProfile => "arn:aws:iam::123456789012:instance-profile/web",
            Kind::OidcProvider => {
                "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
            }
            Kind::SamlProvider => "arn:aws:iam::123456789012:saml-provider/idp",
            Kind::Mfa => "arn:aws:iam::123456789012:mfa/alice",
            Kind::ServerCertificate => "arn:aws:iam::123456789012:server-certificate/web",
            Kind::AccessReport => "arn:aws:iam::123456789012:access-report/o-a1b2c3d4e5/r-ab12",
            Kind::DelegationRequest => "arn:aws:iam::123456789012:delegation-request/e4bdcdae-4f66-11ed",
        }
    }

    fn check_action(action: &str, on: On) {
        let catalog = iam_evaluator::Catalog::get();
        let (_, found) = catalog
            .action(action)
            .unwrap_or_else(|| panic!("{action} is not in the catalog"));
        match on.kind() {
            None => assert!(found.is_wildcard_only(), "{action} acts on a resource type"),
            Some(kind) => assert!(
                catalog
                    .resource_types_for(action, sample_arn(kind))
                    .iter()
                    .any(|t| t.name == kind.resource_type()),
                "{action} does not act on {}",
                kind.resource_type()
            ),
        }
    }

    /// Service Authorization Reference (the catalog): each row's action and
    /// further actions exist, and act on the resource type the row builds.
    #[test]
    fn every_row_names_its_catalog_action_and_resource_type() {
        for row in OPERATIONS {
            assert!(row.action.starts_with("iam:"), "{}", row.name);
            check_action(row.action, row.on);
            for also in row.also {
                check_action(also.action, also.on);
            }
        }
    }

    fn probes(key: Key) -> &'static [&'static str] {
        match key {
            Key::RequestTags => &["aws:RequestTag/Team"],
            Key::TagKeys => &["aws:TagKeys"],
            Key::Boundary => &["iam:PermissionsBoundary"],
            Key::PolicyArn => &["iam:PolicyARN"],
            Key::AwsServiceName => &["iam:AWSServiceName"],
            Key::PassedToEc2Instances => &["iam:PassedToService", "iam:AssociatedResourceArn"],
            Key::CredentialService => &["iam:ServiceSpecificCredentialServiceName"],
            Key::CredentialAgeDays => &["iam:ServiceSpecificCredentialAgeDays"],
            Key::DelegationRequestOwner => &["iam:DelegationRequestOwner"],
            Key::DelegationDuration => &["iam:DelegationDuration"],
            Key::NotificationChannel => &["iam:NotificationChannel"],
            Key::TemplateArn => &["iam:TemplateArn"],
            Key::OrganizationsPolicyId => &["iam:OrganizationsPolicyId"],
        }
    }

    /// Each condition key a row sets is one the reference lists for its action.
    #[test]
    fn every_row_key_is_one_its_action_takes() {
        let catalog = iam_evaluator::Catalog::get();
        for row in OPERATIONS {
            let (service, action) = catalog.action(row.action).unwrap();
            let lists = service.condition_key_lists(action);
            let takes = |key: &str| lists.iter().any(|l| l.contains(key));
            for key in row.keys {
                for probe in probes(*key) {
                    assert!(takes(probe), "{}: {probe}", row.name);
                }
            }
            for also in row.also {
                let (service, action) = catalog.action(also.action).unwrap();
                let lists = service.condition_key_lists(action);
                for key in also.keys {
                    for probe in probes(*key) {
                        assert!(
                            lists.iter().any(|l| l.contains(probe)),
                            "{}: {probe}",
                            also.action
                        );
                    }
                }
            }
        }
    }
}

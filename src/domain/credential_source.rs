//! AWS credentials hats reads but does not make: the start of a chain when
//! it is not a federated proof (Identity Center, web identity, SAML).

/// Where base credentials come from; the AWS SDK's providers read them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CredentialSource {
    /// A profile without `role_arn`: static keys, `credential_process`, an
    /// `aws login` session or a legacy SSO profile, read by aws-config.
    Profile(String),
    /// `credential_source = Environment`.
    Environment,
    /// `credential_source = Ec2InstanceMetadata`.
    InstanceMetadata,
    /// `credential_source = EcsContainer`.
    EcsContainer,
}

impl CredentialSource {
    /// A short description for listings and cache keys: the profile name, or the source in parentheses.
    pub fn describe(&self) -> String {
        match self {
            Self::Profile(name) => name.clone(),
            Self::Environment => "(environment)".into(),
            Self::InstanceMetadata => "(instance metadata)".into(),
            Self::EcsContainer => "(ECS container)".into(),
        }
    }
}

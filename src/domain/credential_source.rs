//! AWS credentials hats reads but does not make: the start of a chain when
//! it is not a federated proof (Identity Center, web identity, SAML).

/// Where base credentials come from: the AWS SDK's providers read them, except
/// a keyring profile's long-term key, which hats' engine reads from the keyring.
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
    /// A profile whose long-term access key hats keeps in the OS keyring (`hats keys`).
    Keyring(String),
}

impl CredentialSource {
    /// A short description for listings and cache keys: the profile name, or the source in parentheses.
    pub fn describe(&self) -> String {
        match self {
            // The same for a key in the AWS files and in the keyring: moving a
            // key into the keyring keeps the sessions made with it.
            Self::Profile(name) | Self::Keyring(name) => name.clone(),
            Self::Environment => "(environment)".into(),
            Self::InstanceMetadata => "(instance metadata)".into(),
            Self::EcsContainer => "(ECS container)".into(),
        }
    }
}

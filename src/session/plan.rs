//! Decides how a role session is obtained and for how long, before any call.

use super::SessionError;
use crate::config::Settings;
use crate::domain::SessionDuration;
use crate::inventory::{Below, Chain, Mode, Source, Spec, Target};

/// How and for how long a role will be assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// How.
    pub mode: Mode,
    /// `DurationSeconds`.
    pub duration: SessionDuration,
    /// Set when a configured duration was cut to AWS's 1-hour limit.
    pub capped_from: Option<SessionDuration>,
}

/// How `chain`'s own role is assumed and for how long.
pub fn plan_role(
    chain: &Chain,
    requested: Option<SessionDuration>,
    settings: &Settings,
) -> Result<Plan, SessionError> {
    plan_hop(chain, chain.via.len(), requested, settings)
}

/// Chooses the mode for hop `index` of `chain`: a role assumed with another
/// role's credentials (or an Identity Center role's) is chained; more than 1 h
/// with MFA means a long session (MFA code sent to `AssumeRole`); otherwise an
/// MFA session serves many roles.
pub fn plan_hop(
    chain: &Chain,
    index: usize,
    requested: Option<SessionDuration>,
    settings: &Settings,
) -> Result<Plan, SessionError> {
    let (spec, below) = chain.hop(index);
    let wanted = requested
        .or(spec.options.duration)
        .unwrap_or(settings.role_duration)
        .check_range(SessionDuration::MIN, SessionDuration::MAX_ROLE, "a role session")?;
    // An assertion caps its sessions (`SessionDuration`); asking for more
    // would only make STS refuse, and a cached session never meet the request.
    let wanted = match below {
        Below::Base(Source::Saml(saml)) => saml.max_duration.map_or(wanted, |cap| {
            wanted.min(SessionDuration::from_secs(cap).max(SessionDuration::MIN))
        }),
        _ => wanted,
    };
    let mode = match (below, &spec.mfa) {
        // Identity Center credentials are a role session: assuming a role with them is chaining.
        (Below::Role(_) | Below::Base(Source::Sso(_)), _) => Mode::Chained,
        (Below::Base(Source::WebIdentity(_)), _) => Mode::WebIdentity,
        (Below::Base(Source::Saml(_)), _) => Mode::Saml,
        (_, Some(_)) if wanted > SessionDuration::ONE_HOUR => Mode::LongSession,
        (_, Some(_)) => Mode::MfaSession,
        (_, None) => Mode::Role,
    };
    if mode == Mode::Chained && wanted > SessionDuration::ONE_HOUR {
        if requested.is_some() {
            return Err(SessionError::ChainTooLong {
                role: spec.role_arn.to_string(),
            });
        }
        return Ok(Plan {
            mode,
            duration: SessionDuration::ONE_HOUR,
            capped_from: Some(wanted),
        });
    }
    Ok(Plan {
        mode,
        duration: wanted,
        capped_from: None,
    })
}

/// How `target` is obtained with default options, as listings show it (`invalid`
/// when its configured duration breaks AWS's limits).
pub fn target_mode(target: &Target, settings: &Settings) -> &'static str {
    match &target.spec {
        Spec::UserSession { .. } => Mode::UserSession.as_str(),
        Spec::Sso(_) => Mode::Sso.as_str(),
        Spec::Role(chain) => plan_role(chain, None, settings).map_or("invalid", |p| p.mode.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HatsFile;
    use crate::domain::RoleArn;
    use crate::inventory::RoleSpec;

    fn spec(duration: Option<SessionDuration>) -> RoleSpec {
        RoleSpec {
            profile: None,
            role_arn: RoleArn::parse("arn:aws:iam::444444444444:role/Deep").unwrap(),
            mfa: None,
            options: crate::inventory::Options {
                duration,
                ..Default::default()
            }
            .into(),
        }
    }

    #[test]
    fn a_configured_chained_duration_is_capped_to_an_hour_and_an_asked_one_refused() {
        let settings = Settings::from_defaults(&HatsFile::default().defaults).unwrap();
        let two_hours = SessionDuration::from_secs(7200);
        let chained = Chain {
            base: Source::profile("plain"),
            via: vec![spec(None)],
            role: spec(Some(two_hours)),
        };
        let plan = plan_role(&chained, None, &settings).unwrap();
        assert_eq!(
            plan,
            Plan {
                mode: Mode::Chained,
                duration: SessionDuration::ONE_HOUR,
                capped_from: Some(two_hours),
            }
        );
        assert!(matches!(
            plan_role(&chained, Some(two_hours), &settings),
            Err(SessionError::ChainTooLong { .. })
        ));
        let not_chained = Chain {
            base: Source::profile("plain"),
            via: Vec::new(),
            role: spec(Some(two_hours)),
        };
        let plan = plan_role(&not_chained, None, &settings).unwrap();
        assert_eq!((plan.duration, plan.capped_from), (two_hours, None));
    }
}

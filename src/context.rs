//! Everything a command needs, loaded once: paths, settings, targets, clock, and
//! (only when a command asks for it) the keyring-backed cache.

use crate::clock::Clock;
use crate::config::{self, HatsFile, Paths, Presets, Settings, SsoSession};
use crate::error::Error;
use crate::fs_private;
use crate::inventory::{self, Target, TargetSet};
use crate::keyring::{KeyringChoice, Opening};
use crate::session::{Cache, IndexFile};
use aws_config::profile::ProfileSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// The loaded configuration and the services around it.
pub struct Context {
    /// Where files live.
    pub paths: Paths,
    /// Resolved defaults.
    pub settings: Settings,
    /// Every target.
    pub targets: TargetSet,
    /// Source of "now".
    pub clock: Clock,
    /// `--verbose`.
    pub verbose: bool,
    /// `[organization]` from hats' config.
    pub file_organization: Option<config::OrganizationEntry>,
    /// The cached organization inventory, when an organization is configured
    /// (and the command needs it: see [`Context::load_for`]).
    pub inventory: Option<crate::domain::Inventory>,
    /// Scope-down presets (`[preset.NAME]`).
    pub presets: Presets,
    /// `[identity_center]` from hats' config.
    pub identity_center: Option<config::IdentityCenterEntry>,
    /// Every Identity Center sign-in the AWS config names, sorted by key, with
    /// when its inventory was discovered (`None`: never, or not loaded).
    pub sso_sessions: Vec<(Arc<SsoSession>, Option<jiff::Timestamp>)>,
    /// The keyring being opened since start-up, for the first `open_cache`.
    pub opening: Mutex<Option<Opening>>,
}

/// Which targets a command will look at, so start-up loads no more.
#[derive(Debug, Clone, Copy)]
pub enum Wanted<'a> {
    /// Every target (listing, the switcher).
    Everything,
    /// One target, by name or alias.
    Target(&'a str),
    /// None (history reads only its own file).
    NoTargets,
}

impl Context {
    /// Reads the AWS files, hats' config and (when an organization is
    /// configured) its inventory: every target. Touches no keyring and no network.
    pub async fn load(verbose: bool) -> Result<Self, Error> {
        Self::load_for(verbose, Wanted::Everything).await
    }

    /// Like [`Context::load`], but a command about one target skips the
    /// organization inventory (thousands of accounts) when that target comes
    /// from the AWS files or hats' own config.
    pub async fn load_for(verbose: bool, wanted: Wanted<'_>) -> Result<Self, Error> {
        let paths = Paths::from_env().map_err(Error::Usage)?;
        let mut file = HatsFile::load(&paths.config_file)?;
        file.keyring_profiles = config::keyring_profiles::load(&paths.keyring_profiles)?;
        let mut settings = Settings::from_defaults(&file.defaults)?;
        settings.console = config::ConsoleConfig::new(&file.defaults.console, &file.console)?;
        let profiles = config::load_profiles(
            &aws_types::os_shim_internal::Fs::real(),
            &aws_types::os_shim_internal::Env::real(),
        )
        .await?;
        let presets = Presets {
            entries: file.presets.clone(),
            base_dir: paths
                .config_file
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default(),
        };
        let Loaded {
            targets,
            inventory,
            sso_sessions,
        } = load_targets(&paths, &file, &profiles, wanted);
        Ok(Self {
            paths,
            settings,
            targets,
            clock: Clock::System,
            verbose,
            file_organization: file.organization,
            inventory,
            presets,
            identity_center: file.identity_center,
            sso_sessions,
            opening: Mutex::default(),
        })
    }

    /// The same context, with the keyring already being opened.
    #[must_use]
    pub fn with_keyring_opening(self, opening: Option<Opening>) -> Self {
        *self
            .opening
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = opening;
        self
    }

    /// The target called `name`, or an error with close names and any config problem.
    pub fn target(&self, name: &str) -> Result<&Target, Error> {
        if let Some(target) = self.targets.find(name) {
            return Ok(target);
        }
        if let Some((_, problem)) = self.targets.broken.iter().find(|(n, _)| n == name) {
            return Err(Error::BrokenTarget {
                name: name.to_owned(),
                problem: problem.to_string(),
            });
        }
        Err(Error::UnknownTarget {
            name: name.to_owned(),
            suggestions: self
                .targets
                .suggest(name)
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        })
    }

    /// The session index (no keyring needed to read it).
    pub fn index(&self) -> IndexFile {
        IndexFile::in_dir(&self.paths.cache_dir)
    }

    /// Opens the keyring chosen by `HATS_KEYRING`; `None` when caching is off.
    /// A fallback notice is printed on stderr once per cache directory; the
    /// cache's own notices (a corrupt entry discarded) are printed as they happen.
    pub async fn open_cache(&self) -> Result<Option<Cache>, Error> {
        let (cache, notice) = self.open_cache_quietly().await?;
        if let Some(notice) = notice {
            self.notice_once("keyring-fallback", &notice);
        }
        Ok(cache.map(Cache::printing_notices))
    }

    /// Like `open_cache`, but returns the fallback notice instead of printing it (for the TUI).
    pub async fn open_cache_quietly(&self) -> Result<(Option<Cache>, Option<String>), Error> {
        let choice = KeyringChoice::from_env().map_err(Error::Usage)?;
        if choice == KeyringChoice::None {
            return Ok((None, None));
        }
        let started = self
            .opening
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let opened = started
            .unwrap_or_else(|| Opening::start(choice))
            .finish()
            .await
            .map_err(crate::session::SessionError::Store)?;
        let cache = opened.store.map(|store| Cache::new(store, self.index()));
        Ok((cache, opened.fallback_notice))
    }

    /// Prints `line` on stderr when `--verbose` is on. Never pass secrets.
    pub fn log(&self, line: &str) {
        if self.verbose {
            let _ = writeln!(std::io::stderr(), "hats: {line}");
        }
    }

    /// Prints a notice once per cache directory, so repeated runs (such as
    /// `credential_process` before every AWS call) do not repeat it.
    pub(crate) fn notice_once(&self, name: &str, notice: &str) {
        let marker = self.paths.cache_dir.join(format!("noticed-{name}"));
        if marker.exists() {
            return;
        }
        let _ = writeln!(std::io::stderr(), "hats: {notice}");
        // Private like everything else hats creates: this may be the first file in a fresh cache directory.
        let _ = fs_private::create_dir(&self.paths.cache_dir).and_then(|()| fs_private::open_rw(&marker));
    }
}

/// The targets and the inventories they were built from.
struct Loaded {
    targets: TargetSet,
    inventory: Option<crate::domain::Inventory>,
    sso_sessions: Vec<(Arc<SsoSession>, Option<jiff::Timestamp>)>,
}

/// Every target `wanted` may need. A command about one target the AWS files
/// or hats' own accounts name reads no inventory (with an organization, thousands of accounts).
fn load_targets(paths: &Paths, file: &HatsFile, profiles: &ProfileSet, wanted: Wanted<'_>) -> Loaded {
    let sessions = config::sso_sessions(profiles);
    let unread = |targets| Loaded {
        targets,
        inventory: None,
        sso_sessions: sessions.iter().map(|s| (Arc::clone(s), None)).collect(),
    };
    let configured = || inventory::build_targets(profiles, file, inventory::Discovered::default());
    match wanted {
        Wanted::NoTargets => return unread(configured()),
        Wanted::Target(name) => {
            let targets = configured();
            // Exactly: a discovered target may have the spelling a configured one only comes close to.
            if targets.find_exact(name).is_some() {
                return unread(targets);
            }
        }
        Wanted::Everything => {}
    }
    let cache_dir = &paths.cache_dir;
    let inventory = file
        .organization
        .as_ref()
        .and_then(|_| config::load_inventory(cache_dir));
    let found: Vec<(Arc<SsoSession>, crate::domain::Inventory)> = sessions
        .iter()
        .filter_map(|s| config::load_sso_inventory(cache_dir, s).map(|inv| (Arc::clone(s), inv)))
        .collect();
    // The organization names the accounts of SAML roles when it is known,
    // even when no [organization] offers roles itself.
    let saml_names = (!file.saml.is_empty() && inventory.is_none())
        .then(|| config::load_inventory(cache_dir))
        .flatten();
    let saml = (!file.saml.is_empty()).then(|| config::load_saml_roles(cache_dir));
    let discovered = inventory::Discovered {
        organization: inventory.as_ref().or(saml_names.as_ref()),
        identity_center: &found,
        saml: saml.as_ref(),
        cache_dir,
    };
    let targets = inventory::build_targets(profiles, file, discovered);
    let sso_sessions = sessions
        .into_iter()
        .map(|s| {
            let fetched = found
                .iter()
                .find(|(f, _)| Arc::ptr_eq(f, &s))
                .map(|(_, i)| i.fetched_at);
            (s, fetched)
        })
        .collect();
    Loaded {
        targets,
        inventory,
        sso_sessions,
    }
}

/// The region for STS calls: `--region`, the target's, the environment's, or
/// the default region of the target's partition (us-east-1, us-gov-west-1, cn-north-1).
pub fn sts_region(target: &Target, region_override: Option<&str>) -> String {
    region_with(target, region_override, environment_region)
}

/// The region hats hands out with `target`'s credentials (`hats use`): like
/// [`sts_region`], but before the partition's default comes the AWS config's
/// `[default]` region (`config_default`, when it is of the target's partition),
/// which is what a program would have used without hats.
pub fn handout_region(
    target: &Target,
    region_override: Option<&str>,
    config_default: Option<&str>,
) -> String {
    let environment = || environment_region().or_else(|| same_partition(target, config_default));
    region_with(target, region_override, environment)
}

/// The region a profile `hats profiles sync` writes names: the target's, else
/// the AWS config's `[default]` region (of the target's partition), else the
/// partition's default. The environment of one run is not written down.
pub fn profile_region(target: &Target, config_default: Option<&str>) -> String {
    region_with(target, None, || same_partition(target, config_default))
}

fn same_partition(target: &Target, region: Option<&str>) -> Option<String> {
    region
        .filter(|r| crate::domain::Partition::of_region(r) == target.partition())
        .map(str::to_owned)
}

/// The shell's own region: `AWS_REGION`, else `AWS_DEFAULT_REGION`. In a shell
/// `hats use` switched, those hold the last target's region, so the values
/// saved before the first switch are the shell's own.
fn environment_region() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok();
    if let Some(saved) = crate::output::SavedRegion::saved(var) {
        return saved.users_region().map(str::to_owned);
    }
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|k| var(k).filter(|r| !r.is_empty()))
}

/// Refuses a region of another partition than the target's: credentials of one
/// partition work in no other, and STS would only answer with an unclear
/// "invalid token".
pub fn check_partition(target: &Target, region: &str) -> Result<(), String> {
    let (wanted, given) = (target.partition(), crate::domain::Partition::of_region(region));
    if wanted == given {
        return Ok(());
    }
    Err(format!(
        "region \"{region}\" is in the {given} partition but \"{}\" lives in {wanted}; \
         use a region of {wanted} such as {} (--region, the profile's region or AWS_REGION)",
        target.name,
        wanted.default_region()
    ))
}

/// [`sts_region`] with the environment's region given: pure, for tests.
pub(crate) fn region_with(
    target: &Target,
    region_override: Option<&str>,
    environment: impl FnOnce() -> Option<String>,
) -> String {
    region_override
        .map(str::to_owned)
        .or_else(|| target.region.as_deref().map(str::to_owned))
        .or_else(environment)
        .unwrap_or_else(|| target.partition().default_region().to_owned())
}

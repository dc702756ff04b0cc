//! The bodies of the fuzz targets in `fuzz/`, shared with `tests/fuzz/`, which
//! replays their corpora and regression inputs on the stable toolchain.
//!
//! Each function feeds arbitrary bytes through the code hats runs on real input
//! (the same parsers and builders `Context::load` uses) and asserts what must
//! hold for every input: no panic, an error that is one printable line, and a
//! result that makes sense (a found target has the asked name, a parsed
//! duration reads back the same). A failed assertion is a bug in hats, never in
//! the input. Nothing here reads files, the environment's AWS setup or the network;
//! hats itself never calls this module.

use crate::config::{self, AwsFile, AwsFileKind, HatsFile, Presets, ScopeRequest, Settings};
use crate::context::Context;
use crate::domain::{Inventory, OrgAccount, SessionDuration};
use crate::error::Error;
use crate::inventory::TargetSet;
use aws_config::profile::ProfileSet;
use std::sync::OnceLock;

/// `Ok(summary)` for usable input, `Err(message)` with what hats would print.
pub type Outcome = Result<String, String>;

/// Separates the config file from the credentials file in `aws_files` inputs.
pub const FILE_SEPARATOR: u8 = 0;

/// `~/.aws/config` bytes, then (after a NUL byte, if any) `~/.aws/credentials`
/// bytes: parsed and turned into targets beside a fixed hats config and organization.
pub fn aws_files(data: &[u8]) -> Outcome {
    let (config, credentials) = match data.iter().position(|&b| b == FILE_SEPARATOR) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let profiles = config::parse_profiles(
        AwsFile {
            kind: AwsFileKind::Config,
            path: "/home/fuzz/.aws/config",
            bytes: config,
        },
        AwsFile {
            kind: AwsFileKind::Credentials,
            path: "/home/fuzz/.aws/credentials",
            bytes: credentials,
        },
    )
    .map_err(|e| printable_error(e.to_string()))?;
    Ok(summary(&start_up_targets(&profiles, &fixed_hats_file())))
}

/// A hats `config.toml`: parsed, defaults resolved, targets built beside fixed
/// AWS profiles, organization rules applied to a fixed inventory, inline presets built.
pub fn hats_config(data: &[u8]) -> Outcome {
    // `HatsFile::load` reads with `read_to_string`: bytes that are not UTF-8 never reach the parser.
    let text = std::str::from_utf8(data).map_err(|e| e.to_string())?;
    let file = HatsFile::parse(text).map_err(printable_error)?;
    let settings = Settings::from_defaults(&file.defaults).map_err(|e| printable_error(e.to_string()))?;
    let set = start_up_targets(fixed_profiles(), &file);
    for target in &set.targets {
        settings.is_production_name(&target.name);
    }
    let presets = Presets {
        entries: file.presets.clone(),
        base_dir: "/nonexistent/hats-fuzz".into(),
    };
    for (name, entry) in &presets.entries {
        // A policy that names a file would be read from disk: only inline ones are built.
        if entry
            .policy
            .as_deref()
            .is_some_and(|p| !p.trim_start().starts_with('{'))
        {
            continue;
        }
        let request = ScopeRequest {
            preset: Some(name),
            ..ScopeRequest::default()
        };
        if let Err(e) = presets.scope(request) {
            printable_error(e.to_string());
        }
    }
    Ok(summary(&set))
}

/// Targets as start-up builds them: profiles, then hats' accounts, then the
/// organization's offers (profiles whose role points into an organization
/// account are attached to it); checked by [`check_targets`].
fn start_up_targets(profiles: &ProfileSet, file: &HatsFile) -> TargetSet {
    let inventory = fixed_inventory();
    let set = crate::inventory::build_targets(profiles, file, discovered(&inventory));
    check_targets(&set);
    set
}

/// What start-up would read with `inventory` as the organization's.
fn discovered(inventory: &Inventory) -> crate::inventory::Discovered<'_> {
    crate::inventory::Discovered {
        organization: Some(inventory),
        cache_dir: std::path::Path::new("/home/fuzz/.cache/hats"),
        ..crate::inventory::Discovered::default()
    }
}

fn summary(set: &TargetSet) -> String {
    format!("{} targets, {} broken", set.targets.len(), set.broken.len())
}

/// A target name, resolved as `hats env NAME` resolves it, among fixed targets.
pub fn target_name(data: &[u8]) -> Outcome {
    // Arguments reach hats as UTF-8 strings (clap refuses others).
    let name = std::str::from_utf8(data).map_err(|e| e.to_string())?;
    resolve_in(fixed_context(), name)
}

/// Resolves `name` with `Context::target` and checks the answer: the target
/// found carries that name (or alias); a broken entry is named so; "did you
/// mean" offers at most three distinct names, each a real target, and only when
/// no target has the name. `Ok` holds the target's name.
pub fn resolve_in(context: &Context, name: &str) -> Outcome {
    let set = &context.targets;
    let named = |candidate: &str| {
        set.targets
            .iter()
            .any(|t| t.name == candidate || t.alias.as_deref() == Some(candidate))
    };
    match context.target(name) {
        Ok(target) => {
            assert!(target.name == name || target.alias.as_deref() == Some(name));
            Ok(target.name.clone())
        }
        Err(e @ Error::BrokenTarget { .. }) => {
            assert!(!named(name) && set.broken.iter().any(|(n, _)| n == name));
            Err(e.to_string())
        }
        Err(Error::UnknownTarget {
            name: asked,
            suggestions,
        }) => {
            assert!(asked == name && !named(name));
            assert!(suggestions.len() <= 3, "{suggestions:?}");
            for (i, suggestion) in suggestions.iter().enumerate() {
                assert!(named(suggestion), "suggested {suggestion:?}, which is no target");
                assert!(!suggestions[..i].contains(suggestion), "{suggestions:?}");
            }
            Err(Error::UnknownTarget {
                name: asked,
                suggestions,
            }
            .to_string())
        }
        Err(other) => panic!("resolving a name gave {other}"),
    }
}

/// A context holding `targets` and default settings; it points at no real file.
pub fn context_for(targets: TargetSet) -> Context {
    Context {
        paths: config::Paths {
            config_file: "/nonexistent/hats-fuzz/config.toml".into(),
            keyring_profiles: "/nonexistent/hats-fuzz/keyring-profiles.toml".into(),
            cache_dir: "/nonexistent/hats-fuzz/cache".into(),
            data_dir: "/nonexistent/hats-fuzz/data".into(),
        },
        settings: Settings::from_defaults(&HatsFile::default().defaults).expect("default settings"),
        targets,
        clock: crate::clock::Clock::System,
        verbose: false,
        file_organization: None,
        identity_center: None,
        sso_sessions: Vec::new(),
        inventory: None,
        presets: Presets::default(),
        opening: std::sync::Mutex::default(),
    }
}

/// A duration as written after `--duration` or in hats config.
pub fn duration(data: &[u8]) -> Outcome {
    let raw = std::str::from_utf8(data).map_err(|e| e.to_string())?;
    let parsed = SessionDuration::parse(raw);
    // hats config goes through its own deserializer: it must agree with the flag.
    let quoted = toml::Value::String(raw.to_owned()).to_string();
    let in_file = HatsFile::parse(&format!("[defaults]\nrole_duration = {quoted}\n"));
    match (&parsed, &in_file) {
        (Ok(d), Ok(file)) => assert_eq!(file.defaults.role_duration, Some(*d)),
        (Err(_), Err(message)) => {
            printable_error(message.clone());
        }
        _ => panic!("--duration and hats config disagree on {raw:?}: {parsed:?} / {in_file:?}"),
    }
    let d = parsed.map_err(|e| e.to_string())?;
    assert_eq!(
        SessionDuration::parse(&d.to_string()),
        Ok(d),
        "{d} does not read back"
    );
    let _ = d.check_range(SessionDuration::MIN, SessionDuration::MAX_ROLE, "a role session");
    Ok(d.to_string())
}

/// A SAML assertion as an `assertion_process` prints it (base64), or, when the
/// input starts with `<`, the XML itself (encoded here, so the fuzzer reaches the
/// XML reader). Every role read back is a role and a `saml-provider`, once each.
pub fn saml_assertion(data: &[u8]) -> Outcome {
    use base64::Engine as _;
    let text = if data.first() == Some(&b'<') {
        base64::engine::general_purpose::STANDARD.encode(data)
    } else {
        std::str::from_utf8(data).map_err(|e| e.to_string())?.to_owned()
    };
    let facts = crate::domain::read_assertion(&text).map_err(|e| printable_error(e.to_string()))?;
    // A fixed "now": an assertion that has expired by then is refused in one line too.
    let now = jiff::Timestamp::from_second(1_767_225_600).expect("2026-01-01 is a time");
    facts
        .check_fresh(now)
        .map_err(|e| printable_error(e.to_string()))?;
    assert!(!facts.roles.is_empty(), "an accepted assertion offers a role");
    for (i, role) in facts.roles.iter().enumerate() {
        assert!(role.principal_arn.contains(":saml-provider/"), "{role:?}");
        assert!(!role.principal_arn.chars().any(char::is_whitespace), "{role:?}");
        assert_eq!(
            crate::domain::RoleArn::parse(role.role_arn.as_str()).as_ref(),
            Ok(&role.role_arn),
            "{role:?} does not read back"
        );
        assert!(!facts.roles[..i].contains(role), "{role:?} listed twice");
    }
    Ok(format!("{} roles", facts.roles.len()))
}

/// Every usable target has a printable name of its own that finds it; every
/// broken entry has a printable name and a printable, one-line reason.
fn check_targets(set: &TargetSet) {
    let mut names = std::collections::HashSet::with_capacity(set.targets.len());
    for target in &set.targets {
        assert!(!target.name.chars().any(char::is_control), "{:?}", target.name);
        assert!(
            names.insert(&target.name),
            "two targets are named {:?}",
            target.name
        );
        let found = set
            .find(&target.name)
            .expect("a listed target is found by its name");
        assert_eq!(found.name, target.name);
        target.mfa_device();
        target.source_description();
    }
    for (name, problem) in &set.broken {
        assert!(!name.chars().any(char::is_control), "{name:?}");
        printable_error(problem.to_string());
    }
}

/// Asserts that `message` can be printed as one `hats:` line without writing
/// terminal escapes, and returns it.
fn printable_error(message: String) -> String {
    assert!(!message.is_empty(), "empty error message");
    assert!(!message.chars().any(char::is_control), "{message:?}");
    message
}

const FIXED_AWS_CONFIG: &str = "\
[profile base]
region = us-east-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile prod]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = base

[profile chained]
role_arn = arn:aws:iam::333333333333:role/Auditor
source_profile = prod

[profile broken]
role_arn = arn:aws:iam::12345:role/X
source_profile = base
";

const FIXED_CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

const FIXED_HATS_CONFIG: &str = r#"
[[account]]
id = "444444444444"
name = "sandbox"
source = "base"
roles = ["Admin", "ReadOnly"]

[[account]]
id = "555555555555"
name = "prød"
source = "prod"
roles = ["Dev"]

[organization]
source = "base"
roles = ["Viewer"]

[[organization.rule]]
ou = "Production"
roles = ["Admin"]
production = true
"#;

fn fixed_profiles() -> &'static ProfileSet {
    static PROFILES: OnceLock<ProfileSet> = OnceLock::new();
    PROFILES.get_or_init(|| {
        config::parse_profiles(
            AwsFile {
                kind: AwsFileKind::Config,
                path: "/home/fuzz/.aws/config",
                bytes: FIXED_AWS_CONFIG.as_bytes(),
            },
            AwsFile {
                kind: AwsFileKind::Credentials,
                path: "/home/fuzz/.aws/credentials",
                bytes: FIXED_CREDENTIALS.as_bytes(),
            },
        )
        .expect("the fixed AWS files parse")
    })
}

fn fixed_hats_file() -> HatsFile {
    HatsFile::parse(FIXED_HATS_CONFIG).expect("the fixed hats config parses")
}

fn fixed_inventory() -> Inventory {
    let account = |id: &str, name: &str, ou: &[&str], state: &str| OrgAccount {
        id: id.into(),
        name: name.into(),
        state: state.into(),
        ou_path: ou.iter().map(|s| (*s).to_owned()).collect(),
        tags: std::sync::Arc::new([("env".to_owned(), name.to_owned())].into_iter().collect()),
        roles: Vec::new(),
    };
    Inventory {
        fetched_at: jiff::Timestamp::UNIX_EPOCH,
        accounts: vec![
            account("666666666666", "payments", &["Production", "Payments"], "ACTIVE"),
            account("777777777777", "scratch", &[], "ACTIVE"),
            account("888888888888", "old", &["Retired"], "SUSPENDED"),
        ],
        partition: crate::domain::Partition::Aws,
        region: None,
    }
}

fn fixed_context() -> &'static Context {
    static CONTEXT: OnceLock<Context> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let file = fixed_hats_file();
        let inventory = fixed_inventory();
        context_for(crate::inventory::build_targets(
            fixed_profiles(),
            &file,
            discovered(&inventory),
        ))
    })
}

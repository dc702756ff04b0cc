//! The console launchers end to end: `hats login` against the federation stand-in
//! with a "browser" that records its argv (`tests/standin/record_argv.py`), for every
//! launcher in every partition; containers parsed back the way the add-ons parse
//! them (node's `URLSearchParams`); hostile names; templates that never reach a
//! shell; `$BROWSER` in its usual forms. `console_sessions` has signing out,
//! multi-session and landing pages on the same bed.

use crate::federation::{Federation, query_pairs, query_param, standin};
use crate::harness::{Sandbox, require};
use serde_json::Value;
use std::path::{Path, PathBuf};

const CONFIG: &str = "\
[profile com-base]
region = eu-west-1
[profile com]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = com-base
region = eu-west-1
[profile com-dev]
role_arn = arn:aws:iam::333333333333:role/Dev
source_profile = com-base
region = eu-west-1
[profile gov-base]
region = us-gov-west-1
[profile gov]
role_arn = arn:aws-us-gov:iam::123456789012:role/Admin
source_profile = gov-base
region = us-gov-east-1
[profile cn-base]
region = cn-north-1
[profile cn]
role_arn = arn:aws-cn:iam::123456789012:role/Admin
source_profile = cn-base
region = cn-northwest-1
";

const CREDENTIALS: &str = "\
[com-base]
aws_access_key_id = AKIACOMCOMCOMCOMCOM1
aws_secret_access_key = comsecretcomsecretcomsecretcomsecretcom1
[gov-base]
aws_access_key_id = AKIAGOVGOVGOVGOVGOV1
aws_secret_access_key = govsecretgovsecretgovsecretgovsecretgov1
[cn-base]
aws_access_key_id = AKIACNCNCNCNCNCNCNC1
aws_secret_access_key = cnsecretcnsecretcnsecretcnsecretcnsecre1
";

/// A sandbox with a target in each partition, the stand-in, and the recorder as
/// `$BROWSER` and as the browser of every launcher.
pub struct Bed {
    pub sb: Sandbox,
    pub fed: Federation,
    pub recorder: String,
}

impl Bed {
    pub fn new(hats_config: &str) -> Self {
        require("python3", "python3");
        let mut sb = Sandbox::without_keyring();
        sb.aws_config(CONFIG);
        sb.credentials(CREDENTIALS);
        let fed = Federation::start(&sb.moto);
        fed.attach(&mut sb);
        let recorder = standin("record_argv.py").display().to_string();
        sb.set_env("BROWSER", &recorder);
        sb.hats_config(&hats_config.replace("RECORDER", &recorder));
        Self { sb, fed, recorder }
    }

    /// The argv of every browser run so far.
    pub fn opened(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.sb.home.join("argv.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// `hats login ARGS`, which must succeed, and the argv the browser got.
    pub fn login(&self, args: &[&str]) -> Vec<String> {
        let before = self.opened().len();
        let mut all = vec!["login"];
        all.extend_from_slice(args);
        self.sb.hats(&all).ok();
        let opened = self.opened();
        assert_eq!(opened.len(), before + 1, "one browser run for {args:?}");
        opened.last().unwrap().clone()
    }

    fn data_dir(&self) -> PathBuf {
        self.sb.home.join(".local/share/hats")
    }
}

const LAUNCHERS_CONFIG: &str = r#"
[defaults.console]
browser = "RECORDER"
command = ["RECORDER", "--new-window", "{url}"]
"#;

/// What a sign-in URL for `partition` must be: on the stand-in, landing on the
/// partition's console in the target's region, with the token the stand-in issued
/// for the target's own role (moto named its ARN).
fn check_signin(bed: &Bed, url: &str, console: &str, region: &str, arn_prefix: &str) {
    assert!(
        url.starts_with(&format!("{}?Action=login&Issuer=hats&", bed.fed.endpoint())),
        "{url}"
    );
    assert_eq!(
        query_param(url, "Destination").unwrap(),
        format!("https://{console}/console/home?region={region}")
    );
    let asked = bed.fed.last_session().unwrap();
    assert_eq!(
        query_param(url, "SigninToken").unwrap(),
        asked["token"].as_str().unwrap()
    );
    assert!(asked["arn"].as_str().unwrap().starts_with(arn_prefix), "{asked}");
}

#[test]
fn every_launcher_opens_the_right_command_and_url_in_each_partition() {
    let bed = Bed::new(LAUNCHERS_CONFIG);
    let partitions = [
        (
            "com",
            "console.aws.amazon.com",
            "eu-west-1",
            "arn:aws:sts::222222222222:assumed-role/Admin/",
        ),
        (
            "gov",
            "console.amazonaws-us-gov.com",
            "us-gov-east-1",
            "arn:aws-us-gov:sts::123456789012:assumed-role/Admin/",
        ),
        (
            "cn",
            "console.amazonaws.cn",
            "cn-northwest-1",
            "arn:aws-cn:sts::123456789012:assumed-role/Admin/",
        ),
    ];
    for (target, console, region, arn) in partitions {
        let argv = bed.login(&[target, "--launcher", "default"]);
        assert_eq!(argv.len(), 1, "{argv:?}");
        check_signin(&bed, &argv[0], console, region, arn);

        let argv = bed.login(&[target, "--launcher", "firefox-container"]);
        assert_eq!(argv.len(), 1, "{argv:?}");
        let params = addon_params(&argv[0], "ext+container:");
        assert_eq!(params["name"], target);
        check_signin(&bed, params["url"].as_str().unwrap(), console, region, arn);

        let argv = bed.login(&[target, "--launcher", "chrome-profile"]);
        let dir = argv[0]
            .strip_prefix("--user-data-dir=")
            .expect("own profile first");
        assert_eq!(
            Path::new(dir).parent().unwrap(),
            bed.data_dir().join("browser-profiles")
        );
        assert!(Path::new(dir).is_dir(), "made on first use: {dir}");
        assert_eq!(argv[1..3], ["--no-first-run", "--no-default-browser-check"]);
        check_signin(&bed, &argv[3], console, region, arn);

        let argv = bed.login(&[target, "--launcher", "command"]);
        assert_eq!(argv[0], "--new-window");
        check_signin(&bed, &argv[1], console, region, arn);
    }
}

/// `url` parsed the way both container add-ons parse it: Firefox hands the add-on
/// the URI percent-encoded after a `#`, the add-on decodes it with
/// `decodeURIComponent` and reads the rest with `URLSearchParams` (run here by node).
fn addon_params(url: &str, scheme: &str) -> Value {
    let node = require("node", "nodejs");
    let script = r#"
        const [uri, prefix] = process.argv.slice(1);
        const hash = '#' + encodeURIComponent(uri);
        const decoded = decodeURIComponent(hash.substring(1));
        if (!decoded.startsWith(prefix)) throw new Error('not ' + prefix + ': ' + decoded);
        const params = new URLSearchParams(decoded.substring(prefix.length));
        const keys = [...params.keys()];
        if (new Set(keys).size !== keys.length) throw new Error('a key given twice: ' + keys);
        console.log(JSON.stringify({keys, ...Object.fromEntries(params)}));
    "#;
    let out = std::process::Command::new(node)
        .args(["-e", script, url, scheme])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let params: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        params["keys"],
        serde_json::json!(["name", "url", "color", "icon"]),
        "{params}"
    );
    const COLORS: [&str; 8] = [
        "blue",
        "turquoise",
        "green",
        "yellow",
        "orange",
        "red",
        "pink",
        "purple",
    ];
    const ICONS: [&str; 12] = [
        "fingerprint",
        "briefcase",
        "dollar",
        "cart",
        "circle",
        "gift",
        "vacation",
        "food",
        "fruit",
        "pet",
        "tree",
        "chill",
    ];
    assert!(COLORS.contains(&params["color"].as_str().unwrap()), "{params}");
    assert!(ICONS.contains(&params["icon"].as_str().unwrap()), "{params}");
    params
}

#[test]
fn a_production_target_gets_a_red_container_and_a_tag_or_the_config_can_say_otherwise() {
    let bed = Bed::new(
        r#"
[defaults]
production_patterns = ["com", "gov"]
[defaults.console]
launcher = "firefox-container"
browser = "RECORDER"
[[console]]
targets = ["gov"]
color = "purple"
container = "GovCloud admin"
addon = "granted"
[[account]]
id = "444444444444"
name = "tagged"
source = "com-base"
roles = ["Admin"]
tags = { console-color = "orange" }
"#,
    );
    let argv = bed.login(&["com"]);
    let prod = addon_params(&argv[0], "ext+container:");
    assert_eq!(
        (prod["name"].as_str(), prod["color"].as_str()),
        (Some("com"), Some("red"))
    );
    let dev = addon_params(&bed.login(&["com-dev"])[0], "ext+container:");
    assert_ne!(dev["color"], "red", "only production is red");
    let tagged = addon_params(&bed.login(&["tagged/Admin"])[0], "ext+container:");
    assert_eq!(tagged["color"], "orange");
    let gov = addon_params(&bed.login(&["gov"])[0], "ext+granted-containers:");
    assert_eq!(
        (gov["name"].as_str(), gov["color"].as_str()),
        (Some("GovCloud admin"), Some("purple"))
    );
}

#[test]
fn the_command_template_never_goes_through_a_shell() {
    let bed = Bed::new(
        r#"
[defaults.console]
launcher = "command"
command = ["RECORDER", "$(touch pwned-1)", "; touch pwned-2 #", "`touch pwned-3`", "{target}|{url}", "a b"]
"#,
    );
    let argv = bed.login(&["com"]);
    assert_eq!(
        argv[..3],
        ["$(touch pwned-1)", "; touch pwned-2 #", "`touch pwned-3`"]
    );
    let (target, url) = argv[3].split_once('|').unwrap();
    assert_eq!(target, "com");
    assert!(url.contains("Action=login"), "{url}");
    assert_eq!(argv[4], "a b");
    assert_eq!(argv.len(), 5, "{argv:?}");
    for i in 1..=3 {
        assert!(
            !bed.sb.home.join(format!("pwned-{i}")).exists(),
            "a shell ran pwned-{i}"
        );
    }
}

const HOSTILE: &str = "evil&url=https://evil.test/#x' \"$(touch pwned)\" ;y %41 ../../..";

#[test]
fn hostile_target_names_cannot_break_out_of_the_url_or_the_argv() {
    let bed = Bed::new(&format!(
        r#"
[defaults.console]
browser = "RECORDER"
command = ["RECORDER", "--name={{target}}", "--container={{container}}"]
[[account]]
id = "444444444444"
name = {HOSTILE:?}
source = "com-base"
roles = ["Admin"]
"#
    ));
    let target = format!("{HOSTILE}/Admin");
    let argv = bed.login(&[&target, "--launcher", "firefox-container"]);
    assert_eq!(argv.len(), 1, "{argv:?}");
    let params = addon_params(&argv[0], "ext+container:");
    assert_eq!(params["name"], target.as_str(), "the name is one value, whole");
    let url = params["url"].as_str().unwrap();
    assert!(
        url.starts_with(&bed.fed.endpoint()),
        "the URL is the sign-in URL: {url}"
    );
    assert_eq!(
        query_pairs(url)
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        ["Action", "Issuer", "Destination", "SigninToken"]
    );

    let argv = bed.login(&[&target, "--launcher", "chrome-profile"]);
    assert_eq!(argv.len(), 4, "{argv:?}");
    let dir = PathBuf::from(argv[0].strip_prefix("--user-data-dir=").unwrap());
    assert_eq!(dir.parent().unwrap(), bed.data_dir().join("browser-profiles"));
    let leaf = dir.file_name().unwrap().to_str().unwrap();
    assert!(
        leaf.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{leaf}"
    );
    assert!(dir.is_dir());

    let argv = bed.login(&[&target, "--launcher", "command"]);
    assert_eq!(
        argv[..2],
        [format!("--name={target}"), format!("--container={target}")]
    );
    assert_eq!(argv.len(), 3, "{argv:?}");

    let argv = bed.login(&[&target, "--launcher", "default"]);
    assert_eq!(argv.len(), 1, "{argv:?}");
    let leftovers: Vec<String> = walk(&bed.sb.home)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "pwned"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

#[test]
fn print_with_a_launcher_prints_the_command_and_runs_nothing() {
    let bed = Bed::new(LAUNCHERS_CONFIG);
    let line = bed
        .sb
        .hats(&["login", "com", "--print", "--launcher", "chrome-profile"])
        .ok();
    let dir = bed.data_dir().join("browser-profiles");
    let words = shell_words(line.trim());
    assert_eq!(words[0], bed.recorder);
    assert!(
        words[1].starts_with(&format!("--user-data-dir={}/", dir.display())),
        "{line}"
    );
    assert!(words[4].contains("Action=login"), "{line}");
    assert!(bed.opened().is_empty(), "nothing ran");
    assert!(!dir.exists(), "no profile is made for a printed command");
    let url = bed.sb.hats(&["login", "com", "--print"]).ok();
    assert!(
        url.trim().starts_with(&bed.fed.endpoint()),
        "--print alone prints the URL: {url}"
    );
}

/// `line` split by a POSIX shell (`sh -c 'printf "%s\0" LINE'`).
fn shell_words(line: &str) -> Vec<String> {
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("printf '%s\\0' {line}")])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\0')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn browser_takes_arguments_percent_s_and_fallbacks_and_names_what_failed() {
    let mut bed = Bed::new("");
    let browser = format!(
        "/nonexistent/firefox:{} --new-tab --url=%s --label=100%%",
        bed.recorder
    );
    bed.sb.set_env("BROWSER", &browser);
    let argv = bed.login(&["com"]);
    assert_eq!(argv[0], "--new-tab");
    assert!(
        argv[1].starts_with(&format!("--url={}?Action=login", bed.fed.endpoint())),
        "{argv:?}"
    );
    assert_eq!(argv[2], "--label=100%");

    // With PATH emptied the recorder runs through a python named by its real path.
    let python = std::fs::canonicalize(crate::identity_center::venv_python())
        .unwrap()
        .display()
        .to_string();
    bed.sb.set_env(
        "BROWSER",
        &format!("/nonexistent/firefox:{python} {}", bed.recorder),
    );
    bed.sb.set_env("RECORD_ARGV_EXIT", "3");
    bed.sb.set_env("PATH", "/nonexistent-bin");
    let err = bed.sb.hats(&["login", "com"]).fails();
    assert!(
        err.contains(&format!(
            "no browser could be opened: \"/nonexistent/firefox\" is not installed (not found), \"{python}\" failed (exit status: 3); hats login"
        )),
        "{err}"
    );
    assert!(
        !err.contains("SigninToken"),
        "the URL stays out of messages: {err}"
    );
    assert!(err.contains("hats login --print prints the URL"), "{err}");
}

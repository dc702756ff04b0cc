//! End-to-end tests of the `hats` binary against moto and a real keyring.
//!
//! Linux by nature: the harness runs every hats in a user namespace of its own,
//! in its own session (`setsid`), drives it through pseudo-terminals, a Secret
//! Service on a private D-Bus, the kernel keyring, `/proc` and real bash, zsh
//! and fish. `tests/portable/` holds the end-to-end
//! tests that run on every platform.
#![cfg(target_os = "linux")]

mod harness;
mod pty;

mod argv;
mod audit;
mod aws_login;
mod cache;
mod commands;
mod completion;
mod config_trust;
mod console;
mod console_chromium;
mod console_sessions;
mod containers;
mod corpus;
mod credential_sources;
mod duration;
mod eks;
mod errors;
mod faults;
mod federation;
mod forget;
mod history;
mod identity_center;
mod identity_center_proof;
mod identity_center_refusals;
mod inventory_golden;
mod isolation;
mod keyring;
mod keys;
mod keys_import;
mod keys_rotate;
mod listing;
mod local_faults;
mod lock;
mod login;
mod mfa;
mod network;
mod org;
mod partitions;
mod private_files;
mod profiles;
mod prompt;
mod run;
mod run_output;
mod run_pty;
mod saml;
mod saml_idp;
mod saml_shapes;
mod security_doc;
mod serve;
mod shell_exports;
mod shell_switch;
mod shell_use;
mod sso;
mod sso_discovery;
mod sso_login;
mod sso_signin;
mod sso_signout;
mod switcher_faults;
mod tui;
mod tui_filter;
mod tui_helper;
mod tui_keys;
mod tui_notices;
mod tui_run;
mod tui_selection;
mod tui_sso;
mod tui_stale;
mod usage;
mod web_identity;

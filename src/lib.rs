//! hats: switch between AWS accounts and IAM roles with MFA asked once and
//! sessions cached in the OS keyring.
//!
//! Layers, each depending only on those below it:
//! `commands` → `context` → `session` → `aws`, `config`, `output` → `domain`.

pub mod aws;
pub mod browser;
pub mod cli;
pub mod cli_hints;
pub mod clock;
pub mod commands;
pub mod config;
pub mod console;
pub mod context;
pub mod domain;
pub mod error;
pub mod error_text;
pub mod fanout;
pub mod fs_private;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod inventory;
pub mod keyring;
pub mod org;
pub mod output;
pub mod platform;
pub mod process_group;
pub mod serve;
pub mod session;
pub mod signin;
#[doc(hidden)]
pub mod test_hooks;
pub mod tui;
pub mod user_file;

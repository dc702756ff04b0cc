//! Turning a session into what leaves hats: environment variables, shell
//! exports in several dialects, and the `credential_process` document.
//!
//! Pure functions over values; printing is the caller's job.

mod banner;
mod credential_process;
mod env_vars;
pub mod kubeconfig;
mod saved_region;
mod shell_format;
mod shell_init;
mod table;

pub use banner::{ShellBanner, credentials_of};
pub use credential_process::credential_process_json;
pub use env_vars::{Exports, REMOVED_VARS, exports};
pub use env_vars::{SHELL_MARKER, inside_hats_shell, is_shell};
pub use saved_region::{SAVED_REGION, SavedRegion};
pub use shell_format::{Format, render};
pub use shell_init::{
    FUNCTION_MARKER, InitShell, USE_VARS, function_dialect, hook_failure_lines, snippet, unset_lines,
};
pub use table::aligned;

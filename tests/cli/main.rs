//! End-to-end tests of the `hats` binary against moto and a real keyring.

mod harness;
mod pty;

mod audit;
mod cache;
mod commands;
mod completion;
mod containers;
mod corpus;
mod duration;
mod eks;
mod errors;
mod faults;
mod forget;
mod history;
mod identity_center;
mod identity_center_proof;
mod identity_center_refusals;
mod keyring;
mod listing;
mod lock;
mod login;
mod mfa;
mod network;
mod org;
mod private_files;
mod prompt;
mod serve;
mod sso;
mod sso_login;
mod tui;
mod tui_filter;
mod usage;
mod web_identity;

//! End-to-end tests of the `hats` binary against moto and a real keyring.

mod harness;
mod pty;

mod audit;
mod cache;
mod commands;
mod completion;
mod corpus;
mod errors;
mod faults;
mod listing;
mod login;
mod mfa;
mod org;
mod prompt;
mod serve;
mod tui;
mod usage;

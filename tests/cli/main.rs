//! End-to-end tests of the `hats` binary against moto and a real keyring.

mod harness;
mod pty;

mod audit;
mod cache;
mod commands;
mod corpus;
mod duration;
mod errors;
mod faults;
mod forget;
mod history;
mod login;
mod mfa;
mod network;
mod org;
mod prompt;
mod serve;
mod tui;

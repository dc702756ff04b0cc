//! The inventory end to end, from configuration text to targets: every
//! partition (`partition`) and Identity Center profiles (`sso`).

mod partition;
mod sso;

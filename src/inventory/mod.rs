//! The inventory: every target hats can hand out, made from what
//! [`crate::config`] read.
//!
//! Each way in is a provider (`providers/`) that turns its entries and the
//! discovery cache's records into facts; one stage (`stage/`) names them and
//! applies the rules; [`Target`] and [`TargetSet`] are what the rest of hats
//! uses. This module reads no file, calls no AWS and never touches the keyring.

mod clean;
mod providers;
mod stage;
mod target;
mod target_set;

pub use providers::{Discovered, build_targets};
#[cfg(test)]
pub(crate) use providers::{profiles_of, targets_of};
pub use target::{
    Below, Chain, KeysAt, MfaDevice, Mode, Options, Origin, RoleOptions, RoleSpec, Source, Spec, Target, Via,
};
pub use target_set::{NO_TARGETS_HINT, TargetSet};

#[cfg(test)]
mod tests;

//! How a role's options are kept, and what a target costs in memory.

use super::*;

#[test]
fn a_role_without_options_keeps_no_box_and_equals_one_whose_options_are_all_unset() {
    let none = RoleOptions::default();
    let emptied = RoleOptions::from(Options::default());
    assert!(emptied.0.is_none(), "unset options were boxed");
    assert_eq!(none, emptied);
    assert_eq!(none.duration, None);
    assert!(none.tags.is_empty());
}

#[test]
fn a_role_with_one_option_set_reads_it_back_and_differs_from_one_without() {
    let set = RoleOptions::from(Options {
        external_id: Some("x-1".into()),
        ..Options::default()
    });
    assert_eq!(set.external_id.as_deref(), Some("x-1"));
    assert_eq!(set.session_name, None);
    assert_ne!(set, RoleOptions::default());
}

/// Targets are built and moved by the tens of thousands before the switcher's
/// first frame (an organization offers three roles in each of thousands of
/// accounts): every byte here is copied several times per target.
#[cfg(target_pointer_width = "64")]
#[test]
fn a_role_and_a_target_stay_small_enough_to_move_cheaply() {
    use std::mem::size_of;
    assert!(
        size_of::<RoleSpec>() <= 88,
        "RoleSpec is {} bytes",
        size_of::<RoleSpec>()
    );
    assert!(size_of::<Spec>() <= 144, "Spec is {} bytes", size_of::<Spec>());
    assert!(
        size_of::<Target>() <= 264,
        "Target is {} bytes",
        size_of::<Target>()
    );
}

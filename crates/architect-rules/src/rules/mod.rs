//! The rules, one file each, grouped by review section. [`REGISTRY`] lists them in the order a
//! review presents them.

use crate::rule::Rule;

pub mod build {
    pub mod critical_path;
    pub mod duplicate_versions;
    pub mod feature_unification;
    pub mod long_pole;
    pub mod monolith_crate;
    pub mod scale;
    pub mod split_candidate;
}
pub mod supply_chain {
    pub mod advisory;
    pub mod build_script;
    pub mod build_script_behaviour;
    pub mod build_script_inputs;
    pub mod cargo_config;
    pub mod git_source;
    pub mod notice;
    pub mod path_source;
    pub mod proc_macro;
    pub mod tooling;
    pub mod unmaintained;
    pub mod unsound;
    pub mod vulnerability;
    pub mod yanked;
}
pub mod msrv {
    pub mod effective;
    pub mod missing_rust_version;
    pub mod outdated;
    pub mod resolver;
}
pub mod evolution {
    pub mod edition;
    pub mod edition_2024_automatic;
    pub mod edition_2024_hazards;
    pub mod toolchain_pin;
}
#[path = "async_/mod.rs"]
pub mod r#async;
pub mod observability {
    pub mod stack;
}
pub mod interop {
    pub mod bindings;
    pub mod crate_types;
    pub mod ffi_surface;
}
pub mod errors {
    pub mod anyhow_in_library_api;
    pub mod exhaustive_public_error;
}
pub mod safety {
    pub mod unsafe_inventory;
}
pub mod source {
    pub mod out_of_tree;
    pub mod unreadable;
}
pub mod config {
    pub mod unused_waiver;
}

/// Every rule, in review order.
pub static REGISTRY: &[&Rule] = &[
    &build::scale::RULE,
    &build::monolith_crate::RULE,
    &build::duplicate_versions::RULE,
    &build::critical_path::RULE,
    &build::long_pole::RULE,
    &build::feature_unification::RULE,
    &build::split_candidate::RULE,
    &supply_chain::vulnerability::RULE,
    &supply_chain::unsound::RULE,
    &supply_chain::unmaintained::RULE,
    &supply_chain::notice::RULE,
    &supply_chain::yanked::RULE,
    &supply_chain::build_script::RULE,
    &supply_chain::build_script_behaviour::RULE,
    &supply_chain::build_script_inputs::RULE,
    &supply_chain::proc_macro::RULE,
    &supply_chain::git_source::RULE,
    &supply_chain::path_source::RULE,
    &supply_chain::cargo_config::RULE,
    &supply_chain::tooling::RULE,
    &msrv::effective::RULE,
    &msrv::missing_rust_version::RULE,
    &msrv::resolver::RULE,
    &msrv::outdated::RULE,
    &evolution::edition::RULE,
    &evolution::edition_2024_hazards::RULE,
    &evolution::edition_2024_automatic::RULE,
    &evolution::toolchain_pin::RULE,
    &r#async::runtimes::RULE,
    &r#async::discontinued_runtime::RULE,
    &r#async::runtime_lock_in::RULE,
    &r#async::untraced_spawn::RULE,
    &r#async::runtime_in_public_api::RULE,
    &errors::exhaustive_public_error::RULE,
    &errors::anyhow_in_library_api::RULE,
    &observability::stack::RULE,
    &interop::crate_types::RULE,
    &interop::bindings::RULE,
    &interop::ffi_surface::RULE,
    &safety::unsafe_inventory::RULE,
    &source::unreadable::RULE,
    &source::out_of_tree::RULE,
    &config::unused_waiver::RULE,
];

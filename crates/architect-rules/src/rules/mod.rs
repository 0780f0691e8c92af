//! The rules, one file each, grouped by review section. [`REGISTRY`] lists them in the order a
//! review presents them.

use crate::rule::Rule;

pub mod build {
    pub mod critical_path;
    pub mod duplicate_versions;
    pub mod feature_rebuild_waste;
    pub mod feature_unification;
    pub mod long_pole;
    pub mod monolith_crate;
    pub mod scale;
    pub mod scale_ceiling;
    pub mod split_candidate;
    pub mod stale_workspace_hack;
    pub mod workspace_chain;
}
pub mod supply_chain {
    pub mod advisory;
    pub mod architect_alias;
    pub mod build_script;
    pub mod build_script_behaviour;
    pub mod cargo_config;
    pub mod cargo_config_settings;
    pub mod git_source;
    pub mod new_build_script;
    pub mod no_advisory_check;
    pub mod notice;
    pub mod path_source;
    pub mod pinned_git_source;
    pub mod proc_macro;
    pub(crate) mod scripts;
    pub mod tooling;
    pub mod unbuilt_advisory;
    pub mod unmaintained;
    pub mod unsound;
    pub mod vulnerability;
    pub mod yanked;
}
pub mod msrv {
    pub mod broken_promise;
    pub mod effective;
    pub mod missing_rust_version;
    pub mod outdated;
    pub mod pin_below_msrv;
    pub mod policy;
    pub mod pressure;
    pub mod promised_toolchain_vulnerability;
    pub mod resolver;
    pub mod toolchain_vulnerability;
}
pub mod evolution {
    pub mod edition;
    pub mod edition_2024_automatic;
    pub mod edition_2024_hazards;
    pub mod nightly_pin;
    pub mod path_toolchain;
    pub mod shadowed_toolchain_file;
    pub mod toolchain_pin;
}
#[path = "async_/mod.rs"]
pub mod r#async;
pub mod observability {
    pub mod log_beside_tracing;
    pub mod stack;
}
pub mod interop {
    pub mod bindings;
    pub mod crate_types;
    pub mod ffi_surface;
    pub mod rust_dylib;
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
    &build::scale_ceiling::RULE,
    &build::monolith_crate::RULE,
    &build::duplicate_versions::RULE,
    &build::critical_path::RULE,
    &build::workspace_chain::RULE,
    &build::long_pole::RULE,
    &build::feature_unification::RULE,
    &build::feature_rebuild_waste::RULE,
    &build::stale_workspace_hack::RULE,
    &build::split_candidate::RULE,
    &supply_chain::vulnerability::RULE,
    &supply_chain::unsound::RULE,
    &supply_chain::unmaintained::RULE,
    &supply_chain::notice::RULE,
    &supply_chain::unbuilt_advisory::RULE,
    &supply_chain::yanked::RULE,
    &supply_chain::build_script::RULE,
    &supply_chain::build_script_behaviour::RULE,
    &supply_chain::new_build_script::RULE,
    &supply_chain::proc_macro::RULE,
    &supply_chain::git_source::RULE,
    &supply_chain::pinned_git_source::RULE,
    &supply_chain::path_source::RULE,
    &supply_chain::cargo_config::RULE,
    &supply_chain::architect_alias::RULE,
    &supply_chain::cargo_config_settings::RULE,
    &supply_chain::tooling::RULE,
    &supply_chain::no_advisory_check::RULE,
    &msrv::effective::RULE,
    &msrv::broken_promise::RULE,
    &msrv::pin_below_msrv::RULE,
    &msrv::toolchain_vulnerability::RULE,
    &msrv::promised_toolchain_vulnerability::RULE,
    &msrv::missing_rust_version::RULE,
    &msrv::resolver::RULE,
    &msrv::outdated::RULE,
    &msrv::pressure::RULE,
    &msrv::policy::RULE,
    &evolution::edition::RULE,
    &evolution::edition_2024_hazards::RULE,
    &evolution::edition_2024_automatic::RULE,
    &evolution::toolchain_pin::RULE,
    &evolution::path_toolchain::RULE,
    &evolution::nightly_pin::RULE,
    &evolution::shadowed_toolchain_file::RULE,
    &r#async::runtimes::RULE,
    &r#async::several_runtimes::RULE,
    &r#async::discontinued_runtime::RULE,
    &r#async::runtime_lock_in::RULE,
    &r#async::untraced_spawn::RULE,
    &r#async::runtime_in_public_api::RULE,
    &errors::exhaustive_public_error::RULE,
    &errors::anyhow_in_library_api::RULE,
    &observability::stack::RULE,
    &observability::log_beside_tracing::RULE,
    &interop::crate_types::RULE,
    &interop::rust_dylib::RULE,
    &interop::bindings::RULE,
    &interop::ffi_surface::RULE,
    &safety::unsafe_inventory::RULE,
    &source::unreadable::RULE,
    &source::out_of_tree::RULE,
    &config::unused_waiver::RULE,
];

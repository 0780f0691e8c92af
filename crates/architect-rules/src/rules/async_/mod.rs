pub mod discontinued_runtime;
pub mod runtime_in_public_api;
pub mod runtime_lock_in;
pub mod runtimes;
pub mod several_runtimes;
pub mod untraced_spawn;

pub mod discontinued_runtime;
pub mod runtime_lock_in;
pub mod runtimes;

pub mod runtimes;

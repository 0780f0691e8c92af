//! The data of a review: the facts loaded from a workspace and the findings rules make of them.
//!
//! Everything here is plain data. Nothing in this crate reads a file, runs a program or prints:
//! the loader fills [`Facts`], the rules turn facts into [`Finding`]s, and the renderers print a
//! [`Review`]. Keeping the model free of I/O is what lets rules be pure functions and lets every
//! renderer show the same evidence.

mod config;
mod facts;
mod files;
mod finding;

pub use config::{
    AllowEntry, Config, ConfigValue, Ignore, OptionKind, OptionSpec, RuleConfig, RuleSchema,
};
pub use facts::{
    CargoConfigEntry, DepDecl, DepKind, Facts, ManifestFacts, PlatformChoice, ToolchainFacts,
    ToolchainPin, ToolingFacts,
};
pub use files::{FileStore, SourceFile, Span};
pub use finding::{Finding, Level, Location, PackageRef, Review, Section, Summary};

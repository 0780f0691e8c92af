//! The data of a review: the facts loaded from a workspace and the findings rules make of them.
//!
//! Everything here is plain data. Nothing in this crate reads a file, runs a program or prints:
//! the loader fills [`Facts`], the rules turn facts into [`Finding`]s, and the renderers print a
//! [`Review`]. Keeping the model free of I/O is what lets rules be pure functions and lets every
//! renderer show the same evidence.

mod config;
mod deps;
pub mod diff;
mod facts;
mod files;
mod finding;
mod release;
mod scope;
mod sources;
mod values;

pub use architect_source::catalogue;
pub use config::{
    AllowEntry, Config, ConfigValue, Ignore, MsrvPolicy, OptionKind, OptionSpec, Period,
    PeriodUnit, RuleConfig, RuleSchema,
};
pub use deps::{
    AdvisoryDbFacts, AdvisoryKind, AdvisoryMatch, AffectedName, FeatureGate, FormatImpl,
    FunctionEvidence, IndexFacts, IndexVersion, ToolchainAdvisory,
};
pub use facts::{
    Calibration, CargoConfigEntry, CargoConfigFacts, CiToolchain, DepDecl, DepKind, Facts,
    HakariFacts, HakariSection, ManifestFacts, PlatformChoice, ToolchainFacts, ToolchainPin,
    ToolingFacts,
};
pub use files::{FileStore, SourceFile, Span};
pub use finding::{
    BuildFigures, Consequence, Finding, Impact, JobsTime, Level, Location, MsrvDriver, MsrvFigures,
    MsrvTarget, PackageRef, PathStep, Review, Section, Summary, Verdict, VerdictState,
};
pub use release::{CYCLE_DAYS, RustMinor, day_of};
pub use scope::{CodeScope, MemberRole, ScopeFacts};
pub use sources::SpawnVia;
pub use sources::{
    ApiUse, Behaviour, Ffi, FileFacts, Hazard, InlineParents, Metrics, ModDecl, ModuleRef,
    NativeBuild, PackageSources, PathAnchor, PubEnum, ReExport, ScannedFile, SourceFacts,
    SourceSpan, Spawn, TargetKind, Unreadable, UnsafeKind, UnscannedKind, std_reexport,
};
pub use values::{BuildCommand, DebugLevel, Edition, Lto, Profile, Resolver};

/// The UTC calendar date of a Unix time, `YYYY-MM-DD`.
pub fn civil_date(unix_secs: u64) -> String {
    let day = i64::try_from(unix_secs)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or(jiff::civil::Date::MAX, |t| {
            t.to_zoned(jiff::tz::TimeZone::UTC).date()
        });
    day.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_date(0), "1970-01-01");
        assert_eq!(super::civil_date(951_782_400), "2000-02-29");
        assert_eq!(super::civil_date(1_795_478_400), "2026-11-24");
    }
}

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
mod scope;
mod sources;
mod values;

pub use architect_source::catalogue;
pub use config::{
    AllowEntry, Config, ConfigValue, Ignore, OptionKind, OptionSpec, RuleConfig, RuleSchema,
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
    BuildFigures, Consequence, Finding, Impact, JobsTime, Level, Location, PackageRef, PathStep,
    Review, Section, Summary, Verdict, VerdictState,
};
pub use scope::{CodeScope, MemberRole, ScopeFacts};
pub use sources::SpawnVia;
pub use sources::{
    ApiUse, Behaviour, Ffi, FileFacts, Hazard, InlineParents, Metrics, ModDecl, ModuleRef,
    NativeBuild, PackageSources, PathAnchor, PubEnum, ReExport, ScannedFile, SourceFacts,
    SourceSpan, Spawn, TargetKind, Unreadable, UnsafeKind, UnscannedKind, std_reexport,
};
pub use values::{BuildCommand, DebugLevel, Edition, Lto, Profile, Resolver};

/// The UTC calendar date of a Unix time, `YYYY-MM-DD` (Howard Hinnant's `civil_from_days`).
pub fn civil_date(unix_secs: u64) -> String {
    let z = (unix_secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
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

//! Values of cargo's vocabulary that rules compare: editions, resolver versions, and the
//! commands a build simulation stands for. Each is parsed once, where the loader reads it, and
//! prints as cargo spells it; an unknown spelling is kept (`Other`) rather than guessed.

use std::fmt;
use std::str::FromStr;

pub use architect_build::{DebugLevel, Lto};

/// A Rust edition (`edition = "2021"`), ordered by age.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    E2015,
    E2018,
    E2021,
    E2024,
    /// An edition this version does not know (a newer one sorts after those it knows).
    Other(String),
}

impl Edition {
    /// The newest edition this version knows.
    pub const LATEST: Edition = Edition::E2024;

    /// The edition of a package, as `cargo metadata` reports it.
    pub fn of(p: &guppy::graph::PackageMetadata<'_>) -> Edition {
        p.edition()
            .parse()
            .unwrap_or_else(|e: std::convert::Infallible| match e {})
    }
}

impl FromStr for Edition {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Edition, Self::Err> {
        Ok(match s {
            "2015" => Edition::E2015,
            "2018" => Edition::E2018,
            "2021" => Edition::E2021,
            "2024" => Edition::E2024,
            other => Edition::Other(other.to_string()),
        })
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Edition::E2015 => "2015",
            Edition::E2018 => "2018",
            Edition::E2021 => "2021",
            Edition::E2024 => "2024",
            Edition::Other(s) => s,
        })
    }
}

/// Cargo's dependency resolver version (`resolver = "2"`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resolver {
    V1,
    V2,
    /// The MSRV-aware resolver (RFC 3537).
    V3,
    /// A value cargo does not accept; the loader says so in the review's notes.
    Other(String),
}

impl Resolver {
    /// What cargo uses without a `resolver` key: the root package's edition decides (2024
    /// means 3, 2021 means 2), and a virtual workspace (`None`) gets 1.
    pub fn inferred(root_edition: Option<&Edition>) -> Resolver {
        match root_edition {
            Some(Edition::E2024) => Resolver::V3,
            Some(Edition::E2021) => Resolver::V2,
            _ => Resolver::V1,
        }
    }
}

impl FromStr for Resolver {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Resolver, Self::Err> {
        Ok(match s {
            "1" => Resolver::V1,
            "2" => Resolver::V2,
            "3" => Resolver::V3,
            other => Resolver::Other(other.to_string()),
        })
    }
}

impl fmt::Display for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resolver::V1 => "1",
            Resolver::V2 => "2",
            Resolver::V3 => "3",
            Resolver::Other(s) => s,
        })
    }
}

/// A cargo profile whose settings the cost model reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Profile {
    Dev,
    Release,
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Dev => "dev",
            Profile::Release => "release",
        })
    }
}

/// The command a simulated feature resolution stands for: `cargo build -p NAME` of one member,
/// `cargo build --workspace`, and the same with `cargo test` (dev-dependencies unified in;
/// `cargo check --all-targets` resolves features as `cargo test` does).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuildCommand {
    Package(String),
    Workspace,
    TestPackage(String),
    TestWorkspace,
}

impl fmt::Display for BuildCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildCommand::Package(name) => write!(f, "build -p {name}"),
            BuildCommand::Workspace => f.write_str("build --workspace"),
            BuildCommand::TestPackage(name) => write!(f, "test -p {name}"),
            BuildCommand::TestWorkspace => f.write_str("test --workspace"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_and_resolvers_as_cargo_spells_them() {
        for s in ["2015", "2018", "2021", "2024", "2027"] {
            assert_eq!(s.parse::<Edition>().unwrap().to_string(), s);
        }
        assert!(Edition::E2018 < Edition::E2021);
        assert!("2027".parse::<Edition>().unwrap() > Edition::LATEST);
        for s in ["1", "2", "3", "x"] {
            assert_eq!(s.parse::<Resolver>().unwrap().to_string(), s);
        }
        assert_eq!("4".parse::<Resolver>(), Ok(Resolver::Other("4".into())));
        assert_eq!(Resolver::inferred(Some(&Edition::E2024)), Resolver::V3);
        assert_eq!(Resolver::inferred(Some(&Edition::E2021)), Resolver::V2);
        assert_eq!(Resolver::inferred(Some(&Edition::E2018)), Resolver::V1);
        assert_eq!(Resolver::inferred(None), Resolver::V1);
        assert_eq!(
            BuildCommand::Package("app".into()).to_string(),
            "build -p app"
        );
        assert_eq!(BuildCommand::Workspace.to_string(), "build --workspace");
        assert_eq!(
            BuildCommand::TestPackage("app".into()).to_string(),
            "test -p app"
        );
        assert_eq!(BuildCommand::TestWorkspace.to_string(), "test --workspace");
    }
}

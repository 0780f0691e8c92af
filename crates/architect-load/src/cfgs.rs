//! Whether a dependency's `#[cfg(..)] mod m;` is compiled in the reviewed build.
//!
//! The source pass follows module declarations as rustc does, but rustc drops a module whose
//! `#[cfg]` is false before reading its file. For a dependency that matters to its size:
//! `linux-raw-sys` declares a module per architecture and per feature and compiles a few, and
//! counting all of them made it a 9 s "long pole" of a build that compiles it in 1.4 s. So a
//! dependency's module is followed only when its cfgs hold for one of the reviewed platforms
//! with the package's features on; `cfg(test)` is false (a dependency is never compiled for
//! tests), custom flags are false unless `--cfg` names them (as in a plain `cargo build`), and
//! what cannot be known here (`target_feature`, a cfg that does not parse, `--target all`)
//! counts as true. Workspace members are always followed: their code is reviewed whatever
//! the platform.

use std::collections::{BTreeMap, BTreeSet};

use cfg_expr::targets::{TargetInfo, get_builtin_target_by_triple};
use cfg_expr::{Expression, Predicate};
use guppy::PackageId;

use architect_model::PlatformChoice;

/// What a module's cfgs are evaluated against.
#[derive(Debug, Default)]
pub(crate) struct CfgEval {
    /// The reviewed platforms; empty when any platform counts (`--target all`, or a triple
    /// cfg-expr does not know).
    targets: Vec<&'static TargetInfo>,
    /// `--cfg` names.
    flags: Vec<String>,
    /// Each dependency's enabled features, on the target and the host together.
    features: BTreeMap<PackageId, BTreeSet<String>>,
    members: BTreeSet<PackageId>,
}

impl CfgEval {
    pub(crate) fn new(
        platforms: &PlatformChoice,
        flags: &[String],
        features: BTreeMap<PackageId, BTreeSet<String>>,
        members: BTreeSet<PackageId>,
    ) -> CfgEval {
        let triples: Vec<&str> = match platforms {
            PlatformChoice::All => Vec::new(),
            PlatformChoice::Host(t) => vec![t.as_str()],
            PlatformChoice::Targets(ts) => ts.iter().map(String::as_str).collect(),
        };
        let targets: Option<Vec<_>> = triples
            .iter()
            .map(|t| get_builtin_target_by_triple(t))
            .collect();
        CfgEval {
            targets: targets.unwrap_or_default(),
            flags: flags.to_vec(),
            features,
            members,
        }
    }

    /// Whether `package` is a workspace member: its modules whose cfg is off are read too.
    pub(crate) fn is_member(&self, package: &PackageId) -> bool {
        self.members.contains(package)
    }

    /// Whether the module of `package` declared under `cfgs` (each `cfg(..)` as written) is
    /// compiled.
    pub(crate) fn compiled(&self, package: &PackageId, cfgs: &[String]) -> bool {
        self.members.contains(package) || self.holds_all(package, cfgs)
    }

    /// Whether every one of `cfgs` holds for `package` in the reviewed build, a workspace
    /// member's too.
    pub(crate) fn holds_all(&self, package: &PackageId, cfgs: &[String]) -> bool {
        if cfgs.is_empty() {
            return true;
        }
        let none = BTreeSet::new();
        let features = self.features.get(package).unwrap_or(&none);
        cfgs.iter().all(|cfg| self.holds(cfg, features))
    }

    fn holds(&self, cfg: &str, features: &BTreeSet<String>) -> bool {
        let Ok(expr) = Expression::parse(cfg) else {
            return true;
        };
        let on = |target: Option<&TargetInfo>| {
            expr.eval(|p| match p {
                Predicate::Target(tp) => target.is_none_or(|t| tp.matches(t)),
                Predicate::Test => false,
                Predicate::DebugAssertions | Predicate::ProcMacro | Predicate::TargetFeature(_) => {
                    true
                }
                Predicate::Feature(f) => features.contains(*f),
                Predicate::Flag(f) => self.flags.iter().any(|x| x == f),
                Predicate::KeyValue { .. } => false,
            })
        };
        if self.targets.is_empty() {
            on(None)
        } else {
            self.targets.iter().any(|t| on(Some(t)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(platforms: PlatformChoice, features: &[&str]) -> (CfgEval, PackageId) {
        let id = PackageId::new("dep");
        let features =
            BTreeMap::from([(id.clone(), features.iter().map(|f| f.to_string()).collect())]);
        (CfgEval::new(&platforms, &[], features, BTreeSet::new()), id)
    }

    #[test]
    fn a_dependencys_module_follows_platform_features_and_never_tests() {
        let host = PlatformChoice::Host("x86_64-unknown-linux-gnu".into());
        let (e, id) = eval(host, &["std", "net"]);
        let compiled = |cfg: &str| e.compiled(&id, &[cfg.to_string()]);
        assert!(compiled("cfg(target_arch = \"x86_64\")"));
        assert!(!compiled("cfg(target_arch = \"aarch64\")"));
        assert!(compiled("cfg(all(unix, feature = \"net\"))"));
        assert!(!compiled("cfg(feature = \"ioctl\")"));
        assert!(!compiled("cfg(windows)"));
        assert!(!compiled("cfg(test)"));
        assert!(!compiled("cfg(docsrs)"));
        assert!(
            compiled("cfg(target_feature = \"sse2\")"),
            "unknown here: kept"
        );
        assert!(compiled("cfg(not a cfg"), "unparsable: kept");
    }

    #[test]
    fn members_and_any_platform_keep_every_module() {
        let (e, id) = eval(PlatformChoice::All, &[]);
        assert!(e.compiled(&id, &["cfg(windows)".to_string()]));
        assert!(!e.compiled(&id, &["cfg(feature = \"x\")".to_string()]));
        let member = PackageId::new("member");
        let e = CfgEval::new(
            &PlatformChoice::Host("x86_64-unknown-linux-gnu".into()),
            &[],
            BTreeMap::new(),
            BTreeSet::from([member.clone()]),
        );
        assert!(e.compiled(&member, &["cfg(windows)".to_string()]));
    }
}

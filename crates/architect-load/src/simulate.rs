//! The build simulated with guppy's model of cargo's feature resolver: which packages are built
//! for the target and for the host, the unit graph of `cargo build`, and the third-party feature
//! sets of each build command.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{BuildCommand, Edition, PlatformChoice, Resolver};
use guppy::PackageId;
use guppy::graph::cargo::{CargoOptions, CargoResolverVersion, CargoSet};
use guppy::graph::feature::{FeatureId, StandardFeatures, feature_id_filter, named_feature_filter};
use guppy::graph::{DependencyDirection, PackageGraph};
use guppy::platform::{Platform, PlatformSpec, TargetFeatures};

use crate::{LoadError, LoadOptions, Toolchain, shipped};

pub(crate) fn platform_choice(
    options: &LoadOptions,
    toolchain: &Toolchain,
) -> Result<PlatformChoice, LoadError> {
    if options.targets.iter().any(|t| t == "all") {
        return Ok(PlatformChoice::All);
    }
    if !options.targets.is_empty() {
        return Ok(PlatformChoice::Targets(options.targets.clone()));
    }
    let host = toolchain
        .host
        .clone()
        .or_else(|| {
            Platform::build_target()
                .ok()
                .map(|p| p.triple_str().to_string())
        })
        .ok_or_else(|| LoadError::Platform {
            message: "could not determine the host platform".into(),
        })?;
    Ok(PlatformChoice::Host(host))
}

/// Third-party features per build command (see [`Facts::feature_builds`]).
type FeatureBuilds = Vec<(BuildCommand, BTreeMap<PackageId, Vec<String>>)>;
/// One command's third-party feature sets.
type FeatureBuild = (BuildCommand, BTreeMap<PackageId, Vec<String>>);

/// Simulate `cargo build --all-targets` of the workspace for the platforms: which packages are
/// built for the target and which for the host, with cargo's feature resolver; and the unit
/// graph of a plain `cargo build` (no dev-dependencies).
pub(crate) fn simulate_build(
    graph: &PackageGraph,
    options: &LoadOptions,
    platforms: &PlatformChoice,
    host: Option<&str>,
    resolver: &Option<(architect_model::Resolver, architect_model::Location)>,
) -> Result<Simulated, LoadError> {
    let platform = |triple: &str| {
        let mut p = Platform::new(triple.to_string(), TargetFeatures::Unknown).map_err(|e| {
            LoadError::Platform {
                message: format!("unknown target `{triple}`: {e}"),
            }
        })?;
        p.add_flags(options.cfgs.clone());
        Ok(p)
    };
    let spec = match platforms {
        PlatformChoice::All => PlatformSpec::Any,
        PlatformChoice::Host(t) => PlatformSpec::from(platform(t)?),
        PlatformChoice::Targets(ts) => PlatformSpec::platforms(
            ts.iter()
                .map(|t| platform(t))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let host_spec = match platforms {
        PlatformChoice::All => PlatformSpec::Any,
        _ => match host.map(platform).transpose()? {
            Some(p) => PlatformSpec::from(p),
            None => Platform::build_target().map_or_else(|_| spec.clone(), PlatformSpec::from),
        },
    };

    let explicit = resolver
        .as_ref()
        .map(|(v, _)| v)
        .filter(|v| !matches!(v, Resolver::Other(_)));
    // Without a resolver key cargo infers it from the root package's edition.
    let root_manifest = graph.workspace().root().join("Cargo.toml");
    let root_edition = graph
        .workspace()
        .member_by_path("")
        .ok()
        .or_else(|| {
            graph
                .workspace()
                .iter()
                .find(|p| p.manifest_path() == root_manifest)
        })
        .map(|p| Edition::of(&p));
    let version = match explicit
        .cloned()
        .unwrap_or_else(|| Resolver::inferred(root_edition.as_ref()))
    {
        Resolver::V1 | Resolver::Other(_) => CargoResolverVersion::V1,
        Resolver::V2 => CargoResolverVersion::V2,
        Resolver::V3 => CargoResolverVersion::V3,
    };

    let fg = graph.feature_graph();
    let members = graph.resolve_workspace();
    let base = if options.all_features {
        StandardFeatures::All
    } else if options.no_default_features {
        StandardFeatures::None
    } else {
        StandardFeatures::Default
    };
    let requested: Vec<&str> = options
        .features
        .iter()
        .flat_map(|f| f.split([',', ' ']))
        .filter(|f| !f.is_empty())
        .collect();
    let mut plain = Vec::new();
    let mut qualified = Vec::new();
    for f in requested {
        match f.split_once('/') {
            Some((pkg, feat)) => {
                let member =
                    graph
                        .workspace()
                        .member_by_name(pkg)
                        .map_err(|_| LoadError::Features {
                            feature: f.to_string(),
                            cause: format!("`{pkg}` is not a workspace member"),
                        })?;
                qualified.push(FeatureId::named(member.id(), feat));
            }
            None => plain.push(f),
        }
    }
    let filter = || {
        feature_id_filter(
            named_feature_filter(base, plain.iter().copied()),
            qualified.iter().cloned(),
        )
    };
    let initials = members.to_feature_set(filter());
    let mut opts = CargoOptions::new();
    opts.set_resolver(version)
        .set_include_dev(true)
        .set_target_platform(spec)
        .set_host_platform(host_spec);
    let set = CargoSet::new(initials.clone(), fg.resolve_none(), &opts).map_err(|e| {
        LoadError::Simulation {
            cause: e.to_string(),
        }
    })?;
    // `cargo build` alone, without dev-dependencies: the build whose time is modelled.
    // `cargo build` alone: the default members (all members when there are none), without
    // dev-dependencies: the build whose time is modelled.
    opts.set_include_dev(false);
    let defaults: Vec<&PackageId> = graph.workspace().default_member_ids().collect();
    let build_initials = if defaults.is_empty() {
        initials
    } else {
        graph
            .resolve_ids(defaults)
            .map_err(|e| LoadError::Simulation {
                cause: format!("could not resolve the default members: {e}"),
            })?
            .to_feature_set(filter())
    };
    let build = CargoSet::new(build_initials, fg.resolve_none(), &opts).map_err(|e| {
        LoadError::Simulation {
            cause: e.to_string(),
        }
    })?;
    let units = architect_build::UnitGraph::from_cargo_set(graph, &build, !options.release);

    // Feature unification: each member built alone, and the whole workspace.
    let third_party_features = |set: &CargoSet<'_>| -> BTreeMap<PackageId, Vec<String>> {
        set.target_features()
            .packages_with_features(DependencyDirection::Forward)
            .filter(|p| !p.package().in_workspace())
            .map(|p| {
                let mut f: Vec<String> = p.named_features().map(str::to_string).collect();
                f.sort();
                (p.package().id().clone(), f)
            })
            .collect()
    };
    // Each member's `cargo build -p` and `cargo test -p` is simulated on its own, in
    // parallel: independent sets over one shared graph. Collected in member order, so the
    // result is the same whatever the thread count.
    use rayon::prelude::*;
    let mut test_opts = opts.clone();
    test_opts.set_include_dev(true);
    let members_list: Vec<_> = graph.workspace().iter().collect();
    let per_member: Vec<Vec<FeatureBuild>> = members_list
        .par_iter()
        .map(|member| -> Result<_, LoadError> {
            let initials = graph
                .resolve_ids([member.id()])
                .map_err(|e| LoadError::Simulation {
                    cause: format!("could not resolve `{}`: {e}", member.name()),
                })?
                .to_feature_set(filter());
            let name = member.name().to_string();
            let build = CargoSet::new(initials.clone(), fg.resolve_none(), &opts).ok();
            let test = CargoSet::new(initials, fg.resolve_none(), &test_opts).ok();
            Ok(build
                .map(|s| {
                    (
                        BuildCommand::Package(name.clone()),
                        third_party_features(&s),
                    )
                })
                .into_iter()
                .chain(test.map(|s| (BuildCommand::TestPackage(name), third_party_features(&s))))
                .collect())
        })
        .collect::<Result<_, _>>()?;
    let mut feature_builds: Vec<_> = per_member.into_iter().flatten().collect();
    for (command, options) in [
        (BuildCommand::Workspace, &opts),
        (BuildCommand::TestWorkspace, &test_opts),
    ] {
        let whole = CargoSet::new(members.to_feature_set(filter()), fg.resolve_none(), options)
            .map_err(|e| LoadError::Simulation {
                cause: e.to_string(),
            })?;
        feature_builds.push((command, third_party_features(&whole)));
    }
    let shipped_members = graph
        .resolve_ids(
            graph
                .workspace()
                .iter()
                .filter(|m| shipped::role(m).0 != architect_model::MemberRole::Tooling)
                .map(|m| m.id()),
        )
        .map_err(|e| LoadError::Simulation {
            cause: format!("could not resolve the shipped members: {e}"),
        })?;
    let shipped = CargoSet::new(
        shipped_members.to_feature_set(filter()),
        fg.resolve_none(),
        &opts,
    )
    .map_err(|e| LoadError::Simulation {
        cause: e.to_string(),
    })?;
    let scope = shipped::scope_facts(graph, &set, &shipped, &options.cfgs);
    let ids = |fs: &guppy::graph::feature::FeatureSet<'_>| {
        fs.to_package_set()
            .package_ids(DependencyDirection::Forward)
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    let mut features: BTreeMap<PackageId, BTreeSet<String>> = BTreeMap::new();
    for fs in [set.target_features(), set.host_features()] {
        for p in fs.packages_with_features(DependencyDirection::Forward) {
            features
                .entry(p.package().id().clone())
                .or_default()
                .extend(p.named_features().map(str::to_string));
        }
    }
    Ok(Simulated {
        features,
        target_packages: ids(set.target_features()),
        host_packages: ids(set.host_features()),
        units,
        feature_builds,
        scope,
    })
}

/// What [`simulate_build`] learns from guppy's simulation of cargo's resolver.
pub(crate) struct Simulated {
    pub target_packages: BTreeSet<PackageId>,
    pub host_packages: BTreeSet<PackageId>,
    pub units: architect_build::UnitGraph,
    pub feature_builds: FeatureBuilds,
    pub scope: architect_model::ScopeFacts,
    /// Each package's named features in `cargo build --all-targets`, target and host together.
    pub features: BTreeMap<PackageId, BTreeSet<String>>,
}

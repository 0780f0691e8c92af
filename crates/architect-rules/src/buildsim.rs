//! The simulated clean build the build rules share.

use architect_build::{BuildTime, Cost, CostModel, analyze, estimate_costs};
use architect_model::Facts;

/// Thousands of lines assumed for a dependency whose sources were not read (the median
/// library of the shared corpus is about this size). `--deps` reads the real sizes.
pub const TYPICAL_KLOC: f64 = 2.0;

/// Costs from the cost model, and the build simulated at the machine's job count.
#[derive(Debug)]
pub struct Sim {
    pub costs: Vec<Cost>,
    pub result: BuildTime,
    /// Whether some sizes were assumed (dependencies not scanned).
    pub assumed_sizes: bool,
}

pub fn simulate(facts: &Facts) -> Sim {
    let kloc = |id: &guppy::PackageId| {
        facts
            .sources
            .packages
            .get(id)
            .filter(|p| p.code_lines > 0)
            .map(|p| p.code_lines as f64 / 1000.0)
    };
    let assumed_sizes = facts.units.units.iter().any(|u| kloc(&u.package).is_none());
    let costs = estimate_costs(&facts.units, &CostModel::DEV, kloc, TYPICAL_KLOC);
    let result = analyze(&facts.units, &costs, facts.jobs);
    Sim {
        costs,
        result,
        assumed_sizes,
    }
}

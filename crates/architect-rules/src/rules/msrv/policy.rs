//! `msrv/policy`: promises and dependencies that break the declared `[msrv] policy`.

use architect_model::{Finding, Level, MsrvPolicy, PackageRef, RustMinor, Section};
use guppy::Version;
use jiff::ToSpan;
use jiff::civil::Date;

use crate::msrv_history::Line;
use crate::msrv_pressure::Pressure;
use crate::rule::{Ctx, Docs, FindingExt, Rule, count};

pub static RULE: Rule = Rule {
    id: "msrv/policy",
    section: Section::Msrv,
    default_level: Level::Warn,
    summary: "a promised rust-version, a locked dependency or a `cargo update` that breaks the declared `[msrv] policy`",
    docs: Docs {
        what: "With `[msrv] policy` in the configuration (`stable-minus = \"6 months\"`, \
               `stable-minus-releases = 2`, `min-age-days = 14`; the strictest applies), \
               computes the newest Rust the policy lets the MSRV be, as of the newest entry \
               in the index cache, and lists in one finding: shipped members whose \
               `rust-version` is newer; locked registry dependencies that need a newer Rust; \
               and dependencies whose newest semver-compatible release, which `cargo update` \
               would take, needs a newer Rust. Each dependency comes with the \
               `cargo update -p NAME@VERSION --precise V` that keeps the policy (the newest \
               compatible release that fits), or says no release of its line fits. Silent \
               without a policy: `msrv/pressure` then says which policy the workspace \
               follows in practice.",
        why: "An MSRV policy is a promise to users about how old a toolchain they may keep \
              (Firefox requires a new minimum to have been stable for 14 days; many \
              libraries support the last N releases). Dependencies do not know it: one \
              `cargo update` can take a release that needs the newest stable and break the \
              promise without any change to the workspace's code.",
        fix: "Run the `cargo update --precise` commands given; set the members' \
              `rust-version` to the policy's release and turn on the MSRV-aware resolver \
              (`resolver = \"3\"`) so `cargo update` keeps to it; or change the policy.",
        references: &[
            (
                "Firefox: supported Rust versions",
                "https://firefox-source-docs.mozilla.org/writing-rust-code/update-policy.html",
            ),
            (
                "RFC 3537: MSRV-aware resolver",
                "https://rust-lang.github.io/rfcs/3537-msrv-resolver.html",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

/// The newest release the policy lets the MSRV be on `as_of`, and its bounds described.
pub(crate) fn allowed(policy: &MsrvPolicy, as_of: Date) -> (RustMinor, String) {
    let stable = RustMinor::stable_on(as_of);
    let mut max = stable;
    let mut why = vec![format!("stable {stable}")];
    if let Some(p) = policy.stable_minus {
        max = max.min(RustMinor::stable_on(p.before(as_of)));
        why.push(format!("minus {p}"));
    }
    if let Some(n) = policy.stable_minus_releases {
        max = max.min(RustMinor(stable.0.saturating_sub(n)));
        why.push(format!(
            "minus {}",
            count(n as usize, "release", "releases")
        ));
    }
    if let Some(d) = policy.min_age_days {
        let day = as_of.checked_sub(i64::from(d).days()).unwrap_or(Date::MIN);
        max = max.min(RustMinor::stable_on(day));
        why.push(format!("stable for {d} days"));
    }
    (max, why.join(", "))
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let Some(policy) = &facts.config.msrv_policy else {
        return Vec::new();
    };
    let Some(p) = cx.shared.msrv(facts) else {
        return Vec::new();
    };
    let as_of = p.history.as_of;
    let (max, why) = allowed(policy, as_of);
    let members = promises_over(cx, max);
    let (locked, updates) = dependencies_over(p, max);
    if members.is_empty() && locked.is_empty() && updates.is_empty() {
        return Vec::new();
    }
    let mut parts = Vec::new();
    if !members.is_empty() {
        parts.push(format!(
            "{} more",
            count(members.len(), "member promises", "members promise")
        ));
    }
    if !locked.is_empty() {
        parts.push(format!(
            "{} a newer Rust as locked",
            count(locked.len(), "dependency needs", "dependencies need")
        ));
    }
    if !updates.is_empty() {
        parts.push(format!(
            "`cargo update` would take {} past it",
            count(updates.len(), "dependency", "dependencies")
        ));
    }
    let mut f = cx
        .finding(
            format!(
                "the MSRV policy allows at most {max} ({why}, as of {as_of}); {}",
                parts.join("; ")
            ),
            "run the `cargo update --precise` commands in the notes, and declare the policy's release as `rust-version` with `resolver = \"3\"` so `cargo update` keeps to it",
        )
        .at(policy.location.clone());
    for (name, location) in members {
        f = f.note(name).at(location);
    }
    for (package, note) in locked.into_iter().chain(updates) {
        f = f.package(package).note(note);
    }
    vec![f]
}

/// Shipped members promising a newer Rust than `max`, with the `rust-version` line.
fn promises_over(cx: &Ctx<'_>, max: RustMinor) -> Vec<(String, Option<architect_model::Location>)> {
    let mut out: Vec<_> = crate::msrv_pressure::promises(cx.facts)
        .filter(|(_, promised, _)| *promised > max)
        .map(|(m, promised, location)| (format!("`{}` promises {promised}", m.name()), location))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A dependency with what the finding says of it.
type Noted = (PackageRef, String);

/// Locked dependencies needing more than `max`, then lines whose newest release does while
/// the locked one fits; each with the command that keeps the policy.
fn dependencies_over(p: &Pressure, max: RustMinor) -> (Vec<Noted>, Vec<Noted>) {
    let (mut locked, mut updates) = (Vec::new(), Vec::new());
    for line in &p.history.lines {
        let locked_needs = line.needs(&line.locked);
        let newest_needs = line.msrv_on(p.history.as_of);
        let package = PackageRef::new(&line.name, &line.locked);
        let keep = keep(line, max);
        if locked_needs.is_some_and(|n| n > max) {
            locked.push((
                package,
                format!(
                    "`{} {}` needs {}; {keep}",
                    line.name,
                    line.locked,
                    locked_needs.unwrap_or(max)
                ),
            ));
        } else if let Some(n) = newest_needs.filter(|n| *n > max) {
            updates.push((
                package,
                format!(
                    "`cargo update` takes `{}` {} to {} (needs {n}); {keep}",
                    line.name,
                    line.locked,
                    line.newest().map(Version::to_string).unwrap_or_default()
                ),
            ));
        }
    }
    (locked, updates)
}

/// The command that holds a line to the newest release fitting `max`.
fn keep(line: &Line, max: RustMinor) -> String {
    match line.newest_fitting(max) {
        Some(v) if v == &line.locked => format!(
            "keep it at {v}, the newest release that fits: `rust-version = \"{max}\"` with `resolver = \"3\"` makes `cargo update` do so"
        ),
        Some(v) => format!(
            "keep the policy with `cargo update -p {}@{} --precise {v}`",
            line.name, line.locked
        ),
        None => "no release of its line fits: hold an older major, or change the policy".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use architect_model::Period;
    use jiff::civil::date;

    #[test]
    fn the_strictest_bound_applies() {
        // 2025-07-01: stable 1.88 (out 2025-06-26).
        let as_of = date(2025, 7, 1);
        let only_age = MsrvPolicy {
            min_age_days: Some(14),
            ..Default::default()
        };
        // 14 days earlier (2025-06-17) stable was 1.87.
        assert_eq!(allowed(&only_age, as_of).0, RustMinor(87));
        let both = MsrvPolicy {
            stable_minus: Period::parse("6 months"),
            stable_minus_releases: Some(2),
            min_age_days: Some(14),
            location: None,
        };
        // Six months before (2025-01-01) stable was 1.83; minus 2 releases is 1.86.
        let (max, why) = allowed(&both, as_of);
        assert_eq!(max, RustMinor(83));
        assert_eq!(
            why,
            "stable 1.88, minus 6 months, minus 2 releases, stable for 14 days"
        );
    }

    #[test]
    fn a_locked_release_that_is_the_newest_to_fit_is_kept_not_re_pinned() {
        let day = date(2026, 7, 20);
        let entry = |v: &str, rust: &str, d| architect_model::IndexVersion {
            version: v.into(),
            yanked: false,
            rust_version: Some(rust.into()),
            published: Some(d),
        };
        let index = architect_model::IndexFacts {
            crates: [(
                "kstring".to_string(),
                vec![
                    entry("2.0.2", "1.73", date(2024, 7, 25)),
                    entry("2.0.3", "1.96", date(2026, 7, 14)),
                ],
            )]
            .into(),
            ..Default::default()
        };
        let line = Line::new("kstring", &Version::new(2, 0, 2), &index, day).unwrap();
        assert_eq!(
            keep(&line, RustMinor(94)),
            "keep it at 2.0.2, the newest release that fits: `rust-version = \"1.94\"` with `resolver = \"3\"` makes `cargo update` do so"
        );
        assert!(keep(&line, RustMinor(72)).starts_with("no release of its line fits"));
    }

    #[test]
    fn the_fixture_breaks_its_policy_twice() {
        // stable 1.86 on 2025-04-10 minus 4 releases: 1.82 (14 days of age allow 1.85).
        let f = crate::testing::run(&RULE, crate::testing::fixture("msrv-pressure"));
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "the MSRV policy allows at most 1.82 (stable 1.86, minus 4 releases, stable for 14 days, as of 2025-04-10); 1 member promises more; `cargo update` would take 1 dependency past it"
        );
        assert_eq!(
            f[0].notes,
            [
                "`corelib` promises 1.85",
                "`cargo update` takes `trackerlib` 2.1.0 to 2.3.0 (needs 1.84); keep the policy with `cargo update -p trackerlib@2.1.0 --precise 2.2.0`",
            ]
        );
        let lines: Vec<String> = f[0]
            .locations
            .iter()
            .map(|l| format!("{}:{}", l.path, l.line))
            .collect();
        assert_eq!(lines, ["architect.toml:3", "corelib/Cargo.toml:5"]);
        // Without a policy: silent.
        assert!(crate::testing::run(&RULE, crate::testing::registry_ws()).is_empty());
    }
}

//! `msrv/pressure`: how often the dependencies force the toolchain up, and when they will
//! pass what the workspace promises and pins.

use architect_model::{Finding, Level, PackageRef, RustMinor, Section};
use jiff::civil::Date;

use crate::msrv_history::{Passing, behind_stable, months, times};
use crate::msrv_pressure::{DRIVERS, Pressure, Target};
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};

pub static RULE: Rule = Rule {
    id: "msrv/pressure",
    section: Section::Msrv,
    default_level: Level::Info,
    summary: "the MSRV pressure of the dependencies: raises per quarter, when they pass the promise and the pin, and who drives them",
    docs: Docs {
        what: "From the registry index cache (each release's `rust_version` and `pubtime`), \
               follows every registry crate the shipped build compiles (tooling, examples, \
               tests and benchmarks aside) on its semver-compatible line (what \
               `cargo update` chooses among): when its MSRV went up and how far behind stable \
               each raise landed (its policy in practice, and where it lands lately). A raise \
               that lifted the effective MSRV is a step: a toolchain upgrade `cargo update` \
               forces, or with the MSRV-aware resolver a release it holds back. Reports the \
               steps per quarter, the rate in releases a year over the one-year windows of \
               the past three years, the effective MSRV a year on as a range, and when it \
               passes each promised `rust-version` (compared with what those members' own \
               `cargo build -p` compiles) and the toolchain pin, as an 80% range from the \
               random arrival of steps and the lines that follow stable. Names the few \
               dependencies that lifted it most (a family raising together as one), the close \
               followers of stable, the workspace's own policy in practice, and what the \
               cache could not tell. \"Now\" is how fresh the cache is, so the figures do not \
               change with the day the review runs, and stale entries are named. The forecast \
               keeps today's dependency set: a new dependency or major update is a manifest \
               change the history cannot see. `docs/msrv-forecast.md` backtests it on 24 \
               real workspaces and gives the blind precision rounds.",
        why: "Rust has no LTS channel: staying on an old toolchain costs security fixes \
              (`msrv/toolchain-vulnerability`), and with hundreds of dependencies following \
              different MSRV policies (stable minus six weeks, minus six months, N-2) some \
              dependency raises its MSRV nearly every quarter. Knowing the rate and the \
              drivers turns toolchain upgrades into planned work instead of a broken \
              `cargo update`.",
        fix: "Plan toolchain upgrades at the observed rate; declare the policy you want in \
              `[msrv] policy` so the review checks it (`msrv/policy`); turn on the MSRV-aware \
              resolver (`resolver = \"3\"` or `incompatible-rust-versions = \"fallback\"`) so \
              `cargo update` holds back releases your `rust-version` cannot build; and watch \
              the named drivers.",
        references: &[
            (
                "RFC 3537: MSRV-aware resolver",
                "https://rust-lang.github.io/rfcs/3537-msrv-resolver.html",
            ),
            (
                "Cargo book: rust-version",
                "https://doc.rust-lang.org/cargo/reference/rust-version.html",
            ),
            (
                "Firefox: supported Rust versions",
                "https://firefox-source-docs.mozilla.org/writing-rust-code/update-policy.html",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let Some(p) = cx.shared.msrv(cx.facts) else {
        return Vec::new();
    };
    let aware = super::resolver::msrv_aware(cx.facts);
    let h = &p.history;
    let Some(now) = p.now() else {
        return Vec::new();
    };
    let mut f = cx
        .finding(message(p, now, aware), help(cx))
        .at(p.targets.first().and_then(|t| t.location.clone()));
    for (line, _) in h.drivers().iter().filter(|(_, n)| *n > 0).take(DRIVERS) {
        f = f.package(PackageRef::new(&line.name, &line.locked));
    }
    for n in notes(cx, p, now, aware) {
        f = f.note(n);
    }
    vec![f]
}

/// The headline: the past year, the pace, what `cargo update` needs, the nearest target.
fn message(p: &Pressure, now: RustMinor, msrv_aware: bool) -> String {
    let h = &p.history;
    let rates = h.yearly_rates();
    let (slow, fast) = (
        rates.iter().min().copied().unwrap_or(0),
        rates.iter().max().copied().unwrap_or(0),
    );
    let past_year: usize = h.steps_per_quarter(4).iter().sum();
    let mut out = format!(
        "MSRV pressure: {} ({}",
        past_year_phrase(past_year, fast),
        pace(slow, fast)
    );
    match p.locked {
        Some(l) if l < now => out.push_str(&format!("{now} after `cargo update`, {l} locked)")),
        _ => out.push_str(&format!("{now} now)")),
    }
    if let Some(t) = p.targets.first() {
        out.push_str(&format!("; {}", passing(t, now, msrv_aware)));
    }
    if let Some((line, _)) = h.drivers().into_iter().find(|(_, n)| *n > 0) {
        out.push_str(&format!("; driven most by `{}`", line.name));
    }
    out
}

/// The past year's raises of the effective MSRV.
fn past_year_phrase(steps: usize, fastest_rate: u32) -> String {
    match steps {
        0 if fastest_rate == 0 => "no dependency raised the effective MSRV in two years".into(),
        0 => "no dependency raised the effective MSRV in the past year".into(),
        n => format!(
            "dependencies raised the effective MSRV {} in the past year",
            times(n)
        ),
    }
}

/// The yearly rate range, or nothing when nothing rose.
fn pace(slow: u32, fast: u32) -> String {
    match (slow, fast) {
        (_, 0) => String::new(),
        (s, f) if s == f => format!("effective MSRV: {f} releases a year over three years; "),
        (s, f) => format!("effective MSRV: {s} to {f} releases a year over three years; "),
    }
}

/// When the effective MSRV passes a target, as a phrase; for a promise whose members' builds
/// need less than the whole workspace (`workspace_now`), with what they need.
fn passing(t: &Target, workspace_now: RustMinor, msrv_aware: bool) -> String {
    let locked = t.locked;
    let month = |d: Date| format!("{:04}-{:02}", d.year(), d.month());
    let builds = if t.members.len() == 1 {
        "its build needs"
    } else {
        "their builds need"
    };
    let label = match t.now {
        Some(n) if n < workspace_now && !t.members.is_empty() => {
            format!("{} ({builds} {n})", t.label())
        }
        _ => t.label(),
    };
    // Who is past it already, when not every member of the promise is.
    let past = |over: &[String]| {
        if !over.is_empty() && over.len() < t.members.len() {
            format!(" ({} of them: {})", over.len(), name_list(over, 3))
        } else {
            String::new()
        }
    };
    match t.passing {
        Passing::Already(_) if locked.is_some_and(|l| l > t.release) => format!(
            "the locked dependencies already need {}, past {}{}",
            locked.unwrap_or(t.release),
            t.label(),
            past(&t.over_locked)
        ),
        Passing::Already(need) if msrv_aware => format!(
            "newer releases need {need}, past {label}{}: the MSRV-aware resolver holds them back",
            past(&t.over_updated)
        ),
        Passing::Already(need) => {
            format!(
                "`cargo update` today needs {need}, past {label}{}",
                past(&t.over_updated)
            )
        }
        Passing::Between {
            earliest: Some(e),
            latest: Some(l),
        } if month(e) == month(l) => format!("it passes {label} about {}", month(e)),
        Passing::Between {
            earliest: Some(e),
            latest: Some(l),
        } => format!(
            "it passes {label} between {} and {} (80% range)",
            month(e),
            month(l)
        ),
        Passing::Between {
            earliest: Some(e),
            latest: None,
        } => format!(
            "it passes {label} in {} at the earliest (not within three years at the slowest rate)",
            month(e)
        ),
        Passing::Between { earliest: None, .. } => {
            format!("{label} holds for three years at every rate of the past two")
        }
    }
}

fn notes(cx: &Ctx<'_>, p: &Pressure, now: RustMinor, aware: bool) -> Vec<String> {
    let h = &p.history;
    let mut out = vec![format!(
        "as of {} (how fresh the index cache is), stable {}; raises of the effective MSRV per quarter, the latest first: {}",
        h.as_of,
        RustMinor::stable_on(h.as_of),
        h.steps_per_quarter(8)
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )];
    out.push(in_a_year(p));
    // A target passed as the headline's is (a pin at the promised release) is not repeated.
    let headline = p.targets.first();
    out.extend(
        p.targets
            .iter()
            .skip(1)
            .filter(|t| {
                headline.is_none_or(|h| !(h.release == t.release && h.passing == t.passing))
            })
            .map(|t| passing(t, now, aware)),
    );
    out.extend(driver_notes(p, now));
    out.push(followers(p, now));
    let (trailing, holding, undeclared) = p.mix();
    out.push(format!(
        "of {}, {trailing} raised their MSRV in the past two years, {holding} held it and {undeclared} declare none (the figures are lower bounds)",
        count(h.lines.len(), "dependency line", "dependency lines")
    ));
    out.push(practice(cx, p));
    // Said in the headline already when a promise is passed by held-back releases.
    let said = p.targets.first().is_some_and(|t| {
        matches!(t.passing, Passing::Already(_)) && t.locked.is_none_or(|l| l <= t.release)
    });
    if aware && !said {
        out.push("the MSRV-aware resolver is on: `cargo update` holds back releases the declared `rust-version` cannot build, so the pressure shows as releases not taken rather than as a failed build".into());
    }
    out.extend(cache_notes(p));
    out.retain(|n| !n.is_empty());
    out
}

/// The range of the effective MSRV a year on, and who sets its top.
fn in_a_year(p: &Pressure) -> String {
    match p.history.in_a_year_with_top() {
        (low, high, _) if low == high => {
            format!("in a year the effective MSRV is {low} at every rate of the history")
        }
        (low, high, top) if !top.is_empty() => {
            let names: Vec<&str> = top.iter().map(|(l, _)| l.name.as_str()).collect();
            let lag = top[0].1;
            match names.as_slice() {
                [one] => format!(
                    "in a year the effective MSRV is {low} to {high}: {low} at the slowest rate, {high} if `{one}` raises again to {} (holding it back keeps the top down)",
                    behind_stable(lag)
                ),
                _ => format!(
                    "in a year the effective MSRV is {low} to {high}: {low} at the slowest rate, {high} if any of {} raises again to {}",
                    name_list(&names, 4),
                    behind_stable(lag)
                ),
            }
        }
        (low, high, _) => format!(
            "in a year the effective MSRV is {low} to {high}, at the slowest and fastest rates of the history"
        ),
    }
}

/// The drivers (a family raising together as one), and what sets the figure now when they
/// are not all of it.
fn driver_notes(p: &Pressure, now: RustMinor) -> Vec<String> {
    let h = &p.history;
    let mut out = Vec::new();
    let drivers = driver_groups(p);
    for (names, line, lifted) in &drivers {
        let with = match names.as_slice() {
            [_] => String::new(),
            [_, rest @ ..] => format!(" (with {}, raised together)", name_list(rest, 3)),
            [] => String::new(),
        };
        out.push(format!(
            "`{} {}`{with} lifted it by {} in two years: {}",
            line.name,
            line.locked,
            count(*lifted as usize, "release", "releases"),
            line.practice(h.as_of)
        ));
    }
    let mut setters: Vec<&str> = h
        .lines
        .iter()
        .filter(|l| l.msrv_on(h.as_of) == Some(now))
        .map(|l| l.name.as_str())
        .collect();
    setters.dedup();
    // Said already when every one is a driver above.
    let named = |n: &&str| drivers.iter().any(|(names, ..)| names.contains(n));
    if !setters.iter().all(named) {
        out.push(format!("{now} is needed by {}", name_list(&setters, 6)));
    }
    out
}

/// What the index cache could not tell: crates without an entry, stale entries, and lines
/// with no release to follow.
fn cache_notes(p: &Pressure) -> Vec<String> {
    let mut out = Vec::new();
    if !p.unknown.is_empty() {
        out.push(format!(
            "{} no entry in the index cache: {}; `cargo update --dry-run` on a trusted machine fetches it",
            count(p.unknown.len(), "crate has", "crates have"),
            name_list(&p.unknown, 8)
        ));
    }
    if !p.stale.is_empty() {
        out.push(format!(
            "{} last refreshed more than 30 days before {}, so later releases are not seen: {}; `cargo update --dry-run` on a trusted machine refreshes them",
            count(p.stale.len(), "crate's cache entry was", "crates' cache entries were"),
            p.history.as_of,
            name_list(&p.stale, 8)
        ));
    }
    if !p.unusable.is_empty() {
        out.push(format!(
            "not followed, every release of the locked line is yanked or undated in the index cache: {}",
            name_list(&p.unusable, 8)
        ));
    }
    out
}

/// The drivers, those that raised together (same days, same figures: a family such as
/// clap, clap_builder, clap_derive) as one, at most [`DRIVERS`] of them.
fn driver_groups(p: &Pressure) -> Vec<(Vec<&str>, &crate::msrv_history::Line, u32)> {
    let h = &p.history;
    let mut groups: Vec<(Vec<&str>, &crate::msrv_history::Line, u32)> = Vec::new();
    for (line, lifted) in h.drivers().into_iter().filter(|(_, n)| *n > 0) {
        let key = |l: &crate::msrv_history::Line| {
            let raises: Vec<_> = l.raises.iter().map(|r| (r.day, r.to)).collect();
            raises
        };
        match groups
            .iter_mut()
            .find(|(_, first, n)| *n == lifted && key(first) == key(line))
        {
            Some(group) => group.0.push(line.name.as_str()),
            None => groups.push((vec![line.name.as_str()], line, lifted)),
        }
    }
    groups.truncate(DRIVERS);
    groups
}

/// The close followers of stable (raised in the past year, to within four releases of it)
/// that would pass the effective MSRV if they raised again at that lag: who forces the next
/// upgrade.
fn followers(p: &Pressure, now: RustMinor) -> String {
    let h = &p.history;
    let stable = RustMinor::stable_on(h.as_of);
    let mut close: Vec<(u32, &str)> = h
        .lines
        .iter()
        .filter_map(|l| {
            let (lag, _) = l.follows(h.as_of)?;
            (lag <= 4 && RustMinor(stable.0.saturating_sub(lag)) > now)
                .then_some((lag, l.name.as_str()))
        })
        .collect();
    if close.is_empty() {
        return String::new();
    }
    close.sort();
    close.dedup();
    let shown: Vec<String> = close
        .iter()
        .take(6)
        .map(|(lag, name)| match lag {
            0 => format!("`{name}` (the newest stable)"),
            lag => format!("`{name}` (stable minus {lag})"),
        })
        .collect();
    let more = match close.len().saturating_sub(6) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!(
        "raised in the past year to within six months of stable, so their next raise passes {now}: {}{more}",
        shown.join(", ")
    )
}

/// The workspace's own policy in practice: how far its lowest promise and its pin trail
/// stable, in the terms of `[msrv] policy`.
fn practice(cx: &Ctx<'_>, p: &Pressure) -> String {
    if cx.facts.config.msrv_policy.is_some() {
        return String::new();
    }
    let stable = RustMinor::stable_on(p.history.as_of);
    let mut parts = Vec::new();
    if let Some(t) = p.targets.iter().find(|t| !t.members.is_empty()) {
        let behind = t.release.releases_to(stable);
        if let (Passing::Already(_), Some(need)) = (t.passing, t.locked.filter(|l| *l > t.release))
        {
            return format!(
                "no `[msrv] policy`; the workspace promises {} but its builds already need {need}: in practice it follows its dependencies",
                t.release
            );
        }
        parts.push(format!(
            "promises {} ({behind} releases, ~{} months, behind stable: `stable-minus-releases = {behind}`)",
            t.release,
            months(behind)
        ));
    }
    if let Some(t) = p.targets.iter().find(|t| t.members.is_empty()) {
        parts.push(format!(
            "pins {} (stable minus {})",
            t.release,
            t.release.releases_to(stable)
        ));
    }
    if parts.is_empty() {
        return "no `[msrv] policy`, no `rust-version` and no release pin: the workspace follows whatever its dependencies need".into();
    }
    format!(
        "no `[msrv] policy`; in practice the workspace {}",
        parts.join(" and ")
    )
}

fn help(cx: &Ctx<'_>) -> String {
    if cx.facts.config.msrv_policy.is_some() {
        "plan toolchain upgrades at this rate; `msrv/policy` checks the declared policy".into()
    } else {
        "plan toolchain upgrades at this rate, and declare the policy you want in `[msrv] policy` (e.g. `stable-minus-releases = 4`, `min-age-days = 14`) so the review checks it".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{fixture, run};

    /// `fixtures/rules/msrv-pressure`, worked by hand in `docs/msrv-forecast.md`.
    #[test]
    fn the_forecast_of_the_recorded_history() {
        let facts = fixture("msrv-pressure");
        let p =
            crate::msrv_pressure::pressure(facts).expect("the fixture's index entries are dated");
        let h = &p.history;
        assert_eq!(h.as_of.to_string(), "2025-04-10");
        let steps: Vec<(String, u32, u32, &str)> = h
            .steps
            .iter()
            .map(|s| (s.day.to_string(), s.from.0, s.to.0, s.by.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                ("2024-02-08".into(), 65, 74, "trackerlib"),
                ("2024-09-05".into(), 74, 79, "trackerlib"),
                ("2025-04-10".into(), 79, 84, "trackerlib"),
            ]
        );
        assert_eq!(p.locked, Some(RustMinor(74)));
        assert_eq!(p.now(), Some(RustMinor(84)));
        assert_eq!(h.steps_per_quarter(8), [1, 0, 1, 0, 1, 0, 0, 0]);
        // Nine windows (steadylib dates from 2022): the four oldest years had no raise.
        assert_eq!(h.yearly_rates(), [10, 14, 14, 9, 9, 0, 0, 0, 0]);
        assert_eq!(h.yearly_steps(), [2, 2, 2, 1, 1, 0, 0, 0, 0]);
        // 1.84 at the slowest (a year without a raise); 1.98 at the fastest, capped at
        // 2026-04-10's stable 1.94 (trackerlib, stable minus 2, would land on 1.92).
        assert_eq!(h.in_a_year(), (RustMinor(84), RustMinor(94)));
        let targets: Vec<(String, Passing)> =
            p.targets.iter().map(|t| (t.label(), t.passing)).collect();
        let day = |s: &str| Some(s.parse::<Date>().unwrap());
        assert_eq!(
            targets,
            [
                (
                    "`app`'s promised 1.80".into(),
                    Passing::Already(RustMinor(84))
                ),
                (
                    "`corelib`'s promised 1.85".into(),
                    Passing::Between {
                        // Two releases, and steps were up to 9: the next step does it.
                        // 2 raises reaching the top a year at most: 19 days (ln(10/9)/2
                        // years). At 1 step a year the 90% point is 840 days out, but
                        // trackerlib (stable minus 2, 1.5 raises a year) can pass 1.85
                        // once 1.88 is out (2025-06-26), and by ln(10)/1.5 years (560
                        // days) after that it has, 90% of the time: 2027-01-07.
                        earliest: day("2025-04-29"),
                        latest: day("2027-01-07"),
                    }
                ),
                ("the 1.83 pin".into(), Passing::Already(RustMinor(84))),
            ]
        );
        let practices: Vec<String> = h
            .lines
            .iter()
            .map(|l| l.practice(h.as_of).to_string())
            .collect();
        assert_eq!(
            practices,
            [
                "declares no rust-version",
                "raised once in two years, to stable minus 9 (~13 months)",
                "held 1.56 for two years (now stable minus 30)",
                "raised 3 times in two years, to stable minus 2 (~3 months)",
            ]
        );
        let f = run(&RULE, facts);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "MSRV pressure: dependencies raised the effective MSRV twice in the past year (effective MSRV: 0 to 14 releases a year over three years; 1.84 after `cargo update`, 1.74 locked); `cargo update` today needs 1.84, past `app`'s promised 1.80; driven most by `trackerlib`"
        );
        assert_eq!(f[0].locations[0].path, "app/Cargo.toml");
    }

    #[test]
    fn the_headline_says_what_the_raises_meant() {
        assert_eq!(
            past_year_phrase(0, 0),
            "no dependency raised the effective MSRV in two years"
        );
        assert_eq!(
            past_year_phrase(0, 3),
            "no dependency raised the effective MSRV in the past year"
        );
        assert_eq!(
            past_year_phrase(3, 9),
            "dependencies raised the effective MSRV 3 times in the past year"
        );
        assert_eq!(pace(0, 0), "");
        assert_eq!(
            pace(6, 6),
            "effective MSRV: 6 releases a year over three years; "
        );
    }

    #[test]
    fn no_history_no_finding() {
        // registry-ws's index entries carry no `pubtime`.
        assert!(run(&RULE, crate::testing::registry_ws()).is_empty());
        assert!(run(&RULE, crate::testing::clean()).is_empty());
    }
}

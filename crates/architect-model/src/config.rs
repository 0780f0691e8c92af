//! The review configuration, after it was read and checked against the rule registry.

use std::collections::BTreeMap;

use crate::{Level, Location};

/// A value given to a rule option.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    Integer(i64),
    Float(f64),
    String(String),
    Bool(bool),
}

impl ConfigValue {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ConfigValue::Integer(i) => Some(*i as f64),
            ConfigValue::Float(f) => Some(*f),
            _ => None,
        }
    }
}

/// An accepted package for a rule with an allow-list, e.g. a vetted build script.
#[derive(Debug, Clone, PartialEq)]
pub struct AllowEntry {
    pub package: String,
    /// A semver requirement the version must match; any version when absent.
    pub version: Option<String>,
    pub reason: String,
    /// Where the entry is written, so a stale one can be pointed at.
    pub location: Option<Location>,
}

/// A waiver of findings of one rule, optionally for one package only.
#[derive(Debug, Clone, PartialEq)]
pub struct Ignore {
    /// The rule whose findings are waived; any rule when only `advisory` is given.
    pub rule: Option<String>,
    pub package: Option<String>,
    /// A RustSec advisory id: waives the findings about that advisory.
    pub advisory: Option<String>,
    /// `YYYY-MM-DD`: after this day the waiver no longer applies and the findings return.
    pub until: Option<String>,
    pub reason: String,
    pub location: Option<Location>,
}

/// What the configuration says about one rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleConfig {
    pub level: Option<Level>,
    pub options: BTreeMap<String, ConfigValue>,
    pub allow: Vec<AllowEntry>,
}

/// The whole configuration: per-rule settings, ignores, and where it came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Workspace-relative path of the file the configuration was read from.
    pub source: Option<String>,
    pub rules: BTreeMap<String, RuleConfig>,
    pub ignores: Vec<Ignore>,
    /// `[msrv] policy`: how new the workspace lets its minimum supported Rust be.
    pub msrv_policy: Option<MsrvPolicy>,
}

/// The newest Rust a workspace lets its MSRV be (each bound optional; the strictest applies):
/// the stable release of `stable_minus` ago, `stable_minus_releases` before stable, and one
/// stable for at least `min_age_days` (Firefox's rule).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MsrvPolicy {
    pub stable_minus: Option<Period>,
    pub stable_minus_releases: Option<u32>,
    pub min_age_days: Option<u32>,
    pub location: Option<Location>,
}

/// A length of time as the configuration writes it: `6 months`, `12 weeks`, `90 days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub count: u32,
    pub unit: PeriodUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl Period {
    /// `6 months`, `1 year`, `90 days`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Period> {
        let (n, unit) = s.trim().split_once(char::is_whitespace)?;
        let count = n.parse().ok()?;
        let unit = match unit.trim().trim_end_matches('s') {
            "day" => PeriodUnit::Days,
            "week" => PeriodUnit::Weeks,
            "month" => PeriodUnit::Months,
            "year" => PeriodUnit::Years,
            _ => return None,
        };
        Some(Period { count, unit })
    }

    /// The day this long before `day`.
    pub fn before(self, day: jiff::civil::Date) -> jiff::civil::Date {
        let n = i64::from(self.count);
        let span = match self.unit {
            PeriodUnit::Days => jiff::Span::new().days(n),
            PeriodUnit::Weeks => jiff::Span::new().weeks(n),
            PeriodUnit::Months => jiff::Span::new().months(n),
            PeriodUnit::Years => jiff::Span::new().years(n),
        };
        day.checked_sub(span).unwrap_or(jiff::civil::Date::MIN)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.unit {
            PeriodUnit::Days => "day",
            PeriodUnit::Weeks => "week",
            PeriodUnit::Months => "month",
            PeriodUnit::Years => "year",
        };
        let s = if self.count == 1 { "" } else { "s" };
        write!(f, "{} {unit}{s}", self.count)
    }
}

impl Config {
    pub fn rule(&self, id: &str) -> Option<&RuleConfig> {
        self.rules.get(id)
    }
}

/// The type of a rule option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// A whole number, 0 or more: a count, lines.
    Integer,
    /// A finite number, 0 or more: seconds.
    Number,
    /// A fraction from 0 to 1.
    Share,
    Bool,
    String,
}

/// One option a rule accepts in its configuration table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: OptionKind,
    /// The default, as it would be written in TOML.
    pub default: &'static str,
    pub doc: &'static str,
}

/// What the configuration parser needs to know of a rule to check its table.
#[derive(Debug, Clone, Copy)]
pub struct RuleSchema {
    pub id: &'static str,
    pub options: &'static [OptionSpec],
    /// Whether the rule takes an `allow = [...]` list of accepted packages.
    pub allow_list: bool,
}

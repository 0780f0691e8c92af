//! What a rule is, and the context it runs in.

use architect_model::{
    ConfigValue, Facts, Finding, Level, Location, OptionKind, OptionSpec, PackageRef, RuleConfig,
    RuleSchema, Section,
};

/// The documentation of a rule: what it checks, why it matters (with the evidence behind it),
/// and how to fix what it finds.
#[derive(Debug)]
pub struct Docs {
    pub what: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
    /// Titles and addresses of the sources behind `why`.
    pub references: &'static [(&'static str, &'static str)],
}

/// One rule: identity, level, docs, options and detection.
#[derive(Debug)]
pub struct Rule {
    /// Stable kebab-case id, `section/name`.
    pub id: &'static str,
    pub section: Section,
    pub default_level: Level,
    /// One line for `cargo architect rules`.
    pub summary: &'static str,
    pub docs: Docs,
    pub options: &'static [OptionSpec],
    /// Whether the rule takes `allow = [{ package, version, reason }]`.
    pub allow_list: bool,
    /// Detection: a pure function from facts to findings.
    pub check: fn(&Ctx<'_>) -> Vec<Finding>,
}

impl Rule {
    pub fn schema(&self) -> RuleSchema {
        RuleSchema {
            id: self.id,
            options: self.options,
            allow_list: self.allow_list,
        }
    }
}

/// What a rule sees: the facts and its own configuration.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub facts: &'a Facts,
    pub rule: &'a Rule,
    pub config: Option<&'a RuleConfig>,
    /// Computations the rules of one review share.
    pub shared: &'a crate::buildsim::Shared,
    /// Indices of the `allow` entries a rule applied itself ([`Ctx::allows`]), so the engine
    /// does not call them stale.
    allow_hits: std::cell::RefCell<std::collections::BTreeSet<usize>>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        facts: &'a Facts,
        rule: &'a Rule,
        config: Option<&'a RuleConfig>,
        shared: &'a crate::buildsim::Shared,
    ) -> Self {
        Ctx {
            facts,
            rule,
            config,
            shared,
            allow_hits: Default::default(),
        }
    }

    /// Whether the rule's `allow` list accepts `package` at `version`. Rules whose findings
    /// aggregate many packages ask this per package (the engine's own filter drops a finding
    /// by its first package only); an entry that matched counts as used.
    pub fn allows(&self, package: &str, version: &str) -> bool {
        let Some(rc) = self.config else { return false };
        let hit = rc
            .allow
            .iter()
            .position(|e| crate::accepts(e, package, version));
        if let Some(k) = hit {
            self.allow_hits.borrow_mut().insert(k);
        }
        hit.is_some()
    }

    /// The `allow` entries [`Ctx::allows`] matched.
    pub(crate) fn allow_hits(&self) -> std::collections::BTreeSet<usize> {
        self.allow_hits.borrow().clone()
    }
}

impl Ctx<'_> {
    /// The simulated clean build, computed once per review; `None` without units.
    pub fn sim(&self) -> Option<&crate::buildsim::Sim> {
        self.shared.sim(self.facts)
    }

    /// A numeric option: the configured value, or the rule's documented default.
    pub fn number(&self, name: &str) -> f64 {
        self.config
            .and_then(|c| c.options.get(name))
            .and_then(ConfigValue::as_f64)
            .or_else(|| self.default(name).and_then(|d| d.parse().ok()))
            .unwrap_or_else(|| panic!("rule {} has no numeric option {name}", self.rule.id))
    }

    fn default(&self, name: &str) -> Option<&'static str> {
        self.rule
            .options
            .iter()
            .find(|o| {
                o.name == name
                    && matches!(
                        o.kind,
                        OptionKind::Integer | OptionKind::Number | OptionKind::Share
                    )
            })
            .map(|o| o.default)
    }

    /// A finding of this rule at its default level.
    pub fn finding(&self, message: impl Into<String>, help: impl Into<String>) -> Finding {
        self.finding_of(self.rule, message, help)
    }

    /// A finding of `rule`, a sibling that shares this rule's analysis, at that rule's default
    /// level: a finding's level is always its rule's, so a configured level applies to every
    /// finding of that rule and never lowers one the rule's default would have put higher.
    pub fn finding_of(
        &self,
        rule: &Rule,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: rule.id,
            level: rule.default_level,
            section: rule.section,
            message: message.into(),
            packages: Vec::new(),
            locations: Vec::new(),
            path: Vec::new(),
            notes: Vec::new(),
            help: help.into(),
            advisory: None,
            impact: Default::default(),
        }
    }
}

impl Ctx<'_> {
    /// Of the findings of an analysis siblings share (built with [`Ctx::finding_of`]), the ones
    /// of this rule.
    pub fn own(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|f| f.rule == self.rule.id)
            .collect()
    }
}

/// Builder-style additions used by rules.
pub trait FindingExt {
    fn package(self, p: PackageRef) -> Self;
    fn at(self, l: Option<Location>) -> Self;
    fn via(self, path: Vec<PackageRef>) -> Self;
    fn note(self, n: impl Into<String>) -> Self;
    /// The measured consequence of what the finding reports, for ranking.
    fn costs(self, c: architect_model::Consequence) -> Self;
}

impl FindingExt for Finding {
    fn package(mut self, p: PackageRef) -> Self {
        self.packages.push(p);
        self
    }
    fn at(mut self, l: Option<Location>) -> Self {
        self.locations.extend(l);
        self
    }
    fn via(mut self, path: Vec<PackageRef>) -> Self {
        self.path = path;
        self
    }
    fn note(mut self, n: impl Into<String>) -> Self {
        self.notes.push(n.into());
        self
    }
    fn costs(mut self, c: architect_model::Consequence) -> Self {
        self.impact.consequence = Some(c);
        self
    }
}

/// `1 line`, `2 lines`: a count with its noun.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Names as a message lists them: the first `shown`, backquoted, then `and N more` (the
/// finding's packages keep them all).
pub(crate) fn name_list<S: AsRef<str>>(names: &[S], shown: usize) -> String {
    let list = names
        .iter()
        .take(shown)
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(shown) {
        0 => list,
        more => format!("{list} and {more} more"),
    }
}

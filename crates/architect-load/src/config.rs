//! Reading the review configuration: `architect.toml` at the workspace root, or
//! `[workspace.metadata.architect]` in the root `Cargo.toml`.
//!
//! Every key is checked against the rule registry: an unknown rule, option or level is an error
//! that names the file and line, because a misspelt waiver silently does nothing otherwise.

use architect_model::{
    AllowEntry, Config, ConfigValue, Ignore, Level, MsrvPolicy, OptionKind, Period, RuleConfig,
    RuleSchema,
};
use toml_edit::{Item, TableLike, Value};

use crate::LoadError;
use crate::tomlspan::TomlFile;

struct Ctx<'a> {
    toml: &'a TomlFile,
    rules: &'a [RuleSchema],
}

impl Ctx<'_> {
    fn err(&self, table: &dyn TableLike, key: &str, message: String) -> LoadError {
        let (line, column) = self.toml.error_at(table, key);
        LoadError::Config {
            path: self.toml.file.path.clone(),
            line,
            column,
            message,
        }
    }
}

/// Parse the configuration in `table` (the whole of `architect.toml`, or the metadata table).
pub(crate) fn parse(
    toml: &TomlFile,
    table: &dyn TableLike,
    rules: &[RuleSchema],
) -> Result<Config, LoadError> {
    let cx = Ctx { toml, rules };
    let mut config = Config {
        source: Some(toml.file.path.clone()),
        ..Config::default()
    };
    for (key, item) in table.iter() {
        match key {
            "rules" => {
                let t = item
                    .as_table_like()
                    .ok_or_else(|| cx.err(table, key, "`rules` must be a table".into()))?;
                for (id, rule_item) in t.iter() {
                    let schema = rules.iter().find(|r| r.id == id).ok_or_else(|| {
                        cx.err(t, id, format!("unknown rule `{id}`{}", suggest(rules, id)))
                    })?;
                    let rc = parse_rule(&cx, t, id, rule_item, schema)?;
                    config.rules.insert(id.to_string(), rc);
                }
            }
            "ignore" => config.ignores = parse_ignores(&cx, table, item)?,
            "msrv" => config.msrv_policy = parse_msrv(&cx, table, item)?,
            other => {
                return Err(cx.err(
                    table,
                    other,
                    format!("unknown key `{other}`: expected `rules`, `ignore` or `msrv`"),
                ));
            }
        }
    }
    Ok(config)
}

fn parse_level(cx: &Ctx<'_>, t: &dyn TableLike, key: &str, v: &Item) -> Result<Level, LoadError> {
    v.as_str().and_then(Level::parse).ok_or_else(|| {
        cx.err(
            t,
            key,
            format!(
                "invalid level {}: expected \"allow\", \"info\", \"warn\" or \"deny\"",
                v.to_string().trim()
            ),
        )
    })
}

fn parse_rule(
    cx: &Ctx<'_>,
    parent: &dyn TableLike,
    id: &str,
    item: &Item,
    schema: &RuleSchema,
) -> Result<RuleConfig, LoadError> {
    let mut rc = RuleConfig::default();
    if item.is_str() {
        rc.level = Some(parse_level(cx, parent, id, item)?);
        return Ok(rc);
    }
    let t = item.as_table_like().ok_or_else(|| {
        cx.err(
            parent,
            id,
            format!("`{id}` must be a level string or a table"),
        )
    })?;
    for (key, v) in t.iter() {
        if key == "level" {
            rc.level = Some(parse_level(cx, t, key, v)?);
        } else if key == "allow" && schema.allow_list {
            rc.allow = parse_allow(cx, t, v)?;
        } else if let Some(spec) = schema.options.iter().find(|o| o.name == key) {
            let number = |x: f64| match spec.kind {
                OptionKind::Share => (0.0..=1.0).contains(&x),
                _ => x.is_finite() && x >= 0.0,
            };
            let value = match (spec.kind, v.as_value()) {
                (OptionKind::Integer, Some(Value::Integer(i))) if *i.value() >= 0 => {
                    ConfigValue::Integer(*i.value())
                }
                (OptionKind::Number | OptionKind::Share, Some(Value::Integer(i)))
                    if number(*i.value() as f64) =>
                {
                    ConfigValue::Integer(*i.value())
                }
                (OptionKind::Number | OptionKind::Share, Some(Value::Float(f)))
                    if number(*f.value()) =>
                {
                    ConfigValue::Float(*f.value())
                }
                (OptionKind::Bool, Some(Value::Boolean(b))) => ConfigValue::Bool(*b.value()),
                (OptionKind::String, Some(Value::String(s))) => {
                    ConfigValue::String(s.value().clone())
                }
                (kind, _) => {
                    return Err(cx.err(
                        t,
                        key,
                        format!(
                            "`{key}` of `{id}` must be {}, not {}",
                            kind_name(kind),
                            v.to_string().trim()
                        ),
                    ));
                }
            };
            rc.options.insert(key.to_string(), value);
        } else {
            let mut known: Vec<&str> = vec!["level"];
            if schema.allow_list {
                known.push("allow");
            }
            known.extend(schema.options.iter().map(|o| o.name));
            return Err(cx.err(
                t,
                key,
                format!(
                    "unknown option `{key}` for `{id}`: it takes {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    Ok(rc)
}

fn kind_name(kind: OptionKind) -> &'static str {
    match kind {
        OptionKind::Integer => "a whole number, 0 or more",
        OptionKind::Number => "a number, 0 or more",
        OptionKind::Share => "a share from 0 to 1",
        OptionKind::Bool => "true or false",
        OptionKind::String => "a string",
    }
}

/// Each entry of an array of inline tables or of tables, with the table that holds it.
fn entries(item: &Item) -> Option<Vec<&dyn TableLike>> {
    if let Some(a) = item.as_array_of_tables() {
        return Some(a.iter().map(|t| t as &dyn TableLike).collect());
    }
    let arr = item.as_array()?;
    arr.iter()
        .map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
        .collect()
}

fn string_field(
    cx: &Ctx<'_>,
    t: &dyn TableLike,
    key: &str,
    required: bool,
) -> Result<Option<String>, LoadError> {
    match t.get(key) {
        Some(v) => v
            .as_str()
            .map(|s| Some(s.to_string()))
            .ok_or_else(|| cx.err(t, key, format!("`{key}` must be a string"))),
        None if required => Err(LoadError::Config {
            path: cx.toml.file.path.clone(),
            line: t.iter().next().map_or(1, |(k, _)| cx.toml.error_at(t, k).0),
            column: 1,
            message: format!("missing `{key}`: every waiver says why"),
        }),
        None => Ok(None),
    }
}

fn entry_location(cx: &Ctx<'_>, t: &dyn TableLike) -> Option<architect_model::Location> {
    let (first, _) = t.iter().next()?;
    cx.toml.key_location(t, first, "waiver written here")
}

fn check_keys(cx: &Ctx<'_>, t: &dyn TableLike, known: &[&str]) -> Result<(), LoadError> {
    for (key, _) in t.iter() {
        if !known.contains(&key) {
            return Err(cx.err(
                t,
                key,
                format!(
                    "unknown key `{key}`: expected {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// `[msrv] policy = { ... }` (or `[msrv.policy]`): the bounds of the MSRV policy.
fn parse_msrv(
    cx: &Ctx<'_>,
    parent: &dyn TableLike,
    item: &Item,
) -> Result<Option<MsrvPolicy>, LoadError> {
    let t = item
        .as_table_like()
        .ok_or_else(|| cx.err(parent, "msrv", "`msrv` must be a table".into()))?;
    check_keys(cx, t, &["policy"])?;
    let Some(policy) = t.get("policy") else {
        return Ok(None);
    };
    let p = policy
        .as_table_like()
        .ok_or_else(|| cx.err(t, "policy", "`policy` must be a table".into()))?;
    check_keys(
        cx,
        p,
        &["stable-minus", "stable-minus-releases", "min-age-days"],
    )?;
    let count = |key: &str| -> Result<Option<u32>, LoadError> {
        match p.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_integer()
                .and_then(|i| u32::try_from(i).ok())
                .map(Some)
                .ok_or_else(|| {
                    cx.err(p, key, format!("`{key}` must be a whole number, 0 or more"))
                }),
        }
    };
    let stable_minus = match string_field(cx, p, "stable-minus", false)? {
        None => None,
        Some(s) => Some(Period::parse(&s).ok_or_else(|| {
            cx.err(
                p,
                "stable-minus",
                format!("`stable-minus = \"{s}\"` is not a period: write it like \"6 months\", \"12 weeks\" or \"90 days\""),
            )
        })?),
    };
    let policy = MsrvPolicy {
        stable_minus,
        stable_minus_releases: count("stable-minus-releases")?,
        min_age_days: count("min-age-days")?,
        location: p
            .iter()
            .next()
            .and_then(|(k, _)| cx.toml.key_location(p, k, "MSRV policy declared here")),
    };
    if policy.stable_minus.is_none()
        && policy.stable_minus_releases.is_none()
        && policy.min_age_days.is_none()
    {
        return Err(cx.err(
            t,
            "policy",
            "an empty `policy`: give `stable-minus`, `stable-minus-releases` or `min-age-days`"
                .into(),
        ));
    }
    Ok(Some(policy))
}

fn parse_allow(
    cx: &Ctx<'_>,
    parent: &dyn TableLike,
    item: &Item,
) -> Result<Vec<AllowEntry>, LoadError> {
    let list = entries(item).ok_or_else(|| {
        cx.err(
            parent,
            "allow",
            "`allow` must be an array of tables like { package = \"ring\", reason = \"...\" }"
                .into(),
        )
    })?;
    list.into_iter()
        .map(|t| {
            check_keys(cx, t, &["package", "version", "reason"])?;
            Ok(AllowEntry {
                package: string_field(cx, t, "package", true)?.unwrap_or_default(),
                version: string_field(cx, t, "version", false)?,
                reason: string_field(cx, t, "reason", true)?.unwrap_or_default(),
                location: entry_location(cx, t),
            })
        })
        .collect()
}

fn parse_ignores(
    cx: &Ctx<'_>,
    parent: &dyn TableLike,
    item: &Item,
) -> Result<Vec<Ignore>, LoadError> {
    let list = entries(item).ok_or_else(|| {
        cx.err(
            parent,
            "ignore",
            "`ignore` must be an array of tables like { rule = \"...\", reason = \"...\" }".into(),
        )
    })?;
    list.into_iter()
        .map(|t| {
            check_keys(cx, t, &["rule", "package", "advisory", "until", "reason"])?;
            let advisory = string_field(cx, t, "advisory", false)?;
            let rule = string_field(cx, t, "rule", advisory.is_none())?;
            if let Some(rule) = &rule
                && !cx.rules.iter().any(|r| r.id == rule)
            {
                return Err(cx.err(
                    t,
                    "rule",
                    format!("unknown rule `{rule}`{}", suggest(cx.rules, rule)),
                ));
            }
            if let Some(id) = &advisory
                && !is_advisory_id(id)
            {
                return Err(cx.err(
                    t,
                    "advisory",
                    format!("`{id}` is not an advisory id like RUSTSEC-2024-0001"),
                ));
            }
            Ok(Ignore {
                rule,
                package: string_field(cx, t, "package", false)?,
                advisory,
                until: until(cx, t)?,
                reason: string_field(cx, t, "reason", true)?.unwrap_or_default(),
                location: entry_location(cx, t),
            })
        })
        .collect()
}

/// `PREFIX-YYYY-NNNN`, as RustSec and its aliases write ids.
fn is_advisory_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() == 3
        && !parts[0].is_empty()
        && parts[0].chars().all(|c| c.is_ascii_uppercase())
        && parts[1].len() == 4
        && parts[1].chars().all(|c| c.is_ascii_digit())
        && !parts[2].is_empty()
        && parts[2].chars().all(|c| c.is_ascii_digit())
}

/// `until = 2027-03-01` (a TOML date) or `until = "2027-03-01"`.
fn until(cx: &Ctx<'_>, t: &dyn TableLike) -> Result<Option<String>, LoadError> {
    let Some(v) = t.get("until") else {
        return Ok(None);
    };
    let text = match v.as_value() {
        Some(Value::Datetime(d)) => match (d.value().date, d.value().time) {
            (Some(date), None) => Some(date.to_string()),
            _ => None,
        },
        Some(Value::String(s)) => Some(s.value().clone()),
        _ => None,
    };
    match text {
        Some(d) if is_date(&d) => Ok(Some(d)),
        _ => Err(cx.err(t, "until", "`until` must be a date like 2027-03-01".into())),
    }
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// ", did you mean `x`?" for the closest rule id sharing its last segment or prefix.
/// Rules folded into another, with what to do: a configuration written for an earlier release
/// gets the way forward, not only "unknown".
const MERGED: &[(&str, &str)] = &[(
    "supply-chain/build-script-inputs",
    "it is part of `supply-chain/build-script` (the build-script inventory) now: move its `allow` entries there",
)];

fn suggest(rules: &[RuleSchema], id: &str) -> String {
    if let Some((_, how)) = MERGED.iter().find(|(old, _)| *old == id) {
        return format!(": {how}");
    }
    let tail = id.rsplit('/').next().unwrap_or(id);
    rules
        .iter()
        .find(|r| r.id.ends_with(&format!("/{tail}")) || r.id.starts_with(id))
        .map(|r| format!(", did you mean `{}`?", r.id))
        .unwrap_or_else(|| ": `cargo architect rules` lists them".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use architect_model::OptionSpec;

    const OPTS: &[OptionSpec] = &[
        OptionSpec {
            name: "max-share",
            kind: OptionKind::Share,
            default: "0.5",
            doc: "",
        },
        OptionSpec {
            name: "min-lines",
            kind: OptionKind::Integer,
            default: "20000",
            doc: "",
        },
    ];
    const RULES: &[RuleSchema] = &[
        RuleSchema {
            id: "build/monolith-crate",
            options: OPTS,
            allow_list: false,
        },
        RuleSchema {
            id: "supply-chain/build-script",
            options: &[],
            allow_list: true,
        },
    ];

    fn parse_str(text: &str) -> Result<Config, LoadError> {
        let toml = TomlFile::parse("architect.toml", text.to_string())?;
        parse(&toml, toml.doc.as_table(), RULES)
    }

    #[test]
    fn reads_the_msrv_policy_and_names_the_line_of_a_bad_one() {
        let c = parse_str(
            "[msrv.policy]\nstable-minus = \"6 months\"\nstable-minus-releases = 2\nmin-age-days = 14\n",
        )
        .unwrap();
        let p = c.msrv_policy.unwrap();
        assert_eq!(p.stable_minus.unwrap().to_string(), "6 months");
        assert_eq!(p.stable_minus_releases, Some(2));
        assert_eq!(p.min_age_days, Some(14));
        assert_eq!(p.location.unwrap().line, 2);
        let inline = parse_str("[msrv]\npolicy = { min-age-days = 14 }\n").unwrap();
        assert_eq!(inline.msrv_policy.unwrap().min_age_days, Some(14));
        let e = err_of("[msrv.policy]\nmin-age-days = 14\nstable-minus = \"half a year\"\n");
        assert!(
            e.contains("architect.toml:3") && e.contains("\"6 months\""),
            "{e}"
        );
        let e = err_of("[msrv.policy]\nstable-minus-release = 2\n");
        assert!(e.contains("unknown key `stable-minus-release`"), "{e}");
        let e = err_of("[msrv.policy]\nmin-age-days = -1\n");
        assert!(e.contains("whole number"), "{e}");
        let e = err_of("[msrv]\npolicy = {}\n");
        assert!(e.contains("empty `policy`"), "{e}");
    }

    #[test]
    fn reads_levels_options_allow_and_ignores() {
        let c = parse_str(
            r#"
[rules]
"build/monolith-crate" = { level = "deny", max-share = 0.7 }

[rules."supply-chain/build-script"]
allow = [{ package = "ring", reason = "vetted" }]

[[ignore]]
rule = "build/monolith-crate"
reason = "being split"
"#,
        )
        .unwrap();
        let m = c.rule("build/monolith-crate").unwrap();
        assert_eq!(m.level, Some(Level::Deny));
        assert_eq!(m.options["max-share"], ConfigValue::Float(0.7));
        let b = c.rule("supply-chain/build-script").unwrap();
        assert_eq!(b.allow[0].package, "ring");
        assert_eq!(b.allow[0].location.as_ref().unwrap().line, 6);
        assert_eq!(c.ignores[0].rule.as_deref(), Some("build/monolith-crate"));
    }

    fn err_of(text: &str) -> String {
        parse_str(text).unwrap_err().to_string()
    }

    #[test]
    fn advisory_ignores_with_expiry() {
        let c = parse_str(
            "[[ignore]]\nadvisory = \"RUSTSEC-2024-0375\"\nuntil = 2027-03-01\nreason = \"atty goes with clap 3\"\n",
        )
        .unwrap();
        assert_eq!(c.ignores[0].rule, None);
        assert_eq!(c.ignores[0].advisory.as_deref(), Some("RUSTSEC-2024-0375"));
        assert_eq!(c.ignores[0].until.as_deref(), Some("2027-03-01"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = err_of("[rules]\n\"build/monolith\" = \"deny\"\n");
        assert!(e.contains("architect.toml:2:1"), "{e}");
        assert!(e.contains("did you mean `build/monolith-crate`"), "{e}");
        // A rule merged into another names where its settings go.
        let e = err_of("[rules.\"supply-chain/build-script-inputs\"]\nlevel = \"warn\"\n");
        assert!(
            e.contains("part of `supply-chain/build-script`") && e.contains("move its `allow`"),
            "{e}"
        );
        let e = err_of("[rules]\n\"build/monolith-crate\" = \"fatal\"\n");
        assert!(e.contains(":2:") && e.contains("invalid level"), "{e}");
        let e = err_of("[rules.\"build/monolith-crate\"]\nmax-share = \"half\"\n");
        assert!(
            e.contains(":2:") && e.contains("must be a share from 0 to 1"),
            "{e}"
        );
        for bad in ["nan", "5.0", "-1.0", "inf"] {
            let e = err_of(&format!(
                "[rules.\"build/monolith-crate\"]\nmax-share = {bad}\n"
            ));
            assert!(
                e.contains(":2:") && e.contains("a share from 0 to 1"),
                "{bad}: {e}"
            );
        }
        let e = err_of("[rules.\"build/monolith-crate\"]\nmin-lines = -5\n");
        assert!(
            e.contains(":2:") && e.contains("a whole number, 0 or more"),
            "{e}"
        );
        let e = err_of("[rules.\"build/monolith-crate\"]\nmax = 1\n");
        assert!(e.contains("unknown option `max`"), "{e}");
        let e = err_of("[[ignore]]\nrule = \"build/monolith-crate\"\n");
        assert!(e.contains("missing `reason`"), "{e}");
        let e = err_of(
            "[[ignore]]\nadvisory = \"RUSTSEC-2024-0001\"\nuntil = 2027-13\nreason = \"x\"\n",
        );
        assert!(e.contains(":3:"), "{e}");
        let e = err_of("[[ignore]]\nadvisory = \"CVE-x\"\nreason = \"x\"\n");
        assert!(e.contains("not an advisory id"), "{e}");
        let e = err_of("colour = true\n");
        assert!(e.contains("unknown key `colour`"), "{e}");
        let e = err_of("[rules\n");
        assert!(e.contains("architect.toml:1:"), "{e}");
    }
}

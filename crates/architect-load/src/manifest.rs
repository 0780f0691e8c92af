//! Reading workspace manifests for the locations rules cite: which line declares a dependency,
//! sets the edition, the `rust-version`, the crate type or the resolver.

use std::collections::BTreeMap;

use architect_model::{
    DebugLevel, DepDecl, DepKind, Location, Lto, ManifestFacts, Profile, Resolver,
};
use toml_edit::{Item, TableLike};

use crate::tomlspan::TomlFile;

const DEP_TABLES: [(&str, DepKind); 5] = [
    ("dependencies", DepKind::Normal),
    ("dev-dependencies", DepKind::Dev),
    ("dev_dependencies", DepKind::Dev),
    ("build-dependencies", DepKind::Build),
    ("build_dependencies", DepKind::Build),
];

/// `unsafe_code = "forbid"` in a `[lints.rust]`-shaped table.
fn forbids_unsafe(lints: Option<&dyn TableLike>) -> bool {
    unsafe_level(lints) == Some("forbid")
}

/// `unsafe_code` at `deny`, `warn` or `forbid`: unsafe code is noticed when it is added.
fn unsafe_policy(lints: Option<&dyn TableLike>) -> bool {
    matches!(unsafe_level(lints), Some("forbid" | "deny" | "warn"))
}

/// The level of `unsafe_code` in a `[lints.rust]`-shaped table.
fn unsafe_level(lints: Option<&dyn TableLike>) -> Option<&str> {
    let level = lints
        .and_then(|l| l.get("rust"))
        .and_then(Item::as_table_like)
        .and_then(|r| r.get("unsafe_code"))?;
    level
        .as_str()
        .or_else(|| level.as_table_like()?.get("level")?.as_str())
}

/// The facts of one member manifest; `root` is the workspace's root manifest, for inherited
/// lints.
pub(crate) fn member_facts(toml: &TomlFile, root: Option<&TomlFile>) -> ManifestFacts {
    let doc = toml.doc.as_table();
    let package = doc.get("package").and_then(Item::as_table_like);
    let mut facts = ManifestFacts {
        path: toml.file.path.clone(),
        package: toml
            .table_location(&["package"], "package declared here")
            .or_else(|| Some(toml.location(0..0, Some("package declared here")))),
        edition: package.and_then(|p| toml.key_location(p, "edition", "edition set here")),
        rust_version: package
            .and_then(|p| toml.key_location(p, "rust-version", "rust-version set here")),
        crate_type: doc
            .get("lib")
            .and_then(Item::as_table_like)
            .and_then(|lib| toml.key_location(lib, "crate-type", "crate type set here")),
        deps: Vec::new(),
        forbids_unsafe: None,
        unsafe_policy: None,
    };
    let lints = doc.get("lints").and_then(Item::as_table_like);
    let inherits = lints
        .and_then(|l| l.get("workspace"))
        .and_then(Item::as_bool)
        .unwrap_or(false);
    if forbids_unsafe(lints) {
        facts.forbids_unsafe =
            lints.and_then(|l| toml.key_location(l, "rust", "unsafe code forbidden here"));
    } else if inherits && let Some(root) = root {
        let ws_lints = root
            .doc
            .get("workspace")
            .and_then(|w| w.get("lints"))
            .and_then(Item::as_table_like);
        if forbids_unsafe(ws_lints) {
            facts.forbids_unsafe =
                ws_lints.and_then(|l| root.key_location(l, "rust", "unsafe code forbidden here"));
        }
        if unsafe_policy(ws_lints) {
            facts.unsafe_policy =
                ws_lints.and_then(|l| root.key_location(l, "rust", "unsafe code lint set here"));
        }
    }
    if unsafe_policy(lints) {
        facts.unsafe_policy =
            lints.and_then(|l| toml.key_location(l, "rust", "unsafe code lint set here"));
    }
    collect_deps(toml, doc, &mut facts.deps);
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (_, item) in targets.iter() {
            if let Some(t) = item.as_table_like() {
                collect_deps(toml, t, &mut facts.deps);
            }
        }
    }
    facts
}

fn collect_deps(toml: &TomlFile, table: &dyn TableLike, out: &mut Vec<DepDecl>) {
    for (name, kind) in DEP_TABLES {
        let Some(deps) = table.get(name).and_then(Item::as_table_like) else {
            continue;
        };
        for (key, item) in deps.iter() {
            let package = item
                .as_table_like()
                .and_then(|t| t.get("package"))
                .and_then(Item::as_str)
                .unwrap_or(key)
                .to_string();
            if let Some(location) = toml.key_location(deps, key, "declared here") {
                out.push(DepDecl {
                    package,
                    kind,
                    location,
                });
            }
        }
    }
}

/// `[workspace]` header and `resolver` key of the root manifest.
pub(crate) fn workspace_facts(toml: &TomlFile) -> (Option<Location>, Option<(Resolver, Location)>) {
    let doc = toml.doc.as_table();
    let table = toml.table_location(&["workspace"], "workspace declared here");
    let resolver = ["workspace", "package"].iter().find_map(|section| {
        let t = doc.get(section).and_then(Item::as_table_like)?;
        let value: Resolver = t
            .get("resolver")?
            .as_str()?
            .parse()
            .unwrap_or_else(|never: std::convert::Infallible| match never {});
        Some((
            value,
            toml.key_location(t, "resolver", "resolver set here")?,
        ))
    });
    (table, resolver)
}

/// `debug` of `[profile.dev]` and `[profile.release]` (`true` and `2` are `full`, `1` is
/// `limited`, `false` and `0` are `none`), and a sentence for each value cargo would reject:
/// those are left out of the map, never guessed.
pub(crate) fn profile_debug(
    doc: &toml_edit::Document<String>,
) -> (BTreeMap<Profile, DebugLevel>, Vec<String>) {
    let mut out = BTreeMap::new();
    let mut rejected = Vec::new();
    for profile in [Profile::Dev, Profile::Release] {
        let Some(v) = profile_value(doc, profile, "debug") else {
            continue;
        };
        let level = match v {
            toml_edit::Value::Boolean(b) => Ok(DebugLevel::from_bool(*b.value())),
            toml_edit::Value::Integer(i) => DebugLevel::from_toml_int(*i.value()),
            toml_edit::Value::String(s) => s.value().parse(),
            other => Err(format!(
                "`debug` is a {}, not a level cargo accepts",
                other.type_name()
            )),
        };
        match level {
            Ok(l) => {
                out.insert(profile, l);
            }
            Err(why) => rejected.push(format!(
                "[profile.{profile}] {why}: build times use the model's own setting"
            )),
        }
    }
    (out, rejected)
}

/// `key` of `[profile.NAME]` in the root manifest, when it is a value.
fn profile_value<'d>(
    doc: &'d toml_edit::Document<String>,
    profile: Profile,
    key: &str,
) -> Option<&'d toml_edit::Value> {
    doc.get("profile")?
        .get(profile.to_string())?
        .get(key)?
        .as_value()
}

/// `lto` of `[profile.dev]` and `[profile.release]` when it is on: `true` or `"fat"`, `"thin"`.
pub(crate) fn profile_lto(doc: &toml_edit::Document<String>) -> BTreeMap<Profile, Lto> {
    let mut out = BTreeMap::new();
    for profile in [Profile::Dev, Profile::Release] {
        let Some(v) = profile_value(doc, profile, "lto") else {
            continue;
        };
        let lto = match v {
            toml_edit::Value::Boolean(b) if *b.value() => Some(Lto::Fat),
            toml_edit::Value::String(s) if s.value() == "fat" => Some(Lto::Fat),
            toml_edit::Value::String(s) if s.value() == "thin" => Some(Lto::Thin),
            _ => None,
        };
        if let Some(l) = lto {
            out.insert(profile, l);
        }
    }
    out
}

/// The settings of `[profile.dev]` and `[profile.release]` that change compile times and that
/// the cost model does not cover (it was fitted with cargo's defaults), as written: `lto`,
/// `codegen-units`, `opt-level`, `incremental`, and per-package or build-script overrides.
pub(crate) fn profile_unmodelled(
    doc: &toml_edit::Document<String>,
) -> BTreeMap<Profile, Vec<String>> {
    let mut out: BTreeMap<Profile, Vec<String>> = BTreeMap::new();
    for profile in [Profile::Dev, Profile::Release] {
        let Some(table) = doc.get("profile").and_then(|p| p.get(profile.to_string())) else {
            continue;
        };
        let default_opt = if profile == Profile::Dev { "0" } else { "3" };
        let mut found = Vec::new();
        for key in ["lto", "codegen-units", "opt-level", "incremental"] {
            let Some(v) = table.get(key).and_then(toml_edit::Item::as_value) else {
                continue;
            };
            let text = v.to_string();
            let text = text.trim();
            let default = match key {
                "lto" => matches!(text, "false" | "\"off\""),
                "opt-level" => text.trim_matches('"') == default_opt,
                "incremental" => {
                    text == if profile == Profile::Dev {
                        "true"
                    } else {
                        "false"
                    }
                }
                _ => false,
            };
            if !default {
                found.push(format!("`{key} = {text}`"));
            }
        }
        for key in ["package", "build-override"] {
            if table.get(key).is_some() {
                found.push(format!("`[profile.{profile}.{key}]` overrides"));
            }
        }
        if !found.is_empty() {
            out.insert(profile, found);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lto_settings_that_are_on() {
        let doc = |t: &str| toml_edit::Document::parse(t.to_string()).unwrap();
        let m = profile_lto(&doc(
            "[profile.release]\nlto = true\n[profile.dev]\nlto = \"thin\"\n",
        ));
        assert_eq!(m[&Profile::Release], Lto::Fat);
        assert_eq!(m[&Profile::Dev], Lto::Thin);
        assert_eq!(
            profile_lto(&doc("[profile.release]\nlto = \"fat\"\n"))[&Profile::Release],
            Lto::Fat
        );
        for off in ["false", "\"off\"", "\"maybe\""] {
            let t = format!("[profile.release]\nlto = {off}\n");
            assert!(profile_lto(&doc(&t)).is_empty(), "{off}");
        }
    }

    #[test]
    fn profile_settings_the_model_does_not_cover() {
        let doc = |t: &str| toml_edit::Document::parse(t.to_string()).unwrap();
        let m = profile_unmodelled(&doc(
            "[profile.release]\nlto = true\ncodegen-units = 1\nopt-level = 3\ndebug = 1\n\
             [profile.dev]\nopt-level = 0\nlto = \"off\"\n[profile.dev.package.\"*\"]\nopt-level = 3\n",
        ));
        assert_eq!(
            m[&Profile::Release],
            vec![
                "`lto = true`".to_string(),
                "`codegen-units = 1`".to_string()
            ]
        );
        assert_eq!(
            m[&Profile::Dev],
            vec!["`[profile.dev.package]` overrides".to_string()]
        );
        assert!(profile_unmodelled(&doc("[profile.release]\nlto = false\n")).is_empty());
    }

    fn debug_of(toml: &str) -> (BTreeMap<Profile, DebugLevel>, Vec<String>) {
        profile_debug(&toml_edit::Document::parse(toml.to_string()).unwrap())
    }

    #[test]
    fn profile_debug_in_cargo_names() {
        let (m, _) = debug_of("[profile.dev]\ndebug = 0\n[profile.release]\ndebug = true\n");
        assert_eq!(m[&Profile::Dev], DebugLevel::None);
        assert_eq!(m[&Profile::Release], DebugLevel::Full);
        let (m, _) =
            debug_of("[profile.dev]\ndebug = \"line-tables-only\"\n[profile.release]\ndebug = 1\n");
        assert_eq!(m[&Profile::Dev], DebugLevel::LineTablesOnly);
        assert_eq!(m[&Profile::Release], DebugLevel::Limited);
        // What cargo would reject is left out, not guessed, and said.
        let (m, rejected) =
            debug_of("[profile.dev]\ndebug = 7\n[profile.release]\ndebug = \"lots\"\n");
        assert!(m.is_empty(), "{m:?}");
        assert_eq!(rejected.len(), 2, "{rejected:?}");
        assert!(
            rejected[0].starts_with("[profile.dev] `debug = 7`"),
            "{rejected:?}"
        );
        assert!(debug_of("[package]\nname = \"x\"\n").0.is_empty());
    }

    #[test]
    fn the_resolver_key_parsed_once() {
        let toml = |text: &str| TomlFile::parse("Cargo.toml", text.to_string()).unwrap();
        let (_, r) = workspace_facts(&toml("[workspace]\nresolver = \"3\"\n"));
        assert_eq!(r.map(|(v, _)| v), Some(Resolver::V3));
        let (_, r) = workspace_facts(&toml("[package]\nname = \"x\"\nresolver = \"2\"\n"));
        assert_eq!(r.map(|(v, _)| v), Some(Resolver::V2));
        let (_, r) = workspace_facts(&toml("[workspace]\nresolver = \"9\"\n"));
        assert_eq!(r.map(|(v, _)| v), Some(Resolver::Other("9".into())));
    }
}

//! Which items of a library are its public API: those reachable from the crate root through
//! `pub` modules, and those a `pub use` (a glob included) re-exports from a module that is
//! itself reachable, transitively. "Declared `pub`" is not enough (a `pub` item of a private
//! module is not API), and "in a `pub mod`" misses what a private module re-exports.
//!
//! Computed per package from the scanner's facts: module paths are the file's module joined
//! with the inline modules around a fact. A `use` path resolves as in edition 2018: `crate::`,
//! `self::`, `super::`, or a first segment naming a module of the current module (or, as in
//! 2015 paths, of the crate root); any other first segment is an external crate.

use std::collections::BTreeSet;

use architect_model::{CodeScope, InlineParents, PackageSources, ReExport, ScannedFile};

/// The reachable items and modules of one library.
#[derive(Debug, Default)]
pub struct PublicApi {
    /// Modules whose `pub` items are API because a glob or a module re-export reaches them.
    modules: BTreeSet<String>,
    /// `(module, name)` of items a `pub use` re-exports.
    items: BTreeSet<(String, String)>,
}

impl PublicApi {
    /// The resolution for a package's library files (test code aside).
    pub fn of(pkg: &PackageSources) -> PublicApi {
        let files: Vec<&ScannedFile> = pkg
            .lib_files()
            .filter(|f| f.scope == CodeScope::Shipped)
            .collect();
        let known = known_modules(&files);
        let children = pub_children(&files);
        let uses: Vec<(String, bool, &ReExport)> = files
            .iter()
            .flat_map(|f| {
                f.facts.re_exports.iter().map(|r| {
                    let inline_pub = r.inline_parents.iter().all(|(_, p)| *p);
                    (module_of(f, &r.inline_parents), f.public && inline_pub, r)
                })
            })
            .collect();
        let mut api = PublicApi::default();
        // Each round adds at least one module or item; a re-export can add one of each, a
        // `pub mod` one module.
        for _ in 0..=2 * uses.len() + children.len() {
            let mut changed = false;
            for (parent, child) in &children {
                if api.modules.contains(parent) {
                    changed |= api.modules.insert(child.clone());
                }
            }
            for (module, reachable, r) in &uses {
                if !api.active(*reachable, module, r) {
                    continue;
                }
                let Some(target) = resolve(module, &r.path, &known) else {
                    continue;
                };
                if r.is_glob() {
                    changed |= api.modules.insert(target);
                    continue;
                }
                if known.contains(&target) {
                    changed |= api.modules.insert(target.clone());
                }
                let (parent, name) = match target.rsplit_once("::") {
                    Some((p, n)) => (p.to_string(), n.to_string()),
                    None => (String::new(), target),
                };
                changed |= api.items.insert((parent, name));
            }
            if !changed {
                break;
            }
        }
        api
    }

    /// Whether the item `name` of `module` is API; `declared_public`: reachable through `pub`
    /// modules where it is declared.
    pub fn reaches(&self, declared_public: bool, module: &str, name: &str) -> bool {
        declared_public
            || self.modules.contains(module)
            || self.items.contains(&(module.to_string(), name.to_string()))
    }

    /// Whether a `pub use` in `module` exports to the crate's users: its module is reachable,
    /// or what it exports is re-exported again from a reachable one.
    pub fn active(&self, reachable: bool, module: &str, r: &ReExport) -> bool {
        reachable || self.reaches(false, module, r.name.as_deref().unwrap_or("\0*"))
    }
}

/// The module path of a fact: the file's module and the inline modules around it.
pub fn module_of(file: &ScannedFile, inline: &InlineParents) -> String {
    std::iter::once(file.module.as_str())
        .chain(inline.iter().map(|(n, _)| n.as_str()))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("::")
}

/// The chains of inline modules around a file's re-exports, enums and API uses.
fn inline_chains<'a>(
    f: &'a ScannedFile,
) -> impl Iterator<Item = &'a architect_model::InlineParents> + 'a {
    let facts = &f.facts;
    facts
        .re_exports
        .iter()
        .map(|r| &r.inline_parents)
        .chain(facts.pub_enums.iter().map(|e| &e.inline_parents))
        .chain(facts.api_uses.iter().map(|u| &u.inline_parents))
}

/// Every module path the files show: theirs, their inline modules, their `mod` declarations.
fn known_modules(files: &[&ScannedFile]) -> BTreeSet<String> {
    let mut known = BTreeSet::new();
    for f in files {
        known.insert(f.module.clone());
        for chain in inline_chains(f) {
            known.insert(module_of(f, chain));
        }
        for m in &f.facts.mods {
            let parent = module_of(f, &m.inline_parents);
            known.insert(join(&parent, &m.name));
        }
    }
    known
}

/// `(parent, child)` for each `pub mod` (a file's or an inline one, not `#[doc(hidden)]`): a
/// glob or module re-export of the parent reaches the child too.
fn pub_children(files: &[&ScannedFile]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for f in files {
        for m in f.facts.mods.iter().filter(|m| m.is_pub && !m.doc_hidden) {
            let parent = module_of(f, &m.inline_parents);
            let child = join(&parent, &m.name);
            out.insert((parent, child));
        }
        for chain in inline_chains(f) {
            let mut parent = f.module.clone();
            for (name, is_pub) in chain {
                let child = join(&parent, name);
                if *is_pub {
                    out.insert((parent, child.clone()));
                }
                parent = child;
            }
        }
    }
    out
}

fn join(module: &str, name: &str) -> String {
    if module.is_empty() {
        name.to_string()
    } else {
        format!("{module}::{name}")
    }
}

/// The crate-local path a `use` path in `module` names, or `None` for another crate's.
fn resolve(module: &str, path: &[String], known: &BTreeSet<String>) -> Option<String> {
    let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    let first = path.first()?;
    let rest: &[String] = match first.as_str() {
        "" => return None,
        "crate" => {
            base.clear();
            &path[1..]
        }
        "self" => &path[1..],
        "super" => {
            let supers = path.iter().take_while(|s| *s == "super").count();
            for _ in 0..supers {
                base.pop()?;
            }
            &path[supers..]
        }
        name if known.contains(&join(module, name)) => path,
        name if known.contains(name) => {
            base.clear();
            path
        }
        _ => return None,
    };
    let mut out = base.join("::");
    for seg in rest {
        out = join(&out, seg);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(mods: &[&str]) -> BTreeSet<String> {
        mods.iter().map(|s| s.to_string()).collect()
    }

    fn path(p: &str) -> Vec<String> {
        p.split("::").map(str::to_string).collect()
    }

    #[test]
    fn use_paths_resolve_as_in_edition_2018() {
        let k = known(&["", "a", "a::b", "c"]);
        assert_eq!(
            resolve("", &path("a::Error"), &k).as_deref(),
            Some("a::Error")
        );
        assert_eq!(resolve("a", &path("b::E"), &k).as_deref(), Some("a::b::E"));
        assert_eq!(
            resolve("a::b", &path("super::E"), &k).as_deref(),
            Some("a::E")
        );
        assert_eq!(
            resolve("a::b", &path("crate::c::E"), &k).as_deref(),
            Some("c::E")
        );
        assert_eq!(resolve("a", &path("self::b"), &k).as_deref(), Some("a::b"));
        // Another crate's path, and one that climbs above the root.
        assert_eq!(resolve("a", &path("tokio::sync"), &k), None);
        assert_eq!(resolve("", &path("::a::E"), &k), None);
        assert_eq!(resolve("", &path("super::E"), &k), None);
    }
}

//! Where a review looks: the directories whose configuration cargo and rustup would apply, and
//! the boundary no read crosses.
//!
//! cargo reads `.cargo/config(.toml)` in the directory it runs in and in every parent, and rustup
//! takes the nearest `rust-toolchain(.toml)` walking up the same way. A workspace in a
//! subdirectory of a repository is therefore configured by files above it. The review walks up
//! as they do, to the repository root (the nearest directory holding `.git`), and no further:
//! what lies above the repository is the user's or the machine's, not the reviewed code's.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// The workspace root, as cargo reports it.
    pub root: PathBuf,
    /// The repository holding it: the nearest ancestor (or itself) with `.git`, else `root`.
    pub repo: PathBuf,
}

impl Scope {
    pub fn new(root: &Path) -> Scope {
        let repo = root
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(root)
            .to_path_buf();
        Scope {
            root: root.to_path_buf(),
            repo,
        }
    }

    /// `dir` and its parents up to the repository root, innermost first. A directory outside
    /// the repository gives just itself.
    pub fn up_from(&self, dir: &Path) -> Vec<PathBuf> {
        if !dir.starts_with(&self.repo) {
            return vec![dir.to_path_buf()];
        }
        dir.ancestors()
            .take_while(|d| d.starts_with(&self.repo))
            .map(Path::to_path_buf)
            .collect()
    }

    /// Every directory whose configuration applies somewhere in the workspace: the root's
    /// chain up to the repository, and each member directory's chain up to the root.
    pub fn config_dirs<'a>(&self, member_dirs: impl IntoIterator<Item = &'a Path>) -> ConfigDirs {
        let at_root = self.up_from(&self.root);
        let mut in_members = BTreeSet::new();
        for m in member_dirs {
            for d in m
                .ancestors()
                .take_while(|d| *d != self.root && d.starts_with(&self.root))
            {
                in_members.insert(d.to_path_buf());
            }
        }
        ConfigDirs {
            at_root,
            in_members: in_members.into_iter().collect(),
        }
    }

    /// How a path is shown: relative to the workspace root, with `../` for the directories
    /// above it inside the repository, absolute elsewhere.
    pub fn display(&self, path: &Path) -> String {
        if let Ok(rel) = path.strip_prefix(&self.root) {
            return slash_join(rel);
        }
        if path.starts_with(&self.repo)
            && let Some(up) = self.root.ancestors().position(|a| path.starts_with(a))
        {
            let base = self.root.ancestors().nth(up).unwrap_or(&self.repo);
            let rest = path.strip_prefix(base).map(slash_join).unwrap_or_default();
            return format!("{}{rest}", "../".repeat(up));
        }
        path.display().to_string()
    }

    /// The workspace-relative form of a directory inside the workspace, for `applies_in`.
    pub fn applies_in(&self, dir: &Path) -> Option<String> {
        (dir != self.root && dir.starts_with(&self.root)).then(|| self.display(dir))
    }
}

/// Directories to look in for configuration, innermost first within each group.
#[derive(Debug, Clone)]
pub(crate) struct ConfigDirs {
    /// The workspace root and its parents inside the repository.
    pub at_root: Vec<PathBuf>,
    /// Directories below the root on the way to a member, in path order.
    pub in_members: Vec<PathBuf>,
}

/// The components of a relative path joined with `/`.
pub(crate) fn slash_join(rel: &Path) -> String {
    rel.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` with symlinks, `.` and `..` resolved; a path that does not exist, lexically.
pub(crate) fn resolve(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| lexical(path))
}

/// Where the review may read for one package, resolved once: the workspace root for the
/// workspace's packages, the package's own directory for the others.
#[derive(Debug)]
pub(crate) struct Boundary {
    root: PathBuf,
    /// `workspace` or `package`, as messages name it.
    pub name: &'static str,
}

impl Boundary {
    pub fn new(dir: &Path, name: &'static str) -> Boundary {
        Boundary {
            root: resolve(dir),
            name,
        }
    }

    /// `path` resolved (symlinks, `.` and `..`), when it lies outside the boundary.
    pub fn outside(&self, path: &Path) -> Option<PathBuf> {
        let resolved = resolve(path);
        (!resolved.starts_with(&self.root)).then_some(resolved)
    }
}

/// `a/b/../c` as `a/c`, without touching the file system.
pub(crate) fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_up_to_the_repository_only() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        let ws = repo.join("sub/ws");
        std::fs::create_dir_all(ws.join("crates/a")).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let scope = Scope::new(&ws);
        assert_eq!(scope.repo, repo);
        let dirs = scope.config_dirs([ws.join("crates/a").as_path()]);
        assert_eq!(
            dirs.at_root,
            vec![ws.clone(), repo.join("sub"), repo.clone()]
        );
        assert_eq!(
            dirs.in_members,
            vec![ws.join("crates"), ws.join("crates/a")]
        );
        assert_eq!(
            scope.display(&repo.join(".cargo/config.toml")),
            "../../.cargo/config.toml"
        );
        assert_eq!(scope.display(&ws.join("crates/a/x.rs")), "crates/a/x.rs");
        assert_eq!(
            scope.display(Path::new("/etc/passwd")),
            "/etc/passwd",
            "outside the repository: absolute, never `//etc`"
        );
        assert_eq!(
            scope.applies_in(&ws.join("crates/a")).as_deref(),
            Some("crates/a")
        );
        assert_eq!(scope.applies_in(&ws), None);
    }

    #[test]
    fn without_git_the_workspace_is_the_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let scope = Scope::new(tmp.path());
        assert_eq!(scope.up_from(tmp.path()), vec![tmp.path().to_path_buf()]);
    }

    #[test]
    fn containment_resolves_dots_and_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/lib.rs"), "").unwrap();
        let boundary = Boundary::new(&root, "workspace");
        assert!(boundary.outside(&root.join("src/lib.rs")).is_none());
        assert!(
            boundary
                .outside(&root.join("src/../../secret.rs"))
                .is_some()
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", root.join("src/link.rs")).unwrap();
            assert!(boundary.outside(&root.join("src/link.rs")).is_some());
        }
    }
}

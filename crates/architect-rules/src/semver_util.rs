//! Version arithmetic shared by the dependency rules.

use architect_model::IndexVersion;
use guppy::{Version, VersionReq};

/// Whether `b` is semver-compatible with `a` as cargo's `^` requirement sees it: same major
/// for 1.x and up, same minor for 0.x, same patch for 0.0.x.
pub fn compatible(a: &Version, b: &Version) -> bool {
    match (a.major, a.minor) {
        (0, 0) => b.major == 0 && b.minor == 0 && b.patch == a.patch,
        (0, m) => b.major == 0 && b.minor == m,
        (major, _) => b.major == major,
    }
}

/// Published, non-yanked versions, parsed, in ascending order; pre-releases only when
/// `prerelease` is set.
pub fn releases(versions: &[IndexVersion], prerelease: bool) -> Vec<(Version, &IndexVersion)> {
    let mut out: Vec<(Version, &IndexVersion)> = versions
        .iter()
        .filter(|v| !v.yanked)
        .filter_map(|v| Version::parse(&v.version).ok().map(|p| (p, v)))
        .filter(|(p, _)| prerelease || p.pre.is_empty())
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Whether any of the requirements matches `v`.
pub fn matches_any(reqs: &[String], v: &Version) -> bool {
    reqs.iter()
        .filter_map(|r| VersionReq::parse(r).ok())
        .any(|r| r.matches(v))
}

/// `1.85` or `1.85.0` as a comparable version.
pub fn rust_version(s: &str) -> Option<Version> {
    let mut parts = s.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    let patch = parts.next().unwrap_or("0").parse().ok()?;
    Some(Version::new(major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn compatibility_follows_caret_rules() {
        assert!(compatible(&v("1.0.0"), &v("1.9.3")));
        assert!(!compatible(&v("1.0.0"), &v("2.0.0")));
        assert!(compatible(&v("0.3.1"), &v("0.3.9")));
        assert!(!compatible(&v("0.3.1"), &v("0.4.0")));
        assert!(!compatible(&v("0.0.3"), &v("0.0.4")));
    }

    #[test]
    fn rust_versions_parse_short_forms() {
        assert_eq!(rust_version("1.85"), Some(v("1.85.0")));
        assert!(rust_version("1.9").unwrap() < rust_version("1.10").unwrap());
        assert_eq!(rust_version("stable"), None);
    }
}

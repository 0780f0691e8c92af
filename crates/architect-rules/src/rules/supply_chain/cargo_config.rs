//! `supply-chain/cargo-config-programs`: what the repository's cargo configuration makes cargo
//! run: programs, flags that name a linker, the environment of rustc, and aliases.

use architect_model::{CargoConfigEntry, Finding, Level, Section};

use crate::rule::{Ctx, Docs, FindingExt, Rule, count};

pub static RULE: Rule = Rule {
    id: "supply-chain/cargo-config-programs",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "programs, aliases and environment the repository's cargo config imposes on every build",
    docs: Docs {
        what: "Reads every `.cargo/config(.toml)` cargo would read in the workspace: at the \
               root, in its parents up to the repository root, and in the directories down to \
               each member (`.cargo/config` wins over `.cargo/config.toml` in one directory, as \
               in cargo). Reports keys that name a program cargo runs (`build.rustc`, \
               `build.rustc-wrapper`, `build.rustc-workspace-wrapper`, `build.rustdoc`, \
               credential providers, `doc.browser`, `net.git-fetch-with-cli`), a \
               `target.*.linker` or `runner` and `rustflags` that name a file to run or a \
               library rustc loads (`-C linker=`, `-fuse-ld=`, `-B`, `codegen-backend`, \
               `--extern`), `[env]` variables that name a program or library (`CC`, \
               `RUSTC_WRAPPER`, `PROTOC`, `LD_PRELOAD`), and aliases that shadow another tool \
               people run on untrusted code (`cargo deny`, `cargo audit`, `cargo vet`, `cargo \
               fmt`...). Both `.cargo/config` and `.cargo/config.toml` in one directory is \
               reported too: the file a reader looks at is not the one cargo uses. An alias \
               named `architect` is `supply-chain/architect-alias`; programs found on `PATH`, \
               other aliases and other environment variables are \
               `supply-chain/cargo-config-settings`. cargo-architect itself never reads them \
               as cargo would, nor runs them.",
        why: "Anyone who runs `cargo build`, `cargo check` or even `cargo metadata` in the \
              repository runs these programs, and rust-analyzer does so on opening it. A \
              wrapper, a linker or an `[env] LD_PRELOAD` is code execution on every developer \
              machine and CI runner; even a benign wrapper (sccache) makes builds depend on a \
              tool the manifest does not declare. cargo resolves an alias before any external \
              subcommand, so `cargo architect` or `cargo deny` typed in a hostile checkout runs \
              whatever the alias says (cargo only warns when the real subcommand is installed).",
        fix: "Keep machine-specific wrappers and linkers in the user's own `~/.cargo/config.toml` \
              or in CI settings, not in the repository. Where the repository must set one, \
              document it and list it here in an ignore with the reason. Run review tools on \
              untrusted code by their own binary name, from outside the checkout \
              (`cargo-architect --manifest-path CHECKOUT/Cargo.toml`), never as `cargo NAME` \
              inside it.",
        references: &[
            (
                "Cargo book: configuration, hierarchical structure",
                "https://doc.rust-lang.org/cargo/reference/config.html#hierarchical-structure",
            ),
            (
                "cargo#10049: user-defined aliases shadowing external subcommands",
                "https://github.com/rust-lang/cargo/issues/10049",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

/// External subcommands people run on untrusted checkouts because they do not build the code.
const REVIEW_TOOLS: &[&str] = &[
    "deny",
    "audit",
    "vet",
    "fmt",
    "hakari",
    "machete",
    "about",
    "license",
    "cyclonedx",
    "sbom",
    "outdated",
    "upgrades",
];

/// Flags in `rustflags` that make rustc or the linker run or load something named there, with
/// whether what follows is always a file (`--extern name=path`).
const PROGRAM_FLAGS: &[(&str, bool)] = &[
    ("linker=", false),
    ("-fuse-ld=", false),
    ("link-arg=-B", true),
    ("link-args=-B", true),
    ("codegen-backend=", false),
    ("--extern", true),
    ("llvm-plugins=", true),
];

/// Whether a program value names a file (a path), rather than a program found on `PATH`.
fn is_path(program: &str) -> bool {
    program.contains('/') || program.contains('\\') || program.starts_with('.')
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    cx.own(findings(cx))
}

/// The findings of the repository's cargo configuration, each built for the rule that states
/// it: this one (`warn`), `supply-chain/architect-alias` (`deny`) and
/// `supply-chain/cargo-config-settings` (`info`). Each of them keeps its own.
pub(crate) fn findings(cx: &Ctx<'_>) -> Vec<Finding> {
    let config = &cx.facts.cargo_config;
    let mut out: Vec<Finding> = Vec::new();
    let mut plain_env: Vec<&CargoConfigEntry> = Vec::new();
    for e in &config.entries {
        let finding = match e.key.split_once('.') {
            // An alias that shadows no tool is the team's shorthand (`cargo xtask`): nothing
            // for a review.
            Some(("alias", name)) => match alias(cx, e, name) {
                Some(f) => f,
                None => continue,
            },
            Some(("env", var)) if program_var(var) => env(cx, e),
            Some(("env", _)) if checkout_path(e) => continue,
            Some(("env", _)) => {
                plain_env.push(e);
                continue;
            }
            _ if e.key.ends_with("rustflags") || e.key.ends_with("rustdocflags") => {
                match flags(cx, e) {
                    Some(f) => f,
                    None => continue,
                }
            }
            _ if e.key.ends_with(".linker") || e.key.ends_with(".runner") => {
                match program(cx, e) {
                    Some(f) => f,
                    None => continue,
                }
            }
            _ => cx.finding_of(
                &RULE,
                format!("`{}` sets `{}` = `{}`", e.location.path, e.key, e.value),
                "move it to the user's or CI's own cargo configuration, or document why the repository needs it",
            ),
        };
        out.push(scoped(finding, e));
    }
    out.extend(listed(
        cx,
        &plain_env,
        "env.",
        |n| {
            format!(
                "sets {} for rustc and build scripts",
                count(n, "environment variable", "environment variables")
            )
        },
        "nothing to do if builds need them; they are part of every build's inputs",
    ));
    for (location, ignored) in &config.shadowed {
        out.push(
            cx.finding_of(
                &RULE,
                format!(
                    "both `{}` and `{ignored}` exist: cargo reads `{}` and ignores `{ignored}`",
                    location.path, location.path
                ),
                "keep one file, `.cargo/config.toml`: what a reader sees should be what cargo uses",
            )
            .at(Some(location.clone())),
        );
    }
    out
}

/// A note when the file applies only below the workspace root.
fn scoped(f: Finding, e: &CargoConfigEntry) -> Finding {
    let f = f.at(Some(e.location.clone()));
    match &e.applies_in {
        Some(dir) => f.note(format!("cargo reads this file when it runs in `{dir}`")),
        None => f,
    }
}

fn alias(cx: &Ctx<'_>, e: &CargoConfigEntry, name: &str) -> Option<Finding> {
    if name == "architect" {
        return Some(
            cx.finding_of(
                &super::architect_alias::RULE,
                format!(
                    "`{}` defines the alias `architect` = `{}`: `cargo architect` typed in this checkout runs that instead of the review",
                    e.location.path, e.value
                ),
                "run the review as `cargo-architect --manifest-path CHECKOUT/Cargo.toml` from outside the checkout; remove the alias",
            ),
        );
    }
    REVIEW_TOOLS.contains(&name).then(|| {
        cx.finding_of(
                &RULE,
            format!(
                "`{}` defines the alias `{name}` = `{}`: it shadows `cargo {name}`, so a CI job or reviewer who runs `cargo {name}` in this checkout runs that instead",
                e.location.path, e.value
            ),
            format!("remove the alias; run `cargo-{name}` by its own name on untrusted checkouts"),
        )
    })
}

/// The entries of one kind that need no finding of their own, grouped by file.
fn by_file<'a>(entries: &[&'a CargoConfigEntry]) -> Vec<(&'a str, Vec<&'a CargoConfigEntry>)> {
    let mut out: Vec<(&str, Vec<&CargoConfigEntry>)> = Vec::new();
    for e in entries {
        match out.iter_mut().find(|(p, _)| *p == e.location.path) {
            Some((_, list)) => list.push(e),
            None => out.push((&e.location.path, vec![e])),
        }
    }
    out
}

/// One `supply-chain/cargo-config-settings` finding per file for `entries` (plain environment variables), each
/// entry in a note: `what` says what the file does with them.
fn listed(
    cx: &Ctx<'_>,
    entries: &[&CargoConfigEntry],
    prefix: &str,
    what: fn(usize) -> String,
    help: &str,
) -> Vec<Finding> {
    by_file(entries)
        .into_iter()
        .map(|(path, list)| {
            let names: Vec<String> = list
                .iter()
                .map(|e| format!("`{}`", &e.key[prefix.len()..]))
                .collect();
            let mut f = cx.finding_of(
                &super::cargo_config_settings::RULE,
                format!("`{path}` {}: {}", what(list.len()), names.join(", ")),
                help,
            );
            for e in &list {
                f = f.note(format!("{} = `{}`", e.key, e.value));
            }
            scoped(f, list[0])
        })
        .collect()
}

/// Variables of `[env]` that name a program or a library that rustc, a build script or a tool
/// it starts will run or load (`CC` is run by the `cc` crate, `PROTOC` by prost-build,
/// `RUSTC_WRAPPER` by autocfg), matched whole or as a prefix before `_`.
const PROGRAM_VARS: &[&str] = &[
    "LD",
    "DYLD",
    "PATH",
    "RUSTC",
    "RUSTDOC",
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CC",
    "CXX",
    "AR",
    "CMAKE",
    "PKG_CONFIG",
    "PROTOC",
    "LIBCLANG_PATH",
    "CLANG_PATH",
    "PYTHON",
    "PERL",
    "NASM",
    "GIT",
];

fn program_var(var: &str) -> bool {
    PROGRAM_VARS.iter().any(|p| {
        var.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
    })
}

/// A variable that names a program or a library (see [`PROGRAM_VARS`]).
fn env(cx: &Ctx<'_>, e: &CargoConfigEntry) -> Finding {
    cx.finding_of(
                &RULE,
        format!(
            "`{}` sets `{}` = `{}`: a program or library that rustc or a build script runs",
            e.location.path, e.key, e.value
        ),
        "move it to the user's or CI's own cargo configuration, or document why the repository needs it",
    )
}

/// A linker or runner: a path runs a file (`warn`); a bare name, a program every machine that
/// builds the target must have (`supply-chain/cargo-config-settings`), unless the toolchain
/// itself ships it ([`TOOLCHAIN_PROGRAMS`]).
fn program(cx: &Ctx<'_>, e: &CargoConfigEntry) -> Option<Finding> {
    let first = e.value.split_whitespace().next().unwrap_or("");
    if TOOLCHAIN_PROGRAMS.contains(&first) {
        return None;
    }
    Some(if is_path(first) {
        cx.finding_of(
                &RULE,
            format!(
                "`{}` sets `{}` = `{}`: cargo runs that file",
                e.location.path, e.key, e.value
            ),
            "move it to the user's or CI's own cargo configuration, or document why the repository needs it",
        )
    } else {
        cx.finding_of(
            &super::cargo_config_settings::RULE,
            format!(
                "`{}` sets `{}` = `{}`: every machine that builds for it needs `{first}`",
                e.location.path, e.key, e.value
            ),
            "nothing to do if the team relies on it; document it with the build requirements",
        )
    })
}

/// Programs every rustup toolchain ships in its sysroot, where rustc finds them: naming one
/// asks nothing of the machine.
const TOOLCHAIN_PROGRAMS: &[&str] = &["rust-lld"];

/// An `[env]` entry with `relative = true`: a path inside the checkout, made absolute by cargo
/// (`CARGO_WORKSPACE_DIR = { value = "", relative = true }`), which tests and tools use to find
/// files. It names no program and changes no compilation.
fn checkout_path(e: &CargoConfigEntry) -> bool {
    e.value.trim_start().starts_with('{')
        && e.value.split(',').any(|part| {
            let part = part.trim_matches(|c: char| c.is_whitespace() || c == '{' || c == '}');
            part.split_once('=')
                .is_some_and(|(k, v)| k.trim() == "relative" && v.trim() == "true")
        })
}

/// The program flags of a `rustflags` value (`linker=rust-lld`), and whether one names a file.
fn program_flags(value: &str) -> (Vec<String>, bool) {
    let mut named = Vec::new();
    let mut file = false;
    for word in value.split_whitespace() {
        for (flag, always_file) in PROGRAM_FLAGS {
            for (at, _) in word.match_indices(flag) {
                let rest = &word[at + flag.len()..];
                let program: String = rest.chars().take_while(|c| *c != ',').collect();
                if !always_file && TOOLCHAIN_PROGRAMS.contains(&program.as_str()) {
                    continue;
                }
                file |= *always_file || is_path(&program);
                named.push(if *always_file {
                    flag.to_string()
                } else {
                    format!("{flag}{program}")
                });
            }
        }
    }
    (named, file)
}

/// `rustflags` are reported only when they name a program or a library to load: `warn` when
/// that is a file, `supply-chain/cargo-config-settings` when a program found on `PATH`
/// (`-fuse-ld=lld`).
fn flags(cx: &Ctx<'_>, e: &CargoConfigEntry) -> Option<Finding> {
    let (named, file) = program_flags(&e.value);
    if named.is_empty() {
        return None;
    }
    let rule = if file {
        &RULE
    } else {
        &super::cargo_config_settings::RULE
    };
    let f = cx.finding_of(
        rule,
        format!(
            "`{}` sets `{}` = `{}`: it names {} ({})",
            e.location.path,
            e.key,
            e.value,
            if file {
                "a file the build runs or rustc loads"
            } else {
                "a program every machine that builds it needs"
            },
            named.join(", ")
        ),
        "move linker and backend choices to the user's or CI's own cargo configuration",
    );
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn program_flags_and_variables() {
        assert_eq!(
            program_flags("-C linker=clang -C target-cpu=native"),
            (vec!["linker=clang".to_string()], false)
        );
        // rust-lld ships with every toolchain: it asks nothing of the machine.
        assert!(program_flags("-C linker=rust-lld").0.is_empty());
        assert_eq!(
            program_flags("-C link-args=-fuse-ld=lld -Wl,--icf=safe"),
            (vec!["-fuse-ld=lld".to_string()], false)
        );
        assert!(program_flags("-Clinker=tools/evil-ld").1);
        assert!(program_flags("-C link-arg=-B/opt/x").1);
        assert!(program_flags("--extern evil=libevil.so").1);
        assert!(
            program_flags("-D clippy::all --cfg tokio_unstable")
                .0
                .is_empty()
        );
        for var in [
            "CC",
            "CC_x86_64_unknown_linux_gnu",
            "LD_PRELOAD",
            "RUSTC_WRAPPER",
            "PROTOC",
        ] {
            assert!(program_var(var), "{var}");
        }
        for var in ["CARGO_WORKSPACE_DIR", "APP_MODE", "CCACHE_DIR", "ARCH"] {
            assert!(!program_var(var), "{var}");
        }
        let entry = |value: &str| CargoConfigEntry {
            key: "env.CARGO_WORKSPACE_DIR".into(),
            value: value.into(),
            location: architect_model::Location {
                path: ".cargo/config.toml".into(),
                line: 2,
                column: 1,
                span: architect_model::Span::new(0, 0),
                label: None,
            },
            applies_in: None,
        };
        assert!(checkout_path(&entry("{ value = \"\", relative = true }")));
        assert!(!checkout_path(&entry(
            "{ value = \"x\", relative = false }"
        )));
        assert!(!checkout_path(&entry("relative = true")));
    }

    #[test]
    fn a_wrapper_warns() {
        let f = run(&RULE, kitchen_sink());
        // kitchen-sink's `[env] APP_MODE` is `supply-chain/cargo-config-settings`.
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("rustc-wrapper"), "{}", f[0].message);
        assert_eq!(f[0].locations[0].path, ".cargo/config.toml");
        assert_eq!(f[0].locations[0].line, 2);
        assert!(run(&RULE, clean()).is_empty());
    }
}

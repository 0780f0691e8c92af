//! `supply-chain/cargo-config-programs`: programs that the repository's `.cargo/config.toml`
//! makes cargo run.

use architect_model::{Finding, Level, Section};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/cargo-config-programs",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "programs and environment the repository's .cargo/config.toml imposes on every build",
    docs: Docs {
        what: "Reports keys of the repository's `.cargo/config.toml` that name a program cargo \
               runs (`build.rustc`, `build.rustc-wrapper`, `build.rustc-workspace-wrapper`, \
               `target.*.linker`, `target.*.runner`, credential providers, \
               `net.git-fetch-with-cli`) or set the environment of every rustc (`[env]`). \
               cargo-architect itself never reads or runs them.",
        why: "Anyone who runs `cargo build`, `cargo check` or even `cargo metadata` in the \
              repository runs these programs, and rust-analyzer does so on opening it. A \
              wrapper or an `[env] LD_PRELOAD` is code execution on every developer machine and \
              CI runner; even a benign wrapper (sccache) makes builds depend on a tool the \
              manifest does not declare.",
        fix: "Keep machine-specific wrappers and linkers in the user's own `~/.cargo/config.toml` \
              or in CI settings, not in the repository. Where the repository must set one, \
              document it and list it here in an ignore with the reason.",
        references: &[(
            "Cargo book: configuration",
            "https://doc.rust-lang.org/cargo/reference/config.html",
        )],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    cx.facts
        .cargo_config
        .iter()
        .map(|e| {
            let risky_env = e.key.starts_with("env.")
                && ["LD_", "DYLD_", "PATH", "RUSTC", "CARGO"]
                    .iter()
                    .any(|p| e.key[4..].starts_with(p));
            let f = cx.finding(
                format!("`.cargo/config.toml` sets `{}` = `{}`", e.key, e.value),
                "move it to the user's or CI's own cargo configuration, or document why the repository needs it",
            );
            let f = if e.key.starts_with("env.") && !risky_env {
                f.level(Level::Info)
            } else {
                f
            };
            f.at(Some(e.location.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn wrappers_warn_and_plain_env_informs() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 2);
        let wrapper = f
            .iter()
            .find(|f| f.message.contains("rustc-wrapper"))
            .unwrap();
        assert_eq!(wrapper.level, Level::Warn);
        assert_eq!(wrapper.locations[0].path, ".cargo/config.toml");
        assert_eq!(wrapper.locations[0].line, 2);
        let env = f
            .iter()
            .find(|f| f.message.contains("env.APP_MODE"))
            .unwrap();
        assert_eq!(env.level, Level::Info);
        assert!(run(&RULE, clean()).is_empty());
    }
}

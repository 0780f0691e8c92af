//! The `debug` setting of a cargo profile, as a value the cost model can compare.

use std::fmt;
use std::str::FromStr;

/// `debug` of a `[profile.*]` table, in cargo's names. `true` and `2` are `Full`, `1` is
/// `Limited`, `false` and `0` are `None` (see [`DebugLevel::from_toml_int`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DebugLevel {
    None,
    LineDirectivesOnly,
    LineTablesOnly,
    Limited,
    Full,
}

impl DebugLevel {
    /// `debug = true` / `false`.
    pub fn from_bool(b: bool) -> DebugLevel {
        if b {
            DebugLevel::Full
        } else {
            DebugLevel::None
        }
    }

    /// `debug = 0`, `1` or `2`; cargo rejects any other number.
    pub fn from_toml_int(i: i64) -> Result<DebugLevel, String> {
        match i {
            0 => Ok(DebugLevel::None),
            1 => Ok(DebugLevel::Limited),
            2 => Ok(DebugLevel::Full),
            _ => Err(format!(
                "`debug = {i}` is not a level cargo accepts (0, 1 or 2)"
            )),
        }
    }

    /// The name cargo gives the level.
    pub fn as_str(self) -> &'static str {
        match self {
            DebugLevel::None => "none",
            DebugLevel::LineDirectivesOnly => "line-directives-only",
            DebugLevel::LineTablesOnly => "line-tables-only",
            DebugLevel::Limited => "limited",
            DebugLevel::Full => "full",
        }
    }
}

/// `debug = "limited"`: cargo's names; anything else is an error that says what cargo takes.
impl FromStr for DebugLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<DebugLevel, String> {
        [
            DebugLevel::None,
            DebugLevel::LineDirectivesOnly,
            DebugLevel::LineTablesOnly,
            DebugLevel::Limited,
            DebugLevel::Full,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
        .ok_or_else(|| {
            format!(
                "`debug = \"{s}\"` is not a level cargo accepts (none, line-directives-only, line-tables-only, limited, full)"
            )
        })
    }
}

impl fmt::Display for DebugLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_names_round_trip_and_others_are_errors() {
        for s in [
            "none",
            "line-directives-only",
            "line-tables-only",
            "limited",
            "full",
        ] {
            assert_eq!(s.parse::<DebugLevel>().unwrap().to_string(), s);
        }
        assert!("lots".parse::<DebugLevel>().is_err());
        assert!("Full".parse::<DebugLevel>().is_err());
        assert_eq!(DebugLevel::from_toml_int(1), Ok(DebugLevel::Limited));
        assert!(DebugLevel::from_toml_int(7).is_err());
        assert_eq!(DebugLevel::from_bool(true), DebugLevel::Full);
    }
}

/// Link-time optimisation of a `[profile.*]` table: `lto = true` or `"fat"`, or `"thin"`
/// (`false` and `"off"` are cargo's default, not recorded). The binary's link step then
/// compiles the code of every crate it reaches again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lto {
    Fat,
    Thin,
}

impl fmt::Display for Lto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lto::Fat => "fat",
            Lto::Thin => "thin",
        })
    }
}

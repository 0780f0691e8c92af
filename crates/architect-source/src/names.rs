//! Whether a file names some functions, and whether it re-exports a crate: the evidence the
//! advisory rules need to tell an affected function that is called from one nothing names.

use crate::tokens::{TokKind, lex};

/// What [`name_uses`] found in one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameUses {
    /// The first identifier token equal to one of the names: its index in the names and its
    /// byte offset.
    pub first: Option<(usize, usize)>,
    /// The file re-exports the crate with `pub use krate...` or `pub extern crate krate`, so
    /// code outside it can call the crate's items under another path.
    pub reexports: bool,
}

/// Where `src` names any of `names` as an identifier (never inside a string or comment; `r#`
/// is stripped), and whether it re-exports crate `krate` (its name as code spells it, `-` as
/// `_`). One pass over the tokens.
pub fn name_uses(src: &str, names: &[&str], krate: &str) -> NameUses {
    let (toks, _, _) = lex(src);
    let ident = |i: usize| -> Option<&str> {
        let t = toks.get(i)?;
        (t.kind == TokKind::Ident).then(|| t.text(src).trim_start_matches("r#"))
    };
    let mut out = NameUses::default();
    let mut i = 0;
    while i < toks.len() {
        let Some(word) = ident(i) else {
            i += 1;
            continue;
        };
        if out.first.is_none()
            && let Some(n) = names.iter().position(|n| *n == word)
        {
            out.first = Some((n, toks[i].start as usize));
        }
        if word == "pub" {
            // A restricted `pub(crate)`, `pub(in path)` re-exports nothing to other crates:
            // its tokens up to the `)` are skipped (read once, here).
            let mut j = i + 1;
            let restricted = toks.get(j).is_some_and(|t| t.is_punct(b'('));
            if restricted {
                while j < toks.len() && !toks[j].is_punct(b')') {
                    j += 1;
                }
                j += 1;
            }
            let target = match ident(j) {
                Some("use") => {
                    let k = j + 1;
                    let k = if toks.get(k).is_some_and(|t| t.is_punct(b':'))
                        && toks.get(k + 1).is_some_and(|t| t.is_punct(b':'))
                    {
                        k + 2
                    } else {
                        k
                    };
                    ident(k)
                }
                Some("extern") if ident(j + 1) == Some("crate") => ident(j + 2),
                _ => None,
            };
            if !restricted && target == Some(krate) {
                out.reexports = true;
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

//! Significant tokens (no whitespace, no comments) with their byte ranges, and the count of
//! lines that hold code.

use ra_ap_rustc_lexer::{FrontmatterAllowed, LiteralKind, TokenKind, strip_shebang, tokenize};

/// The kinds of token the scanner distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    Ident,
    Lifetime,
    /// A string literal (plain, raw, byte or C).
    Str,
    /// Any other literal: numbers, chars, bytes.
    Lit,
    /// A single punctuation character, including brackets.
    Punct(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub kind: TokKind,
    pub start: u32,
    pub end: u32,
}

impl Tok {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start as usize..self.end as usize]
    }

    pub fn is_punct(&self, c: u8) -> bool {
        self.kind == TokKind::Punct(c)
    }
}

/// Lex `src`: its significant tokens, the number of lines holding code, and the offset of the
/// first unterminated comment or literal, if any.
pub fn lex(src: &str) -> (Vec<Tok>, usize, Option<usize>) {
    let skip = strip_shebang(src).unwrap_or(0);
    let mut toks = Vec::with_capacity(src.len() / 5);
    let mut offset = skip;
    let mut line = 0usize;
    let mut last_code_line = usize::MAX;
    let mut code_lines = 0usize;
    let mut error = None;
    for t in tokenize(&src[skip..], FrontmatterAllowed::No) {
        let start = offset;
        let end = start + t.len as usize;
        offset = end;
        let kind = match t.kind {
            TokenKind::Whitespace => {
                line += memchr::memchr_iter(b'\n', &src.as_bytes()[start..end]).count();
                continue;
            }
            TokenKind::LineComment { .. } => continue,
            TokenKind::BlockComment { terminated, .. } => {
                if !terminated && error.is_none() {
                    error = Some(start);
                }
                line += memchr::memchr_iter(b'\n', &src.as_bytes()[start..end]).count();
                continue;
            }
            TokenKind::Ident | TokenKind::RawIdent | TokenKind::ForcedKeywordIdent => {
                TokKind::Ident
            }
            TokenKind::Lifetime { .. }
            | TokenKind::RawLifetime
            | TokenKind::UnknownPrefixLifetime => TokKind::Lifetime,
            TokenKind::Literal { kind, .. } => {
                let terminated = match kind {
                    LiteralKind::Str { terminated }
                    | LiteralKind::ByteStr { terminated }
                    | LiteralKind::CStr { terminated }
                    | LiteralKind::Char { terminated }
                    | LiteralKind::Byte { terminated } => terminated,
                    LiteralKind::RawStr { n_hashes }
                    | LiteralKind::RawByteStr { n_hashes }
                    | LiteralKind::RawCStr { n_hashes } => n_hashes.is_some(),
                    _ => true,
                };
                if !terminated && error.is_none() {
                    error = Some(start);
                }
                match kind {
                    LiteralKind::Str { .. }
                    | LiteralKind::ByteStr { .. }
                    | LiteralKind::CStr { .. }
                    | LiteralKind::RawStr { .. }
                    | LiteralKind::RawByteStr { .. }
                    | LiteralKind::RawCStr { .. } => TokKind::Str,
                    _ => TokKind::Lit,
                }
            }
            TokenKind::Eof => break,
            _ => TokKind::Punct(src.as_bytes()[start]),
        };
        if line != last_code_line {
            code_lines += 1;
            last_code_line = line;
        }
        if kind == TokKind::Str {
            // A multi-line string holds code on each of its lines.
            let inner = memchr::memchr_iter(b'\n', &src.as_bytes()[start..end]).count();
            code_lines += inner;
            line += inner;
            last_code_line = line;
        }
        toks.push(Tok {
            kind,
            start: start as u32,
            end: end as u32,
        });
    }
    (toks, code_lines, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_strings_are_not_code() {
        let src = "// mod fake;\n/* unsafe { } */\nfn a() {\n    let s = \"unsafe {\";\n}\n\n";
        let (toks, lines, err) = lex(src);
        assert_eq!(err, None);
        assert_eq!(lines, 3);
        let idents: Vec<&str> = toks
            .iter()
            .filter(|t| t.kind == TokKind::Ident)
            .map(|t| t.text(src))
            .collect();
        assert_eq!(idents, ["fn", "a", "let", "s"]);
    }

    #[test]
    fn unterminated_comment_is_reported() {
        let (_, _, err) = lex("fn a() {}\n/* never closed");
        assert_eq!(err, Some(10));
    }

    #[test]
    fn lifetimes_are_not_chars() {
        let src = "fn f<'a>(x: &'a str) -> char { 'x' }";
        let (toks, _, err) = lex(src);
        assert_eq!(err, None);
        assert_eq!(
            toks.iter().filter(|t| t.kind == TokKind::Lifetime).count(),
            2
        );
        assert_eq!(toks.iter().filter(|t| t.kind == TokKind::Lit).count(), 1);
    }
}

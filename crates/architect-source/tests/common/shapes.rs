//! Adversarial inputs for the scans, generated in code: each shape once made some scan
//! quadratic in the file size (or overflowed the stack). Shared by `tests/linear.rs` and
//! `benches/scan.rs` (`#[path]`), so the test and the benchmark measure the same texts.

// Each includer uses a part: the test the list, the benchmark the names.
#![allow(dead_code)]

use std::fmt::Write;

/// A generator: a text of about `bytes` bytes (never less than one repetition).
pub type Shape = fn(usize) -> String;

/// Every shape by name, in the order the benchmark and the test report them.
pub const SHAPES: &[(&str, Shape)] = &[
    ("nested_spawns", nested_spawns),
    ("many_uses", many_uses),
    ("nested_mods", nested_mods),
    ("use_list", use_list),
    ("nested_use_groups", nested_use_groups),
    ("struct_fields", struct_fields),
    ("trait_items", trait_items),
    ("signature_run", signature_run),
    ("struct_run", struct_run),
    ("nested_attrs", nested_attrs),
    ("many_attrs", many_attrs),
    ("unbalanced", unbalanced),
    ("let_chain", let_chain),
    ("nested_writes", nested_writes),
    ("macro_bodies", macro_bodies),
    ("crate_groups", crate_groups),
    ("nested_includes", nested_includes),
    ("long_name_fields", long_name_fields),
    ("blocking_clusters", blocking_clusters),
    ("open_lets", open_lets),
];

/// The names of [`SHAPES`], for the benchmark's `args`.
pub const NAMES: &[&str] = &[
    "nested_spawns",
    "many_uses",
    "nested_mods",
    "use_list",
    "nested_use_groups",
    "struct_fields",
    "trait_items",
    "signature_run",
    "struct_run",
    "nested_attrs",
    "many_attrs",
    "unbalanced",
    "let_chain",
    "nested_writes",
    "macro_bodies",
    "crate_groups",
    "nested_includes",
    "long_name_fields",
    "blocking_clusters",
    "open_lets",
];

pub fn by_name(name: &str) -> Shape {
    SHAPES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, g)| *g)
        .expect("a known shape")
}

/// `open` repeated, a middle, then `close` repeated, as many levels as fit in `bytes`.
fn nest(bytes: usize, head: &str, open: &str, middle: &str, close: &str, tail: &str) -> String {
    let levels = (bytes / (open.len() + close.len())).max(1);
    let mut s = String::with_capacity(levels * (open.len() + close.len()) + 64);
    s.push_str(head);
    for _ in 0..levels {
        s.push_str(open);
    }
    s.push_str(middle);
    for _ in 0..levels {
        s.push_str(close);
    }
    s.push_str(tail);
    s
}

/// `line(i)` for i = 0, 1, ... until `bytes` are written, between `head` and `tail`.
fn repeat(
    bytes: usize,
    head: &str,
    tail: &str,
    mut line: impl FnMut(&mut String, usize),
) -> String {
    let mut s = String::with_capacity(bytes + 64);
    s.push_str(head);
    let mut i = 0;
    while s.len() < bytes || i == 0 {
        line(&mut s, i);
        i += 1;
    }
    s.push_str(tail);
    s
}

/// `fn f() { tokio::spawn(tokio::spawn(... x ...)) }`: the security sweep's first file.
pub fn nested_spawns(bytes: usize) -> String {
    nest(bytes, "fn f() { ", "tokio::spawn(", "x", ")", " }\n")
}

/// `use a::b as X0;` ... and `pub fn f0() -> X0 {}` ...: the sweep's second file.
pub fn many_uses(bytes: usize) -> String {
    let half = bytes / 2;
    let mut s = repeat(half, "", "", |s, i| {
        let _ = writeln!(s, "use a::b as X{i};");
    });
    let uses = s.len();
    let mut i = 0;
    while s.len() - uses < half || i == 0 {
        let _ = writeln!(s, "pub fn f{i}() -> X{i} {{ std::env::set_var(X{i}, 1) }}");
        i += 1;
    }
    s
}

/// Private inline modules nested deep, each with a declaration and a public function.
pub fn nested_mods(bytes: usize) -> String {
    nest(
        bytes,
        "",
        "mod m { #[path = \"d.rs\"] mod d; pub fn f() -> tokio::task::JoinHandle<()> {} ",
        "pub enum E {}",
        "}",
        "\n",
    )
}

/// `use tokio::{x0, x1, ...};` and functions naming the imports.
pub fn use_list(bytes: usize) -> String {
    let mut s = repeat(bytes * 3 / 4, "use tokio::{", "};\n", |s, i| {
        let _ = write!(s, "x{i}, ");
    });
    let rest = s.len();
    let mut i = 0;
    while s.len() - rest < bytes / 4 || i == 0 {
        let _ = writeln!(s, "pub fn g{i}() -> x{i} {{}}");
        i += 1;
    }
    s
}

/// `use a::{a::{a::{... {x0, x1, ...}}}};`: deep groups, then a long list at the bottom.
pub fn nested_use_groups(bytes: usize) -> String {
    let levels = (bytes / 2 / "a::{}".len()).max(1);
    let mut s = String::with_capacity(bytes + 64);
    s.push_str("use tokio::{");
    for _ in 0..levels {
        s.push_str("a::{");
    }
    let mut i = 0;
    while s.len() < bytes - levels || i == 0 {
        let _ = write!(s, "x{i}, ");
        i += 1;
    }
    for _ in 0..levels {
        s.push('}');
    }
    s.push_str("};\npub fn f() -> x0 {}\n");
    s
}

/// `pub struct S { pub f0: tokio::X, ... }`: one long field list.
pub fn struct_fields(bytes: usize) -> String {
    repeat(bytes, "pub struct S {\n", "}\n", |s, i| {
        let _ = writeln!(
            s,
            "    pub f{i}: tokio::sync::mpsc::Sender<Vec<(u8, u16)>>,"
        );
    })
}

/// `pub trait T { fn f0(&self) -> tokio::X; ... }`: one long item list.
pub fn trait_items(bytes: usize) -> String {
    repeat(bytes, "pub trait T {\n", "}\n", |s, i| {
        let _ = writeln!(s, "    fn f{i}(&self, x: (u8, u8)) -> anyhow::Result<()>;");
    })
}

/// `pub fn a0() -> tokio::X pub fn a1() -> ... {}`: signatures that all end at one `{`.
pub fn signature_run(bytes: usize) -> String {
    repeat(bytes, "", "{}\n", |s, i| {
        let _ = write!(s, "pub fn a{i}() -> tokio::X{i} ");
    })
}

/// `pub struct S0 pub struct S1 ... { pub x: tokio::X }`: items that all find one body.
pub fn struct_run(bytes: usize) -> String {
    repeat(bytes, "", "{ pub x: tokio::X }\n", |s, i| {
        let _ = write!(s, "pub struct S{i} pub trait T{i} ");
    })
}

/// Attributes nested in attributes, each level followed by an item that reads them.
pub fn nested_attrs(bytes: usize) -> String {
    nest(
        bytes,
        "",
        "#![forbid(#[repr(u8, #[derive(Debug, #[instrument(",
        "x",
        ")] fn g() {} )] pub enum E {} )] pub struct S; )] ",
        "\n",
    )
}

/// Many attributes before each of many functions.
pub fn many_attrs(bytes: usize) -> String {
    repeat(bytes, "", "", |s, i| {
        let _ = writeln!(
            s,
            "#[inline] #[must_use] #[cfg(test)] #[derive(Debug, Clone, serde::Serialize)] #[non_exhaustive] pub enum E{i} {{}}"
        );
    })
}

/// `((((...]]]]`: every closer looks for an opener it never finds.
pub fn unbalanced(bytes: usize) -> String {
    nest(bytes, "fn f() ", "(", "x", "]", "\n")
}

/// `let a0 = let a1 = ... OUT_DIR;` in a build script, and the names used after.
pub fn let_chain(bytes: usize) -> String {
    let mut s = repeat(
        bytes / 2,
        "fn main() {\n",
        "env::var(\"OUT_DIR\");\n",
        |s, i| {
            let _ = write!(s, "let a{i} = ");
        },
    );
    let mut i = 0;
    let start = s.len();
    while s.len() - start < bytes / 2 || i == 0 {
        let _ = writeln!(s, "let b{i} = a{i}; fs::write(b{i}, \"x\");");
        i += 1;
    }
    s.push_str("}\n");
    s
}

/// `fs::write(fs::write(... "x" ...), "y")` in a build script.
pub fn nested_writes(bytes: usize) -> String {
    nest(
        bytes,
        "fn main() { ",
        "fs::write(",
        "\"x\"",
        ", \"y\")",
        " }\n",
    )
}

/// Many `macro_rules!` bodies, each with `$e:expr` fragments.
pub fn macro_bodies(bytes: usize) -> String {
    repeat(bytes, "", "", |s, i| {
        let _ = writeln!(s, "macro_rules! m{i} {{ ($e:expr, $f:expr) => {{ $e }}; }}");
    })
}

/// `use crate::{a0, crate::{a1, crate::{...}}};`
pub fn crate_groups(bytes: usize) -> String {
    nest(bytes, "use crate::{", "a, crate::{", "z", "}", "};\n")
}

/// `include!` calls nested in their own arguments, and plain ones.
pub fn nested_includes(bytes: usize) -> String {
    nest(
        bytes,
        "fn f() { ",
        "include!(\"a.rs\") + ::core::include!(",
        "\"x.rs\"",
        ")",
        " }\n",
    )
}

/// One struct whose name is half the file, and as many fields of runtime types as fit.
pub fn long_name_fields(bytes: usize) -> String {
    let name = "N".repeat(bytes / 2);
    repeat(bytes, &format!("pub struct {name} {{\n"), "}\n", |s, i| {
        let _ = writeln!(s, "pub f{i}: tokio::X,");
    })
}

/// `spawn_blocking(|| spawn_blocking(|| ...))` twelve deep, repeated: every closure short
/// enough for the quiet check to read it whole, nested as deep as that allows.
pub fn blocking_clusters(bytes: usize) -> String {
    repeat(bytes, "", "", |s, _| {
        s.push_str("fn f() { ");
        s.push_str(&"tokio::task::spawn_blocking(|| ".repeat(12));
        s.push_str("x()");
        s.push_str(&")".repeat(12));
        s.push_str(" }\n");
    })
}

/// `let mut a0 = ` repeated with no `;` between, then `OUT_DIR; fs::write(a0, "x");`: one
/// statement stretch holding every `let`, which the build-script scan's OUT_DIR bindings read
/// three times (the property test's worst input, 2026-12-06).
pub fn open_lets(bytes: usize) -> String {
    let mut s = String::from("pub fn a() -> tokio::X pub struct S ");
    while s.len() < bytes {
        s.push_str("let mut a0 = ");
    }
    s.push_str("OUT_DIR; fs::write(a0, \"x\");\n");
    s
}

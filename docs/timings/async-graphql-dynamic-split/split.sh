#!/bin/sh
# Moves async-graphql's `dynamic` module into a crate of its own, mechanically, in a checkout of
# async-graphql/async-graphql at b1336612487bbca2be4a96cc52ef8892adc738c7 (run from its root,
# with docs/timings/async-graphql-b133661/Cargo.lock copied in). What it changes:
# - src/dynamic/ becomes the crate `async-graphql-dynamic` (dynamic-split/, mod.rs -> lib.rs),
#   a workspace member that depends on async-graphql and on the crates the module uses;
# - its `crate::` paths keep working through `pub(crate) use async_graphql::*` and a `dynamic`
#   alias at its root; two imports whose first segment is also one of its own modules
#   (`schema::`, `subscription::`) name async_graphql's explicitly;
# - async-graphql drops `pub mod dynamic`, and every `pub(crate)`/`pub(super)` item and private
#   module of it becomes `pub` (what a real split would expose as `#[doc(hidden)] pub`).
# Then: CARGO_TARGET_DIR=<empty> cargo build --locked --timings -j2 -p async-graphql -p async-graphql-dynamic
set -eu
mkdir -p dynamic-split
cp -r src/dynamic dynamic-split/src
mv dynamic-split/src/mod.rs dynamic-split/src/lib.rs
cat > dynamic-split/Cargo.toml <<'TOML'
[package]
name = "async-graphql-dynamic"
version = "8.0.0-rc.4"
edition = "2024"

[dependencies]
async-graphql = { path = "..", features = ["default"] }
async-graphql-derive.workspace = true
async-graphql-parser.workspace = true
async-graphql-value.workspace = true
futures-util = { workspace = true, features = ["std", "io", "sink", "async-await", "async-await-macro"] }
indexmap.workspace = true
serde.workspace = true
serde_json.workspace = true
thiserror.workspace = true
async-trait.workspace = true
asynk-strim = "0.1.5"
TOML
cat >> dynamic-split/src/lib.rs <<'RS'

// The split: the rest of async-graphql is another crate now; its paths keep their names.
#[allow(unused_imports)]
pub(crate) use async_graphql::*;
pub(crate) mod dynamic {
    #[allow(unused_imports)]
    pub use super::*;
}
RS
python3 - <<'PY'
import re
def edit(path, f):
    s = open(path).read(); open(path, "w").write(f(s))
edit("Cargo.toml", lambda s: s.replace('members = [\n  "value",', 'members = [\n  "dynamic-split",\n  "value",'))
edit("src/lib.rs", lambda s: s.replace('#[cfg(feature = "dynamic-schema")]\n#[cfg_attr(docsrs, doc(cfg(feature = "dynamic-schema")))]\npub mod dynamic;\n', ''))
edit("dynamic-split/src/schema.rs", lambda s: s.replace("    schema::{SchemaEnvInner, prepare_request},\n};", "};\nuse async_graphql::schema::{SchemaEnvInner, prepare_request};", 1))
edit("dynamic-split/src/subscription.rs", lambda s: re.sub(r"\n\s*subscription::BoxFieldStream,", "", s, count=1).replace("use crate::{", "use async_graphql::subscription::BoxFieldStream;\nuse crate::{", 1))
PY
find src -name '*.rs' -not -path 'src/dynamic/*' | xargs sed -i 's/pub(crate) /pub /g; s/pub(super) /pub /g'
sed -i -E 's/^mod ([a-z_]+);/pub mod \1;/' src/lib.rs
rm -r src/dynamic

//! The one way the review reads a file: open without blocking, check that it is a regular
//! file, and read at most a fixed number of bytes.
//!
//! A hostile repository controls every path the review reads. A FIFO would block a plain
//! `read` forever; `/dev/zero` (or a symlink to it) reports a size of 0 and never ends, so a
//! size check on `metadata().len()` lets it through. So the file is opened with `O_NONBLOCK`
//! (a FIFO without a writer opens at once instead of waiting), its type is taken from the open
//! handle, not from the path, and the read stops one byte past the limit whatever the file says
//! its size is.

use std::io::Read;
use std::path::Path;

/// Manifests, `Cargo.lock`, `.cargo/config.toml`, `rust-toolchain(.toml)`, `architect.toml`.
pub const TOML_LIMIT: u64 = 16 << 20;
/// A Rust source file: larger ones are generated tables, not reviewed (said, never skipped
/// silently).
pub const SOURCE_LIMIT: u64 = 8 << 20;
/// A CI script or workflow searched for tool names.
pub const SCRIPT_LIMIT: u64 = 1 << 20;
/// One RustSec advisory file.
pub const ADVISORY_LIMIT: u64 = 1 << 20;
/// A saved `cargo metadata` document (a 1,000-package workspace writes about 10 MiB).
pub const METADATA_LIMIT: u64 = 1 << 30;
/// A `cargo build --timings` report.
pub const TIMINGS_LIMIT: u64 = 256 << 20;

/// Why a file could not be read. The caller names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("it does not exist")]
    NotFound,
    #[error("it is {kind}, not a regular file")]
    NotAFile { kind: &'static str },
    #[error("it is larger than {}", human_size(*limit))]
    TooLarge { limit: u64 },
    #[error("it is not UTF-8 (the first invalid byte is on line {line})")]
    NotUtf8 { line: usize },
    #[error("{0}")]
    Io(std::io::Error),
}

impl ReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound)
    }
}

/// `1 MiB`, `256 MiB`, `1 GiB`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// The bytes of the regular file at `path` (symlinks followed), at most `limit` of them.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = open(path)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile {
            kind: kind_of(&meta.file_type()),
        });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut buf = Vec::with_capacity(meta.len().min(limit) as usize);
    // A file that grows while it is read (or lies about its size) still stops here.
    file.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(buf)
}

/// The text of the regular file at `path`, at most `limit` bytes, which must be UTF-8.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read_bytes(path, limit)?).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        ReadError::NotUtf8 {
            line: 1 + memchr::memchr_iter(b'\n', &bytes[..at]).count(),
        }
    })
}

/// [`read_text`], with a missing file as `None`.
pub fn read_text_if_exists(path: &Path, limit: u64) -> Result<Option<String>, ReadError> {
    match read_text(path, limit) {
        Ok(t) => Ok(Some(t)),
        Err(ReadError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

fn open(path: &Path) -> Result<std::fs::File, ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO opens at once instead of waiting for a writer; reads of regular files are
        // unaffected.
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    })
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        std::fs::write(&p, "x = 1\n").unwrap();
        assert_eq!(read_text(&p, 6).unwrap(), "x = 1\n");
        assert!(matches!(
            read_text(&p, 5),
            Err(ReadError::TooLarge { limit: 5 })
        ));
        assert!(matches!(
            read_text(&dir.path().join("nope"), 5),
            Err(ReadError::NotFound)
        ));
        assert_eq!(
            read_text_if_exists(&dir.path().join("nope"), 5).unwrap(),
            None
        );
        assert!(matches!(
            read_text(dir.path(), 5),
            Err(ReadError::NotAFile {
                kind: "a directory"
            })
        ));
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        std::fs::write(&p, b"a = 1\nb = \"\xff\"\n").unwrap();
        let e = read_text(&p, 100).unwrap_err();
        assert!(matches!(e, ReadError::NotUtf8 { line: 2 }), "{e:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever the file holds and whatever the limit, the reader returns the whole file
        /// when it fits and refuses it otherwise: never a part of it, never more.
        #[test]
        fn reads_all_or_refuses(len in 0usize..4096, limit in 0u64..4096, byte in 0u8..=255) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("f");
            std::fs::write(&p, vec![byte; len]).unwrap();
            match read_bytes(&p, limit) {
                Ok(bytes) => {
                    proptest::prop_assert!(len as u64 <= limit);
                    proptest::prop_assert_eq!(bytes.len(), len);
                }
                Err(ReadError::TooLarge { limit: l }) => {
                    proptest::prop_assert!(len as u64 > limit);
                    proptest::prop_assert_eq!(l, limit);
                }
                Err(e) => proptest::prop_assert!(false, "{e}"),
            }
            let text = read_text(&p, limit);
            let valid = std::str::from_utf8(&vec![byte; len]).is_ok();
            proptest::prop_assert_eq!(text.is_ok(), len as u64 <= limit && valid);
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("zero.rs");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read_bytes(&link, 1 << 20).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is a character device, not a regular file"
        );
        let fifo = dir.path().join("fifo.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Without O_NONBLOCK this open would wait for a writer forever.
            let e = read_bytes(&fifo, 1 << 20).unwrap_err();
            assert_eq!(e.to_string(), "it is a FIFO, not a regular file");
        } else {
            eprintln!("skipped the FIFO case: mkfifo is not available");
        }
    }
}

//! ZIP bundles of many files (`/intelligence/zip_files`): a [`ZipJob`] whose state moves with
//! the emulator's clock (`starting`, then `creating` with a growing `progress`, then
//! `finished`), and the real ZIP it builds once finished, with the `zip` crate: one entry per
//! file, named by SHA-256, deflated, and encrypted with ZipCrypto when a password was given
//! (the scheme Python's `zipfile`, 7-Zip and `unzip` all read; VirusTotal's own bundles are
//! opened with the same tools).

use std::io::Write as _;

use serde_json::{Value, json};

use crate::records::Content;

/// Time to build a bundle on the emulator's clock: a base plus a little per file.
fn build_ms(files: usize) -> u64 {
    (1_000 + 250 * files as u64).min(10_000)
}

/// Largest bundle built (bytes of content put in); above it the bundle fails with
/// `error-creating`, as an oversized request would.
const MAX_BUNDLE_BYTES: u64 = 256 << 20;

/// A ZIP bundle asked for.
#[derive(Debug, Clone)]
pub(crate) struct ZipJob {
    pub(crate) id: String,
    /// The hashes as given.
    pub(crate) hashes: Vec<String>,
    pub(crate) password: Option<String>,
    pub(crate) created_ms: u64,
    /// Once built: (files added, files missing, whether it failed).
    pub(crate) built: Option<(u64, u64, bool)>,
}

impl ZipJob {
    /// The key of the finished bundle's bytes in [`Store::contents`] (never a file id, so
    /// `/files/{id}/download` cannot reach it).
    pub(crate) fn content_key(&self) -> String {
        format!("{}.zip", self.id)
    }

    /// The state at `now_ms`: (status, progress, files_ok, files_error).
    fn state(&self, now_ms: u64) -> (&'static str, u64, u64, u64) {
        if let Some((ok, err, failed)) = self.built {
            return if failed {
                ("error-creating", 100, ok, err)
            } else {
                ("finished", 100, ok, err)
            };
        }
        let total = build_ms(self.hashes.len());
        let elapsed = now_ms.saturating_sub(self.created_ms);
        if elapsed < total / 10 {
            ("starting", 0, 0, 0)
        } else {
            let progress = (elapsed * 100 / total).min(99);
            let done = self.hashes.len() as u64 * progress / 100;
            ("creating", progress, done, 0)
        }
    }

    /// Whether the build time has passed at `now_ms` (the bundle can be built).
    pub(crate) fn due(&self, now_ms: u64) -> bool {
        self.built.is_none()
            && now_ms.saturating_sub(self.created_ms) >= build_ms(self.hashes.len())
    }

    /// The `zip_file` object at `now_ms`.
    pub(crate) fn to_json(&self, now_ms: u64) -> Value {
        let (status, progress, ok, err) = self.state(now_ms);
        json!({
            "type": "zip_file",
            "id": self.id,
            "attributes": {
                "status": status,
                "progress": progress,
                "files_ok": ok,
                "files_error": err,
            },
        })
    }
}

/// The ZIP of `entries`, `None` when a content cannot be read or the bundle is too big.
pub(crate) fn write_zip(entries: &[(String, Content)], password: Option<&str>) -> Option<Vec<u8>> {
    use zip::unstable::write::FileOptionsExt as _;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut put = 0u64;
    for (sha, content) in entries {
        let bytes = match content {
            Content::Memory(b) => b.to_vec(),
            Content::Disk { path, size } => {
                if put + size > MAX_BUNDLE_BYTES {
                    return None;
                }
                std::fs::read(path).ok()?
            }
        };
        put += bytes.len() as u64;
        if put > MAX_BUNDLE_BYTES {
            return None;
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let options = match password {
            Some(p) => options.with_deprecated_encryption(p.as_bytes()).ok()?,
            None => options,
        };
        out.start_file(sha.as_str(), options).ok()?;
        out.write_all(&bytes).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::io::Read as _;

    fn job(n: usize) -> ZipJob {
        ZipJob {
            id: "7".into(),
            hashes: vec!["x".into(); n],
            password: None,
            created_ms: 1_000_000,
            built: None,
        }
    }

    #[test]
    fn the_state_moves_with_the_clock() {
        let j = job(4); // 2 s to build
        assert_eq!(j.state(1_000_000).0, "starting");
        let (status, progress, ..) = j.state(1_001_000);
        assert_eq!((status, progress), ("creating", 50));
        assert!(!j.due(1_001_999) && j.due(1_002_000));
    }

    #[test]
    fn a_password_encrypts_every_entry() {
        let entries = vec![(
            "ab".repeat(32),
            Content::Memory(Bytes::from_static(b"hello")),
        )];
        let plain = write_zip(&entries, None).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
        let mut text = String::new();
        archive
            .by_index(0)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "hello");

        let locked = write_zip(&entries, Some("infected")).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(locked)).unwrap();
        assert!(archive.by_index(0).is_err(), "no password, no content");
        let mut text = String::new();
        archive
            .by_index_decrypt(0, b"infected")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "hello");
    }
}

//! Local identifiers: the MD5, SHA-1 and SHA-256 of a file, and URL ids.
//!
//! [`hash_file`] reads a file once, in 1 MiB chunks shared (not copied) between three threads,
//! one per digest, so hashing a large file costs about as long as the slowest digest alone
//! (usually MD5: SHA-1 and SHA-256 use the SHA-NI / assembly backends of the RustCrypto
//! crates where the CPU has them), not the sum of the three. Inputs of up to one chunk are
//! hashed on the calling thread.
//!
//! ```no_run
//! # fn main() -> Result<(), vt_api::Error> {
//! let digests = vt_api::hashing::hash_file("sample.exe")?;
//! println!("{} {} {} {}", digests.md5, digests.sha1, digests.sha256, digests.size);
//! # Ok(()) }
//! ```

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use bytes::Bytes;
use md5::Digest as _;
use vt_model::{Md5, Sha1, Sha256, UrlId};

use crate::error::{Error, Result};

/// Size of the chunks read from disk and handed to the hashers.
const CHUNK: usize = 1 << 20;
/// Chunks queued per hasher before the reader waits (bounds memory to a few MiB).
const QUEUE: usize = 4;

/// The three digests and the size of a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileDigests {
    /// MD5 of the content.
    pub md5: Md5,
    /// SHA-1 of the content.
    pub sha1: Sha1,
    /// SHA-256 of the content (VirusTotal's file id).
    pub sha256: Sha256,
    /// Size of the content in bytes.
    pub size: u64,
}

/// Hashes `bytes` held in memory.
///
/// ```
/// let d = vt_api::hashing::hash_bytes(b"");
/// assert_eq!(d.md5.as_str(), "d41d8cd98f00b204e9800998ecf8427e");
/// assert_eq!(d.size, 0);
/// ```
pub fn hash_bytes(bytes: &[u8]) -> FileDigests {
    let mut state = Hashers::default();
    state.update(bytes);
    state.finish(bytes.len() as u64)
}

/// Hashes the file at `path` in one streaming pass (see the module docs). The path is checked
/// first by [`check_local_file`](crate::upload::check_local_file): a directory is
/// [`Error::InvalidInput`], not a read error halfway.
pub fn hash_file(path: impl AsRef<Path>) -> Result<FileDigests> {
    let path = path.as_ref();
    crate::upload::check_local_file(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    hash_reader_at(file, path)
}

/// Hashes everything `reader` yields, in one streaming pass. `path` is only used to name the
/// source in errors.
pub fn hash_reader(reader: impl Read + Send, path: impl AsRef<Path>) -> Result<FileDigests> {
    hash_reader_at(reader, path.as_ref())
}

/// [`hash_file`] on tokio's blocking thread pool.
pub async fn hash_file_async(path: impl AsRef<Path>) -> Result<FileDigests> {
    let path: PathBuf = path.as_ref().to_owned();
    let for_err = path.clone();
    tokio::task::spawn_blocking(move || hash_file(&path))
        .await
        .map_err(|e| Error::io(for_err, std::io::Error::other(e)))?
}

/// The URL identifier VirusTotal accepts for `url`: unpadded base64url of the URL as given
/// (what vt-py and vt-go send; VirusTotal canonicalises it server-side).
///
/// ```
/// let id = vt_api::hashing::url_id("http://www.somedomain.com/this/is/my/url")?;
/// assert_eq!(id.as_str(), "aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA");
/// # Ok::<(), vt_api::Error>(())
/// ```
pub fn url_id(url: &str) -> Result<UrlId> {
    Ok(UrlId::from_url(url)?)
}

/// SHA-256 of `url` exactly as given. VirusTotal's URL ids are the SHA-256 of its
/// *canonical* form, whose rules are not published; this equals the id only when the URL is
/// already canonical (for example `http://www.google.com/`, not `http://www.google.com`). Prefer
/// [`url_id`], which VirusTotal canonicalises itself.
pub fn url_sha256(url: &str) -> Sha256 {
    Sha256::from_bytes(sha2::Sha256::digest(url.as_bytes()).into())
}

#[derive(Default)]
struct Hashers {
    md5: md5::Md5,
    sha1: sha1::Sha1,
    sha256: sha2::Sha256,
}

impl Hashers {
    fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        self.sha1.update(data);
        self.sha256.update(data);
    }

    fn finish(self, size: u64) -> FileDigests {
        FileDigests {
            md5: Md5::from_bytes(self.md5.finalize().into()),
            sha1: Sha1::from_bytes(self.sha1.finalize().into()),
            sha256: Sha256::from_bytes(self.sha256.finalize().into()),
            size,
        }
    }
}

/// Reads up to `CHUNK` bytes (fewer only at the end of the input).
fn read_chunk(reader: &mut impl Read, path: &Path) -> Result<Bytes> {
    let mut buf = Vec::with_capacity(CHUNK);
    loop {
        match reader
            .by_ref()
            .take((CHUNK - buf.len()) as u64)
            .read_to_end(&mut buf)
        {
            Ok(_) => return Ok(Bytes::from(buf)),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
}

fn hash_reader_at(mut reader: impl Read, path: &Path) -> Result<FileDigests> {
    let first = read_chunk(&mut reader, path)?;
    if first.len() < CHUNK {
        // Small input: one chunk, no threads.
        let mut state = Hashers::default();
        state.update(&first);
        return Ok(state.finish(first.len() as u64));
    }

    let (md5_tx, md5_rx) = mpsc::sync_channel::<Bytes>(QUEUE);
    let (sha1_tx, sha1_rx) = mpsc::sync_channel::<Bytes>(QUEUE);
    let (sha256_tx, sha256_rx) = mpsc::sync_channel::<Bytes>(QUEUE);

    std::thread::scope(|scope| {
        let md5 = scope.spawn(move || {
            let mut h = md5::Md5::new();
            for chunk in md5_rx {
                h.update(&chunk);
            }
            Md5::from_bytes(h.finalize().into())
        });
        let sha1 = scope.spawn(move || {
            let mut h = sha1::Sha1::new();
            for chunk in sha1_rx {
                h.update(&chunk);
            }
            Sha1::from_bytes(h.finalize().into())
        });
        let sha256 = scope.spawn(move || {
            let mut h = sha2::Sha256::new();
            for chunk in sha256_rx {
                h.update(&chunk);
            }
            Sha256::from_bytes(h.finalize().into())
        });

        let mut size = 0u64;
        let mut chunk = first;
        let read_result = loop {
            if chunk.is_empty() {
                break Ok(());
            }
            size += chunk.len() as u64;
            // `Bytes` clones share the buffer: each chunk is read once and never copied.
            let shared = chunk;
            // A hasher only hangs up if it panicked; the join below reports that.
            let _ = md5_tx.send(shared.clone());
            let _ = sha1_tx.send(shared.clone());
            let _ = sha256_tx.send(shared);
            match read_chunk(&mut reader, path) {
                Ok(next) => chunk = next,
                Err(e) => break Err(e),
            }
        };
        drop((md5_tx, sha1_tx, sha256_tx));
        let joined = (md5.join(), sha1.join(), sha256.join());
        read_result?;
        match joined {
            (Ok(md5), Ok(sha1), Ok(sha256)) => Ok(FileDigests {
                md5,
                sha1,
                sha256,
                size,
            }),
            _ => Err(Error::io(
                path,
                std::io::Error::other("a hashing thread panicked"),
            )),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn known_digests_of_small_input() {
        let d = hash_bytes(b"abc");
        assert_eq!(d.md5.as_str(), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(d.sha1.as_str(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            d.sha256.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.size, 3);
    }

    #[test]
    fn threaded_path_matches_single_pass_on_multi_chunk_files() {
        let mut data = Vec::with_capacity(CHUNK * 3 + 17);
        let mut x: u32 = 7;
        while data.len() < CHUNK * 3 + 17 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            data.push((x >> 16) as u8);
        }
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&data).unwrap();
        file.flush().unwrap();
        let from_file = hash_file(file.path()).unwrap();
        assert_eq!(from_file, hash_bytes(&data));
        assert_eq!(from_file.size, data.len() as u64);
    }

    #[test]
    fn exactly_one_chunk_goes_through_the_threads() {
        let data = vec![0x5au8; CHUNK];
        let from_reader = hash_reader(&data[..], "mem").unwrap();
        assert_eq!(from_reader, hash_bytes(&data));
    }

    #[test]
    fn missing_files_name_the_path() {
        let err = hash_file("/definitely/not/here.bin").unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
        assert!(err.to_string().contains("/definitely/not/here.bin"));
    }

    #[tokio::test]
    async fn async_wrapper_hashes_on_the_blocking_pool() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"abc").unwrap();
        let d = hash_file_async(file.path()).await.unwrap();
        assert_eq!(d.md5.as_str(), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn url_ids_are_unpadded_base64url() {
        let id = url_id("http://www.somedomain.com/this/is/my/url").unwrap();
        assert_eq!(
            id.as_str(),
            "aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA"
        );
        assert_eq!(
            url_sha256("http://www.google.com/").as_str(),
            "dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf"
        );
    }
}

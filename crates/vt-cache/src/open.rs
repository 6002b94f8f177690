//! Opening a store: the directory and file checks, moving a bad file aside.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a store could not be opened (the caller should go on without a cache, or stop on a
/// path the user chose).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The directory of the store is writable by everyone: another user could replace it.
    #[error("cache directory {dir}: writable by everyone (chmod o-w, or choose another path)")]
    UnsafeDirectory {
        /// The directory.
        dir: PathBuf,
    },
    /// The directory cannot be created or written.
    #[error("cache directory {dir}: not writable: {source}")]
    Unwritable {
        /// The directory.
        dir: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The path is not a regular file (a directory, a socket, ...).
    #[error("cache file {path}: not a regular file")]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// SQLite failed on a file that looked fine.
    #[error("cache file {path}: {source}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
}

/// Creates `dir` (mode 0700) if missing and checks that it is writable and not writable by
/// everyone.
pub(crate) fn prepare_dir(dir: &Path) -> Result<(), OpenError> {
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| OpenError::Unwritable {
                dir: dir.to_owned(),
                source,
            })?;
    }
    let meta = fs::metadata(dir).map_err(|source| OpenError::Unwritable {
        dir: dir.to_owned(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(OpenError::Unwritable {
            dir: dir.to_owned(),
            source: io::Error::new(io::ErrorKind::NotADirectory, "not a directory"),
        });
    }
    if meta.mode() & 0o002 != 0 {
        return Err(OpenError::UnsafeDirectory {
            dir: dir.to_owned(),
        });
    }
    // Writable for us? (Permission bits alone do not tell for root or ACLs: try.)
    let probe = dir.join(format!(".vt-cache-probe-{}", std::process::id()));
    match fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&probe)
    {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        Err(source) => Err(OpenError::Unwritable {
            dir: dir.to_owned(),
            source,
        }),
    }
}

/// Creates the store file with mode 0600 if missing; tightens an existing one to 0600.
pub(crate) fn prepare_file(path: &Path) -> Result<(), OpenError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if !meta.is_file() => Err(OpenError::NotAFile {
            path: path.to_owned(),
        }),
        Ok(meta) => {
            if meta.mode() & 0o077 != 0 {
                let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
            }
            Ok(())
        }
        Err(_) => fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map(drop)
            .map_err(|source| OpenError::Unwritable {
                dir: path.parent().unwrap_or(Path::new(".")).to_owned(),
                source,
            }),
    }
}

/// Moves `path` (and its `-wal`/`-shm` companions) aside to `path.bad-<unix time>`; returns
/// the new path.
pub(crate) fn move_aside(path: &Path) -> io::Result<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut target = PathBuf::from(format!("{}.bad-{stamp}", path.display()));
    let mut n = 1;
    while target.exists() {
        target = PathBuf::from(format!("{}.bad-{stamp}-{n}", path.display()));
        n += 1;
    }
    fs::rename(path, &target)?;
    for suffix in ["-wal", "-shm"] {
        let companion = PathBuf::from(format!("{}{suffix}", path.display()));
        if companion.exists() {
            let _ = fs::rename(&companion, format!("{}{suffix}", target.display()));
        }
    }
    Ok(target)
}

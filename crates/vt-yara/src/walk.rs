//! Scanning a file or a directory tree, one result per file.

use std::path::{Path, PathBuf};

use crate::error::ScanError;
use crate::scan::{FileMatches, scan_one};

/// The files under a path, scanned one by one: an iterator of [`FileMatches`] (or the
/// [`ScanError`] of a file or directory that could not be read), made by
/// [`crate::Ruleset::scan_path`].
pub struct PathScan<'r> {
    scanner: yara_x::Scanner<'r>,
    /// Paths still to visit, the next one last.
    pending: Vec<PathBuf>,
    /// Whether `pending` holds the start path, which may be a symbolic link to follow.
    at_root: bool,
}

impl std::fmt::Debug for PathScan<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PathScan")
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl<'r> PathScan<'r> {
    pub(crate) fn new(scanner: yara_x::Scanner<'r>, root: &Path) -> Self {
        Self {
            scanner,
            pending: vec![root.to_owned()],
            at_root: true,
        }
    }

    /// Puts a directory's entries on the stack, so they come out in name order.
    fn expand(&mut self, dir: &Path) -> Result<(), ScanError> {
        let read_error = |source| ScanError::Read {
            path: dir.to_owned(),
            source,
        };
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read_error)? {
            entries.push(entry.map_err(read_error)?.path());
        }
        entries.sort();
        entries.reverse();
        self.pending.extend(entries);
        Ok(())
    }
}

impl Iterator for PathScan<'_> {
    type Item = Result<FileMatches, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(path) = self.pending.pop() {
            let follow = std::mem::take(&mut self.at_root);
            let meta = if follow {
                std::fs::metadata(&path)
            } else {
                std::fs::symlink_metadata(&path)
            };
            let meta = match meta {
                Ok(m) => m,
                Err(source) => return Some(Err(ScanError::Read { path, source })),
            };
            let file_type = meta.file_type();
            if file_type.is_dir() {
                if let Err(e) = self.expand(&path) {
                    return Some(Err(e));
                }
            } else if file_type.is_file()
                || (file_type.is_symlink() && std::fs::metadata(&path).is_ok_and(|m| m.is_file()))
            {
                return Some(scan_one(&mut self.scanner, &path));
            }
            // Other entries (sockets, links to directories, dangling links) are skipped.
        }
        None
    }
}

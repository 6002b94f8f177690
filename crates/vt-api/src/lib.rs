//! vt-api: work in progress.

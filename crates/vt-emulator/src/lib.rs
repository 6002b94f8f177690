//! vt-emulator: work in progress.

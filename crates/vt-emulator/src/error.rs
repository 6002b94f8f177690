//! Errors of the emulator's own API (starting it, parsing its configuration).

use std::io;
use std::path::PathBuf;

/// A configuration value could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A textual option (key spec, fault rule, duration) is malformed.
    #[error("invalid value {input:?}: {reason}")]
    Invalid {
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Starting an emulator failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The data directory could not be created.
    #[error("cannot create data directory {path}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The dataset directory could not be read.
    #[error("cannot read dataset directory {path}")]
    LoadDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The configuration is inconsistent.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

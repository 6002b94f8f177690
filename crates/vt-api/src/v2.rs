//! The legacy v2 file report.

/// Resources per v2 request with a public key.
pub const PUBLIC_BATCH_LIMIT: usize = 4;
/// Resources per v2 request with a private key.
pub const PRIVATE_BATCH_LIMIT: usize = 25;

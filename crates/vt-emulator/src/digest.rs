//! Digests of bytes and text, written as lowercase hex.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// MD5, SHA-1 and SHA-256 of `bytes`, lowercase hex.
pub(crate) fn hashes(bytes: &[u8]) -> (String, String, String) {
    (
        hex(&Md5::digest(bytes)),
        hex(&Sha1::digest(bytes)),
        hex(&Sha256::digest(bytes)),
    )
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// SHA-256 of `s`, lowercase hex.
pub(crate) fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

//! File hashes: [`Md5`], [`Sha1`], [`Sha256`] and [`FileHash`], which is any of them.

use std::fmt;

use super::error::{IdError, IdKind, check_no_blank};
use super::macros::string_identifier;

/// Which algorithm a [`FileHash`] is, as told by its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashKind {
    /// MD5: 32 hexadecimal characters.
    Md5,
    /// SHA-1: 40 hexadecimal characters.
    Sha1,
    /// SHA-256: 64 hexadecimal characters.
    Sha256,
}

impl HashKind {
    /// The number of hexadecimal characters of a hash of this kind.
    pub fn hex_len(self) -> usize {
        match self {
            HashKind::Md5 => 32,
            HashKind::Sha1 => 40,
            HashKind::Sha256 => 64,
        }
    }

    /// The usual name of the algorithm: `"MD5"`, `"SHA-1"` or `"SHA-256"`.
    pub fn name(self) -> &'static str {
        match self {
            HashKind::Md5 => "MD5",
            HashKind::Sha1 => "SHA-1",
            HashKind::Sha256 => "SHA-256",
        }
    }

    /// The hash kind with that many hexadecimal characters, if any.
    pub fn from_hex_len(len: usize) -> Option<HashKind> {
        match len {
            32 => Some(HashKind::Md5),
            40 => Some(HashKind::Sha1),
            64 => Some(HashKind::Sha256),
            _ => None,
        }
    }
}

impl fmt::Display for HashKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Checks every character is a hex digit; says which one is not.
fn check_hex(kind: IdKind, input: &str) -> Result<(), IdError> {
    check_no_blank(kind, input)?;
    match input
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_hexdigit())
    {
        Some((pos, c)) => Err(IdError::new(
            kind,
            input,
            format!(
                "character {:?} at position {} is not hexadecimal (expected 0-9, a-f)",
                c,
                pos + 1
            ),
        )),
        None => Ok(()),
    }
}

/// Validates a hex string of exactly `len` digits and returns it lowercased.
fn parse_hex(kind: IdKind, len: usize, input: &str) -> Result<String, IdError> {
    check_hex(kind, input)?;
    if input.len() != len {
        return Err(IdError::new(
            kind,
            input,
            format!("expected {len} hexadecimal characters, got {}", input.len()),
        ));
    }
    Ok(input.to_ascii_lowercase())
}

fn hex_of(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        // Only ever called on validated lowercase hex.
        _ => 0,
    }
}

macro_rules! fixed_hash {
    (
        $(#[$meta:meta])*
        $ty:ident, $kind:ident, $bytes:literal, $expecting:literal
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(String);

        impl $ty {
            /// Validates `s` (hexadecimal of the right length, any case; no whitespace) and
            /// normalises it to lowercase.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                parse_hex(IdKind::$kind, $bytes * 2, s).map($ty)
            }

            /// The hash of these raw digest bytes.
            pub fn from_bytes(bytes: [u8; $bytes]) -> Self {
                $ty(hex_of(&bytes))
            }

            /// The raw digest bytes.
            pub fn to_bytes(&self) -> [u8; $bytes] {
                let mut out = [0u8; $bytes];
                for (byte, pair) in out.iter_mut().zip(self.0.as_bytes().chunks_exact(2)) {
                    *byte = (nibble(pair[0]) << 4) | nibble(pair[1]);
                }
                out
            }

            /// The lowercase hexadecimal form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        string_identifier!($ty, $expecting);

        impl From<$ty> for FileHash {
            fn from(hash: $ty) -> FileHash {
                FileHash::$kind(hash)
            }
        }
    };
}

fixed_hash!(
    /// An MD5 hash: 32 hexadecimal characters, stored lowercase.
    ///
    /// ```
    /// use vt_model::Md5;
    ///
    /// let md5: Md5 = "44D88612FEA8A8F36DE82E1278ABB02F".parse()?;
    /// assert_eq!(md5.as_str(), "44d88612fea8a8f36de82e1278abb02f");
    /// assert!("44d88612".parse::<Md5>().is_err());
    /// # Ok::<(), vt_model::IdError>(())
    /// ```
    Md5, Md5, 16, "an MD5 hash (32 hexadecimal characters)"
);

fixed_hash!(
    /// A SHA-1 hash: 40 hexadecimal characters, stored lowercase.
    ///
    /// ```
    /// use vt_model::Sha1;
    ///
    /// let sha1: Sha1 = "3395856CE81F2B7382DEE72602F798B642F14140".parse()?;
    /// assert_eq!(sha1.as_str(), "3395856ce81f2b7382dee72602f798b642f14140");
    /// # Ok::<(), vt_model::IdError>(())
    /// ```
    Sha1, Sha1, 20, "a SHA-1 hash (40 hexadecimal characters)"
);

fixed_hash!(
    /// A SHA-256 hash: 64 hexadecimal characters, stored lowercase. VirusTotal's file id, and
    /// the id of a URL object.
    ///
    /// ```
    /// use vt_model::Sha256;
    ///
    /// let id: Sha256 = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD".parse()?;
    /// assert_eq!(id, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /// assert_eq!(Sha256::digest(b"abc"), id);
    ///
    /// let err = "abc".parse::<Sha256>().unwrap_err();
    /// assert_eq!(err.to_string(), r#"invalid SHA-256 "abc": expected 64 hexadecimal characters, got 3"#);
    /// # Ok::<(), vt_model::IdError>(())
    /// ```
    Sha256, Sha256, 32, "a SHA-256 hash (64 hexadecimal characters)"
);

impl Sha256 {
    /// The SHA-256 of `data`.
    pub fn digest(data: impl AsRef<[u8]>) -> Sha256 {
        use sha2::Digest as _;
        Sha256::from_bytes(sha2::Sha256::digest(data.as_ref()).into())
    }
}

/// Any file hash VirusTotal accepts for a file lookup: MD5, SHA-1 or SHA-256, told apart by
/// length, stored lowercase.
///
/// ```
/// use vt_model::{FileHash, HashKind};
///
/// let hash: FileHash = "3395856CE81F2B7382DEE72602F798B642F14140".parse()?;
/// assert_eq!(hash.kind(), HashKind::Sha1);
/// assert_eq!(hash.to_string(), "3395856ce81f2b7382dee72602f798b642f14140");
///
/// let err = "abcd".parse::<FileHash>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"invalid file hash "abcd": expected 32 (MD5), 40 (SHA-1) or 64 (SHA-256) hexadecimal characters, got 4"#
/// );
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileHash {
    /// An MD5 hash.
    Md5(Md5),
    /// A SHA-1 hash.
    Sha1(Sha1),
    /// A SHA-256 hash.
    Sha256(Sha256),
}

impl FileHash {
    /// Validates `s` as hexadecimal of 32, 40 or 64 characters (any case; no whitespace) and
    /// normalises it to lowercase.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        check_hex(IdKind::FileHash, s)?;
        let lower = s.to_ascii_lowercase();
        match HashKind::from_hex_len(s.len()) {
            Some(HashKind::Md5) => Ok(FileHash::Md5(Md5(lower))),
            Some(HashKind::Sha1) => Ok(FileHash::Sha1(Sha1(lower))),
            Some(HashKind::Sha256) => Ok(FileHash::Sha256(Sha256(lower))),
            None => Err(IdError::new(
                IdKind::FileHash,
                s,
                format!(
                    "expected 32 (MD5), 40 (SHA-1) or 64 (SHA-256) hexadecimal characters, got {}",
                    s.len()
                ),
            )),
        }
    }

    /// Which algorithm this hash is.
    pub fn kind(&self) -> HashKind {
        match self {
            FileHash::Md5(_) => HashKind::Md5,
            FileHash::Sha1(_) => HashKind::Sha1,
            FileHash::Sha256(_) => HashKind::Sha256,
        }
    }

    /// The lowercase hexadecimal form.
    pub fn as_str(&self) -> &str {
        match self {
            FileHash::Md5(h) => h.as_str(),
            FileHash::Sha1(h) => h.as_str(),
            FileHash::Sha256(h) => h.as_str(),
        }
    }

    /// The SHA-256, if this is one (VirusTotal's canonical file id).
    pub fn as_sha256(&self) -> Option<&Sha256> {
        match self {
            FileHash::Sha256(h) => Some(h),
            _ => None,
        }
    }
}

string_identifier!(
    FileHash,
    "a file hash (MD5, SHA-1 or SHA-256 in hexadecimal)"
);

//! Identifiers that validate on construction.
//!
//! Every VirusTotal identifier has its own type; constructing one checks it and normalises it,
//! so a value of the type is always well formed. Each type implements [`FromStr`](std::str::FromStr),
//! `TryFrom<&str>`, `TryFrom<String>`, [`Display`](std::fmt::Display), `AsRef<str>` and serde
//! (as a plain string, validated on deserialize); bad input gives an [`IdError`] whose one-line
//! message names the kind of identifier, the input and what is wrong.
//!
//! | type | accepts | normal form |
//! |---|---|---|
//! | [`Md5`], [`Sha1`], [`Sha256`] | 32 / 40 / 64 hex digits, any case | lowercase |
//! | [`FileHash`] | any of the three, told apart by length | lowercase |
//! | [`UrlId`] | 64 hex digits (a SHA-256 URL id) or unpadded base64url of a URL | lowercase hex / unpadded |
//! | [`DomainName`] | DNS names, IDN (Unicode or `xn--`), `_` allowed, one trailing dot | lowercase, no trailing dot |
//! | [`IpAddress`] | IPv4 (dotted quad, no leading zeros) or IPv6 (no zone id) | as `std` prints it |
//! | [`MonitorItemId`] | base64 text (today: padded standard base64 of `vtmonitor-v1://{owner}{path}`, taken apart; other forms accepted as given) | unchanged |
//! | [`MonitorPath`] | a path starting with `/` (a folder ends with `/`), no control characters | unchanged |
//! | [`V2Resource`] | an MD5, SHA-1, SHA-256 or a v2 scan id `<sha256>-<unix time>` | lowercase |
//! | [`RelationshipName`](crate::RelationshipName) | lowercase letters, digits and `_` | unchanged |
//! | [`SandboxId`] | `<sha256>_<sandbox name>`, the name open-world (spaces allowed, no `/` or control characters) | lowercase hash |
//! | [`AnalysisId`] | any non-empty text without whitespace, control characters, `/`, `?`, `#` | unchanged |
//! | [`RetrohuntJobId`] | `<username>-<unix seconds>`, the username open-world (no whitespace, `/`, `?`, `#`) | unchanged |
//!
//! Choices made where the API documentation is silent:
//!
//! - **Open world.** A type checks the *shape* of an identifier or name, never membership in a
//!   list this crate knows: a well-formed relationship name or Monitor item id is accepted even
//!   when it is new to this version (known lists, such as [`relationships`](crate::relationships),
//!   serve completion, warnings and "did you mean" hints), and anything VirusTotal itself returned
//!   parses back.
//! - **Whitespace is rejected, never trimmed**, anywhere in any identifier, and so are
//!   control characters and invisible ones (byte order mark, zero-width space, bidi
//!   controls). An identifier with spaces around it is almost always a parsing mistake
//!   upstream (a column split wrongly, a `\r` from a Windows file); silently trimming would
//!   hide it. Callers reading lines (the CLI) trim them themselves, where the intent is clear.
//! - Lowercase is the normal form of hex hashes and domain names, so equal identifiers compare
//!   equal whatever case they were typed in.
//!
//! ```
//! use vt_model::{FileHash, HashKind};
//!
//! let hash: FileHash = "44D88612FEA8A8F36DE82E1278ABB02F".parse()?;
//! assert_eq!(hash.kind(), HashKind::Md5);
//! assert_eq!(hash.as_str(), "44d88612fea8a8f36de82e1278abb02f");
//!
//! let err = " 44d88612fea8a8f36de82e1278abb02f".parse::<FileHash>().unwrap_err();
//! assert!(err.to_string().contains("starts with whitespace"));
//! # Ok::<(), vt_model::IdError>(())
//! ```

mod analysis;
mod domain;
pub(crate) mod error;
mod hash;
mod ip;
pub(crate) mod macros;
mod monitor;
mod retrohunt;
mod sandbox;
mod url_id;
mod v2_resource;

pub use analysis::AnalysisId;
pub use domain::DomainName;
pub(crate) use error::check_no_blank;
pub use error::{IdError, IdKind};
pub use hash::{FileHash, HashKind, Md5, Sha1, Sha256};
pub use ip::IpAddress;
pub use monitor::{MonitorItemId, MonitorPath};
pub use retrohunt::RetrohuntJobId;
pub use sandbox::SandboxId;
pub use url_id::{UrlId, check_url};
pub use v2_resource::V2Resource;

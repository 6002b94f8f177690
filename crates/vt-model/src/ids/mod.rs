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
mod error;
mod hash;
mod ip;
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

/// Implements the string conversions every identifier shares, given an inherent
/// `fn parse(&str) -> Result<Self, IdError>` and `fn as_str(&self) -> &str`.
macro_rules! string_identifier {
    ($ty:ty, $expecting:literal) => {
        impl ::std::str::FromStr for $ty {
            type Err = $crate::ids::IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty>::parse(s)
            }
        }

        impl ::std::convert::TryFrom<&str> for $ty {
            type Error = $crate::ids::IdError;

            fn try_from(s: &str) -> Result<Self, Self::Error> {
                <$ty>::parse(s)
            }
        }

        impl ::std::convert::TryFrom<String> for $ty {
            type Error = $crate::ids::IdError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                <$ty>::parse(&s)
            }
        }

        impl ::std::convert::TryFrom<&String> for $ty {
            type Error = $crate::ids::IdError;

            fn try_from(s: &String) -> Result<Self, Self::Error> {
                <$ty>::parse(s)
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::convert::From<$ty> for String {
            fn from(id: $ty) -> String {
                id.as_str().to_owned()
            }
        }

        impl ::std::cmp::PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl ::std::cmp::PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                struct Visitor;

                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        <$ty>::parse(v).map_err(E::custom)
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    };
}
pub(crate) use string_identifier;

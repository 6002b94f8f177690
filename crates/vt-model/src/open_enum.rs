//! The text side of open-world enums: a status, category or kind VirusTotal writes as a
//! string, where a value this version does not know is kept verbatim in an `Other(String)`
//! variant instead of failing (the model is open-world, see `docs/model.md`).
//!
//! Each such enum is declared by hand (its variants and their docs), then
//! `open_enum_text!` writes the rest from one table of `Variant => "text"`: `parse` (never
//! fails), `as_str`, `Display`, and serde as a plain string.

/// Implements `parse`, `as_str`, `Display`, `Serialize` and `Deserialize` for an enum whose
/// last variant is `Other(String)`, from the text of every other variant.
macro_rules! open_enum_text {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            /// Parses the text VirusTotal writes; never fails (a value this version does not
            /// know is kept in `Other`).
            pub fn parse(text: &str) -> $name {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// The value as VirusTotal writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(other) => other,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text =
                    <::std::borrow::Cow<'de, str> as ::serde::Deserialize<'de>>::deserialize(
                        deserializer,
                    )?;
                Ok($name::parse(&text))
            }
        }
    };
}
pub(crate) use open_enum_text;

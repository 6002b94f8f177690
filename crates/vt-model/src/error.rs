//! VirusTotal's error body `{"error": {"code": ..., "message": ...}}` and its codes.
//!
//! Every documented v3 error code is a variant of [`ErrorCode`]; anything else is kept
//! verbatim in [`ErrorCode::Other`]. [`ErrorCode::retry_class`] says what a client should do
//! about it: the transport's retry policy is built on it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// The body VirusTotal sends with every v3 error (4xx/5xx). Other top-level members, if
/// any, are kept in `extra`.
///
/// ```
/// use vt_model::{ApiErrorBody, ErrorCode};
/// let body: ApiErrorBody = serde_json::from_str(
///     r#"{"error": {"code": "NotFoundError", "message": "File \"x\" not found"}}"#,
/// ).unwrap();
/// assert_eq!(body.error.code, ErrorCode::NotFound);
/// assert_eq!(body, ApiErrorBody::new(ErrorCode::NotFound, "File \"x\" not found"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// The error itself.
    pub error: ApiError,
    /// Other top-level members, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ApiErrorBody {
    /// The body for `code` with `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiErrorBody {
        ApiErrorBody {
            error: ApiError::new(code, message),
            extra: Map::new(),
        }
    }
}

/// The `error` member of an error body, also found on items of relationship lists whose
/// object VirusTotal could not load.
///
/// Lossless like every type of this crate: a missing `message` reads as `""` and stays
/// missing when written, an explicit `""` or `null` is written back as it was, and unknown
/// members are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The machine-readable code.
    pub code: ErrorCode,
    /// The human-readable message (empty when VirusTotal sent none). An empty message is not
    /// written unless the decoded document had one.
    pub message: String,
    /// Other members (and an explicit empty or `null` message), kept verbatim.
    pub extra: Map<String, Value>,
}

impl ApiError {
    /// The error `code` with `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            extra: Map::new(),
        }
    }
}

impl fmt::Display for ApiError {
    /// `Code: message` (or just the code when there is no message).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl Serialize for ApiError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", &self.code)?;
        if !self.message.is_empty() {
            map.serialize_entry("message", &self.message)?;
        }
        for (key, value) in &self.extra {
            let shadowed = key == "code" || (key == "message" && !self.message.is_empty());
            if !shadowed {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ApiError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ApiError;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an error object with a `code`")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut access: M,
            ) -> Result<ApiError, M::Error> {
                let mut code = None;
                let mut message = String::new();
                let mut extra = Map::new();
                while let Some(crate::lossless::Key(key)) = access.next_key()? {
                    match key.as_ref() {
                        "code" => code = Some(access.next_value::<ErrorCode>()?),
                        "message" => match access.next_value::<Value>()? {
                            Value::String(text) if !text.is_empty() => {
                                extra.shift_remove("message");
                                message = text;
                            }
                            empty @ (Value::String(_) | Value::Null) => {
                                message.clear();
                                extra.insert(key.into_owned(), empty);
                            }
                            other => {
                                if crate::lossless::is_strict() {
                                    return Err(serde::de::Error::custom(format_args!(
                                        "member `message`: expected a string, found {}",
                                        crate::lossless::kind_of(&other)
                                    )));
                                }
                                message.clear();
                                extra.insert(key.into_owned(), other);
                            }
                        },
                        _ => {
                            let value: Value = access.next_value()?;
                            extra.insert(key.into_owned(), value);
                        }
                    }
                }
                let code = code.ok_or_else(|| serde::de::Error::missing_field("code"))?;
                Ok(ApiError {
                    code,
                    message,
                    extra,
                })
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// What a client should do about an error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryClass {
    /// A transient condition: retry soon, with backoff.
    RetrySoon,
    /// A quota window is spent: retry only after the window rolls over (the minute window
    /// clears by itself; a spent day or month does not clear until it resets).
    RetryAfterQuotaWindow,
    /// Retrying will not change the answer.
    Never,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, $status:literal, $class:ident; )*) => {
        /// A VirusTotal error code (see `vt-api.md` §3). Unknown codes are kept in
        /// [`ErrorCode::Other`], so a new code never breaks decoding.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// A code this version does not know, kept verbatim.
            Other(String),
        }

        impl ErrorCode {
            /// Every documented code, in the order of VirusTotal's table.
            pub const DOCUMENTED: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as VirusTotal writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( ErrorCode::$variant => $text, )*
                    ErrorCode::Other(s) => s,
                }
            }

            /// Parses a code; never fails (unknown codes become [`ErrorCode::Other`]).
            pub fn parse(s: &str) -> ErrorCode {
                match s {
                    $( $text => ErrorCode::$variant, )*
                    // One GTI example sends the code without its "Error" suffix.
                    "TooManyRequests" => ErrorCode::TooManyRequests,
                    other => ErrorCode::Other(other.to_owned()),
                }
            }

            /// The HTTP status VirusTotal documents for this code (`None` for unknown codes).
            pub fn http_status(&self) -> Option<u16> {
                match self {
                    $( ErrorCode::$variant => Some($status), )*
                    ErrorCode::Other(_) => None,
                }
            }

            /// What a client should do about this code.
            ///
            /// ```
            /// use vt_model::{ErrorCode, RetryClass};
            /// assert_eq!(ErrorCode::Transient.retry_class(), RetryClass::RetrySoon);
            /// assert_eq!(ErrorCode::QuotaExceeded.retry_class(), RetryClass::RetryAfterQuotaWindow);
            /// assert_eq!(ErrorCode::NotFound.retry_class(), RetryClass::Never);
            /// ```
            pub fn retry_class(&self) -> RetryClass {
                match self {
                    $( ErrorCode::$variant => RetryClass::$class, )*
                    ErrorCode::Other(_) => RetryClass::Never,
                }
            }
        }
    };
}

error_codes! {
    /// 400: the request is malformed or invalid.
    BadRequest = "BadRequestError", 400, Never;
    /// 400: a supplied argument is wrong.
    InvalidArgument = "InvalidArgumentError", 400, Never;
    /// 400: the resource will exist later.
    NotAvailableYet = "NotAvailableYet", 400, RetrySoon;
    /// 400: a content search is not selective enough.
    UnselectiveContentQuery = "UnselectiveContentQueryError", 400, Never;
    /// 400: an unsupported content search.
    UnsupportedContentQuery = "UnsupportedContentQueryError", 400, Never;
    /// 401: no API key was supplied.
    AuthenticationRequired = "AuthenticationRequiredError", 401, Never;
    /// 401: the account is not active.
    UserNotActive = "UserNotActiveError", 401, Never;
    /// 401: the API key is wrong.
    WrongCredentials = "WrongCredentialsError", 401, Never;
    /// 403: the key may not do this (for example a premium endpoint with a public key).
    Forbidden = "ForbiddenError", 403, Never;
    /// 404: the object or route does not exist.
    NotFound = "NotFoundError", 404, Never;
    /// 409: the object already exists (for example a second vote).
    AlreadyExists = "AlreadyExistsError", 409, Never;
    /// 424: a request this one depended on failed.
    FailedDependency = "FailedDependencyError", 424, Never;
    /// 429: a minute, day or month quota is spent.
    QuotaExceeded = "QuotaExceededError", 429, RetryAfterQuotaWindow;
    /// 429: too many requests right now.
    TooManyRequests = "TooManyRequestsError", 429, RetrySoon;
    /// 503: a transient server error.
    Transient = "TransientError", 503, RetrySoon;
    /// 504: the operation took too long.
    DeadlineExceeded = "DeadlineExceededError", 504, RetrySoon;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ErrorCode {
    fn from(s: &str) -> Self {
        ErrorCode::parse(s)
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ErrorCode::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_round_trips_through_its_text() {
        for code in ErrorCode::DOCUMENTED {
            assert_eq!(&ErrorCode::parse(code.as_str()), code);
            let json = serde_json::to_string(code).unwrap();
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, code);
        }
        assert_eq!(ErrorCode::DOCUMENTED.len(), 16);
    }

    #[test]
    fn unknown_codes_are_kept_and_never_retried() {
        let code = ErrorCode::parse("BrandNewError");
        assert_eq!(code, ErrorCode::Other("BrandNewError".into()));
        assert_eq!(code.as_str(), "BrandNewError");
        assert_eq!(code.retry_class(), RetryClass::Never);
        assert_eq!(code.http_status(), None);
    }

    #[test]
    fn the_suffixless_gti_spelling_is_too_many_requests() {
        assert_eq!(
            ErrorCode::parse("TooManyRequests"),
            ErrorCode::TooManyRequests
        );
    }

    #[test]
    fn classification_matches_the_spec_table() {
        use RetryClass::*;
        let expect = [
            ("BadRequestError", 400, Never),
            ("NotAvailableYet", 400, RetrySoon),
            ("WrongCredentialsError", 401, Never),
            ("ForbiddenError", 403, Never),
            ("NotFoundError", 404, Never),
            ("AlreadyExistsError", 409, Never),
            ("FailedDependencyError", 424, Never),
            ("QuotaExceededError", 429, RetryAfterQuotaWindow),
            ("TooManyRequestsError", 429, RetrySoon),
            ("TransientError", 503, RetrySoon),
            ("DeadlineExceededError", 504, RetrySoon),
        ];
        for (text, status, class) in expect {
            let code = ErrorCode::parse(text);
            assert_eq!(code.http_status(), Some(status), "{text}");
            assert_eq!(code.retry_class(), class, "{text}");
        }
    }

    #[test]
    fn error_bodies_round_trip_whatever_the_message_looks_like() {
        for text in [
            r#"{"error":{"code":"TransientError"}}"#,
            r#"{"error":{"code":"TransientError","message":""}}"#,
            r#"{"error":{"code":"TransientError","message":null}}"#,
            r#"{"error":{"code":"X","message":"m","details":[1]},"meta":{"a":1}}"#,
        ] {
            let body: ApiErrorBody = crate::from_str_strict(text).unwrap();
            assert_eq!(serde_json::to_string(&body).unwrap(), text);
        }
        let lenient: ApiErrorBody =
            serde_json::from_str(r#"{"error":{"code":"X","message":5}}"#).unwrap();
        assert_eq!(lenient.error.message, "");
        assert_eq!(lenient.error.extra["message"], 5);
        assert!(
            crate::from_str_strict::<ApiErrorBody>(r#"{"error":{"code":"X","message":5}}"#)
                .is_err()
        );
    }

    #[test]
    fn display_shows_code_and_message() {
        assert_eq!(
            ApiError::new(ErrorCode::NotFound, "gone").to_string(),
            "NotFoundError: gone"
        );
        assert_eq!(
            ApiError::new(ErrorCode::Transient, "").to_string(),
            "TransientError"
        );
    }

    #[test]
    fn error_body_with_missing_message_decodes() {
        let body: ApiErrorBody =
            serde_json::from_str(r#"{"error": {"code": "TransientError"}}"#).unwrap();
        assert_eq!(body.error.code, ErrorCode::Transient);
        assert_eq!(body.error.message, "");
    }
}

//! The TLS back end, chosen by cargo feature: `native-tls` (the default: the platform's TLS
//! library, OpenSSL on Linux) or `rustls` (rustls with the ring provider: no C TLS library).
//! With both features on, rustls is used; with neither, the transport speaks plain `http://`
//! only and an `https://` request fails with [`crate::TransportError::Tls`].
//!
//! Either way certificate verification is always on, the roots are the system's (rustls with
//! the `webpki-roots` feature: Mozilla's, compiled in) and ALPN offers HTTP/2 and HTTP/1.1.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use crate::body::BoxError;

/// The TLS back end of this build: `"rustls"`, `"native-tls"` or `"none"`.
pub const TLS_BACKEND: &str = backend::NAME;

/// A connection that may be TLS-wrapped, over the plain connection `C`.
pub(crate) type MaybeTls<C> = backend::Stream<C>;

/// The connector that adds TLS on top of a plain one.
pub(crate) type TlsConnector<C> = backend::Connector<C>;

/// Builds the TLS connector over `plain` (loads the root certificates: call it once).
pub(crate) fn connector<C>(plain: C) -> Result<TlsConnector<C>, BoxError> {
    backend::connector(plain)
}

/// Wraps a plain connection (an `http://` request) in the stream type.
pub(crate) fn plain<C>(conn: C) -> MaybeTls<C> {
    backend::plain(conn)
}

/// Whether `e` (one link of an error chain) is an error of the TLS library.
pub(crate) fn is_tls_error(e: &(dyn StdError + 'static)) -> bool {
    if e.downcast_ref::<SharedTlsError>().is_some() {
        return true;
    }
    backend::is_tls_error(e)
}

/// The error of a failed connector build, shared by every connection attempt after it.
#[derive(Debug, Clone)]
pub(crate) struct SharedTlsError(pub(crate) Arc<dyn StdError + Send + Sync>);

impl fmt::Display for SharedTlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot set up TLS: {}", self.0)
    }
}

impl StdError for SharedTlsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

#[cfg(feature = "rustls")]
mod backend {
    use std::error::Error as StdError;
    use std::sync::Arc;

    use crate::body::BoxError;

    pub(super) const NAME: &str = "rustls";
    pub(super) type Stream<C> = hyper_rustls::MaybeHttpsStream<C>;
    pub(super) type Connector<C> = hyper_rustls::HttpsConnector<C>;

    pub(super) fn connector<C>(plain: C) -> Result<Connector<C>, BoxError> {
        // The provider is named, not taken from the process default: another crate of the
        // program could enable a second one, and then rustls could not pick.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        #[cfg(feature = "webpki-roots")]
        let builder = builder.with_provider_and_webpki_roots(provider)?;
        #[cfg(not(feature = "webpki-roots"))]
        let builder = builder.with_provider_and_native_roots(provider)?;
        Ok(builder
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(plain))
    }

    pub(super) fn plain<C>(conn: C) -> Stream<C> {
        hyper_rustls::MaybeHttpsStream::Http(conn)
    }

    /// rustls reports handshake failures as a `rustls::Error` inside an `io::Error`, itself
    /// sometimes inside another `io::Error`; `io::Error::source` skips the wrapped error, so
    /// the wrappers are opened here.
    pub(super) fn is_tls_error(e: &(dyn StdError + 'static)) -> bool {
        let mut cur = e;
        loop {
            if cur.is::<rustls::Error>() {
                return true;
            }
            match cur
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(inner) => cur = inner,
                None => return false,
            }
        }
    }
}

#[cfg(all(feature = "native-tls", not(feature = "rustls")))]
mod backend {
    use std::error::Error as StdError;

    use crate::body::BoxError;

    pub(super) const NAME: &str = "native-tls";
    pub(super) type Stream<C> = hyper_tls::MaybeHttpsStream<C>;
    pub(super) type Connector<C> = hyper_tls::HttpsConnector<C>;

    pub(super) fn connector<C>(plain: C) -> Result<Connector<C>, BoxError> {
        let tls = native_tls::TlsConnector::builder()
            .request_alpns(&["h2", "http/1.1"])
            .build()?;
        Ok(hyper_tls::HttpsConnector::from((plain, tls.into())))
    }

    pub(super) fn plain<C>(conn: C) -> Stream<C> {
        hyper_tls::MaybeHttpsStream::Http(conn)
    }

    pub(super) fn is_tls_error(e: &(dyn StdError + 'static)) -> bool {
        e.downcast_ref::<native_tls::Error>().is_some()
    }
}

#[cfg(not(any(feature = "native-tls", feature = "rustls")))]
mod backend {
    use std::error::Error as StdError;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use http::Uri;

    use crate::body::BoxError;

    pub(super) const NAME: &str = "none";
    pub(super) type Stream<C> = C;

    /// Never built: [`connector`] always fails. `S` is the plain connector it would wrap.
    #[derive(Clone)]
    pub(crate) struct Connector<S>(std::marker::PhantomData<S>);

    impl<S> tower::Service<Uri> for Connector<S>
    where
        S: tower::Service<Uri>,
        S::Response: Send + 'static,
    {
        type Response = S::Response;
        type Error = BoxError;
        type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _dst: Uri) -> Self::Future {
            Box::pin(async { Err(BoxError::from(NoTls)) })
        }
    }

    #[derive(Debug)]
    struct NoTls;

    impl std::fmt::Display for NoTls {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(
                "this build has no TLS back end (enable the `native-tls` or `rustls` feature)",
            )
        }
    }

    impl StdError for NoTls {}

    pub(super) fn connector<S>(_plain: S) -> Result<Connector<S>, BoxError> {
        Err(NoTls.into())
    }

    pub(super) fn plain<C>(conn: C) -> Stream<C> {
        conn
    }

    pub(super) fn is_tls_error(e: &(dyn StdError + 'static)) -> bool {
        e.is::<NoTls>()
    }
}

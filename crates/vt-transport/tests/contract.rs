//! What other crates rely on: the types' traits and the builder's validation.

use vt_transport::{
    ApiErrorInfo, RateLimitSpec, Transport, TransportBuilder, TransportError, TransportLayer,
};

fn assert_shareable<T: Clone + Send + Sync + 'static>() {}
fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}

#[test]
fn transport_is_clone_send_sync_and_errors_are_std_errors() {
    assert_shareable::<Transport>();
    assert_shareable::<TransportLayer>();
    assert_shareable::<ApiErrorInfo>();
    assert_error::<TransportError>();
}

#[test]
fn building_needs_no_runtime() {
    let t = TransportBuilder::new().api_key("k").build();
    assert!(t.is_ok(), "{:?}", t.err());
}

#[test]
fn unusable_settings_are_config_errors_that_do_not_echo_the_key() {
    let err = TransportBuilder::new()
        .api_key("line\nbreak-SECRET")
        .build()
        .unwrap_err();
    assert!(matches!(err, TransportError::Config { .. }));
    assert!(!err.to_string().contains("SECRET"));

    let err = TransportBuilder::new()
        .proxy("not a url at all")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("not a url at all"), "{err}");

    let err = TransportBuilder::new()
        .user_agent("bad\u{7}agent")
        .build()
        .unwrap_err();
    assert!(matches!(err, TransportError::Config { .. }), "{err:?}");
}

#[test]
fn the_builder_debug_shows_settings_but_not_the_key() {
    let b = TransportBuilder::new()
        .api_key("hidden-key-value")
        .rate_limit("premium:600".parse::<RateLimitSpec>().unwrap());
    let text = format!("{b:?}");
    assert!(text.contains("600/min"), "{text}");
    assert!(!text.contains("hidden-key-value"), "{text}");
}

mod common;

#[tokio::test]
async fn the_last_layer_added_is_the_outermost_and_custom_layers_wrap_the_whole_stack() {
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    let order: Arc<Mutex<Vec<(&'static str, bool)>>> = Arc::default();
    let recording = |name: &'static str| {
        let order = order.clone();
        tower::util::MapRequestLayer::new(move |req: http::Request<vt_transport::VtBody>| {
            // Whether the auth layer has run yet: custom layers are outside it.
            let keyed = req.headers().contains_key("x-apikey");
            order.lock().unwrap().push((name, keyed));
            req
        })
    };
    let fake = common::Fake::new(|_, _| common::respond(200, "{}"));
    let transport = TransportBuilder::new()
        .api_key("k")
        .rate_limit(RateLimitSpec::none())
        .layer(recording("first added"))
        .layer(recording("second added"))
        .build_with(fake.service())
        .unwrap();
    let response = transport
        .oneshot(common::get("http://127.0.0.1/api/v3/x"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        *order.lock().unwrap(),
        [("second added", false), ("first added", false)],
        "requests meet the last layer added first, before the built-in stack"
    );
    assert!(fake.seen()[0].headers.contains_key("x-apikey"));
}

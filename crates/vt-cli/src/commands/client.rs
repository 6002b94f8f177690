//! Building the API client from the settings: key, base URL, rate limit (shared with the
//! progress line), retries, timeouts, proxy, concurrency and the v2 batch size.

use crate::config::Settings;
use crate::exit::{CliError, CliResult, Exit, error_chain};

/// Builds the client from the settings: the key, base URL, rate limit, retries, timeouts,
/// proxy and concurrency. Every problem here is local (exit 2 or 3), before any request.
/// The progress line watches the client's rate limiter.
pub fn build_client(settings: &Settings) -> CliResult<ApiClient> {
    let spec: vt_api::RateLimitSpec = settings.rate_limit.0.parse().map_err(|e| {
        CliError::usage(format!("rate limit: {e}"))
            .with_detail("examples: public, premium:1000, none, 20/s, 4/min,500/day")
    })?;
    let limiter = match &settings.fleet {
        Some((url, _)) => fleet_limiter(settings, url, spec)?,
        None => vt_api::transport::RateLimiter::new(spec),
    };
    let client = build_client_with(settings, limiter.clone())?;
    // Built only if a long rate wait happens: the check's own client does not wait behind
    // the batch's queue.
    let told = |source| source != crate::config_file::Source::Default;
    let premium_check = if !told(settings.rate_limit.1) && !told(settings.tier.1) {
        let settings = settings.clone();
        let check: crate::progress::PremiumCheck = Box::pin(async move {
            let unlimited = vt_api::transport::RateLimiter::new(vt_api::RateLimitSpec::none());
            let checker = build_client_with(&settings, unlimited).ok()?;
            let key = settings.require_key().ok()?.expose().to_owned();
            premium_hint(&checker, &key).await
        });
        Some(check)
    } else {
        None
    };
    crate::progress::watch(limiter, premium_check);
    Ok(client)
}

/// A rate limiter whose windows live in the fleet's Redis (`--fleet`): connects now, so an
/// unreachable Redis is one line and exit 5 before any request. Mid-run, a lost Redis makes
/// requests wait up to `--timeout`.
fn fleet_limiter(
    settings: &Settings,
    url: &vt_redis::FleetUrl,
    spec: vt_api::RateLimitSpec,
) -> CliResult<vt_api::transport::RateLimiter> {
    let key = settings.require_key()?;
    let options = vt_redis::FleetOptions {
        outage_timeout: settings.timeout.0,
        ..vt_redis::FleetOptions::default()
    };
    let connect = vt_redis::RedisRateLimitStore::connect(url, key.expose(), options);
    // Called from the command's async code on the multi-threaded runtime.
    let store = tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(connect))
        .map_err(|e| CliError::new(Exit::Transport, e.to_string()))?;
    tracing::info!("fleet: rate limit {spec} shared through Redis at {url}");
    Ok(vt_api::transport::RateLimiter::with_store(
        spec,
        std::sync::Arc::new(store),
    ))
}

/// Whether the server says the key is premium (the `private` privilege); if so, the hint
/// that the default public rate can be raised.
async fn premium_hint(client: &ApiClient, key: &str) -> Option<String> {
    let user = client.users().get(key).await.ok()?;
    let user = serde_json::to_value(&user).ok()?;
    let premium = user["attributes"]["privileges"]["private"]["granted"].as_bool() == Some(true);
    premium.then(|| {
        "this key is premium, but vt keeps the public rate (4 requests a minute) unless told: \
         say --tier premium (or VT_TIER, or tier in the config file), or --rate-limit premium:N"
            .to_owned()
    })
}

fn build_client_with(
    settings: &Settings,
    limiter: vt_api::transport::RateLimiter,
) -> CliResult<ApiClient> {
    let key = settings.require_key()?;
    crate::logging::register_secret(key.expose());
    // The tier sets the v2 batch size (4 or 25); the rate limit is the tier's default unless
    // one was given (Settings::resolve fills it in).
    let mut builder = vt_api::Client::builder()
        .api_key(key.expose())
        .base_url(settings.base_url.0.clone())
        .user_agent(format!("vt-cli/{}", env!("CARGO_PKG_VERSION")))
        .tier(settings.tier.0)
        .transport(|t| t.rate_limiter(limiter))
        .max_retries(settings.retries.0)
        .response_timeout(settings.timeout.0)
        .idle_timeout(settings.timeout.0)
        .concurrency(settings.concurrency.0.max(1));
    if let Some((proxy, _)) = &settings.proxy {
        builder = builder.proxy(proxy.clone());
    }
    if let Some(store) = settings.cache.open_for_run()? {
        builder = builder.cache(store, settings.cache.policy());
    }
    builder.build().map_err(|e| {
        let what = if e.is_invalid_input() {
            "base URL"
        } else {
            "client setup"
        };
        CliError::usage(format!("{what}: {}", error_chain(&e)))
    })
}

/// The client type the CLI uses.
pub type ApiClient = vt_api::Client;

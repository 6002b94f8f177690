//! `vt metadata`, `vt quota`, `vt api` (`vt search`: search.rs).

use std::io::Read;

use serde_json::{Value, json};

use crate::cli::{ApiArgs, HttpMethod, PageArgs, QuotaArgs};
use crate::commands::context::Context;
use crate::commands::printing::{list, print_one};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, to_value};
use crate::output::Shape;

/// `vt metadata`.
pub async fn metadata(ctx: &Context) -> CliResult<Exit> {
    let c = ctx.client()?;
    let m = c.metadata().get().await.map_err(|e| fail("metadata", &e))?;
    let v = to_value(&m).map_err(|e| e.into_cli_error("metadata"))?;
    print_one(ctx, &json!({"type": "metadata", "attributes": v}))
}

/// `vt quota`: the quotas and their use (`/users/{id}/overall_quotas`; without `--user` the id
/// is the API key itself, which VirusTotal accepts; it is scrubbed from every log line).
pub async fn quota(ctx: &Context, args: QuotaArgs) -> CliResult<Exit> {
    let key = ctx.settings.require_key()?.clone();
    let user = match &args.user {
        Some(u) if u.trim().is_empty() || u.contains(|c: char| c.is_whitespace() || c == '/') => {
            return Err(CliError::usage(format!("user id {u:?}: no spaces or `/`")));
        }
        Some(u) => u.trim().to_owned(),
        None => key.expose().to_owned(),
    };
    let c = ctx.client()?;
    let q = c
        .users()
        .overall_quotas(&user)
        .await
        .map_err(|e| fail("quota", &e))?;
    // The tier from the user object's privileges; a group id has no user object.
    let tier = match c.users().tier(&user).await {
        Ok(tier) => tier,
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(fail("quota", &e)),
    };
    let v = to_value(&q).map_err(|e| e.into_cli_error("quota"))?;
    print_one(
        ctx,
        &json!({"type": "overall_quotas", "tier": tier, "attributes": v}),
    )
}

fn read_data(arg: &str) -> CliResult<Value> {
    let text = if arg == "@-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::usage(format!("--data @-: {e}")))?;
        s
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| CliError::usage(format!("--data {arg}: {e}")))?
    } else {
        arg.to_owned()
    };
    serde_json::from_str(&text).map_err(|e| CliError::usage(format!("--data: not JSON: {e}")))
}

/// Where `vt api` sends a path: a full URL as given; `/api/v3/...` (the path as it appears
/// in VirusTotal's documentation) or `/files/...` under the v3 prefix; `/vtapi/v2/...` to
/// the base URL's v2 API.
fn api_target(path: &str, base_url: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        return path.to_owned();
    }
    let path = format!("/{}", path.trim_start_matches('/'));
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .filter(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
            .map(str::to_owned)
    };
    if let Some(rest) = under(vt_api::request::V3_PREFIX) {
        return if rest.is_empty() {
            "/".to_owned()
        } else {
            rest
        };
    }
    if under("/vtapi/v2").is_some() {
        return format!("{}{path}", base_url.trim_end_matches('/'));
    }
    path
}

/// `vt api`: a raw call; prints the JSON answer as is.
pub async fn api(ctx: &Context, args: ApiArgs) -> CliResult<Exit> {
    let path = args.path.trim();
    if path.is_empty() || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CliError::usage(format!(
            "path {path:?}: expected something like /files/HASH"
        )));
    }
    let path = api_target(path, &ctx.settings.base_url.0);
    let data = args.data.as_deref().map(read_data).transpose()?;
    if data.is_some() && matches!(args.method, HttpMethod::Get | HttpMethod::Delete) {
        return Err(CliError::usage("--data goes with POST or PATCH"));
    }
    if args.all && args.method != HttpMethod::Get {
        return Err(CliError::usage("--all goes with GET"));
    }
    let c = ctx.client()?;
    let what = format!("{} {path}", format!("{:?}", args.method).to_uppercase());
    if args.all {
        let page = PageArgs {
            limit: 0,
            cursor: None,
            all: true,
        };
        return list(ctx, c.paginate::<Value>(&path), &page, &what, Shape::Many).await;
    }
    let empty = json!({});
    let answer: Value = match args.method {
        HttpMethod::Get => c.get_json(&path).await,
        HttpMethod::Post => c.post_json(&path, data.as_ref().unwrap_or(&empty)).await,
        HttpMethod::Patch => c.patch_json(&path, data.as_ref().unwrap_or(&empty)).await,
        HttpMethod::Delete => c.delete(&path).await.map(|()| Value::Null),
    }
    .map_err(|e| fail(&what, &e))?;
    if answer.is_null() {
        return Ok(Exit::Ok);
    }
    print_one(ctx, &answer)
}

#[cfg(test)]
mod tests {
    use super::api_target;

    #[test]
    fn api_paths_take_the_documented_prefix_or_none() {
        let base = "http://127.0.0.1:9";
        assert_eq!(api_target("/files/x", base), "/files/x");
        assert_eq!(api_target("files/x", base), "/files/x");
        assert_eq!(api_target("/api/v3/files/x", base), "/files/x");
        assert_eq!(api_target("api/v3/files/x?a=b", base), "/files/x?a=b");
        assert_eq!(api_target("/api/v3x/files", base), "/api/v3x/files");
        assert_eq!(
            api_target("/vtapi/v2/file/report?resource=x", base),
            "http://127.0.0.1:9/vtapi/v2/file/report?resource=x"
        );
        assert_eq!(api_target("https://h/api/v3/x", base), "https://h/api/v3/x");
    }
}

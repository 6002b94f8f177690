//! `vt search`, `vt metadata`, `vt quota`, `vt api`.

use std::io::Read;

use serde_json::{Value, json};

use crate::cli::{ApiArgs, HttpMethod, PageArgs, QuotaArgs, SearchArgs};
use crate::commands::{Context, fail, list, print_one, to_value};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Shape;

/// `vt search`.
pub async fn search(ctx: &Context, args: SearchArgs) -> CliResult<Exit> {
    let q = args.query.trim();
    if q.is_empty() {
        return Err(CliError::usage("the search query is empty"));
    }
    let c = ctx.client()?;
    list(
        ctx,
        c.search().query(q),
        &args.page,
        &format!("search {q:?}"),
        Shape::Many,
    )
    .await
}

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

/// `vt api`: a raw call; prints the JSON answer as is.
pub async fn api(ctx: &Context, args: ApiArgs) -> CliResult<Exit> {
    let path = args.path.trim();
    if path.is_empty() || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CliError::usage(format!(
            "path {path:?}: expected something like /files/HASH"
        )));
    }
    let path = if path.starts_with('/') || path.starts_with("http") {
        path.to_owned()
    } else {
        format!("/{path}")
    };
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

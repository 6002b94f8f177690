//! What applies to files, URLs, domains and IPs alike: `vt rescan`, `vt comments`,
//! `vt comment`, `vt votes`, `vt vote`, `vt related`.

use serde_json::Value;
use vt_model::Descriptor;

use crate::batch::{self, collect_inputs, validate_all};
use crate::cli::{CommentArgs, ListOnArgs, ObjectKind, RelatedArgs, RescanArgs, Verdict, VoteArgs};
use crate::commands::client::ApiClient;
use crate::commands::context::Context;
use crate::commands::identifiers::ObjectRef;
use crate::commands::printing::{list, print_one, shape_for};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, item_error, to_value};
use crate::output::Shape;

impl ObjectRef {
    async fn reanalyse(&self, c: &ApiClient) -> vt_api::Result<Descriptor> {
        match self {
            ObjectRef::File(id) => c.files().reanalyse(id).await,
            ObjectRef::Url(id) => c.urls().reanalyse(id).await,
            ObjectRef::Domain(id) => c.domains().reanalyse(id).await,
            ObjectRef::Ip(id) => c.ip_addresses().reanalyse(id).await,
        }
    }

    async fn add_comment(&self, c: &ApiClient, text: &str) -> vt_api::Result<Value> {
        let r = match self {
            ObjectRef::File(id) => c.files().add_comment(id, text).await,
            ObjectRef::Url(id) => c.urls().add_comment(id, text).await,
            ObjectRef::Domain(id) => c.domains().add_comment(id, text).await,
            ObjectRef::Ip(id) => c.ip_addresses().add_comment(id, text).await,
        }?;
        Ok(serde_json::to_value(&r).unwrap_or(Value::Null))
    }

    async fn add_vote(&self, c: &ApiClient, verdict: &vt_model::Verdict) -> vt_api::Result<Value> {
        let r = match self {
            ObjectRef::File(id) => c.files().add_vote(id, verdict).await,
            ObjectRef::Url(id) => c.urls().add_vote(id, verdict).await,
            ObjectRef::Domain(id) => c.domains().add_vote(id, verdict).await,
            ObjectRef::Ip(id) => c.ip_addresses().add_vote(id, verdict).await,
        }?;
        Ok(serde_json::to_value(&r).unwrap_or(Value::Null))
    }
}

fn parse_one(kind: ObjectKind, input: &str) -> CliResult<ObjectRef> {
    ObjectRef::parse(kind, input.trim()).map_err(CliError::usage)
}

/// `vt rescan`.
pub async fn rescan(ctx: &Context, args: RescanArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.ids)?;
    let kind = args.kind;
    let items = validate_all(kind.api_type(), inputs, |s| ObjectRef::parse(kind, s))?;
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    batch::run(
        items,
        &mut printer,
        ctx.batch(kind.api_type(), &args.batch),
        |_, obj, _| {
            let client = client.clone();
            async move {
                let d = obj.reanalyse(&client).await.map_err(|e| item_error(&e))?;
                to_value(&d)
            }
        },
    )
    .await
}

/// `vt comments`.
pub async fn comments(ctx: &Context, args: ListOnArgs) -> CliResult<Exit> {
    let obj = parse_one(args.kind, &args.id)?;
    let c = ctx.client()?;
    let what = format!("{} {}", args.kind.api_type(), args.id.trim());
    match &obj {
        ObjectRef::File(id) => {
            list(ctx, c.files().comments(id), &args.page, &what, Shape::Many).await
        }
        ObjectRef::Url(id) => {
            list(ctx, c.urls().comments(id), &args.page, &what, Shape::Many).await
        }
        ObjectRef::Domain(id) => {
            list(
                ctx,
                c.domains().comments(id),
                &args.page,
                &what,
                Shape::Many,
            )
            .await
        }
        ObjectRef::Ip(id) => {
            list(
                ctx,
                c.ip_addresses().comments(id),
                &args.page,
                &what,
                Shape::Many,
            )
            .await
        }
    }
}

/// `vt votes`.
pub async fn votes(ctx: &Context, args: ListOnArgs) -> CliResult<Exit> {
    let obj = parse_one(args.kind, &args.id)?;
    let c = ctx.client()?;
    let what = format!("{} {}", args.kind.api_type(), args.id.trim());
    match &obj {
        ObjectRef::File(id) => list(ctx, c.files().votes(id), &args.page, &what, Shape::Many).await,
        ObjectRef::Url(id) => list(ctx, c.urls().votes(id), &args.page, &what, Shape::Many).await,
        ObjectRef::Domain(id) => {
            list(ctx, c.domains().votes(id), &args.page, &what, Shape::Many).await
        }
        ObjectRef::Ip(id) => {
            list(
                ctx,
                c.ip_addresses().votes(id),
                &args.page,
                &what,
                Shape::Many,
            )
            .await
        }
    }
}

/// `vt comment`.
pub async fn comment(ctx: &Context, args: CommentArgs) -> CliResult<Exit> {
    let obj = parse_one(args.kind, &args.id)?;
    if args.text.trim().is_empty() {
        return Err(CliError::usage("the comment text is empty"));
    }
    let c = ctx.client()?;
    let what = format!("{} {}", args.kind.api_type(), args.id.trim());
    let v = obj
        .add_comment(&c, &args.text)
        .await
        .map_err(|e| fail(&what, &e))?;
    print_one(ctx, &v)
}

/// `vt vote`.
pub async fn vote(ctx: &Context, args: VoteArgs) -> CliResult<Exit> {
    let obj = parse_one(args.kind, &args.id)?;
    let c = ctx.client()?;
    let verdict = match args.verdict {
        Verdict::Malicious => vt_model::Verdict::Malicious,
        Verdict::Harmless => vt_model::Verdict::Harmless,
    };
    let what = format!("{} {}", args.kind.api_type(), args.id.trim());
    let v = obj
        .add_vote(&c, &verdict)
        .await
        .map_err(|e| fail(&what, &e))?;
    print_one(ctx, &v)
}

/// `vt related`.
pub async fn related(ctx: &Context, args: RelatedArgs) -> CliResult<Exit> {
    let obj = parse_one(args.kind, &args.id)?;
    let kind = args.kind.api_type();
    let rel = relationship(kind, args.relationship.trim(), ctx.settings.quiet)?;
    let rel = rel.as_str();
    let c = ctx.client()?;
    let what = format!("{} {} {rel}", args.kind.api_type(), args.id.trim());
    let p = &args.page;
    let m = Shape::Many;
    match (&obj, args.descriptors) {
        (ObjectRef::File(id), false) => list(ctx, c.files().related(id, rel), p, &what, m).await,
        (ObjectRef::File(id), true) => {
            list(ctx, c.files().related_descriptors(id, rel), p, &what, m).await
        }
        (ObjectRef::Url(id), false) => list(ctx, c.urls().related(id, rel), p, &what, m).await,
        (ObjectRef::Url(id), true) => {
            list(ctx, c.urls().related_descriptors(id, rel), p, &what, m).await
        }
        (ObjectRef::Domain(id), false) => {
            list(ctx, c.domains().related(id, rel), p, &what, m).await
        }
        (ObjectRef::Domain(id), true) => {
            list(ctx, c.domains().related_descriptors(id, rel), p, &what, m).await
        }
        (ObjectRef::Ip(id), false) => {
            list(ctx, c.ip_addresses().related(id, rel), p, &what, m).await
        }
        (ObjectRef::Ip(id), true) => {
            list(
                ctx,
                c.ip_addresses().related_descriptors(id, rel),
                p,
                &what,
                m,
            )
            .await
        }
    }
}

/// A relationship name, checked by its shape only (open world): a well-formed name this
/// version does not know is sent all the same, with a "did you mean" warning for a near miss
/// (unless `quiet`) and a `-v` note otherwise.
pub(crate) fn relationship(
    kind: &str,
    name: &str,
    quiet: bool,
) -> CliResult<vt_model::RelationshipName> {
    let rel = vt_model::RelationshipName::parse(name)
        .map_err(|e| CliError::usage(e.to_string()).with_detail("`vt metadata` lists them"))?;
    if !rel.is_known_for(kind) {
        match vt_model::relationships::suggest(kind, name) {
            Some(close) if !quiet => eprintln!(
                "vt: warning: {name:?} is not a {kind} relationship this version knows; \
                 did you mean `{close}`? (sending it as given)"
            ),
            _ => tracing::info!(
                target: "vt",
                "{name:?} is not a {kind} relationship this version knows; sending it as given"
            ),
        }
    }
    Ok(rel)
}

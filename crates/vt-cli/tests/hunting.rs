//! `vt yara check|scan` (offline) and `vt hunting` end to end through the binary against the
//! in-process emulator (the harness of `reliability_support`): rules compiled locally before
//! any request, rulesets created, listed, changed and deleted, a Livehunt notification after
//! an upload, its file with context; and the library's `client.hunting()` against the same
//! emulator.

mod common;

use std::path::Path;

use common::{Emu, KEY, run};
use serde_json::Value;
use vt_emulator::{EICAR_BYTES, EICAR_SHA256};

const EICAR_RULE: &str = "rule eicar : av {\n  strings:\n    $a = \"EICAR-STANDARD-ANTIVIRUS-TEST-FILE\"\n  condition:\n    $a\n}\n";

fn write(dir: &Path, name: &str, content: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.display().to_string()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines().map(json).collect()
}

#[test]
fn yara_check_compiles_locally_and_reports_errors_and_warnings_with_file_line_column() {
    let emu = Emu::start(|_| {});
    let dir = emu.home();
    let ok = write(dir, "ok.yar", EICAR_RULE.as_bytes());
    let r = run(emu
        .vt_without_key()
        .args(["yara", "check", &ok, "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r.stdout);
    assert_eq!(v["attributes"]["rule_names"], serde_json::json!(["eicar"]));
    assert_eq!(r.stderr, "");
    // A warning: printed on stderr with file:line:column, not fatal.
    let warn = write(
        dir,
        "warn.yar",
        b"rule w {\n  strings:\n    $a = { 01 }\n  condition:\n    $a\n}\n",
    );
    let r = run(emu
        .vt_without_key()
        .args(["yara", "check", &warn, "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warn.yar:3:10: warning[slow_pattern]"),
        "{}",
        r.stderr
    );
    assert_eq!(json(&r.stdout)["attributes"]["warnings"][0]["line"], 3);
    // An error: exit 2, one line, file:line:column and the compiler's message.
    let bad = write(dir, "bad.yar", b"rule a {\n  condition: nope\n}\n");
    let r = run(emu.vt_without_key().args(["yara", "check", &ok, &bad]));
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "", "nothing printed when one file is bad");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("bad.yar:2:14: error[E009]: unknown identifier `nope`"),
        "{}",
        r.stderr
    );
    // Offline: no request at all.
    assert!(emu.api_requests().is_empty());
}

#[test]
fn yara_scan_reports_the_matching_rules_per_file_of_a_tree() {
    let emu = Emu::start(|_| {});
    let dir = emu.home().join("tree");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    write(&dir.join("sub"), "eicar.com", EICAR_BYTES);
    write(&dir, "clean.txt", b"clean");
    let rules = write(emu.home(), "r.yar", EICAR_RULE.as_bytes());
    let tree = dir.display().to_string();
    let r = run(emu
        .vt_without_key()
        .args(["yara", "scan", &rules, &tree, "--format", "ndjson"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = ndjson(&r.stdout);
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["id"].as_str().unwrap().ends_with("clean.txt"));
    assert_eq!(lines[0]["attributes"]["matches"], serde_json::json!([]));
    assert!(lines[1]["id"].as_str().unwrap().ends_with("eicar.com"));
    assert_eq!(lines[1]["attributes"]["matches"][0]["rule"], "eicar");
    assert_eq!(
        lines[1]["attributes"]["matches"][0]["tags"],
        serde_json::json!(["av"])
    );
    let r = run(emu.vt_without_key().args([
        "yara",
        "scan",
        &rules,
        &tree,
        "--matches-only",
        "--format",
        "ndjson",
    ]));
    assert_eq!(ndjson(&r.stdout).len(), 1);
    let r = run(emu
        .vt_without_key()
        .args(["yara", "scan", &rules, "/no/such/dir"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("/no/such/dir"));
}

#[test]
fn hunting_rulesets_and_a_livehunt_notification_after_an_upload() {
    let emu = Emu::start(|_| {});
    let home = emu.home().to_owned();
    let rules = write(&home, "eicar.yar", EICAR_RULE.as_bytes());
    // A ruleset that does not compile: exit 2, the compiler's line, and no request.
    let bad = write(&home, "bad.yar", b"rule a {\n  condition: nope\n}\n");
    let r = run(emu
        .vt()
        .args(["hunting", "ruleset", "create", "broken", &bad]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bad.yar:2:14: error[E009]"),
        "{}",
        r.stderr
    );
    assert!(emu.api_requests().is_empty(), "nothing sent");
    // Create (vt-cli's `ht rs add` works too), list, get.
    let r = run(emu.vt().args([
        "ht",
        "rs",
        "add",
        "EICAR watch",
        &rules,
        "--limit",
        "50",
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rs = json(&r.stdout);
    let id = rs["id"].as_str().unwrap().to_owned();
    assert_eq!(rs["attributes"]["limit"], 50);
    assert_eq!(rs["attributes"]["rule_names"], serde_json::json!(["eicar"]));
    let r = run(emu.vt().args([
        "hunting",
        "ruleset",
        "list",
        "--filter",
        "enabled:true",
        "--format",
        "ndjson",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(ndjson(&r.stdout).len(), 1);
    // Disable, rename, enable: each a PATCH of one attribute.
    let r = run(emu
        .vt()
        .args(["hunting", "ruleset", "disable", &id, "--format", "json"]));
    assert_eq!(json(&r.stdout)["attributes"]["enabled"], false);
    let r = run(emu.vt().args([
        "hunting",
        "ruleset",
        "rename",
        &id,
        "eicar hunt",
        "--format",
        "json",
    ]));
    assert_eq!(json(&r.stdout)["attributes"]["name"], "eicar hunt");
    let r = run(emu
        .vt()
        .args(["hunting", "ruleset", "enable", &id, "--format", "json"]));
    assert_eq!(json(&r.stdout)["attributes"]["enabled"], true);
    // Upload EICAR: the ruleset raises a notification with the file.
    let sample = write(&home, "eicar.com", EICAR_BYTES);
    let r = run(emu.vt().args(["scan", "file", &sample]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(emu
        .vt()
        .args(["hunting", "notifications", "list", "--format", "ndjson"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let notes = ndjson(&r.stdout);
    assert_eq!(notes.len(), 1, "{}", r.stdout);
    assert_eq!(notes[0]["attributes"]["rule_name"], "eicar");
    assert_eq!(notes[0]["attributes"]["ruleset_id"], id.as_str());
    assert_eq!(
        notes[0]["relationships"]["file"]["data"]["id"],
        EICAR_SHA256
    );
    let nid = notes[0]["id"].as_str().unwrap().to_owned();
    let r = run(emu
        .vt()
        .args(["hunting", "notifications", "files", "--format", "ndjson"]));
    let files = ndjson(&r.stdout);
    assert_eq!(files[0]["id"], EICAR_SHA256);
    assert_eq!(
        files[0]["context_attributes"]["notification_id"],
        nid.as_str()
    );
    assert_eq!(files[0]["context_attributes"]["ruleset_name"], "eicar hunt");
    // Update with rules that do not compile: refused locally, the ruleset unchanged.
    let before = emu.api_requests().len();
    let r = run(emu.vt().args(["hunting", "ruleset", "update", &id, &bad]));
    assert_eq!(r.code, 2);
    assert_eq!(emu.api_requests().len(), before);
    // Delete the notification (vt-cli's `nt` alias), then the ruleset; a second get fails.
    let r = run(emu.vt().args(["hunting", "nt", "delete", &nid]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(emu.vt().args(["hunting", "ruleset", "delete", &id]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(emu.vt().args(["hunting", "ruleset", "get", &id]));
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains(&id));
}

#[test]
fn deleting_every_ruleset_needs_all_and_the_confirming_user_name() {
    let emu = Emu::start(|_| {});
    let rules = write(emu.home(), "eicar.yar", EICAR_RULE.as_bytes());
    for name in ["one", "two"] {
        let r = run(emu
            .vt()
            .args(["hunting", "ruleset", "create", name, &rules]));
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let count = || {
        let r = run(emu
            .vt()
            .args(["hunting", "ruleset", "list", "--format", "ndjson"]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        ndjson(&r.stdout).len()
    };
    // No ids and no --all, or --all without --confirm (and the reverse): usage, exit 2,
    // no request.
    let before = emu.api_requests().len();
    for args in [
        &["hunting", "ruleset", "delete"][..],
        &["hunting", "ruleset", "delete", "--all"],
        &["hunting", "ruleset", "delete", "--confirm", "someone"],
        &["hunting", "ruleset", "delete", "--all", "--confirm", ""],
    ] {
        let r = run(emu.vt().args(args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    }
    assert_eq!(emu.api_requests().len(), before, "nothing sent");
    // Another user's name: VirusTotal refuses, nothing is deleted.
    let r = run(emu.vt().args([
        "hunting",
        "ruleset",
        "delete",
        "--all",
        "--confirm",
        "someone-else",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("BadRequestError"), "{}", r.stderr);
    assert_eq!(count(), 2);
    // The key's user name: every ruleset goes.
    let user = emu
        .handle
        .config()
        .keys
        .iter()
        .find(|k| k.key == KEY)
        .unwrap()
        .user_id
        .clone();
    let r = run(emu.vt().args(["ht", "rs", "rm", "-a", "--confirm", &user]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("deleted every hunting ruleset"),
        "{}",
        r.stderr
    );
    assert_eq!(count(), 0);
}

#[test]
fn hunting_with_a_public_key_exits_3() {
    let emu = Emu::start(|_| {});
    let r = run(emu
        .vt_without_key()
        .env("VT_API_KEY", common::DEFAULT_PUBLIC_KEY)
        .args(["hunting", "ruleset", "list"]));
    assert_eq!(r.code, 3, "{}", r.stderr);
}

#[test]
fn the_library_creates_a_ruleset_and_reads_the_notification_of_an_upload() {
    let emu = Emu::start(|_| {});
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use futures_util::TryStreamExt;
        let client = vt_api::Client::builder()
            .api_key(KEY)
            .base_url(emu.url())
            .rate_limit(vt_api::RateLimitSpec::none())
            .build()
            .unwrap();
        let h = client.hunting();
        let rs = h
            .create_ruleset("lib", EICAR_RULE, vt_api::hunting::RulesetChanges::new())
            .await
            .unwrap();
        assert_eq!(
            rs.attributes.rule_names.as_deref(),
            Some(&["eicar".to_owned()][..])
        );
        let err = h
            .create_ruleset("bad", "rule a { condition: nope }", Default::default())
            .await
            .unwrap_err();
        assert!(err.is_invalid_input(), "{err}");
        client
            .files()
            .upload_bytes("eicar.com", EICAR_BYTES.to_vec())
            .await
            .unwrap();
        let notes: Vec<_> = h.notifications().try_collect().await.unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].attributes.ruleset_id.as_deref(), Some(rs.id_str()));
        let files: Vec<_> = h.notification_files().try_collect().await.unwrap();
        let ctx = vt_model::HuntingNotificationContext::of(&files[0]).unwrap();
        assert_eq!(ctx.notification_id.as_deref(), Some(notes[0].id_str()));
        h.update_ruleset(
            rs.id_str(),
            vt_api::hunting::RulesetChanges::new().enabled(false),
        )
        .await
        .unwrap();
        let all: Vec<_> = h
            .rulesets()
            .filter("enabled:false")
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 1);
        h.delete_ruleset(rs.id_str()).await.unwrap();
        assert!(h.ruleset(rs.id_str()).await.unwrap_err().is_not_found());
    });
}

#[test]
fn a_url_ruleset_is_checked_for_urls_and_matches_a_submitted_url() {
    let emu = Emu::start(|_| {});
    let home = emu.home().to_owned();
    let url_rules = write(
        &home,
        "url.yar",
        b"import \"vt\"\nrule login_page { condition: vt.net.url.raw contains \"/login\" }\n",
    );
    let file_rules = write(
        &home,
        "new.yar",
        b"import \"vt\"\nrule fresh { condition: vt.metadata.new_file }\n",
    );
    // vt.net is for url, domain and ip_address rulesets only; vt.metadata for files.
    let r = run(emu.vt().args(["yara", "check", &url_rules]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("url.yar:2:"), "{}", r.stderr);
    assert!(r.stderr.contains("error[E100]"), "{}", r.stderr);
    let r = run(emu
        .vt()
        .args(["yara", "check", &url_rules, "--target", "url"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(emu.vt().args(["yara", "check", &file_rules]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(emu
        .vt()
        .args(["yara", "check", &file_rules, "--target", "ip"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    // A file ruleset with vt.net rules: exit 2, nothing sent.
    let r = run(emu
        .vt()
        .args(["hunting", "ruleset", "create", "urls", &url_rules]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(emu.api_requests().is_empty(), "nothing sent");
    let r = run(emu.vt().args([
        "hunting",
        "ruleset",
        "create",
        "urls",
        &url_rules,
        "--match-object-type",
        "url",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Without a type, an update sends rules that compile for some type.
    let id = json(&r.stdout)["id"].as_str().unwrap().to_owned();
    let r = run(emu
        .vt()
        .args(["hunting", "ruleset", "update", &id, &url_rules]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A submitted URL the rule matches raises an IoC stream notification.
    let r = run(emu
        .vt()
        .args(["scan", "url", "https://bank.evil-hunt.example/login"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(emu.vt().args([
        "iocstream",
        "list",
        "--filter",
        "entity_type:url source_type:hunting_ruleset",
        "--format",
        "ndjson",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let items = ndjson(&r.stdout);
    assert_eq!(items.len(), 1, "{}", r.stdout);
    let ctx = &items[0]["context_attributes"];
    assert_eq!(ctx["hunting_info"]["rule_name"], "login_page");
    assert_eq!(ctx["sources"][0]["id"], id.as_str());
    assert_eq!(
        items[0]["attributes"]["url"],
        "https://bank.evil-hunt.example/login"
    );
}

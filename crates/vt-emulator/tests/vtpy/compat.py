"""Drives the official vt-py client against a running vt-emulator.

Usage: python3 compat.py <base_url> <premium_key> <file sha256> <its contacted domains>
       <a file sandboxes ran> [yara]

Exercises get_object, iterator (limit/batch_size), scan_file (through the upload URL),
scan_url, wait_for_completion, post_object for comments and votes, download_file,
scan_file_private / scan_url_private, Intelligence search through iterator, download_zip_files,
error decoding, behaviour reports and relationships, Retrohunt jobs (post_object, get_object,
post to abort, iterator over matching_files, delete).
error decoding, behaviour reports and relationships, collections through post_object /
patch_object and the IoC stream through iterator.
Exits non-zero with a message on the first mismatch.
"""

import io
import hashlib
import sys
import tempfile
import zipfile
import urllib.parse

import vt
import vt.utils

EICAR_SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
EICAR_MD5 = "44d88612fea8a8f36de82e1278abb02f"


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def main():
    base_url, key = sys.argv[1], sys.argv[2]
    with vt.Client(key, host=base_url) as client:
        # get_object, by MD5; the id is always the SHA-256.
        f = client.get_object(f"/files/{EICAR_MD5}")
        check(f.id == EICAR_SHA256 and f.sha256 == EICAR_SHA256, "get_object returns EICAR")
        check(f.last_analysis_stats["malicious"] > 50, "EICAR is detected")
        check(hasattr(f, "last_analysis_date") and f.last_analysis_date.year >= 2020, "dates become datetimes")

        # Errors decode into vt.APIError with VirusTotal's codes.
        try:
            client.get_object("/files/" + "0" * 64)
            check(False, "unknown file raises")
        except vt.APIError as e:
            check(e.code == "NotFoundError", f"unknown file raises NotFoundError ({e.code})")

        # Iterators follow cursors to the end, with limit and batch_size.
        files = list(client.iterator("/intelligence/search", params={"query": "entity:file"}, batch_size=7, limit=30))
        check(len(files) == 30 and len({x.id for x in files}) == 30, "iterator with limit=30 batch_size=7")
        first = files[0].id
        domains = list(client.iterator(f"/files/{sys.argv[3]}/contacted_domains", batch_size=10))
        check(len(domains) == int(sys.argv[4]), f"iterator reaches the end ({len(domains)} domains)")
        check(all(d.type == "domain" for d in domains), "iterated objects are domains")
        check(first, "search returned ids")

        # scan_file goes through /files/upload_url and the absolute URL it returns.
        payload = b"vt-py compat test payload " * 100
        with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
            tmp.write(payload)
            tmp.flush()
            with open(tmp.name, "rb") as fh:
                analysis = client.scan_file(fh, wait_for_completion=True)
        check(analysis.status == "completed", "scan_file + wait_for_completion")
        sha256 = hashlib.sha256(payload).hexdigest()
        uploaded = client.get_object(f"/files/{sha256}")
        check(uploaded.size == len(payload), "uploaded file is known with its size")

        # scan_url, then wait_for_analysis_completion explicitly.
        analysis = client.scan_url("http://vtpy-compat.example.com/path")
        check(analysis.type == "analysis", "scan_url returns an analysis")
        # wait_for_analysis_completion is a coroutine in vt-py; run it on vt-py's own loop.
        done = vt.utils.make_sync(client.wait_for_analysis_completion(analysis))
        check(done.status == "completed", "wait_for_analysis_completion")
        url_obj = client.get_object(f"/urls/{vt.url_id('http://vtpy-compat.example.com/path')}")
        check(url_obj.url == "http://vtpy-compat.example.com/path", "submitted URL is known by url_id")

        # post_object: comments and votes; a second vote is AlreadyExistsError.
        comment = client.post_object(
            f"/files/{sha256}/comments",
            obj=vt.Object("comment", obj_attributes={"text": "posted by vt-py #compat"}),
        )
        check(comment.type == "comment" and "compat" in comment.tags, "post_object comment")
        comments = list(client.iterator(f"/files/{sha256}/comments"))
        check(any(c.id == comment.id for c in comments), "comment is listed")
        vote = client.post_object(
            f"/files/{sha256}/votes", obj=vt.Object("vote", obj_attributes={"verdict": "malicious"})
        )
        check(vote.verdict == "malicious", "post_object vote")
        try:
            client.post_object(
                f"/files/{sha256}/votes", obj=vt.Object("vote", obj_attributes={"verdict": "harmless"})
            )
            check(False, "second vote raises")
        except vt.APIError as e:
            check(e.code == "AlreadyExistsError", "second vote is AlreadyExistsError")

        # download_file follows the redirect to the signed URL.
        buf = io.BytesIO()
        client.download_file(EICAR_SHA256, buf)
        check(hashlib.sha256(buf.getvalue()).hexdigest() == EICAR_SHA256, "download_file returns EICAR's bytes")
        buf = io.BytesIO()
        client.download_file(sha256, buf)
        check(buf.getvalue() == payload, "download_file returns the uploaded bytes")

        # Intelligence search, as vt-py documents it: iterator over /intelligence/search.
        hits = list(client.iterator("/intelligence/search", params={"query": EICAR_MD5}))
        check([h.id for h in hits] == [EICAR_SHA256], "intelligence search by a bare hash")
        hits = list(
            client.iterator(
                "/intelligence/search", params={"query": "p:1+", "order": "positives-"}, limit=5
            )
        )
        positives = [h.last_analysis_stats["malicious"] for h in hits]
        check(len(hits) == 5 and positives == sorted(positives, reverse=True), "search p:1+ ordered by positives-")
        try:
            list(client.iterator("/intelligence/search", params={"query": 'content:"MZ"'}))
            check(False, "an unsupported modifier raises")
        except vt.APIError as e:
            check(e.code == "InvalidArgumentError", f"an unsupported modifier is InvalidArgumentError ({e.code})")

        # download_zip_files: create, poll while starting/creating, follow /download's redirect.
        buf = io.BytesIO()
        client.download_zip_files([EICAR_SHA256, sha256], buf, password="infected", sleep_time=1)
        bundle = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        check(sorted(bundle.namelist()) == sorted([EICAR_SHA256, sha256]), "the ZIP holds both files")
        check(bundle.read(sha256, pwd=b"infected") == payload, "the ZIP opens with its password")
        # Sandbox behaviour reports: the list, one report by its sandbox id, the summary.
        sandboxed = sys.argv[5]
        reports = list(client.iterator(f"/files/{sandboxed}/behaviours"))
        check(reports and all(r.type == "file_behaviour" for r in reports), "behaviours iterate")
        one = client.get_object("/file_behaviours/" + urllib.parse.quote(reports[0].id))
        check(one.sandbox_name == reports[0].sandbox_name, "file_behaviour by sandbox id")
        summary = client.get_data(f"/files/{sandboxed}/behaviour_summary")
        check("sandbox_name" not in summary and summary["verdicts"], "behaviour_summary merges reports")

        # Private scanning: scan_file_private (through /private/files/upload_url, waiting on
        # /private/analyses) and scan_url_private; nothing private shows up publicly.
        private_payload = b"vt-py private compat payload " * 50
        private_sha256 = hashlib.sha256(private_payload).hexdigest()
        with tempfile.NamedTemporaryFile(suffix=".bin") as tmp:
            tmp.write(private_payload)
            tmp.flush()
            analysis = client.scan_file_private(tmp.name, wait_for_completion=True)
        check(analysis.type == "private_analysis" and analysis.status == "completed",
              "scan_file_private + wait_for_completion")
        private_file = client.get_object(f"/private/files/{private_sha256}")
        check(private_file.type == "private_file" and private_file.size == len(private_payload),
              "the private file report")
        try:
            client.get_object(f"/files/{private_sha256}")
            check(False, "a private upload is not public")
        except vt.APIError as e:
            check(e.code == "NotFoundError", "a private upload is not a public file")
        analysis = client.scan_url_private("http://vtpy-private.example.com/x")
        check(analysis.type == "private_analysis", "scan_url_private returns a private analysis")
        done = client.get_object(f"/private/analyses/{analysis.id}")
        check(done.status == "completed", "the private URL analysis completes")

        # Collections (post_object / patch_object) and the IoC stream (iterator).
        collection_checks(client)

        # Plain JSON helpers.
        user = client.get_json(f"/users/{key}")
        check(user["data"]["type"] == "user", "get_json users")

        # Feeds: client.feed(FeedType.FILES, cursor=...) reads the bz2 packages behind the
        # 302; its cursor ("YYYYMMDDhhmm-N") resumes exactly where it stopped.
        feed_checks(client)

        # Livehunt (when the emulator runs YARA): post_object creates a ruleset, an upload
        # raises a notification, iterator lists it.
        if "yara" in sys.argv[6:]:
            hunting_checks(client)

        # Retrohunt, last: it moves the emulator's clock. Jobs need the emulator's YARA engine.
        if len(sys.argv) > 6 and sys.argv[6] == "yara":
            retrohunt_checks(client, base_url)
        else:
            job = vt.Object("retrohunt_job")
            job.rules = "rule a { condition: true }"
            try:
                client.post_object("/intelligence/retrohunt_jobs", obj=job)
                check(False, "a Retrohunt job without YARA is refused")
            except vt.APIError as e:
                check(e.code == "BadRequestError", "a Retrohunt job without YARA is BadRequestError")
    print("ALL OK")


def retrohunt_checks(client, base_url):
    import re
    import time
    import urllib.request

    def advance(seconds):
        request = urllib.request.Request(f"{base_url}/_emulator/clock?advance={seconds}", method="POST")
        urllib.request.urlopen(request).read()

    rules = 'rule eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }'
    job = vt.Object("retrohunt_job")
    job.rules = rules
    job = client.post_object("/intelligence/retrohunt_jobs", obj=job)
    check(job.type == "retrohunt_job" and job.status == "starting" and re.fullmatch(r".+-\d+", job.id),
          f"post_object starts a Retrohunt job ({job.id})")
    advance(60)
    for _ in range(200):
        job = client.get_object("/intelligence/retrohunt_jobs/{}", job.id)
        if job.status == "finished":
            break
        time.sleep(0.05)
    check(job.status == "finished" and job.progress == 100 and job.scanned_bytes > 0,
          "get_object follows the job to finished")
    matched = list(client.iterator(f"/intelligence/retrohunt_jobs/{job.id}/matching_files"))
    check([f.id for f in matched] == [EICAR_SHA256] and job.num_matches == 1,
          "iterator over matching_files: the EICAR rule matched the EICAR file and nothing else")
    check(matched[0].context_attributes["rule_name"] == "eicar", "a match names its rule")
    stream = list(client.iterator("/ioc_stream",
                                  params={"filter": f"source_type:retrohunt_job source_id:{job.id}"}))
    check([o.id for o in stream] == [EICAR_SHA256]
          and stream[0].context_attributes["hunting_info"]["rule_name"] == "eicar"
          and "*begin_highlight*" in stream[0].context_attributes["hunting_info"]["snippet"],
          "the job's match is in the IoC stream (source_type retrohunt_job), its snippet highlighted")
    listed = [j.id for j in client.iterator("/intelligence/retrohunt_jobs", limit=5)]
    check(job.id in listed, "iterator over the caller's jobs")
    other = vt.Object("retrohunt_job")
    other.rules = rules
    other = client.post_object("/intelligence/retrohunt_jobs", obj=other)
    response = client.post(f"/intelligence/retrohunt_jobs/{other.id}/abort")
    check(response.status == 200, "post to abort answers 200")
    other = client.get_object("/intelligence/retrohunt_jobs/{}", other.id)
    check(other.status == "aborting", "the aborted job is aborting")
    client.delete(f"/intelligence/retrohunt_jobs/{other.id}")
    try:
        client.get_object("/intelligence/retrohunt_jobs/{}", other.id)
        check(False, "a deleted job is gone")
    except vt.APIError as e:
        check(e.code == "NotFoundError", "a deleted job is NotFoundError")


def collection_checks(client):
    # As vt-py's examples/create_collection.py: raw_items beside the attributes.
    new = vt.Object("collection", obj_attributes={"name": "vt-py compat", "description": "from vt-py"})
    new.set_data("raw_items", f"www.vtpy-compat.example\nhttps://www.hooli.example/x 8.8.8.8 {EICAR_MD5}")
    created = client.post_object("/collections", obj=new)
    check(created.type == "collection" and created.domains_count == 1 and created.urls_count == 1
          and created.ip_addresses_count == 1 and created.files_count == 1,
          "post_object collection from raw_items")
    # As examples/update_collection.py: patch_object adds raw_items.
    more = vt.Object("collection", obj_id=created.id)
    more.set_data("raw_items", "1.1.1.1")
    updated = client.patch_object(f"/collections/{created.id}", obj=more)
    check(updated.ip_addresses_count == 2, "patch_object adds raw_items")
    rename = vt.Object("collection", obj_id=created.id)
    rename.name = "vt-py renamed"
    check(client.patch_object(f"/collections/{created.id}", obj=rename).name == "vt-py renamed",
          "patch_object renames")
    other = vt.Object("collection", obj_attributes={"name": "vt-py other"})
    other.set_data("raw_items", "other.vtpy-compat.example")
    other = client.post_object("/collections", obj=other)
    clash = vt.Object("collection", obj_id=other.id)
    clash.name = "VT-PY RENAMED"
    try:
        client.patch_object(f"/collections/{other.id}", obj=clash)
        check(False, "a clashing rename raises")
    except vt.APIError as e:
        check(e.code == "AlreadyExistsError", f"a clashing rename is AlreadyExistsError ({e.code})")
    files = list(client.iterator(f"/collections/{created.id}/files"))
    check([f.id for f in files] == [EICAR_SHA256], "collection relationship through iterator")
    # The creator follows the collection: its indicators are in the IoC stream.
    items = list(client.iterator("/ioc_stream", params={"filter": f"source_id:{created.id}"}, limit=20))
    check(len(items) == 5 and all(i.context_attributes["origin"] == "subscriptions" for i in items),
          "ioc_stream through iterator, with context_attributes")
    notification = items[0].context_attributes["notification_id"]
    client.delete(f"/ioc_stream_notifications/{notification}")
    left = list(client.iterator("/ioc_stream", params={"filter": f"source_id:{created.id}"}))
    check(len(left) == 4, "one notification deleted")
    client.delete(f"/collections/{created.id}")
    try:
        client.get_object(f"/collections/{created.id}")
        check(False, "a deleted collection raises")
    except vt.APIError as e:
        check(e.code == "NotFoundError", "a deleted collection is NotFoundError")
def hunting_checks(client):
    rules = 'rule vtpy_eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }'
    ruleset = vt.Object("hunting_ruleset", obj_attributes={"name": "vt-py hunt", "enabled": True, "rules": rules})
    created = client.post_object("/intelligence/hunting_rulesets", obj=ruleset)
    check(created.type == "hunting_ruleset" and created.rule_names == ["vtpy_eicar"],
          "post_object creates a hunting ruleset")
    try:
        client.post_object("/intelligence/hunting_rulesets",
                           obj=vt.Object("hunting_ruleset", obj_attributes={"name": "bad", "rules": "rule a {"}))
        check(False, "a ruleset that does not compile is refused")
    except vt.APIError as e:
        check(e.code == "BadRequestError", f"a ruleset that does not compile is BadRequestError ({e.code})")
    # vt-py sends only the attributes changed since the object was read.
    current = client.get_object(f"/intelligence/hunting_rulesets/{created.id}")
    current.limit = 7
    changed = client.patch_object(f"/intelligence/hunting_rulesets/{created.id}", obj=current)
    check(changed.limit == 7, "patch_object changes a ruleset")
    eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    with tempfile.NamedTemporaryFile(suffix=".com") as tmp:
        tmp.write(eicar)
        tmp.flush()
        with open(tmp.name, "rb") as fh:
            client.scan_file(fh)
    notes = list(client.iterator("/intelligence/hunting_notifications", params={"filter": "tag:vtpy_eicar"}))
    check(len(notes) == 1 and notes[0].rule_name == "vtpy_eicar", "an upload raised a Livehunt notification")
    files = list(client.iterator("/intelligence/hunting_notification_files", params={"filter": "vtpy_eicar"}))
    check(files[0].id == EICAR_SHA256 and files[0].context_attributes["ruleset_id"] == created.id,
          "hunting_notification_files carry the notification context")
    client.delete(f"/intelligence/hunting_rulesets/{created.id}")
    rulesets = list(client.iterator("/intelligence/hunting_rulesets"))
    check(all(r.id != created.id for r in rulesets), "delete removes the ruleset")


def feed_checks(client):
    import datetime
    import itertools
    import re

    # Fifty minutes of published packages (the emulator's lag is the API's hour).
    start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=110)).strftime("%Y%m%d%H%M")
    whole = client.feed(vt.FeedType.FILES, cursor=start)
    six = list(itertools.islice(whole, 6))
    check(len(six) == 6 and all(o.type == "file" for o in six), "feed yields file objects")
    check(all(o.context_attributes.get("download_url", "").endswith(f"/api/v3/feeds/files/{o.id}/download") for o in six),
          "feed items carry their download_url")
    first = client.feed(vt.FeedType.FILES, cursor=start)
    three = list(itertools.islice(first, 3))
    cursor = first.cursor
    check(re.fullmatch(r"\d{12}-\d+", cursor) is not None, f"feed cursor is YYYYMMDDhhmm-N ({cursor})")
    rest = list(itertools.islice(client.feed(vt.FeedType.FILES, cursor=cursor), 3))
    check([o.id for o in three + rest] == [o.id for o in six], "a feed resumed from its cursor reads nothing twice, skips nothing")
    # The download link is used as is, as vt-py's examples/file_feed.py does.
    downloadable = [o for o in six if o.size]
    response = client.get(downloadable[0].context_attributes["download_url"])
    body = response.read()
    check(response.status == 200 and hashlib.sha256(body).hexdigest() == downloadable[0].id,
          "a feed item's download_url fetches the file")
    behaviours = list(itertools.islice(client.feed(vt.FeedType.FILE_BEHAVIOURS, cursor=start), 2))
    check(all(o.type == "file_behaviour" for o in behaviours) and len(behaviours) == 2, "behaviour feed yields file_behaviour objects")


if __name__ == "__main__":
    main()

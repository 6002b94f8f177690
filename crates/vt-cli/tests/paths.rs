//! Issue 7, item 5: `vt download` and `vt monitor download` never write outside the chosen
//! directory, whatever names are involved.
//!
//! Where names come from: `vt download` names a file by the hash the user gave (or writes to
//! the path given with `-o` for one hash); it never uses a name sent by the server
//! (`Content-Disposition` is ignored, and the signed download URL's last segment is not used).
//! `vt monitor download` names the file after the last segment of the item's path, decoded
//! from the item id, and item ids come from the server (`vt monitor items`): so hostile
//! paths (`..`, `.`, NUL, very long names, backslashes) are tested here, both as items the
//! emulator really holds (created with a raw multipart POST) and as ids it does not know.

mod reliability_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use reliability_support::{Emu, KEY, files_below, run};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The id of the monitor item at `path` (owner `emulator`), built without validation.
fn raw_item_id(path: &str) -> String {
    base64(format!("vtmonitor-v1://emulator{path}").as_bytes())
}

/// Creates a monitor file at `path` through a raw multipart POST (no client-side checks);
/// returns the HTTP status line.
fn create_item(emu: &Emu, path: &str) -> String {
    let boundary = "----reliability-paths";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n{path}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\
         Content-Type: application/octet-stream\r\n\r\nhostile bytes\r\n--{boundary}--\r\n"
    )
    .unwrap();
    let addr = emu.handle.addr();
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /api/v3/monitor/items HTTP/1.1\r\nHost: {addr}\r\nx-apikey: {KEY}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(&body).unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.lines().next().unwrap_or("").to_owned()
}

/// Runs `vt ARGS -o <base>/out` and checks nothing was written outside `<base>/out`, and
/// inside it only direct children with ordinary names.
fn assert_confined(emu: &Emu, args: &[&str]) {
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // The report cache lives under HOME (`.cache/vt/`) by design.
    let cache = emu.home().join(".cache/vt");
    let outside_cache = |files: Vec<std::path::PathBuf>| -> Vec<_> {
        files
            .into_iter()
            .filter(|p| !p.starts_with(&cache))
            .collect()
    };
    let before_home = outside_cache(files_below(emu.home()));
    let r = run(emu.vt().args(args).arg("-o").arg(&out));
    let outside: Vec<_> = files_below(base.path())
        .into_iter()
        .filter(|p| p.parent() != Some(out.as_path()))
        .collect();
    assert!(
        outside.is_empty(),
        "vt {args:?} wrote outside {}: {outside:?}\nstderr: {}",
        out.display(),
        r.stderr
    );
    assert_eq!(
        outside_cache(files_below(emu.home())),
        before_home,
        "vt {args:?} wrote into the working directory"
    );
    for f in files_below(&out) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name != "." && name != ".." && !name.contains('\0') && !name.contains(".vt-partial-"),
            "vt {args:?} left {name:?}"
        );
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    if r.code != 0 {
        assert_eq!(
            r.stderr.trim().lines().count(),
            1,
            "vt {args:?}: one error line: {}",
            r.stderr
        );
    }
}

#[test]
fn download_names_files_by_the_hash_given() {
    let emu = Emu::start(|_| {});
    let info = emu.handle.dataset().eicar().unwrap().clone();
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let r = run(emu
        .vt()
        .args(["download", &info.sha256, &info.md5, "-o"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut want = vec![out.join(&info.md5), out.join(&info.sha256)];
    want.sort();
    assert_eq!(files_below(base.path()), want);
    assert_eq!(
        std::fs::read(out.join(&info.md5)).unwrap(),
        vt_emulator::EICAR_BYTES
    );
}

#[test]
fn download_of_hostile_hashes_writes_nothing_anywhere() {
    let emu = Emu::start(|_| {});
    for bad in [
        "../../etc/passwd",
        "/etc/passwd",
        "..",
        ".",
        "a/../../b",
        "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f/../x",
    ] {
        assert_confined(&emu, &["download", bad]);
    }
    assert!(emu.api_requests().is_empty());
}

#[test]
fn monitor_download_of_ordinary_item_lands_in_the_directory() {
    let emu = Emu::start(|_| {});
    let id = raw_item_id("/releases/v1.0/app.exe");
    let base = tempfile::tempdir().unwrap();
    let r = run(emu
        .vt()
        .args(["monitor", "download", &id, "-o"])
        .arg(base.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(files_below(base.path()), vec![base.path().join("app.exe")]);
}

const HOSTILE_PATHS: &[&str] = &[
    "/evil/..",
    "/evil/.",
    "/..",
    "/evil/../../../../tmp/vt-escape",
    "/evil\\..\\..\\x.exe",
    "/evil/nul\0byte.exe",
    "/evil/line\nbreak.exe",
];

#[test]
fn monitor_download_of_hostile_item_paths_stays_in_the_directory() {
    let emu = Emu::start(|_| {});
    let long = format!("/evil/{}.exe", "x".repeat(5000));
    let mut paths: Vec<String> = HOSTILE_PATHS.iter().map(|p| (*p).to_owned()).collect();
    paths.push(long);
    for path in &paths {
        // Whatever the emulator makes of it (created, refused, normalised) ...
        let _status = create_item(&emu, path);
        // ... downloading that id writes nothing outside the directory.
        let id = raw_item_id(path);
        assert_confined(&emu, &["monitor", "download", &id]);
    }
    assert!(!Path::new("/tmp/vt-escape").exists());
}

#[test]
fn monitor_download_to_a_missing_directory_is_refused() {
    let emu = Emu::start(|_| {});
    let id = raw_item_id("/releases/v1.0/app.exe");
    let base = tempfile::tempdir().unwrap();
    let target = base.path().join("no/such/dir/");
    let r = run(emu
        .vt()
        .args(["monitor", "download", &id, "-o"])
        .arg(&target));
    assert_ne!(r.code, 0);
    assert!(files_below(base.path()).is_empty());
}

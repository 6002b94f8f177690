//! [`RedisServer`]: a real `redis-server` (Debian's `redis-server` package) on a free
//! 127.0.0.1 port with a temporary directory, for the fleet tests; stopped when dropped.
//!
//! Without `redis-server` on the `PATH`, [`RedisServer::start`] returns `None` (the test
//! skips with a message) unless `VT_REQUIRE_REDIS=1` (set by `.ci/run`, which installs it),
//! where it panics.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` child process; killed (and its directory removed) when dropped.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    /// Serves TLS only (see [`RedisServer::start_tls`]).
    tls: bool,
}

/// Whether `redis-server` can be started here.
pub fn redis_available() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl RedisServer {
    /// Starts a server on a free port (no persistence: a restart loses every key), or `None`
    /// when `redis-server` is missing and `VT_REQUIRE_REDIS` is not `1`.
    pub fn start() -> Option<RedisServer> {
        if !redis_available() {
            if std::env::var("VT_REQUIRE_REDIS").is_ok_and(|v| v == "1") {
                panic!(
                    "VT_REQUIRE_REDIS=1 but `redis-server` is missing: apt-get install redis-server"
                );
            }
            eprintln!(
                "skipping: redis-server is not installed (apt-get install redis-server; \
                 set VT_REQUIRE_REDIS=1 to make this fatal)"
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let dir = std::env::temp_dir().join(format!("vt-redis-test-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut server = RedisServer {
            child: None,
            port,
            dir,
            tls: false,
        };
        server.restart();
        Some(server)
    }

    /// [`RedisServer::start`], serving TLS only, with a certificate for `localhost` and
    /// `127.0.0.1` signed by a test CA ([`ca_file`](Self::ca_file); clients trust it with
    /// `SSL_CERT_FILE`). Made by the `openssl` command: `None` (skipped with a message) when
    /// it is missing or fails, unless `VT_REQUIRE_REDIS=1`.
    pub fn start_tls() -> Option<RedisServer> {
        let mut server = RedisServer::start()?;
        server.kill();
        if let Err(why) = make_certificates(&server.dir) {
            if std::env::var("VT_REQUIRE_REDIS").is_ok_and(|v| v == "1") {
                panic!("VT_REQUIRE_REDIS=1 but no TLS certificates: {why}");
            }
            eprintln!("skipping: no TLS certificates for redis-server ({why})");
            return None;
        }
        server.tls = true;
        server.restart();
        Some(server)
    }

    /// `redis://127.0.0.1:PORT/0`, or `rediss://localhost:PORT/0` for a TLS server.
    pub fn url(&self) -> String {
        if self.tls {
            format!("rediss://localhost:{}/0", self.port)
        } else {
            format!("redis://127.0.0.1:{}/0", self.port)
        }
    }

    /// The test CA's certificate (PEM) of a TLS server.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the server with SIGKILL (a crash: nothing is saved).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (empty: it had no persistence), after a
    /// [`kill`](Self::kill); waits until it answers `PING`.
    pub fn restart(&mut self) {
        self.kill();
        let mut command = Command::new("redis-server");
        if self.tls {
            command
                .args(["--port", "0", "--tls-port", &self.port.to_string()])
                .arg("--tls-cert-file")
                .arg(self.dir.join("server.pem"))
                .arg("--tls-key-file")
                .arg(self.dir.join("server.key"))
                .arg("--tls-ca-cert-file")
                .arg(self.ca_file())
                .args(["--tls-auth-clients", "no"]);
        } else {
            command.args(["--port", &self.port.to_string()]);
        }
        let child = command
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers() {
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not answer PING within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the server answers `PING` now (a TLS server: whether it accepts connections).
    pub fn answers(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        if self.tls {
            return true;
        }
        let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
        if s.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut buf = [0u8; 7];
        s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }
}

/// A test CA and a server certificate for `localhost` and `127.0.0.1` in `dir`, made by the
/// `openssl` command.
fn make_certificates(dir: &Path) -> Result<(), String> {
    let openssl = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("openssl: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "openssl {}: {}",
                args.first().copied().unwrap_or_default(),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    std::fs::write(
        dir.join("san.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .map_err(|e| e.to_string())?;
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=vt-rs test CA",
    ])?;
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ])?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.cnf",
    ])
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

//! Shared helpers for the end-to-end tests in `tests.rs`: run the real `quartier` binary on the
//! real files of this repository, and talk HTTP to a running `quartier serve`.
//!
//! # Which binary
//!
//! `env!("CARGO_BIN_EXE_quartier")` exists only for tests of the package that owns the binary
//! (`quartier-server`), so these tests find it themselves: `$QUARTIER_BIN` when set, else
//! `quartier` in the target directory the test executable was built into
//! (`target/debug/deps/tests-*` -> `target/debug/quartier`).
//! `cargo test --workspace` (what CI and `scripts/test-all.sh` run) builds that binary first,
//! because `quartier-server` has integration tests of its own.
//! Running only this package (`cargo test -p quartier-tests`) uses whatever binary was built
//! last: run `cargo build -p quartier-server` first after changing the server.
//!
//! Every command runs with the repository root as its working directory, as a user would run it
//! from a checkout; tests that write files get their own folder from [`scratch_dir`].

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The `quartier` binary to test (see the module docs).
pub fn quartier_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("QUARTIER_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    // target/<profile>/deps/tests-<hash> -> target/<profile>/quartier
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let bin = dir.join(format!("quartier{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "the quartier binary is not built at {}: run `cargo build -p quartier-server` \
         (`cargo test --workspace` builds it), or set QUARTIER_BIN",
        bin.display()
    );
    bin
}

/// A fresh, empty folder for one test.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quartier-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// What a finished command did.
#[derive(Debug)]
pub struct Output {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Run `quartier ARGS...` in `dir` to completion.
pub fn quartier_in(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(quartier_bin())
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .output()
        .unwrap_or_else(|e| panic!("cannot run quartier {args:?}: {e}"));
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run `quartier ARGS...` in the repository root to completion.
pub fn quartier(args: &[&str]) -> Output {
    quartier_in(&repo_root(), args)
}

/// How long a server may take to load its atlas and bind (a debug build on a busy 2-core machine);
/// a safety net against a hung test, not a measurement.
const START_LIMIT: Duration = Duration::from_secs(120);

/// A running `quartier serve`, stopped (killed) when dropped.
pub struct Server {
    child: Child,
    /// The address it listens on.
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Start `quartier serve --bind 127.0.0.1:0 ARGS...` in `dir` and wait until it says where it
    /// listens.
    pub fn start_in(dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(quartier_bin())
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .current_dir(dir)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start quartier serve: {e}"));
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().expect("stderr is piped");
        let sink = Arc::clone(&log);
        // Keep reading stderr for the whole life of the server, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.split("open http://").nth(1) {
                    let addr = url.split('/').next().unwrap_or_default().to_string();
                    let _ = tx.send(addr);
                }
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        let addr = match rx.recv_timeout(START_LIMIT) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = log.lock().map(|l| l.clone()).unwrap_or_default();
                panic!("quartier serve {args:?} did not start; its log:\n{log}");
            }
        };
        Server {
            child,
            addr: addr
                .parse()
                .unwrap_or_else(|e| panic!("bad address {addr:?} in the log: {e}")),
            log,
        }
    }

    /// Start `quartier serve --bind 127.0.0.1:0 ARGS...` in the repository root.
    pub fn start(args: &[&str]) -> Server {
        Server::start_in(&repo_root(), args)
    }

    /// `GET path` on this server.
    pub fn get(&self, path: &str) -> Response {
        http_get(self.addr, path)
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Send SIGHUP (reload the data) and wait until the log has one more line containing
    /// `outcome` than before, or panic after the start limit.
    #[cfg(unix)]
    pub fn hangup(&self, outcome: &str) {
        let before = self.log().matches(outcome).count();
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-HUP", &pid]).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "cannot send SIGHUP to {pid}"
        );
        let until = Instant::now() + START_LIMIT;
        while self.log().matches(outcome).count() == before {
            assert!(
                Instant::now() < until,
                "no {outcome:?} after SIGHUP; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Send SIGTERM and wait for the exit code (graceful shutdown).
    #[cfg(unix)]
    pub fn terminate(mut self) -> i32 {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "cannot send SIGTERM to {pid}"
        );
        let until = Instant::now() + START_LIMIT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < until,
                "quartier serve did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers, names in lowercase.
    pub headers: Vec<(String, String)>,
    /// Body (de-chunked).
    pub body: Vec<u8>,
}

impl Response {
    /// The first header with this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A minimal HTTP/1.1 `GET` with `Connection: close` (enough for a test; no TLS, no redirects).
pub fn http_get(addr: SocketAddr, path: &str) -> Response {
    let mut stream =
        TcpStream::connect(addr).unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"));
    let _ = stream.set_read_timeout(Some(START_LIMIT));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap_or_else(|e| panic!("cannot send to {addr}: {e}"));
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("cannot read from {addr}: {e}"));
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 || data.len() < end + 2 + size {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[(end + 4 + size).min(data.len())..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dechunking() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n"),
            b"Wikipedia"
        );
    }
}

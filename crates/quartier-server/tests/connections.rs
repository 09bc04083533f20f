//! Misbehaving clients against the real `quartier` binary on loopback: connections that send
//! nothing, half a request or stay idle are closed after `--header-timeout`; more idle sockets
//! than the open-file limit allows do not stop `/health`; SIGTERM exits within seconds even with
//! idle clients. (Before the accept loop had timeouts, all of these hung: see SECURITY.md.)

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

mod common;
use common::{get, Server};

/// How long until the server closes `stream` (a read returns end of file or a reset), at most
/// `limit`; `None` if it is still open then.
fn time_to_close(stream: &mut TcpStream, started: Instant, limit: Duration) -> Option<Duration> {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            // An answer (a 408 or the previous response's tail): keep reading until closed.
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None
            }
            Err(_) => return Some(started.elapsed()),
        }
        if started.elapsed() > limit {
            return None;
        }
    }
}

#[test]
fn silent_half_sent_and_idle_connections_are_closed_after_the_header_timeout() {
    let server = Server::start(None, &["--header-timeout", "1"]);
    let started = Instant::now();
    // Connects and sends nothing.
    let mut silent = TcpStream::connect(server.addr).unwrap();
    // Sends half a request and stops (slowloris).
    let mut partial = TcpStream::connect(server.addr).unwrap();
    partial
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    // A whole request on keep-alive, then idle.
    let mut idle = TcpStream::connect(server.addr).unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let limit = Duration::from_secs(5);
    for (name, stream) in [
        ("silent", &mut silent),
        ("partial headers", &mut partial),
        ("idle keep-alive", &mut idle),
    ] {
        let closed = time_to_close(stream, started, limit);
        let closed = closed.unwrap_or_else(|| panic!("{name}: still open after {limit:?}"));
        // The timeout is 1 s: closed after it, and well before the 5 s limit.
        assert!(closed >= Duration::from_millis(900), "{name}: {closed:?}");
        assert!(closed < Duration::from_secs(4), "{name}: {closed:?}");
    }
    assert!(get(server.addr, "/health", limit).unwrap().contains("200"));
}

#[test]
fn sigterm_exits_within_seconds_with_idle_clients() {
    // A long header timeout: the idle clients would stay for a minute on their own.
    let mut server = Server::start(None, &["--header-timeout", "60"]);
    let mut clients: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    for c in clients.iter_mut().take(10) {
        // Half of them finished a request and idle on keep-alive.
        c.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    server.signal("TERM");
    let took = server
        .wait_exit(Duration::from_secs(15))
        .unwrap_or_else(|| panic!("still running 15 s after SIGTERM: {}", server.log()));
    // The grace for busy connections is 3 s; idle ones do not wait for it to end.
    assert!(took < Duration::from_secs(5), "exit took {took:?}");
    assert!(server.log().contains("server stopped"), "{}", server.log());
}

#[test]
fn idle_sockets_beyond_the_open_file_limit_do_not_stop_health() {
    // 1,100 idle sockets against a server allowed 1,024 open files, with the default header
    // timeout (10 s): before, /health waited in the listen queue until idle sockets timed out.
    let mut server = Server::start(Some(1024), &[]);
    let started = Instant::now();
    let mut idle = Vec::new();
    let mut failed = Vec::new();
    while idle.len() < 1100 && started.elapsed() < Duration::from_secs(20) {
        match TcpStream::connect_timeout(&server.addr, Duration::from_secs(2)) {
            Ok(s) => idle.push(s),
            Err(e) => failed.push(e.to_string()),
        }
    }
    eprintln!(
        "{} connected, {} failed: {:?}",
        idle.len(),
        failed.len(),
        failed.first()
    );
    assert!(idle.len() >= 1000, "only {} connected", idle.len());
    let opened = started.elapsed();
    // The health check takes the slot of the connection idle longest: answered at once, not
    // after the idle sockets' header timeout.
    let asked = Instant::now();
    let health = get(server.addr, "/health", Duration::from_secs(30));
    let answered = started.elapsed();
    let took = asked.elapsed();
    let health = health.unwrap_or_else(|e| panic!("/health failed: {e}\n{}", server.log()));
    assert!(health.contains("200"), "{health}");
    assert!(
        took < Duration::from_secs(3),
        "/health answered after {took:?}"
    );
    eprintln!(
        "{} idle sockets opened in {opened:?}; /health answered {answered:?} after the first",
        idle.len()
    );
    // No busy loop on accept errors, and the server is still alive.
    let log = server.log();
    assert!(log.matches("accept error").count() < 50, "{log}");
    assert!(server.child.try_wait().unwrap().is_none());
    drop(idle);
}

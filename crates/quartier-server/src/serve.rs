//! Running the router on a socket until Ctrl-C or SIGTERM, reloading the atlas on SIGHUP
//! ([`crate::reload`]).
//!
//! The accept loop is hyper's own (the pattern of axum's `serve-with-hyper` example) rather than
//! `axum::serve`, because only there can a connection get a header-read deadline, the number of
//! connections a cap, accept errors a back-off and shutdown a time limit ([`ConnectionLimits`]).
//! When every slot is taken, a new client gets the slot of the connection idle longest
//! (`connections.rs`), so idle sockets cannot make the server unreachable. Accepted connections
//! are served on two threads per core (`workers.rs`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, TryAcquireError};

use crate::admin::Admin;
use crate::connections::Connections;
use crate::reload::{LiveApp, Reloader};
use crate::workers::{Accepted, Serving, Workers};

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address could not be bound (in use, not local, no permission).
    #[error(
        "cannot listen on {addr}: {source} (is another server running there? \
         pick another port with --bind 127.0.0.1:PORT, or port 0 for any free port)"
    )]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an I/O error.
    #[error("server on {addr} failed: {source}")]
    Serve {
        /// The bound address.
        addr: SocketAddr,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
}

/// Bind `addr` (port 0 picks a free port) and return the listener with the address it got.
pub async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), ServeError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    Ok((listener, local))
}

/// How long clients may take and how many may be connected: the defences of the accept loop.
///
/// A client that opens a connection and sends nothing, or half a request line, or keeps an idle
/// keep-alive connection, holds a file descriptor; enough of them exhaust the process's open-file
/// limit and nobody else is served. Every connection therefore has a deadline for its next
/// request's headers, and at most [`ConnectionLimits::max_connections`] are open at once; beyond
/// that a new client takes the slot of the connection idle longest (none busy is ever cut), and
/// when every connection is busy it waits for one to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time to send a request's headers, counted from the connection's start or the end of the
    /// previous answer: so it is also the idle keep-alive timeout.
    pub header_timeout: Duration,
    /// Time for a handler to answer; a slower one gets 503 (the work is dropped).
    pub request_timeout: Duration,
    /// Connections open at once; a new one beyond it closes the one idle longest, or waits.
    pub max_connections: usize,
    /// After SIGTERM, time given to running requests before the remaining connections are cut.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_S),
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_S),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            shutdown_grace: Duration::from_secs(DEFAULT_SHUTDOWN_GRACE_S),
        }
    }
}

/// Default of [`ConnectionLimits::header_timeout`], in seconds.
pub const DEFAULT_HEADER_TIMEOUT_S: u64 = 10;
/// Default of [`ConnectionLimits::request_timeout`], in seconds.
pub const DEFAULT_REQUEST_TIMEOUT_S: u64 = 30;
/// Default of [`ConnectionLimits::max_connections`]: half the common limit of 1,024 open files.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Default of [`ConnectionLimits::shutdown_grace`], in seconds.
pub const DEFAULT_SHUTDOWN_GRACE_S: u64 = 3;

/// The longest pause after a failed `accept` (too many open files, out of memory).
const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Serve until Ctrl-C or SIGTERM; running requests get [`ConnectionLimits::shutdown_grace`] to
/// finish, idle connections are closed at once.
/// With a `reloader`, SIGHUP loads the sources again and makes them live if they load.
///
/// This loop accepts; the connections are served on two threads per core (`workers.rs`), each
/// new one on the thread with the fewest open.
pub async fn serve(
    listener: TcpListener,
    live: LiveApp,
    reloader: Option<Reloader>,
    limits: ConnectionLimits,
    admin: Option<Arc<Admin>>,
) -> Result<(), ServeError> {
    // Only for error messages: a bound socket knows its address.
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let io = |source| ServeError::Serve { addr, source };
    if let Some(reloader) = reloader {
        tokio::spawn(reload_on_hangup(reloader, live.clone()));
    }
    let connections = Connections::new();
    let serving = Arc::new(Serving {
        live: live.clone(),
        admin,
        header_timeout: limits.header_timeout,
        request_timeout: limits.request_timeout,
        shutdown_grace: limits.shutdown_grace,
        connections: Arc::clone(&connections),
    });
    // Two per core: when the kernel pauses a serving thread for another process, the
    // connections on it wait for its next turn; with two per core that is a quarter of them,
    // not half (cached tiles' p99 2.9-5.1 ms against 4.8-6.1 ms with one per core, in
    // alternating rounds).
    let threads = 2 * std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut workers = Workers::start(threads, &serving).map_err(io)?;
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut backoff = Duration::ZERO;
    let mut outcome = Ok(());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    if is_connection_error(&e) {
                        continue;
                    }
                    // Too many open files and the like: the error repeats until a connection
                    // closes, so back off (doubling, at most a second) instead of spinning.
                    backoff = (backoff * 2).clamp(Duration::from_millis(10), MAX_ACCEPT_BACKOFF);
                    if backoff == MAX_ACCEPT_BACKOFF {
                        tracing::debug!("accept error: {e}; retrying in {backoff:?}");
                    } else {
                        tracing::error!(
                            "accept error: {e}; retrying in {backoff:?} (raise the open-file \
                             limit, `ulimit -n`, or lower --max-connections)"
                        );
                    }
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => continue,
                        () = &mut shutdown => break,
                    }
                }
            },
            ended = workers.ended() => {
                outcome = ended;
                break;
            }
            () = &mut shutdown => break,
        };
        backoff = Duration::ZERO;
        // A slot for it: free, or made by closing the connection idle longest; when every
        // connection is busy, it waits (holding this one descriptor) until one ends.
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(TryAcquireError::Closed) => break,
            Err(TryAcquireError::NoPermits) => {
                if connections.shed_idle() {
                    tracing::debug!(
                        "all {} slots taken: closing the connection idle longest for {peer}",
                        limits.max_connections
                    );
                }
                tokio::select! {
                    slot = Arc::clone(&slots).acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY for {peer}: {e}");
        }
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(e) => {
                tracing::debug!("cannot hand over the connection from {peer}: {e}");
                continue;
            }
        };
        if workers.hand(Accepted { stream, peer, slot }).is_err() {
            outcome = Err(std::io::Error::other("the serving threads stopped"));
            break;
        }
    }
    drop(listener);
    if let Err(e) = &outcome {
        tracing::error!("{e}: stopping");
    }
    workers.stop().await;
    let stats = live.state().stats();
    tracing::info!(
        tiles_rendered = stats.tiles_rendered,
        cache_hits = stats.cache.hits,
        cache_misses = stats.cache.misses,
        cache_bytes = stats.cache.bytes,
        uptime_s = format_args!("{:.0}", stats.uptime_s),
        "server stopped"
    );
    outcome.map_err(io)
}

/// Errors of one incoming connection (reset before accept): skip it and accept the next.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// On every SIGHUP, reload on the blocking pool (loading is CPU and file work); one at a time.
/// SIGUSR1 reloads too, forced: a version with fewer values than the live one is accepted.
#[cfg(unix)]
async fn reload_on_hangup(reloader: Reloader, live: LiveApp) {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut hangups, mut forced) = match (
        signal(SignalKind::hangup()),
        signal(SignalKind::user_defined1()),
    ) {
        (Ok(h), Ok(f)) => (h, f),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!("cannot listen for SIGHUP and SIGUSR1, reloading is off: {e}");
            return;
        }
    };
    let reloader = Arc::new(reloader);
    loop {
        let force = tokio::select! {
            Some(()) = hangups.recv() => false,
            Some(()) = forced.recv() => true,
            else => return,
        };
        tracing::info!(force, "reload signal: loading the atlas again");
        let (r, l) = (Arc::clone(&reloader), live.clone());
        // The outcome is logged by `reload`; a refused reload leaves the live atlas as it was.
        if let Err(e) = tokio::task::spawn_blocking(move || r.reload(&l, force)).await {
            tracing::error!("reload stopped unexpectedly, the last good atlas stays live: {e}");
        }
    }
}

#[cfg(not(unix))]
async fn reload_on_hangup(_reloader: Reloader, _live: LiveApp) {}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing open requests");
}

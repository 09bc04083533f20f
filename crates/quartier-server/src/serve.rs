//! Running the router on a socket until Ctrl-C or SIGTERM, reloading the atlas on SIGHUP
//! ([`crate::reload`]).
//!
//! The accept loop is hyper's own (the pattern of axum's `serve-with-hyper` example) rather than
//! `axum::serve`, because only there can a connection get a header-read deadline, the number of
//! connections a cap, accept errors a back-off and shutdown a time limit ([`ConnectionLimits`]).
//! When every slot is taken, a new client gets the slot of the connection idle longest
//! (`connections.rs`), so idle sockets cannot make the server unreachable.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, TryAcquireError};
use tower::Service;

use crate::admin::Admin;
use crate::connections::{Connection, Connections};
use crate::error::AppError;
use crate::reload::{LiveApp, Reloader};

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
/// Connections are accepted and answered on one thread per core, each with its own
/// single-threaded runtime and its own copy of the listening socket, as nginx's workers do.
/// A connection stays on the thread that accepted it, so its buffers are allocated and freed on
/// one thread and no request is handed between threads; on tokio's work-stealing runtime these
/// hand-overs (and the allocator's locks they took) cost a cached tile a fifth of its CPU.
/// Work that takes long (rendering, PDFs, reloads) runs on the render and blocking pools, so
/// a busy connection does not hold up the others on its thread.
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
    let listener = listener.into_std().map_err(io)?;
    let shared = Arc::new(Shared {
        slots: Arc::new(Semaphore::new(limits.max_connections.max(1))),
        connections: Connections::new(),
        live: live.clone(),
        admin,
        limits,
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // Each serving thread reports here when it ends; one that ends before the shutdown signal
    // (its runtime or socket failed) stops the server rather than leaving it half served.
    let (ended, mut first_end) = tokio::sync::mpsc::unbounded_channel();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut workers = Vec::with_capacity(threads);
    for i in 0..threads {
        let listener = listener.try_clone().map_err(io)?;
        let (shared, stopped, ended) = (Arc::clone(&shared), stopped.clone(), ended.clone());
        let worker = std::thread::Builder::new()
            .name(format!("quartier-serve-{i}"))
            .spawn(move || {
                let served = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .and_then(|runtime| {
                        runtime.block_on(async move {
                            let listener = TcpListener::from_std(listener)?;
                            accept_loop(listener, &shared, stopped).await;
                            Ok(())
                        })
                    });
                let _ = ended.send(served);
            })
            .map_err(io)?;
        workers.push(worker);
    }
    drop((listener, ended));
    let early = tokio::select! {
        () = shutdown_signal() => None,
        end = first_end.recv() => Some(end.unwrap_or_else(|| Err(std::io::Error::other("a serving thread stopped")))),
    };
    let _ = stop.send(true);
    for worker in workers {
        // Each thread ends within the shutdown grace; a panic was already reported above.
        let _ = tokio::task::spawn_blocking(move || worker.join()).await;
    }
    let mut outcome = Ok(());
    if let Some(end) = early {
        tracing::error!("a serving thread ended before shutdown: {end:?}; stopping");
        outcome = match end {
            Ok(()) => Err(std::io::Error::other("a serving thread stopped")),
            Err(e) => Err(e),
        };
    }
    while let Ok(end) = first_end.try_recv() {
        if let (Ok(()), Err(e)) = (&outcome, end) {
            outcome = Err(e);
        }
    }
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

/// What the serving threads share: the connection slots and registry, the live router, the
/// admin API and the limits.
struct Shared {
    slots: Arc<Semaphore>,
    connections: Arc<Connections>,
    live: LiveApp,
    admin: Option<Arc<Admin>>,
    limits: ConnectionLimits,
}

/// One serving thread: accepts connections on its copy of the socket and serves them on its
/// runtime until `stopped` turns true, then gives running requests the shutdown grace.
async fn accept_loop(
    listener: TcpListener,
    shared: &Arc<Shared>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let limits = shared.limits;
    let shutdown = async move {
        // An error means the sender is gone, which happens only when serving ends.
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    tokio::pin!(shutdown);
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let connections = &shared.connections;
    let mut backoff = Duration::ZERO;
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
            () = &mut shutdown => break,
        };
        backoff = Duration::ZERO;
        // A slot for it: free, or made by closing the connection idle longest; when every
        // connection is busy, it waits (holding this one descriptor) until one ends.
        let slot = match Arc::clone(&shared.slots).try_acquire_owned() {
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
                    slot = Arc::clone(&shared.slots).acquire_owned() => match slot {
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
        let (id, state) = connections.add();
        let service = RequestService {
            live: shared.live.clone(),
            admin: shared.admin.clone(),
            timeout: limits.request_timeout,
            connection: Arc::clone(&state),
        };
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        let registry = Arc::clone(connections);
        tokio::spawn(async move {
            tokio::select! {
                result = connection => if let Err(e) = result {
                    // Timeouts and resets are the client's business: debug, not error.
                    tracing::debug!("connection from {peer} closed: {e}");
                },
                () = state.closed() => tracing::debug!("closed the idle connection from {peer} to make room"),
            }
            registry.remove(id);
            drop(slot);
        });
    }
    drop(listener);
    let open = graceful.count();
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(
                open,
                "connections still busy after {:?}: closing them",
                limits.shutdown_grace
            );
        }
    }
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

/// The live router (and the admin API, when on) as a hyper service, each request bounded by a
/// timeout.
#[derive(Clone)]
struct RequestService {
    live: LiveApp,
    admin: Option<Arc<Admin>>,
    timeout: Duration,
    /// Busy while a request is answered: never closed to make room then.
    connection: Arc<Connection>,
}

impl hyper::service::Service<Request<Incoming>> for RequestService {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let mut live = self.live.clone();
        let admin = self.admin.clone();
        let timeout = self.timeout;
        let method = request.method().clone();
        let uri = request.uri().clone();
        let busy = self.connection.busy();
        Box::pin(async move {
            let _busy = busy;
            let request = request.map(Body::new);
            let answer = async move {
                match admin {
                    Some(admin) if Admin::claims(&request) => Ok(admin.answer(request).await),
                    _ => live.call(request).await,
                }
            };
            match tokio::time::timeout(timeout, answer).await {
                Ok(answer) => answer,
                Err(_) => {
                    tracing::error!(%method, %uri, "no answer within {timeout:?}: 503");
                    Ok(AppError::request_timeout(timeout).into_response())
                }
            }
        })
    }
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

//! Running the router on a socket until Ctrl-C or SIGTERM (axum's `examples/graceful-shutdown`),
//! reloading the atlas on SIGHUP ([`crate::reload`]).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use axum::ServiceExt;

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

/// Serve until Ctrl-C or SIGTERM; open connections finish their requests first.
/// With a `reloader`, SIGHUP loads the sources again and makes them live if they load.
pub async fn serve(
    listener: TcpListener,
    live: LiveApp,
    reloader: Option<Reloader>,
) -> Result<(), ServeError> {
    let addr = listener.local_addr().map_err(|source| ServeError::Serve {
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })?;
    if let Some(reloader) = reloader {
        tokio::spawn(reload_on_hangup(reloader, live.clone()));
    }
    axum::serve(listener, live.clone().into_make_service())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|source| ServeError::Serve { addr, source })?;
    let stats = live.state().stats();
    tracing::info!(
        tiles_rendered = stats.tiles_rendered,
        cache_hits = stats.cache.hits,
        cache_misses = stats.cache.misses,
        cache_bytes = stats.cache.bytes,
        uptime_s = format_args!("{:.0}", stats.uptime_s),
        "server stopped"
    );
    Ok(())
}

/// On every SIGHUP, reload on the blocking pool (loading is CPU and file work); one at a time.
#[cfg(unix)]
async fn reload_on_hangup(reloader: Reloader, live: LiveApp) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("cannot listen for SIGHUP, reloading is off: {e}");
            return;
        }
    };
    let reloader = Arc::new(reloader);
    while hangups.recv().await.is_some() {
        tracing::info!("SIGHUP: loading the atlas again");
        let (r, l) = (Arc::clone(&reloader), live.clone());
        // The outcome is logged by `reload`; a failed reload leaves the live atlas as it was.
        if let Err(e) = tokio::task::spawn_blocking(move || r.reload(&l)).await {
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

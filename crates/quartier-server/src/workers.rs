//! The serving threads: two per core (`serve.rs` says why two), each with its own
//! single-threaded tokio runtime, as nginx's workers. The accept loop (`serve.rs`) hands every
//! new connection to the thread with the fewest open, and the connection stays there until it
//! closes.
//!
//! Why not tokio's work-stealing runtime: there a request's wake-up, its tasks and its buffers
//! wander between threads, and the hand-overs (futex wake-ups, and glibc's arena locks when one
//! thread frees what another allocated) cost a cached tile a fifth of its CPU
//! (`benches/RESULTS.md`, "Serving threads of their own"). Why not every thread accepting on
//! its own copy of the socket: a burst of new connections (a browser's six, wrk's 64) lands on
//! whichever thread is awake, so one thread could serve 50 connections and the other 14;
//! counting is cheap and spreads them evenly. Work that takes long (rendering, PDFs, reloads)
//! runs on the render and blocking pools, so a busy request does not hold up the others on its
//! thread.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit};
use tower::Service;

use crate::admin::Admin;
use crate::connections::{Connection, Connections};
use crate::error::AppError;
use crate::reload::LiveApp;

/// What every serving thread needs: the live router, the admin API, the time limits
/// (`serve::ConnectionLimits`) and the registry of open connections (shared, so that the cap and
/// the shedding of idle connections see all threads).
pub(crate) struct Serving {
    pub live: LiveApp,
    pub admin: Option<Arc<Admin>>,
    pub header_timeout: Duration,
    pub request_timeout: Duration,
    pub shutdown_grace: Duration,
    pub connections: Arc<Connections>,
}

/// An accepted connection with the slot it holds until it closes.
pub(crate) struct Accepted {
    pub stream: std::net::TcpStream,
    pub peer: SocketAddr,
    pub slot: OwnedSemaphorePermit,
}

/// The running serving threads.
pub(crate) struct Workers {
    threads: Vec<Worker>,
    stop: watch::Sender<bool>,
    /// Each thread sends here when it ends: before `stop`, that is a failure.
    ended: mpsc::UnboundedReceiver<std::io::Result<()>>,
}

struct Worker {
    inbox: mpsc::UnboundedSender<Accepted>,
    /// Connections open on this thread, to pick the least loaded.
    open: Arc<AtomicUsize>,
    thread: JoinHandle<()>,
}

impl Workers {
    /// Start `count` serving threads (at least one).
    pub fn start(count: usize, serving: &Arc<Serving>) -> std::io::Result<Workers> {
        let (stop, stopped) = watch::channel(false);
        let (ended_tx, ended) = mpsc::unbounded_channel();
        let mut threads = Vec::with_capacity(count.max(1));
        for i in 0..count.max(1) {
            let (inbox, received) = mpsc::unbounded_channel();
            let open = Arc::new(AtomicUsize::new(0));
            let (serving, stopped, ended_tx) =
                (Arc::clone(serving), stopped.clone(), ended_tx.clone());
            let counter = Arc::clone(&open);
            let thread = std::thread::Builder::new()
                .name(format!("quartier-serve-{i}"))
                .spawn(move || {
                    let served = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map(|runtime| {
                            runtime.block_on(run(received, &serving, &counter, stopped));
                        });
                    let _ = ended_tx.send(served);
                })?;
            threads.push(Worker {
                inbox,
                open,
                thread,
            });
        }
        Ok(Workers {
            threads,
            stop,
            ended,
        })
    }

    /// Give `accepted` to the thread with the fewest open connections; it comes back when that
    /// thread has ended.
    pub fn hand(&self, accepted: Accepted) -> Result<(), Accepted> {
        let Some(worker) = self
            .threads
            .iter()
            .min_by_key(|w| w.open.load(Ordering::Relaxed))
        else {
            return Err(accepted);
        };
        worker.open.fetch_add(1, Ordering::Relaxed);
        worker.inbox.send(accepted).map_err(|e| {
            worker.open.fetch_sub(1, Ordering::Relaxed);
            e.0
        })
    }

    /// Resolves when a serving thread ends, with why; while serving, none should.
    pub async fn ended(&mut self) -> std::io::Result<()> {
        match self.ended.recv().await {
            Some(Ok(())) | None => Err(std::io::Error::other("a serving thread stopped")),
            Some(Err(e)) => Err(e),
        }
    }

    /// Stop every thread (each gives its running requests the shutdown grace) and wait for them.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for worker in self.threads {
            drop(worker.inbox);
            // A thread that panicked has nothing more to say: its connections are gone.
            let _ = tokio::task::spawn_blocking(move || worker.thread.join()).await;
        }
    }
}

/// One serving thread: serves the connections it is handed until told to stop, then gives
/// running requests the shutdown grace and closes idle connections.
async fn run(
    mut inbox: mpsc::UnboundedReceiver<Accepted>,
    serving: &Arc<Serving>,
    open: &Arc<AtomicUsize>,
    mut stopped: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(serving.header_timeout)
        .keep_alive(true);
    loop {
        let accepted = tokio::select! {
            accepted = inbox.recv() => match accepted {
                Some(accepted) => accepted,
                None => break,
            },
            // An error means the sender is gone, which happens only when serving ends.
            _ = stopped.wait_for(|stop| *stop) => break,
        };
        let Accepted { stream, peer, slot } = accepted;
        // tokio hands out non-blocking sockets; a blocking one would stall this whole thread.
        let stream = match stream
            .set_nonblocking(true)
            .and_then(|()| TcpStream::from_std(stream))
        {
            Ok(stream) => stream,
            Err(e) => {
                tracing::debug!("cannot serve the connection from {peer}: {e}");
                open.fetch_sub(1, Ordering::Relaxed);
                continue;
            }
        };
        let (id, state) = serving.connections.add();
        let service = RequestService {
            live: serving.live.clone(),
            admin: serving.admin.clone(),
            timeout: serving.request_timeout,
            connection: Arc::clone(&state),
        };
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        let (registry, open) = (Arc::clone(&serving.connections), Arc::clone(open));
        tokio::spawn(async move {
            tokio::select! {
                result = connection => if let Err(e) = result {
                    // Timeouts and resets are the client's business: debug, not error.
                    tracing::debug!("connection from {peer} closed: {e}");
                },
                () = state.closed() => tracing::debug!("closed the idle connection from {peer} to make room"),
            }
            registry.remove(id);
            open.fetch_sub(1, Ordering::Relaxed);
            drop(slot);
        });
    }
    let open = graceful.count();
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(serving.shutdown_grace) => {
            tracing::warn!(
                open,
                "connections still busy after {:?}: closing them",
                serving.shutdown_grace
            );
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use tokio::sync::Semaphore;

    fn serving() -> Arc<Serving> {
        let state = crate::http::fast::tests::nc_state();
        Arc::new(Serving {
            live: LiveApp::new(state),
            admin: None,
            header_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
            shutdown_grace: Duration::from_secs(1),
            connections: Connections::new(),
        })
    }

    fn open(workers: &Workers) -> Vec<usize> {
        workers
            .threads
            .iter()
            .map(|w| w.open.load(Ordering::Relaxed))
            .collect()
    }

    #[tokio::test]
    async fn connections_go_to_the_thread_with_the_fewest_and_are_served_there() {
        let serving = serving();
        let workers = Workers::start(2, &serving).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let slots = Arc::new(Semaphore::new(8));
        let mut clients = Vec::new();
        for _ in 0..4 {
            clients.push(std::net::TcpStream::connect(addr).unwrap());
            let (stream, peer) = listener.accept().unwrap();
            stream.set_nonblocking(true).unwrap();
            let slot = Arc::clone(&slots).try_acquire_owned().unwrap();
            assert!(workers.hand(Accepted { stream, peer, slot }).is_ok());
        }
        // A burst of four connections: two on each thread, not four on one.
        assert_eq!(open(&workers), vec![2, 2]);
        // Each is served: a request on every connection gets the health answer.
        for client in &mut clients {
            client
                .write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            client.read_to_string(&mut answer).unwrap();
            assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        }
        // Closed connections leave their thread and give back their slots.
        for _ in 0..100 {
            if open(&workers) == vec![0, 0] && slots.available_permits() == 8 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(open(&workers), vec![0, 0]);
        assert_eq!(slots.available_permits(), 8);
        workers.stop().await;
    }

    #[tokio::test]
    async fn a_connection_handed_to_an_ended_thread_comes_back() {
        let serving = serving();
        let mut workers = Workers::start(1, &serving).unwrap();
        let _ = workers.stop.send(true);
        let ended = workers.ended().await.unwrap_err();
        assert_eq!(ended.to_string(), "a serving thread stopped");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (stream, peer) = listener.accept().unwrap();
        let slot = Arc::new(Semaphore::new(1)).try_acquire_owned().unwrap();
        let back = workers.hand(Accepted { stream, peer, slot });
        assert!(back.is_err(), "an ended thread took a connection");
        assert_eq!(open(&workers), vec![0]);
        workers.stop().await;
    }
}

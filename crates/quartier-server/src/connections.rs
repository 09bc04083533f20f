//! The open connections of the accept loop, so that a full server makes room for a new client.
//!
//! Every slot ([`crate::serve::ConnectionLimits::max_connections`]) can be held by a connection
//! that does nothing: a keep-alive connection between requests, or a socket that has sent nothing
//! (a flood of them, or just many browsers). Until their header timeout ends, a health check or a
//! real visitor would wait behind them in the listen queue. So when every slot is taken and
//! another client connects, the connection idle longest (no request in flight) is closed for it,
//! as nginx reuses idle keep-alive connections when it runs out. A busy connection is never cut.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Notify;

/// One connection's state, shared by its task, its request service and the registry.
#[derive(Debug)]
pub(crate) struct Connection {
    start: Instant,
    in_flight: AtomicUsize,
    /// When its last request ended, or when it was accepted: µs since `start`.
    idle_since: AtomicU64,
    /// Chosen to make room (so it is not chosen twice).
    shedding: AtomicBool,
    close: Notify,
}

impl Connection {
    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// A request starts: the connection is busy until the guard is dropped (the answer is done).
    pub(crate) fn busy(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(self))
    }

    /// Resolves when the registry closes this connection to make room.
    pub(crate) async fn closed(&self) {
        self.close.notified().await;
    }
}

/// A request in flight on a [`Connection`].
#[derive(Debug)]
pub(crate) struct Busy(Arc<Connection>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.idle_since.store(self.0.now(), Ordering::SeqCst);
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Every open connection of one accept loop.
#[derive(Debug)]
pub(crate) struct Connections {
    start: Instant,
    next: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Connection>>>,
}

impl Connections {
    pub(crate) fn new() -> Arc<Connections> {
        Arc::new(Connections {
            start: Instant::now(),
            next: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
        })
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Connection>>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Register a connection just accepted (idle from now); returns its id for [`Self::remove`].
    pub(crate) fn add(&self) -> (u64, Arc<Connection>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let connection = Arc::new(Connection {
            start: self.start,
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            shedding: AtomicBool::new(false),
            close: Notify::new(),
        });
        connection
            .idle_since
            .store(connection.now(), Ordering::SeqCst);
        self.open().insert(id, Arc::clone(&connection));
        (id, connection)
    }

    /// Forget a connection that has ended.
    pub(crate) fn remove(&self, id: u64) {
        self.open().remove(&id);
    }

    /// Close the connection idle longest to make room; false when every connection is busy.
    pub(crate) fn shed_idle(&self) -> bool {
        let open = self.open();
        // Ties (connections idle since the same microsecond) go to the one accepted first, so
        // the choice never depends on the map's order.
        let victim = open
            .iter()
            .filter(|(_, c)| {
                c.in_flight.load(Ordering::SeqCst) == 0 && !c.shedding.load(Ordering::SeqCst)
            })
            .min_by_key(|(id, c)| (c.idle_since.load(Ordering::SeqCst), **id));
        match victim {
            Some((_, c)) => {
                c.shedding.store(true, Ordering::SeqCst);
                // Stored as a permit when the task is not waiting yet: it closes on its next poll.
                c.close.notify_one();
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_connection_idle_longest_is_closed_and_busy_ones_never() {
        let all = Connections::new();
        let (a, first) = all.add();
        let (_, second) = all.add();
        let (_, third) = all.add();
        // The first is busy, the second idle longest among the rest.
        let request = first.busy();
        assert!(all.shed_idle());
        tokio::time::timeout(std::time::Duration::from_secs(1), second.closed())
            .await
            .expect("the second was told to close");
        // Not chosen twice: next is the third; then nothing idle is left.
        assert!(all.shed_idle());
        tokio::time::timeout(std::time::Duration::from_secs(1), third.closed())
            .await
            .expect("the third was told to close");
        assert!(!all.shed_idle(), "the busy one is never cut");
        // Its request done, the first is idle and may go; once removed it is not chosen.
        drop(request);
        all.remove(a);
        assert!(!all.shed_idle());
    }
}

//! A fixed set of render threads, one per render slot, that draw tiles, hover grids and vector
//! tiles for the async handlers.
//!
//! Why not tokio's blocking pool: it starts a new thread whenever no idle one is ready at the
//! instant a job arrives. Under a steady stream of cache misses a finished render has released
//! its slot a moment before its thread is idle again, so the pool grew to nine or more threads
//! for two slots. With glibc every new thread gets its own malloc arena (up to eight per core),
//! and tiles allocated in one arena and freed from another left memory scattered over all of
//! them: serving the US counties with a full 64 MiB cache the server held 208 MB, 46 MB more
//! than the same run with two arenas (`benches/RESULTS.md`). A pool of exactly as many threads
//! as render slots keeps the arenas few and the threads' caches warm. Slow one-off work (reloads,
//! prints, the admin API) stays on tokio's blocking pool, so it never holds up tiles.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// A job for the pool: runs once on one of its threads.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// The render threads; cloning shares them. The threads end when the last clone is dropped and
/// the queued jobs are done.
#[derive(Clone)]
pub struct RenderPool {
    jobs: mpsc::Sender<Job>,
    threads: usize,
}

impl std::fmt::Debug for RenderPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderPool")
            .field("threads", &self.threads)
            .finish()
    }
}

/// Why a job gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The job panicked; the thread survived and goes on with the next job.
    #[error("the render panicked: {0}")]
    Panicked(String),
    /// The pool could not start a thread, or it is gone.
    #[error("the render pool is not running: {0}")]
    Gone(String),
}

impl RenderPool {
    /// Starts `threads` render threads (at least one), named `quartier-render-N`.
    pub fn new(threads: usize) -> Result<Self, PoolError> {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("quartier-render-{n}"))
                .spawn(move || loop {
                    // The lock is held only while taking a job, never while running it.
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(poisoned) => poisoned.into_inner().recv(),
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => break, // every sender dropped: the pool is done
                    }
                })
                .map_err(|e| PoolError::Gone(format!("cannot start render thread {n}: {e}")))?;
        }
        Ok(RenderPool { jobs, threads })
    }

    /// Threads in the pool.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `work` on a render thread and waits for its answer without blocking the runtime.
    /// Jobs run in the order they came; a panic in `work` is an error here, not a lost thread.
    /// If the caller goes away the job still runs to its end (a render holds its slot until it
    /// is done, see `AppState::tile`).
    pub async fn run<T, F>(&self, work: F) -> Result<T, PoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let result = catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".to_owned());
                PoolError::Panicked(message)
            });
            // The caller may have gone away; its answer is then not needed.
            let _ = answer.send(result);
        });
        self.jobs
            .send(job)
            .map_err(|_| PoolError::Gone("its threads have ended".into()))?;
        answered
            .await
            .map_err(|_| PoolError::Gone("a render thread ended during the job".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_on_its_own_named_threads_only() {
        let pool = RenderPool::new(2).unwrap();
        let mut names = std::collections::BTreeSet::new();
        for i in 0..50u32 {
            let (name, square) = pool
                .run(move || {
                    let name = std::thread::current().name().map(str::to_owned);
                    (name, i * i)
                })
                .await
                .unwrap();
            assert_eq!(square, i * i);
            names.insert(name.unwrap());
        }
        // Fifty jobs, never a third thread (tokio's blocking pool started new ones here).
        assert!(names.len() <= 2, "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("quartier-render-")));
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_the_thread_goes_on() {
        let pool = RenderPool::new(1).unwrap();
        let err = pool
            .run(|| -> u8 { panic!("broken tile") })
            .await
            .unwrap_err();
        assert!(
            matches!(&err, PoolError::Panicked(m) if m == "broken tile"),
            "{err}"
        );
        // The one thread is still there.
        assert_eq!(pool.run(|| 7).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn jobs_run_concurrently_up_to_the_thread_count() {
        let pool = RenderPool::new(2).unwrap();
        let barrier = Arc::new(std::sync::Barrier::new(2));
        // Two jobs that each wait for the other: they finish only if both run at once.
        let (a, b) = tokio::join!(
            pool.run({
                let b = Arc::clone(&barrier);
                move || b.wait().is_leader()
            }),
            pool.run({
                let b = Arc::clone(&barrier);
                move || b.wait().is_leader()
            })
        );
        assert_ne!(a.unwrap(), b.unwrap());
    }
}

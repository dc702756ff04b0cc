//! The served endpoint's open connections: each handled on its own, at most
//! [`CAP`] at once, so no connection (idle, slow or hostile: any local user
//! can connect to a loopback port) can delay the child's requests or the
//! serving loop (which also forwards signals and waits for the child).
//!
//! Each connection is a future of its own, polled concurrently with the others
//! inside the serving task (not `tokio::spawn`ed: the engine that answers
//! borrows the command's context). When [`CAP`] are open, the oldest one still
//! waiting for its request head is closed to make room: a real client sends
//! its head at once, so only idle connections are ever shed.

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use tokio::sync::oneshot;

/// Open connections at most. The child's SDK opens one at a time.
pub const CAP: usize = 64;

/// One admitted connection's link to the set: it can be shed until its head is read.
pub struct Slot {
    shed: oneshot::Receiver<()>,
    head_read: Rc<Cell<bool>>,
}

impl Slot {
    /// Runs `read` (reading the request head) unless the connection is shed first.
    pub async fn read_head<T>(&mut self, read: impl Future<Output = Option<T>>) -> Option<T> {
        let got = tokio::select! {
            got = read => got,
            _ = &mut self.shed => None,
        };
        self.head_read.set(got.is_some());
        got
    }
}

type Running<'a, T> = FuturesUnordered<Pin<Box<dyn Future<Output = T> + 'a>>>;

/// The connections being handled.
pub struct Connections<'a, T> {
    running: Running<'a, T>,
    /// Admitted connections in arrival order, with the means to shed each.
    admitted: VecDeque<(oneshot::Sender<()>, Rc<Cell<bool>>)>,
}

impl<'a, T> Connections<'a, T> {
    /// No connections.
    pub fn new() -> Self {
        Self {
            running: FuturesUnordered::new(),
            admitted: VecDeque::new(),
        }
    }

    /// A slot for a new connection. At [`CAP`], the oldest connection still
    /// reading its head is shed; `None` (refuse the new one) when every open
    /// connection is already being answered.
    pub fn admit(&mut self) -> Option<Slot> {
        // Finished connections dropped their receiver; answered ones cannot be shed.
        self.admitted
            .retain(|(shed, head_read)| !shed.is_closed() && !head_read.get());
        if self.running.len() >= CAP {
            let (oldest, _) = self.admitted.pop_front()?;
            let _ = oldest.send(());
        }
        let (shed, receiver) = oneshot::channel();
        let head_read = Rc::new(Cell::new(false));
        self.admitted.push_back((shed, head_read.clone()));
        Some(Slot {
            shed: receiver,
            head_read,
        })
    }

    /// Starts handling a connection admitted with [`Connections::admit`].
    pub fn start(&mut self, handling: impl Future<Output = T> + 'a) {
        self.running.push(Box::pin(handling));
    }

    /// The result of the next connection to finish; never resolves while none is open.
    pub async fn finished(&mut self) -> T {
        match self.running.next().await {
            Some(done) => done,
            None => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection that reads its head only when `arrives` is sent (never, if dropped).
    fn idle(connections: &mut Connections<'static, &'static str>) -> oneshot::Sender<()> {
        let mut slot = connections.admit().expect("admitted");
        let (arrives, head) = oneshot::channel::<()>();
        connections.start(async move {
            match slot.read_head(async { head.await.ok() }).await {
                Some(()) => "answered",
                None => "shed",
            }
        });
        arrives
    }

    #[tokio::test]
    async fn at_the_cap_the_oldest_idle_connection_is_shed_for_a_new_one() {
        let mut connections = Connections::new();
        let heads: Vec<_> = (0..CAP).map(|_| idle(&mut connections)).collect();
        let newest = idle(&mut connections);
        assert_eq!(connections.finished().await, "shed");
        // The one shed was the oldest: the newest still gets its answer.
        newest.send(()).unwrap();
        assert_eq!(connections.finished().await, "answered");
        drop(heads);
    }

    #[tokio::test]
    async fn a_connection_being_answered_is_never_shed() {
        // Every open connection has sent its head and waits for its answer...
        let mut answering = Connections::<'static, ()>::new();
        for _ in 0..CAP {
            let mut slot = answering.admit().unwrap();
            answering.start(async move {
                slot.read_head(async { Some(()) }).await;
                std::future::pending::<()>().await;
            });
        }
        for _ in 0..4 {
            tokio::select! {
                () = answering.finished() => unreachable!(),
                () = tokio::task::yield_now() => {}
            }
        }
        // ...so a new one is refused rather than cutting an answer short.
        assert!(answering.admit().is_none());
    }
}

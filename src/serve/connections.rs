//! The served endpoint's open connections: each handled on its own, at most
//! [`CAP`] at once, so no connection (idle, slow or hostile: any local user
//! can connect to a loopback port) can delay the child's requests or the
//! serving loop (which also forwards signals and waits for the child).
//!
//! Each connection is a future of its own, polled concurrently with the others
//! inside the serving task (not `tokio::spawn`ed: the engine that answers
//! borrows the command's context). When [`CAP`] are open, the oldest one still
//! waiting for its request head is shut down at once to make room: a real
//! client sends its head immediately, so only idle connections are ever shed.

use super::os::RawSocket;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};

/// Open connections at most. The child's SDK opens one at a time.
pub const CAP: usize = 64;

/// An admitted connection's place in the set, held by its handler for as long
/// as it runs: while it lives and has not read its head, the connection may be shed.
pub struct Slot {
    head_read: Rc<Cell<bool>>,
}

impl Slot {
    /// Notes that the request head has arrived: the connection is being answered
    /// now and is never shed.
    pub fn head_read(&self) {
        self.head_read.set(true);
    }
}

/// A connection that may still be shed: its slot (alive while its handler is)
/// and its socket.
struct Sheddable {
    slot: Weak<Cell<bool>>,
    socket: RawSocket,
}

type Running<'a, T> = FuturesUnordered<Pin<Box<dyn Future<Output = T> + 'a>>>;

/// The connections being handled.
pub struct Connections<'a, T> {
    running: Running<'a, T>,
    /// Admitted connections in arrival order.
    admitted: VecDeque<Sheddable>,
    /// Connections shut down whose handlers have not ended yet.
    shed: Vec<Weak<Cell<bool>>>,
}

impl<'a, T> Connections<'a, T> {
    /// No connections.
    pub fn new() -> Self {
        Self {
            running: FuturesUnordered::new(),
            admitted: VecDeque::new(),
            shed: Vec::new(),
        }
    }

    /// A slot for a new connection on `socket`. At [`CAP`] open, the oldest
    /// connection still waiting for its head is shut down (its peer sees the end
    /// at once, its handler ends on its next read); `None` (refuse the new one)
    /// when every open connection is already being answered.
    pub fn admit(&mut self, socket: RawSocket) -> Option<Slot> {
        self.admitted
            .retain(|c| c.slot.upgrade().is_some_and(|head_read| !head_read.get()));
        self.shed.retain(|slot| slot.strong_count() > 0);
        if self.running.len() - self.shed.len() >= CAP {
            let oldest = self.admitted.pop_front()?;
            // The handler that owns this socket is alive (its slot is), so the
            // descriptor is still that connection's. shutdown(2) leaves closing it
            // to the handler.
            super::os::shut_down(oldest.socket);
            self.shed.push(oldest.slot);
        }
        let head_read = Rc::new(Cell::new(false));
        self.admitted.push_back(Sheddable {
            slot: Rc::downgrade(&head_read),
            socket,
        });
        Some(Slot { head_read })
    }

    /// Starts handling a connection admitted with [`Connections::admit`]; the
    /// handler must keep its [`Slot`] until it ends.
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    /// A connection whose handler waits forever, after reading its head when `answering`.
    fn open(connections: &mut Connections<'static, ()>, answering: bool) -> UnixStream {
        let (peer, ours) = UnixStream::pair().unwrap();
        let slot = connections.admit(ours.as_raw_fd()).expect("admitted");
        if answering {
            slot.head_read();
        }
        connections.start(async move {
            let _kept = (slot, ours);
            std::future::pending::<()>().await;
        });
        peer
    }

    fn ended(peer: &mut UnixStream) -> bool {
        peer.set_nonblocking(true).unwrap();
        matches!(peer.read(&mut [0u8; 1]), Ok(0))
    }

    #[test]
    fn at_the_cap_the_oldest_idle_connection_is_shut_for_a_new_one() {
        let mut connections = Connections::new();
        let mut peers: Vec<_> = (0..CAP).map(|_| open(&mut connections, false)).collect();
        assert!(!peers.iter_mut().any(ended), "room for all of them");
        let mut newest = open(&mut connections, false);
        assert!(ended(&mut peers[0]), "the oldest was shut at once");
        assert!(!peers[1..].iter_mut().any(ended));
        assert!(!ended(&mut newest));
        // Its handler has not ended yet, but it no longer counts: the next one sheds only one more.
        open(&mut connections, false);
        assert!(ended(&mut peers[1]));
        assert!(!peers[2..].iter_mut().any(ended));
    }

    #[test]
    fn a_connection_being_answered_is_never_shed() {
        let mut connections = Connections::new();
        let mut answering = open(&mut connections, true);
        let mut idle: Vec<_> = (1..CAP).map(|_| open(&mut connections, false)).collect();
        open(&mut connections, false);
        assert!(!ended(&mut answering), "the oldest, but being answered");
        assert!(ended(&mut idle[0]), "the oldest idle one instead");
    }

    #[test]
    fn when_every_connection_is_being_answered_a_new_one_is_refused() {
        let mut connections = Connections::new();
        let mut peers: Vec<_> = (0..CAP).map(|_| open(&mut connections, true)).collect();
        let (_peer, ours) = UnixStream::pair().unwrap();
        assert!(connections.admit(ours.as_raw_fd()).is_none());
        assert!(!peers.iter_mut().any(ended));
    }
}

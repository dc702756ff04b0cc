//! Secret Service calls in progress in this process, counted so that `main`
//! can let them end before the process exits. It counts; it does not know
//! what the calls do and never cancels one.
//!
//! Why: a client that disconnects in the middle of a call can make
//! gnome-keyring 42 abort on a failed GLib assertion (seen in the tests that
//! kill hats on purpose), and a restarted daemon comes back with the user's
//! keyring locked. A hats that exits while, say, the session it opened at
//! start is still being set up would do the same as a kill.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

static CALLS: Mutex<usize> = Mutex::new(0);
static ENDED: Condvar = Condvar::new();

/// Held for the length of one call.
pub struct Call(());

impl Call {
    pub fn start() -> Self {
        *calls() += 1;
        Self(())
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        let mut calls = calls();
        *calls -= 1;
        if *calls == 0 {
            ENDED.notify_all();
        }
    }
}

/// Waits until no call is in progress, at most `within`.
pub fn wait_for_calls(within: Duration) {
    let calls = calls();
    drop(ENDED.wait_timeout_while(calls, within, |n| *n > 0));
}

fn calls() -> MutexGuard<'static, usize> {
    CALLS.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn the_wait_ends_when_the_last_call_does_and_is_bounded_otherwise() {
        let call = Call::start();
        let started = Instant::now();
        wait_for_calls(Duration::from_millis(50));
        assert!(
            started.elapsed() >= Duration::from_millis(50),
            "a call in progress is waited for"
        );
        let ender = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            drop(call);
        });
        let started = Instant::now();
        wait_for_calls(Duration::from_secs(60));
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the wait ended when the call did, not at its bound"
        );
        ender.join().unwrap();
    }
}

//! The switcher's hold on the terminal: the ratatui terminal, its key and
//! resize events, the hang-up watch and the helper-command capture; and
//! letting go of all of it while a subshell has the terminal.

use super::Reply;
use crate::error::Error;
use crate::session::StderrCapture;
use crate::tui::terminal::{self, Tty};
use crate::tui::update::Msg;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use ratatui::layout::Rect;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// What the terminal said.
pub(super) enum Input {
    /// Something for `update`.
    Msg(Msg),
    /// The terminal window has the focus again: what it shows may be stale.
    Focus,
    /// Nothing to act on.
    Nothing,
}

/// The terminal while the switcher has it.
pub(super) struct Screen {
    pub(super) tty: Tty,
    /// A handle of our own to watch for a hang-up, whatever happens to `tty`.
    pub(super) watched: std::fs::File,
    /// `None` while a subshell has the terminal. (An `EventStream` is made only
    /// after the previous one is dropped: making one takes crossterm's reader
    /// lock, which the previous one's thread may hold while it waits for input.)
    events: Option<EventStream>,
    /// A helper command's stderr would tear the screen: it goes to a panel instead.
    capture: Option<StderrCapture>,
    replies: UnboundedSender<Reply>,
}

impl Screen {
    /// Takes the terminal: raw mode, alternate screen, events, hang-up watch.
    pub(super) fn open(replies: UnboundedSender<Reply>) -> Result<Self, Error> {
        let capture = Some(capture_helpers(&replies));
        let tty = terminal::enter().map_err(Error::doing("set up the terminal"))?;
        let watched = terminal::open_tty().map_err(Error::doing("open the terminal"))?;
        watched
            .try_clone()
            .and_then(terminal::end_on_hang_up)
            .map_err(Error::doing("watch the terminal for a hang-up"))?;
        Ok(Self {
            tty,
            watched,
            events: Some(EventStream::new()),
            capture,
            replies,
        })
    }

    /// The next terminal event (never, while a subshell has the terminal).
    pub(super) async fn event(&mut self) -> Option<std::io::Result<Event>> {
        match &mut self.events {
            Some(events) => events.next().await,
            None => std::future::pending().await,
        }
    }

    /// Turns a terminal event into input; an error when the terminal went away.
    pub(super) fn on_event(&mut self, event: Option<std::io::Result<Event>>) -> Result<Input, Error> {
        let input = match event {
            Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Input::Msg(Msg::Key(key)),
            Some(Ok(Event::Resize(..))) => Input::Msg(self.refit()?),
            Some(Ok(Event::Mouse(mouse))) => Input::Msg(Msg::Mouse(mouse)),
            Some(Ok(Event::FocusGained)) => Input::Focus,
            Some(Ok(_)) => Input::Nothing,
            // The terminal went away: stop rather than spin.
            Some(Err(e)) => return Err(Error::TerminalClosed(Some(e))),
            None => return Err(Error::TerminalClosed(None)),
        };
        Ok(input)
    }

    /// A new viewport for the terminal's size now, and the message that lays
    /// the rows out for it. The size is read here, not taken from the event:
    /// in a burst of resizes an event can be read after the next resize.
    fn refit(&mut self) -> Result<Msg, Error> {
        self.tty = terminal::fresh().map_err(Error::doing("set up the terminal"))?;
        let area = self.tty.get_frame().area();
        Ok(Msg::Resized {
            width: area.width,
            height: area.height,
        })
    }

    /// A resize no event reported, checked at each tick. crossterm can lose a
    /// SIGWINCH that becomes ready in the same poll as other input (it returns
    /// the first event of the poll, and its signal pipe is edge-triggered);
    /// the rows would stay laid out for the old size until the next resize.
    pub(super) fn missed_resize(&mut self, laid_out_for: Rect) -> Result<Option<Msg>, Error> {
        match terminal::window() {
            Ok(size) if size != laid_out_for && self.events.is_some() => self.refit().map(Some),
            _ => Ok(None),
        }
    }

    /// Draws a frame; a hang-up that fails it ends the process with the usual message.
    pub(super) fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame<'_>)) -> Result<(), Error> {
        if let Err(e) = self.tty.draw(render) {
            // A hang-up can fail a frame before a tick notices it: same event, same message.
            if terminal::hung_up(&self.watched) {
                terminal::end_after_hang_up(Some(&e));
            }
            return Err(Error::doing("draw the switcher")(e));
        }
        Ok(())
    }

    /// Lets go of the terminal for a subshell: stop reading keys first (two
    /// readers of one terminal fight), drop what was typed for the switcher and
    /// not read yet, and let helper commands talk to the user there.
    pub(super) fn suspend(&mut self) {
        self.events = None;
        terminal::discard_typeahead();
        terminal::leave();
        self.capture = None;
    }

    /// Takes the terminal back after a subshell.
    pub(super) fn resume(&mut self) -> Result<(), Error> {
        self.capture = Some(capture_helpers(&self.replies));
        self.tty = terminal::enter().map_err(Error::doing("set up the terminal"))?;
        self.events = Some(EventStream::new());
        Ok(())
    }

    /// Gives the terminal back for good (the panic hook and raw mode are the caller's `Restore`).
    pub(super) fn close(self) {
        // Not dropped: ratatui's drop shows the cursor and prints an error when the
        // terminal is gone; `Restore` shows the cursor anyway.
        std::mem::forget(self.tty);
        drop(self.capture);
    }
}

/// Sends what helper commands write on stderr to the panel.
fn capture_helpers(replies: &UnboundedSender<Reply>) -> StderrCapture {
    let replies = replies.clone();
    crate::session::capture_stderr(Arc::new(move |event| {
        let _ = replies.send(Reply::Msg(Msg::Helper(event)));
    }))
}

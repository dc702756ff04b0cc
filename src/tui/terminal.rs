//! The terminal: raw mode and the alternate screen on `/dev/tty` (so stdout
//! stays free for `eval "$(hats)"`), restored on exit, on panic, and around a subshell.
//! What differs between platforms (the terminal device, hang-ups, interrupts)
//! stays in the small `cfg` functions at the end of this file.
//!
//! While the switcher runs, a panic message is not printed where it happens: on
//! the alternate screen it would be lost or garble the frame. It is kept, and
//! printed once the terminal is restored (a panic of the UI loop), or shown in
//! the status line by the runner (a panic of a background task, which tokio catches).

use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Mutex;

/// The message of the last panic while the switcher runs.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

/// The switcher's terminal. Buffered: a frame is hundreds of small escape
/// sequences, and unbuffered each was its own `write` (3,600 for one frame of
/// a 140x40 window); ratatui flushes once at the end of every frame.
pub type Tty = Terminal<CrosstermBackend<BufWriter<File>>>;

/// Opens the terminal (`/dev/tty`, the console on Windows); fails when there is none.
pub fn open_tty() -> io::Result<File> {
    std::fs::OpenOptions::new().read(true).write(true).open(TERMINAL)
}

/// Enters raw mode and the alternate screen, asks the terminal to report the
/// mouse (wheel, clicks) and focus changes, and returns a ratatui terminal.
/// Regaining focus means another window may have changed sessions (`runner`
/// reads them again).
pub fn enter() -> io::Result<Tty> {
    let mut tty = open_tty()?;
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        tty,
        crossterm::terminal::EnterAlternateScreen,
        crossterm::cursor::Hide,
        crossterm::event::EnableFocusChange,
        crossterm::event::EnableMouseCapture
    )?;
    fresh()
}

/// A ratatui terminal over the whole window, on a cleared screen (also after a resize).
///
/// The viewport is fixed from the window size and the screen is cleared by hand:
/// ratatui's full-screen viewport, `clear` and `resize` query the cursor position,
/// and crossterm writes that query to stdout, which may be a pipe (`eval "$(hats)"`).
pub fn fresh() -> io::Result<Tty> {
    let mut tty = open_tty()?;
    crossterm::execute!(
        tty,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    Terminal::with_options(
        CrosstermBackend::new(BufWriter::with_capacity(64 * 1024, tty)),
        TerminalOptions {
            viewport: Viewport::Fixed(window()?),
        },
    )
}

/// The terminal window's size as an area.
pub fn window() -> io::Result<Rect> {
    let (width, height) = crossterm::terminal::size()?;
    Ok(Rect::new(0, 0, width, height))
}

/// Stops the mouse reports, leaves the alternate screen and raw mode and shows
/// the cursor. Safe to call twice.
pub fn leave() {
    if let Ok(mut tty) = open_tty() {
        let _ = crossterm::execute!(
            tty,
            crossterm::event::DisableFocusChange,
            crossterm::event::DisableMouseCapture,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        let _ = tty.flush();
    }
    let _ = crossterm::terminal::disable_raw_mode();
}

/// Calls `leave` when dropped, then prints the panic that is unwinding, if any;
/// puts the default panic hook back.
pub struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        leave();
        if std::thread::panicking()
            && let Some(text) = take_panic()
        {
            let _ = writeln!(
                io::stderr(),
                "hats: internal error, the switcher stopped: {text}; please report it"
            );
        }
        let _ = std::panic::take_hook();
    }
}

/// Keeps panic messages for the runner and [`Restore`] instead of printing them
/// over the switcher's screen. Undone when [`Restore`] is dropped.
pub fn keep_panics() {
    std::panic::set_hook(Box::new(|info| {
        let text = panic_text(info.payload());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        *PANIC.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(format!("{text}{place}"));
    }));
}

/// Only the first of the UI loop and the watch thread reports the hang-up.
static ENDING: Mutex<()> = Mutex::new(());

/// Prints that the terminal closed and exits with status 1. Nothing is left to
/// restore (the terminal is gone); sessions in memory go with the process.
pub fn end_after_hang_up(detail: Option<&dyn std::fmt::Display>) -> ! {
    // A second caller waits here until the first has ended the process.
    let _first = ENDING.lock();
    let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
    // Not eprintln!: it panics when stderr is the closed terminal.
    let _ = writeln!(
        io::stderr(),
        "hats: the terminal closed{detail}; left the switcher"
    );
    std::process::exit(1)
}

/// The message a panic carried, when it is text.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// The last kept panic message.
pub fn take_panic() -> Option<String> {
    PANIC
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
}

/// Writes an OSC 52 clipboard sequence (works through SSH and tmux with set-clipboard on).
pub fn copy_to_clipboard(text: &str) -> io::Result<()> {
    use base64::Engine as _;
    let mut tty = open_tty()?;
    write!(
        tty,
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )?;
    tty.flush()
}

/// Drops input typed for the switcher and not read yet, so that it never
/// reaches a program that takes the terminal next.
pub fn discard_typeahead() {
    while crossterm::event::poll(std::time::Duration::ZERO).unwrap_or(false) {
        if crossterm::event::read().is_err() {
            break;
        }
    }
}

/// Keeps an interrupt (Ctrl-C typed in a subshell the switcher started) from
/// ending hats while it lives. In the switcher itself Ctrl-C is a key (raw mode).
pub struct Interrupts {
    #[cfg(unix)]
    _signal: Option<tokio::signal::unix::Signal>,
    #[cfg(windows)]
    _signal: Option<tokio::signal::windows::CtrlC>,
}

/// See [`Interrupts`].
pub fn ignore_interrupts() -> Interrupts {
    Interrupts {
        #[cfg(unix)]
        _signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok(),
        #[cfg(windows)]
        _signal: tokio::signal::windows::ctrl_c().ok(),
    }
}

#[cfg(unix)]
const TERMINAL: &str = "/dev/tty";
#[cfg(windows)]
const TERMINAL: &str = "CONOUT$";

/// Gives `child` the terminal `tty` as its standard streams (whatever hats'
/// own stdout is: it may be a pipe to `eval`).
#[cfg(unix)]
pub fn attach(child: &mut std::process::Command, tty: &File) -> io::Result<()> {
    child
        .stdin(tty.try_clone()?)
        .stdout(tty.try_clone()?)
        .stderr(tty.try_clone()?);
    Ok(())
}

/// See the Unix version; a console reads from `CONIN$`, not from its output.
#[cfg(windows)]
pub fn attach(child: &mut std::process::Command, tty: &File) -> io::Result<()> {
    let input = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("CONIN$")?;
    child
        .stdin(input)
        .stdout(tty.try_clone()?)
        .stderr(tty.try_clone()?);
    Ok(())
}

/// Whether the terminal behind `tty` has hung up (its window closed, its SSH
/// connection dropped), asked without waiting.
#[cfg(unix)]
pub fn hung_up(tty: &File) -> bool {
    poll_hang_up(tty, 0)
}

/// Polls `tty` for a hang-up for at most `timeout_ms` (-1: until it happens).
#[cfg(unix)]
fn poll_hang_up(tty: &File, timeout_ms: libc::c_int) -> bool {
    use std::os::fd::AsRawFd;
    let mut fd = libc::pollfd {
        fd: tty.as_raw_fd(),
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd for an fd `tty` keeps open.
    let ready = unsafe { libc::poll(&raw mut fd, 1, timeout_ms) };
    ready > 0 && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

/// Ends the process, with the closed-terminal message, as soon as the terminal
/// behind `tty` hangs up; a thread of its own waits for that in `poll` (no CPU).
///
/// The UI loop cannot be relied on to notice: on a hung-up terminal `read`
/// returns 0, and crossterm's event reader (`mio` source, `try_read`) retries
/// such a read in a loop that neither breaks nor returns, on whichever thread
/// polled the event stream, the UI loop's included. Nothing after that point
/// runs on that thread, so the end has to come from here.
#[cfg(unix)]
pub fn end_on_hang_up(tty: File) -> io::Result<()> {
    std::thread::Builder::new()
        .name("hats-hang-up".into())
        .spawn(move || {
            loop {
                if poll_hang_up(&tty, -1) {
                    end_after_hang_up(None);
                }
                // poll failed: EINTR is retried; anything else means no watch at all.
                if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                    return;
                }
            }
        })
        .map(drop)
}

/// A closed console ends the process with it on Windows: nothing to watch.
#[cfg(not(unix))]
pub fn hung_up(_tty: &File) -> bool {
    false
}

/// See the Unix version; the console's own lifetime does this on Windows.
#[cfg(not(unix))]
pub fn end_on_hang_up(_tty: File) -> io::Result<()> {
    Ok(())
}

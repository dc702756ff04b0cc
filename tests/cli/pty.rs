//! A real pseudo-terminal running a command, its output fed to a vt100 screen.

use crate::harness::{HATS, Sandbox};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Upper bound for a screen to show what we wait for.
const SCREEN_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Terminal {
    parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the terminal showed, for what the screen model drops (OSC 52).
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn std::io::Write + Send>,
    /// `sh`, a session leader with the terminal as its controlling terminal.
    child: std::process::Child,
    /// The terminal's master side; dropping it (and the reader) hangs the terminal up.
    master: Option<OwnedFd>,
    /// Stops the thread that feeds the screen, and the thread.
    reading: Option<(Arc<std::sync::atomic::AtomicBool>, std::thread::JoinHandle<()>)>,
}

/// A new pseudo-terminal of `cols`×`rows`: (master, slave), both close-on-exec.
fn open_pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty(3) writes two descriptors; name and termios may be null.
    let opened = unsafe {
        libc::openpty(
            &raw mut master,
            &raw mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &raw const size,
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    for fd in [master, slave] {
        // SAFETY: fcntl(2) on a descriptor openpty just returned.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    // SAFETY: two fresh descriptors owned by nothing else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

impl Terminal {
    /// Runs `sh -c shell_command` on a 120×24 terminal (`$HATS` is the binary).
    pub fn spawn(sb: &Sandbox, shell_command: &str) -> Self {
        Self::spawn_sized(sb, shell_command, 120, 24)
    }

    /// The shell runs as the sandbox's commands do (its environment and private
    /// keyrings), in a session of its own whose controlling terminal is the pty.
    pub fn spawn_sized(sb: &Sandbox, shell_command: &str, cols: u16, rows: u16) -> Self {
        let (master, slave) = open_pty(cols, rows);
        let mut cmd = sb.command("sh");
        cmd.args(["-c", shell_command])
            .env("HATS", HATS)
            .env("TERM", "xterm-256color")
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave);
        // SAFETY: ioctl(2) between fork and exec: after `setsid` (the sandbox's
        // first step), stdin becomes the session's controlling terminal.
        unsafe {
            cmd.pre_exec(|| {
                if libc::ioctl(0, libc::TIOCSCTTY, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZero::new(rows).unwrap(),
            std::num::NonZero::new(cols).unwrap(),
            0,
        )));
        // Our own handle on the master, read with a timeout so `hang_up` can stop
        // the reader and really close the terminal.
        let mut reader = std::fs::File::from(master.try_clone().unwrap());
        let (feed, raw) = (parser.clone(), Arc::new(Mutex::new(Vec::new())));
        let record = raw.clone();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let reading = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !stopped.load(std::sync::atomic::Ordering::SeqCst) {
                let mut fd = libc::pollfd {
                    fd: reader.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd; 50 ms timeout.
                if unsafe { libc::poll(&raw mut fd, 1, 50) } <= 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(n) if n > 0 => {
                        record.lock().unwrap().extend_from_slice(&buf[..n]);
                        feed.lock().unwrap().process(&buf[..n]);
                    }
                    _ => break,
                }
            }
        });
        let writer = Box::new(std::fs::File::from(master.try_clone().unwrap()));
        Self {
            parser,
            raw,
            writer,
            child,
            master: Some(master),
            reading: Some((stop, reading)),
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn wait_for(&self, text: &str) {
        let started = Instant::now();
        while !self.screen().contains(text) {
            assert!(
                started.elapsed() < SCREEN_TIMEOUT,
                "never saw {text:?}; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn type_line(&mut self, line: &str) {
        write!(self.writer, "{line}\r").unwrap();
        self.writer.flush().unwrap();
    }

    /// The shell's exit status (128 + the signal when a signal ended it), once
    /// the screen holds what it wrote last: a process can exit before the
    /// reader has read its last lines. The reader gets up to 2 s to reach the
    /// end of the output (all it needs unless something the shell started
    /// still holds the terminal).
    pub fn wait_exit(&mut self) -> u32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.wait_output_end();
                let code = status
                    .code()
                    .or_else(|| std::os::unix::process::ExitStatusExt::signal(&status).map(|s| 128 + s));
                return u32::try_from(code.unwrap_or(-1)).unwrap_or(u32::MAX);
            }
            assert!(
                started.elapsed() < SCREEN_TIMEOUT,
                "did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Terminal {
    /// Waits (at most 2 s) for the reader to read the end of the terminal's output.
    fn wait_output_end(&self) {
        let started = Instant::now();
        while let Some((_, reading)) = &self.reading
            && !reading.is_finished()
            && started.elapsed() < Duration::from_secs(2)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends keys as typed, without Enter.
    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// The screen line containing `text`.
    pub fn line_with(&self, text: &str) -> String {
        self.screen()
            .lines()
            .find(|l| l.contains(text))
            .unwrap_or_default()
            .to_owned()
    }

    /// Whether the alternate screen is active and whether the cursor is hidden.
    pub fn modes(&self) -> (bool, bool) {
        let parser = self.parser.lock().unwrap();
        (parser.screen().alternate_screen(), parser.screen().hide_cursor())
    }
}

impl Terminal {
    /// Resizes the terminal (the child gets SIGWINCH) and the screen model with it.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let master = self.master.as_ref().expect("terminal is open");
        // SAFETY: TIOCSWINSZ with a valid winsize on the open master.
        let set = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &raw const size) };
        assert_eq!(set, 0, "resize: {}", std::io::Error::last_os_error());
        self.parser.lock().unwrap().set_size(
            std::num::NonZero::new(rows).unwrap(),
            std::num::NonZero::new(cols).unwrap(),
        );
    }

    /// The process id of the command the terminal runs.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes the terminal, as closing a terminal window does: the child's input ends.
    pub fn hang_up(&mut self) {
        if let Some((stop, reading)) = self.reading.take() {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            reading.join().unwrap();
        }
        self.writer = Box::new(std::io::sink());
        self.master = None;
    }
}

impl Drop for Terminal {
    /// Ends all the terminal still runs, also when a test fails half-way: the
    /// shell is a session and process-group leader (the sandbox calls
    /// `setsid`), and hats runs in its group, so no switcher outlives its test.
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: plain kill(2) of a process group we started.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some((stop, _)) = self.reading.take() {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

impl Terminal {
    /// The text of the highlighted (reverse-video) row, trimmed; empty when none is.
    pub fn highlighted(&self) -> String {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        (0..rows.get())
            .map(|row| {
                (0..cols.get())
                    .filter_map(|col| screen.cell(row, col))
                    .filter(|cell| cell.inverse())
                    .map(vt100::Cell::contents)
                    .collect::<String>()
            })
            .find(|text| !text.trim().is_empty())
            .map(|text| text.trim().to_owned())
            .unwrap_or_default()
    }

    /// Waits until the highlighted row shows `name`.
    pub fn wait_highlighted(&self, name: &str) {
        let started = Instant::now();
        while !self.highlighted().contains(name) {
            assert!(
                started.elapsed() < SCREEN_TIMEOUT,
                "{name:?} never highlighted (highlighted: {:?}); screen:\n{}",
                self.highlighted(),
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the command still runs.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Terminal {
    /// The foreground colour of the first cell of the first row that starts with `text`.
    pub fn colour_of_line(&self, text: &str) -> vt100::Color {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        let row = screen
            .rows(0, screen.size().1.get())
            .position(|line| line.starts_with(text))
            .unwrap_or_else(|| panic!("no line starts with {text:?}; screen:\n{}", screen.contents()));
        let row = u16::try_from(row).unwrap();
        screen.cell(row, 0).expect("a cell").fgcolor()
    }

    /// The text of the last OSC 52 clipboard sequence the terminal received
    /// (`ESC ] 52 ; c ; BASE64 BEL`), decoded as a terminal would.
    pub fn clipboard(&self) -> Option<String> {
        use base64::Engine as _;
        let text = self.raw_text();
        let start = text.rfind("\x1b]52;c;")? + "\x1b]52;c;".len();
        let end = start + text[start..].find(['\x07', '\x1b'])?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&text[start..end])
            .ok()?;
        String::from_utf8(bytes).ok()
    }

    /// Everything the terminal received so far, as text (escape sequences included).
    pub fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    /// Whether any cell on the screen has a colour (foreground or background).
    pub fn any_colour(&self) -> bool {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        (0..rows.get()).any(|row| {
            (0..cols.get()).any(|col| {
                screen.cell(row, col).is_some_and(|cell| {
                    cell.fgcolor() != vt100::Color::Default || cell.bgcolor() != vt100::Color::Default
                })
            })
        })
    }

    /// The screen row (0-based) of the first line containing `text`.
    pub fn row_of(&self, text: &str) -> u16 {
        let screen = self.screen();
        let row = screen
            .lines()
            .position(|l| l.contains(text))
            .unwrap_or_else(|| panic!("{text:?} is not on the screen:\n{screen}"));
        u16::try_from(row).unwrap()
    }
}

//! A real pseudo-terminal running a command, its output fed to a vt100 screen.

use crate::harness::{HATS, Sandbox};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Upper bound for a screen to show what we wait for.
const SCREEN_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Terminal {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn std::io::Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    /// The terminal's master side; dropping it (and the reader) hangs the terminal up.
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
    /// Stops the thread that feeds the screen, and the thread.
    reading: Option<(Arc<std::sync::atomic::AtomicBool>, std::thread::JoinHandle<()>)>,
}

impl Terminal {
    /// Runs `sh -c shell_command` on a 120×24 terminal (`$HATS` is the binary).
    pub fn spawn(sb: &Sandbox, shell_command: &str) -> Self {
        Self::spawn_sized(sb, shell_command, 120, 24)
    }

    pub fn spawn_sized(sb: &Sandbox, shell_command: &str, cols: u16, rows: u16) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", shell_command]);
        cmd.env_clear();
        for (k, v) in sb.env() {
            cmd.env(k, v);
        }
        cmd.env("HATS", HATS);
        cmd.env("TERM", "xterm-256color");
        cmd.cwd(&sb.home);
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZero::new(rows).unwrap(),
            std::num::NonZero::new(cols).unwrap(),
            0,
        )));
        // Our own handle on the master, read with a timeout so `hang_up` can stop
        // the reader and really close the terminal.
        let master_fd = pty.master.as_raw_fd().expect("a unix pty");
        // SAFETY: dup of an fd the master keeps open; the File owns the copy.
        let mut reader = unsafe { std::fs::File::from_raw_fd(libc::dup(master_fd)) };
        let feed = parser.clone();
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
                    Ok(n) if n > 0 => feed.lock().unwrap().process(&buf[..n]),
                    _ => break,
                }
            }
        });
        let writer = pty.master.take_writer().unwrap();
        Self {
            parser,
            writer,
            child,
            master: Some(pty.master),
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

    pub fn wait_exit(&mut self) -> u32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
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
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        self.master
            .as_ref()
            .expect("terminal is open")
            .resize(size)
            .unwrap();
        self.parser.lock().unwrap().set_size(
            std::num::NonZero::new(rows).unwrap(),
            std::num::NonZero::new(cols).unwrap(),
        );
    }

    /// The process id of the command the terminal runs.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the child has a pid")
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
    /// shell is a session and process-group leader (portable-pty calls
    /// `setsid`), and hats runs in its group, so no switcher outlives its test.
    fn drop(&mut self) {
        if let Some(pid) = self.child.process_id().and_then(|p| i32::try_from(p).ok()) {
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
}

//! A real pseudo-terminal running a command, its output fed to a vt100 screen.

use crate::harness::{HATS, Sandbox};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Upper bound for a screen to show what we wait for.
const SCREEN_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Terminal {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn std::io::Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
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
        let mut reader = pty.master.try_clone_reader().unwrap();
        let feed = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        // Keep the master open for the child's lifetime.
        std::mem::forget(pty.master);
        Self {
            parser,
            writer,
            child,
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

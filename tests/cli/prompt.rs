//! The MFA prompt on a real pseudo-terminal: asked on the terminal, never on stdout.

use crate::harness::{HATS, Sandbox};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Upper bound for a screen to show what we wait for.
const SCREEN_TIMEOUT: Duration = Duration::from_secs(30);

struct Terminal {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn std::io::Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Terminal {
    fn spawn(sb: &Sandbox, shell_command: &str) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 120,
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
        cmd.cwd(&sb.home);
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZero::new(24).unwrap(),
            std::num::NonZero::new(120).unwrap(),
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

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) {
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

    fn type_line(&mut self, line: &str) {
        write!(self.writer, "{line}\r").unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> u32 {
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

#[test]
fn the_prompt_names_the_device_on_the_terminal_and_stdout_stays_pure_json() {
    let sb = Sandbox::standard(true);
    let mut term = Terminal::spawn(&sb, r#""$HATS" credential-process prod > out.json"#);
    term.wait_for("MFA code for arn:aws:iam::111111111111:mfa/alice: ");
    term.type_line("123456");
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    let out = std::fs::read_to_string(sb.home.join("out.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&out).expect("stdout is exactly the JSON document");
    assert_eq!(doc["Version"], 1);
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].param("TokenCode"), Some("123456"));
}

#[test]
fn a_mistyped_code_is_asked_again_without_calling_sts() {
    let sb = Sandbox::standard(true);
    let mut term = Terminal::spawn(&sb, r#""$HATS" env prod > out.sh"#);
    term.wait_for("mfa/alice: ");
    term.type_line("12 34");
    term.wait_for("is not 6 digits");
    assert!(sb.moto.take_actions().is_empty());
    term.type_line("654321");
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].param("TokenCode"), Some("654321"));
}

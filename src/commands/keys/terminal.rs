//! Asking on the terminal for `hats keys`: a line (shown as typed), a secret
//! (never shown) and a confirmation.
//!
//! Questions and answers use the controlling terminal only (`/dev/tty`; the
//! console on Windows), never stdin or stdout, which may be pipes. The terminal
//! is in raw mode while a line is read (crossterm hides the platforms'
//! differences) and restored on every way out, Ctrl-C included: Ctrl-C, Esc and
//! Ctrl-D on an empty line cancel.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use secrecy::SecretString;
use std::io::{self, Write};

/// Why no answer came.
#[derive(Debug)]
pub enum Unanswered {
    /// There is no terminal to ask on.
    NoTerminal,
    /// The person cancelled (Ctrl-C, Esc, Ctrl-D).
    Cancelled,
}

/// Restores the terminal's mode however reading ends.
struct Raw;

impl Raw {
    fn enter() -> io::Result<Self> {
        crossterm::terminal::enable_raw_mode()?;
        Ok(Self)
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Asks `question` and reads a line the person sees as they type.
pub fn ask_line(question: &str) -> Result<String, Unanswered> {
    read(question, true).map(|secret| {
        use secrecy::ExposeSecret as _;
        secret.expose_secret().to_owned()
    })
}

/// Asks `question` and reads a line that is never shown, not even as `*`.
pub fn ask_secret(question: &str) -> Result<SecretString, Unanswered> {
    read(question, false)
}

fn read(question: &str, shown: bool) -> Result<SecretString, Unanswered> {
    let mut out = crate::session::open_terminal()
        .map(|(_, output)| output)
        .map_err(|_| Unanswered::NoTerminal)?;
    write!(out, "{question}")
        .and_then(|()| out.flush())
        .map_err(|_| Unanswered::NoTerminal)?;
    let raw = Raw::enter().map_err(|_| Unanswered::NoTerminal)?;
    // Room for any key without growing: a grown buffer would leave a copy behind.
    let mut text = String::with_capacity(512);
    let outcome = loop {
        let Ok(event) = crossterm::event::read() else {
            break Err(Unanswered::NoTerminal);
        };
        match event {
            Event::Key(key) => match edit(&mut text, key) {
                Edit::Typed(c) if shown => {
                    let _ = write!(out, "{c}").and_then(|()| out.flush());
                }
                Edit::Erased if shown => {
                    let _ = write!(out, "\x08 \x08").and_then(|()| out.flush());
                }
                Edit::Cleared if shown => {
                    let last = question.rsplit('\n').next().unwrap_or_default();
                    let _ = write!(out, "\r\x1b[2K{last}").and_then(|()| out.flush());
                }
                Edit::Done => break Ok(()),
                Edit::Cancel => break Err(Unanswered::Cancelled),
                _ => {}
            },
            Event::Paste(pasted) if text.len() + pasted.len() <= text.capacity() => text.push_str(&pasted),
            _ => {}
        }
    };
    drop(raw);
    let _ = writeln!(out);
    outcome.map(|()| SecretString::from(text))
}

/// What one key did to the line.
#[derive(Debug, PartialEq, Eq)]
enum Edit {
    Typed(char),
    Erased,
    Cleared,
    Done,
    Cancel,
    Nothing,
}

/// Applies `key` to `text`: characters are typed, Backspace erases, Ctrl-U
/// clears, Enter ends; Ctrl-C, Esc and Ctrl-D on an empty line cancel.
fn edit(text: &mut String, key: KeyEvent) -> Edit {
    if key.kind == KeyEventKind::Release {
        return Edit::Nothing;
    }
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Enter => Edit::Done,
        KeyCode::Esc => Edit::Cancel,
        KeyCode::Char('c') if control => Edit::Cancel,
        KeyCode::Char('d') if control && text.is_empty() => Edit::Cancel,
        KeyCode::Char('u') if control => {
            text.clear();
            Edit::Cleared
        }
        KeyCode::Backspace => text.pop().map_or(Edit::Nothing, |_| Edit::Erased),
        KeyCode::Char(c) if !control && text.len() + c.len_utf8() <= text.capacity() => {
            text.push(c);
            Edit::Typed(c)
        }
        _ => Edit::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_edit_the_line_and_control_keys_end_or_cancel_it() {
        let mut text = String::with_capacity(8);
        let plain = KeyModifiers::NONE;
        assert_eq!(edit(&mut text, key(KeyCode::Char('a'), plain)), Edit::Typed('a'));
        assert_eq!(
            edit(&mut text, key(KeyCode::Char('b'), KeyModifiers::SHIFT)),
            Edit::Typed('b')
        );
        assert_eq!(edit(&mut text, key(KeyCode::Backspace, plain)), Edit::Erased);
        assert_eq!(text, "a");
        assert_eq!(
            edit(&mut text, key(KeyCode::Char('u'), KeyModifiers::CONTROL)),
            Edit::Cleared
        );
        assert_eq!(text, "");
        assert_eq!(edit(&mut text, key(KeyCode::Backspace, plain)), Edit::Nothing);
        assert_eq!(
            edit(&mut text, key(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Edit::Cancel
        );
        assert_eq!(
            edit(&mut text, key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Edit::Cancel
        );
        assert_eq!(edit(&mut text, key(KeyCode::Esc, plain)), Edit::Cancel);
        assert_eq!(edit(&mut text, key(KeyCode::Enter, plain)), Edit::Done);
        for _ in 0..20 {
            edit(&mut text, key(KeyCode::Char('x'), plain));
        }
        assert_eq!(text.len(), text.capacity(), "never grows past its room");
    }
}

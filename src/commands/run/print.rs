//! Where `hats run` puts the commands' output: prefixed lines (aligned,
//! coloured per target on a terminal), one block per target (`--group`), files
//! (`--output-dir`) or one JSON object per job (`--json`); and the live
//! progress line on a terminal's stderr, erased before any output is written.
//!
//! It is the fan-out's only writer: every line goes out in one write, so lines
//! of different targets never mix mid-line. A closed stdout (`| head`) is
//! ignored: the commands still run and the exit status still tells.

use super::files::OutputFiles;
use super::summary::progress_line;
use crate::fanout::{Event, Job, Sink, Status, Stream, Tally};
use std::io::Write;

/// How the commands' output is shown.
pub enum Layout {
    /// `TARGET | line`, as lines come.
    Prefixed,
    /// Each target's lines in one block when it ends.
    Grouped,
    /// Files in a directory; only the summary is printed.
    Files(OutputFiles),
    /// One JSON object per job on stdout.
    Json,
}

/// ANSI colours for target labels, one per target in turn.
const PALETTE: [u8; 6] = [36, 32, 33, 35, 34, 96];

/// The fan-out's sink for the command line.
pub struct Printer<'j, 't> {
    jobs: &'j [Job<'t>],
    layout: Layout,
    width: usize,
    colour: bool,
    progress: bool,
    parallel: usize,
    drawn: bool,
    kept: Vec<Vec<(Stream, Vec<u8>)>>,
}

impl<'j, 't> Printer<'j, 't> {
    /// A printer for `jobs`; `colour` for labels on a terminal, `progress` for the live line.
    pub fn new(jobs: &'j [Job<'t>], layout: Layout, colour: bool, progress: bool, parallel: usize) -> Self {
        let width = jobs.iter().map(|j| j.label.chars().count()).max().unwrap_or(0);
        let keeps = matches!(layout, Layout::Grouped | Layout::Json);
        Self {
            jobs,
            layout,
            width,
            colour,
            progress,
            parallel,
            drawn: false,
            kept: if keeps {
                vec![Vec::new(); jobs.len()]
            } else {
                Vec::new()
            },
        }
    }

    /// Erases the progress line, so output starts on a clean line.
    pub fn clear_progress(&mut self) {
        if self.drawn {
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
            self.drawn = false;
        }
    }

    fn label(&self, job: usize) -> String {
        let label = crate::domain::clean_text(&self.jobs[job].label);
        let padded = format!("{label:<w$}", w = self.width);
        if self.colour {
            format!("\x1b[{}m{padded}\x1b[0m", PALETTE[job % PALETTE.len()])
        } else {
            padded
        }
    }

    fn line(&mut self, job: usize, stream: Stream, text: &[u8]) {
        let mut bytes = self.label(job).into_bytes();
        bytes.extend_from_slice(b" | ");
        bytes.extend_from_slice(text);
        bytes.push(b'\n');
        self.clear_progress();
        let _ = match stream {
            Stream::Out => std::io::stdout().lock().write_all(&bytes),
            Stream::Err => std::io::stderr().lock().write_all(&bytes),
        };
    }

    fn block(&mut self, job: usize, status: &Status, duration: std::time::Duration) {
        let lines = std::mem::take(&mut self.kept[job]);
        let mut out = format!(
            "== {} ({}, {}) ==\n",
            crate::domain::clean_text(&self.jobs[job].label),
            super::summary::result_word(status),
            super::summary::short(duration)
        )
        .into_bytes();
        let mut err = Vec::new();
        for (stream, text) in lines {
            let to = if stream == Stream::Out { &mut out } else { &mut err };
            to.extend_from_slice(&text);
            to.push(b'\n');
        }
        self.clear_progress();
        let _ = std::io::stdout().lock().write_all(&out);
        let _ = std::io::stderr().lock().write_all(&err);
    }

    fn json(&mut self, job: usize, status: &Status, duration: std::time::Duration) {
        let lines = std::mem::take(&mut self.kept[job]);
        let text = |wanted: Stream| {
            let mut all = Vec::new();
            for (_, text) in lines.iter().filter(|(s, _)| *s == wanted) {
                all.extend_from_slice(text);
                all.push(b'\n');
            }
            String::from_utf8_lossy(&all).into_owned()
        };
        let object = super::json_object(
            &self.jobs[job],
            status,
            duration,
            text(Stream::Out),
            text(Stream::Err),
        );
        let mut line = serde_json::to_vec(&object).expect("plain data serializes");
        line.push(b'\n');
        self.clear_progress();
        let _ = std::io::stdout().lock().write_all(&line);
    }
}

impl Sink for Printer<'_, '_> {
    fn event(&mut self, event: Event, _tally: &Tally) {
        match (&mut self.layout, event) {
            (Layout::Files(files), Event::Started { job }) => files.open(job, &self.jobs[job]),
            (Layout::Files(files), Event::Line { job, stream, text }) => files.write(job, stream, &text),
            (Layout::Files(files), Event::Finished { job, .. }) => files.close(job),
            (Layout::Prefixed, Event::Line { job, stream, text }) => self.line(job, stream, &text),
            (Layout::Grouped | Layout::Json, Event::Line { job, stream, text }) => {
                self.kept[job].push((stream, text));
            }
            (
                Layout::Grouped,
                Event::Finished {
                    job,
                    status,
                    duration,
                },
            ) => self.block(job, &status, duration),
            (
                Layout::Json,
                Event::Finished {
                    job,
                    status,
                    duration,
                },
            ) => self.json(job, &status, duration),
            _ => {}
        }
    }

    fn tick(&mut self, tally: &Tally) {
        if !self.progress {
            return;
        }
        let line = progress_line(tally, self.parallel);
        let _ = std::io::stderr().write_all(format!("\r\x1b[2K{line}").as_bytes());
        self.drawn = true;
    }

    fn interrupted(&mut self) {
        self.clear_progress();
        let _ = writeln!(
            std::io::stderr(),
            "hats: interrupted: no new commands start; the running ones got Ctrl-C"
        );
    }
}

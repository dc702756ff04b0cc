//! The progress bar the sync commands draw on stderr: a spinner with a message
//! and a bar, shown only when stderr is a terminal (hidden otherwise, so
//! scripts and logs get the final report line alone).

use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};
use std::io::IsTerminal as _;

/// A ticking bar on stderr when it is a terminal, else a hidden one.
pub(super) fn stderr_bar() -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {wide_bar} {pos}/{len}").expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    // A sync stopped by Ctrl-C drops its bar: it must not stay on the screen.
    bar.with_finish(ProgressFinish::AndClear)
}

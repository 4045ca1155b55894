//! The process's stdout and stderr: everything caplevel prints goes through
//! here, so that a reader that goes away never panics or fails a run.
//!
//! - stdout closed early (`caplevel … | head`): the rest of what would have
//!   gone there is dropped and the run goes on. Its exit code is the one it
//!   would otherwise have had: caplevel is a gate, its exit code is the
//!   verdict (a CI step under `set -o pipefail` must not see a failing
//!   bundle pass because a pager quit early), and the files of `--output`
//!   are still written whole. Other write errors (a full disk) still fail
//!   the run (exit 2).
//! - stderr closed: diagnostics that cannot be written are dropped; there
//!   is nowhere left to report that, and the exit code still tells.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to stdout met a closed pipe.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout's reader has gone away (a write met a broken pipe).
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Stdout, locked: a broken pipe ends its output quietly (every later
/// write succeeds, writing nothing); any other error is returned.
pub struct Stdout(io::StdoutLock<'static>);

/// The locked stdout every report and listing is written to.
pub fn stdout() -> Stdout {
    Stdout(io::stdout().lock())
}

/// `result`, with a broken pipe taken as `closed` (and remembered in `flag`).
fn absorb<T>(result: io::Result<T>, closed: T, flag: &AtomicBool) -> io::Result<T> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            flag.store(true, Ordering::Relaxed);
            Ok(closed)
        }
        other => other,
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if stdout_closed() {
            return Ok(buf.len());
        }
        absorb(self.0.write(buf), buf.len(), &STDOUT_CLOSED)
    }

    fn flush(&mut self) -> io::Result<()> {
        if stdout_closed() {
            return Ok(());
        }
        absorb(self.0.flush(), (), &STDOUT_CLOSED)
    }
}

/// Writes `text` to stdout (see [`Stdout`]).
pub fn print(text: &str) -> io::Result<()> {
    let mut out = stdout();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes `line` and a newline to stderr, never failing and never
/// panicking: a diagnostic that cannot be written has nowhere else to go.
/// ANSI styles in `line` are dropped unless stderr is a terminal that
/// takes colour (as anstream decides).
pub fn eprintln(line: impl std::fmt::Display) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{line}");
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::absorb;
    use std::io;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_broken_pipe_is_absorbed_and_other_errors_are_not() {
        let flag = AtomicBool::new(false);
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert!(absorb::<usize>(Err(full), 7, &flag).is_err());
        assert!(!flag.load(Ordering::Relaxed));
        let broken = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(absorb(Err(broken), 7, &flag).unwrap(), 7);
        assert!(flag.load(Ordering::Relaxed));
    }
}

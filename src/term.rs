//! The terminal: how wide it is, whether to colour, and the progress
//! display. Everything here only changes what a person at a terminal sees;
//! files, pipes and CI logs get plain, deterministic text.

use crate::{Progress, ProgressEvent};
use std::io::IsTerminal;

/// The width the table on stdout should fit: `COLUMNS` when set to a number
/// (so a script or a test can fix it), else the terminal's when stdout is
/// one, else none (a pipe or a file gets the whole table).
pub fn stdout_width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return Some(n);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(terminal_size::Width(w), _)| usize::from(w))
}

/// Whether to colour what goes to stdout: only a terminal, only without
/// `NO_COLOR` (`CLICOLOR=0` also turns it off, `CLICOLOR_FORCE=1` on for a
/// pipe; `NO_COLOR` wins over both), as anstream decides for every stream.
pub fn stdout_color() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// Whether to colour what goes to stderr (same rules as [`stdout_color`]).
pub fn stderr_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// Targets from which assessing is worth a bar (a smaller run is over
/// before a bar could say anything).
const BAR_FROM: usize = 20;

/// A progress display on stderr when it is a terminal; nothing otherwise
/// (CI logs and pipes stay clean). It appears at once: a spinner with the
/// files walked and targets found while discovering, then a bar with the
/// rate and the time left while assessing.
pub fn progress() -> Progress {
    if !std::io::stderr().is_terminal() {
        return Progress::default();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} discovering: {msg} ({elapsed})")
    {
        bar.set_style(style);
    }
    bar.set_message("starting");
    // Ticks keep the spinner and the clock moving while a large folder is
    // read, when no event comes for seconds.
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Progress::new(move |event| match event {
        ProgressEvent::Discovering(seen) => bar.set_message(format!(
            "{} files and folders walked, {} targets found",
            seen.entries, seen.targets
        )),
        ProgressEvent::Found(total) if total < BAR_FROM => bar.finish_and_clear(),
        ProgressEvent::Found(total) => {
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} targets, {rate}, {elapsed} elapsed, {left}",
            ) {
                bar.set_style(
                    style
                        .with_key(
                            "rate",
                            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                                let _ = write!(w, "{:.1}/s", s.per_sec());
                            },
                        )
                        // No estimate before the first target is done.
                        .with_key(
                            "left",
                            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                                let _ = if s.pos() == 0 {
                                    write!(w, "estimating time left")
                                } else {
                                    write!(w, "about {:#} left", indicatif::HumanDuration(s.eta()))
                                };
                            },
                        ),
                );
            }
            bar.set_length(total as u64);
            bar.reset_eta();
        }
        ProgressEvent::Assessed if bar.is_finished() => {}
        ProgressEvent::Assessed => {
            bar.inc(1);
            if bar.length() == Some(bar.position()) {
                bar.finish_and_clear();
            }
        }
    })
}

/// Red, for what fails.
const ERROR: anstyle::Style = anstyle::Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Red)));
/// Yellow, for warnings.
const WARNING: anstyle::Style = anstyle::Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Yellow)));

/// Prints a diagnostic on stderr, its severity coloured when stderr is a
/// terminal and `NO_COLOR` is unset (anstream drops the escapes otherwise);
/// never fails (see [`crate::stdio`]).
pub fn eprint_diagnostic(d: &crate::diag::Diagnostic) {
    let style = match d.severity {
        crate::diag::Severity::Error => ERROR,
        crate::diag::Severity::Warning => WARNING,
        crate::diag::Severity::Info => anstyle::Style::new(),
    };
    let text = d.to_string();
    match text.split_once('[') {
        Some((severity, rest)) => {
            crate::stdio::eprintln(format_args!("{style}{severity}{style:#}[{rest}"))
        }
        None => crate::stdio::eprintln(text),
    }
}

/// Prints a line on stderr that says why the run fails, in red on a terminal.
pub fn eprint_failure(line: &str) {
    crate::stdio::eprintln(format_args!("{ERROR}{line}{ERROR:#}"));
}

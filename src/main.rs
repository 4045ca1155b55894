//! Thin entry point: parse the command line, call the library, map the
//! outcome to an exit code: 0 every gate passed, 1 a gate failed (an input
//! a cluster or helm would reject counts; each reason is printed on stderr
//! whatever the format), 2 usage, input or configuration error. Everything
//! printed goes through `caplevel::stdio`: a closed stdout or stderr
//! changes none of these codes.

use caplevel::cli::{
    AnalyzeArgs, Cli, Command, DiffArgs, ExplainArgs, FindingsShown, Format, HelmArgs, LimitArgs,
    RenderArgs, RulesArgs, SchemaKind,
};
use caplevel::config::Config;
use caplevel::finding::Status;
use caplevel::gate::{Baseline, Gates};
use caplevel::phase::Phase;
use caplevel::report;
use caplevel::rules::doc;
use caplevel::{Options, load_rules};
use clap::Parser;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Analyze(args)) => analyze(args, true),
        None => analyze(cli.analyze, true),
        Some(Command::Baseline(args)) => write_baseline(args),
        Some(Command::Rules(args)) => list_rules(args),
        Some(Command::Explain(args)) => explain(args),
        Some(Command::Render(args)) => render(args),
        Some(Command::Schema(args)) => print_schema(args.which),
        Some(Command::Diff(args)) => diff(args),
        Some(Command::Merge(args)) => merge(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            caplevel::stdio::eprintln(format_args!("caplevel: {message}"));
            ExitCode::from(2)
        }
    }
}

fn phase_arg(flag: &str, text: &str) -> Result<Phase, String> {
    Phase::parse_arg(text).ok_or_else(|| {
        format!("{flag}: unknown phase `{text}` (basic-install, seamless-upgrades, full-lifecycle, deep-insights, auto-pilot, or 1-5)")
    })
}

fn options(rules: Vec<PathBuf>, config: Option<&std::path::Path>) -> Result<Options, String> {
    Ok(Options {
        config: Config::discover(config).map_err(|e| format!("invalid configuration: {e}"))?,
        rule_paths: rules,
        ..Options::default()
    })
}

/// `caplevel baseline`: the analysis, its JSON report of failures to the
/// file; exit 0 whatever it found (nothing is gated), 2 on usage errors.
fn write_baseline(args: caplevel::cli::BaselineArgs) -> Result<ExitCode, String> {
    let file = args.output.display().to_string();
    analyze(args.into_analyze(), false)?;
    caplevel::stdio::eprintln(format_args!("caplevel: baseline written to {file}"));
    Ok(ExitCode::SUCCESS)
}

/// `caplevel analyze`; `stdout`: also write `--format` to stdout.
fn analyze(args: AnalyzeArgs, stdout: bool) -> Result<ExitCode, String> {
    if args.paths.is_empty() {
        return Err("no path given (usage: caplevel analyze PATH...)".into());
    }
    if let Some(t) = args.threshold
        && !(0.0..=100.0).contains(&t)
    {
        return Err(format!("--threshold must be 0 to 100, not {t}"));
    }
    if let Some(s) = args.min_score
        && !(0.0..=100.0).contains(&s)
    {
        return Err(format!("--min-score must be 0 to 100, not {s}"));
    }
    if let Some(q) = args.min_quality
        && !(0.0..=100.0).contains(&q)
    {
        return Err(format!("--min-quality must be 0 to 100, not {q}"));
    }
    let mut options = options(args.rules, args.config.as_deref())?;
    options
        .config
        .select_from_cli(&args.only, &args.skip)
        .map_err(|e| format!("invalid rule selection: {e}"))?;
    options.threshold = args.threshold;
    options.no_history = args.no_history;
    options.shard = args.shard;
    options.timestamp = args.timestamp;
    options.arguments = std::env::args().skip(1).collect();
    options.load.helm = helm_options(&args.helm);
    limit_spec(&args.limits)
        .over(options.config.limits)
        .apply(&mut options.load);
    options.gates = Gates {
        fail_under: args
            .fail_under
            .as_deref()
            .map(|p| phase_arg("--fail-under", p))
            .transpose()?,
        min_score: args.min_score,
        min_quality: args.min_quality,
        fail_on_overclaim: args.fail_on_overclaim,
        fail_on_breaking: args.fail_on_breaking,
        baseline: args
            .baseline
            .as_deref()
            .map(Baseline::read)
            .transpose()
            .map_err(|e| e.to_string())?,
        strict: args.strict,
    };
    if let Some(jobs) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global()
            .map_err(|e| format!("cannot start {jobs} worker threads: {e}"))?;
    }
    if args.timings {
        caplevel::rules::timings::enable();
    }
    if !args.quiet {
        options.progress = caplevel::term::progress();
    }
    let run = caplevel::Run::prepare(&args.paths, &options).map_err(|e| e.to_string())?;
    let head = run.head.clone();
    if !args.quiet {
        head.diagnostics
            .iter()
            .for_each(caplevel::term::eprint_diagnostic);
    }

    // Every requested output: the files of --output, then stdout.
    let mut outputs: Vec<(Format, String, Box<dyn Write>)> = Vec::new();
    for spec in &args.outputs {
        let file = std::fs::File::create(&spec.path)
            .map_err(|e| format!("cannot write {}: {e}", spec.path.display()))?;
        outputs.push((
            spec.format,
            spec.path.display().to_string(),
            Box::new(std::io::BufWriter::new(file)),
        ));
    }
    if stdout {
        outputs.push((
            args.format,
            "stdout".into(),
            Box::new(caplevel::stdio::stdout()),
        ));
    }
    let table_on_stdout = args.format == Format::Table;
    // The table's readers get every diagnostic on stderr (with --verbose
    // they are in the table itself); every other run gets at least the ones
    // that fail it, so a failing run always says why.
    let all_diagnostics = table_on_stdout && !args.verbose && !args.quiet;
    let strict = args.strict;
    let findings_shown = args.findings;
    let mut counts = DiagnosticCounts::default();

    // Every format is written as targets are assessed, so memory does not
    // grow with the catalog.
    let mut sinks = Vec::new();
    for (format, name, out) in outputs {
        let sink = match format {
            Format::Json => report::JsonStream::start(out, &head).map(Sink::Json),
            Format::Jsonl => report::JsonlStream::start(out, &head).map(Sink::Jsonl),
            Format::Table => {
                let table = report::TableStream::new(out, args.verbose);
                // Only the table on stdout fits the terminal and is
                // coloured; a file gets it whole and plain.
                Ok(Sink::Table(if name == "stdout" {
                    table
                        .width(caplevel::term::stdout_width())
                        .color(caplevel::term::stdout_color())
                } else {
                    table
                }))
            }
            Format::Sarif => report::SarifStream::start(out, &head).map(Sink::Sarif),
            Format::Junit => report::JunitStream::start(out, remediations(&head)).map(Sink::Junit),
            Format::Markdown => {
                report::MarkdownStream::start(out, remediations(&head)).map(Sink::Markdown)
            }
        }
        .map_err(|e| format!("cannot write {name}: {e}"))?;
        sinks.push((name, sink));
    }
    let tail = run
        .assess(|mut t| {
            // Gates and counts have seen every finding; the report lists
            // the ones asked for.
            match findings_shown {
                FindingsShown::All => {}
                FindingsShown::Fail => t
                    .findings
                    .retain(|f| matches!(f.status, Status::Fail | Status::Error)),
                FindingsShown::None => t.findings.clear(),
            }
            for d in &t.diagnostics {
                counts.add(d, strict);
                if all_diagnostics || d.fails_run(strict) {
                    caplevel::term::eprint_diagnostic(d);
                }
            }
            for (_, sink) in &mut sinks {
                match sink {
                    Sink::Json(s) => s.target(&t)?,
                    Sink::Jsonl(s) => s.target(&t)?,
                    Sink::Table(s) => s.target(&t)?,
                    Sink::Sarif(s) => s.target(&t)?,
                    Sink::Junit(s) => s.target(&t)?,
                    Sink::Markdown(s) => s.target(&t)?,
                }
            }
            Ok(())
        })
        .map_err(|e| format!("cannot write the report: {e}"))?;
    for (name, sink) in sinks {
        match sink {
            Sink::Json(s) => s.finish(&tail),
            Sink::Jsonl(s) => s.finish(&tail),
            Sink::Table(s) => s.finish(&tail),
            Sink::Sarif(s) => s.finish(&tail),
            Sink::Junit(s) => s.finish(&tail),
            Sink::Markdown(s) => s.finish(&tail),
        }
        .map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    if args.timings {
        let rows = caplevel::rules::timings::report();
        let total: std::time::Duration = rows.iter().map(|r| r.1).sum();
        caplevel::stdio::eprintln(format_args!(
            "rule evaluation time: {:.1} ms in all",
            total.as_secs_f64() * 1e3
        ));
        for (rule, time, n) in rows {
            caplevel::stdio::eprintln(format_args!(
                "{:>9.2} ms {:>6} eval  {rule}",
                time.as_secs_f64() * 1e3,
                n
            ));
        }
    }
    if !args.quiet {
        // Run-level diagnostics found after discovery (unused exemptions).
        for d in tail.diagnostics.iter().skip(head.diagnostics.len()) {
            caplevel::term::eprint_diagnostic(d);
        }
    }
    for g in &tail.gate_failures {
        if g.gate != "input-errors" {
            caplevel::term::eprint_failure(&format!(
                "gate failed: {}: {}: {}",
                g.target, g.gate, g.message
            ));
        }
    }
    if !args.quiet {
        counts.note();
    }
    if !tail.gate_failures.is_empty() {
        let targets: std::collections::BTreeSet<&str> = tail
            .gate_failures
            .iter()
            .map(|g| g.target.as_str())
            .collect();
        caplevel::term::eprint_failure(&format!(
            "caplevel: failed: {} gate failure(s) in {} target(s) ({} input error(s) a cluster or helm would reject); exit 1",
            tail.gate_failures.len(),
            targets.len(),
            counts.failing
        ));
    }
    Ok(if tail.gate_failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Diagnostics counted over a run, for the closing note on stderr.
#[derive(Default)]
struct DiagnosticCounts {
    failing: usize,
    rule_errors: usize,
    warnings: usize,
}

impl DiagnosticCounts {
    fn add(&mut self, d: &caplevel::diag::Diagnostic, strict: bool) {
        use caplevel::diag::{Code, Severity};
        if d.fails_run(strict) {
            self.failing += 1;
        } else if matches!(d.code, Code::RuleError | Code::Internal) {
            self.rule_errors += 1;
        } else if d.severity == Severity::Warning {
            self.warnings += 1;
        }
    }

    fn note(&self) {
        if self.rule_errors > 0 {
            caplevel::stdio::eprintln(format_args!(
                "caplevel: note: {} rule evaluation(s) failed (code rule-error: a caplevel defect, listed in the report; they fail the run only under --strict)",
                self.rule_errors
            ));
        }
    }
}

/// A report written as the targets come.
enum Sink {
    Json(report::JsonStream<Box<dyn Write>>),
    Jsonl(report::JsonlStream<Box<dyn Write>>),
    Table(report::TableStream<Box<dyn Write>>),
    Sarif(report::SarifStream<Box<dyn Write>>),
    Junit(report::JunitStream<Box<dyn Write>>),
    Markdown(report::MarkdownStream<Box<dyn Write>>),
}

/// Each rule's remediation, by id.
fn remediations(head: &report::ReportHead) -> Vec<(String, String)> {
    head.rules
        .iter()
        .map(|r| (r.id.clone(), r.remediation.clone()))
        .collect()
}

fn limit_spec(l: &LimitArgs) -> caplevel::config::LimitsSpec {
    caplevel::config::LimitsSpec {
        file_size: l.max_file_size,
        depth: l.max_depth,
        alias_nodes: l.max_alias_nodes,
        chart_size: l.max_chart_size,
        chart_files: l.max_chart_files,
        subchart_depth: l.max_subchart_depth,
        include_depth: l.max_include_depth,
        range_iterations: l.max_range_iterations,
        render_steps: l.max_render_steps,
    }
}

fn helm_options(h: &HelmArgs) -> caplevel::load::HelmOptions {
    caplevel::load::HelmOptions {
        value_files: h.values.clone(),
        set: h.set.clone(),
        set_string: h.set_string.clone(),
        set_json: h.set_json.clone(),
        set_file: h.set_file.clone(),
        set_literal: h.set_literal.clone(),
        is_upgrade: h.is_upgrade,
        release_name: h.release_name.clone(),
        namespace: h.namespace.clone(),
        kube_version: h.kube_version.clone(),
        api_versions: h.api_versions.clone(),
    }
}

/// `caplevel render`: the chart's manifests as `helm template` prints them;
/// diagnostics on stderr; exit 1 when a template failed.
fn render(args: RenderArgs) -> Result<ExitCode, String> {
    let mut load = caplevel::load::LoadOptions {
        helm: helm_options(&args.helm),
        ..Default::default()
    };
    limit_spec(&args.limits).apply(&mut load);
    let print = caplevel::helm::PrintOptions {
        include_crds: args.include_crds,
        skip_tests: args.skip_tests,
        no_hooks: args.no_hooks,
        show_only: args.show_only.clone(),
    };
    let out = caplevel::load::render_chart(&args.chart, args.profile.as_deref(), &load, &print)?;
    caplevel::stdio::print(&out.manifests).map_err(|e| format!("cannot write stdout: {e}"))?;
    for d in &out.diagnostics {
        caplevel::term::eprint_diagnostic(d);
    }
    let failed = out
        .diagnostics
        .iter()
        .any(|d| d.severity == caplevel::diag::Severity::Error);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `caplevel diff`: what breaks the upgrade from OLD to NEW; exit 1 when
/// something does.
fn diff(args: DiffArgs) -> Result<ExitCode, String> {
    use caplevel::upgrade::diff;
    let mut load = caplevel::load::LoadOptions {
        helm: helm_options(&args.helm),
        ..Default::default()
    };
    limit_spec(&args.limits).apply(&mut load);
    let report = diff::diff(&args.old, &args.new, &load).map_err(|e| e.to_string())?;
    let mut out = caplevel::stdio::stdout();
    match args.format {
        Format::Table => diff::write_table(&report, &mut out),
        Format::Json => diff::write_json(&report, &mut out),
        other => return Err(format!("diff writes table or json, not {}", other.name())),
    }
    .map_err(|e| format!("cannot write the report: {e}"))?;
    Ok(ExitCode::from(u8::from(report.breaking > 0)))
}

fn list_rules(args: RulesArgs) -> Result<ExitCode, String> {
    let phase = args
        .phase
        .as_deref()
        .map(|p| phase_arg("--phase", p))
        .transpose()?;
    let options = options(args.rules, args.config.as_deref())?;
    let all = load_rules(&options).map_err(|e| e.to_string())?;
    let mut selected: Vec<_> = all
        .iter()
        .filter(|r| phase.is_none_or(|p| r.phase() == p))
        .collect();
    selected.sort_by(|a, b| (a.phase(), a.id()).cmp(&(b.phase(), b.id())));
    let text = match args.format {
        Format::Json => {
            let items: Vec<serde_json::Value> = selected.iter().map(|r| doc::json(r)).collect();
            serde_json::to_string_pretty(&items).map_err(|e| e.to_string())? + "\n"
        }
        Format::Markdown => doc::markdown(&selected),
        Format::Table => doc::table(&selected),
        other => {
            return Err(format!(
                "`caplevel rules` writes table, json or markdown, not {}",
                other.name()
            ));
        }
    };
    caplevel::stdio::print(&text).map_err(|e| format!("cannot write stdout: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn explain(args: ExplainArgs) -> Result<ExitCode, String> {
    let options = options(args.rules, args.config.as_deref())?;
    let all = load_rules(&options).map_err(|e| e.to_string())?;
    match all.iter().find(|r| r.id() == args.rule) {
        Some(rule) => {
            caplevel::stdio::print(&doc::explain(rule))
                .map_err(|e| format!("cannot write stdout: {e}"))?;
            Ok(ExitCode::SUCCESS)
        }
        None => Err(format!("no rule `{}` (see `caplevel rules`)", args.rule)),
    }
}

/// `caplevel merge`: the shard reports joined, to the file or stdout; exit
/// 1 when the merged report holds a failed gate (as the whole run would).
fn merge(args: caplevel::cli::MergeArgs) -> Result<ExitCode, String> {
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        )),
        None => Box::new(caplevel::stdio::stdout()),
    };
    let failed = report::merge(&args.reports, &mut out).map_err(|e| e.to_string())?;
    if failed > 0 {
        caplevel::term::eprint_failure(&format!(
            "caplevel: failed: the merged report holds {failed} gate failure(s); exit 1"
        ));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_schema(which: SchemaKind) -> Result<ExitCode, String> {
    caplevel::stdio::print(&caplevel::schema_json(which))
        .map_err(|e| format!("cannot write stdout: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

// mimalloc: the run allocates millions of small YAML and CEL nodes; the
// system allocator spent a quarter of the time in malloc/free.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

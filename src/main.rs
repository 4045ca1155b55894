//! Thin entry point: parse the command line, call the library, map the
//! outcome to an exit code (0 done, 1 a gate failed or input errors, 2 usage,
//! input or rule-file error).

use caplevel::cli::{AnalyzeArgs, Cli, Command, Format, RulesArgs, SchemaKind};
use caplevel::phase::Phase;
use caplevel::{Options, report, rules};
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Analyze(args)) => analyze(args),
        None => analyze(cli.analyze),
        Some(Command::Rules(args)) => list_rules(args),
        Some(Command::Schema(args)) => print_schema(args.which),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("caplevel: {message}");
            ExitCode::from(2)
        }
    }
}

fn analyze(args: AnalyzeArgs) -> Result<ExitCode, String> {
    if args.paths.is_empty() {
        return Err("no path given (usage: caplevel analyze PATH...)".into());
    }
    if !(0.0..=100.0).contains(&args.threshold) {
        return Err(format!(
            "--threshold must be 0 to 100, not {}",
            args.threshold
        ));
    }
    if let Some(jobs) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global()
            .map_err(|e| format!("cannot start {jobs} worker threads: {e}"))?;
    }
    let options = Options {
        rule_paths: args.rules,
        threshold: args.threshold,
        ..Options::default()
    };
    let report = caplevel::analyze(&args.paths, &options).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.format {
        Format::Table => report::write_table(&report, args.verbose, &mut out),
        Format::Json => report::write_json(&report, &mut out),
    };
    written.map_err(|e| format!("cannot write the report: {e}"))?;
    if args.format == Format::Table && !args.verbose {
        for t in &report.targets {
            for d in &t.diagnostics {
                eprintln!("{d}");
            }
        }
    }
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn list_rules(args: RulesArgs) -> Result<ExitCode, String> {
    let phase = match &args.phase {
        Some(p) => Some(Phase::parse_arg(p).ok_or_else(|| format!("unknown phase `{p}`"))?),
        None => None,
    };
    let all = rules::load(&args.rules).map_err(|e| format!("invalid rule file: {e}"))?;
    let mut selected: Vec<_> = all
        .iter()
        .filter(|r| phase.is_none_or(|p| r.phase() == p))
        .collect();
    selected.sort_by(|a, b| (a.phase(), a.id()).cmp(&(b.phase(), b.id())));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.format {
        Format::Json => {
            let items: Vec<serde_json::Value> = selected
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id(),
                        "phase": r.phase(),
                        "title": r.spec.title,
                        "weight": r.spec.weight,
                        "applies-to": r.spec.applies_to,
                        "signal": r.spec.signal,
                        "source": r.source,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &items)
                .map_err(std::io::Error::other)
                .and_then(|_| writeln!(out))
        }
        Format::Table => {
            let mut table = comfy_table::Table::new();
            table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header(vec!["id", "phase", "weight", "applies to", "title"]);
            for r in &selected {
                let kinds: Vec<&str> = r.spec.applies_to.iter().map(|k| k.id()).collect();
                table.add_row(vec![
                    r.id().to_string(),
                    format!("{} {}", r.phase().roman(), r.phase().id()),
                    r.spec.weight.to_string(),
                    kinds.join(","),
                    r.spec.title.clone(),
                ]);
            }
            writeln!(out, "{table}\n{} rule(s)", selected.len())
        }
    };
    written.map_err(|e| format!("cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn print_schema(which: SchemaKind) -> Result<ExitCode, String> {
    let schema = match which {
        SchemaKind::Rules => schemars::schema_for!(caplevel::rules::model::RuleFile),
        SchemaKind::Report => schemars::schema_for!(caplevel::report::Report),
    };
    let text = serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

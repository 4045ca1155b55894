//! The command line: clap definitions of every command and flag.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// How mature is an operator bundle or Helm chart, really? caplevel reads
/// the files alone and grades the five capability phases with evidence.
#[derive(Debug, Parser)]
#[command(name = "caplevel", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: analyze).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `caplevel PATH…` is `caplevel analyze PATH…`.
    #[command(flatten)]
    pub analyze: AnalyzeArgs,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess every bundle, package-manifest folder or manifest folder under the paths.
    Analyze(AnalyzeArgs),
    /// List the rules (built-in and --rules).
    Rules(RulesArgs),
    /// Print a JSON Schema.
    Schema(SchemaArgs),
}

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// The versioned JSON report.
    Json,
}

/// Arguments of `analyze`.
#[derive(Debug, Args, Clone)]
pub struct AnalyzeArgs {
    /// Files or folders to assess; folders are walked for targets.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// With the table: list every finding with its evidence, and the diagnostics.
    #[arg(long, short)]
    pub verbose: bool,
    /// More rule files or folders of rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Coverage (0–100) a phase needs to count as evidenced.
    #[arg(long, default_value_t = crate::score::DEFAULT_THRESHOLD)]
    pub threshold: f64,
    /// Worker threads (default: all cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
}

/// Arguments of `rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only this phase (id like `full-lifecycle`, numeral, or number).
    #[arg(long)]
    pub phase: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// More rule files or folders of rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
}

/// Arguments of `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum)]
    pub which: SchemaKind,
}

/// The schemas caplevel publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// The rule-file format.
    Rules,
    /// The JSON report.
    Report,
}

//! The command line: clap definitions of every command and flag.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// How mature is an operator bundle or Helm chart, really? caplevel reads
/// the files alone and grades the five capability phases with evidence.
///
/// Exit codes: 0 every gate passed; 1 a gate failed, or an input has an
/// error a cluster or helm would reject (each named on stderr); 2 usage,
/// input or configuration error. A closed stdout (`| head`) or stderr does
/// not change them: the run goes on and exits as it would have.
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
// One command is parsed once per run: the size of the largest variant costs
// nothing, and boxing it would only obscure clap's derive.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess every bundle, package-manifest folder or manifest folder under the paths.
    Analyze(AnalyzeArgs),
    /// List the rules (built-in, the config's and --rules).
    Rules(RulesArgs),
    /// Print one rule's full documentation.
    Explain(ExplainArgs),
    /// Write a baseline: the failures, input errors and levels of every
    /// target now, for `analyze --baseline FILE` to accept later.
    Baseline(BaselineArgs),
    /// Render a Helm chart as `helm template` would, with no helm binary.
    Render(RenderArgs),
    /// Print a JSON Schema (report, rules or config).
    Schema(SchemaArgs),
    /// What breaks the upgrade from one bundle or chart version to the next
    /// (exit 1 when something does).
    Diff(DiffArgs),
    /// Join the JSON or JSON Lines reports of `analyze --shard I/N` runs
    /// into the report one unsharded run writes.
    Merge(MergeArgs),
}

/// Arguments of `merge`.
#[derive(Debug, Args, Clone)]
pub struct MergeArgs {
    /// The shard reports (all JSON or all JSON Lines).
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// Where to write the merged report (default: stdout).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// One shard of a run: the `index`-th (from 1) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, 1 to `count`.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{text}`: expected I/N with 1 <= I <= N, e.g. 2/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// The versioned JSON report.
    Json,
    /// JSON Lines: one line per target, then a summary line (no rule catalogue).
    Jsonl,
    /// SARIF 2.1.0, for code-scanning uploads.
    Sarif,
    /// JUnit XML: a testsuite per target, a testcase per rule.
    Junit,
    /// Markdown, for pull-request comments.
    Markdown,
}

impl Format {
    /// The format's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
        }
    }
}

/// Which findings a report lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingsShown {
    /// Every finding.
    All,
    /// Failures and rule errors only.
    Fail,
    /// None (the assessments and counts only).
    None,
}

/// `FORMAT=PATH`: write this format to this file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// The format.
    pub format: Format,
    /// The file.
    pub path: PathBuf,
}

fn parse_output(text: &str) -> Result<OutputSpec, String> {
    let (format, path) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not FORMAT=PATH"))?;
    let format = Format::from_str(format, true).map_err(|_| {
        format!("unknown format `{format}` (table, json, jsonl, sarif, junit, markdown)")
    })?;
    if path.is_empty() {
        return Err(format!("`{text}` names no file"));
    }
    Ok(OutputSpec {
        format,
        path: PathBuf::from(path),
    })
}

/// Arguments of `analyze`.
#[derive(Debug, Args, Clone)]
pub struct AnalyzeArgs {
    /// Files or folders to assess; folders are walked for targets.
    pub paths: Vec<PathBuf>,
    /// Format written to stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write FORMAT to PATH (repeatable), e.g. `--output sarif=caplevel.sarif`.
    #[arg(long = "output", short = 'o', value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub outputs: Vec<OutputSpec>,
    /// With the table: list every finding with its evidence, and the diagnostics.
    #[arg(long, short)]
    pub verbose: bool,
    /// More rule files or folders of rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// The config file (default: .caplevel.yaml in the working directory, when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Coverage (0–100) at which a phase's coverage counts as `reached`: a secondary figure, the
    /// level comes from decisive evidence (docs/scoring.md) [default: 50, or the config's].
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Gate: fail when a target's evidenced level is below PHASE (id, numeral or number).
    #[arg(long, value_name = "PHASE")]
    pub fail_under: Option<String>,
    /// Gate: fail when a target's score (0–100) is below N.
    #[arg(long, value_name = "N")]
    pub min_score: Option<f64>,
    /// Gate: fail when a target's quality score (0–100: listing and packaging hygiene) is below N.
    #[arg(long, value_name = "N")]
    pub min_quality: Option<f64>,
    /// Gate: fail when a target declares a higher level than it evidences.
    #[arg(long)]
    pub fail_on_overclaim: bool,
    /// Gate: fail when an upgrade into the latest version of a history breaks
    /// (a breaking CRD change from a version it upgrades from, or an
    /// upgrade-graph problem at it).
    #[arg(long)]
    pub fail_on_breaking: bool,
    /// Which findings the report lists (counts always cover all): every
    /// one, only failures (fail and error), or none.
    #[arg(long, value_enum, default_value_t = FindingsShown::All)]
    pub findings: FindingsShown,
    /// Record when the run started in the report (`run.started_at`); off by
    /// default so the same input gives the same bytes.
    #[arg(long)]
    pub timestamp: bool,
    /// Run only this rule (id or glob; repeatable); replaces the config's `include`.
    #[arg(long, value_name = "RULE")]
    pub only: Vec<String>,
    /// Do not run this rule (id or glob; repeatable); adds to the config's `exclude`.
    #[arg(long, value_name = "RULE")]
    pub skip: Vec<String>,
    /// Also fail on warnings and on rules that could not be evaluated
    /// (which otherwise are reported and counted, but pass).
    #[arg(long)]
    pub strict: bool,
    /// Print only what fails the run on stderr (no warnings, no progress bar).
    #[arg(long, short)]
    pub quiet: bool,
    /// A previous JSON report: failures it already had do not fail gates.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Bounds against hostile input.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Print each rule's total evaluation time to stderr (for rule authors).
    #[arg(long)]
    pub timings: bool,
    /// Assess every bundle alone: no histories, no upgrade-graph or
    /// version-pair checks.
    #[arg(long)]
    pub no_history: bool,
    /// Assess only shard I of N (e.g. `--shard 2/4`): targets are split by
    /// a hash of their path relative to the given root (all versions of a
    /// package stay together), so a CI matrix can share a catalog;
    /// `caplevel merge` joins the shards' reports.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// How Helm charts are rendered.
    #[command(flatten)]
    pub helm: HelmArgs,
}

/// Bounds against hostile input; each overrides `limits:` in the config file.
#[derive(Debug, Args, Clone, Default)]
pub struct LimitArgs {
    /// Largest YAML file read, in bytes [default: 16 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Deepest YAML nesting [default: 256].
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
    /// Most nodes YAML alias expansion may create per file [default: 100000].
    #[arg(long, value_name = "N")]
    pub max_alias_nodes: Option<usize>,
    /// Most bytes read for one chart, uncompressed, subcharts included [default: 64 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_chart_size: Option<u64>,
    /// Most files (archive entries) read for one chart [default: 10000].
    #[arg(long, value_name = "N")]
    pub max_chart_files: Option<usize>,
    /// Deepest nesting of subcharts [default: 16].
    #[arg(long, value_name = "N")]
    pub max_subchart_depth: Option<usize>,
    /// Most nested `include`/`tpl` calls in a template [default: 1000].
    #[arg(long, value_name = "N")]
    pub max_include_depth: Option<usize>,
    /// Most `range` iterations in one template [default: 1000000].
    #[arg(long, value_name = "N")]
    pub max_range_iterations: Option<u64>,
    /// Most render steps (function calls and the list and map elements they
    /// are given) for one chart under one profile [default: 10000000].
    #[arg(long, value_name = "N")]
    pub max_render_steps: Option<u64>,
}

/// Helm rendering flags, as `helm template` spells them.
#[derive(Debug, Args, Clone, Default)]
pub struct HelmArgs {
    /// A values file laid over every chart's values (repeatable; later wins).
    #[arg(long = "values", short = 'f', value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// A value to set, `a.b=c` or `list[0]=x` (repeatable; Helm's syntax: `\\`
    /// escapes `,` `.` `=`, `{a,b}` is a list, `true`/`null`/integers are typed).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// A value to set as a string, never typed (repeatable).
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// A JSON value to set, `a.b=[1,2]`, or a whole JSON object (repeatable).
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// A value to set from a file's text, `a.b=path` (repeatable).
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// A value to set verbatim: everything after `=` (repeatable).
    #[arg(long = "set-literal", value_name = "KEY=VALUE")]
    pub set_literal: Vec<String>,
    /// Render as an upgrade: `.Release.IsUpgrade` true, `.Release.IsInstall` false.
    #[arg(long)]
    pub is_upgrade: bool,
    /// `.Release.Name` [default: release-name].
    #[arg(long, value_name = "NAME")]
    pub release_name: Option<String>,
    /// `.Release.Namespace` [default: default].
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// `.Capabilities.KubeVersion` [default: v1.35.0].
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// An API version `.Capabilities.APIVersions.Has` reports (repeatable), e.g. `monitoring.coreos.com/v1`.
    #[arg(long = "api-versions", value_name = "GROUP/VERSION")]
    pub api_versions: Vec<String>,
}

/// Arguments of `baseline`.
#[derive(Debug, Args, Clone)]
pub struct BaselineArgs {
    /// Files or folders to assess.
    pub paths: Vec<PathBuf>,
    /// The baseline file to write (a JSON report listing the failures).
    #[arg(long = "output", short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// More rule files or folders of rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// The config file (default: .caplevel.yaml when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Run only this rule (id or glob; repeatable).
    #[arg(long, value_name = "RULE")]
    pub only: Vec<String>,
    /// Do not run this rule (id or glob; repeatable).
    #[arg(long, value_name = "RULE")]
    pub skip: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Bounds against hostile input.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// How Helm charts are rendered.
    #[command(flatten)]
    pub helm: HelmArgs,
}

impl BaselineArgs {
    /// The analysis that writes the baseline: the JSON report of the
    /// failures to the file, no gate, nothing on stdout.
    pub fn into_analyze(self) -> AnalyzeArgs {
        AnalyzeArgs {
            paths: self.paths,
            format: Format::Json,
            outputs: vec![OutputSpec {
                format: Format::Json,
                path: self.output,
            }],
            verbose: false,
            rules: self.rules,
            config: self.config,
            threshold: None,
            fail_under: None,
            min_score: None,
            min_quality: None,
            fail_on_overclaim: false,
            fail_on_breaking: false,
            findings: FindingsShown::Fail,
            timestamp: false,
            only: self.only,
            skip: self.skip,
            strict: false,
            quiet: true,
            baseline: None,
            jobs: self.jobs,
            limits: self.limits,
            timings: false,
            no_history: false,
            shard: None,
            helm: self.helm,
        }
    }
}

/// Arguments of `render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The chart: a folder with Chart.yaml, or a packaged `.tgz`.
    pub chart: PathBuf,
    /// The values profile: `defaults`, `features-on`, or `ci/<file>` [default: defaults].
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Bounds against hostile input.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Rendering flags.
    #[command(flatten)]
    pub helm: HelmArgs,
    /// Also print the `crds/` files (as `helm template --include-crds`;
    /// analysis always reads them).
    #[arg(long)]
    pub include_crds: bool,
    /// Only the manifests of this template, as Helm names it below the
    /// chart (`templates/deployment.yaml`, globs allowed; repeatable).
    #[arg(long = "show-only", short = 's', value_name = "TEMPLATE")]
    pub show_only: Vec<String>,
    /// Leave out test hooks (`helm.sh/hook: test`).
    #[arg(long)]
    pub skip_tests: bool,
    /// Leave out every hook.
    #[arg(long)]
    pub no_hooks: bool,
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The version upgraded from: a bundle folder, a chart folder or `.tgz`.
    pub old: PathBuf,
    /// The version upgraded to, of the same kind.
    pub new: PathBuf,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Bounds against hostile input.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// How both charts are rendered.
    #[command(flatten)]
    pub helm: HelmArgs,
}

/// Arguments of `rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only this phase (id like `full-lifecycle`, numeral, or number).
    #[arg(long)]
    pub phase: Option<String>,
    /// Output format: table, json or markdown (the rule reference, docs/rules.md).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// More rule files or folders of rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// The config file (default: .caplevel.yaml when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id.
    pub rule: String,
    /// More rule files or folders of rule files (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// The config file (default: .caplevel.yaml when present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
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
    /// The JSON report.
    Report,
    /// A line of the JSON Lines report (a target or the summary).
    Jsonl,
    /// The rule-file format.
    Rules,
    /// The `.caplevel.yaml` format.
    Config,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs() {
        assert_eq!(
            parse_output("sarif=out/caplevel.sarif"),
            Ok(OutputSpec {
                format: Format::Sarif,
                path: PathBuf::from("out/caplevel.sarif")
            })
        );
        assert!(parse_output("xml=a").is_err());
        assert!(parse_output("json").is_err());
        assert!(parse_output("json=").is_err());
    }
}

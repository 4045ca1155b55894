//! caplevel: how mature is an operator bundle or Helm chart, really?
//!
//! The pipeline flows one way:
//! paths → [`discover`] → targets → [`load`] → packages → [`rules::evaluate`]
//! → findings → [`score`] → assessments → [`report`].
//! Targets are independent, so load → evaluate → score runs in parallel and
//! each package is dropped as soon as it is scored.

pub mod cli;
pub mod config;
pub mod diag;
pub mod discover;
pub mod exempt;
pub mod finding;
pub mod gate;
pub mod gotemplate;
pub mod helm;
pub mod history;
pub mod lazy_regex;
pub mod levels;
pub mod load;
pub mod package;
pub mod phase;
pub mod report;
pub mod rules;
pub mod score;
pub mod stdio;
pub mod term;
pub mod upgrade;
pub mod yaml;

use rayon::prelude::*;
use report::{Report, TargetReport, Tool};
use std::path::PathBuf;

/// What a run needs besides the paths.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The configuration file's settings.
    pub config: config::Config,
    /// Extra rule files or folders from the command line.
    pub rule_paths: Vec<PathBuf>,
    /// The coverage a phase needs to count (0–100); overrides the config.
    pub threshold: Option<f64>,
    /// Loading settings (limits).
    pub load: load::LoadOptions,
    /// The CI gates to check.
    pub gates: gate::Gates,
    /// Told how many targets there are, and when each is done.
    pub progress: Progress,
    /// Assess every target alone: no histories, no version-pair checks.
    pub no_history: bool,
    /// The command line, for the report's run metadata.
    pub arguments: Vec<String>,
    /// Record when the run started (makes reports differ between runs).
    pub timestamp: bool,
    /// Assess only this shard of the targets.
    pub shard: Option<cli::Shard>,
}

/// What a run tells its progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressEvent {
    /// Discovery is walking and classifying (sent now and then).
    Discovering(discover::Discovered),
    /// Discovery is done: this many targets will be assessed.
    Found(usize),
    /// One more target is assessed.
    Assessed,
}

/// A progress callback, told of discovery as it goes, of the number of
/// targets when they are found, then of each one assessed (from worker
/// threads).
#[derive(Clone, Default)]
pub struct Progress(Option<std::sync::Arc<dyn Fn(ProgressEvent) + Send + Sync>>);

impl Progress {
    /// Wraps a callback.
    pub fn new(f: impl Fn(ProgressEvent) + Send + Sync + 'static) -> Self {
        Progress(Some(std::sync::Arc::new(f)))
    }

    fn tell(&self, event: ProgressEvent) {
        if let Some(f) = &self.0 {
            f(event);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}

impl Options {
    /// The threshold in force: command line, then config, then the default.
    pub fn threshold(&self) -> f64 {
        self.threshold
            .or(self.config.threshold)
            .unwrap_or(score::DEFAULT_THRESHOLD)
    }
}

/// Why a run could not produce a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing found, or a path cannot be read.
    #[error(transparent)]
    Discover(#[from] discover::DiscoverError),
    /// An invalid rule file.
    #[error("invalid rule file: {0}")]
    Rules(#[from] rules::RuleFileError),
    /// An invalid configuration.
    #[error("invalid configuration: {0}")]
    Config(#[from] config::ConfigError),
    /// The report could not be written.
    #[error("cannot write the report: {0}")]
    Write(std::io::Error),
}

/// The rules a run uses: built-in, the config's and the command line's rule
/// files, selected by the config's include/exclude, with its weights.
pub fn load_rules(options: &Options) -> Result<Vec<rules::Rule>, Error> {
    Ok(load_rule_set(options)?.0)
}

/// The selected rules, and the ids of every rule loaded (selected or not),
/// after checking that every rule id or glob the configuration and the
/// command line name matches a rule.
pub fn load_rule_set(options: &Options) -> Result<(Vec<rules::Rule>, Vec<String>), Error> {
    let mut paths = options.config.rules.clone();
    paths.extend(options.rule_paths.iter().cloned());
    let mut all = rules::load(&paths)?;
    let ids: Vec<String> = all.iter().map(|r| r.id().to_string()).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    for (id, weight) in &options.config.weights {
        let rule = all
            .iter_mut()
            .find(|r| r.id() == id)
            .ok_or_else(|| config::ConfigError {
                file: options.config.file.clone().unwrap_or_default(),
                line: None,
                message: format!(
                    "weights: no rule `{id}`{}",
                    config::did_you_mean(id, &id_refs)
                ),
            })?;
        rule.spec.weight = *weight;
    }
    options.config.check_patterns(&id_refs)?;
    all.retain(|r| options.config.selects(r.id()));
    Ok((all, ids))
}

/// Analyzes every target under `paths`, then checks the gates, and returns
/// the whole report (every target held in memory; see [`Run`] to stream).
pub fn analyze(paths: &[PathBuf], options: &Options) -> Result<Report, Error> {
    let run = Run::prepare(paths, options)?;
    let head = run.head.clone();
    let mut targets = Vec::new();
    let tail = run
        .assess(|t| {
            targets.push(t);
            Ok(())
        })
        .map_err(Error::Write)?;
    Ok(Report::assemble(head, targets, tail))
}

/// Targets assessed at once before they are handed on in order: enough to
/// keep every core busy, few enough that memory stays bounded by the
/// largest targets rather than the size of the catalog.
fn chunk_size() -> usize {
    rayon::current_num_threads().max(1) * 8
}

/// A run ready to assess: rules loaded, targets found.
pub struct Run<'o> {
    /// What the report says before its targets.
    pub head: report::ReportHead,
    rules: Vec<rules::Rule>,
    targets: Vec<discover::Target>,
    /// Each target's history key (all `None` under `--no-history`).
    keys: Vec<Option<history::HistoryKey>>,
    roots: report::Roots,
    /// The newest version of each package among the targets.
    newest: report::Newest,
    options: &'o Options,
}

impl<'o> Run<'o> {
    /// Loads the rules and finds the targets (the errors of a run come from here).
    pub fn prepare(paths: &[PathBuf], options: &'o Options) -> Result<Run<'o>, Error> {
        let rules = load_rules(options)?;
        let discovery = discover::discover_with(paths, &mut |seen| {
            options.progress.tell(ProgressEvent::Discovering(seen))
        })?;
        let mut infos: Vec<report::RuleInfo> = rules.iter().map(report::RuleInfo::of).collect();
        infos.sort_by(|a, b| (a.phase, &a.id).cmp(&(b.phase, &b.id)));
        let roots = report::Roots::new(paths);
        let mut targets = discovery.targets;
        // A shard's histories are whole, so its keys are needed to split
        // even when histories are not analysed.
        let mut keys = if options.no_history && options.shard.is_none() {
            vec![None; targets.len()]
        } else {
            history::keys(&targets)
        };
        if let Some(shard) = options.shard {
            let mine: Vec<bool> = targets
                .iter()
                .zip(&keys)
                .map(|(t, k)| history::shard_of(t, k.as_ref(), &roots, shard.count) == shard.index)
                .collect();
            let mut keep = mine.iter();
            targets.retain(|_| keep.next().copied().unwrap_or(false));
            let mut keep = mine.iter();
            keys.retain(|_| keep.next().copied().unwrap_or(false));
        }
        if options.no_history {
            keys.iter_mut().for_each(|k| *k = None);
        }
        let newest = newest(&targets, options);
        Ok(Run {
            head: report::ReportHead {
                schema_version: report::SCHEMA_VERSION.to_string(),
                tool: Tool::this(),
                run: run_info(options, &rules),
                threshold: options.threshold(),
                rules: infos,
                diagnostics: discovery.skipped,
            },
            rules,
            targets,
            keys,
            roots,
            newest,
            options,
        })
    }

    /// How many targets the run will assess.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there is nothing to assess (never, after a successful prepare).
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Assesses the targets in parallel and hands each report to `each` in
    /// path order, checking the gates as it goes; returns the summary and
    /// the failed gates. Each report is dropped once handed on.
    pub fn assess(
        self,
        mut each: impl FnMut(TargetReport) -> std::io::Result<()>,
    ) -> std::io::Result<report::ReportTail> {
        let options = self.options;
        options
            .progress
            .tell(ProgressEvent::Found(self.targets.len()));
        let mut summary = report::Summary::default();
        let mut gate_failures = Vec::new();
        let mut used_exemptions = std::collections::BTreeSet::new();
        let mut histories = Vec::new();
        let keys = &self.keys;
        for range in history::chunks(keys, chunk_size()) {
            let chunk = &self.targets[range.clone()];
            let Chunk {
                reports,
                histories: found,
                ..
            } = assess_chunk(chunk, &keys[range], &self.rules, options, HELD_BYTES);
            for h in &found {
                gate_failures.extend(gate::check_history(h, &options.gates));
            }
            histories.extend(found);
            for mut t in reports {
                // A catalog's bundles share its file: `file#bundle`.
                let (file, bundle) = match t.path.split_once('#') {
                    Some((file, bundle)) => (file, format!("#{bundle}")),
                    None => (t.path.as_str(), String::new()),
                };
                let relative = self.roots.relative(std::path::Path::new(file)) + &bundle;
                t.id = report::target_id(&t.layout, &t.name, t.version.as_deref(), &relative);
                t.latest = self
                    .newest
                    .is_latest(&t.layout, &t.name, t.version.as_deref());
                gate_failures.extend(gate::check_target(&mut t, &options.gates));
                summary.add(&t);
                used_exemptions.extend(
                    t.findings
                        .iter()
                        .filter_map(|f| f.exemption.as_ref().map(|e| e.source.clone())),
                );
                each(t)?;
            }
        }
        // One order whatever the chunks were (a shard's chunks differ from
        // the whole run's), so merged shards list histories as one run does.
        report::sort_histories(&mut histories);
        let mut diagnostics = self.head.diagnostics.clone();
        diagnostics.extend(unused_exemptions(&options.config, &used_exemptions));
        Ok(report::ReportTail {
            summary,
            gate_failures,
            diagnostics,
            histories,
        })
    }
}

/// The newest version of each package among `targets`, read before any is
/// assessed (a bundle's CSV, a chart's files): the reports stream in path
/// order, and a package's newest version may come after its others.
fn newest(targets: &[discover::Target], options: &Options) -> report::Newest {
    let identities: Vec<Vec<load::identity::Identity>> = targets
        .par_iter()
        .map(|t| load::identity::of(t, &options.load))
        .collect();
    let mut newest = report::Newest::default();
    for id in identities.iter().flatten() {
        newest.add(id.layout, &id.name, id.version.as_deref());
    }
    newest
}

/// The run's metadata: arguments, the configuration in effect, the rules' digest.
fn run_info(options: &Options, rules: &[rules::Rule]) -> report::RunInfo {
    let globs = |list: &[globset::GlobMatcher]| -> Vec<String> {
        list.iter().map(|g| g.glob().glob().to_string()).collect()
    };
    let mut specs: Vec<String> = rules.iter().map(|r| format!("{:?}", r.spec)).collect();
    specs.sort();
    // The named patterns the rules read are part of what they check.
    specs.extend(
        rules::patterns_of(rules)
            .into_iter()
            .map(|p| format!("pattern {} {:?}", p.name, p.pattern)),
    );
    let digest = helm::digest::hex(&helm::digest::sha256(specs.join("\n").as_bytes()));
    report::RunInfo {
        arguments: options.arguments.clone(),
        config: options.config.file.clone(),
        include: globs(&options.config.include),
        exclude: globs(&options.config.exclude),
        exemptions: options.config.exemptions.len(),
        rules_digest: format!("sha256:{digest}"),
        started_at: options.timestamp.then(now_rfc3339),
        shard: options.shard.map(|s| s.to_string()),
    }
}

/// The current time as RFC 3339 UTC, to the second.
fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A warning for each config exemption no finding of the run used.
fn unused_exemptions(
    config: &config::Config,
    used: &std::collections::BTreeSet<String>,
) -> Vec<diag::Diagnostic> {
    config
        .exemptions
        .iter()
        .filter(|e| !used.contains(&e.source))
        .map(|e| {
            let (file, line) = match e.source.rsplit_once(':') {
                Some((f, l)) => (f.to_string(), l.parse().ok()),
                None => (e.source.clone(), None),
            };
            diag::Diagnostic {
                severity: diag::Severity::Warning,
                code: diag::Code::UnusedExemption,
                file: Some(file),
                line,
                column: None,
                message: format!(
                    "exemption of `{}` matched no failing finding in this run",
                    e.rule.glob().glob()
                ),
                profiles: Vec::new(),
            }
        })
        .collect()
}

/// Assesses a chunk of targets: alone when none can form a history or is
/// a catalog; otherwise in two passes. The first loads every version that
/// can belong to a history (a catalog gives one per bundle) and keeps what
/// the history analysis needs of it ([`history::Summary`]), plus the
/// package itself while a budget allows ([`HELD_BYTES`]); targets that can
/// belong to none are assessed at once. The histories are then analysed,
/// and the second pass evaluates each version with its `history` fact,
/// loading again the ones not kept. So memory is bounded by the budget and
/// the versions' summaries, not by how many versions a history has.
fn assess_chunk<'c>(
    chunk: &'c [discover::Target],
    keys: &[Option<history::HistoryKey>],
    rules: &[rules::Rule],
    options: &Options,
    held_bytes: u64,
) -> Chunk {
    let done = |report: TargetReport| {
        options.progress.tell(ProgressEvent::Assessed);
        report
    };
    let catalog = |t: &discover::Target| t.layout == discover::Layout::Catalog;
    if keys.iter().all(Option::is_none) && !chunk.iter().any(catalog) {
        let reports = chunk
            .par_iter()
            .map(|target| done(assess_target(target, rules, options)))
            .collect();
        return Chunk {
            reports,
            histories: Vec::new(),
            reloaded: 0,
        };
    }
    let interner = upgrade::crd::Interner::default();
    let budget = std::sync::atomic::AtomicU64::new(held_bytes);
    let reloaded = std::sync::atomic::AtomicUsize::new(0);
    let summarise = |item: history::Item<'c>,
                     package: package::Package,
                     target: &'c discover::Target,
                     pinned: bool|
     -> Entry<'c> {
        let summary = if options.no_history {
            None
        } else {
            history::Summary::of(item, &package, &interner)
        };
        let held = pinned || hold(&budget, disk_size(target));
        Entry::Held {
            summary,
            target,
            package: held.then_some(package),
        }
    };
    let loaded: Vec<Vec<Entry<'c>>> = chunk
        .par_iter()
        .zip(keys)
        .map(|(target, key)| {
            if catalog(target) {
                // A catalog's bundles come from one file read at once: they
                // stay loaded (the catalog is one target).
                return load_catalog(target, options)
                    .into_iter()
                    .map(|(package, item)| summarise(item, package, target, true))
                    .collect();
            }
            if key.is_none() {
                return vec![Entry::Done(done(assess_target(target, rules, options)))];
            }
            let item = history::Item {
                key: key.clone(),
                layout: &target.layout,
                node: None,
            };
            vec![summarise(item, load_target(target, options), target, false)]
        })
        .collect();
    let entries: Vec<Entry<'c>> = loaded.into_iter().flatten().collect();
    let mut facts: Vec<Option<serde_json::Value>> = vec![None; entries.len()];
    let analyses = {
        let summaries: Vec<Option<&history::Summary<'_>>> = entries
            .iter()
            .map(|e| match e {
                Entry::Held { summary, .. } => summary.as_ref(),
                Entry::Done(_) => None,
            })
            .collect();
        history::analyze(&summaries)
    };
    drop(interner);
    for a in &analyses {
        for (i, fact) in a.facts() {
            facts[i] = Some(fact);
        }
    }
    // The summaries (the reduced CRDs of every version) go before the
    // second pass loads anything again.
    let entries: Vec<Entry<'c>> = entries
        .into_iter()
        .map(|e| match e {
            Entry::Held {
                target, package, ..
            } => Entry::Held {
                summary: None,
                target,
                package,
            },
            done => done,
        })
        .collect();
    let reports: Vec<TargetReport> = entries
        .into_par_iter()
        .zip(facts)
        .map(|(entry, fact)| match entry {
            Entry::Done(report) => report,
            Entry::Held {
                target, package, ..
            } => {
                // Dropped in the first pass to bound memory: read again.
                let mut package = package.unwrap_or_else(|| {
                    reloaded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    load_target(target, options)
                });
                if let (Some(fact), Some(facts)) = (fact, package.facts.as_object_mut()) {
                    facts.insert("history".into(), fact);
                }
                done(assess_package(package, rules, options))
            }
        })
        .collect();
    let histories = analyses
        .iter()
        .map(|a| history::report(a, &reports))
        .collect();
    Chunk {
        reports,
        histories,
        reloaded: reloaded.into_inner(),
    }
}

/// What [`assess_chunk`] gives back.
struct Chunk {
    /// One report per package, in chunk order.
    reports: Vec<TargetReport>,
    /// The histories found among them.
    histories: Vec<history::HistoryReport>,
    /// How many versions the second pass loaded again (read by the tests,
    /// which check that a history needs none kept loaded).
    #[cfg_attr(not(test), allow(dead_code))]
    reloaded: usize,
}

/// How much of a chunk's versions the first pass keeps loaded, in bytes
/// of their files on disk (a loaded package takes a few times its files'
/// size); the rest are loaded again to be evaluated.
const HELD_BYTES: u64 = 8 << 20;

/// One package of a chunk between the two passes of [`assess_chunk`].
enum Entry<'t> {
    /// Assessed already (it can belong to no history).
    Done(TargetReport),
    /// A version waiting for its history's analysis.
    Held {
        /// What the analysis needs of it (`None` under `--no-history`).
        summary: Option<history::Summary<'t>>,
        /// Where to load it again.
        target: &'t discover::Target,
        /// The package, when the budget let the first pass keep it.
        package: Option<package::Package>,
    },
}

/// Takes `size` from the budget when it is left.
fn hold(budget: &std::sync::atomic::AtomicU64, size: u64) -> bool {
    use std::sync::atomic::Ordering;
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            left.checked_sub(size)
        })
        .is_ok()
}

/// The bytes of the files under `path` (not following links, a few levels
/// deep): what a target weighs before it is loaded.
fn disk_size(target: &discover::Target) -> u64 {
    fn walk(path: &std::path::Path, depth: usize) -> u64 {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return 0;
        };
        if meta.is_file() {
            return meta.len();
        }
        if !meta.is_dir() || depth == 0 {
            return 0;
        }
        std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| walk(&e.path(), depth - 1))
            .sum()
    }
    walk(&target.path, 6)
}

/// Every bundle of a catalog file, each with its node of the catalog's
/// upgrade graph; the catalog's own problems go to its first bundle (or to
/// an empty package when it has none).
fn load_catalog<'t>(
    target: &'t discover::Target,
    options: &Options,
) -> Vec<(package::Package, history::Item<'t>)> {
    let (bundles, diags) = load::fbc::load(&target.path, &options.load);
    let mut out: Vec<(package::Package, history::Item<'t>)> = bundles
        .into_iter()
        .map(|b| {
            let mut package = b.package;
            load::derive_facts(&mut package);
            if let Some(facts) = package.facts.as_object_mut() {
                facts.entry("history").or_insert(serde_json::Value::Null);
            }
            let key = history::HistoryKey::catalog(&target.path, &package.name);
            let item = history::Item {
                key: Some(key),
                layout: &target.layout,
                node: Some(b.node),
            };
            (package, item)
        })
        .collect();
    if out.is_empty() {
        let mut package = load::load(target, &options.load);
        package.diagnostics.push(diag::Diagnostic::file(
            diag::Severity::Warning,
            discover::display_path(&target.path),
            "the catalog holds no olm.bundle",
        ));
        let item = history::Item {
            key: None,
            layout: &target.layout,
            node: None,
        };
        out.push((package, item));
    }
    out[0].0.diagnostics.extend(diags);
    out
}

/// Load → evaluate → exempt → score one target.
pub fn assess_target(
    target: &discover::Target,
    rules: &[rules::Rule],
    options: &Options,
) -> TargetReport {
    assess_package(load_target(target, options), rules, options)
}

/// Loads one target with the values files the config names for it.
pub fn load_target(target: &discover::Target, options: &Options) -> package::Package {
    // Values files the config names for this target come before the
    // command line's, so `-f` still wins.
    let shown = discover::display_path(&target.path);
    let extra: Vec<PathBuf> = options
        .config
        .values
        .iter()
        .filter(|(glob, _)| glob.is_match(&shown))
        .flat_map(|(_, files)| files.iter().cloned())
        .collect();
    let mut package = if extra.is_empty() {
        load::load(target, &options.load)
    } else {
        let mut load = options.load.clone();
        load.helm.value_files.splice(0..0, extra);
        load::load(target, &load)
    };
    // Rules may ask `package.history` of any package; it is null unless
    // the package is one version of a history.
    if let Some(facts) = package.facts.as_object_mut() {
        facts.entry("history").or_insert(serde_json::Value::Null);
    }
    package
}

/// Evaluate → exempt → score one loaded package.
pub fn assess_package(
    mut package: package::Package,
    rules: &[rules::Rule],
    options: &Options,
) -> TargetReport {
    let mut findings = rules::evaluate(rules, &package);
    let exemption_diags = exempt::apply(&mut findings, &package, &options.config, rules);
    package.diagnostics.extend(exemption_diags);
    let assessment = score::assess(&findings, package.declared(), options.threshold());
    TargetReport::new(package, findings, assessment)
}

/// A published JSON Schema, pretty-printed with a trailing newline (the
/// files under `schema/` are exactly this).
pub fn schema_json(which: cli::SchemaKind) -> String {
    let schema = match which {
        cli::SchemaKind::Report => schemars::schema_for!(report::Report),
        cli::SchemaKind::Jsonl => schemars::schema_for!(report::JsonlLine),
        cli::SchemaKind::Rules => schemars::schema_for!(rules::model::RuleFile),
        cli::SchemaKind::Config => schemars::schema_for!(config::ConfigFile),
    };
    // Serializing a schema document cannot fail: it is plain JSON.
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The versions of a history are evaluated alike whether the first pass
    /// kept them loaded or dropped them: the history analysis works from
    /// their summaries alone, so memory need not grow with the history.
    #[test]
    fn a_history_needs_no_version_kept_loaded() {
        let options = Options::default();
        let root = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/upgrade/history"
        ));
        let rules = load_rules(&options).expect("rules");
        let targets = discover::discover(&[root]).expect("targets");
        let keys = history::keys(&targets);
        let json =
            |c: &Chunk| serde_json::to_string(&(&c.reports, &c.histories)).expect("serializes");
        let kept = assess_chunk(&targets, &keys, &rules, &options, u64::MAX);
        let dropped = assess_chunk(&targets, &keys, &rules, &options, 0);
        assert_eq!(kept.reloaded, 0);
        assert_eq!(dropped.reloaded, targets.len());
        assert_eq!(kept.histories.len(), 1);
        assert!(!kept.histories[0].changes.is_empty());
        assert_eq!(json(&kept), json(&dropped));
    }
}

//! Discovery: walk the given paths and classify every target below them.
//!
//! A directory is a target when it looks like one of the layouts caplevel
//! reads; once a directory is claimed, nothing below it is a separate target
//! (a bundle's nested copy under `bundle/` belongs to the bundle). Walking
//! respects `.gitignore` and never follows a symbolic link, so a link cannot
//! lead out of the given root or into a loop.

use crate::package::TargetKind;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The on-disk layout of a target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layout {
    /// `manifests/` + `metadata/annotations.yaml`.
    Bundle,
    /// One version folder of a package-manifest layout; `package_file` is the
    /// `*.package.yaml` beside it.
    PackageManifest {
        /// The package file that names channels.
        package_file: PathBuf,
    },
    /// A chart folder (`Chart.yaml`).
    Chart,
    /// A packaged chart (`.tgz`).
    ChartArchive,
    /// A file-based catalog file (`catalog.yaml`, `catalog.json`, `index.yaml`
    /// …): every `olm.bundle` in it is assessed as a bundle.
    Catalog,
    /// Plain manifests: these files.
    Manifests {
        /// The YAML files of the target.
        files: Vec<PathBuf>,
    },
}

/// One thing to assess.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// The folder (or file) of the target.
    pub path: PathBuf,
    /// How it is laid out.
    pub layout: Layout,
}

impl Target {
    /// The kind rules see.
    pub fn kind(&self) -> TargetKind {
        match self.layout {
            Layout::Bundle | Layout::PackageManifest { .. } | Layout::Catalog => TargetKind::Bundle,
            Layout::Chart | Layout::ChartArchive => TargetKind::Chart,
            Layout::Manifests { .. } => TargetKind::Manifests,
        }
    }
}

/// Why discovery could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// A given path does not exist or cannot be read.
    #[error("{path}: {reason}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// Nothing assessable was found under the given paths.
    #[error("no bundle, chart or Kubernetes manifest found under {0}")]
    NothingFound(String),
}

/// Finds every target under `paths`, in a stable order (sorted by path).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Target>, DiscoverError> {
    discover_all(paths).map(|d| d.targets)
}

/// What discovery found: the targets, and the files that looked like
/// targets but are not (a `.tgz` that is no chart), each as a diagnostic.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The targets, sorted by path.
    pub targets: Vec<Target>,
    /// Files passed over, with the reason.
    pub skipped: Vec<crate::diag::Diagnostic>,
}

/// As [`discover`], also saying which files were passed over and why.
pub fn discover_all(paths: &[PathBuf]) -> Result<Discovery, DiscoverError> {
    discover_with(paths, &mut |_| {})
}

/// How far discovery has come, for a progress display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Discovered {
    /// Files and folders walked so far.
    pub entries: usize,
    /// Targets classified so far.
    pub targets: usize,
}

/// Entries walked between two progress reports: often enough for a display
/// to move, rarely enough to cost nothing.
const REPORT_EVERY: usize = 256;

/// As [`discover_all`], telling `report` how far it has come now and then
/// (a catalog's walk and classification take seconds to minutes).
pub fn discover_with(
    paths: &[PathBuf],
    report: &mut dyn FnMut(Discovered),
) -> Result<Discovery, DiscoverError> {
    let mut targets = BTreeSet::new();
    let mut seen = Discovered::default();
    let mut skipped = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| DiscoverError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if meta.is_file() {
            if let Some(t) = classify_file(path, &mut skipped) {
                targets.insert(t);
            }
        } else if let Some(t) = package_manifest_version(path) {
            targets.insert(t);
        } else {
            walk(path, &mut targets, &mut skipped, &mut seen, report);
        }
        seen.targets = targets.len();
        report(seen);
    }
    if targets.is_empty() {
        let mut shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        shown.extend(skipped.iter().map(|d| format!("({d})")));
        return Err(DiscoverError::NothingFound(shown.join(", ")));
    }
    let mut targets: Vec<Target> = targets.into_iter().collect();
    targets.sort_by(|a, b| version_aware_cmp(&a.path, &b.path));
    Ok(Discovery { targets, skipped })
}

/// Orders paths component by component, reading versions as versions: a
/// component that is a semantic version (`0.10.1`, `v1.2.0-rc.1`) compares
/// as one, and other components compare their digit runs as numbers, so
/// `0.3.0` comes before `0.10.1` and `app-0.9.tgz` before `app-0.10.tgz`.
pub fn version_aware_cmp(a: &Path, b: &Path) -> std::cmp::Ordering {
    let mut left = a.components();
    let mut right = b.components();
    loop {
        match (left.next(), right.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let x = x.as_os_str().to_string_lossy();
                let y = y.as_os_str().to_string_lossy();
                let order = component_cmp(&x, &y);
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

fn component_cmp(x: &str, y: &str) -> std::cmp::Ordering {
    let semver = |s: &str| semver::Version::parse(s.strip_prefix('v').unwrap_or(s)).ok();
    if let (Some(a), Some(b)) = (semver(x), semver(y)) {
        return a.cmp(&b).then_with(|| x.cmp(y));
    }
    natural_cmp(x, y).then_with(|| x.cmp(y))
}

/// Compares text with its digit runs read as numbers.
fn natural_cmp(x: &str, y: &str) -> std::cmp::Ordering {
    let mut a = x.chars().peekable();
    let mut b = y.chars().peekable();
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let run = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut digits = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        digits.push(c);
                        it.next();
                    }
                    digits
                };
                let (m, n) = (run(&mut a), run(&mut b));
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let order = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                a.next();
                b.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::version_aware_cmp;
    use std::path::Path;

    #[test]
    fn versions_sort_as_versions() {
        let mut paths = vec![
            "ops/x/0.10.1",
            "ops/x/0.3.0",
            "ops/x/1.0.0",
            "ops/x/1.0.0-rc.1",
            "ops/x/v0.9.0",
            "charts/app-0.10.tgz",
            "charts/app-0.9.tgz",
        ];
        paths.sort_by(|a, b| version_aware_cmp(Path::new(a), Path::new(b)));
        assert_eq!(
            paths,
            [
                "charts/app-0.9.tgz",
                "charts/app-0.10.tgz",
                "ops/x/0.3.0",
                "ops/x/v0.9.0",
                "ops/x/0.10.1",
                "ops/x/1.0.0-rc.1",
                "ops/x/1.0.0",
            ]
        );
    }
}

/// A file whose name says chart archive: a target when it is one (a
/// gzipped tar with `<folder>/Chart.yaml`), a `not-a-target` warning when not.
fn chart_archive(path: &Path, skipped: &mut Vec<crate::diag::Diagnostic>) -> Option<Target> {
    match archive_has_chart(path) {
        Ok(()) => Some(Target {
            path: path.to_path_buf(),
            layout: Layout::ChartArchive,
        }),
        Err(reason) => {
            skipped.push(
                crate::diag::Diagnostic::file(
                    crate::diag::Severity::Warning,
                    display_path(path),
                    format!("not a chart archive ({reason}); not assessed"),
                )
                .with_code(crate::diag::Code::NotATarget),
            );
            None
        }
    }
}

/// Archive entries looked at for a Chart.yaml: helm writes it first, and
/// other tools near the start; a catalog packed into one tarball holds
/// thousands of files and is not a chart.
const ARCHIVE_SNIFF_ENTRIES: usize = 256;

/// Whether the archive is a packaged chart: `<folder>/Chart.yaml` among its
/// first entries.
fn archive_has_chart(path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let entries = archive
        .entries()
        .map_err(|e| format!("not a gzipped tar: {e}"))?;
    for entry in entries.take(ARCHIVE_SNIFF_ENTRIES) {
        let entry = entry.map_err(|e| format!("not a gzipped tar: {e}"))?;
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let parts: Vec<&str> = name
            .trim_start_matches("./")
            .split('/')
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() == 2 && parts[1] == "Chart.yaml" {
            return Ok(());
        }
    }
    Err(format!(
        "no <folder>/Chart.yaml among its first {ARCHIVE_SNIFF_ENTRIES} entries"
    ))
}

/// A version folder of a package-manifest layout named on its own (as
/// `caplevel diff` is given two): it holds a CSV and its package file is in
/// the parent folder, where a walk from the parent would have found it.
fn package_manifest_version(dir: &Path) -> Option<Target> {
    let is_package_file = |f: &Path| {
        f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".package.yaml") || n.ends_with(".package.yml"))
    };
    let files = |d: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        v
    };
    let package_file = files(dir.parent()?)
        .into_iter()
        .find(|f| is_package_file(f))?;
    let own = files(dir);
    let has_csv = own.iter().any(|f| {
        f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains("clusterserviceversion"))
            || (is_yaml(f) && file_mentions(f, "kind: ClusterServiceVersion"))
    });
    (has_csv && !own.iter().any(|f| is_package_file(f))).then(|| Target {
        path: dir.to_path_buf(),
        layout: Layout::PackageManifest { package_file },
    })
}

/// A file named on the command line: a packaged chart or a manifest file.
fn classify_file(path: &Path, skipped: &mut Vec<crate::diag::Diagnostic>) -> Option<Target> {
    if is_chart_archive(path) {
        return chart_archive(path, skipped);
    }
    if is_catalog(path) {
        return Some(Target {
            path: path.to_path_buf(),
            layout: Layout::Catalog,
        });
    }
    if is_yaml(path) || has_ext(path, "json") {
        return Some(Target {
            path: path.to_path_buf(),
            layout: Layout::Manifests {
                files: vec![path.to_path_buf()],
            },
        });
    }
    None
}

/// What the walk saw in one directory.
#[derive(Default)]
struct DirListing {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

fn walk(
    root: &Path,
    targets: &mut BTreeSet<Target>,
    skipped: &mut Vec<crate::diag::Diagnostic>,
    seen: &mut Discovered,
    report: &mut dyn FnMut(Discovered),
) {
    // One pass collects every directory's files and subdirectories (the ignore
    // crate applies .gitignore rules); classification then runs top-down.
    let mut listings: BTreeMap<PathBuf, DirListing> = BTreeMap::new();
    listings.entry(root.to_path_buf()).or_default();
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(false)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker.flatten() {
        let Some(ft) = entry.file_type() else {
            continue;
        };
        if entry.depth() == 0 || ft.is_symlink() {
            continue;
        }
        seen.entries += 1;
        if seen.entries.is_multiple_of(REPORT_EVERY) {
            report(*seen);
        }
        let path = entry.path().to_path_buf();
        let Some(parent) = path.parent() else {
            continue;
        };
        let listing = listings.entry(parent.to_path_buf()).or_default();
        if ft.is_dir() {
            listing.dirs.push(path.clone());
            listings.entry(path).or_default();
        } else if ft.is_file() {
            listing.files.push(path);
        }
    }
    let mut claimed: Vec<PathBuf> = Vec::new();
    for (n, (dir, listing)) in listings.iter().enumerate() {
        if n.is_multiple_of(REPORT_EVERY / 8) {
            // Classification reads files: report as it goes.
            seen.targets = targets.len();
            report(*seen);
        }
        // Paths sort component-wise, so a claimed folder's descendants come
        // right after it: only the last claim can hold this one (checking
        // every claim was quadratic over a catalog's thousands of folders).
        if claimed.last().is_some_and(|c| dir.starts_with(c)) {
            continue;
        }
        if let Some(found) = classify_dir(dir, listing, &listings) {
            claimed.push(dir.clone());
            targets.extend(found);
            continue;
        }
        for file in &listing.files {
            if is_catalog_name(file) && is_catalog(file) {
                targets.insert(Target {
                    path: file.clone(),
                    layout: Layout::Catalog,
                });
            }
            if is_chart_archive(file)
                && let Some(t) = chart_archive(file, skipped)
            {
                targets.insert(t);
            }
        }
        let manifests: Vec<PathBuf> = listing
            .files
            .iter()
            .filter(|f| is_yaml(f) && looks_like_kubernetes(f))
            .cloned()
            .collect();
        if !manifests.is_empty() {
            targets.insert(Target {
                path: dir.clone(),
                layout: Layout::Manifests { files: manifests },
            });
        }
    }
}

fn classify_dir(
    dir: &Path,
    listing: &DirListing,
    listings: &BTreeMap<PathBuf, DirListing>,
) -> Option<Vec<Target>> {
    let has_file = |name: &str| {
        listing
            .files
            .iter()
            .any(|f| f.file_name() == Some(name.as_ref()))
    };
    let has_dir = |name: &str| {
        listing
            .dirs
            .iter()
            .any(|d| d.file_name() == Some(name.as_ref()))
    };
    if has_file("Chart.yaml") {
        return Some(vec![Target {
            path: dir.to_path_buf(),
            layout: Layout::Chart,
        }]);
    }
    if has_dir("manifests")
        && (has_dir("metadata") || dir_has_csv(&dir.join("manifests"), listings))
    {
        return Some(vec![Target {
            path: dir.to_path_buf(),
            layout: Layout::Bundle,
        }]);
    }
    let package_file = listing.files.iter().find(|f| {
        f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".package.yaml") || n.ends_with(".package.yml"))
    })?;
    let versions: Vec<Target> = listing
        .dirs
        .iter()
        .filter(|d| dir_has_csv(d, listings))
        .map(|d| Target {
            path: d.clone(),
            layout: Layout::PackageManifest {
                package_file: package_file.clone(),
            },
        })
        .collect();
    Some(versions)
}

fn dir_has_csv(dir: &Path, listings: &BTreeMap<PathBuf, DirListing>) -> bool {
    listings.get(dir).is_some_and(|l| {
        l.files.iter().any(|f| {
            f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("clusterserviceversion"))
                || (is_yaml(f) && file_mentions(f, "kind: ClusterServiceVersion"))
        })
    })
}

fn has_ext(path: &Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn is_yaml(path: &Path) -> bool {
    has_ext(path, "yaml") || has_ext(path, "yml")
}

/// The names `opm` gives catalog files.
fn is_catalog_name(path: &Path) -> bool {
    let stem = path.file_stem().and_then(|n| n.to_str()).unwrap_or("");
    (stem == "catalog" || stem == "index") && (is_yaml(path) || has_ext(path, "json"))
}

/// A YAML or JSON file declaring file-based catalog schemas.
fn is_catalog(path: &Path) -> bool {
    (is_yaml(path) || has_ext(path, "json"))
        && sniff(path).is_some_and(|text| crate::load::fbc::sniff(&text))
}

fn is_chart_archive(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".tgz") || name.ends_with(".tar.gz")
}

/// How much of a file the quick content checks read.
const SNIFF_BYTES: usize = 64 * 1024;

fn file_mentions(path: &Path, needle: &str) -> bool {
    sniff(path).is_some_and(|text| text.contains(needle))
}

/// A cheap check that a YAML file holds Kubernetes objects (a top-level
/// `kind:` and `apiVersion:`), so that unrelated YAML (CI configs, values
/// files) does not make a folder a target.
fn looks_like_kubernetes(path: &Path) -> bool {
    sniff(path).is_some_and(|text| {
        let mut kind = false;
        let mut api = false;
        for line in text.lines() {
            kind |= line.starts_with("kind:");
            api |= line.starts_with("apiVersion:");
        }
        kind && api
    })
}

fn sniff(path: &Path) -> Option<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut buf = Vec::with_capacity(4096);
    file.take(SNIFF_BYTES as u64).read_to_end(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// The path as reports show it: relative to the working directory when it is
/// below it, with forward slashes.
pub fn display_path(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = shown.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text).to_string();
    if text.is_empty() {
        ".".to_string()
    } else {
        text
    }
}

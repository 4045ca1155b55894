//! What a backup or restore API looks like, read from a CRD's kind and
//! field names *and* shapes: a name that merely contains "restore" or
//! "snapshot" is not enough (a build's `restoreSourcesRef` names an image,
//! a `snapshotGarbageCollector` is a component cleaning up test artefacts,
//! Maven's `snapshots` repository policy, a log rotation's `maxBackups`).
//!
//! The rule, in words (a name is read as its camelCase words, see
//! [`name_words`]; "point in time recovery" is one word, `pitr`):
//! - a **kind** whose words hold backup, restore or pitr (`EtcdBackup`,
//!   `BackupSchedule`, `PointInTimeRecovery`), or snapshot as its last word
//!   or followed by what configures taking them (`ApplicationSnapshot`,
//!   `SnapshotSchedule`, `VolumeSnapshotLocation`; not a `SnapshotSink`);
//! - a **spec field** that is
//!   - named after a backup or restore (its last word: `backup`,
//!     `vmBackup`, `enableLogicalBackup`, `restoreFromBackup`, `pitr`),
//!     and not a number (`journalMaxBackups` counts rotated log files);
//!   - a snapshot section (last word snapshot/snapshots) that says where or
//!     when they are kept: a child about a schedule, retention, volume,
//!     claim, storage, bucket, destination, location, path or repository
//!     (`persistence.snapshots.persistentVolumeClaim`), where a CSI driver's
//!     `snapshot` feature (`className`, `enabled`) or a repository's
//!     snapshot policy is none;
//!   - a part of a backup (`backupSchedule`, `backupDestination`,
//!     `backupName`, `backupStorageLocation`, `es_s3_backup_dir`): a name
//!     holding backup or pitr whose last word is such a part, not a number;
//!   - a restore section (`restoreSource`, `restoreFrom`, `restoreOptions`,
//!     `restorePoint`): a name starting with restore whose last word is such
//!     a part, as an object (a string `restoreSourcesRef` is a reference to
//!     something restored, of any kind);
//!   - a name about snapshots (its first word) that gives their place or
//!     timing (`snapshotSchedule`, `snapshotRetention`), not their other
//!     settings (`snapshotSyncInterval`, `snapshotMode`) nor a storage
//!     driver's setting that mentions them (`hpe3par_snapshot_retention`).
//!
//! A backup server beside a primary one (`backup`/`primary`,
//! `backupURL`/`primaryURL`: a failover address) is not a copy of data.

use super::facts::name_words;
use std::collections::{BTreeMap, BTreeSet};

/// Words that name a backup or restore.
const BACKUP: [&str; 5] = ["backup", "backups", "restore", "restores", "pitr"];

/// Words that name a snapshot, a copy only when a place or time goes with it.
const SNAPSHOT: [&str; 2] = ["snapshot", "snapshots"];

/// Last words that make a name a part of a backup or restore API
/// (`backupSchedule`, `restoreSource`).
const PARTS: [&str; 32] = [
    "from",
    "schedule",
    "schedules",
    "destination",
    "destinations",
    "location",
    "locations",
    "source",
    "sources",
    "storage",
    "storages",
    "store",
    "stores",
    "name",
    "ref",
    "retention",
    "window",
    "dir",
    "directory",
    "path",
    "bucket",
    "pvc",
    "template",
    "target",
    "config",
    "configuration",
    "policy",
    "plan",
    "repository",
    "options",
    "point",
    "job",
];

/// Words of a child (or a snapshot name's last word) that say where or when
/// snapshots are kept.
const KEPT: [&str; 15] = [
    "schedule",
    "cron",
    "retention",
    "keep",
    "volume",
    "claim",
    "pvc",
    "storage",
    "bucket",
    "destination",
    "location",
    "path",
    "dir",
    "repository",
    "repo",
];

/// Last words of a kind that holds snapshot but not as its last word and
/// still configures taking them (`SnapshotSchedule`, `SnapshotPolicy`).
const SNAPSHOT_KIND_PARTS: [&str; 5] =
    ["schedule", "policy", "configuration", "config", "location"];

/// A name's words, with "point in time recovery" read as one, `pitr`.
fn words(name: &str) -> Vec<String> {
    let mut out = name_words(name);
    while let Some(at) = out
        .windows(4)
        .position(|w| w == ["point", "in", "time", "recovery"])
    {
        out.splice(at..at + 4, ["pitr".to_string()]);
    }
    out
}

fn any_in(words: &[String], set: &[&str]) -> bool {
    words.iter().any(|w| set.contains(&w.as_str()))
}

/// Whether a CRD's kind models a backup, a restore or snapshots. A kind's
/// name is read in its letters as well as its words, as kinds are not
/// always camelCase (Crunchy's `Pgbackup`). Kubernetes' own CSI snapshot
/// API (`snapshot.storage.k8s.io`, which CSI driver bundles ship) is the
/// users' volumes' snapshots, not a backup of the operand.
///
/// A kind named for an export or a dump of data (`ArgoCDExport`) is a
/// backup when its spec says when and where the copies are kept: a
/// `schedule` (or `cron`) and a storage, destination, bucket, location,
/// claim or repository directly under `spec`. A multi-cluster
/// `ServiceExport` or an export of manifests to Git names neither; a
/// metrics, log or trace exporter is a field or an `…Exporter` kind, not
/// an export.
pub(super) fn is_backup_kind(kind: &str, group: &str, fields: &[String]) -> bool {
    if group == "snapshot.storage.k8s.io" {
        return false;
    }
    let w = words(kind);
    let Some(last) = w.last() else {
        return false;
    };
    let lower = kind.to_ascii_lowercase();
    lower.contains("backup")
        || lower.contains("restore")
        || any_in(&w, &BACKUP)
        || SNAPSHOT.contains(&last.as_str())
        || (any_in(&w, &SNAPSHOT) && SNAPSHOT_KIND_PARTS.contains(&last.as_str()))
        || (EXPORT.contains(&last.as_str()) && scheduled_copies(fields))
}

/// Last words of a kind that copies data out, a backup when it is kept on
/// a schedule in a storage (`ArgoCDExport`).
const EXPORT: [&str; 4] = ["export", "exports", "dump", "dumps"];

/// Whether a spec says when and where copies are kept: a direct child about
/// a schedule, and one about a storage, destination, bucket, location,
/// claim, volume, path or repository.
fn scheduled_copies(fields: &[String]) -> bool {
    let children: Vec<Vec<String>> = fields
        .iter()
        .filter_map(|f| f.strip_prefix("spec."))
        .filter(|rest| !rest.contains('.'))
        .map(words)
        .collect();
    let when = children.iter().any(|w| any_in(w, &["schedule", "cron"]));
    let place = children
        .iter()
        .any(|w| any_in(w, &KEPT) && !any_in(w, &["schedule", "cron", "retention", "keep"]));
    when && place
}

/// The spec paths (camelCase, sorted as `fields` is) that model a backup or
/// restore of the operand's data (see the module's documentation). `types`
/// are the schema's types by path; a path it does not type (taken from the
/// CSV's examples) is an object when it has children, else a leaf of unknown
/// type.
pub(super) fn backup_fields(fields: &[String], types: &BTreeMap<String, String>) -> Vec<String> {
    let all: BTreeSet<&str> = fields.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if !f.starts_with("spec.") {
            continue;
        }
        let (parent, leaf) = f.rsplit_once('.').unwrap_or(("", f));
        if leaf == "*" {
            continue;
        }
        let w = words(leaf);
        let Some(last) = w.last().map(String::as_str) else {
            continue;
        };
        if !any_in(&w, &BACKUP) && !any_in(&w, &SNAPSHOT) {
            continue;
        }
        let prefix = format!("{f}.");
        let has_children = fields
            .get(i + 1)
            .is_some_and(|next| next.starts_with(&prefix));
        let t = types.get(f.as_str()).map(String::as_str);
        let number = matches!(t, Some("integer" | "number"));
        let object = matches!(t, Some("object" | "array")) || (t.is_none() && has_children);
        // A failover server's address: `backup<X>` beside `primary<X>`.
        if let Some(rest) = leaf.strip_prefix("backup")
            && all.contains(format!("{parent}.primary{rest}").as_str())
        {
            continue;
        }
        let children_kept = || {
            fields[i + 1..]
                .iter()
                .take_while(|c| c.starts_with(&prefix))
                .filter_map(|c| c.strip_prefix(&prefix))
                .filter(|c| !c.contains('.'))
                .any(|c| any_in(&words(c), &KEPT))
        };
        let models = if BACKUP.contains(&last) {
            !number
        } else if SNAPSHOT.contains(&last) {
            object && children_kept()
        } else if !PARTS.contains(&last) || number {
            false
        } else if any_in(&w, &["backup", "backups", "pitr"]) {
            true
        } else if w.first().is_some_and(|first| first.starts_with("restore")) {
            object
        } else {
            // A name about snapshots (its first word) with another last
            // word: only their place or timing (`snapshotSchedule`,
            // `snapshotRetention`), not a storage driver's setting that
            // mentions them (`hpe3par_snapshot_retention`).
            w.first()
                .is_some_and(|first| SNAPSHOT.contains(&first.as_str()))
                && KEPT.contains(&last)
        };
        if models {
            out.push(f.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_of(shapes: &[(&str, &str)]) -> (Vec<String>, BTreeMap<String, String>) {
        let mut fields: Vec<String> = shapes.iter().map(|(p, _)| p.to_string()).collect();
        fields.sort();
        let types = shapes
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        (fields, types)
    }

    #[test]
    fn backup_and_restore_sections_count_by_name_and_shape() {
        let (fields, types) = fields_of(&[
            ("spec.backup", "object"),
            ("spec.backup.schedule", "string"),
            ("spec.vmBackup", "object"),
            ("spec.vmBackup.destination", "string"),
            ("spec.enableLogicalBackup", "boolean"),
            ("spec.logicalBackupSchedule", "string"),
            ("spec.restoreSource", "object"),
            ("spec.restoreSource.backupName", "string"),
            ("spec.pointInTimeRecoveryRef", "object"),
            ("spec.persistence.snapshots", "object"),
            ("spec.persistence.snapshots.persistentVolumeClaim", "object"),
            ("spec.snapshotSchedule", "string"),
        ]);
        let got = backup_fields(&fields, &types);
        for want in [
            "spec.backup",
            "spec.vmBackup",
            "spec.enableLogicalBackup",
            "spec.logicalBackupSchedule",
            "spec.restoreSource",
            "spec.restoreSource.backupName",
            "spec.pointInTimeRecoveryRef",
            "spec.persistence.snapshots",
            "spec.snapshotSchedule",
        ] {
            assert!(got.iter().any(|g| g == want), "{want} missing from {got:?}");
        }
    }

    #[test]
    fn names_that_merely_contain_the_words_do_not_count() {
        let (fields, types) = fields_of(&[
            // A build's reference to an image it restores sources from.
            ("spec.restoreSourcesRef", "string"),
            // A component that garbage-collects integration snapshots.
            ("spec.snapshotGarbageCollector", "object"),
            ("spec.snapshotGarbageCollector.resources", "object"),
            // Maven's snapshot repository policy.
            ("spec.maven.repositories.snapshots", "object"),
            ("spec.maven.repositories.snapshots.enabled", "boolean"),
            ("spec.maven.repositories.snapshots.updatePolicy", "string"),
            // A CSI driver's snapshot feature for its users' volumes.
            ("spec.disk.snapshot", "object"),
            ("spec.disk.snapshot.className", "string"),
            ("spec.driver.snapshotClass", "array"),
            // Log rotation and sync intervals.
            ("spec.config.journalMaxBackups", "integer"),
            ("spec.snapshotSyncInterval", "integer"),
            ("spec.kedaSpec.restoreToOriginalReplicaCount", "boolean"),
            // A storage driver's setting for its users' volumes.
            (
                "spec.envVars.driver__HPE3PAR__hpe3par_snapshot_retention",
                "string",
            ),
            // Grafana's dashboard snapshot sharing settings.
            ("spec.config.snapshots", "object"),
            ("spec.config.snapshots.external_enabled", "boolean"),
            // A failover server beside the primary one.
            ("spec.link.backup", "object"),
            ("spec.link.backup.url", "string"),
            ("spec.link.primary", "object"),
        ]);
        assert_eq!(backup_fields(&fields, &types), Vec::<String>::new());
    }

    #[test]
    fn untyped_example_paths_are_read_by_their_children() {
        // From alm-examples: no types; a restore section has children.
        let (fields, types) = fields_of(&[
            ("spec.restoreFrom", ""),
            ("spec.restoreFrom.backupName", ""),
            ("spec.restoreImageRef", ""),
        ]);
        assert_eq!(
            backup_fields(&fields, &types),
            ["spec.restoreFrom", "spec.restoreFrom.backupName"]
        );
    }

    #[test]
    fn kinds_name_a_backup_restore_or_snapshot_api() {
        for kind in [
            "EtcdBackup",
            "PerconaXtraDBClusterRestore",
            "BackupSchedule",
            "ScheduledBackup",
            "PointInTimeRecovery",
            "ApplicationSnapshot",
            "SnapshotSchedule",
            "VolumeSnapshotLocation",
        ] {
            assert!(is_backup_kind(kind, "example.com", &[]), "{kind}");
        }
        // Not camelCase: Crunchy's backup kind.
        assert!(is_backup_kind("Pgbackup", "crunchydata.com", &[]));
        for kind in ["KollectSnapshotSink", "ImageBuild", "Snapshotter"] {
            assert!(!is_backup_kind(kind, "example.com", &[]), "{kind}");
        }
        // The CSI snapshot API a storage driver's bundle ships.
        assert!(!is_backup_kind(
            "VolumeSnapshot",
            "snapshot.storage.k8s.io",
            &[]
        ));
    }

    #[test]
    fn an_export_kept_on_a_schedule_in_a_storage_is_a_backup() {
        let fields =
            |paths: &[&str]| -> Vec<String> { paths.iter().map(|p| p.to_string()).collect() };
        let kept = fields(&[
            "spec.argocd",
            "spec.schedule",
            "spec.storage",
            "spec.storage.pvc",
        ]);
        assert!(is_backup_kind("ArgoCDExport", "argoproj.io", &kept));
        // No schedule, or no place: an export, not a backup.
        let once = fields(&["spec.argocd", "spec.storage"]);
        assert!(!is_backup_kind("ArgoCDExport", "argoproj.io", &once));
        let unplaced = fields(&["spec.schedule", "spec.format"]);
        assert!(!is_backup_kind("DataExport", "example.com", &unplaced));
        // A multi-cluster service export, and an exporter of metrics.
        assert!(!is_backup_kind(
            "ServiceExport",
            "multicluster.x-k8s.io",
            &[]
        ));
        assert!(!is_backup_kind("PrometheusExporter", "example.com", &kept));
    }
}

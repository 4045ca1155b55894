//! What breaks an upgrade between two versions of one operator or chart.
//!
//! Every check here reads an *old* and a *new* version and reports
//! [`Change`]s: a CRD's schema narrowed in a way OLM v1's CRD upgrade safety
//! preflight refuses ([`crd`]), an upgrade edge that does not lead from the
//! old CSV to the new one, a chart change `helm upgrade` cannot apply
//! ([`chart`]); [`diff`] compares two targets on disk.

pub mod chart;
pub mod crd;
pub mod diff;
pub mod range;

use schemars::JsonSchema;
use serde::Serialize;

/// What changed between two versions, one kind per check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A CRD's `spec.scope` changed (Namespaced ↔ Cluster).
    ScopeChanged,
    /// A version the old CRD stores objects in is gone from the new CRD.
    StoredVersionRemoved,
    /// A served version is gone or no longer served, and the old CRD had
    /// not marked it `deprecated`.
    ServedVersionRemoved,
    /// A CRD the old version shipped is gone from the new one.
    CrdRemoved,
    /// A field of an existing version's schema is gone.
    FieldRemoved,
    /// A field's `type` changed.
    TypeChanged,
    /// A field became required.
    RequiredAdded,
    /// A field without a default got one.
    DefaultAdded,
    /// A field's default changed.
    DefaultChanged,
    /// A field's default is gone.
    DefaultRemoved,
    /// A field without an enum got one.
    EnumAdded,
    /// Values of a field's enum are gone.
    EnumValueRemoved,
    /// `minimum`/`minLength`/`minItems`/`minProperties` raised.
    MinimumRaised,
    /// `maximum`/`maxLength`/`maxItems`/`maxProperties` lowered.
    MaximumLowered,
    /// A field without a bound got a minimum or maximum.
    BoundAdded,
    /// A CRD serves several versions with different schemas and has no
    /// conversion webhook to translate between them.
    ConversionMissing,
    /// The new CSV has no `replaces`, `skips` or `olm.skipRange` edge from
    /// the old one, so OLM never offers the upgrade.
    NoUpgradeEdge,
    /// The new version is not higher than the old one.
    VersionNotIncreased,
    /// A workload's label selector changed (immutable: the upgrade fails).
    SelectorChanged,
    /// A StatefulSet's `volumeClaimTemplates` changed (immutable).
    VolumeClaimTemplatesChanged,
    /// Another immutable field changed (a Service's clusterIP, a Job's
    /// pod template, a Service turned to or from ExternalName).
    ImmutableFieldChanged,
    /// An object disappeared while another of its kind appeared: helm
    /// deletes the old one and creates the new one (data and uptime lost).
    ResourceRenamed,
    /// A CRD under a chart's `crds/` changed: helm installs those once and
    /// never upgrades them.
    ChartCrdChanged,
    /// A key of the chart's default values is gone: users' `-f` files that
    /// set it are silently ignored.
    ValuesKeyRemoved,
    /// A key of the chart's default values changed type.
    ValuesKeyRetyped,
}

impl ChangeKind {
    /// The kebab-case id.
    pub fn id(self) -> String {
        kind_id(self)
    }
}

/// The kebab-case name serde writes for a unit variant (how change and
/// graph kinds appear in reports).
pub(crate) fn kind_id(kind: impl Serialize) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct Location {
    /// The file, as reported.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

/// One change between an old and a new version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// Whether the change breaks an upgrade (OLM refuses it, helm fails or
    /// loses data); a change that is only worth knowing is not breaking.
    pub breaking: bool,
    /// The object concerned: `CustomResourceDefinition/widgets.example.com`.
    pub subject: String,
    /// For a CRD change, the CRD version (`v1alpha1`) whose schema changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The field, as a JSON path from the schema's root (`.spec.size`,
    /// `.spec.items[*].name`), or a values key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What changed, in words, with both values.
    pub message: String,
    /// Where the old version writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Location>,
    /// Where the new version writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Location>,
}

//! The rule-file format, typed. `caplevel schema rules` prints its JSON Schema.

use crate::finding::Dimension;
use crate::package::TargetKind;
use crate::phase::Phase;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// A rule file: named patterns, rules, or both (a file with neither is an
/// error).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["patterns"]}, {"required": ["rules"]}]))]
pub struct RuleFile {
    /// Named regular expressions, by lowerCamelCase name: every rule of every
    /// file reads one as `patterns.<name>` (`x.matches(patterns.dashboardField)`).
    /// A name is defined once across all rule files, built-in ones included.
    #[schemars(with = "Option<BTreeMap<String, PatternSpec>>")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z][A-Za-z0-9]*$"}))]
    pub patterns: Option<IndexMap<Spanned<String>, PatternSpec>>,
    /// The rules in this file.
    #[schemars(with = "Option<Vec<RuleSpec>>")]
    pub rules: Option<Vec<Spanned<RuleSpec>>>,
}

/// A named pattern as written in a rule file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternSpec {
    /// The regular expression (Rust `regex` syntax), as `matches` reads it:
    /// the text itself, with no CEL string escapes.
    #[schemars(with = "String")]
    pub pattern: Spanned<String>,
    /// What the pattern matches and why: which names or values, and what
    /// it deliberately leaves out.
    pub doc: String,
}

/// How the selected objects must meet the expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Quantifier {
    /// At least one selected object meets `expect` (or, without `expect`, at
    /// least one is selected).
    #[default]
    Exists,
    /// Every selected object meets `expect`.
    All,
    /// No selected object meets `expect` (or, without `expect`, none is selected).
    None,
}

/// What an empty selection means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WhenEmpty {
    /// The rule passes.
    Pass,
    /// The rule fails.
    Fail,
    /// The rule does not apply to this package.
    NotApplicable,
}

/// Which renderings of a chart's objects a rule judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Renderings {
    /// Every profile's: an object only an opt-in profile renders
    /// (`features-on`, a `ci/` value set) is judged as it renders there,
    /// and an `exists` rule also reads an object's other renderings (opt-in
    /// capability).
    #[default]
    Any,
    /// Only what the chart renders with its own values: its defaults and
    /// the `ci/*-values.yaml` sets chart-testing installs (a chart whose
    /// defaults need a required value installs with values like them), not
    /// the synthetic `features-on` profile. An object only `features-on`
    /// renders is not judged, and an object is judged as its own values
    /// render it; the `features-on` objects that would have changed the
    /// outcome are named in the message. For rules about what an install
    /// without overrides gives (a chart whose defaults comply); objects read
    /// from files are always judged.
    ChartValues,
}

/// One value or a list of values.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single value.
    One(String),
    /// Any of these values.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values as a list.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// Which objects of a package a rule looks at.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Selector {
    /// Object kind(s), e.g. `Deployment` or `[Role, ClusterRole]`.
    pub kind: Option<OneOrMany>,
    /// `apiVersion`(s): `group/version`, or `group/*` for any version of a group.
    pub api_version: Option<OneOrMany>,
    /// A regular expression the object's name must match (whole name).
    pub name: Option<String>,
    /// Labels the object must carry (exact values; `*` for any value).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `true`: only objects synthesized from a CSV field (its embedded
    /// deployments and permissions); `false`: only objects shipped as files.
    pub embedded: Option<bool>,
    /// `true`: only Roles and ClusterRoles the operator's own service
    /// accounts hold (the CSV permissions of the accounts its deployments
    /// run as, roles a shipped binding binds to them, roles aggregated into
    /// those), not the ones shipped for its operand; `false`: only the others.
    /// Objects of other kinds listed beside the roles are not filtered.
    pub held_by_operator: Option<bool>,
    /// `true`: only workloads that run the operator itself (in a bundle, the
    /// CSV install deployments running the CSV's `containerImage`, or else
    /// those whose service account holds the operator's grants on its own
    /// API groups), not operand or helper deployments; `false`: only the
    /// others. Workloads of a package without a CSV, and objects of other
    /// kinds, are not filtered.
    pub operator_workload: Option<bool>,
}

/// One rule as written in a rule file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleSpec {
    /// Stable, unique, kebab-case identifier.
    pub id: String,
    /// The capability phase the rule is evidence for.
    pub phase: Phase,
    /// One line saying what is checked, phrased as the good state.
    pub title: String,
    /// Evidence strength: 3 = the files prove it, 2 = a permission or schema
    /// field shows the operator can do it, 1 = a naming heuristic.
    pub weight: u32,
    /// What the rule measures: `capability` (the default; it can move the
    /// level) or `quality` (listing and packaging hygiene: scored apart,
    /// never the level).
    #[serde(default)]
    pub dimension: Dimension,
    /// Evidence tags (kebab-case). The level model (rules/levels.yaml) names
    /// the tags whose passing findings decide or support each phase.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The kinds of target the rule reads.
    pub applies_to: Vec<TargetKind>,
    /// A CEL condition over `package` and `objects`; when false, the rule is
    /// not applicable to the package.
    #[schemars(with = "Option<String>")]
    pub applies_when: Option<Spanned<String>>,
    /// Which objects to look at; without it the rule looks at the package as a whole.
    pub select: Option<Selector>,
    /// How the selected objects must meet `expect`.
    #[serde(default)]
    pub quantifier: Quantifier,
    /// A CEL expression over `object`, `facts`, `objects` and `package`
    /// returning a bool, or a string (empty = met, otherwise the failure message).
    #[schemars(with = "Option<String>")]
    pub expect: Option<Spanned<String>>,
    /// A CEL expression over the same variables as `expect`, returning a
    /// bool: of the selected objects, only those for which it holds are
    /// judged, met or failed and evidenced; the others are left out as if
    /// not selected (a vendored subchart's workload beside the chart's
    /// own, a workload that reads no configuration). Needs `select`.
    #[serde(rename = "where")]
    #[schemars(rename = "where", with = "Option<String>")]
    pub where_: Option<Spanned<String>>,
    /// A CEL expression over the same variables as `expect`, returning a
    /// string: for each selected object that meets `expect`, what it met it
    /// with (the field that matched), kept as that evidence's note, and named
    /// in the message of the pass, so a reviewer need not re-derive the
    /// match. Empty: no note. Needs `select`.
    #[schemars(with = "Option<String>")]
    pub note: Option<Spanned<String>>,
    /// What an empty selection means (default: `fail` for exists, `pass` for
    /// none, `not-applicable` for all).
    pub when_empty: Option<WhenEmpty>,
    /// Which renderings of a chart's objects are judged: `any` (the
    /// default: every profile's, opt-in ones included) or `chart-values`
    /// (only what the chart's defaults and ci/ value sets render, not the
    /// synthetic `features-on`). Needs `select`.
    #[serde(default)]
    pub renderings: Renderings,
    /// Where the evidence points: a dotted field path in the object (or, for
    /// a package-level rule, in the CSV or Chart.yaml), or `@source` /
    /// `@source:path` for a file the package's facts are read from
    /// (`@annotations`, `@package`, `@chart`, `@values`, `@readme`, `@notes`,
    /// `@lock`, `@release-config`). A list names alternatives: the first
    /// present is used, for a selected object a path in it or a file place.
    pub locate: Option<OneOrMany>,
    /// A fact of each selected object (a dotted path in `facts`) that may
    /// hold a place in another object, `{file, line, kind, name}` (and a
    /// `note` saying what is there): the
    /// evidence of an object that fails also points there, where the fault
    /// is (the `replicas:` line of the workload an HPA scales). Needs
    /// `select`.
    pub also_locate: Option<String>,
    /// The message of a failed finding (default: the title, negated).
    pub message: Option<String>,
    /// Why this is evidence for the phase.
    pub rationale: String,
    /// How to fix a failure.
    pub remediation: String,
    /// Links to the practice or tool this rule follows.
    #[serde(default)]
    pub references: Vec<String>,
    /// The id in the signal catalogue (docs/signals.md), e.g. `I-O01`.
    pub signal: Option<String>,
}

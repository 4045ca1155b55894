//! Every built-in rule on its hand-made fixtures: `fixtures/rules/<id>/pass`
//! must give `pass` and `fixtures/rules/<id>/fail` must give `fail`; more
//! cases of either, named `pass-<what>` / `fail-<what>`, say the same. A
//! fixture holding several versions of one package is a history, judged on
//! its latest version (version-pair rules read the history).

use caplevel::finding::Status;
use caplevel::rules::Rule;
use caplevel::{Options, analyze, assess_target, discover, rules};
use std::path::{Path, PathBuf};

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules")
}

fn status_of(rules: &[Rule], rule: &str, dir: &Path) -> Result<Status, String> {
    // The rules are compiled once for all fixtures; each fixture is one target.
    let targets = discover::discover(&[dir.to_path_buf()]).map_err(|e| e.to_string())?;
    if targets.len() != 1 {
        return history_status(rule, dir, targets.len());
    }
    let target = assess_target(&targets[0], rules, &Options::default());
    target
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .map(|f| f.status)
        .ok_or_else(|| format!("no finding for the rule (kind {:?})", target.kind))
}

/// The one target a fixture folder holds, assessed with the default options.
fn assess_fixture(rules: &[Rule], dir: &Path) -> caplevel::report::TargetReport {
    let targets = discover::discover(&[dir.to_path_buf()]).expect("fixture found");
    assess_target(&targets[0], rules, &Options::default())
}

/// A fixture of several versions of one package is a history (version-pair
/// rules need one): the rule is judged on its latest version.
fn history_status(rule: &str, dir: &Path, found: usize) -> Result<Status, String> {
    let report = analyze(&[dir.to_path_buf()], &Options::default()).map_err(|e| e.to_string())?;
    let [history] = report.histories.as_slice() else {
        return Err(format!(
            "{found} targets found, expected 1 (or the versions of one history)"
        ));
    };
    report
        .targets
        .iter()
        .find(|t| t.path == history.latest.path)
        .and_then(|t| t.findings.iter().find(|f| f.rule == rule))
        .map(|f| f.status)
        .ok_or_else(|| "no finding for the rule on the history's latest version".to_string())
}

/// A rule's further cases of `kind` (`pass` or `fail`): folders named
/// `<kind>-<what>`, sorted.
fn extra_cases(rule: &str, kind: &str) -> Vec<(String, PathBuf)> {
    let prefix = format!("{kind}-");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(fixture_root().join(rule))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .filter(|(name, _)| name.starts_with(&prefix))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_builtin_rule_passes_and_fails_on_its_fixtures() {
    let rules = rules::load(&[]).expect("built-in rules load");
    assert!(!rules.is_empty());
    let mut problems = Vec::new();
    for rule in &rules {
        for (case, want) in [("pass", Status::Pass), ("fail", Status::Fail)] {
            let dir = fixture_root().join(rule.id()).join(case);
            if !dir.is_dir() {
                problems.push(format!("{}: missing fixture {}", rule.id(), dir.display()));
                continue;
            }
            let mut cases = vec![(case.to_string(), dir)];
            cases.extend(extra_cases(rule.id(), case));
            for (case, dir) in cases {
                match status_of(&rules, rule.id(), &dir) {
                    Ok(got) if got == want => {}
                    Ok(got) => {
                        problems.push(format!("{}/{case}: got {got:?}, want {want:?}", rule.id()))
                    }
                    Err(e) => problems.push(format!("{}/{case}: {e}", rule.id())),
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn fixtures_have_no_input_errors() {
    // A fixture that does not parse would pass or fail for the wrong reason.
    let report = analyze(&[fixture_root()], &Options::default()).expect("fixtures analyze");
    let broken: Vec<String> = report
        .targets
        .iter()
        .flat_map(|t| {
            t.diagnostics
                .iter()
                .map(move |d| format!("{}: {d}", t.path))
        })
        .filter(|d| d.contains("error:"))
        .collect();
    assert!(
        broken.is_empty(),
        "fixtures with errors:\n{}",
        broken.join("\n")
    );
}

#[test]
fn every_fixture_folder_belongs_to_a_rule() {
    let rules = rules::load(&[]).expect("built-in rules load");
    let ids: Vec<&str> = rules.iter().map(|r| r.id()).collect();
    let stray: Vec<String> = std::fs::read_dir(fixture_root())
        .expect("fixtures/rules exists")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !ids.contains(&name.as_str()))
        .collect();
    assert!(
        stray.is_empty(),
        "fixture folders without a rule: {stray:?}"
    );
}

/// Where a finding's first evidence points: (file, line).
fn first_evidence(rules: &[Rule], rule: &str, dir: &Path) -> Option<(String, u32)> {
    let targets = discover::discover(&[dir.to_path_buf()]).ok()?;
    let target = assess_target(targets.first()?, rules, &Options::default());
    let finding = target.findings.iter().find(|f| f.rule == rule)?;
    let e = finding.evidence.first()?;
    Some((e.file.replace('\\', "/"), e.line))
}

#[test]
fn package_level_evidence_points_into_the_file_each_rule_judges() {
    let rules = rules::load(&[]).expect("built-in rules load");
    // (rule, case, the evidence file's path ends with, its line): the file a
    // rule reads (metadata/annotations.yaml, README.md, values.yaml …), not
    // the CSV or Chart.yaml that stands for the package.
    let cases: &[(&str, &str, &str, u32)] = &[
        (
            "bundle-metadata-annotations",
            "pass",
            "/metadata/annotations.yaml",
            2,
        ),
        (
            "channels-follow-naming",
            "pass",
            "/metadata/annotations.yaml",
            6,
        ),
        ("chart-readme", "pass", "/README.md", 1),
        ("chart-notes", "pass", "/templates/NOTES.txt", 1),
        ("chart-images-overridable", "pass", "/values.yaml", 3),
        // A log level values.yaml shows only commented out: where the
        // schema declares it.
        (
            "chart-log-settings",
            "pass-schema-declared",
            "/values.schema.json",
            9,
        ),
        ("chart-metadata-complete", "fail", "/Chart.yaml", 1),
        (
            "install-ux-annotations",
            "pass",
            ".clusterserviceversion.yaml",
            7,
        ),
        // A v1beta1 CRD's schema, not its `versions` list at the file's end.
        ("crd-storage-fields", "pass-v1beta1", "_demos.yaml", 15),
        // The operator's own container, not the kube-rbac-proxy listed
        // before it.
        (
            "operator-probes",
            "pass-proxy-first",
            ".clusterserviceversion.yaml",
            33,
        ),
        // What matched: the CRD's image field, not the operator Deployment.
        (
            "operand-image-overridable",
            "pass-crd-image-field",
            "_demos.yaml",
            14,
        ),
        // The edge that is there: the olm.skipRange annotation.
        (
            "upgrade-edge-declared",
            "pass-skip-range",
            ".clusterserviceversion.yaml",
            7,
        ),
        // An edge declared in release-config.yaml, not in the CSV: the
        // catalog template entry that declares it, not the CSV's first line.
        (
            "upgrade-edge-declared",
            "pass-release-config",
            "/release-config.yaml",
            4,
        ),
        // The granting rules of a namespaced `permissions` entry.
        (
            "rbac-update-owned-status",
            "pass-namespaced-permissions",
            ".clusterserviceversion.yaml",
            47,
        ),
        // A CRD without a schema whose fields come from the CSV's examples:
        // the alm-examples annotation that shows them, not the CRD.
        (
            "crd-scaling-api",
            "pass-example-component-size",
            ".clusterserviceversion.yaml",
            7,
        ),
        // A rule about a CRD's versions points at its `versions`, in the
        // CRD's own file, even when its fields come from the CSV.
        (
            "crd-old-versions-deprecated",
            "fail-examples-fields",
            "demos.demo.example.com.crd.yaml",
            14,
        ),
        // What satisfied the rule: the chart's signing key, not the
        // workloads whose images are by tag.
        ("chart-supply-chain", "pass-sign-key", "Chart.yaml", 9),
        // What is not pinned: the relatedImages entry by tag, not the
        // install deployment pinned by digest.
        (
            "images-pinned-by-digest",
            "fail-related-image-by-tag",
            ".clusterserviceversion.yaml",
            34,
        ),
        // The part that failed, the placeholder link, not the maintainers
        // the rule points at when all holds.
        (
            "csv-listing-contacts",
            "fail-scaffold-link",
            ".clusterserviceversion.yaml",
            42,
        ),
        // A value three levels down in a vendored subchart's own values
        // (pg.primary.persistence.dataSource), in the subchart's file.
        (
            "chart-restore-path",
            "pass-subchart-deep",
            "/charts/pg/values.yaml",
            8,
        ),
        // The subchart's debug switch the chart offers as cache.image.debug:
        // the subchart's values.yaml, not the parent's first line.
        (
            "chart-log-settings",
            "pass-subchart-debug",
            "/charts/cache/values.yaml",
            5,
        ),
        // A lower-case `loglevel` (grafana fluent-bit's `config.loglevel`):
        // its line, not values.yaml's first (audit s19-A3).
        (
            "chart-log-settings",
            "pass-lowercase-key",
            "/values.yaml",
            8,
        ),
        // The container that lacks requests (a kube-rbac-proxy), not the
        // operator's own that has them.
        (
            "operator-resource-requests",
            "fail-sidecar-without-requests",
            ".clusterserviceversion.yaml",
            39,
        ),
    ];
    let mut problems = Vec::new();
    for (rule, case, suffix, line) in cases {
        let dir = fixture_root().join(rule).join(case);
        match first_evidence(&rules, rule, &dir) {
            Some((file, got)) if file.ends_with(suffix) && got == *line => {}
            other => problems.push(format!(
                "{rule}/{case}: got {other:?}, want …{suffix}:{line}"
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Fails, naming each one, unless every rule is not applicable to the
/// fixture at `dir`.
fn assert_not_applicable(rules: &[Rule], ids: &[&str], dir: &Path) {
    let wrong: Vec<String> = ids
        .iter()
        .filter_map(|rule| match status_of(rules, rule, dir) {
            Ok(Status::NotApplicable) => None,
            other => Some(format!("{rule}: {other:?}")),
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn operand_rules_do_not_apply_to_an_operator_that_runs_no_workload() {
    // operator-manages-workloads/fail: its roles create no Deployment,
    // StatefulSet, DaemonSet, Pod or Job. Rules about the operand's pods
    // have nothing to judge (the level model caps it at I instead).
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("operator-manages-workloads/fail");
    let operand_rules = [
        "crd-pod-placement-fields",
        "crd-scaling-api",
        "crd-storage-fields",
        "crd-cluster-member-status",
        "crd-failover-api",
        "crd-autoscaling-fields",
        "crd-auto-tuning-fields",
        "crd-monitoring-fields",
        "crd-backup-restore-api",
        "rbac-manage-pod-disruption-budgets",
        "rbac-manage-autoscalers",
        "rbac-evict-or-delete-pods",
        "rbac-resize-pods-in-place",
        "rbac-create-monitoring-resources",
        "rbac-create-backup-workloads",
    ];
    assert_not_applicable(&rules, &operand_rules, &dir);
    // operator-manages-workloads/fail-scaffold-apps-grant: the operator-sdk
    // Ansible scaffold's grant on Deployments and StatefulSets, held by an
    // operator whose API configures an external service and no pod.
    let dir = fixture_root().join("operator-manages-workloads/fail-scaffold-apps-grant");
    assert_not_applicable(&rules, &operand_rules, &dir);
    // chart-operator-ships-crds/pass-config-controller: an operator chart
    // (CRDs and a controller writing them) whose controller may only patch
    // custom resources, its own and another project's: its CRD's `size`
    // sizes nothing the operator runs. A chart's operator is read as a
    // bundle's is.
    let dir = fixture_root().join("chart-operator-ships-crds/pass-config-controller");
    let chart_operand_rules: Vec<&str> = operand_rules
        .iter()
        .copied()
        .filter(|r| *r != "rbac-resize-pods-in-place")
        .collect();
    assert_not_applicable(&rules, &chart_operand_rules, &dir);
}

#[test]
fn custom_resource_rules_do_not_apply_to_a_bundle_that_ships_no_crd() {
    // operator-manages-workloads/fail: a CSV that owns no CRD and a bundle
    // that ships none (an operator driven by annotations): no custom
    // resource to guard, finalize or describe the status of.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("operator-manages-workloads/fail");
    let crd_rules = [
        "crd-cel-validation-rules",
        "rbac-update-own-finalizers",
        "csv-status-descriptors-insight",
        "csv-status-descriptors",
    ];
    assert_not_applicable(&rules, &crd_rules, &dir);
}

/// `fixtures/charts/<name>`.
fn chart_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/charts")
        .join(name)
}

/// The chart rules that judge the pods a chart runs, or what a reader of
/// its workloads would see (their images, selectors, metrics).
const CHART_WORKLOAD_RULES: [&str; 7] = [
    "chart-graceful-lifecycle",
    "chart-metrics-endpoint",
    "chart-service-monitor",
    "chart-prometheus-rules",
    "chart-grafana-dashboards",
    "chart-images-multiarch",
    "chart-selector-stable",
];

#[test]
fn workload_rules_do_not_apply_to_a_chart_that_runs_no_pod() {
    // A CRD and custom resources for a controller installed apart, and a
    // helm test Pod (a hook, not a workload of the release): no pods whose
    // shutdown, metrics or images a rule could judge, and no operator
    // (what serves the API is not in the chart), so the vacuous pass of
    // chart-selector-stable no longer vouches for an upgrade path either.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = chart_fixture("custom-resources-only");
    assert_not_applicable(&rules, &CHART_WORKLOAD_RULES, &dir);
    assert_not_applicable(
        &rules,
        &["chart-operator-ships-crds", "chart-operator-crd-examples"],
        &dir,
    );
}

#[test]
fn a_chart_whose_dependency_is_not_vendored_may_run_pods() {
    // The same objects beside a controller subchart missing from charts/:
    // what it would render is unknown, so absence of workloads proves
    // nothing and the workload rules judge what did render.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = chart_fixture("custom-resources-missing-dependency");
    for rule in ["chart-graceful-lifecycle", "chart-images-multiarch"] {
        assert_eq!(status_of(&rules, rule, &dir), Ok(Status::Fail), "{rule}");
    }
}

#[test]
fn operator_rules_do_not_apply_to_a_chart_only_labelled_an_operator() {
    // chart-operator-claim-supported/fail carries `artifacthub.io/operator:
    // "true"` but ships no CRD and no controller RBAC: the label is a claim
    // (judged by that rule), not what makes the operator rules apply.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("chart-operator-claim-supported/fail");
    let operator_rules = [
        "chart-operator-ships-crds",
        "crd-backup-restore-api",
        "crd-cel-validation-rules",
        "crd-storage-fields",
        "rbac-manage-pod-disruption-budgets",
        "rbac-create-monitoring-resources",
        "rbac-evict-or-delete-pods",
    ];
    assert_not_applicable(&rules, &operator_rules, &dir);
}

#[test]
fn a_rule_judging_the_charts_own_values_names_what_only_features_on_renders() {
    // `renderings: chart-values`: a workload only the synthetic features-on
    // profile renders (an opt-in component, with every other toggle on) is
    // not judged, and is not the pass's evidence; the message names it when
    // it would have failed (audits s17-V, s18-Z3 milvus, s18-X mimir).
    let rules = rules::load(&[]).expect("built-in rules load");
    let cases: &[(&str, &str, &str)] = &[
        (
            "chart-default-resource-requests",
            "pass-opt-in-without-requests",
            "; not judged, rendered only with every opt-in value on (features-on): Deployment release-name-helper would not meet it",
        ),
        (
            "chart-restricted-security-context",
            "pass-opt-in-root-init-container",
            "; not judged, rendered only with every opt-in value on (features-on): CronJob release-name-snapshotter would not meet it",
        ),
    ];
    let mut problems = Vec::new();
    for (rule, case, want) in cases {
        let dir = fixture_root().join(rule).join(case);
        let target = assess_fixture(&rules, &dir);
        let Some(finding) = target.findings.iter().find(|f| f.rule == *rule) else {
            problems.push(format!("{rule}/{case}: no finding"));
            continue;
        };
        let judged_opt_in = finding
            .evidence
            .iter()
            .any(|e| e.profile.as_deref() == Some("features-on"));
        if finding.status != Status::Pass || !finding.message.ends_with(want) || judged_opt_in {
            problems.push(format!("{rule}/{case}: {finding:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_chart_that_only_reads_the_crds_it_ships_is_no_operator() {
    // A chart whose workloads only get/list/watch the custom resources it
    // ships (bitnami grafana-alloy and its PodLogs) consumes that API: the
    // operator chart rules do not apply, and say why (audit s18-Z3).
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("chart-operator-claim-supported/fail-crd-consumer");
    let ids = [
        "chart-operator-ships-crds",
        "chart-operator-capabilities-declared",
        "chart-operator-crd-examples",
        "chart-operator-crds-described",
        "chart-operator-examples-cover-crds",
        "crd-storage-fields",
    ];
    assert_not_applicable(&rules, &ids, &dir);
    let target = assess_fixture(&rules, &dir);
    let why = "not an operator chart: it ships the CustomResourceDefinitions of fx.example.com, but its workloads may only read them (get, list, watch)";
    let wrong: Vec<String> = [
        "chart-operator-capabilities-declared",
        "chart-operator-claim-supported",
    ]
    .iter()
    .filter_map(|rule| {
        let f = target.findings.iter().find(|f| f.rule == *rule)?;
        (!f.message.contains(why)).then(|| format!("{rule}: {}", f.message))
    })
    .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_vendored_subcharts_hpa_is_no_autoscaling_evidence_of_the_chart() {
    // chart-pdb-hpa-coherent judges the chart's own HPAs, as chart-hpa
    // does: a subchart's coherent HPA and budget passed it for the chart
    // (bitnami appsmith's redis sentinel HPA, audit s19). Nothing is left
    // to judge, and the message names what was left out.
    // chart-hpa-no-fixed-replicas likewise: the subchart's Deployment sets
    // `replicas` beside its own HPA, the dependency's packaging, not the
    // chart's (prometheus-kafka-exporter's CI-only Kafka).
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("chart-pdb-hpa-coherent/na-subchart-hpa");
    assert_not_applicable(
        &rules,
        &["chart-pdb-hpa-coherent", "chart-hpa-no-fixed-replicas"],
        &dir,
    );
    let target = assess_fixture(&rules, &dir);
    let finding = target
        .findings
        .iter()
        .find(|f| f.rule == "chart-pdb-hpa-coherent")
        .expect("a finding");
    assert!(
        finding
            .message
            .ends_with("left out by the rule's `where`: HorizontalPodAutoscaler release-name-db"),
        "{}",
        finding.message
    );
}

#[test]
fn an_autoscaler_aimed_at_nothing_is_named_with_its_target() {
    // Session 22 chart audit: bitnami neo4j's VPA names a Deployment of the
    // name of its only workload, a StatefulSet. It is left out, and the
    // failure names the VPA, the target it missed and what the chart
    // renders of that name, evidenced at the VPA.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir =
        fixture_root().join("chart-event-or-vertical-autoscaling/fail-vpa-targets-other-kind");
    let target = assess_fixture(&rules, &dir);
    let finding = target
        .findings
        .iter()
        .find(|f| f.rule == "chart-event-or-vertical-autoscaling")
        .expect("a finding");
    assert_eq!(finding.status, Status::Fail);
    assert!(
        finding.message.contains(
            "left out by the rule's `where`: VerticalPodAutoscaler release-name-fx (its targetRef names Deployment release-name-fx, which no profile of the chart renders and no template of that kind may create (the chart renders StatefulSet release-name-fx): it acts on nothing)"
        ),
        "{}",
        finding.message
    );
    let evidence = finding.evidence.first().expect("evidenced");
    assert!(
        evidence.file.ends_with("templates/vpa.yaml"),
        "{evidence:?}"
    );
    assert_eq!(evidence.kind, "VerticalPodAutoscaler");
}

#[test]
fn failure_messages_say_what_is_missing_not_what_exists() {
    // A message must never claim "no X" when X is there: it names the part
    // that failed.
    let rules = rules::load(&[]).expect("built-in rules load");
    // (rule, case, the message contains, and does not contain)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "metrics-endpoint-secured",
            "fail",
            "is shipped, but the operator's service accounts may not create",
            "no shipped Service",
        ),
        // A rule that passes because nothing bad was found is not "opt-in"
        // because what it checked renders only when switched on.
        (
            "chart-no-cluster-admin-binding",
            "pass-opt-in-binding",
            "binds no subject to the cluster-admin role",
            "opt-in",
        ),
        (
            "no-removed-apis",
            "fail-v1beta1-crd",
            "CustomResourceDefinition is removed from Kubernetes 1.22 (use apiextensions.k8s.io/v1)",
            "not met",
        ),
        // Each image says where it was found; a URL path is no image.
        (
            "related-images-listed",
            "fail-image-in-env-value",
            "quay.io/demo/demo-agent:1.0.0 (env DEMO_AGENT_IMAGE_NAME of container manager",
            "docs",
        ),
        (
            "images-pinned-by-digest",
            "fail-crd-default-image",
            "quay.io/demo/demo-server (default of spec.image in CustomResourceDefinition demos.demo.example.com)",
            "demo-operator@sha256",
        ),
        // A port the chart's (opt-in) ServiceMonitor scrapes on a Service
        // rendered by default serves metrics by default.
        (
            "chart-metrics-endpoint",
            "pass-scraped-port",
            "A workload exposes a metrics port",
            "opt-in",
        ),
        // Every RBAC resource listed by name is the whole group.
        (
            "rbac-no-wildcard-grants",
            "fail-rbac-resources-listed",
            "grants every verb on every resource of the rbac.authorization.k8s.io API group (clusterrolebindings, clusterroles, rolebindings, roles, listed by name",
            "`*` in apiGroups `*`",
        ),
        (
            "chart-notes",
            "fail-banner-only",
            "does not say how to reach the application",
            "has no templates/NOTES.txt",
        ),
        // The depth each field is read at is said, so a deeper field
        // (spec.build.source.version) is not denied.
        (
            "operand-image-overridable",
            "fail",
            "a version field directly under spec",
            "image or version field under spec",
        ),
        (
            "crd-operand-version-field",
            "fail",
            "up to two fields below it",
            "under one spec field",
        ),
        // A field excluded as development-only is said to be, not denied
        // (audit s18-Z2, pelorus-operator 0.0.9).
        (
            "operand-image-overridable",
            "fail-development-only-fields",
            "a field documented for development or tests only",
            "not met",
        ),
        (
            "crd-operand-upgrade-control",
            "fail-development-only-fields",
            "a field documented for development or tests only",
            "not met",
        ),
        // A binding to a role Kubernetes ships is a grant of that role.
        (
            "rbac-no-wildcard-grants",
            "fail-builtin-cluster-admin",
            "ClusterRole cluster-admin grants resources `*` in apiGroups `*`",
            "not met",
        ),
    ];
    let mut problems = Vec::new();
    for (rule, case, want, not) in cases {
        let dir = fixture_root().join(rule).join(case);
        let target = assess_fixture(&rules, &dir);
        let message = target
            .findings
            .iter()
            .find(|f| f.rule == *rule)
            .map(|f| f.message.clone())
            .unwrap_or_default();
        if !message.contains(want) || message.contains(not) {
            problems.push(format!("{rule}/{case}: {message}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_pass_names_the_fields_that_met_the_rule() {
    // A rule passing on the union of its CRDs' field names says which field
    // of which kind did it (its `note`), as the schema spells the field, so
    // a reviewer need not re-derive the match (audit s16-Q).
    let rules = rules::load(&[]).expect("built-in rules load");
    // (rule, case, the message contains, and the evidence's note is)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "crd-operand-version-field",
            "pass-snake-case-version",
            "users choose the operand version (Demo: spec.server_version)",
            "Demo: spec.server_version",
        ),
        (
            "crd-operand-version-reported",
            "pass",
            "its status (Demo: status.version)",
            "Demo: status.version",
        ),
        // The image the application runs, not the one its build produced
        // (audit s18-Y, jupyter-notebook-validator-operator 1.0.8).
        (
            "crd-operand-version-reported",
            "pass-running-image-reference",
            "its status (Demo: status.imageReference)",
            "Demo: status.imageReference",
        ),
        (
            "crd-operand-upgrade-control",
            "pass-upgrade-kind",
            "(DemoUpgrade: an upgrade kind",
            "DemoUpgrade: an upgrade kind",
        ),
        (
            "crd-operand-upgrade-control",
            "pass-status",
            "upgrade progress in status) (Demo: status.",
            "Demo: status.",
        ),
        // The scaffold's grant is said in words, with the role that holds
        // it and where it reaches, not as the internal fact's name
        // (`pkg.ownMetricsMonitorGrant`, shown to users before).
        (
            "operator-metrics-scraped",
            "pass-scaffold-grant",
            "the operator's Role demo-operator-controller-manager may create ServiceMonitors in its namespace, \
             beside update on the finalizers of its own Deployment demo-operator",
            "the operator's Role demo-operator-controller-manager may create ServiceMonitors in its namespace",
        ),
        // A grant resting only on `*` on every resource of every group says
        // so: cluster-admin allows it but shows no particular use (audits
        // s20-A1 and B2 read such passes as evidence of nothing).
        (
            "rbac-manage-pod-disruption-budgets",
            "pass-wildcard",
            "(Role demo-operator-controller-manager: only by a `*` grant on every resource of every group (cluster-admin)",
            "Role demo-operator-controller-manager: only by a `*` grant",
        ),
    ];
    let mut problems = Vec::new();
    for (rule, case, want, note) in cases {
        let dir = fixture_root().join(rule).join(case);
        let target = assess_fixture(&rules, &dir);
        let Some(finding) = target.findings.iter().find(|f| f.rule == *rule) else {
            problems.push(format!("{rule}/{case}: no finding"));
            continue;
        };
        let noted = finding
            .evidence
            .iter()
            .any(|e| e.note.as_deref().is_some_and(|n| n.starts_with(note)));
        let internal = finding.message.contains("pkg.");
        if finding.status != Status::Pass || !finding.message.contains(want) || !noted || internal {
            problems.push(format!("{rule}/{case}: {finding:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_status_read_from_printer_columns_is_evidenced_at_them() {
    // A v1beta1 CRD without a schema whose status comes from its printer
    // columns: the finding points at those columns in the CRD's file, not
    // at the CSV's alm-examples, which hold no status (audit s18-Z1,
    // wso2am-operator 1.1.0).
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("crd-cluster-member-status/pass-printer-column-ready");
    let target = assess_fixture(&rules, &dir);
    let finding = target
        .findings
        .iter()
        .find(|f| f.rule == "crd-cluster-member-status")
        .expect("a finding");
    assert_eq!(finding.status, Status::Pass);
    let [evidence] = finding.evidence.as_slice() else {
        panic!("one evidence entry: {finding:?}");
    };
    assert!(
        evidence.file.ends_with("demos.demo.example.com.crd.yaml") && evidence.line == 19,
        "{evidence:?}"
    );
    assert!(
        evidence
            .note
            .as_deref()
            .is_some_and(|n| n.contains("read from its printer columns")),
        "{evidence:?}"
    );
}

#[test]
fn an_hpa_whose_target_sets_replicas_points_at_the_replicas_line() {
    // The fault is the workload's `replicas:`, not the HPA: the failure's
    // evidence names the HPA and the target's template line (audit s16-R,
    // kong's templates/dep-ds.yaml:22).
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("chart-hpa-no-fixed-replicas/fail");
    let target = assess_fixture(&rules, &dir);
    let finding = target
        .findings
        .iter()
        .find(|f| f.rule == "chart-hpa-no-fixed-replicas")
        .expect("the finding");
    assert_eq!(finding.status, Status::Fail);
    let places: Vec<(&str, &str, u32)> = finding
        .evidence
        .iter()
        .map(|e| {
            (
                e.file.rsplit('/').next().unwrap_or_default(),
                e.kind.as_str(),
                e.line,
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("deployment.yaml", "Deployment", 8),
            ("hpa.yaml", "HorizontalPodAutoscaler", 2)
        ],
        "{finding:?}"
    );
    assert_eq!(
        finding.evidence[0].note.as_deref(),
        Some("spec.replicas of the Deployment HorizontalPodAutoscaler release-name-fx scales")
    );
    assert!(
        finding
            .message
            .contains("sets spec.replicas where the HPA is rendered (line 8 of its template)"),
        "{}",
        finding.message
    );
}

#[test]
fn a_statefulset_only_an_opt_in_profile_renders_without_data_is_no_proof_of_state() {
    // kube-state-metrics' autosharding: a StatefulSet (for pod ordinals,
    // `volumeClaimTemplates: []`) behind a toggle, a Deployment by default.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("chart-persistent-storage/na-opt-in-statefulset");
    assert_eq!(
        status_of(&rules, "chart-persistent-storage", &dir),
        Ok(Status::NotApplicable)
    );
}

#[test]
fn a_first_release_has_no_upgrade_edge_to_declare() {
    // One version, no replaces/skips/skipRange: nothing to upgrade from, so
    // the rule does not apply and says why (the `fail` case is the same CSV
    // as a second version of its package).
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("upgrade-edge-declared/na-first-release");
    let target = assess_fixture(&rules, &dir);
    let finding = target
        .findings
        .iter()
        .find(|f| f.rule == "upgrade-edge-declared")
        .expect("a finding");
    assert_eq!(finding.status, Status::NotApplicable);
    // Assessed alone, nothing was looked for beside it: the finding says
    // so rather than that no earlier version exists.
    assert!(
        finding.message.contains("assessed alone") && !finding.message.contains("was found"),
        "{}",
        finding.message
    );
    // The lowest version of a history is a first release.
    let dir = fixture_root().join("upgrade-edge-declared/fail");
    let report = analyze(&[dir], &Options::default()).expect("fixture analyzes");
    let first = report
        .targets
        .iter()
        .find(|t| t.path.ends_with("0.1.0"))
        .and_then(|t| {
            t.findings
                .iter()
                .find(|f| f.rule == "upgrade-edge-declared")
        })
        .expect("a finding on 0.1.0");
    assert_eq!(first.status, Status::NotApplicable);
    assert!(
        first.message.starts_with("a first release:")
            && first
                .message
                .contains("lowest version of its package found"),
        "{}",
        first.message
    );
}

#[test]
fn a_status_subresource_failure_says_where_the_status_is_known_from() {
    // A v1beta1 CRD with no schema whose printer columns read `.status`:
    // the message must not claim the schema has a status.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("crd-status-subresource/fail-printer-column-status");
    let targets = discover::discover(&[dir]).expect("discover");
    let target = assess_target(&targets[0], &rules, &Options::default());
    let finding = target
        .findings
        .iter()
        .find(|f| f.rule == "crd-status-subresource")
        .expect("a finding");
    assert_eq!(finding.status, Status::Fail);
    assert!(
        finding.message.contains("printer columns") && !finding.message.contains("the schema has"),
        "{}",
        finding.message
    );
}

#[test]
fn a_crd_whose_versions_share_one_schema_has_nothing_to_convert() {
    // Two served versions, no schema in either, no webhook anywhere: a pass
    // would say the CRDs convert through a webhook wired in the CSV.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("crd-conversion-webhook-wired/na-same-schema");
    let target = assess_fixture(&rules, &dir);
    let finding = target
        .findings
        .iter()
        .find(|f| f.rule == "crd-conversion-webhook-wired")
        .expect("a finding");
    assert_eq!(finding.status, Status::NotApplicable, "{}", finding.message);
    assert!(
        finding.message.contains("nothing to convert"),
        "{}",
        finding.message
    );
}

#[test]
fn kinds_without_a_spec_have_no_spec_to_type_or_document() {
    // Only a health-report kind whose schema types a status and no spec.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("crd-spec-schema-typed/na-only-status-kinds");
    assert_not_applicable(
        &rules,
        &["crd-spec-schema-typed", "crd-spec-fields-documented"],
        &dir,
    );
}

#[test]
fn an_examples_empty_status_is_no_status_to_describe() {
    // A CRD with no schema whose only example carries `"status": {}`: the
    // example shows no status, so its owned entry needs no descriptors.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("csv-status-descriptors/na-empty-example-status");
    assert_not_applicable(&rules, &["csv-status-descriptors"], &dir);
}

#[test]
fn an_operator_running_no_operand_configures_no_healing_of_it() {
    // A healing-named field (a provider's failover setting passed through)
    // in the CRD of an operator whose roles create no workload: it runs no
    // operand to heal, as for the other operand rules.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("crd-self-healing-fields/na-no-operand");
    assert_not_applicable(&rules, &["crd-self-healing-fields"], &dir);
}

#[test]
fn rules_compiled_apart_each_read_their_own_patterns() {
    // The built-in rules and a file compiled on its own (beside the
    // built-in patterns, with one of its own) hold two pattern tables:
    // evaluated together, each rule reads the patterns it was checked against.
    let mut all = rules::load(&[]).expect("built-in rules load");
    let own = rules::parse_rule_file(
        "own.yaml",
        "patterns:\n  demoName:\n    pattern: '^demo-operator\\.v'\n    doc: d\nrules:\n  - id: own-name\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    select: {kind: ClusterServiceVersion}\n    expect: object.metadata.name.matches(patterns.demoName) && patterns.placementKey != ''\n    rationale: r\n    remediation: x\n",
    )
    .expect("compiles");
    all.extend(own);
    let dir = fixture_root().join("csv-listing-contacts/fail-scaffold-link");
    assert_eq!(status_of(&all, "own-name", &dir), Ok(Status::Pass));
    assert_eq!(
        status_of(&all, "csv-listing-contacts", &dir),
        Ok(Status::Fail)
    );
}

#[test]
fn a_chart_whose_only_dependencies_are_vendored_has_nothing_to_lock() {
    // grafana's rollout-operator: its `crds` subchart sits under charts/
    // with no repository, so helm fetches nothing and a Chart.lock pins
    // nothing.
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("chart-dependencies-locked/na-vendored-only");
    assert_eq!(
        status_of(&rules, "chart-dependencies-locked", &dir),
        Ok(Status::NotApplicable)
    );
}

/// A package-level rule met by a value a vendored subchart offers says whose
/// value it is, in its message and its evidence's note.
#[test]
fn a_pass_on_a_subchart_value_says_it_is_the_subcharts() {
    let rules = rules::load(&[]).expect("built-in rules load");
    let dir = fixture_root().join("chart-log-settings/pass-subchart-debug");
    let targets = discover::discover(&[dir]).expect("discover");
    let target = assess_target(&targets[0], &rules, &Options::default());
    let finding = target
        .findings
        .iter()
        .find(|f| f.rule == "chart-log-settings")
        .expect("the finding");
    assert_eq!(finding.status, Status::Pass);
    assert!(
        finding
            .message
            .ends_with("(a value of the vendored subchart under `cache`)"),
        "{}",
        finding.message
    );
    assert_eq!(
        finding.evidence[0].note.as_deref(),
        Some("a value of the vendored subchart under `cache`")
    );
}

/// The findings of `rule` on a chart written from `files` into a temp dir.
fn finding_on(rules: &[Rule], rule: &str, files: &[(&str, &str)]) -> caplevel::finding::Finding {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let targets = discover::discover(&[dir.path().to_path_buf()]).expect("discover");
    let target = assess_target(&targets[0], rules, &Options::default());
    target
        .findings
        .into_iter()
        .find(|f| f.rule == rule)
        .expect("a finding for the rule")
}

#[test]
fn chart_config_checksum_judges_the_main_workloads_that_read_the_charts_configuration() {
    let rules = rules::load(&[]).expect("built-in rules load");
    // Only the chart's own Deployment is judged and evidenced, not the
    // vendored database whose checksum rolls its own pods.
    let dir = fixture_root().join("chart-config-checksum/fail-subchart-checksum");
    let targets = discover::discover(&[dir]).expect("discover");
    let target = assess_target(&targets[0], &rules, &Options::default());
    let f = target
        .findings
        .iter()
        .find(|f| f.rule == "chart-config-checksum")
        .expect("finding");
    assert_eq!(f.status, Status::Fail);
    let named: Vec<&str> = f.evidence.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(named, ["release-name-fx"], "{f:?}");
    assert!(
        f.message.contains("reads ConfigMap release-name-fx (env)"),
        "{}",
        f.message
    );
    // A ConfigMap no workload reads: nothing to roll, not applicable.
    let chart = "apiVersion: v2\nname: fx\nversion: 0.1.0\n";
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unread\ndata:\n  a: b\n";
    let deploy = concat!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n",
        "  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n",
        "      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n",
        "          image: nginx:1.25\n",
    );
    let f = finding_on(
        &rules,
        "chart-config-checksum",
        &[
            ("Chart.yaml", chart),
            ("templates/cm.yaml", cm),
            ("templates/deploy.yaml", deploy),
        ],
    );
    assert_eq!(f.status, Status::NotApplicable, "{}", f.message);
    assert!(f.message.contains("Deployment/web"), "{}", f.message);
}

#[test]
fn a_deployment_that_reconciles_nothing_is_judged_by_no_reconcile_loop_rule() {
    // A console plugin: no CRD shipped or owned, and grants that list or
    // watch nothing (it registers its own ConsolePlugin at start). Leader
    // election and an HA operator are about a reconcile loop it has not;
    // the `fail` fixtures, with no CRD either but a grant to watch
    // ConfigMaps, are still judged.
    let rules = rules::load(&[]).expect("built-in rules load");
    for rule in ["operator-leader-election", "operator-high-availability"] {
        let dir = fixture_root().join(rule).join("na-console-plugin");
        let target = assess_fixture(&rules, &dir);
        let finding = target
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .expect("a finding");
        assert_eq!(
            finding.status,
            Status::NotApplicable,
            "{rule}: {}",
            finding.message
        );
        assert!(
            finding.message.contains("reconciles nothing"),
            "{}",
            finding.message
        );
    }
}

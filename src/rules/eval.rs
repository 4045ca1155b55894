//! The evaluator: every rule of a set on one package, giving findings.

use super::cel_env::env;
use super::compile::{CompiledSelector, Rule};
use super::model::{Quantifier, Renderings, WhenEmpty};
use super::patterns::{PATTERNS, PatternTable};
use super::timings;
use super::value::{Shared, SharedList, SharedMap, from_json, from_node};
use crate::finding::{Evidence, Finding, Status};
use crate::helm::FEATURES_ON;
use crate::package::{Package, Resource};
use cel::common::types::CelString;
use cel::{Context, ExecutionError, Program, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// What one expression said about one object.
enum Outcome {
    Met,
    NotMet(Option<String>),
    Error(String),
}

/// A package's data as CEL values, converted once and shared by all rules:
/// binding one to a variable is a pointer copy.
struct Bound<'p> {
    objects: Vec<Shared<'p>>,
    facts: Vec<Shared<'p>>,
}

/// The `pkg` variable: the package facts, plus `csv` (the CSV object) and
/// `crds` (every CRD's facts), both sharing the objects' converted values.
fn package_value<'p>(package: &'p Package, bound: &Bound<'p>) -> Shared<'p> {
    let mut entries: Vec<(&'p str, Shared<'p>)> = match &package.facts {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.as_str(), from_json(v)))
            .collect(),
        _ => Vec::new(),
    };
    let csv = package
        .resources
        .iter()
        .position(|r| r.is_kind("ClusterServiceVersion") && r.origin.embedded.is_none());
    entries.push((
        "csv",
        csv.map(|i| bound.objects[i].clone_as_boxed())
            .unwrap_or_else(|| Box::new(cel::common::types::CelNull)),
    ));
    let crds = package
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_kind("CustomResourceDefinition") && !r.placeholder)
        .map(|(i, _)| bound.facts[i].clone_as_boxed())
        .collect();
    entries.push(("crds", Box::new(SharedList::new(crds))));
    Box::new(SharedMap::new(entries))
}

/// The `patterns` variable: each named pattern's text by name.
fn patterns_value(table: &PatternTable) -> Shared<'_> {
    Box::new(SharedMap::new(
        table
            .iter()
            .map(|p| {
                let text: Shared<'_> = Box::new(CelString::from(p.pattern.as_str()));
                (p.name.as_str(), text)
            })
            .collect(),
    ))
}

/// Evaluates every rule that applies to the package's kind, in rule order.
pub fn evaluate(rules: &[Rule], package: &Package) -> Vec<Finding> {
    if package.facts.get("library").and_then(|l| l.as_bool()) == Some(true) {
        // A library chart only lends templates to others: nothing to assess.
        return rules
            .iter()
            .filter(|r| r.applies_to(package.kind))
            .map(|r| {
                finding(
                    r,
                    Status::NotApplicable,
                    "library chart: it renders no objects of its own".into(),
                    vec![],
                )
            })
            .collect();
    }
    let bound = Bound {
        objects: package
            .resources
            .iter()
            .map(|r| from_node(&r.node))
            .collect(),
        facts: package
            .resources
            .iter()
            .map(|r| from_json(&r.facts))
            .collect(),
    };
    // `objects` is what expressions read fields of: placeholders have none.
    let objects: Vec<Shared<'_>> = bound
        .objects
        .iter()
        .zip(&package.resources)
        .filter(|(_, r)| !r.placeholder)
        .map(|(o, _)| o.clone_as_boxed())
        .collect();
    let mut root = Context::with_env(env());
    root.add_variable_as_val("objects", Box::new(SharedList::new(objects)));
    root.add_variable_as_val("pkg", package_value(package, &bound));
    // Rules loaded together share one pattern table: it is bound once.
    let shared = rules
        .iter()
        .find(|r| r.applies_to(package.kind))
        .map(|r| &r.patterns);
    if let Some(table) = shared {
        root.add_variable_as_val(PATTERNS, patterns_value(table));
    }
    let timed = timings::enabled();
    let known = package.objects_known();
    rules
        .iter()
        .filter(|r| r.applies_to(package.kind))
        .map(|rule| {
            // A rule compiled against another table reads its own.
            let own;
            let ctx = if shared.is_some_and(|t| Arc::ptr_eq(t, &rule.patterns)) {
                &root
            } else {
                let mut scope = root.new_inner_scope();
                scope.add_variable_as_val(PATTERNS, patterns_value(&rule.patterns));
                own = scope;
                &own
            };
            let finding = if !timed {
                evaluate_rule(rule, package, &bound, ctx)
            } else {
                let start = std::time::Instant::now();
                let finding = evaluate_rule(rule, package, &bound, ctx);
                timings::record(rule.id(), start.elapsed());
                finding
            };
            if known { finding } else { unknowable(finding) }
        })
        .collect()
}

/// A package without its objects cannot show that evidence is missing: a
/// failure there is unknown, never failed.
fn unknowable(mut f: Finding) -> Finding {
    if f.status == Status::Fail {
        f.status = Status::Unknown;
        f.message = format!("unknown: {UNKNOWN_WHY} ({})", f.message);
    }
    f
}

/// Why evidence is unknown in a package without its objects.
const UNKNOWN_WHY: &str = "the catalog carries only the CSV's metadata";

fn finding(rule: &Rule, status: Status, message: String, mut evidence: Vec<Evidence>) -> Finding {
    // Objects whose evidence is one place of a file (each workload of a
    // chart pointing at its Chart.yaml's signing key) cite it once.
    let mut seen = std::collections::BTreeSet::new();
    evidence.retain(|e| e.kind != "File" && e.kind != "Chart" || seen.insert(e.clone()));
    Finding {
        rule: rule.spec.id.clone(),
        phase: rule.spec.phase,
        status,
        weight: rule.spec.weight,
        dimension: rule.spec.dimension,
        tags: rule.spec.tags.clone(),
        title: rule.spec.title.clone(),
        message,
        evidence,
        exemption: None,
        baselined: false,
    }
}

/// The finding of a rule that does not apply to this package (its
/// `applies-when` does not hold, or holds only on part of what the package
/// carries, or cannot be evaluated), or `None` when the rule applies.
fn not_applying(rule: &Rule, package: &Package, root: &Context) -> Option<Finding> {
    if let Some(cond) = &rule.applies_when {
        match run(cond, root) {
            Outcome::Met => {}
            Outcome::NotMet(_) if !package.objects_known() => {
                // The condition was read on part of the package: the rest
                // might make it hold.
                return Some(finding(
                    rule,
                    Status::Unknown,
                    format!(
                        "unknown: the rule's condition does not hold on what the package carries; {UNKNOWN_WHY}"
                    ),
                    vec![],
                ));
            }
            // A condition returning a string says why the rule does not
            // apply (a first release has no upgrade to declare).
            Outcome::NotMet(why) => {
                return Some(finding(
                    rule,
                    Status::NotApplicable,
                    why.unwrap_or_else(|| {
                        "the rule's condition does not hold for this package".into()
                    }),
                    vec![],
                ));
            }
            Outcome::Error(e) => {
                return Some(finding(
                    rule,
                    Status::Error,
                    format!("applies-when could not be evaluated: {e}"),
                    vec![],
                ));
            }
        }
    }
    None
}

/// A package-level rule (no `select`): one expression over `package` and
/// `objects`, evidenced by the first `locate` place found.
fn evaluate_package_rule(rule: &Rule, package: &Package, root: &Context) -> Finding {
    let Some(expect) = &rule.expect else {
        return finding(
            rule,
            Status::Error,
            "rule has neither select nor expect".into(),
            vec![],
        );
    };
    let outcome = run(expect, root);
    // A failure is the chart's own: its evidence is never a value a
    // vendored subchart offers, which did not meet the rule.
    let met = matches!(outcome, Outcome::Met);
    let anchor = package_anchor(package, &locations(rule), met);
    match outcome {
        Outcome::Met => {
            // Met by a value a vendored subchart offers: the pass says
            // whose value it is (the subchart's, set under its key).
            let msg = match anchor.as_slice() {
                [
                    Evidence {
                        note: Some(note), ..
                    },
                ] if note.starts_with(SUBCHART_VALUE_NOTE) => {
                    format!("{} ({note})", rule.spec.title)
                }
                _ => rule.spec.title.clone(),
            };
            finding(rule, Status::Pass, msg, anchor)
        }
        Outcome::NotMet(msg) => finding(
            rule,
            Status::Fail,
            msg.unwrap_or_else(|| fail_message(rule)),
            anchor,
        ),
        Outcome::Error(e) => finding(
            rule,
            Status::Error,
            format!("expect could not be evaluated: {e}"),
            anchor,
        ),
    }
}

/// Judges one rule on one package: whether it applies, then its expression
/// over the package (a package-level rule) or over each object it selects.
fn evaluate_rule(rule: &Rule, package: &Package, bound: &Bound, root: &Context) -> Finding {
    if let Some(finding) = not_applying(rule, package, root) {
        return finding;
    }
    let Some(selector) = &rule.selector else {
        return evaluate_package_rule(rule, package, root);
    };
    let selection = select(rule, selector, package, bound, root);
    if selection.judged.is_empty() {
        return empty_selection(rule, selector, package, &selection);
    }
    let judgement = judge(rule, package, bound, root, &selection);
    conclude(rule, judgement, &selection.left_out)
}

/// The objects a rule judges, and on which rendering.
struct Selection {
    /// The selected objects `where` keeps, by index: the ones judged.
    judged: Vec<usize>,
    /// Judged object → the rendering judged instead of its first.
    rendering: HashMap<usize, usize>,
    /// The first selected object before `where`, named when `where` leaves
    /// nothing to judge.
    first_selected: Option<usize>,
    /// Placeholders were selected whose fields are unknown.
    unknown: bool,
    /// What the message says of objects only an opt-in profile renders
    /// (empty when none would have changed the outcome).
    left_out: String,
    /// When nothing is judged, the first selected object `where` said why
    /// it left out (a string, not `false`), and why.
    first_why: Option<(usize, String)>,
}

/// Whether the rule's `where` keeps an object in this scope: an error there
/// is the object's, so it is judged and `expect` says more.
fn wanted(rule: &Rule, scope: &Context) -> bool {
    rule.where_
        .as_ref()
        .is_none_or(|program| !matches!(run(program, scope), Outcome::NotMet(_)))
}

/// The objects the selector picks, then those `where` keeps, each on its
/// first rendering `where` holds for (an opt-in profile's, when the
/// defaults' does not: a Secret a toggle creates and mounts).
fn select(
    rule: &Rule,
    selector: &CompiledSelector,
    package: &Package,
    bound: &Bound,
    root: &Context,
) -> Selection {
    // A placeholder (an object a failed chart template would create) counts
    // for existence only: a rule that judges fields skips it, and so does a
    // rule asking for an apiVersion the template computes.
    let mut unknown = false;
    // A rule about what an install with the chart's own values gives
    // judges only the objects those values render, each as rendered there.
    let defaults_only = rule.spec.renderings == Renderings::ChartValues;
    let selected: Vec<usize> = package
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            if defaults_only && r.placeholder && chart_values_rendering(r).is_none() {
                return false;
            }
            let api_unknown = r.api_version.is_empty() && !selector.api_versions.is_empty();
            if r.placeholder && (rule.expect.is_some() || api_unknown) {
                unknown |= if api_unknown {
                    selector.kinds.contains(&r.kind) && r.in_own_group()
                } else {
                    selects(selector, r)
                };
                return false;
            }
            selects(selector, r)
        })
        .map(|(i, _)| i)
        .collect();
    let every_selected = selected.clone();
    let mut rendering = HashMap::new();
    // Of those, for a rule judging the chart's own values, the ones only the
    // synthetic profile renders: left out, and those that would have changed
    // the outcome are named in the message.
    let (selected, opt_in_only): (Vec<usize>, Vec<usize>) = if defaults_only {
        selected
            .into_iter()
            .partition(|&i| match chart_values_rendering(&package.resources[i]) {
                Some(Some(a)) => {
                    rendering.insert(i, a);
                    true
                }
                Some(None) => true,
                None => false,
            })
    } else {
        (selected, Vec::new())
    };
    let opt_in_only: Vec<usize> = opt_in_only
        .into_iter()
        .filter(|&i| wanted(rule, &first_scope(root, bound, i)))
        .collect();
    let first_selected = selected.first().copied();
    let judged: Vec<usize> = selected
        .into_iter()
        .filter(|&i| {
            if defaults_only {
                return match rendering.get(&i) {
                    Some(&a) => wanted(
                        rule,
                        &rendering_scope(root, &package.resources[i].renderings[a]),
                    ),
                    None => wanted(rule, &first_scope(root, bound, i)),
                };
            }
            if wanted(rule, &first_scope(root, bound, i)) {
                return true;
            }
            let alt = package.resources[i]
                .renderings
                .iter()
                .position(|alt| wanted(rule, &rendering_scope(root, alt)));
            if let Some(a) = alt {
                rendering.insert(i, a);
            }
            alt.is_some()
        })
        .collect();
    let left_out = opt_in_note(rule, package, bound, root, &opt_in_only);
    let first_why =
        match &rule.where_ {
            Some(program) if judged.is_empty() => every_selected.iter().find_map(|&i| {
                match run(program, &first_scope(root, bound, i)) {
                    Outcome::NotMet(Some(why)) => Some((i, why)),
                    _ => None,
                }
            }),
            _ => None,
        };
    Selection {
        judged,
        rendering,
        first_selected,
        unknown,
        left_out,
        first_why,
    }
}

/// The finding of a rule with nothing to judge: unknown when only
/// placeholders (or no objects at all) were there, else what the rule says
/// of an empty selection (`when-empty`), naming what `where` left out.
fn empty_selection(
    rule: &Rule,
    selector: &CompiledSelector,
    package: &Package,
    selection: &Selection,
) -> Finding {
    if selection.unknown {
        // Only objects whose fields are unknown: nothing can be judged.
        return finding(
            rule,
            Status::NotApplicable,
            format!(
                "every {} comes from a template that failed to render: its fields are unknown",
                describe(selector)
            ),
            vec![],
        );
    }
    let what = if rule.spec.renderings == Renderings::ChartValues {
        format!(
            "{} rendered with the chart's own values",
            describe(selector)
        )
    } else {
        describe(selector)
    };
    // Selected, but not what the rule judges: say which, so a reader sees
    // the object was found and left out, not missed (a vendored subchart's
    // claim beside none of the chart's own).
    // The first selected object `where` said why it left out, else the
    // first selected.
    let named = match &selection.first_why {
        Some((i, why)) => Some((*i, format!(" ({why})"))),
        None => selection.first_selected.map(|i| (i, String::new())),
    };
    let left_out = match named {
        Some((i, why)) if rule.where_.is_some() => {
            let r = &package.resources[i];
            format!(
                "; left out by the rule's `where`: {} {}{why}{}",
                r.kind, r.name, selection.left_out
            )
        }
        _ => selection.left_out.clone(),
    };
    if !package.objects_known() {
        // Absence proves nothing when the objects are not carried, for a
        // rule that wants them (fail) or wants none (pass) alike.
        return finding(
            rule,
            Status::Unknown,
            format!("unknown: no {what} to check; {UNKNOWN_WHY}"),
            vec![],
        );
    }
    match rule.when_empty {
        WhenEmpty::Pass => finding(
            rule,
            Status::Pass,
            format!("no {what} found, as required{left_out}"),
            vec![],
        ),
        WhenEmpty::Fail => finding(
            rule,
            Status::Fail,
            rule.spec
                .message
                .clone()
                .unwrap_or_else(|| format!("no {what} found"))
                + &left_out,
            // An object left out for a reason `where` gave is evidenced
            // where the reason lies (an autoscaler aimed at nothing).
            selection
                .first_why
                .iter()
                .map(|(i, why)| {
                    let r = &package.resources[*i];
                    evidence(r, &locations(rule), Some(why.clone()))
                })
                .collect(),
        ),
        WhenEmpty::NotApplicable => finding(
            rule,
            Status::NotApplicable,
            format!("no {what} to check{left_out}"),
            vec![],
        ),
    }
}

/// What `expect` said of the judged objects, each with its evidence.
#[derive(Default)]
struct Judgement {
    met: Vec<Evidence>,
    /// What each met object met the rule with, when its `note` said.
    met_notes: Vec<String>,
    not_met: Vec<Evidence>,
    /// Why each object in `not_met` failed, when its expression said: kept
    /// apart from the evidence's note, which may instead say where the
    /// evidence comes from (a CRD's fields read from the CSV, a placeholder).
    not_met_why: Vec<Option<String>>,
    errors: Vec<Evidence>,
}

impl Judgement {
    /// A met object's evidence, with what it met the rule with (`note`)
    /// before what the evidence says of its source (a CRD's fields read
    /// from the CSV, a placeholder); an error computing the note is the
    /// object's error.
    fn record_met(
        &mut self,
        rule: &Rule,
        package: &Package,
        locate: &[&str],
        r: &Resource,
        scope: &Context,
    ) {
        match met_note(rule, scope) {
            Ok(note) => {
                self.met_notes.extend(note.clone());
                let mut found = object_evidence(package, r, locate, None);
                if let Some(met) = note {
                    found.note = Some(match found.note.take() {
                        Some(source) => format!("{met} ({source})"),
                        None => met,
                    });
                }
                self.met.push(found);
            }
            Err(e) => self
                .errors
                .push(object_evidence(package, r, locate, Some(e))),
        }
    }
}

/// Runs `expect` on each judged object, on the rendering it is judged on.
/// The first alternative of `locate` present in an object is its evidence,
/// a place in the object or in a package file (`@release-config:
/// catalog_templates`: a bundle's upgrade edge declared beside its CSV).
fn judge(
    rule: &Rule,
    package: &Package,
    bound: &Bound,
    root: &Context,
    selection: &Selection,
) -> Judgement {
    let locate = locations(rule);
    let locate: Vec<&str> = locate.iter().map(String::as_str).collect();
    let mut judgement = Judgement::default();
    for &i in &selection.judged {
        let alt = selection
            .rendering
            .get(&i)
            .map(|&a| &package.resources[i].renderings[a]);
        let r = alt.unwrap_or(&package.resources[i]);
        let scope = match alt {
            Some(alt) => rendering_scope(root, alt),
            None => first_scope(root, bound, i),
        };
        let outcome = match &rule.expect {
            None => Outcome::Met,
            Some(expect) => run(expect, &scope),
        };
        match outcome {
            Outcome::Met => judgement.record_met(rule, package, &locate, r, &scope),
            Outcome::NotMet(note) => {
                let named = named_first(&locate, note.as_deref());
                judgement
                    .not_met
                    .push(object_evidence(package, r, &named, note.clone()));
                judgement.not_met_why.push(note);
                // Where the fault is, in another object the facts name.
                judgement.not_met.extend(also_located(rule, r));
            }
            Outcome::Error(e) => {
                judgement
                    .errors
                    .push(object_evidence(package, r, &locate, Some(e)))
            }
        }
    }
    // Nothing met on the objects' first renderings: a rule that looks for
    // one object with a property also reads their other renderings (a chart
    // profile that switches an opt-in value on), so a capability a
    // documented value enables is seen, and said to be opt-in. Rules that
    // want every object (`all`) or none (`none`) to hold keep judging the
    // first rendering (or the one their `where` picks): a toggle must not
    // hide what the defaults render.
    if let (Quantifier::Exists, false, true, true, Some(expect)) = (
        rule.spec.quantifier,
        rule.spec.renderings == Renderings::ChartValues,
        judgement.met.is_empty(),
        judgement.errors.is_empty(),
        &rule.expect,
    ) {
        for &i in &selection.judged {
            for alt in &package.resources[i].renderings {
                let scope = rendering_scope(root, alt);
                if !wanted(rule, &scope) {
                    continue;
                }
                if let Outcome::Met = run(expect, &scope) {
                    judgement.record_met(rule, package, &locate, alt, &scope);
                    break;
                }
            }
        }
    }
    judgement
}

/// The rule's finding from what its objects said, by its quantifier:
/// `exists` passes on one met object, `all` on none not met, `none` on none
/// met; an error on any object is the finding's.
fn conclude(rule: &Rule, judgement: Judgement, left_out: &str) -> Finding {
    let Judgement {
        met,
        met_notes,
        not_met,
        not_met_why,
        errors,
    } = judgement;
    if !errors.is_empty() {
        let n = errors.len();
        return finding(
            rule,
            Status::Error,
            format!("expect could not be evaluated on {n} object(s)"),
            errors,
        );
    }
    let fail = |evidence: Vec<Evidence>, why: &[Option<String>]| {
        // A rule that failed on one object whose expression said why says
        // that: it names the object and what it lacks, where the rule's
        // own message speaks of every selected object at once. So does one
        // whose objects all said the same why (a package-wide judgement
        // evidenced by each object it read).
        let single_note = match why {
            [Some(first), rest @ ..] if rest.iter().all(|w| w.as_ref() == Some(first)) => {
                Some(first.clone())
            }
            _ => None,
        };
        let msg = single_note.unwrap_or_else(|| fail_message(rule)) + left_out;
        finding(rule, Status::Fail, msg, evidence)
    };
    let pass = |evidence: Vec<Evidence>, notes: &[String]| {
        // Evidence seen only under an opt-in profile says so: the capability
        // exists but is off by default. Not for a rule that passes because
        // nothing bad was found (`none`): its evidence is what was checked,
        // and "opt-in" would say the good state is off by default.
        let opt_in = rule.spec.quantifier != Quantifier::None
            && !evidence.is_empty()
            && evidence
                .iter()
                .all(|e| e.profile.as_deref().is_some_and(|p| p != "defaults"));
        let mut msg = if opt_in {
            let profile = evidence[0].profile.clone().unwrap_or_default();
            format!(
                "{} (opt-in: seen with the {profile} profile)",
                rule.spec.title
            )
        } else {
            rule.spec.title.clone()
        };
        // What the objects met the rule with (`note`), named in the message.
        msg.push_str(&met_with(notes));
        msg.push_str(left_out);
        finding(rule, Status::Pass, msg, evidence)
    };
    match rule.spec.quantifier {
        Quantifier::Exists if !met.is_empty() => pass(met, &met_notes),
        Quantifier::Exists => fail(not_met, &not_met_why),
        Quantifier::All if not_met.is_empty() => pass(met, &met_notes),
        Quantifier::All => fail(not_met, &not_met_why),
        Quantifier::None if met.is_empty() && rule.expect.is_some() => pass(not_met, &[]),
        Quantifier::None => fail(met, &[]),
    }
}

/// Which rendering of an object the chart's own values give (its
/// `defaults` or a `ci/` value set's, any profile but the synthetic
/// `features-on`): `Some(None)` its first (an object read from a file has
/// no profile and is always there), `Some(Some(a))` its other rendering
/// `a`, `None` when only `features-on` renders it.
fn chart_values_rendering(r: &Resource) -> Option<Option<usize>> {
    let own = |profiles: &[String], first: Option<&str>| {
        profiles.iter().any(|p| p != FEATURES_ON)
            || profiles.is_empty() && first.is_none_or(|p| p != FEATURES_ON)
    };
    if own(&r.profiles, r.origin.profile.as_deref()) {
        return Some(None);
    }
    r.renderings
        .iter()
        .position(|alt| own(&alt.profiles, alt.origin.profile.as_deref()))
        .map(Some)
}

/// Most opt-in objects a defaults rule's message names.
const OPT_IN_NAMED: usize = 3;

/// What a rule that judges the defaults' rendering left out and would have
/// judged otherwise: the selected objects only an opt-in profile renders
/// that would change its outcome (an `all` rule's object not meeting
/// `expect`, an `exists` or `none` rule's meeting it), named, as a clause
/// to append to the message; empty when none.
fn opt_in_note(
    rule: &Rule,
    package: &Package,
    bound: &Bound,
    root: &Context,
    opt_in: &[usize],
) -> String {
    let Some(expect) = &rule.expect else {
        return String::new();
    };
    let want_met = rule.spec.quantifier != Quantifier::All;
    let named: Vec<String> = opt_in
        .iter()
        .filter(|&&i| {
            let met = match run(expect, &first_scope(root, bound, i)) {
                Outcome::Met => true,
                Outcome::NotMet(_) => false,
                Outcome::Error(_) => return false,
            };
            met == want_met
        })
        .map(|&i| {
            let r = &package.resources[i];
            format!("{} {}", r.kind, r.name)
        })
        .collect();
    if named.is_empty() {
        return String::new();
    }
    let more = match named.len().saturating_sub(OPT_IN_NAMED) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let verdict = if want_met {
        "would meet it"
    } else {
        "would not meet it"
    };
    format!(
        "; not judged, rendered only with every opt-in value on ({FEATURES_ON}): {}{more} {verdict}",
        named[..named.len().min(OPT_IN_NAMED)].join(", ")
    )
}

/// The place in another object that the rule's `also-locate` fact of a
/// failing object holds (`{file, line, kind, name}`, and a `note`), if any.
fn also_located(rule: &Rule, r: &Resource) -> Option<Evidence> {
    let path = rule.spec.also_locate.as_deref()?;
    let place = path.split('.').try_fold(&r.facts, |v, key| v.get(key))?;
    let text = |key: &str| place.get(key).and_then(serde_json::Value::as_str);
    Some(Evidence {
        file: text("file")?.to_string(),
        line: u32::try_from(place.get("line")?.as_u64()?).ok()?,
        kind: text("kind").unwrap_or_default().to_string(),
        name: text("name").unwrap_or_default().to_string(),
        embedded: None,
        note: text("note").map(str::to_string),
        profile: None,
    })
}

/// The scope a rule's programs judge selected object `i` in: its first
/// rendering's `object` and `facts`, bound once per package.
fn first_scope<'a>(root: &'a Context<'_, 'a>, bound: &'a Bound, i: usize) -> Context<'a, 'a> {
    let mut scope = root.new_inner_scope();
    scope.add_variable_as_val("object", bound.objects[i].clone_as_boxed());
    scope.add_variable_as_val("facts", bound.facts[i].clone_as_boxed());
    scope
}

/// The scope a rule's programs judge another rendering of an object in (a
/// chart profile's that differs from the first).
fn rendering_scope<'a>(root: &'a Context<'_, 'a>, alt: &'a Resource) -> Context<'a, 'a> {
    let mut scope = root.new_inner_scope();
    scope.add_variable_as_val("object", from_node(&alt.node));
    scope.add_variable_as_val("facts", from_json(&alt.facts));
    scope
}

/// What an object that met `expect` met it with: the rule's `note`
/// evaluated in the scope `expect` met (`object` and `facts` of that object
/// or of its other rendering), `None` without one or when it says nothing.
/// An evaluation error is the object's error, as `expect`'s would be, on a
/// first rendering and another alike.
fn met_note(rule: &Rule, scope: &Context) -> Result<Option<String>, String> {
    match &rule.note {
        Some(program) => note_of(program, scope),
        None => Ok(None),
    }
}

/// A `note` program's result: a non-empty string, or nothing (an empty
/// string, a missing key). Anything else is an error.
fn note_of(program: &Program, ctx: &Context) -> Result<Option<String>, String> {
    match program.execute(ctx) {
        Ok(Value::String(s)) if s.is_empty() => Ok(None),
        Ok(Value::String(s)) => Ok(Some(s.to_string())),
        Ok(other) => Err(format!("note returned {other:?}, not a string")),
        Err(ExecutionError::NoSuchKey(_)) => Ok(None),
        Err(e) => Err(format!("note could not be evaluated: {e}")),
    }
}

/// What a pass's objects met the rule with (their `note`), as the message
/// names it: ` (a; b; c)`, the first [`NOTES_IN_MESSAGE`] and how many
/// more; empty without notes.
fn met_with(notes: &[String]) -> String {
    if notes.is_empty() {
        return String::new();
    }
    let mut out = notes
        .iter()
        .take(NOTES_IN_MESSAGE)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("; ");
    if notes.len() > NOTES_IN_MESSAGE {
        out.push_str(&format!("; and {} more", notes.len() - NOTES_IN_MESSAGE));
    }
    format!(" ({out})")
}

/// How many evidence notes a pass's message names.
const NOTES_IN_MESSAGE: usize = 3;

fn fail_message(rule: &Rule) -> String {
    rule.spec
        .message
        .clone()
        .unwrap_or_else(|| format!("not met: {}", rule.spec.title))
}

/// The rule's `locate` alternatives, in order.
fn locations(rule: &Rule) -> Vec<String> {
    rule.spec
        .locate
        .as_ref()
        .map(|l| l.to_vec())
        .unwrap_or_default()
}

/// The `locate` alternatives with those the failure's note names first (in
/// their order), then the others: an object that failed on one part
/// (`spec.links has the operator-sdk scaffold placeholder …`) is evidenced
/// at that part when the rule may point there, not at whichever
/// alternative comes first. A place is named when the note holds it as a
/// whole path or the start of a longer one (`spec.provider` in
/// `spec.provider.name is missing`), not inside another word or path.
fn named_first<'a>(locate: &[&'a str], note: Option<&str>) -> Vec<&'a str> {
    let Some(note) = note else {
        return locate.to_vec();
    };
    let names = |place: &str| {
        !place.is_empty()
            && note.match_indices(place).any(|(at, _)| {
                let before = note[..at].chars().next_back();
                let after = note[at + place.len()..].chars().next();
                !before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '@'))
                    && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
    };
    let (named, rest): (Vec<&str>, Vec<&str>) = locate.iter().partition(|p| names(p));
    named.into_iter().chain(rest).collect()
}

/// Evidence for a package-level rule: the first `locate` alternative found —
/// a place in one of the package's source files (`@values:image`), or a path
/// in the CSV (a bundle) or Chart.yaml (a chart); failing all, the CSV or
/// Chart.yaml itself.
///
/// A value of a vendored subchart (`@values:<key>.<path>` found in its
/// values.yaml) is an alternative only when `subchart_values` holds: a
/// rule that failed is not evidenced by what a subchart offers.
fn package_anchor(package: &Package, locate: &[String], subchart_values: bool) -> Vec<Evidence> {
    let csv = package.own_csv();
    let chart_line = |path: &str| {
        package
            .main_node
            .as_ref()
            .and_then(|node| node.path(path))
            .map(|n| n.pos.line.max(1))
    };
    for place in locate {
        if let Some((name, path)) = source_place(place) {
            if let Some(line) = package.sources.get(name).and_then(|s| s.line_of(path)) {
                let file = &package.sources[name].file;
                return vec![file_evidence(file, line)];
            }
            if let Some(found) =
                subchart_values_place(package, name, path).filter(|_| subchart_values)
            {
                return vec![found];
            }
            continue;
        }
        match (csv, &package.main_file) {
            (Some(r), _) if r.node.path(place).is_some() => {
                return vec![evidence(r, &[place.as_str()], None)];
            }
            (None, Some(file)) => {
                if let Some(line) = chart_line(place) {
                    return vec![chart_evidence(package, file, line)];
                }
            }
            _ => {}
        }
    }
    match (csv, &package.main_file) {
        (Some(r), _) => vec![evidence(r, &[] as &[&str], None)],
        (None, Some(file)) => vec![chart_evidence(package, file, 1)],
        (None, None) => Vec::new(),
    }
}

/// How the note of evidence found in a subchart's values.yaml begins.
const SUBCHART_VALUE_NOTE: &str = "a value of the vendored subchart";

/// A `@values:<key>.<rest>` place the parent's values.yaml lacks, found as
/// `<rest>` in the values.yaml of the subchart whose values live under
/// `<key>` (source `values/<key>`; a `*` key stands for any subchart): a
/// value the chart offers through a vendored subchart, noted as the
/// subchart's (set as `<key>.<rest>`).
fn subchart_values_place(package: &Package, name: &str, path: Option<&str>) -> Option<Evidence> {
    let (head, rest) = path?.split_once('.')?;
    if name != "values" {
        return None;
    }
    package
        .sources
        .range("values/".to_string()..)
        .take_while(|(k, _)| k.starts_with("values/"))
        .filter(|(k, _)| head == "*" || k.strip_prefix("values/") == Some(head))
        .find_map(|(k, source)| {
            let line = source.line_of(Some(rest))?;
            let key = k.strip_prefix("values/").unwrap_or(k);
            let mut found = file_evidence(&source.file, line);
            found.note = Some(format!("{SUBCHART_VALUE_NOTE} under `{key}`"));
            Some(found)
        })
}

/// Evidence that is Chart.yaml at `line`.
fn chart_evidence(package: &Package, file: &str, line: u32) -> Evidence {
    Evidence {
        file: file.to_string(),
        line,
        kind: "Chart".into(),
        name: package.name.clone(),
        embedded: None,
        note: None,
        profile: None,
    }
}

/// Evidence that is a place in a package file that holds no object (a
/// chart's values.yaml or README.md, a bundle's metadata/annotations.yaml).
fn file_evidence(file: &str, line: u32) -> Evidence {
    let name = file.rsplit('/').next().unwrap_or(file).to_string();
    Evidence {
        file: file.to_string(),
        line,
        kind: "File".into(),
        name,
        embedded: None,
        note: None,
        profile: None,
    }
}

/// What the evidence of a CRD whose fields come from the CSV says (see
/// [`csv_fields_evidence`]): where the fields are, not why a rule failed.
const CSV_FIELDS_NOTE: &str = "has no schema: its fields are read from the CSV";

/// What the evidence of a placeholder says about where it comes from.
const PLACEHOLDER_NOTE: &str =
    "read from the template's text (`kind:` line): the template failed to render";

/// Evidence for a selected object: the first `locate` alternative present,
/// a path in the object or a place in one of the package's source files
/// (`@name:path`), else the object itself. A rendered object's place is
/// its template's line, whatever path alternatives name (a place in a
/// package file is still tried).
fn object_evidence(
    package: &Package,
    r: &Resource,
    locate: &[&str],
    note: Option<String>,
) -> Evidence {
    if let Some(found) = printer_column_evidence(package, r, locate, &note) {
        return found;
    }
    if locate.iter().any(|p| is_schema_place(p))
        && let Some(found) = csv_fields_evidence(package, r, &note)
    {
        return found;
    }
    for place in locate {
        // A rendered object's own place is its template's line; a place
        // in a package file (`@chart:…`) is still one.
        if r.origin.rendered && !place.starts_with('@') {
            continue;
        }
        let Some(place) = expand_facts(place, &r.facts) else {
            continue;
        };
        let place = place.as_ref();
        if let Some((name, path)) = source_place(place) {
            if let Some(source) = package.sources.get(name)
                && let Some(line) = source.line_of(path)
            {
                let mut found = file_evidence(&source.file, line);
                found.note = note.or_else(|| r.placeholder.then(|| PLACEHOLDER_NOTE.to_string()));
                return found;
            }
        } else if r.node.path(place).is_some() {
            return evidence(r, &[place], note);
        }
    }
    evidence(r, &[] as &[&str], note)
}

/// A `locate` place in one of the package's source files
/// (`@values:image`, `@release-config`): the source's name and the path in
/// it, if any. `None` for a place in the object itself.
fn source_place(place: &str) -> Option<(&str, Option<&str>)> {
    let rest = place.strip_prefix('@')?;
    Some(match rest.split_once(':') {
        Some((name, path)) => (name, Some(path)),
        None => (rest, None),
    })
}

/// A `locate` place in a CRD's schema, where its fields are declared:
/// `spec.validation…` (a v1beta1 CRD's schema) or a version's `schema`
/// (`spec.versions[0].schema.openAPIV3Schema`). `spec.versions` itself is
/// not one: a rule pointing there judges the versions (which is stored,
/// which deprecated), and those are in the CRD's own file whatever source
/// its fields come from. A list naming a schema place beside `spec.versions`
/// (`[spec.validation.openAPIV3Schema, spec.versions]`) is about fields.
fn is_schema_place(place: &str) -> bool {
    if place == "spec.validation" || place.starts_with("spec.validation.") {
        return true;
    }
    place.strip_prefix("spec.versions").is_some_and(|rest| {
        rest.split('.')
            .any(|seg| seg == "schema" || seg.starts_with("schema["))
    })
}

/// A `locate` place among a CRD's printer columns
/// (`spec.additionalPrinterColumns`, a version's
/// `spec.versions[0].additionalPrinterColumns`).
fn is_printer_column_place(place: &str) -> bool {
    place.ends_with("additionalPrinterColumns")
}

/// What the evidence of a CRD whose status is known from its printer
/// columns says (see [`printer_column_evidence`]).
const PRINTER_COLUMNS_NOTE: &str = "declares no status in a schema: its status fields are read from its printer columns (their .status JSONPaths)";

/// The evidence for a CRD whose status is known from its printer columns
/// (`statusSource` `printer-columns`: no schema declares a status and the
/// API server keeps unknown fields, a v1beta1 CRD without validation),
/// when a rule that reads the status names a printer-column place among
/// its `locate` alternatives: those columns in the CRD's own file, where
/// the status fields were read, not its schema or the CSV's alm-examples.
/// Not when the CSV shows a status of the kind too (an example's status, a
/// status descriptor): then the fields may be the CSV's.
fn printer_column_evidence(
    package: &Package,
    r: &Resource,
    locate: &[&str],
    note: &Option<String>,
) -> Option<Evidence> {
    if !r.is_kind("CustomResourceDefinition")
        || r.facts
            .get("statusSource")
            .and_then(serde_json::Value::as_str)
            != Some("printer-columns")
    {
        return None;
    }
    // Where the CSV shows a status too (an example's status of the kind, a
    // status descriptor of its owned entry), the columns are not the only
    // source: the CSV's evidence stays.
    let csv = package.own_csv();
    let kind = r
        .facts
        .get("kind")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let group = r
        .facts
        .get("group")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let example_status = package.facts.get("examples").is_some_and(|examples| {
        crate::load::examples_of_kind(examples, kind, group).any(|e| {
            e.get("status")
                .is_some_and(|s| s.as_object().is_some_and(|m| !m.is_empty()))
        })
    });
    let status_descriptors = csv.is_some_and(|c| {
        c.node
            .path("spec.customresourcedefinitions.owned")
            .and_then(crate::yaml::Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter(|o| {
                o.get("name")
                    .and_then(crate::yaml::Node::scalar_text)
                    .as_deref()
                    == Some(r.name.as_str())
            })
            .any(|o| {
                o.get("statusDescriptors")
                    .and_then(crate::yaml::Node::as_seq)
                    .is_some_and(|d| !d.is_empty())
            })
    });
    if example_status || status_descriptors {
        return None;
    }
    let place = locate
        .iter()
        .filter(|p| is_printer_column_place(p))
        .find(|p| r.node.path(p).is_some())?;
    let note = note
        .clone()
        .unwrap_or_else(|| format!("CRD {} {PRINTER_COLUMNS_NOTE}", r.name));
    Some(evidence(r, &[place], Some(note)))
}

/// The evidence for a CRD whose fields all come from the CSV
/// (`fieldSource` `examples`: it has no structural schema), when a rule
/// points into its schema, which shows none of them: the CSV's
/// `alm-examples` annotation when an example is of the CRD's kind, else the
/// CSV's owned-CRD entries (their descriptors), with a note saying so.
fn csv_fields_evidence(package: &Package, r: &Resource, note: &Option<String>) -> Option<Evidence> {
    if !r.is_kind("CustomResourceDefinition")
        || r.facts
            .get("fieldSource")
            .and_then(serde_json::Value::as_str)
            != Some("examples")
    {
        return None;
    }
    let csv = package.own_csv()?;
    let kind = r.facts.get("kind").and_then(serde_json::Value::as_str)?;
    let group = r.facts.get("group").and_then(serde_json::Value::as_str)?;
    let exemplified = package.facts.get("examples").is_some_and(|examples| {
        crate::load::examples_of_kind(examples, kind, group)
            .next()
            .is_some()
    });
    let (place, from) = if exemplified {
        ("metadata.annotations.alm-examples", "its alm-examples")
    } else {
        (
            "spec.customresourcedefinitions.owned",
            "its owned-CRD descriptors",
        )
    };
    csv.node.path(place)?;
    let note = note
        .clone()
        .unwrap_or_else(|| format!("CRD {} {CSV_FIELDS_NOTE}, {from}", r.name));
    Some(evidence(csv, &[place], Some(note)))
}

/// A `locate` path with `{fact}` in it (`spec.template.spec.containers{operatorContainer}`)
/// names a list item by an index among the object's facts: `{fact}` becomes
/// `[N]`. `None` when the object has no such number, so the next
/// alternative is tried.
fn expand_facts<'a>(
    place: &'a str,
    facts: &serde_json::Value,
) -> Option<std::borrow::Cow<'a, str>> {
    let Some((before, rest)) = place.split_once('{') else {
        return Some(std::borrow::Cow::Borrowed(place));
    };
    let (name, after) = rest.split_once('}')?;
    let index = facts.get(name)?.as_u64()?;
    let expanded = format!("{before}[{index}]{after}");
    Some(std::borrow::Cow::Owned(
        expand_facts(&expanded, facts)?.into_owned(),
    ))
}

fn evidence<S: AsRef<str>>(r: &Resource, locate: &[S], note: Option<String>) -> Evidence {
    Evidence {
        file: r.origin.file.clone(),
        line: r.line_of_any(locate),
        kind: r.kind.clone(),
        name: r.name.clone(),
        embedded: r.origin.embedded.clone(),
        note: note.or_else(|| r.placeholder.then(|| PLACEHOLDER_NOTE.to_string())),
        profile: r.origin.profile.clone(),
    }
}

fn run(program: &Program, ctx: &Context) -> Outcome {
    match program.execute(ctx) {
        Ok(Value::Bool(true)) => Outcome::Met,
        Ok(Value::Bool(false)) => Outcome::NotMet(None),
        Ok(Value::String(s)) if s.is_empty() => Outcome::Met,
        Ok(Value::String(s)) => Outcome::NotMet(Some(s.to_string())),
        Ok(other) => Outcome::Error(format!(
            "expression returned {other:?}, not a bool or string"
        )),
        // A missing field is missing evidence, not a broken rule: rules read
        // optional fields everywhere and Kubernetes objects omit them freely.
        Err(ExecutionError::NoSuchKey(_)) => Outcome::NotMet(None),
        // `spec:` with nothing after it is null in YAML: a field of it is
        // as absent as a field of a missing key.
        Err(ExecutionError::NoSuchOverload(o))
            if o.function() == "_._"
                && o.argument_types()
                    .first()
                    .is_some_and(|t| t == "null" || t == "null_type") =>
        {
            Outcome::NotMet(None)
        }
        Err(e) => Outcome::Error(e.to_string()),
    }
}

fn selects(sel: &CompiledSelector, r: &Resource) -> bool {
    if !sel.kinds.is_empty() && !sel.kinds.contains(&r.kind) {
        return false;
    }
    // A selector by kind alone means the well-known kind in its own API
    // groups; one naming apiVersions says which groups it means itself.
    if sel.api_versions.is_empty() && !r.in_own_group() {
        return false;
    }
    if !sel.api_versions.is_empty()
        && !sel.api_versions.iter().any(|v| match v.strip_suffix("/*") {
            Some(group) => r.group() == group,
            None => *v == r.api_version,
        })
    {
        return false;
    }
    if sel.name.as_ref().is_some_and(|re| !re.is_match(&r.name)) {
        return false;
    }
    if sel
        .embedded
        .is_some_and(|e| r.origin.embedded.is_some() != e)
    {
        return false;
    }
    // Only roles carry the `operator` fact; other kinds a selector lists
    // beside them (a shipped VerticalPodAutoscaler) are not filtered.
    let held = r.facts.get("operator").and_then(serde_json::Value::as_bool);
    if let (Some(want), Some(held)) = (sel.held_by_operator, held)
        && want != held
    {
        return false;
    }
    // Only a bundle's Deployments carry `operatorWorkload`.
    let runs = r
        .facts
        .get("operatorWorkload")
        .and_then(serde_json::Value::as_bool);
    if let (Some(want), Some(runs)) = (sel.operator_workload, runs)
        && want != runs
    {
        return false;
    }
    sel.labels.iter().all(|(k, v)| {
        let label = r
            .node
            .path("metadata.labels")
            .and_then(|l| l.get(k))
            .and_then(|n| n.scalar_text());
        match label {
            Some(actual) => v == "*" || *v == actual,
            None => false,
        }
    })
}

fn describe(sel: &CompiledSelector) -> String {
    let kinds = if sel.kinds.is_empty() {
        "matching object".to_string()
    } else {
        sel.kinds.join(" or ")
    };
    let kinds = match sel.operator_workload {
        Some(true) => format!("{kinds} running the operator itself"),
        Some(false) => format!("{kinds} other than the operator's own"),
        None => kinds,
    };
    match sel.held_by_operator {
        Some(true) => format!("{kinds} held by the operator's service accounts"),
        Some(false) => format!("{kinds} held by other service accounts"),
        None => kinds,
    }
}

#[cfg(test)]
mod tests {
    use super::{expand_facts, is_schema_place, named_first};
    use serde_json::json;

    #[test]
    fn a_failure_note_naming_a_place_points_the_evidence_there() {
        let locate = ["spec.maintainers", "spec.links", "spec.provider"];
        let order = |note: Option<&str>| named_first(&locate, note);
        assert_eq!(
            order(Some("spec.links has the placeholder https://x.domain")),
            ["spec.links", "spec.maintainers", "spec.provider"]
        );
        // The start of a longer path names it too.
        assert_eq!(
            order(Some("spec.provider.name is missing")),
            ["spec.provider", "spec.maintainers", "spec.links"]
        );
        // Not inside another word or path, and no note keeps the order.
        assert_eq!(
            order(Some("the spec.linksets and xspec.links lack it")),
            locate
        );
        assert_eq!(order(None), locate);
    }

    #[test]
    fn a_fact_in_braces_names_a_list_index() {
        let facts = json!({"operatorContainer": 1, "name": "x"});
        let expand = |p| expand_facts(p, &facts).map(|c| c.into_owned());
        assert_eq!(
            expand("spec.containers{operatorContainer}.resources").as_deref(),
            Some("spec.containers[1].resources")
        );
        assert_eq!(expand("spec.replicas").as_deref(), Some("spec.replicas"));
        // No such number: the alternative is skipped.
        assert_eq!(expand("spec.containers{missing}"), None);
        assert_eq!(expand("spec.containers{name}"), None);
        assert_eq!(expand("spec.containers{operatorContainer"), None);
    }

    #[test]
    fn only_places_inside_a_schema_are_schema_places() {
        assert!(is_schema_place("spec.validation.openAPIV3Schema"));
        assert!(is_schema_place("spec.validation"));
        assert!(is_schema_place("spec.versions[0].schema.openAPIV3Schema"));
        assert!(is_schema_place("spec.versions.schema"));
        // The versions themselves are in the CRD's own file.
        assert!(!is_schema_place("spec.versions"));
        assert!(!is_schema_place("spec.versions[1].deprecated"));
        assert!(!is_schema_place("spec.conversion"));
    }
}

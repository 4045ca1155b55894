//! Rule documentation: the list (`caplevel rules`), one rule's full text
//! (`caplevel explain`) and the generated reference, docs/rules.md.

use super::Rule;
use crate::finding::Dimension;
use crate::levels::LevelModel;
use crate::phase::Phase;

/// One rule as JSON (the items of `caplevel rules --format json`).
pub fn json(rule: &Rule) -> serde_json::Value {
    serde_json::json!({
        "id": rule.id(),
        "phase": rule.phase(),
        "title": rule.spec.title,
        "weight": rule.spec.weight,
        "dimension": rule.spec.dimension,
        "tags": rule.spec.tags,
        "feeds": feeds(rule),
        "applies-to": rule.spec.applies_to,
        "signal": rule.spec.signal,
        "source": rule.source,
    })
}

/// The rules as a terminal table.
pub fn table(rules: &[&Rule]) -> String {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "id",
        "phase",
        "weight",
        "dimension",
        "feeds",
        "applies to",
        "title",
    ]);
    for r in rules {
        let kinds: Vec<&str> = r.spec.applies_to.iter().map(|k| k.id()).collect();
        table.add_row(vec![
            r.id().to_string(),
            format!("{} {}", r.phase().roman(), r.phase().id()),
            r.spec.weight.to_string(),
            r.spec.dimension.id().to_string(),
            feeds_text(r),
            kinds.join(","),
            r.spec.title.clone(),
        ]);
    }
    format!("{table}\n{} rule(s)\n", rules.len())
}

/// What a rule feeds: the level model's requirements and supporting
/// evidence its tags reach, or `quality score` for a quality rule.
fn feeds(rule: &Rule) -> Vec<String> {
    match rule.spec.dimension {
        Dimension::Quality => vec!["quality score".into()],
        Dimension::Capability => LevelModel::builtin().feeds(&rule.spec.tags),
    }
}

fn feeds_text(rule: &Rule) -> String {
    let f = feeds(rule);
    if f.is_empty() {
        "coverage only".into()
    } else {
        f.join(", ")
    }
}

/// One rule's full documentation, as `caplevel explain` prints it.
pub fn explain(rule: &Rule) -> String {
    let s = &rule.spec;
    let kinds: Vec<&str> = s.applies_to.iter().map(|k| k.id()).collect();
    let mut out = format!(
        "{id}\n{underline}\n{title}\n\nphase:      {roman} {phase}\nweight:     {weight}\ndimension:  {dimension}\nfeeds:      {feeds}\napplies to: {kinds}\n",
        id = s.id,
        underline = "=".repeat(s.id.len()),
        title = s.title,
        roman = s.phase.roman(),
        phase = s.phase.id(),
        weight = s.weight,
        dimension = s.dimension.id(),
        feeds = feeds_text(rule),
        kinds = kinds.join(", "),
    );
    if let Some(signal) = &s.signal {
        out.push_str(&format!("signal:     {signal}\n"));
    }
    out.push_str(&format!("source:     {}:{}\n", rule.source, rule.line));
    out.push_str(&format!(
        "\nWhy\n---\n{}\n\nHow to fix\n----------\n{}\n",
        s.rationale.trim(),
        s.remediation.trim()
    ));
    out.push_str(&format!("\nCheck\n-----\n{}\n", check_text(rule)));
    if !s.references.is_empty() {
        out.push_str("\nReferences\n----------\n");
        for r in &s.references {
            out.push_str(&format!("- {r}\n"));
        }
    }
    out
}

fn check_text(rule: &Rule) -> String {
    let s = &rule.spec;
    let mut lines = Vec::new();
    if let Some(cond) = &s.applies_when {
        lines.push(format!("applies when: {}", cond.value.trim()));
    }
    if let Some(sel) = &s.select {
        let mut parts = Vec::new();
        if let Some(k) = &sel.kind {
            parts.push(format!("kind {}", k.to_vec().join(" | ")));
        }
        if let Some(v) = &sel.api_version {
            parts.push(format!("apiVersion {}", v.to_vec().join(" | ")));
        }
        if let Some(n) = &sel.name {
            parts.push(format!("name ~ {n}"));
        }
        for (k, v) in &sel.labels {
            parts.push(format!("label {k}={v}"));
        }
        if let Some(e) = sel.embedded {
            parts.push(if e {
                "taken from the CSV".into()
            } else {
                "shipped as files".into()
            });
        }
        lines.push(format!("select: {}", parts.join(", ")));
        lines.push(format!("quantifier: {:?}", s.quantifier).to_lowercase());
    }
    if let Some(e) = &s.expect {
        lines.push(format!("expect: {}", e.value.trim()));
    }
    lines.join("\n")
}

/// The rule reference in Markdown (docs/rules.md), grouped by phase, then
/// the named patterns the rules read.
pub fn markdown(rules: &[&Rule]) -> String {
    let mut out = String::from(
        "# Rule reference\n\nGenerated from the rule files by `caplevel rules --format markdown`; do not edit by hand\n(a test keeps it current). See [writing-rules.md](writing-rules.md) for the format.\n",
    );
    for phase in Phase::ALL {
        let in_phase: Vec<&&Rule> = rules.iter().filter(|r| r.phase() == phase).collect();
        if in_phase.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {} {} ({})\n\n",
            phase.roman(),
            phase.title(),
            phase.id()
        ));
        out.push_str(
            "| rule | weight | dimension | feeds | applies to | checks |\n|---|---:|---|---|---|---|\n",
        );
        for r in &in_phase {
            let kinds: Vec<&str> = r.spec.applies_to.iter().map(|k| k.id()).collect();
            out.push_str(&format!(
                "| [`{id}`](#{id}) | {} | {} | {} | {} | {} |\n",
                r.spec.weight,
                r.spec.dimension.id(),
                feeds_text(r),
                kinds.join(", "),
                r.spec.title,
                id = r.id()
            ));
        }
        for r in in_phase {
            let s = &r.spec;
            out.push_str(&format!("\n### {}\n\n{}\n\n", s.id, s.title));
            let signal = s
                .signal
                .as_deref()
                .map(|x| format!(" · signal {x}"))
                .unwrap_or_default();
            let tags = if s.tags.is_empty() {
                String::new()
            } else {
                format!(" · tags {}", s.tags.join(", "))
            };
            out.push_str(&format!(
                "*Phase {} · weight {} · {} · feeds {}{tags}{signal}*\n\n",
                s.phase.roman(),
                s.weight,
                s.dimension.id(),
                feeds_text(r)
            ));
            out.push_str(&format!(
                "**Why.** {}\n\n**How to fix.** {}\n",
                one_line(&s.rationale),
                one_line(&s.remediation)
            ));
            if !s.references.is_empty() {
                let refs: Vec<String> = s.references.iter().map(|r| format!("<{r}>")).collect();
                out.push_str(&format!("\n**References.** {}\n", refs.join(", ")));
            }
        }
    }
    let patterns = super::patterns_of(rules.iter().copied());
    if !patterns.is_empty() {
        out.push_str(
            "\n## Patterns\n\nNamed regular expressions, defined under a rule file's `patterns:`; an expression reads one\nas `patterns.<name>` (`x.matches(patterns.dashboardField)`).\n",
        );
        for p in patterns {
            out.push_str(&format!(
                "\n### `{}`\n\n{}\n\n```text\n{}\n```\n",
                p.name,
                one_line(&p.doc),
                p.pattern
            ));
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

//! The YAML loader on arbitrary bytes: it must return (documents and issues),
//! never panic, hang or grow without bound; and every position it reports
//! must lie inside the input.
#![no_main]

use caplevel::yaml::{Limits, Node, Value, parse_bytes};
use libfuzzer_sys::fuzz_target;

fn check(node: &Node, lines: u32) {
    assert!(node.pos.line <= lines + 1, "position beyond the input");
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| check(n, lines)),
        Value::Map(map) => map.iter().for_each(|(_, n)| check(n, lines)),
        _ => {}
    }
    let _ = node.to_json();
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_file_bytes: 1 << 20, max_depth: 64, max_alias_nodes: 10_000 };
    let parsed = parse_bytes(data, &limits);
    // YAML breaks lines at LF, CRLF and a lone CR.
    let breaks = data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count();
    let lines = breaks as u32 + 1;
    for doc in &parsed.documents {
        check(&doc.root, lines);
    }
});

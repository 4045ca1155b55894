//! The rule-file parser and CEL compiler on arbitrary text: an invalid file
//! is an error with a location, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = caplevel::rules::parse_rule_file("fuzz.yaml", text);
    }
});

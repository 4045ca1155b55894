//! The Helm template engine on arbitrary template text (and values): loading
//! and rendering a chart must end with rendered documents or diagnostics,
//! never a panic, a hang or unbounded memory.
#![no_main]

use caplevel::helm::{ChartLimits, RenderOptions, load_archive_bytes, render};
use libfuzzer_sys::fuzz_target;

fn archive(template: &[u8], values: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for (name, data) in [
        ("fuzz/Chart.yaml", &b"apiVersion: v2\nname: fuzz\nversion: 0.1.0\n"[..]),
        ("fuzz/values.yaml", values),
        ("fuzz/templates/_helpers.tpl", &b"{{- define \"fuzz.name\" -}}{{ .Chart.Name }}{{- end -}}\n"[..]),
        ("fuzz/templates/fuzz.yaml", template),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        let _ = builder.append_data(&mut header, name, data);
    }
    builder.into_inner().and_then(|gz| gz.finish()).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    // The input is a template, optionally followed by values after a NUL.
    let (template, values) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"replicaCount: 1\nimage: {repository: nginx}\n"[..]),
    };
    let chart = load_archive_bytes(&archive(template, values), &ChartLimits::default());
    let _ = render(&chart, &RenderOptions::default());
});

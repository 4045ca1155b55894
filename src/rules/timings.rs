//! Per-rule evaluation time, for rule authors (`caplevel analyze --timings`).
//! Off by default; when on, each rule's total time over the run is summed.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static ENABLED: AtomicBool = AtomicBool::new(false);
static TOTALS: Mutex<BTreeMap<String, (Duration, u64)>> = Mutex::new(BTreeMap::new());

/// Turns timing on for the rest of the process.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether timing is on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Adds one evaluation of a rule.
pub fn record(rule: &str, elapsed: Duration) {
    if let Ok(mut totals) = TOTALS.lock() {
        let entry = totals.entry(rule.to_string()).or_default();
        entry.0 += elapsed;
        entry.1 += 1;
    }
}

/// Every rule's (total time, evaluations), slowest first.
pub fn report() -> Vec<(String, Duration, u64)> {
    let mut rows: Vec<(String, Duration, u64)> = TOTALS
        .lock()
        .map(|t| t.iter().map(|(k, (d, n))| (k.clone(), *d, *n)).collect())
        .unwrap_or_default();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

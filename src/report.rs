//! Output files: atomic writes (temporary name, then rename), the
//! `summary.json` document and the markdown report.

use crate::error::{Error, Result};
use crate::record::{Record, Status, SUMMARY_SCHEMA_VERSION};
use serde_json::{json, Value};
use std::path::Path;

/// Crate version written into every output.
pub const CRATE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Writes `bytes` to `path` atomically: a sibling temporary file, then a
/// rename, so that an interrupted run never leaves a truncated file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        use std::io::Write;
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

/// Pretty JSON with a trailing newline.
pub fn to_json_bytes(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values always serialize");
    s.push('\n');
    s.into_bytes()
}

/// The `summary.json` document.
pub fn summary(records: &[Record]) -> Value {
    json!({
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "crate_version": CRATE_VERSION,
        "records": records,
    })
}

/// The markdown report: a table of statements and verdicts, then one
/// section per statement with its checks.
pub fn markdown(records: &[Record], quick: bool) -> String {
    let mut s = String::new();
    s.push_str("# transport-langevin audit report\n\n");
    s.push_str(&format!(
        "crate version {CRATE_VERSION}; mode: {}. Statements as restated in STATEMENTS.md; errata in `paper/errata.md`.\n\n",
        if quick { "quick" } else { "full" }
    ));
    s.push_str("| ID | title | verdict | checks passed |\n|---|---|---|---|\n");
    for r in records {
        let passed = r.checks.iter().filter(|c| c.passed).count();
        s.push_str(&format!(
            "| {} | {} | {} | {}/{} |\n",
            r.id,
            r.title,
            r.status.as_str(),
            passed,
            r.checks.len()
        ));
    }
    for r in records {
        s.push_str(&format!("\n## {} — {}\n\nVerdict: **{}**.\n\n", r.id, r.title, r.status.as_str()));
        if !r.notes.is_empty() {
            s.push_str(&format!("{}\n\n", r.notes));
        }
        if r.status == Status::NotYetImplemented {
            continue;
        }
        if !r.checks.is_empty() {
            s.push_str("| check | theoretical | empirical | stderr | ratio | tolerance | false-failure prob. | passed |\n|---|---|---|---|---|---|---|---|\n");
            for c in &r.checks {
                s.push_str(&format!(
                    "| {} | {:.6e} | {:.6e} | {:.2e} | {:.4} | {:.2e} | {:.1e} | {} |\n",
                    c.name, c.theoretical, c.empirical, c.stderr, c.ratio, c.tolerance, c.false_failure_prob, c.passed
                ));
            }
            s.push('\n');
        }
        s.push_str(&format!("Parameters: `{}`\n", r.parameters));
        for e in r.evidence.iter().filter(|e| e.ends_with(".svg")) {
            s.push_str(&format!("\n![{}]({e})\n", r.id));
        }
        let data: Vec<String> = r
            .evidence
            .iter()
            .filter(|e| !e.ends_with(".svg"))
            .map(|e| format!("[`{e}`]({e})"))
            .collect();
        if !data.is_empty() {
            s.push_str(&format!("\nData: {}\n", data.join(", ")));
        }
    }
    s
}

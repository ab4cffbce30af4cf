//! Call overhead: runs the `calls` bench of the integration tests (`tests/benches/calls.rs`: a
//! generated call against the same request written with plain reqwest, alternating, against a
//! loopback server) in release mode and keeps its table for the report.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::last_lines;
use crate::scratch::cargo;

/// What the calls bench printed.
pub struct Calls {
    /// Its Markdown table, whole.
    pub table: String,
    /// Generated over plain, per row of the table.
    pub ratios: Vec<f64>,
    /// The line giving the size of each side's call future, if the bench printed it.
    pub future_sizes: Option<String>,
}

/// Builds and runs the bench.
pub fn run(root: &Path) -> Result<Calls> {
    println!("\n== call overhead (cargo bench -p integration-tests --bench calls)");
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["bench", "--quiet", "-p", "integration-tests", "--bench", "calls"])
        .output()
        .context("running cargo bench")?;
    if !output.status.success() {
        bail!("the calls bench failed: {}", last_lines(&output.stderr, 5));
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    print!("{text}");
    Ok(parse(&text))
}

/// The table's lines (those starting with `|`), the ratio column of its rows, and the line on
/// the futures' sizes.
fn parse(text: &str) -> Calls {
    let table: Vec<&str> = text.lines().filter(|line| line.starts_with('|')).collect();
    let ratios =
        table.iter().filter_map(|row| row.split('|').nth(4)?.trim().strip_suffix('×')?.parse::<f64>().ok()).collect();
    let future_sizes = text.lines().find(|line| line.starts_with("A call's future")).map(str::to_owned);
    Calls { table: table.join("\n"), ratios, future_sizes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_read_from_the_table() {
        let text = "intro\n| calls | a | b | ratio | allocs |\n|---|--:|--:|--:|--:|\n\
                    | one at a time | 80.0 µs | 78.0 µs | 1.026× | 90 / 70 |\n\
                    | 64 in flight | 20.0 µs | 19.0 µs | 1.053× | 91 / 70 |\n\n\
                    A call's future, as `.await` runs it: 872 bytes generated, 760 bytes plain.\n";
        let calls = parse(text);
        assert_eq!(calls.ratios, [1.026, 1.053]);
        assert_eq!(calls.table.lines().count(), 4);
        assert_eq!(
            calls.future_sizes.unwrap(),
            "A call's future, as `.await` runs it: 872 bytes generated, 760 bytes plain."
        );
        assert_eq!(parse("| a | b |\n").future_sizes, None);
    }
}

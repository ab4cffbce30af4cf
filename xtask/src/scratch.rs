//! Throwaway cargo workspaces of generated crates, shared by `corpus` (`.corpus/crates`) and
//! `bench` (`.bench/crates`): crate-name fragments, the code-less twin that builds a crate's
//! dependencies before anything is timed, and the workspace manifest with the workspace's lock
//! file.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::fsutil::write_atomic;

/// `stripe.com` → `stripe-com`: a crate-name fragment.
pub fn slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// `Cargo.toml` of the twin that builds a crate's dependencies: the same manifest with the
/// package renamed.
pub fn twin_manifest(manifest: &str, name: &str) -> Result<String> {
    let mut out = String::with_capacity(manifest.len());
    let mut section = "";
    let mut renamed = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed;
        }
        if section == "[package]" && !renamed && trimmed.starts_with("name") && trimmed.contains('=') {
            let _ = writeln!(out, "name = \"{name}\"");
            renamed = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !renamed {
        bail!("no [package] name in the manifest");
    }
    Ok(out)
}

/// Writes a crate with `manifest` and an empty `lib.rs` into `dir`: a twin, whose build leaves
/// only the generated crate's own code to time.
pub fn write_code_less_crate(dir: &Path, manifest: &str) -> Result<()> {
    write_atomic(&dir.join("Cargo.toml"), manifest)?;
    write_atomic(&dir.join("src").join("lib.rs"), "")
}

/// Makes `dir` a workspace of `members`, with a copy of the workspace's lock file, which pins the
/// generated crates' dependencies to what the workspace tests.
pub fn write_workspace(root: &Path, dir: &Path, members: &[String]) -> Result<()> {
    let list: Vec<String> = members.iter().map(|name| format!("\"{name}\"")).collect();
    write_atomic(
        &dir.join("Cargo.toml"),
        &format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", list.join(", ")),
    )?;
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).context("copying Cargo.lock")?;
    Ok(())
}

/// The cargo that runs xtask (`$CARGO`), else the one on `PATH`.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_twin_manifest_only_renames_the_package() {
        let manifest = "# @generated\n[package]\nname = \"ours-truedy\"\nversion = \"1.0.0\"\n\n[dependencies]\nname = \"x\"\nserde = \"1\"\n";
        assert_eq!(
            twin_manifest(manifest, "ours-truedy-deps").unwrap(),
            "# @generated\n[package]\nname = \"ours-truedy-deps\"\nversion = \"1.0.0\"\n\n[dependencies]\nname = \"x\"\nserde = \"1\"\n"
        );
        assert!(twin_manifest("[dependencies]\nname = \"x\"\n", "t").is_err());
    }

    #[test]
    fn slugs_are_crate_name_fragments() {
        assert_eq!(slug("microsoft.com/graph-beta"), "microsoft-com-graph-beta");
        assert_eq!(slug("1Password.local"), "1password-local");
    }

    #[test]
    fn the_workspace_lists_its_members_and_copies_the_lock_file() {
        let base = std::env::temp_dir().join(format!("xtask-scratch-{}", std::process::id()));
        let (root, dir) = (base.join("root"), base.join("crates"));
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join("Cargo.lock"), "# lock\n").unwrap();
        write_workspace(&root, &dir, &["a".to_owned(), "a-deps".to_owned()]).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("Cargo.toml")).unwrap(),
            "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"a-deps\"]\n"
        );
        assert_eq!(fs::read_to_string(dir.join("Cargo.lock")).unwrap(), "# lock\n");
        fs::remove_dir_all(&base).unwrap();
    }
}

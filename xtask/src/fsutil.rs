//! File helpers: the workspace root, listing a crate's files, and atomic writes.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Every file below `dir`, as `/`-separated paths relative to it, sorted. Missing `dir`: empty.
pub fn list_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if dir.exists() {
        collect(dir, dir, &mut out)?;
    }
    out.sort();
    Ok(out)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            let parts: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// Writes every `(path, contents)`: first each to a temporary file beside its target, then, once
/// all are written, renames them into place. If any temporary file cannot be written, the
/// temporary files are removed and no target is touched.
pub fn write_all_or_nothing(files: &[(PathBuf, &str)]) -> Result<()> {
    let mut temporaries = Vec::with_capacity(files.len());
    let written = files.iter().try_for_each(|(path, contents)| {
        let temporary = temporary_beside(path)?;
        temporaries.push(temporary.clone());
        fs::write(&temporary, contents).with_context(|| format!("writing {}", temporary.display()))
    });
    if let Err(error) = written {
        for temporary in &temporaries {
            let _ = fs::remove_file(temporary);
        }
        return Err(error);
    }
    for ((path, _), temporary) in files.iter().zip(&temporaries) {
        fs::rename(temporary, path).with_context(|| format!("moving {} into place", path.display()))?;
    }
    Ok(())
}

/// A temporary file name in `path`'s folder (created if missing), for a write and a rename.
fn temporary_beside(path: &Path) -> Result<PathBuf> {
    let parent = path.parent().context("file has no parent folder")?;
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let file_name = path.file_name().context("no file name")?.to_string_lossy();
    Ok(parent.join(format!(".{file_name}.tmp{}", std::process::id())))
}

/// Writes `contents` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees a half-written file.
pub fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let temporary = temporary_beside(path)?;
    fs::write(&temporary, contents).with_context(|| format!("writing {}", temporary.display()))?;
    fs::rename(&temporary, path).with_context(|| format!("moving {} into place", path.display()))
}

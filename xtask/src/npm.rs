//! Pinned npm packages installed into ignored folders of the workspace: Prism for the contract
//! tests (`.tools/`), the public spec collections for the corpus and the benchmark (`.corpus/`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// One npm package at an exact version.
#[derive(Clone, Copy, Debug)]
pub struct Package {
    pub name: &'static str,
    pub version: &'static str,
}

impl Package {
    /// Where the package lands below an install prefix.
    pub fn dir(&self, prefix: &Path) -> PathBuf {
        prefix.join("node_modules").join(self.name)
    }
}

/// Installs `packages` into `prefix` with npm unless every one is already there at its pinned
/// version. Returns each package's folder, in order.
pub fn ensure(root: &Path, prefix: &Path, packages: &[Package]) -> Result<Vec<PathBuf>> {
    let installed = |p: &Package| installed_version(&p.dir(prefix).join("package.json")).as_deref() == Some(p.version);
    if !packages.iter().all(installed) {
        let specs: Vec<String> = packages.iter().map(|p| format!("{}@{}", p.name, p.version)).collect();
        println!("installing {} into {}", specs.join(" "), prefix.display());
        fs::create_dir_all(prefix).with_context(|| format!("creating {}", prefix.display()))?;
        let status = Command::new("npm")
            .current_dir(root)
            .arg("install")
            .arg("--prefix")
            .arg(prefix)
            // `--ignore-scripts`: none of our packages needs an install script.
            .args(["--no-audit", "--no-fund", "--save-exact", "--ignore-scripts"])
            .args(&specs)
            .status()
            .context("running npm (Node.js and npm must be on PATH)")?;
        if !status.success() {
            bail!("npm install {} failed ({status})", specs.join(" "));
        }
        if let Some(missing) = packages.iter().find(|p| !installed(p)) {
            bail!("npm did not install {}@{} into {}", missing.name, missing.version, prefix.display());
        }
    }
    Ok(packages.iter().map(|p| p.dir(prefix)).collect())
}

/// The `"version"` of an npm package manifest, read without a JSON parser: npm writes it as
/// `"version": "x.y.z"` on its own line.
pub fn installed_version(manifest: &Path) -> Option<String> {
    let text = fs::read_to_string(manifest).ok()?;
    text.lines().find_map(|line| {
        let value = line.trim().strip_prefix("\"version\":")?.trim().trim_end_matches(',');
        Some(value.trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_npm_version_line() {
        let dir = std::env::temp_dir().join(format!("xtask-npm-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let manifest = dir.join("package.json");
        fs::write(&manifest, "{\n  \"name\": \"@stoplight/prism-cli\",\n  \"version\": \"5.16.0\",\n  \"x\": 1\n}\n")
            .unwrap();
        assert_eq!(installed_version(&manifest).as_deref(), Some("5.16.0"));
        assert_eq!(installed_version(&dir.join("missing.json")), None);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn package_folder_keeps_the_scope() {
        let package = Package { name: "@octokit/openapi", version: "1.0.0" };
        assert_eq!(package.dir(Path::new("p")), Path::new("p/node_modules/@octokit/openapi"));
    }
}

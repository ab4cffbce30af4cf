//! End-to-end tests of the generator live in `integration/`. This library holds no code: it
//! compiles the Rust examples in the workspace README as doc tests, so they cannot drift from
//! the generated clients' API.
#![doc = include_str!("../README.md")]

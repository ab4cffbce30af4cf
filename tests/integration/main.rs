//! Integration tests, one module per area: fixture snapshots and equivalences, the checked-in
//! Truedy and Kathan clients against loopback servers, and out-of-tree compilation.

mod api_changes;
mod compile;
mod contract;
mod fixtures;
mod kathan;
mod multifile;
mod support;
mod truedy;

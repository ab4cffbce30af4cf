//! Shared helpers for the integration tests live in `integration/`; this library is empty.

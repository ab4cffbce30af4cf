//! The IR-to-IR passes that run once every type and operation is lowered: which serde traits
//! each type needs (and with it, which fields are tri-state), which members need a `Box`, and
//! which aliases only lead to one another (they become `serde_json::Value`), and which list
//! operations page and how.
//!
//! **Invariant:** the passes read and change only the IR; they run after lowering has built every
//! type, since both depend on the whole graph of types.

mod aliases;
mod boxing;
mod features;
mod pagination;
mod serde;

pub(super) use aliases::break_alias_cycles;
pub(super) use boxing::box_recursive_fields;
pub(super) use features::tag_features;
pub(super) use pagination::recognise as recognise_pagination;
pub(super) use serde::{finish_presence, serde_directions};

//! The IR-to-IR passes that run once every type and operation is lowered: which serde traits
//! each type needs (and with it, which fields are tri-state), and which members need a `Box`.
//!
//! **Invariant:** the passes read and change only the IR; they run after lowering has built every
//! type, since both depend on the whole graph of types.

mod boxing;
mod serde;

pub(super) use boxing::box_recursive_fields;
pub(super) use serde::{finish_presence, serde_directions};

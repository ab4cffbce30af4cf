//! Parse stage: the normalised JSON tree into the `openapiv3` model, with the JSON pointer of
//! any part that does not fit.

use openapiv3::OpenAPI;
use serde_json::Value;

use crate::diagnostics::{Errors, Sink, pointer_push};

/// Deserialises `value`; an error names the deepest location serde reached.
pub fn parse(file: &str, value: &Value) -> Result<OpenAPI, Errors> {
    serde_path_to_error::deserialize::<_, OpenAPI>(value).map_err(|error| {
        let mut pointer = String::new();
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Map { key } => pointer = pointer_push(&pointer, key),
                serde_path_to_error::Segment::Seq { index } => pointer = pointer_push(&pointer, &index.to_string()),
                serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
            }
        }
        Sink::fatal(file, &pointer, format!("not a valid OpenAPI document here: {}", error.inner()))
    })
}

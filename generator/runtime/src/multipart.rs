//! `multipart/form-data` request bodies: [`FilePart`], the [`MultipartForm`] trait generated
//! form structs implement, and the encoder. Written into a generated crate only when an
//! operation sends a multipart body.

use ::std::fmt;

use ::reqwest::header::HeaderValue;

use super::Request;
use super::request::form_values;

/// A file sent as one part of a `multipart/form-data` body.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct FilePart {
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// The file name sent to the server (default: the field's name).
    pub filename: Option<String>,
    /// The part's `Content-Type` (default: the one the API documents for the
    /// field, else `application/octet-stream`).
    pub content_type: Option<String>,
}

impl FilePart {
    /// A file with these contents.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart { bytes: bytes.into(), filename: None, content_type: None }
    }

    /// Sets [`FilePart::filename`].
    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Sets [`FilePart::content_type`].
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for FilePart {
    /// Shows the size, not the contents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("len", &self.bytes.len())
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A type sent as a `multipart/form-data` body: generated form structs
/// implement it by writing one part per field.
pub trait MultipartForm {
    /// Writes the form's fields into `form`.
    fn write_parts(&self, form: &mut Multipart);
}

/// A `multipart/form-data` body being written (RFC 7578), kept in memory so
/// that it can be resent on retries.
pub struct Multipart {
    boundary: String,
    body: Vec<u8>,
    invalid: Option<String>,
}

impl fmt::Debug for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Multipart").field("len", &self.body.len()).field("invalid", &self.invalid).finish()
    }
}

impl Multipart {
    fn new() -> Self {
        use ::std::hash::BuildHasher;
        // Two fresh random 64-bit values (see `jitter`): a boundary nobody can
        // predict, so file contents cannot contain it by accident or design.
        let random = || ::std::collections::hash_map::RandomState::new().hash_one(0u8);
        Multipart { boundary: format!("{:016x}{:016x}", random(), random()), body: Vec::new(), invalid: None }
    }

    /// Adds a non-file field: strings, numbers and booleans as text parts,
    /// objects as `application/json` parts, one part per item of an array;
    /// absent and null values are left out.
    pub fn field<V: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &V) {
        match ::serde_json::to_value(value) {
            Ok(value) => {
                for (text, json) in form_values(&value) {
                    self.part(name, None, json.then_some("application/json"), text.as_bytes());
                }
            }
            Err(err) => {
                self.invalid.get_or_insert(format!("failed to serialise form field {name:?}: {err}"));
            }
        }
    }

    /// Adds a file part; `default_type` is its content type unless the file
    /// names one.
    pub fn file(&mut self, name: &str, file: &FilePart, default_type: &str) {
        let filename = file.filename.as_deref().unwrap_or(name);
        let content_type = file.content_type.as_deref().unwrap_or(default_type);
        self.part(name, Some(filename), Some(content_type), &file.bytes);
    }

    /// Adds one file part per file (for optional files and file arrays).
    pub fn files<'a>(&mut self, name: &str, files: impl IntoIterator<Item = &'a FilePart>, default_type: &str) {
        for file in files {
            self.file(name, file, default_type);
        }
    }

    fn part(&mut self, name: &str, filename: Option<&str>, content_type: Option<&str>, bytes: &[u8]) {
        if content_type.is_some_and(|value| HeaderValue::from_str(value).is_err()) {
            self.invalid.get_or_insert(format!("invalid content type for form field {name:?}"));
            return;
        }
        // Quotes and line breaks in names are percent-encoded, as browsers do.
        let quoted = |text: &str| text.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A");
        let mut head = format!("--{}\r\nContent-Disposition: form-data; name=\"{}\"", self.boundary, quoted(name));
        if let Some(filename) = filename {
            head.push_str(&format!("; filename=\"{}\"", quoted(filename)));
        }
        if let Some(content_type) = content_type {
            head.push_str(&format!("\r\nContent-Type: {content_type}"));
        }
        head.push_str("\r\n\r\n");
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
    }

    /// The content type (with the boundary) and the body.
    fn finish(mut self) -> Result<(String, Vec<u8>), String> {
        if let Some(reason) = self.invalid {
            return Err(reason);
        }
        self.body.extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        Ok((format!("multipart/form-data; boundary={}", self.boundary), self.body))
    }
}

impl Request {
    /// Encodes `form` as `multipart/form-data` (see [`Multipart`]).
    pub fn multipart<F: MultipartForm + ?Sized>(&mut self, form: &F) {
        let mut multipart = Multipart::new();
        form.write_parts(&mut multipart);
        match multipart.finish() {
            Ok((content_type, bytes)) => self.body(content_type, bytes),
            Err(reason) => self.fail(reason),
        }
    }
}

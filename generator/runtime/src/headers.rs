//! Typed response headers: what the generated `<Op>Headers` structs are read with. A header the
//! response declares is parsed into its type; a missing required header or a value that does not
//! parse is a [`DecodeError::Header`] naming the header (never quoting its value).

use ::std::str::FromStr;

use ::reqwest::header::HeaderMap;

use super::{ApiResponse, DecodeError, Error, ResponseInfo};

/// The header `name` parsed as `T`, or `None` when the response has none.
pub fn header<T: FromStr>(headers: &HeaderMap, name: &'static str) -> Result<Option<T>, DecodeError> {
    let Some(value) = headers.get(name) else { return Ok(None) };
    let malformed = || DecodeError::Header { name, reason: format!("is not a valid {}", short_type_name::<T>()) };
    let text = value.to_str().map_err(|_| malformed())?;
    text.trim().parse().map(Some).map_err(|_| malformed())
}

/// The header `name` parsed as `T`; a response without it is an error.
pub fn required_header<T: FromStr>(headers: &HeaderMap, name: &'static str) -> Result<T, DecodeError> {
    header(headers, name)?.ok_or_else(|| DecodeError::Header { name, reason: "is missing".to_owned() })
}

/// A call's result with its typed headers beside the response: a malformed declared header
/// turns a success into [`Error::Decode`] (with the response's status and headers).
// The error is the one `Core::send` returns, unboxed by design.
#[allow(clippy::result_large_err)]
pub fn with_headers<T, H, E>(
    result: Result<ApiResponse<T>, Error<E>>,
    parse: fn(&HeaderMap) -> Result<H, DecodeError>,
) -> Result<(ApiResponse<T>, H), Error<E>> {
    let response = result?;
    match parse(&response.headers) {
        Ok(headers) => Ok((response, headers)),
        Err(source) => {
            Err(Error::Decode { response: ResponseInfo::new(response.status, response.headers, Vec::new()), source })
        }
    }
}

/// `i64` for `i64`, `String` for `alloc::string::String`.
fn short_type_name<T>() -> &'static str {
    let name = ::std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

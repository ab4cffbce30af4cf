//! Security schemes, secrets and the credentials a client holds: how each is checked when the
//! client is built and applied to a request.

use ::std::fmt;
use ::std::sync::Arc;
use ::std::time::Duration;

use super::BuildError;
use super::oauth2::TokenSource;
use ::reqwest::header::{HeaderName, HeaderValue};

/// How an operation's security requirement is satisfied: one entry of the
/// spec's `components.securitySchemes`.
#[derive(Clone, Copy, Debug)]
pub struct SecurityScheme {
    /// The scheme's name in the spec; operations refer to schemes by it.
    pub name: &'static str,
    /// What kind of credential the scheme takes and where it is sent.
    pub kind: SchemeKind,
}

/// The kind of a [`SecurityScheme`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// HTTP bearer authentication: `Authorization: Bearer <token>`.
    Bearer,
    /// HTTP basic authentication with a username and password.
    Basic,
    /// An API key sent in a header, a query parameter or a cookie.
    ApiKey {
        /// Where the key is sent.
        location: ApiKeyLocation,
        /// The header, query parameter or cookie name.
        name: &'static str,
    },
    /// OAuth 2.0 with a `clientCredentials` flow: a token the caller gives is sent as a bearer
    /// token; a client id and secret are exchanged for one at `token_url`.
    OAuth2 {
        /// The flow's `tokenUrl`.
        token_url: &'static str,
        /// The scopes asked for: those the operations require of this scheme.
        scopes: &'static [&'static str],
    },
}

/// Where an API key is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// In a request header.
    Header,
    /// In a query parameter.
    Query,
    /// In the `Cookie` header.
    Cookie,
}

/// A secret that never appears in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub(super) String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself; do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// A credential as given to [`ClientBuilder`].
#[derive(Clone)]
pub(super) enum Credential {
    /// A bearer token or an API key.
    Token(Secret),
    /// A username and password for HTTP basic authentication.
    Basic { username: Secret, password: Secret },
    /// An OAuth 2.0 client id and secret, exchanged for tokens.
    ClientCredentials { client_id: Secret, client_secret: Secret },
}

/// A credential checked against its scheme and ready to be applied.
#[derive(Clone)]
pub(super) struct ResolvedCredential {
    pub(super) scheme: &'static str,
    pub(super) apply: Apply,
}

/// Where a resolved credential goes in a request.
#[derive(Clone)]
pub(super) enum Apply {
    /// A header with a sensitive value (`Authorization` or an API key header).
    Header(HeaderName, HeaderValue),
    /// A query parameter.
    Query(&'static str, Secret),
    /// A cookie; the value has been checked to contain only cookie octets.
    Cookie(&'static str, Secret),
    /// `Authorization: Bearer` with a token fetched (and refreshed) by the source.
    Token(Arc<TokenSource>),
}

/// Where and how OAuth 2.0 tokens are fetched.
pub(super) struct TokenConfig<'c> {
    /// The caller's token URL, replacing the scheme's.
    pub(super) url: Option<&'c str>,
    /// The caller's scopes, replacing those the operations require.
    pub(super) scopes: Option<&'c [String]>,
    /// The client's base URL, which a relative token URL is resolved against.
    pub(super) base_url: &'c str,
    /// The timeout of a token request.
    pub(super) timeout: Duration,
}

/// Checks a credential against its scheme and prepares it for sending.
pub(super) fn resolve_credential(
    schemes: &'static [SecurityScheme],
    scheme_name: &'static str,
    credential: &Credential,
    token: &TokenConfig<'_>,
) -> Result<ResolvedCredential, BuildError> {
    let scheme = schemes.iter().find(|scheme| scheme.name == scheme_name).ok_or_else(|| BuildError::UnknownScheme {
        scheme: scheme_name.to_owned(),
        known: if schemes.is_empty() {
            "none".to_owned()
        } else {
            schemes.iter().map(|scheme| scheme.name).collect::<Vec<_>>().join(", ")
        },
    })?;
    let invalid = |reason: &'static str| BuildError::InvalidCredential { scheme: scheme_name.to_owned(), reason };
    let sensitive_value = |value: String| {
        let mut value =
            HeaderValue::from_str(&value).map_err(|_| invalid("it contains control characters such as CR or LF"))?;
        value.set_sensitive(true);
        Ok(value)
    };
    let apply = match (scheme.kind, credential) {
        (SchemeKind::Bearer | SchemeKind::OAuth2 { .. }, Credential::Token(token)) => {
            Apply::Header(::reqwest::header::AUTHORIZATION, sensitive_value(format!("Bearer {}", token.expose()))?)
        }
        (SchemeKind::Basic, Credential::Basic { username, password }) => {
            if username.expose().contains(':') {
                return Err(invalid("the username contains ':'"));
            }
            let pair = format!("{}:{}", username.expose(), password.expose());
            Apply::Header(
                ::reqwest::header::AUTHORIZATION,
                sensitive_value(format!(
                    "Basic {}",
                    ::base64::Engine::encode(&::base64::engine::general_purpose::STANDARD, pair)
                ))?,
            )
        }
        (SchemeKind::ApiKey { location, name }, Credential::Token(key)) => match location {
            ApiKeyLocation::Header => {
                let header = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| invalid("the scheme's header name is not a valid header name"))?;
                Apply::Header(header, sensitive_value(key.expose().to_owned())?)
            }
            ApiKeyLocation::Query => Apply::Query(name, key.clone()),
            ApiKeyLocation::Cookie => {
                if !is_cookie_name(name) {
                    return Err(invalid("the scheme's cookie name is not a valid cookie name"));
                }
                if !key.expose().bytes().all(is_cookie_octet) {
                    return Err(invalid(
                        "a cookie value may not contain spaces, quotes, commas, semicolons, backslashes or control characters",
                    ));
                }
                Apply::Cookie(name, key.clone())
            }
        },
        (SchemeKind::OAuth2 { token_url, scopes }, Credential::ClientCredentials { client_id, client_secret }) => {
            let url = token.url.unwrap_or(token_url);
            let url = match ::reqwest::Url::parse(url) {
                Ok(url) => url,
                Err(_) => ::reqwest::Url::parse(&format!("{}/", token.base_url))
                    .and_then(|base| base.join(url.trim_start_matches('/')))
                    .map_err(|_| invalid("the token url is not a url"))?,
            };
            let scopes = match token.scopes {
                Some(chosen) => chosen.to_vec(),
                None => scopes.iter().map(|scope| (*scope).to_owned()).collect(),
            };
            Apply::Token(Arc::new(TokenSource::new(
                url,
                scopes,
                client_id.clone(),
                client_secret.clone(),
                token.timeout,
            )))
        }
        (_, Credential::ClientCredentials { .. }) => {
            return Err(BuildError::WrongCredentialKind {
                scheme: scheme_name.to_owned(),
                expected: "a credential of its own kind (client credentials are for oauth2 schemes)",
            });
        }
        (SchemeKind::Basic, Credential::Token(_)) => {
            return Err(BuildError::WrongCredentialKind {
                scheme: scheme_name.to_owned(),
                expected: "a username and password (use basic_credential)",
            });
        }
        (_, Credential::Basic { .. }) => {
            return Err(BuildError::WrongCredentialKind {
                scheme: scheme_name.to_owned(),
                expected: "a single token or key (use credential)",
            });
        }
    };
    Ok(ResolvedCredential { scheme: scheme_name, apply })
}

/// RFC 6265 `cookie-octet`.
fn is_cookie_octet(byte: u8) -> bool {
    matches!(byte, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

/// RFC 7230 `token`, as required for cookie names.
pub(super) fn is_cookie_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// Describes security alternatives for [`Error::MissingCredentials`], e.g.
/// `bearer or (api_key and basic)`.
pub(super) fn describe_security(security: &[&[&str]]) -> String {
    let several = security.len() > 1;
    security
        .iter()
        .map(|set| match set.len() {
            0 => "no credentials".to_owned(),
            1 => set.join(""),
            _ if several => format!("({})", set.join(" and ")),
            _ => set.join(" and "),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

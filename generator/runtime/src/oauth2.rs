//! OAuth 2.0 client credentials: [`TokenSource`] fetches an access token from the scheme's
//! `tokenUrl`, keeps it until shortly before it expires, fetches it again when the server
//! refuses it, and lets one fetch serve every call waiting for it (single flight).
//!
//! The client id and secret are [`Secret`]s: no `Debug` output, error or log line shows them.

use ::std::fmt;
use ::std::time::{Duration, Instant};

use ::reqwest::StatusCode;
use ::reqwest::header::HeaderValue;

use super::Secret;

/// Longest a token is kept when the server does not say (`expires_in` missing).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// How long before its expiry a token is replaced.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);
/// Largest token response read.
const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// Why no access token could be obtained. It never contains the client secret.
#[derive(Debug, ::thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token endpoint could not be reached or did not answer in time.
    #[error("the token request failed: {}", super::error::describe_transport(.0))]
    Transport(#[source] ::reqwest::Error),
    /// The token endpoint refused the request (`error` is its OAuth error code, such as
    /// `invalid_client`).
    #[error("the token endpoint returned {status}{}", error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default())]
    Rejected {
        /// The response status.
        status: StatusCode,
        /// The `error` field of the response, if it had one.
        error: Option<String>,
    },
    /// The token response is not the JSON object RFC 6749 describes.
    #[error("the token response has no usable access_token")]
    Malformed,
}

/// A cached token.
struct Cached {
    /// `Bearer <token>`, marked sensitive.
    value: HeaderValue,
    /// When it must no longer be sent.
    refresh_at: Instant,
}

/// The token of one `clientCredentials` flow, shared by every clone of a client.
pub(super) struct TokenSource {
    token_url: ::reqwest::Url,
    client_id: Secret,
    client_secret: Secret,
    scopes: Vec<String>,
    timeout: Duration,
    /// Held while a token is fetched, so concurrent calls wait for that one fetch.
    cached: ::tokio::sync::Mutex<Option<Cached>>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl TokenSource {
    pub(super) fn new(
        token_url: ::reqwest::Url,
        scopes: Vec<String>,
        client_id: Secret,
        client_secret: Secret,
        timeout: Duration,
    ) -> Self {
        TokenSource { token_url, client_id, client_secret, scopes, timeout, cached: ::tokio::sync::Mutex::new(None) }
    }

    /// The `Authorization` value to send: the cached token while it is fresh, else a new one.
    pub(super) async fn header_value(&self, client: &::reqwest::Client) -> Result<HeaderValue, TokenError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|token| Instant::now() < token.refresh_at) {
            return Ok(token.value.clone());
        }
        let token = self.fetch(client).await?;
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }

    /// Forgets `used` after the server refused it (unless another call already replaced it).
    pub(super) async fn invalidate(&self, used: Option<&HeaderValue>) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|token| Some(&token.value) == used) {
            *cached = None;
        }
    }

    /// Asks the token endpoint for a token (`client_secret_basic`, RFC 6749 section 4.4).
    async fn fetch(&self, client: &::reqwest::Client) -> Result<Cached, TokenError> {
        let mut form = vec![("grant_type", "client_credentials".to_owned())];
        if !self.scopes.is_empty() {
            form.push(("scope", self.scopes.join(" ")));
        }
        let body = form
            .iter()
            .map(|(name, value)| format!("{name}={}", ::percent_encoding::utf8_percent_encode(value, FORM)))
            .collect::<Vec<_>>()
            .join("&");
        let credentials = format!(
            "{}:{}",
            ::percent_encoding::utf8_percent_encode(self.client_id.expose(), FORM),
            ::percent_encoding::utf8_percent_encode(self.client_secret.expose(), FORM)
        );
        let mut authorization = HeaderValue::from_str(&format!(
            "Basic {}",
            ::base64::Engine::encode(&::base64::engine::general_purpose::STANDARD, credentials)
        ))
        .map_err(|_| TokenError::Malformed)?;
        authorization.set_sensitive(true);
        let sent = client
            .post(self.token_url.clone())
            .header(::reqwest::header::AUTHORIZATION, authorization)
            .header(::reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(::reqwest::header::ACCEPT, "application/json")
            .body(body)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|err| TokenError::Transport(err.without_url()))?;
        let status = sent.status();
        let bytes = sent.bytes().await.map_err(|err| TokenError::Transport(err.without_url()))?;
        let json: Option<::serde_json::Value> =
            (bytes.len() <= MAX_TOKEN_RESPONSE_BYTES).then(|| ::serde_json::from_slice(&bytes).ok()).flatten();
        if !status.is_success() {
            let error = json
                .as_ref()
                .and_then(|json| json.get("error")?.as_str())
                .filter(|code| code.len() <= 64 && code.bytes().all(|b| b.is_ascii_graphic()))
                .map(str::to_owned);
            return Err(TokenError::Rejected { status, error });
        }
        let json = json.ok_or(TokenError::Malformed)?;
        let token = json.get("access_token").and_then(::serde_json::Value::as_str).ok_or(TokenError::Malformed)?;
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| TokenError::Malformed)?;
        value.set_sensitive(true);
        let lifetime =
            json.get("expires_in").and_then(::serde_json::Value::as_u64).map_or(DEFAULT_LIFETIME, Duration::from_secs);
        // Replaced shortly before it expires: 30 s early, or halfway for a short-lived token.
        let keep = lifetime.saturating_sub(EXPIRY_MARGIN.min(lifetime / 2));
        Ok(Cached { value, refresh_at: Instant::now() + keep })
    }
}

/// What `application/x-www-form-urlencoded` (and the basic credentials of RFC 6749 section
/// 2.3.1) encode: everything but unreserved characters.
const FORM: &::percent_encoding::AsciiSet =
    &::percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

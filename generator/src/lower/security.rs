//! Security: the spec's security schemes become the builder's credential methods, and each
//! operation's requirements name the schemes it may use.
//!
//! **Invariant:** every scheme an operation requires is a declared one: a requirement naming an
//! undeclared scheme is an error, never a silently unauthenticated call. Credential methods
//! never take a name the runtime's builder already has.

use openapiv3::{APIKeyLocation, SecurityRequirement};

use super::Lowerer;
use super::docs::lines;
use crate::ir::{ApiKeyLocation, SchemeKind, SecurityScheme};
use crate::names::{self, Scope};
use crate::pointer;

/// Builder methods the runtime already provides.
const RESERVED_BUILDER: &[&str] = &[
    "new",
    "base_url",
    "credential",
    "basic_credential",
    "http_client",
    "timeout",
    "connect_timeout",
    "retry_policy",
    "user_agent",
    "default_header",
    "max_response_bytes",
    "build",
    "build_core",
    "client_credentials",
    "hook",
    "token_url",
    "token_scopes",
];

/// How a scheme sends its credential.
struct Credential<'s> {
    kind: SchemeKind,
    description: &'s Option<String>,
    /// The end of the sentence "Sets the credential for the `x` security scheme: ...".
    how: String,
}

impl Lowerer<'_, '_> {
    /// The declared security schemes, in document order.
    pub(super) fn security_schemes(&mut self) -> Vec<SecurityScheme> {
        let Some(components) = &self.doc.components else { return Vec::new() };
        let mut scope = Scope::with_reserved(RESERVED_BUILDER);
        let mut schemes = Vec::new();
        for (name, scheme) in &components.security_schemes {
            let pointer = pointer::push("/components/securitySchemes", name);
            let Some(scheme) = self.located(scheme, &pointer, "security scheme") else { continue };
            let Credential { mut kind, description, how } = self.credential(&scheme.item, &pointer);
            if let openapiv3::SecurityScheme::OAuth2 { flows, .. } = &*scheme.item
                && let Some(flow) = &flows.client_credentials
            {
                kind = SchemeKind::OAuth2ClientCredentials {
                    token_url: flow.token_url.clone(),
                    scopes: self.required_scopes(name),
                    method: String::new(),
                };
            }
            let mut docs = vec![format!("Sets the credential for the `{name}` security scheme: {how}.")];
            if let Some(description) = description {
                docs.push(String::new());
                docs.extend(lines(description));
            }
            let method = scope.claim(names::snake_name(name, "credential"));
            if let SchemeKind::OAuth2ClientCredentials { method: exchange, .. } = &mut kind {
                *exchange = scope.claim(format!("{}_client_credentials", names::bare(&method)));
            }
            schemes.push(SecurityScheme { name: name.clone(), method, kind, docs });
        }
        schemes
    }

    /// How `scheme` (at `pointer`) sends its credential.
    fn credential<'s>(&mut self, scheme: &'s openapiv3::SecurityScheme, pointer: &str) -> Credential<'s> {
        use openapiv3::SecurityScheme as S;
        let bearer = |description, how: &str| Credential { kind: SchemeKind::Bearer, description, how: how.to_owned() };
        match scheme {
            S::HTTP { scheme, description, .. } if scheme.eq_ignore_ascii_case("bearer") => {
                bearer(description, "HTTP bearer token, sent as `Authorization: Bearer <token>`")
            }
            S::HTTP { scheme, description, .. } if scheme.eq_ignore_ascii_case("basic") => {
                Credential { kind: SchemeKind::Basic, description, how: "HTTP basic authentication".to_owned() }
            }
            S::HTTP { scheme, description, .. } => {
                self.sink.warning(
                    pointer,
                    format!(
                        "HTTP `{scheme}` authentication is not supported; the credential is sent as a bearer token"
                    ),
                );
                bearer(description, &format!("HTTP `{scheme}` credential"))
            }
            S::APIKey { location, name, description, .. } => {
                let (location, place) = match location {
                    APIKeyLocation::Header => (ApiKeyLocation::Header, "header"),
                    APIKeyLocation::Query => (ApiKeyLocation::Query, "query parameter"),
                    APIKeyLocation::Cookie => (ApiKeyLocation::Cookie, "cookie"),
                };
                let how = format!("API key, sent in the `{name}` {place}");
                Credential { kind: SchemeKind::ApiKey { location, name: name.clone() }, description, how }
            }
            S::OAuth2 { description, .. } => bearer(
                description,
                "OAuth 2.0 access token obtained by the caller, sent as `Authorization: Bearer <token>`",
            ),
            S::OpenIDConnect { description, .. } => bearer(
                description,
                "OpenID Connect token obtained by the caller, sent as `Authorization: Bearer <token>`",
            ),
        }
    }

    /// Every scope the document's and the operations' requirements ask of the scheme `name`,
    /// in document order, each once.
    fn required_scopes(&self, name: &str) -> Vec<String> {
        let mut scopes: Vec<String> = Vec::new();
        let mut add = |requirements: &Option<Vec<SecurityRequirement>>| {
            for scope in requirements.iter().flatten().filter_map(|r| r.get(name)).flatten() {
                if !scopes.contains(scope) {
                    scopes.push(scope.clone());
                }
            }
        };
        add(&self.doc.security);
        for item in self.doc.paths.paths.values() {
            let openapiv3::ReferenceOr::Item(item) = item else { continue };
            for (_, op) in item.iter() {
                add(&op.security);
            }
        }
        scopes
    }

    /// The alternative sets of schemes an operation (at `pointer`) accepts: its own `security`, else
    /// the document's. A requirement naming an undeclared scheme is reported and left out.
    pub(super) fn requirements(
        &mut self,
        own: Option<&Vec<SecurityRequirement>>,
        pointer: &str,
        schemes: &[SecurityScheme],
    ) -> Vec<Vec<String>> {
        let Some(requirements) = own.or(self.doc.security.as_ref()) else { return Vec::new() };
        let mut alternatives = Vec::new();
        for (i, requirement) in requirements.iter().enumerate() {
            let unknown: Vec<&String> = requirement.keys().filter(|k| !schemes.iter().any(|s| &s.name == *k)).collect();
            if unknown.is_empty() {
                alternatives.push(requirement.keys().cloned().collect());
            } else {
                let here = if own.is_some() {
                    pointer::push(&pointer::push(pointer, "security"), &i.to_string())
                } else {
                    pointer::push("/security", &i.to_string())
                };
                self.sink.error(&here, format!("security requirement names undeclared scheme `{}`", unknown[0]));
            }
        }
        alternatives
    }
}

//! Behaviour tests for the client runtime, driven against wiremock servers
//! (and a few hand-written raw HTTP responses) on 127.0.0.1.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use runtime::{
    ApiKeyLocation, ClientBuilder, Core, DecodeError, Error, Outcome, QueryStyle, Request, RetryPolicy, SchemeKind,
    SecurityScheme, decode_json, decode_text,
};
use serde::Deserialize;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SCHEMES: &[SecurityScheme] = &[
    SecurityScheme { name: "bearer", kind: SchemeKind::Bearer },
    SecurityScheme { name: "basic", kind: SchemeKind::Basic },
    SecurityScheme {
        name: "header_key",
        kind: SchemeKind::ApiKey { location: ApiKeyLocation::Header, name: "X-Api-Key" },
    },
    SecurityScheme { name: "query_key", kind: SchemeKind::ApiKey { location: ApiKeyLocation::Query, name: "api_key" } },
    SecurityScheme {
        name: "cookie_key",
        kind: SchemeKind::ApiKey { location: ApiKeyLocation::Cookie, name: "session" },
    },
];

const NO_AUTH: &[&[&str]] = &[];

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// The default policy with tiny backoffs so tests stay fast.
fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().with_initial_backoff(ms(1)).with_max_backoff(ms(10))
}

fn builder(server: &MockServer) -> ClientBuilder {
    ClientBuilder::new(&server.uri(), SCHEMES).retry_policy(fast_retry())
}

fn core(server: &MockServer) -> Core {
    builder(server).build_core().unwrap()
}

#[derive(Debug, Deserialize, PartialEq)]
struct Pet {
    id: u64,
    name: String,
}

#[derive(Debug, Deserialize, PartialEq)]
struct ApiError {
    code: String,
}

type Decoded<T, E> = Option<Result<Outcome<T, E>, DecodeError>>;

/// 200 -> Pet, 404 -> ApiError, anything else undocumented.
fn pet_decoder(status: StatusCode, _: &reqwest::header::HeaderMap, body: &[u8]) -> Decoded<Pet, ApiError> {
    match status.as_u16() {
        200 => Some(decode_json(body).map(Outcome::Success)),
        404 => Some(decode_json(body).map(Outcome::Failure)),
        _ => None,
    }
}

/// 2xx -> text, 4xx -> text error, anything else undocumented.
fn text_decoder(status: StatusCode, _: &reqwest::header::HeaderMap, body: &[u8]) -> Decoded<String, String> {
    match status.as_u16() {
        200..=299 => Some(decode_text(body).map(Outcome::Success)),
        400..=499 => Some(decode_text(body).map(Outcome::Failure)),
        _ => None,
    }
}

fn get(path: &str, security: &'static [&'static [&'static str]]) -> Request {
    Request::new("getThing", Method::GET, path.to_owned(), security)
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap()
}

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    server
}

fn header<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).map(|v| v.to_str().unwrap())
}

/// Serves one hand-written HTTP response on 127.0.0.1 and returns its URL.
fn raw_server(response: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(&response);
            let _ = stream.flush();
        }
    });
    format!("http://{addr}")
}

/// A port on 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

mod paths {
    use super::*;
    use runtime::encode_path_segment;

    #[test]
    fn encode_path_segment_cases() {
        let cases = [
            ("..", "%2E%2E"),
            (".", "%2E"),
            ("...", "..."),
            ("../admin?x=1#y", "..%2Fadmin%3Fx%3D1%23y"),
            ("a b", "a%20b"),
            ("héllo wörld", "h%C3%A9llo%20w%C3%B6rld"),
            ("日本", "%E6%97%A5%E6%9C%AC"),
            ("AZaz09-._~", "AZaz09-._~"),
            ("a/b\\c", "a%2Fb%5Cc"),
            ("100%+&=;:@", "100%25%2B%26%3D%3B%3A%40"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(encode_path_segment(input), expected, "input {input:?}");
            // `path_segment` encodes as the value is written; the same text but for the empty
            // value, which it marks for refusal.
            let expected = if input.is_empty() { "\0" } else { expected };
            assert_eq!(runtime::path_segment(input).to_string(), expected, "input {input:?}");
        }
    }

    /// A value that writes its text in the pieces given, as `Display` impls may.
    struct Pieces(&'static [&'static str]);

    impl std::fmt::Display for Pieces {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.iter().try_for_each(|piece| f.write_str(piece))
        }
    }

    #[test]
    fn path_segment_encodes_a_value_written_in_pieces_as_a_whole() {
        let cases: [(&[&str], &str); 8] = [
            (&[".", "."], "%2E%2E"),
            (&[".", "", "."], "%2E%2E"),
            (&["."], "%2E"),
            (&[".", ".", "."], "..."),
            (&[".", ".", "/admin"], "..%2Fadmin"),
            (&["..", "x", "."], "..x."),
            (&["a b", "/c"], "a%20b%2Fc"),
            (&["", ""], "\0"),
        ];
        for (pieces, expected) in cases {
            assert_eq!(runtime::path_segment(Pieces(pieces)).to_string(), expected, "pieces {pieces:?}");
        }
        assert_eq!(format!("/calls/{}/x", runtime::path_segment(-5)), "/calls/-5/x");
    }

    #[tokio::test]
    async fn an_empty_path_parameter_is_refused_before_sending() {
        let server = ok_server().await;
        let core = core(&server);
        for path in [
            format!("/calls/{}", runtime::path_segment("")),
            format!("/calls/{}/events", runtime::path_segment("")),
            format!("/apps/{}", runtime::path_value("id", &Vec::<i32>::new(), runtime::PathStyle::Simple, false)),
        ] {
            let err = core.send(get(&path, NO_AUTH), text_decoder).await.unwrap_err();
            assert!(
                matches!(&err, Error::InvalidRequest { reason, .. } if reason == "a path parameter may not be empty"),
                "{path:?}: {err:?}"
            );
        }
        assert!(received(&server).await.is_empty(), "nothing is sent for an empty path parameter");
        // A non-empty value still goes out, and a trailing slash of the template is kept.
        core.send(get(&format!("/calls/{}", runtime::path_segment(0)), NO_AUTH), text_decoder).await.unwrap();
        core.send(get("/calls/", NO_AUTH), text_decoder).await.unwrap();
        let paths: Vec<String> = received(&server).await.iter().map(|r| r.url.path().to_owned()).collect();
        assert_eq!(paths, ["/calls/0", "/calls/"]);
    }

    #[test]
    fn path_values_follow_style_and_explode() {
        use runtime::PathStyle::{Label, Matrix, Simple};
        use runtime::path_value;
        let ids = [3, 4, 5];
        let words = ["a b", "c,d", "e/f"];
        let object = serde_json::json!({"role": "admin", "first name": "Alex"});
        let cases: &[(String, &str)] = &[
            (path_value("id", &ids, Simple, false), "3,4,5"),
            (path_value("id", &ids, Simple, true), "3,4,5"),
            (path_value("id", &ids, Label, false), ".3,4,5"),
            (path_value("id", &ids, Label, true), ".3.4.5"),
            (path_value("id", &ids, Matrix, false), ";id=3,4,5"),
            (path_value("id", &ids, Matrix, true), ";id=3;id=4;id=5"),
            // Each element is one segment's content: separators inside values are encoded.
            (path_value("w", &words, Simple, false), "a%20b,c%2Cd,e%2Ff"),
            (path_value("o", &object, Simple, false), "role,admin,first%20name,Alex"),
            (path_value("o", &object, Simple, true), "role=admin,first%20name=Alex"),
            (path_value("o", &object, Label, false), ".role,admin,first%20name,Alex"),
            (path_value("o", &object, Label, true), ".role=admin.first%20name=Alex"),
            (path_value("o", &object, Matrix, false), ";o=role,admin,first%20name,Alex"),
            (path_value("o", &object, Matrix, true), ";role=admin;first%20name=Alex"),
            (path_value("n", &7, Label, false), ".7"),
            (path_value("n", &7, Matrix, false), ";n=7"),
            (path_value("n", &Vec::<i32>::new(), Label, false), "."),
            (path_value("n", &Vec::<i32>::new(), Matrix, true), ";n"),
            (path_value("n", "..", Simple, false), "%2E%2E"),
        ];
        for (index, (got, expected)) in cases.iter().enumerate() {
            assert_eq!(got, expected, "case {index}");
        }
    }

    #[tokio::test]
    async fn path_is_appended_to_base_url_with_prefix() {
        let server = ok_server().await;
        for base in [format!("{}/api/v1", server.uri()), format!("{}/api/v1/", server.uri())] {
            let core = ClientBuilder::new(&base, SCHEMES).build_core().unwrap();
            assert_eq!(core.base_url(), format!("{}/api/v1", server.uri()));
            let mut request = get(&format!("/pets/{}/toys", encode_path_segment("rex the/dog")), NO_AUTH);
            request.query("limit", 10);
            request.query("q", "x y&z=1");
            let response = core.send(request, text_decoder).await.unwrap();
            assert_eq!(response.into_body(), "ok");
        }
        let requests = received(&server).await;
        assert_eq!(requests.len(), 2);
        for request in requests {
            assert_eq!(request.url.path(), "/api/v1/pets/rex%20the%2Fdog/toys");
            assert_eq!(request.url.query(), Some("limit=10&q=x+y%26z%3D1"));
        }
    }

    #[tokio::test]
    async fn object_query_parameters_follow_their_style() {
        let server = ok_server().await;
        let core = ClientBuilder::new(&server.uri(), SCHEMES).build_core().unwrap();
        let filter = serde_json::json!({"status": "open", "meta": {"k": "v w"}, "ids": [1, 2], "gone": null});
        let mut request = get("/q", NO_AUTH);
        request.query_object("filter", &filter, QueryStyle::DeepObject);
        request.query_object(
            "page",
            &serde_json::json!({"size": 10, "cursor": "c"}),
            QueryStyle::Form { explode: true },
        );
        request.query_object("at", &serde_json::json!({"lat": 1.5, "lon": 2}), QueryStyle::Form { explode: false });
        request.query_object("plain", &7, QueryStyle::DeepObject);
        core.send(request, text_decoder).await.unwrap();
        let requests = received(&server).await;
        let pairs: Vec<(String, String)> = requests[0].url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        let expected = [
            ("filter[status]", "open"),
            ("filter[meta][k]", "v w"),
            ("filter[ids][0]", "1"),
            ("filter[ids][1]", "2"),
            ("size", "10"),
            ("cursor", "c"),
            ("at", "lat,1.5,lon,2"),
            ("plain", "7"),
        ];
        let expected: Vec<(String, String)> =
            expected.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        assert_eq!(pairs, expected);
    }

    #[tokio::test]
    async fn default_base_url_without_path() {
        let server = ok_server().await;
        let core = ClientBuilder::new(&format!("{}/", server.uri()), SCHEMES).build_core().unwrap();
        assert_eq!(core.base_url(), server.uri());
        core.send(get("/x", NO_AUTH), text_decoder).await.unwrap();
        let requests = received(&server).await;
        assert_eq!(requests[0].url.path(), "/x");
        assert_eq!(requests[0].url.query(), None);
    }

    #[tokio::test]
    async fn dot_segments_are_rejected_before_sending() {
        let server = ok_server().await;
        let core = core(&server);
        for segment in ["..", "."] {
            let path = format!("/pets/{}/admin", encode_path_segment(segment));
            let err = core.send(get(&path, NO_AUTH), text_decoder).await.unwrap_err();
            assert!(matches!(err, Error::InvalidRequest { operation: "getThing", .. }), "{err:?}");
        }
        for path in ["/a/../b", "/a/%2e./b", "no-slash", "/a?b", "/a\\..\\b", "/a/\n"] {
            let err = core.send(get(path, NO_AUTH), text_decoder).await.unwrap_err();
            assert!(matches!(err, Error::InvalidRequest { .. }), "{path:?}");
        }
        assert!(received(&server).await.is_empty());
    }

    #[tokio::test]
    async fn headers_are_layered_and_user_agent_defaults_to_crate() {
        let server = ok_server().await;
        let core = builder(&server)
            .default_header("x-default", "d")
            .default_header("x-replaced", "default")
            .build_core()
            .unwrap()
            .with_options(runtime::RequestOptions::new().with_header("x-replaced", "call"));
        let mut request = get("/h", NO_AUTH);
        request.header("x-op", 42);
        core.send(request, text_decoder).await.unwrap();
        let requests = received(&server).await;
        let request = &requests[0];
        assert_eq!(header(request, "x-default"), Some("d"));
        assert_eq!(header(request, "x-replaced"), Some("call"));
        assert_eq!(header(request, "x-op"), Some("42"));
        assert_eq!(
            header(request, "user-agent"),
            Some(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")))
        );
    }

    #[tokio::test]
    async fn own_http_client_gets_user_agent_as_header() {
        let server = ok_server().await;
        let core = builder(&server).http_client(reqwest::Client::new()).user_agent("my-app/1.0").build_core().unwrap();
        core.send(get("/ua", NO_AUTH), text_decoder).await.unwrap();
        assert_eq!(header(&received(&server).await[0], "user-agent"), Some("my-app/1.0"));
    }

    #[tokio::test]
    async fn json_body_and_content_type() {
        let server = ok_server().await;
        let mut request = Request::new("createPet", Method::POST, "/pets".into(), NO_AUTH);
        request.json(&serde_json::json!({"name": "Rex", "tags": ["a"]}));
        core(&server).send(request, text_decoder).await.unwrap();
        let requests = received(&server).await;
        assert_eq!(requests[0].method.as_str(), "POST");
        assert_eq!(header(&requests[0], "content-type"), Some("application/json"));
        assert_eq!(requests[0].body, br#"{"name":"Rex","tags":["a"]}"#);
    }

    #[tokio::test]
    async fn unserialisable_body_is_invalid_request() {
        let server = ok_server().await;
        let mut request = Request::new("createPet", Method::POST, "/pets".into(), NO_AUTH);
        let mut map = std::collections::BTreeMap::new();
        map.insert((1, 2), 3);
        request.json(&map);
        let err = core(&server).send(request, text_decoder).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { operation: "createPet", reason } if reason.contains("serialise")),
            "{err:?}"
        );
        assert!(received(&server).await.is_empty());
    }

    #[tokio::test]
    async fn header_with_crlf_is_rejected_before_sending() {
        let server = ok_server().await;
        let core = core(&server);
        let mut request = get("/h", NO_AUTH);
        request.header("x-note", "a\r\nx-injected: 1");
        let err = core.send(request, text_decoder).await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
        assert!(!err.to_string().contains("injected"));

        let per_call = core.with_options(runtime::RequestOptions::new().with_header("x-note", "a\nb"));
        let err = per_call.send(get("/h", NO_AUTH), text_decoder).await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");

        let mut request = get("/h", NO_AUTH);
        request.header("bad header name", "v");
        let err = core.send(request, text_decoder).await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");

        assert!(received(&server).await.is_empty());
    }
}

mod auth {
    use super::*;

    const BEARER: &[&[&str]] = &[&["bearer"]];

    async fn send_with(
        builder: ClientBuilder,
        security: &'static [&'static [&'static str]],
    ) -> Result<(), Error<String>> {
        let core = builder.build_core().unwrap();
        core.send(get("/secure", security), text_decoder).await.map(|_| ())
    }

    #[tokio::test]
    async fn bearer_basic_and_header_key() {
        let server = ok_server().await;
        send_with(builder(&server).credential("bearer", "tok-1"), BEARER).await.unwrap();
        send_with(builder(&server).basic_credential("basic", "Aladdin", "open sesame"), &[&["basic"]]).await.unwrap();
        send_with(builder(&server).credential("header_key", "key-1"), &[&["header_key"]]).await.unwrap();
        let requests = received(&server).await;
        assert_eq!(header(&requests[0], "authorization"), Some("Bearer tok-1"));
        assert_eq!(header(&requests[1], "authorization"), Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        assert_eq!(header(&requests[2], "x-api-key"), Some("key-1"));
        assert_eq!(header(&requests[2], "authorization"), None);
    }

    #[tokio::test]
    async fn query_key_is_appended_after_parameters() {
        let server = ok_server().await;
        let core = builder(&server).credential("query_key", "k&y").build_core().unwrap();
        let mut request = get("/q", &[&["query_key"]]);
        request.query("page", 2);
        core.send(request, text_decoder).await.unwrap();
        let requests = received(&server).await;
        assert_eq!(requests[0].url.query(), Some("page=2&api_key=k%26y"));
    }

    #[tokio::test]
    async fn cookie_key_is_merged_with_cookie_parameters() {
        let server = ok_server().await;
        let core = builder(&server).credential("cookie_key", "abc123").build_core().unwrap();
        let mut request = get("/c", &[&["cookie_key"]]);
        request.cookie("theme", "dark mode;x=1");
        core.send(request, text_decoder).await.unwrap();
        let requests = received(&server).await;
        assert_eq!(header(&requests[0], "cookie"), Some("theme=dark%20mode%3Bx=1; session=abc123"));
    }

    #[tokio::test]
    async fn every_configured_credential_the_requirements_name_is_sent() {
        // FastAPI's spelling of two dependencies it checks together.
        const EITHER: &[&[&str]] = &[&["bearer"], &["header_key"]];
        let server = ok_server().await;
        // Only the second alternative is satisfiable: its credential is sent.
        send_with(builder(&server).credential("header_key", "key-1"), EITHER).await.unwrap();
        // Both are: both credentials are sent, and no other configured one.
        let both = builder(&server).credential("header_key", "key-1").credential("bearer", "tok-1");
        send_with(both.credential("query_key", "unnamed"), EITHER).await.unwrap();
        // An optional requirement (`{}`) sends a configured credential, and needs none.
        const OPTIONAL: &[&[&str]] = &[&[], &["bearer"]];
        send_with(builder(&server).credential("bearer", "tok-2"), OPTIONAL).await.unwrap();
        send_with(builder(&server), OPTIONAL).await.unwrap();
        let requests = received(&server).await;
        assert_eq!(header(&requests[0], "x-api-key"), Some("key-1"));
        assert_eq!(header(&requests[0], "authorization"), None);
        assert_eq!(header(&requests[1], "authorization"), Some("Bearer tok-1"));
        assert_eq!(header(&requests[1], "x-api-key"), Some("key-1"));
        assert_eq!(requests[1].url.query(), None, "a scheme the operation does not name is not sent");
        assert_eq!(header(&requests[2], "authorization"), Some("Bearer tok-2"));
        assert_eq!(header(&requests[3], "authorization"), None);
    }

    #[tokio::test]
    async fn and_sets_need_every_scheme() {
        const BOTH: &[&[&str]] = &[&["header_key", "query_key"]];
        let server = ok_server().await;
        send_with(builder(&server).credential("header_key", "hk").credential("query_key", "qk"), BOTH).await.unwrap();
        let err = send_with(builder(&server).credential("header_key", "hk"), BOTH).await.unwrap_err();
        match &err {
            Error::MissingCredentials { operation, schemes } => {
                assert_eq!(*operation, "getThing");
                assert_eq!(schemes, "header_key and query_key");
            }
            other => panic!("unexpected {other:?}"),
        }
        let requests = received(&server).await;
        assert_eq!(requests.len(), 1);
        assert_eq!(header(&requests[0], "x-api-key"), Some("hk"));
        assert_eq!(requests[0].url.query(), Some("api_key=qk"));
    }

    #[tokio::test]
    async fn no_security_sends_no_credentials() {
        let server = ok_server().await;
        let configured = builder(&server)
            .credential("bearer", "t")
            .credential("header_key", "h")
            .credential("query_key", "q")
            .credential("cookie_key", "c");
        send_with(configured, NO_AUTH).await.unwrap();
        let request = &received(&server).await[0];
        for name in ["authorization", "x-api-key", "cookie"] {
            assert_eq!(header(request, name), None, "{name}");
        }
        assert_eq!(request.url.query(), None);
    }

    #[tokio::test]
    async fn empty_set_makes_auth_optional() {
        const OPTIONAL: &[&[&str]] = &[&["bearer"], &[]];
        let server = ok_server().await;
        send_with(builder(&server), OPTIONAL).await.unwrap();
        send_with(builder(&server).credential("bearer", "t"), OPTIONAL).await.unwrap();
        let requests = received(&server).await;
        assert_eq!(header(&requests[0], "authorization"), None);
        assert_eq!(header(&requests[1], "authorization"), Some("Bearer t"));
    }

    #[tokio::test]
    async fn missing_credentials_sends_nothing() {
        let server = ok_server().await;
        let err = send_with(builder(&server), &[&["bearer"], &["basic", "header_key"]]).await.unwrap_err();
        assert!(matches!(err, Error::MissingCredentials { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "missing credentials for operation getThing: configure bearer or (basic and header_key)"
        );
        assert_eq!(err.status(), None);
        assert!(received(&server).await.is_empty());
    }

    #[tokio::test]
    async fn debug_output_never_shows_secrets() {
        let server = ok_server().await;
        let builder = builder(&server)
            .credential("bearer", "supersecret-token")
            .basic_credential("basic", "someuser", "hunter2-password")
            .credential("query_key", "query-secret")
            .default_header("x-token", "default-header-secret");
        let builder_debug = format!("{builder:?}");
        let core = builder.build_core().unwrap();
        let core_debug = format!("{core:?}");
        let mut request = get("/r", NO_AUTH);
        request.header("x-param", "param-secret");
        let request_debug = format!("{request:?}");
        for debug in [&builder_debug, &core_debug, &request_debug] {
            for secret in
                ["supersecret-token", "hunter2-password", "query-secret", "default-header-secret", "param-secret"]
            {
                assert!(!debug.contains(secret), "{secret} leaked in {debug}");
            }
        }
        for debug in [&builder_debug, &core_debug] {
            assert!(debug.contains("\"bearer\": \"***\""), "{debug}");
            assert!(debug.contains("\"basic\": \"***\""), "{debug}");
        }
        assert!(core_debug.contains(&server.uri()), "{core_debug}");
        assert!(request_debug.contains("x-param"), "{request_debug}");
        let options = runtime::RequestOptions::new().with_header("X-Api-Secret", "options-secret");
        let options_debug = format!("{options:?}");
        assert!(!options_debug.contains("options-secret"), "{options_debug}");
        assert!(options_debug.contains("\"X-Api-Secret\": \"***\""), "{options_debug}");
        let with_options = format!("{:?}", core.with_options(options));
        assert!(!with_options.contains("options-secret"), "{with_options}");
        assert_eq!(format!("{:?}", runtime::Secret::new("hidden")), "Secret(***)");
        assert_eq!(runtime::Secret::from("hidden").expose(), "hidden");
    }

    #[test]
    fn build_errors() {
        use runtime::BuildError;
        let base = "http://127.0.0.1:1";
        let err = ClientBuilder::new(base, SCHEMES).credential("nope", "x").build_core().unwrap_err();
        assert!(matches!(err, BuildError::UnknownScheme { .. }), "{err:?}");
        assert!(err.to_string().contains("\"nope\""), "{err}");

        let err = ClientBuilder::new(base, SCHEMES).basic_credential("bearer", "u", "p").build_core().unwrap_err();
        assert!(matches!(err, BuildError::WrongCredentialKind { .. }), "{err:?}");
        let err = ClientBuilder::new(base, SCHEMES).credential("basic", "token").build_core().unwrap_err();
        assert!(matches!(err, BuildError::WrongCredentialKind { .. }), "{err:?}");

        let err = ClientBuilder::new(base, SCHEMES).credential("bearer", "tok\r\nx-evil: 1").build_core().unwrap_err();
        assert!(matches!(err, BuildError::InvalidCredential { .. }), "{err:?}");
        assert!(!err.to_string().contains("evil"));
        let err = ClientBuilder::new(base, SCHEMES).credential("cookie_key", "a;b").build_core().unwrap_err();
        assert!(matches!(err, BuildError::InvalidCredential { .. }), "{err:?}");

        let err = ClientBuilder::new(base, SCHEMES).default_header("x-a", "1\r\n2").build_core().unwrap_err();
        assert!(matches!(err, BuildError::InvalidHeader { .. }), "{err:?}");
        let err = ClientBuilder::new(base, SCHEMES).default_header("bad name", "1").build_core().unwrap_err();
        assert!(matches!(err, BuildError::InvalidHeader { .. }), "{err:?}");

        for url in [
            "not a url",
            "/relative/v1",
            "ftp://example.com",
            "http://user:pa55word@example.com",
            "http://example.com/?a=1",
        ] {
            let err = ClientBuilder::new(url, SCHEMES).build_core().unwrap_err();
            assert!(matches!(err, BuildError::InvalidBaseUrl { .. }), "{url}");
            assert!(!err.to_string().contains("pa55word"));
        }
    }
}

mod decoding {
    use super::*;

    async fn serve(server: &MockServer, template: ResponseTemplate) {
        Mock::given(method("GET")).respond_with(template).mount(server).await;
    }

    #[tokio::test]
    async fn documented_success() {
        let server = MockServer::start().await;
        serve(
            &server,
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-42")
                .insert_header("x-extra", "yes")
                .set_body_string(r#"{"id":7,"name":"Rex"}"#),
        )
        .await;
        let response = core(&server).send(get("/pets/7", NO_AUTH), pet_decoder).await.unwrap();
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.headers["x-extra"], "yes");
        assert_eq!(response.request_id(), Some("req-42"));
        assert_eq!(response.into_body(), Pet { id: 7, name: "Rex".into() });
    }

    #[tokio::test]
    async fn documented_error_becomes_api_error() {
        let server = MockServer::start().await;
        let body = r#"{"code":"not_found","meta":{"request_id":"rid-body"}}"#;
        serve(&server, ResponseTemplate::new(404).insert_header("x-extra", "yes").set_body_string(body)).await;
        let err = core(&server).send(get("/pets/7", NO_AUTH), pet_decoder).await.unwrap_err();
        assert_eq!(err.api_body(), Some(&ApiError { code: "not_found".into() }));
        assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
        assert_eq!(err.request_id(), Some("rid-body"));
        let response = err.response().unwrap();
        assert_eq!(response.headers["x-extra"], "yes");
        assert_eq!(response.body_text(), body);
        assert!(!response.is_truncated());
        assert_eq!(err.to_string(), "server returned 404 not found (request id rid-body)");
        assert!(!err.is_timeout());
    }

    #[tokio::test]
    async fn undocumented_status_keeps_response() {
        let server = MockServer::start().await;
        serve(&server, ResponseTemplate::new(418).set_body_string(r#"{"requestId":"top-level","x":1}"#)).await;
        let err = core(&server).send(get("/tea", NO_AUTH), pet_decoder).await.unwrap_err();
        let Error::UnexpectedStatus(info) = &err else {
            panic!("unexpected {err:?}");
        };
        assert_eq!(info.status.as_u16(), 418);
        assert_eq!(info.request_id(), Some("top-level"));
        assert_eq!(info.body(), br#"{"requestId":"top-level","x":1}"#);
        assert_eq!(err.api_body(), None);
        assert_eq!(err.to_string(), "server returned undocumented status 418 i'm a teapot (request id top-level)");
    }

    #[tokio::test]
    async fn request_id_header_wins_over_body_and_nested_error_form() {
        let server = MockServer::start().await;
        Mock::given(path("/header"))
            .respond_with(
                ResponseTemplate::new(500)
                    .insert_header("x-correlation-id", "from-header")
                    .set_body_string(r#"{"request_id":"from-body"}"#),
            )
            .mount(&server)
            .await;
        Mock::given(path("/nested"))
            .respond_with(
                ResponseTemplate::new(500).set_body_string(r#"{"error":{"message":"boom","request_id":"nested-id"}}"#),
            )
            .mount(&server)
            .await;
        Mock::given(path("/none"))
            .respond_with(ResponseTemplate::new(500).set_body_string(r#"{"error":"boom"}"#))
            .mount(&server)
            .await;
        let core = core(&server);
        let id = |err: Error<ApiError>| err.request_id().map(str::to_owned);
        let err = core.send(get("/header", NO_AUTH), pet_decoder).await.unwrap_err();
        assert_eq!(id(err), Some("from-header".into()));
        let err = core.send(get("/nested", NO_AUTH), pet_decoder).await.unwrap_err();
        assert_eq!(id(err), Some("nested-id".into()));
        let err = core.send(get("/none", NO_AUTH), pet_decoder).await.unwrap_err();
        assert_eq!(id(err), None);
    }

    #[tokio::test]
    async fn malformed_body_is_decode_error_with_raw_body() {
        let server = MockServer::start().await;
        Mock::given(path("/truncated"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":7,"na"#))
            .mount(&server)
            .await;
        Mock::given(path("/empty")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
        Mock::given(path("/wrong-type"))
            .respond_with(ResponseTemplate::new(404).set_body_raw("Not Found", "text/plain"))
            .mount(&server)
            .await;
        let core = core(&server);
        for (path, status, body) in
            [("/truncated", 200, &br#"{"id":7,"na"#[..]), ("/empty", 200, b""), ("/wrong-type", 404, b"Not Found")]
        {
            let err = core.send(get(path, NO_AUTH), pet_decoder).await.unwrap_err();
            let Error::Decode { response, source } = &err else {
                panic!("unexpected {err:?}");
            };
            assert!(matches!(source, DecodeError::Json(_)), "{source:?}");
            assert_eq!(response.status.as_u16(), status);
            assert_eq!(response.body(), body);
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
            assert!(std::error::Error::source(&err).is_some());
        }
    }

    #[test]
    fn decode_helpers() {
        assert!(matches!(decode_text(&[0xff, 0xfe]), Err(DecodeError::Utf8(_))));
        assert_eq!(decode_text(b"hi").unwrap(), "hi");
        assert!(matches!(decode_json::<Pet>(b"<html>"), Err(DecodeError::Json(_))));
    }

    #[test]
    fn media_is_reads_the_content_type_essence() {
        let headers = |value: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::CONTENT_TYPE, value.parse().unwrap());
            headers
        };
        assert!(runtime::media_is(&headers("Text/CSV; charset=utf-8"), &["text/csv"]));
        assert!(runtime::media_is(&headers("image/png"), &["application/pdf", "image/*"]));
        assert!(runtime::media_is(&headers("anything/else"), &["*/*"]));
        assert!(!runtime::media_is(&headers("text/csvx"), &["text/csv"]));
        assert!(!runtime::media_is(&headers("imagery/png"), &["image/*"]));
        assert!(!runtime::media_is(&reqwest::header::HeaderMap::new(), &["text/csv"]));
    }

    #[tokio::test]
    async fn html_502_is_unexpected_status() {
        let server = MockServer::start().await;
        let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        serve(&server, ResponseTemplate::new(502).set_body_raw(html, "text/html")).await;
        let err = builder(&server)
            .retry_policy(RetryPolicy::none())
            .build_core()
            .unwrap()
            .send(get("/pets/7", NO_AUTH), pet_decoder)
            .await
            .unwrap_err();
        let Error::UnexpectedStatus(info) = &err else {
            panic!("unexpected {err:?}");
        };
        assert_eq!(info.status, StatusCode::BAD_GATEWAY);
        assert_eq!(info.body_text(), html);
        assert_eq!(info.headers["content-type"], "text/html");
        assert_eq!(info.request_id(), None);
        assert_eq!(err.to_string(), "server returned undocumented status 502 bad gateway");
    }

    #[tokio::test]
    async fn body_over_limit_is_rejected() {
        let server = MockServer::start().await;
        Mock::given(path("/big"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'a'; 2048]))
            .mount(&server)
            .await;
        Mock::given(path("/fits"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'a'; 1024]))
            .mount(&server)
            .await;
        let core = builder(&server).max_response_bytes(1024).build_core().unwrap();
        let err = core.send(get("/big", NO_AUTH), text_decoder).await.unwrap_err();
        assert!(matches!(err, Error::BodyTooLarge { status: StatusCode::OK, limit: 1024 }), "{err:?}");
        assert_eq!(err.status(), Some(StatusCode::OK));
        assert_eq!(err.to_string(), "response body with status 200 ok exceeds the limit of 1024 bytes");
        let response = core.send(get("/fits", NO_AUTH), text_decoder).await.unwrap();
        assert_eq!(response.body.len(), 1024);
    }

    #[tokio::test]
    async fn chunked_body_over_limit_is_rejected_while_streaming() {
        let mut response = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..4 {
            response.extend_from_slice(b"258\r\n");
            response.extend_from_slice(&[b'x'; 600]);
            response.extend_from_slice(b"\r\n");
        }
        response.extend_from_slice(b"0\r\n\r\n");
        let core = ClientBuilder::new(&raw_server(response), SCHEMES)
            .retry_policy(RetryPolicy::none())
            .max_response_bytes(1000)
            .build_core()
            .unwrap();
        let err = core.send(get("/stream", NO_AUTH), text_decoder).await.unwrap_err();
        assert!(matches!(err, Error::BodyTooLarge { limit: 1000, .. }), "{err:?}");
    }

    #[tokio::test]
    async fn body_cut_short_is_transport_error() {
        let response = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"id\":".to_vec();
        let core =
            ClientBuilder::new(&raw_server(response), SCHEMES).retry_policy(RetryPolicy::none()).build_core().unwrap();
        let err = core.send(get("/cut", NO_AUTH), pet_decoder).await.unwrap_err();
        let Error::Transport(source) = &err else {
            panic!("unexpected {err:?}");
        };
        assert!(!source.is_timeout());
        assert_eq!(err.to_string(), "failed to read the response body");
    }

    #[tokio::test]
    async fn large_error_body_is_truncated_to_64_kib() {
        let server = MockServer::start().await;
        serve(&server, ResponseTemplate::new(500).set_body_bytes(vec![b'e'; 100 * 1024])).await;
        let err = builder(&server)
            .retry_policy(RetryPolicy::none())
            .build_core()
            .unwrap()
            .send(get("/e", NO_AUTH), pet_decoder)
            .await
            .unwrap_err();
        let info = err.response().unwrap();
        assert!(info.is_truncated());
        assert_eq!(info.body().len(), 64 * 1024);
    }
}

mod redirects {
    use super::*;

    const ALL_SCHEMES: &[&[&str]] = &[&["bearer", "header_key", "query_key", "cookie_key"]];

    /// A builder with every kind of credential and header a client adds.
    fn loaded(base: &str) -> ClientBuilder {
        ClientBuilder::new(base, SCHEMES)
            .retry_policy(RetryPolicy::none())
            .credential("bearer", "bearer-secret")
            .credential("header_key", "header-secret")
            .credential("query_key", "query-secret")
            .credential("cookie_key", "cookie-secret")
            .default_header("x-default", "default-secret")
    }

    async fn redirect_to(server: &MockServer, location: &str) {
        Mock::given(path("/start"))
            .respond_with(ResponseTemplate::new(307).insert_header("location", location))
            .mount(server)
            .await;
    }

    fn calls(core: &Core) -> Vec<Core> {
        let per_call = runtime::RequestOptions::new().with_header("x-per-call", "per-call-secret");
        vec![core.clone(), core.with_options(per_call)]
    }

    #[tokio::test]
    async fn a_redirect_to_another_origin_is_not_followed() {
        let other = ok_server().await;
        let server = MockServer::start().await;
        // Another port is another origin, as another host is.
        redirect_to(&server, &format!("{}/stolen", other.uri())).await;
        let own = loaded(&server.uri()).build_core().unwrap();
        let theirs = loaded(&server.uri())
            .http_client(reqwest::Client::builder().redirect(runtime::same_origin_redirects()).build().unwrap())
            .build_core()
            .unwrap();
        for core in calls(&own).iter().chain(&calls(&theirs)) {
            let mut request = get("/start", ALL_SCHEMES);
            request.header("x-operation", "operation-value");
            let err = core.send(request, text_decoder).await.unwrap_err();
            assert!(matches!(err, Error::UnexpectedStatus(_)), "{err:?}");
            assert_eq!(err.status(), Some(StatusCode::TEMPORARY_REDIRECT));
            let location = err.response().unwrap().headers.get("location").unwrap().to_str().unwrap();
            assert_eq!(location, format!("{}/stolen", other.uri()), "the caller can see where it pointed");
        }
        assert!(received(&other).await.is_empty(), "no request, so no credential, reached the other origin");
        let sent = received(&server).await;
        assert_eq!(sent.len(), 4);
        assert_eq!(header(&sent[0], "x-api-key"), Some("header-secret"), "the first origin got the credentials");
    }

    #[tokio::test]
    async fn a_redirect_within_the_origin_keeps_the_credentials() {
        let server = MockServer::start().await;
        redirect_to(&server, "/moved").await;
        Mock::given(path("/moved"))
            .respond_with(ResponseTemplate::new(200).set_body_string("here"))
            .mount(&server)
            .await;
        let core = loaded(&server.uri()).build_core().unwrap();
        for core in calls(&core) {
            let response = core.send(get("/start", ALL_SCHEMES), text_decoder).await.unwrap();
            assert_eq!(response.into_body(), "here");
        }
        let moved: Vec<wiremock::Request> =
            received(&server).await.into_iter().filter(|r| r.url.path() == "/moved").collect();
        assert_eq!(moved.len(), 2);
        for request in &moved {
            assert_eq!(header(request, "x-api-key"), Some("header-secret"));
            assert_eq!(header(request, "x-default"), Some("default-secret"));
        }
        assert_eq!(header(&moved[1], "x-per-call"), Some("per-call-secret"));
    }

    #[tokio::test]
    async fn an_endless_redirect_loop_stops() {
        let server = MockServer::start().await;
        redirect_to(&server, "/start").await;
        let err = core(&server).send(get("/start", NO_AUTH), text_decoder).await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert_eq!(received(&server).await.len(), 11, "the first request and ten redirects");
    }
}

mod retries {
    use super::*;

    async fn always(server: &MockServer, status: u16) {
        Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(status)).mount(server).await;
    }

    async fn count(server: &MockServer) -> usize {
        received(server).await.len()
    }

    fn request(method: Method) -> Request {
        let mut request = Request::new("op", method, "/r".into(), NO_AUTH);
        request.json(&serde_json::json!({"a": 1}));
        request
    }

    #[test]
    fn default_policy() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_retries, 2);
        assert_eq!(policy.initial_backoff, ms(500));
        assert_eq!(policy.max_backoff, Duration::from_secs(8));
        assert_eq!(policy.max_total_delay, Duration::from_secs(30));
        assert!(!policy.retry_non_idempotent);
        assert_eq!(RetryPolicy::none().max_retries, 0);
    }

    #[tokio::test]
    async fn get_is_retried_on_503_up_to_max_retries() {
        let server = MockServer::start().await;
        always(&server, 503).await;
        let err = core(&server).send(request(Method::GET), text_decoder).await.unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(count(&server).await, 3);
    }

    #[tokio::test]
    async fn retry_recovers_and_resends_identical_body() {
        let server = MockServer::start().await;
        Mock::given(method("PUT")).respond_with(ResponseTemplate::new(504)).up_to_n_times(1).mount(&server).await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(200).set_body_string("done"))
            .mount(&server)
            .await;
        let response = core(&server).send(request(Method::PUT), text_decoder).await.unwrap();
        assert_eq!(response.body, "done");
        let requests = received(&server).await;
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].body, br#"{"a":1}"#);
        assert_eq!(requests[0].body, requests[1].body);
        assert_eq!(requests[0].headers, requests[1].headers);
    }

    #[tokio::test]
    async fn patch_is_not_retried_on_502_but_is_on_429() {
        let server = MockServer::start().await;
        always(&server, 502).await;
        core(&server).send(request(Method::PATCH), text_decoder).await.unwrap_err();
        assert_eq!(count(&server).await, 1);

        let server = MockServer::start().await;
        always(&server, 429).await;
        let err = core(&server).send(request(Method::PATCH), text_decoder).await.unwrap_err();
        // 429 is documented as a 4xx by text_decoder.
        assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert!(matches!(err, Error::Api { .. }), "{err:?}");
        assert_eq!(count(&server).await, 3);
        let requests = received(&server).await;
        assert!(requests.iter().all(|r| r.body == br#"{"a":1}"#));
    }

    #[tokio::test]
    async fn post_503_is_retried_only_with_retry_after() {
        let server = MockServer::start().await;
        always(&server, 503).await;
        core(&server).send(request(Method::POST), text_decoder).await.unwrap_err();
        assert_eq!(count(&server).await, 1);

        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
            .mount(&server)
            .await;
        core(&server).send(request(Method::POST), text_decoder).await.unwrap_err();
        assert_eq!(count(&server).await, 3);
    }

    #[tokio::test]
    async fn retry_non_idempotent_retries_post_on_502() {
        let server = MockServer::start().await;
        always(&server, 502).await;
        builder(&server)
            .retry_policy(fast_retry().with_retry_non_idempotent(true))
            .build_core()
            .unwrap()
            .send(request(Method::POST), text_decoder)
            .await
            .unwrap_err();
        assert_eq!(count(&server).await, 3);
    }

    #[tokio::test]
    async fn other_statuses_and_policy_none_are_not_retried() {
        let server = MockServer::start().await;
        always(&server, 500).await;
        core(&server).send(request(Method::GET), text_decoder).await.unwrap_err();
        assert_eq!(count(&server).await, 1);

        let server = MockServer::start().await;
        always(&server, 503).await;
        let none = core(&server)
            .with_options(runtime::RequestOptions { retry: Some(RetryPolicy::none()), ..Default::default() });
        none.send(request(Method::GET), text_decoder).await.unwrap_err();
        assert_eq!(count(&server).await, 1);
    }

    #[tokio::test]
    async fn retry_after_seconds_is_honoured() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        always(&server, 200).await;
        let started = Instant::now();
        core(&server).send(request(Method::GET), text_decoder).await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
        assert_eq!(count(&server).await, 2);
    }

    #[tokio::test]
    async fn retry_after_zero_never_shortens_the_backoff() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
            .mount(&server)
            .await;
        let policy = RetryPolicy::default().with_max_retries(2).with_initial_backoff(ms(100)).with_max_backoff(ms(100));
        let started = Instant::now();
        let core = builder(&server).retry_policy(policy).build_core().unwrap();
        let err = core.send(request(Method::GET), text_decoder).await.unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(count(&server).await, 3);
        // Two waits of at least half the 100 ms backoff each (jitter), not zero.
        assert!(started.elapsed() >= ms(100), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn retry_after_http_date_in_the_past_retries() {
        let server = MockServer::start().await;
        let past = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(60));
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", past.as_str()))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        always(&server, 200).await;
        core(&server).send(request(Method::GET), text_decoder).await.unwrap();
        assert_eq!(count(&server).await, 2);
    }

    #[tokio::test]
    async fn retry_after_beyond_budget_returns_the_response() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "120").set_body_string("busy"))
            .mount(&server)
            .await;
        let started = Instant::now();
        let err = core(&server).send(request(Method::GET), text_decoder).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(err.response().unwrap().body_text(), "busy");
        assert_eq!(count(&server).await, 1);
    }

    #[tokio::test]
    async fn connection_failure_is_transport_error() {
        let base = format!("http://127.0.0.1:{}", closed_port());
        let core = ClientBuilder::new(&base, SCHEMES).retry_policy(fast_retry()).build_core().unwrap();
        let err = core.send(request(Method::GET), text_decoder).await.unwrap_err();
        let Error::Transport(source) = &err else {
            panic!("unexpected {err:?}");
        };
        assert!(source.is_connect());
        assert!(source.url().is_none());
        assert_eq!(err.status(), None);
        assert!(!err.is_timeout());
        assert_eq!(err.to_string(), "failed to connect to the server");
    }

    #[tokio::test]
    async fn connection_failure_is_retried_even_for_post() {
        let port = closed_port();
        // The server only starts listening after the first attempt failed.
        let server = tokio::spawn(async move {
            tokio::time::sleep(ms(50)).await;
            let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
            let server = MockServer::builder().listener(listener).start().await;
            always(&server, 200).await;
            server
        });
        let core = ClientBuilder::new(&format!("http://127.0.0.1:{port}"), SCHEMES)
            .retry_policy(RetryPolicy::default().with_initial_backoff(ms(400)).with_max_retries(3))
            .build_core()
            .unwrap();
        let result = core.send(request(Method::POST), text_decoder).await;
        let server = server.await.unwrap();
        result.unwrap();
        let requests = received(&server).await;
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].body, br#"{"a":1}"#);
    }
}

mod timeouts {
    use super::*;

    #[tokio::test]
    async fn per_call_timeout_via_with_options() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string("slow").set_delay(ms(500)))
            .mount(&server)
            .await;
        let core = builder(&server).timeout(ms(3000)).build_core().unwrap();
        let hurried = core.with_options(runtime::RequestOptions::new().with_timeout(ms(100)));
        let started = Instant::now();
        let err = hurried.send(get("/slow", NO_AUTH), text_decoder).await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert_eq!(err.to_string(), "request timed out");
        // Timeouts are not retried.
        assert!(started.elapsed() < ms(450), "{:?}", started.elapsed());
        assert_eq!(received(&server).await.len(), 1);

        // The original core keeps its own timeout.
        let response = core.send(get("/slow", NO_AUTH), text_decoder).await.unwrap();
        assert_eq!(response.body, "slow");
    }

    /// The timeout bounds the whole attempt: response headers that come in time do not stop it
    /// while the body stalls.
    #[tokio::test]
    async fn a_body_that_stalls_times_out() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nslow");
                let _ = stream.flush();
                // Hold the connection open, the body unfinished, past the client's timeout.
                std::thread::sleep(ms(2000));
            }
        });
        let core = ClientBuilder::new(&url, SCHEMES).timeout(ms(200)).build_core().unwrap();
        let started = Instant::now();
        let err = core.send(get("/slow", NO_AUTH), text_decoder).await.unwrap_err();
        assert!(matches!(err, Error::Timeout), "{err:?}");
        assert!(started.elapsed() < ms(1500), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn send_future_is_send() {
        fn assert_send<T: Send>(value: T) -> T {
            value
        }
        let server = ok_server().await;
        let core = core(&server);
        let handle = tokio::spawn(assert_send(async move { core.send(get("/s", NO_AUTH), text_decoder).await }));
        assert_eq!(handle.await.unwrap().unwrap().body, "ok");
    }
}

mod errors {
    use super::*;

    #[tokio::test]
    async fn messages_are_lowercase_without_trailing_period() {
        let server = ok_server().await;
        let core = core(&server);
        let mut bad = get("/x", NO_AUTH);
        bad.header("x", "\n");
        let errors: Vec<Error<String>> = vec![
            core.send(get("/x", &[&["bearer"]]), text_decoder).await.unwrap_err(),
            core.send(bad, text_decoder).await.unwrap_err(),
            core.send(get("/x", NO_AUTH), |_, _, _| None::<Result<Outcome<(), String>, DecodeError>>)
                .await
                .unwrap_err(),
        ];
        for err in errors {
            let message = err.to_string();
            assert!(message.starts_with(|c: char| c.is_lowercase()), "{message}");
            assert!(!message.ends_with('.'), "{message}");
        }
    }
}

mod bodies {
    use super::*;
    use runtime::{FilePart, Multipart, MultipartForm};
    use serde::Serialize;

    async fn sent(request: Request) -> wiremock::Request {
        let server = ok_server().await;
        core(&server).send(request, text_decoder).await.unwrap();
        received(&server).await.remove(0)
    }

    fn post() -> Request {
        Request::new("op", Method::POST, "/b".into(), NO_AUTH)
    }

    #[derive(Serialize)]
    struct Login {
        username: String,
        remember: bool,
        attempts: u32,
        scopes: Vec<String>,
        device: Option<String>,
        meta: serde_json::Value,
    }

    #[tokio::test]
    async fn form_body_is_urlencoded_with_repeated_arrays_and_json_objects() {
        let mut request = post();
        request.form(&Login {
            username: "a b&c=d/é".to_owned(),
            remember: true,
            attempts: 3,
            scopes: vec!["read".to_owned(), "write".to_owned()],
            device: None,
            meta: serde_json::json!({"k": 1}),
        });
        let request = sent(request).await;
        assert_eq!(header(&request, "content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(
            String::from_utf8(request.body).unwrap(),
            "username=a+b%26c%3Dd%2F%C3%A9&remember=true&attempts=3&scopes=read&scopes=write&meta=%7B%22k%22%3A1%7D"
        );
    }

    #[tokio::test]
    async fn a_form_body_that_is_not_an_object_is_an_invalid_request() {
        let server = ok_server().await;
        let mut request = post();
        request.form(&[1, 2]);
        let err = core(&server).send(request, text_decoder).await.unwrap_err();
        assert!(matches!(&err, Error::InvalidRequest { reason, .. } if reason.contains("object")), "{err:?}");
        assert!(received(&server).await.is_empty());
    }

    struct Upload {
        photo: FilePart,
        thumbnail: Option<FilePart>,
        attachments: Vec<FilePart>,
        title: String,
        rating: Option<i64>,
        tags: Vec<String>,
        meta: serde_json::Value,
    }

    impl MultipartForm for Upload {
        fn write_parts(&self, form: &mut Multipart) {
            form.file("photo", &self.photo, "image/png");
            form.files("thumbnail", &self.thumbnail, "image/jpeg");
            form.files("attachments", &self.attachments, "application/octet-stream");
            form.field("title", &self.title);
            form.field("rating", &self.rating);
            form.field("tags", &self.tags);
            form.field("meta", &self.meta);
        }
    }

    /// Splits a multipart body into (headers, content) pairs.
    fn parts(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
        let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect(content_type);
        assert!(boundary.len() >= 32, "{boundary}");
        let delimiter = format!("--{boundary}");
        let text = body.to_vec();
        let mut out = Vec::new();
        let mut rest = &text[..];
        assert!(rest.ends_with(format!("{delimiter}--\r\n").as_bytes()));
        while let Some(start) = find(rest, delimiter.as_bytes()) {
            rest = &rest[start + delimiter.len()..];
            if rest.starts_with(b"--") {
                break;
            }
            rest = &rest[2..]; // CRLF after the delimiter
            let head_end = find(rest, b"\r\n\r\n").unwrap();
            let head = String::from_utf8(rest[..head_end].to_vec()).unwrap();
            let content_start = head_end + 4;
            let content_end = content_start + find(&rest[content_start..], delimiter.as_bytes()).unwrap() - 2;
            out.push((head, rest[content_start..content_end].to_vec()));
            rest = &rest[content_end..];
        }
        out
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    #[tokio::test]
    async fn multipart_body_has_file_and_value_parts() {
        let mut request = post();
        request.multipart(&Upload {
            photo: FilePart::new(vec![0u8, 159, 146, 150, b'\r', b'\n']).with_filename("me \"1\".png"),
            thumbnail: None,
            attachments: vec![
                FilePart::new(b"a".to_vec()),
                FilePart::new(b"b".to_vec()).with_filename("b.txt").with_content_type("text/plain"),
            ],
            title: "Rex\r\nat home".to_owned(),
            rating: None,
            tags: vec!["a".to_owned(), "b".to_owned()],
            meta: serde_json::json!({"camera": "x"}),
        });
        let request = sent(request).await;
        let content_type = header(&request, "content-type").unwrap().to_owned();
        let parts = parts(&content_type, &request.body);
        let heads: Vec<&str> = parts.iter().map(|(head, _)| head.as_str()).collect();
        assert_eq!(
            heads,
            [
                "Content-Disposition: form-data; name=\"photo\"; filename=\"me %221%22.png\"\r\nContent-Type: image/png",
                "Content-Disposition: form-data; name=\"attachments\"; filename=\"attachments\"\r\nContent-Type: application/octet-stream",
                "Content-Disposition: form-data; name=\"attachments\"; filename=\"b.txt\"\r\nContent-Type: text/plain",
                "Content-Disposition: form-data; name=\"title\"",
                "Content-Disposition: form-data; name=\"tags\"",
                "Content-Disposition: form-data; name=\"tags\"",
                "Content-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json",
            ]
        );
        let contents: Vec<&[u8]> = parts.iter().map(|(_, content)| content.as_slice()).collect();
        assert_eq!(
            contents,
            [&[0u8, 159, 146, 150, b'\r', b'\n'][..], b"a", b"b", b"Rex\r\nat home", b"a", b"b", br#"{"camera":"x"}"#]
        );
    }

    #[tokio::test]
    async fn multipart_boundaries_differ_and_bad_part_types_are_invalid_requests() {
        let form = |content_type: &str| Upload {
            photo: FilePart::new(b"x".to_vec()).with_content_type(content_type),
            thumbnail: None,
            attachments: Vec::new(),
            title: String::new(),
            rating: Some(5),
            tags: Vec::new(),
            meta: serde_json::Value::Null,
        };
        let first = sent({
            let mut request = post();
            request.multipart(&form("image/png"));
            request
        })
        .await;
        let second = sent({
            let mut request = post();
            request.multipart(&form("image/png"));
            request
        })
        .await;
        assert_ne!(header(&first, "content-type"), header(&second, "content-type"));

        let server = ok_server().await;
        let mut request = post();
        request.multipart(&form("image/png\r\nX-Evil: 1"));
        let err = core(&server).send(request, text_decoder).await.unwrap_err();
        assert!(matches!(&err, Error::InvalidRequest { reason, .. } if reason.contains("content type")), "{err:?}");
        assert!(received(&server).await.is_empty());
    }

    #[tokio::test]
    async fn text_json_as_and_binary_bodies_carry_their_content_types() {
        let mut request = post();
        request.text("text/csv", "a,b\n1,2");
        let request = sent(request).await;
        assert_eq!(header(&request, "content-type"), Some("text/csv"));
        assert_eq!(request.body, b"a,b\n1,2");

        let mut request = post();
        request.json_as("application/merge-patch+json", &serde_json::json!({"name": null}));
        let request = sent(request).await;
        assert_eq!(header(&request, "content-type"), Some("application/merge-patch+json"));
        assert_eq!(request.body, br#"{"name":null}"#);

        let mut request = post();
        request.body("application/octet-stream", vec![0u8, 255, 1]);
        let request = sent(request).await;
        assert_eq!(header(&request, "content-type"), Some("application/octet-stream"));
        assert_eq!(request.body, [0u8, 255, 1]);
    }

    #[tokio::test]
    async fn binary_bodies_are_resent_on_retries() {
        let server = MockServer::start().await;
        Mock::given(method("PUT")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
        Mock::given(method("PUT")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(&server).await;
        let mut request = Request::new("put", Method::PUT, "/b".into(), NO_AUTH);
        request.body("application/octet-stream", &b"\x00bytes"[..]);
        core(&server).send(request, text_decoder).await.unwrap();
        let requests = received(&server).await;
        assert_eq!(requests.len(), 2);
        assert!(requests.iter().all(|r| r.body == b"\x00bytes"));
    }

    #[tokio::test]
    async fn binary_responses_are_kept_as_bytes() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(vec![0u8, 159, 255], "application/pdf"))
            .mount(&server)
            .await;
        let decode = |status: StatusCode, _: &reqwest::header::HeaderMap, body: &[u8]| match status.as_u16() {
            200 => runtime::ok_bytes::<()>(body),
            _ => None,
        };
        let response = core(&server).send(get("/file", NO_AUTH), decode).await.unwrap();
        assert_eq!(response.body, [0u8, 159, 255]);
    }
}

mod events {
    use super::*;
    use runtime::{Event, EventParser, EventStream, StreamError};

    fn parse_all(chunks: &[&[u8]]) -> Vec<runtime::RawEvent> {
        let mut parser = EventParser::new(1024);
        let mut events = Vec::new();
        for chunk in chunks {
            parser.push(chunk);
            while let Some(event) = parser.next_event().unwrap() {
                events.push(event);
            }
        }
        events
    }

    fn event(kind: &str, data: &str, id: Option<&str>) -> runtime::RawEvent {
        Event { event: kind.to_owned(), data: data.to_owned(), id: id.map(str::to_owned) }
    }

    #[test]
    fn lines_fields_comments_and_dispatch_follow_the_standard() {
        let stream: &[u8] = b"\xEF\xBB\xBF: a comment\n\
            data: first\n\
            data:  two spaces\n\
            \n\
            event: update\r\n\
            id: 7\r\n\
            data\r\n\
            \r\n\
            event: no data\rretry: 1500\r\r\
            data: after cr\r\n\
            unknown: field\n\
            id\n\
            data: {\"x\": 1}\n\n\
            data: cut off at the end";
        let events = parse_all(&[stream]);
        assert_eq!(
            events,
            [
                event("message", "first\n two spaces", None),
                event("update", "", Some("7")),
                // `id` with no value clears the last event id.
                event("message", "after cr\n{\"x\": 1}", None),
            ]
        );
        let mut parser = EventParser::new(1024);
        parser.push(stream);
        while parser.next_event().unwrap().is_some() {}
        assert_eq!(parser.retry(), Some(Duration::from_millis(1500)));
        assert_eq!(parser.last_event_id(), None);
    }

    #[test]
    fn any_chunking_gives_the_same_events() {
        let stream: &[u8] = b"\xEF\xBB\xBFid: 1\r\ndata: a\r\ndata: \xC3\xA9\r\n\r\nevent: e\rdata: b\r\r\ndata: c\n\n";
        let whole = parse_all(&[stream]);
        assert_eq!(
            whole,
            [event("message", "a\né", Some("1")), event("e", "b", Some("1")), event("message", "c", Some("1"))]
        );
        for size in 1..stream.len() {
            let chunks: Vec<&[u8]> = stream.chunks(size).collect();
            assert_eq!(parse_all(&chunks), whole, "chunks of {size}");
        }
    }

    #[test]
    fn oversized_lines_and_events_fail() {
        let mut parser = EventParser::new(8);
        parser.push(b"data: 0123456789");
        assert!(matches!(parser.next_event(), Err(StreamError::TooLarge { limit: 8 })));
        let mut parser = EventParser::new(8);
        parser.push(b"data: 01234\ndata: 56789\n");
        assert!(matches!(parser.next_event(), Err(StreamError::TooLarge { limit: 8 })));
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Tick {
        n: u32,
    }

    /// 200 streams; 401 is a documented error with a JSON body.
    fn tick_decoder(
        status: StatusCode,
        _: &reqwest::header::HeaderMap,
        body: &[u8],
    ) -> Decoded<EventStream<Tick>, ApiError> {
        match status.as_u16() {
            401 => runtime::err_json(body, |e: ApiError| e),
            _ => None,
        }
    }

    #[tokio::test]
    async fn typed_events_decode_each_data_and_go_on_after_a_bad_one() {
        let server = MockServer::start().await;
        let body = "data: {\"n\": 1}\n\nevent: tick\ndata: not json\n\nid: 9\ndata: {\"n\": 2}\n\ndata: [DONE]\n\n";
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
            .mount(&server)
            .await;
        let response =
            core(&server).send_events(get("/ticks", NO_AUTH), EventStream::json, tick_decoder).await.unwrap();
        assert_eq!(header(&received(&server).await[0], "accept"), Some("text/event-stream"));
        let mut events = response.into_body();
        assert_eq!(
            events.next().await.unwrap().unwrap(),
            Event { event: "message".into(), data: Tick { n: 1 }, id: None }
        );
        let err = events.next().await.unwrap().unwrap_err();
        assert!(
            matches!(&err, StreamError::Decode { event, .. } if event.event == "tick" && event.data == "not json"),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "failed to decode the data of a \"tick\" event");
        let second = events.next().await.unwrap().unwrap();
        assert_eq!((second.data, second.id.as_deref()), (Tick { n: 2 }, Some("9")));
        assert!(matches!(events.next().await, Some(Err(StreamError::Decode { .. }))));
        assert!(events.next().await.is_none());
        assert!(events.next().await.is_none());
        assert_eq!(events.last_event_id(), Some("9"));
    }

    #[tokio::test]
    async fn raw_events_keep_text_and_error_statuses_are_decoded_not_streamed() {
        let server = MockServer::start().await;
        Mock::given(path("/logs"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw("data: line 1\ndata: line 2\n\n", "text/event-stream"),
            )
            .mount(&server)
            .await;
        Mock::given(path("/denied"))
            .respond_with(ResponseTemplate::new(401).set_body_raw(r#"{"code":"nope"}"#, "application/problem+json"))
            .mount(&server)
            .await;
        let core = core(&server);
        let decode = |_: StatusCode, _: &reqwest::header::HeaderMap, _: &[u8]| {
            None::<Result<Outcome<EventStream<String>, ()>, DecodeError>>
        };
        let mut logs = core.send_events(get("/logs", NO_AUTH), EventStream::text, decode).await.unwrap().into_body();
        assert_eq!(logs.next().await.unwrap().unwrap().data, "line 1\nline 2");
        assert!(logs.next().await.is_none());

        let mut request = get("/denied", NO_AUTH);
        request.header("accept", "text/event-stream, application/problem+json");
        let err = core.send_events(request, EventStream::json, tick_decoder).await.unwrap_err();
        assert!(matches!(&err, Error::Api { body: ApiError { code }, .. } if code == "nope"), "{err:?}");
        assert_eq!(header(&received(&server).await[1], "accept"), Some("text/event-stream, application/problem+json"));
    }

    /// Serves the response head and `first`, then keeps the connection open without sending more.
    fn stalling_server(first: &'static [u8]) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(format!("{:x}\r\n", first.len()).as_bytes());
                let _ = stream.write_all(first);
                let _ = stream.write_all(b"\r\n");
                let _ = stream.flush();
                std::thread::sleep(Duration::from_secs(3));
            }
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn a_stalled_stream_times_out_between_events_not_after_the_first_one() {
        let url = stalling_server(b"data: {\"n\": 1}\n\n");
        let core = ClientBuilder::new(&url, SCHEMES).timeout(ms(300)).build_core().unwrap();
        let started = Instant::now();
        let mut events =
            core.send_events(get("/ticks", NO_AUTH), EventStream::json, tick_decoder).await.unwrap().into_body();
        assert_eq!(events.next().await.unwrap().unwrap().data, Tick { n: 1 });
        let err = events.next().await.unwrap().unwrap_err();
        assert!(matches!(err, StreamError::Timeout), "{err:?}");
        assert!(events.next().await.is_none());
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_stream_without_response_headers_times_out() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let accepted = listener.accept();
            std::thread::sleep(Duration::from_secs(2));
            drop(accepted);
        });
        let core = ClientBuilder::new(&url, SCHEMES).timeout(ms(200)).build_core().unwrap();
        let err = core.send_events(get("/ticks", NO_AUTH), EventStream::json, tick_decoder).await.unwrap_err();
        assert!(matches!(err, Error::Timeout) && err.is_timeout(), "{err:?}");
        assert_eq!(err.to_string(), "request timed out");
    }
}

mod items {
    use super::*;
    use runtime::{ItemStream, StreamError};

    #[derive(Debug, Deserialize, PartialEq)]
    struct Tick {
        n: u32,
    }

    fn decoder(status: StatusCode, _: &reqwest::header::HeaderMap, body: &[u8]) -> Decoded<ItemStream<Tick>, ApiError> {
        match status.as_u16() {
            401 => runtime::err_json(body, |e: ApiError| e),
            _ => None,
        }
    }

    async fn all(items: &mut ItemStream<Tick>) -> Vec<Result<u32, String>> {
        let mut out = Vec::new();
        while let Some(item) = items.next().await {
            out.push(item.map(|t| t.n).map_err(|e| match e {
                StreamError::Item { text, .. } => text,
                other => other.to_string(),
            }));
        }
        out
    }

    /// JSON Lines, NDJSON and JSON text sequences alike: blank lines, CRLF and record
    /// separators are skipped, a bad item is an error and the stream goes on, and a last item
    /// without a line feed is read.
    #[tokio::test]
    async fn items_decode_one_per_line_and_go_on_after_a_bad_one() {
        let server = MockServer::start().await;
        let body = "{\"n\": 1}\n\n{\"n\":2}\r\nnot json\n\u{1e}{\"n\": 3}\n\u{1e}{\"n\": 4}";
        Mock::given(path("/ticks"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/jsonl"))
            .mount(&server)
            .await;
        Mock::given(path("/denied"))
            .respond_with(ResponseTemplate::new(401).set_body_raw(r#"{"code":"nope"}"#, "application/json"))
            .mount(&server)
            .await;
        let core = core(&server);
        let response = core.send_items(get("/ticks", NO_AUTH), "application/jsonl", decoder).await.unwrap();
        assert_eq!(header(&received(&server).await[0], "accept"), Some("application/jsonl"));
        let mut items = response.into_body();
        assert_eq!(all(&mut items).await, [Ok(1), Ok(2), Err("not json".to_owned()), Ok(3), Ok(4)]);
        assert!(items.next().await.is_none());

        let err = core.send_items(get("/denied", NO_AUTH), "application/x-ndjson", decoder).await.unwrap_err();
        assert!(matches!(&err, Error::Api { body: ApiError { code }, .. } if code == "nope"), "{err:?}");
    }

    #[tokio::test]
    async fn many_items_in_one_body_come_out_in_order() {
        let server = MockServer::start().await;
        let body: String = (0..10_000).map(|n| format!("{{\"n\": {n}}}\n")).collect();
        Mock::given(path("/ticks"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/jsonl"))
            .mount(&server)
            .await;
        let core = core(&server);
        let mut items =
            core.send_items(get("/ticks", NO_AUTH), "application/jsonl", decoder).await.unwrap().into_body();
        let expected: Vec<Result<u32, String>> = (0..10_000).map(Ok).collect();
        assert_eq!(all(&mut items).await, expected);
    }

    /// Serves `pieces` as separate chunks of one response, a little apart.
    fn chunked_server(pieces: &'static [&'static [u8]]) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let head =
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n";
                let _ = stream.write_all(head.as_bytes());
                for piece in pieces {
                    let _ = stream.write_all(format!("{:x}\r\n", piece.len()).as_bytes());
                    let _ = stream.write_all(piece);
                    let _ = stream.write_all(b"\r\n");
                    let _ = stream.flush();
                    std::thread::sleep(ms(20));
                }
                let _ = stream.write_all(b"0\r\n\r\n");
            }
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn items_split_across_chunks_are_joined() {
        let url = chunked_server(&[b"{\"n\"", b": 1}\n{\"n\": 2", b"}\n", b"{\"n\": 3}\r", b"\n"]);
        let core = ClientBuilder::new(&url, SCHEMES).build_core().unwrap();
        let mut items =
            core.send_items(get("/ticks", NO_AUTH), "application/x-ndjson", decoder).await.unwrap().into_body();
        assert_eq!(all(&mut items).await, [Ok(1), Ok(2), Ok(3)]);
    }

    #[tokio::test]
    async fn an_item_over_the_size_limit_ends_the_stream() {
        let url = chunked_server(&[b"{\"n\": 1}\n{\"n\": 12345", b"678901234567890"]);
        let core = ClientBuilder::new(&url, SCHEMES).max_response_bytes(16).build_core().unwrap();
        let mut items =
            core.send_items(get("/ticks", NO_AUTH), "application/x-ndjson", decoder).await.unwrap().into_body();
        assert_eq!(all(&mut items).await, [Ok(1), Err("an event or item exceeds the limit of 16 bytes".to_owned())]);
    }
}

mod nullable {
    use runtime::Nullable;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        nickname: Nullable<String>,
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        age: Nullable<u32>,
    }

    #[test]
    fn serialises_absent_null_and_value() {
        let patch = Patch::default();
        assert_eq!(serde_json::to_string(&patch).unwrap(), "{}");
        let patch = Patch { nickname: Nullable::Null, age: Nullable::Value(3) };
        assert_eq!(serde_json::to_string(&patch).unwrap(), r#"{"nickname":null,"age":3}"#);
        // Reached without the skip attribute, Absent is null.
        assert_eq!(serde_json::to_string(&Nullable::<u32>::Absent).unwrap(), "null");
    }

    #[test]
    fn deserialises_missing_null_and_value() {
        let patch: Patch = serde_json::from_str(r#"{"nickname":null}"#).unwrap();
        assert_eq!(patch.nickname, Nullable::Null);
        assert_eq!(patch.age, Nullable::Absent);
        let patch: Patch = serde_json::from_str(r#"{"nickname":"Rex","age":4}"#).unwrap();
        assert_eq!(patch.nickname, Nullable::Value("Rex".to_owned()));
        assert_eq!(patch.age, Nullable::Value(4));
        assert!(serde_json::from_str::<Patch>(r#"{"age":"old"}"#).is_err());
    }

    #[test]
    fn round_trips() {
        for patch in [
            Patch::default(),
            Patch { nickname: Nullable::Null, age: Nullable::Absent },
            Patch { nickname: "Rex".to_owned().into(), age: None.into() },
        ] {
            let json = serde_json::to_string(&patch).unwrap();
            let back: Patch = serde_json::from_str(&json).unwrap();
            assert_eq!(back, patch, "{json}");
        }
    }

    #[test]
    fn accessors_and_conversions() {
        let value: Nullable<u32> = 5.into();
        assert_eq!(value, Nullable::Value(5));
        assert_eq!(Nullable::from(Some(5)), Nullable::Value(5));
        assert_eq!(Nullable::<u32>::from(None), Nullable::Null);
        assert_eq!(Nullable::<u32>::default(), Nullable::Absent);
        assert!(Nullable::<u32>::Absent.is_absent());
        assert!(Nullable::<u32>::Null.is_null());
        assert!(value.is_value());
        assert_eq!(value.as_ref(), Nullable::Value(&5));
        assert_eq!(value.as_option(), Some(&5));
        assert_eq!(value.clone().map(|v| v * 2), Nullable::Value(10));
        assert_eq!(value.into_option(), Some(5));
        assert_eq!(Nullable::<u32>::Null.into_option(), None);
        assert_eq!(Nullable::<u32>::Absent.as_option(), None);
    }
}

/// The generator copies `src/` into each client as `src/runtime/`, `lib.rs`
/// as `mod.rs`; compiling it here as a module proves it works as a module too.
// Private here, so the public items nothing in these tests uses are unused.
#[allow(dead_code, unused_imports)]
#[path = "../src/lib.rs"]
mod copied_runtime;

mod copied_as_module {
    use super::copied_runtime as runtime;

    #[test]
    fn compiles_and_works_as_a_module() {
        assert_eq!(runtime::encode_path_segment(".."), "%2E%2E");
        let scheme = runtime::SecurityScheme { name: "bearer", kind: runtime::SchemeKind::Bearer };
        assert_eq!(scheme.kind, runtime::SchemeKind::Bearer);
    }

    /// A generated mock type is a tuple struct around a `MockCall` with `mock_methods!`; the
    /// path's text and a set path parameter match only themselves (escaped: `.` is not a
    /// wildcard), an unset parameter any segment, and the shared methods narrow, limit and dress
    /// the answer.
    #[tokio::test]
    async fn a_mock_type_matches_its_path_and_answers_as_set_up() {
        struct PetToyMock<'a>(runtime::MockCall<'a>);
        runtime::mock_methods!(PetToyMock);

        let server = wiremock::MockServer::start().await;
        let call = runtime::MockCall::new(&server, "GET", &["/pets/", "/toys/", ""]).path(0, "a.b");
        PetToyMock(call)
            .matching(wiremock::matchers::query_param("size", "big"))
            .header("x-answer", "first")
            .expect(1)
            .up_to_n_times(1)
            .respond(wiremock::ResponseTemplate::new(200))
            .await;
        let call = runtime::MockCall::new(&server, "GET", &["/pets/", "/toys/", ""]).query("size", "small");
        PetToyMock(call).respond(wiremock::ResponseTemplate::new(204)).await;
        // The path's own text is matched as it is too.
        let call = runtime::MockCall::new(&server, "GET", &["/v1.0/ping"]);
        PetToyMock(call).respond(wiremock::ResponseTemplate::new(202)).await;

        let client = reqwest::Client::new();
        let get = |path: &str| client.get(format!("{}{path}", server.uri())).send();
        assert_eq!(get("/pets/aXb/toys/1?size=big").await.unwrap().status(), 404, "`.` matched another character");
        let first = get("/pets/a.b/toys/1?size=big").await.unwrap();
        assert_eq!((first.status().as_u16(), first.headers()["x-answer"].to_str().unwrap()), (200, "first"));
        assert_eq!(get("/pets/a.b/toys/1?size=big").await.unwrap().status(), 404, "answered past its limit");
        assert_eq!(get("/pets/any/toys/2?size=small").await.unwrap().status(), 204);
        assert_eq!(get("/pets/any/toys/2/more?size=small").await.unwrap().status(), 404);
        assert_eq!(get("/v1X0/ping").await.unwrap().status(), 404, "the path's `.` matched another character");
        assert_eq!(get("/v1.0/ping").await.unwrap().status(), 202);
        server.verify().await;
    }
}

#[test]
fn the_next_link_is_found_among_link_headers() {
    use reqwest::header::{HeaderMap, HeaderValue, LINK};
    let headers = |values: &[&str]| {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(LINK, HeaderValue::from_str(value).unwrap());
        }
        map
    };
    let next = |values: &[&str]| runtime::next_link(&headers(values));
    assert_eq!(next(&[r#"<https://a.test/x?page=2>; rel="next""#]).as_deref(), Some("https://a.test/x?page=2"));
    assert_eq!(
        next(&[r#"<https://a.test/x?page=1>; rel="prev", <https://a.test/x?page=3>; rel="next", <https://a.test/x?page=9>; rel="last""#])
            .as_deref(),
        Some("https://a.test/x?page=3")
    );
    // Several relation types in one, unquoted, any case, or in a second header.
    assert_eq!(next(&[r#"</x?p=2>; title="n"; rel="last NEXT""#]).as_deref(), Some("/x?p=2"));
    assert_eq!(next(&["</x?p=4>; rel=next"]).as_deref(), Some("/x?p=4"));
    assert_eq!(next(&[r#"</x?p=1>; rel="first""#, r#"</x?p=5>; rel="next""#]).as_deref(), Some("/x?p=5"));
    assert_eq!(next(&[r#"</x?p=1>; rel="prev""#, "garbage", "<unclosed; rel=next"]), None);
    assert_eq!(next(&[]), None);
}

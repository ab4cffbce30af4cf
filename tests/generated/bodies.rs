//! Run inside the generated `bodies` crate (see `tests/integration/compile.rs`): the generated
//! client sends each kind of request body and reads each kind of response body as specified,
//! against wiremock on 127.0.0.1, and turns malformed bodies into errors, never panics.

use bodies::client::UploadPhotoForm;
use bodies::runtime::{FilePart, StreamError};
use bodies::types::{
    GetBlobError, GetExportError, GetExportSuccess, LoginForm, PetEventKind, Photo, UploadPhotoError,
    UploadPhotoFormMetadata, WatchEventsError,
};
use bodies::{Client, Error};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(status: u16, route: &str, body: impl AsRef<[u8]>, content_type: &str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(path(route))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.as_ref().to_vec(), content_type))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    (server, client)
}

async fn request(server: &MockServer) -> wiremock::Request {
    server.received_requests().await.unwrap().remove(0)
}

fn content_type(request: &wiremock::Request) -> &str {
    request.headers.get("content-type").map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn multipart_upload_sends_files_and_fields() {
    let (server, client) = serve(201, "/pets/p1/photo", r#"{"id":"ph1"}"#, "application/json").await;
    let form = UploadPhotoForm::new(
        FilePart::new(vec![0x89, b'P', b'N', b'G', 0xff]).with_filename("rex.png"),
        "Rex".to_owned(),
    )
    .with_rating(5)
    .with_tags(vec!["good".to_owned(), "dog".to_owned()])
    .with_metadata(UploadPhotoFormMetadata::default().with_camera("X100".to_owned()))
    .with_attachments(vec![FilePart::new(b"notes".to_vec()).with_content_type("text/plain")]);
    let photo = client.upload_photo("p1", &form).await.unwrap().into_body();
    assert_eq!(photo, Photo::new("ph1".to_owned()));

    let sent = request(&server).await;
    assert_eq!(sent.method.as_str(), "POST");
    let boundary = content_type(&sent).strip_prefix("multipart/form-data; boundary=").unwrap().to_owned();
    let body = sent.body.clone();
    let text = String::from_utf8_lossy(&body);
    let part = |head: &str, content: &[u8]| {
        let mut expected = format!("--{boundary}\r\n{head}\r\n\r\n").into_bytes();
        expected.extend_from_slice(content);
        expected.extend_from_slice(b"\r\n");
        assert!(body.windows(expected.len()).any(|w| w == expected), "no part {head:?} in:\n{text}");
    };
    part(
        "Content-Disposition: form-data; name=\"photo\"; filename=\"rex.png\"\r\nContent-Type: image/png",
        &[0x89, b'P', b'N', b'G', 0xff],
    );
    part(
        "Content-Disposition: form-data; name=\"attachments\"; filename=\"attachments\"\r\nContent-Type: text/plain",
        b"notes",
    );
    part("Content-Disposition: form-data; name=\"title\"", b"Rex");
    part("Content-Disposition: form-data; name=\"rating\"", b"5");
    part("Content-Disposition: form-data; name=\"tags\"", b"good");
    part("Content-Disposition: form-data; name=\"tags\"", b"dog");
    part(
        "Content-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json",
        br#"{"camera":"X100"}"#,
    );
    assert!(!text.contains("name=\"thumbnail\""), "absent files are not sent");
    assert!(body.ends_with(format!("--{boundary}--\r\n").as_bytes()));
}

#[tokio::test]
async fn problem_json_errors_are_decoded_as_json() {
    let problem = r#"{"title":"too large","status":413}"#;
    let (_server, client) = serve(413, "/pets/p1/photo", problem, "application/problem+json").await;
    let form = UploadPhotoForm::new(FilePart::new(vec![0; 16]), String::new());
    let err = client.upload_photo("p1", &form).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { body: UploadPhotoError::PayloadTooLarge(p), .. } if p.title == "too large"),
        "{err:?}"
    );
}

#[tokio::test]
async fn forms_are_urlencoded_and_text_responses_are_strings() {
    let (server, client) = serve(200, "/login", "token-123", "text/plain").await;
    let form = LoginForm::new("ada lovelace".to_owned(), "p&ss=word".to_owned())
        .with_remember(true)
        .with_scopes(vec!["read".to_owned(), "write".to_owned()]);
    assert_eq!(client.login(&form).await.unwrap().into_body(), "token-123");
    let sent = request(&server).await;
    assert_eq!(content_type(&sent), "application/x-www-form-urlencoded");
    assert_eq!(
        String::from_utf8(sent.body).unwrap(),
        "username=ada+lovelace&password=p%26ss%3Dword&remember=true&scopes=read&scopes=write"
    );

    // The form is chosen over multipart; an absent optional body sends nothing.
    let (server, client) = serve(204, "/import", "", "text/plain").await;
    client.import_records().body(&form).await.unwrap();
    client.import_records().await.unwrap();
    let sent = server.received_requests().await.unwrap();
    assert_eq!(content_type(&sent[0]), "application/x-www-form-urlencoded");
    assert_eq!((content_type(&sent[1]), sent[1].body.len()), ("", 0));
}

#[tokio::test]
async fn json_is_chosen_first_and_json_media_types_are_kept() {
    let (server, client) = serve(200, "/convert", "<photo/>", "application/xml").await;
    let photo = Photo::new("ph1".to_owned());
    assert_eq!(client.convert(&photo).await.unwrap().into_body(), "<photo/>");
    assert_eq!(content_type(&request(&server).await), "application/json");

    let (server, client) = serve(200, "/pets/p1", r#"{"id":"ph1","title":"t"}"#, "application/json").await;
    client.patch_pet("p1", &photo).await.unwrap();
    let sent = request(&server).await;
    assert_eq!(content_type(&sent), "application/merge-patch+json");
    assert_eq!(sent.body, br#"{"id":"ph1"}"#);
}

#[tokio::test]
async fn text_and_binary_request_bodies() {
    let (server, client) = serve(201, "/notes", "stored", "text/plain").await;
    assert_eq!(client.add_note("first line\nsecond").await.unwrap().into_body(), "stored");
    let sent = request(&server).await;
    assert_eq!((content_type(&sent), sent.body.as_slice()), ("text/plain", &b"first line\nsecond"[..]));

    let (server, client) = serve(204, "/blobs/k", "", "text/plain").await;
    client.put_blob("k", vec![0u8, 1, 2, 255]).await.unwrap();
    client.put_blob("k", "text works too").await.unwrap();
    client.append_blob("k").body(vec![9u8]).await.unwrap();
    client.append_blob("k").send().await.unwrap();
    let sent = server.received_requests().await.unwrap();
    assert_eq!((content_type(&sent[0]), sent[0].body.as_slice()), ("application/octet-stream", &[0u8, 1, 2, 255][..]));
    assert_eq!(sent[1].body, b"text works too");
    assert_eq!((content_type(&sent[2]), sent[2].body.as_slice()), ("application/octet-stream", &[9u8][..]));
    assert_eq!((content_type(&sent[3]), sent[3].body.len()), ("", 0));
}

#[tokio::test]
async fn binary_downloads_are_bytes_and_binary_errors_keep_their_body() {
    let bytes = vec![0u8, 0x9f, 0x92, 0x96, 0xff];
    let (_server, client) = serve(200, "/blobs/k", &bytes, "application/octet-stream").await;
    assert_eq!(client.get_blob("k").await.unwrap().into_body(), bytes);

    let (_server, client) = serve(204, "/blobs/k", "", "application/octet-stream").await;
    assert_eq!(client.get_blob("k").await.unwrap().into_body(), Vec::<u8>::new());

    let (_server, client) = serve(404, "/blobs/k", r#"{"title":"missing"}"#, "application/problem+json").await;
    let err = client.get_blob("k").await.unwrap_err();
    assert!(matches!(&err, Error::Api { body: GetBlobError::NotFound(p), .. } if p.title == "missing"), "{err:?}");

    let (_server, client) = serve(410, "/blobs/k", &bytes, "image/png").await;
    let err = client.get_blob("k").await.unwrap_err();
    assert!(matches!(err.api_body(), Some(GetBlobError::Gone)), "{err:?}");
    assert_eq!(err.response().unwrap().body(), bytes.as_slice());
}

#[tokio::test]
async fn malformed_bodies_are_typed_errors_not_panics() {
    let (_server, client) = serve(404, "/blobs/k", "<html>oops</html>", "text/html").await;
    let err = client.get_blob("k").await.unwrap_err();
    assert!(matches!(&err, Error::Decode { response, .. } if response.body_text().contains("oops")), "{err:?}");

    let (_server, client) = serve(200, "/readme", [b'#', 0xff, 0xfe], "text/markdown").await;
    let err = client.get_readme().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");

    let (_server, client) = serve(200, "/readme", "# Title\nä", "text/markdown").await;
    assert_eq!(client.get_readme().await.unwrap().into_body(), "# Title\nä");
}

#[tokio::test]
async fn a_status_with_several_representations_is_read_by_its_content_type() {
    let (_server, client) = serve(200, "/exports/e1", r#"{"id":"ph1"}"#, "application/json").await;
    assert_eq!(client.get_export("e1").await.unwrap().into_body(), GetExportSuccess::Ok(Photo::new("ph1".to_owned())));

    // A caller asks for a representation with `Accept`.
    let (server, client) = serve(200, "/exports/e1", "id,name\n1,Rex\n", "Text/CSV; charset=utf-8").await;
    let client = client.with_options(bodies::RequestOptions::new().with_header("accept", "text/csv"));
    let csv = client.get_export("e1").await.unwrap().into_body();
    assert_eq!(csv, GetExportSuccess::OkCsv("id,name\n1,Rex\n".to_owned()));
    assert_eq!(request(&server).await.headers.get("accept").unwrap(), "text/csv");

    let pdf = b"%PDF-1.7\n\xff\xfe".to_vec();
    let (_server, client) = serve(200, "/exports/e1", &pdf, "application/pdf").await;
    assert_eq!(client.get_export("e1").await.unwrap().into_body(), GetExportSuccess::OkPdf(pdf));

    // No Content-Type, or one the spec does not list: the main representation is tried.
    let server = MockServer::start().await;
    Mock::given(path("/exports/e1"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(br#"{"id":"ph2"}"#.to_vec()).insert_header("content-type", "application/x-unknown"))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    assert_eq!(client.get_export("e1").await.unwrap().into_body(), GetExportSuccess::Ok(Photo::new("ph2".to_owned())));

    let (_server, client) = serve(202, "/exports/e1", "", "text/plain").await;
    assert_eq!(client.get_export("e1").await.unwrap().into_body(), GetExportSuccess::Accepted);

    let (_server, client) = serve(404, "/exports/e1", "<h1>gone</h1>", "text/html").await;
    let err = client.get_export("e1").await.unwrap_err();
    assert!(matches!(err.api_body(), Some(GetExportError::NotFoundHtml(html)) if html == "<h1>gone</h1>"), "{err:?}");
    let (_server, client) = serve(404, "/exports/e1", r#"{"title":"no export"}"#, "application/problem+json").await;
    let err = client.get_export("e1").await.unwrap_err();
    assert!(matches!(err.api_body(), Some(GetExportError::NotFound(p)) if p.title == "no export"), "{err:?}");
}

#[tokio::test]
async fn event_streams_are_typed_and_bad_events_do_not_end_them() {
    let stream = "retry: 3000\n\
        : keep-alive\n\
        id: 1\n\
        data: {\"kind\": \"created\", \"pet_id\": \"p1\"}\n\n\
        data: {\"kind\": \"renamed\"}\n\n\
        event: update\r\nid: 2\r\ndata: {\"kind\": \"deleted\",\r\ndata:  \"pet_id\": \"p2\"}\r\n\r\n";
    let (server, client) = serve(200, "/events", stream, "text/event-stream").await;
    let mut events = client.watch_events().await.unwrap().into_body();
    let first = events.next().await.unwrap().unwrap();
    assert_eq!((first.event.as_str(), first.id.as_deref()), ("message", Some("1")));
    assert_eq!((first.data.kind, first.data.pet_id.as_str()), (PetEventKind::Created, "p1"));
    let bad = events.next().await.unwrap().unwrap_err();
    assert!(matches!(&bad, StreamError::Decode { event, .. } if event.data.contains("renamed")), "{bad:?}");
    let third = events.next().await.unwrap().unwrap();
    assert_eq!((third.event.as_str(), third.data.pet_id.as_str()), ("update", "p2"));
    assert!(events.next().await.is_none());
    assert_eq!(events.retry(), Some(std::time::Duration::from_secs(3)));
    assert_eq!(events.last_event_id(), Some("2"));
    let sent = request(&server).await;
    assert_eq!(sent.headers.get("accept").unwrap(), "text/event-stream");
}

#[tokio::test]
async fn event_stream_errors_raw_events_and_event_shaped_schemas() {
    let (_server, client) = serve(401, "/events", r#"{"title":"log in"}"#, "application/problem+json").await;
    let err = client.watch_events().await.unwrap_err();
    assert!(matches!(&err, Error::Api { body: WatchEventsError::Unauthorized(p), .. } if p.title == "log in"));

    let (_server, client) =
        serve(200, "/logs", "data: GET /a 200\n\ndata: not json either\n\n", "text/event-stream").await;
    let mut logs = client.tail_logs().await.unwrap().into_body();
    assert_eq!(logs.next().await.unwrap().unwrap().data, "GET /a 200");
    assert_eq!(logs.next().await.unwrap().unwrap().data, "not json either");
    assert!(logs.next().await.is_none());

    let (_server, client) = serve(200, "/ticks", "event: tick\ndata: {\"n\": 7}\n\n", "text/event-stream").await;
    let mut ticks = client.ticks().await.unwrap().into_body();
    let tick = ticks.next().await.unwrap().unwrap();
    assert_eq!((tick.event.as_str(), tick.data.n), ("tick", 7));
}

/// The crate's typed mock server (feature `mock`): typed events, bytes, an error without a body,
/// and call counts, with no body written by hand.
#[cfg(feature = "mock")]
mod mock {
    use bodies::Error;
    use bodies::mock::MockServer;
    use bodies::types::{GetBlobError, GetExportError, GetExportSuccess, PetEvent, PetEventKind};

    #[tokio::test]
    async fn the_mock_answers_typed_events_bytes_and_errors() {
        let server = MockServer::start().await;
        let client = server.client_builder().build().unwrap();
        let events = [PetEvent::new(PetEventKind::Created, "p1".to_owned()), PetEvent::new(PetEventKind::Deleted, "p2".to_owned())];
        server.watch_events().expect(1).ok(&events).await;
        server.tail_logs().expect(1).ok(&["GET /a 200", "two\nlines"]).await;
        server.get_blob().key("a b").expect(1).ok(b"\x00\x01").await;
        server.get_blob().key("gone").expect(1).error(&GetBlobError::Gone).await;

        let mut stream = client.watch_events().await.unwrap().into_body();
        assert_eq!(stream.next().await.unwrap().unwrap().data, events[0]);
        assert_eq!(stream.next().await.unwrap().unwrap().data, events[1]);
        assert!(stream.next().await.is_none());
        let mut logs = client.tail_logs().await.unwrap().into_body();
        assert_eq!(logs.next().await.unwrap().unwrap().data, "GET /a 200");
        assert_eq!(logs.next().await.unwrap().unwrap().data, "two\nlines");
        assert_eq!(client.get_blob("a b").await.unwrap().into_body(), [0, 1]);
        let error = client.get_blob("gone").await.unwrap_err();
        assert!(matches!(error, Error::Api { body: GetBlobError::Gone, .. }), "{error:?}");
        server.verify().await;
    }

    #[tokio::test]
    async fn the_mock_answers_each_representation_with_its_content_type() {
        let server = MockServer::start().await;
        let client = server.client_builder().build().unwrap();
        let csv = GetExportSuccess::OkCsv("id\n1\n".to_owned());
        let pdf = GetExportSuccess::OkPdf(b"%PDF".to_vec());
        server.get_export().id("csv").expect(1).ok(&csv).await;
        server.get_export().id("pdf").expect(1).ok(&pdf).await;
        server.get_export().id("html").expect(1).error(&GetExportError::NotFoundHtml("<p>no</p>".to_owned())).await;
        assert_eq!(client.get_export("csv").await.unwrap().into_body(), csv);
        assert_eq!(client.get_export("pdf").await.unwrap().into_body(), pdf);
        let error = client.get_export("html").await.unwrap_err();
        assert!(matches!(error.api_body(), Some(GetExportError::NotFoundHtml(html)) if html == "<p>no</p>"), "{error:?}");
        server.verify().await;
    }
}

//! The cost of one generated call against the same request written by hand with reqwest and
//! serde_json: Truedy's `update_call` (a PATCH with a JSON body, bearer auth, a typed 200)
//! against a wiremock server on 127.0.0.1, both clients in one process, alternating rounds.
//!
//! `cargo bench -p integration-tests --bench calls` prints, for calls one at a time and for
//! many in flight, the median time per call of each side over the rounds, the median of the
//! ratios of rounds run back to back (so drift in the machine's load cancels out), and
//! the heap allocations per call of each (counted by this binary's allocator, so they do not
//! move with machine load). The server's own work is in both sides' time alike. Both set the
//! same per-request timeout, the generated client's default. `ONLY=generated` (or `plain`) runs
//! one side alone, to profile it (`perf record`); `AA=1` runs the plain side in both columns, so
//! its ratios show the noise of the machine. Last, it prints the size of each side's call
//! future, which thousands of calls in flight keep in memory.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use truedy::Client;
use truedy::types::{CallUpdateRequest, CallUpdateRequestCallSettings, UpdateCallResponse};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Counts every allocation the process makes.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const TOKEN: &str = "sk_test_5ecret";
/// Calls per round, and rounds per side.
const CALLS: usize = 2_000;
const ROUNDS: usize = 11;
/// Calls in flight at once in the concurrent rounds; a third kind of round starts all of its
/// calls at once.
const IN_FLIGHT: usize = 64;

/// The spec's own 200 example, as the server's answer.
fn response_body() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/truedy/openapi.json");
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("the Truedy spec")).expect("JSON");
    spec["paths"]["/calls/{call_id}"]["patch"]["responses"]["200"]["content"]["application/json"]["example"].clone()
}

fn request_body() -> CallUpdateRequest {
    CallUpdateRequest::default().with_call_settings(
        CallUpdateRequestCallSettings::default().with_recording_enabled(false).with_greeting("Hello".to_owned()),
    )
}

/// One side of the comparison: a way to make the call.
#[derive(Clone)]
enum Side {
    Generated(Client),
    Plain { http: reqwest::Client, base: Arc<str> },
}

impl Side {
    async fn call(&self, body: &CallUpdateRequest) -> UpdateCallResponse {
        match self {
            Side::Generated(client) => client.update_call("call_a1b2c3d4", body).await.expect("200").into_body(),
            Side::Plain { http, base } => plain_call(http, base, body).await,
        }
    }

    /// The size of one call's future, as `.await` runs it.
    fn future_size(&self, body: &CallUpdateRequest) -> usize {
        match self {
            Side::Generated(client) => size_of_val(&client.update_call("call_a1b2c3d4", body).into_future()),
            Side::Plain { http, base } => size_of_val(&plain_call(http, base, body)),
        }
    }
}

/// The call written by hand with reqwest and serde_json.
async fn plain_call(http: &reqwest::Client, base: &str, body: &CallUpdateRequest) -> UpdateCallResponse {
    let response = http
        .patch(format!("{base}/calls/call_a1b2c3d4"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).expect("serialises"))
        .send()
        .await
        .expect("sent");
    assert!(response.status().is_success());
    let bytes = response.bytes().await.expect("read");
    serde_json::from_slice(&bytes).expect("decodes")
}

/// One round: `CALLS` calls, `in_flight` at a time. Returns the wall time and allocations.
async fn round(side: &Side, in_flight: usize) -> (Duration, u64) {
    let body = Arc::new(request_body());
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..in_flight {
        let side = side.clone();
        let body = Arc::clone(&body);
        let calls = CALLS / in_flight + usize::from(worker < CALLS % in_flight);
        tasks.spawn(async move {
            for _ in 0..calls {
                std::hint::black_box(side.call(&body).await);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task");
    }
    (started.elapsed(), ALLOCATIONS.load(Ordering::Relaxed) - before)
}

/// The median ratio, or NaN when one side did not run (`ONLY`).
fn median_ratio(mut ratios: Vec<f64>) -> f64 {
    ratios.sort_unstable_by(f64::total_cmp);
    ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The median, or zero for a side that did not run (`ONLY`).
fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let server = MockServer::builder().disable_request_recording().start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(response_body()))
        .mount(&server)
        .await;
    // The generated client as a caller gets it: the default retry policy (no retry happens here).
    let generated_for =
        |base: String| Side::Generated(Client::builder().base_url(base).bearer_auth(TOKEN).build().unwrap());
    let generated = generated_for(server.uri());
    // Like for like: the generated client sets a timeout on every attempt (60 s by default), as
    // production code written by hand should too.
    // The same bytes on the wire too: the generated client names itself (crate and version) in
    // `user-agent`; `same_request` checks both sides send the same request.
    let plain = |base: String| {
        let http =
            reqwest::Client::builder().timeout(Duration::from_secs(60)).user_agent("truedy/1.0.0").build().unwrap();
        Side::Plain { http, base: base.into() }
    };
    same_request(&generated_for, &plain).await;
    let plain = plain(server.uri());
    // An A/A run: the plain side against itself shows how far the ratios move by noise alone.
    let generated = if std::env::var_os("AA").is_some() { plain.clone() } else { generated };

    println!(
        "update_call against wiremock on 127.0.0.1: {CALLS} calls per round, {ROUNDS} rounds per side, alternating"
    );
    println!(
        "| calls | generated: per call | plain reqwest: per call | ratio | allocations per call (generated / plain) |"
    );
    println!("|---|--:|--:|--:|--:|");
    for in_flight in [1, IN_FLIGHT, CALLS] {
        // Warm both: connections, the server's first responses.
        round(&generated, in_flight).await;
        round(&plain, in_flight).await;
        let mut times = [Vec::new(), Vec::new()];
        let mut allocations = [0u64, 0u64];
        for _ in 0..ROUNDS {
            for (i, side) in [&generated, &plain].into_iter().enumerate() {
                if std::env::var("ONLY").is_ok_and(|only| only != side_name(side)) {
                    continue;
                }
                let (time, allocs) = round(side, in_flight).await;
                times[i].push(time);
                allocations[i] += allocs;
            }
        }
        // Each generated round against the plain round right after it.
        let ratios: Vec<f64> =
            times[0].iter().zip(&times[1]).map(|(ours, theirs)| ours.as_secs_f64() / theirs.as_secs_f64()).collect();
        let ratio = median_ratio(ratios);
        let [ours, theirs] = times.map(median);
        let per_call = |d: Duration| d / CALLS as u32;
        let allocs = allocations.map(|a| a as f64 / (ROUNDS * CALLS) as f64);
        let label = if in_flight == 1 { "one at a time".to_owned() } else { format!("{in_flight} in flight") };
        println!(
            "| {label} | {:.1} µs | {:.1} µs | {:.3}× | {:.0} / {:.0} |",
            per_call(ours).as_secs_f64() * 1e6,
            per_call(theirs).as_secs_f64() * 1e6,
            ratio,
            allocs[0],
            allocs[1],
        );
    }
    let body = request_body();
    println!(
        "\nA call's future, as `.await` runs it: {} bytes generated, {} bytes plain.",
        generated.future_size(&body),
        plain.future_size(&body),
    );
}

/// Checks that both sides send the same request: method, path, headers and body, as a
/// recording server receives them.
async fn same_request(generated: &impl Fn(String) -> Side, plain: &impl Fn(String) -> Side) {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(response_body()))
        .mount(&server)
        .await;
    for side in [generated(server.uri()), plain(server.uri())] {
        side.call(&request_body()).await;
    }
    let received = server.received_requests().await.expect("recorded");
    let seen = |r: &wiremock::Request| {
        let mut headers: Vec<(String, String)> =
            r.headers.iter().map(|(name, value)| (name.to_string(), format!("{value:?}"))).collect();
        headers.sort();
        (r.method.clone(), r.url.to_string(), headers, r.body.clone())
    };
    assert_eq!(seen(&received[0]), seen(&received[1]), "the two sides send different requests");
}

fn side_name(side: &Side) -> &'static str {
    match side {
        Side::Generated(_) => "generated",
        Side::Plain { .. } => "plain",
    }
}

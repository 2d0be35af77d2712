//! The benchmark page, `#/bench?nodes=N&deployments=D&replicas=R` (also `seed`, `ticks`,
//! `max-virtual` in seconds, as `pocket-cluster bench` takes them): the engine benchmark of
//! [`crate::bench`] in the browser, timed by `performance.now()`, with the wasm linear memory as
//! its memory figure. It is mounted instead of the app on that route, so the app pays nothing for it.
//! `#/bench/traffic?requests=N` (and `seed`) is the traffic benchmark of
//! [`crate::bench::traffic`], as `pocket-cluster bench traffic` runs it.
//!
//! The benchmark is one synchronous run: after "Run benchmark" the page shows "running…", yields
//! to the browser once (an animation frame, then a timeout) so that is painted, and then is busy
//! until the report appears. Progress lines go to the console as they happen and under the report
//! at the end.

use crate::bench::{self, traffic, Host, Options};
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// Pods the page agrees to build (the size is 100,000), and nodes.
const MAX_PODS: usize = 1_000_000;
const MAX_NODES: usize = 100_000;

/// `#/bench`, `#/bench/traffic`, or either with `?…` (with or without the `#`).
pub fn is_route(hash: &str) -> bool {
    matches!(route_path(hash), "/bench" | "/bench/traffic")
}

fn route_path(hash: &str) -> &str {
    let path = hash.trim_start_matches('#');
    path.split('?').next().unwrap_or_default()
}

/// Requests the traffic page agrees to send from each place.
const MAX_REQUESTS: usize = 10_000_000;

/// The traffic benchmark's options a route asks for, and what was wrong with it. Without
/// parameters the page sends 20,000 requests from each place (a second or two).
pub fn traffic_options_from(hash: &str) -> (traffic::Options, Vec<String>) {
    let mut opts = traffic::Options {
        requests: 20_000,
        ..traffic::Options::default()
    };
    let mut errors = Vec::new();
    let query = hash.split_once('?').map(|(_, q)| q).unwrap_or_default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        const KEYS: [&str; 2] = ["requests", "seed"];
        if !KEYS.contains(&key) {
            errors.push(format!("unknown parameter {key:?} ({})", KEYS.join(", ")));
            continue;
        }
        let Ok(n) = value.parse::<u64>() else {
            errors.push(format!("{key}: {value:?} is not a whole number"));
            continue;
        };
        match key {
            "requests" => opts.requests = usize::try_from(n).unwrap_or(usize::MAX),
            _ => opts.seed = n,
        }
    }
    if opts.requests > MAX_REQUESTS {
        errors.push(format!("requests: at most {MAX_REQUESTS}"));
    }
    (opts, errors)
}

/// The options a route asks for, and what was wrong with it. Without parameters the page runs
/// 1,000 nodes × 100 Deployments × 10 replicas, a size that finishes in well under a minute.
pub fn options_from(hash: &str) -> (Options, Vec<String>) {
    let mut opts = Options {
        nodes: 1000,
        deployments: 100,
        replicas: 10,
        ..Options::default()
    };
    let mut errors = Vec::new();
    let query = hash.split_once('?').map(|(_, q)| q).unwrap_or_default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        const KEYS: [&str; 6] = [
            "nodes",
            "deployments",
            "replicas",
            "seed",
            "ticks",
            "max-virtual",
        ];
        if !KEYS.contains(&key) {
            errors.push(format!("unknown parameter {key:?} ({})", KEYS.join(", ")));
            continue;
        }
        let Ok(n) = value.parse::<u64>() else {
            errors.push(format!("{key}: {value:?} is not a whole number"));
            continue;
        };
        let n_usize = usize::try_from(n).unwrap_or(usize::MAX);
        match key {
            "nodes" => opts.nodes = n_usize,
            "deployments" => opts.deployments = n_usize,
            "replicas" => opts.replicas = n_usize,
            "seed" => opts.seed = n,
            "ticks" => opts.ticks = n_usize,
            _ => opts.max_virtual_ms = n.saturating_mul(1000),
        }
    }
    if opts.nodes > MAX_NODES {
        errors.push(format!("nodes: at most {MAX_NODES}"));
    }
    match opts.deployments.checked_mul(opts.replicas) {
        Some(p) if p <= MAX_PODS => {}
        _ => errors.push(format!("deployments × replicas: at most {MAX_PODS} pods")),
    }
    (opts, errors)
}

/// The browser as the benchmark's host.
struct Browser(Option<web_sys::Performance>);

impl Host for Browser {
    fn now_ms(&self) -> f64 {
        match &self.0 {
            Some(p) => p.now(),
            None => js_sys::Date::now(),
        }
    }

    /// The wasm module's linear memory: it only grows, so its size now is its peak. (The JS heap,
    /// `performance.memory.usedJSHeapSize`, does not hold the engine's data.)
    fn memory_mb(&self) -> Option<(f64, &'static str)> {
        let memory = wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .ok()?;
        let buffer = memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok()?;
        Some((
            buffer.byte_length() as f64 / (1024.0 * 1024.0),
            "wasm linear memory",
        ))
    }
}

#[derive(Clone, PartialEq)]
struct Done {
    report: String,
    converged: bool,
    progress: Vec<String>,
}

/// The page for the route: the traffic benchmark on `#/bench/traffic`, else the engine's.
#[component]
pub fn BenchPage() -> impl IntoView {
    let hash = window().location().hash().unwrap_or_default();
    if route_path(&hash) == "/bench/traffic" {
        view! { <TrafficBench/> }.into_any()
    } else {
        view! { <EngineBench/> }.into_any()
    }
}

/// Whether `performance.now()` has its fine (5 µs) resolution here.
fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&window(), &"crossOriginIsolated".into()).is_ok_and(|v| v.is_truthy())
}

#[component]
fn EngineBench() -> impl IntoView {
    let hash = window().location().hash().unwrap_or_default();
    let (opts, errors) = options_from(&hash);
    let running = RwSignal::new(false);
    let done = RwSignal::new(None::<Done>);
    let can_run = errors.is_empty();
    let isolated = cross_origin_isolated();

    let run = {
        let opts = opts.clone();
        move |_| {
            if running.get_untracked() || !can_run {
                return;
            }
            running.set(true);
            done.set(None);
            let opts = opts.clone();
            // Let "running…" be painted: the frame after this one, then a task of its own.
            request_animation_frame(move || {
                set_timeout(
                    move || {
                        let host = Browser(window().performance());
                        let mut progress = Vec::new();
                        let report = bench::run_with_progress(&opts, &host, &mut |p| {
                            let line = p.line();
                            leptos::logging::log!("{line}");
                            progress.push(line);
                        });
                        done.set(Some(Done {
                            report: report.text(),
                            converged: report.converged,
                            progress,
                        }));
                        running.set(false);
                    },
                    Duration::ZERO,
                );
            });
        }
    };

    let o = &opts;
    let params = [
        ("nodes", o.nodes.to_string()),
        ("deployments", o.deployments.to_string()),
        ("replicas", o.replicas.to_string()),
        ("pods", o.deployments.saturating_mul(o.replicas).to_string()),
        ("seed", o.seed.to_string()),
        ("ticks", o.ticks.to_string()),
        ("max-virtual", format!("{} s", o.max_virtual_ms / 1000)),
    ];
    let state = move || {
        if running.get() {
            "running"
        } else if done.with(Option::is_some) {
            "done"
        } else {
            "idle"
        }
    };

    view! {
        <header class="topbar">
            <h1 class="brand">"Pocket Cluster"</h1>
            <span class="tagline">"engine benchmark"</span>
            <a class="bench-back" href="./">"back to the app"</a>
        </header>
        <main id="bench" class="bench" data-state=state>
            <p>
                "The engine benchmark of " <code>"pocket-cluster bench"</code>
                ", in this page: a cluster of N worker nodes and one master, D Deployments of R "
                "replicas written to the API store, the virtual clock advanced 1 s at a time until "
                "every pod is Running and Ready, then steady 1 s ticks. Change the size in the "
                "address, e.g. "
                <a href="#/bench?nodes=1000&deployments=100&replicas=10">
                    "#/bench?nodes=1000&deployments=100&replicas=10"
                </a> " or the issue's "
                <a href="#/bench?nodes=1000&deployments=1000&replicas=100">
                    "1000 × 1000 × 100"
                </a> " (about half a minute on 2 cores, and 700 MB of memory)."
            </p>
            <table id="bench-params" class="bench-params">
                {params
                    .into_iter()
                    .map(|(k, v)| view! { <tr><th>{k}</th><td data-param=k>{v}</td></tr> })
                    .collect_view()}
            </table>
            {(!errors.is_empty()).then(|| view! {
                <p id="bench-errors" class="bench-error">{errors.join("; ")}</p>
            })}
            <p>
                <button
                    id="bench-run"
                    class="primary"
                    disabled=move || running.get() || !can_run
                    on:click=run
                >
                    "Run benchmark"
                </button>
                " "
                <span id="bench-status" aria-live="polite">
                    {move || {
                        if running.get() {
                            "running… the page is busy until the report appears"
                        } else {
                            ""
                        }
                    }}
                </span>
            </p>
            {move || done.get().map(|d| {
                let steps = d.progress.len();
                view! {
                    <pre id="bench-report" data-converged=d.converged.to_string()>{d.report}</pre>
                    <details>
                        <summary>{format!("progress ({steps} steps)")}</summary>
                        <pre id="bench-progress">{d.progress.join("\n")}</pre>
                    </details>
                }
            })}
            <p class="bench-note">
                "Memory is the wasm linear memory, which never shrinks: reload the page before "
                "measuring again. Timings are performance.now(), which Chromium coarsens to "
                {if isolated {
                    "5 µs here: the page is cross-origin isolated."
                } else {
                    "0.1 ms here; 5 µs when the page is cross-origin isolated (COOP and COEP \
                     headers, as scripts/bench-browser.mjs serves it)."
                }}
            </p>
        </main>
    }
}

#[derive(Clone, PartialEq)]
struct TrafficDone {
    /// The report, or why the gateway's path is broken.
    report: String,
    ok: bool,
    /// The first request's trace from the laptop and from the pod.
    traces: String,
}

/// `#/bench/traffic`: [`traffic::run`] in the page, one synchronous run as the engine's.
#[component]
fn TrafficBench() -> impl IntoView {
    let hash = window().location().hash().unwrap_or_default();
    let (opts, errors) = traffic_options_from(&hash);
    let running = RwSignal::new(false);
    let done = RwSignal::new(None::<TrafficDone>);
    let can_run = errors.is_empty();
    let isolated = cross_origin_isolated();

    let run = {
        let opts = opts.clone();
        move |_| {
            if running.get_untracked() || !can_run {
                return;
            }
            running.set(true);
            done.set(None);
            let opts = opts.clone();
            request_animation_frame(move || {
                set_timeout(
                    move || {
                        let host = Browser(window().performance());
                        done.set(Some(match traffic::run(&opts, &host) {
                            Ok(r) => TrafficDone {
                                report: r.text(),
                                ok: true,
                                traces: format!(
                                    "from the laptop:\n{}\nfrom the pod:\n{}",
                                    r.laptop.trace_text(),
                                    r.pod.trace_text()
                                ),
                            },
                            Err(e) => TrafficDone {
                                report: format!("the gateway's path is broken: {e}"),
                                ok: false,
                                traces: String::new(),
                            },
                        }));
                        running.set(false);
                    },
                    Duration::ZERO,
                );
            });
        }
    };

    let params = [
        ("requests", opts.requests.to_string()),
        ("seed", opts.seed.to_string()),
    ];
    let state = move || {
        if running.get() {
            "running"
        } else if done.with(Option::is_some) {
            "done"
        } else {
            "idle"
        }
    };

    view! {
        <header class="topbar">
            <h1 class="brand">"Pocket Cluster"</h1>
            <span class="tagline">"traffic benchmark"</span>
            <a class="bench-back" href="./">"back to the app"</a>
        </header>
        <main id="bench" class="bench" data-kind="traffic" data-state=state>
            <p>
                "The traffic benchmark of " <code>"pocket-cluster bench traffic"</code>
                ", in this page: the Kubernetes 101 seed's gateway, service-1 and service-2 "
                "applied with kubectl, the gateway behind a LoadBalancer Service, then N traced "
                <code>"GET /"</code> " requests from the laptop to the load balancer and N from a "
                "client pod to the gateway's Service by its DNS name, each through the gateway to "
                "both upstreams (15 hops). Change the count in the address, e.g. "
                <a href="#/bench/traffic?requests=100000">"#/bench/traffic?requests=100000"</a>
                ". The engine benchmark is at " <a href="#/bench">"#/bench"</a> "."
            </p>
            <table id="bench-params" class="bench-params">
                {params
                    .into_iter()
                    .map(|(k, v)| view! { <tr><th>{k}</th><td data-param=k>{v}</td></tr> })
                    .collect_view()}
            </table>
            {(!errors.is_empty()).then(|| view! {
                <p id="bench-errors" class="bench-error">{errors.join("; ")}</p>
            })}
            <p>
                <button
                    id="bench-run"
                    class="primary"
                    disabled=move || running.get() || !can_run
                    on:click=run
                >
                    "Run benchmark"
                </button>
                " "
                <span id="bench-status" aria-live="polite">
                    {move || {
                        if running.get() {
                            "running… the page is busy until the report appears"
                        } else {
                            ""
                        }
                    }}
                </span>
            </p>
            {move || done.get().map(|d| view! {
                <pre id="bench-report" data-ok=d.ok.to_string()>{d.report}</pre>
                <details>
                    <summary>"the first request's trace"</summary>
                    <pre id="bench-trace">{d.traces}</pre>
                </details>
            })}
            <p class="bench-note">
                "Timings are performance.now() around the whole batch, which Chromium coarsens to "
                {if isolated { "5 µs here." } else { "0.1 ms here (5 µs when cross-origin isolated)." }}
            </p>
        </main>
    }
}

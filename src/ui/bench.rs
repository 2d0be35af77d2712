//! The benchmark page, `#/bench?nodes=N&deployments=D&replicas=R` (also `seed`, `ticks`,
//! `max-virtual` in seconds, as `pocket-cluster bench` takes them): the engine benchmark of
//! [`crate::bench`] in the browser, timed by `performance.now()`, with the wasm linear memory as
//! its memory figure. It is mounted instead of the app on that route, so the app pays nothing for it.
//! `#/bench/traffic?requests=N` (and `seed`) is the traffic benchmark of
//! [`crate::bench::traffic`], as `pocket-cluster bench traffic` runs it.
//!
//! The benchmark runs in the engine's Web Worker (`Request::Bench`, `crate::bench::route::run`),
//! as one synchronous run there: the page stays responsive and shows "running…" until the report
//! comes. Progress lines go to the console and under the report at the end. The worker's wasm
//! linear memory is the memory figure: it holds the engine's heap.

pub use crate::bench::route::is_route;
use crate::bench::route::{options_from, route_path, traffic_options_from, Done};
use crate::host::proto::{Reply, Request};
use leptos::prelude::*;

/// Run the route's benchmark in the engine's worker (unless one runs, or the route's options
/// are wrong); `done` gets its outcome.
fn ask_bench(running: RwSignal<bool>, done: RwSignal<Option<Done>>, can_run: bool) {
    if running.get_untracked() || !can_run {
        return;
    }
    running.set(true);
    done.set(None);
    let hash = window().location().hash().unwrap_or_default();
    super::link::ask(Request::Bench { route: hash }, move |reply| {
        if let Reply::Bench(d) = reply {
            for line in &d.progress {
                leptos::logging::log!("{line}");
            }
            done.set(Some(d));
            running.set(false);
        }
    });
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

    let run = move |_| ask_bench(running, done, can_run);

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
                            "running… in the engine's worker, until the report appears"
                        } else {
                            ""
                        }
                    }}
                </span>
            </p>
            {move || done.get().map(|d| {
                let steps = d.progress.len();
                view! {
                    <pre id="bench-report" data-converged=d.ok.to_string()>{d.report}</pre>
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

/// `#/bench/traffic`: [`traffic::run`] in the page, one synchronous run as the engine's.
#[component]
fn TrafficBench() -> impl IntoView {
    let hash = window().location().hash().unwrap_or_default();
    let (opts, errors) = traffic_options_from(&hash);
    let running = RwSignal::new(false);
    let done = RwSignal::new(None::<Done>);
    let can_run = errors.is_empty();
    let isolated = cross_origin_isolated();

    let run = move |_| ask_bench(running, done, can_run);

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
                            "running… in the engine's worker, until the report appears"
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

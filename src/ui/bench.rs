//! The benchmark page, `#/bench?nodes=N&deployments=D&replicas=R` (also `seed`, `ticks`,
//! `max-virtual` in seconds, as `pocket-cluster bench` takes them): the engine benchmark of
//! [`crate::bench`] in the browser, timed by `performance.now()`, with the wasm linear memory as
//! its memory figure. It is mounted instead of the app on that route, so the app pays nothing for it.
//!
//! The benchmark is one synchronous run: after "Run benchmark" the page shows "running…", yields
//! to the browser once (an animation frame, then a timeout) so that is painted, and then is busy
//! until the report appears. Progress lines go to the console as they happen and under the report
//! at the end.

use crate::bench::{self, Host, Options};
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// Pods the page agrees to build (the size is 100,000), and nodes.
const MAX_PODS: usize = 1_000_000;
const MAX_NODES: usize = 100_000;

/// `#/bench` or `#/bench?…` (with or without the `#`).
pub fn is_route(hash: &str) -> bool {
    let path = hash.trim_start_matches('#');
    let path = path.split('?').next().unwrap_or_default();
    path == "/bench"
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

#[component]
pub fn BenchPage() -> impl IntoView {
    let hash = window().location().hash().unwrap_or_default();
    let (opts, errors) = options_from(&hash);
    let running = RwSignal::new(false);
    let done = RwSignal::new(None::<Done>);
    let can_run = errors.is_empty();
    let isolated =
        js_sys::Reflect::get(&window(), &"crossOriginIsolated".into()).is_ok_and(|v| v.is_truthy());

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

//! The plots under the cluster map: requests per pod (how kube-proxy spreads load), ready and
//! desired replicas over virtual time, and requests, errors and latency per virtual second,
//! from the session's `sim::metrics`. Each canvas is redrawn only when the metrics' revision,
//! the theme or the size moved, at most every [`REDRAW_MS`]; each has a label and a text
//! summary beside it for screen readers (a canvas says nothing).

mod draw;

use super::theme::Theme;
use super::AppState;
use leptos::prelude::*;

/// The shortest time between two redraws, in real milliseconds.
const REDRAW_MS: f64 = 400.0;

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Draw the three charts from the session's metrics as they are now.
fn draw_all(state: &AppState) {
    let Some(now) = state.view.try_with_untracked(|v| v.now as f64 / 1000.0) else {
        return;
    };
    state.plots.with_untracked(|p| {
        let palette = draw::Palette::of_page();
        draw::per_pod("plot-pods", &palette, &p.per_pod);
        draw::replicas("plot-replicas", &palette, &p.samples, &p.names, now);
        draw::errors("plot-errors", &palette, &p.seconds, now);
    });
}

#[component]
pub fn Plots() -> impl IntoView {
    let state = expect_context::<AppState>();
    let theme = expect_context::<Theme>();
    let open = RwSignal::new(true);
    let resized = RwSignal::new(0u64);
    let revision = Memo::new(move |_| state.plots.with(|p| p.revision));
    let summaries = Memo::new(move |_| {
        state.plots.with(|p| {
            (
                p.per_pod_summary.clone(),
                p.replicas_summary.clone(),
                p.errors_summary.clone(),
            )
        })
    });

    let last_draw = StoredValue::new(f64::NEG_INFINITY);
    let pending = StoredValue::new_local(None::<gloo_timers::callback::Timeout>);
    Effect::new(move |_| {
        // `get`, not `track`: it is the memo's value that has to be brought up to date.
        let _ = revision.get();
        theme.changes.track();
        resized.track();
        if !open.get() || pending.with_value(|p| p.is_some()) {
            return;
        }
        let wait = last_draw.get_value() + REDRAW_MS - now_ms();
        if wait <= 0.0 {
            last_draw.set_value(now_ms());
            draw_all(&state);
            return;
        }
        let timeout = gloo_timers::callback::Timeout::new(wait.ceil() as u32, move || {
            pending.try_update_value(|p| {
                p.take();
            });
            if open.try_get_untracked() != Some(true) {
                return;
            }
            last_draw.try_set_value(now_ms());
            draw_all(&state);
        });
        pending.set_value(Some(timeout));
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        resized.try_update(|n| *n += 1);
    });
    on_cleanup(move || {
        resize.remove();
        pending.try_update_value(|p| {
            p.take();
        });
    });

    let chart = move |id: &'static str,
                      title: &'static str,
                      label: &'static str,
                      note: &'static str,
                      pick: fn(&(String, String, String)) -> String| {
        let summary_id = format!("{id}-summary");
        view! {
            <figure class="plot">
                <figcaption>{title}</figcaption>
                <canvas id=id class="plot-canvas" role="img" aria-label=label aria-describedby=summary_id.clone()></canvas>
                <p id=summary_id class="plot-summary">{move || summaries.with(pick)}</p>
                {(!note.is_empty()).then(|| view! { <p class="plot-note">{note}</p> })}
            </figure>
        }
    };

    view! {
        <details
            id="plots"
            class="plots"
            open=true
            on:toggle=move |ev| {
                use wasm_bindgen::JsCast;
                let is_open = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
                    .is_some_and(|d| d.open());
                open.set(is_open);
            }
        >
            <summary>"Plots: load, replicas, errors"</summary>
            <div class="plot-grid">
                {chart(
                    "plot-pods",
                    "Requests per pod",
                    "Bar chart: requests answered per pod in the last two virtual minutes",
                    "Counted by the pod that answered: kube-proxy picks an endpoint at random for each connection.",
                    |s| s.0.clone(),
                )}
                {chart(
                    "plot-replicas",
                    "Ready and desired replicas",
                    "Line chart: ready (solid) and desired (dashed) replicas of each workload over virtual time",
                    "Solid: ready. Dashed: desired (spec.replicas).",
                    |s| s.1.clone(),
                )}
                {chart(
                    "plot-errors",
                    "Requests, errors and latency",
                    "Chart: requests and errors per virtual second, with mean latency",
                    "Bars: requests per second, errors in red (no answer, or HTTP 4xx/5xx). Line: mean latency of answered requests. The simulation has no network delays: latency is 1 ms per hop of the request's trace.",
                    |s| s.2.clone(),
                )}
            </div>
        </details>
    }
}

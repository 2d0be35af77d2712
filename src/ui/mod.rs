//! The Leptos app: lesson text | cluster view | editor and terminal. Everything the learner does
//! goes through the session's command language; the views render snapshots of the world.
//! `#/bench…` mounts the engine benchmark (`bench.rs`) instead of the app; `#/bench/traffic…` the
//! traffic benchmark.

mod bench;
mod cluster_view;
mod course;
mod editor;
mod layout;
mod lazy_data;
mod map;
mod plots;
mod terminal;
mod theme;

use crate::shell::Session;
use crate::sim::snapshot::Snapshot;
use leptos::prelude::*;

/// How often the virtual clock ticks while playing, in real milliseconds.
const TICK_MS: u32 = 200;

/// Shared state of the page, handed to components by context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub session: StoredValue<Session, LocalStorage>,
    /// Bumped after every change to the world; views derive from it.
    pub version: RwSignal<u64>,
    pub entries: RwSignal<Vec<terminal::Entry>>,
    pub next_entry: StoredValue<u64>,
    pub paused: RwSignal<bool>,
    pub speed: RwSignal<u64>,
    /// The course: route, the lesson or sandbox whose world this is, goals, progress.
    pub course: course::CourseState,
}

impl AppState {
    /// Run a command line (with optional heredoc text), show it in the terminal, return the output.
    pub fn run(&self, shown: &str, line: &str, stdin: Option<&str>) -> crate::shell::Output {
        course::before_run(self);
        let out = self
            .session
            .try_update_value(|s| s.run(line, stdin))
            .unwrap_or_else(|| crate::shell::Output::err("the session is gone"));
        let id = self.next_entry.get_value();
        self.next_entry.set_value(id + 1);
        let entry = terminal::Entry {
            id,
            prompt: self.prompt(),
            command: shown.to_string(),
            output: out.text.clone(),
            ok: out.ok,
            notice: false,
        };
        self.entries.update(|e| {
            e.push(entry);
            // Keep the page light: the oldest entries scroll away.
            if e.len() > 500 {
                e.remove(0);
            }
        });
        self.version.update(|v| *v += 1);
        course::after_run(self, &out);
        out
    }

    pub fn prompt(&self) -> String {
        self.session.with_value(|s| {
            format!(
                "{}:{}",
                s.world.cluster().name,
                s.namespace_for(s.world.current)
            )
        })
    }

    pub fn snapshot(&self) -> Snapshot {
        self.version.track();
        self.session.with_value(|s| Snapshot::of(&s.world))
    }
}

/// A user-timing mark (`performance.mark`), for the start-up traces (`scripts/trace-startup.mjs`
/// prints them): what the app's own start costs, apart from loading and compiling.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

pub fn mount() {
    mark("pc:start");
    let hash = || window().location().hash().unwrap_or_default();
    let on_bench = bench::is_route(&hash());
    if on_bench {
        leptos::mount::mount_to_body(bench::BenchPage);
    } else {
        leptos::mount::mount_to_body(App);
        mark("pc:mounted");
        lazy_data::start();
    }
    // The route is read once: going to or within the benchmark page reloads it.
    let _ = window_event_listener_untyped("hashchange", move |_| {
        if on_bench || bench::is_route(&hash()) {
            let _ = window().location().reload();
        }
    });
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-ready", "1");
    }
}

#[component]
fn App() -> impl IntoView {
    // The route's lesson (or the sandbox) with its saved session replayed (or a fresh world,
    // with a message if it had to be set aside).
    let (course, session, entries) = course::init();
    mark("pc:course-and-world");
    let state = AppState {
        session: StoredValue::new_local(session),
        version: RwSignal::new(0),
        next_entry: StoredValue::new(entries.len() as u64),
        entries: RwSignal::new(entries),
        paused: RwSignal::new(false),
        speed: RwSignal::new(1),
        course,
    };
    provide_context(state);
    course::wire(state);
    theme::provide();

    // The clock: advance the world while playing. Kept out of the render path; it only bumps
    // the version signal, and views redraw from a fresh snapshot.
    let interval = gloo_timers::callback::Interval::new(TICK_MS, move || {
        let Some(paused) = state.paused.try_get_untracked() else {
            return;
        };
        if paused {
            return;
        }
        let speed = state.speed.get_untracked();
        state
            .session
            .try_update_value(|s| s.advance(TICK_MS as u64 * speed));
        state.version.try_update(|v| *v += 1);
        terminal::persist::save_soon(&state);
    });
    // Ticks since the last save are not lost when the page goes away.
    let _ = window_event_listener(leptos::ev::pagehide, move |_| {
        terminal::persist::save(&state)
    });
    let handle = StoredValue::new_local(Some(interval));
    on_cleanup(move || {
        handle.try_update_value(|h| h.take());
    });

    view! {
        <layout::SkipLink/>
        <header class="topbar">
            <h1 class="brand">"Pocket Cluster"</h1>
            <span class="tagline">"Kubernetes, learned in the browser"</span>
            <TimeControls/>
            <theme::ThemeToggle/>
        </header>
        <layout::PaneNav/>
        <layout::Panes>
            <section id="lesson-pane" class="pane" aria-label="Lesson" tabindex="0">
                <course::CoursePane/>
            </section>
            <layout::Splitter split=layout::Split::LessonCluster/>
            <section id="cluster-pane" class="pane" aria-label="Cluster view">
                <cluster_view::ClusterView/>
                <plots::Plots/>
            </section>
            <layout::Splitter split=layout::Split::ClusterWorkbench/>
            <section id="workbench-pane" class="pane" aria-label="Editor and terminal">
                <editor::Editor/>
                <layout::Splitter split=layout::Split::EditorTerminal/>
                <terminal::Terminal/>
            </section>
        </layout::Panes>
    }
}

#[component]
fn TimeControls() -> impl IntoView {
    let state = expect_context::<AppState>();
    let clock = move || {
        state.version.track();
        let now = state.session.with_value(|s| s.world.now);
        crate::shell::sim_cmd::clock_text(now)
    };
    let speed_button = move |n: u64| {
        view! {
            <button
                class="speed"
                class:active=move || state.speed.get() == n
                aria-pressed=move || (state.speed.get() == n).to_string()
                on:click=move |_| state.speed.set(n)
            >
                {format!("{n}×")}
            </button>
        }
    };
    view! {
        <div class="time" role="group" aria-label="Virtual clock">
            <button
                id="play-pause"
                on:click=move |_| state.paused.update(|p| *p = !*p)
                aria-label=move || if state.paused.get() { "Play the clock" } else { "Pause the clock" }
            >
                {move || if state.paused.get() { "▶ Play" } else { "❚❚ Pause" }}
            </button>
            <button
                id="step"
                aria-label="+1s: advance the clock one second"
                on:click=move |_| {
                    state.session.update_value(|s| s.advance(1000));
                    state.version.update(|v| *v += 1);
                    terminal::persist::save(&state);
                }
            >
                "+1s"
            </button>
            {speed_button(1)}
            {speed_button(4)}
            {speed_button(16)}
            <span class="clock" aria-label="Virtual time">{clock}</span>
        </div>
    }
}

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
pub mod link;
mod map;
mod plots;
mod storage;
mod terminal;
mod theme;

use crate::host::proto::{Entry, Plots, Ran, Reply, Request, Source, View};
use crate::sim::map::MapModel;
use crate::sim::network::Hop;
use leptos::prelude::*;

/// How often the virtual clock ticks while playing, in real milliseconds.
const TICK_MS: u32 = 200;

/// Shared state of the page, handed to components by context. What the views show of the
/// world comes from the engine's host (`link`, `crate::host`) as it changes.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The newest view of the world (prompt, clock, commands run); its map and plots are
    /// kept apart, as they come only when they change.
    pub view: RwSignal<View>,
    /// The map's model; None until the engine is up.
    pub map: RwSignal<Option<MapModel>>,
    pub plots: RwSignal<Plots>,
    /// The last command the terminal ran, with the request it made.
    pub ran: RwSignal<Option<Ran>>,
    /// Requests shell loops made, newest batch.
    pub loop_traces: RwSignal<Vec<(usize, Vec<Hop>)>>,
    /// Bumped after every change to the world; views derive from it.
    pub version: RwSignal<u64>,
    pub entries: RwSignal<Vec<Entry>>,
    pub next_entry: StoredValue<u64>,
    pub paused: RwSignal<bool>,
    pub speed: RwSignal<u64>,
    /// The course: route, the lesson or sandbox whose world this is, goals, progress.
    pub course: course::CourseState,
}

impl AppState {
    /// Run a command line (with optional heredoc text); it shows in the terminal when it has
    /// run, and `then` gets its answer.
    pub fn run_then(
        &self,
        shown: &str,
        line: &str,
        stdin: Option<&str>,
        then: impl FnOnce(&Ran) + 'static,
    ) {
        let state = *self;
        let mut then = Some(then);
        link::ask(
            Request::Run {
                shown: shown.to_string(),
                line: line.to_string(),
                stdin: stdin.map(str::to_string),
                source: Source::Terminal,
            },
            move |reply| {
                if let Reply::Ran(ran) = reply {
                    state.show_ran(&ran);
                    if let Some(f) = then.take() {
                        f(&ran);
                    }
                } else {
                    receive(state, reply);
                }
            },
        );
    }

    /// Run a command line, shown in the terminal.
    pub fn run(&self, shown: &str, line: &str, stdin: Option<&str>) {
        self.run_then(shown, line, stdin, |_| {});
    }

    /// A command's answer in the terminal.
    fn show_ran(&self, ran: &Ran) {
        if ran.source != Source::Terminal {
            return;
        }
        self.push_entries(vec![ran.entry.clone()], false);
        self.ran.set(Some(ran.clone()));
        course::after_run(self, &ran.entry);
    }

    /// Terminal entries from the host: numbered, replacing the terminal's or after them.
    pub fn push_entries(&self, mut entries: Vec<Entry>, replace: bool) {
        for e in entries.iter_mut() {
            let id = self.next_entry.get_value();
            self.next_entry.set_value(id + 1);
            e.id = id;
        }
        self.entries.update(|e| {
            if replace {
                e.clear();
            }
            e.extend(entries);
            // Keep the page light: the oldest entries scroll away.
            let extra = e.len().saturating_sub(500);
            e.drain(..extra);
        });
    }

    pub fn prompt(&self) -> String {
        self.view
            .with_untracked(|v| format!("{}:{}", v.context, v.namespace))
    }
}

/// What the host sends on its own (and answers nobody waits for).
fn receive(state: AppState, reply: Reply) {
    match reply {
        Reply::View(v) => {
            if state.view.with_untracked(|v| v.version) == 0 {
                // The engine is up: what the tests (and the start-up traces) wait for.
                mark("pc:engine");
                if let Some(body) = document().body() {
                    let _ = body.set_attribute("data-engine", "1");
                }
            }
            if let Some(m) = &v.map {
                state.map.set(Some(m.clone()));
            }
            if let Some(p) = &v.plots {
                state.plots.set(p.clone());
            }
            if !v.loop_traces.is_empty() {
                state.loop_traces.set(v.loop_traces.clone());
            }
            let version = v.version;
            state.view.set(View {
                map: None,
                plots: None,
                loop_traces: Vec::new(),
                ..v
            });
            state.version.set(version);
        }
        Reply::Ran(ran) => state.show_ran(&ran),
        Reply::Entries { entries, replace } => state.push_entries(entries, replace),
        Reply::Store(writes) => storage::write(&writes),
        other => course::receive(&state, other),
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
    link::connect();
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
    // The route's lesson (or the sandbox); its saved session is handed to the engine, which
    // replays it (or starts a fresh world, with a message if it had to be set aside).
    let course = course::init();
    mark("pc:course");
    let state = AppState {
        view: RwSignal::new(View {
            context: "demo".into(),
            namespace: "default".into(),
            ..View::default()
        }),
        map: RwSignal::new(None),
        plots: RwSignal::new(Plots::default()),
        ran: RwSignal::new(None),
        loop_traces: RwSignal::new(Vec::new()),
        version: RwSignal::new(0),
        next_entry: StoredValue::new(0),
        entries: RwSignal::new(Vec::new()),
        paused: RwSignal::new(false),
        speed: RwSignal::new(1),
        course,
    };
    provide_context(state);
    link::listen(move |reply| receive(state, reply));
    course::wire(state);
    theme::provide();

    // The clock: advance the world while playing. The engine answers with a new view.
    let interval = gloo_timers::callback::Interval::new(TICK_MS, move || {
        let Some(paused) = state.paused.try_get_untracked() else {
            return;
        };
        if paused {
            return;
        }
        let speed = state.speed.get_untracked();
        link::send(Request::Tick {
            ms: TICK_MS as u64 * speed,
        });
    });
    // Ticks since the last save are saved when the page goes away (if the engine answers
    // in time: at most the last two seconds of ticks can be lost).
    let _ = window_event_listener(leptos::ev::pagehide, move |_| link::send(Request::Save));
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
        crate::shell::sim_cmd::clock_text(state.view.with(|v| v.now))
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
                    link::send(Request::Tick { ms: 1000 });
                    link::send(Request::Save);
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

//! The course in the page: the route (location hash: overview, lesson and step, sandbox), whose
//! world the panes show (a lesson's or the sandbox's, each with its own saved session, editor
//! files and outputs), starting, resetting and undoing, and the goals checked as the world
//! changes. `overview.rs` and `lesson_view.rs` draw the left pane; `progress.rs` keeps what the
//! learner finished in localStorage.

mod lesson_view;
mod overview;
pub mod progress;

use super::editor::files as editor_files;
use super::terminal::{persist, Entry};
use super::AppState;
use crate::course::goals;
use crate::course::lesson::{Lesson, Lessons};
use crate::course::route::Route;
use crate::course::workspace::{self, FileLog, FileSet};
use crate::shell::files::MemFiles;
use crate::shell::journal::Limits;
use crate::shell::Session;
use leptos::prelude::*;
use progress::Record;

/// Goals are checked at most this often (real milliseconds), and only when the world changed.
const CHECK_MS: u32 = 400;
/// How long an undo's replay may take, in real milliseconds.
const UNDO_BUDGET_MS: f64 = 5_000.0;

/// Whose world is in the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ctx {
    Sandbox,
    Lesson(String),
}

impl Ctx {
    /// Where its session's journal is saved.
    pub fn session_key(&self) -> String {
        match self {
            Ctx::Sandbox => persist::SESSION_KEY.to_string(),
            Ctx::Lesson(id) => format!("{}.lesson.{id}", persist::SESSION_KEY),
        }
    }
    /// Where its editor files are saved.
    pub fn files_key(&self) -> String {
        match self {
            Ctx::Sandbox => editor_files::KEY.to_string(),
            Ctx::Lesson(id) => format!("{}.lesson.{id}", editor_files::KEY),
        }
    }
}

/// The editor's set of files: where they are saved and what they start as. `replace`: take
/// `initial` even if files were saved (the solution's files).
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub key: String,
    pub initial: Vec<(String, String)>,
    pub replace: bool,
    /// Bumped on every change, so that the same set opened again still reloads the tabs.
    pub generation: u64,
}

/// Each goal's result for a lesson, as last checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub lesson: String,
    pub results: Vec<Result<(), String>>,
}

/// The course's part of the page state (in `AppState::course`).
#[derive(Clone, Copy)]
pub struct CourseState {
    pub lessons: StoredValue<Lessons>,
    pub route: RwSignal<Route>,
    pub ctx: RwSignal<Ctx>,
    pub workspace: RwSignal<Workspace>,
    /// The editor's files now (the editor keeps it current).
    pub files_now: StoredValue<FileSet>,
    /// The editor's files by step of the session's log, saved with it.
    pub file_log: StoredValue<FileLog>,
    /// Every command's output in this context (bounded), for `saw` goals.
    pub outputs: StoredValue<Vec<String>>,
    pub record: RwSignal<Record>,
    pub checked: RwSignal<Option<Checked>>,
    /// The context and world version last checked.
    pub last_check: StoredValue<Option<(Ctx, u64)>>,
    /// Hints shown in the open lesson.
    pub hints: RwSignal<usize>,
    /// A message of the lesson pane (undo's answer, a problem reading progress).
    pub message: RwSignal<Option<String>>,
}

impl CourseState {
    pub fn session_key(&self) -> Option<String> {
        self.ctx.try_with_untracked(|c| c.session_key())
    }

    pub fn lesson(&self, id: &str) -> Option<Lesson> {
        self.lessons.with_value(|all| all.get(id).cloned())
    }

    /// The open context's lesson, if it is one.
    pub fn open_lesson(&self) -> Option<Lesson> {
        match self.ctx.get_untracked() {
            Ctx::Lesson(id) => self.lesson(&id),
            Ctx::Sandbox => None,
        }
    }
}

fn hash() -> String {
    window().location().hash().unwrap_or_default()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The sandbox's editor starts with the first-pod manifest.
fn sandbox_files() -> Vec<(String, String)> {
    let l = crate::course::FIRST_POD;
    vec![(l.manifest_name.to_string(), l.manifest.to_string())]
}

fn initial_files(ctx: &Ctx, lessons: &Lessons) -> Vec<(String, String)> {
    match ctx {
        Ctx::Sandbox => sandbox_files(),
        Ctx::Lesson(id) => lessons
            .get(id)
            .map(|l| {
                l.start
                    .files
                    .iter()
                    .map(|(a, b)| (a.clone(), b.clone()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The files the editor will show for a context (saved ones, else its initial ones).
fn files_for(ctx: &Ctx, lessons: &Lessons) -> FileSet {
    match editor_files::load(&ctx.files_key()) {
        Ok(Some(saved)) => {
            crate::sim::sort::map_of(saved.files.into_iter().map(|f| (f.name, f.text)))
        }
        _ => crate::sim::sort::map_of(initial_files(ctx, lessons)),
    }
}

/// How many log steps a context's start made (undo never goes before them).
fn start_steps(ctx: &Ctx, lessons: &Lessons) -> usize {
    match ctx {
        Ctx::Sandbox => 0,
        Ctx::Lesson(id) => lessons.get(id).map_or(0, |l| l.start.commands.len()),
    }
}

/// A context's world at its start: a lesson's start, or a fresh sandbox.
fn fresh(ctx: &Ctx, lessons: &Lessons) -> (Session, FileLog, Vec<String>) {
    match ctx.clone() {
        Ctx::Lesson(id) => match lessons.get(&id) {
            Some(l) => {
                let (s, outputs) = goals::start(l);
                (s, FileLog::starting_with(l.start.files.clone()), outputs)
            }
            None => (Session::new(persist::SEED), FileLog::default(), Vec::new()),
        },
        Ctx::Sandbox => (Session::new(persist::SEED), FileLog::default(), Vec::new()),
    }
}

/// The context the page opens in: the route's, else the one open last, else the sandbox.
fn initial_ctx(route: &Route, record: &Record, lessons: &Lessons) -> Ctx {
    let known = |id: &str| lessons.heads().iter().any(|l| l.id == id);
    match route {
        Route::Lesson(id, _) if known(id) => Ctx::Lesson(id.clone()),
        Route::Sandbox => Ctx::Sandbox,
        _ => match Route::parse(record.open.as_deref().unwrap_or("")) {
            Route::Lesson(id, _) if known(&id) => Ctx::Lesson(id),
            _ => Ctx::Sandbox,
        },
    }
}

/// The course's state and the first context's session with its terminal entries.
pub fn init() -> (CourseState, Session, Vec<Entry>) {
    let lessons = Lessons::built_in();
    crate::ui::mark("pc:lessons");
    let route = Route::parse(&hash());
    let (record, problem) = progress::load();
    let ctx = initial_ctx(&route, &record, &lessons);
    let keep = start_steps(&ctx, &lessons);
    let loaded = persist::load_context(&ctx.session_key(), keep, true, &mut || {
        fresh(&ctx, &lessons)
    });
    let mut entries = loaded.entries;
    if let Ctx::Lesson(id) = &ctx {
        if let Some(l) = lessons.get(id) {
            entries.insert(0, persist::notice(0, lesson_notice(l), true));
            for (i, e) in entries.iter_mut().enumerate() {
                e.id = i as u64;
            }
        }
    }
    let workspace = Workspace {
        key: ctx.files_key(),
        initial: initial_files(&ctx, &lessons),
        replace: false,
        generation: 0,
    };
    let record_hints = record.hints_of(&ctx);
    let state = CourseState {
        lessons: StoredValue::new(lessons),
        route: RwSignal::new(route),
        ctx: RwSignal::new(ctx),
        workspace: RwSignal::new(workspace),
        files_now: StoredValue::new(FileSet::new()),
        file_log: StoredValue::new(loaded.files),
        outputs: StoredValue::new(loaded.outputs),
        record: RwSignal::new(record),
        checked: RwSignal::new(None),
        last_check: StoredValue::new(None),
        hints: RwSignal::new(record_hints),
        message: RwSignal::new(problem),
    };
    (state, loaded.session, entries)
}

fn lesson_notice(l: &Lesson) -> String {
    format!(
        "Lesson \"{}\" (chapter {}): this terminal runs the lesson's world.",
        l.title, l.chapter
    )
}

fn push_notice(state: &AppState, entries: &mut Vec<Entry>, text: String, ok: bool) {
    let id = state.next_entry.get_value();
    state.next_entry.set_value(id + 1);
    entries.push(persist::notice(id, text, ok));
}

/// Renumber entries from the state's counter (ids must not repeat in the terminal's list).
fn renumber(state: &AppState, entries: &mut [Entry]) {
    for e in entries.iter_mut() {
        let id = state.next_entry.get_value();
        state.next_entry.set_value(id + 1);
        e.id = id;
    }
}

/// Give the session the editor's files (as the editor's own effect would, but now: a command
/// may run before it does).
fn set_session_files(state: &AppState, files: FileSet) {
    state.course.files_now.set_value(files.clone());
    state
        .session
        .update_value(|s| s.files = Box::new(MemFiles { files }));
}

/// Open another context in the panes: save this one, bring that one back (or start it).
pub fn switch_to(state: &AppState, ctx: Ctx) {
    let c = state.course;
    if c.ctx.get_untracked() == ctx {
        return;
    }
    persist::save(state);
    let lessons = c.lessons;
    let keep = lessons.with_value(|l| start_steps(&ctx, l));
    let loaded = lessons.with_value(|l| {
        persist::load_context(&ctx.session_key(), keep, false, &mut || fresh(&ctx, l))
    });
    let files = lessons.with_value(|l| files_for(&ctx, l));
    let initial = lessons.with_value(|l| initial_files(&ctx, l));
    c.ctx.set(ctx.clone());
    state.session.set_value(loaded.session);
    set_session_files(state, files);
    c.file_log.set_value(loaded.files);
    c.outputs.set_value(loaded.outputs);
    c.hints.set(c.record.with_untracked(|r| r.hints_of(&ctx)));
    c.message.set(None);
    c.checked.set(None);
    c.last_check.set_value(None);
    let mut entries = Vec::new();
    let text = match &ctx {
        Ctx::Lesson(id) => c
            .lesson(id)
            .map(|l| lesson_notice(&l))
            .unwrap_or_default(),
        Ctx::Sandbox => {
            "Sandbox: the full playground, no goals. `sim cluster create` and the other sim commands make any topology.".to_string()
        }
    };
    push_notice(state, &mut entries, text, true);
    let mut restored = loaded.entries;
    renumber(state, &mut restored);
    entries.extend(restored);
    state.entries.set(entries);
    c.workspace.update(|w| {
        *w = Workspace {
            key: ctx.files_key(),
            initial,
            replace: false,
            generation: w.generation + 1,
        }
    });
    state.version.update(|v| *v += 1);
    persist::save(state);
}

/// Start the open context again: a lesson from its start, the sandbox from a fresh world. The
/// editor's files stay as they are.
pub fn restart(state: &AppState) {
    let c = state.course;
    let ctx = c.ctx.get_untracked();
    let (session, log, outputs) = c.lessons.with_value(|l| fresh(&ctx, l));
    state.session.set_value(session);
    set_session_files(state, c.files_now.get_value());
    c.file_log.set_value(log);
    c.outputs.set_value(outputs);
    c.message.set(None);
    let text = match c.open_lesson() {
        Some(l) => format!(
            "Started the lesson \"{}\" again: the world is as it was at the lesson's start. Your files and typed history (Up/Down) are kept.",
            l.title
        ),
        None => "Started a fresh world: the cluster is as it was at the very beginning. Your typed history (Up/Down) is kept.".to_string(),
    };
    let mut entries = Vec::new();
    push_notice(state, &mut entries, text, true);
    state.entries.set(entries);
    persist::save(state);
    state.version.update(|v| *v += 1);
}

/// Undo the learner's last command: the log without it replayed on a fresh world.
pub fn undo(state: &AppState) {
    let c = state.course;
    let ctx = c.ctx.get_untracked();
    let keep = c.lessons.with_value(|l| start_steps(&ctx, l));
    let start = now_ms();
    let mut out_of_time = move || now_ms() - start > UNDO_BUDGET_MS;
    let result = state.session.with_value(|s| {
        c.file_log.with_value(|files| {
            workspace::undo(
                s.seed,
                &s.log,
                keep,
                files,
                Limits::default(),
                &mut out_of_time,
            )
        })
    });
    match result {
        Ok((restored, files, undone)) => {
            let mut outputs = Vec::new();
            let mut entries = Vec::new();
            for (i, r) in restored.outputs.into_iter().enumerate() {
                workspace::push_output(&mut outputs, r.output.text.clone());
                if i < keep {
                    continue;
                }
                entries.push(Entry {
                    id: 0,
                    prompt: format!("{}:{}", r.context, r.namespace),
                    command: persist::shown_command(&r.entry.line, r.entry.stdin.as_deref()),
                    output: r.output.text,
                    ok: r.output.ok,
                    notice: false,
                });
            }
            let extra = entries.len().saturating_sub(200);
            entries.drain(..extra);
            renumber(state, &mut entries);
            let text = format!(
                "Undid `{}`: the world is as it was just before it (the rest of your commands replayed on a fresh world).",
                undone.line
            );
            push_notice(state, &mut entries, text.clone(), true);
            state.session.set_value(restored.session);
            set_session_files(state, c.files_now.get_value());
            c.file_log.set_value(files);
            c.outputs.set_value(outputs);
            state.entries.set(entries);
            c.message.set(Some(text));
            persist::save(state);
            state.version.update(|v| *v += 1);
        }
        Err(e) => c.message.set(Some(format!("Nothing undone: {e}."))),
    }
}

/// Before a command runs: note the editor's files it will read.
pub fn before_run(state: &AppState) {
    let c = state.course;
    let step = state.session.with_value(|s| s.log.len());
    let files = c.files_now.get_value();
    c.file_log.update_value(|l| l.note(step, &files));
}

/// After a command ran: keep its output for `saw` goals, mark the lesson started, save.
pub fn after_run(state: &AppState, out: &crate::shell::Output) {
    let c = state.course;
    c.outputs
        .update_value(|o| workspace::push_output(o, out.text.clone()));
    if let Ctx::Lesson(id) = c.ctx.get_untracked() {
        if !c.record.with_untracked(|r| r.started.contains(&id)) {
            c.record.update(|r| {
                r.started.insert(id);
            });
            c.record.with_untracked(progress::save);
        }
    }
    persist::save(state);
}

/// Check the open lesson's goals if the world changed since the last check.
fn check_goals(state: &AppState) {
    let c = state.course;
    let Some(ctx) = c.ctx.try_get_untracked() else {
        return;
    };
    let Ctx::Lesson(id) = &ctx else {
        return;
    };
    let version = state.version.get_untracked();
    let now = Some((ctx.clone(), version));
    if c.last_check.get_value() == now {
        return;
    }
    c.last_check.set_value(now);
    let Some(lesson) = c.lesson(id) else {
        return;
    };
    let results = state.session.with_value(|s| {
        c.outputs.with_value(|outputs| {
            goals::evaluate(
                &lesson,
                &goals::Progress {
                    session: s,
                    outputs,
                },
            )
        })
    });
    let all = results.iter().all(|r| r.is_ok());
    c.checked.set(Some(Checked {
        lesson: id.clone(),
        results,
    }));
    if all && !c.record.with_untracked(|r| r.done.contains(id)) {
        c.record.update(|r| {
            r.done.insert(id.clone());
        });
        c.record.with_untracked(progress::save);
    }
}

/// Follow the address: the route, and the context it opens. Goals checked on a timer.
pub fn wire(state: AppState) {
    let c = state.course;
    let _ = window_event_listener_untyped("hashchange", move |_| {
        let route = Route::parse(&hash());
        c.route.set(route);
    });
    Effect::new(move |_| {
        let route = c.route.get();
        let known = |id: &str| {
            c.lessons
                .with_value(|l| l.heads().iter().any(|l| l.id == id))
        };
        let open = match &route {
            Route::Lesson(id, _) if known(id) => {
                switch_to(&state, Ctx::Lesson(id.clone()));
                Some(route.hash())
            }
            Route::Sandbox => {
                switch_to(&state, Ctx::Sandbox);
                Some(route.hash())
            }
            _ => None,
        };
        if let Some(open) = open {
            if c.record
                .with_untracked(|r| r.open.as_deref() != Some(&open))
            {
                c.record.update(|r| r.open = Some(open));
                c.record.with_untracked(progress::save);
            }
        }
    });
    let interval = gloo_timers::callback::Interval::new(CHECK_MS, move || check_goals(&state));
    let handle = StoredValue::new_local(Some(interval));
    on_cleanup(move || {
        handle.try_update_value(|h| h.take());
    });
    // Check once as soon as the page is up, not a tick later.
    request_animation_frame(move || check_goals(&state));
}

/// The left pane: the overview, a lesson, the sandbox's text, or what was not found.
#[component]
pub fn CoursePane() -> impl IntoView {
    let state = expect_context::<AppState>();
    let c = state.course;
    move || match c.route.get() {
        Route::Overview => overview::Overview().into_any(),
        Route::Lesson(id, step) => match c.lesson(&id) {
            Some(lesson) => view! { <lesson_view::LessonView lesson=lesson step=step/> }.into_any(),
            None => not_found(format!("There is no lesson called \"{id}\".")).into_any(),
        },
        Route::Sandbox => sandbox().into_any(),
        Route::NotFound(h) => not_found(format!("Nothing lives at \"#{h}\".")).into_any(),
    }
}

fn not_found(text: String) -> impl IntoView {
    view! {
        <article class="lesson course-missing" id="course-not-found">
            <h2>"Not found"</h2>
            <p role="alert">{text}</p>
            <p><a href="#/course" class="course-link">"See all lessons in the course overview"</a></p>
        </article>
    }
}

fn sandbox() -> impl IntoView {
    let html = crate::course::markdown::to_html(crate::course::FIRST_POD.markdown);
    view! {
        <article class="lesson course-sandbox" id="sandbox">
            <p class="course-crumbs"><a href="#/course">"Course"</a>" › Sandbox"</p>
            <p class="course-note">
                "The sandbox: the full playground, with no goals. Make any topology with "
                <code>"sim cluster create"</code>" and break what you like."
            </p>
            <div inner_html=html></div>
        </article>
    }
}

//! The course in the page: the route (location hash: overview, lesson and step, sandbox), whose
//! world the panes show (a lesson's or the sandbox's, each with its own saved session, editor
//! files and outputs), starting, resetting and undoing, and the goals checked as the world
//! changes. `overview.rs` and `lesson_view.rs` draw the left pane; `progress.rs` keeps what the
//! learner finished in localStorage.

mod lesson_view;
mod overview;
pub mod progress;

use super::editor::files as editor_files;
use super::terminal::persist;
use super::{link, storage, AppState};
use crate::course::lesson::Head;
use crate::course::route::Route;
use crate::course::workspace::FileSet;
pub use crate::host::proto::Ctx;
use crate::host::proto::{files_key, Entry, LessonPage, Open, Reply, Request};
use leptos::prelude::*;
use progress::Record;
use std::collections::HashMap;

/// Goals are checked at most this often (real milliseconds), and only when the world changed
/// (the engine keeps track of that).
const CHECK_MS: u32 = 400;

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

/// The lessons as the page knows them: every head (`course::heads`, for the overview and
/// the routes) and the lessons the engine has sent for the lesson pane.
pub struct PageLessons {
    heads: Vec<Head>,
}

impl PageLessons {
    pub fn heads(&self) -> &[Head] {
        &self.heads
    }
    fn known(&self, id: &str) -> bool {
        self.heads.iter().any(|h| h.id == id)
    }
}

/// The course's part of the page state (in `AppState::course`).
#[derive(Clone, Copy)]
pub struct CourseState {
    pub lessons: StoredValue<PageLessons>,
    /// Lessons as the lesson pane shows them, by id, as the engine sent them.
    pub pages: RwSignal<HashMap<String, LessonPage>>,
    pub route: RwSignal<Route>,
    pub ctx: RwSignal<Ctx>,
    pub workspace: RwSignal<Workspace>,
    /// The editor's files now (the editor keeps it current).
    pub files_now: StoredValue<FileSet>,
    pub record: RwSignal<Record>,
    pub checked: RwSignal<Option<Checked>>,
    /// Hints shown in the open lesson.
    pub hints: RwSignal<usize>,
    /// A message of the lesson pane (undo's answer, a problem reading progress).
    pub message: RwSignal<Option<String>>,
}

impl CourseState {
    /// A lesson for the lesson pane: the one the engine sent, or None while it is asked for.
    pub fn lesson(&self, id: &str) -> Option<LessonPage> {
        if let Some(l) = self.pages.with(|p| p.get(id).cloned()) {
            return Some(l);
        }
        link::send(Request::Lesson(id.to_string()));
        None
    }
}

fn hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// The sandbox's editor starts with the first-pod manifest.
fn sandbox_files() -> Vec<(String, String)> {
    let l = crate::course::FIRST_POD;
    vec![(l.manifest_name.to_string(), l.manifest.to_string())]
}

/// The files a context's editor starts with: the sandbox's; a lesson's come from the engine
/// with the lesson (the editor shows saved ones, else these).
fn initial_files(ctx: &Ctx) -> Vec<(String, String)> {
    match ctx {
        Ctx::Sandbox => sandbox_files(),
        Ctx::Lesson(_) => Vec::new(),
    }
}

/// The files the editor will show for a context: saved ones, else its initial ones.
fn files_for(ctx: &Ctx) -> Option<FileSet> {
    match editor_files::load(&ctx.files_key()) {
        Ok(Some(saved)) => Some(crate::sim::sort::map_of(
            saved.files.into_iter().map(|f| (f.name, f.text)),
        )),
        _ => None,
    }
}

/// The context the page opens in: the route's, else the one open last, else the sandbox.
fn initial_ctx(route: &Route, record: &Record, lessons: &PageLessons) -> Ctx {
    match route {
        Route::Lesson(id, _) if lessons.known(id) => Ctx::Lesson(id.clone()),
        Route::Sandbox => Ctx::Sandbox,
        _ => match Route::parse(record.open.as_deref().unwrap_or("")) {
            Route::Lesson(id, _) if lessons.known(&id) => Ctx::Lesson(id),
            _ => Ctx::Sandbox,
        },
    }
}

/// Ask the engine to open a context with what was saved of it.
fn open(ctx: &Ctx, files: FileSet, at_load: bool, cleared: usize, notice: Option<String>) {
    let key = ctx.session_key();
    link::send(Request::Open(Open {
        ctx: ctx.clone(),
        journal: storage::get(&key),
        files_log: storage::get(&files_key(&key)),
        files,
        at_load,
        cleared,
        notice,
    }));
}

/// The course's state; the first context is opened in the engine.
pub fn init() -> CourseState {
    let lessons = PageLessons {
        heads: Head::built_in(),
    };
    let route = Route::parse(&hash());
    let (record, problem) = progress::load();
    let ctx = initial_ctx(&route, &record, &lessons);
    let (terminal, terminal_problem) = persist::load_terminal();
    // The editor reads its saved files itself (and says so if they had to be set aside); it
    // hands them to the engine as soon as it is drawn.
    let files = crate::sim::sort::map_of(initial_files(&ctx));
    open(
        &ctx,
        files.clone(),
        true,
        terminal.cleared,
        terminal_problem,
    );
    if let Ctx::Lesson(id) = &ctx {
        link::send(Request::Lesson(id.clone()));
    }
    let workspace = Workspace {
        key: ctx.files_key(),
        initial: initial_files(&ctx),
        replace: false,
        generation: 0,
    };
    let record_hints = record.hints_of(&ctx);
    CourseState {
        lessons: StoredValue::new(lessons),
        pages: RwSignal::new(HashMap::new()),
        route: RwSignal::new(route),
        ctx: RwSignal::new(ctx),
        workspace: RwSignal::new(workspace),
        files_now: StoredValue::new(files),
        record: RwSignal::new(record),
        checked: RwSignal::new(None),
        hints: RwSignal::new(record_hints),
        message: RwSignal::new(problem),
    }
}

/// Open another context in the panes: the engine saves this one and brings that one back
/// (or starts it).
pub fn switch_to(state: &AppState, ctx: Ctx) {
    let c = state.course;
    if c.ctx.get_untracked() == ctx {
        return;
    }
    let files = files_for(&ctx);
    c.ctx.set(ctx.clone());
    c.files_now.set_value(
        files
            .clone()
            .unwrap_or_else(|| crate::sim::sort::map_of(initial_files(&ctx))),
    );
    open(&ctx, c.files_now.get_value(), false, 0, None);
    c.hints.set(c.record.with_untracked(|r| r.hints_of(&ctx)));
    c.message.set(None);
    c.checked.set(None);
    let initial = match &ctx {
        Ctx::Lesson(id) => c
            .pages
            .with_untracked(|p| p.get(id).map(start_files))
            .unwrap_or_default(),
        Ctx::Sandbox => sandbox_files(),
    };
    c.workspace.update(|w| {
        *w = Workspace {
            key: ctx.files_key(),
            initial,
            replace: false,
            generation: w.generation + 1,
        }
    });
}

fn start_files(l: &LessonPage) -> Vec<(String, String)> {
    l.start_files.clone()
}

/// Start the open context again: a lesson from its start, the sandbox from a fresh world. The
/// editor's files stay as they are.
pub fn restart(state: &AppState) {
    state.course.message.set(None);
    link::send(Request::Restart);
}

/// Undo the learner's last command: the log without it replayed on a fresh world.
pub fn undo(_state: &AppState) {
    link::send(Request::Undo);
}

/// Run the open lesson's solution (its files into the editor, its commands in the terminal).
pub fn solve(_state: &AppState) {
    link::send(Request::Solve);
}

/// After a command ran: mark the lesson started.
pub fn after_run(state: &AppState, _entry: &Entry) {
    let c = state.course;
    if let Ctx::Lesson(id) = c.ctx.get_untracked() {
        if !c.record.with_untracked(|r| r.started.contains(&id)) {
            c.record.update(|r| {
                r.started.insert(id);
            });
            c.record.with_untracked(progress::save);
        }
    }
}

/// The engine's answers that are the course's.
pub fn receive(state: &AppState, reply: Reply) {
    let c = state.course;
    match reply {
        Reply::Goals { lesson, results } => {
            let all = results.iter().all(|r| r.is_ok());
            if c.ctx.get_untracked() != Ctx::Lesson(lesson.clone()) {
                return;
            }
            c.checked.set(Some(Checked {
                lesson: lesson.clone(),
                results,
            }));
            if all && !c.record.with_untracked(|r| r.done.contains(&lesson)) {
                c.record.update(|r| {
                    r.done.insert(lesson);
                });
                c.record.with_untracked(progress::save);
            }
        }
        Reply::Message(m) => c.message.set(Some(m)),
        Reply::Lesson(Some(l)) => {
            // A lesson opened before its text came starts with its files.
            if c.ctx.get_untracked() == Ctx::Lesson(l.id.clone())
                && c.workspace
                    .with_untracked(|w| w.initial.is_empty() && !w.replace)
                && !editor_files::has_saved(&c.ctx.get_untracked().files_key())
                && !l.start_files.is_empty()
            {
                let files = start_files(&l);
                c.files_now
                    .set_value(crate::sim::sort::map_of(files.clone()));
                c.workspace.update(|w| {
                    w.initial = files;
                    w.generation += 1;
                });
            }
            c.pages.update(|p| {
                p.insert(l.id.clone(), l);
            });
        }
        Reply::Files(files) => {
            c.files_now.set_value(files.clone());
            c.workspace.update(|w| {
                w.initial = files.into_iter().collect();
                w.replace = true;
                w.generation += 1;
            });
        }
        _ => {}
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
        let known = |id: &str| c.lessons.with_value(|l| l.known(id));
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
    let check = move || {
        if matches!(c.ctx.try_get_untracked(), Some(Ctx::Lesson(_))) {
            link::send(Request::CheckGoals);
        }
    };
    let interval = gloo_timers::callback::Interval::new(CHECK_MS, check);
    let handle = StoredValue::new_local(Some(interval));
    on_cleanup(move || {
        handle.try_update_value(|h| h.take());
    });
    // Check once as soon as the page is up, not a tick later.
    request_animation_frame(check);
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
            None if c.lessons.with_value(|l| l.known(&id)) => loading().into_any(),
            None => not_found(format!("There is no lesson called \"{id}\".")).into_any(),
        },
        Route::Sandbox => sandbox().into_any(),
        Route::NotFound(h) => not_found(format!("Nothing lives at \"#{h}\".")).into_any(),
    }
}

fn loading() -> impl IntoView {
    view! {
        <article class="lesson course-loading" id="lesson-loading">
            <p class="course-crumbs"><a href="#/course">"Course"</a></p>
            <p role="status">"Opening the lesson…"</p>
        </article>
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

//! The messages between the page and the engine's host (`super::Host`), as JSON: in the
//! browser the host runs in a Web Worker and these cross `postMessage`; natively the tests call
//! `Host::handle` with them. Everything here is plain data, so the page's wasm holds the types
//! and their (de)serialisers but none of the engine.

use crate::course::lesson::Lesson;
use crate::course::workspace::FileSet;
use crate::manifest::diagnostics::Diagnostic;
use crate::shell::complete::Completion;
use crate::shell::field_docs::FieldDocs;
use crate::shell::preview::DocPreview;
use crate::sim::map::MapModel;
use crate::sim::metrics::{Sample, Second};
use crate::sim::network::Hop;
use serde::{Deserialize, Serialize};

/// Where the sandbox's session journal is saved; a lesson's is under `KEY.lesson.ID`.
pub const SESSION_KEY: &str = "pocket-cluster.session";
/// Where the sandbox's editor files are saved; a lesson's are under `KEY.lesson.ID`.
pub const EDITOR_KEY: &str = "pocket-cluster.editor.v1";
/// The seed of a fresh world.
pub const SEED: u64 = 1;

/// Whose world is in the panes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ctx {
    Sandbox,
    Lesson(String),
}

impl Ctx {
    /// Where its session's journal is saved.
    pub fn session_key(&self) -> String {
        match self {
            Ctx::Sandbox => SESSION_KEY.to_string(),
            Ctx::Lesson(id) => format!("{SESSION_KEY}.lesson.{id}"),
        }
    }
    /// Where its editor files are saved.
    pub fn files_key(&self) -> String {
        match self {
            Ctx::Sandbox => EDITOR_KEY.to_string(),
            Ctx::Lesson(id) => format!("{EDITOR_KEY}.lesson.{id}"),
        }
    }
}

/// The files log saved next to a session's journal.
pub fn files_key(session_key: &str) -> String {
    format!("{session_key}.files")
}

/// One entry of the terminal: a command with its prompt and output, or a notice of the
/// terminal itself (restored, set aside, reset). The page numbers them (`id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: u64,
    pub prompt: String,
    pub command: String,
    pub output: String,
    pub ok: bool,
    pub notice: bool,
}

impl Entry {
    pub fn notice(text: impl Into<String>, ok: bool) -> Entry {
        Entry {
            id: 0,
            prompt: String::new(),
            command: String::new(),
            output: text.into(),
            ok,
            notice: true,
        }
    }
}

/// Who asked for a command, so that the page hands its answer to the right view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// The terminal, the editor's apply, a lesson's solution, a fault drill: shown in the
    /// terminal.
    Terminal,
    /// The map's "send traffic": not shown in the terminal, animated on the map.
    Traffic,
}

/// A context to open: its saved journal and files log as the page read them from
/// localStorage (None: nothing saved), the editor's files, and, for the page's first context
/// (`at_load`), how many of the session's commands the terminal had cleared (Ctrl+L) before the
/// page was reloaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Open {
    pub ctx: Ctx,
    pub journal: Option<String>,
    pub files_log: Option<String>,
    pub files: FileSet,
    pub at_load: bool,
    pub cleared: usize,
    /// A message of the page's to show first (its saved terminal history was unreadable).
    pub notice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Bring a context into the panes (the one open before is saved first).
    Open(Open),
    /// Run a command line (with a heredoc's text), shown in the terminal as `shown`.
    Run {
        shown: String,
        line: String,
        stdin: Option<String>,
        source: Source,
    },
    /// Run a command that changes nothing (a map element's `kubectl describe`) and take it
    /// off the log again.
    Describe { line: String },
    /// Advance the virtual clock (the page's time controls).
    Tick { ms: u64 },
    /// The editor's files now.
    Files(FileSet),
    /// Start the context again (a lesson from its start, the sandbox from a fresh world).
    Restart,
    /// Undo the learner's last command.
    Undo,
    /// Write the open lesson's solution files and run its commands.
    Solve,
    /// Tab completion of a line at a byte offset.
    Complete { line: String, at: usize },
    /// The editor's check of a buffer.
    Diagnose { text: String },
    /// What `kubectl apply` of a buffer would do.
    Preview { text: String },
    /// The field docs at a 1-based line of a buffer.
    FieldDocs { text: String, line: usize },
    /// `kubectl explain`'s data (`explain.yaml`), fetched by the page after start-up, or why
    /// it could not be.
    Explain { text: Result<String, String> },
    /// The map's width in map units (its pane's width).
    MapWidth(i32),
    /// Check the open lesson's goals if the world changed since the last check.
    CheckGoals,
    /// A lesson, for the lesson pane.
    Lesson(String),
    /// Save the session now (the page is going away).
    Save,
    /// Run the benchmark a benchmark page's route names (`crate::bench::route`).
    Bench { route: String },
}

/// The plots' data (`sim::metrics`), sent when the metrics' revision moves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plots {
    pub revision: u64,
    pub per_pod: Vec<(String, u32)>,
    pub samples: Vec<Sample>,
    pub names: Vec<String>,
    pub seconds: Vec<Second>,
    pub now: u64,
    pub per_pod_summary: String,
    pub replicas_summary: String,
    pub errors_summary: String,
}

/// What the views show of the world, sent after every change. `map` and `plots` are None when
/// they did not change since the last view sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// Bumped after every change to the world.
    pub version: u64,
    /// The current context's cluster and namespace (the prompt).
    pub context: String,
    pub namespace: String,
    /// The virtual clock, in ms.
    pub now: u64,
    /// Commands the session has run (what a terminal clear counts).
    pub commands_run: usize,
    pub map: Option<MapModel>,
    pub plots: Option<Plots>,
    /// Requests that shell loops in containers made since the last view: the cluster they
    /// started in and their hops.
    pub loop_traces: Vec<(usize, Vec<Hop>)>,
}

/// A command's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ran {
    pub source: Source,
    /// The terminal's entry: the prompt it ran at, the command as shown, its output.
    pub entry: Entry,
    /// The line that ran.
    pub line: String,
    /// The path of the request it made, if it made one, and the cluster it started in.
    pub trace: Vec<Hop>,
    pub origin: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// The host is up.
    Ready,
    /// Terminal entries: `replace` the terminal's (a context opened, restarted or undone), or
    /// added after it.
    Entries {
        entries: Vec<Entry>,
        replace: bool,
    },
    Ran(Ran),
    Described {
        line: String,
        text: String,
    },
    Completion(Completion),
    Diagnostics(Vec<Diagnostic>),
    Preview(Vec<DocPreview>),
    FieldDocs(Option<FieldDocs>),
    Goals {
        lesson: String,
        results: Vec<Result<(), String>>,
    },
    Lesson(Option<LessonPage>),
    /// A message for the lesson pane (undo's answer).
    Message(String),
    /// The editor's files are these now (a solution wrote some).
    Files(FileSet),
    View(View),
    /// localStorage writes: a key set to a text, or removed (None).
    Store(Vec<(String, Option<String>)>),
    /// A benchmark's outcome.
    Bench(crate::bench::route::Done),
}

/// What the lesson pane shows of a lesson (the goals' checks and the commands stay with the
/// host).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonPage {
    pub id: String,
    pub title: String,
    pub chapter: u32,
    pub steps: Vec<String>,
    /// Each goal's text.
    pub goals: Vec<String>,
    pub hints: Vec<String>,
    /// The solution's commands as the terminal shows them (a heredoc's text included).
    pub solution: Vec<String>,
    /// The files the solution writes.
    pub solution_files: Vec<(String, String)>,
    /// The files the editor starts with.
    pub start_files: Vec<(String, String)>,
    pub takeaway: String,
}

impl LessonPage {
    pub fn of(l: &Lesson) -> LessonPage {
        LessonPage {
            id: l.id.clone(),
            title: l.title.clone(),
            chapter: l.chapter,
            steps: l.steps.clone(),
            goals: l.goals.iter().map(|g| g.text.clone()).collect(),
            hints: l.hints.clone(),
            solution: l
                .solution
                .commands
                .iter()
                .map(|c| super::shown_command(c.line(), c.stdin()))
                .collect(),
            solution_files: l
                .solution
                .files
                .iter()
                .map(|(a, b)| (a.clone(), b.clone()))
                .collect(),
            start_files: l
                .start
                .files
                .iter()
                .map(|(a, b)| (a.clone(), b.clone()))
                .collect(),
            takeaway: l.takeaway.clone(),
        }
    }
}

/// A request with the page's number for it; the answer carries the same number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub id: u64,
    pub request: Request,
}

/// An answer to call `id` (0: sent by the host on its own, such as views after a tick).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub id: u64,
    pub reply: Reply,
}

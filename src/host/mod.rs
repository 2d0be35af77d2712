//! The engine's host: what the page's panes drive, kept apart from the page. It owns the open
//! context's `Session` (a lesson's world or the sandbox's), its editor files by step and its
//! commands' outputs, and answers the page's requests (`proto::Request`): commands, ticks,
//! completion, the editor's checks, previews and field docs, goals, restart, undo, a lesson's
//! solution. After each change it sends a `proto::View` (prompt, clock, the map's model when
//! it changed, the plots' data when the metrics moved) and asks the page to save the journal
//! (`Reply::Store`): the host never touches the browser, so it runs in a Web Worker there
//! (`src/bin/engine-worker.rs`) and natively in the tests.

pub mod proto;

use crate::course::goals;
use crate::course::lesson::{Lesson, Lessons};
use crate::course::workspace::{self, FileLog, FileSet};
use crate::shell::files::MemFiles;
use crate::shell::journal::{self, Limits, RestoreError};
use crate::shell::{Session, Step};
use crate::sim::map::MapModel;
use proto::{files_key, Answer, Call, Ctx, Entry, Plots, Ran, Reply, Request, Source, View, SEED};

/// How long a replay (a reload's, an undo's) may take, in real milliseconds.
const REPLAY_BUDGET_MS: f64 = 5_000.0;
/// Restored commands shown in the terminal (the newest).
const SHOWN: usize = 200;
/// The clock's ticks are saved at most this often (commands are saved at once).
const TICK_SAVE_MS: f64 = 2_000.0;

/// The engine's side of the page.
pub struct Host {
    lessons: Lessons,
    ctx: Ctx,
    session: Session,
    /// The editor's files by step of the session's log, saved with it.
    file_log: FileLog,
    /// Every command's output in this context (bounded), for `saw` goals.
    outputs: Vec<String>,
    /// The editor's files now.
    files_now: FileSet,
    map_width: i32,
    version: u64,
    sent_map: Option<MapModel>,
    sent_plots: Option<u64>,
    /// The context and world version the goals were last checked at.
    checked: Option<(Ctx, u64)>,
    last_save: f64,
    /// Whether the page has opened a context yet (before, the session is a placeholder that
    /// must not be saved over a real one).
    opened: bool,
    /// Real time in ms (replay budgets, save pacing): `performance.now()` in the browser.
    clock: Box<dyn Fn() -> f64>,
    /// Where the benchmarks take their time and memory from (None: no benchmarks here).
    bench: Option<Box<dyn crate::bench::Host>>,
}

/// How a logged command is shown: its line, and a heredoc's text as it was typed.
pub fn shown_command(line: &str, stdin: Option<&str>) -> String {
    let Some(body) = stdin else {
        return line.to_string();
    };
    let (line, delim) = match crate::shell::lex::lex(line).ok().and_then(|l| l.heredoc) {
        Some((d, _)) => (line.to_string(), d),
        None => (format!("{line} <<EOF"), "EOF".to_string()),
    };
    let body = if body.ends_with('\n') || body.is_empty() {
        body.to_string()
    } else {
        format!("{body}\n")
    };
    format!("{line}\n{body}{delim}")
}

/// How many commands a session has run (its log also holds the clock's ticks).
pub fn commands_run(s: &Session) -> usize {
    s.log.iter().filter(|s| matches!(s, Step::Run(_))).count()
}

fn lesson_notice(l: &Lesson) -> String {
    format!(
        "Lesson \"{}\" (chapter {}): this terminal runs the lesson's world.",
        l.title, l.chapter
    )
}

const SANDBOX_NOTICE: &str = "Sandbox: the full playground, no goals. `sim cluster create` and the other sim commands make any topology.";

impl Host {
    /// A host showing a fresh sandbox (the page opens its context at once).
    pub fn new(clock: Box<dyn Fn() -> f64>) -> Host {
        Host {
            lessons: Lessons::built_in(),
            ctx: Ctx::Sandbox,
            session: Session::new(SEED),
            file_log: FileLog::default(),
            outputs: Vec::new(),
            files_now: FileSet::new(),
            map_width: 480,
            version: 0,
            sent_map: None,
            sent_plots: None,
            checked: None,
            last_save: f64::NEG_INFINITY,
            opened: false,
            clock,
            bench: None,
        }
    }

    /// Let the host run benchmarks, timed and measured by `env`.
    pub fn with_bench(mut self, env: Box<dyn crate::bench::Host>) -> Host {
        self.bench = Some(env);
        self
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    /// Answer one call: its replies, numbered with its id, then what the host sends on its
    /// own (views, saves) numbered 0.
    pub fn call(&mut self, call: Call) -> Vec<Answer> {
        let mut own = Vec::new();
        let replies = self.handle(call.request, &mut own);
        replies
            .into_iter()
            .map(|reply| Answer { id: call.id, reply })
            .chain(own.into_iter().map(|reply| Answer { id: 0, reply }))
            .collect()
    }

    /// The JSON face of [`Host::call`], for the worker: a `Call` in, a list of `Answer`s out.
    /// Text that is not a call gets no answer (the page never sends one).
    pub fn call_json(&mut self, text: &str) -> String {
        let answers = match serde_json::from_str::<Call>(text) {
            Ok(call) => self.call(call),
            Err(_) => Vec::new(),
        };
        serde_json::to_string(&answers).unwrap_or_else(|_| "[]".into())
    }

    /// Handle a request: its answers, and in `own` the views and saves it caused.
    pub fn handle(&mut self, request: Request, own: &mut Vec<Reply>) -> Vec<Reply> {
        match request {
            Request::Open(o) => {
                if self.opened {
                    own.push(self.save());
                }
                self.opened = true;
                let notice = o.notice.clone();
                let mut entries = self.open(o, own);
                if let Some(text) = notice {
                    entries.insert(0, Entry::notice(text, false));
                }
                self.changed(own, true);
                vec![Reply::Entries {
                    entries,
                    replace: true,
                }]
            }
            Request::Run {
                shown,
                line,
                stdin,
                source,
            } => {
                let ran = self.run(&shown, &line, stdin.as_deref(), source);
                // The map's traffic (up to 200 requests a second) is saved as ticks are.
                let save =
                    source == Source::Terminal || (self.clock)() - self.last_save >= TICK_SAVE_MS;
                self.changed(own, save);
                vec![Reply::Ran(ran)]
            }
            Request::Describe { line } => {
                let out = self.session.run(&line, None);
                self.session.log.pop();
                vec![Reply::Described {
                    line,
                    text: out.text,
                }]
            }
            Request::Tick { ms } => {
                self.session.advance(ms.min(60_000));
                let save = (self.clock)() - self.last_save >= TICK_SAVE_MS;
                self.changed(own, save);
                Vec::new()
            }
            Request::Files(files) => {
                self.set_files(files);
                Vec::new()
            }
            Request::Restart => {
                let entries = self.restart();
                self.changed(own, true);
                vec![Reply::Entries {
                    entries,
                    replace: true,
                }]
            }
            Request::Undo => match self.undo() {
                Ok((entries, text)) => {
                    self.changed(own, true);
                    vec![
                        Reply::Entries {
                            entries,
                            replace: true,
                        },
                        Reply::Message(text),
                    ]
                }
                Err(text) => vec![Reply::Message(text)],
            },
            Request::Solve => {
                let (files, entries) = self.solve();
                self.changed(own, true);
                let mut out = Vec::new();
                if let Some(files) = files {
                    out.push(Reply::Files(files));
                }
                out.push(Reply::Entries {
                    entries,
                    replace: false,
                });
                out
            }
            Request::Complete { line, at } => {
                vec![Reply::Completion(crate::shell::complete::complete(
                    &self.session,
                    &line,
                    at,
                ))]
            }
            Request::Diagnose { text } => {
                vec![Reply::Diagnostics(crate::manifest::diagnostics::check(
                    &text,
                    self.session.world.cluster().store.kinds(),
                ))]
            }
            Request::Preview { text } => vec![Reply::Preview(crate::shell::preview::preview(
                &self.session,
                &text,
            ))],
            Request::FieldDocs { text, line } => vec![Reply::FieldDocs(
                crate::shell::field_docs::docs_at(&text, line),
            )],
            Request::Explain { text } => {
                let _ =
                    crate::shell::kubectl::explain::provide(text.as_deref().map_err(Clone::clone));
                Vec::new()
            }
            Request::MapWidth(w) => {
                self.map_width = w.clamp(200, 20_000);
                self.changed(own, false);
                Vec::new()
            }
            Request::CheckGoals => self.check_goals().into_iter().collect(),
            Request::Lesson(id) => vec![Reply::Lesson(
                self.lessons.get(&id).map(proto::LessonPage::of),
            )],
            Request::Save => {
                own.push(self.save());
                Vec::new()
            }
            Request::Bench { route } => match &self.bench {
                Some(env) => vec![Reply::Bench(crate::bench::route::run(&route, env.as_ref()))],
                None => Vec::new(),
            },
        }
    }

    /// After a change: bump the version, send the view (and a save when asked).
    fn changed(&mut self, own: &mut Vec<Reply>, save: bool) {
        self.version += 1;
        own.push(Reply::View(self.view()));
        if save {
            own.push(self.save());
        }
    }

    /// The view now; the map and plots only when they differ from what was sent last.
    pub fn view(&mut self) -> View {
        let s = &mut self.session;
        let map = MapModel::of(&s.world, self.map_width);
        let map = if self.sent_map.as_ref() == Some(&map) {
            None
        } else {
            self.sent_map = Some(map.clone());
            Some(map)
        };
        let m = &s.metrics;
        let plots = if self.sent_plots == Some(m.revision()) {
            None
        } else {
            self.sent_plots = Some(m.revision());
            Some(Plots {
                revision: m.revision(),
                per_pod: m.per_pod(),
                samples: m.samples().iter().cloned().collect(),
                names: m.workload_names(),
                seconds: m.seconds().iter().cloned().collect(),
                now: s.world.now,
                per_pod_summary: m.per_pod_summary(),
                replicas_summary: m.replicas_summary(),
                errors_summary: m.errors_summary(),
            })
        };
        View {
            version: self.version,
            context: s.world.cluster().name.clone(),
            namespace: s.namespace_for(s.world.current),
            now: s.world.now,
            commands_run: commands_run(s),
            map,
            plots,
            loop_traces: crate::sim::loops::take_traces(&mut s.world),
        }
    }

    /// The journal and the files log, for the page to save under the context's keys.
    pub fn save(&mut self) -> Reply {
        self.last_save = (self.clock)();
        if !self.opened {
            return Reply::Store(Vec::new());
        }
        let key = self.ctx.session_key();
        let mut writes = vec![(key.clone(), Some(journal::save(&self.session)))];
        if let Ok(files) = serde_json::to_string(&self.file_log) {
            writes.push((files_key(&key), Some(files)));
        }
        Reply::Store(writes)
    }

    fn prompt(&self) -> String {
        let s = &self.session;
        format!(
            "{}:{}",
            s.world.cluster().name,
            s.namespace_for(s.world.current)
        )
    }

    fn set_files(&mut self, files: FileSet) {
        self.session.files = Box::new(MemFiles {
            files: files.clone(),
        });
        self.files_now = files;
    }

    /// Run a command: note the files it reads, keep its output, answer with its entry.
    pub fn run(&mut self, shown: &str, line: &str, stdin: Option<&str>, source: Source) -> Ran {
        let prompt = self.prompt();
        let step = self.session.log.len();
        self.file_log.note(step, &self.files_now);
        let out = self.session.run(line, stdin);
        workspace::push_output(&mut self.outputs, out.text.clone());
        Ran {
            source,
            entry: Entry {
                id: 0,
                prompt,
                command: shown.to_string(),
                output: out.text,
                ok: out.ok,
                notice: false,
            },
            line: line.to_string(),
            trace: self.session.last_trace.clone(),
            origin: self.session.world.current,
        }
    }

    /// How many log steps a context's start made (undo never goes before them).
    fn start_steps(&self, ctx: &Ctx) -> usize {
        match ctx {
            Ctx::Sandbox => 0,
            Ctx::Lesson(id) => self.lessons.get(id).map_or(0, |l| l.start.commands.len()),
        }
    }

    /// A context's world at its start: a lesson's start, or a fresh sandbox.
    fn fresh(&self, ctx: &Ctx) -> (Session, FileLog, Vec<String>) {
        match ctx {
            Ctx::Lesson(id) => match self.lessons.get(id) {
                Some(l) => {
                    let (s, outputs) = goals::start(l);
                    (s, FileLog::starting_with(l.start.files.clone()), outputs)
                }
                None => (Session::new(SEED), FileLog::default(), Vec::new()),
            },
            Ctx::Sandbox => (Session::new(SEED), FileLog::default(), Vec::new()),
        }
    }

    fn context_notice(&self, ctx: &Ctx) -> String {
        match ctx {
            Ctx::Lesson(id) => self.lessons.get(id).map(lesson_notice).unwrap_or_default(),
            Ctx::Sandbox => SANDBOX_NOTICE.to_string(),
        }
    }

    /// Open a context: its saved journal replayed (with the editor's files each step had), or
    /// its start when nothing was saved or what was saved had to be set aside (`own` gets the
    /// writes that set it aside). Returns the terminal's entries.
    fn open(&mut self, o: proto::Open, own: &mut Vec<Reply>) -> Vec<Entry> {
        let proto::Open {
            ctx,
            journal,
            files_log,
            files,
            at_load,
            cleared,
            ..
        } = o;
        let cleared = if at_load { cleared } else { 0 };
        let key = ctx.session_key();
        let keep = self.start_steps(&ctx);
        // The sandbox says what it is when the learner comes to it, not when the page opens
        // on it.
        let mut entries = Vec::new();
        if !(at_load && ctx == Ctx::Sandbox) {
            entries.push(Entry::notice(self.context_notice(&ctx), true));
        }
        let restored = journal.map(|text| {
            let log: FileLog = files_log
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            let clock = &self.clock;
            let start = clock();
            let mut out_of_time = || clock() - start > REPLAY_BUDGET_MS;
            let r =
                journal::restore_with(&text, Limits::default(), &mut out_of_time, &mut |i, s| {
                    log.apply(i, s)
                });
            (text, log, r)
        });
        let (session, file_log, outputs) = match restored {
            Some((_, log, Ok(restored))) => {
                let commands = restored.outputs.len();
                let mine = commands.saturating_sub(keep);
                let skip = cleared
                    .max(keep)
                    .min(commands)
                    .max(commands.saturating_sub(SHOWN));
                let (outputs, shown) = replayed(restored.outputs, skip);
                entries.extend(shown);
                if mine > 0 {
                    let plural = if mine == 1 { "" } else { "s" };
                    entries.push(Entry::notice(
                        format!("Session restored: {mine} command{plural} replayed on a fresh world, the same as before the reload."),
                        true,
                    ));
                }
                (restored.session, log, outputs)
            }
            Some((text, _, Err(e))) => {
                own.push(Reply::Store(vec![
                    (format!("{key}.set-aside"), Some(text)),
                    (key.clone(), None),
                    (files_key(&key), None),
                ]));
                entries.push(Entry::notice(set_aside_message(&key, &e), false));
                self.fresh(&ctx)
            }
            None => self.fresh(&ctx),
        };
        self.ctx = ctx;
        self.session = session;
        self.file_log = file_log;
        self.outputs = outputs;
        self.checked = None;
        self.set_files(files);
        entries
    }

    /// Start the open context again. The editor's files stay as they are.
    fn restart(&mut self) -> Vec<Entry> {
        let ctx = self.ctx.clone();
        let (session, log, outputs) = self.fresh(&ctx);
        self.session = session;
        self.file_log = log;
        self.outputs = outputs;
        self.set_files(self.files_now.clone());
        let text = match &ctx {
            Ctx::Lesson(id) => match self.lessons.get(id) {
                Some(l) => format!(
                    "Started the lesson \"{}\" again: the world is as it was at the lesson's start. Your files and typed history (Up/Down) are kept.",
                    l.title
                ),
                None => String::new(),
            },
            Ctx::Sandbox => "Started a fresh world: the cluster is as it was at the very beginning. Your typed history (Up/Down) is kept.".to_string(),
        };
        vec![Entry::notice(text, true)]
    }

    /// Undo the learner's last command: the log without it replayed on a fresh world. The
    /// terminal's entries and the message, or why nothing was undone.
    fn undo(&mut self) -> Result<(Vec<Entry>, String), String> {
        let keep = self.start_steps(&self.ctx);
        let clock = &self.clock;
        let start = clock();
        let mut out_of_time = || clock() - start > REPLAY_BUDGET_MS;
        let (restored, files, undone) = workspace::undo(
            self.session.seed,
            &self.session.log,
            keep,
            &self.file_log,
            Limits::default(),
            &mut out_of_time,
        )
        .map_err(|e| format!("Nothing undone: {e}."))?;
        let (outputs, mut entries) = replayed(restored.outputs, keep);
        let extra = entries.len().saturating_sub(SHOWN);
        entries.drain(..extra);
        let text = format!(
            "Undid `{}`: the world is as it was just before it (the rest of your commands replayed on a fresh world).",
            undone.line
        );
        entries.push(Entry::notice(text.clone(), true));
        self.session = restored.session;
        self.file_log = files;
        self.outputs = outputs;
        self.set_files(self.files_now.clone());
        Ok((entries, text))
    }

    /// The open lesson's solution: its files written into the editor's, its commands run.
    /// The files when it wrote some, and the terminal's entries.
    fn solve(&mut self) -> (Option<FileSet>, Vec<Entry>) {
        let Ctx::Lesson(id) = &self.ctx else {
            return (None, Vec::new());
        };
        let Some(lesson) = self.lessons.get(id).cloned() else {
            return (None, Vec::new());
        };
        let files = (!lesson.solution.files.is_empty()).then(|| {
            let mut all = self.files_now.clone();
            all.extend(lesson.solution.files.clone());
            self.set_files(all.clone());
            all
        });
        let entries = lesson
            .solution
            .commands
            .iter()
            .map(|c| {
                let shown = shown_command(c.line(), c.stdin());
                self.run(&shown, c.line(), c.stdin(), Source::Terminal)
                    .entry
            })
            .collect();
        (files, entries)
    }

    /// The open lesson's goals, if the world changed since they were last checked.
    fn check_goals(&mut self) -> Option<Reply> {
        let Ctx::Lesson(id) = &self.ctx else {
            return None;
        };
        let now = Some((self.ctx.clone(), self.version));
        if self.checked == now {
            return None;
        }
        self.checked = now;
        let lesson = self.lessons.get(id)?;
        let results = goals::evaluate(
            lesson,
            &goals::Progress {
                session: &self.session,
                outputs: &self.outputs,
            },
        );
        Some(Reply::Goals {
            lesson: id.clone(),
            results,
        })
    }
}

/// A replay's commands: every output (for `saw` goals) and, from the `skip`th on, the
/// terminal's entries.
fn replayed(commands: Vec<journal::Replayed>, skip: usize) -> (Vec<String>, Vec<Entry>) {
    let mut outputs = Vec::new();
    let mut entries = Vec::new();
    for (i, r) in commands.into_iter().enumerate() {
        workspace::push_output(&mut outputs, r.output.text.clone());
        if i < skip {
            continue;
        }
        entries.push(Entry {
            id: 0,
            prompt: format!("{}:{}", r.context, r.namespace),
            command: shown_command(&r.entry.line, r.entry.stdin.as_deref()),
            output: r.output.text,
            ok: r.output.ok,
            notice: false,
        });
    }
    (outputs, entries)
}

fn set_aside_message(key: &str, e: &RestoreError) -> String {
    format!(
        "Your saved session could not be restored: {e}. It was set aside in localStorage under \"{key}.set-aside\"; this is a fresh world."
    )
}

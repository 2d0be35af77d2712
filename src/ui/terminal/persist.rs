//! What the terminal keeps in localStorage: the session's log (`shell::journal`, replayed at
//! load), and the terminal's own history and last clear. Saved text that cannot be brought back
//! is moved to a `.set-aside` key and named in a message; the learner gets a fresh world.

use super::Entry;
use crate::course::workspace::{self, FileLog};
use crate::shell::journal::{self, Limits, RestoreError};
use crate::shell::{Session, Step};
use crate::ui::AppState;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const SESSION_KEY: &str = "pocket-cluster.session";
pub const TERMINAL_KEY: &str = "pocket-cluster.terminal";
pub const TERMINAL_SET_ASIDE_KEY: &str = "pocket-cluster.terminal.set-aside";
/// The seed of a fresh world.
pub const SEED: u64 = 1;
/// How long a replay at load may take, in real milliseconds.
const REPLAY_BUDGET_MS: f64 = 5_000.0;
/// Restored commands shown in the terminal (the newest).
const SHOWN: usize = 200;
/// Commands kept for Up/Down.
pub const HISTORY_MAX: usize = 1_000;
/// The clock's ticks are saved at most this often (commands are saved at once).
const TICK_SAVE_MS: f64 = 2_000.0;

/// The terminal's own state: the lines typed (Up/Down), and how many of the session's commands
/// were before the last clear (Ctrl+L), which the restored scrollback leaves out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TerminalState {
    #[serde(default)]
    pub history: Vec<String>,
    #[serde(default)]
    pub cleared: usize,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn set(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A message line in the terminal (no command).
pub fn notice(id: u64, text: impl Into<String>, ok: bool) -> Entry {
    Entry {
        id,
        prompt: String::new(),
        command: String::new(),
        output: text.into(),
        ok,
        notice: true,
    }
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

/// The terminal's saved state; unreadable text is set aside (the message says so).
pub fn load_terminal() -> (TerminalState, Option<String>) {
    let Some(text) = get(TERMINAL_KEY) else {
        return (TerminalState::default(), None);
    };
    match serde_json::from_str::<TerminalState>(&text) {
        Ok(mut t) => {
            t.history.retain(|h| !h.trim().is_empty());
            let extra = t.history.len().saturating_sub(HISTORY_MAX);
            t.history.drain(..extra);
            (t, None)
        }
        Err(e) => {
            set(TERMINAL_SET_ASIDE_KEY, &text);
            if let Some(s) = storage() {
                let _ = s.remove_item(TERMINAL_KEY);
            }
            (
                TerminalState::default(),
                Some(format!(
                    "The terminal's saved history could not be read ({e}); it was set aside in localStorage under \"{TERMINAL_SET_ASIDE_KEY}\"."
                )),
            )
        }
    }
}

pub fn save_terminal(t: &TerminalState) {
    if let Ok(text) = serde_json::to_string(t) {
        set(TERMINAL_KEY, &text);
    }
}

/// A context's session brought back: the session, the terminal entries to show, the editor's
/// files by step (`course::workspace::FileLog`) and every command's output (for `saw` goals).
pub struct Loaded {
    pub session: Session,
    pub entries: Vec<Entry>,
    pub files: FileLog,
    pub outputs: Vec<String>,
}

/// The files log saved next to a session's journal.
pub fn files_key(key: &str) -> String {
    format!("{key}.files")
}

/// The session saved under `key` replayed (with the editor's files each step had), or
/// `fresh()` when nothing was saved (or, with a message, when what was saved had to be set
/// aside under `key.set-aside`). The first `keep` commands (a lesson's start) are not shown.
/// `at_load`: the first context of the page (the terminal's own saved state is read, and its
/// last clear honoured).
pub fn load_context(
    key: &str,
    keep: usize,
    at_load: bool,
    fresh: &mut dyn FnMut() -> (Session, FileLog, Vec<String>),
) -> Loaded {
    let (terminal, terminal_problem) = if at_load {
        load_terminal()
    } else {
        (TerminalState::default(), None)
    };
    let mut entries = Vec::new();
    let mut next = 0u64;
    let mut push = |entries: &mut Vec<Entry>, e: Entry| {
        entries.push(Entry { id: next, ..e });
        next += 1;
    };
    if let Some(msg) = terminal_problem {
        push(&mut entries, notice(0, msg, false));
    }
    let fresh_loaded = |fresh: &mut dyn FnMut() -> (Session, FileLog, Vec<String>),
                        entries: Vec<Entry>| {
        let (session, files, outputs) = fresh();
        Loaded {
            session,
            entries,
            files,
            outputs,
        }
    };
    let Some(text) = get(key) else {
        return fresh_loaded(fresh, entries);
    };
    let files: FileLog = get(&files_key(key))
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let start = now_ms();
    let mut out_of_time = move || now_ms() - start > REPLAY_BUDGET_MS;
    match journal::restore_with(&text, Limits::default(), &mut out_of_time, &mut |i, s| {
        files.apply(i, s)
    }) {
        Ok(restored) => {
            let commands = restored.outputs.len();
            let mine = commands.saturating_sub(keep);
            let skip = terminal
                .cleared
                .max(keep)
                .min(commands)
                .max(commands.saturating_sub(SHOWN));
            let mut outputs = Vec::new();
            for (i, r) in restored.outputs.into_iter().enumerate() {
                workspace::push_output(&mut outputs, r.output.text.clone());
                if i < skip {
                    continue;
                }
                let e = Entry {
                    id: 0,
                    prompt: format!("{}:{}", r.context, r.namespace),
                    command: shown_command(&r.entry.line, r.entry.stdin.as_deref()),
                    output: r.output.text,
                    ok: r.output.ok,
                    notice: false,
                };
                push(&mut entries, e);
            }
            if mine > 0 {
                let plural = if mine == 1 { "" } else { "s" };
                push(
                    &mut entries,
                    notice(
                        0,
                        format!("Session restored: {mine} command{plural} replayed on a fresh world, the same as before the reload."),
                        true,
                    ),
                );
            }
            Loaded {
                session: restored.session,
                entries,
                files,
                outputs,
            }
        }
        Err(e) => {
            set_aside(key, &text);
            push(&mut entries, notice(0, set_aside_message(key, &e), false));
            fresh_loaded(fresh, entries)
        }
    }
}

fn set_aside(key: &str, text: &str) {
    set(&format!("{key}.set-aside"), text);
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
        let _ = s.remove_item(&files_key(key));
    }
}

fn set_aside_message(key: &str, e: &RestoreError) -> String {
    format!(
        "Your saved session could not be restored: {e}. It was set aside in localStorage under \"{key}.set-aside\"; this is a fresh world."
    )
}

thread_local! {
    static LAST_SAVE: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// Save the session's log now (under the key of the lesson or sandbox it belongs to), with
/// the editor's files by step.
pub fn save(state: &AppState) {
    let Some(text) = state.session.try_with_value(journal::save) else {
        return;
    };
    let Some(key) = state.course.session_key() else {
        return;
    };
    if set(&key, &text) {
        LAST_SAVE.with(|t| t.set(now_ms()));
    }
    if let Some(Ok(files)) = state.course.file_log.try_with_value(serde_json::to_string) {
        set(&files_key(&key), &files);
    }
}

/// Save after clock ticks, at most every couple of seconds.
pub fn save_soon(state: &AppState) {
    if now_ms() - LAST_SAVE.with(|t| t.get()) >= TICK_SAVE_MS {
        save(state);
    }
}

/// How many commands the session has run (what `TerminalState::cleared` counts).
pub fn commands_run(s: &Session) -> usize {
    s.log.iter().filter(|s| matches!(s, Step::Run(_))).count()
}

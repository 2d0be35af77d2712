//! What the terminal keeps in localStorage: its own history and last clear. (The session's
//! log is the engine's host's to save and replay: `crate::host`, through `Reply::Store`.)
//! Saved text that cannot be read is moved to a `.set-aside` key and named in a message.

use crate::ui::storage::{get, set};
use serde::{Deserialize, Serialize};

pub const TERMINAL_KEY: &str = "pocket-cluster.terminal";
pub const TERMINAL_SET_ASIDE_KEY: &str = "pocket-cluster.terminal.set-aside";
/// Commands kept for Up/Down.
pub const HISTORY_MAX: usize = 1_000;

/// The terminal's own state: the lines typed (Up/Down), and how many of the session's commands
/// were before the last clear (Ctrl+L), which the restored scrollback leaves out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TerminalState {
    #[serde(default)]
    pub history: Vec<String>,
    #[serde(default)]
    pub cleared: usize,
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
            crate::ui::storage::remove(TERMINAL_KEY);
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

//! What the learner has done, kept in localStorage under `pocket-cluster.course`: lessons done
//! (all goals met once), lessons started (a command run), the hints each lesson has shown,
//! and the place open last (a route's hash). Unreadable text is set aside under `pocket-cluster.course.set-aside` with a message.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const KEY: &str = "pocket-cluster.course";
pub const SET_ASIDE_KEY: &str = "pocket-cluster.course.set-aside";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(default)]
    pub done: BTreeSet<String>,
    #[serde(default)]
    pub started: BTreeSet<String>,
    /// The hash of the lesson (and step) or sandbox open last.
    #[serde(default)]
    pub open: Option<String>,
    /// How many hints each lesson has shown (they stay shown when the learner comes back).
    #[serde(default)]
    pub hints: BTreeMap<String, usize>,
}

impl Record {
    /// The hints shown in `ctx` (none in the sandbox).
    pub fn hints_of(&self, ctx: &super::Ctx) -> usize {
        match ctx {
            super::Ctx::Lesson(id) => self.hints.get(id).copied().unwrap_or(0),
            super::Ctx::Sandbox => 0,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved record, or an empty one (with a message when the saved text was unreadable).
pub fn load() -> (Record, Option<String>) {
    let Some(st) = storage() else {
        return (Record::default(), None);
    };
    let Some(text) = st.get_item(KEY).ok().flatten() else {
        return (Record::default(), None);
    };
    match serde_json::from_str::<Record>(&text) {
        Ok(r) => (r, None),
        Err(e) => {
            let _ = st.set_item(SET_ASIDE_KEY, &text);
            let _ = st.remove_item(KEY);
            (
                Record::default(),
                Some(format!(
                    "Your saved course progress could not be read ({e}); it was set aside in localStorage under \"{SET_ASIDE_KEY}\"."
                )),
            )
        }
    }
}

pub fn save(r: &Record) {
    if let (Some(st), Ok(text)) = (storage(), serde_json::to_string(r)) {
        let _ = st.set_item(KEY, &text);
    }
}

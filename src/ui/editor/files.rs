//! The editor's files (its tabs), kept in localStorage so nothing typed is lost on reload.
//! Saved state that cannot be read is set aside under another key, with a message, and the
//! editor starts from the lesson's file.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct File {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub files: Vec<File>,
    pub active: usize,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The files saved under `key`, or None when nothing was saved; Err(message) when what was
/// saved could not be read (it is moved aside first, to `key.unreadable`).
pub fn load(key: &str) -> Result<Option<Saved>, String> {
    let Some(st) = storage() else {
        return Ok(None);
    };
    let Some(raw) = st.get_item(key).ok().flatten() else {
        return Ok(None);
    };
    match serde_json::from_str::<Saved>(&raw) {
        Ok(s) if !s.files.is_empty() => {
            let active = s.active.min(s.files.len() - 1);
            Ok(Some(Saved { active, ..s }))
        }
        Ok(_) => Ok(None),
        Err(e) => {
            let aside = format!("{key}.unreadable");
            let _ = st.set_item(&aside, &raw);
            let _ = st.remove_item(key);
            Err(format!(
                "The editor's saved files could not be read ({e}); they were set aside in localStorage under \"{aside}\" and the editor starts afresh."
            ))
        }
    }
}

/// Whether files are saved under `key` (readable and not empty); reads only.
pub fn has_saved(key: &str) -> bool {
    storage()
        .and_then(|st| st.get_item(key).ok().flatten())
        .and_then(|raw| serde_json::from_str::<Saved>(&raw).ok())
        .is_some_and(|s| !s.files.is_empty())
}

pub fn save(key: &str, saved: &Saved) {
    if let (Some(st), Ok(json)) = (storage(), serde_json::to_string(saved)) {
        let _ = st.set_item(key, &json);
    }
}

/// Why a file name is refused, if it is.
pub fn check_name(name: &str, others: &[&str]) -> Option<String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
    if name.is_empty() {
        Some("A file needs a name.".into())
    } else if !ok_chars || name.starts_with('/') || name.contains("..") || name.ends_with('/') {
        Some(format!(
            "\"{name}\": use letters, digits, '.', '-', '_' and '/' for folders (setup/namespace.yaml)."
        ))
    } else if !(name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json")) {
        Some(format!(
            "\"{name}\": kubectl reads .yaml, .yml and .json files."
        ))
    } else if others.contains(&name) {
        Some(format!("\"{name}\" is already open."))
    } else {
        None
    }
}

/// `name`, or `name-2.yaml`, `name-3.yaml`… if taken.
pub fn unique(name: &str, others: &[&str]) -> String {
    if !others.contains(&name) {
        return name.to_string();
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "yaml"));
    (2..)
        .map(|n| format!("{stem}-{n}.{ext}"))
        .find(|c| !others.contains(&c.as_str()))
        .unwrap_or_else(|| name.to_string())
}

//! localStorage for the page: the engine's host asks for its writes (`Reply::Store`: the
//! session's journal, a set-aside copy), the page's own parts (progress, editor files, the
//! terminal's history) read and write here too. A full or missing storage is not an error the
//! learner can act on: writes that fail are dropped (and say so in the console).

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Set a key; false when the storage refused it.
pub fn set(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// The host's writes, in order.
pub fn write(writes: &[(String, Option<String>)]) {
    for (key, value) in writes {
        match value {
            Some(v) => {
                if !set(key, v) {
                    web_sys::console::warn_1(&format!("localStorage refused {key}").into());
                }
            }
            None => remove(key),
        }
    }
}

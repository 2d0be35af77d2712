//! The colour theme: Auto (the system's `prefers-color-scheme`), Dark or Light, chosen in the top
//! bar, kept in localStorage and applied as `data-theme` on `<html>` (absent for Auto). Every
//! stylesheet's light rules match `:root[data-theme=light]`, or the media query with
//! `:root:not([data-theme=dark])`. `Theme::changes` moves whenever the colours in effect may
//! have changed (a choice, or the system's scheme under Auto), so canvases redraw.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const KEY: &str = "pocket-cluster.theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Auto,
    Dark,
    Light,
}

impl Choice {
    fn attr(self) -> Option<&'static str> {
        match self {
            Choice::Auto => None,
            Choice::Dark => Some("dark"),
            Choice::Light => Some("light"),
        }
    }
    fn of(text: &str) -> Choice {
        match text {
            "dark" => Choice::Dark,
            "light" => Choice::Light,
            _ => Choice::Auto,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Choice::Auto => "Auto",
            Choice::Dark => "Dark",
            Choice::Light => "Light",
        }
    }
}

/// The theme, shared by context.
#[derive(Clone, Copy)]
pub struct Theme {
    pub choice: RwSignal<Choice>,
    /// Bumped when the colours in effect may have changed.
    pub changes: RwSignal<u64>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn apply(choice: Choice) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match choice.attr() {
        Some(v) => root.set_attribute("data-theme", v),
        None => root.remove_attribute("data-theme"),
    };
}

/// Read the saved choice, apply it, and listen for the system's scheme changing.
pub fn provide() -> Theme {
    let saved = storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map(|t| Choice::of(&t))
        .unwrap_or(Choice::Auto);
    apply(saved);
    let theme = Theme {
        choice: RwSignal::new(saved),
        changes: RwSignal::new(0),
    };
    if let Some(mq) = web_sys::window().and_then(|w| {
        w.match_media("(prefers-color-scheme: light)")
            .ok()
            .flatten()
    }) {
        let changes = theme.changes;
        let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            changes.try_update(|n| *n += 1);
        });
        let _ = mq.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        // The page's own listener, for as long as the page lives.
        cb.forget();
    }
    provide_context(theme);
    theme
}

/// Auto / Dark / Light, as a group of toggle buttons in the top bar.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = expect_context::<Theme>();
    let pick = move |c: Choice| {
        theme.choice.set(c);
        apply(c);
        if let Some(s) = storage() {
            let _ = match c.attr() {
                Some(v) => s.set_item(KEY, v),
                None => s.remove_item(KEY),
            };
        }
        theme.changes.update(|n| *n += 1);
    };
    let button = move |c: Choice| {
        let title = match c {
            Choice::Auto => "Follow the system's light or dark setting",
            Choice::Dark => "Dark theme",
            Choice::Light => "Light theme",
        };
        view! {
            <button
                class="theme-choice"
                data-theme-choice=c.attr().unwrap_or("auto")
                class:active=move || theme.choice.get() == c
                aria-pressed=move || (theme.choice.get() == c).to_string()
                title=title
                on:click=move |_| pick(c)
            >
                {c.label()}
            </button>
        }
    };
    view! {
        <div class="theme" role="group" aria-label="Colour theme">
            {button(Choice::Auto)}
            {button(Choice::Dark)}
            {button(Choice::Light)}
        </div>
    }
}

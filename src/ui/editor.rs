//! The manifest editor: a textarea (so undo, selection and screen readers work), Apply and
//! Ctrl/Cmd+Enter, errors with line and column.

use super::AppState;
use crate::manifest;
use leptos::prelude::*;

#[component]
pub fn Editor(initial: String, file_name: &'static str) -> impl IntoView {
    let state = expect_context::<AppState>();
    let text = RwSignal::new(initial);
    let error = RwSignal::new(None::<String>);
    let result = RwSignal::new(String::new());

    let apply = move || {
        let body = text.get_untracked();
        // Syntax and decoding errors are shown at their line; a kind the cluster may serve
        // through a CRD (or not at all) is for kubectl to judge.
        match manifest::parse_each(&body, crate::sim::api::Kinds::builtin()) {
            Err(e) => {
                error.set(Some(e.located()));
                result.set(String::new());
            }
            Ok(docs) if docs.is_empty() => {
                error.set(Some("The editor is empty: write a manifest first.".into()));
                result.set(String::new());
            }
            Ok(_) => {
                error.set(None);
                let shown = format!("kubectl apply -f {file_name}");
                let out = state.run(&shown, "kubectl apply -f -", Some(&body));
                result.set(out.text);
            }
        }
    };

    view! {
        <div class="editor-box">
            <div class="editor-head">
                <span class="file-tab">{file_name}</span>
                <button id="apply" class="primary" on:click=move |_| apply() title="Apply (Ctrl+Enter)">
                    "Apply"
                </button>
            </div>
            <textarea
                id="editor"
                aria-label=format!("Manifest editor: {file_name}")
                spellcheck="false"
                autocapitalize="off"
                autocomplete="off"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        apply();
                    }
                }
            ></textarea>
            <div id="editor-error" class="editor-error" role="alert" hidden=move || error.get().is_none()>
                {move || error.get().unwrap_or_default()}
            </div>
            <pre id="apply-result" class="apply-result" aria-live="polite">{move || result.get()}</pre>
        </div>
    }
}

//! The terminal: the same command language as `pocket-cluster run`, with history.

use super::AppState;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: u64,
    pub prompt: String,
    pub command: String,
    pub output: String,
    pub ok: bool,
}

#[component]
pub fn Terminal() -> impl IntoView {
    let state = expect_context::<AppState>();
    let input = RwSignal::new(String::new());
    let history = StoredValue::new(Vec::<String>::new());
    let cursor = StoredValue::new(0usize);
    let output_ref = NodeRef::<leptos::html::Div>::new();

    // Keep the newest output in view.
    Effect::new(move |_| {
        state.entries.track();
        if let Some(el) = output_ref.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });

    let submit = move || {
        let line = input.get_untracked();
        input.set(String::new());
        let trimmed = line.trim().to_string();
        if !trimmed.is_empty() {
            history.update_value(|h| {
                if h.last() != Some(&trimmed) {
                    h.push(trimmed.clone());
                }
            });
        }
        cursor.set_value(history.with_value(|h| h.len()));
        if trimmed == "clear" {
            state.entries.set(Vec::new());
            return;
        }
        if trimmed.is_empty() {
            return;
        }
        state.run(&trimmed, &trimmed, None);
    };

    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            submit();
        }
        "ArrowUp" => {
            ev.prevent_default();
            let c = cursor.get_value();
            if c > 0 {
                cursor.set_value(c - 1);
                if let Some(h) = history.with_value(|h| h.get(c - 1).cloned()) {
                    input.set(h);
                }
            }
        }
        "ArrowDown" => {
            ev.prevent_default();
            let len = history.with_value(|h| h.len());
            let c = (cursor.get_value() + 1).min(len);
            cursor.set_value(c);
            input.set(
                history
                    .with_value(|h| h.get(c).cloned())
                    .unwrap_or_default(),
            );
        }
        "l" if ev.ctrl_key() => {
            ev.prevent_default();
            state.entries.set(Vec::new());
        }
        _ => {}
    };

    view! {
        <div class="terminal">
            <div id="terminal-output" class="term-output-list" node_ref=output_ref role="log" aria-live="polite" aria-label="Terminal output">
                <p class="term-hint">"Type " <code>"kubectl get pods"</code> ", " <code>"sim advance 30s"</code> " or " <code>"help"</code> "."</p>
                <For each=move || state.entries.get() key=|e| e.id let:entry>
                    <div class="term-entry" class:failed=!entry.ok>
                        <div class="term-command"><span class="term-prompt">{entry.prompt.clone()} " $ "</span>{entry.command.clone()}</div>
                        <pre class="term-output">{entry.output.clone()}</pre>
                    </div>
                </For>
            </div>
            <div class="term-input-row">
                <label for="terminal-input" class="term-prompt">{move || { state.version.track(); format!("{} $", state.prompt()) }}</label>
                <input
                    id="terminal-input"
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    aria-label="Terminal command"
                    prop:value=move || input.get()
                    on:input=move |ev| input.set(event_target_value(&ev))
                    on:keydown=on_key
                />
            </div>
        </div>
    }
}

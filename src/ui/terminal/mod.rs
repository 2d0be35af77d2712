//! The terminal: the same command language and the same text as `pocket-cluster run`, with a
//! prompt showing the context and namespace, history (Up/Down, kept across reloads), Tab
//! completion (`shell::complete`; a second Tab lists the candidates), heredocs typed line by
//! line, Ctrl+L, Ctrl+C, and a Reset that starts a fresh world.
//!
//! `persist.rs` keeps the session's log and the history in localStorage; `output.rs` lays out
//! output text so that it wraps and copies exactly.

pub mod output;
pub mod persist;

use super::AppState;
use leptos::prelude::*;
use output::OutputText;
use persist::TerminalState;

pub use crate::host::proto::Entry;

/// Candidates shown under the line at most.
const LISTED: usize = 120;

/// A byte offset in `s` for a UTF-16 offset (what `selectionStart` counts).
fn byte_offset(s: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        if units >= utf16 {
            return i;
        }
        units += c.len_utf16();
    }
    s.len()
}

fn utf16_offset(s: &str, byte: usize) -> usize {
    s[..byte.min(s.len())].encode_utf16().count()
}

/// A heredoc being typed: the command line, its delimiter, whether tabs are stripped, the
/// lines so far.
#[derive(Clone, Debug, PartialEq)]
struct Heredoc {
    line: String,
    delim: String,
    strip_tabs: bool,
    body: String,
}

#[component]
pub fn Terminal() -> impl IntoView {
    let state = expect_context::<AppState>();
    let (saved, _) = persist::load_terminal();
    let input = RwSignal::new(String::new());
    let history = StoredValue::new(saved.history);
    let cleared = StoredValue::new(saved.cleared);
    let cursor = StoredValue::new(history.with_value(|h| h.len()));
    // What was typed before Up was first pressed, given back by Down at the end.
    let draft = StoredValue::new(String::new());
    let heredoc = RwSignal::new(None::<Heredoc>);
    let completions = RwSignal::new(Vec::<String>::new());
    let tabbed = StoredValue::new(false);
    // Escape, then Tab, leaves the terminal (Tab alone completes), as in the editor.
    let escaped = StoredValue::new(false);
    let confirming = RwSignal::new(false);
    let output_ref = NodeRef::<leptos::html::Div>::new();
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();

    let save_terminal = move || {
        persist::save_terminal(&TerminalState {
            history: history.get_value(),
            cleared: cleared.get_value(),
        })
    };

    // Keep the newest output in view.
    Effect::new(move |_| {
        state.entries.track();
        completions.track();
        // After the new entries are drawn.
        if let Some(el) = output_ref.get() {
            request_animation_frame(move || el.set_scroll_top(el.scroll_height()));
        }
    });

    let set_line = move |line: String, at: Option<usize>| {
        if let Some(el) = input_ref.get_untracked() {
            el.set_value(&line);
            let c = utf16_offset(&line, at.unwrap_or(line.len())) as u32;
            let _ = el.set_selection_range(c, c);
        }
        input.set(line);
    };

    let push_entry = move |prompt: String, command: String, output: String, ok: bool| {
        let id = state.next_entry.get_value();
        state.next_entry.set_value(id + 1);
        state.entries.update(|e| {
            e.push(Entry {
                id,
                prompt,
                command,
                output,
                ok,
                notice: false,
            })
        });
    };

    let clear_screen = move || {
        state.entries.set(Vec::new());
        completions.set(Vec::new());
        cleared.set_value(state.view.with_untracked(|v| v.commands_run));
        save_terminal();
    };

    let remember = move |line: &str| {
        let t = line.trim();
        if t.is_empty() {
            return;
        }
        history.update_value(|h| {
            if h.last().map(String::as_str) != Some(t) {
                h.push(t.to_string());
            }
            let extra = h.len().saturating_sub(persist::HISTORY_MAX);
            h.drain(..extra);
        });
        cursor.set_value(history.with_value(|h| h.len()));
        draft.set_value(String::new());
        save_terminal();
    };

    let submit = move || {
        let line = input.get_untracked();
        set_line(String::new(), None);
        completions.set(Vec::new());
        // A heredoc's lines, until its delimiter.
        if let Some(mut h) = heredoc.get_untracked() {
            let l = if h.strip_tabs {
                line.trim_start_matches('\t').to_string()
            } else {
                line.clone()
            };
            if l.trim_end() == h.delim {
                heredoc.set(None);
                let shown = crate::host::shown_command(&h.line, Some(&h.body));
                state.run(&shown, &h.line, Some(&h.body));
            } else {
                h.body.push_str(&l);
                h.body.push('\n');
                heredoc.set(Some(h));
            }
            return;
        }
        remember(&line);
        let trimmed = line.trim().to_string();
        if trimmed == "clear" {
            clear_screen();
            return;
        }
        if trimmed.is_empty() {
            push_entry(state.prompt(), String::new(), String::new(), true);
            return;
        }
        if let Some((delim, strip_tabs)) = crate::shell::lex::lex(&trimmed)
            .ok()
            .and_then(|l| l.heredoc)
        {
            heredoc.set(Some(Heredoc {
                line: trimmed,
                delim,
                strip_tabs,
                body: String::new(),
            }));
            return;
        }
        state.run(&trimmed, &trimmed, None);
    };

    let tab = move || {
        let Some(el) = input_ref.get_untracked() else {
            return;
        };
        let line = el.value();
        let at = el
            .selection_start()
            .ok()
            .flatten()
            .map(|c| byte_offset(&line, c as usize))
            .unwrap_or(line.len());
        let again = tabbed.get_value();
        tabbed.set_value(true);
        let asked = line.clone();
        // Set while the engine is asked (the tests wait for it to go).
        let _ = el.set_attribute("data-completing", "1");
        crate::ui::link::ask(
            crate::host::proto::Request::Complete { line, at },
            move |reply| {
                let crate::host::proto::Reply::Completion(c) = reply else {
                    return;
                };
                if let Some(el) = input_ref.get_untracked() {
                    let _ = el.remove_attribute("data-completing");
                }
                // The learner typed on meanwhile: this answer is for a line that is gone.
                if input.get_untracked() != asked {
                    return;
                }
                if c.line != asked {
                    set_line(c.line, Some(c.cursor));
                    completions.set(Vec::new());
                } else if c.candidates.len() > 1 && again {
                    completions.set(c.candidates);
                }
            },
        );
    };

    let history_step = move |up: bool| {
        let len = history.with_value(|h| h.len());
        let c = cursor.get_value();
        if up {
            if c == 0 {
                return;
            }
            if c == len {
                draft.set_value(input.get_untracked());
            }
            cursor.set_value(c - 1);
            if let Some(h) = history.with_value(|h| h.get(c - 1).cloned()) {
                set_line(h, None);
            }
        } else {
            if c >= len {
                return;
            }
            cursor.set_value(c + 1);
            let line = history
                .with_value(|h| h.get(c + 1).cloned())
                .unwrap_or_else(|| draft.get_value());
            set_line(line, None);
        }
    };

    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if key != "Tab" {
            tabbed.set_value(false);
        }
        let ctrl = ev.ctrl_key() || ev.meta_key();
        if escaped.get_value() && key == "Tab" {
            escaped.set_value(false);
            return;
        }
        escaped.set_value(key == "Escape");
        match key.as_str() {
            "Enter" => {
                ev.prevent_default();
                submit();
            }
            "Tab" if !ev.shift_key() && !ctrl && !ev.alt_key() => {
                ev.prevent_default();
                tab();
            }
            "ArrowUp" if heredoc.get_untracked().is_none() => {
                ev.prevent_default();
                history_step(true);
            }
            "ArrowDown" if heredoc.get_untracked().is_none() => {
                ev.prevent_default();
                history_step(false);
            }
            "Escape" => completions.set(Vec::new()),
            "l" | "L" if ev.ctrl_key() => {
                ev.prevent_default();
                clear_screen();
            }
            "c" | "C" if ev.ctrl_key() => {
                // With text selected in the line, Ctrl+C copies it as usual.
                let selected = input_ref.get_untracked().is_some_and(|el| {
                    el.selection_start().ok().flatten() != el.selection_end().ok().flatten()
                });
                if selected {
                    return;
                }
                ev.prevent_default();
                let line = input.get_untracked();
                let (prompt, command) = match heredoc.get_untracked() {
                    Some(h) => (state.prompt(), format!("{}\n{}{line}^C", h.line, h.body)),
                    None => (state.prompt(), format!("{line}^C")),
                };
                heredoc.set(None);
                completions.set(Vec::new());
                cursor.set_value(history.with_value(|h| h.len()));
                set_line(String::new(), None);
                push_entry(prompt, command, String::new(), true);
            }
            _ => {}
        }
    };

    let reset = move || {
        confirming.set(false);
        heredoc.set(None);
        completions.set(Vec::new());
        // A lesson starts again from its start; the sandbox from a fresh world.
        crate::ui::course::restart(&state);
        cleared.set_value(0);
        save_terminal();
        if let Some(el) = input_ref.get_untracked() {
            let _ = el.focus();
        }
    };

    // The Cancel button takes the focus when asked to confirm (the safe answer).
    Effect::new(move |_| {
        if confirming.get() {
            if let Some(b) = cancel_ref.get() {
                let _ = b.focus();
            }
        }
    });

    let prompt = move || {
        state
            .view
            .with(|v| (v.context.clone(), v.namespace.clone()))
    };

    view! {
        <div class="terminal">
            <div class="term-bar">
                <span class="term-title" id="terminal-title">"Terminal"</span>
                <span class="term-context" aria-label="Current context and namespace">
                    {move || { let (c, n) = prompt(); format!("context {c} · namespace {n}") }}
                </span>
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button id="terminal-reset" class="term-reset" title="Start a fresh world" on:click=move |_| confirming.set(true)>
                            "Reset"
                        </button>
                    }
                >
                    <span class="term-confirm" role="group" aria-label="Confirm reset">
                        <span>"Start a fresh world? Everything done so far is lost."</span>
                        <button id="terminal-reset-confirm" class="danger" on:click=move |_| reset()>"Reset"</button>
                        <button id="terminal-reset-cancel" node_ref=cancel_ref on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </span>
                </Show>
            </div>
            <div
                id="terminal-output"
                class="term-output-list"
                node_ref=output_ref
                role="log"
                aria-live="polite"
                aria-relevant="additions"
                aria-labelledby="terminal-title"
                tabindex="0"
            >
                <p class="term-hint">
                    "Type " <code>"kubectl get pods"</code> ", " <code>"sim advance 30s"</code> " or " <code>"help"</code>
                    ". Tab completes, Up and Down recall, Ctrl+L clears; Escape, then Tab, moves on."
                </p>
                <For each=move || state.entries.get() key=|e| e.id let:entry>
                    {if entry.notice {
                        view! {
                            <div class="term-entry term-notice" class:failed=!entry.ok>
                                <OutputText text=entry.output.clone()/>
                            </div>
                        }
                        .into_any()
                    } else {
                        view! {
                            <div class="term-entry" class:failed=!entry.ok>
                                <div class="term-command">
                                    <span class="term-prompt">{entry.prompt.clone()} " $ "</span>
                                    <span class="term-typed">{entry.command.clone()}</span>
                                </div>
                                <OutputText text=entry.output.clone()/>
                            </div>
                        }
                        .into_any()
                    }}
                </For>
            </div>
            <Show when=move || !completions.get().is_empty()>
                <ul id="terminal-completions" class="term-completions" aria-label="Completions" role="status">
                    {move || {
                        let all = completions.get();
                        let more = all.len().saturating_sub(LISTED);
                        let items = all
                            .into_iter()
                            .take(LISTED)
                            .map(|c| view! { <li>{c}</li> })
                            .collect_view();
                        let rest = (more > 0)
                            .then(|| view! { <li class="term-more">{format!("… and {more} more")}</li> });
                        view! { {items} {rest} }
                    }}
                </ul>
            </Show>
            <div class="term-input-row">
                <label for="terminal-input" class="term-prompt" id="terminal-prompt">
                    {move || {
                        if heredoc.get().is_some() {
                            return view! { <span class="term-ps2">">"</span> }.into_any();
                        }
                        let (c, n) = prompt();
                        view! {
                            <span class="term-ctx">{c}</span>
                            ":"
                            <span class="term-ns">{n}</span>
                            " $"
                        }
                        .into_any()
                    }}
                </label>
                <input
                    id="terminal-input"
                    node_ref=input_ref
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    aria-label="Terminal command"
                    aria-describedby="terminal-prompt terminal-keys"
                    prop:value=move || input.get()
                    on:input=move |ev| {
                        input.set(event_target_value(&ev));
                        completions.set(Vec::new());
                    }
                    on:keydown=on_key
                />
                <span id="terminal-keys" class="visually-hidden">
                    "Tab completes; Escape, then Tab, leaves the terminal."
                </span>
            </div>
        </div>
    }
}

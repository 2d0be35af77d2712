//! The manifest editor: files as tabs (kept in localStorage), a textarea (so undo, selection,
//! IME and screen readers work) over a YAML-coloured overlay with squiggles, line numbers, the
//! problems list, field docs for the field under the cursor, templates, and an apply that shows
//! what it will do before it runs `kubectl apply -f FILE` in the terminal.
//!
//! The checking is the engine's (`manifest::diagnostics`, `shell::preview`,
//! `shell::field_docs`); this file only lays it out and handles keys.

pub mod files;
mod highlight;

use super::AppState;
use crate::host::proto::{Reply, Request};
use crate::manifest::diagnostics::{Diagnostic, Severity};
use crate::shell::field_docs::FieldDocs;
use crate::shell::preview::{Change, DocPreview};
use crate::ui::link;
use files::File;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The textarea's line height and padding in px (style/editor.css says the same).
const LINE: f64 = 20.0;
const PAD: f64 = 8.0;

/// Byte offset in `text` of a UTF-16 offset (what the textarea's selection counts).
fn byte_at(text: &str, utf16: u32) -> usize {
    let mut n = 0u32;
    for (i, c) in text.char_indices() {
        if n >= utf16 {
            return i;
        }
        n += c.len_utf16() as u32;
    }
    text.len()
}

fn utf16_len(text: &str) -> u32 {
    text.chars().map(|c| c.len_utf16() as u32).sum()
}

/// Replace the textarea's selection as typing would (so Ctrl+Z undoes it): the browser's
/// `insertText` command, or setting the range when there is none.
fn insert_text(el: &web_sys::HtmlTextAreaElement, text: &str) -> bool {
    let doc: wasm_bindgen::JsValue = document().into();
    let done = js_sys::Reflect::get(&doc, &"execCommand".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| {
            f.call3(&doc, &"insertText".into(), &false.into(), &text.into())
                .ok()
        })
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if !done {
        let _ = el.set_range_text(text);
    }
    done
}

/// Tab / Shift-Tab: two spaces in or out, on every line of the selection.
fn indent(el: &web_sys::HtmlTextAreaElement, outdent: bool) {
    let value = el.value();
    let (Ok(Some(s16)), Ok(Some(e16))) = (el.selection_start(), el.selection_end()) else {
        return;
    };
    let (s, mut e) = (byte_at(&value, s16), byte_at(&value, e16));
    if !outdent && s == e {
        insert_text(el, "  ");
        return;
    }
    let start = value[..s].rfind('\n').map_or(0, |i| i + 1);
    if e > s && value[..e].ends_with('\n') {
        e -= 1;
    }
    let end = value[e..].find('\n').map_or(value.len(), |i| i + e);
    let block = &value[start..end];
    let mut first_removed = 0;
    let new: Vec<String> = block
        .split('\n')
        .enumerate()
        .map(|(i, l)| {
            if outdent {
                let n = l.len() - l.trim_start_matches(' ').len();
                let cut = n.min(2);
                if i == 0 {
                    first_removed = cut;
                }
                l[cut..].to_string()
            } else {
                format!("  {l}")
            }
        })
        .collect();
    let new = new.join("\n");
    if new == block {
        return;
    }
    let (a, b) = (utf16_len(&value[..start]), utf16_len(&value[..end]));
    let _ = el.set_selection_range(a, b);
    if !insert_text(el, &new) {
        el.set_value(&format!("{}{new}{}", &value[..start], &value[end..]));
    }
    if s16 == e16 {
        let caret = s16.saturating_sub(first_removed as u32).max(a);
        let _ = el.set_selection_range(caret, caret);
    } else {
        let _ = el.set_selection_range(a, a + utf16_len(&new));
    }
}

/// Put the caret at a line and column and bring it into view.
fn jump(el: &web_sys::HtmlTextAreaElement, line: usize, column: usize) {
    let value = el.value();
    let start: usize = value
        .split('\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum::<usize>()
        .min(value.len());
    let line_len = value[start..].find('\n').unwrap_or(value.len() - start);
    let at = start
        + value[start..start + line_len]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_len, |(i, _)| i);
    let off = utf16_len(&value[..at]);
    let _ = el.focus();
    let _ = el.set_selection_range(off, off);
    let top = (line as f64 - 1.0) * LINE - el.client_height() as f64 / 3.0;
    el.set_scroll_top(top.max(0.0) as i32);
}

/// The 1-based line of the caret.
fn caret_line(el: &web_sys::HtmlTextAreaElement) -> usize {
    let value = el.value();
    let at = byte_at(&value, el.selection_start().ok().flatten().unwrap_or(0));
    value[..at].matches('\n').count() + 1
}

/// The files a workspace starts with, or has saved (with a message if what it saved was
/// unreadable).
fn files_of(ws: &crate::ui::course::Workspace) -> (Vec<File>, usize, Option<String>) {
    let initial = || {
        ws.initial
            .iter()
            .map(|(name, text)| File {
                name: name.clone(),
                text: text.clone(),
            })
            .collect::<Vec<_>>()
    };
    if ws.replace {
        return (initial(), 0, None);
    }
    match files::load(&ws.key) {
        Ok(Some(saved)) => (saved.files, saved.active, None),
        Ok(None) => (initial(), 0, None),
        Err(message) => (initial(), 0, Some(message)),
    }
}

#[component]
pub fn Editor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let notice = RwSignal::new(None::<String>);
    // The lesson's (or the sandbox's) files: saved ones, or the ones it starts with.
    let (start_files, start_active, problem) = state.course.workspace.with_untracked(files_of);
    notice.set(problem);
    let open = RwSignal::new(start_files);
    let active = RwSignal::new(start_active);
    let renaming = RwSignal::new(None::<String>);
    let preview = RwSignal::new(None::<Vec<DocPreview>>);
    let result = RwSignal::new(String::new());
    let docs = RwSignal::new(None::<Result<FieldDocs, String>>);
    let hover = RwSignal::new(None::<usize>);
    let scroll_top = RwSignal::new(0.0f64);
    let applied = RwSignal::new(0u64);
    let area = NodeRef::<leptos::html::Textarea>::new();
    let overlay = NodeRef::<leptos::html::Pre>::new();
    let gutter = NodeRef::<leptos::html::Pre>::new();

    let text = Memo::new(move |_| {
        open.with(|f| {
            f.get(active.get())
                .map(|f| f.text.clone())
                .unwrap_or_default()
        })
    });
    let name = Memo::new(move |_| {
        open.with(|f| {
            f.get(active.get())
                .map(|f| f.name.clone())
                .unwrap_or_default()
        })
    });
    // What the textarea is given: only when another file comes into it. While typing, the
    // textarea owns its value (setting it back would disturb IME composition and the caret).
    let reload = RwSignal::new(0u64);
    let shown = Memo::new(move |_| {
        active.track();
        reload.track();
        text.get_untracked()
    });
    // The engine's check of the buffer, asked for as it changes (and after an apply, which
    // can make a kind known); an answer for a text that has changed since is dropped.
    let checked = RwSignal::new(Vec::<Diagnostic>::new());
    Effect::new(move |_| {
        applied.track();
        let t = text.get();
        let asked = t.clone();
        link::ask(Request::Diagnose { text: t }, move |reply| {
            if let Reply::Diagnostics(d) = reply {
                if text.get_untracked() == asked {
                    checked.set(d);
                }
            }
        });
    });

    // Another lesson (or the sandbox) opened: its files come into the tabs.
    Effect::new(move |first: Option<()>| {
        let ws = state.course.workspace.get();
        if first.is_none() {
            return;
        }
        let (f, a, problem) = files_of(&ws);
        notice.set(problem);
        preview.set(None);
        result.set(String::new());
        docs.set(None);
        renaming.set(None);
        open.set(f);
        active.set(a);
        reload.update(|n| *n += 1);
    });

    // Keep the files: in localStorage, and where `kubectl apply -f NAME` reads them.
    Effect::new(move |_| {
        let saved = files::Saved {
            files: open.get(),
            active: active.get(),
        };
        let key = state.course.workspace.with_untracked(|ws| ws.key.clone());
        files::save(&key, &saved);
        let set: crate::course::workspace::FileSet =
            crate::sim::sort::map_of(saved.files.iter().map(|f| (f.name.clone(), f.text.clone())));
        state.course.files_now.try_set_value(set.clone());
        link::send(Request::Files(set));
    });

    let set_text = move |t: String| {
        open.update(|f| {
            if let Some(file) = f.get_mut(active.get_untracked()) {
                file.text = t;
            }
        });
    };

    let open_preview = move || {
        let body = text.get_untracked();
        if body.trim().is_empty() {
            notice.set(Some(
                "The editor is empty: write a manifest or pick a template first.".into(),
            ));
            return;
        }
        link::ask(Request::Preview { text: body }, move |reply| {
            let Reply::Preview(p) = reply else {
                return;
            };
            if p.is_empty() {
                notice.set(Some("There is no object in this file to apply.".into()));
                return;
            }
            notice.set(None);
            result.set(String::new());
            preview.set(Some(p));
            // Move focus to the decision, as a dialog would.
            request_animation_frame(move || {
                if let Some(b) = document().get_element_by_id("apply-confirm") {
                    if let Ok(b) = b.dyn_into::<web_sys::HtmlElement>() {
                        let _ = b.focus();
                    }
                }
            });
        });
    };
    let confirm = move || {
        preview.set(None);
        let line = format!("kubectl apply -f {}", name.get_untracked());
        state.run_then(&line, &line, None, move |ran| {
            result.set(ran.entry.output.clone());
            applied.update(|n| *n += 1);
        });
        if let Some(el) = area.get_untracked() {
            let _ = el.focus();
        }
    };
    let cancel = move || {
        preview.set(None);
        if let Some(el) = area.get_untracked() {
            let _ = el.focus();
        }
    };
    let show_docs = move || {
        let Some(el) = area.get_untracked() else {
            return;
        };
        let line = caret_line(&el);
        link::ask(
            Request::FieldDocs {
                text: el.value(),
                line,
            },
            move |reply| {
                if let Reply::FieldDocs(d) = reply {
                    docs.set(Some(d.ok_or_else(|| {
                        format!("Line {line}: put the cursor on a field (a key such as replicas: or image:) of a kind kubectl explain knows.")
                    })));
                }
            },
        );
    };

    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(el) = area.get_untracked() else {
            return;
        };
        match ev.key().as_str() {
            "Enter" if ev.ctrl_key() || ev.meta_key() => {
                ev.prevent_default();
                if preview.get_untracked().is_some() {
                    confirm();
                } else {
                    open_preview();
                }
            }
            "Tab" if !ev.ctrl_key() && !ev.alt_key() && !ev.meta_key() => {
                ev.prevent_default();
                indent(&el, ev.shift_key());
            }
            "F1" => {
                ev.prevent_default();
                show_docs();
            }
            " " if ev.ctrl_key() => {
                ev.prevent_default();
                show_docs();
            }
            "Escape" => {
                if preview.get_untracked().is_some() {
                    preview.set(None);
                } else if docs.get_untracked().is_some() {
                    docs.set(None);
                } else {
                    // Let keyboard users leave: Escape, then Tab moves on.
                    let _ = el.blur();
                }
            }
            _ => {}
        }
    };
    let on_scroll = move |_| {
        let Some(el) = area.get_untracked() else {
            return;
        };
        let (top, left) = (el.scroll_top(), el.scroll_left());
        if let Some(o) = overlay.get_untracked() {
            o.set_scroll_top(top);
            o.set_scroll_left(left);
        }
        if let Some(g) = gutter.get_untracked() {
            g.set_scroll_top(top);
        }
        scroll_top.set(top as f64);
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let y = ev.offset_y() as f64 + scroll_top.get_untracked() - PAD;
        let line = (y / LINE).floor() as i64 + 1;
        let line = (line >= 1).then_some(line as usize);
        let has = line.filter(|l| checked.with_untracked(|d| d.iter().any(|d| d.line == *l)));
        if hover.get_untracked() != has {
            hover.set(has);
        }
    };

    let new_file = move |name: String, text: String| {
        let mut at = 0;
        open.update(|f| {
            let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
            let name = files::unique(&name, &names);
            f.push(File { name, text });
            at = f.len() - 1;
        });
        active.set(at);
        preview.set(None);
        docs.set(None);
    };
    let close = move |i: usize| {
        open.update(|f| {
            if i < f.len() {
                f.remove(i);
            }
            if f.is_empty() {
                f.push(File {
                    name: "untitled.yaml".into(),
                    text: String::new(),
                });
            }
        });
        reload.update(|n| *n += 1);
        let len = open.with_untracked(|f| f.len());
        active.update(|a| {
            if *a >= len || *a > i {
                *a = a.saturating_sub(1).min(len - 1);
            }
        });
        preview.set(None);
    };
    let commit_rename = move || {
        let Some(new) = renaming.get_untracked() else {
            return;
        };
        let new = new.trim().to_string();
        let a = active.get_untracked();
        let problem = open.with_untracked(|f| {
            let others: Vec<&str> = f
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != a)
                .map(|(_, f)| f.name.as_str())
                .collect();
            files::check_name(&new, &others)
        });
        match problem {
            Some(p) => notice.set(Some(p)),
            None => {
                open.update(|f| {
                    if let Some(file) = f.get_mut(a) {
                        file.name = new;
                    }
                });
                renaming.set(None);
                notice.set(None);
            }
        }
    };

    let overlay_html = move || checked.with(|d| highlight::to_html(&text.get(), d));
    let gutter_html = move || {
        let lines = text.with(|t| t.split('\n').count());
        checked.with(|d| {
            (1..=lines)
                .map(|n| {
                    let worst = d.iter().filter(|d| d.line == n).map(|d| d.severity).min();
                    match worst {
                        Some(Severity::Error) => format!("<span class=\"g-error\">{n}</span>\n"),
                        Some(Severity::Hint) => format!("<span class=\"g-hint\">{n}</span>\n"),
                        None => format!("{n}\n"),
                    }
                })
                .collect::<String>()
        })
    };
    let summary = move || {
        checked.with(|d| {
            let e = d.iter().filter(|d| d.severity == Severity::Error).count();
            let h = d.len() - e;
            match (e, h) {
                (0, 0) => "No problems found.".to_string(),
                _ => format!(
                    "{e} {}, {h} {}",
                    if e == 1 { "error" } else { "errors" },
                    if h == 1 { "hint" } else { "hints" }
                ),
            }
        })
    };
    let tooltip = move || {
        let line = hover.get()?;
        let items: Vec<Diagnostic> =
            checked.with(|d| d.iter().filter(|d| d.line == line).cloned().collect());
        if items.is_empty() {
            return None;
        }
        let top = PAD + line as f64 * LINE - scroll_top.get() + 2.0;
        Some(view! {
            <div class="editor-tooltip" style=format!("top: {top}px") aria-hidden="true">
                {items
                    .into_iter()
                    .map(|d| {
                        let class = if d.severity == Severity::Error { "tip-error" } else { "tip-hint" };
                        view! { <div class=class>{d.message}</div> }
                    })
                    .collect_view()}
            </div>
        })
    };

    view! {
        <div id="editor-box" class="editor-box">
            <div class="editor-head">
                <div class="editor-tabs" role="group" aria-label="Open files">
                    {move || {
                        open.get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, f)| {
                                let selected = move || active.get() == i;
                                let label = format!("Close {}", f.name);
                                view! {
                                    <span class="etab" class:active=selected>
                                        <button
                                            class="etab-name"
                                            aria-current=move || selected().then_some("true")
                                            title="Double-click to rename"
                                            on:click=move |_| {
                                                active.set(i);
                                                preview.set(None);
                                            }
                                            on:dblclick=move |_| {
                                                active.set(i);
                                                renaming.set(Some(open.with_untracked(|f| f.get(i).map(|f| f.name.clone()).unwrap_or_default())));
                                            }
                                        >
                                            {f.name.clone()}
                                        </button>
                                        <button class="etab-close" aria-label=label on:click=move |_| close(i)>"×"</button>
                                    </span>
                                }
                            })
                            .collect_view()
                    }}
                    <button id="file-new" class="etab-new" aria-label="New file" title="New file"
                        on:click=move |_| new_file("untitled.yaml".into(), String::new())>"+"</button>
                </div>
                <div class="editor-actions">
                    <button id="file-rename" title="Rename this file"
                        on:click=move |_| renaming.set(Some(name.get_untracked()))>"Rename"</button>
                    <select id="template-picker" aria-label="Open a template"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(t) = crate::course::templates::TEMPLATES.iter().find(|t| t.file == v) {
                                new_file(t.file.to_string(), t.text.to_string());
                            }
                            if let Some(sel) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                                sel.set_value("");
                            }
                        }>
                        <option value="">"Templates…"</option>
                        {crate::course::templates::TEMPLATES
                            .iter()
                            .map(|t| view! { <option value=t.file>{t.title}</option> })
                            .collect_view()}
                    </select>
                    <button id="docs-button" title="Field docs for the field under the cursor (F1 or Ctrl+Space)"
                        on:click=move |_| show_docs()>"Docs"</button>
                    <button id="apply" class="primary" title="Preview, then apply (Ctrl+Enter)"
                        on:click=move |_| open_preview()>"Apply"</button>
                </div>
            </div>
            <Show when=move || renaming.get().is_some()>
                <div class="rename-row">
                    <label for="rename-input">"File name"</label>
                    <input id="rename-input" type="text" spellcheck="false" autocomplete="off"
                        prop:value=move || renaming.get().unwrap_or_default()
                        on:input=move |ev| renaming.set(Some(event_target_value(&ev)))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
                            "Enter" => { ev.prevent_default(); commit_rename(); }
                            "Escape" => { renaming.set(None); notice.set(None); }
                            _ => {}
                        }/>
                    <button on:click=move |_| commit_rename()>"Rename"</button>
                    <button on:click=move |_| { renaming.set(None); notice.set(None); }>"Cancel"</button>
                </div>
            </Show>
            <div id="editor-error" class="editor-error" role="alert" hidden=move || notice.get().is_none()>
                {move || notice.get().unwrap_or_default()}
            </div>
            <div class="code" class:has-tip=move || hover.get().is_some()>
                <pre class="code-gutter" aria-hidden="true" node_ref=gutter inner_html=gutter_html></pre>
                <div class="code-body">
                    <pre class="code-overlay" aria-hidden="true" node_ref=overlay inner_html=overlay_html></pre>
                    <textarea
                        id="editor"
                        node_ref=area
                        aria-label=move || format!("Manifest editor: {}", name.get())
                        aria-describedby="editor-keys diagnostics-summary"
                        spellcheck="false"
                        autocapitalize="off"
                        autocomplete="off"
                        wrap="off"
                        prop:value=move || shown.get()
                        on:input=move |ev| set_text(event_target_value(&ev))
                        on:keydown=on_key
                        on:scroll=on_scroll
                        on:mousemove=on_move
                        on:mouseleave=move |_| hover.set(None)
                    ></textarea>
                    {tooltip}
                </div>
            </div>
            <p id="editor-keys" class="editor-keys">
                "Tab and Shift+Tab indent · Ctrl+Enter applies · F1 explains the field under the cursor · Escape, then Tab, leaves the editor"
            </p>
            <div class="diagnostics-box">
                <div id="diagnostics-summary" class="diag-summary" role="status" aria-live="polite">{summary}</div>
                <ul id="diagnostics" class="diagnostics" aria-label=move || format!("Problems in {}", name.get())>
                    {move || {
                        checked.get()
                            .into_iter()
                            .map(|d| {
                                let (class, word) = match d.severity {
                                    Severity::Error => ("diag diag-error", "Error"),
                                    Severity::Hint => ("diag diag-hint", "Hint"),
                                };
                                let (line, column) = (d.line, d.column);
                                view! {
                                    <li class=class>
                                        <button class="diag-jump" on:click=move |_| {
                                            if let Some(el) = area.get_untracked() { jump(&el, line, column); }
                                        }>
                                            <span class="diag-sev">{word}</span>
                                            <span class="diag-loc">{format!("Line {line}, column {column}:")}</span>
                                            " "
                                            <span class="diag-msg">{d.message.clone()}</span>
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
            {move || preview.get().map(|docs| view! {
                <div id="apply-preview" class="apply-preview" role="region" aria-label="What apply will do">
                    <div class="pv-title">{format!("kubectl apply -f {} will:", name.get_untracked())}</div>
                    <ul class="pv-list">
                        {docs.into_iter().map(preview_item).collect_view()}
                    </ul>
                    <div class="pv-actions">
                        <button id="apply-confirm" class="primary" on:click=move |_| confirm()>"Apply"</button>
                        <button id="apply-cancel" on:click=move |_| cancel()>"Cancel"</button>
                        <span class="pv-keys">"Ctrl+Enter applies, Escape cancels"</span>
                    </div>
                </div>
            })}
            {move || docs.get().map(|d| view! {
                <div id="field-docs" class="field-docs" role="region" aria-label="Field documentation">
                    <div class="fd-head">
                        <span class="fd-title">{match &d {
                            Ok(f) => format!("kubectl explain {}", f.query),
                            Err(_) => "Field docs".to_string(),
                        }}</span>
                        <button class="fd-close" aria-label="Close the field docs" on:click=move |_| docs.set(None)>"×"</button>
                    </div>
                    <pre class="fd-text" tabindex="0" aria-label="kubectl explain output">{match d {
                        Ok(f) => f.text,
                        Err(e) => e,
                    }}</pre>
                </div>
            })}
            <pre id="apply-result" class="apply-result" aria-live="polite">{move || result.get()}</pre>
        </div>
    }
}

fn preview_item(d: DocPreview) -> impl IntoView {
    let (class, word) = match &d.change {
        Change::Created => ("pv pv-created", "created"),
        Change::Configured(_) => ("pv pv-configured", "configured"),
        Change::Unchanged => ("pv pv-unchanged", "unchanged"),
        Change::Failed(_) => ("pv pv-failed", "fails"),
    };
    let detail = match d.change {
        Change::Configured(changes) if !changes.is_empty() => Some(
            view! {
                <table class="pv-diff">
                    <thead><tr><th scope="col">"field"</th><th scope="col">"now"</th><th scope="col">"after apply"</th></tr></thead>
                    <tbody>
                        {changes.into_iter().map(|c| {
                            let row = match (&c.old, &c.new) {
                                (None, _) => "added",
                                (_, None) => "removed",
                                _ => "changed",
                            };
                            view! {
                                <tr class=format!("pv-{row}")>
                                    <td class="pv-path">{c.path}</td>
                                    <td class="pv-old">{c.old.unwrap_or_else(|| "(not set)".into())}</td>
                                    <td class="pv-new">{c.new.unwrap_or_else(|| "(removed)".into())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any(),
        ),
        Change::Configured(_) => {
            Some(view! { <div class="pv-note">"(the changes are in fields kubectl apply does not show here)"</div> }.into_any())
        }
        Change::Failed(e) => Some(view! { <pre class="pv-error">{e}</pre> }.into_any()),
        _ => None,
    };
    view! {
        <li class=class>
            <span class="pv-badge">{word}</span>
            " "
            <code class="pv-object">{d.object}</code>
            <span class="pv-line">{format!(" (line {})", d.line)}</span>
            {detail}
        </li>
    }
}

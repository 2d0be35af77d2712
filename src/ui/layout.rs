//! The page's layout: the three panes side by side (lesson | cluster map | workbench) with
//! splitters between them and between the editor and the terminal, a skip link to the
//! terminal, and the bar of pane links the stacked (narrow) layout shows.
//!
//! A splitter is a focusable `role="separator"` (WAI-ARIA's window splitter): drag it, or
//! focus it and use the arrow keys (Shift for bigger steps), Home and End for the smallest and
//! largest size, double-click or Enter to reset. Sizes are percentages of the panes' width (and
//! of the workbench's height for the editor), kept in localStorage, clamped so that no pane
//! gets smaller than it can be used at. Below 900 px wide (style/layout.css) the panes stack
//! and the splitters are not shown.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;

const KEY: &str = "pocket-cluster.layout.v1";

/// The smallest usable sizes, in px (style/layout.css's `minmax` says the same).
const MIN_LESSON: f64 = 220.0;
const MIN_CLUSTER: f64 = 300.0;
const MIN_WORKBENCH: f64 = 340.0;
const MIN_EDITOR: f64 = 150.0;
const MIN_TERMINAL: f64 = 150.0;
/// A splitter's own width (or height), in px.
const SPLIT_PX: f64 = 8.0;

/// An arrow key moves a splitter this many percent; with Shift, `BIG_STEP`.
const STEP: f64 = 2.0;
const BIG_STEP: f64 = 10.0;

/// The panes' sizes, in percent: the lesson's and the map's of the panes' width, the editor's
/// of the workbench's height. The workbench and the terminal take the rest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sizes {
    pub lesson: f64,
    pub cluster: f64,
    pub editor: f64,
}

pub const DEFAULT: Sizes = Sizes {
    lesson: 27.0,
    cluster: 35.0,
    editor: 60.0,
};

impl Sizes {
    /// Saved sizes made sane whatever localStorage held: finite, and within bounds that leave
    /// every pane some room before the pixel minimums apply.
    fn sane(self) -> Sizes {
        let pick = |v: f64, d: f64, lo: f64, hi: f64| {
            if v.is_finite() {
                v.max(lo).min(hi)
            } else {
                d
            }
        };
        let lesson = pick(self.lesson, DEFAULT.lesson, 10.0, 60.0);
        let cluster = pick(self.cluster, DEFAULT.cluster, 10.0, 80.0 - lesson);
        let editor = pick(self.editor, DEFAULT.editor, 10.0, 90.0);
        Sizes {
            lesson,
            cluster,
            editor,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load() -> Sizes {
    storage()
        .and_then(|st| st.get_item(KEY).ok().flatten())
        .and_then(|raw| serde_json::from_str::<Sizes>(&raw).ok())
        .map_or(DEFAULT, Sizes::sane)
}

fn save(sizes: Sizes) {
    if let (Some(st), Ok(json)) = (storage(), serde_json::to_string(&sizes)) {
        let _ = st.set_item(KEY, &json);
    }
}

/// Which splitter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Between the lesson and the map: moves the lesson's right edge, the map gives or takes.
    LessonCluster,
    /// Between the map and the workbench: the map's right edge.
    ClusterWorkbench,
    /// Between the editor and the terminal: the editor's bottom edge.
    EditorTerminal,
}

impl Split {
    fn vertical(self) -> bool {
        self != Split::EditorTerminal
    }

    /// The element whose size gives the percentages (the panes, or the workbench).
    fn container_id(self) -> &'static str {
        match self {
            Split::EditorTerminal => "workbench-pane",
            _ => "panes",
        }
    }

    /// The pane this splitter sizes (its "primary pane").
    fn controls(self) -> &'static str {
        match self {
            Split::LessonCluster => "lesson-pane",
            Split::ClusterWorkbench => "cluster-pane",
            Split::EditorTerminal => "editor-box",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Split::LessonCluster => "Resize the lesson and the cluster map",
            Split::ClusterWorkbench => "Resize the cluster map and the editor and terminal",
            Split::EditorTerminal => "Resize the editor and the terminal",
        }
    }

    fn value(self, s: Sizes) -> f64 {
        match self {
            Split::LessonCluster => s.lesson,
            Split::ClusterWorkbench => s.cluster,
            Split::EditorTerminal => s.editor,
        }
    }

    /// The range of this splitter's value, for a container of `px` pixels (the splitters'
    /// own pixels are not the panes'). Never inverted: with too little room, both ends meet.
    fn bounds(self, s: Sizes, px: f64) -> (f64, f64) {
        let px = px.max(1.0);
        let pct = |v: f64| v / px * 100.0;
        let (lo, hi) = match self {
            Split::LessonCluster => (pct(MIN_LESSON), s.lesson + s.cluster - pct(MIN_CLUSTER)),
            Split::ClusterWorkbench => (
                pct(MIN_CLUSTER),
                100.0 - s.lesson - pct(MIN_WORKBENCH + 2.0 * SPLIT_PX),
            ),
            Split::EditorTerminal => (pct(MIN_EDITOR), 100.0 - pct(MIN_TERMINAL + SPLIT_PX)),
        };
        (lo, hi.max(lo))
    }

    /// The sizes with this splitter at `v` (clamped). The lesson splitter keeps the map's right
    /// edge where it is.
    fn set(self, s: Sizes, v: f64, px: f64) -> Sizes {
        let (lo, hi) = self.bounds(s, px);
        let v = v.max(lo).min(hi);
        match self {
            Split::LessonCluster => Sizes {
                lesson: v,
                // Only below 900 px (no splitters there) could the bounds meet; never negative.
                cluster: (s.cluster + s.lesson - v).max(1.0),
                ..s
            },
            Split::ClusterWorkbench => Sizes { cluster: v, ..s },
            Split::EditorTerminal => Sizes { editor: v, ..s },
        }
    }

    /// This splitter back at its default place.
    fn reset(self, s: Sizes) -> Sizes {
        match self {
            Split::LessonCluster | Split::ClusterWorkbench => Sizes {
                lesson: DEFAULT.lesson,
                cluster: DEFAULT.cluster,
                ..s
            },
            Split::EditorTerminal => Sizes {
                editor: DEFAULT.editor,
                ..s
            },
        }
    }

    fn value_text(self, v: f64) -> String {
        let what = match self {
            Split::LessonCluster => "lesson",
            Split::ClusterWorkbench => "cluster map",
            Split::EditorTerminal => "editor",
        };
        let of = if self.vertical() { "width" } else { "height" };
        format!("{what} {}% of the {of}", v.round())
    }
}

/// The container's size along a splitter's axis, in px.
fn container_px(split: Split) -> f64 {
    document()
        .get_element_by_id(split.container_id())
        .map(|e| {
            if split.vertical() {
                e.client_width()
            } else {
                e.client_height()
            }
        })
        .map_or(1000.0, f64::from)
}

/// Tell the map that its pane changed size (it measures itself on window resize), at most
/// once a frame.
fn announce_resize(pending: StoredValue<bool>) {
    if pending.get_value() {
        return;
    }
    pending.set_value(true);
    request_animation_frame(move || {
        pending.try_set_value(false);
        if let Ok(ev) = web_sys::Event::new("resize") {
            let _ = window().dispatch_event(&ev);
        }
    });
}

#[derive(Clone, Copy)]
struct Layout {
    sizes: RwSignal<Sizes>,
    resize_pending: StoredValue<bool>,
}

/// `<main class="panes">` with the sizes as CSS variables (`--lesson`, `--cluster`,
/// `--editor`) that style/layout.css reads.
#[component]
pub fn Panes(children: Children) -> impl IntoView {
    let layout = Layout {
        sizes: RwSignal::new(load()),
        resize_pending: StoredValue::new(false),
    };
    provide_context(layout);
    let style = move || {
        let s = layout.sizes.get();
        format!(
            "--lesson: {:.2}%; --cluster: {:.2}%; --editor: {:.2}%",
            s.lesson, s.cluster, s.editor
        )
    };
    view! {
        <main id="panes" class="panes" style=style>
            {children()}
        </main>
    }
}

/// A draggable, focusable splitter (`role="separator"`).
#[component]
pub fn Splitter(split: Split) -> impl IntoView {
    let layout = expect_context::<Layout>();
    let sizes = layout.sizes;
    // While dragging: where the pointer started and the value then.
    let drag = StoredValue::new(None::<(i32, f64)>);
    let el = NodeRef::<leptos::html::Div>::new();

    let apply = move |new: Sizes, keep: bool| {
        if new != sizes.get_untracked() {
            sizes.set(new);
            announce_resize(layout.resize_pending);
        }
        if keep {
            save(new);
        }
    };
    let move_to = move |v: f64, keep: bool| {
        let new = split.set(sizes.get_untracked(), v, container_px(split));
        apply(new, keep);
    };

    let on_pointerdown = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        let at = if split.vertical() {
            ev.client_x()
        } else {
            ev.client_y()
        };
        drag.set_value(Some((at, split.value(sizes.get_untracked()))));
        if let Some(e) = el.get_untracked() {
            let _ = e.set_pointer_capture(ev.pointer_id());
            let _ = e.focus();
        }
    };
    let on_pointermove = move |ev: leptos::ev::PointerEvent| {
        let Some((start, from)) = drag.get_value() else {
            return;
        };
        let at = if split.vertical() {
            ev.client_x()
        } else {
            ev.client_y()
        };
        let px = container_px(split).max(1.0);
        move_to(
            from + (f64::from(at) - f64::from(start)) / px * 100.0,
            false,
        );
    };
    let end_drag = move |_: leptos::ev::PointerEvent| {
        if drag.get_value().is_some() {
            drag.set_value(None);
            save(sizes.get_untracked());
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let s = sizes.get_untracked();
        let v = split.value(s);
        let step = if ev.shift_key() { BIG_STEP } else { STEP };
        let (less, more) = if split.vertical() {
            ("ArrowLeft", "ArrowRight")
        } else {
            ("ArrowUp", "ArrowDown")
        };
        let key = ev.key();
        let target = match key.as_str() {
            k if k == less => Some(v - step),
            k if k == more => Some(v + step),
            "PageUp" => Some(v - BIG_STEP),
            "PageDown" => Some(v + BIG_STEP),
            "Home" => Some(f64::NEG_INFINITY),
            "End" => Some(f64::INFINITY),
            _ => None,
        };
        if let Some(t) = target {
            ev.prevent_default();
            move_to(t, true);
        } else if key == "Enter" {
            ev.prevent_default();
            apply(split.reset(s), true);
        }
    };

    // aria-valuemin/max depend on the container's size: read when the sizes change (and
    // when the window is resized, through a version bump).
    let measured = RwSignal::new(0u32);
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        measured.try_update(|n| *n = n.wrapping_add(1));
    });
    on_cleanup(move || resize.remove());
    let bounds = Memo::new(move |_| {
        measured.track();
        split.bounds(sizes.get(), container_px(split))
    });
    let now = move || format!("{:.1}", split.value(sizes.get()));

    view! {
        <div
            node_ref=el
            class="splitter"
            class:splitter-v=split.vertical()
            class:splitter-h=!split.vertical()
            role="separator"
            tabindex="0"
            aria-orientation=if split.vertical() { "vertical" } else { "horizontal" }
            aria-controls=split.controls()
            aria-label=split.label()
            aria-valuenow=now
            aria-valuemin=move || format!("{:.1}", bounds.get().0)
            aria-valuemax=move || format!("{:.1}", bounds.get().1)
            aria-valuetext=move || split.value_text(split.value(sizes.get()))
            title="Drag, or focus and use the arrow keys; double-click or Enter resets"
            data-split=format!("{split:?}")
            on:pointerdown=on_pointerdown
            on:pointermove=on_pointermove
            on:pointerup=end_drag
            on:pointercancel=end_drag
            on:lostpointercapture=end_drag
            on:dblclick=move |_| apply(split.reset(sizes.get_untracked()), true)
            on:keydown=on_key
        ></div>
    }
}

/// Focus an element by id and bring it into view (for in-page links that should move the
/// keyboard focus without changing the address: the app reads `#/bench` routes from it).
fn focus_id(id: &str) {
    let Some(el) = document().get_element_by_id(id) else {
        return;
    };
    let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() else {
        return;
    };
    // A section is not focusable by itself; -1 lets a script focus it without adding a tab stop.
    if el.tab_index() < 0 && !el.has_attribute("tabindex") {
        let _ = el.set_attribute("tabindex", "-1");
    }
    let _ = el.focus();
    el.scroll_into_view();
}

/// The first thing Tab reaches: "Skip to the terminal", shown only when focused.
#[component]
pub fn SkipLink() -> impl IntoView {
    view! {
        <a class="skip-link" href="#terminal-input" on:click=move |ev| {
            ev.prevent_default();
            focus_id("terminal-input");
        }>"Skip to the terminal"</a>
    }
}

/// Links to each pane, shown as a bar in the stacked layout (where the panes are far apart
/// on the page); hidden beside each other, where every pane is in view.
#[component]
pub fn PaneNav() -> impl IntoView {
    let link = |id: &'static str, text: &'static str| {
        view! {
            <a href=format!("#{id}") on:click=move |ev| {
                ev.prevent_default();
                focus_id(id);
            }>{text}</a>
        }
    };
    view! {
        <nav class="pane-nav" aria-label="Panes">
            {link("lesson-pane", "Lesson")}
            {link("cluster-pane", "Map")}
            {link("editor-box", "Editor")}
            {link("terminal-input", "Terminal")}
        </nav>
    }
}

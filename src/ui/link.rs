//! The page's line to the engine: a Web Worker (`engine-worker.js`, which loads the engine's
//! own wasm, `src/engine_worker.rs`) running `crate::host::Host`. Calls go out as JSON
//! (`host::proto::Call`); each message back is the list of `Answer`s one call gave. An answer
//! to a call made with [`ask`] goes to its callback; every other answer (views, saves, the
//! entries of a command the page only `send`s) goes to the page's handler ([`listen`]).
//!
//! The worker starts loading as soon as the page's script runs (index.html starts it before
//! the page's own wasm has arrived), so the engine compiles and boots off the main thread
//! while the page draws its first view. Calls made before it is up wait in the worker's queue.

use crate::host::proto::{Answer, Call, Reply, Request};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type Callback = Box<dyn FnMut(Reply)>;

struct Link {
    worker: Option<web_sys::Worker>,
    next: u64,
    pending: HashMap<u64, Callback>,
    handler: Option<Box<dyn Fn(Reply)>>,
    /// Answers that came before the page's handler was set.
    early: Vec<Reply>,
    _on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
}

thread_local! {
    static LINK: RefCell<Link> = RefCell::new(Link {
        worker: None,
        next: 1,
        pending: HashMap::new(),
        handler: None,
        early: Vec::new(),
        _on_message: None,
    });
}

/// The worker index.html started (`window.pcEngine`), or a new one.
fn worker() -> Option<web_sys::Worker> {
    let window = web_sys::window()?;
    let started = js_sys::Reflect::get(&window, &JsValue::from_str("pcEngine")).ok()?;
    if let Ok(w) = started.dyn_into::<web_sys::Worker>() {
        return Some(w);
    }
    web_sys::Worker::new("engine-worker.js").ok()
}

/// Connect to the engine (once, at start-up).
pub fn connect() {
    let Some(w) = worker() else {
        web_sys::console::error_1(&"Pocket Cluster: the engine's worker could not start".into());
        return;
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
            if let Some(text) = e.data().as_string() {
                receive(&text);
            }
        });
    w.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Messages that arrived before this handler was set (the worker answers as soon as it is
    // up) were kept by index.html's script.
    let early = js_sys::Reflect::get(&w, &JsValue::from_str("pcEarly")).ok();
    LINK.with(|l| {
        let mut l = l.borrow_mut();
        l.worker = Some(w);
        l._on_message = Some(on_message);
    });
    if let Some(early) = early.and_then(|e| e.dyn_into::<js_sys::Array>().ok()) {
        for m in early.iter() {
            if let Some(text) = m.as_string() {
                receive(&text);
            }
        }
        early.set_length(0);
    }
}

/// Where answers nobody asked for go (set once by the app).
pub fn listen(handler: impl Fn(Reply) + 'static) {
    let early = LINK.with(|l| {
        let mut l = l.borrow_mut();
        l.handler = Some(Box::new(handler));
        std::mem::take(&mut l.early)
    });
    for r in early {
        dispatch(0, r);
    }
}

fn post(call: &Call) {
    let Ok(text) = serde_json::to_string(call) else {
        return;
    };
    LINK.with(|l| {
        if let Some(w) = &l.borrow().worker {
            let _ = w.post_message(&JsValue::from_str(&text));
        }
    });
}

/// Send a request; its answers go to the page's handler.
pub fn send(request: Request) {
    let id = LINK.with(|l| {
        let mut l = l.borrow_mut();
        l.next += 1;
        l.next
    });
    post(&Call { id, request });
}

/// Send a request; its answers go to `callback` (each of them, in order).
pub fn ask(request: Request, callback: impl FnMut(Reply) + 'static) {
    let id = LINK.with(|l| {
        let mut l = l.borrow_mut();
        l.next += 1;
        let id = l.next;
        l.pending.insert(id, Box::new(callback));
        id
    });
    post(&Call { id, request });
}

fn dispatch(id: u64, reply: Reply) {
    // Take the callback or handler out while it runs: it may call `ask` or `send` itself.
    let cb = LINK.with(|l| l.borrow_mut().pending.remove(&id));
    if let Some(mut cb) = cb {
        cb(reply);
        LINK.with(|l| {
            l.borrow_mut().pending.entry(id).or_insert(cb);
        });
        return;
    }
    let handler = LINK.with(|l| l.borrow_mut().handler.take());
    match handler {
        Some(h) => {
            h(reply);
            LINK.with(|l| {
                let mut l = l.borrow_mut();
                if l.handler.is_none() {
                    l.handler = Some(h);
                }
            });
        }
        None => LINK.with(|l| l.borrow_mut().early.push(reply)),
    }
}

/// One message from the worker: the answers of one call.
fn receive(text: &str) {
    let Ok(answers) = serde_json::from_str::<Vec<Answer>>(text) else {
        web_sys::console::warn_1(&"Pocket Cluster: an unreadable message from the engine".into());
        return;
    };
    let mut ids = Vec::new();
    for a in answers {
        if a.id != 0 && !ids.contains(&a.id) {
            ids.push(a.id);
        }
        dispatch(a.id, a.reply);
    }
    // A call's answers all come in one message: its callback is done.
    LINK.with(|l| {
        let mut l = l.borrow_mut();
        for id in ids {
            l.pending.remove(&id);
        }
    });
}

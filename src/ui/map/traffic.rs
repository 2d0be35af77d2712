//! Requests moving on the map: one SVG circle per request in flight, moved by a
//! requestAnimationFrame loop that writes only their `transform`s (the map itself is not
//! redrawn). The loop runs while something is in flight and stops by itself; at most
//! [`MAX_IN_FLIGHT`] requests are drawn (the oldest give way).

use crate::sim::map::{MapModel, Step, StepKind};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub const MAX_IN_FLIGHT: usize = 200;
const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// The id of the `<g>` the packets are drawn in.
pub const LAYER: &str = "map-traffic";

struct Point {
    x: f64,
    y: f64,
    dns: bool,
}

struct Flight {
    el: web_sys::Element,
    label: Option<web_sys::Element>,
    points: Vec<Point>,
    start: f64,
    seg_ms: f64,
    failure: Option<String>,
    segment: usize,
    done_at: Option<f64>,
}

impl Flight {
    fn remove(&self) {
        self.el.remove();
        if let Some(l) = &self.label {
            l.remove();
        }
    }
}

#[derive(Default)]
pub struct Traffic {
    flights: VecDeque<Flight>,
    running: bool,
    /// False once the map is gone: the loop stops at its next frame.
    pub alive: bool,
}

pub type Shared = Rc<RefCell<Traffic>>;

pub fn shared() -> Shared {
    Rc::new(RefCell::new(Traffic {
        alive: true,
        ..Default::default()
    }))
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// The points a request passes, from its steps: each element's centre, with a waypoint above
/// the clusters (the internet) where it goes from one cluster to another.
fn points(map: &MapModel, steps: &[Step]) -> Vec<Point> {
    let band = map
        .clusters
        .iter()
        .map(|c| c.rect.y)
        .min()
        .unwrap_or(0)
        .saturating_sub(10) as f64;
    let mut out: Vec<Point> = Vec::new();
    let mut last_cluster: Option<Option<usize>> = None;
    for s in steps {
        let Some(r) = map.rect_of(&s.element) else {
            continue;
        };
        let (x, y) = r.center();
        let (x, y) = (x as f64, y as f64);
        if let (Some(Some(a)), Some(b)) = (last_cluster, s.cluster) {
            if a != b {
                if let Some(p) = out.last() {
                    let mid = (p.x + x) / 2.0;
                    let (px, py) = (p.x, p.y);
                    out.push(Point {
                        x: px,
                        y: band.min(py),
                        dns: false,
                    });
                    out.push(Point {
                        x: mid,
                        y: band,
                        dns: false,
                    });
                }
            }
        }
        last_cluster = Some(s.cluster);
        if out.last().is_some_and(|p| p.x == x && p.y == y) {
            continue;
        }
        out.push(Point {
            x,
            y,
            dns: s.kind == StepKind::Dns,
        });
    }
    out
}

/// Start a request moving along `steps`; `fast` for generated traffic.
pub fn launch(t: &Shared, map: &MapModel, steps: &[Step], fast: bool) {
    let pts = points(map, steps);
    if pts.is_empty() {
        return;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(layer) = doc.get_element_by_id(LAYER) else {
        return;
    };
    let Ok(el) = doc.create_element_ns(Some(SVG_NS), "circle") else {
        return;
    };
    let _ = el.set_attribute("r", if fast { "4" } else { "6" });
    let _ = el.set_attribute("class", "packet");
    let _ = el.set_attribute(
        "transform",
        &format!("translate({} {})", pts[0].x, pts[0].y),
    );
    let _ = layer.append_child(&el);
    let failure = steps
        .last()
        .and_then(|s| s.failed.as_ref())
        .map(|f| f.reason.clone());
    let mut tr = t.borrow_mut();
    while tr.flights.len() >= MAX_IN_FLIGHT {
        if let Some(f) = tr.flights.pop_front() {
            f.remove();
        }
    }
    tr.flights.push_back(Flight {
        el,
        label: None,
        points: pts,
        start: now(),
        seg_ms: if fast { 160.0 } else { 420.0 },
        failure,
        segment: usize::MAX,
        done_at: None,
    });
    let start = !tr.running;
    tr.running = true;
    drop(tr);
    if start {
        run_loop(t.clone());
    }
}

/// Remove everything in flight (the map is going away).
pub fn clear(t: &Shared) {
    let mut tr = t.borrow_mut();
    tr.alive = false;
    for f in tr.flights.drain(..) {
        f.remove();
    }
}

/// The frame callback, kept alive while the loop runs (it asks for the next frame itself).
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

fn run_loop(t: Shared) {
    let cb: FrameCallback = Rc::new(RefCell::new(None));
    let again = cb.clone();
    *cb.borrow_mut() = Some(Closure::new(move |_ts: f64| {
        let keep = frame(&t);
        if keep {
            if let (Some(w), Some(c)) = (web_sys::window(), again.borrow().as_ref()) {
                let _ = w.request_animation_frame(c.as_ref().unchecked_ref());
            }
        } else {
            t.borrow_mut().running = false;
            // Drop the closure (and with it this frame's captures) once it has returned.
            let again = again.clone();
            let _ = web_sys::window().map(|w| {
                let drop_it = Closure::once_into_js(move || {
                    again.borrow_mut().take();
                });
                w.set_timeout_with_callback(drop_it.unchecked_ref())
            });
        }
    }));
    let first = cb.borrow();
    if let (Some(w), Some(c)) = (web_sys::window(), first.as_ref()) {
        let _ = w.request_animation_frame(c.as_ref().unchecked_ref());
    }
}

/// Move everything one frame on; false when nothing is left (or the map is gone).
fn frame(t: &Shared) -> bool {
    let Ok(mut tr) = t.try_borrow_mut() else {
        return true;
    };
    if !tr.alive {
        return false;
    }
    let now = now();
    let doc = web_sys::window().and_then(|w| w.document());
    tr.flights.retain_mut(|f| {
        let last = f.points.len() - 1;
        let t = (now - f.start) / f.seg_ms;
        if t >= last as f64 || last == 0 {
            let p = &f.points[last];
            match f.done_at {
                None => {
                    f.done_at = Some(now);
                    let _ =
                        f.el.set_attribute("transform", &format!("translate({} {})", p.x, p.y));
                    match &f.failure {
                        Some(reason) => {
                            let _ = f.el.set_attribute("class", "packet failed");
                            if let Some(doc) = &doc {
                                if let Ok(l) = doc.create_element_ns(Some(SVG_NS), "text") {
                                    let _ = l.set_attribute("class", "packet-fail");
                                    let _ = l.set_attribute("x", &format!("{}", p.x + 9.0));
                                    let _ = l.set_attribute("y", &format!("{}", p.y - 8.0));
                                    l.set_text_content(Some(&format!("✕ {reason}")));
                                    if let Some(parent) = f.el.parent_node() {
                                        let _ = parent.append_child(&l);
                                    }
                                    f.label = Some(l);
                                }
                            }
                        }
                        None => {
                            let _ = f.el.set_attribute("class", "packet arrived");
                        }
                    }
                    true
                }
                Some(at) => {
                    let linger = if f.failure.is_some() { 2200.0 } else { 250.0 };
                    if now - at > linger {
                        f.remove();
                        false
                    } else {
                        true
                    }
                }
            }
        } else {
            let i = t.floor() as usize;
            let u = t - i as f64;
            // Ease in and out along each leg.
            let u = u * u * (3.0 - 2.0 * u);
            let (a, b) = (&f.points[i], &f.points[i + 1]);
            let x = a.x + (b.x - a.x) * u;
            let y = a.y + (b.y - a.y) * u;
            if f.segment != i {
                f.segment = i;
                let dns = a.dns || b.dns;
                let _ =
                    f.el.set_attribute("class", if dns { "packet dns" } else { "packet" });
            }
            let _ =
                f.el.set_attribute("transform", &format!("translate({x:.1} {y:.1})"));
            true
        }
    });
    !tr.flights.is_empty()
}

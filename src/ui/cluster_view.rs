//! The cluster map: an SVG drawing of the world (`sim::map`'s model and layout) that redraws
//! when the engine's state changes, a side panel with the selected element's `kubectl describe`
//! and its fault drills, the last request's hops (animated along the map, or listed when the
//! learner prefers reduced motion), a "send traffic" control, and an aria-live line that says
//! what changed and where each request went. Everything goes through the session's commands.

use super::map::{draw, traffic};
use super::{link, AppState};
use crate::host::proto::{Reply, Request, Source};
use crate::sim::map::{self, MapModel, Step};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The network tools whose requests are animated when typed at the terminal.
const TOOLS: [&str; 6] = ["curl", "wget", "nc ", "telnet", "nslookup", "ping"];

fn reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

fn pane_width() -> i32 {
    document()
        .get_element_by_id("cluster-pane")
        .map(|e| e.client_width() - 16)
        .filter(|w| *w > 200)
        .unwrap_or(480)
}

/// What changed between two models, in words (at most a few things).
fn changes(old: &MapModel, new: &MapModel) -> Vec<String> {
    let mut out = Vec::new();
    let before: std::collections::BTreeMap<&str, &map::MapPod> =
        crate::sim::sort::map_of(old.pods().map(|p| (p.id.as_str(), p)));
    let after: std::collections::BTreeMap<&str, &map::MapPod> =
        crate::sim::sort::map_of(new.pods().map(|p| (p.id.as_str(), p)));
    for (id, p) in &after {
        match before.get(id) {
            None => out.push(format!(
                "pod {} appeared{} ({})",
                p.name,
                if p.node.is_empty() {
                    String::new()
                } else {
                    format!(" on {}", p.node)
                },
                p.status
            )),
            Some(q) if q.status != p.status => {
                out.push(format!("pod {}: {} → {}", p.name, q.status, p.status))
            }
            Some(q) if q.node != p.node => out.push(format!("pod {} is now on {}", p.name, p.node)),
            _ => {}
        }
    }
    for id in before.keys() {
        if !after.contains_key(id) {
            out.push(format!(
                "pod {} is gone",
                id.rsplit('/').next().unwrap_or(id)
            ));
        }
    }
    let nodes = |m: &MapModel| -> Vec<(String, String, bool)> {
        m.clusters
            .iter()
            .flat_map(|c| c.masters.iter().chain(&c.workers))
            .map(|n| (n.id.clone(), n.status.clone(), n.powered))
            .collect()
    };
    let old_nodes = nodes(old);
    for (id, status, powered) in nodes(new) {
        if let Some((_, s, p)) = old_nodes.iter().find(|(i, _, _)| *i == id) {
            let name = id.rsplit('/').next().unwrap_or(&id);
            if *p != powered {
                out.push(format!(
                    "node {name} powered {}",
                    if powered { "on" } else { "off" }
                ));
            } else if *s != status {
                out.push(format!("node {name}: {s} → {status}"));
            }
        }
    }
    out
}

/// Where generated traffic can go: (label, command).
fn targets(m: &MapModel) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in &m.zone {
        if r.type_ == "A" || r.type_ == "CNAME" {
            let name = r.name.trim_start_matches("*.");
            out.push((
                format!("laptop → http://{name}/"),
                format!("curl -s -m 2 http://{name}/"),
            ));
        }
    }
    for c in &m.clusters {
        for lb in &c.load_balancers {
            out.push((
                format!("laptop → load balancer {} ({})", lb.ip, c.name),
                format!("curl -s -m 2 http://{}/", lb.ip),
            ));
        }
    }
    if let Some(c) = m.clusters.iter().find(|c| c.current) {
        let client = c
            .workers
            .iter()
            .chain(&c.masters)
            .flat_map(|n| n.pods.iter())
            .filter(|p| !p.system && p.status == "Running" && p.proxy.is_none())
            .min_by_key(|p| (!p.name.starts_with("client"), p.name.clone()));
        if let Some(client) = client {
            for s in &c.services {
                if s.namespace == "kube-system" || s.type_ == "ExternalName" {
                    continue;
                }
                let port = s
                    .ports
                    .split(',')
                    .next()
                    .and_then(|p| p.split(['/', ':']).next())
                    .unwrap_or("80");
                let url = format!("http://{}.{}:{port}/", s.name, s.namespace);
                out.push((
                    format!("pod {} → Service {}", client.name, s.name),
                    format!(
                        "kubectl exec {} -n {} -- sh -c \"curl -s -m 2 {url} || wget -qO- -T 2 {url}\"",
                        client.name, client.namespace
                    ),
                ));
            }
        }
    }
    out
}

/// The fault drills for an element: (button text, command).
fn drills(m: &MapModel, id: &str) -> Vec<(String, String)> {
    let Some((k, rest)) = id.strip_prefix('c').and_then(|r| r.split_once('/')) else {
        return Vec::new();
    };
    let Some(c) = k.parse::<usize>().ok().and_then(|k| m.clusters.get(k)) else {
        return Vec::new();
    };
    if !c.current {
        return Vec::new();
    }
    let Some((kind, name)) = rest.split_once('/') else {
        return Vec::new();
    };
    match kind {
        "pod" => {
            let Some((ns, pod)) = name.split_once('/') else {
                return Vec::new();
            };
            let ns_flag = if ns == "default" {
                String::new()
            } else {
                format!(" -n {ns}")
            };
            vec![
                (
                    "Crash its container".into(),
                    format!("sim pod crash {pod}{ns_flag}"),
                ),
                (
                    "Delete the pod".into(),
                    format!("kubectl delete pod {pod}{ns_flag}"),
                ),
            ]
        }
        "node" | "kube-proxy" => {
            let powered = c
                .masters
                .iter()
                .chain(&c.workers)
                .find(|n| n.name == name)
                .is_some_and(|n| n.powered);
            if powered {
                vec![("Stop the node".into(), format!("sim node stop {name}"))]
            } else {
                vec![("Start the node".into(), format!("sim node start {name}"))]
            }
        }
        _ => Vec::new(),
    }
}

#[component]
pub fn ClusterView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let width = RwSignal::new(480);
    // The engine's model of the map (laid out for the pane's width); an empty one until the
    // engine is up.
    let model = Memo::new(move |_| {
        state.map.get().unwrap_or_else(|| MapModel {
            clusters: Vec::new(),
            zone: Vec::new(),
            laptop: map::Rect::default(),
            public_dns: map::Rect::default(),
            width: width.get_untracked(),
            height: 120,
        })
    });
    Effect::new(move |_| link::send(Request::MapWidth(width.get())));
    let selected = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(None::<String>);
    let hops = RwSignal::new(Vec::<Step>::new());
    let live = RwSignal::new(String::new());
    let reduced = reduced_motion();
    let traffic = StoredValue::new_local(traffic::shared());
    let seen_log = StoredValue::new(0usize);
    let seen_ctx = StoredValue::new(None::<crate::ui::course::Ctx>);
    let previous = StoredValue::new(None::<MapModel>);

    // Measure the pane once mounted, and again when the window is resized.
    Effect::new(move |_| width.set(pane_width()));
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        let _ = width.try_set(pane_width());
    });
    on_cleanup(move || {
        resize.remove();
        traffic.try_with_value(traffic::clear);
    });

    // Say what changed.
    Effect::new(move |_| {
        let now = model.get();
        let said = previous.with_value(|old| old.as_ref().map(|o| changes(o, &now)));
        previous.set_value(Some(now));
        if let Some(said) = said {
            if !said.is_empty() {
                let n = said.len();
                let mut text = said.into_iter().take(3).collect::<Vec<_>>().join("; ");
                if n > 3 {
                    text.push_str(&format!("; and {} more changes", n - 3));
                }
                live.set(text);
            }
        }
    });

    // A request typed at the terminal: show its hops and move a dot along them.
    let show = move |steps: Vec<Step>, animate: bool, fast: bool| {
        if animate && !reduced {
            model.with_untracked(|m| traffic.with_value(|t| traffic::launch(t, m, &steps, fast)));
        }
    };
    Effect::new(move |_| {
        let Some(ran) = state.ran.get() else {
            return;
        };
        let ctx = state.course.ctx.get();
        let switched = seen_ctx.with_value(|c| c.as_ref().is_some_and(|c| *c != ctx));
        seen_ctx.set_value(Some(ctx));
        // Another lesson or the sandbox took the panes: the last request shown is not in this
        // world.
        if switched {
            hops.set(Vec::new());
            return;
        }
        if ran.trace.is_empty() || !TOOLS.iter().any(|t| ran.line.contains(t)) {
            return;
        }
        let steps = model.with_untracked(|m| map::route(m, &ran.trace, ran.origin));
        live.set(format!("request: {}", map::summary(&steps)));
        hops.set(steps.clone());
        show(steps, true, false);
    });
    // A reset or an undo replayed the journal: the last request shown is not in this world.
    Effect::new(move |_| {
        let n = state.view.with(|v| v.commands_run);
        if n < seen_log.get_value() {
            hops.set(Vec::new());
        }
        seen_log.set_value(n);
    });

    // Requests between pods that no command made: a container's shell loop (`while true;
    // do wget …; done`) calls a Service each round; the newest few are animated.
    Effect::new(move |_| {
        let traces = state.loop_traces.get();
        let start = traces.len().saturating_sub(8);
        for (origin, trace) in traces.into_iter().skip(start) {
            let steps = model.with_untracked(|m| map::route(m, &trace, origin));
            show(steps, true, true);
        }
    });

    // Send traffic: N requests a second through the engine, each animated.
    let sending = RwSignal::new(false);
    let rate = RwSignal::new(5u32);
    let target = RwSignal::new(String::new());
    let custom = RwSignal::new(String::new());
    let stats = RwSignal::new((0u32, 0u32));
    let owed = StoredValue::new(0f64);
    let ticker = StoredValue::new_local(None::<gloo_timers::callback::Interval>);
    let send_one = move |cmd: &str| {
        let request = Request::Run {
            shown: cmd.to_string(),
            line: cmd.to_string(),
            stdin: None,
            source: Source::Traffic,
        };
        link::ask(request, move |reply| {
            let Reply::Ran(ran) = reply else {
                return;
            };
            if sending.try_get_untracked() != Some(true) {
                return;
            }
            let steps = model.with_untracked(|m| map::route(m, &ran.trace, ran.origin));
            let failed = steps.last().is_some_and(|s| s.failed.is_some());
            stats.update(|(ok, bad)| if failed { *bad += 1 } else { *ok += 1 });
            show(steps, true, true);
        });
    };
    let command_for = move || {
        let c = custom.get_untracked();
        let c = c.trim();
        if !c.is_empty() {
            if c.starts_with("curl ") || c.starts_with("kubectl ") {
                return c.to_string();
            }
            return format!("curl -s -m 2 {c}");
        }
        let t = target.get_untracked();
        if !t.is_empty() {
            return t;
        }
        model.with_untracked(|m| {
            targets(m)
                .first()
                .map(|(_, c)| c.clone())
                .unwrap_or_default()
        })
    };
    let toggle = move |_| {
        if sending.get_untracked() {
            sending.set(false);
            ticker.update_value(|t| {
                t.take();
            });
            let (ok, bad) = stats.get_untracked();
            live.set(format!(
                "traffic stopped: {} requests, {ok} answered, {bad} failed",
                ok + bad
            ));
            return;
        }
        let cmd = command_for();
        if cmd.is_empty() {
            live.set("no target for traffic yet: create a Service, or type a URL".into());
            return;
        }
        stats.set((0, 0));
        sending.set(true);
        live.set(format!(
            "sending {} requests a second: {cmd}",
            rate.get_untracked()
        ));
        // Every 20 ms a few requests, rather than a burst every 100 ms: the frames between
        // stay free for drawing.
        let interval = gloo_timers::callback::Interval::new(20, move || {
            let Some(r) = rate.try_get_untracked() else {
                return;
            };
            let due = owed.get_value() + r as f64 / 50.0;
            let n = due.floor() as u32;
            owed.set_value(due - n as f64);
            for _ in 0..n.min(8) {
                send_one(&cmd);
            }
        });
        ticker.set_value(Some(interval));
    };
    on_cleanup(move || {
        ticker.try_update_value(|t| {
            t.take();
        });
    });

    // Another lesson or the sandbox took the panes: its world is another one. Stop sending
    // (the requests would land in its journal) and forget the target.
    Effect::new(move |first: Option<()>| {
        state.course.ctx.track();
        if first.is_none() {
            return;
        }
        ticker.update_value(|t| {
            t.take();
        });
        sending.set(false);
        target.set(String::new());
        traffic.with_value(traffic::clear);
    });

    // The selected element's describe, through the session's command language. It changes
    // nothing in the world, and is taken off the log again.
    let describe = RwSignal::new(None::<(String, String)>);
    Effect::new(move |_| {
        state.version.track();
        let Some(id) = selected.get() else {
            describe.set(None);
            return;
        };
        let Some(cmd) = model.with_untracked(|m| map::describe_command(m, &id)) else {
            describe.set(None);
            return;
        };
        link::ask(Request::Describe { line: cmd }, move |reply| {
            if let Reply::Described { line, text } = reply {
                // Only while that element is still the one selected.
                if selected.get_untracked().as_deref() == Some(id.as_str()) {
                    describe.set(Some((line, text)));
                }
            }
        });
    });

    let pick = move |id: Option<String>| {
        confirm.set(None);
        selected.set(id);
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let id = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("[data-id]").ok().flatten())
            .and_then(|e| e.get_attribute("data-id"));
        pick(id);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if key == "Escape" {
            pick(None);
            return;
        }
        if key != "Enter" && key != " " {
            return;
        }
        let id = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.get_attribute("data-id"));
        if id.is_some() {
            ev.prevent_default();
            pick(id);
        }
    };

    let endpoints_of_selected = Memo::new(move |_| {
        let id = selected.get()?;
        model.with(|m| {
            m.clusters
                .iter()
                .flat_map(|c| c.services.iter())
                .find(|s| s.id == id)
                .map(|s| (s.rect, s.endpoints.clone()))
        })
    });

    let svg = move || {
        model.with(|m| {
            view! {
                <g class="map-static">
                    {draw::outside_view(m)}
                    {m.clusters.iter().map(|c| draw::cluster_view(c, selected)).collect_view()}
                </g>
            }
        })
    };
    let endpoint_lines = move || {
        let (from, eps) = endpoints_of_selected.get()?;
        let (fx, fy) = from.center();
        Some(model.with(|m| {
            eps.iter()
                .filter_map(|id| m.rect_of(id))
                .map(|r| {
                    let (x, y) = r.center();
                    view! { <line class="endpoint-line" x1=fx y1=fy x2=x y2=y></line> }
                })
                .collect_view()
        }))
    };
    let pods = move || model.with(|m| m.pods().cloned().collect::<Vec<_>>());

    view! {
        <div class="map-wrap">
            <div class="map-toolbar" role="group" aria-label="Send traffic">
                <label for="traffic-target">"Send traffic to"</label>
                <select id="traffic-target" on:change=move |ev| target.set(event_target_value(&ev))>
                    {move || {
                        let all = model.with(targets);
                        // Nothing to send to yet: say so instead of an empty list.
                        let none = all.is_empty().then(|| view! {
                            <option value="" disabled=true selected=true>"no Service or public name yet"</option>
                        });
                        let options = all.into_iter().map(|(label, cmd)| {
                            let selected = target.with_untracked(|t| *t == cmd);
                            view! { <option value=cmd selected=selected>{label}</option> }
                        }).collect_view();
                        view! { {none}{options} }
                    }}
                </select>
                <input id="traffic-url" type="text" placeholder="or a URL" aria-label="or a URL to curl from the laptop" prop:value=custom on:input=move |ev| custom.set(event_target_value(&ev))/>
                <label for="traffic-rate">"at"</label>
                <select id="traffic-rate" aria-label="requests per second" on:change=move |ev| rate.set(event_target_value(&ev).parse().unwrap_or(5))>
                    {[1u32, 5, 10, 20, 50, 100, 200].into_iter().map(|n| view! { <option value=n.to_string() selected=n == 5>{format!("{n}/s")}</option> }).collect_view()}
                </select>
                <button id="traffic-toggle" class:primary=move || !sending.get() aria-pressed=move || sending.get().to_string() on:click=toggle>
                    {move || if sending.get() { "■ Stop" } else { "▶ Send" }}
                </button>
                <span class="traffic-stats" title="requests answered and failed">
                    {move || { let (ok, bad) = stats.get(); (ok + bad > 0).then(|| format!("{ok} ok · {bad} failed")) }}
                </span>
            </div>
            <p id="map-live" class="map-live" aria-live="polite" role="status">{move || live.get()}</p>
            {move || state.map.with(|m| m.is_none()).then(|| view! {
                <p id="map-starting" class="panel-note">"Starting the cluster…"</p>
            })}
            <div class="map-body">
                {move || selected.get().map(|id| {
                    let name = map::element_name(&id);
                    let actions = model.with(|m| drills(m, &id));
                    view! {
                        <aside id="map-panel" class="map-panel" aria-label=format!("Details of {name}")>
                            <div class="panel-head">
                                <h3>{name.clone()}</h3>
                                <button class="panel-close" aria-label="Close the details" on:click=move |_| pick(None)>"✕"</button>
                            </div>
                            {(!actions.is_empty()).then(|| view! {
                                <div class="drills" role="group" aria-label="Fault drills">
                                    {actions.into_iter().map(|(label, cmd)| {
                                        let c = cmd.clone();
                                        view! { <button class="drill" data-command=cmd.clone() on:click=move |_| confirm.set(Some(c.clone()))>{label}</button> }
                                    }).collect_view()}
                                </div>
                            })}
                            {move || confirm.get().map(|cmd| {
                                let c = cmd.clone();
                                view! {
                                    <div class="confirm" role="alertdialog" aria-label="Confirm the drill">
                                        <p>"Run " <code>{cmd.clone()}</code> "?"</p>
                                        <button id="map-confirm" class="primary" autofocus on:click=move |_| {
                                            confirm.set(None);
                                            state.run(&c, &c, None);
                                        }>"Run it"</button>
                                        <button id="map-cancel" on:click=move |_| confirm.set(None)>"Cancel"</button>
                                    </div>
                                }
                            })}
                            {move || match describe.get() {
                                Some((cmd, text)) => view! {
                                    <p class="panel-cmd"><code>{format!("$ {cmd}")}</code></p>
                                    <pre id="map-describe" class="describe" tabindex="0" aria-label="kubectl describe output">{text}</pre>
                                }.into_any(),
                                None => view! {
                                    <p class="panel-note">{
                                        if id == "laptop" { "Your laptop: curl http://NAME/ at the terminal starts here.".to_string() }
                                        else if id == "public-dns" { "The public DNS zone: sim dns list shows every record; sim dns add NAME A IP adds one.".to_string() }
                                        else { "Nothing to describe.".to_string() }
                                    }</p>
                                }.into_any(),
                            }}
                        </aside>
                    }
                })}
                <div class="map-scroll">
                    <div class="map-stack">
                    <svg
                        id="cluster-map"
                        role="group"
                        aria-label="Cluster map: click or press Enter on anything to describe it"
                        width=move || model.with(|m| m.width)
                        height=move || model.with(|m| m.height)
                        viewBox=move || model.with(|m| format!("0 0 {} {}", m.width, m.height))
                        on:click=on_click
                        on:keydown=on_key
                    >
                        {svg}
                        <g class="map-lines">{endpoint_lines}</g>
                        <g class="map-pods">
                            <For
                                each=pods
                                key=draw::pod_key
                                children=move |p| {
                                    let id = p.id.clone();
                                    let endpoint = Signal::derive(move || {
                                        endpoints_of_selected.with(|e| e.as_ref().is_some_and(|(_, eps)| eps.contains(&id)))
                                    });
                                    draw::pod_view(p, endpoint)
                                }
                            />
                        </g>
                    </svg>
                    // The packets fly in a layer of their own over the map: moving one
                    // repaints only this (mostly transparent) layer, not the map's 300 pods.
                    <svg
                        class="map-traffic-layer"
                        aria-hidden="true"
                        width=move || model.with(|m| m.width)
                        height=move || model.with(|m| m.height)
                        viewBox=move || model.with(|m| format!("0 0 {} {}", m.width, m.height))
                    >
                        <g id=traffic::LAYER class="map-traffic"></g>
                    </svg>
                    </div>
                </div>
            </div>
            <section id="map-hops" class="map-hops" aria-label="The last request's hops">
                <h3>"Last request" {reduced.then_some(" (reduced motion: its hops, listed)")}</h3>
                {move || {
                    let steps = hops.get();
                    if steps.is_empty() {
                        view! { <p class="panel-note">"No request yet: try " <code>"kubectl exec POD -- wget -qO- http://SERVICE/"</code> " or " <code>"curl"</code> " in the terminal."</p> }.into_any()
                    } else {
                        view! {
                            <ol class="hop-list">
                                {steps.into_iter().map(|s| {
                                    let failed = s.failed.clone();
                                    let is_failed = failed.is_some();
                                    view! {
                                        <li class:failed=is_failed class:dns=s.kind == map::StepKind::Dns data-element=s.element.clone()>
                                            <span class="hop-at">{map::element_name(&s.element)}</span>
                                            {failed.map(|f| view! { <span class="hop-fail">{format!(" ✕ {}", f.reason)}</span> })}
                                            <span class="hop-detail">{s.detail}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                }}
            </section>
        </div>
    }
}

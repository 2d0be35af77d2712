//! SVG pieces of the cluster map, painted from `sim::map`'s model. Every element that can be
//! clicked carries `data-id` (the model's element id), `tabindex="0"` and `role="button"`: the
//! map listens once, on the `<svg>`, for clicks and Enter.

use crate::sim::map::{MapCluster, MapLoadBalancer, MapModel, MapNode, MapPod, MapService};
use leptos::prelude::*;

/// At most `n` characters, with an ellipsis when cut.
pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// An element's accessible name: the words drawn on it first (WCAG 2.5.3, label in name: what
/// a voice-control user reads off the map names it), then the details the drawing leaves out.
fn spoken(drawn: &[&str], detail: &str) -> String {
    let drawn: Vec<&str> = drawn.iter().copied().filter(|t| !t.is_empty()).collect();
    if drawn.is_empty() {
        detail.to_string()
    } else {
        format!("{}: {detail}", drawn.join(" "))
    }
}

fn labels_text(labels: &[(String, String)]) -> String {
    if labels.is_empty() {
        "no labels".into()
    } else {
        labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A key for a pod's drawing: it is redrawn only when one of these changes.
pub fn pod_key(p: &MapPod) -> String {
    format!(
        "{}|{}|{}|{}|{}|{},{},{}|{}",
        p.id, p.status, p.ready, p.ip, p.restarts, p.rect.x, p.rect.y, p.rect.w, p.compact
    )
}

pub fn pod_view(p: MapPod, endpoint: Signal<bool>) -> impl IntoView {
    let r = p.rect;
    let class = format!(
        "map-el pod {}{}{}",
        p.health.class(),
        if p.system { " system" } else { "" },
        if p.compact { " compact" } else { "" }
    );
    let ip = if p.ip.is_empty() {
        "no IP yet".to_string()
    } else {
        p.ip.clone()
    };
    let label = format!(
        "pod {}/{}: {}, {} ready, {}{}",
        p.namespace,
        p.name,
        p.status,
        p.ready,
        ip,
        p.proxy
            .as_ref()
            .map(|x| format!(", {x}"))
            .unwrap_or_default()
    );
    let title = format!(
        "{label}\nrestarts: {}\n{}",
        p.restarts,
        labels_text(&p.labels)
    );
    let second = format!(
        "{} · {}{}",
        p.status,
        ip,
        if p.restarts > 0 {
            format!(" · ↻{}", p.restarts)
        } else {
            String::new()
        }
    );
    let sub = clip(&second, ((r.w - 14) / 6).max(4) as usize);
    let name = match p.proxy.as_deref() {
        Some(x) => format!(
            "{} {}",
            clip(&p.name, ((r.w - 74) / 7).max(4) as usize),
            proxy_badge(x)
        ),
        None => clip(&p.name, ((r.w - 14) / 7).max(4) as usize),
    };
    let label = if p.compact {
        label
    } else {
        spoken(&[&name, &sub], &label)
    };
    view! {
        <g
            class=class
            class:endpoint=move || endpoint.get()
            data-id=p.id.clone()
            data-pod=p.name.clone()
            data-namespace=p.namespace.clone()
            data-status=p.status.clone()
            tabindex="0"
            role="button"
            aria-label=label
            transform=format!("translate({},{})", r.x, r.y)
        >
            <title>{title}</title>
            <rect class="pod-box" width=r.w height=r.h rx="4"></rect>
            {(!p.compact).then(|| view! {
                <rect class="pod-stripe" width="4" height=r.h rx="2"></rect>
                <text class="pod-name" x="10" y="15">{name}</text>
                " "
                <text class="pod-sub" x="10" y="29">{sub}</text>
            })}
        </g>
    }
}

/// A control-plane component as the map writes it.
fn component_short(name: &str) -> &'static str {
    match name {
        "kube-apiserver" => "api",
        "etcd" => "etcd",
        "kube-scheduler" => "sched",
        _ => "ctrl",
    }
}

fn proxy_badge(label: &str) -> &'static str {
    match label {
        "Emissary-ingress" => "[Emissary]",
        "ingress-nginx" => "[nginx]",
        _ => "[HAProxy]",
    }
}

fn node_view(n: &MapNode) -> impl IntoView {
    let r = n.rect;
    let class = format!(
        "map-el node {}{}{}",
        if n.control_plane { "master" } else { "worker" },
        if n.powered { "" } else { " off" },
        if n.ready { "" } else { " notready" }
    );
    let status_class = if n.ready {
        "node-status ok"
    } else {
        "node-status bad"
    };
    let label = format!(
        "{} {}: {}{}, {}",
        if n.control_plane {
            "master"
        } else {
            "worker node"
        },
        n.name,
        n.status,
        if n.powered { "" } else { ", powered off" },
        n.ip
    );
    let drawn_name = clip(&n.name, 14);
    let drawn_status = if n.powered {
        clip(&n.status, 12)
    } else {
        "powered off".to_string()
    };
    let shorts: Vec<&str> = n
        .components
        .iter()
        .map(|c| component_short(&c.name))
        .collect();
    let mut drawn = vec![drawn_name.as_str(), drawn_status.as_str()];
    drawn.extend(shorts);
    let label = spoken(&drawn, &label);
    let kp = n.kube_proxy;
    let kp_id = n.id.replacen("/node/", "/kube-proxy/", 1);
    let components = n
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let short = component_short(&c.name);
            let x = r.x + 8 + (i as i32 % 2) * 56;
            let y = r.y + 30 + (i as i32 / 2) * 14;
            view! {
                <g class=if c.up { "component up" } else { "component down" }>
                    <title>{format!("{}: {}", c.name, c.status)}</title>
                    <circle cx=x + 4 cy=y - 4 r="3.5"></circle>
                    " "
                    <text x=x + 11 y=y>{short}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <g class=class data-id=n.id.clone() data-node=n.name.clone() data-ready=n.ready.to_string() tabindex="0" role="button" aria-label=label>
            <title>{format!("{} {}\n{}\n{}", if n.control_plane { "control-plane node" } else { "worker node" }, n.name, n.status, n.ip)}</title>
            <rect class="node-box" x=r.x y=r.y width=r.w height=r.h rx="8"></rect>
            <text class="node-name" x=r.x + 8 y=r.y + 16>{drawn_name}</text>
            " "
            <text class=status_class x=r.x + r.w - 8 y=r.y + 16 text-anchor="end">{drawn_status}</text>
            {components}
        </g>
        <g class="map-el kube-proxy" data-id=kp_id tabindex="0" role="button" aria-label=format!("kube-proxy on {}", n.name)>
            <title>{format!("kube-proxy on {}: its iptables rules send Service addresses to endpoints", n.name)}</title>
            <rect x=kp.x y=kp.y width=kp.w height=kp.h rx="3"></rect>
            <text x=kp.x + kp.w / 2 y=kp.y + 9 text-anchor="middle">"kube-proxy"</text>
        </g>
    }
}

fn service_view(s: &MapService, selected: Signal<bool>) -> impl IntoView {
    let r = s.rect;
    let line2 = match s.type_.as_str() {
        "ExternalName" => format!("ExternalName → {}", s.external_ip),
        t => format!("{t} {}", s.cluster_ip),
    };
    let eps = s.endpoints.len();
    let line3 = format!(
        "{} · {} endpoint{}",
        s.ports,
        eps,
        if eps == 1 { "" } else { "s" }
    );
    let label = format!(
        "Service {}/{}: {line2}, {line3}{}",
        s.namespace,
        s.name,
        if s.external_ip.is_empty() {
            String::new()
        } else {
            format!(", external {}", s.external_ip)
        }
    );
    let class = format!(
        "map-el service{}{}",
        if eps == 0 && s.type_ != "ExternalName" {
            " empty"
        } else {
            ""
        },
        if s.namespace == "kube-system" {
            " system"
        } else {
            ""
        }
    );
    let drawn = [
        clip(&format!("svc {}", s.name), 24),
        clip(&line2, 26),
        clip(&line3, 26),
    ];
    let aria = spoken(&[&drawn[0], &drawn[1], &drawn[2]], &label);
    let [d0, d1, d2] = drawn;
    view! {
        <g class=class class:selected=move || selected.get() data-id=s.id.clone() data-service=s.name.clone() tabindex="0" role="button" aria-label=aria>
            <title>{label}</title>
            <rect x=r.x y=r.y width=r.w height=r.h rx="12"></rect>
            <text class="svc-name" x=r.x + 10 y=r.y + 15>{d0}</text>
            " "
            <text class="svc-sub" x=r.x + 10 y=r.y + 28>{d1}</text>
            " "
            <text class="svc-sub" x=r.x + 10 y=r.y + 40>{d2}</text>
        </g>
    }
}

fn lb_view(l: &MapLoadBalancer) -> impl IntoView {
    let r = l.rect;
    let svc = l
        .service
        .splitn(3, '/')
        .nth(2)
        .unwrap_or_default()
        .to_string();
    let label = format!("cloud load balancer {} for Service {svc}", l.ip);
    let drawn = format!("⇅ LB {}", l.ip);
    let aria = spoken(&[&drawn], &label);
    view! {
        <g class="map-el lb" data-id=l.id.clone() tabindex="0" role="button" aria-label=aria>
            <title>{label}</title>
            <rect x=r.x y=r.y width=r.w height=r.h rx="13"></rect>
            <text x=r.x + r.w / 2 y=r.y + 17 text-anchor="middle">{drawn}</text>
        </g>
    }
}

/// The frame, titles, nodes, Services and load balancers of one cluster (pods are drawn in
/// their own keyed layer).
pub fn cluster_view(c: &MapCluster, selected: RwSignal<Option<String>>) -> impl IntoView {
    let r = c.rect;
    let title = format!(
        "cluster {}{} · masters {}/{}{}",
        c.name,
        if c.current { " (current)" } else { "" },
        c.masters_up,
        c.masters.len(),
        if c.quorum {
            ""
        } else {
            " · etcd has no quorum"
        }
    );
    let titles = c
        .titles
        .iter()
        .map(|(t, y)| view! { <text class="section-title" x=r.x + 12 y=*y + 13>{t.to_uppercase()}</text> })
        .collect_view();
    let services = c
        .services
        .iter()
        .map(|s| {
            let id = s.id.clone();
            let sel = Signal::derive(move || selected.with(|x| x.as_deref() == Some(id.as_str())));
            service_view(s, sel)
        })
        .collect_view();
    view! {
        <g class=if c.current { "cluster current" } else { "cluster" } data-cluster=c.name.clone()>
            <rect class="cluster-box" x=r.x y=r.y width=r.w height=r.h rx="12"></rect>
            <text class="cluster-name" x=r.x + 12 y=r.y + 22>{title}</text>
            {titles}
            {c.load_balancers.iter().map(lb_view).collect_view()}
            {services}
            {c.masters.iter().chain(&c.workers).map(node_view).collect_view()}
        </g>
    }
}

/// The laptop and the public DNS zone, above the clusters.
pub fn outside_view(m: &MapModel) -> impl IntoView {
    let l = m.laptop;
    let z = m.public_dns;
    let mut lines: Vec<String> = m
        .zone
        .iter()
        .take(crate::sim::map::ZONE_LINES)
        .map(|r| clip(&format!("{} {} {}", r.name, r.type_, r.values), 34))
        .collect();
    if m.zone.len() > crate::sim::map::ZONE_LINES {
        lines.push(format!(
            "+{} more (sim dns list)",
            m.zone.len() - crate::sim::map::ZONE_LINES
        ));
    }
    if lines.is_empty() {
        lines.push("no records yet (sim dns add)".into());
    }
    let zone_label = format!(
        "public DNS zone: {} record{}",
        m.zone.len(),
        if m.zone.len() == 1 { "" } else { "s" }
    );
    let mut drawn = vec!["Public DNS zone"];
    drawn.extend(lines.iter().map(String::as_str));
    let zone_label = spoken(&drawn, &zone_label);
    view! {
        <g class="map-el laptop" data-id="laptop" tabindex="0" role="button" aria-label="Your laptop, kubectl · curl: kubectl, curl and the browser run here">
            <title>"Your laptop: kubectl and curl at the terminal's prompt run here"</title>
            <rect x=l.x y=l.y width=l.w height=l.h rx="8"></rect>
            <text class="big" x=l.x + 12 y=l.y + 21>"Your laptop"</text>
            " "
            <text class="sub" x=l.x + 12 y=l.y + 38>"kubectl · curl"</text>
        </g>
        <g class="map-el zone" data-id="public-dns" tabindex="0" role="button" aria-label=zone_label>
            <title>"The public DNS zone (sim dns list): names the laptop and pods resolve outside cluster.local"</title>
            <rect x=z.x y=z.y width=z.w height=z.h rx="8"></rect>
            <text class="big" x=z.x + 12 y=z.y + 20>"Public DNS zone"</text>
            {lines.into_iter().enumerate().map(|(i, t)| view! {
                " "
                <text class="sub" x=z.x + 12 y=z.y + 36 + 14 * i as i32>{t}</text>
            }).collect_view()}
        </g>
    }
}

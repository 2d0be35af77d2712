//! The cluster view: nodes (masters and workers) with their pods, coloured by status.

use super::AppState;
use crate::sim::snapshot::{NodeView, PodView};
use leptos::prelude::*;

/// A CSS class for a pod STATUS.
fn status_class(status: &str) -> &'static str {
    match status {
        "Running" => "ok",
        "Completed" | "Succeeded" => "done",
        "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating" => "wait",
        s if s.starts_with("Init:") && !s.contains("Err") && !s.contains("BackOff") => "wait",
        _ => "bad",
    }
}

fn pod_chip(p: PodView) -> impl IntoView {
    // Running but not ready (a failing probe, an unreachable node) is not healthy.
    let not_ready = p.ready.split_once('/').is_some_and(|(a, b)| a != b);
    let class = if p.status == "Running" && not_ready {
        "pod wait".to_string()
    } else {
        format!("pod {}", status_class(&p.status))
    };
    let title = format!(
        "{}/{} · {} · {} ready{}",
        p.namespace,
        p.name,
        p.status,
        p.ready,
        if p.ip.is_empty() {
            String::new()
        } else {
            format!(" · IP {}", p.ip)
        }
    );
    view! {
        <li class=class data-pod=p.name.clone() data-namespace=p.namespace.clone() data-status=p.status.clone() title=title.clone() aria-label=title>
            <span class="pod-name">{p.name.clone()}</span>
            <span class="pod-status">{p.status.clone()}</span>
            <span class="pod-ip">{p.ip.clone()}</span>
        </li>
    }
}

fn node_box(n: NodeView) -> impl IntoView {
    let class = if n.control_plane {
        "node master"
    } else {
        "node worker"
    };
    let ready = n.status.starts_with("Ready");
    let system: Vec<PodView> = n
        .pods
        .iter()
        .filter(|p| p.namespace == "kube-system")
        .cloned()
        .collect();
    let user: Vec<PodView> = n
        .pods
        .iter()
        .filter(|p| p.namespace != "kube-system")
        .cloned()
        .collect();
    let system_summary = if system.is_empty() {
        String::new()
    } else {
        let mut names: Vec<String> = system.iter().map(|p| p.app.clone()).collect();
        names.dedup();
        names.join(" · ")
    };
    view! {
        <div class=class data-node=n.name.clone() data-ready=ready.to_string()>
            <div class="node-head">
                <span class="node-name">{n.name.clone()}</span>
                <span class="node-role">{if n.control_plane { "control plane".to_string() } else { "worker".to_string() }}</span>
                <span class=if ready { "node-status ok" } else { "node-status bad" }>{n.status.clone()}</span>
                {(!n.powered).then(|| view! { <span class="node-power" title="sim node start to power it on">"powered off"</span> })}
            </div>
            {(!system_summary.is_empty()).then(|| view! { <div class="node-system" title="Control-plane components (static pods in kube-system)">{system_summary}</div> })}
            <ul class="pods">{user.into_iter().map(pod_chip).collect_view()}</ul>
        </div>
    }
}

#[component]
pub fn ClusterView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let snapshot = Memo::new(move |_| state.snapshot());
    view! {
        {move || {
            let snap = snapshot.get();
            snap.clusters
                .into_iter()
                .enumerate()
                .filter(|(i, _)| *i == snap.current)
                .map(|(_, c)| {
                    let (masters, workers): (Vec<NodeView>, Vec<NodeView>) =
                        c.nodes.into_iter().partition(|n| n.control_plane);
                    let unscheduled = c.unscheduled;
                    view! {
                        <div class="cluster" data-cluster=c.name.clone()>
                            <h2 class="cluster-name">"cluster " <code>{c.name.clone()}</code></h2>
                            <div class="plane">
                                <h3>"Control plane"</h3>
                                <div class="nodes">{masters.into_iter().map(node_box).collect_view()}</div>
                            </div>
                            <div class="plane">
                                <h3>"Workers"</h3>
                                <div class="nodes">{workers.into_iter().map(node_box).collect_view()}</div>
                            </div>
                            {(!unscheduled.is_empty()).then(|| view! {
                                <div class="plane pending">
                                    <h3>"Waiting for a node"</h3>
                                    <ul class="pods">{unscheduled.into_iter().map(pod_chip).collect_view()}</ul>
                                </div>
                            })}
                        </div>
                    }
                })
                .collect_view()
        }}
    }
}

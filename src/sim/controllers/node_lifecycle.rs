//! The node lifecycle controller (in kube-controller-manager): a node whose kubelet stops posting
//! status for `node-monitor-grace-period` (40 s, fact 80) becomes NotReady (Ready=Unknown) and is
//! tainted unreachable; its pods are marked not ready; the taint manager evicts each pod when its
//! toleration of the taint runs out (300 s by default). A node that comes back loses the taints.

use super::super::api::*;
use super::super::clock::{parse_rfc3339, rfc3339, secs, Millis};
use super::super::scheduler::set_condition;
use std::collections::{BTreeMap, BTreeSet};

pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";

/// `stopped`: nodes whose kubelet is down; `heartbeats`: when each last posted status.
pub fn reconcile(
    store: &mut Store,
    stopped: &BTreeSet<String>,
    heartbeats: &mut BTreeMap<String, Millis>,
    now: Millis,
) {
    let grace = store.config.node_monitor_grace_ms;
    let ready_of = |n: &Node| {
        n.status
            .conditions
            .iter()
            .find(|c| c.type_ == "Ready")
            .map(|c| c.status.clone())
            .unwrap_or_default()
    };
    // Only nodes whose state has to change are copied out of the store.
    let changing: Vec<Node> = store
        .nodes
        .values()
        .filter(|n| {
            let down = stopped.contains(&n.metadata.name);
            let ready = ready_of(n);
            (down && ready != "Unknown") || (!down && ready != "True")
        })
        .cloned()
        .collect();
    for node in changing {
        let name = node.metadata.name.clone();
        let down = stopped.contains(&name);
        let last = *heartbeats.entry(name.clone()).or_insert(now);
        let ready = ready_of(&node);
        if down && now.saturating_sub(last) >= grace && ready != "Unknown" {
            let mut n = node.clone();
            set_condition(
                &mut n.status.conditions,
                "Ready",
                "Unknown",
                "NodeStatusUnknown",
                "Kubelet stopped posting node status.",
                now,
            );
            for effect in ["NoSchedule", "NoExecute"] {
                if !n
                    .spec
                    .taints
                    .iter()
                    .any(|t| t.key == UNREACHABLE && t.effect == effect)
                {
                    n.spec.taints.push(Taint {
                        key: UNREACHABLE.into(),
                        value: String::new(),
                        effect: effect.into(),
                        time_added: (effect == "NoExecute").then(|| rfc3339(now)),
                    });
                }
            }
            store.put(n);
            store.record_event(
                now,
                "",
                "Node",
                &name,
                "Normal",
                "NodeNotReady",
                "node-controller",
                format!("Node {name} status is now: NodeNotReady"),
            );
            // Its pods are no longer ready: endpoints drop them.
            let pods: Vec<Pod> = store
                .pods
                .values()
                .filter(|p| p.spec.node_name == name)
                .cloned()
                .collect();
            for mut p in pods {
                set_condition(&mut p.status.conditions, "Ready", "False", "", "", now);
                for c in p.status.container_statuses.iter_mut() {
                    c.ready = false;
                }
                store.put(p);
            }
        } else if !down && ready != "True" {
            let mut n = node.clone();
            set_condition(
                &mut n.status.conditions,
                "Ready",
                "True",
                "KubeletReady",
                "kubelet is posting ready status",
                now,
            );
            n.spec.taints.retain(|t| t.key != UNREACHABLE);
            store.put(n);
            store.record_event(
                now,
                "",
                "Node",
                &name,
                "Normal",
                "NodeReady",
                "kubelet",
                format!("Node {name} status is now: NodeReady"),
            );
        }
    }
    evict(store, now);
}

/// When each pod on a node with NoExecute taints must go (the taint manager): for each taint the
/// pod does not tolerate, at once (the taint's time); for one it tolerates with
/// `tolerationSeconds`, that long after the taint; tolerated for ever, never. The unreachable
/// taint of a lost node is one of these (300 s by default, fact 80).
fn eviction_times(store: &Store) -> Vec<(String, String, Millis)> {
    let mut out = Vec::new();
    for node in store.nodes.values() {
        let taints: Vec<&Taint> = node
            .spec
            .taints
            .iter()
            .filter(|t| t.effect == "NoExecute")
            .collect();
        if taints.is_empty() {
            continue;
        }
        for (ns, name) in store.watch.pods_on_node(&node.metadata.name) {
            let Some(p) = store.pods.get(ns, name) else {
                continue;
            };
            if p.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let mut when: Option<Millis> = None;
            for taint in &taints {
                let added = taint
                    .time_added
                    .as_deref()
                    .and_then(parse_rfc3339)
                    .unwrap_or(0);
                let matching = p
                    .spec
                    .tolerations
                    .iter()
                    .find(|t| crate::sim::scheduler::tolerates(std::slice::from_ref(t), taint));
                let at = match matching {
                    None => Some(added),
                    Some(t) => t
                        .toleration_seconds
                        .map(|s| added.saturating_add(secs(s.max(0)))),
                };
                if let Some(at) = at {
                    when = Some(when.map_or(at, |w: Millis| w.min(at)));
                }
            }
            if let Some(at) = when {
                out.push((p.metadata.namespace.clone(), p.metadata.name.clone(), at));
            }
        }
    }
    out
}

fn evict(store: &mut Store, now: Millis) {
    for (ns, name, at) in eviction_times(store) {
        if at <= now {
            store.delete_pod(&ns, &name, now, None);
            store.record_event(
                now,
                &ns,
                "Pod",
                &name,
                "Normal",
                "TaintManagerEviction",
                "taint-eviction-controller",
                format!("Marking for deletion Pod {ns}/{name}"),
            );
        }
    }
}

/// The next moment a node goes NotReady or a pod's toleration runs out.
pub fn next_deadline(
    store: &Store,
    stopped: &BTreeSet<String>,
    heartbeats: &BTreeMap<String, Millis>,
    now: Millis,
) -> Option<Millis> {
    let grace = store.config.node_monitor_grace_ms;
    let not_ready = stopped
        .iter()
        .filter(|n| {
            store.nodes.get("", n).is_some_and(|node| {
                node.status
                    .conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status != "Unknown")
            })
        })
        .filter_map(|n| heartbeats.get(n).map(|t| t.saturating_add(grace)));
    let evictions = eviction_times(store).into_iter().map(|(_, _, t)| t);
    not_ready.chain(evictions).filter(|t| *t > now).min()
}

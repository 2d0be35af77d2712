//! The DaemonSet controller: one pod per eligible node (fact 40). Eligible means the node's
//! labels fit the template's nodeSelector and affinity and its NoSchedule/NoExecute taints are
//! tolerated; the pods are placed by the scheduler through node affinity on the node's name.

use super::{controller_ref, pod_available, pod_ready};
use crate::sim::api::admission::resolve_int_or_percent;
use crate::sim::api::*;
use crate::sim::clock::Millis;
use crate::sim::rng::Rng;
use crate::sim::scheduler::{node_affinity_matches, tolerates};
use std::collections::BTreeMap;

pub const GENERATION_LABEL: &str = "pod-template-generation";

/// The tolerations a DaemonSet's pods get automatically (fact 40).
fn daemon_tolerations(spec: &mut PodSpec) {
    let host_network = spec.host_network;
    let mut add = |key: &str, effect: &str| {
        if !spec
            .tolerations
            .iter()
            .any(|t| t.key == key && t.effect == effect)
        {
            spec.tolerations.push(Toleration {
                key: key.into(),
                operator: "Exists".into(),
                value: String::new(),
                effect: effect.into(),
                toleration_seconds: None,
            });
        }
    };
    add("node.kubernetes.io/not-ready", "NoExecute");
    add("node.kubernetes.io/unreachable", "NoExecute");
    add("node.kubernetes.io/disk-pressure", "NoSchedule");
    add("node.kubernetes.io/memory-pressure", "NoSchedule");
    add("node.kubernetes.io/pid-pressure", "NoSchedule");
    add("node.kubernetes.io/unschedulable", "NoSchedule");
    if host_network {
        add("node.kubernetes.io/network-unavailable", "NoSchedule");
    }
}

/// What the controller needs to know of a pod it owns.
struct Owned {
    name: String,
    node: Option<String>,
    deleting: bool,
    ready: bool,
    available: bool,
    generation: Option<String>,
}

/// Whether a DaemonSet pod belongs on this node (`spec` has the daemon tolerations added).
fn eligible(node: &Node, spec: &PodSpec) -> bool {
    let taints_ok = node.spec.taints.iter().all(|t| {
        (t.effect != "NoSchedule" && t.effect != "NoExecute")
            || t.key.starts_with("node.kubernetes.io/")
            || tolerates(&spec.tolerations, t)
    });
    let selector_ok = spec
        .node_selector
        .iter()
        .all(|(k, v)| node.metadata.labels.get(k) == Some(v));
    taints_ok && selector_ok && node_affinity_matches(spec.affinity.as_ref(), node)
}

/// The node affinity the DaemonSet controller gives each pod: `matchFields` on the node's name.
fn pin_to_node(spec: &mut PodSpec, node: &str) {
    let map = |pairs: Vec<(&str, Raw)>| {
        Raw::Mapping(
            pairs
                .into_iter()
                .map(|(k, v)| (Raw::String(k.into()), v))
                .collect(),
        )
    };
    let field = map(vec![
        ("key", Raw::String("metadata.name".into())),
        ("operator", Raw::String("In".into())),
        ("values", Raw::Sequence(vec![Raw::String(node.into())])),
    ]);
    let term = map(vec![("matchFields", Raw::Sequence(vec![field]))]);
    let required = map(vec![("nodeSelectorTerms", Raw::Sequence(vec![term]))]);
    let node_affinity = map(vec![(
        "requiredDuringSchedulingIgnoredDuringExecution",
        required,
    )]);
    spec.affinity = Some(map(vec![("nodeAffinity", node_affinity)]));
}

/// Sync one DaemonSet; returns when it wants to look again.
pub fn sync_key(store: &mut Store, key: &Key, now: Millis, rng: &mut Rng) -> Option<Millis> {
    let ds = store.daemonsets.get(&key.0, &key.1)?.clone();
    if ds.metadata.deletion_timestamp.is_some() {
        return None;
    }
    {
        let ns = ds.metadata.namespace.clone();
        let generation = ds.metadata.generation.to_string();
        // What the controller needs of each pod it owns, by the node it is for.
        let pods: Vec<Owned> = store
            .owned::<Pod>(&ds.metadata.uid)
            .map(|p| Owned {
                name: p.metadata.name.clone(),
                node: pod_node(p),
                deleting: p.metadata.deletion_timestamp.is_some(),
                ready: pod_ready(p),
                generation: p.metadata.labels.get(GENERATION_LABEL).cloned(),
                available: pod_available(p, ds.spec.min_ready_seconds.unwrap_or(0), now),
            })
            .collect();
        let mut by_node: BTreeMap<&str, Vec<&Owned>> = BTreeMap::new();
        for p in &pods {
            if let Some(n) = &p.node {
                by_node.entry(n.as_str()).or_default().push(p);
            }
        }
        let mut tolerating = ds.spec.template.spec.clone();
        daemon_tolerations(&mut tolerating);
        let mut desired = 0;
        let mut missing: Vec<String> = Vec::new();
        let mut unwanted: Vec<String> = Vec::new();
        for node in store.nodes.values() {
            let name = node.metadata.name.as_str();
            let on_node = by_node.get(name).map(Vec::as_slice).unwrap_or(&[]);
            if eligible(node, &tolerating) {
                desired += 1;
                if on_node.is_empty() {
                    missing.push(name.to_string());
                }
            } else {
                unwanted.extend(
                    on_node
                        .iter()
                        .filter(|p| !p.deleting)
                        .map(|p| p.name.clone()),
                );
            }
        }
        for name in &missing {
            let mut spec = ds.spec.template.spec.clone();
            daemon_tolerations(&mut spec);
            pin_to_node(&mut spec, name);
            let mut labels = ds.spec.template.metadata.labels.clone();
            labels.insert(GENERATION_LABEL.into(), generation.clone());
            let pod = Pod {
                api_version: "v1".into(),
                kind: "Pod".into(),
                metadata: ObjectMeta {
                    generate_name: format!("{}-", ds.metadata.name),
                    namespace: ns.clone(),
                    labels,
                    annotations: ds.spec.template.metadata.annotations.clone(),
                    owner_references: vec![controller_ref("apps/v1", "DaemonSet", &ds.metadata)]
                        .into(),
                    ..Default::default()
                },
                spec,
                status: PodStatus::default(),
            };
            if let Ok(p) = store.create_named(pod, now, rng) {
                store.record_event(
                    now,
                    &ns,
                    "DaemonSet",
                    &ds.metadata.name,
                    "Normal",
                    "SuccessfulCreate",
                    "daemonset-controller",
                    format!("Created pod: {p}"),
                );
            }
        }
        for name in &unwanted {
            store.delete_pod(&ns, name, now, None);
            store.record_event(
                now,
                &ns,
                "DaemonSet",
                &ds.metadata.name,
                "Normal",
                "SuccessfulDelete",
                "daemonset-controller",
                format!("Deleted pod: {name}"),
            );
        }
        // Rolling update: replace pods of older generations, maxUnavailable at a time.
        let rolling = ds
            .spec
            .update_strategy
            .as_ref()
            .is_none_or(|s| s.type_ == "RollingUpdate");
        if rolling {
            let max_unavailable = ds
                .spec
                .update_strategy
                .as_ref()
                .and_then(|s| s.rolling_update.as_ref())
                .and_then(|r| r.max_unavailable.as_ref())
                .map(|v| resolve_int_or_percent(v, desired, true).unwrap_or(1))
                .unwrap_or(1)
                .max(1);
            let live: Vec<&Owned> = pods.iter().filter(|p| !p.deleting).collect();
            let unavailable = live.iter().filter(|p| !p.ready).count() as i64
                + pods.iter().filter(|p| p.deleting).count() as i64;
            let mut budget = max_unavailable - unavailable;
            for p in live {
                if budget <= 0 {
                    break;
                }
                if p.generation.as_ref() != Some(&generation) && p.ready {
                    store.delete_pod(&ns, &p.name, now, None);
                    budget -= 1;
                }
            }
        }
        // Status from the pods as they were at the start of this sync (they are re-read when
        // the writes above come back through the watch).
        let live: Vec<&Owned> = pods.iter().filter(|p| !p.deleting).collect();
        let status = DaemonSetStatus {
            current_number_scheduled: live.len() as i64,
            desired_number_scheduled: desired,
            number_misscheduled: 0,
            number_ready: live.iter().filter(|p| p.ready).count() as i64,
            number_available: live.iter().filter(|p| p.available).count() as i64,
            updated_number_scheduled: live
                .iter()
                .filter(|p| p.generation.as_ref() == Some(&generation))
                .count() as i64,
            observed_generation: ds.metadata.generation,
        };
        if store
            .daemonsets
            .get(&ns, &ds.metadata.name)
            .is_some_and(|cur| cur.status != status)
        {
            store.modify(&ns, &ds.metadata.name, |x: &mut DaemonSet| {
                x.status = status
            });
        }
    }
    let _ = (store, now);
    None
}

/// The node a DaemonSet pod is for: where it runs, or the node its affinity pins it to.
fn pod_node(p: &Pod) -> Option<String> {
    if !p.spec.node_name.is_empty() {
        return Some(p.spec.node_name.clone());
    }
    let a = p.spec.affinity.as_ref()?;
    let v = a
        .get("nodeAffinity")?
        .get("requiredDuringSchedulingIgnoredDuringExecution")?
        .get("nodeSelectorTerms")?
        .get(0)?
        .get("matchFields")?
        .get(0)?
        .get("values")?
        .get(0)?;
    v.as_str().map(String::from)
}

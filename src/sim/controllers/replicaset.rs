//! The ReplicaSet controller: keeps `spec.replicas` pods matching the template alive.

use super::{controller_ref, controller_uid, pod_available, pod_ready};
use crate::sim::api::*;
use crate::sim::clock::{parse_rfc3339, secs, Millis};
use crate::sim::rng::Rng;
use std::collections::BTreeMap;

pub fn reconcile(store: &mut Store, now: Millis, rng: &mut Rng) {
    if store.replicasets.is_empty() {
        return;
    }
    // Index the pods each ReplicaSet controls.
    let mut owned: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for p in store.pods.values() {
        if let Some(uid) = controller_uid(&p.metadata) {
            owned
                .entry(uid.to_string())
                .or_default()
                .push((p.metadata.namespace.clone(), p.metadata.name.clone()));
        }
    }
    let sets: Vec<ReplicaSet> = store.replicasets.values().cloned().collect();
    for rs in sets {
        if rs.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let ns = rs.metadata.namespace.clone();
        let keys = owned.remove(&rs.metadata.uid).unwrap_or_default();
        let pods: Vec<Pod> = keys
            .iter()
            .filter_map(|(n, name)| store.pods.get(n, name))
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .cloned()
            .collect();
        let want = rs.spec.replicas.unwrap_or(1).max(0) as usize;
        if pods.len() < want {
            for _ in pods.len()..want {
                let t = &rs.spec.template;
                let pod = Pod {
                    api_version: "v1".into(),
                    kind: "Pod".into(),
                    metadata: ObjectMeta {
                        generate_name: format!("{}-", rs.metadata.name),
                        namespace: ns.clone(),
                        labels: t.metadata.labels.clone(),
                        annotations: t.metadata.annotations.clone(),
                        owner_references: vec![controller_ref(
                            "apps/v1",
                            "ReplicaSet",
                            &rs.metadata,
                        )],
                        ..Default::default()
                    },
                    spec: t.spec.clone(),
                    status: PodStatus::default(),
                };
                match store.create(pod, now, rng) {
                    Ok(p) => store.record_event(
                        now,
                        &ns,
                        "ReplicaSet",
                        &rs.metadata.name,
                        "Normal",
                        "SuccessfulCreate",
                        "replicaset-controller",
                        format!("Created pod: {}", p.metadata.name),
                    ),
                    Err(e) => {
                        store.record_event(
                            now,
                            &ns,
                            "ReplicaSet",
                            &rs.metadata.name,
                            "Warning",
                            "FailedCreate",
                            "replicaset-controller",
                            format!("Error creating: {}", e.message()),
                        );
                        break;
                    }
                }
            }
        } else if pods.len() > want {
            // Delete the least valuable first: unscheduled, then not ready, then the youngest.
            let mut ranked: Vec<&Pod> = pods.iter().collect();
            ranked.sort_by_key(|p| {
                let created = p
                    .metadata
                    .creation_timestamp
                    .as_deref()
                    .and_then(parse_rfc3339)
                    .unwrap_or(0);
                (
                    !p.spec.node_name.is_empty(),
                    pod_ready(p),
                    std::cmp::Reverse(created),
                    p.metadata.name.clone(),
                )
            });
            for p in ranked.into_iter().take(pods.len() - want) {
                store.delete_pod(&ns, &p.metadata.name, now, None);
                store.record_event(
                    now,
                    &ns,
                    "ReplicaSet",
                    &rs.metadata.name,
                    "Normal",
                    "SuccessfulDelete",
                    "replicaset-controller",
                    format!("Deleted pod: {}", p.metadata.name),
                );
            }
        }
        // Status from what exists now.
        let min_ready = rs.spec.min_ready_seconds.unwrap_or(0);
        let live: Vec<&Pod> = store
            .pods
            .in_namespace(Some(&ns))
            .filter(|p| controller_uid(&p.metadata) == Some(rs.metadata.uid.as_str()))
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .collect();
        let status = ReplicaSetStatus {
            replicas: live.len() as i64,
            fully_labeled_replicas: live.len() as i64,
            ready_replicas: live.iter().filter(|p| pod_ready(p)).count() as i64,
            available_replicas: live
                .iter()
                .filter(|p| pod_available(p, min_ready, now))
                .count() as i64,
            observed_generation: rs.metadata.generation,
        };
        if let Some(cur) = store.replicasets.get(&ns, &rs.metadata.name) {
            if cur.status != status {
                let mut next = cur.clone();
                next.status = status;
                store.put(next);
            }
        }
    }
}

/// The next moment a pod becomes available because minReadySeconds passed.
pub fn next_deadline(store: &Store, now: Millis) -> Option<Millis> {
    let mut best: Option<Millis> = None;
    for rs in store.replicasets.values() {
        let min_ready = rs.spec.min_ready_seconds.unwrap_or(0);
        if min_ready <= 0 {
            continue;
        }
        for p in store.pods.in_namespace(Some(&rs.metadata.namespace)) {
            if controller_uid(&p.metadata) != Some(rs.metadata.uid.as_str()) || !pod_ready(p) {
                continue;
            }
            let since = p
                .status
                .conditions
                .iter()
                .find(|c| c.type_ == "Ready")
                .and_then(|c| c.last_transition_time.as_deref())
                .and_then(parse_rfc3339)
                .unwrap_or(now);
            let t = since.saturating_add(secs(min_ready));
            if t > now && best.is_none_or(|b| t < b) {
                best = Some(t);
            }
        }
    }
    best
}

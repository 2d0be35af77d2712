//! The ReplicaSet controller: keeps `spec.replicas` pods matching the template alive.

use super::{controller_ref, pod_available, pod_ready};
use crate::sim::api::*;
use crate::sim::clock::{secs, Millis};
use crate::sim::rng::Rng;

/// Sync one ReplicaSet; returns when it wants to look again (a pod passing minReadySeconds).
pub fn sync_key(store: &mut Store, key: &Key, now: Millis, rng: &mut Rng) -> Option<Millis> {
    let rs = store.replicasets.get(&key.0, &key.1)?;
    if rs.metadata.deletion_timestamp.is_some() {
        return None;
    }
    let have = store.watch.pod_counts(&rs.metadata.uid).live.max(0) as usize;
    let want = rs.spec.replicas.unwrap_or(1).max(0) as usize;
    // The pod template is copied only when pods are to be made from it.
    let rs = if have < want {
        rs.clone()
    } else {
        ReplicaSet {
            api_version: String::new(),
            kind: String::new(),
            metadata: rs.metadata.clone(),
            spec: ReplicaSetSpec {
                replicas: rs.spec.replicas,
                selector: None,
                template: PodTemplateSpec::default(),
                min_ready_seconds: rs.spec.min_ready_seconds,
            },
            status: ReplicaSetStatus::default(),
        }
    };
    {
        let ns = rs.metadata.namespace.clone();
        // Why the last create failed: the ReplicaFailure condition, and a retry.
        let mut failure: Option<String> = None;
        if have < want {
            // One copy of the owner reference for all the pods made here.
            let owners: Shared<Vec<OwnerReference>> =
                vec![controller_ref("apps/v1", "ReplicaSet", &rs.metadata)].into();
            for _ in have..want {
                let t = &rs.spec.template;
                let pod = Pod {
                    api_version: "v1".into(),
                    kind: "Pod".into(),
                    metadata: ObjectMeta {
                        generate_name: format!("{}-", rs.metadata.name),
                        namespace: ns.clone(),
                        labels: t.metadata.labels.clone(),
                        annotations: t.metadata.annotations.clone(),
                        owner_references: owners.clone(),
                        ..Default::default()
                    },
                    spec: t.spec.clone(),
                    status: PodStatus::default(),
                };
                match store.create_named(pod, now, rng) {
                    Ok(p) => store.record_event(
                        now,
                        &ns,
                        "ReplicaSet",
                        &rs.metadata.name,
                        "Normal",
                        "SuccessfulCreate",
                        "replicaset-controller",
                        format!("Created pod: {p}"),
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
                        failure = Some(e.message());
                        break;
                    }
                }
            }
        } else if have > want {
            // Delete the least valuable first: unscheduled, then not ready, then the youngest.
            let mut ranked: Vec<_> = owned_pods(store, &rs.metadata.uid)
                .into_iter()
                .map(|p| {
                    let created = p
                        .metadata
                        .creation_timestamp
                        .as_ref()
                        .and_then(Time::millis)
                        .unwrap_or(0);
                    (
                        !p.spec.node_name.is_empty(),
                        pod_ready(p),
                        std::cmp::Reverse(created),
                        p.metadata.name.clone(),
                    )
                })
                .collect();
            crate::sim::sort::natural(&mut ranked);
            for (_, _, _, name) in ranked.into_iter().take(have - want) {
                store.delete_pod(&ns, &name, now, None);
                store.record_event(
                    now,
                    &ns,
                    "ReplicaSet",
                    &rs.metadata.name,
                    "Normal",
                    "SuccessfulDelete",
                    "replicaset-controller",
                    format!("Deleted pod: {name}"),
                );
            }
        }
        // Status from what exists now: counts the watch keeps, and a walk over the pods only
        // when minReadySeconds makes availability depend on time.
        let min_ready = rs.spec.min_ready_seconds.unwrap_or(0);
        let counts = store.watch.pod_counts(&rs.metadata.uid);
        let (available, due) = if min_ready > 0 {
            let live = owned_pods(store, &rs.metadata.uid);
            let available = live
                .iter()
                .filter(|p| pod_available(p, min_ready, now))
                .count() as i64;
            (available, next_available(&live, min_ready, now))
        } else {
            (counts.ready, None)
        };
        let mut conditions = store
            .replicasets
            .get(&ns, &rs.metadata.name)
            .map(|cur| cur.status.conditions.clone())
            .unwrap_or_default();
        match &failure {
            Some(msg) => crate::sim::scheduler::set_condition(
                &mut conditions,
                "ReplicaFailure",
                "True",
                "FailedCreate",
                msg,
                now,
            ),
            None => conditions.retain(|c| c.type_ != "ReplicaFailure"),
        }
        let status = ReplicaSetStatus {
            replicas: counts.live,
            fully_labeled_replicas: counts.live,
            ready_replicas: counts.ready,
            available_replicas: available,
            observed_generation: rs.metadata.generation,
            conditions,
        };
        if store
            .replicasets
            .get(&ns, &rs.metadata.name)
            .is_some_and(|cur| cur.status != status)
        {
            store.modify(&ns, &rs.metadata.name, |x: &mut ReplicaSet| {
                x.status = status
            });
        }
        // The controller's rate limiter retries a failed create (a quota may have room later).
        match failure {
            Some(_) => {
                let retry = now.saturating_add(secs(10));
                Some(due.map_or(retry, |d| d.min(retry)))
            }
            None => due,
        }
    }
}

/// The live (not terminating) pods a controller owns, in name order.
pub fn owned_pods<'a>(store: &'a Store, uid: &str) -> Vec<&'a Pod> {
    store
        .watch
        .owned_pods(uid)
        .filter_map(|(ns, name)| store.pods.get(ns, name))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .collect()
}

/// The next moment one of these ready pods becomes available because minReadySeconds passed.
fn next_available(pods: &[&Pod], min_ready: i64, now: Millis) -> Option<Millis> {
    if min_ready <= 0 {
        return None;
    }
    pods.iter()
        .filter(|p| pod_ready(p))
        .map(|p| {
            let since = p
                .status
                .conditions
                .iter()
                .find(|c| c.type_ == "Ready")
                .and_then(|c| c.last_transition_time.as_ref())
                .and_then(Time::millis)
                .unwrap_or(now);
            since.saturating_add(secs(min_ready))
        })
        .filter(|t| *t > now)
        .min()
}
